//! Panes that agree, through the real runtime: a status message a job starts ends with that
//! job (a send on every live backend, a replay), a paused request's state ends with the
//! request (answered by the integration timeout, let go when the server stops), a served
//! request shown in the panes shows the response template the gateway picked for it, the
//! stage strip and the Template pane agree at a pause, and a MOCK (or a served trace being
//! laid out) never says "calling…".

mod tui_support;

use std::net::SocketAddr;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use gatebench::app::listen::Listening;
use gatebench::app::{App, AppOptions, Mode, RunState};
use gatebench::gateway::Phase;
use gatebench::gateway::trace::Stage;
use gatebench::session::Session;
use tui_support::{Harness, fixture};

/// A session from `text` (a fixture's text, changed), served on a free loopback port from the
/// start.
async fn listening(text: &str, w: u16, h: u16) -> (Harness, SocketAddr) {
    gatebench::backend::install_crypto_provider();
    let session = Session::from_toml(text, std::path::Path::new("agree.toml")).unwrap();
    let mut app = App::new(session, None, AppOptions::default());
    app.set_listen("127.0.0.1:0".parse().unwrap(), false, true);
    let t = Harness::with_app(app, w, h).await;
    let Listening::On { addr } = t.app().listen().state() else {
        panic!("not listening: {:?}", t.app().status());
    };
    (t, addr)
}

fn mock_text() -> String {
    std::fs::read_to_string(fixture("mock.toml")).unwrap()
}

