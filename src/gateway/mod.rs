//! The API Gateway model: the method request, the variables mapping templates see, JSONPath
//! in the Jayway dialect, and `$util`. The TUI and the headless commands share it.
//!
//! The gateway owns its ports: [`endpoint`] defines the [`endpoint::Backend`] trait and the
//! call/result types; `backend/` implements them and `session/` feeds runs. Arrows run one
//! way: `vtl <- gateway <- backend <- session <- {serve, import, app, cli}`; nothing here
//! imports `backend`, `session`, `serve`, `import`, `app`, `ui`, `runtime` or `cli`.

pub mod api;
pub mod authorizer;
pub mod aws_service;
pub mod cognito;
pub mod config;
pub mod endpoint;
pub mod exec_log;
pub mod json;
pub mod jsonpath;
pub mod mapping;
pub mod pipeline;
pub mod proxy;
pub mod request;
pub mod routing;
pub mod settings;
pub mod sigv4;
pub mod trace;
pub mod util;
pub mod validate;
pub mod variables;

pub use request::{MAX_PAYLOAD_BYTES, MethodRequest, RequestError};
pub use variables::{Overrides, template_context};

/// Replace `${Name}` in `text` by `values[Name]`; names without a (non-empty) value, and
/// `${stageVariables.*}` (the gateway's own), are left as written.
pub fn substitute_values(text: &str, values: &indexmap::IndexMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('}') else {
            rest = &rest[i..];
            break;
        };
        let name = &rest[i + 2..i + end];
        match values.get(name) {
            Some(v) if !v.is_empty() && !name.starts_with("stageVariables.") => out.push_str(v),
            _ => out.push_str(&rest[i..=i + end]),
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

use crate::vtl::{Context, Policy};

/// Which side of an integration a mapping template transforms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// An integration request template: `$input` reads the method request body.
    Request,
    /// An integration response template: `$input` reads the integration response body,
    /// `$input.params()` still reads the method request.
    Response,
}

/// Why a mapping template could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The request is malformed.
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The integration response is malformed.
    #[error("invalid integration response: {0}")]
    Response(String),
    /// The payload is over API Gateway's 10 MB limit.
    #[error(
        "the payload is {0} bytes, over API Gateway's 10 MB limit: the gateway answers 413 {{\"message\":\"Request Too Long\"}} without running any template"
    )]
    TooLarge(usize),
}

/// Everything needed to render one mapping template as API Gateway does: the policy, and a
/// factory for fresh variables (each render may change them).
pub struct MappingSetup {
    /// The gateway's rendering rules.
    pub policy: Policy,
    request: std::sync::Arc<MethodRequest>,
    payload: Vec<u8>,
}

impl MappingSetup {
    /// Fresh template variables, plus handles on the override maps.
    pub fn context(&self) -> (Context, Overrides) {
        let (ctx, overrides) = variables::template_context_for(
            &self.request,
            &self.payload,
            None,
            variables::Reach::ALL,
        );
        (ctx, overrides.unwrap_or_default())
    }
}

/// Set up a mapping template render from a template case's `request` (and, for the response
/// phase, its `integrationResponse`: `{"statusCode", "headers", "body"}`). Template cases and
/// `gatebench render --request` write requests this way; the workbench's preview builds its
/// method request with [`pipeline::preview_method_request`] and uses [`MappingSetup::new`].
pub fn mapping_setup(
    request: &serde_json::Value,
    phase: Phase,
    integration_response: Option<&serde_json::Value>,
) -> Result<MappingSetup, SetupError> {
    let request = MethodRequest::from_case_json(request)?;
    MappingSetup::new(std::sync::Arc::new(request), phase, integration_response)
}

impl MappingSetup {
    /// Set up a render against a method request (and, for the response phase, an
    /// integration response `{"statusCode", "headers", "body"}`).
    pub fn new(
        request: std::sync::Arc<MethodRequest>,
        phase: Phase,
        integration_response: Option<&serde_json::Value>,
    ) -> Result<MappingSetup, SetupError> {
        let payload = match phase {
            Phase::Request => request.body.clone().unwrap_or_default(),
            Phase::Response => match integration_response {
                None => Vec::new(),
                Some(ir) => match ir.get("body") {
                    None | Some(serde_json::Value::Null) => Vec::new(),
                    Some(serde_json::Value::String(s)) => s.clone().into_bytes(),
                    Some(other) => {
                        return Err(SetupError::Response(format!(
                            "body must be a string, found {other}"
                        )));
                    }
                },
            },
        };
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(SetupError::TooLarge(payload.len()));
        }
        Ok(MappingSetup {
            policy: Policy::api_gateway(),
            request,
            payload,
        })
    }
}
