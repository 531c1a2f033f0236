//! A parsed YAML or JSON document where every value and every mapping key remembers its line,
//! so warnings and errors can name `file:line`. YAML tags (CloudFormation's short forms such
//! as `!Ref` and `!Sub`) are kept.

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use serde_json::Value as Json;

/// One value and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// 1-based line of the value in the source file.
    pub line: usize,
    /// 0-based column (in characters) where the value starts on its line (for a tagged
    /// value, where its tag starts; 0 when unknown).
    pub col: usize,
    /// The value.
    pub kind: Kind,
}

/// The shape of a value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in document order: key, key line, value.
    Map(Vec<Entry>),
    /// A value with a local tag such as `!Ref` (the tag without its `!`).
    Tagged(String, Box<Node>),
}

/// A mapping entry.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// The key as text (scalar keys such as `200` become `"200"`).
    pub key: String,
    /// 1-based line of the key.
    pub line: usize,
    /// The value.
    pub value: Node,
}

/// A syntax error: where, and what.
#[derive(Debug)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Node {
    /// The value of `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The entry `key` in a mapping (with the key's line).
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|e| e.key == key),
            _ => None,
        }
    }

    /// The entries of a mapping (empty for anything else).
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            Kind::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The entries of a mapping as JSON values by key (empty for anything else): models and
    /// schemas.
    pub fn json_entries(&self) -> indexmap::IndexMap<String, Json> {
        self.entries()
            .iter()
            .map(|e| (e.key.clone(), e.value.to_json()))
            .collect()
    }

    /// The items of a sequence (empty for anything else).
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            Kind::Seq(items) => items,
            _ => &[],
        }
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A scalar as text: strings as they are, numbers and booleans printed (YAML often
    /// leaves `200` or `true` unquoted where API Gateway expects a string).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            Kind::Str(s) => Some(s.clone()),
            Kind::Int(i) => Some(i.to_string()),
            Kind::Float(f) => Some(f.to_string()),
            Kind::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean (also the strings `"true"`/`"false"`, which CloudFormation accepts).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::Str(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Kind::Str(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    /// A non-negative integer (also written as a string).
    pub fn as_u64(&self) -> Option<u64> {
        match &self.kind {
            Kind::Int(i) => u64::try_from(*i).ok(),
            Kind::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Move every line number down by `by` (a document read from a string inside a file).
    pub fn shift_lines(&mut self, by: usize) {
        self.line += by;
        match &mut self.kind {
            Kind::Seq(items) => items.iter_mut().for_each(|i| i.shift_lines(by)),
            Kind::Map(entries) => entries.iter_mut().for_each(|e| {
                e.line += by;
                e.value.shift_lines(by);
            }),
            Kind::Tagged(_, inner) => inner.shift_lines(by),
            _ => {}
        }
    }

    /// Whether this is a mapping.
    pub fn is_map(&self) -> bool {
        matches!(self.kind, Kind::Map(_))
    }

    /// The value as JSON. Tagged values become CloudFormation's long form
    /// (`!Ref X` -> `{"Ref": "X"}`, `!Sub s` -> `{"Fn::Sub": s}`).
    pub fn to_json(&self) -> Json {
        match &self.kind {
            Kind::Null => Json::Null,
            Kind::Bool(b) => Json::Bool(*b),
            Kind::Int(i) => Json::from(*i),
            Kind::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
            Kind::Str(s) => Json::String(s.clone()),
            Kind::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Kind::Map(entries) => Json::Object(
                entries
                    .iter()
                    .map(|e| (e.key.clone(), e.value.to_json()))
                    .collect(),
            ),
            Kind::Tagged(tag, inner) => {
                let key = if tag == "Ref" || tag == "Condition" {
                    tag.clone()
                } else {
                    format!("Fn::{tag}")
                };
                let mut m = serde_json::Map::new();
                m.insert(key, inner.to_json());
                Json::Object(m)
            }
        }
    }
}

/// Parse a YAML document (the first one in the stream), as CloudFormation (PyYAML) reads
/// it: where the YAML 1.2 parser refuses a flow collection whose continuation lines are not
/// indented past the key that opens it (`Properties: {` with its entries on the lines below,
/// at `Properties`'s own indentation), which PyYAML and so CloudFormation accept, those lines
/// are indented and the text parsed again (lines stay where they were).
pub(crate) fn parse_yaml(text: &str) -> Result<Node, SyntaxError> {
    match parse_yaml_strict(text) {
        Ok(n) => Ok(n),
        Err(e) => match reindent_flow(text) {
            Some(fixed) => parse_yaml_strict(&fixed).map_err(|_| e),
            None => Err(e),
        },
    }
}

/// Indent the continuation lines of flow collections (`{...}`, `[...]` spanning lines) one
/// column past the line that opens them, when they are not already. `None` when nothing
/// needed it. Block scalars (`|`, `>`) and quoted scalars are skipped: their braces are
/// text.
pub(crate) fn reindent_flow(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut depth = 0usize;
    // Indentation of the line that opened the outermost open flow collection.
    let mut opener_indent = 0usize;
    // In a quoted scalar spanning lines: its quote character.
    let mut quote: Option<char> = None;
    // In a block scalar: the indentation of the line that introduced it.
    let mut block: Option<usize> = None;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        if let Some(b) = block {
            if content.is_empty() || indent > b {
                out.push_str(line);
                continue;
            }
            block = None;
        }
        if depth > 0 && quote.is_none() && indent <= opener_indent && !content.is_empty() {
            out.push_str(&" ".repeat(opener_indent + 1 - indent));
            changed = true;
        }
        out.push_str(line);
        let was_flat = depth == 0 && quote.is_none();
        let mut prev = ' ';
        // Where a value may start at depth 0: line start, after `: ` or `- `.
        let mut value_start = true;
        for c in line.chars() {
            if let Some(q) = quote {
                if c == q {
                    quote = None;
                }
                prev = c;
                continue;
            }
            match c {
                '#' if prev == ' ' || prev == '\t' => break,
                '\'' | '"' if depth > 0 || value_start => quote = Some(c),
                '{' | '[' if depth > 0 || value_start => {
                    if depth == 0 {
                        opener_indent = indent;
                    }
                    depth += 1;
                }
                '}' | ']' if depth > 0 => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                value_start = match c {
                    ' ' | '\t' => value_start || prev == ':' || prev == '-',
                    _ => false,
                };
            }
            prev = c;
        }
        // `key: |` / `- >-` at depth 0: a block scalar follows.
        if was_flat && depth == 0 && quote.is_none() {
            let t = content.split(" #").next().unwrap_or("").trim_end();
            let last = t.rsplit([' ', ':']).next().unwrap_or("");
            if (t.ends_with(|c: char| "|>-+0123456789".contains(c)))
                && (last.starts_with('|') || last.starts_with('>'))
                && (t.len() == last.len() || t[..t.len() - last.len()].ends_with([' ', ':']))
            {
                block = Some(indent);
            }
        }
    }
    changed.then_some(out)
}

fn parse_yaml_strict(text: &str) -> Result<Node, SyntaxError> {
    let docs = MarkedYaml::load_from_str(text).map_err(|e| SyntaxError {
        line: e.marker().line().max(1),
        column: e.marker().col() + 1,
        message: e.info().to_string(),
    })?;
    let Some(doc) = docs.first() else {
        return Err(SyntaxError {
            line: 1,
            column: 1,
            message: "the file is empty".into(),
        });
    };
    Ok(convert(doc, (1, 0)))
}

/// Parse a JSON document. serde_json checks the syntax (its messages are the clearest for
/// JSON); the positions come from the YAML parser, since JSON is YAML 1.2.
pub(crate) fn parse_json(text: &str) -> Result<Node, SyntaxError> {
    let value: Json = serde_json::from_str(text).map_err(|e| SyntaxError {
        line: e.line().max(1),
        column: e.column().max(1),
        message: strip_position(&e.to_string()),
    })?;
    match parse_yaml(text) {
        Ok(node) => Ok(node),
        // Valid JSON the YAML parser refuses (rare: e.g. duplicate keys). Without positions,
        // everything is reported on line 1.
        Err(_) => Ok(from_json(&value, 1)),
    }
}

fn strip_position(message: &str) -> String {
    message
        .find(" at line ")
        .map_or(message, |i| &message[..i])
        .to_string()
}

fn from_json(v: &Json, line: usize) -> Node {
    let col = 0;
    let kind = match v {
        Json::Null => Kind::Null,
        Json::Bool(b) => Kind::Bool(*b),
        Json::Number(n) => n
            .as_i64()
            .map_or_else(|| Kind::Float(n.as_f64().unwrap_or(0.0)), Kind::Int),
        Json::String(s) => Kind::Str(s.clone()),
        Json::Array(a) => Kind::Seq(a.iter().map(|x| from_json(x, line)).collect()),
        Json::Object(m) => Kind::Map(
            m.iter()
                .map(|(k, x)| Entry {
                    key: k.clone(),
                    line,
                    value: from_json(x, line),
                })
                .collect(),
        ),
    };
    Node { line, col, kind }
}

fn scalar_kind(s: &Scalar<'_>) -> Kind {
    match s {
        Scalar::Null => Kind::Null,
        Scalar::Boolean(b) => Kind::Bool(*b),
        Scalar::Integer(i) => Kind::Int(*i),
        Scalar::FloatingPoint(f) => Kind::Float(f.into_inner()),
        Scalar::String(s) => Kind::Str(s.to_string()),
    }
}

/// `fallback` is the line and column of the enclosing node: saphyr gives the inside of a
/// tagged node no position (line 0).
fn convert(n: &MarkedYaml<'_>, fallback: (usize, usize)) -> Node {
    let (line, col) = match n.span.start.line() {
        0 => fallback,
        l => (l, n.span.start.col()),
    };
    let kind = match &n.data {
        YamlData::Value(s) => scalar_kind(s),
        YamlData::Representation(text, _, _) => Kind::Str(text.to_string()),
        YamlData::Sequence(items) => {
            Kind::Seq(items.iter().map(|i| convert(i, (line, col))).collect())
        }
        YamlData::Mapping(m) => Kind::Map(
            m.iter()
                .map(|(k, v)| {
                    let key = convert(k, (line, col));
                    Entry {
                        key: key_text(&key),
                        line: key.line,
                        value: convert(v, (key.line, key.col)),
                    }
                })
                .collect(),
        ),
        YamlData::Tagged(tag, inner) => {
            let inner = convert(inner, (line, col));
            if tag.handle == "!" {
                Kind::Tagged(tag.suffix.clone(), Box::new(inner))
            } else {
                // Other tags (`!!binary`, global tags) carry no meaning here.
                inner.kind
            }
        }
        YamlData::Alias(_) | YamlData::BadValue => Kind::Null,
    };
    Node { line, col, kind }
}

fn key_text(key: &Node) -> String {
    match &key.kind {
        Kind::Null => String::new(),
        Kind::Tagged(tag, inner) => format!("!{tag} {}", key_text(inner)),
        Kind::Seq(_) | Kind::Map(_) => key.to_json().to_string(),
        _ => key.scalar_text().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_lines_tags_and_keys() {
        let text = "a: 1\nresponses:\n  200:\n    x: !Ref Foo\n  'default': !Sub \"${A.Arn}\"\nl: [1, 2]\n";
        let n = parse_yaml(text).unwrap();
        assert_eq!(n.get("a").unwrap().kind, Kind::Int(1));
        let r = n.get("responses").unwrap();
        let e = r.entry("200").unwrap();
        assert_eq!(e.line, 3);
        let x = e.value.get("x").unwrap();
        assert_eq!(x.line, 4);
        let Kind::Tagged(tag, inner) = &x.kind else {
            panic!("{x:?}")
        };
        assert_eq!((tag.as_str(), inner.line), ("Ref", 4));
        assert_eq!(inner.kind, Kind::Str("Foo".into()));
        assert_eq!(x.col, 7, "where the tag starts");
        assert_eq!(r.entry("default").unwrap().line, 5);
        assert_eq!(
            r.get("default").unwrap().to_json(),
            serde_json::json!({"Fn::Sub": "${A.Arn}"})
        );
        assert_eq!(n.get("l").unwrap().items().len(), 2);
    }

    #[test]
    fn json_keeps_lines_and_reports_errors() {
        let n = parse_json("{\n  \"a\": {\n    \"b\": \"c\\/d\"\n  }\n}\n").unwrap();
        let a = n.entry("a").unwrap();
        assert_eq!(a.line, 2);
        assert_eq!(a.value.entry("b").unwrap().line, 3);
        assert_eq!(a.value.get("b").unwrap().as_str(), Some("c/d"));
        let e = parse_json("{\n  \"a\": 1,\n  \"b\" 2\n}").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("expected `:`"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        // Both parsers refuse hostile nesting instead of exhausting the stack (so the
        // recursive conversion here stays shallow).
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let e = parse_yaml(&deep).unwrap_err();
        assert!(e.message.contains("recursion limit"), "{}", e.message);
        let e = parse_json(&deep).unwrap_err();
        assert!(e.message.contains("recursion limit"), "{}", e.message);
    }

    #[test]
    fn flow_collections_continued_at_the_key_indentation() {
        // PyYAML (so CloudFormation) reads these; the YAML 1.2 parser alone refuses them.
        let text = "R:\n  A:\n    Properties: {\n    Name: flow,\n    Tags: [\n    x, y\n    ]\n    }\n    T: |\n      {not: [flow\n  B: 1\n";
        assert!(parse_yaml_strict(text).is_err());
        let n = parse_yaml(text).unwrap();
        let a = n.get("R").unwrap().get("A").unwrap();
        let p = a.get("Properties").unwrap();
        assert_eq!(p.get("Name").unwrap().as_str(), Some("flow"));
        assert_eq!(p.entry("Name").unwrap().line, 4);
        assert_eq!(p.get("Tags").unwrap().items().len(), 2);
        assert_eq!(a.get("T").unwrap().as_str(), Some("{not: [flow\n"));
        assert_eq!(n.get("R").unwrap().get("B").unwrap().kind, Kind::Int(1));
        // Quoted text and comments hold no brackets.
        assert_eq!(reindent_flow("a: '{'\nb: x # {\nc: 1\n"), None);
    }

    #[test]
    fn yaml_errors_have_lines() {
        let e = parse_yaml("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(e.line >= 2, "{e:?}");
        let e = parse_yaml("").unwrap_err();
        assert_eq!(e.message, "the file is empty");
    }
}
