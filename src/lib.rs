//! permgate: audits AWS Lambda permissions in CloudFormation, SAM and Terraform plans.
//!
//! The pipeline, one direction: paths → [`discover`] → [`source::SourceFile`] → [`readers`] →
//! [`model::Stack`] → `iam` → [`checks`] → [`diag::Finding`] → [`report`].

pub mod aws;
pub mod checks;
pub mod cli;
pub mod diag;
pub mod discover;
pub mod iam;
pub mod inventory;
pub mod model;
pub mod readers;
pub mod report;
pub mod source;

use std::path::PathBuf;
use std::sync::Arc;

use diag::FileError;
use model::{InputFormat, Stack};
use readers::ReadOutcome;
use source::SourceFile;

/// One input file after reading.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: Arc<SourceFile>,
    pub explicit: bool,
    pub outcome: FileOutcome,
}

#[derive(Debug)]
pub enum FileOutcome {
    Stack {
        format: InputFormat,
        stack: Box<Stack>,
    },
    Skipped {
        format: Option<InputFormat>,
        reason: String,
    },
    Error {
        format: Option<InputFormat>,
        error: FileError,
    },
}

/// Discovers and reads every input. Files found by walking that are not templates or plans
/// are left out; everything else is returned in a stable order, errors included.
pub fn load_inputs(paths: &[PathBuf]) -> Vec<LoadedFile> {
    let (inputs, walk_errors) = discover::inputs(paths);
    let mut files: Vec<LoadedFile> = walk_errors
        .into_iter()
        .map(|e| LoadedFile {
            source: Arc::new(SourceFile::new(e.path, String::new())),
            explicit: true,
            outcome: FileOutcome::Error {
                format: None,
                error: FileError::new(e.message, None),
            },
        })
        .collect();
    for input in inputs {
        // Large plans stream from disk, so that their text is never held whole.
        if let Some((source, ReadOutcome::Stack { format, stack })) =
            readers::read_large_plan(&input.path)
        {
            files.push(LoadedFile {
                source: Arc::new(source),
                explicit: input.explicit,
                outcome: FileOutcome::Stack { format, stack },
            });
            continue;
        }
        let source = match readers::load(&input.path) {
            Ok(s) => s,
            Err(failed) => {
                let (source, error) = *failed;
                files.push(LoadedFile {
                    source: Arc::new(source),
                    explicit: input.explicit,
                    outcome: FileOutcome::Error {
                        format: None,
                        error,
                    },
                });
                continue;
            }
        };
        let outcome = match readers::read(&source, input.explicit) {
            Ok(Some(ReadOutcome::Stack { format, stack })) => FileOutcome::Stack { format, stack },
            Ok(Some(ReadOutcome::Skipped { format, reason })) => {
                FileOutcome::Skipped { format, reason }
            }
            Ok(None) => continue,
            Err(error) => FileOutcome::Error {
                format: None,
                error,
            },
        };
        files.push(LoadedFile {
            source: Arc::new(source),
            explicit: input.explicit,
            outcome,
        });
    }
    files
}

/// The audit: reads every input, runs every check on every stack, and returns the report.
pub fn audit(paths: &[PathBuf]) -> report::Report {
    let files = load_inputs(paths).into_iter().map(audit_file).collect();
    report::Report::new(files)
}

/// The audit of one file given as text, as if it were named on the command line (for the fuzz
/// targets and property tests: the same reading, checks and report as [`audit`]).
pub fn audit_text(path: impl Into<PathBuf>, text: String) -> report::Report {
    let source = SourceFile::new(path, text);
    let outcome = match readers::read(&source, true) {
        Ok(Some(ReadOutcome::Stack { format, stack })) => FileOutcome::Stack { format, stack },
        Ok(Some(ReadOutcome::Skipped { format, reason })) => {
            FileOutcome::Skipped { format, reason }
        }
        Ok(None) => FileOutcome::Skipped {
            format: None,
            reason: "not a template".into(),
        },
        Err(error) => FileOutcome::Error {
            format: None,
            error,
        },
    };
    let file = LoadedFile {
        source: Arc::new(source),
        explicit: true,
        outcome,
    };
    report::Report::new(vec![audit_file(file)])
}

fn audit_file(f: LoadedFile) -> report::FileReport {
    match f.outcome {
        FileOutcome::Stack { format, stack } => {
            let findings = checks::run_all(&stack, format);
            report::FileReport::audited(f.source, format, findings)
        }
        FileOutcome::Skipped { format, reason } => {
            let mut r = report::FileReport::skipped(f.source, reason);
            r.format = format;
            r
        }
        FileOutcome::Error { format, error } => report::FileReport::error(f.source, format, error),
    }
}
