//! The request's trip through the gateway as explicit stages (routing, method request,
//! integration request, backend, integration response, method response), producing a
//! [`Trace`] that the workbench steps through and `gatebench run` prints. One model for all
//! five integration types; backends are behind [`Backend`].

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
            _ => "Internal server error".to_string(),
        };
        let mut status = err.status();
        let mut headers = vec![("Content-Type".to_string(), "application/json".to_string())];
        if let Some(t) = err.error_type() {
            headers.push(("x-amzn-ErrorType".to_string(), t.to_string()));
        }
        let mut body = json!({"message": default_message}).to_string();
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
                let quoted = serde_json::to_string(&default_message).unwrap_or_default();
                body = t
                    .replace("$context.error.messageString", &quoted)
                    .replace("$context.error.message", &default_message)
                    .replace("$context.requestId", &self.opts.request_id);
            }
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
            notes.push(
                "a ${Name} left by an import has no value: set it under [values] in the session"
                    .into(),
            );
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
        let req = method_request(self.api, self.opts, request, &route);
        // Shared with every template render of this request, without copies.
        let req = std::sync::Arc::new(req);
        if self.log.enabled() {
            self.log_method_request(request, &route, &req);
        }

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

    // ------------------------------------------------------------------ non-proxy

    async fn non_proxy(
        &mut self,
        request: &ClientRequest,
        req: &std::sync::Arc<MethodRequest>,
        _method: &Method,
        integration: &Integration,
    ) {
        let content_type = if self.test_invoke {
            None
        } else {
            request.header("Content-Type")
        };
        let sources = Sources {
            request: req,
            context: &req.context,
            integration_response: None,
        };
        if !self.header_mappings_allowed(integration) {
            return;
        }
        let mut params = mapping::integration_params(&integration.request_parameters, &sources);
        let choice = mapping::choose_request_template(
            &integration.request_templates,
            content_type,
            integration.passthrough_behavior.unwrap_or_default(),
        );
        let mut notes = Vec::new();
        let mut overrides = Json::Null;
        let payload: Vec<u8> = match &choice {
            RequestTemplateChoice::Unsupported => {
                let why = format!(
                    "no request template for content type {} and passthrough is {:?}",
                    content_type.map_or_else(|| "application/json".to_string(), mapping::mime),
                    integration.passthrough_behavior.unwrap_or_default()
                );
                self.fail(
                    Stage::IntegrationRequest,
                    &why,
                    None,
                    GatewayError::UnsupportedMediaType,
                );
                return;
            }
            RequestTemplateChoice::Passthrough => {
                notes.push("no template applies: the body passes through unchanged".into());
                request.body.clone()
            }
            RequestTemplateChoice::Transform(key, template) => {
                notes.push(format!("request template for {key}"));
                let Some((text, ov)) = self
                    .render_mapping(
                        Stage::IntegrationRequest,
                        key,
                        template,
                        req,
                        &request.body,
                        &Json::Null,
                        Duration::from_millis(integration.timeout_ms()),
                    )
                    .await
                else {
                    return;
                };
                overrides = ov;
                text.into_bytes()
            }
        };
        apply_request_overrides(&overrides, &mut params);
        self.stage(Stage::IntegrationRequest, StageOutcome::Done, notes);

        // Backend.
        let uri = integration.uri.clone().unwrap_or_default();
        let (selector, endpoint_response, lambda_error) = match integration.kind {
            IntegrationType::Mock => {
                let record = HttpMessage {
                    method: "MOCK".into(),
                    body: payload.clone(),
                    ..HttpMessage::default()
                };
                match self
                    .breakpoint(&record, Duration::from_millis(integration.timeout_ms()))
                    .await
                {
                    AtBreakpoint::Go => {}
                    AtBreakpoint::Rerun(api) => {
                        self.rerun = Some(api);
                        return;
                    }
                    AtBreakpoint::TimedOut => return,
                }
                let text = String::from_utf8_lossy(&payload).into_owned();
                let status = mock_status(&text);
                self.stage(
                    Stage::Backend,
                    StageOutcome::Skipped,
                    vec![format!(
                        "MOCK: no backend; the request template gave statusCode {status}"
                    )],
                );
                (
                    Some(status.to_string()),
                    HttpMessage {
                        status,
                        ..HttpMessage::default()
                    },
                    None,
                )
            }
            IntegrationType::Aws if is_lambda_uri(&uri) => {
                let result = self.invoke_lambda(&uri, payload, false, integration).await;
                let Some((resp, error)) = result else {
                    return;
                };
                let selector = match &error {
                    Some(_) => super::json::parse(&resp.body)
                        .ok()
                        .and_then(|v| {
                            v.get("errorMessage")
                                .and_then(Json::as_str)
                                .map(str::to_string)
                        })
                        .or_else(|| Some(String::new())),
                    None => Some(String::new()),
                };
                (selector, resp, error)
            }
            _ => {
                // HTTP, or an AWS service action called over HTTP.
                let uri = substitute_stage_variables(&uri, &req.stage_variables);
                let url = if integration.kind == IntegrationType::Aws {
                    aws_service_url(&uri)
                } else {
                    fill_uri(&uri, &params.path, &params.query)
                };
                let Some(url) = url else {
                    self.invalid_endpoint(Stage::Backend, &uri);
                    return;
                };
                let method = integration
                    .http_method
                    .clone()
                    .filter(|m| m != "ANY")
                    .unwrap_or_else(|| request.method.clone());
                let mut headers: Vec<(String, String)> = Vec::new();
                let accept_mapped = params
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("Accept"));
                let ua_mapped = params
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("User-Agent"));
                let ct_mapped = params
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"));
                for (k, v) in &params.headers {
                    if !mapping::dropped_request_header(k) {
                        headers.push((k.clone(), v.clone()));
                    }
                }
                if !accept_mapped {
                    headers.push(("Accept".into(), "application/json".into()));
                }
                if !ua_mapped {
                    headers.push((
                        "User-Agent".into(),
                        format!("AmazonAPIGateway_{}", self.api.api_id),
                    ));
                }
                if !ct_mapped {
                    headers.push((
                        "Content-Type".into(),
                        request
                            .header("Content-Type")
                            .unwrap_or("application/json")
                            .to_string(),
                    ));
                }
                headers.push(("x-amzn-apigateway-api-id".into(), self.api.api_id.clone()));
                headers.push(("X-Amzn-Trace-Id".into(), self.trace_id()));
                let Some(resp) = self
                    .http_call(&method, &url, headers, payload, integration)
                    .await
                else {
                    return;
                };
                (Some(resp.status.to_string()), resp, None)
            }
        };

        self.integration_response(
            request,
            req,
            integration,
            selector,
            endpoint_response,
            lambda_error,
            &overrides,
        )
        .await;
    }

    /// Render a request or response mapping template, recording it in the trace; on failure
    /// answer the client (500) and return `None`.
    #[allow(clippy::too_many_arguments)]
    async fn render_mapping(
        &mut self,
        stage: Stage,
        key: &str,
        template: &str,
        req: &std::sync::Arc<MethodRequest>,
        payload: &[u8],
        overrides_in: &Json,
        limit: Duration,
    ) -> Option<(String, Json)> {
        let (output, overrides) = match &self.opts.offload {
            None => render_template_until(
                template,
                req,
                payload,
                overrides_in,
                Some(Instant::now() + limit),
            ),
            Some(offload) => {
                render_offloaded(offload, template, req, payload, overrides_in, limit).await
            }
        };
        let rendered = Some(RenderedTemplate {
            content_type: key.to_string(),
            template: template.to_string(),
            output: output.clone(),
        });
        let side = if stage == Stage::IntegrationRequest {
            self.trace.request_template = rendered;
            "request"
        } else {
            self.trace.response_template = rendered;
            "response"
        };
        match output {
            Ok(text) => Some((text, overrides)),
            Err(e) => {
                let why = format!(
                    "the {side} template failed at {}:{}: {}",
                    e.line, e.col, e.message
                );
                let reason = format!(
                    "Unable to transform {side}: {}:{}: {}",
                    e.line, e.col, e.message
                );
                self.config_failure(stage, &why, &reason);
                None
            }
        }
    }

    /// Invoke the function behind a Lambda URI, logging and recording the endpoint request;
    /// `None` when the call failed (the client has been answered).
    async fn invoke_lambda(
        &mut self,
        uri: &str,
        payload: Vec<u8>,
        proxy: bool,
        integration: &Integration,
    ) -> Option<(HttpMessage, Option<String>)> {
        let region = region_of(uri).to_string();
        let function = uri
            .split_once("/functions/")
            .map_or(uri, |(_, r)| r)
            .trim_end_matches("/invocations");
        let endpoint = format!(
            "https://lambda.{region}.amazonaws.com/2015-03-31/functions/{function}/invocations"
        );
        let record = HttpMessage {
            method: "POST".into(),
            url: endpoint,
            headers: self.lambda_headers(),
            body: payload.clone(),
            ..HttpMessage::default()
        };
        let call = EndpointCall::Lambda(LambdaCall {
            function: uri.to_string(),
            payload,
            proxy,
            timeout: Duration::from_millis(integration.timeout_ms()),
        });
        self.send(record, call).await
    }

    /// Log and record the endpoint request, call the backend, and interpret its answer;
    /// `None` when the call failed (the client has been answered).
    async fn send(
        &mut self,
        record: HttpMessage,
        mut call: EndpointCall,
    ) -> Option<(HttpMessage, Option<String>)> {
        self.log_endpoint_request(&record.url, &record.headers, &record.body);
        let timeout = match &mut call {
            EndpointCall::Http(c) => &mut c.timeout,
            EndpointCall::Lambda(c) => &mut c.timeout,
        };
        let full = *timeout;
        match self.breakpoint(&record, full).await {
            AtBreakpoint::Go => {}
            AtBreakpoint::Rerun(api) => {
                self.rerun = Some(api);
                return None;
            }
            AtBreakpoint::TimedOut => {
                self.trace.endpoint_request = Some(record);
                return None;
            }
        }
        // Time spent paused counts against the integration timeout.
        *timeout = full
            .saturating_sub(self.paused)
            .max(Duration::from_millis(1));
        self.trace.endpoint_request = Some(record);
        let started = Instant::now();
        let result = self.backend.call(call).await;
        self.endpoint_result(result, started)
    }

    /// The breakpoint, when armed: hand the paused request to the hook and wait for it to
    /// resume, or for the integration timeout (`timeout`, less time already paused) to run
    /// out, which answers the client the way the gateway answers a backend that is too slow.
    async fn breakpoint(
        &mut self,
        endpoint_request: &HttpMessage,
        timeout: Duration,
    ) -> AtBreakpoint {
        let Some(intercept) = self.opts.intercept.as_ref().filter(|_| self.armed) else {
            return AtBreakpoint::Go;
        };
        self.armed = false;
        let time_left = timeout.saturating_sub(self.paused);
        let mut trace = self.trace.clone();
        trace.log = self.log.clone().finish();
        let rx = (intercept.hook)(Paused {
            id: intercept.id,
            request: self.request.cloned().unwrap_or_default(),
            trace,
            endpoint_request: endpoint_request.clone(),
            time_left,
        });
        let started = Instant::now();
        let outcome = tokio::time::timeout(time_left, rx).await;
        self.paused += started.elapsed();
        match outcome {
            Ok(Ok(Resume::Rerun(api))) => AtBreakpoint::Rerun(api),
            Ok(Ok(Resume::Continue) | Err(_)) => AtBreakpoint::Go,
            Err(_) => {
                let message = format!(
                    "no answer within the integration timeout of {} ms (paused at the breakpoint)",
                    timeout.as_millis()
                );
                self.log
                    .line("Execution failed due to a timeout error".to_string());
                self.stage(
                    Stage::Backend,
                    StageOutcome::Failed(message.clone()),
                    vec![format!("Timeout: {message}")],
                );
                self.gateway_error(GatewayError::IntegrationTimeout, &message);
                AtBreakpoint::TimedOut
            }
        }
    }

    fn lambda_headers(&self) -> Vec<(String, String)> {
        vec![
            ("x-amzn-lambda-integration-tag".into(), self.opts.request_id.clone()),
            ("Authorization".into(), "****************************************************************************************************************************************************************************************************************************************************************************************************************************d8f3c3".into()),
            ("X-Amz-Date".into(), amz_date(self.opts.now_ms)),
            ("x-amzn-apigateway-api-id".into(), self.api.api_id.clone()),
            ("Accept".into(), "application/json".into()),
            ("User-Agent".into(), format!("AmazonAPIGateway_{}", self.api.api_id)),
            // A session token is long: AWS's log line for these headers is always cut.
            ("X-Amz-Security-Token".into(), "IQoJb3JpZ2luX2VjEEAaCXVzLWVhc3QtMSJHMEUCIQD".repeat(24)),
        ]
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

    fn log_endpoint_request(&mut self, url: &str, headers: &[(String, String)], body: &[u8]) {
        if !self.log.enabled() {
            return;
        }
        self.log.line(format_args!("Endpoint request URI: {url}"));
        self.log.line(format_args!(
            "Endpoint request headers: {}",
            java_map_pairs(headers)
        ));
        self.log.line(format_args!(
            "Endpoint request body after transformations: {}",
            String::from_utf8_lossy(body)
        ));
        self.log.line(format_args!("Sending request to {url}"));
    }

    async fn http_call(
        &mut self,
        method: &str,
        url: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        integration: &Integration,
    ) -> Option<HttpMessage> {
        let record = HttpMessage {
            method: method.to_string(),
            url: url.to_string(),
            headers: headers.clone(),
            body: body.clone(),
            ..HttpMessage::default()
        };
        let call = EndpointCall::Http(HttpCall {
            method: method.to_string(),
            url: url.to_string(),
            headers,
            body,
            timeout: Duration::from_millis(integration.timeout_ms()),
        });
        self.send(record, call).await.map(|(m, _)| m)
    }

    /// Log and record an endpoint result; on failure answer the client and return `None`.
    fn endpoint_result(
        &mut self,
        result: EndpointResult,
        started: Instant,
    ) -> Option<(HttpMessage, Option<String>)> {
        let latency = started.elapsed().as_millis();
        let (msg, error) = match result {
            EndpointResult::Http(m) => (m, None),
            EndpointResult::Lambda(l) => (
                HttpMessage {
                    status: l.status,
                    headers: l.headers,
                    body: l.payload,
                    ..HttpMessage::default()
                },
                l.function_error,
            ),
            EndpointResult::Failed { kind, message } => {
                let (err, line) = match kind {
                    FailureKind::Timeout => (
                        GatewayError::IntegrationTimeout,
                        format!("Execution failed due to a timeout error: {message}"),
                    ),
                    FailureKind::ResponseTooLarge => (
                        GatewayError::ApiConfiguration,
                        format!(
                            "Execution failed due to an oversized integration response: {message}"
                        ),
                    ),
                    FailureKind::InvalidEndpoint | FailureKind::Dns => (
                        GatewayError::ApiConfiguration,
                        "Execution failed due to configuration error: Invalid endpoint address"
                            .to_string(),
                    ),
                    _ => (
                        GatewayError::IntegrationFailure,
                        format!("Execution failed due to a network error: {message}"),
                    ),
                };
                self.log.line(line);
                self.stage(
                    Stage::Backend,
                    StageOutcome::Failed(message.clone()),
                    vec![format!("{kind:?}: {message}")],
                );
                self.gateway_error(err, &message);
                return None;
            }
        };
        if self.log.enabled() {
            self.log.line(format_args!(
                "Received response. Status: {}, Integration latency: {latency} ms",
                msg.status
            ));
            self.log.line(format_args!(
                "Endpoint response headers: {}",
                java_map_pairs(&msg.headers)
            ));
            self.log.line(format_args!(
                "Endpoint response body before transformations: {}",
                msg.body_text()
            ));
        }
        let mut notes = vec![format!("status {} in {latency} ms", msg.status)];
        if let Some(e) = &error {
            notes.push(format!("function error: {e}"));
        }
        self.stage(Stage::Backend, StageOutcome::Done, notes);
        self.trace.endpoint_response = Some(msg.clone());
        Some((msg, error))
    }

    #[allow(clippy::too_many_arguments)]
    async fn integration_response(
        &mut self,
        request: &ClientRequest,
        req: &std::sync::Arc<MethodRequest>,
        integration: &Integration,
        selector: Option<String>,
        endpoint: HttpMessage,
        lambda_error: Option<String>,
        overrides_in: &Json,
    ) {
        let selector_text = selector.unwrap_or_default();
        // Selection: patterns (whole match, Java regex) in order, else the default.
        let mut chosen = None;
        for ir in integration.integration_responses.values() {
            let Some(p) = ir.selection_pattern.as_deref().filter(|p| !p.is_empty()) else {
                continue;
            };
            match crate::vtl::methods::compile_java_regex(&format!("^(?:{p})$")) {
                Ok(re) if re.is_match(&selector_text).unwrap_or(false) => {
                    chosen = Some(ir.clone());
                    break;
                }
                _ => {}
            }
        }
        let matched = chosen.is_some();
        let chosen = chosen.or_else(|| {
            integration
                .integration_responses
                .values()
                .find(|ir| ir.selection_pattern.as_deref().is_none_or(str::is_empty))
                .cloned()
        });
        let Some(ir) = chosen else {
            let why = format!(
                "no integration response matches {selector_text:?} and there is no default response"
            );
            let reason = format!(
                "No match for output mapping and no default output mapping configured. Endpoint Response Status Code: {}",
                endpoint.status
            );
            self.config_failure(Stage::IntegrationResponse, &why, &reason);
            return;
        };
        let mut notes = vec![if matched {
            format!(
                "selectionPattern {:?} matched {selector_text:?} -> {}",
                ir.selection_pattern.clone().unwrap_or_default(),
                ir.status_code
            )
        } else {
            format!(
                "no pattern matched {selector_text:?}: default response {}",
                ir.status_code
            )
        }];
        if lambda_error.is_some() {
            notes.push("the Lambda function raised: its error object is the payload".into());
        }
        let mut status: u16 = ir.status_code.parse().unwrap_or(200);
        let mut headers: Vec<(String, String)> = Vec::new();
        let sources = Sources {
            request: req,
            context: &req.context,
            integration_response: Some(&endpoint),
        };
        for (target, expr) in &ir.response_parameters {
            let Some(name) = target.strip_prefix("method.response.header.") else {
                continue;
            };
            if let Some(values) = mapping::resolve(expr, &sources)
                && let Some(n) = mapping::response_header_name(name)
            {
                headers.retain(|(k, _)| !k.eq_ignore_ascii_case(&n));
                headers.push((n, values.join(",")));
            }
        }
        let accept = request.header("Accept");
        let mut content_type = "application/json".to_string();
        let mut overrides = overrides_in.clone();
        let body: Vec<u8> = match mapping::choose_response_template(&ir.response_templates, accept)
        {
            Some((key, template)) => {
                content_type = key.clone();
                let Some((text, ov)) = self
                    .render_mapping(
                        Stage::IntegrationResponse,
                        &key,
                        &template,
                        req,
                        &endpoint.body,
                        overrides_in,
                        Duration::from_millis(integration.timeout_ms()),
                    )
                    .await
                else {
                    return;
                };
                overrides = ov;
                notes.push(format!("response template for {key}"));
                text.into_bytes()
            }
            None => {
                notes.push("no response template: the payload passes through".into());
                endpoint.body.clone()
            }
        };
        // Binary handling of the response (integration response contentHandling).
        let body = match self.convert_response_body(body, &endpoint, accept, ir.content_handling) {
            Ok(b) => b,
            Err(why) => {
                self.config_failure(Stage::IntegrationResponse, &why, &why);
                return;
            }
        };
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        {
            headers.insert(0, ("Content-Type".to_string(), content_type));
        }
        // Overrides, applied after the template ran.
        if let Some(ro) = overrides.get("responseOverride") {
            if let Some(s) = ro.get("status") {
                let parsed = match s {
                    Json::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                    Json::String(t) => t.trim().parse().ok(),
                    _ => None,
                };
                if let Some(s) = parsed {
                    notes.push(format!("$context.responseOverride.status = {s}"));
                    status = s;
                }
            }
            if let Some(Json::Object(h)) = ro.get("header") {
                for (k, v) in h {
                    let value = match v {
                        Json::String(s) => s.clone(),
                        Json::Array(a) => a
                            .iter()
                            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                            .join(","),
                        other => other.to_string(),
                    };
                    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
                    headers.push((k.clone(), value));
                }
            }
        }
        self.stage(Stage::IntegrationResponse, StageOutcome::Done, notes);
        if integration.kind != IntegrationType::Mock
            && is_lambda_uri(integration.uri.as_deref().unwrap_or(""))
        {
            headers.insert(0, ("X-Amzn-Trace-Id".to_string(), self.trace_id()));
        }
        self.log_method_response(&body, &headers);
        self.respond(status, headers, body);
    }

    /// The log's last lines for a response built by the gateway.
    fn log_method_response(&mut self, body: &[u8], headers: &[(String, String)]) {
        if !self.log.enabled() {
            return;
        }
        self.log.line(format_args!(
            "Method response body after transformations: {}",
            String::from_utf8_lossy(body)
        ));
        self.log.line(format_args!(
            "Method response headers: {}",
            java_map_pairs(headers)
        ));
        self.log.line("Successfully completed execution");
    }

    fn trace_id(&self) -> String {
        trace_id(&self.opts.request_id, self.opts.now_ms)
    }

    /// Apply binary rules to a non-proxy response body (APIGW-SEMANTICS.md section 10).
    fn convert_response_body(
        &self,
        body: Vec<u8>,
        endpoint: &HttpMessage,
        accept: Option<&str>,
        handling: Option<ContentHandling>,
    ) -> Result<Vec<u8>, String> {
        let types = &self.api.binary_media_types;
        let accept_mime = accept.map(mapping::mime).unwrap_or_default();
        let accept_binary =
            !types.is_empty() && types.iter().any(|t| media_type_matches(t, &accept_mime));
        let payload_binary = !types.is_empty()
            && endpoint
                .header("Content-Type")
                .map(mapping::mime)
                .is_some_and(|ct| types.iter().any(|t| media_type_matches(t, &ct)));
        let b64 = base64::engine::general_purpose::STANDARD;
        let decode = |b: &[u8]| -> Result<Vec<u8>, String> {
            let text: String = String::from_utf8_lossy(b)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            b64.decode(text.as_bytes())
                .map_err(|e| format!("Unable to base64 decode the body: {e}"))
        };
        let to_text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned().into_bytes();
        Ok(match (payload_binary, accept_binary, handling) {
            (_, _, Some(ContentHandling::ConvertToText)) if payload_binary => {
                b64.encode(&body).into_bytes()
            }
            (_, _, Some(ContentHandling::ConvertToText)) => to_text(body),
            (false, _, Some(ContentHandling::ConvertToBinary)) => decode(&body)?,
            (true, _, Some(ContentHandling::ConvertToBinary)) => body,
            (false, true, None) => decode(&body)?,
            (true, false, None) => b64.encode(&body).into_bytes(),
            (true, true, None) => body,
            (false, false, None) => {
                if types.is_empty() {
                    to_text(body)
                } else {
                    body
                }
            }
        })
    }

    // ------------------------------------------------------------------ proxies

    async fn aws_proxy(
        &mut self,
        request: &ClientRequest,
        route: &Route,
        req: &MethodRequest,
        integration: &Integration,
    ) {
        if integration
            .http_method
            .as_deref()
            .is_some_and(|m| !m.eq_ignore_ascii_case("POST"))
        {
            let why =
                "a Lambda proxy integration must call Lambda with POST (integration httpMethod)";
            self.config_failure(
                Stage::IntegrationRequest,
                why,
                "Invalid permissions on Lambda function or integration httpMethod is not POST",
            );
            return;
        }
        let uri = integration.uri.clone().unwrap_or_default();
        let ct = request
            .header("Content-Type")
            .map(mapping::mime)
            .unwrap_or_default();
        let is_b64 = !request.body.is_empty()
            && self
                .api
                .binary_media_types
                .iter()
                .any(|t| media_type_matches(t, &ct));
        let body = if request.body.is_empty() {
            None
        } else if is_b64 {
            Some(base64::engine::general_purpose::STANDARD.encode(&request.body))
        } else {
            Some(String::from_utf8_lossy(&request.body).into_owned())
        };
        let mut rc = req.context.clone();
        rc.remove("requestOverride");
        rc.remove("responseOverride");
        if let Some(Json::Object(identity)) = rc.get_mut("identity") {
            let mut sorted: Vec<(String, Json)> = identity.clone().into_iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            *identity = sorted.into_iter().collect();
        }
        let event = proxy::event(&proxy::EventInput {
            resource: &route.resource_path,
            path: &route.path,
            http_method: &request.method,
            headers: &request.headers,
            query: &req.query,
            path_parameters: &route.path_parameters,
            stage_variables: self.api.stage_variables.as_ref(),
            request_context: Json::Object(rc),
            body,
            is_base64: is_b64,
        });
        let payload = event.to_string().into_bytes();
        self.stage(Stage::IntegrationRequest, StageOutcome::Done, vec!["Lambda proxy: the request becomes the event (payload format 1.0); no templates, no parameter mappings".into()]);
        let Some((resp, error)) = self.invoke_lambda(&uri, payload, true, integration).await else {
            return;
        };
        if error.is_some() {
            let why = "the function raised an error (a proxy integration answers 502)";
            self.fail(
                Stage::IntegrationResponse,
                why,
                Some(&format!(
                    "Lambda execution failed with status 200 due to customer function error: {}",
                    resp.body_text()
                )),
                GatewayError::BadGateway,
            );
            return;
        }
        let parsed = match proxy::parse_response(&resp.body) {
            Ok(p) => p,
            Err(why) => {
                self.stage(
                    Stage::IntegrationResponse,
                    StageOutcome::Failed(why.clone()),
                    vec![why.clone()],
                );
                self.log.line(
                    "Execution failed due to configuration error: Malformed Lambda proxy response",
                );
                self.gateway_error(
                    GatewayError::BadGateway,
                    &format!("Malformed Lambda proxy response: {why}"),
                );
                return;
            }
        };
        let accept_first = request
            .header("Accept")
            .map(mapping::mime)
            .unwrap_or_default();
        let decode = parsed.is_base64
            && self
                .api
                .binary_media_types
                .iter()
                .any(|t| media_type_matches(t, &accept_first));
        let body = if decode {
            match base64::engine::general_purpose::STANDARD.decode(parsed.body.as_bytes()) {
                Ok(b) => b,
                Err(e) => {
                    let why = format!("Unable to base64 decode the body: {e}");
                    self.config_failure(Stage::IntegrationResponse, &why, &why);
                    return;
                }
            }
        } else {
            parsed.body.into_bytes()
        };
        let mut headers = parsed.headers;
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        headers.push(("X-Amzn-Trace-Id".into(), self.trace_id()));
        self.stage(
            Stage::IntegrationResponse,
            StageOutcome::Done,
            vec![format!("proxy response: status {}", parsed.status)],
        );
        self.log_method_response(&body, &headers);
        self.respond(parsed.status, headers, body);
    }

    async fn http_proxy(
        &mut self,
        request: &ClientRequest,
        req: &MethodRequest,
        integration: &Integration,
    ) {
        let sources = Sources {
            request: req,
            context: &req.context,
            integration_response: None,
        };
        if !self.header_mappings_allowed(integration) {
            return;
        }
        let params = mapping::integration_params(&integration.request_parameters, &sources);
        let uri = substitute_stage_variables(
            integration.uri.as_deref().unwrap_or_default(),
            &req.stage_variables,
        );
        // Client query, then the URI's own query, then mapped parameters.
        let mut query: Vec<(String, String)> = parse_query(&request.raw_query);
        query.extend(params.query.iter().cloned());
        let Some(url) = fill_uri(&uri, &params.path, &query) else {
            self.invalid_endpoint(Stage::IntegrationRequest, &uri);
            return;
        };
        let mut headers: Vec<(String, String)> = request
            .headers
            .iter()
            .filter(|(k, _)| {
                !["host", "content-length", "connection", "transfer-encoding"]
                    .contains(&k.to_ascii_lowercase().as_str())
            })
            .filter(|(k, _)| {
                !params
                    .headers
                    .iter()
                    .any(|(m, _)| m.eq_ignore_ascii_case(k))
            })
            .cloned()
            .collect();
        for (k, v) in &params.headers {
            if !mapping::dropped_request_header(k) {
                headers.push((k.clone(), v.clone()));
            }
        }
        headers.push(("x-amzn-apigateway-api-id".into(), self.api.api_id.clone()));
        let method = integration
            .http_method
            .clone()
            .filter(|m| m != "ANY")
            .unwrap_or_else(|| request.method.clone());
        self.stage(
            Stage::IntegrationRequest,
            StageOutcome::Done,
            vec![
                "HTTP proxy: the client request is forwarded with its headers, query and body"
                    .into(),
            ],
        );
        let Some(resp) = self
            .http_call(&method, &url, headers, request.body.clone(), integration)
            .await
        else {
            return;
        };
        let headers: Vec<(String, String)> = resp
            .headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("transfer-encoding"))
            .map(|(k, v)| (mapping::proxy_response_header_name(k), v.clone()))
            .collect();
        self.stage(
            Stage::IntegrationResponse,
            StageOutcome::Done,
            vec![format!(
                "HTTP proxy: the backend's status {} and headers pass through",
                resp.status
            )],
        );
        self.log.line(format_args!(
            "Method response body after transformations: {}",
            resp.body_text()
        ));
        self.log.line("Successfully completed execution");
        self.respond(resp.status, headers, resp.body);
    }
}

