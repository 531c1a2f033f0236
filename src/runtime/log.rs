//! The workbench's log file. The terminal belongs to the UI, so `tracing` events go to
//! `gatebench.log` in the state directory (`$GATEBENCH_STATE_DIR`, else
//! `$XDG_STATE_HOME/gatebench`, else `~/.local/state/gatebench`). `GATEBENCH_LOG` sets the
//! filter (`tracing_subscriber`'s `EnvFilter` syntax; default `gatebench=info,warn`). A log
//! over 5 MB is moved to `gatebench.log.1` at start.

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

use crate::app::Msg;

/// Size at which the log is moved aside at start.
const MAX_LOG_BYTES: u64 = 5 * 1024 * 1024;

/// The log file's path.
pub fn log_path() -> Option<PathBuf> {
    crate::app::autosave::state_dir().map(|d| d.join("gatebench.log"))
}

/// Start writing the log; the path, or why not (the workbench runs without a log then).
pub fn init() -> Result<PathBuf, String> {
    let path = log_path().ok_or("no state directory (HOME is not set)")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > MAX_LOG_BYTES) {
        let _ = std::fs::rename(&path, path.with_extension("log.1"));
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let filter = EnvFilter::try_from_env("GATEBENCH_LOG")
        .unwrap_or_else(|_| EnvFilter::new("gatebench=info,warn"));
    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(path)
}

/// Log what a message tells about the session and the world outside (files, the server),
/// not every keystroke.
pub fn msg(msg: &Msg) {
    match msg {
        Msg::Saved { path, result, .. } => match result {
            Ok(()) => tracing::info!(path = %path.display(), "session saved"),
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "save failed"),
        },
        Msg::Autosaved { result: Err(e) } => tracing::warn!(error = %e, "autosave failed"),
        Msg::SessionLoaded { path, result } => match result {
            Ok(s) => tracing::info!(path = %path.display(), name = %s.name, "session loaded"),
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "session not loaded"),
        },
        Msg::Listening { result, .. } => match result {
            Ok(addr) => tracing::info!(%addr, "listening"),
            Err(e) => tracing::warn!(error = %e, "could not listen"),
        },
        Msg::Paused(p) => tracing::info!(
            id = p.paused.id,
            method = %p.paused.request.method,
            path = %p.paused.request.path,
            "request paused at the breakpoint"
        ),
        Msg::Served(s) => tracing::debug!(
            id = s.id,
            method = %s.request.method,
            path = %s.request.path,
            status = s.status(),
            "served"
        ),
        Msg::Traced(t) => {
            if let Err(e) = &t.result {
                tracing::debug!(error = %e, "run ended without a trace");
            }
        }
        Msg::Copied { result: Err(e), .. } => tracing::warn!(error = %e, "copy failed"),
        Msg::JobFailed { job, why } => tracing::error!(?job, error = %why, "background job failed"),
        _ => {}
    }
}
