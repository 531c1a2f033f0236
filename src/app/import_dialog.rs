//! The import dialog (named apart from `crate::import`, the importer it drives): importing an
//! API definition from the workbench: a path prompt with file-name completion,
//! the import itself (off the loop, through an effect), the list of the operations found and
//! the import's warnings, and switching to the imported session with the chosen operation's
//! saved request selected. Switching is refused while there are unsaved edits, as the
//! session picker does.

mod path_prompt;

use std::path::{Path, PathBuf};

pub use path_prompt::{Completion, DirEntryName, complete, completion_dir};

use crate::app::{Action, App, Effect, Origin, Overlay, StatusKind};
use crate::gateway::api::IntegrationType;
use crate::import::{ImportWarning, Imported};
use crate::session::Session;

/// What the runtime answers to an import.
#[derive(Clone, Debug)]
pub struct ImportResult {
    /// The file imported (with `~` expanded).
    pub file: PathBuf,
    /// The session and the warnings.
    pub imported: Imported,
    /// An autosave copy of an earlier import of the same file, with edits that were never
    /// saved (it differs from the fresh import).
    pub recovered: Option<Box<Session>>,
}

/// One method of an imported API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The verb key (`GET`, `ANY`, ...).
    pub verb: String,
    /// The resource path (`/pets/{petId}`).
    pub path: String,
    /// The integration type.
    pub kind: IntegrationType,
    /// The saved request the importer made for it.
    pub request: usize,
}

/// An import waiting for the user to pick an operation.
#[derive(Clone, Debug)]
pub struct ImportedApi {
    /// The imported file.
    pub file: PathBuf,
    /// The session to open (the recovered copy when there is one).
    pub session: Session,
    /// What could not be imported, with file and line.
    pub warnings: Vec<ImportWarning>,
    /// The methods found, in document order.
    pub operations: Vec<Operation>,
    /// Whether `session` holds unsaved edits recovered from an earlier import.
    pub restored: bool,
}

/// What the path prompt shows under the path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum PathNote {
    /// Nothing.
    #[default]
    None,
    /// Reading the folder for completion.
    Listing,
    /// The names that match what is typed (completion could not choose).
    Candidates(Vec<String>),
    /// Importing the file.
    Importing,
    /// Why the import (or completion) failed.
    Error(String),
}

/// The import flow's state.
#[derive(Clone, Debug, Default)]
pub struct ImportState {
    path: String,
    note: PathNote,
    generation: u64,
    pending: Option<Box<ImportedApi>>,
}

impl ImportState {
    /// The path typed so far.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What the prompt shows under the path.
    pub fn note(&self) -> &PathNote {
        &self.note
    }

    /// The import waiting for an operation to be picked.
    pub fn pending(&self) -> Option<&ImportedApi> {
        self.pending.as_deref()
    }
}

/// The methods of `session`'s API, each with the saved request the importer made for it
/// (matched by name, `VERB /path`; else by position, as the importer writes them in the same
/// order).
pub fn operations(session: &Session) -> Vec<Operation> {
    let mut out = Vec::new();
    for resource in &session.api.resources {
        for (verb, method) in &resource.methods {
            let i = out.len();
            let name = format!("{verb} {}", resource.path);
            let request = session
                .requests
                .iter()
                .position(|r| r.name == name)
                .unwrap_or(i);
            out.push(Operation {
                verb: verb.clone(),
                path: resource.path.clone(),
                kind: method.integration.kind,
                request,
            });
        }
    }
    out
}

impl App {
    /// The import flow's state (for the overlays).
    pub fn import(&self) -> &ImportState {
        &self.import
    }

    /// The actions of the import and curl overlays, and the keys that open them; `None` for
    /// every other action.
    pub(super) fn perform_import(&mut self, action: Action) -> Option<Vec<Effect>> {
        let fx = match (self.overlay.as_ref(), action) {
            (_, Action::ImportApi) => self.open_import(),
            (_, Action::PasteCurl) => self.open_curl(),
            (Some(Overlay::ImportPath), Action::Submit) => self.start_import(),
            (Some(Overlay::ImportPath), Action::Complete) => self.start_completion(),
            (Some(Overlay::ImportPath | Overlay::Curl), Action::Cancel) => {
                // Answers still on their way are dropped by generation.
                self.import.generation += 1;
                self.curl.generation += 1;
                if self.import.note == PathNote::Importing {
                    self.import.note = PathNote::None;
                }
                self.overlay = None;
                Vec::new()
            }
            (Some(&Overlay::Operations { selected }), Action::Choose) => {
                self.open_operation(selected)
            }
            (Some(&Overlay::Operations { selected }), Action::ScrollDown | Action::ScrollUp) => {
                let n = self.import.pending().map_or(0, |p| p.operations.len());
                let selected = if action == Action::ScrollDown {
                    (selected + 1).min(n.saturating_sub(1))
                } else {
                    selected.saturating_sub(1)
                };
                self.overlay = Some(Overlay::Operations { selected });
                Vec::new()
            }
            (Some(&Overlay::ImportWarnings { scroll }), Action::ScrollDown | Action::ScrollUp) => {
                // The wrapped lines of the warnings (the overlay is at most 100 wide).
                let width = usize::from(self.chrome.size.0.saturating_sub(6).min(98)).max(1);
                let lines: usize = self.import.pending().map_or(0, |p| {
                    p.warnings
                        .iter()
                        .map(|w| w.to_string().chars().count().div_ceil(width).max(1))
                        .sum()
                });
                let max = u16::try_from(lines.saturating_sub(1)).unwrap_or(u16::MAX);
                let scroll = if action == Action::ScrollDown {
                    scroll.saturating_add(1).min(max)
                } else {
                    scroll.saturating_sub(1)
                };
                self.overlay = Some(Overlay::ImportWarnings { scroll });
                Vec::new()
            }
            (Some(Overlay::Operations { .. }), Action::ToggleWarnings) => {
                if self
                    .import
                    .pending()
                    .is_some_and(|p| !p.warnings.is_empty())
                {
                    self.overlay = Some(Overlay::ImportWarnings { scroll: 0 });
                } else {
                    self.set_status(StatusKind::Info, "The import had no warnings");
                }
                Vec::new()
            }
            (Some(Overlay::ImportWarnings { .. }), Action::ToggleWarnings | Action::Cancel) => {
                self.overlay = Some(Overlay::Operations { selected: 0 });
                Vec::new()
            }
            (Some(Overlay::Operations { .. }), Action::Cancel) => {
                self.overlay = None;
                Vec::new()
            }
            (Some(Overlay::Curl), Action::Submit) => self.submit_curl(),
            _ => return None,
        };
        Some(fx)
    }

