//! Where the open session came from, which decides where saving writes and which autosave
//! copy belongs to it.

use std::path::{Path, PathBuf};

/// Where the session lives on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The built-in default session: saving writes [`crate::app::DEFAULT_SAVE_PATH`].
    Builtin,
    /// A session file: saving replaces it (atomically).
    File(PathBuf),
    /// Imported from an API definition and never saved: the first save writes a new file in
    /// `dir` named after the API, never replacing an existing one.
    Imported {
        /// The imported API definition.
        from: PathBuf,
        /// The folder the first save writes to (the session picker's folder).
        dir: PathBuf,
        /// Whether that first save is on its way (a second one would write a second file).
        saving: bool,
    },
}

impl Origin {
    /// The imported file, for a session imported and not saved yet.
    pub fn imported_from(&self) -> Option<&Path> {
        match self {
            Origin::Imported { from, .. } => Some(from),
            Origin::Builtin | Origin::File(_) => None,
        }
    }
}
