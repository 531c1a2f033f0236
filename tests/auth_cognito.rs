//! COGNITO_USER_POOLS authorizers through `gatebench run` and through `serve` with a real
//! HTTP client: a token minted for the session's pool key passes and its claims reach
//! `$context.authorizer.claims` and the proxy event; a tampered, expired, foreign-key,
//! wrong-issuer or wrong-kind token gets 401.
//!
//! Sources of the expected answers: see `src/gateway/cognito.rs` (API Gateway's and
//! Cognito's developer guides, `PutMethod`'s `authorizationScopes`, an event API Gateway
//! delivered for the claims' string shapes, reports of the expired-token message).
//! The session's key pair is committed under `sessions/auth-cognito/`; a second key that the
//! pool does not know is committed under `tests/fixtures/cognito/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use gatebench::gateway::cognito;
use gatebench::serve::Server;
use gatebench::session::Session;
use serde_json::{Map, Value, json};

const SESSION: &str = "auth-cognito.toml";
const POOL_ISS: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_G4teB3nch";

fn session_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sessions")
        .join(SESSION)
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gatebench"))
}

/// `gatebench token sessions/auth-cognito.toml ARGS...`.
fn token(args: &[&str]) -> String {
    let out = bin()
        .arg("token")
        .arg(session_path())
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// `gatebench run sessions/auth-cognito.toml --json` with a GET of `path` carrying `auth`.
fn run(path: &str, auth: Option<&str>) -> Value {
    let headers: Vec<Value> = auth.iter().map(|a| json!(["Authorization", a])).collect();
    let request = json!({"method": "GET", "path": path, "headers": headers});
    let dir = std::env::temp_dir().join(format!("gatebench-cognito-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(format!(
        "{:x}.json",
        request
            .to_string()
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    ));
    std::fs::write(&file, request.to_string()).unwrap();
    let out = bin()
        .arg("run")
        .arg(session_path())
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

/// The token with its payload's claims changed, the signature kept.
fn tampered(token: &str, claim: &str, value: Value) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims: Map<String, Value> =
        serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    claims.insert(claim.into(), value);
    let payload = b64.encode(Value::Object(claims).to_string());
    format!("{}.{payload}.{}", parts[0], parts[2])
}

/// A token signed with a key the pool does not list, under the pool's own key id.
fn foreign_key_token() -> String {
    let key = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cognito/stranger-key.pem"),
    )
    .unwrap();
    let session = Session::load(&session_path()).unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    let claims = cognito::test_claims(&session.api.user_pools[0], false, &[], now, 3600);
    cognito::mint(&key, "gatebench-teaching-key-1", &claims).unwrap()
}

#[test]
fn run_a_minted_id_token_passes_with_its_claims() {
    let t = token(&[
        "--claims",
        r#"{"custom:tier": "silver", "email": "bo@example.com"}"#,
    ]);
    let v = run("/prod/profile", Some(&t));
    assert_eq!(v["response"]["status"], 200, "{v}");
    let b = body(&v);
    assert_eq!(b["username"], "ana");
    assert_eq!(b["tier"], "silver");
    assert_eq!(b["email"], "bo@example.com");
    // exp as AWS hands it on: a date, in UTC.
    assert!(
        b["expires"].as_str().unwrap().contains(" UTC 20"),
        "{}",
        b["expires"]
    );
    // "Bearer " in front is dropped.
    let v = run("/prod/profile", Some(&format!("Bearer {t}")));
    assert_eq!(v["response"]["status"], 200, "{v}");
}

