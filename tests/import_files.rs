//! Importing API definitions written the way AWS documents them (an OpenAPI 3 export in YAML
//! with every integration type, an OpenAPI 2 export in JSON, a SAM app, a CloudFormation
//! stack), then running each imported session through the real pipeline with the built-in
//! echo backend (a real HTTP server on loopback; MOCK methods need no backend).

use std::path::{Path, PathBuf};

use gatebench::gateway::api::IntegrationType;
use gatebench::gateway::trace::Trace;
use gatebench::import::{ImportError, Imported, import_file, import_text};
use gatebench::session::{SavedRequest, Session};
use gatebench::session::{client_request, run_session};
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

fn import(name: &str) -> Imported {
    import_file(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn run(session: &Session, request: &SavedRequest) -> Trace {
    let client = client_request(request).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run_session(session, &client))
}

/// Run the session's saved request `i` (the one the import made for that method).
fn run_saved(session: &Session, i: usize) -> Trace {
    run(session, &session.requests[i])
}

fn body_json(t: &Trace) -> Value {
    serde_json::from_slice(&t.response.body).unwrap_or_else(|e| {
        panic!(
            "response body is not JSON ({e}): {}\nlog:\n{}",
            t.response.body_text(),
            t.log.join("\n")
        )
    })
}

/// Warnings as `FILE_NAME:LINE: message` (the directory varies between machines).
fn warnings(i: &Imported) -> Vec<String> {
    i.warnings
        .iter()
        .map(|w| {
            format!(
                "{}:{}: {}",
                w.file.file_name().unwrap().to_string_lossy(),
                w.line,
                w.message
            )
        })
        .collect()
}

fn kinds(s: &Session) -> Vec<(String, String, IntegrationType)> {
    s.api
        .resources
        .iter()
        .flat_map(|r| {
            r.methods
                .iter()
                .map(|(v, m)| (r.path.clone(), v.clone(), m.integration.kind))
        })
        .collect()
}

fn with_body(r: &SavedRequest, body: &str) -> SavedRequest {
    SavedRequest {
        body: Some(body.to_string()),
        ..r.clone()
    }
}

#[test]
fn openapi3_export_imports_every_integration_type() {
    let imported = import("petstore-oas3.yaml");
    let s = &imported.session;
    assert_eq!(s.name, "PetStore");
    assert_eq!(s.api.stage.as_deref(), Some("dev"));
    assert_eq!(s.api.api_id, "a1b2c3d4e5");
    assert_eq!(
        s.api.binary_media_types,
        ["image/png", "application/octet-stream"]
    );
    use IntegrationType::*;
    assert_eq!(
        kinds(s),
        [
            ("/mock".into(), "GET".into(), Mock),
            ("/pets".into(), "POST".into(), Aws),
            ("/pets/{petId}".into(), "GET".into(), Http),
            ("/lambda".into(), "ANY".into(), AwsProxy),
            ("/{proxy+}".into(), "ANY".into(), HttpProxy),
        ]
    );
    // The stage variable in the HTTP uri is kept, listed, and waits for a value.
    assert_eq!(
        warnings(&imported),
        [
            "petstore-oas3.yaml:94: stage variable backendHost is used but has no value here: set it in the session's [api.stageVariables]"
        ]
    );
    assert_eq!(
        s.api.stage_variables.as_ref().unwrap().get("backendHost"),
        Some(&String::new())
    );
    let post = &s.api.resources[1].methods["POST"];
    let validator = post.request_validator.as_ref().unwrap();
    assert!(validator.validate_request_body && !validator.validate_request_parameters);
    // `$ref`s are inlined so the validator sees one schema.
    assert_eq!(
        post.request_models["application/json"]["properties"]["type"],
        json!({"type": "string", "enum": ["dog", "cat"]})
    );
    let ir = &post.integration.integration_responses;
    assert_eq!(ir["200"].selection_pattern, None);
    assert_eq!(
        ir["404"].selection_pattern.as_deref(),
        Some(".*not found.*")
    );
    assert_eq!(post.integration.timeout_in_millis, Some(10_000));
    assert_eq!(
        s.api.gateway_responses["BAD_REQUEST_BODY"]
            .status_code
            .as_deref(),
        Some("400")
    );
    // One saved request per method, with the stage prefix.
    let paths: Vec<(&str, &str)> = s
        .requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("GET", "/dev/mock"),
            ("POST", "/dev/pets"),
            ("GET", "/dev/pets/1"),
            ("GET", "/dev/lambda"),
            ("GET", "/dev/example/path"),
        ]
    );
    // The session is a valid session file.
    let text = s.to_toml().unwrap();
    let back = Session::from_toml(&text, Path::new("imported.toml")).unwrap();
    assert_eq!(&back, s);
}

