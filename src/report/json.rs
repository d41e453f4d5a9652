//! `--format json`: the report as stable JSON.
//!
//! Input: a normalized [`Report`]. Output: one pretty-printed JSON document that validates
//! against `schemas/report.schema.json` (version `2`: version 1 plus `suppressed`, `baseline`
//! and the summary's `suppressed`, `baselined` and `fixed`). Invariants: field names and enum words
//! never change within a version; `line` and `column` are 1-based (columns count Unicode scalar
//! values) and null when the finding has no span; `fingerprint` does not depend on the line.

use std::borrow::Cow;

use serde::Serialize;

use super::{FileReport, FileStatus, Report, Summary, fingerprint, position};
use crate::diag::{Certainty, Finding, Missing, RelatedRole, Severity};
use crate::model::InputFormat;

/// The value of the top-level `version` field.
pub const SCHEMA_VERSION: &str = "2";

#[derive(Serialize)]
struct JsonReport<'a> {
    version: &'static str,
    tool: Tool<'a>,
    files: Vec<JsonFile<'a>>,
    findings: Vec<JsonFinding<'a>>,
    suppressed: Vec<JsonSuppressed<'a>>,
    baseline: Option<JsonBaseline<'a>>,
    summary: Summary,
}

/// A finding kept out of `findings`, with why.
#[derive(Serialize)]
struct JsonSuppressed<'a> {
    #[serde(flatten)]
    finding: JsonFinding<'a>,
    suppression: JsonSuppression<'a>,
}

#[derive(Serialize)]
struct JsonSuppression<'a> {
    kind: &'static str,
    reason: &'a str,
    file: &'a str,
    line: Option<u32>,
}

#[derive(Serialize)]
struct JsonBaseline<'a> {
    file: &'a str,
    fixed: &'a [super::BaselineEntry],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: String,
    format: Option<InputFormat>,
    status: FileStatus,
    message: Option<&'a str>,
    line: Option<u32>,
    column: Option<u32>,
    /// The stack's name in its application (a CDK stack); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    stack: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
enum CertaintyWord {
    Certain,
    CannotVerify,
}

#[derive(Serialize)]
struct JsonCodeSite<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    function: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    check: &'a str,
    severity: Severity,
    certainty: CertaintyWord,
    reason: Option<&'a str>,
    message: &'a str,
    file: Cow<'a, str>,
    line: Option<u32>,
    column: Option<u32>,
    resource: &'a str,
    /// The resource's CDK construct path, when the template records one; left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    construct_path: Option<&'a str>,
    /// Where the CDK app's code created that construct, when the assembly records it.
    #[serde(skip_serializing_if = "Option::is_none")]
    construct_source: Option<JsonCodeSite<'a>>,
    /// The `serverless.yml` function the resource derives from, for a template compiled by the
    /// Serverless Framework; left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    serverless_function: Option<&'a str>,
    /// The stack's name in its application (a CDK stack); left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    stack: Option<&'a str>,
    related: Vec<JsonRelated<'a>>,
    missing: &'a [Missing],
    fix: Option<JsonFix<'a>>,
    fingerprint: String,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    resource: &'a str,
    file: Cow<'a, str>,
    line: Option<u32>,
    role: RelatedRole,
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    help: &'a str,
    statement: &'a serde_json::Value,
    /// The fix in the input's own language (HCL for a plan with its source), when not JSON;
    /// left out otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

/// Writes the JSON report, followed by a newline.
pub fn write(report: &Report, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_with_version(report, env!("CARGO_PKG_VERSION"), out)
}

