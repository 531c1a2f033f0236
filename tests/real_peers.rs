//! Integration tests against real peers, all on loopback:
//! - our Lambda Invoke API client against cargo-lambda's emulator (`cargo-lambda` from PyPI),
//!   with a real function process serving the emulator's Runtime API;
//! - AWS's own Python runtime interface client (`awslambdaric` from PyPI) running a handler
//!   unchanged behind gatebench's Runtime API host.
//!
//! The tests install both on first use into a virtual environment under `target/` (or use
//! `GATEBENCH_PEERS_VENV`); see `common::tools::peers`. Only `GATEBENCH_SKIP=peers` skips them.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::time::Duration;

use gatebench::backend::http::HttpBackend;
use gatebench::backend::local::LocalBackend;
use gatebench::backend::{Backend, EndpointCall, EndpointResult, LambdaCall};

fn functions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/functions")
}

fn call(payload: &str) -> EndpointCall {
    EndpointCall::Lambda(LambdaCall {
        function: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:_/invocations".into(),
        payload: payload.as_bytes().to_vec(),
        proxy: false,
        timeout: Duration::from_secs(20),
    })
}

fn lambda(result: EndpointResult) -> gatebench::backend::LambdaResult {
    match result {
        EndpointResult::Lambda(l) => l,
        other => panic!("expected a Lambda answer, got {other:?}"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_for_port(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listens on port {port}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awslambdaric_runs_a_python_handler_behind_our_runtime_api() {
    let Some(peers) = common::tools::peers("awslambdaric behind our Runtime API") else {
        return;
    };
    let python = peers.python.display().to_string();
    let backend = LocalBackend::new(
        vec![
            python,
            "-m".into(),
            "awslambdaric".into(),
            "pets.handler".into(),
        ],
        "pets",
        Some(functions_dir()),
    );
    let ok = lambda(
        backend
            .call(call(r#"{"action": "get", "petId": "3"}"#))
            .await,
    );
    assert_eq!(
        ok.function_error,
        None,
        "{}",
        String::from_utf8_lossy(&ok.payload)
    );
    let v: serde_json::Value = serde_json::from_slice(&ok.payload).unwrap();
    assert_eq!(v["name"], "Nemo");
    // The same process serves the next invocation; an exception becomes a function error.
    let err = lambda(
        backend
            .call(call(r#"{"action": "get", "petId": "9"}"#))
            .await,
    );
    assert_eq!(err.function_error.as_deref(), Some("Unhandled"));
    let v: serde_json::Value = serde_json::from_slice(&err.payload).unwrap();
    assert_eq!(v["errorMessage"], "Not found: pet 9");
    assert_eq!(v["errorType"], "LookupError");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_api_client_against_cargo_lambda_emulator() {
    let Some(peers) = common::tools::peers("the cargo-lambda emulator") else {
        return;
    };
    // cargo-lambda wants a crate around it; an empty one outside our tree (it watches files).
    let dir = std::env::temp_dir().join(format!("gatebench-cargo-lambda-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"peer\"\nversion = \"0.0.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
    let port = free_port();
    let _emulator = tokio::process::Command::new(&peers.cargo_lambda)
        .args([
            "lambda",
            "watch",
            "--only-lambda-apis",
            "-P",
            &port.to_string(),
        ])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("cargo-lambda starts");
    wait_for_port(port).await;
    // The function `_` is served by any process speaking the Runtime API at /.rt.
    let _function = tokio::process::Command::new(&peers.python)
        .arg("pets.py")
        .current_dir(functions_dir())
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}/.rt"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the function starts");
    let backend =
        HttpBackend::new().with_lambda_endpoint(&format!("http://127.0.0.1:{port}"), None);
    let ok = lambda(
        backend
            .call(call(r#"{"action": "get", "petId": "1"}"#))
            .await,
    );
    assert_eq!((ok.status, ok.function_error.as_deref()), (200, None));
    let v: serde_json::Value = serde_json::from_slice(&ok.payload).unwrap();
    assert_eq!(v["name"], "Rex");
    // The emulator answers a function error with 500 and no X-Amz-Function-Error header;
    // the client still recognises it (real AWS answers 200 with the header).
    let err = lambda(
        backend
            .call(call(r#"{"action": "get", "petId": "9"}"#))
            .await,
    );
    assert_eq!(err.status, 500);
    assert_eq!(err.function_error.as_deref(), Some("Unhandled"));
    let v: serde_json::Value = serde_json::from_slice(&err.payload).unwrap();
    assert_eq!(v["errorMessage"], "Not found: pet 9");
    let _ = std::fs::remove_dir_all(&dir);
}
