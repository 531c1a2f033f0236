//! The request's trip through the gateway as explicit stages (routing, authorization, method
//! request, integration request, backend, integration response, method response), producing
//! a [`Trace`] that the workbench steps through and `gatebench run` prints. One model for all
//! five integration types; backends are behind [`Backend`].
//!
//! This file keeps the public face (client request, run options, the method request builder
//! [`method_request`], gateway errors, [`run`], [`test_invoke`]) and the trip's spine
//! (routing, method request, dispatch). The stages live in its children, whose arrows run
//! one way: `non_proxy` (MOCK/HTTP/AWS) → `response` (integration response) → `call`
//! (the endpoint call and breakpoint); `aws_proxy` and `http_proxy` → `call`; the leaves
//! `templates` (template cache and renders) and `uri` (URI filling) use only this file;
//! `auth` (API keys, Lambda authorizers, the [`AuthState`] cache) runs the authorization
//! stage and hands Cognito tokens to `cognito` and SigV4 signatures to `iam`.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};

use super::api::{Api, ContentHandling, Integration, IntegrationType, Method};
use super::endpoint::{Backend, EndpointCall, EndpointResult, FailureKind, HttpCall, LambdaCall};
use super::exec_log::{ExecLog, amz_date, clf_timestamp, java_map, java_map_pairs};
use super::mapping::{self, IntegrationParams, RequestTemplateChoice, Sources};
use super::proxy;
use super::request::{MAX_PAYLOAD_BYTES, MethodRequest};
use super::routing::{self, Route};
use super::trace::{HttpMessage, RenderedTemplate, Stage, StageOutcome, StageRecord, Trace};
use super::validate;
use super::variables::{Reach, template_context_for, to_json};
use crate::vtl::{Template, VtlError};

mod auth;
mod aws_proxy;
mod call;
mod cognito;
mod http_proxy;
mod iam;
mod non_proxy;
mod response;
mod templates;
mod uri;

pub use auth::AuthState;
pub use call::trace_id;
pub use non_proxy::mock_status;
pub use templates::{render_template, render_template_until};

/// A client request as it arrives at the gateway.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientRequest {
    /// HTTP method.
    pub method: String,
    /// URL path as sent (with the stage prefix when the API is deployed to a stage).
    pub path: String,
    /// Raw query string (percent-encoded, no `?`).
    pub raw_query: String,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl ClientRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request paused at the breakpoint: the integration request is rendered and the endpoint
/// is about to be called (for MOCK: the mock is about to answer).
#[derive(Clone, Debug)]
pub struct Paused {
    /// The id given in [`Intercept::id`].
    pub id: u64,
    /// The request as received.
    pub request: ClientRequest,
    /// The trip so far (stages up to the integration request, the log so far).
    pub trace: Trace,
    /// What is about to be sent to the endpoint (for MOCK: the rendered template as body).
    pub endpoint_request: HttpMessage,
    /// The integration timeout left: when it runs out while paused, the client gets the
    /// gateway's integration timeout answer (504).
    pub time_left: Duration,
}

/// How a paused request goes on.
#[derive(Clone, Debug)]
pub enum Resume {
    /// Call the endpoint with the request as rendered.
    Continue,
    /// Run the request again from the start through this API (edited since the pause),
    /// then call the endpoint without pausing; the time already paused still counts
    /// against the integration timeout.
    Rerun(std::sync::Arc<Api>),
}

/// Called when a request reaches the breakpoint; the run waits on the receiver until it
/// answers or the integration timeout runs out (a dropped sender means [`Resume::Continue`]).
pub type InterceptHook =
    std::sync::Arc<dyn Fn(Paused) -> tokio::sync::oneshot::Receiver<Resume> + Send + Sync>;

/// A breakpoint for one run: pause before the endpoint is called.
#[derive(Clone)]
pub struct Intercept {
    /// Passed back in [`Paused::id`].
    pub id: u64,
    /// Who is told.
    pub hook: InterceptHook,
}

impl std::fmt::Debug for Intercept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Intercept").field("id", &self.id).finish()
    }
}

/// What happened at the breakpoint.
enum AtBreakpoint {
    /// Go on (the endpoint call gets what is left of the timeout).
    Go,
    /// Start over with another API.
    Rerun(std::sync::Arc<Api>),
    /// The integration timeout ran out while paused: the client has been answered.
    TimedOut,
}

