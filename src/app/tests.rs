//! `update()` unit tests: build an `App`, feed messages, check the state and the effects.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

use super::test_support::{act, app, ctrl, drawn, key, typed};
use super::*;
use crate::app::view_model::Highlighted;
use crate::app::views::{RenderOutcome, RenderedOutput, TraceOutcome, TraceView};
use crate::gateway::Phase;
use crate::gateway::api::IntegrationType;
use crate::gateway::trace::{HttpMessage, Stage, Trace};

fn renders(fx: &[Effect]) -> Vec<&effect::RenderRequest> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Render(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn has_run(fx: &[Effect]) -> bool {
    fx.iter().any(|e| matches!(e, Effect::RunPipeline(_)))
}

fn trace_with_backend(body: &str) -> Trace {
    Trace {
        endpoint_response: Some(HttpMessage {
            status: 200,
            body: body.as_bytes().to_vec(),
            ..HttpMessage::default()
        }),
        response: HttpMessage {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: b"{\"ok\": true}".to_vec(),
            ..HttpMessage::default()
        },
        log: (0..50).map(|i| format!("log line {i}")).collect(),
        ..Trace::default()
    }
}

fn deliver_trace(app: &mut App, generation: u64, trace: Trace) -> Vec<Effect> {
    update(
        app,
        Msg::Traced(TraceOutcome {
            generation,
            result: Ok(Box::new(TraceView::new(trace))),
        }),
    )
}

fn run_generation(fx: &[Effect]) -> u64 {
    fx.iter()
        .find_map(|e| match e {
            Effect::RunPipeline(p) => Some(p.generation),
            _ => None,
        })
        .expect("a pipeline run")
}

#[test]
fn start_renders_highlights_and_runs_live() {
    let mut a = app();
    let fx = a.start();
    let r = renders(&fx);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].phase, Phase::Request);
    assert!(r[0].template.contains("statusCode"));
    assert!(fx.iter().any(|e| matches!(e, Effect::Highlight(_))));
    assert!(has_run(&fx), "MOCK runs live");
    assert!(a.animating());
    assert_eq!(a.focus(), Pane::Template);
    assert!(!a.is_dirty());
}

#[test]
fn help_toggles_and_takes_keys_first() {
    let mut a = app();
    key(&mut a, KeyCode::Char('?'));
    assert_eq!(a.overlay(), Some(&Overlay::Help { scroll: 0 }));
    key(&mut a, KeyCode::Char('j'));
    assert_eq!(a.overlay(), Some(&Overlay::Help { scroll: 1 }));
    // q closes the help instead of quitting.
    let fx = key(&mut a, KeyCode::Char('q'));
    assert!(fx.is_empty());
    assert_eq!(a.overlay(), None);
    assert!(!a.quitting());
}

#[test]
fn quit_asks_only_when_dirty() {
    let mut a = app();
    assert_eq!(key(&mut a, KeyCode::Char('q')), vec![Effect::Quit]);
    let mut a = app();
    act(&mut a, Action::CycleType);
    assert!(a.is_dirty());
    assert!(key(&mut a, KeyCode::Char('q')).is_empty());
    assert_eq!(a.overlay(), Some(&Overlay::ConfirmQuit));
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.overlay(), None);
    key(&mut a, KeyCode::Char('q'));
    assert_eq!(key(&mut a, KeyCode::Char('y')), vec![Effect::Quit]);
    assert!(a.quitting());
    // ConfirmYes without a question does nothing.
    let mut b = app();
    assert!(act(&mut b, Action::ConfirmYes).is_empty());
}

#[test]
fn force_quit_works_while_editing() {
    let mut a = app();
    key(&mut a, KeyCode::Char('i'));
    assert_eq!(a.mode(), Mode::Editing);
    assert_eq!(ctrl(&mut a, 'c'), vec![Effect::Quit]);
}

#[test]
fn focus_cycles_and_leaves_editing() {
    let mut a = app();
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.mode(), Mode::Editing);
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.mode(), Mode::Normal);
    key(&mut a, KeyCode::Tab);
    assert_eq!(a.focus(), Pane::Rendered);
    update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
    );
    assert_eq!(a.focus(), Pane::Template);
    for _ in 0..7 {
        act(&mut a, Action::FocusNext);
    }
    assert_eq!(a.focus(), Pane::Template);
    act(&mut a, Action::FocusPrev);
    assert_eq!(a.focus(), Pane::Integration);
}

#[test]
fn edit_only_editable_panes() {
    let mut a = app();
    act(&mut a, Action::FocusNext); // Rendered
    act(&mut a, Action::Edit);
    assert_eq!(a.mode(), Mode::Normal);
    assert!(a.status().unwrap().text.contains("read-only"));
    act(&mut a, Action::FocusPrev);
    act(&mut a, Action::Edit);
    assert_eq!(a.mode(), Mode::Editing);
    assert!(a.template_editor().is_active());
    act(&mut a, Action::LeaveEdit);
    assert!(!a.template_editor().is_active());
}

