//! Syntax highlighting of templates with syntect and our own VTL grammar
//! (`syntaxes/vtl.sublime-syntax`, compiled in). It runs off the UI thread (the runtime calls
//! [`HighlightCache::highlight`] on `spawn_blocking`) and returns byte ranges with styles, which
//! the editor applies; nothing here runs inside `draw`.
//!
//! The cache keeps, per line, a hash of its text and the parser state after it, so an edit
//! re-highlights from the first changed line, and only down to the window the editor shows.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::Cursor;
use std::sync::OnceLock;

use ratatui::style::{Color, Modifier, Style};
use syntect::highlighting::{
    FontStyle, HighlightState, Highlighter, RangedHighlightIterator, Theme as SyntaxTheme, ThemeSet,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxDefinition, SyntaxSet, SyntaxSetBuilder};

use crate::app::view_model::{HighlightRequest, Highlighted, LineRanges};

/// Our VTL grammar (with JSON around the VTL).
pub const VTL_SYNTAX: &str = include_str!("syntaxes/vtl.sublime-syntax");

/// Lines longer than this are left plain: syntect's cost grows fast with line length and such
/// lines are data, not template logic.
pub const MAX_LINE_BYTES: usize = 4096;

/// The compiled VTL syntax set (built once, on first use, off the UI thread).
pub fn syntax_set() -> Option<&'static SyntaxSet> {
    static SET: OnceLock<Option<SyntaxSet>> = OnceLock::new();
    SET.get_or_init(|| {
        let def = SyntaxDefinition::load_from_str(VTL_SYNTAX, true, Some("vtl")).ok()?;
        let mut builder = SyntaxSetBuilder::new();
        builder.add(def);
        Some(builder.build())
    })
    .as_ref()
}

/// Parse a `.tmTheme` document.
pub fn parse_syntax_theme(source: &str) -> Option<SyntaxTheme> {
    ThemeSet::load_from_reader(&mut Cursor::new(source.as_bytes())).ok()
}

/// Convert a syntect style to ours. A colour with alpha 0 names an ANSI palette entry in its
/// red channel (bat's convention), so a theme can follow the terminal's own palette.
pub fn convert_style(s: syntect::highlighting::Style) -> Style {
    let c = s.foreground;
    let fg = if c.a == 0 {
        Color::Indexed(c.r)
    } else {
        Color::Rgb(c.r, c.g, c.b)
    };
    let mut style = Style::default().fg(fg);
    if s.font_style.contains(FontStyle::BOLD) {
        style = style.add_modifier(Modifier::BOLD);
    }
    if s.font_style.contains(FontStyle::ITALIC) {
        style = style.add_modifier(Modifier::ITALIC);
    }
    if s.font_style.contains(FontStyle::UNDERLINE) {
        style = style.add_modifier(Modifier::UNDERLINED);
    }
    style
}

struct CachedLine {
    hash: u64,
    ranges: LineRanges,
    parse: ParseState,
    highlight: HighlightState,
}

/// The highlighter's memory between requests; owned by the runtime's highlight worker.
#[derive(Default)]
pub struct HighlightCache {
    theme_source: Option<&'static str>,
    theme: Option<SyntaxTheme>,
    lines: Vec<CachedLine>,
}

fn hash_line(line: &str) -> u64 {
    let mut h = DefaultHasher::new();
    line.hash(&mut h);
    h.finish()
}

