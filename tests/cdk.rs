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

/// Panics with every violation when `report` does not match `schemas/report.schema.json`
/// (the construct path and its source location are part of it).
fn assert_valid_report(report: &serde_json::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
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
        assert_valid_report(&json);
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

/// Copies a case's assembly to a fresh directory under the target directory, to edit it.
fn copy_assembly(case: &str, variant: &str, to: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(to);
    let _ = std::fs::remove_dir_all(&dir);
    copy(&assembly(case, variant), &dir);
    dir
}

#[test]
fn an_imported_queue_is_judged_by_the_queue_policy_of_its_own_stack() {
    // The role lacks the permissions; the queue policy in the queue's stack grants them to
    // the role by its name: the application is correct.
    let report = permgate::audit(&[assembly("stage", "queue-policy")]);
    let all: Vec<String> = report
        .files
        .iter()
        .flat_map(|f| f.findings.iter().map(|x| x.message.clone()))
        .collect();
    assert!(all.is_empty(), "{all:#?}");

    // The same policy granting another role: the error is back, in the consumer's template.
    let dir = copy_assembly("stage", "queue-policy", "cdk-queue-policy-other-role");
    let queues = dir.join("assembly-Prod/ProdQueues890F56DA.template.json");
    let text = std::fs::read_to_string(&queues).unwrap();
    std::fs::write(
        &queues,
        text.replace(":role/prod-queue-consumer", ":role/someone-else"),
    )
    .unwrap();
    let report = permgate::audit(std::slice::from_ref(&dir));
    let found: Vec<&'static str> = errors(&report).into_iter().map(|e| e.3).collect();
    assert_eq!(found, vec!["PG101"]);

    // A `Deny` in that policy is an error naming it.
    std::fs::write(&queues, text.replace("\"Allow\"", "\"Deny\"")).unwrap();
    let report = permgate::audit(&[dir]);
    let messages: Vec<String> = report
        .files
        .iter()
        .flat_map(|f| f.findings.iter().map(|x| x.message.clone()))
        .collect();
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        messages[0].contains("queue policy of `Prod/Queues/QueuePolicy25439813` denies"),
        "{messages:#?}"
    );
}

#[test]
fn a_queue_of_the_application_without_a_policy_is_not_said_to_be_unseen() {
    // The queue's stack is in the run and gives the queue no policy: the role alone decides,
    // and the message does not suggest a policy that is not in the input.
    let report = permgate::audit(&[assembly("stage", "broken")]);
    let json: serde_json::Value = serde_json::from_str(&render(&report, Format::Json)).unwrap();
    let message = json["findings"][0]["message"].as_str().unwrap();
    assert!(!message.contains("not in the input"), "{message}");
    // Read alone, the consumer's template still says so: the queue is defined elsewhere.
    let report = permgate::audit(&[
        assembly("stage", "broken").join("assembly-Prod/ProdWorkers5A5B6C1F.template.json")
    ]);
    let messages: Vec<String> = report
        .files
        .iter()
        .flat_map(|f| f.findings.iter().map(|x| x.message.clone()))
        .collect();
    assert!(
        messages.iter().all(|m| !m.contains("111122223333")),
        "{messages:#?}"
    );
}

#[test]
fn a_finding_names_the_line_of_the_app_that_created_its_construct() {
    // The creation stacks of `*.metadata.json` lead to the app's own code: the line of
    // `app.js` that makes the mapping, in every broken case (the nested one through its
    // parent's metadata).
    for (case, line) in [("cross-stack", 34), ("nested", 54), ("stage", 34)] {
        let report = permgate::audit(&[assembly(case, "broken")]);
        let sarif: serde_json::Value =
            serde_json::from_str(&render(&report, Format::Sarif)).unwrap();
        let result = &sarif["runs"][0]["results"][0];
        let related = result["relatedLocations"].as_array().unwrap();
        let created = related
            .iter()
            .find(|r| {
                r["message"]["text"]
                    .as_str()
                    .unwrap()
                    .starts_with("the construct is created here")
            })
            .unwrap_or_else(|| panic!("{case}: {related:#?}"));
        let physical = &created["physicalLocation"];
        assert_eq!(
            physical["artifactLocation"]["uri"], "testdata/cdk/app/app.js",
            "{case}"
        );
        assert_eq!(physical["region"]["startLine"], line, "{case}");
        let source = std::fs::read_to_string("testdata/cdk/app/app.js").unwrap();
        let made = source.lines().nth(line - 1).unwrap();
        assert!(
            made.contains("new lambda.EventSourceMapping"),
            "{case}: {made}"
        );
    }
}

#[test]
fn a_trace_from_another_machine_is_named_but_not_linked() {
    // An assembly synthesized elsewhere names paths of that machine: the text says where, the
    // SARIF report links no file that is not here.
    let dir = copy_assembly("cross-stack", "broken", "cdk-foreign-trace");
    let metadata = dir.join("ConsumerStack.metadata.json");
    let text = std::fs::read_to_string(&metadata).unwrap();
    std::fs::write(&metadata, text.replace("../../app/", "/home/dev/infra/")).unwrap();
    let report = permgate::audit(&[dir]);
    let text = render(&report, Format::Text);
    assert!(
        text.contains("created at `/home/dev/infra/app.js:34:7` in `new ConsumerStack`"),
        "{text}"
    );
    let sarif = render(&report, Format::Sarif);
    assert!(!sarif.contains("the construct is created here"), "{sarif}");
}

#[test]
fn an_unreadable_metadata_file_costs_only_the_source_locations() {
    let dir = copy_assembly("cross-stack", "broken", "cdk-bad-metadata");
    std::fs::write(dir.join("ConsumerStack.metadata.json"), "{ not json").unwrap();
    let report = permgate::audit(&[dir]);
    // The error is still found, in the consumer's stack, without a source location.
    assert_eq!(errors(&report).len(), 1);
    let consumer = report
        .files
        .iter()
        .find(|f| f.stack.as_deref() == Some("ConsumerStack"))
        .unwrap();
    assert!(consumer.created_at.is_empty());
    let queue = report
        .files
        .iter()
        .find(|f| f.stack.as_deref() == Some("QueueStack"))
        .unwrap();
    assert!(
        !queue.created_at.is_empty(),
        "the other stack's metadata is read"
    );
    let warnings: Vec<&str> = report
        .files
        .iter()
        .flat_map(|f| &f.findings)
        .filter(|f| f.check == "PG004")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].contains("the metadata file `ConsumerStack.metadata.json` cannot be read"),
        "{warnings:#?}"
    );
}
