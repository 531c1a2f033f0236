//! Listen mode in the workbench: the real server started from the app on loopback, a real
//! client, and the list of served requests (flow and snapshot).

mod tui_support;

use std::time::{Duration, SystemTime};

use crossterm::event::KeyCode;
use gatebench::app::listen::{Listening, ServedRequest};
use gatebench::app::{App, AppOptions, Msg, Overlay, update};
use gatebench::gateway::api::IntegrationType;
use gatebench::gateway::pipeline::ClientRequest;
use gatebench::gateway::trace::{HttpMessage, Trace};
use gatebench::ui::style::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{Harness, buffer_text, fixture, stable};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_requests_show_up_in_the_list_and_in_the_panes() {
    gatebench::backend::install_crypto_provider();
    let options = AppOptions {
        theme: Theme::default_dark(false),
        size: (100, 30),
        ..AppOptions::default()
    };
    let mut app = App::open(Some(&fixture("mock.toml")), options);
    app.set_listen("127.0.0.1:0".parse().unwrap(), false, false);
    let mut t = Harness::with_app(app, 100, 30).await;

    t.key(KeyCode::Char('L')).await;
    let Listening::On { addr } = t.app().listen().state() else {
        panic!("not listening: {:?}", t.app().status());
    };
    assert!(t.screen().contains(&format!("● {addr} (0)")));

    let client = reqwest::Client::new();
    let res = client
        .post(format!("http://{addr}/dev/pets/42?x=1"))
        .header("content-type", "application/json")
        .body(r#"{"name": "Ada", "toys": ["ball"]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Hello, Ada!"));
    // The observer queued the message before the answer went out.
    tokio::time::timeout(Duration::from_secs(10), t.rt.step())
        .await
        .expect("the served request arrives")
        .unwrap();
    assert_eq!(t.app().listen().served().len(), 1);

    t.key(KeyCode::Char('l')).await;
    assert_eq!(t.app().overlay(), Some(&Overlay::Requests));
    let screen = t.screen();
    assert!(
        screen.contains(&format!("listening on http://{addr}")),
        "{screen}"
    );
    let row = screen
        .lines()
        .find(|l| l.contains("/dev/pets/42?x=1"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        row.contains("POST") && row.contains("200") && row.contains("MOCK"),
        "{row}"
    );

    // Show it: the Client response pane holds what the client received.
    t.key(KeyCode::Enter).await;
    assert_eq!(t.app().overlay(), None);
    let trace = &t.app().trace().expect("the served trace").trace;
    assert!(trace.response.body_text().contains("Hello, Ada!"));
    assert!(t.screen().contains("Hello, Ada!"));

    // Replay after editing nothing: the same answer, through a pipeline run.
    let runs = t.rt.stats().pipelines;
    t.key(KeyCode::Char('l')).await;
    t.key(KeyCode::Char('r')).await;
    assert_eq!(t.rt.stats().pipelines, runs + 1);
    let trace = &t.app().trace().expect("the replayed trace").trace;
    assert!(trace.response.body_text().contains("Hello, Ada!"));

    // Stop: the port is closed.
    t.key(KeyCode::Char('L')).await;
    assert_eq!(t.app().listen().state(), Listening::Off);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        client
            .get(format!("http://{addr}/dev/pets/1"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_err()
    );
}

/// Step the runtime until `done` holds (bounded).
async fn step_until(t: &mut Harness, what: &str, mut done: impl FnMut(&App) -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(t.app()) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited too long for {what}: {:?}",
            t.app().status()
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), t.rt.step()).await;
    }
}

