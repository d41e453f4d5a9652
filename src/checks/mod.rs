//! Checks: [`Stack`](crate::model::Stack) → [`Finding`](crate::diag::Finding)s.
//!
//! Each check is one file with its documentation (the text of `permgate explain`), its logic
//! and a test that runs its fixtures in `testdata/checks/<ID>-<slug>/`. The registry is an
//! explicit, sorted list.

pub mod assumed;
pub mod connector;
pub mod connector_iam_auth_permissions;
pub mod connector_role_trust;
pub mod connector_role_unverifiable;
pub mod connector_service_linked_role;
pub mod connector_trust_confused_deputy;
pub mod context;
pub mod deploy_order;
pub mod esm;
pub mod esm_broad_grant;
pub mod esm_documentdb;
pub mod esm_dynamodb;
pub mod esm_kafka_vpc;
pub mod esm_key_policy;
pub mod esm_kinesis;
pub mod esm_mq;
pub mod esm_msk;
pub mod esm_msk_iam_auth;
pub mod esm_on_failure;
pub mod esm_queue_kms;
pub mod esm_role_unverifiable;
pub mod esm_schema_registry;
pub mod esm_secret_access;
pub mod esm_secret_kms;
pub mod esm_sqs;
pub mod function;
pub mod function_async_destination;
pub mod function_dead_letter;
pub mod function_kms_key;
pub mod function_logs;
pub mod function_policy_broad_action;
pub mod function_policy_public;
pub mod function_role_trust;
pub mod function_role_unverifiable;
pub mod function_url_public;
pub mod function_vpc_access;
pub mod input_error;
pub mod input_warning;
pub mod needs;
pub mod permission_principal_unknown;
pub mod permission_unknown_function;
pub mod policy_action_unknown;
pub mod policy_document_invalid;
pub mod policy_problems;
pub mod push;
pub mod push_permission_confused_deputy;
pub mod push_permission_missing;
pub mod render;
pub mod requirements;
pub mod suppression_lapsed;
pub mod suppression_unused;
#[cfg(test)]
pub mod testing;

use crate::diag::Severity;

/// What a check is, for `permgate checks`, `permgate explain` and SARIF rules.
#[derive(Debug)]
pub struct CheckInfo {
    /// Stable id, `PG` and three digits; never reused.
    pub id: &'static str,
    /// Stable kebab-case name.
    pub slug: &'static str,
    pub default_severity: Severity,
    /// One line (under 100 characters): what the check finds.
    pub summary: &'static str,
    /// Markdown with the sections `What it checks`, `Why it matters`, `How to fix`, `Example`.
    pub docs: &'static str,
    /// Source keys from the research spec's source table (e.g. `L-SQS`).
    pub sources: &'static [&'static str],
    /// The file, relative to the repository root, whose doc comment is the check's
    /// documentation (SARIF `helpUri` links to it); empty when there is none.
    pub source_file: &'static str,
}

