//! The one way back into the app: terminal input, results of effects, ticks.

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use crate::app::Pane;
use crate::app::action::Action;
use crate::app::view_model::{Areas, Highlighted};
use crate::app::views::{RenderOutcome, TraceOutcome};

/// A message for [`crate::app::update`].
#[derive(Clone, Debug)]
pub enum Msg {
    /// A key press (releases are dropped by the runtime and ignored here too).
    Key(KeyEvent),
    /// Keys read from the terminal at once (a burst, such as a paste without bracketed
    /// paste): typed into the editor as one edit, one step to undo and one render.
    Keys(Vec<KeyEvent>),
    /// Pasted text (bracketed paste).
    Paste(String),
    /// A left click on a pane (the runtime finds the pane in the areas the last frame
    /// recorded).
    Click(Pane),
    /// The mouse wheel over a pane: this many lines (negative: up).
    Scroll(Pane, i16),
    /// A frame was drawn with panes at these areas (bounds scrolling by what is shown).
    Drawn(Areas),
    /// The terminal was resized to (width, height).
    Resize(u16, u16),
    /// A tick while something animates (spinner).
    Tick,
    /// An action, without a key (tests, mouse, scripts).
    Action(Action),
    /// A template render finished.
    Rendered(RenderOutcome),
    /// Syntax highlighting finished.
    Highlighted(Highlighted),
    /// A pipeline run finished, failed or was cancelled.
    Traced(TraceOutcome),
    /// One integration type of the compare view finished.
    Compared(Box<crate::app::compare::CompareOutcome>),
    /// A save finished.
    Saved {
        /// Where.
        path: PathBuf,
        /// The edit revision that was saved.
        revision: u64,
        /// Success, or the error message.
        result: Result<(), String>,
        /// The fingerprint of the file written.
        stamp: Option<crate::session::file::Stamp>,
    },
    /// A save found the file changed on disk since it was read, and left it alone.
    SaveConflict(crate::app::conflict::SaveConflict),
    /// An autosave copy was written.
    Autosaved {
        /// Success, or the error message.
        result: Result<(), String>,
    },
    /// The sessions folder was listed.
    SessionList {
        /// The folder.
        dir: PathBuf,
        /// The sessions found, or why the folder could not be read.
        result: Result<Vec<crate::app::picker::SessionEntry>, String>,
    },
    /// A test token was signed (for [`crate::app::Effect::MintToken`]).
    TokenMinted {
        /// The header it goes into.
        header: String,
        /// The saved request it is for.
        index: usize,
        /// The token, or why none could be signed.
        result: Result<String, String>,
    },
    /// A session file was loaded.
    SessionLoaded {
        /// The file.
        path: PathBuf,
        /// The session, or the error (`file:line: message`).
        result: Result<Box<crate::session::Session>, String>,
    },
    /// A copy to the clipboard finished.
    Copied {
        /// What was copied ("rendered output", "request as curl", ...).
        what: String,
        /// Bytes copied, or the error message.
        result: Result<usize, String>,
    },
    /// The listen-mode server bound its address, or could not.
    Listening {
        /// The generation of the start request.
        generation: u64,
        /// The bound address, or why it failed.
        result: Result<std::net::SocketAddr, String>,
    },
    /// The listen-mode server answered a request.
    Served(Box<crate::app::listen::ServedRequest>),
    /// A live request stopped at the breakpoint.
    Paused(Box<crate::app::listen::PausedRequest>),
    /// A folder was listed for file-name completion.
    DirListed {
        /// The generation of the request.
        generation: u64,
        /// Its entries, or why it could not be read.
        result: Result<Vec<crate::app::import_dialog::DirEntryName>, String>,
    },
    /// An API definition was imported, or could not be.
    Imported {
        /// The generation of the request.
        generation: u64,
        /// The import, or the error (`file:line:column: message`).
        result: Result<Box<crate::app::import_dialog::ImportResult>, String>,
    },
    /// A curl command line was parsed, or could not be.
    CurlParsed {
        /// The generation of the request.
        generation: u64,
        /// The request, or what is wrong with the command.
        result: Result<crate::session::SavedRequest, String>,
    },
    /// A setting was written to the settings file (or not).
    Remembered {
        /// The setting.
        key: &'static str,
        /// Whether it was written.
        result: Result<(), String>,
    },
    /// A background file job ended without an answer (it panicked). Update handles it as
    /// that job's own failure, so nothing waits for it forever (an import's first save, say).
    JobFailed {
        /// Which job, with what its answer would have been about.
        job: JobKind,
        /// What went wrong.
        why: String,
    },
}

/// A background file job, named by what its answer would be about (see [`Msg::JobFailed`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobKind {
    /// Writing a setting to the settings file.
    Remember {
        /// The setting.
        key: &'static str,
    },
    /// Saving the session (to its file, or as a new file of an import).
    Save {
        /// Where (for a new file: the file it would have been).
        path: PathBuf,
        /// The edit revision being saved.
        revision: u64,
    },
    /// Writing or removing the autosave copy.
    Autosave,
    /// Listing the sessions folder.
    ListSessions {
        /// The folder.
        dir: PathBuf,
    },
    /// Loading a session file.
    LoadSession {
        /// The file.
        path: PathBuf,
    },
    /// Preparing a served request's trace for display.
    ShowTrace {
        /// The run generation it would have shown.
        generation: u64,
    },
    /// Listing a folder for file-name completion.
    ListDir {
        /// The generation of the request.
        generation: u64,
    },
    /// Importing an API definition.
    Import {
        /// The generation of the request.
        generation: u64,
    },
    /// Parsing a curl command.
    ParseCurl {
        /// The generation of the request.
        generation: u64,
    },
    /// Signing a test token.
    MintToken {
        /// The header it goes into.
        header: String,
        /// The saved request it is for.
        index: usize,
    },
}

impl JobKind {
    /// The message the job sends when it fails, saying `why`.
    pub fn failure(self, why: String) -> Msg {
        match self {
            JobKind::Save { path, revision } => Msg::Saved {
                path,
                revision,
                result: Err(why),
                stamp: None,
            },
            JobKind::Autosave => Msg::Autosaved { result: Err(why) },
            JobKind::Remember { key } => Msg::Remembered {
                key,
                result: Err(why),
            },
            JobKind::ListSessions { dir } => Msg::SessionList {
                dir,
                result: Err(why),
            },
            JobKind::LoadSession { path } => Msg::SessionLoaded {
                path,
                result: Err(why),
            },
            JobKind::ShowTrace { generation } => Msg::Traced(TraceOutcome {
                generation,
                result: Err(why),
            }),
            JobKind::ListDir { generation } => Msg::DirListed {
                generation,
                result: Err(why),
            },
            JobKind::Import { generation } => Msg::Imported {
                generation,
                result: Err(why),
            },
            JobKind::ParseCurl { generation } => Msg::CurlParsed {
                generation,
                result: Err(why),
            },
            JobKind::MintToken { header, index } => Msg::TokenMinted {
                header,
                index,
                result: Err(why),
            },
        }
    }
}
