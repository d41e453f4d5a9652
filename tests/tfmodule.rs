//! Terraform module directories audited from their source, without a plan.
//!
//! The fixtures of `testdata/tfsource` are Terraform modules with the plan `terraform` made of
//! them: read without their plan, they must give the same findings as with it (the plan the
//! source alone implies is the plan Terraform made), except where the plan shows what the
//! source cannot (documented at [`EXCEPTIONS`]). The modules of `testdata/tfmodule` cover
//! variables, expansion and bad input.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside `#[test]` functions fail the test the same way"
)]

use std::path::{Path, PathBuf};

use permgate::diag::{Finding, Severity};
use permgate::report::Report;

const TFSOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/tfsource");
const TFMODULE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/tfmodule");

/// Fixtures whose findings differ with and without the plan, and why.
const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "module-not-downloaded",
        "the module's source is not on disk: the plan still shows its resources, the source cannot",
    ),
    (
        "unparsable-source",
        "the module's `.tf` file does not parse: the plan still shows its resources, the source cannot",
    ),
    (
        "dynamic-statement-unknown",
        "a `dynamic` block's `for_each` is only known after apply: the source alone also warns at the block that it cannot expand it",
    ),
    (
        "stale-source",
        "the source was changed after the plan was made: they describe different configurations",
    ),
    (
        "stale-policy",
        "the source was changed after the plan was made: they describe different configurations",
    ),
];

fn audit(paths: &[PathBuf], options: &permgate::AuditOptions) -> Report {
    let mut values = permgate::ParameterSources::new(&Default::default(), Default::default());
    permgate::audit_with(paths, None, &mut values, false, options)
}

/// Copies a module tree without its plan.
fn copy_without_plan(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_without_plan(&entry.path(), &target);
        } else if entry.file_name() != "plan.json" {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What a finding says and where, with paths relative to `root`.
fn summary(report: &Report, root: &Path) -> Vec<String> {
    let mut out: Vec<String> = report
        .findings()
        .map(|(_, f)| {
            let at = f.location.as_ref().map(|l| {
                let path = l.file.path.strip_prefix(root).unwrap_or(&l.file.path);
                format!("{}:{}", path.display(), l.file.line_col(l.span.start).line)
            });
            format!(
                "{} {:?} {} {} at {}",
                f.check,
                f.severity,
                f.resource,
                f.message,
                at.unwrap_or_default()
            )
        })
        .collect();
    out.sort();
    out
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("permgate-tfmodule-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_source_alone_gives_the_findings_of_its_plan() {
    let mut compared = 0;
    for entry in std::fs::read_dir(TFSOURCE).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !entry.path().join("plan.json").is_file() {
            continue;
        }
        let with_plan = audit(
            &[entry.path().join("plan.json")],
            &permgate::AuditOptions::here(),
        );
        let copy = temp(&name);
        copy_without_plan(&entry.path(), &copy);
        let without = audit(std::slice::from_ref(&copy), &permgate::AuditOptions::here());
        assert_eq!(without.summary().terraform_from_source, 1, "{name}");
        let planned = summary(&with_plan, &entry.path());
        let from_source = summary(&without, &copy);
        std::fs::remove_dir_all(&copy).unwrap();
        if name.starts_with("stale-") {
            // A different configuration: nothing to compare (its errors are true of the
            // source as it is now: `stale-policy` grants the other queue).
            continue;
        }
        if EXCEPTIONS.iter().any(|(n, _)| *n == name) {
            // What the source cannot show is not audited: never an error the plan does not
            // give.
            let errors = |s: &[String]| s.iter().filter(|l| l.contains(" Error ")).count();
            assert!(
                errors(&from_source) <= errors(&planned),
                "{name}: {from_source:#?}"
            );
            continue;
        }
        assert_eq!(from_source, planned, "{name}");
        compared += 1;
    }
    assert!(compared >= 9, "only {compared} fixtures compared");
}

fn module_report(name: &str, options: &permgate::AuditOptions) -> Report {
    audit(&[PathBuf::from(TFMODULE).join(name)], options)
}

fn of_check<'r>(report: &'r Report, check: &str) -> Vec<&'r Finding> {
    report
        .findings()
        .map(|(_, f)| f)
        .filter(|f| f.check == check)
        .collect()
}

fn line(finding: &Finding) -> Option<(String, u32)> {
    let at = finding.location.as_ref()?;
    let path = at.file.path.strip_prefix(TFMODULE).unwrap_or(&at.file.path);
    Some((
        path.to_string_lossy().into_owned(),
        at.file.line_col(at.span.start).line,
    ))
}