#[test]
fn openapi3_export_runs_through_the_pipeline() {
    let mut s = import("petstore-oas3.yaml").session;

    // MOCK: deterministic, no backend.
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 200);
    assert_eq!(
        body_json(&t),
        json!({"mocked": true, "stage": "dev", "path": "/mock"})
    );

    // AWS (Lambda custom): the echo function returns what the request template built.
    let t = run_saved(&s, 1);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(
        body_json(&t),
        json!({"action": "create", "created": "string"})
    );
    // The body-only validator and the customised BAD_REQUEST_BODY response.
    let t = run(
        &s,
        &with_body(&s.requests[1], r#"{"name": "Rex", "type": "fish"}"#),
    );
    assert_eq!(t.response.status, 400);
    assert_eq!(t.response.header("X-Error"), Some("invalid-body"));
    assert!(t.endpoint_request.is_none());

    // HTTP: once the stage variable has a value, the loopback echo server answers.
    s.api
        .stage_variables
        .as_mut()
        .unwrap()
        .insert("backendHost".into(), "petstore.example.com".into());
    let t = run_saved(&s, 2);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(body_json(&t), json!({"backendPath": "/petstore/pets/1"}));
    assert_eq!(t.response.header("X-Backend-Method"), Some("GET"));
    assert!(
        t.endpoint_request
            .as_ref()
            .unwrap()
            .url
            .starts_with("http://petstore.example.com/petstore/pets/1")
    );

    // AWS_PROXY: the echo function answers with the proxy event.
    let t = run_saved(&s, 3);
    assert_eq!(t.response.status, 200);
    let event = body_json(&t);
    assert_eq!(event["resource"], "/lambda");
    assert_eq!(event["httpMethod"], "GET");
    assert_eq!(event["requestContext"]["stage"], "dev");

    // HTTP_PROXY: the greedy path is forwarded.
    let t = run_saved(&s, 4);
    assert_eq!(t.response.status, 200);
    assert_eq!(body_json(&t)["path"], "/example/path");
}

