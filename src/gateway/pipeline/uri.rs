//! Filling integration URIs: stage variables, path and query mappings, and
//! `$context.requestOverride` values.

use super::*;

/// Replace `${stageVariables.name}` in an integration URI (an undefined one becomes empty,
/// which usually makes the address invalid, as on AWS).
pub(super) fn substitute_stage_variables(
    uri: &str,
    stage_variables: &IndexMap<String, String>,
) -> String {
    let mut out = String::new();
    let mut rest = uri;
    while let Some(i) = rest.find("${stageVariables.") {
        out.push_str(&rest[..i]);
        let Some(end) = rest[i..].find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let name = &rest[i + "${stageVariables.".len()..i + end];
        out.push_str(stage_variables.get(name).map_or("", String::as_str));
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// Fill `{var}` placeholders of an HTTP integration URI and add query parameters.
pub(super) fn fill_uri(
    uri: &str,
    path: &IndexMap<String, String>,
    query: &[(String, String)],
) -> Option<String> {
    // A `${Name}` left by an import has no value: not an address.
    if uri.contains("${") {
        return None;
    }
    let mut out = String::new();
    let mut rest = uri;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}')? + i;
        let name = rest[i + 1..end].trim_end_matches('+');
        let value = path.get(name).cloned().unwrap_or_default();
        // Path parameter values arrive undecoded; only characters that cannot appear in a
        // URL are escaped.
        out.push_str(&percent_encoding::utf8_percent_encode(&value, URL_UNSAFE).to_string());
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    let mut url = reqwest::Url::parse(&out).ok()?;
    if !url.has_host() {
        return None;
    }
    if !query.is_empty() {
        let mut qp = url.query_pairs_mut();
        for (k, v) in query {
            qp.append_pair(k, v);
        }
    }
    Some(url.to_string())
}

const URL_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// Apply `$context.requestOverride` to the integration parameters.
pub(super) fn apply_request_overrides(overrides: &Json, params: &mut IntegrationParams) {
    let Some(ro) = overrides.get("requestOverride") else {
        return;
    };
    if let Some(Json::Object(h)) = ro.get("header") {
        for (k, v) in h {
            let value = match v {
                Json::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(","),
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            params.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(k));
            params.headers.push((k.clone(), value));
        }
    }
    if let Some(Json::Object(q)) = ro.get("querystring") {
        for (k, v) in q {
            params.query.retain(|(n, _)| n != k);
            params.query.push((
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            ));
        }
    }
    if let Some(Json::Object(p)) = ro.get("path") {
        for (k, v) in p {
            params.path.insert(
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_string),
            );
        }
    }
}
