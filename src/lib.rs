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
pub mod parameters;
pub mod readers;
pub mod report;
pub mod source;

use std::path::PathBuf;
use std::sync::Arc;

use diag::FileError;
use model::{InputFormat, Stack};
use readers::ReadOutcome;
use readers::cfn::parameters::Defaults;
use source::SourceFile;

/// One input file after reading.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: Arc<SourceFile>,
    pub explicit: bool,
    /// The parameter values the template was read with.
    pub given: parameters::GivenValues,
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
/// are left out; everything else is returned in a stable order, errors included. Templates get
/// the parameter values of the samconfig file beside them.
pub fn load_inputs(paths: &[PathBuf]) -> Vec<LoadedFile> {
    let mut values =
        ParameterSources::new(&parameters::ParameterOptions::default(), Default::default());
    load_inputs_with(paths, &mut values, false)
}

/// The parameter values each template is read with, and the problems found in their sources.
pub struct ParameterSources {
    command_line: parameters::CommandLineValues,
    environment: (String, bool),
    /// Directory → its samconfig file (`None`: there is none or it could not be read).
    samconfigs: std::collections::HashMap<PathBuf, Option<Arc<parameters::SamConfig>>>,
    /// Sources that cannot be read, or that give a value for a parameter no template has.
    pub errors: Vec<parameters::SourceError>,
    /// Every parameter name a template read so far declares.
    declared: std::collections::HashSet<String>,
}

impl ParameterSources {
    pub fn new(
        options: &parameters::ParameterOptions,
        command_line: parameters::CommandLineValues,
    ) -> ParameterSources {
        let (env, explicit) = options.environment();
        ParameterSources {
            command_line,
            environment: (env.to_string(), explicit),
            samconfigs: std::collections::HashMap::new(),
            errors: Vec::new(),
            declared: std::collections::HashSet::new(),
        }
    }

    /// The values for the template at `path`: the command line's when it gives any (as the SAM
    /// CLI, whose `--parameter-overrides` replaces samconfig values), else the samconfig's in
    /// the template's directory when it is for this template.
    fn for_template(
        &mut self,
        path: &std::path::Path,
    ) -> (parameters::GivenValues, Option<Arc<parameters::SamConfig>>) {
        if !self.command_line.is_empty() {
            return (self.command_line.merged(), None);
        }
        let dir = path.parent().map(PathBuf::from).unwrap_or_default();
        let dir = if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        };
        let config = self
            .samconfigs
            .entry(dir.clone())
            .or_insert_with(|| {
                match parameters::samconfig_in(&dir, &self.environment.0, self.environment.1) {
                    Ok(c) => c.map(Arc::new),
                    Err(failed) => {
                        self.errors.push(*failed);
                        None
                    }
                }
            })
            .clone();
        match config {
            Some(c) if c.template.as_deref().is_some_and(|t| same_file(t, path)) => {
                (c.values.values.clone(), Some(c))
            }
            _ => (parameters::GivenValues::new(), None),
        }
    }

    /// Errors for values given for parameters that the template (samconfig) or every template
    /// (command line) lacks: a misspelt name must not silently leave the default in force.
    fn check_declared(
        &mut self,
        stack: &Stack,
        template: &std::path::Path,
        config: Option<&parameters::SamConfig>,
    ) {
        let names: std::collections::HashSet<&str> =
            stack.parameters.iter().map(|p| p.name.as_str()).collect();
        self.declared.extend(names.iter().map(|n| n.to_string()));
        let Some(config) = config else { return };
        for (key, span) in &config.values.key_spans {
            if !names.contains(key.as_str()) {
                self.errors.push((
                    Arc::clone(&config.source),
                    FileError::new(
                        format!("`{key}` is not a parameter of `{}`", template.display()),
                        Some(*span),
                    ),
                ));
            }
        }
    }

    /// After every input is read: the command-line values that no template declares.
    pub fn finish(&mut self) {
        if self.command_line.is_empty() {
            return;
        }
        for source in &self.command_line.sources {
            for key in source.values.keys() {
                if self.declared.contains(key) {
                    continue;
                }
                let message = format!("`{key}` is not a parameter of any template audited");
                let (file, span) = match &source.file {
                    Some(f) => (Arc::clone(f), source.key_spans.get(key).copied()),
                    None => (
                        Arc::new(SourceFile::new("--parameter-overrides", String::new())),
                        None,
                    ),
                };
                self.errors.push((file, FileError::new(message, span)));
            }
        }
    }
}

