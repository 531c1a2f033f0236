//! Real network backends: HTTP calls with reqwest, and Lambda invocations over the Invoke API
//! (`POST /2015-03-31/functions/NAME/invocations`) of a local emulator such as
//! `cargo lambda watch`, SAM's `local start-lambda` or LocalStack.

use std::net::SocketAddr;

use super::{
    Backend, BoxFuture, EndpointCall, EndpointResult, FailureKind, HttpCall, LambdaCall,
    LambdaResult, MAX_INTEGRATION_RESPONSE_BYTES, MAX_LAMBDA_RESPONSE_BYTES, lambda_function_name,
};
use crate::gateway::trace::HttpMessage;

/// HTTP and Lambda Invoke API client.
#[derive(Clone, Debug)]
pub struct HttpBackend {
    client: reqwest::Client,
    /// Send every HTTP call to this address instead of the URL's host (keeping the path,
    /// query and `Host`): used for the loopback echo server and for tests.
    redirect: Option<SocketAddr>,
    /// Base URL of a Lambda Invoke API (e.g. `http://127.0.0.1:9000`).
    lambda_endpoint: Option<String>,
    /// Function name to invoke instead of the one in the integration URI.
    lambda_function: Option<String>,
}

impl HttpBackend {
    /// A backend calling URLs as written.
    pub fn new() -> Self {
        super::install_crypto_provider();
        HttpBackend {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            redirect: None,
            lambda_endpoint: None,
            lambda_function: None,
        }
    }

    /// Send HTTP calls to `addr` (loopback) instead of the URL's host.
    #[must_use]
    pub fn redirect_to(mut self, addr: SocketAddr) -> Self {
        self.redirect = Some(addr);
        self
    }

    /// Invoke Lambda functions through this Invoke API base URL.
    #[must_use]
    pub fn with_lambda_endpoint(mut self, endpoint: &str, function: Option<String>) -> Self {
        self.lambda_endpoint = Some(endpoint.trim_end_matches('/').to_string());
        self.lambda_function = function;
        self
    }

    fn target_url(&self, url: &str) -> Result<reqwest::Url, String> {
        let mut parsed = reqwest::Url::parse(url).map_err(|e| format!("invalid URL {url}: {e}"))?;
        if let Some(addr) = self.redirect {
            parsed
                .set_scheme("http")
                .map_err(|()| format!("cannot redirect {url}"))?;
            parsed
                .set_ip_host(addr.ip())
                .map_err(|()| format!("cannot redirect {url}"))?;
            parsed
                .set_port(Some(addr.port()))
                .map_err(|()| format!("cannot redirect {url}"))?;
        }
        Ok(parsed)
    }

    async fn http(&self, call: HttpCall) -> EndpointResult {
        let original_host = reqwest::Url::parse(&call.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string));
        let url = match self.target_url(&call.url) {
            Ok(u) => u,
            Err(message) => {
                return EndpointResult::Failed {
                    kind: FailureKind::InvalidEndpoint,
                    message,
                };
            }
        };
        let Ok(method) = reqwest::Method::from_bytes(call.method.as_bytes()) else {
            return EndpointResult::Failed {
                kind: FailureKind::InvalidEndpoint,
                message: format!("invalid HTTP method {}", call.method),
            };
        };
        let mut req = self.client.request(method, url).timeout(call.timeout);
        let mut has_host = false;
        for (k, v) in &call.headers {
            has_host |= k.eq_ignore_ascii_case("host");
            req = req.header(k.as_str(), v.as_str());
        }
        if self.redirect.is_some()
            && !has_host
            && let Some(h) = original_host
        {
            req = req.header("Host", h);
        }
        if !call.body.is_empty() {
            req = req.body(call.body);
        }
        match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let headers = header_pairs(resp.headers());
                match read_limited(resp, MAX_INTEGRATION_RESPONSE_BYTES).await {
                    Ok(Limited::Whole(body)) => EndpointResult::Http(HttpMessage {
                        status,
                        headers,
                        body,
                        ..HttpMessage::default()
                    }),
                    Ok(Limited::Over(size)) => EndpointResult::Failed {
                        kind: FailureKind::ResponseTooLarge,
                        message: over_limit_message(size, MAX_INTEGRATION_RESPONSE_BYTES),
                    },
                    Err(e) => failure(&e),
                }
            }
            Err(e) => failure(&e),
        }
    }

    async fn lambda(&self, call: LambdaCall) -> EndpointResult {
        let Some(endpoint) = &self.lambda_endpoint else {
            return EndpointResult::Failed {
                kind: FailureKind::InvalidEndpoint,
                message: "no Lambda Invoke API endpoint is configured for this session (backend type \"lambda\" with an endpoint)".into(),
            };
        };
        let name = self
            .lambda_function
            .clone()
            .unwrap_or_else(|| lambda_function_name(&call.function));
        let url = format!("{endpoint}/2015-03-31/functions/{name}/invocations");
        let req = self
            .client
            .post(&url)
            .timeout(call.timeout)
            .header("Content-Type", "application/json")
            .header("X-Amz-Invocation-Type", "RequestResponse")
            .body(call.payload);
        match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let headers = header_pairs(resp.headers());
                let header_error = resp
                    .headers()
                    .get("X-Amz-Function-Error")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string);
                let payload = match read_limited(resp, MAX_LAMBDA_RESPONSE_BYTES).await {
                    Ok(Limited::Whole(b)) => b,
                    // Lambda itself refuses such a result: its function error.
                    Ok(Limited::Over(size)) => {
                        return EndpointResult::Lambda(LambdaResult::response_too_large(size));
                    }
                    Err(e) => return failure(&e),
                };
                // Real AWS answers 200 with X-Amz-Function-Error; cargo-lambda's emulator
                // answers 500 with the same error object and no header.
                let function_error = header_error.or_else(|| {
                    (status >= 500 && looks_like_lambda_error(&payload))
                        .then(|| "Unhandled".to_string())
                });
                EndpointResult::Lambda(LambdaResult {
                    status,
                    headers,
                    payload,
                    function_error,
                })
            }
            Err(e) => failure(&e),
        }
    }
}

