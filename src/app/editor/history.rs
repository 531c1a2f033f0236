//! The editor's undo history, in groups: a word typed (with the spaces after it), a run of
//! deletions, one paste, one replaced selection, or a whole burst of keys (an unbracketed
//! paste) is one step to undo. It knows nothing of the textarea: the editor tells it when an
//! edit may begin ([`History::before_edit`]) and when the cursor moved, and hands it the text.
//!
//! A group keeps the text as it was when the group opened; when the group closes only the
//! changed middle is kept (common prefix and suffix dropped), so typing costs nothing per key
//! and the text is copied once per group, not per key.

/// How many groups can be undone.
const MAX_GROUPS: usize = 1000;

/// What an edit does, to tell when a group ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum EditKind {
    /// Typing a character (a newline counts as a space).
    Insert(char),
    /// Backspace.
    DeleteBack,
    /// Delete.
    DeleteForward,
    /// Anything else (paste, cut, delete a word or a line, tab): a group of its own.
    Other,
}

/// One undoable change: at byte `at`, `removed` was replaced by `inserted`.
#[derive(Clone, Debug)]
pub(super) struct Change {
    pub at: usize,
    pub removed: String,
    pub inserted: String,
    pub cursor_before: (usize, usize),
    pub cursor_after: (usize, usize),
}

/// The group being typed: the text and cursor when it opened, and its last edit.
#[derive(Debug)]
struct Open {
    text: String,
    cursor: (usize, usize),
    last: EditKind,
}

/// Undo and redo stacks of grouped changes.
#[derive(Debug, Default)]
pub(super) struct History {
    undo: Vec<Change>,
    redo: Vec<Change>,
    open: Option<Open>,
    /// While set, every edit joins the open group (a burst of keys is one step).
    burst: bool,
}

fn continues(last: EditKind, next: EditKind) -> bool {
    match (last, next) {
        // A word and the spaces after it; the next word starts a new group.
        (EditKind::Insert(a), EditKind::Insert(b)) => !a.is_whitespace() || b.is_whitespace(),
        (EditKind::DeleteBack, EditKind::DeleteBack)
        | (EditKind::DeleteForward, EditKind::DeleteForward) => true,
        _ => false,
    }
}

impl History {
    /// An edit of `kind` is about to happen (`selecting`: it replaces a selection); `text`
    /// gives the current text when a new group must open.
    pub fn before_edit(
        &mut self,
        kind: EditKind,
        selecting: bool,
        cursor: (usize, usize),
        text: impl FnOnce() -> String,
    ) {
        if let Some(open) = &mut self.open
            && (self.burst || (!selecting && continues(open.last, kind)))
        {
            open.last = kind;
            return;
        }
        let text = match self.open.take() {
            // The text at the end of the closing group is where the next one starts.
            Some(open) => {
                let now = text();
                self.commit(open, &now, cursor);
                now
            }
            None => text(),
        };
        self.open = Some(Open {
            text: text.clone(),
            cursor,
            last: kind,
        });
    }

    /// Whether a burst is on and its group is open: every edit joins it without asking for
    /// the text.
    pub fn in_burst_group(&self) -> bool {
        self.burst && self.open.is_some()
    }

    /// The cursor moved (or something else broke the run): the next edit opens a new group.
    pub fn break_group(&mut self, text: impl FnOnce() -> String, cursor: (usize, usize)) {
        if self.burst {
            return;
        }
        if let Some(open) = self.open.take() {
            self.commit(open, &text(), cursor);
        }
    }

    /// Make everything until [`History::end_burst`] one group.
    pub fn begin_burst(&mut self, text: impl FnOnce() -> String, cursor: (usize, usize)) {
        self.burst = false;
        self.break_group(text, cursor);
        self.burst = true;
    }

    /// The burst is over (its group stays open until the next move or edit kind change).
    pub fn end_burst(&mut self) {
        self.burst = false;
        if let Some(open) = &mut self.open {
            open.last = EditKind::Other;
        }
    }

    fn commit(&mut self, open: Open, now: &str, cursor: (usize, usize)) {
        let Some(change) = diff(&open.text, now, open.cursor, cursor) else {
            return;
        };
        self.redo.clear();
        if self.undo.len() == MAX_GROUPS {
            self.undo.remove(0);
        }
        self.undo.push(change);
    }

    /// The change to take back (closing the open group first), moved to the redo stack.
    pub fn undo(
        &mut self,
        text: impl FnOnce() -> String,
        cursor: (usize, usize),
    ) -> Option<Change> {
        self.burst = false;
        self.break_group(text, cursor);
        let change = self.undo.pop()?;
        self.redo.push(change.clone());
        Some(change)
    }

    /// The change to make again, moved back to the undo stack.
    pub fn redo(
        &mut self,
        text: impl FnOnce() -> String,
        cursor: (usize, usize),
    ) -> Option<Change> {
        self.burst = false;
        self.break_group(text, cursor);
        let change = self.redo.pop()?;
        self.undo.push(change.clone());
        Some(change)
    }
}

/// The change from `old` to `new`: the middle between their common prefix and suffix (on
/// character boundaries), or `None` when they are equal.
fn diff(
    old: &str,
    new: &str,
    cursor_before: (usize, usize),
    cursor_after: (usize, usize),
) -> Option<Change> {
    if old == new {
        return None;
    }
    let mut prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some(Change {
        at: prefix,
        removed: old[prefix..old.len() - suffix].to_string(),
        inserted: new[prefix..new.len() - suffix].to_string(),
        cursor_before,
        cursor_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_keeps_only_the_middle() {
        let c = diff("abcdef", "abXYef", (0, 0), (0, 4)).unwrap();
        assert_eq!(
            (c.at, c.removed.as_str(), c.inserted.as_str()),
            (2, "cd", "XY")
        );
        let c = diff("aé", "aéé", (0, 0), (0, 0)).unwrap();
        assert_eq!(
            (c.at, c.removed.as_str(), c.inserted.as_str()),
            (3, "", "é")
        );
        let c = diff("aaa", "aa", (0, 0), (0, 0)).unwrap();
        assert_eq!(c.removed.len() - c.inserted.len(), 1);
        assert!(diff("x", "x", (0, 0), (0, 0)).is_none());
    }
}
