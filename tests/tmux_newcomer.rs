//! End to end under tmux, the newcomer's review of the workbench: one test per bug it found,
//! at 80x24 and 60x16 (the sizes where the layout matters), each waiting on screen content,
//! never on time. The table of every bug and the test that covers it is `tests/README-tmux.md`.
//!
//! Needs tmux: without it the tests fail saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use common::tmux::{Launch, Tmux};

/// The workbench at `size` on a copy of the fixture `fixture`, once its first frame is on
/// screen.
fn open(tag: &str, fixture: &str, size: (u16, u16)) -> Option<Tmux> {
    let launch = Launch::new(format!("nc-{tag}-{}x{}", size.0, size.1), size);
    let file = launch.fixture(fixture);
    let tmux = Tmux::start(&launch.session(file))?;
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    Some(tmux)
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
        s.contains("NORMAL") && stage_row(s).starts_with("method request:")
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
    tmux.wait_for("applied", |s| status_bar(s).contains("Applied: backend echo"));
    tmux.keys(&["G"]);
    tmux.wait_for("the canned backend shown", |s| s.contains("canned answer"));
    tmux.keys(&["C-z"]);
    let screen = tmux.wait_for("undone", |s| {
        status_bar(s).contains("Undid the session's settings")
    });
    assert!(!screen.contains("[+]"), "back as the file has it:\n{screen}");
    tmux.keys(&["G"]);
    tmux.wait_for("the echo backend shown again", |s| !s.contains("canned answer"));
    tmux.keys(&["C-r"]);
    tmux.wait_for("redone", |s| status_bar(s).contains("Redid the session's settings"));
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
