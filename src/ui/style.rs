//! Every colour the workbench draws comes from here. A [`Theme`] is read from a semantic theme
//! file in `themes/` (what a colour *means*: focus, error, status 2xx, JSON key...), and panes ask
//! for styles by meaning. With `NO_COLOR` set, the styles carry modifiers only (bold, reversed,
//! underline), so focus and errors stay visible without colour.

use ratatui::style::{Color, Modifier, Style};
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColorsFile {
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
struct Palette {
    text: Color,
    muted: Color,
    border: Color,
    focus: Color,
    accent: Color,
    error: Color,
    warning: Color,
    success: Color,
    selection: Color,
    cursor_line: Color,
    status_2xx: Color,
    status_4xx: Color,
    status_5xx: Color,
    stage_active_fg: Color,
    stage_active_bg: Color,
    stage_involved: Color,
    json_key: Color,
    json_string: Color,
    json_number: Color,
    json_literal: Color,
    json_punct: Color,
}

/// What a token of JSON (or of an HTTP message) is, for colouring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tok {
    /// An object key.
    Key,
    /// A string value.
    Str,
    /// A number.
    Num,
    /// `true`, `false`, `null`.
    Literal,
    /// Braces, brackets, commas and colons.
    Punct,
    /// A header name in an HTTP message.
    Header,
    /// A line added (what changed view).
    Added,
    /// A line removed.
    Removed,
    /// A line changed.
    Changed,
    /// Plain text.
    Plain,
}

/// A theme: a name, its palette, the syntax theme it names, and whether colour is off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    name: String,
    syntax: String,
    palette: Palette,
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

    fn fg(&self, c: Color) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    /// Ordinary text.
    pub fn text(&self) -> Style {
        self.fg(self.palette.text)
    }

    /// Secondary text: hints, explanations, placeholders.
    pub fn muted(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::DIM)
        } else {
            self.fg(self.palette.muted)
        }
    }

    /// A pane border; the focused pane's border is also thick (see panes), not only coloured.
    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.fg(self.palette.focus).add_modifier(Modifier::BOLD)
        } else {
            self.fg(self.palette.border)
        }
    }

    /// A pane title.
    pub fn title(&self, focused: bool) -> Style {
        if focused {
            self.fg(self.palette.focus).add_modifier(Modifier::BOLD)
        } else {
            self.text()
        }
    }

    /// A key in a hint ("i" in "i edit").
    pub fn key_hint(&self) -> Style {
        self.fg(self.palette.accent).add_modifier(Modifier::BOLD)
    }

    /// Errors (always bold, so they stand out without colour).
    pub fn error(&self) -> Style {
        self.fg(self.palette.error).add_modifier(Modifier::BOLD)
    }

    /// Warnings.
    pub fn warning(&self) -> Style {
        self.fg(self.palette.warning)
    }

    /// Success messages.
    pub fn success(&self) -> Style {
        self.fg(self.palette.success)
    }

    /// An HTTP status code, coloured by class.
    pub fn status(&self, code: u16) -> Style {
        let c = match code {
            200..=399 => self.palette.status_2xx,
            400..=499 => self.palette.status_4xx,
            _ => self.palette.status_5xx,
        };
        self.fg(c).add_modifier(Modifier::BOLD)
    }

    /// The current stage in the stage strip.
    pub fn stage_active(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        } else {
            Style::default()
                .fg(self.palette.stage_active_fg)
                .bg(self.palette.stage_active_bg)
                .add_modifier(Modifier::BOLD)
        }
    }

    /// A stage that is not current.
    pub fn stage_other(&self) -> Style {
        self.muted()
    }

    /// The border of a pane the current stage reads or writes.
    pub fn stage_involved(&self) -> Style {
        self.fg(self.palette.stage_involved)
    }

    /// Selected text in the editor.
    pub fn selection(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default().bg(self.palette.selection)
        }
    }

    /// The cursor cell in the editor.
    pub fn cursor(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    /// The line the editor cursor is on.
    pub fn cursor_line(&self) -> Style {
        if self.no_color || self.palette.cursor_line == Color::Reset {
            Style::default()
        } else {
            Style::default().bg(self.palette.cursor_line)
        }
    }

    /// Line numbers in the editor gutter.
    pub fn line_number(&self) -> Style {
        self.muted()
    }

    /// The spot of a template error in the editor.
    pub fn error_marker(&self) -> Style {
        if self.no_color {
            Style::default().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
        } else {
            Style::default()
                .fg(self.palette.error)
                .add_modifier(Modifier::UNDERLINED | Modifier::BOLD | Modifier::REVERSED)
        }
    }

    /// A token of JSON or of an HTTP message.
    pub fn token(&self, tok: Tok) -> Style {
        let p = &self.palette;
        match tok {
            Tok::Key => self.fg(p.json_key),
            Tok::Str => self.fg(p.json_string),
            Tok::Num => self.fg(p.json_number),
            Tok::Literal => self.fg(p.json_literal),
            Tok::Punct => self.fg(p.json_punct),
            Tok::Header => self.fg(p.json_key).add_modifier(Modifier::BOLD),
            Tok::Added => self.fg(p.success),
            Tok::Removed => self.fg(p.error),
            Tok::Changed => self.fg(p.warning),
            Tok::Plain => self.text(),
        }
    }
}

/// Whether the `NO_COLOR` convention asks for no colour (set and not empty).
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse_and_have_syntax() {
        for name in THEME_NAMES {
            let t = Theme::builtin(name, false).unwrap();
            assert_eq!(t.name(), name);
            assert!(t.syntax_theme_source().is_some(), "{name}");
        }
    }

    #[test]
    fn no_color_has_no_colours_but_keeps_signals() {
        let t = Theme::builtin("dark", true).unwrap();
        assert_eq!(t.text().fg, None);
        assert!(t.error().add_modifier.contains(Modifier::BOLD));
        assert!(t.stage_active().add_modifier.contains(Modifier::REVERSED));
        assert!(t.syntax_theme_source().is_none());
    }

    #[test]
    fn bad_colour_names_the_field() {
        let text = include_str!("../../themes/dark.toml").replace("#bf616a", "not-a-colour");
        let e = Theme::from_toml(&text, false).unwrap_err().to_string();
        assert!(e.contains("colors.error"), "{e}");
    }

    #[test]
    fn themes_cycle() {
        let t = Theme::default_dark(false);
        assert_eq!(t.next().name(), "light");
        assert_eq!(t.next().next().name(), "high-contrast");
        assert_eq!(t.next().next().next().name(), "dark");
    }
}
