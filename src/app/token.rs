//! A test token for the selected request: the mint key signs a JWT with the session's
//! Cognito user pool key (the code behind `gatebench token`, with its defaults: `sub`,
//! `cognito:username`/`username`, the method's scopes as an access token, `exp` in one
//! hour) and puts it into the request's identity-source header, as one edit of the request
//! that `u` (on the Request pane) takes back.

use serde_json::Map;

use crate::app::request_text;
use crate::app::{App, Effect, Pane, StatusKind};
use crate::gateway::api::{Api, Authorizer, AuthorizerType};
use crate::gateway::authorizer::{IdentitySource, parse_identity_sources};
use crate::session::token::TokenRequest;

/// Seconds a minted token lives.
const LIFETIME: i64 = 3600;

/// A Cognito authorizer of `api` whose user pool has a local key to sign with: the pool's ARN.
fn keyed_pool<'a>(api: &'a Api, a: &Authorizer) -> Option<&'a str> {
    if a.kind != AuthorizerType::CognitoUserPools {
        return None;
    }
    a.provider_arns.iter().find_map(|arn| {
        api.user_pools
            .iter()
            .find(|p| &p.arn == arn && p.private_key.is_some())
            .map(|p| p.arn.as_str())
    })
}

/// The header a Cognito authorizer reads the token from.
fn token_header(a: &Authorizer) -> String {
    match parse_identity_sources(a.identity_source()).as_deref() {
        Ok([IdentitySource::Header(h), ..]) => h.clone(),
        _ => "Authorization".into(),
    }
}

impl App {
    /// Ask for a test token for the selected request (the method's Cognito authorizer, else
    /// the session's first with a local key); says so when the session has none.
    pub(super) fn mint_token(&mut self) -> Vec<Effect> {
        if self.request().is_none() {
            self.set_status(StatusKind::Info, "This session has no saved request");
            return Vec::new();
        }
        let session = self.workspace.session.clone();
        let api = &session.api;
        let method = self.method();
        let own = method
            .and_then(|m| m.authorizer_id.as_ref())
            .and_then(|id| api.authorizers.get(id))
            .filter(|a| keyed_pool(api, a).is_some());
        let Some(authorizer) = own.or_else(|| {
            api.authorizers
                .values()
                .find(|a| keyed_pool(api, a).is_some())
        }) else {
            self.set_status(
                StatusKind::Info,
                "No token to mint: this session has no Cognito user pool authorizer with a local key ([[api.userPools]] with privateKey)",
            );
            return Vec::new();
        };
        // The method's scopes ask for an access token holding them.
        let scopes = match (own, method) {
            (Some(_), Some(m)) => m.authorization_scopes.clone(),
            _ => Vec::new(),
        };
        let request = TokenRequest {
            pool: keyed_pool(api, authorizer).map(str::to_string),
            access: !scopes.is_empty(),
            scopes,
            claims: Map::new(),
            expires_in: LIFETIME,
            now_secs: 0,
        };
        let header = token_header(authorizer);
        vec![Effect::MintToken {
            session: session.clone(),
            request,
            header,
            index: self.workspace.request_index,
        }]
    }

    /// A token arrived: into the request's header, as one edit to undo.
    pub(super) fn on_token_minted(
        &mut self,
        header: &str,
        index: usize,
        result: Result<String, String>,
    ) -> Vec<Effect> {
        let token = match result {
            Ok(t) => t,
            Err(e) => {
                self.set_status(StatusKind::Error, format!("No token: {e}"));
                return Vec::new();
            }
        };
        if index != self.workspace.request_index {
            self.set_status(
                StatusKind::Info,
                "The token was for another request (the request changed meanwhile): press the key again",
            );
            return Vec::new();
        }
        let Some(mut request) = self.request().cloned() else {
            return Vec::new();
        };
        match request
            .headers
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(header))
        {
            Some((_, v)) => *v = token,
            None => request.headers.push((header.to_string(), token)),
        }
        let text = request_text::to_text(&request);
        self.request_editor.replace_text(&text);
        let fx = self.request_changed();
        self.chrome.focus = Pane::Request;
        let undo = self
            .keymap()
            .first_key(crate::app::keymap::Layer::Normal, crate::app::Action::Undo)
            .unwrap_or_default();
        self.set_status(
            StatusKind::Info,
            format!(
                "A test token (user ana, exp in 1 h) is in the {header} header; {undo} takes it back"
            ),
        );
        fx
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;

    use crate::app::test_support::key;
    use crate::app::{App, AppOptions, Effect, Msg, Pane, StatusKind, update};

    fn cognito() -> App {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sessions")
            .join("auth-cognito.toml");
        App::open(Some(&path), AppOptions::default())
    }

    fn minted(fx: &[Effect]) -> (&crate::session::token::TokenRequest, &str, usize) {
        fx.iter()
            .find_map(|e| match e {
                Effect::MintToken {
                    request,
                    header,
                    index,
                    ..
                } => Some((request, header.as_str(), *index)),
                _ => None,
            })
            .expect("a MintToken effect")
    }

    #[test]
    fn the_token_fits_the_method() {
        let mut a = cognito();
        let fx = key(&mut a, KeyCode::Char('J'));
        let (req, header, index) = minted(&fx);
        assert_eq!((header, index), ("Authorization", 0));
        assert!(!req.access);
        assert_eq!(req.expires_in, 3600);
        assert_eq!(
            req.pool.as_deref(),
            Some("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_G4teB3nch")
        );
        // The method with scopes takes an access token holding them.
        key(&mut a, KeyCode::Char('>'));
        key(&mut a, KeyCode::Char('>'));
        let fx = key(&mut a, KeyCode::Char('J'));
        let (req, _, index) = minted(&fx);
        assert_eq!(index, 2);
        assert!(req.access);
        assert_eq!(req.scopes, ["orders/read"]);
    }

    #[test]
    fn the_token_replaces_the_header_as_one_edit_to_undo() {
        let mut a = cognito();
        let before = a.request().unwrap().clone();
        update(
            &mut a,
            Msg::TokenMinted {
                header: "authorization".into(),
                index: 0,
                result: Ok("h.c.s".into()),
            },
        );
        let r = a.request().unwrap();
        assert_eq!(
            r.headers,
            [("Authorization".to_string(), "h.c.s".to_string())]
        );
        assert_eq!(a.focus(), Pane::Request);
        assert!(a.is_dirty());
        key(&mut a, KeyCode::Char('u'));
        assert_eq!(a.request().unwrap(), &before);
        // A token for another request, or none: nothing changes, the status says why.
        update(
            &mut a,
            Msg::TokenMinted {
                header: "Authorization".into(),
                index: 3,
                result: Ok("x.y.z".into()),
            },
        );
        assert_eq!(a.request().unwrap(), &before);
        update(
            &mut a,
            Msg::TokenMinted {
                header: "Authorization".into(),
                index: 0,
                result: Err("no key".into()),
            },
        );
        assert_eq!(a.status().unwrap().kind, StatusKind::Error);
        assert_eq!(a.request().unwrap(), &before);
    }
}
