//! The event loop: the only place with tokio spawning, the terminal and the crossterm event
//! stream. It feeds [`Msg`]s to [`update`], runs the [`Effect`]s it returns, and draws once
//! after draining everything queued.
//!
//! Background work is "latest wins": one render and one highlight run at a time, and a newer
//! request replaces the one waiting (typing never queues a backlog). Results carry generation
//! numbers and `update` drops stale ones. Pipeline runs work the same way, and a newer run
//! also cancels the running one (it stops at its next await, e.g. a backend call).

mod effects;
pub mod input;
pub mod jobs;
pub mod log;
pub mod terminal;

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context as _;
use crossterm::event::{Event, KeyEventKind, MouseButton, MouseEventKind};
use futures_util::{Stream, StreamExt as _};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::app::effect::{PipelineRequest, RenderRequest};
use crate::app::view_model::{Areas, HighlightRequest, Highlighted};
use crate::app::views::{RenderOutcome, TraceOutcome};
use crate::app::{App, AppOptions, Msg, update};
use crate::ui::highlight::HighlightCache;

/// The listen-mode server's wanted state; edits arriving before it is bound are applied once
/// it is.
#[derive(Default)]
pub(crate) struct ServeControl {
    handle: Option<crate::serve::ServeHandle>,
    session: Option<Arc<crate::session::Session>>,
    breakpoint: bool,
}

/// The senders that resume paused requests, by id.
pub(crate) type PausedSenders =
    std::collections::HashMap<u64, tokio::sync::oneshot::Sender<crate::gateway::pipeline::Resume>>;

/// How the runtime puts text on the clipboard.
#[derive(Clone, Debug)]
pub enum Clipboard {
    /// OSC 52 escape sequence to the terminal (works over SSH and in tmux with
    /// `set-clipboard on`).
    Osc52,
    /// Keep copies in memory (tests).
    Memory(Arc<Mutex<Vec<String>>>),
}

/// Under listen-mode load, batches made only of served requests are drawn at most this often
/// (anything else, such as a key, still draws at once).
const SERVED_FRAME: Duration = Duration::from_millis(33);

/// At most this many terminal events are read before a frame is drawn.
const MAX_BURST: usize = 16 * 1024;

/// The messages of terminal events read at once: keys in a row become one [`Msg::Keys`].
fn batch_msgs(events: Vec<Event>, areas: &Areas) -> Vec<Msg> {
    let mut out = Vec::new();
    let mut keys = Vec::new();
    let flush = |keys: &mut Vec<_>, out: &mut Vec<Msg>| match keys.len() {
        0 => {}
        1 => out.push(Msg::Key(keys.pop().expect("one key"))),
        _ => out.push(Msg::Keys(std::mem::take(keys))),
    };
    for e in events {
        match event_to_msg(e, areas) {
            Some(Msg::Key(k)) => keys.push(k),
            Some(m) => {
                flush(&mut keys, &mut out);
                out.push(m);
            }
            None => {}
        }
    }
    flush(&mut keys, &mut out);
    out
}

/// Lines one turn of the mouse wheel scrolls.
const WHEEL_LINES: i16 = 3;

/// Whether a message only reports a served request (its frame may wait).
fn only_served(internal: &Internal) -> bool {
    matches!(internal, Internal::Msg(Msg::Served(_)))
}

/// Messages from background tasks to the loop.
enum Internal {
    Msg(Msg),
    RenderDone(RenderOutcome),
    HighlightDone(Box<HighlightCache>, Highlighted),
    PipelineDone(TraceOutcome),
    /// The comparison job ended (its columns were sent as they finished).
    CompareDone,
    /// A file or clipboard job finished.
    IoDone(Msg),
}

/// One running job and at most one waiting request (newest wins).
struct Slot<R> {
    running: bool,
    pending: Option<R>,
}

impl<R> Default for Slot<R> {
    fn default() -> Self {
        Slot {
            running: false,
            pending: None,
        }
    }
}

/// How many background jobs were started (tests check that typing never queues a backlog).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Template renders started.
    pub renders: u64,
    /// Highlight jobs started.
    pub highlights: u64,
    /// Pipeline runs started.
    pub pipelines: u64,
}