#[test]
fn variables_follow_terraform_precedence() {
    // `granted_queue` is `default` < `terraform.tfvars` < `a.auto.tfvars` < `b.auto.tfvars.json`
    // < `--var-file` < `--var`; the policy grants the queue it names, and only `orders` is
    // the queue the mapping polls.
    let here = permgate::AuditOptions::here;
    let base = module_report("variables", &here());
    // `b.auto.tfvars.json` says `orders`: complete.
    assert!(
        of_check(&base, "PG101").is_empty(),
        "{:#?}",
        summary(&base, Path::new(TFMODULE))
    );
    let file = permgate::AuditOptions {
        tf_vars: vec![permgate::readers::hcl::vars::VarInput::File(
            PathBuf::from(TFMODULE).join("variables/other.tfvars"),
        )],
        ..here()
    };
    let missing = module_report("variables", &file);
    let errors = of_check(&missing, "PG101");
    assert_eq!(
        errors.len(),
        1,
        "{:#?}",
        summary(&missing, Path::new(TFMODULE))
    );
    assert_eq!(errors[0].severity, Severity::Error);
    assert_eq!(line(errors[0]), Some(("variables/main.tf".into(), 39)));
    let value = permgate::AuditOptions {
        tf_vars: vec![
            permgate::readers::hcl::vars::VarInput::File(
                PathBuf::from(TFMODULE).join("variables/other.tfvars"),
            ),
            permgate::readers::hcl::vars::VarInput::Value {
                name: "granted_queue".into(),
                text: "orders".into(),
            },
        ],
        ..here()
    };
    assert!(of_check(&module_report("variables", &value), "PG101").is_empty());
}

#[test]
fn count_and_for_each_expand_with_terraform_instance_keys() {
    let report = module_report("expansion", &permgate::AuditOptions::here());
    let errors = of_check(&report, "PG101");
    let resources: Vec<&str> = errors.iter().map(|f| f.resource.as_str()).collect();
    // Two mappings per queue set: the `for_each` instance over `audit` lacks its grant; the
    // `count` instances are all granted.
    assert_eq!(
        resources,
        vec!["aws_lambda_event_source_mapping.each[\"audit\"]"],
        "{:#?}",
        summary(&report, Path::new(TFMODULE))
    );
    // The unknown `count` is one instance, said once, at its block.
    let warnings = of_check(&report, "PG004");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0]
            .message
            .contains("`count` of `aws_sqs_queue.unknown`")
    );
    assert_eq!(line(warnings[0]), Some(("expansion/main.tf".into(), 67)));
}

#[test]
fn for_expressions_and_conditionals_are_evaluated_over_known_values() {
    let report = module_report("for-expressions", &permgate::AuditOptions::here());
    let all = summary(&report, Path::new(TFMODULE));
    let errors: Vec<&str> = of_check(&report, "PG101")
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.resource.as_str())
        .collect();
    // The `if` of the policy's `for` leaves out the audit queue; the conditional gives the
    // three actions; the `for_each` over a `for` maps the two consumed queues, both granted.
    assert_eq!(
        errors,
        vec!["aws_lambda_event_source_mapping.audit"],
        "{all:#?}"
    );
    // A `for` over a variable without a value is unknown with the reason, never an error.
    let archive: Vec<&Finding> = of_check(&report, "PG101")
        .into_iter()
        .filter(|f| f.resource == "aws_lambda_event_source_mapping.archive")
        .collect();
    assert_eq!(archive.len(), 1, "{all:#?}");
    assert_eq!(archive[0].severity, Severity::Warning);
    let why = format!("{:?}", archive[0]);
    assert!(
        why.contains("the collection of a `for` expression is not known"),
        "{why}"
    );
}

#[test]
fn bad_input_is_a_located_warning_and_never_an_error() {
    let report = module_report("bad-input", &permgate::AuditOptions::here());
    let all = summary(&report, Path::new(TFMODULE));
    assert!(of_check(&report, "PG101").is_empty(), "{all:#?}");
    assert_eq!(
        report.exit_code(permgate::report::FailOn::Error),
        0,
        "{all:#?}"
    );
    let warnings: Vec<(String, Option<(String, u32)>)> = of_check(&report, "PG004")
        .into_iter()
        .map(|f| (f.message.clone(), line(f)))
        .collect();
    let has = |text: &str, at: (&str, u32)| {
        assert!(
            warnings
                .iter()
                .any(|(m, l)| m.contains(text) && *l == Some((at.0.to_string(), at.1))),
            "no warning `{text}` at {at:?}: {warnings:#?}"
        );
    };
    has("does not parse", ("bad-input/broken.tf", 2));
    has(
        "a string that is not a valid template",
        ("bad-input/broken.tf.json", 5),
    );
    has(
        "variable `queue_arn` has no value",
        ("bad-input/main.tf", 1),
    );
    has(
        "the source of module `missing` is not on disk",
        ("bad-input/main.tf", 62),
    );
    has("`dynamic \"statement\"`", ("bad-input/main.tf", 31));
}

