//! CloudFormation templates: which REST API to import, and `AWS::ApiGateway::RestApi` (with
//! a `Body`, or built from `AWS::ApiGateway::Resource` / `Method` resources). SAM's
//! resources are in `sam.rs`.

use std::path::Path;

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::error::{Cx, ImportError};
use super::integration::{self, bool_map, text_map};
use super::intrinsic::{self, getatt_target, ref_target};
use super::node::{Kind, Node};
use super::openapi;
use super::sam;
use super::schema::Models;
use crate::gateway::api::{
    Api, GatewayResponse, Method, MethodResponse, RequestValidator, Resource,
};

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
        Target::RestApi(r) => rest_api(&t, r, cx),
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

fn rest_api(t: &Template<'_>, r: &Res<'_>, cx: &mut Cx) -> Imported {
    let mut out = Imported {
        label: "CloudFormation AWS::ApiGateway::RestApi".into(),
        ..Imported::default()
    };
    let mut body_stage = None;
    for e in r.props.entries() {
        match e.key.as_str() {
            "Name" => out.name = intrinsic::text(&e.value, cx, "Name"),
            "Description" => out.description = e.value.scalar_text(),
            "Body" => {
                if let Some(b) = body(&e.value, cx, "Body") {
                    out.label = format!("CloudFormation AWS::ApiGateway::RestApi with an {} Body", b.label);
                    if out.name.is_none() {
                        out.name = b.title.clone();
                    }
                    body_stage = merge_body(&mut out.api, b);
                }
            }
            "BodyS3Location" => cx.warn(
                e.line,
                "BodyS3Location is not supported (gatebench does not read S3); download the definition and import it directly",
            ),
            "BinaryMediaTypes" => out.api.binary_media_types.extend(
                e.value
                    .items()
                    .iter()
                    .filter_map(|m| intrinsic::text(m, cx, "binary media type"))
                    .map(|m| m.replace("~1", "/")),
            ),
            "Policy" | "ApiKeySourceType" | "MinimumCompressionSize" => cx.warn(
                e.line,
                format!("{} is not simulated; ignored", e.key),
            ),
            _ => {}
        }
    }
    methods(t, &r.id, &mut out.api, cx);
    for g in t.of_type("AWS::ApiGateway::GatewayResponse", &r.id) {
        let Some(kind) = g.props.get("ResponseType").and_then(Node::scalar_text) else {
            cx.warn(g.line, "GatewayResponse without ResponseType; skipped");
            continue;
        };
        let gr = GatewayResponse {
            status_code: g.props.get("StatusCode").and_then(Node::scalar_text),
            response_parameters: g
                .props
                .get("ResponseParameters")
                .map(|p| text_map(p, cx, "gateway response parameter"))
                .unwrap_or_default(),
            response_templates: g
                .props
                .get("ResponseTemplates")
                .map(|p| text_map(p, cx, "gateway response template"))
                .unwrap_or_default(),
        };
        out.api.gateway_responses.insert(kind, gr);
    }
    let stage = t.of_type("AWS::ApiGateway::Stage", &r.id).next();
    if let Some(s) = stage {
        out.api.stage = s
            .props
            .get("StageName")
            .and_then(|n| t.plain_text(n, cx, "StageName"));
        if let Some(vars) = s.props.get("Variables") {
            out.api.stage_variables = Some(text_map(vars, cx, "stage variable"));
        }
    }
    if out.api.stage.is_none() {
        out.api.stage = t
            .of_type("AWS::ApiGateway::Deployment", &r.id)
            .find_map(|d| d.props.get("StageName"))
            .and_then(|n| t.plain_text(n, cx, "StageName"))
            .or(body_stage);
    }
    out
}

