//! Properties and indexes: `$value.name`, `$value[index]`, and `#set` on them (with the
//! memory budget charged for what grows).

use std::rc::Rc;

use crate::vtl::budget;
use crate::vtl::cycles;
use crate::vtl::ops::MAP_ENTRY_BYTES;
use crate::vtl::value::{JavaMap, MethodError, Value, names_eq};

use super::common::{MethodResult, err, java_class, key_of, list_bytes, outcome};
use super::dispatch::call;

/// `$value.name` with a slot hint: on a map, the entry at the hinted position is checked
/// first, and the hint is updated after a hashed lookup.
pub fn property_cached(target: &Value, name: &str, hint: &std::cell::Cell<u32>) -> Option<Value> {
    if let Value::Map(m) = target {
        return map_entry(&m.borrow(), name, hint).cloned();
    }
    property(target, name)
}

/// The entry `name` of a map, borrowed, trying the slot at `hint` first (see
/// [`property_cached`]).
#[inline]
pub fn map_entry<'m>(m: &'m JavaMap, name: &str, hint: &std::cell::Cell<u32>) -> Option<&'m Value> {
    if let Some((k, v)) = m.get_index(hint.get() as usize)
        && names_eq(k, name)
    {
        return Some(v);
    }
    let (i, _, v) = m.get_full(name)?;
    hint.set(u32::try_from(i).unwrap_or(0));
    Some(v)
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
            cycles::note_insert_map(m, &v);
            m.borrow_mut().insert(Rc::from(name), v);
        }
        Value::Object(o) => {
            if let Some(Value::Map(m)) = o.as_value() {
                budget::charge(name.len() + MAP_ENTRY_BYTES)?;
                cycles::note_insert_map(&m, &v);
                m.borrow_mut().insert(Rc::from(name), v);
            }
        }
        _ => {}
    }
    Ok(())
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
                    cycles::note_insert_list(l_ref, &v);
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
            cycles::note_insert_map(m, &v);
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
