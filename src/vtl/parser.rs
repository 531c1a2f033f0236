//! A hand-written parser for the Velocity 1.7 template language.
//!
//! It accepts exactly what Velocity 1.7 accepts (see `VELOCITY-FINDINGS.md` in the shared
//! conformance folder), including its whitespace rules: a directive's closing `)` (and `#else`,
//! `#end`) takes the blanks and the one line break that follow it; `#set` also takes the blanks
//! before it unless ordinary text took them first.

use std::rc::Rc;

use super::ast::{BinOp, Block, Expr, MacroCall, MacroDef, Node, Pos, RefPart, Reference, Special};
use super::error::{ErrorKind, VtlError, line_col};
use super::value::Value;

/// The directives Velocity 1.7 knows (anything else after `#` may be a macro call).
const DIRECTIVES: &[&str] = &[
    "set", "if", "elseif", "else", "end", "foreach", "include", "parse", "macro", "define",
    "evaluate", "break", "stop", "literal",
];

/// A parsed template: its nodes and the macros it defines.
pub struct Parsed {
    /// Top-level nodes.
    pub nodes: Block,
    /// `#macro` definitions found anywhere in the template (Velocity registers them while
    /// parsing, so a call may come before the definition).
    pub macros: Vec<Rc<MacroDef>>,
}

/// Parse a template. `base` is added to every position (for templates embedded in another
/// source, such as string literals).
pub fn parse(src: &str) -> Result<Parsed, VtlError> {
    let mut p = Parser::new(src, 0, false);
    let (nodes, term) = p.block()?;
    match term {
        Term::Eof => Ok(Parsed {
            nodes: nodes.into(),
            macros: p.macros,
        }),
        Term::End(pos) => Err(p.error_at(
            pos,
            "#end without a matching #if, #foreach, #macro or #define",
        )),
        Term::Else(pos) => Err(p.error_at(pos, "#else without a matching #if")),
        Term::ElseIf(_, pos) => Err(p.error_at(pos, "#elseif without a matching #if")),
    }
}

/// How a block ended.
enum Term {
    Eof,
    End(usize),
    Else(usize),
    ElseIf(Expr, usize),
}

struct Parser<'s> {
    src: &'s str,
    /// The whole template (`src` is a part of it inside string literals), so that messages
    /// can name the line and column of another place (the `#if` an `#end` is missing for).
    full: &'s str,
    b: &'s [u8],
    pos: usize,
    /// Offset of `src` inside the whole template (for string literals).
    base: usize,
    /// Inside an interpolated string literal: a trailing `$` or `#` is plain text there.
    in_string: bool,
    macros: Vec<Rc<MacroDef>>,
    /// Current nesting of blocks and bracketed expressions (bounded, so no input can
    /// overflow the stack).
    depth: usize,
    /// Operators in the expression being parsed.
    operators: usize,
    /// Parameters of the macro whose body is being parsed.
    macro_params: Rc<[Rc<str>]>,
    /// One shared string per variable name, so lookups can compare names by pointer.
    names: rustc_hash::FxHashMap<Box<str>, Rc<str>>,
    /// Where the text being gathered for the next text node starts (local offset).
    text_start: usize,
}

/// Most operators one expression may have.
const MAX_OPERATORS: usize = 400;

/// Deepest nesting of blocks, parentheses, lists and maps the parser accepts.
const MAX_NESTING: usize = 100;

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn is_word_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

impl<'s> Parser<'s> {
    fn new(src: &'s str, base: usize, in_string: bool) -> Self {
        Parser {
            src,
            full: src,
            b: src.as_bytes(),
            pos: 0,
            base,
            in_string,
            macros: Vec::new(),
            depth: 0,
            operators: 0,
            macro_params: Rc::new([]),
            names: rustc_hash::FxHashMap::default(),
            text_start: 0,
        }
    }

    fn intern(&mut self, name: &str) -> Rc<str> {
        if let Some(rc) = self.names.get(name) {
            return rc.clone();
        }
        let rc: Rc<str> = Rc::from(name);
        self.names.insert(name.into(), rc.clone());
        rc
    }

