//! Cognito user pool authorizers (COGNITO_USER_POOLS) as API Gateway (REST APIs) checks a
//! token: an RS256 JWT signed by a key of one of the authorizer's pools, issued by that pool
//! (`iss` = `https://cognito-idp.REGION.amazonaws.com/POOL_ID`), not expired, an ID token
//! when the method lists no OAuth scopes and an access token carrying one of them when it
//! does; then the claims as AWS hands them on (every value a string).
//!
//! Sources: API Gateway developer guide, "Control access to REST APIs using Amazon Cognito
//! user pools as an authorizer" (ID or access token in the identity source header; ID tokens
//! for identity claims, access tokens for scopes), `PutMethod`'s `authorizationScopes` ("the
//! method invocation is authorized if any method scope matches a claimed scope in the access
//! token"), the Cognito developer guide's "Verifying a JSON web token" (RS256, `kid`, `iss`,
//! `exp`, `token_use`, `aud`/`client_id`), and AWS's re:Post answer that a method without
//! scopes requires the ID token. The claims' shapes come from events API Gateway delivered
//! (awslabs/serverless-photo-recognition's README: every value a string, `exp` and `iat` as
//! `Sun Jan 08 08:12:34 UTC 2017`, `auth_time` as digits). An expired token's
//! `{"message":"The incoming token has expired"}` with 401 is from reports of that answer
//! (aws-amplify/amplify-js#6060).

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value as Json};

use super::api::UserPool;
use super::exec_log::console_timestamp;

/// The issuer of a pool's tokens: `arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID`
/// gives `https://cognito-idp.REGION.amazonaws.com/POOL_ID`.
pub fn issuer(pool_arn: &str) -> Option<String> {
    let mut parts = pool_arn.splitn(6, ':');
    let (arn, _partition, service, region, _account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let pool_id = resource.strip_prefix("userpool/")?;
    (arn == "arn" && service == "cognito-idp" && !region.is_empty() && !pool_id.is_empty())
        .then(|| format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"))
}

/// Why a token was refused (the client gets 401 either way).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `exp` has passed: `{"message":"The incoming token has expired"}`.
    Expired,
    /// Anything else: `{"message":"Unauthorized"}`; the text says what (for the trace).
    Invalid(String),
}

impl Refusal {
    /// What the trace says.
    pub fn why(&self) -> String {
        match self {
            Refusal::Expired => "the token has expired (exp is past the request time)".into(),
            Refusal::Invalid(why) => why.clone(),
        }
    }
}

/// A token that passed: its claims as the token holds them, and the pool that issued it.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    /// The claims, as in the token.
    pub claims: Map<String, Json>,
    /// The ARN of the pool whose key signed it.
    pub pool: String,
}

/// The token a request carries in the identity source header. The value is the JWT itself;
/// a `Bearer ` in front is dropped (Cognito's guide says clients send the tokens as bearer
/// tokens; AWS's own workshop passes `Bearer <token>` to the console's authorizer test).
pub fn token_of(header_value: &str) -> &str {
    let v = header_value.trim();
    match v.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("bearer ") => v[7..].trim_start(),
        _ => v,
    }
}

