//! CloudFormation templates: which REST API to import, and what its resources share. The
//! API itself comes from `rest_api.rs` (`AWS::ApiGateway::*`) or `sam.rs` (SAM).

use std::path::Path;

use indexmap::IndexMap;

use super::error::{Cx, ImportError};
use super::intrinsic::{self, ref_target};
use super::node::{Kind, Node};
use super::openapi;
use super::rest_api;
use super::sam;
use crate::gateway::api::{Api, Method, Resource};

/// A mapping with nothing in it, for absent `Properties`.
pub(crate) static EMPTY: Node = Node {
    line: 1,
    kind: Kind::Map(Vec::new()),
};

/// One entry of `Resources`.
pub(crate) struct Res<'a> {
    pub id: String,
    pub ty: String,
    pub props: &'a Node,
    pub line: usize,
}

/// A template being imported.
pub(crate) struct Template<'a> {
    pub resources: Vec<Res<'a>>,
    /// `Parameters` defaults, to resolve `!Ref Param` where a plain value is needed (stage
    /// names).
    pub params: IndexMap<String, String>,
    /// `Globals.Api` (SAM).
    pub globals_api: Option<&'a Node>,
    /// The folder of the template (SAM `DefinitionUri` paths are relative to it).
    pub dir: &'a Path,
}

/// What a template gives.
#[derive(Debug, Default)]
pub(crate) struct Imported {
    pub api: Api,
    pub name: Option<String>,
    pub description: Option<String>,
    pub label: String,
}

/// Whether `doc` looks like a CloudFormation or SAM template.
pub(crate) fn detect(doc: &Node) -> bool {
    doc.get("Resources").is_some_and(Node::is_map)
        || doc.get("AWSTemplateFormatVersion").is_some()
        || doc.get("Transform").is_some()
}

/// Which API a template defines, in the order preferred.
enum Target<'a> {
    RestApi(&'a Res<'a>),
    ServerlessApi(&'a Res<'a>),
    /// SAM's implicit `ServerlessRestApi` (function `Api` events without `RestApiId`).
    Implicit,
}

/// Import the first REST API of a template.
pub(crate) fn import(root: &Node, cx: &mut Cx, dir: &Path) -> Result<Imported, ImportError> {
    let Some(resources) = root.get("Resources") else {
        return Err(cx.invalid(root.line, "the template has no Resources"));
    };
    let t = Template {
        resources: resources
            .entries()
            .iter()
            .map(|e| Res {
                id: e.key.clone(),
                ty: e
                    .value
                    .get("Type")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default(),
                props: e.value.get("Properties").unwrap_or(&EMPTY),
                line: e.line,
            })
            .collect(),
        params: root
            .get("Parameters")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.clone(), e.value.get("Default")?.scalar_text()?)))
            .collect(),
        globals_api: root.get("Globals").and_then(|g| g.get("Api")),
        dir,
    };
    let mut targets = Vec::new();
    for r in &t.resources {
        match r.ty.as_str() {
            "AWS::ApiGateway::RestApi" => targets.push((Target::RestApi(r), r.line)),
            "AWS::Serverless::Api" => targets.push((Target::ServerlessApi(r), r.line)),
            "AWS::Serverless::HttpApi" => cx.warn(
                r.line,
                format!("{} is an HTTP API (API Gateway v2); gatebench simulates REST APIs; skipped", r.id),
            ),
            ty if ty.starts_with("AWS::ApiGatewayV2::") => cx.warn(
                r.line,
                format!("{ty} ({}) belongs to HTTP and WebSocket APIs; gatebench simulates REST APIs; skipped", r.id),
            ),
            _ => {}
        }
    }
    if let Some(line) = sam::implicit_api_line(&t) {
        targets.push((Target::Implicit, line));
    }
    let mut targets = targets.into_iter();
    let Some((target, _)) = targets.next() else {
        return Err(cx.invalid(
            root.line,
            "no REST API in this template (AWS::ApiGateway::RestApi, AWS::Serverless::Api, or AWS::Serverless::Function events of type Api)",
        ));
    };
    let chosen = match &target {
        Target::RestApi(r) | Target::ServerlessApi(r) => r.id.clone(),
        Target::Implicit => "ServerlessRestApi".to_string(),
    };
    for (other, line) in targets {
        let id = match other {
            Target::RestApi(r) | Target::ServerlessApi(r) => r.id.clone(),
            Target::Implicit => "the implicit ServerlessRestApi".to_string(),
        };
        cx.warn(
            line,
            format!("a session holds one API: {id} is not imported ({chosen} is)"),
        );
    }
    let mut out = match target {
        Target::RestApi(r) => rest_api::rest_api(&t, r, cx),
        Target::ServerlessApi(r) => sam::api(&t, Some(r), cx),
        Target::Implicit => sam::api(&t, None, cx),
    };
    if out.label.is_empty() {
        out.label = "CloudFormation template".into();
    }
    if out.description.is_none() {
        out.description = root.get("Description").and_then(Node::scalar_text);
    }
    Ok(out)
}

