//! Listen mode in the workbench: serving the session on loopback, the bounded list of served
//! requests fed by the server's observer (through the runtime's message queue), and what the
//! user does with one (show its trace, replay it, save it as a named request). Split along its
//! seams:
//!
//! - this file: the server (start, stop, serve every edit) and the state it keeps;
//! - [`served`]: the list of served requests and what the user does with one;
//! - [`breakpoint`]: the breakpoint and the queue of requests waiting at it.

mod breakpoint;
mod served;
#[cfg(test)]
mod tests;

pub use breakpoint::PausedRequest;
pub use served::ServedRequest;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use crate::app::{App, Effect, StatusKind};

/// How many served requests the list keeps (oldest dropped first).
pub const SERVED_CAPACITY: usize = 500;

/// The address served when no `--listen` flag names one.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// What became of the served or paused request shown in the panes (see [`Viewing`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// Answered: its trace is what the client got.
    Served,
    /// Waiting at the breakpoint; its client waits too.
    Paused,
    /// Resumed from the breakpoint: its answer is on its way (and shown when it comes).
    Resumed,
    /// Let go when the server stopped while it was paused: it went on without the
    /// breakpoint, and its answer is shown if the server sent one before closing.
    LetGo,
}

impl Shown {
    /// The label of request `id` in this state (`paused #4`).
    pub fn label(self, id: u64) -> String {
        match self {
            Shown::Served => format!("served #{id}"),
            Shown::Paused => format!("paused #{id}"),
            Shown::Resumed => format!("resumed #{id}"),
            Shown::LetGo => format!("let go #{id}"),
        }
    }
}

/// A served or paused request shown in place of the saved ones.
#[derive(Clone, Debug)]
pub(crate) struct Viewing {
    /// Its number since the server started.
    pub(crate) id: u64,
    /// What became of it.
    pub(crate) shown: Shown,
    /// [`Shown::label`], kept for the Request pane's title.
    pub(crate) label: String,
    /// The request (edited in place in the Request pane).
    pub(crate) request: crate::session::SavedRequest,
}

impl Viewing {
    /// Request `id` in state `shown`.
    pub(crate) fn new(id: u64, shown: Shown, request: crate::session::SavedRequest) -> Viewing {
        Viewing {
            id,
            shown,
            label: shown.label(id),
            request,
        }
    }

    /// The request went on to `shown`.
    pub(crate) fn set(&mut self, shown: Shown) {
        self.shown = shown;
        self.label = shown.label(self.id);
    }
}

/// Whether the local gateway is serving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Listening {
    /// Not serving.
    Off,
    /// Binding (the result comes back with this generation).
    Starting {
        /// Its generation.
        generation: u64,
    },
    /// Serving on this address.
    On {
        /// The bound address.
        addr: SocketAddr,
    },
}

/// Listen-mode state of the app.
#[derive(Clone, Debug)]
pub struct ListenState {
    addr: SocketAddr,
    allow_remote: bool,
    state: Listening,
    generation: u64,
    /// The edit revision of the session the server serves.
    revision: u64,
    served: VecDeque<ServedRequest>,
    total: u64,
    selected: usize,
    /// Whether live requests pause before the endpoint call.
    breakpoint: bool,
    /// Requests waiting at the breakpoint, oldest first, with the edit revision at the
    /// time each paused.
    paused: VecDeque<(PausedRequest, u64)>,
    /// A resumed request whose answer is shown when it comes.
    follow: Option<u64>,
}

impl Default for ListenState {
    fn default() -> Self {
        ListenState {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            allow_remote: false,
            state: Listening::Off,
            generation: 0,
            revision: 0,
            served: VecDeque::with_capacity(64),
            total: 0,
            selected: 0,
            breakpoint: false,
            paused: VecDeque::new(),
            follow: None,
        }
    }
}

impl ListenState {
    /// The served requests kept, oldest first.
    pub fn served(&self) -> &VecDeque<ServedRequest> {
        &self.served
    }

    /// Requests served since listening started (including those dropped from the list).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Index of the selected entry in [`ListenState::served`].
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Whether the server is binding or serving.
    pub fn state(&self) -> Listening {
        self.state
    }

    /// The address to serve on (from `--listen`, else 127.0.0.1:8080).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whether a non-loopback address may be served (`--allow-remote`).
    pub fn allow_remote(&self) -> bool {
        self.allow_remote
    }

    /// Serve on `addr` from the next start on.
    pub(in crate::app) fn set_addr(&mut self, addr: SocketAddr) {
        self.addr = addr;
    }

    /// Whether the breakpoint is armed.
    pub fn breakpoint(&self) -> bool {
        self.breakpoint
    }

    /// Requests waiting at the breakpoint, oldest first.
    pub fn paused(&self) -> impl ExactSizeIterator<Item = &PausedRequest> {
        self.paused.iter().map(|(p, _)| p)
    }

