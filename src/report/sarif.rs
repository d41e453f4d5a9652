//! `--format sarif`: the report as a SARIF 2.1.0 log, for GitHub code scanning and other viewers.
//!
//! Input: a normalized [`Report`] and the [`CheckInfo`] of the checks that ran. Output: one
//! SARIF log with one run, valid against the official schema (vendored in
//! `schemas/vendor/sarif-schema-2.1.0.json`, used by the tests). The model below is the subset
//! permgate writes, nothing more.
//!
//! Mapping: each check is a rule; each finding a result with its span as `region` (columns in
//! Unicode code points, `run.columnKind`), its resource as a logical location, its related
//! locations, a `partialFingerprints` entry that ignores the line, and `properties` with
//! `certainty`, `reason`, `missing` and the fix statement. A finding without a span (plans)
//! has a location with the file only. File errors are results of rule `PG001` (`input-error`):
//! GitHub code scanning shows results as alerts on the file, whereas it does not show a
//! third-party tool's `toolExecutionNotifications` anywhere a reader would see them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{
    FileReport, FileStatus, INPUT_ERROR_ID, INPUT_ERROR_SLUG, Report, SuppressionOrigin,
    fingerprint, position,
};
use crate::checks::CheckInfo;
use crate::diag::{Certainty, Finding, Missing, Related, RelatedRole, Severity};
use crate::source::{SourceFile, Span};

const SARIF_SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The key of permgate's fingerprint in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "permgate/v1";
/// The base every relative artifact URI is relative to (the repository root in code scanning).
const SRCROOT: &str = "%SRCROOT%";
/// permgate's home: `tool.driver.informationUri`, and the base of each rule's `helpUri`.
pub const REPOSITORY: &str = "https://github.com/permgate/permgate";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    results: Vec<SarifResult<'a>>,
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Help<'a>>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

/// What GitHub code scanning reads of a rule: `tags` to filter by, and `security-severity`
/// (a score from 0.0 to 10.0; 7.0 and over is "high", 4.0 to 6.9 "medium", under 4.0 "low") to
/// rank security alerts.
#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: Severity,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: Severity,
    message: OwnedText,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<SarifSuppression>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
}

/// A suppression of a result: code scanning shows the result as dismissed.
#[derive(Serialize)]
struct SarifSuppression {
    /// `inSource` for a suppression written in the input, `external` for the configuration
    /// file and the baseline.
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<OwnedText>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: &'a str,
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Properties<'a> {
    certainty: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    #[serde(skip_serializing_if = "no_missing")]
    missing: &'a [Missing],
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a serde_json::Value>,
}

fn no_missing(missing: &&[Missing]) -> bool {
    missing.is_empty()
}

/// The rule file errors are reported under, unless `checks` defines [`INPUT_ERROR_ID`] itself.
const INPUT_ERROR_RULE: CheckInfo = CheckInfo {
    id: INPUT_ERROR_ID,
    slug: INPUT_ERROR_SLUG,
    default_severity: Severity::Error,
    summary: "input file could not be read, parsed or lowered",
    docs: "## What it checks\n\nThat every input file can be read as UTF-8 and parsed as a \
           CloudFormation or SAM template or a Terraform plan.\n\n## Why it matters\n\nA file \
           that cannot be parsed is not audited; the run exits with code 2.\n\n## How to fix\n\n\
           Fix the syntax error at the reported position, or exclude the file.\n",
    sources: &[],
    source_file: "src/checks/input_error.rs",
};

/// Writes the SARIF log, followed by a newline.
pub fn write(
    report: &Report,
    checks: &[&CheckInfo],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    write_with_version(report, checks, env!("CARGO_PKG_VERSION"), out)
}

