//! The settings editor: the current method's settings as TOML, exactly as they read under
//! `[api.resources.methods.VERB]` in the session file, in an overlay with the same editor as
//! the Template pane. `Ctrl-s` parses the text (unknown fields are errors), checks what the
//! gateway itself would refuse (`gateway::settings`), and on success replaces the method in
//! the session as one edit: autosave, the dirty marker and listen mode follow, and the
//! request is rendered and run again.
//!
//! Mapping templates are left out of the text: they are edited in the Template pane and kept
//! as they are. A template written in the text is added, or replaces the one of its content
//! type.

use crossterm::event::KeyEvent;
use serde_json::Value;

use crate::app::route::MethodRef;
use crate::app::{Action, App, Effect, Overlay, StatusKind};
use crate::gateway::api::Method;
use crate::gateway::settings::{self, Severity};
use crate::ui::widgets::editor::{EditOutcome, Editor};

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
}

/// Why the text cannot be applied: where (1-based line and character column) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    /// 1-based line.
    pub line: usize,
    /// 1-based character column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// The open settings editor.
#[derive(Clone, Debug)]
pub struct SettingsEdit {
    target: SettingsTarget,
    title: String,
    original: String,
    error: Option<SettingsError>,
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
}

/// The method's settings as the session file holds them, without the mapping templates and
/// without the empty tables of settings that are not set (they read as clutter; leaving them
/// out means the same).
pub fn method_text(m: &Method) -> Result<String, String> {
    fn drop_empty(o: &mut serde_json::Map<String, Value>, keys: &[&str]) {
        o.retain(|k, v| match v {
            Value::Object(inner) => !(inner.is_empty() && keys.contains(&k.as_str())),
            // TOML has no null: an unset optional setting is simply not written.
            Value::Null => false,
            _ => true,
        });
    }
    fn each_object(v: Option<&mut Value>, mut f: impl FnMut(&mut serde_json::Map<String, Value>)) {
        if let Some(Value::Object(map)) = v {
            for item in map.values_mut() {
                if let Value::Object(o) = item {
                    f(o);
                }
            }
        }
    }
    let mut v = serde_json::to_value(m).map_err(|e| e.to_string())?;
    if let Value::Object(o) = &mut v {
        each_object(o.get_mut("methodResponses"), |r| {
            drop_empty(r, &["responseParameters", "responseModels"]);
        });
        if let Some(Value::Object(i)) = o.get_mut("integration") {
            i.shift_remove("requestTemplates");
            each_object(i.get_mut("integrationResponses"), |r| {
                r.shift_remove("responseTemplates");
                drop_empty(r, &["responseParameters"]);
            });
            drop_empty(i, &["requestParameters", "integrationResponses"]);
        }
        drop_empty(
            o,
            &["requestParameters", "requestModels", "methodResponses"],
        );
    }
    toml::to_string_pretty(&v).map_err(|e| e.to_string())
}

/// 1-based (line, character column) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// Where the key at `path` is written in `text` (the deepest key found), as a byte offset.
fn locate(text: &str, path: &[String]) -> Option<usize> {
    use toml::de::{DeTable, DeValue};
    let doc = DeTable::parse(text).ok()?;
    let mut table = doc.get_ref();
    let mut found = None;
    for segment in path {
        let Some((k, v)) = table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == segment.as_str())
        else {
            break;
        };
        found = Some(k.span().start);
        match v.get_ref() {
            DeValue::Table(t) => table = t,
            _ => break,
        }
    }
    found
}

/// Parse the text into a method, keep the templates of `old`, and check it as the gateway
/// would. Returns the method and the notes (accepted, with conditions).
pub fn parse_method(text: &str, old: &Method) -> Result<(Method, Vec<String>), SettingsError> {
    let mut new: Method = toml::from_str(text).map_err(|e| {
        let (line, col) = line_col(text, e.span().map_or(0, |s| s.start));
        SettingsError {
            line,
            col,
            message: e.message().trim().to_string(),
        }
    })?;
    keep_templates(&mut new, old);
    let mut notes = Vec::new();
    for f in settings::check_method(&new) {
        match f.severity {
            Severity::Refused => {
                let (line, col) = locate(text, &f.path).map_or((1, 1), |o| line_col(text, o));
                return Err(SettingsError {
                    line,
                    col,
                    message: format!("the gateway refuses this: {}", f.message),
                });
            }
            Severity::Note => notes.push(f.message),
        }
    }
    Ok((new, notes))
}

