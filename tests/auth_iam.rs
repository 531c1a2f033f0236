//! AWS_IAM methods: a request signed by a real SigV4 signer (botocore's `SigV4Auth`, from the
//! Python environment the tests install for moto) passes, through `gatebench run` and through
//! `serve` with a real HTTP client, and `$context.identity` carries the signer; a tampered,
//! unsigned or foreign-key request gets AWS's 403.
//!
//! Sources of the expected answers: see `src/gateway/sigv4.rs` (the SigV4 specification,
//! recorded answers of API Gateway to bad signatures, the gateway response types).

mod common;

use std::path::PathBuf;
use std::process::Command;

use gatebench::serve::Server;
use gatebench::session::Session;
use serde_json::{Value, json};

const SESSION: &str = r#"
version = 1
name = "AWS_IAM"

[api]
apiId = "1amaut4api"
stage = "prod"

[[api.iamCredentials]]
accessKeyId = "AKIAIOSFODNN7EXAMPLE"
secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
accountId = "111122223333"
userArn = "arn:aws:iam::111122223333:user/ana"
userId = "AIDAJQABLZS4A3QDU576Q"

[[api.resources]]
path = "/whoami"

[api.resources.methods.POST]
authorizationType = "AWS_IAM"

[api.resources.methods.POST.methodResponses.200]

[api.resources.methods.POST.integration]
type = "MOCK"

[api.resources.methods.POST.integration.requestTemplates]
"application/json" = '{"statusCode": 200}'

[api.resources.methods.POST.integration.integrationResponses.200]
statusCode = "200"

[api.resources.methods.POST.integration.integrationResponses.200.responseTemplates]
"application/json" = '{"accessKey": "$context.identity.accessKey", "accountId": "$context.identity.accountId", "caller": "$context.identity.caller", "user": "$context.identity.user", "userArn": "$context.identity.userArn"}'

[[api.resources]]
path = "/event"

[api.resources.methods.GET]
authorizationType = "AWS_IAM"

[api.resources.methods.GET.integration]
type = "AWS_PROXY"
httpMethod = "POST"
uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111122223333:function:echo/invocations"

[backend]
type = "echo"
"#;

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Signs like any AWS SDK: botocore's SigV4Auth for execute-api in us-east-1.
const SIGNER: &str = r#"
import json, sys
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
url, method, body, key, secret = sys.argv[1:6]
headers = {"Content-Type": "application/json"} if body else {}
req = AWSRequest(method=method, url=url, data=body.encode() if body else None, headers=headers)
SigV4Auth(Credentials(key, secret), "execute-api", "us-east-1").add_auth(req)
print(json.dumps(dict(req.headers.items())))
"#;

/// The Python that has botocore (the moto environment the tests install).
fn python() -> Option<PathBuf> {
    let server = common::tools::moto("signing requests with botocore")?;
    Some(server.with_file_name("python"))
}

/// The headers botocore adds to sign `method url` with `body`.
fn sign(
    python: &PathBuf,
    url: &str,
    method: &str,
    body: &str,
    secret: &str,
) -> Vec<(String, String)> {
    let out = Command::new(python)
        .args(["-c", SIGNER, url, method, body, KEY, secret])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Map<String, Value> = serde_json::from_slice(&out.stdout).unwrap();
    v.into_iter()
        .map(|(k, v)| (k, v.as_str().unwrap().to_string()))
        .collect()
}

fn session_file() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatebench-iam-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("iam.toml");
    std::fs::write(&file, SESSION).unwrap();
    file
}

