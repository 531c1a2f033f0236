//! Runtime values of the VTL engine: the Java objects a Velocity template sees.
//!
//! Velocity works on Java objects: `Integer`, `Long`, `BigInteger`, `Double`, `Boolean`,
//! `String`, `ArrayList`, `LinkedHashMap`, plus whatever the host puts in the context.
//! Lists and maps are shared by reference (a `#set($a = $m)` aliases `$m`), so they live
//! behind `Rc<RefCell<..>>`; strings are immutable and shared through `Rc<str>`.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::rc::Rc;

use indexmap::IndexMap;

use super::budget;

/// A Java `List` (an `ArrayList`), shared by reference.
pub type ListRef = Rc<RefCell<Items>>;
/// A Java `Map` (a `LinkedHashMap`: insertion order), shared by reference.
pub type MapRef = Rc<RefCell<MapItems>>;
/// The entries of a Java map, in insertion order.
pub type JavaMap = IndexMap<Rc<str>, Value, rustc_hash::FxBuildHasher>;

/// The elements of a list. It reads and writes as the `Vec` it holds; dropping it frees
/// nested lists and maps without recursion, so a list nested a million deep cannot
/// overflow the stack when it goes away.
#[derive(Clone, Default)]
pub struct Items(pub Vec<Value>);

/// The entries of a map; like [`Items`], dropped without recursion.
#[derive(Clone, Default)]
pub struct MapItems(pub JavaMap);

impl std::ops::Deref for Items {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.0
    }
}

impl std::ops::DerefMut for Items {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.0
    }
}

/// A new shared list.
pub fn new_list(items: Vec<Value>) -> ListRef {
    Rc::new(RefCell::new(Items(items)))
}

/// A new shared map.
pub fn new_map(entries: JavaMap) -> MapRef {
    Rc::new(RefCell::new(MapItems(entries)))
}

impl From<Vec<Value>> for Items {
    fn from(v: Vec<Value>) -> Items {
        Items(v)
    }
}

impl std::ops::Deref for MapItems {
    type Target = JavaMap;
    fn deref(&self) -> &JavaMap {
        &self.0
    }
}

impl std::ops::DerefMut for MapItems {
    fn deref_mut(&mut self) -> &mut JavaMap {
        &mut self.0
    }
}

impl From<JavaMap> for MapItems {
    fn from(m: JavaMap) -> MapItems {
        MapItems(m)
    }
}

thread_local! {
    /// How many lists and maps are being dropped inside each other on this thread.
    static DROP_DEPTH: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Nesting up to which values are dropped the ordinary (recursive) way; deeper, the rest is
/// dropped with an explicit stack.
const RECURSIVE_DROP_DEPTH: u32 = 128;

/// Drop the elements of a list or map: recursively while shallow (no extra work on the
/// common path), with an explicit stack once deep.
fn drop_values(values: Vec<Value>) {
    let depth = DROP_DEPTH.get();
    if depth < RECURSIVE_DROP_DEPTH {
        DROP_DEPTH.set(depth + 1);
        drop(values);
        DROP_DEPTH.set(depth);
    } else {
        drop_flat(values);
    }
}

impl Drop for Items {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            drop_values(std::mem::take(&mut self.0));
        }
    }
}

impl Drop for MapItems {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            let depth = DROP_DEPTH.get();
            if depth < RECURSIVE_DROP_DEPTH {
                DROP_DEPTH.set(depth + 1);
                drop(std::mem::take(&mut self.0));
                DROP_DEPTH.set(depth);
            } else {
                drop_flat(std::mem::take(&mut self.0).into_values().collect());
            }
        }
    }
}

/// Drop values with an explicit stack: the containers this was the last owner of give up
/// their elements to the stack before they are freed (empty).
fn drop_flat(mut stack: Vec<Value>) {
    while let Some(v) = stack.pop() {
        match v {
            Value::List(rc) => {
                if let Ok(cell) = Rc::try_unwrap(rc) {
                    stack.append(&mut cell.into_inner().0);
                }
            }
            Value::Map(rc) => {
                if let Ok(cell) = Rc::try_unwrap(rc) {
                    let m = std::mem::take(&mut cell.into_inner().0);
                    stack.extend(m.into_values());
                }
            }
            Value::Object(o) => {
                // A host object standing for a list or map (a JSON array) holds it shared.
                if Rc::strong_count(&o) == 1
                    && let Some(inner) = o.as_value()
                {
                    drop(o);
                    stack.push(inner);
                }
            }
            _ => {}
        }
    }
}

