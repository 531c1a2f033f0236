//! Adding a request from a curl command line: a prompt filled by pasting (bracketed paste,
//! multi-line commands with `\` continuations) or typing, parsed off the loop by the importer's
//! `import_curl` (an `@file` argument reads a file), then added to the session's saved
//! requests and shown in the panes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::editor::Editor;
use crate::app::{App, Effect, Overlay, StatusKind};
use crate::session::SavedRequest;

/// The curl prompt's state. It outlives the overlay on purpose: the text of a command that
/// failed to parse is still there when the prompt is opened again.
#[derive(Debug, Default)]
pub(super) struct CurlDraft {
    /// The command being typed or pasted.
    pub(super) editor: Editor,
    /// Why the last command could not be parsed (cleared by an edit).
    pub(super) error: Option<String>,
    /// Bumped for each parse started and on cancel: older answers are dropped.
    pub(super) generation: u64,
}

impl App {
    /// The curl prompt's editor.
    pub fn curl_editor(&self) -> &Editor {
        &self.curl.editor
    }

    /// Why the last curl command could not be parsed (cleared by an edit).
    pub fn curl_error(&self) -> Option<&str> {
        self.curl.error.as_deref()
    }

    /// Open the prompt; the text of a command that failed to parse is still there.
    pub(super) fn open_curl(&mut self) -> Vec<Effect> {
        self.overlay = Some(Overlay::Curl);
        self.curl.editor.set_active(true);
        Vec::new()
    }

    /// A key while the prompt is open (the prompt's own keys were taken already).
    pub(super) fn curl_input(&mut self, key: KeyEvent) -> Vec<Effect> {
        // A newline is Enter after a trailing backslash (handled on submit) or alt+enter.
        let key = if key.code == KeyCode::Enter {
            KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)
        } else {
            key
        };
        if self.curl.editor.input(key).is_some() {
            self.curl.error = None;
        }
        Vec::new()
    }

    /// Pasted text goes into the prompt at the cursor.
    pub(super) fn curl_paste(&mut self, text: &str) -> Vec<Effect> {
        if self.curl.editor.paste(text) {
            self.curl.error = None;
        }
        Vec::new()
    }

    /// Enter: continue the command on a new line after a trailing `\` (as a shell does),
    /// else parse it (off the loop).
    pub(super) fn submit_curl(&mut self) -> Vec<Effect> {
        let (row, col) = self.curl.editor.cursor();
        let continued = {
            let lines = self.curl.editor.lines();
            let line = lines.get(row).map_or("", String::as_str);
            col == line.chars().count() && line.trim_end().ends_with('\\')
        };
        if continued {
            self.curl
                .editor
                .input(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
            return Vec::new();
        }
        let text = self.curl.editor.text();
        if text.trim().is_empty() {
            self.curl.error = Some("paste or type a curl command first".into());
            return Vec::new();
        }
        self.curl.generation += 1;
        vec![Effect::ParseCurl {
            generation: self.curl.generation,
            text,
        }]
    }

    /// The parsed command: add its request and show it, or keep the text and say what is
    /// wrong.
    pub(super) fn on_curl_parsed(
        &mut self,
        generation: u64,
        result: Result<SavedRequest, String>,
    ) -> Vec<Effect> {
        if generation != self.curl.generation || !matches!(self.overlay, Some(Overlay::Curl)) {
            return Vec::new();
        }
        let mut request = match result {
            Ok(r) => r,
            Err(e) => {
                self.set_status(StatusKind::Error, e.clone());
                self.curl.error = Some(e);
                return Vec::new();
            }
        };
        let shown_path = crate::gateway::routing::strip_stage(
            &request.path,
            self.workspace.session.api.stage.as_deref(),
        )
        .unwrap_or_else(|| request.path.clone());
        request.name = self.free_request_name(&format!("curl: {} {shown_path}", request.method));
        let (method, path) = (request.method.clone(), request.path.clone());
        std::sync::Arc::make_mut(&mut self.workspace.session)
            .requests
            .push(request);
        self.workspace.revision += 1;
        self.overlay = None;
        self.curl.error = None;
        self.curl.editor.set_text("");
        let n = self.workspace.session.requests.len();
        let fx = self.select_request(n - 1);
        let name = self.request().map(|r| r.name.clone()).unwrap_or_default();
        match self.method_ref().filter(|_| self.routed()) {
            Some(m) => {
                let reached = m.describe(&self.workspace.session.api);
                self.set_status(
                    StatusKind::Success,
                    format!("Added request {n} \"{name}\": it reaches {reached}"),
                );
            }
            None => self.set_status(
                StatusKind::Info,
                format!(
                    "Added request {n} \"{name}\": no method of this API matches {method} {path}, so the gateway answers 403 Missing Authentication Token"
                ),
            ),
        }
        fx
    }

    /// `base`, or `base (2)`, `base (3)`, ... when a saved request has that name already.
    fn free_request_name(&self, base: &str) -> String {
        let taken = |n: &str| self.workspace.session.requests.iter().any(|r| r.name == n);
        if !taken(base) {
            return base.to_string();
        }
        (2..)
            .map(|i| format!("{base} ({i})"))
            .find(|n| !taken(n))
            .unwrap_or_else(|| base.to_string())
    }
}
