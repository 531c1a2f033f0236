//! Imports read authorization settings: OpenAPI security schemes with API Gateway's
//! extensions (`x-amazon-apigateway-authorizer` token / request / cognito_user_pools,
//! `x-amazon-apigateway-authtype` awsSigv4, an `x-api-key` scheme,
//! `x-amazon-apigateway-api-key-source`, `security` on the document and on operations),
//! CloudFormation (`AWS::ApiGateway::Authorizer`, a method's `AuthorizationType` /
//! `AuthorizerId` / `AuthorizationScopes` / `ApiKeyRequired`, `ApiKey`, `UsagePlan`,
//! `UsagePlanKey`) and SAM's `Auth`. What is not emulated is reported with its line. The
//! fixtures (in tests/fixtures/import-auth, outside the import dialog's file list) follow the
//! shapes of AWS's documentation examples.

use std::path::{Path, PathBuf};

use gatebench::gateway::api::{ApiKeySource, AuthorizerType, Method};
use gatebench::gateway::trace::Trace;
use gatebench::import::{Imported, import_file};
use gatebench::session::{Session, client_request, run_session};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import-auth")
        .join(name)
}

fn import(name: &str) -> Imported {
    import_file(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn method<'a>(s: &'a Session, path: &str, verb: &str) -> &'a Method {
    s.api
        .resources
        .iter()
        .find(|r| r.path == path)
        .and_then(|r| r.methods.get(verb))
        .unwrap_or_else(|| panic!("no {verb} {path}"))
}

fn auth(m: &Method) -> (Option<&str>, Option<&str>, Vec<&str>, bool) {
    (
        m.authorization_type.as_deref(),
        m.authorizer_id.as_deref(),
        m.authorization_scopes.iter().map(String::as_str).collect(),
        m.api_key_required,
    )
}

fn warnings(i: &Imported) -> Vec<String> {
    i.warnings
        .iter()
        .map(|w| format!("{}: {}", w.line, w.message))
        .collect()
}

fn has_warning(i: &Imported, line: usize, needle: &str) -> bool {
    i.warnings
        .iter()
        .any(|w| w.line == line && w.message.contains(needle))
}

fn run_saved(s: &Session, name: &str) -> Trace {
    let saved = s
        .requests
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no saved request {name}"));
    let client = client_request(saved).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_session(s, &client))
}

