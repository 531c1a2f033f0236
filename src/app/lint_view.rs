//! Lint in the workbench: the template shown in the Template pane is linted with its method
//! on the same job and debounce as its preview render (the request carries a [`LintSpec`],
//! the render's outcome the findings), so typing never waits for it. The findings mark their
//! lines in the editor's gutter; the lint list ([`Overlay::Lint`]) shows them with the
//! selected rule's explanation, and `Enter` applies a finding's fix as one edit (undone like
//! any other).

use crate::app::{Action, App, Effect, Overlay, StatusKind};
use crate::gateway::Phase;
use crate::gateway::api::{IntegrationType, Method};
use crate::lint::TemplateSpec;

/// The linter's findings and levels, as the view draws them (the view names the app, not the
/// linter).
pub use crate::lint::{Finding, Level};

/// What the linter needs to know about the template being rendered: owned, so the render
/// job can take it to its thread.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LintSpec {
    /// The content type the template is keyed by.
    pub content_type: String,
    /// Request or response side.
    pub phase: Option<Phase>,
    /// The integration type.
    pub integration: Option<IntegrationType>,
    /// The method and its resource path.
    pub method: Option<(Method, String)>,
    /// Whether the override maps may hold client text (see
    /// [`TemplateSpec::overrides_hold_client_text`]).
    pub overrides_hold_client_text: bool,
}

impl LintSpec {
    /// Lint `text` (the static rules: the data rules need whole runs).
    pub fn lint(&self, text: &str) -> Vec<Finding> {
        let spec = TemplateSpec {
            content_type: &self.content_type,
            phase: self.phase.unwrap_or(Phase::Request),
            integration: self.integration,
            method: self.method.as_ref().map(|(m, p)| (m, p.as_str())),
            api: None,
            samples: None,
            overrides_hold_client_text: self.overrides_hold_client_text,
        };
        crate::lint::lint_template(text, &spec)
    }
}

impl App {
    /// The lint spec of the template in the editor.
    pub(super) fn lint_spec(&self) -> LintSpec {
        let Some(slot) = self.template_slot() else {
            return LintSpec::default();
        };
        let method = self.method();
        let path = self
            .method
            .as_ref()
            .and_then(|m| self.workspace.session.api.resources.get(m.resource))
            .map(|r| r.path.clone())
            .unwrap_or_default();
        LintSpec {
            content_type: slot.content_type.clone(),
            phase: Some(slot.phase),
            integration: method.map(|m| m.integration.kind),
            method: method.map(|m| (m.clone(), path)),
            overrides_hold_client_text: slot.phase == Phase::Response
                && method.is_some_and(crate::lint::request_templates_carry_client_text),
        }
    }

    /// The findings of the template in the editor, as of its last render (in text order).
    pub fn lint_findings(&self) -> &[Finding] {
        self.preview
            .rendered
            .as_ref()
            .map_or(&[], |r| r.findings.as_slice())
    }

    /// The lint list's actions; `None` when the action is not about it.
    pub(super) fn perform_lint(&mut self, action: Action) -> Option<Vec<Effect>> {
        let open = matches!(self.overlay, Some(Overlay::Lint { .. }));
        match action {
            Action::Lint if open => {
                self.overlay = None;
                Some(Vec::new())
            }
            Action::Lint => {
                if self.template_slot().is_none() {
                    self.set_status(StatusKind::Info, "No mapping template to lint here");
                } else if self.lint_findings().is_empty() {
                    self.set_status(
                        StatusKind::Success,
                        "Lint: nothing to say about this template",
                    );
                } else {
                    self.overlay = Some(Overlay::Lint { selected: 0 });
                }
                Some(Vec::new())
            }
            _ if !open => None,
            Action::ScrollDown | Action::ScrollUp => {
                let n = self.lint_findings().len();
                if let Some(Overlay::Lint { selected }) = &mut self.overlay
                    && n > 0
                {
                    *selected = if action == Action::ScrollDown {
                        (*selected + 1) % n
                    } else {
                        (*selected + n - 1) % n
                    };
                }
                Some(Vec::new())
            }
            Action::Choose => Some(self.apply_lint_fix()),
            Action::Cancel => {
                self.overlay = None;
                Some(Vec::new())
            }
            _ => Some(Vec::new()),
        }
    }

    /// The selected finding of the lint list.
    pub fn lint_selected(&self) -> Option<(usize, &Finding)> {
        match self.overlay {
            Some(Overlay::Lint { selected }) => {
                let i = selected.min(self.lint_findings().len().saturating_sub(1));
                self.lint_findings().get(i).map(|f| (i, f))
            }
            _ => None,
        }
    }

    /// Apply the selected finding's fix to the template as one edit, and close the list.
    fn apply_lint_fix(&mut self) -> Vec<Effect> {
        let Some((_, f)) = self.lint_selected() else {
            return Vec::new();
        };
        let Some(fix) = f.fix.clone() else {
            self.set_status(
                StatusKind::Info,
                format!("{} has no mechanical fix: see its explanation", f.rule),
            );
            return Vec::new();
        };
        let rule = f.rule;
        let text = self.template_editor.text();
        // The findings belong to the text they were made from; a fix is applied only to it.
        if fix.end > text.len()
            || !text.is_char_boundary(fix.start)
            || !text.is_char_boundary(fix.end)
        {
            return Vec::new();
        }
        let what = fix.describe(&text);
        self.template_editor
            .replace_as_one_edit(fix.start, fix.end, &fix.text);
        self.overlay = None;
        // The fixed template is shown, and the undo key undoes the fix there.
        self.chrome.focus = crate::app::Pane::Template;
        self.sync_editor_cursors();
        let undo = self
            .chrome
            .keymap
            .first_key(crate::app::keymap::Layer::Normal, Action::Undo)
            .unwrap_or_default();
        self.set_status(
            StatusKind::Success,
            format!("Fixed {rule}: {what} ({undo} undoes)"),
        );
        self.template_changed()
    }
}
