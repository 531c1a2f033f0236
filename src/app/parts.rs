//! The parts [`crate::app::App`] is made of, each owning the state of one concern so that a
//! file working on one of them names it (`self.chrome.focus`, `self.run_view.trace`):
//!
//! - [`Workspace`]: the session being edited, where it came from and where it saves, its edit
//!   revisions (dirty marker), the request worked on, and its autosave copy.
//! - [`Chrome`]: what frames the panes: focus, zoom, mode, the status bar, the theme and key
//!   bindings, the terminal size, scroll offsets and where the last frame drew the panes.
//! - [`Preview`]: the template render and the editor's syntax highlighting (latest results and
//!   the generations that make older ones stale).
//! - [`RunView`]: the pipeline run shown in the panes: its trace, the stage being looked at,
//!   and whether a run is on its way.

use std::path::PathBuf;
use std::sync::Arc;

use crate::app::autosave::Recovery;
use crate::app::conflict::SaveConflict;
use crate::app::keymap::Keymap;
use crate::app::theme::Theme;
use crate::app::view_model::Areas;
use crate::app::views::{RenderOutcome, TraceView};
use crate::app::{Mode, Origin, Pane, RunState, Status, StatusJob, StatusKind};
use crate::gateway::trace::Stage;
use crate::session::Session;
use crate::session::file::Stamp;

/// The session being edited (see the module docs).
#[derive(Debug)]
pub(crate) struct Workspace {
    /// Shared with the effects that carry it (run, save, autosave, server): an edit copies it
    /// only while one of them still holds the previous version (`Arc::make_mut`).
    pub(crate) session: Arc<Session>,
    pub(crate) origin: Origin,
    pub(crate) request_index: usize,
    pub(crate) revision: u64,
    pub(crate) saved_revision: u64,
    /// The session as last loaded from or saved to its file (`None`: no file, or not known,
    /// e.g. after restoring unsaved edits): an edit that brings the session back to it
    /// makes the workspace clean again.
    pub(crate) saved: Option<Arc<Session>>,
    /// Whether the session equals [`Workspace::saved`], compared when the revision changes
    /// (never per frame).
    pub(crate) matches_saved: bool,
    /// The fingerprint of the session file as last read or written here (`None`: no file).
    pub(crate) disk_stamp: Option<Stamp>,
    /// A save refused because the file changed on disk, while the question is open.
    pub(crate) save_conflict: Option<SaveConflict>,
    pub(crate) autosave: Option<PathBuf>,
    pub(crate) recovery: Option<Recovery>,
}

impl Workspace {
    /// A workspace on `session`, which came from `origin`, with no edits yet.
    pub(crate) fn new(session: Session, origin: Origin) -> Workspace {
        let session = Arc::new(session);
        // An imported API has no file yet: it is unsaved whatever its edits.
        let saved = (!matches!(origin, Origin::Imported { .. })).then(|| Arc::clone(&session));
        Workspace {
            disk_stamp: session.stamp,
            saved,
            matches_saved: true,
            session,
            origin,
            request_index: 0,
            revision: 0,
            saved_revision: 0,
            save_conflict: None,
            autosave: None,
            recovery: None,
        }
    }

    /// Whether there are edits the file does not have: the revision moved and the session
    /// differs from the one last loaded or saved.
    pub(crate) fn is_dirty(&self) -> bool {
        self.revision != self.saved_revision && !self.matches_saved
    }

    /// Compare the session with the one last loaded or saved (after a change).
    pub(crate) fn compare_with_saved(&mut self) {
        self.matches_saved = self
            .saved
            .as_ref()
            .is_some_and(|s| Arc::ptr_eq(s, &self.session) || **s == *self.session);
    }

    /// Forget the saved copy: the session stays dirty until saved (restored edits).
    pub(crate) fn forget_saved(&mut self) {
        self.saved = None;
        self.matches_saved = false;
    }

    /// A save of `revision` succeeded.
    pub(crate) fn saved_as(&mut self, revision: u64) {
        self.saved_revision = revision;
        if revision == self.revision {
            self.saved = Some(Arc::clone(&self.session));
            self.matches_saved = true;
        } else {
            // Edits made while the save ran: the saved version is not at hand.
            self.saved = None;
            self.matches_saved = false;
        }
    }
}

/// What frames the panes (see the module docs).
#[derive(Debug)]
pub(crate) struct Chrome {
    pub(crate) focus: Pane,
    pub(crate) zoomed: bool,
    pub(crate) mode: Mode,
    pub(crate) status: Option<Status>,
    pub(crate) scroll: [usize; 7],
    /// The panes whose long lines are not wrapped (toggled per pane, for the session).
    pub(crate) nowrap: [bool; 7],
    /// How many columns an unwrapped pane is scrolled sideways.
    pub(crate) hscroll: [usize; 7],
    /// Where the last frame drew each pane (bounds scrolling).
    pub(crate) areas: Areas,
    pub(crate) theme: Theme,
    pub(crate) keymap: Keymap,
    pub(crate) size: (u16, u16),
    pub(crate) ticks: u64,
    pub(crate) show_changes: bool,
    /// Where the chosen theme is remembered.
    pub(crate) config_path: Option<PathBuf>,
}

impl Chrome {
    /// Chrome at start: the Template pane focused, browsing, nothing scrolled.
    pub(crate) fn new(theme: Theme, keymap: Keymap, size: (u16, u16)) -> Chrome {
        Chrome {
            focus: Pane::Template,
            zoomed: false,
            mode: Mode::Normal,
            status: None,
            scroll: [0; 7],
            nowrap: [false; 7],
            hscroll: [0; 7],
            areas: Areas::default(),
            theme,
            keymap,
            size,
            ticks: 0,
            show_changes: false,
            config_path: None,
        }
    }

    /// Show a message in the status bar (until the next key).
    pub(crate) fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(Status {
            kind,
            text: text.into(),
            job: None,
        });
    }

    /// Show a message that stands for `job` while it runs (until the next key, or until the
    /// job ends: see [`crate::app::StatusJob`]).
    pub(crate) fn set_job_status(&mut self, text: impl Into<String>, job: StatusJob) {
        self.status = Some(Status {
            kind: StatusKind::Info,
            text: text.into(),
            job: Some(job),
        });
    }
}

/// The template render and the editor's highlighting (see the module docs).
#[derive(Debug, Default)]
pub(crate) struct Preview {
    pub(crate) render_generation: u64,
    pub(crate) rendered: Option<RenderOutcome>,
    pub(crate) highlight_generation: u64,
    /// The Rendered pane shows the exact bytes (`Some(true)`) or pretty JSON (`Some(false)`);
    /// `None`: raw unless the output is valid JSON.
    pub(crate) raw: Option<bool>,
}

/// The pipeline run shown in the panes (see the module docs).
#[derive(Debug)]
pub(crate) struct RunView {
    pub(crate) stage: Stage,
    pub(crate) run_generation: u64,
    pub(crate) run: RunState,
    pub(crate) trace: Option<Box<TraceView>>,
    /// The compare view's runs (each opening is a new generation).
    pub(crate) compare_generation: u64,
}

impl Default for RunView {
    fn default() -> Self {
        RunView {
            stage: Stage::Routing,
            run_generation: 0,
            run: RunState::Idle,
            trace: None,
            compare_generation: 0,
        }
    }
}
