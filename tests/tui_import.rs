//! Importing from the workbench through the real runtime: the path prompt with completion
//! (the folder read off the loop), the import of a fixture, the operation list and warnings,
//! the panes showing the chosen method, saving the import as a new file; and adding a request
//! from a curl command (copy as curl, then paste it back). Snapshots of the overlays at 80x24
//! and 120x40.

mod tui_support;

use crossterm::event::{Event, KeyCode, KeyModifiers};
use gatebench::app::{App, AppOptions, Overlay, Pane};
use tui_support::{Harness, fixture, stable};

/// The import fixtures, relative to the crate (tests run there), so screens are stable.
const PETSTORE: &str = "tests/fixtures/import/petstore-oas3.yaml";

fn snap(name: &str, screen: &str) {
    // The overlays cut request ids in the panes behind them into pieces `stable` does not
    // know (`0989-4cb7`): those go too.
    let cut_id = fancy_regex::Regex::new(r"\b(?=[0-9a-f-]*[0-9])[0-9a-f]{3,}-[0-9a-f-]*")
        .expect("valid pattern");
    let text = stable(screen);
    insta::assert_snapshot!(name, cut_id.replace_all(&text, "<id>"));
}

async fn import(t: &mut Harness, path: &str) {
    t.key(KeyCode::Char('I')).await;
    t.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    t.type_text(path).await;
    t.key(KeyCode::Enter).await;
}

