//! End to end, the workbench as a user drives it: the real binary in a detached tmux session
//! at 80x24 and 60x16, keys sent with `tmux send-keys`, screens awaited (never slept for).
//!
//! - the template editor: a search, then typing at the very end (Ctrl-End) keeps the text
//!   after the match, puts the typing at the end, and Ctrl-z takes it back;
//! - a dead backend (an HTTP integration calling a closed loopback port): after `r` the cause
//!   is readable on screen, without copying anything;
//! - a live call and a replay of a served request end without "Sending the request…" (or
//!   "Replaying…") left on screen;
//! - the raw/pretty toggle shows the rendered template's exact bytes.
//!
//! Needs tmux: without it the tests fail saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use common::tmux::{Launch, Tmux};

fn fixture_text(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tui_fixtures")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// A launch named `what` at `size` on a copy of `text` (a session file) in its folder.
fn on_a_copy(what: &str, size: (u16, u16), text: &str) -> (Launch, PathBuf) {
    let launch = Launch::new(format!("wb-{what}-{}x{}", size.0, size.1), size);
    let path = launch.file("session.toml", text);
    (launch.session(&path), path)
}

/// The request template (`application/json`) of a session file's POST method.
fn request_template(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let session: toml::Table = toml::from_str(&text).unwrap();
    session["api"]["resources"][0]["methods"]["POST"]["integration"]["requestTemplates"]
        ["application/json"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The status bar (the screen's last non-empty row).
fn status_bar(screen: &str) -> &str {
    screen
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
}

/// The text of the pane titled `title` (its rows joined, as a wrapped paragraph reads).
fn pane_text(screen: &str, title: &str) -> String {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let Some((top, left)) = rows.iter().enumerate().find_map(|(y, row)| {
        let line: String = row.iter().collect();
        let at = line.find(title)?;
        let x = line[..at].chars().count();
        // The pane's left border: the corner before the title.
        (0..x)
            .rev()
            .find(|&i| "╭┏".contains(row[i]))
            .map(|i| (y, i))
    }) else {
        return String::new();
    };
    let mut text = String::new();
    for row in &rows[top + 1..] {
        if row.get(left).is_none_or(|c| !"│┃".contains(*c)) {
            break;
        }
        text.extend(row[left + 1..].iter().take_while(|c| !"│┃".contains(**c)));
    }
    text
}

/// A search, then `i`, Ctrl-End and typing: the text after the match stays, the typing goes
/// at the very end, and Ctrl-z takes it back in a step or a few.
fn the_editor_types_at_the_very_end(size: (u16, u16)) {
    let (launch, path) = on_a_copy("editor", size, &fixture_text("mock.toml"));
    let original = request_template(&path);
    let Some(tmux) = Tmux::start(&launch) else {
        return;
    };
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    // Find the second "statuscode" (the search ignores case): the 200 of the #else branch.
    tmux.keys(&["/"]);
    tmux.wait_for("the search prompt", |s| s.contains("SEARCH"));
    tmux.keys(&["-l", "statuscode"]);
    tmux.wait_for("the query", |s| status_bar(s).contains("/statuscode"));
    // Which match of how many is in the prompt (the status after it is cut at 60 columns).
    tmux.keys(&["Enter"]);
    tmux.wait_for("the first match", |s| {
        status_bar(s).contains("/statuscode 1/2")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the second match", |s| {
        status_bar(s).contains("/statuscode 2/2")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("the prompt closed", |s| s.contains("NORMAL"));
    tmux.keys(&["i"]);
    tmux.wait_for("edit mode", |s| s.contains("EDIT"));
    tmux.keys(&["C-End"]);
    tmux.keys(&["-l", "ZZZ"]);
    let screen = tmux.wait_for("the typing", |s| s.contains("ZZZ"));
    // Saved, the file says where the typing went: at the very end, the rest untouched.
    tmux.keys(&["C-s"]);
    tmux.wait_for("the save", |s| status_bar(s).contains("Saved"));
    let typed = request_template(&path);
    assert_eq!(typed, format!("{original}ZZZ"), "{screen}");
    assert!(
        typed.contains("{\"statusCode\": 404}\n#else\n{\"statusCode\": 200}\n#end\n"),
        "{typed}"
    );
    // Undo: in a step or a few, the typing is gone (it is on line 11, after `#end`).
    let typed_on_11 = |s: &str| s.lines().any(|l| l.contains(" 11 Z"));
    for _ in 0..3 {
        let before = tmux.capture();
        if !typed_on_11(&before) {
            break;
        }
        tmux.keys(&["C-z"]);
        tmux.wait_for("the undo", |s| s != before);
    }
    let screen = tmux.capture();
    assert!(!typed_on_11(&screen), "{screen}");
    tmux.keys(&["C-s"]);
    tmux.wait_for("the save", |s| {
        status_bar(s).contains("Saved") && !s.contains("[+]")
    });
    assert_eq!(request_template(&path), original);
    tmux.keys(&["Escape"]);
    tmux.wait_for("normal mode", |s| s.contains("NORMAL"));
    tmux.quit();
}

#[test]
fn the_editor_types_at_the_very_end_80x24() {
    the_editor_types_at_the_very_end((80, 24));
}

#[test]
fn the_editor_types_at_the_very_end_60x16() {
    the_editor_types_at_the_very_end((60, 16));
}

/// A loopback port nothing listens on (bound, then closed).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// After `r`, a call to a dead backend says why on screen, without copying anything.
fn a_dead_backend_says_why(size: (u16, u16)) {
    let text = fixture_text("http.toml")
        .replace(
            "http://notes.internal.example/api/users/{id}/notes",
            &format!("http://127.0.0.1:{}/api/users/{{id}}/notes", closed_port()),
        )
        .replace("type = \"echo\"", "type = \"http\"");
    let (launch, _) = on_a_copy("dead", size, &text);
    let Some(tmux) = Tmux::start(&launch) else {
        return;
    };
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    tmux.keys(&["r"]);
    // The Client response pane comes forward with the cause (wrapped at the pane's width).
    let screen = tmux.wait_for("the cause of the failure", |s| {
        pane_text(s, "Client response")
            .to_lowercase()
            .contains("connection refused")
    });
    assert!(!screen.contains("Copied"), "{screen}");
    tmux.quit();
}

#[test]
fn a_dead_backend_says_why_80x24() {
    a_dead_backend_says_why((80, 24));
}

#[test]
fn a_dead_backend_says_why_60x16() {
    a_dead_backend_says_why((60, 16));
}

/// POST a pet to the workbench's server; the status line of the answer.
fn post(addr: SocketAddr) -> String {
    let body = r#"{"name": "Ada"}"#;
    let mut stream = TcpStream::connect(addr).expect("the workbench listens");
    write!(
        stream,
        "POST /dev/pets/42 HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer.lines().next().unwrap_or_default().to_string()
}

/// A live call (`s`) and a replay of a served request end with how they ended: no "Sending
/// the request…" or "Replaying…" left on screen.
fn calls_and_replays_end_their_status(size: (u16, u16)) {
    let addr: SocketAddr = format!("127.0.0.1:{}", closed_port()).parse().unwrap();
    let (launch, _) = on_a_copy("replay", size, &fixture_text("mock.toml"));
    let launch = launch.args(&["--listen", &addr.to_string()]);
    let Some(tmux) = Tmux::start(&launch) else {
        return;
    };
    tmux.wait_for("listening", |s| s.contains(&format!("● {addr}")));
    tmux.keys(&["s"]);
    let screen = tmux.wait_for("the call's outcome", |s| {
        status_bar(s).contains("Client got 200")
    });
    assert!(!screen.contains("Sending the request"), "{screen}");
    assert!(post(addr).contains("200"));
    tmux.wait_for("the served request", |s| {
        s.contains(&format!("● {addr} (1)"))
    });
    tmux.keys(&["l"]);
    tmux.wait_for("the served requests", |s| {
        s.contains("Served requests") && s.contains(" 200 ")
    });
    tmux.keys(&["r"]);
    let screen = tmux.wait_for("the replay's outcome", |s| {
        status_bar(s).contains("Replayed")
    });
    assert!(!screen.contains("Replaying"), "{screen}");
    assert!(!screen.contains("Sending the request"), "{screen}");
    tmux.quit();
}

#[test]
fn calls_and_replays_end_their_status_80x24() {
    calls_and_replays_end_their_status((80, 24));
}

#[test]
fn calls_and_replays_end_their_status_60x16() {
    calls_and_replays_end_their_status((60, 16));
}

/// `v` switches the Rendered pane between pretty JSON and the exact bytes.
fn the_raw_toggle_shows_the_bytes(size: (u16, u16)) {
    let (launch, _) = on_a_copy("raw", size, &fixture_text("mock.toml"));
    let Some(tmux) = Tmux::start(&launch) else {
        return;
    };
    let pretty = tmux.wait_for("the rendered template", |s| {
        s.contains("pretty") && s.contains("\"statusCode\": 200")
    });
    assert!(!pretty.contains("{\"statusCode\": 200}⏎"), "{pretty}");
    tmux.keys(&["v"]);
    let raw = tmux.wait_for("the exact bytes", |s| s.contains("{\"statusCode\": 200}⏎"));
    assert!(raw.contains(" raw"), "{raw}");
    tmux.keys(&["v"]);
    tmux.wait_for("pretty again", |s| {
        s.contains("pretty") && !s.contains("{\"statusCode\": 200}⏎")
    });
    tmux.quit();
}

#[test]
fn the_raw_toggle_shows_the_bytes_80x24() {
    the_raw_toggle_shows_the_bytes((80, 24));
}

#[test]
fn the_raw_toggle_shows_the_bytes_60x16() {
    the_raw_toggle_shows_the_bytes((60, 16));
}
