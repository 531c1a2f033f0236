//! The Request pane edits a saved request as the text of an HTTP message:
//!
//! ```text
//! POST /dev/pets/7?verbose=true
//! Content-Type: application/json
//!
//! {"name": "Rex"}
//! ```
//!
//! The request line, headers until a blank line, then the body. A base64 body (binary
//! requests) stays base64 in the text.

use crate::session::SavedRequest;

/// Why the request text does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("request line {line}: {message}")]
pub struct RequestTextError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// The text of a saved request.
pub fn to_text(r: &SavedRequest) -> String {
    let mut out = format!("{} {}", r.method, r.path);
    if !r.raw_query.is_empty() {
        out.push('?');
        out.push_str(&r.raw_query);
    }
    for (k, v) in &r.headers {
        out.push('\n');
        out.push_str(k);
        out.push_str(": ");
        out.push_str(v);
    }
    let body = r.body_base64.as_ref().or(r.body.as_ref());
    if let Some(b) = body {
        out.push_str("\n\n");
        out.push_str(b);
    }
    out
}

/// Parse request text into `base` (which keeps its name; `body_base64` stays the body's
/// encoding when `base` used it).
pub fn parse(text: &str, base: &SavedRequest) -> Result<SavedRequest, RequestTextError> {
    let err = |line: usize, message: &str| RequestTextError {
        line,
        message: message.to_string(),
    };
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let first = lines.next().unwrap_or_default();
    let mut parts = first.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Err(err(
            1,
            "expected a method and a path, e.g. POST /dev/pets/7",
        ));
    };
    if parts.next().is_some() {
        return Err(err(1, "expected only a method and a path"));
    }
    if !method.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(err(1, "the method must be letters, e.g. GET or POST"));
    }
    if !target.starts_with('/') {
        return Err(err(1, "the path must start with /"));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    let mut body_lines: Option<Vec<&str>> = None;
    for (i, line) in lines.by_ref().enumerate() {
        if line.trim().is_empty() {
            body_lines = Some(Vec::new());
            break;
        }
        let Some((k, v)) = line.split_once(':') else {
            return Err(err(i + 2, "a header needs a colon: Name: value"));
        };
        let k = k.trim();
        if k.is_empty() || k.contains(char::is_whitespace) {
            return Err(err(
                i + 2,
                "a header name cannot be empty or contain spaces",
            ));
        }
        headers.push((k.to_string(), v.trim().to_string()));
    }
    let body = body_lines.map(|mut b| {
        b.extend(lines);
        b.join("\n")
    });
    let body = body.filter(|b| !b.is_empty());
    let mut out = base.clone();
    out.method = method.to_ascii_uppercase();
    out.path = path.to_string();
    out.raw_query = query.to_string();
    out.headers = headers;
    if base.body_base64.is_some() {
        out.body_base64 = body;
        out.body = None;
    } else {
        out.body = body;
        out.body_base64 = None;
    }
    Ok(out)
}

/// A curl command line for the request (for copying), given the base URL of the API.
pub fn to_curl(r: &SavedRequest, base_url: &str) -> String {
    crate::import::to_curl(r, base_url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    #[test]
    fn round_trips_the_default_requests() {
        for r in Session::builtin_default().requests {
            let text = to_text(&r);
            assert_eq!(parse(&text, &r).unwrap(), r, "{text}");
        }
    }

    #[test]
    fn parses_query_headers_and_multiline_bodies() {
        let r = parse(
            "get /dev/x?a=1&b=2\nX-One: 1\nX-Two:2\n\n{\n  \"k\": 1\n}",
            &SavedRequest::default(),
        )
        .unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/dev/x");
        assert_eq!(r.raw_query, "a=1&b=2");
        assert_eq!(r.headers.len(), 2);
        assert_eq!(r.headers[1], ("X-Two".to_string(), "2".to_string()));
        assert_eq!(r.body.as_deref(), Some("{\n  \"k\": 1\n}"));
        let no_body = parse("GET /", &SavedRequest::default()).unwrap();
        assert_eq!(no_body.body, None);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("POST", &SavedRequest::default()).unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("POST /x\nbad header", &SavedRequest::default()).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("request line 2: "), "{e}");
        assert!(parse("POST x", &SavedRequest::default()).is_err());
    }

    #[test]
    fn curl() {
        let r = parse(
            "POST /dev/p?q=1\nContent-Type: application/json\n\n{\"it's\": 1}",
            &SavedRequest::default(),
        )
        .unwrap();
        assert_eq!(
            to_curl(&r, "https://x.example/"),
            r#"curl -X POST 'https://x.example/dev/p?q=1' -H 'Content-Type: application/json' --data-raw '{"it'\''s": 1}'"#
        );
    }
}
