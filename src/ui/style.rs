//! Every colour the workbench draws comes from here: panes ask the [`Theme`] (the model's
//! data, `app/theme.rs`) for styles by meaning. With `NO_COLOR` set, the styles carry
//! modifiers only (bold, reversed, underline), so focus and errors stay visible without colour.

use ratatui::style::{Color, Modifier, Style};

pub use crate::app::theme::{THEME_NAMES, Theme, ThemeError, no_color_from_env};
use crate::app::view_model::Tok;

impl Theme {
    /// Give every cell the theme's background and, where nothing chose one, its text colour,
    /// after the frame is drawn (themes with their own background, such as light, stay
    /// readable on a terminal of the opposite shade; `Clear`ed overlays included).
    pub fn paint_background(&self, buf: &mut ratatui::buffer::Buffer) {
        let (bg, fg) = (self.palette.background, self.palette.text);
        if self.no_color() || bg == Color::Reset {
            return;
        }
        for cell in &mut buf.content {
            if cell.bg == Color::Reset {
                cell.bg = bg;
            }
            if cell.fg == Color::Reset {
                cell.fg = fg;
            }
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.no_color() {
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
        if self.no_color() {
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
        if self.no_color() {
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
        if self.no_color() {
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
        if self.no_color() || self.palette.cursor_line == Color::Reset {
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
        if self.no_color() {
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
            Tok::Muted => self.muted(),
            Tok::Accent => self.key_hint(),
            Tok::Warning => self.warning(),
            Tok::Error => self.error(),
            Tok::Title => self.title(true),
            Tok::Status(code) => self.status(code),
        }
    }

    /// A search match in a pane; the current one stands out (bold, and in colour as the
    /// current stage is; reversed without colour). Underlined either way, so a match never
    /// depends on colour alone.
    pub fn search_match(&self, current: bool) -> Style {
        match (self.no_color(), current) {
            (true, false) => Style::default().add_modifier(Modifier::UNDERLINED),
            (true, true) => Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            (false, false) => Style::default()
                .bg(self.palette.selection)
                .add_modifier(Modifier::UNDERLINED),
            (false, true) => Style::default()
                .fg(self.palette.stage_active_fg)
                .bg(self.palette.stage_active_bg)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        }
    }
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
    fn light_sets_a_background_under_every_cell() {
        use ratatui::buffer::Buffer;
        use ratatui::layout::Rect;
        let light = Theme::builtin("light", false).unwrap();
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 2));
        buf[(1, 0)].set_fg(Color::Red);
        light.paint_background(&mut buf);
        assert!(buf.content.iter().all(|c| c.bg != Color::Reset));
        assert!(buf.content.iter().all(|c| c.fg != Color::Reset));
        assert_eq!(buf[(1, 0)].fg, Color::Red, "a chosen colour stays");
        assert_ne!(light.palette.background, light.palette.text);
        // The dark theme keeps the terminal's background.
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 2));
        Theme::builtin("dark", false)
            .unwrap()
            .paint_background(&mut buf);
        assert!(buf.content.iter().all(|c| c.bg == Color::Reset));
        let mut buf = Buffer::empty(Rect::new(0, 0, 4, 2));
        Theme::builtin("light", true)
            .unwrap()
            .paint_background(&mut buf);
        assert!(buf.content.iter().all(|c| c.bg == Color::Reset), "NO_COLOR");
    }

    #[test]
    fn themes_cycle() {
        let t = Theme::default_dark(false);
        assert_eq!(t.next().name(), "light");
        assert_eq!(t.next().next().name(), "high-contrast");
        assert_eq!(t.next().next().next().name(), "dark");
    }
}
