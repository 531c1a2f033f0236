//! Import errors (nothing could be imported) and warnings (one construct was skipped or kept
//! as written; the rest of the file imported).

use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

/// Something in an imported file that gatebench does not support or could not resolve. The
/// rest of the file still imports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportWarning {
    /// The file the construct is in.
    pub file: PathBuf,
    /// 1-based line of the construct.
    pub line: usize,
    /// What is not supported, and what was done instead.
    pub message: String,
}

impl fmt::Display for ImportWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// Why nothing could be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{path}: {source}", path = .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not valid YAML or JSON.
    #[error("{path}:{line}:{column}: {message}", path = .path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The file parses but its content cannot be imported (not an API definition, no
    /// methods, a required part missing).
    #[error("{path}:{line}: {message}", path = .path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A curl command line that cannot be turned into a request.
    #[error("curl: {0}")]
    Curl(String),
}

/// The import context of one file: its path and the warnings collected so far.
#[derive(Debug)]
pub(crate) struct Cx {
    pub file: PathBuf,
    pub warnings: Vec<ImportWarning>,
    /// Stage variables the API refers to (`${stageVariables.x}`), with the first line.
    pub stage_vars: IndexMap<String, usize>,
    /// CloudFormation's `${Name}` placeholders the imported strings keep (inside `Fn::Sub`,
    /// `Ref`, `Fn::GetAtt`, URIs and base paths), with the first line each is written on.
    pub placeholders: IndexMap<String, usize>,
    /// Where the methods' templates and header mappings are written.
    pub origins: super::origin::Origins,
    /// The places of the integration read last, until its method is recorded.
    pub pending_origins: Option<super::origin::MethodOrigins>,
}

impl Cx {
    pub fn new(file: &Path) -> Cx {
        Cx {
            file: file.to_path_buf(),
            warnings: Vec::new(),
            stage_vars: IndexMap::new(),
            placeholders: IndexMap::new(),
            origins: super::origin::Origins::default(),
            pending_origins: None,
        }
    }

    /// The method at `path` and `verb` was added with the integration read last: remember
    /// where its templates and settings are written.
    pub fn record_origins(&mut self, path: &str, verb: &str) {
        if let Some(o) = self.pending_origins.take() {
            self.origins.record(path, verb, o);
        }
    }

    /// Record a warning at `line`.
    pub fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            file: self.file.clone(),
            line,
            message: message.into(),
        });
    }

    /// Note the stage variables `text` refers to, as `${stageVariables.x}` (URIs) or
    /// `stageVariables.x` (parameter mapping sources).
    pub fn note_stage_variables(&mut self, text: &str, line: usize) {
        let mut rest = text;
        while let Some(i) = rest.find("stageVariables.") {
            let after = &rest[i + "stageVariables.".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                .collect();
            if !name.is_empty() {
                self.stage_vars.entry(name).or_insert(line);
            }
            rest = after;
        }
    }

    /// Note the `${Name}` placeholders in `text` (a URI or base path written as plain text:
    /// whoever deploys it fills them in), except the gateway's own `${stageVariables.x}`.
    pub fn note_placeholders(&mut self, text: &str, line: usize) {
        for name in placeholder_names(text) {
            self.placeholders.entry(name).or_insert(line);
        }
    }

    /// An `Invalid` error at `line`.
    pub fn invalid(&self, line: usize, message: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            path: self.file.clone(),
            line,
            message: message.into(),
        }
    }
}

/// The `${Name}` names in `text`, in order (not `${stageVariables.x}`, not `${!Literal}`).
pub(crate) fn placeholder_names(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        let Some(end) = rest[i..].find('}') else {
            break;
        };
        let name = &rest[i + 2..i + end];
        rest = &rest[i + end + 1..];
        if name.is_empty() || name.starts_with('!') || name.starts_with("stageVariables.") {
            continue;
        }
        out.push(name.to_string());
    }
    out
}