/// Values that make a run reproducible: ids, time, caller.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// `$context.requestId`.
    pub request_id: String,
    /// Request time, milliseconds since the epoch.
    pub now_ms: u64,
    /// `$context.identity.sourceIp`.
    pub source_ip: String,
    /// `$context.accountId`.
    pub account_id: String,
    /// `$context` values that replace the defaults (from the session).
    pub context: Map<String, Json>,
    /// Pause before the endpoint call (listen mode's breakpoint).
    pub intercept: Option<Intercept>,
    /// Write the console execution log (off for a headless server, where nobody reads it).
    pub execution_log: bool,
    /// Where template renders run: `None` renders on the calling thread; listen mode hands
    /// them to a pool of threads with large stacks, off the async workers, so a slow
    /// template costs its own request only.
    pub offload: Option<Offload>,
    /// Cached authorizer answers and usage plan counters, owned by whoever runs requests (a
    /// server, the workbench, one `gatebench run`); the default is a fresh, empty one.
    pub auth_state: AuthState,
}

/// A piece of CPU work handed to [`Offload`].
pub type Job = Box<dyn FnOnce() + Send + 'static>;

/// Runs [`Job`]s somewhere else (listen mode: its render pool). The job must run exactly
/// once; a job that is dropped unrun answers its request with a render error.
#[derive(Clone)]
pub struct Offload(pub std::sync::Arc<dyn Fn(Job) + Send + Sync>);

impl std::fmt::Debug for Offload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Offload")
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let n = now.as_nanos();
        RunOptions {
            request_id: format!(
                "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                (n >> 32) as u32,
                (n >> 16) as u16,
                (n >> 4) as u16 & 0xfff,
                (n >> 8) as u16 & 0xfff,
                n as u64 & 0xffff_ffff_ffff
            ),
            now_ms: u64::try_from(now.as_millis()).unwrap_or(0),
            source_ip: "127.0.0.1".to_string(),
            account_id: "123456789012".to_string(),
            context: Map::new(),
            intercept: None,
            execution_log: true,
            offload: None,
            auth_state: AuthState::default(),
        }
    }
}

/// The `$context` of a request that reached `route`, as runs, `serve` and the workbench's live
/// preview all build it (the preview passes its own request id and time in `opts`).
pub fn method_context(
    api: &Api,
    opts: &RunOptions,
    request: &ClientRequest,
    route: &Route,
) -> Map<String, Json> {
    let api_id = &api.api_id;
    let stage_path = match &api.stage {
        Some(s) => format!("/{s}{}", route.raw_path_after_stage),
        None => route.raw_path_after_stage.clone(),
    };
    let user_agent = request.header("User-Agent").map(str::to_string);
    let mut m = Map::new();
    m.insert(
        "resourceId".into(),
        json!(format!("{:06x}", fxhash(&route.resource_path) & 0xff_ffff)),
    );
    m.insert("resourcePath".into(), json!(route.resource_path));
    m.insert("httpMethod".into(), json!(request.method));
    m.insert(
        "extendedRequestId".into(),
        json!(format!(
            "{}=",
            &opts.request_id.replace('-', "")[..14.min(opts.request_id.len())]
        )),
    );
    m.insert("requestTime".into(), json!(clf_timestamp(opts.now_ms)));
    m.insert("path".into(), json!(stage_path));
    m.insert("accountId".into(), json!(opts.account_id));
    m.insert("protocol".into(), json!("HTTP/1.1"));
    if let Some(s) = &api.stage {
        m.insert("stage".into(), json!(s));
    }
    m.insert("domainPrefix".into(), json!(api_id));
    m.insert("requestTimeEpoch".into(), json!(opts.now_ms));
    m.insert("requestId".into(), json!(opts.request_id));
    m.insert(
        "identity".into(),
        json!({
            "cognitoIdentityPoolId": null, "accountId": null, "cognitoIdentityId": null, "caller": null,
            "sourceIp": opts.source_ip, "principalOrgId": null, "accessKey": null,
            "cognitoAuthenticationType": null, "cognitoAuthenticationProvider": null, "userArn": null,
            "userAgent": user_agent, "user": null
        }),
    );
    m.insert(
        "domainName".into(),
        json!(format!("{api_id}.execute-api.us-east-1.amazonaws.com")),
    );
    m.insert("deploymentId".into(), json!("d1e2f3"));
    m.insert("apiId".into(), json!(api_id));
    for (k, v) in &opts.context {
        m.insert(k.clone(), v.clone());
    }
    m
}

/// The method request `request` becomes once routed to `route`: the one builder runs,
/// `serve` and the workbench's preview share ([`preview_method_request`]).
pub fn method_request(
    api: &Api,
    opts: &RunOptions,
    request: &ClientRequest,
    route: &Route,
) -> MethodRequest {
    MethodRequest {
        method: request.method.clone(),
        resource: route.resource_path.clone(),
        path: route.path.clone(),
        path_parameters: route.path_parameters.clone(),
        headers: request.headers.clone(),
        query: parse_query(&request.raw_query),
        body: (!request.body.is_empty()).then(|| request.body.clone()),
        stage_variables: api.stage_variables.clone().unwrap_or_default(),
        context: method_context(api, opts, request, route),
    }
}

