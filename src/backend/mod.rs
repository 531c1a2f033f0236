//! Backends behind an integration, all implementing the gateway's port
//! ([`crate::gateway::endpoint::Backend`], re-exported here): real HTTP (reqwest), a Lambda
//! Invoke API endpoint, canned answers written in a session, and the built-in echo (a loopback
//! HTTP echo server and an echo function). Which one a session uses is a [`BackendConfig`]
//! (owned here, held by the session file). Only this module touches the network.
//!
//! Arrows: `backend` imports `gateway` (the port it implements), never `session`.

#[cfg(feature = "aws")]
pub mod aws;
pub mod aws_local;
pub mod compare;
pub mod echo;
pub mod http;
pub mod local;

pub mod config;

pub use crate::gateway::endpoint::{
    Backend, BoxFuture, EndpointCall, EndpointResult, FailureKind, HttpCall, LambdaCall,
    LambdaResult, MAX_INTEGRATION_RESPONSE_BYTES, MAX_LAMBDA_RESPONSE_BYTES,
};
pub use config::BackendConfig;

use crate::gateway::trace::HttpMessage;

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
pub fn for_session(config: &BackendConfig, dir: Option<&std::path::Path>) -> Box<dyn Backend> {
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
        BackendConfig::AwsLocal {
            endpoint,
            start,
            command,
            seed,
        } => Box::new(aws_local::AwsLocalBackend::new(
            endpoint.clone(),
            *start,
            command.clone(),
            seed.clone(),
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
