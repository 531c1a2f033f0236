//! Shared test support: conformance case loading and running, and the machine's tools.
#![allow(dead_code)]

pub mod cases;
pub mod pipeline;
pub mod tmux;
pub mod tools;

use std::path::{Path, PathBuf};

/// The project's copy of the public conformance cases (`tests/conformance/`), kept equal to
/// `../shared/conformance/` by `tests/shared_copy.rs`.
pub fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}
