//! What one request's trip through the gateway produced, stage by stage: the record the
//! workbench panes show and step through, and `gatebench run` prints.

use serde_json::Value as Json;

use crate::vtl::VtlError;

/// The stages of a request, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stage {
    /// Find the resource and method for the path and verb.
    Routing,
    /// Authorization: the API key check and the method's authorizer (Lambda, Cognito user
    /// pool, AWS_IAM signature), before validation.
    Authorization,
    /// Method request: required parameters, validators and models.
    MethodRequest,
    /// Integration request: parameter mappings, template selection, passthrough or 415.
    IntegrationRequest,
    /// The endpoint request sent and the endpoint response received.
    Backend,
    /// Integration response: selection, response parameters and template, overrides.
    IntegrationResponse,
    /// Method response: what the client receives.
    MethodResponse,
}

impl Stage {
    /// All stages in order.
    pub const ALL: [Stage; 7] = [
        Stage::Routing,
        Stage::Authorization,
        Stage::MethodRequest,
        Stage::IntegrationRequest,
        Stage::Backend,
        Stage::IntegrationResponse,
        Stage::MethodResponse,
    ];

    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Routing => "routing",
            Stage::Authorization => "authorization",
            Stage::MethodRequest => "method request",
            Stage::IntegrationRequest => "integration request",
            Stage::Backend => "backend",
            Stage::IntegrationResponse => "integration response",
            Stage::MethodResponse => "method response",
        }
    }

    /// One line saying what the gateway does at this stage.
    pub fn explanation(self) -> &'static str {
        match self {
            Stage::Routing => {
                "Strips the stage from the path and finds the resource and HTTP method; no match answers 403 Missing Authentication Token."
            }
            Stage::Authorization => {
                "Checks the API key (x-api-key) and runs the method's authorizer (Lambda, Cognito user pool or AWS_IAM signature): failures answer 401/403/429/500 before any validation."
            }
            Stage::MethodRequest => {
                "Checks required parameters and, with a request validator, the body against its model; failures answer 400."
            }
            Stage::IntegrationRequest => {
                "Maps parameters, picks the request template by Content-Type and renders it, or passes the body through (or answers 415)."
            }
            Stage::Backend => {
                "Sends the endpoint request (HTTP call, Lambda Invoke, or nothing for MOCK) and waits up to the integration timeout."
            }
            Stage::IntegrationResponse => {
                "Selects the integration response (Lambda errorMessage or HTTP status against selectionPattern), maps headers, renders the response template."
            }
            Stage::MethodResponse => {
                "Applies overrides and sends the method response: status, headers and body to the client."
            }
        }
    }
}

/// How a stage went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageOutcome {
    /// The stage ran.
    Done,
    /// The stage did not apply (e.g. no backend for MOCK, or an earlier stage answered).
    Skipped,
    /// The stage ended the request with an error response.
    Failed(String),
}

/// One stage's record.
#[derive(Clone, Debug)]
pub struct StageRecord {
    /// Which stage.
    pub stage: Stage,
    /// What happened.
    pub outcome: StageOutcome,
    /// Human-readable lines describing what the stage did.
    pub notes: Vec<String>,
}

/// An HTTP message (request or response) as sent or received.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpMessage {
    /// Request method (empty for responses).
    pub method: String,
    /// Request URL or path (empty for responses).
    pub url: String,
    /// Response status (0 for requests).
    pub status: u16,
    /// Headers in order.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl HttpMessage {
    /// The body as text (lossy for binary).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// First header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A template the pipeline rendered.
#[derive(Clone, Debug)]
pub struct RenderedTemplate {
    /// The content type whose template was chosen.
    pub content_type: String,
    /// For a response template: the key of the integration response it belongs to (the one
    /// selected); `None` for a request template.
    pub response: Option<String>,
    /// The template text.
    pub template: String,
    /// The output, or the error (with line and column).
    pub output: Result<String, VtlError>,
}

/// The whole trip of one request.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// Stage records in order (stages that did not run are `Skipped`).
    pub stages: Vec<StageRecord>,
    /// What the authorization stage saw and did (`None` when it did not run: no authorizer
    /// and no API key required).
    pub authorization: Option<AuthTrace>,
    /// The request template rendered at the integration request stage, if any.
    pub request_template: Option<RenderedTemplate>,
    /// What was sent to the backend (`None` when no backend was called).
    pub endpoint_request: Option<HttpMessage>,
    /// What the backend answered.
    pub endpoint_response: Option<HttpMessage>,
    /// The response template rendered at the integration response stage, if any.
    pub response_template: Option<RenderedTemplate>,
    /// What the client receives.
    pub response: HttpMessage,
    /// The execution log in the console Test format, one line per entry.
    pub log: Vec<String>,
}

