//! Authorization in a CloudFormation template: `AWS::ApiGateway::Authorizer`, a method's
//! `AuthorizationType` / `AuthorizerId` / `AuthorizationScopes` / `ApiKeyRequired`, the
//! API's `ApiKeySourceType`, and the API keys and usage plans that name the API
//! (`AWS::ApiGateway::ApiKey`, `UsagePlan` with its `ApiStages`, `UsagePlanKey`). A leaf:
//! `rest_api.rs` and `sam.rs` use it.

use crate::gateway::api::{
    Api, ApiKey, ApiKeySource, Authorizer, AuthorizerType, Method, Quota, Throttle, UsagePlan,
};
use crate::import::authorizer::{Spelling, authorizer_type, read_property};
use crate::import::error::Cx;
use crate::import::intrinsic::{self, ref_target};
use crate::import::node::Node;

use super::template::{Res, Template};

/// What an imported AWS_IAM method needs from the session.
pub(crate) const IAM_NOTE: &str = "AWS_IAM: requests must carry a SigV4 signature by a key the session lists under [[api.iamCredentials]]";

/// Every `AWS::ApiGateway::Authorizer` of the API, by logical id.
pub(crate) fn authorizers(t: &Template<'_>, api_id: &str, api: &mut Api, cx: &mut Cx) {
    for r in t.of_type("AWS::ApiGateway::Authorizer", api_id) {
        let kind = r
            .props
            .get("Type")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let Some(kind) = authorizer_type(&kind) else {
            cx.warn(
                r.line,
                format!("authorizer {}: Type {kind:?} is not TOKEN, REQUEST or COGNITO_USER_POOLS; skipped", r.id),
            );
            continue;
        };
        let mut a = Authorizer {
            kind,
            ..Authorizer::default()
        };
        for e in r.props.entries() {
            let v = &e.value;
            match e.key.as_str() {
                "Type" | "RestApiId" => {}
                "Name" => a.name = intrinsic::text(v, cx, "Name"),
                "ProviderARNs" => {
                    read_property(&mut a, Spelling::Pascal, &e.key, v, cx);
                    cx.warn(
                        e.line,
                        format!("authorizer {}: add each user pool's keys to the session ([[api.userPools]] with arn and jwks) to check its tokens", r.id),
                    );
                }
                "AuthorizerCredentials" => cx.warn(
                    e.line,
                    format!("authorizer {}: AuthorizerCredentials (the role API Gateway invokes the function with) is not emulated; the session's backend is called", r.id),
                ),
                "AuthType" => {}
                k if read_property(&mut a, Spelling::Pascal, k, v, cx) => {}
                k => cx.warn(
                    e.line,
                    format!("authorizer {}: {k} is not an AWS::ApiGateway::Authorizer property; ignored", r.id),
                ),
            }
        }
        api.authorizers.insert(r.id.clone(), a);
    }
}

/// A method property about authorization; `false` when `key` is not one.
pub(crate) fn method_property(
    key: &str,
    v: &Node,
    line: usize,
    api: &Api,
    method: &mut Method,
    cx: &mut Cx,
) -> bool {
    match key {
        "AuthorizationType" => {
            let a = v.scalar_text().unwrap_or_default().to_ascii_uppercase();
            match a.as_str() {
                "NONE" => {}
                "AWS_IAM" | "CUSTOM" | "COGNITO_USER_POOLS" => {
                    if a == "AWS_IAM" {
                        cx.warn(line, IAM_NOTE);
                    }
                    method.authorization_type = Some(a);
                }
                _ => cx.warn(
                    line,
                    format!("AuthorizationType {a:?} is not NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS; the method runs without authorization"),
                ),
            }
        }
        "AuthorizerId" => {
            let id = ref_target(v).or_else(|| v.scalar_text());
            match id {
                Some(id) if api.authorizers.contains_key(&id) => method.authorizer_id = Some(id),
                Some(id) => {
                    cx.warn(
                        line,
                        format!("AuthorizerId {id} names no AWS::ApiGateway::Authorizer of this API (a request answers 500 as API Gateway could not deploy it)"),
                    );
                    method.authorizer_id = Some(id);
                }
                None => cx.warn(line, "AuthorizerId is not a !Ref to an authorizer; ignored"),
            }
        }
        "AuthorizationScopes" => {
            method.authorization_scopes = v
                .items()
                .iter()
                .filter_map(|s| intrinsic::text(s, cx, "AuthorizationScopes"))
                .collect();
        }
        "ApiKeyRequired" => method.api_key_required = v.as_bool().unwrap_or(false),
        _ => return false,
    }
    true
}

