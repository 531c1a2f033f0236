//! `gatebench lint`: the template linter on sessions, template files and imported API
//! definitions, with findings placed at their line and column in the file as written
//! (through TOML, YAML and JSON quoting), as text, JSON or SARIF 2.1.0.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use serde_json::{Value as Json, json};

use crate::lint::{Finding, Level, Part, RuleId, Side, TemplateSpec};
use crate::session::Session;

/// `gatebench lint` arguments.
#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Session files (.toml), templates (.vtl, .vm), OpenAPI / CloudFormation / SAM files
    /// (JSON or YAML), or folders (their .toml, .vtl and .vm files).
    #[arg(required_unless_present = "explain")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Exit with status 1 when a finding is at or above this level.
    #[arg(long, value_enum, default_value = "warning")]
    level: LevelArg,
    /// Print what a rule finds and why, with an example, and exit.
    #[arg(long, value_name = "RULE", conflicts_with = "paths")]
    explain: Option<String>,
    /// The content type a bare template file is linted as.
    #[arg(long, default_value = "application/json")]
    content_type: String,
}

/// How findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// `file:line:col: level[rule]: message`, with help lines.
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LevelArg {
    Error,
    Warning,
    Info,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Error => Level::Error,
            LevelArg::Warning => Level::Warning,
            LevelArg::Info => Level::Info,
        }
    }
}

/// A finding placed in the file it was read from.
struct Located {
    file: PathBuf,
    line: usize,
    col: usize,
    /// Whether line and column are exact (not the start of a string that could not be
    /// mapped character by character).
    exact: bool,
    /// Whether the place of the template in the file is known at all (an imported file's
    /// template read from another file, `DefinitionUri`, is not).
    known: bool,
    finding: Finding,
    /// The template text the finding's span and fix refer to (empty for settings).
    template: String,
}

/// What a path holds.
enum Source {
    Template(PathBuf),
    Session(PathBuf),
    Import(PathBuf),
}

/// Run `gatebench lint`.
pub fn lint(args: &LintArgs) -> ExitCode {
    if let Some(id) = &args.explain {
        return explain(id);
    }
    let mut sources = Vec::new();
    let mut failed = false;
    for p in &args.paths {
        match expand(p) {
            Ok(found) => sources.extend(found),
            Err(e) => {
                eprintln!("error: {}: {e}", p.display());
                failed = true;
            }
        }
    }
    let Ok(runtime) = super::async_runtime() else {
        return ExitCode::from(2);
    };
    let mut located = Vec::new();
    for source in &sources {
        match runtime.block_on(lint_source(source, &args.content_type)) {
            Ok(mut found) => {
                // In the order a reader meets them in the file.
                found.sort_by_key(|l| (l.line, l.col));
                located.extend(found);
            }
            Err(message) => {
                eprintln!("error: {message}");
                failed = true;
            }
        }
    }
    let printed = match args.format {
        Format::Human => human(&located),
        Format::Json => json_report(&located),
        Format::Sarif => sarif(&located),
    };
    if !printed {
        return ExitCode::from(2);
    }
    if failed {
        ExitCode::from(2)
    } else if located
        .iter()
        .any(|l| l.finding.level >= Level::from(args.level))
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn explain(id: &str) -> ExitCode {
    let Some(rule) = RuleId::from_id(id) else {
        eprintln!(
            "error: no rule {id:?}; the rules are: {}",
            RuleId::ALL.map(RuleId::id).join(", ")
        );
        return ExitCode::from(2);
    };
    let info = rule.info();
    println!(
        "{} ({}): {}\n\n{}",
        rule.id(),
        info.level.as_str(),
        info.summary,
        info.explanation
    );
    ExitCode::SUCCESS
}

/// The sources a path names (a folder: its sessions and templates, sorted).
fn expand(path: &Path) -> Result<Vec<Source>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_dir() {
        return Ok(vec![classify(path)]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "toml" | "vtl" | "vm"))
        })
        .collect();
    files.sort();
    Ok(files.iter().map(|p| classify(p)).collect())
}

fn classify(path: &Path) -> Source {
    match path.extension().and_then(|e| e.to_str()) {
        Some("vtl" | "vm") => Source::Template(path.to_path_buf()),
        Some("toml") => Source::Session(path.to_path_buf()),
        _ => Source::Import(path.to_path_buf()),
    }
}

