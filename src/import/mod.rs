//! Importing real API definitions into a session: OpenAPI 2 and 3 exports (JSON or YAML)
//! with API Gateway's `x-amazon-apigateway-*` extensions, CloudFormation and SAM templates,
//! and curl command lines (and back to curl).
//!
//! An import never stops at the first thing it does not understand: each unsupported
//! construct becomes an [`ImportWarning`] naming the file and line, and the rest imports.
//! Only a file that cannot be read or parsed, or that holds no API at all, is an
//! [`ImportError`]. The session uses the built-in echo backend, so every imported method
//! runs offline at once; each method gets one saved request.

mod cfn;
mod curl;
mod error;
mod integration;
mod intrinsic;
mod node;
mod openapi;
mod requests;
mod schema;

use std::collections::HashSet;
use std::path::Path;

use indexmap::IndexMap;

pub use curl::{import_curl, to_curl};
pub use error::{ImportError, ImportWarning};

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
    let requests = requests::examples(&api);
    let values = intrinsic_values(&api, &doc, path, &mut cx);
    let session = Session {
        version: VERSION,
        name: name.unwrap_or_else(|| file_name.clone()),
        explanation,
        api,
        context: None,
        values,
        requests,
        backend: BackendConfig::Echo,
        source: None,
        stamp: None,
    };
    let mut seen = HashSet::new();
    let mut warnings: Vec<ImportWarning> = cx
        .warnings
        .into_iter()
        .filter(|w| seen.insert((w.file.clone(), w.line, w.message.clone())))
        .collect();
    // In file order, as a reader goes through the file.
    warnings.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    Ok(Imported { session, warnings })
}

/// Values for the `${Name}` references left in integration URIs: pseudo parameters get the
/// values gatebench uses elsewhere (region us-east-1, account 123456789012), template
/// parameters their `Default`, `Fn.Arn` of a function defined in the template its ARN. Names
/// with no such value are listed (empty) with a warning, to be filled in.
fn intrinsic_values(
    api: &crate::gateway::api::Api,
    doc: &node::Node,
    path: &Path,
    cx: &mut Cx,
) -> IndexMap<String, String> {
    const REGION: &str = "us-east-1";
    const ACCOUNT: &str = "123456789012";
    let stack = path
        .file_stem()
        .map_or_else(|| "stack".to_string(), |s| s.to_string_lossy().into_owned());
    let mut values = IndexMap::new();
    for m in api.resources.iter().flat_map(|r| r.methods.values()) {
        let Some(uri) = m.integration.uri.as_deref() else {
            continue;
        };
        let mut rest = uri;
        while let Some(i) = rest.find("${") {
            let Some(end) = rest[i..].find('}') else {
                break;
            };
            let name = &rest[i + 2..i + end];
            rest = &rest[i + end + 1..];
            if name.starts_with("stageVariables.") || values.contains_key(name) {
                continue;
            }
            let function = |id: &str| {
                doc.get("Resources")
                    .and_then(|r| r.get(id))
                    .and_then(|r| r.get("Type"))
                    .and_then(node::Node::as_str)
                    .is_some_and(|t| {
                        t == "AWS::Serverless::Function" || t == "AWS::Lambda::Function"
                    })
            };
            let value = match name {
                "AWS::Region" => Some(REGION.to_string()),
                "AWS::AccountId" => Some(ACCOUNT.to_string()),
                "AWS::Partition" => Some("aws".to_string()),
                "AWS::URLSuffix" => Some("amazonaws.com".to_string()),
                "AWS::StackName" => Some(stack.clone()),
                _ => match name.split_once('.') {
                    Some((id, "Arn")) if function(id) => {
                        Some(format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{id}"))
                    }
                    Some(_) => None,
                    None => doc
                        .get("Parameters")
                        .and_then(|p| p.get(name))
                        .and_then(|p| p.get("Default"))
                        .and_then(node::Node::scalar_text),
                },
            };
            match value {
                Some(v) => {
                    values.insert(name.to_string(), v);
                }
                None => {
                    // Where the reference is written, when a warning already points there.
                    let needle = format!("${{{name}}}");
                    let line = cx
                        .warnings
                        .iter()
                        .find(|w| w.message.contains(&needle))
                        .map_or(doc.line, |w| w.line);
                    cx.warn(
                        line,
                        format!(
                            "${{{name}}} in an integration URI has no value: set it under [values] in the session"
                        ),
                    );
                    values.insert(name.to_string(), String::new());
                }
            }
        }
    }
    values
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
