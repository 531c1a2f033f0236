//! gatebench: an interactive workbench for AWS API Gateway integrations and mapping templates.
pub mod cli;
pub mod gateway;
pub mod vtl;

use std::process::ExitCode;

/// Start the interactive workbench.
pub fn workbench_entry(_session: Option<&std::path::Path>) -> ExitCode {
    eprintln!("gatebench: the workbench is not built yet");
    ExitCode::from(1)
}

/// Build the policy and context for `render --request`.
#[allow(clippy::type_complexity)]
pub fn gateway_render_setup(
    _path: &std::path::Path,
    _request: &serde_json::Value,
    _phase: cli::Phase,
    _response: Option<&serde_json::Value>,
) -> Result<(vtl::Policy, Box<dyn Fn() -> vtl::Context>), String> {
    Err("--request is not supported yet".into())
}

#[doc(hidden)]
/// serde_json re-exported for the fuzz target (not part of the public API).
pub use serde_json as __private_json;
