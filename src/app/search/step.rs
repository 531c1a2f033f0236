//! Searching from the app: the prompt's query, moving to the next or previous match in the
//! focused pane (an editor selects it, another pane scrolls to it), the status that says where
//! it is, and the marks the view draws.

use std::borrow::Cow;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{
    MAX_COUNTED, Mark, Matcher, SearchHit, check, find_prev_with, find_with, match_number,
    matches_in_line,
};
use crate::app::editor::Editor;
use crate::app::view_model::body::StyledText;
use crate::app::view_model::wrap::word_rows;
use crate::app::{App, Effect, Mode, Overlay, Pane, StatusKind};

impl App {
    /// A key while the search prompt is open: edit the query.
    pub(in crate::app) fn search_input(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            // Ctrl-u clears the query, as in a shell.
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.search.set("");
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.search.edit(|q| q.push(c));
            }
            KeyCode::Backspace => {
                self.search.edit(|q| {
                    q.pop();
                });
            }
            _ => return Vec::new(),
        }
        self.mark_query();
        Vec::new()
    }

    /// Open the prompt with an empty query (typing is a new query, not added to the old).
    pub(in crate::app) fn open_search(&mut self) {
        self.search.set("");
        self.overlay = Some(Overlay::Search);
        self.mark_query();
    }

    /// Start typing a new query in the open search (the settings editor's too).
    pub(in crate::app) fn restart_search(&mut self) {
        self.search.set("");
        self.mark_query();
    }

    /// The search ends (Esc, or a key that does something else): the prompt closes, the
    /// marks go, and no editor is left with a selection a key would replace.
    pub(in crate::app) fn end_search(&mut self) {
        self.search.end();
        if matches!(self.overlay, Some(Overlay::Search)) {
            self.overlay = None;
        }
        self.template_editor.clear_search();
        self.request_editor.clear_search();
        if let Some(Overlay::Settings(edit)) = &mut self.overlay {
            edit.editor_mut().clear_search();
        }
    }

    /// The editor the open search goes through: the settings editor's text, the Template
    /// pane, or the Request pane while it is edited (`None`: a pane that shows text).
    fn searched_editor(&mut self) -> Option<&mut Editor> {
        match &mut self.overlay {
            Some(Overlay::Settings(edit)) => Some(edit.editor_mut()),
            Some(Overlay::Search) => match self.chrome.focus {
                Pane::Template => Some(&mut self.template_editor),
                Pane::Request if self.chrome.mode == Mode::Editing => {
                    Some(&mut self.request_editor)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The query changed: the searched editor marks its matches as it is typed.
    fn mark_query(&mut self) {
        let query = self.search.query.clone();
        if let Some(editor) = self.searched_editor() {
            editor.set_search(&query);
        }
    }

    /// The text a read-only pane shows, as the search sees it (`None`: the pane shows no
    /// text now, or is an editor).
    pub fn pane_text(&self, pane: Pane) -> Option<Cow<'_, StyledText>> {
        match pane {
            Pane::Request => Some(Cow::Borrowed(&self.request_view)),
            Pane::Integration => Some(Cow::Owned(self.integration_text())),
            Pane::Rendered => {
                let out = self.preview.rendered.as_ref()?.result.as_ref().ok()?;
                let raw = self.rendered_raw()
                    || (matches!(
                        out.json,
                        crate::app::view_model::body::JsonStatus::Invalid { .. }
                    ) && !self.rendered_against_failed_call());
                Some(Cow::Borrowed(if raw { out.raw() } else { &out.view }))
            }
            Pane::Backend => self.backend_text(),
            Pane::Response => self.trace().map(|t| Cow::Borrowed(&t.response)),
            Pane::Log => self.trace().map(|t| Cow::Borrowed(&t.log)),
            Pane::Template => None,
        }
    }

    /// The matches to mark on line `row` (its text `line`) of `pane`: all of them while the
    /// search prompt is open over that pane, none otherwise.
    pub fn search_marks(&self, pane: Pane, row: usize, line: &str) -> Vec<Mark> {
        if !matches!(self.overlay, Some(Overlay::Search)) || self.chrome.focus != pane {
            return Vec::new();
        }
        let Some(matcher) = &self.search.matcher else {
            return Vec::new();
        };
        let hit = self.search.hit.filter(|h| h.pane == pane && h.row == row);
        matches_in_line(matcher, line)
            .take(1000)
            .map(|(start, end)| Mark {
                start,
                end,
                current: hit.is_some_and(|h| h.start == start),
            })
            .collect()
    }

    /// Move to the next (or previous) match in the focused pane and say where it is, or that
    /// there is none.
    pub(in crate::app) fn search_step(&mut self, forward: bool) -> Vec<Effect> {
        let query = self.search.query.clone();
        if let Some(why) = check(&query) {
            self.set_status(StatusKind::Error, why);
            return Vec::new();
        }
        if query.is_empty() {
            self.set_status(StatusKind::Info, "Type what to find");
            return Vec::new();
        }
        let found = match self.chrome.focus {
            Pane::Template => editor_step(&mut self.template_editor, &query, forward),
            Pane::Request if self.chrome.mode == Mode::Editing => {
                editor_step(&mut self.request_editor, &query, forward)
            }
            pane => self.search_pane(pane, forward),
        };
        self.say_found(&query, found);
        self.highlight_if_needed().into_iter().collect()
    }

    /// The status after a search: where the match is and which of how many, or "no match".
    /// A match found moves the search from typing its query to moving between matches.
    pub(in crate::app) fn say_found(&mut self, query: &str, found: Option<Found>) {
        self.search.found = found.as_ref().map(|f| (f.number, f.total));
        match found {
            Some(f) => self.set_status(
                StatusKind::Info,
                // Which match first: on a narrow screen the end of the line is cut.
                format!(
                    "match {} of {}{}: \"{query}\" at line {}, column {}",
                    f.number,
                    f.total,
                    if f.total >= MAX_COUNTED { "+" } else { "" },
                    f.row + 1,
                    f.col + 1,
                ),
            ),
            None => self.set_status(StatusKind::Error, format!("no match for \"{query}\"")),
        }
    }

    /// Search a read-only pane from its last match (else from the top of its view), and
    /// scroll the match into view.
    fn search_pane(&mut self, pane: Pane, forward: bool) -> Option<Found> {
        let matcher = self.search.matcher.as_ref()?;
        let top = self.top_line(pane);
        let text = self.pane_text(pane)?;
        let lines: Vec<&str> = text.lines_from(0).map(|l| l.text).collect();
        let last = self.search.hit.filter(|h| h.pane == pane);
        let (row, start, end) = if forward {
            let from = last.map_or((top, 0), |h| (h.row, h.end));
            find_with(matcher, &lines, from)?
        } else {
            let before = last.map_or((top, 0), |h| (h.row, h.start));
            find_prev_with(matcher, &lines, before)?
        };
        let (number, total) = match_number(matcher, &lines, (row, start));
        let col = lines[row][..start].chars().count();
        drop(text);
        self.search.hit = Some(SearchHit {
            pane,
            row,
            start,
            end,
        });
        self.scroll_to_match(pane, row, start, end);
        Some(Found {
            row,
            col,
            number,
            total,
        })
    }

    /// The first line a read-only pane shows.
    fn top_line(&self, pane: Pane) -> usize {
        let scroll = self.scroll(pane);
        if pane != Pane::Integration {
            return scroll;
        }
        let width = self.integration_width();
        let mut rows = 0;
        let text = self.integration_text();
        for (i, l) in text.lines_from(0).enumerate() {
            rows += word_rows(l.text, width).len();
            if rows > scroll {
                return i;
            }
        }
        0
    }

    /// The width the Integration pane's text was last drawn at (80 before any frame).
    fn integration_width(&self) -> usize {
        self.chrome
            .areas
            .pane(Pane::Integration)
            .map_or(80, |a| usize::from(a.rect.width.saturating_sub(2)).max(1))
    }

    /// Scroll `pane` so that the match at line `row`, bytes `start..end` is in view: the line
    /// at the top (the Integration pane, which scrolls by rows, to the row holding the match;
    /// a pane that does not wrap, sideways too).
    fn scroll_to_match(&mut self, pane: Pane, row: usize, start: usize, end: usize) {
        if !self.wraps(pane) {
            let columns = self.pane_text(pane).map(|text| {
                let line = text.line(row).text;
                let width = |s: &str| {
                    s.chars()
                        .map(crate::app::view_model::wrap::char_width)
                        .sum::<usize>()
                };
                let a = width(line.get(..start).unwrap_or(""));
                (a, a + width(line.get(start..end).unwrap_or("")))
            });
            if let Some((a, b)) = columns {
                self.reveal_columns(pane, a, b);
            }
        }
        let target = if pane == Pane::Integration {
            let width = self.integration_width();
            let text = self.integration_text();
            let before: usize = text
                .lines_from(0)
                .take(row)
                .map(|l| word_rows(l.text, width).len())
                .sum();
            let within = word_rows(text.line(row).text, width)
                .iter()
                .position(|r| start < r.end)
                .unwrap_or(0);
            // Bounded so the last page stays full (as the view bounds it).
            let height = self
                .chrome
                .areas
                .pane(pane)
                .map_or(1, |a| usize::from(a.rect.height.saturating_sub(2)).max(1));
            let total: usize = text
                .lines_from(0)
                .map(|l| word_rows(l.text, width).len())
                .sum();
            (before + within).min(total.saturating_sub(height))
        } else if pane == Pane::Rendered {
            // The exact bytes of a body that is not JSON show a caret line under the line of
            // the error: the lines after it are one further down.
            let caret = self
                .preview
                .rendered
                .as_ref()
                .and_then(|r| r.result.as_ref().ok())
                .and_then(|o| match o.json {
                    crate::app::view_model::body::JsonStatus::Invalid { line, .. } => Some(line),
                    _ => None,
                })
                .filter(|_| !self.rendered_against_failed_call());
            row + usize::from(caret.is_some_and(|line| row >= line))
        } else {
            row
        };
        self.chrome.scroll[pane.index()] = target;
    }
}

/// Where a search found its match: line and character column (0-based), and which match of
/// how many.
pub struct Found {
    row: usize,
    col: usize,
    number: usize,
    total: usize,
}

/// Select the next (or previous) match in an editor.
pub fn editor_step(
    editor: &mut crate::app::editor::Editor,
    query: &str,
    forward: bool,
) -> Option<Found> {
    let (row, col) = if forward {
        editor.go_to_next_match(query)?
    } else {
        editor.go_to_prev_match(query)?
    };
    let matcher = Matcher::new(query).ok().flatten()?;
    let lines = editor.lines();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let byte = lines
        .get(row)
        .and_then(|l| l.char_indices().nth(col).map(|(i, _)| i))
        .unwrap_or(0);
    let (number, total) = match_number(&matcher, &lines, (row, byte));
    Some(Found {
        row,
        col,
        number,
        total,
    })
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyCode;
    use ratatui::layout::Rect;

    use crate::app::test_support::{app, ctrl, drawn, key, typed};
    use crate::app::{Overlay, Pane, StatusKind};

    fn status(a: &crate::app::App) -> String {
        a.status().map(|s| s.text.clone()).unwrap_or_default()
    }

    #[test]
    fn the_integration_pane_is_searched_and_scrolled_to_the_match_by_rows() {
        let mut a = app();
        // A small pane: 40 columns, 6 rows of text.
        drawn(&mut a, &[(Pane::Integration, Rect::new(0, 0, 42, 8))]);
        a.chrome.focus = Pane::Integration;
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "LISTEN");
        key(&mut a, KeyCode::Enter);
        assert_eq!(a.overlay(), Some(&Overlay::Search), "the prompt stays open");
        assert!(status(&a).contains("match 1 of 1:"), "{}", status(&a));
        let hit = a.search.hit().expect("a match");
        assert_eq!(hit.pane, Pane::Integration);
        // The pane scrolled by rows to the row holding the match: the first shown row is
        // that line's first row (it fits in one row).
        let text = a.integration_text();
        let rows_before: usize = text
            .lines_from(0)
            .take(hit.row)
            .map(|l| crate::app::view_model::wrap::word_rows(l.text, 40).len())
            .sum();
        assert!(rows_before > 6, "the match is below the first page");
        let total: usize = text
            .lines_from(0)
            .map(|l| crate::app::view_model::wrap::word_rows(l.text, 40).len())
            .sum();
        assert_eq!(a.scroll(Pane::Integration), rows_before.min(total - 6));
        // The match is marked, as the current one.
        let line = text.line(hit.row).text;
        let marks = a.search_marks(Pane::Integration, hit.row, line);
        assert_eq!(marks.len(), 1);
        assert!(marks[0].current);
        assert_eq!(&line[marks[0].start..marks[0].end], "listen");
        // Closed, nothing is marked any more; the pane stays where the match is.
        key(&mut a, KeyCode::Esc);
        assert!(a.search_marks(Pane::Integration, hit.row, line).is_empty());
        assert_eq!(a.scroll(Pane::Integration), rows_before.min(total - 6));
    }

    #[test]
    fn matches_are_visited_forward_and_back_wrapping_around() {
        let mut a = app();
        drawn(&mut a, &[(Pane::Integration, Rect::new(0, 0, 62, 20))]);
        a.chrome.focus = Pane::Integration;
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "template");
        key(&mut a, KeyCode::Enter);
        let first = status(&a);
        assert!(first.contains("match 1 of "), "{first}");
        let total: usize = first
            .strip_prefix("match 1 of ")
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse().ok())
            .unwrap();
        assert!(total >= 3, "{first}");
        key(&mut a, KeyCode::Enter);
        assert!(status(&a).contains("match 2 of "), "{}", status(&a));
        ctrl(&mut a, 'p');
        assert!(status(&a).contains("match 1 of "), "{}", status(&a));
        ctrl(&mut a, 'p');
        assert!(
            status(&a).starts_with(&format!("match {total} of {total}:")),
            "back from the first wraps to the last: {}",
            status(&a)
        );
        ctrl(&mut a, 'n');
        assert!(status(&a).contains("match 1 of "), "{}", status(&a));
        // Every match on a shown line is marked, the current one apart.
        let hit = a.search.hit().unwrap();
        let text = a.integration_text();
        let all: usize = (0..text.len())
            .map(|i| {
                a.search_marks(Pane::Integration, i, text.line(i).text)
                    .len()
            })
            .sum();
        assert_eq!(all, total);
        let current: Vec<_> = (0..text.len())
            .flat_map(|i| a.search_marks(Pane::Integration, i, text.line(i).text))
            .filter(|m| m.current)
            .collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].start, hit.start);
    }

    #[test]
    fn no_match_says_so_and_a_bad_expression_says_why() {
        let mut a = app();
        for pane in [Pane::Integration, Pane::Request, Pane::Log, Pane::Backend] {
            a.chrome.focus = pane;
            key(&mut a, KeyCode::Char('/'));
            typed(&mut a, "zzz-nothing");
            key(&mut a, KeyCode::Enter);
            assert_eq!(a.status().unwrap().kind, StatusKind::Error);
            assert_eq!(status(&a), "no match for \"zzz-nothing\"", "{pane:?}");
            key(&mut a, KeyCode::Esc);
        }
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "~(");
        key(&mut a, KeyCode::Enter);
        assert!(status(&a).starts_with("not a regular expression"));
        // An empty query asks for one.
        key(&mut a, KeyCode::Esc);
        key(&mut a, KeyCode::Char('/'));
        key(&mut a, KeyCode::Enter);
        assert_eq!(status(&a), "Type what to find");
    }

    /// The template editor's marks, line by line: (row, byte start, whether current).
    fn editor_marks(a: &crate::app::App) -> Vec<(usize, usize, bool)> {
        let e = a.template_editor();
        (0..e.lines().len())
            .flat_map(|row| {
                e.search_marks(row)
                    .into_iter()
                    .map(move |(s, _, current)| (row, s, current))
            })
            .collect()
    }

    #[test]
    fn every_match_is_marked_and_n_and_shift_n_move_between_them() {
        let mut a = app();
        let text = a.template_editor().text();
        let all: Vec<(usize, usize)> = text
            .lines()
            .enumerate()
            .filter_map(|(i, l)| l.to_lowercase().find("statuscode").map(|s| (i, s)))
            .collect();
        assert!(all.len() >= 2, "{text}");
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "statuscode");
        // Marked while typed, none current yet; n still types.
        assert_eq!(
            editor_marks(&a),
            all.iter().map(|&(r, s)| (r, s, false)).collect::<Vec<_>>()
        );
        assert_eq!(a.search_found(), None);
        key(&mut a, KeyCode::Enter);
        let n = all.len();
        assert_eq!(a.search_found(), Some((1, n)));
        assert_eq!(
            editor_marks(&a).iter().filter(|m| m.2).count(),
            1,
            "one current match"
        );
        assert_eq!(
            editor_marks(&a).iter().find(|m| m.2).map(|m| (m.0, m.1)),
            Some(all[0])
        );
        assert_eq!(a.template_editor().cursor(), all[0], "the cursor is on it");
        key(&mut a, KeyCode::Char('n'));
        assert_eq!(a.search_found(), Some((2, n)));
        assert_eq!(a.search_query(), "statuscode", "n moved, it was not typed");
        assert_eq!(
            editor_marks(&a).iter().find(|m| m.2).map(|m| (m.0, m.1)),
            Some(all[1])
        );
        key(&mut a, KeyCode::Char('N'));
        assert_eq!(a.search_found(), Some((1, n)));
        key(&mut a, KeyCode::Char('N'));
        assert_eq!(a.search_found(), Some((n, n)), "wraps back");
        assert!(status(&a).starts_with(&format!("match {n} of {n}:")));
        // Esc ends it: no marks, nothing current, nothing selected.
        key(&mut a, KeyCode::Esc);
        assert_eq!(a.overlay(), None);
        assert_eq!(a.search_found(), None);
        assert!(editor_marks(&a).is_empty());
        key(&mut a, KeyCode::Char('i'));
        typed(&mut a, "Q");
        assert_eq!(a.template_editor().text().replacen('Q', "", 1), text);
    }

    #[test]
    fn another_key_ends_the_search_then_does_its_own_thing() {
        let mut a = app();
        drawn(&mut a, &[(Pane::Integration, Rect::new(0, 0, 42, 8))]);
        a.chrome.focus = Pane::Integration;
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "template");
        key(&mut a, KeyCode::Enter);
        let hit = a.search.hit().unwrap();
        let line = a.integration_text().line(hit.row).text.to_string();
        assert!(!a.search_marks(Pane::Integration, hit.row, &line).is_empty());
        // Scrolling keeps the search and its marks.
        key(&mut a, KeyCode::Char('j'));
        assert_eq!(a.overlay(), Some(&Overlay::Search));
        assert!(!a.search_marks(Pane::Integration, hit.row, &line).is_empty());
        // z zooms: the search ends first.
        key(&mut a, KeyCode::Char('z'));
        assert!(a.zoomed());
        assert_eq!(a.overlay(), None);
        assert!(a.search_marks(Pane::Integration, hit.row, &line).is_empty());
        // In the editor, a letter after a search is typed where the match is, replacing
        // nothing (the editing key first leaves the search).
        let mut a = app();
        let text = a.template_editor().text();
        key(&mut a, KeyCode::Char('i'));
        ctrl(&mut a, 'f');
        typed(&mut a, "statusCode");
        key(&mut a, KeyCode::Enter);
        assert_eq!(a.search_found().map(|f| f.0), Some(1));
        typed(&mut a, "X");
        assert_eq!(a.overlay(), None);
        assert_eq!(a.mode(), crate::app::Mode::Editing);
        let after = a.template_editor().text();
        assert_eq!(after.replacen('X', "", 1), text);
        assert!(after.contains("XstatusCode"), "{after}");
        assert!(editor_marks(&a).is_empty());
    }

    #[test]
    fn without_a_match_the_query_is_still_typed() {
        let mut a = app();
        a.chrome.focus = Pane::Log;
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "zz");
        key(&mut a, KeyCode::Enter);
        assert_eq!(a.search_found(), None);
        typed(&mut a, "n");
        assert_eq!(a.search_query(), "zzn", "n goes to the query");
        // `/` while moving between matches starts a new query.
        a.chrome.focus = Pane::Template;
        key(&mut a, KeyCode::Esc);
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "status");
        key(&mut a, KeyCode::Enter);
        assert!(a.search_found().is_some());
        key(&mut a, KeyCode::Char('/'));
        assert_eq!(a.search_query(), "");
        assert_eq!(a.search_found(), None);
        assert!(editor_marks(&a).is_empty());
    }

    #[test]
    fn the_request_pane_and_the_template_editor_go_back_too() {
        let mut a = app();
        a.chrome.focus = Pane::Request;
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "e");
        key(&mut a, KeyCode::Enter);
        key(&mut a, KeyCode::Enter);
        let second = a.search.hit().unwrap();
        ctrl(&mut a, 'p');
        let first = a.search.hit().unwrap();
        assert!((first.row, first.start) < (second.row, second.start));
        key(&mut a, KeyCode::Esc);
        // The template editor selects its matches, forward and back.
        a.chrome.focus = Pane::Template;
        key(&mut a, KeyCode::Char('/'));
        typed(&mut a, "statusCode");
        key(&mut a, KeyCode::Enter);
        let one = a.template_editor().cursor();
        key(&mut a, KeyCode::Enter);
        let two = a.template_editor().cursor();
        assert_ne!(one, two);
        ctrl(&mut a, 'p');
        assert_eq!(a.template_editor().cursor(), one);
        assert!(status(&a).contains("match 1 of "), "{}", status(&a));
    }
}
