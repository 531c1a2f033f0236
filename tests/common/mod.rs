//! Shared test support: conformance case loading and running.
#![allow(dead_code)]

pub mod cases;
pub mod pipeline;
