//! The Backend pane: why the endpoint call failed (an "endpoint error" section, first), the
//! endpoint request the gateway sent and the endpoint response (the model composes the text,
//! [`App::backend_text`], which the search also reads). Long lines wrap.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::{Action, App, Pane, RunState};
use crate::gateway::api::IntegrationType;
use crate::gateway::trace::Stage;
use crate::ui::panes::{draw_text, pane_block, spinner};

/// Draw the Backend pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let mut title = Vec::new();
    // A MOCK calls nothing: no "calling…" for it.
    if let RunState::Running { .. } = app.run_state()
        && app.integration_kind() != Some(IntegrationType::Mock)
    {
        let cancel = app
            .keymap()
            .first_key(Layer::Normal, Action::Cancel)
            .unwrap_or_default();
        title.push(Span::styled(
            format!(" {} calling… ({cancel} cancels)", spinner(app)),
            theme.muted(),
        ));
    }
    if app.stage() == Stage::Authorization {
        title.push(Span::styled(" · the authorizer call", theme.text()));
    } else if app.show_changes() {
        title.push(Span::styled(" what changed", theme.text()));
    }
    let block = pane_block(
        app,
        Pane::Backend,
        area,
        title,
        None,
        &[Action::Send, Action::ToggleChanges],
    );
    let Some(text) = app.backend_text() else {
        let inner = block.inner(area);
        f.render_widget(block, area);
        let send = app
            .keymap()
            .first_key(Layer::Normal, Action::Send)
            .unwrap_or_default();
        let msg = if app.integration_kind() == Some(IntegrationType::Mock) {
            "MOCK integration: no backend is called.".to_string()
        } else {
            format!("No call yet: press {send} to send the request to the backend.")
        };
        f.render_widget(
            Paragraph::new(Span::styled(msg, theme.muted())).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    draw_text(f, app, Pane::Backend, block, area, &text);
}
