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
pub mod locate;
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
    /// For a plan: the Terraform source read beside it (or in `--tf-source`), when there is one.
    pub tf_source: Option<Arc<readers::hcl::TfSource>>,
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
    load_inputs_with(paths, &AuditOptions::default())
}

/// [`load_inputs`] with options: each plan is read with its Terraform source, which gives
/// the values the plan leaves unknown.
pub fn load_inputs_with(paths: &[PathBuf], options: &AuditOptions) -> Vec<LoadedFile> {
    let (inputs, walk_errors) = discover::inputs(paths);
    // Terraform source read once per directory, however many plans it has.
    let sources: std::cell::RefCell<Vec<(PathBuf, Option<Arc<readers::hcl::TfSource>>)>> =
        std::cell::RefCell::default();
    let source_of = |plan: &std::path::Path| -> Option<Arc<readers::hcl::TfSource>> {
        let dir = source_dir(plan, options);
        let mut sources = sources.borrow_mut();
        if let Some((_, known)) = sources.iter().find(|(d, _)| *d == dir) {
            return known.clone();
        }
        let read = readers::hcl::TfSource::read(&dir);
        let read = (!read.is_empty() || !read.problems.is_empty()).then(|| Arc::new(read));
        sources.push((dir, read.clone()));
        read
    };
    let mut files: Vec<LoadedFile> = walk_errors
        .into_iter()
        .map(|e| LoadedFile {
            source: Arc::new(SourceFile::new(e.path, String::new())),
            explicit: true,
            outcome: FileOutcome::Error {
                format: None,
                error: FileError::new(e.message, None),
            },
            tf_source: None,
        })
        .collect();
    for input in inputs {
        // Large plans stream from disk, so that their text is never held whole.
        let asked = std::cell::Cell::new(false);
        let plan_source = || {
            asked.set(true);
            source_of(&input.path)
        };
        if let Some((source, ReadOutcome::Stack { format, stack })) =
            readers::read_large_plan(&input.path, &plan_source)
        {
            files.push(LoadedFile {
                source: Arc::new(source),
                explicit: input.explicit,
                outcome: FileOutcome::Stack { format, stack },
                tf_source: source_of(&input.path),
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
                    tf_source: None,
                });
                continue;
            }
        };
        asked.set(false);
        let outcome = match readers::read_with_source(&source, input.explicit, &plan_source) {
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
        let tf_source = if asked.get() {
            source_of(&input.path)
        } else {
            None
        };
        files.push(LoadedFile {
            source: Arc::new(source),
            explicit: input.explicit,
            outcome,
            tf_source,
        });
    }
    files
}

/// What an audit is asked beyond its paths.
#[derive(Clone, Debug, Default)]
pub struct AuditOptions {
    /// The root module of the Terraform source the plans were made from; by default each
    /// plan's own directory.
    pub tf_source: Option<PathBuf>,
}

/// The audit: reads every input, runs every check on every stack, and returns the report.
pub fn audit(paths: &[PathBuf]) -> report::Report {
    audit_with(paths, &AuditOptions::default())
}

/// [`audit`] with options.
pub fn audit_with(paths: &[PathBuf], options: &AuditOptions) -> report::Report {
    let loaded = load_inputs_with(paths, options);
    let any_plan = loaded.iter().any(|f| {
        matches!(
            f.outcome,
            FileOutcome::Stack {
                format: InputFormat::TerraformPlan | InputFormat::TerraformState,
                ..
            }
        )
    });
    let mut files: Vec<report::FileReport> = loaded
        .into_iter()
        .map(|f| match f.outcome {
            FileOutcome::Stack { format, stack } => {
                let mut findings = checks::run_all(&stack, format);
                if format == InputFormat::TerraformPlan {
                    let dir = source_dir(&f.source.path, options);
                    match &f.tf_source {
                        Some(source) => locate::place(&mut findings, &f.source, source, &dir),
                        None if options.tf_source.is_some() => {
                            findings.push(locate::no_source_warning(&dir));
                        }
                        None => {}
                    }
                }
                report::FileReport::audited(f.source, format, findings)
            }
            FileOutcome::Skipped { format, reason } => {
                let mut r = report::FileReport::skipped(f.source, reason);
                r.format = format;
                r
            }
            FileOutcome::Error { format, error } => {
                report::FileReport::error(f.source, format, error)
            }
        })
        .collect();
    if !any_plan {
        if let Some(tf) = discover::first_terraform_source(paths) {
            let mut skipped = report::FileReport::skipped(
                Arc::new(SourceFile::new(tf, String::new())),
                readers::hcl::AUDITED_FROM_A_PLAN,
            );
            // Said once, where every format shows it (a skipped file is otherwise only counted).
            skipped.findings.push(locate::source_without_plan_note());
            files.push(skipped);
        }
    }
    report::Report::new(files)
}

/// The root module of a plan's Terraform source: `--tf-source`, or the plan's directory.
fn source_dir(plan: &std::path::Path, options: &AuditOptions) -> PathBuf {
    match &options.tf_source {
        Some(dir) => dir.clone(),
        None => match plan.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        },
    }
}
