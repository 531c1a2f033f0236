//! Listen mode: real HTTP clients against a session served on loopback.

use std::io::Write as _;
use std::path::Path;
use std::sync::{Arc, Mutex};

use gatebench::serve::{Observer, Server, example_routes};
use gatebench::session::Session;

fn session(name: &str) -> Session {
    Session::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sessions")
            .join(name),
    )
    .unwrap()
}

async fn start(
    name: &str,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    Arc<Mutex<Vec<u16>>>,
) {
    gatebench::backend::install_crypto_provider();
    let seen: Arc<Mutex<Vec<u16>>> = Arc::default();
    let s2 = seen.clone();
    let observer: Observer = Arc::new(move |s| s2.lock().unwrap().push(s.trace.response.status));
    let server = Server::bind(
        session(name),
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
    (format!("http://{addr}"), tx, seen)
}

async fn send_saved(base: &str, s: &Session) -> reqwest::Response {
    let r = &s.requests[0];
    let client = reqwest::Client::new();
    let mut url = format!("{base}{}", r.path);
    if !r.raw_query.is_empty() {
        url = format!("{url}?{}", r.raw_query);
    }
    let mut req = client.request(r.method.parse().unwrap(), url);
    for (k, v) in &r.headers {
        req = req.header(k, v);
    }
    if let Some(b) = &r.body {
        req = req.body(b.clone());
    }
    req.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_integration_type_is_served() {
    for (name, status) in [
        ("mock.toml", 200),
        ("aws-lambda.toml", 200),
        ("aws-proxy.toml", 200),
        ("http.toml", 201),
        ("http-proxy.toml", 200),
    ] {
        let (base, stop, seen) = start(name).await;
        let resp = send_saved(&base, &session(name)).await;
        assert_eq!(resp.status().as_u16(), status, "{name}");
        let body = resp.text().await.unwrap();
        assert!(!body.is_empty(), "{name}");
        assert_eq!(*seen.lock().unwrap(), vec![status]);
        let _ = stop.send(());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_edge_cases() {
    let (base, stop, _) = start("mock.toml").await;
    let c = reqwest::Client::new();
    // No stage prefix, unknown path, wrong method: the gateway's 403.
    for (m, p) in [
        ("POST", "/pets/7"),
        ("POST", "/dev/cats/7"),
        ("GET", "/dev/pets/7"),
        ("POST", "/dev/pets"),
    ] {
        let r = c
            .request(m.parse().unwrap(), format!("{base}{p}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 403, "{m} {p}");
        assert_eq!(
            r.headers()["x-amzn-errortype"],
            "MissingAuthenticationTokenException"
        );
        assert_eq!(
            r.text().await.unwrap(),
            r#"{"message":"Missing Authentication Token"}"#
        );
    }
    // Trailing slash still matches the resource.
    let r = c
        .post(format!("{base}/dev/pets/7/"))
        .header("Content-Type", "application/json")
        .body(r#"{"name": "Ada"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // Example routes all reach a method.
    for line in example_routes(&session("mock.toml")) {
        let (m, p) = line.split_once(' ').unwrap();
        let r = c
            .request(m.parse().unwrap(), format!("{base}{p}"))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_ne!(r.status().as_u16(), 403, "{line}");
    }
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests() {
    let (base, stop, seen) = start("http.toml").await;
    let s = session("http.toml");
    let mut tasks = Vec::new();
    for _ in 0..40 {
        let base = base.clone();
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            send_saved(&base, &s).await.status().as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    assert_eq!(seen.lock().unwrap().len(), 40);
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_is_413_and_a_disconnecting_client_is_harmless() {
    let (base, stop, _) = start("mock.toml").await;
    let c = reqwest::Client::new();
    let big = vec![b'x'; 10 * 1024 * 1024 + 1];
    let r = c
        .post(format!("{base}/dev/pets/7"))
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    assert_eq!(r.text().await.unwrap(), r#"{"message":"Request Too Long"}"#);

    // A client that announces a body and hangs up half way.
    let addr = base.trim_start_matches("http://").to_string();
    let mut sock = std::net::TcpStream::connect(&addr).unwrap();
    sock.write_all(b"POST /dev/pets/7 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"na")
        .unwrap();
    drop(sock);
    // The server keeps serving.
    let r = c
        .post(format!("{base}/dev/pets/7"))
        .header("Content-Type", "application/json")
        .body(r#"{"name": "Bo"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let _ = stop.send(());
}

#[tokio::test]
async fn non_loopback_needs_an_explicit_flag() {
    let err = Server::bind(
        session("mock.toml"),
        "0.0.0.0:0".parse().unwrap(),
        false,
        None,
    )
    .await;
    assert!(err.is_err());
}
