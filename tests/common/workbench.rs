//! The real workbench binary started in a detached tmux session of a given size: the start-up
//! every end-to-end suite shares. Each run has a scratch folder of its own (state folder with
//! the log and the autosave copies, the pid file), removed with the harness; the settings
//! file is one that does not exist unless the caller names one. The inner shell writes its
//! pid and becomes gatebench (`exec`), so the pid is gatebench's; when gatebench exits, the
//! pane shows `GATEBENCH_EXIT=<status>` and whether the terminal is back in canonical mode
//! (`TTY_icanon` or `TTY_-icanon`).
//!
//! Needs tmux: without it the caller gets `None` after saying so when `GATEBENCH_SKIP` names
//! tmux, and the test fails otherwise.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::tmux::Tmux;

/// A running workbench under tmux.
pub struct Workbench {
    /// The tmux harness (keys, screen).
    pub tmux: Tmux,
    /// The scratch folder of this run.
    pub dir: PathBuf,
}

/// What to start.
pub struct Start<'a> {
    /// A name unique in the test binary (the tmux socket and scratch folder are named after
    /// it and the process id).
    pub name: &'a str,
    /// The session file to open.
    pub session: &'a Path,
    /// Terminal width and height.
    pub size: (u16, u16),
    /// The settings file (`None`: one that does not exist, so the defaults apply).
    pub config: Option<&'a Path>,
}

/// Start the workbench as `start` says, or `None` when tmux is missing and the person running
/// the tests opted out of it.
pub fn start(start: &Start<'_>) -> Option<Workbench> {
    if !super::tools::require(super::tools::Tool::Tmux, "the end-to-end workbench tests") {
        return None;
    }
    let bin = env!("CARGO_BIN_EXE_gatebench");
    let socket = format!("gatebench-{}-{}", start.name, std::process::id());
    let dir = std::env::temp_dir().join(format!("{socket}-dir"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch folder");
    let tmux = Tmux::new(socket, "wb")
        .patience(Duration::from_secs(20))
        .scratch(dir.clone());
    let config = start
        .config
        .map_or_else(|| dir.join("no-config.toml"), Path::to_path_buf);
    let script = format!(
        "sh -c 'echo $$ > \"{pid}\"; exec env GATEBENCH_CONFIG=\"{config}\" GATEBENCH_STATE_DIR=\"{state}\" \"{bin}\" \"{session}\"'; echo GATEBENCH_EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon | sed 's/^/TTY_/'; sleep 60",
        pid = dir.join("pid").display(),
        config = config.display(),
        state = dir.join("state").display(),
        session = start.session.display(),
    );
    let (w, h) = (start.size.0.to_string(), start.size.1.to_string());
    let out = tmux.run(&[
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "wb",
        "-x",
        &w,
        "-y",
        &h,
        "sh",
        "-c",
        &script,
    ]);
    assert!(out.status.success(), "tmux new-session: {out:?}");
    // Deliver Esc at once instead of waiting to see if it starts a sequence.
    let _ = tmux.run(&["set-option", "-g", "escape-time", "0"]);
    Some(Workbench { tmux, dir })
}

impl Workbench {
    /// gatebench's pid (waits for the pid file).
    pub fn pid(&self) -> u32 {
        let file = self.dir.join("pid");
        let start = Instant::now();
        loop {
            if let Some(pid) = std::fs::read_to_string(&file)
                .ok()
                .and_then(|s| s.trim().parse().ok())
            {
                return pid;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "no pid file");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The state folder (log, autosave copies).
    pub fn state(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// The workbench's log, with the panic log appended (empty when there is none).
    pub fn logs(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.state().join(name)).unwrap_or_default();
        format!("{}{}", read("gatebench.log"), read("panic.log"))
    }

    /// The texts of the autosave copies.
    pub fn autosaved(&self) -> Vec<String> {
        std::fs::read_dir(self.state().join("autosave"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect()
    }

    /// Type text as keys (tmux `send-keys -l`).
    pub fn type_text(&self, text: &str) {
        self.tmux.keys(&["-l", text]);
    }

    /// Paste text as the terminal pastes it (bracketed).
    pub fn paste(&self, text: &str) {
        let out = self.tmux.run(&["set-buffer", "--", text]);
        assert!(out.status.success(), "set-buffer: {out:?}");
        let out = self.tmux.run(&["paste-buffer", "-p", "-t", "wb"]);
        assert!(out.status.success(), "paste-buffer: {out:?}");
    }
}

/// Whether process `pid` is gone (exited; a zombie waiting for its parent counts as gone).
pub fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X')),
    }
}

/// Wait up to `limit` for process `pid` to be gone; whether it is.
pub fn wait_gone(pid: u32, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if gone(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    gone(pid)
}
