//! The compare view: the selected request through all five integration types side by side
//! (MOCK, AWS, AWS_PROXY, HTTP, HTTP_PROXY), each column saying what the backend received
//! and what the client got, with what differs between the types marked.
//!
//! Opening it asks for one background job ([`Effect::Compare`]) that runs the real pipeline
//! five times (`session::compare`); each type's column arrives on its own
//! ([`Msg::Compared`]), so a slow backend holds up its column only, which says "running…"
//! until then. Like the other jobs it is latest wins: running it again or closing the view
//! cancels the job, and answers of an older generation are dropped. The view's state lives in
//! its overlay ([`crate::app::Overlay::Compare`]) and goes with it.

pub mod column;
pub mod marks;

use std::sync::Arc;

use crate::app::view_model::body::StyledText;
use crate::app::{Action, App, Effect, Msg, Overlay, StatusKind};
use crate::gateway::api::IntegrationType;
use crate::session::{SavedRequest, Session};

use column::ColumnLayout;

/// Run the selected request through all five types (answers with one [`Msg::Compared`] per
/// type, as each finishes).
#[derive(Clone, Debug, PartialEq)]
pub struct CompareRequest {
    /// Answers of older generations are dropped; a newer request cancels the running one.
    pub generation: u64,
    /// The session as edited (a snapshot).
    pub session: Arc<Session>,
    /// The request to send.
    pub request: SavedRequest,
}

/// One type's column, finished (or why it could not run).
#[derive(Clone, Debug)]
pub struct CompareOutcome {
    /// The generation of the request.
    pub generation: u64,
    /// The type.
    pub kind: IntegrationType,
    /// The column, or why there is none (the request cannot be sent, the job failed).
    pub result: Result<Box<ColumnLayout>, String>,
}

/// Where one type's column is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnState {
    /// Its run has not finished.
    Running,
    /// Finished: the layout and its text with the differences marked.
    Done {
        /// The rows as laid out.
        layout: Box<ColumnLayout>,
        /// The rows with their markers, as drawn.
        text: StyledText,
    },
    /// No run (the request cannot be sent, or the job failed).
    Failed(String),
}

/// One type's column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The type.
    pub kind: IntegrationType,
    /// Where it is.
    pub state: ColumnState,
}

/// The compare view's state (held by its overlay).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareView {
    generation: u64,
    request: String,
    columns: Vec<Column>,
    page: usize,
    scroll: usize,
}

impl CompareView {
    /// A view waiting for the five columns of `generation`, for the request described by
    /// `request` (`POST /v1/pets · create a pet`).
    pub fn new(generation: u64, request: String) -> CompareView {
        CompareView {
            generation,
            request,
            columns: IntegrationType::ALL
                .iter()
                .map(|&kind| Column {
                    kind,
                    state: ColumnState::Running,
                })
                .collect(),
            page: 0,
            scroll: 0,
        }
    }

    /// The generation the columns belong to.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The request compared, in a few words.
    pub fn request(&self) -> &str {
        &self.request
    }

    /// The five columns, in the order of [`IntegrationType::ALL`].
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The type shown when only one fits (index into [`CompareView::columns`]).
    pub fn page(&self) -> usize {
        self.page
    }

    /// How far the columns are scrolled (rows, as wrapped at the width drawn).
    pub fn scroll(&self) -> usize {
        self.scroll
    }

    /// Whether every column is finished.
    pub fn done(&self) -> bool {
        self.columns.iter().all(|c| c.state != ColumnState::Running)
    }

