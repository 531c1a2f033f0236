//! Running effects: background jobs (latest wins), file work, the clipboard, autosave.

use std::io;
use std::time::Duration;

use crossterm::event::Event;
use futures_util::Stream;
use ratatui::backend::Backend;
use tokio_util::sync::CancellationToken;

use crate::app::effect::{PipelineRequest, RenderRequest};
use crate::app::msg::JobKind;
use crate::app::view_model::{HighlightRequest, Highlighted};
use crate::app::views::{RenderFailure, RenderOutcome, TraceOutcome, TraceView};
use crate::app::{Effect, Msg};
use crate::runtime::{Clipboard, Internal, Runtime, jobs, terminal};
use crate::session::SaveError;

impl<B, E> Runtime<B, E>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
{
    /// Write the pending autosave copy now (off the loop).
    pub(super) fn write_autosave(&mut self) {
        self.autosave_at = None;
        if let Some((path, session)) = self.autosave.take() {
            self.spawn_io(JobKind::Autosave, move || {
                let result = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .map_err(|e| e.to_string())
                    .and_then(|()| session.save_atomic(&path).map_err(|e| e.to_string()));
                Msg::Autosaved { result }
            });
        }
    }

    /// Run one effect.
    pub(super) fn run_effect(&mut self, effect: Effect) {
        match effect {
            Effect::Render(r) => {
                if self.render.running {
                    self.render.pending = Some(r);
                } else {
                    self.start_render(r);
                }
            }
            Effect::Highlight(h) => {
                if self.highlight.running {
                    self.highlight.pending = Some(h);
                } else {
                    self.start_highlight(h);
                }
            }
            Effect::RunPipeline(p) => {
                if self.pipeline.running {
                    // The running call is obsolete: stop it at its next await.
                    if let Some(token) = &self.pipeline_cancel {
                        token.cancel();
                    }
                    self.pipeline.pending = Some(p);
                } else {
                    self.start_pipeline(p);
                }
            }
            Effect::Compare(c) => {
                if self.compare.running {
                    // The running comparison is obsolete: stop it at its next await.
                    if let Some(token) = &self.compare_cancel {
                        token.cancel();
                    }
                    self.compare.pending = Some(c);
                } else {
                    self.start_compare(c);
                }
            }
            Effect::CancelCompare => {
                self.compare.pending = None;
                if let Some(token) = &self.compare_cancel {
                    token.cancel();
                }
            }
            Effect::CancelPipeline => {
                self.pipeline.pending = None;
                if let Some(token) = &self.pipeline_cancel {
                    token.cancel();
                }
            }
            Effect::Save {
                path,
                session,
                revision,
                expect,
                force,
            } => self.spawn_io(
                JobKind::Save {
                    path: path.clone(),
                    revision,
                },
                move || match session.save_checked(&path, expect, force) {
                    Ok(stamp) => Msg::Saved {
                        path,
                        revision,
                        result: Ok(()),
                        stamp: Some(stamp),
                    },
                    Err(SaveError::Changed { disk, ours }) => Msg::SaveConflict(
                        crate::app::conflict::SaveConflict::new(path, revision, &disk, &ours),
                    ),
                    Err(SaveError::Failed(e)) => Msg::Saved {
                        path,
                        revision,
                        result: Err(e.to_string()),
                        stamp: None,
                    },
                },
            ),
            Effect::Autosave { path, session } => {
                self.autosave = Some((path, session));
                // At most one write a second, even while typing continuously.
                self.autosave_at
                    .get_or_insert_with(|| tokio::time::Instant::now() + Duration::from_secs(1));
            }
            Effect::RememberSetting { path, key, value } => {
                self.spawn_io(JobKind::Remember { key }, move || Msg::Remembered {
                    key,
                    result: crate::app::config::remember(&path, key, &value),
                });
            }
            Effect::RemoveFile { path } => {
                // A pending copy must not bring the file back.
                self.autosave = None;
                self.autosave_at = None;
                self.spawn_io(JobKind::Autosave, move || {
                    let result = match std::fs::remove_file(&path) {
                        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e.to_string()),
                        _ => Ok(()),
                    };
                    Msg::Autosaved { result }
                });
            }
            Effect::ListSessions { dir } => {
                self.spawn_io(JobKind::ListSessions { dir: dir.clone() }, move || {
                    let result = crate::app::picker::list_sessions(&dir);
                    Msg::SessionList { dir, result }
                })
            }
            Effect::MintToken {
                session,
                mut request,
                header,
                index,
            } => self.spawn_io(
                JobKind::MintToken {
                    header: header.clone(),
                    index,
                },
                move || {
                    request.now_secs = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
                    let result = crate::session::token::mint(&session, &request);
                    Msg::TokenMinted {
                        header,
                        index,
                        result,
                    }
                },
            ),
            Effect::LoadSession { path } => {
                self.spawn_io(JobKind::LoadSession { path: path.clone() }, move || {
                    let result = crate::session::Session::load(&path)
                        .map(Box::new)
                        .map_err(|e| e.to_string());
                    Msg::SessionLoaded { path, result }
                })
            }
            Effect::Copy { text, what } => {
                let result = match &self.clipboard {
                    Clipboard::Osc52 => crossterm::execute!(
                        io::stdout(),
                        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text.as_bytes())
                    )
                    .map(|()| text.len())
                    .map_err(|e| e.to_string()),
                    Clipboard::Memory(store) => match store.lock() {
                        Ok(mut v) => {
                            v.push(text.clone());
                            Ok(text.len())
                        }
                        Err(_) => Err("clipboard store poisoned".to_string()),
                    },
                };
                self.io_jobs += 1;
                let _ = self.tx.send(Internal::IoDone(Msg::Copied { what, result }));
            }
            Effect::StartListening {
                generation,
                addr,
                allow_remote,
                session,
                breakpoint,
            } => {
                if let Ok(mut c) = self.serve_control.lock() {
                    *c = crate::runtime::ServeControl {
                        breakpoint,
                        ..Default::default()
                    };
                }
                self.start_listening(generation, addr, allow_remote, session);
            }
            Effect::StopListening => {
                self.listen_cancel = None;
                if let Ok(mut c) = self.serve_control.lock() {
                    c.handle = None;
                }
                // Dropping the senders lets paused requests go on; the server is stopping.
                if let Ok(mut p) = self.paused.lock() {
                    p.clear();
                }
            }
            Effect::ServeSession(session) => {
                if let Ok(mut c) = self.serve_control.lock() {
                    match &c.handle {
                        Some(h) => h.set_session(&session),
                        None => c.session = Some(session),
                    }
                }
            }
            Effect::SetBreakpoint(on) => {
                if let Ok(mut c) = self.serve_control.lock() {
                    c.breakpoint = on;
                    if let Some(h) = &c.handle {
                        h.set_breakpoint(on);
                    }
                }
            }
            Effect::Resume { id, rerun } => {
                let sender = self.paused.lock().ok().and_then(|mut p| p.remove(&id));
                if let Some(tx) = sender {
                    let _ = tx.send(match rerun {
                        Some(api) => {
                            crate::gateway::pipeline::Resume::Rerun(std::sync::Arc::new(*api))
                        }
                        None => crate::gateway::pipeline::Resume::Continue,
                    });
                }
            }
            Effect::ShowTrace(shown) => self.spawn_io(
                JobKind::ShowTrace {
                    generation: shown.generation,
                },
                move || {
                    let view = TraceView::new(*shown.trace).with_changes(&shown.request);
                    Msg::Traced(TraceOutcome {
                        generation: shown.generation,
                        result: Ok(Box::new(view)),
                    })
                },
            ),
            Effect::SaveNew {
                dir,
                stem,
                session,
                revision,
            } => self.spawn_io(
                JobKind::Save {
                    path: dir.join(format!("{stem}.toml")),
                    revision,
                },
                move || match session.save_new(&dir, &stem) {
                    Ok(path) => {
                        let stamp = crate::session::file::Stamp::of_file(&path);
                        Msg::Saved {
                            path,
                            revision,
                            result: Ok(()),
                            stamp,
                        }
                    }
                    Err(e) => Msg::Saved {
                        path: dir.join(format!("{stem}.toml")),
                        revision,
                        result: Err(e.to_string()),
                        stamp: None,
                    },
                },
            ),
            Effect::ListDir { generation, dir } => {
                self.spawn_io(JobKind::ListDir { generation }, move || {
                    let dir = expand_home(&dir);
                    let result = std::fs::read_dir(&dir)
                        .map(|rd| {
                            rd.filter_map(Result::ok)
                                .map(|e| crate::app::import_dialog::DirEntryName {
                                    name: e.file_name().to_string_lossy().into_owned(),
                                    // Follows symlinks, so a link to a folder completes as one.
                                    dir: e.path().is_dir(),
                                })
                                .collect()
                        })
                        .map_err(|e| format!("{}: {e}", dir.display()));
                    Msg::DirListed { generation, result }
                })
            }
            Effect::ImportFile {
                generation,
                path,
                autosave_dir,
            } => self.spawn_io(JobKind::Import { generation }, move || {
                let file = expand_home(&path);
                let result = crate::import::import_file(&file)
                    .map(|imported| {
                        let recovered = autosave_dir.and_then(|dir| {
                            let copy = crate::app::autosave::import_autosave_file(&dir, &file);
                            crate::app::autosave::recovery_at(copy, &imported.session)
                                .map(|r| r.session)
                        });
                        Box::new(crate::app::import_dialog::ImportResult {
                            file,
                            imported,
                            recovered,
                        })
                    })
                    .map_err(|e| e.to_string());
                Msg::Imported { generation, result }
            }),
            Effect::ParseCurl { generation, text } => {
                self.spawn_io(JobKind::ParseCurl { generation }, move || Msg::CurlParsed {
                    generation,
                    result: crate::import::import_curl(&text).map_err(|e| e.to_string()),
                })
            }
            Effect::Quit => self.quit = true,
        }
    }

    /// Bind the listen-mode server, then serve on the runtime until stopped. The observer only
    /// sends messages into the loop's queue; it never touches the app.
    fn start_listening(
        &mut self,
        generation: u64,
        addr: std::net::SocketAddr,
        allow_remote: bool,
        session: std::sync::Arc<crate::session::Session>,
    ) {
        // Dropping the guard stops a running server first; the new one binds once the old
        // one has let go of the port (a quick stop-start must not find it still taken).
        self.listen_cancel = None;
        let previous = self.listen_task.take();
        let token = CancellationToken::new();
        self.listen_cancel = Some(token.clone().drop_guard());
        self.io_jobs += 1;
        let tx = self.tx.clone();
        let control = std::sync::Arc::clone(&self.serve_control);
        let senders = std::sync::Arc::clone(&self.paused);
        self.listen_task = Some(tokio::spawn(async move {
            if let Some(previous) = previous {
                let _ = tokio::time::timeout(Duration::from_secs(3), previous).await;
            }
            let snapshot = std::sync::Arc::clone(&session);
            let served_tx = tx.clone();
            let observer: crate::serve::Observer = std::sync::Arc::new(move |s| {
                let entry = crate::app::listen::ServedRequest::new(s, &snapshot);
                let _ = served_tx.send(Internal::Msg(Msg::Served(Box::new(entry))));
            });
            let paused_tx = tx.clone();
            let hook: crate::gateway::pipeline::InterceptHook =
                std::sync::Arc::new(move |paused: crate::gateway::pipeline::Paused| {
                    let (resume, wait) = tokio::sync::oneshot::channel();
                    if let Ok(mut p) = senders.lock() {
                        p.insert(paused.id, resume);
                    }
                    let entry = crate::app::listen::PausedRequest {
                        paused,
                        at: std::time::SystemTime::now(),
                    };
                    let _ = paused_tx.send(Internal::Msg(Msg::Paused(Box::new(entry))));
                    wait
                });
            let bound = crate::serve::Server::bind(
                std::sync::Arc::unwrap_or_clone(session),
                addr,
                allow_remote,
                Some(observer),
            )
            .await
            .map_err(|e| e.to_string())
            .and_then(|server| {
                let local = server.local_addr().map_err(|e| e.to_string())?;
                Ok((server.intercept(hook), local))
            });
            let server = match bound {
                Ok((server, local)) => {
                    // Edits and the breakpoint set while binding apply now.
                    if let Ok(mut c) = control.lock() {
                        let handle = server.handle();
                        if let Some(s) = c.session.take() {
                            handle.set_session(&s);
                        }
                        handle.set_breakpoint(c.breakpoint);
                        c.handle = Some(handle);
                    }
                    let _ = tx.send(Internal::IoDone(Msg::Listening {
                        generation,
                        result: Ok(local),
                    }));
                    server
                }
                Err(e) => {
                    let _ = tx.send(Internal::IoDone(Msg::Listening {
                        generation,
                        result: Err(e),
                    }));
                    return;
                }
            };
            let _ = server.run(token.cancelled_owned()).await;
        }));
    }

    /// Run blocking file work off the loop; its message comes back through the queue. A job
    /// that panics answers [`Msg::JobFailed`] for its `kind`, so the app is never left waiting.
    fn spawn_io(&mut self, kind: JobKind, job: impl FnOnce() -> Msg + Send + 'static) {
        self.io_jobs += 1;
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let msg = tokio::task::spawn_blocking(job)
                .await
                .unwrap_or_else(|e| Msg::JobFailed {
                    job: kind,
                    why: format!(
                        "internal error in a file job ({e}); details in {}",
                        terminal::panic_log_path().display()
                    ),
                });
            let _ = tx.send(Internal::IoDone(msg));
        });
    }

    pub(super) fn start_render(&mut self, req: RenderRequest) {
        self.stats.renders += 1;
        self.render.running = true;
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let generation = req.generation;
            let outcome = tokio::task::spawn_blocking(move || jobs::render(&req))
                .await
                .unwrap_or_else(|e| RenderOutcome {
                    generation,
                    result: Err(RenderFailure::Setup(format!(
                        "internal error while rendering ({e}); details in {}",
                        terminal::panic_log_path().display()
                    ))),
                    findings: Vec::new(),
                });
            let _ = tx.send(Internal::RenderDone(outcome));
        });
    }

    pub(super) fn start_highlight(&mut self, req: HighlightRequest) {
        self.stats.highlights += 1;
        self.highlight.running = true;
        let mut cache = self.highlight_cache.take().unwrap_or_default();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let generation = req.generation;
            let done = tokio::task::spawn_blocking(move || {
                let out = cache.highlight(&req);
                (cache, out)
            })
            .await;
            let (cache, out) = done.unwrap_or_else(|_| {
                (
                    Box::default(),
                    Highlighted {
                        generation,
                        rows: Vec::new(),
                    },
                )
            });
            let _ = tx.send(Internal::HighlightDone(cache, out));
        });
    }

    pub(super) fn start_pipeline(&mut self, req: PipelineRequest) {
        self.stats.pipelines += 1;
        self.pipeline.running = true;
        let token = CancellationToken::new();
        self.pipeline_cancel = Some(token.clone());
        if self.auth_state.0 != req.session.source {
            self.auth_state = (req.session.source.clone(), Default::default());
        }
        let auth_state = self.auth_state.1.clone();
        let tx = self.tx.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::spawn(async move {
            let generation = req.generation;
            // The pipeline renders templates with `Rc` values inside, so its future may not
            // be `Send`: drive it on a blocking thread of its own.
            let outcome = tokio::task::spawn_blocking(move || {
                handle.block_on(jobs::run_pipeline(&req, &auth_state, token))
            })
            .await
            .unwrap_or_else(|e| TraceOutcome {
                generation,
                result: Err(format!(
                    "internal error in the pipeline ({e}); details in {}",
                    terminal::panic_log_path().display()
                )),
            });
            let _ = tx.send(Internal::PipelineDone(outcome));
        });
    }
}

