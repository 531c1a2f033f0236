//! Running a session's saved requests: a [`SavedRequest`] as the client request the gateway
//! receives, and one run through the session's API (`${Name}` values filled in, see
//! [`Session::api_for_run`]) and the backend its `[backend]` table chooses. The gateway runs
//! the request; this module only feeds it.

use base64::Engine as _;
use serde_json::Value as Json;

use super::{SavedRequest, Session};
use crate::gateway::pipeline::{AuthState, ClientRequest, RunOptions, run};
use crate::gateway::trace::Trace;

/// The request saved in a session, as the client sends it.
pub fn client_request(r: &SavedRequest) -> Result<ClientRequest, String> {
    let body = match (&r.body, &r.body_base64) {
        (_, Some(b64)) => base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| format!("bodyBase64 is not valid base64: {e}"))?,
        (Some(text), None) => text.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    Ok(ClientRequest {
        method: r.method.clone(),
        path: r.path.clone(),
        raw_query: r.raw_query.clone(),
        headers: r.headers.clone(),
        body,
    })
}

/// The run options a session asks for: fresh ids and time, its `$context` values.
pub fn run_options(session: &Session) -> RunOptions {
    let mut opts = RunOptions::default();
    if let Some(ctx) = &session.context
        && let Ok(Json::Object(m)) = serde_json::to_value(ctx)
    {
        opts.context = m;
    }
    opts
}

/// Run one request through the session's API and backend (the backend chosen by the
/// session's `backend` setting), with a fresh authorization memory (no cached authorizer
/// answers, no usage counted yet).
pub async fn run_session(session: &Session, request: &ClientRequest) -> Trace {
    run_session_with(session, request, &AuthState::default()).await
}

/// [`run_session`] with the caller's authorization memory: authorizer answers cached and
/// usage counted by earlier runs with the same `state` count for this one.
pub async fn run_session_with(
    session: &Session,
    request: &ClientRequest,
    state: &AuthState,
) -> Trace {
    let backend = crate::backend::for_session(&session.backend, session.dir());
    let mut opts = run_options(session);
    opts.auth_state = state.clone();
    // A saved path written under a stage name kept as `${Name}` follows [values] too.
    if request.path.contains("${") && !session.values.is_empty() {
        let mut request = request.clone();
        request.path = crate::gateway::substitute_values(&request.path, &session.values);
        return run(&session.api_for_run(), &request, backend.as_ref(), &opts).await;
    }
    run(&session.api_for_run(), request, backend.as_ref(), &opts).await
}
