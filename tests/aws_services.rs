//! AWS service integrations against a real local AWS: moto's server (`moto[server]` from
//! PyPI, installed by `common::tools::moto`), started by each test on a free loopback port.
//! Each test sends the endpoint request the pipeline builds (host, path, query, protocol
//! headers, rendered body) to moto through the `aws-local` backend and checks that the
//! service's real answer reaches the client through the response template.
//! Only `GATEBENCH_SKIP=moto` skips them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use gatebench::session::{Session, client_request, run_session};

/// A moto server on a free loopback port, killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto(needed_for: &str) -> Option<Moto> {
    let server = common::tools::moto(needed_for)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(&server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
    // Wait until it listens (or exits).
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("moto_server exited: {status}");
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some(Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    })
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatebench-aws-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A session file with `api` and `requests` (TOML), against `endpoint`, seeded with `seed`.
fn session(name: &str, api: &str, endpoint: &str, seed: &str) -> Session {
    let text = format!(
        "version = 1\nname = \"{name}\"\n\n{api}\n\n[backend]\ntype = \"aws-local\"\nendpoint = \"{endpoint}\"\n\n[backend.seed]\n{seed}\n"
    );
    let path = scratch(name).join("session.toml");
    std::fs::write(&path, text).unwrap();
    Session::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// Run the session's request `i` through the pipeline.
async fn run(s: &Session, i: usize) -> gatebench::gateway::trace::Trace {
    gatebench::backend::install_crypto_provider();
    let request = client_request(&s.requests[i]).unwrap();
    run_session(s, &request).await
}

fn body(t: &gatebench::gateway::trace::Trace) -> serde_json::Value {
    serde_json::from_slice(&t.response.body).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nlog: {:#?}",
            t.response.body_text(),
            t.log
        )
    })
}

fn endpoint_header<'a>(t: &'a gatebench::gateway::trace::Trace, name: &str) -> Option<&'a str> {
    t.endpoint_request
        .as_ref()?
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

const DYNAMODB_API: &str = r#"
[api]
stage = "v1"

[[api.resources]]
path = "/pets"

[api.resources.methods.POST.methodResponses.200]
[api.resources.methods.POST.methodResponses.400]

[api.resources.methods.POST.integration]
type = "AWS"
httpMethod = "POST"
uri = "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem"
passthroughBehavior = "WHEN_NO_TEMPLATES"

[api.resources.methods.POST.integration.requestTemplates]
"application/json" = """
{
  "TableName": "Pets",
  "Item": {
    "id": {"S": "$input.path('$.id')"},
    "name": {"S": "$input.path('$.name')"}
  }
}
"""

[api.resources.methods.POST.integration.integrationResponses.default]
statusCode = "200"

[api.resources.methods.POST.integration.integrationResponses.default.responseTemplates]
"application/json" = '{"saved": true, "dynamodb": $input.json("$")}'

[api.resources.methods.POST.integration.integrationResponses.400]
statusCode = "400"
selectionPattern = "4\\d{2}"

[api.resources.methods.POST.integration.integrationResponses.400.responseTemplates]
"application/json" = """
{"error": "$input.path('$.__type')", "message": "$input.path('$.message')"}
"""

[api.resources.methods.GET.methodResponses.200]

[api.resources.methods.GET.integration]
type = "AWS"
httpMethod = "POST"
uri = "arn:aws:apigateway:us-east-1:dynamodb:action/Scan"

[api.resources.methods.GET.integration.requestTemplates]
"application/json" = '{"TableName": "Pets"}'

[api.resources.methods.GET.integration.integrationResponses.default]
statusCode = "200"

[api.resources.methods.GET.integration.integrationResponses.default.responseTemplates]
"application/json" = """
#set($inputRoot = $input.path('$'))
{"count": $inputRoot.Count, "pets": [
#foreach($item in $inputRoot.Items)
  {"id": "$item.id.S", "name": "$item.name.S"}#if($foreach.hasNext),#end
#end
]}
"""

[[api.resources]]
path = "/pets/{id}"

[api.resources.methods.GET.methodResponses.200]

[api.resources.methods.GET.integration]
type = "AWS"
httpMethod = "POST"
uri = "arn:aws:apigateway:us-east-1:dynamodb:action/Query"