    /// Lines of the longest of the columns `shown` (bounds scrolling before the first frame).
    fn longest(&self, shown: impl Iterator<Item = usize>) -> usize {
        shown
            .filter_map(|i| match &self.columns.get(i)?.state {
                ColumnState::Done { text, .. } => Some(text.len()),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }

    /// Take a finished column; the markers of every column are worked out again (a field
    /// that looked the same may differ from the newcomer). False when it is not one of ours.
    fn arrive(&mut self, outcome: CompareOutcome) -> bool {
        if outcome.generation != self.generation {
            return false;
        }
        let Some(col) = self
            .columns
            .iter_mut()
            .find(|c| c.kind == outcome.kind && c.state == ColumnState::Running)
        else {
            return false;
        };
        col.state = match outcome.result {
            Ok(layout) => ColumnState::Done {
                layout,
                text: StyledText::default(),
            },
            Err(e) => ColumnState::Failed(e),
        };
        self.remark();
        true
    }

    fn remark(&mut self) {
        let layouts: Vec<Option<&ColumnLayout>> = self
            .columns
            .iter()
            .map(|c| match &c.state {
                ColumnState::Done { layout, .. } => Some(&**layout),
                _ => None,
            })
            .collect();
        let all = marks::marks(&layouts);
        let texts: Vec<Option<StyledText>> = layouts
            .iter()
            .zip(&all)
            .map(|(l, m)| l.map(|l| marks::compose(l, m)))
            .collect();
        for (c, t) in self.columns.iter_mut().zip(texts) {
            if let (ColumnState::Done { text, .. }, Some(t)) = (&mut c.state, t) {
                *text = t;
            }
        }
    }
}

impl App {
    /// The compare view, when open.
    pub fn compare(&self) -> Option<&CompareView> {
        match &self.overlay {
            Some(Overlay::Compare(v)) => Some(v),
            _ => None,
        }
    }

    fn compare_mut(&mut self) -> Option<&mut CompareView> {
        match &mut self.overlay {
            Some(Overlay::Compare(v)) => Some(v),
            _ => None,
        }
    }

    /// Open the compare view on the request worked on and start its runs.
    pub(super) fn open_compare(&mut self) -> Vec<Effect> {
        let Some(request) = self.request().cloned() else {
            self.set_status(StatusKind::Info, "This session has no saved request");
            return Vec::new();
        };
        self.run_view.compare_generation += 1;
        let generation = self.run_view.compare_generation;
        let label = format!("{} {} · {}", request.method, request.path, request.name);
        self.overlay = Some(Overlay::Compare(Box::new(CompareView::new(
            generation, label,
        ))));
        vec![Effect::Compare(CompareRequest {
            generation,
            session: Arc::clone(&self.workspace.session),
            request,
        })]
    }

    /// What an action does while the compare view is open (`None`: it is not open).
    pub(super) fn perform_compare(&mut self, action: Action) -> Option<Vec<Effect>> {
        let page = self.compare()?.page;
        match action {
            Action::ForceQuit => return None,
            Action::Cancel | Action::Compare => {
                self.overlay = None;
                return Some(vec![Effect::CancelCompare]);
            }
            Action::RunAll => {
                // Again, from the session as it is now; the running job is stopped first.
                let mut fx = vec![Effect::CancelCompare];
                fx.extend(self.open_compare());
                if let Some(v) = self.compare_mut() {
                    v.page = page;
                }
                return Some(fx);
            }
            _ => {}
        }
        let area = self.chrome.areas.compare;
        let wide = area.is_some_and(|a| a.columns > 1);
        let height = area.map_or(1, |a| usize::from(a.rows).max(1));
        let view = self.compare_mut()?;
        let n = view.columns.len();
        // Rows as the last frame wrapped them; before any frame, lines.
        let max = match area {
            Some(a) if wide => a.content.iter().copied().max().unwrap_or(0),
            Some(a) => a.content.get(view.page).copied().unwrap_or(0),
            None => view.longest(0..n),
        }
        .saturating_sub(height);
        match action {
            Action::NextType | Action::PrevType => {
                view.page = if action == Action::NextType {
                    (view.page + 1) % n
                } else {
                    (view.page + n - 1) % n
                };
                // Each type's rows are its own: its page starts at the top.
                if !wide {
                    view.scroll = 0;
                }
            }
            Action::ScrollDown => view.scroll = (view.scroll + 1).min(max),
            Action::ScrollUp => view.scroll = view.scroll.saturating_sub(1),
            Action::PageDown => view.scroll = (view.scroll + height).min(max),
            Action::PageUp => view.scroll = view.scroll.saturating_sub(height),
            Action::Top => view.scroll = 0,
            Action::Bottom => view.scroll = max,
            _ => {}
        }
        Some(Vec::new())
    }

    /// A type's column is back.
    pub(super) fn on_compared(&mut self, outcome: CompareOutcome) -> Vec<Effect> {
        let Some(view) = self.compare_mut() else {
            return Vec::new();
        };
        if !view.arrive(outcome) || !view.done() {
            return Vec::new();
        }
        let failed: Vec<&str> = view
            .columns
            .iter()
            .filter_map(|c| match &c.state {
                ColumnState::Done { layout, .. } if layout.cause.is_none() => None,
                ColumnState::Done { .. } | ColumnState::Failed(_) => Some(c.kind.as_str()),
                ColumnState::Running => None,
            })
            .collect();
        let text = if failed.is_empty() {
            "Compared the five integration types".to_string()
        } else {
            format!(
                "Compared the five integration types; failed: {}",
                failed.join(", ")
            )
        };
        self.set_status(StatusKind::Info, text);
        Vec::new()
    }
}

/// The message that answers a type's run.
pub fn compared(outcome: CompareOutcome) -> Msg {
    Msg::Compared(Box::new(outcome))
}
