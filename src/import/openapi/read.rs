//! OpenAPI 2 (Swagger) and 3 documents with API Gateway's extensions, as the console and
//! `get-export` write them and as `import-rest-api` reads them: paths and operations,
//! `x-amazon-apigateway-integration`, request validators, binary media types, gateway
//! responses, and the stage from `basePath` / `servers`. Each operation is read by
//! `operation.rs`; what both need is in `doc.rs`.

use indexmap::IndexMap;

use super::doc::{Doc, Version};
use super::operation;
use super::security;
use crate::gateway::api::{Api, GatewayResponse, RequestValidator, Resource};
use crate::import::error::Cx;
use crate::import::integration::text_map;
use crate::import::intrinsic;
use crate::import::node::Node;

/// What an OpenAPI document gives.
#[derive(Debug, Default)]
pub(crate) struct OpenApi {
    /// Resources, binary media types, gateway responses, api id.
    pub api: Api,
    /// `info.title`.
    pub title: Option<String>,
    /// `info.description`.
    pub description: Option<String>,
    /// "OpenAPI 3.0.1" or "Swagger 2.0".
    pub label: String,
    /// The stage named by `basePath` (exports write the stage there).
    pub stage: Option<String>,
}

/// Whether `doc` looks like an OpenAPI document, and which.
pub(crate) fn detect(doc: &Node) -> Option<(Version, String)> {
    if let Some(v) = doc.get("swagger").and_then(Node::scalar_text) {
        return Some((Version::V2, format!("Swagger {v}")));
    }
    if let Some(v) = doc.get("openapi").and_then(Node::scalar_text) {
        return Some((Version::V3, format!("OpenAPI {v}")));
    }
    None
}

/// Import an OpenAPI document (a file, or the `Body` / `DefinitionBody` of a template).
pub(crate) fn import(root: &Node, cx: &mut Cx) -> OpenApi {
    let (version, label) = detect(root).unwrap_or_else(|| {
        cx.warn(
            root.line,
            "no `swagger` or `openapi` version field; read as OpenAPI 3",
        );
        (Version::V3, "OpenAPI".to_string())
    });
    let json = root.to_json();
    let models_node = match version {
        Version::V2 => root.get("definitions"),
        Version::V3 => root.get("components").and_then(|c| c.get("schemas")),
    };
    let models = models_node.map(Node::json_entries).unwrap_or_default();
    let strings = |key: &str| -> Vec<String> {
        root.get(key)
            .map(|n| n.items().iter().filter_map(Node::scalar_text).collect())
            .unwrap_or_default()
    };
    let mut doc = Doc {
        root,
        version,
        json,
        models,
        validators: IndexMap::new(),
        default_validator: None,
        consumes: strings("consumes"),
        produces: strings("produces"),
        schemes: IndexMap::new(),
        default_security: None,
    };
    let mut out = OpenApi {
        label,
        ..OpenApi::default()
    };
    let scheme_defs = match version {
        Version::V2 => root.get("securityDefinitions"),
        Version::V3 => root
            .get("components")
            .and_then(|c| c.get("securitySchemes")),
    };
    doc.schemes = security::schemes(scheme_defs, &mut out.api.authorizers, cx);
    top_level(&mut doc, &mut out, cx);
    if let Some(paths) = root.get("paths") {
        for pe in paths.entries() {
            if let Some(resource) = path_item(&doc, &pe.key, pe.line, &pe.value, cx) {
                out.api.resources.push(resource);
            }
        }
    } else {
        cx.warn(root.line, "the document has no `paths`");
    }
    out
}

fn top_level(doc: &mut Doc<'_>, out: &mut OpenApi, cx: &mut Cx) {
    let root = doc.root;
    for e in root.entries() {
        let v = &e.value;
        match e.key.as_str() {
            "info" => {
                out.title = v.get("title").and_then(Node::scalar_text);
                out.description = v.get("description").and_then(Node::scalar_text);
            }
            "basePath" => {
                if let Some(bp) = v.as_str() {
                    out.stage = stage_from_base_path(bp, e.line, cx);
                }
            }
            "host" => {
                if let Some(id) = v.as_str().and_then(api_id_from_host) {
                    out.api.api_id = id;
                }
            }
            "servers" => servers(v, out, cx),
            "x-amazon-apigateway-binary-media-types" => {
                out.api.binary_media_types = v
                    .items()
                    .iter()
                    .filter_map(|t| intrinsic::text(t, cx, "binary media type"))
                    .map(|t| t.replace("~1", "/"))
                    .collect();
            }
            "x-amazon-apigateway-gateway-responses" => {
                out.api.gateway_responses = gateway_responses(v, cx);
            }
            "x-amazon-apigateway-request-validators" => {
                for ve in v.entries() {
                    doc.validators.insert(
                        ve.key.clone(),
                        RequestValidator {
                            validate_request_body: ve
                                .value
                                .get("validateRequestBody")
                                .and_then(Node::as_bool)
                                .unwrap_or(false),
                            validate_request_parameters: ve
                                .value
                                .get("validateRequestParameters")
                                .and_then(Node::as_bool)
                                .unwrap_or(false),
                        },
                    );
                }
            }
            "x-amazon-apigateway-request-validator" => {
                doc.default_validator = v.scalar_text();
            }
            "security" => doc.default_security = Some(v),
            "x-amazon-apigateway-api-key-source" => {
                out.api.api_key_source = security::key_source(v, cx);
            }
            "x-amazon-apigateway-importexport-version" => {}
            k if k.starts_with("x-amazon-apigateway-") => {
                cx.warn(e.line, format!("{k} is not supported; ignored"));
            }
            _ => {}
        }
    }
    if let Some(name) = &doc.default_validator
        && !doc.validators.contains_key(name)
    {
        let line = root
            .entry("x-amazon-apigateway-request-validator")
            .map_or(1, |e| e.line);
        cx.warn(
            line,
            format!("request validator {name:?} is not defined in x-amazon-apigateway-request-validators; no validation"),
        );
    }
}

