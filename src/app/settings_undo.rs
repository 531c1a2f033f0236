//! Undoing an applied settings change. The settings editors (`e` the method, `E` the API,
//! `B` the session's backend and listen address) apply their text as one edit of the
//! session; each applied change is kept here, and the workbench's undo key in normal mode
//! (`u`, `Ctrl-z`) takes it back, redo (`Ctrl-r`) brings it again, with a status line saying
//! what. This is the one session-level undo next to the editors' own, so the key decides by
//! what was done last: right after an apply (nothing edited since), or from a pane that holds
//! no editor, undo takes back the applied change; otherwise it undoes the focused editor's
//! typing, as before.
//!
//! A change is undone exactly when what it changed is still as it left it. When the method
//! or the API was edited since (a template typed in the Template pane), only the settings
//! the editor shows are put back, through the editor's own reading of its text, so the later
//! edits stay.

use std::net::SocketAddr;

use crate::app::route::MethodRef;
use crate::app::settings_text::{api_text, method_text, parse_api, parse_method};
use crate::app::{Action, App, Effect, StatusKind};
use crate::backend::BackendConfig;
use crate::gateway::api::{Api, Method};

/// How many applied changes are kept.
const KEPT: usize = 50;

/// What an applied change changed, before and after.
#[derive(Debug)]
enum Change {
    /// The session's backend and listen address (`B`).
    Session {
        before: Box<SessionState>,
        after: Box<SessionState>,
    },
    /// A method's settings (`e`).
    Method {
        target: MethodRef,
        before: Box<Method>,
        after: Box<Method>,
    },
    /// The API-level settings (`E`).
    Api { before: Box<Api>, after: Box<Api> },
}

/// The session settings `B` changes, as the session holds them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SessionState {
    /// The backend.
    pub(crate) backend: BackendConfig,
    /// The session file's `listen` (`None`: not written).
    pub(crate) listen: Option<SocketAddr>,
    /// The address listen mode serves on.
    pub(crate) addr: SocketAddr,
}

/// One applied change.
#[derive(Debug)]
struct Applied {
    change: Change,
    /// What changed, for the status line (`backend echo → canned`).
    summary: String,
    /// The session's revision once the change (or its undo, or redo) was made: the change
    /// was the last edit while the revision is still this.
    revision: u64,
}

/// The applied settings changes that can be undone, and those undone that can be redone.
#[derive(Debug, Default)]
pub(crate) struct SettingsHistory {
    undo: Vec<Applied>,
    redo: Vec<Applied>,
}

impl App {
    /// The session settings `B` changes, as they are now.
    pub(super) fn session_state(&self) -> SessionState {
        SessionState {
            backend: self.workspace.session.backend.clone(),
            listen: self.workspace.session.listen,
            addr: self.listen.addr(),
        }
    }

    fn record(&mut self, change: Change, summary: String) {
        let h = &mut self.settings_history;
        h.redo.clear();
        h.undo.push(Applied {
            change,
            summary,
            revision: self.workspace.revision,
        });
        if h.undo.len() > KEPT {
            h.undo.remove(0);
        }
    }

    /// `B` applied: remember the session settings before and after.
    pub(super) fn record_session_change(&mut self, before: SessionState, summary: String) {
        let after = Box::new(self.session_state());
        self.record(
            Change::Session {
                before: Box::new(before),
                after,
            },
            summary,
        );
    }

    /// `e` applied: remember the method before and after.
    pub(super) fn record_method_change(
        &mut self,
        target: MethodRef,
        before: Method,
        summary: String,
    ) {
        let Some(after) = target.get(&self.workspace.session.api).cloned() else {
            return;
        };
        self.record(
            Change::Method {
                target,
                before: Box::new(before),
                after: Box::new(after),
            },
            summary,
        );
    }

    /// `E` applied: remember the API before and after.
    pub(super) fn record_api_change(&mut self, before: Api, summary: String) {
        let after = Box::new(self.workspace.session.api.clone());
        self.record(
            Change::Api {
                before: Box::new(before),
                after,
            },
            summary,
        );
    }

