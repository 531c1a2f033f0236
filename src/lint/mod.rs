//! Template lint: the mistakes people make in mapping templates, found before production.
//!
//! Every rule reads the real engine's syntax tree ([`crate::vtl::ast`]) and the gateway's
//! model of the method ([`crate::gateway::api`]); none reads the text with patterns. Rules
//! that depend on data render the session's saved requests through the gateway's own
//! template path (and, for response templates, run them through the pipeline when the
//! session's backend is the offline echo or canned one), and name the request that showed
//! the problem.
//!
//! Files: [`rules`] (ids, levels, explanations), `visit` (walking every reference and
//! condition), `value` (what a reference holds: client data, an escaped value, JSON),
//! `json` (the JSON-text rules: the template's literal text read as JSON, with where each
//! value is written), `velocity` (conditions, unused `#set`, `$velocityCount`, parse
//! errors), `method` (what the method declares: parameters, authorizer, header mappings,
//! content types), `data` (saved requests rendered), `session` (a whole session), `offsets`
//! (spans after `[values]` substitution).

mod data;
mod json;
mod method;
mod offsets;
pub mod rules;
mod session;
mod value;
mod velocity;
mod visit;

use serde::Serialize;

pub use rules::{RuleId, RuleInfo};
pub use session::{lint_session, lint_session_static};

use crate::gateway::Phase;
use crate::gateway::api::{Api, IntegrationType, Method};

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Worth knowing; nothing breaks.
    Info,
    /// Breaks with some data, or does not do what it seems to.
    Warning,
    /// Breaks every time (or the gateway refuses it).
    Error,
}

impl Level {
    /// `error`, `warning` or `info`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// The level named `text`.
    pub fn parse(text: &str) -> Option<Level> {
        match text {
            "info" => Some(Level::Info),
            "warning" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
}

/// A place in a template's text: 1-based line and column (in characters), and the byte
/// offset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Byte offset into the template text.
    pub offset: usize,
}

impl Span {
    /// Byte `offset`, its line and column not known yet ([`locate`] fills them in, for all
    /// findings in one pass over the text).
    pub(crate) fn offset(offset: usize) -> Span {
        Span {
            line: 0,
            col: 0,
            offset,
        }
    }

    /// The span of byte `offset` in `text`.
    pub fn at(text: &str, offset: usize) -> Span {
        let offset = offset.min(text.len());
        let (line, col) = crate::vtl::error::line_col(text, offset);
        Span {
            line: line as usize,
            col: col as usize,
            offset,
        }
    }
}

/// A mechanical fix: replace bytes `start..end` of the template text with `text`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced (`start` for an insertion).
    pub end: usize,
    /// The new text.
    pub text: String,
}

impl Fix {
    /// The template text with the fix applied.
    pub fn apply(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + self.text.len());
        out.push_str(&template[..self.start.min(template.len())]);
        out.push_str(&self.text);
        out.push_str(&template[self.end.min(template.len())..]);
        out
    }

    /// One line for people: "replace `old` with `new`" or "insert `new`".
    pub fn describe(&self, template: &str) -> String {
        let old = template.get(self.start..self.end).unwrap_or("");
        if old.is_empty() {
            format!("insert `{}`", self.text)
        } else {
            format!("replace `{old}` with `{}`", self.text)
        }
    }
}

/// Which side of the integration a template belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase", tag = "side", content = "response")]
pub enum Side {
    /// The integration request template.
    Request,
    /// A response template of the integration response with this key.
    Response(String),
}

/// Where a finding is: a method's template, or one of the method's settings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Place {
    /// The method: index of its resource in the API, the resource path and the verb key.
    /// `None` for a template linted on its own.
    pub method: Option<MethodAt>,
    /// The template, or the setting.
    pub part: Part,
}

/// A method of the API.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodAt {
    /// Index into `api.resources`.
    pub resource: usize,
    /// The resource path (`/pets/{petId}`).
    pub path: String,
    /// The verb key (`POST`, `ANY`).
    pub verb: String,
}

impl MethodAt {
    /// `POST /pets/{petId}`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.verb, self.path)
    }
}

/// A template or a setting of a method.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Part {
    /// A mapping template, by side and content type.
    Template {
        /// Request or response (with the integration response's key).
        side: Side,
        /// The content type it is keyed by.
        content_type: String,
    },
    /// A setting of the method, by its keys as written under the method in a session
    /// (`["integration", "requestParameters", "integration.request.header.TE"]`).
    Setting {
        /// The keys.
        keys: Vec<String>,
    },
}

/// One thing the linter found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// Which rule.
    pub rule: RuleId,
    /// How serious.
    pub level: Level,
    /// One line saying what is wrong here.
    pub message: String,
    /// Where: the method and template (or setting).
    pub place: Place,
    /// Where in the template's text (1:1 for a setting).
    pub span: Span,
    /// The mechanical fix, when there is one.
    pub fix: Option<Fix>,
}

