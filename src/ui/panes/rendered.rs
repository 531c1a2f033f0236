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
    // The exact bytes, with a gutter marking the error line and a caret under it; long lines
    // wrap (the gutter stays beside them), or run off the edge and scroll sideways.
    let gutter = if error.is_some() { 2 } else { 0 };
    let width = (body_area.width as usize).saturating_sub(gutter).max(1);
    let wraps = app.wraps(Pane::Rendered);
    let shift = app.hscroll(Pane::Rendered);
    let total = out.raw().len() + usize::from(error.is_some());
    let scroll = app.scroll(Pane::Rendered);
    // Scrolling counts lines (and the caret); at the last page, show the real end.
    let scroll = if wraps && scroll >= total.saturating_sub(h) {
        text_view::last_wrapped_page(out.raw(), h, width)
    } else {
        text_view::clamp_scroll(scroll, total, h)
    };
    let caret = |col: usize, message: &str| {
        Line::from(Span::styled(
            format!("{}^ {message}", " ".repeat(col)),
            theme.error(),
        ))
    };
    let with_gutter = |mark: &'static str, row: Line<'static>| {
        let mut spans = Vec::with_capacity(row.spans.len() + 1);
        if gutter > 0 {
            spans.push(Span::styled(mark, theme.error()));
        }
        spans.extend(row.spans);
        Line::from(spans)
    };
    let mut visible: Vec<Line> = Vec::with_capacity(h);
    // Line i of the bytes is item i, or i + 1 after the error's caret.
    let mut item = 0;
    for (i, l) in out.raw().lines_from(0).enumerate() {
        if visible.len() >= h {
            break;
        }
        let at_error = error.filter(|(line, _, _)| i + 1 == *line);
        let items = 1 + usize::from(at_error.is_some());
        if item + items <= scroll {
            item += items;
            continue;
        }
        let marks = app.search_marks(Pane::Rendered, i, l.text);
        let text = text_view::line_marked(l, &marks, theme);
        let mark = if at_error.is_some() { "▶ " } else { "  " };
        if !wraps {
            if item >= scroll {
                visible.push(with_gutter(mark, text_view::shift_line(text, shift)));
            }
            if let Some((_, col, message)) = at_error {
                visible.push(text_view::shift_line(
                    caret(col.saturating_sub(1) + gutter, message),
                    shift,
                ));
            }
            item += items;
            continue;
        }
        if item < scroll {
            // Scrolled to the caret under this line: only it shows.
            if let Some((_, col, message)) = at_error {
                visible.push(caret(col.saturating_sub(1) % width + gutter, message));
            }
            item += items;
            continue;
        }
        let rows = text_view::wrap_line(text, width);
        // The caret goes under the row holding the error's column.
        let caret_row = at_error.map(|(_, col, message)| {
            let col = col.saturating_sub(1);
            ((col / width).min(rows.len() - 1), col % width, message)
        });
        for (k, row) in rows.into_iter().enumerate() {
            visible.push(with_gutter(if k == 0 { mark } else { "  " }, row));
            if let Some((r, col, message)) = caret_row
                && r == k
            {
                visible.push(caret(col + gutter, message));
            }
        }
        item += items;
    }
    visible.truncate(h);
    f.render_widget(Paragraph::new(visible), body_area);
}
