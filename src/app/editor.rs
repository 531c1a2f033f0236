//! The state of the text editor used for templates, the request, curl commands and settings:
//! a thin adapter over `tui-textarea-2` (no other file imports it). It holds the text, cursor,
//! selection, undo history, the error marker, highlight ranges computed elsewhere, and whether
//! it is active (shows a cursor). It knows nothing of themes: `ui/widgets/editor.rs` draws it
//! with an [`EditorLook`] made from the current theme.
//!
//! The textarea keeps its styles inside itself, so drawing applies a new look lazily (only when
//! the theme changed since the last frame) through a `RefCell`, the way the textarea already
//! moves its own viewport while drawing. Nothing the model reads changes there.

use std::cell::{Cell, Ref, RefCell};
use std::ops::Range;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use tui_textarea::{CursorMove, Input, Key, TextArea};

use crate::app::view_model::LineRanges;

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

/// How an editor looks: the styles a theme gives it (made by the view when drawing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EditorLook {
    /// Ordinary text.
    pub text: Style,
    /// Line numbers.
    pub line_number: Style,
    /// The selection.
    pub selection: Style,
    /// The cursor (only while active).
    pub cursor: Style,
    /// The cursor's line (only while active).
    pub cursor_line: Style,
    /// The error marker.
    pub error_marker: Style,
}

/// A multi-line text editor with line numbers, undo/redo, selection, copy/paste (its own yank
/// buffer), syntax colours and an error marker.
pub struct Editor {
    area: RefCell<TextArea<'static>>,
    highlight: Vec<LineRanges>,
    window: Range<usize>,
    error: Option<(usize, usize)>,
    active: bool,
    /// The look the textarea was last styled with (`None`: never drawn).
    look: Cell<Option<EditorLook>>,
}

impl std::fmt::Debug for Editor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let area = self.area.borrow();
        f.debug_struct("Editor")
            .field("lines", &area.lines().len())
            .field("cursor", &area.cursor())
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

/// Style the textarea with `look` (the cursor shows only while `active`).
fn apply_look(area: &mut TextArea<'static>, look: EditorLook, active: bool) {
    area.set_line_number_style(look.line_number);
    area.set_selection_style(look.selection);
    area.set_style(look.text);
    if active {
        area.set_cursor_style(look.cursor);
        area.set_cursor_line_style(look.cursor_line);
    } else {
        area.set_cursor_style(Style::default());
        area.set_cursor_line_style(Style::default());
    }
}

impl Default for Editor {
    fn default() -> Self {
        Editor::new("")
    }
}

impl Editor {
    /// An editor holding `text`, with line numbers.
    pub fn new(text: &str) -> Editor {
        let mut area = TextArea::new(lines_of(text));
        area.set_max_histories(1000);
        area.set_tab_length(2);
        Editor {
            area: RefCell::new(area),
            highlight: Vec::new(),
            window: 0..0,
            error: None,
            active: false,
            look: Cell::new(None),
        }
    }

    /// Replace the whole text (a new document: history, highlight and marker are reset).
    pub fn set_text(&mut self, text: &str) {
        let (active, look) = (self.active, self.look.get());
        *self = Editor::new(text);
        self.active = active;
        if let Some(look) = look {
            apply_look(self.area.get_mut(), look, active);
            self.look.set(Some(look));
        }
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.area.borrow().lines().join("\n")
    }

