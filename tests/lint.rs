//! The template linter: each rule on a template that triggers it and on a near miss that
//! does not, fixes that remove what they fix, the whole reviewed list of findings over the
//! shipped sessions, the conformance cases and AWS's documented templates (an insta
//! snapshot, so every finding is looked at), `gatebench lint` through the real binary
//! (formats, levels, exit codes, places in the files as written), and a property test that
//! the linter never panics.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use gatebench::gateway::Phase;
use gatebench::gateway::api::IntegrationType;
use gatebench::lint::{
    Finding, Level, Part, RuleId, Side, TemplateSpec, lint_session, lint_session_static,
    lint_template,
};
use gatebench::session::Session;
use serde_json::Value as Json;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json_spec() -> TemplateSpec<'static> {
    TemplateSpec {
        integration: Some(IntegrationType::Aws),
        ..TemplateSpec::alone("application/json")
    }
}

/// The rules that fire on a template keyed application/json (an AWS request template).
fn rules(template: &str) -> Vec<RuleId> {
    lint_template(template, &json_spec())
        .iter()
        .map(|f| f.rule)
        .collect()
}

/// The one finding of `rule`, which must be there.
fn finding(template: &str, rule: RuleId) -> Finding {
    let all = lint_template(template, &json_spec());
    let found: Vec<&Finding> = all.iter().filter(|f| f.rule == rule).collect();
    assert_eq!(found.len(), 1, "{rule}: {all:#?}");
    found[0].clone()
}

