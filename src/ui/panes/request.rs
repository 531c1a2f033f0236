//! The Request pane: the saved request as an HTTP message, editable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::app::{Action, App, Pane};
use crate::ui::panes::pane_block;

/// Draw the Request pane.
pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme();
    let n = app.session().requests.len();
    let mut title = Vec::new();
    if let Some(r) = app.request() {
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
        &[Action::Edit, Action::NextRequest, Action::Copy],
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
    app.request_editor().render(inner, f.buffer_mut());
}
