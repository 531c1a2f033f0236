//! The request's trip through the gateway as explicit stages (routing, method request,
//! integration request, backend, integration response, method response), producing a
//! [`Trace`] that the workbench steps through and `gatebench run` prints.

use crate::gateway::trace::{HttpMessage, Trace};
use crate::session::{SavedRequest, Session};

/// A client request as it arrives at the gateway.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientRequest {
    /// HTTP method.
    pub method: String,
    /// URL path as sent (with the stage prefix when the API is deployed to a stage).
    pub path: String,
    /// Raw query string (percent-encoded, no `?`).
    pub raw_query: String,
    /// Headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl ClientRequest {
    /// The request saved in a session.
    pub fn from_saved(r: &SavedRequest) -> Result<ClientRequest, String> {
        let body = match (&r.body, &r.body_base64) {
            (_, Some(b64)) => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(b64.as_bytes())
                    .map_err(|e| format!("bodyBase64 is not valid base64: {e}"))?
            }
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
}

/// Run one request through the session's API and backend.
pub async fn run_session(session: &Session, request: &ClientRequest) -> Trace {
    let _ = (session, request);
    Trace {
        response: HttpMessage {
            status: 500,
            body: b"{\"message\": \"the pipeline is not implemented yet\"}".to_vec(),
            ..HttpMessage::default()
        },
        ..Trace::default()
    }
}
