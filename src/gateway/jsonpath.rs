//! JSONPath as API Gateway evaluates it for `$input.path(x)` and
//! `$input.json(x)`: the Jayway "JSONPath for Java" dialect, over
//! [`serde_json::Value`] (objects keep document order).
//!
//! [`compile`] turns the path text into a [`JsonPath`]; [`JsonPath::select`]
//! runs it against a document and returns a [`Selection`]. Printing the result
//! (Java-map style for `$input.path`, JSON for `$input.json`) and deciding what
//! a non-JSON or empty payload means are the caller's business; for JSON text,
//! `serde_json::to_string` already gives the compact form API Gateway prints
//! for arrays.
//!
//! # Semantics (Jayway 2.x, as of its current release)
//!
//! * A **definite** path (only names, single indexes, and a multi-name bracket
//!   `['a','b']` as the last step) yields one value or nothing:
//!   [`Selection::One`] or [`Selection::Missing`]. A missing key, an index out of
//!   range, or a step into a value of the wrong kind (a name on an array or a
//!   scalar, an index on an object) is `Missing`. A present JSON `null` is
//!   `One(Value::Null)`.
//! * An **indefinite** path (`*`, `..`, slices, index lists, filters, a
//!   multi-name bracket that is not the last step) yields a list in document
//!   order ([`Selection::Many`], possibly empty). Branches that hit a missing
//!   key or a value of the wrong kind are skipped.
//! * `['a','b']` as the last step yields **one object** holding those of the
//!   keys that exist (Jayway's "merge" of multiple properties); elsewhere it
//!   iterates the keys like a union.
//! * A path that does not start with `$` or `@` gets `$.` put in front, as
//!   Jayway does: `a.b` is `$.a.b`, `[0]` is `$.[0]` (= `$[0]`), and `.a` is
//!   `$..a` (a deep scan). A top-level `@` means the document, like `$`.
//! * Negative indexes count from the end (`[-1]`). Slices follow Jayway, not
//!   Python: `[-2:]` is the last two, `[:-1]` all but the last, `[1:3]`
//!   indexes 1 and 2, but in `[from:to]` only `to` is clamped, a negative
//!   `to` selects nothing, and negative `from` indexes are each counted from
//!   the end (`[-1:2]` on four elements is elements 3, 0, 1). A step
//!   (`[0:4:2]`) is ignored.
//! * `..` visits the current value and then every descendant, pre-order; at
//!   each object (or array) that the next step applies to, the rest of the
//!   path is evaluated there. Jayway quirk kept: when `..` is followed by an
//!   index, slice or filter and more steps, an array that qualifies has the
//!   steps *after* the selector applied to every element (`$..[0].x` picks `x`
//!   from all elements).
//! * A filter `[?(...)]` applied to an array keeps the elements for which it is
//!   true; applied to an object it tests the object itself (Jayway). Inside,
//!   `@` is the element and `$` the document. Supported: `@`, `@.x`, `@['x']`,
//!   any path after `@`/`$` (including nested filters and functions),
//!   existence `@.x` (true when the key exists, even with a `null` value) and
//!   `!@.x`, `== != < <= > >=`, `=~ /regex/flags` (flags `i m s x`; `d u U`
//!   accepted and ignored; the whole string must match, as Java's
//!   `Matcher.matches`), `&&`, `||` (with `&&` binding tighter), parentheses,
//!   `!(...)`, and literals: numbers, `'strings'`, `"strings"`, `true`,
//!   `false`, `null`, JSON arrays/objects.
//! * Comparisons follow Jayway's value nodes: numbers compare numerically
//!   (`1 == 1.0`); `1 == '1'` and `'1' == 1` are true (a string equals a
//!   number when it parses to it, or is its text); `<`-style operators between
//!   a string and a number compare the string with the number's text
//!   lexicographically; strings compare by UTF-16 code units; `true` never
//!   equals `'true'`; a missing value equals nothing, so `@.x != 1` is true
//!   when `x` is absent; anything else with a mismatched type is false.
//! * Functions (Jayway 2.1+) as the last step, without arguments: `length()`
//!   and `size()` (elements of an array or keys of an object), `sum()`,
//!   `avg()`, `min()`, `max()`, `stddev()` (over the numbers in an array,
//!   giving a floating-point number; no numbers → `Missing`), `keys()`,
//!   `first()`, `last()`. After an indefinite prefix they apply to the list
//!   of results (`$..price.sum()`). A path ending in a function is definite.
//!
//! # Not supported (compile errors)
//!
//! Function arguments (`concat(...)`, `append(...)`, `index(...)`), the other
//! Jayway filter operators (`in`, `nin`, `subsetof`, `anyof`, `noneof`,
//! `size`, `empty`, `contains`, `all`, `matches`, `type`), `===`, and filter
//! placeholders `[?]`.
//!
//! # Differences from Jayway worth knowing
//!
//! * Jayway throws on a few shapes that are not a plain miss (`*` followed by
//!   more steps meeting a scalar, a filter on a scalar with a definite path
//!   before it); here those branches are just skipped.
//! * Regular expressions use `fancy-regex` syntax, which covers the common
//!   Java syntax but not all of it (e.g. possessive quantifiers).
//! * Numbers are compared as integers when both are, otherwise as `f64`
//!   (Jayway uses `BigDecimal`).
//! * Jayway 2.0.0 (older than what this follows) rejected double-quoted
//!   bracket names and negative indexes and treated `length()` as a key name.

use std::borrow::Cow;
use std::cmp::Ordering;

use fancy_regex::Regex;
use serde_json::{Map, Number, Value};

use crate::vtl::budget;

/// A JSONPath that could not be compiled: where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at {offset}")]
pub struct JsonPathError {
    /// Character (not byte) offset into the path text given to [`compile`].
    pub offset: usize,
    /// What is wrong there, e.g. `expected ']'`.
    pub message: String,
}

/// What a [`JsonPath`] selects from a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// A definite path found nothing; API Gateway treats it as null and prints
    /// nothing.
    Missing,
    /// The value a definite path found (may be `Value::Null` when the
    /// document holds a `null` there).
    One(Value),
    /// The values an indefinite path found, in document order; possibly empty.
    Many(Vec<Value>),
}

/// What a [`JsonPath`] selects, borrowed from the document where it can be (results of
/// functions such as `length()` are computed and owned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectionRef<'v> {
    /// A definite path found nothing.
    Missing,
    /// The value a definite path found.
    One(Cow<'v, Value>),
    /// The values an indefinite path found, in document order.
    Many(Vec<Cow<'v, Value>>),
}

/// A compiled JSONPath, ready to run against any number of documents.
#[derive(Debug, Clone)]
pub struct JsonPath {
    source: String,
    root: Root,
    steps: Vec<Step>,
    function: Option<Function>,
    steps_definite: bool,
}

/// Compiles JSONPath text (Jayway dialect, see the module docs).
///
/// Leading and trailing whitespace is ignored; a path that does not start
/// with `$` or `@` is read as if it started with `$.`.
///
/// # Errors
///
/// A [`JsonPathError`] with the character offset of the problem.
pub fn compile(path: &str) -> Result<JsonPath, JsonPathError> {
    // Jayway trims like Java's String.trim: every char up to U+0020.
    let blank = |c: char| c <= ' ';
    let lead = path.chars().take_while(|&c| blank(c)).count();
    let trimmed = path.trim_matches(blank);
    if trimmed.is_empty() {
        return Err(JsonPathError {
            offset: 0,
            message: "empty path".to_owned(),
        });
    }
    let implicit_root = !trimmed.starts_with(['$', '@']);
    let mut chars = Vec::with_capacity(trimmed.len() + 2);
    if implicit_root {
        chars.extend(['$', '.']);
    }
    chars.extend(trimmed.chars());
    let mut parser = Parser {
        chars,
        pos: 0,
        prefix: if implicit_root { 2 } else { 0 },
        lead,
    };
    let last = parser.chars.len() - 1;
    if parser.chars[last] == '.' {
        return Err(parser.error(last, "a path must not end with '.' or '..'"));
    }
    let mut compiled = parser.parse_path(false)?;
    compiled.source = path.to_owned();
    Ok(compiled)
}

impl JsonPath {
    /// Runs the path against `root` (the parsed payload).
    pub fn select(&self, root: &Value) -> Selection {
        match self.find(root, root) {
            Found::Missing => Selection::Missing,
            Found::One(value) => Selection::One(owned(value)),
            Found::Many(values) => Selection::Many(values.into_iter().map(owned).collect()),
        }
    }

    /// Like [`select`](Self::select), without copying what it found out of the document.
    pub fn select_borrowed<'v>(&self, root: &'v Value) -> SelectionRef<'v> {
        match self.find(root, root) {
            Found::Missing => SelectionRef::Missing,
            Found::One(value) => SelectionRef::One(value),
            Found::Many(values) => SelectionRef::Many(values),
        }
    }

    /// True when [`select`](Self::select) returns `One`/`Missing` rather than
    /// `Many`: the path has only names and single indexes (a multi-name bracket
    /// counts when it is the last step), or ends in a function.
    pub fn is_definite(&self) -> bool {
        self.function.is_some() || self.steps_definite
    }

    /// The path text this was compiled from.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Evaluates the path; `current` is what `@` refers to, `root` what `$`
    /// refers to.
    fn find<'v>(&self, current: &'v Value, root: &'v Value) -> Found<'v> {
        let start = match self.root {
            Root::Document => root,
            Root::Current => current,
        };
        let mut out = Vec::new();
        eval_steps(&self.steps, start, root, &mut out);
        let found = if self.steps_definite {
            out.into_iter().next().map_or(Found::Missing, Found::One)
        } else {
            Found::Many(out)
        };
        let Some(function) = self.function else {
            return found;
        };
        let input = match found {
            Found::Missing => return Found::Missing,
            Found::One(value) => value,
            Found::Many(values) => {
                Cow::Owned(Value::Array(values.into_iter().map(owned).collect()))
            }
        };
        function
            .apply(&input)
            .map_or(Found::Missing, |value| Found::One(Cow::Owned(value)))
    }
}

