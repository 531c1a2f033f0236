//! Listen mode: serve a session's API on loopback with a real HTTP server, running every
//! request through the same pipeline as `gatebench run` and the workbench.

mod casing;
mod head;
mod pool;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Request, StatusCode};
use axum::response::Response;
use futures_util::StreamExt as _;
use tokio_util::sync::CancellationToken;

use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value as Json};

use crate::backend::Backend;
use crate::backend::BackendConfig;
use crate::gateway::MAX_PAYLOAD_BYTES;
use crate::gateway::api::Api;
use crate::gateway::pipeline::{
    AuthState, ClientRequest, Intercept, InterceptHook, Offload, RunOptions, run,
};
use crate::gateway::trace::Trace;
use crate::session::Session;

/// One served request, for listeners (the headless log, the workbench's request list).
#[derive(Clone, Debug)]
pub struct Served {
    /// Its number since the server started (from 1); a paused request has the same id
    /// in [`Paused::id`](crate::gateway::pipeline::Paused).
    pub id: u64,
    /// The request as received.
    pub request: ClientRequest,
    /// Its trip through the gateway.
    pub trace: Trace,
    /// Wall time spent answering.
    pub latency: std::time::Duration,
}

/// Called for each served request.
pub type Observer = Arc<dyn Fn(Served) + Send + Sync>;

/// What the server serves now; replaced whole when the session is edited.
struct Live {
    api: Arc<Api>,
    backend: Arc<dyn Backend>,
    backend_config: BackendConfig,
    dir: Option<std::path::PathBuf>,
    context: Map<String, Json>,
    breakpoint: bool,
}

impl Live {
    fn new(session: &Session, breakpoint: bool) -> Live {
        Live {
            api: Arc::new(session.api_for_run().into_owned()),
            backend: Arc::from(crate::backend::for_session(&session.backend, session.dir())),
            backend_config: session.backend.clone(),
            dir: session.dir().map(std::path::Path::to_path_buf),
            context: session_context(session),
            breakpoint,
        }
    }
}

/// The session's `$context` overrides as JSON.
fn session_context(session: &Session) -> Map<String, Json> {
    match session.context.as_ref().map(serde_json::to_value) {
        Some(Ok(Json::Object(m))) => m,
        _ => Map::new(),
    }
}

struct ServeState {
    /// Whether traces carry the console execution log (someone reads them).
    execution_log: bool,
    live: RwLock<Arc<Live>>,
    observer: Option<Observer>,
    hook: Option<InterceptHook>,
    next_id: AtomicU64,
    limits: Limits,
    /// Where renders run (off the async workers).
    offload: Option<Offload>,
    /// This server's authorizer answer cache and usage plan counters (its own: another
    /// server in the same process keeps its own).
    auth_state: AuthState,
    /// Open connections, by number.
    conns: std::sync::Mutex<std::collections::HashMap<u64, Arc<head::ConnState>>>,
    /// Told when a connection closes (the accept loop waits on it when full).
    conn_closed: tokio::sync::Notify,
}