    fn nest(&mut self) -> Result<(), VtlError> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.error_at(
                self.pos,
                format!(
                    "the template nests blocks or brackets more than {MAX_NESTING} levels deep"
                ),
            ));
        }
        Ok(())
    }

    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn peek(&self) -> u8 {
        self.at(self.pos)
    }

    fn gpos(&self, local: usize) -> Pos {
        u32::try_from(self.base + local).unwrap_or(u32::MAX)
    }

    fn error_at(&self, local: usize, msg: impl Into<String>) -> VtlError {
        VtlError::new(ErrorKind::Parse, self.gpos(local), msg.into())
    }

    /// "line L, column C" of a local position, counted in the whole template.
    fn line_col_text(&self, local: usize) -> String {
        let (line, col) = line_col(self.full, self.base + local);
        format!("line {line}, column {col}")
    }

    /// A block opened at `open` (`what`: "#if", "#foreach", ...) reached the end of the
    /// template: the error points at the opening directive, which is what needs an `#end`.
    fn unclosed(&self, what: &str, open: usize) -> VtlError {
        self.error_at(
            open,
            format!("{what} at {} is missing its #end", self.line_col_text(open)),
        )
    }

    /// A `(` opened at `open` reached the end of the template unclosed.
    fn unclosed_paren(&self, what: &str, open: usize) -> VtlError {
        self.error_at(
            self.pos,
            format!(
                "missing ')' to close the {what} opened at {}",
                self.line_col_text(open)
            ),
        )
    }

    /// Describe what is at `pos` for "found ..." messages.
    fn found(&self, at: usize) -> String {
        if at >= self.b.len() {
            return "end of template".to_string();
        }
        let rest = &self.src[at..];
        let token: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace())
            .take(12)
            .collect();
        if token.is_empty() {
            let c = rest.chars().next().unwrap_or(' ');
            format!("{c:?}")
        } else {
            format!("'{token}'")
        }
    }

    fn expected(&self, what: &str) -> VtlError {
        self.error_at(
            self.pos,
            format!("expected {what}, found {}", self.found(self.pos)),
        )
    }

    /// Length of a line break at `i` (`\n`, `\r\n`, `\r`), or 0.
    fn newline_len(&self, i: usize) -> usize {
        match self.at(i) {
            b'\n' => 1,
            b'\r' if self.at(i + 1) == b'\n' => 2,
            b'\r' => 1,
            _ => 0,
        }
    }

    /// After a directive: take blanks plus one line break, if a line break follows them.
    /// Returns what was taken.
    fn eat_trailing_newline(&mut self) -> &'s str {
        let start = self.pos;
        let mut i = self.pos;
        while is_blank(self.at(i)) {
            i += 1;
        }
        let n = self.newline_len(i);
        if n > 0 {
            self.pos = i + n;
        }
        &self.src[start..self.pos]
    }

    /// Skip spaces, tabs and line breaks inside a directive.
    fn skip_ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn expect_byte(&mut self, c: u8, what: &str) -> Result<(), VtlError> {
        if self.peek() == c {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    fn ident_at(&self, i: usize) -> usize {
        let mut j = i;
        if is_ident_start(self.at(j)) {
            j += 1;
            while is_ident_char(self.at(j)) {
                j += 1;
            }
        }
        j
    }

    fn word_at(&self, i: usize) -> usize {
        let mut j = i;
        if is_ident_start(self.at(j)) {
            j += 1;
            while is_word_char(self.at(j)) {
                j += 1;
            }
        }
        j
    }

    // ---------------------------------------------------------------- blocks and text

    fn block(&mut self) -> Result<(Vec<Node>, Term), VtlError> {
        self.nest()?;
        // A block inside a directive (a block macro call's body) gathers its own text; the
        // text gathered before the directive keeps its start.
        let outer_text = self.text_start;
        let r = self.block_inner();
        self.text_start = outer_text;
        self.depth -= 1;
        r
    }

    fn block_inner(&mut self) -> Result<(Vec<Node>, Term), VtlError> {
        let mut nodes = Vec::new();
        let mut text = String::new();
        loop {
            // Plain text up to the next special character.
            let start = self.pos;
            if text.is_empty() {
                self.text_start = start;
            }
            while self.pos < self.b.len() && !matches!(self.b[self.pos], b'$' | b'#' | b'\\') {
                self.pos += 1;
            }
            text.push_str(&self.src[start..self.pos]);
            if self.pos >= self.b.len() {
                flush(&mut nodes, &mut text, self.gpos(self.text_start));
                return Ok((nodes, Term::Eof));
            }
            if text.is_empty() {
                self.text_start = self.pos;
            }
            match self.b[self.pos] {
                b'$' => self.dollar(&mut nodes, &mut text)?,
                b'\\' => self.backslash(&mut nodes, &mut text)?,
                _ => {
                    if let Some(term) = self.hash(&mut nodes, &mut text)? {
                        flush(&mut nodes, &mut text, self.gpos(self.text_start));
                        return Ok((nodes, term));
                    }
                }
            }
        }
    }

    /// Whether a reference starts at `i` (`$name`, `$!name`, `${name}`, `$!{name}`).
    fn reference_starts(&self, i: usize) -> bool {
        let mut j = i + 1;
        if self.at(j) == b'!' {
            j += 1;
        }
        if self.at(j) == b'{' {
            j += 1;
        }
        is_ident_start(self.at(j))
    }

    fn dollar(&mut self, nodes: &mut Vec<Node>, text: &mut String) -> Result<(), VtlError> {
        let start = self.pos;
        if self.reference_starts(start) {
            let reference = self.reference()?;
            flush(nodes, text, self.gpos(self.text_start));
            nodes.push(Node::Ref {
                reference: Box::new(reference),
                escapes: 0,
            });
            return Ok(());
        }
        let next = self.at(start + 1);
        let at_end = start + 1 >= self.b.len() || (next == b'!' && start + 2 >= self.b.len());
        if at_end && !self.in_string {
            return Err(self.error_at(start, "a template cannot end with '$'"));
        }
        // `$!` not followed by a name drops the `!`.
        text.push('$');
        self.pos = if next == b'!' && !at_end {
            start + 2
        } else {
            start + 1
        };
        Ok(())
    }

    fn backslash(&mut self, nodes: &mut Vec<Node>, text: &mut String) -> Result<(), VtlError> {
        let start = self.pos;
        let mut i = start;
        while self.at(i) == b'\\' {
            i += 1;
        }
        let n = i - start;
        if self.at(i) == b'$' && self.reference_starts(i) {
            self.pos = i;
            let reference = self.reference()?;
            flush(nodes, text, self.gpos(self.text_start));
            nodes.push(Node::Ref {
                reference: Box::new(reference),
                escapes: u32::try_from(n).unwrap_or(u32::MAX),
            });
            return Ok(());
        }
        if self.at(i) == b'#'
            && let Some((name, end)) = self.directive_name(i)
            && DIRECTIVES.contains(&name)
        {
            let is_set = name == "set";
            if n % 2 == 1 {
                // Escaped: the backslashes halve and the directive name is text;
                // what follows is parsed as ordinary template text.
                let keep = if is_set { n - 1 } else { (n - 1) / 2 };
                push_backslashes(text, keep);
                text.push_str(&self.src[i..end]);
                self.pos = end;
            } else {
                // An even run: the directive is real. Before `#set` every
                // backslash prints; before other directives, half of them.
                push_backslashes(text, if is_set { n } else { n / 2 });
                self.pos = i;
            }
            return Ok(());
        }
        push_backslashes(text, n);
        self.pos = i;
        Ok(())
    }

    /// `#name` or `#{name}` at `i`: the name and the position after it.
    fn directive_name(&self, i: usize) -> Option<(&'s str, usize)> {
        if self.at(i + 1) == b'{' {
            let end = self.word_at(i + 2);
            if end > i + 2 && self.at(end) == b'}' {
                return Some((&self.src[i + 2..end], end + 1));
            }
            return None;
        }
        let at = if self.at(i + 1) == b'@' { i + 2 } else { i + 1 };
        let end = self.word_at(at);
        (end > at).then(|| (&self.src[i + 1..end], end))
    }

    /// Handle `#...` in text. Returns a terminator when the block ends here.
    fn hash(&mut self, nodes: &mut Vec<Node>, text: &mut String) -> Result<Option<Term>, VtlError> {
        let start = self.pos;
        match self.at(start + 1) {
            b'#' => {
                // Line comment: up to and including the line break.
                flush(nodes, text, self.gpos(self.text_start));
                let mut i = start + 2;
                while i < self.b.len() && self.newline_len(i) == 0 {
                    i += 1;
                }
                self.pos = i + self.newline_len(i);
                return Ok(None);
            }
            b'*' => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = match self.src[start + 2..].find("*#") {
                    Some(off) => start + 2 + off + 2,
                    None => self.b.len(),
                };
                return Ok(None);
            }
            b'[' if self.at(start + 2) == b'[' => {
                let body = start + 3;
                let Some(off) = self.src[body..].find("]]#") else {
                    return Err(self.error_at(start, "unclosed #[[ ... ]]# (no ']]#' found)"));
                };
                flush(nodes, text, self.gpos(self.text_start));
                nodes.push(Node::Text(
                    self.src[body..body + off].into(),
                    self.gpos(body),
                ));
                self.pos = body + off + 3;
                return Ok(None);
            }
            _ => {}
        }
        let Some((name, after)) = self.directive_name(start) else {
            if start + 1 >= self.b.len() && !self.in_string {
                return Err(self.error_at(start, "a template cannot end with '#'"));
            }
            text.push('#');
            self.pos = start + 1;
            return Ok(None);
        };
        match name {
            "else" => {
                self.pos = after;
                self.eat_trailing_newline();
                Ok(Some(Term::Else(start)))
            }
            "end" => {
                self.pos = after;
                self.eat_trailing_newline();
                Ok(Some(Term::End(start)))
            }
            "elseif" => {
                self.pos = after;
                let cond = self.paren_expr("#elseif")?;
                self.eat_trailing_newline();
                Ok(Some(Term::ElseIf(cond, start)))
            }
            "set" => {
                let mut i = after;
                while self.at(i) == b' ' {
                    i += 1;
                }
                if self.at(i) != b'(' {
                    text.push_str(&self.src[start..after]);
                    self.pos = after;
                    return Ok(None);
                }
                // Blanks before `#set` belong to it unless ordinary text took them.
                if !text.is_empty() && text.bytes().all(is_blank) {
                    text.clear();
                }
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = i + 1;
                let node = self.set_directive(start)?;
                nodes.push(node);
                Ok(None)
            }
            "if" => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                let node = self.if_directive(start)?;
                nodes.push(node);
                Ok(None)
            }
            "foreach" => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                let node = self.foreach_directive(start)?;
                nodes.push(node);
                Ok(None)
            }
            "macro" => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                self.macro_directive(start)?;
                Ok(None)
            }
            "define" => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                let node = self.define_directive(start)?;
                nodes.push(node);
                Ok(None)
            }
            "literal" => {
                // The deprecated `#literal()`: its body (which must still parse, up to the
                // `#end` that closes it) is written out as it stands in the template.
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                self.skip_blanks();
                self.expect_byte(b'(', "'(' after #literal")?;
                self.skip_ws();
                self.expect_byte(b')', "')' (#literal takes no argument)")?;
                self.eat_trailing_newline();
                let body_start = self.pos;
                let (_, end) = self.body_to_end_at("#literal", start)?;
                nodes.push(Node::Text(
                    self.src[body_start..end].into(),
                    self.gpos(body_start),
                ));
                Ok(None)
            }
            "evaluate" | "parse" => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                self.skip_blanks();
                self.expect_byte(b'(', "'(' after #evaluate")?;
                self.skip_ws();
                if name == "parse" && self.peek() == b')' {
                    // `#parse()` parses; Velocity fails when it runs.
                    self.pos += 1;
                    self.eat_trailing_newline();
                    nodes.push(Node::Parse {
                        arg: None,
                        pos: self.gpos(start),
                    });
                    return Ok(None);
                }
                let arg_pos = self.pos;
                let arg = self.param()?;
                if name == "evaluate"
                    && !matches!(
                        arg,
                        Expr::Ref(_) | Expr::Interpolated(_) | Expr::Const(Value::Str(_))
                    )
                {
                    return Err(self.error_at(
                        arg_pos,
                        "#evaluate() argument must be a string literal or reference",
                    ));
                }
                self.skip_ws();
                self.expect_byte(b')', "')'")?;
                self.eat_trailing_newline();
                let pos = self.gpos(start);
                nodes.push(if name == "parse" {
                    Node::Parse {
                        arg: Some(arg),
                        pos,
                    }
                } else {
                    Node::Evaluate { arg, pos }
                });
                Ok(None)
            }
            "include" => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                self.skip_blanks();
                self.expect_byte(b'(', "'(' after #include")?;
                let args = self.arg_list(b')')?;
                self.eat_trailing_newline();
                nodes.push(Node::Include {
                    args: args.into(),
                    pos: self.gpos(start),
                });
                Ok(None)
            }
            "break" => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                let mut i = after;
                while is_blank(self.at(i)) {
                    i += 1;
                }
                let mut scope = None;
                if self.at(i) == b'(' {
                    // `#break($foreach.parent)` names the scope to leave; `#break()` is `#break`.
                    self.pos = i + 1;
                    self.skip_ws();
                    if self.peek() != b')' {
                        let arg_start = self.pos;
                        let arg = self
                            .param()
                            .map_err(|_| self.error_at(arg_start, "invalid argument to #break"))?;
                        scope = Some((arg, self.src[arg_start..self.pos].into()));
                        self.skip_ws();
                    }
                    self.expect_byte(b')', "')' closing #break")?;
                }
                nodes.push(Node::Break {
                    scope,
                    pos: self.gpos(start),
                });
                Ok(None)
            }
            "stop" => {
                flush(nodes, text, self.gpos(self.text_start));
                self.pos = after;
                nodes.push(Node::Stop);
                Ok(None)
            }
            _ => self
                .macro_call(start, name, after, nodes, text)
                .map(|()| None),
        }
    }

    fn skip_blanks(&mut self) {
        while is_blank(self.peek()) {
            self.pos += 1;
        }
    }

    /// The parenthesised condition of `what` (`#if`, `#elseif`).
    fn paren_expr(&mut self, what: &str) -> Result<Expr, VtlError> {
        self.skip_blanks();
        let open = self.pos;
        self.expect_byte(b'(', "'('")?;
        self.skip_ws();
        let e = self.expr()?;
        self.skip_ws();
        if self.pos >= self.b.len() {
            return Err(self.unclosed_paren(&format!("`{what}(`"), open));
        }
        self.expect_byte(b')', "')' or an operator")?;
        Ok(e)
    }

    fn set_directive(&mut self, start: usize) -> Result<Node, VtlError> {
        self.skip_ws();
        if self.peek() != b'$' || !self.reference_starts(self.pos) {
            return Err(self.expected("a reference such as $name after #set("));
        }
        let target = self.reference()?;
        self.skip_ws();
        self.expect_byte(b'=', "'=' in #set")?;
        self.skip_ws();
        let value = self.expr()?;
        self.skip_ws();
        self.expect_byte(b')', "')' or an operator")?;
        self.eat_trailing_newline();
        Ok(Node::Set {
            target: Box::new(target),
            value,
            pos: self.gpos(start),
        })
    }

    fn if_directive(&mut self, start: usize) -> Result<Node, VtlError> {
        let mut branches = Vec::new();
        let mut cond = self.paren_expr("#if")?;
        self.eat_trailing_newline();
        loop {
            let (body, term) = self.block()?;
            branches.push((cond, Block::from(body)));
            match term {
                Term::End(_) => {
                    return Ok(Node::If {
                        branches: branches.into(),
                        otherwise: None,
                    });
                }
                Term::ElseIf(c, _) => cond = c,
                Term::Else(_) => {
                    let (body, term) = self.block()?;
                    return match term {
                        Term::End(_) => Ok(Node::If {
                            branches: branches.into(),
                            otherwise: Some(body.into()),
                        }),
                        Term::Eof => Err(self.unclosed("#if", start)),
                        Term::Else(p) | Term::ElseIf(_, p) => {
                            Err(self.error_at(p, "#else must be the last branch of #if"))
                        }
                    };
                }
                Term::Eof => return Err(self.unclosed("#if", start)),
            }
        }
    }

    /// Parse a body that must end with `#end`.
    /// `open` is where the directive starts (errors point there).
    fn body_to_end(&mut self, what: &str, open: usize) -> Result<Block, VtlError> {
        self.body_to_end_at(what, open).map(|(body, _)| body)
    }

    /// [`Self::body_to_end`], with where its `#end` starts.
    fn body_to_end_at(&mut self, what: &str, open: usize) -> Result<(Block, usize), VtlError> {
        let (body, term) = self.block()?;
        match term {
            Term::End(end) => Ok((body.into(), end)),
            Term::Eof => Err(self.unclosed(what, open)),
            Term::Else(p) | Term::ElseIf(_, p) => Err(self.error_at(
                p,
                format!("#else/#elseif cannot be used inside {what} (only inside #if)"),
            )),
        }
    }

    fn foreach_directive(&mut self, start: usize) -> Result<Node, VtlError> {
        self.skip_blanks();
        self.expect_byte(b'(', "'(' after #foreach")?;
        self.skip_ws();
        if self.peek() != b'$' || !self.reference_starts(self.pos) {
            return Err(self.expected("the loop variable ($name) in #foreach"));
        }
        let var = self.reference()?;
        if !var.parts.is_empty() {
            return Err(self.error_at(
                var.pos as usize - self.base,
                "the loop variable of #foreach must be a plain $name",
            ));
        }
        self.skip_ws();
        let end = self.word_at(self.pos);
        if &self.src[self.pos..end] != "in" {
            return Err(self.expected("'in' in #foreach"));
        }
        self.pos = end;
        self.skip_ws();
        let iterable = self.param()?;
        self.skip_ws();
        self.expect_byte(b')', "')' closing #foreach")?;
        self.eat_trailing_newline();
        let body = self.body_to_end("#foreach", start)?;
        Ok(Node::Foreach {
            var: var.root,
            iterable,
            body,
            pos: self.gpos(start),
        })
    }

    fn macro_directive(&mut self, start: usize) -> Result<(), VtlError> {
        self.skip_blanks();
        self.expect_byte(b'(', "'(' after #macro")?;
        self.skip_ws();
        let end = self.word_at(self.pos);
        if end == self.pos {
            return Err(self.expected("a macro name"));
        }
        let name: Rc<str> = Rc::from(&self.src[self.pos..end]);
        self.pos = end;
        let mut params = Vec::new();
        loop {
            self.skip_ws();
            match self.peek() {
                b')' => {
                    self.pos += 1;
                    break;
                }
                b',' => self.pos += 1,
                b'$' if self.reference_starts(self.pos) => {
                    let r = self.reference()?;
                    params.push(r.root);
                }
                _ => return Err(self.expected("a parameter ($name) or ')' in #macro")),
            }
        }
        self.eat_trailing_newline();
        let params: Rc<[Rc<str>]> = params.into();
        let outer = std::mem::replace(&mut self.macro_params, params.clone());
        let body = self.body_to_end("#macro", start);
        self.macro_params = outer;
        self.macros.push(Rc::new(MacroDef {
            name,
            params: params.iter().cloned().collect(),
            body: body?,
        }));
        Ok(())
    }

    fn define_directive(&mut self, start: usize) -> Result<Node, VtlError> {
        self.skip_blanks();
        self.expect_byte(b'(', "'(' after #define")?;
        self.skip_ws();
        if self.peek() != b'$' || !self.reference_starts(self.pos) {
            return Err(self.expected("a reference ($name) in #define"));
        }
        let r = self.reference()?;
        self.skip_ws();
        self.expect_byte(b')', "')' closing #define")?;
        self.eat_trailing_newline();
        let body = self.body_to_end("#define", start)?;
        Ok(Node::Define { name: r.root, body })
    }

    fn macro_call(
        &mut self,
        start: usize,
        name: &'s str,
        after: usize,
        nodes: &mut Vec<Node>,
        text: &mut String,
    ) -> Result<(), VtlError> {
        let mut i = after;
        while is_blank(self.at(i)) {
            i += 1;
        }
        let (block, name) = match name.strip_prefix('@') {
            Some(n) => (true, n),
            None => (false, name),
        };
        if self.at(i) != b'(' {
            if block {
                text.push_str(&self.src[start..after]);
                self.pos = after;
                return Ok(());
            }
            // `#name` without parentheses calls a macro of that name, if one exists when
            // rendering; otherwise it prints as written.
            flush(nodes, text, self.gpos(self.text_start));
            self.pos = after;
            nodes.push(Node::MacroCall {
                call: Rc::new(MacroCall {
                    name: Rc::from(name),
                    args: Rc::new([]),
                    body: None,
                    source: self.src[start..after].into(),
                }),
                pos: self.gpos(start),
            });
            return Ok(());
        }
        self.pos = i + 1;
        let args = self.arg_list(b')')?;
        let source_end = self.pos;
        let trailing = self.eat_trailing_newline();
        let body = if block {
            Some(self.body_to_end("a block macro call", start)?)
        } else {
            None
        };
        flush(nodes, text, self.gpos(self.text_start));
        // An unknown macro prints as written, including the line break it would take (and,
        // for a block call, its body and #end).
        let source_end = if block {
            self.pos
        } else {
            source_end + trailing.len()
        };
        nodes.push(Node::MacroCall {
            call: Rc::new(MacroCall {
                name: Rc::from(name),
                args: args.into(),
                body,
                source: self.src[start..source_end].into(),
            }),
            pos: self.gpos(start),
        });
        Ok(())
    }

    /// Arguments separated by blanks or commas, up to `close` (already past the opener).
    fn arg_list(&mut self, close: u8) -> Result<Vec<Expr>, VtlError> {
        let mut args = Vec::new();
        loop {
            self.skip_ws();
            let c = self.peek();
            if c == close {
                self.pos += 1;
                return Ok(args);
            }
            if c == b',' && !args.is_empty() {
                self.pos += 1;
                continue;
            }
            if self.pos >= self.b.len() {
                return Err(self.expected(&format!("'{}'", close as char)));
            }
            args.push(self.param()?);
        }
    }

    // ---------------------------------------------------------------- references

    /// Parse a reference at `self.pos` (which is at `$`).
    fn reference(&mut self) -> Result<Reference, VtlError> {
        let start = self.pos;
        let mut i = start + 1;
        let quiet = self.at(i) == b'!';
        if quiet {
            i += 1;
        }
        let formal = self.at(i) == b'{';
        if formal {
            i += 1;
        }
        let name_end = self.ident_at(i);
        let root = self.intern(&self.src[i..name_end]);
        self.pos = name_end;
        let mut parts = Vec::new();
        loop {
            match self.peek() {
                b'.' if is_ident_start(self.at(self.pos + 1)) => {
                    let ppos = self.gpos(self.pos);
                    let s = self.pos + 1;
                    let e = self.ident_at(s);
                    let name: Rc<str> = Rc::from(&self.src[s..e]);
                    self.pos = e;
                    if self.peek() == b'(' {
                        self.pos += 1;
                        let args = self.method_args(s)?;
                        parts.push(RefPart::Method(name, args.into(), ppos));
                    } else {
                        parts.push(RefPart::Property(name, ppos, std::cell::Cell::new(0)));
                    }
                }
                b'[' => {
                    let ppos = self.gpos(self.pos);
                    self.pos += 1;
                    self.skip_ws();
                    let e = self.param()?;
                    self.skip_ws();
                    self.expect_byte(b']', "']' closing the index")?;
                    parts.push(RefPart::Index(e, ppos));
                }
                _ => break,
            }
        }
        if formal {
            if self.peek() != b'}' {
                return Err(self.error_at(
                    self.pos,
                    format!(
                        "expected '}}' to close ${{{root}, found {}",
                        self.found(self.pos)
                    ),
                ));
            }
            self.pos += 1;
        }
        let param = self
            .macro_params
            .iter()
            .position(|p| *p == root)
            .and_then(|i| u16::try_from(i).ok())
            .unwrap_or(u16::MAX);
        Ok(Reference {
            parts: parts.into(),
            quiet,
            literal: self.src[start..self.pos].into(),
            pos: self.gpos(start),
            param,
            hint: std::cell::Cell::new(0),
            special: Special::of(&root),
            root,
        })
    }

    /// Method arguments: parameters separated by commas (no expressions in Velocity 1.7).
    /// `name_at` is where the method's name starts (for messages).
    fn method_args(&mut self, name_at: usize) -> Result<Vec<Expr>, VtlError> {
        let mut args = Vec::new();
        if self.peek() == b')' {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            self.skip_ws();
            args.push(self.param()?);
            self.skip_ws();
            match self.peek() {
                b',' => self.pos += 1,
                b')' => {
                    self.pos += 1;
                    return Ok(args);
                }
                0 if self.pos >= self.b.len() => {
                    let call = &self.src[name_at..self.pos];
                    let call: String = call.chars().take_while(|&c| c != '(').collect();
                    return Err(self
                        .unclosed_paren(&format!("method call `{call}(`"), name_at + call.len()));
                }
                b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'!' | b'&' | b'|' => {
                    return Err(self.expected(
                        "',' or ')' in a method call (arguments cannot be expressions in Velocity 1.7; compute them with #set first)",
                    ));
                }
                _ => return Err(self.expected("',' or ')' in a method call")),
            }
        }
    }

    // ---------------------------------------------------------------- expressions

    fn expr(&mut self) -> Result<Expr, VtlError> {
        let saved = std::mem::take(&mut self.operators);
        let r = self.binary_level(0);
        self.operators = saved;
        r
    }

    /// Operator at the current position for precedence level `level`, and its length.
    fn operator(&self, level: u8) -> Option<(BinOp, usize)> {
        let rest = &self.b[self.pos..];
        let word = |w: &str| -> bool {
            rest.starts_with(w.as_bytes()) && !is_word_char(self.at(self.pos + w.len()))
        };
        let sym = |s: &str| rest.starts_with(s.as_bytes());
        match level {
            0 => (sym("||") || word("or")).then_some((BinOp::Or, 2)),
            1 => {
                if sym("&&") {
                    Some((BinOp::And, 2))
                } else if word("and") {
                    Some((BinOp::And, 3))
                } else {
                    None
                }
            }
            2 => {
                if sym("==") {
                    Some((BinOp::Eq, 2))
                } else if sym("!=") {
                    Some((BinOp::Ne, 2))
                } else if word("eq") {
                    Some((BinOp::Eq, 2))
                } else if word("ne") {
                    Some((BinOp::Ne, 2))
                } else {
                    None
                }
            }
            3 => {
                if sym("<=") {
                    Some((BinOp::Le, 2))
                } else if sym(">=") {
                    Some((BinOp::Ge, 2))
                } else if sym("<") {
                    Some((BinOp::Lt, 1))
                } else if sym(">") {
                    Some((BinOp::Gt, 1))
                } else if word("lt") {
                    Some((BinOp::Lt, 2))
                } else if word("le") {
                    Some((BinOp::Le, 2))
                } else if word("gt") {
                    Some((BinOp::Gt, 2))
                } else if word("ge") {
                    Some((BinOp::Ge, 2))
                } else {
                    None
                }
            }
            4 => match rest.first() {
                Some(b'+') => Some((BinOp::Add, 1)),
                // `-` directly followed by a digit is a negative number literal in Velocity's
                // lexer, so `1-1` does not parse; only a free-standing `-` subtracts.
                Some(b'-') if !self.at(self.pos + 1).is_ascii_digit() => Some((BinOp::Sub, 1)),
                _ => None,
            },
            _ => match rest.first() {
                Some(b'*') => Some((BinOp::Mul, 1)),
                Some(b'/') => Some((BinOp::Div, 1)),
                Some(b'%') => Some((BinOp::Mod, 1)),
                _ => None,
            },
        }
    }

    fn binary_level(&mut self, level: u8) -> Result<Expr, VtlError> {
        if level > 5 {
            return self.unary();
        }
        let mut left = self.binary_level(level + 1)?;
        loop {
            let save = self.pos;
            self.skip_ws();
            let Some((op, len)) = self.operator(level) else {
                self.pos = save;
                return Ok(left);
            };
            // A chain of operators builds a tree as deep as it is long.
            self.operators += 1;
            if self.operators > MAX_OPERATORS {
                return Err(self.error_at(
                    self.pos,
                    format!("an expression has more than {MAX_OPERATORS} operators"),
                ));
            }
            let opos = self.gpos(self.pos);
            self.pos += len;
            self.skip_ws();
            let right = self.binary_level(level + 1)?;
            left = Expr::Binary(op, Box::new(left), Box::new(right), opos);
        }
    }

    fn unary(&mut self) -> Result<Expr, VtlError> {
        self.nest()?;
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, VtlError> {
        self.skip_ws();
        if self.peek() == b'!' && self.at(self.pos + 1) != b'=' {
            self.pos += 1;
            let e = self.unary()?;
            return Ok(Expr::Not(Box::new(e)));
        }
        if self.src[self.pos..].starts_with("not") && !is_word_char(self.at(self.pos + 3)) {
            self.pos += 3;
            let e = self.unary()?;
            return Ok(Expr::Not(Box::new(e)));
        }
        if self.peek() == b'(' {
            self.pos += 1;
            self.skip_ws();
            let e = self.expr()?;
            self.skip_ws();
            self.expect_byte(b')', "')'")?;
            return Ok(Expr::Paren(Box::new(e)));
        }
        self.param()
    }

    /// A parameter: a literal, a list, map or range literal, or a reference.
    fn param(&mut self) -> Result<Expr, VtlError> {
        self.nest()?;
        let r = self.param_inner();
        self.depth -= 1;
        r
    }

    fn param_inner(&mut self) -> Result<Expr, VtlError> {
        let start = self.pos;
        match self.peek() {
            b'"' | b'\'' => self.string_literal(),
            b'$' if self.reference_starts(start) => {
                let r = self.reference()?;
                Ok(Expr::Ref(Box::new(r)))
            }
            b'[' => self.list_literal(),
            b'{' => self.map_literal(),
            c if c.is_ascii_digit()
                || (c == b'-' && self.at(start + 1).is_ascii_digit())
                || (c == b'.' && self.at(start + 1).is_ascii_digit())
                || (c == b'-'
                    && self.at(start + 1) == b'.'
                    && self.at(start + 2).is_ascii_digit()) =>
            {
                self.number()
            }
            _ => {
                let end = self.word_at(start);
                match &self.src[start..end] {
                    "true" => {
                        self.pos = end;
                        Ok(Expr::Const(Value::Bool(true)))
                    }
                    "false" => {
                        self.pos = end;
                        Ok(Expr::Const(Value::Bool(false)))
                    }
                    _ if self.peek() == b'-' => Err(self.error_at(
                        start,
                        "unary minus is only allowed on number literals in Velocity 1.7 (use 0 - $x)",
                    )),
                    _ => Err(self.expected("a value (string, number, true/false, [list], {map} or $reference)")),
                }
            }
        }
    }

    fn number(&mut self) -> Result<Expr, VtlError> {
        let start = self.pos;
        let mut i = start;
        if self.at(i) == b'-' {
            i += 1;
        }
        while self.at(i).is_ascii_digit() {
            i += 1;
        }
        let mut float = false;
        // `1.` and `.5` are floats, but `1..3` is a range.
        if self.at(i) == b'.' && self.at(i + 1) != b'.' {
            float = true;
            i += 1;
            while self.at(i).is_ascii_digit() {
                i += 1;
            }
        }
        if matches!(self.at(i), b'e' | b'E') {
            let mut j = i + 1;
            if matches!(self.at(j), b'+' | b'-') {
                j += 1;
            }
            if self.at(j).is_ascii_digit() {
                while self.at(j).is_ascii_digit() {
                    j += 1;
                }
                float = true;
                i = j;
            }
        }
        let lit = &self.src[start..i];
        self.pos = i;
        if float {
            let d: f64 = lit
                .parse()
                .map_err(|_| self.error_at(start, format!("invalid number {lit}")))?;
            return Ok(Expr::Const(Value::Double(d)));
        }
        match lit.parse::<i128>() {
            Ok(n) => Ok(Expr::Const(Value::integer(n))),
            Err(_) => Err(self.error_at(start, format!("number {lit} is too large"))),
        }
    }

    fn string_literal(&mut self) -> Result<Expr, VtlError> {
        let start = self.pos;
        let quote = self.peek();
        let mut i = start + 1;
        let mut content = String::new();
        loop {
            if i >= self.b.len() {
                return Err(self.error_at(start, "unterminated string literal"));
            }
            if self.b[i] == quote {
                if self.at(i + 1) == quote {
                    content.push(quote as char);
                    i += 2;
                    continue;
                }
                break;
            }
            let s = i;
            while i < self.b.len() && self.b[i] != quote {
                i += 1;
            }
            content.push_str(&self.src[s..i]);
        }
        self.pos = i + 1;
        if quote == b'"' && (content.contains('$') || content.contains('#')) {
            let mut inner = Parser::new(&content, self.base + start + 1, true);
            inner.full = self.full;
            inner.depth = self.depth;
            inner.macro_params = self.macro_params.clone();
            inner.names = std::mem::take(&mut self.names);
            let (nodes, term) = inner.block()?;
            if !matches!(term, Term::Eof) {
                return Err(self.error_at(
                    start,
                    "failed to parse the string literal: an #end, #else or #elseif without its directive",
                ));
            }
            self.macros.extend(inner.macros);
            self.names = std::mem::take(&mut inner.names);
            return Ok(Expr::Interpolated(nodes.into()));
        }
        Ok(Expr::Const(Value::Str(Rc::from(content.as_str()))))
    }

    fn list_literal(&mut self) -> Result<Expr, VtlError> {
        let start = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == b']' {
            self.pos += 1;
            return Ok(Expr::List(Box::new([])));
        }
        let first = self.param()?;
        self.skip_ws();
        if self.src[self.pos..].starts_with("..") {
            if !is_range_bound(&first) {
                return Err(self.error_at(
                    self.pos,
                    "a range [a..b] takes integer literals or references",
                ));
            }
            self.pos += 2;
            self.skip_ws();
            let second = self.param()?;
            if !is_range_bound(&second) {
                return Err(self.error_at(
                    self.pos,
                    "a range [a..b] takes integer literals or references",
                ));
            }
            self.skip_ws();
            self.expect_byte(b']', "']' closing the range")?;
            return Ok(Expr::Range(
                Box::new(first),
                Box::new(second),
                self.gpos(start),
            ));
        }
        let mut items = vec![first];
        loop {
            self.skip_ws();
            match self.peek() {
                b',' => {
                    self.pos += 1;
                    self.skip_ws();
                    items.push(self.param()?);
                }
                b']' => {
                    self.pos += 1;
                    return Ok(Expr::List(items.into()));
                }
                _ => return Err(self.expected("',' or ']' in a list")),
            }
        }
    }

    fn map_literal(&mut self) -> Result<Expr, VtlError> {
        self.pos += 1;
        let mut entries = Vec::new();
        self.skip_ws();
        if self.peek() == b'}' {
            self.pos += 1;
            return Ok(Expr::Map(Box::new([])));
        }
        loop {
            self.skip_ws();
            let k = self.param()?;
            self.skip_ws();
            self.expect_byte(b':', "':' in a map literal")?;
            self.skip_ws();
            let v = self.param()?;
            entries.push((k, v));
            self.skip_ws();
            match self.peek() {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Ok(Expr::Map(entries.into()));
                }
                _ => return Err(self.expected("',' or '}' in a map")),
            }
        }
    }
}

