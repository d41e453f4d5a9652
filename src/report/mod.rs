//! Report: the run's result as plain data, and the emitters that write it.
//!
//! Input: one [`FileReport`] per input file (its source, detected format, status and
//! [`Finding`]s). Output: text (miette, [`text`]), JSON ([`json`], schema
//! `schemas/report.schema.json`), SARIF 2.1.0 ([`sarif`]) or GitHub Actions workflow commands
//! ([`github`]), plus the exit code.
//!
//! Invariants: after [`Report::new`] or [`Report::normalize`], files are sorted by path and each
//! file's findings by span start, check id, resource and message, with exact duplicates removed.
//! Lines and columns are computed here, from byte spans, only when written; a finding without a
//! span (Terraform plans) has no line and none is ever invented. Only [`text`] knows miette.

pub mod github;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

pub mod escape;
mod position;

#[cfg(test)]
pub(crate) mod fixtures;

use std::cmp::Ordering;
use std::sync::Arc;

use crate::checks::CheckInfo;
use crate::diag::{FileError, Finding, Related, Severity};
use crate::model::InputFormat;
use crate::source::SourceFile;
use crate::source::Span;

/// The result of one run.
#[derive(Debug, Default)]
pub struct Report {
    pub files: Vec<FileReport>,
    /// What the baseline given with `--baseline` did, when one was.
    pub baseline: Option<BaselineOutcome>,
}

/// A baseline's effect on the run.
#[derive(Debug, Default)]
pub struct BaselineOutcome {
    /// The baseline file, as given.
    pub path: String,
    /// Entries of the baseline that no finding of this run matched: fixed since, or their
    /// file was not part of this run.
    pub fixed: Vec<BaselineEntry>,
}

/// One finding recorded in a baseline.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub check: String,
    /// The path relative to the repository root.
    pub file: String,
    pub resource: String,
    pub message: String,
}

/// A finding kept out of the findings and the exit code, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: String,
    pub origin: SuppressionOrigin,
}

/// Where a suppression is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SuppressionOrigin {
    /// `Metadata.permgate.ignore` in the input: the file and line of the entry.
    Inline { file: String, line: Option<u32> },
    /// `[[ignore]]` in the configuration file.
    Config { file: String, line: Option<u32> },
    /// In the baseline file.
    Baseline { file: String },
}

impl SuppressionOrigin {
    pub fn kind(&self) -> &'static str {
        match self {
            SuppressionOrigin::Inline { .. } => "inline",
            SuppressionOrigin::Config { .. } => "config",
            SuppressionOrigin::Baseline { .. } => "baseline",
        }
    }

    pub fn file(&self) -> &str {
        match self {
            SuppressionOrigin::Inline { file, .. }
            | SuppressionOrigin::Config { file, .. }
            | SuppressionOrigin::Baseline { file } => file,
        }
    }

    pub fn line(&self) -> Option<u32> {
        match self {
            SuppressionOrigin::Inline { line, .. } | SuppressionOrigin::Config { line, .. } => {
                *line
            }
            SuppressionOrigin::Baseline { .. } => None,
        }
    }
}

/// What happened to one input file.
#[derive(Debug)]
pub struct FileReport {
    /// Path and text (the text is empty for files that could not be read).
    pub source: Arc<SourceFile>,
    /// The detected input kind, when known.
    pub format: Option<InputFormat>,
    pub status: FileStatus,
    /// Why the file was skipped, or the error's message.
    pub message: Option<String>,
    /// The error, with its span when the file could be read but not parsed.
    pub error: Option<FileError>,
    pub findings: Vec<Finding>,
    /// Findings a suppression or the baseline keeps out of `findings`.
    pub suppressed: Vec<Suppressed>,
    /// The path relative to the repository root, forward slashes: what fingerprints and
    /// `path` globs use, whatever the spelling of the path given.
    pub key_path: String,
    /// A Terraform module directory audited from its source, without a plan.
    pub from_source: bool,
    /// The stack's name in its application (a CDK stack `Prod/Queues`, a nested stack).
    pub stack: Option<String>,
    /// Logical id → CDK construct path (`QueueStack/Consumer/Resource`), the name a CDK user
    /// knows a resource by.
    pub constructs: std::collections::BTreeMap<String, String>,
    /// Logical id → the `serverless.yml` function it derives from (`hello` for
    /// `HelloLambdaFunction`), the name a Serverless Framework user knows a resource by.
    pub serverless_functions: std::collections::BTreeMap<String, String>,
    /// Logical id → where the CDK app's code created its construct, when the assembly
    /// records it.
    pub created_at: std::collections::BTreeMap<String, CodeSite>,
}

