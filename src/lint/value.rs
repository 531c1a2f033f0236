//! What a reference holds, as far as the rules care: text the client controls (and, for
//! `$input.path`, the JSONPath it selected), an escaped value, JSON text, or anything else.
//! Variables set with `#set` and loop variables carry what their value held.

use std::collections::HashMap;
use std::rc::Rc;

use crate::vtl::ast::{BinOp, Expr, Node, RefPart, Reference};
use crate::vtl::value::Value;

/// What a value holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Val {
    /// Nothing the client controls, as far as the linter knows.
    Plain,
    /// Text the client controls. `what` is where it came from, as written
    /// (`$input.path('$.name')`); `path` the JSONPath `$input.path` selected, when known.
    Client { what: String, path: Option<PathOf> },
    /// `$util.escapeJavaScript(...)`; `fixed` once `.replaceAll("\\'","'")` (or another
    /// replacement of `'`) follows; `insert_at`: where that replacement goes.
    Escaped { fixed: bool, insert_at: usize },
    /// `$input.json(...)`: JSON text, quotes included.
    Json,
    /// `$input.params()`: the map of `path`, `querystring` and `header` (its own keys are
    /// the gateway's; what they hold is the client's).
    Params,
    /// One group of `$input.params()`; `names_safe` when its names cannot hold a quote
    /// (header names are HTTP tokens, path parameter names the resource's own).
    ParamGroup { names_safe: bool },
}

/// A JSONPath selected from the payload, or (`each`) the items of what it selected (a loop
/// variable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PathOf {
    /// The path, `$.pets[*].name` style.
    pub path: String,
    /// Whether it names the items of a loop (the path ends with `[*]` steps added here).
    pub each: bool,
}

/// The variables a template set so far.
#[derive(Clone, Debug, Default)]
pub(super) struct Env {
    vars: HashMap<Rc<str>, Val>,
    /// Whether the override maps hold client text (see
    /// [`super::TemplateSpec::overrides_hold_client_text`]).
    overrides: bool,
}

/// Methods whose result is a number or a boolean: nothing of the client's text is left.
const NOT_TEXT: &[&str] = &[
    "length",
    "size",
    "isEmpty",
    "contains",
    "containsKey",
    "containsValue",
    "equals",
    "equalsIgnoreCase",
    "startsWith",
    "endsWith",
    "matches",
    "indexOf",
    "lastIndexOf",
    "hashCode",
    "compareTo",
    "compareToIgnoreCase",
    "intValue",
    "longValue",
    "doubleValue",
    "booleanValue",
];

/// `$context.X` values that carry what the request (or an authorizer answering it) held;
/// `overrides`: whether the override maps do.
fn context_from_client(names: &[&str], overrides: bool) -> bool {
    match names {
        ["authorizer", ..] | ["identity", "userAgent", ..] => true,
        ["requestOverride" | "responseOverride", ..] => overrides,
        _ => false,
    }
}

impl Env {
    /// No variables yet; `overrides`: whether the override maps hold client text.
    pub fn new(overrides: bool) -> Env {
        Env {
            vars: HashMap::new(),
            overrides,
        }
    }

    /// What variable `name` holds (`Plain` when the template did not set it).
    pub fn get(&self, name: &str) -> Val {
        self.vars.get(name).cloned().unwrap_or(Val::Plain)
    }

    /// Set variable `name`.
    pub fn set(&mut self, name: Rc<str>, v: Val) {
        self.vars.insert(name, v);
    }

    /// Forget variable `name`, or give back what it held (a loop variable after its loop).
    pub fn restore(&mut self, name: Rc<str>, old: Option<Val>) {
        match old {
            Some(v) => {
                self.vars.insert(name, v);
            }
            None => {
                self.vars.remove(&name);
            }
        }
    }

    /// The raw entry, to restore later.
    pub fn raw(&self, name: &str) -> Option<Val> {
        self.vars.get(name).cloned()
    }

    /// The variables after one of several branches ran: a variable holds client text if
    /// any branch left it so (the value may come from that branch), else an unfixed
    /// escape, else what the first branch left.
    pub fn join(branches: Vec<Env>) -> Env {
        let mut out = Env::new(branches.first().is_some_and(|e| e.overrides));
        for env in branches {
            for (k, v) in env.vars {
                match out.vars.get(&k) {
                    None => {
                        out.vars.insert(k, v);
                    }
                    Some(old) => {
                        if rank(&v) > rank(old) {
                            out.vars.insert(k, v);
                        }
                    }
                }
            }
        }
        out
    }