[api.resources.methods.GET.integration.requestTemplates]
"application/json" = """
{
  "TableName": "Pets",
  "KeyConditionExpression": "id = :v",
  "ExpressionAttributeValues": {":v": {"S": "$input.params('id')"}}
}
"""

[api.resources.methods.GET.integration.integrationResponses.default]
statusCode = "200"

[api.resources.methods.GET.integration.integrationResponses.default.responseTemplates]
"application/json" = """
#foreach($item in $input.path('$.Items'))
{"id": "$item.id.S", "name": "$item.name.S"}
#end
"""

[[requests]]
name = "put"
method = "POST"
path = "/v1/pets"
headers = [["Content-Type", "application/json"]]
body = '{"id": "p1", "name": "Rex"}'

[[requests]]
name = "put another"
method = "POST"
path = "/v1/pets"
headers = [["Content-Type", "application/json"]]
body = '{"id": "p2", "name": "Tom"}'

[[requests]]
name = "query"
method = "GET"
path = "/v1/pets/p1"

[[requests]]
name = "scan"
method = "GET"
path = "/v1/pets"
"#;

#[tokio::test]
async fn dynamodb_put_item_query_and_scan_answer_through_the_templates() {
    let Some(m) = moto("DynamoDB PutItem/Query/Scan") else {
        return;
    };
    let s = session(
        "dynamodb",
        DYNAMODB_API,
        &m.endpoint,
        "tables = [{ name = \"Pets\", key = \"id\" }]",
    );
    let put = run(&s, 0).await;
    assert_eq!(put.response.status, 200, "{:#?}", put.log);
    assert_eq!(
        body(&put),
        serde_json::json!({"saved": true, "dynamodb": {}})
    );
    // The endpoint request as the gateway makes it.
    let req = put.endpoint_request.as_ref().unwrap();
    assert_eq!(req.method, "POST");
    assert_eq!(req.url, "https://dynamodb.us-east-1.amazonaws.com/");
    assert_eq!(
        endpoint_header(&put, "X-Amz-Target"),
        Some("DynamoDB_20120810.PutItem")
    );
    assert_eq!(
        endpoint_header(&put, "Content-Type"),
        Some("application/x-amz-json-1.0")
    );
    assert_eq!(run(&s, 1).await.response.status, 200);

    let query = run(&s, 2).await;
    assert_eq!(query.response.status, 200, "{:#?}", query.log);
    assert_eq!(body(&query), serde_json::json!({"id": "p1", "name": "Rex"}));

    let scan = run(&s, 3).await;
    assert_eq!(scan.response.status, 200, "{:#?}", scan.log);
    let v = body(&scan);
    assert_eq!(v["count"], 2);
    let mut names: Vec<&str> = v["pets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Rex", "Tom"]);
}

#[tokio::test]
async fn a_service_error_is_selected_by_its_status() {
    let Some(m) = moto("a DynamoDB error") else {
        return;
    };
    // No table seeded: DynamoDB answers 400 ResourceNotFoundException.
    let s = session("dynamodb-error", DYNAMODB_API, &m.endpoint, "");
    let t = run(&s, 0).await;
    assert_eq!(t.response.status, 400, "{:#?}", t.log);
    let v = body(&t);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .ends_with("ResourceNotFoundException"),
        "{v}"
    );
    assert_eq!(t.endpoint_response.as_ref().unwrap().status, 400);
}

/// One method calling `uri` with `template`, answering with `response` (all TOML strings).
fn one_method(
    http_method: &str,
    path: &str,
    uri: &str,
    params: &str,
    template: &str,
    response: &str,
    request: &str,
) -> String {
    format!(
        r#"
[api]
stage = "v1"

[[api.resources]]
path = "{path}"

[api.resources.methods.POST.methodResponses.200]

[api.resources.methods.POST.integration]
type = "AWS"
httpMethod = "{http_method}"
uri = "{uri}"

[api.resources.methods.POST.integration.requestParameters]
{params}

[api.resources.methods.POST.integration.requestTemplates]
"application/json" = '''{template}'''

[api.resources.methods.POST.integration.integrationResponses.default]
statusCode = "200"

[api.resources.methods.POST.integration.integrationResponses.default.responseTemplates]
"application/json" = '''{response}'''

[[requests]]
name = "call"
method = "POST"
path = "/v1{request}"
headers = [["Content-Type", "application/json"]]
body = '{{"message": "hello", "n": 7}}'
"#
    )
}

