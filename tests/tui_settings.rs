//! The settings editor through the real runtime: `e` opens the method's settings as TOML, an
//! edit applied with `Ctrl-s` changes what the next run answers, and the overlay's screens
//! (as opened, and with a refused value) as snapshots.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyModifiers};
use gatebench::app::SettingsStep;
use tui_support::{Harness, stable};

fn snap(name: &str, screen: &str) {
    insta::assert_snapshot!(name, stable(screen));
}

/// Select the next match of `query` in the settings text (ctrl+f, type, enter, esc).
/// Find `query` in the settings text (the cursor goes to the match, nothing is selected),
/// delete it, and type `with` in its place.
async fn replace(t: &mut Harness, query: &str, with: &str) {
    t.key_mod(KeyCode::Char('f'), KeyModifiers::CONTROL).await;
    assert_eq!(t.app().search_query(), "", "a new search starts empty");
    t.type_text(query).await;
    t.key(KeyCode::Enter).await;
    t.key(KeyCode::Esc).await;
    assert_eq!(t.app().settings_step(), Some(SettingsStep::Editing));
    for _ in query.chars() {
        t.key(KeyCode::Delete).await;
    }
    t.type_text(with).await;
}

/// The rows of the pane titled `title` (its top border to the next border), at 120x40.
fn pane_text(screen: &str, title: &str) -> String {
    let lines: Vec<&str> = screen.lines().collect();
    let Some((row, col)) = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| l.find(title).map(|c| (i, c)))
    else {
        return String::new();
    };
    lines[row..]
        .iter()
        .take(12)
        .map(|l| l.get(col.saturating_sub(4)..).unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_selection_pattern_edited_in_the_overlay_changes_the_client_response() {
    let mut t = Harness::open(None, 120, 40).await;
    let screen = t.screen();
    assert!(screen.contains("Client response 200"), "{screen}");
    assert!(screen.contains("type        MOCK"), "{screen}");

    t.key(KeyCode::Char('e')).await;
    let screen = t.screen();
    assert!(
        screen.contains("Settings of POST /pets/{petId}"),
        "{screen}"
    );
    assert!(
        screen.contains("[api.resources.methods.POST] · templates left out, kept as they are"),
        "{screen}"
    );
    assert!(screen.contains("selectionPattern = \"404\""), "{screen}");

    replace(&mut t, "WHEN_NO_MATCH", "NEVER").await;
    replace(&mut t, "Pattern = \"404", "Pattern = \"2\\\\d\\\\d").await;
    assert!(
        t.screen().contains("selectionPattern = \"2\\\\d\\\\d\""),
        "{}",
        t.screen()
    );
    // Nothing is applied before Ctrl-s.
    assert!(!t.app().is_dirty());
    t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;

    assert_eq!(t.app().overlay(), None);
    let screen = t.screen();
    // The 200 answer now matches the 404 response's pattern.
    assert!(screen.contains("Client response 404"), "{screen}");
    let response = pane_text(&screen, "Client response 404");
    assert!(response.contains("no pet with id 7"), "{response}");
    // The Integration pane leads with the session's explanation; the applied values are
    // further down it (the status line below names them).
    let integration = &t.app().method().unwrap().integration;
    assert_eq!(
        integration.passthrough_behavior,
        Some(gatebench::gateway::api::PassthroughBehavior::Never)
    );
    assert_eq!(
        integration.integration_responses["404"]
            .selection_pattern
            .as_deref(),
        Some("2\\d\\d")
    );
    assert!(
        screen.contains(
            " NORMAL  [+] ✓ Applied to POST /pets/{petId}: integration.passthroughBehavior,"
        ),
        "{screen}"
    );
    assert_eq!(
        t.app().status().map(|s| s.text.as_str()),
        Some(
            "Applied to POST /pets/{petId}: integration.passthroughBehavior, integration.integrationResponses.404.selectionPattern"
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_value_keeps_the_overlay_open_and_says_where() {
    let mut t = Harness::open(None, 120, 40).await;
    t.key(KeyCode::Char('e')).await;
    replace(&mut t, "Pattern = \"404", "Pattern = \"40(4").await;
    t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    assert_eq!(t.app().settings_step(), Some(SettingsStep::Editing));
    let screen = t.screen();
    assert!(
        screen
            .contains("✗ 20:1: the gateway refuses this: selectionPattern \"40(4\" is not a valid"),
        "{screen}"
    );
    assert!(
        screen.contains("regular expression: Opening parenthesis without closing parenthesis"),
        "{screen}"
    );
    assert!(!t.app().is_dirty());
    // Esc asks before dropping the edit; y drops it.
    t.key(KeyCode::Esc).await;
    assert!(
        t.screen()
            .contains("Close the settings without applying your edits?")
    );
    t.key(KeyCode::Char('y')).await;
    assert_eq!(t.app().overlay(), None);
    assert!(t.screen().contains("Client response 200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasting_into_the_overlay_inserts_at_the_cursor() {
    let mut t = Harness::open(None, 80, 24).await;
    t.key(KeyCode::Char('e')).await;
    t.rt.handle_event(Event::Paste("# pasted\r\n".into()));
    t.settle().await;
    assert!(
        t.app()
            .settings_editor()
            .unwrap()
            .text()
            .starts_with("# pasted\n[requestParameters]")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(None, w, h).await;
        t.key(KeyCode::Char('e')).await;
        snap(&format!("settings_editor_{w}x{h}"), &t.screen());
        replace(&mut t, "Pattern = \"404", "Pattern = \"40(4").await;
        t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
        snap(&format!("settings_editor_error_{w}x{h}"), &t.screen());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_and_the_integration_pane_show_the_key() {
    let mut t = Harness::open(None, 120, 120).await;
    t.key(KeyCode::Char('?')).await;
    let screen = t.screen();
    for (key, what) in [
        (
            "e",
            "edit the method's settings as TOML (uri, responses...)",
        ),
        (
            "ctrl+s",
            "apply the edited settings (checked as the gateway would)",
        ),
    ] {
        let line = format!("  {key:<16}{what}");
        assert!(screen.contains(&line), "{line:?} in\n{screen}");
    }
    let heading = "Settings editor (TOML; other keys edit the text)";
    assert!(screen.contains(heading), "{heading:?} in\n{screen}");
    t.key(KeyCode::Esc).await;
    // Focused, the Integration pane lists the key in its border.
    t.key(KeyCode::BackTab).await;
    let screen = t.screen();
    assert!(
        screen.contains(" t type  e settings  I import "),
        "{screen}"
    );
}
