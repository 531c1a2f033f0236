//! The renderer: walks the syntax tree and writes into one output buffer.

use std::cell::Cell;
use std::rc::Rc;

use rustc_hash::FxHashMap;

use super::ast::{BinOp, Block, Expr, MacroDef, Node, Pos, RefPart, Reference, Special};
use super::budget;
use super::context::Context;
use super::error::{ErrorKind, VtlError};
use super::methods;
use super::ops::{self, MAP_ENTRY_BYTES, values_equal};
use super::parser;
use super::policy::Policy;
use super::value::{BlockValue, HostObject, ListRef, MapRef, MethodError, Outcome, Value};

/// What a rendered block asks its caller to do next.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    /// `#break`: leave the innermost `#foreach`, macro or `#define` block; with a scope
    /// (`#break($foreach.parent)`, the scope's address), leave every block up to and
    /// including that `#foreach`.
    Break(Option<usize>),
    /// `#stop`: end the whole template, keeping the output so far.
    Stop,
}

/// Errors are boxed inside the renderer: results stay small on the hot path.
type R<T> = Result<T, Box<VtlError>>;

/// One active macro call.
struct Frame {
    def: Rc<MacroDef>,
    args: Rc<[Expr]>,
    /// `#set` of a parameter name inside the body binds here (Velocity's proxy context).
    locals: Vec<(Rc<str>, Value)>,
    /// How many frames the caller sees (its arguments are evaluated with that view).
    caller_visible: usize,
    body_content: Option<Value>,
}

/// Renders templates against one context.
pub(crate) struct Renderer<'a> {
    policy: &'a Policy,
    ctx: &'a mut Context,
    macros: FxHashMap<Rc<str>, Rc<MacroDef>>,
    frames: Vec<Frame>,
    visible: usize,
    depth: usize,
    iterations: u64,
    foreach: Option<Rc<ForeachScope>>,
    /// `#define` blocks being rendered (to stop self-reference).
    active_blocks: Vec<Rc<BlockValue>>,
    /// `#stop` ran inside a string literal: end the template at the next node.
    stopped: bool,
    pub(crate) out: String,
    /// Limits that cut the output short without failing the render (API Gateway's
    /// `#foreach` cap), one per directive: where, which directive, what happened.
    pub(crate) notes: Vec<(Pos, &'static str, String)>,
    /// The render's memory, step and time budget, installed for this thread while the
    /// renderer lives.
    _budget: budget::Scope,
    /// The lists and maps this render may leave in cycles, freed when it ends (before the
    /// budget is put back: fields drop in order, and this one is declared after).
    _cycles: super::cycles::Tracking,
    last_pos: Cell<Pos>,
}

