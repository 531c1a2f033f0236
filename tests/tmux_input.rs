//! End to end, the workbench's input: the real binary in a detached tmux session at 80x24 and
//! 60x16. A hangup (the terminal's tmux server killed, or SIGHUP) right after an edit: the
//! process is gone within seconds, the autosave copy holds the edit, and the log has no panic.
//! `<` goes back to the last saved request. `o` with unsaved edits asks, and saving first
//! writes them and opens the other session. `/` in the Integration pane finds what is below
//! its first page. `B` changes the backend and the listen address, moves a running server and
//! reports a taken port; the change is saved with the session.
//!
//! Needs tmux: without it the tests fail saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::tmux::{Launch, Tmux, wait_gone};

/// The workbench at `size` on a copy of the MOCK fixture (with a copy of the HTTP one beside
/// it, for the session picker), in the harness's folder; the harness and the copy, once the
/// first frame is on screen.
fn open(tag: &str, size: (u16, u16)) -> Option<(Tmux, PathBuf)> {
    let launch = Launch::new(format!("{tag}{}x{}", size.0, size.1), size);
    let file = launch.fixture("mock.toml");
    launch.fixture("http.toml");
    let wb = Tmux::start(&launch.session(&file))?;
    wb.wait_for("the first frame", |s| s.contains("NORMAL"));
    Some((wb, file))
}

/// Type a line at the top of the template and wait until it is on screen (read by the
/// workbench, so only the autosave's wait is left).
fn edit(wb: &Tmux, text: &str) {
    wb.keys(&["i"]);
    wb.wait_for("edit mode", |s| s.contains("EDIT"));
    wb.type_text(text);
    wb.wait_for("the typed text", |s| s.contains(text));
}

fn no_panic(wb: &Tmux) {
    let logs = wb.logs();
    assert!(!logs.to_lowercase().contains("panic"), "{logs}");
    assert!(!logs.contains("failed printing"), "{logs}");
}

fn hangup_by_killing_the_tmux_server(size: (u16, u16)) {
    let Some((wb, _)) = open("hupkill", size) else {
        return;
    };
    let pid = wb.pid();
    // Short: the narrow template pane shows it whole.
    let typed = format!("##hk{}", size.0);
    edit(&wb, &typed);
    // At once: the terminal goes away with the server.
    let out = wb.run(&["kill-server"]);
    assert!(out.status.success(), "{out:?}");
    assert!(
        wait_gone(pid, Duration::from_secs(10)),
        "gatebench ({pid}) is still running after its terminal went away"
    );
    let copies = wb.autosaved();
    assert!(
        copies.iter().any(|c| c.contains(&typed)),
        "the autosave copy holds the last edit: {copies:#?}"
    );
    no_panic(&wb);
    // Whichever the workbench noticed first: the hangup signal or the closed terminal.
    let logs = wb.logs();
    assert!(
        logs.contains("the terminal went away") || logs.contains("signal=\"HUP\""),
        "{logs}"
    );
    assert!(
        logs.contains("workbench closed"),
        "it ended on its own:\n{logs}"
    );
}

fn hangup_by_sighup(size: (u16, u16)) {
    let Some((wb, _)) = open("hupsig", size) else {
        return;
    };
    let pid = wb.pid();
    let typed = format!("##hs{}", size.0);
    edit(&wb, &typed);
    let killed = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(
        wait_gone(pid, Duration::from_secs(10)),
        "gatebench ({pid}) is still running after SIGHUP"
    );
    let end = wb.wait_for("the exit", |s| s.contains("TTY_"));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
    assert!(
        end.contains("TTY_icanon"),
        "the terminal is restored:\n{end}"
    );
    let copies = wb.autosaved();
    assert!(
        copies.iter().any(|c| c.contains(&typed)),
        "the autosave copy holds the last edit: {copies:#?}"
    );
    no_panic(&wb);
    assert!(wb.logs().contains("signal=\"HUP\""), "{}", wb.logs());
}

#[test]
fn killing_the_terminal_saves_the_last_edit_and_exits_at_80x24() {
    hangup_by_killing_the_tmux_server((80, 24));
}

