//! `update()` unit tests for listen mode: starting and stopping the server, served requests
//! arriving (bounded), selecting, showing, replaying and saving one.

use std::time::{Duration, SystemTime};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::listen::{Listening, SERVED_CAPACITY, ServedRequest, Shown};
use crate::app::test_support::{act, app};
use crate::app::*;
use crate::gateway::pipeline::ClientRequest;
use crate::gateway::trace::{HttpMessage, Trace};

fn key(app: &mut App, c: char) -> Vec<Effect> {
    update(
        app,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    )
}

fn served(path: &str, status: u16) -> Msg {
    served_id(0, path, status)
}

fn served_id(id: u64, path: &str, status: u16) -> Msg {
    Msg::Served(Box::new(ServedRequest {
        id,
        at: SystemTime::UNIX_EPOCH + Duration::from_secs(3600),
        request: ClientRequest {
            method: "POST".into(),
            path: path.into(),
            raw_query: "a=1".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: br#"{"name": "Rex"}"#.to_vec(),
        },
        trace: Trace {
            response: HttpMessage {
                status,
                ..HttpMessage::default()
            },
            ..Trace::default()
        },
        latency: Duration::from_micros(420),
        kind: Some(crate::gateway::api::IntegrationType::Mock),
    }))
}

fn listening(a: &mut App) {
    let fx = key(a, 'L');
    let Some(Effect::StartListening {
        generation, addr, ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(addr.to_string(), "127.0.0.1:8080");
    let generation = *generation;
    update(
        a,
        Msg::Listening {
            generation,
            result: Ok("127.0.0.1:8080".parse().unwrap()),
        },
    );
    assert!(matches!(a.listen().state(), Listening::On { .. }));
}

#[test]
fn the_key_starts_and_stops_serving_and_the_status_says_where() {
    let mut a = app();
    listening(&mut a);
    let s = a.status().unwrap();
    assert!(s.text.contains("http://127.0.0.1:8080"), "{s:?}");
    assert_eq!(key(&mut a, 'L'), vec![Effect::StopListening]);
    assert_eq!(a.listen().state(), Listening::Off);
}

#[test]
fn a_failed_bind_is_reported_and_a_stale_one_is_stopped() {
    let mut a = app();
    a.set_listen("10.1.2.3:80".parse().unwrap(), false, true);
    let fx = a.start();
    let generation = fx
        .iter()
        .find_map(|e| match e {
            Effect::StartListening { generation, .. } => Some(*generation),
            _ => None,
        })
        .expect("--listen serves from the start");
    update(
        &mut a,
        Msg::Listening {
            generation,
            result: Err("10.1.2.3:80 is not a loopback address".into()),
        },
    );
    assert_eq!(a.listen().state(), Listening::Off);
    assert_eq!(a.status().unwrap().kind, StatusKind::Error);
    // Started, then stopped before the bind finished: the late server is stopped.
    key(&mut a, 'L');
    key(&mut a, 'L');
    let fx = update(
        &mut a,
        Msg::Listening {
            generation: generation + 1,
            result: Ok("127.0.0.1:8080".parse().unwrap()),
        },
    );
    assert_eq!(fx, vec![Effect::StopListening]);
    assert_eq!(a.listen().state(), Listening::Off);
}

#[test]
fn served_requests_arrive_in_a_bounded_list_that_follows_the_newest() {
    let mut a = app();
    listening(&mut a);
    for i in 0..SERVED_CAPACITY + 20 {
        assert!(update(&mut a, served(&format!("/dev/pets/{i}"), 200)).is_empty());
    }
    let l = a.listen();
    assert_eq!(l.served().len(), SERVED_CAPACITY);
    assert_eq!(l.total(), (SERVED_CAPACITY + 20) as u64);
    assert_eq!(l.served()[0].request.path, "/dev/pets/20");
    assert_eq!(l.selected(), SERVED_CAPACITY - 1);
    assert_eq!(l.number(l.selected()), (SERVED_CAPACITY + 20) as u64);
    assert!(!a.is_dirty());
}

#[test]
fn the_selection_stays_on_its_request_while_more_arrive() {
    let mut a = app();
    for i in 0..3 {
        update(&mut a, served(&format!("/dev/pets/{i}"), 200));
    }
    key(&mut a, 'l');
    assert_eq!(a.overlay(), Some(&Overlay::Requests));
    key(&mut a, 'k');
    key(&mut a, 'k');
    key(&mut a, 'k');
    assert_eq!(a.listen().selected(), 0);
    update(&mut a, served("/dev/pets/3", 200));
    assert_eq!(a.listen().selected(), 0);
    key(&mut a, 'G');
    assert_eq!(a.listen().selected(), 3);
    key(&mut a, 'l');
    assert_eq!(a.overlay(), None);
}

#[test]
fn choosing_shows_the_trace_in_the_panes() {
    let mut a = app();
    update(&mut a, served("/dev/pets/1", 200));
    update(&mut a, served("/dev/pets/2", 404));
    key(&mut a, 'l');
    let fx = update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let Some(Effect::ShowTrace(shown)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(shown.request.path, "/dev/pets/2");
    assert_eq!(a.overlay(), None);
    // The laid-out trace comes back like a run's.
    update(
        &mut a,
        Msg::Traced(views::TraceOutcome {
            generation: shown.generation,
            result: Ok(Box::new(views::TraceView::new((*shown.trace).clone()))),
        }),
    );
    assert_eq!(a.trace().unwrap().trace.response.status, 404);
    assert_eq!(a.run_state(), RunState::Idle);
    assert_eq!(a.stage(), crate::gateway::trace::Stage::MethodResponse);
}

#[test]
fn replay_runs_the_request_through_the_edited_session() {
    let mut a = app();
    act(&mut a, Action::CycleType);
    update(&mut a, served("/dev/pets/5", 200));
    key(&mut a, 'l');
    let fx = key(&mut a, 'r');
    let Some(Effect::RunPipeline(p)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(p.request.path, "/dev/pets/5");
    assert_eq!(p.request.raw_query, "a=1");
    assert_eq!(p.request.body.as_deref(), Some(r#"{"name": "Rex"}"#));
    assert_eq!(*p.session, *a.session(), "the session as edited");
    assert!(matches!(a.run_state(), RunState::Running { .. }));
}

#[test]
fn save_adds_a_named_request_and_marks_the_session_dirty() {
    let mut a = app();
    let before = a.session().requests.len();
    // Nothing to save yet.
    act(&mut a, Action::SaveServed);
    assert_eq!(a.session().requests.len(), before);
    update(&mut a, served("/dev/pets/9", 200));
    key(&mut a, 'l');
    key(&mut a, 'a');
    assert_eq!(a.session().requests.len(), before + 1);
    let saved = a.session().requests.last().unwrap();
    assert_eq!(saved.name, "served #1: POST /dev/pets/9");
    assert_eq!(saved.headers[0].0, "content-type");
    assert!(a.is_dirty());
}

#[test]
fn edits_are_handed_to_the_running_server_at_once() {
    let mut a = app();
    // Not listening: nothing to hand over.
    let fx = act(&mut a, Action::CycleType);
    assert!(!fx.iter().any(|e| matches!(e, Effect::ServeSession(_))));
    listening(&mut a);
    let fx = act(&mut a, Action::CycleType);
    let served: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::ServeSession(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(served.len(), 1, "{fx:?}");
    assert_eq!(**served[0], *a.session());
    // No edit, no hand-over.
    let fx = key(&mut a, 'j');
    assert!(!fx.iter().any(|e| matches!(e, Effect::ServeSession(_))));
}

#[test]
fn choosing_a_served_request_shows_it_in_the_request_pane_until_going_back() {
    let mut a = app();
    let saved_path = a.request().unwrap().path.clone();
    update(&mut a, served_id(4, "/dev/pets/44", 200));
    key(&mut a, 'l');
    let fx = update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Render(_))),
        "the template renders against the served request: {fx:?}"
    );
    assert_eq!(a.viewing(), Some("served #4"));
    assert_eq!(a.request().unwrap().path, "/dev/pets/44");
    assert!(a.request_editor().text().contains("/dev/pets/44"));
    assert!(!a.is_dirty(), "viewing changes nothing in the session");
    key(&mut a, '>');
    assert_eq!(a.viewing(), None);
    assert_eq!(a.request().unwrap().path, saved_path);
}

fn paused(id: u64, path: &str) -> Msg {
    use crate::gateway::pipeline::Paused;
    Msg::Paused(Box::new(crate::app::listen::PausedRequest {
        paused: Paused {
            id,
            request: ClientRequest {
                method: "POST".into(),
                path: path.into(),
                headers: vec![("content-type".into(), "application/json".into())],
                body: br#"{"name": "Rex"}"#.to_vec(),
                ..ClientRequest::default()
            },
            trace: Trace::default(),
            endpoint_request: HttpMessage {
                method: "MOCK".into(),
                body: br#"{"statusCode": 200}"#.to_vec(),
                ..HttpMessage::default()
            },
            time_left: Duration::from_secs(29),
        },
        at: SystemTime::UNIX_EPOCH + Duration::from_secs(3600),
    }))
}

#[test]
fn the_breakpoint_key_arms_the_server_now_and_later() {
    let mut a = app();
    assert!(!a.listen().breakpoint());
    assert_eq!(key(&mut a, 'b'), vec![Effect::SetBreakpoint(true)]);
    assert!(a.listen().breakpoint());
    let fx = key(&mut a, 'L');
    let Some(Effect::StartListening { breakpoint, .. }) = fx.first() else {
        panic!("{fx:?}")
    };
    assert!(*breakpoint, "a server started later pauses too");
    assert_eq!(key(&mut a, 'b'), vec![Effect::SetBreakpoint(false)]);
}

#[test]
fn a_paused_request_is_shown_and_resumes_as_rendered_or_through_edits() {
    let mut a = app();
    listening(&mut a);
    key(&mut a, 'b');
    let fx = update(&mut a, paused(7, "/dev/pets/7"));
    let Some(Effect::ShowTrace(shown)) = fx.first() else {
        panic!("{fx:?}")
    };
    assert_eq!(
        shown.trace.endpoint_request.as_ref().unwrap().body_text(),
        r#"{"statusCode": 200}"#,
        "the Backend pane shows what is about to be sent"
    );
    assert_eq!(a.viewing(), Some("paused #7"));
    assert_eq!(a.request().unwrap().path, "/dev/pets/7");
    assert_eq!(a.stage(), crate::gateway::trace::Stage::IntegrationRequest);
    let status = a.status().unwrap().text.clone();
    assert!(
        status.contains("R resume") && status.contains("01:00:29"),
        "{status}"
    );
    // A second one waits its turn.
    assert!(update(&mut a, paused(8, "/dev/pets/8")).is_empty());
    assert_eq!(a.listen().paused().len(), 2);
    // No edit since the pause: it goes on as rendered; the next one is shown.
    let fx = key(&mut a, 'R');
    assert_eq!(fx[0], Effect::Resume { id: 7, rerun: None });
    assert_eq!(a.viewing(), Some("paused #8"));
    // Edited meanwhile: it runs again through the edited API.
    act(&mut a, Action::CycleType);
    let fx = key(&mut a, 'R');
    assert_eq!(
        fx[0],
        Effect::Resume {
            id: 8,
            rerun: Some(Box::new(a.session().api.clone()))
        }
    );
    assert_eq!(a.listen().paused().len(), 0);
    // Its answer, when it comes, is shown.
    let fx = update(&mut a, served_id(8, "/dev/pets/8", 200));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::ShowTrace(_))),
        "{fx:?}"
    );
    assert_eq!(a.viewing(), Some("served #8"));
    // Nothing left to resume.
    assert!(key(&mut a, 'R').is_empty());
}

#[test]
fn a_paused_request_answered_by_the_timeout_leaves_the_queue() {
    let mut a = app();
    listening(&mut a);
    update(&mut a, paused(3, "/dev/pets/3"));
    update(&mut a, served_id(3, "/dev/pets/3", 504));
    assert_eq!(a.listen().paused().len(), 0);
    let s = a.status().unwrap();
    assert_eq!(s.kind, StatusKind::Error);
    assert!(
        s.text.contains("integration timeout") && s.text.contains("504"),
        "{s:?}"
    );
    // Stopping the server forgets paused requests (their clients are let go).
    update(&mut a, paused(4, "/dev/pets/4"));
    key(&mut a, 'L');
    assert_eq!(a.listen().paused().len(), 0);
    assert!(update(&mut a, paused(5, "/dev/pets/5")).is_empty());
}

#[test]
fn a_non_loopback_address_is_said_to_be_reachable_from_other_machines() {
    let mut a = app();
    a.set_listen("0.0.0.0:8080".parse().unwrap(), true, false);
    let fx = key(&mut a, 'L');
    let Some(Effect::StartListening {
        generation,
        allow_remote,
        ..
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    assert!(*allow_remote);
    let generation = *generation;
    update(
        &mut a,
        Msg::Listening {
            generation,
            result: Ok("0.0.0.0:8080".parse().unwrap()),
        },
    );
    let s = a.status().unwrap();
    assert!(s.text.contains("REACHABLE FROM OTHER MACHINES"), "{s:?}");
}

#[test]
fn stopping_the_server_lets_the_pause_shown_go() {
    let mut a = app();
    listening(&mut a);
    update(&mut a, paused(4, "/dev/pets/4"));
    assert_eq!(a.viewing(), Some("paused #4"));
    key(&mut a, 'L');
    assert_eq!(a.shown(), Some(Shown::LetGo));
    assert_eq!(a.viewing(), Some("let go #4"));
    let s = a.status().unwrap();
    assert!(s.text.contains("#4 was let go"), "{s:?}");
    // Its answer, when the server sent one while closing, is shown.
    let fx = update(&mut a, served_id(4, "/dev/pets/4", 200));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::ShowTrace(_))),
        "{fx:?}"
    );
    assert_eq!(a.viewing(), Some("served #4"));
}