    /// Whether the undo key (redo with `undo` false) goes to an applied settings change
    /// rather than to the focused editor: the change was the last edit, or there is no
    /// editor to undo in.
    pub(super) fn settings_undo_first(&self, undo: bool) -> bool {
        let h = &self.settings_history;
        let Some(last) = (if undo { h.undo.last() } else { h.redo.last() }) else {
            return false;
        };
        last.revision == self.workspace.revision || !self.chrome.focus.editable()
    }

    /// Undo the last applied settings change (or redo the last undone one).
    pub(super) fn undo_settings(&mut self, undo: bool) -> Vec<Effect> {
        let popped = if undo {
            self.settings_history.undo.pop()
        } else {
            self.settings_history.redo.pop()
        };
        let Some(mut applied) = popped else {
            return Vec::new();
        };
        let mut fx = match self.put_back(&applied.change, undo) {
            Ok(fx) => fx,
            Err(why) => {
                self.set_status(
                    StatusKind::Error,
                    format!(
                        "Cannot {} {}: {why}",
                        if undo { "undo" } else { "redo" },
                        applied.summary
                    ),
                );
                // Kept, so nothing is lost from the history.
                if undo {
                    self.settings_history.undo.push(applied);
                } else {
                    self.settings_history.redo.push(applied);
                }
                return Vec::new();
            }
        };
        self.workspace.revision += 1;
        fx.extend(self.settings_applied());
        applied.revision = self.workspace.revision;
        let key = |a| {
            self.chrome
                .keymap
                .first_key(crate::app::keymap::Layer::Normal, a)
                .unwrap_or_default()
        };
        let text = if undo {
            format!("Undid {} ({} redoes)", applied.summary, key(Action::Redo))
        } else {
            format!("Redid {} ({} undoes)", applied.summary, key(Action::Undo))
        };
        if undo {
            self.settings_history.redo.push(applied);
        } else {
            self.settings_history.undo.push(applied);
        }
        self.set_status(StatusKind::Success, text);
        fx
    }

    /// Put the settings of `change` back as they were before it (`undo`) or after it.
    fn put_back(&mut self, change: &Change, undo: bool) -> Result<Vec<Effect>, String> {
        match change {
            Change::Session { before, after } => {
                let to = if undo { before } else { after };
                let moved = self.listen.addr() != to.addr;
                let session = std::sync::Arc::make_mut(&mut self.workspace.session);
                session.backend = to.backend.clone();
                session.listen = to.listen;
                self.listen.set_addr(to.addr);
                if moved && self.listen.state() != crate::app::listen::Listening::Off {
                    // A running server moves back too (a taken port is reported).
                    return Ok(self.start_listening());
                }
                Ok(Vec::new())
            }
            Change::Method {
                target,
                before,
                after,
            } => {
                let (from, to) = if undo {
                    (after, before)
                } else {
                    (before, after)
                };
                let current = target
                    .get(&self.workspace.session.api)
                    .ok_or_else(|| "the method is no longer in the session".to_string())?;
                let new = if current == &**from {
                    (**to).clone()
                } else {
                    // Edited since: put back only the settings (the templates stay).
                    let text = method_text(to)?;
                    parse_method(&text, current)
                        .map(|(m, _)| m)
                        .map_err(|e| e.to_string())?
                };
                let api = &mut std::sync::Arc::make_mut(&mut self.workspace.session).api;
                if let Some(m) = target.get_mut(api) {
                    *m = new;
                }
                Ok(Vec::new())
            }
            Change::Api { before, after } => {
                let (from, to) = if undo {
                    (after, before)
                } else {
                    (before, after)
                };
                let current = &self.workspace.session.api;
                let new = if current == &**from {
                    (**to).clone()
                } else {
                    // Edited since: put back only the API-level settings (the resources stay).
                    let text = api_text(to)?;
                    parse_api(&text, current).map_err(|e| e.to_string())?
                };
                std::sync::Arc::make_mut(&mut self.workspace.session).api = new;
                Ok(Vec::new())
            }
        }
    }
}
