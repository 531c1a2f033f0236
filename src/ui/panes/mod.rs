//! The panes and overlays. Each pane draws from the model only; its title shows its most
//! useful keys, taken from the keymap.

pub mod backend;
pub mod compare;
pub mod curl;
pub mod help;
pub mod import;
pub mod integration;
pub mod lint;
pub mod log;
pub mod picker;
pub mod question;
pub mod rendered;
pub mod request;
pub mod requests;
pub mod response;
pub mod settings;
pub mod stages;
pub mod status;
pub mod template;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};

use crate::app::keymap::Layer;
use crate::app::view_model::body::StyledText;
use crate::app::{Action, App, Mode, Pane};
use crate::ui::widgets::text_view;

/// Spinner frames while a call runs.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// The spinner frame for the app's tick count.
pub fn spinner(app: &App) -> &'static str {
    SPINNER[usize::try_from(app.ticks() % 10).unwrap_or(0)]
}

/// Key hints (`i edit  ] next template`) from the keymap.
pub fn hints(app: &App, layer: Layer, actions: &[Action]) -> Vec<Span<'static>> {
    let theme = app.theme();
    let mut spans = Vec::new();
    for a in actions {
        if let Some((key, label)) = app.keymap().hint(layer, *a) {
            spans.push(Span::styled(format!(" {key}"), theme.key_hint()));
            spans.push(Span::styled(format!(" {label} "), theme.muted()));
        }
    }
    spans
}

fn width(spans: &[Span<'_>]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// The frame of a pane. The top border names the pane (thick and marked `▶` when focused,
/// marked `●` when the current stage reads or writes it, so neither depends on colour
/// alone). The bottom border carries `footer` on the left (an error, where a request goes)
/// and key hints on the right: all of `actions` when focused (the editing keys while
/// editing), the first one otherwise. Hints give way to the footer when space is short.
pub fn pane_block<'a>(
    app: &App,
    pane: Pane,
    area: Rect,
    title: Vec<Span<'a>>,
    footer: Option<Span<'a>>,
    actions: &[Action],
) -> Block<'a> {
    let theme = app.theme();
    let focused = app.focus() == pane;
    let involved = Pane::involved_in(app.stage()).contains(&pane);
    let mut spans = Vec::new();
    spans.push(Span::styled(
        if focused { "▶ " } else { " " },
        theme.title(focused),
    ));
    spans.push(Span::styled(pane.title(), theme.title(focused)));
    if !app.wraps(pane) {
        // Long lines run off the right edge: say so, and how far it is scrolled sideways.
        let shifted = app.hscroll(pane);
        spans.push(Span::styled(
            if shifted > 0 {
                format!(" nowrap ←{shifted}")
            } else {
                " nowrap".to_string()
            },
            theme.warning(),
        ));
    }
    spans.extend(title);
    if involved {
        spans.push(Span::styled(" ●", theme.stage_involved()));
    }
    spans.push(Span::raw(" "));
    let border_style = if focused {
        theme.border(true)
    } else if involved {
        theme.stage_involved()
    } else {
        theme.border(false)
    };
    let hint = if focused && app.mode() == Mode::Editing && pane.editable() {
        hints(
            app,
            Layer::Editing,
            &[Action::LeaveEdit, Action::Undo, Action::Save],
        )
    } else if focused {
        hints(app, Layer::Normal, actions)
    } else {
        hints(app, Layer::Normal, &actions[..actions.len().min(1)])
    };
    let room = (area.width as usize).saturating_sub(4);
    let footer_w = footer.as_ref().map_or(0, Span::width);
    let mut block = Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Rounded
        })
        .border_style(border_style)
        .title(Line::from(spans));
    if let Some(f) = footer {
        block = block.title_bottom(Line::from(f));
    }
    if footer_w + width(&hint) <= room {
        block = block.title_bottom(Line::from(hint).right_aligned());
    }
    block
}

/// Draw a scrollable styled text inside a block, long lines wrapped so nothing is cut off
/// (a reason at the end of a log line stays readable at 80x24).
pub fn draw_text(
    f: &mut Frame,
    app: &App,
    pane: Pane,
    block: Block<'_>,
    area: Rect,
    text: &StyledText,
) {
    let inner = block.inner(area);
    f.render_widget(block, area);
    draw_text_in(f, app, pane, inner, text);
}

/// Draw a scrollable styled text (wrapped, unless the pane's wrapping is off: then scrolled
/// sideways) into an area with no frame.
pub fn draw_text_in(f: &mut Frame, app: &App, pane: Pane, inner: Rect, text: &StyledText) {
    let h = inner.height as usize;
    let marks = |row: usize, line: &str| app.search_marks(pane, row, line);
    if !app.wraps(pane) {
        let scroll = text_view::clamp_scroll(app.scroll(pane), text.len(), h);
        let lines =
            text_view::unwrapped_window(text, scroll, h, app.hscroll(pane), app.theme(), &marks);
        f.render_widget(Paragraph::new(lines), inner);
        return;
    }
    // Scrolling counts lines; at the last page (as the model counts it) show the real end,
    // measured in wrapped rows.
    let last = text_view::last_wrapped_page(text, h, inner.width as usize);
    let scroll = app.scroll(pane);
    let scroll = if scroll >= text.len().saturating_sub(h) {
        last
    } else {
        scroll.min(last)
    };
    let lines =
        text_view::wrapped_window(text, scroll, h, inner.width as usize, app.theme(), &marks);
    f.render_widget(Paragraph::new(lines), inner);
}

/// Draw one pane.
pub fn draw(f: &mut Frame, app: &App, pane: Pane, area: Rect) {
    match pane {
        Pane::Request => request::draw(f, app, area),
        Pane::Integration => integration::draw(f, app, area),
        Pane::Template => template::draw(f, app, area),
        Pane::Rendered => rendered::draw(f, app, area),
        Pane::Backend => backend::draw(f, app, area),
        Pane::Response => response::draw(f, app, area),
        Pane::Log => log::draw(f, app, area),
    }
}

/// The tab bar of the narrow layout's pane stack.
pub fn draw_tabs(f: &mut Frame, app: &App, area: Rect, shown: Pane) {
    let theme = app.theme();
    let mut spans = Vec::new();
    for p in crate::ui::layout::STACK {
        let style = if p == shown {
            theme.stage_active()
        } else {
            theme.muted()
        };
        spans.push(Span::styled(
            format!(" {} ", crate::ui::layout::tab_label(p)),
            style,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