/// The rows of the screen between the line holding `title` and the next pane border below.
fn pane_text(screen: &str, title: &str) -> String {
    screen
        .lines()
        .skip_while(|l| !l.contains(title))
        .take(12)
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn importing_a_file_shows_the_chosen_method_in_the_panes() {
    let mut t = Harness::open(Some("mock.toml"), 120, 40).await;
    // Tab completes the file name from the folder (read off the loop).
    t.key(KeyCode::Char('I')).await;
    assert_eq!(t.app().overlay(), Some(&Overlay::ImportPath));
    t.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    t.type_text("tests/fixtures/import/pets").await;
    t.key(KeyCode::Tab).await;
    assert_eq!(t.app().import().path(), PETSTORE);
    t.key(KeyCode::Enter).await;

    let screen = t.screen();
    assert!(
        screen.contains("Import PetStore from petstore-oas3.yaml"),
        "{screen}"
    );
    assert!(screen.contains("GET     /pets/{petId}  HTTP"), "{screen}");
    assert!(screen.contains("1 import warning"), "{screen}");
    t.key(KeyCode::Char('w')).await;
    let screen = t.screen();
    assert!(
        screen.contains("tests/fixtures/import/petstore-oas3.yaml:94: stage variable"),
        "{screen}"
    );
    t.key(KeyCode::Char('w')).await;

    // GET /pets/{petId}: an HTTP integration with a response template.
    t.key(KeyCode::Down).await;
    t.key(KeyCode::Down).await;
    t.key(KeyCode::Enter).await;
    assert_eq!(t.app().overlay(), None);
    assert_eq!(t.app().session().name, "PetStore");
    let screen = t.screen();
    let integration = pane_text(&screen, "Integration");
    assert!(
        integration.contains("method      GET /pets/{petId}"),
        "{integration}"
    );
    assert!(integration.contains("type        HTTP"), "{integration}");
    assert!(
        integration.contains("http://${stageVariables.backend"),
        "{integration}"
    );
    assert!(
        screen.contains("GET /dev/pets/1"),
        "the request pane: {screen}"
    );
    // The template pane shows the method's response template (its only one).
    assert!(screen.contains("backendPath"), "{screen}");
    assert!(screen.contains("[new]"), "unsaved import marker: {screen}");
    // The echo backend answered through the HTTP integration.
    assert_eq!(t.app().trace().map(|t| t.trace.response.status), Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_saves_as_a_new_file_beside_the_open_session() {
    let dir = std::env::temp_dir().join(format!("gatebench-tui-import-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let session = dir.join("mock.toml");
    std::fs::copy(fixture("mock.toml"), &session).unwrap();
    // Someone else's file with the name the import would take.
    std::fs::write(dir.join("petstore.toml"), "not mine to replace").unwrap();
    let app = App::open(Some(&session), AppOptions::default());
    let mut t = Harness::with_app(app, 100, 30).await;

    import(&mut t, PETSTORE).await;
    t.key(KeyCode::Down).await;
    t.key(KeyCode::Enter).await;
    assert_eq!(t.app().session_path(), None);
    t.key_mod(KeyCode::Char('s'), KeyModifiers::CONTROL).await;
    let saved = dir.join("petstore-2.toml");
    assert_eq!(t.app().session_path(), Some(saved.as_path()));
    assert!(
        t.screen().contains(&format!("Saved {}", saved.display())),
        "{}",
        t.screen()
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("petstore.toml")).unwrap(),
        "not mine to replace"
    );
    let back = gatebench::session::Session::load(&saved).unwrap();
    assert_eq!(back.name, "PetStore");
    assert_eq!(back.requests.len(), 5);
    assert!(!t.screen().contains("[new]"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_as_curl_then_paste_adds_the_same_request() {
    let mut t = Harness::open(Some("mock.toml"), 120, 40).await;
    // Focus the Request pane (Template -> Integration -> Request) and copy it as curl.
    t.key(KeyCode::BackTab).await;
    t.key(KeyCode::BackTab).await;
    assert_eq!(t.app().focus(), Pane::Request);
    t.key(KeyCode::Char('y')).await;
    let copied = t.clipboard.lock().unwrap().last().cloned().expect("a copy");
    assert!(copied.starts_with("curl "), "{copied}");
    let original = t.app().request().unwrap().clone();
    let n = t.app().session().requests.len();

    t.key(KeyCode::Char('c')).await;
    t.rt.handle_event(Event::Paste(copied));
    t.settle().await;
    t.key(KeyCode::Enter).await;
    assert_eq!(t.app().overlay(), None);
    assert_eq!(t.app().session().requests.len(), n + 1);
    let mut added = t.app().request().unwrap().clone();
    assert!(added.name.starts_with("curl: POST"), "{}", added.name);
    added.name.clone_from(&original.name);
    assert_eq!(added, original);
    let screen = t.screen();
    assert!(screen.contains("Added request"), "{screen}");
    assert!(t.app().is_dirty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlay_snapshots() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        import(&mut t, PETSTORE).await;
        snap(&format!("import_operations_{w}x{h}"), &t.screen());
        t.key(KeyCode::Esc).await;

        t.key(KeyCode::Char('c')).await;
        t.rt.handle_event(Event::Paste(
            "curl -X POST \\\n  'https://abc.execute-api.us-east-1.amazonaws.com/dev/pets/7' \\\n  -H 'Content-Type: application/json' \\\n  -F 'x=y'"
                .into(),
        ));
        t.settle().await;
        snap(&format!("curl_prompt_{w}x{h}"), &t.screen());
        t.key(KeyCode::Enter).await;
        snap(&format!("curl_prompt_error_{w}x{h}"), &t.screen());
    }
    // The path prompt with candidates, and the warnings.
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    t.key(KeyCode::Char('I')).await;
    t.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    t.type_text("tests/fixtures/import/s").await;
    t.key(KeyCode::Tab).await;
    snap("import_path_candidates_80x24", &t.screen());
    t.key_mod(KeyCode::Char('u'), KeyModifiers::CONTROL).await;
    t.type_text("tests/fixtures/import/broken.yaml").await;
    t.key(KeyCode::Enter).await;
    snap("import_path_error_80x24", &t.screen());
    import(&mut t, "tests/fixtures/import/unsupported.yaml").await;
    t.key(KeyCode::Char('w')).await;
    snap("import_warnings_80x24", &t.screen());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_lists_the_new_keys() {
    let mut t = Harness::open(Some("mock.toml"), 120, 160).await;
    t.key(KeyCode::Char('?')).await;
    let screen = t.screen();
    for (key, what) in [
        (
            "I",
            "import an API definition (OpenAPI, CloudFormation, SAM)",
        ),
        ("c", "add a request from a curl command (paste or type it)"),
        ("tab", "complete the file name"),
        ("w", "show or hide the import warnings (file:line)"),
    ] {
        let line = format!("  {key:<16}{what}");
        assert!(screen.contains(&line), "{line:?} in\n{screen}");
    }
    for heading in [
        "Import: the path prompt",
        "Import: the imported operations",
        "Curl prompt (paste or type; a line ending in \\ continues)",
    ] {
        assert!(screen.contains(heading), "{heading:?} in\n{screen}");
    }
}

/// An imported URI keeps its `${Name}` references; the Integration pane also shows what runs
/// use, from the session's [values].
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_integration_pane_shows_the_uri_runs_use() {
    let imported = gatebench::import::import_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import/sam-app.yaml"),
    )
    .unwrap();
    let session = imported.session;
    let get_pet = session
        .requests
        .iter()
        .position(|r| r.name == "GET /pets/{petId}")
        .unwrap();
    let app = App::new(
        session,
        None,
        AppOptions {
            size: (200, 50),
            ..AppOptions::default()
        },
    );
    let mut t = Harness::with_app(app, 200, 50).await;
    for _ in 0..get_pet {
        t.key(KeyCode::Char('>')).await;
    }
    let integration = pane_text(&t.screen(), "Integration");
    assert!(
        integration.contains("${GetPetFunction.Arn}"),
        "{integration}"
    );
    assert!(
        integration.contains("runs as")
            && integration.contains("arn:aws:apigateway:us-east-1:lambda:path"),
        "{integration}"
    );
}
