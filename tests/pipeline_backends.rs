//! The pipeline against real HTTP servers on loopback: failures are answered the way the
//! gateway answers them (status and body), with the real error in the execution log.

use std::time::Duration;

use gatebench::backend::http::HttpBackend;
use gatebench::gateway::api::Api;
use gatebench::gateway::pipeline::{ClientRequest, RunOptions, run};

fn api(uri: &str, timeout_ms: u64) -> Api {
    let v = serde_json::json!({
        "stage": "dev",
        "resources": [{"path": "/x", "methods": {"GET": {
            "methodResponses": {"200": {}},
            "integration": {"type": "HTTP", "httpMethod": "GET", "uri": uri, "timeoutInMillis": timeout_ms,
                "integrationResponses": {"200": {"statusCode": "200"}}}
        }}}]
    });
    serde_json::from_value(v).unwrap()
}

fn get() -> ClientRequest {
    ClientRequest {
        method: "GET".into(),
        path: "/dev/x".into(),
        ..ClientRequest::default()
    }
}

#[tokio::test]
async fn connection_refused_is_an_integration_failure() {
    // A port that was just free: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let api = api(&format!("http://127.0.0.1:{port}/x"), 29_000);
    let t = run(&api, &get(), &HttpBackend::new(), &RunOptions::default()).await;
    assert_eq!(t.response.status, 504);
    assert_eq!(
        t.response.body_text(),
        r#"{"message":"Internal server error"}"#
    );
    assert!(
        t.log
            .iter()
            .any(|l| l.contains("Execution failed due to a network error")),
        "{:#?}",
        t.log
    );
    assert!(t.endpoint_request.is_some());
    assert!(t.endpoint_response.is_none());
}

#[tokio::test]
async fn a_slow_backend_times_out_with_504() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "late"
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let api = api(&format!("http://{addr}/x"), 200);
    let started = std::time::Instant::now();
    let t = run(&api, &get(), &HttpBackend::new(), &RunOptions::default()).await;
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(t.response.status, 504);
    assert_eq!(
        t.response.body_text(),
        r#"{"message":"Endpoint request timed out"}"#
    );
    assert!(t.log.iter().any(|l| l.contains("timeout")), "{:#?}", t.log);
}

#[tokio::test]
async fn an_unresolvable_uri_is_a_configuration_error() {
    let api = api("http://", 29_000);
    let t = run(&api, &get(), &HttpBackend::new(), &RunOptions::default()).await;
    assert_eq!(t.response.status, 500);
    assert!(t.log.iter().any(|l| {
        l.ends_with("Execution failed due to configuration error: Invalid endpoint address")
    }));
}

#[tokio::test]
async fn a_real_backend_answer_flows_through_selection() {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .fallback(|| async { (axum::http::StatusCode::IM_A_TEAPOT, "short and stout") });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let api = api(&format!("http://{addr}/x"), 29_000);
    let t = run(&api, &get(), &HttpBackend::new(), &RunOptions::default()).await;
    // No pattern matches 418: the default response (200) carries the backend's body.
    assert_eq!(t.response.status, 200);
    assert_eq!(t.response.body_text(), "short and stout");
    assert_eq!(t.endpoint_response.unwrap().status, 418);
}

/// The endpoint request's `X-Amzn-Trace-Id` is AWS's `Root=1-{8 hex}-{24 hex}` with the
/// request time's epoch seconds, and `X-Amz-Date` is the request time (issue 14).
#[tokio::test]
async fn trace_id_and_amz_date_follow_the_request_time() {
    fn is_hex(s: &str, n: usize) -> bool {
        s.len() == n
            && s.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    }
    let backend = gatebench::backend::CannedBackend {
        lambda_payload: b"{}".to_vec(),
        ..Default::default()
    };
    // 2020-03-04T19:15:17.135Z
    let opts = RunOptions {
        now_ms: 1_583_349_317_135,
        ..RunOptions::default()
    };
    let lambda = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations";
    for (kind, uri) in [
        ("HTTP", "http://example.com/x"),
        ("HTTP_PROXY", "http://example.com/x"),
        ("AWS", lambda),
        ("AWS_PROXY", lambda),
    ] {
        let v = serde_json::json!({
            "stage": "dev",
            "resources": [{"path": "/x", "methods": {"GET": {
                "methodResponses": {"200": {}},
                "integration": {"type": kind, "httpMethod": "POST", "uri": uri,
                    "integrationResponses": {"200": {"statusCode": "200"}}}
            }}}]
        });
        let api: Api = serde_json::from_value(v).unwrap();
        let t = run(&api, &get(), &backend, &opts).await;
        let req = t.endpoint_request.as_ref().expect(kind);
        let header = |name: &str| {
            req.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone())
        };
        if let Some(trace) = header("X-Amzn-Trace-Id") {
            let parts: Vec<&str> = trace.split('-').collect();
            assert_eq!(parts.len(), 3, "{kind}: {trace}");
            assert_eq!(parts[0], "Root=1", "{kind}: {trace}");
            assert!(is_hex(parts[1], 8), "{kind}: {trace}");
            assert_eq!(parts[1], format!("{:08x}", 1_583_349_317u64), "{kind}");
            assert!(is_hex(parts[2], 24), "{kind}: {trace}");
        } else {
            assert!(kind != "HTTP", "{kind} sends a trace header");
        }
        if kind.starts_with("AWS") {
            assert_eq!(
                header("X-Amz-Date").as_deref(),
                Some("20200304T191517Z"),
                "{kind}"
            );
        }
    }
}
