//! Terminal setup and teardown, and the panic hook that restores the terminal before the
//! panic is reported.

use std::io::{self, Stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::ThreadId;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The thread that owns the terminal (the event loop). Panics there restore the terminal;
/// panics elsewhere (a background job) are caught by their task and reported in the UI.
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Standard output as the screen is drawn on. Once the workbench is closing it drops what it
/// cannot write: the terminal may be gone by then (a hangup), and ratatui's `Terminal` shows
/// the cursor when it is dropped and prints to standard error when that fails, which on a dead
/// terminal fails too and panics ("failed printing to stderr").
pub struct TermOut {
    out: Stdout,
    closing: Arc<AtomicBool>,
}

/// Tells a [`TermOut`] that the workbench is closing.
#[derive(Clone, Debug, Default)]
pub struct Closing(Arc<AtomicBool>);

impl Closing {
    /// From now on, what cannot be written is dropped.
    pub fn set(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl TermOut {
    fn closing(&self) -> bool {
        self.closing.load(Ordering::SeqCst)
    }
}

/// The longest a draw waits for a terminal that takes no output (a stopped or very slow one)
/// before the workbench gives up on it.
const STALLED_TERMINAL: std::time::Duration = std::time::Duration::from_secs(30);

/// Wait until standard output takes bytes again. Standard output may be non-blocking (the
/// flag belongs to the terminal's open file, which standard input shares): a terminal slow to
/// read answers `EAGAIN`, which is no failure. A terminal that hung up meanwhile is a broken
/// pipe (the workbench then closes as for any terminal that went away).
fn wait_writable(out: &Stdout) -> io::Result<()> {
    use rustix::event::{PollFd, PollFlags, Timespec, poll};
    use std::os::fd::AsFd as _;
    let started = std::time::Instant::now();
    loop {
        let fd = out.as_fd();
        let mut fds = [PollFd::new(&fd, PollFlags::OUT)];
        let second = Timespec {
            tv_sec: 1,
            tv_nsec: 0,
        };
        match poll(&mut fds, Some(&second)) {
            Ok(_) => {
                let revents = fds[0].revents();
                if revents.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
                    return Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the terminal hung up",
                    ));
                }
                if revents.contains(PollFlags::OUT) {
                    return Ok(());
                }
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        if started.elapsed() > STALLED_TERMINAL {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the terminal took no output for 30 s",
            ));
        }
    }
}

impl Write for TermOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            match self.out.write(buf) {
                Err(_) if self.closing() => return Ok(buf.len()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_writable(&self.out)?,
                r => return r,
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        loop {
            match self.out.flush() {
                Err(_) if self.closing() => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_writable(&self.out)?,
                r => return r,
            }
        }
    }
}

/// Put the terminal in raw mode on the alternate screen with mouse and paste reporting; the
/// [`Closing`] handle quiets its output once the workbench closes.
pub fn setup() -> io::Result<(Terminal<CrosstermBackend<TermOut>>, Closing)> {
    enable_raw_mode()?;
    let mut out = io::stdout();
    if let Err(e) = crossterm::execute!(
        out,
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    ) {
        let _ = restore();
        return Err(e);
    }
    let closing = Closing::default();
    let out = TermOut {
        out,
        closing: Arc::clone(&closing.0),
    };
    Ok((Terminal::new(CrosstermBackend::new(out))?, closing))
}

/// Leave raw mode and the alternate screen, show the cursor. Safe to call twice.
pub fn restore() -> io::Result<()> {
    let mut out = io::stdout();
    let r = crossterm::execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let raw = disable_raw_mode();
    let _ = out.flush();
    r.and(raw)
}

/// Restores the terminal when dropped (also while unwinding from a panic).
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = restore();
    }
}

/// Where background panics are written (they must not print over the screen): `panic.log`
/// in the state folder (beside the workbench log).
pub fn panic_log_path() -> std::path::PathBuf {
    crate::app::autosave::state_dir()
        .unwrap_or_else(|| std::env::temp_dir().join("gatebench-state"))
        .join("panic.log")
}

/// Open the panic log for appending: its folder is created private to the user, the file
/// readable by the user only, and a symbolic link in its place is refused (not followed).
fn open_panic_log() -> std::io::Result<std::fs::File> {
    let path = panic_log_path();
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
        return Err(std::io::Error::other(format!(
            "{} is not a plain file",
            path.display()
        )));
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Install the panic hook: on the UI thread, restore the terminal first, then report as
/// usual; on other threads, append the report to [`panic_log_path`].
pub fn install_panic_hook() {
    let _ = UI_THREAD.set(std::thread::current().id());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        tracing::error!(panic = %info, "panic");
        if UI_THREAD.get() == Some(&std::thread::current().id()) {
            let _ = restore();
            previous(info);
        } else if let Ok(mut f) = open_panic_log() {
            let _ = writeln!(f, "{info}");
        }
    }));
}
