//! Java regular expressions: translating them for `fancy_regex`, a per-thread cache,
//! `replaceAll`/`replaceFirst` with Java's `$n` replacement syntax, and `String.split`.

use std::cell::RefCell;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use crate::vtl::budget;
use crate::vtl::value::{MethodError, Value};

use super::common::{MethodResult, err, list_bytes, some};

thread_local! {
    /// Compiled patterns by source text: templates call `split`/`replaceAll` in loops.
    static REGEX_CACHE: RefCell<FxHashMap<String, Rc<fancy_regex::Regex>>> =
        RefCell::new(FxHashMap::default());
}

/// Most patterns kept compiled per thread.
const REGEX_CACHE_SIZE: usize = 128;

/// Compile a Java regular expression (translated where the syntaxes differ), cached.
pub fn compile_java_regex(re: &str) -> Result<Rc<fancy_regex::Regex>, MethodError> {
    if let Some(hit) = REGEX_CACHE.with(|c| c.borrow().get(re).cloned()) {
        return Ok(hit);
    }
    let translated = translate_java_regex(re);
    let compiled = Rc::new(fancy_regex::Regex::new(&translated).map_err(|e| {
        MethodError(format!(
            "java.util.regex.PatternSyntaxException: {e} near index 0: {re}"
        ))
    })?);
    REGEX_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= REGEX_CACHE_SIZE {
            c.clear();
        }
        c.insert(re.to_string(), compiled.clone());
    });
    Ok(compiled)
}

/// Whether a pattern has no regex syntax at all (it matches itself literally).
pub(super) fn is_literal_pattern(re: &str) -> bool {
    !re.is_empty() && !re.bytes().any(|b| b"\\^$.|?*+()[]{}".contains(&b))
}

/// Translate the parts of Java's regex syntax that the Rust engine spells differently:
/// `\Q...\E` quoting.
pub(super) fn translate_java_regex(re: &str) -> String {
    if !re.contains("\\Q") {
        return re.to_string();
    }
    let mut out = String::new();
    let mut rest = re;
    while let Some(i) = rest.find("\\Q") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let (quoted, tail) = match after.find("\\E") {
            Some(j) => (&after[..j], &after[j + 2..]),
            None => (after, ""),
        };
        out.push_str(&fancy_regex::escape(quoted));
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// Java's `Matcher.replaceAll/replaceFirst` replacement rules: `$n` and `${name}` are groups,
/// `\x` is a literal x; a bad group reference throws.
pub(super) fn java_replace(
    re: &fancy_regex::Regex,
    text: &str,
    rep: &str,
    all: bool,
) -> Result<String, MethodError> {
    let mut out = String::new();
    let mut last = 0;
    let mut pos = 0;
    // Groups are only captured when the replacement names one besides the whole match:
    // finding a match is much faster than capturing its groups on a long text.
    let whole_only = only_whole_match_refs(rep);
    while pos <= text.len() {
        let (m, caps) = if whole_only {
            match re.find_from_pos(text, pos) {
                Ok(Some(m)) => (m, None),
                Ok(None) => break,
                Err(e) => return err(e.to_string()),
            }
        } else {
            let caps = match re.captures_from_pos(text, pos) {
                Ok(Some(c)) => c,
                Ok(None) => break,
                Err(e) => return err(e.to_string()),
            };
            let Some(m) = caps.get(0) else { break };
            (m, Some(caps))
        };
        out.push_str(&text[last..m.start()]);
        let groups = match &caps {
            Some(c) => Groups::Caps(c),
            None => Groups::Whole(m.as_str()),
        };
        expand_replacement(&groups, rep, &mut out)?;
        if out.len() > budget::remaining() {
            return budget::charge(out.len()).map(|()| String::new());
        }
        last = m.end();
        if !all {
            break;
        }
        pos = if m.end() == m.start() {
            // Step over one char after an empty match.
            match text[m.end()..].chars().next() {
                Some(c) => m.end() + c.len_utf8(),
                None => text.len() + 1,
            }
        } else {
            m.end()
        };
    }
    if last <= text.len() {
        out.push_str(&text[last..]);
    }
    Ok(out)
}

/// Whether every `$` of a replacement is `$0` (not followed by another digit).
pub(super) fn only_whole_match_refs(rep: &str) -> bool {
    let b = rep.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'$' || (b.get(i + 1) == Some(&b'0') && !b.get(i + 2).is_some_and(u8::is_ascii_digit))
    })
}

/// The groups of a match a replacement reads: all of them, or only the whole match (when
/// the replacement reads no other).
enum Groups<'a, 't> {
    Caps(&'a fancy_regex::Captures<'t>),
    Whole(&'t str),
}

impl Groups<'_, '_> {
    fn len(&self) -> usize {
        match self {
            Groups::Caps(c) => c.len(),
            Groups::Whole(_) => 1,
        }
    }