/// [`write`] with the tool version given (tests pin it so goldens survive releases).
pub(crate) fn write_with_version(
    report: &Report,
    checks: &[&CheckInfo],
    tool_version: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut rule_infos: Vec<&CheckInfo> = checks.to_vec();
    let has_errors = report.files.iter().any(|f| f.status == FileStatus::Error);
    if has_errors && !rule_infos.iter().any(|c| c.id == INPUT_ERROR_ID) {
        rule_infos.push(&INPUT_ERROR_RULE);
    }
    rule_infos.sort_by_key(|c| c.id);
    rule_infos.dedup_by_key(|c| c.id);
    let rule_index = |id: &str| rule_infos.binary_search_by_key(&id, |c| c.id).ok();

    let mut results = Vec::new();
    for file in &report.files {
        let artifact = artifact_location(file);
        if let Some(error) = &file.error {
            let mut text = error.message.clone();
            if let Some(help) = &error.help {
                text.push_str("\n\nhelp: ");
                text.push_str(help);
            }
            results.push(SarifResult {
                rule_id: INPUT_ERROR_ID,
                rule_index: rule_index(INPUT_ERROR_ID),
                level: Severity::Error,
                message: OwnedText { text },
                locations: [Location {
                    id: None,
                    physical_location: physical(&file.source, &artifact, error.span),
                    logical_locations: Vec::new(),
                    message: None,
                }],
                related_locations: Vec::new(),
                partial_fingerprints: BTreeMap::new(),
                properties: None,
                suppressions: Vec::new(),
                baseline_state: None,
            });
        }
        let with_baseline = report.baseline.is_some();
        for finding in &file.findings {
            let mut r = result(file, &artifact, finding, rule_index(finding.check));
            r.baseline_state = with_baseline.then_some("new");
            results.push(r);
        }
        for s in &file.suppressed {
            let mut r = result(file, &artifact, &s.finding, rule_index(s.finding.check));
            let (kind, justification) = match &s.origin {
                SuppressionOrigin::Inline { .. } => ("inSource", s.reason.clone()),
                SuppressionOrigin::Config { file, line } => (
                    "external",
                    match line {
                        Some(line) => format!("{} ({file}:{line})", s.reason),
                        None => format!("{} ({file})", s.reason),
                    },
                ),
                SuppressionOrigin::Baseline { file } => {
                    r.baseline_state = Some("unchanged");
                    ("external", format!("in the baseline {file}"))
                }
            };
            if with_baseline && r.baseline_state.is_none() {
                r.baseline_state = Some("new");
            }
            r.suppressions.push(SarifSuppression {
                kind,
                justification,
            });
            results.push(r);
        }
    }

    let rules = rule_infos.iter().map(|c| rule(c)).collect();
    let log = Log {
        schema: SARIF_SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: env!("CARGO_PKG_NAME"),
                    version: tool_version,
                    semantic_version: tool_version,
                    information_uri: REPOSITORY,
                    rules,
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

fn rule<'a>(info: &'a CheckInfo) -> Rule<'a> {
    let full = docs_section(info.docs, "What it checks").unwrap_or(info.summary);
    Rule {
        id: info.id,
        name: info.slug,
        short_description: Text { text: info.summary },
        full_description: Text { text: full },
        help_uri: (!info.source_file.is_empty())
            .then(|| format!("{REPOSITORY}/blob/main/{}", info.source_file)),
        help: (!info.docs.trim().is_empty()).then_some(Help {
            text: info.docs,
            markdown: info.docs,
        }),
        default_configuration: Configuration {
            level: info.default_severity,
        },
        properties: rule_properties(info),
    }
}

/// Tags by the area a check's id belongs to; a security severity for the checks about
/// permissions (the PG0xx checks are about the input and the suppressions, not security).
fn rule_properties(info: &CheckInfo) -> RuleProperties {
    let area = match info.id.get(..3) {
        Some("PG0") => "input",
        Some("PG1") => "event-source-mapping",
        Some("PG2") => "function-policy",
        Some("PG3") => "msk-connect",
        Some("PG4") => "function",
        _ => "least-privilege",
    };
    if area == "input" {
        return RuleProperties {
            tags: vec!["correctness", area],
            security_severity: None,
        };
    }
    RuleProperties {
        tags: vec!["security", "aws-lambda", "iam", area],
        security_severity: Some(match info.default_severity {
            Severity::Error => "7.5",
            Severity::Warning => "5.0",
            Severity::Note => "2.0",
        }),
    }
}