#[test]
fn typing_updates_the_session_and_rerenders_with_new_generations() {
    let mut a = app();
    let start = a.start();
    let g0 = renders(&start)[0].generation;
    key(&mut a, KeyCode::Char('i'));
    let fx = typed(&mut a, "##x");
    let r = renders(&fx);
    assert_eq!(r.len(), 1);
    assert!(r[0].generation > g0 + 2, "one generation per keystroke");
    assert!(r[0].template.starts_with("##x"));
    assert!(has_run(&fx), "MOCK re-runs live");
    assert!(fx.iter().any(|e| matches!(e, Effect::Highlight(_))));
    let stored = a
        .template_slot()
        .unwrap()
        .text(a.method().unwrap())
        .unwrap();
    assert!(stored.starts_with("##x"));
    assert!(a.is_dirty());
    // While editing, q types a q.
    key(&mut a, KeyCode::Char('q'));
    assert!(!a.quitting());
    assert!(a.template_editor().text().starts_with("##xq"));
}

#[test]
fn stale_results_are_dropped() {
    let mut a = app();
    let start = a.start();
    let old = renders(&start)[0].generation;
    key(&mut a, KeyCode::Char('i'));
    let fx = typed(&mut a, "#if(");
    let new = renders(&fx)[0].generation;
    let result = |generation| {
        Msg::Rendered(RenderOutcome {
            generation,
            result: Ok(RenderedOutput::new("{}".into())),
            findings: Vec::new(),
        })
    };
    update(&mut a, result(old));
    assert!(a.rendered().is_none(), "stale render dropped");
    assert!(a.render_pending());
    update(&mut a, result(new));
    assert_eq!(a.rendered().unwrap().generation, new);
    assert!(!a.render_pending());
    // Highlights too.
    update(
        &mut a,
        Msg::Highlighted(Highlighted {
            generation: 0,
            rows: vec![vec![(0..1, ratatui::style::Style::default())]],
        }),
    );
    assert_eq!(a.template_editor().highlighted_rows(), 0);
}

#[test]
fn template_errors_mark_the_editor() {
    let mut a = app();
    let fx = a.start();
    let g = renders(&fx)[0].generation;
    let err = crate::vtl::VtlError {
        kind: crate::vtl::ErrorKind::Parse,
        offset: 0,
        line: 2,
        col: 3,
        message: "boom".into(),
    };
    update(
        &mut a,
        Msg::Rendered(RenderOutcome {
            generation: g,
            result: Err(views::RenderFailure::Template(err)),
            findings: Vec::new(),
        }),
    );
    assert_eq!(a.template_error().unwrap().message, "boom");
    assert_eq!(a.template_editor().error(), Some((1, 2)));
}

#[test]
fn stages_step_and_select_the_template_they_render() {
    let mut a = app();
    assert_eq!(a.stage(), Stage::Routing);
    act(&mut a, Action::PrevStage);
    assert_eq!(a.stage(), Stage::Routing);
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.stage(), Stage::Authorization);
    key(&mut a, KeyCode::Char('n'));
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.stage(), Stage::IntegrationRequest);
    assert_eq!(a.template_slot().unwrap().phase, Phase::Request);
    key(&mut a, KeyCode::Char('n'));
    let fx = key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.stage(), Stage::IntegrationResponse);
    assert_eq!(a.template_slot().unwrap().phase, Phase::Response);
    assert_eq!(renders(&fx)[0].phase, Phase::Response);
    key(&mut a, KeyCode::Char('n'));
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.stage(), Stage::MethodResponse);
    key(&mut a, KeyCode::Char('p'));
    assert_eq!(a.stage(), Stage::IntegrationResponse);
}

#[test]
fn stepping_selects_the_response_template_the_trace_used() {
    let mut a = app();
    let g = run_generation(&a.start());
    let mut t = trace_with_backend("{}");
    // The built-in session's 404 template, as the trace carries it.
    let text404 = crate::session::Session::builtin_default().api.resources[0].methods["POST"]
        .integration
        .integration_responses["404"]
        .response_templates["application/json"]
        .clone();
    t.response_template = Some(crate::gateway::trace::RenderedTemplate {
        content_type: "application/json".into(),
        response: None,
        template: text404,
        output: Ok(String::new()),
    });
    deliver_trace(&mut a, g, t);
    for _ in 0..5 {
        act(&mut a, Action::NextStage);
    }
    assert_eq!(a.template_slot().unwrap().response.as_deref(), Some("404"));
}

