//! Results of background work, already shaped for display: the rendered template (with its
//! JSON check) and a pipeline trace (with its messages laid out). The runtime builds these
//! off the UI thread; `update` stores them; panes only slice them.

use crate::app::view_model::body::{
    JsonStatus, StyledText, http_message, json_or_plain, visible_whitespace,
};
use crate::gateway::trace::{StageOutcome, Trace};
use crate::vtl::VtlError;

/// A template's output, checked for JSON.
#[derive(Clone, Debug)]
pub struct RenderedOutput {
    /// The exact output.
    pub text: String,
    /// Display lines (pretty when JSON).
    pub view: StyledText,
    /// JSON or not, and where not.
    pub json: JsonStatus,
    /// The exact bytes with whitespace made visible, laid out the first time the raw view
    /// is drawn (see [`RenderedOutput::raw`]): most renders are never looked at raw, and for
    /// a large output this is a second full pass.
    raw: std::sync::OnceLock<StyledText>,
    /// Limits that cut the output without an error (e.g. the 1000-iteration `#foreach` cap).
    pub notes: Vec<String>,
}

/// Equal outputs are equal whether or not their raw view was laid out yet.
impl PartialEq for RenderedOutput {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
            && self.view == other.view
            && self.json == other.json
            && self.notes == other.notes
    }
}

impl Eq for RenderedOutput {}

impl RenderedOutput {
    /// Check and lay out a template's output.
    pub fn new(text: String) -> RenderedOutput {
        RenderedOutput::with_notes(text, Vec::new())
    }

    /// [`RenderedOutput::new`] with the limits that cut the output.
    pub fn with_notes(text: String, notes: Vec<String>) -> RenderedOutput {
        let (view, json) = json_or_plain(&text);
        RenderedOutput {
            text,
            view,
            json,
            raw: std::sync::OnceLock::new(),
            notes,
        }
    }

    /// The exact bytes, whitespace made visible (`·` trailing space, `→` tab, `␍` CR,
    /// `⏎` newline).
    pub fn raw(&self) -> &StyledText {
        self.raw.get_or_init(|| visible_whitespace(&self.text))
    }
}

/// Why there is no output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderFailure {
    /// The template failed to parse or to render (with line and column).
    Template(VtlError),
    /// The request could not be set up (bad body, too large...).
    Setup(String),
}

/// A finished render.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderOutcome {
    /// The generation of the request that produced it.
    pub generation: u64,
    /// The output or the failure.
    pub result: Result<RenderedOutput, RenderFailure>,
    /// The template's lint findings (static rules), in text order.
    pub findings: Vec<crate::lint::Finding>,
}

/// A pipeline trace with its messages laid out for the panes.
#[derive(Clone, Debug)]
pub struct TraceView {
    /// The trace itself.
    pub trace: Trace,
    /// The endpoint request, when a backend was called.
    pub endpoint_request: Option<StyledText>,
    /// The endpoint response, when a backend answered.
    pub endpoint_response: Option<StyledText>,
    /// What the client received.
    pub response: StyledText,
    /// The execution log.
    pub log: StyledText,
    /// What changed between the client request and the endpoint request.
    pub changes: StyledText,
}

impl TraceView {
    /// Lay out a trace.
    pub fn new(trace: Trace) -> TraceView {
        let mut log = StyledText::default();
        for line in &trace.log {
            log.extend(&StyledText::plain(line));
        }
        TraceView {
            endpoint_request: trace.endpoint_request.as_ref().map(http_message),
            endpoint_response: trace.endpoint_response.as_ref().map(http_message),
            response: http_message(&trace.response),
            log,
            changes: StyledText::default(),
            trace,
        }
    }

    /// Add the "what changed" view against the client's request.
    #[must_use]
    pub fn with_changes(mut self, client: &crate::gateway::pipeline::ClientRequest) -> TraceView {
        self.changes = crate::app::diff::changes(client, self.trace.endpoint_request.as_ref());
        self
    }

    /// The first stage that failed, with its message.
    pub fn failure(&self) -> Option<(crate::gateway::trace::Stage, &str)> {
        self.trace.stages.iter().find_map(|s| match &s.outcome {
            StageOutcome::Failed(m) => Some((s.stage, m.as_str())),
            _ => None,
        })
    }
}

/// Why the client got an error, in one line: the status, the gateway's message and the
/// failed stage's reason (`504 Internal server error — error sending request ...`). `None`
/// when no stage failed.
pub fn cause_line(trace: &Trace) -> Option<String> {
    let (stage, why) = trace.stages.iter().find_map(|s| match &s.outcome {
        StageOutcome::Failed(m) => Some((s.stage, m.as_str())),
        _ => None,
    })?;
    let status = trace.response.status;
    let message = serde_json::from_slice::<serde_json::Value>(&trace.response.body)
        .ok()
        .and_then(|v| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        });
    let why = why.lines().collect::<Vec<_>>().join(" ");
    Some(match message {
        Some(m) if !why.contains(m.as_str()) => format!("{status} {m} — {why}"),
        _ => format!("{status} — {} failed: {why}", stage.label()),
    })
}

/// A finished (or abandoned) pipeline run.
#[derive(Clone, Debug)]
pub struct TraceOutcome {
    /// The generation of the request that produced it.
    pub generation: u64,
    /// The trace, or why there is none (cancelled, request invalid).
    pub result: Result<Box<TraceView>, String>,
}
