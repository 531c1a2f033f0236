//! The settings editor overlay: a header saying what the text is (and that the templates are
//! kept out of it), the editor, the error of the last apply (line:col) or a hint, and the
//! keys in the border; plus the "discard the unapplied changes?" question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::settings_edit::SettingsTarget;
use crate::app::{Action, App, Pane, SettingsStep};
use crate::ui::panes::import::{border_hints, centered};

/// Draw the editor, and the question over it when one is asked.
pub fn draw(f: &mut Frame, app: &App, step: SettingsStep) {
    let Some(edit) = app.settings_edit() else {
        return;
    };
    let theme = app.theme();
    let rect = placement(app, f.area());
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(
            format!(" Settings of {} ", edit.title()),
            theme.title(true),
        )))
        .title_bottom(border_hints(
            app,
            Layer::Settings,
            &[
                (Action::Apply, "apply"),
                (Action::Cancel, "close"),
                (Action::Undo, "undo"),
                (Action::Search, "search"),
            ],
            theme,
        ));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let (table, left_out) = match edit.target() {
        SettingsTarget::Method(m) => (
            format!("[api.resources.methods.{}]", m.verb),
            " · templates left out, kept as they are",
        ),
        SettingsTarget::Api => (
            "[api]".to_string(),
            " · resources left out (each method's settings: e)",
        ),
        SettingsTarget::Session => (
            "listen, [backend]".to_string(),
            " · saved with the session; a running server moves",
        ),
    };
    let header = Line::from(vec![
        Span::styled(table, theme.key_hint()),
        Span::styled(left_out, theme.muted()),
    ]);
    let note = match edit.error() {
        Some(e) => Line::from(Span::styled(format!("✗ {e}"), theme.error())),
        None => Line::from(Span::styled(
            "Checked as the gateway would on apply; errors show here (line:col).",
            theme.muted(),
        )),
    };
    // Both lines wrap at narrow widths rather than lose their end.
    let rows = |l: &Line<'_>| {
        let w = usize::from(inner.width.max(1));
        u16::try_from(l.width().div_ceil(w).clamp(1, 3)).unwrap_or(1)
    };
    let [head, editor, bottom] = Layout::vertical([
        Constraint::Length(rows(&header)),
        Constraint::Min(1),
        Constraint::Length(rows(&note)),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(header).wrap(Wrap { trim: false }), head);
    crate::ui::widgets::editor::draw(edit.editor(), app.theme(), editor, f.buffer_mut());
    f.render_widget(Paragraph::new(note).wrap(Wrap { trim: false }), bottom);
    if step == SettingsStep::ConfirmDiscard {
        draw_confirm_discard(f, app);
    }
}

/// Beside the Integration pane when it is in view and there is room (its summary stays
/// visible while editing), else centred.
fn placement(app: &App, area: Rect) -> Rect {
    const MIN_WIDTH: u16 = 70;
    let beside = crate::ui::layout::screen(app, area).and_then(|s| {
        let (_, integration) = s.panes.iter().find(|(p, _)| *p == Pane::Integration)?;
        let top = s.panes.iter().map(|(_, r)| r.y).min()?;
        let bottom = s.panes.iter().map(|(_, r)| r.bottom()).max()?;
        let x = integration.right();
        (area.right().saturating_sub(x) >= MIN_WIDTH)
            .then(|| Rect::new(x, top, area.right() - x, bottom - top))
    });
    beside.unwrap_or_else(|| centered(area, 100, area.height))
}

/// "Discard the unapplied settings?"
fn draw_confirm_discard(f: &mut Frame, app: &App) {
    let apply = app
        .keymap()
        .first_key(Layer::Settings, Action::Apply)
        .unwrap_or_default();
    crate::ui::panes::question::draw_yes_no(
        f,
        app,
        " Unapplied changes ",
        "Close the settings without applying your edits?",
        ("discard them", &format!("go back ({apply} applies)")),
        None,
    );
}
