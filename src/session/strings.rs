//! Where each character of a string value is written in its file, so a place in a mapping
//! template (a lint finding at line:col of the template) can be shown at its line and
//! column in the session file, through TOML's quotes, escapes and the line break a
//! multi-line string starts with. [`TextMap`] is shared with the importer, which reads
//! YAML and JSON strings the same way.

/// For each byte of a decoded string, the byte of the file it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextMap {
    /// `offsets[i]` is where decoded byte `i` is written; one more entry for the end.
    offsets: Vec<usize>,
    /// Whether every place is exact (`false`: some parts are only near, such as folded
    /// YAML lines).
    pub exact: bool,
}

impl TextMap {
    /// A map from per-byte offsets (`offsets.len()` is the decoded length plus one).
    pub fn new(offsets: Vec<usize>, exact: bool) -> TextMap {
        TextMap { offsets, exact }
    }

    /// Every byte at the same place: a string that starts at `start` and is `len` bytes
    /// long, written as it is.
    pub fn verbatim(start: usize, len: usize) -> TextMap {
        TextMap {
            offsets: (start..=start + len).collect(),
            exact: true,
        }
    }

    /// The file offset of byte `offset` of the decoded string.
    pub fn file_offset(&self, offset: usize) -> usize {
        let i = offset.min(self.offsets.len().saturating_sub(1));
        self.offsets.get(i).copied().unwrap_or(0)
    }
}

/// Decode the TOML string value that starts at byte `start` of `text` (at its opening
/// quote), with where each byte comes from. `None` when no string starts there.
pub fn toml_string(text: &str, start: usize) -> Option<(String, TextMap)> {
    let rest = text.get(start..)?;
    let (quote, multi) = if rest.starts_with("\"\"\"") {
        ('"', true)
    } else if rest.starts_with("'''") {
        ('\'', true)
    } else if rest.starts_with('"') {
        ('"', false)
    } else if rest.starts_with('\'') {
        ('\'', false)
    } else {
        return None;
    };
    let open = if multi { 3 } else { 1 };
    let mut i = start + open;
    if multi {
        // A line break right after the opening quotes is not part of the string.
        if text[i..].starts_with("\r\n") {
            i += 2;
        } else if text[i..].starts_with('\n') {
            i += 1;
        }
    }
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut offsets = Vec::new();
    let push = |out: &mut String, offsets: &mut Vec<usize>, c: char, at: usize| {
        for _ in 0..c.len_utf8() {
            offsets.push(at);
        }
        out.push(c);
    };
    loop {
        let c = text[i..].chars().next()?;
        let closes = if multi {
            // A closing delimiter may be preceded by up to two quotes of the content.
            text[i..].starts_with(&quote.to_string().repeat(3)) && !text[i + 3..].starts_with(quote)
        } else {
            c == quote
        };
        if closes {
            offsets.push(i);
            return Some((out, TextMap::new(offsets, true)));
        }
        if c == '\\' && quote == '"' {
            let next = *bytes.get(i + 1)?;
            let simple = match next {
                b'b' => Some('\u{8}'),
                b't' => Some('\t'),
                b'n' => Some('\n'),
                b'f' => Some('\u{c}'),
                b'r' => Some('\r'),
                b'e' => Some('\u{1b}'),
                b'"' => Some('"'),
                b'\\' => Some('\\'),
                _ => None,
            };
            if let Some(s) = simple {
                push(&mut out, &mut offsets, s, i);
                i += 2;
                continue;
            }
            if next == b'u' || next == b'U' {
                let n = if next == b'u' { 4 } else { 8 };
                let hex = text.get(i + 2..i + 2 + n)?;
                let ch = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
                push(&mut out, &mut offsets, ch, i);
                i += 2 + n;
                continue;
            }
            if multi {
                // A line-ending backslash: the break and the blanks after it are dropped.
                let mut j = i + 1;
                while matches!(bytes.get(j), Some(b' ' | b'\t')) {
                    j += 1;
                }
                if matches!(bytes.get(j), Some(b'\n' | b'\r')) {
                    while matches!(bytes.get(j), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                        j += 1;
                    }
                    i = j;
                    continue;
                }
            }
            return None;
        }
        if !multi && c == '\n' {
            return None;
        }
        push(&mut out, &mut offsets, c, i);
        i += c.len_utf8();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, want: &str) -> TextMap {
        let start = text.find(['"', '\'']).unwrap();
        let (s, map) = toml_string(text, start).unwrap();
        assert_eq!(s, want);
        map
    }

    #[test]
    fn basic_strings_map_escapes_to_their_backslash() {
        let text = "k = \"a\\\"b\\nc\\u00e9$\"\n";
        let map = check(text, "a\"b\nc\u{e9}$");
        assert_eq!(map.file_offset(0), 5);
        assert_eq!(map.file_offset(1), 6, "the quote comes from its backslash");
        assert_eq!(map.file_offset(2), 8);
        assert_eq!(map.file_offset(3), 9);
        assert_eq!(map.file_offset(5), 12, "é from \\u00e9");
        assert_eq!(map.file_offset(7), 18);
    }

    #[test]
    fn multi_line_strings_drop_the_first_break_and_continued_lines() {
        let text = "k = \"\"\"\n{\"a\": \\\n    1}\n\"\"\"\n";
        let map = check(text, "{\"a\": 1}\n");
        assert_eq!(map.file_offset(0), 8);
        assert_eq!(map.file_offset(6), text.find("1}").unwrap());
        let lit = "k = '''\nx \\n ''y'''\n";
        let map = check(lit, "x \\n ''y");
        assert_eq!(map.file_offset(2), 10);
        assert!(toml_string("k = 1", 4).is_none());
    }
}