/// The result of evaluating a path, borrowing from the document where it can.
enum Found<'v> {
    Missing,
    One(Cow<'v, Value>),
    Many(Vec<Cow<'v, Value>>),
}

impl Found<'_> {
    fn exists(&self) -> bool {
        match self {
            Found::Missing => false,
            Found::One(_) => true,
            Found::Many(values) => !values.is_empty(),
        }
    }
}

/// What a path starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    /// `$`: the document.
    Document,
    /// `@`: the element a filter is testing (the document at top level).
    Current,
}

/// One step of a path.
#[derive(Debug, Clone)]
enum Step {
    /// `.name`, `['name']`, `['a','b']`.
    Property(Vec<String>),
    /// `[0]`, `[-1]`, `[0,2]`.
    Index(Vec<i32>),
    /// `[1:3]`, `[-2:]`, `[:2]`.
    Slice(Slice),
    /// `*`, `[*]`.
    Wildcard,
    /// `..` (always followed by another step).
    Scan,
    /// `[?(...)]`.
    Filter(Box<Expr>),
}

/// The three slice shapes Jayway knows.
#[derive(Debug, Clone, Copy)]
enum Slice {
    From(i32),
    To(i32),
    Between(i32, i32),
}

/// A no-argument path function (`$.list.length()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Length,
    Sum,
    Avg,
    Min,
    Max,
    StdDev,
    Keys,
    First,
    Last,
}

impl Function {
    fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "length" | "size" => Function::Length,
            "sum" => Function::Sum,
            "avg" => Function::Avg,
            "min" => Function::Min,
            "max" => Function::Max,
            "stddev" => Function::StdDev,
            "keys" => Function::Keys,
            "first" => Function::First,
            "last" => Function::Last,
            _ => return None,
        })
    }

    /// Applies the function; `None` where Jayway fails (no numbers to
    /// aggregate, `first()` of an empty list).
    fn apply(self, value: &Value) -> Option<Value> {
        match self {
            Function::Length => Some(match value {
                Value::Array(items) => Value::from(items.len()),
                Value::Object(map) => Value::from(map.len()),
                _ => Value::Null,
            }),
            Function::Keys => Some(match value {
                Value::Object(map) => {
                    Value::Array(map.keys().map(|k| Value::String(k.clone())).collect())
                }
                _ => Value::Null,
            }),
            Function::First => value.as_array().and_then(|a| a.first()).cloned(),
            Function::Last => value.as_array().and_then(|a| a.last()).cloned(),
            Function::Sum | Function::Avg | Function::Min | Function::Max | Function::StdDev => {
                let numbers: Vec<f64> = value
                    .as_array()
                    .map(|items| items.iter().filter_map(Value::as_f64).collect())
                    .unwrap_or_default();
                if numbers.is_empty() {
                    return None;
                }
                let count = numbers.len() as f64;
                let sum: f64 = numbers.iter().sum();
                let result = match self {
                    Function::Sum => sum,
                    Function::Avg => sum / count,
                    Function::Min => numbers.iter().copied().fold(f64::INFINITY, f64::min),
                    Function::Max => numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    _ => {
                        // Jayway's population standard deviation formula.
                        let sum_sq: f64 = numbers.iter().map(|n| n * n).sum();
                        (sum_sq / count - sum * sum / count / count).sqrt()
                    }
                };
                Number::from_f64(result).map(Value::Number)
            }
        }
    }
}

/// A filter expression.
#[derive(Debug, Clone)]
enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    /// `@.x` (expected = true) or `!@.x` (expected = false).
    Exists {
        path: Box<JsonPath>,
        expected: bool,
    },
    Compare {
        left: Operand,
        op: CmpOp,
        right: Operand,
    },
}

/// One side of a comparison.
#[derive(Debug, Clone)]
enum Operand {
    Path(Box<JsonPath>),
    Literal(Literal),
}

/// A literal in a filter.
#[derive(Debug, Clone)]
enum Literal {
    Null,
    Bool(bool),
    Number(Num),
    String(String),
    Json(Box<Value>),
    Pattern(Box<Regex>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Regex,
}

impl Expr {
    /// Whether the filter holds for `item`.
    fn matches(&self, item: &Value, root: &Value) -> bool {
        match self {
            Expr::Or(terms) => terms.iter().any(|e| e.matches(item, root)),
            Expr::And(terms) => terms.iter().all(|e| e.matches(item, root)),
            Expr::Not(inner) => !inner.matches(item, root),
            Expr::Exists { path, expected } => path.find(item, root).exists() == *expected,
            Expr::Compare { left, op, right } => {
                let left = operand_node(left, item, root);
                let right = operand_node(right, item, root);
                compare(&left, *op, &right)
            }
        }
    }
}

/// A value as Jayway's filter sees it (its `ValueNode` kinds).
enum Node<'a> {
    Undefined,
    Null,
    Bool(bool),
    Num(Num),
    Str(Cow<'a, str>),
    /// An array or object.
    Json(Cow<'a, Value>),
    Pattern(&'a Regex),
}

/// A number in a filter: its value, and its text for Jayway's string/number
/// comparisons.
#[derive(Debug, Clone)]
struct Num {
    text: String,
    float: f64,
    int: Option<i128>,
}

impl Num {
    fn from_json(n: &Number) -> Num {
        let int = n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from));
        Num {
            text: n.to_string(),
            float: n.as_f64().unwrap_or(f64::NAN),
            int,
        }
    }

    /// Parses `text` as Java's `new BigDecimal(text)` would accept it.
    fn parse(text: &str) -> Option<Num> {
        let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
        let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
            Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
            None => (unsigned, None),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !digits(whole) || !digits(fraction) {
            return None;
        }
        if let Some(exp) = exponent {
            let exp = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if exp.is_empty() || !digits(exp) {
                return None;
            }
        }
        let float = text.parse::<f64>().ok()?;
        let int = if mantissa.contains('.') || exponent.is_some() {
            None
        } else {
            text.strip_prefix('+').unwrap_or(text).parse::<i128>().ok()
        };
        Some(Num {
            text: text.to_owned(),
            float,
            int,
        })
    }

    fn compare(&self, other: &Num) -> Option<Ordering> {
        match (self.int, other.int) {
            (Some(a), Some(b)) => Some(a.cmp(&b)),
            _ => self.float.partial_cmp(&other.float),
        }
    }
}

/// Converts a JSON value into a filter node.
fn value_node(value: Cow<'_, Value>) -> Node<'_> {
    match value {
        Cow::Borrowed(v) => match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(*b),
            Value::Number(n) => Node::Num(Num::from_json(n)),
            Value::String(s) => Node::Str(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => Node::Json(Cow::Borrowed(v)),
        },
        Cow::Owned(v) => match v {
            Value::Null => Node::Null,
            Value::Bool(b) => Node::Bool(b),
            Value::Number(n) => Node::Num(Num::from_json(&n)),
            Value::String(s) => Node::Str(Cow::Owned(s)),
            v @ (Value::Array(_) | Value::Object(_)) => Node::Json(Cow::Owned(v)),
        },
    }
}

/// Evaluates one side of a comparison for `item`.
fn operand_node<'a>(operand: &'a Operand, item: &'a Value, root: &'a Value) -> Node<'a> {
    match operand {
        Operand::Path(path) => match path.find(item, root) {
            Found::Missing => Node::Undefined,
            Found::One(value) => value_node(value),
            // An indefinite path inside a filter gives Jayway a JSON array.
            Found::Many(values) => Node::Json(Cow::Owned(Value::Array(
                values.into_iter().map(owned).collect(),
            ))),
        },
        Operand::Literal(literal) => match literal {
            Literal::Null => Node::Null,
            Literal::Bool(b) => Node::Bool(*b),
            Literal::Number(n) => Node::Num(n.clone()),
            Literal::String(s) => Node::Str(Cow::Borrowed(s)),
            Literal::Json(v) => value_node(Cow::Borrowed(v)),
            Literal::Pattern(re) => Node::Pattern(re),
        },
    }
}

/// Java's `String.compareTo`: UTF-16 code unit order.
fn java_string_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// Jayway's `==` on value nodes.
fn nodes_equal(left: &Node<'_>, right: &Node<'_>) -> bool {
    match (left, right) {
        (Node::Num(a), Node::Num(b)) => a.compare(b) == Some(Ordering::Equal),
        (Node::Num(a), Node::Str(s)) => {
            Num::parse(s).is_some_and(|b| a.compare(&b) == Some(Ordering::Equal))
        }
        (Node::Str(s), Node::Num(b)) => **s == b.text,
        (Node::Str(a), Node::Str(b)) => a == b,
        (Node::Bool(a), Node::Bool(b)) => a == b,
        (Node::Null, Node::Null) => true,
        (Node::Json(a), Node::Json(b)) => a == b,
        (Node::Pattern(a), Node::Pattern(b)) => a.as_str() == b.as_str(),
        _ => false,
    }
}

/// Jayway's ordering for `< <= > >=`; `None` makes every such test false.
fn nodes_order(left: &Node<'_>, right: &Node<'_>) -> Option<Ordering> {
    match (left, right) {
        (Node::Num(a), Node::Num(b)) => a.compare(b),
        (Node::Str(a), Node::Str(b)) => Some(java_string_cmp(a, b)),
        (Node::Str(a), Node::Num(b)) => Some(java_string_cmp(a, &b.text)),
        (Node::Num(a), Node::Str(b)) => Some(java_string_cmp(&a.text, b)),
        _ => None,
    }
}

