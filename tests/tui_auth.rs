//! The authorization stage in the workbench: the strip and the Backend pane at the stage
//! (snapshots at 80x24 and 120x40 of a Cognito token that verifies, one that is refused, and
//! an API key with its usage plan counters), the Rendered pane's `$context.authorizer`, and
//! the mint key: a fresh test JWT into the request's header as one edit to undo, or a status
//! saying the session has no key to sign with.

mod tui_support;

use crossterm::event::KeyCode;
use gatebench::app::Pane;
use gatebench::gateway::trace::Stage;
use tui_support::{Harness, stable};

/// A teaching session, reached from the fixtures folder.
fn teaching(name: &str) -> String {
    format!("../../sessions/{name}")
}

fn snap(name: &str, screen: &str) {
    insta::assert_snapshot!(name, stable(screen));
}

/// The status of the client's answer on screen.
fn status(t: &Harness) -> u16 {
    t.app().trace().map_or(0, |v| v.trace.response.status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verified_cognito_token_at_the_authorization_stage() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some(&teaching("auth-cognito.toml")), w, h).await;
        assert_eq!(status(&t), 200);
        t.key(KeyCode::Char('n')).await;
        assert_eq!(t.app().stage(), Stage::Authorization);
        let screen = t.screen();
        assert!(
            screen.lines().nth(1).unwrap_or_default().starts_with(
                "authorization: Checks the API key (x-api-key) and runs the method's authorizer"
            ),
            "{screen}"
        );
        assert!(screen.contains("✓ authorized"), "{screen}");
        snap(&format!("cognito_verified_{w}x{h}"), &screen);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_cognito_token_shows_the_answer_and_the_unverified_claims() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some(&teaching("auth-cognito.toml")), w, h).await;
        // The tampered token (the fifth saved request).
        for _ in 0..4 {
            t.key(KeyCode::Char('>')).await;
        }
        assert_eq!(status(&t), 401);
        t.key(KeyCode::Char('n')).await;
        let screen = t.screen();
        assert!(screen.contains("✗ the gateway answered 401"), "{screen}");
        snap(&format!("cognito_refused_{w}x{h}"), &screen);
        // The answer in full and the claims the token carries, said not verified, further
        // down the pane.
        let text = t.app().authorization_text().unwrap();
        let all: Vec<String> = (0..text.len())
            .map(|i| text.line(i).text.to_string())
            .collect();
        assert_eq!(all[0], "✗ the gateway answered 401 (UNAUTHORIZED)");
        assert!(
            all.iter()
                .any(|l| l.contains("token claims (as the token says; NOT verified)")),
            "{all:?}"
        );
        assert!(all.iter().any(|l| l.contains("platinum")), "{all:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_key_with_its_usage_plan_counters() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some(&teaching("auth-api-key.toml")), w, h).await;
        assert_eq!(status(&t), 200);
        t.key(KeyCode::Char('n')).await;
        let screen = t.screen();
        assert!(screen.contains("usage plan gold:"), "{screen}");
        snap(&format!("api_key_{w}x{h}"), &screen);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rendered_pane_says_what_reaches_context_authorizer() {
    let mut t = Harness::open(Some(&teaching("auth-cognito.toml")), 120, 40).await;
    t.key(KeyCode::Char('n')).await;
    let screen = t.screen();
    assert!(
        screen.contains("$context.authorizer (the map the templates see"),
        "{screen}"
    );
    assert!(screen.contains("\"cognito:username\": \"ana\""), "{screen}");
    // The Template pane's footer names the keys.
    assert!(screen.contains("$context.authorizer.claims"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strip_keeps_every_stage_with_authorization_at_60x16() {
    let mut t = Harness::open(Some(&teaching("auth-cognito.toml")), 60, 16).await;
    let screen = t.screen();
    let strip = screen.lines().next().unwrap_or_default();
    for stage in [
        "route ✓",
        "auth ✓",
        "m.req ✓",
        "i.req ✓",
        "backend –",
        "i.resp ✓",
        "m.resp ✓",
    ] {
        assert!(strip.contains(stage), "{stage} in {strip:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mint_key_puts_a_token_in_the_header_as_one_edit() {
    let mut t = Harness::open(Some(&teaching("auth-cognito.toml")), 120, 40).await;
    // "no token (401)": the last saved request.
    t.key(KeyCode::Char('<')).await;
    assert_eq!(t.app().request().unwrap().name, "no token (401)");
    assert_eq!(status(&t), 401);
    t.key(KeyCode::Char('J')).await;
    t.step_until("the minted token's run", |a| {
        a.trace().is_some_and(|v| v.trace.response.status == 200)
    })
    .await;
    let r = t.app().request().unwrap();
    let (name, token) = r
        .headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .expect("the token header");
    assert_eq!(name, "Authorization");
    assert_eq!(token.split('.').count(), 3, "{token}");
    assert_eq!(t.app().focus(), Pane::Request);
    let said = t.app().status().unwrap().text.clone();
    assert!(said.contains("test token"), "{said}");
    assert!(t.app().is_dirty());
    // One undo takes it all back.
    t.key(KeyCode::Char('u')).await;
    t.step_until("the run without the token", |a| {
        a.trace().is_some_and(|v| v.trace.response.status == 401)
    })
    .await;
    assert!(
        t.app()
            .request()
            .unwrap()
            .headers
            .iter()
            .all(|(k, _)| k != "Authorization")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mint_key_says_when_the_session_has_no_key() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    let before = t.app().request().cloned();
    t.key(KeyCode::Char('J')).await;
    let said = t.app().status().unwrap().text.clone();
    assert!(
        said.contains("no Cognito user pool authorizer with a local key"),
        "{said}"
    );
    assert_eq!(t.app().request().cloned(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_auth_teaching_sessions_open_clean_and_point_at_the_stage() {
    for name in [
        "auth-api-key.toml",
        "auth-lambda-token.toml",
        "auth-cognito.toml",
    ] {
        let t = Harness::open(Some(&teaching(name)), 120, 40).await;
        assert!(!t.app().is_dirty(), "{name}");
        assert!(
            t.app()
                .status()
                .is_none_or(|s| s.kind != gatebench::app::StatusKind::Error),
            "{name}: {:?}",
            t.app().status()
        );
        let explanation = &t.app().session().explanation;
        assert!(
            explanation.contains("the authorization stage (n, right after routing)"),
            "{name}"
        );
        // What to try: a request without the credential, then one with it.
        assert!(
            explanation.contains("no token (401)") || explanation.contains("no key (403)"),
            "{name}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_help_lists_the_mint_key() {
    let mut t = Harness::open(Some("mock.toml"), 120, 40).await;
    t.key(KeyCode::Char('?')).await;
    let mut found = false;
    for _ in 0..80 {
        let screen = t.screen();
        if let Some(line) = screen.lines().find(|l| l.contains("put a fresh test JWT")) {
            assert!(line.contains(" J "), "{line}");
            found = true;
            break;
        }
        t.key(KeyCode::Char('j')).await;
    }
    assert!(found, "the help names the mint key");
}