impl ServeState {
    fn live(&self) -> Arc<Live> {
        match self.live.read() {
            Ok(l) => Arc::clone(&l),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    fn replace(&self, f: impl FnOnce(&Live) -> Live) {
        let mut guard = match self.live.write() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let next = f(&guard);
        *guard = Arc::new(next);
    }
}

/// Changes what a running server serves, without restarting it: requests already in flight
/// finish with what they started with.
#[derive(Clone)]
pub struct ServeHandle(Arc<ServeState>);

impl ServeHandle {
    /// Serve this session from now on (its backend is kept unless its settings changed).
    pub fn set_session(&self, session: &Session) {
        self.0.replace(|old| {
            let dir = session.dir().map(std::path::Path::to_path_buf);
            if old.backend_config == session.backend && old.dir == dir {
                Live {
                    api: Arc::new(session.api_for_run().into_owned()),
                    backend: Arc::clone(&old.backend),
                    backend_config: old.backend_config.clone(),
                    dir,
                    context: session_context(session),
                    breakpoint: old.breakpoint,
                }
            } else {
                Live::new(session, old.breakpoint)
            }
        });
    }

    /// How many connections are open now.
    pub fn open_connections(&self) -> usize {
        self.0.conns.lock().map_or(0, |c| c.len())
    }

    /// Arm or disarm the breakpoint (requests pause before the endpoint is called; needs an
    /// intercept hook, see [`Server::intercept`]).
    pub fn set_breakpoint(&self, on: bool) {
        self.0.replace(|old| Live {
            api: Arc::clone(&old.api),
            backend: Arc::clone(&old.backend),
            backend_config: old.backend_config.clone(),
            dir: old.dir.clone(),
            context: old.context.clone(),
            breakpoint: on,
        });
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is not loopback and remote access was not allowed.
    #[error("{0} is not a loopback address; pass --allow-remote to listen on it")]
    NotLoopback(SocketAddr),
    /// Binding failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
}

/// What one client may hold of the server: time to send a request, idle time, connections.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A request head must arrive whole within this, from its first byte (on a fresh
    /// connection: from the accept). Past it the connection is closed.
    pub header_read: Duration,
    /// A keep-alive connection with no request in flight is closed after this long without
    /// traffic.
    pub idle: Duration,
    /// A request body must arrive whole within this, from the end of its head; past it the
    /// client gets 408 and the connection is closed.
    pub body: Duration,
    /// Most open connections. When full, the longest-idle connection is closed to make room;
    /// when none is idle, new clients wait in the listen backlog.
    pub max_connections: usize,
    /// After shutdown is asked for, requests in flight get this long to finish; then the
    /// server stops whatever is left.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read: Duration::from_secs(10),
            idle: Duration::from_secs(60),
            body: Duration::from_secs(30),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(3),
        }
    }
}

/// Example request lines (`METHOD /stage/path`), one per method: path parameters are filled
/// with their names, `ANY` is shown as `GET`.
pub fn example_routes(session: &Session) -> Vec<String> {
    let stage = session
        .api
        .stage
        .as_deref()
        .map(|s| format!("/{s}"))
        .unwrap_or_default();
    let mut out = Vec::new();
    for res in &session.api.resources {
        let path: Vec<String> = res
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(
                |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => name.trim_end_matches('+').to_string(),
                    None => seg.to_string(),
                },
            )
            .collect();
        let path = format!("{stage}/{}", path.join("/"));
        for method in res.methods.keys() {
            let m = if method == "ANY" {
                "GET"
            } else {
                method.as_str()
            };
            out.push(format!("{m} {path}"));
        }
    }
    out
}

/// A bound server, ready to run.
pub struct Server {
    listener: tokio::net::TcpListener,
    state: Arc<ServeState>,
}