    /// What `r` holds.
    pub fn of_ref(&self, r: &Reference, src: &str) -> Val {
        let parts = &r.parts[..];
        let (mut v, used) = match (&*r.root, parts.first()) {
            ("input", Some(RefPart::Method(m, args, _))) if &**m == "path" => {
                let path = match args.first() {
                    Some(Expr::Const(Value::Str(p))) => Some(PathOf {
                        path: p.to_string(),
                        each: false,
                    }),
                    _ => None,
                };
                (client(r, 1, src, path), 1)
            }
            ("input", Some(RefPart::Method(m, args, _))) if &**m == "params" => {
                if args.is_empty() {
                    (Val::Params, 1)
                } else {
                    (client(r, 1, src, None), 1)
                }
            }
            ("input", Some(RefPart::Property(p, _, _))) if &**p == "body" => {
                (client(r, 1, src, None), 1)
            }
            ("input", Some(RefPart::Method(m, _, _))) if &**m == "json" => (Val::Json, 1),
            ("util", Some(RefPart::Method(m, args, _))) => match &**m {
                "escapeJavaScript" => (
                    Val::Escaped {
                        fixed: false,
                        insert_at: part_end(r, 0),
                    },
                    1,
                ),
                "parseJson" | "base64Decode" | "urlDecode" => {
                    let inner = args.first().map_or(Val::Plain, |a| self.of_expr(a, src));
                    match inner {
                        Val::Client { .. } => (client(r, 1, src, None), 1),
                        _ => (Val::Plain, parts.len()),
                    }
                }
                _ => (Val::Plain, parts.len()),
            },
            ("context", _) => {
                let names: Vec<&str> = parts
                    .iter()
                    .map_while(|p| match p {
                        RefPart::Property(n, _, _) => Some(&**n),
                        RefPart::Index(Expr::Const(Value::Str(s)), _) => Some(&**s),
                        _ => None,
                    })
                    .collect();
                if context_from_client(&names, self.overrides) {
                    (client(r, names.len(), src, None), names.len())
                } else {
                    (Val::Plain, parts.len())
                }
            }
            // Stage variable names are letters, digits and `_`: only the values can hold
            // anything.
            ("stageVariables", Some(RefPart::Method(m, _, _))) if &**m == "keySet" => {
                (Val::Plain, parts.len())
            }
            ("stageVariables", _) => (client(r, parts.len().min(1), src, None), 1),
            _ => (self.get(&r.root), 0),
        };
        for (i, part) in parts.iter().enumerate().skip(used) {
            v = step(v, part, r, i);
        }
        v
    }

    /// What an expression's value holds.
    pub fn of_expr(&self, e: &Expr, src: &str) -> Val {
        match e {
            Expr::Ref(r) => self.of_ref(r, src),
            Expr::Paren(x) => self.of_expr(x, src),
            Expr::Interpolated(block) => self.of_block(block, src),
            Expr::Binary(BinOp::Add, a, b, _) => {
                let (a, b) = (self.of_expr(a, src), self.of_expr(b, src));
                if matches!(a, Val::Client { .. }) {
                    without_path(a)
                } else if matches!(b, Val::Client { .. }) {
                    without_path(b)
                } else {
                    Val::Plain
                }
            }
            Expr::List(items) => items
                .iter()
                .map(|x| self.of_expr(x, src))
                .find(|v| matches!(v, Val::Client { .. }))
                .map_or(Val::Plain, without_path),
            Expr::Map(entries) => entries
                .iter()
                .map(|(_, x)| self.of_expr(x, src))
                .find(|v| matches!(v, Val::Client { .. }))
                .map_or(Val::Plain, without_path),
            _ => Val::Plain,
        }
    }

    /// What the text an interpolated string (or any block) writes holds: client text when
    /// one of the references it writes does.
    fn of_block(&self, nodes: &[Node], src: &str) -> Val {
        for n in nodes {
            let v = match n {
                Node::Ref { reference, .. } => self.of_ref(reference, src),
                Node::If {
                    branches,
                    otherwise,
                } => branches
                    .iter()
                    .map(|(_, b)| b)
                    .chain(otherwise.iter())
                    .map(|b| self.of_block(b, src))
                    .find(|v| matches!(v, Val::Client { .. }))
                    .unwrap_or(Val::Plain),
                Node::Foreach { body, .. } => self.of_block(body, src),
                _ => Val::Plain,
            };
            if matches!(v, Val::Client { .. }) {
                return without_path(v);
            }
        }
        Val::Plain
    }