/// Apply the finding's fix and check it fixed what it said: the template still parses
/// and the rule no longer fires where it did.
fn fixed(template: &str, f: &Finding) -> String {
    let fix = f.fix.as_ref().expect("a fix");
    let out = fix.apply(template);
    assert!(
        gatebench::vtl::Template::parse(&out).is_ok(),
        "the fix breaks the template: {out}"
    );
    let again = lint_template(&out, &json_spec());
    assert!(
        !again.iter().any(|g| g.rule == f.rule),
        "still there after the fix: {out}\n{again:#?}"
    );
    out
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn session(toml: &str) -> Session {
    Session::from_toml(toml, Path::new("test.toml")).unwrap()
}

fn lint_full(s: &Session) -> Vec<Finding> {
    runtime().block_on(lint_session(s))
}

/// A session with one method `POST /pets/{petId}` of integration type `kind`, the given
/// method settings (TOML lines under the method), a request template and saved requests.
fn one_method(kind: &str, method_lines: &str, template: &str, requests: &str) -> String {
    let uri = if kind.starts_with("HTTP") {
        "http://example.com/pets/{petId}"
    } else {
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations"
    };
    format!(
        r#"version = 1
name = "t"

[api]
stage = "dev"

[[api.resources]]
path = "/pets/{{petId}}"

[api.resources.methods.POST]
{method_lines}

[api.resources.methods.POST.methodResponses.200]
[api.resources.methods.POST.methodResponses.500]

[api.resources.methods.POST.integration]
type = "{kind}"
httpMethod = "POST"
uri = "{uri}"

[api.resources.methods.POST.integration.requestTemplates]
"application/json" = '''
{template}'''

[api.resources.methods.POST.integration.integrationResponses.200]
statusCode = "200"

{requests}

[backend]
type = "echo"
"#
    )
}

fn request(name: &str, content_type: &str, body: &str) -> String {
    format!(
        "[[requests]]\nname = \"{name}\"\nmethod = \"POST\"\npath = \"/dev/pets/7\"\nheaders = [[\"Content-Type\", \"{content_type}\"]]\nbody = '''{body}'''\n"
    )
}

// ---------------------------------------------------------------- 1 unescaped-in-json-string

#[test]
fn unescaped_client_text_in_a_json_string_is_found_and_wrapped() {
    let t = "{\"name\": \"$input.path('$.name')\"}";
    let f = finding(t, RuleId::UnescapedInJsonString);
    assert_eq!((f.span.line, f.span.col), (1, 11));
    assert_eq!(f.level, Level::Warning);
    assert_eq!(
        fixed(t, &f),
        "{\"name\": \"$util.escapeJavaScript($input.path('$.name')).replaceAll(\"\\\\'\",\"'\")\"}"
    );
    // Through a variable and a loop over the payload, and from the other sources.
    let t = "#set($n = $input.params('name'))\n{\"n\": \"$n\", \"items\": [#foreach($i in $input.path('$.items'))\"$i.label\"#if($foreach.hasNext),#end#end], \"ua\": \"$context.identity.userAgent\", \"s\": \"$stageVariables.x\", \"b\": \"$input.body\"}";
    let found: Vec<(usize, usize)> = lint_template(t, &json_spec())
        .iter()
        .filter(|f| f.rule == RuleId::UnescapedInJsonString)
        .map(|f| (f.span.line, f.span.col))
        .collect();
    let line2 = t.lines().nth(1).unwrap();
    let col = |needle: &str| (2, line2.find(needle).unwrap() + 1);
    assert_eq!(
        found,
        [
            col("$n\""),
            col("$i.label"),
            col("$context"),
            col("$stageVariables"),
            col("$input.body")
        ]
    );
    let f = &lint_template(t, &json_spec())[0];
    assert!(
        f.message.contains("it holds $input.params('name')"),
        "{}",
        f.message
    );
}

#[test]
fn unescaped_near_misses() {
    for t in [
        // JSON written by $input.json, outside quotes.
        "{\"name\": $input.json('$.name')}",
        // Values the client does not control.
        "{\"id\": \"$context.requestId\", \"stage\": \"$context.stage\", \"ip\": \"$context.identity.sourceIp\"}",
        // Escaped as AWS documents, also through a variable.
        "#set($n = $util.escapeJavaScript($input.path('$.n')).replaceAll(\"\\\\'\",\"'\"))\n{\"n\": \"$n\"}",
        // Numbers and booleans computed from client data.
        "{\"count\": \"$input.path('$.items').size()\", \"has\": \"$input.params('x').isEmpty()\"}",
        // Quotes escaped by hand, and base64 or URL encoding.
        "{\"q\": \"$input.path('$.q').replaceAll('\"', '\\\\\"')\", \"b\": \"$util.base64Encode($input.body)\"}",
        // Outside a string: another rule's business.
        "{\"n\": $input.path('$.n')}",
        // Stage variable names are letters and digits.
        "{#foreach($k in $stageVariables.keySet())\"$k\": 1#if($foreach.hasNext),#end#end}",
        // Header names cannot hold a quote.
        "{#foreach($h in $input.params().header.keySet())\"$h\": 1#if($foreach.hasNext),#end#end}",
    ] {
        assert!(
            !rules(t).contains(&RuleId::UnescapedInJsonString),
            "{t}: {:#?}",
            lint_template(t, &json_spec())
        );
    }
    let t = "{\"name\": \"$input.path('$.name')\"}";
    // Not JSON, or the gateway reads only the statusCode.
    assert!(lint_template(t, &TemplateSpec::alone("application/xml")).is_empty());
    let mock = TemplateSpec {
        integration: Some(IntegrationType::Mock),
        ..TemplateSpec::alone("application/json")
    };
    assert!(lint_template(t, &mock).is_empty());
    // A JSON key whose text is not JSON (a form body).
    assert!(rules("Action=Send&Body=\"$input.body\"").is_empty());
}

// ---------------------------------------------------------------- 2 escape-javascript-apostrophe

#[test]
fn escape_javascript_without_the_apostrophe_fix() {
    let t = "{\"note\": \"$util.escapeJavaScript($input.path('$.note'))\"}";
    let f = finding(t, RuleId::EscapeJavascriptApostrophe);
    assert_eq!((f.span.line, f.span.col), (1, 11));
    assert_eq!(
        fixed(t, &f),
        "{\"note\": \"$util.escapeJavaScript($input.path('$.note')).replaceAll(\"\\\\'\",\"'\")\"}"
    );
    // Set in a variable: the fix goes where the call is.
    let t = "#set($m = $util.escapeJavaScript($input.body).trim())\n{\"m\": \"$m\"}";
    let f = finding(t, RuleId::EscapeJavascriptApostrophe);
    assert_eq!(f.span.line, 2);
    assert!(
        fixed(t, &f)
            .starts_with("#set($m = $util.escapeJavaScript($input.body).trim().replaceAll(")
    );
}

#[test]
fn escape_javascript_near_misses() {
    assert!(rules("{\"note\": \"$util.escapeJavaScript($input.path('$.note')).replaceAll(\"\\\\'\",\"'\")\"}").is_empty());
    assert!(rules("{\"note\": \"$util.escapeJavaScript($input.path('$.note')).replace(\"\\\\'\", \"'\")\"}").is_empty());
    assert!(rules("{\"len\": \"$util.escapeJavaScript($input.body).length()\"}").is_empty());
}

// ---------------------------------------------------------------- 3 input-path-java-map

#[test]
fn input_path_of_the_whole_payload_where_json_is_expected() {
    let t = "{\"all\": $input.path('$')}";
    let f = finding(t, RuleId::InputPathJavaMap);
    assert_eq!(fixed(t, &f), "{\"all\": $input.json('$')}");
    let t = "#set($root = $input.path('$'))\n{\"all\": $root}";
    let f = finding(t, RuleId::InputPathJavaMap);
    assert_eq!(f.span.line, 2);
}

#[test]
fn input_path_near_misses_without_data() {
    // Without saved requests only the whole payload is known to be an object.
    for t in [
        "{\"pet\": $input.path('$.pet')}",
        "{\"all\": $input.json('$')}",
        "{\"n\": $input.path('$').size()}",
        "[#foreach($p in $input.path('$'))$p#if($foreach.hasNext),#end#end]",
    ] {
        assert!(!rules(t).contains(&RuleId::InputPathJavaMap), "{t}");
    }
}

#[test]
fn input_path_checked_against_the_saved_requests() {
    let t = "{\"pet\": $input.path('$.pet'), \"n\": $input.path('$.n'), \"tags\": $input.path('$.tags'), \"first\": [#foreach($x in $input.path('$.list'))$x#end]}";
    let body = r#"{"pet": {"name": "Rex"}, "n": 3, "tags": ["a"], "list": [{"a": 1}]}"#;
    let s = session(&one_method(
        "AWS",
        "",
        t,
        &request("a pet", "application/json", body),
    ));
    let found: Vec<Finding> = lint_full(&s)
        .into_iter()
        .filter(|f| f.rule == RuleId::InputPathJavaMap)
        .collect();
    let cols: Vec<usize> = found.iter().map(|f| f.span.col).collect();
    assert_eq!(cols, [9, t.rfind("$x").unwrap() + 1], "{found:#?}");
    assert!(
        found[0]
            .message
            .contains("in request \"a pet\" it selects an object"),
        "{}",
        found[0].message
    );
    // Where the request holds a number, nothing fires.
    let s = session(&one_method(
        "AWS",
        "",
        "{\"pet\": $input.path('$.pet')}",
        &request("a number", "application/json", r#"{"pet": 3}"#),
    ));
    assert!(
        !lint_full(&s)
            .iter()
            .any(|f| f.rule == RuleId::InputPathJavaMap)
    );
}

// ---------------------------------------------------------------- 4 input-json-in-quotes

#[test]
fn input_json_inside_quotes() {
    let t = "{\"name\": \"$input.json('$.name')\"}";
    let f = finding(t, RuleId::InputJsonInQuotes);
    assert_eq!(f.level, Level::Error);
    assert_eq!(fixed(t, &f), "{\"name\": $input.json('$.name')}");
    // Inside a longer string: found, no mechanical fix.
    let f = finding(
        "{\"s\": \"x $input.json('$.name')\"}",
        RuleId::InputJsonInQuotes,
    );
    assert!(f.fix.is_none());
}

#[test]
fn input_json_near_miss() {
    assert!(
        rules("{\"name\": $input.json('$.name'), \"b\": \"$util.base64Encode($input.json('$'))\"}")
            .is_empty()
    );
}

// ---------------------------------------------------------------- 5 foreach-trailing-comma

#[test]
fn foreach_comma_written_after_the_last_item() {
    let t = "{\"ids\": [\n#foreach($i in $input.path('$.items'))\n  \"$i.id\",\n#end\n]}";
    let all = lint_template(t, &json_spec());
    let f = all
        .iter()
        .find(|f| f.rule == RuleId::ForeachTrailingComma)
        .unwrap();
    assert_eq!((f.span.line, f.span.col), (3, 10));
    assert_eq!(f.level, Level::Error);
    let out = f.fix.as_ref().unwrap().apply(t);
    assert!(
        out.contains("\"$i.id\"#if($foreach.hasNext),#end\n#end"),
        "{out}"
    );
    assert!(
        !lint_template(&out, &json_spec())
            .iter()
            .any(|f| f.rule == RuleId::ForeachTrailingComma)
    );
}

#[test]
fn foreach_comma_near_misses() {
    for t in [
        "[#foreach($i in [1, 2])$i#if($foreach.hasNext),#end#end]",
        // Something else closes the list after the loop.
        "[#foreach($i in [1, 2])$i,#end 3]",
        "{#foreach($i in [1, 2])\"k$i\": 1,#end \"last\": 0}",
        // A comma inside a string.
        "[#foreach($i in [1, 2])\"a,\"#end]",
    ] {
        assert!(!rules(t).contains(&RuleId::ForeachTrailingComma), "{t}");
    }
}

// ---------------------------------------------------------------- 6 foreach-over-1000

fn items(n: usize) -> String {
    let list: Vec<String> = (0..n).map(|i| i.to_string()).collect();
    format!("{{\"items\": [{}]}}", list.join(","))
}

#[test]
fn foreach_past_1000_items_in_a_saved_request() {
    let t = "[#foreach($i in $input.path('$.items'))$i#if($foreach.hasNext),#end#end]";
    let s = session(&one_method(
        "AWS",
        "",
        t,
        &format!(
            "{}{}",
            request("small", "application/json", &items(10)),
            request("big batch", "application/json", &items(1500))
        ),
    ));
    let found: Vec<Finding> = lint_full(&s)
        .into_iter()
        .filter(|f| f.rule == RuleId::ForeachOver1000)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0].span.line, found[0].span.col), (1, 2));
    assert!(found[0].message.contains("request \"big batch\""));
    // Exactly 1000 is within the limit; the static lint renders nothing.
    let s = session(&one_method(
        "AWS",
        "",
        t,
        &request("full", "application/json", &items(1000)),
    ));
    assert!(
        !lint_full(&s)
            .iter()
            .any(|f| f.rule == RuleId::ForeachOver1000)
    );
}

