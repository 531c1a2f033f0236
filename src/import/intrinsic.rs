//! Text values that may be CloudFormation intrinsic functions. gatebench does not deploy
//! anything, so an intrinsic is kept as written, in `Fn::Sub` syntax (`!Ref Host` ->
//! `${Host}`, `!GetAtt Fn.Arn` -> `${Fn.Arn}`), and a warning lists it so the user can give
//! it a value in the session.

use super::error::Cx;
use super::node::{Kind, Node};

/// The name of the intrinsic function `node` calls, if it is one (`Ref`, `Fn::Sub`, ...),
/// and its argument.
pub(crate) fn intrinsic(node: &Node) -> Option<(String, &Node)> {
    match &node.kind {
        Kind::Tagged(tag, inner) => Some((long_name(tag), inner)),
        Kind::Map(entries) if entries.len() == 1 => {
            let e = &entries[0];
            (e.key == "Ref" || e.key == "Condition" || e.key.starts_with("Fn::"))
                .then(|| (e.key.clone(), &e.value))
        }
        _ => None,
    }
}

fn long_name(tag: &str) -> String {
    if tag == "Ref" || tag == "Condition" {
        tag.to_string()
    } else {
        format!("Fn::{tag}")
    }
}

/// Render an intrinsic (or plain scalar) as text. `Err` names the function that cannot be
/// written as text.
#[cfg(test)]
pub(crate) fn render(node: &Node) -> Result<String, String> {
    render_names(node, &mut Vec::new())
}

/// [`render`], noting in `names` each CloudFormation name the text refers to as `${Name}`
/// (`Ref`, `Fn::GetAtt`, and the placeholders of `Fn::Sub` strings not given by its variable
/// map). `${!Literal}`, CloudFormation's escape, becomes the literal `${Literal}` (in a
/// mapping template, a Velocity reference) and is not a name.
pub(crate) fn render_names(node: &Node, names: &mut Vec<String>) -> Result<String, String> {
    if let Some(text) = node.scalar_text() {
        return Ok(text);
    }
    let Some((name, arg)) = intrinsic(node) else {
        return Err("a mapping or list where text is expected".into());
    };
    match name.as_str() {
        "Ref" => arg
            .scalar_text()
            .map(|r| {
                names.push(r.clone());
                format!("${{{r}}}")
            })
            .ok_or_else(|| "Ref with a non-text argument".into()),
        "Fn::GetAtt" => {
            if let Some(s) = arg.as_str() {
                names.push(s.to_string());
                return Ok(format!("${{{s}}}"));
            }
            let parts: Vec<String> = arg
                .items()
                .iter()
                .map(|p| render_names(p, names))
                .collect::<Result<_, _>>()?;
            if parts.is_empty() {
                return Err("Fn::GetAtt without arguments".into());
            }
            names.push(parts.join("."));
            Ok(format!("${{{}}}", parts.join(".")))
        }
        "Fn::Sub" => {
            if let Some(s) = arg.as_str() {
                return Ok(sub(s, &indexmap::IndexMap::new(), names));
            }
            let items = arg.items();
            let Some(template) = items.first().and_then(Node::as_str) else {
                return Err("Fn::Sub without a template string".into());
            };
            let mut vars = indexmap::IndexMap::new();
            if let Some(map) = items.get(1) {
                for e in map.entries() {
                    vars.insert(e.key.clone(), render_names(&e.value, names)?);
                }
            }
            Ok(sub(template, &vars, names))
        }
        "Fn::Join" => {
            let items = arg.items();
            let (Some(sep), Some(parts)) = (items.first(), items.get(1)) else {
                return Err("Fn::Join without [separator, [parts]]".into());
            };
            let sep = sep.scalar_text().unwrap_or_default();
            let parts: Vec<String> = parts
                .items()
                .iter()
                .map(|p| render_names(p, names))
                .collect::<Result<_, _>>()?;
            Ok(parts.join(&sep))
        }
        other => Err(other.to_string()),
    }
}

