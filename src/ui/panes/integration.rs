//! The Integration pane: the integration type and its settings, the session's explanation,
//! the integration responses, the backend and the listen address. The text is the model's
//! ([`App::integration_text`], which the search also reads); here it is wrapped at spaces and
//! scrolled by rows.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use crate::app::{Action, App, Pane};
use crate::ui::widgets::text_view;

pub use crate::app::view_model::pane_text::type_explanation;

/// Rows the pane's content takes at `width` once wrapped (it bounds scrolling).
pub fn content_rows(app: &App, width: u16) -> usize {
    text_view::word_wrapped_rows(&app.integration_text(), usize::from(width.max(1)))
}

/// Draw the Integration pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let block = crate::ui::panes::pane_block(
        app,
        Pane::Integration,
        area,
        Vec::new(),
        None,
        // The backend key is named on the backend's own line.
        &[Action::CycleType, Action::EditMethod, Action::ImportApi],
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let text = app.integration_text();
    let width = usize::from(inner.width.max(1));
    let height = usize::from(inner.height);
    let rows = text_view::word_wrapped_rows(&text, width);
    let scroll = app
        .scroll(Pane::Integration)
        .min(rows.saturating_sub(height));
    let marks = |row: usize, line: &str| app.search_marks(Pane::Integration, row, line);
    let lines = text_view::word_wrapped_window(&text, scroll, height, width, app.theme(), &marks);
    f.render_widget(Paragraph::new(lines), inner);
}
