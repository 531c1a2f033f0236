//! End to end under tmux, the newcomer's review of the workbench: one test per bug it found,
//! at 80x24 and 60x16 (the sizes where the layout matters), each waiting on screen content,
//! never on time. The table of every bug and the test that covers it is `tests/README-tmux.md`.
//!
//! Needs tmux: without it the tests fail saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::tmux::{Launch, Tmux, fixture_text};

/// The workbench at `size` on a copy of the fixture `fixture`, once its first frame is on
/// screen.
fn open(tag: &str, fixture: &str, size: (u16, u16)) -> Option<Tmux> {
    let launch = Launch::new(format!("nc-{tag}-{}x{}", size.0, size.1), size);
    let file = launch.fixture(fixture);
    let tmux = Tmux::start(&launch.session(file))?;
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    Some(tmux)
}

/// The workbench at `size` on `text` (a session file written in its folder, its path
/// returned), with `args` before it, once its first frame is on screen.
fn open_text(tag: &str, text: &str, size: (u16, u16), args: &[&str]) -> Option<(Tmux, PathBuf)> {
    let launch = Launch::new(format!("nc-{tag}-{}x{}", size.0, size.1), size);
    let file = launch.file("session.toml", text);
    let tmux = Tmux::start(&launch.session(&file).args(args))?;
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    Some((tmux, file))
}

/// The MOCK fixture with its request template replaced by `template` (a TOML basic string's
/// contents).
fn mock_with_template(template: &str) -> String {
    let s = fixture_text("mock.toml");
    let start = s
        .find("\"application/json\" = \"\"\"\n## A MOCK")
        .expect("the template");
    let end = s[start + 30..].find("\"\"\"").expect("its end") + start + 33;
    format!(
        "{}\"application/json\" = \"{template}\"{}",
        &s[..start],
        &s[end..]
    )
}

/// The request template of the MOCK fixture's POST method, as saved in `path`.
fn request_template(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let session: toml::Table = toml::from_str(&text).unwrap();
    session["api"]["resources"][0]["methods"]["POST"]["integration"]["requestTemplates"]
        ["application/json"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A loopback port nothing listens on (bound, then closed).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// POST `/dev/pets/{pet}` to the workbench's server from a thread of its own (the answer may
/// wait at a breakpoint): the answer's status line, or what went wrong.
fn post_pet(addr: SocketAddr, pet: &str) -> std::thread::JoinHandle<String> {
    let pet = pet.to_string();
    std::thread::spawn(move || {
        let body = r#"{"name": "Ada"}"#;
        let Ok(mut stream) = TcpStream::connect(addr) else {
            return "no connection".to_string();
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(40)));
        let _ = write!(
            stream,
            "POST /dev/pets/{pet} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.lines().next().unwrap_or("no answer").to_string()
    })
}

/// The workbench serving `text` on a free loopback port from the start: the harness and the
/// address, once it listens.
fn serving(tag: &str, text: &str, size: (u16, u16)) -> Option<(Tmux, SocketAddr)> {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().unwrap();
    let (tmux, _) = open_text(tag, text, size, &["--listen", &addr.to_string()])?;
    tmux.wait_for("listening", |s| s.contains(&format!("● {addr}")));
    Some((tmux, addr))
}

/// The HTTP fixture calling a loopback port nothing listens on, with the HTTP backend.
fn dead_backend() -> String {
    fixture_text("http.toml")
        .replace(
            "http://notes.internal.example/api/users/{id}/notes",
            &format!("http://127.0.0.1:{}/api/users/{{id}}/notes", free_port()),
        )
        .replace("type = \"echo\"", "type = \"http\"")
}

/// The status bar (the screen's last non-empty row).
fn status_bar(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
}

/// The stage strip's explanation row (the second): it starts with the current stage.
fn stage_row(screen: &str) -> &str {
    screen.lines().nth(1).unwrap_or_default()
}

/// Esc and `n` sent in one `send-keys` call arrive together (as Alt+n when the terminal reads
/// both bytes at once): the editor is left, and `n` steps to the next stage.
fn esc_then_n_typed_fast(size: (u16, u16)) {
    let Some(tmux) = open("escn", "mock.toml", size) else {
        return;
    };
    tmux.keys(&["i"]);
    tmux.wait_for("edit mode", |s| s.contains("EDIT"));
    tmux.type_text("##fast");
    tmux.wait_for("the typing", |s| s.contains("##fast"));
    tmux.keys(&["Escape", "n"]);
    let screen = tmux.wait_for("normal mode and the next stage", |s| {
        s.contains("NORMAL") && stage_row(s).starts_with("authorization:")
    });
    assert!(!screen.contains("##fastn"), "n was not typed:\n{screen}");
    assert!(!status_bar(&screen).contains("Stopped at Esc"), "{screen}");
    tmux.quit();
}

#[test]
fn esc_then_n_typed_fast_leaves_the_editor_and_steps_at_80x24() {
    esc_then_n_typed_fast((80, 24));
}

#[test]
fn esc_then_n_typed_fast_leaves_the_editor_and_steps_at_60x16() {
    esc_then_n_typed_fast((60, 16));
}

/// Whether a captured row (`capture-pane -e`) draws something underlined.
fn underlined(row: &str) -> bool {
    row.contains("\u{1b}[4m") || row.contains(";4m") || row.contains("[4;") || row.contains(";4;")
}

/// The rows (with their colours) of the template lines `{"statusCode": ...}` on screen.
fn template_match_rows(tmux: &Tmux) -> Vec<String> {
    let plain = tmux.capture();
    let coloured = tmux.capture_with(true);
    let wanted: Vec<usize> = plain
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("{\"statusCode\": "))
        .map(|(i, _)| i)
        .collect();
    coloured
        .lines()
        .enumerate()
        .filter(|(i, _)| wanted.contains(i))
        .map(|(_, l)| l.to_string())
        .collect()
}

/// `/` in the template marks every match (underlined, the current one bold as well), shows
/// which of how many in the prompt, `n` and `N` move, and Esc takes the marks away.
fn the_search_marks_every_match(size: (u16, u16)) {
    let Some(tmux) = open("marks", "mock.toml", size) else {
        return;
    };
    tmux.keys(&["/"]);
    tmux.wait_for("the search prompt", |s| s.contains("SEARCH"));
    tmux.type_text("statuscode");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the count in the prompt", |s| {
        status_bar(s).contains("/statuscode 1/2")
    });
    let rows = template_match_rows(&tmux);
    assert!(!rows.is_empty(), "{}", tmux.capture());
    assert!(
        rows.iter().all(|r| underlined(r)),
        "every match marked: {rows:?}"
    );
    tmux.keys(&["n"]);
    tmux.wait_for("the second match", |s| {
        status_bar(s).contains("/statuscode 2/2")
    });
    tmux.keys(&["N"]);
    tmux.wait_for("back to the first", |s| {
        status_bar(s).contains("/statuscode 1/2")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the search ended", |s| s.contains("NORMAL"));
    let rows = template_match_rows(&tmux);
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| !underlined(r)),
        "no marks left: {rows:?}"
    );
    tmux.quit();
}

