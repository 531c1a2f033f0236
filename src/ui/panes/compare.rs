//! The compare view: the request through all five integration types. From
//! [`WIDE_COMPARE`] columns on, the five stand side by side (the selected one framed thick);
//! narrower, one type at a time with a tab row naming all five and the title saying which
//! (`2/5 AWS`). It takes the whole screen, drawn at any size (a tiny terminal shows what fits).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::compare::{Column, ColumnState, CompareView};
use crate::app::keymap::Layer;
use crate::app::view_model::CompareArea;
use crate::app::{Action, App, StatusKind};
use crate::ui::panes::spinner;
use crate::ui::widgets::text_view;

/// From this width on, the five types stand side by side.
pub const WIDE_COMPARE: u16 = 160;

/// The status of a column in a few characters (`200`, `504 ✗`, a spinner while it runs).
fn badge(app: &App, c: &Column) -> (String, ratatui::style::Style) {
    let theme = app.theme();
    match &c.state {
        ColumnState::Running => (spinner(app).to_string(), theme.muted()),
        ColumnState::Failed(_) => ("✗".to_string(), theme.error()),
        ColumnState::Done { layout, .. } if layout.cause.is_some() => {
            (format!("{} ✗", layout.status), theme.status(layout.status))
        }
        ColumnState::Done { layout, .. } => {
            (layout.status.to_string(), theme.status(layout.status))
        }
    }
}

fn key(app: &App, action: Action) -> String {
    app.keymap()
        .first_key(Layer::Compare, action)
        .unwrap_or_default()
}

/// Draw the compare view over the whole frame; returns what it drew (for scrolling).
pub fn draw(f: &mut Frame, app: &App, view: &CompareView) -> CompareArea {
    let theme = app.theme();
    let area = f.area();
    f.render_widget(Clear, area);
    let wide = area.width >= WIDE_COMPARE;
    let [header, tabs, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(!wide)),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Compare ", theme.stage_active()),
            Span::styled(format!(" {}", view.request()), theme.title(true)),
        ])),
        header,
    );
    if !wide {
        draw_tabs(f, app, view, tabs);
    }
    // Every column's rows at the width it gets, so any page's scrolling is bounded.
    let rows_at = |c: &Column, width: u16| match &c.state {
        ColumnState::Done { text, .. } => {
            text_view::word_wrapped_rows(text, usize::from(width.saturating_sub(2)))
        }
        _ => 0,
    };
    let mut content = [0; 5];
    let rows = if wide {
        let cells = Layout::horizontal([Constraint::Ratio(1, 5); 5]).split(body);
        let mut rows = 0;
        for (i, (c, cell)) in view.columns().iter().zip(cells.iter()).enumerate() {
            let title = format!(" {} ", c.kind.as_str());
            rows = draw_column(f, app, view, c, *cell, title, i == view.page());
            if let Some(n) = content.get_mut(i) {
                *n = rows_at(c, cell.width);
            }
        }
        rows
    } else {
        for (n, c) in content.iter_mut().zip(view.columns()) {
            *n = rows_at(c, body.width);
        }
        let n = view.columns().len();
        let page = view.page().min(n.saturating_sub(1));
        match view.columns().get(page) {
            Some(c) => {
                let title = format!(" ◀ {}/{n} {} ▶ ", page + 1, c.kind.as_str());
                draw_column(f, app, view, c, body, title, true)
            }
            None => 0,
        }
    };
    draw_footer(f, app, footer);
    CompareArea {
        columns: if wide { 5 } else { 1 },
        rows,
        content,
    }
}

/// The row of the five types with their statuses; the one shown stands out.
fn draw_tabs(f: &mut Frame, app: &App, view: &CompareView, area: Rect) {
    let theme = app.theme();
    let mut spans = Vec::new();
    for (i, c) in view.columns().iter().enumerate() {
        let shown = i == view.page();
        let (b, style) = badge(app, c);
        let name_style = if shown {
            theme.stage_active()
        } else {
            theme.muted()
        };
        spans.push(Span::styled(
            format!("{}{}", if shown { "▶" } else { " " }, c.kind.as_str()),
            name_style,
        ));
        spans.push(Span::styled(format!(" {b} "), style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// One type's column in `area`; the rows of text it had.
fn draw_column(
    f: &mut Frame,
    app: &App,
    view: &CompareView,
    c: &Column,
    area: Rect,
    title: String,
    selected: bool,
) -> u16 {
    let theme = app.theme();
    let (b, style) = badge(app, c);
    let mut block = Block::bordered()
        .border_type(if selected {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(theme.border(selected))
        .title(Line::from(vec![
            Span::styled(title, theme.title(selected)),
            Span::styled(format!("{b} "), style),
        ]));
    if selected {
        block = block.title_bottom(
            Line::from(Span::styled(" ≠ differs  + not in all ", theme.muted())).right_aligned(),
        );
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return inner.height;
    }
    let (w, h) = (usize::from(inner.width), usize::from(inner.height));
    match &c.state {
        ColumnState::Running => {
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(
                        format!("{} running…", spinner(app)),
                        theme.muted(),
                    )),
                    Line::from(Span::styled(
                        crate::app::compare::column::what_it_does(c.kind),
                        theme.muted(),
                    )),
                ])
                .wrap(Wrap { trim: true }),
                inner,
            );
            inner.height
        }
        ColumnState::Failed(why) => {
            f.render_widget(
                Paragraph::new(Span::styled(format!("✗ {why}"), theme.error()))
                    .wrap(Wrap { trim: true }),
                inner,
            );
            inner.height
        }
        ColumnState::Done { text, .. } => {
            // Scrolled by rows, wrapped at spaces; the last page stays full.
            let content = text_view::word_wrapped_rows(text, w);
            let scroll = view.scroll().min(content.saturating_sub(h));
            let none = |_: usize, _: &str| Vec::new();
            let lines = text_view::word_wrapped_window(text, scroll, h, w, theme, &none);
            f.render_widget(Paragraph::new(lines), inner);
            inner.height
        }
    }
}

/// The bottom row: the status message, else the view's keys.
fn draw_footer(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let line = match app.status() {
        Some(s) => Line::from(Span::styled(
            format!(" {}", s.text),
            match s.kind {
                StatusKind::Error => theme.error(),
                StatusKind::Success => theme.success(),
                StatusKind::Info => theme.text(),
            },
        )),
        None => {
            let mut spans = vec![Span::styled(" COMPARE ", theme.stage_active())];
            let pairs = [
                (
                    format!(
                        "{}/{}",
                        key(app, Action::PrevType),
                        key(app, Action::NextType)
                    ),
                    "type",
                ),
                (
                    format!(
                        "{}/{}",
                        key(app, Action::ScrollDown),
                        key(app, Action::ScrollUp)
                    ),
                    "scroll",
                ),
                (key(app, Action::RunAll), "run again"),
                (key(app, Action::Cancel), "close"),
            ];
            for (k, l) in pairs {
                spans.push(Span::styled(format!(" {k}"), theme.key_hint()));
                spans.push(Span::styled(format!(" {l} "), theme.muted()));
            }
            Line::from(spans)
        }
    };
    f.render_widget(Paragraph::new(line), area);
}
