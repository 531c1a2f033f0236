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

mod history;
mod search;

use history::{EditKind, History};
use search::EditorSearch;

/// Highlight ranges are applied to this many rows around the cursor: more than any screen
/// shows, few enough that drawing stays cheap for large templates.
const WINDOW_ROWS: usize = 200;

/// Priority of syntax colours among the textarea's own highlights (selection, cursor).
const SYNTAX_PRIORITY: u8 = 1;
/// Search matches: over syntax colours and under the selection.
const MATCH_PRIORITY: u8 = 5;
/// The current search match: over the selection (10), under the cursor (30).
const CURRENT_MATCH_PRIORITY: u8 = 20;
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
    /// A search match.
    pub search_match: Style,
    /// The current search match.
    pub search_current: Style,
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
    history: History,
    /// The search whose matches are marked (while the search is open).
    search: Option<EditorSearch>,
    /// Whether a burst of keys is being typed ([`Editor::begin_burst`]).
    bursting: bool,
    /// Characters of the burst typed but not yet handed to the textarea: they go in at once
    /// (the textarea re-measures all its lines after every edit, so a paste arriving as keys,
    /// handed over a key at a time, would cost the whole text per key).
    pending: String,
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

/// What kind of edit `key` is to the textarea, `None` when it does not edit.
fn edit_kind(key: &KeyEvent) -> Option<EditKind> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    Some(match key.code {
        KeyCode::Char('m') if ctrl && !alt => EditKind::Insert('\n'),
        KeyCode::Char('h') if ctrl && !alt => EditKind::DeleteBack,
        KeyCode::Char('d') if ctrl && !alt => EditKind::DeleteForward,
        KeyCode::Char('k' | 'j' | 'w' | 'y' | 'x') if ctrl && !alt => EditKind::Other,
        KeyCode::Char('h' | 'd') if alt && !ctrl => EditKind::Other,
        KeyCode::Char(c) if !ctrl && !alt => EditKind::Insert(c),
        KeyCode::Enter => EditKind::Insert('\n'),
        KeyCode::Backspace if !alt => EditKind::DeleteBack,
        KeyCode::Delete if !alt => EditKind::DeleteForward,
        KeyCode::Backspace | KeyCode::Delete | KeyCode::Tab => EditKind::Other,
        _ => return None,
    })
}

