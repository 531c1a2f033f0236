//! The authorization stage in the trace: its place in the gateway's order (after routing,
//! before the method request's validation), skipped when a method has no authorizer and no
//! API key, and what it records: the checks, the identity seen (shortened), the API key's
//! usage plan counters, a Lambda authorizer's cache lookup, event and answer, a Cognito
//! token's header and claims or why it fails, what reaches `$context.authorizer`, and the
//! gateway's answer when it fails.

use std::path::{Path, PathBuf};

use gatebench::gateway::pipeline::AuthState;
use gatebench::gateway::trace::{Stage, StageOutcome, Trace};
use gatebench::session::{Session, client_request, run_session_with};

fn sessions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions")
}

fn load(name: &str) -> Session {
    Session::load(&sessions().join(name)).unwrap()
}

async fn run(session: &Session, index: usize, state: &AuthState) -> Trace {
    let request = client_request(&session.requests[index]).unwrap();
    run_session_with(session, &request, state).await
}

fn outcome(t: &Trace, stage: Stage) -> StageOutcome {
    t.stages
        .iter()
        .find(|r| r.stage == stage)
        .map(|r| r.outcome.clone())
        .unwrap()
}

#[test]
fn the_stage_sits_between_routing_and_the_method_request() {
    assert_eq!(
        &Stage::ALL[..3],
        &[Stage::Routing, Stage::Authorization, Stage::MethodRequest]
    );
    assert!(
        Stage::Authorization
            .explanation()
            .starts_with("Checks the API key (x-api-key) and runs the method's authorizer")
    );
}

#[tokio::test]
async fn a_method_without_authorizer_or_key_skips_it() {
    let s = load("mock.toml");
    let t = run(&s, 0, &AuthState::default()).await;
    let order: Vec<Stage> = t.stages.iter().map(|r| r.stage).collect();
    assert_eq!(order, Stage::ALL);
    assert_eq!(outcome(&t, Stage::Authorization), StageOutcome::Skipped);
    assert!(t.authorization.is_none());
}

#[tokio::test]
async fn api_keys_show_the_key_and_the_plan_counters() {
    let s = load("auth-api-key.toml");
    let state = AuthState::default();
    // No key: 403 at the authorization stage; validation never runs.
    let t = run(&s, 1, &state).await;
    assert_eq!(t.response.status, 403);
    assert!(matches!(
        outcome(&t, Stage::Authorization),
        StageOutcome::Failed(_)
    ));
    assert_eq!(outcome(&t, Stage::MethodRequest), StageOutcome::Skipped);
    let a = t.authorization.unwrap();
    assert_eq!(a.checks, ["API key (the x-api-key header)"]);
    assert_eq!(a.api_key.as_ref().unwrap().key, "(none)");
    let f = a.failure.unwrap();
    assert_eq!(
        (f.status, f.response_type.as_str()),
        (403, "INVALID_API_KEY")
    );

    // The partner key: counted in its plan.
    let t = run(&s, 0, &state).await;
    assert_eq!(t.response.status, 200);
    assert_eq!(outcome(&t, Stage::Authorization), StageOutcome::Done);
    let a = t.authorization.unwrap();
    let k = a.api_key.unwrap();
    assert_eq!(k.key, "**********cdef");
    assert_eq!(k.id.as_deref(), Some("partner"));
    assert_eq!(k.plan.as_deref(), Some("gold"));
    assert_eq!(k.used, Some(1));
    assert_eq!(k.quota, Some((10000, "MONTH".to_string())));
    assert!(a.failure.is_none());
}

/// A TOKEN authorizer answered by the canned backend (cached 300 s), on a MOCK method.
const CANNED_TOKEN: &str = r#"
version = 1
name = "cached TOKEN authorizer"

[api]
apiId = "c4ch3d0001"
stage = "s"

[api.authorizers.a]
name = "gate"
type = "TOKEN"
authorizerResultTtlInSeconds = 300
authorizerUri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:auth/invocations"

[[api.resources]]
path = "/x"

