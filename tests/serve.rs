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

/// A server with the breakpoint armed whose paused requests arrive on a channel.
async fn start_intercepting(
    s: Session,
) -> (
    String,
    gatebench::serve::ServeHandle,
    tokio::sync::mpsc::UnboundedReceiver<(
        gatebench::gateway::pipeline::Paused,
        tokio::sync::oneshot::Sender<gatebench::gateway::pipeline::Resume>,
    )>,
    tokio::sync::oneshot::Sender<()>,
) {
    gatebench::backend::install_crypto_provider();
    let (ptx, prx) = tokio::sync::mpsc::unbounded_channel();
    let hook: gatebench::gateway::pipeline::InterceptHook = Arc::new(move |paused| {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let _ = ptx.send((paused, tx));
        rx
    });
    let server = Server::bind(s, "127.0.0.1:0".parse().unwrap(), false, None)
        .await
        .unwrap()
        .intercept(hook);
    let handle = server.handle();
    handle.set_breakpoint(true);
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    (format!("http://{addr}"), handle, prx, tx)
}

fn with_timeout(mut s: Session, ms: u64) -> Session {
    for res in &mut s.api.resources {
        for m in res.methods.values_mut() {
            m.integration.timeout_in_millis = Some(ms);
        }
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_paused_past_the_integration_timeout_gets_the_gateways_504() {
    for name in [
        "mock.toml",
        "http.toml",
        "aws-lambda.toml",
        "aws-proxy.toml",
        "http-proxy.toml",
    ] {
        let s = with_timeout(session(name), 300);
        let (base, _handle, mut paused, stop) = start_intercepting(s.clone()).await;
        let client = tokio::spawn({
            let (base, s) = (base.clone(), s.clone());
            async move { send_saved(&base, &s).await }
        });
        // The request pauses with the integration request rendered, and nobody resumes it.
        let (p, _keep_open) = paused.recv().await.unwrap();
        assert!(
            p.time_left <= std::time::Duration::from_millis(300),
            "{name}"
        );
        assert!(
            p.trace
                .stages
                .iter()
                .any(|r| r.stage == gatebench::gateway::trace::Stage::IntegrationRequest),
            "{name}: the trace so far reaches the integration request"
        );
        let resp = client.await.unwrap();
        assert_eq!(resp.status().as_u16(), 504, "{name}");
        assert_eq!(
            resp.text().await.unwrap(),
            r#"{"message":"Endpoint request timed out"}"#,
            "{name}"
        );
        let _ = stop.send(());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_request_resumes_as_rendered_or_with_the_edited_session() {
    use gatebench::gateway::pipeline::Resume;
    let s = session("mock.toml");
    let (base, handle, mut paused, stop) = start_intercepting(s.clone()).await;

    // Resume as rendered: the client gets the normal answer.
    let client = tokio::spawn({
        let (base, s) = (base.clone(), s.clone());
        async move { send_saved(&base, &s).await }
    });
    let (p, tx) = paused.recv().await.unwrap();
    assert_eq!(p.id, 1);
    assert!(
        String::from_utf8_lossy(&p.endpoint_request.body).contains("\"statusCode\": 200"),
        "the rendered request template is shown: {:?}",
        p.endpoint_request.body_text()
    );
    tx.send(Resume::Continue).unwrap();
    let resp = client.await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.text().await.unwrap().contains("\"message\": \"Hello"));

    // Edit the session while a request is paused and resume with it: the request runs
    // again through the edited templates (and is not paused a second time).
    let client = tokio::spawn({
        let (base, s) = (base.clone(), s.clone());
        async move { send_saved(&base, &s).await }
    });
    let (p, tx) = paused.recv().await.unwrap();
    assert_eq!(p.id, 2);
    let mut edited = s.clone();
    let m = edited.api.resources[0].methods.get_mut("POST").unwrap();
    m.integration
        .integration_responses
        .get_mut("200")
        .unwrap()
        .response_templates
        .insert("application/json".into(), r#"{"edited": true}"#.into());
    tx.send(Resume::Rerun(Arc::new(edited.api.clone())))
        .unwrap();
    let resp = client.await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().await.unwrap(), r#"{"edited": true}"#);

    // The edited session served from now on, with the breakpoint off: no pause.
    handle.set_session(&edited);
    handle.set_breakpoint(false);
    let resp = send_saved(&base, &s).await;
    assert_eq!(resp.text().await.unwrap(), r#"{"edited": true}"#);
    assert!(paused.try_recv().is_err());
    let _ = stop.send(());
}

/// A raw HTTP/1.1 exchange (so the header names go out exactly as written).
async fn raw_exchange(base: &str, request: &str) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let addr = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_keeps_the_clients_header_names_and_gets_the_gateways_own() {
    let (base, stop, _) = start("aws-proxy.toml").await;
    // Two requests on one connection: the second one's names are the second one's.
    let body = r#"{"a":1}"#;
    let answer = raw_exchange(
        &base,
        &format!(
            "POST /live/catalog/items HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Mixed-Case: yes\r\nContent-Length: {}\r\n\r\n{body}\
             GET /live/catalog/search HTTP/1.1\r\nHost: localhost\r\nx-SECOND: 2\r\nConnection: close\r\n\r\n",
            body.len()
        ),
    )
    .await;
    let events: Vec<serde_json::Value> = answer
        .split("\r\n\r\n")
        .filter_map(|part| {
            let start = part.find('{')?;
            // The body runs into the next answer's status line: read one JSON value.
            serde_json::Deserializer::from_str(&part[start..])
                .into_iter::<serde_json::Value>()
                .next()?
                .ok()
                .filter(|v| v.get("headers").is_some())
        })
        .collect();
    assert_eq!(events.len(), 2, "{answer}");
    let first = events[0]["headers"].as_object().unwrap();
    let names: Vec<&str> = first.keys().map(String::as_str).collect();
    assert!(
        names.starts_with(&["Host", "Content-Type", "X-Mixed-Case"]),
        "{names:?}"
    );
    assert_eq!(first["X-Forwarded-Proto"], "https");
    assert_eq!(first["X-Forwarded-Port"], "443");
    assert_eq!(first["X-Forwarded-For"], "127.0.0.1");
    assert!(
        first["X-Amzn-Trace-Id"]
            .as_str()
            .unwrap()
            .starts_with("Root=1-")
    );
    assert_eq!(
        events[0]["requestContext"]["identity"]["sourceIp"],
        "127.0.0.1"
    );
    let second = events[1]["headers"].as_object().unwrap();
    assert!(second.contains_key("x-SECOND"), "{second:?}");
    let _ = stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_keeps_the_header_names_of_what_follows() {
    let (base, stop, _) = start("aws-proxy.toml").await;
    let answer = raw_exchange(
        &base,
        "POST /live/catalog/items HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nX-First: 1\r\n\r\n\
         4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n\
         GET /live/catalog/search HTTP/1.1\r\nHost: localhost\r\nX-Second-Case: 2\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.contains(r#""body":"{\"a\":1}""#), "{answer}");
    assert!(answer.contains(r#""X-First":"1""#), "{answer}");
    assert!(answer.contains(r#""X-Second-Case":"2""#), "{answer}");
    let _ = stop.send(());
}

/// The header names of every answer on the wire, in order, one list per answer.
fn header_names_on_the_wire(answer: &str) -> Vec<Vec<String>> {
    answer
        .split("HTTP/1.1 ")
        .skip(1)
        .map(|part| {
            let head = part.split("\r\n\r\n").next().unwrap_or("");
            head.lines()
                .skip(1)
                .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string()))
                .collect()
        })
        .collect()
}

/// Response header names go out as API Gateway writes them (`Content-Type`,
/// `x-amzn-RequestId`, `x-amz-apigw-id`, a mapped header as its mapping names it, `Date` and
/// `Content-Length` in title case), not as hyper writes them (all lowercase): on pipelined
/// requests, after a body-less answer to HEAD, and on the listener's own answers (a
/// malformed chunked body's 400).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn response_header_names_are_spelled_as_the_gateway_sends_them() {
    let (base, stop, _) = start("mock.toml").await;
    let body = r#"{"name":"Rex","toys":["ball"]}"#;
    let answer = raw_exchange(
        &base,
        &format!(
            "POST /dev/pets/7 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n{body}\
             HEAD /dev/pets/7 HTTP/1.1\r\nHost: localhost\r\n\r\n\
             POST /dev/pets/8 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n{body}\
             POST /dev/pets/9 HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n\r\n",
            len = body.len()
        ),
    )
    .await;
    let names = header_names_on_the_wire(&answer);
    assert_eq!(names.len(), 4, "{answer}");
    assert!(!answer.contains("content-type:"), "{answer}");
    assert!(!answer.contains("content-length:"), "{answer}");
    let has = |i: usize, name: &str| names[i].iter().any(|n| n == name);
    for i in [0, 2] {
        for name in [
            "Content-Type",
            "x-amzn-RequestId",
            "x-amz-apigw-id",
            "X-Pet-Id",
            "Content-Length",
            "Date",
        ] {
            assert!(has(i, name), "answer {i} lacks {name}: {answer}");
        }
    }
    // The answer to HEAD (no such method: the gateway's 403) has no body, and what follows
    // it is read as the next answer.
    assert!(answer.contains("HTTP/1.1 403"), "{answer}");
    assert!(has(1, "x-amzn-ErrorType"), "{answer}");
    // The listener's own answer to a malformed body.
    assert!(answer.contains("HTTP/1.1 400"), "{answer}");
    assert!(has(3, "Connection"), "{answer}");
    // The bodies are untouched.
    assert_eq!(answer.matches(r#""message":"Bad Request""#).count(), 1);
    let _ = stop.send(());
}