/// `ApiKeySourceType`.
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
                format!("ApiKeySourceType {other:?} is not HEADER or AUTHORIZER; ignored"),
            );
            None
        }
    }
}

/// Whether a usage plan's `ApiStages` names the API.
fn plan_names_api(plan: &Res<'_>, api_id: &str) -> bool {
    plan.props
        .get("ApiStages")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .any(|s| s.get("ApiId").and_then(ref_target).as_deref() == Some(api_id))
}

/// The usage plans that name the API, and the API keys they hold (through
/// `AWS::ApiGateway::UsagePlanKey`) or whose `StageKeys` name the API.
pub(crate) fn keys_and_plans(t: &Template<'_>, api_id: &str, api: &mut Api, cx: &mut Cx) {
    let plans: Vec<&Res<'_>> = t
        .resources
        .iter()
        .filter(|r| r.ty == "AWS::ApiGateway::UsagePlan" && plan_names_api(r, api_id))
        .collect();
    let plan_ids: Vec<&str> = plans.iter().map(|p| p.id.as_str()).collect();
    // Keys by plan (UsagePlanKey), and keys the API's stages list.
    let mut plan_keys: Vec<(String, String)> = Vec::new();
    for k in t
        .resources
        .iter()
        .filter(|r| r.ty == "AWS::ApiGateway::UsagePlanKey")
    {
        let plan = k.props.get("UsagePlanId").and_then(ref_target);
        let key = k.props.get("KeyId").and_then(ref_target);
        if let (Some(plan), Some(key)) = (plan, key)
            && plan_ids.contains(&plan.as_str())
        {
            plan_keys.push((plan, key));
        }
    }
    for r in t
        .resources
        .iter()
        .filter(|r| r.ty == "AWS::ApiGateway::ApiKey")
    {
        let in_plan = plan_keys.iter().any(|(_, k)| *k == r.id);
        let staged = r
            .props
            .get("StageKeys")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|s| s.get("RestApiId").and_then(ref_target).as_deref() == Some(api_id));
        if !in_plan && !staged {
            continue;
        }
        let value = match r.props.get("Value") {
            Some(v) => intrinsic::text(v, cx, "Value"),
            None => None,
        };
        let value = value.unwrap_or_else(|| {
            let made = format!("{}-value-0123456789", r.id);
            cx.warn(
                r.line,
                format!(
                    "API key {} has no Value (AWS would generate one); the session gives it {made}",
                    r.id
                ),
            );
            made
        });
        if r.props.get("GenerateDistinctId").is_some() || r.props.get("CustomerId").is_some() {
            cx.warn(
                r.line,
                format!("API key {}: GenerateDistinctId and CustomerId do not change how the gateway checks it; ignored", r.id),
            );
        }
        api.api_keys.push(ApiKey {
            name: Some(r.id.clone()),
            value,
            enabled: r
                .props
                .get("Enabled")
                .and_then(Node::as_bool)
                .unwrap_or(true),
        });
    }
    for p in plans {
        let throttle = p.props.get("Throttle").map(|t| Throttle {
            rate_limit: t
                .get("RateLimit")
                .and_then(Node::scalar_text)
                .and_then(|s| s.parse().ok()),
            burst_limit: t
                .get("BurstLimit")
                .and_then(Node::scalar_text)
                .and_then(|s| s.parse().ok()),
        });
        let quota = p.props.get("Quota").and_then(|q| {
            Some(Quota {
                limit: q
                    .get("Limit")
                    .and_then(Node::scalar_text)
                    .and_then(|s| s.parse().ok())?,
                period: q.get("Period").and_then(Node::scalar_text),
            })
        });
        if p.props
            .get("ApiStages")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .any(|s| s.get("Throttle").is_some())
        {
            cx.warn(
                p.line,
                format!("usage plan {}: per-method Throttle in ApiStages is not emulated; the plan's Throttle applies", p.id),
            );
        }
        api.usage_plans.push(UsagePlan {
            name: Some(
                p.props
                    .get("UsagePlanName")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| p.id.clone()),
            ),
            api_keys: plan_keys
                .iter()
                .filter(|(plan, _)| *plan == p.id)
                .map(|(_, k)| k.clone())
                .collect(),
            throttle,
            quota,
        });
    }
}

/// What an `AWS::Serverless::Api`'s `Auth` says for the methods its events make.
#[derive(Clone, Debug, Default)]
pub(crate) struct SamAuth {
    /// `DefaultAuthorizer`: an authorizer's name or `AWS_IAM`.
    pub default_authorizer: Option<String>,
    /// `ApiKeyRequired` for every method.
    pub api_key_required: bool,
    /// A Cognito authorizer's own `AuthorizationScopes` (methods that name none use them).
    pub scopes: indexmap::IndexMap<String, Vec<String>>,
}