/// The body of the Markdown section titled `title` (any heading level), trimmed.
fn docs_section<'a>(docs: &'a str, title: &str) -> Option<&'a str> {
    let mut start = None;
    let mut offset = 0;
    for line in docs.split_inclusive('\n') {
        let heading = line.trim_start_matches('#');
        let is_heading = heading.len() < line.len() && heading.starts_with(' ');
        if is_heading {
            if let Some(s) = start {
                return docs.get(s..offset).map(str::trim).filter(|b| !b.is_empty());
            }
            if heading.trim() == title {
                start = Some(offset + line.len());
            }
        }
        offset += line.len();
    }
    start
        .and_then(|s| docs.get(s..))
        .map(str::trim)
        .filter(|b| !b.is_empty())
}

fn result<'a>(
    file: &'a FileReport,
    artifact: &ArtifactLocation,
    finding: &'a Finding,
    rule_index: Option<usize>,
) -> SarifResult<'a> {
    let source = &file.source;
    let (certainty, reason) = match &finding.certainty {
        Certainty::Certain => ("certain", None),
        Certainty::CannotVerify { reason } => ("cannot-verify", Some(reason.as_str())),
    };
    let mut text = finding.message.clone();
    if let Some(reason) = reason {
        text.push_str("\n\ncannot verify: ");
        text.push_str(reason);
    }
    if let Some(fix) = &finding.fix {
        text.push_str("\n\nhelp: ");
        text.push_str(&fix.help);
    }
    let mut related_locations: Vec<Location> = finding
        .related
        .iter()
        .enumerate()
        .map(|(i, r)| related_location(file, artifact, i, r))
        .collect();
    if let Some(site) = file.created_at(finding).filter(|s| s.on_disk) {
        related_locations.push(creation_location(related_locations.len(), site));
    }
    SarifResult {
        rule_id: finding.check,
        rule_index,
        level: finding.severity,
        message: OwnedText { text },
        locations: [Location {
            id: None,
            physical_location: {
                let (site, span) = super::finding_site(file, finding);
                physical_at(
                    source,
                    artifact,
                    site,
                    super::finding_key_path(file, finding),
                    span,
                )
            },
            // A finding about a whole file (PG004) names no resource.
            logical_locations: if finding.resource.is_empty() {
                Vec::new()
            } else {
                let mut location = logical(&finding.resource);
                // A CDK resource is known by its construct path.
                if let Some(construct) = file.construct_of(finding) {
                    location.fully_qualified_name = construct;
                } else if let Some(function) = file.serverless_function_of(finding) {
                    // A Serverless Framework resource is known by its function's name.
                    location.fully_qualified_name = function;
                }
                vec![location]
            },
            message: None,
        }],
        related_locations,
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint(file, finding))]),
        properties: Some(Properties {
            certainty,
            reason,
            missing: &finding.missing,
            fix: finding.fix.as_ref().map(|f| &f.statement),
        }),
        suppressions: Vec::new(),
        baseline_state: None,
    }
}

fn related_location<'a>(
    file: &FileReport,
    artifact: &ArtifactLocation,
    index: usize,
    related: &'a Related,
) -> Location<'a> {
    let what = role_words(related.role);
    let text = match &related.note {
        Some(note) => format!("{what} `{}`: {note}", related.resource),
        None => format!("{what} `{}`", related.resource),
    };
    Location {
        id: Some(index),
        physical_location: {
            let (site, span) = super::related_site(file, related);
            let site_key_path = related
                .location
                .as_ref()
                .map_or(file.key_path.as_str(), |at| at.key_path.as_str());
            physical_at(&file.source, artifact, site, site_key_path, span)
        },
        logical_locations: vec![logical(&related.resource)],
        message: Some(OwnedText { text }),
    }
}