#[test]
fn openapi_security_schemes_and_requirements() {
    let imported = import("auth-swagger2.yaml");
    let s = &imported.session;
    assert_eq!(s.api.api_key_source, Some(ApiKeySource::Header));
    // The document's `security` (api_key) applies where an operation names none.
    assert_eq!(
        auth(method(s, "/orders", "GET")),
        (None, None, vec![], true)
    );
    assert_eq!(
        auth(method(s, "/orders", "POST")),
        (Some("AWS_IAM"), None, vec![], false)
    );
    // One requirement object naming a Lambda authorizer and the API key.
    assert_eq!(
        auth(method(s, "/me", "GET")),
        (Some("CUSTOM"), Some("test-authorizer"), vec![], true)
    );
    assert_eq!(
        auth(method(s, "/team", "GET")),
        (Some("CUSTOM"), Some("request-authorizer"), vec![], false)
    );
    assert_eq!(
        auth(method(s, "/profile", "GET")),
        (
            Some("COGNITO_USER_POOLS"),
            Some("cognito-authorizer"),
            vec!["orders/read"],
            false
        )
    );
    // `security: []` removes the document's requirement.
    assert_eq!(
        auth(method(s, "/public", "GET")),
        (None, None, vec![], false)
    );

    let token = &s.api.authorizers["test-authorizer"];
    assert_eq!(token.kind, AuthorizerType::Token);
    assert_eq!(token.authorizer_result_ttl_in_seconds, Some(60));
    assert_eq!(
        token.identity_validation_expression.as_deref(),
        Some("^x-[a-z]+")
    );
    let request = &s.api.authorizers["request-authorizer"];
    assert_eq!(request.kind, AuthorizerType::Request);
    assert_eq!(
        request.identity_source.as_deref(),
        Some("method.request.header.Auth, method.request.querystring.team")
    );
    let cognito = &s.api.authorizers["cognito-authorizer"];
    assert_eq!(cognito.kind, AuthorizerType::CognitoUserPools);
    assert_eq!(
        cognito.provider_arns,
        ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_ABC123"]
    );

    // What is not emulated is said, with its line.
    let w = warnings(&imported);
    assert!(has_warning(&imported, 29, "authorizerCredentials"), "{w:?}");
    assert!(has_warning(&imported, 51, "security scheme oauth"), "{w:?}");
    assert!(
        has_warning(&imported, 125, "oauth names no usable"),
        "{w:?}"
    );
    assert!(
        has_warning(&imported, 16, "[[api.iamCredentials]]"),
        "{w:?}"
    );

    // And the imported session answers as the gateway would: no key, no entry.
    let t = run_saved(s, "GET /orders");
    assert_eq!(t.response.status, 403, "{}", t.log.join("\n"));
    assert_eq!(t.response.body_text(), r#"{"message":"Forbidden"}"#);
    let t = run_saved(s, "POST /orders");
    assert_eq!(t.response.status, 403);
    assert_eq!(
        t.response.body_text(),
        r#"{"message":"Missing Authentication Token"}"#
    );
    let t = run_saved(s, "GET /public");
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
}

#[test]
fn cloudformation_authorizers_keys_and_plans() {
    let imported = import("cfn-auth.yaml");
    let s = &imported.session;
    assert_eq!(s.api.api_key_source, Some(ApiKeySource::Header));
    assert_eq!(
        auth(method(s, "/orders", "GET")),
        (Some("CUSTOM"), Some("TokenAuthorizer"), vec![], true)
    );
    assert_eq!(
        auth(method(s, "/orders", "POST")),
        (
            Some("COGNITO_USER_POOLS"),
            Some("PoolAuthorizer"),
            vec!["orders/write"],
            false
        )
    );
    assert_eq!(
        auth(method(s, "/orders", "DELETE")),
        (Some("AWS_IAM"), None, vec![], false)
    );
    let token = &s.api.authorizers["TokenAuthorizer"];
    assert_eq!(token.kind, AuthorizerType::Token);
    assert_eq!(token.name.as_deref(), Some("token-authorizer"));
    assert_eq!(
        token.authorizer_uri.as_deref(),
        Some(
            "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthFunction.Arn}/invocations"
        )
    );
    assert_eq!(
        s.api.authorizers["PoolAuthorizer"].provider_arns,
        ["${UserPool.Arn}"]
    );
    // Keys: the one in the plan (through UsagePlanKey) and the one staged on the API.
    let keys: Vec<(&str, &str)> = s
        .api
        .api_keys
        .iter()
        .map(|k| (k.name.as_deref().unwrap(), k.value.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("PartnerKey", "partner-key-0123456789abcdef"),
            ("GeneratedKey", "GeneratedKey-value-0123456789")
        ]
    );
    let plan = &s.api.usage_plans[0];
    assert_eq!(plan.name.as_deref(), Some("partners"));
    assert_eq!(plan.api_keys, ["PartnerKey"]);
    assert_eq!(plan.quota.as_ref().map(|q| q.limit), Some(1000));
    assert_eq!(plan.throttle.as_ref().and_then(|t| t.burst_limit), Some(20));
    assert!(
        has_warning(&imported, 89, "has no Value"),
        "{:?}",
        warnings(&imported)
    );
    // The key check runs before the authorizer: without a key, 403 Forbidden.
    let t = run_saved(s, "GET /orders");
    assert_eq!(t.response.status, 403, "{}", t.log.join("\n"));
    assert_eq!(t.response.body_text(), r#"{"message":"Forbidden"}"#);
}

#[test]
fn sam_auth_defaults_authorizers_and_usage_plan() {
    let imported = import("sam-auth.yaml");
    let s = &imported.session;
    // DefaultAuthorizer and ApiKeyRequired apply where an event says nothing.
    assert_eq!(
        auth(method(s, "/token", "GET")),
        (Some("CUSTOM"), Some("MyLambdaTokenAuth"), vec![], true)
    );
    assert_eq!(
        auth(method(s, "/request", "GET")),
        (Some("CUSTOM"), Some("MyLambdaRequestAuth"), vec![], true)
    );
    // A Cognito authorizer's own AuthorizationScopes.
    assert_eq!(
        auth(method(s, "/cognito", "GET")),
        (
            Some("COGNITO_USER_POOLS"),
            Some("MyCognitoAuth"),
            vec!["orders/read"],
            false
        )
    );
    assert_eq!(
        auth(method(s, "/iam", "POST")),
        (Some("AWS_IAM"), None, vec![], true)
    );
    assert_eq!(auth(method(s, "/open", "GET")), (None, None, vec![], false));

    let token = &s.api.authorizers["MyLambdaTokenAuth"];
    assert_eq!(
        token.identity_source.as_deref(),
        Some("method.request.header.MyCustomAuthHeader")
    );
    assert_eq!(token.authorizer_result_ttl_in_seconds, Some(20));
    assert_eq!(
        token.authorizer_uri.as_deref(),
        Some(
            "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${MyAuthFunction.Arn}/invocations"
        )
    );
    let request = &s.api.authorizers["MyLambdaRequestAuth"];
    assert_eq!(request.kind, AuthorizerType::Request);
    assert_eq!(
        request.identity_source.as_deref(),
        Some(
            "method.request.header.Authorization1, method.request.querystring.Authorization2, stageVariables.Authorization3"
        )
    );
    assert_eq!(
        s.api.authorizers["MyCognitoAuth"].provider_arns,
        ["${MyCognitoUserPool.Arn}"]
    );
    // CreateUsagePlan PER_API: a plan and a key.
    assert_eq!(s.api.usage_plans[0].api_keys, ["MyApiApiKey"]);
    assert_eq!(s.api.api_keys[0].name.as_deref(), Some("MyApiApiKey"));
    assert!(
        has_warning(&imported, 39, "ResourcePolicy"),
        "{:?}",
        warnings(&imported)
    );
    // The open method runs; the key-protected one refuses a request without its key.
    let t = run_saved(s, "GET /open");
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    let t = run_saved(s, "GET /token");
    assert_eq!(t.response.status, 403, "{}", t.log.join("\n"));
}
