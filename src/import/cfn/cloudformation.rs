//! CloudFormation templates: which REST API to import. The API itself comes from
//! `rest_api.rs` (`AWS::ApiGateway::*`) or `sam.rs` (SAM); what they share is in
//! `template.rs`.

use std::path::Path;

use super::rest_api;
use super::sam;
use super::template::{EMPTY, Imported, Res, Template};
use crate::import::error::{Cx, ImportError};
use crate::import::node::Node;

/// Whether `doc` looks like a CloudFormation or SAM template.
pub(crate) fn detect(doc: &Node) -> bool {
    doc.get("Resources").is_some_and(Node::is_map)
        || doc.get("AWSTemplateFormatVersion").is_some()
        || doc.get("Transform").is_some()
}

/// Which API a template defines, in the order preferred.
enum Target<'a> {
    RestApi(&'a Res<'a>),
    ServerlessApi(&'a Res<'a>),
    /// SAM's implicit `ServerlessRestApi` (function `Api` events without `RestApiId`).
    Implicit,
}

/// Import the first REST API of a template.
pub(crate) fn import(root: &Node, cx: &mut Cx, dir: &Path) -> Result<Imported, ImportError> {
    let Some(resources) = root.get("Resources") else {
        return Err(cx.invalid(root.line, "the template has no Resources"));
    };
    let t = Template {
        resources: resources
            .entries()
            .iter()
            .map(|e| Res {
                id: e.key.clone(),
                ty: e
                    .value
                    .get("Type")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default(),
                props: e.value.get("Properties").unwrap_or(&EMPTY),
                line: e.line,
            })
            .collect(),
        params: root
            .get("Parameters")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.clone(), e.value.get("Default")?.scalar_text()?)))
            .collect(),
        globals_api: root.get("Globals").and_then(|g| g.get("Api")),
        dir,
    };
    let mut targets = Vec::new();
    for r in &t.resources {
        match r.ty.as_str() {
            "AWS::ApiGateway::RestApi" => targets.push((Target::RestApi(r), r.line)),
            "AWS::Serverless::Api" => targets.push((Target::ServerlessApi(r), r.line)),
            "AWS::Serverless::HttpApi" => cx.warn(
                r.line,
                format!("{} is an HTTP API (API Gateway v2); gatebench simulates REST APIs; skipped", r.id),
            ),
            ty if ty.starts_with("AWS::ApiGatewayV2::") => cx.warn(
                r.line,
                format!("{ty} ({}) belongs to HTTP and WebSocket APIs; gatebench simulates REST APIs; skipped", r.id),
            ),
            _ => {}
        }
    }
    if let Some(line) = sam::implicit_api_line(&t) {
        targets.push((Target::Implicit, line));
    }
    let mut targets = targets.into_iter();
    let Some((target, _)) = targets.next() else {
        return Err(cx.invalid(
            root.line,
            "no REST API in this template (AWS::ApiGateway::RestApi, AWS::Serverless::Api, or AWS::Serverless::Function events of type Api)",
        ));
    };
    let chosen = match &target {
        Target::RestApi(r) | Target::ServerlessApi(r) => r.id.clone(),
        Target::Implicit => "ServerlessRestApi".to_string(),
    };
    for (other, line) in targets {
        let id = match other {
            Target::RestApi(r) | Target::ServerlessApi(r) => r.id.clone(),
            Target::Implicit => "the implicit ServerlessRestApi".to_string(),
        };
        cx.warn(
            line,
            format!("a session holds one API: {id} is not imported ({chosen} is)"),
        );
    }
    let mut out = match target {
        Target::RestApi(r) => rest_api::rest_api(&t, r, cx),
        Target::ServerlessApi(r) => sam::api(&t, Some(r), cx),
        Target::Implicit => sam::api(&t, None, cx),
    };
    if out.label.is_empty() {
        out.label = "CloudFormation template".into();
    }
    if out.description.is_none() {
        out.description = root.get("Description").and_then(Node::scalar_text);
    }
    Ok(out)
}
