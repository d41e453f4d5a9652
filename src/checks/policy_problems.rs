//! The problems of every policy document of a stack, each reported once: PG002 for documents
//! IAM refuses, PG003 for actions that do not exist.
//!
//! Input: the [`Context`] (each role's [`PolicySet`](crate::iam::eval::PolicySet), built once),
//! the roles' trust policies and the stack's unattached policies. Output: findings of
//! [`POLICY_DOCUMENT_INVALID`] and [`POLICY_ACTION_UNKNOWN`].
//!
//! Invariants: a problem is reported once however many roles share its policy (a standalone
//! `AWS::IAM::Policy` attached to two roles, a managed policy that is also a boundary): the key
//! is the policy, the problem and its span. The embedded AWS managed policies are AWS's own and
//! never reported, nor are the unknown actions of SAM policy templates (SAM's text, which the
//! user cannot change). Only what the stack defines is read.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Value as Json, json};

use super::context::Context;
use super::policy_action_unknown::POLICY_ACTION_UNKNOWN;
use super::policy_document_invalid::POLICY_DOCUMENT_INVALID;
use super::render;
use crate::diag::{Certainty, Finding, Fix, Missing, Severity};
use crate::iam::eval::{MANAGED_POLICY_LIMIT, PolicyKind, PolicyRef, Request};
use crate::iam::policy::{self, Correction, DocumentKind, ProblemKind};
use crate::model::{InputFormat, Policy, PolicySource, RoleId, Stack, SymStr, Value, ValueKind};
use crate::source::Span;

/// Where a problem was found.
enum Document<'s> {
    /// An identity policy or boundary; `roles` hold it.
    Policy {
        policy: Arc<PolicyRef>,
        roles: Vec<RoleId>,
    },
    /// The trust policy of a role.
    Trust { role: RoleId },
    /// A policy of the stack attached to no role of it.
    Unattached { policy: &'s Policy },
}

struct Found<'s> {
    document: Document<'s>,
    kind: ProblemKind,
    message: String,
    span: Option<Span>,
    correction: Option<Correction>,
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let found = collect(cx);
    for f in &found {
        findings.push(match f.kind {
            ProblemKind::UnknownAction => unknown_action(cx, f),
            _ => invalid_document(cx, f),
        });
    }
}

/// Every problem once, in the order the stack lists roles and policies.
fn collect<'s>(cx: &Context<'s>) -> Vec<Found<'s>> {
    let stack = cx.stack;
    let mut found: Vec<Found<'s>> = Vec::new();
    // (origin, policy name, message, span) → index in `found`.
    let mut seen: HashMap<(String, String, String, Option<Span>), usize> = HashMap::new();
    for (i, role) in stack.roles.iter().enumerate() {
        let id = RoleId(i);
        if let Some(set) = cx.policies(id) {
            for p in set.problems() {
                if p.kind == ProblemKind::UnknownAction
                    && p.policy.kind == PolicyKind::Model(PolicySource::SamPolicyTemplate)
                {
                    // SAM's own text (`SQSPollerPolicy` lists `sqs:DeleteMessageBatch`, which
                    // is no IAM action): not the user's to fix.
                    continue;
                }
                let key = (
                    p.policy.origin.clone(),
                    p.policy.name.clone(),
                    p.message.clone(),
                    p.span,
                );
                if let Some(&at) = seen.get(&key) {
                    if let Some(Found {
                        document: Document::Policy { roles, .. },
                        ..
                    }) = found.get_mut(at)
                    {
                        roles.push(id);
                    }
                    continue;
                }
                seen.insert(key, found.len());
                found.push(Found {
                    document: Document::Policy {
                        policy: p.policy.clone(),
                        roles: vec![id],
                    },
                    kind: p.kind,
                    message: p.message.clone(),
                    span: p.span.or(p.policy.span),
                    correction: p.correction.clone(),
                });
            }
        }
        if let Some(trust) = &role.trust_policy {
            for p in policy::parse(&trust.value, DocumentKind::Trust).problems {
                found.push(Found {
                    document: Document::Trust { role: id },
                    kind: p.kind,
                    span: p.span.or(trust.value.span).or(role.origin.span),
                    message: p.message,
                    correction: p.correction,
                });
            }
        }
    }
    for policy in &stack.unattached_policies {
        let mut problems = policy::parse(&policy.document.value, DocumentKind::Identity).problems;
        let size = policy::min_size(&policy.document.value);
        // IAM-QUOTAS; the same words as the check of attached policies, so that a managed
        // policy seen both ways (a permissions boundary) is reported once.
        if policy.source == PolicySource::CustomerManaged && size > MANAGED_POLICY_LIMIT {
            problems.push(policy::Problem {
                kind: ProblemKind::SizeLimit,
                message: format!(
                    "managed policy `{}` has at least {size} characters, over the IAM limit of 6,144 for a managed policy (whitespace not counted)",
                    policy.name
                ),
                span: policy.document.value.span.or(policy.origin.span),
                correction: None,
            });
        }
        for p in problems {
            if p.kind == ProblemKind::UnknownAction
                && policy.source == PolicySource::SamPolicyTemplate
            {
                continue;
            }
            let key = (
                policy.origin.id.clone(),
                policy.name.clone(),
                p.message.clone(),
                p.span,
            );
            let span = p.span.or(policy.document.value.span).or(policy.origin.span);
            if seen.contains_key(&key) {
                continue;
            }
            seen.insert(key, found.len());
            found.push(Found {
                document: Document::Unattached { policy },
                kind: p.kind,
                message: p.message,
                span,
                correction: p.correction,
            });
        }
    }
    found
}

