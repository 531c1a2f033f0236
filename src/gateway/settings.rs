//! What the control plane refuses in a method's settings beyond their shape: the checks
//! `PutMethod`, `PutIntegration`, `PutIntegrationResponse` and `PutMethodResponse` make on
//! values (APIGW-SEMANTICS.md sections 8, 9 and 13). A session file may hold anything; the
//! workbench's settings editor applies only what the gateway itself would accept.

use super::api::{IntegrationType, Method};

/// The smallest integration timeout the gateway accepts.
pub const MIN_TIMEOUT_MS: u64 = 50;
/// The largest integration timeout of the default quota (raisable for Regional and private
/// REST APIs since 2024).
pub const MAX_DEFAULT_TIMEOUT_MS: u64 = 29_000;

/// The largest value `timeoutInMillis` can hold (the API's field is a 32-bit integer).
pub const MAX_TIMEOUT_FIELD_MS: u64 = i32::MAX as u64;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The gateway refuses the setting.
    Refused,
    /// The gateway accepts it only under conditions the session does not show.
    Note,
}

/// One finding about a setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Refused or a note.
    pub severity: Severity,
    /// The keys leading to the setting, as written in the session file
    /// (`["integration", "integrationResponses", "404", "selectionPattern"]`).
    pub path: Vec<String>,
    /// What is wrong, in the gateway's terms.
    pub message: String,
}

fn refused(path: &[&str], message: String) -> Finding {
    Finding {
        severity: Severity::Refused,
        path: path.iter().map(|s| (*s).to_string()).collect(),
        message,
    }
}

/// Parameter locations a method request declares (`method.request.LOCATION.NAME`) and an
/// integration request maps to (`integration.request.LOCATION.NAME`).
const LOCATIONS: [&str; 5] = [
    "path",
    "querystring",
    "header",
    "multivaluequerystring",
    "multivalueheader",
];

/// Verbs an integration may call the backend with.
const HTTP_METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY",
];

/// Whether `key` is `PREFIX.LOCATION.NAME` with a known location and a non-empty name.
fn parameter_key(key: &str, prefix: &str, locations: &[&str]) -> bool {
    key.strip_prefix(prefix)
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(loc, name)| locations.contains(&loc) && !name.is_empty())
}

/// Whether `expr` is a mapping expression the gateway accepts on this side.
fn mapping_source(expr: &str, response_side: bool) -> bool {
    let expr = expr.trim();
    if expr.len() >= 2 && expr.starts_with('\'') && expr.ends_with('\'') {
        return true;
    }
    if let Some(rest) = expr.strip_prefix("method.request.") {
        return rest == "body" || rest.starts_with("body.") || parameter_key(rest, "", &LOCATIONS);
    }
    if let Some(rest) = expr
        .strip_prefix("integration.response.")
        .filter(|_| response_side)
    {
        return rest == "body"
            || rest.starts_with("body.")
            || parameter_key(rest, "", &["header", "multivalueheader"]);
    }
    ["context.", "stageVariables."]
        .iter()
        .any(|p| expr.strip_prefix(p).is_some_and(|n| !n.is_empty()))
}

fn status_code(code: &str) -> bool {
    code.len() == 3
        && code.bytes().all(|b| b.is_ascii_digit())
        && (b'1'..=b'5').contains(&code.as_bytes()[0])
}

/// Gateway response types API Gateway knows (`PutGatewayResponse`'s `responseType`).
pub const GATEWAY_RESPONSE_TYPES: &[&str] = &[
    "ACCESS_DENIED",
    "API_CONFIGURATION_ERROR",
    "AUTHORIZER_CONFIGURATION_ERROR",
    "AUTHORIZER_FAILURE",
    "BAD_REQUEST_BODY",
    "BAD_REQUEST_PARAMETERS",
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "EXPIRED_TOKEN",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "INVALID_API_KEY",
    "INVALID_SIGNATURE",
    "MISSING_AUTHENTICATION_TOKEN",
    "QUOTA_EXCEEDED",
    "REQUEST_TOO_LARGE",
    "RESOURCE_NOT_FOUND",
    "THROTTLED",
    "UNAUTHORIZED",
    "UNSUPPORTED_MEDIA_TYPE",
    "WAF_FILTERED",
];

