//! Running `pipeline`, `test-invoke` and `config` cases: each case's backend is a real server
//! on loopback (an HTTP server, or a Lambda Invoke API server) that answers as the case says
//! and records what it received.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use base64::Engine as _;
use gatebench::backend::http::HttpBackend;
use gatebench::gateway::api::Api;
use gatebench::gateway::pipeline::{self, ClientRequest, RunOptions};
use gatebench::gateway::trace::Trace;
use serde_json::{Value as Json, json};

use super::cases::{Outcome, json_equal};

/// What the loopback backend received.
#[derive(Clone, Debug, Default)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

type Log = Arc<Mutex<Vec<Received>>>;

async fn serve(spec: Json, log: Log) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let spec = spec.clone();
            let log = log.clone();
            async move {
                let received = Received {
                    method: method.to_string(),
                    path: uri.path().to_string(),
                    query: uri.query().map(url_pairs).unwrap_or_default(),
                    headers: headers
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.to_string(),
                                String::from_utf8_lossy(v.as_bytes()).into_owned(),
                            )
                        })
                        .collect(),
                    body: body.to_vec(),
                };
                log.lock().unwrap().push(received);
                answer(&spec, &body)
            }
        },
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn url_pairs(q: &str) -> Vec<(String, String)> {
    pipeline::parse_query(q)
}

fn answer(spec: &Json, body: &[u8]) -> axum::response::Response {
    let mut b = axum::response::Response::builder();
    match spec["type"].as_str() {
        Some("lambda") => {
            if let Some(err) = spec.get("raises") {
                b = b
                    .status(200)
                    .header("Content-Type", "application/json")
                    .header("X-Amz-Function-Error", "Unhandled");
                return b.body(axum::body::Body::from(err.to_string())).unwrap();
            }
            let payload = if spec["behavior"] == "echo-event" {
                body.to_vec()
            } else {
                spec["returns"].to_string().into_bytes()
            };
            b.status(200)
                .header("Content-Type", "application/json")
                .body(axum::body::Body::from(payload))
                .unwrap()
        }
        _ => {
            b = b.status(u16::try_from(spec["status"].as_u64().unwrap_or(200)).unwrap());
            if let Some(Json::Object(h)) = spec.get("headers") {
                for (k, v) in h {
                    b = b.header(k.as_str(), v.as_str().unwrap_or_default());
                }
            }
            let bytes = match (spec.get("bodyBase64"), spec.get("body")) {
                (Some(Json::String(b64)), _) => base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap(),
                (_, Some(Json::String(s))) => s.clone().into_bytes(),
                _ => Vec::new(),
            };
            b.body(axum::body::Body::from(bytes)).unwrap()
        }
    }
}

/// Fixed ids and times for reproducible runs.
fn options() -> RunOptions {
    RunOptions {
        request_id: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef".to_string(),
        now_ms: 1_583_349_317_135,
        source_ip: "198.51.100.7".to_string(),
        ..RunOptions::default()
    }
}