/// The resource a finding is reported on, and the document in words.
fn subject(stack: &Stack, document: &Document<'_>) -> (String, String) {
    match document {
        Document::Policy { policy, .. } => (policy.origin.clone(), policy.describe()),
        Document::Trust { role } => {
            let id = stack
                .role(*role)
                .map(|r| r.origin.id.clone())
                .unwrap_or_default();
            let words = format!("trust policy of `{id}`");
            (id, words)
        }
        Document::Unattached { policy } => {
            let r = PolicyRef {
                name: policy.name.clone(),
                kind: PolicyKind::Model(policy.source.clone()),
                origin: policy.origin.id.clone(),
                span: policy.origin.span,
                attachment: crate::iam::eval::Attachment::Identity,
            };
            (policy.origin.id.clone(), r.describe())
        }
    }
}

fn invalid_document(cx: &Context<'_>, f: &Found<'_>) -> Finding {
    let (resource, words) = subject(cx.stack, &f.document);
    let message = match f.kind {
        // Already names the policy or role.
        ProblemKind::SizeLimit => f.message.clone(),
        ProblemKind::Unresolved => format!("role `{resource}`: {}", f.message),
        _ => format!("{words}: {}", f.message),
    };
    Finding {
        check: POLICY_DOCUMENT_INVALID.id,
        severity: Severity::Error,
        certainty: Certainty::Certain,
        message,
        resource,
        span: f.span,
        related: Vec::new(),
        missing: Vec::new(),
        fix: None,
        location: None,
    }
}

fn unknown_action(cx: &Context<'_>, f: &Found<'_>) -> Finding {
    let (resource, words) = subject(cx.stack, &f.document);
    let mut finding = Finding {
        check: POLICY_ACTION_UNKNOWN.id,
        severity: Severity::Warning,
        certainty: Certainty::Certain,
        message: format!("{words}: {}", f.message),
        resource,
        span: f.span,
        related: Vec::new(),
        missing: Vec::new(),
        fix: None,
        location: None,
    };
    let Some(correction) = &f.correction else {
        return finding;
    };
    let Some(document) = document_value(cx.stack, &f.document) else {
        return finding;
    };
    let Some(found) = statement_with(document, &correction.written, f.span) else {
        return finding;
    };
    finding.missing = intended(cx, f, &found, correction);
    if let Some(statement) = corrected(cx.format, found.statement, correction) {
        finding.fix = Some(Fix {
            help: format!(
                "replace `{}` with `{}` in {words}",
                correction.written, correction.suggested
            ),
            statement,
            source: None,
        });
    }
    finding
}

/// The document a problem was found in, as the model holds it.
fn document_value<'s>(stack: &'s Stack, document: &Document<'s>) -> Option<&'s Value> {
    match document {
        Document::Policy { policy, .. } => stack
            .roles
            .iter()
            .flat_map(|r| r.policies.iter())
            .chain(stack.unattached_policies.iter())
            .find(|p| p.origin.id == policy.origin && p.name == policy.name)
            .map(|p| &*p.document.value),
        Document::Trust { role } => stack.role(*role)?.trust_policy.as_ref().map(|d| &*d.value),
        Document::Unattached { policy } => Some(&*policy.document.value),
    }
}

/// A statement and how it names the action.
struct StatementWith<'v> {
    statement: &'v Value,
    /// Under `NotAction`.
    negated: bool,
}

