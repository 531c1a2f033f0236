//! gatebench: an interactive workbench for AWS API Gateway integrations and mapping templates.
pub mod app;
pub mod backend;
pub mod cli;
pub mod gateway;
pub mod import;
pub mod runtime;
pub mod serve;
pub mod session;
pub mod ui;
pub mod vtl;

use std::process::ExitCode;

/// Command-line options of the workbench.
#[derive(Clone, Debug, Default)]
pub struct WorkbenchArgs {
    /// Serve on this address from the start (`--listen`); `None`: only when asked (key), on
    /// 127.0.0.1:8080.
    pub addr: Option<std::net::SocketAddr>,
    /// Allow a non-loopback address (`--allow-remote`).
    pub allow_remote: bool,
    /// The settings file (`--config`; default: `$GATEBENCH_CONFIG`, else the XDG config dir).
    pub config: Option<std::path::PathBuf>,
}

/// Start the interactive workbench on `session` (a session file), or on the built-in
/// default session. A file that cannot be loaded is reported inside the workbench.
pub fn workbench_entry(session: Option<&std::path::Path>, args: &WorkbenchArgs) -> ExitCode {
    match runtime::run_workbench(session, args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // The terminal is restored by now.
            eprintln!("gatebench: {e:#}");
            ExitCode::from(1)
        }
    }
}

#[doc(hidden)]
/// serde_json re-exported for the fuzz target (not part of the public API).
pub use serde_json as __private_json;