    fn get(&self, g: usize) -> Option<&str> {
        match self {
            Groups::Caps(c) => c.get(g).map(|m| m.as_str()),
            Groups::Whole(w) => (g == 0).then_some(*w),
        }
    }

    fn name(&self, name: &str) -> Option<&str> {
        match self {
            Groups::Caps(c) => c.name(name).map(|m| m.as_str()),
            Groups::Whole(_) => None,
        }
    }
}

fn expand_replacement(
    caps: &Groups<'_, '_>,
    rep: &str,
    out: &mut String,
) -> Result<(), MethodError> {
    let b = rep.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 1;
                let Some(c) = rep[i..].chars().next() else {
                    return err(
                        "java.lang.IllegalArgumentException: character to be escaped is missing",
                    );
                };
                out.push(c);
                i += c.len_utf8();
            }
            b'$' => {
                i += 1;
                if i >= b.len() {
                    return err(
                        "java.lang.IllegalArgumentException: Illegal group reference: group index is missing",
                    );
                }
                if b[i] == b'{' {
                    let Some(end) = rep[i..].find('}') else {
                        return err(
                            "java.lang.IllegalArgumentException: named capturing group is missing trailing '}'",
                        );
                    };
                    let gname = &rep[i + 1..i + end];
                    match caps.name(gname) {
                        Some(m) => out.push_str(m),
                        None => {
                            return err(format!(
                                "java.lang.IllegalArgumentException: No group with name {{{gname}}}"
                            ));
                        }
                    }
                    i += end + 1;
                    continue;
                }
                if !b[i].is_ascii_digit() {
                    return err("java.lang.IllegalArgumentException: Illegal group reference");
                }
                let mut g = usize::from(b[i] - b'0');
                i += 1;
                if g >= caps.len() {
                    return err(format!("java.lang.IndexOutOfBoundsException: No group {g}"));
                }
                // Java takes more digits while the group number stays valid.
                while i < b.len() && b[i].is_ascii_digit() {
                    let ng = g * 10 + usize::from(b[i] - b'0');
                    if ng >= caps.len() {
                        break;
                    }
                    g = ng;
                    i += 1;
                }
                if let Some(m) = caps.get(g) {
                    out.push_str(m);
                }
            }
            _ => {
                let c = rep[i..].chars().next().unwrap_or(' ');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Ok(())
}

/// Java's `String.split(regex, limit)`.
pub(super) fn split(text: &str, re: &str, limit: i64) -> MethodResult {
    if is_literal_pattern(re) {
        // Same result as the regex path (Java takes a similar fast path).
        let mut parts: Vec<&str> = match (limit > 0, re.as_bytes()) {
            // One ASCII character: the same pieces, found with a byte search.
            (true, [c]) if c.is_ascii() => text
                .splitn(usize::try_from(limit).unwrap_or(usize::MAX), char::from(*c))
                .collect(),
            (true, _) => text
                .splitn(usize::try_from(limit).unwrap_or(usize::MAX), re)
                .collect(),
            (false, [c]) if c.is_ascii() => text.split(char::from(*c)).collect(),
            (false, _) => text.split(re).collect(),
        };
        if limit == 0 {
            while parts.last().is_some_and(|p| p.is_empty()) {
                parts.pop();
            }
            if parts.is_empty() && text.is_empty() {
                parts.push("");
            }
        }
        budget::charge(list_bytes(parts.len()).saturating_add(text.len()))?;
        return some(Value::list(parts.into_iter().map(Value::str).collect()));
    }
    let regex = compile_java_regex(re)?;
    let mut parts: Vec<&str> = Vec::new();
    let mut last = 0;
    let mut pos = 0;
    while pos <= text.len() {
        if limit > 0 && parts.len() as i64 == limit - 1 {
            break;
        }
        let m = match regex.find_from_pos(text, pos) {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(e) => return err(e.to_string()),
        };
        if m.end() == 0 {
            // A zero-width match at the start never produces a leading empty string.
            pos = text.chars().next().map_or(text.len() + 1, char::len_utf8);
            continue;
        }
        if m.start() == m.end() && m.start() >= text.len() {
            break;
        }
        parts.push(&text[last..m.start()]);
        last = m.end();
        pos = if m.end() == m.start() {
            m.end() + text[m.end()..].chars().next().map_or(1, char::len_utf8)
        } else {
            m.end()
        };
    }
    if parts.is_empty() && last == 0 {
        return some(Value::list(vec![Value::str(text)]));
    }
    parts.push(&text[last..]);
    if limit == 0 {
        while parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
    }
    budget::charge(list_bytes(parts.len()).saturating_add(text.len()))?;
    some(Value::list(parts.into_iter().map(Value::str).collect()))
}