/// The text a regex is matched against (Jayway's `getInput`).
fn regex_input(node: &Node<'_>) -> Cow<'static, str> {
    match node {
        Node::Str(s) => Cow::Owned(s.to_string()),
        Node::Num(n) => Cow::Owned(n.text.clone()),
        Node::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        _ => Cow::Borrowed(""),
    }
}

fn regex_matches(re: &Regex, subject: &Node<'_>) -> bool {
    let is_match = |text: &str| re.is_match(text).unwrap_or(false);
    match subject {
        // An array matches when any element does.
        Node::Json(value) if value.is_array() => value
            .as_array()
            .into_iter()
            .flatten()
            .any(|v| is_match(&regex_input(&value_node(Cow::Borrowed(v))))),
        _ => is_match(&regex_input(subject)),
    }
}

fn compare(left: &Node<'_>, op: CmpOp, right: &Node<'_>) -> bool {
    match op {
        CmpOp::Eq => nodes_equal(left, right),
        CmpOp::Ne => !nodes_equal(left, right),
        CmpOp::Lt => nodes_order(left, right) == Some(Ordering::Less),
        CmpOp::Le => matches!(
            nodes_order(left, right),
            Some(Ordering::Less | Ordering::Equal)
        ),
        CmpOp::Gt => nodes_order(left, right) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(
            nodes_order(left, right),
            Some(Ordering::Greater | Ordering::Equal)
        ),
        CmpOp::Regex => match (left, right) {
            (Node::Pattern(_), Node::Pattern(_)) => false,
            (Node::Pattern(re), subject) | (subject, Node::Pattern(re)) => {
                regex_matches(re, subject)
            }
            _ => false,
        },
    }
}

/// Whether a list of steps can only ever produce one value.
fn steps_definite(steps: &[Step]) -> bool {
    steps.iter().enumerate().all(|(i, step)| match step {
        Step::Property(names) => names.len() == 1 || i + 1 == steps.len(),
        Step::Index(indexes) => indexes.len() == 1,
        Step::Slice(_) | Step::Wildcard | Step::Scan | Step::Filter(_) => false,
    })
}

/// Evaluates `steps` on `value`, appending every result to `out`.
fn eval_steps<'v>(
    steps: &[Step],
    value: &'v Value,
    root: &'v Value,
    out: &mut Vec<Cow<'v, Value>>,
) {
    let Some((step, rest)) = steps.split_first() else {
        out.push(Cow::Borrowed(value));
        return;
    };
    match step {
        Step::Property(names) => {
            let Value::Object(map) = value else { return };
            if names.len() > 1 && rest.is_empty() {
                let merged: Map<String, Value> = names
                    .iter()
                    .filter_map(|name| map.get(name).map(|v| (name.clone(), copy(v))))
                    .collect();
                out.push(Cow::Owned(Value::Object(merged)));
            } else {
                for name in names {
                    if let Some(child) = map.get(name) {
                        eval_steps(rest, child, root, out);
                    }
                }
            }
        }
        Step::Index(indexes) => {
            let Value::Array(items) = value else { return };
            for &index in indexes {
                eval_index(rest, items, i64::from(index), root, out);
            }
        }
        Step::Slice(slice) => {
            let Value::Array(items) = value else { return };
            let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let range = match *slice {
                Slice::From(from) => {
                    let from = i64::from(from);
                    let from = if from < 0 { len + from } else { from };
                    from.max(0)..len
                }
                Slice::To(to) => {
                    let to = i64::from(to);
                    let to = if to < 0 { len + to } else { to };
                    0..to.min(len)
                }
                // Jayway normalises neither end here; each index is then
                // resolved on its own, negative ones from the end.
                Slice::Between(from, to) => i64::from(from)..i64::from(to).min(len),
            };
            for index in range {
                eval_index(rest, items, index, root, out);
            }
        }
        Step::Wildcard => match value {
            Value::Object(map) => {
                for child in map.values() {
                    eval_steps(rest, child, root, out);
                }
            }
            Value::Array(items) => {
                for child in items {
                    eval_steps(rest, child, root, out);
                }
            }
            _ => {}
        },
        Step::Scan => scan(rest, value, root, out),
        Step::Filter(expr) => match value {
            Value::Object(_) if expr.matches(value, root) => eval_steps(rest, value, root, out),
            Value::Array(items) => {
                for item in items {
                    if expr.matches(item, root) {
                        eval_steps(rest, item, root, out);
                    }
                }
            }
            _ => {}
        },
    }
}

/// What one copied JSON element is charged to the render's memory budget (besides its
/// text).
const COPY_NODE_BYTES: usize = 48;

/// A copy of part of the document, charged to the render's memory budget (see
/// [`crate::vtl::budget`]): a deep scan such as `$..*` copies every subtree, which on a
/// deep document is many times its size. Past the budget the rest of the copy is null and
/// the budget trips (the render then fails).
fn copy(v: &Value) -> Value {
    if budget::tripped() || !budget::charge_or_trip(COPY_NODE_BYTES) {
        return Value::Null;
    }
    match v {
        Value::Array(items) => Value::Array(items.iter().map(copy).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), copy(v))).collect())
        }
        Value::String(s) if !budget::charge_or_trip(s.len()) => Value::Null,
        other => other.clone(),
    }
}

/// An owned result, copied under the memory budget when it is borrowed.
fn owned(v: Cow<'_, Value>) -> Value {
    match v {
        Cow::Borrowed(v) => copy(v),
        Cow::Owned(v) => v,
    }
}

/// Jayway's `handleArrayIndex`: a negative index counts from the end; out of
/// range selects nothing.
fn eval_index<'v>(
    rest: &[Step],
    items: &'v [Value],
    index: i64,
    root: &'v Value,
    out: &mut Vec<Cow<'v, Value>>,
) {
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let effective = if index < 0 { len + index } else { index };
    if let Some(item) = usize::try_from(effective).ok().and_then(|i| items.get(i)) {
        eval_steps(rest, item, root, out);
    }
}

/// The deep scan `..`: `target` is the step after `..` followed by the rest
/// of the path.
fn scan<'v>(target: &[Step], value: &'v Value, root: &'v Value, out: &mut Vec<Cow<'v, Value>>) {
    let Some((step, after)) = target.split_first() else {
        return;
    };
    // Each visit is a step of the render (a filter under `..` may scan again per element).
    if !budget::step_or_trip(1) {
        return;
    }
    match value {
        Value::Object(map) => {
            if scan_applies(step, after.is_empty(), value, root) {
                eval_steps(target, value, root, out);
            }
            for child in map.values() {
                scan(target, child, root, out);
            }
        }
        Value::Array(items) => {
            if scan_applies(step, after.is_empty(), value, root) {
                if after.is_empty() {
                    eval_steps(target, value, root, out);
                } else {
                    // Jayway's `walkArray` hands each element to the step
                    // *after* the target (see the module docs).
                    for item in items {
                        eval_steps(after, item, root, out);
                    }
                }
            }
            for item in items {
                scan(target, item, root, out);
            }
        }
        _ => {}
    }
}

/// Jayway's scan predicates: whether the step after `..` is evaluated at
/// this container.
fn scan_applies(step: &Step, leaf: bool, value: &Value, root: &Value) -> bool {
    match step {
        Step::Property(names) => match value {
            Value::Object(map) => {
                (names.len() > 1 && !leaf) || names.iter().all(|n| map.contains_key(n))
            }
            _ => false,
        },
        Step::Index(_) | Step::Slice(_) => value.is_array(),
        Step::Wildcard => true,
        Step::Filter(expr) => expr.matches(value, root),
        Step::Scan => false,
    }
}

/// Characters that end a path embedded in a filter expression.
fn ends_embedded_path(c: char) -> bool {
    c.is_whitespace() || matches!(c, '<' | '>' | '=' | '!' | '~' | ')' | '&' | '|')
}

/// Filter operators Jayway has and this module does not.
const UNSUPPORTED_WORD_OPERATORS: &[&str] = &[
    "in", "nin", "subsetof", "anyof", "noneof", "size", "empty", "contains", "all", "matches",
    "type",
];

/// Recursive-descent parser over the (trimmed, possibly `$.`-prefixed) path.
struct Parser {
    chars: Vec<char>,
    pos: usize,
    /// Characters added in front of the caller's text (`$.` for an implicit root).
    prefix: usize,
    /// Blank characters trimmed from the front of the caller's text.
    lead: usize,
}

enum NameOrFunction {
    Name(String),
    Function(Function),
}

