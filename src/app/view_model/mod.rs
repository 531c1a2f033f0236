//! View-model types: what the model precomputes for drawing and what the last drawing
//! recorded. `app` owns them so that it never imports `ui`; `ui` reads them.
//!
//! - [`body`]: display-ready bodies and HTTP messages ([`body::StyledText`], [`body::JsonStatus`]).
//! - [`pane_text`]: the text of the panes composed from the model (Integration, Backend), which
//!   the view draws and the search searches.
//! - [`wrap`]: word wrapping into rows, counted the same by the view and the model.
//! - [`Tok`]: what a token is, for colouring (the view maps it to a theme style).
//! - [`HighlightRequest`] / [`Highlighted`]: the payloads of the syntax highlighting job.
//! - [`Areas`]: where the last frame put each pane, so the runtime can route mouse events to a
//!   pane and `update` can bound scrolling by what was really shown, without computing layout.

pub mod auth_text;
pub mod body;
pub mod pane_text;
pub mod wrap;

use std::ops::Range;

use ratatui::layout::{Position, Rect};
use ratatui::style::Style;

use crate::app::Pane;

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
    /// Secondary text: labels, explanations.
    Muted,
    /// Something to notice first: a key, the integration type.
    Accent,
    /// A warning.
    Warning,
    /// An error.
    Error,
    /// A heading.
    Title,
    /// An HTTP status code (coloured by class).
    Status(u16),
}

/// Styled byte ranges of one line (syntax colours for an editor).
pub type LineRanges = Vec<(Range<usize>, Style)>;

/// A request to highlight a template's lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HighlightRequest {
    /// Generation: results for an older generation are dropped.
    pub generation: u64,
    /// The template's lines (without line ends).
    pub lines: Vec<String>,
    /// Highlight lines `0..upto` (the editor's visible window ends there).
    pub upto: usize,
    /// The `.tmTheme` source to colour with.
    pub theme: &'static str,
}

/// The result: styled ranges for lines `0..rows.len()`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Highlighted {
    /// The generation of the request.
    pub generation: u64,
    /// Ranges per line.
    pub rows: Vec<LineRanges>,
}

/// Where one pane was drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaneArea {
    /// The pane.
    pub pane: Pane,
    /// Its area, border included.
    pub rect: Rect,
    /// Rows of content after wrapping, for panes whose length depends on the width they got
    /// (`None`: the model knows the length itself).
    pub wrapped_rows: Option<usize>,
}

/// What the last frame recorded: where each pane and each tab of the narrow layout's tab bar
/// was drawn. Empty before the first frame and while the terminal is too small.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    /// The panes drawn, in drawing order.
    pub panes: Vec<PaneArea>,
    /// The tabs of the narrow layout's tab bar (a click on one counts as its pane).
    pub tabs: Vec<(Pane, Rect)>,
    /// The help overlay, while it is open: its rows after wrapping, and how many it shows
    /// (bounds its scrolling, so the last key binding is reached).
    pub help: Option<(usize, usize)>,
    /// The compare view, when it was drawn.
    pub compare: Option<CompareArea>,
}

/// How many of the compare view's five columns the last frame showed side by side, how many
/// rows of text each had and how many each one's text needs at that width: its scrolling (by
/// rows) is bounded by what was drawn, whichever type is shown next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompareArea {
    /// Columns side by side (5 on a wide terminal, else 1).
    pub columns: u16,
    /// Text rows in a column.
    pub rows: u16,
    /// Rows each type's column takes (in the order of the columns), wrapped at the width
    /// the columns were drawn at (0 for one still running).
    pub content: [usize; 5],
}

impl Areas {
    /// The pane at a screen position: a tab, else a pane (`None`: neither).
    pub fn pane_at(&self, x: u16, y: u16) -> Option<Pane> {
        let at = Position { x, y };
        self.tabs
            .iter()
            .find(|(_, r)| r.contains(at))
            .map(|(p, _)| *p)
            .or_else(|| {
                self.panes
                    .iter()
                    .find(|a| a.rect.contains(at))
                    .map(|a| a.pane)
            })
    }

    /// Where `pane` was drawn, if it was.
    pub fn pane(&self, pane: Pane) -> Option<&PaneArea> {
        self.panes.iter().find(|a| a.pane == pane)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_win_over_panes_and_gaps_hit_nothing() {
        let areas = Areas {
            panes: vec![PaneArea {
                pane: Pane::Template,
                rect: Rect::new(0, 0, 10, 10),
                wrapped_rows: None,
            }],
            tabs: vec![(Pane::Log, Rect::new(0, 0, 5, 1))],
            compare: None,
            help: None,
        };
        assert_eq!(areas.pane_at(1, 0), Some(Pane::Log));
        assert_eq!(areas.pane_at(6, 0), Some(Pane::Template));
        assert_eq!(areas.pane_at(3, 5), Some(Pane::Template));
        assert_eq!(areas.pane_at(30, 5), None);
    }
}