[api.resources.methods.GET]
authorizationType = "CUSTOM"
authorizerId = "a"

[api.resources.methods.GET.methodResponses.200]

[api.resources.methods.GET.integration]
type = "MOCK"

[api.resources.methods.GET.integration.requestTemplates]
"application/json" = '{"statusCode": 200}'

[api.resources.methods.GET.integration.integrationResponses.200]
statusCode = "200"

[[requests]]
method = "GET"
path = "/s/x"
headers = [["Authorization", "a-rather-long-opaque-token-value-0123456789"]]

[[requests]]
method = "GET"
path = "/s/x"

[backend]
type = "canned"
body = '{"principalId": "u", "policyDocument": {"Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}, "context": {"tier": "gold"}}'
"#;

#[tokio::test]
async fn a_lambda_authorizer_shows_event_answer_and_cache() {
    let s = Session::from_toml(CANNED_TOKEN, Path::new("canned.toml")).unwrap();
    let state = AuthState::default();
    let t = run(&s, 0, &state).await;
    assert_eq!(t.response.status, 200);
    let a = t.authorization.unwrap();
    assert_eq!(a.checks, ["Lambda TOKEN authorizer gate (auth)"]);
    let (source, seen) = a.identity.unwrap();
    assert_eq!(source, "method.request.header.Authorization");
    assert_eq!(seen, "a-rather-l…456789 (43 chars)");
    let cache = a.cache.unwrap();
    assert!(!cache.hit);
    assert_eq!((cache.ttl, cache.ttl_left), (300, 300));
    let event = a.event.unwrap();
    assert_eq!(event["type"], "TOKEN");
    assert_eq!(
        event["authorizationToken"],
        "a-rather-long-opaque-token-value-0123456789"
    );
    assert_eq!(a.answer.unwrap()["principalId"], "u");
    assert_eq!(
        a.context.unwrap(),
        serde_json::json!({"principalId": "u", "tier": "gold"})
    );
    assert!(
        a.results[0]
            .starts_with("the policy allows execute-api:Invoke on arn:aws:execute-api:eu-west-1:")
    );

    // The same token again: from the cache, no event sent.
    let t = run(&s, 0, &state).await;
    let a = t.authorization.unwrap();
    let cache = a.cache.unwrap();
    assert!(cache.hit);
    assert!(cache.ttl_left <= 300 && cache.ttl_left > 0);
    assert!(a.event.is_none());
    assert_eq!(a.answer.unwrap()["context"]["tier"], "gold");

    // No token: 401 without a call.
    let t = run(&s, 1, &state).await;
    assert_eq!(t.response.status, 401);
    let a = t.authorization.unwrap();
    assert_eq!(a.identity.unwrap().1, "(missing)");
    assert!(a.event.is_none());
    let f = a.failure.unwrap();
    assert_eq!((f.status, f.response_type.as_str()), (401, "UNAUTHORIZED"));
}

#[tokio::test]
async fn cognito_shows_the_claims_or_why_the_token_fails() {
    let s = load("auth-cognito.toml");
    let state = AuthState::default();
    let t = run(&s, 0, &state).await;
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    let a = t.authorization.unwrap();
    assert_eq!(a.checks, ["Cognito user pool authorizer cognito-users"]);
    assert!(a.identity.unwrap().1.contains('…'));
    assert_eq!(a.token_header.unwrap()["kid"], "gatebench-teaching-key-1");
    assert_eq!(a.claims.unwrap()["cognito:username"], "ana");
    assert!(
        a.results[0].starts_with("the signature verifies"),
        "{:?}",
        a.results
    );
    assert_eq!(a.context.unwrap()["claims"]["custom:tier"], "gold");

    // The tampered token: the claims it carries, and why it fails.
    let tampered = s
        .requests
        .iter()
        .position(|r| r.name.starts_with("tampered"))
        .unwrap();
    let t = run(&s, tampered, &state).await;
    assert_eq!(t.response.status, 401);
    let a = t.authorization.unwrap();
    assert_eq!(a.claims.unwrap()["custom:tier"], "platinum");
    assert!(a.results[0].contains("signature"), "{:?}", a.results);
    assert!(a.context.is_none());
    let f = a.failure.unwrap();
    assert_eq!((f.status, f.response_type.as_str()), (401, "UNAUTHORIZED"));
}

