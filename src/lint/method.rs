//! Rules about what the method declares: the parameters a template reads
//! (`undeclared-parameter`), `$context.authorizer` without an authorizer
//! (`authorizer-without-authorizer`), header mappings onto the gateway's own names
//! (`reserved-header`), and request templates for a content type nobody sends
//! (`unused-content-type`). The header names come from the gateway's model
//! ([`crate::gateway::mapping`]), the same functions the pipeline applies.

use crate::gateway::api::{IntegrationType, Method};
use crate::gateway::mapping::{
    dropped_request_header, forbidden_request_header, mime, response_header_name,
};
use crate::vtl::Template;
use crate::vtl::ast::{Expr, RefPart, Reference};
use crate::vtl::value::Value;

use super::visit::each_ref;
use super::{Finding, Level, Part, RuleId, Span, TemplateSpec};

/// Run the rules that read a template against its method.
pub(super) fn check_template(t: &Template, spec: &TemplateSpec<'_>, out: &mut Vec<Finding>) {
    let Some((method, resource_path)) = spec.method else {
        return;
    };
    let has_authorizer = method.authorization_type.as_deref().is_some_and(|a| {
        a.eq_ignore_ascii_case("CUSTOM") || a.eq_ignore_ascii_case("COGNITO_USER_POOLS")
    });
    let declared = Declared::of(method, resource_path);
    each_ref(t, &mut |r, _| {
        if !has_authorizer && reads_authorizer(r) {
            let kind = method.authorization_type.as_deref().unwrap_or("NONE");
            out.push(Finding::new(
                RuleId::AuthorizerWithoutAuthorizer,
                format!(
                    "{} is always empty: the method's authorizationType is {kind}, so no authorizer answers for it",
                    r.literal
                ),
                Span::offset(r.pos as usize),
            ));
        }
        if let Some(declared) = &declared
            && let Some((place, name)) = param_read(r)
            && !declared.has(place, &name)
        {
            out.push(Finding::new(
                RuleId::UndeclaredParameter,
                format!(
                    "{} reads `{name}`, which the method request does not declare ({}): a typo reads \"\"",
                    r.literal,
                    declared.list()
                ),
                Span::offset(r.pos as usize),
            ));
        }
    });
}

fn reads_authorizer(r: &Reference) -> bool {
    &*r.root == "context"
        && match r.parts.first() {
            Some(RefPart::Property(p, _, _)) => &**p == "authorizer",
            Some(RefPart::Index(Expr::Const(Value::Str(s)), _)) => &**s == "authorizer",
            _ => false,
        }
}

/// Where a parameter is looked up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Where {
    /// `$input.params('x')`: path, then query string, then header.
    Any,
    Path,
    Query,
    Header,
}

/// The parameter a reference reads, if it reads one by a constant name.
fn param_read(r: &Reference) -> Option<(Where, String)> {
    if &*r.root != "input" {
        return None;
    }
    let name_of = |p: &RefPart| match p {
        RefPart::Property(n, _, _) => Some(n.to_string()),
        RefPart::Index(Expr::Const(Value::Str(s)), _) => Some(s.to_string()),
        RefPart::Method(m, args, _) if &**m == "get" => match args.first() {
            Some(Expr::Const(Value::Str(s))) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    };
    match &r.parts[..] {
        [RefPart::Method(m, args, _), ..] if &**m == "params" && args.len() == 1 => {
            match &args[0] {
                Expr::Const(Value::Str(s)) => Some((Where::Any, s.to_string())),
                _ => None,
            }
        }
        [RefPart::Method(m, args, _), place, name, ..] if &**m == "params" && args.is_empty() => {
            let w = match name_of(place)?.as_str() {
                "path" => Where::Path,
                "querystring" => Where::Query,
                "header" => Where::Header,
                _ => return None,
            };
            Some((w, name_of(name)?))
        }
        _ => None,
    }
}

/// The parameters a method declares (when it declares any).
struct Declared {
    path: Vec<String>,
    query: Vec<String>,
    header: Vec<String>,
}

impl Declared {
    fn of(method: &Method, resource_path: &str) -> Option<Declared> {
        if method.request_parameters.is_empty() {
            return None;
        }
        let mut d = Declared {
            path: Vec::new(),
            query: Vec::new(),
            header: Vec::new(),
        };
        for key in method.request_parameters.keys() {
            let Some(rest) = key.strip_prefix("method.request.") else {
                continue;
            };
            let Some((place, name)) = rest.split_once('.') else {
                continue;
            };
            let list = match place {
                "path" => &mut d.path,
                "querystring" | "multivaluequerystring" => &mut d.query,
                "header" | "multivalueheader" => &mut d.header,
                _ => continue,
            };
            if !list.iter().any(|n| n == name) {
                list.push(name.to_string());
            }
        }
        for part in resource_path.split('/') {
            if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                let name = name.trim_end_matches('+').to_string();
                if !d.path.contains(&name) {
                    d.path.push(name);
                }
            }
        }
        Some(d)
    }

    fn has(&self, w: Where, name: &str) -> bool {
        let path = || self.path.iter().any(|n| n == name);
        let query = || self.query.iter().any(|n| n == name);
        let header = || self.header.iter().any(|n| n.eq_ignore_ascii_case(name));
        match w {
            Where::Any => path() || query() || header(),
            Where::Path => path(),
            Where::Query => query(),
            Where::Header => header(),
        }
    }

    fn list(&self) -> String {
        let mut parts = Vec::new();
        for (label, names) in [
            ("path", &self.path),
            ("querystring", &self.query),
            ("header", &self.header),
        ] {
            if !names.is_empty() {
                parts.push(format!("{label} {}", names.join(", ")));
            }
        }
        format!("it declares {}", parts.join("; "))
    }
}

