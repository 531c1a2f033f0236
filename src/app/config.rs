//! The user's workbench settings: a small TOML file with the theme and key overrides.
//!
//! ```toml
//! theme = "light"            # dark, light, high-contrast
//!
//! [keys]                     # only the actions named change; see the help overlay
//! quit = "ctrl+q"            # one key, or a list
//! next_stage = ["n", "right"]
//! ```
//!
//! Writing the theme back (`T` remembers the choice) edits only the `theme` line, keeping
//! the rest of the file as written.
//!
//! It is read from `$GATEBENCH_CONFIG` when set, else `$XDG_CONFIG_HOME/gatebench/config.toml`
//! (`~/.config/gatebench/config.toml`). A missing file is fine; a bad one is reported in the
//! status bar with `file:line` and the defaults are used.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use crate::app::keymap::{Keymap, KeymapError};
use crate::app::theme::{Theme, ThemeError};

/// Why the settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is not valid TOML or has unknown fields.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A key binding is wrong.
    #[error("{path}:{line}: keys: {source}")]
    Keys {
        /// The file.
        path: PathBuf,
        /// 1-based line of the binding.
        line: usize,
        /// What is wrong.
        source: KeymapError,
    },
    /// The theme name is unknown.
    #[error("{path}: {source}")]
    Theme {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        source: ThemeError,
    },
    /// The file exists but cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    theme: Option<String>,
    #[serde(default)]
    keys: IndexMap<toml::Spanned<String>, KeyList>,
}

/// One key (`quit = "x"`) or several (`quit = ["x", "ctrl+q"]`).
#[derive(Debug, Deserialize)]
#[serde(
    untagged,
    expecting = "a key (\"ctrl+q\") or a list of keys ([\"q\", \"ctrl+q\"])"
)]
enum KeyList {
    One(String),
    Many(Vec<String>),
}

impl KeyList {
    fn into_vec(self) -> Vec<String> {
        match self {
            KeyList::One(k) => vec![k],
            KeyList::Many(ks) => ks,
        }
    }
}

/// The 1-based line of byte offset `at` in `text`.
fn line_of(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// Settings after applying a file to the defaults.
#[derive(Clone, Debug)]
pub struct Config {
    /// The theme.
    pub theme: Theme,
    /// The key bindings.
    pub keymap: Keymap,
}

impl Config {
    /// The defaults (dark theme, default keys).
    pub fn defaults(no_color: bool) -> Config {
        Config {
            theme: Theme::default_dark(no_color),
            keymap: Keymap::default(),
        }
    }

    /// Apply settings text (from `path`, for messages) to the defaults.
    pub fn from_toml(text: &str, path: &Path, no_color: bool) -> Result<Config, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: e.span().map_or(1, |s| line_of(text, s.start)),
            message: e.message().trim().to_string(),
        })?;
        let theme = match &file.theme {
            Some(name) => Theme::builtin(name, no_color).map_err(|source| ConfigError::Theme {
                path: path.to_path_buf(),
                source,
            })?,
            None => Theme::default_dark(no_color),
        };
        // One binding at a time, so that an error names its line.
        let mut keymap = Keymap::default();
        for (name, keys) in file.keys {
            let line = line_of(text, name.span().start);
            let keys = keys.into_vec();
            keymap = keymap
                .with_overrides([(name.get_ref().as_str(), keys.as_slice())])
                .map_err(|source| ConfigError::Keys {
                    path: path.to_path_buf(),
                    line,
                    source,
                })?;
        }
        Ok(Config { theme, keymap })
    }

    /// Where the settings file is looked for: `flag` (`--config`), else [`Config::default_path`].
    pub fn path(flag: Option<&Path>) -> Option<PathBuf> {
        flag.map(Path::to_path_buf).or_else(Config::default_path)
    }

    /// Where the settings file is looked for without `--config`.
    pub fn default_path() -> Option<PathBuf> {
        if let Some(p) = std::env::var_os("GATEBENCH_CONFIG") {
            return Some(PathBuf::from(p));
        }
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("gatebench").join("config.toml"))
    }

    /// Load the settings file at `path`; a missing file gives the defaults.
    pub fn load(path: &Path, no_color: bool) -> Result<Config, ConfigError> {
        match crate::session::file::read_text(path) {
            Ok(text) => Config::from_toml(&text, path, no_color),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::defaults(no_color)),
            Err(source) => Err(ConfigError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }
}

