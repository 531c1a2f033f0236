//! Which method a saved request reaches, and the method request (in the shape
//! `gateway::mapping_setup` reads) that the Rendered pane renders templates against while
//! typing. This is the workbench's live preview only; the full trip (validators, parameter
//! mappings, backend) is `gateway::pipeline`.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::gateway::api::{Api, Method};
use crate::session::{SavedRequest, Session};

/// The request id used in previews, so screens are stable (a session's `context.requestId`
/// overrides it).
pub const PREVIEW_REQUEST_ID: &str = "c0ffee00-0000-4000-8000-000000000001";

/// A method of the session's API: resource index and verb key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MethodRef {
    /// Index into `api.resources`.
    pub resource: usize,
    /// Key into the resource's `methods` (`POST`, `ANY`, ...).
    pub verb: String,
}

impl MethodRef {
    /// The method in `api`, if it still exists.
    pub fn get<'a>(&self, api: &'a Api) -> Option<&'a Method> {
        api.resources.get(self.resource)?.methods.get(&self.verb)
    }

    /// The method in `api`, mutably.
    pub fn get_mut<'a>(&self, api: &'a mut Api) -> Option<&'a mut Method> {
        api.resources
            .get_mut(self.resource)?
            .methods
            .get_mut(&self.verb)
    }

    /// `POST /pets/{petId}`.
    pub fn describe(&self, api: &Api) -> String {
        api.resources
            .get(self.resource)
            .map_or_else(String::new, |r| format!("{} {}", self.verb, r.path))
    }
}

/// The result of routing a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routed {
    /// The method reached.
    pub method: MethodRef,
    /// The path without the stage prefix.
    pub path: String,
    /// Path parameters bound by the resource template.
    pub path_parameters: IndexMap<String, String>,
}

/// Route a method and path to a resource and method, exactly as the gateway pipeline does
/// (`gateway::routing`): stage prefix, literal resources before templated ones, the exact
/// verb before `ANY`.
pub fn route(api: &Api, method: &str, path: &str) -> Option<Routed> {
    let r = crate::gateway::routing::route(api, method, path)?;
    Some(Routed {
        method: MethodRef {
            resource: r.resource,
            verb: r.method_key,
        },
        path: r.path,
        path_parameters: r.path_parameters,
    })
}

/// The first method of the API (shown when a request routes nowhere).
pub fn first_method(api: &Api) -> Option<MethodRef> {
    api.resources.iter().enumerate().find_map(|(i, r)| {
        r.methods.keys().next().map(|verb| MethodRef {
            resource: i,
            verb: verb.clone(),
        })
    })
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The method request of a saved request, in the `request` shape of a template case
/// (`gateway::mapping_setup` reads it).
pub fn request_json(session: &Session, saved: &SavedRequest, routed: Option<&Routed>) -> Value {
    let api = &session.api;
    let mut headers: IndexMap<String, Vec<String>> = IndexMap::new();
    for (k, v) in &saved.headers {
        headers.entry(k.clone()).or_default().push(v.clone());
    }
    let mut query: IndexMap<String, Vec<String>> = IndexMap::new();
    for pair in saved.raw_query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        query.entry(decode(k)).or_default().push(decode(v));
    }
    let (resource, path, params) = match routed {
        Some(r) => (
            api.resources
                .get(r.method.resource)
                .map_or_else(String::new, |res| res.path.clone()),
            r.path.clone(),
            r.path_parameters.clone(),
        ),
        None => (
            String::new(),
            crate::gateway::routing::strip_stage(&saved.path, api.stage.as_deref())
                .unwrap_or_else(|| saved.path.clone()),
            IndexMap::new(),
        ),
    };
    let (body, base64) = match (&saved.body, &saved.body_base64) {
        (_, Some(b)) => (Value::String(b.clone()), true),
        (Some(t), None) => (Value::String(t.clone()), false),
        (None, None) => (Value::Null, false),
    };
    let mut context = Map::new();
    context.insert("resourcePath".into(), json!(resource));
    context.insert("httpMethod".into(), json!(saved.method));
    context.insert("path".into(), json!(saved.path));
    if let Some(stage) = &api.stage {
        context.insert("stage".into(), json!(stage));
    }
    context.insert("requestId".into(), json!(PREVIEW_REQUEST_ID));
    context.insert("apiId".into(), json!(api.api_id));
    context.insert("identity".into(), json!({"sourceIp": "127.0.0.1"}));
    if let Some(extra) = &session.context
        && let Ok(Value::Object(extra)) = serde_json::to_value(extra)
    {
        for (k, v) in extra {
            context.insert(k, v);
        }
    }
    json!({
        "method": saved.method,
        "resource": resource,
        "path": path,
        "pathParameters": params,
        "multiValueHeaders": headers,
        "multiValueQueryStringParameters": query,
        "body": body,
        "isBase64Encoded": base64,
        "stageVariables": api.stage_variables.clone().unwrap_or_default(),
        "context": context,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_the_default_session() {
        let s = Session::builtin_default();
        let r = route(&s.api, "POST", "/dev/pets/7").unwrap();
        assert_eq!(r.method.describe(&s.api), "POST /pets/{petId}");
        assert_eq!(r.path, "/pets/7");
        assert_eq!(
            r.path_parameters.get("petId").map(String::as_str),
            Some("7")
        );
        assert!(route(&s.api, "GET", "/dev/pets/7").is_none());
        assert!(route(&s.api, "POST", "/dev/pets").is_none());
    }

    #[test]
    fn greedy_and_literal_resources() {
        let mut api = Api::default();
        for p in ["/{proxy+}", "/items/all", "/items/{id}"] {
            let mut r = crate::gateway::api::Resource {
                path: p.into(),
                ..Default::default()
            };
            r.methods.insert("ANY".into(), Method::default());
            api.resources.push(r);
        }
        assert_eq!(route(&api, "GET", "/items/all").unwrap().method.resource, 1);
        assert_eq!(route(&api, "GET", "/items/3").unwrap().method.resource, 2);
        let g = route(&api, "GET", "/a/b/c").unwrap();
        assert_eq!(g.path_parameters["proxy"], "a/b/c");
    }

    #[test]
    fn request_json_is_read_by_the_gateway() {
        let s = Session::builtin_default();
        let saved = &s.requests[0];
        let r = route(&s.api, &saved.method, &saved.path);
        let v = request_json(&s, saved, r.as_ref());
        let setup =
            crate::gateway::mapping_setup(&v, crate::gateway::Phase::Request, None).unwrap();
        let t = crate::vtl::Template::parse(
            "$input.params('petId') $context.stage $stageVariables.greeting $input.path('$.name')",
        )
        .unwrap();
        let out = t.render(&mut setup.context().0, &setup.policy).unwrap();
        assert_eq!(out, "7 dev Hello Rex");
    }
}