impl Finding {
    fn new(rule: RuleId, message: String, span: Span) -> Finding {
        Finding {
            rule,
            level: rule.level(),
            message,
            place: Place {
                method: None,
                part: Part::Template {
                    side: Side::Request,
                    content_type: String::new(),
                },
            },
            span,
            fix: None,
        }
    }

    fn with_fix(mut self, fix: Option<Fix>) -> Finding {
        self.fix = fix;
        self
    }
}

/// A JSON document a template may read: a saved request's body (request templates) or
/// what the backend answered it (response templates), named for messages.
#[derive(Clone, Debug)]
pub struct Sample {
    /// How messages name it: `request "create a pet"`.
    pub name: String,
    /// The document.
    pub json: serde_json::Value,
}

/// What the linter knows about the template it reads.
#[derive(Clone, Copy)]
pub struct TemplateSpec<'a> {
    /// The content type the template is keyed by.
    pub content_type: &'a str,
    /// Request or response template.
    pub phase: Phase,
    /// The integration type, when the template belongs to a method.
    pub integration: Option<IntegrationType>,
    /// The method (for what it declares), with its resource path.
    pub method: Option<(&'a Method, &'a str)>,
    /// The API (its authorizers).
    pub api: Option<&'a Api>,
    /// JSON documents the template reads, when known (`None`: no saved request reaches
    /// it, so data cannot tell; `Some(empty)`: requests reach it, none with a JSON body).
    pub samples: Option<&'a [Sample]>,
    /// Whether `$context.requestOverride` / `responseOverride` may hold client text here:
    /// the method's request template wrote client text into them (a response template
    /// reads what the request template carried). `false` for a template on its own.
    pub overrides_hold_client_text: bool,
}

impl<'a> TemplateSpec<'a> {
    /// A template on its own, keyed by `content_type`.
    pub fn alone(content_type: &'a str) -> TemplateSpec<'a> {
        TemplateSpec {
            content_type,
            phase: Phase::Request,
            integration: None,
            method: None,
            api: None,
            samples: None,
            overrides_hold_client_text: false,
        }
    }

    /// Whether the content type is JSON (`application/json`, `application/x-amz-json-1.0`,
    /// `application/vnd.api+json`, ...).
    pub fn json_type(&self) -> bool {
        crate::gateway::mapping::mime(self.content_type).contains("json")
    }

    /// Whether the output is JSON someone reads: a JSON content type, and not a MOCK
    /// integration's request template (the gateway only reads its statusCode).
    pub fn output_is_json(&self) -> bool {
        self.json_type()
            && !(self.phase == Phase::Request && self.integration == Some(IntegrationType::Mock))
    }
}

/// Lint one template's text (the static rules; [`lint_session`] adds the data rules).
/// Findings are in text order.
pub fn lint_template(text: &str, spec: &TemplateSpec<'_>) -> Vec<Finding> {
    let template = match crate::vtl::Template::parse(text) {
        Ok(t) => t,
        Err(e) => {
            let mut out = vec![velocity::parse_error(&e)];
            locate(text, &mut out);
            return out;
        }
    };
    let mut out = Vec::new();
    json::check(&template, spec, &mut out);
    velocity::check(&template, spec, &mut out);
    method::check_template(&template, spec, &mut out);
    locate(text, &mut out);
    sort_dedupe(&mut out);
    out
}

/// Fill in the line and column of every finding's offset in `text`, in one pass (lines end
/// at `\n`, `\r\n` or a lone `\r`, as the engine counts them; columns count characters).
pub(crate) fn locate(text: &str, findings: &mut [Finding]) {
    let mut order: Vec<usize> = (0..findings.len()).collect();
    order.sort_by_key(|&i| findings[i].span.offset);
    let (mut line, mut col, mut prev_cr) = (1usize, 1usize, false);
    let mut chars = text.char_indices().peekable();
    for i in order {
        let target = findings[i].span.offset.min(text.len());
        while let Some(&(at, c)) = chars.peek() {
            if at >= target {
                break;
            }
            match c {
                '\n' if prev_cr => {}
                '\n' | '\r' => {
                    line += 1;
                    col = 1;
                }
                _ => col += 1,
            }
            prev_cr = c == '\r';
            chars.next();
        }
        findings[i].span.line = line;
        findings[i].span.col = col;
        findings[i].span.offset = target;
    }
}

/// Text order, one finding per rule and place.
fn sort_dedupe(out: &mut Vec<Finding>) {
    out.sort_by(|a, b| {
        (a.span.offset, a.rule, &a.message).cmp(&(b.span.offset, b.rule, &b.message))
    });
    out.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
}

/// Whether the method's request templates write client text into the override maps, where
/// its response templates read it (for [`TemplateSpec::overrides_hold_client_text`]).
pub fn request_templates_carry_client_text(method: &Method) -> bool {
    method.integration.request_templates.values().any(|t| {
        crate::vtl::Template::parse(t).is_ok_and(|t| value::writes_client_text_to_overrides(&t))
    })
}

/// Whether any finding is at or above `level`.
pub fn any_at_or_above(findings: &[Finding], level: Level) -> bool {
    findings.iter().any(|f| f.level >= level)
}
