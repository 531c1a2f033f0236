//! AWS_IAM authorization: checking a request's Signature Version 4 (`Authorization:
//! AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`) as API Gateway does,
//! against credentials the session names, and the answers it gives when the check fails.
//!
//! Sources: the IAM user guide's "Signature Version 4 for API requests" (canonical request,
//! string to sign, signing key; the canonical URI of a non-S3 service is the path encoded
//! again; headers are lower-cased, trimmed and sorted; the payload hash is
//! `x-amz-content-sha256` or the body's SHA-256), AWS's answers as clients recorded them
//! (mhart/aws4#33 and aws/aws-sdk-js#2372 for the 403 `The request signature we calculated
//! does not match...` with the canonical string and string to sign it expected;
//! `InvalidSignatureException`), the gateway response types MISSING_AUTHENTICATION_TOKEN and
//! INVALID_SIGNATURE (403), and the SigV4 messages of other AWS services for a missing
//! parameter, an unknown key (`The security token included in the request is invalid.`) and
//! a request time more than 5 minutes away (`Signature expired: ...`).

use ring::{digest, hmac};

use super::api::IamCredentials;

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// SHA-256 in hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
        .as_ref()
        .to_vec()
}

/// SigV4's URI encoding: everything but `A-Z a-z 0-9 - _ . ~` (and `/` when `keep_slash`).
pub fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char);
            }
            b'/' if keep_slash => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHeader {
    /// The access key id.
    pub access_key: String,
    /// `DATE/REGION/SERVICE/aws4_request`.
    pub scope: String,
    /// Lower-case header names, `;`-separated as sent.
    pub signed_headers: String,
    /// The hex signature.
    pub signature: String,
}

/// Why the gateway refused the request (each is 403).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigError {
    /// No `Authorization` header: `Missing Authentication Token`.
    Missing,
    /// The header lacks parts: `IncompleteSignatureException`, the message lists them.
    Incomplete(String),
    /// The access key is not one of the session's: `UnrecognizedClientException`.
    UnknownKey(String),
    /// The request time is more than 5 minutes from now: `InvalidSignatureException`.
    Expired(String),
    /// The signature differs: `InvalidSignatureException`, the message shows what was
    /// expected.
    Mismatch(String),
}

impl SigError {
    /// The body's `message`.
    pub fn message(&self) -> String {
        match self {
            SigError::Missing => "Missing Authentication Token".into(),
            SigError::Incomplete(m) | SigError::Expired(m) | SigError::Mismatch(m) => m.clone(),
            SigError::UnknownKey(_) => {
                "The security token included in the request is invalid.".into()
            }
        }
    }

    /// `x-amzn-ErrorType`.
    pub fn error_type(&self) -> &'static str {
        match self {
            SigError::Missing => "MissingAuthenticationTokenException",
            SigError::Incomplete(_) => "IncompleteSignatureException",
            SigError::UnknownKey(_) => "UnrecognizedClientException",
            SigError::Expired(_) | SigError::Mismatch(_) => "InvalidSignatureException",
        }
    }
}

/// Read an `Authorization` header; `Err` lists what is missing as AWS words it.
pub fn parse_auth_header(value: &str, has_date: bool) -> Result<AuthHeader, SigError> {
    let rest = value.trim().strip_prefix("AWS4-HMAC-SHA256").unwrap_or("");
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some((k, v)) = part.split_once('=') {
            match k.trim() {
                "Credential" => credential = Some(v.trim().to_string()),
                "SignedHeaders" => signed = Some(v.trim().to_string()),
                "Signature" => signature = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    let mut missing = String::new();
    if credential.is_none() {
        missing.push_str("Authorization header requires 'Credential' parameter. ");
    }
    if signature.is_none() {
        missing.push_str("Authorization header requires 'Signature' parameter. ");
    }
    if signed.is_none() {
        missing.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if !has_date {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    if !missing.is_empty() {
        return Err(SigError::Incomplete(format!(
            "{missing}Authorization={value}"
        )));
    }
    let credential = credential.unwrap_or_default();
    let Some((access_key, scope)) = credential.split_once('/') else {
        return Err(SigError::Incomplete(format!(
            "Credential should be scoped to a valid region. Authorization={value}"
        )));
    };
    Ok(AuthHeader {
        access_key: access_key.to_string(),
        scope: scope.to_string(),
        signed_headers: signed.unwrap_or_default(),
        signature: signature.unwrap_or_default(),
    })
}

/// What a request looks like to the signature check.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// The path as sent (percent-encoded, stage included).
    pub path: &'a str,
    /// The raw query string.
    pub raw_query: &'a str,
    /// Headers as sent.
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
}

impl SignedRequest<'_> {
    fn header_values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The canonical request for `req` with these signed headers.
pub fn canonical_request(req: &SignedRequest<'_>, signed_headers: &str) -> String {
    let uri = if req.path.is_empty() {
        "/".to_string()
    } else {
        uri_encode(req.path, true)
    };
    let mut query: Vec<(String, String)> = req
        .raw_query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(k), false),
                uri_encode(&percent_decode(v), false),
            )
        })
        .collect();
    query.sort();
    let query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = String::new();
    for name in signed_headers.split(';').filter(|n| !n.is_empty()) {
        let value = req
            .header_values(name)
            .iter()
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(",");
        headers.push_str(&format!("{}:{value}\n", name.to_ascii_lowercase()));
    }
    let payload = req
        .header_values("x-amz-content-sha256")
        .first()
        .map_or_else(|| sha256_hex(req.body), |v| (*v).to_string());
    format!(
        "{}\n{uri}\n{query}\n{headers}\n{signed_headers}\n{payload}",
        req.method
    )
}