#[test]
fn openapi2_json_export_imports_and_runs() {
    let imported = import("orders-swagger2.json");
    assert!(imported.warnings.is_empty(), "{:?}", warnings(&imported));
    let s = &imported.session;
    assert_eq!(s.name, "Orders");
    assert_eq!(s.api.stage.as_deref(), Some("test"));
    assert_eq!(s.api.api_id, "abc123defg");
    let get = &s.api.resources[0].methods["GET"];
    assert_eq!(
        get.request_parameters
            .get("method.request.querystring.status"),
        Some(&true)
    );
    assert_eq!(
        get.method_responses["200"].response_models["application/json"],
        "Empty"
    );

    // MOCK with the params-only validator: the saved request carries the required query.
    let t = run_saved(s, 0);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(body_json(&t), json!({"orders": [], "status": "example"}));
    assert_eq!(t.response.header("Access-Control-Allow-Origin"), Some("*"));
    let no_query = SavedRequest {
        raw_query: String::new(),
        ..s.requests[0].clone()
    };
    let t = run(s, &no_query);
    assert_eq!(t.response.status, 400);
    assert!(
        t.response
            .body_text()
            .contains("Missing required request parameters")
    );

    // AWS_PROXY with the body model from `in: body` (and `all` validation).
    let t = run_saved(s, 1);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    let event = body_json(&t);
    assert_eq!(event["resource"], "/orders");
    let sent: Value = serde_json::from_str(event["body"].as_str().unwrap()).unwrap();
    assert_eq!(sent, json!({"item": "string", "quantity": 2}));
    let t = run(
        s,
        &with_body(&s.requests[1], r#"{"item": "tea", "quantity": 0}"#),
    );
    assert_eq!(t.response.status, 400);
}

#[test]
fn sam_app_imports_events_and_definition_body() {
    let imported = import("sam-app.yaml");
    assert_eq!(
        warnings(&imported),
        [
            "sam-app.yaml:26: Cors is not simulated (SAM would add OPTIONS methods and headers); add them to the session if you need them",
            "sam-app.yaml:66: integration uri uses a CloudFormation intrinsic function, kept as written: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${GetPetFunction.Arn}/invocations (runs take each ${Name} from the session's [values])",
            "sam-app.yaml:74: ListPetsFunction GET /pets: the Lambda proxy integration uri is kept as SAM writes it: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ListPetsFunction.Arn}/invocations (the built-in echo backend answers for the function)",
            "sam-app.yaml:85: ListPetsFunction POST /pets: the Lambda proxy integration uri is kept as SAM writes it: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ListPetsFunction.Arn}/invocations (the built-in echo backend answers for the function)",
            "sam-app.yaml:115: a session holds one API: the implicit ServerlessRestApi is not imported (PetsApi is)",
            "sam-app.yaml:120: HelloFunction event Stats is for an HTTP API (API Gateway v2); gatebench simulates REST APIs; skipped",
        ]
    );
    let s = &imported.session;
    // The references left in URIs get values: pseudo parameters and the functions' ARNs.
    assert_eq!(
        s.values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        [
            ("AWS::Region", "us-east-1"),
            (
                "GetPetFunction.Arn",
                "arn:aws:lambda:us-east-1:123456789012:function:GetPetFunction"
            ),
            (
                "ListPetsFunction.Arn",
                "arn:aws:lambda:us-east-1:123456789012:function:ListPetsFunction"
            ),
        ]
    );
    assert_eq!(s.name, "Pets service");
    // `!Ref Stage` resolves to the parameter's default; `image~1png` is SAM's escaping.
    assert_eq!(s.api.stage.as_deref(), Some("staging"));
    assert_eq!(s.api.binary_media_types, ["image/png"]);
    assert_eq!(s.api.stage_variables.as_ref().unwrap()["table"], "pets");
    assert_eq!(
        s.api.gateway_responses["DEFAULT_4XX"].response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"],
        "'*'"
    );
    use IntegrationType::*;
    assert_eq!(
        kinds(s),
        [
            ("/health".into(), "GET".into(), Mock),
            ("/pets/{petId}".into(), "GET".into(), AwsProxy),
            ("/pets".into(), "GET".into(), AwsProxy),
            ("/pets".into(), "POST".into(), AwsProxy),
        ]
    );
    let list = &s.api.resources[2].methods["GET"];
    assert_eq!(
        list.request_parameters.get("method.request.header.X-Trace"),
        Some(&true)
    );
    assert_eq!(
        list.integration.uri.as_deref(),
        Some(
            "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ListPetsFunction.Arn}/invocations"
        )
    );

    let t = run_saved(s, 0);
    assert_eq!(t.response.status, 200);
    assert_eq!(body_json(&t), json!({"healthy": true}));
    for (i, resource) in [(1, "/pets/{petId}"), (2, "/pets"), (3, "/pets")] {
        let t = run_saved(s, i);
        assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
        let event = body_json(&t);
        assert_eq!(event["resource"], resource);
        assert_eq!(event["requestContext"]["stage"], "staging");
    }
    // The RequestModel with ValidateBody: a body without `name` is refused.
    let t = run(s, &with_body(&s.requests[3], "{}"));
    assert_eq!(t.response.status, 400);
    // The required X-Trace header is not validated (no validator on that event).
    let mut no_trace = s.requests[2].clone();
    no_trace.headers.clear();
    assert_eq!(run(s, &no_trace).response.status, 200);
}

#[test]
fn sam_definition_uri_reads_the_local_file() {
    let imported = import("sam-definition-uri.yaml");
    // The file's own stage variable is defined by the template, so no warning is left.
    assert!(imported.warnings.is_empty(), "{:?}", warnings(&imported));
    let s = &imported.session;
    assert_eq!(s.api.stage.as_deref(), Some("live"));
    assert_eq!(s.api.resources.len(), 5);
    let t = run_saved(s, 2);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(body_json(&t), json!({"backendPath": "/petstore/pets/1"}));
}

#[test]
fn cloudformation_stack_with_mock_and_http_methods() {
    let imported = import("cfn-stack.yaml");
    assert_eq!(
        warnings(&imported),
        [
            "cfn-stack.yaml:160: AWS_IAM: requests must carry a SigV4 signature by a key the session lists under [[api.iamCredentials]]",
            "cfn-stack.yaml:164: integration uri uses a CloudFormation intrinsic function, kept as written: http://${BackendHost}/petstore/pets/{id} (runs take each ${Name} from the session's [values])",
            "cfn-stack.yaml:192: AWS::ApiGatewayV2::Api (WebSocketApi) belongs to HTTP and WebSocket APIs; gatebench simulates REST APIs; skipped",
        ]
    );
    let s = &imported.session;
    assert_eq!(s.name, "PetStore (CloudFormation)");
    assert_eq!(s.api.stage.as_deref(), Some("v1"));
    assert_eq!(
        s.api.stage_variables.as_ref().unwrap()["backendHost"],
        "petstore.example.com"
    );
    use IntegrationType::*;
    // The resource tree is rebuilt from ParentId / PathPart.
    assert_eq!(
        kinds(s),
        [
            ("/pets".into(), "GET".into(), Http),
            ("/pets".into(), "POST".into(), Http),
            ("/pets/{petId}".into(), "GET".into(), Mock),
            ("/pets/{petId}".into(), "DELETE".into(), HttpProxy),
            ("/status".into(), "GET".into(), Mock),
        ]
    );
    let get_pet = &s.api.resources[1].methods["GET"].integration;
    assert_eq!(
        get_pet.integration_responses["404"]
            .selection_pattern
            .as_deref(),
        Some("404")
    );

    let by_name = |name: &str| {
        s.requests
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no saved request {name}"))
            .clone()
    };
    let t = run(s, &by_name("GET /status"));
    assert_eq!(body_json(&t), json!({"status": "ok", "stage": "v1"}));

    // MOCK with a selection pattern on the status the request template chose.
    let get = by_name("GET /pets/{petId}");
    let t = run(s, &get);
    assert_eq!(t.response.status, 200);
    assert_eq!(body_json(&t), json!({"id": "1", "name": "Rex"}));
    let missing = SavedRequest {
        path: "/v1/pets/0".into(),
        ..get
    };
    let t = run(s, &missing);
    assert_eq!(t.response.status, 404);
    assert_eq!(body_json(&t), json!({"message": "no pet 0"}));

    // HTTP with a query string mapping, answered by the loopback echo server.
    let list = SavedRequest {
        raw_query: "type=dog".into(),
        ..by_name("GET /pets")
    };
    let t = run(s, &list);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    let echo = body_json(&t);
    assert_eq!(echo["path"], "/petstore/pets");
    assert_eq!(echo["query"], "kind=dog");

    // HTTP with a stage variable in the uri, a model and a body validator.
    let create = by_name("POST /pets");
    let t = run(s, &create);
    assert_eq!(t.response.status, 201, "{}", t.log.join("\n"));
    assert_eq!(
        body_json(&t),
        json!({"created": true, "backendSaw": {"petName": "string"}})
    );
    let t = run(s, &with_body(&create, r#"{"nickname": "Rex"}"#));
    assert_eq!(t.response.status, 400);

    // HTTP_PROXY whose uri is an intrinsic: `${BackendHost}` takes the parameter's default
    // from [values]; the uri itself stays as written.
    assert_eq!(s.values["BackendHost"], "petstore.example.com");
    let delete = by_name("DELETE /pets/{petId}");
    // The method is AWS_IAM: unsigned, it gets the stack's MISSING_AUTHENTICATION_TOKEN
    // response; with the authorization taken off, it reaches the backend.
    assert_eq!(
        s.api.resources[1].methods["DELETE"]
            .authorization_type
            .as_deref(),
        Some("AWS_IAM")
    );
    assert_eq!(run(s, &delete).response.status, 404);
    let mut open = s.clone();
    open.api.resources[1]
        .methods
        .get_mut("DELETE")
        .unwrap()
        .authorization_type = None;
    let t = run(&open, &delete);
    assert_eq!(
        t.endpoint_request.as_ref().unwrap().url,
        "http://petstore.example.com/petstore/pets/1",
        "{}",
        t.log.join("\n")
    );
    assert!(
        s.api.resources[1].methods["DELETE"]
            .integration
            .uri
            .as_deref()
            .unwrap()
            .contains("${BackendHost}")
    );

    // The customised MISSING_AUTHENTICATION_TOKEN gateway response.
    let nowhere = SavedRequest {
        path: "/v1/nowhere".into(),
        ..by_name("GET /status")
    };
    let t = run(s, &nowhere);
    assert_eq!(t.response.status, 404);
    assert_eq!(body_json(&t), json!({"message": "no such route"}));
}

#[test]
fn cloudformation_json_with_long_form_intrinsics() {
    let template = r#"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "json-api"}},
    "Items": {
      "Type": "AWS::ApiGateway::Resource",
      "Properties": {
        "RestApiId": {"Ref": "Api"},
        "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
        "PathPart": "items"
      }
    },
    "ItemsGet": {
      "Type": "AWS::ApiGateway::Method",
      "Properties": {
        "RestApiId": {"Ref": "Api"},
        "ResourceId": {"Ref": "Items"},
        "HttpMethod": "GET",
        "AuthorizationType": "NONE",
        "Integration": {
          "Type": "AWS",
          "IntegrationHttpMethod": "POST",
          "Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ItemsFn.Arn}/invocations"},
          "RequestTemplates": {"application/json": "{\"op\": \"list\"}"},
          "IntegrationResponses": [{"StatusCode": "200"}]
        }
      }
    }
  }
}"#;
    let imported = import_text(template, Path::new("stack.json")).unwrap();
    assert_eq!(
        warnings(&imported),
        [
            "stack.json:23: integration uri uses a CloudFormation intrinsic function, kept as written: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ItemsFn.Arn}/invocations (runs take each ${Name} from the session's [values])",
            "stack.json:23: ${ItemsFn.Arn} in an integration URI has no value: set it under [values] in the session",
        ]
    );
    let s = &imported.session;
    assert_eq!(s.name, "json-api");
    // No stage in the template: the default stage.
    assert_eq!(s.requests[0].path, "/dev/items");
    // `${ItemsFn.Arn}` has no value yet: not an address, as the gateway would answer.
    let t = run_saved(s, 0);
    assert_eq!(t.response.status, 500, "{}", t.log.join("\n"));
    let mut s = s.clone();
    s.values.insert(
        "ItemsFn.Arn".into(),
        "arn:aws:lambda:us-east-1:123456789012:function:items".into(),
    );
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(body_json(&t), json!({"op": "list"}));
}

