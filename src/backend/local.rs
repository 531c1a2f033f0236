//! A local function: gatebench hosts the Lambda Runtime API itself (as AWS's runtime
//! interface emulator does) and starts the user's handler process with
//! `AWS_LAMBDA_RUNTIME_API` pointing at it, so a real handler runs unchanged through AWS's
//! runtime interface clients (e.g. `awslambdaric` for Python) or a custom-runtime `bootstrap`.
//! No AWS account and no Docker.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::{Backend, BoxFuture, EndpointCall, EndpointResult, FailureKind, LambdaResult};

/// One pending invocation.
struct Invocation {
    id: String,
    payload: Vec<u8>,
    deadline_ms: u64,
    function_arn: String,
}

/// What the function answered.
enum Answer {
    Response(Vec<u8>),
    Error {
        error_type: Option<String>,
        body: Vec<u8>,
    },
}

#[derive(Clone)]
struct Host {
    /// Invocations waiting for the runtime's `next`.
    queue: Arc<Mutex<mpsc::UnboundedReceiver<Invocation>>>,
    /// Answers awaited by invoke calls, by request id.
    waiting: Arc<StdMutex<HashMap<String, oneshot::Sender<Answer>>>>,
    /// Set when the runtime reports an initialisation error.
    init_error: Arc<StdMutex<Option<String>>>,
}

async fn next(State(host): State<Host>) -> Response {
    let mut rx = host.queue.lock().await;
    let Some(inv) = rx.recv().await else {
        return StatusCode::GONE.into_response();
    };
    let mut headers = HeaderMap::new();
    let mut put = |k: &'static str, v: String| {
        if let Ok(v) = v.parse() {
            headers.insert(k, v);
        }
    };
    put("Lambda-Runtime-Aws-Request-Id", inv.id.clone());
    put("Lambda-Runtime-Deadline-Ms", inv.deadline_ms.to_string());
    put(
        "Lambda-Runtime-Invoked-Function-Arn",
        inv.function_arn.clone(),
    );
    put(
        "Lambda-Runtime-Trace-Id",
        format!(
            "Root=1-{};Parent=0;Sampled=0",
            &inv.id[..8.min(inv.id.len())]
        ),
    );
    // awslambdaric needs these two (the real service always sends them).
    put("Lambda-Runtime-Client-Context", String::new());
    put("Lambda-Runtime-Cognito-Identity", String::new());
    put("Content-Type", "application/json".to_string());
    (headers, inv.payload).into_response()
}

async fn response(State(host): State<Host>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    if let Some(tx) = host.waiting.lock().ok().and_then(|mut w| w.remove(&id)) {
        let _ = tx.send(Answer::Response(body.to_vec()));
        StatusCode::ACCEPTED
    } else {
        StatusCode::BAD_REQUEST
    }
}

async fn error(
    State(host): State<Host>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let error_type = headers
        .get("Lambda-Runtime-Function-Error-Type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(tx) = host.waiting.lock().ok().and_then(|mut w| w.remove(&id)) {
        let _ = tx.send(Answer::Error {
            error_type,
            body: body.to_vec(),
        });
        StatusCode::ACCEPTED
    } else {
        StatusCode::BAD_REQUEST
    }
}

async fn init_error(State(host): State<Host>, body: Bytes) -> StatusCode {
    if let Ok(mut e) = host.init_error.lock() {
        *e = Some(String::from_utf8_lossy(&body).into_owned());
    }
    StatusCode::ACCEPTED
}

/// A running Runtime API host with its handler process.
struct Running {
    addr: SocketAddr,
    sender: mpsc::UnboundedSender<Invocation>,
    host: Host,
    child: tokio::process::Child,
}

/// The local-function backend.
pub struct LocalBackend {
    command: Vec<String>,
    /// Working directory of the process (the session file's folder).
    dir: Option<std::path::PathBuf>,
    function_name: String,
    state: Mutex<Option<Running>>,
}

impl LocalBackend {
    /// A backend that runs `command` (program and arguments) as the function's runtime.
    pub fn new(command: Vec<String>, function_name: &str, dir: Option<std::path::PathBuf>) -> Self {
        LocalBackend {
            command,
            dir,
            function_name: function_name.to_string(),
            state: Mutex::new(None),
        }
    }

    /// The Runtime API address, starting the host (and the process) if needed.
    pub async fn runtime_api(&self) -> Result<SocketAddr, String> {
        let mut state = self.state.lock().await;
        self.ensure_running(&mut state).await?;
        state
            .as_ref()
            .map(|r| r.addr)
            .ok_or_else(|| "not running".to_string())
    }

