//! The workbench's model: [`App`] state, the [`Msg`]s that change it, the [`Effect`]s it asks
//! for, and [`update`], which is synchronous and does no I/O. Fields are private; panes read
//! them through methods.

pub mod action;
pub mod autosave;
pub mod backend_edit;
#[cfg(test)]
mod backend_edit_tests;
pub mod compare;
#[cfg(test)]
mod compare_tests;
pub mod config;
pub mod conflict;
mod curl;
#[cfg(test)]
mod curl_tests;
pub mod diff;
mod edit;
pub mod editor;
pub mod effect;
#[cfg(test)]
mod esc_pair_tests;
mod follow;
pub mod import_dialog;
#[cfg(test)]
mod import_dialog_tests;
pub mod keymap;
pub mod lint_view;
#[cfg(test)]
mod lint_view_tests;
pub mod listen;
pub mod msg;
mod navigate;
pub mod origin;
mod parts;
mod perform;
pub mod picker;
pub mod request_text;
pub mod route;
pub mod search;
pub mod settings_edit;
#[cfg(test)]
mod settings_edit_tests;
pub mod settings_text;
mod settings_undo;
#[cfg(test)]
mod settings_undo_tests;
pub mod sideways;
pub mod teach;
#[cfg(test)]
mod teach_tests;
pub mod templates;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
pub mod theme;
mod token;
mod unsaved;
#[cfg(test)]
mod unsaved_tests;
mod update;
pub mod view_model;
pub mod views;

use std::path::{Path, PathBuf};

pub use action::Action;
pub use effect::Effect;
pub use msg::Msg;
pub use origin::Origin;
pub use settings_edit::SettingsStep;
pub use update::update;

use crate::backend::BackendConfig;
use crate::gateway::api::{IntegrationType, Method};
use crate::gateway::trace::Stage;
use crate::session::{SavedRequest, Session};
use crate::vtl::VtlError;
use editor::Editor;
use keymap::Keymap;
use request_text::RequestTextError;
use route::{MethodRef, Routed};
use templates::TemplateSlot;
use theme::Theme;
use view_model::body::StyledText;
use views::{RenderFailure, RenderOutcome, TraceView};

/// Where a session is saved when it was not opened from a file.
pub const DEFAULT_SAVE_PATH: &str = "gatebench-session.toml";

/// The panes, in focus order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pane {
    /// The client request (editable).
    Request,
    /// The integration type and its settings.
    Integration,
    /// The mapping template editor.
    Template,
    /// The rendered template.
    Rendered,
    /// Endpoint request and response.
    Backend,
    /// What the client receives.
    Response,
    /// The execution log.
    Log,
}

impl Pane {
    /// All panes in focus order.
    pub const ALL: [Pane; 7] = [
        Pane::Request,
        Pane::Integration,
        Pane::Template,
        Pane::Rendered,
        Pane::Backend,
        Pane::Response,
        Pane::Log,
    ];

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Request => "Request",
            Pane::Integration => "Integration",
            Pane::Template => "Template",
            Pane::Rendered => "Rendered",
            Pane::Backend => "Backend",
            Pane::Response => "Client response",
            Pane::Log => "Log",
        }
    }

    /// Position in [`Pane::ALL`].
    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    /// The next pane in focus order.
    #[must_use]
    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % Pane::ALL.len()]
    }

    /// The previous pane in focus order.
    #[must_use]
    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + Pane::ALL.len() - 1) % Pane::ALL.len()]
    }

    /// Whether the pane holds editable text.
    pub fn editable(self) -> bool {
        matches!(self, Pane::Template | Pane::Request)
    }

    /// The panes a stage reads or writes (highlighted while stepping).
    pub fn involved_in(stage: Stage) -> &'static [Pane] {
        match stage {
            Stage::Routing | Stage::MethodRequest => &[Pane::Request],
            Stage::Authorization => &[Pane::Request, Pane::Backend, Pane::Template, Pane::Rendered],
            Stage::IntegrationRequest => &[
                Pane::Request,
                Pane::Integration,
                Pane::Template,
                Pane::Rendered,
            ],
            Stage::Backend => &[Pane::Backend],
            Stage::IntegrationResponse => &[Pane::Backend, Pane::Template, Pane::Rendered],
            Stage::MethodResponse => &[Pane::Response],
        }
    }
}