/// The method request the workbench's live preview renders templates against: exactly
/// [`method_request`] (the preview passes its own request id and time in `opts`). A request
/// that reaches no method (a run answers 403 before any template) gets the basics: its
/// method, path, headers, query string and body, and a `$context` with `httpMethod`, `path`,
/// `resourcePath` (empty) and `requestId` (then `opts.context`).
pub fn preview_method_request(
    api: &Api,
    opts: &RunOptions,
    request: &ClientRequest,
) -> MethodRequest {
    if let Some(route) = routing::route(api, &request.method, &request.path) {
        return method_request(api, opts, request, &route);
    }
    let mut context = Map::new();
    context.insert("resourcePath".into(), json!(""));
    context.insert("httpMethod".into(), json!(request.method));
    context.insert("path".into(), json!(request.path));
    context.insert("requestId".into(), json!(opts.request_id));
    for (k, v) in &opts.context {
        context.insert(k.clone(), v.clone());
    }
    MethodRequest {
        method: request.method.clone(),
        resource: String::new(),
        path: routing::strip_stage(&request.path, api.stage.as_deref())
            .unwrap_or_else(|| request.path.clone()),
        path_parameters: IndexMap::new(),
        headers: request.headers.clone(),
        query: parse_query(&request.raw_query),
        body: (!request.body.is_empty()).then(|| request.body.clone()),
        stage_variables: api.stage_variables.clone().unwrap_or_default(),
        context,
    }
}

/// The gateway's own error responses (gateway responses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GatewayError {
    /// No route: 403 Missing Authentication Token.
    MissingAuthenticationToken,
    /// Required parameters missing: 400.
    BadRequestParameters,
    /// Body fails the model: 400.
    BadRequestBody,
    /// No template and passthrough refused: 415.
    UnsupportedMediaType,
    /// Payload over 10 MB: 413.
    RequestTooLarge,
    /// A configuration error (invalid endpoint, bad mapping, no default response): 500.
    ApiConfiguration,
    /// The backend did not answer in time: 504.
    IntegrationTimeout,
    /// The backend could not be reached: 502.
    IntegrationFailure,
    /// Malformed Lambda proxy response or function error: 502.
    BadGateway,
    /// Missing or invalid identity, or the authorizer said `Unauthorized`: 401.
    Unauthorized,
    /// A Cognito token past its `exp`: 401 `The incoming token has expired` (UNAUTHORIZED).
    TokenExpired,
    /// A SigV4 `Authorization` header that lacks parts: 403 (INVALID_SIGNATURE).
    IncompleteSignature,
    /// A SigV4 signature that does not verify, or a request time too far off: 403.
    InvalidSignature,
    /// An access key the session does not know: 403.
    UnrecognizedClient,
    /// The authorizer's policy does not allow the method: 403.
    AccessDenied,
    /// The authorizer could not be called: 500.
    AuthorizerFailure,
    /// The authorizer's answer is unusable (or it raised): 500.
    AuthorizerConfiguration,
    /// Missing, unknown or unplanned API key: 403 Forbidden.
    InvalidApiKey,
    /// Over the usage plan's throttle: 429.
    Throttled,
    /// Over the usage plan's quota: 429.
    QuotaExceeded,
}

