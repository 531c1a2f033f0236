//! The compare view on the real runtime (TestBackend): `C` runs the request through the five
//! integration types with the real pipeline and backends on loopback. Snapshots at 80x24 (one
//! type at a time) and 160x48 (five side by side); the HTTP column shows the URL with the
//! path parameter filled in as the gateway sends it; a dead backend fails its own columns
//! only, with the gateway's answer and the reason; a backend that never answers leaves its
//! columns `running…` while the others are shown and the keys work; tiny terminals draw
//! without panicking. `cargo insta review` to inspect changes.

mod tui_support;

use crossterm::event::KeyCode;
use gatebench::app::compare::{ColumnState, CompareView};
use gatebench::app::{App, AppOptions};
use gatebench::gateway::api::IntegrationType;
use gatebench::ui::style::Theme;
use tui_support::{Harness, fixture, stable};

/// A snapshot of the screen, with what changes from run to run masked: request ids and
/// times (also the tail of an id wrapped onto the next row of a narrow column), and the
/// spinner's frame (it turns with the clock).
fn snap(name: &str, screen: &str) {
    let spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
    let tail = fancy_regex::Regex::new(r"(<id>[^\n]*\n[┃│])[0-9a-f]{1,12}\b").expect("a pattern");
    let masked = stable(screen).replace(spinner, "⠿");
    insta::assert_snapshot!(name, tail.replace_all(&masked, "$1<id>"));
}

fn view(t: &Harness) -> &CompareView {
    t.app().compare().expect("the compare view is open")
}

/// The status and failure cause of a type's column, once finished.
fn outcome(t: &Harness, kind: IntegrationType) -> (u16, Option<String>) {
    let c = view(t)
        .columns()
        .iter()
        .find(|c| c.kind == kind)
        .expect("a column");
    match &c.state {
        ColumnState::Done { layout, .. } => (layout.status, layout.cause.clone()),
        other => panic!("{kind:?}: {other:?}"),
    }
}

/// Show the column of `kind` (one type at a time).
async fn show(t: &mut Harness, kind: IntegrationType) {
    while view(t).columns()[view(t).page()].kind != kind {
        t.key(KeyCode::Char('l')).await;
    }
}

