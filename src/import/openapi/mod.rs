//! OpenAPI 2 (Swagger) and 3 documents. The folder's face: `read.rs` reads a document
//! (top level, paths, gateway responses, stage), `operation.rs` turns one operation into a
//! method, `security.rs` reads security schemes and requirements (authorizers, API keys,
//! IAM), and `doc.rs` holds what both need (the document being read, `$ref`s, the
//! integration extension). Arrows: `read` -> `operation` -> `doc` -> `security`, `read` ->
//! `security`, `operation` -> `security`.

mod doc;
mod operation;
mod read;
mod security;

pub(crate) use read::{OpenApi, detect, import};