#[test]
fn the_search_marks_every_match_and_n_moves_at_80x24() {
    the_search_marks_every_match((80, 24));
}

#[test]
fn the_search_marks_every_match_and_n_moves_at_60x16() {
    the_search_marks_every_match((60, 16));
}

/// `w` stops wrapping the focused pane (its title says `nowrap`), → scrolls it sideways, and
/// `w` wraps it again.
fn the_wrap_toggle(size: (u16, u16)) {
    let Some(tmux) = open("wrap", "mock.toml", size) else {
        return;
    };
    // Template → Rendered → Backend → Client response → Log.
    tmux.keys(&["Tab", "Tab", "Tab", "Tab"]);
    tmux.wait_for("the Log pane focused", |s| s.contains("▶ Log"));
    tmux.keys(&["w"]);
    tmux.wait_for("nowrap in its title", |s| s.contains("▶ Log nowrap"));
    tmux.keys(&["Right"]);
    tmux.wait_for("scrolled sideways", |s| s.contains("▶ Log nowrap ←8"));
    tmux.keys(&["Left"]);
    tmux.wait_for("back", |s| s.contains("▶ Log nowrap ━"));
    tmux.keys(&["w"]);
    let screen = tmux.wait_for("wrapping again", |s| {
        s.contains("▶ Log ━") && status_bar(s).contains("long lines wrap")
    });
    assert!(!screen.contains("nowrap"), "{screen}");
    tmux.quit();
}

#[test]
fn the_wrap_key_turns_wrapping_off_per_pane_at_80x24() {
    the_wrap_toggle((80, 24));
}

#[test]
fn the_wrap_key_turns_wrapping_off_per_pane_at_60x16() {
    the_wrap_toggle((60, 16));
}

/// A backend applied with `B` is undone from the panes with Ctrl-z (and redone with
/// Ctrl-r), the status bar saying what.
fn the_settings_editor_is_undone(size: (u16, u16)) {
    let Some(tmux) = open("undo-b", "mock.toml", size) else {
        return;
    };
    // The Integration pane names the backend.
    tmux.keys(&["BTab"]);
    tmux.wait_for("the Integration pane", |s| s.contains("▶ Integration"));
    tmux.keys(&["B"]);
    tmux.wait_for("the settings editor", |s| {
        s.contains("Settings of the session")
    });
    tmux.keys(&["M-a"]);
    tmux.paste("listen = \"127.0.0.1:8080\"\n[backend]\ntype = \"canned\"\nstatus = 202\n");
    tmux.keys(&["C-s"]);
    tmux.wait_for("applied", |s| {
        status_bar(s).contains("Applied: backend echo")
    });
    tmux.keys(&["G"]);
    tmux.wait_for("the canned backend shown", |s| s.contains("canned answer"));
    tmux.keys(&["C-z"]);
    let screen = tmux.wait_for("undone", |s| {
        status_bar(s).contains("Undid the session's settings")
    });
    assert!(
        !screen.contains("[+]"),
        "back as the file has it:\n{screen}"
    );
    tmux.keys(&["G"]);
    tmux.wait_for("the echo backend shown again", |s| {
        !s.contains("canned answer")
    });
    tmux.keys(&["C-r"]);
    tmux.wait_for("redone", |s| {
        status_bar(s).contains("Redid the session's settings")
    });
    tmux.quit();
}

