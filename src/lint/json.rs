//! The rules about JSON text: the template's literal text is read as JSON while the syntax
//! tree is walked in output order, so each written value is known to stand inside a JSON
//! string or outside one (or, after branches that disagree, unknown: then nothing fires).
//!
//! - `unescaped-in-json-string`: client text inside a string, not escaped;
//! - `escape-javascript-apostrophe`: `$util.escapeJavaScript` inside a string without the
//!   `\'` fix;
//! - `input-json-in-quotes`: `$input.json` inside a string;
//! - `input-path-java-map`: `$input.path` of an object outside strings;
//! - `foreach-trailing-comma`: a loop body ending with `,` before `]` or `}`.

use crate::vtl::Template;
use crate::vtl::ast::{Node, Reference};

use super::value::{Env, PathOf, Val, formal, ref_end};
use super::{Finding, Fix, RuleId, Span, TemplateSpec};

/// The fix AWS documents for `\'`.
pub(super) const APOSTROPHE_FIX: &str = ".replaceAll(\"\\\\'\",\"'\")";

/// Run the JSON text rules on a template whose output is JSON.
pub(super) fn check(t: &Template, spec: &TemplateSpec<'_>, out: &mut Vec<Finding>) {
    if !spec.output_is_json() || starts_like_json(t.nodes()) == Some(false) {
        return;
    }
    let mut w = Walker {
        src: t.source(),
        spec,
        env: Env::new(spec.overrides_hold_client_text),
        pending: None,
        out,
    };
    let mut state = State {
        string: Some(false),
        escape: false,
        last: None,
    };
    w.block(t.nodes(), &mut state);
}

/// Whether the template's output starts like JSON (`{`, `[`, `"`, or a value written by a
/// reference); `None` when nothing tells.
fn starts_like_json(nodes: &[Node]) -> Option<bool> {
    for n in nodes {
        let tells = match n {
            Node::Text(t, _) => t
                .chars()
                .find(|c| !c.is_whitespace())
                .map(|c| matches!(c, '{' | '[' | '"')),
            Node::Ref { .. } | Node::MacroCall { .. } => Some(true),
            Node::If { branches, .. } => branches
                .first()
                .and_then(|(_, body)| starts_like_json(body)),
            Node::Foreach { body, .. } => starts_like_json(body),
            _ => None,
        };
        if tells.is_some() {
            return tells;
        }
    }
    None
}

/// The JSON reading of the literal text so far.
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    /// Inside a JSON string (`None`: branches disagreed, so unknown).
    string: Option<bool>,
    /// The previous character was a backslash inside a string.
    escape: bool,
    /// The last character written outside strings (`v` for a value a reference wrote),
    /// with its offset when it is the template's own character. `None`: unknown or none.
    last: Option<(char, Option<usize>)>,
}

impl State {
    /// The state after one of several branches ran.
    fn join(states: &[State]) -> State {
        let first = &states[0];
        let all = |f: &dyn Fn(&State) -> bool| states.iter().all(f);
        State {
            string: if all(&|s| s.string == first.string) {
                first.string
            } else {
                None
            },
            escape: first.escape && all(&|s| s.escape),
            last: if all(&|s| s.last == first.last) {
                first.last
            } else {
                None
            },
        }
    }
}

/// A comma that ended a loop body, waiting for what follows the loop.
#[derive(Clone, Copy, Debug)]
struct Pending {
    /// Where the comma is.
    comma: usize,
}

struct Walker<'a, 'o> {
    src: &'a str,
    spec: &'a TemplateSpec<'a>,
    env: Env,
    pending: Option<Pending>,
    out: &'o mut Vec<Finding>,
}

impl Walker<'_, '_> {
    fn block(&mut self, nodes: &[Node], state: &mut State) {
        for n in nodes {
            self.node(n, state);
        }
    }

