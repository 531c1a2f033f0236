//! Word wrapping of display lines into rows, shared by the view (which draws the rows) and the
//! model (which scrolls a search match into view): both count the same rows, so a pane that
//! scrolls by rows lands exactly on the match.

use std::ops::Range;

/// The display width of one character (0 for combining marks, 2 for wide characters).
pub fn char_width(c: char) -> usize {
    let mut buf = [0; 4];
    ratatui::text::Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// The rows of `text` wrapped at `width` columns at spaces, as byte ranges of `text` (at
/// least one). A space where a row breaks is not shown; a word longer than a row is cut by
/// character, as a terminal wraps.
pub fn word_rows(text: &str, width: usize) -> Vec<Range<usize>> {
    let width = width.max(1);
    let mut rows = Vec::new();
    // The row being filled starts at `start` and is `w` columns wide so far.
    let mut start = 0;
    let mut w = 0;
    // The last space of the row (where it may break) and the width after it.
    let mut space: Option<(usize, usize)> = None;
    let mut after = 0;
    for (i, c) in text.char_indices() {
        let cw = char_width(c);
        if c == ' ' {
            if w + cw > width {
                // The space itself overflows: the row ends here, without it.
                rows.push(start..i);
                start = i + 1;
                w = 0;
                space = None;
                continue;
            }
            space = Some((i, i + 1));
            after = 0;
            w += cw;
            continue;
        }
        while w + cw > width && w > 0 {
            match space.take() {
                // Break at the last space: the word goes on the next row.
                Some((end, next)) => {
                    rows.push(start..end);
                    start = next;
                    w = after;
                }
                // No space on the row: cut the word.
                None => {
                    rows.push(start..i);
                    start = i;
                    w = 0;
                }
            }
            after = w;
        }
        w += cw;
        after += cw;
    }
    rows.push(start..text.len());
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str, width: usize) -> Vec<&str> {
        word_rows(text, width)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(rows("the quick brown fox", 10), ["the quick", "brown fox"]);
        assert_eq!(rows("the quick brown fox", 9), ["the quick", "brown fox"]);
        assert_eq!(rows("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(rows("ab cdefghij", 4), ["ab", "cdef", "ghij"]);
        assert_eq!(rows("", 4), [""]);
        assert_eq!(rows("fits", 4), ["fits"]);
        assert_eq!(rows("a  b", 2), ["a ", "b"]);
        // Wide characters take two columns.
        assert_eq!(rows("日本語", 4), ["日本", "語"]);
        // Every byte is in a row or is a dropped space.
        let t = "type  MOCK (t cycles) and a long explanation that wraps";
        let shown: usize = word_rows(t, 7).iter().map(|r| r.len()).sum();
        assert!(shown <= t.len() && shown + t.matches(' ').count() >= t.len());
    }
}