impl Parser {
    fn error(&self, at: usize, message: impl Into<String>) -> JsonPathError {
        JsonPathError {
            offset: at.saturating_sub(self.prefix) + self.lead,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    /// The first index at or after `i` that is not whitespace.
    fn skip_ws_from(&self, mut i: usize) -> usize {
        while self.at(i).is_some_and(char::is_whitespace) {
            i += 1;
        }
        i
    }

    fn skip_ws(&mut self) {
        self.pos = self.skip_ws_from(self.pos);
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars()
            .enumerate()
            .all(|(k, c)| self.at(self.pos + k) == Some(c))
    }

    fn eat(&mut self, c: char) -> Result<(), JsonPathError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(self.pos, format!("expected '{c}'")))
        }
    }

    /// Parses `$...` or `@...`. Top-level (`embedded == false`) it must reach
    /// the end of the text; inside a filter it stops before whitespace, an
    /// operator or a closing parenthesis.
    fn parse_path(&mut self, embedded: bool) -> Result<JsonPath, JsonPathError> {
        let start = self.pos;
        let root = match self.peek() {
            Some('$') => Root::Document,
            Some('@') => Root::Current,
            _ => return Err(self.error(self.pos, "a path must start with '$' or '@'")),
        };
        self.pos += 1;
        match self.peek() {
            None | Some('.' | '[') => {}
            Some(c) if embedded && ends_embedded_path(c) => {}
            Some(_) => {
                return Err(self.error(self.pos, "expected '.' or '[' after the root"));
            }
        }
        let mut steps = Vec::new();
        let mut function = None;
        while let Some(c) = self.peek() {
            if embedded && ends_embedded_path(c) {
                break;
            }
            if function.is_some() {
                return Err(self.error(self.pos, "a function must be the last step of a path"));
            }
            match c {
                '.' => {
                    if self.at(self.pos + 1) == Some('.') {
                        steps.push(Step::Scan);
                        self.pos += 2;
                    } else {
                        self.pos += 1;
                    }
                    match self.peek() {
                        None => {
                            return Err(
                                self.error(self.pos - 1, "a path must not end with '.' or '..'")
                            );
                        }
                        Some('.') => return Err(self.error(self.pos, "unexpected '.'")),
                        Some(c) if embedded && ends_embedded_path(c) => {
                            return Err(self.error(self.pos, "expected a name, '*' or '['"));
                        }
                        // The next iteration reads the name, `*` or `[...]`.
                        Some(_) => {}
                    }
                }
                '[' => steps.push(self.parse_bracket()?),
                '*' => {
                    self.pos += 1;
                    steps.push(Step::Wildcard);
                }
                _ => match self.parse_name_or_function(embedded)? {
                    NameOrFunction::Name(name) => steps.push(Step::Property(vec![name])),
                    NameOrFunction::Function(f) => function = Some(f),
                },
            }
        }
        if matches!(steps.last(), Some(Step::Scan)) {
            // Only reachable as `..fn()`: the scan has no step to look for.
            return Err(self.error(self.pos, "'..' must be followed by a name, '*' or '['"));
        }
        let source = self.chars[start..self.pos].iter().collect();
        Ok(JsonPath {
            source,
            root,
            steps_definite: steps_definite(&steps),
            steps,
            function,
        })
    }

    /// A dot-notation name (`a-b`, `0`, anything up to `.`, `[` or `(`), or a
    /// function call `name()`.
    fn parse_name_or_function(&mut self, embedded: bool) -> Result<NameOrFunction, JsonPathError> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, '.' | '[' | '(') || (embedded && ends_embedded_path(c)) {
                break;
            }
            if c == ' ' {
                return Err(self.error(
                    self.pos,
                    "use bracket notation ['my name'] for a name with spaces",
                ));
            }
            self.pos += 1;
        }
        let name: String = self.chars[start..self.pos].iter().collect();
        if self.peek() == Some('(') {
            if self.at(self.pos + 1) != Some(')') {
                return Err(self.error(self.pos + 1, "function arguments are not supported"));
            }
            let function = Function::from_name(&name)
                .ok_or_else(|| self.error(start, format!("unknown function '{name}()'")))?;
            self.pos += 2;
            return Ok(NameOrFunction::Function(function));
        }
        if name.is_empty() {
            return Err(self.error(start, "expected a name"));
        }
        Ok(NameOrFunction::Name(name))
    }

    /// Everything that starts with `[`.
    fn parse_bracket(&mut self) -> Result<Step, JsonPathError> {
        let open = self.pos;
        let first = self.skip_ws_from(open + 1);
        match self.at(first) {
            Some('\'' | '"') => self.parse_bracket_names(open),
            Some(c) if c.is_ascii_digit() || c == '-' || c == ':' => {
                self.parse_array_selector(open)
            }
            Some('*') => {
                let close = self.skip_ws_from(first + 1);
                if self.at(close) != Some(']') {
                    return Err(self.error(close, "expected ']'"));
                }
                self.pos = close + 1;
                Ok(Step::Wildcard)
            }
            Some('?') => self.parse_filter(first),
            Some(']') => Err(self.error(first, "empty brackets")),
            None => Err(self.error(first, "expected ']'")),
            Some(_) => Err(self.error(
                first,
                "expected a quoted name, an array index, '*' or '?(' after '['",
            )),
        }
    }

    /// `['a']`, `["a"]`, `['a', 'b']`.
    fn parse_bracket_names(&mut self, open: usize) -> Result<Step, JsonPathError> {
        let mut names = Vec::new();
        let mut i = open + 1;
        loop {
            i = self.skip_ws_from(i);
            let quote = match self.at(i) {
                Some(q @ ('\'' | '"')) => q,
                Some(_) => return Err(self.error(i, "expected a quoted name")),
                None => return Err(self.error(i, "expected ']'")),
            };
            let (name, end) = self.read_quoted(i, quote)?;
            names.push(name);
            i = self.skip_ws_from(end);
            match self.at(i) {
                Some(',') => i += 1,
                Some(']') => {
                    self.pos = i + 1;
                    return Ok(Step::Property(names));
                }
                Some(_) => return Err(self.error(i, "expected ',' or ']'")),
                None => return Err(self.error(i, "expected ']'")),
            }
        }
    }

    /// Reads a quoted string starting at `start` (the quote); returns its
    /// unescaped text and the index after the closing quote.
    fn read_quoted(&self, start: usize, quote: char) -> Result<(String, usize), JsonPathError> {
        let mut i = start + 1;
        loop {
            match self.at(i) {
                None => return Err(self.error(start, format!("unclosed {quote}"))),
                Some('\\') => i += 2,
                Some(c) if c == quote => break,
                Some(_) => i += 1,
            }
        }
        let text = unescape(&self.chars[start + 1..i])
            .map_err(|k| self.error(start + 1 + k, "invalid \\u escape"))?;
        Ok((text, i + 1))
    }

    /// `[0]`, `[-1]`, `[0,2]`, `[1:3]`, `[-2:]`, `[:2]`.
    fn parse_array_selector(&mut self, open: usize) -> Result<Step, JsonPathError> {
        let close = (open + 1..self.chars.len())
            .find(|&i| self.chars[i] == ']')
            .ok_or_else(|| self.error(self.chars.len(), "expected ']'"))?;
        let body = &self.chars[open + 1..close];
        if let Some(k) = body.iter().position(|&c| {
            !(c.is_ascii_digit() || matches!(c, ',' | '-' | ':') || c.is_whitespace())
        }) {
            return Err(self.error(open + 1 + k, "invalid character in array index"));
        }
        let text: String = body.iter().collect();
        let text = text.trim();
        let number = |s: &str| {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse::<i32>().map(Some).map_err(|_| ())
            }
        };
        let step = if text.contains(':') {
            // Java's String.split drops trailing empty parts, and Jayway reads
            // only the first two (a step is ignored).
            let mut parts: Vec<&str> = text.split(':').collect();
            while parts.last().is_some_and(|p| p.trim().is_empty()) {
                parts.pop();
            }
            let from = parts.first().map_or(Ok(None), |p| number(p));
            let to = parts.get(1).map_or(Ok(None), |p| number(p));
            match (from, to) {
                (Ok(Some(from)), Ok(None)) => Step::Slice(Slice::From(from)),
                (Ok(None), Ok(Some(to))) => Step::Slice(Slice::To(to)),
                (Ok(Some(from)), Ok(Some(to))) => Step::Slice(Slice::Between(from, to)),
                _ => return Err(self.error(open + 1, format!("invalid slice '{text}'"))),
            }
        } else {
            let indexes = text
                .split(',')
                .map(|p| number(p).ok().flatten())
                .collect::<Option<Vec<i32>>>()
                .ok_or_else(|| self.error(open + 1, format!("invalid array index '{text}'")))?;
            Step::Index(indexes)
        };
        self.pos = close + 1;
        Ok(step)
    }

    /// `[?( expr )]`; `question` is the index of the `?`.
    fn parse_filter(&mut self, question: usize) -> Result<Step, JsonPathError> {
        let paren = self.skip_ws_from(question + 1);
        match self.at(paren) {
            Some('(') => {}
            Some(']' | ',') => {
                return Err(self.error(
                    question,
                    "filter placeholders '[?]' are not supported; write '[?(...)]'",
                ));
            }
            _ => return Err(self.error(paren, "expected '(' after '[?'")),
        }
        self.pos = paren + 1;
        let expr = self.parse_or()?;
        self.skip_ws();
        self.eat(')')?;
        self.skip_ws();
        self.eat(']')?;
        Ok(Step::Filter(Box::new(expr)))
    }

    fn parse_or(&mut self) -> Result<Expr, JsonPathError> {
        let mut terms = vec![self.parse_and()?];
        loop {
            self.skip_ws();
            if !self.starts_with("||") {
                break;
            }
            self.pos += 2;
            terms.push(self.parse_and()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::Or(terms)
        })
    }

    fn parse_and(&mut self) -> Result<Expr, JsonPathError> {
        let mut terms = vec![self.parse_operand()?];
        loop {
            self.skip_ws();
            if !self.starts_with("&&") {
                break;
            }
            self.pos += 2;
            terms.push(self.parse_operand()?);
        }
        Ok(if terms.len() == 1 {
            terms.remove(0)
        } else {
            Expr::And(terms)
        })
    }

    fn parse_operand(&mut self) -> Result<Expr, JsonPathError> {
        self.skip_ws();
        match self.peek() {
            Some('!') => {
                let after = self.skip_ws_from(self.pos + 1);
                if matches!(self.at(after), Some('$' | '@')) {
                    // `!@.x`: a negated existence test, read with the value.
                    return self.parse_relation();
                }
                self.pos += 1;
                Ok(Expr::Not(Box::new(self.parse_operand()?)))
            }
            Some('(') => {
                self.pos += 1;
                let expr = self.parse_or()?;
                self.skip_ws();
                self.eat(')')?;
                Ok(expr)
            }
            _ => self.parse_relation(),
        }
    }

    /// `value [op value]`; a lone value must be a path (an existence test).
    fn parse_relation(&mut self) -> Result<Expr, JsonPathError> {
        let (left, negated) = self.parse_value()?;
        self.skip_ws();
        if let Some(op) = self.parse_operator()? {
            // Jayway ignores a `!` in front of a path that is compared.
            let (right, _) = self.parse_value()?;
            return Ok(Expr::Compare { left, op, right });
        }
        match left {
            Operand::Path(path) => Ok(Expr::Exists {
                path,
                expected: !negated,
            }),
            Operand::Literal(_) => Err(self.error(self.pos, "expected a comparison operator")),
        }
    }

    fn parse_operator(&mut self) -> Result<Option<CmpOp>, JsonPathError> {
        let start = self.pos;
        let mut end = start;
        while matches!(self.at(end), Some('<' | '>' | '=' | '!' | '~')) {
            end += 1;
        }
        if end > start {
            let text: String = self.chars[start..end].iter().collect();
            let op = match text.as_str() {
                "==" => CmpOp::Eq,
                "!=" => CmpOp::Ne,
                "<" => CmpOp::Lt,
                "<=" => CmpOp::Le,
                ">" => CmpOp::Gt,
                ">=" => CmpOp::Ge,
                "=~" => CmpOp::Regex,
                _ => return Err(self.error(start, format!("unsupported operator '{text}'"))),
            };
            self.pos = end;
            return Ok(Some(op));
        }
        if self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            while self.at(end).is_some_and(|c| c.is_ascii_alphabetic()) {
                end += 1;
            }
            let word: String = self.chars[start..end].iter().collect();
            let message = if UNSUPPORTED_WORD_OPERATORS.contains(&word.as_str()) {
                format!("filter operator '{word}' is not supported")
            } else {
                format!("expected a comparison operator, found '{word}'")
            };
            return Err(self.error(start, message));
        }
        Ok(None)
    }

    /// A path or a literal; the flag is true for a path written `!@...`.
    fn parse_value(&mut self) -> Result<(Operand, bool), JsonPathError> {
        self.skip_ws();
        let start = self.pos;
        let literal = match self.peek() {
            Some('!') => {
                self.pos += 1;
                self.skip_ws();
                if !matches!(self.peek(), Some('$' | '@')) {
                    return Err(self.error(start, "'!' must be followed by a path or '('"));
                }
                return Ok((Operand::Path(Box::new(self.parse_path(true)?)), true));
            }
            Some('$' | '@') => return Ok((Operand::Path(Box::new(self.parse_path(true)?)), false)),
            Some(q @ ('\'' | '"')) => {
                let (text, end) = self.read_quoted(start, q)?;
                self.pos = end;
                Literal::String(text)
            }
            Some('{' | '[') => self.parse_json_literal()?,
            Some('/') => self.parse_pattern()?,
            Some(c) if c.is_ascii_digit() || c == '-' || c == '.' => self.parse_number()?,
            Some(c) if c.is_ascii_alphabetic() => {
                let mut end = start;
                while self.at(end).is_some_and(|c| c.is_ascii_alphabetic()) {
                    end += 1;
                }
                let word: String = self.chars[start..end].iter().collect();
                let literal = match word.as_str() {
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    "null" => Literal::Null,
                    _ => return Err(self.error(start, format!("unknown literal '{word}'"))),
                };
                self.pos = end;
                literal
            }
            Some(_) => {
                return Err(self.error(
                    start,
                    "expected a path, a string, a number, true, false, null or /regex/",
                ));
            }
            None => return Err(self.error(start, "unexpected end of filter")),
        };
        Ok((Operand::Literal(literal), false))
    }

    fn parse_number(&mut self) -> Result<Literal, JsonPathError> {
        let start = self.pos;
        let mut end = start;
        while let Some(c) = self.at(end) {
            let exponent_sign = c == '+' && matches!(self.at(end.wrapping_sub(1)), Some('e' | 'E'));
            if !(c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E') || exponent_sign) {
                break;
            }
            end += 1;
        }
        let text: String = self.chars[start..end].iter().collect();
        let number = Num::parse(&text)
            .ok_or_else(|| self.error(start, format!("invalid number '{text}'")))?;
        self.pos = end;
        Ok(Literal::Number(number))
    }

    /// A JSON array or object literal.
    fn parse_json_literal(&mut self) -> Result<Literal, JsonPathError> {
        let start = self.pos;
        let open = self.chars[start];
        let close = if open == '[' { ']' } else { '}' };
        let mut depth = 0usize;
        let mut i = start;
        let end = loop {
            match self.at(i) {
                None => return Err(self.error(start, format!("expected '{close}'"))),
                Some(q @ ('"' | '\'')) => {
                    i += 1;
                    while let Some(c) = self.at(i) {
                        if c == '\\' {
                            i += 1;
                        } else if c == q {
                            break;
                        }
                        i += 1;
                    }
                }
                Some(c) if c == open => depth += 1,
                Some(c) if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        break i + 1;
                    }
                }
                Some(_) => {}
            }
            i += 1;
        };
        let text: String = self.chars[start..end].iter().collect();
        let value = serde_json::from_str(&text)
            .map_err(|e| self.error(start, format!("invalid JSON literal: {e}")))?;
        self.pos = end;
        Ok(Literal::Json(Box::new(value)))
    }

    /// `/regex/flags`, matched against the whole string.
    fn parse_pattern(&mut self) -> Result<Literal, JsonPathError> {
        let start = self.pos;
        let mut i = start + 1;
        loop {
            match self.at(i) {
                None => return Err(self.error(start, "unclosed regular expression")),
                Some('\\') => i += 2,
                Some('/') => break,
                Some(_) => i += 1,
            }
        }
        let body: String = self.chars[start + 1..i].iter().collect();
        let mut flags = String::new();
        let mut end = i + 1;
        while let Some(c) = self.at(end).filter(char::is_ascii_alphabetic) {
            match c {
                'i' | 'm' | 's' | 'x' => flags.push(c),
                // Java's UNIX_LINES and Unicode flags: no fancy-regex equivalent.
                'd' | 'u' | 'U' => {}
                _ => return Err(self.error(end, format!("unknown regex flag '{c}'"))),
            }
            end += 1;
        }
        // Java's Matcher.matches(): the whole input must match. The newline
        // keeps a trailing `#` comment (flag x) from swallowing the `)`.
        let tail = if flags.contains('x') { "\n" } else { "" };
        let pattern = if flags.is_empty() {
            format!("\\A(?:{body})\\z")
        } else {
            format!("(?{flags})\\A(?:{body}{tail})\\z")
        };
        let regex = Regex::new(&pattern)
            .map_err(|e| self.error(start + 1, format!("invalid regular expression: {e}")))?;
        self.pos = end;
        Ok(Literal::Pattern(Box::new(regex)))
    }
}

