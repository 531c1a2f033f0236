//! Shared harness for the TUI tests: the real runtime (update, effects, background jobs,
//! pipeline with its built-in offline backends) drawing on a `TestBackend`, fed scripted
//! terminal events.

#![allow(dead_code)]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use futures_util::Stream;
use gatebench::app::{App, AppOptions};
use gatebench::runtime::{Clipboard, Runtime};
use gatebench::ui::style::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc;

/// Terminal events for the runtime's event stream.
pub type Events = std::pin::Pin<Box<dyn Stream<Item = io::Result<Event>> + Send>>;

/// A running workbench on a test terminal.
pub struct Harness {
    pub rt: Runtime<TestBackend, Events>,
    pub events: mpsc::UnboundedSender<io::Result<Event>>,
    pub clipboard: Arc<Mutex<Vec<String>>>,
}

/// A fixture session in `tests/tui_fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tui_fixtures")
        .join(name)
}

fn stream(mut rx: mpsc::UnboundedReceiver<io::Result<Event>>) -> Events {
    Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

impl Harness {
    /// Open `session` (a fixture name, or `None` for the built-in default) at `w`x`h`, and
    /// wait for the start-up work (render, highlight, live run) to finish.
    pub async fn open(session: Option<&str>, w: u16, h: u16) -> Harness {
        let path = session.map(fixture);
        let options = AppOptions {
            theme: Theme::default_dark(false),
            size: (w, h),
            ..AppOptions::default()
        };
        let app = App::open(path.as_deref(), options);
        Harness::with_app(app, w, h).await
    }

    /// A harness around an app.
    pub async fn with_app(app: App, w: u16, h: u16) -> Harness {
        let terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        let (tx, rx) = mpsc::unbounded_channel();
        let clipboard = Arc::new(Mutex::new(Vec::new()));
        let rt = Runtime::new(
            terminal,
            app,
            stream(rx),
            Clipboard::Memory(clipboard.clone()),
        );
        let mut h = Harness {
            rt,
            events: tx,
            clipboard,
        };
        h.settle().await;
        h
    }

    /// Process until no background work is left (bounded, so a hang fails the test).
    pub async fn settle(&mut self) {
        tokio::time::timeout(Duration::from_secs(20), self.rt.settle())
            .await
            .expect("background work finished in time")
            .expect("runtime ok");
    }

    /// Feed a key and settle.
    pub async fn key(&mut self, code: KeyCode) {
        self.key_mod(code, KeyModifiers::NONE).await;
    }

    /// Feed a key with modifiers and settle.
    pub async fn key_mod(&mut self, code: KeyCode, mods: KeyModifiers) {
        self.rt.handle_event(Event::Key(KeyEvent::new(code, mods)));
        self.settle().await;
    }

    /// Type text key by key without waiting in between (as a fast typist would), then settle.
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            self.rt
                .handle_event(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        }
        self.settle().await;
    }

    /// Draw and return the screen as text.
    pub fn screen(&mut self) -> String {
        self.rt.draw().expect("draw");
        buffer_text(self.rt.terminal().backend().buffer())
    }

    /// Draw and return the screen's cells (colours included).
    #[allow(dead_code)]
    pub fn buffer(&mut self) -> Buffer {
        self.rt.draw().expect("draw");
        self.rt.terminal().backend().buffer().clone()
    }

    /// The app.
    pub fn app(&self) -> &App {
        self.rt.app()
    }
}

/// A buffer as lines of text (trailing spaces trimmed).
pub fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Replace what changes from run to run (request ids, times) so snapshots are stable.
pub fn stable(text: &str) -> String {
    let rules: &[(&str, &str)] = &[
        // A request id's first group at a row's end (the rest wrapped away).
        (r"\b[0-9a-f]{8}-(?![0-9a-f])", "<id>"),
        // The rest of a request id that wrapped onto the next row, and long hex runs (a trace
        // id's tail).
        (r"\b(?:[0-9a-f]{1,4}-){1,4}[0-9a-f]{12}\b", "<id>"),
        (r"\b[0-9a-f]{16,}\b", "<id>"),
        // Durations measured by the pipeline.
        (r"(in|latency:?|took) [0-9]+ ?ms", "$1 <n> ms"),
        // Request ids, possibly cut by a pane edge.
        (
            r"[0-9a-f]{8}-[0-9a-f]{1,4}(-[0-9a-f]{0,4}){0,3}[0-9a-f]*",
            "<id>",
        ),
        // Console log times: "Thu Nov 26 19:23:08 UTC 2026", possibly cut.
        (
            r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 0-9]{1,2}( [0-9:]{1,8})?( U?T?C?)?( [0-9]{0,4})?",
            "<time>",
        ),
        // Epoch milliseconds and CLF times.
        (r"\b1[0-9]{12}\b", "<epoch>"),
        (r"[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9:]{8} \+0000", "<clf>"),
        // SigV4 times (`X-Amz-Date`), possibly cut.
        (r"\b[0-9]{8}T[0-9]{0,6}Z?", "<amz-date>"),
        // Ids derived from the request id.
        (
            r"(apigw-id|extendedRequestId|x-amzn-trace-id|X-Amzn-Trace-Id|integration-tag)(\W+)[A-Za-z0-9=;<>-]+",
            "$1$2<id>",
        ),
        // A request id whose tail an earlier rule already masked.
        (r"\b[0-9a-f]{8}-<id>", "<id>"),
        // HTTP dates ("Thu, 26 Nov 2026 14:08:03 GMT"), possibly cut or wrapped.
        (r"\b[0-9]{2}:[0-9]{2}:[0-9]{2} GMT", "<hh:mm:ss> GMT"),
    ];
    let mut s = text.to_string();
    for &(pattern, replacement) in rules {
        let re = regex_lite(pattern);
        s = re.replace_all(&s, replacement).into_owned();
    }
    s
}

fn regex_lite(p: &str) -> fancy_regex::Regex {
    fancy_regex::Regex::new(p).expect("valid pattern")
}

impl Harness {
    /// Step the runtime (its queued results, then terminal input) until `done` holds, for at
    /// most ten seconds (a hang fails the test with the status bar's message).
    pub async fn step_until(&mut self, what: &str, mut done: impl FnMut(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !done(self.app()) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "waited too long for {what}: {:?}",
                self.app().status()
            );
            let _ = tokio::time::timeout(Duration::from_millis(200), self.rt.step()).await;
        }
    }
}
