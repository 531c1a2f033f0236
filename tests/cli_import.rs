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

#[test]
fn imported_openapi_runs() {
    let out = scratch().join("pets.toml");
    let st = bin()
        .arg("import")
        .arg(fixture("petstore-oas3.yaml"))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        st.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
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
