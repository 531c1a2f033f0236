//! The settings editor's text: a method's settings written as the session file holds them
//! (without the mapping templates), parsed back with errors at line:col, the templates put
//! back, the gateway's own checks, and what changed.

use serde_json::Value;

use crate::gateway::api::{Api, Method};
use crate::gateway::settings::{self, Severity};
use crate::session::locate::{line_col, locate};

/// Why the text cannot be applied: where (1-based line and character column) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsError {
    /// 1-based line.
    pub line: usize,
    /// 1-based character column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// The method's settings as the session file holds them, without the mapping templates and
/// without the empty tables of settings that are not set (they read as clutter; leaving them
/// out means the same).
pub fn method_text(m: &Method) -> Result<String, String> {
    fn drop_empty(o: &mut serde_json::Map<String, Value>, keys: &[&str]) {
        o.retain(|k, v| match v {
            Value::Object(inner) => !(inner.is_empty() && keys.contains(&k.as_str())),
            // TOML has no null: an unset optional setting is simply not written.
            Value::Null => false,
            _ => true,
        });
    }
    fn each_object(v: Option<&mut Value>, mut f: impl FnMut(&mut serde_json::Map<String, Value>)) {
        if let Some(Value::Object(map)) = v {
            for item in map.values_mut() {
                if let Value::Object(o) = item {
                    f(o);
                }
            }
        }
    }
    let mut v = serde_json::to_value(m).map_err(|e| e.to_string())?;
    if let Value::Object(o) = &mut v {
        each_object(o.get_mut("methodResponses"), |r| {
            drop_empty(r, &["responseParameters", "responseModels"]);
        });
        if let Some(Value::Object(i)) = o.get_mut("integration") {
            i.shift_remove("requestTemplates");
            each_object(i.get_mut("integrationResponses"), |r| {
                r.shift_remove("responseTemplates");
                drop_empty(r, &["responseParameters"]);
            });
            drop_empty(i, &["requestParameters", "integrationResponses"]);
        }
        drop_empty(
            o,
            &["requestParameters", "requestModels", "methodResponses"],
        );
    }
    toml::to_string_pretty(&v).map_err(|e| e.to_string())
}

/// Deserialize settings text; a TOML error or an unknown field or value at its line:col.
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, SettingsError> {
    toml::from_str(text).map_err(|e| {
        let (line, col) = line_col(text, e.span().map_or(0, |s| s.start));
        SettingsError {
            line,
            col,
            message: e.message().trim().to_string(),
        }
    })
}

/// Parse the text into a method, keep the templates of `old`, and check it as the gateway
/// would. Returns the method and the notes (accepted, with conditions).
pub fn parse_method(text: &str, old: &Method) -> Result<(Method, Vec<String>), SettingsError> {
    let mut new: Method = from_toml(text)?;
    keep_templates(&mut new, old);
    let mut notes = Vec::new();
    for f in settings::check_method(&new) {
        match f.severity {
            Severity::Refused => {
                let (line, col) = locate(text, &f.path).map_or((1, 1), |o| line_col(text, o));
                return Err(SettingsError {
                    line,
                    col,
                    message: format!("the gateway refuses this: {}", f.message),
                });
            }
            Severity::Note => notes.push(f.message),
        }
    }
    Ok((new, notes))
}

/// The API-level settings as they read under `[api]` in the session file, without the
/// resources (each method has its own editor).
pub fn api_text(api: &Api) -> Result<String, String> {
    let mut v = serde_json::to_value(Api {
        resources: Vec::new(),
        ..api.clone()
    })
    .map_err(|e| e.to_string())?;
    if let Value::Object(o) = &mut v {
        o.shift_remove("resources");
        // TOML has no null: an unset optional setting is simply not written.
        o.retain(|_, v| !v.is_null());
    }
    toml::to_string(&v).map_err(|e| e.to_string())
}

/// Parse the API-level settings; the resources stay `old`'s. Refused values are errors.
pub fn parse_api(text: &str, old: &Api) -> Result<Api, SettingsError> {
    let mut new: Api = from_toml(text)?;
    if !new.resources.is_empty() {
        let (line, col) =
            locate(text, &["resources".to_string()]).map_or((1, 1), |o| line_col(text, o));
        return Err(SettingsError {
            line,
            col,
            message: "resources are not edited here: each method has its own settings (e)".into(),
        });
    }
    new.resources = old.resources.clone();
    if let Some(f) = settings::check_api(&new)
        .into_iter()
        .find(|f| f.severity == Severity::Refused)
    {
        let (line, col) = locate(text, &f.path).map_or((1, 1), |o| line_col(text, o));
        return Err(SettingsError {
            line,
            col,
            message: format!("the gateway refuses this: {}", f.message),
        });
    }
    Ok(new)
}

/// Put `old`'s templates back into `new`; those written in `new` win for their content type.
fn keep_templates(new: &mut Method, old: &Method) {
    let merge = |kept: &indexmap::IndexMap<String, String>,
                 written: &mut indexmap::IndexMap<String, String>| {
        let mut all = kept.clone();
        all.extend(std::mem::take(written));
        *written = all;
    };
    merge(
        &old.integration.request_templates,
        &mut new.integration.request_templates,
    );
    for (name, r) in &mut new.integration.integration_responses {
        if let Some(o) = old.integration.integration_responses.get(name) {
            merge(&o.response_templates, &mut r.response_templates);
        }
    }
}

/// The settings that differ, as dotted session-file paths
/// (`integration.passthroughBehavior`).
pub fn changed_paths(old: &Method, new: &Method) -> Vec<String> {
    fn walk(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
        let join = |k: &str| {
            if at.is_empty() {
                k.to_string()
            } else {
                format!("{at}.{k}")
            }
        };
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (k, va) in x {
                    match y.get(k) {
                        Some(vb) => walk(va, vb, &join(k), out),
                        None => out.push(join(k)),
                    }
                }
                out.extend(y.keys().filter(|k| !x.contains_key(*k)).map(|k| join(k)));
            }
            _ if a != b => out.push(at.to_string()),
            _ => {}
        }
    }
    let (Ok(a), Ok(b)) = (serde_json::to_value(old), serde_json::to_value(new)) else {
        return vec!["the settings".to_string()];
    };
    let mut out = Vec::new();
    walk(&a, &b, "", &mut out);
    out
}

/// `a, b, c and 2 more`.
pub fn summary(paths: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut s = paths
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if paths.len() > SHOWN {
        s.push_str(&format!(" and {} more", paths.len() - SHOWN));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_round_trips_for_every_shipped_method() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sessions");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let s = crate::session::Session::load(&path).unwrap();
            for m in s.api.resources.iter().flat_map(|r| r.methods.values()) {
                let text = method_text(m).unwrap();
                assert!(!text.contains("Templates"), "{text}");
                let (back, _) = parse_method(&text, m).unwrap();
                assert_eq!(&back, m, "{}", path.display());
            }
        }
    }

    #[test]
    fn summary_shortens() {
        let p: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(summary(&p[..2]), "a, b");
        assert_eq!(summary(&p), "a, b, c and 2 more");
    }
}
