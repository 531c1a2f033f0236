//! The real binary in a detached tmux session: send keys, read the screen, wait for text.
//! Each harness has its own tmux server (`-L socket`), killed when it is dropped, with the
//! scratch paths it was given.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// One tmux server with one session named `target`.
pub struct Tmux {
    /// The server's socket name (unique per test).
    pub socket: String,
    target: String,
    /// How long [`Tmux::wait_for`] waits.
    patience: Duration,
    /// Files and folders removed when the harness is dropped.
    scratch: Vec<PathBuf>,
}

impl Tmux {
    /// A harness for the session `target` on the server `socket` (start it with
    /// [`Tmux::run`] and `new-session`).
    pub fn new(socket: impl Into<String>, target: &str) -> Tmux {
        Tmux {
            socket: socket.into(),
            target: target.to_string(),
            patience: Duration::from_secs(15),
            scratch: Vec::new(),
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