/// `reserved-header` findings of a method's settings.
pub(super) fn header_mappings(method: &Method) -> Vec<Finding> {
    let integration = &method.integration;
    let kind = integration.kind;
    let aws = matches!(kind, IntegrationType::Aws | IntegrationType::AwsProxy);
    let http = matches!(kind, IntegrationType::Http | IntegrationType::HttpProxy);
    let mut out = Vec::new();
    for key in integration.request_parameters.keys() {
        let Some(name) = key.strip_prefix("integration.request.header.") else {
            continue;
        };
        let (level, message) = if forbidden_request_header(name, aws) {
            (
                Level::Error,
                format!(
                    "mapping {key}: the gateway refuses to set {name} on {} {} integration, so every call fails with 500 before the backend",
                    if kind == IntegrationType::Mock {
                        "a"
                    } else {
                        "an"
                    },
                    kind.as_str()
                ),
            )
        } else if http && dropped_request_header(name) {
            (
                Level::Warning,
                format!(
                    "mapping {key}: {name} never reaches an HTTP backend (the gateway drops it)"
                ),
            )
        } else {
            continue;
        };
        out.push(setting(
            level,
            message,
            vec![
                "integration".into(),
                "requestParameters".into(),
                key.clone(),
            ],
        ));
    }
    if kind.uses_templates() {
        for (rk, ir) in &integration.integration_responses {
            for key in ir.response_parameters.keys() {
                let Some(name) = key.strip_prefix("method.response.header.") else {
                    continue;
                };
                let message = match response_header_name(name) {
                    None => {
                        format!("mapping {key}: the gateway drops {name}; the client never sees it")
                    }
                    Some(seen) if seen != name => format!(
                        "mapping {key}: {name} is the gateway's own header; the client sees this value as {seen}"
                    ),
                    Some(_) => continue,
                };
                out.push(setting(
                    Level::Warning,
                    message,
                    vec![
                        "integration".into(),
                        "integrationResponses".into(),
                        rk.clone(),
                        "responseParameters".into(),
                        key.clone(),
                    ],
                ));
            }
        }
    }
    out
}

/// `unused-content-type` findings: request templates for a type the method's models do not
/// name and none of `sent` (the content types of the saved requests that reach the method;
/// `None` when none does) uses.
pub(super) fn content_types(method: &Method, sent: Option<&[String]>) -> Vec<Finding> {
    let Some(sent) = sent else {
        return Vec::new();
    };
    if method.request_models.is_empty() || !method.integration.kind.uses_templates() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for ct in method.integration.request_templates.keys() {
        let m = mime(ct);
        let modelled = method.request_models.keys().any(|k| mime(k) == m);
        if modelled || sent.contains(&m) {
            continue;
        }
        let mut f = Finding::new(
            RuleId::UnusedContentType,
            format!(
                "no request sends {m}: the method's models name {} and the saved requests send {}",
                join(method.request_models.keys().map(|k| mime(k))),
                join(sent.iter().cloned()),
            ),
            Span {
                line: 1,
                col: 1,
                offset: 0,
            },
        );
        f.place.part = Part::Template {
            side: super::Side::Request,
            content_type: ct.clone(),
        };
        out.push(f);
    }
    out
}

fn join(items: impl Iterator<Item = String>) -> String {
    let mut v: Vec<String> = items.collect();
    v.dedup();
    v.join(", ")
}

fn setting(level: Level, message: String, keys: Vec<String>) -> Finding {
    let mut f = Finding::new(
        RuleId::ReservedHeader,
        message,
        Span {
            line: 1,
            col: 1,
            offset: 0,
        },
    );
    f.level = level;
    f.place.part = Part::Setting { keys };
    f
}