#[test]
fn unsupported_constructs_warn_with_lines_and_the_rest_imports() {
    let imported = import("unsupported.yaml");
    assert_eq!(
        warnings(&imported),
        [
            "unsupported.yaml:9: x-amazon-apigateway-policy is not supported; ignored",
            "unsupported.yaml:17: GET: security requirement MyAuthorizer names no usable security scheme; ignored",
            "unsupported.yaml:19: parameter \"session\" in \"cookie\" is not supported by API Gateway method requests; ignored",
            "unsupported.yaml:32: VPC links are not simulated: the integration calls its uri directly",
            "unsupported.yaml:33: x-amazon-apigateway-integration property integrationSubtype is not supported; ignored",
            "unsupported.yaml:35: operation without x-amazon-apigateway-integration (API Gateway would have nothing to call); skipped",
            "unsupported.yaml:42: integration type \"websocket\" is not supported (MOCK, AWS, AWS_PROXY, HTTP, HTTP_PROXY are); the method is skipped",
            "unsupported.yaml:50: request model: $ref models.yaml#/Pet cannot be resolved (only references inside the file are); that part accepts anything",
            "unsupported.yaml:58: TRACE methods are not supported by API Gateway; skipped",
            "unsupported.yaml:63: security scheme MyAuthorizer (type \"apiKey\") is neither an API key (x-api-key header), an x-amazon-apigateway-authorizer nor x-amazon-apigateway-authtype awsSigv4; API Gateway does not enforce it and neither does gatebench",
        ]
    );
    let s = &imported.session;
    assert_eq!(s.api.stage.as_deref(), Some("prod"));
    assert_eq!(
        kinds(s),
        [
            ("/ok".into(), "GET".into(), IntegrationType::Mock),
            ("/external".into(), "POST".into(), IntegrationType::Mock),
        ]
    );
    let t = run_saved(s, 0);
    assert_eq!(t.response.status, 200);
    assert_eq!(body_json(&t), json!({"ok": true}));
    let t = run_saved(s, 1);
    assert_eq!(t.response.status, 201);
}