/// Whether two names (variable names, map keys) are equal: the same as `a == b`, without a
/// call into the C library's `memcmp` for the short names templates use (the check that a
/// slot hint still holds runs for almost every reference).
#[inline]
pub(crate) fn names_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], i: usize| -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        u64::from_ne_bytes(w)
    };
    match n {
        0..8 => a.iter().zip(b).all(|(x, y)| x == y),
        8..=16 => word(a, 0) == word(b, 0) && word(a, n - 8) == word(b, n - 8),
        _ => a == b,
    }
}

/// One value as a template sees it.
///
/// `repr(C, u64)` makes the tag one whole word with every payload aligned after it: with the
/// default layout a `Bool` sits at offset 1, and with a one-byte tag the seven bytes after it
/// are copied too (as two overlapping 4-byte moves); either way moving a value (an
/// `Option<Value>` returned through a `Result`) compiled to overlapping unaligned loads and
/// stores that stall store forwarding on the hot path.
#[derive(Clone)]
#[repr(C, u64)]
pub enum Value {
    /// Java `null` (an element of a list or map; an unresolved reference is `None` instead).
    Null,
    /// `java.lang.Boolean`.
    Bool(bool),
    /// `java.lang.Integer`.
    Int(i32),
    /// `java.lang.Long`.
    Long(i64),
    /// `java.math.BigInteger` (held as 128 bits: wider values are out of scope).
    BigInt(Box<i128>),
    /// `java.lang.Double`.
    Double(f64),
    /// `java.lang.String`.
    Str(Rc<str>),
    /// `java.util.List`.
    List(ListRef),
    /// `java.util.Map` with string keys.
    Map(MapRef),
    /// A `#define` block or a block macro's `$bodyContent`: rendered each time it is printed.
    Block(Rc<BlockValue>),
    /// An object supplied by the host (`$input`, `$util`, a map entry, `$foreach`, ...).
    Object(Rc<dyn HostObject>),
}

/// A block of template nodes stored as a value (`#define`, `$bodyContent`), rendered when
/// printed. Values do not know the syntax tree (the tree holds values, not the other way
/// round): the evaluator stores its block here and reads it back.
pub struct BlockValue {
    body: Box<dyn std::any::Any>,
}

impl BlockValue {
    /// A block value holding `body` (the evaluator's nodes).
    pub fn new<T: 'static>(body: T) -> BlockValue {
        BlockValue {
            body: Box::new(body),
        }
    }

    /// The body, when it is a `T`.
    pub fn body<T: 'static>(&self) -> Option<&T> {
        self.body.downcast_ref()
    }
}

/// What a property read or method call on a host object produced.
pub enum Outcome {
    /// A value (possibly `Value::Null`, which prints as the reference's literal text).
    Value(Value),
    /// The object has no such property or method: the reference stays unresolved.
    NoSuchMember,
}

pub use super::error::MethodError;

