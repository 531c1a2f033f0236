//! The text editor used for templates and the request: a thin adapter over `tui-textarea-2`
//! (no other file imports it). It exposes text in and out, the cursor, the error marker,
//! highlight ranges computed elsewhere, and whether it is active (shows a cursor).

use std::ops::Range;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;
use tui_textarea::{CursorMove, Input, Key, TextArea};

use crate::ui::highlight::LineRanges;
use crate::ui::style::Theme;

/// Highlight ranges are applied to this many rows around the cursor: more than any screen
/// shows, few enough that drawing stays cheap for large templates.
const WINDOW_ROWS: usize = 200;

/// Priority of syntax colours among the textarea's own highlights (selection, cursor).
const SYNTAX_PRIORITY: u8 = 1;
/// The error marker wins over everything.
const ERROR_PRIORITY: u8 = 100;

/// Cursor and selection, to tell a move from nothing.
type CursorState = ((usize, usize), Option<((usize, usize), (usize, usize))>);

/// What a key did to the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditOutcome {
    /// The text changed.
    Changed,
    /// Only the cursor, selection or scroll changed.
    Moved,
}

/// A multi-line text editor with line numbers, undo/redo, selection, copy/paste (its own yank
/// buffer), syntax colours and an error marker.
pub struct Editor {
    area: TextArea<'static>,
    highlight: Vec<LineRanges>,
    window: Range<usize>,
    error: Option<(usize, usize)>,
    error_style: Style,
    active: bool,
}

impl std::fmt::Debug for Editor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Editor")
            .field("lines", &self.area.lines().len())
            .field("cursor", &self.area.cursor())
            .field("error", &self.error)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