impl GatewayError {
    fn response_type(self) -> &'static str {
        match self {
            GatewayError::MissingAuthenticationToken => "MISSING_AUTHENTICATION_TOKEN",
            GatewayError::BadRequestParameters => "BAD_REQUEST_PARAMETERS",
            GatewayError::BadRequestBody => "BAD_REQUEST_BODY",
            GatewayError::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            GatewayError::RequestTooLarge => "REQUEST_TOO_LARGE",
            GatewayError::ApiConfiguration | GatewayError::BadGateway => "DEFAULT_5XX",
            GatewayError::IntegrationTimeout => "INTEGRATION_TIMEOUT",
            GatewayError::IntegrationFailure => "INTEGRATION_FAILURE",
            GatewayError::Unauthorized | GatewayError::TokenExpired => "UNAUTHORIZED",
            GatewayError::IncompleteSignature
            | GatewayError::InvalidSignature
            | GatewayError::UnrecognizedClient => "INVALID_SIGNATURE",
            GatewayError::AccessDenied => "ACCESS_DENIED",
            GatewayError::AuthorizerFailure => "AUTHORIZER_FAILURE",
            GatewayError::AuthorizerConfiguration => "AUTHORIZER_CONFIGURATION_ERROR",
            GatewayError::InvalidApiKey => "INVALID_API_KEY",
            GatewayError::Throttled => "THROTTLED",
            GatewayError::QuotaExceeded => "QUOTA_EXCEEDED",
        }
    }

    fn status(self) -> u16 {
        match self {
            GatewayError::MissingAuthenticationToken => 403,
            GatewayError::BadRequestParameters | GatewayError::BadRequestBody => 400,
            GatewayError::UnsupportedMediaType => 415,
            GatewayError::RequestTooLarge => 413,
            GatewayError::ApiConfiguration => 500,
            GatewayError::IntegrationTimeout => 504,
            GatewayError::IntegrationFailure => 504,
            GatewayError::BadGateway => 502,
            GatewayError::Unauthorized | GatewayError::TokenExpired => 401,
            GatewayError::AccessDenied | GatewayError::InvalidApiKey => 403,
            GatewayError::IncompleteSignature
            | GatewayError::InvalidSignature
            | GatewayError::UnrecognizedClient => 403,
            GatewayError::AuthorizerFailure | GatewayError::AuthorizerConfiguration => 500,
            GatewayError::Throttled | GatewayError::QuotaExceeded => 429,
        }
    }

    fn error_type(self) -> Option<&'static str> {
        match self {
            GatewayError::MissingAuthenticationToken => Some("MissingAuthenticationTokenException"),
            GatewayError::ApiConfiguration => Some("InternalServerErrorException"),
            GatewayError::BadRequestParameters | GatewayError::BadRequestBody => {
                Some("BadRequestException")
            }
            GatewayError::UnsupportedMediaType => Some("UnsupportedMediaTypeException"),
            GatewayError::RequestTooLarge => Some("RequestTooLongException"),
            GatewayError::Unauthorized | GatewayError::TokenExpired => {
                Some("UnauthorizedException")
            }
            GatewayError::AccessDenied => Some("AccessDeniedException"),
            GatewayError::IncompleteSignature => Some("IncompleteSignatureException"),
            GatewayError::InvalidSignature => Some("InvalidSignatureException"),
            GatewayError::UnrecognizedClient => Some("UnrecognizedClientException"),
            GatewayError::AuthorizerConfiguration | GatewayError::AuthorizerFailure => {
                Some("AuthorizerConfigurationException")
            }
            GatewayError::InvalidApiKey => Some("ForbiddenException"),
            GatewayError::Throttled => Some("TooManyRequestsException"),
            GatewayError::QuotaExceeded => Some("LimitExceededException"),
            _ => None,
        }
    }
}

/// One run in progress.
struct Run<'a> {
    api: &'a Api,
    opts: &'a RunOptions,
    backend: &'a dyn Backend,
    log: ExecLog,
    trace: Trace,
    test_invoke: bool,
    /// The request (for the breakpoint).
    request: Option<&'a ClientRequest>,
    /// Time spent paused at the breakpoint (counts against the integration timeout).
    paused: Duration,
    /// Whether the breakpoint is still armed.
    armed: bool,
    /// Set when a paused request is to run again through another API.
    rerun: Option<std::sync::Arc<Api>>,
}

/// Run one request through the API the way the gateway would.
pub async fn run(
    api: &Api,
    request: &ClientRequest,
    backend: &dyn Backend,
    opts: &RunOptions,
) -> Trace {
    let mut current: Option<std::sync::Arc<Api>> = None;
    let mut paused = Duration::ZERO;
    loop {
        let mut run = Run {
            api: current.as_deref().unwrap_or(api),
            opts,
            backend,
            log: if opts.execution_log {
                ExecLog::new(&opts.request_id, opts.now_ms)
            } else {
                ExecLog::off()
            },
            trace: Trace::default(),
            test_invoke: false,
            request: Some(request),
            paused,
            armed: current.is_none() && opts.intercept.is_some(),
            rerun: None,
        };
        run.execute(request).await;
        match run.rerun.take() {
            Some(next) => {
                paused = run.paused;
                current = Some(next);
            }
            None => {
                if !run.paused.is_zero() {
                    let note = format!(
                        "paused at the breakpoint for {} ms{}",
                        run.paused.as_millis(),
                        if current.is_some() {
                            "; run again with the edited session"
                        } else {
                            ""
                        }
                    );
                    if let Some(r) = run
                        .trace
                        .stages
                        .iter_mut()
                        .find(|r| r.stage == Stage::Backend)
                    {
                        r.notes.push(note);
                    } else {
                        run.stage(Stage::Backend, StageOutcome::Skipped, vec![note]);
                    }
                }
                return run.finish();
            }
        }
    }
}

