//! Findings and file errors: what every check produces and every emitter consumes.
//!
//! Findings are plain values with byte spans; emitters in `report/` turn spans into lines.

use std::sync::Arc;

use crate::source::{SourceFile, Span};

/// A place in a file other than the input the finding was read from: the Terraform source
/// block of a plan resource, and later a nested stack's template. The input of record (the plan)
/// stays the report's file; emitters show this place instead of it and name the input of record
/// among the related locations.
#[derive(Clone, Debug)]
pub struct Location {
    pub file: Arc<SourceFile>,
    pub span: Span,
    /// The file's path relative to the repository root, as annotations and SARIF name it.
    pub key_path: String,
}

impl PartialEq for Location {
    fn eq(&self, other: &Location) -> bool {
        self.span == other.span && self.file.path == other.file.path
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Whether the finding is certain or says that something cannot be verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Certainty {
    Certain,
    /// The input does not determine the answer; the reason says what is unknown.
    CannotVerify {
        reason: String,
    },
}

/// What a related location is to the finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelatedRole {
    Function,
    ExecutionRole,
    ServiceExecutionRole,
    Policy,
    Statement,
    Secret,
    Key,
    Source,
    Destination,
    Permission,
    Trigger,
    Boundary,
    /// The input the finding was read from (a plan), when the finding is shown elsewhere.
    Input,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Related {
    /// Logical id or Terraform address.
    pub resource: String,
    pub span: Option<Span>,
    /// Where the resource is when that is another file than the report's (its `.tf` block).
    pub location: Option<Location>,
    pub role: RelatedRole,
    /// A short label shown next to the location (`grants sqs:* on *`).
    pub note: Option<String>,
}

/// One permission a finding is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Missing {
    pub action: String,
    pub resource: String,
}

/// The change that resolves a finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    /// One line of help text (`add this statement to the policy of role \`FnRole\``).
    pub help: String,
    /// The policy statement (or permission resource) to add, as JSON.
    pub statement: serde_json::Value,
    /// The same change in the input's own language when it is not JSON: for a plan with its
    /// source, the HCL to add to the policy's `.tf` block (a `jsonencode` statement object or a
    /// `statement { … }` block, with the references the source uses).
    pub source: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Check id, e.g. `PG101`.
    pub check: &'static str,
    pub severity: Severity,
    pub certainty: Certainty,
    /// One line, lowercase first word, no final period, user values in backticks.
    pub message: String,
    /// Logical id or Terraform address of the resource that would fail (the mapping, not the role).
    pub resource: String,
    pub span: Option<Span>,
    /// Where the finding is shown when that is another file than the report's: the `.tf` block
    /// of a plan resource. `span` stays about the report's own file.
    pub location: Option<Location>,
    pub related: Vec<Related>,
    pub missing: Vec<Missing>,
    pub fix: Option<Fix>,
}

/// A problem with an input file as a whole (it cannot be read, parsed or lowered).
#[derive(Clone, Debug, PartialEq)]
pub struct FileError {
    pub message: String,
    pub span: Option<Span>,
    /// Extra lines of explanation.
    pub help: Option<String>,
}

impl FileError {
    pub fn new(message: impl Into<String>, span: Option<Span>) -> FileError {
        FileError {
            message: message.into(),
            span,
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> FileError {
        self.help = Some(help.into());
        self
    }
}