fn render_error(pos: Pos, msg: String) -> Box<VtlError> {
    Box::new(VtlError::new(ErrorKind::Render, pos, msg))
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(policy: &'a Policy, ctx: &'a mut Context, macros: &[Rc<MacroDef>]) -> Self {
        let mut map = FxHashMap::default();
        for m in macros {
            map.insert(m.name.clone(), m.clone());
        }
        Renderer {
            policy,
            ctx,
            macros: map,
            frames: Vec::new(),
            visible: 0,
            depth: 0,
            iterations: 0,
            foreach: None,
            active_blocks: Vec::new(),
            stopped: false,
            out: String::new(),
            notes: Vec::new(),
            _budget: budget::Scope::enter(policy),
            _cycles: super::cycles::Tracking::enter(),
            last_pos: Cell::new(0),
        }
    }

    /// Render top-level nodes. `#stop` and a `#break` outside any loop end the template.
    pub(crate) fn render_template(&mut self, nodes: &[Node]) -> R<()> {
        self.nodes(nodes)?;
        // A budget may have tripped where nothing checked it since.
        self.check_output(self.here())
    }

    fn nodes(&mut self, nodes: &[Node]) -> R<Flow> {
        for node in nodes {
            let flow = self.node(node)?;
            if flow != Flow::Normal {
                return Ok(flow);
            }
            if self.stopped {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Normal)
    }

    /// One evaluation step at `pos`: counts it against the step budget and the deadline,
    /// and fails when the output or the memory budget is exceeded or a budget tripped in
    /// code that could not fail by itself (printing, comparing).
    #[inline]
    fn check(&self, pos: Pos) -> R<()> {
        self.last_pos.set(pos);
        if let Err(MethodError(m)) = budget::step(1) {
            return Err(render_error(pos, m));
        }
        self.check_output(pos)
    }

    /// Like [`Renderer::check`] without counting a step.
    fn check_output(&self, pos: Pos) -> R<()> {
        if budget::tripped() {
            return Err(render_error(pos, budget::failure().unwrap_or_default()));
        }
        if self.out.len() > self.policy.max_output_bytes {
            return Err(render_error(
                pos,
                format!(
                    "output exceeds the limit of {} bytes",
                    self.policy.max_output_bytes
                ),
            ));
        }
        if self.out.len() > budget::remaining() {
            return Err(render_error(pos, budget::memory_message()));
        }
        Ok(())
    }

    /// Charge `bytes` of new values to the memory budget.
    #[inline]
    fn charge(bytes: usize, pos: Pos) -> R<()> {
        budget::charge(bytes).map_err(|MethodError(m)| render_error(pos, m))
    }

    fn node(&mut self, node: &Node) -> R<Flow> {
        match node {
            Node::Text(t, _) => self.out.push_str(t),
            Node::Ref { reference, escapes } => self.print_reference(reference, *escapes)?,
            Node::Set { target, value, pos } => self.set(target, value, *pos)?,
            Node::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches.iter() {
                    if self.truth(cond)? {
                        return self.nodes(body);
                    }
                }
                if let Some(body) = otherwise {
                    return self.nodes(body);
                }
            }
            Node::Foreach {
                var,
                iterable,
                body,
                pos,
            } => return self.foreach(var, iterable, body, *pos),
            Node::MacroCall { call, pos } => {
                let Some(def) = self.macros.get(&call.name).cloned() else {
                    self.out.push_str(&call.source);
                    return Ok(Flow::Normal);
                };
                let body_content = call
                    .body
                    .as_ref()
                    .map(|b| Value::Block(Rc::new(BlockValue::new(b.clone()))));
                return self.call_macro(&def, call.args.clone(), body_content, *pos);
            }
            Node::Define { name, body } => {
                let v = Value::Block(Rc::new(BlockValue::new(body.clone())));
                self.assign_var(name, v, None);
            }
            Node::Evaluate { arg, pos } => return self.evaluate(arg, *pos),
            Node::Include { args, pos } => {
                for (i, arg) in args.iter().enumerate() {
                    match self.eval(arg)? {
                        Some(Value::Str(name)) => {
                            return Err(render_error(
                                *pos,
                                format!(
                                    "#include: unable to find resource '{name}' (there is no resource loader)"
                                ),
                            ));
                        }
                        Some(other) => {
                            return Err(render_error(
                                *pos,
                                format!(
                                    "invalid #include() argument '{}': it must be a string",
                                    other.to_java_string()
                                ),
                            ));
                        }
                        None => {
                            use std::fmt::Write as _;
                            let _ = write!(
                                self.out,
                                "<!-- include error : error with arg {i} please see log. see error log -->"
                            );
                        }
                    }
                }
            }
            Node::Parse { arg: None, pos } => {
                return Err(render_error(*pos, "#parse(): argument missing".to_string()));
            }
            Node::Parse {
                arg: Some(arg),
                pos,
            } => {
                if let Some(v) = self.eval(arg)? {
                    return Err(render_error(
                        *pos,
                        format!(
                            "#parse: unable to find resource '{}' (there is no resource loader)",
                            v.to_java_string()
                        ),
                    ));
                }
            }
            Node::Break { scope: None, .. } => return Ok(Flow::Break(None)),
            Node::Break {
                scope: Some((arg, text)),
                pos,
            } => {
                return match self.eval(arg)? {
                    Some(Value::Object(o)) if o.class_name() == "ForeachScope" => {
                        Ok(Flow::Break(Some(Rc::as_ptr(&o).cast::<()>() as usize)))
                    }
                    _ => Err(render_error(
                        *pos,
                        format!("{text} is not a valid Scope instance"),
                    )),
                };
            }
            Node::Stop => return Ok(Flow::Stop),
        }
        Ok(Flow::Normal)
    }

    // ------------------------------------------------------------------ variables

    /// The value of a reference's root variable as the current macro frame sees it.
    /// `param` is the root's position among the parameters of the macro whose body holds
    /// the reference (found when parsing).
    fn lookup(&mut self, r: &Reference) -> R<Option<Value>> {
        let name: &str = &r.root;
        let param = r.param();
        if self.visible > 0 {
            let idx = self.visible - 1;
            let frame = &self.frames[idx];
            if !frame.locals.is_empty()
                && let Some((_, v)) = frame.locals.iter().rev().find(|(n, _)| &**n == name)
            {
                return Ok(Some(v.clone()));
            }
            if r.special == Special::BodyContent
                && let Some(b) = &frame.body_content
            {
                return Ok(Some(b.clone()));
            }
            let param = param.filter(|&i| {
                frame
                    .def
                    .params
                    .get(i)
                    .is_some_and(|p| Rc::ptr_eq(p, &r.root) || &**p == name)
            });
            if let Some(i) = param
                && i < frame.args.len()
            {
                let args = frame.args.clone();
                let saved = self.visible;
                self.visible = frame.caller_visible;
                let v = self.eval(&args[i]);
                self.visible = saved;
                return v;
            }
        }
        if let Some(scope) = &self.foreach {
            // Velocity 1.7 keeps these in the context while a loop runs.
            match r.special {
                Special::VelocityCount => {
                    return Ok(Some(Value::integer(scope.index.get() as i128 + 1)));
                }
                Special::VelocityHasNext => {
                    return Ok(Some(Value::Bool(scope.index.get() + 1 < scope.len)));
                }
                Special::Foreach => return Ok(Some(Value::Object(scope.clone()))),
                Special::None | Special::BodyContent => {}
            }
        }
        Ok(self.ctx.get_hinted(&r.root, &r.hint).cloned())
    }

    /// `#set($name = v)`; `hint` is the target reference's slot cache, if it has one.
    fn assign_var(&mut self, name: &Rc<str>, v: Value, hint: Option<&Cell<u32>>) {
        if self.visible > 0 {
            let frame = &mut self.frames[self.visible - 1];
            // Velocity's macro context writes both its local copy and the global one.
            if frame.def.params.iter().any(|p| p == name) {
                if let Some(slot) = frame.locals.iter_mut().find(|(n, _)| n == name) {
                    slot.1 = v.clone();
                } else {
                    frame.locals.push((name.clone(), v.clone()));
                }
            }
        }
        match hint {
            Some(hint) => self.ctx.set_hinted(name, hint, v),
            None => self.ctx.set(name, v),
        }
    }

    // ------------------------------------------------------------------ references

    /// Resolve a reference; `None` is Java null (unresolved).
    fn resolve(&mut self, r: &Reference) -> R<Option<Value>> {
        if r.parts.is_empty() {
            // A plain `$name` (the most common reference): what `resolve_path` gives for no
            // parts, without walking them.
            return Ok(match self.lookup(r)? {
                Some(Value::Null) => None,
                Some(Value::Block(b)) if self.active_blocks.iter().any(|a| Rc::ptr_eq(a, &b)) => {
                    None
                }
                v => v,
            });
        }
        self.resolve_path(r, &r.parts)
    }

    /// Resolve the root of `r` followed by `parts` (all of `r.parts`, or a prefix of them).
    fn resolve_path(&mut self, r: &Reference, parts: &[RefPart]) -> R<Option<Value>> {
        let Some(mut cur) = self.lookup(r)? else {
            return Ok(None);
        };
        for part in parts {
            if cur.is_null() {
                return Ok(None);
            }
            let next = match part {
                RefPart::Property(name, _, hint) => methods::property_cached(&cur, name, hint),
                RefPart::Method(name, args, pos)
                    if args.is_empty()
                        && &**name == "toString"
                        && matches!(cur, Value::Block(_)) =>
                {
                    let Value::Block(b) = &cur else {
                        unreachable!("matched above")
                    };
                    let b = b.clone();
                    Some(Value::Str(Rc::from(self.render_block(&b, *pos)?.as_str())))
                }
                RefPart::Method(name, args, pos) => {
                    let mut vals: smallvec::SmallVec<[Value; 4]> = smallvec::SmallVec::new();
                    for a in args.iter() {
                        vals.push(self.eval(a)?.unwrap_or(Value::Null));
                    }
                    match methods::call(&cur, name, &vals) {
                        Ok(v) => {
                            self.check(*pos)?;
                            v
                        }
                        Err(MethodError(_)) if budget::tripped() => {
                            return Err(render_error(*pos, budget::failure().unwrap_or_default()));
                        }
                        Err(MethodError(msg)) => {
                            return Err(render_error(
                                *pos,
                                format!(
                                    "invocation of method '{name}' in {} threw an exception: {msg} (reference {})",
                                    cur.class_name(),
                                    r.literal
                                ),
                            ));
                        }
                    }
                }
                RefPart::Index(e, pos) => {
                    let idx = self.eval(e)?.unwrap_or(Value::Null);
                    match methods::index(&cur, &idx) {
                        Ok(v) => {
                            self.check(*pos)?;
                            v
                        }
                        Err(MethodError(msg)) => {
                            return Err(render_error(
                                *pos,
                                format!("index [{}] of {}: {msg}", idx.to_java_string(), r.literal),
                            ));
                        }
                    }
                }
            };
            match next {
                Some(v) => cur = v,
                None => return Ok(None),
            }
        }
        match &cur {
            Value::Null => Ok(None),
            Value::Block(b) if self.active_blocks.iter().any(|a| Rc::ptr_eq(a, b)) => Ok(None),
            _ => Ok(Some(cur)),
        }
    }

    /// Print a reference that is a context variable followed only by map properties
    /// (`$rec.userId`), borrowing each value on the way instead of copying it out. `false`
    /// (having printed and changed nothing) when it needs the general path: a macro
    /// parameter or local, a loop or block name, a method or index, a host object, a
    /// block, or a null or missing value.
    fn print_borrowed(&mut self, r: &Reference) -> bool {
        if r.special != Special::None {
            return false;
        }
        if self.visible > 0
            && (r.param().is_some() || !self.frames[self.visible - 1].locals.is_empty())
        {
            return false;
        }
        if !r.parts.iter().all(|p| matches!(p, RefPart::Property(..))) {
            return false;
        }
        let Some(root) = self.ctx.get_hinted(&r.root, &r.hint) else {
            return false;
        };
        print_walk(root, &r.parts, &mut self.out)
    }

    fn print_reference(&mut self, r: &Reference, escapes: u32) -> R<()> {
        if escapes == 0 && self.print_borrowed(r) {
            return self.check(r.pos);
        }
        let value = self.resolve(r)?;
        let escaped = escapes % 2 == 1;
        let prefix = (escapes / 2) as usize;
        let push_prefix = |out: &mut String, n: usize| {
            for _ in 0..n {
                out.push('\\');
            }
        };
        match value {
            Some(v) => {
                push_prefix(&mut self.out, prefix);
                if escaped {
                    self.out.push_str(&r.literal);
                } else {
                    self.print_value(&v, r.pos)?;
                }
            }
            None => {
                if escaped {
                    push_prefix(&mut self.out, prefix);
                    self.out.push('\\');
                    self.out.push_str(&r.literal);
                } else if r.quiet || self.policy.null_prints_empty {
                    push_prefix(&mut self.out, prefix);
                } else {
                    // Velocity writes the prefix twice: the backslashes did not escape anything.
                    push_prefix(&mut self.out, prefix * 2);
                    let literal = self.param_literal(r).unwrap_or_else(|| r.literal.clone());
                    self.out.push_str(&literal);
                }
            }
        }
        self.check(r.pos)
    }

    /// A plain `$param` inside a macro whose argument is a reference prints the argument's
    /// text when it is null (`#m($nope)` prints `$nope`).
    fn param_literal(&self, r: &Reference) -> Option<Box<str>> {
        if self.visible == 0 || !r.parts.is_empty() || r.literal.starts_with("${") {
            return None;
        }
        let frame = &self.frames[self.visible - 1];
        if frame.locals.iter().any(|(n, _)| *n == r.root) {
            return None;
        }
        let i = frame.def.params.iter().position(|p| *p == r.root)?;
        match frame.args.get(i)? {
            Expr::Ref(arg) => Some(arg.literal.clone()),
            _ => None,
        }
    }

    fn print_value(&mut self, v: &Value, pos: Pos) -> R<()> {
        match v {
            Value::Str(s) => self.out.push_str(s),
            Value::Block(b) => {
                let text = self.render_block(b, pos)?;
                self.out.push_str(&text);
            }
            other => other.write_display(&mut self.out),
        }
        Ok(())
    }

    /// Render a `#define` block or `$bodyContent` to text. A block that refers to itself
    /// while rendering sees null there (Velocity's guard against endless recursion).
    fn render_block(&mut self, b: &Rc<BlockValue>, pos: Pos) -> R<String> {
        self.check(pos)?;
        self.enter(pos)?;
        self.active_blocks.push(b.clone());
        let saved = std::mem::take(&mut self.out);
        let body: Block = b.body::<Block>().cloned().unwrap_or_else(|| Rc::from([]));
        let r = self.nodes(&body);
        let text = std::mem::replace(&mut self.out, saved);
        self.active_blocks.pop();
        self.depth -= 1;
        r?;
        Ok(text)
    }

    fn enter(&mut self, pos: Pos) -> R<()> {
        if self.depth >= self.policy.max_call_depth {
            return Err(render_error(
                pos,
                format!(
                    "macro/#define/#evaluate nesting exceeds the limit of {}",
                    self.policy.max_call_depth
                ),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    // ------------------------------------------------------------------ directives

    fn set(&mut self, target: &Reference, value: &Expr, pos: Pos) -> R<()> {
        self.check(pos)?;
        let Some(v) = self.eval(value)? else {
            // `directive.set.null.allowed = false`: the target keeps its old value.
            return Ok(());
        };
        let Some((last, init)) = target.parts.split_last() else {
            self.assign_var(&target.root, v, Some(&target.hint));
            return Ok(());
        };
        let Some(parent) = self.resolve_path(target, init)? else {
            return Ok(());
        };
        match last {
            RefPart::Property(name, _, _) => {
                methods::set_property(&parent, name, v)
                    .map_err(|MethodError(m)| render_error(pos, m))?;
            }
            RefPart::Index(e, ipos) => {
                let idx = self.eval(e)?.unwrap_or(Value::Null);
                methods::set_index(&parent, &idx, v)
                    .map_err(|MethodError(m)| render_error(*ipos, m))?;
            }
            RefPart::Method(..) => {
                return Err(render_error(
                    pos,
                    format!("cannot #set a method call: {}", target.literal),
                ));
            }
        }
        Ok(())
    }

    fn foreach(&mut self, var: &Rc<str>, iterable: &Expr, body: &Block, pos: Pos) -> R<Flow> {
        let limit = self.policy.max_foreach_iterations.unwrap_or(usize::MAX);
        // A range is walked, never built: `[1..10000000]` costs what the loop runs.
        let mut source = match iterable {
            Expr::Range(a, b, _) => match self.range_bounds(a, b)? {
                Some((a, b)) => LoopItems::Range {
                    start: a,
                    up: a <= b,
                    len: (a - b).unsigned_abs() as usize + 1,
                },
                None => LoopItems::Values(Vec::new(), 0),
            },
            _ => {
                // The items the loop can reach, copied (Velocity iterates a snapshot).
                let snapshot = |l: &ListRef| -> R<LoopItems> {
                    let l = l.borrow();
                    let n = l.len().min(limit);
                    Self::charge(n * std::mem::size_of::<Value>(), pos)?;
                    Ok(LoopItems::Values(l[..n].to_vec(), l.len()))
                };
                let snapshot_map = |m: &MapRef| -> R<LoopItems> {
                    let m = m.borrow();
                    let n = m.len().min(limit);
                    Self::charge(n * std::mem::size_of::<Value>(), pos)?;
                    Ok(LoopItems::Values(
                        m.values().take(n).cloned().collect(),
                        m.len(),
                    ))
                };
                match self.eval(iterable)? {
                    Some(Value::List(l)) => snapshot(&l)?,
                    Some(Value::Map(m)) => snapshot_map(&m)?,
                    Some(Value::Object(o)) => match o.as_value() {
                        Some(Value::List(l)) => snapshot(&l)?,
                        Some(Value::Map(m)) => snapshot_map(&m)?,
                        _ => LoopItems::Values(Vec::new(), 0),
                    },
                    _ => LoopItems::Values(Vec::new(), 0),
                }
            }
        };
        let len = source.len();
        // The loop variable's entry, found once: each item is stored there without hashing.
        let slot = self.ctx.slot(var);
        let saved_var = self.ctx.get(var).cloned();
        let scope = Rc::new(ForeachScope {
            index: Cell::new(0),
            len,
            parent: self.foreach.clone(),
        });
        let outer = self.foreach.replace(scope.clone());
        let mut result = Ok(Flow::Normal);
        // Iterations whose body ran to its end: the cap cut the loop only if all ran.
        let mut completed = 0;
        for i in 0..len.min(limit) {
            let item = source.take(i);
            if let Err(e) = self.check(pos) {
                result = Err(e);
                break;
            }
            self.iterations += 1;
            if self.iterations > self.policy.max_total_iterations {
                result = Err(render_error(
                    pos,
                    format!(
                        "the template ran more than {} loop iterations",
                        self.policy.max_total_iterations
                    ),
                ));
                break;
            }
            scope.index.set(i);
            // A null item leaves the variable undefined (a null entry).
            drop(self.ctx.set_slot(slot, item));
            match self.nodes(body) {
                Ok(Flow::Normal) => completed += 1,
                Ok(Flow::Break(None)) => break,
                Ok(Flow::Break(Some(target)))
                    if target == Rc::as_ptr(&scope).cast::<()>() as usize =>
                {
                    break;
                }
                Ok(flow @ Flow::Break(Some(_))) => {
                    result = Ok(flow);
                    break;
                }
                Ok(Flow::Stop) => {
                    result = Ok(Flow::Stop);
                    break;
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.foreach = outer;
        drop(self.ctx.set_slot(slot, saved_var.unwrap_or(Value::Null)));
        if len > limit && completed == limit {
            self.note_limit(
                pos,
                "#foreach",
                format!("stopped after {limit} iterations (API Gateway's limit)"),
            );
        }
        result
    }

    /// Record that a limit cut the output at `pos` (once per directive: a loop inside a
    /// loop or a macro is noted once).
    fn note_limit(&mut self, pos: Pos, directive: &'static str, what: String) {
        if !self.notes.iter().any(|(p, _, _)| *p == pos) {
            self.notes.push((pos, directive, what));
        }
    }

    fn call_macro(
        &mut self,
        def: &Rc<MacroDef>,
        args: Rc<[Expr]>,
        body_content: Option<Value>,
        pos: Pos,
    ) -> R<Flow> {
        self.check(pos)?;
        self.enter(pos)?;
        self.frames.truncate(self.visible);
        self.frames.push(Frame {
            def: def.clone(),
            args,
            locals: Vec::new(),
            caller_visible: self.visible,
            body_content,
        });
        let saved = self.visible;
        self.visible = self.frames.len();
        let r = self.nodes(&def.body);
        self.visible = saved;
        self.frames.truncate(saved);
        self.depth -= 1;
        match r? {
            flow @ (Flow::Stop | Flow::Break(Some(_))) => Ok(flow),
            _ => Ok(Flow::Normal),
        }
    }

    fn evaluate(&mut self, arg: &Expr, pos: Pos) -> R<Flow> {
        let Some(v) = self.eval(arg)? else {
            return Ok(Flow::Normal);
        };
        let src = v.to_java_string();
        let parsed = parser::parse(&src).map_err(|e| {
            let located = e.locate(&src);
            Box::new(VtlError::new(
                ErrorKind::Parse,
                pos,
                format!(
                    "#evaluate: the evaluated text does not parse: {}:{}: {}",
                    located.line, located.col, located.message
                ),
            ))
        })?;
        for m in &parsed.macros {
            self.macros.insert(m.name.clone(), m.clone());
        }
        self.enter(pos)?;
        let r = self.nodes(&parsed.nodes).map_err(|e| {
            if e.offset == pos {
                e
            } else {
                Box::new(VtlError::new(
                    e.kind,
                    pos,
                    format!("in #evaluate: {}", e.message),
                ))
            }
        });
        self.depth -= 1;
        r
    }

    // ------------------------------------------------------------------ expressions

    /// Velocity's truth test: only `true`/`false` literals, references, comparisons and
    /// logical operators are really tested; any other literal or arithmetic is false.
    fn truth(&mut self, e: &Expr) -> R<bool> {
        Ok(match e {
            Expr::Const(Value::Bool(b)) => *b,
            Expr::Ref(r) => match self.resolve(r)? {
                None => false,
                Some(Value::Bool(b)) => b,
                Some(_) => true,
            },
            Expr::Binary(BinOp::And, l, r, _) => self.truth(l)? && self.truth(r)?,
            Expr::Binary(BinOp::Or, l, r, _) => self.truth(l)? || self.truth(r)?,
            Expr::Binary(
                op @ (BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge),
                l,
                r,
                pos,
            ) => self.compare(*op, l, r, *pos)?,
            Expr::Not(x) => !self.truth(x)?,
            Expr::Paren(x) => self.truth(x)?,
            _ => false,
        })
    }

    fn compare(&mut self, op: BinOp, l: &Expr, r: &Expr, pos: Pos) -> R<bool> {
        let a = self.eval(l)?;
        let b = self.eval(r)?;
        let answer = self.compare_values(op, a, b);
        if budget::tripped() {
            return Err(render_error(pos, budget::failure().unwrap_or_default()));
        }
        Ok(answer)
    }

    fn compare_values(&self, op: BinOp, a: Option<Value>, b: Option<Value>) -> bool {
        if let (Some(Value::Int(x)), Some(Value::Int(y))) = (&a, &b) {
            // Two Integers: what the general rules below answer, without widening.
            let ord = x.cmp(y);
            return match op {
                BinOp::Eq => ord.is_eq(),
                BinOp::Ne => ord.is_ne(),
                BinOp::Lt => ord.is_lt(),
                BinOp::Le => ord.is_le(),
                BinOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            };
        }
        let equal = |a: Option<&Value>, b: Option<&Value>| {
            values_equal(a, b) || (self.policy.null_prints_empty && null_and_empty(a, b))
        };
        match op {
            BinOp::Eq => equal(a.as_ref(), b.as_ref()),
            BinOp::Ne => !equal(a.as_ref(), b.as_ref()),
            _ => match (a, b) {
                (Some(a), Some(b)) if a.is_number() && b.is_number() => {
                    let ord = ops::compare_numbers(&a, &b);
                    match op {
                        BinOp::Lt => ord.is_lt(),
                        BinOp::Le => ord.is_le(),
                        BinOp::Gt => ord.is_gt(),
                        _ => ord.is_ge(),
                    }
                }
                _ => false,
            },
        }
    }

    /// The bounds of a range literal (`None`: not a range, which is null).
    fn range_bounds(&mut self, a: &Expr, b: &Expr) -> R<Option<(i64, i64)>> {
        let (Some(a), Some(b)) = (self.eval(a)?, self.eval(b)?) else {
            return Ok(None);
        };
        Ok(range_bound(&a).zip(range_bound(&b)))
    }

    /// Where the renderer is: the last position it checked (for errors found in places
    /// that keep no position of their own, such as literals and interpolated strings).
    fn here(&self) -> Pos {
        self.last_pos.get()
    }

    /// Evaluate an expression to a value; `None` is null.
    fn eval(&mut self, e: &Expr) -> R<Option<Value>> {
        match e {
            Expr::Const(v) => Ok(Some(v.clone())),
            Expr::Ref(r) => self.resolve(r),
            Expr::Interpolated(nodes) => {
                let saved = std::mem::take(&mut self.out);
                let r = self.nodes(nodes);
                let s = std::mem::replace(&mut self.out, saved);
                if r? == Flow::Stop {
                    self.stopped = true;
                }
                Self::charge(s.len(), self.here())?;
                Ok(Some(Value::Str(Rc::from(s.as_str()))))
            }
            Expr::List(items) => {
                budget::charge(LIST_BYTES + items.len() * std::mem::size_of::<Value>())
                    .map_err(|MethodError(m)| render_error(self.here(), m))?;
                let mut v = Vec::with_capacity(items.len());
                for i in items.iter() {
                    v.push(self.eval(i)?.unwrap_or(Value::Null));
                }
                Ok(Some(Value::list(v)))
            }
            Expr::Map(entries) => {
                budget::charge(MAP_BYTES + entries.len() * MAP_ENTRY_BYTES)
                    .map_err(|MethodError(m)| render_error(self.here(), m))?;
                let mut v = Vec::with_capacity(entries.len());
                for (k, val) in entries.iter() {
                    let k = self.eval(k)?.unwrap_or(Value::Null);
                    let val = self.eval(val)?.unwrap_or(Value::Null);
                    v.push((k, val));
                }
                Ok(Some(parser::map_from_entries(v)))
            }
            Expr::Range(a, b, pos) => {
                let Some((a, b)) = self.range_bounds(a, b)? else {
                    return Ok(None);
                };
                let len = (a - b).unsigned_abs() as usize + 1;
                if len > self.policy.max_range_len {
                    return Err(render_error(
                        *pos,
                        format!(
                            "range [{a}..{b}] has {len} items, more than the limit of {}",
                            self.policy.max_range_len
                        ),
                    ));
                }
                Self::charge(len * std::mem::size_of::<Value>(), *pos)?;
                let items: Vec<Value> = if a <= b {
                    (a..=b).map(|i| Value::integer(i128::from(i))).collect()
                } else {
                    (b..=a)
                        .rev()
                        .map(|i| Value::integer(i128::from(i)))
                        .collect()
                };
                Ok(Some(Value::list(items)))
            }
            Expr::Binary(op, l, r, pos) => match op {
                BinOp::And | BinOp::Or => Ok(Some(Value::Bool(self.truth(e)?))),
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                    Ok(Some(Value::Bool(self.compare(*op, l, r, *pos)?)))
                }
                BinOp::Add => {
                    let a = self.eval(l)?;
                    let b = self.eval(r)?;
                    let a_str = matches!(a, Some(Value::Str(_)));
                    let b_str = matches!(b, Some(Value::Str(_)));
                    if a_str || b_str {
                        // String concatenation; a null side contributes its literal text.
                        let known = a.as_ref().and_then(Value::as_str).map_or(0, str::len)
                            + b.as_ref().and_then(Value::as_str).map_or(0, str::len);
                        Self::charge(known, *pos)?;
                        let mut s = String::with_capacity(known);
                        push_operand(&mut s, a.as_ref(), l);
                        push_operand(&mut s, b.as_ref(), r);
                        Self::charge(s.len() - known.min(s.len()), *pos)?;
                        self.check(*pos)?;
                        return Ok(Some(Value::Str(Rc::from(s.as_str()))));
                    }
                    Ok(match (a, b) {
                        (Some(a), Some(b)) => ops::arithmetic(BinOp::Add, &a, &b),
                        _ => None,
                    })
                }
                _ => {
                    let a = self.eval(l)?;
                    let b = self.eval(r)?;
                    Ok(match (a, b) {
                        (Some(a), Some(b)) => ops::arithmetic(*op, &a, &b),
                        _ => None,
                    })
                }
            },
            Expr::Not(_) => Ok(Some(Value::Bool(self.truth(e)?))),
            Expr::Paren(x) => self.eval(x),
        }
    }
}

/// What a new map is charged besides its entries (shared cell, table, entry vector).
const MAP_BYTES: usize = 160;
/// What a new list is charged besides its elements (shared cell, vector).
const LIST_BYTES: usize = 48;

/// What a `#foreach` walks: copied values, or a range computed item by item.
enum LoopItems {
    /// The items (as many as the loop may visit) and the length of the whole collection.
    Values(Vec<Value>, usize),
    Range {
        start: i64,
        up: bool,
        len: usize,
    },
}

impl LoopItems {
    fn len(&self) -> usize {
        match self {
            LoopItems::Values(_, len) | LoopItems::Range { len, .. } => *len,
        }
    }

    /// Item `i` (each is taken once, in order).
    fn take(&mut self, i: usize) -> Value {
        match self {
            LoopItems::Values(v, _) => std::mem::replace(&mut v[i], Value::Null),
            LoopItems::Range { start, up, .. } => {
                let i = i as i64;
                Value::integer(i128::from(if *up { *start + i } else { *start - i }))
            }
        }
    }
}

/// Print `v` followed by the map properties `parts` (see [`Renderer::print_borrowed`]);
/// `false`, printing nothing, when a step is not a map entry or the value is not plain.
fn print_walk(v: &Value, parts: &[RefPart], out: &mut String) -> bool {
    match parts.split_first() {
        None => match v {
            Value::Null | Value::Block(_) | Value::Object(_) => false,
            Value::Str(s) => {
                out.push_str(s);
                true
            }
            other => {
                other.write_display(out);
                true
            }
        },
        Some((RefPart::Property(name, _, hint), rest)) => match v {
            Value::Map(m) => match methods::map_entry(&m.borrow(), name, hint) {
                Some(next) => print_walk(next, rest, out),
                None => false,
            },
            _ => false,
        },
        Some(_) => false,
    }
}

fn push_operand(s: &mut String, v: Option<&Value>, e: &Expr) {
    match v {
        Some(v) => v.write_display(s),
        None => {
            if let Expr::Ref(r) = e {
                s.push_str(&r.literal);
            } else {
                s.push_str("null");
            }
        }
    }
}

fn range_bound(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i64::from(*i)),
        Value::Long(l) => i32::try_from(*l).ok().map(i64::from),
        Value::Str(s) => s.trim().parse::<i32>().ok().map(i64::from),
        _ => None,
    }
}

/// API Gateway: a null compares equal to the empty string (it prints as one), where stock
/// Velocity says they differ. An empty list or map is neither.
fn null_and_empty(a: Option<&Value>, b: Option<&Value>) -> bool {
    matches!((a, b), (None, Some(Value::Str(s))) | (Some(Value::Str(s)), None) if s.is_empty())
}

/// `$foreach`: the loop's scope object.
pub(crate) struct ForeachScope {
    index: Cell<usize>,
    len: usize,
    parent: Option<Rc<ForeachScope>>,
}

impl HostObject for ForeachScope {
    fn class_name(&self) -> &str {
        "ForeachScope"
    }

    fn property(&self, name: &str) -> Outcome {
        let i = self.index.get();
        Outcome::Value(match name {
            "index" => Value::integer(i as i128),
            "count" => Value::integer(i as i128 + 1),
            "hasNext" => Value::Bool(i + 1 < self.len),
            "first" => Value::Bool(i == 0),
            "last" => Value::Bool(i + 1 == self.len),
            "parent" => match &self.parent {
                Some(p) => Value::Object(p.clone()),
                None => return Outcome::NoSuchMember,
            },
            _ => return Outcome::NoSuchMember,
        })
    }

    fn call(&self, name: &str, args: &[Value]) -> Result<Outcome, MethodError> {
        let prop = match (name, args.len()) {
            ("getIndex", 0) => "index",
            ("getCount", 0) => "count",
            ("hasNext" | "getHasNext", 0) => "hasNext",
            ("isFirst" | "getFirst", 0) => "first",
            ("isLast" | "getLast", 0) => "last",
            ("getParent", 0) => "parent",
            _ => return Ok(Outcome::NoSuchMember),
        };
        Ok(self.property(prop))
    }

    fn write_display(&self, out: &mut String) {
        out.push_str("org.apache.velocity.runtime.directive.ForeachScope");
    }
}