/// Remember a top-level setting (`theme = "light"`, `listen = "127.0.0.1:4000"`) in the
/// settings file at `path`: only that line changes (comments, order and the `[keys]` table
/// stay as written); a missing file (and its folder) is created. Written atomically.
pub fn remember(path: &Path, key: &str, value: &str) -> Result<(), String> {
    let text = match crate::session::file::read_text(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        format!(
            "{}: not changed, it is not valid TOML: {}",
            path.display(),
            e.message()
        )
    })?;
    match doc.get_mut(key).and_then(|i| i.as_value_mut()) {
        // Keep the comment and spacing around the old value.
        Some(v) => {
            let decor = v.decor().clone();
            *v = toml_edit::Value::from(value);
            *v.decor_mut() = decor;
        }
        None => {
            // A new top-level key goes before the first table, where TOML reads it as one.
            doc.insert(key, toml_edit::value(value));
        }
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    crate::session::file::write_atomic(path, doc.to_string().as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::Action;
    use crate::app::keymap::Layer;

    #[test]
    fn partial_files_override_only_what_they_name() {
        let c = Config::from_toml(
            "theme = \"light\"\n[keys]\nquit = [\"ctrl+q\"]\n",
            Path::new("c.toml"),
            false,
        )
        .unwrap();
        assert_eq!(c.theme.name(), "light");
        assert_eq!(
            c.keymap.keys(Layer::Normal, Action::Quit).as_deref(),
            Some("ctrl+q")
        );
        assert_eq!(
            c.keymap.keys(Layer::Normal, Action::Help).as_deref(),
            Some("?/f1")
        );
        let empty = Config::from_toml("", Path::new("c.toml"), false).unwrap();
        assert_eq!(empty.theme.name(), "dark");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = Config::from_toml("theme = \"dark\"\nbogus = 1\n", Path::new("c.toml"), false)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2: "), "{e}");
        assert!(e.contains("bogus"), "{e}");
        let e = Config::from_toml("[keys]\nfly = [\"f\"]\n", Path::new("c.toml"), false)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "c.toml:2: keys: unknown action \"fly\" in key bindings");
        let e = Config::from_toml("theme = \"neon\"\n", Path::new("c.toml"), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown theme \"neon\""), "{e}");
    }

    #[test]
    fn a_key_is_one_string_or_a_list() {
        let c = Config::from_toml(
            "[keys]\nquit = \"x\"\nhelp = [\"h\", \"ctrl-q\"]\n",
            Path::new("c.toml"),
            false,
        )
        .unwrap();
        assert_eq!(
            c.keymap.keys(Layer::Normal, Action::Quit).as_deref(),
            Some("x")
        );
        assert_eq!(
            c.keymap.keys(Layer::Normal, Action::Help).as_deref(),
            Some("h/ctrl+q")
        );
    }

    #[test]
    fn binding_errors_name_their_line() {
        let text = "theme = \"dark\"\n\n[keys]\nquit = \"x\"\nhelp = [\"h\", \"ctrl+nope\"]\n";
        let e = Config::from_toml(text, Path::new("c.toml"), false)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.toml:5: keys: help: unknown key \"ctrl+nope\""),
            "{e}"
        );
        let e = Config::from_toml("[keys]\n\nquit = 3\n", Path::new("c.toml"), false)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:3: "), "{e}");
        assert!(e.contains("a key"), "{e}");
    }

    #[test]
    fn the_readme_documents_every_action_name() {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("### Key bindings file")
            .nth(1)
            .expect("a README section on the key bindings file");
        for a in Action::ALL {
            assert!(
                section.contains(&format!("`{}`", a.name())),
                "README does not document the action {}",
                a.name()
            );
        }
        assert!(section.contains("quit = [\"x\", \"ctrl-q\"]"));
    }

    #[test]
    fn remembering_changes_only_that_line() {
        let dir = std::env::temp_dir().join(format!("gatebench-remember-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("gatebench").join("config.toml");
        remember(&path, "theme", "light").unwrap();
        let c = Config::load(&path, false).unwrap();
        assert_eq!(c.theme.name(), "light");
        let text = "# mine\ntheme = \"dark\"   # the look\n\n[keys]\nquit = \"x\" # short\n";
        std::fs::write(&path, text).unwrap();
        remember(&path, "theme", "high-contrast").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text.replace("\"dark\"", "\"high-contrast\"")
        );
        let text = "# no theme yet\n[keys]\nquit = \"x\"\n";
        std::fs::write(&path, text).unwrap();
        remember(&path, "theme", "light").unwrap();
        let c = Config::load(&path, false).unwrap();
        assert_eq!(c.theme.name(), "light");
        assert_eq!(
            c.keymap.keys(Layer::Normal, Action::Quit).as_deref(),
            Some("x")
        );
        std::fs::write(&path, "theme = [\n").unwrap();
        let e = remember(&path, "theme", "light").unwrap_err();
        assert!(e.contains("not changed"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "theme = [\n");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_file_is_fine() {
        let c = Config::load(Path::new("/nonexistent/gatebench/config.toml"), true).unwrap();
        assert!(c.theme.no_color());
    }
}