/// `AWS::ApiGateway::Resource` paths by logical id.
fn resource_paths(t: &Template<'_>, api_id: &str, cx: &mut Cx) -> IndexMap<String, String> {
    let parts: IndexMap<&str, &Res<'_>> = t
        .of_type("AWS::ApiGateway::Resource", api_id)
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut out = IndexMap::new();
    for (id, r) in &parts {
        let mut segs = Vec::new();
        let mut cur = *r;
        let mut ok = false;
        for _ in 0..64 {
            let Some(part) = cur
                .props
                .get("PathPart")
                .and_then(|p| intrinsic::text(p, cx, "PathPart"))
            else {
                break;
            };
            segs.push(part);
            let Some(parent) = cur.props.get("ParentId") else {
                break;
            };
            if getatt_target(parent).is_some_and(|(_, attr)| attr == "RootResourceId") {
                ok = true;
                break;
            }
            match ref_target(parent).and_then(|p| parts.get(p.as_str()).copied()) {
                Some(next) => cur = next,
                None => break,
            }
        }
        if ok {
            segs.reverse();
            out.insert((*id).to_string(), format!("/{}", segs.join("/")));
        } else {
            cx.warn(
                r.line,
                format!("the path of resource {id} cannot be worked out (ParentId must be !Ref of another resource or !GetAtt API.RootResourceId); its methods are skipped"),
            );
        }
    }
    out
}

/// Methods from `AWS::ApiGateway::Method` resources, added to `api` with their resources
/// sorted by path (as the console lists them).
fn methods(t: &Template<'_>, api_id: &str, api: &mut Api, cx: &mut Cx) {
    let mut built = Api::default();
    method_resources(t, api_id, &mut built, cx);
    built.resources.sort_by(|a, b| a.path.cmp(&b.path));
    for r in built.resources {
        for (verb, m) in r.methods {
            add_method(api, &r.path, &verb, m);
        }
    }
}