/// A console Test (`TestInvokeMethod`) request.
#[derive(Clone, Debug, Default)]
pub struct TestInvoke {
    /// The resource template, e.g. `/pets/{petId}`.
    pub resource_path: String,
    /// The method to test.
    pub http_method: String,
    /// `pathWithQueryString` (`None`: the resource template itself is the path).
    pub path_with_query: Option<String>,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

/// A console Test (`TestInvokeMethod`): no stage, the resource chosen directly, the path
/// taken from `pathWithQueryString` (or the resource template itself).
pub async fn test_invoke(
    api: &Api,
    invoke: TestInvoke,
    backend: &dyn Backend,
    opts: &RunOptions,
) -> Trace {
    let TestInvoke {
        resource_path,
        http_method,
        path_with_query,
        headers,
        body,
    } = invoke;
    let (resource_path, http_method, path_with_query) = (
        resource_path.as_str(),
        http_method.as_str(),
        path_with_query.as_deref(),
    );
    let mut api = api.clone();
    api.stage = None;
    api.stage_variables = None;
    let (path, query) = match path_with_query {
        Some(p) => p
            .split_once('?')
            .map_or((p.to_string(), String::new()), |(a, b)| {
                (a.to_string(), b.to_string())
            }),
        None => (resource_path.to_string(), String::new()),
    };
    let mut run = Run {
        api: &api,
        opts,
        backend,
        log: ExecLog::new(&opts.request_id, opts.now_ms),
        trace: Trace::default(),
        test_invoke: true,
        request: None,
        paused: Duration::ZERO,
        armed: false,
        rerun: None,
    };
    let request = ClientRequest {
        method: http_method.to_string(),
        path: path.clone(),
        raw_query: query,
        headers,
        body,
    };
    let route = api
        .resources
        .iter()
        .position(|r| r.path == resource_path)
        .and_then(|i| {
            let res = &api.resources[i];
            let key = if res.methods.contains_key(http_method) {
                http_method
            } else {
                "ANY"
            };
            res.methods.contains_key(key).then(|| Route {
                resource: i,
                method_key: key.to_string(),
                resource_path: res.path.clone(),
                path: path.clone(),
                raw_path_after_stage: path.clone(),
                path_parameters: if path_with_query.is_none() {
                    routing::match_template(resource_path, resource_path).unwrap_or_default()
                } else {
                    routing::match_template(resource_path, &path).unwrap_or_default()
                },
            })
        });
    match route {
        Some(r) => run.execute_routed(&request, r).await,
        None => run.gateway_error(
            GatewayError::MissingAuthenticationToken,
            "no such resource or method",
        ),
    }
    run.finish()
}

/// Decode a raw query string the way the gateway does (form decoding).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8_lossy()
        .into_owned()
}

fn stage_record(stage: Stage, outcome: StageOutcome, notes: Vec<String>) -> StageRecord {
    StageRecord {
        stage,
        outcome,
        notes,
    }
}

fn region_of(uri: &str) -> &str {
    uri.split(':')
        .nth(3)
        .filter(|r| !r.is_empty())
        .unwrap_or("us-east-1")
}

fn is_lambda_uri(uri: &str) -> bool {
    uri.contains(":lambda:path/") || uri.starts_with("arn:aws:lambda:")
}

/// A binary media type entry matches a type: exact, or `type/*` on the right side.
fn media_type_matches(entry: &str, mime: &str) -> bool {
    let entry = entry.trim().to_ascii_lowercase();
    if entry == mime {
        return true;
    }
    match (entry.split_once('/'), mime.split_once('/')) {
        (Some((et, "*")), Some((mt, _))) => et != "*" && et == mt,
        _ => false,
    }
}

