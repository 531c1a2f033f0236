//! `apiKeySource = "AUTHORIZER"`: the API key is the Lambda authorizer's `usageIdentifierKey`
//! (AWS developer guide, "Output from an API Gateway Lambda authorizer" and "Choose an API key
//! source"), checked after the authorizer ran; the `x-api-key` header is not read. The
//! authorizer answers from a canned backend, run through `gatebench run`.

use std::process::Command;

use serde_json::{Value, json};

const SESSION: &str = r#"
version = 1
name = "key source AUTHORIZER"

[api]
apiId = "k3ysrc0001"
stage = "s"
apiKeySource = "AUTHORIZER"

[api.authorizers.a]
type = "TOKEN"
authorizerUri = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:auth/invocations"

[[api.apiKeys]]
name = "tenant-7"
value = "KEY_VALUE_0000"

[[api.usagePlans]]
name = "p"
apiKeys = ["tenant-7"]

[[api.resources]]
path = "/x"

[api.resources.methods.GET]
authorizationType = "CUSTOM"
authorizerId = "a"
apiKeyRequired = true

[api.resources.methods.GET.methodResponses.200]

[api.resources.methods.GET.integration]
type = "MOCK"

[api.resources.methods.GET.integration.requestTemplates]
"application/json" = '{"statusCode": 200}'

[api.resources.methods.GET.integration.integrationResponses.200]
statusCode = "200"

[api.resources.methods.GET.integration.integrationResponses.200.responseTemplates]
"application/json" = '{"p": "$context.authorizer.principalId", "k": "$context.identity.apiKeyId"}'

[[requests]]
method = "GET"
path = "/s/x"
headers = [["Authorization", "t"]]

[backend]
type = "canned"
"#;

fn run(answer: &Value) -> Value {
    let dir = std::env::temp_dir().join(format!(
        "gatebench-keysrc-{}-{:x}",
        std::process::id(),
        answer.to_string().len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("s.toml");
    let body = toml::Value::String(answer.to_string()).to_string();
    std::fs::write(&file, format!("{SESSION}body = {body}\n")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_gatebench"))
        .arg("run")
        .arg(&file)
        .arg("--json")
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

fn allow() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": "arn:aws:execute-api:eu-west-1:*:k3ysrc0001/s/GET/*"}]})
}

#[test]
fn the_key_comes_from_the_authorizer() {
    let v = run(
        &json!({"principalId": "u", "policyDocument": allow(), "usageIdentifierKey": "KEY_VALUE_0000"}),
    );
    assert_eq!(v["response"]["status"], 200, "{v}");
    assert_eq!(v["response"]["body"], r#"{"p": "u", "k": "tenant-7"}"#);
}

#[test]
fn no_usage_identifier_key_is_forbidden() {
    let v = run(&json!({"principalId": "u", "policyDocument": allow()}));
    assert_eq!(v["response"]["status"], 403, "{v}");
    assert_eq!(v["response"]["body"], r#"{"message":"Forbidden"}"#);
}

#[test]
fn a_context_object_is_a_configuration_error() {
    let v = run(
        &json!({"principalId": "u", "policyDocument": allow(), "context": {"nested": {"a": 1}}}),
    );
    assert_eq!(v["response"]["status"], 500, "{v}");
    assert_eq!(v["response"]["body"], r#"{"message":null}"#);
}
