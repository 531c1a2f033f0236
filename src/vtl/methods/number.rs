//! `Integer`/`Long`/`BigInteger`/`Double` methods (`intValue`, `compareTo`, ...), with
//! Java's narrowing casts.

use std::cmp::Ordering;

use crate::vtl::ops::{compare_numbers, double_of, int_of};
use crate::vtl::value::Value;

use super::common::{MethodResult, boolean, common_method, int, some};

pub(super) fn number_method(target: &Value, name: &str, args: &[Value]) -> MethodResult {
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
pub(super) fn java_d2i(d: f64) -> i32 {
    // Rust's saturating cast matches Java's d2i (NaN -> 0, saturate at the bounds).
    d as i32
}

#[allow(clippy::cast_possible_truncation)]
pub(super) fn java_d2l(d: f64) -> i64 {
    d as i64
}
