//! Listen mode in the workbench: serving the session on loopback, the bounded list of served
//! requests fed by the server's observer (through the runtime's message queue), and what the
//! user does with one (show its trace, replay it, save it as a named request).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use base64::Engine as _;

use crate::app::effect::{PipelineRequest, ShownTrace};
use crate::app::{App, Effect, Overlay, RunState, StatusKind};
use crate::gateway::api::IntegrationType;
use crate::gateway::pipeline::ClientRequest;
use crate::gateway::trace::{Stage, Trace};
use crate::session::{SavedRequest, Session};

/// How many served requests the list keeps (oldest dropped first).
pub const SERVED_CAPACITY: usize = 500;

/// The address served when no `--listen` flag names one.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// One request the local gateway answered, summarised for the list when it was served (off
/// the loop), with its full trace for the panes.
#[derive(Clone, Debug)]
pub struct ServedRequest {
    /// When it arrived (wall clock).
    pub at: SystemTime,
    /// The request as received.
    pub request: ClientRequest,
    /// Its trip through the gateway.
    pub trace: Trace,
    /// Time spent answering.
    pub latency: Duration,
    /// The integration type of the method it reached (`None`: no route).
    pub kind: Option<IntegrationType>,
}

impl ServedRequest {
    /// Summarise a served request against the session the server runs.
    pub fn new(served: &crate::serve::Served, session: &Session) -> ServedRequest {
        let kind =
            crate::app::route::route(&session.api, &served.request.method, &served.request.path)
                .and_then(|r| r.method.get(&session.api).map(|m| m.integration.kind));
        ServedRequest {
            at: SystemTime::now(),
            request: served.request.clone(),
            trace: served.trace.clone(),
            latency: served.latency,
            kind,
        }
    }

    /// The status the client received.
    pub fn status(&self) -> u16 {
        self.trace.response.status
    }

