//! `java.util.ArrayList` methods.

use crate::vtl::budget;
use crate::vtl::cycles;
use crate::vtl::value::Value;

use super::common::{
    MethodResult, as_int, boolean, common_method, err, int, list_bytes, some, void,
};

pub(super) fn list_method(target: &Value, name: &str, args: &[Value]) -> MethodResult {
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
            cycles::note_insert_list(l, v);
            l.borrow_mut().push(v.clone());
            boolean(true)
        }
        ("add", [i, v]) => {
            let Some(i) = as_int(i) else { return Ok(None) };
            let len = l.borrow().len();
            match usize::try_from(i).ok().filter(|&i| i <= len) {
                Some(i) => {
                    budget::charge(list_bytes(1))?;
                    cycles::note_insert_list(l, v);
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
                    cycles::note_insert_list(l, v);
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
            cycles::note_nesting_list(l);
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
