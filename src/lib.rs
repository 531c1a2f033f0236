//! gatebench: an interactive workbench for AWS API Gateway integrations and mapping templates.
pub mod backend;
pub mod cli;
pub mod gateway;
pub mod session;
pub mod vtl;

use std::process::ExitCode;

/// Start the interactive workbench.
pub fn workbench_entry(_session: Option<&std::path::Path>) -> ExitCode {
    eprintln!("gatebench: the workbench is not built yet");
    ExitCode::from(1)
}

#[doc(hidden)]
/// serde_json re-exported for the fuzz target (not part of the public API).
pub use serde_json as __private_json;