impl Run<'_> {
    fn finish(mut self) -> Trace {
        // Every stage gets a record, in order.
        let mut stages = Vec::new();
        for s in Stage::ALL {
            match self.trace.stages.iter().find(|r| r.stage == s) {
                Some(r) => stages.push(r.clone()),
                None => stages.push(stage_record(s, StageOutcome::Skipped, Vec::new())),
            }
        }
        self.trace.stages = stages;
        self.trace.log = self.log.finish();
        self.trace
    }

    fn stage(&mut self, stage: Stage, outcome: StageOutcome, notes: Vec<String>) {
        self.trace.stages.push(stage_record(stage, outcome, notes));
    }

    fn common_headers(&self) -> Vec<(String, String)> {
        vec![
            ("x-amzn-RequestId".to_string(), self.opts.request_id.clone()),
            (
                "x-amz-apigw-id".to_string(),
                format!(
                    "{}=",
                    &self.opts.request_id[..8.min(self.opts.request_id.len())]
                ),
            ),
        ]
    }

    fn respond(&mut self, status: u16, mut headers: Vec<(String, String)>, body: Vec<u8>) {
        // A status the gateway cannot send (informational 1xx such as 101 Switching
        // Protocols, or outside HTTP's range), whether from an integration response, an
        // override or a proxy answer, is refused as a configuration error.
        if !(200..=599).contains(&status) {
            let why = format!("status {status} is not one the gateway sends (200-599)");
            let reason = format!("Invalid status code {status} for the method response");
            self.config_failure(Stage::MethodResponse, &why, &reason);
            return;
        }
        headers.extend(self.common_headers());
        self.log
            .line(format!("Method completed with status: {status}"));
        self.trace.response = HttpMessage {
            status,
            headers,
            body,
            ..HttpMessage::default()
        };
        let note = format!("{status}, {} bytes", self.trace.response.body.len());
        self.stage(Stage::MethodResponse, StageOutcome::Done, vec![note]);
    }

    /// Answer with a gateway response (customisable in `gatewayResponses`).
    fn gateway_error(&mut self, err: GatewayError, message: &str) {
        let default_message = match err {
            GatewayError::MissingAuthenticationToken => "Missing Authentication Token".to_string(),
            GatewayError::BadRequestParameters | GatewayError::BadRequestBody => {
                message.to_string()
            }
            GatewayError::UnsupportedMediaType => "Unsupported Media Type".to_string(),
            GatewayError::RequestTooLarge => "Request Too Long".to_string(),
            GatewayError::IntegrationTimeout => "Endpoint request timed out".to_string(),
            GatewayError::Unauthorized => "Unauthorized".to_string(),
            GatewayError::TokenExpired => "The incoming token has expired".to_string(),
            GatewayError::AccessDenied
            | GatewayError::IncompleteSignature
            | GatewayError::InvalidSignature
            | GatewayError::UnrecognizedClient => message.to_string(),
            GatewayError::InvalidApiKey => "Forbidden".to_string(),
            GatewayError::Throttled => "Too Many Requests".to_string(),
            GatewayError::QuotaExceeded => "Limit Exceeded".to_string(),
            _ => "Internal server error".to_string(),
        };
        // An authorizer's failure answers `{"message": null}` (AuthorizerConfigurationException).
        let null_message = matches!(
            err,
            GatewayError::AuthorizerFailure | GatewayError::AuthorizerConfiguration
        );
        let mut status = err.status();
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        if let Some(t) = err.error_type() {
            headers.push(("x-amzn-ErrorType".to_string(), t.to_string()));
        }
        let mut body = if null_message {
            json!({ "message": null }).to_string()
        } else {
            json!({ "message": default_message }).to_string()
        };
        let custom = self
            .api
            .gateway_responses
            .get(err.response_type())
            .or_else(|| {
                let family = if status < 500 {
                    "DEFAULT_4XX"
                } else {
                    "DEFAULT_5XX"
                };
                self.api.gateway_responses.get(family)
            })
            .cloned();
        if let Some(gr) = custom {
            if let Some(s) = gr.status_code.as_deref().and_then(|s| s.parse().ok()) {
                status = s;
            }
            for (k, v) in &gr.response_parameters {
                if let Some(name) = k.strip_prefix("gatewayresponse.header.") {
                    let value = v.trim_matches('\'').to_string();
                    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
                    headers.push((name.to_string(), value));
                }
            }
            if let Some(t) = gr.response_templates.get("application/json") {
                let quoted = if null_message {
                    "null".to_string()
                } else {
                    serde_json::to_string(&default_message).unwrap_or_default()
                };
                body = t
                    .replace("$context.error.messageString", &quoted)
                    .replace("$context.error.message", &default_message)
                    .replace("$context.requestId", &self.opts.request_id);
            }
        }
        if self
            .trace
            .stages
            .last()
            .is_some_and(|r| r.stage == Stage::Authorization)
            && let Some(auth) = self.trace.authorization.as_mut()
            && auth.failure.is_none()
        {
            auth.failure = Some(super::trace::AuthFailure {
                status,
                response_type: err.response_type().to_string(),
                why: message.to_string(),
            });
        }
        self.trace.stages.push(stage_record(
            Stage::MethodResponse,
            StageOutcome::Failed(format!("{} ({status}): {message}", err.response_type())),
            vec![format!(
                "gateway response {} -> {status}",
                err.response_type()
            )],
        ));
        headers.extend(self.common_headers());
        self.log
            .line(format!("Method completed with status: {status}"));
        self.trace.response = HttpMessage {
            status,
            headers,
            body: body.into_bytes(),
            ..HttpMessage::default()
        };
    }

    /// Header mappings API Gateway refuses at run time (500, backend not called); answers
    /// the client and returns false when one is present.
    fn header_mappings_allowed(&mut self, integration: &Integration) -> bool {
        let aws = matches!(
            integration.kind,
            IntegrationType::Aws | IntegrationType::AwsProxy
        );
        for target in integration.request_parameters.keys() {
            if let Some(name) = target.strip_prefix("integration.request.header.")
                && mapping::forbidden_request_header(name, aws)
            {
                let why = format!("the request parameter mapping to header {name} is not allowed");
                self.config_failure(Stage::IntegrationRequest, &why, &why);
                return false;
            }
        }
        true
    }

    /// End the request at `stage`: record why, log a line if given, and answer with the
    /// gateway response for `err`.
    fn fail(&mut self, stage: Stage, why: &str, log: Option<&str>, err: GatewayError) {
        self.stage(
            stage,
            StageOutcome::Failed(why.to_string()),
            vec![why.to_string()],
        );
        if let Some(line) = log {
            self.log.line(line);
        }
        self.gateway_error(err, why);
    }

    /// The integration's address is not one (the gateway answers 500).
    fn invalid_endpoint(&mut self, stage: Stage, uri: &str) {
        let mut notes = vec![format!("uri {uri:?}")];
        if uri.contains("${") {
            // Which names: each `${Name}` still in the URI (not the gateway's stage variables).
            let mut names: Vec<&str> = Vec::new();
            let mut rest = uri;
            while let Some(i) = rest.find("${") {
                let Some(end) = rest[i..].find('}') else {
                    break;
                };
                let whole = &rest[i..=i + end];
                if !whole.starts_with("${stageVariables.") && !names.contains(&whole) {
                    names.push(whole);
                }
                rest = &rest[i + end + 1..];
            }
            notes.push(format!(
                "{} left by an import has no value: set it under [values] in the session",
                if names.is_empty() {
                    "a ${Name}".to_string()
                } else {
                    names.join(", ")
                }
            ));
        }
        self.stage(
            stage,
            StageOutcome::Failed("invalid endpoint address".into()),
            notes,
        );
        self.config_error("Invalid endpoint address");
    }

    /// End the request at `stage` on a configuration error: `why` for the trace, `reason` for
    /// the log's `Execution failed due to configuration error: ...`, and the 500.
    fn config_failure(&mut self, stage: Stage, why: &str, reason: &str) {
        let log = format!("Execution failed due to configuration error: {reason}");
        self.fail(stage, why, Some(&log), GatewayError::ApiConfiguration);
    }

    fn config_error(&mut self, reason: &str) {
        self.log.line(format_args!(
            "Execution failed due to configuration error: {reason}"
        ));
        self.gateway_error(GatewayError::ApiConfiguration, reason);
    }

    async fn execute(&mut self, request: &ClientRequest) {
        if request.body.len() > MAX_PAYLOAD_BYTES {
            self.stage(
                Stage::Routing,
                StageOutcome::Failed("payload over 10 MB".into()),
                vec![],
            );
            self.gateway_error(
                GatewayError::RequestTooLarge,
                "the payload is over API Gateway's 10 MB limit",
            );
            return;
        }
        match routing::route(self.api, &request.method, &request.path) {
            Some(route) => self.execute_routed(request, route).await,
            None => {
                let why = match &self.api.stage {
                    Some(s) if routing::strip_stage(&request.path, Some(s)).is_none() => {
                        format!("the path does not start with the stage /{s}")
                    }
                    _ => format!("no resource matches {} {}", request.method, request.path),
                };
                self.fail(
                    Stage::Routing,
                    &why,
                    None,
                    GatewayError::MissingAuthenticationToken,
                );
            }
        }
    }

    /// `$context` values for this request.
    async fn execute_routed(&mut self, request: &ClientRequest, route: Route) {
        let Some(method) = route.method(self.api).cloned() else {
            self.gateway_error(GatewayError::MissingAuthenticationToken, "no method");
            return;
        };
        let integration = method.integration.clone();
        self.stage(
            Stage::Routing,
            StageOutcome::Done,
            vec![
                format!(
                    "resource {} method {}",
                    route.resource_path, route.method_key
                ),
                format!("path parameters {}", java_map(&route.path_parameters)),
            ],
        );
        let mut req = method_request(self.api, self.opts, request, &route);
        if self.log.enabled() {
            self.log_method_request(request, &route, &req);
        }
        // Authorization (API key, authorizer) comes before validation.
        if self
            .authorize(request, &route, &method, &mut req)
            .await
            .is_none()
        {
            return;
        }
        // Shared with every template render of this request, without copies.
        let req = std::sync::Arc::new(req);

        // Method request: validation.
        if let Some(v) = &method.request_validator {
            if v.validate_request_parameters {
                let missing = validate::missing_parameters(&method, &req);
                if !missing.is_empty() {
                    let msg = format!(
                        "Missing required request parameters: [{}]",
                        missing.join(", ")
                    );
                    self.log.line(format_args!(
                        "Request validation failed for request parameters: {msg}"
                    ));
                    self.fail(
                        Stage::MethodRequest,
                        &msg,
                        None,
                        GatewayError::BadRequestParameters,
                    );
                    return;
                }
            }
            if v.validate_request_body {
                let ct = request
                    .header("Content-Type")
                    .map_or_else(|| "application/json".to_string(), mapping::mime);
                if let Some(model) = method
                    .request_models
                    .iter()
                    .find(|(k, _)| mapping::mime(k) == ct)
                    .map(|(_, m)| m)
                {
                    let parsed: Result<Json, String> =
                        super::json::parse(&request.body).map_err(|e| format!("not JSON: {e}"));
                    if let Err(why) = parsed.and_then(|b| validate::validate(model, &b)) {
                        self.log.line(format_args!(
                            "Request body does not match model schema for content type {ct}: {why}"
                        ));
                        self.stage(
                            Stage::MethodRequest,
                            StageOutcome::Failed(why.clone()),
                            vec![why],
                        );
                        self.gateway_error(GatewayError::BadRequestBody, "Invalid request body");
                        return;
                    }
                    self.log.line(format_args!(
                        "Request validation succeeded for content type {ct}"
                    ));
                }
            }
        }
        self.stage(
            Stage::MethodRequest,
            StageOutcome::Done,
            vec!["request accepted".into()],
        );

        match integration.kind {
            IntegrationType::AwsProxy => self.aws_proxy(request, &route, &req, &integration).await,
            IntegrationType::HttpProxy => self.http_proxy(request, &req, &integration).await,
            _ => self.non_proxy(request, &req, &method, &integration).await,
        }
    }

    fn log_method_request(&mut self, request: &ClientRequest, route: &Route, req: &MethodRequest) {
        let single_query = req.single_query();
        self.log.line(format_args!(
            "HTTP Method: {}, Resource Path: {}",
            request.method, route.path
        ));
        self.log.line(format_args!(
            "Method request path: {}",
            java_map(&route.path_parameters)
        ));
        self.log.line(format_args!(
            "Method request query string: {}",
            java_map(&single_query)
        ));
        self.log.line(format_args!(
            "Method request headers: {}",
            java_map_pairs(&request.headers)
        ));
        self.log.line(format_args!(
            "Method request body before transformations: {}",
            String::from_utf8_lossy(&request.body)
        ));
    }
}

