//! `update()` unit tests for adding a request from a curl command: paste, continuation
//! lines, errors, a request that reaches no method, and the round trip with copy as curl.

use crossterm::event::KeyCode;

use super::test_support::{app, key, typed};
use super::*;

/// Open the curl prompt, paste `text`, press Enter, parse as the runtime does, deliver.
fn paste_curl(a: &mut App, text: &str) -> Vec<Effect> {
    key(a, KeyCode::Char('c'));
    assert_eq!(a.overlay(), Some(&Overlay::Curl));
    update(a, Msg::Paste(text.into()));
    let fx = key(a, KeyCode::Enter);
    let [Effect::ParseCurl { generation, text }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let result = crate::import::import_curl(text).map_err(|e| e.to_string());
    update(
        a,
        Msg::CurlParsed {
            generation: *generation,
            result,
        },
    )
}

#[test]
fn a_pasted_curl_command_becomes_the_selected_request() {
    let mut a = app();
    let before = a.session().requests.len();
    let fx = paste_curl(
        &mut a,
        "curl -X POST \\\n  'https://x.execute-api.us-east-1.amazonaws.com/dev/pets/42?v=1' \\\n  -H 'Content-Type: application/json' \\\n  --data-raw '{\"name\": \"Tom\"}'",
    );
    assert_eq!(a.overlay(), None);
    assert_eq!(a.session().requests.len(), before + 1);
    assert_eq!(a.request_index(), before);
    let r = a.request().unwrap();
    assert_eq!(r.name, "curl: POST /pets/42");
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/dev/pets/42")
    );
    assert_eq!(r.raw_query, "v=1");
    assert_eq!(r.body.as_deref(), Some("{\"name\": \"Tom\"}"));
    assert!(a.is_dirty());
    // The panes show it: the request text, a new render against it, a live run.
    assert!(
        a.request_view()
            .lines_from(0)
            .next()
            .unwrap()
            .text
            .starts_with("POST /dev/pets/42?v=1")
    );
    let render = fx
        .iter()
        .find_map(|e| match e {
            Effect::Render(r) => Some(r),
            _ => None,
        })
        .expect("a render");
    assert_eq!(
        render.request.as_ref().unwrap().path_parameters["petId"],
        "42"
    );
    assert!(fx.iter().any(|e| matches!(e, Effect::RunPipeline(_))));
    let s = a.status().unwrap();
    assert!(s.text.contains("reaches POST /pets/{petId}"), "{s:?}");
    // The same command again gets its own name; the prompt starts empty.
    key(&mut a, KeyCode::Char('c'));
    assert_eq!(a.curl_editor().text(), "");
    key(&mut a, KeyCode::Esc);
    paste_curl(&mut a, "curl -X POST https://x/dev/pets/42?v=1 -d '{}'");
    assert_eq!(a.request().unwrap().name, "curl: POST /pets/42 (2)");
}

#[test]
fn a_curl_command_that_routes_nowhere_is_added_and_said() {
    let mut a = app();
    paste_curl(&mut a, "curl https://x.example/dev/nowhere");
    assert_eq!(a.request().unwrap().name, "curl: GET /nowhere");
    assert!(!a.routed());
    let s = a.status().unwrap();
    assert!(
        s.text
            .contains("no method of this API matches GET /dev/nowhere")
            && s.text.contains("403"),
        "{s:?}"
    );
}

#[test]
fn a_bad_curl_command_keeps_its_text_to_fix() {
    let mut a = app();
    let before = a.session().requests.len();
    paste_curl(&mut a, "curl -F a=b https://x/dev/pets/1");
    assert_eq!(a.overlay(), Some(&Overlay::Curl));
    assert!(
        a.curl_error().unwrap().contains("multipart forms"),
        "{:?}",
        a.curl_error()
    );
    assert_eq!(a.status().unwrap().kind, StatusKind::Error);
    assert_eq!(a.curl_editor().text(), "curl -F a=b https://x/dev/pets/1");
    assert_eq!(a.session().requests.len(), before);
    assert!(!a.is_dirty());
    // Editing clears the message; Esc keeps the text for the next time.
    key(&mut a, KeyCode::Char('x'));
    assert_eq!(a.curl_error(), None);
    key(&mut a, KeyCode::Esc);
    key(&mut a, KeyCode::Char('c'));
    assert!(a.curl_editor().text().contains("-F a=b"));
    // Nothing typed: a message, no parse.
    let mut b = app();
    key(&mut b, KeyCode::Char('c'));
    assert_eq!(key(&mut b, KeyCode::Enter), vec![]);
    assert!(b.curl_error().is_some());
}

#[test]
fn enter_after_a_backslash_continues_the_typed_command() {
    let mut a = app();
    key(&mut a, KeyCode::Char('c'));
    typed(&mut a, "curl https://x/dev/pets/1 \\");
    assert_eq!(key(&mut a, KeyCode::Enter), vec![]);
    typed(&mut a, "-X POST -d '{}'");
    assert_eq!(a.curl_editor().lines().len(), 2);
    let fx = key(&mut a, KeyCode::Enter);
    let [Effect::ParseCurl { text, .. }] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    let r = crate::import::import_curl(text).unwrap();
    assert_eq!((r.method.as_str(), r.body.as_deref()), ("POST", Some("{}")));
    // A late answer after Esc is dropped.
    key(&mut a, KeyCode::Esc);
    let n = a.session().requests.len();
    update(
        &mut a,
        Msg::CurlParsed {
            generation: 99,
            result: Ok(r),
        },
    );
    assert_eq!(a.session().requests.len(), n);
}

#[test]
fn copy_as_curl_then_paste_gives_the_same_request() {
    let mut a = app();
    // Every saved request of the default session, and one with awkward quoting.
    let mut odd = a.session().requests[0].clone();
    odd.headers
        .push(("X-Quote".into(), "it's \"x\" $HOME".into()));
    odd.body = Some("line 1\nline 'two'\n".into());
    odd.raw_query = "a=1&b=%20".into();
    let mut originals = a.session().requests.clone();
    originals.push(odd.clone());
    std::sync::Arc::make_mut(&mut a.workspace.session)
        .requests
        .push(odd);
    for (i, original) in originals.iter().enumerate() {
        a.workspace.request_index = i;
        a.load_request_text();
        a.chrome.focus = Pane::Request;
        let fx = key(&mut a, KeyCode::Char('y'));
        let [Effect::Copy { text, what }] = fx.as_slice() else {
            panic!("{fx:?}")
        };
        assert_eq!(what, "request as curl");
        paste_curl(&mut a, text);
        let mut back = a.request().unwrap().clone();
        assert!(back.name.starts_with("curl: "), "{}", back.name);
        back.name.clone_from(&original.name);
        assert_eq!(&back, original, "{text}");
    }
}
