//! The checks give the same findings for a Terraform plan as for the equivalent template.
//!
//! Each pair is a CloudFormation or SAM fixture of a check folder and the plan fixture that
//! `testdata/checks/tfplan_fixtures.py` writes to mirror it (same resources, same policies, in
//! Terraform's terms). Both are audited end to end and compared as multisets of
//! (check, severity, certainty, sorted missing actions): locations, messages and fixes differ by
//! design (addresses instead of logical ids, `${aws_x.y.arn}` instead of `Fn::GetAtt`).
//! A pair whose inputs genuinely differ says why, and the test holds that they still do, so the
//! table stays true when the reader changes. [`SOURCE_PAIRS`] does the same for plans made by
//! `terraform`, audited with their `.tf` source beside them.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test code")]

use std::path::{Path, PathBuf};

use permgate::diag::{Certainty, Finding};
use permgate::report::FileStatus;

struct Pair {
    /// Folder under `testdata/checks/`.
    folder: &'static str,
    template: &'static str,
    plan: &'static str,
    /// Why the two inputs do not say the same thing, when they do not.
    differs: Option<&'static str>,
}

const fn same(folder: &'static str, template: &'static str, plan: &'static str) -> Pair {
    Pair {
        folder,
        template,
        plan,
        differs: None,
    }
}