impl Server {
    /// Bind `addr` (loopback unless `allow_remote`).
    pub async fn bind(
        session: Session,
        addr: SocketAddr,
        allow_remote: bool,
        observer: Option<Observer>,
    ) -> Result<Server, ServeError> {
        if !addr.ip().is_loopback() && !allow_remote {
            return Err(ServeError::NotLoopback(addr));
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        // Renders run on a pool of threads with large stacks; without one (the OS refused
        // the threads), on the async workers as before.
        let offload = match pool::RenderPool::new() {
            Ok(p) => Some(p.offload()),
            Err(e) => {
                tracing::warn!(error = %e, "no render pool: rendering on the async workers");
                None
            }
        };
        Ok(Server {
            listener,
            state: Arc::new(ServeState {
                execution_log: true,
                live: RwLock::new(Arc::new(Live::new(&session, false))),
                observer,
                hook: None,
                next_id: AtomicU64::new(1),
                limits: Limits::default(),
                offload,
                auth_state: AuthState::default(),
                conns: std::sync::Mutex::default(),
                conn_closed: tokio::sync::Notify::new(),
            }),
        })
    }

    /// Hold clients to these limits instead of the defaults. Call before [`Server::handle`]
    /// and [`Server::run`].
    pub fn limits(mut self, limits: Limits) -> Server {
        if let Some(state) = Arc::get_mut(&mut self.state) {
            state.limits = limits;
        }
        self
    }

    /// Pause requests at the breakpoint (when armed with [`ServeHandle::set_breakpoint`])
    /// by handing them to `hook`. Call before [`Server::handle`] and [`Server::run`].
    pub fn intercept(mut self, hook: InterceptHook) -> Server {
        if let Some(state) = Arc::get_mut(&mut self.state) {
            state.hook = Some(hook);
        }
        self
    }

    /// Leave the console execution log out of traces (a headless server whose observer
    /// does not read it saves formatting it). Call before [`Server::handle`] and
    /// [`Server::run`].
    pub fn without_execution_log(mut self) -> Server {
        if let Some(state) = Arc::get_mut(&mut self.state) {
            state.execution_log = false;
        }
        self
    }

    /// A handle to change what is served while the server runs.
    pub fn handle(&self) -> ServeHandle {
        ServeHandle(Arc::clone(&self.state))
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serve until `shutdown` completes; then requests in flight get
    /// [`Limits::shutdown_grace`] to finish, and the server returns whatever is left.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Server { listener, state } = self;
        let stop = CancellationToken::new();
        let tasks = tokio_util::task::TaskTracker::new();
        let mut shutdown = std::pin::pin!(shutdown);
        let mut next_conn: u64 = 0;
        loop {
            // Room for one more connection: close the longest-idle one when full, else
            // wait for one to close.
            loop {
                let notified = state.conn_closed.notified();
                if make_room(&state) {
                    break;
                }
                tokio::select! {
                    () = notified => {}
                    () = tokio::time::sleep(Duration::from_millis(100)) => {}
                    () = &mut shutdown => return finish(&stop, &tasks, &state).await,
                }
            }
            let (stream, addr) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(a) => a,
                    // Out of file descriptors and the like: wait a little, as axum does.
                    Err(e) => {
                        tracing::debug!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => return finish(&stop, &tasks, &state).await,
            };
            next_conn += 1;
            let id = next_conn;
            let _ = stream.set_nodelay(true);
            let conn = Arc::new(head::ConnState::default());
            if let Ok(mut c) = state.conns.lock() {
                c.insert(id, Arc::clone(&conn));
            }
            let heads = head::Heads::default();
            let spellings = casing::Spellings::default();
            let peer = head::Peer {
                addr,
                heads: Arc::clone(&heads),
                conn: Arc::clone(&conn),
                spellings: Arc::clone(&spellings),
            };
            let io = head::HeadSniffer::watched(
                stream,
                heads,
                Arc::clone(&conn),
                head::Timeouts {
                    header_read: state.limits.header_read,
                    idle: state.limits.idle,
                },
            )
            .respelled(spellings);
            tasks.spawn(serve_connection(
                Arc::clone(&state),
                io,
                peer,
                stop.clone(),
                id,
            ));
        }
    }
}

/// Whether there is room for one more connection; when full, closes the longest-idle one
/// (and says there is room: it is going).
fn make_room(state: &ServeState) -> bool {
    let Ok(conns) = state.conns.lock() else {
        return true;
    };
    if conns.len() < state.limits.max_connections.max(1) {
        return true;
    }
    // Idle for a moment at least (a request just read is not in flight yet).
    let settled = Instant::now() - Duration::from_millis(100);
    let victim = conns
        .values()
        .filter(|c| c.is_idle() && !c.evict.is_cancelled() && c.last_activity() < settled)
        .min_by_key(|c| c.last_activity());
    match victim {
        Some(c) => {
            c.evict.cancel();
            true
        }
        None => false,
    }
}

/// Stop accepting, let connections finish what they are answering (within the grace
/// period), then return.
async fn finish(
    stop: &CancellationToken,
    tasks: &tokio_util::task::TaskTracker,
    state: &ServeState,
) -> std::io::Result<()> {
    stop.cancel();
    tasks.close();
    let _ = tokio::time::timeout(state.limits.shutdown_grace, tasks.wait()).await;
    Ok(())
}

/// Serve one connection (HTTP/1.1 or HTTP/2) until it ends, is evicted, or the server
/// stops (then: a graceful close, bounded by the grace period).
async fn serve_connection(
    state: Arc<ServeState>,
    io: head::HeadSniffer<tokio::net::TcpStream>,
    peer: head::Peer,
    stop: CancellationToken,
    id: u64,
) {
    // Leaves the registry however the connection ends (even by a panic).
    struct Registered(Arc<ServeState>, u64);
    impl Drop for Registered {
        fn drop(&mut self) {
            if let Ok(mut c) = self.0.conns.lock() {
                c.remove(&self.1);
            }
            self.0.conn_closed.notify_waiters();
        }
    }
    let _registered = Registered(Arc::clone(&state), id);
    let conn_state = Arc::clone(&peer.conn);
    let service_state = Arc::clone(&state);
    let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
        let state = Arc::clone(&service_state);
        let peer = peer.clone();
        async move {
            // HTTP/1 answers are written in order: their spellings are queued in that order
            // (HTTP/2 names are lowercase on the wire, as the protocol wants).
            let http1 = req.version() <= axum::http::Version::HTTP_11;
            let head_request = req.method() == axum::http::Method::HEAD;
            let spellings = Arc::clone(&peer.spellings);
            let Answer { response, names } = handle(state, peer, req.map(Body::new)).await;
            if http1 && let Ok(mut q) = spellings.lock() {
                q.push_back(casing::Spelling {
                    names,
                    head_request,
                });
            }
            Ok::<_, std::convert::Infallible>(response)
        }
    });
    let mut builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    // Head timeouts are the connection reader's (it tells idle from mid-head).
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(None);
    builder.http2().timer(hyper_util::rt::TokioTimer::new());
    let conn = builder.serve_connection(hyper_util::rt::TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        () = conn_state.evict.cancelled() => {}
        () = stop.cancelled() => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(state.limits.shutdown_grace, conn.as_mut()).await;
        }
    }
}

