//! What every method file shares: the result type and its small constructors, the Java
//! class of a value, map keys, list charging, and the methods every Java object has
//! (`toString`, `equals`). A leaf of `methods/`: it uses only `ops.rs` and `value.rs`.

use crate::vtl::ops::values_equal;
use crate::vtl::value::{MethodError, Outcome, Value};

pub(super) type MethodResult = Result<Option<Value>, MethodError>;

pub(super) fn err<T>(msg: impl Into<String>) -> Result<T, MethodError> {
    Err(MethodError(msg.into()))
}

/// What a `void` method gives back in Velocity 1.7: an empty string.
pub(super) fn void() -> MethodResult {
    Ok(Some(Value::str("")))
}

pub(super) fn some(v: Value) -> MethodResult {
    Ok(Some(v))
}

pub(super) fn boolean(b: bool) -> MethodResult {
    Ok(Some(Value::Bool(b)))
}

pub(super) fn int(i: i64) -> MethodResult {
    Ok(Some(Value::integer(i128::from(i))))
}

pub(super) fn outcome(o: Outcome) -> Option<Value> {
    match o {
        Outcome::Value(v) => Some(v),
        Outcome::NoSuchMember => None,
    }
}

/// The fully qualified Java class of a value.
pub(super) fn java_class(v: &Value) -> String {
    match v {
        Value::List(_) => "java.util.ArrayList".into(),
        Value::Map(_) => "java.util.LinkedHashMap".into(),
        Value::BigInt(_) => "java.math.BigInteger".into(),
        Value::Block(_) => "org.apache.velocity.runtime.directive.Block$Reference".into(),
        other => format!("java.lang.{}", other.class_name()),
    }
}

/// What a list of `n` new elements is charged.
pub(super) fn list_bytes(n: usize) -> usize {
    n.saturating_mul(std::mem::size_of::<Value>())
}

/// A map key: strings as they are, anything else by its `toString()`.
pub(super) fn key_of(v: &Value) -> std::borrow::Cow<'_, str> {
    match v {
        Value::Str(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(other.to_java_string()),
    }
}

/// Methods every Java object has.
pub(super) fn common_method(target: &Value, name: &str, args: &[Value]) -> MethodResult {
    match (name, args) {
        ("toString", []) => some(Value::str(&target.to_java_string())),
        ("equals", [o]) => boolean(
            values_equal(Some(target), Some(o)) && {
                std::mem::discriminant(target) == std::mem::discriminant(o)
            },
        ),
        _ => Ok(None),
    }
}

pub(super) fn as_int(v: &Value) -> Option<i64> {
    // Java widening only: Integer -> int parameter. Long/Double do not convert.
    match v {
        Value::Int(i) => Some(i64::from(*i)),
        _ => None,
    }
}
