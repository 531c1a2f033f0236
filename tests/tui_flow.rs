//! Flows through the real runtime: typing into the template editor changes the rendered
//! pane, stepping stages, switching integration types, saving, copying, quitting, and a real
//! HTTP backend on loopback that is only called when asked.

mod tui_support;

use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use gatebench::app::{App, AppOptions, Mode, Pane, RunState};
use gatebench::gateway::trace::Stage;
use tui_support::{Harness, fixture};

fn rendered_pane(screen: &str) -> String {
    // The Rendered pane is the lower left block at 80x24: rows 13..23, columns 0..46.
    screen
        .lines()
        .skip(13)
        .take(9)
        .map(|l| l.chars().take(46).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_in_the_template_changes_the_rendered_pane() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let before = rendered_pane(&t.screen());
    assert!(before.contains("\"statusCode\": 200"), "{before}");

    // Edit: select everything, type a new template.
    t.key(KeyCode::Char('i')).await;
    assert_eq!(t.app().mode(), Mode::Editing);
    t.key_mod(KeyCode::Char('a'), KeyModifiers::ALT).await;
    t.type_text("{\"pet\": \"$input.params('petId')\", \"n\": $input.json('$.toys').length()}")
        .await;
    let after = rendered_pane(&t.screen());
    assert!(after.contains("\"pet\": \"7\""), "{after}");
    assert!(after.contains("✓ JSON"), "{after}");
    assert!(!after.contains("statusCode"), "{after}");

    // Break the JSON: the pane says where (after a move, so the comma is its own undo step).
    t.key(KeyCode::Left).await;
    t.key(KeyCode::Right).await;
    t.type_text(",").await;
    t.key(KeyCode::Left).await;
    t.key(KeyCode::Left).await;
    let broken = rendered_pane(&t.screen());
    assert!(broken.contains("not valid JSON at 1:"), "{broken}");

    // Undo brings it back.
    t.key_mod(KeyCode::Char('z'), KeyModifiers::CONTROL).await;
    let fixed = rendered_pane(&t.screen());
    assert!(fixed.contains("✓ JSON"), "{fixed}");
    assert!(t.app().is_dirty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fast_typing_never_queues_a_backlog() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let start = t.rt.stats();
    t.key(KeyCode::Char('i')).await;
    // 40 keys arrive before the loop gets to look at any result.
    for c in "## typed quickly, all in one burst ......".chars() {
        t.rt.handle_event(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    t.settle().await;
    let s = t.rt.stats();
    // One job was running when the burst began; only the newest request waited behind it.
    assert_eq!(s.renders - start.renders, 2, "{s:?}");
    assert_eq!(s.highlights - start.highlights, 2, "{s:?}");
    assert_eq!(s.pipelines - start.pipelines, 2, "{s:?}");
    // And the result shown is the newest.
    let text = t.app().template_editor().text();
    assert!(text.starts_with("## typed quickly"), "{text}");
    let shown = t.app().rendered().expect("rendered").generation;
    t.key(KeyCode::Char('x')).await;
    assert!(t.app().rendered().expect("rendered").generation > shown);
    assert_eq!(t.app().run_state(), RunState::Idle);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stepping_through_the_stages() {
    let mut t = Harness::open(Some("mock.toml"), 120, 40).await;
    let explanations = [
        (Stage::Routing, "routing: Strips the stage"),
        (Stage::Authorization, "authorization: Checks the API key"),
        (Stage::MethodRequest, "method request: Checks required"),
        (
            Stage::IntegrationRequest,
            "integration request: Maps parameters",
        ),
        (Stage::Backend, "backend: Sends the endpoint request"),
        (Stage::IntegrationResponse, "integration response: Selects"),
        (Stage::MethodResponse, "method response: Applies overrides"),
    ];
    for (i, (stage, text)) in explanations.iter().enumerate() {
        if i > 0 {
            t.key(KeyCode::Char('n')).await;
        }
        assert_eq!(t.app().stage(), *stage);
        let screen = t.screen();
        assert!(
            screen.lines().nth(1).unwrap_or_default().starts_with(text),
            "{screen}"
        );
    }
    // At the integration response, the Template pane shows the response template.
    t.key(KeyCode::Char('p')).await;
    let screen = t.screen();
    assert!(
        screen.contains("Template response 200 application/json"),
        "{screen}"
    );
    assert!(screen.contains("\"message\": \"Hello, Rex!\""), "{screen}");
    // r runs everything and shows the last stage.
    t.key(KeyCode::Char('r')).await;
    assert_eq!(t.app().stage(), Stage::MethodResponse);
    assert!(t.screen().contains("Client response 200"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cycling_the_integration_type_updates_every_pane() {
    let mut t = Harness::open(Some("mock.toml"), 120, 40).await;
    assert!(t.screen().contains("MOCK integration: no backend"));
    t.key(KeyCode::Char('t')).await; // AWS
    t.key(KeyCode::Char('t')).await; // AWS_PROXY
    let screen = t.screen();
    assert!(screen.contains("type        AWS_PROXY"), "{screen}");
    assert!(
        screen.contains("AWS_PROXY uses no mapping template"),
        "{screen}"
    );
    assert!(screen.contains("→ endpoint request"), "{screen}");
    // The endpoint request's lines wrap (the long signed Authorization header takes rows):
    // zoomed, the event body shows.
    while t.app().focus() != Pane::Backend {
        t.key(KeyCode::Tab).await;
    }
    t.key(KeyCode::Char('z')).await;
    let screen = t.screen();
    assert!(screen.contains("\"httpMethod\": \"POST\""), "{screen}");
}

/// The MOCK fixture copied into a fresh folder (`gatebench-tui-TAG-PID`), open at 80x24.
async fn open_a_copy(tag: &str) -> (std::path::PathBuf, std::path::PathBuf, Harness) {
    open_a_copy_at(tag, (80, 24)).await
}

/// [`open_a_copy`] at `w`x`h`.
async fn open_a_copy_at(
    tag: &str,
    (w, h): (u16, u16),
) -> (std::path::PathBuf, std::path::PathBuf, Harness) {
    let dir = std::env::temp_dir().join(format!("gatebench-tui-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mock.toml");
    std::fs::copy(fixture("mock.toml"), &path).unwrap();
    let app = App::open(Some(&path), AppOptions::default());
    (dir, path, Harness::with_app(app, w, h).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_copy_and_quit() {
    let (dir, path, mut t) = open_a_copy("flow").await;

    t.key(KeyCode::Char('t')).await;
    assert!(t.app().is_dirty());
    t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    assert!(!t.app().is_dirty(), "{:?}", t.app().status());
    assert!(t.screen().contains("Saved"));
    let saved = gatebench::session::Session::load(&path).unwrap();
    assert_eq!(
        saved.api.resources[0].methods["POST"].integration.kind,
        gatebench::gateway::api::IntegrationType::Aws
    );

    // y copies the focused pane (the template).
    t.key(KeyCode::Char('y')).await;
    let copied = t.clipboard.lock().unwrap().clone();
    assert_eq!(copied.len(), 1);
    assert!(copied[0].contains("statusCode"));
    assert!(t.screen().contains("Copied template"));

    // Quit asks when dirty.
    t.key(KeyCode::Char('i')).await;
    t.type_text("x").await;
    t.key(KeyCode::Esc).await;
    t.key(KeyCode::Char('q')).await;
    assert!(!t.rt.has_quit());
    assert!(t.screen().contains("Quit without saving"));
    t.key(KeyCode::Char('y')).await;
    assert!(t.rt.has_quit());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_runs_scripted_keys_until_quit() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let keys = [
        KeyCode::Tab,
        KeyCode::Tab,
        KeyCode::Char('n'),
        KeyCode::Char('n'),
        KeyCode::Char('z'),
        KeyCode::Char('z'),
        KeyCode::Char('q'),
    ];
    for k in keys {
        t.events
            .send(Ok(Event::Key(KeyEvent::new(k, KeyModifiers::NONE))))
            .unwrap();
    }
    tokio::time::timeout(Duration::from_secs(20), t.rt.run())
        .await
        .expect("the loop quits")
        .expect("no error");
    assert!(t.rt.has_quit());
    assert_eq!(t.app().focus(), Pane::Backend);
    assert_eq!(t.app().stage(), Stage::MethodRequest);
    assert!(!t.app().zoomed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_event_stream_ends_the_loop() {
    let mut t = Harness::open(None, 80, 24).await;
    let (tx, _) = tokio::sync::mpsc::unbounded_channel();
    drop(std::mem::replace(&mut t.events, tx));
    tokio::time::timeout(Duration::from_secs(20), t.rt.run())
        .await
        .expect("the loop ends")
        .expect("no error");
}

/// A real HTTP server on loopback answering with a fixed JSON body.
async fn serve() -> (u16, tokio::task::JoinHandle<()>) {
    use axum::routing::any;
    let app = axum::Router::new().route(
        "/{*rest}",
        any(|| async {
            (
                [("content-type", "application/json")],
                "{\"from\": \"loopback\", \"n\": 42}",
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (port, task)
}

/// The HTTP fixture with a real HTTP backend on loopback `port` instead of the echo server.
fn http_fixture_calling(port: u16) -> App {
    let text = std::fs::read_to_string(fixture("http.toml"))
        .unwrap()
        .replace(
            "http://notes.internal.example/api/users/{id}/notes",
            &format!("http://127.0.0.1:{port}/api/users/{{id}}/notes"),
        )
        .replace("type = \"echo\"", "type = \"http\"");
    let session =
        gatebench::session::Session::from_toml(&text, std::path::Path::new("loopback.toml"))
            .unwrap();
    App::new(session, None, AppOptions::default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_http_backend_is_called_only_when_asked() {
    let (port, server) = serve().await;
    let app = http_fixture_calling(port);
    let mut t = Harness::with_app(app, 120, 40).await;
    assert_eq!(
        t.rt.stats().pipelines,
        0,
        "a real backend does not run at start"
    );
    assert!(t.screen().contains("No call yet: press s"));

    // Editing does not call it either.
    t.key(KeyCode::Char('i')).await;
    t.type_text(" ").await;
    t.key(KeyCode::Esc).await;
    assert_eq!(t.rt.stats().pipelines, 0);

    t.key(KeyCode::Char('s')).await;
    assert_eq!(t.rt.stats().pipelines, 1);
    let screen = t.screen();
    assert!(
        screen.contains(&format!("POST http://127.0.0.1:{port}/")),
        "{screen}"
    );
    // Zoom the Backend pane and scroll to its end: the endpoint response is there.
    t.key(KeyCode::Tab).await;
    t.key(KeyCode::Tab).await;
    assert_eq!(t.app().focus(), Pane::Backend);
    t.key(KeyCode::Char('z')).await;
    t.key(KeyCode::Char('G')).await;
    let screen = t.screen();
    assert!(screen.contains("← endpoint response"), "{screen}");
    assert!(screen.contains("\"from\": \"loopback\""), "{screen}");
    server.abort();
}

/// A call that fails says so when it is back: "Sending the request…" gives way to the
/// client's status and the reason (here: nothing listens on the backend's port).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_call_says_why_when_it_is_back() {
    // A port nothing listens on (bound, then closed).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = http_fixture_calling(port);
    let mut t = Harness::with_app(app, 120, 40).await;
    t.key(KeyCode::Char('s')).await;
    let status = t.app().status().expect("a status").text.clone();
    assert!(!status.contains("Sending"), "{status}");
    assert!(status.starts_with("Client got 50"), "{status}");
    assert!(status.to_lowercase().contains("refused"), "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_call_shows_a_spinner_and_can_be_cancelled() {
    use axum::routing::any;
    let app = axum::Router::new().route(
        "/{*rest}",
        any(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            "late"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut t = Harness::with_app(http_fixture_calling(port), 120, 40).await;

    // Send, and look at the screen while the call hangs.
    t.rt.handle_event(Event::Key(KeyEvent::new(
        KeyCode::Char('s'),
        KeyModifiers::NONE,
    )));
    assert!(matches!(t.app().run_state(), RunState::Running { .. }));
    let screen = t.screen();
    assert!(screen.contains("calling… (esc cancels)"), "{screen}");

    // Esc cancels: the runtime is idle again well before the server would answer.
    t.key(KeyCode::Esc).await;
    assert_eq!(t.app().run_state(), RunState::Idle);
    assert!(t.app().trace().is_none());
    assert!(!t.rt.busy());
    assert!(t.screen().contains("Cancelled the call"));
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_template_is_syntax_highlighted() {
    let mut t = Harness::open(Some("mock.toml"), 120, 40).await;
    t.screen();
    let buf = t.rt.terminal().backend().buffer().clone();
    // Find "#if" in the Template pane and check it is coloured unlike plain text.
    let (w, h) = (buf.area.width, buf.area.height);
    let mut found = None;
    for y in 0..h {
        let row: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
        if let Some(i) = row.find("#if(") {
            found = Some((row[..i].chars().count() as u16, y));
            break;
        }
    }
    let (x, y) = found.expect("#if on screen");
    let directive = buf[(x, y)].style();
    let paren = buf[(x + 3, y)].style();
    assert!(directive.fg.is_some(), "{directive:?}");
    assert_ne!(
        directive.fg, paren.fg,
        "the directive and its parenthesis differ"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_picker_opens_another_session() {
    // Opened from the fixtures folder, the picker lists that folder.
    let mut t = Harness::open(Some("mock.toml"), 100, 30).await;
    t.key(KeyCode::Char('o')).await;
    let screen = t.screen();
    assert!(screen.contains("Open a session from"), "{screen}");
    assert!(screen.contains("http.toml"), "{screen}");
    assert!(screen.contains("mock.toml"), "{screen}");
    // http.toml sorts first.
    t.key(KeyCode::Enter).await;
    assert_eq!(
        t.app().session().name,
        "HTTP: an HTTP custom integration with mappings"
    );
    let screen = t.screen();
    assert!(screen.contains("Opened HTTP"), "{screen}");
    assert!(
        screen.contains("Template request application/json 1/2"),
        "{screen}"
    );
    assert_eq!(t.app().trace().map(|t| t.trace.response.status), Some(201));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autosave_writes_a_copy_and_recovery_offers_it() {
    let dir = std::env::temp_dir().join(format!("gatebench-tui-autosave-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let session_file = dir.join("mock.toml");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fixture("mock.toml"), &session_file).unwrap();
    let state = dir.join("state");

    let mut app = App::open(Some(&session_file), AppOptions::default());
    app.set_autosave_dir(state.clone());
    let copy = app.autosave_file().unwrap();
    let mut t = Harness::with_app(app, 80, 24).await;
    t.key(KeyCode::Char('i')).await;
    // Settling waits for the (debounced) autosave write.
    t.type_text("## not saved yet\n").await;
    assert!(copy.exists(), "autosave copy at {}", copy.display());

    // A new start on the same session finds it (as after a crash) and can restore it.
    let session = gatebench::session::Session::load(&session_file).unwrap();
    let recovery = gatebench::app::autosave::find_recovery(&state, Some(&session_file), &session)
        .expect("a recovery");
    let mut app = App::open(Some(&session_file), AppOptions::default());
    app.set_autosave_dir(state.clone());
    app.offer_recovery(recovery);
    let mut t2 = Harness::with_app(app, 80, 24).await;
    assert!(t2.screen().contains("Unsaved edits found"));
    t2.key(KeyCode::Char('y')).await;
    assert!(
        t2.app()
            .template_editor()
            .text()
            .starts_with("## not saved yet")
    );

    // Saving removes the copy.
    t2.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    assert!(!copy.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_changed_between_client_and_endpoint() {
    let mut t = Harness::open(Some("http.toml"), 120, 40).await;
    t.key(KeyCode::Char('d')).await;
    let screen = t.screen();
    assert!(screen.contains("Backend what changed"), "{screen}");
    assert!(
        screen.contains("- POST /v1/users/u-7/notes?draft"),
        "{screen}"
    );
    assert!(
        screen.contains("+ POST http://notes.internal.example"),
        "{screen}"
    );
    assert!(
        screen.contains("~ User-Agent: my-app/2.0 → AmazonAPI"),
        "{screen}"
    );
    assert!(screen.contains("- X-Request-Source: mobile"), "{screen}");
    assert!(screen.contains("+ X-Source: mobile"), "{screen}");
}

/// A session file changed on disk since it was opened (another editor, a checkout) is never
/// replaced without asking: the save shows what differs, `n` leaves the file as it is, `y`
/// writes the edits over it. Saves after that go through without a question.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_asks_before_replacing_a_file_changed_on_disk() {
    let (dir, path, mut t) = open_a_copy("conflict").await;
    t.key(KeyCode::Char('t')).await;
    let theirs = format!(
        "{}\n# a note added in another editor\n",
        std::fs::read_to_string(&path).unwrap()
    );
    std::fs::write(&path, &theirs).unwrap();

    t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    let screen = t.screen();
    insta::assert_snapshot!("file_changed_on_disk_80x24", conflict_screen(&screen));
    assert!(screen.contains("File changed on disk"), "{screen}");
    assert!(screen.contains("leave the file alone"), "{screen}");
    // `t` also swapped in the echo Lambda ARN (MOCK had no URI), so the diff is longer than
    // the dialog: it counts the edited lines.
    assert!(screen.contains("lines only in your edits"), "{screen}");
    assert!(t.app().is_dirty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);

    t.key(KeyCode::Char('n')).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
    assert!(t.app().is_dirty());
    assert!(t.screen().contains("left as it is"));

    t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    assert!(t.screen().contains("File changed on disk"));
    t.key(KeyCode::Char('y')).await;
    assert!(!t.app().is_dirty(), "{:?}", t.app().status());
    let saved = gatebench::session::Session::load(&path).unwrap();
    assert_eq!(
        saved.api.resources[0].methods["POST"].integration.kind,
        gatebench::gateway::api::IntegrationType::Aws
    );
    // The file is ours again: the next save asks nothing.
    t.key(KeyCode::Char('t')).await;
    t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    assert!(!t.app().is_dirty(), "{:?}", t.app().status());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The changed-on-disk question as a snapshot: the rows naming the temporary file masked,
/// and the status row's tail beside the question's corner cut (it is the end of "Not saved:
/// <temporary path> changed on disk", whose length follows the process id's digits).
fn conflict_screen(screen: &str) -> String {
    let stable = tui_support::stable(screen);
    let last = stable.lines().count().saturating_sub(1);
    stable
        .lines()
        .enumerate()
        .map(|(row, l)| {
            if l.contains("changed since it was opened") || l.contains("Not saved:") {
                "(a row naming the temporary file)"
            } else if let Some(corner) = l.rfind('┛').filter(|_| row == last) {
                &l[..corner + '┛'.len_utf8()]
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The changed-on-disk question is as high as its text, bounded by the screen: a long
/// difference scrolls (j/k) and the keys that answer it are always on screen.
async fn the_file_changed_question_fits(size: (u16, u16)) {
    let tag = format!("conflict-{}x{}", size.0, size.1);
    let (dir, path, mut t) = open_a_copy_at(&tag, size).await;
    t.key(KeyCode::Char('t')).await;
    // Another editor rewrote many lines.
    let theirs = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"Hello\"", "\"Hi\"")
        .replace("\"MOCK: a gateway", "\"MOCK (edited elsewhere): a gateway")
        .replace("[[requests]]", "[[requests]]\n# a request note")
        .replace("Rex", "Max")
        .replace("API Gateway", "The gateway")
        .replace("#set(", "#set (")
        .replace("#if(", "#if (");
    std::fs::write(&path, &theirs).unwrap();
    t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    let screen = t.screen();
    insta::assert_snapshot!(
        format!("file_changed_on_disk_long_{}x{}", size.0, size.1),
        conflict_screen(&screen)
    );
    assert!(screen.contains("File changed on disk"), "{screen}");
    assert!(screen.contains("overwrite it with your edits"), "{screen}");
    assert!(screen.contains("leave the file alone"), "{screen}");
    // The difference scrolls; the keys stay.
    let before = screen.clone();
    for _ in 0..30 {
        t.key(KeyCode::Char('j')).await;
    }
    let scrolled = t.screen();
    assert_ne!(scrolled, before, "the difference scrolls");
    assert!(scrolled.contains("leave the file alone"), "{scrolled}");
    t.key(KeyCode::Char('n')).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), theirs);
    assert!(t.app().overlay().is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_changed_question_fits_80x24() {
    the_file_changed_question_fits((80, 24)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_changed_question_fits_60x16() {
    the_file_changed_question_fits((60, 16)).await;
}

/// The mouse goes to the pane the last frame drew under it: a click on the Rendered pane
/// focuses it, a click on a tab of the narrow layout's tab bar focuses that tab's pane, and
/// before the first frame nothing is under the mouse.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clicks_go_to_the_pane_the_last_frame_drew_there() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let click = |column, row| {
        Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    t.rt.handle_event(click(2, 15));
    assert_eq!(t.app().focus(), Pane::Template, "no frame drawn yet");

    let screen = t.screen();
    t.rt.handle_event(click(2, 15));
    assert_eq!(t.app().focus(), Pane::Rendered);

    // The tab bar: " Req  Int  Back  Resp  Log" at the end of one line of the right column.
    let (row, line) = screen
        .lines()
        .enumerate()
        .find(|(_, l)| l.contains(" Back  Resp  Log"))
        .expect("tab bar drawn");
    let col = line[..line.rfind(" Log").unwrap()].chars().count() + 2;
    t.rt.handle_event(click(
        u16::try_from(col).unwrap(),
        u16::try_from(row).unwrap(),
    ));
    assert_eq!(t.app().focus(), Pane::Log);
}