/// The line of a CDK app's code that created the construct a finding is about: where a CDK
/// user makes the fix.
fn creation_location<'a>(index: usize, site: &super::CodeSite) -> Location<'a> {
    let text = match &site.function {
        Some(function) => format!("the construct is created here, in `{function}`"),
        None => "the construct is created here".to_string(),
    };
    let (line, column) = (to_u32(site.line), to_u32(site.column));
    Location {
        id: Some(index),
        physical_location: PhysicalLocation {
            artifact_location: artifact_uri(&site.key_path),
            region: Some(Region {
                start_line: line,
                start_column: column,
                end_line: line,
                end_column: column,
            }),
        },
        logical_locations: Vec::new(),
        message: Some(OwnedText { text }),
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `RelatedRole` as words for a sentence (`execution role`).
pub(crate) fn role_words(role: RelatedRole) -> &'static str {
    match role {
        RelatedRole::Function => "function",
        RelatedRole::ExecutionRole => "execution role",
        RelatedRole::ServiceExecutionRole => "service execution role",
        RelatedRole::Policy => "policy",
        RelatedRole::Statement => "statement",
        RelatedRole::Secret => "secret",
        RelatedRole::Key => "key",
        RelatedRole::Source => "event source",
        RelatedRole::Destination => "destination",
        RelatedRole::Permission => "permission",
        RelatedRole::Trigger => "trigger",
        RelatedRole::Boundary => "permissions boundary",
        RelatedRole::Input => "input of record",
    }
}

fn logical(resource: &str) -> LogicalLocation<'_> {
    LogicalLocation {
        name: resource,
        fully_qualified_name: resource,
        kind: "resource",
    }
}

fn physical(
    source: &SourceFile,
    artifact: &ArtifactLocation,
    span: Option<Span>,
) -> PhysicalLocation {
    PhysicalLocation {
        artifact_location: artifact.clone(),
        region: position::region(source, span).map(|r| Region {
            start_line: r.start.line,
            start_column: r.start.column,
            end_line: r.end.line,
            end_column: r.end.column,
        }),
    }
}

/// [`physical`] in `site`, which is the report's file (`source`, whose artifact is given) or
/// another file of the same application (a plan resource's `.tf` source).
fn physical_at(
    source: &SourceFile,
    artifact: &ArtifactLocation,
    site: &SourceFile,
    site_key_path: &str,
    span: Option<Span>,
) -> PhysicalLocation {
    if std::ptr::eq(source, site) {
        physical(source, artifact, span)
    } else {
        physical(site, &artifact_uri(site_key_path), span)
    }
}

/// The file's URI: relative to the repository root (`%SRCROOT%`) when it is inside it, which is
/// what code scanning matches against, else absolute.
fn artifact_location(file: &FileReport) -> ArtifactLocation {
    artifact_uri(&file.key_path)
}

