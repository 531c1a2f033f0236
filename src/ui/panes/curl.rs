//! The curl prompt: an editor for the command (pasted or typed), the parse error under it,
//! and the keys in the border.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::{Action, App};
use crate::ui::panes::import::{border_hints, centered};

/// Draw the prompt.
pub fn draw(f: &mut Frame, app: &App) {
    let theme = app.theme();
    let rect = centered(f.area(), 100, 14);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(
            " Add a request from a curl command ",
            theme.title(true),
        )))
        .title_bottom(border_hints(
            app,
            Layer::Curl,
            &[(Action::Submit, "add request"), (Action::Cancel, "close")],
            theme,
        ));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let note = match app.curl_error() {
        Some(e) => Line::from(Span::styled(format!("✗ {e}"), theme.error())),
        None => Line::from(Span::styled(
            "Paste or type it; a line ending in \\ continues on the next line.",
            theme.muted(),
        )),
    };
    let note_h = if app.curl_error().is_some() { 2 } else { 1 };
    let [editor, _, bottom] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(note_h),
    ])
    .areas(inner);
    crate::ui::widgets::editor::draw(app.curl_editor(), app.theme(), editor, f.buffer_mut());
    f.render_widget(Paragraph::new(note).wrap(Wrap { trim: false }), bottom);
}