#[test]
fn malformed_files_are_errors_with_file_and_line() {
    let e = import_file(&fixture("broken.yaml")).unwrap_err();
    let ImportError::Syntax { line, .. } = &e else {
        panic!("{e}")
    };
    assert_eq!(*line, 7, "{e}");
    let text = e.to_string();
    assert!(text.contains("broken.yaml:7:"), "{text}");
    assert!(text.contains("invalid YAML"), "{text}");

    let e = import_file(&fixture("broken.json")).unwrap_err();
    let text = e.to_string();
    assert!(
        text.ends_with("broken.json:9:1: invalid JSON: trailing comma"),
        "{text}"
    );

    // A YAML flow mapping starts like JSON but is read as YAML.
    let flow =
        "{openapi: 3.0.1, paths: {/a: {get: {x-amazon-apigateway-integration: {type: mock}}}}}";
    let imported = import_text(flow, Path::new("flow.yaml")).unwrap();
    assert_eq!(imported.session.requests[0].path, "/dev/a");

    let e = import_file(&fixture("missing.yaml")).unwrap_err();
    assert!(matches!(e, ImportError::Io { .. }), "{e}");
}

#[test]
fn files_without_an_api_are_errors() {
    let e = import_text("just: a mapping\n", Path::new("x.yaml")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.yaml:1: not an OpenAPI document (no `swagger` or `openapi` field) nor a CloudFormation template (no `Resources`)"
    );
    let e = import_text(
        "Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n",
        Path::new("t.yaml"),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("t.yaml:1: no REST API in this template"),
        "{e}"
    );
    let e = import_text(
        "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      responses: {}\n",
        Path::new("o.yaml"),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "o.yaml:1: no API Gateway methods found in this OpenAPI 3.0.1 (1 skipped: o.yaml:4: operation without x-amazon-apigateway-integration (API Gateway would have nothing to call); skipped)"
    );
}

/// `sam init`'s hello world: one function, an `Api` event, no `AWS::Serverless::Api` (SAM's
/// implicit `ServerlessRestApi` on stage `Prod`).
#[test]
fn sam_implicit_api() {
    let template = "\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello_world/
      Handler: app.lambda_handler
      Runtime: python3.13
      Events:
        HelloWorld:
          Type: Api
          Properties:
            Path: /hello
            Method: any
        Queue:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
Outputs:
  HelloWorldApi:
    Value: !Sub \"https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com/Prod/hello/\"
";
    let imported = import_text(template, Path::new("template.yaml")).unwrap();
    assert_eq!(
        warnings(&imported),
        [
            "template.yaml:11: HelloWorldFunction ANY /hello: the Lambda proxy integration uri is kept as SAM writes it: arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${HelloWorldFunction.Arn}/invocations (the built-in echo backend answers for the function)"
        ]
    );
    let s = &imported.session;
    assert_eq!(s.name, "ServerlessRestApi");
    assert_eq!(s.requests[0].path, "/Prod/hello");
    let t = run_saved(s, 0);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(body_json(&t)["resource"], "/hello");
}

/// A value given in the session is what the run calls: a real server on loopback, reached
/// through `${Host}` in an imported URI; without a value the run says what to set.
#[test]
fn intrinsic_values_in_the_session_are_what_runs_call() {
    let yaml = r#"
Parameters:
  Host:
    Type: String
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: Values
  Items:
    Type: AWS::ApiGateway::Resource
    Properties:
      RestApiId: !Ref Api
      ParentId: !GetAtt Api.RootResourceId
      PathPart: items
  ItemsGet:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !Ref Items
      HttpMethod: GET
      AuthorizationType: NONE
      Integration:
        Type: HTTP_PROXY
        IntegrationHttpMethod: GET
        Uri: !Sub "http://${Host}/backend/items"
"#;
    let imported = import_text(yaml, Path::new("values.yaml")).unwrap();
    let w = warnings(&imported);
    assert!(
        w.iter().any(
            |w| w.contains("${Host} in an integration URI has no value: set it under [values]")
        ),
        "{w:?}"
    );
    let mut s = imported.session;
    assert_eq!(s.values["Host"], "");
    s.backend = gatebench::backend::BackendConfig::Http;

    // No value yet: the gateway's answer to an address it cannot use, and what to do.
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 500, "{}", t.log.join("\n"));
    assert!(
        t.stages
            .iter()
            .flat_map(|r| &r.notes)
            .any(|n| n.contains("set it under [values]")),
        "{:?}",
        t.stages
    );
    assert!(t.log.iter().any(|l| l.contains("Invalid endpoint address")));

    // A value: the loopback server gets the request.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        use std::io::{Read as _, Write as _};
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let n = conn.read(&mut buf).unwrap();
        let head = String::from_utf8_lossy(&buf[..n]).into_owned();
        conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
            .unwrap();
        head
    });
    s.values.insert("Host".into(), format!("127.0.0.1:{port}"));
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(t.response.body_text(), "ok");
    let head = server.join().unwrap();
    assert!(head.starts_with("GET /backend/items HTTP/1.1"), "{head}");
    // Saved and loaded again, the values stay.
    let text = toml::to_string(&s).unwrap();
    assert!(text.contains("[values]"), "{text}");
    let back: Session = toml::from_str(&text).unwrap();
    assert_eq!(back.values, s.values);
}