fn fxhash(s: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::uri::fill_uri;
    use super::*;

    #[test]
    fn mock_status_forms() {
        assert_eq!(mock_status(r#"{"statusCode": 404}"#), 404);
        assert_eq!(mock_status("{statusCode: 200}"), 200);
        assert_eq!(mock_status("{\n  \"statusCode\": 500\n}"), 500);
        assert_eq!(mock_status("nothing"), 200);
    }

    #[test]
    fn uris() {
        let mut p = IndexMap::new();
        p.insert("status".to_string(), "404".to_string());
        assert_eq!(
            fill_uri("https://h/status/{status}", &p, &[]).unwrap(),
            "https://h/status/404"
        );
        assert!(fill_uri("not a url", &p, &[]).is_none());
        let s3 =
            crate::gateway::aws_service::parse("arn:aws:apigateway:us-east-1:s3:path/bucket/key")
                .unwrap();
        assert_eq!(
            fill_uri(&s3.url_template(), &p, &[]).unwrap(),
            "https://s3.us-east-1.amazonaws.com/bucket/key"
        );
    }

    #[test]
    fn trace_ids_have_aws_shape() {
        let id = trace_id("c0ffee00-0000-4000-8000-000000000001", 1_583_349_317_135);
        assert_eq!(id, "Root=1-5e5ffe45-c0ffee000000400080000000");
        // A session's own request id need not be hex: 24 hex digits all the same.
        let id = trace_id("my-request", 0);
        let (head, tail) = id.split_at("Root=1-00000000-".len());
        assert_eq!(head, "Root=1-00000000-");
        assert_eq!(tail.len(), 24);
        assert!(tail.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
    }

    #[test]
    fn queries_are_form_decoded() {
        assert_eq!(
            parse_query("a=1&a=2&b=x+y%2B"),
            vec![
                ("a".into(), "1".into()),
                ("a".into(), "2".into()),
                ("b".into(), "x y+".into())
            ]
        );
    }
}
