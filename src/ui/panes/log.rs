//! The Log pane: the execution log in the AWS console's Test format.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::Paragraph;

use crate::app::{Action, App, Pane};
use crate::ui::panes::{draw_text, pane_block};

/// Draw the Log pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let block = pane_block(app, Pane::Log, area, Vec::new(), None, &[Action::Copy]);
    match app.trace() {
        Some(t) if !t.log.is_empty() => draw_text(f, app, Pane::Log, block, area, &t.log),
        _ => {
            let inner = block.inner(area);
            f.render_widget(block, area);
            f.render_widget(
                Paragraph::new(Span::styled("No execution log yet.", app.theme().muted())),
                inner,
            );
        }
    }
}