/// Run a pipeline or test-invoke case.
pub async fn run_case(c: &Json) -> Outcome {
    let setup = &c["setup"];
    let api: Api = match serde_json::from_value(setup.clone()) {
        Ok(a) => a,
        Err(e) => return Outcome::Fail(format!("setup does not load into the API model: {e}")),
    };
    let log: Log = Arc::default();
    let spec = c["backend"].clone();
    let addr = serve(spec.clone(), log.clone()).await;
    let backend = HttpBackend::new()
        .redirect_to(addr)
        .with_lambda_endpoint(&format!("http://{addr}"), None);
    let opts = options();
    let trace: Trace = if c["kind"] == "test-invoke" {
        let inv = &c["invoke"];
        let headers: Vec<(String, String)> = inv["headers"]
            .as_object()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default();
        let invoke = pipeline::TestInvoke {
            resource_path: inv["resourcePath"].as_str().unwrap_or("/").to_string(),
            http_method: inv["httpMethod"].as_str().unwrap_or("GET").to_string(),
            path_with_query: inv["pathWithQueryString"].as_str().map(str::to_string),
            headers,
            body: inv["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
        };
        pipeline::test_invoke(&api, invoke, &backend, &opts).await
    } else {
        let r = &c["request"];
        let body = match (r.get("bodyBase64"), r.get("body")) {
            (Some(Json::String(b)), _) => {
                base64::engine::general_purpose::STANDARD.decode(b).unwrap()
            }
            (_, Some(Json::String(s))) => s.clone().into_bytes(),
            _ => Vec::new(),
        };
        let request = ClientRequest {
            method: r["method"].as_str().unwrap_or("GET").to_string(),
            path: r["path"].as_str().unwrap_or("/").to_string(),
            raw_query: r["rawQuery"].as_str().unwrap_or_default().to_string(),
            headers: r["headers"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|p| {
                            Some((p[0].as_str()?.to_string(), p[1].as_str()?.to_string()))
                        })
                        .collect()
                })
                .unwrap_or_default(),
            body,
        };
        pipeline::run(&api, &request, &backend, &opts).await
    };
    let received = log.lock().unwrap().clone();
    match check(c, &trace, &received) {
        Ok(()) => Outcome::Pass,
        Err(e) => Outcome::Fail(e),
    }
}

fn folded_headers(headers: &[(String, String)], exact: bool) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in headers {
        let same = |n: &String| {
            if exact {
                n == k
            } else {
                n.eq_ignore_ascii_case(k)
            }
        };
        if let Some(slot) = out.iter_mut().find(|(n, _)| same(n)) {
            slot.1 = format!("{}, {v}", slot.1);
        } else {
            out.push((k.clone(), v.clone()));
        }
    }
    out
}

fn placeholder_eq(expected: &Json, actual: &Json) -> bool {
    if expected == "<any>" {
        return !actual.is_null();
    }
    match (expected, actual) {
        (Json::Object(e), Json::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|w| placeholder_eq(v, w))),
        (Json::Array(e), Json::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| placeholder_eq(x, y))
        }
        _ => json_equal(expected, actual),
    }
}

fn json_exact_eq(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::Object(e), Json::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, v)| a.get(k).is_some_and(|w| json_exact_eq(v, w)))
        }
        (Json::Array(e), Json::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(x, y)| json_exact_eq(x, y))
        }
        _ => expected == "<any>" && !actual.is_null() || json_equal(expected, actual),
    }
}

fn body_matches(
    mode: &str,
    expected: &Json,
    expected_b64: Option<&Json>,
    actual: &[u8],
) -> Result<(), String> {
    let text = String::from_utf8_lossy(actual);
    match mode {
        "bytes" => {
            let want = base64::engine::general_purpose::STANDARD
                .decode(expected_b64.and_then(Json::as_str).unwrap_or_default())
                .unwrap_or_default();
            if want == actual {
                Ok(())
            } else {
                Err(format!(
                    "body bytes differ: expected {} bytes, got {} ({:?})",
                    want.len(),
                    actual.len(),
                    &text.chars().take(80).collect::<String>()
                ))
            }
        }
        "json" | "json-subset" => {
            let got: Json = serde_json::from_slice(actual)
                .map_err(|e| format!("body is not JSON ({e}): {text:?}"))?;
            let ok = if mode == "json" {
                json_exact_eq(expected, &got)
            } else {
                placeholder_eq(expected, &got)
            };
            if ok {
                Ok(())
            } else {
                Err(format!("body: expected {expected} got {got}"))
            }
        }
        _ => {
            let want = expected
                .as_str()
                .map_or_else(|| expected.to_string(), str::to_string);
            if want == text {
                Ok(())
            } else {
                Err(format!("body: expected {want:?} got {text:?}"))
            }
        }
    }
}

