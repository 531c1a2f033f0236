//! The machine's tools that tests start (tmux, curl, python3) and the real Lambda peers, which
//! the tests install themselves.
//!
//! A missing tool fails the test with one line saying what to install. Only an explicit opt-out
//! skips: `GATEBENCH_SKIP=tmux,curl,python3,peers` (comma-separated, or `all`). A skipped test
//! writes `SKIPPED: <why>` straight to stderr, where `cargo test` shows it (libtest captures the
//! print macros, not direct writes).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Something a test needs from the machine. The name is the one `GATEBENCH_SKIP` takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tool {
    Tmux,
    Curl,
    Python3,
    /// cargo-lambda's Invoke API emulator and AWS's Python runtime interface client
    /// (`awslambdaric`), installed from PyPI into a virtual environment under `target/`.
    Peers,
    /// moto's local AWS (`moto[server]`), installed from PyPI into the peers' virtual
    /// environment.
    Moto,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::Tmux => "tmux",
            Tool::Curl => "curl",
            Tool::Python3 => "python3",
            Tool::Peers => "peers",
            Tool::Moto => "moto",
        }
    }

    /// The command that answers when the tool is installed.
    fn probe(self) -> Option<(&'static str, &'static str)> {
        match self {
            Tool::Tmux => Some(("tmux", "-V")),
            Tool::Curl => Some(("curl", "--version")),
            Tool::Python3 => Some(("python3", "--version")),
            Tool::Peers | Tool::Moto => None,
        }
    }

    fn install_hint(self) -> &'static str {
        match self {
            Tool::Tmux => "install tmux (apt-get install tmux)",
            Tool::Curl => "install curl (apt-get install curl)",
            Tool::Python3 => "install python3 with its venv module (apt-get install python3-venv)",
            Tool::Peers => "make PyPI reachable (pip installs cargo-lambda and awslambdaric)",
            Tool::Moto => "make PyPI reachable (pip installs moto[server])",
        }
    }
}

/// Whether `GATEBENCH_SKIP` (comma-separated names, or `all`) names this tool.
pub fn opted_out(tool: Tool) -> bool {
    std::env::var("GATEBENCH_SKIP").is_ok_and(|list| skip_list_names(&list, tool.name()))
}

/// Whether a `GATEBENCH_SKIP` value names a tool.
pub fn skip_list_names(list: &str, name: &str) -> bool {
    list.split(',')
        .map(str::trim)
        .any(|n| n.eq_ignore_ascii_case(name) || n.eq_ignore_ascii_case("all"))
}

/// Say that a test was skipped, where `cargo test` shows it.
pub fn say_skipped(why: &str) {
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}

/// `true` when the tool runs. When it does not: `false` after saying so if the person running
/// the tests opted out, else the test fails with one line saying what to install.
#[must_use]
pub fn require(tool: Tool, needed_for: &str) -> bool {
    let Some((program, arg)) = tool.probe() else {
        return match tool {
            Tool::Moto => moto(needed_for).is_some(),
            _ => peers(needed_for).is_some(),
        };
    };
    if runs(Command::new(program).arg(arg)) {
        return true;
    }
    missing(tool, &format!("{program} is not installed"), needed_for)
}

/// The answer for a missing tool: skip if asked to, else fail in one line.
fn missing(tool: Tool, what: &str, needed_for: &str) -> bool {
    if opted_out(tool) {
        say_skipped(&format!(
            "{needed_for}: {what} (GATEBENCH_SKIP names {})",
            tool.name()
        ));
        return false;
    }
    panic!(
        "{what}; {needed_for} needs it: {}, or set GATEBENCH_SKIP={} to skip it",
        tool.install_hint(),
        tool.name()
    );
}

