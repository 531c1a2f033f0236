//! The text of the panes that are composed from several parts of the model: the Integration
//! pane (the method's integration, the session's explanation, the backend) and the Backend
//! pane (the endpoint error, request and response). The view draws it and the search
//! searches it, so what is found is what is shown.

use std::borrow::Cow;
use std::ops::Range;

use crate::app::keymap::Layer;
use crate::app::view_model::Tok;
use crate::app::view_model::body::StyledText;
use crate::app::{Action, App};
use crate::backend::BackendConfig;
use crate::gateway::api::{IntegrationType, PassthroughBehavior};
use crate::gateway::trace::{Stage, StageOutcome};

/// What a type does, in one line.
pub fn type_explanation(kind: IntegrationType) -> &'static str {
    match kind {
        IntegrationType::Mock => {
            "No backend: the request template's statusCode selects the integration response."
        }
        IntegrationType::Aws => {
            "Calls an AWS service (e.g. Lambda Invoke) with the request template's output."
        }
        IntegrationType::AwsProxy => {
            "Lambda proxy: the request becomes an event; the function's answer is the response."
        }
        IntegrationType::Http => {
            "Calls the HTTP endpoint with the request template's output as the body."
        }
        IntegrationType::HttpProxy => {
            "Forwards the request to the HTTP endpoint as is and returns its answer."
        }
    }
}

/// The backend in a few words.
pub fn backend_label(b: &BackendConfig) -> String {
    match b {
        BackendConfig::Echo => "echo (built in, offline)".into(),
        BackendConfig::Canned { status, .. } => {
            format!(
                "canned answer{}",
                status.map(|s| format!(" {s}")).unwrap_or_default()
            )
        }
        BackendConfig::Http => "real HTTP (the uri as written)".into(),
        BackendConfig::Lambda { endpoint, .. } => format!("Lambda Invoke API at {endpoint}"),
        BackendConfig::Local { command } => format!("local handler: {}", command.join(" ")),
        BackendConfig::AwsLocal {
            endpoint, start, ..
        } => match (endpoint, start) {
            (Some(e), _) => format!("local AWS at {e}"),
            (None, true) => "local AWS (moto_server, started by gatebench)".into(),
            (None, false) => "local AWS (no endpoint set)".into(),
        },
        BackendConfig::AwsLambda { region, .. } => format!(
            "AWS Lambda (SigV4{})",
            region
                .as_deref()
                .map(|r| format!(", {r}"))
                .unwrap_or_default()
        ),
    }
}

/// One display line built piece by piece, each piece with its token kind.
#[derive(Default)]
struct Line {
    text: String,
    toks: Vec<(Range<usize>, Tok)>,
}

impl Line {
    fn push(mut self, s: &str, tok: Tok) -> Line {
        let start = self.text.len();
        self.text.push_str(s);
        self.toks.push((start..self.text.len(), tok));
        self
    }

    /// A setting's name, padded so the values line up.
    fn key(self, k: &str) -> Line {
        self.push(&format!("{k:<12}"), Tok::Muted)
    }

    fn add_to(self, out: &mut StyledText) {
        out.push_line(&self.text, &self.toks);
    }
}

fn line(s: &str, tok: Tok) -> Line {
    Line::default().push(s, tok)
}

