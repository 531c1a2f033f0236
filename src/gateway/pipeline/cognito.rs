//! The COGNITO_USER_POOLS authorizer stage: the token from the identity source header,
//! checked against the session's keys of the authorizer's user pools
//! ([`crate::gateway::cognito::verify`]); the claims, as strings, become
//! `$context.authorizer.claims` (and the proxy event's `requestContext.authorizer.claims`).
//! Every refusal is 401 (`Unauthorized`, or `The incoming token has expired`); a session
//! that cannot check tokens (no such authorizer, a pool without keys) is a configuration
//! error (500). Answers are not cached: checking a signature costs no call.

use super::*;
use crate::gateway::api::{AuthorizerType, UserPool};
use crate::gateway::authorizer as az;
use crate::gateway::cognito as cg;
use crate::gateway::trace::shorten;

impl Run<'_> {
    /// Check the request's Cognito token; `Some($context.authorizer)` when it passes, `None`
    /// when the client has been answered.
    pub(super) fn cognito_authorizer(
        &mut self,
        method: &Method,
        req: &MethodRequest,
        notes: &mut Vec<String>,
    ) -> Option<Map<String, Json>> {
        let id = method.authorizer_id.clone().unwrap_or_default();
        let authorizer = self.api.authorizers.get(&id).cloned();
        let misconfigured = |run: &mut Self, why: String| {
            run.log.line(format_args!(
                "Execution failed due to configuration error: {why}"
            ));
            run.deny(&why, GatewayError::AuthorizerConfiguration);
        };
        let Some(authorizer) = authorizer else {
            misconfigured(
                self,
                format!("authorizerId {id:?} names no authorizer of the API"),
            );
            return None;
        };
        if authorizer.kind != AuthorizerType::CognitoUserPools {
            misconfigured(
                self,
                format!(
                    "authorizer {id:?} is not of type COGNITO_USER_POOLS, which authorizationType COGNITO_USER_POOLS needs"
                ),
            );
            return None;
        }
        let name = authorizer.name.clone().unwrap_or_else(|| id.clone());
        self.auth_trace()
            .checks
            .push(format!("Cognito user pool authorizer {name}"));
        let header = match az::parse_identity_sources(authorizer.identity_source()) {
            Ok(s) => match s.as_slice() {
                [az::IdentitySource::Header(h)] => h.clone(),
                _ => {
                    misconfigured(
                        self,
                        format!(
                            "a Cognito authorizer's identitySource is one header (method.request.header.NAME), not {:?}",
                            authorizer.identity_source()
                        ),
                    );
                    return None;
                }
            },
            Err(why) => {
                misconfigured(self, why);
                return None;
            }
        };
        let mut pools: Vec<&UserPool> = Vec::new();
        for arn in &authorizer.provider_arns {
            match self.api.user_pools.iter().find(|p| &p.arn == arn) {
                Some(p) => pools.push(p),
                None => {
                    misconfigured(
                        self,
                        format!(
                            "user pool {arn} of authorizer {name} has no keys in the session: add [[api.userPools]] with arn and jwks"
                        ),
                    );
                    return None;
                }
            }
        }
        if pools.is_empty() {
            misconfigured(self, format!("authorizer {name} lists no providerARNs"));
            return None;
        }
        self.log.line(format_args!(
            "Starting authorizer: {id} for request: {}",
            self.opts.request_id
        ));
        let seen = req.header(&header).filter(|v| !v.trim().is_empty());
        self.auth_trace().identity = Some((
            format!("method.request.header.{header}"),
            seen.map_or_else(|| "(missing)".into(), shorten),
        ));
        let Some(value) = seen else {
            self.log.line(format_args!(
                "Unauthorized request: {}",
                self.opts.request_id
            ));
            self.deny(
                &format!("the {header} header is missing or empty: 401"),
                GatewayError::Unauthorized,
            );
            return None;
        };
        let token = cg::token_of(value);
        if let Some((head, claims)) = cg::peek(token) {
            let t = self.auth_trace();
            t.token_header = Some(head);
            t.claims = Some(claims);
        }
        if token.len() != value.trim().len() {
            notes.push(format!("the Bearer prefix of {header} is dropped"));
        }
        let now = self.opts.now_ms / 1000;
        match cg::verify(token, &pools, &method.authorization_scopes, now) {
            Ok(ok) => {
                let claims = cg::claims_as_strings(&ok.claims);
                notes.push(format!(
                    "Cognito authorizer {name}: the token of {} from user pool {} verifies ({})",
                    claims
                        .get("cognito:username")
                        .or_else(|| claims.get("username"))
                        .or_else(|| claims.get("sub"))
                        .and_then(Json::as_str)
                        .unwrap_or("?"),
                    ok.pool,
                    if method.authorization_scopes.is_empty() {
                        "ID token".to_string()
                    } else {
                        format!(
                            "access token, scopes {}",
                            method.authorization_scopes.join(" ")
                        )
                    }
                ));
                self.log.line("Successfully completed authorizer execution");
                self.auth_trace().results.push(format!(
                    "the signature verifies with a key of {}; exp, token_use{} checked",
                    ok.pool,
                    if method.authorization_scopes.is_empty() {
                        ", aud"
                    } else {
                        ", scope"
                    }
                ));
                let mut ctx = Map::new();
                ctx.insert("claims".into(), Json::Object(claims));
                Some(ctx)
            }
            Err(refusal) => {
                self.log.line(format_args!(
                    "Unauthorized request: {}",
                    self.opts.request_id
                ));
                self.auth_trace().results.push(refusal.why());
                let err = match refusal {
                    cg::Refusal::Expired => GatewayError::TokenExpired,
                    cg::Refusal::Invalid(_) => GatewayError::Unauthorized,
                };
                self.deny(
                    &format!("Cognito authorizer {name}: {}: 401", refusal.why()),
                    err,
                );
                None
            }
        }
    }
}
