//! The syntax tree of a Velocity template. Every node that can fail at render time keeps the
//! byte offset where it starts, so errors point at line and column.

use std::rc::Rc;

use super::value::Value;

/// A byte offset into the template source.
pub type Pos = u32;

/// A sequence of nodes (a template, a block body). Shared so blocks can become values.
pub type Block = Rc<[Node]>;

/// One piece of a template.
pub enum Node {
    /// Literal text, printed as is, and where it starts. The text is the template's own
    /// characters from there, except where an escape changed them (`\#set`, `\$a`).
    Text(Box<str>, Pos),
    /// `$ref` in text. `escapes` is the number of backslashes written before the `$`.
    Ref {
        reference: Box<Reference>,
        escapes: u32,
    },
    /// `#set($target = value)`.
    Set {
        target: Box<Reference>,
        value: Expr,
        pos: Pos,
    },
    /// `#if` / `#elseif` branches and an optional `#else`.
    If {
        branches: Box<[(Expr, Block)]>,
        otherwise: Option<Block>,
    },
    /// `#foreach($var in iterable) body #end`.
    Foreach {
        var: Rc<str>,
        iterable: Expr,
        body: Block,
        pos: Pos,
    },
    /// `#name(args)` or `#@name(args) body #end`: a macro call, resolved when rendered.
    /// `source` is the call as written, printed when no macro has that name.
    MacroCall { call: Rc<MacroCall>, pos: Pos },
    /// `#define($name) body #end`.
    Define { name: Rc<str>, body: Block },
    /// `#evaluate(arg)`.
    Evaluate { arg: Expr, pos: Pos },
    /// `#include(args)`.
    Include { args: Box<[Expr]>, pos: Pos },
    /// `#parse(arg)`.
    Parse { arg: Option<Expr>, pos: Pos },
    /// `#break`, or `#break($scope)` (the argument with its source text, for the error when
    /// it is not a scope).
    Break {
        scope: Option<(Expr, Box<str>)>,
        pos: Pos,
    },
    /// `#stop`.
    Stop,
}

/// A macro call site.
pub struct MacroCall {
    /// The macro's name (without `#` or `@`).
    pub name: Rc<str>,
    /// Argument expressions, evaluated by name at each use inside the body.
    pub args: Rc<[Expr]>,
    /// The body of a block call (`#@name() ... #end`).
    pub body: Option<Block>,
    /// The call as written (printed when no macro of that name exists).
    pub source: Box<str>,
}

/// A `#macro` definition.
pub struct MacroDef {
    /// Macro name.
    pub name: Rc<str>,
    /// Parameter names (without `$`).
    pub params: Box<[Rc<str>]>,
    /// The macro body.
    pub body: Block,
}

/// `$name.part.part(...)[...]`.
pub struct Reference {
    /// The variable name.
    pub root: Rc<str>,
    /// Properties, method calls and indexes applied in order.
    pub parts: Box<[RefPart]>,
    /// `$!name`: print nothing when unresolved.
    pub quiet: bool,
    /// The reference exactly as written (`${a.b}`), printed when it cannot be resolved.
    pub literal: Box<str>,
    /// Where the reference starts.
    pub pos: Pos,
    /// Inside a macro body: the position of the root among the macro's parameters
    /// (`u16::MAX` when it is not one).
    pub param: u16,
    /// Where the root variable was last found in the context.
    pub hint: std::cell::Cell<u32>,
    /// Which of the names the engine itself answers the root is (found when parsing, so a
    /// lookup does not compare strings).
    pub special: Special,
}

/// Root names the renderer answers itself before the context: the loop variables Velocity
/// 1.7 keeps while a `#foreach` runs, and a block macro's `$bodyContent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Special {
    /// Any other name.
    None,
    /// `$velocityCount`
    VelocityCount,
    /// `$velocityHasNext`
    VelocityHasNext,
    /// `$foreach`
    Foreach,
    /// `$bodyContent`
    BodyContent,
}

impl Special {
    /// The special meaning of a root name, if it has one.
    pub fn of(name: &str) -> Special {
        match name {
            "velocityCount" => Special::VelocityCount,
            "velocityHasNext" => Special::VelocityHasNext,
            "foreach" => Special::Foreach,
            "bodyContent" => Special::BodyContent,
            _ => Special::None,
        }
    }
}

impl Reference {
    /// The root's parameter position in the enclosing macro definition, if it is one.
    pub fn param(&self) -> Option<usize> {
        (self.param != u16::MAX).then_some(self.param as usize)
    }
}

/// One step after the root of a reference.
pub enum RefPart {
    /// `.name`, with a cache of the map slot where the name was last found (maps built from
    /// the same JSON shape keep their keys in the same order).
    Property(Rc<str>, Pos, std::cell::Cell<u32>),
    /// `.name(args)`
    Method(Rc<str>, Box<[Expr]>, Pos),
    /// `[index]`
    Index(Expr, Pos),
}

/// Binary operators, in Velocity's spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `||`, `or`
    Or,
    /// `&&`, `and`
    And,
    /// `==`, `eq`
    Eq,
    /// `!=`, `ne`
    Ne,
    /// `<`, `lt`
    Lt,
    /// `<=`, `le`
    Le,
    /// `>`, `gt`
    Gt,
    /// `>=`, `ge`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

/// An expression inside a directive.
pub enum Expr {
    /// A constant literal (number, `true`, `false`, single-quoted or plain string).
    Const(Value),
    /// A double-quoted string containing `$` or `#`: a template rendered at each evaluation.
    Interpolated(Block),
    /// `[a, b]`: a new list on each evaluation.
    List(Box<[Expr]>),
    /// `{k: v}`: a new map on each evaluation.
    Map(Box<[(Expr, Expr)]>),
    /// `[a..b]`
    Range(Box<Expr>, Box<Expr>, Pos),
    /// A reference.
    Ref(Box<Reference>),
    /// A binary operation.
    Binary(BinOp, Box<Expr>, Box<Expr>, Pos),
    /// `!x`, `not x`
    Not(Box<Expr>),
    /// `( x )`
    Paren(Box<Expr>),
}
