//! The Rendered pane: what the selected template produces, byte for byte. Valid JSON is shown
//! pretty by default, anything else raw (the exact bytes with visible whitespace: `·` for a
//! space at a line's end, `→` tab, `␍` carriage return, `⏎` newline); the raw/pretty key
//! switches. Notes on top say when a limit cut the output (the 1000-iteration `#foreach`
//! cap) and when a response template was rendered against an empty body because the
//! endpoint call failed (so its output is no template bug).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::view_model::body::JsonStatus;
use crate::app::views::{RenderFailure, RenderedOutput};
use crate::app::{Action, App, Pane};
use crate::gateway::api::IntegrationType;
use crate::gateway::trace::Stage;
use crate::ui::panes::{draw_text, pane_block, spinner};
use crate::ui::widgets::text_view;
use crate::vtl::ErrorKind;

/// Draw the Rendered pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let mut title = Vec::new();
    let rendered = app.rendered();
    if app.render_pending() && app.uses_templates() && !app.template_slots().is_empty() {
        title.push(Span::styled(format!(" {}", spinner(app)), theme.muted()));
    }
    let failed_call = app.rendered_against_failed_call();
    let status = match rendered.map(|r| &r.result) {
        Some(Ok(_)) if failed_call => Some(Span::styled(" (endpoint call failed)", theme.muted())),
        Some(Ok(out)) => match &out.json {
            JsonStatus::Valid => Some(Span::styled(" ✓ JSON", theme.success())),
            JsonStatus::Empty => Some(Span::styled(" (empty)", theme.muted())),
            JsonStatus::Invalid { line, col, .. } => Some(Span::styled(
                format!(" ✗ not valid JSON at {line}:{col}"),
                theme.error(),
            )),
        },
        Some(Err(_)) => Some(Span::styled(" ✗ error", theme.error())),
        None => None,
    };
    title.extend(status);
    if let Some(Ok(out)) = rendered.map(|r| &r.result) {
        if !out.notes.is_empty() {
            title.push(Span::styled(" ⚠ cut", theme.error()));
        }
        title.push(Span::styled(
            if app.rendered_raw() {
                " raw"
            } else {
                " pretty"
            },
            theme.muted(),
        ));
    }
    // Which template this is: side, status and content type (cut first when space is short).
    if app.stage() == Stage::Authorization && app.trace().is_some() {
        title = vec![Span::styled(" · $context.authorizer", theme.text())];
    } else if let Some(slot) = app.template_slot() {
        title.push(Span::styled(format!(" · {}", slot.label()), theme.text()));
    }
    let block = pane_block(
        app,
        Pane::Rendered,
        area,
        title,
        None,
        &[Action::Copy, Action::ToggleRaw],
    );
    let inner = block.inner(area);
    // At the authorization stage: what reaches `$context.authorizer`, the map the templates
    // will see (the template's own output is one stage away).
    if app.stage() == Stage::Authorization
        && let Some(text) = app.authorizer_context_text()
    {
        draw_text(f, app, Pane::Rendered, block, area, &text);
        return;
    }

    let note =
        |text: String| Paragraph::new(Span::styled(text, theme.muted())).wrap(Wrap { trim: true });
    match app.integration_kind() {
        Some(IntegrationType::AwsProxy) => {
            f.render_widget(block, area);
            f.render_widget(note("AWS_PROXY uses no mapping template: the gateway sends the whole request to Lambda as a proxy event (see Backend), and the function's {statusCode, headers, body} becomes the response.".into()), inner);
            return;
        }
        Some(IntegrationType::HttpProxy) => {
            f.render_widget(block, area);
            f.render_widget(note("HTTP_PROXY uses no mapping template: the gateway forwards the request as it is (see Backend) and returns the endpoint's response as it is.".into()), inner);
            return;
        }
        _ => {}
    }
    f.render_widget(block, area);
    if app.template_slots().is_empty() {
        f.render_widget(note("No template to render.".into()), inner);
        return;
    }
    if let Some(status) = app.response_template_unused() {
        f.render_widget(
            note(format!(
                "No response template applied: the client's {status} carries the integration response body as it was. The selected template was not rendered for this answer."
            )),
            inner,
        );
        return;
    }
    let Some(rendered) = rendered else {
        f.render_widget(note("Rendering…".into()), inner);
        return;
    };
    match &rendered.result {
        Ok(out) => draw_output(f, app, inner, out, failed_call),
        Err(RenderFailure::Template(e)) => {
            let what = match e.kind {
                ErrorKind::Parse => "The template does not parse",
                ErrorKind::Render => {
                    "Rendering failed: API Gateway answers 500 {\"message\": \"Internal server error\"}"
                }
            };
            let lines = vec![
                Line::from(Span::styled(
                    format!("✗ {}:{}: {}", e.line, e.col, e.message),
                    theme.error(),
                )),
                Line::from(""),
                Line::from(Span::styled(what, theme.muted())),
            ];
            f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        }
        Err(RenderFailure::Setup(e)) => {
            f.render_widget(
                Paragraph::new(Span::styled(format!("✗ {e}"), theme.error()))
                    .wrap(Wrap { trim: false }),
                inner,
            );
        }
    }
}

