//! `gatebench import` and `gatebench curl` through the real binary: an imported definition
//! runs with `gatebench run`, and a curl command line becomes a request file.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gatebench"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatebench-import-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `gatebench import FIXTURE -o OUT`, which must succeed.
fn import_to(file: &str, out: &Path) {
    let st = bin()
        .arg("import")
        .arg(fixture(file))
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(0),
        "{file}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

#[test]
fn imported_openapi_runs() {
    let out = scratch().join("pets.toml");
    import_to("petstore-oas3.yaml", &out);
    let run = bin().arg("run").arg(&out).arg("--json").output().unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert!(
        v["response"]["status"].as_u64().is_some_and(|s| s < 500),
        "{v}"
    );
}

#[test]
fn broken_files_report_file_and_line() {
    let st = bin()
        .arg("import")
        .arg(fixture("broken.yaml"))
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
    let err = String::from_utf8(st.stderr).unwrap();
    assert!(
        err.starts_with(&format!("error: {}:", fixture("broken.yaml").display())),
        "{err}"
    );
}

#[test]
fn curl_round_trip_through_run() {
    let dir = scratch();
    let req = dir.join("req.json");
    let st = bin()
        .args(["import", "--curl"])
        .arg("curl -X POST 'https://abc.execute-api.us-east-1.amazonaws.com/dev/pets/7' -H 'Content-Type: application/json' -d '{\"name\": \"Io\"}'")
        .arg("-o")
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let session = Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions/mock.toml");
    let run = bin()
        .arg("run")
        .arg(&session)
        .arg("--request")
        .arg(&req)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(v["response"]["status"], 200);
    assert!(
        v["response"]["body"]
            .as_str()
            .unwrap()
            .contains("Hello, Io!")
    );

    let back = bin().arg("curl").arg(&session).output().unwrap();
    let line = String::from_utf8(back.stdout).unwrap();
    assert!(
        line.starts_with("curl -X POST http://127.0.0.1:8080/dev/pets/7"),
        "{line}"
    );
}

/// Every fixture imports with `gatebench import` and every saved request the import made runs
/// through `gatebench run` with the answer the definition describes.
#[test]
fn every_imported_method_runs_through_the_cli() {
    // (saved request, status, a piece of the body) for each fixture.
    type Runs = &'static [(&'static str, u64, &'static str)];
    let expected: &[(&str, Runs)] = &[
        (
            "petstore-oas3.yaml",
            &[
                ("GET /mock", 200, r#""mocked": true"#),
                ("POST /pets", 200, r#""action": "create""#),
                ("GET /pets/{petId}", 200, r#""backendPath": "/pets/1""#),
                ("ANY /lambda", 200, r#""resource":"/lambda""#),
                ("ANY /{proxy+}", 200, r#""path":"/example/path""#),
            ],
        ),
        (
            "orders-swagger2.json",
            &[
                ("GET /orders", 200, r#""orders": []"#),
                ("POST /orders", 200, r#""httpMethod":"POST""#),
            ],
        ),
        (
            "sam-app.yaml",
            &[
                ("GET /health", 200, r#""healthy": true"#),
                ("GET /pets/{petId}", 200, r#""resource":"/pets/{petId}""#),
                ("GET /pets", 200, r#""resource":"/pets""#),
                ("POST /pets", 200, r#""httpMethod":"POST""#),
            ],
        ),
        (
            "cfn-stack.yaml",
            &[
                ("GET /pets", 200, r#""path":"/petstore/pets""#),
                ("POST /pets", 201, r#""created": true"#),
                ("GET /pets/{petId}", 200, r#""name": "Rex""#),
                ("DELETE /pets/{petId}", 200, r#""path":"/petstore/pets/1""#),
                ("GET /status", 200, r#""stage": "v1""#),
            ],
        ),
    ];
    for (file, runs) in expected {
        let out = scratch().join(format!("{file}.toml"));
        import_to(file, &out);
        let session = gatebench::session::Session::load(&out).unwrap();
        let names: Vec<&str> = session.requests.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            runs.iter().map(|(n, _, _)| *n).collect::<Vec<_>>(),
            "{file}: one saved request per method"
        );
        for (request, (name, status, body)) in session.requests.iter().zip(runs.iter()) {
            let req_file = scratch().join(format!(
                "{file}-{}.json",
                name.replace(['/', ' ', '{', '}', '+'], "_")
            ));
            std::fs::write(&req_file, serde_json::to_string(request).unwrap()).unwrap();
            let run = bin()
                .arg("run")
                .arg(&out)
                .arg("--request")
                .arg(&req_file)
                .arg("--json")
                .output()
                .unwrap();
            assert_eq!(
                run.status.code(),
                Some(0),
                "{file} {name}: {}",
                String::from_utf8_lossy(&run.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
            assert_eq!(v["response"]["status"], *status, "{file} {name}: {v}");
            let text = v["response"]["body"].as_str().unwrap_or_default();
            assert!(text.contains(body), "{file} {name}: {text}");
        }
    }
}

/// `-o` never replaces an existing file unless `--force` is given (for sessions and for
/// `--curl` request files alike).
#[test]
fn output_files_are_kept_without_force() {
    let dir = scratch().join("keep");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("mine.toml");
    std::fs::write(&out, "# my own session\n").unwrap();
    let st = bin()
        .arg("import")
        .arg(fixture("petstore-oas3.yaml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&st.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: {}: the file exists and was left as it is (--force replaces it)",
            out.display()
        )
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "# my own session\n");
    let req = dir.join("req.json");
    std::fs::write(&req, "{}").unwrap();
    let st = bin()
        .args(["import", "--curl", "curl http://h/dev/x", "-o"])
        .arg(&req)
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&req).unwrap(), "{}");
    let st = bin()
        .arg("import")
        .arg(fixture("petstore-oas3.yaml"))
        .arg("-o")
        .arg(&out)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(0));
    assert!(gatebench::session::Session::load(&out).is_ok());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        2,
        "no temporary file is left"
    );
}