/// Browsing or typing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Keys are commands.
    Normal,
    /// Keys go to the focused editor (Template or Request).
    Editing,
}

/// A layer drawn over the panes that takes the keys first. An overlay with state of its own
/// (the picker's list, the settings text) holds it, so it goes when the overlay closes.
#[derive(Debug, PartialEq)]
pub enum Overlay {
    /// The key help, scrolled by this many lines.
    Help {
        /// Scroll offset.
        scroll: u16,
    },
    /// "Quit without saving?"
    ConfirmQuit,
    /// The search prompt (the query is [`App::search_query`]).
    Search,
    /// "Restore the unsaved edits of a previous run?"
    Recover,
    /// "The session file changed on disk: overwrite it?" (what differs in
    /// [`App::save_conflict`]), its difference scrolled by this many rows.
    ConfirmOverwrite {
        /// Scroll offset of the difference.
        scroll: u16,
    },
    /// The session picker, with the selected entry.
    Picker {
        /// Index into the picker's entries.
        selected: usize,
        /// The sessions folder's entries, once listed.
        list: Option<picker::PickerList>,
    },
    /// The list of requests served in listen mode (selection in [`App::listen`]).
    Requests,
    /// The path prompt of "import an API definition" (state in [`App::import`]).
    ImportPath,
    /// The operations of an imported API, with the selected one.
    Operations {
        /// Index into the imported operations.
        selected: usize,
    },
    /// The warnings of the import, scrolled by this many lines.
    ImportWarnings {
        /// Scroll offset.
        scroll: u16,
    },
    /// The lint findings of the template in the editor, with the selected one.
    Lint {
        /// Index into [`App::lint_findings`].
        selected: usize,
    },
    /// The "add a request from a curl command" prompt (text in [`App::curl_editor`], kept when it closes).
    Curl,
    /// The settings editor: what it edits, its text and its step.
    Settings(Box<settings_edit::SettingsEdit>),
    /// The compare view: the request through all five integration types side by side.
    Compare(Box<compare::CompareView>),
    /// "Unsaved edits: save them, discard them, or stay?" before opening the session in
    /// `path`; the picker's state comes back when the user stays.
    ConfirmOpen {
        /// The session file chosen in the picker.
        path: PathBuf,
        /// The picker's selected entry.
        selected: usize,
        /// The picker's list.
        list: Option<picker::PickerList>,
    },
}

/// The kind of a status-bar message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    /// Neutral information.
    Info,
    /// Something worked.
    Success,
    /// Something failed.
    Error,
}

/// A status-bar message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    /// Its kind.
    pub kind: StatusKind,
    /// The text.
    pub text: String,
    /// The background job the message stands for (`Sending the request…`): the message ends
    /// with it, replaced by its outcome or taken away when the job was cancelled or replaced.
    pub job: Option<StatusJob>,
}

/// A background job a status message stands for while it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusJob {
    /// A pipeline run of this generation (a send, a replay). When it is back, the message
    /// becomes `done` followed by what the client got (`Replayed POST /x: client got 200`;
    /// an empty `done` gives `Client got 200`).
    Run {
        /// The run's generation.
        generation: u64,
        /// What the outcome message starts with.
        done: String,
    },
    /// Binding the listen-mode server (this generation).
    Listen {
        /// The start's generation.
        generation: u64,
    },
}

/// Whether a pipeline call is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Nothing running.
    Idle,
    /// A call with this generation is running.
    Running {
        /// Its generation.
        generation: u64,
    },
    /// A served or paused request's trace is being laid out for the panes: nothing is
    /// called (it answers like a run, with this generation).
    Showing {
        /// Its generation.
        generation: u64,
    },
}

/// Start-up options.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// Colours.
    pub theme: Theme,
    /// Key bindings.
    pub keymap: Keymap,
    /// Terminal size (width, height).
    pub size: (u16, u16),
    /// The settings file the chosen theme (and listen address) is remembered in (`None`:
    /// nothing is remembered).
    pub config_path: Option<std::path::PathBuf>,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            theme: Theme::default_dark(false),
            keymap: Keymap::default(),
            size: (120, 40),
            config_path: None,
        }
    }
}

