//! `update()` tests of undoing an applied settings change: `B`, `e` and `E` applied, then
//! the undo key in normal mode takes the change back (right after it, or from a pane without
//! an editor) with a status line saying what, redo brings it again, a running server moves
//! back, and edits made since stay.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::test_support::{app, ctrl, key, typed};
use super::*;
use crate::app::listen::Listening;

/// Replace the open settings editor's text (select all, then paste) and apply it.
fn apply(a: &mut App, text: &str) -> Vec<Effect> {
    update(
        a,
        Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT)),
    );
    update(a, Msg::Paste(text.to_string()));
    let fx = ctrl(a, 's');
    assert_eq!(a.overlay(), None, "applied");
    fx
}

fn status(a: &App) -> String {
    a.status().map(|s| s.text.clone()).unwrap_or_default()
}

const CANNED: &str = "listen = \"127.0.0.1:8093\"\n[backend]\ntype = \"canned\"\nstatus = 201\n";

#[test]
fn u_right_after_b_puts_the_backend_and_the_address_back() {
    let mut a = app();
    let before = a.session().clone();
    key(&mut a, KeyCode::Char('B'));
    apply(&mut a, CANNED);
    assert!(matches!(a.session().backend, BackendConfig::Canned { .. }));
    assert_eq!(a.listen().addr(), "127.0.0.1:8093".parse().unwrap());
    assert!(a.is_dirty());
    // Ctrl-z in normal mode (the Template pane is focused, nothing typed since).
    let fx = ctrl(&mut a, 'z');
    assert_eq!(a.session().backend, BackendConfig::Echo);
    assert_eq!(a.session().listen, None, "the file named no address");
    assert_eq!(a.listen().addr(), "127.0.0.1:8080".parse().unwrap());
    assert_eq!(*a.session(), before);
    assert!(!a.is_dirty(), "back as the file has it");
    assert_eq!(
        status(&a),
        "Undid the session's settings: backend echo → canned · listen 127.0.0.1:8080 → \
         127.0.0.1:8093 (ctrl+r redoes)"
    );
    assert_eq!(a.status().unwrap().kind, StatusKind::Success);
    // The echo backend runs live: shown at once.
    assert!(
        fx.iter().any(|e| matches!(e, Effect::RunPipeline(_))),
        "{fx:?}"
    );
    // Redo brings it again; undo again takes it back (u works as Ctrl-z does).
    ctrl(&mut a, 'r');
    assert!(matches!(a.session().backend, BackendConfig::Canned { .. }));
    assert!(
        status(&a).starts_with("Redid the session's settings"),
        "{}",
        status(&a)
    );
    key(&mut a, KeyCode::Char('u'));
    assert_eq!(*a.session(), before);
    // Nothing more to undo in the settings: the template editor's own undo (nothing) is next.
    key(&mut a, KeyCode::Char('u'));
    assert_eq!(*a.session(), before);
}

#[test]
fn typing_after_an_apply_is_undone_first_in_the_editor_the_apply_from_other_panes() {
    let mut a = app();
    key(&mut a, KeyCode::Char('B'));
    apply(&mut a, CANNED);
    let applied = a.session().backend.clone();
    // Typed in the template since: undo in the Template pane takes the typing back.
    let text = a.template_editor().text();
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "mine");
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('u'));
    assert_eq!(a.template_editor().text(), text);
    assert_eq!(a.session().backend, applied, "the settings stay");
    // Redo the typing, then undo from the Log pane: the applied change goes, the typing stays.
    ctrl(&mut a, 'r');
    assert!(a.template_editor().text().starts_with("mine"));
    a.chrome.focus = Pane::Log;
    key(&mut a, KeyCode::Char('u'));
    assert_eq!(a.session().backend, BackendConfig::Echo);
    assert!(a.template_editor().text().starts_with("mine"));
    assert!(status(&a).starts_with("Undid the session's settings"));
}

#[test]
fn a_running_server_moves_back_with_the_address() {
    let mut a = app();
    let fx = key(&mut a, KeyCode::Char('L'));
    let Some(&Effect::StartListening { generation, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    update(
        &mut a,
        Msg::Listening {
            generation,
            result: Ok("127.0.0.1:8080".parse().unwrap()),
        },
    );
    key(&mut a, KeyCode::Char('B'));
    apply(&mut a, CANNED);
    let fx = ctrl(&mut a, 'z');
    let Some(Effect::StartListening { addr, .. }) = fx
        .iter()
        .find(|e| matches!(e, Effect::StartListening { .. }))
    else {
        panic!("the server moves back: {fx:?}")
    };
    assert_eq!(*addr, "127.0.0.1:8080".parse().unwrap());
    assert!(matches!(a.listen().state(), Listening::Starting { .. }));
}

#[test]
fn method_and_api_settings_are_undone_too_keeping_later_template_edits() {
    let mut a = app();
    let method = a.method().cloned().unwrap();
    key(&mut a, KeyCode::Char('e'));
    let text = a.settings_editor().unwrap().text();
    apply(
        &mut a,
        &text.replace(
            "passthroughBehavior = \"WHEN_NO_MATCH\"",
            "passthroughBehavior = \"NEVER\"",
        ),
    );
    assert_ne!(a.method(), Some(&method));
    // A template edit after it.
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "## kept");
    key(&mut a, KeyCode::Esc);
    a.chrome.focus = Pane::Integration;
    key(&mut a, KeyCode::Char('u'));
    let now = a.method().unwrap();
    assert_eq!(
        now.integration.passthrough_behavior, method.integration.passthrough_behavior,
        "the setting is back"
    );
    assert!(
        a.template_editor().text().starts_with("## kept"),
        "the typing stays"
    );
    assert!(
        status(&a).starts_with(
            "Undid the changes to POST /pets/{petId}: integration.passthroughBehavior"
        ),
        "{}",
        status(&a)
    );
    // The API's settings.
    let api_stage = a.session().api.stage.clone();
    key(&mut a, KeyCode::Char('E'));
    let text = a.settings_editor().unwrap().text();
    apply(&mut a, &text.replace("stage = \"dev\"", "stage = \"prod\""));
    assert_eq!(a.session().api.stage.as_deref(), Some("prod"));
    ctrl(&mut a, 'z');
    assert_eq!(a.session().api.stage, api_stage);
    assert!(
        status(&a).starts_with("Undid the API's settings"),
        "{}",
        status(&a)
    );
}
