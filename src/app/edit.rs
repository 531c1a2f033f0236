//! What follows from a change: the request text is parsed back into the session, the request
//! is routed again, the template text is written back, and the effects (render, highlight,
//! live run) are issued with new generation numbers.

use serde_json::{Value, json};

use crate::app::effect::{PipelineRequest, RenderRequest};
use crate::app::request_text;
use crate::app::route::{self, first_method};
use crate::app::templates::{self, TemplateSlot};
use crate::app::view_model::HighlightRequest;
use crate::app::{App, Effect, RunState};
use crate::gateway::Phase;

impl App {
    /// Put the current saved request's text into the request editor.
    pub(super) fn load_request_text(&mut self) {
        let text = self
            .request()
            .map(request_text::to_text)
            .unwrap_or_default();
        self.request_editor.set_text(&text);
        self.request_view = crate::app::view_model::body::StyledText::plain(&text);
        self.request_error = None;
    }

    /// Route the current request; refresh the method and its template list, keeping the
    /// selected template when it still exists.
    pub(super) fn reroute(&mut self) {
        let api = &self.workspace.session.api;
        self.routed = self
            .request()
            .and_then(|r| route::route(api, &r.method, &r.path));
        let method = self
            .routed
            .as_ref()
            .map(|r| r.method.clone())
            .or_else(|| first_method(api));
        let old = self.slots.get(self.slot).cloned();
        let changed_method = method != self.method;
        self.method = method;
        self.slots = self.method().map(templates::slots).unwrap_or_default();
        self.slot = old
            .and_then(|o| self.slots.iter().position(|s| *s == o))
            .unwrap_or(0);
        if changed_method {
            self.load_template_text();
        }
    }

    /// Put the selected template's text into the template editor.
    pub(super) fn load_template_text(&mut self) {
        let text = self
            .method()
            .zip(self.slots.get(self.slot))
            .and_then(|(m, s)| s.text(m))
            .unwrap_or_default()
            .to_string();
        self.template_editor.set_text(&text);
        self.preview.rendered = None;
    }

    /// Select template `i` (wrapping) and load it.
    pub(super) fn select_slot(&mut self, i: usize) -> Vec<Effect> {
        if self.slots.is_empty() {
            return Vec::new();
        }
        self.slot = i % self.slots.len();
        self.load_template_text();
        self.refresh_effects()
    }

    /// Select the slot equal to `slot`, if present.
    pub(super) fn select_matching(
        &mut self,
        pred: impl Fn(&TemplateSlot, &str) -> bool,
    ) -> Vec<Effect> {
        let Some(method) = self.method() else {
            return Vec::new();
        };
        let found = self
            .slots
            .iter()
            .position(|s| s.text(method).is_some_and(|t| pred(s, t)));
        match found {
            Some(i) if i != self.slot => self.select_slot(i),
            _ => Vec::new(),
        }
    }

    /// The template editor changed: write it back, mark dirty, re-render.
    pub(super) fn template_changed(&mut self) -> Vec<Effect> {
        let text = self.template_editor.text();
        if let (Some(m), Some(slot)) = (self.method.clone(), self.slots.get(self.slot).cloned())
            && let Some(method) =
                m.get_mut(&mut std::sync::Arc::make_mut(&mut self.workspace.session).api)
        {
            slot.set_text(method, text);
        }
        self.workspace.revision += 1;
        let mut fx = self.refresh_effects();
        if self.live() {
            fx.extend(self.run_effect());
        }
        fx
    }

    /// Show request `id` of listen mode in place of the saved requests (a served or paused
    /// request).
    pub(super) fn view_request(
        &mut self,
        id: u64,
        shown: crate::app::listen::Shown,
        request: crate::session::SavedRequest,
    ) {
        self.viewing = Some(crate::app::listen::Viewing::new(id, shown, request));
        self.load_request_text();
        self.reroute();
    }

