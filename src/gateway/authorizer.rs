//! What a Lambda authorizer is given and what its answer means, as API Gateway (REST APIs)
//! does it: the method ARN, identity sources, the TOKEN and REQUEST input events, the
//! authorizer's output (principal, policy, context, usage identifier key) and the evaluation of
//! its IAM policy against the method ARN.
//!
//! Sources: AWS developer guide, "Input to an API Gateway Lambda authorizer" (event shapes,
//! the `methodArn` layout, identity sources are not path parameters), "Output from an API
//! Gateway Lambda authorizer" (`principalId`, `policyDocument`, `context` values are strings,
//! numbers or booleans only, `usageIdentifierKey`), the `identitySource` field of
//! `CreateAuthorizer` (missing, null or empty identity values answer 401 without calling the
//! function), and the knowledge-center articles on 401 and 403 from Lambda authorizers (the
//! messages of [`Denial`]). IAM policy evaluation follows the IAM guide: an explicit deny wins,
//! otherwise an allow is needed; `*` and `?` are wildcards; actions match without regard to
//! case, resources with it.

use serde_json::{Map, Value as Json};

/// The action every execute-api policy statement must allow.
pub const INVOKE_ACTION: &str = "execute-api:Invoke";

/// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`: the ARN API
/// Gateway gives the authorizer and evaluates its policy against. `path` is the request's
/// path inside the stage (`/pets/7`), not the resource template; the root is `.../GET/`.
pub fn method_arn(
    region: &str,
    account_id: &str,
    api_id: &str,
    stage: &str,
    http_method: &str,
    path: &str,
) -> String {
    let path = path.strip_prefix('/').unwrap_or(path);
    format!("arn:aws:execute-api:{region}:{account_id}:{api_id}/{stage}/{http_method}/{path}")
}

/// Where an identity value comes from (`identitySource`, comma-separated).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdentitySource {
    /// `method.request.header.NAME` (looked up without regard to case).
    Header(String),
    /// `method.request.querystring.NAME`.
    Query(String),
    /// `stageVariables.NAME`.
    StageVariable(String),
    /// `context.NAME` (a `$context` variable).
    Context(String),
}

impl IdentitySource {
    /// The expression as written in `identitySource`.
    pub fn expression(&self) -> String {
        match self {
            IdentitySource::Header(n) => format!("method.request.header.{n}"),
            IdentitySource::Query(n) => format!("method.request.querystring.{n}"),
            IdentitySource::StageVariable(n) => format!("stageVariables.{n}"),
            IdentitySource::Context(n) => format!("context.{n}"),
        }
    }
}

/// Parse an `identitySource` value. Path parameters cannot be identity sources.
pub fn parse_identity_sources(text: &str) -> Result<Vec<IdentitySource>, String> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let source = if let Some(n) = part.strip_prefix("method.request.header.") {
            IdentitySource::Header(n.to_string())
        } else if let Some(n) = part.strip_prefix("method.request.querystring.") {
            IdentitySource::Query(n.to_string())
        } else if let Some(n) = part.strip_prefix("stageVariables.") {
            IdentitySource::StageVariable(n.to_string())
        } else if let Some(n) = part.strip_prefix("context.") {
            IdentitySource::Context(n.to_string())
        } else if part.starts_with("method.request.path.") {
            return Err(format!(
                "{part}: a path parameter cannot be an identity source (API Gateway accepts \
                 method.request.header.*, method.request.querystring.*, stageVariables.* and \
                 context.*)"
            ));
        } else {
            return Err(format!(
                "{part}: not an identity source (expected method.request.header.NAME, \
                 method.request.querystring.NAME, stageVariables.NAME or context.NAME)"
            ));
        };
        if matches!(&source, IdentitySource::Header(n) | IdentitySource::Query(n)
            | IdentitySource::StageVariable(n) | IdentitySource::Context(n) if n.is_empty())
        {
            return Err(format!("{part}: the name is missing"));
        }
        out.push(source);
    }
    Ok(out)
}

/// What an IAM policy says about one action on one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A statement allows it and none denies it.
    Allow,
    /// A statement denies it.
    ExplicitDeny,
    /// No statement allows it.
    ImplicitDeny,
}

