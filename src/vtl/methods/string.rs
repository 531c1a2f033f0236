//! `java.lang.String` methods, counted in UTF-16 units as Java does (`length`,
//! `substring`, `indexOf`, ...). Regex methods delegate to `regex.rs`.

use std::rc::Rc;

use crate::vtl::budget;
use crate::vtl::value::{MethodError, Value};

use super::common::{MethodResult, as_int, boolean, common_method, err, int, list_bytes, some};
use super::regex::{compile_java_regex, is_literal_pattern, java_replace, split};

/// UTF-16 length of a string (Java's `length()`).
pub(super) fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// The string as UTF-16 code units.
pub(super) fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// UTF-16 back to a string. An unpaired surrogate becomes `?`, as Java's UTF-8 encoder
/// writes it.
pub(super) fn from_units(u: &[u16]) -> String {
    char::decode_utf16(u.iter().copied())
        .map(|r| r.unwrap_or('?'))
        .collect()
}

pub(super) fn find_units(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return Some(from.min(hay.len()));
    }
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

pub(super) fn rfind_units(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    let start = from.min(hay.len() - needle.len());
    (0..=start)
        .rev()
        .find(|&i| hay[i..i + needle.len()] == *needle)
}

pub(super) fn str_index_error(kind: &str, detail: String) -> MethodError {
    MethodError(format!("java.lang.{kind}: {detail}"))
}

pub(super) fn substring(s: &str, begin: i64, end: Option<i64>) -> MethodResult {
    if s.is_ascii() {
        let len = s.len() as i64;
        let end_v = end.unwrap_or(len);
        if begin >= 0 && end_v <= len && begin <= end_v {
            #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
            return some(Value::str(&s[begin as usize..end_v as usize]));
        }
    }
    let u = units(s);
    let len = u.len() as i64;
    let end_v = end.unwrap_or(len);
    if begin < 0 || end_v > len || begin > end_v {
        return Err(str_index_error(
            "StringIndexOutOfBoundsException",
            match end {
                None => format!("begin {begin}, end {len}, length {len}"),
                Some(e) => format!("begin {begin}, end {e}, length {len}"),
            },
        ));
    }
    let (b, e) = (
        usize::try_from(begin).unwrap_or(0),
        usize::try_from(end_v).unwrap_or(0),
    );
    some(Value::str(&from_units(&u[b..e])))
}

