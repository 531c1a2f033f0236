//! The panes tell the whole story on screen: a failed endpoint call's reason in full at 80x24
//! (Backend pane's endpoint-error section, the cause under the client's status, wrapped log
//! lines), every stage in the strip down to 60x16, the Rendered pane's raw view with visible
//! whitespace, the note when a limit cut the output, and a response template rendered against
//! the empty body of a failed call said as such. Snapshots at 80x24 and 120x40
//! (`cargo insta review` to inspect changes).

mod tui_support;

use crossterm::event::{KeyCode, KeyModifiers};
use gatebench::app::Pane;
use tui_support::{Harness, buffer_text, stable};

fn snap(name: &str, screen: &str) {
    insta::assert_snapshot!(name, stable(screen));
}

/// The text inside the pane whose title starts with `title`, its rows put back together
/// (runs of spaces as one), so a reason wrapped over several rows reads as one string.
fn pane_text(screen: &str, title: &str) -> String {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    for (y, row) in rows.iter().enumerate() {
        let line: String = row.iter().collect();
        let Some(byte) = line.find(title) else {
            continue;
        };
        let at = line[..byte].chars().count();
        // The title right after a top-left corner (and the focus mark).
        let Some(left) = (0..at)
            .rev()
            .take_while(|&x| matches!(row[x], ' ' | '▶' | '╭' | '┏'))
            .find(|&x| matches!(row[x], '╭' | '┏'))
        else {
            continue;
        };
        let right = (at..row.len())
            .find(|&x| matches!(row[x], '╮' | '┓'))
            .unwrap_or(row.len());
        let mut out = Vec::new();
        for r in &rows[y + 1..] {
            if r.get(left).is_some_and(|c| matches!(c, '╰' | '┗')) {
                break;
            }
            let inner: String = r
                .iter()
                .skip(left + 1)
                .take(right.saturating_sub(left + 1))
                .collect();
            out.push(inner);
        }
        return out
            .concat()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
    }
    panic!("no pane titled {title}:\n{screen}");
}

/// Focus a pane with the focus key (Tab), at most once around.
async fn focus(t: &mut Harness, pane: Pane) {
    for _ in 0..Pane::ALL.len() {
        if t.app().focus() == pane {
            return;
        }
        t.key(KeyCode::Tab).await;
    }
    assert_eq!(t.app().focus(), pane);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_backend_says_connection_refused_on_screen() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("panes/dead.toml"), w, h).await;
        t.key(KeyCode::Char('s')).await;
        let status = t.app().trace().map(|t| t.trace.response.status);
        assert_eq!(status, Some(504), "a dead backend is the gateway's 504");

        focus(&mut t, Pane::Backend).await;
        let screen = t.screen();
        let text = pane_text(&screen, "Backend");
        assert!(text.contains("endpoint error"), "{screen}");
        assert!(text.contains("Connection refused"), "{screen}");
        snap(&format!("dead_backend_backend_{w}x{h}"), &screen);

        focus(&mut t, Pane::Response).await;
        let screen = t.screen();
        let text = pane_text(&screen, "Client response");
        assert!(
            text.contains("504 Internal server error — error sending request"),
            "the cause under the status:\n{screen}"
        );
        assert!(text.contains("Connection refused"), "{screen}");
        snap(&format!("dead_backend_response_{w}x{h}"), &screen);

        focus(&mut t, Pane::Log).await;
        // Zoomed, the end of the log (the failure and its reason) fits.
        t.key(KeyCode::Char('z')).await;
        t.key(KeyCode::Char('G')).await;
        let screen = t.screen();
        assert!(
            pane_text(&screen, "Log").contains("Connection refused"),
            "the log line wraps:\n{screen}"
        );
        t.key(KeyCode::Char('z')).await;
    }
}

/// The rows of the pane titled `title` (from its top border down to its bottom one), whole.
fn pane_rows(screen: &str, title: &str) -> Vec<String> {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let Some((top, left)) = rows.iter().enumerate().find_map(|(y, row)| {
        let line: String = row.iter().collect();
        let x = line[..line.find(title)?].chars().count();
        (0..x)
            .rev()
            .find(|&i| "╭┏".contains(row[i]))
            .map(|i| (y, i))
    }) else {
        return Vec::new();
    };
    let mut out = vec![rows[top][left..].iter().collect::<String>()];
    for row in &rows[top + 1..] {
        if row.get(left).is_none_or(|c| !"│┃".contains(*c)) {
            break;
        }
        out.push(
            row[left + 1..]
                .iter()
                .take_while(|c| !"│┃".contains(**c))
                .collect(),
        );
    }
    out
}