/// The rendered request template of a run (its output, or the error as text).
fn request_template_output(t: &Trace) -> String {
    match &t
        .request_template
        .as_ref()
        .expect("a request template ran")
        .output
    {
        Ok(s) => s.clone(),
        Err(e) => format!("error: {e}"),
    }
}

#[test]
fn s3_proxy_export_keeps_terraform_values_with_their_json_lines() {
    // AWS's S3-proxy tutorial export, as a Terraform templatefile writes it: the stage and
    // region are `${...}` placeholders whoever deploys fills in.
    let imported = import("../import-values/s3-proxy-export.json");
    let w = warnings(&imported);
    assert!(
        w.contains(&"s3-proxy-export.json:8: ${environment} in the stage name has no value: set it under [values] in the session".to_string()),
        "{w:?}"
    );
    assert!(
        w.contains(&"s3-proxy-export.json:61: ${aws_region} in an integration URI has no value: set it under [values] in the session".to_string()),
        "{w:?}"
    );
    let mut s = imported.session;
    assert_eq!(s.api.stage.as_deref(), Some("${environment}"));
    assert_eq!(
        s.values.keys().collect::<Vec<_>>(),
        ["aws_region", "environment"]
    );
    let item = s
        .requests
        .iter()
        .position(|r| r.path.starts_with("/${environment}/") && r.path.len() > 16)
        .expect("a saved request for /{folder}/{item}");

    // Unset: the gateway's answer to an endpoint it cannot address, naming the value.
    let t = run_saved(&s, item);
    assert_eq!(t.response.status, 500, "{}", t.log.join("\n"));
    assert!(
        t.log.iter().any(|l| l.contains("Invalid endpoint address")),
        "{}",
        t.log.join("\n")
    );

    // Set: the stage routes and the region reaches the URI.
    s.values.insert("environment".into(), "prod".into());
    s.values.insert("aws_region".into(), "us-west-2".into());
    assert_eq!(s.api_for_run().stage.as_deref(), Some("prod"));
    let uri = s.api_for_run().resources[1].methods["GET"]
        .integration
        .uri
        .clone()
        .unwrap();
    assert_eq!(
        uri,
        "arn:aws:apigateway:us-west-2:s3:path/{bucket}/{object}"
    );
    let t = run_saved(&s, item);
    assert_ne!(t.response.status, 500, "{}", t.log.join("\n"));
    assert!(
        !t.log.iter().any(|l| l.contains("Invalid endpoint address")),
        "{}",
        t.log.join("\n")
    );
}

#[test]
fn sam_fn_sub_variables_reach_the_request_templates() {
    let imported = import("../import-values/sam-dynamodb-sub.yaml");
    let s = imported.session;
    assert_eq!(s.api.stage.as_deref(), Some("v1"));
    // The variable map's `!Ref OrdersTable` is the table's name, itself a `!Sub` of a
    // parameter default and the stack name (the file's stem).
    assert_eq!(s.values["OrdersTable"], "orders-sam-dynamodb-sub");
    assert_eq!(s.values["AWS::Region"], "us-east-1");
    let post = &s
        .api
        .resources
        .iter()
        .find(|r| r.path == "/orders")
        .unwrap()
        .methods["POST"];
    let tpl = &post.integration.request_templates["application/json"];
    assert!(tpl.contains("\"TableName\": \"${OrdersTable}\""), "{tpl}");
    // `${!context.requestId}` is CloudFormation's escape: Velocity's reference stays.
    let resp =
        &post.integration.integration_responses["200"].response_templates["application/json"];
    assert!(
        resp.contains("#set($id = \"${context.requestId}\")"),
        "{resp}"
    );

    let i = s
        .requests
        .iter()
        .position(|r| r.path == "/v1/orders" && r.method == "POST")
        .unwrap();
    let mut s = s;
    s.requests[i].body = Some(r#"{"customer": "ana"}"#.into());
    let t = run_saved(&s, i);
    let out = request_template_output(&t);
    assert!(
        out.contains("\"TableName\": \"orders-sam-dynamodb-sub\""),
        "{out}"
    );
    assert!(out.contains("\"customer\": {\"S\": \"ana\"}"), "{out}");
    assert!(out.contains("\"region\": {\"S\": \"us-east-1\"}"), "{out}");

    // A value changed in [values] is what the next run uses.
    s.values.insert("OrdersTable".into(), "orders-test".into());
    let out = request_template_output(&run_saved(&s, i));
    assert!(out.contains("\"TableName\": \"orders-test\""), "{out}");
}

#[test]
fn cloudformation_parameterised_stage_and_template_values() {
    let imported = import("../import-values/cfn-stage-param.yaml");
    let w = warnings(&imported);
    assert!(
        w.contains(&"cfn-stage-param.yaml:40: ${Greeting} in a mapping template has no value: set it under [values] in the session".to_string()),
        "{w:?}"
    );
    let mut s = imported.session;
    // `StageName: !Sub '${StageName}'` is the parameter's default.
    assert_eq!(s.api.stage.as_deref(), Some("prod"));
    assert_eq!(s.requests[0].path, "/prod/hello");
    assert_eq!(s.values["Greeting"], "");

    // Unset: the run stops and names the value to set.
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 500, "{}", t.log.join("\n"));
    let all = format!("{t:?}");
    assert!(
        all.contains("Greeting::set-under-values"),
        "{}",
        t.log.join("\n")
    );

    s.values.insert("Greeting".into(), "hello".into());
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(
        body_json(&t),
        json!({"greeting": "hello", "stage": "prod", "region": "us-east-1", "account": "123456789012", "literal": "prod"})
    );
}

