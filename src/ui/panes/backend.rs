//! The Backend pane: why the endpoint call failed (an "endpoint error" section, first), the
//! endpoint request the gateway sent and the endpoint response. Long lines wrap.

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
    let failed = t.trace.stages.iter().find_map(|s| match &s.outcome {
        StageOutcome::Failed(m) if s.stage == Stage::Backend => Some(m.as_str()),
        _ => None,
    });
    // Why the endpoint call failed (connection refused, timeout, an answer too large), first
    // and in full: it is the one thing the client's 5xx does not say.
    if let Some(m) = failed {
        heading(&mut text, "✗ endpoint error");
        for l in m.lines() {
            text.push_line(l, &[(0..l.len(), Tok::Header)]);
        }
        let status = t.trace.response.status;
        if status != 0 {
            text.push_plain(&format!(
                "The client gets the gateway's {status}, not an answer from the endpoint."
            ));
        }
    }
    match (&t.endpoint_request, &t.endpoint_response) {
        (None, None) => {
            if failed.is_none() && app.integration_kind() == Some(IntegrationType::Mock) {
                text.push_plain("MOCK integration: no backend is called.");
            } else if failed.is_none() {
                text.push_plain("No backend call was made (an earlier stage answered; see Log).");
            }
        }
        (req, resp) => {
            if let Some(req) = req {
                if !text.is_empty() {
                    text.push_plain("");
                }
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
