//! Parsing JSON documents from clients and backends as the gateway does: nesting deeper than
//! serde_json's default 128 levels parses (the gateway's parser takes such bodies), up to
//! [`MAX_DEPTH`] levels, on a stack grown as needed, so no body can overflow a thread. Deeper
//! documents are refused like malformed ones (as Jackson, the JVM's JSON parser, refuses
//! nesting past 1000 levels by default).

use serde::Deserialize;
use serde_json::Value;

/// The deepest nesting parsed, in arrays and objects.
pub const MAX_DEPTH: usize = 1000;

/// Why a document was not parsed.
#[derive(Debug)]
pub enum JsonError {
    /// Not JSON.
    Syntax(serde_json::Error),
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::Syntax(e) => e.fmt(f),
            JsonError::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} levels"),
        }
    }
}

impl std::error::Error for JsonError {}

/// The deepest nesting of arrays and objects in `bytes` (brackets inside strings do not
/// count), without recursion; stops counting past `limit`.
pub fn depth(bytes: &[u8], limit: usize) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > deepest {
                    deepest = depth;
                    if deepest > limit {
                        return deepest;
                    }
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Parse a JSON document.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    let deepest = depth(bytes, MAX_DEPTH);
    if deepest > MAX_DEPTH {
        return Err(JsonError::TooDeep);
    }
    if deepest < 100 {
        return serde_json::from_slice(bytes).map_err(JsonError::Syntax);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let v =
        Value::deserialize(serde_stacker::Deserializer::new(&mut de)).map_err(JsonError::Syntax)?;
    de.end().map_err(JsonError::Syntax)?;
    Ok(v)
}

/// Parse a JSON document from text.
pub fn parse_str(text: &str) -> Result<Value, JsonError> {
    parse(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(n: usize) -> String {
        format!("{}1{}", "[".repeat(n), "]".repeat(n))
    }

    #[test]
    fn deep_documents_parse_up_to_the_limit() {
        for n in [1, 127, 128, 129, 500, MAX_DEPTH] {
            let v = parse(nested(n).as_bytes()).unwrap_or_else(|e| panic!("{n}: {e}"));
            assert!(v.is_array());
        }
        assert!(matches!(
            parse(nested(MAX_DEPTH + 1).as_bytes()),
            Err(JsonError::TooDeep)
        ));
        // A million levels are refused without parsing (or overflowing).
        assert!(matches!(
            parse(nested(1_000_000).as_bytes()),
            Err(JsonError::TooDeep)
        ));
    }

    #[test]
    fn brackets_in_strings_do_not_count() {
        let text = format!(r#"{{"a": "{}\"]", "b": [1]}}"#, "[".repeat(5000));
        assert_eq!(depth(text.as_bytes(), MAX_DEPTH), 2);
        assert!(parse_str(&text).is_ok());
    }

    #[test]
    fn malformed_documents_are_syntax_errors() {
        assert!(matches!(parse(b"[1,"), Err(JsonError::Syntax(_))));
        assert!(matches!(parse(b"[1] x"), Err(JsonError::Syntax(_))));
        let deep_bad = format!("{}1", "[".repeat(300));
        assert!(matches!(
            parse(deep_bad.as_bytes()),
            Err(JsonError::Syntax(_))
        ));
    }
}
