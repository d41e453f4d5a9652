//! The linking stage over hand-written applications in `testdata/link`: nested stacks read
//! from a relative path (and a SAM application's local `Location`), a parent reading a child's
//! output, exports named after the stack, and what cannot be joined (a name two templates export, stacks that
//! import from each other, a remote nested template, a cloud assembly with a newer schema and a
//! missing template) as a located warning with the rest still audited.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::path::Path;

use permgate::diag::Severity;
use permgate::report::Report;

fn audit(dir: &str) -> Report {
    permgate::audit(&[Path::new("testdata/link").join(dir)])
}

/// (file name, severity, check, message, line) of every finding.
fn findings(report: &Report) -> Vec<(String, Severity, &'static str, String, Option<u32>)> {
    report
        .files
        .iter()
        .flat_map(|file| {
            file.findings.iter().map(move |f| {
                (
                    file.source
                        .path
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                    f.severity,
                    f.check,
                    f.message.clone(),
                    f.span.map(|s| file.source.line_col(s.start).line),
                )
            })
        })
        .collect()
}

#[test]
fn a_nested_stack_is_read_with_the_parameters_its_parent_passes() {
    let report = audit("nested");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (file, severity, check, message, _) = &found[0];
    assert_eq!(
        (file.as_str(), *severity, *check),
        ("child.yaml", Severity::Error, "PG101")
    );
    assert!(message.contains("sqs:DeleteMessage"), "{message}");
    // The queue is the parent's, named under the parent's name.
    assert!(message.contains("parent.yaml/Queue"), "{message}");
    let child = report
        .files
        .iter()
        .find(|f| f.source.path.ends_with("child.yaml"))
        .unwrap();
    assert_eq!(
        child.stack.as_deref(),
        Some("testdata/link/nested/parent.yaml/Consumers")
    );
}

#[test]
fn a_name_exported_twice_is_not_joined() {
    let found = findings(&audit("exports-duplicate"));
    let warnings: Vec<_> = found
        .iter()
        .filter(|f| f.2 == "PG004")
        .map(|f| (f.0.as_str(), f.3.as_str(), f.4))
        .collect();
    assert_eq!(
        warnings,
        vec![
            (
                "a.yaml",
                "export `shared-queue-arn` is also exported by `testdata/link/exports-duplicate/b.yaml`: its imports cannot be joined",
                Some(8)
            ),
            (
                "b.yaml",
                "export `shared-queue-arn` is also exported by `testdata/link/exports-duplicate/a.yaml`: its imports cannot be joined",
                Some(8)
            ),
        ]
    );
    // The consumer's mapping still polls an external value: no error about it.
    assert!(found.iter().all(|f| f.1 != Severity::Error), "{found:#?}");
}

#[test]
fn stacks_importing_from_each_other_are_a_cycle() {
    let found = findings(&audit("exports-cycle"));
    let warnings: Vec<_> = found
        .iter()
        .filter(|f| f.2 == "PG004")
        .map(|f| (f.0.as_str(), f.3.as_str(), f.4))
        .collect();
    assert_eq!(
        warnings,
        vec![
            (
                "x.yaml",
                "import `y-name` is part of a cycle of stacks importing from each other: its value is unknown",
                Some(8)
            ),
            (
                "y.yaml",
                "import `x-name` is part of a cycle of stacks importing from each other: its value is unknown",
                Some(8)
            ),
        ]
    );
}

#[test]
fn a_remote_nested_template_is_a_warning() {
    let found = findings(&audit("nested-remote"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].1, found[0].2, found[0].4),
        (Severity::Warning, "PG004", Some(2))
    );
    assert!(
        found[0]
            .3
            .contains("is remote (`https://s3.amazonaws.com/templates-bucket/shared.yaml`)")
    );
}

#[test]
fn an_assembly_with_a_newer_schema_and_a_missing_template_is_still_audited() {
    let report = audit("assembly-problems");
    let found = findings(&report);
    let manifest: Vec<_> = found
        .iter()
        .filter(|f| f.0 == "manifest.json")
        .map(|f| (f.1, f.2, f.4))
        .collect();
    assert_eq!(
        manifest,
        vec![
            (Severity::Warning, "PG004", Some(2)),
            (Severity::Warning, "PG004", Some(12)),
        ],
        "{found:#?}"
    );
    // The stack whose template is there is audited.
    assert!(
        report
            .files
            .iter()
            .any(|f| f.stack.as_deref() == Some("QueueStack"))
    );
    assert_eq!(report.summary().files_error, 0);
}

