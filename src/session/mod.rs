//! Session files: a versioned TOML document holding an API fragment (in API Gateway's own
//! field names), saved requests, the backend choice and an explanation for learners.
//! Loading reports `file:line: message`; saving is atomic (temp file + rename, see
//! [`file`]). [`run`] turns a saved request into the gateway's client request and runs it
//! through the session's API and backend ([`run_session`]). The backend choice's type,
//! [`BackendConfig`](crate::backend::BackendConfig), is owned by `backend`.

pub mod compare;
pub mod file;
pub mod locate;
pub mod preserve;
pub mod run;
pub mod strings;
pub mod token;
mod validate;

use std::path::{Path, PathBuf};

pub use file::{write_atomic, write_new};
pub use run::{client_request, run_session, run_session_with};
pub use validate::backend_keys;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::backend::BackendConfig;
use crate::gateway::api::Api;

/// The session format version this build reads and writes.
pub const VERSION: u32 = 1;

/// The built-in default session (offline: a MOCK integration with templates).
pub const DEFAULT_SESSION: &str = include_str!("../../sessions/mock.toml");

/// A workbench session.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Format version (must be 1).
    pub version: u32,
    /// Display name.
    pub name: String,
    /// What the session teaches or demonstrates (shown in the workbench).
    #[serde(default)]
    pub explanation: String,
    /// The address listen mode serves on (`listen = "127.0.0.1:4000"`; the workbench's
    /// `--listen` flag wins over it; default 127.0.0.1:8080).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<std::net::SocketAddr>,
    /// The API fragment.
    pub api: Api,
    /// `$context` values to use (request id, identity, ...); defaults are filled in.
    #[serde(default)]
    pub context: Option<toml::Table>,
    /// Values for `${Name}` references left in integration URIs (an imported CloudFormation
    /// or SAM template's parameters, `!Ref`, `!GetAtt`, pseudo parameters such as
    /// `AWS::Region`). The URIs stay as written; runs substitute these.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub values: IndexMap<String, String>,
    /// Saved requests; the first is used by default.
    #[serde(default)]
    pub requests: Vec<SavedRequest>,
    /// Which backend answers the integration.
    #[serde(default)]
    pub backend: BackendConfig,
    /// The file the session was loaded from (not saved in it).
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// The fingerprint of that file as it was read, to notice a change on disk before a
    /// save replaces it (not saved in it).
    #[serde(skip)]
    pub stamp: Option<file::Stamp>,
}

/// A client request saved in a session (same shape as a pipeline case's `request`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SavedRequest {
    /// A name for the request.
    #[serde(default)]
    pub name: String,
    /// HTTP method.
    pub method: String,
    /// Full URL path, with the stage prefix when the API has a stage.
    pub path: String,
    /// Raw query string, percent-encoded as a client sends it (no `?`).
    #[serde(default)]
    pub raw_query: String,
    /// Headers as `[name, value]` pairs, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Text body.
    #[serde(default)]
    pub body: Option<String>,
    /// Binary body, base64.
    #[serde(default)]
    pub body_base64: Option<String>,
}

/// Why a session could not be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The TOML is invalid or does not match the format.
    #[error("{path}:{line}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

