//! The Java methods and properties templates call on values: `String`, `List`, `Map`,
//! numbers and booleans, with Java's overload rules (no narrowing: `substring(1.0)` finds no
//! method) and Java's exceptions (which abort the render).

use std::cell::RefCell;
use std::cmp::Ordering;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::ast::BinOp;
use super::budget;
use super::eval::MAP_ENTRY_BYTES;
use super::value::{HostObject, MethodError, Outcome, Value};

type MethodResult = Result<Option<Value>, MethodError>;

fn err<T>(msg: impl Into<String>) -> Result<T, MethodError> {
    Err(MethodError(msg.into()))
}

/// What a `void` method gives back in Velocity 1.7: an empty string.
fn void() -> MethodResult {
    Ok(Some(Value::str("")))
}

fn some(v: Value) -> MethodResult {
    Ok(Some(v))
}

fn boolean(b: bool) -> MethodResult {
    Ok(Some(Value::Bool(b)))
}

fn int(i: i64) -> MethodResult {
    Ok(Some(Value::integer(i128::from(i))))
}

fn outcome(o: Outcome) -> Option<Value> {
    match o {
        Outcome::Value(v) => Some(v),
        Outcome::NoSuchMember => None,
    }
}

/// `$value.name` with a slot hint: on a map, the entry at the hinted position is checked
/// first, and the hint is updated after a hashed lookup.
pub fn property_cached(target: &Value, name: &str, hint: &std::cell::Cell<u32>) -> Option<Value> {
    if let Value::Map(m) = target {
        let m = m.borrow();
        if let Some((k, v)) = m.get_index(hint.get() as usize)
            && **k == *name
        {
            return Some(v.clone());
        }
        let (i, _, v) = m.get_full(name)?;
        hint.set(u32::try_from(i).unwrap_or(0));
        return Some(v.clone());
    }
    property(target, name)
}

/// `$value.name`: Velocity tries `getName()`/`isName()` and, on a Map, `get("name")`.
pub fn property(target: &Value, name: &str) -> Option<Value> {
    if name == "class" && !matches!(target, Value::Map(_) | Value::Object(_)) {
        return Some(Value::str(&format!("class {}", java_class(target))));
    }
    match target {
        Value::Map(m) => m.borrow().get(name).cloned(),
        Value::Object(o) => outcome(o.property(name)),
        Value::Str(s) => match name {
            "empty" => Some(Value::Bool(s.is_empty())),
            "bytes" if !budget::charge_or_trip(list_bytes(s.len())) => None,
            "bytes" => Some(Value::list(
                s.bytes()
                    .map(|b| Value::Int(i32::from(b.cast_signed())))
                    .collect(),
            )),
            _ => None,
        },
        Value::List(l) => match name {
            "empty" => Some(Value::Bool(l.borrow().is_empty())),
            _ => None,
        },
        _ => None,
    }
}

/// The fully qualified Java class of a value.
fn java_class(v: &Value) -> String {
    match v {
        Value::List(_) => "java.util.ArrayList".into(),
        Value::Map(_) => "java.util.LinkedHashMap".into(),
        Value::BigInt(_) => "java.math.BigInteger".into(),
        Value::Block(_) => "org.apache.velocity.runtime.directive.Block$Reference".into(),
        other => format!("java.lang.{}", other.class_name()),
    }
}

/// `$value[index]`.
pub fn index(target: &Value, idx: &Value) -> MethodResult {
    match target {
        // Velocity 1.7 counts a negative index from the end.
        Value::List(l) => match idx {
            Value::Int(i) if *i < 0 => {
                let len = l.borrow().len() as i64;
                let j = Value::integer(i128::from(len + i64::from(*i)));
                call(target, "get", &[j])
            }
            _ => call(target, "get", std::slice::from_ref(idx)),
        },
        Value::Map(m) => Ok(m.borrow().get(&*key_of(idx)).cloned()),
        Value::Object(o) => match o.as_value() {
            Some(inner) => index(&inner, idx),
            None => Ok(outcome(o.call("get", std::slice::from_ref(idx))?)),
        },
        _ => Ok(None),
    }
}

