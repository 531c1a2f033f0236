//! End to end under tmux: the real binary on a session whose template has three findings
//! marks them in the Template pane's gutter, lists them with `!` (the selected rule
//! explained), applies the selected fix with `Enter`, and takes it back with the undo key.
//!
//! Needs tmux: without it the test fails saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::path::Path;

use common::tmux::{Launch, Tmux};

#[test]
fn lint_marks_lists_and_fixes_under_tmux() {
    let session = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tui_fixtures/lint.toml");
    let Some(tmux) = Tmux::start(&Launch::new("e2e-lint", (100, 30)).session(session)) else {
        return;
    };
    let tmux = &tmux;
    tmux.wait_for("the findings marked in the gutter", |s| {
        s.contains("3 lint findings (!: list)")
            && s.contains("!2   \"name\"")
            && s.contains("✗3   \"ids\"")
            && s.contains("·4   \"count\"")
    });
    tmux.keys(&["!"]);
    tmux.wait_for("the list with the first rule explained", |s| {
        s.contains("Lint · request application/json · 3 findings")
            && s.contains("▶    2:12  warning unescaped-in-json-string")
            && s.contains("Before:")
    });
    tmux.keys(&["j"]);
    tmux.wait_for("the trailing comma selected", |s| {
        s.contains("▶    3:49  error   foreach-trailing-comma")
            && s.contains("fixes it: replace `,` with `#if($foreach.hasNext),#end`")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the fix applied and linted again", |s| {
        s.contains("2 lint findings")
            && s.contains("Fixed foreach-trailing-comma")
            && !s.contains("Lint · request")
    });
    tmux.keys(&["u"]);
    // Undone, the session is as its file again: clean, so q quits without asking.
    tmux.wait_for("the fix undone", |s| {
        s.contains("3 lint findings") && !s.contains("[+]")
    });
    tmux.keys(&["q"]);
    let end = tmux.wait_for("the exit", |s| s.contains("TTY_"));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
}
