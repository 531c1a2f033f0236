//! Wrapping long lines, or not: panes that show text (Request, Rendered, Backend, Client
//! response, Log) wrap their long lines, and the wrap key turns that off for the focused pane
//! (remembered per pane while the workbench runs); an unwrapped pane scrolls sideways with the
//! left and right keys, and its title says `nowrap`. The Integration pane's prose always
//! wraps at spaces, and the Template pane is an editor that follows its cursor sideways.

use crate::app::view_model::wrap::char_width;
use crate::app::{Action, App, Effect, Pane, StatusKind};

/// Columns moved by one press of the left or right key.
const STEP: usize = 8;

/// Whether the wrap key applies to `pane`.
pub fn toggles_wrap(pane: Pane) -> bool {
    matches!(
        pane,
        Pane::Request | Pane::Rendered | Pane::Backend | Pane::Response | Pane::Log
    )
}

impl App {
    /// Whether `pane` wraps its long lines (the default).
    pub fn wraps(&self, pane: Pane) -> bool {
        !self.chrome.nowrap[pane.index()]
    }

    /// How many columns of an unwrapped `pane` are scrolled out of view on the left.
    pub fn hscroll(&self, pane: Pane) -> usize {
        if self.wraps(pane) {
            0
        } else {
            self.chrome.hscroll[pane.index()]
        }
    }

    /// The wrap key: wrap the focused pane's long lines, or stop wrapping them.
    pub(super) fn toggle_wrap(&mut self) -> Vec<Effect> {
        let pane = self.chrome.focus;
        if !toggles_wrap(pane) {
            let why = if pane == Pane::Integration {
                "The Integration pane always wraps its text"
            } else {
                "The Template pane is an editor: it scrolls sideways with its cursor"
            };
            self.set_status(StatusKind::Info, why);
            return Vec::new();
        }
        let i = pane.index();
        self.chrome.nowrap[i] = !self.chrome.nowrap[i];
        self.chrome.hscroll[i] = 0;
        // The vertical offset counts lines either way: it only has to stay in bounds.
        self.chrome.scroll[i] = self.chrome.scroll[i].min(self.max_scroll(pane));
        let text = if self.wraps(pane) {
            format!("{}: long lines wrap", pane.title())
        } else {
            let keys = [Action::ScrollLeft, Action::ScrollRight]
                .map(|a| {
                    self.chrome
                        .keymap
                        .first_key(crate::app::keymap::Layer::Normal, a)
                        .unwrap_or_default()
                })
                .join("/");
            format!(
                "{}: long lines are not wrapped ({keys} scroll sideways)",
                pane.title()
            )
        };
        self.set_status(StatusKind::Info, text);
        Vec::new()
    }

    /// The left or right key: scroll the focused pane sideways when it does not wrap.
    pub(super) fn scroll_sideways(&mut self, right: bool) -> Vec<Effect> {
        let pane = self.chrome.focus;
        if !toggles_wrap(pane) {
            return Vec::new();
        }
        if self.wraps(pane) {
            let key = self
                .chrome
                .keymap
                .first_key(crate::app::keymap::Layer::Normal, Action::ToggleWrap)
                .unwrap_or_default();
            self.set_status(
                StatusKind::Info,
                format!(
                    "{} wraps its lines: {key} stops wrapping, to scroll sideways",
                    pane.title()
                ),
            );
            return Vec::new();
        }
        let max = self.max_hscroll(pane);
        let h = &mut self.chrome.hscroll[pane.index()];
        *h = if right {
            (*h + STEP).min(max)
        } else {
            h.saturating_sub(STEP)
        };
        Vec::new()
    }

    /// The width the last frame gave `pane`'s text (80 before any frame).
    fn text_width(&self, pane: Pane) -> usize {
        self.chrome
            .areas
            .pane(pane)
            .map_or(80, |a| usize::from(a.rect.width.saturating_sub(2)).max(1))
    }

    /// The farthest an unwrapped pane scrolls sideways: its longest line's end at the right
    /// edge.
    fn max_hscroll(&self, pane: Pane) -> usize {
        let Some(text) = self.pane_text(pane) else {
            return 0;
        };
        let widest = text
            .lines_from(0)
            .map(|l| l.text.chars().map(char_width).sum::<usize>())
            .max()
            .unwrap_or(0);
        // The Request pane's line numbers take room of their own.
        let gutter = if pane == Pane::Request {
            text.len().max(1).to_string().len() + 2
        } else {
            0
        };
        (widest + gutter).saturating_sub(self.text_width(pane))
    }