/// Jayway's `Utils.unescape` (Java string escapes) over a quoted string's
/// content. On a malformed `\u` escape, the index of its backslash.
fn unescape(chars: &[char]) -> Result<String, usize> {
    let mut units: Vec<u16> = Vec::with_capacity(chars.len());
    let mut buf = [0u16; 2];
    let mut push =
        |units: &mut Vec<u16>, c: char| units.extend_from_slice(c.encode_utf16(&mut buf));
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            push(&mut units, c);
            i += 1;
            continue;
        }
        let Some(&next) = chars.get(i + 1) else {
            // A trailing backslash is kept.
            push(&mut units, '\\');
            break;
        };
        match next {
            'b' => push(&mut units, '\u{8}'),
            'f' => push(&mut units, '\u{c}'),
            'n' => push(&mut units, '\n'),
            'r' => push(&mut units, '\r'),
            't' => push(&mut units, '\t'),
            'u' => {
                let hex: String = chars.get(i + 2..i + 6).ok_or(i)?.iter().collect();
                // from_str_radix alone would also accept a leading '+'.
                if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(i);
                }
                units.push(u16::from_str_radix(&hex, 16).map_err(|_| i)?);
                i += 6;
                continue;
            }
            // `\\`, `\'`, `\"`, `\/` and unknown escapes: the character itself.
            other => push(&mut units, other),
        }
        i += 2;
    }
    Ok(String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sel(path: &str, doc: &Value) -> Selection {
        compile(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .select(doc)
    }

    fn one(path: &str, doc: &Value) -> Value {
        match sel(path, doc) {
            Selection::One(v) => v,
            other => panic!("{path}: expected One, got {other:?}"),
        }
    }

    fn many(path: &str, doc: &Value) -> Value {
        match sel(path, doc) {
            Selection::Many(v) => Value::Array(v),
            other => panic!("{path}: expected Many, got {other:?}"),
        }
    }

    fn missing(path: &str, doc: &Value) {
        assert_eq!(sel(path, doc), Selection::Missing, "{path}");
    }

    fn err(path: &str) -> JsonPathError {
        match compile(path) {
            Ok(p) => panic!("{path}: expected an error, compiled to {p:?}"),
            Err(e) => e,
        }
    }

    /// The document of Goessner's and Jayway's README examples.
    fn store() -> Value {
        json!({
            "store": {
                "book": [
                    {"category": "reference", "author": "Nigel Rees",
                     "title": "Sayings of the Century", "price": 8.95},
                    {"category": "fiction", "author": "Evelyn Waugh",
                     "title": "Sword of Honour", "price": 12.99},
                    {"category": "fiction", "author": "Herman Melville",
                     "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99},
                    {"category": "fiction", "author": "J. R. R. Tolkien",
                     "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99}
                ],
                "bicycle": {"color": "red", "price": 19.95}
            },
            "expensive": 10
        })
    }

    // ---- conformance cases (shared/conformance/apigw) ----

    #[test]
    fn conformance_root_object() {
        // input-json-root-roundtrip-aws-response, input-params-getting-started-doc,
        // example-photos-output-template: $input.path('$') / $input.json('$').
        let doc = json!({"Entries": [{"EventId": "x"}], "FailedEntryCount": 0});
        assert_eq!(sel("$", &doc), Selection::One(doc.clone()));
        assert!(compile("$").is_ok_and(|p| p.is_definite()));
        let photos = json!({"photos": {"page": 1, "photo": [{"id": "1"}, {"id": "2"}]}});
        assert_eq!(one("$", &photos)["photos"]["photo"][1]["id"], json!("2"));
    }

    #[test]
    fn conformance_root_of_string_payload() {
        // example-toqoz-path-root-in-json-string / input-json-non-json-payload-is-string:
        // the caller turns a non-JSON payload into a JSON string; `$` returns it.
        assert_eq!(one("$", &json!("name=toqoz")), json!("name=toqoz"));
    }

    #[test]
    fn conformance_object_member() {
        // input-path-object-renders-java-map-style & friends: "$.json".
        let doc = json!({"json": {"bigger": "dict", "to": "test", "with": "separators"}});
        let v = one("$.json", &doc);
        let keys: Vec<&String> = v
            .as_object()
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["bigger", "to", "with"], "document order is kept");
        assert_eq!(
            one("$.json", &json!({"json": [{"foo": "bar"}]})),
            json!([{"foo": "bar"}])
        );
        assert_eq!(
            one("$.json", &json!({"json": {"nested": {"foo": "bar"}}})),
            json!({"nested": {"foo": "bar"}})
        );
    }

    #[test]
    fn conformance_nested_empty_array() {
        // input-path-empty-array: "$.json.listValue" → [] (not null).
        let doc = json!({"json": {"listValue": []}});
        assert_eq!(one("$.json.listValue", &doc), json!([]));
    }

    #[test]
    fn conformance_size_doc_example() {
        // input-path-size-and-params-doc: $input.path('$.things').size() → 3.
        let doc = json!({"things": {"1": {}, "2": {}, "3": {}}});
        assert_eq!(one("$.things", &doc).as_object().map(Map::len), Some(3));
        assert_eq!(one("$.things.length()", &doc), json!(3));
    }

    #[test]
    fn conformance_string_members() {
        // util-escapejavascript-*: "$.data"; util-parsejson-doc-example: "$.errorMessage";
        // template-selection-content-type-parameters-ignored: $input.json('$.a') → 5.
        assert_eq!(one("$.data", &json!({"data": "it's"})), json!("it's"));
        let doc = json!({"errorMessage": "{\"key1\":\"var1\"}"});
        assert_eq!(one("$.errorMessage", &doc), json!("{\"key1\":\"var1\"}"));
        assert_eq!(one("$.a", &json!({"a": 5})), json!(5));
    }

    #[test]
    fn conformance_miss_is_missing() {
        // vtl-undefined-reference-renders-empty / input-path-empty-array's "nested":
        // a path that selects nothing yields null.
        missing("$.json.nested", &json!({"json": []}));
        missing("$.nope", &json!({"a": 1}));
    }

    // ---- definite paths ----

    #[test]
    fn dot_and_bracket_names() {
        let doc = json!({"a": {"b": {"c": 1}}, "a-b": 2, "x y": 3, "it's": 4, "": 5, "0": 6});
        assert_eq!(one("$.a.b.c", &doc), json!(1));
        assert_eq!(one("$['a']['b']['c']", &doc), json!(1));
        assert_eq!(one("$[\"a\"][\"b\"].c", &doc), json!(1));
        assert_eq!(one("$.a['b'].c", &doc), json!(1));
        assert_eq!(one("$.a-b", &doc), json!(2));
        assert_eq!(one("$['a-b']", &doc), json!(2));
        assert_eq!(one("$['x y']", &doc), json!(3));
        assert_eq!(one("$['it\\'s']", &doc), json!(4));
        assert_eq!(one("$[\"it's\"]", &doc), json!(4));
        assert_eq!(one("$['']", &doc), json!(5));
        assert_eq!(one("$.0", &doc), json!(6));
        assert_eq!(one("$[ 'a' ].b", &doc), json!({"c": 1}));
        assert_eq!(one("$.['a'].b.c", &doc), json!(1), "Jayway accepts `.[`");
    }

    #[test]
    fn escapes_in_bracket_names() {
        let doc = json!({"a\"b": 1, "tab\there": 2, "é": 3, "😀": 4, "back\\slash": 5});
        assert_eq!(one("$['a\"b']", &doc), json!(1));
        assert_eq!(one("$[\"a\\\"b\"]", &doc), json!(1));
        assert_eq!(one("$['tab\\there']", &doc), json!(2));
        assert_eq!(one("$['\\u00e9']", &doc), json!(3));
        assert_eq!(one("$['\\uD83D\\uDE00']", &doc), json!(4));
        assert_eq!(one("$['back\\\\slash']", &doc), json!(5));
    }

    #[test]
    fn indexes() {
        let doc = json!({"a": [10, 20, 30]});
        assert_eq!(one("$.a[0]", &doc), json!(10));
        assert_eq!(one("$.a[2]", &doc), json!(30));
        assert_eq!(one("$.a[-1]", &doc), json!(30));
        assert_eq!(one("$.a[-3]", &doc), json!(10));
        assert_eq!(one("$.a[ 1 ]", &doc), json!(20));
        missing("$.a[3]", &doc);
        missing("$.a[-4]", &doc);
        assert_eq!(one("$[1][0]", &json!([[1], [2, 3]])), json!(2));
    }

    #[test]
    fn null_is_a_value_not_a_miss() {
        let doc = json!({"a": null});
        assert_eq!(sel("$.a", &doc), Selection::One(Value::Null));
        missing("$.a.b", &doc);
    }

    #[test]
    fn wrong_kind_is_missing() {
        let doc = json!({"obj": {"0": "zero"}, "arr": [1], "s": "text", "n": 5});
        missing("$.obj[0]", &doc);
        missing("$.arr.length", &doc);
        missing("$.s[0]", &doc);
        missing("$.s.x", &doc);
        missing("$.n.x", &doc);
        missing("$.arr[0].x", &doc);
        missing("$.x", &json!([1, 2]));
        missing("$[0]", &json!({"0": 1}));
    }

    #[test]
    fn leading_dollar_is_optional() {
        let doc = json!({"petstore": {"pets": [{"name": "rex"}]}, "x": {"a": 1}});
        // method.request.body.<JSONPath> style, and D-models' petstore.pets[0].name.
        assert_eq!(one("petstore.pets[0].name", &doc), json!("rex"));
        assert_eq!(one("  $.x.a  ", &doc), json!(1));
        assert_eq!(one("[0]", &json!([7])), json!(7));
        assert_eq!(one("['x']", &doc), json!({"a": 1}));
        // "." + "a" = "$..a": Jayway turns a leading dot into a deep scan.
        assert_eq!(many(".a", &doc), json!([1]));
        // A top-level `@` is the document too.
        assert_eq!(one("@.x.a", &doc), json!(1));
        assert_eq!(one("@", &doc), doc);
    }

    #[test]
    fn multi_name_bracket_as_last_step_merges() {
        let doc = json!({"a": 1, "b": 2, "c": 3});
        assert_eq!(one("$['a','b']", &doc), json!({"a": 1, "b": 2}));
        assert_eq!(one("$['b', \"a\"]", &doc), json!({"b": 2, "a": 1}));
        assert_eq!(one("$['a','x']", &doc), json!({"a": 1}));
        assert_eq!(one("$['x','y']", &doc), json!({}));
        assert!(compile("$['a','b']").is_ok_and(|p| p.is_definite()));
    }

    #[test]
    fn multi_name_bracket_before_more_steps_iterates() {
        let doc = json!({"a": {"c": 1}, "b": {"c": 2}, "d": {"c": 3}});
        assert_eq!(many("$['a','b'].c", &doc), json!([1, 2]));
        assert_eq!(many("$['b','x','a'].c", &doc), json!([2, 1]));
    }

    // ---- indefinite paths ----

    #[test]
    fn wildcards() {
        let doc = json!({"a": 1, "b": [2], "c": {"d": 3}});
        assert_eq!(many("$.*", &doc), json!([1, [2], {"d": 3}]));
        assert_eq!(many("$[*]", &doc), json!([1, [2], {"d": 3}]));
        assert_eq!(many("$[ * ]", &doc), json!([1, [2], {"d": 3}]));
        assert_eq!(many("$.*.d", &doc), json!([3]));
        assert_eq!(many("$.b[*]", &doc), json!([2]));
        assert_eq!(many("$.a.*", &doc), json!([]));
        assert_eq!(many("$.*", &json!([])), json!([]));
        assert!(compile("$.*").is_ok_and(|p| !p.is_definite()));
    }

    #[test]
    fn index_lists() {
        let doc = json!([1, 2, 3, 4]);
        assert_eq!(many("$[0,2]", &doc), json!([1, 3]));
        assert_eq!(many("$[2, 0]", &doc), json!([3, 1]));
        assert_eq!(many("$[0,9]", &doc), json!([1]));
        assert_eq!(many("$[-1,0]", &doc), json!([4, 1]));
    }

    #[test]
    fn slices_follow_jayway() {
        let doc = json!([1, 2, 3, 4]);
        assert_eq!(many("$[1:3]", &doc), json!([2, 3]));
        assert_eq!(many("$[:2]", &doc), json!([1, 2]));
        assert_eq!(many("$[1:]", &doc), json!([2, 3, 4]));
        assert_eq!(many("$[-2:]", &doc), json!([3, 4]));
        assert_eq!(many("$[:-1]", &doc), json!([1, 2, 3]));
        assert_eq!(many("$[-3:-1]", &doc), json!([2, 3]));
        assert_eq!(many("$[0:100]", &doc), json!([1, 2, 3, 4]));
        assert_eq!(many("$[-10:]", &doc), json!([1, 2, 3, 4]));
        assert_eq!(many("$[:-10]", &doc), json!([]));
        assert_eq!(many("$[5:]", &doc), json!([]));
        assert_eq!(many("$[2:1]", &doc), json!([]));
        // Jayway quirks: a negative end in [from:to] selects nothing, and a
        // negative start's indexes each count from the end.
        assert_eq!(many("$[1:-1]", &doc), json!([]));
        assert_eq!(many("$[-1:2]", &doc), json!([4, 1, 2]));
        // A step is ignored.
        assert_eq!(many("$[1:2:3]", &doc), json!([2]));
        assert_eq!(many("$[ 1 : 3 ]", &doc), json!([2, 3]));
        assert_eq!(
            many("$[0:2].x", &json!([{"x": 1}, {"y": 1}, {"x": 3}])),
            json!([1])
        );
    }

    #[test]
    fn deep_scan() {
        let doc = json!({"a": 1, "b": [{"d": 2}], "c": {"d": 3}});
        assert_eq!(many("$..d", &doc), json!([2, 3]));
        assert_eq!(
            many("$..*", &doc),
            json!([1, [{"d": 2}], {"d": 3}, {"d": 2}, 2, 3])
        );
        assert_eq!(
            many("$..[0]", &json!({"a": [1, 2], "b": [[3], 4]})),
            json!([1, [3], 3])
        );
        assert_eq!(many("$..x", &json!({"x": {"x": 1}})), json!([{"x": 1}, 1]));
        let nested = json!({"a": {"b": 1}, "c": {"a": {"b": 2}}, "d": [{"a": {"b": 3}}]});
        assert_eq!(many("$..a.b", &nested), json!([1, 2, 3]));
        assert_eq!(many("$..['b']", &nested), json!([1, 2, 3]));
        assert_eq!(many("$..nothing", &nested), json!([]));
        assert_eq!(many("$.a..b", &nested), json!([1]));
    }

    #[test]
    fn deep_scan_array_quirk() {
        // Jayway (2.0.0 and current) applies the steps after `[0]` to every
        // element of a qualifying array.
        let doc = json!({"a": [{"x": 1}, {"x": 2}]});
        assert_eq!(many("$..[0].x", &doc), json!([1, 2]));
        assert_eq!(many("$..[1]", &doc), json!([{"x": 2}]));
    }

    #[test]
    fn jayway_readme_examples() {
        let doc = store();
        assert_eq!(
            many("$.store.book[*].author", &doc),
            json!([
                "Nigel Rees",
                "Evelyn Waugh",
                "Herman Melville",
                "J. R. R. Tolkien"
            ])
        );
        assert_eq!(
            many("$..author", &doc),
            json!([
                "Nigel Rees",
                "Evelyn Waugh",
                "Herman Melville",
                "J. R. R. Tolkien"
            ])
        );
        assert_eq!(many("$.store.*", &doc).as_array().map(Vec::len), Some(2));
        assert_eq!(
            many("$.store..price", &doc),
            json!([8.95, 12.99, 8.99, 22.99, 19.95])
        );
    }

    #[test]
    fn jayway_readme_book_queries() {
        let doc = store();
        let titles = |path: &str| -> Vec<String> {
            match sel(path, &doc) {
                Selection::Many(v) => v
                    .iter()
                    .map(|b| b["title"].as_str().unwrap_or("?").to_owned())
                    .collect(),
                other => panic!("{path}: {other:?}"),
            }
        };
        assert_eq!(titles("$..book[2]"), ["Moby Dick"]);
        assert_eq!(titles("$..book[-2]"), ["Moby Dick"]);
        assert_eq!(
            titles("$..book[0,1]"),
            ["Sayings of the Century", "Sword of Honour"]
        );
        assert_eq!(
            titles("$..book[:2]"),
            ["Sayings of the Century", "Sword of Honour"]
        );
        assert_eq!(titles("$..book[1:2]"), ["Sword of Honour"]);
        assert_eq!(
            titles("$..book[-2:]"),
            ["Moby Dick", "The Lord of the Rings"]
        );
        assert_eq!(
            titles("$..book[2:]"),
            ["Moby Dick", "The Lord of the Rings"]
        );
        assert_eq!(
            titles("$..book[?(@.isbn)]"),
            ["Moby Dick", "The Lord of the Rings"]
        );
        assert_eq!(
            titles("$.store.book[?(@.price < 10)]"),
            ["Sayings of the Century", "Moby Dick"]
        );
        assert_eq!(
            titles("$..book[?(@.price <= $['expensive'])]"),
            ["Sayings of the Century", "Moby Dick"]
        );
        assert_eq!(
            titles("$..book[?(@.author =~ /.*REES/i)]"),
            ["Sayings of the Century"]
        );
        assert_eq!(
            one("$..book.length()", &doc),
            json!(1),
            "one `book` array found"
        );
        assert_eq!(one("$.store.book.length()", &doc), json!(4));
    }

    #[test]
    fn scan_then_index_is_indefinite() {
        assert_eq!(many("$..book[2]", &json!({"book": [1, 2, 3]})), json!([3]));
    }

    // ---- filters ----

    #[test]
    fn filter_comparisons() {
        let doc = json!({"a": [{"p": 5}, {"p": 15}, {"q": 1}, {"p": "3"}]});
        // "3" against 10 / 5 compares the text "3" with "10" / "5" (Jayway;
        // checked against Jayway 2.0.0).
        assert_eq!(many("$.a[?(@.p < 10)]", &doc), json!([{"p": 5}]));
        assert_eq!(
            many("$.a[?(@.p <= 5)]", &doc),
            json!([{"p": 5}, {"p": "3"}])
        );
        let doc = json!({"a": [{"p": 5}, {"p": 15}, {"q": 1}]});
        assert_eq!(many("$.a[?(@.p > 5)]", &doc), json!([{"p": 15}]));
        assert_eq!(many("$.a[?(@.p >= 15)]", &doc), json!([{"p": 15}]));
        assert_eq!(many("$.a[?(@.p == 15)]", &doc), json!([{"p": 15}]));
        assert_eq!(many("$.a[?(@.p>1&&@.p<10)]", &doc), json!([{"p": 5}]));
        assert_eq!(many("$.a[?(@['p'] > 10)]", &doc), json!([{"p": 15}]));
        assert_eq!(many("$.a[?(10 < @.p)]", &doc), json!([{"p": 15}]));
    }

    #[test]
    fn filter_mixed_types_follow_jayway() {
        let doc =
            json!({"a": [{"p": 1}, {"p": "1"}, {"p": 1.0}, {"p": true}, {"p": "true"}, {"q": 1}]});
        assert_eq!(
            many("$.a[?(@.p == 1)]", &doc),
            json!([{"p": 1}, {"p": "1"}, {"p": 1.0}])
        );
        assert_eq!(
            many("$.a[?(@.p == '1')]", &doc),
            json!([{"p": 1}, {"p": "1"}, {"p": 1.0}])
        );
        assert_eq!(many("$.a[?(@.p == true)]", &doc), json!([{"p": true}]));
        assert_eq!(many("$.a[?(@.p == 'true')]", &doc), json!([{"p": "true"}]));
        // A missing value equals nothing, so != keeps it.
        assert_eq!(
            many("$.a[?(@.p != 1)]", &doc),
            json!([{"p": true}, {"p": "true"}, {"q": 1}])
        );
        // String vs number ordering compares the number's text.
        let ord = json!([{"p": "05"}, {"p": "3"}]);
        assert_eq!(many("$[?(@.p < 10)]", &ord), json!([{"p": "05"}]));
    }

    #[test]
    fn filter_null_and_strings() {
        let doc = json!({"a": [{"p": null}, {"q": 1}, {"p": "b"}, {"p": "a"}, {"p": "c"}]});
        assert_eq!(many("$.a[?(@.p == null)]", &doc), json!([{"p": null}]));
        assert_eq!(many("$.a[?(@.p > 'b')]", &doc), json!([{"p": "c"}]));
        assert_eq!(many("$.a[?(@.p == \"a\")]", &doc), json!([{"p": "a"}]));
        assert_eq!(many("$.a[?(@.p != null)].p", &doc), json!(["b", "a", "c"]));
    }

    #[test]
    fn filter_existence() {
        let doc = json!({"a": [{"p": 5}, {"p": null}, {"q": 1}]});
        // Jayway checks the key, not the value: a null counts as present.
        assert_eq!(many("$.a[?(@.p)]", &doc), json!([{"p": 5}, {"p": null}]));
        assert_eq!(many("$.a[?(!@.p)]", &doc), json!([{"q": 1}]));
        assert_eq!(many("$.a[?( ! @.p )]", &doc), json!([{"q": 1}]));
        assert_eq!(
            many("$.a[?(@.q || @.p == 5)]", &doc),
            json!([{"p": 5}, {"q": 1}])
        );
    }

    #[test]
    fn filter_current_item_and_root() {
        assert_eq!(many("$[?(@ > 2)]", &json!([1, 2, 3, 4])), json!([3, 4]));
        assert_eq!(many("$[?(@ == 'x')]", &json!(["x", "y"])), json!(["x"]));
        let doc = json!({"max": 3, "a": [{"p": 1}, {"p": 5}]});
        assert_eq!(many("$.a[?(@.p < $.max)]", &doc), json!([{"p": 1}]));
        assert_eq!(many("$.a[?(@.p == $.nothing)]", &doc), json!([]));
    }

    #[test]
    fn filter_on_object_tests_the_object() {
        assert_eq!(many("$[?(@.x)]", &json!({"x": 1})), json!([{"x": 1}]));
        assert_eq!(
            many("$.a[?(@.x == 1)]", &json!({"a": {"x": 1}})),
            json!([{"x": 1}])
        );
        assert_eq!(many("$.a[?(@.x == 2)]", &json!({"a": {"x": 1}})), json!([]));
        assert_eq!(many("$.a[?(@.x)]", &json!({"a": 5})), json!([]));
    }

    #[test]
    fn filter_nested_paths_and_steps_after() {
        let doc = json!({"a": [{"b": {"c": 1}, "n": "x"}, {"b": 2, "n": "y"}]});
        assert_eq!(many("$.a[?(@.b.c == 1)].n", &doc), json!(["x"]));
        let doc = json!({"a": [{"p": 1, "q": "x"}, {"p": 2, "q": "y"}]});
        assert_eq!(many("$.a[?(@.p == 1)].q", &doc), json!(["x"]));
        let deep = json!({"a": [{"t": [{"k": 1}]}, {"t": [{"k": 2}]}]});
        assert_eq!(
            many("$.a[?(@.t[?(@.k == 2)])]", &deep),
            json!([{"t": [{"k": 2}]}])
        );
        assert_eq!(
            many("$.a[?(@.t[0].k == 1)]", &deep),
            json!([{"t": [{"k": 1}]}])
        );
        assert_eq!(many("$..[?(@.k)].k", &deep), json!([1, 2]));
    }

    #[test]
    fn filter_boolean_logic() {
        let doc = json!([
            {"a": 1, "b": 1, "c": 1},
            {"a": 1, "b": 0, "c": 0},
            {"a": 0, "b": 1, "c": 1},
            {"a": 0, "b": 0, "c": 1}
        ]);
        let ids = |path: &str| many(path, &doc);
        // && binds tighter than ||.
        assert_eq!(
            ids("$[?(@.a == 1 || @.b == 1 && @.c == 0)]"),
            json!([{"a": 1, "b": 1, "c": 1}, {"a": 1, "b": 0, "c": 0}])
        );
        assert_eq!(
            ids("$[?((@.a == 1 || @.b == 1) && @.c == 1)]"),
            json!([{"a": 1, "b": 1, "c": 1}, {"a": 0, "b": 1, "c": 1}])
        );
        assert_eq!(ids("$[?(!(@.c == 1))]"), json!([{"a": 1, "b": 0, "c": 0}]));
        assert_eq!(
            ids("$[?(@.a == 0 && @.b == 0 && @.c == 1)]"),
            json!([{"a": 0, "b": 0, "c": 1}])
        );
    }

    #[test]
    fn filter_regex() {
        let doc =
            json!({"a": [{"n": "ABc"}, {"n": "xab"}, {"n": 12}, {"n": 21}, {"n": true}, {"m": 1}]});
        assert_eq!(many("$.a[?(@.n =~ /ab.*/i)]", &doc), json!([{"n": "ABc"}]));
        // The whole string must match (Java's Matcher.matches).
        assert_eq!(many("$.a[?(@.n =~ /ab/)]", &doc), json!([]));
        // Numbers and booleans match by their text; a missing value is "".
        assert_eq!(many("$.a[?(@.n =~ /1.*/)]", &doc), json!([{"n": 12}]));
        assert_eq!(many("$.a[?(@.n =~ /tr.e/)]", &doc), json!([{"n": true}]));
        assert_eq!(
            many("$.a[?(@.n =~ /.*/)]", &doc).as_array().map(Vec::len),
            Some(6)
        );
        assert_eq!(
            many("$[?(@.p =~ /a\\/b/)]", &json!([{"p": "a/b"}])),
            json!([{"p": "a/b"}])
        );
        let tags = json!([{"t": ["x", "prod"]}, {"t": ["dev"]}]);
        assert_eq!(
            many("$[?(@.t =~ /pr.d/)]", &tags),
            json!([{"t": ["x", "prod"]}])
        );
        let multi = json!([{"s": "a\nb"}]);
        assert_eq!(many("$[?(@.s =~ /a.b/s)]", &multi), json!([{"s": "a\nb"}]));
        assert_eq!(many("$[?(@.s =~ /a.b/)]", &multi), json!([]));
        assert_eq!(
            many("$[?(@.s =~ /a # letter a\n\\n b/x)]", &multi),
            json!([{"s": "a\nb"}])
        );
    }

    #[test]
    fn filter_json_literals() {
        let doc = json!([{"t": [1, 2]}, {"t": [2, 1]}, {"o": {"k": "v", "j": 1}}]);
        assert_eq!(many("$[?(@.t == [1, 2])]", &doc), json!([{"t": [1, 2]}]));
        assert_eq!(
            many("$[?(@.o == {\"j\": 1, \"k\": \"v\"})]", &doc),
            json!([{"o": {"k": "v", "j": 1}}])
        );
    }

    #[test]
    fn filter_numbers() {
        let doc = json!([{"p": -1.5}, {"p": 0}, {"p": 1e3}, {"p": 12345678901234567890u64}]);
        assert_eq!(many("$[?(@.p < -1)]", &doc), json!([{"p": -1.5}]));
        assert_eq!(many("$[?(@.p == 1000)]", &doc), json!([{"p": 1e3}]));
        assert_eq!(many("$[?(@.p == 1E3)]", &doc), json!([{"p": 1e3}]));
        assert_eq!(many("$[?(@.p == 1e+3)]", &doc), json!([{"p": 1e3}]));
        assert_eq!(many("$[?(@.p == 0.0)]", &doc), json!([{"p": 0}]));
        assert_eq!(
            many("$[?(@.p > 12345678901234567889)]", &doc),
            json!([{"p": 12345678901234567890u64}])
        );
    }

    // ---- functions ----

    #[test]
    fn functions() {
        let doc = json!({"n": [1, 2, 3, 4], "o": {"a": 1, "b": 2}, "s": "abc", "e": []});
        assert_eq!(one("$.n.length()", &doc), json!(4));
        assert_eq!(one("$.n.size()", &doc), json!(4));
        assert_eq!(one("$.o.length()", &doc), json!(2));
        assert_eq!(one("$.s.length()", &doc), Value::Null);
        assert_eq!(one("$.n.sum()", &doc), json!(10.0));
        assert_eq!(one("$.n.avg()", &doc), json!(2.5));
        assert_eq!(one("$.n.min()", &doc), json!(1.0));
        assert_eq!(one("$.n.max()", &doc), json!(4.0));
        assert_eq!(one("$.n.stddev()", &doc), json!(1.118033988749895));
        assert_eq!(one("$.o.keys()", &doc), json!(["a", "b"]));
        assert_eq!(one("$.n.first()", &doc), json!(1));
        assert_eq!(one("$.n.last()", &doc), json!(4));
        assert_eq!(one("$.length()", &doc), json!(4));
        missing("$.e.sum()", &doc);
        missing("$.e.first()", &doc);
        missing("$.nothing.length()", &doc);
        assert!(compile("$..x.sum()").is_ok_and(|p| p.is_definite()));
        let store = store();
        assert_eq!(one("$..price.max()", &store), json!(22.99));
        assert_eq!(one("$.store.book[*].price.min()", &store), json!(8.95));
        assert_eq!(one("length()", &json!([1])), json!(1));
    }

    #[test]
    fn functions_in_filters() {
        let doc = json!([{"t": [1, 2, 3]}, {"t": [1]}]);
        assert_eq!(
            many("$[?(@.t.length() > 2)]", &doc),
            json!([{"t": [1, 2, 3]}])
        );
        assert_eq!(many("$[?(@.t.length() == 1)]", &doc), json!([{"t": [1]}]));
    }

    // ---- definiteness ----

    #[test]
    fn definiteness() {
        for path in [
            "$",
            "$.a",
            "$['a']",
            "$.a[0]",
            "$[-1]",
            "$['a','b']",
            "a.b",
            "$.a.length()",
        ] {
            assert!(compile(path).is_ok_and(|p| p.is_definite()), "{path}");
        }
        for path in [
            "$.*",
            "$[*]",
            "$..a",
            "$[0,1]",
            "$[1:]",
            "$[?(@.a)]",
            "$['a','b'].c",
            "$.a[*].b",
        ] {
            assert!(compile(path).is_ok_and(|p| !p.is_definite()), "{path}");
        }
        assert_eq!(sel("$.*", &json!({})), Selection::Many(vec![]));
    }

    #[test]
    fn as_str_returns_the_source() {
        assert_eq!(
            compile(" $.a ").map(|p| p.as_str().to_owned()),
            Ok(" $.a ".to_owned())
        );
    }

    // ---- errors ----

    #[test]
    fn error_offsets_and_messages() {
        assert_eq!(err("$['a'").to_string(), "expected ']' at 5");
        assert_eq!(err("$.a[0").to_string(), "expected ']' at 5");
        assert_eq!(err("$[*").to_string(), "expected ']' at 3");
        let e = err("$['a'x]");
        assert_eq!((e.offset, e.message.as_str()), (5, "expected ',' or ']'"));
        assert_eq!(err("").offset, 0);
        assert_eq!(err("   ").message, "empty path");
        assert_eq!(err("$.").offset, 1);
        assert_eq!(err("$..").offset, 2);
        assert_eq!(err("$.a.").offset, 3);
        assert_eq!(err("$...a").offset, 3);
        assert_eq!(err("$a").offset, 1);
        assert_eq!(err("$.a b").offset, 3);
        // Offsets count characters of the original text, not bytes, and
        // ignore the implicit `$.` and trimmed blanks.
        assert_eq!(err("$.é[x]").offset, 4);
        assert_eq!(err("a[x]").offset, 2);
        assert_eq!(err("  $[x]").offset, 4);
    }

    #[test]
    fn malformed_paths_are_rejected() {
        for path in [
            "$[",
            "$[]",
            "$['a',]",
            "$['a' 'b']",
            "$[0:]x[",
            "$[1-2]",
            "$[a]",
            "$[1.5]",
            "$[::]",
            "$[:]",
            "$[0,]",
            "$[99999999999]",
            "$[?]",
            "$[?(@.a)",
            "$[?(@.a]",
            "$[?(@.a ==)]",
            "$[?(@.a = 1)]",
            "$[?(@.a === 1)]",
            "$[?(@.a in [1])]",
            "$[?(@.a foo 1)]",
            "$[?(1)]",
            "$[?(@.a == 'x)]",
            "$[?(@.a =~ /x)]",
            "$[?(@.a =~ /x/q)]",
            "$[?(@.a =~ /(/)]",
            "$[?(@.a == tru)]",
            "$[?(@.a == 1.2.3)]",
            "$[?(@.a == {x})]",
            "$[?(!1)]",
            "$.a()",
            "$.a.foo()",
            "$.length(1)",
            "$.length().a",
            "$['\\u12']",
            "$[?(@.a. == 1)]",
            "$[?(@a)]",
            "$..length()",
        ] {
            err(path);
        }
        assert_eq!(
            err("$[?(@.a in [1])]").message,
            "filter operator 'in' is not supported"
        );
        assert_eq!(err("$.foo()").message, "unknown function 'foo()'");
    }

    #[test]
    fn path_text_quirks_accepted_like_jayway() {
        let doc = json!({"a": {"b": 1}, "q": {"abc": 2}, "a]": 3});
        // Jayway reads a name right after a bracket or wildcard without a dot.
        assert_eq!(one("$['a']b", &doc), json!(1));
        assert_eq!(many("$.*abc", &doc), json!([2]));
        // Dot names run until '.', '[' or '('.
        assert_eq!(one("$.a]", &doc), json!(3));
    }

    #[test]
    fn java_string_order_is_utf16() {
        // U+FF5E sorts after U+1F600 in UTF-16 but before it by code point.
        assert_eq!(java_string_cmp("\u{ff5e}", "\u{1f600}"), Ordering::Greater);
    }
}