/// A line of the app's own code: where a CDK construct was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeSite {
    /// Relative to the repository root when the file is under it; else as the trace names it.
    pub key_path: String,
    /// As a terminal shows it: relative to the current directory when under it.
    pub shown: String,
    pub line: usize,
    pub column: usize,
    /// The function that created it (`new ConsumerStack`), when the frame names one.
    pub function: Option<String>,
    /// Whether the file is on this machine (an assembly synthesized elsewhere names paths of
    /// that machine).
    pub on_disk: bool,
}

impl std::fmt::Display for CodeSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.shown, self.line, self.column)
    }
}

/// Whether a file was audited.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    Audited,
    /// Not an input permgate audits (not a template or plan).
    Skipped,
    /// Could not be read, parsed or lowered.
    Error,
}

/// The output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable diagnostics with source snippets.
    #[default]
    Text,
    /// The stable JSON report (`schemas/report.schema.json`).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations), and a job summary when
    /// `$GITHUB_STEP_SUMMARY` is set.
    Github,
    /// JUnit XML, for CI systems that show test results.
    Junit,
}

/// The lowest severity that makes the run fail (exit code 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    #[default]
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Never fail because of findings (unreadable files still fail).
    Never,
}

impl FailOn {
    /// Whether a finding of this severity fails the run.
    pub fn fails(self, severity: Severity) -> bool {
        match self {
            FailOn::Error => severity >= Severity::Error,
            FailOn::Warning => severity >= Severity::Warning,
            FailOn::Never => false,
        }
    }
}

/// Counts over the whole report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub files_audited: usize,
    pub files_skipped: usize,
    pub files_error: usize,
    /// Findings kept out by a suppression (config or inline).
    pub suppressed: usize,
    /// Findings kept out because the baseline has them.
    pub baselined: usize,
    /// Baseline entries no finding matched.
    pub fixed: usize,
    /// Terraform module directories audited from their source, without a plan (left out of
    /// the JSON when there are none).
    #[serde(skip_serializing_if = "is_zero")]
    pub terraform_from_source: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn files(&self) -> usize {
        self.files_audited + self.files_skipped + self.files_error
    }
}

impl FileReport {
    /// The construct path of the resource a finding is about, when the template records one.
    pub fn construct_of(&self, finding: &Finding) -> Option<&str> {
        self.constructs.get(&finding.resource).map(String::as_str)
    }

    /// The `serverless.yml` function the resource a finding is about derives from.
    pub fn serverless_function_of(&self, finding: &Finding) -> Option<&str> {
        self.serverless_functions
            .get(&finding.resource)
            .map(String::as_str)
    }

    /// Where the CDK app's code created the construct of the resource a finding is about.
    pub fn created_at(&self, finding: &Finding) -> Option<&CodeSite> {
        self.created_at.get(&finding.resource)
    }

    /// Where a finding is in its application, in words: `stack \`Prod/Queues\`, construct
    /// \`Prod/Queues/Consumer/Resource\``, and the line of the app's code that created it; `None`
    /// for a template read alone without CDK metadata.
    pub fn application_context(&self, finding: &Finding) -> Option<String> {
        let context = self.stack_and_construct(finding)?;
        Some(match self.created_at(finding) {
            Some(site) => match &site.function {
                Some(function) => format!("{context}, created at `{site}` in `{function}`"),
                None => format!("{context}, created at `{site}`"),
            },
            None => context,
        })
    }

    fn stack_and_construct(&self, finding: &Finding) -> Option<String> {
        match (&self.stack, self.construct_of(finding)) {
            (Some(stack), Some(construct)) => {
                Some(format!("stack `{stack}`, construct `{construct}`"))
            }
            (Some(stack), None) => Some(format!("stack `{stack}`")),
            (None, Some(construct)) => Some(format!("construct `{construct}`")),
            (None, None) => self
                .serverless_function_of(finding)
                .map(|function| format!("serverless.yml function `{function}`")),
        }
    }

