//! Integrations as OpenAPI writes them (`x-amazon-apigateway-integration`, camelCase,
//! responses keyed by selection pattern) and as CloudFormation writes them
//! (`AWS::ApiGateway::Method` `Integration`, PascalCase, `IntegrationResponses` as a list).

use indexmap::IndexMap;

use super::error::Cx;
use super::intrinsic;
use super::node::Node;
use super::origin::{At, MethodOrigins, scalar_at};
use crate::gateway::api::{
    ContentHandling, Integration, IntegrationResponse, IntegrationType, PassthroughBehavior,
};

/// An integration type name in any case (`aws_proxy`, `AWS_PROXY`).
pub(crate) fn parse_type(s: &str) -> Option<IntegrationType> {
    IntegrationType::ALL
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
}

fn parse_passthrough(s: &str) -> Option<PassthroughBehavior> {
    match s.trim().to_ascii_uppercase().as_str() {
        "WHEN_NO_MATCH" => Some(PassthroughBehavior::WhenNoMatch),
        "WHEN_NO_TEMPLATES" => Some(PassthroughBehavior::WhenNoTemplates),
        "NEVER" => Some(PassthroughBehavior::Never),
        _ => None,
    }
}

fn parse_content_handling(s: &str) -> Option<ContentHandling> {
    match s.trim().to_ascii_uppercase().as_str() {
        "CONVERT_TO_TEXT" => Some(ContentHandling::ConvertToText),
        "CONVERT_TO_BINARY" => Some(ContentHandling::ConvertToBinary),
        _ => None,
    }
}

/// A map of text values (templates, parameter mappings). Values that are not text are
/// reported and skipped.
pub(crate) fn text_map(node: &Node, cx: &mut Cx, what: &str) -> IndexMap<String, String> {
    let mut out = IndexMap::new();
    if !node.is_map() {
        cx.warn(node.line, format!("{what} must be a mapping; ignored"));
        return out;
    }
    for e in node.entries() {
        if let Some(v) = intrinsic::text(&e.value, cx, &format!("{what} {}", e.key)) {
            out.insert(e.key.clone(), v);
        }
    }
    out
}

/// A map of booleans (`method.request.*` -> required).
pub(crate) fn bool_map(node: &Node, cx: &mut Cx, what: &str) -> IndexMap<String, bool> {
    let mut out = IndexMap::new();
    for e in node.entries() {
        match e.value.as_bool() {
            Some(b) => {
                out.insert(e.key.clone(), b);
            }
            None => cx.warn(
                e.line,
                format!("{what} {}: expected true or false; ignored", e.key),
            ),
        }
    }
    out
}

/// Field names, which differ only in case between the two formats.
struct Names {
    kind: &'static str,
    http_method: &'static str,
    uri: &'static str,
    passthrough: &'static str,
    request_templates: &'static str,
    request_parameters: &'static str,
    content_handling: &'static str,
    timeout: &'static str,
    /// Accepted and not simulated, no warning (caching, credentials, TLS options).
    quiet: &'static [&'static str],
    /// Accepted with a warning: what is not simulated.
    vpc: [&'static str; 2],
}

const OPENAPI: Names = Names {
    kind: "type",
    http_method: "httpMethod",
    uri: "uri",
    passthrough: "passthroughBehavior",
    request_templates: "requestTemplates",
    request_parameters: "requestParameters",
    content_handling: "contentHandling",
    timeout: "timeoutInMillis",
    quiet: &[
        "cacheNamespace",
        "cacheKeyParameters",
        "credentials",
        "tlsConfig",
        "description",
        "integrationTarget",
        "payloadFormatVersion",
    ],
    vpc: ["connectionType", "connectionId"],
};

const CLOUDFORMATION: Names = Names {
    kind: "Type",
    http_method: "IntegrationHttpMethod",
    uri: "Uri",
    passthrough: "PassthroughBehavior",
    request_templates: "RequestTemplates",
    request_parameters: "RequestParameters",
    content_handling: "ContentHandling",
    timeout: "TimeoutInMillis",
    quiet: &[
        "CacheNamespace",
        "CacheKeyParameters",
        "Credentials",
        "TlsConfig",
        "IntegrationTarget",
    ],
    vpc: ["ConnectionType", "ConnectionId"],
};

