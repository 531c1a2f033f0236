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
    assert_eq!(t.app().overlay(), Some(Overlay::Requests));
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
