//! Terminal input, read so that a terminal that goes away can never stall or spin the loop.
//!
//! crossterm reads the terminal under a lock of its own, and on a hung-up terminal its reader
//! loops forever: a hung-up tty reads as end of file (or `EIO`) at once, and crossterm's read
//! loop retries on both without returning, holding that lock. Its `EventStream` polls the
//! reader on the caller's task, so the loop's task itself could block on that lock behind a
//! spinning thread, and with it the shutdown signals the loop waits for (tokio has taken them
//! over, so TERM and HUP were then ignored). That is how workbenches outlived their terminal,
//! spinning.
//!
//! So the loop never calls into crossterm's reader: [`TerminalEvents`] reads on a thread of its
//! own and hands events over through a channel, and [`HangupWatch`] notices the hangup
//! independently of crossterm, by asking the kernel (`poll`) whether the terminal was closed.
//! A thread left spinning inside crossterm after a hangup holds no lock the loop needs and
//! does not keep the process alive.

use std::io;
use std::os::fd::{AsFd as _, OwnedFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use crossterm::event::Event;
use futures_util::Stream;
use tokio::sync::mpsc;

/// Terminal events read by a thread of their own (see the module docs). The stream ends after
/// the first read error, which it yields.
pub struct TerminalEvents {
    rx: mpsc::UnboundedReceiver<io::Result<Event>>,
}

impl TerminalEvents {
    /// Start reading the terminal on a new thread.
    pub fn spawn() -> io::Result<TerminalEvents> {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("gatebench-input".into())
            .spawn(move || {
                loop {
                    let read = crossterm::event::read();
                    let failed = read.is_err();
                    // The loop is gone (the workbench is closing): stop reading.
                    if tx.send(read).is_err() || failed {
                        break;
                    }
                }
            })?;
        Ok(TerminalEvents { rx })
    }
}

impl Stream for TerminalEvents {
    type Item = io::Result<Event>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

/// Notices that the terminal (or a pipe, a socket) was closed: its other end hung up. A
/// thread of its own waits in `poll` for nothing but the hangup (no input events are asked
/// for, so typing never wakes it, and it never reads, so it takes no input away).
#[derive(Debug)]
pub struct HangupWatch {
    gone: tokio::sync::watch::Receiver<bool>,
}

impl HangupWatch {
    /// Watch `fd` from a new thread.
    pub fn new(fd: OwnedFd) -> io::Result<HangupWatch> {
        use rustix::event::{PollFd, PollFlags, poll};
        let (tx, gone) = tokio::sync::watch::channel(false);
        std::thread::Builder::new()
            .name("gatebench-hangup".into())
            .spawn(move || {
                loop {
                    let mut fds = [PollFd::new(&fd, PollFlags::empty())];
                    match poll(&mut fds, None) {
                        Ok(_) => {
                            let ended = PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL;
                            if fds[0].revents().intersects(ended) {
                                break;
                            }
                        }
                        Err(rustix::io::Errno::INTR) => {}
                        // A file poll cannot watch: nothing to notice (and no spinning).
                        Err(_) => return,
                    }
                }
                let _ = tx.send(true);
            })?;
        Ok(HangupWatch { gone })
    }

    /// Watch the terminal the workbench reads: standard input when it is one, else the
    /// process's controlling terminal (where crossterm reads then).
    pub fn terminal() -> io::Result<HangupWatch> {
        use std::io::IsTerminal as _;
        let stdin = io::stdin();
        let fd = if stdin.is_terminal() {
            stdin.as_fd().try_clone_to_owned()?
        } else {
            OwnedFd::from(std::fs::File::open("/dev/tty")?)
        };
        HangupWatch::new(fd)
    }

    /// Wait until the other end hung up (forever when it never does).
    pub async fn hung_up(&self) {
        let mut gone = self.gone.clone();
        if gone.wait_for(|g| *g).await.is_err() {
            // The watching thread gave up on the file: nothing will be noticed.
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[tokio::test]
    async fn a_closed_pipe_is_a_hangup_and_input_is_not() {
        let (reader, mut writer) = std::io::pipe().unwrap();
        let watch = HangupWatch::new(OwnedFd::from(reader)).unwrap();
        writer.write_all(b"keys").unwrap();
        let early =
            tokio::time::timeout(std::time::Duration::from_millis(200), watch.hung_up()).await;
        assert!(early.is_err(), "input is no hangup");
        drop(writer);
        tokio::time::timeout(std::time::Duration::from_secs(10), watch.hung_up())
            .await
            .expect("the closed end is noticed");
    }
}
