//! The settings editor: the current method's settings as TOML, exactly as they read under
//! `[api.resources.methods.VERB]` in the session file, in an overlay with the same editor as
//! the Template pane. `Ctrl-s` parses the text (unknown fields are errors), checks what the
//! gateway itself would refuse (`gateway::settings`), and on success replaces the method in
//! the session as one edit: autosave, the dirty marker and listen mode follow, and the
//! request is rendered again (and run, where the backend runs live). The text itself is
//! handled in `settings_text`.
//!
//! Mapping templates are left out of the text: they are edited in the Template pane and kept
//! as they are. A template written in the text is added, or replaces the one of its content
//! type.

use crossterm::event::KeyEvent;

use crate::app::editor::{EditOutcome, Editor};
use crate::app::route::MethodRef;
use crate::app::settings_text::{
    SettingsError, api_text, changed_paths, method_text, parse_api, parse_method, summary,
};
use crate::app::{Action, App, Effect, Overlay, StatusKind};

/// Where the settings editor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingsStep {
    /// Keys edit the text.
    Editing,
    /// The search prompt is open over the text.
    Searching,
    /// "Discard the unapplied changes?"
    ConfirmDiscard,
}

/// What the editor holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingsTarget {
    /// A method of the session's API.
    Method(MethodRef),
    /// The API-level settings (stage, stage variables, binary media types, gateway
    /// responses).
    Api,
    /// The session's own settings: its backend and the listen address
    /// ([`crate::app::backend_edit`]).
    Session,
}

/// The open settings editor: what it edits, its text (the editor), and where it is. Lives in
/// [`Overlay::Settings`], so there is no settings text without the overlay.
#[derive(Debug)]
pub struct SettingsEdit {
    step: SettingsStep,
    target: SettingsTarget,
    title: String,
    original: String,
    error: Option<SettingsError>,
    editor: Editor,
}

/// Equal when everything but the editor's history is: same step, target and text.
impl PartialEq for SettingsEdit {
    fn eq(&self, other: &Self) -> bool {
        self.step == other.step
            && self.target == other.target
            && self.title == other.title
            && self.original == other.original
            && self.error == other.error
            && self.editor.text() == other.editor.text()
    }
}

impl SettingsEdit {
    /// What is edited.
    pub fn target(&self) -> &SettingsTarget {
        &self.target
    }

    /// A title naming it (`POST /pets/{petId}`).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Why the last apply failed (cleared by an edit).
    pub fn error(&self) -> Option<&SettingsError> {
        self.error.as_ref()
    }

    /// Where the editor is.
    pub fn step(&self) -> SettingsStep {
        self.step
    }

    /// The editor holding the text.
    pub fn editor(&self) -> &Editor {
        &self.editor
    }

    /// The editor holding the text, to change.
    pub(in crate::app) fn editor_mut(&mut self) -> &mut Editor {
        &mut self.editor
    }
}

impl App {
    /// The settings editor's text (while it is open).
    pub fn settings_editor(&self) -> Option<&Editor> {
        self.settings_edit().map(SettingsEdit::editor)
    }

    /// The open settings editor, if any.
    pub fn settings_edit(&self) -> Option<&SettingsEdit> {
        match &self.overlay {
            Some(Overlay::Settings(edit)) => Some(edit),
            _ => None,
        }
    }

    /// The settings editor's step (while it is open).
    pub fn settings_step(&self) -> Option<SettingsStep> {
        self.settings_edit().map(SettingsEdit::step)
    }

    fn settings_mut(&mut self) -> Option<&mut SettingsEdit> {
        match &mut self.overlay {
            Some(Overlay::Settings(edit)) => Some(edit),
            _ => None,
        }
    }

    /// Whether the settings text differs from what was opened.
    pub fn settings_changed(&self) -> bool {
        self.settings_edit()
            .is_some_and(|s| s.original != s.editor.text())
    }

