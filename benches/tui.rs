//! Workbench speed: one keystroke in the template editor through update, the background
//! render (VTL + JSON check + layout) and highlight, to a drawn frame, with a 1 MB request
//! body; and start-up to the first frame. Both on a `TestBackend`, so they measure our code,
//! not a terminal.
//!
//!     cargo bench --bench tui

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use gatebench::app::{Action, App, AppOptions, Effect, Msg, update};
use gatebench::runtime::jobs;
use gatebench::session::Session;
use gatebench::ui::highlight::HighlightCache;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The binary's allocator, so the numbers are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// A request body of about 1 MB: an array of small objects.
fn big_body() -> String {
    let mut s = String::from("{\"items\": [");
    let mut i = 0;
    while s.len() < 1_000_000 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"id\": {i}, \"name\": \"item number {i}\", \"tags\": [\"a\", \"b\"], \"price\": {}.5}}",
            i % 97
        ));
        i += 1;
    }
    s.push_str("]}");
    s
}

/// A template that passes the whole body through (so the Rendered pane checks and lays out
/// 1 MB of JSON on every keystroke).
const PASS_THROUGH: &str = "## typing here\n$input.json('$')\n";

/// A template that reads a few fields of the 1 MB body (small output).
const PICK_FIELDS: &str = "## typing here\n{\"first\": $input.json('$.items[0]'), \"count\": $input.path('$.items').size()}\n";

/// The built-in session with a 1 MB body and `template` as its request template.
fn big_session_with(template: &str) -> Session {
    let mut s = Session::builtin_default();
    s.requests[0].body = Some(big_body());
    let method = s.api.resources[0]
        .methods
        .values_mut()
        .next()
        .expect("the default session has a method");
    method
        .integration
        .request_templates
        .insert("application/json".into(), template.into());
    s
}

fn big_session() -> Session {
    big_session_with(PASS_THROUGH)
}

struct Bench {
    app: App,
    terminal: Terminal<TestBackend>,
    highlight: HighlightCache,
}

impl Bench {
    fn new(template: &str) -> Bench {
        let options = AppOptions {
            size: (120, 40),
            ..AppOptions::default()
        };
        let mut app = App::new(big_session_with(template), None, options);
        let effects = app.start();
        let mut b = Bench {
            app,
            terminal: Terminal::new(TestBackend::new(120, 40)).expect("terminal"),
            highlight: HighlightCache::default(),
        };
        b.run(effects);
        // Edit the comment on the first line: the output stays valid JSON.
        let fx = update(&mut b.app, Msg::Action(Action::Edit));
        b.run(fx);
        b.key(KeyCode::End);
        b
    }

    /// Run render and highlight effects synchronously, as the runtime's workers would.
    fn run(&mut self, effects: Vec<Effect>) {
        for e in effects {
            let msg = match e {
                Effect::Render(r) => Msg::Rendered(jobs::render(&r)),
                Effect::Highlight(h) => Msg::Highlighted(self.highlight.highlight(&h)),
                // The pipeline runs concurrently in the app; not part of this path.
                _ => continue,
            };
            let more = update(&mut self.app, msg);
            self.run(more);
        }
    }

    fn key(&mut self, code: KeyCode) {
        let fx = update(
            &mut self.app,
            Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)),
        );
        self.run(fx);
    }

    fn frame(&mut self) {
        let app = &self.app;
        self.terminal
            .draw(|f| {
                gatebench::ui::view(app, f);
            })
            .expect("draw");
    }
}

/// Keystroke -> update -> render (1 MB in, 1 MB out) -> highlight -> frame.
#[divan::bench(sample_count = 30)]
fn keystroke_to_frame_1mb_body(bencher: divan::Bencher) {
    let mut b = Bench::new(PASS_THROUGH);
    bencher.bench_local(|| {
        b.key(KeyCode::Char('x'));
        b.frame();
    });
}

/// Keystroke -> update -> render (1 MB in, a few fields out) -> highlight -> frame.
#[divan::bench(sample_count = 30)]
fn keystroke_to_frame_1mb_body_small_output(bencher: divan::Bencher) {
    let mut b = Bench::new(PICK_FIELDS);
    bencher.bench_local(|| {
        b.key(KeyCode::Char('x'));
        b.frame();
    });
}

/// Keystroke -> frame without waiting for the render (what the user sees first).
#[divan::bench(sample_count = 30)]
fn keystroke_echo_frame_1mb_body(bencher: divan::Bencher) {
    let mut b = Bench::new(PASS_THROUGH);
    bencher.bench_local(|| {
        let fx = update(
            &mut b.app,
            Msg::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)),
        );
        divan::black_box(fx);
        b.frame();
    });
}

