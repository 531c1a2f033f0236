//! The Integration pane: the integration type and its settings, the integration responses,
//! the backend, and the session's explanation.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::{Action, App, Pane};
use crate::backend::BackendConfig;
use crate::gateway::api::IntegrationType;

/// What a type does, in one line.
pub fn type_explanation(kind: IntegrationType) -> &'static str {
    match kind {
        IntegrationType::Mock => {
            "No backend: the request template's statusCode selects the integration response."
        }
        IntegrationType::Aws => {
            "Calls an AWS service (e.g. Lambda Invoke) with the request template's output."
        }
        IntegrationType::AwsProxy => {
            "Lambda proxy: the request becomes an event; the function's answer is the response."
        }
        IntegrationType::Http => {
            "Calls the HTTP endpoint with the request template's output as the body."
        }
        IntegrationType::HttpProxy => {
            "Forwards the request to the HTTP endpoint as is and returns its answer."
        }
    }
}

fn backend_label(b: &BackendConfig) -> String {
    match b {
        BackendConfig::Echo => "echo (built in, offline)".into(),
        BackendConfig::Canned { status, .. } => {
            format!(
                "canned answer{}",
                status.map(|s| format!(" {s}")).unwrap_or_default()
            )
        }
        BackendConfig::Http => "real HTTP (the uri as written)".into(),
        BackendConfig::Lambda { endpoint, .. } => format!("Lambda Invoke API at {endpoint}"),
        BackendConfig::Local { command } => format!("local handler: {}", command.join(" ")),
        BackendConfig::AwsLocal {
            endpoint, start, ..
        } => match (endpoint, start) {
            (Some(e), _) => format!("local AWS at {e}"),
            (None, true) => "local AWS (moto_server, started by gatebench)".into(),
            (None, false) => "local AWS (no endpoint set)".into(),
        },
        BackendConfig::AwsLambda { region, .. } => format!(
            "AWS Lambda (SigV4{})",
            region
                .as_deref()
                .map(|r| format!(", {r}"))
                .unwrap_or_default()
        ),
    }
}

