//! Everything a user can ask for, independent of the key that asks. Keys map to actions in
//! [`crate::app::keymap`]; the help overlay lists actions with these descriptions.

/// A user command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// Show or hide the help overlay.
    Help,
    /// Quit; asks first when there are unsaved changes.
    Quit,
    /// Quit at once, whatever the mode.
    ForceQuit,
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Edit the focused text (template or request).
    Edit,
    /// Stop editing.
    LeaveEdit,
    /// Step to the next pipeline stage.
    NextStage,
    /// Step to the previous pipeline stage.
    PrevStage,
    /// Run the request through every stage and show the last one.
    RunAll,
    /// Send the request (calls the backend).
    Send,
    /// Cancel a running call, or close a message.
    Cancel,
    /// Cycle the integration type.
    CycleType,
    /// Open (or close) the compare view: the request through all five integration types.
    Compare,
    /// Compare view: show the next integration type.
    NextType,
    /// Compare view: show the previous integration type.
    PrevType,
    /// Edit the current method's settings as TOML (an overlay).
    EditMethod,
    /// Edit the API-level settings (stage, stage variables, binary media types, gateway
    /// responses) as TOML.
    EditApi,
    /// Edit the session's backend and listen address as TOML.
    EditBackend,
    /// Apply the edited settings.
    Apply,
    /// Save the session.
    Save,
    /// Zoom the focused pane (toggle).
    Zoom,
    /// Copy the focused pane's content (rendered output, template, request as curl, ...).
    Copy,
    /// Select the next mapping template.
    NextTemplate,
    /// Select the previous mapping template.
    PrevTemplate,
    /// Switch to the next saved request.
    NextRequest,
    /// Switch to the previous saved request.
    PrevRequest,
    /// Switch to the next colour theme.
    CycleTheme,
    /// Scroll down one line.
    ScrollDown,
    /// Scroll up one line.
    ScrollUp,
    /// Scroll down one page.
    PageDown,
    /// Scroll up one page.
    PageUp,
    /// Go to the top.
    Top,
    /// Go to the bottom.
    Bottom,
    /// Undo the last edit (editor), or from the panes the last applied settings change.
    Undo,
    /// Redo what undo took back.
    Redo,
    /// Show what changed between the client request and the endpoint request (toggle).
    ToggleChanges,
    /// Rendered pane: show the exact bytes (visible whitespace) or pretty JSON (toggle).
    ToggleRaw,
    /// Wrap long lines in the focused pane, or not (toggle, remembered per pane).
    ToggleWrap,
    /// Scroll the focused pane sideways, to the left (when it does not wrap).
    ScrollLeft,
    /// Scroll the focused pane sideways, to the right (when it does not wrap).
    ScrollRight,
    /// Open another session (a picker over the sessions folder).
    OpenSession,
    /// Choose the selected item of a list.
    Choose,
    /// Search the focused pane.
    Search,
    /// Find the next match of the search.
    SearchNext,
    /// Find the previous match of the search.
    SearchPrev,
    /// Start or stop serving the session on loopback (listen mode).
    ToggleListen,
    /// Show or hide the list of served requests.
    Requests,
    /// Run the selected served request again through the session as edited.
    Replay,
    /// Add the selected served request to the session's saved requests.
    SaveServed,
    /// Arm or disarm the listen-mode breakpoint (pause live requests before the endpoint).
    ToggleBreakpoint,
    /// Let the first paused request go on (through the session as edited now).
    Resume,
    /// Import an API definition (asks for its path) and open one of its operations.
    ImportApi,
    /// Add a request from a curl command line (asks for it).
    PasteCurl,
    /// Put a freshly signed test JWT into the request's token header (one edit to undo).
    MintToken,
    /// Accept a prompt: import the file, or add the curl command's request.
    Submit,
    /// Complete the file name in the path prompt.
    Complete,
    /// Show or hide the import warnings.
    ToggleWarnings,
    /// Unsaved edits: save them, then go on (open the chosen session).
    SaveFirst,
    /// Unsaved edits: drop them, then go on.
    Discard,
    /// Answer yes in a confirmation.
    ConfirmYes,
    /// Answer no / cancel in a confirmation.
    ConfirmNo,
    /// Show or hide the lint findings of the template (a fix is applied from the list).
    Lint,
}