#[tokio::test]
async fn sqs_send_message_as_the_tutorial_builds_it() {
    let Some(m) = moto("SQS SendMessage") else {
        return;
    };
    // AWS's "Integrate an Amazon SQS queue" shape: a path URI with the account and queue,
    // a form body, the form content type mapped as a header.
    let api = one_method(
        "POST",
        "/send",
        "arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders",
        r#""integration.request.header.Content-Type" = "'application/x-www-form-urlencoded'""#,
        "Action=SendMessage&MessageBody=$util.urlEncode($input.body)",
        r#"{"raw": "$util.escapeJavaScript($input.body)"}"#,
        "/send",
    );
    let s = session("sqs", &api, &m.endpoint, "queues = [\"orders\"]");
    let t = run(&s, 0).await;
    assert_eq!(t.response.status, 200, "{:#?}", t.log);
    let req = t.endpoint_request.as_ref().unwrap();
    assert_eq!(
        req.url,
        "https://sqs.us-east-1.amazonaws.com/123456789012/orders"
    );
    assert_eq!(
        req.body_text(),
        "Action=SendMessage&MessageBody=%7B%22message%22%3A+%22hello%22%2C+%22n%22%3A+7%7D"
    );
    let v = body(&t);
    let raw = v["raw"].as_str().unwrap();
    assert!(raw.contains("SendMessageResponse"), "{raw}");
    // MD5 of the message body SQS stored: md5('{"message": "hello", "n": 7}').
    assert!(raw.contains("<MD5OfMessageBody>"), "{raw}");
}

#[tokio::test]
async fn sqs_send_message_as_an_action_with_query_mappings() {
    let Some(m) = moto("SQS SendMessage (action)") else {
        return;
    };
    let api = one_method(
        "POST",
        "/send",
        "arn:aws:apigateway:us-east-1:sqs:action/SendMessage",
        r#""integration.request.header.Content-Type" = "'application/x-www-form-urlencoded'"
"integration.request.querystring.QueueUrl" = "'http://sqs.us-east-1.amazonaws.com/123456789012/jobs'"
"integration.request.querystring.MessageBody" = "'from-a-query'""#,
        "",
        r#"{"raw": "$util.escapeJavaScript($input.body)"}"#,
        "/send",
    );
    let s = session("sqs-action", &api, &m.endpoint, "queues = [\"jobs\"]");
    let t = run(&s, 0).await;
    assert_eq!(t.response.status, 200, "{:#?}", t.log);
    let req = t.endpoint_request.as_ref().unwrap();
    assert_eq!(
        req.url,
        "https://sqs.us-east-1.amazonaws.com/?Action=SendMessage&MessageBody=from-a-query&QueueUrl=http%3A%2F%2Fsqs.us-east-1.amazonaws.com%2F123456789012%2Fjobs"
    );
    let raw = body(&t)["raw"].as_str().unwrap().to_string();
    assert!(raw.contains("<MessageId>"), "{raw}");
}

#[tokio::test]
async fn kinesis_put_record_and_put_records() {
    let Some(m) = moto("Kinesis PutRecord/PutRecords") else {
        return;
    };
    let one = one_method(
        "POST",
        "/record",
        "arn:aws:apigateway:us-east-1:kinesis:action/PutRecord",
        "",
        r#"{"StreamName": "clicks", "Data": "$util.base64Encode($input.body)", "PartitionKey": "$input.path('$.message')"}"#,
        r#"{"shard": "$input.path('$.ShardId')", "seq": "$input.path('$.SequenceNumber')"}"#,
        "/record",
    );
    let s = session("kinesis", &one, &m.endpoint, "streams = [\"clicks\"]");
    let t = run(&s, 0).await;
    assert_eq!(t.response.status, 200, "{:#?}", t.log);
    assert_eq!(
        endpoint_header(&t, "X-Amz-Target"),
        Some("Kinesis_20131202.PutRecord")
    );
    assert_eq!(
        endpoint_header(&t, "Content-Type"),
        Some("application/x-amz-json-1.1")
    );
    let v = body(&t);
    assert!(v["shard"].as_str().unwrap().starts_with("shardId-"), "{v}");
    assert!(!v["seq"].as_str().unwrap().is_empty(), "{v}");

    let many = one_method(
        "POST",
        "/records",
        "arn:aws:apigateway:us-east-1:kinesis:action/PutRecords",
        "",
        r#"{"StreamName": "clicks", "Records": [
#foreach($i in [1..3])
  {"Data": "$util.base64Encode($input.body)", "PartitionKey": "k$i"}#if($foreach.hasNext),#end
#end
]}"#,
        r#"{"failed": $input.path('$.FailedRecordCount'), "records": $input.path('$.Records').size()}"#,
        "/records",
    );
    let s = session("kinesis-many", &many, &m.endpoint, "streams = [\"clicks\"]");
    let t = run(&s, 0).await;
    assert_eq!(t.response.status, 200, "{:#?}", t.log);
    assert_eq!(body(&t), serde_json::json!({"failed": 0, "records": 3}));
}