    /// A file that was audited, with its findings.
    pub fn audited(
        source: Arc<SourceFile>,
        format: InputFormat,
        findings: Vec<Finding>,
    ) -> FileReport {
        FileReport {
            key_path: position::normalized_path(&source),
            source,
            format: Some(format),
            status: FileStatus::Audited,
            message: None,
            error: None,
            findings,
            suppressed: Vec::new(),
            from_source: false,
            stack: None,
            constructs: std::collections::BTreeMap::new(),
            created_at: std::collections::BTreeMap::new(),
            serverless_functions: std::collections::BTreeMap::new(),
        }
    }

    /// A file that is not a template or plan but has findings of its own (the configuration
    /// file, for its unused or lapsed suppressions).
    pub fn audited_other(source: Arc<SourceFile>, findings: Vec<Finding>) -> FileReport {
        FileReport {
            key_path: position::normalized_path(&source),
            source,
            format: None,
            status: FileStatus::Audited,
            message: None,
            error: None,
            findings,
            suppressed: Vec::new(),
            from_source: false,
            stack: None,
            constructs: std::collections::BTreeMap::new(),
            created_at: std::collections::BTreeMap::new(),
            serverless_functions: std::collections::BTreeMap::new(),
        }
    }

    /// A file that is not an input permgate audits.
    pub fn skipped(source: Arc<SourceFile>, reason: impl Into<String>) -> FileReport {
        FileReport {
            key_path: position::normalized_path(&source),
            source,
            format: None,
            status: FileStatus::Skipped,
            message: Some(reason.into()),
            error: None,
            findings: Vec::new(),
            suppressed: Vec::new(),
            from_source: false,
            stack: None,
            constructs: std::collections::BTreeMap::new(),
            created_at: std::collections::BTreeMap::new(),
            serverless_functions: std::collections::BTreeMap::new(),
        }
    }

    /// A file that could not be read, parsed or lowered.
    pub fn error(
        source: Arc<SourceFile>,
        format: Option<InputFormat>,
        error: FileError,
    ) -> FileReport {
        FileReport {
            key_path: position::normalized_path(&source),
            source,
            format,
            status: FileStatus::Error,
            message: Some(error.message.clone()),
            error: Some(error),
            findings: Vec::new(),
            suppressed: Vec::new(),
            from_source: false,
            stack: None,
            constructs: std::collections::BTreeMap::new(),
            created_at: std::collections::BTreeMap::new(),
            serverless_functions: std::collections::BTreeMap::new(),
        }
    }

    /// Sorts the findings and removes exact duplicates.
    pub fn normalize(&mut self) {
        self.findings.sort_by(finding_order);
        // Equal findings are adjacent within a run of equal sort keys, but not necessarily next
        // to each other (they may differ in fields the key does not cover), so compare each
        // finding with the kept findings of its run.
        let mut kept: Vec<Finding> = Vec::with_capacity(self.findings.len());
        let mut run_start = 0;
        for finding in self.findings.drain(..) {
            let same_run = kept
                .get(run_start)
                .is_some_and(|first| finding_order(first, &finding) == Ordering::Equal);
            if !same_run {
                run_start = kept.len();
            }
            let duplicate = kept
                .get(run_start..)
                .is_some_and(|run| run.contains(&finding));
            if !duplicate {
                kept.push(finding);
            }
        }
        self.findings = kept;
    }
}

/// Where a finding is shown: its location in another file (the `.tf` block of a plan
/// resource) when it has one, otherwise its span in the report's file.
pub(crate) fn finding_site<'a>(
    file: &'a FileReport,
    finding: &'a Finding,
) -> (&'a SourceFile, Option<Span>) {
    match &finding.location {
        Some(at) => (&at.file, Some(at.span)),
        None => (&file.source, finding.span),
    }
}

/// The path relative to the repository root of the file a finding is shown in.
pub(crate) fn finding_key_path<'a>(file: &'a FileReport, finding: &'a Finding) -> &'a str {
    finding
        .location
        .as_ref()
        .map_or(file.key_path.as_str(), |at| at.key_path.as_str())
}

