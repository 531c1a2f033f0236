//! What the evaluator and the methods both need, so that the arrows run one way
//! (`eval` -> `methods` -> `ops`, `eval` -> `ops`): Velocity's `==`, number comparison and
//! arithmetic (`MathUtils`: widening, never wrapping), the numeric conversions they use, and
//! what a map entry is charged to the memory budget.

use std::cmp::Ordering;

use super::ast::BinOp;
use super::value::Value;

/// What a map entry is charged to the memory budget (its key and value slots and hash).
pub(crate) const MAP_ENTRY_BYTES: usize = 64;

/// Velocity's `==`: two nulls are equal; numbers compare by value; values of the same
/// class use `equals()`; values of different classes compare their `toString()`.
pub(crate) fn values_equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (None, None) => true,
        (None, _) | (_, None) => false,
        (Some(a), Some(b)) => {
            if a.is_number() && b.is_number() {
                return compare_numbers(a, b).is_eq();
            }
            if std::mem::discriminant(a) == std::mem::discriminant(b) {
                if let (Value::Object(x), Value::Object(y)) = (a, b)
                    && x.class_name() != y.class_name()
                {
                    return a.to_java_string() == b.to_java_string();
                }
                return a.java_equals(b);
            }
            a.to_java_string() == b.to_java_string()
        }
    }
}

pub(crate) fn int_of(v: &Value) -> i128 {
    match v {
        Value::Int(i) => i128::from(*i),
        Value::Long(l) => i128::from(*l),
        Value::BigInt(b) => **b,
        _ => 0,
    }
}

#[allow(clippy::cast_precision_loss)]
pub(crate) fn double_of(v: &Value) -> f64 {
    match v {
        Value::Double(d) => *d,
        other => int_of(other) as f64,
    }
}

/// The width class of an integer value (Integer < Long < BigInteger).
pub(crate) fn width(v: &Value) -> u8 {
    match v {
        Value::Int(_) => 0,
        Value::Long(_) => 1,
        _ => 2,
    }
}

/// Wrap an integer result in the narrowest type at least as wide as both operands.
pub(crate) fn wrap_integer(n: i128, min_width: u8) -> Value {
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

    #[test]
    fn arithmetic_widens() {
        let r = arithmetic(BinOp::Add, &Value::Int(i32::MAX), &Value::Int(1)).unwrap();
        assert!(matches!(r, Value::Long(2_147_483_648)));
        let r = arithmetic(BinOp::Div, &Value::Int(-7), &Value::Int(2)).unwrap();
        assert!(matches!(r, Value::Int(-3)));
        assert!(arithmetic(BinOp::Mod, &Value::Int(1), &Value::Int(0)).is_none());
    }
}