/// The pane's lines (before wrapping).
fn lines(app: &App) -> Vec<Line<'_>> {
    let theme = app.theme();
    let key = |k: &str| Span::styled(format!("{k:<12}"), theme.muted());
    let val = |v: String| Span::styled(v, theme.text());
    let mut lines: Vec<Line> = Vec::new();
    let Some(method) = app.method() else {
        lines.push(Line::from(Span::styled(
            "The session's API has no method.",
            theme.error(),
        )));
        return lines;
    };
    let i = &method.integration;
    let api = &app.session().api;
    if let Some(m) = app.method_ref() {
        lines.push(Line::from(vec![key("method"), val(m.describe(api))]));
    }
    let kind_key = app
        .keymap()
        .first_key(Layer::Normal, Action::CycleType)
        .unwrap_or_default();
    lines.push(Line::from(vec![
        key("type"),
        Span::styled(i.kind.as_str(), theme.key_hint()),
        Span::styled(format!("  ({kind_key} cycles)"), theme.muted()),
    ]));
    lines.push(Line::from(Span::styled(
        type_explanation(i.kind),
        theme.muted(),
    )));
    if let Some(m) = &i.http_method {
        lines.push(Line::from(vec![key("httpMethod"), val(m.clone())]));
    }
    if let Some(u) = &i.uri {
        lines.push(Line::from(vec![key("uri"), val(u.clone())]));
        if let Some(swap) = app.uri_swap() {
            lines.push(Line::from(Span::styled(
                format!(
                    "{key} swapped in the built-in echo's URI: {} needs {}, and the \
                     session's ({}) is not one. It comes back when you switch to a type it \
                     fits.",
                    i.kind.as_str(),
                    match i.kind {
                        IntegrationType::Http | IntegrationType::HttpProxy => "an http(s) URL",
                        IntegrationType::AwsProxy => "a Lambda function ARN",
                        _ => "an arn:aws:apigateway ARN",
                    },
                    swap.original.as_deref().unwrap_or("none"),
                    key = kind_key
                ),
                theme.warning(),
            )));
        }
        // `${Name}` left by an import: what runs use, from the session's [values].
        let values = &app.session().values;
        if u.contains("${") && !values.is_empty() {
            let resolved = crate::gateway::substitute_values(u, values);
            if resolved != *u {
                lines.push(Line::from(vec![
                    key("runs as"),
                    Span::styled(resolved, theme.muted()),
                ]));
            }
        }
    }
    // What the session teaches comes right after what the method is, before the details.
    lines.push(Line::from(""));
    lines.extend(session_lines(app));
    if i.kind.uses_templates() {
        let p = i.passthrough_behavior.unwrap_or_default();
        let p = match p {
            crate::gateway::api::PassthroughBehavior::WhenNoMatch => "WHEN_NO_MATCH",
            crate::gateway::api::PassthroughBehavior::WhenNoTemplates => "WHEN_NO_TEMPLATES",
            crate::gateway::api::PassthroughBehavior::Never => "NEVER",
        };
        lines.push(Line::from(vec![key("passthrough"), val(p.into())]));
        let cts: Vec<&str> = i.request_templates.keys().map(String::as_str).collect();
        lines.push(Line::from(vec![
            key("templates"),
            val(if cts.is_empty() {
                "none".into()
            } else {
                cts.join(", ")
            }),
        ]));
    }
    lines.push(Line::from(vec![
        key("timeout"),
        val(format!("{} ms", i.timeout_ms())),
    ]));
    if !i.request_parameters.is_empty() {
        lines.push(Line::from(Span::styled(
            "request parameters (integration ← method)",
            theme.muted(),
        )));
        for (k, v) in &i.request_parameters {
            let target = k.strip_prefix("integration.request.").unwrap_or(k);
            let source = v.strip_prefix("method.request.").unwrap_or(v);
            lines.push(Line::from(val(format!("  {target} ← {source}"))));
        }
    }
    if i.kind.uses_templates() && !i.integration_responses.is_empty() {
        lines.push(Line::from(Span::styled(
            "integration responses",
            theme.muted(),
        )));
        for (name, r) in &i.integration_responses {
            let pattern = match r.selection_pattern.as_deref() {
                None | Some("") => "default".to_string(),
                Some(p) => format!("/{p}/"),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {name:<6}"), theme.text()),
                Span::styled(
                    format!("→ {} ", r.status_code),
                    theme.status(r.status_code.parse().unwrap_or(500)),
                ),
                Span::styled(pattern, theme.muted()),
            ]));
        }
    }
    lines.push(Line::from(vec![
        key("backend"),
        val(backend_label(&app.session().backend)),
    ]));
    lines
}

/// The session's name and explanation, first in the pane so a newcomer reads them first.
fn session_lines(app: &App) -> Vec<Line<'_>> {
    let theme = app.theme();
    let s = app.session();
    let mut lines = vec![Line::from(Span::styled(s.name.clone(), theme.title(true)))];
    // Paragraphs flow with the pane width (the file wraps them at ~95 columns).
    for (n, para) in s.explanation.trim().split("\n\n").enumerate() {
        if n > 0 {
            lines.push(Line::from(""));
        }
        let flowed = para.split_whitespace().collect::<Vec<_>>().join(" ");
        lines.push(Line::from(Span::styled(flowed, theme.muted())));
    }
    lines.push(Line::from(""));
    lines
}

/// Rows the pane's content takes at `width` once wrapped (an estimate that never undercounts
/// by more than a word per line; it bounds scrolling).
pub fn content_rows(app: &App, width: u16) -> usize {
    let w = usize::from(width.max(1));
    lines(app)
        .iter()
        .map(|l| l.width().div_ceil(w).max(1))
        .sum()
}

/// Draw the Integration pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let block = crate::ui::panes::pane_block(
        app,
        Pane::Integration,
        area,
        Vec::new(),
        None,
        &[Action::CycleType, Action::EditMethod, Action::ImportApi],
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let rows = content_rows(app, inner.width);
    let scroll = app
        .scroll(Pane::Integration)
        .min(rows.saturating_sub(usize::from(inner.height)));
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    f.render_widget(
        Paragraph::new(lines(app))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        inner,
    );
}
