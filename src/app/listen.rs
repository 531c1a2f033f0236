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
use crate::gateway::pipeline::{ClientRequest, Paused};
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
    /// Its number since the server started (a paused request has the same).
    pub id: u64,
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
    pub fn new(served: crate::serve::Served, session: &Session) -> ServedRequest {
        let kind =
            crate::app::route::route(&session.api, &served.request.method, &served.request.path)
                .and_then(|r| r.method.get(&session.api).map(|m| m.integration.kind));
        ServedRequest {
            id: served.id,
            at: SystemTime::now(),
            request: served.request,
            trace: served.trace,
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

/// A live request waiting at the breakpoint (its client is waiting too).
#[derive(Clone, Debug)]
pub struct PausedRequest {
    /// What the pipeline handed over.
    pub paused: Paused,
    /// When it paused (wall clock).
    pub at: SystemTime,
}

impl PausedRequest {
    /// When the integration timeout answers the client if nobody resumes it.
    pub fn deadline(&self) -> SystemTime {
        self.at + self.paused.time_left
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
    pub(super) fn serve_edits_effect(&mut self) -> Option<Effect> {
        if self.listen.state == Listening::Off || self.listen.revision == self.revision {
            return None;
        }
        self.listen.revision = self.revision;
        Some(Effect::ServeSession(std::sync::Arc::clone(&self.session)))
    }

    /// Start serving, or stop.
    pub(super) fn toggle_listen(&mut self) -> Vec<Effect> {
        match self.listen.state {
            Listening::Off => self.start_listening(),
            Listening::Starting { .. } | Listening::On { .. } => {
                self.listen.state = Listening::Off;
                // A bind still in flight is dropped by generation.
                self.listen.generation += 1;
                // Stopping the server answers its paused clients (the connection closes).
                self.listen.paused.clear();
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
            session: std::sync::Arc::clone(&self.session),
            breakpoint: self.listen.breakpoint,
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

    /// A request was served: keep it (bounded). The selection stays on the same request.
    pub(super) fn on_served(&mut self, served: ServedRequest) -> Vec<Effect> {
        let id = served.id;
        let mut fx = Vec::new();
        if let Some(i) = self
            .listen
            .paused
            .iter()
            .position(|(p, _)| p.paused.id == id)
        {
            // Still paused here, yet answered: the integration timeout ran out.
            self.listen.paused.remove(i);
            self.set_status(
                StatusKind::Error,
                format!(
                    "Request #{id} ({} {}) waited too long at the breakpoint: the integration \
                     timeout answered the client {}",
                    served.request.method,
                    served.request.path,
                    served.status()
                ),
            );
            fx.extend(self.show_next_paused());
        }
        let follow = self.listen.follow == Some(id);
        let l = &mut self.listen;
        let at_end = l.selected + 1 >= l.served.len();
        if l.served.len() == SERVED_CAPACITY {
            l.served.pop_front();
            l.selected = l.selected.saturating_sub(1);
        }
        l.served.push_back(served);
        l.total += 1;
        // Follow new requests while the selection is on the newest one.
        if at_end || follow {
            l.selected = l.served.len() - 1;
        }
        if follow {
            // The resumed request's answer: show how it ended.
            l.follow = None;
            if self.listen.paused.is_empty() {
                fx.extend(self.show_served());
            }
        }
        fx
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
        self.view_request(format!("served #{}", s.id), s.to_saved(String::new()));
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
        let mut fx = vec![Effect::ShowTrace(ShownTrace {
            generation: self.run_generation,
            trace: Box::new(s.trace),
            request: Box::new(s.request),
        })];
        fx.extend(self.refresh_effects());
        fx
    }

    /// Arm or disarm the breakpoint.
    pub(super) fn toggle_breakpoint(&mut self) -> Vec<Effect> {
        self.listen.breakpoint = !self.listen.breakpoint;
        let text = match (self.listen.breakpoint, self.listen.state) {
            (true, Listening::Off) => {
                "Breakpoint armed: once listening, live requests pause after the integration \
                 request is rendered"
            }
            (true, _) => {
                "Breakpoint armed: live requests pause after the integration request is rendered"
            }
            (false, _) => "Breakpoint off: live requests go straight through",
        };
        self.set_status(StatusKind::Info, text);
        vec![Effect::SetBreakpoint(self.listen.breakpoint)]
    }

    /// A live request stopped at the breakpoint: queue it; the first one is shown.
    pub(super) fn on_paused(&mut self, paused: PausedRequest) -> Vec<Effect> {
        if self.listen.state == Listening::Off {
            // Stopped meanwhile: its client has been let go.
            return Vec::new();
        }
        self.listen.paused.push_back((paused, self.revision));
        if self.listen.paused.len() == 1 {
            self.show_next_paused()
        } else {
            let n = self.listen.paused.len();
            self.set_status(
                StatusKind::Info,
                format!("{n} requests are waiting at the breakpoint"),
            );
            Vec::new()
        }
    }

    /// Show the first paused request in the panes, and say how to go on.
    fn show_next_paused(&mut self) -> Vec<Effect> {
        let Some((p, _)) = self.listen.paused.front().cloned() else {
            return Vec::new();
        };
        let to_saved = ServedRequest {
            id: p.paused.id,
            at: p.at,
            request: p.paused.request.clone(),
            trace: p.paused.trace.clone(),
            latency: Duration::ZERO,
            kind: None,
        }
        .to_saved(String::new());
        self.overlay = None;
        self.stage = Stage::IntegrationRequest;
        self.view_request(format!("paused #{}", p.paused.id), to_saved);
        self.run_generation += 1;
        self.run = RunState::Running {
            generation: self.run_generation,
        };
        let resume = self
            .keymap
            .first_key(
                crate::app::keymap::Layer::Normal,
                crate::app::Action::Resume,
            )
            .unwrap_or_default();
        let waiting = self.listen.paused.len();
        self.set_status(
            StatusKind::Info,
            format!(
                "#{} {} {} at the breakpoint{}: {resume} resume, 504 at {}",
                p.paused.id,
                p.paused.request.method,
                p.paused.request.path,
                if waiting > 1 {
                    format!(" (+{})", waiting - 1)
                } else {
                    String::new()
                },
                clock(p.deadline()),
            ),
        );
        let mut trace = p.paused.trace.clone();
        trace.endpoint_request = Some(p.paused.endpoint_request.clone());
        let mut fx = vec![Effect::ShowTrace(ShownTrace {
            generation: self.run_generation,
            trace: Box::new(trace),
            request: Box::new(p.paused.request),
        })];
        fx.extend(self.refresh_effects());
        fx
    }

    /// Let the first paused request go on: through the session as edited now when it was
    /// edited since the pause, else as rendered.
    pub(super) fn resume_paused(&mut self) -> Vec<Effect> {
        let Some((p, revision)) = self.listen.paused.pop_front() else {
            self.set_status(StatusKind::Info, "No request is waiting at the breakpoint");
            return Vec::new();
        };
        let id = p.paused.id;
        let edited = revision != self.revision;
        self.listen.follow = Some(id);
        self.set_status(
            StatusKind::Info,
            format!(
                "Resumed #{id} {} {}{}",
                p.paused.request.method,
                p.paused.request.path,
                if edited {
                    " through the edited session"
                } else {
                    " as rendered"
                }
            ),
        );
        let mut fx = vec![Effect::Resume {
            id,
            rerun: edited.then(|| Box::new(self.session.api_for_run().into_owned())),
        }];
        fx.extend(self.show_next_paused());
        fx
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
            session: std::sync::Arc::clone(&self.session),
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
        std::sync::Arc::make_mut(&mut self.session)
            .requests
            .push(s.to_saved(name.clone()));
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
