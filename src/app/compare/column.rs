//! One column of the compare view laid out from its type's run: what the type does (one
//! line), which URI and backend it used, what the backend received and what the client got,
//! as rows. A row that shows a field (the method, the URL, a header, a body, the status)
//! names it, so [`super::marks`] can mark the fields that differ between the types. Built in
//! the background when the run ends (pretty-printing a body is CPU work); `update` only marks.

use std::hash::{Hash, Hasher};
use std::ops::Range;

use crate::app::view_model::Tok;
use crate::app::view_model::body::{StyledText, json_or_plain};
use crate::backend::BackendConfig;
use crate::backend::compare::Answerer;
use crate::gateway::api::IntegrationType;
use crate::gateway::trace::{HttpMessage, Trace};
use crate::session::compare::{ECHO_URL, TypeRun, UriUsed};

/// A body longer than this many display lines is cut in the column (the panes show it all).
pub const MAX_BODY_LINES: usize = 400;

/// What a type does with a request, in one line (the column's first row).
pub fn what_it_does(kind: IntegrationType) -> &'static str {
    match kind {
        IntegrationType::Mock => {
            "MOCK: no backend call; the request template's statusCode picks the integration \
             response, whose template writes the answer."
        }
        IntegrationType::Aws => {
            "AWS: the request template's output is the Lambda payload (or the AWS service \
             call); the result goes through the response template."
        }
        IntegrationType::AwsProxy => {
            "AWS_PROXY: the whole request becomes the Lambda event; no templates; the \
             function's answer is the response."
        }
        IntegrationType::Http => {
            "HTTP: parameter mappings build the URL and headers, the request template the \
             body; the answer goes through the response template."
        }
        IntegrationType::HttpProxy => {
            "HTTP_PROXY: the request is forwarded as it came (headers, query, body); the \
             backend's answer is the response, untouched."
        }
    }
}

/// The two halves of a column, compared separately.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Section {
    /// What the backend receives (for MOCK: the rendered integration request).
    Backend,
    /// What the client gets.
    Client,
}

/// A field that the types are compared on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FieldKey {
    /// Which half.
    pub section: Section,
    /// `method`, `url`, `status`, `body`, or `header:NAME` (lower case).
    pub name: String,
}

/// One row of a column: display lines, and the field they show (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The field shown (`None`: a heading or an explanation, never compared).
    pub key: Option<FieldKey>,
    /// A fingerprint of the value; `None` for values that change from run to run (request
    /// ids), whose presence alone is compared.
    pub value: Option<u64>,
    /// The lines (the first one carries the difference marker).
    pub lines: StyledText,
}

/// A finished type's column before marking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnLayout {
    /// The type.
    pub kind: IntegrationType,
    /// What the client got (0: nothing, the run did not finish).
    pub status: u16,
    /// Why the client got an error (the failed stage's reason), in one line.
    pub cause: Option<String>,
    /// Whether an endpoint request was sent (the backend fields are compared with the
    /// other columns that sent one).
    pub called: bool,
    /// Whether the column shows a rendered integration request without a call (MOCK): its
    /// body is compared with the bodies the others sent.
    pub rendered_only: bool,
    /// The rows.
    pub rows: Vec<Row>,
}

/// Headers of the endpoint request left out of the column: per-request ids and the SigV4
/// signature of a Lambda call (shown in the Backend pane), which say nothing about the type.
fn hidden_backend_header(name: &str, lambda: bool) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "x-amzn-trace-id" | "x-amz-date" | "x-amz-security-token" | "x-amzn-lambda-integration-tag"
    ) || (lambda && n == "authorization")
}

/// Client response headers whose values change from run to run.
fn volatile_header(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "x-amzn-requestid" | "x-amz-apigw-id" | "x-amzn-trace-id"
    )
}

fn fingerprint(bytes: &[u8]) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

/// A line built piece by piece, each piece with its token kind.
#[derive(Default)]
struct Built {
    text: String,
    toks: Vec<(Range<usize>, Tok)>,
}

impl Built {
    fn push(mut self, s: &str, tok: Tok) -> Built {
        let start = self.text.len();
        self.text.push_str(s);
        self.toks.push((start..self.text.len(), tok));
        self
    }