/// What API Gateway would refuse in the API-level settings (stage, stage variables, binary
/// media types, gateway responses).
pub fn check_api(api: &crate::gateway::api::Api) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(stage) = &api.stage {
        let ok = !stage.is_empty()
            && stage
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            out.push(refused(
                &["stage"],
                format!("invalid stage name {stage:?}: letters, digits, '-' and '_' only"),
            ));
        }
    }
    for (name, _) in api.stage_variables.iter().flatten() {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(refused(
                &["stageVariables", name],
                format!("invalid stage variable name {name:?}: letters, digits and '_' only"),
            ));
        }
    }
    for (i, t) in api.binary_media_types.iter().enumerate() {
        if t.split_once('/')
            .is_none_or(|(a, b)| a.is_empty() || b.is_empty())
        {
            out.push(refused(
                &["binaryMediaTypes"],
                format!("binary media type {} ({t:?}) is not TYPE/SUBTYPE", i + 1),
            ));
        }
    }
    for (kind, gr) in &api.gateway_responses {
        if !GATEWAY_RESPONSE_TYPES.contains(&kind.as_str()) {
            out.push(refused(
                &["gatewayResponses", kind],
                format!("unknown gateway response type {kind:?}"),
            ));
        }
        if let Some(code) = &gr.status_code
            && !code.parse::<u16>().is_ok_and(|c| (100..=599).contains(&c))
        {
            out.push(refused(
                &["gatewayResponses", kind, "statusCode"],
                format!("status code {code:?} is not between 100 and 599"),
            ));
        }
        for key in gr.response_parameters.keys() {
            if !key.starts_with("gatewayresponse.header.") {
                out.push(refused(
                    &["gatewayResponses", kind, "responseParameters", key],
                    format!("{key:?}: expected gatewayresponse.header.NAME"),
                ));
            }
        }
    }
    out
}