/// `#set($value.name = v)`.
pub fn set_property(target: &Value, name: &str, v: Value) -> Result<(), MethodError> {
    match target {
        Value::Map(m) => {
            budget::charge(name.len() + MAP_ENTRY_BYTES)?;
            budget::note_insert_map(m, &v);
            m.borrow_mut().insert(Rc::from(name), v);
        }
        Value::Object(o) => {
            if let Some(Value::Map(m)) = o.as_value() {
                budget::charge(name.len() + MAP_ENTRY_BYTES)?;
                budget::note_insert_map(&m, &v);
                m.borrow_mut().insert(Rc::from(name), v);
            }
        }
        _ => {}
    }
    Ok(())
}

/// What a list of `n` new elements is charged.
fn list_bytes(n: usize) -> usize {
    n.saturating_mul(std::mem::size_of::<Value>())
}

/// `#set($value[idx] = v)`.
pub fn set_index(target: &Value, idx: &Value, v: Value) -> Result<(), MethodError> {
    match target {
        Value::List(l_ref) => {
            let mut l = l_ref.borrow_mut();
            let Value::Int(i) = idx else {
                return Ok(());
            };
            let len = l.len();
            match usize::try_from(*i).ok().filter(|&i| i < len) {
                Some(i) => {
                    budget::note_insert_list(l_ref, &v);
                    l[i] = v;
                    Ok(())
                }
                None => err(format!(
                    "java.lang.IndexOutOfBoundsException: Index {i} out of bounds for length {len}"
                )),
            }
        }
        Value::Map(m) => {
            // The key first: it may print the map itself.
            let key: Rc<str> = Rc::from(&*key_of(idx));
            budget::charge(key.len() + MAP_ENTRY_BYTES)?;
            budget::note_insert_map(m, &v);
            m.borrow_mut().insert(key, v);
            Ok(())
        }
        Value::Object(o) => match o.as_value() {
            Some(inner) => set_index(&inner, idx, v),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// A map key: strings as they are, anything else by its `toString()`.
fn key_of(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::Str(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(other.to_java_string()),
    }
}

/// `$value.name(args)`. `Ok(None)` means no such method (the reference stays unresolved).
pub fn call(target: &Value, name: &str, args: &[Value]) -> MethodResult {
    match target {
        Value::Str(s) => {
            let r = string_method(s, name, args)?;
            // Results no larger than a few times their inputs are charged once built; the
            // methods that multiply (concat, replace, split, ...) check before building.
            if let Some(Value::Str(x)) = &r
                && !Rc::ptr_eq(x, s)
            {
                budget::charge(x.len())?;
            }
            Ok(r)
        }
        Value::List(_) => list_method(target, name, args),
        Value::Map(_) => map_method(target, name, args),
        Value::Int(_) | Value::Long(_) | Value::BigInt(_) | Value::Double(_) => {
            number_method(target, name, args)
        }
        Value::Bool(b) => match (name, args) {
            ("toString", []) => some(Value::str(if *b { "true" } else { "false" })),
            ("booleanValue", []) => boolean(*b),
            ("equals", [o]) => boolean(matches!(o, Value::Bool(x) if x == b)),
            ("hashCode", []) => int(if *b { 1231 } else { 1237 }),
            _ => common_method(target, name, args),
        },
        Value::Object(o) => match o.call(name, args)? {
            Outcome::Value(v) => {
                // Host methods build text from their arguments (escaping, encoding).
                if let Value::Str(x) = &v {
                    budget::charge(x.len())?;
                }
                Ok(Some(v))
            }
            Outcome::NoSuchMember => common_method(target, name, args),
        },
        Value::Block(_) | Value::Null => Ok(None),
    }
}

/// Methods every Java object has.
fn common_method(target: &Value, name: &str, args: &[Value]) -> MethodResult {
    match (name, args) {
        ("toString", []) => some(Value::str(&target.to_java_string())),
        ("equals", [o]) => boolean(
            super::eval::values_equal(Some(target), Some(o)) && {
                std::mem::discriminant(target) == std::mem::discriminant(o)
            },
        ),
        _ => Ok(None),
    }
}

// ---------------------------------------------------------------------- strings

/// UTF-16 length of a string (Java's `length()`).
fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// The string as UTF-16 code units.
fn units(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

/// UTF-16 back to a string. An unpaired surrogate becomes `?`, as Java's UTF-8 encoder
/// writes it.
fn from_units(u: &[u16]) -> String {
    char::decode_utf16(u.iter().copied())
        .map(|r| r.unwrap_or('?'))
        .collect()
}

fn find_units(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
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

fn rfind_units(hay: &[u16], needle: &[u16], from: usize) -> Option<usize> {
    if needle.len() > hay.len() {
        return None;
    }
    let start = from.min(hay.len() - needle.len());
    (0..=start)
        .rev()
        .find(|&i| hay[i..i + needle.len()] == *needle)
}

fn as_int(v: &Value) -> Option<i64> {
    // Java widening only: Integer -> int parameter. Long/Double do not convert.
    match v {
        Value::Int(i) => Some(i64::from(*i)),
        _ => None,
    }
}

fn str_index_error(kind: &str, detail: String) -> MethodError {
    MethodError(format!("java.lang.{kind}: {detail}"))
}

fn substring(s: &str, begin: i64, end: Option<i64>) -> MethodResult {
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

fn string_method(s: &Rc<str>, name: &str, args: &[Value]) -> MethodResult {
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
                    text[from..].find(&**n).map(|i| i + from)
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
fn is_literal_pattern(re: &str) -> bool {
    !re.is_empty() && !re.bytes().any(|b| b"\\^$.|?*+()[]{}".contains(&b))
}

/// Translate the parts of Java's regex syntax that the Rust engine spells differently:
/// `\Q...\E` quoting.
fn translate_java_regex(re: &str) -> String {
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
fn java_replace(
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
fn only_whole_match_refs(rep: &str) -> bool {
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
fn split(text: &str, re: &str, limit: i64) -> MethodResult {
    if is_literal_pattern(re) {
        // Same result as the regex path (Java takes a similar fast path).
        let mut parts: Vec<&str> = if limit > 0 {
            text.splitn(usize::try_from(limit).unwrap_or(usize::MAX), re)
                .collect()
        } else {
            text.split(re).collect()
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

// ---------------------------------------------------------------------- lists and maps

fn list_method(target: &Value, name: &str, args: &[Value]) -> MethodResult {
    let Value::List(l) = target else {
        return Ok(None);
    };
    let out_of_bounds = |i: i64, len: usize| -> MethodResult {
        err(format!(
            "java.lang.IndexOutOfBoundsException: Index {i} out of bounds for length {len}"
        ))
    };
    match (name, args) {
        ("size", []) => int(l.borrow().len() as i64),
        ("isEmpty", []) => boolean(l.borrow().is_empty()),
        ("get", [i]) => {
            let Some(i) = as_int(i) else { return Ok(None) };
            let l = l.borrow();
            match usize::try_from(i).ok().and_then(|i| l.get(i)) {
                Some(v) => Ok(Some(v.clone())),
                None => out_of_bounds(i, l.len()),
            }
        }
        ("contains", [o]) => boolean(l.borrow().iter().any(|v| v.java_equals(o))),
        ("indexOf", [o]) => int(l
            .borrow()
            .iter()
            .position(|v| v.java_equals(o))
            .map_or(-1, |i| i as i64)),
        ("lastIndexOf", [o]) => int(l
            .borrow()
            .iter()
            .rposition(|v| v.java_equals(o))
            .map_or(-1, |i| i as i64)),
        ("add", [v]) => {
            budget::charge(list_bytes(1))?;
            budget::note_insert_list(l, v);
            l.borrow_mut().push(v.clone());
            boolean(true)
        }
        ("add", [i, v]) => {
            let Some(i) = as_int(i) else { return Ok(None) };
            let len = l.borrow().len();
            match usize::try_from(i).ok().filter(|&i| i <= len) {
                Some(i) => {
                    budget::charge(list_bytes(1))?;
                    budget::note_insert_list(l, v);
                    l.borrow_mut().insert(i, v.clone());
                    void()
                }
                None => out_of_bounds(i, len),
            }
        }
        ("set", [i, v]) => {
            let Some(i) = as_int(i) else { return Ok(None) };
            let len = l.borrow().len();
            match usize::try_from(i).ok().filter(|&i| i < len) {
                Some(i) => {
                    budget::note_insert_list(l, v);
                    Ok(Some(std::mem::replace(&mut l.borrow_mut()[i], v.clone())))
                }
                None => out_of_bounds(i, len),
            }
        }
        ("remove", [Value::Int(i)]) => {
            let len = l.borrow().len();
            match usize::try_from(*i).ok().filter(|&i| i < len) {
                Some(i) => Ok(Some(l.borrow_mut().remove(i))),
                None => out_of_bounds(i64::from(*i), len),
            }
        }
        ("remove", [o]) => {
            let pos = l.borrow().iter().position(|v| v.java_equals(o));
            match pos {
                Some(p) => {
                    l.borrow_mut().remove(p);
                    boolean(true)
                }
                None => boolean(false),
            }
        }
        ("addAll", [Value::List(o)]) => {
            budget::charge(list_bytes(o.borrow().len()))?;
            let items: Vec<Value> = o.borrow().to_vec();
            let changed = !items.is_empty();
            budget::note_nesting_list(l);
            l.borrow_mut().extend(items);
            boolean(changed)
        }
        ("containsAll", [Value::List(o)]) => {
            let l = l.borrow();
            boolean(
                o.borrow()
                    .iter()
                    .all(|x| l.iter().any(|v| v.java_equals(x))),
            )
        }
        ("clear", []) => {
            l.borrow_mut().clear();
            void()
        }
        ("subList", [a, b]) => {
            let (Some(a), Some(b)) = (as_int(a), as_int(b)) else {
                return Ok(None);
            };
            let l = l.borrow();
            let len = l.len() as i64;
            if a < 0 || b > len || a > b {
                return err(format!(
                    "java.lang.IndexOutOfBoundsException: fromIndex: {a}, toIndex: {b}, size: {len}"
                ));
            }
            #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
            let part = &l[a as usize..b as usize];
            budget::charge(list_bytes(part.len()))?;
            some(Value::list(part.to_vec()))
        }
        ("toArray", []) => {
            budget::charge(list_bytes(l.borrow().len()))?;
            some(Value::list(l.borrow().to_vec()))
        }
        ("hashCode", []) => int(0),
        _ => common_method(target, name, args),
    }
}

fn map_method(target: &Value, name: &str, args: &[Value]) -> MethodResult {
    let Value::Map(m) = target else {
        return Ok(None);
    };
    match (name, args) {
        ("size", []) => int(m.borrow().len() as i64),
        ("isEmpty", []) => boolean(m.borrow().is_empty()),
        ("get", [k]) => Ok(m.borrow().get(&*key_of(k)).cloned()),
        ("getOrDefault", [k, d]) => Ok(Some(
            m.borrow()
                .get(&*key_of(k))
                .cloned()
                .unwrap_or_else(|| d.clone()),
        )),
        ("containsKey", [k]) => boolean(m.borrow().contains_key(&*key_of(k))),
        ("containsValue", [v]) => boolean(m.borrow().values().any(|x| x.java_equals(v))),
        // Keys are computed before the map is borrowed for writing: a key may be the map
        // itself (its text is the key).
        ("put", [k, v]) => {
            let key: Rc<str> = Rc::from(&*key_of(k));
            budget::charge(key.len() + MAP_ENTRY_BYTES)?;
            budget::note_insert_map(m, v);
            Ok(m.borrow_mut().insert(key, v.clone()))
        }
        ("putIfAbsent", [k, v]) => {
            let key = key_of(k);
            let existing = m.borrow().get(&*key).cloned();
            if existing.is_none() {
                let key: Rc<str> = Rc::from(&*key);
                budget::charge(key.len() + MAP_ENTRY_BYTES)?;
                budget::note_insert_map(m, v);
                m.borrow_mut().insert(key, v.clone());
            }
            Ok(existing)
        }
        ("remove", [k]) => {
            let key = key_of(k).into_owned();
            Ok(m.borrow_mut().shift_remove(key.as_str()))
        }
        ("putAll", [Value::Map(o)]) => {
            budget::charge(o.borrow().len().saturating_mul(MAP_ENTRY_BYTES))?;
            let items: Vec<_> = o
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            budget::note_nesting_map(m);
            m.borrow_mut().extend(items);
            void()
        }
        ("clear", []) => {
            m.borrow_mut().clear();
            void()
        }
        ("keySet" | "values" | "entrySet", [])
            if budget::charge(list_bytes(m.borrow().len()).saturating_mul(2)).is_err() =>
        {
            Err(MethodError(budget::memory_message()))
        }
        ("keySet", []) => some(Value::list(
            m.borrow().keys().map(|k| Value::Str(k.clone())).collect(),
        )),
        ("values", []) => some(Value::list(m.borrow().values().cloned().collect())),
        ("entrySet", []) => some(Value::list(
            m.borrow()
                .iter()
                .map(|(k, v)| {
                    Value::Object(Rc::new(MapEntry {
                        key: k.clone(),
                        value: v.clone(),
                    }))
                })
                .collect(),
        )),
        _ => common_method(target, name, args),
    }
}

/// A `Map.Entry` from `entrySet()`.
struct MapEntry {
    key: Rc<str>,
    value: Value,
}

impl HostObject for MapEntry {
    fn class_name(&self) -> &str {
        "Entry"
    }

    fn property(&self, name: &str) -> Outcome {
        match name {
            "key" => Outcome::Value(Value::Str(self.key.clone())),
            "value" => Outcome::Value(self.value.clone()),
            _ => Outcome::NoSuchMember,
        }
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Outcome, MethodError> {
        Ok(match (name, args) {
            ("getKey", []) => self.property("key"),
            ("getValue", []) => self.property("value"),
            _ => Outcome::NoSuchMember,
        })
    }

    fn write_display(&self, out: &mut String) {
        out.push_str(&self.key);
        out.push('=');
        self.value.write_display(out);
    }
}

// ---------------------------------------------------------------------- numbers

fn number_method(target: &Value, name: &str, args: &[Value]) -> MethodResult {
    match (name, args) {
        ("toString", []) => some(Value::str(&target.to_java_string())),
        ("intValue", []) => match target {
            Value::Double(d) => int(i64::from(java_d2i(*d))),
            _ => int(i64::from(int_of(target) as i32)),
        },
        ("longValue", []) => match target {
            Value::Double(d) => some(Value::Long(java_d2l(*d))),
            _ => some(Value::Long(int_of(target) as i64)),
        },
        ("doubleValue" | "floatValue", []) => some(Value::Double(double_of(target))),
        ("equals", [o]) => boolean(
            std::mem::discriminant(target) == std::mem::discriminant(o) && target.java_equals(o),
        ),
        ("compareTo", [o]) if std::mem::discriminant(target) == std::mem::discriminant(o) => {
            int(match compare_numbers(target, o) {
                Ordering::Less => -1,
                Ordering::Equal => 0,
                Ordering::Greater => 1,
            })
        }
        _ => common_method(target, name, args),
    }
}

#[allow(clippy::cast_possible_truncation)]
fn java_d2i(d: f64) -> i32 {
    // Rust's saturating cast matches Java's d2i (NaN -> 0, saturate at the bounds).
    d as i32
}

#[allow(clippy::cast_possible_truncation)]
fn java_d2l(d: f64) -> i64 {
    d as i64
}

fn int_of(v: &Value) -> i128 {
    match v {
        Value::Int(i) => i128::from(*i),
        Value::Long(l) => i128::from(*l),
        Value::BigInt(b) => **b,
        _ => 0,
    }
}

#[allow(clippy::cast_precision_loss)]
fn double_of(v: &Value) -> f64 {
    match v {
        Value::Double(d) => *d,
        other => int_of(other) as f64,
    }
}

/// The width class of an integer value (Integer < Long < BigInteger).
fn width(v: &Value) -> u8 {
    match v {
        Value::Int(_) => 0,
        Value::Long(_) => 1,
        _ => 2,
    }
}

/// Wrap an integer result in the narrowest type at least as wide as both operands.
fn wrap_integer(n: i128, min_width: u8) -> Value {
    match min_width {
        0 => Value::integer(n),
        1 => match i64::try_from(n) {
            Ok(l) => Value::Long(l),
            Err(_) => Value::BigInt(Box::new(n)),
        },
        _ => Value::BigInt(Box::new(n)),
    }
}

/// Compare two numbers by value.
pub fn compare_numbers(a: &Value, b: &Value) -> Ordering {
    if matches!(a, Value::Double(_)) || matches!(b, Value::Double(_)) {
        double_of(a)
            .partial_cmp(&double_of(b))
            .unwrap_or(Ordering::Equal)
    } else {
        int_of(a).cmp(&int_of(b))
    }
}

/// Velocity's arithmetic (`MathUtils`): integers never wrap (they widen), a Double operand
/// makes a Double, division and modulo by zero give null, non-numbers give null.
pub fn arithmetic(op: BinOp, a: &Value, b: &Value) -> Option<Value> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        // Integer with Integer: 64-bit maths cannot overflow, and the result narrows back.
        let (x, y) = (i64::from(*x), i64::from(*y));
        let r = match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::Div if y == 0 => return None,
            BinOp::Div => x / y,
            BinOp::Mod if y == 0 => return None,
            BinOp::Mod => x % y,
            _ => return None,
        };
        return Some(match i32::try_from(r) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Long(r),
        });
    }
    if !a.is_number() || !b.is_number() {
        return None;
    }
    if matches!(a, Value::Double(_)) || matches!(b, Value::Double(_)) {
        let (x, y) = (double_of(a), double_of(b));
        return Some(Value::Double(match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::Div if y == 0.0 => return None,
            BinOp::Div => x / y,
            BinOp::Mod if y == 0.0 => return None,
            BinOp::Mod => x % y,
            _ => return None,
        }));
    }
    let (x, y) = (int_of(a), int_of(b));
    let w = width(a).max(width(b));
    let r = match op {
        BinOp::Add => x.checked_add(y)?,
        BinOp::Sub => x.checked_sub(y)?,
        BinOp::Mul => x.checked_mul(y)?,
        BinOp::Div if y == 0 => return None,
        BinOp::Div => x / y,
        BinOp::Mod if y == 0 => return None,
        BinOp::Mod => x % y,
        _ => return None,
    };
    Some(wrap_integer(r, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: MethodResult) -> String {
        v.unwrap().unwrap().to_java_string()
    }

    #[test]
    fn split_follows_java() {
        assert_eq!(s(split("a,b,,c", ",", 0)), "[a, b, , c]");
        assert_eq!(s(split("a,b,,", ",", 0)), "[a, b]");
        assert_eq!(s(split("abc", ".", 0)), "[]");
        assert_eq!(s(split(",a", ",", 0)), "[, a]");
        assert_eq!(s(split("abc", "", 0)), "[a, b, c]");
        assert_eq!(s(split("a,b,c", ",", 2)), "[a, b,c]");
        assert_eq!(s(split("", ",", 0)), "[]");
    }

    #[test]
    fn replacement_groups() {
        let re = compile_java_regex("(\\w+)@(\\w+)").unwrap();
        assert_eq!(
            java_replace(&re, "joe@example", "$2 at $1", true).unwrap(),
            "example at joe"
        );
        let re = compile_java_regex("a").unwrap();
        assert!(java_replace(&re, "abc", "$", true).is_err());
        assert_eq!(java_replace(&re, "aXa", "\\$", true).unwrap(), "$X$");
    }

    #[test]
    fn a_map_can_be_its_own_key() {
        let m = Value::map(Default::default());
        assert!(call(&m, "put", &[m.clone(), Value::Int(1)]).is_ok());
        assert_eq!(m.to_java_string(), "{{}=1}");
        let r = call(&m, "remove", std::slice::from_ref(&m)).unwrap();
        assert!(r.is_none());
        set_index(&m, &m.clone(), Value::Int(2)).unwrap();
        assert_eq!(
            call(&m, "size", &[]).unwrap().unwrap().to_java_string(),
            "2"
        );
    }

    #[test]
    fn growth_is_charged_before_it_is_built() {
        let policy = super::super::Policy {
            max_memory_bytes: 1000,
            ..super::super::Policy::velocity()
        };
        let _scope = budget::Scope::enter(&policy);
        let s = Value::str(&"a".repeat(100));
        assert!(
            call(
                &s,
                "replace",
                &[Value::str("a"), Value::str(&"b".repeat(20))]
            )
            .is_err()
        );
        assert!(budget::tripped());
    }

    #[test]
    fn regex_errors_are_one_line() {
        let e = compile_java_regex("(").err().unwrap();
        assert!(!e.0.contains('\n'), "{e:?}");
    }

    #[test]
    fn arithmetic_widens() {
        let r = arithmetic(BinOp::Add, &Value::Int(i32::MAX), &Value::Int(1)).unwrap();
        assert!(matches!(r, Value::Long(2_147_483_648)));
        let r = arithmetic(BinOp::Div, &Value::Int(-7), &Value::Int(2)).unwrap();
        assert!(matches!(r, Value::Int(-3)));
        assert!(arithmetic(BinOp::Mod, &Value::Int(1), &Value::Int(0)).is_none());
    }
}
