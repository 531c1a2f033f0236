//! The Backend pane: the endpoint request the gateway sent and the endpoint response.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::view_model::Tok;
use crate::app::view_model::body::StyledText;
use crate::app::{Action, App, Pane, RunState};
use crate::gateway::api::IntegrationType;
use crate::gateway::trace::{Stage, StageOutcome};
use crate::ui::panes::{draw_text, pane_block, spinner};

/// Draw the Backend pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let mut title = Vec::new();
    if let RunState::Running { .. } = app.run_state() {
        let cancel = app
            .keymap()
            .first_key(Layer::Normal, Action::Cancel)
            .unwrap_or_default();
        title.push(Span::styled(
            format!(" {} calling… ({cancel} cancels)", spinner(app)),
            theme.muted(),
        ));
    }
    if app.show_changes() {
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
    let Some(t) = app.trace() else {
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
    if app.show_changes() {
        draw_text(f, app, Pane::Backend, block, area, &t.changes);
        return;
    }
    let mut text = StyledText::default();
    let heading = |text: &mut StyledText, s: &str| text.push_line(s, &[(0..s.len(), Tok::Literal)]);
    match (&t.endpoint_request, &t.endpoint_response) {
        (None, None) => {
            let failed = t.trace.stages.iter().find_map(|s| match &s.outcome {
                StageOutcome::Failed(m) if s.stage == Stage::Backend => Some(m.clone()),
                _ => None,
            });
            if let Some(m) = failed {
                let line = format!("✗ {m}");
                text.push_line(&line, &[(0..line.len(), Tok::Header)]);
            } else if app.integration_kind() == Some(IntegrationType::Mock) {
                text.push_plain("MOCK integration: no backend is called.");
            } else {
                text.push_plain("No backend call was made (an earlier stage answered; see Log).");
            }
        }
        (req, resp) => {
            if let Some(req) = req {
                heading(&mut text, "→ endpoint request");
                text.extend(req);
            }
            if let Some(resp) = resp {
                if !text.is_empty() {
                    text.push_plain("");
                }
                heading(&mut text, "← endpoint response");
                text.extend(resp);
            }
        }
    }
    draw_text(f, app, Pane::Backend, block, area, &text);
}