/// Start-up to the first frame: load the built-in session, build the app, draw.
#[divan::bench(sample_count = 30)]
fn start_to_first_frame() {
    let app = App::open(None, AppOptions::default());
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| {
            gatebench::ui::view(&app, f);
        })
        .expect("draw");
    divan::black_box(&terminal);
}

/// The parts of a keystroke's background work, to see where the time goes.
mod parts {
    use super::*;
    use gatebench::app::route;
    use gatebench::app::views::RenderedOutput;

    fn render_request() -> gatebench::app::effect::RenderRequest {
        let mut app = App::new(big_session(), None, AppOptions::default());
        app.start()
            .into_iter()
            .find_map(|e| match e {
                Effect::Render(r) => Some(r),
                _ => None,
            })
            .expect("a render")
    }

    /// Build the method request JSON (copies the 1 MB body).
    #[divan::bench(sample_count = 30)]
    fn request_json(bencher: divan::Bencher) {
        let s = big_session();
        let saved = &s.requests[0];
        let r = route::route(&s.api, &saved.method, &saved.path);
        bencher.bench_local(|| route::method_request(&s, saved, r.as_ref()));
    }

    /// VTL render of `$input.json('$')` over 1 MB, plus the JSON check and layout.
    #[divan::bench(sample_count = 30)]
    fn render_job(bencher: divan::Bencher) {
        let r = render_request();
        bencher.bench_local(|| jobs::render(&r));
    }

    /// Only the JSON check and pretty layout of 1 MB of output.
    #[divan::bench(sample_count = 30)]
    fn json_check_and_layout(bencher: divan::Bencher) {
        let text = big_body();
        bencher.bench_local(|| RenderedOutput::new(text.clone()));
    }

    /// Drawing one frame with the 1 MB body loaded (nothing changed).
    #[divan::bench(sample_count = 30)]
    fn frame_only(bencher: divan::Bencher) {
        let mut b = Bench::new(PASS_THROUGH);
        bencher.bench_local(|| b.frame());
    }
}

/// A 2 MB paste that arrives as keys (a terminal without bracketed paste) into the request
/// body, through the real event loop: every key is ready at once, the loop reads them in
/// bursts as it does from a terminal, edits, draws, and hands renders and highlighting to its
/// background jobs (the newest wins). One sample is the whole paste, from the first key read
/// to the end of the input with every key in the body.
#[divan::bench(sample_count = 3, sample_size = 1)]
fn paste_2mb_as_keys_into_the_body(bencher: divan::Bencher) {
    use gatebench::app::Pane;
    use gatebench::runtime::{Clipboard, Runtime};
    let mut paste = String::new();
    let mut i = 0;
    while paste.len() < 2_000_000 {
        paste.push_str(&format!(
            "{{\"id\": {i}, \"name\": \"item number {i}\", \"tags\": [\"a\", \"b\"]}},\n"
        ));
        i += 1;
    }
    let keys: Vec<crossterm::event::Event> = paste
        .chars()
        .map(|c| {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            crossterm::event::Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
        })
        .collect();
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio");
    bencher
        .with_inputs(|| {
            let _guard = tokio.enter();
            let mut s = Session::builtin_default();
            s.requests[0].body = Some("[\n".into());
            let options = AppOptions {
                size: (120, 40),
                ..AppOptions::default()
            };
            let events = futures_util::stream::iter(keys.clone().into_iter().map(Ok));
            let mut runtime = Runtime::new(
                Terminal::new(TestBackend::new(120, 40)).expect("terminal"),
                App::new(s, None, options),
                Box::pin(events),
                Clipboard::Memory(Default::default()),
            );
            tokio.block_on(runtime.settle()).expect("start-up");
            let key = |code, mods| crossterm::event::Event::Key(KeyEvent::new(code, mods));
            while runtime.app().focus() != Pane::Request {
                runtime.handle_event(key(KeyCode::Tab, KeyModifiers::NONE));
            }
            runtime.handle_event(key(KeyCode::Char('i'), KeyModifiers::NONE));
            runtime.handle_event(key(KeyCode::End, KeyModifiers::CONTROL));
            tokio.block_on(runtime.settle()).expect("settles");
            runtime
        })
        .bench_local_values(|mut runtime| {
            tokio.block_on(runtime.run()).expect("the loop runs");
            assert!(runtime.app().request_editor().lines().len() > 20_000);
            runtime
        });
}