/// Why a request was refused after the authorizer answered: the 403 body's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// The policy denies the method ARN.
    Explicit,
    /// The policy does not allow the method ARN.
    Implicit,
}

impl Denial {
    /// `$context.error.message` of the ACCESS_DENIED gateway response.
    pub fn message(self) -> &'static str {
        match self {
            Denial::Explicit => {
                "User is not authorized to access this resource with an explicit deny"
            }
            Denial::Implicit => "User is not authorized to access this resource",
        }
    }
}

/// IAM's wildcard match: `*` any run of characters (`/` and `:` included), `?` one character.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let eq = |a: char, b: char| {
        if ignore_case {
            a.to_lowercase().eq(b.to_lowercase())
        } else {
            a == b
        }
    };
    // Iterative matching with one backtrack point for the last `*` (linear in practice).
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && eq(p[pi], t[ti]))) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A string or a list of strings (IAM accepts both for `Action` and `Resource`).
fn strings<'a>(v: &'a Json, field: &str) -> Result<Vec<&'a str>, String> {
    match v {
        Json::String(s) => Ok(vec![s.as_str()]),
        Json::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .ok_or_else(|| format!("{field} holds a {} where a string belongs", kind(i)))
            })
            .collect(),
        other => Err(format!(
            "{field} is a {} (a string or a list of strings belongs there)",
            kind(other)
        )),
    }
}

fn kind(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "list",
        Json::Object(_) => "object",
    }
}

/// Evaluate a policy document for `action` on `resource`. A document API Gateway cannot read
/// is an error (the client gets 500, AuthorizerConfigurationException).
pub fn evaluate(policy: &Json, action: &str, resource: &str) -> Result<Verdict, String> {
    let Json::Object(doc) = policy else {
        return Err(format!(
            "policyDocument is a {}, not an object",
            kind(policy)
        ));
    };
    let statements: Vec<&Json> = match doc.get("Statement") {
        Some(Json::Array(s)) => s.iter().collect(),
        Some(s @ Json::Object(_)) => vec![s],
        Some(other) => {
            return Err(format!(
                "policyDocument.Statement is a {} (a list of statements belongs there)",
                kind(other)
            ));
        }
        None => return Err("policyDocument has no Statement".into()),
    };
    let mut allowed = false;
    for (i, st) in statements.iter().enumerate() {
        let Json::Object(st) = st else {
            return Err(format!("Statement[{i}] is a {}, not an object", kind(st)));
        };
        let effect = match st.get("Effect").and_then(Json::as_str) {
            Some(e) if e.eq_ignore_ascii_case("allow") => true,
            Some(e) if e.eq_ignore_ascii_case("deny") => false,
            Some(e) => return Err(format!("Statement[{i}].Effect is {e:?} (Allow or Deny)")),
            None => return Err(format!("Statement[{i}] has no Effect")),
        };
        let action_hit = match (st.get("Action"), st.get("NotAction")) {
            (Some(a), _) => strings(a, "Action")?
                .iter()
                .any(|p| wildcard_match(p, action, true)),
            (None, Some(a)) => !strings(a, "NotAction")?
                .iter()
                .any(|p| wildcard_match(p, action, true)),
            (None, None) => return Err(format!("Statement[{i}] has no Action")),
        };
        let resource_hit = match (st.get("Resource"), st.get("NotResource")) {
            (Some(r), _) => strings(r, "Resource")?
                .iter()
                .any(|p| wildcard_match(p, resource, false)),
            (None, Some(r)) => !strings(r, "NotResource")?
                .iter()
                .any(|p| wildcard_match(p, resource, false)),
            (None, None) => return Err(format!("Statement[{i}] has no Resource")),
        };
        if action_hit && resource_hit {
            if !effect {
                return Ok(Verdict::ExplicitDeny);
            }
            allowed = true;
        }
    }
    Ok(if allowed {
        Verdict::Allow
    } else {
        Verdict::ImplicitDeny
    })
}

/// A Lambda authorizer's answer, as API Gateway reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct AuthorizerOutput {
    /// `principalId`: `$context.authorizer.principalId`.
    pub principal_id: String,
    /// `policyDocument`.
    pub policy: Json,
    /// `context`: `$context.authorizer.KEY`; values are strings, numbers or booleans.
    pub context: Map<String, Json>,
    /// `usageIdentifierKey`: the API key, when the API's key source is AUTHORIZER.
    pub usage_identifier_key: Option<String>,
}

