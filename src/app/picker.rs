//! The session picker: list the sessions folder, choose one, open it (with unsaved edits, the
//! question of [`super::unsaved`] comes first, so no work is lost unless the user says so).

use std::path::{Path, PathBuf};

use crate::app::{App, AppOptions, Effect, Origin, Overlay, StatusKind};
use crate::session::Session;

/// The folder the picker lists when the session did not come from a file.
pub const SESSIONS_DIR: &str = "sessions";

/// One session file in the folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionEntry {
    /// The file.
    pub path: PathBuf,
    /// The session's name, or why it cannot be loaded.
    pub name: Result<String, String>,
}

/// The listed folder and its sessions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PickerList {
    /// The folder.
    pub dir: PathBuf,
    /// Its sessions, by file name.
    pub entries: Vec<SessionEntry>,
}

/// List the `*.toml` sessions of `dir` (blocking; the runtime calls it off the loop).
pub fn list_sessions(dir: &Path) -> Result<Vec<SessionEntry>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut out: Vec<SessionEntry> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|path| SessionEntry {
            name: Session::load(&path)
                .map(|s| s.name)
                .map_err(|e| e.to_string()),
            path,
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

impl App {
    /// The picker's list, once loaded.
    pub fn picker(&self) -> Option<&PickerList> {
        match &self.overlay {
            Some(Overlay::Picker { list, .. }) => list.as_ref(),
            _ => None,
        }
    }

    /// The folder the picker lists: the open session's folder, the folder an imported session
    /// will be saved in, else [`SESSIONS_DIR`].
    pub(super) fn picker_dir(&self) -> PathBuf {
        if let Origin::Imported { dir, .. } = &self.workspace.origin {
            return dir.clone();
        }
        self.session_path()
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from(SESSIONS_DIR), Path::to_path_buf)
    }

    pub(super) fn open_picker(&mut self) -> Vec<Effect> {
        let dir = self.picker_dir();
        self.overlay = Some(Overlay::Picker {
            selected: 0,
            list: None,
        });
        vec![Effect::ListSessions { dir }]
    }

    pub(super) fn picker_move(&self, selected: usize, delta: i16) -> usize {
        let n = self.picker().map_or(0, |p| p.entries.len());
        selected
            .saturating_add_signed(isize::from(delta))
            .min(n.saturating_sub(1))
    }

    pub(super) fn choose(&mut self) -> Vec<Effect> {
        let Some(&Overlay::Picker { selected, .. }) = self.overlay.as_ref() else {
            return Vec::new();
        };
        let Some(entry) = self.picker().and_then(|p| p.entries.get(selected)) else {
            return Vec::new();
        };
        if let Err(e) = &entry.name {
            let e = e.clone();
            self.set_status(StatusKind::Error, e);
            return Vec::new();
        }
        let path = entry.path.clone();
        if self.is_dirty() {
            self.ask_before_opening(path);
            return Vec::new();
        }
        self.overlay = None;
        vec![Effect::LoadSession { path }]
    }

    pub(super) fn on_session_list(
        &mut self,
        dir: PathBuf,
        result: Result<Vec<SessionEntry>, String>,
    ) -> Vec<Effect> {
        if !matches!(self.overlay, Some(Overlay::Picker { .. })) {
            return Vec::new();
        }
        match result {
            Ok(entries) => {
                if let Some(Overlay::Picker { list, .. }) = &mut self.overlay {
                    *list = Some(PickerList { dir, entries });
                }
            }
            Err(e) => {
                self.overlay = None;
                self.set_status(StatusKind::Error, format!("Cannot list sessions: {e}"));
            }
        }
        Vec::new()
    }

    pub(super) fn on_session_loaded(
        &mut self,
        path: PathBuf,
        result: Result<Box<Session>, String>,
    ) -> Vec<Effect> {
        let may_open = self.may_open(&path);
        match result {
            Ok(session) if may_open => {
                let name = session.name.clone();
                // Edits dropped on purpose: so is their autosave copy (the open session's).
                let discard = if self.is_dirty() {
                    self.discard_autosave()
                } else {
                    None
                };
                let mut fx = self.replace_session(*session, Origin::File(path), 0);
                self.set_status(StatusKind::Success, format!("Opened {name}"));
                fx.insert(0, Effect::CancelPipeline);
                fx.extend(discard);
                fx
            }
            Ok(_) => {
                self.set_status(
                    StatusKind::Error,
                    "Unsaved changes: the session was not opened",
                );
                Vec::new()
            }
            Err(e) => {
                let kept = if self.is_dirty() {
                    " (your edits are still here)"
                } else {
                    ""
                };
                self.set_status(StatusKind::Error, format!("{e}{kept}"));
                Vec::new()
            }
        }
    }

    /// Start over on another session with saved request `request` selected, keeping the
    /// look, the keys, the prompts' text and the generation counters (results of the old
    /// session's jobs must stay stale).
    pub(super) fn replace_session(
        &mut self,
        session: Session,
        origin: Origin,
        request: usize,
    ) -> Vec<Effect> {
        let options = AppOptions {
            theme: self.chrome.theme.clone(),
            keymap: self.chrome.keymap.clone(),
            size: self.chrome.size,
            config_path: self.chrome.config_path.clone(),
        };
        let autosave = self.workspace.autosave.clone();
        // The server (if any) keeps running: its state and list stay.
        let listen = std::mem::take(&mut self.listen);
        let import = std::mem::take(&mut self.import);
        let generations = (
            self.preview.render_generation,
            self.preview.highlight_generation,
            self.run_view.run_generation,
            self.curl.generation,
        );
        *self = App::with_origin(session, origin, options);
        (
            self.preview.render_generation,
            self.preview.highlight_generation,
            self.run_view.run_generation,
            self.curl.generation,
        ) = generations;
        self.workspace.autosave = autosave;
        self.listen = listen;
        // A session that names its address is served there, from the next start on.
        if let Some(addr) = self.workspace.session.listen
            && self.listen.state() == crate::app::listen::Listening::Off
        {
            self.listen.set_addr(addr);
        }
        self.import = import;
        if request > 0 && request < self.workspace.session.requests.len() {
            self.workspace.request_index = request;
            self.load_request_text();
            self.reroute();
        }
        self.start()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sessions_with_names_and_errors() {
        let dir = std::env::temp_dir().join(format!("gatebench-picker-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("b.toml"), crate::session::DEFAULT_SESSION).unwrap();
        std::fs::write(dir.join("a.toml"), "version = 1\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        let list = list_sessions(&dir).unwrap();
        assert_eq!(list.len(), 2);
        assert!(list[0].path.ends_with("a.toml"));
        assert!(list[0].name.is_err());
        assert_eq!(
            list[1].name.as_deref(),
            Ok(Session::builtin_default().name.as_str())
        );
        assert!(list_sessions(&dir.join("missing")).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
