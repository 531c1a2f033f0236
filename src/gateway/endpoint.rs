//! The gateway's port to whatever answers an integration: the [`Backend`] trait and the
//! call and result types it speaks. The gateway defines them; `backend/` implements them
//! (real HTTP, Lambda, canned answers, echo), so the gateway never imports a backend.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::trace::HttpMessage;

/// A boxed future (backends are used as trait objects).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the gateway asks a backend to do.
#[derive(Clone, Debug)]
pub enum EndpointCall {
    /// An HTTP request (HTTP, HTTP_PROXY and AWS service integrations).
    Http(HttpCall),
    /// A synchronous Lambda invocation (AWS with a Lambda URI, AWS_PROXY).
    Lambda(LambdaCall),
}

/// An HTTP request to send.
#[derive(Clone, Debug)]
pub struct HttpCall {
    /// Method.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// The integration timeout.
    pub timeout: Duration,
}

/// A Lambda invocation.
#[derive(Clone, Debug)]
pub struct LambdaCall {
    /// The function ARN or name (from the integration URI).
    pub function: String,
    /// The invocation payload (the rendered template, or the proxy event).
    pub payload: Vec<u8>,
    /// Whether this is a proxy (AWS_PROXY) invocation.
    pub proxy: bool,
    /// The integration timeout.
    pub timeout: Duration,
}

/// A Lambda invocation's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LambdaResult {
    /// HTTP status of the Invoke API call.
    pub status: u16,
    /// Response headers of the Invoke API call.
    pub headers: Vec<(String, String)>,
    /// The function's result or error object.
    pub payload: Vec<u8>,
    /// `Some("Unhandled")` (or another type) when the function raised.
    pub function_error: Option<String>,
}

/// Why a backend call failed before any answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// Nothing answered within the integration timeout.
    Timeout,
    /// The connection was refused or reset.
    Connect,
    /// The host name did not resolve.
    Dns,
    /// TLS failed.
    Tls,
    /// The endpoint URI is invalid or there is nowhere to send the call.
    InvalidEndpoint,
    /// The integration response is larger than the gateway accepts
    /// ([`MAX_INTEGRATION_RESPONSE_BYTES`]); the gateway answers 500.
    ResponseTooLarge,
    /// Any other failure.
    Other,
}

/// Largest integration response the gateway reads (10 MB, the payload quota); a larger one
/// is answered with 500 `Internal server error`.
pub const MAX_INTEGRATION_RESPONSE_BYTES: usize = 10 * 1024 * 1024;

/// Largest synchronous Lambda result (6 MB as Lambda counts it: 6,291,556 bytes); a larger
/// one is Lambda's `Function.ResponseSizeTooLarge` function error.
pub const MAX_LAMBDA_RESPONSE_BYTES: usize = 6_291_556;

impl LambdaResult {
    /// A function error as Lambda's Invoke API reports it: HTTP 200,
    /// `X-Amz-Function-Error: Unhandled`, the error object as payload.
    pub fn function_error(error_type: &str, error_message: &str) -> LambdaResult {
        let payload = serde_json::json!({
            "errorMessage": error_message,
            "errorType": error_type,
        });
        LambdaResult {
            status: 200,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-Amz-Function-Error".into(), "Unhandled".into()),
            ],
            payload: payload.to_string().into_bytes(),
            function_error: Some("Unhandled".into()),
        }
    }

    /// Lambda's answer to a result over [`MAX_LAMBDA_RESPONSE_BYTES`] (`size`: its length
    /// when known).
    pub fn response_too_large(size: Option<u64>) -> LambdaResult {
        let message = match size {
            Some(n) => format!(
                "Response payload size ({n} bytes) exceeded maximum allowed payload size ({MAX_LAMBDA_RESPONSE_BYTES} bytes)."
            ),
            None => format!(
                "Response payload size exceeded maximum allowed payload size ({MAX_LAMBDA_RESPONSE_BYTES} bytes)."
            ),
        };
        LambdaResult::function_error("Function.ResponseSizeTooLarge", &message)
    }
}

/// What the backend answered.
#[derive(Clone, Debug)]
pub enum EndpointResult {
    /// An HTTP response.
    Http(HttpMessage),
    /// A Lambda result or function error.
    Lambda(LambdaResult),
    /// No answer.
    Failed {
        /// The kind of failure.
        kind: FailureKind,
        /// The real error, for the log.
        message: String,
    },
}

/// A backend.
pub trait Backend: Send + Sync {
    /// Perform one call.
    fn call(&self, call: EndpointCall) -> BoxFuture<'_, EndpointResult>;

    /// A short description for the workbench ("echo", "canned", "http", ...).
    fn describe(&self) -> String;
}