/// Read a Lambda authorizer's answer (the function's JSON result). An answer API Gateway
/// cannot use is an error (500, AuthorizerConfigurationException): not an object, no
/// `principalId`, no `policyDocument`, or a `context` value that is an object, a list or null.
pub fn parse_output(payload: &[u8]) -> Result<AuthorizerOutput, String> {
    let v: Json = serde_json::from_slice(payload)
        .map_err(|e| format!("the authorizer's answer is not JSON: {e}"))?;
    let Json::Object(mut o) = v else {
        return Err(format!(
            "the authorizer's answer is a {}, not an object",
            kind(&v)
        ));
    };
    let principal_id = match o.remove("principalId") {
        Some(Json::String(s)) => s,
        Some(n @ (Json::Number(_) | Json::Bool(_))) => n.to_string(),
        Some(other) => {
            return Err(format!("principalId is a {}, not a string", kind(&other)));
        }
        None => return Err("the authorizer's answer has no principalId".into()),
    };
    let policy = o
        .remove("policyDocument")
        .ok_or("the authorizer's answer has no policyDocument")?;
    let context = match o.remove("context") {
        None | Some(Json::Null) => Map::new(),
        Some(Json::Object(m)) => {
            for (k, v) in &m {
                if !matches!(v, Json::String(_) | Json::Number(_) | Json::Bool(_)) {
                    return Err(format!(
                        "context.{k} is a {}: context values must be strings, numbers or booleans",
                        kind(v)
                    ));
                }
            }
            m
        }
        Some(other) => return Err(format!("context is a {}, not an object", kind(&other))),
    };
    let usage_identifier_key = match o.remove("usageIdentifierKey") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s),
        Some(other) => {
            return Err(format!(
                "usageIdentifierKey is a {}, not a string",
                kind(&other)
            ));
        }
    };
    Ok(AuthorizerOutput {
        principal_id,
        policy,
        context,
        usage_identifier_key,
    })
}

/// The TOKEN authorizer's input event.
pub fn token_event(token: &str, method_arn: &str) -> Json {
    serde_json::json!({
        "type": "TOKEN",
        "authorizationToken": token,
        "methodArn": method_arn,
    })
}

