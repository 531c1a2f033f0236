//! Walking a syntax tree: every reference wherever it is written (text, directives,
//! method arguments, string literals, macro bodies), and every `#if`/`#elseif` condition.

use crate::vtl::Template;
use crate::vtl::ast::{Expr, Node, RefPart, Reference};

/// How a reference is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Use {
    /// Read (written out, tested, passed, iterated).
    Read,
    /// The target of a `#set` (its root is read too when it has parts: `$m.key`).
    SetTarget,
}

/// Call `f` for every reference of the template, with how it is used.
pub(super) fn each_ref<'t>(t: &'t Template, f: &mut dyn FnMut(&'t Reference, Use)) {
    nodes(t.nodes(), f);
    for m in t.macros() {
        nodes(&m.body, f);
    }
}

/// Call `f` for every `#if`/`#elseif` condition of the template (macro bodies included).
pub(super) fn each_condition<'t>(t: &'t Template, f: &mut dyn FnMut(&'t Expr)) {
    fn walk<'t>(nodes: &'t [Node], f: &mut dyn FnMut(&'t Expr)) {
        for n in nodes {
            match n {
                Node::If {
                    branches,
                    otherwise,
                } => {
                    for (cond, body) in branches.iter() {
                        f(cond);
                        walk(body, f);
                    }
                    if let Some(b) = otherwise {
                        walk(b, f);
                    }
                }
                Node::Foreach { body, .. } | Node::Define { body, .. } => walk(body, f),
                Node::MacroCall { call, .. } => {
                    if let Some(b) = &call.body {
                        walk(b, f);
                    }
                }
                _ => {}
            }
        }
    }
    walk(t.nodes(), f);
    for m in t.macros() {
        walk(&m.body, f);
    }
}

fn nodes<'t>(list: &'t [Node], f: &mut dyn FnMut(&'t Reference, Use)) {
    for n in list {
        match n {
            Node::Text(..) | Node::Stop => {}
            Node::Ref { reference, .. } => reference_parts(reference, Use::Read, f),
            Node::Set { target, value, .. } => {
                expr(value, f);
                reference_parts(target, Use::SetTarget, f);
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches.iter() {
                    expr(cond, f);
                    nodes(body, f);
                }
                if let Some(b) = otherwise {
                    nodes(b, f);
                }
            }
            Node::Foreach { iterable, body, .. } => {
                expr(iterable, f);
                nodes(body, f);
            }
            Node::MacroCall { call, .. } => {
                for a in call.args.iter() {
                    expr(a, f);
                }
                if let Some(b) = &call.body {
                    nodes(b, f);
                }
            }
            Node::Define { body, .. } => nodes(body, f),
            Node::Evaluate { arg, .. } => expr(arg, f),
            Node::Include { args, .. } => args.iter().for_each(|a| expr(a, f)),
            Node::Parse { arg, .. } => {
                if let Some(a) = arg {
                    expr(a, f);
                }
            }
            Node::Break { scope, .. } => {
                if let Some((e, _)) = scope {
                    expr(e, f);
                }
            }
        }
    }
}

fn reference_parts<'t>(r: &'t Reference, how: Use, f: &mut dyn FnMut(&'t Reference, Use)) {
    f(r, how);
    for p in r.parts.iter() {
        match p {
            RefPart::Property(..) => {}
            RefPart::Method(_, args, _) => args.iter().for_each(|a| expr(a, f)),
            RefPart::Index(e, _) => expr(e, f),
        }
    }
}

fn expr<'t>(e: &'t Expr, f: &mut dyn FnMut(&'t Reference, Use)) {
    match e {
        Expr::Const(_) => {}
        Expr::Interpolated(block) => nodes(block, f),
        Expr::List(items) => items.iter().for_each(|x| expr(x, f)),
        Expr::Map(entries) => entries.iter().for_each(|(k, v)| {
            expr(k, f);
            expr(v, f);
        }),
        Expr::Range(a, b, _) => {
            expr(a, f);
            expr(b, f);
        }
        Expr::Ref(r) => reference_parts(r, Use::Read, f),
        Expr::Binary(_, a, b, _) => {
            expr(a, f);
            expr(b, f);
        }
        Expr::Not(x) | Expr::Paren(x) => expr(x, f),
    }
}
