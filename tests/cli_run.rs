//! `gatebench run` as CONTRACT.md specifies it: every shipped session runs offline.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gatebench"))
}

fn sessions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatebench-run-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_json(session: &Path, request: Option<&serde_json::Value>) -> serde_json::Value {
    let mut cmd = bin();
    cmd.arg("run").arg(session).arg("--json");
    // Sessions with `start = true` start moto's server: put the tests' copy on the PATH.
    if std::fs::read_to_string(session).is_ok_and(|t| t.contains("type = \"aws-local\""))
        && let Some(server) = common::tools::moto("the AWS service teaching sessions")
    {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::iter::once(server.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&path));
        cmd.env("PATH", std::env::join_paths(dirs).unwrap());
    }
    if let Some(r) = request {
        let dir = scratch("req");
        let p = dir.join(format!(
            "{}.json",
            r["path"].as_str().unwrap().replace('/', "_")
        ));
        std::fs::write(&p, r.to_string()).unwrap();
        cmd.arg("--request").arg(p);
    }
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn body_json(v: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(v["response"]["body"].as_str().unwrap()).unwrap_or(serde_json::Value::Null)
}

#[test]
fn every_shipped_session_runs() {
    let python = common::tools::require(
        common::tools::Tool::Python3,
        "the pets session's Python function",
    );
    let mut n = 0;
    for entry in std::fs::read_dir(sessions()).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        if !python && p.ends_with("pets-lambda.toml") {
            n += 1;
            continue;
        }
        if common::tools::opted_out(common::tools::Tool::Moto)
            && std::fs::read_to_string(&p).is_ok_and(|t| t.contains("type = \"aws-local\""))
        {
            common::tools::say_skipped(&format!("{}: needs moto", p.display()));
            n += 1;
            continue;
        }
        n += 1;
        let v = run_json(&p, None);
        let status = v["response"]["status"].as_u64().unwrap();
        assert!(
            (200..300).contains(&status),
            "{}: status {status}: {v}",
            p.display()
        );
        assert!(v["log"].as_array().unwrap().len() > 5, "{}", p.display());
        let last = v["log"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .nth(1)
            .unwrap()
            .as_str()
            .unwrap();
        assert!(
            last.ends_with(&format!("Method completed with status: {status}")),
            "{last}"
        );
    }
    assert!(
        n >= 6,
        "expected the five teaching sessions and the pets session, found {n}"
    );
}

#[test]
fn mock_session_carries_data_through_overrides() {
    let v = run_json(&sessions().join("mock.toml"), None);
    let body = body_json(&v);
    assert_eq!(body["message"], "Hello, Rex!");
    assert_eq!(body["toys"], serde_json::json!(["BALL", "ROPE"]));
    assert_eq!(v["backendRequest"], serde_json::Value::Null);
    let headers = &v["response"]["headers"];
    assert_eq!(headers["X-Pet-Id"], "7");
    let req = serde_json::json!({"method": "POST", "path": "/dev/pets/0", "headers": [["Content-Type", "application/json"]], "body": "{}"});
    let v = run_json(&sessions().join("mock.toml"), Some(&req));
    assert_eq!(v["response"]["status"], 404);
    assert_eq!(body_json(&v)["message"], "no pet with id 0");
}

#[test]
fn pets_session_maps_function_errors_by_selection_pattern() {
    if !common::tools::require(
        common::tools::Tool::Python3,
        "the pets session's Python function",
    ) {
        return;
    }
    let s = sessions().join("pets-lambda.toml");
    let ok = run_json(
        &s,
        Some(&serde_json::json!({"method": "GET", "path": "/prod/pets/2"})),
    );
    assert_eq!(ok["response"]["status"], 200);
    assert_eq!(body_json(&ok)["display"], "Tom the cat (124.5 USD)");
    let missing = run_json(
        &s,
        Some(&serde_json::json!({"method": "GET", "path": "/prod/pets/9"})),
    );
    assert_eq!(missing["response"]["status"], 404);
    assert_eq!(body_json(&missing)["message"], "Not found: pet 9");
    let bad = run_json(
        &s,
        Some(&serde_json::json!({"method": "GET", "path": "/prod/pets/x"})),
    );
    assert_eq!(bad["response"]["status"], 400);
    assert_eq!(
        body_json(&bad)["message"],
        "Bad request: Invalid pet id: 'x'"
    );
    let log: Vec<&str> = bad["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(log.iter().any(|l| l.contains("Endpoint response body before transformations: {\"errorMessage\": \"Invalid pet id: 'x'\"")), "{log:#?}");
}

