//! One source of truth for what the panes show: the Template and Rendered panes follow the
//! trace on screen (the template the gateway picked at the current stage, found by its
//! integration response and content type), and the stage strip and the Template pane agree:
//! a template chosen by hand, or kept under the cursor while editing, moves the strip to its
//! side, and one the gateway did not use for the answer shown is said to be
//! ([`App::template_used_instead`]).

use crate::app::templates::TemplateSlot;
use crate::app::{App, Effect, Pane};
use crate::gateway::Phase;
use crate::gateway::trace::{RenderedTemplate, Stage};

impl App {
    pub(super) fn step(&mut self, forward: bool) -> Vec<Effect> {
        let i = Stage::ALL
            .iter()
            .position(|s| *s == self.run_view.stage)
            .unwrap_or(0);
        let j = if forward {
            (i + 1).min(Stage::ALL.len() - 1)
        } else {
            i.saturating_sub(1)
        };
        self.run_view.stage = Stage::ALL[j];
        self.show_stage_template()
    }

    /// Select the template the trace on screen rendered at the current stage (the request
    /// template at the integration request, the response template the gateway picked at the
    /// integration response and after), so the Template and Rendered panes follow the trace.
    /// Not while the template is being edited: the text under the cursor stays, and the
    /// stage strip follows it instead (so the two agree).
    pub(super) fn show_stage_template(&mut self) -> Vec<Effect> {
        let Some(phase) = stage_phase(self.run_view.stage) else {
            return Vec::new();
        };
        if self.chrome.mode == crate::app::Mode::Editing && self.chrome.focus == Pane::Template {
            self.stage_follows_template();
            return Vec::new();
        }
        let used = self.used_template(phase).cloned();
        if let Some(used) = used {
            let fx = self.select_matching(|s, text| slot_is(s, text, phase, &used));
            if !fx.is_empty() || self.template_slot().is_some_and(|s| s.phase == phase) {
                return fx;
            }
        } else if self.run_view.stage == Stage::MethodResponse {
            // No response template applied: the template looked at stays.
            return Vec::new();
        }
        if self.template_slot().is_some_and(|s| s.phase != phase) {
            return self.select_matching(|s, _| s.phase == phase);
        }
        Vec::new()
    }

    /// The template the trace on screen rendered on `phase`'s side.
    fn used_template(&self, phase: Phase) -> Option<&RenderedTemplate> {
        let t = &self.trace()?.trace;
        match phase {
            Phase::Request => t.request_template.as_ref(),
            Phase::Response => t.response_template.as_ref(),
        }
    }

    /// When the Template pane shows a template of the other side than the current stage's (one
    /// chosen by hand, or kept under the cursor while editing), the stage moves to that
    /// template's: the strip and the Template pane agree.
    pub(super) fn stage_follows_template(&mut self) {
        if let (Some(phase), Some(slot)) = (stage_phase(self.run_view.stage), self.template_slot())
            && slot.phase != phase
        {
            self.run_view.stage = match slot.phase {
                Phase::Request => Stage::IntegrationRequest,
                Phase::Response => Stage::IntegrationResponse,
            };
        }
    }

    /// The template the gateway used at the current stage for the trace on screen, when the
    /// Template pane shows another template of the same side (chosen by hand, or kept under
    /// the cursor): the pane says so.
    pub fn template_used_instead(&self) -> Option<TemplateSlot> {
        let phase = stage_phase(self.run_view.stage)?;
        let slot = self.template_slot().filter(|s| s.phase == phase)?;
        let used = self.used_template(phase)?;
        let text = self.method().and_then(|m| slot.text(m)).unwrap_or_default();
        (!slot_is(slot, text, phase, used)).then(|| TemplateSlot {
            phase,
            response: used.response.clone(),
            content_type: used.content_type.clone(),
        })
    }
}

/// The side of the templates a stage shows: the request template at the integration request,
/// the response template at the integration response and the method response.
fn stage_phase(stage: Stage) -> Option<Phase> {
    match stage {
        Stage::IntegrationRequest => Some(Phase::Request),
        Stage::IntegrationResponse | Stage::MethodResponse => Some(Phase::Response),
        Stage::Routing | Stage::Authorization | Stage::MethodRequest | Stage::Backend => None,
    }
}

/// Whether `slot` (whose text is `text`) is the template `used` on `phase`'s side: by content
/// type, and for a response template by its integration response (by its text for a trace
/// that does not name the response).
fn slot_is(slot: &TemplateSlot, text: &str, phase: Phase, used: &RenderedTemplate) -> bool {
    slot.phase == phase
        && match (phase, &used.response) {
            (Phase::Request, _) => slot.content_type == used.content_type,
            (Phase::Response, Some(r)) => {
                slot.response.as_deref() == Some(r.as_str())
                    && slot.content_type == used.content_type
            }
            (Phase::Response, None) => text == used.template,
        }
}
