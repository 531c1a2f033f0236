//! End to end: the real binary in a detached tmux session of a fixed size. Start, wait for the
//! first frame, type into the template editor, step a stage, quit (confirming), and check
//! that the process exited and the terminal is back to normal (main screen, canonical mode).
//!
//! Needs tmux: without it the tests fail saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::process::Command;

use common::tmux::{Launch, Tmux};

/// Start the binary on the MOCK fixture in a detached 100x30 tmux session (the shared
/// start-up of `common::tmux`), or `None` (after saying so) when tmux is missing and
/// `GATEBENCH_SKIP` names it.
fn start(name: &str) -> Option<Tmux> {
    let launch = Launch::new(format!("e2e-{name}"), (100, 30));
    let session = launch.fixture("mock.toml");
    Tmux::start(&launch.session(session))
}

#[test]
fn the_binary_under_tmux() {
    let Some(tmux) = start("keys") else {
        return;
    };

    // First frame: the stage strip and the template editor.
    let first = tmux.wait_for("the first frame", |s| {
        s.contains("Template request application/json") && s.contains("NORMAL")
    });
    assert!(
        first.lines().next().unwrap_or_default().contains("route"),
        "{first}"
    );

    // Type into the editor.
    tmux.keys(&["i"]);
    tmux.wait_for("edit mode", |s| s.contains("EDIT"));
    tmux.keys(&["-l", "## typed under tmux"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("the typed text", |s| s.contains("## typed under tmux"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("normal mode", |s| s.contains("NORMAL") && s.contains("[+]"));

    // Step two stages (routing, authorization).
    tmux.keys(&["n"]);
    tmux.wait_for("the authorization stage", |s| {
        s.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("authorization:"))
    });
    tmux.keys(&["n"]);
    tmux.wait_for("the method request stage", |s| {
        s.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("method request:"))
    });

    // Quit: unsaved changes, so it asks.
    tmux.keys(&["q"]);
    tmux.wait_for("the quit question", |s| s.contains("Quit without saving"));
    tmux.keys(&["y"]);
    let end = tmux.wait_for("the exit", |s| s.contains("TTY_"));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
    assert!(
        end.contains("TTY_icanon"),
        "the tty is back in canonical mode:\n{end}"
    );
    // Back on the main screen: nothing of the workbench is left.
    assert!(!end.contains("Template request"), "{end}");
    assert!(!end.contains("NORMAL"), "{end}");
    // The log file in the state directory tells the start and the end.
    let log = std::fs::read_to_string(tmux.state_dir().join("gatebench.log"))
        .expect("the workbench writes its log in the state directory");
    assert!(log.contains("workbench started"), "{log}");
    assert!(log.contains("workbench closed"), "{log}");
}

#[test]
fn a_terminate_signal_restores_the_terminal() {
    let Some(tmux) = start("signal") else {
        return;
    };
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    let pid = tmux.pid().to_string();
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let end = tmux.wait_for("the exit", |s| s.contains("TTY_"));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
    assert!(end.contains("TTY_icanon"), "{end}");
    assert!(!end.contains("NORMAL"), "{end}");
}
