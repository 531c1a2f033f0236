//! The method request as API Gateway sees it after routing: what mapping templates read
//! through `$input.params()`, `$input.body`, `$context` and `$stageVariables`.

use indexmap::IndexMap;
use serde::Deserialize;

/// API Gateway's payload limit (10 MB); a larger request is answered `413 Request Too Long`.
pub const MAX_PAYLOAD_BYTES: usize = 10 * 1024 * 1024;

/// Whether `name` is one of [`HIDDEN_HEADERS`] (any case).
pub fn is_hidden_header(name: &str) -> bool {
    HIDDEN_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name))
}

/// Headers a mapping template never sees through `$input.params()`, even when the client
/// sent them (recorded on a REGIONAL endpoint with an HTTP integration).
pub const HIDDEN_HEADERS: &[&str] = &[
    "connection",
    "content-length",
    "content-md5",
    "expect",
    "max-forwards",
    "proxy-authenticate",
    "server",
    "te",
    "transfer-encoding",
    "trailer",
    "upgrade",
    "www-authenticate",
];

/// Name/value pairs in order, names possibly repeated (headers, query string).
pub type MultiMap = Vec<(String, String)>;

/// The method request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MethodRequest {
    /// HTTP method.
    pub method: String,
    /// The matched resource template, e.g. `/pets/{petId}`.
    pub resource: String,
    /// The resource-relative path, e.g. `/pets/7` (no stage prefix).
    pub path: String,
    /// Path parameters bound by routing, in template order.
    pub path_parameters: IndexMap<String, String>,
    /// Headers in arrival order (names as sent).
    pub headers: MultiMap,
    /// Query string parameters, already URL-decoded, in order.
    pub query: MultiMap,
    /// The raw payload (`None` when there was none).
    pub body: Option<Vec<u8>>,
    /// Stage variables.
    pub stage_variables: IndexMap<String, String>,
    /// `$context` values supplied for this request (request id, times, identity, ...).
    pub context: serde_json::Map<String, serde_json::Value>,
}

/// A method request as the template cases write it (`conformance/apigw/FORMAT.md`).
#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CaseRequest {
    #[serde(default)]
    method: String,
    #[serde(default)]
    resource: String,
    #[serde(default)]
    path: String,
    path_parameters: Option<IndexMap<String, String>>,
    headers: Option<IndexMap<String, String>>,
    multi_value_headers: Option<IndexMap<String, Vec<String>>>,
    query_string_parameters: Option<IndexMap<String, String>>,
    multi_value_query_string_parameters: Option<IndexMap<String, Vec<String>>>,
    body: Option<String>,
    #[serde(default)]
    is_base64_encoded: bool,
    stage_variables: Option<IndexMap<String, String>>,
    context: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Why a request file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// The JSON does not have the expected shape.
    #[error("invalid request: {0}")]
    Shape(#[from] serde_json::Error),
    /// `isBase64Encoded` is set but the body is not valid base64.
    #[error("invalid request: isBase64Encoded is true but the body is not base64: {0}")]
    Base64(String),
}

fn multi(
    single: Option<IndexMap<String, String>>,
    multi: Option<IndexMap<String, Vec<String>>>,
) -> MultiMap {
    if let Some(m) = multi {
        return m
            .into_iter()
            .flat_map(|(k, vs)| vs.into_iter().map(move |v| (k.clone(), v)))
            .collect();
    }
    single.map(|m| m.into_iter().collect()).unwrap_or_default()
}

impl MethodRequest {
    /// Read the `request` object of a template case (or `gatebench render --request`).
    pub fn from_case_json(v: &serde_json::Value) -> Result<MethodRequest, RequestError> {
        let c: CaseRequest = serde_json::from_value(v.clone())?;
        let body = match c.body {
            None => None,
            Some(b) if c.is_base64_encoded => {
                use base64::Engine as _;
                Some(
                    base64::engine::general_purpose::STANDARD
                        .decode(b.as_bytes())
                        .map_err(|e| RequestError::Base64(e.to_string()))?,
                )
            }
            Some(b) => Some(b.into_bytes()),
        };
        Ok(MethodRequest {
            method: c.method,
            resource: c.resource,
            path: c.path,
            path_parameters: c.path_parameters.unwrap_or_default(),
            headers: multi(c.headers, c.multi_value_headers),
            query: multi(
                c.query_string_parameters,
                c.multi_value_query_string_parameters,
            ),
            body,
            stage_variables: c.stage_variables.unwrap_or_default(),
            context: c.context.unwrap_or_default(),
        })
    }

    /// The last value of a header, matched case-insensitively (HTTP header names are).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The last value of a query string parameter (names are case-sensitive).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The headers a template can see: hidden ones removed, one value per name (the last),
    /// in first-arrival order.
    pub fn visible_headers(&self) -> IndexMap<String, String> {
        let mut out: IndexMap<String, String> = IndexMap::new();
        for (k, v) in &self.headers {
            if is_hidden_header(k) {
                continue;
            }
            out.insert(k.clone(), v.clone());
        }
        out
    }

    /// Query parameters, one value per name (the last), in first-arrival order.
    pub fn single_query(&self) -> IndexMap<String, String> {
        let mut out: IndexMap<String, String> = IndexMap::new();
        for (k, v) in &self.query {
            out.insert(k.clone(), v.clone());
        }
        out
    }

    /// `$input.params(name)`: path, then query string, then header; absent is `None`.
    pub fn param(&self, name: &str) -> Option<&str> {
        if let Some(v) = self.path_parameters.get(name) {
            return Some(v);
        }
        if let Some(v) = self.query_param(name) {
            return Some(v);
        }
        if is_hidden_header(name) {
            return None;
        }
        self.header(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_case_request_with_multi_values() {
        let v = serde_json::json!({
            "method": "GET", "resource": "/items/{id}", "path": "/items/7",
            "pathParameters": {"id": "7"},
            "headers": {"X": "b"}, "multiValueHeaders": {"X": ["a", "b"], "Content-Length": ["3"]},
            "queryStringParameters": {"q": "2"}, "multiValueQueryStringParameters": {"q": ["1", "2"]},
            "body": null, "stageVariables": {}, "context": {"stage": "dev"}
        });
        let r = MethodRequest::from_case_json(&v).unwrap();
        assert_eq!(r.headers.len(), 3);
        assert_eq!(r.header("x"), Some("b"));
        assert_eq!(r.query_param("q"), Some("2"));
        assert_eq!(r.param("id"), Some("7"));
        assert_eq!(r.param("content-length"), None);
        assert!(!r.visible_headers().contains_key("Content-Length"));
    }

    #[test]
    fn unknown_fields_are_errors() {
        let v = serde_json::json!({"method": "GET", "bodyy": "x"});
        let e = MethodRequest::from_case_json(&v).unwrap_err();
        assert!(e.to_string().contains("bodyy"), "{e}");
    }
}
