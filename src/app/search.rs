//! Search in the focused pane: plain text, case-insensitive, forward from the cursor (editors)
//! or from the top of the view (read-only panes), wrapping around. A query that starts with
//! `~` is a regular expression (Java/Perl syntax, case-insensitive), since template text is
//! full of `$`, `.` and parentheses that plain text should find as they are.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::view_model::body::StyledText;
use crate::app::{App, Effect, Pane, StatusKind};

/// What a query looks for.
enum Matcher {
    /// Plain text, lowercased.
    Text(Vec<char>),
    /// A regular expression.
    Regex(fancy_regex::Regex),
}

impl Matcher {
    /// The matcher of a query (`~` starts a regular expression); `Err`: why the expression
    /// is not one.
    fn new(query: &str) -> Result<Option<Matcher>, String> {
        if let Some(re) = query.strip_prefix('~') {
            if re.is_empty() {
                return Ok(None);
            }
            return fancy_regex::Regex::new(&format!("(?i){re}"))
                .map(|r| Some(Matcher::Regex(r)))
                .map_err(|e| format!("not a regular expression: {e}"));
        }
        let needle: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
        Ok((!needle.is_empty()).then_some(Matcher::Text(needle)))
    }

    fn find_in_line(&self, line: &str, from: usize) -> Option<(usize, usize)> {
        match self {
            Matcher::Text(needle) => find_in_line(line, needle, from),
            Matcher::Regex(re) => {
                // An empty match would not move the search on: look for a longer one.
                let mut at = from;
                while at <= line.len() {
                    let m = re.find_from_pos(line, at).ok().flatten()?;
                    if m.end() > m.start() {
                        return Some((m.start(), m.end()));
                    }
                    at = line[m.start()..]
                        .chars()
                        .next()
                        .map_or(line.len() + 1, |c| m.start() + c.len_utf8());
                }
                None
            }
        }
    }
}

/// The first match of `query` in `lines` at or after (row, byte col), wrapping around, as
/// (row, byte start, byte end). Case-insensitive; `~` starts a regular expression (an invalid
/// one matches nothing: see [`check`]).
pub fn find(lines: &[&str], query: &str, from: (usize, usize)) -> Option<(usize, usize, usize)> {
    let matcher = Matcher::new(query).ok().flatten()?;
    if lines.is_empty() {
        return None;
    }
    let n = lines.len();
    // One extra step covers the start of the first line, before `from`.
    for step in 0..=n {
        let row = (from.0 + step) % n;
        let line = lines[row];
        let start = if step == 0 { from.1.min(line.len()) } else { 0 };
        if let Some((s, e)) = matcher.find_in_line(line, start) {
            return Some((row, s, e));
        }
    }
    None
}

/// Why a query cannot be searched for (an invalid regular expression), if it cannot.
pub fn check(query: &str) -> Option<String> {
    Matcher::new(query).err()
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
            // Ctrl-u clears the query, as in a shell.
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.search.clear();
            }
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
        if let Some(why) = check(&query) {
            self.set_status(StatusKind::Error, why);
            return Vec::new();
        }
        let found = match self.chrome.focus {
            Pane::Template => self.template_editor.select_next(&query),
            Pane::Request if self.chrome.mode == crate::app::Mode::Editing => {
                self.request_editor.select_next(&query)
            }
            pane => {
                let text: Option<&StyledText> = match pane {
                    Pane::Request => Some(&self.request_view),
                    Pane::Rendered => self
                        .preview
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
                    self.chrome.scroll[pane.index()] = row;
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
        // Template text is found as written.
        assert_eq!(
            find(&["#set($x = $input.path('$.a'))"], "$input.path('$", (0, 0)),
            Some((0, 10, 24))
        );
    }

    #[test]
    fn a_tilde_starts_a_regular_expression() {
        let lines = ["{\"id\": 12}", "#if($x == 3)"];
        assert_eq!(find(&lines, "~\\d+", (0, 0)), Some((0, 7, 9)));
        assert_eq!(
            find(&lines, "~#IF\\(", (0, 0)),
            Some((1, 0, 4)),
            "case-insensitive"
        );
        assert_eq!(find(&lines, "~\\d+", (0, 10)), Some((1, 10, 11)));
        // Matches of nothing are passed over.
        assert_eq!(find(&lines, "~x*", (0, 0)), Some((1, 5, 6)));
        assert_eq!(find(&lines, "~", (0, 0)), None);
        assert!(check("~(").unwrap().starts_with("not a regular expression"));
        assert_eq!(find(&lines, "~(", (0, 0)), None);
        assert_eq!(check("("), None, "plain text");
    }
}
