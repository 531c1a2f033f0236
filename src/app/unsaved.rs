//! Opening another session while there are unsaved edits: a question with three answers,
//! like the quit question. Save them and open (the session opens once the save is done; a
//! failed or refused save opens nothing), discard them and open (their autosave copy goes
//! once the other session is open), or stay (back to the picker, nothing changed). Nothing is
//! lost unless the user chose to discard.

use std::path::PathBuf;

use crate::app::keymap::Layer;
use crate::app::{Action, App, Effect, Overlay, StatusKind};

/// A session to open once the unsaved edits are dealt with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Opening {
    /// Open it when the save of these edits is done.
    AfterSave(PathBuf),
    /// Open it even though there are unsaved edits: the user chose to drop them.
    Discarding(PathBuf),
}

impl App {
    /// The session the unsaved-edits question is about (while it is open).
    pub fn confirm_open_path(&self) -> Option<&std::path::Path> {
        match &self.overlay {
            Some(Overlay::ConfirmOpen { path, .. }) => Some(path),
            _ => None,
        }
    }

    /// Ask what to do with the unsaved edits before opening `path`.
    pub(super) fn ask_before_opening(&mut self, path: PathBuf) {
        let Some(Overlay::Picker { selected, list }) = self.overlay.take() else {
            return;
        };
        self.overlay = Some(Overlay::ConfirmOpen {
            path,
            selected,
            list,
        });
    }

    /// The question's answers; `None` when the question is not open or `action` is not one.
    pub(super) fn perform_unsaved(&mut self, action: Action) -> Option<Vec<Effect>> {
        if !matches!(self.overlay, Some(Overlay::ConfirmOpen { .. })) {
            return None;
        }
        let fx = match action {
            Action::SaveFirst => {
                let path = self.close_question()?;
                let name = file_name(&path);
                let fx = self.save();
                // A save that did not start (already saving) opens nothing.
                if fx.is_empty() {
                    return Some(fx);
                }
                self.opening = Some(Opening::AfterSave(path));
                if let Some(s) = &mut self.chrome.status {
                    s.text = format!("{} then opening {name}", s.text);
                }
                fx
            }
            Action::Discard => {
                let path = self.close_question()?;
                self.set_status(
                    StatusKind::Info,
                    format!("Opening {} without your edits…", file_name(&path)),
                );
                self.opening = Some(Opening::Discarding(path.clone()));
                vec![Effect::LoadSession { path }]
            }
            Action::ConfirmNo | Action::Cancel => {
                // Back to the picker as it was.
                if let Some(Overlay::ConfirmOpen { selected, list, .. }) = self.overlay.take() {
                    self.overlay = Some(Overlay::Picker { selected, list });
                }
                self.set_status(StatusKind::Info, "Not opened; your edits are still here");
                Vec::new()
            }
            Action::ForceQuit => return None,
            _ => Vec::new(),
        };
        Some(fx)
    }

    /// Close the question; the session it was about.
    fn close_question(&mut self) -> Option<PathBuf> {
        match self.overlay.take() {
            Some(Overlay::ConfirmOpen { path, .. }) => Some(path),
            other => {
                self.overlay = other;
                None
            }
        }
    }

    /// A save ended (`saved`: it worked): open the session waiting for it, if any, once the
    /// session is clean (an edit made while saving is not saved yet, so nothing opens).
    pub(super) fn open_after_save(&mut self, saved: bool) -> Vec<Effect> {
        let Some(Opening::AfterSave(path)) = self.opening.take() else {
            return Vec::new();
        };
        let name = file_name(&path);
        if !saved {
            if let Some(s) = &mut self.chrome.status {
                s.text = format!("{} ({name} was not opened)", s.text);
            }
            return Vec::new();
        }
        if self.is_dirty() {
            let open = self
                .chrome
                .keymap
                .first_key(Layer::Normal, Action::OpenSession)
                .unwrap_or_default();
            self.set_status(
                StatusKind::Error,
                format!("Saved, but edited since: {name} was not opened ({open} to try again)"),
            );
            return Vec::new();
        }
        vec![Effect::LoadSession { path }]
    }

    /// Whether a loaded session may replace this one: no unsaved edits, or the user chose to
    /// drop them for this very file. Takes the choice.
    pub(super) fn may_open(&mut self, path: &std::path::Path) -> bool {
        match self.opening.take() {
            Some(Opening::Discarding(p)) if p == path => true,
            other => {
                self.opening = other;
                !self.is_dirty()
            }
        }
    }
}

fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}
