//! Authorization as the gateway does it, through `gatebench run` and through `serve` with a
//! real HTTP client: API keys and usage plans, Lambda TOKEN and REQUEST authorizers run as a
//! real Python function behind the local Runtime API host, and their gateway responses.
//!
//! Sources of the expected answers: AWS knowledge center "Why am I getting 401 Unauthorized
//! errors from a Lambda authorizer" and "How do I troubleshoot 403 errors with a Lambda
//! authorizer" (401 `Unauthorized` for a missing identity or a raised `Unauthorized`; 403 with
//! `User is not authorized to access this resource[ with an explicit deny]`); the API Gateway
//! developer guide's gateway response types (UNAUTHORIZED 401, ACCESS_DENIED 403,
//! AUTHORIZER_CONFIGURATION_ERROR 500, INVALID_API_KEY 403, QUOTA_EXCEEDED 429, THROTTLED 429)
//! and "Output from an API Gateway Lambda authorizer" (context values, usageIdentifierKey).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use gatebench::gateway::trace::Stage;
use gatebench::serve::{Observer, Server};
use gatebench::session::Session;
use serde_json::{Value, json};

fn sessions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions")
}

fn python() -> bool {
    common::tools::require(
        common::tools::Tool::Python3,
        "the Lambda authorizer's Python function",
    )
}

