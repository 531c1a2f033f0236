//! What CloudFormation's `AWS::ApiGateway::Authorizer` and OpenAPI's
//! `x-amazon-apigateway-authorizer` share: the authorizer's type and the properties both
//! spell alike but for the case of the first letter (`AuthorizerUri` / `authorizerUri`).
//! Each reader keeps its own words for what only it has, and for what it does not know.

use crate::gateway::api::{Authorizer, AuthorizerType};
use crate::import::error::Cx;
use crate::import::intrinsic;
use crate::import::node::Node;

/// An authorizer type, in either spelling (`TOKEN` / `token`).
pub(crate) fn authorizer_type(text: &str) -> Option<AuthorizerType> {
    match text.to_ascii_uppercase().as_str() {
        "TOKEN" => Some(AuthorizerType::Token),
        "REQUEST" => Some(AuthorizerType::Request),
        "COGNITO_USER_POOLS" => Some(AuthorizerType::CognitoUserPools),
        _ => None,
    }
}

/// How a format spells the shared properties' first letter.
#[derive(Clone, Copy)]
pub(crate) enum Spelling {
    /// CloudFormation: `AuthorizerUri`.
    Pascal,
    /// OpenAPI: `authorizerUri`.
    Camel,
}

/// Read the property `key` into `out`; `false` when it is not one of the shared properties
/// as `spelling` writes them (a key in the other format's spelling is not one).
pub(crate) fn read_property(
    out: &mut Authorizer,
    spelling: Spelling,
    key: &str,
    v: &Node,
    cx: &mut Cx,
) -> bool {
    let mut chars = key.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let spelled_right = match spelling {
        Spelling::Pascal => first.is_ascii_uppercase(),
        Spelling::Camel => first.is_ascii_lowercase(),
    };
    if !spelled_right {
        return false;
    }
    let camel: String = std::iter::once(first.to_ascii_lowercase())
        .chain(chars)
        .collect();
    match camel.as_str() {
        "authorizerUri" => out.authorizer_uri = intrinsic::text(v, cx, key),
        "identitySource" => out.identity_source = intrinsic::text(v, cx, key),
        "identityValidationExpression" => out.identity_validation_expression = v.scalar_text(),
        "authorizerResultTtlInSeconds" => {
            out.authorizer_result_ttl_in_seconds = v.scalar_text().and_then(|t| t.parse().ok());
        }
        "providerARNs" => {
            out.provider_arns = v
                .items()
                .iter()
                .filter_map(|p| intrinsic::text(p, cx, key))
                .collect();
        }
        _ => return false,
    }
    true
}