fn is_range_bound(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Ref(_) | Expr::Const(Value::Int(_) | Value::Long(_) | Value::BigInt(_))
    )
}

fn flush(nodes: &mut Vec<Node>, text: &mut String, pos: Pos) {
    if !text.is_empty() {
        nodes.push(Node::Text(std::mem::take(text).into_boxed_str(), pos));
    }
}

fn push_backslashes(text: &mut String, n: usize) {
    for _ in 0..n {
        text.push('\\');
    }
}

/// Convert a map literal's evaluated entries into a map (keys use their `toString()`).
pub(crate) fn map_from_entries(entries: Vec<(Value, Value)>) -> Value {
    let mut m = crate::vtl::value::JavaMap::with_capacity_and_hasher(
        entries.len(),
        rustc_hash::FxBuildHasher,
    );
    for (k, v) in entries {
        m.insert(Rc::from(k.to_java_string().as_str()), v);
    }
    Value::map(m)
}

#[cfg(test)]
mod tests {
    use crate::vtl::{ErrorKind, Template, VtlError};

    /// Each text node with where it starts, in order (nested blocks included).
    fn texts(src: &str) -> Vec<(String, u32)> {
        fn walk(nodes: &[crate::vtl::ast::Node], out: &mut Vec<(String, u32)>) {
            use crate::vtl::ast::Node;
            for n in nodes {
                match n {
                    Node::Text(t, pos) => out.push((t.to_string(), *pos)),
                    Node::If {
                        branches,
                        otherwise,
                    } => {
                        for (_, b) in branches.iter() {
                            walk(b, out);
                        }
                        if let Some(b) = otherwise {
                            walk(b, out);
                        }
                    }
                    Node::Foreach { body, .. } => walk(body, out),
                    _ => {}
                }
            }
        }
        let t = Template::parse(src).unwrap();
        let mut out = Vec::new();
        walk(t.nodes(), &mut out);
        out
    }