/// `gatebench run SESSION --json` with `request` (method, path, rawQuery, headers).
fn run(session: &str, request: &Value) -> Value {
    let dir = std::env::temp_dir().join(format!("gatebench-auth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "{:x}.json",
        request
            .to_string()
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    ));
    std::fs::write(&file, request.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gatebench"))
        .arg("run")
        .arg(sessions().join(session))
        .arg("--json")
        .arg("--request")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn body(v: &Value) -> Value {
    serde_json::from_str(v["response"]["body"].as_str().unwrap()).unwrap()
}

fn log_has(v: &Value, needle: &str) -> bool {
    v["log"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_str().unwrap().contains(needle))
}

fn get(path: &str, headers: &[(&str, &str)]) -> Value {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    json!({"method": "GET", "path": path, "rawQuery": query, "headers": headers.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>()})
}

/// Request headers, the expected status and body.
type Case<'a> = (&'a [(&'a str, &'a str)], u64, Value);

const KEYS: &str = "auth-api-key.toml";
const TOKENS: &str = "auth-lambda-token.toml";

#[test]
fn run_api_keys_answer_as_the_gateway_does() {
    let ok = run(
        KEYS,
        &get(
            "/v1/orders",
            &[("x-api-key", "partner-key-1234567890abcdef")],
        ),
    );
    assert_eq!(ok["response"]["status"], 200, "{ok}");
    assert_eq!(
        body(&ok),
        json!({"caller": "partner", "key": "partner-key-1234567890abcdef"})
    );
    assert!(
        log_has(&ok, "Usage Plan check succeeded for API Key **********cdef"),
        "{ok}"
    );

    for (headers, why) in [
        (vec![], "no key"),
        (vec![("x-api-key", "nope")], "unknown key"),
        (
            vec![("x-api-key", "loose-key-1234567890abcdef")],
            "key in no plan",
        ),
    ] {
        let v = run(KEYS, &get("/v1/orders", &headers));
        assert_eq!(v["response"]["status"], 403, "{why}: {v}");
        assert_eq!(body(&v), json!({"message": "Forbidden"}), "{why}");
        assert_eq!(
            v["response"]["headers"]["x-amzn-ErrorType"], "ForbiddenException",
            "{why}"
        );
    }
}

#[test]
fn run_token_authorizer_paths() {
    if !python() {
        return;
    }
    let v = run(TOKENS, &get("/prod/me", &[("Authorization", "allow")]));
    assert_eq!(v["response"]["status"], 200, "{v}");
    assert_eq!(
        body(&v),
        json!({"principalId": "user-1", "tier": "gold", "quota": 3, "admin": true})
    );
    assert!(log_has(&v, "\"type\":\"TOKEN\""), "{v}");
    assert!(
        log_has(
            &v,
            "arn:aws:execute-api:us-east-1:123456789012:4uth3x4mpl/prod/GET/me"
        ),
        "{v}"
    );
    assert!(
        log_has(&v, "Successfully completed authorizer execution"),
        "{v}"
    );

    let cases: [Case; 6] = [
        (&[], 401, json!({"message": "Unauthorized"})),
        (
            &[("Authorization", "")],
            401,
            json!({"message": "Unauthorized"}),
        ),
        // identityValidationExpression [a-z]+: no call, 401.
        (
            &[("Authorization", "Bearer 1")],
            401,
            json!({"message": "Unauthorized"}),
        ),
        (
            &[("Authorization", "unauthorized")],
            401,
            json!({"message": "Unauthorized"}),
        ),
        (
            &[("Authorization", "deny")],
            403,
            json!({"message": "User is not authorized to access this resource with an explicit deny"}),
        ),
        (
            &[("Authorization", "elsewhere")],
            403,
            json!({"message": "User is not authorized to access this resource"}),
        ),
    ];
    for (headers, status, expected) in cases {
        let v = run(TOKENS, &get("/prod/me", headers));
        assert_eq!(v["response"]["status"], status, "{headers:?}: {v}");
        assert_eq!(body(&v), expected, "{headers:?}");
    }
    let v = run(TOKENS, &get("/prod/me", &[("Authorization", "broken")]));
    assert_eq!(v["response"]["status"], 500, "{v}");
    assert_eq!(body(&v), json!({"message": null}));
    assert_eq!(
        v["response"]["headers"]["x-amzn-ErrorType"],
        "AuthorizerConfigurationException"
    );
}

#[test]
fn run_proxy_event_and_request_authorizer() {
    if !python() {
        return;
    }
    let v = run(TOKENS, &get("/prod/proxy", &[("Authorization", "allow")]));
    assert_eq!(v["response"]["status"], 200, "{v}");
    // The proxy event's requestContext.authorizer: context values as strings, and
    // integrationLatency after principalId.
    assert_eq!(
        body(&v)["authorizer"],
        json!({"principalId": "user-1", "integrationLatency": 0, "tier": "gold", "quota": "3", "admin": "true"})
    );

    let v = run(TOKENS, &get("/prod/team?team=blue", &[("X-User", "ana")]));
    assert_eq!(v["response"]["status"], 200, "{v}");
    let a = &body(&v)["authorizer"];
    assert_eq!(a["principalId"], "ana");
    assert_eq!(a["team"], "blue");
    assert_eq!(a["resource"], "/team");
    assert!(log_has(&v, "\"type\":\"REQUEST\""), "{v}");

    let v = run(TOKENS, &get("/prod/team?team=red", &[("X-User", "ana")]));
    assert_eq!(v["response"]["status"], 403, "{v}");
    // A REQUEST authorizer needs every identity source: no X-User, 401 without a call.
    let v = run(TOKENS, &get("/prod/team?team=blue", &[]));
    assert_eq!(v["response"]["status"], 401, "{v}");
    assert!(!log_has(&v, "Starting authorizer"), "{v}");
}

async fn serve(
    name: &str,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    Arc<Mutex<Vec<Vec<String>>>>,
) {
    gatebench::backend::install_crypto_provider();
    let notes: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
    let n2 = notes.clone();
    let observer: Observer = Arc::new(move |s| {
        let r = s
            .trace
            .stages
            .iter()
            .find(|r| r.stage == Stage::Authorization)
            .map(|r| r.notes.clone())
            .unwrap_or_default();
        n2.lock().unwrap().push(r);
    });
    let session = Session::load(&sessions().join(name)).unwrap();
    let server = Server::bind(
        session,
        "127.0.0.1:0".parse().unwrap(),
        false,
        Some(observer),
    )
    .await
    .unwrap();
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    (format!("http://{addr}"), tx, notes)
}

#[tokio::test]
async fn serve_api_keys_with_quota() {
    let (base, _stop, _) = serve(KEYS).await;
    let client = reqwest::Client::new();
    let url = format!("{base}/v1/orders");
    let r = client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.text().await.unwrap(), r#"{"message":"Forbidden"}"#);
    let mut statuses = Vec::new();
    let mut last = String::new();
    for _ in 0..3 {
        let r = client
            .get(&url)
            .header("x-api-key", "trial-key-1234567890abcdef")
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        last = r.text().await.unwrap();
    }
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(last, r#"{"message":"Limit Exceeded"}"#);
}

#[tokio::test]
async fn serve_token_authorizer_caches_per_token() {
    if !python() {
        return;
    }
    let (base, _stop, notes) = serve(TOKENS).await;
    let client = reqwest::Client::new();
    let url = format!("{base}/prod/me");
    let r = client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.text().await.unwrap(), r#"{"message":"Unauthorized"}"#);
    for _ in 0..2 {
        let r = client
            .get(&url)
            .header("Authorization", "allow")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["tier"], "gold");
    }
    let r = client
        .get(&url)
        .header("Authorization", "deny")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"message":"User is not authorized to access this resource with an explicit deny"}"#
    );
    let notes = notes.lock().unwrap().clone();
    let hits: Vec<bool> = notes
        .iter()
        .map(|n| n.iter().any(|l| l.contains("cache hit")))
        .collect();
    // 401 (no call), first allow (called), second allow (cache hit), deny (called).
    assert_eq!(hits, [false, false, true, false], "{notes:?}");
}