/// Check `token` against `pools` (the authorizer's `providerARNs`) for a method that lists
/// `scopes`, at `now_secs`.
pub fn verify(
    token: &str,
    pools: &[&UserPool],
    scopes: &[String],
    now_secs: u64,
) -> Result<Verified, Refusal> {
    let header = jsonwebtoken::decode_header(token)
        .map_err(|e| Refusal::Invalid(format!("the token is not a JWT ({e})")))?;
    if header.alg != Algorithm::RS256 {
        return Err(Refusal::Invalid(format!(
            "the token is signed with {:?}; user pools sign with RS256",
            header.alg
        )));
    }
    let kid = header
        .kid
        .ok_or_else(|| Refusal::Invalid("the token's header has no kid".into()))?;
    // The pool whose JWKS holds the key the header names.
    let mut found = None;
    for pool in pools {
        let text = pool.jwks_text().map_err(Refusal::Invalid)?;
        let set: JwkSet = serde_json::from_str(text).map_err(|e| {
            Refusal::Invalid(format!(
                "the JWKS of user pool {} is not one: {e}",
                pool.arn
            ))
        })?;
        if let Some(jwk) = set.find(&kid) {
            found = Some((*pool, jwk.clone()));
            break;
        }
    }
    let Some((pool, jwk)) = found else {
        return Err(Refusal::Invalid(format!(
            "no key {kid:?} in the JWKS of the authorizer's user pools"
        )));
    };
    let key = DecodingKey::from_jwk(&jwk)
        .map_err(|e| Refusal::Invalid(format!("key {kid:?} cannot check RS256: {e}")))?;
    let mut validation = Validation::new(Algorithm::RS256);
    // The claims are checked below, against the request's own time.
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    let data =
        jsonwebtoken::decode::<Map<String, Json>>(token, &key, &validation).map_err(|e| match e
            .kind()
        {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Refusal::Invalid(format!(
                "the signature does not verify with key {kid:?} of user pool {}",
                pool.arn
            )),
            _ => Refusal::Invalid(format!("the token cannot be read: {e}")),
        })?;
    let claims = data.claims;
    let expected = issuer(&pool.arn).unwrap_or_default();
    match claims.get("iss").and_then(Json::as_str) {
        Some(iss) if iss == expected => {}
        Some(iss) => {
            return Err(Refusal::Invalid(format!(
                "iss {iss:?} is not the pool's issuer {expected:?}"
            )));
        }
        None => return Err(Refusal::Invalid("the token has no iss".into())),
    }
    match claims.get("exp").and_then(Json::as_f64) {
        Some(exp) if exp > now_secs as f64 => {}
        Some(_) => return Err(Refusal::Expired),
        None => return Err(Refusal::Invalid("the token has no exp".into())),
    }
    let token_use = claims.get("token_use").and_then(Json::as_str).unwrap_or("");
    let client_ok = |field: &str| {
        let id = claims.get(field).and_then(Json::as_str);
        if pool.client_ids.is_empty()
            || id.is_some_and(|id| pool.client_ids.iter().any(|c| c == id))
        {
            Ok(())
        } else {
            Err(Refusal::Invalid(format!(
                "{field} {:?} is not an app client of user pool {} ({})",
                id.unwrap_or(""),
                pool.arn,
                pool.client_ids.join(", ")
            )))
        }
    };
    if scopes.is_empty() {
        if token_use != "id" {
            return Err(Refusal::Invalid(format!(
                "token_use is {token_use:?}: a method without authorizationScopes takes an ID token"
            )));
        }
        client_ok("aud")?;
    } else {
        if token_use != "access" {
            return Err(Refusal::Invalid(format!(
                "token_use is {token_use:?}: a method with authorizationScopes takes an access token"
            )));
        }
        client_ok("client_id")?;
        let held: Vec<&str> = claims
            .get("scope")
            .and_then(Json::as_str)
            .unwrap_or("")
            .split_whitespace()
            .collect();
        if !scopes.iter().any(|s| held.contains(&s.as_str())) {
            return Err(Refusal::Invalid(format!(
                "the token's scope {:?} has none of the method's authorizationScopes ({})",
                held.join(" "),
                scopes.join(", ")
            )));
        }
    }
    Ok(Verified {
        claims,
        pool: pool.arn.clone(),
    })
}