#[test]
fn run_all_and_send_run_the_pipeline() {
    let mut a = app();
    let fx = key(&mut a, KeyCode::Char('r'));
    assert!(has_run(&fx));
    assert_eq!(a.stage(), Stage::MethodResponse);
    let fx = key(&mut a, KeyCode::Char('s'));
    let g = run_generation(&fx);
    assert_eq!(a.run_state(), RunState::Running { generation: g });
    deliver_trace(&mut a, g, trace_with_backend("{}"));
    assert_eq!(a.run_state(), RunState::Idle);
    assert_eq!(a.trace().unwrap().trace.response.status, 200);
}

#[test]
fn cancel_stops_the_call_and_drops_its_result() {
    let mut a = app();
    let g = run_generation(&act(&mut a, Action::Send));
    assert_eq!(key(&mut a, KeyCode::Esc), vec![Effect::CancelPipeline]);
    assert_eq!(a.run_state(), RunState::Idle);
    deliver_trace(&mut a, g, trace_with_backend("{}"));
    assert!(a.trace().is_none(), "a cancelled call's result is dropped");
    // With nothing running, Esc unzooms, then clears the message.
    act(&mut a, Action::Zoom);
    act(&mut a, Action::Cancel);
    assert!(!a.zoomed());
    act(&mut a, Action::Cancel);
    assert!(a.status().is_none());
}

#[test]
fn a_newer_run_replaces_an_older_one() {
    let mut a = app();
    let g1 = run_generation(&act(&mut a, Action::Send));
    let g2 = run_generation(&act(&mut a, Action::Send));
    assert!(g2 > g1);
    deliver_trace(&mut a, g1, trace_with_backend("old"));
    assert!(a.trace().is_none());
    assert!(a.animating());
    deliver_trace(&mut a, g2, trace_with_backend("new"));
    assert!(a.trace().is_some());
}

#[test]
fn a_message_standing_for_a_run_ends_with_it() {
    let mut a = app();
    // Sent, then replaced by a newer run started without a key: the message goes with it.
    act(&mut a, Action::Send);
    assert_eq!(a.status().unwrap().text, "Sending the request…");
    let g = run_generation(&act(&mut a, Action::RunAll));
    assert!(a.status().is_none(), "{:?}", a.status());
    deliver_trace(&mut a, g, trace_with_backend("{}"));
    assert!(a.status().is_none(), "{:?}", a.status());
    // Sent and back: its outcome instead.
    let g = run_generation(&act(&mut a, Action::Send));
    deliver_trace(&mut a, g, trace_with_backend("{}"));
    assert_eq!(a.status().unwrap().text, "Client got 200");
    // Sent and cancelled: said so.
    act(&mut a, Action::Send);
    act(&mut a, Action::Cancel);
    assert_eq!(a.status().unwrap().text, "Cancelled the call");
}

#[test]
fn the_strip_follows_a_template_chosen_by_hand() {
    let mut a = app();
    // At routing no template is the stage's: the strip stays.
    key(&mut a, KeyCode::Char(']'));
    assert_eq!(a.stage(), Stage::Routing);
    key(&mut a, KeyCode::Char('['));
    key(&mut a, KeyCode::Char('n'));
    key(&mut a, KeyCode::Char('n'));
    key(&mut a, KeyCode::Char('n'));
    assert_eq!(a.stage(), Stage::IntegrationRequest);
    assert_eq!(a.template_slot().unwrap().phase, Phase::Request);
    key(&mut a, KeyCode::Char(']'));
    assert_eq!(a.template_slot().unwrap().phase, Phase::Response);
    assert_eq!(a.stage(), Stage::IntegrationResponse);
    key(&mut a, KeyCode::Char('['));
    assert_eq!(a.stage(), Stage::IntegrationRequest);
}

#[test]
fn failed_runs_show_an_error() {
    let mut a = app();
    let g = run_generation(&act(&mut a, Action::Send));
    update(
        &mut a,
        Msg::Traced(TraceOutcome {
            generation: g,
            result: Err("The request cannot be sent: bad base64".into()),
        }),
    );
    assert_eq!(a.status().unwrap().kind, StatusKind::Error);
}

#[test]
fn cycling_the_type_changes_every_pane_input() {
    let mut a = app();
    let fx = key(&mut a, KeyCode::Char('t'));
    assert_eq!(a.integration_kind(), Some(IntegrationType::Aws));
    assert!(a.is_dirty());
    assert_eq!(renders(&fx).len(), 1);
    assert!(has_run(&fx), "echo backend runs live");
    assert!(a.status().unwrap().text.contains("AWS"));
    let fx = key(&mut a, KeyCode::Char('t'));
    assert_eq!(a.integration_kind(), Some(IntegrationType::AwsProxy));
    assert!(renders(&fx).is_empty(), "proxies use no template");
    assert!(a.rendered().is_none());
    assert!(!a.render_pending());
    for _ in 0..3 {
        act(&mut a, Action::CycleType);
    }
    assert_eq!(a.integration_kind(), Some(IntegrationType::Mock));
}