impl HighlightCache {
    /// Highlight `req.lines[..req.upto]`, reusing every cached line up to the first change.
    pub fn highlight(&mut self, req: &HighlightRequest) -> Highlighted {
        let mut out = Highlighted {
            generation: req.generation,
            rows: Vec::new(),
        };
        let Some(set) = syntax_set() else {
            return out;
        };
        if self.theme_source != Some(req.theme) {
            self.theme = parse_syntax_theme(req.theme);
            self.theme_source = Some(req.theme);
            self.lines.clear();
        }
        let Some(theme) = &self.theme else {
            return out;
        };
        let Some(syntax) = set.syntaxes().first() else {
            return out;
        };
        let highlighter = Highlighter::new(theme);
        let default_style = convert_style(syntect::highlighting::Style {
            foreground: theme
                .settings
                .foreground
                .unwrap_or(syntect::highlighting::Color::WHITE),
            background: syntect::highlighting::Color::BLACK,
            font_style: FontStyle::empty(),
        });
        let upto = req.upto.min(req.lines.len());
        // Reuse the cached prefix that still matches.
        let same = self
            .lines
            .iter()
            .zip(&req.lines)
            .take(upto)
            .take_while(|(c, l)| c.hash == hash_line(l))
            .count();
        self.lines.truncate(same);
        let (mut parse, mut hl) = match self.lines.last() {
            Some(c) => (c.parse.clone(), c.highlight.clone()),
            None => (
                ParseState::new(syntax),
                HighlightState::new(&highlighter, ScopeStack::new()),
            ),
        };
        let mut buf = String::new();
        for line in &req.lines[same..upto] {
            let mut ranges = LineRanges::new();
            if line.len() <= MAX_LINE_BYTES {
                buf.clear();
                buf.push_str(line);
                buf.push('\n');
                if let Ok(ops) = parse.parse_line(&buf, set) {
                    for (style, _, range) in
                        RangedHighlightIterator::new(&mut hl, &ops, &buf, &highlighter)
                    {
                        let end = range.end.min(line.len());
                        let style = convert_style(style);
                        if range.start < end && style != default_style {
                            ranges.push((range.start..end, style));
                        }
                    }
                }
            }
            self.lines.push(CachedLine {
                hash: hash_line(line),
                ranges,
                parse: parse.clone(),
                highlight: hl.clone(),
            });
        }
        out.rows = self.lines.iter().map(|c| c.ranges.clone()).collect();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The scope stack (as text) at the first byte of `needle` on line `row` of `src`.
    fn scopes_at(src: &str, row: usize, needle: &str) -> String {
        let set = syntax_set().expect("grammar compiles");
        let mut state = ParseState::new(&set.syntaxes()[0]);
        let mut stack = ScopeStack::new();
        for (i, line) in src.lines().enumerate() {
            let ops = state.parse_line(&format!("{line}\n"), set).unwrap();
            let target = (i == row).then(|| line.find(needle).expect("needle on the line"));
            for (pos, op) in ops {
                if target.is_some_and(|t| pos > t) {
                    break;
                }
                stack.apply(&op).unwrap();
            }
            if target.is_some() {
                return stack
                    .as_slice()
                    .iter()
                    .map(|s| s.build_string())
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
        panic!("row {row} not found")
    }

    #[track_caller]
    fn assert_scope(src: &str, row: usize, needle: &str, expected: &str) {
        let s = scopes_at(src, row, needle);
        assert!(
            s.contains(expected),
            "at {needle:?} on line {row}: expected {expected:?} in {s:?}"
        );
    }

    const SAMPLE: &str = r##"## a comment
#set($pet = $input.path('$'))
#if($pet.toys.size() > 0)
{
  "id": "$input.params('petId')",
  "count": 42,
  "ok": true
}
#else
#* block
   comment *#
{"statusCode": 404}
#end
#foreach($t in $pet.toys)"$t"#if($foreach.hasNext),#end#end
"##;

    #[test]
    fn grammar_compiles() {
        assert!(syntax_set().is_some());
    }

    #[test]
    fn directives_references_and_methods() {
        assert_scope(SAMPLE, 0, "a comment", "comment.line");
        assert_scope(SAMPLE, 1, "#set", "keyword.control.directive.vtl");
        assert_scope(SAMPLE, 1, "$pet", "variable.other.reference.vtl");
        assert_scope(SAMPLE, 1, "path", "support.function.method.vtl");
        assert_scope(SAMPLE, 1, "'$'", "string.quoted.single.vtl");
        assert_scope(SAMPLE, 2, "#if", "keyword.control.directive.vtl");
        assert_scope(SAMPLE, 2, "toys", "variable.other.member.vtl");
        assert_scope(SAMPLE, 2, "> 0", "keyword.operator.vtl");
        assert_scope(SAMPLE, 2, "0)", "constant.numeric.vtl");
        assert_scope(SAMPLE, 8, "#else", "keyword.control.directive.vtl");
        assert_scope(SAMPLE, 10, "comment", "comment.block.vtl");
        assert_scope(SAMPLE, 12, "#end", "keyword.control.directive.vtl");
        assert_scope(SAMPLE, 13, "in ", "keyword.operator.vtl");
        assert_scope(SAMPLE, 13, "hasNext", "variable.other.member.vtl");
    }

    #[test]
    fn json_inside_the_template() {
        assert_scope(SAMPLE, 4, "id", "support.type.property-name.json");
        assert_scope(SAMPLE, 4, "$input", "variable.other.reference.vtl");
        assert_scope(SAMPLE, 4, "$input", "string.quoted.double.json");
        assert_scope(SAMPLE, 4, "petId", "string.quoted.single.vtl");
        assert_scope(SAMPLE, 5, "42", "constant.numeric.json");
        assert_scope(SAMPLE, 6, "true", "constant.language.json");
        assert_scope(SAMPLE, 11, "404", "constant.numeric.json");
        assert_scope(SAMPLE, 11, "statusCode", "support.type.property-name.json");
    }

    #[test]
    fn an_open_quote_does_not_leak_past_its_line() {
        let src = "\"unterminated $x\n#if(true)\n";
        assert_scope(src, 1, "#if", "keyword.control.directive.vtl");
        let s = scopes_at(src, 1, "#if");
        assert!(!s.contains("string"), "{s}");
    }

    #[test]
    fn escapes_and_formal_references() {
        let src = "\\$notref ${formal.name} $!quiet #[[ raw $x ]]#\n";
        assert_scope(src, 0, "$notref", "constant.character.escape.vtl");
        assert_scope(src, 0, "formal", "variable.other.reference.vtl");
        assert_scope(src, 0, "name}", "variable.other.member.vtl");
        assert_scope(src, 0, "quiet", "variable.other.reference.vtl");
        assert_scope(src, 0, "raw", "markup.raw.unparsed.vtl");
    }

    fn request(lines: &[&str], upto: usize, generation: u64) -> HighlightRequest {
        HighlightRequest {
            generation,
            lines: lines.iter().map(|s| (*s).to_string()).collect(),
            upto,
            theme: crate::ui::style::Theme::default_dark(false)
                .syntax_theme_source()
                .unwrap(),
        }
    }

    #[test]
    fn highlights_incrementally_and_only_up_to_the_window() {
        let mut cache = HighlightCache::default();
        let lines = ["#if($a)", "{\"k\": 1}", "#end", "$b"];
        let r = cache.highlight(&request(&lines, 2, 1));
        assert_eq!(r.generation, 1);
        assert_eq!(r.rows.len(), 2);
        assert!(!r.rows[0].is_empty(), "#if is styled");
        let full = cache.highlight(&request(&lines, 10, 2));
        assert_eq!(full.rows.len(), 4);
        assert_eq!(full.rows[..2], r.rows[..]);
        // Changing line 2 keeps lines 0 and 1 and recomputes the rest.
        let changed = ["#if($a)", "{\"k\": 1}", "## now a comment", "$b"];
        let again = cache.highlight(&request(&changed, 10, 3));
        assert_eq!(again.rows[..2], full.rows[..2]);
        assert_ne!(again.rows[2], full.rows[2]);
        // Same result as a cold cache.
        let cold = HighlightCache::default().highlight(&request(&changed, 10, 3));
        assert_eq!(cold, again);
    }

    #[test]
    fn ansi_colours_in_themes() {
        let s = convert_style(syntect::highlighting::Style {
            foreground: syntect::highlighting::Color {
                r: 11,
                g: 0,
                b: 0,
                a: 0,
            },
            background: syntect::highlighting::Color::BLACK,
            font_style: FontStyle::BOLD,
        });
        assert_eq!(s.fg, Some(Color::Indexed(11)));
        assert!(s.add_modifier.contains(Modifier::BOLD));
    }
}
