//! One OpenAPI operation -> one method: request parameters, the validator, the body model,
//! method responses and the integration.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::doc::{Doc, Version, integration_of};
use crate::gateway::api::{Method, MethodResponse};
use crate::import::error::Cx;
use crate::import::node::Node;
use crate::import::schema::Models;

/// The method for operation `op` (`None`, with a warning, when it has no usable
/// integration). `common` holds the path item's shared parameters.
pub(crate) fn method(
    doc: &Doc<'_>,
    verb: &str,
    line: usize,
    op: &Node,
    common: Option<&Node>,
    cx: &mut Cx,
) -> Option<Method> {
    let integration = integration_of(op, line, cx)?;
    let mut method = Method {
        integration,
        ..Method::default()
    };
    parameters(doc, op, common, &mut method, cx);
    if doc.version == Version::V3
        && let Some(body) = op.get("requestBody")
        && let Some(body) = doc.deref(body, cx)
    {
        for e in body.get("content").map(Node::entries).unwrap_or_default() {
            if let Some(schema) = e.value.get("schema") {
                let model = model(doc, schema, cx);
                method.request_models.insert(e.key.clone(), model);
            }
        }
    }
    validator(doc, op, &mut method, cx);
    responses(doc, op, &mut method, cx);
    if let Some(requirements) = op.get("security").or(doc.default_security) {
        super::security::apply(requirements, &doc.schemes, &mut method, verb, cx);
    }
    for e in op.entries() {
        match e.key.as_str() {
            "x-amazon-apigateway-auth" => cx.warn(
                e.line,
                format!("{verb}: x-amazon-apigateway-auth (HTTP APIs) is not read for REST APIs; ignored"),
            ),
            "x-amazon-apigateway-integration" | "x-amazon-apigateway-request-validator" => {}
            k if k.starts_with("x-amazon-apigateway-") => {
                cx.warn(e.line, format!("{k} is not supported; ignored"));
            }
            _ => {}
        }
    }
    Some(method)
}

/// Path, query and header parameters become `method.request.*` entries; a Swagger 2 body
/// parameter becomes the request model.
fn parameters(doc: &Doc<'_>, op: &Node, common: Option<&Node>, method: &mut Method, cx: &mut Cx) {
    // The operation's own parameters override the path item's (same name and location).
    let mut params: IndexMap<(String, String), &Node> = IndexMap::new();
    for list in [common, op.get("parameters")].into_iter().flatten() {
        for p in list.items() {
            let Some(p) = doc.deref(p, cx) else {
                continue;
            };
            let name = p
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let location = p.get("in").and_then(Node::scalar_text).unwrap_or_default();
            params.insert((location, name), p);
        }
    }
    for ((location, name), p) in params {
        let required = p.get("required").and_then(Node::as_bool).unwrap_or(false);
        let kind = match location.as_str() {
            "path" => "path",
            "query" => "querystring",
            "header" => "header",
            "body" => {
                if let Some(schema) = p.get("schema") {
                    let model = model(doc, schema, cx);
                    for ct in doc.media_types(op, "consumes") {
                        method.request_models.insert(ct, model.clone());
                    }
                }
                continue;
            }
            other => {
                cx.warn(
                    p.line,
                    format!("parameter {name:?} in {other:?} is not supported by API Gateway method requests; ignored"),
                );
                continue;
            }
        };
        if name.is_empty() {
            cx.warn(p.line, "parameter without a name; ignored");
            continue;
        }
        // API Gateway treats every path parameter as required.
        method.request_parameters.insert(
            format!("method.request.{kind}.{name}"),
            required || kind == "path",
        );
    }
}

/// A body schema with its `$ref`s inlined (problems become warnings at the schema's line).
fn model(doc: &Doc<'_>, schema: &Node, cx: &mut Cx) -> Json {
    let models = Models {
        root: Some(&doc.json),
        named: &doc.models,
    };
    let mut problems = Vec::new();
    let out = models.inline(&schema.to_json(), &mut problems);
    for p in problems {
        cx.warn(schema.line, format!("request model: {p}"));
    }
    out
}

fn validator(doc: &Doc<'_>, op: &Node, method: &mut Method, cx: &mut Cx) {
    let own = op.entry("x-amazon-apigateway-request-validator");
    let name = own
        .and_then(|e| e.value.scalar_text())
        .or_else(|| doc.default_validator.clone());
    let Some(name) = name else {
        return;
    };
    match doc.validators.get(&name) {
        Some(v) => method.request_validator = Some(v.clone()),
        None => {
            if let Some(e) = own {
                cx.warn(
                    e.line,
                    format!("request validator {name:?} is not defined in x-amazon-apigateway-request-validators; no validation"),
                );
            }
        }
    }
}

fn responses(doc: &Doc<'_>, op: &Node, method: &mut Method, cx: &mut Cx) {
    for e in op.get("responses").map(Node::entries).unwrap_or_default() {
        let code = e.key.as_str();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            cx.warn(
                e.line,
                format!("method response {code:?} is not a status code (API Gateway needs one per status); skipped"),
            );
            continue;
        }
        let Some(resp) = doc.deref(&e.value, cx) else {
            continue;
        };
        let mut mr = MethodResponse::default();
        for h in resp.get("headers").map(Node::entries).unwrap_or_default() {
            mr.response_parameters
                .insert(format!("method.response.header.{}", h.key), false);
        }
        match doc.version {
            Version::V2 => {
                if let Some(name) = resp.get("schema").and_then(model_name) {
                    for ct in doc.media_types(op, "produces") {
                        mr.response_models.insert(ct, name.clone());
                    }
                }
            }
            Version::V3 => {
                for c in resp.get("content").map(Node::entries).unwrap_or_default() {
                    if let Some(name) = c.value.get("schema").and_then(model_name) {
                        mr.response_models.insert(c.key.clone(), name);
                    }
                }
            }
        }
        method.method_responses.insert(code.to_string(), mr);
    }
}

/// `{"$ref": "#/definitions/Empty"}` -> `Empty`.
fn model_name(schema: &Node) -> Option<String> {
    let r = schema.get("$ref")?.scalar_text()?;
    r.rsplit('/').next().map(str::to_string)
}
