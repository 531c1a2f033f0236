//! Which method a saved request reaches, and the method request (in the shape
//! `gateway::mapping_setup` reads) that the Rendered pane renders templates against while
//! typing, with the same `$context` a run builds (`gateway::pipeline::method_context`). The
//! full trip (validators, parameter mappings, backend) is `gateway::pipeline`.

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

/// The `$context` a run of `saved` builds, with the preview's request id (and the time of
/// the preview): the same function as runs and `serve` use.
fn preview_context(session: &Session, saved: &SavedRequest) -> Option<Map<String, Value>> {
    use crate::gateway::pipeline::{RunOptions, method_context};
    let route = crate::gateway::routing::route(&session.api, &saved.method, &saved.path)?;
    let client = crate::session::client_request(saved).ok()?;
    let mut opts = RunOptions {
        request_id: PREVIEW_REQUEST_ID.to_string(),
        ..RunOptions::default()
    };
    if let Some(ctx) = &session.context
        && let Ok(Value::Object(m)) = serde_json::to_value(ctx)
    {
        opts.context = m;
    }
    Some(method_context(&session.api, &opts, &client, &route))
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
    let context = preview_context(session, saved).unwrap_or_else(|| {
        // No method is reached (the run answers 403 before any template): the basics.
        let mut context = Map::new();
        context.insert("resourcePath".into(), json!(resource));
        context.insert("httpMethod".into(), json!(saved.method));
        context.insert("path".into(), json!(saved.path));
        context.insert("requestId".into(), json!(PREVIEW_REQUEST_ID));
        context
    });
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

    /// The live preview renders against the same `$context` as a run of the same request,
    /// except the values that belong to one run (its id and time).
    #[test]
    fn the_preview_context_is_the_run_context() {
        let printer = "#foreach($k in $context.keySet())$k=$context.get($k)\n#end\
            #foreach($k in ['sourceIp', 'userAgent', 'accountId', 'caller', 'user', 'userArn'])\
            identity.$k=$context.identity.get($k)\n#end";
        let mut s = Session::builtin_default();
        let saved = s.requests[0].clone();
        let r = route(&s.api, &saved.method, &saved.path).unwrap();
        let m = r.method.get_mut(&mut s.api).unwrap();
        m.integration.request_templates =
            IndexMap::from([("application/json".to_string(), printer.to_string())]);
        let v = request_json(&s, &saved, Some(&r));
        let setup =
            crate::gateway::mapping_setup(&v, crate::gateway::Phase::Request, None).unwrap();
        let preview = crate::vtl::Template::parse(printer)
            .unwrap()
            .render(&mut setup.context().0, &setup.policy)
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = crate::session::client_request(&saved).unwrap();
        let trace = rt.block_on(crate::session::run_session(&s, &client));
        let run = trace.request_template.unwrap().output.unwrap();
        let per_run = [
            "requestId=",
            "extendedRequestId=",
            "requestTime=",
            "requestTimeEpoch=",
        ];
        let keep = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !per_run.iter().any(|p| l.starts_with(p)))
                .map(str::to_string)
                .collect()
        };
        assert!(preview.lines().count() >= 15, "{preview}");
        for key in [
            "domainName=",
            "accountId=",
            "identity.sourceIp=127.0.0.1",
            "identity.userAgent=",
        ] {
            assert!(preview.contains(key), "{key} in {preview}");
        }
        assert_eq!(keep(&preview), keep(&run));
        assert!(preview.contains(&format!("requestId={PREVIEW_REQUEST_ID}")));
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
