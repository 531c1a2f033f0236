//! The Template pane: the live VTL editor for the selected mapping template. It follows the
//! trace on screen (the template the gateway rendered at the current stage); when the gateway
//! applied no response template to the answer shown, or another template than the one shown,
//! a banner says so.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::{Action, App, Pane};
use crate::gateway::trace::Stage;
use crate::ui::panes::pane_block;
use crate::ui::widgets::text_view;

/// Draw the Template pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let slots = app.template_slots();
    let mut title = Vec::new();
    if let Some(slot) = app.template_slot() {
        title.push(Span::styled(format!(" {}", slot.label()), theme.text()));
        if slots.len() > 1 {
            title.push(Span::styled(
                format!(" {}/{}", app.template_index() + 1, slots.len()),
                theme.muted(),
            ));
        }
    }
    let footer = app
        .template_error()
        .map(|e| {
            Span::styled(
                format!(" ✗ {}:{} {} ", e.line, e.col, e.message),
                theme.error(),
            )
        })
        .or_else(|| {
            // At the authorization stage: what the templates can read from the authorizer.
            (app.stage() == Stage::Authorization)
                .then(|| app.authorizer_keys_line())
                .flatten()
                .map(|keys| Span::styled(format!(" {keys} "), theme.text()))
        })
        .or_else(|| lint_footer(app));
    let block = pane_block(
        app,
        Pane::Template,
        area,
        title,
        footer,
        &[Action::Edit, Action::NextTemplate],
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    if slots.is_empty() {
        let msg = if app.integration_kind().is_some_and(|k| !k.uses_templates()) {
            "A proxy integration has no mapping templates: the request goes to the backend \
             untouched and its answer comes back as is."
        } else {
            "This method has no mapping templates. API Gateway passes the body through \
             (passthroughBehavior decides, or answers 415)."
        };
        f.render_widget(
            Paragraph::new(Span::styled(msg, theme.muted())).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let mut editor_area = inner;
    if let Some(status) = app.response_template_unused() {
        let [banner, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        f.render_widget(
            Line::from(Span::styled(
                format!("No response template applied to this {status}: not this one"),
                theme.warning(),
            )),
            banner,
        );
        editor_area = rest;
    }
    if let Some(used) = app.template_used_instead() {
        let answer = match app.trace().map(|t| t.trace.response.status) {
            Some(status) if used.phase == crate::gateway::Phase::Response && status != 0 => {
                format!("this {status}")
            }
            _ => "this request".to_string(),
        };
        // Wrapped, on at most two rows: the template the gateway picked is the point.
        let rows = text_view::wrap_line(
            Line::from(Span::styled(
                format!("Not used for {answer}: the gateway picked {}", used.label()),
                theme.warning(),
            )),
            usize::from(editor_area.width),
        );
        let n = u16::try_from(rows.len().min(2)).unwrap_or(2);
        let [banner, rest] =
            Layout::vertical([Constraint::Length(n), Constraint::Min(0)]).areas(editor_area);
        f.render_widget(Paragraph::new(rows), banner);
        editor_area = rest;
    }
    if let Some(kind) = app.integration_kind().filter(|k| !k.uses_templates()) {
        let [banner, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let key = app
            .keymap()
            .first_key(Layer::Normal, Action::CycleType)
            .unwrap_or_default();
        f.render_widget(
            Line::from(Span::styled(
                format!("{} ignores templates ({key}: change type)", kind.as_str()),
                theme.warning(),
            )),
            banner,
        );
        editor_area = rest;
    }
    let marks: Vec<(usize, crate::app::lint_view::Level)> = app
        .lint_findings()
        .iter()
        .map(|f| (f.span.line.saturating_sub(1), f.level))
        .collect();
    crate::ui::widgets::editor::draw_marked(
        app.template_editor(),
        app.theme(),
        editor_area,
        f.buffer_mut(),
        &marks,
    );
}

/// `! 3 lint findings: ! list` when the template has findings (the key from the map).
fn lint_footer(app: &App) -> Option<Span<'static>> {
    let findings = app.lint_findings();
    let worst = findings.iter().map(|f| f.level).max()?;
    let theme = app.theme();
    let key = app
        .keymap()
        .first_key(Layer::Normal, Action::Lint)
        .unwrap_or_default();
    let style = if worst == crate::app::lint_view::Level::Error {
        theme.error()
    } else if worst == crate::app::lint_view::Level::Warning {
        theme.warning()
    } else {
        theme.muted()
    };
    Some(Span::styled(
        format!(
            " {} lint finding{} ({key}: list) ",
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        ),
        style,
    ))
}