#[test]
fn killing_the_terminal_saves_the_last_edit_and_exits_at_60x16() {
    hangup_by_killing_the_tmux_server((60, 16));
}

#[test]
fn sighup_saves_the_last_edit_and_exits_at_80x24() {
    hangup_by_sighup((80, 24));
}

#[test]
fn sighup_saves_the_last_edit_and_exits_at_60x16() {
    hangup_by_sighup((60, 16));
}

fn lt_wraps_to_the_last_request(size: (u16, u16)) {
    let Some((wb, _)) = open("prev", size) else {
        return;
    };
    wb.wait_for("the first request", |s| s.contains("1/2"));
    wb.keys(&["<"]);
    wb.wait_for("the last request", |s| s.contains("Request 2/2"));
    wb.keys(&["<"]);
    wb.wait_for("the first request again", |s| s.contains("Request 1/2"));
    wb.keys(&["q"]);
    let end = wb.wait_for("the exit", |s| s.contains("GATEBENCH_EXIT="));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
}

#[test]
fn lt_goes_to_the_previous_request_at_80x24() {
    lt_wraps_to_the_last_request((80, 24));
}

#[test]
fn lt_goes_to_the_previous_request_at_60x16() {
    lt_wraps_to_the_last_request((60, 16));
}

fn open_with_unsaved_edits(size: (u16, u16)) {
    let Some((wb, file)) = open("open", size) else {
        return;
    };
    let typed = format!("##so{}", size.0);
    edit(&wb, &typed);
    wb.keys(&["Escape"]);
    wb.wait_for("normal mode", |s| s.contains("NORMAL"));
    wb.keys(&["o"]);
    wb.wait_for("the picker", |s| s.contains("http.toml"));
    // http.toml sorts first.
    wb.keys(&["Enter"]);
    wb.wait_for("the question", |s| {
        s.contains("Unsaved changes") && s.contains("save them, then open http.toml")
    });
    // Stay: back in the list, nothing lost.
    wb.keys(&["Escape"]);
    wb.wait_for("the picker again", |s| s.contains("Open a session"));
    wb.keys(&["Enter"]);
    wb.wait_for("the question again", |s| s.contains("Unsaved changes"));
    wb.keys(&["s"]);
    wb.wait_for("the other session", |s| s.contains("Opened HTTP"));
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains(&typed), "{saved}");
    wb.keys(&["q"]);
    let end = wb.wait_for("the exit", |s| s.contains("GATEBENCH_EXIT="));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
}

#[test]
fn o_with_unsaved_edits_asks_and_saves_first_at_80x24() {
    open_with_unsaved_edits((80, 24));
}

#[test]
fn o_with_unsaved_edits_asks_and_saves_first_at_60x16() {
    open_with_unsaved_edits((60, 16));
}

fn search_the_integration_pane(size: (u16, u16)) {
    let Some((wb, _)) = open("search", size) else {
        return;
    };
    // Focus the Integration pane (before the Template pane).
    wb.keys(&["BTab"]);
    let screen = wb.wait_for("the Integration pane", |s| s.contains("▶ Integration"));
    assert!(
        !screen.contains("127.0.0.1:8080"),
        "below the first page:\n{screen}"
    );
    wb.keys(&["/"]);
    wb.type_text("127.0.0.1");
    wb.keys(&["Enter"]);
    let screen = wb.wait_for("the match", |s| s.contains("match 1 of 1"));
    assert!(
        screen.contains("127.0.0.1:8080"),
        "scrolled to the match:\n{screen}"
    );
    // Marked: the match is drawn underlined.
    let coloured = wb.capture_with(true);
    let row = coloured
        .lines()
        .find(|l| l.contains("127.0.0.1"))
        .unwrap_or_default()
        .to_string();
    assert!(
        row.contains("\u{1b}[4m") || row.contains(";4m") || row.contains("[4;"),
        "{row:?}"
    );
    // Esc and the next key must not arrive together (Esc and a key read at once are Alt+key).
    wb.keys(&["Escape"]);
    wb.wait_for("the prompt closed", |s| s.contains("NORMAL"));
    wb.keys(&["/"]);
    wb.type_text("zzz-nothing");
    wb.keys(&["Enter"]);
    wb.wait_for("no match", |s| s.contains("no match for"));
    wb.keys(&["Escape"]);
    wb.wait_for("the prompt closed", |s| s.contains("NORMAL"));
    wb.keys(&["q"]);
    let end = wb.wait_for("the exit", |s| s.contains("GATEBENCH_EXIT="));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
}

