//! The real binary in a detached tmux session: start it ([`Tmux::start`], the one place with
//! the tmux command line), send keys, read the screen, wait for text. Each harness has its own
//! tmux server (`-L socket`), killed when it is dropped, with the scratch paths it was given.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How to start gatebench under tmux ([`Tmux::start`]).
#[derive(Clone, Debug)]
pub struct Launch {
    /// Names the tmux server and the scratch folder (with the test process's pid).
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
}

impl Launch {
    /// Write `text` as `name` in the harness's folder (made now), for the session to use.
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let dir = self.dir();
        std::fs::create_dir_all(&dir).expect("the harness's folder");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("a file in the harness's folder");
        path
    }
}

/// Quote for `sh` (single quotes).
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// One tmux server with one session named `target`.
pub struct Tmux {
    /// The server's socket name (unique per test).
    pub socket: String,
    target: String,
    /// How long [`Tmux::wait_for`] waits.
    patience: Duration,
    /// Files and folders removed when the harness is dropped.
    scratch: Vec<PathBuf>,
    /// The folder of a harness made by [`Tmux::start`].
    dir: Option<PathBuf>,
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
        let socket = format!("gatebench-{}-{}", launch.name, std::process::id());
        let mut tmux = Tmux::new(socket, "gatebench")
            .patience(launch.patience)
            .scratch(dir.clone());
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
        tmux.dir = Some(dir);
        Some(tmux)
    }

    /// The harness's folder ([`Launch::dir`]).
    pub fn dir(&self) -> &Path {
        self.dir.as_deref().expect("a harness made by Tmux::start")
    }

    /// The state folder gatebench was given (`GATEBENCH_STATE_DIR`: its log, autosave copies).
    pub fn state_dir(&self) -> PathBuf {
        self.dir().join("state")
    }

    /// gatebench's pid (written by the shell that became it).
    pub fn pid(&self) -> String {
        std::fs::read_to_string(self.dir().join("pid"))
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    /// A harness for the session `target` on the server `socket` (start it with
    /// [`Tmux::run`] and `new-session`).
    pub fn new(socket: impl Into<String>, target: &str) -> Tmux {
        Tmux {
            socket: socket.into(),
            target: target.to_string(),
            patience: Duration::from_secs(15),
            scratch: Vec::new(),
            dir: None,
        }
    }

    /// Wait this long for a screen (default 15 s).
    pub fn patience(mut self, d: Duration) -> Tmux {
        self.patience = d;
        self
    }

    /// Remove `path` (a file or a folder) when the harness is dropped.
    pub fn scratch(mut self, path: PathBuf) -> Tmux {
        self.scratch.push(path);
        self
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

    /// Send keys (tmux `send-keys` names: `Enter`, `C-s`, `Escape`, or text).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.target.as_str()];
        args.extend_from_slice(keys);
        let out = self.run(&args);
        assert!(out.status.success(), "send-keys {keys:?}: {out:?}");
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
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
        for p in &self.scratch {
            if p.is_dir() {
                let _ = std::fs::remove_dir_all(p);
            } else {
                let _ = std::fs::remove_file(p);
            }
        }
    }
}