/// The stage a `basePath` names. Exports write `/STAGE`; a longer base path is ignored, as
/// API Gateway's import does by default (`basepath=ignore`).
fn stage_from_base_path(bp: &str, line: usize, cx: &mut Cx) -> Option<String> {
    let trimmed = bp.trim_matches('/');
    if trimmed.is_empty() {
        return None;
    }
    if trimmed.contains('/') {
        cx.warn(
            line,
            format!("base path {bp} is ignored (as API Gateway's import does by default); resources are served under the stage alone"),
        );
        return None;
    }
    // Terraform's `basePath: /${environment}`: a placeholder whoever deploys fills in.
    cx.note_placeholders(trimmed, line);
    Some(trimmed.to_string())
}

/// `abc123.execute-api.us-east-1.amazonaws.com` -> `abc123`.
fn api_id_from_host(host: &str) -> Option<String> {
    let host = host.split("://").last()?.split('/').next()?;
    let (id, rest) = host.split_once('.')?;
    (rest.starts_with("execute-api.") && !id.contains('{')).then(|| id.to_string())
}

/// OpenAPI 3 `servers`: the stage is the `basePath` server variable's default, or the URL's
/// path (the rules API Gateway's import follows).
fn servers(v: &Node, out: &mut OpenApi, cx: &mut Cx) {
    let Some(server) = v.items().first() else {
        return;
    };
    let mut url = server
        .get("url")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let vars = server.get("variables");
    let base_default = vars
        .and_then(|vs| vs.get("basePath"))
        .and_then(|b| b.get("default"))
        .and_then(Node::scalar_text);
    for e in vars.map(Node::entries).unwrap_or_default() {
        if e.key != "basePath"
            && let Some(d) = e.value.get("default").and_then(Node::scalar_text)
        {
            url = url.replace(&format!("{{{}}}", e.key), &d);
        }
    }
    if let Some(id) = api_id_from_host(&url) {
        out.api.api_id = id;
    }
    let line = server.line;
    if let Some(bp) = base_default {
        out.stage = stage_from_base_path(&bp, line, cx);
        return;
    }
    let path = url.split_once("://").map_or(url.as_str(), |(_, rest)| {
        rest.find('/').map_or("", |i| &rest[i..])
    });
    let without_placeholders: String = crate::import::error::placeholder_names(path)
        .iter()
        .fold(path.to_string(), |p, n| p.replace(&format!("${{{n}}}"), ""));
    if !without_placeholders.contains('{') {
        out.stage = stage_from_base_path(path, line, cx);
    }
}

/// `x-amazon-apigateway-gateway-responses`.
fn gateway_responses(v: &Node, cx: &mut Cx) -> IndexMap<String, GatewayResponse> {
    let mut out = IndexMap::new();
    for e in v.entries() {
        let mut gr = GatewayResponse::default();
        for f in e.value.entries() {
            match f.key.as_str() {
                "statusCode" => gr.status_code = f.value.scalar_text(),
                "responseParameters" => {
                    gr.response_parameters = text_map(&f.value, cx, "gateway response parameter");
                }
                "responseTemplates" => {
                    gr.response_templates = text_map(&f.value, cx, "gateway response template");
                }
                k => cx.warn(
                    f.line,
                    format!("gateway response property {k} is not supported; ignored"),
                ),
            }
        }
        out.insert(e.key.clone(), gr);
    }
    out
}

/// HTTP verbs an OpenAPI path item may hold, and API Gateway's `ANY` extension.
fn verb_of(key: &str) -> Option<&'static str> {
    Some(match key {
        "get" => "GET",
        "put" => "PUT",
        "post" => "POST",
        "delete" => "DELETE",
        "options" => "OPTIONS",
        "head" => "HEAD",
        "patch" => "PATCH",
        "x-amazon-apigateway-any-method" => "ANY",
        _ => return None,
    })
}

fn path_item(doc: &Doc<'_>, path: &str, line: usize, item: &Node, cx: &mut Cx) -> Option<Resource> {
    if !path.starts_with('/') {
        cx.warn(
            line,
            format!("path {path:?} does not start with /; skipped"),
        );
        return None;
    }
    let item = doc.deref(item, cx)?;
    let resource_path = if path.len() > 1 {
        path.trim_end_matches('/').to_string()
    } else {
        path.to_string()
    };
    let common = item.get("parameters");
    let mut resource = Resource {
        path: resource_path,
        methods: IndexMap::new(),
    };
    for e in item.entries() {
        let Some(verb) = verb_of(&e.key) else {
            match e.key.as_str() {
                "parameters" | "summary" | "description" | "servers" => {}
                "trace" => cx.warn(
                    e.line,
                    "TRACE methods are not supported by API Gateway; skipped",
                ),
                k if k.starts_with("x-amazon-apigateway-") || !k.starts_with("x-") => {
                    cx.warn(
                        e.line,
                        format!("{k} in a path item is not supported; ignored"),
                    );
                }
                _ => {}
            }
            continue;
        };
        let Some(op) = doc.deref(&e.value, cx) else {
            continue;
        };
        cx.pending_origins = None;
        if let Some(method) = operation::method(doc, verb, e.line, op, common, cx) {
            cx.record_origins(&resource.path, verb);
            resource.methods.insert(verb.to_string(), method);
        }
    }
    (!resource.methods.is_empty()).then_some(resource)
}
