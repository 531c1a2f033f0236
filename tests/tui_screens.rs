//! Full screens at 80x24 and 120x40 for several integration types, each pane on its own,
//! and the overlays, as text snapshots (`cargo insta review` to inspect changes).

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use gatebench::app::Pane;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{Harness, buffer_text, stable};

fn snap(name: &str, screen: &str) {
    insta::assert_snapshot!(name, stable(screen));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_session_full_screens() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        snap(&format!("mock_{w}x{h}"), &t.screen());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_session_full_screens() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("http.toml"), w, h).await;
        // Show the backend stage, where the HTTP integration differs from MOCK.
        for _ in 0..4 {
            t.key(KeyCode::Char('n')).await;
        }
        snap(&format!("http_backend_stage_{w}x{h}"), &t.screen());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_integration_type_at_120x40() {
    let mut t = Harness::open(Some("mock.toml"), 120, 40).await;
    for kind in ["aws", "aws_proxy", "http", "http_proxy"] {
        t.key(KeyCode::Char('t')).await;
        snap(&format!("mock_session_as_{kind}_120x40"), &t.screen());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_pane() {
    let mut t = Harness::open(Some("mock.toml"), 120, 40).await;
    // Step to the integration response so the response template is selected.
    for _ in 0..5 {
        t.key(KeyCode::Char('n')).await;
    }
    let mut term = Terminal::new(TestBackend::new(64, 18)).unwrap();
    for pane in gatebench::app::Pane::ALL {
        term.draw(|f| gatebench::ui::panes::draw(f, t.app(), pane, f.area()))
            .unwrap();
        let name = format!("pane_{}", pane.title().replace(' ', "_").to_lowercase());
        snap(&name, &buffer_text(term.backend().buffer()));
    }
    assert_eq!(t.app().focus(), Pane::Template);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlays_and_small_terminals() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    t.key(KeyCode::Char('?')).await;
    snap("help_80x24", &t.screen());
    t.key(KeyCode::Esc).await;
    t.key(KeyCode::Char('t')).await;
    t.key(KeyCode::Char('q')).await;
    snap("confirm_quit_80x24", &t.screen());

    let mut small = Harness::open(Some("mock.toml"), 50, 12).await;
    snap("too_small_50x12", &small.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn template_error_and_invalid_json_markers() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    // Replace the request template with one whose output has a trailing comma.
    t.key(KeyCode::Char('i')).await;
    t.key_mod(KeyCode::Char('a'), KeyModifiers::ALT).await;
    t.rt.handle_event(crossterm::event::Event::Paste(
        "{\n  \"statusCode\": 200,\n  \"id\": \"$input.params('petId')\",\n}".into(),
    ));
    t.settle().await;
    snap("invalid_json_80x24", &t.screen());
    // An unclosed directive is a parse error with a position.
    t.type_text("\n#if(").await;
    snap("parse_error_80x24", &t.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_session_file_is_reported_on_screen() {
    let mut t = Harness::open(Some("does-not-exist.toml"), 120, 40).await;
    let screen = t.screen();
    let status = screen.lines().last().unwrap_or_default();
    assert!(status.contains("does-not-exist.toml"), "{status}");
    assert!(
        status.contains("Showing the built-in default session"),
        "{status}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_color_draws_without_colours_but_keeps_the_signals() {
    use gatebench::app::{App, AppOptions};
    use gatebench::ui::style::Theme;
    use ratatui::style::{Color, Modifier};
    let options = AppOptions {
        theme: Theme::default_dark(true),
        size: (120, 40),
        ..AppOptions::default()
    };
    let app = App::open(Some(&tui_support::fixture("mock.toml")), options);
    let mut t = Harness::with_app(app, 120, 40).await;
    let screen = t.screen();
    let buf = t.rt.terminal().backend().buffer().clone();
    let coloured = buf
        .content
        .iter()
        .filter(|c| !matches!(c.fg, Color::Reset) || !matches!(c.bg, Color::Reset));
    assert_eq!(coloured.count(), 0, "no colour anywhere:\n{screen}");
    // Focus and the current stage still stand out: thick border, reversed stage.
    assert!(screen.contains("┏▶ Template"), "{screen}");
    let reversed = buf
        .content
        .iter()
        .filter(|c| c.modifier.contains(Modifier::REVERSED))
        .count();
    assert!(reversed > 0);
}
