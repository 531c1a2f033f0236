//! One request through each of the five integration types (the workbench's compare view):
//! the session's API with the reached method's `type` changed, a URI that fits the type when
//! the session's does not (the built-in echo's URL or echo Lambda ARN, as the type key does),
//! and the session's mapping templates where the type uses them. Each run is the real
//! pipeline ([`crate::gateway::pipeline::run`]) behind a
//! [`CompareBackend`](crate::backend::compare::CompareBackend): the session's own backend where
//! it answers that kind of call on this machine, the built-in echo otherwise.

use crate::backend::compare::{Answerer, CallTarget, CompareBackend, answerer};
use crate::backend::{Backend, BackendConfig};
use crate::gateway::api::{Api, IntegrationType};
use crate::gateway::pipeline::{AuthState, ClientRequest, run};
use crate::gateway::trace::Trace;

use super::Session;

/// The URL an HTTP type gets when the session's URI is not one: the built-in echo backend
/// answers every HTTP call (whatever its host) with a description of the request.
pub const ECHO_URL: &str = "http://echo.gatebench.local/echo";

/// The Lambda ARN an AWS or AWS_PROXY type gets when the session's URI is not one: the
/// built-in echo function returns the event (proxy) or the payload it received.
pub const ECHO_LAMBDA_URI: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:echo/invocations";

/// Whether `uri` is one the gateway accepts for `kind` (MOCK takes any, or none).
pub fn uri_fits(kind: IntegrationType, uri: Option<&str>) -> bool {
    let uri = uri.unwrap_or("").trim();
    match kind {
        IntegrationType::Mock => true,
        IntegrationType::Http | IntegrationType::HttpProxy => {
            let lower = uri.to_ascii_lowercase();
            lower.starts_with("http://") || lower.starts_with("https://")
        }
        IntegrationType::Aws => uri.starts_with("arn:aws:apigateway:"),
        // A Lambda proxy takes only a Lambda invocation URI.
        IntegrationType::AwsProxy => {
            uri.starts_with("arn:aws:apigateway:") && uri.contains(":lambda:path/")
        }
    }
}

/// The URI swapped in for `kind` when the session's does not fit it.
pub fn example_uri(kind: IntegrationType) -> Option<&'static str> {
    match kind {
        IntegrationType::Mock => None,
        IntegrationType::Http | IntegrationType::HttpProxy => Some(ECHO_URL),
        IntegrationType::Aws | IntegrationType::AwsProxy => Some(ECHO_LAMBDA_URI),
    }
}

/// Which URI a type ran with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UriUsed {
    /// The request reaches no method: every type gets the gateway's 403.
    NoMethod,
    /// The session's own URI (`None`: it has none, as MOCK needs none).
    Session(Option<String>),
    /// The session's URI does not fit the type: this example was used instead.
    Example {
        /// The session's URI.
        original: Option<String>,
        /// The URI used (the echo's URL or echo Lambda ARN).
        used: &'static str,
        /// The integration's `httpMethod` was made POST, as Lambda requires (it was this).
        post_from: Option<String>,
    },
}

/// One type's run.
#[derive(Clone, Debug)]
pub struct TypeRun {
    /// The integration type.
    pub kind: IntegrationType,
    /// Which URI it ran with.
    pub uri: UriUsed,
    /// Who answered the endpoint call (`None`: no call, as for MOCK).
    pub answerer: Option<Answerer>,
    /// The trace of the run (the same record `r` shows in the panes).
    pub trace: Trace,
}

/// The backend the five runs of one comparison share (one echo server, one local function).
pub fn compare_backend(session: &Session) -> CompareBackend {
    CompareBackend::new(&session.backend, session.dir())
}

/// The API and request of `session` as they run for `kind`: the reached method's type set,
/// its URI swapped for one that fits when needed, and `${Name}` values filled in.
pub fn variant(
    session: &Session,
    request: &ClientRequest,
    kind: IntegrationType,
) -> (Api, ClientRequest, UriUsed) {
    let mut api = session.api_for_run().into_owned();
    let mut request = request.clone();
    // A saved path written under a stage name kept as `${Name}` follows [values] too.
    if request.path.contains("${") && !session.values.is_empty() {
        request.path = crate::gateway::substitute_values(&request.path, &session.values);
    }
    let Some(route) = crate::gateway::routing::route(&api, &request.method, &request.path) else {
        return (api, request, UriUsed::NoMethod);
    };
    let Some(method) = api
        .resources
        .get_mut(route.resource)
        .and_then(|r| r.methods.get_mut(&route.method_key))
    else {
        return (api, request, UriUsed::NoMethod);
    };
    let integration = &mut method.integration;
    integration.kind = kind;
    let original = integration.uri.clone();
    if uri_fits(kind, original.as_deref()) {
        return (api, request, UriUsed::Session(original));
    }
    let Some(used) = example_uri(kind) else {
        return (api, request, UriUsed::Session(original));
    };
    integration.uri = Some(used.to_string());
    // Lambda is invoked with POST only; the echo function stands in for a function the
    // session does not have, so it is called the way a function must be.
    let post_from = (used == ECHO_LAMBDA_URI)
        .then(|| integration.http_method.clone())
        .flatten()
        .filter(|m| !m.eq_ignore_ascii_case("POST"));
    if post_from.is_some() {
        integration.http_method = Some("POST".to_string());
    }
    (
        api,
        request,
        UriUsed::Example {
            original,
            used,
            post_from,
        },
    )
}

