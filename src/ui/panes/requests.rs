//! The served-requests overlay (listen mode): time, method, path, status, latency and
//! integration type, newest at the bottom. Only the visible rows are formatted, so a full
//! ring buffer costs no more to draw than a screenful.

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph};

use crate::app::keymap::Layer;
use crate::app::listen::{Listening, clock, latency};
use crate::app::{Action, App};

/// Draw the list.
pub fn draw(f: &mut Frame, app: &App) {
    let theme = app.theme();
    let area = f.area();
    let [v] = Layout::vertical([Constraint::Length(area.height.saturating_sub(4).min(24))])
        .flex(Flex::Center)
        .areas(area);
    let [rect] = Layout::horizontal([Constraint::Length(area.width.saturating_sub(4).min(110))])
        .flex(Flex::Center)
        .areas(v);
    let l = app.listen();
    let mut title = match l.state() {
        Listening::On { addr } => format!(" Served requests · listening on http://{addr} "),
        Listening::Starting { .. } => " Served requests · starting… ".to_string(),
        Listening::Off => " Served requests · not listening ".to_string(),
    };
    if l.breakpoint() {
        title.push_str("· ⏸ breakpoint on ");
    }
    if l.paused().len() > 0 {
        title.push_str(&format!("· {} paused ", l.paused().len()));
    }
    let mut bottom = vec![Span::raw(" ")];
    for a in [
        Action::Choose,
        Action::Replay,
        Action::SaveServed,
        Action::ToggleBreakpoint,
        Action::Resume,
        Action::ToggleListen,
        Action::Requests,
    ] {
        if a == Action::Resume && l.paused().len() == 0 {
            continue;
        }
        if let Some(key) = app.keymap().first_key(Layer::Requests, a) {
            let label = match a {
                Action::Choose => "show",
                Action::Requests => "close",
                other => other.label(),
            };
            bottom.push(Span::styled(key, theme.key_hint()));
            bottom.push(Span::styled(format!(" {label}  "), theme.muted()));
        }
    }
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(title, theme.title(true))))
        .title_bottom(Line::from(bottom));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let served = l.served();
    if served.is_empty() {
        let key = app
            .keymap()
            .first_key(Layer::Requests, Action::ToggleListen)
            .unwrap_or_default();
        let text = match l.state() {
            Listening::On { addr } => {
                format!("Nothing served yet. Try: curl -i http://{addr}/…")
            }
            _ => format!("Press {key} to serve this session on {}.", l.addr()),
        };
        f.render_widget(Span::styled(text, theme.muted()), inner);
        return;
    }
    let h = usize::from(inner.height.saturating_sub(1)).max(1);
    let selected = l.selected();
    let top = selected.saturating_sub(h - 1);
    let path_w = usize::from(inner.width).saturating_sub(2 + 5 + 13 + 8 + 4 + 10 + 11 + 6);
    let header = format!(
        "  {:>5} {:<12} {:<7} {:<path_w$} {:>3} {:>9}  {}",
        "#", "time", "method", "path", "st", "latency", "integration"
    );
    let mut lines = vec![Line::from(Span::styled(header, theme.muted()))];
    for (i, s) in served.iter().enumerate().skip(top).take(h) {
        let is_sel = i == selected;
        let marker = if is_sel { "▶ " } else { "  " };
        let base = if is_sel {
            theme.stage_active()
        } else {
            theme.text()
        };
        let mut path = s.request.path.clone();
        if !s.request.raw_query.is_empty() {
            path.push('?');
            path.push_str(&s.request.raw_query);
        }
        let path = crate::ui::widgets::text_view::fit(path, path_w);
        let kind = s.kind.map_or("no route", |k| k.as_str());
        lines.push(Line::from(vec![
            Span::styled(
                format!(
                    "{marker}{:>5} {:<12} {:<7} {path:<path_w$} ",
                    l.number(i),
                    clock(s.at),
                    s.request.method
                ),
                base,
            ),
            Span::styled(format!("{:>3}", s.status()), theme.status(s.status())),
            Span::styled(format!(" {:>9}  {kind}", latency(s.latency)), base),
        ]));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
