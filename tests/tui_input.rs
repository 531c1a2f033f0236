//! The workbench's input, on the real runtime drawing on a `TestBackend`: the terminal going
//! away (a hangup, input that ends or fails) writes the last edits into the autosave copy and
//! ends the loop; `<` goes to the previous saved request; `o` with unsaved edits asks what to
//! do with them; `/` searches every pane; `B` changes the backend and the listen address.

mod tui_support;

use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use gatebench::app::{App, AppOptions};
use gatebench::runtime::Ending;
use gatebench::runtime::input::HangupWatch;
use tui_support::{Harness, fixture};

/// A scratch folder with a copy of the MOCK fixture; the app on it autosaves into `state`.
fn scratch(tag: &str) -> (PathBuf, PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("gatebench-tui-input-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mock.toml");
    std::fs::copy(fixture("mock.toml"), &file).unwrap();
    (dir, file)
}

/// The workbench on `file`, autosaving into `dir/state`.
async fn open_autosaving(dir: &std::path::Path, file: &std::path::Path) -> Harness {
    let mut app = App::open(Some(file), AppOptions::default());
    app.set_autosave_dir(dir.join("state"));
    Harness::with_app(app, 80, 24).await
}

/// Queue keys for the loop without processing them (the loop reads them when it runs).
fn queue_keys(t: &Harness, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        t.events
            .send(Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))))
            .unwrap();
    }
}

/// The autosave copy's text, if there is one.
fn autosaved(t: &Harness) -> Option<String> {
    std::fs::read_to_string(t.app().autosave_file()?).ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hangup_writes_the_last_edits_into_the_autosave_copy_and_ends_the_loop() {
    let (dir, file) = scratch("hangup");
    let mut t = open_autosaving(&dir, &file).await;
    // The terminal: a pipe whose writing end is the other side.
    let (reader, writer) = std::io::pipe().unwrap();
    t.rt.watch_hangup(HangupWatch::new(OwnedFd::from(reader)).unwrap());
    // An edit, then at once the hangup: the autosave's one-second wait has not passed.
    queue_keys(&t, "i## typed just before the hangup\n");
    drop(writer);
    tokio::time::timeout(Duration::from_secs(20), t.rt.run())
        .await
        .expect("the loop ends")
        .expect("a hangup is no error");
    assert_eq!(t.rt.ending(), Some(Ending::HungUp));
    let copy = autosaved(&t).expect("the autosave copy was written");
    assert!(copy.contains("## typed just before the hangup"), "{copy}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_that_ends_or_fails_still_autosaves_the_last_edits() {
    // The input ends (end of file).
    let (dir, file) = scratch("eof");
    let mut t = open_autosaving(&dir, &file).await;
    queue_keys(&t, "i## typed before the end of input\n");
    let (tx, _) = tokio::sync::mpsc::unbounded_channel();
    drop(std::mem::replace(&mut t.events, tx));
    tokio::time::timeout(Duration::from_secs(20), t.rt.run())
        .await
        .expect("the loop ends")
        .expect("the end of input is no error");
    assert_eq!(t.rt.ending(), Some(Ending::HungUp));
    let copy = autosaved(&t).expect("the autosave copy was written");
    assert!(copy.contains("## typed before the end of input"), "{copy}");
    let _ = std::fs::remove_dir_all(&dir);

    // Reading fails (EIO, as a hung-up terminal answers).
    let (dir, file) = scratch("eio");
    let mut t = open_autosaving(&dir, &file).await;
    queue_keys(&t, "i## typed before the read error\n");
    t.events
        .send(Err(std::io::Error::from_raw_os_error(5)))
        .unwrap();
    let result = tokio::time::timeout(Duration::from_secs(20), t.rt.run())
        .await
        .expect("the loop ends");
    assert!(result.is_err(), "the error is reported to the caller");
    assert_eq!(t.rt.ending(), Some(Ending::Failed));
    let copy = autosaved(&t).expect("the autosave copy was written");
    assert!(copy.contains("## typed before the read error"), "{copy}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quitting_without_saving_leaves_no_copy_behind() {
    let (dir, file) = scratch("quit");
    let mut t = open_autosaving(&dir, &file).await;
    // Typed and left (Esc ends a burst of keys, so these are not queued with the rest).
    t.type_text("i## dropped on purpose\n").await;
    t.key(KeyCode::Esc).await;
    queue_keys(&t, "qy");
    tokio::time::timeout(Duration::from_secs(20), t.rt.run())
        .await
        .expect("the loop ends")
        .expect("no error");
    assert_eq!(t.rt.ending(), Some(Ending::Quit));
    assert_eq!(autosaved(&t), None, "the user chose to drop the edits");
    let _ = std::fs::remove_dir_all(&dir);
}