#[test]
fn non_live_backends_wait_for_send() {
    let mut s = Session::builtin_default();
    s.backend = crate::backend::BackendConfig::Http;
    let mut a = App::new(s, None, AppOptions::default());
    // MOCK is always live.
    assert!(has_run(&a.start()));
    let fx = act(&mut a, Action::CycleType);
    assert_eq!(a.integration_kind(), Some(IntegrationType::Aws));
    assert!(!has_run(&fx), "a real backend runs only when asked");
    assert!(a.trace().is_none());
    assert!(has_run(&act(&mut a, Action::Send)));
}

#[test]
fn save_is_an_effect_and_its_result_clears_dirty() {
    let mut a = app();
    act(&mut a, Action::CycleType);
    let fx = ctrl(&mut a, 's');
    let [Effect::Save { path, revision, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(path, &PathBuf::from(DEFAULT_SAVE_PATH));
    let revision = *revision;
    update(
        &mut a,
        Msg::Saved {
            path: PathBuf::from("x.toml"),
            revision,
            result: Err("disk full".into()),
            stamp: None,
        },
    );
    assert!(a.is_dirty());
    assert_eq!(a.status().unwrap().kind, StatusKind::Error);
    update(
        &mut a,
        Msg::Saved {
            path: PathBuf::from("x.toml"),
            revision,
            result: Ok(()),
            stamp: None,
        },
    );
    assert!(!a.is_dirty());
    assert_eq!(a.session_path(), Some(std::path::Path::new("x.toml")));
    // Saving while editing.
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "x");
    let fx = ctrl(&mut a, 's');
    assert!(
        matches!(fx.as_slice(), [Effect::Save { path, .. }] if path == &PathBuf::from("x.toml"))
    );
    // An edit made after the save started keeps the session dirty.
    typed(&mut a, "y");
    update(
        &mut a,
        Msg::Saved {
            path: PathBuf::from("x.toml"),
            revision: revision + 1,
            result: Ok(()),
            stamp: None,
        },
    );
    assert!(a.is_dirty());
}

/// A save that finds the file changed on disk writes nothing and asks; yes saves over it
/// (forced), no keeps the edits and the file as they are.
#[test]
fn a_file_changed_on_disk_is_not_overwritten_without_asking() {
    use crate::app::conflict::SaveConflict;
    use crate::session::file::Stamp;
    let mut a = app();
    act(&mut a, Action::CycleType);
    update(
        &mut a,
        Msg::Saved {
            path: PathBuf::from("x.toml"),
            revision: 0,
            result: Ok(()),
            stamp: Some(Stamp::of(b"as saved")),
        },
    );
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "x");
    key(&mut a, KeyCode::Esc);
    let fx = ctrl(&mut a, 's');
    let [
        Effect::Save {
            revision,
            expect,
            force: false,
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(
        *expect,
        Some(Stamp::of(b"as saved")),
        "the save expects the file as saved"
    );
    let conflict = SaveConflict::new(PathBuf::from("x.toml"), *revision, "a = 1\n", "a = 2\n");
    update(&mut a, Msg::SaveConflict(conflict.clone()));
    assert_eq!(a.overlay(), Some(&Overlay::ConfirmOverwrite { scroll: 0 }));
    assert_eq!(a.save_conflict(), Some(&conflict));
    assert!(a.is_dirty());
    assert!(a.status().unwrap().text.contains("changed on disk"));
    // No: nothing is written, the edits stay.
    let fx = key(&mut a, KeyCode::Char('n'));
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(a.overlay(), None);
    assert!(a.is_dirty());
    // Save again, same answer from disk; yes overwrites.
    ctrl(&mut a, 's');
    update(&mut a, Msg::SaveConflict(conflict));
    let fx = key(&mut a, KeyCode::Char('y'));
    assert!(
        matches!(fx.as_slice(), [Effect::Save { path, force: true, .. }] if path == &PathBuf::from("x.toml")),
        "{fx:?}"
    );
    assert_eq!(a.overlay(), None);
}

/// A search match is shown selected; editing afterwards inserts where the user types and
/// never replaces the match (or, after ctrl+end, everything from it to the end).
#[test]
fn a_search_match_is_never_replaced_by_typing() {
    let press = |a: &mut App, code: KeyCode, mods: KeyModifiers| {
        update(a, Msg::Key(KeyEvent::new(code, mods)))
    };
    let mut a = app();
    let before = a.template_editor().text();
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "statuscode");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('i'));
    press(&mut a, KeyCode::End, KeyModifiers::CONTROL);
    typed(&mut a, "ZZZ");
    let after = a.template_editor().text();
    assert_eq!(
        after,
        format!("{before}ZZZ"),
        "ctrl+end goes to the end of the text"
    );
    // The same with a plain letter right after the search.
    let mut a = app();
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "statusCode");
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "Q");
    let after = a.template_editor().text();
    assert_eq!(after.len(), before.len() + 1, "{after}");
    assert!(after.contains("statusCode"), "{after}");
    // ctrl+home goes to the very start.
    press(&mut a, KeyCode::Home, KeyModifiers::CONTROL);
    typed(&mut a, "S");
    assert!(a.template_editor().text().starts_with('S'));
}