/// `w` stops wrapping the focused pane: its title says `nowrap`, a long line runs off the
/// right edge, and → brings its end into view; `w` again wraps it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wrap_key_turns_wrapping_off_and_the_pane_scrolls_sideways() {
    for (w, h) in [(80, 24), (60, 16)] {
        let mut t = Harness::open(Some("panes/dead.toml"), w, h).await;
        t.key(KeyCode::Char('s')).await;
        focus(&mut t, Pane::Log).await;
        // Zoomed, the end of the log fits even at 60x16.
        t.key(KeyCode::Char('z')).await;
        t.key(KeyCode::Char('G')).await;
        let wrapped = t.screen();
        assert!(
            pane_text(&wrapped, "Log").contains("Connection refused"),
            "wrapped, the reason is on screen at {w}x{h}:\n{wrapped}"
        );
        assert!(!wrapped.contains("nowrap"), "{wrapped}");
        t.key(KeyCode::Char('w')).await;
        let cut = t.screen();
        let title = &pane_rows(&cut, "▶ Log")[0];
        assert!(title.contains("Log nowrap"), "{w}x{h}: {title}");
        assert!(
            !pane_text(&cut, "Log").contains("Connection refused"),
            "unwrapped, the line runs off the edge at {w}x{h}:\n{cut}"
        );
        // One row per log line now: each row is the start of a line, none its middle.
        let log = &t.app().trace().unwrap().log;
        for row in &pane_rows(&cut, "▶ Log")[1..] {
            let shown = row.trim_end();
            assert!(
                log.lines_from(0).any(|l| l.text.starts_with(shown)),
                "{shown:?} starts a log line at {w}x{h}"
            );
        }
        // Sideways, the reason comes into view.
        let mut moved = t.screen();
        for _ in 0..60 {
            if pane_text(&moved, "Log").contains("refused") {
                break;
            }
            t.key(KeyCode::Right).await;
            moved = t.screen();
        }
        assert!(
            pane_text(&moved, "Log").contains("refused"),
            "scrolled sideways at {w}x{h}:\n{moved}"
        );
        assert!(
            pane_rows(&moved, "▶ Log")[0].contains("nowrap ←"),
            "{moved}"
        );
        if (w, h) == (80, 24) {
            snap("log_nowrap_scrolled_80x24", &moved);
        }
        t.key(KeyCode::Char('w')).await;
        let again = t.screen();
        assert!(!again.contains("nowrap"), "{again}");
        assert!(pane_text(&again, "Log").contains("Connection refused"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strip_keeps_every_stage_at_60x16() {
    let mut t = Harness::open(Some("panes/dead.toml"), 60, 16).await;
    t.key(KeyCode::Char('s')).await;
    let screen = t.screen();
    let strip = screen.lines().next().unwrap_or_default();
    for stage in ["route", "m.req", "i.req", "backend", "i.resp", "m.resp"] {
        assert!(strip.contains(stage), "{stage} in {strip:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_response_template_after_a_failed_call_is_not_a_template_bug() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("panes/dead.toml"), w, h).await;
        t.key(KeyCode::Char('s')).await;
        // The response template.
        t.key(KeyCode::Char(']')).await;
        let screen = t.screen();
        let text = pane_text(&screen, "Rendered");
        assert!(
            text.contains("rendered against an empty body (the endpoint call failed)"),
            "{screen}"
        );
        assert!(!screen.contains("✗ not valid JSON"), "{screen}");
        snap(&format!("empty_body_after_failed_call_{w}x{h}"), &screen);
    }
}

/// Replace the selected template with `text`.
async fn set_template(t: &mut Harness, text: &str) {
    t.key(KeyCode::Char('i')).await;
    t.key_mod(KeyCode::Char('a'), KeyModifiers::ALT).await;
    t.rt.handle_event(crossterm::event::Event::Paste(text.into()));
    t.settle().await;
    t.key(KeyCode::Esc).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rendered_pane_shows_raw_bytes_and_toggles_to_pretty() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        // Valid JSON: pretty by default.
        set_template(&mut t, "{\"a\":\t1,  \n\"b\": 2}").await;
        assert!(!t.app().rendered_raw());
        let screen = t.screen();
        assert!(screen.contains("pretty"), "{screen}");
        assert!(screen.contains("\"a\": 1,"), "{screen}");
        snap(&format!("rendered_pretty_{w}x{h}"), &screen);
        // The raw/pretty key: the exact bytes, whitespace visible.
        t.key(KeyCode::Char('v')).await;
        assert!(t.app().rendered_raw());
        let screen = t.screen();
        assert!(screen.contains("{\"a\":→1,··⏎"), "{screen}");
        assert!(screen.contains("\"b\": 2}"), "{screen}");
        snap(&format!("rendered_raw_{w}x{h}"), &screen);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_that_is_not_json_is_raw_by_default() {
    let mut t = Harness::open(Some("mock.toml"), 80, 24).await;
    set_template(&mut t, "a\tb \nc").await;
    assert!(t.app().rendered_raw());
    let screen = t.screen();
    assert!(screen.contains("a→b·⏎"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreach_cut_at_1000_iterations_is_said() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        set_template(&mut t, "#foreach($i in [1..1500])$i,#end").await;
        let screen = t.screen();
        let text = pane_text(&screen, "Rendered");
        assert!(
            text.contains("⚠ output cut: #foreach at line 1"),
            "{screen}"
        );
        assert!(text.contains("1000 iterations"), "{screen}");
        snap(&format!("foreach_cap_{w}x{h}"), &screen);
    }
}

#[test]
fn pane_text_reads_a_wrapped_reason() {
    let screen = "x╭ Log ─────╮╭ B ╮\nx│Connection││   │\nx│ refused  ││   │\nx╰──────────╯╰───╯\n";
    assert_eq!(pane_text(screen, "Log"), "Connection refused");
    let _ = buffer_text;
}
