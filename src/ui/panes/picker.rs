//! The session picker overlay.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::app::keymap::Layer;
use crate::app::{Action, App};

/// Draw the picker with entry `selected` highlighted.
pub fn draw(f: &mut Frame, app: &App, selected: usize) {
    let theme = app.theme();
    let area = f.area();
    let [v] = Layout::vertical([Constraint::Length(area.height.saturating_sub(4).min(20))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(area.width.saturating_sub(4).min(76))])
        .flex(Flex::Center)
        .areas(v);
    let choose = app
        .keymap()
        .first_key(Layer::Picker, Action::Choose)
        .unwrap_or_default();
    let close = app
        .keymap()
        .first_key(Layer::Picker, Action::Cancel)
        .unwrap_or_default();
    let title = match app.picker() {
        Some(p) => format!(" Open a session from {} ", p.dir.display()),
        None => " Open a session ".to_string(),
    };
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(title, theme.title(true))))
        .title_bottom(Line::from(vec![
            Span::styled(format!(" {choose}"), theme.key_hint()),
            Span::styled(" open  ", theme.muted()),
            Span::styled(close, theme.key_hint()),
            Span::styled(" close ", theme.muted()),
        ]));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let Some(list) = app.picker() else {
        f.render_widget(Span::styled("Reading the folder…", theme.muted()), inner);
        return;
    };
    if list.entries.is_empty() {
        f.render_widget(
            Span::styled("No session files (*.toml) here.", theme.muted()),
            inner,
        );
        return;
    }
    let h = inner.height as usize;
    let top = selected.saturating_sub(h.saturating_sub(1));
    let lines: Vec<Line> = list
        .entries
        .iter()
        .enumerate()
        .skip(top)
        .take(h)
        .map(|(i, e)| {
            let file = e
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let marker = if i == selected { "▶ " } else { "  " };
            let style = if i == selected {
                theme.stage_active()
            } else {
                theme.text()
            };
            let mut spans = vec![Span::styled(format!("{marker}{file:<22}"), style)];
            match &e.name {
                Ok(name) => spans.push(Span::styled(format!(" {name}"), theme.muted())),
                Err(err) => spans.push(Span::styled(format!(" ✗ {err}"), theme.error())),
            }
            Line::from(spans)
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
