//! Importing real API definitions into a session: OpenAPI 2 and 3 exports (JSON or YAML)
//! with API Gateway's `x-amazon-apigateway-*` extensions, CloudFormation and SAM templates,
//! and curl command lines (and back to curl).
//!
//! An import never stops at the first thing it does not understand: each unsupported
//! construct becomes an [`ImportWarning`] naming the file and line, and the rest imports.
//! Only a file that cannot be read or parsed, or that holds no API at all, is an
//! [`ImportError`]. The session uses the built-in echo backend, so every imported method
//! runs offline at once; each method gets one saved request.

mod authorizer;
mod cfn;
mod curl;
mod error;
mod integration;
mod intrinsic;
mod node;
mod openapi;
mod origin;
mod refuse;
mod requests;
mod schema;

use std::collections::HashSet;
use std::path::Path;

use indexmap::IndexMap;

pub use curl::{import_curl, to_curl};
pub use error::{ImportError, ImportWarning};
pub use origin::{OriginKey, Origins};

use crate::backend::BackendConfig;
use crate::session::{Session, VERSION};
use error::Cx;

/// The stage used when the file names none.
const DEFAULT_STAGE: &str = "dev";

/// An imported session and what could not be imported.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The session (echo backend, one saved request per method).
    pub session: Session,
    /// Constructs that were skipped or kept as written, with their file and line.
    pub warnings: Vec<ImportWarning>,
    /// Where each method's templates and header mappings are written in the file.
    pub origins: Origins,
}

/// Import an OpenAPI document or a CloudFormation/SAM template from a file (JSON or YAML,
/// told apart by content).
pub fn import_file(path: &Path) -> Result<Imported, ImportError> {
    let text = crate::session::file::read_text(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    import_text(&text, path)
}

/// Import from text; `path` names the file in messages, and its folder is where relative
/// references (SAM `DefinitionUri`) are read from.
pub fn import_text(text: &str, path: &Path) -> Result<Imported, ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let is_json = text.trim_start().starts_with('{');
    let json_file = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let parsed = if is_json && json_file {
        node::parse_json(text)
    } else if is_json {
        // A YAML flow mapping also starts with `{`: when it is not JSON, YAML may still read
        // it; the JSON error is the one reported otherwise.
        node::parse_json(text).or_else(|e| node::parse_yaml(text).map_err(|_| e))
    } else {
        node::parse_yaml(text)
    };
    let doc = parsed.map_err(|e| ImportError::Syntax {
        path: path.to_path_buf(),
        line: e.line,
        column: e.column,
        message: if is_json {
            format!("invalid JSON: {}", e.message)
        } else {
            format!("invalid YAML: {}", e.message)
        },
    })?;
    let mut cx = Cx::new(path);
    if !doc.is_map() {
        return Err(cx.invalid(
            doc.line,
            "expected an OpenAPI document or a CloudFormation template (a mapping at the top)",
        ));
    }
    if let Some((line, reason)) = refuse::refusal(&doc) {
        return Err(cx.invalid(line, format!("not a REST API: this is {reason}")));
    }
    let (mut api, name, description, label) = if openapi::detect(&doc).is_some() {
        let o = openapi::import(&doc, &mut cx);
        let mut api = o.api;
        api.stage = o.stage;
        (api, o.title, o.description, o.label)
    } else if cfn::detect(&doc) {
        let dir = path.parent().unwrap_or(Path::new("."));
        let c = cfn::import(&doc, &mut cx, dir)?;
        (c.api, c.name, c.description, c.label)
    } else {
        return Err(cx.invalid(
            doc.line,
            "not an OpenAPI document (no `swagger` or `openapi` field) nor a CloudFormation template (no `Resources`)",
        ));
    };
    if api.resources.is_empty() {
        return Err(cx.invalid(
            doc.line,
            format!(
                "no API Gateway methods found in this {label}{}",
                if cx.warnings.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({} skipped: {})",
                        cx.warnings.len(),
                        cx.warnings
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                }
            ),
        ));
    }
    if api.api_id.is_empty() {
        // The id a session gets when it names none (the serde default of `apiId`).
        api.api_id = toml::from_str::<crate::gateway::api::Api>("")
            .map(|a| a.api_id)
            .unwrap_or_default();
    }
    if api.stage.is_none() {
        api.stage = Some(DEFAULT_STAGE.to_string());
    }
    dedupe(&mut api.binary_media_types);
    stage_variables(&mut api, &mut cx);
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut explanation = format!(
        "Imported from {file_name} ({label}). The built-in echo backend answers for every integration, so each method runs offline; switch [backend] to call the real one."
    );
    if let Some(d) = description.filter(|d| !d.trim().is_empty()) {
        explanation = format!("{}\n\n{explanation}", d.trim());
    }
    let values = intrinsic_values(&api, &doc, path, &mut cx);
    // A stage name must be plain: what is known is filled in now (the rest on each run).
    if let Some(stage) = &mut api.stage
        && stage.contains("${")
    {
        *stage = crate::gateway::substitute_values(stage, &values);
    }
    let requests = requests::examples(&api);
    let session = Session {
        version: VERSION,
        name: name.unwrap_or_else(|| file_name.clone()),
        explanation,
        listen: None,
        api,
        context: None,
        values,
        requests,
        backend: BackendConfig::Echo,
        source: None,
        stamp: None,
    };
    let origins = std::mem::take(&mut cx.origins);
    let mut seen = HashSet::new();
    let mut warnings: Vec<ImportWarning> = cx
        .warnings
        .into_iter()
        .filter(|w| seen.insert((w.file.clone(), w.line, w.message.clone())))
        .collect();
    // In file order, as a reader goes through the file.
    warnings.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(Imported {
        session,
        warnings,
        origins,
    })
}