/// SAM's `Auth` of an API: its `Authorizers` into `api.authorizers`, `UsagePlan`'s plan and
/// key, and the defaults for its methods.
pub(crate) fn sam_api_auth(auth: &Node, api_name: &str, api: &mut Api, cx: &mut Cx) -> SamAuth {
    let mut out = SamAuth::default();
    for e in auth.entries() {
        let v = &e.value;
        match e.key.as_str() {
            "DefaultAuthorizer" => {
                out.default_authorizer = intrinsic::text(v, cx, "DefaultAuthorizer")
            }
            "ApiKeyRequired" => out.api_key_required = v.as_bool().unwrap_or(false),
            "Authorizers" => {
                for a in v.entries() {
                    if let Some(scopes) = a.value.get("AuthorizationScopes") {
                        out.scopes.insert(
                            a.key.clone(),
                            scopes
                                .items()
                                .iter()
                                .filter_map(Node::scalar_text)
                                .collect(),
                        );
                    }
                    if let Some(authorizer) = sam_authorizer(&a.key, &a.value, cx) {
                        api.authorizers.insert(a.key.clone(), authorizer);
                    }
                }
            }
            "UsagePlan" => sam_usage_plan(v, api_name, api, cx),
            "AddDefaultAuthorizerToCorsPreflight" | "AddApiKeyRequiredToCorsPreflight" => {}
            k => cx.warn(
                e.line,
                format!("Auth {k} (resource policies, invoke roles) is not emulated; ignored"),
            ),
        }
    }
    if let Some(d) = &out.default_authorizer
        && d != "AWS_IAM"
        && d != "NONE"
        && !api.authorizers.contains_key(d)
    {
        cx.warn(
            auth.line,
            format!("DefaultAuthorizer {d} is not one of Auth.Authorizers; methods run without it"),
        );
        out.default_authorizer = None;
    }
    out
}

/// One entry of SAM's `Auth.Authorizers`: a Lambda authorizer (`FunctionArn`) or a Cognito
/// one (`UserPoolArn`).
fn sam_authorizer(name: &str, a: &Node, cx: &mut Cx) -> Option<Authorizer> {
    let identity = a.get("Identity");
    let ident = |key: &str| identity.and_then(|i| i.get(key));
    let ttl = ident("ReauthorizeEvery")
        .and_then(Node::scalar_text)
        .and_then(|s| s.parse().ok());
    if let Some(pools) = a.get("UserPoolArn") {
        let provider_arns: Vec<String> = if pools.items().is_empty() {
            intrinsic::text(pools, cx, "UserPoolArn")
                .into_iter()
                .collect()
        } else {
            pools
                .items()
                .iter()
                .filter_map(|p| intrinsic::text(p, cx, "UserPoolArn"))
                .collect()
        };
        cx.warn(
            pools.line,
            format!("authorizer {name}: add the user pool's keys to the session ([[api.userPools]] with arn and jwks) to check its tokens"),
        );
        let header = ident("Header")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "Authorization".into());
        return Some(Authorizer {
            name: Some(name.to_string()),
            kind: AuthorizerType::CognitoUserPools,
            identity_source: Some(format!("method.request.header.{header}")),
            identity_validation_expression: ident("ValidationExpression")
                .and_then(Node::scalar_text),
            authorizer_result_ttl_in_seconds: ttl,
            provider_arns,
            ..Authorizer::default()
        });
    }
    let Some(function) = a.get("FunctionArn") else {
        cx.warn(
            a.line,
            format!("authorizer {name} has neither FunctionArn nor UserPoolArn; skipped"),
        );
        return None;
    };
    let function = intrinsic::text(function, cx, "FunctionArn")?;
    let payload = a
        .get("FunctionPayloadType")
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| "TOKEN".into());
    let kind = match payload.to_ascii_uppercase().as_str() {
        "REQUEST" => AuthorizerType::Request,
        _ => AuthorizerType::Token,
    };
    if a.get("FunctionInvokeRole").is_some() {
        cx.warn(
            a.line,
            format!("authorizer {name}: FunctionInvokeRole is not emulated; the session's backend is called"),
        );
    }
    let identity_source = if kind == AuthorizerType::Token {
        let header = ident("Header")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "Authorization".into());
        Some(format!("method.request.header.{header}"))
    } else {
        let mut parts = Vec::new();
        for (key, prefix) in [
            ("Headers", "method.request.header."),
            ("QueryStrings", "method.request.querystring."),
            ("StageVariables", "stageVariables."),
            ("Context", "context."),
        ] {
            for n in ident(key).map(Node::items).unwrap_or_default() {
                if let Some(n) = n.scalar_text() {
                    parts.push(format!("{prefix}{n}"));
                }
            }
        }
        (!parts.is_empty()).then(|| parts.join(", "))
    };
    Some(Authorizer {
        name: Some(name.to_string()),
        kind,
        identity_source,
        identity_validation_expression: ident("ValidationExpression").and_then(Node::scalar_text),
        authorizer_result_ttl_in_seconds: ttl,
        authorizer_uri: Some(format!(
            "arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/{function}/invocations"
        )),
        ..Authorizer::default()
    })
}

