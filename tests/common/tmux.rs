//! The real binary in a detached tmux session: the one start-up every end-to-end suite shares
//! ([`Tmux::start`] with a [`Launch`], the one place with the tmux command line), then keys
//! sent, the screen read, text waited for, and what the run left behind (pid, log, autosave
//! copies). Each harness has its own tmux server (`-L socket`) and its own scratch folder
//! ([`Launch::dir`]: the state folder with the log and the autosave copies, the pid file,
//! files the test wrote for it), both removed when it is dropped. The settings file is one
//! that does not exist unless the launch names one.
//!
//! The inner shell writes its pid and becomes gatebench (`exec`), so the pid is gatebench's;
//! when gatebench exits, the pane shows `GATEBENCH_EXIT=<status>` and whether the terminal is
//! back in canonical mode (`TTY_icanon` or `TTY_-icanon`).
//!
//! Needs tmux: without it the caller gets `None` after saying so when `GATEBENCH_SKIP` names
//! tmux, and the test fails otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How to start gatebench under tmux ([`Tmux::start`]).
#[derive(Clone, Debug)]
pub struct Launch {
    /// Names the tmux server and the scratch folder (with the test process's pid): unique in
    /// the test binary.
    pub name: String,
    /// The terminal's columns and rows.
    pub size: (u16, u16),
    /// The session file (`None`: the built-in default session).
    pub session: Option<PathBuf>,
    /// The settings file (`None`: one that does not exist, so the defaults apply).
    pub config: Option<PathBuf>,
    /// Arguments before the session file (`--listen 127.0.0.1:PORT`).
    pub args: Vec<String>,
    /// How long [`Tmux::wait_for`] waits.
    pub patience: Duration,
}

impl Launch {
    /// gatebench at `w`x`h` on the built-in default session, with default settings.
    pub fn new(name: impl Into<String>, (w, h): (u16, u16)) -> Launch {
        Launch {
            name: name.into(),
            size: (w, h),
            session: None,
            config: None,
            args: Vec::new(),
            patience: Duration::from_secs(20),
        }
    }

    /// Open this session file.
    pub fn session(mut self, path: impl Into<PathBuf>) -> Launch {
        self.session = Some(path.into());
        self
    }

    /// Use this settings file.
    pub fn config(mut self, path: impl Into<PathBuf>) -> Launch {
        self.config = Some(path.into());
        self
    }

    /// Pass these arguments too.
    pub fn args(mut self, args: &[&str]) -> Launch {
        self.args.extend(args.iter().map(|a| (*a).to_string()));
        self
    }

    /// The folder a harness of this name keeps its files in (state, pid; removed with it):
    /// known before the start, for files the session should find there ([`Launch::file`]).
    pub fn dir(&self) -> PathBuf {
        std::env::temp_dir().join(format!(
            "gatebench-tmux-{}-{}",
            self.name,
            std::process::id()
        ))
    }

    /// Write `text` as `name` in the harness's folder (made now), for the session to use.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let dir = self.dir();
        std::fs::create_dir_all(&dir).expect("the harness's folder");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("a file in the harness's folder");
        path
    }

    /// Copy the test fixture `name` (`tests/tui_fixtures/NAME`) into the harness's folder
    /// (under its file name).
    pub fn fixture(&self, name: &str) -> PathBuf {
        let text = fixture_text(name);
        let file = Path::new(name)
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or(name);
        self.file(file, &text)
    }
}

/// The text of the test fixture `name` (`tests/tui_fixtures/NAME`).
pub fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/tui_fixtures")
            .join(name),
    )
    .expect("a test fixture")
}

/// Quote for `sh` (single quotes).
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// One tmux server with one session, gatebench running in it.
pub struct Tmux {
    /// The server's socket name (unique per test).
    pub socket: String,
    target: String,
    /// How long [`Tmux::wait_for`] waits.
    patience: Duration,
    /// The harness's folder ([`Launch::dir`]), removed when it is dropped.
    dir: PathBuf,
}