const PAIRS: &[Pair] = &[
    same(
        "PG100-function-role-trust",
        "fail-ec2-principal.yaml",
        "fail-ec2-principal-plan.json",
    ),
    same("PG100-function-role-trust", "pass.yaml", "pass-plan.json"),
    same(
        "PG100-function-role-trust",
        "unknown-condition.yaml",
        "unknown-condition-plan.json",
    ),
    same(
        "PG101-esm-sqs-permissions",
        "fail-missing-delete.yaml",
        "fail-missing-delete-plan.json",
    ),
    Pair {
        folder: "PG101-esm-sqs-permissions",
        template: "fail-missing-delete.yaml",
        plan: "unknown-jsonencode-plan.json",
        differs: Some(
            "a `jsonencode` policy that names a resource created by the plan is only known \
             after apply, and the plan records only which resources it references (spec §8.2)",
        ),
    },
    same(
        "PG101-esm-sqs-permissions",
        "fail-explicit-deny.yaml",
        "fail-explicit-deny-plan.json",
    ),
    same(
        "PG101-esm-sqs-permissions",
        "fail-other-queue.yaml",
        "fail-other-queue-plan.json",
    ),
    same(
        "PG101-esm-sqs-permissions",
        "pass-least-privilege.yaml",
        "pass-least-privilege-plan.json",
    ),
    same(
        "PG101-esm-sqs-permissions",
        "pass-queue-policy.yaml",
        "pass-queue-policy-plan.json",
    ),
    same(
        "PG101-esm-sqs-permissions",
        "pass-sam-queue-policy.yaml",
        "pass-queue-policy-plan.json",
    ),
    same(
        "PG101-esm-sqs-permissions",
        "unknown-queue-policy-condition.yaml",
        "unknown-queue-policy-condition-plan.json",
    ),
    same(
        "PG101-esm-sqs-permissions",
        "unknown-sam-queue-policy-condition.yaml",
        "unknown-queue-policy-condition-plan.json",
    ),
    // The plan writes out the role SAM generates for the event.
    same(
        "PG101-esm-sqs-permissions",
        "pass-sam-event.yaml",
        "pass-managed-policy-plan.json",
    ),
    // `!ImportValue` in the template, a variable naming a policy outside the plan.
    same(
        "PG101-esm-sqs-permissions",
        "unknown-imported-policy.yaml",
        "unknown-external-policy-plan.json",
    ),
    Pair {
        folder: "PG102-esm-kinesis-permissions",
        template: "fail-efo-consumer.yaml",
        plan: "fail-efo-consumer-plan.json",
        differs: Some(
            "the policy's `aws_kinesis_stream.s.arn` may have been written with a suffix (`/consumer/*`): \
             the plan records the reference only (spec §8.2), so the stream actions are unknown",
        ),
    },
    same(
        "PG102-esm-kinesis-permissions",
        "pass-managed.yaml",
        "pass-managed-plan.json",
    ),
    Pair {
        folder: "PG103-esm-dynamodb-permissions",
        template: "fail-table-arn.yaml",
        plan: "unknown-table-arn-plan.json",
        differs: Some(
            "the plan records `aws_dynamodb_table.t.arn` and `\"${aws_dynamodb_table.t.arn}/stream/*\"` \
             alike, as the reference only (spec §8.2), so the policy may or may not name the \
             table's streams",
        ),
    },
    same(
        "PG103-esm-dynamodb-permissions",
        "pass-stream-wildcard.yaml",
        "pass-stream-wildcard-plan.json",
    ),
    same(
        "PG104-esm-msk-permissions",
        "fail-vpc-access-policy.yaml",
        "fail-vpc-access-policy-plan.json",
    ),
    same(
        "PG104-esm-msk-permissions",
        "pass-managed.yaml",
        "pass-managed-plan.json",
    ),
    same(
        "PG105-esm-msk-iam-auth",
        "fail-no-kafka-cluster.yaml",
        "fail-no-kafka-cluster-plan.json",
    ),
    same(
        "PG105-esm-msk-iam-auth",
        "pass-scoped.yaml",
        "pass-scoped-plan.json",
    ),
    same(
        "PG105-esm-msk-iam-auth",
        "unknown-external-cluster.yaml",
        "unknown-external-cluster-plan.json",
    ),
    same(
        "PG106-esm-kafka-vpc-permissions",
        "fail-no-ec2.yaml",
        "fail-no-ec2-plan.json",
    ),
    same(
        "PG106-esm-kafka-vpc-permissions",
        "pass-internet.yaml",
        "pass-internet-plan.json",
    ),
    // The plans write out the role SAM generates for an MQ event.
    same(
        "PG107-esm-mq-permissions",
        "fail-sam-private-broker.yaml",
        "fail-private-broker-plan.json",
    ),
    same(
        "PG107-esm-mq-permissions",
        "pass-public-broker.yaml",
        "pass-public-broker-plan.json",
    ),
    same(
        "PG108-esm-documentdb-permissions",
        "fail-no-rds.yaml",
        "fail-no-rds-plan.json",
    ),
    same(
        "PG108-esm-documentdb-permissions",
        "pass.yaml",
        "pass-plan.json",
    ),
    // Stream, table-stream and cluster policies.
    same(
        "PG102-esm-kinesis-permissions",
        "pass-stream-policy.yaml",
        "pass-stream-policy-plan.json",
    ),
    same(
        "PG102-esm-kinesis-permissions",
        "fail-stream-policy-deny.yaml",
        "fail-stream-policy-deny-plan.json",
    ),
    same(
        "PG103-esm-dynamodb-permissions",
        "pass-stream-policy.yaml",
        "pass-stream-policy-plan.json",
    ),
    same(
        "PG104-esm-msk-permissions",
        "pass-cluster-policy.yaml",
        "pass-cluster-policy-plan.json",
    ),
    same(
        "PG110-esm-secret-access",
        "fail-no-suffix.yaml",
        "fail-no-suffix-plan.json",
    ),
    same(
        "PG110-esm-secret-access",
        "pass-ref.yaml",
        "pass-ref-plan.json",
    ),
    same(
        "PG110-esm-secret-access",
        "fail-secret-policy-deny.yaml",
        "fail-secret-policy-deny-plan.json",
    ),
    same(
        "PG110-esm-secret-access",
        "fail-sam-secret-policy-deny.yaml",
        "fail-secret-policy-deny-plan.json",
    ),
    same(
        "PG110-esm-secret-access",
        "pass-suffix-wildcard.yaml",
        "pass-suffix-wildcard-plan.json",
    ),
    same(
        "PG111-esm-secret-kms",
        "fail-cmk.yaml",
        "fail-cmk-plan.json",
    ),
    same(
        "PG111-esm-secret-kms",
        "pass-aws-managed-key.yaml",
        "pass-aws-managed-key-plan.json",
    ),
    same(
        "PG111-esm-secret-kms",
        "pass-cmk.yaml",
        "pass-cmk-plan.json",
    ),
    // Resource policies: a key policy that names the role, one that allows everyone in the
    // account through Secrets Manager only (`kms:ViaService`).
    same(
        "PG111-esm-secret-kms",
        "pass-key-policy-grant.yaml",
        "pass-key-policy-grant-plan.json",
    ),
    same(
        "PG111-esm-secret-kms",
        "pass-via-service.yaml",
        "pass-via-service-plan.json",
    ),
    // The SAM template's generated role is written out in the plan.
    same(
        "PG111-esm-secret-kms",
        "pass-sam-key-policy-grant.yaml",
        "pass-key-policy-grant-plan.json",
    ),
    same(
        "PG111-esm-secret-kms",
        "pass-sam-via-service.yaml",
        "pass-via-service-plan.json",
    ),
    same("PG112-esm-queue-kms", "fail-cmk.yaml", "fail-cmk-plan.json"),
    same(
        "PG112-esm-queue-kms",
        "pass-aws-managed-key.yaml",
        "pass-aws-managed-key-plan.json",
    ),
    same("PG112-esm-queue-kms", "pass-cmk.yaml", "pass-cmk-plan.json"),
    same(
        "PG115-esm-key-policy-blocks",
        "fail-no-delegation.yaml",
        "fail-no-delegation-plan.json",
    ),
    // The SAM template reads a Kafka secret under the key, the plan a queue under it: the
    // finding is the same one.
    same(
        "PG115-esm-key-policy-blocks",
        "fail-sam-no-delegation.yaml",
        "fail-no-delegation-plan.json",
    ),
    // As above: a Kafka secret under the key in the SAM template, a queue in the plan.
    same(
        "PG115-esm-key-policy-blocks",
        "pass-sam-root-delegation.yaml",
        "pass-root-delegation-plan.json",
    ),
    same(
        "PG115-esm-key-policy-blocks",
        "pass-root-delegation.yaml",
        "pass-root-delegation-plan.json",
    ),
    same(
        "PG115-esm-key-policy-blocks",
        "pass-default-key-policy.yaml",
        "pass-default-key-policy-plan.json",
    ),
    Pair {
        folder: "PG113-esm-on-failure-destination",
        template: "fail-s3-bucket.yaml",
        plan: "fail-s3-bucket-plan.json",
        differs: Some(
            "the policy's `aws_s3_bucket.b.arn` may have been written as `\"${aws_s3_bucket.b.arn}/*\"`: the \
             plan records the reference only (spec §8.2), so `s3:PutObject` is unknown",
        ),
    },
    // The plans write out the role SAM generates for a DynamoDB event, without and with the
    // policy `OnFailure.Type: SQS` adds.
    same(
        "PG113-esm-on-failure-destination",
        "fail-sam-untyped-destination.yaml",
        "fail-sqs-destination-plan.json",
    ),
    same(
        "PG113-esm-on-failure-destination",
        "pass-sam-typed-destination.yaml",
        "pass-sqs-destination-plan.json",
    ),
    same(
        "PG114-esm-schema-registry",
        "fail-no-glue.yaml",
        "fail-no-glue-plan.json",
    ),
    same("PG114-esm-schema-registry", "pass.yaml", "pass-plan.json"),
    same(
        "PG120-function-logs",
        "fail-no-logs.yaml",
        "fail-no-logs-plan.json",
    ),
    same(
        "PG120-function-logs",
        "pass-custom-log-group.yaml",
        "pass-custom-log-group-plan.json",
    ),
    same(
        "PG120-function-logs",
        "pass-scoped.yaml",
        "pass-scoped-plan.json",
    ),
    same(
        "PG401-function-vpc-access",
        "fail-no-eni-actions.yaml",
        "fail-no-eni-actions-plan.json",
    ),
    same(
        "PG401-function-vpc-access",
        "pass-vpc-managed-policy.yaml",
        "pass-vpc-managed-policy-plan.json",
    ),
    same(
        "PG402-function-dead-letter",
        "fail-sqs-target.yaml",
        "fail-sqs-target-plan.json",
    ),
    same(
        "PG402-function-dead-letter",
        "pass-sqs-target.yaml",
        "pass-sqs-target-plan.json",
    ),
    same(
        "PG403-function-async-destination",
        "fail-topic-on-success.yaml",
        "fail-topic-on-success-plan.json",
    ),
    same(
        "PG403-function-async-destination",
        "pass-both-granted.yaml",
        "pass-both-granted-plan.json",
    ),
    same(
        "PG404-function-kms-key-denied",
        "fail-deny-all-kms.yaml",
        "fail-deny-all-kms-plan.json",
    ),
    same(
        "PG404-function-kms-key-denied",
        "pass-no-kms-statement.yaml",
        "pass-no-kms-statement-plan.json",
    ),
    same(
        "PG490-function-role-unverifiable",
        "unknown-imported-role.yaml",
        "unknown-imported-role-plan.json",
    ),
    same(
        "PG901-esm-broad-grant",
        "fail-sqs-star.yaml",
        "fail-sqs-star-plan.json",
    ),
    // The plan writes out the role SAM generates for the event.
    same(
        "PG901-esm-broad-grant",
        "pass-aws-managed.yaml",
        "pass-aws-managed-plan.json",
    ),
    same(
        "PG901-esm-broad-grant",
        "pass-least-privilege.yaml",
        "pass-least-privilege-plan.json",
    ),
];