impl Default for HttpBackend {
    fn default() -> Self {
        HttpBackend::new()
    }
}

/// A response body read up to a limit.
pub(crate) enum Limited {
    /// The whole body, within the limit.
    Whole(Vec<u8>),
    /// Over the limit: reading stopped there (the declared length, when there was one).
    Over(Option<u64>),
}

/// Read a response body, at most `limit` bytes: a declared `Content-Length` over the limit is
/// refused before reading, an endless body stops one chunk past it (the connection is dropped).
pub(crate) async fn read_limited(
    mut resp: reqwest::Response,
    limit: usize,
) -> Result<Limited, reqwest::Error> {
    let limit64 = u64::try_from(limit).unwrap_or(u64::MAX);
    if let Some(n) = resp.content_length().filter(|n| *n > limit64) {
        return Ok(Limited::Over(Some(n)));
    }
    let mut body = Vec::with_capacity(
        usize::try_from(resp.content_length().unwrap_or(0))
            .unwrap_or(0)
            .min(limit),
    );
    while let Some(chunk) = resp.chunk().await? {
        let needed = body.len() + chunk.len();
        if needed > limit {
            return Ok(Limited::Over(None));
        }
        // Grow by doubling, but never past the limit (no 16 MB buffer for a 10 MB cap).
        if needed > body.capacity() {
            let target = needed.max(body.capacity() * 2).min(limit);
            body.reserve_exact(target - body.len());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Limited::Whole(body))
}

/// The log's explanation for an integration response over the gateway's limit.
pub(crate) fn over_limit_message(size: Option<u64>, limit: usize) -> String {
    match size {
        Some(n) => format!(
            "the integration response of {n} bytes exceeds the gateway's limit of {limit} bytes"
        ),
        None => format!(
            "the integration response exceeds the gateway's limit of {limit} bytes (reading stopped there)"
        ),
    }
}

fn looks_like_lambda_error(payload: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(payload)
        .ok()
        .is_some_and(|v| v.get("errorMessage").is_some() || v.get("errorType").is_some())
}

fn header_pairs(h: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    h.iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn failure(e: &reqwest::Error) -> EndpointResult {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    let lower = message.to_ascii_lowercase();
    let kind = if e.is_timeout() {
        FailureKind::Timeout
    } else if lower.contains("dns")
        || lower.contains("failed to lookup")
        || lower.contains("name or service")
    {
        FailureKind::Dns
    } else if lower.contains("certificate") || lower.contains("tls") {
        FailureKind::Tls
    } else if e.is_connect() {
        FailureKind::Connect
    } else if e.is_builder() {
        FailureKind::InvalidEndpoint
    } else {
        FailureKind::Other
    };
    EndpointResult::Failed { kind, message }
}

impl Backend for HttpBackend {
    fn call(&self, call: EndpointCall) -> BoxFuture<'_, EndpointResult> {
        Box::pin(async move {
            match call {
                EndpointCall::Http(c) => self.http(c).await,
                EndpointCall::Lambda(c) => self.lambda(c).await,
            }
        })
    }

    fn describe(&self) -> String {
        match (&self.redirect, &self.lambda_endpoint) {
            (Some(a), _) => format!("http (to {a})"),
            (None, Some(e)) => format!("lambda Invoke API at {e}"),
            (None, None) => "http".to_string(),
        }
    }
}