impl<B, E> Runtime<B, E>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
{
    /// Start a comparison: its columns come back one by one as [`Msg::Compared`], then
    /// [`Internal::CompareDone`] frees the slot.
    pub(super) fn start_compare(&mut self, req: crate::app::compare::CompareRequest) {
        self.compare.running = true;
        let token = CancellationToken::new();
        self.compare_cancel = Some(token.clone());
        let tx = self.tx.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::spawn(async move {
            let generation = req.generation;
            let column_tx = tx.clone();
            // The pipeline renders templates with `Rc` values inside, so the runs' futures
            // may not be `Send`: drive them on a blocking thread of their own.
            let done = tokio::task::spawn_blocking(move || {
                let send = move |o| {
                    let _ = column_tx.send(Internal::Msg(crate::app::compare::compared(o)));
                };
                handle.block_on(jobs::run_compare(&req, token, &send));
            })
            .await;
            if let Err(e) = done {
                // Columns still running say why they never finish (finished ones stay).
                for kind in crate::gateway::api::IntegrationType::ALL {
                    let _ = tx.send(Internal::Msg(crate::app::compare::compared(
                        crate::app::compare::CompareOutcome {
                            generation,
                            kind,
                            result: Err(format!(
                                "internal error in the comparison ({e}); details in {}",
                                terminal::panic_log_path().display()
                            )),
                        },
                    )));
                }
            }
            let _ = tx.send(Internal::CompareDone);
        });
    }
}

/// A path with a leading `~/` (or just `~`) taken from the home folder, as a shell would.
fn expand_home(path: &std::path::Path) -> std::path::PathBuf {
    let home = || std::env::var_os("HOME").map(std::path::PathBuf::from);
    if path == std::path::Path::new("~") {
        return home().unwrap_or_else(|| path.to_path_buf());
    }
    match (path.strip_prefix("~"), home()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}
