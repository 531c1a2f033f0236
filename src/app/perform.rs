//! What each [`Action`] does to the model.

use std::path::PathBuf;

use crate::app::request_text;
use crate::app::{
    Action, App, DEFAULT_SAVE_PATH, Effect, Mode, Origin, Overlay, Pane, RunState, StatusJob,
    StatusKind,
};
use crate::gateway::trace::Stage;

/// The status while a request sent with the send key is on its way (replaced by its outcome).
pub(super) const SENDING: &str = "Sending the request…";
impl App {
    /// Do what an action asks.
    pub(super) fn perform(&mut self, action: Action) -> Vec<Effect> {
        // The compare view takes its keys first (its own file).
        if let Some(fx) = self.perform_compare(action) {
            return fx;
        }
        // The import and curl overlays (and the keys that open them) have their own files.
        if let Some(fx) = self.perform_import(action) {
            return fx;
        }
        // So do the settings editor and its key, and the unsaved-edits question.
        if let Some(fx) = self.perform_settings(action) {
            return fx;
        }
        if let Some(fx) = self.perform_unsaved(action) {
            return fx;
        }
        if let Some(fx) = self.perform_lint(action) {
            return fx;
        }
        match action {
            Action::ForceQuit => {
                self.quitting = true;
                vec![Effect::Quit]
            }
            Action::Help => {
                self.overlay = match self.overlay {
                    Some(Overlay::Help { .. }) => None,
                    _ => Some(Overlay::Help { scroll: 0 }),
                };
                Vec::new()
            }
            Action::Quit => {
                if self.is_dirty() {
                    self.overlay = Some(Overlay::ConfirmQuit);
                    Vec::new()
                } else {
                    self.quitting = true;
                    vec![Effect::Quit]
                }
            }
            Action::ConfirmYes => match self.overlay {
                Some(Overlay::ConfirmQuit) => {
                    // The edits are dropped on purpose: so is their autosave copy.
                    self.quitting = true;
                    let mut fx: Vec<Effect> = self.discard_autosave().into_iter().collect();
                    fx.push(Effect::Quit);
                    fx
                }
                Some(Overlay::Recover) => self.answer_recovery(true),
                Some(Overlay::ConfirmOverwrite { .. }) => self.overwrite(),
                _ => Vec::new(),
            },
            Action::ConfirmNo => {
                if matches!(self.overlay, Some(Overlay::Recover)) {
                    return self.answer_recovery(false);
                }
                if matches!(self.overlay, Some(Overlay::ConfirmOverwrite { .. }))
                    && let Some(c) = self.workspace.save_conflict.take()
                {
                    self.set_status(
                        StatusKind::Info,
                        format!(
                            "{} left as it is; your edits are still here (and autosaved)",
                            c.path.display()
                        ),
                    );
                }
                self.overlay = None;
                Vec::new()
            }
            Action::FocusNext | Action::FocusPrev => {
                self.chrome.focus = if action == Action::FocusNext {
                    self.chrome.focus.next()
                } else {
                    self.chrome.focus.prev()
                };
                self.chrome.mode = Mode::Normal;
                self.sync_editor_cursors();
                Vec::new()
            }
            Action::Edit => self.start_editing(),
            Action::LeaveEdit => {
                self.chrome.mode = Mode::Normal;
                // Esc ends a selection: the next edit must not replace text left selected.
                self.template_editor.clear_selection();
                self.request_editor.clear_selection();
                self.sync_editor_cursors();
                Vec::new()
            }
            Action::NextStage | Action::PrevStage => self.step(action == Action::NextStage),
            Action::RunAll => {
                self.run_view.stage = Stage::MethodResponse;
                self.run_effect().into_iter().collect()
            }
            Action::Send => {
                let Some(run) = self.run_effect() else {
                    self.set_status(StatusKind::Info, "This session has no saved request");
                    return Vec::new();
                };
                let generation = self.run_view.run_generation;
                self.chrome.set_job_status(
                    SENDING,
                    StatusJob::Run {
                        generation,
                        done: String::new(),
                    },
                );
                vec![run]
            }
            Action::Cancel if matches!(self.overlay, Some(Overlay::Search)) => {
                self.end_search();
                Vec::new()
            }
            Action::Cancel if matches!(self.overlay, Some(Overlay::Picker { .. })) => {
                self.overlay = None;
                Vec::new()
            }
            Action::OpenSession => self.open_picker(),
            Action::ToggleRaw => {
                self.preview.raw = Some(!self.rendered_raw());
                self.chrome.scroll[Pane::Rendered.index()] = 0;
                Vec::new()
            }
            Action::ToggleWrap => self.toggle_wrap(),
            Action::ScrollLeft | Action::ScrollRight => {
                self.scroll_sideways(action == Action::ScrollRight)
            }
            Action::ToggleChanges => {
                self.chrome.show_changes = !self.chrome.show_changes;
                self.chrome.scroll[Pane::Backend.index()] = 0;
                Vec::new()
            }
            Action::Choose if matches!(self.overlay, Some(Overlay::Requests)) => self.show_served(),
            Action::Choose => self.choose(),
            Action::ToggleListen => self.toggle_listen(),
            Action::Requests => self.toggle_requests(),
            Action::Replay => self.replay_served(),
            Action::SaveServed => self.save_served(),
            Action::ToggleBreakpoint => self.toggle_breakpoint(),
            Action::Resume => self.resume_paused(),
            Action::Cancel => self.cancel(),
            Action::Search => {
                self.open_search();
                Vec::new()
            }
            Action::SearchNext => self.search_step(true),
            Action::SearchPrev => self.search_step(false),
            Action::CycleType => self.cycle_type(),
            Action::Compare => self.open_compare(),
            Action::Save => self.save(),
            Action::Zoom => {
                self.chrome.zoomed = !self.chrome.zoomed;
                Vec::new()
            }
            Action::Copy => self.copy(),
            Action::NextTemplate | Action::PrevTemplate => {
                let n = self.slots.len().max(1);
                let fx = if action == Action::NextTemplate {
                    self.select_slot(self.slot + 1)
                } else {
                    self.select_slot(self.slot + n - 1)
                };
                self.stage_follows_template();
                fx
            }
            Action::NextRequest => self.step_request(true),
            Action::PrevRequest => self.step_request(false),
            Action::CycleTheme => {
                self.chrome.theme = self.chrome.theme.next();
                // Syntax colours belong to the old theme; new ones come with the highlight
                // asked for below. The view styles the editors with the new theme itself.
                self.template_editor.clear_highlight();
                let name = self.chrome.theme.name().to_string();
                let mut fx: Vec<Effect> = self.highlight_effect().into_iter().collect();
                match self.chrome.config_path.clone() {
                    Some(path) => {
                        self.set_status(
                            StatusKind::Info,
                            format!("Theme: {name} (remembered in {})", path.display()),
                        );
                        fx.push(Effect::RememberSetting {
                            path: path.clone(),
                            key: "theme",
                            value: name,
                        });
                    }
                    None => self.set_status(StatusKind::Info, format!("Theme: {name}")),
                }
                fx
            }
            Action::ScrollDown => self.scroll_focused(1),
            Action::ScrollUp => self.scroll_focused(-1),
            Action::PageDown => self.page(true),
            Action::PageUp => self.page(false),
            Action::Top | Action::Bottom => self.jump(action == Action::Top),
            Action::Undo | Action::Redo => self.undo_redo(action == Action::Undo),
            Action::MintToken => self.mint_token(),
            // Handled by `perform_import` where they apply; nothing to do elsewhere.
            Action::ImportApi
            | Action::PasteCurl
            | Action::Submit
            | Action::Complete
            | Action::ToggleWarnings
            | Action::EditMethod
            | Action::EditApi
            | Action::EditBackend
            | Action::Apply
            | Action::SaveFirst
            | Action::Discard
            | Action::NextType
            | Action::PrevType
            | Action::Lint => Vec::new(),
        }
    }