/// `gatebench run SESSION ARGS...`: stdout.
fn gatebench_run(session: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatebench"))
        .arg("run")
        .arg(sessions().join(session))
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn run_stages_prints_the_authorization_stage_and_plain_run_is_unchanged() {
    let plain = gatebench_run("auth-api-key.toml", &[]);
    assert!(!plain.contains("Stages:"), "{plain}");
    assert!(!plain.contains("authorization"), "{plain}");
    let staged = gatebench_run("auth-api-key.toml", &["--stages"]);
    let (log, stages) = staged.split_once("\n\nStages:\n").expect(&staged);
    // The log part is the plain run's shape (request ids and times differ per run).
    assert_eq!(log.lines().count(), plain.lines().count(), "{staged}");
    let lines: Vec<&str> = stages.lines().collect();
    assert_eq!(lines[0], "✓ routing", "{stages}");
    let auth = lines
        .iter()
        .position(|l| *l == "✓ authorization")
        .expect(stages);
    let method = lines
        .iter()
        .position(|l| *l == "✓ method request")
        .expect(stages);
    assert!(auth < method, "{stages}");
    assert!(
        stages.contains(
            "    API key: **********cdef (id partner), usage plan gold, 1 used of 10000 per MONTH"
        ),
        "{stages}"
    );
    let mock = gatebench_run("mock.toml", &["--stages"]);
    assert!(mock.contains("\n– authorization\n"), "{mock}");
}

const IAM: &str = r#"
version = 1
name = "AWS_IAM"

[api]
apiId = "1amaut4api"
stage = "prod"

[[api.iamCredentials]]
accessKeyId = "AKIAIOSFODNN7EXAMPLE"
secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
accountId = "111122223333"
userArn = "arn:aws:iam::111122223333:user/ana"

[[api.resources]]
path = "/whoami"

[api.resources.methods.GET]
authorizationType = "AWS_IAM"

[api.resources.methods.GET.integration]
type = "MOCK"

[api.resources.methods.GET.integration.requestTemplates]
"application/json" = '{"statusCode": 200}'

[api.resources.methods.GET.integration.integrationResponses.200]
statusCode = "200"

[[requests]]
method = "GET"
path = "/prod/whoami"

[[requests]]
method = "GET"
path = "/prod/whoami"
headers = [
  ["X-Amz-Date", "20260101T000000Z"],
  ["Authorization", "AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN0000000000/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000"],
]
"#;

#[tokio::test]
async fn aws_iam_shows_the_access_key_and_the_signature_check() {
    let s = Session::from_toml(IAM, Path::new("iam.toml")).unwrap();
    let state = AuthState::default();
    // Unsigned: 403 Missing Authentication Token, no key to show.
    let t = run(&s, 0, &state).await;
    assert_eq!(t.response.status, 403);
    let a = t.authorization.unwrap();
    assert_eq!(a.checks, ["AWS_IAM: the SigV4 signature"]);
    assert!(a.access_key.is_none());
    let f = a.failure.unwrap();
    assert_eq!(
        (f.status, f.response_type.as_str()),
        (403, "MISSING_AUTHENTICATION_TOKEN")
    );
    // A key the session does not list: the key named, the check's result, INVALID_SIGNATURE.
    let t = run(&s, 1, &state).await;
    assert_eq!(t.response.status, 403);
    let a = t.authorization.unwrap();
    assert_eq!(a.access_key.as_deref(), Some("AKIDUNKNOWN0000000000"));
    assert_eq!(a.results.len(), 1, "{:?}", a.results);
    let f = a.failure.unwrap();
    assert_eq!(
        (f.status, f.response_type.as_str()),
        (403, "INVALID_SIGNATURE")
    );
}