/// What the authorization stage saw and did, for the panes and `gatebench run --stages`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthTrace {
    /// The checks that ran, in order ("API key (x-api-key)", "Lambda TOKEN authorizer ...").
    pub checks: Vec<String>,
    /// The identity source and the value the gateway saw (a token shortened, see [`shorten`]).
    pub identity: Option<(String, String)>,
    /// The API key and its usage plan's counters.
    pub api_key: Option<ApiKeyUse>,
    /// A Lambda authorizer's cache lookup (`None` with caching off).
    pub cache: Option<CacheLookup>,
    /// The event sent to a Lambda authorizer (`None` on a cache hit or before a call).
    pub event: Option<Json>,
    /// A Lambda authorizer's answer (as received, or as cached): principalId, policyDocument,
    /// context.
    pub answer: Option<Json>,
    /// A Cognito token's header, decoded (whether or not it verifies).
    pub token_header: Option<Json>,
    /// A Cognito token's claims, decoded (verified unless `failure` says otherwise).
    pub claims: Option<Json>,
    /// AWS_IAM: the access key the signature names.
    pub access_key: Option<String>,
    /// What the checks found, in order ("the signature verifies", "the policy allows ...").
    pub results: Vec<String>,
    /// What the templates see as `$context.authorizer` (`None`: nothing set).
    pub context: Option<Json>,
    /// When the gateway answered the client here.
    pub failure: Option<AuthFailure>,
}

/// The API key a request used, and its usage plan's counters after the request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ApiKeyUse {
    /// The key as the execution log shows it (`**********abcd`).
    pub key: String,
    /// The key's id (its name in the session), when the key is known.
    pub id: Option<String>,
    /// The usage plan that admits the key.
    pub plan: Option<String>,
    /// Requests counted in the quota's current period.
    pub used: Option<u64>,
    /// The quota: limit and period.
    pub quota: Option<(u64, String)>,
    /// The throttle: rate and burst.
    pub throttle: Option<(f64, u64)>,
}

/// A Lambda authorizer's cache lookup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheLookup {
    /// Whether a cached answer was used (the function not called).
    pub hit: bool,
    /// The authorizer's TTL in seconds.
    pub ttl: u64,
    /// Seconds the answer stays cached from this request.
    pub ttl_left: u64,
}

/// The gateway's answer when the authorization stage ended the request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthFailure {
    /// The status the client got.
    pub status: u16,
    /// The gateway response type (UNAUTHORIZED, ACCESS_DENIED, ...).
    pub response_type: String,
    /// Why.
    pub why: String,
}

/// A token or key shortened for display: its first 10 and last 6 characters around `…`
/// (short values are kept whole).
pub fn shorten(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 24 {
        return value.to_string();
    }
    let head: String = chars[..10].iter().collect();
    let tail: String = chars[chars.len() - 6..].iter().collect();
    format!("{head}…{tail} ({} chars)", chars.len())
}

/// The stages of `trace` for reading (`gatebench run --stages`): one line per stage with its
/// outcome and notes, and the authorization stage's record in full.
pub fn stages_text(trace: &Trace) -> String {
    let mut out = String::from("Stages:\n");
    for r in &trace.stages {
        let (mark, why) = match &r.outcome {
            StageOutcome::Done => ("✓", String::new()),
            StageOutcome::Skipped => ("–", String::new()),
            StageOutcome::Failed(m) => ("✗", format!(" {m}")),
        };
        out.push_str(&format!("{mark} {}{why}\n", r.stage.label()));
        for n in &r.notes {
            if !why.contains(n.as_str()) {
                out.push_str(&format!("    {n}\n"));
            }
        }
        if r.stage == Stage::Authorization
            && let Some(a) = &trace.authorization
        {
            for l in a.lines() {
                out.push_str(&format!("    {l}\n"));
            }
        }
    }
    out
}

impl AuthTrace {
    /// The record as plain lines (the workbench's Backend pane shows the same, styled).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(f) = &self.failure {
            out.push(format!(
                "gateway answer: {} {} ({})",
                f.status, f.response_type, f.why
            ));
        }
        for c in &self.checks {
            out.push(format!("check: {c}"));
        }
        if let Some((source, seen)) = &self.identity {
            out.push(format!("identity: {source} = {seen}"));
        }
        if let Some(k) = &self.api_key {
            let mut l = format!("API key: {}", k.key);
            if let Some(id) = &k.id {
                l.push_str(&format!(" (id {id})"));
            }
            if let Some(plan) = &k.plan {
                l.push_str(&format!(", usage plan {plan}"));
            }
            if let Some(used) = k.used {
                l.push_str(&format!(", {used} used"));
            }
            if let Some((limit, period)) = &k.quota {
                l.push_str(&format!(" of {limit} per {period}"));
            }
            out.push(l);
        }
        if let Some(c) = &self.cache {
            out.push(if c.hit {
                format!("cache: hit ({} s of {} s left)", c.ttl_left, c.ttl)
            } else {
                format!("cache: miss (cached for {} s)", c.ttl)
            });
        }
        if let Some(k) = &self.access_key {
            out.push(format!("access key: {k}"));
        }
        for r in &self.results {
            out.push(format!("result: {r}"));
        }
        let json = |label: &str, v: &Option<Json>, out: &mut Vec<String>| {
            if let Some(v) = v {
                out.push(format!("{label}: {v}"));
            }
        };
        json("authorizer event", &self.event, &mut out);
        json("authorizer answer", &self.answer, &mut out);
        json("token header", &self.token_header, &mut out);
        json("token claims", &self.claims, &mut out);
        json("$context.authorizer", &self.context, &mut out);
        out
    }
}