/// `YYYYMMDDTHHMMSSZ` to seconds since the epoch.
fn amz_date_secs(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(4..6)?, num(6..8)?);
    let (hh, mm, ss) = (num(9..11)?, num(11..13)?, num(13..15)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// Check the signature of `req` against `credentials` at `now_ms`; the matching credentials
/// when it verifies.
pub fn verify<'c>(
    req: &SignedRequest<'_>,
    credentials: &'c [IamCredentials],
    now_ms: u64,
) -> Result<&'c IamCredentials, SigError> {
    let Some(auth) = req.header_values("authorization").first().copied() else {
        return Err(SigError::Missing);
    };
    let date = req.header_values("x-amz-date").first().copied();
    let header = parse_auth_header(auth, date.is_some())?;
    let date = date.unwrap_or_default();
    let scope_parts: Vec<&str> = header.scope.split('/').collect();
    if scope_parts.len() != 4 || scope_parts[3] != "aws4_request" {
        return Err(SigError::Incomplete(format!(
            "Credential should be scoped to a valid region. Authorization={auth}"
        )));
    }
    if scope_parts[2] != "execute-api" {
        return Err(SigError::Incomplete(format!(
            "Credential should be scoped to correct service: 'execute-api'. Authorization={auth}"
        )));
    }
    let Some(creds) = credentials
        .iter()
        .find(|c| c.access_key_id == header.access_key)
    else {
        return Err(SigError::UnknownKey(header.access_key));
    };
    if let Some(token) = &creds.session_token
        && req.header_values("x-amz-security-token").first() != Some(&token.as_str())
    {
        return Err(SigError::UnknownKey(header.access_key));
    }
    let now = i64::try_from(now_ms / 1000).unwrap_or(0);
    let Some(when) = amz_date_secs(date) else {
        return Err(SigError::Incomplete(format!(
            "Date must be in ISO-8601 'basic format'. Got '{date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )));
    };
    let stamp = |secs: i64| super::exec_log::amz_date(u64::try_from(secs).unwrap_or(0) * 1000);
    if when < now - 300 {
        return Err(SigError::Expired(format!(
            "Signature expired: {date} is now earlier than {} ({} - 5 min.)",
            stamp(now - 300),
            stamp(now)
        )));
    }
    if when > now + 300 {
        return Err(SigError::Expired(format!(
            "Signature not yet current: {date} is still later than {} ({} + 5 min.)",
            stamp(now + 300),
            stamp(now)
        )));
    }
    let canonical = canonical_request(req, &header.signed_headers);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{date}\n{}\n{}",
        header.scope,
        sha256_hex(canonical.as_bytes())
    );
    let mut key = hmac_sha256(
        format!("AWS4{}", creds.secret_access_key).as_bytes(),
        scope_parts[0].as_bytes(),
    );
    for part in &scope_parts[1..] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    // Checked by ring in constant time, as a verifier should.
    let given = unhex(&header.signature);
    let verifies = given.is_some_and(|sig| {
        hmac::verify(
            &hmac::Key::new(hmac::HMAC_SHA256, &key),
            string_to_sign.as_bytes(),
            &sig,
        )
        .is_ok()
    });
    if !verifies {
        return Err(SigError::Mismatch(format!(
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
        )));
    }
    Ok(creds)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// AWS's own SigV4 test suite case `get-vanilla` (service `service`, region `us-east-1`),
    /// checked through the canonical request and the signature it documents.
    #[test]
    fn the_get_vanilla_case_of_the_aws_test_suite() {
        let headers = vec![
            ("Host".to_string(), "example.amazonaws.com".to_string()),
            ("X-Amz-Date".to_string(), "20150830T123600Z".to_string()),
        ];
        let req = SignedRequest {
            method: "GET",
            path: "/",
            raw_query: "",
            headers: &headers,
            body: b"",
        };
        let canonical = canonical_request(&req, "host;x-amz-date");
        assert_eq!(
            canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let sts = format!(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n{}",
            sha256_hex(canonical.as_bytes())
        );
        let mut key = hmac_sha256(b"AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", b"20150830");
        for p in ["us-east-1", "service", "aws4_request"] {
            key = hmac_sha256(&key, p.as_bytes());
        }
        assert_eq!(
            hex(&hmac_sha256(&key, sts.as_bytes())),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn dates_and_encoding() {
        assert_eq!(amz_date_secs("20150830T123600Z"), Some(1_440_938_160));
        assert_eq!(amz_date_secs("2015-08-30"), None);
        assert_eq!(uri_encode("/a b/ü", true), "/a%20b/%C3%BC");
        assert_eq!(uri_encode("a/b", false), "a%2Fb");
    }

    #[test]
    fn incomplete_headers_name_what_is_missing() {
        let e = parse_auth_header("Bearer x", false).unwrap_err();
        assert_eq!(
            e.message(),
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer x"
        );
    }
}