#[test]
fn an_applied_backend_is_undone_with_ctrl_z_at_80x24() {
    the_settings_editor_is_undone((80, 24));
}

#[test]
fn an_applied_backend_is_undone_with_ctrl_z_at_60x16() {
    the_settings_editor_is_undone((60, 16));
}

/// `/x` Enter, Esc, `i` and a letter: the letter goes in at the match, replacing nothing;
/// Ctrl-Home then goes to the very start of the text (not the column it was in).
fn a_letter_after_a_search_is_inserted(size: (u16, u16)) {
    let launch = Launch::new(format!("nc-letter-{}x{}", size.0, size.1), size);
    let file = launch.fixture("mock.toml");
    let original = request_template(&file);
    let Some(tmux) = Tmux::start(&launch.session(&file)) else {
        return;
    };
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    tmux.keys(&["/"]);
    tmux.wait_for("the search prompt", |s| s.contains("SEARCH"));
    tmux.type_text("statusCode");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the match", |s| status_bar(s).contains("1/2"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("the search ended", |s| s.contains("NORMAL"));
    tmux.keys(&["i"]);
    tmux.wait_for("edit mode", |s| s.contains("EDIT"));
    tmux.type_text("Q");
    tmux.wait_for("the letter", |s| s.contains("QstatusCode"));
    tmux.keys(&["C-Home"]);
    tmux.type_text("S");
    tmux.keys(&["C-s"]);
    tmux.wait_for("the save", |s| status_bar(s).contains("Saved"));
    let saved = request_template(&file);
    assert_eq!(
        saved,
        format!("S{}", original.replacen("statusCode", "QstatusCode", 1)),
        "nothing replaced, S at the very start"
    );
    tmux.quit();
}

#[test]
fn a_letter_after_a_search_is_inserted_not_replacing_at_80x24() {
    a_letter_after_a_search_is_inserted((80, 24));
}

#[test]
fn a_letter_after_a_search_is_inserted_not_replacing_at_60x16() {
    a_letter_after_a_search_is_inserted((60, 16));
}

/// Undo takes back a word at a time, not a character.
fn undo_takes_back_words(size: (u16, u16)) {
    let Some(tmux) = open("words", "mock.toml", size) else {
        return;
    };
    let first_line = |s: &str| {
        s.lines()
            .find(|l| l.contains(" 1 "))
            .unwrap_or_default()
            .to_string()
    };
    tmux.keys(&["i"]);
    tmux.wait_for("edit mode", |s| s.contains("EDIT"));
    // Typed a key at a time, as a person types (a burst read at once is one step anyway).
    let typed = "alpha beta gamma";
    for (i, c) in typed.char_indices() {
        tmux.type_text(&c.to_string());
        let so_far = &typed[..=i];
        tmux.wait_for("the key", |s| first_line(s).contains(so_far));
    }
    tmux.keys(&["C-z"]);
    tmux.wait_for("one word undone", |s| {
        first_line(s).contains("alpha beta ") && !first_line(s).contains("gamma")
    });
    tmux.keys(&["C-z"]);
    tmux.wait_for("two words undone", |s| {
        first_line(s).contains("alpha ") && !first_line(s).contains("beta")
    });
    tmux.keys(&["C-z"]);
    tmux.wait_for("all undone", |s| !first_line(s).contains("alpha"));
    tmux.keys(&["Escape"]);
    tmux.quit();
}

#[test]
fn undo_takes_back_a_word_at_a_time_at_80x24() {
    undo_takes_back_words((80, 24));
}

#[test]
fn undo_takes_back_a_word_at_a_time_at_60x16() {
    undo_takes_back_words((60, 16));
}

