//! Where an imported method's mapping templates and header mappings are written in the
//! file, so a lint finding at line:col of a template is shown at its line and column in the
//! OpenAPI or CloudFormation file: through YAML block scalars (`|`), quoted scalars and
//! JSON strings with their escapes. A template the map cannot follow character by
//! character (a folded `>` block, `Fn::Join`, a `!Sub` whose `${!Literal}` escapes changed
//! the text) is placed at the start of its string, and said to be near only.

use super::node::{Kind, Node};
use crate::session::strings::TextMap;

/// Where a value starts: 1-based line, 0-based character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct At {
    pub line: usize,
    pub col: usize,
}

/// What of a method to find.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OriginKey {
    /// A template: the integration response's key (`None` for the request template) and
    /// the content type.
    Template {
        /// `None`: the request template.
        response: Option<String>,
        /// The content type it is keyed by.
        content_type: String,
    },
    /// A setting, by its keys under the method as a session writes them
    /// (`integration.requestParameters.<key>`).
    Setting(Vec<String>),
}

/// The places of one method's templates and settings.
#[derive(Clone, Debug, Default)]
pub(crate) struct MethodOrigins {
    pub templates: Vec<(Option<String>, String, At)>,
    pub settings: Vec<(Vec<String>, At)>,
}

/// Where the imported methods' templates and settings are written, by resource path and
/// verb.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    methods: Vec<((String, String), MethodOrigins)>,
}

impl Origins {
    /// Record a method's places (the first record of a method wins, as the first
    /// definition of a method does).
    pub(crate) fn record(&mut self, path: &str, verb: &str, origins: MethodOrigins) {
        let key = (path.to_string(), verb.to_string());
        if !self.methods.iter().any(|(k, _)| *k == key) {
            self.methods.push((key, origins));
        }
    }

    /// The 1-based line and column in `text` (the imported file) of byte `offset` of a
    /// template (`template` is its text as imported), or of a setting; and whether the
    /// place is exact.
    pub fn locate(
        &self,
        text: &str,
        path: &str,
        verb: &str,
        what: &OriginKey,
        template: &str,
        offset: usize,
    ) -> Option<(usize, usize, bool)> {
        let (_, m) = self
            .methods
            .iter()
            .find(|((p, v), _)| p == path && v == verb)?;
        match what {
            OriginKey::Template {
                response,
                content_type,
            } => {
                let at = m
                    .templates
                    .iter()
                    .find(|(r, ct, _)| r == response && ct == content_type)?
                    .2;
                let start = byte_of(text, at)?;
                match scalar(text, start) {
                    Some((decoded, map)) if decoded == template => {
                        let (line, col) =
                            crate::session::locate::line_col(text, map.file_offset(offset));
                        Some((line, col, map.exact))
                    }
                    _ => Some((at.line, at.col + 1, false)),
                }
            }
            OriginKey::Setting(keys) => {
                let at = m.settings.iter().find(|(k, _)| k == keys)?.1;
                Some((at.line, at.col + 1, true))
            }
        }
    }
}

/// Where the text of a template value starts: inside `!Sub`, `Fn::Sub` (also its list
/// form), else the value itself.
pub(crate) fn scalar_at(node: &Node) -> At {
    let at = At {
        line: node.line,
        col: node.col,
    };
    match &node.kind {
        Kind::Map(entries) if entries.len() == 1 && entries[0].key == "Fn::Sub" => {
            scalar_at(&entries[0].value)
        }
        Kind::Seq(items) => items.first().map_or(at, scalar_at),
        _ => at,
    }
}

/// The byte offset of a line and character column.
fn byte_of(text: &str, at: At) -> Option<usize> {
    let mut start = 0;
    for _ in 1..at.line {
        start += text[start..].find('\n')? + 1;
    }
    let line = &text[start..];
    let skip: usize = line.chars().take(at.col).map(char::len_utf8).sum();
    Some(start + skip)
}

/// Decode the YAML (or JSON) scalar that starts at byte `start` (after a tag such as
/// `!Sub`, if one is there), with where each byte of it is written.
pub(crate) fn scalar(text: &str, start: usize) -> Option<(String, TextMap)> {
    let mut i = start;
    // The YAML parser places a block scalar where its first line starts, past the `|`.
    if let Some(header) = block_header_before(text, i) {
        return if text[header..].starts_with('|') {
            literal_block(text, header)
        } else {
            None
        };
    }
    if text[i..].starts_with('!') {
        i += text[i..].find([' ', '\t', '\n'])?;
        i += text[i..].len() - text[i..].trim_start_matches([' ', '\t']).len();
    }
    match text[i..].chars().next()? {
        '|' => literal_block(text, i),
        '"' => quoted(text, i, '"'),
        '\'' => quoted(text, i, '\''),
        '>' => None,
        _ => {
            let end = text[i..].find(['\n', '\r']).map_or(text.len(), |n| i + n);
            let mut line = &text[i..end];
            if let Some(c) = line.find(" #") {
                line = &line[..c];
            }
            let line = line.trim_end();
            Some((line.to_string(), TextMap::verbatim(i, line.len())))
        }
    }
}

