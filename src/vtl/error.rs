//! Errors of the VTL engine, with the line and column they point at.

use std::fmt;

/// Whether the template failed to parse or failed while rendering.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template does not parse (Velocity's `ParseErrorException`).
    Parse,
    /// Rendering threw (Velocity's `MethodInvocationException`, a missing resource, a limit).
    Render,
}

/// A parse or render error. `line`/`col` are 1-based; the column counts characters.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct VtlError {
    /// Parse or render.
    pub kind: ErrorKind,
    /// Byte offset in the template source.
    pub offset: u32,
    /// 1-based line (0 until [`VtlError::locate`] ran).
    pub line: u32,
    /// 1-based column in characters (0 until [`VtlError::locate`] ran).
    pub col: u32,
    /// What went wrong, for a person.
    pub message: String,
}

impl VtlError {
    /// A new error at a byte offset; call [`VtlError::locate`] to fill in line and column.
    /// The message is kept to one line: line breaks in it (a pattern quoted by a regex
    /// error, an evaluated text) are written as `\n`.
    pub fn new(kind: ErrorKind, offset: u32, message: String) -> Self {
        let message = if message.contains(['\n', '\r']) {
            message.replace("\r\n", "\\n").replace(['\n', '\r'], "\\n")
        } else {
            message
        };
        VtlError {
            kind,
            offset,
            line: 0,
            col: 0,
            message,
        }
    }

    /// Fill in line and column from the template source.
    #[must_use]
    pub fn locate(mut self, src: &str) -> Self {
        let (line, col) = line_col(src, self.offset as usize);
        self.line = line;
        self.col = col;
        self
    }
}

impl fmt::Display for VtlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// 1-based line and character column of a byte offset (`\r\n`, `\n` and `\r` end lines).
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(src.len());
    let mut line = 1u32;
    let mut col = 1u32;
    let mut prev_cr = false;
    for (i, c) in src.char_indices() {
        if i >= offset {
            break;
        }
        match c {
            '\n' if prev_cr => {}
            '\n' | '\r' => {
                line += 1;
                col = 1;
            }
            _ => col += 1,
        }
        prev_cr = c == '\r';
    }
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn positions() {
        assert_eq!(line_col("abc", 0), (1, 1));
        assert_eq!(line_col("abc", 2), (1, 3));
        assert_eq!(line_col("a\nbc", 3), (2, 2));
        assert_eq!(line_col("a\r\nbc", 4), (2, 2));
        assert_eq!(line_col("é$", 2), (1, 2));
    }

    #[test]
    fn messages_are_one_line() {
        let e = super::VtlError::new(super::ErrorKind::Render, 0, "a\nb\r\nc\rd".into());
        assert_eq!(e.message, "a\\nb\\nc\\nd");
    }
}

/// An error raised by a method (Java would throw): it aborts the render.
#[derive(Debug, Clone)]
pub struct MethodError(pub String);
