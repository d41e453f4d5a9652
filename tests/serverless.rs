//! A Serverless Framework service: the template `serverless package` compiles to `.serverless/`
//! is audited as CloudFormation, and its findings name the `serverless.yml` function the
//! resource derives from (`testdata/serverless`, hand-made in the framework's shape).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::path::{Path, PathBuf};

use permgate::checks::CHECKS;
use permgate::diag::Severity;
use permgate::report::{self, Format, Report};

const SERVICE: &str = "testdata/serverless/sqs-worker";

fn compiled(service: &Path) -> PathBuf {
    service
        .join(".serverless")
        .join("cloudformation-template-update-stack.json")
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

/// (logical id, serverless.yml function, check) of every error.
fn errors(report: &Report) -> Vec<(String, Option<String>, &'static str)> {
    report
        .files
        .iter()
        .flat_map(|file| {
            file.findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .map(move |f| {
                    (
                        f.resource.clone(),
                        file.serverless_function_of(f).map(str::to_string),
                        f.check,
                    )
                })
        })
        .collect()
}

#[test]
fn findings_name_the_serverless_function() {
    let report = permgate::audit(&[compiled(Path::new(SERVICE))]);
    assert_eq!(
        errors(&report),
        vec![(
            "SendDashmailEventSourceMappingSQSMailQueue".to_string(),
            Some("send-mail".to_string()),
            "PG101"
        )]
    );
    let file = &report.files[0];
    // Each function's own resources are named by it; the shared role and the service's
    // own resources by none.
    assert_eq!(
        file.serverless_functions.get("StatusLambdaFunction"),
        Some(&"status".to_string())
    );
    assert_eq!(
        file.serverless_functions.get("SendDashmailLogGroup"),
        Some(&"send-mail".to_string())
    );
    assert!(
        !file
            .serverless_functions
            .contains_key("IamRoleLambdaExecution")
    );
    assert!(!file.serverless_functions.contains_key("MailQueue"));
    insta::assert_snapshot!("sqs-worker.txt", render(&report, Format::Text));
    let mut json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json)).unwrap();
    json["tool"]["version"] = "*".into();
    insta::assert_json_snapshot!("sqs-worker.json", json);
}

#[test]
fn without_its_serverless_yml_a_template_names_no_function() {
    // The same compiled template, copied away from its service: nothing to map forward from,
    // so the finding stays, named by its logical id only.
    let dir = std::env::temp_dir().join(format!("permgate-sls-{}", std::process::id()));
    let out = dir.join(".serverless");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::copy(compiled(Path::new(SERVICE)), compiled(&dir)).unwrap();
    let report = permgate::audit(&[compiled(&dir)]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(
        errors(&report),
        vec![(
            "SendDashmailEventSourceMappingSQSMailQueue".to_string(),
            None,
            "PG101"
        )]
    );
}

#[test]
fn the_service_directory_or_its_service_file_brings_the_compiled_template() {
    // `.serverless` is the one hidden folder a walk enters, and a service file named on the
    // command line brings its compiled template: neither passes with nothing audited.
    let expected = vec![(
        "SendDashmailEventSourceMappingSQSMailQueue".to_string(),
        Some("send-mail".to_string()),
        "PG101",
    )];
    for path in [
        PathBuf::from(SERVICE),
        Path::new(SERVICE).join("serverless.yml"),
    ] {
        let report = permgate::audit(std::slice::from_ref(&path));
        assert_eq!(errors(&report), expected, "{}", path.display());
        let audited: Vec<&Path> = report
            .files
            .iter()
            .filter(|f| f.status == permgate::report::FileStatus::Audited)
            .map(|f| f.source.path.as_path())
            .collect();
        assert_eq!(
            audited,
            vec![compiled(Path::new(SERVICE))],
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_service_file_without_its_compiled_template_audits_nothing_else() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serverless-unpackaged");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        Path::new(SERVICE).join("serverless.yml"),
        dir.join("serverless.yml"),
    )
    .unwrap();
    let report = permgate::audit(&[dir.join("serverless.yml")]);
    assert_eq!(report.files.len(), 1);
    assert!(errors(&report).is_empty());
    // Skipped, saying what to run.
    let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json)).unwrap();
    let message = json["files"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("`.serverless/cloudformation-template-update-stack.json`"),
        "{message}"
    );
}
