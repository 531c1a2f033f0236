//! Search in an editor: the cursor goes to a match (nothing is selected, so no key can
//! replace it), and every match of the query is marked, the current one apart, while the
//! search is open.

use tui_textarea::CursorMove;

use super::{Editor, char_to_byte};
use crate::app::search::{Finder, find, find_prev};

/// The search marked in an editor: what it finds, and the current match (row, byte range).
#[derive(Clone, Debug)]
pub(super) struct EditorSearch {
    query: String,
    pub(super) finder: Finder,
    pub(super) current: Option<(usize, usize, usize)>,
}

impl Editor {
    /// Move the cursor to the next match of `query` after the current one (else from the
    /// cursor), case-insensitive and wrapping, mark every match with it as the current one,
    /// and return its (row, char column). Nothing is selected: no key can replace a match.
    pub fn go_to_next_match(&mut self, query: &str) -> Option<(usize, usize)> {
        self.step_match(query, true)
    }

    /// Move the cursor to the match of `query` before the current one (else before the
    /// cursor), wrapping; as [`Editor::go_to_next_match`].
    pub fn go_to_prev_match(&mut self, query: &str) -> Option<(usize, usize)> {
        self.step_match(query, false)
    }

    /// The match after (`forward`) or before the current one, else the cursor.
    fn step_match(&mut self, query: &str, forward: bool) -> Option<(usize, usize)> {
        let current = self.current_match(query);
        let found = {
            let lines = self.lines();
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let from = match current {
                Some((row, start, end)) => (row, if forward { end } else { start }),
                None => {
                    let (row, col) = self.cursor();
                    (row, char_to_byte(&lines, row, col))
                }
            };
            if forward {
                find(&lines, query, from)
            } else {
                find_prev(&lines, query, from)
            }
        }?;
        Some(self.go_to_match(query, found))
    }

    /// The current match of the search for `query`, while its cursor is still on it.
    fn current_match(&self, query: &str) -> Option<(usize, usize, usize)> {
        let search = self.search.as_ref()?;
        let (row, start, end) = search.current?;
        let lines = self.lines();
        let line = lines.get(row)?;
        let on_it = line.get(..start).map(|l| l.chars().count()) == Some(self.cursor().1)
            && row == self.cursor().0;
        (on_it && search.finder.in_line(line).any(|m| m == (start, end)) && self.query_is(query))
            .then_some((row, start, end))
    }

    fn query_is(&self, query: &str) -> bool {
        self.search.as_ref().is_some_and(|s| s.query == query)
    }

    /// Put the cursor at the start of the match (row, byte start, byte end), the current one
    /// of the search for `query`; its (row, char column).
    fn go_to_match(
        &mut self,
        query: &str,
        (row, start, end): (usize, usize, usize),
    ) -> (usize, usize) {
        let to_u16 = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
        let col = self
            .lines()
            .get(row)
            .map_or(0, |l| l[..start].chars().count());
        self.break_group();
        self.area.get_mut().cancel_selection();
        self.area
            .get_mut()
            .move_cursor(CursorMove::Jump(to_u16(row), to_u16(col)));
        self.search = Finder::new(query).map(|finder| EditorSearch {
            query: query.to_string(),
            finder,
            current: Some((row, start, end)),
        });
        self.maybe_move_window();
        self.apply_highlights();
        (row, col)
    }

    /// Mark every match of `query` (no current one yet); an empty query clears the marks.
    pub fn set_search(&mut self, query: &str) {
        self.search = Finder::new(query).map(|finder| EditorSearch {
            query: query.to_string(),
            finder,
            current: None,
        });
        self.apply_highlights();
    }

    /// The search ended: no marks, and no selection left behind.
    pub fn clear_search(&mut self) {
        self.area.get_mut().cancel_selection();
        if self.search.take().is_some() {
            self.apply_highlights();
        }
    }

    /// The search matches marked on line `row`, as (byte start, byte end, whether current).
    pub fn search_marks(&self, row: usize) -> Vec<(usize, usize, bool)> {
        let Some(search) = &self.search else {
            return Vec::new();
        };
        let lines = self.lines();
        let Some(line) = lines.get(row) else {
            return Vec::new();
        };
        search
            .finder
            .in_line(line)
            .map(|(s, e)| (s, e, search.current == Some((row, s, e))))
            .collect()
    }
}
