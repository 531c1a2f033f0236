//! Who owns the authorizer answer cache and the usage plan counters: whoever runs requests
//! (a `serve` server, the workbench, one run) holds an `AuthState` and hands it to the
//! pipeline. Two servers in one process, or two runs with their own states, share neither
//! counters nor cached answers; runs that share a state share both.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use gatebench::gateway::pipeline::AuthState;
use gatebench::gateway::trace::Stage;
use gatebench::serve::{Observer, Server};
use gatebench::session::{Session, client_request, run_session_with};

fn sessions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions")
}

/// A TOKEN authorizer answered by the canned backend (cached 300 s), on a MOCK method.
const CANNED_TOKEN: &str = r#"
version = 1
name = "cached TOKEN authorizer"

[api]
apiId = "c4ch3d0001"
stage = "s"

[api.authorizers.a]
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
headers = [["Authorization", "t"]]

[backend]
type = "canned"
body = '{"principalId": "u", "policyDocument": {"Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "*"}]}}'
"#;

fn canned_session() -> Session {
    Session::from_toml(CANNED_TOKEN, Path::new("canned-token.toml")).unwrap()
}

/// The authorization stage's notes of each served request.
type Notes = Arc<Mutex<Vec<Vec<String>>>>;

async fn serve(session: Session) -> (String, tokio::sync::oneshot::Sender<()>, Notes) {
    gatebench::backend::install_crypto_provider();
    let notes: Notes = Arc::default();
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

fn from_cache(notes: &[String]) -> bool {
    notes
        .iter()
        .any(|n| n.contains("authorizer answer from cache"))
}

#[tokio::test]
async fn two_servers_keep_their_own_usage_counters() {
    let session = Session::load(&sessions().join("auth-api-key.toml")).unwrap();
    let (a, _stop_a, _) = serve(session.clone()).await;
    let (b, _stop_b, _) = serve(session).await;
    let client = reqwest::Client::new();
    let get = |base: &str| {
        client
            .get(format!("{base}/v1/orders"))
            .header("x-api-key", "trial-key-1234567890abcdef")
            .send()
    };
    // The trial plan allows 2 requests a day.
    let mut on_a = Vec::new();
    for _ in 0..3 {
        on_a.push(get(&a).await.unwrap().status().as_u16());
    }
    assert_eq!(on_a, [200, 200, 429]);
    // Server b has counted nothing yet.
    assert_eq!(get(&b).await.unwrap().status(), 200);
    assert_eq!(get(&b).await.unwrap().status(), 200);
    assert_eq!(get(&b).await.unwrap().status(), 429);
}

#[tokio::test]
async fn two_servers_keep_their_own_authorizer_caches() {
    let (a, _stop_a, notes_a) = serve(canned_session()).await;
    let (b, _stop_b, notes_b) = serve(canned_session()).await;
    let client = reqwest::Client::new();
    for base in [&a, &a, &b, &b] {
        let r = client
            .get(format!("{base}/s/x"))
            .header("Authorization", "t")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let a_hits: Vec<bool> = notes_a
        .lock()
        .unwrap()
        .iter()
        .map(|n| from_cache(n))
        .collect();
    let b_hits: Vec<bool> = notes_b
        .lock()
        .unwrap()
        .iter()
        .map(|n| from_cache(n))
        .collect();
    // Each server calls the authorizer once, then answers from its own cache.
    assert_eq!(a_hits, [false, true]);
    assert_eq!(b_hits, [false, true]);
}

#[tokio::test]
async fn runs_share_what_their_state_shares() {
    let session = canned_session();
    let request = client_request(&session.requests[0]).unwrap();
    let notes = |t: &gatebench::gateway::trace::Trace| {
        t.stages
            .iter()
            .find(|r| r.stage == Stage::Authorization)
            .map(|r| r.notes.clone())
            .unwrap_or_default()
    };
    let mine = AuthState::default();
    let first = run_session_with(&session, &request, &mine).await;
    assert!(!from_cache(&notes(&first)), "{:?}", notes(&first));
    assert_eq!(mine.cached_answers(), 1);
    let second = run_session_with(&session, &request, &mine).await;
    assert!(from_cache(&notes(&second)), "{:?}", notes(&second));
    // The cache hit shows in the console log too.
    assert!(
        second
            .log
            .iter()
            .any(|l| l.contains("Using cached authorizer policy for principal: u")),
        "{:?}",
        second.log
    );
    let other = AuthState::default();
    let third = run_session_with(&session, &request, &other).await;
    assert!(!from_cache(&notes(&third)), "{:?}", notes(&third));
    assert!(!mine.same(&other) && mine.same(&mine.clone()));
}