/// The screen's rows joined by a space, the border characters and the spaces around them
/// removed, so text that wraps over rows (at a space) reads as one string.
fn flat(screen: &str) -> String {
    screen
        .lines()
        .map(|l| l.trim_matches(|c| matches!(c, '┃' | '│' | ' ')))
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_compare_view_pages_at_80x24() {
    let mut t = Harness::open(Some("http.toml"), 80, 24).await;
    t.key(KeyCode::Char('C')).await;
    // settle() waited for the five runs.
    assert!(view(&t).done(), "{:?}", view(&t).columns());
    let screen = t.screen();
    assert!(screen.contains("◀ 1/5 MOCK ▶ 201"), "{screen}");
    assert!(screen.contains("no backend call"), "{screen}");
    assert!(
        screen.contains("MOCK 201  AWS 201  AWS_PROXY 200  HTTP 201  HTTP_PROXY 200"),
        "every type's status in the tab row:\n{screen}"
    );
    snap("compare_mock_80x24", &screen);
    t.key(KeyCode::Char('l')).await;
    let screen = t.screen();
    assert!(screen.contains("◀ 2/5 AWS ▶"), "{screen}");
    // HTTP: the URL the backend received, path parameter and query filled in.
    show(&mut t, IntegrationType::Http).await;
    let screen = t.screen();
    assert!(screen.contains("◀ 4/5 HTTP ▶ 201"), "{screen}");
    assert!(
        screen.contains("≠ url http://notes.internal.example/api/users/u-7/notes?draft=true"),
        "{screen}"
    );
    snap("compare_http_80x24", &screen);
    // Scrolled to the end: what the client got.
    t.key(KeyCode::Char('G')).await;
    let screen = t.screen();
    assert!(
        flat(&screen).contains("\"backendSawPath\": \"/api/users/u-7/notes\""),
        "{screen}"
    );
    assert!(!screen.contains("◀ 4/5 HTTP ▶ 201\n┃  HTTP:"), "scrolled");
    // Esc: back to the workbench, untouched.
    t.key(KeyCode::Esc).await;
    assert!(t.app().compare().is_none());
    let screen = t.screen();
    assert!(screen.contains("NORMAL"), "{screen}");
    assert!(!t.app().is_dirty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_types_side_by_side_at_160x48() {
    let mut t = Harness::open(Some("http.toml"), 160, 48).await;
    t.key(KeyCode::Char('C')).await;
    let screen = t.screen();
    let titles = screen.lines().nth(1).unwrap_or_default();
    for title in [
        "MOCK 201",
        "AWS 201",
        "AWS_PROXY 200",
        "HTTP 201",
        "HTTP_PROXY 200",
    ] {
        assert!(titles.contains(title), "{title} in {titles:?}");
    }
    assert!(
        !screen.contains("1/5"),
        "no paging when all five fit:\n{screen}"
    );
    snap("compare_160x48", &screen);
    // h/l move the selection (the thick frame), not the columns.
    t.key(KeyCode::Char('l')).await;
    let titles = t.screen().lines().nth(1).unwrap_or_default().to_string();
    assert!(titles.contains("┏ AWS 201"), "{titles}");
    assert!(titles.contains("╭ MOCK 201"), "{titles}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_backend_fails_its_own_columns_only() {
    // The session's backend is real HTTP at 127.0.0.1:9, where nothing listens.
    let mut t = Harness::open(Some("panes/dead.toml"), 80, 24).await;
    t.key(KeyCode::Char('C')).await;
    for kind in [IntegrationType::Http, IntegrationType::HttpProxy] {
        let (status, cause) = outcome(&t, kind);
        assert_eq!(
            status, 504,
            "{kind:?}: the gateway's answer to a dead backend"
        );
        let cause = cause.expect("a cause");
        assert!(cause.contains("Connection refused"), "{kind:?}: {cause}");
    }
    // The Lambda types are answered by the echo function (the session's backend makes HTTP
    // calls only), MOCK calls nothing: all fine.
    for (kind, want) in [
        (IntegrationType::Mock, 201),
        (IntegrationType::Aws, 201),
        (IntegrationType::AwsProxy, 200),
    ] {
        assert_eq!(outcome(&t, kind), (want, None), "{kind:?}");
    }
    let screen = t.screen();
    assert!(screen.contains("HTTP 504 ✗  HTTP_PROXY 504 ✗"), "{screen}");
    assert!(
        screen.contains("failed: HTTP, HTTP_PROXY"),
        "the status bar says which:\n{screen}"
    );
    show(&mut t, IntegrationType::Http).await;
    t.key(KeyCode::Char('G')).await;
    let screen = t.screen();
    let text = flat(&screen);
    assert!(
        text.contains("✗ 504 Internal server error — error sending request"),
        "{screen}"
    );
    assert!(text.contains("Connection refused"), "{screen}");
    snap("compare_dead_backend_http_80x24", &screen);
    // A dead Lambda Invoke API: the Lambda types fail, the HTTP proxy is answered by the echo.
    let mut t = Harness::open(Some("compare/dead-lambda.toml"), 80, 24).await;
    t.key(KeyCode::Char('C')).await;
    let (status, cause) = outcome(&t, IntegrationType::AwsProxy);
    assert_eq!(status, 504);
    assert!(cause.is_some_and(|c| c.contains("Connection refused")));
    assert_eq!(outcome(&t, IntegrationType::HttpProxy), (200, None));
}

/// A loopback server that accepts connections and never answers.
async fn silent_server() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    addr
}

/// Press a key without waiting for background work (a comparison may still be running).
fn press(t: &mut Harness, code: KeyCode) {
    t.rt.handle_event(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::from(code),
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_that_never_answers_holds_up_only_its_columns() {
    // The session's HTTP backend accepts and never answers (within the 29 s timeout).
    let addr = silent_server().await;
    let text = std::fs::read_to_string(fixture("panes/dead.toml"))
        .expect("the fixture")
        .replace("127.0.0.1:9", &addr.to_string());
    let dir = std::env::temp_dir().join(format!("gatebench-compare-slow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let path = dir.join("slow.toml");
    std::fs::write(&path, text).expect("the session");
    let options = AppOptions {
        theme: Theme::default_dark(false),
        size: (80, 24),
        ..AppOptions::default()
    };
    let mut t = Harness::with_app(App::open(Some(&path), options), 80, 24).await;
    press(&mut t, KeyCode::Char('C'));
    let finished = |a: &App, kind: IntegrationType| {
        a.compare().is_some_and(|v| {
            v.columns()
                .iter()
                .any(|c| c.kind == kind && c.state != ColumnState::Running)
        })
    };
    t.step_until("MOCK, AWS and AWS_PROXY", |a| {
        [
            IntegrationType::Mock,
            IntegrationType::Aws,
            IntegrationType::AwsProxy,
        ]
        .into_iter()
        .all(|k| finished(a, k))
    })
    .await;
    assert!(!finished(t.app(), IntegrationType::Http));
    assert!(!finished(t.app(), IntegrationType::HttpProxy));
    assert!(t.app().animating(), "the spinner turns while columns run");
    let screen = t.screen();
    let tabs = screen.lines().nth(1).unwrap_or_default();
    assert!(
        tabs.contains("MOCK 201  AWS 201  AWS_PROXY 200"),
        "{screen}"
    );
    assert!(!tabs.contains("HTTP 504"), "{screen}");
    // The keys work meanwhile: to the HTTP page, which says it is running.
    for _ in 0..3 {
        press(&mut t, KeyCode::Char('l'));
    }
    let screen = t.screen();
    assert!(screen.contains("◀ 4/5 HTTP ▶"), "{screen}");
    assert!(screen.contains("running…"), "{screen}");
    snap("compare_running_80x24", &screen);
    // Closing stops the runs: no work is left waiting for the backend.
    press(&mut t, KeyCode::Esc);
    t.settle().await;
    assert!(t.app().compare().is_none());
    assert!(!t.app().animating());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiny_terminals_draw_without_panicking() {
    for (w, h) in [(40, 10), (20, 5), (3, 2), (1, 1)] {
        let mut t = Harness::open(Some("http.toml"), w, h).await;
        t.key(KeyCode::Char('C')).await;
        for k in [
            KeyCode::Char('l'),
            KeyCode::Char('j'),
            KeyCode::Char('G'),
            KeyCode::PageDown,
            KeyCode::Char('h'),
            KeyCode::Char('g'),
        ] {
            t.key(k).await;
            let _ = t.screen();
        }
        let screen = t.screen();
        if (w, h) == (40, 10) {
            assert!(screen.contains("1/5 MOCK"), "{screen}");
        }
        t.key(KeyCode::Esc).await;
        let _ = t.screen();
    }
}
