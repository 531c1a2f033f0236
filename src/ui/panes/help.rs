//! Overlays: the key help (generated from the keymap) and the too-small message (the
//! questions are in [`super::question`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};

use crate::app::keymap::Layer;
use crate::app::{Action, App};
use crate::ui::layout::{MIN_HEIGHT, MIN_WIDTH};
use crate::ui::widgets::text_view;

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [h] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(v);
    h
}

/// Where the help overlay goes on a screen of `area`.
fn help_area(area: Rect) -> Rect {
    centered(area, 76, area.height.saturating_sub(2))
}

/// The help's rows, wrapped at spaces to `width` columns (the same wrapping the overlay draws
/// and the model scrolls by).
fn rows(app: &App, width: usize) -> Vec<Line<'static>> {
    let theme = app.theme();
    let mut lines = Vec::new();
    for layer in Layer::ALL {
        lines.push(Line::from(Span::styled(layer.title(), theme.title(true))));
        // Force-quit works everywhere; it is listed once, under the first layer.
        let listed = |b: &&crate::app::keymap::Binding| {
            b.layer == layer && (b.action != Action::ForceQuit || layer == Layer::Normal)
        };
        for b in app.keymap().bindings().iter().filter(listed) {
            let keys = b
                .keys
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.key_hint()),
                Span::styled(b.action.description(), theme.text()),
            ]));
        }
        lines.push(Line::from(""));
    }
    lines.push(Line::from(Span::styled(
        "In the editor: arrows move, shift+arrows select, alt+a selects all, alt+c / ctrl+x / ctrl+y copy, cut and paste within the editor, ctrl+home / ctrl+end go to the top / bottom; pasting from the terminal works too. Esc typed quickly before a key (which tmux and some terminals send as alt+key) is read as Esc, then the key: alt+a and alt+c are the only alt keys of their own.",
        theme.muted(),
    )));
    lines.push(Line::from(Span::styled(
        format!(
            "Stages: the strip shows the request's trip through the gateway (✓ done, ✗ failed, \
             – skipped); {next}/{prev} step to the next / previous stage, and the panes that \
             stage reads or writes are marked ● in their titles (and drawn in its colour), so \
             you see where the request is and what changed it.",
            next = app
                .keymap()
                .first_key(Layer::Normal, Action::NextStage)
                .unwrap_or_default(),
            prev = app
                .keymap()
                .first_key(Layer::Normal, Action::PrevStage)
                .unwrap_or_default(),
        ),
        theme.muted(),
    )));
    lines.push(Line::from(Span::styled(
        "Mouse: click a pane to focus it; the wheel scrolls the pane under the pointer.",
        theme.muted(),
    )));
    lines
        .iter()
        .flat_map(|l| text_view::word_wrap_line(l, width))
        .collect()
}

/// The help overlay's rows and how many it shows, on a screen of `area` (recorded with the
/// frame, so scrolling reaches the last row and no further).
pub fn extent(app: &App, area: Rect) -> (usize, usize) {
    let inner = help_area(area);
    let width = usize::from(inner.width.saturating_sub(2)).max(1);
    let visible = usize::from(inner.height.saturating_sub(2)).max(1);
    (rows(app, width).len(), visible)
}

/// The help overlay.
pub fn draw_help(f: &mut Frame, app: &App, scroll: u16) {
    let theme = app.theme();
    let area = help_area(f.area());
    let close = app
        .keymap()
        .keys(Layer::Help, Action::Help)
        .unwrap_or_default();
    let key = |a| app.keymap().first_key(Layer::Help, a).unwrap_or_default();
    let (down, up) = (key(Action::ScrollDown), key(Action::ScrollUp));
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(theme.border(true))
        .title(Line::from(Span::styled(" Keys ", theme.title(true))))
        .title_bottom(Line::from(Span::styled(
            format!(" {close} close · {down}/{up} scroll "),
            theme.muted(),
        )));
    let inner = block.inner(area);
    let rows = rows(app, usize::from(inner.width).max(1));
    // The last page stays full.
    let visible = usize::from(inner.height);
    let scroll = usize::from(scroll).min(rows.len().saturating_sub(visible));
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(
            rows.into_iter()
                .skip(scroll)
                .take(visible)
                .collect::<Vec<_>>(),
        )
        .block(block),
        area,
    );
}

/// The terminal is smaller than the minimum.
pub fn draw_too_small(f: &mut Frame, app: &App) {
    let area = f.area();
    let quit = app
        .keymap()
        .first_key(Layer::Normal, Action::Quit)
        .unwrap_or_default();
    let msg = format!(
        "gatebench needs at least {MIN_WIDTH}x{MIN_HEIGHT}; this terminal is {}x{}. Enlarge it, or press {quit} to quit.",
        area.width, area.height
    );
    f.render_widget(
        Paragraph::new(Span::styled(msg, app.theme().warning())).wrap(Wrap { trim: true }),
        area,
    );
}
