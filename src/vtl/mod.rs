//! Our Velocity Template Language engine: Apache Velocity 1.7, byte for byte.
//!
//! Parse once with [`Template::parse`], render many times with [`Template::render`]. The
//! [`Policy`] chooses stock Velocity or API Gateway's rules (and the guards that bound every
//! render). [`Template::render_with_notes`] gives the same text plus the limits that cut it
//! short without an error ([`Rendered::notes`], e.g. API Gateway's 1000-item `#foreach` cap).
//!
//! Files: `parser` builds the `ast`; `eval` walks it, calling `methods/` (Java methods and
//! properties) and `ops` (equality, comparison, arithmetic), which both share so that the
//! arrows run one way: `eval` -> `methods` -> `ops`, `eval` -> `ops`; `rendered` holds what
//! a render gives besides its text.

pub mod ast;
pub mod budget;
pub mod context;
pub mod cycles;
pub mod error;
mod eval;
pub mod methods;
mod ops;
mod parser;
pub mod policy;
mod rendered;
pub mod value;

pub use context::{Context, from_json};
pub use error::{ErrorKind, VtlError};
pub use policy::Policy;
pub use rendered::{LimitNote, Rendered};
pub use value::{HostObject, MethodError, Outcome, Value};

use std::rc::Rc;

use ast::{MacroDef, Node};

/// A parsed template, ready to render any number of times.
pub struct Template {
    source: Box<str>,
    nodes: Rc<[Node]>,
    macros: Vec<Rc<MacroDef>>,
    /// The length of the last output: the next render starts with that much room, so a
    /// large output is not copied again each time its buffer grows.
    last_len: std::cell::Cell<usize>,
}

impl Template {
    /// Parse a template. Errors carry line and column.
    pub fn parse(source: &str) -> Result<Template, VtlError> {
        let parsed = parser::parse(source).map_err(|e| e.locate(source))?;
        Ok(Template {
            source: source.into(),
            nodes: parsed.nodes,
            macros: parsed.macros,
            last_len: std::cell::Cell::new(0),
        })
    }

    /// Parse a template, refusing one larger than the policy allows.
    pub fn parse_with(source: &str, policy: &Policy) -> Result<Template, VtlError> {
        if let Some(max) = policy.max_template_bytes
            && source.len() > max
        {
            return Err(VtlError::new(
                ErrorKind::Parse,
                0,
                format!(
                    "the template is {} bytes, more than the limit of {max} bytes",
                    source.len()
                ),
            )
            .locate(source));
        }
        Template::parse(source)
    }

    /// The template text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The syntax tree, for tools that read templates (the linter): top-level nodes in
    /// source order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The `#macro` definitions the template holds.
    pub fn macros(&self) -> &[Rc<MacroDef>] {
        &self.macros
    }

    /// Render with the given variables. `#set` changes the context, as in Velocity.
    pub fn render(&self, ctx: &mut Context, policy: &Policy) -> Result<String, VtlError> {
        let mut r = eval::Renderer::new(policy, ctx, &self.macros);
        r.out.reserve(self.last_len.get());
        r.render_template(&self.nodes)
            .map_err(|e| e.locate(&self.source))?;
        self.last_len.set(r.out.len());
        Ok(std::mem::take(&mut r.out))
    }

    /// [`Template::render`], also telling which limits cut the output short without an
    /// error (API Gateway's 1000-item `#foreach` cap): the output is the same text.
    pub fn render_with_notes(
        &self,
        ctx: &mut Context,
        policy: &Policy,
    ) -> Result<Rendered, VtlError> {
        let mut r = eval::Renderer::new(policy, ctx, &self.macros);
        r.out.reserve(self.last_len.get());
        r.render_template(&self.nodes)
            .map_err(|e| e.locate(&self.source))?;
        self.last_len.set(r.out.len());
        let notes = std::mem::take(&mut r.notes)
            .into_iter()
            .map(|(offset, directive, what)| {
                let (line, col) = error::line_col(&self.source, offset as usize);
                LimitNote {
                    offset,
                    line,
                    col,
                    message: format!("{directive} at line {line} {what}"),
                }
            })
            .collect();
        Ok(Rendered {
            output: std::mem::take(&mut r.out),
            notes,
        })
    }
}

/// Parse and render in one step (stock Velocity rules).
pub fn render_str(source: &str, ctx: &mut Context) -> Result<String, VtlError> {
    Template::parse(source)?.render(ctx, &Policy::velocity())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_items(n: usize) -> Context {
        let items: Vec<serde_json::Value> = (0..n).map(serde_json::Value::from).collect();
        let mut ctx = Context::new();
        ctx.insert("items", from_json(&serde_json::Value::from(items)));
        ctx
    }

    fn notes(src: &str, n: usize, policy: &Policy) -> (String, Vec<LimitNote>) {
        let t = Template::parse(src).unwrap();
        let plain = t.render(&mut with_items(n), policy).unwrap();
        let r = t.render_with_notes(&mut with_items(n), policy).unwrap();
        assert_eq!(r.output, plain, "the notes never change the output");
        (r.output, r.notes)
    }

    #[test]
    fn the_foreach_cap_is_noted_and_the_output_kept() {
        let src = "start\n  #foreach($i in $items)$i,#end\nend";
        let (out, notes) = notes(src, 1500, &Policy::api_gateway());
        assert!(out.contains(",999,") && !out.contains("1000"), "{out}");
        assert_eq!(notes.len(), 1);
        assert_eq!((notes[0].line, notes[0].col), (2, 3));
        assert_eq!(
            notes[0].to_string(),
            "#foreach at line 2 stopped after 1000 iterations (API Gateway's limit)"
        );
    }

    #[test]
    fn nothing_is_noted_when_nothing_was_cut() {
        let src = "#foreach($i in $items)$i#end";
        assert!(notes(src, 1000, &Policy::api_gateway()).1.is_empty());
        assert!(notes(src, 1500, &Policy::velocity()).1.is_empty());
        let early = "#foreach($i in $items)#if($i == 5)#break#end$i#end";
        assert!(notes(early, 1500, &Policy::api_gateway()).1.is_empty());
    }

    #[test]
    fn a_loop_cut_many_times_is_noted_once() {
        let src = "#foreach($a in [1..3])#foreach($i in $items)#end#end";
        let (_, notes) = notes(src, 1001, &Policy::api_gateway());
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].col, 23);
    }
}
