//! SAM: `AWS::Serverless::Api` (with a `DefinitionBody`, a local `DefinitionUri`, or nothing)
//! and `AWS::Serverless::Function` events of type `Api`, which become Lambda proxy
//! (AWS_PROXY) methods, as SAM's transform makes them.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::auth;
use super::template::{EMPTY, Imported, Res, Template, add_method, body, merge_body};
use crate::gateway::api::{
    GatewayResponse, Integration, IntegrationType, Method, RequestValidator,
};
use crate::import::error::Cx;
use crate::import::integration::text_map;
use crate::import::intrinsic::{self, ref_target};
use crate::import::node::{self, Node};
use crate::import::openapi;
use crate::import::schema::Models;

/// The stage of SAM's implicit API.
const IMPLICIT_STAGE: &str = "Prod";

/// The line of the first function event that goes to the implicit API, if any.
pub(crate) fn implicit_api_line(t: &Template<'_>) -> Option<usize> {
    events(t, None).next().map(|(_, _, line)| line)
}

/// `Api` events of functions for API `api_id` (`None`: the implicit API): function, event
/// properties, line.
fn events<'a>(
    t: &'a Template<'a>,
    api_id: Option<&'a str>,
) -> impl Iterator<Item = (&'a Res<'a>, &'a Node, usize)> + 'a {
    t.resources
        .iter()
        .filter(|r| r.ty == "AWS::Serverless::Function")
        .flat_map(|f| {
            f.props
                .get("Events")
                .map(Node::entries)
                .unwrap_or_default()
                .iter()
                .map(move |e| (f, e))
        })
        .filter(|(_, e)| e.value.get("Type").and_then(Node::as_str) == Some("Api"))
        .filter_map(move |(f, e)| {
            let props = e.value.get("Properties").unwrap_or(&EMPTY);
            let target = props.get("RestApiId").and_then(ref_target);
            (target.as_deref() == api_id).then_some((f, props, e.line))
        })
}

/// A property of the API, falling back to `Globals.Api`.
fn prop<'a>(t: &'a Template<'a>, r: Option<&'a Res<'a>>, key: &str) -> Option<&'a Node> {
    r.and_then(|r| r.props.entry(key))
        .or_else(|| t.globals_api.and_then(|g| g.entry(key)))
        .map(|e| &e.value)
}

/// Import an `AWS::Serverless::Api` (or the implicit API when `r` is `None`).
pub(crate) fn api(t: &Template<'_>, r: Option<&Res<'_>>, cx: &mut Cx) -> Imported {
    let id = r.map_or("ServerlessRestApi", |r| r.id.as_str());
    let mut out = Imported {
        label: "SAM template".into(),
        ..Imported::default()
    };
    let mut body_stage = None;
    let definition = match prop(t, r, "DefinitionBody") {
        Some(n) => body(n, cx, "DefinitionBody").map(|b| (b, "DefinitionBody")),
        None => prop(t, r, "DefinitionUri")
            .and_then(|u| definition_uri(t, u, cx))
            .map(|b| (b, "DefinitionUri")),
    };
    if let Some((b, key)) = definition {
        out.label = format!("SAM template with an {} {key}", b.label);
        out.name = b.title.clone();
        out.description = b.description.clone();
        body_stage = merge_body(&mut out.api, b);
    }
    out.api.stage = match prop(t, r, "StageName") {
        Some(s) => t.plain_text(s, cx, "StageName"),
        None if r.is_none() => Some(IMPLICIT_STAGE.to_string()),
        None => body_stage,
    };
    if let Some(n) = r.and_then(|r| r.props.get("Name")) {
        out.name = intrinsic::text(n, cx, "Name").or(out.name);
    }
    if let Some(v) = prop(t, r, "Variables") {
        out.api.stage_variables = Some(text_map(v, cx, "stage variable"));
    }
    if let Some(v) = prop(t, r, "BinaryMediaTypes") {
        out.api.binary_media_types.extend(
            v.items()
                .iter()
                .filter_map(|m| intrinsic::text(m, cx, "binary media type"))
                .map(|m| m.replace("~1", "/")),
        );
    }
    if let Some(v) = prop(t, r, "GatewayResponses") {
        gateway_responses(v, &mut out, cx);
    }
    let defaults = match prop(t, r, "Auth") {
        Some(a) => auth::sam_api_auth(a, id, &mut out.api, cx),
        None => auth::SamAuth::default(),
    };
    if let Some(v) = prop(t, r, "Cors") {
        cx.warn(
            v.line,
            "Cors is not simulated (SAM would add OPTIONS methods and headers); add them to the session if you need them",
        );
    }
    auth::keys_and_plans(t, id, &mut out.api, cx);
    let models: IndexMap<String, Json> = prop(t, r, "Models")
        .map(Node::json_entries)
        .unwrap_or_default();
    let api_ref = r.map(|r| r.id.as_str());
    for (f, props, line) in events(t, api_ref) {
        event(f, props, line, &models, &defaults, &mut out, cx);
    }
    for f in t
        .resources
        .iter()
        .filter(|x| x.ty == "AWS::Serverless::Function")
    {
        for e in f.props.get("Events").map(Node::entries).unwrap_or_default() {
            if e.value.get("Type").and_then(Node::as_str) == Some("HttpApi") {
                cx.warn(e.line, format!("{} event {} is for an HTTP API (API Gateway v2); gatebench simulates REST APIs; skipped", f.id, e.key));
            }
        }
    }
    if out.name.is_none() {
        out.name = Some(id.to_string());
    }
    out
}

/// A local `DefinitionUri` file (relative to the template). S3 locations cannot be read.
fn definition_uri(t: &Template<'_>, uri: &Node, cx: &mut Cx) -> Option<openapi::OpenApi> {
    let Some(path) = uri.as_str().filter(|p| !p.starts_with("s3://")) else {
        cx.warn(uri.line, "DefinitionUri in S3 is not supported (gatebench does not read S3); import the definition file directly");
        return None;
    };
    let file = t.dir.join(path);
    let text = match crate::session::file::read_text(&file) {
        Ok(text) => text,
        Err(e) => {
            cx.warn(
                uri.line,
                format!("DefinitionUri {}: {e}; skipped", file.display()),
            );
            return None;
        }
    };
    let parsed = if text.trim_start().starts_with('{') {
        node::parse_json(&text)
    } else {
        node::parse_yaml(&text)
    };
    match parsed {
        Ok(doc) => {
            let mut sub = Cx::new(&file);
            let b = openapi::import(&doc, &mut sub);
            cx.warnings.append(&mut sub.warnings);
            for (name, line) in sub.stage_vars {
                cx.stage_vars.entry(name).or_insert(line);
            }
            Some(b)
        }
        Err(e) => {
            cx.warn(
                uri.line,
                format!(
                    "DefinitionUri {}:{}:{}: {}; skipped",
                    file.display(),
                    e.line,
                    e.column,
                    e.message
                ),
            );
            None
        }
    }
}

/// SAM's `GatewayResponses`: `ResponseParameters` split into `Headers`, `Paths`,
/// `QueryStrings`.
fn gateway_responses(v: &Node, out: &mut Imported, cx: &mut Cx) {
    for e in v.entries() {
        let mut gr = GatewayResponse {
            status_code: e.value.get("StatusCode").and_then(Node::scalar_text),
            ..GatewayResponse::default()
        };
        if let Some(params) = e.value.get("ResponseParameters") {
            for (group, prefix) in [
                ("Headers", "gatewayresponse.header."),
                ("Paths", "gatewayresponse.path."),
                ("QueryStrings", "gatewayresponse.querystring."),
            ] {
                if let Some(g) = params.get(group) {
                    for (k, val) in text_map(g, cx, "gateway response parameter") {
                        gr.response_parameters.insert(format!("{prefix}{k}"), val);
                    }
                }
            }
        }
        if let Some(tpl) = e.value.get("ResponseTemplates") {
            gr.response_templates = text_map(tpl, cx, "gateway response template");
        }
        out.api.gateway_responses.insert(e.key.clone(), gr);
    }
}

/// One `Api` event: an AWS_PROXY method calling the function.
fn event(
    f: &Res<'_>,
    props: &Node,
    line: usize,
    models: &IndexMap<String, Json>,
    defaults: &auth::SamAuth,
    out: &mut Imported,
    cx: &mut Cx,
) {
    let (Some(path), Some(verb)) = (
        props
            .get("Path")
            .and_then(|p| intrinsic::text(p, cx, "event Path")),
        props
            .get("Method")
            .and_then(|m| intrinsic::text(m, cx, "event Method")),
    ) else {
        cx.warn(
            line,
            format!("{} Api event without Path and Method; skipped", f.id),
        );
        return;
    };
    let verb = verb.to_ascii_uppercase();
    let uri = format!(
        "arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{{}.Arn}}/invocations",
        f.id
    );
    let mut method = Method {
        integration: Integration {
            kind: IntegrationType::AwsProxy,
            http_method: Some("POST".into()),
            uri: Some(uri.clone()),
            ..Integration::default()
        },
        ..Method::default()
    };
    for p in props
        .get("RequestParameters")
        .map(Node::items)
        .unwrap_or_default()
    {
        if let Some(name) = p.scalar_text() {
            method.request_parameters.insert(name, false);
        }
        for e in p.entries() {
            let required = e
                .value
                .get("Required")
                .and_then(Node::as_bool)
                .unwrap_or(false);
            method.request_parameters.insert(e.key.clone(), required);
        }
    }
    if let Some(rm) = props.get("RequestModel") {
        request_model(rm, models, &mut method, cx);
    }
    auth::sam_event_auth(props.get("Auth"), defaults, &out.api, &mut method, cx);
    if add_method(&mut out.api, &path, &verb, method) {
        cx.warn(
            line,
            format!("{} {verb} {path}: the Lambda proxy integration uri is kept as SAM writes it: {uri} (the built-in echo backend answers for the function)", f.id),
        );
    }
}

fn request_model(rm: &Node, models: &IndexMap<String, Json>, method: &mut Method, cx: &mut Cx) {
    let Some(name) = rm.get("Model").and_then(Node::scalar_text) else {
        cx.warn(rm.line, "RequestModel without Model; ignored");
        return;
    };
    let Some(schema) = models.get(&name) else {
        cx.warn(
            rm.line,
            format!("RequestModel {name} is not in the API's Models; not validated"),
        );
        return;
    };
    let resolver = Models {
        root: None,
        named: models,
    };
    let mut problems = Vec::new();
    let schema = resolver.inline(schema, &mut problems);
    for p in problems {
        cx.warn(rm.line, format!("model {name}: {p}"));
    }
    method
        .request_models
        .insert("application/json".into(), schema);
    let flag = |k: &str| rm.get(k).and_then(Node::as_bool);
    let (body, params) = (flag("ValidateBody"), flag("ValidateParameters"));
    if body.is_some() || params.is_some() {
        method.request_validator = Some(RequestValidator {
            validate_request_body: body.unwrap_or(false),
            validate_request_parameters: params.unwrap_or(false),
        });
    }
}