/// Declares a check's [`CheckInfo`] from its doc comment: the first line is the summary, the
/// rest the documentation.
#[macro_export]
macro_rules! declare_check {
    (
        #[doc = $summary:literal]
        $(#[doc = $doc:literal])*
        pub static $name:ident = {
            id: $id:literal,
            slug: $slug:literal,
            severity: $sev:ident,
            sources: [$($src:literal),* $(,)?] $(,)?
        }
    ) => {
        pub static $name: $crate::checks::CheckInfo = $crate::checks::CheckInfo {
            id: $id,
            slug: $slug,
            default_severity: $crate::diag::Severity::$sev,
            summary: $summary.trim_ascii(),
            docs: concat!($($doc, "\n"),*),
            sources: &[$($src),*],
            source_file: file!(),
        };
    };
}

/// Every check, sorted by id.
pub static CHECKS: &[&CheckInfo] = &[
    &input_error::INPUT_ERROR,
    &policy_document_invalid::POLICY_DOCUMENT_INVALID,
    &policy_action_unknown::POLICY_ACTION_UNKNOWN,
    &input_warning::INPUT_WARNING,
    &suppression_unused::SUPPRESSION_UNUSED,
    &suppression_lapsed::SUPPRESSION_LAPSED,
    &function_role_trust::FUNCTION_ROLE_TRUST,
    &esm_sqs::ESM_SQS,
    &esm_kinesis::ESM_KINESIS,
    &esm_dynamodb::ESM_DYNAMODB,
    &esm_msk::ESM_MSK,
    &esm_msk_iam_auth::ESM_MSK_IAM_AUTH,
    &esm_kafka_vpc::ESM_KAFKA_VPC,
    &esm_mq::ESM_MQ,
    &esm_documentdb::ESM_DOCUMENTDB,
    &esm_secret_access::ESM_SECRET_ACCESS,
    &esm_secret_kms::ESM_SECRET_KMS,
    &esm_queue_kms::ESM_QUEUE_KMS,
    &esm_on_failure::ESM_ON_FAILURE,
    &esm_schema_registry::ESM_SCHEMA_REGISTRY,
    &esm_key_policy::ESM_KEY_POLICY,
    &function_logs::FUNCTION_LOGS,
    &esm_role_unverifiable::ESM_ROLE_UNVERIFIABLE,
    &push_permission_missing::PUSH_PERMISSION_MISSING,
    &function_policy_public::FUNCTION_POLICY_PUBLIC,
    &push_permission_confused_deputy::PUSH_PERMISSION_CONFUSED_DEPUTY,
    &function_policy_broad_action::FUNCTION_POLICY_BROAD_ACTION,
    &function_url_public::FUNCTION_URL_PUBLIC,
    &permission_unknown_function::PERMISSION_UNKNOWN_FUNCTION,
    &permission_principal_unknown::PERMISSION_PRINCIPAL_UNKNOWN,
    &connector_role_trust::CONNECTOR_ROLE_TRUST,
    &connector_trust_confused_deputy::CONNECTOR_TRUST_CONFUSED_DEPUTY,
    &connector_service_linked_role::CONNECTOR_SERVICE_LINKED_ROLE,
    &connector_iam_auth_permissions::CONNECTOR_IAM_AUTH_PERMISSIONS,
    &connector_role_unverifiable::CONNECTOR_ROLE_UNVERIFIABLE,
    &function_vpc_access::FUNCTION_VPC_ACCESS,
    &function_dead_letter::FUNCTION_DEAD_LETTER,
    &function_async_destination::FUNCTION_ASYNC_DESTINATION,
    &function_kms_key::FUNCTION_KMS_KEY,
    &function_role_unverifiable::FUNCTION_ROLE_UNVERIFIABLE,
    &deploy_order::DEPLOY_ORDER,
    &esm_broad_grant::ESM_BROAD_GRANT,
];

/// Runs every check on a stack.
pub fn run_all(
    stack: &crate::model::Stack,
    format: crate::model::InputFormat,
) -> Vec<crate::diag::Finding> {
    let cx = context::Context::new(stack, format);
    if stack.roles.len() < PARALLEL_ROLES {
        return run_checks(&cx);
    }
    std::thread::scope(|scope| {
        // A thread that cannot be started leaves every role to this one.
        let _ = std::thread::Builder::new()
            .name("policy-sets".into())
            .stack_size(HELPER_THREAD_STACK)
            .spawn_scoped(scope, || cx.build_from_the_end());
        run_checks(&cx)
    })
}

/// From this many roles, their policy sets are also built on a second thread: below it, the
/// thread costs more than it saves.
const PARALLEL_ROLES: usize = 64;

/// The stack of the thread that builds policy sets: the main thread's (8 MiB on Linux).
const HELPER_THREAD_STACK: usize = 8 << 20;

fn run_checks(cx: &context::Context<'_>) -> Vec<crate::diag::Finding> {
    let mut findings = Vec::new();
    function_role_trust::run(cx, &mut findings);
    esm::run(cx, &mut findings);
    esm_role_unverifiable::run(cx, &mut findings);
    function_logs::run(cx, &mut findings);
    policy_problems::run(cx, &mut findings);
    input_warning::run(cx, &mut findings);
    push_permission_missing::run(cx, &mut findings);
    function_policy_public::run(cx, &mut findings);
    push_permission_confused_deputy::run(cx, &mut findings);
    function_policy_broad_action::run(cx, &mut findings);
    function_url_public::run(cx, &mut findings);
    permission_unknown_function::run(cx, &mut findings);
    permission_principal_unknown::run(cx, &mut findings);
    connector_role_trust::run(cx, &mut findings);
    connector_trust_confused_deputy::run(cx, &mut findings);
    connector_service_linked_role::run(cx, &mut findings);
    connector_iam_auth_permissions::run(cx, &mut findings);
    connector_role_unverifiable::run(cx, &mut findings);
    function::run(cx, &mut findings);
    deploy_order::run(cx, &mut findings);
    findings
}

/// A check by id (`PG101`) or slug (`esm-sqs-permissions`), case-insensitive.
pub fn find(name: &str) -> Option<&'static CheckInfo> {
    CHECKS
        .iter()
        .copied()
        .find(|c| c.id.eq_ignore_ascii_case(name) || c.slug.eq_ignore_ascii_case(name))
}