    fn start_editing(&mut self) -> Vec<Effect> {
        match self.chrome.focus {
            Pane::Template if self.slots.is_empty() => {
                self.set_status(
                    StatusKind::Info,
                    "This method has no mapping templates to edit",
                );
            }
            Pane::Request if self.request().is_none() => {
                self.set_status(StatusKind::Info, "This session has no saved request");
            }
            // The Integration pane's settings are edited as TOML in an overlay.
            Pane::Integration => return self.open_method_settings(),
            Pane::Template | Pane::Request => {
                self.chrome.mode = Mode::Editing;
                // A search match is shown selected; typing must not replace it.
                self.template_editor.clear_selection();
                self.request_editor.clear_selection();
                self.sync_editor_cursors();
                if self.chrome.focus == Pane::Template && !self.uses_templates() {
                    self.set_status(
                        StatusKind::Info,
                        "Proxy integrations ignore mapping templates; edits apply when you switch the type back",
                    );
                }
            }
            other => {
                let hint = self
                    .chrome
                    .keymap
                    .first_key(crate::app::keymap::Layer::Normal, Action::FocusNext)
                    .unwrap_or_default();
                self.set_status(
                    StatusKind::Info,
                    format!(
                        "{} is read-only: press {hint} to reach the Template or Request pane",
                        other.title()
                    ),
                );
            }
        }
        Vec::new()
    }

    fn cancel(&mut self) -> Vec<Effect> {
        if let RunState::Running { .. } = self.run_view.run {
            self.run_view.run = RunState::Idle;
            // Results of the cancelled call are dropped by generation.
            self.run_view.run_generation += 1;
            self.set_status(StatusKind::Info, "Cancelled the call");
            return vec![Effect::CancelPipeline];
        }
        if self.chrome.zoomed {
            self.chrome.zoomed = false;
        } else {
            self.chrome.status = None;
        }
        // A search match left selected ends here too.
        self.template_editor.clear_selection();
        self.request_editor.clear_selection();
        Vec::new()
    }

