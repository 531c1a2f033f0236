//! What `update` asks the runtime to do. Effects are plain data; the runtime runs them and
//! answers with a [`crate::app::Msg`].

use std::sync::Arc;

use std::path::PathBuf;

use crate::app::view_model::HighlightRequest;
use crate::gateway::Phase;
use crate::session::{SavedRequest, Session};

/// Render one mapping template as API Gateway would (CPU work: `spawn_blocking`).
#[derive(Clone, Debug, PartialEq)]
pub struct RenderRequest {
    /// Newer generations replace older ones; older results are dropped.
    pub generation: u64,
    /// The template text.
    pub template: String,
    /// Request or response side.
    pub phase: Phase,
    /// The method request (`app::route::method_request`), or why the saved request cannot
    /// be sent.
    pub request: Result<std::sync::Arc<crate::gateway::MethodRequest>, String>,
    /// The integration response (`statusCode`, `headers`, `body`) for the response side.
    pub integration_response: Option<serde_json::Value>,
    /// For the response side: the request template, rendered first for the
    /// `$context.requestOverride` values it leaves for the response template (as the gateway
    /// carries them).
    pub request_template: Option<String>,
    /// What the linter needs to lint the template on the same job.
    pub lint: Box<crate::app::lint_view::LintSpec>,
}

/// Run a request through the session's integration (`session::run_session`).
#[derive(Clone, Debug, PartialEq)]
pub struct PipelineRequest {
    /// Newer generations cancel older runs.
    pub generation: u64,
    /// The session as edited (a snapshot).
    pub session: Arc<Session>,
    /// The request to send.
    pub request: SavedRequest,
}

/// A served request's trace to lay out for the panes (CPU work: `spawn_blocking`).
#[derive(Clone, Debug)]
pub struct ShownTrace {
    /// The run generation it answers with (like a pipeline run).
    pub generation: u64,
    /// The trace.
    pub trace: Box<crate::gateway::trace::Trace>,
    /// The client request (for "what changed").
    pub request: Box<crate::gateway::pipeline::ClientRequest>,
}

impl PartialEq for ShownTrace {
    // Traces have no equality; the generation identifies the request.
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation && self.request == other.request
    }
}

/// A side effect for the runtime.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Render a template in the background.
    Render(RenderRequest),
    /// Highlight the template editor's text in the background.
    Highlight(HighlightRequest),
    /// Run the pipeline (cancels a running one).
    RunPipeline(PipelineRequest),
    /// Cancel the running pipeline call.
    CancelPipeline,
    /// Run the request through all five integration types (cancels a running comparison);
    /// answers with one [`crate::app::Msg::Compared`] per type.
    Compare(crate::app::compare::CompareRequest),
    /// Stop the running comparison (the view closed).
    CancelCompare,
    /// Save the session atomically.
    Save {
        /// Target file.
        path: PathBuf,
        /// The session to write.
        session: Arc<Session>,
        /// The edit revision being saved.
        revision: u64,
        /// The fingerprint the file should still have (`None`: no file should be there); a
        /// file that differs is left alone and answered with
        /// [`crate::app::Msg::SaveConflict`].
        expect: Option<crate::session::file::Stamp>,
        /// Replace the file whatever it holds now (the user said so).
        force: bool,
    },
    /// Write an autosave copy (debounced by the runtime: at most one write a second).
    Autosave {
        /// The autosave file.
        path: PathBuf,
        /// The session as edited.
        session: Arc<Session>,
    },
    /// Remember a top-level setting (`theme`, `listen`) in the settings file, changing only
    /// its line ([`crate::app::config::remember`]).
    RememberSetting {
        /// The settings file.
        path: PathBuf,
        /// The setting.
        key: &'static str,
        /// Its new value.
        value: String,
    },
    /// Remove a file (an autosave copy that is no longer needed).
    RemoveFile {
        /// The file.
        path: PathBuf,
    },
    /// List the session files of a folder (names read from each file).
    ListSessions {
        /// The folder.
        dir: PathBuf,
    },
    /// Load a session file.
    LoadSession {
        /// The file.
        path: PathBuf,
    },
    /// Copy text to the clipboard (OSC 52).
    Copy {
        /// The text.
        text: String,
        /// What it is, for the "Copied ..." message.
        what: String,
    },
    /// Serve the session on `addr` (listen mode); answers with [`crate::app::Msg::Listening`],
    /// then one [`crate::app::Msg::Served`] per request. Replaces a running server.
    StartListening {
        /// Matches the answer to the request.
        generation: u64,
        /// Where to listen.
        addr: std::net::SocketAddr,
        /// Whether a non-loopback address is allowed.
        allow_remote: bool,
        /// The session to serve (a snapshot).
        session: Arc<Session>,
        /// Whether the breakpoint is armed from the start.
        breakpoint: bool,
    },
    /// Stop the listen-mode server.
    StopListening,
    /// Serve this session from now on (the running server keeps running).
    ServeSession(Arc<Session>),
    /// Arm or disarm the listen-mode breakpoint (applies to a server started later too).
    SetBreakpoint(bool),
    /// Let a paused request go on; `rerun`: run it again through this API first.
    Resume {
        /// The paused request's id.
        id: u64,
        /// The API as edited since the pause (`None`: go on as rendered).
        rerun: Option<Box<crate::gateway::api::Api>>,
    },
    /// Sign a test JWT with the session's user pool key (answers with
    /// [`crate::app::Msg::TokenMinted`]).
    MintToken {
        /// The session (its file's folder holds the key).
        session: Arc<Session>,
        /// What token; `now_secs` is filled in when it is signed.
        request: crate::session::token::TokenRequest,
        /// The header the token goes into.
        header: String,
        /// The saved request it is for.
        index: usize,
    },
    /// Lay out a served request's trace for the panes (answers with
    /// [`crate::app::Msg::Traced`]).
    ShowTrace(ShownTrace),
    /// Save an imported session as a new file in `dir` (`STEM.toml`, or the first free
    /// `STEM-N.toml`; never replacing a file); answers with [`crate::app::Msg::Saved`].
    SaveNew {
        /// The folder.
        dir: PathBuf,
        /// The file-name stem (from the API's name).
        stem: String,
        /// The session to write.
        session: Arc<Session>,
        /// The edit revision being saved.
        revision: u64,
    },
    /// List a folder for file-name completion (answers with
    /// [`crate::app::Msg::DirListed`]). A leading `~/` is the home folder.
    ListDir {
        /// Matches the answer to the request.
        generation: u64,
        /// The folder, as typed.
        dir: PathBuf,
    },
    /// Import an API definition (answers with [`crate::app::Msg::Imported`]). A leading `~/`
    /// is the home folder.
    ImportFile {
        /// Matches the answer to the request.
        generation: u64,
        /// The file, as typed.
        path: PathBuf,
        /// Where autosave copies live: an unsaved copy of an earlier import of the same file
        /// is read from there.
        autosave_dir: Option<PathBuf>,
    },
    /// Parse a curl command line into a request (answers with
    /// [`crate::app::Msg::CurlParsed`]; `@file` arguments read files, so it runs off the loop).
    ParseCurl {
        /// Matches the answer to the request.
        generation: u64,
        /// The command line.
        text: String,
    },
    /// Leave the program (restoring the terminal).
    Quit,
}
