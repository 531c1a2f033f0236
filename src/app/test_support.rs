//! Helpers shared by the `update()` unit tests: an app on the built-in default session, and
//! keys, typing and actions fed through `update()`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

/// A workbench on the built-in default session.
pub(super) fn app() -> App {
    App::new(Session::builtin_default(), None, AppOptions::default())
}

/// Press a key.
pub(super) fn key(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Press Ctrl and a letter.
pub(super) fn ctrl(app: &mut App, c: char) -> Vec<Effect> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

/// Type text key by key; the effects of the last key.
pub(super) fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in text.chars() {
        fx = key(app, KeyCode::Char(c));
    }
    fx
}

/// Perform an action without a key.
pub(super) fn act(app: &mut App, a: Action) -> Vec<Effect> {
    update(app, Msg::Action(a))
}

/// Record a frame that drew `panes` at these areas (as the runtime does after drawing).
pub(super) fn drawn(app: &mut App, panes: &[(Pane, ratatui::layout::Rect)]) {
    let panes = panes
        .iter()
        .map(|&(pane, rect)| view_model::PaneArea {
            pane,
            rect,
            wrapped_rows: None,
        })
        .collect();
    update(
        app,
        Msg::Drawn(view_model::Areas {
            panes,
            tabs: Vec::new(),
            compare: None,
            help: None,
        }),
    );
}