/// An object supplied by the host: API Gateway's `$input`, `$util`, `$context` and the
/// engine's own helper objects. Methods get already evaluated arguments.
pub trait HostObject {
    /// Java class name, for messages.
    fn class_name(&self) -> &str;
    /// `$obj.name` (Velocity tries `getName()`, `getname()`, `isName()`, then `get("name")`).
    fn property(&self, name: &str) -> Outcome;
    /// `$obj.name(args)`.
    fn call(&self, name: &str, args: &[Value]) -> Result<Outcome, MethodError>;
    /// `toString()`.
    fn write_display(&self, out: &mut String);
    /// When the object stands for a Java `Map` or `List`, its entries (used by `#foreach`,
    /// `==` and printing inside collections). The default is "not a collection".
    fn as_value(&self) -> Option<Value> {
        None
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_display(&mut s);
        write!(f, "{}({s})", self.class_name())
    }
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    /// A new list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(new_list(items))
    }

    /// A new map value.
    pub fn map(entries: JavaMap) -> Value {
        Value::Map(new_map(entries))
    }

    /// An integer the way Velocity types a whole number: Integer, else Long, else BigInteger.
    pub fn integer(n: i128) -> Value {
        if let Ok(i) = i32::try_from(n) {
            Value::Int(i)
        } else if let Ok(l) = i64::try_from(n) {
            Value::Long(l)
        } else {
            Value::BigInt(Box::new(n))
        }
    }

    /// The Java class name (simple name), for messages.
    pub fn class_name(&self) -> &str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Long(_) => "Long",
            Value::BigInt(_) => "BigInteger",
            Value::Double(_) => "Double",
            Value::Str(_) => "String",
            Value::List(_) => "ArrayList",
            Value::Map(_) => "LinkedHashMap",
            Value::Block(_) => "Block",
            Value::Object(o) => o.class_name(),
        }
    }

    /// Whether this is Java null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is a `java.lang.Number`.
    pub fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Int(_) | Value::Long(_) | Value::BigInt(_) | Value::Double(_)
        )
    }

    /// The string, if this is a `String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Write Java's `toString()` of the value. Blocks need the renderer and print as their
    /// class here; the renderer handles them itself.
    ///
    /// A list or map that holds itself prints `(this Collection)` / `(this Map)` there, as
    /// Java's `AbstractCollection`/`AbstractMap` do. Nesting deeper than the render's depth
    /// limit (an indirect cycle, where Java overflows its stack) or output past the memory
    /// budget stops the printing and trips the budget (see [`super::budget`]).
    pub fn write_display(&self, out: &mut String) {
        let start = out.len();
        self.write_display_in(out, budget::base_depth(), start);
    }

    fn write_display_in(&self, out: &mut String, depth: usize, start: usize) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Value::Long(i) => out.push_str(itoa::Buffer::new().format(*i)),
            Value::BigInt(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Double(d) => write_java_double(*d, out),
            Value::Str(s) => out.push_str(s),
            Value::List(l) => {
                if !budget::depth_ok(depth) {
                    return;
                }
                out.push('[');
                for (i, v) in l.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    match v {
                        Value::List(x) if Rc::ptr_eq(x, l) => out.push_str("(this Collection)"),
                        v => v.write_display_in(out, depth + 1, start),
                    }
                    if !printing_ok(out, start) {
                        return;
                    }
                }
                out.push(']');
            }
            Value::Map(m) => {
                if !budget::depth_ok(depth) {
                    return;
                }
                out.push('{');
                for (i, (k, v)) in m.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push('=');
                    match v {
                        Value::Map(x) if Rc::ptr_eq(x, m) => out.push_str("(this Map)"),
                        v => v.write_display_in(out, depth + 1, start),
                    }
                    if !printing_ok(out, start) {
                        return;
                    }
                }
                out.push('}');
            }
            Value::Block(_) => out.push_str("Block"),
            Value::Object(o) => {
                if !budget::depth_ok(depth) {
                    return;
                }
                let _nested = budget::Nested::at(depth + 1);
                o.write_display(out);
            }
        }
    }

    /// Java's `toString()` as a new string.
    pub fn to_java_string(&self) -> String {
        let mut s = String::new();
        self.write_display(&mut s);
        s
    }

    /// Structural `equals()` as Java collections define it. Comparing deeper than the
    /// render's depth limit (two lists that each hold themselves: Java overflows its stack)
    /// answers `false` and trips the budget.
    pub fn java_equals(&self, other: &Value) -> bool {
        self.equals_in(other, 0)
    }

    fn equals_in(&self, other: &Value, depth: usize) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Long(a), Value::Long(b)) => a == b,
            (Value::BigInt(a), Value::BigInt(b)) => a == b,
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits() || a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                Rc::ptr_eq(a, b) || {
                    let (a, b) = (a.borrow(), b.borrow());
                    a.len() == b.len()
                        && budget::depth_ok(depth)
                        && budget::step_or_trip(a.len() as u64)
                        && a.iter()
                            .zip(b.iter())
                            .all(|(x, y)| x.equals_in(y, depth + 1))
                }
            }
            (Value::Map(a), Value::Map(b)) => {
                Rc::ptr_eq(a, b) || {
                    let (a, b) = (a.borrow(), b.borrow());
                    a.len() == b.len()
                        && budget::depth_ok(depth)
                        && budget::step_or_trip(a.len() as u64)
                        && a.iter()
                            .all(|(k, v)| b.get(k).is_some_and(|w| v.equals_in(w, depth + 1)))
                }
            }
            (Value::Block(a), Value::Block(b)) => Rc::ptr_eq(a, b),
            (Value::Object(a), Value::Object(b)) => std::ptr::addr_eq(Rc::as_ptr(a), Rc::as_ptr(b)),
            _ => false,
        }
    }
}