async fn lint_source(source: &Source, content_type: &str) -> Result<Vec<Located>, String> {
    match source {
        Source::Template(path) => {
            let text = crate::session::file::read_text(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let found = crate::lint::lint_template(&text, &TemplateSpec::alone(content_type));
            Ok(found
                .into_iter()
                .map(|f| Located {
                    file: path.clone(),
                    line: f.span.line,
                    col: f.span.col,
                    exact: true,
                    known: true,
                    template: text.clone(),
                    finding: f,
                })
                .collect())
        }
        Source::Session(path) => {
            let session = Session::load(path).map_err(|e| e.to_string())?;
            let text = crate::session::file::read_text(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let found = crate::lint::lint_session(&session).await;
            Ok(found
                .into_iter()
                .map(|f| place_in_session(path, &text, &session, f))
                .collect())
        }
        Source::Import(path) => {
            let imported = crate::import::import_file(path).map_err(|e| e.to_string())?;
            let text = crate::session::file::read_text(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let mut session = imported.session;
            session.source = Some(path.clone());
            let found = crate::lint::lint_session(&session).await;
            Ok(found
                .into_iter()
                .map(|f| place_in_import(path, &text, &session, &imported.origins, f))
                .collect())
        }
    }
}

/// The template text a finding refers to, as written in the session.
fn template_text(session: &Session, f: &Finding) -> String {
    let (Some(m), Part::Template { side, content_type }) = (&f.place.method, &f.place.part) else {
        return String::new();
    };
    let Some(method) = session
        .api
        .resources
        .get(m.resource)
        .and_then(|r| r.methods.get(&m.verb))
    else {
        return String::new();
    };
    let templates = match side {
        Side::Request => Some(&method.integration.request_templates),
        Side::Response(rk) => method
            .integration
            .integration_responses
            .get(rk)
            .map(|ir| &ir.response_templates),
    };
    templates
        .and_then(|t| t.get(content_type))
        .cloned()
        .unwrap_or_default()
}

/// The keys of a finding's template or setting in a session file.
fn session_keys(f: &Finding) -> Option<Vec<String>> {
    let m = f.place.method.as_ref()?;
    let mut keys = vec![
        "api".to_string(),
        "resources".to_string(),
        m.resource.to_string(),
        "methods".to_string(),
        m.verb.clone(),
    ];
    match &f.place.part {
        Part::Template { side, content_type } => {
            keys.push("integration".into());
            match side {
                Side::Request => keys.push("requestTemplates".into()),
                Side::Response(rk) => {
                    keys.extend(["integrationResponses".to_string(), rk.clone()]);
                    keys.push("responseTemplates".into());
                }
            }
            keys.push(content_type.clone());
        }
        Part::Setting { keys: k } => keys.extend(k.iter().cloned()),
    }
    Some(keys)
}

fn place_in_session(path: &Path, text: &str, session: &Session, f: Finding) -> Located {
    use crate::session::locate::{line_col, locate, locate_value};
    let template = template_text(session, &f);
    let keys = session_keys(&f).unwrap_or_default();
    let (offset, exact) = match &f.place.part {
        Part::Template { .. } => match locate_value(text, &keys)
            .and_then(|start| crate::session::strings::toml_string(text, start).map(|s| (start, s)))
        {
            Some((_, (decoded, map))) if decoded == template => {
                (map.file_offset(f.span.offset), map.exact)
            }
            Some((start, _)) => (start, false),
            None => (locate(text, &keys).unwrap_or(0), false),
        },
        Part::Setting { .. } => (locate(text, &keys).unwrap_or(0), true),
    };
    let (line, col) = line_col(text, offset);
    Located {
        file: path.to_path_buf(),
        line,
        col,
        exact,
        known: true,
        finding: f,
        template,
    }
}

fn place_in_import(
    path: &Path,
    text: &str,
    session: &Session,
    origins: &crate::import::Origins,
    f: Finding,
) -> Located {
    let template = template_text(session, &f);
    let found = f.place.method.as_ref().and_then(|m| {
        let what = match &f.place.part {
            Part::Template { side, content_type } => crate::import::OriginKey::Template {
                response: match side {
                    Side::Request => None,
                    Side::Response(rk) => Some(rk.clone()),
                },
                content_type: content_type.clone(),
            },
            Part::Setting { keys } => crate::import::OriginKey::Setting(keys.clone()),
        };
        origins.locate(text, &m.path, &m.verb, &what, &template, f.span.offset)
    });
    let (line, col, exact) = found.unwrap_or((1, 1, false));
    Located {
        file: path.to_path_buf(),
        line,
        col,
        exact,
        known: found.is_some(),
        finding: f,
        template,
    }
}

/// Where the finding belongs, for people: `POST /pets/{petId}, response template 200
/// (application/json)`.
fn where_text(f: &Finding) -> Option<String> {
    let m = f.place.method.as_ref()?;
    let part = match &f.place.part {
        Part::Template { side, content_type } => match side {
            Side::Request => format!("request template ({content_type})"),
            Side::Response(rk) => format!("response template {rk} ({content_type})"),
        },
        Part::Setting { keys } => keys
            .iter()
            .map(|k| {
                if k.contains(['.', ' ', '/']) {
                    format!("{k:?}")
                } else {
                    k.clone()
                }
            })
            .collect::<Vec<_>>()
            .join("."),
    };
    Some(format!("{}, {part}", m.describe()))
}

fn human(located: &[Located]) -> bool {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let mut counts = [0usize; 3];
    for l in located {
        let f = &l.finding;
        counts[f.level as usize] += 1;
        let mut text = format!(
            "{}:{}:{}: {}[{}]: {}\n",
            l.file.display(),
            l.line,
            l.col,
            f.level.as_str(),
            f.rule.id(),
            f.message
        );
        if let Some(w) = where_text(f) {
            let at = if matches!(f.place.part, Part::Template { .. }) {
                format!(" at {}:{}", f.span.line, f.span.col)
            } else {
                String::new()
            };
            let near = if !l.known {
                " (where the template is written in the file is not known)"
            } else if l.exact {
                ""
            } else {
                " (the file position is the string's start)"
            };
            text.push_str(&format!("  = note: {w}{at}{near}\n"));
        }
        if let Some(fix) = &f.fix {
            text.push_str(&format!("  = help: {}\n", fix.describe(&l.template)));
        }
        if out.write_all(text.as_bytes()).is_err() {
            return false;
        }
    }
    let [info, warning, error] = counts;
    eprintln!(
        "{error} error{}, {warning} warning{}, {info} info",
        if error == 1 { "" } else { "s" },
        if warning == 1 { "" } else { "s" },
    );
    out.flush().is_ok()
}

fn finding_json(l: &Located) -> Json {
    let f = &l.finding;
    let (template, setting) = match &f.place.part {
        Part::Template { side, content_type } => (
            json!({
                "side": match side { Side::Request => "request", Side::Response(_) => "response" },
                "response": match side { Side::Request => None, Side::Response(rk) => Some(rk) },
                "contentType": content_type,
                "line": f.span.line,
                "col": f.span.col,
                "offset": f.span.offset,
            }),
            Json::Null,
        ),
        Part::Setting { keys } => (Json::Null, json!(keys)),
    };
    json!({
        "file": l.file.display().to_string(),
        "line": l.line,
        "col": l.col,
        "exact": l.exact,
        "known": l.known,
        "level": f.level.as_str(),
        "rule": f.rule.id(),
        "message": f.message,
        "method": f.place.method.as_ref().map(crate::lint::MethodAt::describe),
        "template": template,
        "setting": setting,
        "fix": f.fix.as_ref().map(|x| json!({
            "start": x.start,
            "end": x.end,
            "text": x.text,
            "description": x.describe(&l.template),
        })),
    })
}

fn json_report(located: &[Located]) -> bool {
    let count = |lv: Level| located.iter().filter(|l| l.finding.level == lv).count();
    let doc = json!({
        "findings": located.iter().map(finding_json).collect::<Vec<_>>(),
        "errors": count(Level::Error),
        "warnings": count(Level::Warning),
        "infos": count(Level::Info),
    });
    print_line(&doc)
}

fn sarif_level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}

fn sarif(located: &[Located]) -> bool {
    let rules: Vec<Json> = RuleId::ALL
        .iter()
        .map(|r| {
            let info = r.info();
            json!({
                "id": r.id(),
                "shortDescription": {"text": info.summary},
                "fullDescription": {"text": info.explanation},
                "defaultConfiguration": {"level": sarif_level(info.level)},
            })
        })
        .collect();
    let results: Vec<Json> = located
        .iter()
        .map(|l| {
            let f = &l.finding;
            let index = RuleId::ALL.iter().position(|r| *r == f.rule).unwrap_or(0);
            let message = match where_text(f) {
                Some(w) => format!("{} ({w})", f.message),
                None => f.message.clone(),
            };
            json!({
                "ruleId": f.rule.id(),
                "ruleIndex": index,
                "level": sarif_level(f.level),
                "message": {"text": message},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&l.file)},
                        "region": {"startLine": l.line, "startColumn": l.col},
                    }
                }],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "gatebench",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    print_line(&doc)
}

/// A relative path as a URI reference (forward slashes, spaces and the like encoded).
fn uri(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    percent_encoding::utf8_percent_encode(&text, URI_SET).to_string()
}

const URI_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

fn print_line(doc: &Json) -> bool {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    let text = serde_json::to_string_pretty(doc).unwrap_or_default();
    out.write_all(text.as_bytes())
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .is_ok()
}
