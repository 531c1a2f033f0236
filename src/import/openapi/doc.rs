//! What reading an OpenAPI document and reading one operation share: the document being
//! read ([`Doc`], with `$ref` resolution and Swagger 2 media-type defaults), its [`Version`],
//! and the `x-amazon-apigateway-integration` helper. A leaf: `read.rs` and
//! `operation.rs` use it; it uses neither.

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::gateway::api::RequestValidator;
use crate::import::error::Cx;
use crate::import::integration;
use crate::import::node::{Kind, Node};

/// Which OpenAPI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    /// Swagger 2.0.
    V2,
    /// OpenAPI 3.x.
    V3,
}

/// The document while its operations are read.
pub(crate) struct Doc<'a> {
    pub root: &'a Node,
    pub version: Version,
    /// The document as JSON, for `$ref` pointers inside schemas.
    pub json: Json,
    /// Models by name (`definitions` or `components.schemas`).
    pub models: IndexMap<String, Json>,
    pub validators: IndexMap<String, RequestValidator>,
    pub default_validator: Option<String>,
    /// Swagger 2 `consumes` / `produces` defaults.
    pub consumes: Vec<String>,
    pub produces: Vec<String>,
    /// Security schemes by name.
    pub schemes: IndexMap<String, super::security::Scheme>,
    /// The document's `security` requirements (operations without their own use them).
    pub default_security: Option<&'a Node>,
}

impl Doc<'_> {
    /// Follow a local `$ref` (`#/components/parameters/Id`, `#/definitions/Pet`); the node
    /// itself when it is not a reference. `None` (with a warning) when it cannot be followed.
    pub fn deref<'n>(&'n self, node: &'n Node, cx: &mut Cx) -> Option<&'n Node> {
        let mut cur = node;
        for _ in 0..16 {
            let Some(r) = cur.get("$ref") else {
                return Some(cur);
            };
            let text = r.scalar_text().unwrap_or_default();
            let Some(target) = text.strip_prefix("#/").and_then(|p| pointer(self.root, p)) else {
                cx.warn(
                    r.line,
                    format!("$ref {text} cannot be resolved (only references inside the file are); skipped"),
                );
                return None;
            };
            cur = target;
        }
        cx.warn(node.line, "$ref chain too long (a cycle?); skipped");
        None
    }

    /// The content types a Swagger 2 operation consumes or produces.
    pub fn media_types(&self, op: &Node, key: &str) -> Vec<String> {
        let own: Vec<String> = op
            .get(key)
            .map(|n| n.items().iter().filter_map(Node::scalar_text).collect())
            .unwrap_or_default();
        if !own.is_empty() {
            return own;
        }
        let global = if key == "consumes" {
            &self.consumes
        } else {
            &self.produces
        };
        if global.is_empty() {
            vec!["application/json".to_string()]
        } else {
            global.clone()
        }
    }
}

/// Walk a JSON pointer (already without `#/`) through the node tree.
fn pointer<'n>(root: &'n Node, p: &str) -> Option<&'n Node> {
    let mut cur = root;
    for raw in p.split('/') {
        let seg = percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .replace("~1", "/")
            .replace("~0", "~");
        cur = match &cur.kind {
            Kind::Map(_) => cur.get(&seg)?,
            Kind::Seq(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// `x-amazon-apigateway-integration` of an operation, parsed.
pub(crate) fn integration_of(
    op: &Node,
    line: usize,
    cx: &mut Cx,
) -> Option<crate::gateway::api::Integration> {
    let Some(node) = op.get("x-amazon-apigateway-integration") else {
        cx.warn(
            line,
            "operation without x-amazon-apigateway-integration (API Gateway would have nothing to call); skipped",
        );
        return None;
    };
    integration::from_openapi(node, cx)
}
