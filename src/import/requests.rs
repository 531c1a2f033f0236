//! One saved request per imported method, so `gatebench run` and the workbench work on the
//! result at once: the stage prefix, path parameters filled in, required query parameters
//! and headers present, and a body that satisfies the request model.

use crate::gateway::api::{Api, Method};
use crate::session::SavedRequest;

use super::schema;

/// Example requests for every method of `api`, in document order.
pub(crate) fn examples(api: &Api) -> Vec<SavedRequest> {
    let mut out = Vec::new();
    for resource in &api.resources {
        for (verb, method) in &resource.methods {
            out.push(example(api, &resource.path, verb, method));
        }
    }
    out
}

fn example(api: &Api, resource_path: &str, verb: &str, method: &Method) -> SavedRequest {
    let http_method = if verb == "ANY" { "GET" } else { verb };
    let mut path = String::new();
    if let Some(stage) = &api.stage {
        path.push('/');
        path.push_str(stage);
    }
    for seg in resource_path.split('/').filter(|s| !s.is_empty()) {
        path.push('/');
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) if name.ends_with('+') => path.push_str("example/path"),
            Some(_) => path.push('1'),
            None => path.push_str(seg),
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for (name, required) in &method.request_parameters {
        if !required {
            continue;
        }
        if let Some(q) = name.strip_prefix("method.request.querystring.") {
            query.push(format!("{q}=example"));
        } else if let Some(h) = name.strip_prefix("method.request.header.") {
            headers.push((h.to_string(), "example".to_string()));
        }
    }
    let mut body = None;
    let model = method.request_models.iter().next();
    let wants_body = matches!(http_method, "POST" | "PUT" | "PATCH") || model.is_some();
    if wants_body {
        let content_type = model
            .map(|(ct, _)| ct.clone())
            .or_else(|| method.integration.request_templates.keys().next().cloned())
            .unwrap_or_else(|| "application/json".to_string());
        let text = match model {
            Some((_, schema)) => schema::example(schema).to_string(),
            None if content_type.contains("json") => "{}".to_string(),
            None => String::new(),
        };
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"))
        {
            headers.push(("Content-Type".to_string(), content_type));
        }
        body = Some(text);
    }
    SavedRequest {
        name: format!("{verb} {resource_path}"),
        method: http_method.to_string(),
        path,
        raw_query: query.join("&"),
        headers,
        body,
        body_base64: None,
    }
}