/// Saving after an edit keeps the file as written: comments, inline tables and layout stay,
/// only the edited line changes.
fn saving_keeps_the_file_as_written(size: (u16, u16)) {
    let text = fixture_text("mock.toml")
        .replacen(
            "version = 1",
            "# My pets API, by hand.\nversion = 1   # the format",
            1,
        )
        .replace("[api]\n", "[api]\n# the stage is in every path\n");
    let Some((tmux, file)) = open_text("layout", &text, size, &[]) else {
        return;
    };
    tmux.keys(&["i"]);
    tmux.wait_for("edit mode", |s| s.contains("EDIT"));
    tmux.type_text("##x");
    tmux.wait_for("the typing", |s| s.contains("##x"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("normal mode", |s| s.contains("NORMAL") && s.contains("[+]"));
    tmux.keys(&["C-s"]);
    tmux.wait_for("the save", |s| {
        status_bar(s).contains("Saved") && !s.contains("[+]")
    });
    let saved = std::fs::read_to_string(&file).unwrap();
    let (before, after): (Vec<&str>, Vec<&str>) = (text.lines().collect(), saved.lines().collect());
    assert_eq!(
        before.len(),
        after.len(),
        "no lines added or dropped:\n{saved}"
    );
    let changed: Vec<(&&str, &&str)> = before.iter().zip(&after).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 1, "only the edited line: {changed:?}");
    assert!(changed[0].1.starts_with("##x"), "{changed:?}");
    for kept in [
        "# My pets API, by hand.",
        "version = 1   # the format",
        "# the stage is in every path",
        "requestParameters = { \"method.request.path.petId\" = true }",
    ] {
        assert!(saved.contains(kept), "{kept:?} kept:\n{saved}");
    }
    tmux.quit();
}

#[test]
fn saving_keeps_comments_and_layout_at_80x24() {
    saving_keeps_the_file_as_written((80, 24));
}

#[test]
fn saving_keeps_comments_and_layout_at_60x16() {
    saving_keeps_the_file_as_written((60, 16));
}

/// A dead backend: the Backend pane leads with an "endpoint error" section that says why.
fn the_backend_pane_says_why_the_call_failed(size: (u16, u16)) {
    let Some((tmux, _)) = open_text("dead-backend", &dead_backend(), size, &[]) else {
        return;
    };
    tmux.keys(&["s"]);
    tmux.wait_for("the call's end", |s| {
        status_bar(s).contains("Client got 504")
    });
    // Template → Rendered → Backend, zoomed.
    tmux.keys(&["Tab", "Tab", "z"]);
    let screen = tmux.wait_for("the endpoint error", |s| {
        s.contains("▶ Backend") && s.contains("endpoint error")
    });
    assert!(
        screen.to_lowercase().contains("connection refused"),
        "{screen}"
    );
    tmux.quit();
}

#[test]
fn the_backend_pane_has_an_endpoint_error_section_at_80x24() {
    the_backend_pane_says_why_the_call_failed((80, 24));
}

#[test]
fn the_backend_pane_has_an_endpoint_error_section_at_60x16() {
    the_backend_pane_says_why_the_call_failed((60, 16));
}

/// The stage strip names every stage, the last one too; at 80x24 the right column is wide
/// enough to read a reason (40 columns).
fn the_strip_and_the_right_column(size: (u16, u16)) {
    let Some(tmux) = open("strip", "mock.toml", size) else {
        return;
    };
    let screen = tmux.capture();
    let strip = screen.lines().next().unwrap_or_default();
    for stage in ["route", "m.req", "i.req", "backend", "i.resp", "m.resp"] {
        assert!(strip.contains(stage), "{stage} in {strip:?}");
    }
    // The right column: from the stacked pane's left corner to the screen's edge.
    let row = screen
        .lines()
        .find(|l| l.contains("╭ Request"))
        .expect("the Request pane in the right column");
    let chars: Vec<char> = row.chars().collect();
    let left = chars.iter().rposition(|c| *c == '╭').unwrap();
    let width = chars.len() - left;
    let want = if size.0 >= 80 { 40 } else { 30 };
    assert!(
        width >= want,
        "the right column is {width} wide at {size:?}:\n{screen}"
    );
    tmux.quit();
}

#[test]
fn the_strip_keeps_every_stage_and_the_right_column_is_readable_at_80x24() {
    the_strip_and_the_right_column((80, 24));
}

#[test]
fn the_strip_keeps_every_stage_and_the_right_column_is_readable_at_60x16() {
    the_strip_and_the_right_column((60, 16));
}

/// A request paused at the breakpoint whose integration timeout runs out: the client gets
/// the gateway's 504, and the panes say so (nothing says the client still waits).
fn a_breakpoint_timeout_ends_the_pause(size: (u16, u16)) {
    let text = fixture_text("mock.toml").replacen(
        "passthroughBehavior = \"WHEN_NO_MATCH\"",
        "passthroughBehavior = \"WHEN_NO_MATCH\"\ntimeoutInMillis = 1500",
        1,
    );
    let Some((tmux, addr)) = serving("bp-timeout", &text, size) else {
        return;
    };
    tmux.keys(&["b"]);
    tmux.wait_for("the breakpoint", |s| s.contains("⏸ break"));
    let client = post_pet(addr, "42");
    tmux.wait_for("the pause", |s| s.contains("⏸ 1 paused"));
    let screen = tmux.wait_for("the timeout's answer", |s| {
        s.contains("INTEGRATION_TIMEOUT") && !s.contains("⏸ 1 paused")
    });
    assert!(!screen.contains("client is waiting"), "{screen}");
    assert!(!screen.contains("paused #"), "{screen}");
    assert!(
        client.join().unwrap().contains(" 504"),
        "the client got 504"
    );
    tmux.quit();
}

#[test]
fn a_breakpoint_timeout_ends_the_pause_on_screen_at_80x24() {
    a_breakpoint_timeout_ends_the_pause((80, 24));
}

#[test]
fn a_breakpoint_timeout_ends_the_pause_on_screen_at_60x16() {
    a_breakpoint_timeout_ends_the_pause((60, 16));
}

/// Stopping the server lets a paused request go: its title no longer says paused.
fn stopping_the_server_lets_the_pause_go(size: (u16, u16)) {
    let Some((tmux, addr)) = serving("bp-stop", &fixture_text("mock.toml"), size) else {
        return;
    };
    tmux.keys(&["b"]);
    tmux.wait_for("the breakpoint", |s| s.contains("⏸ break"));
    let client = post_pet(addr, "42");
    tmux.wait_for("the pause", |s| s.contains("⏸ 1 paused"));
    // The Request pane (Template → Integration → Request) says which request is shown.
    tmux.keys(&["BTab", "BTab"]);
    tmux.wait_for("the paused request's title", |s| s.contains("paused #1"));
    tmux.keys(&["L"]);
    // Let go: shown as such, or already with the answer the server sent before closing.
    tmux.wait_for("the server stopped", |s| {
        !s.contains(&format!("● {addr}"))
            && !s.contains("paused #1")
            && (s.contains("let go #1") || s.contains("served #1"))
    });
    let _ = client.join();
    tmux.quit();
}

#[test]
fn stopping_the_server_ends_the_paused_title_at_80x24() {
    stopping_the_server_lets_the_pause_go((80, 24));
}

#[test]
fn stopping_the_server_ends_the_paused_title_at_60x16() {
    stopping_the_server_lets_the_pause_go((60, 16));
}

/// A served 404 shown from the list shows the response template the gateway picked for it,
/// not the 200 one picked by hand before.
fn a_served_404_shows_its_own_template(size: (u16, u16)) {
    let Some((tmux, addr)) = serving("served-404", &fixture_text("mock.toml"), size) else {
        return;
    };
    tmux.keys(&["]"]);
    tmux.wait_for("the 200 response template", |s| {
        s.contains("Template response 200")
    });
    assert!(post_pet(addr, "0").join().unwrap().contains(" 404"));
    tmux.wait_for("the served request", |s| {
        s.contains(&format!("● {addr} (1)"))
    });
    tmux.keys(&["l"]);
    tmux.wait_for("the served requests", |s| s.contains(" 404 "));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the 404 shown", |s| {
        s.contains("Client response 404") && s.contains("Template response 404")
    });
    assert!(!screen.contains("Template response 200"), "{screen}");
    tmux.quit();
}

