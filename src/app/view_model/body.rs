//! Display-ready text for bodies and HTTP messages: pretty JSON (tokens re-indented, never
//! re-printed, so numbers and escapes stay byte for byte what the gateway produced), the
//! position of the first JSON error, and token kinds for colouring. Built when a result
//! arrives (in the background), so drawing only slices the visible lines.
//!
//! A [`StyledText`] is flat (one string, one line index, one token list) so a megabyte of
//! JSON costs three allocations, not one per line.

use std::ops::Range;

use crate::app::view_model::Tok;
use crate::gateway::trace::HttpMessage;

/// Lines longer than this are cut for display (the full text stays in the model for copy).
pub const MAX_DISPLAY_LINE: usize = 2000;

/// One display line: its text and its coloured byte ranges (relative to the line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StyledLine<'a> {
    /// The text.
    pub text: &'a str,
    /// Token kinds over byte ranges of `text` (gaps are plain).
    pub toks: &'a [(u32, u32, Tok)],
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct LineIndex {
    text: Range<usize>,
    toks: Range<usize>,
}

/// Display-ready lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StyledText {
    text: String,
    lines: Vec<LineIndex>,
    toks: Vec<(u32, u32, Tok)>,
}

/// Whether a text is JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JsonStatus {
    /// Valid JSON (shown pretty-printed).
    Valid,
    /// Not valid JSON: where the parser gave up (1-based) and why.
    Invalid {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        col: usize,
        /// The parser's message.
        message: String,
    },
    /// Empty (or only whitespace).
    Empty,
}

/// The longest prefix of `s` that fits the display limit, at a character boundary.
fn cut_at(s: &str, limit: usize) -> &str {
    if s.len() <= limit {
        return s;
    }
    let mut end = limit;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl StyledText {
    /// Plain lines.
    pub fn plain(text: &str) -> StyledText {
        let mut t = StyledText::default();
        for l in text.lines() {
            t.push_line(l, &[]);
        }
        t
    }

    /// Append a line with token ranges (relative to the line); a line past the display
    /// limit is cut and marked with `…`.
    pub fn push_line(&mut self, line: &str, toks: &[(Range<usize>, Tok)]) {
        let shown = cut_at(line, MAX_DISPLAY_LINE);
        let start = self.text.len();
        let tok_start = self.toks.len();
        self.text.push_str(shown);
        if shown.len() < line.len() {
            self.text.push('…');
        }
        for (r, tok) in toks {
            if r.end <= shown.len() {
                self.toks.push((r.start as u32, r.end as u32, *tok));
            }
        }
        self.lines.push(LineIndex {
            text: start..self.text.len(),
            toks: tok_start..self.toks.len(),
        });
    }

    /// Append a plain line.
    pub fn push_plain(&mut self, text: &str) {
        self.push_line(text, &[]);
    }

    /// Append another text's lines.
    pub fn extend(&mut self, other: &StyledText) {
        for i in 0..other.len() {
            let l = other.line(i);
            let start = self.text.len();
            let tok_start = self.toks.len();
            self.text.push_str(l.text);
            self.toks.extend_from_slice(l.toks);
            self.lines.push(LineIndex {
                text: start..self.text.len(),
                toks: tok_start..self.toks.len(),
            });
        }
    }

    /// Line `i` (empty past the end).
    pub fn line(&self, i: usize) -> StyledLine<'_> {
        match self.lines.get(i) {
            Some(l) => StyledLine {
                text: &self.text[l.text.clone()],
                toks: &self.toks[l.toks.clone()],
            },
            None => StyledLine {
                text: "",
                toks: &[],
            },
        }
    }

    /// The lines from `from` on.
    pub fn lines_from(&self, from: usize) -> impl Iterator<Item = StyledLine<'_>> {
        (from..self.len()).map(|i| self.line(i))
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether there are no lines.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Check a text for JSON and build its display: pretty when valid, the raw lines otherwise.
/// The exact text with its whitespace made visible, one display line per line of the text:
/// `·` for each space at the end of a line, `→` for a tab, `␍` for a carriage return and `⏎`
/// where a newline ends the line (so a missing final newline shows too).
pub fn visible_whitespace(text: &str) -> StyledText {
    let mut out = StyledText::default();
    if text.is_empty() {
        return out;
    }
    let mut rest = text;
    loop {
        let (line, newline, next) = match rest.find('\n') {
            Some(i) => (&rest[..i], true, Some(&rest[i + 1..])),
            None => (rest, false, None),
        };
        let body = line.trim_end_matches([' ', '\r', '\t']);
        let mut shown = String::with_capacity(line.len() + 8);
        let mut toks = Vec::new();
        let mut mark = |shown: &mut String, s: &str| {
            let start = shown.len();
            shown.push_str(s);
            toks.push((start..shown.len(), Tok::Punct));
        };
        for c in body.chars() {
            if c == '\t' {
                mark(&mut shown, "→");
            } else if c == '\r' {
                mark(&mut shown, "␍");
            } else {
                shown.push(c);
            }
        }
        for c in line[body.len()..].chars() {
            mark(
                &mut shown,
                match c {
                    '\t' => "→",
                    '\r' => "␍",
                    _ => "·",
                },
            );
        }
        if newline {
            mark(&mut shown, "⏎");
        }
        out.push_line(&shown, &toks);
        match next {
            Some(n) if !n.is_empty() => rest = n,
            _ => break,
        }
    }
    out
}

pub fn json_or_plain(text: &str) -> (StyledText, JsonStatus) {
    if text.trim().is_empty() {
        return (StyledText::plain(text), JsonStatus::Empty);
    }
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => (pretty_json(text), JsonStatus::Valid),
        Err(e) => {
            let message = e.to_string();
            // serde_json appends " at line L column C"; the position is shown separately.
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m)
                .to_string();
            (
                StyledText::plain(text),
                JsonStatus::Invalid {
                    line: e.line(),
                    col: e.column(),
                    message,
                },
            )
        }
    }
}

