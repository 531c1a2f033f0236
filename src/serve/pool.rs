//! The render pool: mapping templates render on threads of their own, with large stacks,
//! off the async workers that accept connections and call backends. A slow template then
//! costs its own request only, and deep values have room.

use std::sync::Arc;

use crate::gateway::pipeline::{Job, Offload};

/// Stack of each render thread (the async workers have 2 MB): room for values nested some
/// 100,000 deep in a release build (a debug build needs about 1 KB a level). Only the pages
/// used are committed; at most [`pool_size`] of these are reserved (1 GB of address space).
pub const RENDER_STACK_BYTES: usize = 128 * 1024 * 1024;

/// Render threads: twice the cores, at least 4 (two runaway templates leave room for the
/// rest), at most 8 (each may hold a large value and reserves a large stack).
fn pool_size() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    (2 * cores).clamp(4, 8)
}

/// A bounded pool of render threads (a tokio blocking pool used for nothing else: threads
/// start on demand, idle ones end, jobs past the bound queue).
pub struct RenderPool {
    runtime: Option<tokio::runtime::Runtime>,
}

impl RenderPool {
    /// Start the pool (its threads start on first use).
    pub fn new() -> std::io::Result<Arc<RenderPool>> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(pool_size())
            .thread_stack_size(RENDER_STACK_BYTES)
            .thread_name("gatebench-render")
            .build()?;
        Ok(Arc::new(RenderPool {
            runtime: Some(runtime),
        }))
    }

    /// Hand jobs to this pool (the pool lives as long as the returned value).
    pub fn offload(self: Arc<Self>) -> Offload {
        Offload(Arc::new(move |job: Job| {
            if let Some(rt) = &self.runtime {
                // A pool shutting down drops the job: its request gets a render error.
                drop(rt.spawn_blocking(job));
            }
        }))
    }
}

impl Drop for RenderPool {
    fn drop(&mut self) {
        // Never wait for a render still running (the process may be stopping).
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}