/// Put `old`'s templates back into `new`; those written in `new` win for their content type.
fn keep_templates(new: &mut Method, old: &Method) {
    let merge = |kept: &indexmap::IndexMap<String, String>,
                 written: &mut indexmap::IndexMap<String, String>| {
        let mut all = kept.clone();
        all.extend(std::mem::take(written));
        *written = all;
    };
    merge(
        &old.integration.request_templates,
        &mut new.integration.request_templates,
    );
    for (name, r) in &mut new.integration.integration_responses {
        if let Some(o) = old.integration.integration_responses.get(name) {
            merge(&o.response_templates, &mut r.response_templates);
        }
    }
}

/// The settings that differ, as dotted session-file paths
/// (`integration.passthroughBehavior`).
pub fn changed_paths(old: &Method, new: &Method) -> Vec<String> {
    fn walk(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
        let join = |k: &str| {
            if at.is_empty() {
                k.to_string()
            } else {
                format!("{at}.{k}")
            }
        };
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, va) in x {
                    match y.get(k) {
                        Some(vb) => walk(va, vb, &join(k), out),
                        None => out.push(join(k)),
                    }
                }
                out.extend(y.keys().filter(|k| !x.contains_key(*k)).map(|k| join(k)));
            }
            _ if a != b => out.push(at.to_string()),
            _ => {}
        }
    }
    let (Ok(a), Ok(b)) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return vec![String::new()];
    };
    let mut out = Vec::new();
    walk(&a, &b, "", &mut out);
    out
}

/// `a, b, c and 2 more`.
fn summary(paths: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut s = paths
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        s.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    s
}

impl App {
    /// The settings editor's text.
    pub fn settings_editor(&self) -> &Editor {
        &self.settings_editor
    }

    /// The open settings editor, if any.
    pub fn settings_edit(&self) -> Option<&SettingsEdit> {
        self.settings.as_ref()
    }

    /// Whether the settings text differs from what was opened.
    pub fn settings_changed(&self) -> bool {
        self.settings
            .as_ref()
            .is_some_and(|s| s.original != self.settings_editor.text())
    }