impl Action {
    /// Every action, in the order the help overlay lists them.
    pub const ALL: [Action; 63] = [
        Action::Help,
        Action::Quit,
        Action::ForceQuit,
        Action::FocusNext,
        Action::FocusPrev,
        Action::Edit,
        Action::LeaveEdit,
        Action::NextStage,
        Action::PrevStage,
        Action::RunAll,
        Action::Send,
        Action::Cancel,
        Action::CycleType,
        Action::Compare,
        Action::NextType,
        Action::PrevType,
        Action::EditMethod,
        Action::EditApi,
        Action::EditBackend,
        Action::Apply,
        Action::Save,
        Action::Zoom,
        Action::Copy,
        Action::NextTemplate,
        Action::PrevTemplate,
        Action::NextRequest,
        Action::PrevRequest,
        Action::CycleTheme,
        Action::ScrollDown,
        Action::ScrollUp,
        Action::PageDown,
        Action::PageUp,
        Action::Top,
        Action::Bottom,
        Action::Undo,
        Action::Redo,
        Action::ToggleChanges,
        Action::ToggleRaw,
        Action::ToggleWrap,
        Action::ScrollLeft,
        Action::ScrollRight,
        Action::OpenSession,
        Action::Choose,
        Action::Search,
        Action::SearchNext,
        Action::SearchPrev,
        Action::ToggleListen,
        Action::Requests,
        Action::Replay,
        Action::SaveServed,
        Action::ToggleBreakpoint,
        Action::Resume,
        Action::ImportApi,
        Action::PasteCurl,
        Action::MintToken,
        Action::Submit,
        Action::Complete,
        Action::ToggleWarnings,
        Action::SaveFirst,
        Action::Discard,
        Action::ConfirmYes,
        Action::ConfirmNo,
        Action::Lint,
    ];

