//! `update`: the only place the model changes. Synchronous, no I/O; it returns effects.
//!
//! Key routing order: force-quit first, then the open overlay, then the editor while
//! editing (it gets every key the editing layer does not bind), then the normal layer.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::editor::EditOutcome;
use crate::app::keymap::Layer;
use crate::app::views::RenderFailure;
use crate::app::{
    App, Effect, Mode, Msg, Origin, Overlay, Pane, RunState, SettingsStep, Status, StatusJob,
    StatusKind,
};
use crate::gateway::Phase;
use crate::gateway::trace::StageOutcome;

/// More keys than this after an Esc in one burst are the rest of a paste, not commands.
const PASTE_TAIL: usize = 8;

/// Apply a message to the app and return the effects to run.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let revision = app.workspace.revision;
    let mut fx = dispatch(app, msg);
    // A message that stood for a job ends with it (cancelled, failed, replaced by a newer
    // one): a job that ended with an outcome has replaced it already.
    app.end_job_status();
    // Every edit refreshes the autosave copy (the runtime writes at most one a second); an
    // edit that brings the session back to its file makes it clean, and the copy goes.
    if app.workspace.revision != revision {
        app.workspace.compare_with_saved();
        if app.is_dirty() {
            fx.extend(app.autosave_effect());
        } else {
            fx.extend(app.discard_autosave());
        }
    }
    // A running server serves every edit from the next request on.
    fx.extend(app.serve_edits_effect());
    fx
}

fn dispatch(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => app.on_key(key),
        Msg::Keys(keys) => app.on_keys(keys),
        Msg::Paste(text) => app.on_paste(&text),
        Msg::Click(pane) => app.on_click(pane),
        Msg::Scroll(pane, lines) => app.on_wheel(pane, lines),
        Msg::JobFailed { job, why } => dispatch(app, job.failure(why)),
        Msg::Drawn(areas) => {
            app.chrome.areas = areas;
            Vec::new()
        }
        Msg::Resize(w, h) => {
            app.chrome.size = (w, h);
            app.highlight_if_needed().into_iter().collect()
        }
        Msg::Tick => {
            app.chrome.ticks = app.chrome.ticks.wrapping_add(1);
            Vec::new()
        }
        Msg::Action(a) => app.perform(a),
        Msg::Rendered(outcome) => {
            if outcome.generation != app.preview.render_generation {
                return Vec::new();
            }
            let marker = match &outcome.result {
                Err(RenderFailure::Template(e)) => Some((e.line, e.col)),
                _ => None,
            };
            app.template_editor.set_error(marker);
            app.preview.rendered = Some(outcome);
            Vec::new()
        }
        Msg::Highlighted(h) => {
            if h.generation == app.preview.highlight_generation {
                app.template_editor.set_highlight(h.rows);
            }
            Vec::new()
        }
        Msg::Traced(outcome) => app.on_trace(outcome),
        Msg::Compared(outcome) => app.on_compared(*outcome),
        Msg::Saved {
            path,
            revision,
            result,
            stamp,
        } => {
            let ok = result.is_ok();
            let mut fx = app.on_saved(path, revision, result, stamp);
            // A session waiting for this save opens now (or is given up when it failed).
            fx.extend(app.open_after_save(ok));
            fx
        }
        Msg::Remembered { key, result } => {
            if let Err(e) = result {
                app.set_status(
                    StatusKind::Error,
                    format!("Could not remember the {key}: {e}"),
                );
            }
            Vec::new()
        }
        Msg::SaveConflict(conflict) => {
            // The file changed on disk: nothing opens on the back of this save.
            app.opening = None;
            app.set_status(
                StatusKind::Error,
                format!(
                    "Not saved: {} changed on disk since it was opened",
                    conflict.path.display()
                ),
            );
            app.workspace.save_conflict = Some(conflict);
            app.overlay = Some(Overlay::ConfirmOverwrite { scroll: 0 });
            Vec::new()
        }
        Msg::SessionList { dir, result } => app.on_session_list(dir, result),
        Msg::SessionLoaded { path, result } => app.on_session_loaded(path, result),
        Msg::TokenMinted {
            header,
            index,
            result,
        } => app.on_token_minted(&header, index, result),
        Msg::Autosaved { result } => {
            if let Err(e) = result {
                app.set_status(StatusKind::Error, format!("Autosave failed: {e}"));
            }
            Vec::new()
        }
        Msg::Listening { generation, result } => app.on_listening(generation, result),
        Msg::DirListed { generation, result } => app.on_dir_listed(generation, result),
        Msg::Imported { generation, result } => app.on_imported(generation, result),
        Msg::CurlParsed { generation, result } => app.on_curl_parsed(generation, result),
        Msg::Served(served) => app.on_served(*served),
        Msg::Paused(paused) => app.on_paused(*paused),
        Msg::Copied { what, result } => {
            match result {
                Ok(n) => app.set_status(StatusKind::Success, format!("Copied {what} ({n} bytes)")),
                Err(e) => app.set_status(StatusKind::Error, format!("Copy failed: {e}")),
            }
            Vec::new()
        }
    }
}

