//! gatebench: an interactive workbench for AWS API Gateway integrations and mapping templates.
//!
//! # The house
//!
//! One crate, layered so that every arrow points one way (`tests/architecture.rs` reads the
//! source and fails on a ring between files or an arrow against the layers):
//!
//! ```text
//! vtl  <-  gateway  <-  {backend, session}  <-  {serve, import, lint}  <-  {app, cli}  <-  ui, runtime
//! ```
//!
//! (`serve` and `import` are also named by `app` and `cli`; `lint` is named only by them.)
//!
//! - [`vtl`]: the Velocity 1.7 engine (parser, evaluator, Java-like methods, budgets).
//! - [`gateway`]: API Gateway itself: the API model, the pipeline a request goes through, the
//!   trace it leaves, `$input`/`$util`/`$context`, JSONPath, gateway responses. It defines the
//!   ports it needs (the endpoint a pipeline calls) and never names who implements them.
//! - [`backend`]: the endpoints (echo servers, Lambda hosts and emulators, canned answers, real
//!   HTTP), implementing the gateway's port. [`session`]: the session file (load with
//!   `file:line` errors, layout-keeping atomic save) and running a session's request.
//! - [`serve`] (listen mode), [`import`] (OpenAPI, CloudFormation, SAM, curl), [`lint`] (the
//!   template linter: rules over the engine's syntax tree and the gateway's model, data rules
//!   over the session's saved requests), [`cli`] (the headless commands) and [`app`] (the
//!   workbench's model: state, messages, a pure `update` returning effects as data) use the
//!   domain.
//! - [`ui`] draws the app's state (ratatui); [`runtime`] runs the event loop, the terminal and
//!   the effects. The model never names the view: view-model types live in `app`.
//!
//! Compared with slumber (the TUI HTTP client this layout learns from): slumber keeps its
//! boundaries with separate crates; we keep one crate and hold the arrows with the
//! architecture test. Like slumber, the view records where it drew each pane and the runtime
//! routes mouse events by those areas; state is owned by parts of the app rather than one hub.
//! Unlike slumber, messages and effects are plain data (no closures), so `update` is tested
//! without a terminal, and background jobs are latest-wins slots with generations.
pub mod app;
pub mod backend;
pub mod cli;
pub mod gateway;
pub mod import;
pub mod lint;
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
            // The terminal is restored by now, but it may be gone (a hangup): a failed write
            // is ignored rather than a panic, as `eprintln!` would make it.
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr().lock(), "gatebench: {e:#}");
            ExitCode::from(1)
        }
    }
}

#[doc(hidden)]
/// serde_json re-exported for the fuzz target (not part of the public API).
pub use serde_json as __private_json;