fn lines_of(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

impl Editor {
    /// An editor holding `text`, styled by `theme`, with line numbers.
    pub fn new(text: &str, theme: &Theme) -> Editor {
        let mut e = Editor {
            area: TextArea::new(lines_of(text)),
            highlight: Vec::new(),
            window: 0..0,
            error: None,
            error_style: theme.error_marker(),
            active: false,
        };
        e.area.set_max_histories(1000);
        e.area.set_tab_length(2);
        e.set_theme(theme);
        e
    }

    /// Replace the whole text (a new document: history, highlight and marker are reset).
    pub fn set_text(&mut self, text: &str, theme: &Theme) {
        let active = self.active;
        *self = Editor::new(text, theme);
        self.set_active(active, theme);
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// The lines.
    pub fn lines(&self) -> &[String] {
        self.area.lines()
    }

    /// Cursor as (row, column in characters), 0-based.
    pub fn cursor(&self) -> (usize, usize) {
        self.area.cursor()
    }

    /// Whether the editor shows a cursor (it is being edited).
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// Apply a theme's editor styles.
    pub fn set_theme(&mut self, theme: &Theme) {
        self.area.set_line_number_style(theme.line_number());
        self.area.set_selection_style(theme.selection());
        self.area.set_style(theme.text());
        self.error_style = theme.error_marker();
        self.set_active(self.active, theme);
        // Syntax colours belong to the old theme; new ones come with the next highlight.
        self.highlight.clear();
        self.apply_highlights();
    }

    /// Show or hide the cursor.
    pub fn set_active(&mut self, active: bool, theme: &Theme) {
        self.active = active;
        if active {
            self.area.set_cursor_style(theme.cursor());
            self.area.set_cursor_line_style(theme.cursor_line());
        } else {
            self.area.set_cursor_style(Style::default());
            self.area.set_cursor_line_style(Style::default());
        }
    }

    /// Feed a key (the caller has already taken the keys the app binds). Besides the
    /// textarea's own (emacs-style) keys: ctrl+home/ctrl+end go to the top/bottom, alt+a
    /// selects everything and alt+c copies the selection (ctrl+c is force-quit).
    pub fn input(&mut self, key: KeyEvent) -> Option<EditOutcome> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Home if ctrl => {
                self.jump(true);
                Some(EditOutcome::Moved)
            }
            KeyCode::End if ctrl => {
                self.jump(false);
                Some(EditOutcome::Moved)
            }
            KeyCode::Char('a') if alt => {
                self.area.select_all();
                self.maybe_move_window();
                Some(EditOutcome::Moved)
            }
            KeyCode::Char('c') if alt => {
                self.area.copy();
                None
            }
            _ => self.input_raw(Input::from(key)),
        }
    }

    fn input_raw(&mut self, input: Input) -> Option<EditOutcome> {
        let before = (self.area.cursor(), self.area.selection_range());
        let changed = self.area.input(input);
        self.after_input(changed, before)
    }

    fn after_input(&mut self, changed: bool, before: CursorState) -> Option<EditOutcome> {
        if changed {
            // Stale marker positions would point at the wrong text; the next render result
            // sets a new one.
            self.error = None;
            self.apply_highlights();
            return Some(EditOutcome::Changed);
        }
        if (self.area.cursor(), self.area.selection_range()) != before {
            self.maybe_move_window();
            return Some(EditOutcome::Moved);
        }
        None
    }

    /// Insert pasted text at the cursor.
    pub fn paste(&mut self, text: &str) -> bool {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let changed = self.area.insert_str(text);
        if changed {
            self.error = None;
            self.apply_highlights();
        }
        changed
    }

    /// Undo the last edit.
    pub fn undo(&mut self) -> bool {
        let changed = self.area.undo();
        if changed {
            self.error = None;
            self.apply_highlights();
        }
        changed
    }

    /// Redo the last undone edit.
    pub fn redo(&mut self) -> bool {
        let changed = self.area.redo();
        if changed {
            self.error = None;
            self.apply_highlights();
        }
        changed
    }

    /// Scroll by `rows` (negative: up); the cursor stays inside the view.
    pub fn scroll(&mut self, rows: i16) {
        self.area.scroll((rows, 0));
        self.maybe_move_window();
    }

    /// Move the cursor to the start or the end of the text (a selection is dropped, not
    /// extended: the next key must not replace text the user did not choose).
    pub fn jump(&mut self, top: bool) {
        self.area.cancel_selection();
        if top {
            self.area.move_cursor(CursorMove::Top);
            self.area.move_cursor(CursorMove::Head);
        } else {
            self.area.move_cursor(CursorMove::Bottom);
            self.area.move_cursor(CursorMove::End);
        }
        self.maybe_move_window();
    }

    /// Drop the selection (a search match stays where the cursor is), so that typing inserts
    /// instead of replacing it.
    pub fn clear_selection(&mut self) {
        self.area.cancel_selection();
    }

    /// Page up or down.
    pub fn page(&mut self, down: bool) {
        let key = if down { Key::PageDown } else { Key::PageUp };
        let _ = self.input_raw(Input {
            key,
            ctrl: false,
            alt: false,
            shift: false,
        });
    }

    /// Select the next match of `query` from the cursor (case-insensitive, wrapping) and
    /// return its (row, char column).
    pub fn select_next(&mut self, query: &str) -> Option<(usize, usize)> {
        let (row, col) = self.cursor();
        let lines: Vec<&str> = self.area.lines().iter().map(String::as_str).collect();
        let byte = lines
            .get(row)
            .and_then(|l| l.char_indices().nth(col).map(|(i, _)| i))
            .unwrap_or_else(|| lines.get(row).map_or(0, |l| l.len()));
        let (r, s, e) = crate::app::search::find(&lines, query, (row, byte))?;
        let line = lines[r];
        let start_col = line[..s].chars().count();
        let end_col = start_col + line[s..e].chars().count();
        let to_u16 = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
        self.area.cancel_selection();
        self.area
            .move_cursor(CursorMove::Jump(to_u16(r), to_u16(start_col)));
        self.area.start_selection();
        self.area
            .move_cursor(CursorMove::Jump(to_u16(r), to_u16(end_col)));
        self.maybe_move_window();
        Some((r, start_col))
    }

    /// Mark an error at a 1-based line and character column (as `VtlError` reports them);
    /// `None` clears the marker.
    pub fn set_error(&mut self, at: Option<(u32, u32)>) {
        self.error = at.map(|(l, c)| ((l.max(1) - 1) as usize, (c.max(1) - 1) as usize));
        self.apply_highlights();
    }

    /// The marked error position, 0-based (row, char column).
    pub fn error(&self) -> Option<(usize, usize)> {
        self.error
    }

    /// Install syntax colours for the first `rows.len()` lines.
    pub fn set_highlight(&mut self, rows: Vec<LineRanges>) {
        self.highlight = rows;
        self.apply_highlights();
    }

    /// How many lines have syntax colours.
    pub fn highlighted_rows(&self) -> usize {
        self.highlight.len()
    }

    /// How far down the highlighter should go for the current cursor (the visible window
    /// plus a margin), capped at the line count.
    pub fn wanted_rows(&self, view_height: usize) -> usize {
        (self.cursor().0 + view_height + 20).min(self.lines().len())
    }

    fn desired_window(&self) -> Range<usize> {
        let row = self.cursor().0;
        row.saturating_sub(WINDOW_ROWS / 2)..row + WINDOW_ROWS
    }

    fn maybe_move_window(&mut self) {
        let row = self.cursor().0;
        let w = &self.window;
        let margin = WINDOW_ROWS / 4;
        let near_top = w.start > 0 && row < w.start + margin;
        let near_bottom = row + margin >= w.end;
        if near_top || near_bottom {
            self.apply_highlights();
        }
    }

    /// Re-install the custom highlights (syntax ranges near the cursor, and the error
    /// marker), keeping only ranges that are valid for the current text.
    fn apply_highlights(&mut self) {
        self.area.clear_custom_highlight();
        let window = self.desired_window();
        let lines = self.area.lines();
        let valid = |row: usize, r: &Range<usize>| {
            lines.get(row).is_some_and(|l| {
                r.start < r.end
                    && r.end <= l.len()
                    && l.is_char_boundary(r.start)
                    && l.is_char_boundary(r.end)
            })
        };
        let mut ranges = Vec::new();
        for row in window.clone() {
            let Some(line_ranges) = self.highlight.get(row) else {
                break;
            };
            for (r, style) in line_ranges {
                if valid(row, r) {
                    ranges.push(((row, r.start), (row, r.end), *style));
                }
            }
        }
        if let Some((row, col)) = self.error
            && let Some(line) = lines.get(row)
        {
            // Mark the character at the error, or the end of the line when it is past it.
            let start = line.char_indices().nth(col).map_or_else(
                || line.char_indices().last().map_or(0, |(i, _)| i),
                |(i, _)| i,
            );
            let end = line[start..]
                .chars()
                .next()
                .map_or(start, |c| start + c.len_utf8());
            if start < end {
                ranges.push(((row, start), (row, end), self.error_style));
            }
        }
        for (from, to, style) in ranges {
            let priority = if style == self.error_style {
                ERROR_PRIORITY
            } else {
                SYNTAX_PRIORITY
            };
            self.area.custom_highlight((from, to), style, priority);
        }
        self.window = window;
    }

    /// Draw into `area` of `buf`.
    pub fn render(&self, area: Rect, buf: &mut Buffer) {
        (&self.area).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Color;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn theme() -> Theme {
        Theme::default_dark(false)
    }

    #[test]
    fn typing_undo_redo() {
        let mut e = Editor::new("ab\ncd", &theme());
        assert_eq!(e.input(key(KeyCode::Char('x'))), Some(EditOutcome::Changed));
        assert_eq!(e.text(), "xab\ncd");
        assert_eq!(e.input(key(KeyCode::Down)), Some(EditOutcome::Moved));
        assert!(e.undo());
        assert_eq!(e.text(), "ab\ncd");
        assert!(e.redo());
        assert_eq!(e.text(), "xab\ncd");
        assert!(e.paste("1\r\n2"));
        assert_eq!(e.lines().len(), 3);
        // Copy a selection, paste it back with ctrl+y.
        e.input(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT));
        e.input(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::ALT));
        e.input(key(KeyCode::End));
        e.input(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
        assert_eq!(e.text(), "x1\n2ab\ncdx1\n2ab\ncd");
        e.undo();
        // Select all, then typing replaces everything.
        e.input(KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT));
        e.input(key(KeyCode::Char('z')));
        assert_eq!(e.text(), "z");
    }

    #[test]
    fn stale_ranges_are_ignored_and_the_marker_is_kept_in_bounds() {
        let mut e = Editor::new("é", &theme());
        let red = Style::default().fg(Color::Red);
        // Byte 1 is inside 'é': must not be applied (it would panic while drawing).
        e.set_highlight(vec![vec![(0..1, red)], vec![(0..5, red)]]);
        e.set_error(Some((1, 9)));
        assert_eq!(e.error(), Some((0, 8)));
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
        e.render(Rect::new(0, 0, 10, 2), &mut buf);
        // A change clears the marker.
        e.input(key(KeyCode::Char('z')));
        assert_eq!(e.error(), None);
    }

    #[test]
    fn wanted_rows_follow_the_cursor() {
        let text = (0..100)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n");
        let mut e = Editor::new(&text, &theme());
        assert_eq!(e.wanted_rows(10), 30);
        e.jump(false);
        assert_eq!(e.wanted_rows(10), 100);
    }
}
