//! Backends behind an integration, all behind one trait: real HTTP (reqwest), a Lambda Invoke
//! API endpoint, canned answers written in a session, and the built-in echo (a loopback HTTP
//! echo server and an echo function). Only this module touches the network.

#[cfg(feature = "aws")]
pub mod aws;
pub mod echo;
pub mod http;
pub mod local;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::gateway::trace::HttpMessage;

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

/// A canned answer: the backend's status, headers and body, or a Lambda result or error.
#[derive(Clone, Debug, Default)]
pub struct CannedBackend {
    /// Answer to HTTP calls.
    pub http: HttpMessage,
    /// Lambda result payload.
    pub lambda_payload: Vec<u8>,
    /// Lambda function error (`Unhandled`) with `lambda_payload` as the error object.
    pub lambda_error: Option<String>,
}

impl Backend for CannedBackend {
    fn call(&self, call: EndpointCall) -> BoxFuture<'_, EndpointResult> {
        let result = match call {
            EndpointCall::Http(_) => EndpointResult::Http(self.http.clone()),
            EndpointCall::Lambda(_) => EndpointResult::Lambda(LambdaResult {
                status: 200,
                headers: {
                    let mut h = vec![("Content-Type".to_string(), "application/json".to_string())];
                    if let Some(e) = &self.lambda_error {
                        h.push(("X-Amz-Function-Error".to_string(), e.clone()));
                    }
                    h
                },
                payload: self.lambda_payload.clone(),
                function_error: self.lambda_error.clone(),
            }),
        };
        Box::pin(async move { result })
    }

    fn describe(&self) -> String {
        "canned".to_string()
    }
}

/// A function name from a Lambda integration URI or ARN:
/// `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/arn:aws:lambda:REGION:ACCT:function:NAME/invocations`.
pub fn lambda_function_name(uri_or_arn: &str) -> String {
    let arn = uri_or_arn
        .split_once("/functions/")
        .map_or(uri_or_arn, |(_, rest)| rest);
    let arn = arn.strip_suffix("/invocations").unwrap_or(arn);
    match arn.split_once(":function:") {
        Some((_, name)) => name.split(':').next().unwrap_or(name).to_string(),
        None => arn.to_string(),
    }
}

/// Install the TLS crypto provider reqwest needs (harmless when already installed).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The backend a session asks for. `dir` is the session file's folder (relative paths in a
/// local function's command are resolved there).
pub fn for_session(
    config: &crate::session::BackendConfig,
    dir: Option<&std::path::Path>,
) -> Box<dyn Backend> {
    use crate::session::BackendConfig;
    match config {
        BackendConfig::Echo => Box::new(echo::EchoBackend::new()),
        BackendConfig::Canned {
            status,
            headers,
            body,
            lambda_error,
        } => {
            let body_bytes = body.clone().unwrap_or_default().into_bytes();
            let (lambda_payload, error) = match lambda_error {
                Some(e) => (e.clone().into_bytes(), Some("Unhandled".to_string())),
                None => (body_bytes.clone(), None),
            };
            Box::new(CannedBackend {
                http: HttpMessage {
                    status: status.unwrap_or(200),
                    headers: headers
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    body: body_bytes,
                    ..HttpMessage::default()
                },
                lambda_payload,
                lambda_error: error,
            })
        }
        BackendConfig::Http => Box::new(http::HttpBackend::new()),
        BackendConfig::Lambda { endpoint, function } => {
            Box::new(http::HttpBackend::new().with_lambda_endpoint(endpoint, function.clone()))
        }
        #[cfg(feature = "aws")]
        BackendConfig::AwsLambda { region, profile } => {
            Box::new(aws::AwsLambdaBackend::new(region.clone(), profile.clone()))
        }
        #[cfg(not(feature = "aws"))]
        BackendConfig::AwsLambda { .. } => Box::new(UnavailableBackend(
            "real AWS Lambda needs a gatebench built with `--features aws`".to_string(),
        )),
        BackendConfig::Local { command } => Box::new(local::LocalBackend::new(
            command.clone(),
            "function",
            dir.map(std::path::Path::to_path_buf),
        )),
    }
}

/// A backend that cannot run; every call fails with its reason.
pub struct UnavailableBackend(pub String);

impl Backend for UnavailableBackend {
    fn call(&self, _call: EndpointCall) -> BoxFuture<'_, EndpointResult> {
        let message = self.0.clone();
        Box::pin(async move {
            EndpointResult::Failed {
                kind: FailureKind::InvalidEndpoint,
                message,
            }
        })
    }

    fn describe(&self) -> String {
        "unavailable".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_from_uris() {
        assert_eq!(
            lambda_function_name(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fn/invocations"
            ),
            "fn"
        );
        assert_eq!(
            lambda_function_name("arn:aws:lambda:us-east-1:1:function:my-fn:live"),
            "my-fn"
        );
        assert_eq!(lambda_function_name("plain"), "plain");
    }
}