/// SAM's `Auth.UsagePlan`: with `CreateUsagePlan` PER_API or SHARED, SAM makes a plan and an
/// API key (whose value AWS generates; the session gets one).
fn sam_usage_plan(v: &Node, api_name: &str, api: &mut Api, cx: &mut Cx) {
    let create = v
        .get("CreateUsagePlan")
        .and_then(Node::scalar_text)
        .unwrap_or_default()
        .to_ascii_uppercase();
    if create != "PER_API" && create != "SHARED" {
        return;
    }
    let key_name = format!("{api_name}ApiKey");
    let value = format!("{key_name}-value-0123456789");
    cx.warn(
        v.line,
        format!("UsagePlan: SAM creates API key {key_name}, whose value AWS generates; the session gives it {value}"),
    );
    api.api_keys.push(ApiKey {
        name: Some(key_name.clone()),
        value,
        enabled: true,
    });
    let num = |n: Option<&Node>, k: &str| n.and_then(|n| n.get(k)).and_then(Node::scalar_text);
    api.usage_plans.push(UsagePlan {
        name: Some(format!("{api_name}UsagePlan")),
        api_keys: vec![key_name],
        throttle: v.get("Throttle").map(|t| Throttle {
            rate_limit: num(Some(t), "RateLimit").and_then(|s| s.parse().ok()),
            burst_limit: num(Some(t), "BurstLimit").and_then(|s| s.parse().ok()),
        }),
        quota: v.get("Quota").and_then(|q| {
            Some(Quota {
                limit: num(Some(q), "Limit")?.parse().ok()?,
                period: num(Some(q), "Period"),
            })
        }),
    });
}

/// Apply an `Api` event's `Auth` (or the API's defaults) to its method.
pub(crate) fn sam_event_auth(
    event_auth: Option<&Node>,
    defaults: &SamAuth,
    api: &Api,
    method: &mut Method,
    cx: &mut Cx,
) {
    let mut authorizer = defaults.default_authorizer.clone();
    method.api_key_required = defaults.api_key_required;
    if let Some(a) = event_auth {
        for e in a.entries() {
            match e.key.as_str() {
                "Authorizer" => authorizer = intrinsic::text(&e.value, cx, "Authorizer"),
                "ApiKeyRequired" => method.api_key_required = e.value.as_bool().unwrap_or(false),
                "AuthorizationScopes" => {
                    method.authorization_scopes = e
                        .value
                        .items()
                        .iter()
                        .filter_map(Node::scalar_text)
                        .collect();
                }
                k => cx.warn(
                    e.line,
                    format!(
                        "event Auth {k} (resource policies, invoke roles) is not emulated; ignored"
                    ),
                ),
            }
        }
    }
    match authorizer.as_deref() {
        None | Some("NONE") => {}
        Some("AWS_IAM") => {
            cx.warn(event_auth.map_or(1, |a| a.line), IAM_NOTE);
            method.authorization_type = Some("AWS_IAM".into());
        }
        Some(name) => match api.authorizers.get(name) {
            Some(a) => {
                let cognito = a.kind == AuthorizerType::CognitoUserPools;
                method.authorization_type =
                    Some(if cognito { "COGNITO_USER_POOLS" } else { "CUSTOM" }.into());
                method.authorizer_id = Some(name.to_string());
                if !cognito {
                    method.authorization_scopes.clear();
                } else if method.authorization_scopes.is_empty()
                    && let Some(scopes) = defaults.scopes.get(name)
                {
                    method.authorization_scopes = scopes.clone();
                }
            }
            None => cx.warn(
                event_auth.map_or(1, |a| a.line),
                format!("Authorizer {name} is not one of the API's Auth.Authorizers; the method runs without it"),
            ),
        },
    }
}