// ---------------------------------------------------------------- 7 constant-condition

#[test]
fn conditions_that_never_change() {
    let t = "#if($input.params('limit'))a#end#if(!$input.params('x'))b#end#if($input.body == \"\")c#end#if($input.body != $null)d#end";
    let found: Vec<String> = lint_template(t, &json_spec())
        .iter()
        .filter(|f| f.rule == RuleId::ConstantCondition)
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(found[0].contains("always true"), "{}", found[0]);
    assert!(found[1].contains("never true"), "{}", found[1]);
    assert!(found[2].contains("never true"), "{}", found[2]);
    assert!(found[3].contains("always true"), "{}", found[3]);
}

#[test]
fn condition_near_misses() {
    for t in [
        "#if($input.params('limit') != \"\")a#end",
        "#if($input.path('$.x'))a#end",
        "#if($input.params('x') == $null)a#end",
        "#if(\"$!x\" == \"\")a#end",
        "#if($input.body.length() > 2)a#end",
        "#set($b = 1)#if($input.body == $b)a#end",
    ] {
        assert!(!rules(t).contains(&RuleId::ConstantCondition), "{t}");
    }
}

// ---------------------------------------------------------------- 8 reserved-header

#[test]
fn header_mappings_onto_the_gateways_own_names() {
    let s = session(&one_method(
        "HTTP",
        "",
        "{}",
        "[api.resources.methods.POST.integration.requestParameters]\n\"integration.request.header.Content-Length\" = \"method.request.header.Content-Length\"\n\"integration.request.header.Via\" = \"'proxy'\"\n\"integration.request.header.X-Custom\" = \"'ok'\"\n[api.resources.methods.POST.integration.integrationResponses.200.responseParameters]\n\"method.response.header.Server\" = \"'mine'\"\n\"method.response.header.X-Fine\" = \"'ok'\"\n",
    )
    .replace(
        "[api.resources.methods.POST.methodResponses.200]",
        "[api.resources.methods.POST.methodResponses.200.responseParameters]\n\"method.response.header.Server\" = false\n\"method.response.header.X-Fine\" = false",
    ));
    let found: Vec<(Level, String)> = lint_session_static(&s)
        .into_iter()
        .filter(|f| f.rule == RuleId::ReservedHeader)
        .map(|f| {
            let Part::Setting { keys } = &f.place.part else {
                panic!("{f:?}")
            };
            (f.level, keys.last().unwrap().clone())
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                Level::Error,
                "integration.request.header.Content-Length".to_string()
            ),
            (Level::Warning, "integration.request.header.Via".to_string()),
            (Level::Warning, "method.response.header.Server".to_string()),
        ]
    );
}

