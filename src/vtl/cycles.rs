//! Cycles of lists and maps, freed as Java's collector would free them.
//!
//! A render remembers the lists and maps it puts a list or map into (only those can close a
//! cycle), and when it ends ([`Tracking`] dropped) frees what only its own cycles keep alive
//! (`Rc` cannot). Containers still reachable then are looked at again when a context is
//! dropped ([`collect_pending`]).

use std::cell::{Cell, RefCell};

use super::value::{ListRef, MapRef, Value};

thread_local! {
    /// Whether a render is running (containers it nests into are remembered).
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// The lists and maps the render put a container into (only they can close a cycle),
    /// for the cycle collection at its end.
    static BUILT: RefCell<Vec<Built>> = const { RefCell::new(Vec::new()) };
    /// Whether the render put a list, map or object into an existing list or map (only
    /// then can it have built a cycle).
    static NESTING: Cell<bool> = const { Cell::new(false) };
    /// Containers of past renders that may be in a cycle and were still reachable when their
    /// render ended (from the context, usually): looked at again when a context is dropped.
    static PENDING: RefCell<Vec<Built>> = const { RefCell::new(Vec::new()) };
}

/// Most containers kept for a later look (older ones are forgotten: a bound, not a promise).
const MAX_PENDING: usize = 1 << 20;

/// `v` is being put into the existing list `target`: when it is a container, `target` may
/// now be in a cycle, and is looked at when the render ends (even if the caller built it).
#[inline]
pub fn note_insert_list(target: &ListRef, v: &Value) {
    if matches!(v, Value::List(_) | Value::Map(_) | Value::Object(_)) {
        note_nesting_list(target);
    }
}

/// `v` is being put into the existing map `target` (see [`note_insert_list`]).
#[inline]
pub fn note_insert_map(target: &MapRef, v: &Value) {
    if matches!(v, Value::List(_) | Value::Map(_) | Value::Object(_)) {
        note_nesting_map(target);
    }
}

/// Values are being put into the existing list `target` (`addAll`).
pub fn note_nesting_list(target: &ListRef) {
    NESTING.set(true);
    if ACTIVE.get() {
        BUILT.with(|b| {
            b.borrow_mut()
                .push(Built::List(std::rc::Rc::downgrade(target)))
        });
    }
}

/// Values are being put into the existing map `target` (`putAll`).
pub fn note_nesting_map(target: &MapRef) {
    NESTING.set(true);
    if ACTIVE.get() {
        BUILT.with(|b| {
            b.borrow_mut()
                .push(Built::Map(std::rc::Rc::downgrade(target)))
        });
    }
}

/// A list or map a render put a container into.
enum Built {
    List(std::rc::Weak<RefCell<super::value::Items>>),
    Map(std::rc::Weak<RefCell<super::value::MapItems>>),
}

/// A live list or map found by the collection.
enum Live {
    List(ListRef),
    Map(MapRef),
}

impl Live {
    fn addr(&self) -> usize {
        match self {
            Live::List(l) => std::rc::Rc::as_ptr(l).cast::<u8>() as usize,
            Live::Map(m) => std::rc::Rc::as_ptr(m).cast::<u8>() as usize,
        }
    }

    fn strong(&self) -> usize {
        match self {
            Live::List(l) => std::rc::Rc::strong_count(l),
            Live::Map(m) => std::rc::Rc::strong_count(m),
        }
    }

    /// The lists and maps this one holds directly.
    fn children(&self, mut f: impl FnMut(usize)) {
        let mut visit = |v: &Value| match v {
            Value::List(l) => f(std::rc::Rc::as_ptr(l).cast::<u8>() as usize),
            Value::Map(m) => f(std::rc::Rc::as_ptr(m).cast::<u8>() as usize),
            _ => {}
        };
        // A container borrowed elsewhere shows no children: its references are then not
        // subtracted, which only keeps more alive.
        match self {
            Live::List(l) => {
                if let Ok(l) = l.try_borrow() {
                    l.iter().for_each(&mut visit);
                }
            }
            Live::Map(m) => {
                if let Ok(m) = m.try_borrow() {
                    m.values().for_each(&mut visit);
                }
            }
        }
    }

    /// The lists and maps this one holds directly, as handles.
    fn child_handles(&self, out: &mut Vec<Live>) {
        let mut visit = |v: &Value| match v {
            Value::List(l) => out.push(Live::List(l.clone())),
            Value::Map(m) => out.push(Live::Map(m.clone())),
            _ => {}
        };
        match self {
            Live::List(l) => {
                if let Ok(l) = l.try_borrow() {
                    l.iter().for_each(&mut visit);
                }
            }
            Live::Map(m) => {
                if let Ok(m) = m.try_borrow() {
                    m.values().for_each(&mut visit);
                }
            }
        }
    }

    fn clear(&self) {
        match self {
            Live::List(l) => {
                let items = l.try_borrow_mut().map(|mut l| std::mem::take(&mut l.0));
                drop(items);
            }
            Live::Map(m) => {
                let entries = m.try_borrow_mut().map(|mut m| std::mem::take(&mut m.0));
                drop(entries);
            }
        }
    }
}

/// Free the lists and maps that only cycles keep alive (`Rc` cannot free a list that holds
/// itself; Java's collector would). Every cycle passes through a container the render put a
/// container into, so trial deletion runs over those and everything they reach: references
/// from inside that set are subtracted from each count; what still has references is
/// reachable from outside (the context, the caller, a host object) and stays, with everything
/// it reaches; the rest is garbage and is emptied, which breaks its cycles.
fn collect_cycles() {
    let built = BUILT.with(|b| std::mem::take(&mut *b.borrow_mut()));
    if !NESTING.replace(false) {
        return;
    }
    let survivors = trial_deletion(&built);
    drop(built);
    keep_pending(survivors);
}

