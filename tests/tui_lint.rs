//! Lint in the workbench at 80x24 and 120x40: the findings' marks in the Template pane's
//! gutter and its footer, the list (`!`) with the selected rule explained, and a fix applied
//! with `Enter` (one edit; the undo key takes it back).

mod tui_support;

use crossterm::event::KeyCode;
use tui_support::{Harness, stable};

fn snap(name: &str, screen: &str) {
    insta::assert_snapshot!(name, stable(screen));
}

/// The lint list's box alone (what is around it holds request ids the box cuts through).
fn list_box(screen: &str) -> String {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let top = lines
        .iter()
        .position(|l| l.iter().collect::<String>().contains("┏ Lint"))
        .expect("the lint list on screen");
    let left = lines[top].iter().position(|&c| c == '┏').unwrap();
    let right = lines[top].iter().rposition(|&c| c == '┓').unwrap();
    let mut out = String::new();
    for l in &lines[top..] {
        out.extend(&l[left..=right]);
        out.push('\n');
        if l[left] == '┗' {
            break;
        }
    }
    out
}

/// The screen row (text) that holds `needle`.
fn row_with<'a>(screen: &'a str, needle: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} on screen:\n{screen}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn findings_are_marked_listed_and_fixed() {
    for (w, h) in [(80, 24), (120, 40)] {
        let mut t = Harness::open(Some("lint.toml"), w, h).await;
        let screen = t.screen();
        // The gutter: ! for the warning, ✗ for the error, · for the info.
        assert!(
            row_with(&screen, "\"name\": \"$input").contains("┃!2 "),
            "{screen}"
        );
        assert!(
            row_with(&screen, "\"ids\": [#foreach").contains("┃✗3 "),
            "{screen}"
        );
        assert!(
            row_with(&screen, "\"count\": $velocity").contains("┃·4 "),
            "{screen}"
        );
        assert!(row_with(&screen, "{").contains("┃ 1 "), "{screen}");
        assert!(screen.contains("3 lint findings (!: list)"), "{screen}");
        snap(&format!("lint_marks_{w}x{h}"), &screen);

        t.key(KeyCode::Char('!')).await;
        let screen = t.screen();
        assert!(
            screen.contains("Lint · request application/json · 3 findings"),
            "{screen}"
        );
        snap(&format!("lint_list_{w}x{h}"), &list_box(&screen));

        // The second finding is the trailing comma; Enter fixes it.
        t.key(KeyCode::Char('j')).await;
        t.key(KeyCode::Enter).await;
        let screen = t.screen();
        let text = t.app().template_editor().text();
        assert!(text.contains("$i#if($foreach.hasNext),#end#end]"), "{text}");
        assert!(screen.contains("2 lint findings"), "{screen}");
        assert!(screen.contains("Fixed foreach-trailing-comma"), "{screen}");
        snap(&format!("lint_fixed_{w}x{h}"), &screen);

        // One undo brings the comma back.
        t.key(KeyCode::Char('u')).await;
        let screen = t.screen();
        assert!(t.app().template_editor().text().contains("$i,#end]"));
        assert!(screen.contains("3 lint findings"), "{screen}");
    }
}