/// Where a related resource is shown, as [`finding_site`].
pub(crate) fn related_site<'a>(
    file: &'a FileReport,
    related: &'a Related,
) -> (&'a SourceFile, Option<Span>) {
    match &related.location {
        Some(at) => (&at.file, Some(at.span)),
        None => (&file.source, related.span),
    }
}

/// Span start (findings without a span last), then check id, resource and message.
fn finding_order(a: &Finding, b: &Finding) -> Ordering {
    let position = |f: &Finding| (f.span.is_none(), f.span.map(|s| (s.start, s.end)));
    position(a)
        .cmp(&position(b))
        .then_with(|| a.check.cmp(b.check))
        .then_with(|| a.resource.cmp(&b.resource))
        .then_with(|| a.message.cmp(&b.message))
}

impl Report {
    /// A normalized report (sorted, without duplicate findings).
    pub fn new(files: Vec<FileReport>) -> Report {
        let mut report = Report {
            files,
            baseline: None,
        };
        report.normalize();
        report
    }

    /// Sorts files by path and each file's findings; removes duplicate findings.
    pub fn normalize(&mut self) {
        self.files.sort_by(|a, b| a.source.path.cmp(&b.source.path));
        for file in &mut self.files {
            file.normalize();
        }
    }

    /// All findings, in report order, with their file.
    pub fn findings(&self) -> impl Iterator<Item = (&FileReport, &Finding)> {
        self.files
            .iter()
            .flat_map(|file| file.findings.iter().map(move |f| (file, f)))
    }

    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for file in &self.files {
            match file.status {
                FileStatus::Audited => summary.files_audited += 1,
                FileStatus::Skipped => summary.files_skipped += 1,
                FileStatus::Error => summary.files_error += 1,
            }
            if file.from_source {
                summary.terraform_from_source += 1;
            }
            for finding in &file.findings {
                match finding.severity {
                    Severity::Error => summary.errors += 1,
                    Severity::Warning => summary.warnings += 1,
                    Severity::Note => summary.notes += 1,
                }
            }
            for s in &file.suppressed {
                match s.origin {
                    SuppressionOrigin::Baseline { .. } => summary.baselined += 1,
                    _ => summary.suppressed += 1,
                }
            }
        }
        summary.fixed = self.baseline.as_ref().map_or(0, |b| b.fixed.len());
        summary
    }

    /// 2 when any file could not be audited (the others are still reported), else 1 when any
    /// finding is at or above `fail_on`, else 0.
    pub fn exit_code(&self, fail_on: FailOn) -> u8 {
        if self.files.iter().any(|f| f.status == FileStatus::Error) {
            2
        } else if self.findings().any(|(_, f)| fail_on.fails(f.severity)) {
            1
        } else {
            0
        }
    }
}

/// Writes `report` in `format`. `checks` describes the rules (SARIF `rules`, GitHub titles);
/// `text` applies to the text format only.
pub fn write(
    report: &Report,
    format: Format,
    checks: &[&CheckInfo],
    text: text::TextOptions,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => text::write(report, &text, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, checks, out),
        Format::Github => github::write(report, checks, out),
        Format::Junit => junit::write(report, checks, out),
    }
}

/// The check id under which file errors are reported (SARIF rule, GitHub title, text code).
pub const INPUT_ERROR_ID: &str = "PG001";
/// The slug of [`INPUT_ERROR_ID`].
pub const INPUT_ERROR_SLUG: &str = "input-error";

/// The summary as one line of plain text:
/// `2 errors, 1 warning, 0 notes in 4 files (1 skipped, 1 unreadable)`, followed by
/// `; 1 suppressed` and `; 3 baselined, 1 fixed` when suppressions or a baseline applied.
pub fn summary_line(summary: &Summary) -> String {
    fn count(n: usize, one: &str, many: &str) -> String {
        format!("{n} {}", if n == 1 { one } else { many })
    }
    let mut line = format!(
        "{}, {}, {} in {} ({} skipped, {} unreadable)",
        count(summary.errors, "error", "errors"),
        count(summary.warnings, "warning", "warnings"),
        count(summary.notes, "note", "notes"),
        count(summary.files(), "file", "files"),
        summary.files_skipped,
        summary.files_error,
    );
    if summary.suppressed > 0 {
        line.push_str(&format!("; {} suppressed", summary.suppressed));
    }
    if summary.baselined > 0 || summary.fixed > 0 {
        line.push_str(&format!(
            "; {} baselined, {} fixed",
            summary.baselined, summary.fixed
        ));
    }
    if summary.terraform_from_source > 0 {
        line.push_str(&format!(
            "; {} audited from source without a plan (a plan gives a stronger verdict)",
            count(
                summary.terraform_from_source,
                "Terraform module",
                "Terraform modules"
            )
        ));
    }
    line
}