fn runs(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The installed Lambda peers.
pub struct Peers {
    /// The virtual environment's interpreter (has `awslambdaric`).
    pub python: PathBuf,
    /// cargo-lambda's binary.
    pub cargo_lambda: PathBuf,
}

/// Where the peers live: `GATEBENCH_PEERS_VENV` when set (CI may pre-install there), else a
/// virtual environment under `target/`.
pub fn peers_dir() -> PathBuf {
    std::env::var_os("GATEBENCH_PEERS_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("peers-venv"))
}

/// The real Lambda peers, installed on first use (once, under a file lock, so parallel test
/// binaries do not race), or `None` after saying so when the person running the tests opted
/// out with `GATEBENCH_SKIP=peers`. A failed install fails the test in one line.
pub fn peers(needed_for: &str) -> Option<Peers> {
    if opted_out(Tool::Peers) {
        say_skipped(&format!(
            "{needed_for}: the real Lambda peers are not used (GATEBENCH_SKIP names peers)"
        ));
        return None;
    }
    let dir = peers_dir();
    let peers = Peers {
        python: dir.join("bin/python"),
        cargo_lambda: dir.join("bin/cargo-lambda"),
    };
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    let lock_path = dir.with_extension("lock");
    let lock = File::create(&lock_path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", lock_path.display()));
    lock.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
    if !ready(&peers) {
        if !require(Tool::Python3, needed_for) {
            return None;
        }
        install(&dir, needed_for);
        if !ready(&peers) {
            panic!(
                "the Lambda peers in {} do not run after installing them ({} or {} fails); remove that folder and run again",
                dir.display(),
                peers.cargo_lambda.display(),
                peers.python.display()
            );
        }
    }
    drop(lock);
    Some(peers)
}

/// Every binary the peer tests start answers.
fn ready(p: &Peers) -> bool {
    p.cargo_lambda.is_file()
        && p.python.is_file()
        && runs(Command::new(&p.cargo_lambda).args(["lambda", "--version"]))
        && runs(Command::new(&p.python).args(["-c", "import awslambdaric"]))
}

fn install(dir: &Path, needed_for: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "installing the real Lambda peers (cargo-lambda, awslambdaric) into {} (once)",
        dir.display()
    );
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .unwrap_or_else(|e| panic!("cannot remove the broken {}: {e}", dir.display()));
    }
    let pip = dir.join("bin/pip");
    let steps: [(&str, Command); 3] = [
        ("python3 -m venv", {
            let mut c = Command::new("python3");
            c.args(["-m", "venv"]).arg(dir);
            c
        }),
        ("pip install cargo-lambda", {
            let mut c = Command::new(&pip);
            c.args([
                "install",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
                "cargo-lambda",
            ]);
            c
        }),
        ("pip install awslambdaric", {
            let mut c = Command::new(&pip);
            c.args([
                "install",
                "-q",
                "--disable-pip-version-check",
                "awslambdaric",
            ]);
            c
        }),
    ];
    for (what, mut cmd) in steps {
        let out = cmd
            .output()
            .unwrap_or_else(|e| panic!("{what} cannot start: {e}"));
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no message");
            let _ = std::fs::remove_dir_all(dir);
            panic!(
                "{what} failed ({last}); {needed_for} needs the Lambda peers: {}, or set GATEBENCH_SKIP=peers to skip it",
                Tool::Peers.install_hint()
            );
        }
    }
}

/// moto's server (`moto_server`), installed on first use into the peers' virtual environment
/// (under the same file lock), or `None` after saying so when `GATEBENCH_SKIP` names `moto`.
/// A failed install fails the test in one line.
pub fn moto(needed_for: &str) -> Option<PathBuf> {
    if opted_out(Tool::Moto) {
        say_skipped(&format!(
            "{needed_for}: moto is not used (GATEBENCH_SKIP names moto)"
        ));
        return None;
    }
    let dir = peers_dir();
    let server = dir.join("bin/moto_server");
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    let lock_path = dir.with_extension("lock");
    let lock = File::create(&lock_path)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", lock_path.display()));
    lock.lock()
        .unwrap_or_else(|e| panic!("cannot lock {}: {e}", lock_path.display()));
    let python = dir.join("bin/python");
    let ready = |server: &Path| {
        server.is_file() && runs(Command::new(&python).args(["-c", "import moto.server"]))
    };
    if !ready(&server) {
        if !require(Tool::Python3, needed_for) {
            return None;
        }
        let _ = writeln!(
            std::io::stderr(),
            "installing moto[server] into {} (once)",
            dir.display()
        );
        if !python.is_file() {
            let out = Command::new("python3")
                .args(["-m", "venv"])
                .arg(&dir)
                .output()
                .unwrap_or_else(|e| panic!("python3 -m venv cannot start: {e}"));
            assert!(
                out.status.success(),
                "python3 -m venv failed; {needed_for} needs moto: {}",
                Tool::Moto.install_hint()
            );
        }
        // `python -m pip`, not `bin/pip`: a copied environment's scripts name the original.
        let out = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "-q",
                "--disable-pip-version-check",
                "moto[server]",
            ])
            .output()
            .unwrap_or_else(|e| panic!("pip install moto cannot start: {e}"));
        if !out.status.success() || !ready(&server) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let last = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("no message");
            panic!(
                "pip install moto[server] failed ({last}); {needed_for} needs moto: {}, or set GATEBENCH_SKIP=moto to skip it",
                Tool::Moto.install_hint()
            );
        }
    }
    drop(lock);
    Some(server)
}
