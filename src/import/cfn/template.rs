//! What the CloudFormation importers share: the template being read (its resources,
//! parameters and `Globals.Api`), what an import gives, and the helpers that parse an inline
//! OpenAPI body and add methods. A leaf: `cloudformation.rs`, `rest_api.rs` and `sam.rs` use
//! it; it uses none of them.

use std::path::Path;

use indexmap::IndexMap;

use crate::gateway::api::{Api, Method, Resource};
use crate::import::error::Cx;
use crate::import::intrinsic::{self, ref_target};
use crate::import::node::{Kind, Node};
use crate::import::openapi;

/// A mapping with nothing in it, for absent `Properties`.
pub(crate) static EMPTY: Node = Node {
    line: 1,
    col: 0,
    kind: Kind::Map(Vec::new()),
};

/// One entry of `Resources`.
pub(crate) struct Res<'a> {
    pub id: String,
    pub ty: String,
    pub props: &'a Node,
    pub line: usize,
}

/// A template being imported.
pub(crate) struct Template<'a> {
    pub resources: Vec<Res<'a>>,
    /// `Parameters` defaults, to resolve `!Ref Param` where a plain value is needed (stage
    /// names).
    pub params: IndexMap<String, String>,
    /// `Globals.Api` (SAM).
    pub globals_api: Option<&'a Node>,
    /// The folder of the template (SAM `DefinitionUri` paths are relative to it).
    pub dir: &'a Path,
}

/// What a template gives.
#[derive(Debug, Default)]
pub(crate) struct Imported {
    pub api: Api,
    pub name: Option<String>,
    pub description: Option<String>,
    pub label: String,
}

impl Template<'_> {
    /// Whether resource `r` belongs to API `api_id` (its `RestApiId` refers to it, or it
    /// names no API we can tell).
    pub fn belongs(&self, r: &Res<'_>, api_id: &str) -> bool {
        match r.props.get("RestApiId").map(ref_target) {
            Some(Some(target)) => target == api_id,
            _ => true,
        }
    }

    /// Text for a value that must be plain (a stage name): `!Ref Param` resolves to the
    /// parameter's default.
    pub fn plain_text(&self, node: &Node, cx: &mut Cx, what: &str) -> Option<String> {
        if let Some(p) = ref_target(node)
            && let Some(v) = self.params.get(&p)
        {
            return Some(v.clone());
        }
        intrinsic::text(node, cx, what)
    }

    /// Resources of type `ty` that belong to API `api_id`.
    pub fn of_type<'s>(
        &'s self,
        ty: &'s str,
        api_id: &'s str,
    ) -> impl Iterator<Item = &'s Res<'s>> {
        self.resources
            .iter()
            .filter(move |r| r.ty == ty && self.belongs(r, api_id))
    }
}

/// Parse an OpenAPI `Body` / `DefinitionBody` inline in the template.
pub(crate) fn body(node: &Node, cx: &mut Cx, what: &str) -> Option<openapi::OpenApi> {
    if let Some((name, arg)) = intrinsic::intrinsic(node)
        && name == "Fn::Sub"
    {
        return sub_body(arg, cx, what);
    }
    if let Some((name, _)) = intrinsic::intrinsic(node) {
        cx.warn(
            node.line,
            format!("{what} uses {name} (e.g. an AWS::Include transform); only an inline OpenAPI document is supported; skipped"),
        );
        return None;
    }
    if !node.is_map() {
        cx.warn(
            node.line,
            format!("{what} must be an OpenAPI document; skipped"),
        );
        return None;
    }
    Some(openapi::import(node, cx))
}

/// A body written as one `Fn::Sub` string (`Body: !Sub |` and the document as text): the
/// variable map applied, `${!Literal}` unescaped, every other `${Name}` CloudFormation's
/// placeholder (listed in [values] with its line), then read as an inline document whose
/// lines are the template's.
fn sub_body(arg: &Node, cx: &mut Cx, what: &str) -> Option<openapi::OpenApi> {
    let (template, vars_node) = match arg.as_str() {
        Some(_) => (arg, None),
        None => (arg.items().first()?, arg.items().get(1)),
    };
    let Some(text) = template.as_str() else {
        cx.warn(
            arg.line,
            format!("{what}: Fn::Sub without a template string; skipped"),
        );
        return None;
    };
    let mut names = Vec::new();
    let mut vars = IndexMap::new();
    for e in vars_node.map(Node::entries).unwrap_or_default() {
        match intrinsic::render_names(&e.value, &mut names) {
            Ok(v) => {
                vars.insert(e.key.clone(), v);
            }
            Err(why) => cx.warn(
                e.line,
                format!("{what} variable {}: {why}; left out", e.key),
            ),
        }
    }
    let mut subbed = Vec::new();
    let text = intrinsic::sub(text, &vars, &mut subbed);
    // A text of several lines is a block scalar (`!Sub |`): it starts on the line after the
    // key's, where the parser places it; a one-line string is on the key's line.
    let offset = if text.trim_end().contains('\n') {
        template.line
    } else {
        template.line.saturating_sub(1)
    };
    for name in names {
        cx.placeholders.entry(name).or_insert(template.line);
    }
    for name in subbed {
        let needle = format!("${{{name}}}");
        let line = text
            .lines()
            .position(|l| l.contains(&needle))
            .map_or(template.line, |i| offset + i + 1);
        cx.placeholders.entry(name).or_insert(line);
    }
    match crate::import::node::parse_yaml(&text) {
        Ok(mut doc) if doc.is_map() => {
            doc.shift_lines(offset);
            Some(openapi::import(&doc, cx))
        }
        Ok(_) => {
            cx.warn(
                template.line,
                format!("{what} must be an OpenAPI document; skipped"),
            );
            None
        }
        Err(e) => {
            cx.warn(
                offset + e.line,
                format!(
                    "{what}: the Fn::Sub text is not a JSON or YAML document ({}); skipped",
                    e.message
                ),
            );
            None
        }
    }
}

/// Merge an imported OpenAPI body into `api` (resources, binary types, gateway responses).
pub(crate) fn merge_body(api: &mut Api, body: openapi::OpenApi) -> Option<String> {
    api.resources.extend(body.api.resources);
    api.binary_media_types.extend(body.api.binary_media_types);
    api.gateway_responses.extend(body.api.gateway_responses);
    api.authorizers.extend(body.api.authorizers);
    if body.api.api_key_source.is_some() {
        api.api_key_source = body.api.api_key_source;
    }
    body.stage
}

/// Add a method to `api`, creating its resource if needed. An existing method wins (a
/// definition body is more specific than SAM's events); `false` then.
pub(crate) fn add_method(api: &mut Api, path: &str, verb: &str, method: Method) -> bool {
    let idx = match api.resources.iter().position(|r| r.path == path) {
        Some(i) => i,
        None => {
            api.resources.push(Resource {
                path: path.to_string(),
                methods: IndexMap::new(),
            });
            api.resources.len() - 1
        }
    };
    let methods = &mut api.resources[idx].methods;
    if methods.contains_key(verb) {
        return false;
    }
    methods.insert(verb.to_string(), method);
    true
}