impl Session {
    /// Parse a session from TOML text; `path` is used in error messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Session, SessionError> {
        let invalid = |line: usize, message: String| SessionError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        };
        let session: Session = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            });
            invalid(line, e.message().trim().to_string())
        })?;
        if session.version != VERSION {
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with("version"))
                .map_or(1, |i| i + 1);
            return Err(invalid(
                line,
                format!(
                    "unsupported session version {} (this gatebench reads version {VERSION})",
                    session.version
                ),
            ));
        }
        validate::validate(&session, text).map_err(|r| invalid(r.line, r.message))?;
        Ok(session)
    }

    /// Load a session file.
    pub fn load(path: &Path) -> Result<Session, SessionError> {
        let text = file::read_text(path).map_err(|source| SessionError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut s = Session::from_toml(&text, path)?;
        s.source = Some(path.to_path_buf());
        s.stamp = Some(file::Stamp::of(text.as_bytes()));
        Ok(s)
    }

    /// The folder of the session file, if it came from one.
    pub fn dir(&self) -> Option<&Path> {
        self.source.as_deref().and_then(Path::parent)
    }

    /// The API as runs see it: CloudFormation's `${Name}` placeholders an import kept (in
    /// integration URIs, mapping templates, parameter mappings and the stage name) replaced by
    /// [`Session::values`] (stage variables are left to the gateway). In a mapping template,
    /// only names listed in `[values]` are replaced (`${name}` is also Velocity's syntax); one
    /// listed without a value becomes `${Name::set-under-values}`, which the template cannot
    /// parse, so the run stops with a 500 naming it (as CloudFormation would not deploy it).
    ///
    /// A user pool's `jwks` file (relative to the session file) is read here, for each run,
    /// so an edited key file counts at once; a file that cannot be read is kept as the
    /// reason, which the authorizer reports.
    pub fn api_for_run(&self) -> std::borrow::Cow<'_, Api> {
        let api = self.api_with_values();
        if !self
            .api
            .user_pools
            .iter()
            .any(|p| p.jwks.is_some() && p.jwks_json.is_none())
        {
            return api;
        }
        let mut api = api.into_owned();
        for pool in &mut api.user_pools {
            if let (Some(path), None) = (&pool.jwks, &pool.jwks_json) {
                let full = self
                    .dir()
                    .map_or_else(|| Path::new(path).to_path_buf(), |d| d.join(path));
                pool.jwks_loaded =
                    Some(std::fs::read_to_string(&full).map_err(|e| {
                        format!("the JWKS file {} cannot be read: {e}", full.display())
                    }));
            }
        }
        std::borrow::Cow::Owned(api)
    }

    fn api_with_values(&self) -> std::borrow::Cow<'_, Api> {
        if self.values.is_empty() {
            return std::borrow::Cow::Borrowed(&self.api);
        }
        let needles: Vec<String> = self.values.keys().map(|k| format!("${{{k}}}")).collect();
        let uses = |t: &str| t.contains("${") && needles.iter().any(|n| t.contains(n.as_str()));
        let mut api = self.api.clone();
        let mut changed = false;
        let mut fill = |text: &mut String, template: bool| {
            if !uses(text) {
                return;
            }
            changed = true;
            *text = crate::gateway::substitute_values(text, &self.values);
            if template {
                for (k, v) in &self.values {
                    if v.is_empty() {
                        *text = text
                            .replace(&format!("${{{k}}}"), &format!("${{{k}::set-under-values}}"));
                    }
                }
            }
        };
        if let Some(stage) = &mut api.stage {
            fill(stage, false);
        }
        for m in api
            .resources
            .iter_mut()
            .flat_map(|r| r.methods.values_mut())
        {
            let i = &mut m.integration;
            if let Some(uri) = &mut i.uri {
                fill(uri, false);
            }
            for t in i.request_templates.values_mut() {
                fill(t, true);
            }
            for p in i.request_parameters.values_mut() {
                fill(p, false);
            }
            for r in i.integration_responses.values_mut() {
                for t in r.response_templates.values_mut() {
                    fill(t, true);
                }
                for p in r.response_parameters.values_mut() {
                    fill(p, false);
                }
            }
        }
        for a in api.authorizers.values_mut() {
            if let Some(uri) = &mut a.authorizer_uri {
                fill(uri, false);
            }
            for arn in &mut a.provider_arns {
                fill(arn, false);
            }
        }
        for pool in &mut api.user_pools {
            fill(&mut pool.arn, false);
        }
        if changed {
            std::borrow::Cow::Owned(api)
        } else {
            std::borrow::Cow::Borrowed(&self.api)
        }
    }

    /// The built-in default session.
    pub fn builtin_default() -> Session {
        // The built-in session is part of the binary and covered by tests.
        Session::from_toml(DEFAULT_SESSION, Path::new("<built-in default session>"))
            .unwrap_or_else(|e| panic!("the built-in default session is invalid: {e}"))
    }

    /// Serialise to TOML.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }

    /// Serialise to TOML as an edit of `old`, the text of the file being saved over: its
    /// comments, key order, inline tables and quoting stay where the values did not change
    /// (see [`preserve`]). The edit is used only when it reads back as this very session;
    /// otherwise (or without `old`) this is [`Session::to_toml`].
    pub fn to_toml_over(&self, old: Option<&str>) -> Result<String, toml::ser::Error> {
        let fresh = self.to_toml()?;
        let holds_this = |text: &str| {
            toml::from_str::<Session>(text).is_ok_and(|back| {
                back.version == self.version
                    && back.name == self.name
                    && back.explanation == self.explanation
                    && back.listen == self.listen
                    && back.api == self.api
                    && back.context == self.context
                    && back.values == self.values
                    && back.requests == self.requests
                    && back.backend == self.backend
            })
        };
        Ok(old
            .and_then(|old| preserve::merge(old, &fresh, holds_this))
            .unwrap_or(fresh))
    }

    /// Save atomically: write a temporary file beside the target, flush it, then rename it
    /// over the target, so a crash never leaves a half-written session.
    pub fn save_atomic(&self, path: &Path) -> Result<(), SessionError> {
        let old = file::read_text(path).ok();
        let text = self
            .to_toml_over(old.as_deref())
            .map_err(|e| SessionError::Invalid {
                path: path.to_path_buf(),
                line: 1,
                message: e.to_string(),
            })?;
        write_atomic(path, text.as_bytes()).map_err(|source| SessionError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Why a checked save did not write.
#[derive(Debug)]
pub enum SaveError {
    /// The file on disk is not the one the save expected (changed since it was read, or
    /// created meanwhile): both texts, for showing what differs.
    Changed {
        /// The file's text now.
        disk: String,
        /// What the save would write.
        ours: String,
    },
    /// Writing failed.
    Failed(SessionError),
}

impl Session {
    /// Save over `path` atomically, unless the file there is not the one expected: `expect`
    /// is the fingerprint of the file as last read or written (`None`: no file expected).
    /// A file that changed since, or appeared meanwhile, is left alone (`SaveError::Changed`)
    /// unless `force`. A file deleted meanwhile is written again. Returns the fingerprint of
    /// what was written.
    pub fn save_checked(
        &self,
        path: &Path,
        expect: Option<file::Stamp>,
        force: bool,
    ) -> Result<file::Stamp, SaveError> {
        let io = |source| {
            SaveError::Failed(SessionError::Io {
                path: path.to_path_buf(),
                source,
            })
        };
        let disk = match file::read_text(path) {
            Ok(disk) => Some(disk),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) if force => {
                tracing::debug!("saving over {} unread: {e}", path.display());
                None
            }
            Err(e) => return Err(io(e)),
        };
        // The file's own layout is kept (comments, order, quoting) where values are unchanged.
        let ours = self.to_toml_over(disk.as_deref()).map_err(|e| {
            SaveError::Failed(SessionError::Invalid {
                path: path.to_path_buf(),
                line: 1,
                message: e.to_string(),
            })
        })?;
        if !force
            && let Some(disk) = disk
            && Some(file::Stamp::of(disk.as_bytes())) != expect
        {
            return Err(SaveError::Changed { disk, ours });
        }
        write_atomic(path, ours.as_bytes()).map_err(io)?;
        Ok(file::Stamp::of(ours.as_bytes()))
    }
}

/// A file-name stem for a session name: lower-case ASCII letters and digits, other runs of
/// characters as one `-` (`"Pet Store (v2)"` -> `pet-store-v2`); `session` when nothing is
/// left.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    // Long names make unwieldy file names.
    out.truncate(60);
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "session".to_string()
    } else {
        out
    }
}