/// Draw a template's output: notes first (limits that cut it, an endpoint call that failed),
/// then the exact bytes (raw, with a marker and caret at a JSON error) or pretty JSON. Only
/// the visible window becomes ratatui lines.
fn draw_output(f: &mut Frame, app: &App, inner: Rect, out: &RenderedOutput, failed_call: bool) {
    let theme = app.theme();
    let h = inner.height as usize;
    let mut head: Vec<Line<'static>> = Vec::new();
    for n in &out.notes {
        head.push(Line::from(Span::styled(
            format!("⚠ output cut: {n}"),
            theme.error(),
        )));
    }
    if failed_call {
        head.push(Line::from(Span::styled(
            "rendered against an empty body (the endpoint call failed): the client got the gateway's error, not this",
            theme.muted(),
        )));
    } else if let JsonStatus::Invalid { line, col, message } = &out.json {
        head.push(Line::from(Span::styled(
            format!("✗ not valid JSON at line {line}, column {col}: {message}"),
            theme.error(),
        )));
    }
    if out.json == JsonStatus::Empty && !failed_call {
        head.push(Line::from(Span::styled(
            "The template renders nothing (an empty body).",
            theme.muted(),
        )));
    }
    // Wrapped header lines take more rows: count them so the body starts below.
    let w = inner.width.max(1) as usize;
    let head_rows: usize = head
        .iter()
        .map(|l| l.width().div_ceil(w).max(1))
        .sum::<usize>()
        .min(h);
    let [head_area, body_area] = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Length(u16::try_from(head_rows).unwrap_or(u16::MAX)),
        ratatui::layout::Constraint::Min(0),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), head_area);
    let h = body_area.height as usize;
    let raw = app.rendered_raw();
    let error = match &out.json {
        JsonStatus::Invalid { line, col, message } if !failed_call => {
            Some((*line, *col, message.as_str()))
        }
        _ => None,
    };
    if !raw && error.is_none() {
        // Pretty JSON, long values wrapped.
        crate::ui::panes::draw_text_in(f, app, Pane::Rendered, body_area, &out.view);
        return;
    }
    // The exact bytes, with a gutter marking the error line and a caret under it.
    enum Item<'a> {
        Text(usize, bool, crate::app::view_model::body::StyledLine<'a>),
        Caret,
    }
    let items = out.raw().lines_from(0).enumerate().flat_map(|(i, l)| {
        let at_error = error.is_some_and(|(line, _, _)| i + 1 == line);
        std::iter::once(Item::Text(i, at_error, l)).chain(at_error.then_some(Item::Caret))
    });
    let total = out.raw().len() + usize::from(error.is_some());
    let scroll = text_view::clamp_scroll(app.scroll(Pane::Rendered), total, h);
    let gutter = error.is_some();
    let visible: Vec<Line> = items
        .skip(scroll)
        .take(h)
        .map(|item| match item {
            Item::Text(i, at_error, l) => {
                let mut spans = Vec::new();
                if gutter {
                    spans.push(Span::styled(
                        if at_error { "▶ " } else { "  " },
                        theme.error(),
                    ));
                }
                let marks = app.search_marks(Pane::Rendered, i, l.text);
                spans.extend(text_view::line_marked(l, &marks, theme).spans);
                Line::from(spans)
            }
            Item::Caret => {
                let (_, col, message) = error.unwrap_or((0, 1, ""));
                Line::from(Span::styled(
                    format!("  {}^ {message}", " ".repeat(col.saturating_sub(1))),
                    theme.error(),
                ))
            }
        })
        .collect();
    f.render_widget(Paragraph::new(visible), body_area);
}
