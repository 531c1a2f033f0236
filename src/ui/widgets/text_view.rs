//! Read-only display of precomputed [`StyledText`]: only the visible lines are turned into
//! ratatui lines, so a megabyte body costs no more to draw than a small one.

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

/// Clamp a scroll offset so the last page stays full.
pub fn clamp_scroll(scroll: usize, len: usize, height: usize) -> usize {
    scroll.min(len.saturating_sub(height))
}

/// A plain line in a style.
pub fn styled(text: impl Into<String>, style: Style) -> Line<'static> {
    Line::from(Span::styled(text.into(), style))
}
