//! The colour theme as data: a semantic palette read from a theme file in `themes/` (what a
//! colour *means*: focus, error, status 2xx, JSON key...), the syntax theme it names, and
//! whether colour is off (`NO_COLOR`). The model keeps the current [`Theme`] (the theme key
//! cycles it); how a meaning becomes a style is the view's business (`ui/style.rs`).

use ratatui::style::Color;
use serde::Deserialize;

/// The built-in semantic themes (`themes/*.toml`), in [`THEME_NAMES`] order.
const BUILTIN: [&str; 3] = [
    include_str!("../../themes/dark.toml"),
    include_str!("../../themes/light.toml"),
    include_str!("../../themes/high-contrast.toml"),
];

/// The built-in syntax themes by file name (a theme's `syntax` field names one).
const TM_THEMES: [(&str, &str); 3] = [
    ("dark.tmTheme", include_str!("../../themes/dark.tmTheme")),
    ("light.tmTheme", include_str!("../../themes/light.tmTheme")),
    (
        "high-contrast.tmTheme",
        include_str!("../../themes/high-contrast.tmTheme"),
    ),
];

/// Names of the built-in themes, in the order the theme key cycles them.
pub const THEME_NAMES: [&str; 3] = ["dark", "light", "high-contrast"];

/// Why a theme could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    /// The theme file is not valid TOML or has unknown or missing fields.
    #[error("theme {name}: {message}")]
    Invalid {
        /// Theme name or file.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// No such built-in theme.
    #[error("unknown theme {0:?} (built-in themes: dark, light, high-contrast)")]
    Unknown(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    syntax: String,
    colors: ColorsFile,
}

fn reset() -> String {
    "reset".to_string()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColorsFile {
    /// The panels' background, under `text` (default: the terminal's own).
    #[serde(default = "reset")]
    background: String,
    text: String,
    muted: String,
    border: String,
    focus: String,
    accent: String,
    error: String,
    warning: String,
    success: String,
    selection: String,
    cursor_line: String,
    status_2xx: String,
    status_4xx: String,
    status_5xx: String,
    stage_active_fg: String,
    stage_active_bg: String,
    stage_involved: String,
    json_key: String,
    json_string: String,
    json_number: String,
    json_literal: String,
    json_punct: String,
}

/// The semantic palette of a theme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Palette {
    /// Behind everything drawn (`Reset`: the terminal's background); `text` is its pair.
    pub(crate) background: Color,
    pub(crate) text: Color,
    pub(crate) muted: Color,
    pub(crate) border: Color,
    pub(crate) focus: Color,
    pub(crate) accent: Color,
    pub(crate) error: Color,
    pub(crate) warning: Color,
    pub(crate) success: Color,
    pub(crate) selection: Color,
    pub(crate) cursor_line: Color,
    pub(crate) status_2xx: Color,
    pub(crate) status_4xx: Color,
    pub(crate) status_5xx: Color,
    pub(crate) stage_active_fg: Color,
    pub(crate) stage_active_bg: Color,
    pub(crate) stage_involved: Color,
    pub(crate) json_key: Color,
    pub(crate) json_string: Color,
    pub(crate) json_number: Color,
    pub(crate) json_literal: Color,
    pub(crate) json_punct: Color,
}

/// A theme: a name, its palette, the syntax theme it names, and whether colour is off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    name: String,
    syntax: String,
    pub(crate) palette: Palette,
    no_color: bool,
}

fn color(name: &str, field: &str, value: &str) -> Result<Color, ThemeError> {
    value.parse::<Color>().map_err(|_| ThemeError::Invalid {
        name: name.to_string(),
        message: format!(
            "colors.{field}: {value:?} is not a colour (use \"#rrggbb\", a name or 0-255)"
        ),
    })
}