/// POST `path` to the server; the client's status and body.
fn post(addr: SocketAddr, path: &str) -> tokio::task::JoinHandle<Result<(u16, String), String>> {
    let url = format!("http://{addr}{path}");
    tokio::spawn(async move {
        let res = reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .body(r#"{"name": "Ada"}"#)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = res.status().as_u16();
        Ok((status, res.text().await.map_err(|e| e.to_string())?))
    })
}

/// Whether the stage strip and the Template pane agree: a request template at the
/// integration request, a response template at the integration response.
fn strip_and_template_agree(app: &App) -> bool {
    let Some(slot) = app.template_slot() else {
        return true;
    };
    match app.stage() {
        Stage::IntegrationRequest => slot.phase == Phase::Request,
        Stage::IntegrationResponse => slot.phase == Phase::Response,
        _ => true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_ends_its_status_on_every_live_backend() {
    // MOCK, and the built-in echo server (HTTP), both run live.
    for name in ["mock.toml", "http.toml"] {
        let mut t = Harness::open(Some(name), 80, 24).await;
        t.key(KeyCode::Char('s')).await;
        let s = t.app().status().expect("a status").text.clone();
        assert!(s.starts_with("Client got 2"), "{name}: {s}");
        let screen = t.screen();
        assert!(!screen.contains("Sending the request"), "{name}:\n{screen}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_ends_its_status_with_its_outcome() {
    let (mut t, addr) = listening(&mock_text(), 80, 24).await;
    let (status, _) = post(addr, "/dev/pets/42").await.unwrap().unwrap();
    assert_eq!(status, 200);
    t.step_until("the served request", |a| a.listen().total() == 1)
        .await;
    t.key(KeyCode::Char('l')).await;
    t.key(KeyCode::Char('r')).await;
    assert_eq!(t.app().run_state(), RunState::Idle);
    let s = t.app().status().expect("a status").text.clone();
    assert!(!s.contains('…'), "the replay is over: {s}");
    assert!(s.contains("client got 200"), "{s}");
    let screen = t.screen();
    assert!(!screen.contains("Replaying"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stop_of_the_server_ends_the_pause_shown() {
    let (mut t, addr) = listening(&mock_text(), 120, 40).await;
    t.key(KeyCode::Char('b')).await;
    let client = post(addr, "/dev/pets/42");
    t.step_until("the pause", |a| a.listen().paused().len() == 1)
        .await;
    t.settle().await;
    assert_eq!(t.app().viewing(), Some("paused #1"));
    assert!(t.screen().contains("the client is waiting"));

    t.key(KeyCode::Char('L')).await;
    assert_eq!(t.app().listen().state(), Listening::Off);
    assert_ne!(t.app().viewing(), Some("paused #1"));
    let screen = t.screen();
    assert!(!screen.contains("Request paused #1"), "{screen}");
    assert!(!screen.contains("client is waiting"), "{screen}");
    assert!(!screen.contains("at the breakpoint:"), "{screen}");
    // The client is let go (answered as rendered, or its connection closed).
    let _ = tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("the client is let go");
}

/// The MOCK fixture with a 400 response whose template is the 404's, listed before it.
fn with_twin_error_templates() -> String {
    let text = mock_text();
    let twin = "[api.resources.methods.POST.integration.integrationResponses.400]\n\
                statusCode = \"400\"\n\
                selectionPattern = \"400\"\n\n\
                [api.resources.methods.POST.integration.integrationResponses.400.responseTemplates]\n\
                \"application/json\" = \"{\\\"message\\\": \\\"no pet with id $input.params('petId')\\\"}\"\n\n";
    let text = text.replace(
        "[api.resources.methods.POST.methodResponses.404]\n",
        "[api.resources.methods.POST.methodResponses.404]\n[api.resources.methods.POST.methodResponses.400]\n",
    );
    let anchor = "[api.resources.methods.POST.integration.integrationResponses.404]\n";
    assert!(text.contains(anchor));
    text.replace(anchor, &format!("{twin}{anchor}"))
}

async fn select_template(t: &mut Harness, label: &str) {
    for _ in 0..t.app().template_slots().len() {
        if t.app().template_slot().map(|s| s.label()).as_deref() == Some(label) {
            return;
        }
        t.key(KeyCode::Char(']')).await;
    }
    panic!("no template {label}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_answer_shows_the_response_template_the_gateway_picked() {
    let (mut t, addr) = listening(&with_twin_error_templates(), 80, 24).await;
    let (status, body) = post(addr, "/dev/pets/0").await.unwrap().unwrap();
    assert_eq!(status, 404, "{body}");
    t.step_until("the served request", |a| a.listen().total() == 1)
        .await;

    // The 400's template (the same text as the 404's) is selected; show the served 404.
    select_template(&mut t, "response 400 application/json").await;
    t.key(KeyCode::Char('l')).await;
    t.key(KeyCode::Enter).await;
    assert_eq!(t.app().trace().unwrap().trace.response.status, 404);
    assert_eq!(
        t.app().template_slot().map(|s| s.label()).as_deref(),
        Some("response 404 application/json")
    );

    // Edited since it was served: still the template the gateway picked (its response).
    t.key(KeyCode::Char('i')).await;
    t.type_text("X").await;
    t.key(KeyCode::Esc).await;
    select_template(&mut t, "response 200 application/json").await;
    t.key(KeyCode::Char('l')).await;
    t.key(KeyCode::Enter).await;
    assert_eq!(
        t.app().template_slot().map(|s| s.label()).as_deref(),
        Some("response 404 application/json")
    );
    // Chosen by hand, another response's template is said not to be the one used.
    select_template(&mut t, "response 200 application/json").await;
    let screen = t.screen();
    assert!(screen.contains("Not used for this 404"), "{screen}");
    let addr = fancy_regex::Regex::new(r"127\.0\.0\.1:[0-9]+").unwrap();
    insta::assert_snapshot!(
        "template_not_used_for_the_answer_80x24",
        addr.replace_all(&tui_support::stable(&screen), "<addr>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_a_pause_the_strip_and_the_template_pane_agree() {
    let (mut t, addr) = listening(&mock_text(), 80, 24).await;
    // Editing the response template when a request pauses.
    t.key(KeyCode::Char('b')).await;
    select_template(&mut t, "response 200 application/json").await;
    t.key(KeyCode::Char('i')).await;
    assert_eq!(t.app().mode(), Mode::Editing);
    let client = post(addr, "/dev/pets/42");
    t.step_until("the pause", |a| a.listen().paused().len() == 1)
        .await;
    t.settle().await;
    assert_eq!(t.app().viewing(), Some("paused #1"));
    assert!(
        strip_and_template_agree(t.app()),
        "{:?} with {:?}",
        t.app().stage(),
        t.app().template_slot()
    );
    // Back to browsing, then to the request template: the strip follows either way.
    t.key(KeyCode::Esc).await;
    t.key(KeyCode::Char('[')).await;
    assert!(strip_and_template_agree(t.app()), "{:?}", t.app().stage());
    t.key(KeyCode::Char(']')).await;
    assert!(strip_and_template_agree(t.app()), "{:?}", t.app().stage());
    t.key(KeyCode::Char('R')).await;
    let (status, _) = tokio::time::timeout(Duration::from_secs(10), client)
        .await
        .expect("the resumed client is answered")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
}

/// A MOCK with a large body: while it runs, the Backend pane calls nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mock_with_a_large_body_never_says_calling() {
    let mut session = Session::load(&fixture("mock.toml")).unwrap();
    let toys: Vec<String> = (0..60_000).map(|i| format!("\"toy {i}\"")).collect();
    session.requests[0].body = Some(format!(
        r#"{{"name": "Rex", "toys": [{}]}}"#,
        toys.join(", ")
    ));
    let app = App::new(session, None, AppOptions::default());
    let mut t = Harness::with_app(app, 80, 24).await;
    t.rt.handle_event(Event::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::NONE,
    )));
    assert!(matches!(t.app().run_state(), RunState::Running { .. }));
    let screen = t.screen();
    assert!(!screen.contains("calling"), "{screen}");
    t.settle().await;
    assert!(!t.screen().contains("calling"));
}

/// Showing a served request of an HTTP integration lays out its trace: no call is made, and
/// none is said to be.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn showing_a_served_request_calls_nothing() {
    let text = std::fs::read_to_string(fixture("http.toml")).unwrap();
    let (mut t, addr) = listening(&text, 120, 40).await;
    let client = reqwest::Client::new()
        .post(format!("http://{addr}/v1/users/u-1/notes"))
        .header("content-type", "application/json")
        .body(r#"{"text": "hi", "tags": []}"#)
        .send()
        .await
        .unwrap();
    assert!(client.status().is_success(), "{client:?}");
    t.step_until("the served request", |a| a.listen().total() == 1)
        .await;
    t.key(KeyCode::Char('l')).await;
    let runs = t.rt.stats().pipelines;
    t.rt.handle_event(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    let screen = t.screen();
    assert!(!screen.contains("calling"), "{screen}");
    t.settle().await;
    assert_eq!(t.rt.stats().pipelines, runs, "showing runs nothing");
}