/// The workbench state.
#[derive(Debug)]
pub struct App {
    /// The session, where it came from, its edit revisions, the request worked on, autosave.
    workspace: parts::Workspace,
    routed: Option<Routed>,
    method: Option<MethodRef>,
    /// What the type key swapped into a method's URI ([`teach`]).
    uri_swap: Option<teach::UriSwap>,
    slots: Vec<TemplateSlot>,
    slot: usize,
    template_editor: Editor,
    request_editor: Editor,
    request_view: StyledText,
    request_error: Option<RequestTextError>,
    overlay: Option<Overlay>,
    /// Focus, zoom, mode, status bar, theme, keys, size, scrolling.
    chrome: parts::Chrome,
    /// The template render and highlighting.
    preview: parts::Preview,
    /// The pipeline run shown in the panes.
    run_view: parts::RunView,
    quitting: bool,
    search: search::SearchState,
    listen: listen::ListenState,
    listen_at_start: bool,
    /// A served or paused request shown in place of the saved ones.
    viewing: Option<listen::Viewing>,
    import: import_dialog::ImportState,
    /// The curl prompt's text, error and parse generation.
    curl: curl::CurlDraft,
    /// A session to open once its question is answered (after the save, or dropping the
    /// edits).
    opening: Option<unsaved::Opening>,
    /// The applied settings changes (`e`, `E`, `B`) that undo and redo take back and bring
    /// again.
    settings_history: settings_undo::SettingsHistory,
}

impl App {
    /// A workbench on `session` (opened from `path`, if any).
    pub fn new(session: Session, path: Option<PathBuf>, options: AppOptions) -> App {
        App::with_origin(session, path.map_or(Origin::Builtin, Origin::File), options)
    }

    /// A workbench on `session`, which came from `origin`.
    pub(crate) fn with_origin(session: Session, origin: Origin, options: AppOptions) -> App {
        let mut app = App {
            template_editor: Editor::default(),
            request_editor: Editor::default(),
            curl: curl::CurlDraft::default(),
            import: import_dialog::ImportState::default(),
            request_view: StyledText::default(),
            routed: None,
            method: None,
            uri_swap: None,
            slots: Vec::new(),
            slot: 0,
            request_error: None,
            overlay: None,
            workspace: parts::Workspace::new(session, origin),
            chrome: parts::Chrome::new(options.theme, options.keymap, options.size),
            preview: parts::Preview::default(),
            run_view: parts::RunView::default(),
            quitting: false,
            search: search::SearchState::default(),
            listen: listen::ListenState::default(),
            listen_at_start: false,
            viewing: None,
            opening: None,
            settings_history: settings_undo::SettingsHistory::default(),
        };
        app.chrome.config_path = options.config_path;
        app.load_request_text();
        app.reroute();
        app.load_template_text();
        app
    }

    /// Open `path`, or the built-in default session when `path` is `None`. A file that
    /// cannot be loaded is reported in the status bar and the default session is used.
    pub fn open(path: Option<&Path>, options: AppOptions) -> App {
        match path {
            None => App::new(Session::builtin_default(), None, options),
            Some(p) => match Session::load(p) {
                Ok(s) => App::new(s, Some(p.to_path_buf()), options),
                Err(e) => {
                    let mut app = App::new(Session::builtin_default(), None, options);
                    app.set_status(
                        StatusKind::Error,
                        format!("Showing the built-in default session: {e}"),
                    );
                    app
                }
            },
        }
    }

    /// The same app with a warning in the status bar (e.g. an unknown theme name).
    #[must_use]
    pub fn with_warning(mut self, text: impl Into<String>) -> App {
        let text = text.into();
        let text = match self.chrome.status.take() {
            Some(old) => format!("{} · {text}", old.text),
            None => text,
        };
        self.set_status(StatusKind::Error, text);
        self
    }