const S3_API: &str = r#"
[api]
stage = "v1"

[[api.resources]]
path = "/{folder}/{item}"

[api.resources.methods.PUT]
requestParameters = { "method.request.path.folder" = true, "method.request.path.item" = true }

[api.resources.methods.PUT.methodResponses.200]

[api.resources.methods.PUT.integration]
type = "AWS"
httpMethod = "PUT"
uri = "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}"

[api.resources.methods.PUT.integration.requestParameters]
"integration.request.path.bucket" = "method.request.path.folder"
"integration.request.path.object" = "method.request.path.item"

[api.resources.methods.PUT.integration.integrationResponses.default]
statusCode = "200"

[api.resources.methods.PUT.integration.integrationResponses.default.responseParameters]
"method.response.header.ETag" = "integration.response.header.ETag"

[api.resources.methods.PUT.methodResponses.200.responseParameters]
"method.response.header.ETag" = false

[api.resources.methods.GET]
requestParameters = { "method.request.path.folder" = true, "method.request.path.item" = true }

[api.resources.methods.GET.methodResponses.200]
[api.resources.methods.GET.methodResponses.404]

[api.resources.methods.GET.integration]
type = "AWS"
httpMethod = "GET"
uri = "arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}"

[api.resources.methods.GET.integration.requestParameters]
"integration.request.path.bucket" = "method.request.path.folder"
"integration.request.path.object" = "method.request.path.item"

[api.resources.methods.GET.integration.integrationResponses.default]
statusCode = "200"

[api.resources.methods.GET.integration.integrationResponses.404]
statusCode = "404"
selectionPattern = "404"

[[requests]]
name = "put"
method = "PUT"
path = "/v1/photos/cat.json"
headers = [["Content-Type", "application/json"]]
body = '{"whiskers": 12}'

[[requests]]
name = "get"
method = "GET"
path = "/v1/photos/cat.json"

[[requests]]
name = "get missing"
method = "GET"
path = "/v1/photos/dog.json"
"#;

#[tokio::test]
async fn s3_path_put_and_get_fill_the_path_mappings() {
    let Some(m) = moto("S3 path GET/PUT") else {
        return;
    };
    let s = session("s3", S3_API, &m.endpoint, "buckets = [\"photos\"]");
    let put = run(&s, 0).await;
    assert_eq!(put.response.status, 200, "{:#?}", put.log);
    let req = put.endpoint_request.as_ref().unwrap();
    assert_eq!(req.method, "PUT");
    assert_eq!(
        req.url,
        "https://s3.us-east-1.amazonaws.com/photos/cat.json"
    );
    assert!(
        put.response
            .headers
            .iter()
            .any(|(k, v)| k == "ETag" && v.len() > 2),
        "{:?}",
        put.response.headers
    );
    let get = run(&s, 1).await;
    assert_eq!(get.response.status, 200, "{:#?}", get.log);
    assert_eq!(body(&get), serde_json::json!({"whiskers": 12}));
    let missing = run(&s, 2).await;
    assert_eq!(missing.response.status, 404, "{:#?}", missing.log);
    assert!(missing.response.body_text().contains("NoSuchKey"));
}

