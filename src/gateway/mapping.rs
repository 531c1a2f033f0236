//! Parameter mappings (`requestParameters`, `responseParameters`), template selection by
//! content type, and the gateway's header rules (APIGW-SEMANTICS.md sections 7 and 9).

use indexmap::IndexMap;

use super::jsonpath::{self, Selection};
use super::request::MethodRequest;
use super::trace::HttpMessage;

/// Where a mapping reads its value from.
pub struct Sources<'a> {
    /// The method request.
    pub request: &'a MethodRequest,
    /// `$context` values (for `context.X`).
    pub context: &'a serde_json::Map<String, serde_json::Value>,
    /// The integration response (response-side mappings).
    pub integration_response: Option<&'a HttpMessage>,
}

/// Every value of a header (case-insensitive name), `None` when there is none.
fn header_values(headers: &[(String, String)], name: &str) -> Option<Vec<String>> {
    let v: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
        .collect();
    (!v.is_empty()).then_some(v)
}

fn json_path_value(body: &[u8], path: &str) -> Option<String> {
    select_value(super::json::parse(body).ok()?, path)
}

/// `integration.response.body.<path>`: as `method.request.body.<path>`, except that a path
/// into `errorMessage` reads the JSON document a Lambda custom error carries there as a
/// string (the gateway deserialises it for body-to-header mappings, and only for them).
fn response_body_value(body: &[u8], path: &str) -> Option<String> {
    let mut doc: serde_json::Value = super::json::parse(body).ok()?;
    if let Some(rest) = path.strip_prefix("errorMessage")
        && (rest.starts_with('.') || rest.starts_with('['))
        && let Some(serde_json::Value::String(s)) = doc.get("errorMessage")
        && let Ok(inner) = super::json::parse_str(s)
    {
        doc["errorMessage"] = inner;
    }
    select_value(doc, path)
}

fn select_value(doc: serde_json::Value, path: &str) -> Option<String> {
    let compiled = jsonpath::compile(&format!("$.{path}")).ok()?;
    match compiled.select(&doc) {
        Selection::Missing => None,
        Selection::One(serde_json::Value::String(s)) => Some(s),
        Selection::One(v) => Some(v.to_string()),
        Selection::Many(vs) => Some(serde_json::Value::Array(vs).to_string()),
    }
}