/// An X-Ray trace header as API Gateway sends it: `Root=1-{8 hex digits of the request time
/// in epoch seconds}-{24 hex digits}` (the 24 digits come from the request id).
pub fn trace_id(request_id: &str, now_ms: u64) -> String {
    let mut hex: String = request_id
        .chars()
        .filter(char::is_ascii_hexdigit)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut salt = 0u32;
    while hex.len() < 24 {
        hex.push_str(&format!("{:016x}", fxhash(&format!("{request_id}#{salt}"))));
        salt += 1;
    }
    hex.truncate(24);
    format!("Root=1-{:08x}-{hex}", now_ms / 1000)
}

fn fxhash(s: &str) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    h.write(s.as_bytes());
    h.finish()
}

/// The status a MOCK request template asks for (`"statusCode": 200`, also unquoted);
/// 200 when it names none.
pub fn mock_status(rendered: &str) -> u16 {
    let Some(i) = rendered.find("statusCode") else {
        return 200;
    };
    let rest = &rendered[i + "statusCode".len()..];
    let rest = rest.trim_start_matches(['"', '\'', ' ', '\t', '\n', '\r']);
    let Some(rest) = rest.strip_prefix(':') else {
        return 200;
    };
    let digits: String = rest
        .trim_start_matches([' ', '\t', '\n', '\r', '"', '\''])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(200)
}