impl Theme {
    /// Parse a theme file (the format of `themes/*.toml`).
    pub fn from_toml(text: &str, no_color: bool) -> Result<Theme, ThemeError> {
        let f: ThemeFile = toml::from_str(text).map_err(|e| ThemeError::Invalid {
            name: "theme file".to_string(),
            message: e.message().to_string(),
        })?;
        let n = f.name.as_str();
        let c = &f.colors;
        let palette = Palette {
            background: color(n, "background", &c.background)?,
            text: color(n, "text", &c.text)?,
            muted: color(n, "muted", &c.muted)?,
            border: color(n, "border", &c.border)?,
            focus: color(n, "focus", &c.focus)?,
            accent: color(n, "accent", &c.accent)?,
            error: color(n, "error", &c.error)?,
            warning: color(n, "warning", &c.warning)?,
            success: color(n, "success", &c.success)?,
            selection: color(n, "selection", &c.selection)?,
            cursor_line: color(n, "cursor_line", &c.cursor_line)?,
            status_2xx: color(n, "status_2xx", &c.status_2xx)?,
            status_4xx: color(n, "status_4xx", &c.status_4xx)?,
            status_5xx: color(n, "status_5xx", &c.status_5xx)?,
            stage_active_fg: color(n, "stage_active_fg", &c.stage_active_fg)?,
            stage_active_bg: color(n, "stage_active_bg", &c.stage_active_bg)?,
            stage_involved: color(n, "stage_involved", &c.stage_involved)?,
            json_key: color(n, "json_key", &c.json_key)?,
            json_string: color(n, "json_string", &c.json_string)?,
            json_number: color(n, "json_number", &c.json_number)?,
            json_literal: color(n, "json_literal", &c.json_literal)?,
            json_punct: color(n, "json_punct", &c.json_punct)?,
        };
        Ok(Theme {
            name: f.name,
            syntax: f.syntax,
            palette,
            no_color,
        })
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str, no_color: bool) -> Result<Theme, ThemeError> {
        let i = THEME_NAMES
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| ThemeError::Unknown(name.to_string()))?;
        Theme::from_toml(BUILTIN[i], no_color)
    }

    /// The default dark theme. The built-in themes are covered by tests, so this cannot fail;
    /// should it ever, a theme with terminal-default colours is used instead of panicking.
    pub fn default_dark(no_color: bool) -> Theme {
        Theme::builtin("dark", no_color).unwrap_or_else(|_| Theme::fallback(no_color))
    }

    fn fallback(no_color: bool) -> Theme {
        let r = Color::Reset;
        Theme {
            name: "dark".into(),
            syntax: String::new(),
            palette: Palette {
                background: r,
                text: r,
                muted: Color::DarkGray,
                border: r,
                focus: Color::Cyan,
                accent: Color::Magenta,
                error: Color::Red,
                warning: Color::Yellow,
                success: Color::Green,
                selection: Color::Blue,
                cursor_line: r,
                status_2xx: Color::Green,
                status_4xx: Color::Yellow,
                status_5xx: Color::Red,
                stage_active_fg: Color::Black,
                stage_active_bg: Color::Cyan,
                stage_involved: Color::Yellow,
                json_key: Color::Cyan,
                json_string: Color::Green,
                json_number: Color::Yellow,
                json_literal: Color::Magenta,
                json_punct: r,
            },
            no_color,
        }
    }

    /// The theme's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether colour is switched off (`NO_COLOR`).
    pub fn no_color(&self) -> bool {
        self.no_color
    }

    /// The `.tmTheme` text for syntax colours, or `None` when colour is off.
    pub fn syntax_theme_source(&self) -> Option<&'static str> {
        if self.no_color {
            return None;
        }
        TM_THEMES
            .iter()
            .find(|(file, _)| *file == self.syntax)
            .map(|(_, source)| *source)
    }

    /// The next built-in theme (for the theme key).
    #[must_use]
    pub fn next(&self) -> Theme {
        let i = THEME_NAMES
            .iter()
            .position(|n| *n == self.name)
            .map_or(0, |i| (i + 1) % THEME_NAMES.len());
        Theme::builtin(THEME_NAMES[i], self.no_color)
            .unwrap_or_else(|_| Theme::fallback(self.no_color))
    }
}

/// Whether the `NO_COLOR` convention asks for no colour (set and not empty).
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