fn context_lookup(
    ctx: &serde_json::Map<String, serde_json::Value>,
    dotted: &str,
) -> Option<String> {
    let mut parts = dotted.split('.');
    let mut cur = ctx.get(parts.next()?)?;
    for p in parts {
        cur = cur.get(p)?;
    }
    match cur {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Resolve a mapping expression to its values (several for multi-value sources); `None`
/// when the source is absent (then nothing is mapped).
pub fn resolve(expr: &str, src: &Sources<'_>) -> Option<Vec<String>> {
    let expr = expr.trim();
    if let Some(lit) = expr.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Some(vec![lit.to_string()]);
    }
    let req = src.request;
    if let Some(rest) = expr.strip_prefix("method.request.") {
        let (kind, name) = rest.split_once('.').unwrap_or((rest, ""));
        return match kind {
            "path" => req.path_parameters.get(name).map(|v| vec![v.clone()]),
            "querystring" => req.query_param(name).map(|v| vec![v.to_string()]),
            "header" => req.header(name).map(|v| vec![v.to_string()]),
            "multivaluequerystring" => {
                let v: Vec<String> = req
                    .query
                    .iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .collect();
                (!v.is_empty()).then_some(v)
            }
            "multivalueheader" => header_values(&req.headers, name),
            "body" if name.is_empty() => req
                .body
                .as_ref()
                .map(|b| vec![String::from_utf8_lossy(b).into_owned()]),
            "body" => {
                json_path_value(req.body.as_deref().unwrap_or_default(), name).map(|v| vec![v])
            }
            _ => None,
        };
    }
    if let Some(rest) = expr.strip_prefix("integration.response.") {
        let resp = src.integration_response?;
        let (kind, name) = rest.split_once('.').unwrap_or((rest, ""));
        return match kind {
            "header" => resp.header(name).map(|v| vec![v.to_string()]),
            "multivalueheader" => header_values(&resp.headers, name),
            "body" if name.is_empty() => Some(vec![resp.body_text()]),
            "body" => response_body_value(&resp.body, name).map(|v| vec![v]),
            _ => None,
        };
    }
    if let Some(name) = expr.strip_prefix("stageVariables.") {
        return req.stage_variables.get(name).map(|v| vec![v.clone()]);
    }
    if let Some(dotted) = expr.strip_prefix("context.") {
        return context_lookup(src.context, dotted).map(|v| vec![v]);
    }
    None
}

/// The integration request parts produced by `requestParameters`.
#[derive(Clone, Debug, Default)]
pub struct IntegrationParams {
    /// `integration.request.path.*`
    pub path: IndexMap<String, String>,
    /// `integration.request.querystring.*` (values in order).
    pub query: Vec<(String, String)>,
    /// `integration.request.header.*`
    pub headers: Vec<(String, String)>,
}

/// Apply `requestParameters`.
pub fn integration_params(
    mappings: &IndexMap<String, String>,
    src: &Sources<'_>,
) -> IntegrationParams {
    let mut out = IntegrationParams::default();
    for (target, expr) in mappings {
        let Some(rest) = target.strip_prefix("integration.request.") else {
            continue;
        };
        let (kind, name) = rest.split_once('.').unwrap_or((rest, ""));
        let Some(values) = resolve(expr, src) else {
            continue;
        };
        match kind {
            "path" => {
                if let Some(v) = values.into_iter().last() {
                    out.path.insert(name.to_string(), v);
                }
            }
            "querystring" | "multivaluequerystring" => {
                for v in values {
                    out.query.push((name.to_string(), v));
                }
            }
            "header" | "multivalueheader" => {
                out.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
                out.headers.push((name.to_string(), values.join(",")));
            }
            _ => {}
        }
    }
    out
}

/// The MIME type of a Content-Type or Accept value (parameters dropped, lower case).
pub fn mime(value: &str) -> String {
    value
        .split([';', ','])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// What to do with the request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestTemplateChoice {
    /// Render this template (content type key, template text).
    Transform(String, String),
    /// Pass the body through unchanged.
    Passthrough,
    /// Reject with 415.
    Unsupported,
}

/// Choose the request template by Content-Type and the passthrough behaviour.
pub fn choose_request_template(
    templates: &IndexMap<String, String>,
    content_type: Option<&str>,
    behavior: super::api::PassthroughBehavior,
) -> RequestTemplateChoice {
    use super::api::PassthroughBehavior as P;
    let key = content_type.map_or_else(|| "application/json".to_string(), mime);
    let found = templates.iter().find(|(k, _)| mime(k) == key);
    if let Some((k, t)) = found {
        if t.is_empty() {
            return RequestTemplateChoice::Passthrough;
        }
        return RequestTemplateChoice::Transform(k.clone(), t.clone());
    }
    match (templates.is_empty(), behavior) {
        (false, P::WhenNoMatch) | (true, P::WhenNoMatch | P::WhenNoTemplates) => {
            RequestTemplateChoice::Passthrough
        }
        _ => RequestTemplateChoice::Unsupported,
    }
}

/// Choose the response template by the request's Accept: the matching type, else
/// `application/json`, else the first. `None`: pass the body through. An empty template
/// means "unmapped" too.
pub fn choose_response_template(
    templates: &IndexMap<String, String>,
    accept: Option<&str>,
) -> Option<(String, String)> {
    if templates.is_empty() {
        return None;
    }
    let key = accept.map(mime).filter(|k| !k.is_empty() && k != "*/*");
    let chosen = key
        .and_then(|k| templates.iter().find(|(t, _)| mime(t) == k))
        .or_else(|| {
            templates
                .iter()
                .find(|(t, _)| mime(t) == "application/json")
        })
        .or_else(|| templates.iter().next())?;
    if chosen.1.is_empty() {
        return None;
    }
    Some((chosen.0.clone(), chosen.1.clone()))
}

/// Method response headers mapped onto these names reach the client renamed
/// `x-amzn-Remapped-<Name>`.
const REMAPPED: &[&str] = &[
    "authorization",
    "connection",
    "content-length",
    "content-md5",
    "date",
    "expect",
    "host",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "trailer",
    "upgrade",
    "user-agent",
    "www-authenticate",
];

/// The client-visible name of a method response header (`None`: dropped).
pub fn response_header_name(name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if lower == "transfer-encoding" {
        return None;
    }
    if REMAPPED.contains(&lower.as_str()) {
        return Some(format!("x-amzn-Remapped-{name}"));
    }
    Some(name.to_string())
}

/// Headers an HTTP_PROXY backend's response passes with a new name.
pub fn proxy_response_header_name(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if [
        "connection",
        "content-length",
        "date",
        "server",
        "x-amzn-requestid",
    ]
    .contains(&lower.as_str())
    {
        format!("x-amzn-Remapped-{name}")
    } else {
        name.to_string()
    }
}

/// Request header mappings that make the execution fail (500, backend not called).
pub fn forbidden_request_header(name: &str, aws: bool) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = ["content-length", "transfer-encoding"].contains(&lower.as_str());
    base || (aws
        && [
            "authorization",
            "connection",
            "expect",
            "proxy-authenticate",
            "te",
        ]
        .contains(&lower.as_str()))
}

