//! Search in the focused pane, whichever it is: plain text, case-insensitive, from the cursor
//! (editors) or from the last match, else the top of the view (the other panes), forward or
//! back, wrapping around. A query that starts with `~` is a regular expression (Java/Perl
//! syntax, case-insensitive), since template text is full of `$`, `.` and parentheses that
//! plain text should find as they are.
//!
//! Every match is marked while the search is open, the current one apart: the editors
//! (Template, Request while editing, the settings editor) mark them in their text and put the
//! cursor on the current one (nothing is selected, so no key can replace a match); the other
//! panes (Request, Integration, Rendered, Backend, Client response, Log) search the very text
//! they show ([`App::pane_text`]), scroll the match into view and mark it
//! ([`App::search_marks`]).
//!
//! The search has two steps: typing the query, then, once a match is found, moving between
//! matches (`n`/`N`, `Enter`; [`crate::app::keymap::Layer::Matches`]) with the count in the
//! prompt (`3/17`). `Esc` ends it, and so does any other key, which then does what it does
//! outside the search: the marks go, and no selection is left behind.

mod step;

pub use step::editor_step;

use crate::app::Pane;

/// At most this many matches are counted for "match i of N" (and marked on one line).
const MAX_COUNTED: usize = 100_000;

/// What a query looks for.
#[derive(Clone, Debug)]
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

/// A query made ready to find its matches line by line (the editors mark them with it).
#[derive(Clone, Debug)]
pub struct Finder(Matcher);

impl Finder {
    /// The finder of `query`; `None` when it finds nothing (empty, or not a regular
    /// expression).
    pub fn new(query: &str) -> Option<Finder> {
        Matcher::new(query).ok().flatten().map(Finder)
    }

    /// The matches in `line` as byte ranges, left to right, at most 1000.
    pub fn in_line<'a>(&'a self, line: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
        matches_in_line(&self.0, line).take(1000)
    }
}

/// The last match of `query` in `lines` that starts before (row, byte col), wrapping around,
/// as (row, byte start, byte end).
pub fn find_prev(
    lines: &[&str],
    query: &str,
    before: (usize, usize),
) -> Option<(usize, usize, usize)> {
    let matcher = Matcher::new(query).ok().flatten()?;
    find_prev_with(&matcher, lines, before)
}

fn find_prev_with(
    matcher: &Matcher,
    lines: &[&str],
    before: (usize, usize),
) -> Option<(usize, usize, usize)> {
    if lines.is_empty() {
        return None;
    }
    let n = lines.len();
    let first = before.0.min(n - 1);
    // One extra step covers the end of the first line, after `before`.
    for step in 0..=n {
        let row = (first + n * 2 - step) % n;
        let limit = if step == 0 { before.1 } else { usize::MAX };
        let last = matches_in_line(matcher, lines[row])
            .take_while(|(s, _)| *s < limit)
            .last();
        if let Some((s, e)) = last {
            return Some((row, s, e));
        }
    }
    None
}

/// The matches of `matcher` in one line, left to right, not overlapping.
fn matches_in_line<'a>(
    matcher: &'a Matcher,
    line: &'a str,
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut at = 0;
    std::iter::from_fn(move || {
        let (s, e) = matcher.find_in_line(line, at)?;
        at = e;
        Some((s, e))
    })
    .take(MAX_COUNTED)
}

/// Which match (1-based) starts at (row, byte start), and how many there are in `lines` (both
/// counted up to [`MAX_COUNTED`]).
fn match_number(matcher: &Matcher, lines: &[&str], at: (usize, usize)) -> (usize, usize) {
    let mut before = 0;
    let mut total = 0;
    for (row, line) in lines.iter().enumerate() {
        for (s, _) in matches_in_line(matcher, line) {
            total += 1;
            if (row, s) < at {
                before += 1;
            }
            if total >= MAX_COUNTED {
                return (before + 1, total);
            }
        }
    }
    (before + 1, total)
}

/// A match of the search marked in a pane's line: its byte range, and whether it is the
/// current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Start (byte offset in the line).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Whether it is the match the last search moved to.
    pub current: bool,
}

/// Where the last search in a read-only pane found its match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchHit {
    /// The pane.
    pub pane: Pane,
    /// The line.
    pub row: usize,
    /// Start (byte offset in the line).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
}

/// The search: the query (kept after the prompt closes, for the next search), what it
/// matches, where the last search found it, and which match of how many that is.
#[derive(Debug, Default)]
pub struct SearchState {
    query: String,
    /// The matcher of `query` (`None`: empty or not a regular expression), kept in step.
    matcher: Option<Matcher>,
    hit: Option<SearchHit>,
    /// The current match's number and the number of matches, once the query found one: the
    /// search is then moving between matches rather than typing its query.
    found: Option<(usize, usize)>,
}

impl SearchState {
    /// The query.
    pub fn query(&self) -> &str {
        &self.query
    }

    /// Where the last search found its match.
    pub fn hit(&self) -> Option<SearchHit> {
        self.hit
    }

    /// The current match's number and how many there are (`3/17`), once the query found a
    /// match; `None` while the query is typed.
    pub fn found(&self) -> Option<(usize, usize)> {
        self.found
    }

    /// Whether the search moves between matches (the query found one) rather than typing.
    pub fn browsing(&self) -> bool {
        self.found.is_some()
    }

    /// Replace the query (a new query starts from the view again, typing).
    pub fn set(&mut self, query: impl Into<String>) {
        self.query = query.into();
        self.matcher = Matcher::new(&self.query).ok().flatten();
        self.hit = None;
        self.found = None;
    }

    /// The search ended: the query stays for the next one, nothing is current.
    pub fn end(&mut self) {
        self.hit = None;
        self.found = None;
    }

    fn edit(&mut self, f: impl FnOnce(&mut String)) {
        let mut q = std::mem::take(&mut self.query);
        f(&mut q);
        self.set(q);
    }
}

/// The first match of `query` in `lines` at or after (row, byte col), wrapping around, as
/// (row, byte start, byte end). Case-insensitive; `~` starts a regular expression (an invalid
/// one matches nothing: see [`check`]).
pub fn find(lines: &[&str], query: &str, from: (usize, usize)) -> Option<(usize, usize, usize)> {
    let matcher = Matcher::new(query).ok().flatten()?;
    find_with(&matcher, lines, from)
}

fn find_with(
    matcher: &Matcher,
    lines: &[&str],
    from: (usize, usize),
) -> Option<(usize, usize, usize)> {
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
    fn finds_backward_and_wraps() {
        let lines = ["abc", "xAbx ab", "ab"];
        assert_eq!(find_prev(&lines, "ab", (1, 5)), Some((1, 1, 3)));
        assert_eq!(find_prev(&lines, "ab", (1, 1)), Some((0, 0, 2)));
        assert_eq!(find_prev(&lines, "ab", (0, 0)), Some((2, 0, 2)), "wraps");
        assert_eq!(find_prev(&lines, "ab", (2, 0)), Some((1, 5, 7)));
        assert_eq!(
            find_prev(&["ab cd ab"], "ab", (0, 0)),
            Some((0, 6, 8)),
            "wraps to the same line's end"
        );
        assert_eq!(find_prev(&lines, "zz", (1, 1)), None);
        assert_eq!(find_prev(&[], "ab", (0, 0)), None);
        assert_eq!(find_prev(&lines, "~\\w+", (1, 0)), Some((0, 0, 3)));
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
