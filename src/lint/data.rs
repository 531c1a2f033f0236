//! The session's saved requests, rendered the way the gateway renders them, for the rules
//! that depend on data: `foreach-over-1000` (the gateway's iteration cap noted while
//! rendering), `invalid-json-output` (the output parsed as JSON), and the payloads
//! `input-path-java-map` checks its paths against.
//!
//! Request templates are rendered for every saved request (no backend is involved). Response
//! templates need the backend's answer: the request runs through the whole pipeline only
//! when the session's backend is the offline echo or canned one (nothing outside the
//! process but the echo's loopback server), and the template the gateway picked is
//! rendered again against that answer.

use std::sync::Arc;

use crate::backend::BackendConfig;
use crate::gateway::api::Api;
use crate::gateway::mapping::{RequestTemplateChoice, choose_request_template, mime};
use crate::gateway::pipeline::{self, ClientRequest};
use crate::gateway::{MappingSetup, Phase};
use crate::session::Session;
use crate::vtl::{LimitNote, Template};

/// One saved request, routed and rendered.
pub(super) struct RequestRun {
    /// How messages name it: `request "create a pet"`.
    pub name: String,
    /// The method it reaches: resource index and verb key.
    pub resource: usize,
    /// The verb key (`POST`, `ANY`).
    pub verb: String,
    /// The MIME type of its Content-Type (`application/json` when it sends none).
    pub content_type: String,
    /// Its body as JSON, when it is JSON.
    pub body_json: Option<serde_json::Value>,
    /// The request template rendered, if one was picked.
    pub request: Option<Rendered>,
    /// The response template the gateway picked, rendered against the backend's answer.
    pub response: Option<Rendered>,
}

/// A template rendered for a saved request.
pub(super) struct Rendered {
    /// The content type the template is keyed by.
    pub key: String,
    /// For a response template: the integration response it belongs to.
    pub response_key: Option<String>,
    /// The output (or why it failed).
    pub output: Result<String, crate::vtl::VtlError>,
    /// What cut the output short without an error (the 1000-iteration cap).
    pub notes: Vec<LimitNote>,
    /// The payload the template read, when it is JSON (the backend's answer for a
    /// response template).
    pub payload_json: Option<serde_json::Value>,
}

/// How a saved request is named in messages.
fn request_name(i: usize, name: &str) -> String {
    if name.trim().is_empty() {
        format!("saved request #{}", i + 1)
    } else {
        format!("request \"{name}\"")
    }
}

/// Render every saved request's templates (request side always; response side when the
/// backend is offline).
pub(super) async fn run_requests(session: &Session, api: &Api) -> Vec<RequestRun> {
    let offline = matches!(
        session.backend,
        BackendConfig::Echo | BackendConfig::Canned { .. }
    );
    let opts = crate::session::run::run_options(session);
    let mut runs = Vec::new();
    for (i, saved) in session.requests.iter().enumerate() {
        let Ok(client) = crate::session::client_request(saved) else {
            continue;
        };
        let mut client = client;
        if client.path.contains("${") && !session.values.is_empty() {
            client.path = crate::gateway::substitute_values(&client.path, &session.values);
        }
        let Some(route) = crate::gateway::routing::route(api, &client.method, &client.path) else {
            continue;
        };
        let Some(method) = route.method(api) else {
            continue;
        };
        let content_type = header(&client, "Content-Type");
        let name = request_name(i, &saved.name);
        let body_json = crate::gateway::json::parse(&client.body).ok();
        let mut run = RequestRun {
            name,
            resource: route.resource,
            verb: route.method_key.clone(),
            content_type: content_type.map_or_else(|| "application/json".to_string(), mime),
            body_json: body_json.clone(),
            request: None,
            response: None,
        };
        let integration = &method.integration;
        if !integration.kind.uses_templates() {
            runs.push(run);
            continue;
        }
        let req = Arc::new(pipeline::method_request(api, &opts, &client, &route));
        if let RequestTemplateChoice::Transform(key, text) = choose_request_template(
            &integration.request_templates,
            content_type,
            integration.passthrough_behavior.unwrap_or_default(),
        ) && let Some(r) = render(&text, req.clone(), Phase::Request, None)
        {
            run.request = Some(Rendered {
                key,
                response_key: None,
                payload_json: body_json,
                ..r
            });
        }
        if offline {
            run.response = respond(session, &client, req).await;
        }
        runs.push(run);
    }
    runs
}

/// Run the request through the pipeline and render the response template the gateway
/// picked against the backend's answer.
async fn respond(
    session: &Session,
    client: &ClientRequest,
    req: Arc<crate::gateway::MethodRequest>,
) -> Option<Rendered> {
    let trace = crate::session::run_session(session, client).await;
    let picked = trace.response_template?;
    let response_key = picked.response?;
    let (status, headers, body) = match &trace.endpoint_response {
        Some(m) => (m.status, m.headers.clone(), m.body.clone()),
        None => (200, Vec::new(), Vec::new()),
    };
    let payload_json = crate::gateway::json::parse(&body).ok();
    let integration_response = serde_json::json!({
        "statusCode": status.to_string(),
        "headers": headers
            .into_iter()
            .map(|(k, v)| (k, serde_json::Value::String(v)))
            .collect::<serde_json::Map<String, serde_json::Value>>(),
        "body": String::from_utf8_lossy(&body),
    });
    // The notes come from rendering again (the pipeline keeps none); the output is the
    // pipeline's own.
    let notes = render(
        &picked.template,
        req,
        Phase::Response,
        Some(&integration_response),
    )
    .map(|r| r.notes)
    .unwrap_or_default();
    Some(Rendered {
        key: picked.content_type,
        response_key: Some(response_key),
        output: picked.output,
        notes,
        payload_json,
    })
}

/// Render a template the way the gateway does, keeping the notes.
fn render(
    text: &str,
    req: Arc<crate::gateway::MethodRequest>,
    phase: Phase,
    integration_response: Option<&serde_json::Value>,
) -> Option<Rendered> {
    let setup = MappingSetup::new(req, phase, integration_response).ok()?;
    let template = match Template::parse_with(text, &setup.policy) {
        Ok(t) => t,
        Err(e) => {
            return Some(Rendered {
                key: String::new(),
                response_key: None,
                output: Err(e),
                notes: Vec::new(),
                payload_json: None,
            });
        }
    };
    let (mut ctx, _overrides) = setup.context();
    let (output, notes) = match template.render_with_notes(&mut ctx, &setup.policy) {
        Ok(r) => (Ok(r.output), r.notes),
        Err(e) => (Err(e), Vec::new()),
    };
    Some(Rendered {
        key: String::new(),
        response_key: None,
        output,
        notes,
        payload_json: None,
    })
}

fn header<'a>(r: &'a ClientRequest, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Whether rendered text starts like a JSON document (so a form body or XML under a JSON
/// key is left alone).
pub(super) fn starts_like_json(text: &str) -> bool {
    text.trim_start()
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '{' | '[' | '"' | '-' | '0'..='9' | 't' | 'f' | 'n'))
}