#[test]
fn a_served_404_shows_the_template_the_gateway_picked_at_80x24() {
    a_served_404_shows_its_own_template((80, 24));
}

#[test]
fn a_served_404_shows_the_template_the_gateway_picked_at_60x16() {
    a_served_404_shows_its_own_template((60, 16));
}

/// At a pause (before the endpoint), the strip and the Template pane agree: the integration
/// request and its template, even when a response template was selected before.
fn a_pause_shows_the_request_side(size: (u16, u16)) {
    let Some((tmux, addr)) = serving("bp-side", &fixture_text("mock.toml"), size) else {
        return;
    };
    tmux.keys(&["]"]);
    tmux.wait_for("a response template", |s| {
        s.contains("Template response 200")
    });
    tmux.keys(&["b"]);
    tmux.wait_for("the breakpoint", |s| s.contains("⏸ break"));
    let client = post_pet(addr, "42");
    let screen = tmux.wait_for("the pause", |s| {
        s.contains("⏸ 1 paused") && s.contains("Template request")
    });
    assert!(
        stage_row(&screen).starts_with("integration request:"),
        "{screen}"
    );
    assert!(!screen.contains("Template response"), "{screen}");
    tmux.keys(&["R"]);
    tmux.wait_for("resumed", |s| !s.contains("⏸ 1 paused"));
    assert!(client.join().unwrap().contains(" 200"));
    tmux.quit();
}

#[test]
fn a_pause_shows_the_integration_request_and_its_template_at_80x24() {
    a_pause_shows_the_request_side((80, 24));
}

#[test]
fn a_pause_shows_the_integration_request_and_its_template_at_60x16() {
    a_pause_shows_the_request_side((60, 16));
}

/// A MOCK with a large body calls no backend: the Backend pane never says "calling…".
fn a_mock_never_says_calling(size: (u16, u16)) {
    let big = format!(
        "{{\"name\": \"Rex\", \"pad\": \"{}\"}}",
        "x".repeat(400_000)
    );
    let text = fixture_text("mock.toml").replacen(
        r#"body = '{"name": "Rex", "toys": ["ball", "rope"]}'"#,
        &format!("body = '{big}'"),
        1,
    );
    let Some((tmux, _)) = open_text("mock-calling", &text, size, &[]) else {
        return;
    };
    // Template → Rendered → Backend.
    tmux.keys(&["Tab", "Tab"]);
    tmux.wait_for("the Backend pane", |s| s.contains("▶ Backend"));
    tmux.keys(&["s"]);
    // Every screen read until the answer: none says calling.
    let said = std::cell::Cell::new(false);
    let end = tmux.wait_for("the answer", |s| {
        said.set(said.get() || s.contains("calling"));
        status_bar(s).contains("Client got 200")
    });
    assert!(!said.get(), "a MOCK said calling…:\n{end}");
    tmux.quit();
}