impl Tmux {
    /// Start gatebench as `launch` says, in a detached tmux session of its own, with its own
    /// folder ([`Launch::dir`]) for its state (autosave copies, log) and pid. When gatebench
    /// exits, the pane shows `GATEBENCH_EXIT=<status>` and `TTY_icanon` (or `TTY_-icanon`:
    /// whether the terminal is back in canonical mode). `None`, after saying so, when tmux is
    /// missing and `GATEBENCH_SKIP` names it (a missing tmux otherwise fails the test).
    pub fn start(launch: &Launch) -> Option<Tmux> {
        if !super::tools::require(super::tools::Tool::Tmux, "the end-to-end tests under tmux") {
            return None;
        }
        let dir = launch.dir();
        std::fs::create_dir_all(&dir).expect("the harness's folder");
        // A state folder left by an earlier run of the same name would bring its autosave
        // copies back.
        let _ = std::fs::remove_dir_all(dir.join("state"));
        let _ = std::fs::remove_file(dir.join("pid"));
        let tmux = Tmux {
            socket: format!("gatebench-{}-{}", launch.name, std::process::id()),
            target: "gatebench".to_string(),
            patience: launch.patience,
            dir: dir.clone(),
        };
        let bin = env!("CARGO_BIN_EXE_gatebench");
        let config = launch
            .config
            .clone()
            .unwrap_or_else(|| PathBuf::from("/nonexistent/gatebench.toml"));
        let mut command = vec![
            "exec".to_string(),
            "env".to_string(),
            format!(
                "GATEBENCH_CONFIG={}",
                sh_quote(&config.display().to_string())
            ),
            format!(
                "GATEBENCH_STATE_DIR={}",
                sh_quote(&dir.join("state").display().to_string())
            ),
            sh_quote(bin),
        ];
        command.extend(launch.args.iter().map(|a| sh_quote(a)));
        command.extend(
            launch
                .session
                .iter()
                .map(|p| sh_quote(&p.display().to_string())),
        );
        // The inner shell records its pid, then becomes gatebench (exec), in the foreground;
        // the outer one reports how it ended and leaves the pane open to be read.
        let inner = format!(
            "echo $$ > {}; {}",
            sh_quote(&dir.join("pid").display().to_string()),
            command.join(" ")
        );
        let script = format!(
            "sh -c {}; echo GATEBENCH_EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon | sed 's/^/TTY_/'; sleep 600",
            sh_quote(&inner)
        );
        let (w, h) = (launch.size.0.to_string(), launch.size.1.to_string());
        let out = tmux.run(&[
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "gatebench",
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
        Some(tmux)
    }

    /// The harness's folder ([`Launch::dir`]).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The state folder gatebench was given (`GATEBENCH_STATE_DIR`: its log, autosave copies).
    pub fn state_dir(&self) -> PathBuf {
        self.dir.join("state")
    }

    /// gatebench's pid (written by the shell that became it; waits for the file).
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
            assert!(start.elapsed() < self.patience, "no pid file");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The workbench's log, with the panic log appended (empty when there is none).
    pub fn logs(&self) -> String {
        let read =
            |name: &str| std::fs::read_to_string(self.state_dir().join(name)).unwrap_or_default();
        format!("{}{}", read("gatebench.log"), read("panic.log"))
    }

    /// The texts of the autosave copies.
    pub fn autosaved(&self) -> Vec<String> {
        std::fs::read_dir(self.state_dir().join("autosave"))
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect()
    }

    /// Run a tmux command on this server.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux runs")
    }

    /// The screen as text.
    pub fn capture(&self) -> String {
        self.capture_with(false)
    }

    /// The screen; with `colours`, with its colours as escape sequences (`-e`).
    pub fn capture_with(&self, colours: bool) -> String {
        let mut args = vec!["capture-pane", "-p", "-t", self.target.as_str()];
        if colours {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.run(&args).stdout).into_owned()
    }

    /// Send keys (tmux `send-keys` names: `Enter`, `C-s`, `Escape`, or text), in one
    /// `send-keys` call: the terminal may read them at once.
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.target.as_str()];
        args.extend_from_slice(keys);
        let out = self.run(&args);
        assert!(out.status.success(), "send-keys {keys:?}: {out:?}");
    }

    /// Type text as keys (`send-keys -l`: no key names, and no bracketed paste).
    pub fn type_text(&self, text: &str) {
        self.keys(&["-l", text]);
    }

    /// Paste text as the terminal pastes it (bracketed).
    pub fn paste(&self, text: &str) {
        let out = self.run(&["set-buffer", "--", text]);
        assert!(out.status.success(), "set-buffer: {out:?}");
        let out = self.run(&["paste-buffer", "-p", "-t", self.target.as_str()]);
        assert!(out.status.success(), "paste-buffer: {out:?}");
    }

    /// Paste text as a terminal without bracketed paste does: as keys, however long (through
    /// a file and a tmux buffer, since a command line has a length limit).
    pub fn paste_as_keys(&self, text: &str) {
        let file = self.dir.join("paste.txt");
        std::fs::write(&file, text).expect("the paste's file");
        let out = self.run(&["load-buffer", &file.display().to_string()]);
        assert!(out.status.success(), "load-buffer: {out:?}");
        let out = self.run(&["paste-buffer", "-t", self.target.as_str()]);
        assert!(out.status.success(), "paste-buffer: {out:?}");
    }

    /// Wait until the screen satisfies `pred`; fails with the last screen when it does not in
    /// time.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_for_with(what, false, pred)
    }

    /// [`Tmux::wait_for`] on the screen with its colours when `colours`.
    pub fn wait_for_with(&self, what: &str, colours: bool, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture_with(colours);
            if pred(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < self.patience,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Quit with the quit key (answering yes when it asks about unsaved changes), and check
    /// that gatebench exited with status 0; the screen after the exit.
    pub fn quit(&self) -> String {
        // Leave an editor, an overlay or a search first (Esc, once the frame shows it).
        for _ in 0..3 {
            let screen = self.capture();
            let bar = screen
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            if bar.contains(" NORMAL ") || !bar.contains(" EDIT ") && !bar.contains(" SEARCH ") {
                break;
            }
            self.keys(&["Escape"]);
            self.wait_for("Esc taken", |s| s != screen);
        }
        self.keys(&["q"]);
        let screen = self.wait_for("the quit question or the exit", |s| {
            s.contains("Quit without saving") || s.contains("GATEBENCH_EXIT=")
        });
        if screen.contains("Quit without saving") {
            self.keys(&["y"]);
        }
        let end = self.wait_for("the exit", |s| s.contains("TTY_"));
        assert!(end.contains("GATEBENCH_EXIT=0"), "{end}");
        end
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        let _ = std::fs::remove_dir_all(&self.dir);
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
