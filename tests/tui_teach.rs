//! Snapshots of the teaching parts: the `●` legend with the stage strip at 80x24 and
//! 120x40, and the light theme's background (a map of every cell's background next to the
//! text), so a theme that sets only foregrounds shows up as holes in the map.

mod tui_support;

use crossterm::event::KeyCode;
use ratatui::style::Color;
use tui_support::{Harness, buffer_text, stable};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stage_markers_have_a_legend() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        let screen = t.screen();
        let top: Vec<&str> = screen.lines().take(3).collect();
        // At 80 columns the strip is full and a long explanation can push the legend out of
        // its two lines (the help says it in full); at 120 it sits on the strip.
        if w >= 120 {
            assert!(top[0].ends_with("● = panes this stage uses"), "{screen}");
        }
        insta::assert_snapshot!(format!("legend_{w}x{h}"), stable(&top.join("\n")));
    }
}

/// Each cell's background: `W` the light theme's white, `.` the terminal's own (unset),
/// `#` another colour (selection, the active stage).
fn background_map(buf: &ratatui::buffer::Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        for x in 0..area.width {
            out.push(match buf[(x, y)].bg {
                Color::Rgb(255, 255, 255) => 'W',
                Color::Reset => '.',
                _ => '#',
            });
        }
        out.push('\n');
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_light_theme_sets_every_background() {
    for (w, h) in [(80, 24), (60, 16)] {
        let mut t = Harness::open(Some("mock.toml"), w, h).await;
        t.key(KeyCode::Char('T')).await;
        assert_eq!(t.app().theme().name(), "light");
        let buf = t.buffer();
        let map = background_map(&buf);
        assert!(!map.contains('.'), "a cell without background:\n{map}");
        assert!(
            buf.content.iter().all(|c| c.fg != Color::Reset),
            "a cell without foreground"
        );
        insta::assert_snapshot!(
            format!("light_theme_{w}x{h}"),
            format!("{}\n\n{map}", stable(&buffer_text(&buf)))
        );
        // The help overlay (drawn over a cleared area) too.
        t.key(KeyCode::Char('?')).await;
        let map = background_map(&t.buffer());
        assert!(!map.contains('.'), "the help without background:\n{map}");
    }
}