#[test]
fn a_mock_with_a_large_body_never_says_calling_at_80x24() {
    a_mock_never_says_calling((80, 24));
}

#[test]
fn a_mock_with_a_large_body_never_says_calling_at_60x16() {
    a_mock_never_says_calling((60, 16));
}

/// A shipped session's text.
fn shipped(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sessions")
            .join(name),
    )
    .unwrap()
}

/// `t` to a proxy type: the Template pane says the proxy ignores templates (no
/// passthroughBehavior talk, which does not apply to proxies).
fn a_proxy_ignores_templates(size: (u16, u16)) {
    let Some((tmux, _)) = open_text("proxy", &shipped("aws-lambda.toml"), size, &[]) else {
        return;
    };
    tmux.keys(&["t"]);
    let screen = tmux.wait_for("AWS_PROXY", |s| s.contains("AWS_PROXY:"));
    assert!(screen.contains("AWS_PROXY ignores templ"), "{screen}");
    assert!(!screen.contains("passthroughBehavior"), "{screen}");
    assert!(!screen.contains("415"), "{screen}");
    tmux.quit();
}

#[test]
fn t_to_a_proxy_says_templates_are_ignored_at_80x24() {
    a_proxy_ignores_templates((80, 24));
}

#[test]
fn t_to_a_proxy_says_templates_are_ignored_at_60x16() {
    a_proxy_ignores_templates((60, 16));
}

