//! Autosave and recovery: while there are unsaved edits, a copy of the session is written
//! (at most once a second, atomically) to the state directory. A clean save or a deliberate
//! "quit without saving" removes it; a crash or a kill leaves it, and the next start on the
//! same session offers to restore it.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::app::{App, Effect, Origin, Overlay, StatusKind};
use crate::session::Session;

/// The workbench's state folder (autosave copies, the log): `$GATEBENCH_STATE_DIR`, else
/// `$XDG_STATE_HOME/gatebench`, else `~/.local/state/gatebench`.
pub fn state_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("GATEBENCH_STATE_DIR") {
        return Some(PathBuf::from(d));
    }
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state"))
        })?;
    Some(base.join("gatebench"))
}

/// The folder for autosave copies: `autosave` in [`state_dir`].
pub fn autosave_dir() -> Option<PathBuf> {
    state_dir().map(|d| d.join("autosave"))
}

/// The autosave file for a session file (or the built-in session) in `dir`.
pub fn autosave_file(dir: &Path, session_path: Option<&Path>) -> PathBuf {
    match session_path {
        None => dir.join("builtin-default.toml"),
        Some(p) => {
            let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
            let mut h = DefaultHasher::new();
            abs.hash(&mut h);
            let stem = p
                .file_stem()
                .map_or_else(|| "session".into(), |s| s.to_string_lossy().into_owned());
            dir.join(format!("{stem}-{:016x}.toml", h.finish()))
        }
    }
}

/// The autosave file for a session imported from `from` and not saved yet: its own file (by
/// the imported file's absolute path), so it never passes for the built-in session's copy and
/// importing the same file again finds it.
pub fn import_autosave_file(dir: &Path, from: &Path) -> PathBuf {
    let abs = std::path::absolute(from).unwrap_or_else(|_| from.to_path_buf());
    let mut h = DefaultHasher::new();
    abs.hash(&mut h);
    let stem = from
        .file_stem()
        .map_or_else(|| "api".into(), |s| s.to_string_lossy().into_owned());
    dir.join(format!("imported-{stem}-{:016x}.toml", h.finish()))
}

/// The autosave file of a session from `origin`.
pub fn autosave_file_for(dir: &Path, origin: &Origin) -> PathBuf {
    match origin {
        Origin::Builtin => autosave_file(dir, None),
        Origin::File(p) => autosave_file(dir, Some(p)),
        Origin::Imported { from, .. } => import_autosave_file(dir, from),
    }
}

/// A recovered copy found at start.
#[derive(Clone, Debug)]
pub struct Recovery {
    /// The autosave file.
    pub file: PathBuf,
    /// The session it holds.
    pub session: Box<Session>,
}

/// Look for an autosave copy of `session` (opened from `session_path`) in `dir` that differs
/// from it (blocking; called once at start).
pub fn find_recovery(
    dir: &Path,
    session_path: Option<&Path>,
    session: &Session,
) -> Option<Recovery> {
    recovery_at(autosave_file(dir, session_path), session)
}

/// The autosave copy in `file`, when it exists and differs from `session` (blocking).
pub fn recovery_at(file: PathBuf, session: &Session) -> Option<Recovery> {
    let saved = Session::load(&file).ok()?;
    // Compare contents (a loaded session also remembers the file it came from).
    (saved.to_toml().ok() != session.to_toml().ok()).then(|| Recovery {
        file,
        session: Box::new(saved),
    })
}

impl App {
    /// Turn autosave on, writing copies into `dir`.
    pub fn set_autosave_dir(&mut self, dir: PathBuf) {
        self.workspace.autosave = Some(dir);
    }

    /// Offer to restore a recovered copy (opens the question).
    pub fn offer_recovery(&mut self, recovery: Recovery) {
        self.workspace.recovery = Some(recovery);
        self.overlay = Some(Overlay::Recover);
    }

    /// The recovered copy on offer.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.workspace.recovery.as_ref()
    }

    /// The autosave copy of this session, when autosave is on.
    pub fn autosave_file(&self) -> Option<PathBuf> {
        let dir = self.workspace.autosave.as_deref()?;
        Some(autosave_file_for(dir, &self.workspace.origin))
    }

    /// The autosave folder, when autosave is on.
    pub fn autosave_dir(&self) -> Option<&Path> {
        self.workspace.autosave.as_deref()
    }

    /// An autosave of the current state (the runtime writes at most one a second).
    pub(super) fn autosave_effect(&self) -> Option<Effect> {
        let path = self.autosave_file()?;
        self.is_dirty().then(|| Effect::Autosave {
            path,
            session: std::sync::Arc::clone(&self.workspace.session),
        })
    }

    /// Remove the autosave copy (after a save, or when edits are deliberately dropped).
    pub(super) fn discard_autosave(&self) -> Option<Effect> {
        self.autosave_file().map(|path| Effect::RemoveFile { path })
    }

    /// Answer to the recovery question.
    pub(super) fn answer_recovery(&mut self, restore: bool) -> Vec<Effect> {
        self.overlay = None;
        let Some(r) = self.workspace.recovery.take() else {
            return Vec::new();
        };
        if !restore {
            self.set_status(StatusKind::Info, "Discarded the recovered edits");
            return vec![Effect::RemoveFile { path: r.file }];
        }
        let origin = self.workspace.origin.clone();
        // The copy's edits belong to the file as it was opened here, not to the copy.
        let mut session = *r.session;
        session.stamp = self.workspace.disk_stamp;
        let mut fx = self.replace_session(session, origin, 0);
        // The restored edits are not saved yet.
        self.workspace.revision += 1;
        self.workspace.forget_saved();
        self.set_status(
            StatusKind::Success,
            "Restored the unsaved edits of the previous run (save to keep them)",
        );
        fx.insert(0, Effect::CancelPipeline);
        fx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_per_session() {
        let dir = Path::new("/state");
        assert_eq!(
            autosave_file(dir, None),
            PathBuf::from("/state/builtin-default.toml")
        );
        let a = autosave_file(dir, Some(Path::new("/x/a.toml")));
        let b = autosave_file(dir, Some(Path::new("/y/a.toml")));
        assert_ne!(a, b);
        assert!(a.file_name().unwrap().to_string_lossy().starts_with("a-"));
        let imported = Origin::Imported {
            from: PathBuf::from("/x/a.toml"),
            dir: PathBuf::from("sessions"),
            saving: false,
        };
        let i = autosave_file_for(dir, &imported);
        assert_ne!(i, a, "an import has its own copy");
        assert_ne!(i, autosave_file(dir, None));
        assert!(
            i.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("imported-a-")
        );
        assert_eq!(i, import_autosave_file(dir, Path::new("/x/a.toml")));
    }

    #[test]
    fn recovery_only_when_the_copy_differs() {
        let dir = std::env::temp_dir().join(format!("gatebench-autosave-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let s = Session::builtin_default();
        assert!(find_recovery(&dir, None, &s).is_none(), "no file");
        s.save_atomic(&autosave_file(&dir, None)).unwrap();
        assert!(find_recovery(&dir, None, &s).is_none(), "same content");
        let mut edited = s.clone();
        edited.name = "edited".into();
        edited.save_atomic(&autosave_file(&dir, None)).unwrap();
        let r = find_recovery(&dir, None, &s).unwrap();
        assert_eq!(r.session.name, "edited");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