/// An error's resource, and its file and line.
type ErrorAt = (&'static str, (&'static str, u32));

#[test]
fn tf_json_modules_give_the_findings_of_their_terraform_plan_at_their_json_lines() {
    // Each has the plan `terraform` made of it: audited with it and without it, the findings
    // are the same, and they point at the `.tf.json` objects of the resources.
    let cases: [(&str, Vec<ErrorAt>); 3] = [
        (
            "missing-action",
            vec![(
                "aws_lambda_event_source_mapping.orders",
                ("json-syntax/missing-action/main.tf.json", 44),
            )],
        ),
        // The policy is `"${jsonencode({…})}"` around the queue's ARN; `tags` holds a key
        // named like a block of a policy document and stays an attribute.
        ("complete", vec![]),
        // `variables.tf` declares the map and the queues; `main.tf.json` the rest, over
        // `for_each`, with a `dynamic` block in JSON.
        (
            "mixed",
            vec![(
                "aws_lambda_event_source_mapping.q[\"orders\"]",
                ("json-syntax/mixed/main.tf.json", 37),
            )],
        ),
    ];
    for (name, expected) in cases {
        let dir = PathBuf::from(TFMODULE).join("json-syntax").join(name);
        let with_plan = audit(&[dir.join("plan.json")], &permgate::AuditOptions::here());
        let copy = temp(&format!("json-{name}"));
        copy_without_plan(&dir, &copy);
        let without = audit(std::slice::from_ref(&copy), &permgate::AuditOptions::here());
        let from_source = summary(&without, &copy);
        std::fs::remove_dir_all(&copy).unwrap();
        assert_eq!(without.summary().terraform_from_source, 1, "{name}");
        assert_eq!(from_source, summary(&with_plan, &dir), "{name}");
        let errors: Vec<(&str, (String, u32))> = report_errors(&with_plan)
            .into_iter()
            .map(|f| (f.resource.as_str(), line(f).unwrap()))
            .collect();
        let expected: Vec<(&str, (String, u32))> = expected
            .into_iter()
            .map(|(r, (path, l))| (r, (path.to_string(), l)))
            .collect();
        assert_eq!(errors, expected, "{name}: {from_source:#?}");
        // The fix of a policy written in JSON is the JSON statement, not HCL.
        for finding in report_errors(&without) {
            let fix = finding.fix.as_ref().unwrap();
            assert_eq!(fix.source, None, "{name}: {fix:?}");
        }
    }
}

