//! The variables a template sees, and the conversion of JSON into Java-like values.

use std::rc::Rc;

use indexmap::IndexMap;
use rustc_hash::FxBuildHasher;

use super::value::{JavaMap, Value, names_eq};

/// Template variables by name (without `$`).
///
/// Entries keep their position for the life of the context (a removed variable becomes a
/// null entry), so a reference can remember where its variable lives and skip the hashed
/// lookup next time (see [`Context::get_hinted`]).
#[derive(Default, Clone)]
pub struct Context {
    vars: IndexMap<Rc<str>, Value, FxBuildHasher>,
}

impl Drop for Context {
    fn drop(&mut self) {
        // A list or map that holds itself, kept only by this context, is freed with it.
        if super::cycles::has_pending() {
            drop(std::mem::take(&mut self.vars));
            super::cycles::collect_pending();
        }
    }
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Context::default()
    }

    /// Build a context from a JSON object the way `gatebench render --context` does: each
    /// top-level key is a variable; a top-level `null` leaves the variable undefined.
    pub fn from_json_object(obj: &serde_json::Map<String, serde_json::Value>) -> Self {
        let mut ctx = Context::new();
        for (k, v) in obj {
            if !v.is_null() {
                ctx.insert(k.as_str(), from_json(v));
            }
        }
        ctx
    }

    /// Set a variable.
    pub fn insert(&mut self, name: impl Into<Rc<str>>, value: Value) {
        self.vars.insert(name.into(), value);
    }

    /// Set a variable whose name the caller already holds (no new key when it exists).
    pub(crate) fn set(&mut self, name: &Rc<str>, value: Value) {
        if let Some(slot) = self.vars.get_mut(&**name) {
            *slot = value;
        } else {
            self.vars.insert(name.clone(), value);
        }
    }

    /// Set a variable, trying the entry at `hint` first (as [`Context::get_hinted`] reads);
    /// the hint is updated after a hashed lookup.
    pub(crate) fn set_hinted(&mut self, name: &Rc<str>, hint: &std::cell::Cell<u32>, value: Value) {
        if let Some((k, v)) = self.vars.get_index_mut(hint.get() as usize)
            && (Rc::ptr_eq(k, name) || names_eq(k, name))
        {
            *v = value;
            return;
        }
        let i = match self.vars.get_full_mut(&**name) {
            Some((i, _, slot)) => {
                *slot = value;
                i
            }
            None => self.vars.insert_full(name.clone(), value).0,
        };
        hint.set(u32::try_from(i).unwrap_or(0));
    }

    /// The position of a variable's entry, made (holding null: undefined) when there is
    /// none. Entries never move, so the position stays valid for the life of the context.
    pub(crate) fn slot(&mut self, name: &Rc<str>) -> usize {
        match self.vars.get_index_of(&**name) {
            Some(i) => i,
            None => self.vars.insert_full(name.clone(), Value::Null).0,
        }
    }

    /// Set the variable at `slot` (from [`Context::slot`]); `Value::Null` undefines it.
    pub(crate) fn set_slot(&mut self, slot: usize, value: Value) -> Option<Value> {
        let v = self.vars.get_index_mut(slot)?.1;
        let old = std::mem::replace(v, value);
        (!old.is_null()).then_some(old)
    }

    /// Read a variable.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.vars.get(name).filter(|v| !v.is_null())
    }

    /// Read a variable, trying the entry at `hint` first; the hint is updated after a hashed
    /// lookup. Names interned by the parser compare by pointer.
    pub(crate) fn get_hinted(&self, name: &Rc<str>, hint: &std::cell::Cell<u32>) -> Option<&Value> {
        if let Some((k, v)) = self.vars.get_index(hint.get() as usize)
            && (Rc::ptr_eq(k, name) || names_eq(k, name))
        {
            return (!v.is_null()).then_some(v);
        }
        let (i, _, v) = self.vars.get_full(&**name)?;
        hint.set(u32::try_from(i).unwrap_or(0));
        (!v.is_null()).then_some(v)
    }

    /// Remove a variable.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let slot = self.vars.get_mut(name)?;
        let old = std::mem::replace(slot, Value::Null);
        (!old.is_null()).then_some(old)
    }
}

/// Convert JSON to the Java objects Velocity would see: object -> map in key order,
/// array -> list, whole number -> Integer (Long, then BigInteger, when it does not fit),
/// other number -> Double, boolean -> Boolean, `null` -> null.
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::integer(i128::from(i))
            } else if let Some(u) = n.as_u64() {
                Value::integer(i128::from(u))
            } else {
                Value::Double(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::Str(Rc::from(s.as_str())),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            let mut m = JavaMap::with_capacity_and_hasher(o.len(), rustc_hash::FxBuildHasher);
            for (k, v) in o {
                m.insert(Rc::from(k.as_str()), from_json(v));
            }
            Value::map(m)
        }
    }
}