/// Look again at the containers of past renders that were still reachable when their render
/// ended: a [`super::Context`] calls this once it dropped its variables, so that a list that
/// holds itself and was only kept by the context is freed with it.
pub fn collect_pending() {
    let pending = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    if pending.is_empty() {
        return;
    }
    let survivors = trial_deletion(&pending);
    drop(pending);
    keep_pending(survivors);
}

/// Whether [`collect_pending`] has anything to look at.
pub fn has_pending() -> bool {
    PENDING.with(|p| !p.borrow().is_empty())
}

fn keep_pending(mut survivors: Vec<Built>) {
    if survivors.is_empty() {
        return;
    }
    PENDING.with(|p| {
        let mut p = p.borrow_mut();
        p.append(&mut survivors);
        if p.len() > MAX_PENDING {
            let extra = p.len() - MAX_PENDING;
            p.drain(..extra);
        }
    });
}

/// Trial deletion over `built` (see [`collect_cycles`]); returns the containers that stay.
/// Safe at any time: every reference held outside the remembered containers (a context, a
/// local, a host object) counts as external and keeps its target.
fn trial_deletion(built: &[Built]) -> Vec<Built> {
    let mut live: Vec<Live> = Vec::new();
    let mut index: rustc_hash::FxHashMap<usize, usize> = rustc_hash::FxHashMap::default();
    for b in built {
        let l = match b {
            Built::List(w) => w.upgrade().map(Live::List),
            Built::Map(w) => w.upgrade().map(Live::Map),
        };
        if let Some(l) = l
            && !index.contains_key(&l.addr())
        {
            index.insert(l.addr(), live.len());
            live.push(l);
        }
    }
    if live.is_empty() {
        return Vec::new();
    }
    // With everything they reach: a cycle may pass through containers the render did not
    // build (the caller's), whose references must be subtracted too.
    let mut i = 0;
    let mut kids = Vec::new();
    while i < live.len() {
        live[i].child_handles(&mut kids);
        for k in kids.drain(..) {
            if let std::collections::hash_map::Entry::Vacant(e) = index.entry(k.addr()) {
                e.insert(live.len());
                live.push(k);
            }
        }
        i += 1;
    }
    // Our own `live` handle is one reference.
    let mut refs: Vec<usize> = live.iter().map(|l| l.strong() - 1).collect();
    for l in &live {
        l.children(|addr| {
            if let Some(&j) = index.get(&addr) {
                refs[j] = refs[j].saturating_sub(1);
            }
        });
    }
    let mut reachable = vec![false; live.len()];
    let mut stack: Vec<usize> = (0..live.len()).filter(|&i| refs[i] > 0).collect();
    for &i in &stack {
        reachable[i] = true;
    }
    while let Some(i) = stack.pop() {
        live[i].children(|addr| {
            if let Some(&j) = index.get(&addr)
                && !reachable[j]
            {
                reachable[j] = true;
                stack.push(j);
            }
        });
    }
    let mut survivors = Vec::new();
    for (l, keep) in live.iter().zip(&reachable) {
        if *keep {
            survivors.push(match l {
                Live::List(l) => Built::List(std::rc::Rc::downgrade(l)),
                Live::Map(m) => Built::Map(std::rc::Rc::downgrade(m)),
            });
        } else {
            l.clear();
        }
    }
    survivors
}

/// Cycle tracking for the render running on this thread, for as long as it lives; nests
/// like [`super::budget::Scope`], which a render installs beside it.
pub struct Tracking {
    was_active: bool,
    was_nesting: bool,
    outer_built: Vec<Built>,
}

impl Tracking {
    /// Start remembering the containers this render nests into.
    pub fn enter() -> Tracking {
        Tracking {
            was_active: ACTIVE.replace(true),
            was_nesting: NESTING.replace(false),
            outer_built: BUILT.with(|b| std::mem::take(&mut *b.borrow_mut())),
        }
    }
}

impl Drop for Tracking {
    fn drop(&mut self) {
        collect_cycles();
        ACTIVE.set(self.was_active);
        NESTING.set(self.was_nesting);
        BUILT.with(|b| *b.borrow_mut() = std::mem::take(&mut self.outer_built));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_built_during_a_render_are_freed_at_its_end() {
        let kept = Value::list(Vec::new());
        let (garbage, kept_weak) = {
            let _s = Tracking::enter();
            // Garbage: a list holding itself, inside a map holding the list.
            let l = Value::list(Vec::new());
            let Value::List(lr) = &l else { unreachable!() };
            lr.borrow_mut().push(l.clone());
            note_nesting_list(lr);
            let mut e = super::super::value::JavaMap::default();
            e.insert("l".into(), l.clone());
            let m = Value::map(e);
            let garbage = std::rc::Rc::downgrade(lr);
            // Reachable from outside: a cycle under a list the caller holds.
            let c = Value::list(Vec::new());
            let Value::List(cr) = &c else { unreachable!() };
            cr.borrow_mut().push(c.clone());
            note_nesting_list(cr);
            let Value::List(k) = &kept else {
                unreachable!()
            };
            k.borrow_mut().push(c.clone());
            let kept_weak = std::rc::Rc::downgrade(cr);
            drop((l, m, c));
            (garbage, kept_weak)
        };
        assert!(garbage.upgrade().is_none(), "the garbage cycle was freed");
        let c = kept_weak
            .upgrade()
            .expect("a cycle the caller reaches stays");
        assert_eq!(c.borrow().len(), 1);
        drop(c);
        // The caller breaks its cycle itself.
        let Value::List(k) = &kept else {
            unreachable!()
        };
        if let Some(Value::List(c)) = k.borrow().first() {
            c.borrow_mut().clear();
        }
    }
}