    /// The request as a saved request (text body when it is UTF-8, else base64).
    pub fn to_saved(&self, name: String) -> SavedRequest {
        let (body, body_base64) = if self.request.body.is_empty() {
            (None, None)
        } else {
            match std::str::from_utf8(&self.request.body) {
                Ok(s) => (Some(s.to_string()), None),
                Err(_) => (
                    None,
                    Some(base64::engine::general_purpose::STANDARD.encode(&self.request.body)),
                ),
            }
        };
        SavedRequest {
            name,
            method: self.request.method.clone(),
            path: self.request.path.clone(),
            raw_query: self.request.raw_query.clone(),
            headers: self.request.headers.clone(),
            body,
            body_base64,
        }
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

    /// Whether the session was edited since the server started (it serves the old one).
    pub fn serving_old_edits(&self) -> bool {
        self.listen.state != Listening::Off && self.listen.revision != self.revision
    }

    /// Start serving, or stop.
    pub(super) fn toggle_listen(&mut self) -> Vec<Effect> {
        match self.listen.state {
            Listening::Off => self.start_listening(),
            Listening::Starting { .. } | Listening::On { .. } => {
                self.listen.state = Listening::Off;
                // A bind still in flight is dropped by generation.
                self.listen.generation += 1;
                self.set_status(StatusKind::Info, "Stopped listening");
                vec![Effect::StopListening]
            }
        }
    }

    pub(super) fn start_listening(&mut self) -> Vec<Effect> {
        self.listen.generation += 1;
        self.listen.revision = self.revision;
        self.listen.state = Listening::Starting {
            generation: self.listen.generation,
        };
        self.set_status(
            StatusKind::Info,
            format!("Starting to listen on {}…", self.listen.addr),
        );
        vec![Effect::StartListening {
            generation: self.listen.generation,
            addr: self.listen.addr,
            allow_remote: self.listen.allow_remote,
            session: Box::new(self.session.clone()),
        }]
    }

    /// The server bound (or failed to).
    pub(super) fn on_listening(
        &mut self,
        generation: u64,
        result: Result<SocketAddr, String>,
    ) -> Vec<Effect> {
        if self.listen.state != (Listening::Starting { generation }) {
            // Stopped (or restarted) meanwhile: make sure that server goes away.
            return if result.is_ok() {
                vec![Effect::StopListening]
            } else {
                Vec::new()
            };
        }
        match result {
            Ok(addr) => {
                self.listen.state = Listening::On { addr };
                let list = self
                    .keymap
                    .first_key(
                        crate::app::keymap::Layer::Normal,
                        crate::app::Action::Requests,
                    )
                    .unwrap_or_default();
                self.set_status(
                    StatusKind::Success,
                    format!("Listening on http://{addr} ({list}: served requests)"),
                );
            }
            Err(e) => {
                self.listen.state = Listening::Off;
                self.set_status(StatusKind::Error, e);
            }
        }
        Vec::new()
    }

    /// A request was served: keep it (bounded). The selection stays on the same request.
    pub(super) fn on_served(&mut self, served: ServedRequest) -> Vec<Effect> {
        let l = &mut self.listen;
        let at_end = l.selected + 1 >= l.served.len();
        if l.served.len() == SERVED_CAPACITY {
            l.served.pop_front();
            l.selected = l.selected.saturating_sub(1);
        }
        l.served.push_back(served);
        l.total += 1;
        // Follow new requests while the selection is on the newest one.
        if at_end {
            l.selected = l.served.len() - 1;
        }
        Vec::new()
    }

    /// Open or close the list of served requests.
    pub(super) fn toggle_requests(&mut self) -> Vec<Effect> {
        self.overlay = match self.overlay {
            Some(Overlay::Requests) => None,
            _ => Some(Overlay::Requests),
        };
        Vec::new()
    }

    /// Move the selection in the list.
    pub(super) fn move_served(&mut self, delta: isize) -> Vec<Effect> {
        let n = self.listen.served.len();
        if n > 0 {
            self.listen.selected = self.listen.selected.saturating_add_signed(delta).min(n - 1);
        }
        Vec::new()
    }

    fn selected_served(&mut self) -> Option<ServedRequest> {
        let s = self.listen.served.get(self.listen.selected).cloned();
        if s.is_none() {
            self.set_status(StatusKind::Info, "No served request selected");
        }
        s
    }

    /// Show the selected request's trace in the panes (laid out off the loop).
    pub(super) fn show_served(&mut self) -> Vec<Effect> {
        let Some(s) = self.selected_served() else {
            return Vec::new();
        };
        let n = self.listen.number(self.listen.selected);
        self.overlay = None;
        self.stage = Stage::MethodResponse;
        self.run_generation += 1;
        self.run = RunState::Running {
            generation: self.run_generation,
        };
        self.set_status(
            StatusKind::Info,
            format!(
                "Served request #{n}: {} {} → {}",
                s.request.method,
                s.request.path,
                s.status()
            ),
        );
        vec![Effect::ShowTrace(ShownTrace {
            generation: self.run_generation,
            trace: Box::new(s.trace),
            request: Box::new(s.request),
        })]
    }

    /// Run the selected request again through the session as edited now.
    pub(super) fn replay_served(&mut self) -> Vec<Effect> {
        let Some(s) = self.selected_served() else {
            return Vec::new();
        };
        let request = s.to_saved(String::new());
        self.overlay = None;
        self.stage = Stage::MethodResponse;
        self.run_generation += 1;
        self.run = RunState::Running {
            generation: self.run_generation,
        };
        self.set_status(
            StatusKind::Info,
            format!("Replaying {} {}…", request.method, request.path),
        );
        vec![Effect::RunPipeline(PipelineRequest {
            generation: self.run_generation,
            session: Box::new(self.session.clone()),
            request,
        })]
    }

    /// Add the selected request to the session's saved requests.
    pub(super) fn save_served(&mut self) -> Vec<Effect> {
        let Some(s) = self.selected_served() else {
            return Vec::new();
        };
        let n = self.listen.number(self.listen.selected);
        let name = format!("served #{n}: {} {}", s.request.method, s.request.path);
        self.session.requests.push(s.to_saved(name.clone()));
        self.revision += 1;
        let next = self
            .keymap
            .first_key(
                crate::app::keymap::Layer::Normal,
                crate::app::Action::NextRequest,
            )
            .unwrap_or_default();
        self.set_status(
            StatusKind::Success,
            format!(
                "Added request {} \"{name}\" to the session ({next} to switch)",
                self.session.requests.len()
            ),
        );
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
