//! The breakpoint of listen mode: live requests stop before the backend call, wait in a
//! queue shown one at a time in the panes, and go on when resumed (or when the integration
//! timeout answers their client).

use std::time::{Duration, SystemTime};

use crate::app::effect::ShownTrace;
use crate::app::{App, Effect, RunState, StatusKind};
use crate::gateway::pipeline::Paused;
use crate::gateway::trace::Stage;

use super::{Listening, ServedRequest, clock};

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

impl App {
    /// Arm or disarm the breakpoint.
    pub(in crate::app) fn toggle_breakpoint(&mut self) -> Vec<Effect> {
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
    pub(in crate::app) fn on_paused(&mut self, paused: PausedRequest) -> Vec<Effect> {
        if self.listen.state == Listening::Off {
            // Stopped meanwhile: its client has been let go.
            return Vec::new();
        }
        self.listen
            .paused
            .push_back((paused, self.workspace.revision));
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
    pub(super) fn show_next_paused(&mut self) -> Vec<Effect> {
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
        self.run_view.stage = Stage::IntegrationRequest;
        self.view_request(p.paused.id, super::Shown::Paused, to_saved);
        self.run_view.run_generation += 1;
        self.run_view.run = RunState::Showing {
            generation: self.run_view.run_generation,
        };
        let resume = self
            .chrome
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
            generation: self.run_view.run_generation,
            trace: Box::new(trace),
            request: Box::new(p.paused.request),
        })];
        fx.extend(self.refresh_effects());
        fx
    }

    /// Let the first paused request go on: through the session as edited now when it was
    /// edited since the pause, else as rendered.
    pub(in crate::app) fn resume_paused(&mut self) -> Vec<Effect> {
        let Some((p, revision)) = self.listen.paused.pop_front() else {
            self.set_status(StatusKind::Info, "No request is waiting at the breakpoint");
            return Vec::new();
        };
        let id = p.paused.id;
        let edited = revision != self.workspace.revision;
        self.listen.follow = Some(id);
        // Its pause is over: the panes say it goes on, until its answer replaces them.
        if let Some(v) = self.viewing.as_mut().filter(|v| v.id == id) {
            v.set(super::Shown::Resumed);
        }
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
            rerun: edited.then(|| Box::new(self.workspace.session.api_for_run().into_owned())),
        }];
        fx.extend(self.show_next_paused());
        fx
    }
}