fn report_errors(report: &Report) -> Vec<&Finding> {
    report
        .findings()
        .map(|(_, f)| f)
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

#[test]
fn real_modules_audit_without_a_plan_and_every_error_is_true() {
    let root = PathBuf::from(TFMODULE).join("serverless-patterns");
    let report = audit(std::slice::from_ref(&root), &permgate::AuditOptions::here());
    let modules = report.files.iter().filter(|f| f.from_source).count();
    assert_eq!(modules, 11);
    assert!(
        report
            .files
            .iter()
            .all(|f| f.status != permgate::report::FileStatus::Error)
    );
    // Every finding was read against its module. The only errors: the two mappings of
    // `lambda-esm-kinesis-filters-terraform`, whose roles' policy (a `templatefile`) grants
    // `kinesis:DescribeStream`, `GetRecords`, `GetShardIterator`, `ListShards` and
    // `ListStreams` but not `kinesis:DescribeStreamSummary`, which the Lambda developer guide
    // lists among the permissions a Kinesis event source mapping needs
    // (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-create.html).
    let lines = summary(&report, &root);
    let errors: Vec<(&str, Vec<&str>)> = report
        .findings()
        .filter(|(_, f)| f.severity == Severity::Error)
        .map(|(_, f)| {
            let missing = f.missing.iter().map(|m| m.action.as_str()).collect();
            (f.resource.as_str(), missing)
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (
                "module.esm_filter_lambda.aws_lambda_event_source_mapping.esm_lambda_with_filter",
                vec!["kinesis:DescribeStreamSummary"]
            ),
            (
                "module.esm_filter_lambda.aws_lambda_event_source_mapping.esm_with_no_filter",
                vec!["kinesis:DescribeStreamSummary"]
            ),
        ],
        "{lines:#?}"
    );
    insta::assert_snapshot!("serverless_patterns", lines.join("\n"));
}

#[test]
fn inline_suppressions_work_without_a_plan() {
    let copy = temp("ignore");
    copy_without_plan(&PathBuf::from(TFMODULE).join("expansion"), &copy);
    let main = copy.join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap().replace(
        "resource \"aws_lambda_event_source_mapping\" \"each\" {",
        "# permgate:ignore PG101 the audit queue is read by another role\nresource \"aws_lambda_event_source_mapping\" \"each\" {",
    );
    std::fs::write(&main, text).unwrap();
    let report = audit(std::slice::from_ref(&copy), &permgate::AuditOptions::here());
    std::fs::remove_dir_all(&copy).unwrap();
    assert!(of_check(&report, "PG101").is_empty());
    assert_eq!(report.summary().suppressed, 1);
}

#[test]
fn var_and_var_file_apply_in_command_line_order() {
    // `other.tfvars` says `other-queue` (not polled: an error), `--var` says `orders`
    // (complete). Terraform applies `-var` and `-var-file` in the order written, the later
    // winning.
    let run = |args: &[&str]| -> (i32, usize) {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_permgate"))
            .current_dir(TFMODULE)
            .args(["check", "variables", "--format", "json"])
            .args(args)
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == "PG101" && f["severity"] == "error")
            .count();
        (out.status.code().unwrap(), errors)
    };
    let file = "variables/other.tfvars";
    assert_eq!(
        run(&["--var-file", file, "--var", "granted_queue=orders"]),
        (0, 0)
    );
    assert_eq!(
        run(&["--var", "granted_queue=orders", "--var-file", file]),
        (1, 1)
    );
    assert_eq!(
        run(&[
            "--var",
            "granted_queue=other-queue",
            "--var-file",
            file,
            "--var=granted_queue=orders"
        ]),
        (0, 0)
    );
}

#[test]
fn operators_decide_counts_conditions_and_policies() {
    // `local.queues = local.prod && !var.dead_letters ? var.extra_consumers + 1 : 1` is 3; the
    // policy grants the first `local.queues - 1` queues, with all three actions because
    // `var.env != "prod"` is false.
    let dir = PathBuf::from(TFMODULE).join("operators");
    let copy = temp("operators");
    copy_without_plan(&dir, &copy);
    let report = audit(std::slice::from_ref(&copy), &permgate::AuditOptions::here());
    let built = permgate::readers::hcl::module::plan_from_source(
        &copy,
        permgate::readers::hcl::TfSource::read(&copy),
        &[],
    );
    let lines = summary(&report, &copy);
    std::fs::remove_dir_all(&copy).unwrap();
    let errors: Vec<&str> = report_errors(&report)
        .into_iter()
        .map(|f| f.resource.as_str())
        .collect();
    assert_eq!(
        errors,
        vec!["aws_lambda_event_source_mapping.q[2]"],
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| !l.contains("PG004")), "{lines:#?}");
    // The instances and values Terraform planned (`plan.json`, made by `terraform plan` from
    // this source) are the ones the source gives.
    let addresses = |plan: &serde_json::Value| -> Vec<String> {
        let mut out: Vec<String> = plan["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["address"].as_str().unwrap().to_string())
            .collect();
        out.sort();
        out
    };
    let planned: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("plan.json")).unwrap()).unwrap();
    let from_source: serde_json::Value = serde_json::from_str(&built.json).unwrap();
    assert_eq!(addresses(&from_source), addresses(&planned));
    let after = |plan: &serde_json::Value, address: &str, attribute: &str| {
        plan["planned_values"]["root_module"]["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["address"] == address)
            .map(|r| r["values"][attribute].clone())
    };
    for (address, attribute) in [
        ("aws_lambda_function.consumer", "timeout"),
        ("aws_sqs_queue.q[2]", "name"),
    ] {
        let ours = after(&from_source, address, attribute).unwrap();
        let theirs = after(&planned, address, attribute).unwrap();
        // The built plan keeps numbers as the text a plan would print.
        assert_eq!(
            ours.to_string().trim_matches('"'),
            theirs.to_string().trim_matches('"')
        );
    }
}
