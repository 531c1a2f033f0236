//! `AWS::ApiGateway::RestApi` in a CloudFormation template: its `Body` (inline OpenAPI), and
//! the API built from `AWS::ApiGateway::Resource` (the tree from `ParentId` / `PathPart`),
//! `Method`, `Model`, `RequestValidator`, `GatewayResponse`, `Stage` and `Deployment`.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::auth;
use super::template::{Imported, Res, Template, add_method, body, merge_body};
use crate::gateway::api::{Api, GatewayResponse, Method, MethodResponse, RequestValidator};
use crate::import::error::Cx;
use crate::import::integration::{self, bool_map, text_map};
use crate::import::intrinsic::{self, getatt_target, ref_target};
use crate::import::node::{Kind, Node};
use crate::import::schema::Models;

pub(crate) fn rest_api(t: &Template<'_>, r: &Res<'_>, cx: &mut Cx) -> Imported {
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
            "ApiKeySourceType" => out.api.api_key_source = auth::key_source(&e.value, cx),
            "Policy" | "MinimumCompressionSize" => cx.warn(
                e.line,
                format!("{} is not simulated; ignored", e.key),
            ),
            _ => {}
        }
    }
    auth::authorizers(t, &r.id, &mut out.api, cx);
    auth::keys_and_plans(t, &r.id, &mut out.api, cx);
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
    // The authorizers are known already: methods name them.
    let mut built = Api {
        authorizers: api.authorizers.clone(),
        ..Api::default()
    };
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
        let origins = cx.pending_origins.take();
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
                k if auth::method_property(k, v, e.line, api, &mut method, cx) => {}
                _ => {}
            }
        }
        if add_method(api, &path, &verb, method) {
            cx.pending_origins = origins;
            cx.record_origins(&path, &verb);
        } else {
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