/// Where the `|` or `>` of the block scalar whose first line starts at `at` is (the end of
/// an earlier line, past blank ones), if the value at `at` is one.
fn block_header_before(text: &str, at: usize) -> Option<usize> {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    if !text[line_start..at].bytes().all(|b| b == b' ') || line_start == 0 {
        return None;
    }
    let mut end = line_start - 1;
    loop {
        let start = text[..end].rfind('\n').map_or(0, |n| n + 1);
        let line = text[start..end].trim_end_matches('\r');
        let content = match line.find(" #") {
            Some(c) => &line[..c],
            None => line,
        }
        .trim_end();
        if content.trim().is_empty() {
            if start == 0 {
                return None;
            }
            end = start - 1;
            continue;
        }
        // `key: |`, `- |-`, `key: |2+`: the indicator and its modifiers, after a blank.
        let token = content.rsplit([' ', '\t']).next().unwrap_or("");
        let token_start = content.len() - token.len();
        let ok = token.starts_with(['|', '>'])
            && token[1..]
                .bytes()
                .all(|b| matches!(b, b'+' | b'-' | b'0'..=b'9'));
        return ok.then_some(start + token_start);
    }
}

/// A `|` block: each line without the block's indentation, chomped as its header says.
fn literal_block(text: &str, at: usize) -> Option<(String, TextMap)> {
    let header_end = text[at..].find('\n').map(|n| at + n)?;
    let header = text[at + 1..header_end]
        .split(" #")
        .next()
        .unwrap_or("")
        .trim();
    let chomp = if header.contains('-') {
        '-'
    } else if header.contains('+') {
        '+'
    } else {
        ' '
    };
    let mut out = String::new();
    let mut offsets = Vec::new();
    let mut indent: Option<usize> = None;
    let mut pos = header_end + 1;
    while pos < text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |n| pos + n);
        let line = text[pos..line_end].trim_end_matches('\r');
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if line.trim().is_empty() {
            out.push('\n');
            offsets.push(pos + line.len().min(indent.unwrap_or(0)));
        } else {
            let n = *indent.get_or_insert(spaces);
            if spaces < n || n == 0 {
                break;
            }
            for (k, c) in line[n..].char_indices() {
                for _ in 0..c.len_utf8() {
                    offsets.push(pos + n + k);
                }
                out.push(c);
            }
            out.push('\n');
            offsets.push(pos + line.len());
        }
        pos = line_end + 1;
    }
    // Chomping: clip keeps one final line break, strip none, keep all.
    let content_end = out.trim_end_matches('\n').len();
    let keep = match chomp {
        '-' => content_end,
        '+' => out.len(),
        _ => (content_end + 1).min(out.len()),
    };
    out.truncate(keep);
    offsets.truncate(keep);
    offsets.push(offsets.last().map_or(header_end + 1, |o| o + 1));
    Some((out, TextMap::new(offsets, true)))
}

