//! OpenAPI 2 (Swagger) and 3 documents with API Gateway's extensions, as the console and
//! `get-export` write them and as `import-rest-api` reads them: paths and operations,
//! `x-amazon-apigateway-integration`, request validators, binary media types, gateway
//! responses, and the stage from `basePath` / `servers`.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::error::Cx;
use super::integration::{self, text_map};
use super::intrinsic;
use super::node::{Kind, Node};
use super::operation;
use crate::gateway::api::{Api, GatewayResponse, RequestValidator, Resource};

/// Which OpenAPI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    /// Swagger 2.0.
    V2,
    /// OpenAPI 3.x.
    V3,
}

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

/// The document while its operations are read.
pub(crate) struct Doc<'a> {
    pub root: &'a Node,
    pub version: Version,
    /// The document as JSON, for `$ref` pointers inside schemas.
    pub json: Json,
    /// Models by name (`definitions` or `components.schemas`).
    pub models: IndexMap<String, Json>,
    pub validators: IndexMap<String, RequestValidator>,
    pub default_validator: Option<String>,
    /// Swagger 2 `consumes` / `produces` defaults.
    pub consumes: Vec<String>,
    pub produces: Vec<String>,
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
    };
    let mut out = OpenApi {
        label,
        ..OpenApi::default()
    };
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
            "security" if !v.items().is_empty() => {
                cx.warn(
                    e.line,
                    format!(
                        "security requirements ({}) are not simulated: methods run without authorizers or API keys",
                        security_names(v).join(", ")
                    ),
                );
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

/// The names in a `security` requirement list.
pub(crate) fn security_names(v: &Node) -> Vec<String> {
    v.items()
        .iter()
        .flat_map(|req| req.entries().iter().map(|e| e.key.clone()))
        .collect()
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
    if !path.contains('{') {
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
        if let Some(method) = operation::method(doc, verb, e.line, op, common, cx) {
            resource.methods.insert(verb.to_string(), method);
        }
    }
    (!resource.methods.is_empty()).then_some(resource)
}

impl Doc<'_> {
    /// Follow a local `$ref` (`#/components/parameters/Id`, `#/definitions/Pet`); the node
    /// itself when it is not a reference. `None` (with a warning) when it cannot be followed.
    pub fn deref<'n>(&'n self, node: &'n Node, cx: &mut Cx) -> Option<&'n Node> {
        let mut cur = node;
        for _ in 0..16 {
            let Some(r) = cur.get("$ref") else {
                return Some(cur);
            };
            let text = r.scalar_text().unwrap_or_default();
            let Some(target) = text.strip_prefix("#/").and_then(|p| pointer(self.root, p)) else {
                cx.warn(
                    r.line,
                    format!("$ref {text} cannot be resolved (only references inside the file are); skipped"),
                );
                return None;
            };
            cur = target;
        }
        cx.warn(node.line, "$ref chain too long (a cycle?); skipped");
        None
    }

    /// The content types a Swagger 2 operation consumes or produces.
    pub fn media_types(&self, op: &Node, key: &str) -> Vec<String> {
        let own: Vec<String> = op
            .get(key)
            .map(|n| n.items().iter().filter_map(Node::scalar_text).collect())
            .unwrap_or_default();
        if !own.is_empty() {
            return own;
        }
        let global = if key == "consumes" {
            &self.consumes
        } else {
            &self.produces
        };
        if global.is_empty() {
            vec!["application/json".to_string()]
        } else {
            global.clone()
        }
    }
}

/// Walk a JSON pointer (already without `#/`) through the node tree.
fn pointer<'n>(root: &'n Node, p: &str) -> Option<&'n Node> {
    let mut cur = root;
    for raw in p.split('/') {
        let seg = percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .replace("~1", "/")
            .replace("~0", "~");
        cur = match &cur.kind {
            Kind::Map(_) => cur.get(&seg)?,
            Kind::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// `x-amazon-apigateway-integration` of an operation, parsed.
pub(crate) fn integration_of(
    op: &Node,
    line: usize,
    cx: &mut Cx,
) -> Option<crate::gateway::api::Integration> {
    let Some(node) = op.get("x-amazon-apigateway-integration") else {
        cx.warn(
            line,
            "operation without x-amazon-apigateway-integration (API Gateway would have nothing to call); skipped",
        );
        return None;
    };
    integration::from_openapi(node, cx)
}