    fn node(&mut self, n: &Node, state: &mut State) {
        match n {
            Node::Text(t, pos) => self.text(t, *pos as usize, state),
            Node::Ref { reference, escapes } => {
                if *escapes == 0 {
                    self.write(reference, state);
                } else {
                    self.pending = None;
                }
            }
            Node::Set { target, value, .. } => {
                if target.parts.is_empty() {
                    let v = self.env.of_expr(value, self.src);
                    self.env.set(target.root.clone(), v);
                }
            }
            Node::If {
                branches,
                otherwise,
            } => {
                self.pending = None;
                let entry_env = self.env.clone();
                let mut states = Vec::new();
                let mut envs = Vec::new();
                let mut pending = None;
                let bodies = branches.iter().map(|(_, b)| b).chain(otherwise.iter());
                for body in bodies {
                    self.env = entry_env.clone();
                    let mut s = state.clone();
                    self.block(body, &mut s);
                    states.push(s);
                    envs.push(std::mem::take(&mut self.env));
                    pending = pending.or(self.pending.take());
                }
                if otherwise.is_none() {
                    states.push(state.clone());
                    envs.push(entry_env);
                }
                self.env = Env::join(envs);
                *state = State::join(&states);
                self.pending = pending;
            }
            Node::Foreach {
                var,
                iterable,
                body,
                ..
            } => {
                self.pending = None;
                let old = self.env.raw(var);
                let item = self.env.item_of(iterable, self.src);
                self.env.set(var.clone(), item);
                let entry = state.clone();
                let mut end = state.clone();
                self.block(body, &mut end);
                self.pending = None;
                if entry.string == Some(false)
                    && end.string == Some(false)
                    && let Some((',', Some(at))) = end.last
                {
                    self.pending = Some(Pending { comma: at });
                }
                *state = State::join(&[entry, end]);
                self.env.restore(var.clone(), old);
            }
            Node::MacroCall { .. }
            | Node::Evaluate { .. }
            | Node::Include { .. }
            | Node::Parse { .. } => {
                // Writes something unknown, never (we assume) half a string.
                self.pending = None;
                if state.string == Some(false) {
                    state.last = Some(('v', None));
                }
            }
            Node::Define { .. } | Node::Break { .. } | Node::Stop => {}
        }
    }

    fn text(&mut self, t: &str, pos: usize, state: &mut State) {
        let own = self.src.get(pos..pos + t.len()) == Some(t);
        for (i, c) in t.char_indices() {
            let at = own.then_some(pos + i);
            match state.string {
                Some(true) => {
                    if state.escape {
                        state.escape = false;
                    } else if c == '\\' {
                        state.escape = true;
                    } else if c == '"' {
                        state.string = Some(false);
                        state.last = Some(('"', at));
                    }
                }
                Some(false) => {
                    if c.is_whitespace() {
                        continue;
                    }
                    if let Some(p) = self.pending.take()
                        && matches!(c, ']' | '}')
                    {
                        self.trailing_comma(p);
                    }
                    if c == '"' {
                        state.string = Some(true);
                    } else {
                        state.last = Some((c, at));
                    }
                }
                None => {}
            }
        }
    }

    /// A reference writes its value here.
    fn write(&mut self, r: &Reference, state: &mut State) {
        self.pending = None;
        let v = self.env.of_ref(r, self.src);
        match state.string {
            Some(true) => self.in_string(r, v),
            Some(false) => {
                self.outside_string(r, &v);
                state.last = Some(('v', None));
            }
            None => {}
        }
    }

    fn in_string(&mut self, r: &Reference, v: Val) {
        let span = Span::offset(r.pos as usize);
        let lit = &*r.literal;
        match v {
            Val::Client { what, .. } => {
                let holds = if written(lit) == what {
                    String::new()
                } else {
                    format!(" (it holds {what})")
                };
                let message = format!(
                    "{lit}{holds} is written inside a JSON string without $util.escapeJavaScript(): a \" or a line break in it breaks the JSON"
                );
                let fix = self.wrap_fix(r);
                self.out
                    .push(Finding::new(RuleId::UnescapedInJsonString, message, span).with_fix(fix));
            }
            Val::Escaped {
                fixed: false,
                insert_at,
            } => {
                let message = format!(
                    "{lit} inside a JSON string writes \\' for an apostrophe, which is not valid JSON: add {APOSTROPHE_FIX}"
                );
                let fix = Fix {
                    start: insert_at,
                    end: insert_at,
                    text: APOSTROPHE_FIX.to_string(),
                };
                self.out.push(
                    Finding::new(RuleId::EscapeJavascriptApostrophe, message, span)
                        .with_fix(Some(fix)),
                );
            }
            Val::Json => {
                let message = format!(
                    "{lit} is inside quotes: $input.json writes its own quotes, so a string comes out \"\"text\"\""
                );
                let start = r.pos as usize;
                let end = ref_end(r);
                let quoted = start > 0
                    && self.src.as_bytes().get(start - 1) == Some(&b'"')
                    && self.src.as_bytes().get(end) == Some(&b'"');
                let fix = quoted.then(|| Fix {
                    start: start - 1,
                    end: end + 1,
                    text: lit.to_string(),
                });
                self.out
                    .push(Finding::new(RuleId::InputJsonInQuotes, message, span).with_fix(fix));
            }
            _ => {}
        }
    }