/// The text of `permgate explain`.
pub fn explain(check: &CheckInfo) -> String {
    let docs: String = check
        .docs
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    // The pages the check rests on, by URL (the registry test guarantees each key has one).
    let mut sources = String::new();
    for key in check.sources {
        if let Some(s) = crate::aws::sources::find(key) {
            sources.push_str(&format!("- {}\n  {}\n", s.title, s.url));
        }
    }
    format!(
        "{} ({}) — {}\ndefault severity: {}\n\n{}\n\n## Sources\n{}",
        check.id,
        check.slug,
        check.summary,
        check.default_severity.as_str(),
        docs.trim(),
        sources
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stack of many roles has their policy sets built on two threads: the findings are
    /// those of one thread, in the same order.
    #[test]
    fn many_roles_give_the_findings_of_one_thread() {
        let mut resources = serde_json::Map::new();
        for i in 0..PARALLEL_ROLES + 6 {
            // Every third role lacks `sqs:DeleteMessage`; every fifth grants nothing.
            let actions: Vec<&str> = match (i % 3, i % 5) {
                (_, 0) => vec![],
                (0, _) => vec!["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
                _ => vec![
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
            };
            resources.insert(
                format!("Q{i}"),
                serde_json::json!({"Type": "AWS::SQS::Queue"}),
            );
            resources.insert(
                format!("R{i}"),
                serde_json::json!({"Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                    "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": actions,
                            "Resource": {"Fn::GetAtt": [format!("Q{i}"), "Arn"]}}]}}]}}),
            );
            resources.insert(
                format!("F{i}"),
                serde_json::json!({"Type": "AWS::Lambda::Function", "Properties": {
                    "Runtime": "python3.12", "Handler": "a.h", "Code": {"ZipFile": "x"},
                    "Role": {"Fn::GetAtt": [format!("R{i}"), "Arn"]}}}),
            );
            resources.insert(
                format!("M{i}"),
                serde_json::json!({"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
                    "FunctionName": {"Ref": format!("F{i}")},
                    "EventSourceArn": {"Fn::GetAtt": [format!("Q{i}"), "Arn"]}}}),
            );
        }
        let template =
            serde_json::json!({"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources});
        let file = crate::source::SourceFile::new("many.json", template.to_string());
        let Ok(Some(crate::readers::ReadOutcome::Stack { format, stack })) =
            crate::readers::read(&file, true)
        else {
            panic!("the template is not read");
        };
        assert!(stack.roles.len() >= PARALLEL_ROLES);
        let two_threads = run_all(&stack, format);
        let one_thread = run_checks(&context::Context::new(&stack, format));
        assert_eq!(two_threads, one_thread);
        let errors = |findings: &[crate::diag::Finding]| {
            findings
                .iter()
                .filter(|f| f.severity == crate::diag::Severity::Error)
                .count()
        };
        assert!(
            errors(&two_threads) >= (PARALLEL_ROLES + 6) / 3,
            "{two_threads:#?}"
        );
    }

    #[test]
    fn ids_and_slugs_are_unique_and_sorted() {
        let ids: Vec<&str> = CHECKS.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted, "check ids must be unique and sorted");
        let mut slugs: Vec<&str> = CHECKS.iter().map(|c| c.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), CHECKS.len(), "check slugs must be unique");
        for c in CHECKS {
            assert!(c.id.len() == 5 && c.id.starts_with("PG"), "{}", c.id);
            assert!(c.summary.len() < 100, "{}: summary too long", c.id);
            assert!(
                !c.summary.ends_with('.'),
                "{}: summary ends with a period",
                c.id
            );
        }
    }

    #[test]
    fn every_doc_has_its_sections() {
        for c in CHECKS {
            for section in [
                "## What it checks",
                "## Why it matters",
                "## How to fix",
                "## Example",
            ] {
                assert!(c.docs.contains(section), "{} lacks `{section}`", c.id);
            }
            assert!(c.docs.contains("```"), "{} has no example block", c.id);
        }
    }

    #[test]
    fn explain_cites_pages_by_url_and_no_document_users_lack() {
        for c in CHECKS {
            let text = explain(c);
            assert!(
                !text.contains("research spec") && !text.contains('§'),
                "{}",
                c.id
            );
            let urls = text.matches("\n  https://").count();
            assert_eq!(urls, c.sources.len(), "{}: one URL per source", c.id);
            for key in c.sources {
                let cited = format!("({key})");
                assert!(!text.contains(&cited), "{}: bare source key {key}", c.id);
            }
        }
    }

    #[test]
    fn every_source_key_is_in_the_spec() {
        // The spec's source table (research spec §0) lists these keys.
        const KEYS: &[&str] = &[
            "MAMIP",
            "SAMT",
            "SAM-RUN",
            "CFNLINT",
            "PS",
            "TFSCHEMA",
            "TFP-ESM",
            "TF-JSON",
            "TF-RUN",
            "L-SQS",
            "SQS-DG",
            "L-KIN",
            "L-KIN-OLD",
            "L-STREAM-DEST",
            "L-DDB-OLD",
            "L-MSK-PERM",
            "L-MSK-AUTH",
            "L-MSK-OLD",
            "L-KAFKA-OLD",
            "L-KAFKA-DEST",
            "L-MQ",
            "SAM-MQ",
            "L-DOCDB",
            "L-FILTER",
            "L-SVC",
            "MSKC",
            "ISSUE-CDK18571",
            "ISSUE-DDB39",
            "ISSUE-XACCT11",
            "PR-OXBOW30",
            "TFLINT",
            "IAM-EVAL",
            // The IAM User Guide pages of docs/data.md.
            "IAM-ELEM",
            "IAM-GRAMMAR",
            "IAM-QUOTAS",
            // The Lambda and KMS pages of docs/data.md.
            "L-ASYNC",
            "L-ENV-KMS",
            "KMS-GRANTS",
            "KMS-AUTH",
            // The resource-policy pages of docs/data.md.
            "KMS-KEYPOL",
            "KMS-DEFAULT",
            "KMS-COND",
            "SQS-POLICY",
            "KIN-POLICY",
            "DDB-POLICY",
            "SM-POLICY",
            "MSK-POLICY",
        ];
        for c in CHECKS {
            for s in c.sources {
                assert!(KEYS.contains(s), "{}: unknown source key `{s}`", c.id);
            }
        }
    }

    #[test]
    fn every_check_is_listed_in_the_docs() {
        let docs = include_str!("../../docs/checks.md");
        for c in CHECKS {
            let row = format!(
                "| {} | {} | {} |",
                c.id,
                c.slug,
                c.default_severity.as_str()
            );
            assert!(docs.contains(&row), "docs/checks.md lacks the row `{row}`");
        }
    }

    #[test]
    fn find_by_id_or_slug() {
        assert_eq!(find("pg001").map(|c| c.id), Some("PG001"));
        assert_eq!(find("input-error").map(|c| c.id), Some("PG001"));
        assert!(find("PG999").is_none());
    }
}
