//! Files that are not REST API definitions, told apart before the import reads them: HTTP
//! APIs (API Gateway v2), WebSocket APIs, Serverless Framework files, and OpenAPI documents
//! that use HTTP-API-only extensions. Each gets a one-line reason naming what it is and what
//! gatebench imports. A leaf: it reads the parsed [`Node`] only.

use super::node::Node;

/// What gatebench imports, for the reasons below.
pub(crate) const SUPPORTED: &str = "gatebench imports REST APIs: OpenAPI 2/3 with x-amazon-apigateway-integration, CloudFormation AWS::ApiGateway::*, SAM AWS::Serverless::Api and AWS::Serverless::Function events of type Api";

/// Why `doc` cannot be imported as a REST API (line, reason), if it cannot.
pub(crate) fn refusal(doc: &Node) -> Option<(usize, String)> {
    let why = |line: usize, what: String| Some((line, format!("{what}; {SUPPORTED}")));
    if let (Some(service), Some(_)) = (doc.entry("service"), doc.entry("provider"))
        && doc.get("swagger").is_none()
        && doc.get("openapi").is_none()
    {
        return why(
            service.line,
            "a Serverless Framework file (`service:` and `provider:`), which the Serverless Framework turns into CloudFormation: import the CloudFormation template it packages (.serverless/cloudformation-template-update-stack.json) instead".into(),
        );
    }
    if doc.get("swagger").is_some() || doc.get("openapi").is_some() {
        return openapi(doc).and_then(|(line, what)| why(line, what));
    }
    if let Some(resources) = doc.get("Resources") {
        return cloudformation(resources).and_then(|(line, what)| why(line, what));
    }
    None
}

/// HTTP API and WebSocket markers in an OpenAPI document.
fn openapi(doc: &Node) -> Option<(usize, String)> {
    if let Some(e) = doc.entry("x-amazon-apigateway-route-selection-expression") {
        return Some((
            e.line,
            "a WebSocket API (x-amazon-apigateway-route-selection-expression)".into(),
        ));
    }
    for path in doc.get("paths").map(Node::entries).unwrap_or_default() {
        for op in path.value.entries() {
            let Some(i) = op.value.entry("x-amazon-apigateway-integration") else {
                continue;
            };
            if let Some(r) = i.value.entry("$ref") {
                return Some((
                    r.line,
                    "an HTTP API (API Gateway v2): `$ref` to a reusable integration under x-amazon-apigateway-integrations is an HTTP API extension".into(),
                ));
            }
            if let Some(v) = i.value.entry("payloadFormatVersion")
                && v.value.scalar_text().is_some_and(|t| t.trim() == "2.0")
            {
                return Some((
                    v.line,
                    "an HTTP API (API Gateway v2): payloadFormatVersion 2.0 exists only for HTTP APIs".into(),
                ));
            }
        }
    }
    let has_integration = doc
        .get("paths")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .flat_map(|p| p.value.entries())
        .any(|op| op.value.get("x-amazon-apigateway-integration").is_some());
    for marker in [
        "x-amazon-apigateway-cors",
        "x-amazon-apigateway-integrations",
    ] {
        if let Some(e) = doc
            .entry(marker)
            .or_else(|| doc.get("components").and_then(|c| c.entry(marker)))
            && !has_integration
        {
            return Some((
                e.line,
                format!("an HTTP API (API Gateway v2): {marker} is an HTTP API extension"),
            ));
        }
    }
    None
}

/// A template whose only APIs are HTTP or WebSocket APIs.
fn cloudformation(resources: &Node) -> Option<(usize, String)> {
    let mut rest = false;
    let mut other: Option<(usize, String)> = None;
    for r in resources.entries() {
        let ty = r
            .value
            .get("Type")
            .and_then(Node::as_str)
            .unwrap_or_default();
        let props = r.value.get("Properties");
        match ty {
            "AWS::ApiGateway::RestApi" | "AWS::ApiGateway::Method" | "AWS::Serverless::Api" => {
                rest = true;
            }
            "AWS::Serverless::Function" => {
                for e in props
                    .and_then(|p| p.get("Events"))
                    .map(Node::entries)
                    .unwrap_or_default()
                {
                    match e.value.get("Type").and_then(Node::as_str) {
                        Some("Api") => rest = true,
                        Some("HttpApi") if other.is_none() => {
                            other = Some((
                                e.line,
                                format!(
                                    "an HTTP API (API Gateway v2): {} has an event of type HttpApi",
                                    r.key
                                ),
                            ));
                        }
                        _ => {}
                    }
                }
            }
            "AWS::ApiGatewayV2::Api" if other.is_none() => {
                let websocket = props
                    .and_then(|p| p.get("ProtocolType"))
                    .and_then(Node::as_str)
                    .is_some_and(|p| p.eq_ignore_ascii_case("WEBSOCKET"));
                other = Some((
                    r.line,
                    if websocket {
                        format!(
                            "a WebSocket API ({} is AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET)",
                            r.key
                        )
                    } else {
                        format!(
                            "an HTTP API (API Gateway v2: {} is AWS::ApiGatewayV2::Api)",
                            r.key
                        )
                    },
                ));
            }
            "AWS::Serverless::HttpApi" if other.is_none() => {
                other = Some((
                    r.line,
                    format!(
                        "an HTTP API (API Gateway v2: {} is AWS::Serverless::HttpApi)",
                        r.key
                    ),
                ));
            }
            _ => {}
        }
    }
    if rest { None } else { other }
}