#[test]
fn zoom_toggles() {
    let mut a = app();
    key(&mut a, KeyCode::Char('z'));
    assert!(a.zoomed());
    key(&mut a, KeyCode::Char('z'));
    assert!(!a.zoomed());
}

#[test]
fn copy_depends_on_the_focused_pane() {
    let mut a = app();
    let fx = key(&mut a, KeyCode::Char('y'));
    let [Effect::Copy { text, what }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(what, "template");
    assert!(text.contains("statusCode"));
    a.chrome.focus = Pane::Request;
    let fx = act(&mut a, Action::Copy);
    let [Effect::Copy { text, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(
        text.starts_with("curl -X POST https://a1b2c3d4e5.execute-api"),
        "{text}"
    );
    a.chrome.focus = Pane::Log;
    assert!(act(&mut a, Action::Copy).is_empty(), "nothing to copy yet");
    update(
        &mut a,
        Msg::Copied {
            what: "log".into(),
            result: Ok(3),
        },
    );
    assert_eq!(a.status().unwrap().text, "Copied log (3 bytes)");
}

#[test]
fn templates_cycle_and_response_templates_read_the_backend() {
    let mut a = app();
    let g = run_generation(&a.start());
    deliver_trace(&mut a, g, trace_with_backend("{\"from\": \"backend\"}"));
    let fx = key(&mut a, KeyCode::Char(']'));
    assert_eq!(a.template_index(), 1);
    let r = renders(&fx);
    assert_eq!(r[0].phase, Phase::Response);
    let ir = r[0].integration_response.as_ref().unwrap();
    assert_eq!(ir["body"], "{\"from\": \"backend\"}");
    assert!(a.template_editor().text().contains("toUpperCase"));
    key(&mut a, KeyCode::Char('['));
    key(&mut a, KeyCode::Char('['));
    assert_eq!(a.template_index(), 2, "wraps around");
    // A new trace re-renders a response template.
    let g = run_generation(&act(&mut a, Action::Send));
    let fx = deliver_trace(&mut a, g, trace_with_backend("{}"));
    assert_eq!(renders(&fx).len(), 1);
}

#[test]
fn next_request_switches_and_reroutes() {
    let mut a = app();
    let fx = key(&mut a, KeyCode::Char('>'));
    assert_eq!(a.request_index(), 1);
    assert!(a.request_editor().text().starts_with("POST /dev/pets/0"));
    assert!(has_run(&fx));
    let r = renders(&fx);
    assert_eq!(r[0].request.as_ref().unwrap().path_parameters["petId"], "0");
}

#[test]
fn prev_request_goes_back_and_wraps_around() {
    let mut a = app();
    let n = a.session().requests.len();
    assert!(n >= 2, "the fixture has several saved requests");
    let fx = key(&mut a, KeyCode::Char('<'));
    assert_eq!(a.request_index(), n - 1, "from the first back to the last");
    assert!(has_run(&fx));
    assert!(
        a.status()
            .unwrap()
            .text
            .starts_with(&format!("Request {n}/{n}")),
        "{:?}",
        a.status()
    );
    key(&mut a, KeyCode::Char('<'));
    assert_eq!(a.request_index(), n - 2);
    key(&mut a, KeyCode::Char('>'));
    assert_eq!(a.request_index(), n - 1);
    key(&mut a, KeyCode::Char('>'));
    assert_eq!(a.request_index(), 0, "> wraps the other way");
    // The request text follows.
    let first = a.request_editor().text();
    key(&mut a, KeyCode::Char('<'));
    assert_ne!(a.request_editor().text(), first);
    // A session with one request says so.
    let mut one = app();
    std::sync::Arc::make_mut(&mut one.workspace.session)
        .requests
        .truncate(1);
    key(&mut one, KeyCode::Char('<'));
    assert_eq!(one.request_index(), 0);
    assert!(
        one.status()
            .unwrap()
            .text
            .contains("only one saved request")
    );
}

#[test]
fn editing_the_request_reroutes_or_reports_errors() {
    let mut a = app();
    a.chrome.focus = Pane::Request;
    key(&mut a, KeyCode::Char('i'));
    // Break the request line: "XPOST /dev/pets/7" is still valid; "X POST ..." is not.
    let fx = typed(&mut a, "X ");
    assert!(fx.is_empty());
    assert_eq!(a.request_error().unwrap().line, 1);
    key(&mut a, KeyCode::Backspace);
    let fx = key(&mut a, KeyCode::Backspace);
    assert!(a.request_error().is_none());
    assert!(!renders(&fx).is_empty());
    // A path that routes nowhere.
    key(&mut a, KeyCode::End);
    let fx = typed(&mut a, "/x");
    assert!(!a.routed());
    assert!(has_run(&fx), "the gateway's 403 is worth showing");
}

#[test]
fn theme_cycles() {
    let mut a = app();
    let fx = key(&mut a, KeyCode::Char('T'));
    assert_eq!(a.theme().name(), "light");
    assert!(fx.iter().any(|e| matches!(e, Effect::Highlight(_))));
}

#[test]
fn scrolling_read_only_panes_is_bounded() {
    let mut a = app();
    let g = run_generation(&a.start());
    deliver_trace(&mut a, g, trace_with_backend("{}"));
    drawn(&mut a, &[(Pane::Log, Rect::new(82, 30, 38, 9))]);
    a.chrome.focus = Pane::Log;
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Down);
    assert_eq!(a.scroll(Pane::Log), 2);
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.scroll(Pane::Log), 1);
    // 50 log lines in a pane drawn 7 lines high: the last page starts at line 43.
    key(&mut a, KeyCode::Char('G'));
    assert_eq!(a.scroll(Pane::Log), 43);
    assert_eq!(a.max_scroll(Pane::Log), 43);
    act(&mut a, Action::PageDown);
    assert_eq!(a.scroll(Pane::Log), 43);
    act(&mut a, Action::PageUp);
    assert_eq!(a.scroll(Pane::Log), 23);
    // One line up from the bottom is visible at once.
    key(&mut a, KeyCode::Char('G'));
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(a.scroll(Pane::Log), 42);
    key(&mut a, KeyCode::Char('g'));
    assert_eq!(a.scroll(Pane::Log), 0);
    act(&mut a, Action::ScrollUp);
    assert_eq!(a.scroll(Pane::Log), 0);
}

#[test]
fn scrolling_the_template_moves_its_cursor() {
    let mut a = app();
    act(&mut a, Action::Bottom);
    assert!(a.template_editor().cursor().0 > 0);
    act(&mut a, Action::Top);
    assert_eq!(a.template_editor().cursor().0, 0);
    act(&mut a, Action::PageDown);
    act(&mut a, Action::ScrollDown);
}

#[test]
fn undo_and_redo() {
    let mut a = app();
    let before = a.template_editor().text();
    key(&mut a, KeyCode::Char('i'));
    typed(&mut a, "a");
    let fx = ctrl(&mut a, 'z');
    assert!(!renders(&fx).is_empty());
    assert_eq!(a.template_editor().text(), before);
    ctrl(&mut a, 'r');
    assert!(a.template_editor().text().starts_with('a'));
    // In normal mode too (u / ctrl+r).
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('u'));
    assert_eq!(a.template_editor().text(), before);
    act(&mut a, Action::Redo);
    assert!(a.template_editor().text().starts_with('a'));
    // Nothing to undo in a read-only pane.
    a.chrome.focus = Pane::Log;
    assert!(act(&mut a, Action::Undo).is_empty());
}

