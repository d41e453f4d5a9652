//! permgate: audits AWS Lambda permissions in CloudFormation, SAM and Terraform plans.
//!
//! The pipeline, one direction: paths → [`discover`] → [`source::SourceFile`] → [`readers`] →
//! [`model::Stack`] → `iam` → [`checks`] → [`diag::Finding`] → [`suppress`] (with the rules of
//! [`config`]) → [`baseline`] → [`report`].

pub mod aws;
pub mod baseline;
pub mod checks;
pub mod cli;
pub mod config;
pub mod day;
pub mod diag;
pub mod discover;
pub mod iam;
pub mod inventory;
pub mod model;
pub mod readers;
pub mod report;
pub mod source;
pub mod suppress;

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

/// One input read from standard input (`-` on the command line).
#[derive(Debug)]
pub struct StdinInput {
    /// The name it is reported under (`--stdin-filename`, else `-`).
    pub name: PathBuf,
    pub bytes: Vec<u8>,
}

/// Discovers and reads every input. Files found by walking that are not templates or plans
/// are left out; everything else is returned in a stable order, errors included.
pub fn load_inputs(paths: &[PathBuf]) -> Vec<LoadedFile> {
    load_inputs_with(paths, None)
}

/// [`load_inputs`], with the text of the path `-` given.
pub fn load_inputs_with(paths: &[PathBuf], stdin: Option<StdinInput>) -> Vec<LoadedFile> {
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
    if let Some(stdin) = stdin {
        files.push(read_stdin(stdin));
    }
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

fn read_stdin(stdin: StdinInput) -> LoadedFile {
    let (source, outcome) = match String::from_utf8(stdin.bytes) {
        Ok(text) => {
            let source = SourceFile::new(stdin.name, text);
            let outcome = match readers::read(&source, true) {
                Ok(Some(ReadOutcome::Stack { format, stack })) => {
                    FileOutcome::Stack { format, stack }
                }
                Ok(Some(ReadOutcome::Skipped { format, reason })) => {
                    FileOutcome::Skipped { format, reason }
                }
                // An explicit input is always read or skipped with a reason.
                Ok(None) => FileOutcome::Skipped {
                    format: None,
                    reason: "not a CloudFormation template, SAM template or Terraform plan".into(),
                },
                Err(error) => FileOutcome::Error {
                    format: None,
                    error,
                },
            };
            (source, outcome)
        }
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let error = FileError::new(
                format!("the input is not UTF-8 (invalid byte at offset {offset})"),
                Some(source::Span::new(offset, offset + 1)),
            );
            (
                SourceFile::new(stdin.name, text),
                FileOutcome::Error {
                    format: None,
                    error,
                },
            )
        }
    };
    LoadedFile {
        source: Arc::new(source),
        explicit: true,
        outcome,
    }
}

/// How a `check` run treats its findings, beyond running the checks.
#[derive(Debug)]
pub struct AuditOptions {
    /// Selection, severity overrides and configured suppressions.
    pub rules: config::Rules,
    /// The repository root (canonical): fingerprints and `path` globs are relative to it.
    pub root: PathBuf,
    /// The directory relative input paths are relative to.
    pub cwd: PathBuf,
    /// The day suppressions' `until` is compared with.
    pub today: day::Day,
}

impl AuditOptions {
    /// No rules, in the current directory and its repository.
    pub fn here() -> AuditOptions {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        AuditOptions {
            rules: config::Rules::default(),
            root: config::repository_root(&cwd),
            cwd,
            today: day::Day::today(),
        }
    }
}

/// The audit: reads every input, runs every check on every stack, and returns the report.
pub fn audit(paths: &[PathBuf]) -> report::Report {
    audit_with(paths, None, &AuditOptions::here())
}

/// [`audit`] with standard input and the options of the command line and configuration.
pub fn audit_with(
    paths: &[PathBuf],
    stdin: Option<StdinInput>,
    options: &AuditOptions,
) -> report::Report {
    let files = load_inputs_with(paths, stdin)
        .into_iter()
        .map(|f| {
            let key_path = key_path(&f.source.path, &options.cwd, &options.root);
            let (mut report, inline) = match f.outcome {
                FileOutcome::Stack { format, mut stack } => {
                    let findings = checks::run_all(&stack, format);
                    let inline = std::mem::take(&mut stack.suppressions);
                    (
                        report::FileReport::audited(f.source, format, findings),
                        inline,
                    )
                }
                FileOutcome::Skipped { format, reason } => {
                    let mut r = report::FileReport::skipped(f.source, reason);
                    r.format = format;
                    (r, Vec::new())
                }
                FileOutcome::Error { format, error } => (
                    report::FileReport::error(f.source, format, error),
                    Vec::new(),
                ),
            };
            report.key_path = key_path;
            suppress::Audited { report, inline }
        })
        .collect();
    let config_key_path = options
        .rules
        .config
        .as_ref()
        .map(|c| key_path(&c.path, &options.cwd, &options.root))
        .unwrap_or_default();
    report::Report::new(suppress::apply(
        files,
        &options.rules,
        &config_key_path,
        options.today,
    ))
}

/// The path of an input relative to the repository root, with forward slashes, however it was
/// spelled (`./x`, absolute, from a subdirectory). A path outside the root keeps its spelling.
pub fn key_path(path: &std::path::Path, cwd: &std::path::Path, root: &std::path::Path) -> String {
    let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
    let absolute = cwd.join(path);
    // A name that is not a file (standard input's `--stdin-filename`) is resolved by hand.
    let resolved = absolute
        .canonicalize()
        .unwrap_or_else(|_| lexically_normal(&absolute));
    let shown = resolved.strip_prefix(root).unwrap_or(path);
    let mut text = shown.to_string_lossy().replace('\\', "/");
    while let Some(rest) = text.strip_prefix("./") {
        text = rest.to_string();
    }
    text
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn lexically_normal(path: &std::path::Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
