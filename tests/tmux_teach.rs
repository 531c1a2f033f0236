//! End to end, teaching and settings: the real binary in a detached tmux session at 80x24
//! and 60x16. `t` in a Lambda session reaches HTTP with a real echo answer (not 500 Invalid
//! endpoint address); the theme chosen with `T` is remembered across restarts. Also: every
//! shipped session runs headless without error, and http.toml explains its red
//! "not valid JSON".
//!
//! Needs tmux: without it the tests fail saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::tmux::{Launch, Tmux};

/// Start the binary on `session` at `w`x`h` with the settings file `config` (the shared
/// start-up of `common::tmux`).
fn start(name: &str, session: &Path, config: &Path, size: (u16, u16)) -> Option<Tmux> {
    Tmux::start(
        &Launch::new(format!("teach-{name}"), size)
            .session(session)
            .config(config),
    )
}

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sessions")
        .join(name)
}

fn t_reaches_http_with_an_echo_answer(size: (u16, u16)) {
    let name = format!("t{}x{}", size.0, size.1);
    let Some(tmux) = start(
        &name,
        &shipped("aws-lambda.toml"),
        Path::new("/nonexistent/gatebench.toml"),
        size,
    ) else {
        return;
    };
    tmux.wait_for_with("the first frame", false, |s| s.contains("NORMAL"));
    // AWS → AWS_PROXY → HTTP.
    tmux.keys(&["t"]);
    tmux.wait_for_with("AWS_PROXY", false, |s| s.contains("AWS_PROXY:"));
    tmux.keys(&["t"]);
    let screen = tmux.wait_for_with("HTTP with the echo URL", false, |s| {
        s.contains("HTTP: ") && s.contains("backend ✓")
    });
    assert!(!screen.contains("Invalid endpoint"), "{screen}");
    assert!(!screen.contains("✗"), "no stage failed:\n{screen}");
    // Run everything: the client gets the echo's answer through the response template.
    tmux.keys(&["r"]);
    let screen = tmux.wait_for_with("the method response", false, |s| {
        s.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("method res"))
    });
    assert!(!screen.contains("500"), "{screen}");
    // On to MOCK: the session's ARN is back, then AWS again (the file's type): clean.
    tmux.keys(&["t"]);
    tmux.wait_for_with("HTTP_PROXY", false, |s| s.contains("HTTP_PROXY:"));
    tmux.keys(&["t"]);
    tmux.wait_for_with("MOCK", false, |s| s.contains("MOCK: "));
    tmux.keys(&["t"]);
    let screen = tmux.wait_for_with("AWS again", false, |s| s.contains("AWS: calls"));
    assert!(!screen.contains("[+]"), "a full round is clean:\n{screen}");
    tmux.keys(&["q"]);
    let end = tmux.wait_for_with("the exit", false, |s| s.contains("GATEBENCH_EXIT="));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
}

#[test]
fn t_in_a_lambda_session_shows_http_at_80x24() {
    t_reaches_http_with_an_echo_answer((80, 24));
}

#[test]
fn t_in_a_lambda_session_shows_http_at_60x16() {
    t_reaches_http_with_an_echo_answer((60, 16));
}

/// The light theme's white background, as tmux reports it.
const WHITE_BG: &str = "48;2;255;255;255";

fn the_theme_is_remembered(size: (u16, u16)) {
    let name = format!("theme{}x{}", size.0, size.1);
    // Not the tmux session's scratch folder: that goes when the first run's tmux does.
    let dir =
        std::env::temp_dir().join(format!("gatebench-teach-cfg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = dir.join("config").join("config.toml");
    let Some(tmux) = start(&name, &shipped("mock.toml"), &config, size) else {
        return;
    };
    let first = tmux.wait_for_with("the first frame", true, |s| s.contains("NORMAL"));
    assert!(!first.contains(WHITE_BG), "dark at first");
    tmux.keys(&["T"]);
    tmux.wait_for_with("the light theme", true, |s| s.contains(WHITE_BG));
    tmux.keys(&["q"]);
    tmux.wait_for_with("the exit", false, |s| s.contains("GATEBENCH_EXIT=0"));
    let text = std::fs::read_to_string(&config).expect("the settings file was written");
    assert!(text.contains("theme = \"light\""), "{text}");
    drop(tmux);
    // A new start comes up light.
    let Some(tmux) = start(&format!("{name}b"), &shipped("mock.toml"), &config, size) else {
        return;
    };
    let screen = tmux.wait_for_with("the first frame", true, |s| s.contains("NORMAL"));
    assert!(screen.contains(WHITE_BG), "{screen}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_theme_is_remembered_at_80x24() {
    the_theme_is_remembered((80, 24));
}

#[test]
fn the_theme_is_remembered_at_60x16() {
    the_theme_is_remembered((60, 16));
}

#[test]
fn every_shipped_session_runs_headless_without_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        n += 1;
        let out = Command::new(env!("CARGO_BIN_EXE_gatebench"))
            .arg("run")
            .arg(&path)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}: {stderr}", path.display());
        assert!(
            !stderr.to_lowercase().contains("error"),
            "{}: {stderr}",
            path.display()
        );
    }
    assert!(n >= 6, "{n} sessions");
}

#[test]
fn http_toml_explains_its_invalid_json() {
    let s = std::fs::read_to_string(shipped("http.toml")).unwrap();
    let session: toml::Table = toml::from_str(&s).unwrap();
    let explanation = session["explanation"].as_str().unwrap();
    assert!(explanation.contains("not valid JSON"), "{explanation}");
    assert!(explanation.contains("escapeJavaScript"), "{explanation}");
}