// ---------------------------------------------------------------- 9 unused-content-type

#[test]
fn a_template_for_a_type_nobody_sends() {
    let text = one_method(
        "AWS",
        "requestModels = { \"application/json\" = { type = \"object\" } }",
        "{}",
        &request("json", "application/json", "{}"),
    )
    .replace(
        "[api.resources.methods.POST.integration.requestTemplates]\n",
        "[api.resources.methods.POST.integration.requestTemplates]\n\"application/xml\" = \"<a/>\"\n",
    );
    let found: Vec<Finding> = lint_full(&session(&text))
        .into_iter()
        .filter(|f| f.rule == RuleId::UnusedContentType)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].level, Level::Info);
    assert!(
        matches!(&found[0].place.part, Part::Template { content_type, .. } if content_type == "application/xml")
    );
    // A request that sends it, or no saved request at all: nothing to say.
    let sent = text.replace(
        "[backend]",
        &format!("{}\n[backend]", request("xml", "application/xml", "<a/>")),
    );
    assert!(
        !lint_full(&session(&sent))
            .iter()
            .any(|f| f.rule == RuleId::UnusedContentType)
    );
    assert!(
        !lint_session_static(&session(&text))
            .iter()
            .any(|f| f.rule == RuleId::UnusedContentType)
    );
}