    #[test]
    fn text_nodes_know_where_they_start() {
        let src =
            "{\"a\": $x,\n#foreach($i in $l)\n  \"$i\",#end\n]## c\n#[[raw]]# $ #if(1)\\\\y#end";
        let got = texts(src);
        for (text, pos) in &got {
            let at = &src[*pos as usize..];
            if !text.contains('\\') {
                assert!(at.starts_with(text.as_str()), "{text:?} at {pos}: {at:?}");
            }
        }
        let starts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            starts,
            ["{\"a\": ", ",\n", "  \"", "\",", "]", "raw", " $ ", "\\\\y"]
        );
        assert_eq!(got.last().unwrap().1 as usize, src.rfind('\\').unwrap() - 1);
    }

    fn parse_error(src: &str) -> VtlError {
        match Template::parse(src) {
            Ok(_) => panic!("{src:?} parsed"),
            Err(e) => {
                assert_eq!(e.kind, ErrorKind::Parse);
                e
            }
        }
    }

    #[test]
    fn a_missing_end_points_at_the_open_directive() {
        let e = parse_error("a\nb\n#if($x)\nyes\n\nmore text\n");
        assert_eq!((e.line, e.col), (3, 1), "{e}");
        assert_eq!(e.message, "#if at line 3, column 1 is missing its #end");

        let e = parse_error("#if($a)#else\n  #foreach($i in [1])\n$i\n#end");
        assert_eq!((e.line, e.col), (1, 1), "{e}");
        assert_eq!(e.message, "#if at line 1, column 1 is missing its #end");

        for (src, what, line, col) in [
            ("x\n  #foreach($i in $l)\n$i", "#foreach", 2, 3),
            ("#macro(m $a)\nbody", "#macro", 1, 1),
            ("ab #define($d)\nbody", "#define", 1, 4),
            ("\n\n#literal()\n$x", "#literal", 3, 1),
        ] {
            let e = parse_error(src);
            assert_eq!((e.line, e.col), (line, col), "{src:?}: {e}");
            assert_eq!(
                e.message,
                format!("{what} at line {line}, column {col} is missing its #end")
            );
        }
    }

    #[test]
    fn a_missing_close_paren_says_so() {
        let e = parse_error("x\n#if($x == 1");
        assert_eq!(
            e.message,
            "missing ')' to close the `#if(` opened at line 2, column 4"
        );
        let e = parse_error("#if($a)#elseif($x == 1\n");
        assert_eq!(
            e.message,
            "missing ')' to close the `#elseif(` opened at line 1, column 15"
        );
        let e = parse_error("$foo.bar(1, 2");
        assert_eq!(
            e.message,
            "missing ')' to close the method call `bar(` opened at line 1, column 9"
        );
        assert!(!e.message.contains("expressions"), "{e}");
    }

    #[test]
    fn an_expression_argument_keeps_its_hint() {
        let e = parse_error("$s.substring($s.indexOf(\":\") + 1)");
        assert!(e.message.contains("cannot be expressions"), "{e}");
    }
}
