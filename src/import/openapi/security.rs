//! Authorization in an OpenAPI document as API Gateway's import reads it: the security
//! schemes (`securityDefinitions` in Swagger 2, `components.securitySchemes` in OpenAPI 3)
//! with `x-amazon-apigateway-authorizer` (token, request, cognito_user_pools) and
//! `x-amazon-apigateway-authtype` (`awsSigv4` for IAM), an `x-api-key` header scheme for API
//! keys, `x-amazon-apigateway-api-key-source`, and the `security` requirements of the
//! document and of each operation (an operation's own list replaces the document's; an
//! empty list removes it). What API Gateway would not read, or gatebench does not emulate,
//! is reported.
//!
//! Source: API Gateway developer guide, "OpenAPI extensions to API Gateway"
//! (`x-amazon-apigateway-authorizer`, `-authtype`, `-api-key-source`) and its examples.

use indexmap::IndexMap;

use crate::gateway::api::{ApiKeySource, Authorizer, AuthorizerType, Method};
use crate::import::authorizer::{Spelling, authorizer_type, read_property};
use crate::import::error::Cx;
use crate::import::node::Node;

/// What a security scheme means for a method that requires it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// `apiKeyRequired`.
    ApiKey,
    /// `authorizationType` AWS_IAM.
    Iam,
    /// A Lambda (CUSTOM) or Cognito (COGNITO_USER_POOLS) authorizer named by the scheme.
    Authorizer {
        /// The authorizer's id (the scheme's name).
        id: String,
        /// COGNITO_USER_POOLS (scopes apply) rather than CUSTOM.
        cognito: bool,
    },
}

/// Read the document's security schemes; their authorizers go into `authorizers`.
pub(crate) fn schemes(
    defs: Option<&Node>,
    authorizers: &mut IndexMap<String, Authorizer>,
    cx: &mut Cx,
) -> IndexMap<String, Scheme> {
    let mut out = IndexMap::new();
    for e in defs.map(Node::entries).unwrap_or_default() {
        let s = &e.value;
        let ty = s
            .get("type")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let name = s
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let location = s.get("in").and_then(Node::scalar_text).unwrap_or_default();
        let authtype = s
            .get("x-amazon-apigateway-authtype")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        if let Some(a) = s.get("x-amazon-apigateway-authorizer") {
            if let Some((authorizer, cognito)) = authorizer(&e.key, a, cx) {
                authorizers.insert(e.key.clone(), authorizer);
                out.insert(
                    e.key.clone(),
                    Scheme::Authorizer {
                        id: e.key.clone(),
                        cognito,
                    },
                );
            }
            continue;
        }
        if authtype.eq_ignore_ascii_case("awsSigv4") {
            cx.warn(
                e.line,
                "AWS_IAM: requests must carry a SigV4 signature by a key the session lists under [[api.iamCredentials]]",
            );
            out.insert(e.key.clone(), Scheme::Iam);
            continue;
        }
        if ty == "apiKey" && name.eq_ignore_ascii_case("x-api-key") && location == "header" {
            cx.warn(
                e.line,
                format!("{}: methods that require API keys need the session's [[api.apiKeys]] in one of its [[api.usagePlans]] (an OpenAPI file holds neither)", e.key),
            );
            out.insert(e.key.clone(), Scheme::ApiKey);
            continue;
        }
        cx.warn(
            e.line,
            format!(
                "security scheme {} (type {ty:?}) is neither an API key (x-api-key header), an x-amazon-apigateway-authorizer nor x-amazon-apigateway-authtype awsSigv4; API Gateway does not enforce it and neither does gatebench",
                e.key
            ),
        );
    }
    out
}

/// One `x-amazon-apigateway-authorizer`: the authorizer, and whether it is a Cognito one.
fn authorizer(scheme: &str, a: &Node, cx: &mut Cx) -> Option<(Authorizer, bool)> {
    let kind_text = a
        .get("type")
        .and_then(Node::scalar_text)
        .unwrap_or_default()
        .to_ascii_lowercase();
    let Some(kind) = authorizer_type(&kind_text) else {
        cx.warn(
            a.line,
            format!("authorizer {scheme}: type {kind_text:?} is not token, request or cognito_user_pools; the scheme is left out"),
        );
        return None;
    };
    let mut out = Authorizer {
        name: Some(scheme.to_string()),
        kind,
        ..Authorizer::default()
    };
    for e in a.entries() {
        let v = &e.value;
        match e.key.as_str() {
            "type" => {}
            "authorizerCredentials" => cx.warn(
                e.line,
                format!("authorizer {scheme}: authorizerCredentials (the role API Gateway invokes the function with) is not emulated; the session's backend is called"),
            ),
            k if read_property(&mut out, Spelling::Camel, k, v, cx) => {}
            k => cx.warn(
                e.line,
                format!("authorizer {scheme}: {k} is not an authorizer property; ignored"),
            ),
        }
    }
    let cognito = kind == AuthorizerType::CognitoUserPools;
    if cognito && !out.provider_arns.is_empty() {
        cx.warn(
            a.line,
            format!(
                "authorizer {scheme}: add the user pool's keys to the session ([[api.userPools]] with arn = {:?} and jwks) to check its tokens",
                out.provider_arns[0]
            ),
        );
    }
    Some((out, cognito))
}

/// `x-amazon-apigateway-api-key-source`.
pub(crate) fn key_source(v: &Node, cx: &mut Cx) -> Option<ApiKeySource> {
    match v
        .scalar_text()
        .unwrap_or_default()
        .to_ascii_uppercase()
        .as_str()
    {
        "HEADER" => Some(ApiKeySource::Header),
        "AUTHORIZER" => Some(ApiKeySource::Authorizer),
        other => {
            cx.warn(
                v.line,
                format!("x-amazon-apigateway-api-key-source {other:?} is not HEADER or AUTHORIZER; ignored"),
            );
            None
        }
    }
}

/// Apply a `security` requirement list to `method`.
pub(crate) fn apply(
    requirements: &Node,
    schemes: &IndexMap<String, Scheme>,
    method: &mut Method,
    what: &str,
    cx: &mut Cx,
) {
    let mut chosen: Option<String> = None;
    for req in requirements.items() {
        for e in req.entries() {
            let Some(scheme) = schemes.get(&e.key) else {
                cx.warn(
                    e.line,
                    format!(
                        "{what}: security requirement {} names no usable security scheme; ignored",
                        e.key
                    ),
                );
                continue;
            };
            let (kind, id) = match scheme {
                Scheme::ApiKey => {
                    method.api_key_required = true;
                    continue;
                }
                Scheme::Iam => ("AWS_IAM", None),
                Scheme::Authorizer { id, cognito: true } => ("COGNITO_USER_POOLS", Some(id)),
                Scheme::Authorizer { id, cognito: false } => ("CUSTOM", Some(id)),
            };
            if let Some(prev) = &chosen {
                cx.warn(
                    e.line,
                    format!(
                        "{what}: a method has one authorizer; {} is kept, {} ignored",
                        prev, e.key
                    ),
                );
                continue;
            }
            chosen = Some(e.key.clone());
            method.authorization_type = Some(kind.to_string());
            method.authorizer_id = id.cloned();
            if kind == "COGNITO_USER_POOLS" {
                method.authorization_scopes = e
                    .value
                    .items()
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect();
            }
        }
    }
}
