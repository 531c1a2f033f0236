//! What a render gives besides its text: the limits that cut the output short without
//! failing the render (API Gateway stops a `#foreach` after 1000 items, silently), so that a
//! caller can say so next to the output. A leaf: built by `mod.rs` from the renderer's notes.

use std::fmt;

/// A render's output and the limits that cut it short.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The text, exactly what [`super::Template::render`] returns.
    pub output: String,
    /// Limits that cut the output, in the order they were first hit (one per directive,
    /// however often it ran). Empty when nothing was cut.
    pub notes: Vec<LimitNote>,
}

/// A limit that stopped part of a template without an error, e.g. "#foreach at line 3
/// stopped after 1000 iterations (API Gateway's limit)".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LimitNote {
    /// Byte offset of the directive in the template source.
    pub offset: u32,
    /// 1-based line of the directive.
    pub line: u32,
    /// 1-based column (in characters) of the directive.
    pub col: u32,
    /// The whole sentence, for a person.
    pub message: String,
}

impl fmt::Display for LimitNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
