//! `update()` tests of Esc typed quickly before a key: a terminal (tmux among them) sends the
//! two as one key, Alt+key. One nothing binds is read as Esc, then the key; a burst that
//! starts with Esc is commands, while Esc in the middle of typed keys stops a paste.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::test_support::{app, key, typed};
use super::*;
use crate::gateway::trace::Stage;

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

fn plain(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

#[test]
fn alt_n_in_the_editor_leaves_it_and_steps_a_stage() {
    let mut a = app();
    let before = a.template_editor().text();
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "x");
    assert_eq!(a.mode(), Mode::Editing);
    assert_eq!(a.stage(), Stage::Routing);
    update(&mut a, alt('n'));
    assert_eq!(a.mode(), Mode::Normal, "Esc left the editor");
    assert_eq!(a.stage(), Stage::Authorization, "then n stepped a stage");
    assert_eq!(
        a.template_editor().text(),
        format!("x{before}"),
        "nothing typed"
    );
}

#[test]
fn esc_then_a_key_read_in_one_burst_are_both_commands() {
    let mut a = app();
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "x");
    update(
        &mut a,
        Msg::Keys(vec![plain(KeyCode::Esc), plain(KeyCode::Char('n'))]),
    );
    assert_eq!(a.mode(), Mode::Normal);
    assert_eq!(a.stage(), Stage::Authorization);
    // The same as Alt+n in a burst.
    let mut b = app();
    key(&mut b, KeyCode::Char('i'));
    update(
        &mut b,
        Msg::Keys(vec![KeyEvent::new(KeyCode::Char('n'), KeyModifiers::ALT)]),
    );
    assert_eq!(b.mode(), Mode::Normal);
    assert_eq!(b.stage(), Stage::Authorization);
}

#[test]
fn alt_and_a_key_in_a_paste_stops_it() {
    let mut a = app();
    let before = a.template_editor().text();
    key(&mut a, KeyCode::Char('i'));
    // A paste arriving as keys holds `ESC q`: read as Alt+q, it must not quit.
    let mut keys: Vec<KeyEvent> = "## kept".chars().map(|c| plain(KeyCode::Char(c))).collect();
    keys.push(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::ALT));
    keys.extend(" dropped".chars().map(|c| plain(KeyCode::Char(c))));
    update(&mut a, Msg::Keys(keys));
    assert_eq!(a.mode(), Mode::Normal);
    assert!(!a.quitting());
    assert_eq!(a.overlay(), None, "not even asked");
    assert_eq!(a.template_editor().text(), format!("## kept{before}"));
    assert!(a.status().unwrap().text.contains("Stopped at Esc"));
}

#[test]
fn alt_keys_of_the_editor_and_of_the_keymap_stay_theirs() {
    let mut a = app();
    key(&mut a, KeyCode::Char('i'));
    // alt+a selects all: still editing, and the next letter replaces everything.
    update(&mut a, alt('a'));
    assert_eq!(a.mode(), Mode::Editing);
    typed(&mut a, "Z");
    assert_eq!(a.template_editor().text(), "Z");
    // A key bound with alt in the keymap is that action, not Esc and a key.
    let keys = vec!["alt+t".to_string()];
    let keymap = keymap::Keymap::default()
        .with_overrides([("cycle_type", keys.as_slice())])
        .unwrap();
    let mut b = App::new(
        crate::session::Session::builtin_default(),
        None,
        AppOptions {
            keymap,
            ..AppOptions::default()
        },
    );
    let kind = b.integration_kind();
    update(&mut b, alt('t'));
    assert_ne!(b.integration_kind(), kind, "alt+t cycles the type");
}

#[test]
fn alt_keys_in_normal_mode_and_in_the_search_prompt() {
    let mut a = app();
    // Normal mode: Esc (nothing to cancel), then n.
    update(&mut a, alt('n'));
    assert_eq!(a.stage(), Stage::Authorization);
    // The search prompt: Esc closes it, then p steps back.
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "status");
    update(&mut a, alt('p'));
    assert_eq!(a.overlay(), None);
    assert_eq!(a.stage(), Stage::Routing);
    assert_eq!(a.search_query(), "status", "nothing added to the query");
}

#[test]
fn an_esc_that_starts_a_burst_of_many_keys_stops_them_too() {
    let mut a = app();
    let before = a.template_editor().text();
    key(&mut a, KeyCode::Char('i'));
    // The rest of a paste read on its own: Esc, then far more keys than a person types at
    // once (q among them must not quit).
    let mut keys = vec![plain(KeyCode::Esc)];
    keys.extend("q and the rest".chars().map(|c| plain(KeyCode::Char(c))));
    update(&mut a, Msg::Keys(keys));
    assert_eq!(a.mode(), Mode::Normal);
    assert_eq!(a.overlay(), None);
    assert!(!a.quitting());
    assert_eq!(a.template_editor().text(), before);
    assert!(a.status().unwrap().text.contains("Stopped at Esc"));
}