    /// The answer yes to "the file changed on disk: overwrite it?".
    fn overwrite(&mut self) -> Vec<Effect> {
        self.overlay = None;
        let Some(c) = self.workspace.save_conflict.take() else {
            return Vec::new();
        };
        self.set_status(StatusKind::Info, format!("Saving {}…", c.path.display()));
        vec![Effect::Save {
            path: c.path,
            session: std::sync::Arc::clone(&self.workspace.session),
            revision: self.workspace.revision,
            expect: self.workspace.disk_stamp,
            force: true,
        }]
    }

    pub(super) fn save(&mut self) -> Vec<Effect> {
        let path = match &mut self.workspace.origin {
            Origin::File(p) => p.clone(),
            Origin::Builtin => PathBuf::from(DEFAULT_SAVE_PATH),
            Origin::Imported { saving: true, .. } => {
                self.set_status(StatusKind::Info, "Already saving…");
                return Vec::new();
            }
            Origin::Imported { dir, saving, .. } => {
                *saving = true;
                let dir = dir.clone();
                self.set_status(
                    StatusKind::Info,
                    format!("Saving as a new file in {}…", dir.display()),
                );
                return vec![Effect::SaveNew {
                    dir,
                    stem: crate::session::slug(&self.workspace.session.name),
                    session: std::sync::Arc::clone(&self.workspace.session),
                    revision: self.workspace.revision,
                }];
            }
        };
        self.set_status(StatusKind::Info, format!("Saving {}…", path.display()));
        vec![Effect::Save {
            path,
            session: std::sync::Arc::clone(&self.workspace.session),
            revision: self.workspace.revision,
            expect: self.workspace.disk_stamp,
            force: false,
        }]
    }

    fn copy(&mut self) -> Vec<Effect> {
        let (what, text) = match self.chrome.focus {
            Pane::Request => {
                let url = format!(
                    "https://{}.execute-api.us-east-1.amazonaws.com",
                    self.workspace.session.api.api_id
                );
                (
                    "request as curl",
                    self.request().map(|r| request_text::to_curl(r, &url)),
                )
            }
            Pane::Integration => (
                "integration (TOML)",
                self.method()
                    .and_then(|m| toml::to_string_pretty(&m.integration).ok()),
            ),
            Pane::Template => ("template", Some(self.template_editor.text())),
            Pane::Rendered => (
                "rendered output",
                self.preview.rendered.as_ref().map(|r| match &r.result {
                    Ok(out) => out.text.clone(),
                    Err(crate::app::views::RenderFailure::Template(e)) => e.to_string(),
                    Err(crate::app::views::RenderFailure::Setup(e)) => e.clone(),
                }),
            ),
            Pane::Backend => (
                "endpoint request body",
                self.trace()
                    .and_then(|t| t.trace.endpoint_request.as_ref())
                    .map(crate::gateway::trace::HttpMessage::body_text),
            ),
            Pane::Response => (
                "response body",
                self.trace().map(|t| t.trace.response.body_text()),
            ),
            Pane::Log => ("log", self.trace().map(|t| t.trace.log.join("\n"))),
        };
        match text {
            Some(text) => vec![Effect::Copy {
                text,
                what: what.to_string(),
            }],
            None => {
                self.set_status(
                    StatusKind::Info,
                    format!("Nothing to copy in {}", self.chrome.focus.title()),
                );
                Vec::new()
            }
        }
    }

    /// The next (or previous) saved request, wrapping around; from a served request, back
    /// to the saved one it replaced.
    fn step_request(&mut self, forward: bool) -> Vec<Effect> {
        let n = self.workspace.session.requests.len();
        let next = if self.viewing.is_some() && n > 0 {
            // Back from a served request to the saved one.
            self.workspace.request_index.min(n - 1)
        } else if n < 2 {
            self.set_status(StatusKind::Info, "This session has only one saved request");
            return Vec::new();
        } else if forward {
            (self.workspace.request_index + 1) % n
        } else {
            (self.workspace.request_index + n - 1) % n
        };
        let fx = self.select_request(next);
        let name = self.request().map(|r| r.name.clone()).unwrap_or_default();
        self.set_status(
            StatusKind::Info,
            format!("Request {}/{n}: {name}", self.workspace.request_index + 1),
        );
        fx
    }

    /// Show saved request `i` in the panes: its text, the method it reaches, that method's
    /// templates, a fresh render, and a run when the backend runs live.
    pub(super) fn select_request(&mut self, i: usize) -> Vec<Effect> {
        self.viewing = None;
        self.workspace.request_index =
            i.min(self.workspace.session.requests.len().saturating_sub(1));
        self.load_request_text();
        self.reroute();
        self.run_view.trace = None;
        let mut fx = self.refresh_effects();
        if self.live() {
            fx.extend(self.run_effect());
        }
        fx
    }
}