/// The statement whose `Action` or `NotAction` lists `action` (at `span`, when the input has
/// spans).
fn statement_with<'v>(
    document: &'v Value,
    action: &str,
    span: Option<Span>,
) -> Option<StatementWith<'v>> {
    let mut statements = Vec::new();
    if let Some(list) = document.get_ignore_case("Statement") {
        items(list, &mut statements);
    }
    statements.into_iter().find_map(|statement| {
        for (name, negated) in [("Action", false), ("NotAction", true)] {
            let Some(element) = statement.get_ignore_case(name) else {
                continue;
            };
            let mut entries = Vec::new();
            items(element, &mut entries);
            let named = entries
                .iter()
                .any(|e| e.as_literal() == Some(action) && (span.is_none() || e.span == span));
            if named {
                return Some(StatementWith { statement, negated });
            }
        }
        None
    })
}

/// The items of a string-or-list element, with both branches of every `Fn::If`.
fn items<'v>(value: &'v Value, out: &mut Vec<&'v Value>) {
    match &value.kind {
        ValueKind::List(list) => list.iter().for_each(|v| items(v, out)),
        ValueKind::If {
            then, otherwise, ..
        } => {
            items(then, out);
            items(otherwise, out);
        }
        ValueKind::NoValue | ValueKind::Null => {}
        _ => out.push(value),
    }
}

/// What an `Allow` statement with the typo fails to grant: the intended action on each of its
/// resources, unless every role that holds the policy is allowed it anyway. For a trust
/// policy, the intended action on the role itself.
fn intended(
    cx: &Context<'_>,
    f: &Found<'_>,
    found: &StatementWith<'_>,
    correction: &Correction,
) -> Vec<Missing> {
    let statement = found.statement;
    let allows = statement
        .get_ignore_case("Effect")
        .and_then(Value::as_literal)
        == Some("Allow");
    if !allows || found.negated {
        return Vec::new();
    }
    let resources: Vec<SymStr> = match &f.document {
        Document::Trust { role } => cx
            .stack
            .role(*role)
            .map(|r| r.arn.clone())
            .into_iter()
            .collect(),
        _ => {
            let Some(element) = statement.get_ignore_case("Resource") else {
                return Vec::new();
            };
            let mut entries = Vec::new();
            items(element, &mut entries);
            entries
                .into_iter()
                .filter_map(|e| e.as_symstr().cloned())
                .collect()
        }
    };
    let roles: &[RoleId] = match &f.document {
        Document::Policy { roles, .. } => roles,
        _ => &[],
    };
    let mut missing: Vec<Missing> = Vec::new();
    for resource in &resources {
        let granted_anyway = !roles.is_empty()
            && roles.iter().all(|r| {
                cx.policies(*r).is_some_and(|set| {
                    set.evaluate(&Request {
                        action: &correction.suggested,
                        resource,
                    })
                    .is_allowed()
                })
            });
        if granted_anyway {
            continue;
        }
        let m = Missing {
            action: correction.suggested.clone(),
            resource: render::plain(cx.format, resource),
        };
        if !missing.contains(&m) {
            missing.push(m);
        }
    }
    missing
}

/// The statement as the user would write it, with the action corrected. `None` when part of it
/// cannot be written back (a value the input does not determine).
fn corrected(format: InputFormat, statement: &Value, correction: &Correction) -> Option<Json> {
    fn write(
        format: InputFormat,
        v: &Value,
        correction: &Correction,
        in_action: bool,
    ) -> Option<Json> {
        Some(match &v.kind {
            ValueKind::Null => Json::Null,
            ValueKind::Str(s) => {
                if in_action && s.as_literal() == Some(correction.written.as_str()) {
                    json!(correction.suggested)
                } else {
                    render::resource(format, s)
                }
            }
            ValueKind::List(list) => Json::Array(
                list.iter()
                    .map(|x| write(format, x, correction, in_action))
                    .collect::<Option<Vec<_>>>()?,
            ),
            ValueKind::Map(entries) => {
                let mut map = serde_json::Map::new();
                for (k, x) in entries {
                    let action = in_action
                        || k.text.eq_ignore_ascii_case("Action")
                        || k.text.eq_ignore_ascii_case("NotAction");
                    map.insert(k.text.clone(), write(format, x, correction, action)?);
                }
                Json::Object(map)
            }
            ValueKind::If {
                condition,
                then,
                otherwise,
            } => json!({ "Fn::If": [
                condition,
                write(format, then, correction, in_action)?,
                write(format, otherwise, correction, in_action)?,
            ] }),
            ValueKind::NoValue => json!({ "Ref": "AWS::NoValue" }),
            ValueKind::Unknown(_) => return None,
        })
    }
    write(format, statement, correction, false)
}

#[cfg(test)]
mod tests {
    use crate::diag::Finding;
    use crate::readers::{self, ReadOutcome};
    use crate::source::SourceFile;