#[test]
fn unknown_route_is_403_like_the_gateway() {
    let v = run_json(
        &sessions().join("mock.toml"),
        Some(&serde_json::json!({"method": "GET", "path": "/dev/nowhere"})),
    );
    assert_eq!(v["response"]["status"], 403);
    assert_eq!(body_json(&v)["message"], "Missing Authentication Token");
}

#[test]
fn plain_output_is_the_console_log() {
    let out = bin()
        .arg("run")
        .arg(sessions().join("mock.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Execution log for request "));
    assert!(lines[1].contains(" : Starting execution for request: "));
    assert!(
        lines
            .last()
            .unwrap()
            .ends_with("Method completed with status: 200")
    );
}

#[test]
fn invalid_files_exit_2_with_file_and_line() {
    let dir = scratch("invalid");
    let s = dir.join("bad.toml");
    std::fs::write(
        &s,
        "version = 1\nname = \"x\"\n[api]\nresources = []\nwhat = 3\n",
    )
    .unwrap();
    let out = bin().arg("run").arg(&s).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(&format!("error: {}:5: ", s.display())),
        "{err}"
    );

    let r = dir.join("req.json");
    std::fs::write(&r, "{\n  \"method\": \"GET\",\n  \"path\": 7\n}").unwrap();
    let out = bin()
        .arg("run")
        .arg(sessions().join("mock.toml"))
        .arg("--request")
        .arg(&r)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.starts_with(&format!("error: {}:3: ", r.display())),
        "{err}"
    );
}

/// A session file written by hand gets the gateway's own checks on load (the ones the
/// settings editor applies), each refusal at the line where the setting is written.
#[test]
fn sessions_are_checked_as_the_gateway_checks_settings() {
    let dir = scratch("checked");
    let head = "version = 1\nname = \"x\"\n\n[api]\nstage = \"dev\"\n\n[[api.resources]]\npath = \"/a\"\n\n[api.resources.methods.GET.integration]\ntype = \"MOCK\"\n";
    let cases: &[(&str, &str, usize, &str)] = &[
        (
            "pattern",
            "\n[api.resources.methods.GET.integration.integrationResponses.e]\nstatusCode = \"404\"\nselectionPattern = \"4(\"\n",
            15,
            "selectionPattern \"4(\" is not a valid Java regular expression",
        ),
        (
            "timeout-low",
            "timeoutInMillis = 10\n",
            12,
            "timeoutInMillis 10 is below the gateway's minimum of 50 ms",
        ),
        (
            "timeout-huge",
            "timeoutInMillis = 18446744073709551615\n",
            12,
            "does not fit the gateway's field",
        ),
        (
            "path-slash",
            "\n[[api.resources]]\npath = \"b\"\n",
            14,
            "invalid resource path \"b\": it must start with '/'",
        ),
        (
            "path-brace",
            "\n[[api.resources]]\npath = \"/b/{id\"\n",
            14,
            "opens '{' without closing it",
        ),
        (
            "duplicate",
            "\n[[api.resources]]\npath = \"/a\"\n",
            14,
            "resource \"/a\" is defined twice",
        ),
        (
            "backend",
            "\n[backend]\ntype = \"echo\"\nendpoint = \"http://x\"\n",
            15,
            "unknown field `endpoint`: the echo backend takes no settings besides `type`",
        ),
    ];
    for (name, tail, line, message) in cases {
        let s = dir.join(format!("{name}.toml"));
        std::fs::write(&s, format!("{head}{tail}")).unwrap();
        let out = bin().arg("run").arg(&s).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.starts_with(&format!("error: {}:{line}: ", s.display())) && err.contains(message),
            "{name}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{name}: {err}");
    }
    // A session file that never ends is refused at the size limit.
    let out = bin().args(["run", "/dev/zero"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("larger than 64 MB"), "{err}");
}
