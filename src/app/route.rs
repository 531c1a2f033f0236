//! Which method a saved request reaches, and the method request that the Rendered pane
//! renders templates against while typing: built by the gateway's one builder
//! (`gateway::pipeline::preview_method_request`, the same as runs and `serve`), with the
//! preview's request id. The full trip (validators, parameter mappings, backend) is
//! `gateway::pipeline`.

use std::sync::Arc;

use indexmap::IndexMap;

use crate::gateway::MethodRequest;
use crate::gateway::api::{Api, Method};
use crate::gateway::pipeline::{self, RunOptions};
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

/// The run options of the preview: the session's `$context` values, a fresh time, and the
/// fixed [`PREVIEW_REQUEST_ID`] (unless the session sets `context.requestId`).
pub fn preview_options(session: &Session) -> RunOptions {
    RunOptions {
        request_id: PREVIEW_REQUEST_ID.to_string(),
        ..crate::session::run::run_options(session)
    }
}

/// The method request the Rendered pane renders templates against while typing: the
/// gateway's own builder ([`pipeline::preview_method_request`], the one runs and `serve`
/// use), with [`preview_options`]. Fails when the saved request cannot be sent (a body that
/// is not base64). `_routed` is unused: the gateway routes the request itself.
pub fn method_request(
    session: &Session,
    saved: &SavedRequest,
    _routed: Option<&Routed>,
) -> Result<Arc<MethodRequest>, String> {
    let client = crate::session::client_request(saved)?;
    let opts = preview_options(session);
    Ok(Arc::new(pipeline::preview_method_request(
        &session.api,
        &opts,
        &client,
    )))
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

    /// The live preview renders against the same method request as a run of the same saved
    /// request: every `$context` key, `$input.params()` and `$stageVariables` print the same,
    /// except the values that belong to one run by design: `requestId` (the preview's is
    /// [`PREVIEW_REQUEST_ID`]), `extendedRequestId` (derived from it), `requestTime` and
    /// `requestTimeEpoch` (each run's own time).
    #[test]
    fn the_preview_method_request_is_the_run_method_request() {
        let printer = "#foreach($k in $context.keySet())$k=$context.get($k)\n#{end}\
            #foreach($k in $context.identity.keySet())identity.$k=$context.identity.get($k)\n#{end}\
            params=$input.params()\n\
            #foreach($k in $input.params().keySet())$k=$input.params().get($k)\n#{end}\
            stageVariables=$stageVariables\n\
            body=$input.body\n";
        let mut s = Session::builtin_default();
        let mut saved = s.requests[0].clone();
        // A query string a client form-encodes, and a header of our own.
        saved.raw_query = "q=a+b%2B&flag".to_string();
        saved
            .headers
            .push(("X-Trace-Me".to_string(), "yes".to_string()));
        let r = route(&s.api, &saved.method, &saved.path).unwrap();
        let m = r.method.get_mut(&mut s.api).unwrap();
        m.integration.request_templates =
            IndexMap::from([("application/json".to_string(), printer.to_string())]);

        let request = method_request(&s, &saved, Some(&r)).unwrap();
        let setup =
            crate::gateway::MappingSetup::new(request, crate::gateway::Phase::Request, None)
                .unwrap();
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
        assert!(preview.lines().count() >= 25, "{preview}");
        for line in [
            "domainName=",
            "accountId=",
            "resourcePath=/pets/{petId}",
            "stage=dev",
            "identity.sourceIp=127.0.0.1",
            "identity.userAgent=",
            "stageVariables={",
            "body={",
        ] {
            assert!(preview.contains(line), "{line} in {preview}");
        }
        assert!(preview.contains("petId=7"), "{preview}");
        assert!(preview.contains("q=a b+"), "{preview}");
        assert!(preview.contains("X-Trace-Me=yes"), "{preview}");
        assert_eq!(keep(&preview), keep(&run));
        assert!(preview.contains(&format!("requestId={PREVIEW_REQUEST_ID}")));
        assert!(!run.contains(&format!("requestId={PREVIEW_REQUEST_ID}")));
    }

    #[test]
    fn a_request_that_reaches_no_method_still_previews() {
        let s = Session::builtin_default();
        let mut saved = s.requests[0].clone();
        saved.path = "/dev/nowhere".to_string();
        let r = method_request(&s, &saved, None).unwrap();
        assert_eq!(r.path, "/nowhere");
        assert_eq!(r.resource, "");
        assert_eq!(r.context["requestId"], PREVIEW_REQUEST_ID);
        saved.body_base64 = Some("not base64!".to_string());
        assert!(method_request(&s, &saved, None).is_err());
    }

    #[test]
    fn the_method_request_is_read_by_the_gateway() {
        let s = Session::builtin_default();
        let saved = &s.requests[0];
        let r = route(&s.api, &saved.method, &saved.path);
        let request = method_request(&s, saved, r.as_ref()).unwrap();
        let setup =
            crate::gateway::MappingSetup::new(request, crate::gateway::Phase::Request, None)
                .unwrap();
        let t = crate::vtl::Template::parse(
            "$input.params('petId') $context.stage $stageVariables.greeting $input.path('$.name')",
        )
        .unwrap();
        let out = t.render(&mut setup.context().0, &setup.policy).unwrap();
        assert_eq!(out, "7 dev Hello Rex");
    }
}