#[test]
fn paste_goes_to_the_editor_only_while_editing() {
    let mut a = app();
    assert!(update(&mut a, Msg::Paste("zz".into())).is_empty());
    key(&mut a, KeyCode::Char('i'));
    let fx = update(&mut a, Msg::Paste("## pasted\n".into()));
    assert!(!renders(&fx).is_empty());
    assert!(a.template_editor().text().starts_with("## pasted\n"));
}

#[test]
fn mouse_focuses_and_scrolls() {
    let mut a = app();
    update(&mut a, Msg::Resize(120, 40));
    drawn(&mut a, &[(Pane::Log, Rect::new(82, 30, 38, 9))]);
    update(&mut a, Msg::Click(Pane::Log));
    assert_eq!(a.focus(), Pane::Log);
    let g = run_generation(&act(&mut a, Action::Send));
    deliver_trace(&mut a, g, trace_with_backend("{}"));
    update(&mut a, Msg::Scroll(Pane::Log, 3));
    assert_eq!(a.scroll(Pane::Log), 3);
    update(&mut a, Msg::Scroll(Pane::Log, -3));
    assert_eq!(a.scroll(Pane::Log), 0);
    // An open overlay takes the mouse away from the panes.
    act(&mut a, Action::Help);
    update(&mut a, Msg::Click(Pane::Template));
    assert_eq!(a.focus(), Pane::Log);
}