    /// What a loop variable holds: an item of what `iterable` holds.
    pub fn item_of(&self, iterable: &Expr, src: &str) -> Val {
        match self.of_expr(iterable, src) {
            Val::Client { what, path } => Val::Client {
                what,
                path: path.map(|p| PathOf {
                    path: format!("{}[*]", p.path),
                    each: true,
                }),
            },
            _ => Val::Plain,
        }
    }
}

/// How strongly a value matters to the string rules (for joining branches).
fn rank(v: &Val) -> u8 {
    match v {
        Val::Client { .. } => 3,
        Val::Escaped { fixed: false, .. } => 2,
        Val::Json => 1,
        _ => 0,
    }
}

fn without_path(v: Val) -> Val {
    match v {
        Val::Client { what, .. } => Val::Client { what, path: None },
        other => other,
    }
}

/// Client text from the first `upto` parts of `r`, named as written.
fn client(r: &Reference, upto: usize, src: &str, path: Option<PathOf>) -> Val {
    let end = if upto < r.parts.len() {
        part_pos(&r.parts[upto]) as usize
    } else {
        ref_end(r)
    };
    let start = r.pos as usize;
    let what = src.get(start..end).map_or_else(
        || r.literal.to_string(),
        |s| {
            let s = s.trim_start_matches("$!").trim_start_matches("${");
            let s = s.strip_prefix('$').unwrap_or(s);
            format!("${}", s.trim_end_matches('}'))
        },
    );
    Val::Client { what, path }
}

/// Where a part of a reference starts.
pub(super) fn part_pos(p: &RefPart) -> u32 {
    match p {
        RefPart::Property(_, pos, _) | RefPart::Method(_, _, pos) | RefPart::Index(_, pos) => *pos,
    }
}

/// Whether the reference is written `${...}` or `$!{...}`.
pub(super) fn formal(r: &Reference) -> bool {
    r.literal.starts_with("${") || r.literal.starts_with("$!{")
}

/// Where the reference ends in the source (after its `}` when formal).
pub(super) fn ref_end(r: &Reference) -> usize {
    r.pos as usize + r.literal.len()
}

/// Where part `i` of `r` ends (the next part's start, or the reference's end before a
/// closing `}`).
pub(super) fn part_end(r: &Reference, i: usize) -> usize {
    match r.parts.get(i + 1) {
        Some(next) => part_pos(next) as usize,
        None => ref_end(r) - usize::from(formal(r)),
    }
}