impl App {
    /// A save ended: the file is now the session's, or the edits stay (and say so).
    fn on_saved(
        &mut self,
        path: std::path::PathBuf,
        revision: u64,
        result: Result<(), String>,
        stamp: Option<crate::session::file::Stamp>,
    ) -> Vec<Effect> {
        match result {
            Ok(()) => {
                self.workspace.saved_as(revision);
                self.workspace.disk_stamp = stamp;
                self.set_status(StatusKind::Success, format!("Saved {}", path.display()));
                // The copy belongs to the session as it was named before this save.
                let discard = self.discard_autosave();
                let was_new = matches!(self.workspace.origin, Origin::Imported { .. });
                self.workspace.origin = Origin::File(path);
                if was_new {
                    // Edits made while the first save ran are in the new file's copy now.
                    let mut fx: Vec<Effect> = discard.into_iter().collect();
                    fx.extend(self.autosave_effect());
                    return fx;
                }
                if !self.is_dirty() {
                    return discard.into_iter().collect();
                }
            }
            Err(e) => {
                if let Origin::Imported { saving, .. } = &mut self.workspace.origin {
                    *saving = false;
                }
                self.set_status(
                    StatusKind::Error,
                    format!("Save failed, nothing was lost, your edits are still here: {e}"),
                );
            }
        }
        Vec::new()
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        // A message lasts until the next key.
        self.chrome.status = None;
        let layer = match (&self.overlay, self.chrome.mode) {
            (Some(Overlay::Help { .. }), _) => Layer::Help,
            (
                Some(Overlay::ConfirmQuit | Overlay::Recover | Overlay::ConfirmOverwrite { .. }),
                _,
            ) => Layer::Confirm,
            (Some(Overlay::Search), _) if self.search.browsing() => Layer::Matches,
            (Some(Overlay::Search), _) => Layer::Search,
            (Some(Overlay::Picker { .. }), _) => Layer::Picker,
            (Some(Overlay::ConfirmOpen { .. }), _) => Layer::Unsaved,
            (Some(Overlay::Requests), _) => Layer::Requests,
            (Some(Overlay::ImportPath), _) => Layer::ImportPath,
            (Some(Overlay::Operations { .. } | Overlay::ImportWarnings { .. }), _) => {
                Layer::Operations
            }
            (Some(Overlay::Curl), _) => Layer::Curl,
            (Some(Overlay::Compare(_)), _) => Layer::Compare,
            (Some(Overlay::Lint { .. }), _) => Layer::Lint,
            (Some(Overlay::Settings(edit)), _) => match edit.step() {
                SettingsStep::Editing => Layer::Settings,
                SettingsStep::Searching if self.search.browsing() => Layer::Matches,
                SettingsStep::Searching => Layer::Search,
                SettingsStep::ConfirmDiscard => Layer::Confirm,
            },
            (None, Mode::Editing) => Layer::Editing,
            (None, Mode::Normal) => Layer::Normal,
        };
        if let Some(second) = self.esc_pair(layer, &key) {
            let mut fx = self.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
            fx.extend(self.on_key(second));
            return fx;
        }
        if let Some(action) = self.chrome.keymap.action(layer, &key) {
            return self.perform(action);
        }
        match layer {
            Layer::Search => return self.search_input(key),
            Layer::Matches => {
                // Any other key ends the search, then does what it does without it.
                let mut fx = match self.overlay {
                    Some(Overlay::Settings(_)) => self.perform(crate::app::Action::Cancel),
                    _ => {
                        self.end_search();
                        Vec::new()
                    }
                };
                fx.extend(self.on_key(key));
                return fx;
            }
            Layer::ImportPath => return self.path_input(key),
            Layer::Curl => return self.curl_input(key),
            Layer::Settings => return self.settings_input(key),
            _ => {}
        }
        if layer != Layer::Editing {
            return Vec::new();
        }
        match self.chrome.focus {
            Pane::Template => match self.template_editor.input(key) {
                Some(EditOutcome::Changed) => self.template_changed(),
                Some(EditOutcome::Moved) => self.highlight_if_needed().into_iter().collect(),
                None => Vec::new(),
            },
            Pane::Request => match self.request_editor.input(key) {
                Some(EditOutcome::Changed) => self.request_changed(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Esc typed quickly before a character reaches the workbench as one key, Alt+character
    /// (tmux, and terminals reading both bytes at once, send `ESC c`): an Alt+character that
    /// nothing binds in `layer` (neither the keymap nor the editor, whose own are
    /// [`Editor::ALT_KEYS`]) is read as Esc followed by that character, which is returned.
    ///
    /// [`Editor::ALT_KEYS`]: crate::app::editor::Editor::ALT_KEYS
    fn esc_pair(&self, layer: Layer, key: &KeyEvent) -> Option<KeyEvent> {
        let KeyCode::Char(c) = key.code else {
            return None;
        };
        if key.modifiers.difference(KeyModifiers::SHIFT) != KeyModifiers::ALT {
            return None;
        }
        let editor = matches!(layer, Layer::Editing | Layer::Settings | Layer::Curl);
        if self.chrome.keymap.action(layer, key).is_some()
            || (editor && crate::app::editor::Editor::ALT_KEYS.contains(&c))
        {
            return None;
        }
        Some(KeyEvent::new(
            KeyCode::Char(c),
            key.modifiers.difference(KeyModifiers::ALT),
        ))
    }

    /// A burst of keys: the keys the editor takes go straight to it, and what follows from
    /// the change (parse, render, highlight, autosave) is done once at the end, or before a
    /// key the app binds. Esc while editing inside a paste (keys of the same burst typed
    /// before it, or many keys after it) stops the burst: the keys after it (the rest of the
    /// paste) are dropped rather than read as commands. Esc and a key or two in a burst of
    /// their own are a person typing quickly: those keys are commands (so is the character of
    /// an Alt+character: see `esc_pair`).
    fn on_keys(&mut self, keys: Vec<KeyEvent>) -> Vec<Effect> {
        let mut fx = Vec::new();
        // The editor in a burst, and whether its text changed.
        let mut burst: Option<(Pane, bool)> = None;
        // Whether keys of this burst were typed into an editor (a paste arriving as keys).
        let mut typed = false;
        let total = keys.len();
        for (i, key) in keys.into_iter().enumerate() {
            if key.kind == KeyEventKind::Release {
                continue;
            }
            let focus = self.chrome.focus;
            let editing = self.overlay.is_none()
                && self.chrome.mode == Mode::Editing
                && matches!(focus, Pane::Template | Pane::Request);
            let action = editing
                .then(|| self.chrome.keymap.action(Layer::Editing, &key))
                .flatten();
            // Esc and a key read as one (Alt+key) leave the editor: see `on_key`.
            let esc_pair =
                editing && action.is_none() && self.esc_pair(Layer::Editing, &key).is_some();
            if editing && action.is_none() && !esc_pair {
                self.chrome.status = None;
                let editor = if focus == Pane::Template {
                    &mut self.template_editor
                } else {
                    &mut self.request_editor
                };
                let (pane, changed) = burst.get_or_insert_with(|| {
                    editor.begin_burst();
                    (focus, false)
                });
                debug_assert_eq!(*pane, focus);
                *changed |= editor.input(key) == Some(EditOutcome::Changed);
                typed = true;
                continue;
            }
            fx.extend(self.end_burst(burst.take()));
            let leave = action == Some(crate::app::Action::LeaveEdit) || esc_pair;
            let rest = total - i - 1 + usize::from(esc_pair);
            // A paste: keys typed before the Esc, or more after it than a person types in the
            // moment the terminal takes to hand over a key.
            if leave && rest > 0 && (typed || rest > PASTE_TAIL) {
                fx.extend(self.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
                self.set_status(
                    StatusKind::Info,
                    format!("Stopped at Esc: {rest} keys after it were not typed"),
                );
                return fx;
            }
            fx.extend(self.on_key(key));
        }
        fx.extend(self.end_burst(burst));
        fx
    }

    /// The burst in `burst` is over: one change for all of it.
    fn end_burst(&mut self, burst: Option<(Pane, bool)>) -> Vec<Effect> {
        let Some((pane, changed)) = burst else {
            return Vec::new();
        };
        match pane {
            Pane::Template => {
                self.template_editor.end_burst();
                if changed {
                    self.template_changed()
                } else {
                    self.highlight_if_needed().into_iter().collect()
                }
            }
            _ => {
                self.request_editor.end_burst();
                if changed {
                    self.request_changed()
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        match &self.overlay {
            Some(Overlay::ImportPath) => return self.path_paste(text),
            Some(Overlay::Curl) => return self.curl_paste(text),
            Some(Overlay::Settings(edit)) if edit.step() == SettingsStep::Editing => {
                return self.settings_paste(text);
            }
            _ => {}
        }
        if self.chrome.mode != Mode::Editing || self.overlay.is_some() {
            return Vec::new();
        }
        match self.chrome.focus {
            Pane::Template if self.template_editor.paste(text) => self.template_changed(),
            Pane::Request if self.request_editor.paste(text) => self.request_changed(),
            _ => Vec::new(),
        }
    }

    fn on_click(&mut self, pane: Pane) -> Vec<Effect> {
        if self.overlay.is_none() && pane != self.chrome.focus {
            self.chrome.focus = pane;
            self.chrome.mode = Mode::Normal;
            self.sync_editor_cursors();
        }
        Vec::new()
    }

    fn on_wheel(&mut self, pane: Pane, lines: i16) -> Vec<Effect> {
        if self.overlay.is_some() {
            return Vec::new();
        }
        self.scroll_pane(pane, lines)
    }

    fn on_trace(&mut self, outcome: crate::app::views::TraceOutcome) -> Vec<Effect> {
        if outcome.generation != self.run_view.run_generation {
            return Vec::new();
        }
        self.run_view.run = RunState::Idle;
        match outcome.result {
            Ok(view) => {
                // The run a message stands for (a send, a replay) is back: say how it ended,
                // and why.
                if let Some(Status {
                    job: Some(StatusJob::Run { generation, done }),
                    ..
                }) = &self.chrome.status
                    && *generation == outcome.generation
                {
                    let got = if done.is_empty() {
                        "Client got".to_string()
                    } else {
                        format!("{done}client got")
                    };
                    let status = view.trace.response.status;
                    match view.trace.stages.iter().find_map(|s| match &s.outcome {
                        StageOutcome::Failed(why) => Some((s.stage, why)),
                        _ => None,
                    }) {
                        Some((stage, why)) => self.set_status(
                            StatusKind::Error,
                            format!("{got} {status}: {} failed: {why}", stage.label()),
                        ),
                        None => self.set_status(StatusKind::Success, format!("{got} {status}")),
                    }
                }
                self.run_view.trace = Some(view);
                // The panes follow the trace: the template it rendered at this stage.
                let fx = self.show_stage_template();
                if !fx.is_empty() {
                    return fx;
                }
                // The response template reads the backend's answer: render it again.
                if self
                    .template_slot()
                    .is_some_and(|s| s.phase == Phase::Response)
                {
                    return self.render_effect().into_iter().collect();
                }
            }
            Err(e) => self.set_status(StatusKind::Error, e),
        }
        Vec::new()
    }

    /// Take away a status message whose job is over without an outcome of its own (cancelled,
    /// failed without a trace, replaced by a newer run, a server stopped while binding).
    fn end_job_status(&mut self) {
        let over = match self.chrome.status.as_ref().and_then(|s| s.job.as_ref()) {
            Some(StatusJob::Run { generation, .. }) => {
                self.run_view.run
                    != (RunState::Running {
                        generation: *generation,
                    })
            }
            Some(StatusJob::Listen { generation }) => {
                self.listen.state()
                    != (crate::app::listen::Listening::Starting {
                        generation: *generation,
                    })
            }
            None => false,
        };
        if over {
            self.chrome.status = None;
        }
    }

    /// Show the cursor only in the editor being edited.
    pub(super) fn sync_editor_cursors(&mut self) {
        let editing = self.chrome.mode == Mode::Editing;
        self.template_editor
            .set_active(editing && self.chrome.focus == Pane::Template);
        self.request_editor
            .set_active(editing && self.chrome.focus == Pane::Request);
    }

    /// Scroll a pane by `delta` lines (editors move their view and cursor).
    pub(super) fn scroll_pane(&mut self, pane: Pane, delta: i16) -> Vec<Effect> {
        match pane {
            Pane::Template => {
                self.template_editor.scroll(delta);
                self.highlight_if_needed().into_iter().collect()
            }
            Pane::Request if self.chrome.mode == Mode::Editing => {
                self.request_editor.scroll(delta);
                Vec::new()
            }
            _ => {
                let max = self.max_scroll(pane);
                let s = &mut self.chrome.scroll[pane.index()];
                *s = s.saturating_add_signed(isize::from(delta)).min(max);
                Vec::new()
            }
        }
    }

    /// The largest useful scroll offset of a read-only pane: its last page fills the pane as
    /// the last frame drew it. Every scroll of a read-only pane is bounded here.
    pub(super) fn max_scroll(&self, pane: Pane) -> usize {
        // The height the last frame gave the pane (a pane not shown counts as one line).
        let height = self
            .chrome
            .areas
            .pane(pane)
            .map_or(1, |a| usize::from(a.rect.height.saturating_sub(2)).max(1));
        self.content_len(pane).saturating_sub(height)
    }

    /// Lines of content in a read-only pane (bounds scrolling).
    pub(super) fn content_len(&self, pane: Pane) -> usize {
        let t = self.trace();
        match pane {
            Pane::Rendered => self
                .preview
                .rendered
                .as_ref()
                .map_or(0, |r| match &r.result {
                    Ok(out) => out.view.len() + 2,
                    Err(_) => 4,
                }),
            Pane::Backend if self.chrome.show_changes => t.map_or(0, |t| t.changes.len()),
            Pane::Backend => t.map_or(0, |t| {
                t.endpoint_request.as_ref().map_or(0, |s| s.len())
                    + t.endpoint_response.as_ref().map_or(0, |s| s.len())
                    + 4
            }),
            Pane::Response => t.map_or(0, |t| t.response.len()),
            Pane::Log => t.map_or(0, |t| t.log.len()),
            // Wrapped to the width it was drawn at: the view counted its rows.
            Pane::Integration => self
                .chrome
                .areas
                .pane(pane)
                .and_then(|a| a.wrapped_rows)
                .unwrap_or(0),
            Pane::Template => self.template_editor.lines().len(),
            Pane::Request => self.request_view.len(),
        }
    }
}
