//! The Client response pane: status, headers and body the client receives; when a stage
//! failed, a line under the status says why in full (wrapped).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::listen::Shown;
use crate::app::{Action, App, Pane};
use crate::ui::panes::{draw_text_in, pane_block};
use crate::ui::widgets::text_view;

/// Draw the Client response pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let mut title = Vec::new();
    if let Some(t) = app.trace().filter(|t| t.trace.response.status != 0) {
        let status = t.trace.response.status;
        title.push(Span::styled(format!(" {status}"), theme.status(status)));
        if let Some((stage, _)) = t.failure() {
            title.push(Span::styled(
                format!(" ✗ at {}", stage.label()),
                theme.error(),
            ));
        }
    }
    let block = pane_block(
        app,
        Pane::Response,
        area,
        title,
        None,
        &[Action::RunAll, Action::Copy],
    );
    let waiting = app.trace().is_some_and(|t| t.trace.response.status == 0);
    match app.trace() {
        Some(t) if !waiting => {
            let inner = block.inner(area);
            f.render_widget(block, area);
            let cause = crate::app::views::cause_line(&t.trace);
            let rows = cause
                .as_ref()
                .map_or(0, |c| text_view::wrapped_rows(c, inner.width as usize));
            let [cause_area, rest] = Layout::vertical([
                Constraint::Length(u16::try_from(rows).unwrap_or(u16::MAX)),
                Constraint::Min(0),
            ])
            .areas(inner);
            if let Some(c) = cause {
                let rows = text_view::wrap_line(
                    ratatui::text::Line::from(Span::styled(c, theme.error())),
                    inner.width as usize,
                );
                f.render_widget(Paragraph::new(rows), cause_area);
            }
            draw_text_in(f, app, Pane::Response, rest, &t.response);
        }
        _ if waiting => {
            let inner = block.inner(area);
            f.render_widget(block, area);
            // The trace stopped at the breakpoint; what became of the request since says
            // whether its client still waits.
            let text = match app.shown() {
                Some(Shown::Paused) => "No answer yet: the client is waiting at the breakpoint.",
                Some(Shown::Resumed) => "Resumed: the answer is shown here when it comes.",
                Some(Shown::LetGo) => {
                    "Let go when the server stopped: the request went on without the \
                     breakpoint; its answer is shown here if the server sent one before closing."
                }
                Some(Shown::Served) | None => "No answer in this trace.",
            };
            f.render_widget(
                Paragraph::new(Span::styled(text, theme.muted())).wrap(Wrap { trim: true }),
                inner,
            );
        }
        _ => {
            let inner = block.inner(area);
            f.render_widget(block, area);
            let run = app
                .keymap()
                .first_key(Layer::Normal, Action::RunAll)
                .unwrap_or_default();
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!("Nothing sent yet: press {run} to run the request through all stages."),
                    theme.muted(),
                ))
                .wrap(Wrap { trim: true }),
                inner,
            );
        }
    }
}
