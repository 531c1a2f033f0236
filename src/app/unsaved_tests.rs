//! `update()` tests of opening another session with unsaved edits: the question, and each of
//! its answers (save then open, discard then open, stay), with what can go wrong on the way.

use std::path::PathBuf;

use crossterm::event::KeyCode;

use super::test_support::{act, app, key};
use super::*;
use crate::app::picker::SessionEntry;

/// An app with an unsaved edit, autosaving, with the picker open on two sessions and the
/// second one chosen: the question is asked.
fn asked() -> App {
    let mut a = app();
    a.set_autosave_dir(PathBuf::from("/state"));
    act(&mut a, Action::CycleType);
    assert!(a.is_dirty());
    act(&mut a, Action::OpenSession);
    update(
        &mut a,
        Msg::SessionList {
            dir: "sessions".into(),
            result: Ok(vec![
                SessionEntry {
                    path: "sessions/a.toml".into(),
                    name: Ok("A".into()),
                },
                SessionEntry {
                    path: "sessions/b.toml".into(),
                    name: Ok("B".into()),
                },
            ]),
        },
    );
    key(&mut a, KeyCode::Char('j'));
    let fx = key(&mut a, KeyCode::Enter);
    assert!(fx.is_empty(), "nothing is loaded before the answer: {fx:?}");
    assert_eq!(
        a.confirm_open_path(),
        Some(std::path::Path::new("sessions/b.toml"))
    );
    a
}

fn loaded(a: &mut App, path: &str, name: &str) -> Vec<Effect> {
    let mut other = Session::builtin_default();
    other.name = name.into();
    update(
        a,
        Msg::SessionLoaded {
            path: path.into(),
            result: Ok(Box::new(other)),
        },
    )
}

#[test]
fn staying_goes_back_to_the_list_with_the_edits() {
    let mut a = asked();
    key(&mut a, KeyCode::Esc);
    assert!(
        matches!(
            a.overlay(),
            Some(Overlay::Picker {
                selected: 1,
                list: Some(_)
            })
        ),
        "{:?}",
        a.overlay()
    );
    assert!(a.is_dirty());
    assert!(a.status().unwrap().text.contains("still here"));
    // Asked again, `n` stays too.
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('n'));
    assert!(matches!(a.overlay(), Some(Overlay::Picker { .. })));
}

#[test]
fn discarding_opens_the_session_and_drops_the_copy() {
    let mut a = asked();
    let copy = a.autosave_file().unwrap();
    let fx = key(&mut a, KeyCode::Char('d'));
    assert_eq!(
        fx,
        vec![Effect::LoadSession {
            path: "sessions/b.toml".into()
        }]
    );
    assert_eq!(a.overlay(), None);
    assert!(
        a.is_dirty(),
        "nothing is dropped before the other session is there"
    );
    let fx = loaded(&mut a, "sessions/b.toml", "B");
    assert_eq!(a.session().name, "B");
    assert!(!a.is_dirty());
    assert!(
        fx.contains(&Effect::RemoveFile { path: copy }),
        "the dropped edits' copy goes: {fx:?}"
    );
}

#[test]
fn a_failed_load_after_discarding_keeps_the_edits() {
    let mut a = asked();
    key(&mut a, KeyCode::Char('d'));
    let fx = update(
        &mut a,
        Msg::SessionLoaded {
            path: "sessions/b.toml".into(),
            result: Err("sessions/b.toml:3: bad".into()),
        },
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::RemoveFile { .. })));
    assert!(a.is_dirty());
    assert!(
        a.status()
            .unwrap()
            .text
            .contains("your edits are still here")
    );
    // The choice was for that load only: another session loaded later is refused.
    loaded(&mut a, "sessions/a.toml", "A");
    assert_ne!(a.session().name, "A");
}

#[test]
fn saving_first_opens_the_session_once_saved() {
    let mut a = asked();
    let fx = key(&mut a, KeyCode::Char('s'));
    let [Effect::Save { path, revision, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let (path, revision) = (path.clone(), *revision);
    assert_eq!(path, PathBuf::from(DEFAULT_SAVE_PATH));
    assert!(a.status().unwrap().text.contains("then opening b.toml"));
    let fx = update(
        &mut a,
        Msg::Saved {
            path: path.clone(),
            revision,
            result: Ok(()),
            stamp: None,
        },
    );
    assert!(
        fx.contains(&Effect::LoadSession {
            path: "sessions/b.toml".into()
        }),
        "{fx:?}"
    );
    loaded(&mut a, "sessions/b.toml", "B");
    assert_eq!(a.session().name, "B");
}

#[test]
fn a_failed_or_refused_save_opens_nothing() {
    // The save fails: the edits stay, nothing opens.
    let mut a = asked();
    let fx = key(&mut a, KeyCode::Char('s'));
    let [Effect::Save { path, revision, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let fx = update(
        &mut a,
        Msg::Saved {
            path: path.clone(),
            revision: *revision,
            result: Err("disk full".into()),
            stamp: None,
        },
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::LoadSession { .. })));
    assert!(a.is_dirty());
    let status = &a.status().unwrap().text;
    assert!(status.contains("nothing was lost"), "{status}");
    assert!(status.contains("b.toml was not opened"), "{status}");

    // The file changed on disk: the overwrite question comes, and no open follows it.
    let mut a = asked();
    let fx = key(&mut a, KeyCode::Char('s'));
    let [Effect::Save { path, revision, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let conflict = crate::app::conflict::SaveConflict::new(path.clone(), *revision, "a", "b");
    update(&mut a, Msg::SaveConflict(conflict));
    assert_eq!(a.overlay(), Some(&Overlay::ConfirmOverwrite { scroll: 0 }));
    let fx = update(
        &mut a,
        Msg::Saved {
            path: path.clone(),
            revision: *revision,
            result: Ok(()),
            stamp: None,
        },
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::LoadSession { .. })));

    // An edit made while saving is not saved: nothing opens.
    let mut a = asked();
    let fx = key(&mut a, KeyCode::Char('s'));
    let [Effect::Save { path, revision, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    act(&mut a, Action::CycleType);
    let fx = update(
        &mut a,
        Msg::Saved {
            path: path.clone(),
            revision: *revision,
            result: Ok(()),
            stamp: None,
        },
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::LoadSession { .. })));
    assert!(a.status().unwrap().text.contains("not opened"));
}

#[test]
fn a_clean_session_opens_without_a_question() {
    let mut a = app();
    act(&mut a, Action::OpenSession);
    update(
        &mut a,
        Msg::SessionList {
            dir: "sessions".into(),
            result: Ok(vec![SessionEntry {
                path: "sessions/a.toml".into(),
                name: Ok("A".into()),
            }]),
        },
    );
    let fx = key(&mut a, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::LoadSession {
            path: "sessions/a.toml".into()
        }]
    );
}
