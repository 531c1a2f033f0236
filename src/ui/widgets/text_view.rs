//! Read-only display of precomputed [`StyledText`]: only the visible lines are turned into
//! ratatui lines, so a megabyte body costs no more to draw than a small one. Panes wrap long
//! lines by character (as a terminal does); scrolling stays by line, and the last page is
//! measured in wrapped rows.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::view_model::Tok;
use crate::app::view_model::body::{StyledLine, StyledText};
use crate::ui::style::Theme;

/// One styled line, as ratatui spans.
pub fn line<'a>(l: StyledLine<'a>, theme: &Theme) -> Line<'a> {
    let mut spans = Vec::with_capacity(l.toks.len() * 2 + 1);
    let mut at = 0;
    for &(start, end, tok) in l.toks {
        let (start, end) = (start as usize, end as usize);
        if start < at
            || end > l.text.len()
            || !l.text.is_char_boundary(start)
            || !l.text.is_char_boundary(end)
        {
            continue;
        }
        if start > at {
            spans.push(Span::styled(&l.text[at..start], theme.text()));
        }
        spans.push(Span::styled(&l.text[start..end], theme.token(tok)));
        at = end;
    }
    if at < l.text.len() {
        spans.push(Span::styled(&l.text[at..], theme.token(Tok::Plain)));
    }
    Line::from(spans)
}

/// The visible window `skip..skip + height` of a text.
pub fn window<'a>(
    text: &'a StyledText,
    skip: usize,
    height: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    text.lines_from(skip)
        .take(height)
        .map(|l| line(l, theme))
        .collect()
}

/// `text` cut to `width` characters, with `…` as the last one when it was cut.
pub fn fit(text: String, width: usize) -> String {
    if text.chars().count() <= width {
        return text;
    }
    text.chars()
        .take(width.saturating_sub(1))
        .collect::<String>()
        + "…"
}

/// The display width of one character.
fn char_width(c: char) -> usize {
    let mut buf = [0; 4];
    Span::raw(&*c.encode_utf8(&mut buf)).width()
}

/// The rows a text takes wrapped at `width` columns, character by character (at least one).
pub fn wrapped_rows(text: &str, width: usize) -> usize {
    let width = width.max(1);
    let mut rows = 1;
    let mut at = 0;
    for c in text.chars() {
        let w = char_width(c);
        if at + w > width && at > 0 {
            rows += 1;
            at = 0;
        }
        at += w;
    }
    rows
}

/// A line cut into rows of at most `width` columns, character by character (as a terminal
/// wraps): a URL or a header stays readable from its start, and row counts are exact.
pub fn wrap_line(line: Line<'_>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut at = 0;
    for span in line.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = char_width(c);
            if at + w > width && at > 0 {
                if !piece.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut piece), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                at = 0;
            }
            piece.push(c);
            at += w;
        }
        if !piece.is_empty() {
            row.push(Span::styled(piece, span.style));
        }
    }
    rows.push(Line::from(row));
    rows
}

/// The visible rows of a text from line `skip` on, lines wrapped at `width`.
pub fn wrapped_window(
    text: &StyledText,
    skip: usize,
    height: usize,
    width: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut out = Vec::with_capacity(height);
    for l in text.lines_from(skip) {
        if out.len() >= height {
            break;
        }
        out.extend(wrap_line(line(l, theme), width));
    }
    out.truncate(height);
    out
}

/// The largest scroll offset (in lines) that still fills a page of `height` rows when lines
/// wrap at `width`: only the last page's lines are measured.
pub fn last_wrapped_page(text: &StyledText, height: usize, width: usize) -> usize {
    let mut rows = 0;
    let mut first = text.len();
    while first > 0 {
        let r = wrapped_rows(text.line(first - 1).text, width);
        if rows + r > height {
            break;
        }
        rows += r;
        first -= 1;
    }
    first
}

/// Clamp a scroll offset so the last page stays full.
pub fn clamp_scroll(scroll: usize, len: usize, height: usize) -> usize {
    scroll.min(len.saturating_sub(height))
}

/// A plain line in a style.
pub fn styled(text: impl Into<String>, style: Style) -> Line<'static> {
    Line::from(Span::styled(text.into(), style))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_wrap_by_character_with_exact_row_counts() {
        let rows = wrap_line(Line::from(vec![Span::raw("abc"), Span::raw("defg")]), 3);
        let text: Vec<String> = rows.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["abc", "def", "g"]);
        assert_eq!(wrapped_rows("abcdefg", 3), 3);
        assert_eq!(wrapped_rows("", 3), 1);
        let mut t = StyledText::default();
        for l in ["a", "bbbbbb", "c"] {
            t.push_plain(l);
        }
        // The last page of 3 rows at width 3: "bbb" "bbb" "c" starts at line 1.
        assert_eq!(last_wrapped_page(&t, 3, 3), 1);
        assert_eq!(last_wrapped_page(&t, 2, 3), 2);
    }
}