// ---------------------------------------------------------------- 10 authorizer-without-authorizer

#[test]
fn authorizer_values_without_an_authorizer() {
    let t = "{\"who\": \"$util.escapeJavaScript($context.authorizer.principalId).replaceAll(\"\\\\'\",\"'\")\"}";
    let s = session(&one_method("AWS", "", t, ""));
    let found: Vec<Finding> = lint_session_static(&s)
        .into_iter()
        .filter(|f| f.rule == RuleId::AuthorizerWithoutAuthorizer)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].message.contains("authorizationType is NONE"));
    let with = one_method(
        "AWS",
        "authorizationType = \"CUSTOM\"\nauthorizerId = \"tok\"",
        t,
        "",
    )
    .replace(
        "[[api.resources]]",
        "[api.authorizers.tok]\ntype = \"TOKEN\"\nauthorizerUri = \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:auth/invocations\"\n\n[[api.resources]]",
    );
    assert!(lint_session_static(&session(&with)).is_empty());
}

// ---------------------------------------------------------------- 11 undeclared-parameter

#[test]
fn parameters_the_method_does_not_declare() {
    let t = "{\"id\": $input.json('$.id'), \"p\": \"$util.escapeJavaScript($input.params('petID')).replaceAll(\"\\\\'\",\"'\")\", \"q\": $input.params().querystring.get('limit').length(), \"ok\": $input.params('petId').length(), \"h\": $input.params().header.get('x-trace').length()}";
    let declared = "requestParameters = { \"method.request.querystring.page\" = false, \"method.request.header.X-Trace\" = false }";
    let found: Vec<String> = lint_session_static(&session(&one_method("AWS", declared, t, "")))
        .into_iter()
        .filter(|f| f.rule == RuleId::UndeclaredParameter)
        .map(|f| f.message)
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].contains("`petID`"), "{}", found[0]);
    assert!(found[0].contains("it declares path petId; querystring page; header X-Trace"));
    assert!(found[1].contains("`limit`"), "{}", found[1]);
    // A method that declares nothing is not checked.
    assert!(
        !lint_session_static(&session(&one_method("AWS", "", t, "")))
            .iter()
            .any(|f| f.rule == RuleId::UndeclaredParameter)
    );
}

// ---------------------------------------------------------------- 12 unused-set

#[test]
fn variables_set_and_never_read() {
    let t = "#set($name = $input.path('$.name'))\n#set($used = 1)\n{\"n\": $used}";
    let f = finding(t, RuleId::UnusedSet);
    assert_eq!((f.span.line, f.span.col), (1, 6));
    assert!(f.message.contains("$name"));
}

#[test]
fn unused_set_near_misses() {
    for t in [
        "#set($l = [])#set($ignore = $l.add(1))$l",
        "#set($context.requestOverride.header.x = \"1\"){}",
        "#set($context.responseOverride.status = 400){}",
        "#set($m = {})#set($m.k = 1){}",
        "#set($x = 1)#evaluate('$x')",
        "#set($x = 1)\"#if($x)y#end\"",
    ] {
        assert!(!rules(t).contains(&RuleId::UnusedSet), "{t}");
    }
}

// ---------------------------------------------------------------- 13 velocity-count

#[test]
fn velocity_count_is_deprecated() {
    let t = "[#foreach($i in [1, 2])$velocityCount#if($velocityHasNext),#end#end]";
    let all = lint_template(t, &json_spec());
    let found: Vec<&Finding> = all
        .iter()
        .filter(|f| f.rule == RuleId::VelocityCount)
        .collect();
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].level, Level::Info);
    let mut out = t.to_string();
    for f in found.iter().rev() {
        out = f.fix.as_ref().unwrap().apply(&out);
    }
    assert_eq!(
        out,
        "[#foreach($i in [1, 2])$foreach.count#if($foreach.hasNext),#end#end]"
    );
    assert!(rules(&out).is_empty());
    let braces = finding("${velocityCount}", RuleId::VelocityCount);
    assert_eq!(fixed("${velocityCount}", &braces), "${foreach.count}");
}

