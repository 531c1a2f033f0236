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

/// The workbench on `file` at 80x24, autosaving into `dir/state`.
async fn open_autosaving(dir: &std::path::Path, file: &std::path::Path) -> Harness {
    open_autosaving_at(dir, file, (80, 24)).await
}

/// The workbench on `file` at `w`x`h`, autosaving into `dir/state`.
async fn open_autosaving_at(
    dir: &std::path::Path,
    file: &std::path::Path,
    (w, h): (u16, u16),
) -> Harness {
    let options = AppOptions {
        size: (w, h),
        ..AppOptions::default()
    };
    let mut app = App::open(Some(file), options);
    app.set_autosave_dir(dir.join("state"));
    Harness::with_app(app, w, h).await
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

/// Press `key` `n` times.
async fn press(t: &mut Harness, code: KeyCode, n: usize) {
    for _ in 0..n {
        t.key(code).await;
    }
}

/// Focus `pane` by Tab.
async fn focus(t: &mut Harness, pane: gatebench::app::Pane) {
    for _ in 0..7 {
        if t.app().focus() == pane {
            return;
        }
        t.key(KeyCode::Tab).await;
    }
    panic!("{pane:?} not reached");
}

fn ctrl_key(c: char) -> (KeyCode, KeyModifiers) {
    (KeyCode::Char(c), KeyModifiers::CONTROL)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lt_goes_to_the_previous_saved_request_wrapping_around() {
    for (w, h) in [(80, 24), (60, 16)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        let n = t.app().session().requests.len();
        assert!(n >= 2);
        let first = t.app().request().unwrap().name.clone();
        t.key(KeyCode::Char('<')).await;
        assert_eq!(t.app().request_index(), n - 1);
        let last = t.app().request().unwrap().name.clone();
        let screen = t.screen();
        assert!(
            screen.contains(&format!("Request {n}/{n}: {last}")),
            "{w}x{h}:\n{screen}"
        );
        t.key(KeyCode::Char('>')).await;
        assert_eq!(t.app().request().unwrap().name, first);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_with_unsaved_edits_asks_and_saves_or_discards() {
    for (w, h) in [(80, 24), (60, 16)] {
        let (dir, file) = scratch(&format!("open{w}"));
        std::fs::copy(fixture("http.toml"), dir.join("http.toml")).unwrap();
        let mut t = open_autosaving_at(&dir, &file, (w, h)).await;
        t.key(KeyCode::Char('i')).await;
        t.type_text("## kept by saving first\n").await;
        t.key(KeyCode::Esc).await;
        t.key(KeyCode::Char('o')).await;
        // http.toml sorts first.
        t.key(KeyCode::Enter).await;
        let screen = t.screen();
        insta::assert_snapshot!(format!("open_with_unsaved_edits_{w}x{h}"), screen);
        assert!(
            screen.contains("s        save them, then open http.toml"),
            "{screen}"
        );
        // Stay: back in the list, edits here.
        t.key(KeyCode::Esc).await;
        assert!(t.screen().contains("Open a session from"));
        assert!(t.app().is_dirty());
        // Save first: the file holds the edit and the other session opens.
        t.key(KeyCode::Enter).await;
        t.key(KeyCode::Char('s')).await;
        let saved = std::fs::read_to_string(&file).unwrap();
        assert!(saved.contains("## kept by saving first"), "{saved}");
        assert_eq!(
            t.app().session().name,
            "HTTP: an HTTP custom integration with mappings"
        );
        assert!(t.screen().contains("Opened HTTP"));

        // Discard: edits to http.toml are dropped, mock.toml opens, the copy goes.
        t.key(KeyCode::Char('i')).await;
        t.type_text("## dropped\n").await;
        t.key(KeyCode::Esc).await;
        let copy = t.app().autosave_file().unwrap();
        assert!(copy.exists(), "autosaved meanwhile");
        t.key(KeyCode::Char('o')).await;
        press(&mut t, KeyCode::Char('j'), 1).await;
        t.key(KeyCode::Enter).await;
        t.key(KeyCode::Char('d')).await;
        assert_eq!(t.app().session_path(), Some(file.as_path()));
        assert!(!t.app().is_dirty());
        assert!(!copy.exists(), "the dropped edits' copy is gone");
        let http = std::fs::read_to_string(dir.join("http.toml")).unwrap();
        assert!(!http.contains("## dropped"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Where `needle` is first drawn inside the area the last frame gave `pane` (column, row).
fn cells_of(
    t: &Harness,
    buf: &ratatui::buffer::Buffer,
    pane: gatebench::app::Pane,
    needle: &str,
) -> Option<(u16, u16)> {
    let area = t.app().drawn_areas().pane(pane)?.rect;
    for y in area.top()..area.bottom() {
        let row: String = (area.left()..area.right())
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        if let Some(byte) = row.find(needle) {
            let x = area.left() + u16::try_from(row[..byte].chars().count()).unwrap();
            return Some((x, y));
        }
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slash_searches_every_pane_marks_the_matches_and_scrolls_to_them() {
    use gatebench::app::Pane;
    use ratatui::style::Modifier;
    for (w, h) in [(80, 24), (60, 16)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        // The Integration pane: its last line is below the first page.
        focus(&mut t, Pane::Integration).await;
        assert!(
            !t.screen().contains("listen      127.0.0.1"),
            "below the page"
        );
        t.key(KeyCode::Char('/')).await;
        t.type_text("127.0.0.1").await;
        t.key(KeyCode::Enter).await;
        let buf = t.buffer();
        let screen = tui_support::buffer_text(&buf);
        assert!(screen.contains("match 1 of 1:"), "{w}x{h}:\n{screen}");
        let (x, y) =
            cells_of(&t, &buf, Pane::Integration, "127.0.0.1:8080").expect("the match is in view");
        for dx in 0..9 {
            let cell = &buf[(x + dx, y)];
            assert!(
                cell.modifier
                    .contains(Modifier::UNDERLINED | Modifier::BOLD),
                "the current match is marked at {w}x{h}: {cell:?}"
            );
        }
        insta::assert_snapshot!(format!("search_integration_{w}x{h}"), screen);
        t.key(KeyCode::Esc).await;

        // Every other pane that shows text, each on a text it holds.
        for (pane, query) in [
            (Pane::Request, "Accept"),
            (Pane::Rendered, "\"statusCode\": 200"),
            (Pane::Backend, "backend"),
            (Pane::Response, "Hello"),
            (Pane::Log, "completed"),
        ] {
            focus(&mut t, pane).await;
            t.key(KeyCode::Char('/')).await;
            t.type_text(query).await;
            t.key(KeyCode::Enter).await;
            let status = t.app().status().map(|s| s.text.clone()).unwrap_or_default();
            assert!(
                status.contains("match 1 of "),
                "{pane:?} at {w}x{h}: {status}"
            );
            let buf = t.buffer();
            let (x, y) = cells_of(&t, &buf, pane, query)
                .unwrap_or_else(|| panic!("{pane:?}: {query} in view at {w}x{h}"));
            assert!(
                buf[(x, y)].modifier.contains(Modifier::UNDERLINED),
                "{pane:?} marks its match at {w}x{h}"
            );
            t.key(KeyCode::Esc).await;
        }
        // Nothing found says so.
        t.key(KeyCode::Char('/')).await;
        t.type_text("zzz-nothing").await;
        t.key(KeyCode::Enter).await;
        assert!(t.screen().contains("no match for \"zzz-nothing\""));
    }
}

/// Where `needle` is drawn inside the area the last frame gave `pane`: every (column, row).
fn all_cells_of(
    t: &Harness,
    buf: &ratatui::buffer::Buffer,
    pane: gatebench::app::Pane,
    needle: &str,
) -> Vec<(u16, u16)> {
    let Some(area) = t.app().drawn_areas().pane(pane).map(|a| a.rect) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for y in area.top()..area.bottom() {
        let row: String = (area.left()..area.right())
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        for (byte, _) in row.match_indices(needle) {
            let x = area.left() + u16::try_from(row[..byte].chars().count()).unwrap();
            found.push((x, y));
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_template_editor_marks_every_match_and_the_current_one_strongly() {
    use gatebench::app::Pane;
    use ratatui::style::Modifier;
    for (w, h) in [(80, 24), (60, 16)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        t.key(KeyCode::Char('/')).await;
        t.type_text("statusCode").await;
        t.key(KeyCode::Enter).await;
        // Each match drawn, top to bottom: where, and whether underlined and bold.
        let looks = |t: &mut Harness| {
            let buf = t.buffer();
            all_cells_of(t, &buf, Pane::Template, "statusCode")
                .into_iter()
                .map(|(x, y)| {
                    let m = buf[(x + 1, y)].modifier;
                    (
                        (x, y),
                        m.contains(Modifier::UNDERLINED),
                        m.contains(Modifier::BOLD),
                    )
                })
                .collect::<Vec<_>>()
        };
        let total = t.app().search_found().expect("found").1;
        assert!(total >= 2);
        let first = looks(&mut t);
        assert!(!first.is_empty(), "{w}x{h}: {}", t.screen());
        assert!(
            first.iter().all(|l| l.1),
            "every match marked at {w}x{h}: {first:?}"
        );
        assert!(first[0].2, "the first is current at {w}x{h}: {first:?}");
        assert_eq!(first.iter().filter(|l| l.2).count(), 1, "{first:?}");
        // The count is in the prompt.
        let screen = t.screen();
        let bar = screen.lines().rev().find(|l| !l.trim().is_empty()).unwrap();
        assert!(
            bar.contains(&format!("/statusCode 1/{total}")),
            "{w}x{h}: {bar}"
        );
        let at_first = t.app().template_editor().cursor();
        t.key(KeyCode::Char('n')).await;
        assert_ne!(
            t.app().template_editor().cursor(),
            at_first,
            "n moved at {w}x{h}"
        );
        let second = looks(&mut t);
        assert!(second.iter().all(|l| l.1), "{second:?}");
        let current: Vec<_> = second.iter().filter(|l| l.2).collect();
        assert_eq!(
            current.len(),
            1,
            "n: one current match at {w}x{h}: {second:?}"
        );
        assert!(t.screen().contains(&format!("/statusCode 2/{total}")));
        t.key(KeyCode::Esc).await;
        assert!(
            looks(&mut t).iter().all(|l| !l.1),
            "Esc clears the marks at {w}x{h}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn b_changes_the_backend_and_moves_the_server_to_a_new_port() {
    gatebench::backend::install_crypto_provider();
    let (dir, file) = scratch("backend");
    let free = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
    };
    let mut t = open_autosaving(&dir, &file).await;
    let first = free();
    let app_port = |t: &Harness, addr: std::net::SocketAddr| {
        let text = t.app().settings_editor().unwrap().text();
        let line = text
            .lines()
            .find(|l| l.starts_with("listen = "))
            .unwrap()
            .to_string();
        text.replace(&line, &format!("listen = \"{addr}\""))
    };
    // The editor at 80x24.
    t.key(KeyCode::Char('B')).await;
    insta::assert_snapshot!("backend_settings_80x24", t.screen());
    let text = app_port(&t, first);
    t.rt.handle_event(Event::Key(KeyEvent::new(
        KeyCode::Char('a'),
        KeyModifiers::ALT,
    )));
    t.rt.handle_event(Event::Paste(text.replace(
        "type = \"echo\"",
        "type = \"canned\"\nstatus = 202\nbody = '{\"from\": \"canned\"}'",
    )));
    let (k, m) = ctrl_key('s');
    t.key_mod(k, m).await;
    let screen = t.screen();
    assert!(
        screen.contains("Applied: backend echo → canned · listen"),
        "{screen}"
    );
    // The MOCK method never calls a backend; the listen address is the pane's last line.
    assert_eq!(t.app().listen().addr(), first);

    // Serve there, then move.
    t.key(KeyCode::Char('L')).await;
    assert_eq!(
        t.app().listen().state(),
        gatebench::app::listen::Listening::On { addr: first }
    );
    let second = free();
    t.key(KeyCode::Char('B')).await;
    let text = app_port(&t, second);
    t.rt.handle_event(Event::Key(KeyEvent::new(
        KeyCode::Char('a'),
        KeyModifiers::ALT,
    )));
    t.rt.handle_event(Event::Paste(text));
    t.key_mod(k, m).await;
    assert_eq!(
        t.app().listen().state(),
        gatebench::app::listen::Listening::On { addr: second },
        "{:?}",
        t.app().status()
    );
    let client = reqwest::Client::new();
    let res = client
        .post(format!("http://{second}/dev/pets/42"))
        .header("content-type", "application/json")
        .body(r#"{"name": "Ada"}"#)
        .send()
        .await
        .expect("the new port answers");
    assert_eq!(res.status(), 200);
    assert!(
        client
            .get(format!("http://{first}/dev/pets/42"))
            .send()
            .await
            .is_err(),
        "the old port is closed"
    );

    // A port in use: said, and the workbench goes on.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_addr = taken.local_addr().unwrap();
    t.key(KeyCode::Char('B')).await;
    let text = app_port(&t, taken_addr);
    t.rt.handle_event(Event::Key(KeyEvent::new(
        KeyCode::Char('a'),
        KeyModifiers::ALT,
    )));
    t.rt.handle_event(Event::Paste(text));
    t.key_mod(k, m).await;
    assert_eq!(
        t.app().listen().state(),
        gatebench::app::listen::Listening::Off
    );
    let screen = t.screen();
    assert!(
        screen.contains(&format!("cannot listen on {taken_addr}")),
        "{screen}"
    );
    drop(taken);

    // Saved with the session, keeping the file's layout.
    t.key_mod(k, m).await;
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(
        saved.contains(&format!("listen = \"{taken_addr}\"")),
        "{saved}"
    );
    assert!(saved.contains("type = \"canned\""), "{saved}");
    let original = std::fs::read_to_string(fixture("mock.toml")).unwrap();
    let first_comment = original.lines().find(|l| l.starts_with('#'));
    if let Some(c) = first_comment {
        assert!(saved.contains(c), "comments stay: {c}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