/// Mapped request headers that never reach an HTTP backend.
pub fn dropped_request_header(name: &str) -> bool {
    ["proxy-authenticate", "te", "via", "expect", "connection"]
        .contains(&name.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::api::PassthroughBehavior as P;

    fn t(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn request_template_table() {
        let json = t(&[("application/json", "x")]);
        assert!(matches!(
            choose_request_template(&json, None, P::WhenNoMatch),
            RequestTemplateChoice::Transform(..)
        ));
        assert!(matches!(
            choose_request_template(&json, Some("application/json; charset=UTF-8"), P::Never),
            RequestTemplateChoice::Transform(..)
        ));
        assert_eq!(
            choose_request_template(&json, Some("application/xml"), P::WhenNoMatch),
            RequestTemplateChoice::Passthrough
        );
        assert_eq!(
            choose_request_template(&json, Some("application/xml"), P::WhenNoTemplates),
            RequestTemplateChoice::Unsupported
        );
        assert_eq!(
            choose_request_template(&json, Some("application/xml"), P::Never),
            RequestTemplateChoice::Unsupported
        );
        let none = IndexMap::new();
        assert_eq!(
            choose_request_template(&none, None, P::WhenNoTemplates),
            RequestTemplateChoice::Passthrough
        );
        assert_eq!(
            choose_request_template(&none, None, P::Never),
            RequestTemplateChoice::Unsupported
        );
    }

    #[test]
    fn response_template_choice() {
        let both = t(&[("application/xml", "<x/>"), ("application/json", "{}")]);
        assert_eq!(
            choose_response_template(&both, None).unwrap().0,
            "application/json"
        );
        assert_eq!(
            choose_response_template(&both, Some("application/xml"))
                .unwrap()
                .0,
            "application/xml"
        );
        let xml = t(&[("application/xml", "<x/>")]);
        assert_eq!(
            choose_response_template(&xml, None).unwrap().0,
            "application/xml"
        );
        let empty_json = t(&[("application/json", ""), ("application/xml", "<x/>")]);
        assert!(choose_response_template(&empty_json, None).is_none());
    }
}