/// Check a method's settings as the gateway would on `PutMethod` and friends. Findings come
/// in the order the settings appear in a session file.
pub fn check_method(m: &Method) -> Vec<Finding> {
    let mut out = Vec::new();
    for key in m.request_parameters.keys() {
        if !parameter_key(key, "method.request.", &LOCATIONS) {
            out.push(refused(
                &["requestParameters", key],
                format!(
                    "invalid method request parameter {key:?}: expected method.request.{{path|querystring|header|multivaluequerystring|multivalueheader}}.NAME"
                ),
            ));
        }
    }
    for code in m.method_responses.keys() {
        if !status_code(code) {
            out.push(refused(
                &["methodResponses", code],
                format!("invalid method response status code {code:?}: expected 100-599"),
            ));
        }
    }
    for (code, r) in &m.method_responses {
        for key in r.response_parameters.keys() {
            if !parameter_key(key, "method.response.", &["header"]) {
                out.push(refused(
                    &["methodResponses", code, "responseParameters", key],
                    format!(
                        "invalid method response parameter {key:?}: expected method.response.header.NAME"
                    ),
                ));
            }
        }
    }
    let i = &m.integration;
    if let Some(verb) = &i.http_method
        && !HTTP_METHODS.contains(&verb.as_str())
    {
        out.push(refused(
            &["integration", "httpMethod"],
            format!(
                "invalid httpMethod {verb:?}: expected one of {}",
                HTTP_METHODS.join(", ")
            ),
        ));
    }
    if let Some(uri) = i.uri.as_deref().filter(|u| !u.contains("${")) {
        let http = matches!(i.kind, IntegrationType::Http | IntegrationType::HttpProxy);
        let aws = matches!(i.kind, IntegrationType::Aws | IntegrationType::AwsProxy);
        if http && !(uri.starts_with("http://") || uri.starts_with("https://")) {
            out.push(refused(
                &["integration", "uri"],
                format!("invalid HTTP endpoint {uri:?}: an HTTP integration needs an http:// or https:// URL"),
            ));
        } else if aws && !uri.starts_with("arn:") {
            out.push(refused(
                &["integration", "uri"],
                format!("invalid integration URI {uri:?}: an AWS integration needs an arn:aws:apigateway:... URI"),
            ));
        }
    }
    if let Some(ms) = i.timeout_in_millis {
        if ms < MIN_TIMEOUT_MS {
            out.push(refused(
                &["integration", "timeoutInMillis"],
                format!(
                    "timeoutInMillis {ms} is below the gateway's minimum of {MIN_TIMEOUT_MS} ms (the range is {MIN_TIMEOUT_MS}-{MAX_DEFAULT_TIMEOUT_MS})"
                ),
            ));
        } else if ms > MAX_TIMEOUT_FIELD_MS {
            out.push(refused(
                &["integration", "timeoutInMillis"],
                format!(
                    "timeoutInMillis {ms} does not fit the gateway's field (a 32-bit integer, at most {MAX_TIMEOUT_FIELD_MS})"
                ),
            ));
        } else if ms > MAX_DEFAULT_TIMEOUT_MS {
            out.push(Finding {
                severity: Severity::Note,
                path: vec!["integration".into(), "timeoutInMillis".into()],
                message: format!(
                    "timeoutInMillis {ms} is above the default limit of {MAX_DEFAULT_TIMEOUT_MS} ms: the gateway accepts it only for Regional and private APIs with a raised quota"
                ),
            });
        }
    }
    for (key, expr) in &i.request_parameters {
        if !parameter_key(key, "integration.request.", &LOCATIONS) {
            out.push(refused(
                &["integration", "requestParameters", key],
                format!(
                    "invalid integration request parameter {key:?}: expected integration.request.{{path|querystring|header|multivaluequerystring|multivalueheader}}.NAME"
                ),
            ));
        } else if !mapping_source(expr, false) {
            out.push(refused(
                &["integration", "requestParameters", key],
                format!(
                    "invalid mapping expression {expr:?}: expected method.request.*, context.*, stageVariables.* or a 'static' value"
                ),
            ));
        }
    }
    for (name, r) in &i.integration_responses {
        let at = |field: &'static str| -> Vec<&str> {
            vec!["integration", "integrationResponses", name, field]
        };
        if !status_code(&r.status_code) {
            out.push(refused(
                &at("statusCode"),
                format!("invalid status code {:?}: expected 100-599", r.status_code),
            ));
        } else if !m.method_responses.is_empty() && !m.method_responses.contains_key(&r.status_code)
        {
            out.push(refused(
                &at("statusCode"),
                format!(
                    "invalid response status code {}: the method has no method response {0} (add [methodResponses.{0}])",
                    r.status_code
                ),
            ));
        }
        if let Some(p) = r.selection_pattern.as_deref().filter(|p| !p.is_empty())
            && let Err(e) = crate::vtl::methods::compile_java_regex(&format!("^(?:{p})$"))
        {
            let why = e.0.lines().next().unwrap_or_default().to_string();
            let why = why
                .strip_prefix("java.util.regex.PatternSyntaxException: ")
                .unwrap_or(&why);
            // The position and pattern count in the anchored pattern, not the text written.
            let why = why.split(" near index ").next().unwrap_or(why);
            // Positions count in the anchored pattern the gateway matches, not in the text
            // written: leave them out.
            let why = match why.split_once(": ") {
                Some((at, rest)) if at.starts_with("Parsing error at position") => rest,
                _ => why,
            }
            .to_string();
            out.push(refused(
                &at("selectionPattern"),
                format!("selectionPattern {p:?} is not a valid Java regular expression: {why}"),
            ));
        }
        for (key, expr) in &r.response_parameters {
            let path = [
                "integration",
                "integrationResponses",
                name,
                "responseParameters",
                key,
            ];
            if !parameter_key(key, "method.response.", &["header"]) {
                out.push(refused(
                    &path,
                    format!(
                        "invalid response parameter {key:?}: expected method.response.header.NAME"
                    ),
                ));
            } else if !mapping_source(expr, true) {
                out.push(refused(
                    &path,
                    format!(
                        "invalid mapping expression {expr:?}: expected integration.response.*, method.request.*, context.*, stageVariables.* or a 'static' value"
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::api::IntegrationResponse;

    fn method() -> Method {
        let mut m = Method::default();
        m.request_parameters
            .insert("method.request.path.petId".into(), true);
        m.method_responses.insert("200".into(), Default::default());
        m.integration.integration_responses.insert(
            "200".into(),
            IntegrationResponse {
                status_code: "200".into(),
                ..IntegrationResponse::default()
            },
        );
        m
    }

    fn refusals(m: &Method) -> Vec<(Vec<String>, String)> {
        check_method(m)
            .into_iter()
            .filter(|f| f.severity == Severity::Refused)
            .map(|f| (f.path, f.message))
            .collect()
    }

    #[test]
    fn a_plain_method_passes() {
        let mut m = method();
        m.integration.timeout_in_millis = Some(50);
        m.integration
            .request_parameters
            .insert("integration.request.header.x".into(), "'v'".into());
        m.integration.integration_responses["200"].selection_pattern = Some("2\\d{2}|".into());
        assert_eq!(check_method(&m), Vec::new());
    }

    #[test]
    fn timeout_limits() {
        let mut m = method();
        m.integration.timeout_in_millis = Some(49);
        let r = refusals(&m);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].0, ["integration", "timeoutInMillis"]);
        assert!(r[0].1.contains("minimum of 50 ms"), "{}", r[0].1);
        m.integration.timeout_in_millis = Some(29_001);
        let f = check_method(&m);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Note);
    }

    #[test]
    fn bad_selection_pattern_and_status_codes() {
        let mut m = method();
        let r = m.integration.integration_responses.get_mut("200").unwrap();
        r.selection_pattern = Some("4(".into());
        let r = refusals(&m);
        assert_eq!(
            r[0].0,
            [
                "integration",
                "integrationResponses",
                "200",
                "selectionPattern"
            ]
        );
        assert!(
            r[0].1.contains("not a valid Java regular expression"),
            "{}",
            r[0].1
        );

        let mut m = method();
        m.integration.integration_responses["200"].status_code = "404".into();
        let r = refusals(&m);
        assert!(r[0].1.contains("no method response 404"), "{}", r[0].1);
        m.integration.integration_responses["200"].status_code = "20".into();
        assert!(refusals(&m)[0].1.contains("expected 100-599"));
    }

    #[test]
    fn parameter_keys_and_mapping_expressions() {
        let mut m = method();
        m.request_parameters
            .insert("method.request.cookie.x".into(), true);
        m.integration.request_parameters.insert(
            "integration.request.header.a".into(),
            "method.request.path.petId".into(),
        );
        m.integration
            .request_parameters
            .insert("integration.request.header.b".into(), "petId".into());
        let r = refusals(&m);
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].0, ["requestParameters", "method.request.cookie.x"]);
        assert_eq!(
            r[1].0,
            [
                "integration",
                "requestParameters",
                "integration.request.header.b"
            ]
        );
    }

    #[test]
    fn uris_by_type() {
        let mut m = method();
        m.integration.kind = IntegrationType::Http;
        m.integration.uri = Some("example.com/x".into());
        assert_eq!(refusals(&m)[0].0, ["integration", "uri"]);
        m.integration.uri = Some("${stageVariables.url}/x".into());
        assert!(refusals(&m).is_empty());
        m.integration.kind = IntegrationType::Mock;
        m.integration.uri = Some("anything".into());
        assert!(refusals(&m).is_empty());
    }

    #[test]
    fn api_level_settings() {
        let mut api = crate::gateway::api::Api {
            stage: Some("prod v2".into()),
            binary_media_types: vec!["image/png".into(), "png".into()],
            ..Default::default()
        };
        api.gateway_responses.insert(
            "DEFAULT_4XX".into(),
            crate::gateway::api::GatewayResponse {
                status_code: Some("700".into()),
                response_parameters: [("header.x".to_string(), "'a'".to_string())]
                    .into_iter()
                    .collect(),
                ..Default::default()
            },
        );
        let paths: Vec<Vec<String>> = check_api(&api).into_iter().map(|f| f.path).collect();
        assert_eq!(
            paths,
            [
                vec!["stage".to_string()],
                vec!["binaryMediaTypes".to_string()],
                vec![
                    "gatewayResponses".into(),
                    "DEFAULT_4XX".into(),
                    "statusCode".into()
                ],
                vec![
                    "gatewayResponses".into(),
                    "DEFAULT_4XX".into(),
                    "responseParameters".into(),
                    "header.x".into()
                ],
            ]
        );
    }
}
