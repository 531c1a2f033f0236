//! The editor never loses text, through the real runtime: a search match left selected is
//! not replaced by the next key, Ctrl-Home/End go to the start and the end of the text, and
//! undo takes back a word at a time.

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use gatebench::app::Mode;
use tui_support::Harness;

/// `/statuscode` Enter Enter, Esc, `i`, Ctrl-End, `ZZZ`: nothing is lost, `ZZZ` is at the
/// very end.
async fn search_then_type_at_the_end(w: u16, h: u16) {
    let mut t = Harness::open(Some("mock.toml"), w, h).await;
    let before = t.app().template_editor().text();
    t.key(KeyCode::Char('/')).await;
    t.type_text("statuscode").await;
    t.key(KeyCode::Enter).await;
    t.key(KeyCode::Enter).await;
    t.key(KeyCode::Esc).await;
    t.key(KeyCode::Char('i')).await;
    assert_eq!(t.app().mode(), Mode::Editing);
    t.key_mod(KeyCode::End, KeyModifiers::CONTROL).await;
    t.type_text("ZZZ").await;
    let after = t.app().template_editor().text();
    assert_eq!(after, format!("{before}ZZZ"), "at {w}x{h}");
    // One undo takes the word back.
    t.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL).await;
    assert_eq!(t.app().template_editor().text(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_match_is_not_replaced_at_80x24() {
    search_then_type_at_the_end(80, 24).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_match_is_not_replaced_at_60x16() {
    search_then_type_at_the_end(60, 16).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_after_a_search_then_a_letter_inserts() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let before = t.app().template_editor().text();
    t.key(KeyCode::Char('/')).await;
    t.type_text("x").await;
    t.key(KeyCode::Enter).await;
    t.key(KeyCode::Esc).await;
    t.key(KeyCode::Char('i')).await;
    t.type_text("Q").await;
    let after = t.app().template_editor().text();
    assert_eq!(after.len(), before.len() + 1, "{after}");
    assert_eq!(after.replacen('Q', "", 1), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selection_made_while_editing_ends_on_esc() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let before = t.app().template_editor().text();
    t.key(KeyCode::Char('i')).await;
    t.key_mod(KeyCode::Right, KeyModifiers::SHIFT).await;
    t.key_mod(KeyCode::Right, KeyModifiers::SHIFT).await;
    t.key(KeyCode::Esc).await;
    t.key(KeyCode::Char('i')).await;
    t.type_text("Q").await;
    let after = t.app().template_editor().text();
    assert_eq!(after, format!("##Q{}", &before[2..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undo_takes_back_words_not_characters() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let before = t.app().template_editor().text();
    t.key(KeyCode::Char('i')).await;
    t.type_text("hello world").await;
    t.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL).await;
    assert_eq!(t.app().template_editor().text(), format!("hello {before}"));
    t.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL).await;
    assert_eq!(t.app().template_editor().text(), before);
    t.key_mod(KeyCode::Char('r'), KeyModifiers::CONTROL).await;
    t.key_mod(KeyCode::Char('r'), KeyModifiers::CONTROL).await;
    assert_eq!(
        t.app().template_editor().text(),
        format!("hello world{before}")
    );
}

fn keys(text: &str) -> Vec<crossterm::event::Event> {
    use crossterm::event::{Event, KeyEvent};
    text.chars()
        .map(|c| {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\u{1b}' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_keys_is_one_edit_one_render_and_one_undo() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let before = t.app().template_editor().text();
    t.key(KeyCode::Char('i')).await;
    let start = t.rt.stats();
    t.rt.handle_events(keys("## pasted line one\n## and two, with words\n"));
    t.settle().await;
    assert_eq!(
        t.app().template_editor().text(),
        format!("## pasted line one\n## and two, with words\n{before}")
    );
    assert_eq!(t.rt.stats().renders - start.renders, 1, "one render");
    t.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL).await;
    assert_eq!(t.app().template_editor().text(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_stops_a_paste_arriving_as_keys() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let before = t.app().template_editor().text();
    t.key(KeyCode::Char('i')).await;
    // The rest of the paste after Esc would be commands in normal mode (q quits).
    t.rt.handle_events(keys("## kept\u{1b}q and this is dropped"));
    t.settle().await;
    assert_eq!(t.app().mode(), Mode::Normal);
    assert!(!t.rt.has_quit());
    assert_eq!(t.app().template_editor().text(), format!("## kept{before}"));
    let status = t.app().status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(status.contains("Stopped at Esc"), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_prompt_starts_empty_and_ctrl_u_clears_it() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    t.key(KeyCode::Char('/')).await;
    t.type_text("zzz").await;
    t.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    t.type_text("mock").await;
    t.key(KeyCode::Enter).await;
    let status = t.app().status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(
        status.starts_with("match ") && status.contains(": \"mock\" at line"),
        "{status}"
    );
    t.key(KeyCode::Esc).await;
    // A new search does not add to the old query.
    t.key(KeyCode::Char('/')).await;
    t.type_text("context").await;
    t.key(KeyCode::Enter).await;
    let status = t.app().status().map(|s| s.text.clone()).unwrap_or_default();
    assert!(
        status.starts_with("match ") && status.contains(": \"context\" at line"),
        "{status}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_overlay_scrolls_with_g_and_shift_g() {
    use gatebench::app::Overlay;
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    t.key(KeyCode::Char('?')).await;
    let scroll = |t: &Harness| match t.app().overlay() {
        Some(Overlay::Help { scroll }) => *scroll,
        other => panic!("help is open: {other:?}"),
    };
    t.key(KeyCode::Char('G')).await;
    let bottom = scroll(&t);
    assert!(bottom > 10, "{bottom}");
    t.key(KeyCode::Char('g')).await;
    assert_eq!(scroll(&t), 0);
    t.key(KeyCode::End).await;
    assert_eq!(scroll(&t), bottom);
    t.key(KeyCode::PageUp).await;
    assert!(scroll(&t) < bottom);
    t.key(KeyCode::Home).await;
    assert_eq!(scroll(&t), 0);
}