    fn text(self) -> StyledText {
        let mut out = StyledText::default();
        out.push_line(&self.text, &self.toks);
        out
    }
}

fn one(s: &str, tok: Tok) -> StyledText {
    Built::default().push(s, tok).text()
}

fn note(rows: &mut Vec<Row>, s: &str, tok: Tok) {
    rows.push(Row {
        key: None,
        value: None,
        lines: one(s, tok),
    });
}

fn field(rows: &mut Vec<Row>, section: Section, name: &str, value: Option<u64>, lines: StyledText) {
    rows.push(Row {
        key: Some(FieldKey {
            section,
            name: name.to_string(),
        }),
        value,
        lines,
    });
}

/// A body as a labelled row: `body (N bytes)` then its lines (pretty when JSON), cut at
/// [`MAX_BODY_LINES`].
fn body_lines(label: &str, body: &[u8]) -> StyledText {
    let mut out = StyledText::default();
    if body.is_empty() {
        out.extend(
            &Built::default()
                .push(label, Tok::Muted)
                .push(" empty", Tok::Plain)
                .text(),
        );
        return out;
    }
    let head = format!("{label} ({} bytes)", body.len());
    out.extend(&one(&head, Tok::Muted));
    let (view, _) = json_or_plain(&String::from_utf8_lossy(body));
    for l in view.lines_from(0).take(MAX_BODY_LINES) {
        let toks: Vec<(Range<usize>, Tok)> = l
            .toks
            .iter()
            .map(|&(s, e, t)| (s as usize + 2..e as usize + 2, t))
            .collect();
        out.push_line(&format!("  {}", l.text), &toks);
    }
    if view.len() > MAX_BODY_LINES {
        out.extend(&one(
            &format!("  … {} more lines", view.len() - MAX_BODY_LINES),
            Tok::Muted,
        ));
    }
    out
}

fn header_row(rows: &mut Vec<Row>, section: Section, k: &str, v: &str, volatile: bool) {
    let lines = Built::default()
        .push(k, Tok::Header)
        .push(": ", Tok::Punct)
        .push(v, Tok::Plain)
        .text();
    let value = (!volatile).then(|| fingerprint(v.as_bytes()));
    field(
        rows,
        section,
        &format!("header:{}", k.to_ascii_lowercase()),
        value,
        lines,
    );
}

/// The URI and backend rows: which URI ran and who answered.
fn setup_rows(rows: &mut Vec<Row>, run: &TypeRun, backend: &BackendConfig) {
    match &run.uri {
        UriUsed::NoMethod => note(
            rows,
            "The request reaches no method: the gateway answers before any integration.",
            Tok::Warning,
        ),
        // MOCK calls nothing: its URI means nothing.
        UriUsed::Session(_) if run.kind == IntegrationType::Mock => {}
        UriUsed::Session(None) => {}
        UriUsed::Session(Some(u)) => rows.push(Row {
            key: None,
            value: None,
            lines: Built::default()
                .push("uri ", Tok::Muted)
                .push(u, Tok::Plain)
                .text(),
        }),
        UriUsed::Example {
            original,
            used,
            post_from,
        } => {
            let what = if *used == ECHO_URL {
                "the echo's URL"
            } else {
                "the echo Lambda's ARN"
            };
            let mut s = format!(
                "uri {what}: the session's ({}) does not fit {}",
                original.as_deref().unwrap_or("none"),
                run.kind.as_str()
            );
            if let Some(m) = post_from {
                s.push_str(&format!("; httpMethod POST, not {m}, as Lambda needs"));
            }
            note(rows, &s, Tok::Warning);
        }
    }
    match &run.answerer {
        None => {}
        Some(Answerer::Session) => note(
            rows,
            &format!(
                "answered by the session's backend: {}",
                crate::app::view_model::pane_text::backend_label(backend)
            ),
            Tok::Muted,
        ),
        Some(Answerer::Echo(why)) => {
            note(
                rows,
                &format!("answered by the built-in echo: {why}"),
                Tok::Muted,
            );
        }
    }
}

