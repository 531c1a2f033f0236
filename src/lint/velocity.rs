//! Velocity's own traps: a condition whose outcome never changes in API Gateway
//! (`constant-condition`), a variable set and never read (`unused-set`), the deprecated
//! `$velocityCount` (`velocity-count`), and a template that does not parse
//! (`parse-error`).

use std::collections::{HashMap, HashSet};

use crate::vtl::ast::{BinOp, Expr, Node, RefPart, Reference, Special};
use crate::vtl::value::Value;
use crate::vtl::{Template, VtlError};

use super::visit::{Use, each_condition, each_ref};
use super::{Finding, Fix, RuleId, Span, TemplateSpec};

/// Roots the gateway (or the engine) answers itself.
const GATEWAY_ROOTS: &[&str] = &[
    "input",
    "util",
    "context",
    "stageVariables",
    "foreach",
    "velocityCount",
    "velocityHasNext",
    "bodyContent",
];

/// Methods called for what they do to a list or map (`#set($ignore = $l.add(1))`).
const MUTATING: &[&str] = &[
    "put",
    "putAll",
    "putIfAbsent",
    "add",
    "addAll",
    "remove",
    "removeAll",
    "retainAll",
    "set",
    "clear",
];

/// The finding for a template that does not parse.
pub(super) fn parse_error(e: &VtlError) -> Finding {
    let help = if e.message.contains("found 'null") {
        " (Velocity has no null literal: test #if(!$x), or compare with an undefined reference such as $null)"
    } else {
        ""
    };
    Finding::new(
        RuleId::ParseError,
        format!("{}{help}", e.message),
        Span::offset(e.offset as usize),
    )
}

/// Run the Velocity rules.
pub(super) fn check(t: &Template, _spec: &TemplateSpec<'_>, out: &mut Vec<Finding>) {
    let assigned = assigned_names(t);
    each_condition(t, &mut |cond| {
        constant(cond, true, &assigned, out);
    });
    velocity_count(t, out);
    unused_set(t, out);
}

/// Names the template gives a value: `#set` targets, loop variables, macro parameters.
fn assigned_names(t: &Template) -> HashSet<String> {
    let mut names = HashSet::new();
    each_ref(t, &mut |r, how| {
        if how == Use::SetTarget {
            names.insert(r.root.to_string());
        }
    });
    fn loops(nodes: &[Node], names: &mut HashSet<String>) {
        for n in nodes {
            match n {
                Node::Foreach { var, body, .. } => {
                    names.insert(var.to_string());
                    loops(body, names);
                }
                Node::If {
                    branches,
                    otherwise,
                } => {
                    for (_, b) in branches.iter() {
                        loops(b, names);
                    }
                    if let Some(b) = otherwise {
                        loops(b, names);
                    }
                }
                Node::Define { name, body } => {
                    names.insert(name.to_string());
                    loops(body, names);
                }
                _ => {}
            }
        }
    }
    loops(t.nodes(), &mut names);
    for m in t.macros() {
        names.extend(m.params.iter().map(ToString::to_string));
        loops(&m.body, &mut names);
    }
    names
}

/// Which gateway value a reference is, when the rule knows it never is null or empty.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NeverEmpty {
    /// `$input.params('x')`: "" when missing, never null.
    Param,
    /// `$input.body`: `{}` when the payload is empty.
    Body,
}

fn never_empty(r: &Reference) -> Option<NeverEmpty> {
    if &*r.root != "input" {
        return None;
    }
    match &r.parts[..] {
        [RefPart::Method(m, args, _)] if &**m == "params" && args.len() == 1 => {
            Some(NeverEmpty::Param)
        }
        [RefPart::Property(p, _, _)] if &**p == "body" => Some(NeverEmpty::Body),
        _ => None,
    }
}

