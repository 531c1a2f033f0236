//! `update()` unit tests of the teaching parts: the dirty marker follows the file's content,
//! `t` swaps in a URI that fits the integration type and restores the original.

use crossterm::event::KeyCode;

use super::test_support::{act, app, key, typed};
use super::*;

#[test]
fn typing_a_char_and_deleting_it_is_clean_again() {
    let mut a = app();
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "Z");
    assert!(a.is_dirty(), "a typed char is an edit");
    let fx = key(&mut a, KeyCode::Backspace);
    assert!(!a.is_dirty(), "deleting it gives the file's text back");
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Autosave { .. })),
        "no autosave of a clean session: {fx:?}"
    );
    key(&mut a, KeyCode::Esc);
    assert!(!a.is_dirty());
}

#[test]
fn cycling_all_types_round_comes_back_clean() {
    let mut a = app();
    let n = crate::gateway::api::IntegrationType::ALL.len();
    for i in 1..n {
        act(&mut a, Action::CycleType);
        assert!(a.is_dirty(), "after {i} switches");
    }
    act(&mut a, Action::CycleType);
    assert!(!a.is_dirty(), "the type is back to the file's");
}

#[test]
fn a_save_during_edits_keeps_the_marker_honest() {
    let mut a = app();
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "Z");
    let saved_at = a.workspace.revision;
    typed(&mut a, "Y");
    update(
        &mut a,
        Msg::Saved {
            path: std::path::PathBuf::from("s.toml"),
            revision: saved_at,
            result: Ok(()),
            stamp: None,
        },
    );
    assert!(a.is_dirty(), "Y came after the save");
    typed(&mut a, "X");
    assert!(a.is_dirty());
}

#[test]
fn the_chosen_theme_is_remembered_in_the_settings_file() {
    let path = std::path::PathBuf::from("/cfg/gatebench/config.toml");
    let mut a = App::new(
        Session::builtin_default(),
        None,
        AppOptions {
            config_path: Some(path.clone()),
            ..AppOptions::default()
        },
    );
    let fx = act(&mut a, Action::CycleTheme);
    assert_eq!(a.theme().name(), "light");
    assert!(
        fx.contains(&Effect::RememberSetting {
            path,
            key: "theme",
            value: "light".into()
        }),
        "{fx:?}"
    );
    // A failed write is said, not hidden.
    update(
        &mut a,
        Msg::Remembered {
            key: "theme",
            result: Err("read-only".into()),
        },
    );
    let status = a.status().unwrap();
    assert_eq!(status.kind, StatusKind::Error);
    assert!(status.text.contains("read-only"));
    // Without a settings file nothing is written.
    let mut b = app();
    let fx = act(&mut b, Action::CycleTheme);
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::RememberSetting { .. }))
    );
}

fn lambda_app() -> App {
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sessions/aws-lambda.toml"
    ));
    let s = Session::load(path).unwrap();
    App::new(s, Some(path.to_path_buf()), AppOptions::default())
}

fn uri(a: &App) -> Option<String> {
    a.method().and_then(|m| m.integration.uri.clone())
}

#[test]
fn t_swaps_in_a_uri_that_fits_and_restores_the_original() {
    use crate::gateway::api::IntegrationType as T;
    let mut a = lambda_app();
    let arn = uri(&a).unwrap();
    assert_eq!(a.integration_kind(), Some(T::Aws));
    act(&mut a, Action::CycleType);
    assert_eq!(a.integration_kind(), Some(T::AwsProxy));
    assert_eq!(
        uri(&a).as_deref(),
        Some(arn.as_str()),
        "an ARN fits AWS_PROXY"
    );
    assert!(a.uri_swap().is_none());
    act(&mut a, Action::CycleType);
    assert_eq!(a.integration_kind(), Some(T::Http));
    assert_eq!(uri(&a).as_deref(), Some(teach::ECHO_URL));
    let status = &a.status().unwrap().text;
    assert!(status.contains("echo URL"), "{status}");
    assert_eq!(
        a.uri_swap().unwrap().original.as_deref(),
        Some(arn.as_str())
    );
    act(&mut a, Action::CycleType);
    assert_eq!(a.integration_kind(), Some(T::HttpProxy));
    assert_eq!(uri(&a).as_deref(), Some(teach::ECHO_URL));
    act(&mut a, Action::CycleType);
    assert_eq!(a.integration_kind(), Some(T::Mock));
    assert_eq!(
        uri(&a).as_deref(),
        Some(arn.as_str()),
        "back to the session's"
    );
    assert!(a.status().unwrap().text.contains("back"));
    assert!(a.uri_swap().is_none());
    act(&mut a, Action::CycleType);
    assert_eq!(a.integration_kind(), Some(T::Aws));
    assert!(!a.is_dirty(), "a full round is the file again");
}
