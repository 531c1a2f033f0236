//! The rendering policy: stock Velocity 1.7, or API Gateway's rules where they differ.
//!
//! One engine serves both; what differs is a value passed in, never a fork of the code.
//! The guards (loop, size and depth limits) are part of the policy so that no template can
//! hang the workbench or exhaust memory.

/// Deepest nesting printed, compared or serialised when no render set another limit (it
/// lives here, not in `budget.rs`, so that `budget` -> `policy` is the only arrow).
pub const DEFAULT_MAX_VALUE_DEPTH: usize = 1000;

/// How a template is rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Unresolved references print as nothing (API Gateway) instead of their own text
    /// (stock Velocity), and a null compares equal to the empty string with `==`.
    pub null_prints_empty: bool,
    /// Iterations of one `#foreach` (API Gateway: 1000). Further items are silently skipped,
    /// as Velocity's `directive.foreach.maxloops` does.
    pub max_foreach_iterations: Option<usize>,
    /// Largest template accepted, in bytes (API Gateway: 300 KB).
    pub max_template_bytes: Option<usize>,
    /// Largest output produced before rendering fails, in bytes.
    pub max_output_bytes: usize,
    /// Deepest nesting of macro calls, `#define` blocks and `#evaluate` (Velocity's
    /// `velocimacro.max.depth` is 20).
    pub max_call_depth: usize,
    /// Total loop iterations across the whole render (a guard against runaway templates).
    pub max_total_iterations: u64,
    /// Largest list a range literal such as `[1..$n]` may build (a `#foreach` over a range
    /// walks it without building it).
    pub max_range_len: usize,
    /// Memory budget of one render, in bytes: every string, list and map the template builds
    /// is charged when it grows (concatenation, string methods, `add`/`put`, literals,
    /// ranges, JSON selections), whether or not it is printed.
    pub max_memory_bytes: usize,
    /// Evaluation steps of one render (references, directives, loop iterations, macro
    /// calls, elements compared or copied): a guard against templates that never finish.
    pub max_steps: u64,
    /// Wall-clock deadline of the render (`serve` passes the integration's timeout).
    pub deadline: Option<std::time::Instant>,
    /// Deepest nesting of lists and maps that printing, comparing and serialising follow.
    pub max_value_depth: usize,
}

impl Policy {
    /// Stock Apache Velocity 1.7 with its default configuration, plus guards.
    pub fn velocity() -> Self {
        Policy {
            null_prints_empty: false,
            max_foreach_iterations: None,
            max_template_bytes: None,
            max_output_bytes: 256 * 1024 * 1024,
            max_call_depth: 20,
            max_total_iterations: 50_000_000,
            max_range_len: 10_000_000,
            max_memory_bytes: 256 * 1024 * 1024,
            max_steps: 20_000_000,
            deadline: None,
            max_value_depth: DEFAULT_MAX_VALUE_DEPTH,
        }
    }

    /// API Gateway's mapping-template rules: null prints as nothing, `#foreach` stops after
    /// 1000 iterations, templates up to 300 KB.
    pub fn api_gateway() -> Self {
        Policy {
            null_prints_empty: true,
            max_foreach_iterations: Some(1000),
            max_template_bytes: Some(300 * 1024),
            ..Policy::velocity()
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::velocity()
    }
}