/// A condition (or part of one) tested for truth; `holds` is false under a `!`.
fn constant(e: &Expr, holds: bool, assigned: &HashSet<String>, out: &mut Vec<Finding>) {
    match e {
        Expr::Paren(x) => constant(x, holds, assigned, out),
        Expr::Not(x) => constant(x, !holds, assigned, out),
        Expr::Binary(BinOp::And | BinOp::Or, a, b, _) => {
            constant(a, holds, assigned, out);
            constant(b, holds, assigned, out);
        }
        Expr::Ref(r) => {
            let Some(kind) = never_empty(r) else { return };
            let outcome = if holds { "always true" } else { "never true" };
            let message = match kind {
                NeverEmpty::Param => format!(
                    "this test of {} is {outcome}: a missing parameter gives \"\", never null; compare with \"\" instead",
                    r.literal
                ),
                NeverEmpty::Body => format!(
                    "this test of {} is {outcome}: an empty payload gives {{}}, never null or \"\"",
                    r.literal
                ),
            };
            out.push(Finding::new(
                RuleId::ConstantCondition,
                message,
                Span::offset(r.pos as usize),
            ));
        }
        Expr::Binary(op @ (BinOp::Eq | BinOp::Ne), a, b, pos) => {
            let body_vs_empty = |x: &Expr, y: &Expr| {
                matches!(x, Expr::Ref(r) if never_empty(r) == Some(NeverEmpty::Body))
                    && is_empty_or_null(y, assigned)
            };
            if body_vs_empty(a, b) || body_vs_empty(b, a) {
                let outcome = if (*op == BinOp::Eq) == holds {
                    "never true"
                } else {
                    "always true"
                };
                out.push(Finding::new(
                    RuleId::ConstantCondition,
                    format!(
                        "this comparison is {outcome}: $input.body of an empty payload is {{}}, never null or \"\""
                    ),
                    Span::offset(*pos as usize),
                ));
            }
        }
        _ => {}
    }
}

/// `""`, or a plain reference the template never sets (`$null`).
fn is_empty_or_null(e: &Expr, assigned: &HashSet<String>) -> bool {
    match e {
        Expr::Const(Value::Str(s)) => s.is_empty(),
        Expr::Ref(r) => {
            r.parts.is_empty() && !assigned.contains(&*r.root) && !GATEWAY_ROOTS.contains(&&*r.root)
        }
        _ => false,
    }
}

fn velocity_count(t: &Template, out: &mut Vec<Finding>) {
    each_ref(t, &mut |r, _| {
        let new = match r.special {
            Special::VelocityCount => "foreach.count",
            Special::VelocityHasNext => "foreach.hasNext",
            _ => return,
        };
        let lit = &*r.literal;
        let prefix = lit.len() - lit.trim_start_matches(['$', '!', '{']).len();
        let start = r.pos as usize + prefix;
        let fix = Fix {
            start,
            end: start + r.root.len(),
            text: new.to_string(),
        };
        out.push(
            Finding::new(
                RuleId::VelocityCount,
                format!("${} is deprecated in Velocity 1.7: use ${new}", r.root),
                Span::offset(r.pos as usize),
            )
            .with_fix(Some(fix)),
        );
    });
}

fn unused_set(t: &Template, out: &mut Vec<Finding>) {
    if !t.macros().is_empty() || dynamic(t.nodes()) {
        return;
    }
    let mut read: HashSet<&str> = HashSet::new();
    let mut first_set: HashMap<&str, u32> = HashMap::new();
    each_ref(t, &mut |r, how| match how {
        Use::Read => {
            read.insert(&r.root);
        }
        Use::SetTarget if r.parts.is_empty() => {
            first_set.entry(&r.root).or_insert(r.pos);
        }
        Use::SetTarget => {
            read.insert(&r.root);
        }
    });
    let effects = set_for_effect(t.nodes());
    let mut unused: Vec<(&str, u32)> = first_set
        .into_iter()
        .filter(|(name, _)| !read.contains(name) && !effects.contains(*name))
        .collect();
    unused.sort_by_key(|(_, pos)| *pos);
    for (name, pos) in unused {
        out.push(Finding::new(
            RuleId::UnusedSet,
            format!("${name} is set and never read"),
            Span::offset(pos as usize),
        ));
    }
}

/// Whether the template can read variables by a name computed when it runs.
fn dynamic(nodes: &[Node]) -> bool {
    nodes.iter().any(|n| match n {
        Node::Evaluate { .. } | Node::Include { .. } | Node::Parse { .. } | Node::Define { .. } => {
            true
        }
        Node::If {
            branches,
            otherwise,
        } => branches.iter().any(|(_, b)| dynamic(b)) || otherwise.as_deref().is_some_and(dynamic),
        Node::Foreach { body, .. } => dynamic(body),
        Node::MacroCall { call, .. } => call.body.as_deref().is_some_and(dynamic),
        _ => false,
    })
}

/// Variables set to the result of a method called for its effect (`$l.add(1)`).
fn set_for_effect(nodes: &[Node]) -> HashSet<String> {
    let mut out = HashSet::new();
    fn walk(nodes: &[Node], out: &mut HashSet<String>) {
        for n in nodes {
            match n {
                Node::Set { target, value, .. } => {
                    if let Expr::Ref(r) = value
                        && r.parts.iter().any(
                            |p| matches!(p, RefPart::Method(m, _, _) if MUTATING.contains(&&**m)),
                        )
                    {
                        out.insert(target.root.to_string());
                    }
                }
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
    walk(nodes, &mut out);
    out
}