/// A quoted scalar (`"` with YAML's and JSON's escapes, `'` with `''`), folding line breaks
/// as YAML does.
fn quoted(text: &str, at: usize, quote: char) -> Option<(String, TextMap)> {
    let mut out = String::new();
    let mut offsets: Vec<usize> = Vec::new();
    let mut exact = true;
    let push = |out: &mut String, offsets: &mut Vec<usize>, c: char, from: usize| {
        for _ in 0..c.len_utf8() {
            offsets.push(from);
        }
        out.push(c);
    };
    let mut i = at + 1;
    loop {
        let c = text[i..].chars().next()?;
        if c == quote {
            if quote == '\'' && text[i + 1..].starts_with('\'') {
                push(&mut out, &mut offsets, '\'', i);
                i += 2;
                continue;
            }
            offsets.push(i);
            return Some((out, TextMap::new(offsets, exact)));
        }
        if c == '\\' && quote == '"' {
            let next = text[i + 1..].chars().next()?;
            let simple = match next {
                '0' => Some('\0'),
                'a' => Some('\u{7}'),
                'b' => Some('\u{8}'),
                't' | '\t' => Some('\t'),
                'n' => Some('\n'),
                'v' => Some('\u{b}'),
                'f' => Some('\u{c}'),
                'r' => Some('\r'),
                'e' => Some('\u{1b}'),
                ' ' => Some(' '),
                '"' => Some('"'),
                '/' => Some('/'),
                '\\' => Some('\\'),
                'N' => Some('\u{85}'),
                '_' => Some('\u{a0}'),
                'L' => Some('\u{2028}'),
                'P' => Some('\u{2029}'),
                _ => None,
            };
            if let Some(s) = simple {
                push(&mut out, &mut offsets, s, i);
                i += 2;
                continue;
            }
            let n = match next {
                'x' => 2,
                'u' => 4,
                'U' => 8,
                '\n' | '\r' => {
                    // An escaped line break: the break and the next line's indentation go.
                    i += 1;
                    i += text[i..].len() - text[i..].trim_start_matches(['\r', '\n']).len();
                    i += text[i..].len() - text[i..].trim_start_matches([' ', '\t']).len();
                    continue;
                }
                _ => return None,
            };
            let hex = text.get(i + 2..i + 2 + n)?;
            let mut ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?);
            let mut used = 2 + n;
            // A JSON surrogate pair (\ud83d\ude00).
            if ch.is_none() && n == 4 && text[i + 6..].starts_with("\\u") {
                let hi = u32::from_str_radix(hex, 16).ok()?;
                let lo = u32::from_str_radix(text.get(i + 8..i + 12)?, 16).ok()?;
                ch = char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
                used = 12;
            }
            push(&mut out, &mut offsets, ch?, i);
            i += used;
            continue;
        }
        if c == '\n' || c == '\r' {
            // Folding: blanks before the break go; empty lines give line breaks, else
            // one space; the next line's indentation goes.
            exact = false;
            while out.ends_with([' ', '\t']) {
                out.pop();
                offsets.pop();
            }
            let mut j = i;
            let mut breaks = 0;
            loop {
                j += text[j..].len() - text[j..].trim_start_matches([' ', '\t']).len();
                if text[j..].starts_with("\r\n") {
                    j += 2;
                } else if text[j..].starts_with('\n') || text[j..].starts_with('\r') {
                    j += 1;
                } else {
                    break;
                }
                breaks += 1;
            }
            if breaks <= 1 {
                push(&mut out, &mut offsets, ' ', i);
            } else {
                for _ in 1..breaks {
                    push(&mut out, &mut offsets, '\n', i);
                }
            }
            i = j;
            continue;
        }
        push(&mut out, &mut offsets, c, i);
        i += c.len_utf8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).unwrap()
    }

    #[test]
    fn literal_blocks_map_each_line() {
        let text = "a:\n  t: |\n    {\n      \"x\": \"$y\"\n    }\n  b: 1\n";
        let (s, map) = scalar(text, at(text, "|")).unwrap();
        assert_eq!(s, "{\n  \"x\": \"$y\"\n}\n");
        assert_eq!(map.file_offset(s.find("$y").unwrap()), at(text, "$y"));
        let strip = "t: |-\n  x\n\n";
        assert_eq!(scalar(strip, 3).unwrap().0, "x");
        // Placed where its first line starts, as the YAML parser places it.
        let (s2, _) = scalar(text, at(text, "{")).unwrap();
        assert_eq!(s2, s);
        let keep = "t: |+\n  x\n\n";
        assert_eq!(scalar(keep, at(keep, "x")).unwrap().0, "x\n\n");
        let strip_first_line = "t: |-\n\n  x\n";
        assert_eq!(
            scalar(strip_first_line, at(strip_first_line, "x"))
                .unwrap()
                .0,
            "\nx"
        );
    }

    #[test]
    fn json_strings_map_escapes() {
        let text = "{\"t\": \"{\\\"x\\\": \\\"$y\\\"}\\n#if($a)\"}";
        let (s, map) = scalar(text, at(text, "\"{")).unwrap();
        assert_eq!(s, "{\"x\": \"$y\"}\n#if($a)");
        assert_eq!(map.file_offset(s.find("$y").unwrap()), at(text, "$y"));
        assert_eq!(map.file_offset(s.find("#if").unwrap()), at(text, "#if"));
    }

    #[test]
    fn tags_and_single_quotes() {
        let text = "t: !Sub '{''a'': \"${X}\"}'\n";
        let (s, map) = scalar(text, at(text, "!Sub")).unwrap();
        assert_eq!(s, "{'a': \"${X}\"}");
        assert_eq!(map.file_offset(s.find("${X}").unwrap()), at(text, "${X}"));
        let plain = "t: $input.body # c\n";
        assert_eq!(scalar(plain, 3).unwrap().0, "$input.body");
        assert!(scalar("t: >\n  x\n", 3).is_none());
    }
}
