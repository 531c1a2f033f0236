//! Loading conformance cases and running them through the library.

use std::path::Path;

use gatebench::gateway::{Phase, mapping_setup};
use gatebench::vtl::{Context, ErrorKind, Policy, Template};
use serde_json::Value as Json;

/// One case file.
pub struct Case {
    pub id: String,
    /// `velocity` for language cases, else the apigw `kind`.
    pub kind: String,
    pub low_confidence: bool,
    pub json: Json,
}

/// What running a case gave.
pub enum Outcome {
    Pass,
    Fail(String),
    Unsupported(String),
}

/// Every `*.json` case in a folder, sorted by file name (README/FORMAT files are skipped).
pub fn load_cases(folder: &Path) -> Vec<Case> {
    let mut files: Vec<_> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let json: Json =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let id = json["id"].as_str().unwrap_or_default().to_string();
            let kind = json["kind"].as_str().unwrap_or("velocity").to_string();
            let low_confidence = json["confidence"].as_str() == Some("low");
            Case {
                id,
                kind,
                low_confidence,
                json,
            }
        })
        .collect()
}

/// Run one case.
pub fn run_case(case: &Case) -> Outcome {
    match case.kind.as_str() {
        "velocity" => run_velocity(&case.json),
        "template" => run_template(&case.json),
        "pipeline" | "test-invoke" => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(super::pipeline::run_case(&case.json))
        }
        "config" => run_config(&case.json),
        other => Outcome::Unsupported(format!("kind {other}")),
    }
}

fn show(s: &str) -> String {
    let mut t = format!("{s:?}");
    if t.len() > 300 {
        let mut cut = 300;
        while !t.is_char_boundary(cut) {
            cut -= 1;
        }
        t.truncate(cut);
        t.push_str("...");
    }
    t
}

fn run_velocity(c: &Json) -> Outcome {
    let template = c["template"].as_str().unwrap_or_default();
    let expected = c["expected"].as_str().unwrap_or_default();
    let want_error = c["error"].as_bool().unwrap_or(false);
    let mut ctx = match &c["context"] {
        Json::Object(o) => Context::from_json_object(o),
        _ => Context::new(),
    };
    let policy = Policy::velocity();
    let result = Template::parse(template).and_then(|t| t.render(&mut ctx, &policy));
    match (result, want_error) {
        (Ok(out), false) if out == expected => Outcome::Pass,
        (Ok(out), false) => {
            Outcome::Fail(format!("expected {} got {}", show(expected), show(&out)))
        }
        (Ok(out), true) => Outcome::Fail(format!(
            "expected a {} error, rendered {}",
            c["error_kind"].as_str().unwrap_or("?"),
            show(&out)
        )),
        (Err(e), true) => {
            let kind = match e.kind {
                ErrorKind::Parse => "parse",
                ErrorKind::Render => "runtime",
            };
            if c["error_kind"].as_str().is_none_or(|k| k == kind) {
                Outcome::Pass
            } else {
                Outcome::Fail(format!(
                    "expected a {} error, got a {kind} error: {e}",
                    c["error_kind"].as_str().unwrap_or("?")
                ))
            }
        }
        (Err(e), false) => {
            Outcome::Fail(format!("unexpected error {e}; expected {}", show(expected)))
        }
    }
}

/// Render a `kind: template` case through the library as API Gateway would.
pub fn render_template_case(c: &Json) -> Result<String, String> {
    let phase = match c["phase"].as_str() {
        Some("response") => Phase::Response,
        _ => Phase::Request,
    };
    let ir = c.get("integrationResponse").filter(|v| !v.is_null());
    let setup = mapping_setup(&c["request"], phase, ir).map_err(|e| format!("setup: {e}"))?;
    let template = Template::parse_with(c["template"].as_str().unwrap_or_default(), &setup.policy)
        .map_err(|e| format!("parse error {e}"))?;
    let (mut ctx, _) = setup.context();
    template
        .render(&mut ctx, &setup.policy)
        .map_err(|e| format!("render error {e}"))
}

/// Compare a rendered template with a case's `expected` under its `compare` mode.
pub fn compare_rendered(c: &Json, out: &str) -> Result<(), String> {
    let expected = &c["expected"];
    match c["compare"].as_str().unwrap_or("exact") {
        "json" => {
            let got: Json = serde_json::from_str(out)
                .map_err(|e| format!("rendered text is not JSON ({e}): {}", show(out)))?;
            if json_equal(&got, expected) {
                Ok(())
            } else {
                Err(format!("expected JSON {expected} got {}", show(out)))
            }
        }
        _ => {
            let want = expected.as_str().unwrap_or_default();
            if out == want {
                Ok(())
            } else {
                Err(format!("expected {} got {}", show(want), show(out)))
            }
        }
    }
}

/// Structural JSON equality: object key order ignored, numbers by value.
pub fn json_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| json_equal(v, w))
        }
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn run_template(c: &Json) -> Outcome {
    match render_template_case(c) {
        Err(e) => Outcome::Fail(e),
        Ok(out) => match compare_rendered(c, &out) {
            Ok(()) => Outcome::Pass,
            Err(e) => Outcome::Fail(e),
        },
    }
}

fn subset(expected: &Json, actual: &Json) -> bool {
    match (expected, actual) {
        (Json::Object(e), Json::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|w| subset(v, w))),
        _ => json_equal(expected, actual),
    }
}

fn run_config(c: &Json) -> Outcome {
    let Some(got) =
        gatebench::gateway::config::call(c["call"].as_str().unwrap_or_default(), &c["input"])
    else {
        return Outcome::Unsupported(format!("control-plane call {}", c["call"]));
    };
    let want = &c["expectedResponse"];
    let ok = match c["compare"].as_str() {
        Some("json-unordered-items") => {
            let (Some(w), Some(g)) = (want["items"].as_array(), got["items"].as_array()) else {
                return Outcome::Fail("no items".into());
            };
            w.len() == g.len() && w.iter().all(|i| g.iter().any(|j| json_equal(i, j)))
        }
        _ => subset(want, &got),
    };
    if ok {
        Outcome::Pass
    } else {
        Outcome::Fail(format!("expected {want} got {got}"))
    }
}