/// Whether two paths name the same file (compared as given, then canonicalized).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
}

/// [`load_inputs`] with parameter values from `values`, which also collects the problems of
/// their sources. With `only_templates`, files named in `paths` are treated as files found by
/// walking: one that is not a template or plan is left out rather than parsed and reported (a
/// pre-commit hook passes every staged YAML and JSON file).
pub fn load_inputs_with(
    paths: &[PathBuf],
    values: &mut ParameterSources,
    only_templates: bool,
) -> Vec<LoadedFile> {
    let (mut inputs, walk_errors) = discover::inputs(paths);
    if only_templates {
        for input in &mut inputs {
            input.explicit = false;
        }
    }
    let mut files: Vec<LoadedFile> = walk_errors
        .into_iter()
        .map(|e| LoadedFile {
            source: Arc::new(SourceFile::new(e.path, String::new())),
            explicit: true,
            given: parameters::GivenValues::new(),
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
                given: parameters::GivenValues::new(),
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
                    given: parameters::GivenValues::new(),
                    outcome: FileOutcome::Error {
                        format: None,
                        error,
                    },
                });
                continue;
            }
        };
        let (given, config) = values.for_template(&input.path);
        let outcome = match readers::read_with(&source, input.explicit, &given, Defaults::Use) {
            Ok(Some(ReadOutcome::Stack { format, stack })) => {
                if format != InputFormat::TerraformPlan {
                    values.check_declared(&stack, &input.path, config.as_deref());
                }
                FileOutcome::Stack { format, stack }
            }
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
            given,
            outcome,
        });
    }
    values.finish();
    files
}

/// The audit: reads every input, runs every check on every stack, and returns the report.
pub fn audit(paths: &[PathBuf]) -> report::Report {
    let mut values =
        ParameterSources::new(&parameters::ParameterOptions::default(), Default::default());
    audit_with(paths, &mut values, false)
}

/// [`audit`] with the parameter values of `values` (the problems of their sources are errors in
/// the report) and `only_templates` as in [`load_inputs_with`].
pub fn audit_with(
    paths: &[PathBuf],
    values: &mut ParameterSources,
    only_templates: bool,
) -> report::Report {
    let mut files: Vec<report::FileReport> = load_inputs_with(paths, values, only_templates)
        .into_iter()
        .map(|f| match f.outcome {
            FileOutcome::Stack { format, stack } => {
                let mut findings = checks::run_all(&stack, format);
                // Only certain findings can rest on a default: without one, no second reading.
                if stack.assumed_defaults().next().is_some()
                    && findings
                        .iter()
                        .any(|f| f.certainty == diag::Certainty::Certain)
                {
                    findings = qualify_defaults(findings, &f.source, f.explicit, &f.given, &stack);
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
    for (source, error) in std::mem::take(&mut values.errors) {
        files.push(report::FileReport::error(source, None, error));
    }
    report::Report::new(files)
}

/// Findings that rest on parameter defaults: the template is read again with the defaults
/// withheld, and what that reading does not confirm holds only "if deployed with the default"
/// ([`checks::assumed`]).
fn qualify_defaults(
    findings: Vec<diag::Finding>,
    source: &SourceFile,
    explicit: bool,
    given: &parameters::GivenValues,
    stack: &Stack,
) -> Vec<diag::Finding> {
    let confirmed = match readers::read_with(source, explicit, given, Defaults::Withhold) {
        Ok(Some(ReadOutcome::Stack { format, stack })) => checks::run_all(&stack, format),
        // Without the defaults the template cannot be read (SAM needs a literal there): nothing
        // is confirmed.
        _ => Vec::new(),
    };
    checks::assumed::qualify(findings, &confirmed, stack)
}