/// The headers every API Gateway endpoint adds to what the client sent (unless the client
/// sent them): the trace id, and where the request came from (the gateway listens on
/// HTTPS, port 443).
fn add_gateway_headers(headers: &mut Vec<(String, String)>, peer: SocketAddr, request_id: &str) {
    let has = |headers: &[(String, String)], name: &str| {
        headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    let hex: String = request_id.chars().filter(|c| *c != '-').collect();
    let added = [
        (
            "X-Amzn-Trace-Id",
            format!(
                "Root=1-{}-{}",
                &hex[..8.min(hex.len())],
                &hex[8.min(hex.len())..]
            ),
        ),
        ("X-Forwarded-For", peer.ip().to_string()),
        ("X-Forwarded-Port", "443".to_string()),
        ("X-Forwarded-Proto", "https".to_string()),
    ];
    for (name, value) in added {
        if !has(headers, name) {
            headers.push((name.to_string(), value));
        }
    }
}

/// A response, and its header names as the gateway spells them (hyper lowercases them; the
/// connection writes them back as spelled, see [`casing`]).
struct Answer {
    response: Response,
    names: Vec<String>,
}

/// A JSON `{"message": ...}` answer of the listener itself (before the pipeline runs).
fn edge_answer(status: StatusCode, headers: &[(&str, &str)], message: &str) -> Answer {
    let mut names = vec!["Content-Type".to_string()];
    let mut r = Response::builder()
        .status(status)
        .header("Content-Type", "application/json");
    for (name, value) in headers {
        r = r.header(*name, *value);
        names.push((*name).to_string());
    }
    Answer {
        response: r
            .body(Body::from(format!(r#"{{"message":"{message}"}}"#)))
            .unwrap_or_default(),
        names,
    }
}

fn gateway_413() -> Answer {
    edge_answer(
        StatusCode::PAYLOAD_TOO_LARGE,
        &[("x-amzn-ErrorType", "RequestTooLongException")],
        "Request Too Long",
    )
}

/// A body that is not valid HTTP framing (a malformed chunked body): 400.
fn bad_request() -> Answer {
    edge_answer(
        StatusCode::BAD_REQUEST,
        &[("Connection", "close")],
        "Bad Request",
    )
}

/// A body that did not arrive within [`Limits::body`]: 408, and the connection closes.
fn request_timeout() -> Answer {
    edge_answer(
        StatusCode::REQUEST_TIMEOUT,
        &[("Connection", "close")],
        "Request Timeout",
    )
}

/// Why a request body could not be read.
enum BodyError {
    /// Over the gateway's 10 MB.
    TooLarge,
    /// Not valid framing, or the client went away.
    Malformed,
}

/// The most of a refused body read (and dropped) after its 413, so a client still sending it
/// reads the answer instead of a reset connection.
const DRAIN_MAX_BYTES: usize = 64 * 1024 * 1024;

/// After a 413 answered before the body was read: go on reading (and dropping) the body in
/// the background, for at most `limit` and [`DRAIN_MAX_BYTES`].
fn drain_in_background(mut stream: axum::body::BodyDataStream, limit: Duration) {
    tokio::spawn(async move {
        let mut seen = 0usize;
        let _ = tokio::time::timeout(limit, async {
            while let Some(Ok(chunk)) = stream.next().await {
                seen += chunk.len();
                if seen > DRAIN_MAX_BYTES {
                    break;
                }
            }
        })
        .await;
    });
}

/// Read a request body, at most one byte past the gateway's limit.
async fn read_body(stream: &mut axum::body::BodyDataStream) -> Result<Vec<u8>, BodyError> {
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Malformed)?;
        if out.len() + chunk.len() > MAX_PAYLOAD_BYTES {
            return Err(BodyError::TooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

async fn handle(state: Arc<ServeState>, peer: head::Peer, req: Request<Body>) -> Answer {
    let _in_flight = head::InFlight::new(&peer.conn);
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    // The client's header names as written (API Gateway keeps their case), else hyper's.
    let mut headers = peer.take_headers(&parts.headers).unwrap_or_else(|| {
        parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    });
    // A declared length over the limit is answered at once, without waiting for the body.
    let declared = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let mut stream = body.into_data_stream();
    if declared.is_some_and(|n| n > MAX_PAYLOAD_BYTES as u64) {
        drain_in_background(stream, state.limits.body);
        return gateway_413();
    }
    let bytes = match tokio::time::timeout(state.limits.body, read_body(&mut stream)).await {
        Ok(Ok(b)) => b,
        Ok(Err(BodyError::TooLarge)) => {
            drain_in_background(stream, state.limits.body);
            return gateway_413();
        }
        Ok(Err(BodyError::Malformed)) => return bad_request(),
        Err(_) => return request_timeout(),
    };
    let opts = RunOptions::default();
    add_gateway_headers(&mut headers, peer.addr, &opts.request_id);
    let request = ClientRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body: bytes,
    };
    let id = state.next_id.fetch_add(1, Ordering::Relaxed);
    let live = state.live();
    let mut opts = RunOptions {
        context: live.context.clone(),
        execution_log: state.execution_log,
        source_ip: peer.addr.ip().to_string(),
        offload: state.offload.clone(),
        auth_state: state.auth_state.clone(),
        ..opts
    };
    if live.breakpoint
        && let Some(hook) = &state.hook
    {
        opts.intercept = Some(Intercept {
            id,
            hook: Arc::clone(hook),
        });
    }
    let mut trace = run(&live.api, &request, live.backend.as_ref(), &opts).await;
    // The pipeline sends 200-599 only; anything else would be a bug, never a 1xx on the wire.
    let status = StatusCode::from_u16(trace.response.status)
        .ok()
        .filter(|s| !s.is_informational())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // 204 and 304 carry no body (nor its length), whatever the template printed.
    let bodiless = status == StatusCode::NO_CONTENT || status == StatusCode::NOT_MODIFIED;
    let mut builder = Response::builder().status(status);
    let mut names = Vec::with_capacity(trace.response.headers.len());
    for (k, v) in &trace.response.headers {
        if bodiless && k.eq_ignore_ascii_case("content-length") {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(k.as_str()),
            HeaderValue::try_from(v.as_str()),
        ) {
            builder = builder.header(name, value);
            names.push(k.clone());
        }
    }
    let body = if bodiless {
        Body::empty()
    } else if state.observer.is_some() {
        Body::from(trace.response.body.clone())
    } else {
        Body::from(std::mem::take(&mut trace.response.body))
    };
    let response = builder.body(body).unwrap_or_default();
    if let Some(observer) = &state.observer {
        observer(Served {
            id,
            request,
            trace,
            latency: started.elapsed(),
        });
    }
    Answer { response, names }
}