    /// The request editor changed: parse it back into the session.
    pub(super) fn request_changed(&mut self) -> Vec<Effect> {
        let Some(base) = self.request().cloned() else {
            return Vec::new();
        };
        let text = self.request_editor.text();
        self.request_view = crate::app::view_model::body::StyledText::plain(&text);
        match request_text::parse(&text, &base) {
            Ok(r) => {
                self.request_error = None;
                if let Some(viewed) = &mut self.viewing {
                    // A served request being viewed is edited in place (not in the
                    // session: it joins the session only when saved from the list).
                    viewed.request = r;
                } else if let Some(slot) = std::sync::Arc::make_mut(&mut self.workspace.session)
                    .requests
                    .get_mut(self.workspace.request_index)
                {
                    *slot = r;
                    self.workspace.revision += 1;
                }
                self.reroute();
                let mut fx = self.refresh_effects();
                if self.live() {
                    fx.extend(self.run_effect());
                }
                fx
            }
            Err(e) => {
                self.request_error = Some(e);
                Vec::new()
            }
        }
    }

    /// Render and highlight effects for the current template.
    pub(super) fn refresh_effects(&mut self) -> Vec<Effect> {
        let mut fx = Vec::new();
        fx.extend(self.render_effect());
        fx.extend(self.highlight_effect());
        fx
    }

    /// A render of the selected template, unless the integration does not use templates.
    pub(super) fn render_effect(&mut self) -> Option<Effect> {
        if !self.uses_templates() {
            self.preview.rendered = None;
            return None;
        }
        let slot = self.slots.get(self.slot)?.clone();
        let saved = self.request()?;
        let request = route::method_request(&self.workspace.session, saved, self.routed.as_ref());
        let integration_response =
            (slot.phase == Phase::Response).then(|| self.integration_response_json());
        let request_template = if slot.phase == Phase::Response {
            self.request_template_for(saved)
        } else {
            None
        };
        self.preview.render_generation += 1;
        Some(Effect::Render(RenderRequest {
            generation: self.preview.render_generation,
            template: self.template_editor.text(),
            phase: slot.phase,
            request,
            integration_response,
            request_template,
            lint: Box::new(self.lint_spec()),
        }))
    }

    /// The request template the gateway picks for a request: by `Content-Type` (without
    /// parameters), `application/json` when there is none, else the first.
    fn request_template_for(&self, saved: &crate::session::SavedRequest) -> Option<String> {
        let templates = &self.method()?.integration.request_templates;
        let ct = saved
            .headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map_or("application/json", |(_, v)| {
                v.split(';').next().unwrap_or("").trim()
            });
        templates
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(ct))
            .or_else(|| templates.first())
            .map(|(_, t)| t.clone())
    }

    /// The backend's answer as a response template sees it: the trace's endpoint response,
    /// else a 200 with `{}`.
    pub(super) fn integration_response_json(&self) -> Value {
        match self
            .trace()
            .and_then(|t| t.trace.endpoint_response.as_ref())
        {
            Some(r) => {
                let headers: serde_json::Map<String, Value> = r
                    .headers
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                json!({"statusCode": r.status, "headers": headers, "body": r.body_text()})
            }
            // The endpoint call failed: the gateway has no body to map.
            None if self.endpoint_call_failed() => {
                json!({"statusCode": 200, "headers": {}, "body": ""})
            }
            None => json!({"statusCode": 200, "headers": {}, "body": "{}"}),
        }
    }

    /// A highlight of the template editor down to its visible window.
    pub(super) fn highlight_effect(&mut self) -> Option<Effect> {
        let theme = self.chrome.theme.syntax_theme_source()?;
        self.preview.highlight_generation += 1;
        let upto = self
            .template_editor
            .wanted_rows(self.chrome.size.1 as usize);
        Some(Effect::Highlight(HighlightRequest {
            generation: self.preview.highlight_generation,
            lines: self.template_editor.lines().to_vec(),
            upto,
            theme,
        }))
    }

    /// A highlight when the cursor moved below the highlighted rows.
    pub(super) fn highlight_if_needed(&mut self) -> Option<Effect> {
        let e = &self.template_editor;
        if e.wanted_rows(self.chrome.size.1 as usize) > e.highlighted_rows() {
            self.highlight_effect()
        } else {
            None
        }
    }

    /// A pipeline run of the current request.
    pub(super) fn run_effect(&mut self) -> Option<Effect> {
        let request = self.request()?.clone();
        self.run_view.run_generation += 1;
        self.run_view.run = RunState::Running {
            generation: self.run_view.run_generation,
        };
        Some(Effect::RunPipeline(PipelineRequest {
            generation: self.run_view.run_generation,
            session: std::sync::Arc::clone(&self.workspace.session),
            request,
        }))
    }
}