#[test]
fn key_releases_and_resizes() {
    let mut a = app();
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    assert!(update(&mut a, Msg::Key(release)).is_empty());
    assert!(!a.quitting());
    update(&mut a, Msg::Resize(80, 24));
    assert_eq!(a.size(), (80, 24));
    update(&mut a, Msg::Tick);
    assert_eq!(a.ticks(), 1);
}

#[test]
fn a_bad_session_file_falls_back_with_a_message() {
    let a = App::open(
        Some(std::path::Path::new("/nonexistent/session.toml")),
        AppOptions::default(),
    );
    assert_eq!(a.session().name, Session::builtin_default().name);
    let s = a.status().unwrap();
    assert_eq!(s.kind, StatusKind::Error);
    assert!(s.text.contains("/nonexistent/session.toml"), "{}", s.text);
    assert!(a.session_path().is_none());
}

#[test]
fn search_selects_in_the_editor_and_scrolls_read_only_panes() {
    let mut a = app();
    key(&mut a, KeyCode::Char('/'));
    assert_eq!(a.overlay(), Some(&Overlay::Search));
    // Typed characters (even command keys) go to the query.
    typed(&mut a, "STATUSCODEx");
    key(&mut a, KeyCode::Backspace);
    assert_eq!(a.search_query(), "STATUSCODE");
    assert!(!a.quitting());
    key(&mut a, KeyCode::Enter);
    let first = a.template_editor().cursor();
    assert!(
        a.status().unwrap().text.contains("at line"),
        "{:?}",
        a.status()
    );
    key(&mut a, KeyCode::Enter);
    let second = a.template_editor().cursor();
    assert!(second.0 > first.0, "{first:?} then {second:?}");
    key(&mut a, KeyCode::Esc);
    assert_eq!(a.overlay(), None);
    // Not found.
    key(&mut a, KeyCode::Char('/'));
    typed(&mut a, "zzz-nothing");
    key(&mut a, KeyCode::Enter);
    assert_eq!(a.status().unwrap().kind, StatusKind::Error);
    key(&mut a, KeyCode::Esc);

    // A read-only pane scrolls to the match.
    let g = run_generation(&act(&mut a, Action::Send));
    deliver_trace(&mut a, g, trace_with_backend("{}"));
    a.chrome.focus = Pane::Log;
    act(&mut a, Action::Search);
    a.search.set("line 42");
    act(&mut a, Action::SearchNext);
    assert_eq!(a.scroll(Pane::Log), 42);
    // While editing, ctrl+f searches.
    a.chrome.focus = Pane::Template;
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('i'));
    ctrl(&mut a, 'f');
    assert_eq!(a.overlay(), Some(&Overlay::Search));
}

