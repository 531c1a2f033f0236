//! JSON Schema models: inline `$ref`s (the validator reads one self-contained schema, as API
//! Gateway's own models are resolved before validation), and make an example value that
//! satisfies a schema, for the saved requests.

use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};

/// Where `$ref`s point: the whole document (for `#/...` pointers) and named models (for
/// API Gateway model URLs `https://apigateway.amazonaws.com/restapis/ID/models/NAME`, and
/// the last segment of a pointer when the document is not available).
pub(crate) struct Models<'a> {
    pub root: Option<&'a Json>,
    pub named: &'a IndexMap<String, Json>,
}

/// Deeper than this, a schema is left as `{}` (accepts anything).
const MAX_DEPTH: usize = 32;

impl Models<'_> {
    /// A copy of `schema` with every resolvable `$ref` replaced by its target. What cannot
    /// be resolved (external files, recursion) becomes `{}` and is described in `problems`.
    pub fn inline(&self, schema: &Json, problems: &mut Vec<String>) -> Json {
        let mut stack = Vec::new();
        self.walk(schema, &mut stack, problems)
    }

    fn walk(&self, v: &Json, stack: &mut Vec<String>, problems: &mut Vec<String>) -> Json {
        match v {
            Json::Object(m) => {
                if let Some(r) = m.get("$ref") {
                    let Some(r) = ref_text(r) else {
                        problems.push("a $ref that is not text".into());
                        return json!({});
                    };
                    if stack.contains(&r) || stack.len() >= MAX_DEPTH {
                        problems.push(format!(
                            "recursive $ref {r} is not inlined (that part accepts anything)"
                        ));
                        return json!({});
                    }
                    let Some(target) = self.lookup(&r) else {
                        problems.push(format!(
                            "$ref {r} cannot be resolved (only references inside the file are); that part accepts anything"
                        ));
                        return json!({});
                    };
                    stack.push(r);
                    let out = self.walk(target, stack, problems);
                    stack.pop();
                    return out;
                }
                Json::Object(
                    m.iter()
                        .map(|(k, x)| (k.clone(), self.walk(x, stack, problems)))
                        .collect(),
                )
            }
            Json::Array(a) => {
                Json::Array(a.iter().map(|x| self.walk(x, stack, problems)).collect())
            }
            other => other.clone(),
        }
    }

    fn lookup(&self, r: &str) -> Option<&Json> {
        if let Some(pointer) = r.strip_prefix('#')
            && let Some(found) = self
                .root
                .and_then(|root| root.pointer(&decode_pointer(pointer)))
        {
            return Some(found);
        }
        if let Some((_, name)) = r.rsplit_once("/models/") {
            let name = name.trim_start_matches("${").trim_end_matches('}');
            return self.named.get(name);
        }
        if r.starts_with('#') {
            let name = r.rsplit('/').next()?;
            return self.named.get(name);
        }
        None
    }
}

/// A `$ref` value as text (also `{"Fn::Sub": "..."}` in CloudFormation models).
fn ref_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Object(m) => match m.get("Fn::Sub") {
            Some(Json::String(s)) => Some(s.clone()),
            Some(Json::Array(a)) => a.first().and_then(Json::as_str).map(str::to_string),
            _ => None,
        },
        _ => None,
    }
}

/// JSON pointer fragments in `$ref`s may be percent-encoded (`#/paths/~1pets`).
fn decode_pointer(p: &str) -> String {
    percent_encoding::percent_decode_str(p)
        .decode_utf8_lossy()
        .into_owned()
}

/// An example value for `schema`: its `example`/`default`/first `enum` value where given,
/// otherwise a value of the right type that respects the common bounds.
pub(crate) fn example(schema: &Json) -> Json {
    example_at(schema, 0)
}

