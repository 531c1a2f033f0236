//! The method request validator: required parameters, and the body against a JSON Schema
//! (draft 4) model. Failures answer 400 before any integration runs.

use serde_json::Value;

use super::api::Method;
use super::request::MethodRequest;

/// The required parameters that are missing, in API Gateway's order: headers, then path,
/// then query string (as recorded: `[x-header-param, issuer, qs1]`).
pub fn missing_parameters(method: &Method, req: &MethodRequest) -> Vec<String> {
    let mut missing = Vec::new();
    for kind in ["header", "path", "querystring"] {
        for (name, required) in &method.request_parameters {
            if !required {
                continue;
            }
            let Some(rest) = name.strip_prefix("method.request.") else {
                continue;
            };
            let Some((k, n)) = rest.split_once('.') else {
                continue;
            };
            let k = match k {
                "multivalueheader" => "header",
                "multivaluequerystring" => "querystring",
                other => other,
            };
            if k != kind {
                continue;
            }
            let present = match kind {
                "header" => req.header(n).is_some(),
                "path" => req.path_parameters.get(n).is_some_and(|v| !v.is_empty()),
                _ => req.query_param(n).is_some(),
            };
            if !present {
                missing.push(n.to_string());
            }
        }
    }
    missing
}

/// Validate a JSON value against a draft-4 schema; `Err` says what failed (first error).
pub fn validate(schema: &Value, value: &Value) -> Result<(), String> {
    check(schema, value, "$")
}

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => true,
    }
}

fn check(schema: &Value, v: &Value, at: &str) -> Result<(), String> {
    let Value::Object(s) = schema else {
        return Ok(());
    };
    match s.get("type") {
        Some(Value::String(t)) if !type_matches(t, v) => {
            return Err(format!("{at}: expected type {t}"));
        }
        Some(Value::Array(ts))
            if !ts
                .iter()
                .any(|t| t.as_str().is_some_and(|t| type_matches(t, v))) =>
        {
            return Err(format!("{at}: type not allowed"));
        }
        _ => {}
    }
    if let Some(Value::Array(options)) = s.get("enum")
        && !options.contains(v)
    {
        return Err(format!("{at}: not one of the enum values"));
    }
    if let Some(n) = v.as_f64() {
        if let Some(min) = s.get("minimum").and_then(Value::as_f64) {
            let excl = s
                .get("exclusiveMinimum")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if n < min || (excl && n == min) {
                return Err(format!("{at}: below the minimum {min}"));
            }
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64) {
            let excl = s
                .get("exclusiveMaximum")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if n > max || (excl && n == max) {
                return Err(format!("{at}: above the maximum {max}"));
            }
        }
    }
    if let Some(text) = v.as_str() {
        let len = text.chars().count() as u64;
        if s.get("minLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| len < m)
        {
            return Err(format!("{at}: shorter than minLength"));
        }
        if s.get("maxLength")
            .and_then(Value::as_u64)
            .is_some_and(|m| len > m)
        {
            return Err(format!("{at}: longer than maxLength"));
        }
        if let Some(p) = s.get("pattern").and_then(Value::as_str)
            && let Ok(re) = fancy_regex::Regex::new(p)
            && !re.is_match(text).unwrap_or(true)
        {
            return Err(format!("{at}: does not match the pattern {p}"));
        }
    }
    if let Value::Object(o) = v {
        if let Some(Value::Array(req)) = s.get("required") {
            for r in req.iter().filter_map(Value::as_str) {
                if !o.contains_key(r) {
                    return Err(format!("{at}: missing required property {r}"));
                }
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, pv) in o {
            let child = format!("{at}.{k}");
            if let Some(ps) = props.and_then(|p| p.get(k)) {
                check(ps, pv, &child)?;
            } else {
                match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        return Err(format!("{child}: additional property not allowed"));
                    }
                    Some(extra @ Value::Object(_)) => check(extra, pv, &child)?,
                    _ => {}
                }
            }
        }
    }
    if let Value::Array(items) = v {
        if s.get("minItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| (items.len() as u64) < m)
        {
            return Err(format!("{at}: fewer than minItems"));
        }
        if s.get("maxItems")
            .and_then(Value::as_u64)
            .is_some_and(|m| (items.len() as u64) > m)
        {
            return Err(format!("{at}: more than maxItems"));
        }
        if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
            for (i, item) in items.iter().enumerate() {
                check(item_schema, item, &format!("{at}[{i}]"))?;
            }
        }
    }
    if let Some(Value::Array(all)) = s.get("allOf") {
        for sub in all {
            check(sub, v, at)?;
        }
    }
    if let Some(Value::Array(any)) = s.get("anyOf")
        && !any.iter().any(|sub| check(sub, v, at).is_ok())
    {
        return Err(format!("{at}: matches none of anyOf"));
    }
    if let Some(Value::Array(one)) = s.get("oneOf")
        && one.iter().filter(|sub| check(sub, v, at).is_ok()).count() != 1
    {
        return Err(format!("{at}: must match exactly one of oneOf"));
    }
    if let Some(not) = s.get("not")
        && check(not, v, at).is_ok()
    {
        return Err(format!("{at}: matches a schema it must not"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_basics() {
        let s = json!({"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}}, "required": ["a", "b"]});
        assert!(validate(&s, &json!({"a": 1, "b": 2})).is_ok());
        assert!(validate(&s, &json!({"a": 1})).is_err());
        assert!(validate(&s, &json!({"a": "x", "b": 2})).is_err());
        assert!(
            validate(
                &json!({"oneOf": [{"type": "null"}, {"type": "string"}]}),
                &json!(null)
            )
            .is_ok()
        );
        assert!(
            validate(
                &json!({"type": "array", "items": {"type": "integer"}}),
                &json!([1, 2.5])
            )
            .is_err()
        );
    }
}