pub(super) fn string_method(s: &Rc<str>, name: &str, args: &[Value]) -> MethodResult {
    let text: &str = s;
    match (name, args) {
        ("length", []) => int(utf16_len(text) as i64),
        ("isEmpty", []) => boolean(text.is_empty()),
        ("isBlank", []) => boolean(text.chars().all(char::is_whitespace)),
        ("toString" | "intern", []) => some(Value::Str(s.clone())),
        ("toCharArray", []) => some(Value::list({
            budget::charge(list_bytes(text.len()).saturating_mul(2))?;
            text.encode_utf16()
                .map(|u| Value::str(&from_units(&[u])))
                .collect()
        })),
        ("toLowerCase", []) => some(Value::str(&text.to_lowercase())),
        ("toUpperCase", []) => some(Value::str(&text.to_uppercase())),
        ("trim", []) => some(Value::str(text.trim_matches(|c: char| c <= ' '))),
        ("strip", []) => some(Value::str(text.trim())),
        ("hashCode", []) => {
            let mut h: i32 = 0;
            for u in text.encode_utf16() {
                h = h.wrapping_mul(31).wrapping_add(i32::from(u));
            }
            int(i64::from(h))
        }
        ("charAt", [i]) => {
            let Some(i) = as_int(i) else { return Ok(None) };
            let u = units(text);
            match usize::try_from(i).ok().and_then(|i| u.get(i)) {
                Some(c) => some(Value::str(&from_units(&[*c]))),
                None => Err(str_index_error(
                    "StringIndexOutOfBoundsException",
                    format!("index {i}, length {}", u.len()),
                )),
            }
        }
        ("substring", [b]) => match as_int(b) {
            Some(b) => substring(text, b, None),
            None => Ok(None),
        },
        ("substring" | "subSequence", [b, e]) => match (as_int(b), as_int(e)) {
            (Some(b), Some(e)) => substring(text, b, Some(e)),
            _ => Ok(None),
        },
        ("indexOf" | "lastIndexOf", [needle]) | ("indexOf" | "lastIndexOf", [needle, _]) => {
            let Value::Str(n) = needle else {
                return Ok(None);
            };
            let from = match args.get(1) {
                Some(v) => match as_int(v) {
                    Some(f) => Some(f),
                    None => return Ok(None),
                },
                None => None,
            };
            if text.is_ascii() && n.is_ascii() && name == "indexOf" {
                let from = usize::try_from(from.unwrap_or(0).max(0)).unwrap_or(0);
                let r = if from > text.len() {
                    (n.is_empty()).then_some(text.len())
                } else {
                    match n.as_bytes() {
                        [c] => text[from..].find(char::from(*c)),
                        _ => text[from..].find(&**n),
                    }
                    .map(|i| i + from)
                };
                return int(r.map_or(-1, |i| i as i64));
            }
            let hay = units(text);
            let nu = units(n);
            let r = if name == "indexOf" {
                let from = usize::try_from(from.unwrap_or(0).max(0)).unwrap_or(0);
                find_units(&hay, &nu, from)
            } else {
                match from {
                    Some(f) if f < 0 => None,
                    Some(f) => rfind_units(&hay, &nu, usize::try_from(f).unwrap_or(0)),
                    None => rfind_units(&hay, &nu, hay.len()),
                }
            };
            int(r.map_or(-1, |i| i as i64))
        }
        ("contains", [Value::Str(n)]) => boolean(text.contains(&**n)),
        ("startsWith", [Value::Str(n)]) => boolean(text.starts_with(&**n)),
        ("startsWith", [Value::Str(n), off]) => {
            let Some(off) = as_int(off) else {
                return Ok(None);
            };
            let u = units(text);
            let nu = units(n);
            boolean(
                usize::try_from(off)
                    .ok()
                    .is_some_and(|o| u.get(o..).is_some_and(|rest| rest.starts_with(&nu))),
            )
        }
        ("endsWith", [Value::Str(n)]) => boolean(text.ends_with(&**n)),
        ("equals", [o]) => boolean(matches!(o, Value::Str(x) if **x == *text)),
        ("equalsIgnoreCase", [o]) => boolean(match o {
            Value::Str(x) => {
                let (a, b) = (units(text), units(x));
                a.len() == b.len()
                    && text.chars().zip(x.chars()).all(|(p, q)| {
                        p == q
                            || p.to_uppercase().eq(q.to_uppercase())
                            || p.to_lowercase().eq(q.to_lowercase())
                    })
            }
            _ => false,
        }),
        ("compareTo", [Value::Str(o)]) => {
            let (a, b) = (units(text), units(o));
            let n = a.len().min(b.len());
            for i in 0..n {
                if a[i] != b[i] {
                    return int(i64::from(a[i]) - i64::from(b[i]));
                }
            }
            int(a.len() as i64 - b.len() as i64)
        }
        ("compareToIgnoreCase", [Value::Str(o)]) => {
            let a = text.to_lowercase();
            let b = o.to_lowercase();
            string_method(&Rc::from(a.as_str()), "compareTo", &[Value::str(&b)])
        }
        ("concat", [Value::Str(o)]) => {
            budget::charge(text.len() + o.len())?;
            some(Value::str(&format!("{text}{o}")))
        }
        ("replace", [Value::Str(a), Value::Str(b)]) => {
            // The size of the result, charged before it is built.
            let grows = if a.is_empty() {
                (text.chars().count() + 1).saturating_mul(b.len())
            } else if b.len() > a.len() {
                text.matches(&**a).count().saturating_mul(b.len() - a.len())
            } else {
                0
            };
            budget::charge(grows.saturating_add(text.len()))?;
            if a.is_empty() {
                // Java inserts the replacement between every char and at both ends.
                let mut out = String::from(&**b);
                for c in text.chars() {
                    out.push(c);
                    out.push_str(b);
                }
                some(Value::str(&out))
            } else if let [c] = a.as_bytes()
                && c.is_ascii()
            {
                // One ASCII character: the same result, found with a byte search.
                some(Value::str(&text.replace(char::from(*c), b)))
            } else {
                some(Value::str(&text.replace(&**a, b)))
            }
        }
        ("replaceAll", [Value::Str(re), Value::Str(rep)])
            if is_literal_pattern(re) && !rep.contains(['$', '\\']) =>
        {
            let grows = if rep.len() > re.len() {
                text.matches(&**re)
                    .count()
                    .saturating_mul(rep.len() - re.len())
            } else {
                0
            };
            budget::charge(grows.saturating_add(text.len()))?;
            some(Value::str(&text.replace(&**re, rep)))
        }
        ("replaceAll" | "replaceFirst", [Value::Str(re), Value::Str(rep)]) => {
            let re = compile_java_regex(re)?;
            some(Value::str(&java_replace(
                &re,
                text,
                rep,
                name == "replaceAll",
            )?))
        }
        ("matches", [Value::Str(re)]) => {
            let re = compile_java_regex(&format!("^(?:{re})$"))?;
            boolean(re.is_match(text).map_err(|e| MethodError(e.to_string()))?)
        }
        ("split", [Value::Str(re)]) => split(text, re, 0),
        ("split", [Value::Str(re), limit]) => match as_int(limit) {
            Some(l) => split(text, re, l),
            None => Ok(None),
        },
        (
            "contains" | "startsWith" | "endsWith" | "concat" | "replace" | "replaceAll"
            | "replaceFirst" | "matches" | "split" | "compareTo",
            _,
        ) if args.iter().any(Value::is_null) => err("java.lang.NullPointerException"),
        _ => common_method(&Value::Str(s.clone()), name, args),
    }
}
