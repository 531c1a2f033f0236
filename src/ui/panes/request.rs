//! The Request pane: the saved request as an HTTP message, editable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::{Action, App, Mode, Pane};
use crate::ui::panes::pane_block;
use crate::ui::widgets::text_view;

/// Draw the Request pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let n = app.session().requests.len();
    let mut title = Vec::new();
    if let Some(label) = app.viewing() {
        let back = app
            .keymap()
            .first_key(crate::app::keymap::Layer::Normal, Action::NextRequest)
            .unwrap_or_default();
        title.push(Span::styled(format!(" {label}"), theme.warning()));
        title.push(Span::styled(format!(" ({back}: back)"), theme.muted()));
    } else if let Some(r) = app.request() {
        let name = if r.name.is_empty() {
            String::new()
        } else {
            format!(" {}", r.name)
        };
        title.push(Span::styled(
            format!(" {}/{n}{name}", app.request_index() + 1),
            theme.muted(),
        ));
    }
    let footer = if let Some(e) = app.request_error() {
        Some(Span::styled(format!(" ✗ {e} "), theme.error()))
    } else if app.request().is_some() && !app.routed() {
        Some(Span::styled(
            " ✗ no resource matches: the gateway answers 403 ",
            theme.error(),
        ))
    } else {
        app.method_ref().map(|m| {
            Span::styled(
                format!(" → {} ", m.describe(&app.session().api)),
                theme.muted(),
            )
        })
    };
    let block = pane_block(
        app,
        Pane::Request,
        area,
        title,
        footer,
        &[
            Action::Edit,
            Action::NextRequest,
            Action::Copy,
            Action::PasteCurl,
        ],
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    if app.request().is_none() {
        f.render_widget(
            Line::from(Span::styled(
                "This session has no saved request.",
                theme.muted(),
            )),
            inner,
        );
        return;
    }
    if app.mode() == Mode::Editing && app.focus() == Pane::Request {
        crate::ui::widgets::editor::draw(app.request_editor(), app.theme(), inner, f.buffer_mut());
        return;
    }
    // Not editing: the precomputed view, with the editor's line-number gutter; long lines
    // wrap under the text (not the gutter), or run off the edge and scroll sideways.
    let view = app.request_view();
    let h = inner.height as usize;
    let digits = view.len().max(1).to_string().len();
    let gutter = digits + 2;
    let width = (inner.width as usize).saturating_sub(gutter).max(1);
    let wraps = app.wraps(Pane::Request);
    let scroll = if wraps {
        let last = text_view::last_wrapped_page(view, h, width);
        let scroll = app.scroll(Pane::Request);
        if scroll >= view.len().saturating_sub(h) {
            last
        } else {
            scroll.min(last)
        }
    } else {
        text_view::clamp_scroll(app.scroll(Pane::Request), view.len(), h)
    };
    let mut lines: Vec<Line> = Vec::with_capacity(h);
    for (i, l) in view.lines_from(scroll).enumerate() {
        if lines.len() >= h {
            break;
        }
        let number = Span::styled(
            format!(" {:>digits$} ", scroll + i + 1),
            theme.line_number(),
        );
        let marks = app.search_marks(Pane::Request, scroll + i, l.text);
        let text = text_view::line_marked(l, &marks, theme);
        if !wraps {
            let mut spans = vec![number];
            spans.extend(text_view::shift_line(text, app.hscroll(Pane::Request)).spans);
            lines.push(Line::from(spans));
            continue;
        }
        for (k, row) in text_view::wrap_line(text, width).into_iter().enumerate() {
            let mut spans = vec![if k == 0 {
                number.clone()
            } else {
                Span::raw(" ".repeat(gutter))
            }];
            spans.extend(row.spans);
            lines.push(Line::from(spans));
        }
    }
    lines.truncate(h);
    f.render_widget(ratatui::widgets::Paragraph::new(lines), inner);
}