/// An `x-amazon-apigateway-integration` object. `None` (with a warning) when it has no
/// usable type.
pub(crate) fn from_openapi(node: &Node, cx: &mut Cx) -> Option<Integration> {
    let mut origins = MethodOrigins::default();
    let mut integration = common(
        node,
        cx,
        &OPENAPI,
        "x-amazon-apigateway-integration",
        &mut origins,
    )?;
    for e in node.entries() {
        if e.key != "responses" {
            continue;
        }
        for r in e.value.entries() {
            let pattern = (r.key != "default").then(|| r.key.clone());
            let Some((resp, at)) = response(&r.value, cx, &OPENAPI_RESPONSE, pattern) else {
                continue;
            };
            insert_response(&mut integration, resp, r.line, cx, at, &mut origins);
        }
    }
    cx.pending_origins = Some(origins);
    Some(integration)
}

/// An `AWS::ApiGateway::Method` `Integration` property.
pub(crate) fn from_cloudformation(node: &Node, cx: &mut Cx) -> Option<Integration> {
    let mut origins = MethodOrigins::default();
    let mut integration = common(node, cx, &CLOUDFORMATION, "Integration", &mut origins)?;
    for e in node.entries() {
        if e.key != "IntegrationResponses" {
            continue;
        }
        for r in e.value.items() {
            let pattern = r
                .get("SelectionPattern")
                .and_then(|p| intrinsic::text(p, cx, "SelectionPattern"))
                .filter(|p| !p.is_empty());
            let Some((resp, at)) = response(r, cx, &CLOUDFORMATION_RESPONSE, pattern) else {
                continue;
            };
            insert_response(&mut integration, resp, r.line, cx, at, &mut origins);
        }
    }
    cx.pending_origins = Some(origins);
    Some(integration)
}

fn insert_response(
    integration: &mut Integration,
    resp: IntegrationResponse,
    line: usize,
    cx: &mut Cx,
    at: ResponseAt,
    origins: &mut MethodOrigins,
) {
    // API Gateway keeps one integration response per status code.
    let key = resp.status_code.clone();
    let key_used = if integration.integration_responses.contains_key(&key) {
        resp.selection_pattern
            .clone()
            .unwrap_or_else(|| format!("{key} (default)"))
    } else {
        key.clone()
    };
    for (ct, a) in at.templates {
        origins.templates.push((Some(key_used.clone()), ct, a));
    }
    for (k, a) in at.parameters {
        origins.settings.push((
            vec![
                "integration".into(),
                "integrationResponses".into(),
                key_used.clone(),
                "responseParameters".into(),
                k,
            ],
            a,
        ));
    }
    if integration.integration_responses.contains_key(&key) {
        cx.warn(
            line,
            format!(
                "a second integration response for status {key}: API Gateway keeps one per status code; this one is kept under its selection pattern"
            ),
        );
        let alt = resp
            .selection_pattern
            .clone()
            .unwrap_or_else(|| format!("{key} (default)"));
        integration.integration_responses.insert(alt, resp);
    } else {
        integration.integration_responses.insert(key, resp);
    }
}