#[test]
fn the_picker_lists_chooses_and_opens_sessions() {
    use crate::app::picker::SessionEntry;
    let mut a = app();
    let fx = key(&mut a, KeyCode::Char('o'));
    let [Effect::ListSessions { dir }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert_eq!(dir, &PathBuf::from("sessions"));
    assert_eq!(
        a.overlay(),
        Some(&Overlay::Picker {
            selected: 0,
            list: None
        })
    );
    let entries = vec![
        SessionEntry {
            path: "sessions/a.toml".into(),
            name: Ok("A".into()),
        },
        SessionEntry {
            path: "sessions/b.toml".into(),
            name: Ok("B".into()),
        },
    ];
    update(
        &mut a,
        Msg::SessionList {
            dir: "sessions".into(),
            result: Ok(entries),
        },
    );
    key(&mut a, KeyCode::Char('j'));
    key(&mut a, KeyCode::Char('j'));
    assert!(
        matches!(a.overlay(), Some(Overlay::Picker { selected: 1, .. })),
        "clamped"
    );
    let fx = key(&mut a, KeyCode::Enter);
    assert_eq!(
        fx,
        vec![Effect::LoadSession {
            path: "sessions/b.toml".into()
        }]
    );
    assert_eq!(a.overlay(), None);

    // Loading replaces the session and starts it; generations keep growing.
    let old_render = a.preview.render_generation;
    let mut other = Session::builtin_default();
    other.name = "Other".into();
    let fx = update(
        &mut a,
        Msg::SessionLoaded {
            path: "sessions/b.toml".into(),
            result: Ok(Box::new(other)),
        },
    );
    assert_eq!(fx[0], Effect::CancelPipeline);
    assert!(renders(&fx)[0].generation > old_render);
    assert_eq!(a.session().name, "Other");
    assert_eq!(
        a.session_path(),
        Some(std::path::Path::new("sessions/b.toml"))
    );
    assert!(!a.is_dirty());
}

#[test]
fn a_failed_listing_closes_the_picker_with_a_message() {
    let mut a = app();
    act(&mut a, Action::OpenSession);
    update(
        &mut a,
        Msg::SessionList {
            dir: "nope".into(),
            result: Err("nope: not found".into()),
        },
    );
    assert_eq!(a.overlay(), None);
    assert_eq!(a.status().unwrap().kind, StatusKind::Error);
}

#[test]
fn edits_are_autosaved_and_the_copy_goes_away_when_saved_or_discarded() {
    let mut a = app();
    a.set_autosave_dir(PathBuf::from("/state"));
    let copy = PathBuf::from("/state/builtin-default.toml");
    assert_eq!(a.autosave_file(), Some(copy.clone()));
    let fx = act(&mut a, Action::CycleType);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Autosave { path, .. } if *path == copy)),
        "{fx:?}"
    );
    // Moving around is not an edit.
    assert!(
        !act(&mut a, Action::FocusNext)
            .iter()
            .any(|e| matches!(e, Effect::Autosave { .. }))
    );
    // A save removes the copy of the session as it was named.
    let fx = act(&mut a, Action::Save);
    let [Effect::Save { revision, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let fx = update(
        &mut a,
        Msg::Saved {
            path: "/work/s.toml".into(),
            revision: *revision,
            result: Ok(()),
            stamp: None,
        },
    );
    assert_eq!(fx, vec![Effect::RemoveFile { path: copy }]);
    // Quitting without saving drops the edits and their copy.
    act(&mut a, Action::CycleType);
    act(&mut a, Action::Quit);
    let fx = act(&mut a, Action::ConfirmYes);
    assert!(
        matches!(fx.as_slice(), [Effect::RemoveFile { path }, Effect::Quit] if path.starts_with("/state"))
    );
    // Without an autosave folder nothing is written.
    let mut b = app();
    assert!(
        !act(&mut b, Action::CycleType)
            .iter()
            .any(|e| matches!(e, Effect::Autosave { .. }))
    );
}

#[test]
fn recovered_edits_can_be_restored_or_discarded() {
    use crate::app::autosave::Recovery;
    let recovered = || {
        let mut s = Session::builtin_default();
        s.name = "recovered".into();
        Recovery {
            file: "/state/builtin-default.toml".into(),
            session: Box::new(s),
        }
    };
    let mut a = app();
    a.offer_recovery(recovered());
    assert_eq!(a.overlay(), Some(&Overlay::Recover));
    let fx = key(&mut a, KeyCode::Char('y'));
    assert_eq!(a.session().name, "recovered");
    assert!(a.is_dirty(), "restored edits are unsaved");
    assert!(!renders(&fx).is_empty());
    assert_eq!(a.overlay(), None);

    let mut b = app();
    b.offer_recovery(recovered());
    let fx = key(&mut b, KeyCode::Char('n'));
    assert_eq!(
        fx,
        vec![Effect::RemoveFile {
            path: "/state/builtin-default.toml".into()
        }]
    );
    assert_ne!(b.session().name, "recovered");
    assert!(!b.is_dirty());
}

#[test]
fn what_changed_toggles_in_the_backend_pane() {
    let mut a = app();
    let g = run_generation(&act(&mut a, Action::Send));
    let client = crate::session::client_request(a.request().unwrap()).unwrap();
    let mut t = trace_with_backend("{}");
    t.endpoint_request = Some(HttpMessage {
        method: "POST".into(),
        url: "http://backend/x".into(),
        ..HttpMessage::default()
    });
    update(
        &mut a,
        Msg::Traced(TraceOutcome {
            generation: g,
            result: Ok(Box::new(TraceView::new(t).with_changes(&client))),
        }),
    );
    assert!(!a.show_changes());
    key(&mut a, KeyCode::Char('d'));
    assert!(a.show_changes());
    a.chrome.focus = Pane::Backend;
    act(&mut a, Action::Bottom);
    assert_eq!(a.scroll(Pane::Backend), a.max_scroll(Pane::Backend));
    key(&mut a, KeyCode::Char('d'));
    assert!(!a.show_changes());
    assert_eq!(a.scroll(Pane::Backend), 0);
}

/// A run carries the session as edited without copying it: the effect shares the app's
/// session, and the next edit leaves the running copy as it was.
#[test]
fn runs_share_the_session_and_edits_do_not_change_a_running_copy() {
    let mut a = app();
    let fx = act(&mut a, Action::Send);
    let Some(Effect::RunPipeline(run)) = fx.iter().find(|e| matches!(e, Effect::RunPipeline(_)))
    else {
        panic!("{fx:?}")
    };
    assert!(std::sync::Arc::ptr_eq(&run.session, &a.workspace.session));
    let before = run.session.requests.len();
    let copy = a.workspace.session.requests[0].clone();
    std::sync::Arc::make_mut(&mut a.workspace.session)
        .requests
        .push(copy);
    assert_eq!(run.session.requests.len(), before);
    assert_eq!(a.session().requests.len(), before + 1);
}