    fn outside_string(&mut self, r: &Reference, v: &Val) {
        let Val::Client {
            path: Some(PathOf { path, each }),
            ..
        } = v
        else {
            return;
        };
        let shown = match self.spec.samples.filter(|s| !s.is_empty()) {
            Some(samples) => {
                let Ok(compiled) = crate::gateway::jsonpath::compile(path) else {
                    return;
                };
                let Some(sample) = samples
                    .iter()
                    .find(|s| selects_object(&compiled, &s.json, *each))
                else {
                    return;
                };
                format!(": in {} it selects an object", sample.name)
            }
            None if !each && is_root(path) => String::new(),
            None => return,
        };
        let lit = &*r.literal;
        let message = format!(
            "{lit} prints a JSON object the Java way ({{a=1, b=x}}), not as JSON{shown}; use $input.json"
        );
        let fix = (!each && !path.contains('\'')).then(|| Fix {
            start: r.pos as usize,
            end: ref_end(r),
            text: format!("$input.json('{path}')"),
        });
        self.out.push(
            Finding::new(
                RuleId::InputPathJavaMap,
                message,
                Span::offset(r.pos as usize),
            )
            .with_fix(fix),
        );
    }

    fn trailing_comma(&mut self, p: Pending) {
        let message = "the #foreach body ends with a comma, also written after the last item before the closing bracket: invalid JSON".to_string();
        let fix = Fix {
            start: p.comma,
            end: p.comma + 1,
            text: "#if($foreach.hasNext),#end".to_string(),
        };
        self.out.push(
            Finding::new(RuleId::ForeachTrailingComma, message, Span::offset(p.comma))
                .with_fix(Some(fix)),
        );
    }

    /// Wrap the reference in `$util.escapeJavaScript(...)` with the apostrophe fix.
    fn wrap_fix(&self, r: &Reference) -> Option<Fix> {
        let start = r.pos as usize;
        let end = ref_end(r);
        let inner = written(&r.literal);
        let call = format!("util.escapeJavaScript({inner}){APOSTROPHE_FIX}");
        // A `.name` or `[` right after would be read as part of the new reference.
        let next = self.src[end..].chars().next();
        let next_is_part = match next {
            Some('.') => self.src[end + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_'),
            Some('[') => true,
            _ => false,
        };
        let quiet = r.quiet;
        let text = if next_is_part || formal(r) {
            format!("${}{{{call}}}", if quiet { "!" } else { "" })
        } else {
            format!("${}{call}", if quiet { "!" } else { "" })
        };
        Some(Fix { start, end, text })
    }
}

/// A reference as a plain `$name...` (without `!` and braces).
fn written(literal: &str) -> String {
    let s = literal.strip_prefix('$').unwrap_or(literal);
    let s = s.strip_prefix('!').unwrap_or(s);
    match s.strip_prefix('{') {
        Some(inner) => format!("${}", inner.strip_suffix('}').unwrap_or(inner)),
        None => format!("${s}"),
    }
}

/// The whole payload: `$`, `$.`, ` $ `.
fn is_root(path: &str) -> bool {
    matches!(path.trim(), "$" | "@")
}

/// Whether the path selects an object (for a loop variable: an item that is one).
fn selects_object(
    path: &crate::gateway::jsonpath::JsonPath,
    doc: &serde_json::Value,
    each: bool,
) -> bool {
    use crate::gateway::jsonpath::Selection;
    match path.select(doc) {
        Selection::One(v) => v.is_object(),
        Selection::Many(items) => each && items.iter().any(serde_json::Value::is_object),
        Selection::Missing => false,
    }
}