fn check(c: &Json, trace: &Trace, received: &[Received]) -> Result<(), String> {
    let e = &c["expected"];
    let resp = &trace.response;
    let want_status = e["status"].as_u64().unwrap_or(0);
    if u64::from(resp.status) != want_status {
        return Err(format!(
            "status: expected {want_status} got {} (body {:?}; log tail {:?})",
            resp.status,
            resp.body_text(),
            trace.log.iter().rev().take(3).collect::<Vec<_>>()
        ));
    }
    let exact = e["headerNameCase"] == "exact";
    let headers = folded_headers(&resp.headers, exact);
    if let Some(Json::Object(h)) = e.get("headers") {
        for (k, v) in h {
            let got = headers.iter().find(|(n, _)| {
                if exact {
                    n == k
                } else {
                    n.eq_ignore_ascii_case(k)
                }
            });
            match got {
                Some((_, g)) if v == "<any>" || v.as_str() == Some(g.as_str()) => {}
                Some((_, g)) => return Err(format!("header {k}: expected {v} got {g:?}")),
                None => return Err(format!("header {k} missing (have {headers:?})")),
            }
        }
    }
    if let Some(Json::Array(absent)) = e.get("absentHeaders") {
        for a in absent.iter().filter_map(Json::as_str) {
            if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(a)) {
                return Err(format!("header {a} must be absent"));
            }
        }
    }
    if e.get("body").is_some() || e.get("bodyBase64").is_some() {
        let mode = e["bodyCompare"].as_str().unwrap_or("exact");
        body_matches(mode, &e["body"], e.get("bodyBase64"), &resp.body)?;
    }
    if e["backendCalled"] == false && !received.is_empty() {
        return Err("the backend must not be called".to_string());
    }
    if let Some(br) = e.get("backendRequest") {
        let Some(r) = received.first() else {
            return Err("the backend was not called".to_string());
        };
        let subset = e["backendRequestCompare"] != "json";
        if let Some(ev) = br.get("event") {
            let got: Json = serde_json::from_slice(&r.body)
                .map_err(|err| format!("event is not JSON: {err}"))?;
            let ok = if subset {
                placeholder_eq(ev, &got)
            } else {
                json_exact_eq(ev, &got)
            };
            if !ok {
                return Err(format!("event: expected {ev}\n got {got}"));
            }
            if let Some(Json::Array(keys)) = br.get("eventKeys") {
                let mut want: Vec<&str> = keys.iter().filter_map(Json::as_str).collect();
                let mut have: Vec<&str> = got
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                want.sort_unstable();
                have.sort_unstable();
                if want != have {
                    return Err(format!("event keys: expected {want:?} got {have:?}"));
                }
            }
            if let Some(Json::Array(keys)) = br.get("requestContextKeys") {
                let mut want: Vec<&str> = keys.iter().filter_map(Json::as_str).collect();
                let mut have: Vec<&str> = got["requestContext"]
                    .as_object()
                    .map(|o| o.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                want.sort_unstable();
                have.sort_unstable();
                if want != have {
                    return Err(format!(
                        "requestContext keys: expected {want:?} got {have:?}"
                    ));
                }
            }
        }
        if let Some(m) = br.get("method").and_then(Json::as_str)
            && m != r.method
        {
            return Err(format!("backend method: expected {m} got {}", r.method));
        }
        if let Some(p) = br.get("path").and_then(Json::as_str)
            && p != r.path
        {
            return Err(format!("backend path: expected {p} got {}", r.path));
        }
        if let Some(Json::Object(h)) = br.get("headers") {
            let exact = e["headerNameCase"] == "exact";
            for (k, v) in h {
                let got = r.headers.iter().find(|(n, _)| {
                    if exact {
                        n == k
                    } else {
                        n.eq_ignore_ascii_case(k)
                    }
                });
                match got {
                    Some((_, g)) if v == "<any>" || v.as_str() == Some(g.as_str()) => {}
                    other => {
                        return Err(format!(
                            "backend header {k}: expected {v} got {other:?} (all {:?})",
                            r.headers
                        ));
                    }
                }
            }
        }
        if let Some(Json::Array(absent)) = br.get("absentHeaders") {
            for a in absent.iter().filter_map(Json::as_str) {
                if r.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(a)) {
                    return Err(format!("backend header {a} must be absent"));
                }
            }
        }
        if let Some(Json::Object(q)) = br.get("query") {
            for (k, vs) in q {
                let mut want: Vec<&str> = vs
                    .as_array()
                    .map(|a| a.iter().filter_map(Json::as_str).collect())
                    .unwrap_or_default();
                let mut have: Vec<&str> = r
                    .query
                    .iter()
                    .filter(|(n, _)| n == k)
                    .map(|(_, v)| v.as_str())
                    .collect();
                if e["queryValueOrder"] == "unordered" {
                    want.sort_unstable();
                    have.sort_unstable();
                }
                if want != have {
                    return Err(format!("backend query {k}: expected {want:?} got {have:?}"));
                }
            }
        }
        if let Some(Json::Array(absent)) = br.get("absentQuery") {
            for a in absent.iter().filter_map(Json::as_str) {
                if r.query.iter().any(|(n, _)| n == a) {
                    return Err(format!("backend query {a} must be absent"));
                }
            }
        }
        if let Some(b) = br.get("body") {
            let mode = match (e["backendRequestCompare"].as_str(), b) {
                (Some("exact"), _) | (_, Json::String(_)) => "exact",
                _ => "json",
            };
            body_matches(mode, b, None, &r.body).map_err(|err| format!("backend {err}"))?;
        }
    }
    if let Some(Json::Array(lines)) = e.get("log") {
        check_log(
            lines,
            &trace.log,
            e["logCompare"].as_str().unwrap_or("lines"),
        )?;
    }
    let _ = json!(null);
    Ok(())
}