#[tokio::test]
async fn step_functions_start_execution() {
    let Some(m) = moto("Step Functions StartExecution") else {
        return;
    };
    let api = one_method(
        "POST",
        "/orders",
        "arn:aws:apigateway:us-east-1:states:action/StartExecution",
        "",
        r#"{"stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:orders", "input": "$util.escapeJavaScript($input.json('$'))"}"#,
        r#"{"execution": "$input.path('$.executionArn')"}"#,
        "/orders",
    );
    let s = session(
        "states",
        &api,
        &m.endpoint,
        "state_machines = [{ name = \"orders\" }]",
    );
    let t = run(&s, 0).await;
    assert_eq!(t.response.status, 200, "{:#?}", t.log);
    assert_eq!(
        endpoint_header(&t, "X-Amz-Target"),
        Some("AWSStepFunctions.StartExecution")
    );
    let v = body(&t);
    assert!(
        v["execution"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:states:us-east-1:123456789012:execution:orders:"),
        "{v}"
    );
}

#[tokio::test]
async fn eventbridge_put_events() {
    let Some(m) = moto("EventBridge PutEvents") else {
        return;
    };
    let api = one_method(
        "POST",
        "/events",
        "arn:aws:apigateway:us-east-1:events:action/PutEvents",
        "",
        r#"{"Entries": [{"Source": "gatebench.test", "DetailType": "note", "Detail": "$util.escapeJavaScript($input.json('$'))", "EventBusName": "notes"}]}"#,
        r#"{"failed": $input.path('$.FailedEntryCount'), "id": "$input.path('$.Entries[0].EventId')"}"#,
        "/events",
    );
    let s = session("events", &api, &m.endpoint, "buses = [\"notes\"]");
    let t = run(&s, 0).await;
    assert_eq!(t.response.status, 200, "{:#?}", t.log);
    assert_eq!(
        endpoint_header(&t, "X-Amz-Target"),
        Some("AWSEvents.PutEvents")
    );
    assert_eq!(
        endpoint_header(&t, "Content-Type"),
        Some("application/x-amz-json-1.1")
    );
    let v = body(&t);
    assert_eq!(v["failed"], 0, "{v}");
    assert!(!v["id"].as_str().unwrap().is_empty(), "{v}");
}

#[tokio::test]
async fn served_dynamodb_answers_a_real_client() {
    let Some(m) = moto("DynamoDB through serve") else {
        return;
    };
    gatebench::backend::install_crypto_provider();
    let s = session(
        "dynamodb-serve",
        DYNAMODB_API,
        &m.endpoint,
        "tables = [{ name = \"Pets\", key = \"id\" }]",
    );
    let server = gatebench::serve::Server::bind(s, "127.0.0.1:0".parse().unwrap(), false, None)
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    let client = reqwest::Client::new();
    let put = client
        .post(format!("http://{addr}/v1/pets"))
        .header("Content-Type", "application/json")
        .body(r#"{"id": "s1", "name": "Served"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let got = client
        .get(format!("http://{addr}/v1/pets/s1"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    let v: serde_json::Value = got.json().await.unwrap();
    assert_eq!(v, serde_json::json!({"id": "s1", "name": "Served"}));
    let _ = tx.send(());
}

/// `gatebench run --json` on a shipped session that starts moto itself (`start = true`).
fn run_shipped(name: &str, server: &Path, request: Option<&str>) -> serde_json::Value {
    let bin_dir = server.parent().unwrap();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin_dir.to_path_buf()];
    dirs.extend(std::env::split_paths(&path));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatebench"));
    cmd.arg("run")
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("sessions")
                .join(name),
        )
        .arg("--json")
        .env("PATH", std::env::join_paths(dirs).unwrap());
    if let Some(r) = request {
        let p = scratch(name).join("request.json");
        std::fs::write(&p, r).unwrap();
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

#[test]
fn teaching_sessions_start_moto_and_run_headless() {
    let Some(server) = common::tools::moto("the DynamoDB and S3 teaching sessions") else {
        return;
    };
    let v = run_shipped("dynamodb.toml", &server, None);
    assert_eq!(v["response"]["status"], 200, "{v}");
    assert_eq!(
        v["backendRequest"]["url"],
        "https://dynamodb.us-east-1.amazonaws.com/"
    );
    let v = run_shipped("s3-path.toml", &server, None);
    assert_eq!(v["response"]["status"], 200, "{v}");
    assert_eq!(
        v["backendRequest"]["url"],
        "https://s3.us-east-1.amazonaws.com/gatebench-notes/hello.txt"
    );
}