impl App {
    /// The Integration pane's lines (before wrapping).
    pub fn integration_text(&self) -> StyledText {
        let mut out = StyledText::default();
        let Some(method) = self.method() else {
            line("The session's API has no method.", Tok::Error).add_to(&mut out);
            return out;
        };
        let i = &method.integration;
        let api = &self.session().api;
        if let Some(m) = self.method_ref() {
            Line::default()
                .key("method")
                .push(&m.describe(api), Tok::Plain)
                .add_to(&mut out);
        }
        let key_of = |a| {
            self.keymap()
                .first_key(Layer::Normal, a)
                .unwrap_or_default()
        };
        let kind_key = key_of(Action::CycleType);
        Line::default()
            .key("type")
            .push(i.kind.as_str(), Tok::Accent)
            .push(&format!("  ({kind_key} cycles)"), Tok::Muted)
            .add_to(&mut out);
        line(type_explanation(i.kind), Tok::Muted).add_to(&mut out);
        if let Some(m) = &i.http_method {
            Line::default()
                .key("httpMethod")
                .push(m, Tok::Plain)
                .add_to(&mut out);
        }
        if let Some(u) = &i.uri {
            Line::default()
                .key("uri")
                .push(u, Tok::Plain)
                .add_to(&mut out);
            if let Some(swap) = self.uri_swap() {
                line(
                    &format!(
                        "{kind_key} swapped in the built-in echo's URI: {} needs {}, and the \
                         session's ({}) is not one. It comes back when you switch to a type it \
                         fits.",
                        i.kind.as_str(),
                        match i.kind {
                            IntegrationType::Http | IntegrationType::HttpProxy => "an http(s) URL",
                            IntegrationType::AwsProxy => "a Lambda function ARN",
                            _ => "an arn:aws:apigateway ARN",
                        },
                        swap.original.as_deref().unwrap_or("none"),
                    ),
                    Tok::Warning,
                )
                .add_to(&mut out);
            }
            // `${Name}` left by an import: what runs use, from the session's [values].
            let values = &self.session().values;
            if u.contains("${") && !values.is_empty() {
                let resolved = crate::gateway::substitute_values(u, values);
                if resolved != *u {
                    Line::default()
                        .key("runs as")
                        .push(&resolved, Tok::Muted)
                        .add_to(&mut out);
                }
            }
        }
        // What the session teaches comes right after what the method is, before the details.
        out.push_plain("");
        self.session_lines(&mut out);
        if i.kind.uses_templates() {
            let p = match i.passthrough_behavior.unwrap_or_default() {
                PassthroughBehavior::WhenNoMatch => "WHEN_NO_MATCH",
                PassthroughBehavior::WhenNoTemplates => "WHEN_NO_TEMPLATES",
                PassthroughBehavior::Never => "NEVER",
            };
            Line::default()
                .key("passthrough")
                .push(p, Tok::Plain)
                .add_to(&mut out);
            let cts: Vec<&str> = i.request_templates.keys().map(String::as_str).collect();
            let templates = if cts.is_empty() {
                "none".to_string()
            } else {
                cts.join(", ")
            };
            Line::default()
                .key("templates")
                .push(&templates, Tok::Plain)
                .add_to(&mut out);
        }
        Line::default()
            .key("timeout")
            .push(&format!("{} ms", i.timeout_ms()), Tok::Plain)
            .add_to(&mut out);
        if !i.request_parameters.is_empty() {
            line("request parameters (integration ← method)", Tok::Muted).add_to(&mut out);
            for (k, v) in &i.request_parameters {
                let target = k.strip_prefix("integration.request.").unwrap_or(k);
                let source = v.strip_prefix("method.request.").unwrap_or(v);
                line(&format!("  {target} ← {source}"), Tok::Plain).add_to(&mut out);
            }
        }
        if i.kind.uses_templates() && !i.integration_responses.is_empty() {
            line("integration responses", Tok::Muted).add_to(&mut out);
            for (name, r) in &i.integration_responses {
                let pattern = match r.selection_pattern.as_deref() {
                    None | Some("") => "default".to_string(),
                    Some(p) => format!("/{p}/"),
                };
                Line::default()
                    .push(&format!("  {name:<6}"), Tok::Plain)
                    .push(
                        &format!("→ {} ", r.status_code),
                        Tok::Status(r.status_code.parse().unwrap_or(500)),
                    )
                    .push(&pattern, Tok::Muted)
                    .add_to(&mut out);
            }
        }
        Line::default()
            .key("backend")
            .push(&backend_label(&self.session().backend), Tok::Plain)
            .push(
                &format!("  ({} changes)", key_of(Action::EditBackend)),
                Tok::Muted,
            )
            .add_to(&mut out);
        let listen = match self.listen().state() {
            crate::app::listen::Listening::On { addr } => format!("{addr} (serving)"),
            _ => format!(
                "{} ({} serves)",
                self.listen().addr(),
                key_of(Action::ToggleListen)
            ),
        };
        Line::default()
            .key("listen")
            .push(&listen, Tok::Plain)
            .add_to(&mut out);
        out
    }

    /// The session's name and explanation, first in the pane so a newcomer reads them first.
    fn session_lines(&self, out: &mut StyledText) {
        let s = self.session();
        line(&s.name, Tok::Title).add_to(out);
        // Paragraphs flow with the pane width (the file wraps them at ~95 columns).
        for (n, para) in s.explanation.trim().split("\n\n").enumerate() {
            if n > 0 {
                out.push_plain("");
            }
            let flowed = para.split_whitespace().collect::<Vec<_>>().join(" ");
            line(&flowed, Tok::Muted).add_to(out);
        }
        out.push_plain("");
    }

    /// The Backend pane's text once a run is shown: what changed (when asked for), else why
    /// the endpoint call failed (first), the endpoint request and the endpoint response.
    pub fn backend_text(&self) -> Option<Cow<'_, StyledText>> {
        let t = self.trace()?;
        if self.stage() == Stage::Authorization {
            return Some(Cow::Owned(super::auth_text::authorization_text(&t.trace)));
        }
        if self.show_changes() {
            return Some(Cow::Borrowed(&t.changes));
        }
        let mut text = StyledText::default();
        let heading =
            |text: &mut StyledText, s: &str| text.push_line(s, &[(0..s.len(), Tok::Literal)]);
        let failed = t.trace.stages.iter().find_map(|s| match &s.outcome {
            StageOutcome::Failed(m) if s.stage == Stage::Backend => Some(m.as_str()),
            _ => None,
        });
        // Why the endpoint call failed (connection refused, timeout, an answer too large),
        // first and in full: it is the one thing the client's 5xx does not say.
        if let Some(m) = failed {
            heading(&mut text, "✗ endpoint error");
            for l in m.lines() {
                text.push_line(l, &[(0..l.len(), Tok::Header)]);
            }
            let status = t.trace.response.status;
            if status != 0 {
                text.push_plain(&format!(
                    "The client gets the gateway's {status}, not an answer from the endpoint."
                ));
            }
        }
        match (&t.endpoint_request, &t.endpoint_response) {
            (None, None) => {
                if failed.is_none() && self.integration_kind() == Some(IntegrationType::Mock) {
                    text.push_plain("MOCK integration: no backend is called.");
                } else if failed.is_none() {
                    text.push_plain(
                        "No backend call was made (an earlier stage answered; see Log).",
                    );
                }
            }
            (req, resp) => {
                if let Some(req) = req {
                    if !text.is_empty() {
                        text.push_plain("");
                    }
                    heading(&mut text, "→ endpoint request");
                    text.extend(req);
                }
                if let Some(resp) = resp {
                    if !text.is_empty() {
                        text.push_plain("");
                    }
                    heading(&mut text, "← endpoint response");
                    text.extend(resp);
                }
            }
        }
        Some(Cow::Owned(text))
    }
}