    /// The settings editor's own actions; `None` when `action` is not one of them here.
    pub(super) fn perform_settings(&mut self, action: Action) -> Option<Vec<Effect>> {
        let Some(step) = self.settings_edit().map(SettingsEdit::step) else {
            return match action {
                Action::EditMethod => Some(self.open_method_settings()),
                Action::EditApi => Some(self.open_api_settings()),
                Action::EditBackend => Some(self.open_session_settings()),
                _ => None,
            };
        };
        let fx = match (step, action) {
            (SettingsStep::Editing, Action::Apply) => self.apply_settings(),
            (SettingsStep::Editing, Action::Cancel) => {
                if self.settings_changed() {
                    self.set_settings_step(SettingsStep::ConfirmDiscard);
                } else {
                    self.close_settings();
                }
                Vec::new()
            }
            (SettingsStep::Editing, Action::Undo | Action::Redo) => {
                let changed = self.settings_mut().is_some_and(|s| {
                    if action == Action::Undo {
                        s.editor.undo()
                    } else {
                        s.editor.redo()
                    }
                });
                if changed {
                    self.clear_settings_error();
                }
                Vec::new()
            }
            (SettingsStep::Editing, Action::Search) => {
                self.set_settings_step(SettingsStep::Searching);
                self.restart_search();
                Vec::new()
            }
            (SettingsStep::Searching, Action::Search) => {
                self.restart_search();
                Vec::new()
            }
            (SettingsStep::Searching, Action::ScrollDown | Action::ScrollUp) => {
                // Moving through the text keeps the search (and its marks) open.
                let rows = if action == Action::ScrollDown { 1 } else { -1 };
                if let Some(s) = self.settings_mut() {
                    s.editor.scroll(rows);
                }
                Vec::new()
            }
            (SettingsStep::Searching, Action::PageDown | Action::PageUp) => {
                if let Some(s) = self.settings_mut() {
                    s.editor.page(action == Action::PageDown);
                }
                Vec::new()
            }
            (SettingsStep::Searching, Action::SearchNext | Action::SearchPrev) => {
                let query = self.search.query().to_string();
                let forward = action == Action::SearchNext;
                let found = self
                    .settings_mut()
                    .and_then(|s| crate::app::search::editor_step(&mut s.editor, &query, forward));
                self.say_found(&query, found);
                Vec::new()
            }
            (SettingsStep::Searching, Action::Cancel) => {
                self.end_search();
                self.set_settings_step(SettingsStep::Editing);
                Vec::new()
            }
            (SettingsStep::ConfirmDiscard, Action::ConfirmNo) => {
                self.set_settings_step(SettingsStep::Editing);
                Vec::new()
            }
            (SettingsStep::ConfirmDiscard, Action::ConfirmYes) => {
                self.close_settings();
                self.set_status(StatusKind::Info, "Discarded the unapplied settings");
                Vec::new()
            }
            (_, Action::ForceQuit) => return None,
            // Nothing else applies while the editor is open.
            _ => Vec::new(),
        };
        Some(fx)
    }