const CHECKS_DIR: &str = "testdata/checks";

/// What must agree between the two inputs.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Outcome {
    check: String,
    severity: String,
    certain: bool,
    missing: Vec<String>,
}

fn outcome(f: &Finding) -> Outcome {
    let mut missing: Vec<String> = f.missing.iter().map(|m| m.action.clone()).collect();
    missing.sort();
    Outcome {
        check: f.check.to_string(),
        severity: f.severity.as_str().to_string(),
        certain: matches!(f.certainty, Certainty::Certain),
        missing,
    }
}

fn outcomes(path: &Path) -> Vec<Outcome> {
    assert!(path.is_file(), "{}: no such fixture", path.display());
    let report = permgate::audit(&[path.to_path_buf()]);
    for file in &report.files {
        assert_eq!(
            file.status,
            FileStatus::Audited,
            "{}: {:?}",
            path.display(),
            file.message
        );
    }
    // Deploy order (PG501) is about how the grant is written, which the pairs deliberately
    // differ in: a template's inline policy is a plan's `aws_iam_role_policy` or attachment.
    let mut out: Vec<Outcome> = report
        .findings()
        .filter(|(_, f)| f.check != "PG501")
        .map(|(_, f)| outcome(f))
        .collect();
    out.sort();
    out
}

