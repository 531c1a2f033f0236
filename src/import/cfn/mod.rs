//! CloudFormation and SAM templates. The folder's face: `cloudformation.rs` picks the REST
//! API a template defines and hands it to `rest_api.rs` (`AWS::ApiGateway::*`) or `sam.rs`
//! (`AWS::Serverless::*`); `template.rs` holds what all three share (the template being
//! read, what an import gives, inline OpenAPI bodies, adding methods) and `auth.rs` reads
//! authorizers, method authorization, API keys and usage plans. Arrows: `cloudformation` ->
//! `rest_api`, `sam` -> `template`; `cloudformation` -> `template`; `rest_api`, `sam` ->
//! `auth` -> `template`.

mod auth;
mod cloudformation;
mod rest_api;
mod sam;
mod template;

pub(crate) use cloudformation::{detect, import};