/// Values for the CloudFormation `${Name}` placeholders the import kept (in URIs, mapping
/// templates, parameter mappings, stage names, base paths): pseudo parameters get the values
/// gatebench uses elsewhere (region us-east-1, account 123456789012), template parameters
/// their `Default`, resources the template defines what `Ref` / `Fn::GetAtt` give for them
/// (see [`resource_value`]). Names with no such value are listed (empty) with a warning at
/// the line they came from, to be filled in.
fn intrinsic_values(
    api: &crate::gateway::api::Api,
    doc: &node::Node,
    path: &Path,
    cx: &mut Cx,
) -> IndexMap<String, String> {
    let stack = path
        .file_stem()
        .map_or_else(|| "stack".to_string(), |s| s.to_string_lossy().into_owned());
    let mut values = IndexMap::new();
    // URIs first, in method order (some are built by the import: SAM events), then the
    // rest in file order.
    let mut placeholders: IndexMap<String, usize> = IndexMap::new();
    for uri in api
        .resources
        .iter()
        .flat_map(|r| r.methods.values())
        .filter_map(|m| m.integration.uri.as_deref())
    {
        for name in error::placeholder_names(uri) {
            let line = cx.placeholders.get(&name).copied().unwrap_or(doc.line);
            placeholders.entry(name).or_insert(line);
        }
    }
    for (name, line) in &cx.placeholders {
        placeholders.entry(name.clone()).or_insert(*line);
    }
    for (name, line) in placeholders {
        if values.contains_key(&name) {
            continue;
        }
        match resolve(&name, doc, &stack, 0) {
            Some(v) => {
                values.insert(name, v);
            }
            None => {
                let used_in = where_used(api, &name);
                cx.warn(
                    line,
                    format!(
                        "${{{name}}} in {used_in} has no value: set it under [values] in the session"
                    ),
                );
                values.insert(name, String::new());
            }
        }
    }
    values
}

/// Where `${name}` is used, for the warning: the integration URI when it is there.
fn where_used(api: &crate::gateway::api::Api, name: &str) -> &'static str {
    let needle = format!("${{{name}}}");
    let methods = || api.resources.iter().flat_map(|r| r.methods.values());
    if methods().any(|m| {
        m.integration
            .uri
            .as_deref()
            .is_some_and(|u| u.contains(&needle))
    }) {
        "an integration URI"
    } else if api.stage.as_deref().is_some_and(|s| s.contains(&needle)) {
        "the stage name"
    } else if methods().any(|m| {
        m.integration
            .request_templates
            .values()
            .any(|t| t.contains(&needle))
            || m.integration
                .integration_responses
                .values()
                .any(|r| r.response_templates.values().any(|t| t.contains(&needle)))
    }) {
        "a mapping template"
    } else {
        "the API"
    }
}

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";

/// The value CloudFormation would give `${name}`: a pseudo parameter, a parameter's
/// `Default`, or what a resource the template defines gives (`depth` bounds chains of
/// names).
fn resolve(name: &str, doc: &node::Node, stack: &str, depth: usize) -> Option<String> {
    if depth > 8 {
        return None;
    }
    match name {
        "AWS::Region" => return Some(REGION.to_string()),
        "AWS::AccountId" => return Some(ACCOUNT.to_string()),
        "AWS::Partition" => return Some("aws".to_string()),
        "AWS::URLSuffix" => return Some("amazonaws.com".to_string()),
        "AWS::StackName" => return Some(stack.to_string()),
        "AWS::StackId" => {
            return Some(format!(
                "arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/{stack}/00000000-0000-0000-0000-000000000000"
            ));
        }
        "AWS::NoValue" | "AWS::NotificationARNs" => return None,
        _ => {}
    }
    if let Some(d) = doc
        .get("Parameters")
        .and_then(|p| p.get(name))
        .and_then(|p| p.get("Default"))
    {
        return d.scalar_text().or_else(|| {
            // A list parameter's default.
            let items: Option<Vec<String>> =
                d.items().iter().map(node::Node::scalar_text).collect();
            items.map(|i| i.join(","))
        });
    }
    let (id, attr) = match name.split_once('.') {
        Some((id, attr)) => (id, Some(attr)),
        None => (name, None),
    };
    let res = doc.get("Resources")?.get(id)?;
    let ty = res.get("Type").and_then(node::Node::as_str)?;
    resource_value(id, ty, res.get("Properties"), attr, doc, stack, depth)
}

