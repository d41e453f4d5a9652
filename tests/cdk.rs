//! Whole CDK applications: the cloud assemblies under `testdata/cdk`, synthesized by
//! `aws-cdk-lib` from `testdata/cdk/app`. Each case is a correct and a broken variant of one
//! application: the broken one must give its errors in the template of the right stack, named
//! by stack and construct path; the correct one must give nothing. (Read template by template,
//! the mapping's source, an imported queue or a stream passed as a parameter, is of no known
//! kind: the broken variants gave no finding at all.)

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::path::{Path, PathBuf};

use permgate::checks::CHECKS;
use permgate::diag::Severity;
use permgate::report::{self, Format, Report};

const CASES: &[&str] = &["cross-stack", "nested", "stage"];

fn assembly(case: &str, variant: &str) -> PathBuf {
    Path::new("testdata/cdk")
        .join(format!("{case}-{variant}"))
        .join("cdk.out")
}

fn render(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    report::write(
        report,
        format,
        CHECKS,
        report::text::TextOptions::new(false),
        &mut out,
    )
    .unwrap();
    String::from_utf8(out).unwrap()
}

/// (file name, stack, construct path, check) of every error.
fn errors(report: &Report) -> Vec<(String, Option<String>, Option<String>, &'static str)> {
    report
        .files
        .iter()
        .flat_map(|file| {
            file.findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(move |f| {
                    (
                        file.source
                            .path
                            .file_name()
                            .unwrap()
                            .to_string_lossy()
                            .into_owned(),
                        file.stack.clone(),
                        file.construct_of(f).map(str::to_string),
                        f.check,
                    )
                })
        })
        .collect()
}

#[test]
fn correct_applications_are_clean() {
    for case in CASES {
        let report = permgate::audit(&[assembly(case, "correct")]);
        let all: Vec<String> = report
            .files
            .iter()
            .flat_map(|f| {
                f.findings
                    .iter()
                    .map(|x| format!("{}: {}", x.check, x.message))
            })
            .collect();
        assert!(all.is_empty(), "{case}: {all:#?}");
        // Every stack of the assembly is audited, each once.
        assert!(report.files.len() >= 2, "{case}");
    }
}

#[test]
fn broken_applications_fail_in_the_consumer_stack() {
    let expect = [
        (
            "cross-stack",
            "ConsumerStack.template.json",
            "ConsumerStack",
            "ConsumerStack/Mapping/Resource",
            "PG101",
        ),
        (
            "nested",
            "StreamStackConsumers90542666.nested.template.json",
            "StreamStack/Consumers",
            "StreamStack/Consumers/Mapping/Resource",
            "PG102",
        ),
        (
            "stage",
            "ProdWorkers5A5B6C1F.template.json",
            "Prod/Workers",
            "Prod/Workers/Mapping/Resource",
            "PG101",
        ),
    ];
    for (case, file, stack, construct, check) in expect {
        let report = permgate::audit(&[assembly(case, "broken")]);
        assert_eq!(
            errors(&report),
            vec![(
                file.to_string(),
                Some(stack.to_string()),
                Some(construct.to_string()),
                check
            )],
            "{case}"
        );
        let name = format!("{case}-broken");
        insta::assert_snapshot!(format!("{name}.txt"), render(&report, Format::Text));
        let mut json: serde_json::Value =
            serde_json::from_str(&render(&report, Format::Json)).unwrap();
        json["tool"]["version"] = "*".into();
        insta::assert_json_snapshot!(format!("{name}.json"), json);
    }
}

#[test]
fn the_templates_of_an_assembly_are_audited_once() {
    // Named twice (the directory and its template) and found by walking the directory above:
    // each template is one file of the report, named by its stack.
    let dir = assembly("stage", "broken");
    let report = permgate::audit(&[
        dir.clone(),
        dir.join("assembly-Prod/ProdWorkers5A5B6C1F.template.json"),
        dir.parent().unwrap().to_path_buf(),
    ]);
    let stacks: Vec<Option<&str>> = report.files.iter().map(|f| f.stack.as_deref()).collect();
    assert_eq!(stacks, vec![Some("Prod/Queues"), Some("Prod/Workers")]);
}

#[test]
fn the_assembly_environment_fixes_region_and_account() {
    let report = permgate::audit(&[assembly("stage", "broken")]);
    let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json)).unwrap();
    let fix = json["findings"][0]["fix"]["statement"].to_string();
    // The fix names the queue as the template does, through its import.
    assert!(fix.contains("Fn::ImportValue"), "{fix}");
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("arn:aws:sqs:eu-west-1:111122223333:"),
        "{message}"
    );
}

#[test]
fn region_and_account_given_fix_an_environment_agnostic_assembly() {
    let mut values = permgate::ParameterSources::new(&Default::default(), Default::default());
    values.region = Some("eu-central-1".to_string());
    values.account = Some("444455556666".to_string());
    let report = permgate::audit_with(
        &[assembly("cross-stack", "broken")],
        None,
        &mut values,
        false,
        &permgate::AuditOptions::here(),
    );
    let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json)).unwrap();
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("arn:aws:sqs:eu-central-1:444455556666:"),
        "{message}"
    );
}