impl Template<'_> {
    /// Whether resource `r` belongs to API `api_id` (its `RestApiId` refers to it, or it
    /// names no API we can tell).
    pub fn belongs(&self, r: &Res<'_>, api_id: &str) -> bool {
        match r.props.get("RestApiId").map(ref_target) {
            Some(Some(target)) => target == api_id,
            _ => true,
        }
    }

    /// Text for a value that must be plain (a stage name): `!Ref Param` resolves to the
    /// parameter's default.
    pub fn plain_text(&self, node: &Node, cx: &mut Cx, what: &str) -> Option<String> {
        if let Some(p) = ref_target(node)
            && let Some(v) = self.params.get(&p)
        {
            return Some(v.clone());
        }
        intrinsic::text(node, cx, what)
    }

    /// Resources of type `ty` that belong to API `api_id`.
    pub fn of_type<'s>(
        &'s self,
        ty: &'s str,
        api_id: &'s str,
    ) -> impl Iterator<Item = &'s Res<'s>> {
        self.resources
            .iter()
            .filter(move |r| r.ty == ty && self.belongs(r, api_id))
    }
}

/// Parse an OpenAPI `Body` / `DefinitionBody` inline in the template.
pub(crate) fn body(node: &Node, cx: &mut Cx, what: &str) -> Option<openapi::OpenApi> {
    if let Some((name, _)) = intrinsic::intrinsic(node) {
        cx.warn(
            node.line,
            format!("{what} uses {name} (e.g. an AWS::Include transform); only an inline OpenAPI document is supported; skipped"),
        );
        return None;
    }
    if !node.is_map() {
        cx.warn(
            node.line,
            format!("{what} must be an OpenAPI document; skipped"),
        );
        return None;
    }
    Some(openapi::import(node, cx))
}

/// Merge an imported OpenAPI body into `api` (resources, binary types, gateway responses).
pub(crate) fn merge_body(api: &mut Api, body: openapi::OpenApi) -> Option<String> {
    api.resources.extend(body.api.resources);
    api.binary_media_types.extend(body.api.binary_media_types);
    api.gateway_responses.extend(body.api.gateway_responses);
    body.stage
}

/// Add a method to `api`, creating its resource if needed. An existing method wins (a
/// definition body is more specific than SAM's events); `false` then.
pub(crate) fn add_method(api: &mut Api, path: &str, verb: &str, method: Method) -> bool {
    let idx = match api.resources.iter().position(|r| r.path == path) {
        Some(i) => i,
        None => {
            api.resources.push(Resource {
                path: path.to_string(),
                methods: IndexMap::new(),
            });
            api.resources.len() - 1
        }
    };
    let methods = &mut api.resources[idx].methods;
    if methods.contains_key(verb) {
        return false;
    }
    methods.insert(verb.to_string(), method);
    true
}