#[test]
fn templates_and_plans_give_the_same_findings() {
    let root = Path::new(CHECKS_DIR);
    let mut failures = Vec::new();
    for pair in PAIRS {
        let dir = root.join(pair.folder);
        let template = outcomes(&dir.join(pair.template));
        let plan = outcomes(&dir.join(pair.plan));
        match (pair.differs, template == plan) {
            (None, false) => failures.push(format!(
                "{}: {} and {} differ\n  template: {template:?}\n  plan:     {plan:?}",
                pair.folder, pair.template, pair.plan
            )),
            (Some(why), true) => failures.push(format!(
                "{}: {} and {} now agree; remove the note ({why})",
                pair.folder, pair.template, pair.plan
            )),
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The pairs do not pass vacuously: between them they cover every outcome a fixture can have.
#[test]
fn pairs_cover_failures_passes_and_unknowns() {
    let all: Vec<Outcome> = PAIRS
        .iter()
        .flat_map(|p| outcomes(&Path::new(CHECKS_DIR).join(p.folder).join(p.plan)))
        .collect();
    assert!(all.iter().any(|o| o.certain && !o.missing.is_empty()));
    assert!(all.iter().any(|o| !o.certain));
    assert!(PAIRS.iter().any(|p| p.plan.starts_with("pass")));
}

#[test]
fn every_plan_fixture_has_a_pair() {
    let mut plans: Vec<PathBuf> = Vec::new();
    for folder in std::fs::read_dir(CHECKS_DIR).unwrap() {
        let folder = folder.unwrap().path();
        // The pairs cover the mapping and function checks (PG1xx, PG4xx, PG9xx); input and
        // policy-document checks (PG0xx) have plan fixtures of their own that no template
        // mirrors, nor the push and connector checks' (PG2xx, PG3xx, named `*-tfplan.json`).
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        let paired = ["PG1", "PG4", "PG9"].iter().any(|p| name.starts_with(p));
        if !folder.is_dir() || !paired {
            continue;
        }
        for file in std::fs::read_dir(&folder).unwrap() {
            let file = file.unwrap().path();
            if file.to_string_lossy().ends_with("-plan.json") {
                plans.push(file);
            }
        }
    }
    plans.sort();
    let mut listed: Vec<PathBuf> = PAIRS
        .iter()
        .map(|p| Path::new(CHECKS_DIR).join(p.folder).join(p.plan))
        .collect();
    listed.sort();
    listed.dedup();
    assert_eq!(plans, listed);
}

/// Plans made by `terraform` with their `.tf` source beside them (`testdata/tfsource/<name>/`),
/// each paired with the template of the same configuration. Their policies are written with
/// `jsonencode`, a heredoc or a `data "aws_iam_policy_document"` around the ARN of a queue or
/// table created in the same plan, so the plan alone leaves them unknown (the
/// `unknown-jsonencode-plan.json` pair above differs for that reason); the source gives them.
const SOURCE_PAIRS: &[Pair] = &[
    source(
        "PG101-esm-sqs-permissions",
        "fail-missing-delete.yaml",
        "jsonencode-missing-action",
    ),
    source(
        "PG101-esm-sqs-permissions",
        "fail-missing-delete.yaml",
        "policy-document-missing-action",
    ),
    source(
        "PG101-esm-sqs-permissions",
        "fail-missing-delete.yaml",
        "sqs-missing-action",
    ),
    source(
        "PG101-esm-sqs-permissions",
        "pass-least-privilege.yaml",
        "jsonencode-complete",
    ),
    source(
        "PG101-esm-sqs-permissions",
        "pass-least-privilege.yaml",
        "policy-document-complete",
    ),
    source(
        "PG103-esm-dynamodb-permissions",
        "pass-stream-wildcard.yaml",
        "heredoc-complete",
    ),
    source(
        "PG101-esm-sqs-permissions",
        "fail-missing-delete.yaml",
        "inline-policy-missing-action",
    ),
    source(
        "PG101-esm-sqs-permissions",
        "pass-least-privilege.yaml",
        "inline-policy-complete",
    ),
    // Resource policies, one plan per template of the check folders' hand-built
    // `*-plan.json` (which stay: they are plans whose values are known while planning).
    source(
        "PG101-esm-sqs-permissions",
        "pass-queue-policy.yaml",
        "pg101-pass-queue-policy",
    ),
    source(
        "PG101-esm-sqs-permissions",
        "unknown-queue-policy-condition.yaml",
        "pg101-unknown-queue-policy-condition",
    ),
    source(
        "PG102-esm-kinesis-permissions",
        "fail-stream-policy-deny.yaml",
        "pg102-fail-stream-policy-deny",
    ),
    Pair {
        folder: "PG102-esm-kinesis-permissions",
        template: "pass-stream-policy.yaml",
        plan: "pg102-pass-stream-policy",
        differs: Some(
            "the stream policy is a `data \"aws_iam_policy_document\"` read at apply: its \
             statements come from the plan's configuration, which records \
             `resources = [aws_kinesis_stream.events.arn]` as the reference only (spec §8.2), and \
             the source is not consulted for a data source's statement blocks, so whether it \
             names the stream or `stream/events/*` is not known: a note, where the template is clean",
        ),
    },
    source(
        "PG103-esm-dynamodb-permissions",
        "pass-stream-policy.yaml",
        "pg103-pass-stream-policy",
    ),
    source(
        "PG104-esm-msk-permissions",
        "pass-cluster-policy.yaml",
        "pg104-pass-cluster-policy",
    ),
    source(
        "PG110-esm-secret-access",
        "fail-secret-policy-deny.yaml",
        "pg110-fail-secret-policy-deny",
    ),
    source("PG111-esm-secret-kms", "fail-cmk.yaml", "pg111-fail-cmk"),
    account_variable("PG111-esm-secret-kms", "pass-cmk.yaml", "pg111-pass-cmk"),
    source(
        "PG111-esm-secret-kms",
        "pass-key-policy-grant.yaml",
        "pg111-pass-key-policy-grant",
    ),
    account_variable(
        "PG111-esm-secret-kms",
        "pass-via-service.yaml",
        "pg111-pass-via-service",
    ),
    source("PG112-esm-queue-kms", "fail-cmk.yaml", "pg112-fail-cmk"),
    account_variable("PG112-esm-queue-kms", "pass-cmk.yaml", "pg112-pass-cmk"),
    source(
        "PG115-esm-key-policy-blocks",
        "fail-no-delegation.yaml",
        "pg115-fail-no-delegation",
    ),
    // The same key policy in its own `aws_kms_key_policy` resource.
    source(
        "PG115-esm-key-policy-blocks",
        "fail-no-delegation.yaml",
        "pg115-fail-no-delegation-key-policy-resource",
    ),
    source(
        "PG115-esm-key-policy-blocks",
        "pass-default-key-policy.yaml",
        "pg115-pass-default-key-policy",
    ),
    account_variable(
        "PG115-esm-key-policy-blocks",
        "pass-root-delegation.yaml",
        "pg115-pass-root-delegation",
    ),
];

/// A template and the source-backed plan folder that mirrors it.
const fn source(folder: &'static str, template: &'static str, plan: &'static str) -> Pair {
    same(folder, template, plan)
}

/// The key policy allows `arn:aws:iam::${var.account_id}:root` (or `kms:CallerAccount` is the
/// variable) where the template writes `${AWS::AccountId}`: a module reads the account from
/// `data "aws_caller_identity"`, which calls AWS while planning, so these fixtures, planned
/// offline, take it as a variable. Nothing in the plan says the provider deploys into that
/// account, so the key policy's grant to the role is "cannot verify" (a warning), never an
/// error.
const fn account_variable(
    folder: &'static str,
    template: &'static str,
    plan: &'static str,
) -> Pair {
    Pair {
        folder,
        template,
        plan,
        differs: Some(
            "the account is `var.account_id`, which the plan does not tie to the account the \
             provider deploys into: the key policy's grant is a note, where the template is clean",
        ),
    }
}

#[test]
fn source_backed_plans_give_the_same_findings_as_their_templates() {
    let mut failures = Vec::new();
    for pair in SOURCE_PAIRS {
        let template = outcomes(&Path::new(CHECKS_DIR).join(pair.folder).join(pair.template));
        let dir = Path::new("testdata/tfsource").join(pair.plan);
        assert!(
            dir.join("main.tf").is_file(),
            "{}: the plan's source is missing",
            pair.plan
        );
        let plan = outcomes(&dir.join("plan.json"));
        match pair.differs {
            None if template != plan => failures.push(format!(
                "{}/{} and {} differ\n  template: {template:?}\n  plan:     {plan:?}",
                pair.folder, pair.template, pair.plan
            )),
            // Where they differ, the plan says less, never more: the template's findings
            // become notes or warnings that the grant cannot be verified, never errors.
            Some(why) => {
                if template == plan {
                    failures.push(format!(
                        "{}/{} and {} now agree; remove the note ({why})",
                        pair.folder, pair.template, pair.plan
                    ));
                }
                let uncertain_only = plan
                    .iter()
                    .filter(|o| !template.contains(o))
                    .all(|o| !o.certain && o.severity != "error");
                if !uncertain_only {
                    failures.push(format!(
                        "{}: a finding the template does not give is certain: {plan:?}",
                        pair.plan
                    ));
                }
            }
            None => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Not vacuous: the failing twins fail, certainly, and a resource policy's Deny is one.
    for failing in [
        "jsonencode-missing-action",
        "pg102-fail-stream-policy-deny",
        "pg110-fail-secret-policy-deny",
        "pg115-fail-no-delegation",
        "pg115-fail-no-delegation-key-policy-resource",
    ] {
        let found = outcomes(
            &Path::new("testdata/tfsource")
                .join(failing)
                .join("plan.json"),
        );
        assert!(
            found.iter().any(|o| o.certain && !o.missing.is_empty()),
            "{failing}: {found:?}"
        );
    }
}

/// Every `pg…` folder of `testdata/tfsource` (a plan made by `terraform` to mirror one template
/// of a check folder, named after it) is paired with its template.
#[test]
fn every_source_backed_plan_has_a_pair() {
    let mut folders: Vec<String> = std::fs::read_dir("testdata/tfsource")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("plan.json").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pg"))
        .collect();
    folders.sort();
    let mut listed: Vec<String> = SOURCE_PAIRS
        .iter()
        .map(|p| p.plan.to_string())
        .filter(|n| n.starts_with("pg"))
        .collect();
    listed.sort();
    assert_eq!(folders, listed);
}

/// A module that reads the account from `data "aws_caller_identity"` (which a plan made offline
/// cannot hold), audited from its source alone, gives its template's findings: the data
/// source's `account_id` is the account, so the key policy's `:root` statement delegates.
#[test]
fn a_module_audited_from_source_reads_the_account_from_its_caller_identity() {
    let dir = Path::new("testdata/tfsource/caller-identity-root-delegation");
    assert!(
        !dir.join("plan.json").exists(),
        "audited from its source alone"
    );
    let template = outcomes(
        &Path::new(CHECKS_DIR).join("PG115-esm-key-policy-blocks/pass-root-delegation.yaml"),
    );
    let report = permgate::audit(&[dir.to_path_buf()]);
    assert_eq!(report.summary().terraform_from_source, 1);
    let mut module: Vec<Outcome> = report
        .findings()
        .filter(|(_, f)| f.check != "PG501")
        .map(|(_, f)| outcome(f))
        .collect();
    module.sort();
    assert_eq!(template, module);

    // Not vacuous: the same module whose key policy names another role of the account instead
    // of its root is blocked by it, certainly.
    let copy =
        std::env::temp_dir().join(format!("permgate-caller-identity-{}", std::process::id()));
    std::fs::create_dir_all(&copy).unwrap();
    let text = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    let admin_only = text.replace("account_id}:root", "account_id}:role/key-admin");
    assert_ne!(text, admin_only);
    std::fs::write(copy.join("main.tf"), admin_only).unwrap();
    let report = permgate::audit(std::slice::from_ref(&copy));
    std::fs::remove_dir_all(&copy).unwrap();
    let blocked: Vec<Outcome> = report.findings().map(|(_, f)| outcome(f)).collect();
    assert!(
        blocked
            .iter()
            .any(|o| o.check == "PG115" && o.certain && o.missing == ["kms:Decrypt"]),
        "{blocked:?}"
    );
}