/// The claims as API Gateway hands them to templates (`$context.authorizer.claims.*`) and
/// the proxy event (`requestContext.authorizer.claims`): every value a string; `exp` and
/// `iat` as a date (`Sun Jan 08 08:12:34 UTC 2017`), other numbers as digits, booleans as
/// `true`/`false`. A list (`cognito:groups`) becomes its items joined by commas (guessed:
/// not seen in a recorded event).
pub fn claims_as_strings(claims: &Map<String, Json>) -> Map<String, Json> {
    claims
        .iter()
        .map(|(k, v)| {
            let s = match v {
                Json::String(s) => s.clone(),
                Json::Number(n) if k == "exp" || k == "iat" => {
                    let secs = n.as_f64().unwrap_or(0.0).max(0.0);
                    console_timestamp((secs * 1000.0) as u64)
                }
                Json::Number(n) => n.to_string(),
                Json::Bool(b) => b.to_string(),
                Json::Array(items) => items
                    .iter()
                    .map(|i| match i {
                        Json::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            (k.clone(), Json::String(s))
        })
        .collect()
}

/// The claims of a test token from `pool`: an ID token (`aud` the first app client) or an
/// access token (`client_id`, `scope`), issued at `now_secs`, valid for `expires_in`
/// seconds (negative: already expired), for the user `ana`.
pub fn test_claims(
    pool: &UserPool,
    access: bool,
    scopes: &[String],
    now_secs: i64,
    expires_in: i64,
) -> Map<String, Json> {
    let client = pool
        .client_ids
        .first()
        .cloned()
        .unwrap_or_else(|| "gatebenchtestclient".into());
    let mut m = Map::new();
    m.insert("sub".into(), "7d8ca528-4931-4254-9273-ea5ee853f271".into());
    if access {
        m.insert("client_id".into(), client.into());
    } else {
        m.insert("aud".into(), client.into());
        m.insert("email_verified".into(), true.into());
    }
    m.insert(
        "token_use".into(),
        if access { "access" } else { "id" }.into(),
    );
    if access {
        m.insert("scope".into(), scopes.join(" ").into());
    }
    m.insert("auth_time".into(), now_secs.into());
    m.insert("iss".into(), issuer(&pool.arn).unwrap_or_default().into());
    if access {
        m.insert("username".into(), "ana".into());
    } else {
        m.insert("cognito:username".into(), "ana".into());
    }
    m.insert("exp".into(), (now_secs + expires_in).into());
    m.insert("iat".into(), now_secs.into());
    if !access {
        m.insert("email".into(), "ana@example.com".into());
    }
    m
}

/// Sign `claims` as an RS256 JWT with `kid` in its header, with a PEM private key (PKCS#1 or
/// PKCS#8).
pub fn mint(
    private_key_pem: &[u8],
    kid: &str,
    claims: &Map<String, Json>,
) -> Result<String, String> {
    let key = EncodingKey::from_rsa_pem(private_key_pem)
        .map_err(|e| format!("not an RSA private key in PEM: {e}"))?;
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_string());
    jsonwebtoken::encode(&header, claims, &key).map_err(|e| format!("cannot sign: {e}"))
}

/// The JWKS holding the public half of a PEM private key (PKCS#1 or PKCS#8), as a user pool
/// publishes it.
pub fn jwks_for(private_key_pem: &[u8], kid: &str) -> Result<Json, String> {
    let (n, e) = public_numbers(private_key_pem)?;
    let b64 = |b: &[u8]| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    };
    Ok(serde_json::json!({"keys": [{
        "alg": "RS256", "e": b64(&e), "kid": kid, "kty": "RSA", "n": b64(&n), "use": "sig"
    }]}))
}

/// The key id that `jwks_text` gives the public half of `private_key_pem`, if it lists it.
pub fn kid_in(jwks_text: &str, private_key_pem: &[u8]) -> Option<String> {
    use base64::Engine as _;
    let (n, _) = public_numbers(private_key_pem).ok()?;
    let set: JwkSet = serde_json::from_str(jwks_text).ok()?;
    set.keys.iter().find_map(|k| match &k.algorithm {
        jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) => {
            let theirs = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(rsa.n.trim_end_matches('='))
                .ok()?;
            (strip_zeros(&theirs) == strip_zeros(&n))
                .then(|| k.common.key_id.clone())
                .flatten()
        }
        _ => None,
    })
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let i = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    &b[i..]
}

/// The modulus and exponent (big-endian) of a PEM RSA private key.
fn public_numbers(pem: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
    use base64::Engine as _;
    let text = std::str::from_utf8(pem).map_err(|_| "the key file is not PEM text")?;
    let pkcs8 = text.contains("-----BEGIN PRIVATE KEY-----");
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .map_err(|e| format!("the PEM body is not base64: {e}"))?;
    let pair = if pkcs8 {
        ring::rsa::KeyPair::from_pkcs8(&der)
    } else {
        ring::rsa::KeyPair::from_der(&der)
    }
    .map_err(|e| format!("not an RSA private key: {e}"))?;
    let public = ring::rsa::PublicKeyComponents::<Vec<u8>>::from(pair.public());
    Ok((public.n, public.e))
}