/// Replace `${stageVariables.name}` in an integration URI (an undefined one becomes empty,
/// which usually makes the address invalid, as on AWS).
fn substitute_stage_variables(uri: &str, stage_variables: &IndexMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = uri;
    while let Some(i) = rest.find("${stageVariables.") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = &rest[i + "${stageVariables.".len()..i + end];
        out.push_str(stage_variables.get(name).map_or("", String::as_str));
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Fill `{var}` placeholders of an HTTP integration URI and add query parameters.
fn fill_uri(
    uri: &str,
    path: &IndexMap<String, String>,
    query: &[(String, String)],
) -> Option<String> {
    // A `${Name}` left by an import has no value: not an address.
    if uri.contains("${") {
        return None;
    }
    let mut out = String::new();
    let mut rest = uri;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}')? + i;
        let name = rest[i + 1..end].trim_end_matches('+');
        let value = path.get(name).cloned().unwrap_or_default();
        // Path parameter values arrive undecoded; only characters that cannot appear in a
        // URL are escaped.
        out.push_str(&percent_encoding::utf8_percent_encode(&value, URL_UNSAFE).to_string());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    let mut url = reqwest::Url::parse(&out).ok()?;
    if !url.has_host() {
        return None;
    }
    if !query.is_empty() {
        let mut qp = url.query_pairs_mut();
        for (k, v) in query {
            qp.append_pair(k, v);
        }
    }
    Some(url.to_string())
}