/// A path relative to the repository root becomes a URI reference relative to `%SRCROOT%`; an
/// absolute one a `file:` URI. Both are percent-encoded.
fn artifact_uri(path: &str) -> ArtifactLocation {
    if std::path::Path::new(path).is_absolute() {
        let slash = if path.starts_with('/') { "" } else { "/" };
        ArtifactLocation {
            uri: format!("file://{slash}{}", percent_encode(path, true)),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: percent_encode(path, false),
            uri_base_id: Some(SRCROOT),
        }
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/` (and `:` in absolute
/// paths, for Windows drive letters; in a relative reference a `:` could read as a scheme).
fn percent_encode(path: &str, keep_colon: bool) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/')
            || (keep_colon && b == b':');
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, LazyLock};

    use serde_json::Value;

    use super::*;
    use crate::model::InputFormat;
    use crate::report::fixtures::{checks, finding, sample_report};

    const SCHEMA_PATH: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/vendor/sarif-schema-2.1.0.json"
    );

    static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
        let text = std::fs::read_to_string(SCHEMA_PATH).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    });

    /// Panics with every violation when `log` does not match the official SARIF schema.
    pub(crate) fn assert_valid_sarif(log: &Value) {
        let errors: Vec<String> = VALIDATOR
            .iter_errors(log)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
    }

    fn render(report: &Report, checks: &[&CheckInfo]) -> String {
        let mut out = Vec::new();
        write_with_version(report, checks, "0.0.0-test", &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn suppressed_and_baselined_findings_are_dismissed_results() {
        let mut report = sample_report();
        let file = report
            .files
            .iter_mut()
            .find(|f| !f.findings.is_empty())
            .unwrap();
        let inline = file.findings.remove(0);
        let baselined = file.findings.remove(0);
        file.suppressed.push(crate::report::Suppressed {
            finding: inline,
            reason: "accepted".into(),
            origin: SuppressionOrigin::Inline {
                file: "plans/prod.tfplan.json".into(),
                line: None,
            },
        });
        file.suppressed.push(crate::report::Suppressed {
            finding: baselined,
            reason: "in the baseline".into(),
            origin: SuppressionOrigin::Baseline {
                file: "base.json".into(),
            },
        });
        report.baseline = Some(crate::report::BaselineOutcome::default());
        let log: Value = serde_json::from_str(&render(&report, &checks())).unwrap();
        assert_valid_sarif(&log);
        let results = log["runs"][0]["results"].as_array().unwrap();
        let suppressions: Vec<(&str, &str)> = results
            .iter()
            .filter_map(|r| {
                let s = r.get("suppressions")?;
                Some((
                    s[0]["kind"].as_str().unwrap(),
                    r["baselineState"].as_str().unwrap(),
                ))
            })
            .collect();
        assert_eq!(
            suppressions,
            [("inSource", "new"), ("external", "unchanged")]
        );
        assert!(
            results
                .iter()
                .filter(|r| r.get("suppressions").is_none() && r["ruleId"] != "PG001")
                .all(|r| r["baselineState"] == "new")
        );
        let rule = &log["runs"][0]["tool"]["driver"]["rules"][0];
        assert_eq!(
            log["runs"][0]["tool"]["driver"]["informationUri"],
            REPOSITORY
        );
        assert_eq!(rule["properties"]["tags"][0], "correctness");
    }

    #[test]
    fn sample_report_matches_snapshot_and_official_schema() {
        let output = render(&sample_report(), &checks());
        let log: Value = serde_json::from_str(&output).unwrap();
        assert_valid_sarif(&log);
        crate::report::snapshots().bind(|| insta::assert_snapshot!("sample.sarif", output));
    }

    #[test]
    fn official_schema_rejects_a_broken_log() {
        let mut log: Value = serde_json::from_str(&render(&sample_report(), &checks())).unwrap();
        log["runs"][0]["results"][0]["level"] = "fatal".into();
        assert!(!VALIDATOR.is_valid(&log));
        let mut log: Value = serde_json::from_str(&render(&sample_report(), &checks())).unwrap();
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] =
            serde_json::json!({"startLine": 0});
        assert!(!VALIDATOR.is_valid(&log));
    }

    #[test]
    fn results_map_findings() {
        let log: Value = serde_json::from_str(&render(&sample_report(), &checks())).unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["columnKind"], "unicodeCodePoints");
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["PG001", "PG101", "PG103", "PG106"]);
        assert_eq!(rules[1]["name"], "esm-sqs-poll-permissions");
        assert_eq!(rules[3]["defaultConfiguration"]["level"], "warning");
        assert!(
            rules[1]["fullDescription"]["text"]
                .as_str()
                .unwrap()
                .starts_with("That the execution role")
        );

        let results = run["results"].as_array().unwrap();
        // 5 findings and 2 file errors.
        assert_eq!(results.len(), 7);
        for r in results {
            let index = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
        }

        let plan: Vec<&Value> = results
            .iter()
            .filter(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "plans/prod.tfplan.json"
            })
            .collect();
        assert_eq!(plan.len(), 2);
        for r in &plan {
            assert!(
                r["locations"][0]["physicalLocation"]
                    .get("region")
                    .is_none()
            );
            assert_eq!(
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                "module.orders.aws_lambda_event_source_mapping.this[\"orders\"]"
            );
            assert_eq!(
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
                "%SRCROOT%"
            );
        }

        let poll = results
            .iter()
            .find(|r| r["locations"][0]["logicalLocations"][0]["name"] == "OrdersMapping")
            .unwrap();
        let region = &poll["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 24);
        assert_eq!(region["startColumn"], 7);
        assert_eq!(region["endLine"], 24);
        assert_eq!(
            region["endColumn"],
            7 + "EventSourceArn: !GetAtt OrdersQueue.Arn".len()
        );
        assert_eq!(poll["relatedLocations"].as_array().unwrap().len(), 2);
        assert_eq!(
            poll["relatedLocations"][0]["physicalLocation"]["region"]["startLine"],
            13
        );
        assert_eq!(poll["properties"]["missing"].as_array().unwrap().len(), 3);
        assert_eq!(poll["properties"]["fix"]["Effect"], "Allow");
        assert_eq!(poll["properties"]["certainty"], "certain");
        assert_eq!(
            poll["partialFingerprints"][FINGERPRINT_KEY]
                .as_str()
                .unwrap()
                .len(),
            16
        );

        let unknown = results
            .iter()
            .find(|r| r["properties"]["certainty"] == "cannot-verify")
            .unwrap();
        assert_eq!(unknown["level"], "note");
        assert!(
            unknown["message"]["text"]
                .as_str()
                .unwrap()
                .contains("cannot verify: ")
        );

        let broken = results
            .iter()
            .find(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "stacks/broken.yaml"
            })
            .unwrap();
        assert_eq!(broken["ruleId"], "PG001");
        assert_eq!(broken["level"], "error");
        assert_eq!(
            broken["locations"][0]["physicalLocation"]["region"]["startLine"],
            3
        );
    }

    #[test]
    fn no_input_error_rule_without_file_errors_and_checks_may_define_it() {
        let report = Report::new(vec![FileReport::audited(
            crate::report::fixtures::yaml_file(),
            InputFormat::Cloudformation,
            vec![finding("PG999", "Unknown", None)],
        )]);
        let log: Value = serde_json::from_str(&render(&report, &checks())).unwrap();
        assert_valid_sarif(&log);
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), 3);
        // A finding whose check is not in the rules has no `ruleIndex`.
        assert!(log["runs"][0]["results"][0].get("ruleIndex").is_none());

        let own = CheckInfo {
            id: "PG001",
            slug: "parse-error",
            ..INPUT_ERROR_RULE
        };
        let rules: Vec<&CheckInfo> = vec![&own];
        let log: Value = serde_json::from_str(&render(&sample_report(), &rules)).unwrap();
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0]["name"], "parse-error");
    }

    #[test]
    fn uris_are_relative_to_srcroot_and_encoded() {
        let loc = |p: &str| {
            artifact_location(&FileReport::skipped(
                Arc::new(SourceFile::new(p, String::new())),
                "",
            ))
        };
        let rel = loc("./infra/my stack/a:b#1%.yaml");
        assert_eq!(rel.uri, "infra/my%20stack/a%3Ab%231%25.yaml");
        assert_eq!(rel.uri_base_id, Some("%SRCROOT%"));
        assert_eq!(loc("é.yaml").uri, "%C3%A9.yaml");
        if cfg!(unix) {
            let abs = loc("/tmp/x y.yaml");
            assert_eq!(abs.uri, "file:///tmp/x%20y.yaml");
            assert_eq!(abs.uri_base_id, None);
        }
        let report = Report::new(vec![FileReport::audited(
            Arc::new(SourceFile::new("/abs/pla n.json", String::new())),
            InputFormat::TerraformPlan,
            vec![finding("PG101", "aws_x.y", None)],
        )]);
        assert_valid_sarif(&serde_json::from_str(&render(&report, &checks())).unwrap());
    }

    #[test]
    fn docs_section_takes_the_body_up_to_the_next_heading() {
        let docs = "# Title\n\n## What it checks\n\nThis and\nthat.\n\n## Why\n\nBecause.\n";
        assert_eq!(
            docs_section(docs, "What it checks"),
            Some("This and\nthat.")
        );
        assert_eq!(docs_section(docs, "Why"), Some("Because."));
        assert_eq!(docs_section(docs, "Missing"), None);
        assert_eq!(docs_section("#hashtag\n", "hashtag"), None);
    }

    /// Every SARIF golden under `testdata/` (`*.sarif.snap`) validates against the schema.
    #[test]
    fn every_sarif_golden_validates() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(root) {
            let entry = entry.unwrap();
            if !entry.file_name().to_string_lossy().ends_with(".sarif.snap") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let log: Value = serde_json::from_str(crate::report::snapshot_body(&text))
                .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
            assert_valid_sarif(&log);
            checked += 1;
        }
        assert!(checked >= 1, "no SARIF golden found under {root}");
    }
}
