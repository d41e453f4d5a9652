//! The fixture harness every check's tests call.
//!
//! For each file in `testdata/checks/<ID>-<slug>/` the whole pipeline runs in-process, then the
//! outcome is asserted by the file-name prefix *before* anything is snapshotted, so a blessed
//! but wrong snapshot still fails:
//! - `fail*`: at least one finding of this check at its default severity, certain, with a
//!   non-empty `missing` (for PG501, which is about order, not a missing grant: naming the
//!   late grant in `related`, with a fix; for PG001: the file is reported as an input error; for the checks of
//!   [`INPUT_CHECKS`], which are about the input rather than a permission: located instead);
//! - `pass*`: no finding of this check;
//! - `unknown*`: findings of this check exist and all of them are "cannot verify" notes or
//!   warnings.
//!
//! Then the text and JSON reports are snapshotted into the folder's `snapshots/`.

use std::path::{Path, PathBuf};

use crate::checks::{CHECKS, CheckInfo};
use crate::diag::{Certainty, Severity};
use crate::report::{self, FileStatus, Format};

/// Checks whose findings are about the input itself (a document IAM refuses, a part that was
/// not read), not about a permission: they have no `missing`, and their `fail*` findings must
/// instead have a location when the file has lines.
const INPUT_CHECKS: &[&str] = &["PG002", "PG004", "PG005", "PG006"];

/// Checks about the order of a deploy: the grant exists, so they have no `missing`; their
/// `fail*` findings must instead name the grant that may come too late in `related`.
const ORDER_CHECKS: &[&str] = &["PG501"];

pub fn fixture_dir(check: &CheckInfo) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/checks")
        .join(format!("{}-{}", check.id, check.slug))
}

fn render(report: &report::Report, format: Format) -> String {
    let mut out = Vec::new();
    report::write(
        report,
        format,
        CHECKS,
        crate::report::text::TextOptions::new(false),
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// Runs and asserts every fixture of `check`.
pub fn check_fixtures(check: &CheckInfo) {
    let dir = fixture_dir(check);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(
        files
            .iter()
            .any(|f| name(f).starts_with("fail") || name(f).starts_with("unknown"))
            && files.iter().any(|f| name(f).starts_with("pass")),
        "{}: needs at least one fail* (or unknown*) and one pass* fixture",
        check.id
    );
    // Paths in reports are relative to the crate root (cargo runs tests there), so snapshots
    // do not depend on where the repository is checked out.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in files {
        let relative = file.strip_prefix(root).unwrap().to_path_buf();
        let report = crate::audit(std::slice::from_ref(&relative));
        let file_name = name(&file);
        let ours: Vec<_> = report
            .findings()
            .filter(|(_, f)| f.check == check.id)
            .map(|(_, f)| f)
            .collect();
        let errored = report.files.iter().any(|f| f.status == FileStatus::Error);
        if file_name.starts_with("fail") {
            if check.id == "PG001" {
                assert!(errored, "{file_name}: expected an input error");
            } else if INPUT_CHECKS.contains(&check.id) {
                assert!(!errored, "{file_name}: the fixture does not read");
                let has_lines = report.files.iter().all(|f| {
                    !matches!(
                        f.format,
                        Some(
                            crate::model::InputFormat::TerraformPlan
                                | crate::model::InputFormat::TerraformState
                        )
                    )
                });
                assert!(
                    ours.iter().any(|f| f.severity == check.default_severity
                        && f.certainty == Certainty::Certain
                        && (f.span.is_some() || !has_lines)),
                    "{file_name}: expected a certain, located {} finding at {}, got {ours:#?}",
                    check.id,
                    check.default_severity.as_str()
                );
            } else if ORDER_CHECKS.contains(&check.id) {
                assert!(!errored, "{file_name}: the fixture does not read");
                assert!(
                    ours.iter().any(|f| f.certainty == Certainty::Certain
                        && f.missing.is_empty()
                        && f.fix.is_some()
                        && f.related.iter().any(|r| matches!(
                            r.role,
                            crate::diag::RelatedRole::Statement
                                | crate::diag::RelatedRole::Permission
                        ))),
                    "{file_name}: expected a certain {} finding naming the late grant, got {ours:#?}",
                    check.id
                );
            } else {
                assert!(!errored, "{file_name}: the fixture does not read");
                assert!(
                    ours.iter().any(|f| f.severity == check.default_severity
                        && f.certainty == Certainty::Certain
                        && !f.missing.is_empty()),
                    "{file_name}: expected a certain {} finding at {} with `missing`, got {ours:#?}",
                    check.id,
                    check.default_severity.as_str()
                );
            }
        } else if file_name.starts_with("pass") {
            assert!(
                !errored || check.id != "PG001",
                "{file_name}: unexpected input error"
            );
            assert!(!errored, "{file_name}: the fixture does not read");
            assert!(
                ours.is_empty(),
                "{file_name}: expected no {} finding, got {ours:#?}",
                check.id
            );
        } else if file_name.starts_with("unknown") {
            assert!(!errored, "{file_name}: the fixture does not read");
            assert!(
                !ours.is_empty(),
                "{file_name}: expected a cannot-verify {} finding",
                check.id
            );
            for f in &ours {
                assert!(
                    matches!(f.certainty, Certainty::CannotVerify { .. })
                        && f.severity < Severity::Error,
                    "{file_name}: unknown findings must be cannot-verify notes or warnings: {f:#?}"
                );
            }
        } else {
            panic!("{file_name}: fixture names start with fail, pass or unknown");
        }
        let snapshot_dir = dir.join("snapshots");
        insta::with_settings!({ snapshot_path => snapshot_dir, prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(format!("{file_name}.txt"), render(&report, Format::Text));
            insta::assert_snapshot!(format!("{file_name}.json"), render(&report, Format::Json));
        });
    }
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_fixture_folder_belongs_to_a_check_and_every_check_has_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/checks");
    // Files beside the folders (the plan fixture generator) belong to no check.
    let mut folders: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut expected: Vec<String> = CHECKS
        .iter()
        .map(|c| format!("{}-{}", c.id, c.slug))
        .collect();
    expected.sort();
    assert_eq!(folders, expected);
}