#[test]
fn a_timed_out_pause_not_shown_leaves_the_panes_alone() {
    let mut a = app();
    listening(&mut a);
    update(&mut a, paused(3, "/dev/pets/3"));
    update(&mut a, paused(4, "/dev/pets/4"));
    assert_eq!(a.viewing(), Some("paused #3"));
    assert!(update(&mut a, served_id(4, "/dev/pets/4", 504)).is_empty());
    assert_eq!(a.viewing(), Some("paused #3"));
    assert!(a.status().unwrap().text.contains("#4"));
    assert_eq!(a.listen().paused().len(), 1);
}

#[test]
fn a_timed_out_pause_shown_gives_way_to_the_next_one() {
    let mut a = app();
    listening(&mut a);
    update(&mut a, paused(3, "/dev/pets/3"));
    update(&mut a, paused(4, "/dev/pets/4"));
    update(&mut a, served_id(3, "/dev/pets/3", 504));
    assert_eq!(a.viewing(), Some("paused #4"));
    let s = a.status().unwrap();
    assert!(
        s.text.contains("integration timeout") && s.text.contains("now showing #4"),
        "{s:?}"
    );
}

#[test]
fn a_resumed_request_says_so_until_its_answer_comes() {
    let mut a = app();
    listening(&mut a);
    update(&mut a, paused(7, "/dev/pets/7"));
    key(&mut a, 'R');
    assert_eq!(a.shown(), Some(Shown::Resumed));
    assert_eq!(a.viewing(), Some("resumed #7"));
    update(&mut a, served_id(7, "/dev/pets/7", 200));
    assert_eq!(a.shown(), Some(Shown::Served));
}

#[test]
fn showing_a_served_trace_calls_nothing() {
    let mut a = app();
    update(&mut a, served("/dev/pets/1", 200));
    key(&mut a, 'l');
    update(
        &mut a,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    assert!(matches!(a.run_state(), RunState::Showing { .. }));
    // Nothing to cancel: Esc does not say it cancelled a call.
    key_code(&mut a, KeyCode::Esc);
    assert_ne!(
        a.status().map(|s| s.text.as_str()),
        Some("Cancelled the call")
    );
}

fn key_code(app: &mut App, code: KeyCode) -> Vec<Effect> {
    update(app, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}