/// `$context.authorizer` as the authorizer's answer fills it: `principalId`, then every
/// `context` key (numbers and booleans as the function returned them).
pub fn context_authorizer(out: &AuthorizerOutput) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("principalId".into(), Json::String(out.principal_id.clone()));
    for (k, v) in &out.context {
        m.insert(k.clone(), v.clone());
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/pets/7";

    #[test]
    fn the_method_arn_uses_the_request_path() {
        assert_eq!(
            method_arn(
                "us-east-1",
                "123456789012",
                "abcdef123",
                "test",
                "GET",
                "/pets/7"
            ),
            ARN
        );
        assert!(method_arn("r", "a", "i", "s", "GET", "/").ends_with("i/s/GET/"));
    }

    #[test]
    fn identity_sources_parse_and_refuse_path_parameters() {
        assert_eq!(
            parse_identity_sources(
                "method.request.header.Auth, method.request.querystring.q,stageVariables.s, context.requestId"
            )
            .unwrap(),
            vec![
                IdentitySource::Header("Auth".into()),
                IdentitySource::Query("q".into()),
                IdentitySource::StageVariable("s".into()),
                IdentitySource::Context("requestId".into()),
            ]
        );
        assert!(
            parse_identity_sources("method.request.path.id")
                .unwrap_err()
                .contains("path parameter")
        );
        assert!(parse_identity_sources("header.Auth").is_err());
        assert!(parse_identity_sources("method.request.header.").is_err());
    }

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(wildcard_match("arn:aws:execute-api:*", ARN, false));
        assert!(wildcard_match(
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/pets/*",
            ARN,
            false
        ));
        assert!(wildcard_match(
            "arn:aws:execute-api:us-east-1:*:abcdef123/*/GET/pets/?",
            ARN,
            false
        ));
        assert!(!wildcard_match(
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/POST/*",
            ARN,
            false
        ));
        assert!(!wildcard_match(
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/get/pets/7",
            ARN,
            false
        ));
        assert!(wildcard_match("execute-api:*", "execute-api:Invoke", true));
        assert!(wildcard_match(
            "EXECUTE-API:invoke",
            "execute-api:Invoke",
            true
        ));
        assert!(wildcard_match("*", "", false));
        assert!(!wildcard_match("a?", "a", false));
    }

    fn policy(effect: &str, resource: Json) -> Json {
        json!({"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}
        ]})
    }

    #[test]
    fn an_explicit_deny_wins_and_no_allow_denies() {
        assert_eq!(
            evaluate(&policy("Allow", json!(ARN)), INVOKE_ACTION, ARN),
            Ok(Verdict::Allow)
        );
        assert_eq!(
            evaluate(&policy("Deny", json!(ARN)), INVOKE_ACTION, ARN),
            Ok(Verdict::ExplicitDeny)
        );
        let other = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/cats";
        assert_eq!(
            evaluate(&policy("Allow", json!(other)), INVOKE_ACTION, ARN),
            Ok(Verdict::ImplicitDeny)
        );
        let both = json!({"Statement": [
            {"Action": ["execute-api:*"], "Effect": "Allow", "Resource": ["*"]},
            {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": ARN},
        ]});
        assert_eq!(
            evaluate(&both, INVOKE_ACTION, ARN),
            Ok(Verdict::ExplicitDeny)
        );
        let single = json!({"Statement": {"Action": "*", "Effect": "Allow", "Resource": "*"}});
        assert_eq!(evaluate(&single, INVOKE_ACTION, ARN), Ok(Verdict::Allow));
        let not =
            json!({"Statement": [{"NotAction": "s3:*", "Effect": "Allow", "NotResource": other}]});
        assert_eq!(evaluate(&not, INVOKE_ACTION, ARN), Ok(Verdict::Allow));
    }

    #[test]
    fn unreadable_policies_are_errors() {
        assert!(evaluate(&json!("x"), INVOKE_ACTION, ARN).is_err());
        assert!(evaluate(&json!({}), INVOKE_ACTION, ARN).is_err());
        assert!(
            evaluate(
                &json!({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
                INVOKE_ACTION,
                ARN
            )
            .is_err()
        );
        assert!(
            evaluate(
                &json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
                INVOKE_ACTION,
                ARN
            )
            .is_err()
        );
        assert!(
            evaluate(
                &json!({"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]}),
                INVOKE_ACTION,
                ARN
            )
            .is_err()
        );
    }

    #[test]
    fn the_output_is_read_as_api_gateway_reads_it() {
        let out = parse_output(
            br#"{"principalId": "user-1", "policyDocument": {"Statement": []},
                 "context": {"s": "v", "n": 1, "b": true}, "usageIdentifierKey": "k1"}"#,
        )
        .unwrap();
        assert_eq!(out.principal_id, "user-1");
        assert_eq!(out.usage_identifier_key.as_deref(), Some("k1"));
        let ctx = context_authorizer(&out);
        assert_eq!(
            Json::Object(ctx),
            json!({"principalId": "user-1", "s": "v", "n": 1, "b": true})
        );
        for bad in [
            &br#"[]"#[..],
            br#"{"policyDocument": {}}"#,
            br#"{"principalId": "u"}"#,
            br#"{"principalId": "u", "policyDocument": {}, "context": {"o": {"a": 1}}}"#,
            br#"{"principalId": "u", "policyDocument": {}, "context": {"l": [1]}}"#,
            br#"{"principalId": "u", "policyDocument": {}, "context": {"z": null}}"#,
            b"not json",
        ] {
            assert!(
                parse_output(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn the_messages_are_the_gateways() {
        assert_eq!(
            Denial::Explicit.message(),
            "User is not authorized to access this resource with an explicit deny"
        );
        assert_eq!(
            Denial::Implicit.message(),
            "User is not authorized to access this resource"
        );
        assert_eq!(
            token_event("allow", ARN),
            json!({"type": "TOKEN", "authorizationToken": "allow", "methodArn": ARN})
        );
    }
}