/// The error an import of `text` (named `name`) gives, as text.
fn refused(text: &str, name: &str) -> String {
    match import_text(text, Path::new(name)) {
        Ok(_) => panic!("{name} imported"),
        Err(e) => e.to_string(),
    }
}

fn assert_refused(text: &str, name: &str, line: usize, what: &str) {
    let e = refused(text, name);
    assert!(
        e.starts_with(&format!("{name}:{line}: not a REST API: this is {what}")),
        "{e}"
    );
    assert!(
        e.ends_with("gatebench imports REST APIs: OpenAPI 2/3 with x-amazon-apigateway-integration, CloudFormation AWS::ApiGateway::*, SAM AWS::Serverless::Api and AWS::Serverless::Function events of type Api"),
        "{e}"
    );
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn http_api_openapi_with_payload_format_2_is_refused() {
    let text = "openapi: 3.0.1\ninfo: {title: h, version: '1'}\npaths:\n  /items:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        uri: arn:aws:lambda:us-east-1:123456789012:function:f\n        payloadFormatVersion: '2.0'\n";
    assert_refused(
        text,
        "http.yaml",
        10,
        "an HTTP API (API Gateway v2): payloadFormatVersion 2.0",
    );
}

#[test]
fn http_api_openapi_with_only_cors_is_refused() {
    let text = "{\n  \"openapi\": \"3.0.1\",\n  \"info\": {\"title\": \"h\", \"version\": \"1\"},\n  \"x-amazon-apigateway-cors\": {\"allowOrigins\": [\"*\"]},\n  \"paths\": {\"/items\": {\"get\": {\"responses\": {}}}}\n}\n";
    assert_refused(
        text,
        "http.json",
        4,
        "an HTTP API (API Gateway v2): x-amazon-apigateway-cors",
    );
}

#[test]
fn reusable_integration_ref_is_refused() {
    let text = "openapi: 3.0.1\ninfo: {title: h, version: '1'}\npaths:\n  /items:\n    get:\n      x-amazon-apigateway-integration:\n        $ref: '#/components/x-amazon-apigateway-integrations/items'\ncomponents:\n  x-amazon-apigateway-integrations:\n    items:\n      type: AWS_PROXY\n";
    assert_refused(
        text,
        "ref.yaml",
        7,
        "an HTTP API (API Gateway v2): `$ref` to a reusable integration",
    );
}

#[test]
fn websocket_openapi_is_refused() {
    let text = "openapi: 3.0.1\ninfo: {title: ws, version: '1'}\nx-amazon-apigateway-route-selection-expression: $request.body.action\npaths: {}\n";
    assert_refused(text, "ws.yaml", 3, "a WebSocket API");
}

#[test]
fn cloudformation_http_api_is_refused() {
    let text = "Resources:\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: h\n      ProtocolType: HTTP\n";
    assert_refused(
        text,
        "v2.yaml",
        2,
        "an HTTP API (API Gateway v2: Api is AWS::ApiGatewayV2::Api)",
    );
}

#[test]
fn cloudformation_websocket_api_is_refused() {
    let text = "{\n  \"Resources\": {\n    \"Chat\": {\n      \"Type\": \"AWS::ApiGatewayV2::Api\",\n      \"Properties\": {\"Name\": \"chat\", \"ProtocolType\": \"WEBSOCKET\", \"RouteSelectionExpression\": \"$request.body.action\"}\n    }\n  }\n}\n";
    assert_refused(
        text,
        "ws.json",
        3,
        "a WebSocket API (Chat is AWS::ApiGatewayV2::Api with ProtocolType WEBSOCKET)",
    );
}

#[test]
fn sam_http_api_is_refused() {
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n      Runtime: python3.12\n      Events:\n        Get:\n          Type: HttpApi\n          Properties: {Path: /items, Method: get}\n";
    assert_refused(
        text,
        "sam-http.yaml",
        9,
        "an HTTP API (API Gateway v2): Fn has an event of type HttpApi",
    );
    let text = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Http:\n    Type: AWS::Serverless::HttpApi\n";
    assert_refused(
        text,
        "sam-http.yaml",
        3,
        "an HTTP API (API Gateway v2: Http is AWS::Serverless::HttpApi)",
    );
}

#[test]
fn serverless_framework_file_is_refused() {
    let text = "service: orders\nframeworkVersion: '3'\nprovider:\n  name: aws\n  runtime: nodejs18.x\nfunctions:\n  hello:\n    handler: handler.hello\n    events:\n      - http: {path: hello, method: get}\n";
    assert_refused(text, "serverless.yml", 1, "a Serverless Framework file");
}

#[test]
fn a_rest_api_next_to_an_http_api_still_imports() {
    let text = "Resources:\n  Http:\n    Type: AWS::ApiGatewayV2::Api\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {Name: r}\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: GET\n      Integration: {Type: MOCK}\n";
    let s = import_text(text, Path::new("mixed.yaml")).unwrap().session;
    assert_eq!(s.api.resources.len(), 1);
}

#[test]
fn yaml_flow_mapping_continued_at_the_key_indentation_imports() {
    // CloudFormation (PyYAML) accepts flow collections whose lines sit at the key's own
    // indentation; the YAML 1.2 parser alone answers "invalid indentation".
    let text = "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties: {\n    Name: flow-api\n    }\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties: {\n    RestApiId: !Ref Api,\n    ResourceId: !GetAtt Api.RootResourceId,\n    HttpMethod: GET,\n    AuthorizationType: NONE,\n    Integration: {\n    Type: MOCK,\n    RequestTemplates: {application/json: '{\"statusCode\": 200}'},\n    IntegrationResponses: [\n    {StatusCode: 200, ResponseTemplates: {application/json: '{\"ok\": true}'}}\n    ]\n    }\n    }\n";
    let imported = import_text(text, Path::new("flow.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let s = imported.session;
    assert_eq!(s.name, "flow-api");
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(body_json(&t), json!({"ok": true}));
}

#[test]
fn yaml_flow_sequence_continued_at_the_key_indentation_imports() {
    let text = "openapi: 3.0.1\ninfo: {title: seq, version: '1'}\nx-amazon-apigateway-binary-media-types: [\n'image/png',\n'application/octet-stream'\n]\npaths:\n  /ping:\n    get:\n      x-amazon-apigateway-integration: {\n      type: mock,\n      requestTemplates: {application/json: '{\"statusCode\": 200}'},\n      responses: {default: {statusCode: '200'}}\n      }\n";
    let s = import_text(text, Path::new("seq.yaml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .session;
    assert_eq!(
        s.api.binary_media_types,
        ["image/png", "application/octet-stream"]
    );
    assert_eq!(run_saved(&s, 0).response.status, 200);
}

#[test]
fn canned_backend_reads_lambda_error_as_the_readme_spells_it() {
    for key in ["lambdaError", "lambda_error"] {
        let text = format!(
            "version = 1\nname = \"c\"\n[api]\n[[api.resources]]\npath = \"/\"\n[api.resources.methods.GET.integration]\ntype = \"AWS\"\nuri = \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations\"\nhttpMethod = \"POST\"\n[backend]\ntype = \"canned\"\nbody = '{{\"errorMessage\": \"boom\"}}'\n{key} = \"Unhandled\"\n"
        );
        let s = Session::from_toml(&text, Path::new("canned.toml"))
            .unwrap_or_else(|e| panic!("{key}: {e}"));
        assert!(
            matches!(&s.backend, gatebench::backend::BackendConfig::Canned { lambda_error: Some(e), .. } if e == "Unhandled"),
            "{key}: {:?}",
            s.backend
        );
    }
}

#[test]
fn a_body_written_as_one_fn_sub_string_keeps_its_values() {
    let text = r#"Parameters:
  TableName: {Type: String, Default: items}
  Stage: {Type: String, Default: live}
  Missing: {Type: String}
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body: !Sub |
        swagger: '2.0'
        info: {title: sub-body, version: '1'}
        basePath: /${Stage}
        paths:
          /items:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: '{"statusCode": 200}'
                responses:
                  default:
                    statusCode: '200'
                    responseTemplates:
                      application/json: '{"table": "${TableName}", "id": "${!context.stage}", "region": "${AWS::Region}", "missing": "${Missing}"}'
"#;
    let imported = import_text(text, Path::new("sub-body.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let w = warnings(&imported);
    assert!(
        w.contains(&"sub-body.yaml:24: ${Missing} in a mapping template has no value: set it under [values] in the session".to_string()),
        "{w:?}"
    );
    let mut s = imported.session;
    assert_eq!(s.api.stage.as_deref(), Some("live"));
    assert_eq!(s.values["TableName"], "items");
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 500, "{}", t.log.join("\n"));
    s.values.insert("Missing".into(), "found".into());
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 200, "{}", t.log.join("\n"));
    assert_eq!(
        body_json(&t),
        json!({"table": "items", "id": "live", "region": "us-east-1", "missing": "found"})
    );
}

#[test]
fn a_lambda_uri_with_an_unset_value_answers_500_and_names_it() {
    let text = "Parameters:\n  Region: {Type: String}\nResources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n  Get:\n    Type: AWS::ApiGateway::Method\n    Properties:\n      RestApiId: !Ref Api\n      ResourceId: !GetAtt Api.RootResourceId\n      HttpMethod: GET\n      Integration:\n        Type: AWS_PROXY\n        IntegrationHttpMethod: POST\n        Uri: !Sub 'arn:aws:apigateway:${Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${Region}:123456789012:function:f/invocations'\n";
    let imported = import_text(text, Path::new("lambda.yaml")).unwrap();
    assert!(
        warnings(&imported).contains(&"lambda.yaml:15: ${Region} in an integration URI has no value: set it under [values] in the session".to_string()),
        "{:?}",
        warnings(&imported)
    );
    let mut s = imported.session;
    let t = run_saved(&s, 0);
    assert_eq!(t.response.status, 500, "{}", t.log.join("\n"));
    assert!(
        t.stages
            .iter()
            .flat_map(|r| &r.notes)
            .any(|n| n.contains("${Region}") && n.contains("set it under [values]")),
        "{:?}",
        t.stages
    );
    s.values.insert("Region".into(), "eu-west-1".into());
    assert_eq!(run_saved(&s, 0).response.status, 200);
}