fn is_lambda_call(run: &TypeRun) -> bool {
    let uri = match &run.uri {
        UriUsed::Session(u) => u.as_deref().unwrap_or(""),
        UriUsed::Example { used, .. } => used,
        UriUsed::NoMethod => "",
    };
    run.kind == IntegrationType::AwsProxy
        || (run.kind == IntegrationType::Aws && uri.contains(":lambda:path/"))
}

fn backend_rows(rows: &mut Vec<Row>, run: &TypeRun, sent: Option<&HttpMessage>) {
    let t = &run.trace;
    let heading = "─ backend receives ─";
    rows.push(Row {
        key: None,
        value: None,
        lines: one(heading, Tok::Title),
    });
    let Some(sent) = sent else {
        if run.kind == IntegrationType::Mock {
            note(rows, "no backend call", Tok::Accent);
            if let Some(Ok(out)) = t.request_template.as_ref().map(|r| &r.output) {
                field(
                    rows,
                    Section::Backend,
                    "body",
                    Some(fingerprint(out.as_bytes())),
                    body_lines("integration request body (rendered)", out.as_bytes()),
                );
            }
        } else {
            note(
                rows,
                "nothing: an earlier stage answered (see the reason below)",
                Tok::Muted,
            );
        }
        return;
    };
    let lambda = is_lambda_call(run);
    field(
        rows,
        Section::Backend,
        "method",
        Some(fingerprint(sent.method.as_bytes())),
        Built::default()
            .push("method ", Tok::Muted)
            .push(&sent.method, Tok::Plain)
            .text(),
    );
    field(
        rows,
        Section::Backend,
        "url",
        Some(fingerprint(sent.url.as_bytes())),
        Built::default()
            .push("url ", Tok::Muted)
            .push(&sent.url, Tok::Plain)
            .text(),
    );
    let mut hidden = 0;
    for (k, v) in &sent.headers {
        if hidden_backend_header(k, lambda) {
            hidden += 1;
        } else {
            header_row(rows, Section::Backend, k, v, false);
        }
    }
    if hidden > 0 {
        note(
            rows,
            &if hidden == 1 {
                "(1 signing or tracing header not shown)".to_string()
            } else {
                format!("({hidden} signing and tracing headers not shown)")
            },
            Tok::Muted,
        );
    }
    field(
        rows,
        Section::Backend,
        "body",
        Some(fingerprint(&sent.body)),
        body_lines("body", &sent.body),
    );
    if t.endpoint_response.is_none() && run.answerer.is_some() {
        note(rows, "no answer came back", Tok::Error);
    }
}

fn client_rows(rows: &mut Vec<Row>, t: &Trace, cause: Option<&str>) {
    rows.push(Row {
        key: None,
        value: None,
        lines: one("─ client gets ─", Tok::Title),
    });
    if let Some(c) = cause {
        note(rows, &format!("✗ {c}"), Tok::Error);
    }
    let r = &t.response;
    let status = r.status.to_string();
    field(
        rows,
        Section::Client,
        "status",
        Some(fingerprint(status.as_bytes())),
        Built::default()
            .push("status ", Tok::Muted)
            .push(&status, Tok::Status(r.status))
            .text(),
    );
    for (k, v) in &r.headers {
        header_row(rows, Section::Client, k, v, volatile_header(k));
    }
    field(
        rows,
        Section::Client,
        "body",
        Some(fingerprint(&r.body)),
        body_lines("body", &r.body),
    );
}

impl ColumnLayout {
    /// Lay out a type's run in a session whose backend is `backend`.
    pub fn new(run: &TypeRun, backend: &BackendConfig) -> ColumnLayout {
        let t = &run.trace;
        let mut rows = Vec::new();
        note(&mut rows, what_it_does(run.kind), Tok::Muted);
        setup_rows(&mut rows, run, backend);
        let sent = t.endpoint_request.as_ref();
        let cause = crate::app::views::cause_line(t);
        backend_rows(&mut rows, run, sent);
        client_rows(&mut rows, t, cause.as_deref());
        ColumnLayout {
            kind: run.kind,
            status: t.response.status,
            cause,
            called: sent.is_some(),
            rendered_only: sent.is_none()
                && run.kind == IntegrationType::Mock
                && matches!(t.request_template.as_ref().map(|r| &r.output), Some(Ok(_))),
            rows,
        }
    }
}