/// [`write`] with the tool version given (tests pin it so goldens survive releases).
pub(crate) fn write_with_version(
    report: &Report,
    tool_version: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let paths: Vec<String> = report
        .files
        .iter()
        .map(|f| f.source.path.to_string_lossy().into_owned())
        .collect();
    let files = report
        .files
        .iter()
        .zip(&paths)
        .map(|(file, path)| json_file(file, path.clone()))
        .collect();
    let findings = report
        .files
        .iter()
        .zip(&paths)
        .flat_map(|(file, path)| {
            file.findings
                .iter()
                .map(move |f| json_finding(file, path, f))
        })
        .collect();
    let document = JsonReport {
        version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: tool_version,
        },
        files,
        findings,
        suppressed: report
            .files
            .iter()
            .zip(&paths)
            .flat_map(|(file, path)| {
                file.suppressed.iter().map(move |s| JsonSuppressed {
                    finding: json_finding(file, path, &s.finding),
                    suppression: JsonSuppression {
                        kind: s.origin.kind(),
                        reason: &s.reason,
                        file: s.origin.file(),
                        line: s.origin.line(),
                    },
                })
            })
            .collect(),
        baseline: report.baseline.as_ref().map(|b| JsonBaseline {
            file: &b.path,
            fixed: &b.fixed,
        }),
        summary: report.summary(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n")
}

fn json_file(file: &FileReport, path: String) -> JsonFile<'_> {
    let at = file
        .error
        .as_ref()
        .and_then(|e| position::clamp(&file.source, e.span))
        .map(|span| file.source.line_col(span.start));
    JsonFile {
        path,
        format: file.format,
        status: file.status,
        message: file.message.as_deref(),
        line: at.map(|p| p.line),
        column: at.map(|p| p.column),
        stack: file.stack.as_deref(),
    }
}

