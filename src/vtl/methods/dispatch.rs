//! `$value.name(args)`: picks the method family by the value's type (string, list, map,
//! number, boolean, host object) and charges what a method built.

use std::rc::Rc;

use crate::vtl::budget;
use crate::vtl::value::{Outcome, Value};

use super::common::{MethodResult, boolean, common_method, int, some};
use super::list::list_method;
use super::map::map_method;
use super::number::number_method;
use super::string::string_method;

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