/// An `Fn::Sub` string with its variable map applied: `${Var}` from `vars`, `${!X}` as the
/// literal `${X}`, any other `${Name}` kept and noted in `names`.
pub(crate) fn sub(
    template: &str,
    vars: &indexmap::IndexMap<String, String>,
    names: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('}') else {
            rest = &rest[i..];
            break;
        };
        let name = &rest[i + 2..i + end];
        if let Some(literal) = name.strip_prefix('!') {
            out.push_str("${");
            out.push_str(literal);
            out.push('}');
        } else if let Some(v) = vars.get(name) {
            out.push_str(v);
        } else {
            names.push(name.to_string());
            out.push_str(&rest[i..=i + end]);
        }
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The text of a field that may use an intrinsic. A plain scalar is returned as is; an
/// intrinsic is rendered and reported as kept as written; anything else is reported and
/// left out (`None`).
pub(crate) fn text(node: &Node, cx: &mut Cx, what: &str) -> Option<String> {
    if let Some(text) = node.scalar_text() {
        return Some(text);
    }
    if matches!(node.kind, Kind::Null) {
        return None;
    }
    let mut names = Vec::new();
    match render_names(node, &mut names) {
        Ok(t) => {
            for name in names {
                if !name.starts_with("stageVariables.") {
                    cx.placeholders.entry(name).or_insert(node.line);
                }
            }
            cx.warn(
                node.line,
                format!(
                    "{what} uses a CloudFormation intrinsic function, kept as written: {t} \
                     (runs take each ${{Name}} from the session's [values])"
                ),
            );
            Some(t)
        }
        Err(why) if intrinsic(node).is_some() => {
            cx.warn(
                node.line,
                format!(
                    "{what}: {why} is not supported (CloudFormation is not evaluated); left out"
                ),
            );
            None
        }
        Err(why) => {
            cx.warn(node.line, format!("{what}: {why}; left out"));
            None
        }
    }
}

/// The logical id a `!Ref X` / `{"Ref": "X"}` names.
pub(crate) fn ref_target(node: &Node) -> Option<String> {
    match intrinsic(node) {
        Some((name, arg)) if name == "Ref" => arg.scalar_text(),
        _ => None,
    }
}

/// The `(logical id, attribute)` a `!GetAtt X.Attr` / `{"Fn::GetAtt": [X, Attr]}` names.
pub(crate) fn getatt_target(node: &Node) -> Option<(String, String)> {
    match intrinsic(node) {
        Some((name, arg)) if name == "Fn::GetAtt" => {
            if let Some(s) = arg.as_str() {
                let (a, b) = s.split_once('.')?;
                return Some((a.to_string(), b.to_string()));
            }
            let items = arg.items();
            Some((items.first()?.scalar_text()?, items.get(1)?.scalar_text()?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::node::parse_yaml;
    use super::*;

    fn r(yaml: &str) -> Result<String, String> {
        render(parse_yaml(yaml).unwrap().get("v").unwrap())
    }

    #[test]
    fn short_and_long_forms() {
        assert_eq!(r("v: !Ref Host").unwrap(), "${Host}");
        assert_eq!(r("v: {Ref: Host}").unwrap(), "${Host}");
        assert_eq!(r("v: !GetAtt Fn.Arn").unwrap(), "${Fn.Arn}");
        assert_eq!(r("v: {'Fn::GetAtt': [Fn, Arn]}").unwrap(), "${Fn.Arn}");
        assert_eq!(
            r("v: !Sub 'arn:${AWS::Region}:${Fn.Arn}'").unwrap(),
            "arn:${AWS::Region}:${Fn.Arn}"
        );
        assert_eq!(
            r("v: !Sub ['https://${H}/x', {H: !Ref Host}]").unwrap(),
            "https://${Host}/x"
        );
        assert_eq!(
            r("v: !Join ['', ['https://', !Ref Host, '/x']]").unwrap(),
            "https://${Host}/x"
        );
        assert_eq!(r("v: !If [C, a, b]").unwrap_err(), "Fn::If");
        assert_eq!(r("v: 12").unwrap(), "12");
    }

    #[test]
    fn targets() {
        let n = parse_yaml("a: !Ref X\nb: !GetAtt Api.RootResourceId\n").unwrap();
        assert_eq!(ref_target(n.get("a").unwrap()).as_deref(), Some("X"));
        assert_eq!(
            getatt_target(n.get("b").unwrap()),
            Some(("Api".into(), "RootResourceId".into()))
        );
    }
}