/// A stable identity of a finding across runs and edits: FNV-1a (64 bits, hex) over the check
/// id, the normalized file path, the resource and the sorted set of missing permissions, or,
/// for a finding without missing permissions (a problem in a document), its message, so that
/// two problems of one resource stay apart. The line is left out on purpose, so a finding
/// keeps its fingerprint when code above it moves.
pub fn fingerprint(file: &FileReport, finding: &Finding) -> String {
    fingerprint_at(&file.key_path, finding)
}

/// [`fingerprint`] for a finding of the file at `key_path` (relative to the repository root).
pub fn fingerprint_at(key_path: &str, finding: &Finding) -> String {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET_BASIS;
    let mut field = |bytes: &[u8]| {
        for &b in bytes.iter().chain(std::iter::once(&0u8)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    field(finding.check.as_bytes());
    field(key_path.as_bytes());
    field(finding.resource.as_bytes());
    let mut missing: Vec<_> = finding.missing.iter().collect();
    missing.sort();
    missing.dedup();
    if missing.is_empty() {
        field(finding.message.as_bytes());
    }
    for m in missing {
        field(m.action.as_bytes());
        field(m.resource.as_bytes());
    }
    format!("{hash:016x}")
}

/// insta settings for every report golden: `testdata/report/<name>.snap`.
#[cfg(test)]
pub(crate) fn snapshots() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/report"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// The content of an insta `.snap` file, without its `---` header.
#[cfg(test)]
pub(crate) fn snapshot_body(snap: &str) -> &str {
    snap.strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map_or(snap, |(_, body)| body)
}

#[cfg(test)]
mod tests {
    use super::fixtures::{finding, sample_report, yaml_file};
    use super::*;
    use crate::diag::Certainty;
    use crate::source::Span;

    #[test]
    fn findings_are_sorted_by_span_then_check_then_resource() {
        let mut file = FileReport::audited(yaml_file(), InputFormat::Cloudformation, vec![]);
        file.findings = vec![
            finding("PG102", "B", Some(Span::new(10, 12))),
            finding("PG101", "A", None),
            finding("PG102", "A", Some(Span::new(10, 12))),
            finding("PG101", "Z", Some(Span::new(10, 12))),
            finding("PG199", "A", Some(Span::new(3, 4))),
        ];
        file.normalize();
        let order: Vec<(&str, &str)> = file
            .findings
            .iter()
            .map(|f| (f.check, f.resource.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                ("PG199", "A"),
                ("PG101", "Z"),
                ("PG102", "A"),
                ("PG102", "B"),
                ("PG101", "A"),
            ]
        );
    }

    #[test]
    fn identical_findings_are_removed_but_near_duplicates_kept() {
        let a = finding("PG101", "A", Some(Span::new(1, 2)));
        let mut b = a.clone();
        b.certainty = Certainty::CannotVerify {
            reason: "unknown".into(),
        };
        let mut file = FileReport::audited(yaml_file(), InputFormat::Cloudformation, vec![]);
        // `b` sorts equal to `a` but differs; the second `a` must still be found and removed.
        file.findings = vec![a.clone(), b.clone(), a.clone(), b.clone()];
        file.normalize();
        assert_eq!(file.findings, vec![a, b]);
    }

    #[test]
    fn files_are_sorted_by_path() {
        let report = sample_report();
        let paths: Vec<_> = report
            .files
            .iter()
            .map(|f| f.source.path.to_string_lossy().into_owned())
            .collect();
        let mut sorted = paths.clone();
        sorted.sort();
        assert_eq!(paths, sorted);
    }

    #[test]
    fn summary_counts_severities_and_statuses() {
        let summary = sample_report().summary();
        assert_eq!(
            summary,
            Summary {
                errors: 2,
                warnings: 1,
                notes: 2,
                files_audited: 2,
                files_skipped: 1,
                files_error: 2,
                suppressed: 0,
                baselined: 0,
                fixed: 0,
                terraform_from_source: 0,
            }
        );
        assert_eq!(
            summary_line(&summary),
            "2 errors, 1 warning, 2 notes in 5 files (1 skipped, 2 unreadable)"
        );
    }

    fn report_with(severities: &[Severity], with_error_file: bool) -> Report {
        let findings = severities
            .iter()
            .map(|&s| {
                let mut f = finding("PG101", "Esm", None);
                f.severity = s;
                f
            })
            .collect();
        let mut files = vec![FileReport::audited(
            yaml_file(),
            InputFormat::Cloudformation,
            findings,
        )];
        if with_error_file {
            files.push(FileReport::error(
                Arc::new(SourceFile::new("bad.yaml", String::new())),
                None,
                FileError::new("cannot read `bad.yaml`: permission denied", None),
            ));
        }
        Report::new(files)
    }

    #[test]
    fn exit_codes_follow_fail_on() {
        use Severity::{Error, Note, Warning};
        let cases: &[(&[Severity], bool, [u8; 3])] = &[
            // severities, a file error, exit code for [Error, Warning, Never]
            (&[], false, [0, 0, 0]),
            (&[Note], false, [0, 0, 0]),
            (&[Note, Warning], false, [0, 1, 0]),
            (&[Error], false, [1, 1, 0]),
            (&[Warning, Error], false, [1, 1, 0]),
            (&[], true, [2, 2, 2]),
            (&[Error], true, [2, 2, 2]),
        ];
        for (severities, with_error, expected) in cases {
            let report = report_with(severities, *with_error);
            let got = [FailOn::Error, FailOn::Warning, FailOn::Never].map(|f| report.exit_code(f));
            assert_eq!(got, *expected, "{severities:?}, file error: {with_error}");
        }
        assert_eq!(FailOn::default(), FailOn::Error);
        assert_eq!(Report::default().exit_code(FailOn::Warning), 0);
    }

    #[test]
    fn fingerprint_ignores_line_and_missing_order() {
        let file = position::normalized_path(&yaml_file());
        let mut a = finding("PG101", "Esm", Some(Span::new(1, 2)));
        a.missing = vec![
            crate::diag::Missing {
                action: "sqs:ReceiveMessage".into(),
                resource: "arn:aws:sqs:*:*:q".into(),
            },
            crate::diag::Missing {
                action: "sqs:DeleteMessage".into(),
                resource: "arn:aws:sqs:*:*:q".into(),
            },
        ];
        let mut moved = a.clone();
        moved.span = Some(Span::new(40, 50));
        moved.missing.reverse();
        let fp = fingerprint_at(&file, &a);
        assert_eq!(fp.len(), 16);
        assert_eq!(fp, fingerprint_at(&file, &moved));
        let dotted = SourceFile::new("./stacks/app.yaml", String::new());
        assert_eq!(fp, fingerprint_at(&position::normalized_path(&dotted), &a));

        let mut other = a.clone();
        other.resource = "Other".into();
        assert_ne!(fp, fingerprint_at(&file, &other));
        let mut fewer = a.clone();
        fewer.missing.pop();
        assert_ne!(fp, fingerprint_at(&file, &fewer));
        // Without missing permissions, the message tells two problems of a resource apart.
        let mut problem = a.clone();
        problem.missing.clear();
        let mut other_problem = problem.clone();
        other_problem.message = "another problem".into();
        assert_ne!(
            fingerprint_at(&file, &problem),
            fingerprint_at(&file, &other_problem)
        );
        let mut moved_problem = problem.clone();
        moved_problem.span = Some(Span::new(40, 50));
        assert_eq!(
            fingerprint_at(&file, &problem),
            fingerprint_at(&file, &moved_problem)
        );
        // FNV-1a reference value: the empty input hashes to the offset basis.
        let mut empty = a;
        empty.check = "";
        empty.resource.clear();
        empty.missing.clear();
        empty.message.clear();
        // Four fields (check, path, resource, message), each followed by a zero byte.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for _ in 0..4 {
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        assert_eq!(fingerprint_at("", &empty), format!("{h:016x}"));
    }

    #[test]
    fn sample_report_exits_with_2() {
        assert_eq!(sample_report().exit_code(FailOn::Never), 2);
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;
        use crate::report::fixtures::{checks, finding};

        fn text() -> impl Strategy<Value = String> {
            // Line breaks of every kind, tabs, controls, multi-byte and wide characters.
            proptest::collection::vec(
                prop_oneof![
                    Just("a".to_string()),
                    Just(": ".to_string()),
                    Just("\n".to_string()),
                    Just("\r\n".to_string()),
                    Just("\r".to_string()),
                    Just("\t".to_string()),
                    Just("\u{1b}[2J".to_string()),
                    Just("\u{9b}".to_string()),
                    Just("\u{202e}".to_string()),
                    Just("é".to_string()),
                    Just("日本".to_string()),
                    Just("🦀".to_string()),
                ],
                0..60,
            )
            .prop_map(|parts| parts.concat())
        }

        fn span(max: u32) -> impl Strategy<Value = Option<Span>> {
            proptest::option::of((0..max + 4, 0..max + 4).prop_map(|(a, b)| Span {
                start: a.min(b),
                end: a.max(b),
            }))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]

            /// Whatever the text and spans, every format writes without error, the text format
            /// without an escape character of the input, and the JSON parses.
            #[test]
            fn every_format_writes_any_span_of_any_text(
                (body, spans, error_span) in text().prop_flat_map(|t| {
                    let len = u32::try_from(t.len()).unwrap();
                    (Just(t), proptest::collection::vec((span(len), span(len)), 0..4), span(len))
                }),
                message in text(),
            ) {
                let source = Arc::new(SourceFile::new("t.yaml", body.clone()));
                let findings = spans
                    .iter()
                    .map(|(primary, related)| {
                        let mut f = finding("PG101", "R", *primary);
                        f.message = message.clone();
                        f.related.push(crate::diag::Related {
                            resource: message.clone(),
                            span: *related,
                            role: crate::diag::RelatedRole::ExecutionRole,
                            note: Some(message.clone()),
                            location: None,
                        });
                        f
                    })
                    .collect();
                let report = Report::new(vec![
                    FileReport::audited(source, InputFormat::Cloudformation, findings),
                    FileReport::error(
                        Arc::new(SourceFile::new("u.yaml", body)),
                        None,
                        FileError::new(message.clone(), error_span),
                    ),
                ]);
                for format in [Format::Text, Format::Json, Format::Sarif, Format::Github, Format::Junit] {
                    let mut out = Vec::new();
                    write(&report, format, &checks(), text::TextOptions::new(false), &mut out).unwrap();
                    let out = String::from_utf8(out).unwrap();
                    match format {
                        Format::Text | Format::Github => {
                            let raw = ['\u{1b}', '\u{9b}', '\u{202e}'];
                            prop_assert!(!out.contains(raw), "raw control character in {}", out);
                        }
                        Format::Json | Format::Sarif => {
                            serde_json::from_str::<serde_json::Value>(&out).unwrap();
                        }
                        Format::Junit => {
                            // Characters XML cannot carry (escape, C1 controls) are dropped.
                            prop_assert!(out.starts_with("<?xml"), "{}", out);
                            prop_assert!(!out.contains(['\u{1b}', '\u{9b}']), "{}", out);
                        }
                    }
                    if format == Format::Text {
                        // miette rendered a snippet (rather than the fallback header) for every
                        // span that points into the text.
                        for file in &report.files {
                            let spans = file
                                .findings
                                .iter()
                                .map(|f| f.span)
                                .chain(file.error.as_ref().map(|e| e.span));
                            let shown = spans
                                .filter(|s| position::clamp(&file.source, *s).is_some())
                                .count();
                            let header = format!("╭─[{}:", file.source.path.display());
                            prop_assert!(out.matches(&header).count() >= shown, "{}", out);
                        }
                    }
                    if format == Format::Github {
                        // One line per finding and error, plus the summary.
                        let findings: usize = report.files.iter().map(|f| f.findings.len()).sum();
                        prop_assert_eq!(out.lines().count(), findings + 2);
                    }
                }
            }
        }
    }
}