/// Where the integration call of `kind` with `uri` goes (`None`: no call, as for MOCK).
fn target(kind: IntegrationType, uri: &str) -> Option<CallTarget<'_>> {
    match kind {
        IntegrationType::Mock => None,
        IntegrationType::AwsProxy => Some(CallTarget::Lambda),
        IntegrationType::Aws if uri.contains(":lambda:path/") => Some(CallTarget::Lambda),
        // An AWS service call: its host is the service's (`*.amazonaws.com`).
        IntegrationType::Aws => Some(CallTarget::Http("https://service.amazonaws.com/")),
        IntegrationType::Http | IntegrationType::HttpProxy => Some(CallTarget::Http(uri)),
    }
}

/// Who answers the integration call of `kind` in `session` (`None`: no call).
pub fn who_answers(
    config: &BackendConfig,
    kind: IntegrationType,
    uri: &UriUsed,
) -> Option<Answerer> {
    let uri = match uri {
        UriUsed::NoMethod => return None,
        UriUsed::Session(u) => u.as_deref().unwrap_or(""),
        UriUsed::Example { used, .. } => used,
    };
    target(kind, uri).map(|t| answerer(config, t))
}

/// Run `request` through `session` as integration type `kind`, calling `backend` (see
/// [`compare_backend`]), with a fresh authorization memory: the comparison's five runs
/// neither use nor count towards the workbench's cached authorizer answers and quotas.
pub async fn run_type(
    session: &Session,
    request: &ClientRequest,
    kind: IntegrationType,
    backend: &dyn Backend,
) -> TypeRun {
    let (api, request, uri) = variant(session, request, kind);
    let mut opts = super::run::run_options(session);
    opts.auth_state = AuthState::default();
    let trace = run(&api, &request, backend, &opts).await;
    TypeRun {
        kind,
        answerer: who_answers(&session.backend, kind, &uri),
        uri,
        trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_uris_fit_which_types() {
        let arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations";
        let ddb = "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem";
        let url = "https://example.com/pets";
        assert!(uri_fits(IntegrationType::Mock, None));
        assert!(uri_fits(IntegrationType::Aws, Some(arn)));
        assert!(uri_fits(IntegrationType::Aws, Some(ddb)));
        assert!(uri_fits(IntegrationType::AwsProxy, Some(arn)));
        assert!(!uri_fits(IntegrationType::AwsProxy, Some(ddb)));
        assert!(!uri_fits(IntegrationType::Http, Some(arn)));
        assert!(!uri_fits(IntegrationType::HttpProxy, None));
        assert!(uri_fits(IntegrationType::HttpProxy, Some(url)));
        assert!(!uri_fits(IntegrationType::Aws, Some(url)));
        for k in IntegrationType::ALL {
            assert!(example_uri(k).is_none_or(|u| uri_fits(k, Some(u))), "{k:?}");
        }
    }

    fn http_session() -> (Session, ClientRequest) {
        let s = Session::from_toml(
            include_str!("../../sessions/http.toml"),
            std::path::Path::new("http.toml"),
        )
        .expect("http.toml loads");
        let r = super::super::client_request(&s.requests[0]).expect("a request");
        (s, r)
    }

    #[test]
    fn a_lambda_type_in_an_http_session_gets_the_echo_arn_and_post() {
        let (mut s, r) = http_session();
        for m in s.api.resources[0].methods.values_mut() {
            m.integration.http_method = Some("PUT".into());
        }
        let (api, _, uri) = variant(&s, &r, IntegrationType::AwsProxy);
        let m = &api.resources[0].methods["POST"].integration;
        assert_eq!(m.kind, IntegrationType::AwsProxy);
        assert_eq!(m.uri.as_deref(), Some(ECHO_LAMBDA_URI));
        assert_eq!(m.http_method.as_deref(), Some("POST"));
        assert!(
            matches!(&uri, UriUsed::Example { post_from: Some(p), .. } if p == "PUT"),
            "{uri:?}"
        );
        // HTTP keeps the session's URL, and the session's echo backend answers.
        let (api, _, uri) = variant(&s, &r, IntegrationType::Http);
        assert_eq!(
            api.resources[0].methods["POST"].integration.uri.as_deref(),
            Some("http://notes.internal.example/api/users/{id}/notes")
        );
        assert_eq!(
            who_answers(&s.backend, IntegrationType::Http, &uri),
            Some(Answerer::Session)
        );
        assert_eq!(who_answers(&s.backend, IntegrationType::Mock, &uri), None);
    }

    #[tokio::test]
    async fn the_http_type_runs_the_real_pipeline() {
        let (s, r) = http_session();
        let backend = compare_backend(&s);
        let run = run_type(&s, &r, IntegrationType::Http, &backend).await;
        let sent = run.trace.endpoint_request.expect("an endpoint call");
        // Path parameters substituted by the integration's requestParameters.
        assert_eq!(
            sent.url,
            "http://notes.internal.example/api/users/u-7/notes?draft=true"
        );
        assert_eq!(run.trace.response.status, 201);
        let mock = run_type(&s, &r, IntegrationType::Mock, &backend).await;
        assert!(mock.trace.endpoint_request.is_none());
        assert!(mock.trace.request_template.is_some());
    }
}
