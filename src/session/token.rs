//! Test tokens for a session's Cognito user pools: `gatebench token` signs a JWT with the
//! private key a `[[api.userPools]]` entry names (`privateKey`), with the key id its JWKS
//! gives that key, so the session's COGNITO_USER_POOLS authorizers accept it.

use serde_json::{Map, Value as Json};

use super::Session;
use crate::gateway::api::UserPool;
use crate::gateway::cognito;

/// What token to make.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenRequest {
    /// The pool's ARN (default: the first pool with a `privateKey`).
    pub pool: Option<String>,
    /// An access token (with `scope`) instead of an ID token.
    pub access: bool,
    /// The access token's scopes.
    pub scopes: Vec<String>,
    /// Claims that replace or add to the defaults (`null` removes one).
    pub claims: Map<String, Json>,
    /// Seconds until `exp` (negative: already expired).
    pub expires_in: i64,
    /// Issued at (seconds since the epoch).
    pub now_secs: i64,
}

fn pool<'a>(session: &'a Session, arn: Option<&str>) -> Result<&'a UserPool, String> {
    let pools = &session.api.user_pools;
    match arn {
        Some(arn) => pools.iter().find(|p| p.arn == arn).ok_or_else(|| {
            format!(
                "no [[api.userPools]] with arn {arn} (the session has: {})",
                pools
                    .iter()
                    .map(|p| p.arn.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        None => pools
            .iter()
            .find(|p| p.private_key.is_some())
            .ok_or_else(|| "no [[api.userPools]] entry names a privateKey to sign with".into()),
    }
}

fn private_key(session: &Session, pool: &UserPool) -> Result<Vec<u8>, String> {
    let path = pool
        .private_key
        .as_deref()
        .ok_or_else(|| format!("user pool {} names no privateKey", pool.arn))?;
    let full = session
        .dir()
        .map_or_else(|| std::path::PathBuf::from(path), |d| d.join(path));
    std::fs::read(&full).map_err(|e| format!("{}: {e}", full.display()))
}

/// A signed token for `req`.
pub fn mint(session: &Session, req: &TokenRequest) -> Result<String, String> {
    let chosen = pool(session, req.pool.as_deref())?;
    let key = private_key(session, chosen)?;
    let api = session.api_for_run();
    let loaded = api
        .user_pools
        .iter()
        .find(|p| p.arn == chosen.arn)
        .map(UserPool::jwks_text);
    let kid = match loaded {
        Some(Ok(text)) => cognito::kid_in(text, &key).ok_or_else(|| {
            format!(
                "the JWKS of user pool {} has no key matching {}: print one with `gatebench token --jwks`",
                chosen.arn,
                chosen.private_key.as_deref().unwrap_or("")
            )
        })?,
        Some(Err(e)) => return Err(e),
        None => "gatebench".to_string(),
    };
    let mut claims = cognito::test_claims(
        chosen,
        req.access,
        &req.scopes,
        req.now_secs,
        req.expires_in,
    );
    for (k, v) in &req.claims {
        if v.is_null() {
            claims.remove(k);
        } else {
            claims.insert(k.clone(), v.clone());
        }
    }
    cognito::mint(&key, &kid, &claims)
}

/// The JWKS for the pool's private key (to write into the file its `jwks` names).
pub fn jwks(session: &Session, arn: Option<&str>, kid: &str) -> Result<Json, String> {
    let chosen = pool(session, arn)?;
    let key = private_key(session, chosen)?;
    cognito::jwks_for(&key, kid)
}
