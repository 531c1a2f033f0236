//! `update()` tests of `B`: the session's backend and listen address in the settings editor,
//! applied as one edit (the backend runs at once where it runs live, the Integration pane
//! names it, a running server moves to the new address), refused with line:col, cancelled or
//! undone before it is applied.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::settings_edit::SettingsTarget;
use super::test_support::{app, ctrl, key};
use super::*;
use crate::app::listen::Listening;

fn open(a: &mut App) -> String {
    let fx = key(a, KeyCode::Char('B'));
    assert!(fx.is_empty(), "{fx:?}");
    let edit = a.settings_edit().expect("the editor is open");
    assert_eq!(edit.target(), &SettingsTarget::Session);
    edit.editor().text()
}

/// Replace the whole settings text (select all, then paste).
fn replace_text(a: &mut App, text: &str) {
    update(
        a,
        Msg::Key(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT)),
    );
    update(a, Msg::Paste(text.to_string()));
}

const CANNED: &str = "listen = \"127.0.0.1:8080\"\n[backend]\ntype = \"canned\"\nstatus = 201\nbody = '{\"canned\": true}'\n";

#[test]
fn b_shows_the_backend_and_the_listen_address_and_applies_a_new_backend() {
    let mut a = app();
    a.set_autosave_dir(PathBuf::from("/state"));
    let text = open(&mut a);
    assert!(text.contains("listen = \"127.0.0.1:8080\""), "{text}");
    assert!(text.contains("[backend]\ntype = \"echo\""), "{text}");
    for kind in [
        "echo",
        "canned",
        "http",
        "lambda",
        "local",
        "aws-local",
        "aws-lambda",
    ] {
        assert!(
            text.contains(&format!("\"{kind}\"")),
            "{kind} is listed:\n{text}"
        );
    }
    let revision = a.workspace.revision;
    replace_text(&mut a, CANNED);
    let fx = ctrl(&mut a, 's');
    assert_eq!(a.overlay(), None);
    assert_eq!(a.workspace.revision, revision + 1, "one edit");
    assert!(a.is_dirty());
    let BackendConfig::Canned { status, body, .. } = &a.session().backend else {
        panic!("{:?}", a.session().backend)
    };
    assert_eq!(
        (*status, body.as_deref()),
        (Some(201), Some("{\"canned\": true}"))
    );
    assert_eq!(
        a.session().listen,
        None,
        "an unchanged address is not written"
    );
    // Shown at once: the backend runs live, the Integration pane names it.
    assert!(
        fx.iter().any(|e| matches!(e, Effect::RunPipeline(_))),
        "{fx:?}"
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::Autosave { .. })));
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::StartListening { .. }))
    );
    let pane = a.integration_text();
    let shown: Vec<&str> = pane.lines_from(0).map(|l| l.text).collect();
    assert!(
        shown.iter().any(|l| l.contains("canned answer 201")),
        "{shown:#?}"
    );
    assert_eq!(
        a.status().unwrap().text,
        "Applied: backend echo → canned",
        "{:?}",
        a.status()
    );
}

#[test]
fn a_new_address_moves_a_running_server_and_a_taken_one_is_reported() {
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
    let text = open(&mut a);
    replace_text(&mut a, &text.replace("127.0.0.1:8080", "127.0.0.1:8091"));
    let fx = ctrl(&mut a, 's');
    let Some(&Effect::StartListening {
        generation: moved,
        addr,
        ..
    }) = fx
        .iter()
        .find(|e| matches!(e, Effect::StartListening { .. }))
    else {
        panic!("the server restarts: {fx:?}")
    };
    assert_eq!(addr, "127.0.0.1:8091".parse().unwrap());
    assert_eq!(a.session().listen, Some(addr), "saved with the session");
    assert_eq!(
        a.listen().state(),
        Listening::Starting { generation: moved }
    );
    assert!(
        a.status()
            .unwrap()
            .text
            .contains("listening again on 127.0.0.1:8091")
    );
    // The old server's late answer does not stop the new one.
    let fx = update(
        &mut a,
        Msg::Listening {
            generation,
            result: Ok("127.0.0.1:8080".parse().unwrap()),
        },
    );
    assert!(fx.is_empty(), "{fx:?}");
    // The new port is taken: said, and the workbench goes on without a server.
    update(
        &mut a,
        Msg::Listening {
            generation: moved,
            result: Err("cannot listen on 127.0.0.1:8091: Address in use (os error 98)".into()),
        },
    );
    assert_eq!(a.listen().state(), Listening::Off);
    let status = a.status().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("Address in use"), "{}", status.text);
    // `L` now serves on the new address.
    let fx = key(&mut a, KeyCode::Char('L'));
    assert!(
        matches!(fx.first(), Some(Effect::StartListening { addr, .. }) if *addr == "127.0.0.1:8091".parse().unwrap()),
        "{fx:?}"
    );
}

