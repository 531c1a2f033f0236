//! Search in the focused pane: plain text, case-insensitive, forward from the cursor (editors)
//! or from the top of the view (read-only panes), wrapping around.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::{App, Effect, Pane, StatusKind};
use crate::ui::body::StyledText;

/// The first match of `needle` in `lines` at or after (row, byte col), wrapping around, as
/// (row, byte start, byte end). Case-insensitive.
pub fn find(lines: &[&str], needle: &str, from: (usize, usize)) -> Option<(usize, usize, usize)> {
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() || lines.is_empty() {
        return None;
    }
    let n = lines.len();
    // One extra step covers the start of the first line, before `from`.
    for step in 0..=n {
        let row = (from.0 + step) % n;
        let line = lines[row];
        let start = if step == 0 { from.1.min(line.len()) } else { 0 };
        if let Some((s, e)) = find_in_line(line, &needle, start) {
            return Some((row, s, e));
        }
    }
    None
}

fn find_in_line(line: &str, needle: &[char], from: usize) -> Option<(usize, usize)> {
    for (i, _) in line.char_indices().filter(|(i, _)| *i >= from) {
        let mut k = 0;
        let mut end = i;
        'chars: for c in line[i..].chars() {
            if k == needle.len() {
                break;
            }
            for lc in c.to_lowercase() {
                if needle.get(k) == Some(&lc) {
                    k += 1;
                } else {
                    break 'chars;
                }
            }
            end += c.len_utf8();
        }
        if k == needle.len() {
            return Some((i, end));
        }
    }
    None
}

impl App {
    /// A key while the search prompt is open: edit the query.
    pub(super) fn search_input(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.search.push(c);
            }
            KeyCode::Backspace => {
                self.search.pop();
            }
            _ => {}
        }
        Vec::new()
    }

    /// Jump to the next match in the focused pane.
    pub(super) fn search_next(&mut self) -> Vec<Effect> {
        let query = self.search.clone();
        let found = match self.focus {
            Pane::Template => self.template_editor.select_next(&query),
            Pane::Request if self.mode == crate::app::Mode::Editing => {
                self.request_editor.select_next(&query)
            }
            pane => {
                let text: Option<&StyledText> = match pane {
                    Pane::Request => Some(&self.request_view),
                    Pane::Rendered => self
                        .rendered
                        .as_ref()
                        .and_then(|r| r.result.as_ref().ok())
                        .map(|o| &o.view),
                    Pane::Response => self.trace().map(|t| &t.response),
                    Pane::Log => self.trace().map(|t| &t.log),
                    _ => None,
                };
                let from = (self.scroll(pane) + 1, 0);
                let hit = text.and_then(|t| {
                    let lines: Vec<&str> = t.lines_from(0).map(|l| l.text).collect();
                    find(&lines, &query, from)
                });
                if let Some((row, _, _)) = hit {
                    self.scroll[pane.index()] = row;
                }
                hit.map(|(row, col, _)| (row, col))
            }
        };
        match found {
            Some((row, col)) => self.set_status(
                StatusKind::Info,
                format!("\"{query}\" at line {}, column {}", row + 1, col + 1),
            ),
            None => self.set_status(StatusKind::Error, format!("\"{query}\" not found")),
        }
        self.highlight_if_needed().into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_forward_and_wraps() {
        let lines = ["abc", "xAbx", "ab"];
        assert_eq!(find(&lines, "ab", (0, 0)), Some((0, 0, 2)));
        assert_eq!(
            find(&lines, "ab", (0, 1)),
            Some((1, 1, 3)),
            "case-insensitive"
        );
        assert_eq!(find(&lines, "ab", (2, 1)), Some((0, 0, 2)), "wraps");
        assert_eq!(find(&lines, "zz", (0, 0)), None);
        assert_eq!(find(&lines, "", (0, 0)), None);
        assert_eq!(find(&["é x É"], "é", (0, 1)), Some((0, 5, 7)));
        assert_eq!(
            find(&["ab", "cd"], "b", (0, 2)),
            Some((0, 1, 2)),
            "wraps to the same line"
        );
    }
}