/// The running workbench: terminal, app, event source and background jobs.
pub struct Runtime<B: Backend, E> {
    terminal: Terminal<B>,
    app: App,
    events: E,
    tx: mpsc::UnboundedSender<Internal>,
    rx: mpsc::UnboundedReceiver<Internal>,
    render: Slot<RenderRequest>,
    highlight: Slot<HighlightRequest>,
    highlight_cache: Option<Box<HighlightCache>>,
    pipeline: Slot<PipelineRequest>,
    pipeline_cancel: Option<CancellationToken>,
    compare: Slot<crate::app::compare::CompareRequest>,
    compare_cancel: Option<CancellationToken>,
    /// The workbench's authorizer answer cache and usage counters, for the session file they
    /// were made with (a run with another file starts a fresh one).
    auth_state: (
        Option<std::path::PathBuf>,
        crate::gateway::pipeline::AuthState,
    ),
    /// Stops the listen-mode server (graceful shutdown) when cancelled or dropped.
    listen_cancel: Option<tokio_util::sync::DropGuard>,
    /// The listen-mode task (bind, then serve): a restart waits for it to let go of the port.
    listen_task: Option<tokio::task::JoinHandle<()>>,
    /// What the listen-mode server should serve, and its handle once bound.
    serve_control: std::sync::Arc<std::sync::Mutex<ServeControl>>,
    /// Requests waiting at the breakpoint: how to let each go on.
    paused: std::sync::Arc<std::sync::Mutex<PausedSenders>>,
    /// When the last frame was drawn, and when a deferred one is due (see [`SERVED_FRAME`]).
    last_draw: tokio::time::Instant,
    /// Where the last frame drew the panes (the mouse is routed by them).
    areas: Areas,
    redraw_at: Option<tokio::time::Instant>,
    stats: Stats,
    io_jobs: usize,
    autosave: Option<(PathBuf, Arc<crate::session::Session>)>,
    autosave_at: Option<tokio::time::Instant>,
    clipboard: Clipboard,
    ticker: Option<tokio::time::Interval>,
    quit: bool,
    /// Why the loop ended (once it has).
    ending: Option<Ending>,
    /// Terminal input was handled this step: draw once at its end.
    pending_draw: bool,
    /// Notices that the terminal went away (its other end hung up).
    hangup: Option<input::HangupWatch>,
    #[cfg(unix)]
    signals: Vec<(&'static str, tokio::signal::unix::Signal)>,
}

/// How the terminal input went on after a burst of events was read.
enum Drained {
    /// More may come.
    More,
    /// The input ended.
    Ended,
    /// Reading failed.
    Failed(io::Error),
}

/// Why the loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// The user quit.
    Quit,
    /// A shutdown signal (TERM, HUP, INT) arrived.
    Signal(&'static str),
    /// The terminal went away: it hung up, or its input ended.
    HungUp,
    /// Reading the input or drawing failed.
    Failed,
}

/// Turn a terminal event into a message; `None` for events the app ignores (key releases,
/// mouse moves, clicks outside any pane), which then cause no redraw. Mouse positions become
/// panes through the areas the last frame recorded.
pub fn event_to_msg(event: Event, areas: &Areas) -> Option<Msg> {
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => Some(Msg::Key(k)),
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Resize(w, h) => Some(Msg::Resize(w, h)),
        Event::Mouse(m) => {
            let msg: fn(_) -> Msg = match m.kind {
                MouseEventKind::Down(MouseButton::Left) => Msg::Click,
                MouseEventKind::ScrollDown => |p| Msg::Scroll(p, WHEEL_LINES),
                MouseEventKind::ScrollUp => |p| Msg::Scroll(p, -WHEEL_LINES),
                _ => return None,
            };
            areas.pane_at(m.column, m.row).map(msg)
        }
        _ => None,
    }
}

