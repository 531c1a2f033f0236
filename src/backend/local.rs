//! A local function: gatebench hosts the Lambda Runtime API itself (as AWS's runtime
//! interface emulator does) and starts the user's handler process with
//! `AWS_LAMBDA_RUNTIME_API` pointing at it, so a real handler runs unchanged through AWS's
//! runtime interface clients (e.g. `awslambdaric` for Python) or a custom-runtime `bootstrap`.
//! No AWS account and no Docker.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path as FsPath, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_util::sync::{CancellationToken, DropGuard};

use super::{
    Backend, BoxFuture, EndpointCall, EndpointResult, FailureKind, LambdaResult,
    MAX_LAMBDA_RESPONSE_BYTES,
};

/// One pending invocation.
struct Invocation {
    id: String,
    payload: Bytes,
    deadline_ms: u64,
    function_arn: String,
}

/// What became of an invocation.
enum Answer {
    /// The function's result.
    Response(Vec<u8>),
    /// The function raised (or failed to initialise): its error object.
    Error(Vec<u8>),
    /// The result was over Lambda's 6 MB (its declared length, when known).
    TooLarge(Option<u64>),
    /// The process exited while handling it: Lambda's `Runtime.ExitError` message.
    Exited(String),
    /// The process exited before taking it: run it on a fresh process.
    Requeue,
}

/// An invocation awaited by an invoke call.
struct Pending {
    tx: oneshot::Sender<Answer>,
    /// Handed to the runtime by `next`.
    handed: bool,
}

#[derive(Clone)]
struct Host {
    /// Invocations waiting for the runtime's `next`.
    queue: Arc<Mutex<mpsc::UnboundedReceiver<Invocation>>>,
    /// Answers awaited by invoke calls, by request id. Also guards `dead`: both change
    /// under this lock, so no invocation is left waiting on a dead process.
    waiting: Arc<StdMutex<HashMap<String, Pending>>>,
    /// Set when the process has exited.
    dead: Arc<AtomicBool>,
    /// Set once the runtime asked for its first invocation (it initialised).
    serving: Arc<AtomicBool>,
}

impl Host {
    fn answer(&self, id: &str, answer: Answer) -> bool {
        let pending = self.waiting.lock().ok().and_then(|mut w| w.remove(id));
        match pending {
            Some(p) => {
                let _ = p.tx.send(answer);
                true
            }
            None => false,
        }
    }

    /// The process exited: what it was handling fails with `Runtime.ExitError`, what it had
    /// not taken yet goes to the next process (unless it never initialised: then everything
    /// waiting fails, as Lambda's init failure does).
    fn exited(&self, reason: &str) {
        let Ok(mut waiting) = self.waiting.lock() else {
            return;
        };
        self.dead.store(true, Ordering::SeqCst);
        let initialised = self.serving.load(Ordering::SeqCst);
        for (id, p) in waiting.drain() {
            let answer = if p.handed || !initialised {
                Answer::Exited(format!("RequestId: {id} Error: {reason}"))
            } else {
                Answer::Requeue
            };
            let _ = p.tx.send(answer);
        }
    }
}