/// Whether printing may go on: stops (tripping the budget) once the text printed by this
/// call outgrows what the memory budget has left, or once the budget tripped.
#[inline]
fn printing_ok(out: &str, start: usize) -> bool {
    if budget::tripped() {
        return false;
    }
    if out.len() - start > budget::remaining() {
        budget::trip(budget::memory_message());
        return false;
    }
    true
}

/// Write a double exactly as Java's `Double.toString` does: shortest digits that round-trip,
/// plain notation for 10^-3 <= |d| < 10^7, otherwise `d.dddE±n`, always one decimal.
pub fn write_java_double(d: f64, out: &mut String) {
    if d.is_nan() {
        out.push_str("NaN");
        return;
    }
    if d.is_infinite() {
        out.push_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if d == 0.0 {
        out.push_str(if d.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.2345e-5", "1e7".
    let sci = format!("{d:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (neg, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if neg {
        out.push('-');
    }
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        if exp >= 0 {
            let int_len = usize::try_from(exp).unwrap_or(0) + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        let _ = write!(out, "E{exp}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jd(d: f64) -> String {
        let mut s = String::new();
        write_java_double(d, &mut s);
        s
    }

    #[test]
    fn names_eq_is_string_equality() {
        let names = [
            "",
            "a",
            "b",
            "ab",
            "abcdefg",
            "abcdefh",
            "abcdefgh",
            "abcdefgi",
            "bbcdefgh",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "xbcdefghijklmnop",
            "abcdefghXjklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopr",
            "é",
            "ée",
        ];
        for a in names {
            for b in names {
                assert_eq!(names_eq(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn java_double_formatting() {
        assert_eq!(jd(1.0), "1.0");
        assert_eq!(jd(3.5), "3.5");
        assert_eq!(jd(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(jd(1_234_567.0), "1234567.0");
        assert_eq!(jd(1e7), "1.0E7");
        assert_eq!(jd(1e20), "1.0E20");
        assert_eq!(jd(0.0001), "1.0E-4");
        assert_eq!(jd(0.001), "0.001");
        assert_eq!(jd(-2.5e-5), "-2.5E-5");
        assert_eq!(jd(1500.0), "1500.0");
        assert_eq!(jd(12.25), "12.25");
        assert_eq!(jd(-0.0), "-0.0");
        assert_eq!(jd(123_456_789.0), "1.23456789E8");
    }

    #[test]
    fn collections_print_like_java() {
        let mut m = JavaMap::default();
        m.insert(Rc::from("a"), Value::Int(1));
        m.insert(
            Rc::from("b"),
            Value::list(vec![Value::Null, Value::Double(1.5)]),
        );
        assert_eq!(Value::map(m).to_java_string(), "{a=1, b=[null, 1.5]}");
    }

    #[test]
    fn self_containing_collections_print_like_java() {
        let l = Value::list(vec![Value::Int(1)]);
        if let Value::List(r) = &l {
            r.borrow_mut().push(l.clone());
        }
        assert_eq!(l.to_java_string(), "[1, (this Collection)]");
        assert!(l.java_equals(&l.clone()));
        let m = Value::map(JavaMap::default());
        if let Value::Map(r) = &m {
            r.borrow_mut().insert(Rc::from("a"), m.clone());
        }
        assert_eq!(m.to_java_string(), "{a=(this Map)}");
        // Break the cycles so the test does not leak.
        if let (Value::List(a), Value::Map(b)) = (&l, &m) {
            a.borrow_mut().clear();
            b.borrow_mut().clear();
        }
    }

    #[test]
    fn deep_values_print_to_the_limit_and_drop_without_recursion() {
        let mut v = Value::Null;
        for _ in 0..200_000 {
            v = Value::list(vec![v]);
        }
        let _scope = budget::Scope::enter(&super::super::Policy::velocity());
        let text = v.to_java_string();
        assert!(budget::tripped());
        assert!(text.len() < 4000);
        drop(v);
        let handle = std::thread::Builder::new()
            .stack_size(128 << 10)
            .spawn(|| {
                let mut v = Value::Null;
                for _ in 0..200_000 {
                    let mut m = JavaMap::default();
                    m.insert(Rc::from("a"), Value::list(vec![v]));
                    v = Value::map(m);
                }
                drop(v);
            })
            .unwrap();
        assert!(handle.join().is_ok());
    }
}

#[cfg(test)]
mod layout_tests {
    #[test]
    fn values_stay_small() {
        assert_eq!(std::mem::size_of::<super::Value>(), 24);
        assert!(std::mem::size_of::<Option<super::Value>>() <= 24);
    }
}