#[test]
fn slash_finds_text_in_the_integration_pane_at_80x24() {
    search_the_integration_pane((80, 24));
}

#[test]
fn slash_finds_text_in_the_integration_pane_at_60x16() {
    search_the_integration_pane((60, 16));
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Replace the settings editor's text: select all, then paste.
fn replace_settings(wb: &Tmux, text: &str) {
    wb.keys(&["M-a"]);
    wb.paste(text);
}

/// A plain HTTP request to the workbench's server: the status line, if it answers.
fn call(port: u16) -> Option<String> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let body = r#"{"name": "Ada"}"#;
    write!(
        s,
        "POST /dev/pets/42 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    out.lines().next().map(str::to_string)
}

fn backend_and_listen_port(size: (u16, u16)) {
    let Some((wb, file)) = open("backend", size) else {
        return;
    };
    let pid = wb.pid();
    wb.keys(&["BTab"]);
    wb.wait_for("the Integration pane", |s| s.contains("▶ Integration"));
    wb.keys(&["B"]);
    wb.wait_for("the settings editor", |s| {
        s.contains("Settings of the session")
    });
    let port = free_port();
    replace_settings(
        &wb,
        &format!(
            "listen = \"127.0.0.1:{port}\"\n[backend]\ntype = \"canned\"\nstatus = 202\nbody = '{{\"from\": \"canned\"}}'\n"
        ),
    );
    // The paste and the key arrive in this order: no need to wait in between.
    wb.keys(&["C-s"]);
    // Shown at once in the Integration pane (its end: the backend and the address).
    wb.keys(&["G"]);
    wb.wait_for("the new backend", |s| s.contains("canned answer"));
    wb.wait_for("the new address", |s| s.contains(&format!(":{port}")));
    // Serve there.
    wb.keys(&["L"]);
    wb.wait_for("listening", |s| s.contains(&format!("● 127.0.0.1:{port}")));
    let answer = call(port).expect("the server answers");
    assert!(answer.contains(" 200"), "{answer}");
    // Move to a port that is taken: said, and the workbench goes on.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    wb.keys(&["B"]);
    wb.wait_for("the settings editor", |s| {
        s.contains("Settings of the session")
    });
    replace_settings(
        &wb,
        &format!(
            "listen = \"127.0.0.1:{taken_port}\"\n[backend]\ntype = \"canned\"\nstatus = 202\nbody = '{{\"from\": \"canned\"}}'\n"
        ),
    );
    wb.keys(&["C-s"]);
    wb.wait_for("the taken port reported", |s| {
        s.contains(&format!("cannot listen on 127.0.0.1:{taken_port}"))
    });
    assert!(call(port).is_none(), "the old server stopped");
    assert!(!common::tmux::gone(pid), "the workbench goes on");
    drop(taken);
    // Saved with the session.
    wb.keys(&["C-s"]);
    wb.wait_for("saved", |s| s.contains("Saved"));
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(
        saved.contains(&format!("listen = \"127.0.0.1:{taken_port}\"")),
        "{saved}"
    );
    assert!(saved.contains("type = \"canned\""), "{saved}");
    wb.keys(&["q"]);
    let end = wb.wait_for("the exit", |s| s.contains("GATEBENCH_EXIT="));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
    no_panic(&wb);
}

#[test]
fn b_changes_the_backend_and_the_listen_port_at_80x24() {
    backend_and_listen_port((80, 24));
}

#[test]
fn b_changes_the_backend_and_the_listen_port_at_60x16() {
    backend_and_listen_port((60, 16));
}