struct Printer {
    out: StyledText,
    line_start: usize,
    tok_start: usize,
    indent: usize,
}

impl Printer {
    fn push(&mut self, s: &str, tok: Tok) {
        let out = &mut self.out;
        let used = out.text.len() - self.line_start;
        if used >= MAX_DISPLAY_LINE {
            if !out.text.ends_with('…') {
                out.text.push('…');
            }
            return;
        }
        let shown = cut_at(s, MAX_DISPLAY_LINE - used);
        let start = used;
        out.text.push_str(shown);
        if shown.len() < s.len() {
            out.text.push('…');
        }
        if tok != Tok::Plain {
            let end = start + shown.len();
            out.toks.push((start as u32, end as u32, tok));
        }
    }

    fn newline(&mut self) {
        let out = &mut self.out;
        out.lines.push(LineIndex {
            text: self.line_start..out.text.len(),
            toks: self.tok_start..out.toks.len(),
        });
        self.line_start = out.text.len();
        self.tok_start = out.toks.len();
        for _ in 0..self.indent {
            out.text.push_str("  ");
        }
    }
}

/// Re-indent valid JSON by its tokens (2 spaces), marking keys, strings, numbers, literals
/// and punctuation. The caller has checked that `text` is valid JSON.
pub fn pretty_json(text: &str) -> StyledText {
    let bytes = text.as_bytes();
    let mut p = Printer {
        out: StyledText {
            text: String::with_capacity(text.len() + text.len() / 4),
            ..StyledText::default()
        },
        line_start: 0,
        tok_start: 0,
        indent: 0,
    };
    let next_non_ws = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'{' | b'[' => {
                let close = if b == b'{' { b'}' } else { b']' };
                let j = next_non_ws(i + 1);
                if j < bytes.len() && bytes[j] == close {
                    p.push(if b == b'{' { "{}" } else { "[]" }, Tok::Punct);
                    i = j + 1;
                } else {
                    p.push(&text[i..=i], Tok::Punct);
                    p.indent += 1;
                    p.newline();
                    i += 1;
                }
            }
            b'}' | b']' => {
                p.indent = p.indent.saturating_sub(1);
                p.newline();
                p.push(&text[i..=i], Tok::Punct);
                i += 1;
            }
            b',' => {
                p.push(",", Tok::Punct);
                p.newline();
                i += 1;
            }
            b':' => {
                p.push(":", Tok::Punct);
                p.push(" ", Tok::Plain);
                i += 1;
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(bytes.len());
                let j = next_non_ws(i);
                let tok = if j < bytes.len() && bytes[j] == b':' {
                    Tok::Key
                } else {
                    Tok::Str
                };
                p.push(&text[start..i], tok);
            }
            _ => {
                let start = i;
                while i < bytes.len()
                    && !matches!(bytes[i], b',' | b'}' | b']' | b':')
                    && !bytes[i].is_ascii_whitespace()
                {
                    i += 1;
                }
                // Skip over a stray byte rather than loop forever (text is valid JSON anyway).
                i = i.max(start + 1);
                let word = &text[start..i];
                let tok = if matches!(word, "true" | "false" | "null") {
                    Tok::Literal
                } else {
                    Tok::Num
                };
                p.push(word, tok);
            }
        }
    }
    if !p.out.text[p.line_start..].trim().is_empty() {
        p.indent = 0;
        p.newline();
    }
    p.out
}