fn line_matches(pattern: &str, line: &str, request_id: &str) -> bool {
    // <ts>, <request-id>, <any> placeholders.
    let mut regex = String::from("^");
    let mut rest = pattern;
    while !rest.is_empty() {
        let next = ["<ts>", "<request-id>", "<any>"]
            .iter()
            .filter_map(|p| rest.find(p).map(|i| (i, *p)))
            .min_by_key(|(i, _)| *i);
        match next {
            Some((i, p)) => {
                regex.push_str(&fancy_regex::escape(&rest[..i]));
                regex.push_str(match p {
                    "<ts>" => r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}",
                    "<request-id>" => &*Box::leak(
                        fancy_regex::escape(request_id)
                            .into_owned()
                            .into_boxed_str(),
                    ),
                    _ => ".+",
                });
                rest = &rest[i + p.len()..];
            }
            None => {
                regex.push_str(&fancy_regex::escape(rest));
                rest = "";
            }
        }
    }
    regex.push('$');
    fancy_regex::Regex::new(&regex).is_ok_and(|re| re.is_match(line).unwrap_or(false))
}

fn check_log(expected: &[Json], actual: &[String], mode: &str) -> Result<(), String> {
    let request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef";
    let want: Vec<&str> = expected.iter().filter_map(Json::as_str).collect();
    if mode == "tail-lines" {
        let have: Vec<&String> = actual.iter().filter(|l| !l.is_empty()).collect();
        let want: Vec<&str> = want.into_iter().filter(|l| !l.is_empty()).collect();
        if have.len() < want.len() {
            return Err(format!(
                "log has {} lines, expected at least {}",
                have.len(),
                want.len()
            ));
        }
        for (w, h) in want.iter().zip(&have[have.len() - want.len()..]) {
            if !line_matches(w, h, request_id) {
                return Err(format!(
                    "log line: expected {w:?}\n got {h:?}\n full log {actual:#?}"
                ));
            }
        }
        return Ok(());
    }
    if want.len() != actual.len() {
        return Err(format!(
            "log: expected {} lines, got {}: {actual:#?}",
            want.len(),
            actual.len()
        ));
    }
    for (w, h) in want.iter().zip(actual) {
        if !line_matches(w, h, request_id) {
            return Err(format!("log line: expected {w:?}\n got {h:?}"));
        }
    }
    Ok(())
}
