//! Listen mode: serve a session's API on loopback with a real HTTP server, running every
//! request through the same pipeline as `gatebench run` and the workbench.

mod head;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderName, HeaderValue, Request, StatusCode};
use axum::response::Response;

use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value as Json};

use crate::backend::Backend;
use crate::gateway::MAX_PAYLOAD_BYTES;
use crate::gateway::api::Api;
use crate::gateway::pipeline::{ClientRequest, Intercept, InterceptHook, RunOptions, run};
use crate::gateway::trace::Trace;
use crate::session::{BackendConfig, Session};

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
        Ok(Server {
            listener,
            state: Arc::new(ServeState {
                execution_log: true,
                live: RwLock::new(Arc::new(Live::new(&session, false))),
                observer,
                hook: None,
                next_id: AtomicU64::new(1),
            }),
        })
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

    /// Serve until `shutdown` completes.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(self.state)
            .layer(axum::extract::DefaultBodyLimit::disable());
        axum::serve(
            head::SniffingListener(self.listener),
            app.into_make_service_with_connect_info::<head::Peer>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
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

fn gateway_413() -> Response {
    Response::builder()
        .status(StatusCode::PAYLOAD_TOO_LARGE)
        .header("Content-Type", "application/json")
        .header("x-amzn-ErrorType", "RequestTooLongException")
        .body(Body::from(r#"{"message":"Request Too Long"}"#))
        .unwrap_or_default()
}

async fn handle(
    State(state): State<Arc<ServeState>>,
    ConnectInfo(peer): ConnectInfo<head::Peer>,
    req: Request<Body>,
) -> Response {
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
    // Read at most one byte past the gateway's limit.
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAYLOAD_BYTES + 1).await else {
        return gateway_413();
    };
    let opts = RunOptions::default();
    add_gateway_headers(&mut headers, peer.addr, &opts.request_id);
    let request = ClientRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body: bytes.to_vec(),
    };
    let id = state.next_id.fetch_add(1, Ordering::Relaxed);
    let live = state.live();
    let mut opts = RunOptions {
        context: live.context.clone(),
        execution_log: state.execution_log,
        source_ip: peer.addr.ip().to_string(),
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
    let trace = run(&live.api, &request, live.backend.as_ref(), &opts).await;
    let mut builder = Response::builder().status(
        StatusCode::from_u16(trace.response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    );
    for (k, v) in &trace.response.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(k.as_str()),
            HeaderValue::try_from(v.as_str()),
        ) {
            builder = builder.header(name, value);
        }
    }
    let Some(observer) = &state.observer else {
        return builder
            .body(Body::from(trace.response.body))
            .unwrap_or_default();
    };
    let response = builder
        .body(Body::from(trace.response.body.clone()))
        .unwrap_or_default();
    observer(Served {
        id,
        request,
        trace,
        latency: started.elapsed(),
    });
    response
}