#[test]
fn a_refused_setting_stays_open_at_its_line_and_nothing_changes() {
    let mut a = app();
    open(&mut a);
    replace_text(
        &mut a,
        "listen = \"127.0.0.1:8080\"\n[backend]\ntype = \"echo\"\nendpoint = \"x\"\n",
    );
    let fx = ctrl(&mut a, 's');
    assert!(fx.is_empty(), "{fx:?}");
    let e = a
        .settings_edit()
        .unwrap()
        .error()
        .expect("an error")
        .clone();
    assert_eq!(e.line, 4);
    assert!(
        e.message.contains("takes no settings besides `type`"),
        "{e}"
    );
    assert!(!a.is_dirty());
    replace_text(&mut a, "listen = \"0.0.0.0:80\"\n");
    ctrl(&mut a, 's');
    let e = a
        .settings_edit()
        .unwrap()
        .error()
        .expect("an error")
        .clone();
    assert!(e.message.contains("--allow-remote"), "{e}");
    assert_eq!(a.session().backend, BackendConfig::Echo);
}

#[test]
fn it_is_undone_or_cancelled_before_it_is_applied() {
    let mut a = app();
    let original = open(&mut a);
    replace_text(&mut a, CANNED);
    // Undo brings the text back.
    ctrl(&mut a, 'z');
    assert_eq!(a.settings_editor().unwrap().text(), original);
    replace_text(&mut a, CANNED);
    // Esc asks; yes closes without a change.
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.settings_step(), Some(SettingsStep::ConfirmDiscard));
    key(&mut a, KeyCode::Char('y'));
    assert_eq!(a.overlay(), None);
    assert_eq!(a.session().backend, BackendConfig::Echo);
    assert!(!a.is_dirty());
    // Applying the text as it was changes nothing.
    open(&mut a);
    let fx = ctrl(&mut a, 's');
    assert!(fx.is_empty(), "{fx:?}");
    assert!(!a.is_dirty());
    assert_eq!(
        a.status().unwrap().text,
        "No changes to the session's settings"
    );
}

#[test]
fn the_change_is_saved_keeping_the_files_layout() {
    let file = "# my session\nversion = 1\nname = \"x\" # the name\n\n[api]\napiId = \"a\"\n\n# the backend I use\n[backend]\ntype = \"echo\"\n";
    let path = std::path::Path::new("s.toml");
    let mut s = crate::session::Session::from_toml(file, path).unwrap();
    s.backend = crate::app::backend_edit::parse_session_settings(CANNED, false)
        .unwrap()
        .backend;
    s.listen = Some("127.0.0.1:8091".parse().unwrap());
    let saved = s.to_toml_over(Some(file)).unwrap();
    for kept in [
        "# my session\n",
        "name = \"x\" # the name\n",
        "# the backend I use\n[backend]\n",
    ] {
        assert!(saved.contains(kept), "{kept:?} kept in:\n{saved}");
    }
    assert!(saved.contains("listen = \"127.0.0.1:8091\""), "{saved}");
    assert!(saved.contains("type = \"canned\"\nstatus = 201"), "{saved}");
    let back = crate::session::Session::from_toml(&saved, path).unwrap();
    assert_eq!(back.listen, s.listen);
    assert_eq!(back.backend, s.backend);
}
