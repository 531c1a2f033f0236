//! `update()` unit tests of the compare view: `C` asks for one comparison, columns arrive one
//! by one (stale generations dropped), paging and scrolling, closing cancels, `r` runs again;
//! the marks of what differs between the types.

use crossterm::event::KeyCode;

use super::compare::column::{ColumnLayout, Section};
use super::compare::marks::{Mark, marks};
use super::compare::{ColumnState, CompareOutcome, CompareRequest};
use super::test_support::{act, app, key};
use super::view_model::{Areas, CompareArea};
use super::*;
use crate::gateway::api::IntegrationType;
use crate::gateway::trace::{HttpMessage, RenderedTemplate, Trace};
use crate::session::compare::{TypeRun, UriUsed, run_type};

fn http_session() -> Session {
    Session::from_toml(
        include_str!("../../sessions/http.toml"),
        std::path::Path::new("http.toml"),
    )
    .expect("http.toml loads")
}

/// The comparison `fx` asks for.
fn asked(fx: &[Effect]) -> CompareRequest {
    fx.iter()
        .find_map(|e| match e {
            Effect::Compare(r) => Some(r.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no comparison asked for: {fx:?}"))
}

/// The five real runs of a comparison, as the runtime makes them.
async fn real_outcomes(req: &CompareRequest) -> Vec<CompareOutcome> {
    let client = crate::session::client_request(&req.request).expect("a request");
    let backend = crate::session::compare::compare_backend(&req.session);
    let mut out = Vec::new();
    for kind in IntegrationType::ALL {
        let run = run_type(&req.session, &client, kind, &backend).await;
        out.push(CompareOutcome {
            generation: req.generation,
            kind,
            result: Ok(Box::new(ColumnLayout::new(&run, &req.session.backend))),
        });
    }
    out
}

fn compared(a: &mut App, o: CompareOutcome) -> Vec<Effect> {
    update(a, Msg::Compared(Box::new(o)))
}

fn text_of(a: &App, kind: IntegrationType) -> String {
    let view = a.compare().expect("the view is open");
    let c = view
        .columns()
        .iter()
        .find(|c| c.kind == kind)
        .expect("a column");
    match &c.state {
        ColumnState::Done { text, .. } => text
            .lines_from(0)
            .map(|l| l.text.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        other => panic!("{kind:?} is {other:?}"),
    }
}

fn running(a: &App) -> usize {
    a.compare().map_or(0, |v| {
        v.columns()
            .iter()
            .filter(|c| c.state == ColumnState::Running)
            .count()
    })
}

#[test]
fn c_opens_the_view_and_asks_for_one_comparison() {
    let mut a = app();
    assert_eq!(
        a.keymap()
            .keys(keymap::Layer::Normal, Action::Compare)
            .as_deref(),
        Some("C")
    );
    let fx = key(&mut a, KeyCode::Char('C'));
    let req = asked(&fx);
    assert_eq!(fx.len(), 1, "{fx:?}");
    assert_eq!(req.generation, 1);
    assert_eq!(Some(&req.request), a.session().requests.first());
    assert!(std::sync::Arc::ptr_eq(&req.session, &a.workspace.session));
    let view = a.compare().expect("the view is open");
    assert_eq!(view.columns().len(), 5);
    assert_eq!(running(&a), 5, "every column says running… at first");
    assert!(a.animating(), "the spinner turns while columns run");
    assert!(view.request().starts_with("POST /"), "{}", view.request());
}

#[tokio::test]
async fn columns_arrive_one_by_one_and_stale_ones_are_dropped() {
    let mut a = App::new(http_session(), None, AppOptions::default());
    let req = asked(&key(&mut a, KeyCode::Char('C')));
    let outcomes = real_outcomes(&req).await;
    // An answer of another generation changes nothing.
    let mut stale = outcomes[0].clone();
    stale.generation = req.generation + 7;
    compared(&mut a, stale);
    assert_eq!(running(&a), 5);
    for (n, o) in outcomes.into_iter().rev().enumerate() {
        compared(&mut a, o);
        assert_eq!(running(&a), 4 - n);
    }
    assert!(!a.animating());
    assert_eq!(
        a.status().map(|s| s.text.as_str()),
        Some("Compared the five integration types")
    );
    // The real pipeline: the HTTP column's URL has the path parameter filled in by the
    // integration's requestParameters, as the gateway sends it.
    let http = text_of(&a, IntegrationType::Http);
    assert!(
        http.contains("url http://notes.internal.example/api/users/u-7/notes?draft=true"),
        "{http}"
    );
    assert!(http.contains("status 201"), "{http}");
    // MOCK calls nothing and shows its rendered integration request.
    let mock = text_of(&a, IntegrationType::Mock);
    assert!(mock.contains("no backend call"), "{mock}");
    assert!(
        mock.contains("integration request body (rendered)"),
        "{mock}"
    );
    assert!(!mock.contains("url "), "{mock}");
    // AWS_PROXY: the session's HTTP URL does not fit, the echo Lambda's ARN is used.
    let proxy = text_of(&a, IntegrationType::AwsProxy);
    assert!(proxy.contains("uri the echo Lambda's ARN"), "{proxy}");
    assert!(
        proxy.contains("\"httpMethod\": \"POST\""),
        "the event: {proxy}"
    );
    // The proxies' bodies differ from the templates' output that MOCK, AWS and HTTP share.
    assert!(
        mock.contains("≠ integration request body (rendered)")
            && mock.contains("(differs in AWS_PROXY, HTTP_PROXY)"),
        "{mock}"
    );
    // A second answer for a finished column is not taken.
    let again = CompareOutcome {
        generation: req.generation,
        kind: IntegrationType::Http,
        result: Err("late".into()),
    };
    compared(&mut a, again);
    assert!(text_of(&a, IntegrationType::Http).contains("status 201"));
}

/// Record a frame of the compare view.
fn drawn(a: &mut App, columns: u16, rows: u16, content: [usize; 5]) {
    update(
        a,
        Msg::Drawn(Areas {
            compare: Some(CompareArea {
                columns,
                rows,
                content,
            }),
            ..Areas::default()
        }),
    );
}

fn page_and_scroll(a: &App) -> (usize, usize) {
    let v = a.compare().expect("open");
    (v.page(), v.scroll())
}

#[test]
fn paging_wraps_and_scrolling_is_bounded_by_what_was_drawn() {
    let mut a = app();
    key(&mut a, KeyCode::Char('C'));
    for _ in 0..5 {
        key(&mut a, KeyCode::Char('l'));
    }
    assert_eq!(page_and_scroll(&a), (0, 0), "l wraps around the five");
    key(&mut a, KeyCode::Left);
    assert_eq!(page_and_scroll(&a).0, 4);
    key(&mut a, KeyCode::Char('h'));
    key(&mut a, KeyCode::Right);
    assert_eq!(page_and_scroll(&a).0, 4);
    // One type at a time, 10 rows shown of 30 (the next type has 12).
    drawn(&mut a, 1, 10, [12, 12, 12, 12, 30]);
    for _ in 0..50 {
        key(&mut a, KeyCode::Char('j'));
    }
    assert_eq!(page_and_scroll(&a).1, 20, "the last page stays full");
    key(&mut a, KeyCode::Char('k'));
    assert_eq!(page_and_scroll(&a).1, 19);
    key(&mut a, KeyCode::Char('g'));
    assert_eq!(page_and_scroll(&a).1, 0);
    key(&mut a, KeyCode::PageDown);
    assert_eq!(page_and_scroll(&a).1, 10);
    key(&mut a, KeyCode::Char('G'));
    assert_eq!(page_and_scroll(&a).1, 20);
    // Another type's rows are its own: its page starts at the top, and ends sooner.
    key(&mut a, KeyCode::Char('l'));
    assert_eq!(page_and_scroll(&a), (0, 0));
    key(&mut a, KeyCode::Char('G'));
    assert_eq!(page_and_scroll(&a), (0, 2));
    // Side by side, the columns scroll together (as far as the longest) and stay where they
    // are.
    drawn(&mut a, 5, 10, [12, 12, 12, 12, 30]);
    key(&mut a, KeyCode::Char('g'));
    key(&mut a, KeyCode::PageDown);
    key(&mut a, KeyCode::Char('l'));
    assert_eq!(page_and_scroll(&a), (1, 10));
}

#[test]
fn esc_closes_and_stops_the_runs_and_late_answers_are_dropped() {
    let mut a = app();
    let req = asked(&key(&mut a, KeyCode::Char('C')));
    let fx = key(&mut a, KeyCode::Esc);
    assert_eq!(fx, vec![Effect::CancelCompare]);
    assert!(a.overlay().is_none());
    assert!(!a.animating());
    let late = CompareOutcome {
        generation: req.generation,
        kind: IntegrationType::Mock,
        result: Err("late".into()),
    };
    assert!(compared(&mut a, late).is_empty());
    assert!(a.overlay().is_none());
    // q and C close it too.
    for close in ['q', 'C'] {
        key(&mut a, KeyCode::Char('C'));
        assert_eq!(
            key(&mut a, KeyCode::Char(close)),
            vec![Effect::CancelCompare]
        );
        assert!(a.compare().is_none(), "{close}");
        assert!(!a.quitting());
    }
}

#[test]
fn r_runs_the_five_again_as_a_new_generation() {
    let mut a = app();
    let first = asked(&key(&mut a, KeyCode::Char('C')));
    key(&mut a, KeyCode::Char('l'));
    let fx = key(&mut a, KeyCode::Char('r'));
    assert_eq!(fx.first(), Some(&Effect::CancelCompare), "{fx:?}");
    let second = asked(&fx);
    assert_eq!(second.generation, first.generation + 1);
    assert_eq!(page_and_scroll(&a).0, 1, "the type shown stays");
    let old = CompareOutcome {
        generation: first.generation,
        kind: IntegrationType::Mock,
        result: Err("old".into()),
    };
    compared(&mut a, old);
    assert_eq!(running(&a), 5, "the first comparison's answers are dropped");
}

#[test]
fn keys_stay_in_the_view() {
    let mut a = app();
    key(&mut a, KeyCode::Char('C'));
    // t would cycle the type, i edit, s send: none of it happens under the view.
    for c in ['t', 'i', 's', 'e', 'o'] {
        assert!(key(&mut a, KeyCode::Char(c)).is_empty(), "{c}");
    }
    assert!(!a.is_dirty());
    assert!(a.compare().is_some());
    assert_eq!(a.mode(), Mode::Normal);
}

#[test]
fn a_session_without_requests_says_so() {
    let mut s = Session::builtin_default();
    s.requests.clear();
    let mut a = App::new(s, None, AppOptions::default());
    assert!(act(&mut a, Action::Compare).is_empty());
    assert!(a.compare().is_none());
    assert_eq!(
        a.status().map(|s| s.text.as_str()),
        Some("This session has no saved request")
    );
}

/// A finished run of `kind` that sent `sent` (if any) and answered `status`, `body`.
fn run(kind: IntegrationType, sent: Option<HttpMessage>, status: u16, body: &str) -> TypeRun {
    let response = HttpMessage {
        status,
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("x-amzn-RequestId".into(), format!("id-{}", kind.as_str())),
        ],
        body: body.as_bytes().to_vec(),
        ..HttpMessage::default()
    };
    TypeRun {
        kind,
        uri: UriUsed::Session(None),
        answerer: None,
        trace: Trace {
            request_template: (kind == IntegrationType::Mock).then(|| RenderedTemplate {
                content_type: "application/json".into(),
                response: None,
                template: String::new(),
                output: Ok("{\"a\":1}".into()),
            }),
            endpoint_request: sent,
            response,
            ..Trace::default()
        },
    }
}

fn sent(url: &str, headers: &[(&str, &str)], body: &str) -> Option<HttpMessage> {
    Some(HttpMessage {
        method: "POST".into(),
        url: url.into(),
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
        ..HttpMessage::default()
    })
}

/// The mark of the row of `field` in `section` of column `i`.
fn mark_of(layouts: &[ColumnLayout], i: usize, section: Section, field: &str) -> Option<Mark> {
    let refs: Vec<Option<&ColumnLayout>> = layouts.iter().map(Some).collect();
    let all = marks(&refs);
    layouts[i]
        .rows
        .iter()
        .position(|r| {
            r.key
                .as_ref()
                .is_some_and(|k| k.section == section && k.name == field)
        })
        .map(|p| all[i][p].mark)
}

#[test]
fn what_differs_is_marked_and_what_is_the_same_is_not() {
    let echo = crate::backend::BackendConfig::Echo;
    let layouts: Vec<ColumnLayout> = [
        run(IntegrationType::Mock, None, 200, "{}"),
        run(
            IntegrationType::Aws,
            sent(
                "https://lambda/x",
                &[("Accept", "application/json")],
                "{\"a\":1}",
            ),
            200,
            "{}",
        ),
        run(
            IntegrationType::HttpProxy,
            sent("http://h/x", &[("X-Client", "yes")], "{\"raw\":true}"),
            502,
            "{}",
        ),
    ]
    .iter()
    .map(|r| ColumnLayout::new(r, &echo))
    .collect();
    use Section::{Backend, Client};
    // MOCK's rendered body is what AWS sent; HTTP_PROXY's differs.
    assert_eq!(mark_of(&layouts, 0, Backend, "body"), Some(Mark::Differs));
    assert_eq!(mark_of(&layouts, 2, Backend, "body"), Some(Mark::Differs));
    // MOCK has no method or URL: only the columns that called compare them.
    assert_eq!(mark_of(&layouts, 1, Backend, "method"), Some(Mark::Same));
    assert_eq!(mark_of(&layouts, 1, Backend, "url"), Some(Mark::Differs));
    // A header only one type sends.
    assert_eq!(
        mark_of(&layouts, 2, Backend, "header:x-client"),
        Some(Mark::NotEverywhere)
    );
    assert_eq!(
        mark_of(&layouts, 1, Backend, "header:accept"),
        Some(Mark::NotEverywhere)
    );
    // The status differs in one; the request id changes every run: not a difference.
    assert_eq!(mark_of(&layouts, 0, Client, "status"), Some(Mark::Differs));
    assert_eq!(mark_of(&layouts, 2, Client, "status"), Some(Mark::Differs));
    assert_eq!(
        mark_of(&layouts, 0, Client, "header:x-amzn-requestid"),
        Some(Mark::Same)
    );
    assert_eq!(
        mark_of(&layouts, 1, Client, "header:content-type"),
        Some(Mark::Same)
    );
    assert_eq!(mark_of(&layouts, 1, Client, "body"), Some(Mark::Same));
    // The text says which types differ.
    let refs: Vec<Option<&ColumnLayout>> = layouts.iter().map(Some).collect();
    let all = marks(&refs);
    let text = super::compare::marks::compose(&layouts[0], &all[0]);
    let lines: Vec<&str> = text.lines_from(0).map(|l| l.text).collect();
    let status = lines
        .iter()
        .position(|l| l.starts_with("≠ status 200"))
        .unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!(lines[status + 1], "  (differs in HTTP_PROXY)");
    // A column still running takes no part: alone, nothing is marked.
    let alone = marks(&[Some(&layouts[0]), None, None]);
    assert!(alone[0].iter().all(|m| m.mark == Mark::Same));
}
