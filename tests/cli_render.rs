//! `gatebench render` as CONTRACT.md specifies it, driven through the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::cases::load_cases;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gatebench"))
}

/// `gatebench render --template T <mode> INPUT` with the template and input written to `dir`.
fn render_with(dir: &Path, template: &str, mode: &str, input: &str) -> std::process::Output {
    let t = dir.join("t.vtl");
    let i = dir.join("input.json");
    std::fs::write(&t, template).unwrap();
    std::fs::write(&i, input).unwrap();
    bin()
        .args(["render", "--template"])
        .arg(&t)
        .arg(mode)
        .arg(&i)
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatebench-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every shared Velocity case through `gatebench render --context`: exact bytes on stdout,
/// exit 2 for parse errors and 3 for render errors with one `error: LINE:COL: message` line.
#[test]
fn velocity_cases_through_the_binary() {
    let folder = common::conformance_dir().join("velocity");
    let dir = scratch("velocity");
    let mut failures = Vec::new();
    let cases = load_cases(&folder);
    assert!(
        cases.len() >= 164,
        "expected the public velocity cases in tests/conformance/velocity"
    );
    for case in &cases {
        let c = &case.json;
        let t = dir.join("t.vtl");
        let ctx = dir.join("c.json");
        std::fs::write(&t, c["template"].as_str().unwrap()).unwrap();
        std::fs::write(&ctx, c["context"].to_string()).unwrap();
        let out = bin()
            .args(["render", "--template"])
            .arg(&t)
            .arg("--context")
            .arg(&ctx)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        if c["error"].as_bool() == Some(true) {
            let want = if c["error_kind"] == "parse" { 2 } else { 3 };
            let line_ok = stderr.lines().count() == 1
                && stderr.starts_with("error: ")
                && stderr["error: ".len()..]
                    .split(':')
                    .take(2)
                    .all(|n| n.trim().parse::<u32>().is_ok_and(|n| n >= 1));
            if code != Some(want) || !stdout.is_empty() || !line_ok {
                failures.push(format!("{}: exit {code:?} stderr {stderr:?}", case.id));
            }
        } else if code != Some(0) || stdout != c["expected"].as_str().unwrap() {
            failures.push(format!("{}: exit {code:?} stdout {stdout:?}", case.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn parse_error_points_at_line_and_column() {
    let out = render_with(
        &scratch("perr"),
        "line one\n  #set($x = (1 + 2)\n",
        "--context",
        "{}",
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: 3:1: "), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn render_error_names_the_method() {
    let out = render_with(
        &scratch("rerr"),
        "ok\n$s.substring(5)",
        "--context",
        r#"{"s": "abc"}"#,
    );
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("error: 2:3: "), "{stderr}");
    assert!(stderr.contains("substring"), "{stderr}");
}

#[test]
fn timing_prints_one_json_line() {
    let dir = scratch("timing");
    let t = dir.join("t.vtl");
    std::fs::write(&t, "#foreach($i in [1..3])$i#end").unwrap();
    std::fs::write(dir.join("c.json"), "{}").unwrap();
    let out = bin()
        .args(["render", "--repeat", "5", "--timing", "--template"])
        .arg(&t)
        .arg("--context")
        .arg(dir.join("c.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"123");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let v: serde_json::Value = serde_json::from_str(stderr.trim()).unwrap();
    assert_eq!(v["engine"], "gatebench");
    assert_eq!(v["renders"], 5);
    for k in ["parse_ns", "ns_per_render_median", "ns_per_render_min"] {
        assert!(v[k].is_u64(), "{k} missing in {stderr}");
    }
    assert!(v["ns_per_render_min"].as_u64() <= v["ns_per_render_median"].as_u64());
}

/// Every `kind: template` case through `gatebench render --request` (and
/// `--phase response --integration-response` for response templates).
#[test]
fn template_cases_through_the_binary() {
    let folder = common::conformance_dir().join("apigw");
    let dir = scratch("apigw");
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in load_cases(&folder).iter().filter(|c| c.kind == "template") {
        let c = &case.json;
        let t = dir.join("t.vtl");
        let req = dir.join("req.json");
        let ir = dir.join("ir.json");
        std::fs::write(&t, c["template"].as_str().unwrap()).unwrap();
        std::fs::write(&req, c["request"].to_string()).unwrap();
        let mut cmd = bin();
        cmd.args(["render", "--template"])
            .arg(&t)
            .arg("--request")
            .arg(&req);
        if c["phase"] == "response" {
            std::fs::write(&ir, c["integrationResponse"].to_string()).unwrap();
            cmd.args(["--phase", "response", "--integration-response"])
                .arg(&ir);
        }
        let out = cmd.output().unwrap();
        ran += 1;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if out.status.code() != Some(0) {
            failures.push(format!(
                "{}: exit {:?} {}",
                case.id,
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        if let Err(e) = common::cases::compare_rendered(c, &stdout)
            && !case.low_confidence
        {
            failures.push(format!("{}: {e}", case.id));
        }
    }
    assert!(ran >= 35, "expected the shared template cases, ran {ran}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A payload over API Gateway's 10 MB limit never reaches a template: the gateway answers
/// 413, and `render` says so.
#[test]
fn payload_over_10_mb_is_refused_like_the_gateway() {
    let dir = scratch("big");
    let request = |len: usize| {
        serde_json::json!({"method": "POST", "resource": "/", "path": "/", "body": "x".repeat(len)})
            .to_string()
    };
    let out = render_with(
        &dir,
        "$input.body.length()",
        "--request",
        &request(10 * 1024 * 1024 + 1),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("413") && stderr.contains("Request Too Long"),
        "{stderr}"
    );

    // Exactly 10 MB is accepted.
    let out = render_with(
        &dir,
        "$input.body.length()",
        "--request",
        &request(10 * 1024 * 1024),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, (10 * 1024 * 1024).to_string().as_bytes());
}

/// The gateway policy applies under --request: null references print nothing.
#[test]
fn request_mode_uses_the_gateway_policy() {
    let req = serde_json::json!({"method": "GET", "resource": "/", "path": "/", "context": {"stage": "dev"}});
    let template = "[$nope][$input.path('$.missing')][$context.stage]";
    let out = render_with(&scratch("policy"), template, "--request", &req.to_string());
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[][][dev]");
}

#[test]
fn config_prints_where_the_settings_and_the_log_are() {
    let out = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatebench"));
        cmd.args(args)
            .env_remove("GATEBENCH_CONFIG")
            .env_remove("GATEBENCH_STATE_DIR")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("XDG_STATE_HOME")
            .env("HOME", "/home/someone");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let o = cmd.output().unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).trim_end().to_string(),
        )
    };
    assert_eq!(
        out(&["config", "--path"], &[]),
        (
            Some(0),
            "/home/someone/.config/gatebench/config.toml".into()
        )
    );
    assert_eq!(
        out(&["config", "--path"], &[("XDG_CONFIG_HOME", "/xdg")]),
        (Some(0), "/xdg/gatebench/config.toml".into())
    );
    assert_eq!(
        out(
            &["config", "--path"],
            &[("GATEBENCH_CONFIG", "/etc/gb.toml")]
        ),
        (Some(0), "/etc/gb.toml".into())
    );
    // The flag wins over the environment.
    assert_eq!(
        out(
            &["--config", "/tmp/mine.toml", "config", "--path"],
            &[("GATEBENCH_CONFIG", "/etc/gb.toml")]
        ),
        (Some(0), "/tmp/mine.toml".into())
    );
    assert_eq!(
        out(&["config", "--log-path"], &[]),
        (
            Some(0),
            "/home/someone/.local/state/gatebench/gatebench.log".into()
        )
    );
    assert_eq!(
        out(
            &["config", "--log-path"],
            &[("GATEBENCH_STATE_DIR", "/state")]
        ),
        (Some(0), "/state/gatebench.log".into())
    );
    assert_eq!(out(&["config"], &[]).0, Some(2));
}