/// What `Ref` (`attr` `None`) or `Fn::GetAtt` gives for a resource of type `ty`: its name
/// property when the template sets one (itself resolved), else the name CloudFormation would
/// make up (`STACK-LogicalId`), in the ARN, URL or plain form the type's `Ref` gives.
fn resource_value(
    id: &str,
    ty: &str,
    props: Option<&node::Node>,
    attr: Option<&str>,
    doc: &node::Node,
    stack: &str,
    depth: usize,
) -> Option<String> {
    let named = |field: &str| -> String {
        props
            .and_then(|p| p.get(field))
            .and_then(|n| {
                let mut names = Vec::new();
                let text = intrinsic::render_names(n, &mut names).ok()?;
                let mut vars = IndexMap::new();
                for name in names {
                    let v = resolve(&name, doc, stack, depth + 1)?;
                    vars.insert(name, v);
                }
                Some(crate::gateway::substitute_values(&text, &vars))
            })
            .unwrap_or_else(|| format!("{stack}-{id}"))
    };
    let arn = |service: &str, rest: String| format!("arn:aws:{service}:{REGION}:{ACCOUNT}:{rest}");
    Some(match (ty, attr) {
        ("AWS::Serverless::Function" | "AWS::Lambda::Function", None) => named("FunctionName"),
        ("AWS::Serverless::Function" | "AWS::Lambda::Function", Some("Arn")) => arn(
            "lambda",
            format!(
                "function:{}",
                named_or_id(props, id, "FunctionName", doc, stack, depth)
            ),
        ),
        ("AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable", None | Some("TableName")) => {
            named("TableName")
        }
        ("AWS::DynamoDB::Table", Some("Arn")) => {
            arn("dynamodb", format!("table/{}", named("TableName")))
        }
        ("AWS::SQS::Queue", None | Some("QueueUrl")) => format!(
            "https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{}",
            named("QueueName")
        ),
        ("AWS::SQS::Queue", Some("QueueName")) => named("QueueName"),
        ("AWS::SQS::Queue", Some("Arn")) => arn("sqs", named("QueueName")),
        ("AWS::SNS::Topic", None | Some("TopicArn")) => arn("sns", named("TopicName")),
        ("AWS::SNS::Topic", Some("TopicName")) => named("TopicName"),
        ("AWS::S3::Bucket", None) => named("BucketName").to_lowercase(),
        ("AWS::S3::Bucket", Some("Arn")) => {
            format!("arn:aws:s3:::{}", named("BucketName").to_lowercase())
        }
        ("AWS::Kinesis::Stream", None) => named("Name"),
        ("AWS::Kinesis::Stream", Some("Arn")) => {
            arn("kinesis", format!("stream/{}", named("Name")))
        }
        (
            "AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine",
            None | Some("Arn"),
        ) => arn(
            "states",
            format!("stateMachine:{}", named("StateMachineName")),
        ),
        ("AWS::StepFunctions::StateMachine" | "AWS::Serverless::StateMachine", Some("Name")) => {
            named("StateMachineName")
        }
        ("AWS::Events::EventBus", None | Some("Name")) => named("Name"),
        ("AWS::Events::EventBus", Some("Arn")) => {
            arn("events", format!("event-bus/{}", named("Name")))
        }
        ("AWS::IAM::Role", None) => named("RoleName"),
        ("AWS::IAM::Role", Some("Arn")) => {
            format!("arn:aws:iam::{ACCOUNT}:role/{}", named("RoleName"))
        }
        _ => return None,
    })
}

/// A function's name for its ARN: `FunctionName` when set, else the logical id (how
/// gatebench has always named imported functions).
fn named_or_id(
    props: Option<&node::Node>,
    id: &str,
    field: &str,
    doc: &node::Node,
    stack: &str,
    depth: usize,
) -> String {
    props
        .and_then(|p| p.get(field))
        .and_then(|n| {
            let mut names = Vec::new();
            let text = intrinsic::render_names(n, &mut names).ok()?;
            let mut vars = IndexMap::new();
            for name in names {
                vars.insert(name.clone(), resolve(&name, doc, stack, depth + 1)?);
            }
            Some(crate::gateway::substitute_values(&text, &vars))
        })
        .unwrap_or_else(|| id.to_string())
}

fn dedupe(v: &mut Vec<String>) {
    let mut seen = HashSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

/// Stage variables the API refers to but does not define get an empty value, and a warning
/// so the user fills them in.
fn stage_variables(api: &mut crate::gateway::api::Api, cx: &mut Cx) {
    let wanted: Vec<(String, usize)> = cx.stage_vars.iter().map(|(k, v)| (k.clone(), *v)).collect();
    if wanted.is_empty() {
        return;
    }
    let vars = api.stage_variables.get_or_insert_with(IndexMap::new);
    for (name, line) in wanted {
        if !vars.contains_key(&name) {
            vars.insert(name.clone(), String::new());
            cx.warn(
                line,
                format!("stage variable {name} is used but has no value here: set it in the session's [api.stageVariables]"),
            );
        }
    }
}