fn example_at(schema: &Json, depth: usize) -> Json {
    let Json::Object(s) = schema else {
        return json!({});
    };
    for key in ["example", "default"] {
        if let Some(v) = s.get(key) {
            return v.clone();
        }
    }
    if let Some(Json::Array(e)) = s.get("enum")
        && let Some(first) = e.first()
    {
        return first.clone();
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Json::Array(list)) = s.get(key) {
            if key == "allOf" {
                let mut merged = Map::new();
                for sub in list {
                    if let Json::Object(m) = example_at(sub, depth + 1) {
                        merged.extend(m);
                    }
                }
                return Json::Object(merged);
            }
            if let Some(first) = list.first() {
                return example_at(first, depth + 1);
            }
        }
    }
    let ty = match s.get("type") {
        Some(Json::String(t)) => t.as_str(),
        Some(Json::Array(ts)) => ts
            .iter()
            .filter_map(Json::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if s.contains_key("properties") => "object",
        _ if s.contains_key("items") => "array",
        _ => "object",
    };
    if depth > 8 {
        return Json::Null;
    }
    match ty {
        "string" => {
            let min = s.get("minLength").and_then(Json::as_u64).unwrap_or(0);
            let max = s
                .get("maxLength")
                .and_then(Json::as_u64)
                .unwrap_or(u64::MAX);
            let mut text = String::from("string");
            while (text.len() as u64) < min {
                text.push('x');
            }
            text.truncate(usize::try_from(max).unwrap_or(usize::MAX));
            Json::String(text)
        }
        "integer" | "number" => {
            let lo = s.get("minimum").and_then(Json::as_f64);
            let hi = s.get("maximum").and_then(Json::as_f64);
            let v = match (lo, hi) {
                (Some(lo), _) => lo.ceil() + 1.0,
                (None, Some(hi)) => (hi - 1.0).min(1.0),
                (None, None) => 1.0,
            };
            let v = hi.map_or(v, |h| v.min(h.floor()));
            // Small whole numbers are exact in f64.
            #[allow(clippy::cast_possible_truncation)]
            Json::from(v as i64)
        }
        "boolean" => Json::Bool(true),
        "null" => Json::Null,
        "array" => {
            let min = s.get("minItems").and_then(Json::as_u64).unwrap_or(1).max(1);
            let item = s
                .get("items")
                .map_or_else(|| json!("string"), |i| example_at(i, depth + 1));
            let n = usize::try_from(min.min(3)).unwrap_or(1);
            Json::Array(vec![item; n])
        }
        _ => {
            let mut out = Map::new();
            if let Some(Json::Object(props)) = s.get("properties") {
                for (name, p) in props {
                    out.insert(name.clone(), example_at(p, depth + 1));
                }
            }
            if let Some(Json::Array(req)) = s.get("required") {
                for name in req.iter().filter_map(Json::as_str) {
                    out.entry(name.to_string())
                        .or_insert_with(|| Json::String("string".into()));
                }
            }
            Json::Object(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inlines_local_refs_and_model_urls() {
        let root = json!({"definitions": {
            "Pet": {"type": "object", "properties": {"tag": {"$ref": "#/definitions/Tag"}}},
            "Tag": {"type": "string"},
            "Loop": {"type": "object", "properties": {"next": {"$ref": "#/definitions/Loop"}}}
        }});
        let named: IndexMap<String, Json> = root["definitions"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let m = Models {
            root: Some(&root),
            named: &named,
        };
        let mut p = Vec::new();
        assert_eq!(
            m.inline(&json!({"$ref": "#/definitions/Pet"}), &mut p),
            json!({"type": "object", "properties": {"tag": {"type": "string"}}})
        );
        assert_eq!(
            m.inline(
                &json!({"$ref": "https://apigateway.amazonaws.com/restapis/x/models/Tag"}),
                &mut p
            ),
            json!({"type": "string"})
        );
        assert!(p.is_empty());
        let looped = m.inline(&json!({"$ref": "#/definitions/Loop"}), &mut p);
        assert_eq!(looped["properties"]["next"], json!({}));
        assert!(p[0].contains("recursive"), "{p:?}");
        m.inline(&json!({"$ref": "other.yaml#/X"}), &mut p);
        assert!(p[1].contains("cannot be resolved"), "{p:?}");
    }

    #[test]
    fn examples_satisfy_the_schema() {
        let schema = json!({
            "type": "object",
            "required": ["name", "age"],
            "properties": {
                "name": {"type": "string", "minLength": 8},
                "age": {"type": "integer", "minimum": 18, "maximum": 20},
                "kind": {"type": "string", "enum": ["cat", "dog"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "ok": {"type": "boolean"}
            }
        });
        let ex = example(&schema);
        assert_eq!(
            ex,
            json!({"name": "stringxx", "age": 19, "kind": "cat", "tags": ["string"], "ok": true})
        );
        assert!(crate::gateway::validate::validate(&schema, &ex).is_ok());
    }
}
