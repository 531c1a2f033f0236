//! The checks a session file passes on load, whoever wrote it: what the gateway refuses in
//! its settings (the same [`crate::gateway::settings`] checks the settings editor applies),
//! resource paths as the gateway accepts them, and no key a backend does not read. Each
//! refusal points at the line where the setting is written.

use crate::gateway::settings::{self, Finding, Severity};

use super::Session;
use super::locate::{line_col, locate};

/// Why the session is refused: the 1-based line and what is wrong.
pub struct Refusal {
    pub line: usize,
    pub message: String,
}

/// Check a parsed session against the text it came from.
pub fn validate(session: &Session, text: &str) -> Result<(), Refusal> {
    let at = |path: Vec<String>, message: String| Refusal {
        line: locate(text, &path).map_or(1, |o| line_col(text, o).0),
        message,
    };
    let refused = |f: &Finding| f.severity == Severity::Refused;
    // The stage as runs see it: an imported `${Name}` placeholder filled in from [values];
    // one still unset is checked once it has a value.
    let run_api = session.api_for_run();
    let unset_stage = run_api
        .stage
        .as_deref()
        .is_some_and(|s| s.starts_with("${") && s.ends_with('}') && s.matches("${").count() == 1);
    if let Some(f) = settings::check_api(&run_api)
        .into_iter()
        .filter(|f| !(unset_stage && f.path.first().is_some_and(|p| p == "stage")))
        .find(refused)
    {
        let path = ["api"].iter().map(|s| (*s).to_string()).chain(f.path);
        return Err(at(
            path.collect(),
            format!("the gateway refuses this: {}", f.message),
        ));
    }
    let resource_at = |i: usize, rest: &[String]| -> Vec<String> {
        ["api".to_string(), "resources".into(), i.to_string()]
            .into_iter()
            .chain(rest.iter().cloned())
            .collect()
    };
    let paths: Vec<&str> = session
        .api
        .resources
        .iter()
        .map(|r| r.path.as_str())
        .collect();
    for (i, r) in session.api.resources.iter().enumerate() {
        let path_at = || resource_at(i, &["path".to_string()]);
        if let Err(why) = resource_path(&r.path) {
            return Err(at(
                path_at(),
                format!("invalid resource path {:?}: {why}", r.path),
            ));
        }
        if let Some(j) = paths[..i].iter().position(|p| *p == r.path) {
            return Err(at(
                path_at(),
                format!(
                    "resource {:?} is defined twice (resources {} and {}); put its methods in one",
                    r.path,
                    j + 1,
                    i + 1
                ),
            ));
        }
        if let Some(sibling) = paths[..i].iter().find(|p| variable_siblings(p, &r.path)) {
            return Err(at(
                path_at(),
                format!(
                    "resource {:?}: a sibling ({sibling}) already has a variable path part; the gateway allows only one",
                    r.path
                ),
            ));
        }
        for (verb, m) in &r.methods {
            if let Some(f) = settings::check_method(m).into_iter().find(refused) {
                let mut rest = vec!["methods".to_string(), verb.clone()];
                rest.extend(f.path);
                return Err(at(
                    resource_at(i, &rest),
                    format!("{verb} {}: the gateway refuses this: {}", r.path, f.message),
                ));
            }
        }
    }
    backend_keys(text).map_err(|(path, message)| at(path, message))
}

/// A resource path as the gateway builds it: `/`, or `/`-separated parts, each plain text or a
/// whole `{name}` (`{name+}`, greedy, only as the last part).
fn resource_path(path: &str) -> Result<(), String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err("it must start with '/'".into());
    };
    if rest.is_empty() {
        return Ok(());
    }
    let parts: Vec<&str> = rest.split('/').collect();
    for (n, part) in parts.iter().enumerate() {
        if part.is_empty() {
            return Err("it has an empty part ('//' or a trailing '/')".into());
        }
        if let Some(inner) = part.strip_prefix('{') {
            let Some(name) = inner.strip_suffix('}') else {
                return Err(format!("{part:?} opens '{{' without closing it"));
            };
            let (name, greedy) = match name.strip_suffix('+') {
                Some(n) => (n, true),
                None => (name, false),
            };
            if name.is_empty() || name.contains(['{', '}', '+']) {
                return Err(format!("{part:?} is not a {{name}} path parameter"));
            }
            if greedy && n + 1 != parts.len() {
                return Err(format!(
                    "the greedy parameter {part:?} must be the last part"
                ));
            }
        } else if part.contains(['{', '}']) {
            return Err(format!(
                "{part:?} has a brace: a path parameter is a whole part, {{name}}"
            ));
        }
    }
    Ok(())
}

/// Two resources under the same parent whose last parts are different variables
/// (`/pets/{id}` and `/pets/{petId}`): the gateway refuses the second.
fn variable_siblings(a: &str, b: &str) -> bool {
    let split = |p: &str| {
        p.rsplit_once('/')
            .map(|(parent, last)| (parent.to_string(), last.to_string()))
    };
    match (split(a), split(b)) {
        (Some((pa, la)), Some((pb, lb))) => {
            pa == pb && la != lb && la.starts_with('{') && lb.starts_with('{')
        }
        _ => false,
    }
}

/// The `[backend]` table of `text` holds only keys its type reads (serde cannot refuse extra
/// keys of a variant without fields): the key's path and what is wrong otherwise.
pub fn backend_keys(text: &str) -> Result<(), (Vec<String>, String)> {
    use toml::de::{DeTable, DeValue};
    let Ok(doc) = DeTable::parse(text) else {
        return Ok(());
    };
    let Some((_, backend)) = doc
        .get_ref()
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == "backend")
    else {
        return Ok(());
    };
    let DeValue::Table(t) = backend.get_ref() else {
        return Ok(());
    };
    let kind = t.iter().find_map(|(k, v)| match v.get_ref() {
        DeValue::String(s) if k.get_ref().as_ref() == "type" => Some(s.to_string()),
        _ => None,
    });
    let Some(kind) = kind.filter(|k| k == "echo" || k == "http") else {
        return Ok(());
    };
    match t.iter().find(|(k, _)| k.get_ref().as_ref() != "type") {
        Some((k, _)) => {
            let key = k.get_ref().to_string();
            Err((
                vec!["backend".into(), key.clone()],
                format!(
                    "unknown field `{key}`: the {kind} backend takes no settings besides `type`"
                ),
            ))
        }
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_paths() {
        for ok in ["/", "/pets", "/pets/{id}", "/a/{proxy+}", "/v1/x.y-z:w"] {
            assert!(resource_path(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("pets", "it must start with '/'"),
            ("/pets/", "empty part"),
            ("/a//b", "empty part"),
            ("/pets/{id", "without closing"),
            ("/pets/id}", "has a brace"),
            ("/pets/{}", "not a {name}"),
            ("/{proxy+}/x", "must be the last part"),
            ("/a/x{id}", "has a brace"),
        ] {
            let e = resource_path(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn variable_siblings_are_refused() {
        assert!(variable_siblings("/pets/{id}", "/pets/{petId}"));
        assert!(!variable_siblings("/pets/{id}", "/pets/{id}/toys"));
        assert!(!variable_siblings("/pets/{id}", "/pets/new"));
        assert!(!variable_siblings("/a/{id}", "/b/{petId}"));
    }
}
