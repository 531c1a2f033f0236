//! The list of served requests: each one as the server answered it (summarised off the loop),
//! bounded, selectable, and what the user does with one: show its trace in the panes, replay
//! it against the session as edited, save it as a named request.

use std::time::{Duration, SystemTime};

use base64::Engine as _;

use crate::app::effect::{PipelineRequest, ShownTrace};
use crate::app::{App, Effect, Overlay, RunState, StatusKind};
use crate::gateway::api::IntegrationType;
use crate::gateway::pipeline::ClientRequest;
use crate::gateway::trace::{Stage, Trace};
use crate::session::{SavedRequest, Session};

use super::SERVED_CAPACITY;

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

impl App {
    /// A request was served: keep it (bounded). The selection stays on the same request. A
    /// request still paused here was answered by the integration timeout: its pause ends, and
    /// when it was the one shown, the panes show what its client got (or the next pause).
    pub(in crate::app) fn on_served(&mut self, served: ServedRequest) -> Vec<Effect> {
        let id = served.id;
        let mut fx = Vec::new();
        let timed_out = self
            .listen
            .paused
            .iter()
            .position(|(p, _)| p.paused.id == id)
            .map(|i| {
                self.listen.paused.remove(i);
                format!(
                    "Request #{id} ({} {}) waited too long at the breakpoint: the integration \
                     timeout answered the client {}",
                    served.request.method,
                    served.request.path,
                    served.status()
                )
            });
        // The request shown in the panes is this one, and it is not answered there yet.
        let shown_here = self
            .viewing
            .as_ref()
            .is_some_and(|v| v.id == id && v.shown != super::Shown::Served);
        let follow = self.listen.follow == Some(id) || (timed_out.is_some() && shown_here);
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
            // The answer of the request shown (resumed, let go, timed out): show how it ended,
            // unless another paused request waits to be shown.
            if self.listen.follow == Some(id) {
                self.listen.follow = None;
            }
            if self.listen.paused.is_empty() {
                fx.extend(self.show_served());
            } else if shown_here {
                fx.extend(self.show_next_paused());
            }
        }
        if let Some(text) = timed_out {
            let text = match self.listen.paused.front() {
                Some((next, _)) if shown_here => {
                    format!("{text}; now showing #{}", next.paused.id)
                }
                _ => text,
            };
            self.set_status(StatusKind::Error, text);
        }
        fx
    }

    /// Open or close the list of served requests.
    pub(in crate::app) fn toggle_requests(&mut self) -> Vec<Effect> {
        self.overlay = match self.overlay {
            Some(Overlay::Requests) => None,
            _ => Some(Overlay::Requests),
        };
        Vec::new()
    }

    /// Move the selection in the list.
    pub(in crate::app) fn move_served(&mut self, delta: isize) -> Vec<Effect> {
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
    pub(in crate::app) fn show_served(&mut self) -> Vec<Effect> {
        let Some(s) = self.selected_served() else {
            return Vec::new();
        };
        let n = self.listen.number(self.listen.selected);
        self.overlay = None;
        self.run_view.stage = Stage::MethodResponse;
        self.view_request(s.id, super::Shown::Served, s.to_saved(String::new()));
        self.run_view.run_generation += 1;
        self.run_view.run = RunState::Showing {
            generation: self.run_view.run_generation,
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
            generation: self.run_view.run_generation,
            trace: Box::new(s.trace),
            request: Box::new(s.request),
        })];
        fx.extend(self.refresh_effects());
        fx
    }

    /// Run the selected request again through the session as edited now.
    pub(in crate::app) fn replay_served(&mut self) -> Vec<Effect> {
        let Some(s) = self.selected_served() else {
            return Vec::new();
        };
        let request = s.to_saved(String::new());
        self.overlay = None;
        self.run_view.stage = Stage::MethodResponse;
        self.run_view.run_generation += 1;
        self.run_view.run = RunState::Running {
            generation: self.run_view.run_generation,
        };
        self.chrome.set_job_status(
            format!("Replaying {} {}…", request.method, request.path),
            crate::app::StatusJob::Run {
                generation: self.run_view.run_generation,
                done: format!("Replayed {} {}: ", request.method, request.path),
            },
        );
        vec![Effect::RunPipeline(PipelineRequest {
            generation: self.run_view.run_generation,
            session: std::sync::Arc::clone(&self.workspace.session),
            request,
        })]
    }

    /// Add the selected request to the session's saved requests.
    pub(in crate::app) fn save_served(&mut self) -> Vec<Effect> {
        let Some(s) = self.selected_served() else {
            return Vec::new();
        };
        let n = self.listen.number(self.listen.selected);
        let name = format!("served #{n}: {} {}", s.request.method, s.request.path);
        std::sync::Arc::make_mut(&mut self.workspace.session)
            .requests
            .push(s.to_saved(name.clone()));
        self.workspace.revision += 1;
        let next = self
            .chrome
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
                self.workspace.session.requests.len()
            ),
        );
        Vec::new()
    }
}