/// The value after one more part.
fn step(v: Val, part: &RefPart, r: &Reference, i: usize) -> Val {
    match v {
        Val::Plain => Val::Plain,
        Val::Params => match part {
            RefPart::Method(name, _, _) if &**name == "keySet" || NOT_TEXT.contains(&&**name) => {
                Val::Plain
            }
            RefPart::Property(g, _, _) | RefPart::Index(Expr::Const(Value::Str(g)), _) => {
                Val::ParamGroup {
                    names_safe: matches!(&**g, "header" | "path"),
                }
            }
            _ => Val::Client {
                what: "$input.params()".to_string(),
                path: None,
            },
        },
        Val::ParamGroup { names_safe } => match part {
            RefPart::Method(name, _, _) if NOT_TEXT.contains(&&**name) => Val::Plain,
            RefPart::Method(name, _, _) if &**name == "keySet" && names_safe => Val::Plain,
            _ => Val::Client {
                what: "$input.params()".to_string(),
                path: None,
            },
        },
        Val::Client { what, path } => match part {
            RefPart::Property(name, _, _) => Val::Client {
                what,
                path: path.map(|p| PathOf {
                    path: format!("{}.{name}", p.path),
                    each: p.each,
                }),
            },
            RefPart::Index(Expr::Const(Value::Str(k)), _) => Val::Client {
                what,
                path: path.map(|p| PathOf {
                    path: format!("{}['{k}']", p.path),
                    each: p.each,
                }),
            },
            RefPart::Index(Expr::Const(Value::Int(k)), _) => Val::Client {
                what,
                path: path.map(|p| PathOf {
                    path: format!("{}[{k}]", p.path),
                    each: p.each,
                }),
            },
            RefPart::Index(..) => Val::Client { what, path: None },
            RefPart::Method(name, args, _) => {
                if NOT_TEXT.contains(&&**name) {
                    return Val::Plain;
                }
                // The names in the gateway's maps are the API owner's (authorizer context
                // keys, claim names, override names).
                if &**name == "keySet" && what.starts_with("$context") {
                    return Val::Plain;
                }
                if matches!(&**name, "replace" | "replaceAll" | "replaceFirst")
                    && first_str(args).is_some_and(|s| s.contains('"'))
                {
                    // The template escapes quotes by hand.
                    return Val::Plain;
                }
                if &**name == "get"
                    && let Some(k) = first_str(args)
                {
                    return Val::Client {
                        what,
                        path: path.map(|p| PathOf {
                            path: format!("{}['{k}']", p.path),
                            each: p.each,
                        }),
                    };
                }
                Val::Client { what, path: None }
            }
        },
        Val::Escaped { fixed, insert_at } => match part {
            RefPart::Method(name, args, _) => {
                if NOT_TEXT.contains(&&**name) {
                    Val::Plain
                } else if matches!(&**name, "replace" | "replaceAll" | "replaceFirst")
                    && first_str(args).is_some_and(|s| s.contains('\''))
                {
                    Val::Escaped {
                        fixed: true,
                        insert_at,
                    }
                } else {
                    Val::Escaped {
                        fixed,
                        // A fix goes after the whole chain of string methods.
                        insert_at: if fixed { insert_at } else { part_end(r, i) },
                    }
                }
            }
            _ => Val::Plain,
        },
        Val::Json => match part {
            RefPart::Method(name, _, _) if !NOT_TEXT.contains(&&**name) => Val::Json,
            _ => Val::Plain,
        },
    }
}

/// The first argument when it is a string literal.
fn first_str(args: &[Expr]) -> Option<&str> {
    match args.first() {
        Some(Expr::Const(Value::Str(s))) => Some(s),
        _ => None,
    }
}

/// Whether a (request) template writes client text into `$context.requestOverride` or
/// `responseOverride`, where the response template reads it.
pub(super) fn writes_client_text_to_overrides(t: &crate::vtl::Template) -> bool {
    fn is_override(r: &Reference) -> bool {
        &*r.root == "context"
            && match r.parts.first() {
                Some(RefPart::Property(p, _, _)) => {
                    matches!(&**p, "requestOverride" | "responseOverride")
                }
                Some(RefPart::Index(Expr::Const(Value::Str(s)), _)) => {
                    matches!(&**s, "requestOverride" | "responseOverride")
                }
                _ => false,
            }
    }
    fn walk(nodes: &[Node], env: &mut Env, src: &str, found: &mut bool) {
        for n in nodes {
            match n {
                Node::Set { target, value, .. } => {
                    let v = env.of_expr(value, src);
                    if is_override(target) && matches!(v, Val::Client { .. }) {
                        *found = true;
                    }
                    if target.parts.is_empty() {
                        env.set(target.root.clone(), v);
                    }
                    if let Expr::Ref(r) = value {
                        puts(r, env, src, found);
                    }
                }
                Node::Ref { reference, .. } => puts(reference, env, src, found),
                Node::If {
                    branches,
                    otherwise,
                } => {
                    for (_, b) in branches.iter() {
                        walk(b, env, src, found);
                    }
                    if let Some(b) = otherwise {
                        walk(b, env, src, found);
                    }
                }
                Node::Foreach {
                    var,
                    iterable,
                    body,
                    ..
                } => {
                    let item = env.item_of(iterable, src);
                    env.set(var.clone(), item);
                    walk(body, env, src, found);
                }
                _ => {}
            }
        }
    }
    /// `$context.requestOverride.header.put("k", $value)`.
    fn puts(r: &Reference, env: &Env, src: &str, found: &mut bool) {
        if !is_override(r) {
            return;
        }
        for p in r.parts.iter() {
            if let RefPart::Method(m, args, _) = p
                && &**m == "put"
                && args
                    .get(1)
                    .is_some_and(|a| matches!(env.of_expr(a, src), Val::Client { .. }))
            {
                *found = true;
            }
        }
    }
    let mut env = Env::new(false);
    let mut found = false;
    walk(t.nodes(), &mut env, t.source(), &mut found);
    found
}