/// The `●` stage markers move with `n`, and the help explains them (at its end).
fn the_markers_are_explained(size: (u16, u16)) {
    let Some(tmux) = open("markers", "mock.toml", size) else {
        return;
    };
    assert!(tmux.capture().contains("create a pet ●"));
    tmux.keys(&["n", "n", "n"]);
    tmux.wait_for("the integration request stage", |s| {
        stage_row(s).starts_with("integration request:")
    });
    tmux.keys(&["?"]);
    tmux.wait_for("the help", |s| s.contains("Keys"));
    tmux.keys(&["G"]);
    let screen = tmux.wait_for("the end of the help", |s| s.contains("the wheel scrolls"));
    let help: String = screen
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '┃' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains("are marked ● in their titles"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.quit();
}

#[test]
fn the_stage_markers_are_explained_at_80x24() {
    the_markers_are_explained((80, 24));
}

#[test]
fn the_stage_markers_are_explained_at_60x16() {
    the_markers_are_explained((60, 16));
}

/// http.toml opens clean (no "not valid JSON" its explanation never mentions): its template
/// escapes for JSON, and the session's explanation (in the Integration pane) says why the
/// `.replaceAll` is there and what its absence shows; `/` finds it there.
fn http_explains_its_invalid_json(size: (u16, u16)) {
    let Some((tmux, _)) = open_text("http-json", &shipped("http.toml"), size, &[]) else {
        return;
    };
    let first = tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    assert!(!first.contains("not valid JSON"), "{first}");
    tmux.keys(&["BTab"]);
    tmux.wait_for("the Integration pane", |s| s.contains("▶ Integration"));
    tmux.keys(&["/"]);
    tmux.type_text("escapeJavaScript");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the explanation", |s| status_bar(s).contains("match 1 of"));
    let integration: String = screen
        .lines()
        .filter_map(|l| l.split('┃').nth(1))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(integration.contains("escapeJavaScript"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.quit();
}

#[test]
fn http_toml_explains_its_invalid_json_on_screen_at_80x24() {
    http_explains_its_invalid_json((80, 24));
}

#[test]
fn http_toml_explains_its_invalid_json_on_screen_at_60x16() {
    http_explains_its_invalid_json((60, 16));
}

/// Focus the Rendered pane and zoom it: the screen once `what` is on it.
fn rendered_zoomed(tmux: &Tmux, what: &str) -> String {
    tmux.keys(&["Tab"]);
    tmux.wait_for("the Rendered pane", |s| s.contains("▶ Rendered"));
    tmux.keys(&["z"]);
    // Zoomed: the narrow layout's tab bar is gone.
    tmux.wait_for(what, |s| {
        s.contains("▶ Rendered") && !s.contains("Req  Int") && s.contains(what)
    })
}

/// A `#foreach` cut at 1000 iterations says so.
fn the_foreach_cap_is_said(size: (u16, u16)) {
    let text = mock_with_template("#foreach($i in [1..1500])$i,#end");
    let Some((tmux, _)) = open_text("foreach", &text, size, &[]) else {
        return;
    };
    let screen = rendered_zoomed(&tmux, "output cut: #foreach at line 1");
    assert!(screen.contains("⚠ cut"), "{screen}");
    tmux.quit();
}

#[test]
fn a_foreach_cut_at_1000_iterations_is_said_at_80x24() {
    the_foreach_cap_is_said((80, 24));
}

#[test]
fn a_foreach_cut_at_1000_iterations_is_said_at_60x16() {
    the_foreach_cap_is_said((60, 16));
}

/// A response template rendered after a failed endpoint call says it had an empty body to
/// work with, rather than looking like a template bug.
fn an_empty_body_is_said(size: (u16, u16)) {
    let Some((tmux, _)) = open_text("empty-body", &dead_backend(), size, &[]) else {
        return;
    };
    tmux.keys(&["s"]);
    tmux.wait_for("the call's end", |s| {
        status_bar(s).contains("Client got 504")
    });
    tmux.keys(&["]"]);
    tmux.wait_for("the response template", |s| s.contains("Template response"));
    let screen = rendered_zoomed(&tmux, "rendered against an empty body");
    assert!(!screen.contains("✗ not valid JSON"), "{screen}");
    tmux.quit();
}

#[test]
fn a_response_template_after_a_failed_call_says_empty_body_at_80x24() {
    an_empty_body_is_said((80, 24));
}

#[test]
fn a_response_template_after_a_failed_call_says_empty_body_at_60x16() {
    an_empty_body_is_said((60, 16));
}

/// The screen's text with borders and spaces taken out (a wrapped message reads whole).
fn squeezed(screen: &str) -> String {
    screen
        .chars()
        .filter(|c| !c.is_whitespace() && !"┃│".contains(*c))
        .collect()
}

/// Parse errors point at the construct left open: an `#if` without its `#end`, a `(`
/// without its `)` (and say nothing of expressions in arguments).
fn parse_errors_point_at_the_open_construct(size: (u16, u16)) {
    let text = mock_with_template(r"x\n#if($a)\nyes\n\nmore text\n");
    let Some((tmux, _)) = open_text("no-end", &text, size, &[]) else {
        return;
    };
    let screen = rendered_zoomed(&tmux, "is missing");
    assert!(
        squeezed(&screen).contains("✗2:1:#ifatline2,column1ismissingits#end"),
        "{screen}"
    );
    tmux.quit();
    let text = mock_with_template(r"$input.path('$.a'");
    let Some((tmux, _)) = open_text("no-paren", &text, size, &[]) else {
        return;
    };
    let screen = rendered_zoomed(&tmux, "missing ')'");
    let text = squeezed(&screen);
    assert!(
        text.contains("missing')'toclosethemethodcall`path(`openedatline1,column12"),
        "{screen}"
    );
    assert!(!text.contains("expressions"), "{screen}");
    tmux.quit();
}

#[test]
fn parse_errors_point_at_the_open_construct_at_80x24() {
    parse_errors_point_at_the_open_construct((80, 24));
}

#[test]
fn parse_errors_point_at_the_open_construct_at_60x16() {
    parse_errors_point_at_the_open_construct((60, 16));
}

/// A paste the terminal sends as keys (no bracketed paste) is typed at once, however long,
/// and an Esc inside one stops it (the rest is not read as commands).
fn a_paste_as_keys(size: (u16, u16)) {
    let Some(tmux) = open("paste-keys", "mock.toml", size) else {
        return;
    };
    tmux.keys(&["i"]);
    tmux.wait_for("edit mode", |s| s.contains("EDIT"));
    // 20 KB of lines, then a marker the editor shows at its cursor.
    let lines: Vec<String> = (0..480)
        .map(|i| format!("## line {i} of a paste, with some words"))
        .collect();
    tmux.paste_as_keys(&format!("{}\nEND-OF-PASTE", lines.join("\n")));
    tmux.wait_for("the whole paste", |s| s.contains("OF-PASTE"));
    tmux.keys(&["C-Home", "Enter", "Up"]);
    // ESC inside the keys (tmux sends it as it is): typing stops there, q does not quit.
    tmux.type_text("##kept\u{1b}q and dropped");
    let screen = tmux.wait_for("the stop at Esc", |s| {
        status_bar(s).contains("Stopped at Esc")
    });
    assert!(screen.contains("##kept"), "{screen}");
    assert!(!screen.contains("dropped"), "{screen}");
    assert!(screen.contains("NORMAL"), "{screen}");
    assert!(!screen.contains("GATEBENCH_EXIT"), "{screen}");
    tmux.quit();
}

#[test]
fn a_long_paste_as_keys_is_typed_and_esc_stops_one_at_80x24() {
    a_paste_as_keys((80, 24));
}

#[test]
fn a_long_paste_as_keys_is_typed_and_esc_stops_one_at_60x16() {
    a_paste_as_keys((60, 16));
}

/// The search prompt starts empty (not with the last query) and Ctrl-u clears what is typed.
fn the_prompt_starts_empty(size: (u16, u16)) {
    let Some(tmux) = open("prompt", "mock.toml", size) else {
        return;
    };
    tmux.keys(&["/"]);
    tmux.type_text("zzq");
    tmux.wait_for("the query", |s| status_bar(s).contains("/zzq"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("closed", |s| s.contains("NORMAL"));
    tmux.keys(&["/"]);
    let screen = tmux.wait_for("an empty prompt", |s| status_bar(s).contains("SEARCH  /▏"));
    assert!(!status_bar(&screen).contains("zzq"), "{screen}");
    tmux.type_text("abc");
    tmux.wait_for("typed", |s| status_bar(s).contains("/abc"));
    tmux.keys(&["C-u"]);
    tmux.wait_for("cleared", |s| status_bar(s).contains("SEARCH  /▏"));
    tmux.keys(&["Escape"]);
    tmux.quit();
}

#[test]
fn the_search_prompt_starts_empty_and_ctrl_u_clears_it_at_80x24() {
    the_prompt_starts_empty((80, 24));
}

#[test]
fn the_search_prompt_starts_empty_and_ctrl_u_clears_it_at_60x16() {
    the_prompt_starts_empty((60, 16));
}

/// `quit = "x"` in the settings file's `[keys]` (one key, not a list) works.
fn a_key_remap_of_one_key(size: (u16, u16)) {
    let launch = Launch::new(format!("nc-remap-{}x{}", size.0, size.1), size);
    let config = launch.file("config.toml", "[keys]\nquit = \"x\"\n");
    let session = launch.fixture("mock.toml");
    let Some(tmux) = Tmux::start(&launch.session(session).config(config)) else {
        return;
    };
    let screen = tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    assert!(status_bar(&screen).contains("x quit"), "{screen}");
    assert!(!screen.contains("config.toml:"), "no error:\n{screen}");
    tmux.keys(&["x"]);
    let end = tmux.wait_for("the exit", |s| s.contains("GATEBENCH_EXIT="));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
}

#[test]
fn quit_remapped_to_one_key_works_at_80x24() {
    a_key_remap_of_one_key((80, 24));
}

#[test]
fn quit_remapped_to_one_key_works_at_60x16() {
    a_key_remap_of_one_key((60, 16));
}

/// The help overlay goes to its end with G (and End), back to its top with g (and Home).
fn the_help_scrolls_to_both_ends(size: (u16, u16)) {
    let Some(tmux) = open("help-ends", "mock.toml", size) else {
        return;
    };
    tmux.keys(&["?"]);
    tmux.wait_for("the help's top", |s| s.contains("┃Panes"));
    for (down, up) in [("G", "g"), ("End", "Home")] {
        tmux.keys(&[down]);
        tmux.wait_for("the help's end", |s| s.contains("the wheel scrolls"));
        tmux.keys(&[up]);
        tmux.wait_for("the help's top again", |s| {
            s.contains("┃Panes") && !s.contains("the wheel scrolls")
        });
    }
    tmux.keys(&["Escape"]);
    tmux.quit();
}

#[test]
fn the_help_overlay_goes_to_its_ends_at_80x24() {
    the_help_scrolls_to_both_ends((80, 24));
}

#[test]
fn the_help_overlay_goes_to_its_ends_at_60x16() {
    the_help_scrolls_to_both_ends((60, 16));
}

/// Endpoint requests carry a trace id as the gateway writes it (`Root=1-8 hex-24 hex`) and a
/// signing date of now, not a fixed one.
fn endpoint_headers_are_well_formed(size: (u16, u16)) {
    let Some((tmux, _)) = open_text("trace-id", &shipped("http.toml"), size, &[]) else {
        return;
    };
    tmux.keys(&["s"]);
    tmux.wait_for("the call's end", |s| status_bar(s).contains("Client got"));
    tmux.keys(&["Tab", "Tab", "z"]);
    let screen = tmux.wait_for("the trace id", |s| s.contains("X-Amzn-Trace-Id: Root=1-"));
    let re =
        fancy_regex::Regex::new(r"X-Amzn-Trace-Id: Root=1-[0-9a-f]{8}-[0-9a-f]{24}\b").unwrap();
    assert!(re.is_match(&screen).unwrap(), "{screen}");
    tmux.quit();
    let Some((tmux, _)) = open_text("amz-date", &shipped("aws-lambda.toml"), size, &[]) else {
        return;
    };
    tmux.keys(&["s"]);
    tmux.wait_for("the call's end", |s| status_bar(s).contains("Client got"));
    tmux.keys(&["Tab", "Tab", "z", "/"]);
    tmux.type_text("X-Amz-Date");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the date", |s| s.contains("X-Amz-Date: 2"));
    let re = fancy_regex::Regex::new(r"X-Amz-Date: (\d{8})T\d{6}Z").unwrap();
    let date = re
        .captures(&screen)
        .unwrap()
        .map(|c| c[1].to_string())
        .unwrap_or_default();
    let today = std::process::Command::new("date")
        .args(["-u", "+%Y%m%d"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    // Today's date (or yesterday's, right at midnight), never a fixed one.
    assert_ne!(date, "20240101", "{screen}");
    assert!(
        date == today || date.as_str() < today.as_str() && date.len() == 8,
        "{date} vs {today}:\n{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.quit();
}

#[test]
fn endpoint_requests_carry_a_well_formed_trace_id_and_date_at_80x24() {
    endpoint_headers_are_well_formed((80, 24));
}

#[test]
fn endpoint_requests_carry_a_well_formed_trace_id_and_date_at_60x16() {
    endpoint_headers_are_well_formed((60, 16));
}
