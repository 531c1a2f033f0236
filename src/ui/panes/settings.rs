//! The settings editor overlay: a header saying what the text is (and that the templates are
//! kept out of it), the editor, the error of the last apply (line:col) or a hint, and the
//! keys in the border; plus the "discard the unapplied changes?" question.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::settings_edit::SettingsTarget;
use crate::app::{Action, App, SettingsStep};
use crate::ui::panes::import::{border_hints, centered};

/// Draw the editor, and the question over it when one is asked.
pub fn draw(f: &mut Frame, app: &App, step: SettingsStep) {
    let Some(edit) = app.settings_edit() else {
        return;
    };
    let theme = app.theme();
    let rect = centered(f.area(), 100, f.area().height);
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
    let SettingsTarget::Method(m) = edit.target();
    let header = Line::from(vec![
        Span::styled(
            format!("[api.resources.methods.{}]", m.verb),
            theme.key_hint(),
        ),
        Span::styled(
            " as TOML · templates left out and kept (edit them in the Template pane)",
            theme.muted(),
        ),
    ]);
    let note = match edit.error() {
        Some(e) => Line::from(Span::styled(format!("✗ {e}"), theme.error())),
        None => Line::from(Span::styled(
            "Field names as in the session file; unknown fields and values the gateway refuses are reported here.",
            theme.muted(),
        )),
    };
    let note_h = if edit.error().is_some() { 2 } else { 1 };
    let [head, editor, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(note_h),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(header), head);
    app.settings_editor().render(editor, f.buffer_mut());
    f.render_widget(Paragraph::new(note).wrap(Wrap { trim: false }), bottom);
    if step == SettingsStep::ConfirmDiscard {
        draw_confirm_discard(f, app);
    }
}

/// "Discard the unapplied settings?"
fn draw_confirm_discard(f: &mut Frame, app: &App) {
    let theme = app.theme();
    let area = centered(f.area(), 54, 6);
    let key = |layer, action| app.keymap().keys(layer, action).unwrap_or_default();
    let yes = key(Layer::Confirm, Action::ConfirmYes);
    let no = key(Layer::Confirm, Action::ConfirmNo);
    let apply = app
        .keymap()
        .first_key(Layer::Settings, Action::Apply)
        .unwrap_or_default();
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.warning())
        .title(Line::from(Span::styled(
            " Unapplied changes ",
            theme.warning(),
        )));
    let lines = vec![
        Line::from(Span::styled(
            "Close the settings without applying your edits?",
            theme.text(),
        )),
        Line::from(vec![
            Span::styled(format!("  {yes}"), theme.key_hint()),
            Span::styled("  discard them", theme.text()),
        ]),
        Line::from(vec![
            Span::styled(format!("  {no}"), theme.key_hint()),
            Span::styled(format!("  go back ({apply} applies)"), theme.text()),
        ]),
    ];
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
