//! Our Velocity Template Language engine: Apache Velocity 1.7, byte for byte.
//!
//! Parse once with [`Template::parse`], render many times with [`Template::render`]. The
//! [`Policy`] chooses stock Velocity or API Gateway's rules (and the guards that bound every
//! render).
//!
//! Files: `parser` builds the `ast`; `eval` walks it, calling `methods/` (Java methods and
//! properties) and `ops` (equality, comparison, arithmetic), which both share so that the
//! arrows run one way: `eval` -> `methods` -> `ops`, `eval` -> `ops`.

pub mod ast;
pub mod budget;
pub mod context;
pub mod error;
mod eval;
pub mod methods;
mod ops;
mod parser;
pub mod policy;
pub mod value;

pub use context::{Context, from_json};
pub use error::{ErrorKind, VtlError};
pub use policy::Policy;
pub use value::{HostObject, MethodError, Outcome, Value};

use std::rc::Rc;

use ast::{MacroDef, Node};

/// A parsed template, ready to render any number of times.
pub struct Template {
    source: Box<str>,
    nodes: Rc<[Node]>,
    macros: Vec<Rc<MacroDef>>,
}

impl Template {
    /// Parse a template. Errors carry line and column.
    pub fn parse(source: &str) -> Result<Template, VtlError> {
        let parsed = parser::parse(source).map_err(|e| e.locate(source))?;
        Ok(Template {
            source: source.into(),
            nodes: parsed.nodes,
            macros: parsed.macros,
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

    /// Render with the given variables. `#set` changes the context, as in Velocity.
    pub fn render(&self, ctx: &mut Context, policy: &Policy) -> Result<String, VtlError> {
        let mut r = eval::Renderer::new(policy, ctx, &self.macros);
        r.render_template(&self.nodes)
            .map_err(|e| e.locate(&self.source))?;
        Ok(r.out)
    }
}

/// Parse and render in one step (stock Velocity rules).
pub fn render_str(source: &str, ctx: &mut Context) -> Result<String, VtlError> {
    Template::parse(source)?.render(ctx, &Policy::velocity())
}