// ---------------------------------------------------------------- 14 invalid-json-output

#[test]
fn saved_requests_that_render_invalid_json() {
    let t = "{\n  \"age\": $input.path('$.age')\n}";
    let s = session(&one_method(
        "AWS",
        "",
        t,
        &format!(
            "{}{}",
            request("with age", "application/json", r#"{"age": 3}"#),
            request("no age", "application/json", "{}")
        ),
    ));
    let found: Vec<Finding> = lint_full(&s)
        .into_iter()
        .filter(|f| f.rule == RuleId::InvalidJsonOutput)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("request \"no age\"")
            && found[0].message.contains("line 3, column 1 of the output"),
        "{}",
        found[0].message
    );
    let good = session(&one_method(
        "AWS",
        "",
        "#set($age = $input.json('$.age'))\n{\"age\": #if($age != \"\")$age#{else}null#end}",
        &request("no age", "application/json", "{}"),
    ));
    assert!(
        !lint_full(&good)
            .iter()
            .any(|f| f.rule == RuleId::InvalidJsonOutput)
    );
}

#[test]
fn response_templates_are_checked_against_the_offline_backend() {
    // The echo function answers with the payload it got; the response template breaks on
    // an object.
    let text = one_method(
        "AWS",
        "",
        "{\"pet\": $input.json('$.pet')}",
        &request("a pet", "application/json", r#"{"pet": {"name": "Rex"}}"#),
    )
    .replace(
        "statusCode = \"200\"\n",
        "statusCode = \"200\"\n[api.resources.methods.POST.integration.integrationResponses.200.responseTemplates]\n\"application/json\" = '{\"name\": $input.path(\"$.pet.name\")}'\n",
    );
    let found: Vec<Finding> = lint_full(&session(&text))
        .into_iter()
        .filter(|f| f.rule == RuleId::InvalidJsonOutput)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        matches!(&found[0].place.part, Part::Template { side: Side::Response(k), .. } if k == "200")
    );
}

// ---------------------------------------------------------------- 15 parse-error

#[test]
fn templates_that_do_not_parse() {
    let f = finding("{\n#if($x == null)a#end}", RuleId::ParseError);
    assert_eq!(f.level, Level::Error);
    assert_eq!(f.span.line, 2);
    assert!(f.message.contains("no null literal"), "{}", f.message);
    assert!(rules("{\n#if(!$x)a#end}").is_empty());
    assert!(rules("{#if($x)a}").contains(&RuleId::ParseError));
}

// ---------------------------------------------------------------- every finding, reviewed

fn describe(f: &Finding) -> String {
    let place = match (&f.place.method, &f.place.part) {
        (Some(m), Part::Template { side, content_type }) => format!(
            "{} {} {content_type} {}:{}",
            m.describe(),
            match side {
                Side::Request => "request".to_string(),
                Side::Response(k) => format!("response {k}"),
            },
            f.span.line,
            f.span.col
        ),
        (Some(m), Part::Setting { keys }) => format!("{} {}", m.describe(), keys.join(".")),
        (None, _) => format!("{}:{}", f.span.line, f.span.col),
    };
    let fix = f.fix.as_ref().map_or(String::new(), |x| {
        format!("\n    fix {}..{}: {}", x.start, x.end, x.text)
    });
    format!(
        "  {place} {}[{}] {}{fix}",
        f.level.as_str(),
        f.rule.id(),
        f.message
    )
}

fn section(out: &mut String, title: &str, findings: &[Finding]) {
    if findings.is_empty() {
        // The sessions and AWS's examples are listed even when clean; of the conformance
        // cases only those with something to say.
        if !title.starts_with("conformance/") {
            out.push_str(&format!("== {title}: nothing\n"));
        }
        return;
    }
    out.push_str(&format!("== {title}\n"));
    for f in findings {
        out.push_str(&describe(f));
        out.push('\n');
    }
}

fn phase_of(c: &Json) -> Phase {
    if c["phase"] == "response" {
        Phase::Response
    } else {
        Phase::Request
    }
}

fn integration_of(name: &str) -> IntegrationType {
    IntegrationType::ALL
        .into_iter()
        .find(|t| t.as_str() == name)
        .unwrap()
}