    /// Scroll an unwrapped pane sideways so that columns `start..end` of a line are in view
    /// (a search match).
    pub(super) fn reveal_columns(&mut self, pane: Pane, start: usize, end: usize) {
        if self.wraps(pane) {
            return;
        }
        let width = self.text_width(pane);
        let h = &mut self.chrome.hscroll[pane.index()];
        if start < *h || end > *h + width {
            *h = start.saturating_sub(width / 4);
        }
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;
    use ratatui::layout::Rect;

    use crate::app::test_support::{app, drawn, key, typed};
    use crate::app::views::{TraceOutcome, TraceView};
    use crate::app::{Msg, Pane, update};
    use crate::gateway::trace::Trace;

    /// An app whose Log pane (30 columns of text, 5 rows) shows a trace with a long line.
    fn with_a_long_log_line() -> crate::app::App {
        let mut a = app();
        drawn(&mut a, &[(Pane::Log, Rect::new(0, 0, 32, 7))]);
        let trace = Trace {
            log: vec![
                "short".to_string(),
                format!("{} the cause: Connection refused", "x".repeat(60)),
            ],
            ..Trace::default()
        };
        update(
            &mut a,
            Msg::Traced(TraceOutcome {
                generation: 0,
                result: Ok(Box::new(TraceView::new(trace))),
            }),
        );
        a.chrome.focus = Pane::Log;
        a
    }

    fn status(a: &crate::app::App) -> String {
        a.status().map(|s| s.text.clone()).unwrap_or_default()
    }

    #[test]
    fn w_turns_wrapping_off_for_the_focused_pane_only_and_back() {
        let mut a = with_a_long_log_line();
        assert!(a.wraps(Pane::Log));
        key(&mut a, KeyCode::Char('w'));
        assert!(!a.wraps(Pane::Log));
        assert!(a.wraps(Pane::Backend), "one pane at a time");
        assert_eq!(
            status(&a),
            "Log: long lines are not wrapped (←/→ scroll sideways)"
        );
        // Remembered when focus goes elsewhere and comes back.
        a.chrome.focus = Pane::Backend;
        key(&mut a, KeyCode::Char('w'));
        assert!(!a.wraps(Pane::Backend));
        a.chrome.focus = Pane::Log;
        assert!(!a.wraps(Pane::Log));
        key(&mut a, KeyCode::Char('w'));
        assert!(a.wraps(Pane::Log));
        assert_eq!(status(&a), "Log: long lines wrap");
        // The Integration pane and the template editor say why not.
        a.chrome.focus = Pane::Integration;
        key(&mut a, KeyCode::Char('w'));
        assert!(a.wraps(Pane::Integration));
        assert!(status(&a).contains("always wraps"), "{}", status(&a));
    }

    #[test]
    fn left_and_right_scroll_an_unwrapped_pane_within_its_longest_line() {
        let mut a = with_a_long_log_line();
        // Wrapped: nothing to scroll sideways, and the status says how.
        key(&mut a, KeyCode::Right);
        assert_eq!(a.hscroll(Pane::Log), 0);
        assert!(status(&a).contains("w stops wrapping"), "{}", status(&a));
        key(&mut a, KeyCode::Char('w'));
        key(&mut a, KeyCode::Right);
        assert_eq!(a.hscroll(Pane::Log), 8);
        for _ in 0..20 {
            key(&mut a, KeyCode::Right);
        }
        // The longest line is 90 columns; 30 are shown.
        assert_eq!(a.hscroll(Pane::Log), 60);
        key(&mut a, KeyCode::Left);
        assert_eq!(a.hscroll(Pane::Log), 52);
        // Wrapping again forgets the sideways scroll.
        key(&mut a, KeyCode::Char('w'));
        assert_eq!(a.hscroll(Pane::Log), 0);
    }

    #[test]
    fn a_search_scrolls_an_unwrapped_pane_sideways_to_the_match() {
        let mut a = with_a_long_log_line();
        key(&mut a, KeyCode::Char('w'));
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "refused");
        key(&mut a, KeyCode::Enter);
        let h = a.hscroll(Pane::Log);
        // "refused" spans columns 83..90: in view, within 30 columns from `h`.
        assert!(h <= 83 && 90 <= h + 30, "{h}");
    }
}