/// A JWT's header and claims, decoded without any check (for the trace: what the token
/// says, whether or not it verifies); `None` when it is not three base64url parts of JSON.
pub fn peek(token: &str) -> Option<(Json, Json)> {
    use base64::Engine as _;
    let mut parts = token.split('.');
    let mut part = || -> Option<Json> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts.next()?.trim_end_matches('='))
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    };
    let header = part()?;
    let claims = part()?;
    Some((header, claims))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const KEY: &[u8] = include_bytes!("../../sessions/auth-cognito/signing-key.pem");
    const ARN: &str = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Te5tP00l";

    fn pool() -> UserPool {
        UserPool {
            arn: ARN.into(),
            jwks_json: Some(jwks_for(KEY, "k1").unwrap().to_string()),
            client_ids: vec!["client1".into()],
            ..UserPool::default()
        }
    }

    #[test]
    fn the_issuer_comes_from_the_pool_arn() {
        assert_eq!(
            issuer(ARN).as_deref(),
            Some("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Te5tP00l")
        );
        assert_eq!(issuer("arn:aws:lambda:eu-west-1:1:function:f"), None);
        assert_eq!(issuer("nonsense"), None);
    }

    #[test]
    fn bearer_is_dropped() {
        assert_eq!(token_of("Bearer abc"), "abc");
        assert_eq!(token_of("bearer  abc"), "abc");
        assert_eq!(token_of("abc"), "abc");
    }

    #[test]
    fn a_minted_token_verifies_and_each_check_refuses() {
        let p = pool();
        let now = 1_700_000_000;
        let claims = test_claims(&p, false, &[], now, 3600);
        let token = mint(KEY, "k1", &claims).unwrap();
        let ok = verify(&token, &[&p], &[], now as u64).unwrap();
        assert_eq!(ok.claims["cognito:username"], "ana");
        assert_eq!(ok.pool, ARN);
        // Expired at the request time.
        assert_eq!(
            verify(&token, &[&p], &[], now as u64 + 3600),
            Err(Refusal::Expired)
        );
        // An ID token where scopes are required.
        assert!(matches!(
            verify(&token, &[&p], &["orders/read".into()], now as u64),
            Err(Refusal::Invalid(w)) if w.contains("access token")
        ));
        // Tampered payload: the signature no longer verifies.
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        let mut c = claims.clone();
        c.insert("cognito:username".into(), json!("mallory"));
        parts[1] = {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Json::Object(c).to_string())
        };
        assert!(matches!(
            verify(&parts.join("."), &[&p], &[], now as u64),
            Err(Refusal::Invalid(w)) if w.contains("signature")
        ));
        // Another issuer.
        let mut c = claims.clone();
        c.insert(
            "iss".into(),
            json!("https://cognito-idp.eu-west-1.amazonaws.com/other"),
        );
        assert!(matches!(
            verify(&mint(KEY, "k1", &c).unwrap(), &[&p], &[], now as u64),
            Err(Refusal::Invalid(w)) if w.contains("issuer")
        ));
        // Another app client.
        let mut c = claims.clone();
        c.insert("aud".into(), json!("someone-else"));
        assert!(verify(&mint(KEY, "k1", &c).unwrap(), &[&p], &[], now as u64).is_err());
        // An unknown key id.
        assert!(verify(&mint(KEY, "k2", &claims).unwrap(), &[&p], &[], now as u64).is_err());
        assert!(verify("not.a.jwt", &[&p], &[], now as u64).is_err());
    }

    #[test]
    fn access_tokens_need_one_of_the_scopes() {
        let p = pool();
        let now = 1_700_000_000;
        let scopes = vec!["orders/read".to_string(), "orders/write".to_string()];
        let t = mint(
            KEY,
            "k1",
            &test_claims(&p, true, &["orders/write".into()], now, 60),
        )
        .unwrap();
        assert!(verify(&t, &[&p], &scopes, now as u64).is_ok());
        let t = mint(
            KEY,
            "k1",
            &test_claims(&p, true, &["profile".into()], now, 60),
        )
        .unwrap();
        assert!(verify(&t, &[&p], &scopes, now as u64).is_err());
    }

    #[test]
    fn claims_become_strings_as_aws_gives_them() {
        let c = json!({"sub": "s", "email_verified": true, "auth_time": 1_483_859_554,
                       "exp": 1_483_863_154, "iat": 1_483_859_554, "cognito:groups": ["a", "b"]});
        let Json::Object(c) = c else { unreachable!() };
        assert_eq!(
            Json::Object(claims_as_strings(&c)),
            json!({"sub": "s", "email_verified": "true", "auth_time": "1483859554",
                   "exp": "Sun Jan 08 08:12:34 UTC 2017", "iat": "Sun Jan 08 07:12:34 UTC 2017",
                   "cognito:groups": "a,b"})
        );
    }

    #[test]
    fn the_jwks_names_the_key() {
        let jwks = jwks_for(KEY, "mine").unwrap().to_string();
        assert_eq!(kid_in(&jwks, KEY).as_deref(), Some("mine"));
        let committed = include_str!("../../sessions/auth-cognito/jwks.json");
        assert_eq!(
            kid_in(committed, KEY).as_deref(),
            Some("gatebench-teaching-key-1")
        );
    }
}
