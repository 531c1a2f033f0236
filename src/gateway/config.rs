//! Control-plane defaults the service fills in: `PutIntegration` and the default gateway
//! responses (`GetGatewayResponses` on a new API).

use serde_json::{Map, Value, json};

/// Default gateway responses: type and default status (`None` for the DEFAULT_* families).
pub const GATEWAY_RESPONSE_DEFAULTS: &[(&str, Option<&str>)] = &[
    ("ACCESS_DENIED", Some("403")),
    ("API_CONFIGURATION_ERROR", Some("500")),
    ("AUTHORIZER_CONFIGURATION_ERROR", Some("500")),
    ("AUTHORIZER_FAILURE", Some("500")),
    ("BAD_REQUEST_BODY", Some("400")),
    ("BAD_REQUEST_PARAMETERS", Some("400")),
    ("DEFAULT_4XX", None),
    ("DEFAULT_5XX", None),
    ("EXPIRED_TOKEN", Some("403")),
    ("INTEGRATION_FAILURE", Some("504")),
    ("INTEGRATION_TIMEOUT", Some("504")),
    ("INVALID_API_KEY", Some("403")),
    ("INVALID_SIGNATURE", Some("403")),
    ("MISSING_AUTHENTICATION_TOKEN", Some("403")),
    ("QUOTA_EXCEEDED", Some("429")),
    ("REQUEST_TOO_LARGE", Some("413")),
    ("RESOURCE_NOT_FOUND", Some("404")),
    ("THROTTLED", Some("429")),
    ("UNAUTHORIZED", Some("401")),
    ("UNSUPPORTED_MEDIA_TYPE", Some("415")),
    ("WAF_FILTERED", Some("403")),
];

/// The default body template of every gateway response (simple substitution, not VTL).
pub const GATEWAY_RESPONSE_TEMPLATE: &str = "{\"message\":$context.error.messageString}";

/// `GetGatewayResponses` on an API with no customisation.
pub fn default_gateway_responses() -> Value {
    let items: Vec<Value> = GATEWAY_RESPONSE_DEFAULTS
        .iter()
        .map(|(t, status)| {
            let mut item = json!({
                "responseType": t,
                "defaultResponse": true,
                "responseParameters": {},
                "responseTemplates": {"application/json": GATEWAY_RESPONSE_TEMPLATE},
            });
            if let (Some(s), Value::Object(o)) = (status, &mut item) {
                o.insert("statusCode".into(), json!(s));
            }
            item
        })
        .collect();
    json!({ "items": items })
}

/// What `PutIntegration` answers for an input: the input with the service's defaults
/// (`passthroughBehavior` WHEN_NO_MATCH, `timeoutInMillis` 29000, `cacheKeyParameters` []);
/// `integrationHttpMethod` becomes `httpMethod`, and MOCK echoes no `httpMethod`.
pub fn put_integration(input: &Value) -> Value {
    let mut out = Map::new();
    let Value::Object(i) = input else {
        return Value::Object(out);
    };
    let kind = i.get("type").and_then(Value::as_str).unwrap_or("MOCK");
    for (k, v) in i {
        match k.as_str() {
            // The method's own verb is not part of the integration.
            "httpMethod" | "restApiId" | "resourceId" => {}
            "integrationHttpMethod" => {
                if kind != "MOCK" {
                    out.insert("httpMethod".into(), v.clone());
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out.entry("passthroughBehavior")
        .or_insert(json!("WHEN_NO_MATCH"));
    out.entry("timeoutInMillis").or_insert(json!(29000));
    out.entry("cacheKeyParameters").or_insert(json!([]));
    Value::Object(out)
}

/// Answer a control-plane call by name (the `config` conformance cases).
pub fn call(name: &str, input: &Value) -> Option<Value> {
    match name {
        "PutIntegration" => Some(put_integration(input)),
        "GetGatewayResponses" => Some(default_gateway_responses()),
        _ => None,
    }
}