fn json_finding<'a>(file: &'a FileReport, path: &'a str, finding: &'a Finding) -> JsonFinding<'a> {
    let (site, span) = super::finding_site(file, finding);
    let at = position::clamp(site, span).map(|span| site.line_col(span.start));
    let (certainty, reason) = match &finding.certainty {
        Certainty::Certain => (CertaintyWord::Certain, None),
        Certainty::CannotVerify { reason } => (CertaintyWord::CannotVerify, Some(reason.as_str())),
    };
    // A finding shown in another file (a plan resource at its `.tf` block) names that file.
    let file_of = |source: &'a crate::source::SourceFile| -> Cow<'a, str> {
        if std::ptr::eq(source, &*file.source) {
            Cow::Borrowed(path)
        } else {
            source.path.to_string_lossy()
        }
    };
    JsonFinding {
        check: finding.check,
        severity: finding.severity,
        certainty,
        reason,
        message: &finding.message,
        file: file_of(site),
        line: at.map(|p| p.line),
        column: at.map(|p| p.column),
        resource: &finding.resource,
        construct_path: file.construct_of(finding),
        construct_source: file.created_at(finding).map(|site| JsonCodeSite {
            file: &site.key_path,
            line: site.line,
            column: site.column,
            function: site.function.as_deref(),
        }),
        serverless_function: file.serverless_function_of(finding),
        stack: file.stack.as_deref(),
        related: finding
            .related
            .iter()
            .map(|r| {
                let (site, span) = super::related_site(file, r);
                JsonRelated {
                    resource: &r.resource,
                    file: file_of(site),
                    line: position::clamp(site, span).map(|s| site.line_col(s.start).line),
                    role: r.role,
                    note: r.note.as_deref(),
                }
            })
            .collect(),
        missing: &finding.missing,
        fix: finding.fix.as_ref().map(|fix| JsonFix {
            help: &fix.help,
            statement: &fix.statement,
            source: fix.source.as_deref(),
        }),
        fingerprint: fingerprint(file, finding),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::LazyLock;

    use serde_json::Value;

    use super::*;
    use crate::report::fixtures::sample_report;

    const SCHEMA_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report.schema.json");

    static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
        let text = std::fs::read_to_string(SCHEMA_PATH).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    });

    /// Panics with every violation when `document` does not match the report schema.
    pub(crate) fn assert_valid_report(document: &Value) {
        let errors: Vec<String> = VALIDATOR
            .iter_errors(document)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "report does not match its schema:\n{}",
            errors.join("\n")
        );
    }

    pub(crate) fn render(report: &Report) -> String {
        let mut out = Vec::new();
        write_with_version(report, "0.0.0-test", &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sample_report_matches_snapshot_and_schema() {
        let output = render(&sample_report());
        let document: Value = serde_json::from_str(&output).unwrap();
        assert_valid_report(&document);
        crate::report::snapshots().bind(|| insta::assert_snapshot!("sample.json", output));
    }

    #[test]
    fn suppressed_findings_and_the_baseline_validate() {
        let mut report = sample_report();
        let file = report
            .files
            .iter_mut()
            .find(|f| !f.findings.is_empty())
            .unwrap();
        let finding = file.findings.remove(0);
        let fingerprint = fingerprint(file, &finding);
        file.suppressed.push(crate::report::Suppressed {
            finding,
            reason: "accepted".into(),
            origin: crate::report::SuppressionOrigin::Config {
                file: ".permgate.toml".into(),
                line: Some(3),
            },
        });
        report.baseline = Some(crate::report::BaselineOutcome {
            path: "base.json".into(),
            fixed: vec![crate::report::BaselineEntry {
                fingerprint: "0123456789abcdef".into(),
                check: "PG101".into(),
                file: "gone.yaml".into(),
                resource: "Esm".into(),
                message: "m".into(),
            }],
        });
        let document: Value = serde_json::from_str(&render(&report)).unwrap();
        assert_valid_report(&document);
        let suppressed = &document["suppressed"][0];
        assert_eq!(suppressed["fingerprint"], fingerprint.as_str());
        assert_eq!(suppressed["suppression"]["kind"], "config");
        assert_eq!(suppressed["suppression"]["line"], 3);
        assert_eq!(document["summary"]["suppressed"], 1);
        assert_eq!(document["summary"]["fixed"], 1);
        assert_eq!(document["baseline"]["fixed"][0]["file"], "gone.yaml");
    }

    #[test]
    fn fields_carry_what_the_findings_say() {
        let document: Value = serde_json::from_str(&render(&sample_report())).unwrap();
        assert_eq!(document["version"], "2");
        assert_eq!(document["tool"]["name"], "permgate");
        let findings = document["findings"].as_array().unwrap();
        // The duplicate PG101 finding in the template is reported once.
        assert_eq!(findings.len(), 5);

        let poll = findings
            .iter()
            .find(|f| f["resource"] == "OrdersMapping")
            .unwrap();
        // Line 24 is `EventSourceArn: ...` of `OrdersMapping`, indented by six spaces.
        assert_eq!(
            (poll["line"].as_u64(), poll["column"].as_u64()),
            (Some(24), Some(7))
        );
        assert_eq!(poll["related"][0]["role"], "execution-role");
        assert_eq!(poll["related"][0]["line"], 13);
        assert_eq!(poll["fix"]["statement"]["Effect"], "Allow");
        assert_eq!(poll["missing"].as_array().unwrap().len(), 3);

        // Non-ASCII characters before the span count as one column each.
        let hostile = findings.iter().find(|f| f["check"] == "PG106").unwrap();
        let line4 = crate::report::fixtures::APP_YAML.lines().nth(3).unwrap();
        let col = line4[..line4.find("VisibilityTimeout").unwrap()]
            .chars()
            .count()
            + 1;
        assert_eq!(hostile["line"], 4);
        assert_eq!(hostile["column"].as_u64(), Some(col as u64));
        assert!(
            line4.len() + 1 > col + 2,
            "the line has multi-byte characters"
        );

        let unknown = findings
            .iter()
            .find(|f| f["resource"] == "ImportedMapping")
            .unwrap();
        assert_eq!(unknown["certainty"], "cannot-verify");
        assert!(
            unknown["reason"]
                .as_str()
                .unwrap()
                .contains("Fn::ImportValue")
        );
        assert_eq!(poll["certainty"], "certain");
        assert_eq!(poll["reason"], Value::Null);

        for plan in findings
            .iter()
            .filter(|f| f["file"] == "plans/prod.tfplan.json")
        {
            assert_eq!(plan["line"], Value::Null);
            assert_eq!(plan["column"], Value::Null);
            assert_eq!(plan["related"][0]["line"], Value::Null);
        }

        let files = document["files"].as_array().unwrap();
        let broken = files
            .iter()
            .find(|f| f["path"] == "stacks/broken.yaml")
            .unwrap();
        assert_eq!(broken["status"], "error");
        assert_eq!(
            (broken["line"].as_u64(), broken["column"].as_u64()),
            (Some(3), Some(3))
        );
        let locked = files
            .iter()
            .find(|f| f["path"] == "stacks/locked.yaml")
            .unwrap();
        assert_eq!(locked["line"], Value::Null);
        assert_eq!(locked["format"], Value::Null);
        let skipped = files.iter().find(|f| f["status"] == "skipped").unwrap();
        assert_eq!(
            skipped["message"],
            "not a CloudFormation template or Terraform plan"
        );

        assert_eq!(document["summary"]["errors"], 2);
        assert_eq!(document["summary"]["files_error"], 2);
    }

    #[test]
    fn empty_report_is_valid() {
        let document: Value = serde_json::from_str(&render(&Report::default())).unwrap();
        assert_valid_report(&document);
        assert_eq!(document["files"], Value::Array(vec![]));
    }

    #[test]
    fn schema_rejects_unknown_fields_and_words() {
        let mut document: Value = serde_json::from_str(&render(&sample_report())).unwrap();
        document["findings"][0]["severity"] = "fatal".into();
        assert!(!VALIDATOR.is_valid(&document));
        let mut document: Value = serde_json::from_str(&render(&sample_report())).unwrap();
        document["findings"][0]["extra"] = 1.into();
        assert!(!VALIDATOR.is_valid(&document));
        let mut document: Value = serde_json::from_str(&render(&sample_report())).unwrap();
        document["version"] = "1".into();
        assert!(!VALIDATOR.is_valid(&document));
    }

    /// Every input format the model knows is an allowed `format` word in the schema.
    #[test]
    fn schema_lists_every_input_format() {
        fn all() -> [InputFormat; 4] {
            // A new variant makes this match fail to compile: add it to the array and the schema.
            match InputFormat::Cloudformation {
                InputFormat::Cloudformation
                | InputFormat::Sam
                | InputFormat::TerraformPlan
                | InputFormat::TerraformState => {}
            }
            [
                InputFormat::Cloudformation,
                InputFormat::Sam,
                InputFormat::TerraformPlan,
                InputFormat::TerraformState,
            ]
        }
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(SCHEMA_PATH).unwrap()).unwrap();
        let words = schema["$defs"]["format"]["enum"].as_array().unwrap();
        for format in all() {
            let word = serde_json::to_value(format).unwrap();
            assert!(words.contains(&word), "{word} missing from the schema");
        }
        assert_eq!(words.len(), all().len() + 1, "the schema also allows null");
    }

    /// Every related role is an allowed `role` word in the schema.
    #[test]
    fn schema_lists_every_related_role() {
        use RelatedRole::*;
        fn word(role: RelatedRole) -> Value {
            // A new variant makes this match fail to compile: add it here and to the schema.
            match role {
                Function | ExecutionRole | ServiceExecutionRole | Policy | Statement | Secret
                | Key | Source | Destination | Permission | Trigger | Boundary | Input => {
                    serde_json::to_value(role).unwrap()
                }
            }
        }
        let all = [
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
            Input,
        ];
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(SCHEMA_PATH).unwrap()).unwrap();
        let words = schema["$defs"]["related"]["properties"]["role"]["enum"]
            .as_array()
            .unwrap();
        assert_eq!(words.len(), all.len());
        for role in all {
            assert!(
                words.contains(&word(role)),
                "{role:?} missing from the schema"
            );
        }
    }

    /// Every JSON report golden under `testdata/` validates (insta `.snap` files whose name
    /// ends in `.json.snap`, with the insta header removed).
    #[test]
    fn every_json_golden_validates() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata");
        let mut checked = 0;
        for entry in walkdir::WalkDir::new(root) {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy();
            if !name.ends_with(".json.snap") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let body = crate::report::snapshot_body(&text);
            let document: Value = serde_json::from_str(body)
                .unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
            if document.get("version").is_none() || document.get("findings").is_none() {
                continue; // a JSON golden that is not a report
            }
            assert_valid_report(&document);
            checked += 1;
        }
        assert!(checked >= 1, "no JSON report golden found under {root}");
    }
}