async fn next(State(host): State<Host>) -> Response {
    host.serving.store(true, Ordering::SeqCst);
    let mut rx = host.queue.lock().await;
    let inv = loop {
        let Some(inv) = rx.recv().await else {
            return StatusCode::GONE.into_response();
        };
        // Skip invocations whose caller gave up (timed out) before the runtime took them.
        if let Ok(mut w) = host.waiting.lock()
            && let Some(p) = w.get_mut(&inv.id)
        {
            p.handed = true;
            break inv;
        }
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

/// The Runtime API's answer to a result over 6 MB (the invocation fails with
/// `Function.ResponseSizeTooLarge`).
fn too_large_response() -> Response {
    let body = serde_json::json!({
        "errorMessage": format!("Exceeded maximum allowed payload size ({MAX_LAMBDA_RESPONSE_BYTES} bytes)."),
        "errorType": "RequestEntityTooLarge",
    });
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [("Content-Type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn response(
    State(host): State<Host>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let declared = headers
        .get("Content-Length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let limit = u64::try_from(MAX_LAMBDA_RESPONSE_BYTES).unwrap_or(u64::MAX);
    if let Some(n) = declared.filter(|n| *n > limit) {
        host.answer(&id, Answer::TooLarge(Some(n)));
        return too_large_response();
    }
    // Read at most the limit (a chunked result may be endless).
    let Ok(bytes) = axum::body::to_bytes(body, MAX_LAMBDA_RESPONSE_BYTES).await else {
        host.answer(&id, Answer::TooLarge(None));
        return too_large_response();
    };
    if host.answer(&id, Answer::Response(bytes.to_vec())) {
        StatusCode::ACCEPTED.into_response()
    } else {
        StatusCode::BAD_REQUEST.into_response()
    }
}

async fn error(State(host): State<Host>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    // The invoker sees `Unhandled` whatever type the runtime reported.
    if host.answer(&id, Answer::Error(body.to_vec())) {
        StatusCode::ACCEPTED
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// The runtime failed to initialise: everything waiting fails with its error object (the
/// process then usually exits, and the next invocation starts a new one).
async fn init_error(State(host): State<Host>, body: Bytes) -> StatusCode {
    let pending: Vec<Pending> = match host.waiting.lock() {
        Ok(mut w) => w.drain().map(|(_, p)| p).collect(),
        Err(_) => Vec::new(),
    };
    for p in pending {
        let _ = p.tx.send(Answer::Error(body.to_vec()));
    }
    StatusCode::ACCEPTED
}

/// Lambda's words for how a runtime process ended (as in `Runtime.ExitError` messages).
fn exit_reason(status: &std::io::Result<std::process::ExitStatus>) -> String {
    let status = match status {
        Ok(s) => s,
        Err(e) => return format!("Runtime exited with error: {e}"),
    };
    match status.code() {
        Some(0) => "Runtime exited without providing a reason".to_string(),
        Some(n) => format!("Runtime exited with error: exit status {n}"),
        None => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt as _;
                let name = match status.signal() {
                    Some(1) => "hangup".to_string(),
                    Some(2) => "interrupt".to_string(),
                    Some(4) => "illegal instruction".to_string(),
                    Some(6) => "aborted".to_string(),
                    Some(7) => "bus error".to_string(),
                    Some(8) => "floating point exception".to_string(),
                    Some(9) => "killed".to_string(),
                    Some(11) => "segmentation fault".to_string(),
                    Some(15) => "terminated".to_string(),
                    Some(n) => format!("signal {n}"),
                    None => "unknown".to_string(),
                };
                format!("Runtime exited with error: signal: {name}")
            }
            #[cfg(not(unix))]
            {
                "Runtime exited with error".to_string()
            }
        }
    }
}

/// A running Runtime API host with its handler process.
struct Running {
    addr: SocketAddr,
    sender: mpsc::UnboundedSender<Invocation>,
    host: Host,
    /// Dropped on restart and with the backend: stops the Runtime API server (its
    /// listening socket closes) and kills the process if it still runs.
    _stop: DropGuard,
}

/// Most times one invocation is moved to a fresh process because the one it waited for
/// exited before taking it.
const MAX_REQUEUES: u32 = 3;

/// The local-function backend.
pub struct LocalBackend {
    command: Vec<String>,
    /// Working directory of the process (the session file's folder, made absolute when the
    /// backend is created, so a relative session path works from any working directory).
    dir: Option<PathBuf>,
    function_name: String,
    state: Mutex<Option<Running>>,
    next_id: AtomicU64,
}

impl LocalBackend {
    /// A backend that runs `command` (program and arguments) as the function's runtime, in
    /// `dir` (relative paths in the command are relative to it; `None` or empty: the
    /// current directory).
    pub fn new(command: Vec<String>, function_name: &str, dir: Option<PathBuf>) -> Self {
        let dir = dir.map(|d| {
            let d = if d.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                d
            };
            std::path::absolute(&d).unwrap_or(d)
        });
        LocalBackend {
            command,
            dir,
            function_name: function_name.to_string(),
            state: Mutex::new(None),
            next_id: AtomicU64::new(0),
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

    /// The program to start: a relative path with a folder in it (`./bootstrap`,
    /// `functions/run.sh`) is taken relative to the session's folder.
    fn program(&self, program: &str) -> PathBuf {
        let p = FsPath::new(program);
        match &self.dir {
            Some(dir) if p.is_relative() && p.components().count() > 1 => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    async fn ensure_running(&self, state: &mut Option<Running>) -> Result<(), String> {
        if let Some(r) = state.as_ref() {
            if !r.host.dead.load(Ordering::SeqCst) {
                return Ok(());
            }
            // Stop the old host before starting a new one.
            *state = None;
        }
        let Some((program, args)) = self.command.split_first() else {
            return Err("the local function has no command".to_string());
        };
        let (sender, receiver) = mpsc::unbounded_channel();
        let host = Host {
            queue: Arc::new(Mutex::new(receiver)),
            waiting: Arc::default(),
            dead: Arc::default(),
            serving: Arc::default(),
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
            .layer(axum::extract::DefaultBodyLimit::max(
                MAX_LAMBDA_RESPONSE_BYTES,
            ))
            .with_state(host.clone());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| format!("cannot start the Runtime API host: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let mut cmd = tokio::process::Command::new(self.program(program));
        if let Some(d) = &self.dir {
            cmd.current_dir(d);
        }
        let mut child = cmd
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
            .map_err(|e| {
                let place = self
                    .dir
                    .as_ref()
                    .map(|d| format!(" in {}", d.display()))
                    .unwrap_or_default();
                format!("cannot start the function ({program}{place}): {e}")
            })?;
        let stop = CancellationToken::new();
        // The Runtime API server, until the process exits or the host is replaced.
        let server_stop = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = async { axum::serve(listener, app).await } => {}
                () = server_stop.cancelled() => {}
            }
        });
        // Notice the process's exit at once.
        let watch_stop = stop.clone();
        let watched = host.clone();
        tokio::spawn(async move {
            tokio::select! {
                status = child.wait() => {
                    watched.exited(&exit_reason(&status));
                    watch_stop.cancel();
                }
                () = watch_stop.cancelled() => {
                    let _ = child.kill().await;
                    watched.exited("Runtime exited with error: signal: killed");
                }
            }
        });
        *state = Some(Running {
            addr,
            sender,
            host,
            _stop: stop.drop_guard(),
        });
        Ok(())
    }

    /// Queue one invocation on the running process (starting one if needed).
    async fn dispatch(
        &self,
        payload: &Bytes,
        deadline_ms: u64,
    ) -> Result<(String, oneshot::Receiver<Answer>, Host), String> {
        let mut state = self.state.lock().await;
        // A process that exited between the check and the queueing is caught by `exited`
        // (it requeues what it had not taken); two tries cover a restart in between.
        for _ in 0..2 {
            self.ensure_running(&mut state).await?;
            let Some(running) = state.as_ref() else {
                return Err("the local function is not running".into());
            };
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos();
            let n = self.next_id.fetch_add(1, Ordering::Relaxed);
            let id = format!("{:024x}{:08x}", nanos & ((1 << 96) - 1), n & 0xffff_ffff);
            let (tx, rx) = oneshot::channel();
            {
                let Ok(mut w) = running.host.waiting.lock() else {
                    return Err("the Runtime API host failed".into());
                };
                if running.host.dead.load(Ordering::SeqCst) {
                    continue;
                }
                w.insert(id.clone(), Pending { tx, handed: false });
            }
            let inv = Invocation {
                id: id.clone(),
                payload: payload.clone(),
                deadline_ms,
                function_arn: format!(
                    "arn:aws:lambda:us-east-1:123456789012:function:{}",
                    self.function_name
                ),
            };
            if running.sender.send(inv).is_err() {
                return Err("the Runtime API host stopped".into());
            }
            return Ok((id, rx, running.host.clone()));
        }
        Err("the function process keeps exiting".into())
    }

    async fn invoke(&self, payload: Vec<u8>, timeout: Duration) -> EndpointResult {
        let deadline = tokio::time::Instant::now() + timeout;
        let deadline_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .saturating_add(timeout)
            .as_millis();
        let deadline_ms = u64::try_from(deadline_ms).unwrap_or(u64::MAX);
        let payload = Bytes::from(payload);
        let mut requeues = 0;
        loop {
            let (id, rx, host) = match self.dispatch(&payload, deadline_ms).await {
                Ok(x) => x,
                Err(message) => {
                    return EndpointResult::Failed {
                        kind: FailureKind::Other,
                        message,
                    };
                }
            };
            let answer = match tokio::time::timeout_at(deadline, rx).await {
                Ok(Ok(answer)) => answer,
                Ok(Err(_)) => {
                    return EndpointResult::Failed {
                        kind: FailureKind::Other,
                        message: "the Runtime API host stopped before the function answered".into(),
                    };
                }
                Err(_) => {
                    if let Ok(mut w) = host.waiting.lock() {
                        w.remove(&id);
                    }
                    return EndpointResult::Failed {
                        kind: FailureKind::Timeout,
                        message: format!(
                            "the function did not answer within {} ms",
                            timeout.as_millis()
                        ),
                    };
                }
            };
            let result = match answer {
                Answer::Response(payload) => LambdaResult {
                    status: 200,
                    headers: vec![("Content-Type".into(), "application/json".into())],
                    payload,
                    function_error: None,
                },
                Answer::Error(body) => LambdaResult {
                    status: 200,
                    headers: vec![
                        ("Content-Type".into(), "application/json".into()),
                        ("X-Amz-Function-Error".into(), "Unhandled".into()),
                    ],
                    payload: body,
                    function_error: Some("Unhandled".into()),
                },
                Answer::TooLarge(size) => LambdaResult::response_too_large(size),
                Answer::Exited(message) => {
                    LambdaResult::function_error("Runtime.ExitError", &message)
                }
                Answer::Requeue if requeues < MAX_REQUEUES => {
                    requeues += 1;
                    continue;
                }
                Answer::Requeue => LambdaResult::function_error(
                    "Runtime.ExitError",
                    &format!("RequestId: {id} Error: Runtime exited without providing a reason"),
                ),
            };
            return EndpointResult::Lambda(result);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn exit_reasons_read_as_lambdas() {
        use std::os::unix::process::ExitStatusExt as _;
        let reason = |raw| exit_reason(&Ok(std::process::ExitStatus::from_raw(raw)));
        assert_eq!(reason(0), "Runtime exited without providing a reason");
        assert_eq!(reason(3 << 8), "Runtime exited with error: exit status 3");
        assert_eq!(reason(9), "Runtime exited with error: signal: killed");
        assert_eq!(
            reason(11),
            "Runtime exited with error: signal: segmentation fault"
        );
        assert_eq!(reason(30), "Runtime exited with error: signal: signal 30");
    }

    #[test]
    fn commands_are_relative_to_the_session_folder() {
        let b = LocalBackend::new(vec![], "f", Some(PathBuf::from("")));
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(b.dir.as_deref(), Some(cwd.join(".").as_path()));
        let b = LocalBackend::new(vec![], "f", Some(PathBuf::from("/srv/fn")));
        assert_eq!(
            b.program("./bootstrap"),
            PathBuf::from("/srv/fn/./bootstrap")
        );
        assert_eq!(b.program("bin/run"), PathBuf::from("/srv/fn/bin/run"));
        // A bare name is looked up on PATH, an absolute path is kept.
        assert_eq!(b.program("python3"), PathBuf::from("python3"));
        assert_eq!(b.program("/usr/bin/env"), PathBuf::from("/usr/bin/env"));
    }

    #[test]
    fn too_large_results_are_lambdas_error() {
        let r = LambdaResult::response_too_large(Some(7_000_000));
        assert_eq!(r.function_error.as_deref(), Some("Unhandled"));
        let v: serde_json::Value = serde_json::from_slice(&r.payload).unwrap();
        assert_eq!(v["errorType"], "Function.ResponseSizeTooLarge");
        assert_eq!(
            v["errorMessage"],
            "Response payload size (7000000 bytes) exceeded maximum allowed payload size (6291556 bytes)."
        );
    }
}