/// Whether `key` moves the cursor without extending the selection (no shift).
fn is_plain_move(key: &KeyEvent) -> bool {
    if key.modifiers.contains(KeyModifiers::SHIFT) {
        return false;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    match key.code {
        KeyCode::Up
        | KeyCode::Down
        | KeyCode::Left
        | KeyCode::Right
        | KeyCode::Home
        | KeyCode::End
        | KeyCode::PageUp
        | KeyCode::PageDown => true,
        KeyCode::Char('a' | 'e' | 'f' | 'b' | 'n' | 'p' | 'v') if ctrl => true,
        KeyCode::Char('<' | '>' | 'f' | 'b' | 'n' | 'p' | 'v' | '[' | ']') if alt => true,
        _ => false,
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
    /// The Alt+character keys the editor takes as its own (select all, copy). Any other
    /// Alt+character reaching the workbench is read as Esc followed by the character (what a
    /// terminal sends for Esc typed quickly before a key), so the textarea's Emacs-style
    /// Alt keys are not offered here (Ctrl+arrows move by word).
    pub const ALT_KEYS: [char; 2] = ['a', 'c'];

    /// An editor holding `text`, with line numbers.
    pub fn new(text: &str) -> Editor {
        let mut area = TextArea::new(lines_of(text));
        // Undo is the editor's own, by groups (see `history`).
        area.set_max_histories(0);
        area.set_tab_length(2);
        Editor {
            area: RefCell::new(area),
            highlight: Vec::new(),
            window: 0..0,
            error: None,
            active: false,
            look: Cell::new(None),
            history: History::default(),
            search: None,
            bursting: false,
            pending: String::new(),
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

    /// Replace the whole text as one step to undo (unlike [`Editor::set_text`], the history
    /// stays). Returns whether the text changed.
    pub fn replace_text(&mut self, text: &str) -> bool {
        if self.text() == text {
            return false;
        }
        let cursor = self.cursor();
        let area = &self.area;
        self.history
            .break_group(|| area.borrow().lines().join("\n"), cursor);
        self.history
            .before_edit(EditKind::Other, false, cursor, || {
                area.borrow().lines().join("\n")
            });
        let a = self.area.get_mut();
        a.select_all();
        a.insert_str(text);
        let cursor = self.cursor();
        let area = &self.area;
        self.history
            .break_group(|| area.borrow().lines().join("\n"), cursor);
        self.error = None;
        self.apply_highlights();
        true
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
                self.break_group();
                self.area.get_mut().select_all();
                self.maybe_move_window();
                Some(EditOutcome::Moved)
            }
            KeyCode::Char('c') if alt => {
                self.area.get_mut().copy();
                None
            }
            // Typing in a burst: kept until the burst ends or another key comes.
            KeyCode::Char(c) if self.bursting && !ctrl && !alt && self.can_defer() => {
                self.history
                    .before_edit(EditKind::Insert(c), false, (0, 0), String::new);
                self.pending.push(c);
                Some(EditOutcome::Changed)
            }
            KeyCode::Enter if self.bursting && self.can_defer() => {
                self.history
                    .before_edit(EditKind::Insert('\n'), false, (0, 0), String::new);
                self.pending.push('\n');
                Some(EditOutcome::Changed)
            }
            _ => {
                self.flush_pending();
                let before = self.cursor();
                let kind = edit_kind(&key);
                if let Some(kind) = kind {
                    let selecting = self.area.get_mut().is_selecting();
                    let area = &self.area;
                    self.history
                        .before_edit(kind, selecting, before, || area.borrow().lines().join("\n"));
                }
                let outcome = self.input_raw(Input::from(key));
                if kind.is_none() && outcome == Some(EditOutcome::Moved) {
                    let area = &self.area;
                    self.history
                        .break_group(|| area.borrow().lines().join("\n"), before);
                }
                // A move without shift ends the selection, also when the cursor could not
                // move (at the edge of the text): the next key must not replace it.
                if is_plain_move(&key) && self.area.get_mut().is_selecting() {
                    self.area.get_mut().cancel_selection();
                    return Some(EditOutcome::Moved);
                }
                outcome
            }
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

    /// Whether a typed character may wait for the burst's end: the burst's group is open (so
    /// the history needs nothing from the textarea) and nothing is selected (a selection is
    /// replaced by the first key, which the textarea must see).
    fn can_defer(&mut self) -> bool {
        self.history.in_burst_group() && !self.area.get_mut().is_selecting()
    }

    /// Insert pasted text at the cursor.
    pub fn paste(&mut self, text: &str) -> bool {
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let (cursor, selecting) = (self.cursor(), self.area.get_mut().is_selecting());
        let area = &self.area;
        self.history
            .before_edit(EditKind::Other, selecting, cursor, || {
                area.borrow().lines().join("\n")
            });
        let changed = self.area.get_mut().insert_str(text);
        if changed {
            self.error = None;
            self.apply_highlights();
        }
        changed
    }

    /// Undo the last group of edits (a word, a run of deletions, a paste, a burst).
    pub fn undo(&mut self) -> bool {
        let cursor = self.cursor();
        let area = &self.area;
        let Some(c) = self
            .history
            .undo(|| area.borrow().lines().join("\n"), cursor)
        else {
            return false;
        };
        self.replace(c.at, c.inserted.len(), &c.removed, c.cursor_before);
        true
    }

    /// Redo the last undone group.
    pub fn redo(&mut self) -> bool {
        let cursor = self.cursor();
        let area = &self.area;
        let Some(c) = self
            .history
            .redo(|| area.borrow().lines().join("\n"), cursor)
        else {
            return false;
        };
        self.replace(c.at, c.removed.len(), &c.inserted, c.cursor_after);
        true
    }

    /// Replace `len` bytes at byte `at` of the text with `with`, and put the cursor at
    /// `cursor` (undo and redo).
    fn replace(&mut self, at: usize, len: usize, with: &str, cursor: (usize, usize)) {
        let text = self.text();
        let (at, end) = (at.min(text.len()), (at + len).min(text.len()));
        let new = format!("{}{with}{}", &text[..at], &text[end..]);
        let lines = new.split('\n').map(str::to_string).collect();
        self.area.get_mut().set_lines(lines, cursor);
        self.error = None;
        self.apply_highlights();
    }

    /// Replace bytes `start..end` of the text with `with` as one step to undo (a lint fix);
    /// the cursor goes to the start of the line where the new text starts (the view shows
    /// that line from its beginning, line number and gutter included).
    pub fn replace_as_one_edit(&mut self, start: usize, end: usize, with: &str) {
        self.break_group();
        let cursor = self.cursor();
        let area = &self.area;
        self.history
            .before_edit(EditKind::Other, false, cursor, || {
                area.borrow().lines().join("\n")
            });
        let text = self.text();
        let (start, end) = (start.min(text.len()), end.min(text.len()).max(start));
        let row = text[..start].matches('\n').count();
        self.replace(start, end - start, with, (row, 0));
        self.break_group();
        self.maybe_move_window();
    }

    /// The text row drawn at `position` of the screen (after the editor was drawn), `None`
    /// outside it.
    pub fn row_at(&self, position: ratatui::layout::Position) -> Option<usize> {
        self.area
            .borrow()
            .cursor_at_position(position)
            .map(|(row, _)| row)
    }

    /// Close the group being typed: the next edit is a new step to undo.
    fn break_group(&mut self) {
        let cursor = self.cursor();
        let area = &self.area;
        self.history
            .break_group(|| area.borrow().lines().join("\n"), cursor);
    }

    /// Every edit until [`Editor::end_burst`] is one step to undo (a burst of keys read at
    /// once, such as a paste without bracketed paste).
    pub fn begin_burst(&mut self) {
        let cursor = self.cursor();
        let area = &self.area;
        self.history
            .begin_burst(|| area.borrow().lines().join("\n"), cursor);
        self.bursting = true;
    }

    /// The burst is over: what it typed is in the text now.
    pub fn end_burst(&mut self) {
        self.flush_pending();
        self.bursting = false;
        self.history.end_burst();
    }

    /// Hand the burst's typed characters to the textarea, in one edit.
    fn flush_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.pending);
        if self.area.get_mut().insert_str(text) {
            self.error = None;
            self.apply_highlights();
        }
    }

    /// Scroll by `rows` (negative: up); the cursor stays inside the view.
    pub fn scroll(&mut self, rows: i16) {
        self.area.get_mut().scroll((rows, 0));
        self.maybe_move_window();
    }

    /// Move the cursor to the start or the end of the text (a selection is dropped, not
    /// extended: the next key must not replace text the user did not choose).
    pub fn jump(&mut self, top: bool) {
        self.break_group();
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
        self.break_group();
        let key = if down { Key::PageDown } else { Key::PageUp };
        let _ = self.input_raw(Input {
            key,
            ctrl: false,
            alt: false,
            shift: false,
        });
    }

    /// Select (row, start char column, end char column) and return (row, start).
    #[cfg(test)]
    fn select_span(&mut self, (r, start_col, end_col): (usize, usize, usize)) -> (usize, usize) {
        let to_u16 = |v: usize| u16::try_from(v).unwrap_or(u16::MAX);
        self.break_group();
        self.area.get_mut().cancel_selection();
        self.area
            .get_mut()
            .move_cursor(CursorMove::Jump(to_u16(r), to_u16(start_col)));
        self.area.get_mut().start_selection();
        self.area
            .get_mut()
            .move_cursor(CursorMove::Jump(to_u16(r), to_u16(end_col)));
        self.maybe_move_window();
        (r, start_col)
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
        let look = self.look.get();
        install_highlights(
            self.area.get_mut(),
            &self.highlight,
            window.clone(),
            self.error,
            self.search.as_ref(),
            look,
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
                self.search.as_ref(),
                Some(look),
            );
            self.look.set(Some(look));
        }
        self.area.borrow()
    }
}

/// Install syntax ranges of the rows in `window`, the search matches there, and the error
/// marker, as the textarea's custom highlights (ranges not valid for the current text are
/// skipped).
fn install_highlights(
    area: &mut TextArea<'static>,
    highlight: &[LineRanges],
    window: Range<usize>,
    error: Option<(usize, usize)>,
    search: Option<&EditorSearch>,
    look: Option<EditorLook>,
) {
    let error_style = look.map_or_else(Style::default, |l| l.error_marker);
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
    if let Some(search) = search {
        let (marked, current) = look.map_or_else(
            || (Style::default(), Style::default()),
            |l| (l.search_match, l.search_current),
        );
        for row in window.clone() {
            let Some(line) = lines.get(row) else {
                break;
            };
            for (s, e) in search.finder.in_line(line) {
                ranges.push(if search.current == Some((row, s, e)) {
                    ((row, s), (row, e), current, CURRENT_MATCH_PRIORITY)
                } else {
                    ((row, s), (row, e), marked, MATCH_PRIORITY)
                });
            }
        }
    }
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

/// The byte offset of char column `col` in line `row` (the line's end past it).
fn char_to_byte(lines: &[&str], row: usize, col: usize) -> usize {
    lines
        .get(row)
        .and_then(|l| l.char_indices().nth(col).map(|(i, _)| i))
        .unwrap_or_else(|| lines.get(row).map_or(0, |l| l.len()))
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
            search_match: d,
            search_current: d,
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

    fn with(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    fn type_str(e: &mut Editor, text: &str) {
        for c in text.chars() {
            e.input(key(if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            }));
        }
    }

    #[test]
    fn undo_takes_back_a_word_and_redo_brings_it_again() {
        let mut e = Editor::new("");
        type_str(&mut e, "hello world");
        assert!(e.undo());
        assert_eq!(e.text(), "hello ");
        assert_eq!(e.cursor(), (0, 6));
        assert!(e.undo());
        assert_eq!(e.text(), "");
        assert!(!e.undo());
        assert!(e.redo());
        assert_eq!(e.text(), "hello ");
        assert!(e.redo());
        assert_eq!(e.text(), "hello world");
        assert_eq!(e.cursor(), (0, 11));
        assert!(!e.redo());
        // Deleting is a step of its own, and a move ends a group.
        e.input(key(KeyCode::Backspace));
        e.input(key(KeyCode::Backspace));
        e.input(key(KeyCode::Home));
        type_str(&mut e, "X");
        assert_eq!(e.text(), "Xhello wor");
        e.undo();
        assert_eq!(e.text(), "hello wor");
        e.undo();
        assert_eq!(e.text(), "hello world");
        // A new edit after an undo drops what could be redone.
        type_str(&mut e, "!");
        assert!(!e.redo());
    }

    #[test]
    fn a_burst_is_one_step_to_undo() {
        let mut e = Editor::new("{}");
        e.input(key(KeyCode::End));
        e.begin_burst();
        type_str(&mut e, "\n{\"a\": [1, 2],\n \"b\": \"x y\"}");
        e.end_burst();
        assert!(e.undo());
        assert_eq!(e.text(), "{}");
        assert!(e.redo());
        assert_eq!(e.text(), "{}\n{\"a\": [1, 2],\n \"b\": \"x y\"}");
    }

    #[test]
    fn a_replaced_selection_is_one_step_to_undo() {
        let mut e = Editor::new("one two");
        assert_eq!(e.select_span((0, 4, 7)), (0, 4));
        e.input(key(KeyCode::Char('Z')));
        assert_eq!(e.text(), "one Z");
        e.undo();
        assert_eq!(e.text(), "one two");
    }

    #[test]
    fn every_plain_move_ends_the_selection() {
        let moves = [
            key(KeyCode::Up),
            key(KeyCode::Down),
            key(KeyCode::Left),
            key(KeyCode::Right),
            key(KeyCode::Home),
            key(KeyCode::End),
            key(KeyCode::PageUp),
            key(KeyCode::PageDown),
            with(KeyCode::Home, KeyModifiers::CONTROL),
            with(KeyCode::End, KeyModifiers::CONTROL),
            with(KeyCode::Left, KeyModifiers::CONTROL),
            with(KeyCode::Right, KeyModifiers::CONTROL),
            with(KeyCode::Up, KeyModifiers::CONTROL),
            with(KeyCode::Down, KeyModifiers::CONTROL),
            with(KeyCode::Char('a'), KeyModifiers::CONTROL),
            with(KeyCode::Char('e'), KeyModifiers::CONTROL),
            with(KeyCode::Char('f'), KeyModifiers::CONTROL),
            with(KeyCode::Char('b'), KeyModifiers::CONTROL),
            with(KeyCode::Char('n'), KeyModifiers::CONTROL),
            with(KeyCode::Char('p'), KeyModifiers::CONTROL),
            with(KeyCode::Char('f'), KeyModifiers::ALT),
            with(KeyCode::Char('b'), KeyModifiers::ALT),
            with(KeyCode::Char('<'), KeyModifiers::ALT),
            with(KeyCode::Char('>'), KeyModifiers::ALT),
        ];
        // The match at the start, in the middle and at the end of the text: a move that
        // cannot go further must end the selection too.
        for (query, span) in [
            ("first", (0, 0, 5)),
            ("mid", (1, 4, 7)),
            ("last", (2, 0, 4)),
        ] {
            for m in moves {
                let mut e = Editor::new("first\nthe mid line\nlast");
                e.select_span(span);
                e.input(m);
                let before = e.text();
                e.input(key(KeyCode::Char('Z')));
                assert_eq!(
                    e.text().replacen('Z', "", 1),
                    before,
                    "{m:?} after selecting {query:?} left the selection"
                );
            }
        }
        // Shift extends it.
        let mut e = Editor::new("abc");
        e.input(with(KeyCode::Right, KeyModifiers::SHIFT));
        e.input(key(KeyCode::Char('Z')));
        assert_eq!(e.text(), "Zbc");
    }

    #[test]
    fn a_search_marks_every_match_and_selects_nothing() {
        let mut e = Editor::new("ab ab\nx\nAB");
        assert_eq!(e.go_to_next_match("ab"), Some((0, 0)));
        let marks = |e: &Editor| (0..3).map(|r| e.search_marks(r)).collect::<Vec<_>>();
        assert_eq!(
            marks(&e),
            [
                vec![(0, 2, true), (3, 5, false)],
                vec![],
                vec![(0, 2, false)]
            ]
        );
        assert_eq!(e.go_to_next_match("ab"), Some((0, 3)));
        assert_eq!(e.go_to_next_match("ab"), Some((2, 0)));
        assert_eq!(e.go_to_next_match("ab"), Some((0, 0)), "wraps");
        assert_eq!(e.go_to_prev_match("ab"), Some((2, 0)), "wraps back");
        assert_eq!(marks(&e)[2], [(0, 2, true)]);
        // Typing inserts at the match: nothing was selected.
        e.input(key(KeyCode::Char('Z')));
        assert_eq!(e.text(), "ab ab\nx\nZAB");
        // The marks follow the text; ended, they are gone.
        assert_eq!(marks(&e)[2], [(1, 3, false)]);
        e.clear_search();
        assert!(marks(&e).iter().all(Vec::is_empty));
        // Marked while the query is typed, none current.
        e.set_search("x");
        assert_eq!(marks(&e)[1], [(0, 1, false)]);
        e.set_search("");
        assert!(marks(&e).iter().all(Vec::is_empty));
    }

    #[test]
    fn ctrl_home_and_end_go_to_the_start_and_end_of_the_text() {
        let mut e = Editor::new("ab\n{\"x\": 1,\n \"y\": 2}\nlast line");
        e.select_span((1, 2, 3));
        e.input(with(KeyCode::End, KeyModifiers::CONTROL));
        assert_eq!(e.cursor(), (3, 9));
        type_str(&mut e, "ZZZ");
        assert_eq!(e.text(), "ab\n{\"x\": 1,\n \"y\": 2}\nlast lineZZZ");
        e.input(with(KeyCode::Home, KeyModifiers::CONTROL));
        assert_eq!(e.cursor(), (0, 0));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        #[derive(Clone, Debug)]
        enum Op {
            Key(KeyEvent),
            Paste(String),
            Esc,
        }

        fn op() -> impl Strategy<Value = Op> {
            let plain = |c| KeyEvent::new(c, KeyModifiers::NONE);
            prop_oneof![
                6 => prop::sample::select(vec!['a', 'b', ' ', 'é', '{', '"', '\t'])
                    .prop_map(move |c| Op::Key(plain(KeyCode::Char(c)))),
                4 => prop::sample::select(vec![
                    plain(KeyCode::Enter),
                    plain(KeyCode::Backspace),
                    plain(KeyCode::Delete),
                    plain(KeyCode::Left),
                    plain(KeyCode::Right),
                    plain(KeyCode::Up),
                    plain(KeyCode::Down),
                    plain(KeyCode::Home),
                    plain(KeyCode::End),
                    KeyEvent::new(KeyCode::Home, KeyModifiers::CONTROL),
                    KeyEvent::new(KeyCode::End, KeyModifiers::CONTROL),
                    KeyEvent::new(KeyCode::Left, KeyModifiers::SHIFT),
                    KeyEvent::new(KeyCode::Right, KeyModifiers::SHIFT),
                    KeyEvent::new(KeyCode::Up, KeyModifiers::SHIFT),
                    KeyEvent::new(KeyCode::End, KeyModifiers::SHIFT),
                    KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT),
                    KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL),
                    KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL),
                ])
                .prop_map(Op::Key),
                1 => prop::sample::select(vec!["x", "two words", "l1\nl2", "\r\n", ""])
                    .prop_map(|s| Op::Paste(s.to_string())),
                1 => Just(Op::Esc),
            ]
        }

        proptest! {
            /// Undo goes back through earlier states, newest first, down to the start; redo
            /// replays the same states up to the end.
            #[test]
            fn undo_restores_every_earlier_state_in_order(
                start in prop::sample::select(vec!["", "ab", "x\ny z\n", "é{\"k\": 1}"]),
                ops in prop::collection::vec(op(), 0..80),
            ) {
                let mut e = Editor::new(start);
                let mut states = vec![e.text()];
                for op in ops {
                    match op {
                        Op::Key(k) => {
                            e.input(k);
                        }
                        Op::Paste(p) => {
                            e.paste(&p);
                        }
                        Op::Esc => e.clear_selection(),
                    }
                    if states.last() != Some(&e.text()) {
                        states.push(e.text());
                    }
                }
                let end = e.text();
                // Undo: each state is an earlier one, strictly older than the last.
                let mut seen = vec![states.len() - 1];
                while e.undo() {
                    let text = e.text();
                    let last = *seen.last().unwrap();
                    let at = states[..last].iter().rposition(|s| *s == text);
                    prop_assert!(at.is_some(), "undo made a state never seen: {:?}", text);
                    seen.push(at.unwrap());
                }
                prop_assert_eq!(e.text(), start.to_string());
                // Redo: the same states, oldest first, back to the end.
                seen.pop();
                while e.redo() {
                    let want = seen.pop();
                    prop_assert!(want.is_some(), "redo went past the end");
                    prop_assert_eq!(&e.text(), &states[want.unwrap()]);
                }
                prop_assert!(seen.is_empty(), "redo stopped early");
                prop_assert_eq!(e.text(), end);
            }
        }
    }
}