fn post(addr: std::net::SocketAddr) -> tokio::task::JoinHandle<(u16, String)> {
    tokio::spawn(async move {
        let res = reqwest::Client::new()
            .post(format!("http://{addr}/dev/pets/42"))
            .header("content-type", "application/json")
            .body(r#"{"name": "Ada"}"#)
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_are_served_at_once_and_the_breakpoint_holds_a_live_request() {
    gatebench::backend::install_crypto_provider();
    let mut app = App::open(Some(&fixture("mock.toml")), AppOptions::default());
    app.set_listen("127.0.0.1:0".parse().unwrap(), false, true);
    let mut t = Harness::with_app(app, 120, 40).await;
    let Listening::On { addr } = t.app().listen().state() else {
        panic!("not listening: {:?}", t.app().status());
    };

    // Edit the response template while serving: the next request gets the edit.
    t.key(KeyCode::Char(']')).await;
    t.key(KeyCode::Char('i')).await;
    for c in "EDITED".chars() {
        t.key(KeyCode::Char(c)).await;
    }
    t.key(KeyCode::Esc).await;
    let (status, body) = post(addr).await.unwrap();
    assert_eq!(status, 200);
    assert!(body.starts_with("EDITED"), "{body}");
    step_until(&mut t, "the served request", |a| a.listen().total() == 1).await;

    // Arm the breakpoint: the next request waits, shown in the panes.
    t.key(KeyCode::Char('b')).await;
    let client = post(addr);
    step_until(&mut t, "the pause", |a| a.listen().paused().len() == 1).await;
    t.settle().await;
    assert_eq!(t.app().viewing(), Some("paused #2"));
    let screen = t.screen();
    assert!(screen.contains("paused #2"), "{screen}");
    assert!(screen.contains("⏸ 1 paused"), "{screen}");
    assert!(!client.is_finished(), "the client waits while paused");
    let port = fancy_regex::Regex::new(&format!(
        r"{}|\b[0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}\.[0-9]{{3}}\b",
        addr
    ))
    .unwrap();
    // The trace id's random tail wraps onto the Request pane's next rows (indented under the
    // line numbers): mask it there, keeping the width.
    let wrapped_hex = fancy_regex::Regex::new(r"(?m)^(│    )([0-9a-f][0-9a-f-]*)").unwrap();
    let screen = wrapped_hex
        .replace_all(&stable(&screen), |c: &fancy_regex::Captures| {
            format!("{}{}", &c[1], "x".repeat(c[2].len()))
        })
        .into_owned();
    insta::assert_snapshot!(
        "paused_at_the_breakpoint_120x40",
        port.replace_all(&screen, "<addr/time>")
    );

    // The pause shows the request template it rendered (the stage is the integration request).
    assert_eq!(
        t.app().template_slot().map(|s| s.label()).as_deref(),
        Some("request application/json")
    );
    // Edit the response template while it waits, then resume: it runs through the new edit.
    t.key(KeyCode::Char(']')).await;
    t.key(KeyCode::Char('i')).await;
    t.key(KeyCode::Char('!')).await;
    t.key(KeyCode::Esc).await;
    t.key(KeyCode::Char('R')).await;
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("the resumed client is answered")
        .unwrap();
    assert_eq!(status, 200);
    assert!(body.starts_with("!EDITED"), "{body}");
    step_until(&mut t, "the resumed answer", |a| {
        a.viewing() == Some("served #2")
    })
    .await;
    assert_eq!(t.app().listen().paused().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_left_at_the_breakpoint_is_answered_by_the_integration_timeout() {
    gatebench::backend::install_crypto_provider();
    let dir = std::env::temp_dir().join(format!("gatebench-tui-listen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut session = gatebench::session::Session::load(&fixture("mock.toml")).unwrap();
    for res in &mut session.api.resources {
        for m in res.methods.values_mut() {
            m.integration.timeout_in_millis = Some(400);
        }
    }
    let path = dir.join("short-timeout.toml");
    session.save_atomic(&path).unwrap();
    let mut app = App::open(Some(&path), AppOptions::default());
    app.set_listen("127.0.0.1:0".parse().unwrap(), false, true);
    let mut t = Harness::with_app(app, 120, 40).await;
    let Listening::On { addr } = t.app().listen().state() else {
        panic!("not listening: {:?}", t.app().status());
    };
    t.key(KeyCode::Char('b')).await;
    let client = post(addr);
    step_until(&mut t, "the pause", |a| a.listen().paused().len() == 1).await;
    let (status, body) = tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("the timeout answers")
        .unwrap();
    assert_eq!(
        (status, body.as_str()),
        (504, r#"{"message":"Endpoint request timed out"}"#)
    );
    step_until(&mut t, "the timed-out answer", |a| {
        a.listen().paused().len() == 0
    })
    .await;
    let s = t.app().status().unwrap();
    assert!(s.text.contains("integration timeout"), "{s:?}");
    // The pause ended with its request: the panes show the answer the client got.
    t.settle().await;
    assert_eq!(t.app().viewing(), Some("served #1"));
    let screen = t.screen();
    assert!(!screen.contains("client is waiting"), "{screen}");
    assert!(!screen.contains("paused #1"), "{screen}");
    assert!(screen.contains("Endpoint request timed out"), "{screen}");
    let last = t.app().listen().served().back().unwrap();
    assert_eq!(last.status(), 504);
    assert!(
        last.trace
            .log
            .iter()
            .any(|l| l.contains("Execution failed due to a timeout error")),
        "{:?}",
        last.trace.log
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quick_restart_gets_the_same_port_back() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut app = App::open(Some(&fixture("mock.toml")), AppOptions::default());
    app.set_listen(format!("127.0.0.1:{port}").parse().unwrap(), false, true);
    let mut t = Harness::with_app(app, 100, 30).await;
    assert!(matches!(t.app().listen().state(), Listening::On { addr } if addr.port() == port));
    // Stop and start within one batch: the new server gets the port back.
    t.rt.handle_event(crossterm::event::Event::Key(KeyCode::Char('L').into()));
    t.rt.handle_event(crossterm::event::Event::Key(KeyCode::Char('L').into()));
    t.settle().await;
    assert!(
        matches!(t.app().listen().state(), Listening::On { addr } if addr.port() == port),
        "{:?}",
        t.app().status()
    );
}

fn served(i: u64, method: &str, path: &str, status: u16, kind: Option<IntegrationType>) -> Msg {
    Msg::Served(Box::new(ServedRequest {
        id: i,
        at: SystemTime::UNIX_EPOCH + Duration::from_millis(1_764_185_000_000 + i * 1234),
        request: ClientRequest {
            method: method.into(),
            path: path.into(),
            ..ClientRequest::default()
        },
        trace: Trace {
            response: HttpMessage {
                status,
                ..HttpMessage::default()
            },
            ..Trace::default()
        },
        latency: Duration::from_micros(300 + i * 4100),
        kind,
    }))
}

#[test]
fn request_list_snapshot() {
    let options = AppOptions {
        theme: Theme::default_dark(false),
        size: (100, 16),
        ..AppOptions::default()
    };
    let mut app = App::open(Some(&fixture("mock.toml")), options);
    update(
        &mut app,
        served(0, "POST", "/dev/pets/7", 200, Some(IntegrationType::Mock)),
    );
    update(
        &mut app,
        served(1, "POST", "/dev/pets/0", 404, Some(IntegrationType::Mock)),
    );
    update(&mut app, served(2, "GET", "/dev/nothing/here", 403, None));
    update(
        &mut app,
        served(
            3,
            "POST",
            &format!("/dev/pets/{}", "x".repeat(80)),
            502,
            Some(IntegrationType::Http),
        ),
    );
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::from(KeyCode::Char('l'))),
    );
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::from(KeyCode::Up)),
    );
    let mut term = Terminal::new(TestBackend::new(100, 16)).unwrap();
    term.draw(|f| gatebench::ui::panes::requests::draw(f, &app))
        .unwrap();
    insta::assert_snapshot!(
        "served_requests",
        stable(&buffer_text(term.backend().buffer()))
    );
}

#[test]
fn the_listen_flag_takes_an_address() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gatebench"))
        .args(["--listen", "localhost-ish"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--listen"), "{err}");
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_gatebench"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("--listen") && help.contains("--allow-remote"),
        "{help}"
    );
}