const URL_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// The HTTP endpoint of an AWS service action URI
/// (`arn:aws:apigateway:REGION:SERVICE:path/PATH` or `:action/ACTION`).
fn aws_service_url(uri: &str) -> Option<String> {
    if uri.contains("${") {
        return None;
    }
    let mut parts = uri.splitn(6, ':');
    let (_, _, _, region, service, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if let Some(path) = rest.strip_prefix("path/") {
        return Some(format!("https://{service}.{region}.amazonaws.com/{path}"));
    }
    if let Some(action) = rest.strip_prefix("action/") {
        return Some(format!(
            "https://{service}.{region}.amazonaws.com/?Action={action}"
        ));
    }
    None
}

/// Apply `$context.requestOverride` to the integration parameters.
fn apply_request_overrides(overrides: &Json, params: &mut IntegrationParams) {
    let Some(ro) = overrides.get("requestOverride") else {
        return;
    };
    if let Some(Json::Object(h)) = ro.get("header") {
        for (k, v) in h {
            let value = match v {
                Json::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(","),
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            params.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
            params.headers.push((k.clone(), value));
        }
    }
    if let Some(Json::Object(q)) = ro.get("querystring") {
        for (k, v) in q {
            params.query.retain(|(n, _)| n != k);
            params.query.push((
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            ));
        }
    }
    if let Some(Json::Object(p)) = ro.get("path") {
        for (k, v) in p {
            params.path.insert(
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            );
        }
    }
}

thread_local! {
    /// Parsed templates by source text: a served API renders the same few templates for
    /// every request.
    static TEMPLATE_CACHE: std::cell::RefCell<rustc_hash::FxHashMap<String, std::rc::Rc<(Template, Reach)>>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// Most templates kept parsed per thread.
const TEMPLATE_CACHE_SIZE: usize = 64;

fn parsed_template(
    source: &str,
    policy: &crate::vtl::Policy,
) -> Result<std::rc::Rc<(Template, Reach)>, VtlError> {
    if let Some(t) = TEMPLATE_CACHE.with(|c| c.borrow().get(source).cloned()) {
        return Ok(t);
    }
    let t = std::rc::Rc::new((Template::parse_with(source, policy)?, Reach::of(source)));
    TEMPLATE_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= TEMPLATE_CACHE_SIZE {
            c.clear();
        }
        c.insert(source.to_string(), t.clone());
    });
    Ok(t)
}

/// Render a mapping template as the gateway does; `overrides_in` seeds
/// `$context.requestOverride` / `responseOverride` (carried from the request template to the
/// response template). Returns the output and the override maps after the render.
pub fn render_template(
    template: &str,
    req: &std::sync::Arc<MethodRequest>,
    payload: &[u8],
    overrides_in: &Json,
) -> (Result<String, VtlError>, Json) {
    render_template_until(template, req, payload, overrides_in, None)
}

/// [`render_template`] with a deadline: the integration's timeout, from when the render
/// starts.
pub fn render_template_until(
    template: &str,
    req: &std::sync::Arc<MethodRequest>,
    payload: &[u8],
    overrides_in: &Json,
    deadline: Option<Instant>,
) -> (Result<String, VtlError>, Json) {
    // A runaway template stops itself at the integration timeout (and frees its thread).
    let policy = crate::vtl::Policy {
        deadline,
        ..crate::vtl::Policy::api_gateway()
    };
    let parsed = match parsed_template(template, &policy) {
        Ok(t) => t,
        Err(e) => return (Err(e), overrides_in.clone()),
    };
    let seeded = overrides_in.is_object().then_some(overrides_in);
    let (template, reach) = &*parsed;
    let (mut ctx, overrides) = template_context_for(req, payload, seeded, *reach);
    let out = template.render(&mut ctx, &policy);
    let exported = match overrides {
        Some(o) => json!({
            "requestOverride": to_json(&crate::vtl::Value::Map(o.request.clone())),
            "responseOverride": to_json(&crate::vtl::Value::Map(o.response.clone())),
        }),
        // The template cannot reach `$context`: the overrides it was given pass through.
        None => overrides_in.clone(),
    };
    (out, exported)
}

/// Render on the offload pool and wait at most `limit` for it. A render that overruns, or
/// whose job was dropped (it panicked, the pool is gone), is a render error: the gateway's
/// 500 for this request only.
async fn render_offloaded(
    offload: &Offload,
    template: &str,
    req: &std::sync::Arc<MethodRequest>,
    payload: &[u8],
    overrides_in: &Json,
    limit: Duration,
) -> (Result<String, VtlError>, Json) {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (template, req, payload, overrides) = (
        template.to_string(),
        std::sync::Arc::clone(req),
        payload.to_vec(),
        overrides_in.clone(),
    );
    (offload.0)(Box::new(move || {
        let deadline = Instant::now() + limit;
        let _ = tx.send(render_template_until(
            &template,
            &req,
            &payload,
            &overrides,
            Some(deadline),
        ));
    }));
    let failed = |message: String| {
        let mut e = VtlError::new(crate::vtl::ErrorKind::Render, 0, message);
        e.line = 1;
        e.col = 1;
        (Err(e), overrides_in.clone())
    };
    match tokio::time::timeout(limit, rx).await {
        Ok(Ok(out)) => out,
        Ok(Err(_)) => failed("the render stopped before finishing".to_string()),
        Err(_) => failed(format!(
            "the template did not finish within the integration timeout of {} ms",
            limit.as_millis()
        )),
    }
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            aws_service_url("arn:aws:apigateway:us-east-1:s3:path/bucket/key").unwrap(),
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
