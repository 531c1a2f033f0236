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
                // AWS_IAM: an unsigned request gets the stack's MISSING_AUTHENTICATION_TOKEN
                // gateway response.
                ("DELETE /pets/{petId}", 404, r#""no such route""#),
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

/// Run saved request `index` of the session at `out` with `gatebench run --json`.
fn run_json(out: &Path, index: usize, body: Option<&str>) -> serde_json::Value {
    let session = gatebench::session::Session::load(out).unwrap();
    let mut request = session.requests[index].clone();
    if let Some(b) = body {
        request.body = Some(b.to_string());
    }
    let req_file = out.with_extension(format!("req{index}.json"));
    std::fs::write(&req_file, serde_json::to_string(&request).unwrap()).unwrap();
    let run = bin()
        .arg("run")
        .arg(out)
        .arg("--request")
        .arg(&req_file)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    serde_json::from_slice(&run.stdout).unwrap()
}

/// Set `name = "value"` in the `[values]` the import wrote (empty until then).
fn set_value(out: &Path, name: &str, value: &str) {
    let text = std::fs::read_to_string(out).unwrap();
    let empty = format!("{name} = \"\"");
    assert!(text.contains(&empty), "{text}");
    std::fs::write(out, text.replace(&empty, &format!("{name} = \"{value}\""))).unwrap();
}

#[test]
fn imports_with_cloudformation_values_run_with_the_values_in_place() {
    // A SAM template whose RequestTemplates take the table name from Fn::Sub variables.
    let out = scratch().join("sam-dynamodb-sub.toml");
    import_to("../import-values/sam-dynamodb-sub.yaml", &out);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("OrdersTable = \"orders-sam-dynamodb-sub\""),
        "{text}"
    );
    let v = run_json(&out, 0, Some(r#"{"customer": "ana"}"#));
    let rendered = v.to_string();
    assert!(
        rendered.contains(r#"\"TableName\": \"orders-sam-dynamodb-sub\""#),
        "{v}"
    );

    // A CloudFormation stack with a parameterised stage and a value given at deploy time.
    let out = scratch().join("cfn-stage-param.toml");
    import_to("../import-values/cfn-stage-param.yaml", &out);
    let v = run_json(&out, 0, None);
    assert_eq!(v["response"]["status"], 500, "{v}");
    set_value(&out, "Greeting", "hello");
    let v = run_json(&out, 0, None);
    assert_eq!(v["response"]["status"], 200, "{v}");
    let body: serde_json::Value =
        serde_json::from_str(v["response"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["greeting"], "hello", "{v}");
    assert_eq!(body["stage"], "prod", "{v}");

    // AWS's S3-proxy export with Terraform's placeholders.
    let out = scratch().join("s3-proxy-export.toml");
    import_to("../import-values/s3-proxy-export.json", &out);
    let v = run_json(&out, 1, None);
    assert_eq!(v["response"]["status"], 500, "{v}");
    set_value(&out, "environment", "prod");
    set_value(&out, "aws_region", "us-west-2");
    let v = run_json(&out, 1, None);
    assert_ne!(v["response"]["status"], 500, "{v}");
    assert_ne!(v["response"]["status"], 403, "{v}");
}

#[test]
fn http_api_import_is_refused_in_one_line() {
    let dir = scratch();
    let file = dir.join("http-api.yaml");
    std::fs::write(
        &file,
        "Resources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n",
    )
    .unwrap();
    let st = bin().arg("import").arg(&file).output().unwrap();
    assert_ne!(st.status.code(), Some(0));
    let err = String::from_utf8_lossy(&st.stderr);
    assert!(
        err.contains("http-api.yaml:2: not a REST API: this is an HTTP API (API Gateway v2: Api is AWS::Serverless::HttpApi); gatebench imports REST APIs"),
        "{err}"
    );
}