    /// The name used in key-binding overrides (`snake_case`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Quit => "quit",
            Action::ForceQuit => "force_quit",
            Action::FocusNext => "focus_next",
            Action::FocusPrev => "focus_prev",
            Action::Edit => "edit",
            Action::LeaveEdit => "leave_edit",
            Action::NextStage => "next_stage",
            Action::PrevStage => "prev_stage",
            Action::RunAll => "run_all",
            Action::Send => "send",
            Action::Cancel => "cancel",
            Action::CycleType => "cycle_type",
            Action::Compare => "compare",
            Action::NextType => "next_type",
            Action::PrevType => "prev_type",
            Action::EditMethod => "edit_method",
            Action::EditApi => "edit_api",
            Action::EditBackend => "edit_backend",
            Action::Apply => "apply",
            Action::Save => "save",
            Action::Zoom => "zoom",
            Action::Copy => "copy",
            Action::NextTemplate => "next_template",
            Action::PrevTemplate => "prev_template",
            Action::NextRequest => "next_request",
            Action::PrevRequest => "prev_request",
            Action::CycleTheme => "cycle_theme",
            Action::ScrollDown => "scroll_down",
            Action::ScrollUp => "scroll_up",
            Action::PageDown => "page_down",
            Action::PageUp => "page_up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Undo => "undo",
            Action::Redo => "redo",
            Action::ToggleChanges => "toggle_changes",
            Action::ToggleRaw => "toggle_raw",
            Action::ToggleWrap => "toggle_wrap",
            Action::ScrollLeft => "scroll_left",
            Action::ScrollRight => "scroll_right",
            Action::OpenSession => "open_session",
            Action::Choose => "choose",
            Action::Search => "search",
            Action::SearchNext => "search_next",
            Action::SearchPrev => "search_prev",
            Action::ToggleListen => "toggle_listen",
            Action::Requests => "requests",
            Action::Replay => "replay",
            Action::SaveServed => "save_served",
            Action::ToggleBreakpoint => "toggle_breakpoint",
            Action::Resume => "resume",
            Action::ImportApi => "import_api",
            Action::PasteCurl => "paste_curl",
            Action::MintToken => "mint_token",
            Action::Submit => "submit",
            Action::Complete => "complete",
            Action::ToggleWarnings => "toggle_warnings",
            Action::SaveFirst => "save_first",
            Action::Discard => "discard",
            Action::ConfirmYes => "confirm_yes",
            Action::ConfirmNo => "confirm_no",
            Action::Lint => "lint",
        }
    }

    /// A short label for hints ("edit" in "i edit").
    pub fn label(self) -> &'static str {
        match self {
            Action::Help => "help",
            Action::Quit => "quit",
            Action::ForceQuit => "force quit",
            Action::FocusNext => "focus",
            Action::FocusPrev => "focus back",
            Action::Edit => "edit",
            Action::LeaveEdit => "done",
            Action::NextStage => "next stage",
            Action::PrevStage => "prev stage",
            Action::RunAll => "run all",
            Action::Send => "send",
            Action::Cancel => "cancel",
            Action::CycleType => "type",
            Action::Compare => "compare",
            Action::NextType => "next type",
            Action::PrevType => "prev type",
            Action::EditMethod => "settings",
            Action::EditApi => "API settings",
            Action::EditBackend => "backend",
            Action::Apply => "apply",
            Action::Save => "save",
            Action::Zoom => "zoom",
            Action::Copy => "copy",
            Action::NextTemplate => "next template",
            Action::PrevTemplate => "prev template",
            Action::NextRequest => "next request",
            Action::PrevRequest => "prev request",
            Action::CycleTheme => "theme",
            Action::ScrollDown => "down",
            Action::ScrollUp => "up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Undo => "undo",
            Action::Redo => "redo",
            Action::ToggleChanges => "what changed",
            Action::ToggleRaw => "raw/pretty",
            Action::ToggleWrap => "wrap",
            Action::ScrollLeft => "left",
            Action::ScrollRight => "right",
            Action::OpenSession => "open",
            Action::Choose => "open",
            Action::Search => "search",
            Action::SearchNext => "next match",
            Action::SearchPrev => "previous match",
            Action::ToggleListen => "listen",
            Action::Requests => "served",
            Action::Replay => "replay",
            Action::SaveServed => "save as request",
            Action::ToggleBreakpoint => "breakpoint",
            Action::Resume => "resume",
            Action::ImportApi => "import",
            Action::PasteCurl => "curl",
            Action::MintToken => "token",
            Action::Submit => "ok",
            Action::Complete => "complete",
            Action::ToggleWarnings => "warnings",
            Action::SaveFirst => "save, then open",
            Action::Discard => "discard, then open",
            Action::ConfirmYes => "yes",
            Action::ConfirmNo => "no",
            Action::Lint => "lint",
        }
    }

    /// One line for the help overlay.
    pub fn description(self) -> &'static str {
        match self {
            Action::Help => "show or hide this help",
            Action::Quit => "quit (asks when there are unsaved changes)",
            Action::ForceQuit => "quit at once, even while editing",
            Action::FocusNext => "focus the next pane",
            Action::FocusPrev => "focus the previous pane",
            Action::Edit => "edit the focused template or request",
            Action::LeaveEdit => "stop editing",
            Action::NextStage => {
                "step to the next stage of the request's trip (● marks the panes it uses)"
            }
            Action::PrevStage => "step back one stage (● marks the panes it uses)",
            Action::RunAll => "run the request through all stages, show the last",
            Action::Send => "send the request to the backend",
            Action::Cancel => "cancel a running call, close a message",
            Action::CycleType => {
                "cycle the integration type (MOCK, AWS, AWS_PROXY, HTTP, HTTP_PROXY)"
            }
            Action::Compare => "compare all five integration types side by side",
            Action::NextType => "the next integration type",
            Action::PrevType => "the previous integration type",
            Action::EditMethod => "edit the method's settings as TOML (uri, responses...)",
            Action::EditApi => "edit the API's settings as TOML (stage, variables...)",
            Action::EditBackend => "choose the backend and the listen address",
            Action::Apply => "apply the edited settings (checked as the gateway would)",
            Action::Save => "save the session (atomic: temp file, then rename)",
            Action::Zoom => "zoom the focused pane, or back",
            Action::Copy => "copy the focused pane (request as curl, template, rendered output...)",
            Action::NextTemplate => {
                "next mapping template (request side, response side, per content type)"
            }
            Action::PrevTemplate => "previous mapping template",
            Action::NextRequest => "switch to the next saved request (wraps around)",
            Action::PrevRequest => "switch to the previous saved request (wraps around)",
            Action::CycleTheme => "switch colour theme (dark, light, high-contrast)",
            Action::ScrollDown => "scroll down",
            Action::ScrollUp => "scroll up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::Undo => {
                "undo the editor's last edit; from the panes, also the last applied settings (e, E, B)"
            }
            Action::Redo => "redo what undo took back (an edit, or applied settings)",
            Action::ToggleChanges => {
                "Backend pane: what changed from the client request to the endpoint request"
            }
            Action::ToggleRaw => {
                "Rendered pane: the exact bytes (· trailing space, → tab, ␍ CR, ⏎ newline) or pretty JSON"
            }
            Action::ToggleWrap => {
                "wrap long lines in the focused pane, or not (then it scrolls sideways)"
            }
            Action::ScrollLeft => "scroll the focused pane left (when it does not wrap)",
            Action::ScrollRight => "scroll the focused pane right (when it does not wrap)",
            Action::OpenSession => "open another session (lists the sessions folder)",
            Action::Choose => {
                "open the selected session or operation, or show the selected request"
            }
            Action::Search => {
                "search the focused pane (plain text, case-insensitive; ~ starts a regex)"
            }
            Action::SearchNext => "find the next match (wraps around)",
            Action::SearchPrev => "find the previous match (wraps around)",
            Action::ToggleListen => {
                "listen mode: serve this session on loopback (127.0.0.1:8080 or --listen)"
            }
            Action::Requests => "show or hide the requests served in listen mode",
            Action::Replay => "replay the selected served request through the edited session",
            Action::SaveServed => "add the selected served request to the session",
            Action::ToggleBreakpoint => {
                "listen mode: pause live requests once the integration request is rendered"
            }
            Action::Resume => "resume the paused request (run again through your edits, if any)",
            Action::ImportApi => {
                "import an API definition (OpenAPI, CloudFormation, SAM) and open one of its operations"
            }
            Action::PasteCurl => "add a request from a curl command (paste or type it)",
            Action::MintToken => {
                "put a fresh test JWT (signed with the session's Cognito user pool key: sub, username, scopes, exp in 1 h) into the request's token header; u undoes it"
            }
            Action::Submit => "import the file, or add the curl command's request",
            Action::Complete => "complete the file name (as far as the matches agree)",
            Action::ToggleWarnings => "show or hide the import warnings (file:line)",
            Action::SaveFirst => "save your edits, then open the chosen session",
            Action::Discard => "drop your edits, then open the chosen session",
            Action::ConfirmYes => "yes",
            Action::ConfirmNo => "no, go back",
            Action::Lint => {
                "lint the template: the findings with their explanation; Enter applies a fix"
            }
        }
    }

    /// The action with this override name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.name() == name)
    }
}
