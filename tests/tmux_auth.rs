//! End to end, authorization in the workbench: the real binary under tmux on the shipped
//! `sessions/auth-cognito.toml` at 120x40. The request without a token gets 401; `J` mints a
//! test JWT into its `Authorization` header and the run answers 200; a character typed onto
//! the token's signature brings 401 back, `u` takes the typing back (200), `u` again takes
//! the token back (401). The authorization stage's Backend pane shows the authorizer call.
//!
//! Needs tmux: without it the test fails saying so, unless `GATEBENCH_SKIP` names tmux.

mod common;

use std::path::Path;

use common::tmux::{Launch, Tmux};

fn start() -> Option<Tmux> {
    let session = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/auth-cognito.toml");
    Tmux::start(&Launch::new("auth-cognito", (120, 40)).session(session))
}

#[test]
fn a_minted_token_passes_and_a_tampered_or_removed_one_gets_401() {
    let Some(wb) = start() else { return };
    let tmux = &wb;
    tmux.wait_for("the first frame", |s| s.contains("NORMAL"));
    // The last saved request carries no token.
    tmux.keys(&["<"]);
    tmux.wait_for("the request without a token, 401", |s| {
        s.contains("no token (401)") && s.contains("Client response 401")
    });
    // Mint: the token goes into the header, the run answers 200.
    tmux.keys(&["J"]);
    let screen = tmux.wait_for("the minted token's 200", |s| {
        s.contains("Client response 200") && s.contains("Authorization: eyJ")
    });
    assert!(screen.contains("test token"), "{screen}");
    // The authorization stage: the authorizer call in the Backend pane.
    tmux.keys(&["n"]);
    tmux.wait_for("the authorization stage", |s| {
        s.lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("authorization:"))
            && s.contains("✓ authorized")
    });
    // Tamper: one character more on the signature.
    tmux.keys(&["i"]);
    tmux.wait_for("edit mode", |s| s.contains("EDIT"));
    tmux.keys(&["Down", "End"]);
    tmux.keys(&["-l", "x"]);
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("the tampered token's 401", |s| {
        s.contains("NORMAL") && s.contains("Client response 401")
    });
    assert!(
        screen.contains("the gateway answered 401"),
        "the Backend pane says why:\n{screen}"
    );
    // Undo the typing: 200 again; undo the token: 401.
    tmux.keys(&["u"]);
    tmux.wait_for("200 after undoing the typing", |s| {
        s.contains("Client response 200")
    });
    tmux.keys(&["u"]);
    // Everything taken back: the session is as its file (no `[+]`), so quitting asks nothing.
    let screen = tmux.wait_for("401 after undoing the token, the session clean", |s| {
        s.contains("Client response 401") && !s.contains("[+]")
    });
    assert!(!screen.contains("Authorization: eyJ"), "{screen}");
    tmux.keys(&["q"]);
    let end = tmux.wait_for("the exit", |s| s.contains("GATEBENCH_EXIT="));
    assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
}
