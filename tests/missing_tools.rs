//! What a test does when a tool it starts is missing: it fails with one line saying what to
//! install, unless `GATEBENCH_SKIP` names the tool, in which case it says `SKIPPED: <why>`
//! where `cargo test` shows it. Checked by running this very binary's probe test with a `PATH`
//! that has no tools on it.

mod common;

use std::process::{Command, Output};

use common::tools::{Tool, require, skip_list_names};

/// Run only when asked to (by the tests below, with a tool-less PATH).
#[test]
#[ignore = "run by the other tests of this file with an empty PATH"]
fn probe_tmux() {
    if require(Tool::Tmux, "the probe") {
        println!("PROBE: tmux found");
    }
}

fn probe(skip: Option<&str>) -> Output {
    let empty = std::env::temp_dir().join(format!("gatebench-no-tools-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--ignored", "--exact", "probe_tmux", "--test-threads=1"])
        .env("PATH", &empty)
        .env_remove("GATEBENCH_SKIP");
    if let Some(skip) = skip {
        cmd.env("GATEBENCH_SKIP", skip);
    }
    let out = cmd.output().unwrap();
    let _ = std::fs::remove_dir(&empty);
    out
}

#[test]
fn a_missing_tool_fails_the_test_in_one_line() {
    let out = probe(None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("tmux is not installed"))
        .unwrap_or_else(|| panic!("no one-line reason in:\n{stdout}"));
    assert_eq!(
        line,
        "tmux is not installed; the probe needs it: install tmux (apt-get install tmux), or set \
         GATEBENCH_SKIP=tmux to skip it"
    );
    assert!(!stdout.contains("PROBE: tmux found"), "{stdout}");
}

#[test]
fn an_explicit_opt_out_says_skipped() {
    let out = probe(Some("peers,tmux"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("SKIPPED: the probe: tmux is not installed (GATEBENCH_SKIP names tmux)"),
        "{stderr}"
    );
    assert!(!stdout.contains("PROBE: tmux found"), "{stdout}");
}

#[test]
fn the_skip_list() {
    assert!(skip_list_names("tmux", "tmux"));
    assert!(skip_list_names("peers, tmux", "tmux"));
    assert!(skip_list_names("ALL", "curl"));
    assert!(!skip_list_names("", "tmux"));
    assert!(!skip_list_names("tmuxx,peer", "tmux"));
    assert!(!skip_list_names("peer", "peers"));
}
