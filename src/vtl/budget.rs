//! The budgets of one render: memory, steps, wall-clock time and value nesting depth.
//!
//! A render installs its budget for the current thread ([`Scope`]); everything that builds
//! values (the renderer, the Java methods, the host objects of the gateway) charges it where
//! values grow, not per character. Code that cannot return an error (printing a value,
//! comparing two values) stops early and *trips* the budget; the renderer turns a tripped
//! budget into a render error at the next node it evaluates. Outside a render nothing is
//! limited except the nesting depth of printing, comparing and serialising.
//!
//! The scope also remembers the lists and maps the render puts a list or map into (only
//! those can close a cycle), and when the render ends frees what only its own cycles keep
//! alive (`Rc` cannot; Java's collector would).

use std::cell::{Cell, RefCell};
use std::time::Instant;

use super::policy::Policy;
use super::value::{ListRef, MapRef, MethodError, Value};

pub use super::policy::DEFAULT_MAX_VALUE_DEPTH;

/// Steps between two looks at the clock.
const CLOCK_EVERY: u64 = 4096;

thread_local! {
    static MEM_USED: Cell<usize> = const { Cell::new(0) };
    static MEM_LIMIT: Cell<usize> = const { Cell::new(usize::MAX) };
    static STEPS: Cell<u64> = const { Cell::new(0) };
    static STEP_LIMIT: Cell<u64> = const { Cell::new(u64::MAX) };
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
    static DEPTH_LIMIT: Cell<usize> = const { Cell::new(DEFAULT_MAX_VALUE_DEPTH) };
    static TRIPPED: RefCell<Option<String>> = const { RefCell::new(None) };
    static TRIPPED_FLAG: Cell<bool> = const { Cell::new(false) };
    static NESTED: Cell<usize> = const { Cell::new(0) };
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

/// The nesting depth at which a host object prints: a host object that prints a value it
/// holds (a map entry, a JSON array) starts a new print, which goes on counting from here,
/// so a cycle through host objects stops at the depth limit like any other.
pub struct Nested {
    saved: usize,
}

impl Nested {
    /// Printing continues inside a host object found at `depth`.
    pub fn at(depth: usize) -> Nested {
        Nested {
            saved: NESTED.replace(depth),
        }
    }
}

impl Drop for Nested {
    fn drop(&mut self) {
        NESTED.set(self.saved);
    }
}

/// The depth a new print or serialisation starts at (0 outside host objects).
#[inline]
pub fn base_depth() -> usize {
    NESTED.get()
}

/// The budget of the render running on this thread, installed for as long as it lives.
/// Scopes nest: dropping one puts the previous budget back.
pub struct Scope {
    saved: Saved,
    was_active: bool,
    was_nesting: bool,
    outer_built: Vec<Built>,
}

type Saved = (
    usize,
    usize,
    u64,
    u64,
    Option<Instant>,
    usize,
    Option<String>,
);

impl Scope {
    /// Install a fresh budget from the policy.
    pub fn enter(policy: &Policy) -> Scope {
        let saved = (
            MEM_USED.replace(0),
            MEM_LIMIT.replace(policy.max_memory_bytes),
            STEPS.replace(0),
            STEP_LIMIT.replace(policy.max_steps),
            DEADLINE.replace(policy.deadline),
            DEPTH_LIMIT.replace(policy.max_value_depth),
            TRIPPED.with(|t| t.borrow_mut().take()),
        );
        TRIPPED_FLAG.set(false);
        let was_active = ACTIVE.replace(true);
        let was_nesting = NESTING.replace(false);
        let outer_built = BUILT.with(|b| std::mem::take(&mut *b.borrow_mut()));
        Scope {
            saved,
            was_active,
            was_nesting,
            outer_built,
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        collect_cycles();
        ACTIVE.set(self.was_active);
        NESTING.set(self.was_nesting);
        BUILT.with(|b| *b.borrow_mut() = std::mem::take(&mut self.outer_built));
        let (used, limit, steps, step_limit, deadline, depth, tripped) = self.saved.clone();
        MEM_USED.set(used);
        MEM_LIMIT.set(limit);
        STEPS.set(steps);
        STEP_LIMIT.set(step_limit);
        DEADLINE.set(deadline);
        DEPTH_LIMIT.set(depth);
        TRIPPED_FLAG.set(tripped.is_some());
        TRIPPED.with(|t| *t.borrow_mut() = tripped);
    }
}

/// Record the first budget failure (later ones keep the first message).
pub fn trip(message: String) {
    TRIPPED.with(|t| {
        let mut t = t.borrow_mut();
        if t.is_none() {
            *t = Some(message);
        }
    });
    TRIPPED_FLAG.set(true);
}

/// Whether a budget failed during this render.
#[inline]
pub fn tripped() -> bool {
    TRIPPED_FLAG.get()
}

/// The failure recorded by [`trip`], if any (it stays recorded).
pub fn failure() -> Option<String> {
    TRIPPED.with(|t| t.borrow().clone())
}

/// Trip the budget with `message` and return it as the error of the method that found it.
fn fail(message: String) -> Result<(), MethodError> {
    trip(message.clone());
    Err(MethodError(message))
}

/// The message of a failed memory budget.
pub fn memory_message() -> String {
    format!(
        "the template built more than the memory limit of {} bytes",
        MEM_LIMIT.get()
    )
}

/// Charge `bytes` of new values to the memory budget. Fails (and trips the budget) when the
/// render would go over it; call this *before* allocating when the size is known.
#[inline]
pub fn charge(bytes: usize) -> Result<(), MethodError> {
    let used = MEM_USED.get().saturating_add(bytes);
    MEM_USED.set(used);
    if used > MEM_LIMIT.get() {
        return fail(memory_message());
    }
    Ok(())
}

/// Like [`charge`], for code that cannot return an error: `false` means stop (tripped).
#[inline]
pub fn charge_or_trip(bytes: usize) -> bool {
    charge(bytes).is_ok()
}

/// Bytes still allowed before the memory budget fails.
#[inline]
pub fn remaining() -> usize {
    MEM_LIMIT.get().saturating_sub(MEM_USED.get())
}

/// Count `n` evaluation steps; fails (and trips) past the step limit or the deadline.
#[inline]
pub fn step(n: u64) -> Result<(), MethodError> {
    let before = STEPS.get();
    let now = before.saturating_add(n);
    STEPS.set(now);
    if now > STEP_LIMIT.get() {
        return fail(format!(
            "the template ran more than the limit of {} evaluation steps",
            STEP_LIMIT.get()
        ));
    }
    if before / CLOCK_EVERY != now / CLOCK_EVERY
        && let Some(deadline) = DEADLINE.get()
        && Instant::now() >= deadline
    {
        return fail("the template ran past its time limit".to_string());
    }
    Ok(())
}

/// Like [`step`], for code that cannot return an error: `false` means stop (tripped).
#[inline]
pub fn step_or_trip(n: u64) -> bool {
    step(n).is_ok()
}

/// Check a nesting depth of printing, comparing or serialising: `false` (and a tripped
/// budget) past the limit.
#[inline]
pub fn depth_ok(depth: usize) -> bool {
    let limit = DEPTH_LIMIT.get();
    if depth > limit {
        trip(format!(
            "a value is nested more than {limit} levels deep (or contains itself) where it is printed, compared or serialised"
        ));
        return false;
    }
    true
}

/// The deepest nesting allowed.
pub fn max_depth() -> usize {
    DEPTH_LIMIT.get()
}

/// Bytes charged so far in this render (for tests and reports).
pub fn used() -> usize {
    MEM_USED.get()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charge_trips_past_the_limit_and_scope_restores() {
        let policy = Policy {
            max_memory_bytes: 100,
            ..Policy::velocity()
        };
        {
            let _s = Scope::enter(&policy);
            assert!(charge(60).is_ok());
            assert!(!tripped());
            assert!(charge(60).is_err());
            assert!(tripped());
            assert!(failure().unwrap().contains("memory limit of 100 bytes"));
        }
        assert!(!tripped());
        assert!(charge(1 << 40).is_ok());
    }

    #[test]
    fn cycles_built_during_a_render_are_freed_at_its_end() {
        let kept = Value::list(Vec::new());
        let (garbage, kept_weak) = {
            let _s = Scope::enter(&Policy::velocity());
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

    #[test]
    fn steps_and_deadline() {
        let policy = Policy {
            max_steps: 10,
            ..Policy::velocity()
        };
        let _s = Scope::enter(&policy);
        assert!(step(10).is_ok());
        assert!(step(1).is_err());
        drop(_s);
        let policy = Policy {
            deadline: Some(Instant::now()),
            ..Policy::velocity()
        };
        let _s = Scope::enter(&policy);
        let mut failed = false;
        for _ in 0..CLOCK_EVERY * 2 {
            if step(1).is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed);
        assert!(failure().unwrap().contains("time limit"));
    }
}
