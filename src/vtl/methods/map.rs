//! `java.util.LinkedHashMap` methods, and the `Map.Entry` objects `entrySet()` yields.

use std::rc::Rc;

use crate::vtl::budget;
use crate::vtl::cycles;
use crate::vtl::ops::MAP_ENTRY_BYTES;
use crate::vtl::value::{HostObject, MethodError, Outcome, Value};

use super::common::{MethodResult, boolean, common_method, int, key_of, list_bytes, some, void};

pub(super) fn map_method(target: &Value, name: &str, args: &[Value]) -> MethodResult {
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
            cycles::note_insert_map(m, v);
            Ok(m.borrow_mut().insert(key, v.clone()))
        }
        ("putIfAbsent", [k, v]) => {
            let key = key_of(k);
            let existing = m.borrow().get(&*key).cloned();
            if existing.is_none() {
                let key: Rc<str> = Rc::from(&*key);
                budget::charge(key.len() + MAP_ENTRY_BYTES)?;
                cycles::note_insert_map(m, v);
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
            cycles::note_nesting_map(m);
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
pub(super) struct MapEntry {
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