impl<B, E> Runtime<B, E>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = io::Result<Event>> + Unpin,
{
    /// A runtime drawing on `terminal`, reading `events`. Must be called inside a tokio
    /// runtime; the app's start-up effects are started here.
    pub fn new(terminal: Terminal<B>, mut app: App, events: E, clipboard: Clipboard) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let start = app.start();
        let mut rt = Runtime {
            terminal,
            app,
            events,
            tx,
            rx,
            render: Slot::default(),
            highlight: Slot::default(),
            highlight_cache: Some(Box::default()),
            pipeline: Slot::default(),
            pipeline_cancel: None,
            compare: Slot::default(),
            compare_cancel: None,
            auth_state: Default::default(),
            listen_cancel: None,
            listen_task: None,
            serve_control: std::sync::Arc::default(),
            paused: std::sync::Arc::default(),
            last_draw: tokio::time::Instant::now(),
            areas: Areas::default(),
            redraw_at: None,
            stats: Stats::default(),
            io_jobs: 0,
            autosave: None,
            autosave_at: None,
            clipboard,
            ticker: None,
            quit: false,
            ending: None,
            pending_draw: false,
            hangup: None,
            #[cfg(unix)]
            signals: {
                use tokio::signal::unix::{SignalKind, signal};
                [
                    ("TERM", SignalKind::terminate()),
                    ("HUP", SignalKind::hangup()),
                    ("INT", SignalKind::interrupt()),
                ]
                .into_iter()
                .filter_map(|(name, k)| signal(k).ok().map(|s| (name, s)))
                .collect()
            },
        };
        for e in start {
            rt.run_effect(e);
        }
        rt
    }

    /// The app (for tests and benchmarks).
    pub fn app(&self) -> &App {
        &self.app
    }

    /// The terminal (for tests: `terminal().backend()` is the `TestBackend`).
    pub fn terminal(&self) -> &Terminal<B> {
        &self.terminal
    }

    /// Jobs started so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Whether the app has quit.
    pub fn has_quit(&self) -> bool {
        self.quit
    }

    /// End the loop when `watch` sees the terminal go away (its other end hung up).
    pub fn watch_hangup(&mut self, watch: input::HangupWatch) {
        self.hangup = Some(watch);
    }

    /// Why the loop ended, once it has.
    pub fn ending(&self) -> Option<Ending> {
        self.ending
    }

    /// End the loop for `why` (the first reason is kept).
    fn end(&mut self, why: Ending) {
        self.quit = true;
        self.ending.get_or_insert(why);
    }

    /// Whether background work is in flight.
    pub fn busy(&self) -> bool {
        self.render.running
            || self.highlight.running
            || self.pipeline.running
            || self.compare.running
            || self.io_jobs > 0
            || self.autosave_at.is_some()
    }

    /// Draw one frame.
    pub fn draw(&mut self) -> anyhow::Result<()> {
        let app = &self.app;
        let mut areas = Areas::default();
        self.terminal
            .draw(|f| areas = crate::ui::view(app, f))
            .context("drawing the screen")?;
        self.last_draw = tokio::time::Instant::now();
        self.redraw_at = None;
        if areas != self.areas {
            // The app bounds scrolling by what was shown; this needs no new frame.
            self.areas = areas.clone();
            self.handle_msg(Msg::Drawn(areas));
        }
        Ok(())
    }

    /// Feed one terminal event (tests; the loop reads them from the stream).
    pub fn handle_event(&mut self, event: Event) {
        if let Some(msg) = event_to_msg(event, &self.areas) {
            self.handle_msg(msg);
        }
    }

    /// Feed terminal events read at once, as the loop does (tests, benchmarks): keys in a
    /// row are one burst.
    pub fn handle_events(&mut self, events: Vec<Event>) {
        for msg in batch_msgs(events, &self.areas) {
            self.handle_msg(msg);
        }
    }

    /// Move the terminal events that are ready now (already read, or readable without
    /// waiting) into `events`, up to [`MAX_BURST`]; how the input went on: it may have ended,
    /// or failed after the events read before the failure (which are still handled).
    ///
    /// The stream is polled with this task's own waker, never a no-op one: a stream that
    /// registers only the waker of the poll that found nothing (crossterm's `EventStream`
    /// does) would otherwise leave the next key unread until something else woke the loop.
    async fn drain_ready(&mut self, events: &mut Vec<Event>) -> Drained {
        use std::task::Poll;
        let events_stream = &mut self.events;
        std::future::poll_fn(|cx| {
            while events.len() < MAX_BURST {
                match events_stream.poll_next_unpin(cx) {
                    Poll::Ready(Some(Ok(e))) => events.push(e),
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Drained::Failed(e)),
                    Poll::Ready(None) => return Poll::Ready(Drained::Ended),
                    Poll::Pending => break,
                }
            }
            Poll::Ready(Drained::More)
        })
        .await
    }

    /// Run until the app quits, the terminal goes away or a shutdown signal arrives; then
    /// write the edits not autosaved yet (the autosave waits up to a second after an edit, and
    /// those are the very edits a hangup or a signal would lose) and let file jobs (that copy,
    /// a save, removing a copy) finish, for up to two seconds. This happens however the loop
    /// ended, an input or drawing error included, which is returned afterwards.
    pub async fn run(&mut self) -> anyhow::Result<()> {
        let result = self.run_loop().await;
        if result.is_err() {
            self.end(Ending::Failed);
        }
        self.ending.get_or_insert(Ending::Quit);
        if self.autosave.is_some() {
            self.write_autosave();
        }
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            while self.io_jobs > 0 {
                match self.rx.recv().await {
                    Some(Internal::IoDone(msg)) => {
                        self.io_jobs -= 1;
                        log::msg(&msg);
                    }
                    Some(_) => {}
                    None => break,
                }
            }
        })
        .await;
        result
    }

    async fn run_loop(&mut self) -> anyhow::Result<()> {
        self.draw()?;
        while !self.quit {
            self.step().await?;
        }
        Ok(())
    }

    /// Wait for the next message (queued results first, then terminal input, then ticks and
    /// shutdown), process it and everything else queued, then draw once.
    pub async fn step(&mut self) -> anyhow::Result<()> {
        let first = tokio::select! {
            biased;
            Some(internal) = self.rx.recv() => Some(internal),
            event = self.events.next() => match event {
                Some(Ok(e)) => {
                    // Everything else already read from the terminal joins it: a burst of
                    // keys is one edit and one frame.
                    let mut events = vec![e];
                    let drained = self.drain_ready(&mut events).await;
                    let msgs = batch_msgs(events, &self.areas);
                    // Events the app ignores (a mouse move) cause no redraw.
                    self.pending_draw = !msgs.is_empty();
                    for m in msgs {
                        self.handle_msg(m);
                    }
                    match drained {
                        Drained::More => {}
                        Drained::Ended => self.end(Ending::HungUp),
                        Drained::Failed(e) => return Err(e).context("reading terminal input"),
                    }
                    None
                }
                Some(Err(e)) => return Err(e).context("reading terminal input"),
                None => {
                    self.end(Ending::HungUp);
                    return Ok(());
                }
            },
            _ = tick(&mut self.ticker) => Some(Internal::Msg(Msg::Tick)),
            () = deadline(self.autosave_at) => {
                self.write_autosave();
                None
            }
            () = deadline(self.redraw_at) => {
                self.draw()?;
                None
            }
            name = shutdown(&mut self.signals) => {
                self.end(Ending::Signal(name));
                return Ok(());
            }
            () = hung_up(self.hangup.as_ref()) => {
                self.end(Ending::HungUp);
                return Ok(());
            }
        };
        let Some(first) = first else {
            if std::mem::take(&mut self.pending_draw) {
                while let Ok(internal) = self.rx.try_recv() {
                    self.process(internal);
                }
                self.update_ticker();
                if !self.quit {
                    self.draw()?;
                }
            }
            return Ok(());
        };
        let mut deferrable = only_served(&first);
        self.process(first);
        while let Ok(internal) = self.rx.try_recv() {
            deferrable &= only_served(&internal);
            self.process(internal);
        }
        self.update_ticker();
        if self.quit {
            return Ok(());
        }
        let next_frame = self.last_draw + SERVED_FRAME;
        if deferrable && tokio::time::Instant::now() < next_frame {
            self.redraw_at.get_or_insert(next_frame);
        } else {
            self.draw()?;
        }
        Ok(())
    }

    /// Process messages until no background work is in flight (tests, benchmarks).
    pub async fn settle(&mut self) -> anyhow::Result<()> {
        while self.busy() && !self.quit {
            tokio::select! {
                internal = self.rx.recv() => {
                    self.process(internal.context("job channel closed")?);
                }
                () = deadline(self.autosave_at) => self.write_autosave(),
            }
            while let Ok(internal) = self.rx.try_recv() {
                self.process(internal);
            }
        }
        self.update_ticker();
        Ok(())
    }

    fn update_ticker(&mut self) {
        if self.app.animating() {
            if self.ticker.is_none() {
                let period = Duration::from_millis(100);
                let mut t = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                t.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                self.ticker = Some(t);
            }
        } else {
            self.ticker = None;
        }
    }

    fn process(&mut self, internal: Internal) {
        match internal {
            Internal::Msg(m) => self.handle_msg(m),
            Internal::RenderDone(outcome) => {
                self.render.running = false;
                if let Some(next) = self.render.pending.take() {
                    self.start_render(next);
                }
                self.handle_msg(Msg::Rendered(outcome));
            }
            Internal::HighlightDone(cache, result) => {
                self.highlight.running = false;
                self.highlight_cache = Some(cache);
                if let Some(next) = self.highlight.pending.take() {
                    self.start_highlight(next);
                }
                self.handle_msg(Msg::Highlighted(result));
            }
            Internal::IoDone(msg) => {
                self.io_jobs = self.io_jobs.saturating_sub(1);
                self.handle_msg(msg);
            }
            Internal::PipelineDone(outcome) => {
                self.pipeline.running = false;
                self.pipeline_cancel = None;
                if let Some(next) = self.pipeline.pending.take() {
                    self.start_pipeline(next);
                }
                self.handle_msg(Msg::Traced(outcome));
            }
            Internal::CompareDone => {
                self.compare.running = false;
                self.compare_cancel = None;
                if let Some(next) = self.compare.pending.take() {
                    self.start_compare(next);
                }
            }
        }
    }

    fn handle_msg(&mut self, msg: Msg) {
        log::msg(&msg);
        for effect in update(&mut self.app, msg) {
            self.run_effect(effect);
        }
    }
}

