//! Requests from curl command lines and back: the options that shape the request, the
//! round trip, a real curl sending what `to_curl` writes, and an
//! imported request run through an imported API.

mod common;

use std::path::Path;

use gatebench::import::{ImportError, import_curl, import_file, to_curl};
use gatebench::session::SavedRequest;
use gatebench::session::{client_request, run_session};
use serde_json::{Value, json};

fn req(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> SavedRequest {
    SavedRequest {
        name: format!("{method} {path}"),
        method: method.into(),
        path: path.into(),
        raw_query: query.into(),
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect(),
        body: body.map(str::to_string),
        body_base64: None,
    }
}

#[test]
fn post_with_headers_and_data() {
    let r = import_curl(
        r#"curl -X POST 'https://abc.execute-api.us-east-1.amazonaws.com/dev/pets?x=1' -H 'Content-Type: application/json' -d '{"a":1}'"#,
    )
    .unwrap();
    assert_eq!(
        r,
        req(
            "POST",
            "/dev/pets",
            "x=1",
            &[("Content-Type", "application/json")],
            Some(r#"{"a":1}"#)
        )
    );
}

#[test]
fn data_options() {
    // --data-raw: no @file, and curl's form Content-Type when none is given.
    let r = import_curl(r"curl https://h/dev/items --data-raw '@not-a-file'").unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.body.as_deref(), Some("@not-a-file"));
    assert_eq!(
        r.headers,
        [(
            "Content-Type".to_string(),
            "application/x-www-form-urlencoded".to_string()
        )]
    );
    // Several -d join with &.
    let r = import_curl("curl -d a=1 -d b=2 http://h/x").unwrap();
    assert_eq!(r.body.as_deref(), Some("a=1&b=2"));
    // --json sets Content-Type and Accept (unless given).
    let r =
        import_curl(r#"curl --json '{"n": 2}' -H 'Accept: text/plain' https://h/dev/j"#).unwrap();
    assert_eq!(r.method, "POST");
    assert_eq!(r.body.as_deref(), Some(r#"{"n": 2}"#));
    assert_eq!(
        r.headers,
        [
            ("Accept".to_string(), "text/plain".to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
        ]
    );
    // -d @file reads the file (without its newlines); --data-binary keeps them.
    let file = std::env::temp_dir().join(format!("gatebench-curl-{}.txt", std::process::id()));
    std::fs::write(&file, "line1\nline2\n").unwrap();
    let f = file.display();
    let r = import_curl(&format!("curl -d @{f} http://h/x")).unwrap();
    assert_eq!(r.body.as_deref(), Some("line1line2"));
    let r = import_curl(&format!("curl --data-binary @{f} http://h/x")).unwrap();
    assert_eq!(r.body.as_deref(), Some("line1\nline2\n"));
    std::fs::remove_file(&file).unwrap();
}

#[test]
fn get_with_urlencoded_query() {
    let r = import_curl(
        "curl -G 'https://h/dev/search?x=1' --data-urlencode 'q=hello world & more' --data-urlencode '=a/b' -d page=2",
    )
    .unwrap();
    assert_eq!(r.method, "GET");
    assert_eq!(r.path, "/dev/search");
    assert_eq!(r.raw_query, "x=1&q=hello%20world%20%26%20more&a%2Fb&page=2");
    assert_eq!(r.body, None);
    assert!(r.headers.is_empty());
}

#[test]
fn user_agent_cookies_and_clustered_flags() {
    let r = import_curl(
        "curl -sSL -XPUT -u 'alice:s3cret' -A my-app/1.0 -b 'a=1; b=2' -H 'X-Empty;' -o /dev/null https://h/dev/p",
    )
    .unwrap();
    assert_eq!(r.method, "PUT");
    assert_eq!(
        r.headers,
        [
            (
                "Authorization".to_string(),
                "Basic YWxpY2U6czNjcmV0".to_string()
            ),
            ("User-Agent".to_string(), "my-app/1.0".to_string()),
            ("Cookie".to_string(), "a=1; b=2".to_string()),
            ("X-Empty".to_string(), String::new()),
        ]
    );
    // Line continuations as pasted from docs, --url, -I.
    let r =
        import_curl("curl -I \\\n  --url 'http://h/dev/health' \\\n  -H 'Accept: */*'").unwrap();
    assert_eq!(r.method, "HEAD");
    assert_eq!(r.path, "/dev/health");
}

#[test]
fn unsupported_command_lines_are_errors() {
    let e = |cmd: &str| match import_curl(cmd) {
        Err(ImportError::Curl(m)) => m,
        other => panic!("{cmd}: {other:?}"),
    };
    assert_eq!(e("wget http://h/"), "the command is \"wget\", not curl");
    assert_eq!(
        e("curl -F file=@a.png http://h/"),
        "multipart forms (-F) are not supported; send the body with --data-binary"
    );
    assert_eq!(
        e("curl --frobnicate http://h/"),
        "unknown or unsupported curl option --frobnicate"
    );
    assert_eq!(e("curl -X"), "-X needs an argument");
    assert_eq!(e("curl -H 'x' http://h/"), "header \"x\" has no colon");
    assert_eq!(e("curl -s"), "no URL");
    assert!(e("curl 'http://h/").starts_with("cannot split the command line"));
    assert_eq!(
        ImportError::Curl("no URL".into()).to_string(),
        "curl: no URL"
    );
}

#[test]
fn to_curl_writes_a_command_that_imports_back() {
    let base = "https://abc.execute-api.us-east-1.amazonaws.com";
    let r = req(
        "POST",
        "/dev/pets",
        "x=1",
        &[("Content-Type", "application/json")],
        Some(r#"{"a":1}"#),
    );
    assert_eq!(
        to_curl(&r, base),
        r#"curl -X POST 'https://abc.execute-api.us-east-1.amazonaws.com/dev/pets?x=1' -H 'Content-Type: application/json' --data-raw '{"a":1}'"#
    );
    let cases = [
        r,
        req("GET", "/dev/pets/1", "", &[], None),
        req(
            "GET",
            "/dev/search",
            "q=a%20b&tag=x&tag=y",
            &[("Accept", "application/json")],
            None,
        ),
        req("HEAD", "/dev/health", "", &[], None),
        req("DELETE", "/dev/pets/1", "", &[("X-Empty", "")], None),
        req(
            "PUT",
            "/dev/notes",
            "",
            &[("Authorization", "Bearer a'b\"c")],
            Some("it's $HOME `x` \\ \n line 2"),
        ),
        // A body without a Content-Type stays without one.
        req("POST", "/dev/raw", "", &[], Some("a=1")),
        req("GET", "/dev/odd", "", &[], Some("body on a GET")),
    ];
    for r in cases {
        let cmd = to_curl(&r, &format!("{base}/"));
        let back = import_curl(&cmd).unwrap_or_else(|e| panic!("{cmd}: {e}"));
        assert_eq!(back, r, "{cmd}");
    }
    let bin = SavedRequest {
        body_base64: Some("AAEC/w==".into()),
        ..req(
            "POST",
            "/dev/bin",
            "",
            &[("Content-Type", "image/png")],
            None,
        )
    };
    assert_eq!(
        to_curl(&bin, base),
        "printf %s 'AAEC/w==' | base64 -d | curl -X POST https://abc.execute-api.us-east-1.amazonaws.com/dev/bin -H 'Content-Type: image/png' --data-binary @-"
    );
}

/// A real curl sends exactly what `to_curl` wrote: the built-in echo server
/// on loopback reports the request it received.
#[test]
fn real_curl_sends_the_request() {
    if !common::tools::require(common::tools::Tool::Curl, "sending a copied curl command") {
        return;
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let addr = gatebench::backend::echo::start_echo_server().await.unwrap();
        let r = req(
            "PUT",
            "/dev/notes/7",
            "draft=true&tag=a%20b",
            &[("Content-Type", "application/json"), ("X-Trace", "t-1")],
            Some(r#"{"text": "it's here"}"#),
        );
        let cmd = format!("{} -s", to_curl(&r, &format!("http://{addr}")));
        let out = tokio::process::Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{cmd}: {out:?}");
        let echo: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(echo["method"], "PUT");
        assert_eq!(echo["path"], "/dev/notes/7");
        assert_eq!(echo["query"], "draft=true&tag=a%20b");
        assert_eq!(echo["headers"]["content-type"], "application/json");
        assert_eq!(echo["headers"]["x-trace"], "t-1");
        assert_eq!(echo["body"], r#"{"text": "it's here"}"#);
    });
}

/// A request pasted as curl runs against an imported API.
#[test]
fn curl_request_runs_against_an_imported_api() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/petstore-oas3.yaml");
    let session = import_file(&path).unwrap().session;
    let r = import_curl(
        r#"curl -X POST 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev/pets' -H 'Content-Type: application/json' -d '{"name": "Rex", "type": "cat"}'"#,
    )
    .unwrap();
    let client = client_request(&r).unwrap();
    let trace = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_session(&session, &client));
    assert_eq!(trace.response.status, 200, "{}", trace.log.join("\n"));
    let body: Value = serde_json::from_slice(&trace.response.body).unwrap();
    assert_eq!(body, json!({"action": "create", "created": "Rex"}));
}