    /// The sequence number (1-based, since start) of entry `i`.
    pub fn number(&self, i: usize) -> u64 {
        self.total - (self.served.len() - i) as u64 + 1
    }
}

impl App {
    /// Serve on `addr` (loopback unless `allow_remote`); `start` serves from the start.
    pub fn set_listen(&mut self, addr: SocketAddr, allow_remote: bool, start: bool) {
        self.listen.addr = addr;
        self.listen.allow_remote = allow_remote;
        self.listen_at_start = start;
    }

    /// Listen-mode state (for the status bar and the request list).
    pub fn listen(&self) -> &ListenState {
        &self.listen
    }

    /// The running server is handed the session each time it is edited.
    pub(in crate::app) fn serve_edits_effect(&mut self) -> Option<Effect> {
        if self.listen.state == Listening::Off || self.listen.revision == self.workspace.revision {
            return None;
        }
        self.listen.revision = self.workspace.revision;
        Some(Effect::ServeSession(std::sync::Arc::clone(
            &self.workspace.session,
        )))
    }

    /// Start serving, or stop.
    pub(in crate::app) fn toggle_listen(&mut self) -> Vec<Effect> {
        match self.listen.state {
            Listening::Off => self.start_listening(),
            Listening::Starting { .. } | Listening::On { .. } => {
                self.listen.state = Listening::Off;
                // A bind still in flight is dropped by generation.
                self.listen.generation += 1;
                // Stopping the server lets its paused requests go on without the breakpoint
                // (the server answers them if it can before it closes): their pauses end. The
                // one shown says so, and its answer is shown if it comes.
                self.listen.paused.clear();
                let mut text = "Stopped listening".to_string();
                if let Some(v) = self
                    .viewing
                    .as_mut()
                    .filter(|v| matches!(v.shown, Shown::Paused | Shown::Resumed))
                {
                    if v.shown == Shown::Paused {
                        text = format!(
                            "Stopped listening: #{} was let go from the breakpoint (it goes on \
                             without it)",
                            v.id
                        );
                    }
                    v.set(Shown::LetGo);
                    self.listen.follow = Some(v.id);
                }
                self.set_status(StatusKind::Info, text);
                vec![Effect::StopListening]
            }
        }
    }

    pub(in crate::app) fn start_listening(&mut self) -> Vec<Effect> {
        self.listen.generation += 1;
        // A new server numbers its requests from 1 again: an answer awaited from the last
        // one is not among them.
        self.listen.follow = None;
        self.listen.revision = self.workspace.revision;
        self.listen.state = Listening::Starting {
            generation: self.listen.generation,
        };
        self.chrome.set_job_status(
            format!("Starting to listen on {}…", self.listen.addr),
            crate::app::StatusJob::Listen {
                generation: self.listen.generation,
            },
        );
        vec![Effect::StartListening {
            generation: self.listen.generation,
            addr: self.listen.addr,
            allow_remote: self.listen.allow_remote,
            session: std::sync::Arc::clone(&self.workspace.session),
            breakpoint: self.listen.breakpoint,
        }]
    }

    /// The server bound (or failed to).
    pub(in crate::app) fn on_listening(
        &mut self,
        generation: u64,
        result: Result<SocketAddr, String>,
    ) -> Vec<Effect> {
        if self.listen.state != (Listening::Starting { generation }) {
            // Stopped meanwhile: make sure that server goes away. Restarted meanwhile (a new
            // address): starting the new server already stopped this one, and stopping now
            // would stop the new one.
            return if result.is_ok() && self.listen.state == Listening::Off {
                vec![Effect::StopListening]
            } else {
                Vec::new()
            };
        }
        match result {
            Ok(addr) => {
                self.listen.state = Listening::On { addr };
                let list = self
                    .chrome
                    .keymap
                    .first_key(
                        crate::app::keymap::Layer::Normal,
                        crate::app::Action::Requests,
                    )
                    .unwrap_or_default();
                let scope = if addr.ip().is_loopback() {
                    ""
                } else {
                    " (REACHABLE FROM OTHER MACHINES)"
                };
                self.set_status(
                    StatusKind::Success,
                    format!("Listening on http://{addr}{scope} ({list}: served requests)"),
                );
            }
            Err(e) => {
                self.listen.state = Listening::Off;
                self.set_status(StatusKind::Error, e);
            }
        }
        Vec::new()
    }
}

/// `HH:MM:SS.mmm` (UTC) of a wall-clock time, for the list.
pub fn clock(at: SystemTime) -> String {
    let d = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default();
    let s = d.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        d.subsec_millis()
    )
}

/// A latency for the list: `0.4 ms`, `12 ms`, `1.2 s`.
pub fn latency(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}
