//! The budgets of one render: memory, steps, wall-clock time and value nesting depth.
//!
//! A render installs its budget for the current thread ([`Scope`]); everything that builds
//! values (the renderer, the Java methods, the host objects of the gateway) charges it where
//! values grow, not per character. Code that cannot return an error (printing a value,
//! comparing two values) stops early and *trips* the budget; the renderer turns a tripped
//! budget into a render error at the next node it evaluates. Outside a render nothing is
//! limited except the nesting depth of printing, comparing and serialising.
//!
//! This file knows nothing of values (it is a leaf the value printer can call); the lists
//! and maps a render may leave in cycles are tracked by [`super::cycles`].

use std::cell::{Cell, RefCell};
use std::time::Instant;

use super::error::MethodError;
use super::policy::Policy;

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
        Scope { saved }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
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