    /// The settings editor's own actions; `None` when `action` is not one of them here.
    pub(super) fn perform_settings(&mut self, action: Action) -> Option<Vec<Effect>> {
        let Some(Overlay::Settings(step)) = self.overlay else {
            return (action == Action::EditMethod).then(|| self.open_method_settings());
        };
        let fx = match (step, action) {
            (SettingsStep::Editing, Action::Apply) => self.apply_settings(),
            (SettingsStep::Editing, Action::Cancel) => {
                if self.settings_changed() {
                    self.overlay = Some(Overlay::Settings(SettingsStep::ConfirmDiscard));
                } else {
                    self.close_settings();
                }
                Vec::new()
            }
            (SettingsStep::Editing, Action::Undo | Action::Redo) => {
                let changed = if action == Action::Undo {
                    self.settings_editor.undo()
                } else {
                    self.settings_editor.redo()
                };
                if changed {
                    self.clear_settings_error();
                }
                Vec::new()
            }
            (SettingsStep::Editing, Action::Search) => {
                self.overlay = Some(Overlay::Settings(SettingsStep::Searching));
                Vec::new()
            }
            (SettingsStep::Searching, Action::SearchNext) => {
                let query = self.search.clone();
                match self.settings_editor.select_next(&query) {
                    Some((row, col)) => self.set_status(
                        StatusKind::Info,
                        format!("\"{query}\" at line {}, column {}", row + 1, col + 1),
                    ),
                    None => self.set_status(StatusKind::Error, format!("\"{query}\" not found")),
                }
                Vec::new()
            }
            (SettingsStep::Searching, Action::Cancel)
            | (SettingsStep::ConfirmDiscard, Action::ConfirmNo) => {
                self.overlay = Some(Overlay::Settings(SettingsStep::Editing));
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
        if self.settings_editor.input(key) == Some(EditOutcome::Changed) {
            self.clear_settings_error();
        }
        Vec::new()
    }

    /// Pasted text goes into the settings text at the cursor.
    pub(super) fn settings_paste(&mut self, text: &str) -> Vec<Effect> {
        if self.settings_editor.paste(text) {
            self.clear_settings_error();
        }
        Vec::new()
    }

    fn clear_settings_error(&mut self) {
        if let Some(s) = &mut self.settings {
            s.error = None;
        }
    }

    fn close_settings(&mut self) {
        self.overlay = None;
        self.settings = None;
        self.settings_editor.set_text("", &self.theme);
    }

    /// Open the editor on the current method's settings.
    pub(super) fn open_method_settings(&mut self) -> Vec<Effect> {
        let Some(target) = self.method.clone() else {
            self.set_status(StatusKind::Error, "The session's API has no method");
            return Vec::new();
        };
        let Some(method) = target.get(&self.session.api) else {
            return Vec::new();
        };
        let text = match method_text(method) {
            Ok(t) => t,
            Err(e) => {
                self.set_status(
                    StatusKind::Error,
                    format!("Cannot show the method's settings: {e}"),
                );
                return Vec::new();
            }
        };
        self.settings_editor.set_text(&text, &self.theme);
        self.settings_editor.set_active(true, &self.theme);
        self.settings = Some(SettingsEdit {
            title: target.describe(&self.session.api),
            target: SettingsTarget::Method(target),
            original: text,
            error: None,
        });
        self.overlay = Some(Overlay::Settings(SettingsStep::Editing));
        Vec::new()
    }

    fn settings_failed(&mut self, error: SettingsError) -> Vec<Effect> {
        let at = (
            u32::try_from(error.line).unwrap_or(u32::MAX),
            u32::try_from(error.col).unwrap_or(u32::MAX),
        );
        self.settings_editor.set_error(Some(at));
        self.set_status(StatusKind::Error, format!("Not applied: {error}"));
        if let Some(s) = &mut self.settings {
            s.error = Some(error);
        }
        Vec::new()
    }

    fn apply_settings(&mut self) -> Vec<Effect> {
        let Some(edit) = self.settings.clone() else {
            return Vec::new();
        };
        let text = self.settings_editor.text();
        let SettingsTarget::Method(target) = &edit.target;
        let Some(old) = target.get(&self.session.api).cloned() else {
            return self.settings_failed(SettingsError {
                line: 1,
                col: 1,
                message: format!("{} is no longer in the session", edit.title),
            });
        };
        let (new, notes) = match parse_method(&text, &old) {
            Ok(parsed) => parsed,
            Err(e) => return self.settings_failed(e),
        };
        let changes = changed_paths(&old, &new);
        self.close_settings();
        if changes.is_empty() {
            self.set_status(StatusKind::Info, format!("No changes to {}", edit.title));
            return Vec::new();
        }
        if let Some(m) = target.get_mut(&mut self.session.api) {
            *m = new;
        }
        self.revision += 1;
        let fx = self.settings_applied();
        let mut text = format!("Applied to {}: {}", edit.title, summary(&changes));
        for n in notes {
            text.push_str(&format!(" · note: {n}"));
        }
        if !self.live() {
            let send = self
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
    fn settings_applied(&mut self) -> Vec<Effect> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_round_trips_for_every_shipped_method() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let s = crate::session::Session::load(&path).unwrap();
            for m in s.api.resources.iter().flat_map(|r| r.methods.values()) {
                let text = method_text(m).unwrap();
                assert!(!text.contains("Templates"), "{text}");
                let (back, _) = parse_method(&text, m).unwrap();
                assert_eq!(&back, m, "{}", path.display());
            }
        }
    }

    #[test]
    fn line_col_counts_characters() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 9), (2, 3));
        assert_eq!(line_col(t, 8), (2, 2), "inside 'é' counts from its start");
        assert_eq!(line_col(t, 999), (3, 1));
    }

    #[test]
    fn locate_finds_keys_in_headers_and_lines() {
        let t = "[integration]\ntype = \"MOCK\"\n\n[integration.integrationResponses.404]\nstatusCode = \"404\"\nselectionPattern = \"4(\"\n";
        let path = |p: &[&str]| p.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let at = |p: &[&str]| locate(t, &path(p)).map(|o| line_col(t, o));
        assert_eq!(
            at(&[
                "integration",
                "integrationResponses",
                "404",
                "selectionPattern"
            ]),
            Some((6, 1))
        );
        assert_eq!(at(&["integration", "type"]), Some((2, 1)));
        assert_eq!(at(&["nothing"]), None);
    }

    #[test]
    fn summary_shortens() {
        let p: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(summary(&p[..2]), "a, b");
        assert_eq!(summary(&p), "a, b, c and 2 more");
    }
}
