//! The Client response pane: status, headers and body the client receives.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::{Action, App, Pane};
use crate::ui::panes::{draw_text, pane_block};

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
        Some(t) if !waiting => draw_text(f, app, Pane::Response, block, area, &t.response),
        _ if waiting => {
            let inner = block.inner(area);
            f.render_widget(block, area);
            f.render_widget(
                Paragraph::new(Span::styled(
                    "No answer yet: the client is waiting at the breakpoint.",
                    theme.muted(),
                ))
                .wrap(Wrap { trim: true }),
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