    fn open_import(&mut self) -> Vec<Effect> {
        if self.import.path.is_empty() {
            // Start in the folder of the session, else the current folder.
            self.import.path = self
                .session_path()
                .and_then(Path::parent)
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| "./".to_string(), |p| format!("{}/", p.display()));
        }
        if self.import.note != PathNote::Importing {
            self.import.note = PathNote::None;
        }
        self.overlay = Some(Overlay::ImportPath);
        Vec::new()
    }

    fn start_import(&mut self) -> Vec<Effect> {
        let path = self.import.path.trim();
        if path.is_empty() || path.ends_with('/') {
            let complete = self
                .chrome
                .keymap
                .first_key(crate::app::keymap::Layer::ImportPath, Action::Complete)
                .unwrap_or_default();
            self.import.note = PathNote::Error(format!(
                "type the path of a file ({complete} completes names)"
            ));
            return Vec::new();
        }
        self.import.generation += 1;
        self.import.note = PathNote::Importing;
        vec![Effect::ImportFile {
            generation: self.import.generation,
            path: PathBuf::from(path),
            autosave_dir: self.workspace.autosave.clone(),
        }]
    }

    pub(super) fn on_imported(
        &mut self,
        generation: u64,
        result: Result<Box<ImportResult>, String>,
    ) -> Vec<Effect> {
        if generation != self.import.generation {
            return Vec::new();
        }
        let r = match result {
            Ok(r) => r,
            Err(e) => {
                // The prompt stays open with the path, so it can be corrected.
                self.import.note = PathNote::Error(e.clone());
                self.overlay = Some(Overlay::ImportPath);
                self.set_status(StatusKind::Error, format!("Import failed: {e}"));
                return Vec::new();
            }
        };
        self.import.note = PathNote::None;
        let ImportResult {
            file,
            imported,
            recovered,
        } = *r;
        let restored = recovered.is_some();
        let session = recovered.map_or(imported.session, |s| *s);
        let api = ImportedApi {
            operations: operations(&session),
            file,
            session,
            warnings: imported.warnings,
            restored,
        };
        let n = api.operations.len();
        let w = api.warnings.len();
        self.set_status(
            StatusKind::Success,
            format!(
                "Imported {}: {n} operation{}, {w} warning{}",
                api.session.name,
                if n == 1 { "" } else { "s" },
                if w == 1 { "" } else { "s" }
            ),
        );
        self.import.pending = Some(Box::new(api));
        self.overlay = Some(Overlay::Operations { selected: 0 });
        Vec::new()
    }

    /// Open the imported session with operation `selected`'s saved request (refused while
    /// there are unsaved edits: the list stays open, and saving works from it).
    fn open_operation(&mut self, selected: usize) -> Vec<Effect> {
        let Some(op) = self
            .import
            .pending()
            .and_then(|p| p.operations.get(selected))
            .cloned()
        else {
            return Vec::new();
        };
        if self.is_dirty() {
            let save = self
                .chrome
                .keymap
                .first_key(crate::app::keymap::Layer::Operations, Action::Save)
                .unwrap_or_default();
            self.set_status(
                StatusKind::Error,
                format!("Unsaved changes: save them ({save}) before opening the imported API"),
            );
            return Vec::new();
        }
        let Some(api) = self.import.pending.take() else {
            return Vec::new();
        };
        let dir = self.picker_dir();
        let origin = Origin::Imported {
            from: api.file.clone(),
            dir: dir.clone(),
            saving: false,
        };
        let mut fx = self.replace_session(api.session, origin, op.request);
        let save = self
            .chrome
            .keymap
            .first_key(crate::app::keymap::Layer::Normal, Action::Save)
            .unwrap_or_default();
        let what = format!("{} {} ({})", op.verb, op.path, op.kind.as_str());
        if api.restored {
            // The recovered edits are not saved anywhere but in the autosave copy.
            self.workspace.revision += 1;
            self.workspace.forget_saved();
            self.set_status(
                StatusKind::Success,
                format!(
                    "{what}: restored the unsaved edits of an earlier import; {save} saves in {}",
                    dir.display()
                ),
            );
        } else {
            self.set_status(
                StatusKind::Success,
                format!("{what}: not saved yet, {save} saves in {}", dir.display()),
            );
        }
        fx.insert(0, Effect::CancelPipeline);
        fx
    }
}