    fn findings(name: &str, text: &str) -> Vec<Finding> {
        let file = SourceFile::new(name, text.to_string());
        let Some(ReadOutcome::Stack { format, stack }) = readers::read(&file, true).unwrap() else {
            panic!("{name} is not a stack");
        };
        crate::checks::run_all(&stack, format)
            .into_iter()
            .filter(|f| f.check == "PG002" || f.check == "PG003")
            .collect()
    }

    const ROLE: &str = r#"
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
"#;

    #[test]
    fn a_policy_shared_by_roles_and_used_as_a_boundary_is_reported_once() {
        let template = format!(
            r#"Resources:
  RoleA:{ROLE}      PermissionsBoundary: !Ref Boundary
  RoleB:{ROLE}      ManagedPolicyArns: [!Ref Boundary]
  Boundary:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: ["sqs:RecieveMessage", "sqs:*"]
            Resource: "*"
            Principal: "*"
"#
        );
        let found = findings("t.yaml", &template);
        let messages: Vec<&str> = found.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "managed policy `Boundary`: unknown action `sqs:RecieveMessage` (did you mean `sqs:ReceiveMessage`?)",
                "managed policy `Boundary`: an identity policy statement cannot have a `Principal`",
            ],
            "{found:#?}"
        );
    }

    #[test]
    fn nothing_is_missing_when_the_role_is_allowed_the_intended_action_anyway() {
        let template = format!(
            r#"Resources:
  Queue:
    Type: AWS::SQS::Queue
  FnRole:{ROLE}      Policies:
        - PolicyName: Poll
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: sqs:RecieveMessage
                Resource: !GetAtt Queue.Arn
              - Effect: Allow
                Action: sqs:*
                Resource: "*"
"#
        );
        let found = findings("t.yaml", &template);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].missing.is_empty(), "{found:#?}");
        assert!(found[0].fix.is_some());
    }

    #[test]
    fn plans_have_no_spans_and_still_report_once() {
        let policy = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:RecieveMessage\",\"Resource\":\"arn:aws:sqs:eu-west-1:111122223333:orders\"}]}"#;
        let trust = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"#;
        let role = |name: &str| {
            format!(
                r#"{{"address":"aws_iam_role.{name}","mode":"managed","type":"aws_iam_role","name":"{name}","values":{{"name":"{name}","assume_role_policy":"{trust}"}}}}"#
            )
        };
        let plan = format!(
            r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"resources":[
{},{},
{{"address":"aws_iam_policy.poll","mode":"managed","type":"aws_iam_policy","name":"poll","values":{{"name":"poll","arn":"arn:aws:iam::111122223333:policy/poll","policy":"{policy}"}}}},
{{"address":"aws_iam_role_policy_attachment.a","mode":"managed","type":"aws_iam_role_policy_attachment","name":"a","values":{{"role":"a","policy_arn":"arn:aws:iam::111122223333:policy/poll"}}}},
{{"address":"aws_iam_role_policy_attachment.b","mode":"managed","type":"aws_iam_role_policy_attachment","name":"b","values":{{"role":"b","policy_arn":"arn:aws:iam::111122223333:policy/poll"}}}}
]}}}}}}"#,
            role("a"),
            role("b")
        );
        let found = findings("plan.json", &plan);
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(f.check, "PG003");
        assert_eq!(f.span, None);
        assert_eq!(f.resource, "aws_iam_policy.poll");
        assert_eq!(
            f.missing,
            vec![crate::diag::Missing {
                action: "sqs:ReceiveMessage".into(),
                resource: "arn:aws:sqs:eu-west-1:111122223333:orders".into(),
            }]
        );
        assert_eq!(
            f.fix.as_ref().unwrap().statement,
            serde_json::json!({
                "Effect": "Allow",
                "Action": "sqs:ReceiveMessage",
                "Resource": "arn:aws:sqs:eu-west-1:111122223333:orders"
            })
        );
    }

    #[test]
    fn shared_fixture_policies_are_reported_once() {
        let report = crate::audit(&[std::path::PathBuf::from(
            "testdata/checks/PG002-policy-document-invalid/fail-shared-policy.yaml",
        )]);
        assert_eq!(
            report
                .findings()
                .filter(|(_, f)| f.check == "PG002")
                .count(),
            1
        );
        let report = crate::audit(&[std::path::PathBuf::from(
            "testdata/checks/PG003-policy-action-unknown/fail-typo.yaml",
        )]);
        let ours: Vec<_> = report
            .findings()
            .filter(|(_, f)| f.check == "PG003")
            .map(|(_, f)| f)
            .collect();
        assert_eq!(ours.len(), 3);
        // The typo in a `Deny` leaves nothing missing: the deny just does not apply.
        assert!(ours[1].message.contains("sqs:PurgeQeue") && ours[1].missing.is_empty());
    }
}
