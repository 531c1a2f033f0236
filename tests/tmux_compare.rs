//! End to end, the compare view: the real binary in a detached tmux session. At 80x24 `C`
//! opens the view on the HTTP session, the five types run (the echo backend on loopback),
//! `l`/`h` page through them (`2/5 AWS`), the HTTP page shows the URL the backend received
//! with the path parameter filled in, `j` scrolls, `Esc` closes back to the panes, and `q`
//! quits cleanly. At 160x48 the five stand side by side. The log holds no panic.
//!
//! Needs tmux: without it the tests fail saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::path::Path;

use common::tmux::{Launch, Tmux};

fn open(name: &str, size: (u16, u16)) -> Option<Tmux> {
    let session = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/http.toml");
    Tmux::start(&Launch::new(format!("compare-{name}"), size).session(session))
}

/// The second row: the tab row of the five types (80 columns) or the column titles (160).
fn second_row(screen: &str) -> &str {
    screen.lines().nth(1).unwrap_or_default()
}

#[test]
fn the_compare_view_opens_pages_and_closes_at_80x24() {
    let Some(wb) = open("80", (80, 24)) else {
        return;
    };
    let tmux = &wb;
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    tmux.keys(&["C"]);
    // Each wait asks for the whole frame (a capture may come while a frame is being written).
    tmux.wait_for("the five types done, MOCK shown", |s| {
        second_row(s).contains("MOCK 201  AWS 201  AWS_PROXY 200  HTTP 201  HTTP_PROXY 200")
            && s.contains("◀ 1/5 MOCK ▶ 201")
            && s.contains("no backend call")
            && s.contains("Compared the five integration types")
    });
    tmux.keys(&["l"]);
    tmux.wait_for("the AWS page", |s| {
        s.contains("◀ 2/5 AWS ▶") && s.contains("uri the echo Lambda's ARN")
    });
    // Three times right (to HTTP_PROXY), then h back: HTTP, with the URL the backend
    // received (the path parameter filled in) and its explanation on the top row.
    tmux.keys(&["Right", "Right", "Right", "h"]);
    let top = |s: &str| s.lines().nth(3).unwrap_or_default().to_string();
    tmux.wait_for("the HTTP page", |s| {
        s.contains("◀ 4/5 HTTP ▶ 201")
            && s.contains("url http://notes.internal.example/api/users/u-7/notes?draft=true")
            && top(s).contains("HTTP: parameter mappings")
    });
    // j scrolls: the type's explanation leaves the top row.
    tmux.keys(&["j", "j"]);
    let screen = tmux.wait_for("scrolled", |s| !top(s).contains("HTTP: parameter mappings"));
    assert!(screen.contains("◀ 4/5 HTTP ▶"), "{screen}");
    // Esc closes: the panes again, nothing changed.
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("the panes", |s| s.contains("NORMAL"));
    assert!(!screen.contains("5 HTTP"), "{screen}");
    assert!(!screen.contains("[+]"), "{screen}");
    tmux.keys(&["q"]);
    // The shell prints the exit status, then the terminal mode.
    let end = tmux.wait_for("the exit", |s| s.contains("TTY_"));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
    assert!(
        end.contains("TTY_icanon"),
        "the terminal is restored:\n{end}"
    );
    let logs = wb.logs();
    assert!(!logs.contains("panic"), "{logs}");
}

#[test]
fn five_side_by_side_at_160x48() {
    let Some(wb) = open("160", (160, 48)) else {
        return;
    };
    let tmux = &wb;
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    tmux.keys(&["C"]);
    let screen = tmux.wait_for("the five side by side", |s| {
        let row = second_row(s);
        [
            "MOCK 201",
            "AWS 201",
            "AWS_PROXY 200",
            "HTTP 201",
            "HTTP_PROXY 200",
        ]
        .iter()
        .all(|t| row.contains(t))
            && s.contains("Compared the five integration types")
            && s.contains("api/users/u-7/notes?draft=true")
    });
    assert!(
        !screen.contains("1/5"),
        "no paging when all five fit:\n{screen}"
    );
    // C closes it too.
    tmux.keys(&["C"]);
    tmux.wait_for("the panes", |s| s.contains("NORMAL"));
    tmux.keys(&["q"]);
    let end = tmux.wait_for("the exit", |s| s.contains("GATEBENCH_EXIT="));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
}
