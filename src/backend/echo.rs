//! The built-in echo backend, so every session works offline: HTTP calls go to a real echo
//! server on loopback that answers with a JSON description of the request it received; Lambda
//! calls go to an echo function that returns its payload (for a proxy integration, wrapped in
//! a valid proxy response).

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use tokio::sync::OnceCell;

use super::http::HttpBackend;
use super::{Backend, BoxFuture, EndpointCall, EndpointResult, FailureKind, LambdaResult};

/// Start an echo HTTP server on `127.0.0.1` (an ephemeral port) on the current tokio
/// runtime. It answers every request with 200 and
/// `{"method", "path", "query", "headers", "body"}`.
pub async fn start_echo_server() -> std::io::Result<SocketAddr> {
    Ok(start_echo_task().await?.0)
}

/// [`start_echo_server`], with the handle that stops it (aborting the task closes the
/// listening socket).
async fn start_echo_task() -> std::io::Result<(SocketAddr, tokio::task::AbortHandle)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().fallback(echo_handler);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((addr, task.abort_handle()))
}

async fn echo_handler(
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let mut h = serde_json::Map::new();
    for (k, v) in &headers {
        h.insert(
            k.as_str().to_string(),
            serde_json::Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
        );
    }
    let json = serde_json::json!({
        "method": method.as_str(),
        "path": uri.path(),
        "query": uri.query().unwrap_or(""),
        "headers": h,
        "body": String::from_utf8_lossy(&body),
    });
    axum::response::Response::builder()
        .status(200)
        .header("Content-Type", "application/json")
        .body(axum::body::Body::from(json.to_string()))
        .unwrap_or_default()
}

/// The echo backend. Its echo server lives as long as it does: each run, comparison and
/// served session that makes one stops its server when it is done with it.
#[derive(Default)]
pub struct EchoBackend {
    server: OnceCell<Result<(SocketAddr, tokio::task::AbortHandle), String>>,
}

impl Drop for EchoBackend {
    fn drop(&mut self) {
        if let Some(Ok((_, task))) = self.server.get() {
            task.abort();
        }
    }
}

impl EchoBackend {
    /// A new echo backend (its server starts on first use).
    pub fn new() -> Self {
        EchoBackend::default()
    }
}

impl Backend for EchoBackend {
    fn call(&self, call: EndpointCall) -> BoxFuture<'_, EndpointResult> {
        Box::pin(async move {
            match call {
                EndpointCall::Http(c) => {
                    let addr = self
                        .server
                        .get_or_init(|| async {
                            start_echo_task().await.map_err(|e| e.to_string())
                        })
                        .await;
                    match addr {
                        Ok((addr, _)) => {
                            HttpBackend::new()
                                .redirect_to(*addr)
                                .call(EndpointCall::Http(c))
                                .await
                        }
                        Err(e) => EndpointResult::Failed {
                            kind: FailureKind::Connect,
                            message: format!("the echo server could not start: {e}"),
                        },
                    }
                }
                EndpointCall::Lambda(c) => {
                    let payload = if c.proxy {
                        serde_json::json!({
                            "statusCode": 200,
                            "headers": {"Content-Type": "application/json"},
                            "body": String::from_utf8_lossy(&c.payload),
                        })
                        .to_string()
                        .into_bytes()
                    } else {
                        c.payload
                    };
                    EndpointResult::Lambda(LambdaResult {
                        status: 200,
                        headers: vec![("Content-Type".into(), "application/json".into())],
                        payload,
                        function_error: None,
                    })
                }
            }
        })
    }

    fn describe(&self) -> String {
        "built-in echo".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The echo server a backend started stops with the backend: runs that each make one
    /// leave no listening sockets behind.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_echo_server_stops_with_its_backend() {
        let backend = EchoBackend::new();
        let call = || {
            EndpointCall::Http(crate::gateway::endpoint::HttpCall {
                method: "GET".into(),
                url: "http://example.invalid/x".into(),
                headers: vec![],
                body: vec![],
                timeout: std::time::Duration::from_secs(5),
            })
        };
        let answered = backend.call(call()).await;
        assert!(matches!(answered, EndpointResult::Http(_)), "{answered:?}");
        let addr = match backend.server.get() {
            Some(Ok((addr, _))) => *addr,
            other => panic!("no echo server: {other:?}"),
        };
        assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
        drop(backend);
        let mut refused = false;
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert!(refused, "the echo server on {addr} still listens");
    }
}
