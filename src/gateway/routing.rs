//! Routing: strip the stage, match the path against resource templates (`{param}`,
//! `{proxy+}`) and pick the method (or `ANY`), as API Gateway does.

use indexmap::IndexMap;

use super::api::{Api, Method};

/// A routed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Index of the resource in `api.resources`.
    pub resource: usize,
    /// The method key used (`GET`, ... or `ANY`).
    pub method_key: String,
    /// The resource path template.
    pub resource_path: String,
    /// The path after the stage, leading duplicate slashes collapsed (`/pets/7`).
    pub path: String,
    /// The path as sent, after the stage (slashes as sent), for `$context.path`.
    pub raw_path_after_stage: String,
    /// Path parameters (not decoded, as API Gateway passes them).
    pub path_parameters: IndexMap<String, String>,
}

impl Route {
    /// The routed method.
    pub fn method<'a>(&self, api: &'a Api) -> Option<&'a Method> {
        api.resources
            .get(self.resource)?
            .methods
            .get(&self.method_key)
    }
}

/// Split off the stage: `/dev/pets/7` -> `/pets/7`. A leading `//` before the stage is
/// tolerated. `None` when the path does not start with the stage.
pub fn strip_stage(path: &str, stage: Option<&str>) -> Option<String> {
    let Some(stage) = stage else {
        return Some(path.to_string());
    };
    let trimmed = path.trim_start_matches('/');
    let rest = trimmed.strip_prefix(stage)?;
    if rest.is_empty() {
        return Some("/".to_string());
    }
    rest.starts_with('/').then(|| rest.to_string())
}

/// Collapse the leading run of slashes into one (`//x//y` -> `/x//y`).
pub fn collapse_leading_slashes(path: &str) -> String {
    let rest = path.trim_start_matches('/');
    format!("/{rest}")
}

/// How specific a resource template is (literal segments beat parameters beat greedy).
fn specificity(template: &str) -> (usize, usize, usize) {
    let segs: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let literal = segs.iter().filter(|s| !s.starts_with('{')).count();
    let greedy = segs.iter().filter(|s| s.ends_with("+}")).count();
    (usize::from(greedy == 0), literal, segs.len())
}

/// Match a path (stage already stripped) against one resource template.
pub fn match_template(template: &str, path: &str) -> Option<IndexMap<String, String>> {
    let tsegs: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let trimmed = path.trim_start_matches('/');
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    let psegs: Vec<&str> = if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    };
    let mut params = IndexMap::new();
    let mut i = 0;
    for (ti, t) in tsegs.iter().enumerate() {
        if let Some(name) = t.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
            // Greedy: the rest of the path (at least one segment), must be last.
            if ti != tsegs.len() - 1 || i >= psegs.len() {
                return None;
            }
            params.insert(name.to_string(), psegs[i..].join("/"));
            return Some(params);
        }
        let seg = psegs.get(i)?;
        if let Some(name) = t.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            if seg.is_empty() {
                return None;
            }
            params.insert(name.to_string(), (*seg).to_string());
        } else if t != seg {
            return None;
        }
        i += 1;
    }
    (i == psegs.len()).then_some(params)
}

/// Route a request. `None` is the 403 "Missing Authentication Token" case.
pub fn route(api: &Api, method: &str, full_path: &str) -> Option<Route> {
    let raw_after = strip_stage(full_path, api.stage.as_deref())?;
    let path = collapse_leading_slashes(&raw_after);
    let mut candidates: Vec<(usize, IndexMap<String, String>)> = api
        .resources
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match_template(&r.path, &path).map(|p| (i, p)))
        .collect();
    candidates.sort_by_key(|(i, _)| std::cmp::Reverse(specificity(&api.resources[*i].path)));
    for (i, params) in candidates {
        let res = &api.resources[i];
        let key = if res.methods.contains_key(method) {
            method.to_string()
        } else if res.methods.contains_key("ANY") {
            "ANY".to_string()
        } else {
            continue;
        };
        return Some(Route {
            resource: i,
            method_key: key,
            resource_path: res.path.clone(),
            path: path.clone(),
            raw_path_after_stage: raw_after,
            path_parameters: params,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(match_template("/pets/{id}", "/pets/7").unwrap()["id"], "7");
        assert!(match_template("/pets/{id}", "/pets").is_none());
        assert!(match_template("/pets/{id}", "/pets/7/x").is_none());
        assert_eq!(
            match_template("/{proxy+}", "/a/b/c").unwrap()["proxy"],
            "a/b/c"
        );
        assert_eq!(
            match_template("/{proxy+}", "/a/b/").unwrap()["proxy"],
            "a/b"
        );
        assert!(match_template("/{proxy+}", "/").is_none());
        assert!(match_template("/", "/").unwrap().is_empty());
    }

    #[test]
    fn stages() {
        assert_eq!(
            strip_stage("/dev/pets", Some("dev")).as_deref(),
            Some("/pets")
        );
        assert_eq!(
            strip_stage("//dev/pets", Some("dev")).as_deref(),
            Some("/pets")
        );
        assert_eq!(
            strip_stage("/dev//pets", Some("dev")).as_deref(),
            Some("//pets")
        );
        assert_eq!(strip_stage("/dev", Some("dev")).as_deref(), Some("/"));
        assert_eq!(strip_stage("/devx/pets", Some("dev")), None);
        assert_eq!(collapse_leading_slashes("//pets//x"), "/pets//x");
    }
}