/// An HTTP message for display: request line or status line, headers, a blank line, the body
/// (pretty when it is JSON).
pub fn http_message(m: &HttpMessage) -> StyledText {
    let mut out = StyledText::default();
    let first = if m.status == 0 {
        format!("{} {}", m.method, m.url)
    } else {
        format!("HTTP {}", m.status)
    };
    out.push_line(&first, &[(0..first.len(), Tok::Header)]);
    for (k, v) in &m.headers {
        out.push_line(&format!("{k}: {v}"), &[(0..k.len(), Tok::Header)]);
    }
    let body = m.body_text();
    if !body.is_empty() {
        out.push_plain("");
        out.extend(&json_or_plain(&body).0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &StyledText) -> Vec<&str> {
        t.lines_from(0).map(|l| l.text).collect()
    }

    #[test]
    fn pretty_keeps_tokens_verbatim() {
        let (t, s) = json_or_plain(r#"{"a":1.50,"b":[true,null,"x\"y"],"c":{},"d":[]}"#);
        assert_eq!(s, JsonStatus::Valid);
        assert_eq!(
            texts(&t),
            [
                "{",
                r#"  "a": 1.50,"#,
                r#"  "b": ["#,
                "    true,",
                "    null,",
                r#"    "x\"y""#,
                "  ],",
                r#"  "c": {},"#,
                r#"  "d": []"#,
                "}"
            ]
        );
        assert!(t.line(1).toks.contains(&(2, 5, Tok::Key)));
        assert!(t.line(1).toks.contains(&(7, 11, Tok::Num)));
        assert!(t.line(3).toks.contains(&(4, 8, Tok::Literal)));
    }

    #[test]
    fn invalid_json_has_a_position() {
        let (t, s) = json_or_plain("{\n  \"a\": 1,\n}");
        assert_eq!(texts(&t), ["{", "  \"a\": 1,", "}"]);
        match s {
            JsonStatus::Invalid { line, col, message } => {
                assert_eq!((line, col), (3, 1));
                assert!(!message.contains(" at line "), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(json_or_plain("  \n").1, JsonStatus::Empty);
    }

    #[test]
    fn scalars_and_long_lines() {
        assert_eq!(texts(&json_or_plain("42").0), ["42"]);
        let long = format!("\"{}\"", "x".repeat(5000));
        let (t, _) = json_or_plain(&long);
        assert!(t.line(0).text.len() <= MAX_DISPLAY_LINE + 4);
        assert!(t.line(0).text.ends_with('…'));
    }

    #[test]
    fn http_messages() {
        let m = HttpMessage {
            method: "POST".into(),
            url: "http://127.0.0.1/x".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: b"{\"a\":1}".to_vec(),
            ..HttpMessage::default()
        };
        assert_eq!(
            texts(&http_message(&m)),
            [
                "POST http://127.0.0.1/x",
                "Content-Type: application/json",
                "",
                "{",
                "  \"a\": 1",
                "}"
            ]
        );
    }
}