    async fn ensure_running(&self, state: &mut Option<Running>) -> Result<(), String> {
        if let Some(r) = state.as_mut() {
            match r.child.try_wait() {
                Ok(None) => return Ok(()),
                _ => *state = None,
            }
        }
        let Some((program, args)) = self.command.split_first() else {
            return Err("the local function has no command".to_string());
        };
        let (sender, receiver) = mpsc::unbounded_channel();
        let host = Host {
            queue: Arc::new(Mutex::new(receiver)),
            waiting: Arc::default(),
            init_error: Arc::default(),
        };
        let app = axum::Router::new()
            .route(
                "/2018-06-01/runtime/invocation/next",
                axum::routing::get(next),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                axum::routing::post(response),
            )
            .route(
                "/2018-06-01/runtime/invocation/{id}/error",
                axum::routing::post(error),
            )
            .route(
                "/2018-06-01/runtime/init/error",
                axum::routing::post(init_error),
            )
            .with_state(host.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("cannot start the Runtime API host: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let mut cmd = tokio::process::Command::new(program);
        if let Some(d) = &self.dir {
            cmd.current_dir(d);
        }
        let child = cmd
            .args(args)
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", &self.function_name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{}", self.function_name),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "gatebench")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot start the function ({program}): {e}"))?;
        *state = Some(Running {
            addr,
            sender,
            host,
            child,
        });
        Ok(())
    }

    async fn invoke(&self, payload: Vec<u8>, timeout: Duration) -> EndpointResult {
        let (id, rx, host) = {
            let mut state = self.state.lock().await;
            if let Err(message) = self.ensure_running(&mut state).await {
                return EndpointResult::Failed {
                    kind: FailureKind::Other,
                    message,
                };
            }
            let Some(running) = state.as_ref() else {
                return EndpointResult::Failed {
                    kind: FailureKind::Other,
                    message: "the local function is not running".into(),
                };
            };
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            let id = format!("{:032x}", now.as_nanos());
            let (tx, rx) = oneshot::channel();
            if let Ok(mut w) = running.host.waiting.lock() {
                w.insert(id.clone(), tx);
            }
            let deadline_ms = u64::try_from((now + timeout).as_millis()).unwrap_or(u64::MAX);
            let inv = Invocation {
                id: id.clone(),
                payload,
                deadline_ms,
                function_arn: format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{}",
                    self.function_name
                ),
            };
            if running.sender.send(inv).is_err() {
                return EndpointResult::Failed {
                    kind: FailureKind::Other,
                    message: "the Runtime API host stopped".into(),
                };
            }
            (id, rx, running.host.clone())
        };
        match tokio::time::timeout(timeout, rx).await {
            Ok(Ok(Answer::Response(payload))) => EndpointResult::Lambda(LambdaResult {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                payload,
                function_error: None,
            }),
            Ok(Ok(Answer::Error { error_type, body })) => EndpointResult::Lambda(LambdaResult {
                status: 200,
                headers: vec![
                    ("Content-Type".into(), "application/json".into()),
                    ("X-Amz-Function-Error".into(), "Unhandled".into()),
                ],
                payload: body,
                // The invoker sees `Unhandled` whatever type the runtime reported.
                function_error: {
                    let _ = error_type;
                    Some("Unhandled".into())
                },
            }),
            Ok(Err(_)) => EndpointResult::Failed {
                kind: FailureKind::Other,
                message: "the function process went away before answering".into(),
            },
            Err(_) => {
                if let Ok(mut w) = host.waiting.lock() {
                    w.remove(&id);
                }
                let init = host.init_error.lock().ok().and_then(|e| e.clone());
                EndpointResult::Failed {
                    kind: FailureKind::Timeout,
                    message: match init {
                        Some(e) => format!("the function failed to initialise: {e}"),
                        None => format!(
                            "the function did not answer within {} ms",
                            timeout.as_millis()
                        ),
                    },
                }
            }
        }
    }
}

impl Backend for LocalBackend {
    fn call(&self, call: EndpointCall) -> BoxFuture<'_, EndpointResult> {
        Box::pin(async move {
            match call {
                EndpointCall::Lambda(c) => self.invoke(c.payload, c.timeout).await,
                EndpointCall::Http(_) => EndpointResult::Failed {
                    kind: FailureKind::InvalidEndpoint,
                    message: "the local-function backend only serves Lambda integrations".into(),
                },
            }
        })
    }

    fn describe(&self) -> String {
        format!("local function ({})", self.command.join(" "))
    }
}