    /// The effects to run at start: render, highlight, and a first run when the backend is
    /// one that may run live.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut fx = self.refresh_effects();
        if self.live() {
            fx.extend(self.run_effect());
        }
        if std::mem::take(&mut self.listen_at_start) {
            fx.extend(self.start_listening());
        }
        fx
    }

    /// The session as edited.
    pub fn session(&self) -> &Session {
        &self.workspace.session
    }

    /// The file the session was opened from or saved to.
    pub fn session_path(&self) -> Option<&Path> {
        match &self.workspace.origin {
            Origin::File(p) => Some(p),
            Origin::Builtin | Origin::Imported { .. } => None,
        }
    }

    /// Where the session came from (decides where saving writes).
    pub fn origin(&self) -> &Origin {
        &self.workspace.origin
    }

    /// The request being worked on: a served request being viewed, else the saved one.
    pub fn request(&self) -> Option<&SavedRequest> {
        match &self.viewing {
            Some(v) => Some(&v.request),
            None => self
                .workspace
                .session
                .requests
                .get(self.workspace.request_index),
        }
    }

    /// The label of the served request shown in place of the saved ones (`served #12`,
    /// `paused #3`).
    pub fn viewing(&self) -> Option<&str> {
        self.viewing.as_ref().map(|v| v.label.as_str())
    }

    /// What became of the served or paused request shown in place of the saved ones.
    pub fn shown(&self) -> Option<listen::Shown> {
        self.viewing.as_ref().map(|v| v.shown)
    }

    /// Index of the current saved request.
    pub fn request_index(&self) -> usize {
        self.workspace.request_index
    }

    /// The method the request reaches (or the API's first method).
    pub fn method_ref(&self) -> Option<&MethodRef> {
        self.method.as_ref()
    }

    /// The method the request reaches.
    pub fn method(&self) -> Option<&Method> {
        self.method
            .as_ref()
            .and_then(|m| m.get(&self.workspace.session.api))
    }

    /// Whether the request routes to a method (false: the gateway answers 403).
    pub fn routed(&self) -> bool {
        self.routed.is_some()
    }

    /// The integration type of the method.
    pub fn integration_kind(&self) -> Option<IntegrationType> {
        self.method().map(|m| m.integration.kind)
    }

    /// The method's templates.
    pub fn template_slots(&self) -> &[TemplateSlot] {
        &self.slots
    }

    /// The selected template.
    pub fn template_slot(&self) -> Option<&TemplateSlot> {
        self.slots.get(self.slot)
    }

    /// Index of the selected template.
    pub fn template_index(&self) -> usize {
        self.slot
    }

    /// The template editor.
    pub fn template_editor(&self) -> &Editor {
        &self.template_editor
    }

    /// The request editor.
    pub fn request_editor(&self) -> &Editor {
        &self.request_editor
    }

    /// The request text laid out for display (the editor is drawn only while editing it,
    /// so a large body costs nothing per frame otherwise).
    pub fn request_view(&self) -> &StyledText {
        &self.request_view
    }

    /// Why the request text does not parse.
    pub fn request_error(&self) -> Option<&RequestTextError> {
        self.request_error.as_ref()
    }

    /// The focused pane.
    pub fn focus(&self) -> Pane {
        self.chrome.focus
    }

    /// Whether the focused pane is zoomed.
    pub fn zoomed(&self) -> bool {
        self.chrome.zoomed
    }

    /// Browsing or editing.
    pub fn mode(&self) -> Mode {
        self.chrome.mode
    }

    /// The open overlay.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    /// The save refused because the file changed on disk (while its question is open).
    pub fn save_conflict(&self) -> Option<&conflict::SaveConflict> {
        self.workspace.save_conflict.as_ref()
    }

    /// The current stage of the stage strip.
    pub fn stage(&self) -> Stage {
        self.run_view.stage
    }

    /// The latest render result (may be older than the text while a render runs).
    pub fn rendered(&self) -> Option<&RenderOutcome> {
        self.preview.rendered.as_ref()
    }

    /// Whether the Rendered pane shows the exact bytes (else pretty JSON): as toggled, or
    /// raw unless the output is valid JSON.
    pub fn rendered_raw(&self) -> bool {
        self.preview.raw.unwrap_or_else(|| {
            !matches!(
                self.rendered().map(|r| &r.result),
                Some(Ok(out)) if out.json == crate::app::view_model::body::JsonStatus::Valid
            )
        })
    }

    /// Whether the selected response template was rendered against an empty body because
    /// the endpoint call of the trace on screen failed (timeout, connection refused, too
    /// large), so its output is no template bug.
    pub fn rendered_against_failed_call(&self) -> bool {
        self.template_slot()
            .is_some_and(|s| s.phase == crate::gateway::Phase::Response)
            && self.endpoint_call_failed()
    }

    /// The client status of the trace on screen when, at a response stage, the gateway
    /// applied no response template to it (the selected one is not what it rendered): the
    /// integration response body went through as it was.
    pub fn response_template_unused(&self) -> Option<u16> {
        if !matches!(
            self.stage(),
            Stage::IntegrationResponse | Stage::MethodResponse
        ) || self.endpoint_call_failed()
        {
            return None;
        }
        let slot = self.template_slot()?;
        let t = self.trace()?;
        let status = t.trace.response.status;
        (slot.phase == crate::gateway::Phase::Response
            && status != 0
            && t.trace.response_template.is_none())
        .then_some(status)
    }

    /// Whether the trace on screen called the endpoint and got no answer.
    pub fn endpoint_call_failed(&self) -> bool {
        self.trace().is_some_and(|t| {
            t.trace.endpoint_response.is_none()
                && t.trace.stages.iter().any(|s| {
                    s.stage == Stage::Backend
                        && matches!(s.outcome, crate::gateway::trace::StageOutcome::Failed(_))
                })
        })
    }

    /// Whether a newer render than the one shown is on its way.
    pub fn render_pending(&self) -> bool {
        self.uses_templates()
            && self
                .preview
                .rendered
                .as_ref()
                .is_none_or(|r| r.generation < self.preview.render_generation)
    }

    /// The template error of the latest render, if any.
    pub fn template_error(&self) -> Option<&VtlError> {
        match &self.preview.rendered.as_ref()?.result {
            Err(RenderFailure::Template(e)) => Some(e),
            _ => None,
        }
    }

    /// The latest pipeline trace.
    pub fn trace(&self) -> Option<&TraceView> {
        self.run_view.trace.as_deref()
    }

    /// Whether a pipeline call runs.
    pub fn run_state(&self) -> RunState {
        self.run_view.run
    }

    /// Whether there are unsaved edits.
    pub fn is_dirty(&self) -> bool {
        self.workspace.is_dirty()
    }

    /// The status-bar message.
    pub fn status(&self) -> Option<&Status> {
        self.chrome.status.as_ref()
    }

    /// A pane's scroll offset (lines).
    pub fn scroll(&self, pane: Pane) -> usize {
        self.chrome.scroll[pane.index()]
    }

    /// The colours.
    pub fn theme(&self) -> &Theme {
        &self.chrome.theme
    }

    /// The key bindings.
    pub fn keymap(&self) -> &Keymap {
        &self.chrome.keymap
    }

    /// Where the last frame drew the panes.
    pub fn drawn_areas(&self) -> &view_model::Areas {
        &self.chrome.areas
    }

    /// The terminal size.
    pub fn size(&self) -> (u16, u16) {
        self.chrome.size
    }

    /// Ticks seen (drives the spinner).
    pub fn ticks(&self) -> u64 {
        self.chrome.ticks
    }

    /// Whether something animates (the runtime ticks only then).
    pub fn animating(&self) -> bool {
        matches!(
            self.run_view.run,
            RunState::Running { .. } | RunState::Showing { .. }
        ) || self.compare().is_some_and(|c| !c.done())
    }

    /// Whether the Backend pane shows what changed instead of the messages.
    pub fn show_changes(&self) -> bool {
        self.chrome.show_changes
    }

    /// The search query (kept after the prompt closes, for the next search).
    pub fn search_query(&self) -> &str {
        self.search.query()
    }

    /// The current search match's number and how many there are (`3/17`), once the open
    /// search found one.
    pub fn search_found(&self) -> Option<(usize, usize)> {
        self.search.found()
    }

    /// Whether the app asked to quit.
    pub fn quitting(&self) -> bool {
        self.quitting
    }

    /// Whether the integration type uses mapping templates (not a proxy).
    pub fn uses_templates(&self) -> bool {
        self.integration_kind()
            .is_some_and(IntegrationType::uses_templates)
    }

    /// Whether the backend may run on every edit (MOCK, canned and echo backends).
    pub fn live(&self) -> bool {
        self.integration_kind() == Some(IntegrationType::Mock)
            || matches!(
                self.workspace.session.backend,
                BackendConfig::Echo | BackendConfig::Canned { .. }
            )
    }

    fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.chrome.set_status(kind, text);
    }
}