    /// A key the settings editor's layer does not bind: it edits the text.
    pub(super) fn settings_input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.settings_mut().and_then(|s| s.editor.input(key)) == Some(EditOutcome::Changed) {
            self.clear_settings_error();
        }
        Vec::new()
    }

    /// Pasted text goes into the settings text at the cursor.
    pub(super) fn settings_paste(&mut self, text: &str) -> Vec<Effect> {
        if self.settings_mut().is_some_and(|s| s.editor.paste(text)) {
            self.clear_settings_error();
        }
        Vec::new()
    }

    fn clear_settings_error(&mut self) {
        if let Some(s) = self.settings_mut() {
            s.error = None;
        }
    }

    fn set_settings_step(&mut self, step: SettingsStep) {
        if let Some(s) = self.settings_mut() {
            s.step = step;
        }
    }

    /// Close the editor (its text goes with it).
    fn close_settings(&mut self) {
        self.overlay = None;
    }

    /// Open the editor on the current method's settings.
    pub(super) fn open_method_settings(&mut self) -> Vec<Effect> {
        let Some(target) = self.method.clone() else {
            self.set_status(StatusKind::Error, "The session's API has no method");
            return Vec::new();
        };
        let Some(method) = target.get(&self.workspace.session.api) else {
            return Vec::new();
        };
        let text = method_text(method);
        let title = target.describe(&self.workspace.session.api);
        self.open_settings(SettingsTarget::Method(target), title, text, "the method's")
    }

    /// Open the editor on `text` (or say why there is none).
    fn open_settings(
        &mut self,
        target: SettingsTarget,
        title: String,
        text: Result<String, String>,
        whose: &str,
    ) -> Vec<Effect> {
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                self.set_status(
                    StatusKind::Error,
                    format!("Cannot show {whose} settings: {e}"),
                );
                return Vec::new();
            }
        };
        let mut editor = Editor::new(&text);
        editor.set_active(true);
        self.overlay = Some(Overlay::Settings(Box::new(SettingsEdit {
            step: SettingsStep::Editing,
            title,
            target,
            original: text,
            error: None,
            editor,
        })));
        Vec::new()
    }

    /// Open the editor on the session's backend and listen address.
    pub(super) fn open_session_settings(&mut self) -> Vec<Effect> {
        let text = crate::app::backend_edit::session_text(&self.session_settings());
        self.open_settings(
            SettingsTarget::Session,
            "the session".to_string(),
            text,
            "the session's",
        )
    }

    /// Open the editor on the API-level settings.
    pub(super) fn open_api_settings(&mut self) -> Vec<Effect> {
        let text = api_text(&self.workspace.session.api);
        self.open_settings(
            SettingsTarget::Api,
            "the API".to_string(),
            text,
            "the API's",
        )
    }

    /// Apply the API-level settings.
    fn apply_api_settings(&mut self, title: &str, text: &str) -> Vec<Effect> {
        let new = match parse_api(text, &self.workspace.session.api) {
            Ok(api) => api,
            Err(e) => return self.settings_failed(e),
        };
        self.close_settings();
        if new == self.workspace.session.api {
            self.set_status(StatusKind::Info, format!("No changes to {title}"));
            return Vec::new();
        }
        let before = std::mem::replace(
            &mut std::sync::Arc::make_mut(&mut self.workspace.session).api,
            new,
        );
        self.workspace.revision += 1;
        self.record_api_change(before, "the API's settings".to_string());
        let fx = self.settings_applied();
        self.set_status(StatusKind::Success, "Applied the API's settings");
        fx
    }

    fn settings_failed(&mut self, error: SettingsError) -> Vec<Effect> {
        let at = (
            u32::try_from(error.line).unwrap_or(u32::MAX),
            u32::try_from(error.col).unwrap_or(u32::MAX),
        );
        self.set_status(StatusKind::Error, format!("Not applied: {error}"));
        if let Some(s) = self.settings_mut() {
            s.editor.set_error(Some(at));
            s.error = Some(error);
        }
        Vec::new()
    }

    fn apply_settings(&mut self) -> Vec<Effect> {
        let Some((target, title, text)) = self
            .settings_edit()
            .map(|s| (s.target.clone(), s.title.clone(), s.editor.text()))
        else {
            return Vec::new();
        };
        let target = match &target {
            SettingsTarget::Method(target) => target,
            SettingsTarget::Api => return self.apply_api_settings(&title, &text),
            SettingsTarget::Session => {
                return match self.apply_session_settings(&text) {
                    Ok(fx) => {
                        self.close_settings();
                        // The status of the apply stays (closing clears nothing).
                        fx
                    }
                    Err(e) => self.settings_failed(e),
                };
            }
        };
        let Some(old) = target.get(&self.workspace.session.api).cloned() else {
            return self.settings_failed(SettingsError {
                line: 1,
                col: 1,
                message: format!("{title} is no longer in the session"),
            });
        };
        let (new, notes) = match parse_method(&text, &old) {
            Ok(parsed) => parsed,
            Err(e) => return self.settings_failed(e),
        };
        let changes = changed_paths(&old, &new);
        self.close_settings();
        if changes.is_empty() {
            self.set_status(StatusKind::Info, format!("No changes to {title}"));
            return Vec::new();
        }
        if let Some(m) =
            target.get_mut(&mut std::sync::Arc::make_mut(&mut self.workspace.session).api)
        {
            *m = new;
        }
        self.workspace.revision += 1;
        self.record_method_change(
            target.clone(),
            old,
            format!("the changes to {title}: {}", summary(&changes)),
        );
        let fx = self.settings_applied();
        let mut text = format!("Applied to {title}: {}", summary(&changes));
        for n in notes {
            text.push_str(&format!(" · note: {n}"));
        }
        if !self.live() {
            let send = self
                .chrome
                .keymap
                .first_key(crate::app::keymap::Layer::Normal, Action::Send)
                .unwrap_or_default();
            text.push_str(&format!(" ({send} sends the request again)"));
        }
        self.set_status(StatusKind::Success, text);
        fx
    }

    /// After the API changed: route again, show the template as it is now, render, and run
    /// when the backend runs live.
    pub(super) fn settings_applied(&mut self) -> Vec<Effect> {
        self.reroute();
        let current = self
            .method()
            .zip(self.slots.get(self.slot))
            .and_then(|(m, s)| s.text(m))
            .unwrap_or_default();
        if current != self.template_editor.text() {
            self.load_template_text();
        }
        let mut fx = self.refresh_effects();
        if self.live() {
            fx.extend(self.run_effect());
        }
        fx
    }
}