fn method_resources(t: &Template<'_>, api_id: &str, api: &mut Api, cx: &mut Cx) {
    let paths = resource_paths(t, api_id, cx);
    let named: IndexMap<String, Json> = models(t, api_id, cx);
    let validators: IndexMap<String, RequestValidator> = t
        .of_type("AWS::ApiGateway::RequestValidator", api_id)
        .map(|v| {
            let flag = |k: &str| v.props.get(k).and_then(Node::as_bool).unwrap_or(false);
            (
                v.id.clone(),
                RequestValidator {
                    validate_request_body: flag("ValidateRequestBody"),
                    validate_request_parameters: flag("ValidateRequestParameters"),
                },
            )
        })
        .collect();
    for m in t.of_type("AWS::ApiGateway::Method", api_id) {
        let p = m.props;
        let Some(verb) = p.get("HttpMethod").and_then(Node::scalar_text) else {
            cx.warn(
                m.line,
                format!("method {} has no HttpMethod; skipped", m.id),
            );
            continue;
        };
        let verb = verb.to_ascii_uppercase();
        let path = match p.get("ResourceId") {
            Some(rid) if getatt_target(rid).is_some_and(|(_, a)| a == "RootResourceId") => {
                Some("/".to_string())
            }
            Some(rid) => ref_target(rid).and_then(|id| paths.get(&id).cloned()),
            None => None,
        };
        let Some(path) = path else {
            cx.warn(
                m.line,
                format!(
                    "method {}: its ResourceId does not name a resource of this API; skipped",
                    m.id
                ),
            );
            continue;
        };
        let Some(inode) = p.get("Integration") else {
            cx.warn(
                m.line,
                format!("method {} has no Integration; skipped", m.id),
            );
            continue;
        };
        let Some(integration) = integration::from_cloudformation(inode, cx) else {
            continue;
        };
        let mut method = Method {
            integration,
            ..Method::default()
        };
        for e in p.entries() {
            let v = &e.value;
            match e.key.as_str() {
                "RequestParameters" => {
                    method.request_parameters = bool_map(v, cx, "request parameter")
                }
                "RequestValidatorId" => {
                    method.request_validator =
                        ref_target(v).and_then(|id| validators.get(&id).cloned());
                    if method.request_validator.is_none() {
                        cx.warn(e.line, "RequestValidatorId does not name an AWS::ApiGateway::RequestValidator of this API; no validation");
                    }
                }
                "RequestModels" => {
                    for me in v.entries() {
                        match model_schema(&me.value, &named) {
                            Some(s) => {
                                method.request_models.insert(me.key.clone(), s);
                            }
                            None => cx.warn(me.line, format!("request model for {} is not defined in the template; not validated", me.key)),
                        }
                    }
                }
                "MethodResponses" => {
                    for mr in v.items() {
                        let Some(code) = mr.get("StatusCode").and_then(Node::scalar_text) else {
                            cx.warn(mr.line, "method response without StatusCode; skipped");
                            continue;
                        };
                        let resp = MethodResponse {
                            response_parameters: mr
                                .get("ResponseParameters")
                                .map(|x| bool_map(x, cx, "method response parameter"))
                                .unwrap_or_default(),
                            response_models: mr
                                .get("ResponseModels")
                                .map(|x| text_map(x, cx, "response model"))
                                .unwrap_or_default(),
                        };
                        method.method_responses.insert(code, resp);
                    }
                }
                "AuthorizationType" => {
                    let a = v.scalar_text().unwrap_or_default();
                    if !a.eq_ignore_ascii_case("NONE") {
                        cx.warn(
                            e.line,
                            format!(
                                "authorization {a} is not simulated: the method runs without it"
                            ),
                        );
                    }
                }
                "ApiKeyRequired" if v.as_bool() == Some(true) => {
                    cx.warn(
                        e.line,
                        "API keys are not simulated: the method runs without one",
                    );
                }
                _ => {}
            }
        }
        if !add_method(api, &path, &verb, method) {
            cx.warn(
                m.line,
                format!(
                    "method {}: {verb} {path} is defined twice; the first is kept",
                    m.id
                ),
            );
        }
    }
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

/// `AWS::ApiGateway::Model` schemas by logical id and by `Name`, with `$ref`s between them
/// inlined, plus API Gateway's built-in `Empty` and `Error` models.
fn models(t: &Template<'_>, api_id: &str, cx: &mut Cx) -> IndexMap<String, Json> {
    let mut raw: IndexMap<String, (Json, usize)> = IndexMap::new();
    raw.insert(
        "Empty".into(),
        (
            serde_json::json!({"type": "object", "title": "Empty Schema"}),
            1,
        ),
    );
    raw.insert(
        "Error".into(),
        (serde_json::json!({"type": "object", "title": "Error Schema", "properties": {"message": {"type": "string"}}}), 1),
    );
    for m in t.of_type("AWS::ApiGateway::Model", api_id) {
        let Some(schema) = m.props.get("Schema") else {
            continue;
        };
        let json = match &schema.kind {
            Kind::Str(s) => match serde_json::from_str(s) {
                Ok(j) => j,
                Err(e) => {
                    cx.warn(
                        schema.line,
                        format!("model {} Schema is not valid JSON ({e}); skipped", m.id),
                    );
                    continue;
                }
            },
            _ => schema.to_json(),
        };
        if let Some(name) = m.props.get("Name").and_then(Node::scalar_text) {
            raw.insert(name, (json.clone(), schema.line));
        }
        raw.insert(m.id.clone(), (json, schema.line));
    }
    let named: IndexMap<String, Json> = raw
        .iter()
        .map(|(k, (v, _))| (k.clone(), v.clone()))
        .collect();
    let resolver = Models {
        root: None,
        named: &named,
    };
    let mut out = IndexMap::new();
    for (k, (v, line)) in &raw {
        let mut problems = Vec::new();
        out.insert(k.clone(), resolver.inline(v, &mut problems));
        for p in problems {
            cx.warn(*line, format!("model {k}: {p}"));
        }
    }
    out
}

/// A `RequestModels` value: a model name or `!Ref Model`.
fn model_schema(v: &Node, named: &IndexMap<String, Json>) -> Option<Json> {
    let name = ref_target(v).or_else(|| v.scalar_text())?;
    named.get(&name).cloned()
}
