//! `--format junit`: the report as JUnit XML, for CI systems that show test results (GitLab,
//! Jenkins, Azure DevOps, CircleCI).
//!
//! Input: a normalized [`Report`] and the [`CheckInfo`] of the checks that ran. Output: one
//! `<testsuites>` document (written by `quick-junit`, valid against the Jenkins JUnit schema
//! vendored in `schemas/vendor/junit-10.xsd`, which the tests validate with `xmllint`).
//!
//! Mapping: one test suite per input file, named by its path relative to the repository root;
//! one test case per check × resource with findings, named `PG101 (esm-sqs-permissions): Esm`.
//! A case with an error finding is a failure whose message is the first error's and whose text
//! lists every finding of the case with its line and fix; a case with only warnings or notes
//! passes and carries them as its output (JUnit has no warnings). A file that cannot be read is
//! one case of rule PG001 in error. An audited file without findings has one passing case, so
//! that its suite is not empty. Suppressed and baselined findings are left out.

use std::collections::BTreeMap;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use super::{FileReport, FileStatus, INPUT_ERROR_ID, INPUT_ERROR_SLUG, Report, position};
use crate::checks::CheckInfo;
use crate::diag::{Certainty, Finding, Severity};

/// Writes the JUnit XML document.
pub fn write(
    report: &Report,
    checks: &[&CheckInfo],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut junit = quick_junit::Report::new("permgate");
    for file in &report.files {
        if file.status == FileStatus::Skipped {
            continue;
        }
        junit.add_test_suite(suite(file, checks));
    }
    let xml = junit
        .to_string()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    out.write_all(without_root_skipped(&xml).as_bytes())
}

/// quick-junit writes a `skipped` count on `<testsuites>`, which the Jenkins JUnit schema does
/// not define for that element (only for `<testsuite>`), so strict validators refuse it.
/// permgate never skips a test case, so the count is always 0 and is left out.
fn without_root_skipped(xml: &str) -> String {
    match xml.find("<testsuites ") {
        Some(start) => {
            let (head, rest) = xml.split_at(start);
            let end = rest.find('>').unwrap_or(rest.len());
            let (tag, tail) = rest.split_at(end);
            format!("{head}{}{tail}", tag.replacen(" skipped=\"0\"", "", 1))
        }
        None => xml.to_string(),
    }
}

fn suite(file: &FileReport, checks: &[&CheckInfo]) -> TestSuite {
    let mut suite = TestSuite::new(file.key_path.as_str());
    if let Some(error) = &file.error {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
        status.set_message(error.message.as_str());
        status.set_type(INPUT_ERROR_ID);
        let mut text = located(file, error.span, &error.message);
        if let Some(help) = &error.help {
            text.push_str("\nhelp: ");
            text.push_str(help);
        }
        status.set_description(text);
        let mut case = TestCase::new(format!("{INPUT_ERROR_ID} ({INPUT_ERROR_SLUG})"), status);
        case.set_classname(file.key_path.as_str());
        suite.add_test_case(case);
        return suite;
    }
    let mut cases: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &file.findings {
        cases
            .entry((f.check, f.resource.as_str()))
            .or_default()
            .push(f);
    }
    if cases.is_empty() {
        let mut case = TestCase::new("permgate", TestCaseStatus::success());
        case.set_classname(file.key_path.as_str());
        suite.add_test_case(case);
    }
    for ((check, resource), findings) in cases {
        let title = match checks.iter().find(|c| c.id == check) {
            Some(info) => format!("{} ({})", info.id, info.slug),
            None => check.to_string(),
        };
        let name = if resource.is_empty() {
            title
        } else {
            format!("{title}: {resource}")
        };
        let text: Vec<String> = findings.iter().map(|f| describe(file, f)).collect();
        let first_error = findings.iter().find(|f| f.severity == Severity::Error);
        let mut case = match first_error {
            Some(error) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(error.message.as_str());
                status.set_type(check);
                status.set_description(text.join("\n\n"));
                TestCase::new(name, status)
            }
            None => {
                let mut case = TestCase::new(name, TestCaseStatus::success());
                case.set_system_out(text.join("\n\n"));
                case
            }
        };
        case.set_classname(file.key_path.as_str());
        suite.add_test_case(case);
    }
    suite
}

/// `path:line: severity: message`, the reason it cannot be verified, and the fix.
fn describe(file: &FileReport, f: &Finding) -> String {
    let mut text = located(
        file,
        f.span,
        &format!("{}: {}", f.severity.as_str(), f.message),
    );
    if let Certainty::CannotVerify { reason } = &f.certainty {
        text.push_str("\ncannot verify: ");
        text.push_str(reason);
    }
    if let Some(fix) = &f.fix {
        text.push_str("\nhelp: ");
        text.push_str(&fix.help);
        if let Ok(statement) = serde_json::to_string_pretty(&fix.statement) {
            text.push('\n');
            text.push_str(&statement);
        }
    }
    text
}

fn located(file: &FileReport, span: Option<crate::source::Span>, message: &str) -> String {
    match position::region(&file.source, span) {
        Some(region) => format!(
            "{}:{}:{}: {message}",
            file.key_path, region.start.line, region.start.column
        ),
        None => format!("{}: {message}", file.key_path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::fixtures::{checks, sample_report};

    fn render(report: &Report) -> String {
        let mut out = Vec::new();
        write(report, &checks(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sample_report_matches_snapshot() {
        let output = render(&sample_report());
        crate::report::snapshots().bind(|| insta::assert_snapshot!("sample.junit", output));
    }

    /// Validates against the vendored Jenkins JUnit schema with `xmllint` (Debian's
    /// `libxml2-utils`, which `.ci/run` installs). Without `xmllint` the test fails in CI
    /// (`CI` set) and is skipped with a message elsewhere.
    #[test]
    fn output_validates_against_the_junit_schema() {
        let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/vendor/junit-10.xsd");
        let dir = std::env::temp_dir().join(format!("permgate-junit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let xml = dir.join("report.xml");
        std::fs::write(&xml, render(&sample_report())).unwrap();
        let run = std::process::Command::new("xmllint")
            .args(["--noout", "--schema", xsd])
            .arg(&xml)
            .output();
        let output = match run {
            Ok(output) => output,
            Err(e) if std::env::var_os("CI").is_none() => {
                eprintln!(
                    "skipped: xmllint is not installed ({e}); `apt-get install libxml2-utils`"
                );
                return;
            }
            Err(e) => panic!("xmllint is needed in CI: {e}"),
        };
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(stderr.contains("validates"), "{stderr}");
        // The schema is strict: the same document with an attribute it does not define fails.
        let bad = std::fs::read_to_string(&xml).unwrap().replacen(
            "<testsuites ",
            "<testsuites skipped=\"0\" ",
            1,
        );
        std::fs::write(&xml, bad).unwrap();
        let refused = std::process::Command::new("xmllint")
            .args(["--noout", "--schema", xsd])
            .arg(&xml)
            .output()
            .unwrap();
        assert!(!refused.status.success());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_suite_per_file_and_one_case_per_check_and_resource() {
        let output = render(&sample_report());
        // 2 audited files and 2 unreadable ones (the skipped file has no suite).
        assert_eq!(output.matches("<testsuite ").count(), 4);
        assert_eq!(output.matches("<error").count(), 2);
        assert!(!output.contains('\u{1b}'));
    }
}