/// `gatebench run` with a request JSON.
fn run(request: &Value) -> Value {
    let session = session_file();
    let file = session.with_file_name(format!(
        "{:x}.json",
        request
            .to_string()
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    ));
    std::fs::write(&file, request.to_string()).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gatebench"))
        .arg("run")
        .arg(&session)
        .arg("--json")
        .arg("--request")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

const HOST: &str = "1amaut4api.execute-api.us-east-1.amazonaws.com";

fn request(path: &str, query: &str, headers: &[(String, String)], body: &str) -> Value {
    let mut all = vec![json!(["Host", HOST])];
    all.extend(headers.iter().map(|(k, v)| json!([k, v])));
    json!({"method": "POST", "path": path, "rawQuery": query, "headers": all, "body": body})
}

fn body(v: &Value) -> Value {
    serde_json::from_str(v["response"]["body"].as_str().unwrap()).unwrap()
}

#[test]
fn run_a_signed_request_passes_and_names_its_signer() {
    let Some(py) = python() else { return };
    let body_text = r#"{"order": 7}"#;
    let url = format!("https://{HOST}/prod/whoami?b=2&a=x%20y");
    let headers = sign(&py, &url, "POST", body_text, SECRET);
    let v = run(&request("/prod/whoami", "b=2&a=x%20y", &headers, body_text));
    assert_eq!(v["response"]["status"], 200, "{v}");
    // As AWS fills $context.identity for an IAM user.
    assert_eq!(
        body(&v),
        json!({"accessKey": KEY, "accountId": "111122223333", "caller": "AIDAJQABLZS4A3QDU576Q",
               "user": "AIDAJQABLZS4A3QDU576Q", "userArn": "arn:aws:iam::111122223333:user/ana"})
    );
}

#[test]
fn run_tampered_unsigned_and_foreign_requests_get_403() {
    let Some(py) = python() else { return };
    let body_text = r#"{"order": 7}"#;
    let url = format!("https://{HOST}/prod/whoami");
    let headers = sign(&py, &url, "POST", body_text, SECRET);

    // The body changed after signing.
    let v = run(&request("/prod/whoami", "", &headers, r#"{"order": 8}"#));
    assert_eq!(v["response"]["status"], 403, "{v}");
    assert_eq!(
        v["response"]["headers"]["x-amzn-ErrorType"],
        "InvalidSignatureException"
    );
    let message = body(&v)["message"].as_str().unwrap().to_string();
    assert!(
        message.starts_with("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'POST\n/prod/whoami\n\n"),
        "{message}"
    );
    assert!(message.contains("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n"));

    // Signed with another secret.
    let wrong = sign(&py, &url, "POST", body_text, "not-the-secret");
    let v = run(&request("/prod/whoami", "", &wrong, body_text));
    assert_eq!(v["response"]["status"], 403, "{v}");

    // No signature at all.
    let v = run(&request("/prod/whoami", "", &[], body_text));
    assert_eq!(v["response"]["status"], 403, "{v}");
    assert_eq!(body(&v), json!({"message": "Missing Authentication Token"}));
    assert_eq!(
        v["response"]["headers"]["x-amzn-ErrorType"],
        "MissingAuthenticationTokenException"
    );

    // A token where a signature belongs.
    let v = run(&request(
        "/prod/whoami",
        "",
        &[("Authorization".into(), "Bearer abc".into())],
        body_text,
    ));
    assert_eq!(v["response"]["status"], 403, "{v}");
    assert_eq!(
        v["response"]["headers"]["x-amzn-ErrorType"],
        "IncompleteSignatureException"
    );

    // An access key the session does not know.
    let foreign: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.clone(), v.replace(KEY, "AKIAI44QH8DHBEXAMPLE")))
        .collect();
    let v = run(&request("/prod/whoami", "", &foreign, body_text));
    assert_eq!(v["response"]["status"], 403, "{v}");
    assert_eq!(
        body(&v),
        json!({"message": "The security token included in the request is invalid."})
    );
}

#[tokio::test]
async fn serve_checks_signatures_for_a_real_client() {
    let Some(py) = python() else { return };
    gatebench::backend::install_crypto_provider();
    let session = Session::from_toml(SESSION, std::path::Path::new("iam.toml")).unwrap();
    let server = Server::bind(session, "127.0.0.1:0".parse().unwrap(), false, None)
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let (_stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let url = format!("http://{addr}/prod/event?team=blue");
    let headers = sign(&py, &url, "GET", "", SECRET);
    let mut r = client.get(&url);
    for (k, v) in &headers {
        r = r.header(k, v);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 200);
    let event: Value = r.json().await.unwrap();
    let identity = &event["requestContext"]["identity"];
    assert_eq!(identity["accessKey"], KEY);
    assert_eq!(identity["userArn"], "arn:aws:iam::111122223333:user/ana");
    assert_eq!(identity["caller"], "AIDAJQABLZS4A3QDU576Q");

    // The query string changed after signing.
    let tampered = format!("http://{addr}/prod/event?team=red");
    let mut r = client.get(&tampered);
    for (k, v) in &headers {
        r = r.header(k, v);
    }
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["x-amzn-errortype"], "InvalidSignatureException");
    let r = client.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"message":"Missing Authentication Token"}"#
    );
}