    /// The lines.
    pub fn lines(&self) -> Ref<'_, [String]> {
        Ref::map(self.area.borrow(), |a| a.lines())
    }

    /// Cursor as (row, column in characters), 0-based.
    pub fn cursor(&self) -> (usize, usize) {
        self.area.borrow().cursor()
    }

    /// Whether the editor shows a cursor (it is being edited).
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// Show or hide the cursor.
    pub fn set_active(&mut self, active: bool) {
        self.active = active;
        if let Some(look) = self.look.get() {
            apply_look(self.area.get_mut(), look, active);
        }
    }

    /// Drop the syntax colours (they belong to a theme; new ones come with the next highlight).
    pub fn clear_highlight(&mut self) {
        self.highlight.clear();
        self.apply_highlights();
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
                self.area.get_mut().select_all();
                self.maybe_move_window();
                Some(EditOutcome::Moved)
            }
            KeyCode::Char('c') if alt => {
                self.area.get_mut().copy();
                None
            }
            _ => self.input_raw(Input::from(key)),
        }
    }

    fn input_raw(&mut self, input: Input) -> Option<EditOutcome> {
        let before = (
            self.area.get_mut().cursor(),
            self.area.get_mut().selection_range(),
        );
        let changed = self.area.get_mut().input(input);
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
        if (
            self.area.get_mut().cursor(),
            self.area.get_mut().selection_range(),
        ) != before
        {
            self.maybe_move_window();
            return Some(EditOutcome::Moved);
        }
        None
    }

    /// Insert pasted text at the cursor.
    pub fn paste(&mut self, text: &str) -> bool {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let changed = self.area.get_mut().insert_str(text);
        if changed {
            self.error = None;
            self.apply_highlights();
        }
        changed
    }

    /// Undo the last edit.
    pub fn undo(&mut self) -> bool {
        let changed = self.area.get_mut().undo();
        if changed {
            self.error = None;
            self.apply_highlights();
        }
        changed
    }

    /// Redo the last undone edit.
    pub fn redo(&mut self) -> bool {
        let changed = self.area.get_mut().redo();
        if changed {
            self.error = None;
            self.apply_highlights();
        }
        changed
    }

    /// Scroll by `rows` (negative: up); the cursor stays inside the view.
    pub fn scroll(&mut self, rows: i16) {
        self.area.get_mut().scroll((rows, 0));
        self.maybe_move_window();
    }

    /// Move the cursor to the start or the end of the text (a selection is dropped, not
    /// extended: the next key must not replace text the user did not choose).
    pub fn jump(&mut self, top: bool) {
        self.area.get_mut().cancel_selection();
        if top {
            self.area.get_mut().move_cursor(CursorMove::Top);
            self.area.get_mut().move_cursor(CursorMove::Head);
        } else {
            self.area.get_mut().move_cursor(CursorMove::Bottom);
            self.area.get_mut().move_cursor(CursorMove::End);
        }
        self.maybe_move_window();
    }

    /// Drop the selection (a search match stays where the cursor is), so that typing inserts
    /// instead of replacing it.
    pub fn clear_selection(&mut self) {
        self.area.get_mut().cancel_selection();
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
        let lines: Vec<&str> = self
            .area
            .get_mut()
            .lines()
            .iter()
            .map(String::as_str)
            .collect();
        let byte = lines
            .get(row)
            .and_then(|l| l.char_indices().nth(col).map(|(i, _)| i))
            .unwrap_or_else(|| lines.get(row).map_or(0, |l| l.len()));
        let (r, s, e) = crate::app::search::find(&lines, query, (row, byte))?;
        let line = lines[r];
        let start_col = line[..s].chars().count();
        let end_col = start_col + line[s..e].chars().count();
        let to_u16 = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
        self.area.get_mut().cancel_selection();
        self.area
            .get_mut()
            .move_cursor(CursorMove::Jump(to_u16(r), to_u16(start_col)));
        self.area.get_mut().start_selection();
        self.area
            .get_mut()
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
        let window = self.desired_window();
        let error_style = self
            .look
            .get()
            .map_or_else(Style::default, |l| l.error_marker);
        install_highlights(
            self.area.get_mut(),
            &self.highlight,
            window.clone(),
            self.error,
            error_style,
        );
        self.window = window;
    }

    /// The textarea styled with `look`, ready to draw (the view calls this; the look is
    /// applied only when it differs from the last one).
    pub fn styled(&self, look: EditorLook) -> Ref<'_, TextArea<'static>> {
        if self.look.get() != Some(look) {
            let mut area = self.area.borrow_mut();
            apply_look(&mut area, look, self.active);
            install_highlights(
                &mut area,
                &self.highlight,
                self.window.clone(),
                self.error,
                look.error_marker,
            );
            self.look.set(Some(look));
        }
        self.area.borrow()
    }
}

/// Install syntax ranges of the rows in `window`, and the error marker, as the textarea's
/// custom highlights (ranges not valid for the current text are skipped).
fn install_highlights(
    area: &mut TextArea<'static>,
    highlight: &[LineRanges],
    window: Range<usize>,
    error: Option<(usize, usize)>,
    error_style: Style,
) {
    area.clear_custom_highlight();
    let lines = area.lines();
    let valid = |row: usize, r: &Range<usize>| {
        lines.get(row).is_some_and(|l| {
            r.start < r.end
                && r.end <= l.len()
                && l.is_char_boundary(r.start)
                && l.is_char_boundary(r.end)
        })
    };
    let mut ranges = Vec::new();
    for row in window {
        let Some(line_ranges) = highlight.get(row) else {
            break;
        };
        for (r, style) in line_ranges {
            if valid(row, r) {
                ranges.push(((row, r.start), (row, r.end), *style, SYNTAX_PRIORITY));
            }
        }
    }
    if let Some((row, col)) = error
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
            ranges.push(((row, start), (row, end), error_style, ERROR_PRIORITY));
        }
    }
    for (from, to, style, priority) in ranges {
        area.custom_highlight((from, to), style, priority);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Color;
    use ratatui::widgets::Widget;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    fn look() -> EditorLook {
        let d = Style::default();
        EditorLook {
            text: d,
            line_number: d,
            selection: d,
            cursor: d,
            cursor_line: d,
            error_marker: d.fg(Color::Red),
        }
    }

    #[test]
    fn typing_undo_redo() {
        let mut e = Editor::new("ab\ncd");
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
        let mut e = Editor::new("é");
        let red = Style::default().fg(Color::Red);
        // Byte 1 is inside 'é': must not be applied (it would panic while drawing).
        e.set_highlight(vec![vec![(0..1, red)], vec![(0..5, red)]]);
        e.set_error(Some((1, 9)));
        assert_eq!(e.error(), Some((0, 8)));
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 2));
        (&*e.styled(look())).render(Rect::new(0, 0, 10, 2), &mut buf);
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
        let mut e = Editor::new(&text);
        assert_eq!(e.wanted_rows(10), 30);
        e.jump(false);
        assert_eq!(e.wanted_rows(10), 100);
    }
}