impl Session {
    /// Save atomically as a new file in `dir` (created when missing), named `STEM.toml`, or
    /// `STEM-2.toml`, `STEM-3.toml`, ... when taken: an existing file is never replaced, even
    /// one created meanwhile by another program. Returns the file written.
    pub fn save_new(&self, dir: &Path, stem: &str) -> Result<PathBuf, SessionError> {
        let io = |path: &Path, source| SessionError::Io {
            path: path.to_path_buf(),
            source,
        };
        let text = self.to_toml().map_err(|e| SessionError::Invalid {
            path: dir.join(format!("{stem}.toml")),
            line: 1,
            message: e.to_string(),
        })?;
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        for n in 1..1000 {
            let path = if n == 1 {
                dir.join(format!("{stem}.toml"))
            } else {
                dir.join(format!("{stem}-{n}.toml"))
            };
            match write_new(&path, text.as_bytes()) {
                Ok(()) => return Ok(path),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(io(&path, e)),
            }
        }
        Err(io(
            dir,
            std::io::Error::other(format!("no free file name for {stem}.toml")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_default_loads_and_round_trips() {
        let s = Session::builtin_default();
        assert!(!s.requests.is_empty());
        let text = s.to_toml().unwrap();
        let back = Session::from_toml(&text, Path::new("x.toml")).unwrap();
        assert_eq!(s, back);
    }

    #[test]
    fn errors_name_file_and_line() {
        let text = "version = 1\nname = \"x\"\n\n[api]\nresources = []\nbogus = 1\n";
        let e = Session::from_toml(text, Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.toml:6: "), "{e}");
        assert!(e.contains("bogus"), "{e}");
        let e = Session::from_toml("version = 2\nname = \"x\"\n[api]\n", Path::new("s.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("s.toml:1: unsupported session version 2"),
            "{e}"
        );
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Pet Store (v2)"), "pet-store-v2");
        assert_eq!(slug("  --PetStore--  "), "petstore");
        assert_eq!(slug("ÄÖ"), "session");
        assert_eq!(slug(&"a".repeat(100)).len(), 60);
    }

    #[test]
    fn save_new_never_replaces_a_file() {
        let dir = std::env::temp_dir().join(format!("gatebench-save-new-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let s = Session::builtin_default();
        let first = s.save_new(&dir, "pets").unwrap();
        assert_eq!(first, dir.join("pets.toml"));
        std::fs::write(dir.join("pets-2.toml"), "mine").unwrap();
        let second = s.save_new(&dir, "pets").unwrap();
        assert_eq!(second, dir.join("pets-3.toml"));
        assert_eq!(
            std::fs::read_to_string(dir.join("pets-2.toml")).unwrap(),
            "mine"
        );
        let mut back = Session::load(&second).unwrap();
        back.source = None;
        back.stamp = None;
        assert_eq!(back, s);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "no temporary files left: {names:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn checked_saves_leave_a_file_changed_on_disk_alone() {
        let dir = std::env::temp_dir().join(format!("gatebench-checked-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("s.toml");
        Session::builtin_default().save_atomic(&p).unwrap();
        let mut s = Session::load(&p).unwrap();
        s.name = "edited".into();
        // Unchanged on disk: saved, and the new fingerprint is what a later save expects.
        let stamp = s.save_checked(&p, s.stamp, false).unwrap();
        s.name = "edited again".into();
        // Another program writes the file meanwhile.
        std::fs::write(&p, "# theirs\n").unwrap();
        match s.save_checked(&p, Some(stamp), false) {
            Err(SaveError::Changed { disk, ours }) => {
                assert_eq!(disk, "# theirs\n");
                assert!(ours.contains("edited again"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "# theirs\n");
        // No file expected, one there: left alone too; `force` replaces it.
        assert!(matches!(
            s.save_checked(&p, None, false),
            Err(SaveError::Changed { .. })
        ));
        s.save_checked(&p, Some(stamp), true).unwrap();
        assert_eq!(Session::load(&p).unwrap().name, "edited again");
        // A file deleted meanwhile is written again.
        std::fs::remove_file(&p).unwrap();
        s.save_checked(&p, Some(stamp), false).unwrap();
        assert!(p.exists());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn save_is_atomic_and_readable() {
        let dir = std::env::temp_dir().join(format!("gatebench-session-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("s.toml");
        let s = Session::builtin_default();
        s.save_atomic(&p).unwrap();
        let mut back = Session::load(&p).unwrap();
        assert_eq!(back.source.as_deref(), Some(p.as_path()));
        back.source = None;
        back.stamp = None;
        assert_eq!(back, s);
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
    }
}

#[cfg(test)]
mod shipped_tests {
    use crate::gateway::settings::{Severity, check_api, check_method};

    /// Every session shipped in `sessions/` passes the gateway's settings checks.
    #[test]
    fn the_shipped_sessions_pass() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let s = super::Session::load(&path).unwrap();
            assert_eq!(check_api(&s.api), [], "{}", path.display());
            for r in &s.api.resources {
                for (verb, m) in &r.methods {
                    seen += 1;
                    let f: Vec<_> = check_method(m)
                        .into_iter()
                        .filter(|f| f.severity == Severity::Refused)
                        .map(|f| (f.path, f.message))
                        .collect();
                    assert!(f.is_empty(), "{} {verb} {}: {f:?}", path.display(), r.path);
                }
            }
        }
        assert!(seen >= 6, "{seen}");
    }
}