#[test]
fn run_the_proxy_event_carries_the_claims_as_strings() {
    let t = token(&["--claims", r#"{"custom:tier": "gold", "custom:seats": 3}"#]);
    let v = run("/prod/event", Some(&t));
    assert_eq!(v["response"]["status"], 200, "{v}");
    let authorizer = &body(&v)["requestContext"]["authorizer"];
    let claims = authorizer["claims"].as_object().unwrap();
    assert_eq!(authorizer.as_object().unwrap().len(), 1, "{authorizer}");
    assert_eq!(claims["custom:tier"], "gold");
    assert_eq!(claims["custom:seats"], "3");
    assert_eq!(claims["email_verified"], "true");
    assert_eq!(claims["iss"], POOL_ISS);
    assert!(claims.values().all(Value::is_string), "{authorizer}");
    assert!(claims["auth_time"].as_str().unwrap().parse::<u64>().is_ok());
    assert!(claims["iat"].as_str().unwrap().contains(" UTC "));
}

#[test]
fn run_refusals_are_401() {
    let t = token(&[]);
    let unauthorized = json!({"message": "Unauthorized"});
    for (why, auth) in [
        ("no token", None),
        (
            "tampered",
            Some(tampered(&t, "cognito:username", json!("mallory"))),
        ),
        ("foreign key", Some(foreign_key_token())),
        (
            "wrong issuer",
            Some(token(&[
                "--claims",
                r#"{"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"}"#,
            ])),
        ),
        (
            "another app client",
            Some(token(&["--claims", r#"{"aud": "someone-elses-client"}"#])),
        ),
        ("an access token without scopes", Some(token(&["--access"]))),
        ("not a JWT", Some("allow".to_string())),
    ] {
        let v = run("/prod/profile", auth.as_deref());
        assert_eq!(v["response"]["status"], 401, "{why}: {v}");
        assert_eq!(body(&v), unauthorized, "{why}");
        assert_eq!(
            v["response"]["headers"]["x-amzn-ErrorType"], "UnauthorizedException",
            "{why}"
        );
    }
    let expired = token(&["--expires-in", "-60"]);
    let v = run("/prod/profile", Some(&expired));
    assert_eq!(v["response"]["status"], 401, "{v}");
    assert_eq!(
        body(&v),
        json!({"message": "The incoming token has expired"})
    );
}

#[test]
fn run_scopes_need_an_access_token_holding_one() {
    let ok = token(&["--scope", "orders/read", "--scope", "profile"]);
    let v = run("/prod/orders", Some(&ok));
    assert_eq!(v["response"]["status"], 200, "{v}");
    assert_eq!(body(&v)["scope"], "orders/read profile");
    for (why, t) in [
        ("ID token", token(&[])),
        ("other scope", token(&["--scope", "orders/write"])),
    ] {
        let v = run("/prod/orders", Some(&t));
        assert_eq!(v["response"]["status"], 401, "{why}: {v}");
    }
}

#[test]
fn the_jwks_command_prints_the_committed_key() {
    let printed: Value =
        serde_json::from_str(&token(&["--jwks", "gatebench-teaching-key-1"])).unwrap();
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/auth-cognito/jwks.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(printed, committed);
}

#[test]
fn the_teaching_session_runs_headless() {
    // Each saved request, with its stated answer.
    let session = Session::load(&session_path()).unwrap();
    let statuses: Vec<u64> = session
        .requests
        .iter()
        .map(|r| {
            let auth = r.headers.first().map(|(_, v)| v.as_str());
            run(&r.path, auth)["response"]["status"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(statuses, [200, 200, 200, 401, 401, 401, 401]);
}

#[tokio::test]
async fn serve_checks_tokens_for_a_real_client() {
    gatebench::backend::install_crypto_provider();
    let session = Session::load(&session_path()).unwrap();
    let server = Server::bind(session, "127.0.0.1:0".parse().unwrap(), false, None)
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr().unwrap());
    let (_stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let get = |path: &str, auth: Option<String>| {
        let mut r = client.get(format!("{base}{path}"));
        if let Some(a) = auth {
            r = r.header("Authorization", a);
        }
        r.send()
    };
    let t = tokio::task::spawn_blocking(|| token(&["--claims", r#"{"custom:tier": "gold"}"#]))
        .await
        .unwrap();
    let r = get("/prod/profile", Some(t.clone())).await.unwrap();
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(b["tier"], "gold");
    let r = get("/prod/event", Some(t.clone())).await.unwrap();
    assert_eq!(r.status(), 200);
    let b: Value = r.json().await.unwrap();
    assert_eq!(
        b["requestContext"]["authorizer"]["claims"]["cognito:username"],
        "ana"
    );
    let r = get(
        "/prod/profile",
        Some(tampered(&t, "custom:tier", json!("platinum"))),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.text().await.unwrap(), r#"{"message":"Unauthorized"}"#);
    let expired = tokio::task::spawn_blocking(|| token(&["--expires-in", "-1"]))
        .await
        .unwrap();
    let r = get("/prod/profile", Some(expired)).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"message":"The incoming token has expired"}"#
    );
    let wrong_iss = tokio::task::spawn_blocking(|| {
        token(&[
            "--claims",
            r#"{"iss": "https://cognito-idp.eu-west-1.amazonaws.com/x"}"#,
        ])
    })
    .await
    .unwrap();
    let r = get("/prod/profile", Some(wrong_iss)).await.unwrap();
    assert_eq!(r.status(), 401);
    let r = get("/prod/profile", Some(foreign_key_token()))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = get("/prod/profile", None).await.unwrap();
    assert_eq!(r.status(), 401);
}
