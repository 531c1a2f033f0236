//! The Rendered pane: what the selected template produces, byte for byte, shown pretty when it
//! is JSON, with a visible marker where it is not.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::view_model::body::JsonStatus;
use crate::app::views::RenderFailure;
use crate::app::{Action, App, Pane};
use crate::gateway::Phase;
use crate::gateway::api::IntegrationType;
use crate::ui::panes::{pane_block, spinner};
use crate::ui::widgets::text_view;
use crate::vtl::ErrorKind;

/// Draw the Rendered pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let mut title = Vec::new();
    match app.template_slot().map(|s| s.phase) {
        Some(Phase::Request) => title.push(Span::styled(" request", theme.text())),
        Some(Phase::Response) => title.push(Span::styled(" response", theme.text())),
        None => {}
    }
    let rendered = app.rendered();
    if app.render_pending() && app.uses_templates() && !app.template_slots().is_empty() {
        title.push(Span::styled(format!(" {}", spinner(app)), theme.muted()));
    }
    let status = match rendered.map(|r| &r.result) {
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
    let block = pane_block(app, Pane::Rendered, area, title, None, &[Action::Copy]);
    let inner = block.inner(area);
    let h = inner.height as usize;
    let scroll = app.scroll(Pane::Rendered);

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
    let Some(rendered) = rendered else {
        f.render_widget(note("Rendering…".into()), inner);
        return;
    };
    match &rendered.result {
        Ok(out) => match &out.json {
            JsonStatus::Invalid { line, col, message } => {
                // The raw output with a gutter marking the error line and a caret under it.
                // Lines are built lazily: only the visible window becomes ratatui lines.
                enum Item<'a> {
                    Header,
                    Text(bool, crate::app::view_model::body::StyledLine<'a>),
                    Caret,
                }
                let items = std::iter::once(Item::Header).chain(
                    out.view.lines_from(0).enumerate().flat_map(|(i, l)| {
                        let at_error = i + 1 == *line;
                        std::iter::once(Item::Text(at_error, l))
                            .chain(at_error.then_some(Item::Caret))
                    }),
                );
                let total = out.view.len() + 2;
                let scroll = text_view::clamp_scroll(scroll, total, h);
                let visible: Vec<Line> = items
                    .skip(scroll)
                    .take(h)
                    .map(|item| match item {
                        Item::Header => Line::from(Span::styled(
                            format!("✗ not valid JSON at line {line}, column {col}: {message}"),
                            theme.error(),
                        )),
                        Item::Text(at_error, l) => {
                            let mut spans = vec![Span::styled(
                                if at_error { "▶ " } else { "  " },
                                theme.error(),
                            )];
                            spans.extend(text_view::line(l, theme).spans);
                            Line::from(spans)
                        }
                        Item::Caret => Line::from(Span::styled(
                            format!("  {}^ {message}", " ".repeat(col.saturating_sub(1))),
                            theme.error(),
                        )),
                    })
                    .collect();
                f.render_widget(Paragraph::new(visible), inner);
            }
            JsonStatus::Empty => {
                f.render_widget(
                    note("The template renders nothing (an empty body).".into()),
                    inner,
                );
            }
            JsonStatus::Valid => {
                let scroll = text_view::clamp_scroll(scroll, out.view.len(), h);
                f.render_widget(
                    Paragraph::new(text_view::window(&out.view, scroll, h, theme)),
                    inner,
                );
            }
        },
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
