//! Read-only display of precomputed [`StyledText`]: only the visible lines are turned into
//! ratatui lines, so a megabyte body costs no more to draw than a small one. Panes wrap long
//! lines by character (as a terminal does); scrolling stays by line, and the last page is
//! measured in wrapped rows.

use std::ops::Range;

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::search::Mark;
use crate::app::view_model::Tok;
use crate::app::view_model::body::{StyledLine, StyledText};
use crate::app::view_model::wrap::{char_width, word_rows};
use crate::ui::style::Theme;

/// One styled line, as ratatui spans.
pub fn line<'a>(l: StyledLine<'a>, theme: &Theme) -> Line<'a> {
    line_part(l, 0..l.text.len(), &[], theme)
}

/// One styled line with the search matches in it marked.
pub fn line_marked<'a>(l: StyledLine<'a>, marks: &[Mark], theme: &Theme) -> Line<'a> {
    line_part(l, 0..l.text.len(), marks, theme)
}

/// The part `range` of a styled line (a row of a wrapped line), its search matches marked.
pub fn line_part<'a>(
    l: StyledLine<'a>,
    range: Range<usize>,
    marks: &[Mark],
    theme: &Theme,
) -> Line<'a> {
    let text = l.text;
    let range = range.start.min(text.len())..range.end.min(text.len());
    // Where the style may change: token and mark edges inside the range.
    let mut cuts = vec![range.start, range.end];
    let toks: Vec<(usize, usize, Tok)> = l
        .toks
        .iter()
        .map(|&(s, e, t)| (s as usize, e as usize, t))
        .filter(|&(s, e, _)| s < e && e <= text.len())
        .collect();
    for &(s, e, _) in &toks {
        cuts.extend([s, e]);
    }
    for m in marks {
        cuts.extend([m.start, m.end]);
    }
    cuts.retain(|&c| range.contains(&c) || c == range.end);
    cuts.retain(|&c| text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut spans = Vec::with_capacity(cuts.len());
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let base = toks
            .iter()
            .find(|&&(s, e, _)| s <= a && a < e)
            .map_or_else(|| theme.text(), |&(_, _, t)| theme.token(t));
        let style = match marks.iter().find(|m| m.start <= a && a < m.end) {
            Some(m) => base.patch(theme.search_match(m.current)),
            None => base,
        };
        spans.push(Span::styled(&text[a..b], style));
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

/// A line with its first `cols` display columns cut off (a pane scrolled sideways); a wide
/// character cut in half leaves a space.
pub fn shift_line(line: Line<'_>, cols: usize) -> Line<'static> {
    let mut at = 0;
    let mut spans = Vec::with_capacity(line.spans.len());
    for span in line.spans {
        let mut kept = String::new();
        for c in span.content.chars() {
            let w = char_width(c);
            if at >= cols {
                kept.push(c);
            } else if at + w > cols {
                kept.extend(std::iter::repeat_n(' ', at + w - cols));
            }
            at += w;
        }
        if !kept.is_empty() {
            spans.push(Span::styled(kept, span.style));
        }
    }
    Line::from(spans)
}

/// The visible lines of a text from line `skip` on, not wrapped, scrolled `cols` columns
/// sideways; `marks` as for [`wrapped_window`].
pub fn unwrapped_window(
    text: &StyledText,
    skip: usize,
    height: usize,
    cols: usize,
    theme: &Theme,
    marks: &dyn Fn(usize, &str) -> Vec<Mark>,
) -> Vec<Line<'static>> {
    text.lines_from(skip)
        .take(height)
        .enumerate()
        .map(|(i, l)| shift_line(line_marked(l, &marks(skip + i, l.text), theme), cols))
        .collect()
}

/// The visible rows of a text from line `skip` on, lines wrapped at `width`; `marks` gives
/// the search matches of a line (by its index and text).
pub fn wrapped_window(
    text: &StyledText,
    skip: usize,
    height: usize,
    width: usize,
    theme: &Theme,
    marks: &dyn Fn(usize, &str) -> Vec<Mark>,
) -> Vec<Line<'static>> {
    let mut out = Vec::with_capacity(height);
    for (i, l) in text.lines_from(skip).enumerate() {
        if out.len() >= height {
            break;
        }
        let m = marks(skip + i, l.text);
        out.extend(wrap_line(line_marked(l, &m, theme), width));
    }
    out.truncate(height);
    out
}

/// A line cut into rows of at most `width` columns at spaces (as [`word_rows`] cuts prose),
/// its styles kept.
pub fn word_wrap_line(line: &Line<'_>, width: usize) -> Vec<Line<'static>> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    // Where each span starts in `text`.
    let mut starts = Vec::with_capacity(line.spans.len());
    let mut at = 0;
    for span in &line.spans {
        starts.push(at);
        at += span.content.len();
    }
    word_rows(&text, width)
        .into_iter()
        .map(|row| {
            let spans = line
                .spans
                .iter()
                .zip(&starts)
                .filter_map(|(span, &start)| {
                    let (a, b) = (
                        row.start.max(start),
                        row.end.min(start + span.content.len()),
                    );
                    (a < b).then(|| Span::styled(text[a..b].to_string(), span.style))
                })
                .collect::<Vec<_>>();
            Line::from(spans)
        })
        .collect()
}

/// The visible rows of a text wrapped at spaces (prose: the Integration pane) from row `skip`
/// on; `marks` as for [`wrapped_window`].
pub fn word_wrapped_window<'a>(
    text: &'a StyledText,
    skip: usize,
    height: usize,
    width: usize,
    theme: &Theme,
    marks: &dyn Fn(usize, &str) -> Vec<Mark>,
) -> Vec<Line<'a>> {
    let mut out = Vec::with_capacity(height);
    let mut row = 0;
    for (i, l) in text.lines_from(0).enumerate() {
        if out.len() >= height {
            break;
        }
        let rows = word_rows(l.text, width);
        if row + rows.len() <= skip {
            row += rows.len();
            continue;
        }
        let m = marks(i, l.text);
        for r in rows {
            if row >= skip && out.len() < height {
                out.push(line_part(l, r, &m, theme));
            }
            row += 1;
        }
    }
    out
}

/// The rows of a text wrapped at spaces at `width` (see [`word_wrapped_window`]).
pub fn word_wrapped_rows(text: &StyledText, width: usize) -> usize {
    text.lines_from(0)
        .map(|l| word_rows(l.text, width).len())
        .sum()
}

/// The largest scroll offset (in lines) that still fills a page of `height` rows when lines
/// wrap at `width`: only the last page's lines are measured. A last line taller than the
/// page is shown from its start (scrolling goes by lines).
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
    first.min(text.len().saturating_sub(1))
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
    fn a_line_scrolled_sideways_loses_its_first_columns() {
        let shifted = |l: Line<'_>, n| shift_line(l, n).to_string();
        let l = || Line::from(vec![Span::raw("ab"), Span::raw("cdé")]);
        assert_eq!(shifted(l(), 0), "abcdé");
        assert_eq!(shifted(l(), 3), "dé");
        assert_eq!(shifted(l(), 9), "");
        // A wide character cut in half leaves a space.
        assert_eq!(shifted(Line::from("a中b"), 2), " b");
    }

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
        // A last line taller than the page: from its start, not past it.
        let mut one = StyledText::default();
        one.push_plain("abcdefghij");
        assert_eq!(last_wrapped_page(&one, 2, 3), 0);
    }
}