#[test]
fn a_childs_output_read_by_the_parent_is_the_childs_value() {
    // The parent's queue policy names the child's role through `!GetAtt
    // Consumers.Outputs.RoleArn`: resolved to the child's role, it grants the action the
    // role's own policy lacks, and the application is clean.
    let report = audit("nested-output-policy");
    assert_eq!(findings(&report), vec![]);
    assert_eq!(report.files.len(), 2);
    // Without the grant (the same child, a parent without the policy) the error is there.
    let found = findings(&audit("nested"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].2, "PG101");
}

#[test]
fn a_sam_application_with_a_local_location_is_a_nested_stack() {
    let report = audit("sam-application");
    let found = findings(&report);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (file, severity, check, message, line) = &found[0];
    assert_eq!(
        (file.as_str(), *severity, *check),
        ("child.yaml", Severity::Error, "PG101")
    );
    assert!(message.contains("sqs:DeleteMessage"), "{message}");
    // The queue passed as a parameter is the parent's.
    assert!(
        message.contains("sam-application/parent.yaml/Queue"),
        "{message}"
    );
    assert!(line.is_some());
    let child = report
        .files
        .iter()
        .find(|f| f.source.path.ends_with("child.yaml"))
        .unwrap();
    assert_eq!(
        child.stack.as_deref(),
        Some("testdata/link/sam-application/parent.yaml/Consumers")
    );
}

#[test]
fn an_export_named_after_the_stack_is_joined_with_the_name_the_assembly_gives() {
    // `!Sub "${AWS::StackName}-QueueArn"`: the stack's `stackName` property
    // (`orders-queues`), else its artifact id (`QueueStack`), is `AWS::StackName`. The consumer
    // imports it and its role lacks sqs:DeleteMessage; read without the stack's name, the
    // export was not joined and the mapping's source was of no known kind (no finding).
    for dir in ["export-stack-name", "export-artifact-id"] {
        let found = findings(&audit(dir));
        assert_eq!(found.len(), 1, "{dir}: {found:#?}");
        let (file, severity, check, message, line) = &found[0];
        assert_eq!(
            (file.as_str(), *severity, *check),
            ("ConsumerStack.template.json", Severity::Error, "PG101"),
            "{dir}"
        );
        assert!(
            message.contains("arn:aws:sqs:eu-west-1:111122223333:${QueueStack/Queue}"),
            "{message}"
        );
        assert!(line.is_some());
    }
}

#[test]
fn an_imported_key_without_a_key_policy_has_the_default_one() {
    // The key of keys.yaml sets no key policy: KMS gives it the default one, which lets the
    // account's IAM policies decide. So the role that may decrypt is clean, and the one that
    // may not is an error about its own policies, not about a key "not in the input".
    let report = audit("export-key");
    let found = findings(&report);
    assert_eq!(
        found,
        vec![(
            "app.yaml".to_string(),
            Severity::Error,
            "PG112",
            "role `AuditRole` does not allow `kms:Decrypt` that mapping `AuditMapping` needs to \
             poll queue `Queue`"
                .to_string(),
            Some(49),
        )]
    );
}

#[test]
fn a_template_nested_twice_is_audited_once_and_says_so_at_the_second() {
    let report = audit("nested-twice");
    let found = findings(&report);
    let checks: Vec<(&str, &str, Option<u32>)> = found
        .iter()
        .map(|(file, _, check, _, line)| (file.as_str(), *check, *line))
        .collect();
    assert_eq!(
        checks,
        vec![
            ("child.yaml", "PG101", checks[0].2),
            ("parent.yaml", "PG004", Some(15))
        ],
        "{found:#?}"
    );
    assert!(
        found[1].3.contains(
            "nested stack `RefundsConsumers` deploys `testdata/link/nested-twice/child.yaml` again"
        ),
        "{found:#?}"
    );
    // The audited stack is the first one: it polls `Orders`.
    assert!(found[0].3.contains("/Orders}"), "{found:#?}");
}
