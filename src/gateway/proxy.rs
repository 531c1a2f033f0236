//! Lambda proxy integration (AWS_PROXY): the payload format 1.0 event, and the rules for the
//! function's answer (APIGW-SEMANTICS.md sections 3 and 4).

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use super::request::MultiMap;

/// Header names API Gateway canonicalises in the event (others keep the client's casing).
const CANONICAL: &[&str] = &[
    "Authorization",
    "User-Agent",
    "Content-Type",
    "Accept",
    "Host",
];

/// The event's header name for a client header.
pub fn event_header_name(name: &str) -> String {
    CANONICAL
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_string(), |c| (*c).to_string())
}

fn single_and_multi(pairs: &MultiMap, rename: fn(&str) -> String) -> (Value, Value) {
    if pairs.is_empty() {
        return (Value::Null, Value::Null);
    }
    let mut single = Map::new();
    let mut multi: IndexMap<String, Vec<Value>> = IndexMap::new();
    for (k, v) in pairs {
        let k = rename(k);
        single.insert(k.clone(), Value::String(v.clone()));
        multi.entry(k).or_default().push(Value::String(v.clone()));
    }
    let multi: Map<String, Value> = multi
        .into_iter()
        .map(|(k, v)| (k, Value::Array(v)))
        .collect();
    (Value::Object(single), Value::Object(multi))
}

/// What goes into the event besides the request itself.
pub struct EventInput<'a> {
    /// Resource template.
    pub resource: &'a str,
    /// Path after the stage (leading slashes collapsed, not decoded).
    pub path: &'a str,
    /// Client method.
    pub http_method: &'a str,
    /// Client headers.
    pub headers: &'a MultiMap,
    /// Decoded query parameters.
    pub query: &'a MultiMap,
    /// Path parameters.
    pub path_parameters: &'a IndexMap<String, String>,
    /// Stage variables (`None` when the stage has none).
    pub stage_variables: Option<&'a IndexMap<String, String>>,
    /// The `requestContext` object.
    pub request_context: Value,
    /// Body (`None` when there is none).
    pub body: Option<String>,
    /// Whether the body is base64 (binary).
    pub is_base64: bool,
}

/// Build the proxy event (exactly the twelve documented keys).
pub fn event(input: &EventInput<'_>) -> Value {
    let (headers, multi_headers) = single_and_multi(input.headers, event_header_name);
    let (query, multi_query) = single_and_multi(input.query, str::to_string);
    let path_parameters = if input.path_parameters.is_empty() {
        Value::Null
    } else {
        Value::Object(
            input
                .path_parameters
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    };
    let stage_variables = match input.stage_variables {
        Some(sv) if !sv.is_empty() => Value::Object(
            sv.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        ),
        _ => Value::Null,
    };
    json!({
        "resource": input.resource,
        "path": input.path,
        "httpMethod": input.http_method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters,
        "stageVariables": stage_variables,
        "requestContext": input.request_context,
        "body": input.body,
        "isBase64Encoded": input.is_base64,
    })
}

/// A valid proxy answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyResponse {
    /// Status code.
    pub status: u16,
    /// Headers (multiValueHeaders first, then headers, as AWS merges them).
    pub headers: Vec<(String, String)>,
    /// Body text.
    pub body: String,
    /// `isBase64Encoded`.
    pub is_base64: bool,
}

fn header_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Interpret a function's answer; `Err` is a malformed proxy response (502).
pub fn parse_response(payload: &[u8]) -> Result<ProxyResponse, String> {
    let v: Value = super::json::parse(payload)
        .map_err(|e| format!("the function's answer is not JSON: {e}"))?;
    let Value::Object(o) = v else {
        return Err("the function's answer is not a JSON object".to_string());
    };
    for k in o.keys() {
        if ![
            "statusCode",
            "headers",
            "multiValueHeaders",
            "body",
            "isBase64Encoded",
        ]
        .contains(&k.as_str())
        {
            return Err(format!(
                "unknown key {k:?} (allowed: statusCode, headers, multiValueHeaders, body, isBase64Encoded)"
            ));
        }
    }
    let status = match o.get("statusCode") {
        None | Some(Value::Null) => 200,
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(|| format!("statusCode {n} is not a valid status"))?,
        Some(Value::String(s)) => s
            .trim()
            .parse::<u16>()
            .map_err(|_| format!("statusCode {s:?} is not a number"))?,
        Some(other) => return Err(format!("statusCode {other} is not a number")),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    match o.get("multiValueHeaders") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, vs) in m {
                let Value::Array(vs) = vs else {
                    return Err(format!("multiValueHeaders.{k} is not a list"));
                };
                for v in vs {
                    headers.push((k.clone(), header_value(v)));
                }
            }
        }
        Some(_) => return Err("multiValueHeaders is not an object".to_string()),
    }
    match o.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                // Same name as a multi-value header: the value joins it, spelled as there.
                let name = headers
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(k))
                    .map_or_else(|| k.clone(), |(n, _)| n.clone());
                headers.push((name, header_value(v)));
            }
        }
        Some(_) => return Err("headers is not an object".to_string()),
    }
    let body = match o.get("body") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    let is_base64 = matches!(o.get("isBase64Encoded"), Some(Value::Bool(true)));
    Ok(ProxyResponse {
        status,
        headers,
        body,
        is_base64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_rules() {
        assert_eq!(
            parse_response(br#"{"statusCode": 200}"#).unwrap().status,
            200
        );
        assert_eq!(parse_response(br"{}").unwrap().status, 200);
        assert_eq!(
            parse_response(br#"{"statusCode": "201"}"#).unwrap().status,
            201
        );
        assert!(parse_response(br#"{"statusCode": "test"}"#).is_err());
        assert!(parse_response(br#"{"statusCode": 200, "wrongValue": 1}"#).is_err());
        assert!(parse_response(br#""justAString""#).is_err());
        assert!(parse_response(br#"{"multiValueHeaders": {"a": "b"}}"#).is_err());
        let r = parse_response(br#"{"multiValueHeaders": {"tesT-Multi": ["m"]}, "headers": {"test-multi": "s", "b": true}}"#).unwrap();
        assert_eq!(
            r.headers,
            vec![
                ("tesT-Multi".into(), "m".into()),
                ("tesT-Multi".into(), "s".into()),
                ("b".into(), "true".into())
            ]
        );
    }

    #[test]
    fn header_names() {
        assert_eq!(event_header_name("aUThorization"), "Authorization");
        assert_eq!(event_header_name("user-Agent"), "User-Agent");
        assert_eq!(event_header_name("tEsT-HEADeR"), "tEsT-HEADeR");
    }
}
