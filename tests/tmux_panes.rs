//! End to end under tmux, at 80x24 and 60x16: the real binary on a session whose HTTP
//! backend is dead (nothing listens on 127.0.0.1:9). After a send, the Backend pane's
//! endpoint-error section and the line under the client's status say "Connection refused".
//!
//! Needs tmux: without it the tests fail saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::path::Path;

use std::time::Duration;

use common::tmux::Tmux;

/// Start the binary on a fixture session in a detached tmux session of `w`x`h`.
fn start(name: &str, session: &str, w: u16, h: u16) -> Option<Tmux> {
    start_with(name, session, w, h, "")
}

/// [`start`] with extra arguments before the session.
fn start_with(name: &str, session: &str, w: u16, h: u16, args: &str) -> Option<Tmux> {
    if !common::tools::require(
        common::tools::Tool::Tmux,
        "the end-to-end test of the panes",
    ) {
        return None;
    }
    let bin = env!("CARGO_BIN_EXE_gatebench");
    let session = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tui_fixtures")
        .join(session);
    let socket = format!("gatebench-panes-{name}-{w}x{h}-{}", std::process::id());
    let tmux = Tmux::new(socket.clone(), "e2e")
        .scratch(std::env::temp_dir().join(format!("{socket}-state")));
    let state = std::env::temp_dir().join(format!("{}-state", tmux.socket));
    let script = format!(
        "exec env GATEBENCH_CONFIG=/nonexistent/gatebench.toml GATEBENCH_STATE_DIR=\"{}\" \"{bin}\" {args} \"{}\"",
        state.display(),
        session.display()
    );
    let (w, h) = (w.to_string(), h.to_string());
    let out = tmux.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        &w,
        "-y",
        &h,
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "tmux new-session: {out:?}");
    let _ = tmux.run(&["set-option", "-g", "escape-time", "0"]);
    Some(tmux)
}

/// The text inside the pane whose title starts with `title`, its rows put back together
/// (runs of spaces as one), so a reason wrapped over several rows reads as one string.
fn pane_text(screen: &str, title: &str) -> Option<String> {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    for (y, row) in rows.iter().enumerate() {
        let line: String = row.iter().collect();
        let Some(byte) = line.find(title) else {
            continue;
        };
        let at = line[..byte].chars().count();
        let Some(left) = (0..at)
            .rev()
            .take_while(|&x| matches!(row[x], ' ' | '▶' | '╭' | '┏'))
            .find(|&x| matches!(row[x], '╭' | '┏'))
        else {
            continue;
        };
        let right = (at..row.len())
            .find(|&x| matches!(row[x], '╮' | '┓'))
            .unwrap_or(row.len());
        let mut out = String::new();
        for r in &rows[y + 1..] {
            if r.get(left).is_some_and(|c| matches!(c, '╰' | '┗')) {
                break;
            }
            let inner: String = (left + 1..right)
                .map(|x| r.get(x).copied().unwrap_or(' '))
                .collect();
            out.push_str(&inner);
        }
        return Some(out.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    None
}

fn dead_backend_at(w: u16, h: u16) {
    let Some(tmux) = start("dead", "panes/dead.toml", w, h) else {
        return;
    };
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    tmux.keys(&["s"]);
    tmux.wait_for("the 504", |s| s.contains("504"));
    // Focus the Backend pane (Tab moves the focus; the stack shows the focused pane).
    for _ in 0..8 {
        if tmux.capture().contains("▶ Backend") {
            break;
        }
        tmux.keys(&["Tab"]);
        std::thread::sleep(Duration::from_millis(100));
    }
    let screen = tmux.wait_for("the endpoint error", |s| {
        pane_text(s, "Backend").is_some_and(|t| {
            t.contains("✗ endpoint error") && t.contains("Connection refused (os error 111)")
        })
    });
    assert!(
        screen.lines().next().unwrap_or_default().contains("m.resp"),
        "{screen}"
    );
    // The Client response pane: the cause under the status.
    for _ in 0..8 {
        if tmux.capture().contains("▶ Client response") {
            break;
        }
        tmux.keys(&["Tab"]);
        std::thread::sleep(Duration::from_millis(100));
    }
    tmux.wait_for("the cause under the status", |s| {
        pane_text(s, "Client response").is_some_and(|t| {
            t.starts_with("504 Internal server error — ") && t.contains("Connection refused")
        })
    });
    tmux.keys(&["q"]);
}

#[test]
fn a_dead_backend_says_why_at_80x24() {
    dead_backend_at(80, 24);
}

#[test]
fn a_dead_backend_says_why_at_60x16() {
    dead_backend_at(60, 16);
}

/// POST to the served session on loopback and return the status line.
fn post(port: u16, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the server listens");
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.lines().next().unwrap_or_default().to_string()
}

/// A served 404 shown from the served list (`l`, Enter): the Template pane shows the 404's
/// response template the gateway picked, and the Rendered pane its output.
fn served_404_at(w: u16, h: u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let Some(tmux) = start_with(
        "served404",
        "mock.toml",
        w,
        h,
        &format!("--listen 127.0.0.1:{port}"),
    ) else {
        return;
    };
    tmux.wait_for("serving", |s| {
        s.contains("NORMAL") && s.contains(&port.to_string())
    });
    // Select the 200 response template first: the 404 must replace it.
    tmux.keys(&["]"]);
    tmux.wait_for("the 200 template", |s| s.contains("response 200"));
    let status = post(port, "/dev/pets/0", r#"{"name": "Nobody"}"#);
    assert!(status.contains("404"), "{status}");
    tmux.keys(&["l"]);
    tmux.wait_for("the served list", |s| {
        s.contains("Served requests") && s.contains("404")
    });
    tmux.keys(&["Enter"]);
    // The screen settles on the 404's template, and the 200's is gone.
    tmux.wait_for("the 404's template", |s| {
        s.contains("response 404") && !s.contains("response 200")
    });
    tmux.wait_for("the 404's output", |s| {
        pane_text(s, "Rendered").is_some_and(|t| t.contains("no pet with id 0"))
    });
    tmux.keys(&["q"]);
}

#[test]
fn a_served_404_shows_its_template_at_80x24() {
    served_404_at(80, 24);
}

#[test]
fn a_served_404_shows_its_template_at_60x16() {
    served_404_at(60, 16);
}
