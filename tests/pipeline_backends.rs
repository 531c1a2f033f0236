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