fn common(
    node: &Node,
    cx: &mut Cx,
    n: &Names,
    what: &str,
    origins: &mut MethodOrigins,
) -> Option<Integration> {
    if !node.is_map() {
        cx.warn(
            node.line,
            format!("{what} must be a mapping; the method is skipped"),
        );
        return None;
    }
    let Some(kind_node) = node.get(n.kind) else {
        cx.warn(
            node.line,
            format!("{what} has no {}; the method is skipped", n.kind),
        );
        return None;
    };
    let kind_text = kind_node.scalar_text().unwrap_or_default();
    let Some(kind) = parse_type(&kind_text) else {
        cx.warn(
            kind_node.line,
            format!("integration type {kind_text:?} is not supported (MOCK, AWS, AWS_PROXY, HTTP, HTTP_PROXY are); the method is skipped"),
        );
        return None;
    };
    let mut integration = Integration {
        kind,
        ..Integration::default()
    };
    for e in node.entries() {
        let k = e.key.as_str();
        let v = &e.value;
        if k == n.kind || k == "responses" || k == "IntegrationResponses" {
        } else if k == n.http_method {
            integration.http_method =
                intrinsic::text(v, cx, "integration httpMethod").map(|m| m.to_ascii_uppercase());
        } else if k == n.uri {
            integration.uri = intrinsic::text(v, cx, "integration uri");
            if let Some(uri) = &integration.uri {
                cx.note_stage_variables(uri, v.line);
                if v.scalar_text().is_some() {
                    cx.note_placeholders(uri, v.line);
                }
            }
        } else if k == n.passthrough {
            let t = v.scalar_text().unwrap_or_default();
            integration.passthrough_behavior = parse_passthrough(&t);
            if integration.passthrough_behavior.is_none() {
                cx.warn(
                    v.line,
                    format!("passthrough behavior {t:?} is not known; WHEN_NO_MATCH is used"),
                );
            }
        } else if k == n.request_templates {
            integration.request_templates = text_map(v, cx, "request template");
            for (ct, a) in places(v) {
                origins.templates.push((None, ct, a));
            }
        } else if k == n.request_parameters {
            integration.request_parameters = text_map(v, cx, "integration request parameter");
            for (key, a) in places(v) {
                origins.settings.push((
                    vec!["integration".into(), "requestParameters".into(), key],
                    a,
                ));
            }
            for (target, source) in &integration.request_parameters {
                if target.starts_with("integration.request.") {
                    cx.note_stage_variables(source, v.line);
                }
            }
        } else if k == n.content_handling {
            let t = v.scalar_text().unwrap_or_default();
            integration.content_handling = parse_content_handling(&t);
            if integration.content_handling.is_none() {
                cx.warn(
                    v.line,
                    format!("content handling {t:?} is not known; ignored"),
                );
            }
        } else if k == n.timeout {
            integration.timeout_in_millis = v.as_u64();
            if integration.timeout_in_millis.is_none() {
                cx.warn(
                    v.line,
                    "timeoutInMillis must be a number of milliseconds; the default 29000 is used",
                );
            }
        } else if n.quiet.contains(&k) {
        } else if n.vpc.contains(&k) {
            if k == n.vpc[0]
                && v.as_str()
                    .is_some_and(|t| t.eq_ignore_ascii_case("VPC_LINK"))
            {
                cx.warn(
                    e.line,
                    "VPC links are not simulated: the integration calls its uri directly",
                );
            }
        } else {
            cx.warn(
                e.line,
                format!("{what} property {k} is not supported; ignored"),
            );
        }
    }
    Some(integration)
}

struct ResponseNames {
    status: &'static str,
    templates: &'static str,
    parameters: &'static str,
    content_handling: &'static str,
    pattern: Option<&'static str>,
}

const OPENAPI_RESPONSE: ResponseNames = ResponseNames {
    status: "statusCode",
    templates: "responseTemplates",
    parameters: "responseParameters",
    content_handling: "contentHandling",
    pattern: None,
};

const CLOUDFORMATION_RESPONSE: ResponseNames = ResponseNames {
    status: "StatusCode",
    templates: "ResponseTemplates",
    parameters: "ResponseParameters",
    content_handling: "ContentHandling",
    pattern: Some("SelectionPattern"),
};

/// Where an integration response's templates and parameters are written.
#[derive(Default)]
struct ResponseAt {
    templates: Vec<(String, At)>,
    parameters: Vec<(String, At)>,
}

/// Where each entry's value of a mapping is written (for a template: where its text is).
fn places(node: &Node) -> Vec<(String, At)> {
    node.entries()
        .iter()
        .map(|e| (e.key.clone(), scalar_at(&e.value)))
        .collect()
}

fn response(
    node: &Node,
    cx: &mut Cx,
    n: &ResponseNames,
    selection_pattern: Option<String>,
) -> Option<(IntegrationResponse, ResponseAt)> {
    let mut at = ResponseAt::default();
    let Some(status) = node
        .get(n.status)
        .and_then(|s| intrinsic::text(s, cx, "statusCode"))
    else {
        cx.warn(
            node.line,
            format!("integration response without {}; skipped", n.status),
        );
        return None;
    };
    let mut resp = IntegrationResponse {
        status_code: status,
        selection_pattern,
        ..IntegrationResponse::default()
    };
    for e in node.entries() {
        let k = e.key.as_str();
        if k == n.status || Some(k) == n.pattern {
        } else if k == n.templates {
            resp.response_templates = text_map(&e.value, cx, "response template");
            at.templates = places(&e.value);
        } else if k == n.parameters {
            resp.response_parameters = text_map(&e.value, cx, "response parameter");
            at.parameters = places(&e.value);
        } else if k == n.content_handling {
            let t = e.value.scalar_text().unwrap_or_default();
            resp.content_handling = parse_content_handling(&t);
            if resp.content_handling.is_none() {
                cx.warn(
                    e.value.line,
                    format!("content handling {t:?} is not known; ignored"),
                );
            }
        } else {
            cx.warn(
                e.line,
                format!("integration response property {k} is not supported; ignored"),
            );
        }
    }
    Some((resp, at))
}