async fn deadline(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn tick(ticker: &mut Option<tokio::time::Interval>) {
    match ticker {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}

async fn hung_up(watch: Option<&input::HangupWatch>) {
    match watch {
        Some(w) => w.hung_up().await,
        None => std::future::pending().await,
    }
}

#[cfg(unix)]
/// The first of the shutdown signals (TERM, HUP, INT), by name: the loop ends and the
/// terminal is restored instead of the process dying in raw mode.
async fn shutdown(signals: &mut [(&'static str, tokio::signal::unix::Signal)]) -> &'static str {
    if signals.is_empty() {
        return std::future::pending().await;
    }
    let waits = signals.iter_mut().map(|(_, s)| Box::pin(s.recv()));
    let (_, i, _) = futures_util::future::select_all(waits).await;
    signals.get(i).map_or("a signal", |(name, _)| *name)
}

/// Options from the settings file ([`crate::app::config`]), then the environment:
/// `GATEBENCH_THEME` (dark, light, high-contrast) wins over the file's theme, and `NO_COLOR`
/// switches colour off. Problems come back as a warning for the status bar; defaults are
/// used for what could not be read.
pub fn options_from_env(size: (u16, u16), config: Option<&Path>) -> (AppOptions, Option<String>) {
    use crate::app::config::Config;
    let no_color = crate::ui::style::no_color_from_env();
    let mut warning = None;
    let config_path = Config::path(config);
    let mut config = match &config_path {
        Some(path) => Config::load(path, no_color).unwrap_or_else(|e| {
            warning = Some(format!("{e} (using default settings)"));
            Config::defaults(no_color)
        }),
        None => Config::defaults(no_color),
    };
    if let Ok(name) = std::env::var("GATEBENCH_THEME") {
        match crate::ui::style::Theme::builtin(&name, no_color) {
            Ok(t) => config.theme = t,
            Err(e) => warning = Some(format!("GATEBENCH_THEME: {e}")),
        }
    }
    (
        AppOptions {
            theme: config.theme,
            keymap: config.keymap,
            size,
            config_path,
        },
        warning,
    )
}

/// Start the workbench on a real terminal and run it until the user quits, a shutdown signal
/// arrives or the terminal goes away (in each case the unsaved edits are in the autosave copy
/// before the process ends).
pub fn run_workbench(session: Option<&Path>, args: &crate::WorkbenchArgs) -> anyhow::Result<()> {
    // reqwest (used by the backends) needs a crypto provider; one may already be installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let log_warning = log::init().err().map(|e| format!("No log file: {e}"));
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        session = ?session,
        "workbench started"
    );
    let watchdog = ExitWatchdog::start();
    let result = rt.block_on(async {
        terminal::install_panic_hook();
        // A second watcher of the shutdown signals, off the loop's task: should the loop be
        // stuck (a write to a terminal that stopped reading blocks), the process still ends.
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let arm = watchdog.clone();
            let mut sigs: Vec<_> = [
                SignalKind::terminate(),
                SignalKind::hangup(),
                SignalKind::interrupt(),
            ]
            .into_iter()
            .filter_map(|k| signal(k).ok())
            .collect();
            tokio::spawn(async move {
                if sigs.is_empty() {
                    return;
                }
                let waits = sigs.iter_mut().map(|s| Box::pin(s.recv()));
                let _ = futures_util::future::select_all(waits).await;
                arm.arm();
            });
        }
        let (terminal, closing) = terminal::setup().context("setting up the terminal")?;
        let _guard = terminal::TerminalGuard;
        let size = terminal
            .size()
            .map(|s| (s.width, s.height))
            .unwrap_or((80, 24));
        let (options, warning) = options_from_env(size, args.config.as_deref());
        let mut app = App::open(session, options);
        if let Some(w) = warning.or(log_warning) {
            app = app.with_warning(w);
        }
        let default_addr = crate::app::listen::DEFAULT_LISTEN
            .parse()
            .context("the default listen address")?;
        // The command line wins over the session's own address.
        let addr = args.addr.or(app.session().listen).unwrap_or(default_addr);
        app.set_listen(addr, args.allow_remote, args.addr.is_some());
        if let Some(dir) = crate::app::autosave::autosave_dir() {
            app.set_autosave_dir(dir.clone());
            if let Some(r) =
                crate::app::autosave::find_recovery(&dir, app.session_path(), app.session())
            {
                app.offer_recovery(r);
            }
        }
        let events = input::TerminalEvents::spawn().context("reading the terminal")?;
        let mut runtime = Runtime::new(terminal, app, events, Clipboard::Osc52);
        match input::HangupWatch::terminal() {
            Ok(watch) => runtime.watch_hangup(watch),
            Err(e) => tracing::warn!(error = %e, "cannot watch the terminal for a hangup"),
        }
        let result = runtime.run().await;
        // The terminal may be gone: what the restore cannot write is dropped, not reported.
        closing.set();
        let ending = runtime.ending().unwrap_or(Ending::Quit);
        // From here on nothing waits for the user: whatever still holds the process (a
        // terminal that does not take the restore sequence, a backend call that ignores
        // cancellation) has a few seconds.
        watchdog.arm();
        if let Some(path) = runtime.app().autosave_file()
            && runtime.app().is_dirty()
        {
            tracing::info!(path = %path.display(), "unsaved edits kept in the autosave copy");
        }
        match (ending, result) {
            (Ending::Signal(name), _) => {
                tracing::info!(signal = name, "closing on a shutdown signal");
                Ok(())
            }
            // A terminal that went away is no failure of ours: the edits are autosaved.
            (Ending::HungUp, _) => {
                tracing::info!("the terminal went away; closing");
                Ok(())
            }
            (_, Err(e)) if terminal_gone(&e) => {
                tracing::info!(error = %format!("{e:#}"), "the terminal went away; closing");
                Ok(())
            }
            (_, Err(e)) => {
                tracing::error!(error = %format!("{e:#}"), "the workbench failed");
                Err(e)
            }
            (_, Ok(())) => Ok(()),
        }
    });
    // Blocking tasks (a backend call that ignores cancellation) must not keep us alive.
    rt.shutdown_timeout(Duration::from_millis(200));
    tracing::info!("workbench closed");
    result
}

/// Whether an error says the terminal is gone: its input or output failed with `EIO` (what a
/// hung-up terminal answers), a broken pipe or an end of input.
fn terminal_gone(e: &anyhow::Error) -> bool {
    /// `EIO` on Linux and the BSDs.
    const EIO: i32 = 5;
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| {
            io.raw_os_error() == Some(EIO)
                || matches!(
                    io.kind(),
                    io::ErrorKind::BrokenPipe
                        | io::ErrorKind::UnexpectedEof
                        | io::ErrorKind::NotConnected
                )
        })
}

/// Ends the process a few seconds after it is armed, should it still be running then. Armed
/// when the loop has ended and by a shutdown signal, so a workbench never outlives its
/// terminal or ignores TERM, whatever holds it.
#[derive(Clone)]
struct ExitWatchdog {
    tx: std::sync::mpsc::Sender<()>,
}

impl ExitWatchdog {
    /// How long the process has after the watchdog is armed.
    const GRACE: Duration = Duration::from_secs(5);

    fn start() -> ExitWatchdog {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("gatebench-exit-watchdog".into())
            .spawn(move || {
                // All senders gone without arming: the process is ending normally.
                if rx.recv().is_ok() {
                    std::thread::sleep(Self::GRACE);
                    tracing::warn!("still running {:?} after closing; exiting", Self::GRACE);
                    std::process::exit(1);
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "no exit watchdog");
        }
        ExitWatchdog { tx }
    }

    fn arm(&self) {
        let _ = self.tx.send(());
    }
}