#[test]
fn every_finding_on_the_shipped_and_documented_templates_is_reviewed() {
    let mut out = String::new();
    // The shipped sessions, with their saved requests rendered.
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("sessions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let rt = runtime();
    for p in &paths {
        let s = Session::load(p).unwrap();
        let found = rt.block_on(lint_session(&s));
        let name = format!("sessions/{}", p.file_name().unwrap().to_string_lossy());
        section(&mut out, &name, &found);
    }
    // The conformance cases: template cases on their own, pipeline setups as sessions.
    let folder = common::conformance_dir().join("apigw");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    cases.sort();
    for p in &cases {
        let c: Json = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
        let id = c["id"].as_str().unwrap_or_default().to_string();
        let found = match c["kind"].as_str() {
            Some("template") => {
                let spec = TemplateSpec {
                    phase: phase_of(&c),
                    ..TemplateSpec::alone("application/json")
                };
                lint_template(c["template"].as_str().unwrap(), &spec)
            }
            Some("pipeline" | "test-invoke") => {
                let Ok(api) = serde_json::from_value(c["setup"].clone()) else {
                    continue;
                };
                let mut s = Session::builtin_default();
                s.api = api;
                s.requests.clear();
                lint_session_static(&s)
            }
            _ => continue,
        };
        section(&mut out, &format!("conformance/apigw/{id}"), &found);
    }
    // AWS's documented templates.
    let dir = root().join("tests/fixtures/lint/aws-examples");
    let manifest: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    for e in manifest["examples"].as_array().unwrap() {
        let file = e["file"].as_str().unwrap();
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let spec = TemplateSpec {
            phase: phase_of(e),
            integration: Some(integration_of(e["integration"].as_str().unwrap())),
            ..TemplateSpec::alone(e["contentType"].as_str().unwrap())
        };
        section(
            &mut out,
            &format!("aws-examples/{file}"),
            &lint_template(&text, &spec),
        );
    }
    insta::assert_snapshot!("lint_reviewed_findings", out);
}

// ---------------------------------------------------------------- gatebench lint

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gatebench"))
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gatebench-lint-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_shipped_sessions_lint_clean() {
    let o = bin()
        .current_dir(root())
        .args(["lint", "sessions/"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(&o),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn human_output_levels_and_exit_codes() {
    let dir = scratch("human");
    let t = dir.join("t.vtl");
    std::fs::write(
        &t,
        "{\"name\": \"$input.json('$.n')\",\n \"id\": \"$input.params('id')\"}",
    )
    .unwrap();
    let o = bin().arg("lint").arg(&t).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    let shown = t.display().to_string();
    assert_eq!(
        lines[0],
        format!(
            "{shown}:1:11: error[input-json-in-quotes]: $input.json('$.n') is inside quotes: $input.json writes its own quotes, so a string comes out \"\"text\"\""
        )
    );
    assert_eq!(
        lines[1],
        "  = help: replace `\"$input.json('$.n')\"` with `$input.json('$.n')`"
    );
    assert!(lines[2].starts_with(&format!("{shown}:2:9: warning[unescaped-in-json-string]: ")));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 error, 1 warning, 0 info"));
    // Only errors count with --level error; a template with only a warning passes then.
    std::fs::write(&t, "{\"id\": \"$input.params('id')\"}").unwrap();
    let o = bin()
        .args(["lint", "--level", "error"])
        .arg(&t)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let o = bin().arg("lint").arg(&t).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    // Another content type: not JSON, nothing to say.
    let o = bin()
        .args(["lint", "--content-type", "text/plain"])
        .arg(&t)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o), "");
    // A file that is not there: 2.
    let o = bin()
        .args(["lint"])
        .arg(dir.join("missing.vtl"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn explain_prints_the_rule_with_an_example() {
    let o = bin()
        .args(["lint", "--explain", "foreach-trailing-comma"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let text = stdout(&o);
    assert!(
        text.starts_with("foreach-trailing-comma (error): "),
        "{text}"
    );
    assert!(text.contains("Before:") && text.contains("After:"));
    let o = bin().args(["lint", "--explain", "nope"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unescaped-in-json-string"));
}

#[test]
fn json_and_sarif_reports() {
    let dir = scratch("formats");
    let t = dir.join("t.vtl");
    std::fs::write(&t, "{\"n\": \"$input.path('$.n')\"}").unwrap();
    let o = bin()
        .args(["lint", "--format", "json"])
        .arg(&t)
        .output()
        .unwrap();
    let doc: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["warnings"], 1);
    let f = &doc["findings"][0];
    assert_eq!(f["rule"], "unescaped-in-json-string");
    assert_eq!((f["line"].as_u64(), f["col"].as_u64()), (Some(1), Some(8)));
    assert_eq!(f["fix"]["start"], 7);
    let o = bin()
        .args(["lint", "--format", "sarif"])
        .arg(&t)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let doc: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &doc["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, RuleId::ALL.map(RuleId::id));
    for r in rules {
        assert!(
            r["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .contains("Before")
        );
        assert!(r["shortDescription"]["text"].is_string());
        assert!(r.get("helpUri").is_none());
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap())
        );
    }
    let result = &run["results"][0];
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], result["ruleId"]);
    assert_eq!(result["level"], "warning");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(1), Some(8))
    );
    assert!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("t.vtl")
    );
}

/// The line and column (1-based, characters) of the `nth` occurrence of `needle` in `text`.
fn place_of(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let at = text.match_indices(needle).nth(nth).unwrap().0;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    (line, col)
}

/// `file:line:col` of each finding `gatebench lint` prints for `file`.
fn places(file: &Path) -> Vec<(String, usize, usize)> {
    let o = bin()
        .args(["lint", "--format", "json", "--level", "info"])
        .arg(file)
        .output()
        .unwrap();
    let doc: Json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap() as usize,
                f["col"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

#[test]
fn findings_are_placed_in_the_files_as_written() {
    let dir = root().join("tests/fixtures/lint/places");
    // A session: a multi-line basic string, a one-line string with escapes, a literal one.
    let file = dir.join("session.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        places(&file),
        [
            (
                "unescaped-in-json-string".to_string(),
                place_of(&text, "$input.path('$.name')", 0).0,
                place_of(&text, "$input.path('$.name')", 0).1
            ),
            (
                "unescaped-in-json-string".to_string(),
                place_of(&text, "$input.params('id')", 0).0,
                place_of(&text, "$input.params('id')", 0).1
            ),
            (
                "input-json-in-quotes".to_string(),
                place_of(&text, "$input.json", 0).0,
                place_of(&text, "$input.json", 0).1
            ),
            (
                "reserved-header".to_string(),
                place_of(&text, "\"integration.request.header.TE\"", 0).0,
                1
            ),
        ]
    );
    // OpenAPI in YAML: a `|` block and a double-quoted string with escapes.
    let file = dir.join("openapi.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let want = |needle: &str, nth: usize| {
        let (l, c) = place_of(&text, needle, nth);
        (l, c)
    };
    let got: Vec<(usize, usize)> = places(&file).iter().map(|(_, l, c)| (*l, *c)).collect();
    assert_eq!(
        got,
        [
            want("$input.path('$.name')", 0),
            want("$input.params('petId')", 0),
            want("$input.path('$.owner')", 0),
        ]
    );
    // CloudFormation in JSON: the template is one JSON string with escapes.
    let file = dir.join("cfn.json");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        places(&file),
        [
            // The saved request the import made renders `[1,2,]`: the template's start.
            (
                "invalid-json-output".to_string(),
                place_of(&text, "{\\\"name", 0).0,
                place_of(&text, "{\\\"name", 0).1
            ),
            (
                "unescaped-in-json-string".to_string(),
                place_of(&text, "$input.path('$.name')", 0).0,
                place_of(&text, "$input.path('$.name')", 0).1
            ),
            (
                "foreach-trailing-comma".to_string(),
                place_of(&text, ",#end", 0).0,
                place_of(&text, ",#end", 0).1
            ),
        ]
    );
}

// ---------------------------------------------------------------- never panics

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    #[test]
    fn lint_never_panics(t in "[{}\\[\\]\",:$#()a-z.'!= \n\\\\]{0,80}") {
        for f in lint_template(&t, &json_spec()) {
            if let Some(fix) = &f.fix {
                proptest::prop_assert!(fix.start <= fix.end && fix.end <= t.len());
                proptest::prop_assert!(t.is_char_boundary(fix.start) && t.is_char_boundary(fix.end));
            }
            proptest::prop_assert!(f.span.line >= 1 && f.span.col >= 1);
        }
    }

    #[test]
    fn lint_never_panics_on_vtl_shapes(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "{", "}", "[", "]", "\"", ",", ": ", "$input.path('$')", "$input.json('$.a')",
            "$input.params('x')", "$util.escapeJavaScript($x)", "#set($x = $input.body)",
            "#foreach($i in $input.path('$.l'))", "#if($input.params('a'))", "#else", "#end",
            "$i", "$x", "\n", "$velocityCount", "#if($foreach.hasNext),#end", "${x}",
        ]), 0..30)
    ) {
        let t: String = parts.concat();
        for f in lint_template(&t, &json_spec()) {
            if let Some(fix) = &f.fix {
                let applied = fix.apply(&t);
                proptest::prop_assert!(applied.len() + fix.end >= t.len());
            }
        }
    }
}
