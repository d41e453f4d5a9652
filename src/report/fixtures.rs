//! Hand-built reports shared by the emitter tests: every case an emitter must handle (related
//! locations, fixes, cannot-verify notes, plans without spans, skipped and broken files,
//! non-ASCII text before a span, hostile characters in messages and in the source).

use std::sync::Arc;

use serde_json::json;

use super::{FileReport, Report};
use crate::checks::CheckInfo;
use crate::diag::{Certainty, FileError, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::model::InputFormat;
use crate::source::{SourceFile, Span};

/// A CloudFormation template: non-ASCII text before spans, and an escape sequence in a comment.
pub(crate) const APP_YAML: &str = "\
AWSTemplateFormatVersion: \"2010-09-09\"
Description: Traitement des «commandes» ✓
Resources:
  OrdersQueue: {Type: AWS::SQS::Queue, Properties: {QueueName: \"commandes-é✓\", VisibilityTimeout: 30}}
  OrdersFnRole:
    Type: AWS::IAM::Role
    Properties:
      Policies:
        - PolicyName: send-only
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action: sqs:SendMessage
                Resource: !GetAtt OrdersQueue.Arn
  OrdersFn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt OrdersFnRole.Arn
  OrdersMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref OrdersFn
      # owner: équipe \u{1b}[2Jpaiements
      EventSourceArn: !GetAtt OrdersQueue.Arn
  ImportedMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !ImportValue shared-fn
      EventSourceArn: !GetAtt OrdersQueue.Arn
";

pub(crate) const BROKEN_YAML: &str = "\
Resources:
  Fn: {Type: AWS::Lambda::Function}
  Fn: {Type: AWS::Lambda::Function}
";

pub(crate) const PLAN_JSON: &str = "{\"format_version\":\"1.2\",\"planned_values\":{}}\n";

pub(crate) const ESM_SQS: CheckInfo = CheckInfo {
    id: "PG101",
    slug: "esm-sqs-poll-permissions",
    default_severity: Severity::Error,
    summary: "execution role cannot poll the SQS queue of an event source mapping",
    docs: "## What it checks\n\nThat the execution role of a function with an SQS event source \
           mapping allows `sqs:ReceiveMessage`, `sqs:DeleteMessage` and \
           `sqs:GetQueueAttributes` on the queue.\n\n## Why it matters\n\nThe mapping fails to \
           enable.\n\n## How to fix\n\nAdd the statement.\n\n## Example\n\n```yaml\n{}\n```\n",
    sources: &["L-SQS"],
    source_file: "",
};

pub(crate) const KMS_QUEUE: CheckInfo = CheckInfo {
    id: "PG103",
    slug: "esm-sqs-kms-decrypt",
    default_severity: Severity::Error,
    summary: "execution role cannot decrypt messages of an encrypted SQS queue",
    docs: "## What it checks\n\n`kms:Decrypt` on the queue's key.\n\n## Why it matters\n\n\
           Messages cannot be read.\n\n## How to fix\n\nGrant it.\n\n## Example\n\n-\n",
    sources: &["L-SQS"],
    source_file: "",
};

pub(crate) const VISIBILITY: CheckInfo = CheckInfo {
    id: "PG106",
    slug: "sqs-visibility-timeout",
    default_severity: Severity::Warning,
    summary: "queue visibility timeout is shorter than the function timeout",
    docs: "## What it checks\n\nThe visibility timeout.\n\n## Why it matters\n\nDuplicates.\n\n\
           ## How to fix\n\nRaise it.\n\n## Example\n\n-\n",
    sources: &["L-SQS"],
    source_file: "",
};

pub(crate) fn checks() -> Vec<&'static CheckInfo> {
    vec![&ESM_SQS, &KMS_QUEUE, &VISIBILITY]
}

/// The span of the first occurrence of `needle` in `text`.
pub(crate) fn span_of(text: &str, needle: &str) -> Span {
    let start = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in text"));
    Span::new(start, start + needle.len())
}

pub(crate) fn yaml_file() -> Arc<SourceFile> {
    Arc::new(SourceFile::new("stacks/app.yaml", APP_YAML.to_string()))
}

/// A minimal certain finding.
pub(crate) fn finding(check: &'static str, resource: &str, span: Option<Span>) -> Finding {
    Finding {
        check,
        severity: Severity::Error,
        certainty: Certainty::Certain,
        message: format!("finding on `{resource}`"),
        resource: resource.to_string(),
        span,
        related: Vec::new(),
        missing: Vec::new(),
        fix: None,
        location: None,
    }
}

fn sqs_missing(queue_arn: &str) -> Vec<Missing> {
    [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
    ]
    .into_iter()
    .map(|action| Missing {
        action: action.to_string(),
        resource: queue_arn.to_string(),
    })
    .collect()
}

fn app_findings() -> Vec<Finding> {
    let t = APP_YAML;
    let mapping_arn = {
        // The `EventSourceArn` of `OrdersMapping` (the first of the two).
        span_of(t, "EventSourceArn: !GetAtt OrdersQueue.Arn")
    };
    let queue_arn = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:commandes-é✓";
    let poll = Finding {
        check: "PG101",
        severity: Severity::Error,
        certainty: Certainty::Certain,
        message: "execution role `OrdersFnRole` does not allow polling queue `OrdersQueue`"
            .to_string(),
        resource: "OrdersMapping".to_string(),
        span: Some(mapping_arn),
        related: vec![
            Related {
                resource: "OrdersFnRole".to_string(),
                span: Some(span_of(t, "Action: sqs:SendMessage")),
                role: RelatedRole::ExecutionRole,
                note: Some("allows only `sqs:SendMessage` on the queue".to_string()),
                location: None,
            },
            Related {
                resource: "OrdersFn".to_string(),
                span: Some(span_of(t, "Role: !GetAtt OrdersFnRole.Arn")),
                role: RelatedRole::Function,
                note: None,
                location: None,
            },
        ],
        missing: sqs_missing(queue_arn),
        fix: Some(Fix {
            help: "add this statement to the policy of role `OrdersFnRole`".to_string(),
            statement: json!({
                "Effect": "Allow",
                "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                "Resource": {"Fn::GetAtt": ["OrdersQueue", "Arn"]}
            }),
            source: None,
        }),
        location: None,
    };
    let hostile = Finding {
        check: "PG106",
        severity: Severity::Warning,
        certainty: Certainty::Certain,
        message: "visibility timeout of queue `100%\ncommandes\u{1b}[31m` (30 s) is shorter than the function timeout (60 s)"
            .to_string(),
        resource: "OrdersQueue".to_string(),
        span: Some(span_of(t, "VisibilityTimeout: 30")),
        related: Vec::new(),
        missing: Vec::new(),
        fix: Some(Fix {
            help: "set `VisibilityTimeout` to at least 360, six times the function timeout"
                .to_string(),
            statement: json!({"VisibilityTimeout": 360}),
            source: None,
        }),
        location: None,
    };
    let imported_at = t.rfind("FunctionName: !ImportValue shared-fn").unwrap_or(0);
    let unknown = Finding {
        check: "PG101",
        severity: Severity::Note,
        certainty: Certainty::CannotVerify {
            reason: "the function comes from `Fn::ImportValue` `shared-fn`, so its execution role is not in this template".to_string(),
        },
        message: "cannot verify that mapping `ImportedMapping` can poll queue `OrdersQueue`"
            .to_string(),
        resource: "ImportedMapping".to_string(),
        span: Some(Span::new(
            imported_at,
            imported_at + "FunctionName: !ImportValue shared-fn".len(),
        )),
        related: Vec::new(),
        missing: sqs_missing(queue_arn),
        fix: None,
        location: None,
    };
    // Out of order and with a duplicate: `Report::new` sorts and dedups.
    vec![unknown, poll.clone(), hostile, poll]
}

fn plan_findings() -> Vec<Finding> {
    let address = "module.orders.aws_lambda_event_source_mapping.this[\"orders\"]";
    let queue_arn = "arn:aws:sqs:eu-west-3:123456789012:orders";
    vec![
        Finding {
            check: "PG103",
            severity: Severity::Note,
            certainty: Certainty::CannotVerify {
                reason:
                    "key `alias/orders` is not managed in this plan, so its key policy is unknown"
                        .to_string(),
            },
            message: "cannot verify that role `orders-fn` may decrypt messages of queue `orders`"
                .to_string(),
            resource: address.to_string(),
            span: None,
            related: vec![Related {
                resource: "module.orders.aws_sqs_queue.orders".to_string(),
                span: None,
                role: RelatedRole::Source,
                note: Some("encrypted with `alias/orders`".to_string()),
                location: None,
            }],
            missing: vec![Missing {
                action: "kms:Decrypt".to_string(),
                resource: "arn:aws:kms:eu-west-3:123456789012:alias/orders".to_string(),
            }],
            fix: None,
            location: None,
        },
        Finding {
            check: "PG101",
            severity: Severity::Error,
            certainty: Certainty::Certain,
            message: "execution role `orders-fn` does not allow polling queue `orders`".to_string(),
            resource: address.to_string(),
            span: None,
            related: vec![Related {
                resource: "module.orders.aws_iam_role.fn".to_string(),
                span: None,
                role: RelatedRole::ExecutionRole,
                note: Some("has no policy that mentions `sqs:*`".to_string()),
                location: None,
            }],
            missing: sqs_missing(queue_arn),
            fix: Some(Fix {
                help: "add this statement to a policy of role `orders-fn`".to_string(),
                statement: json!({
                    "Effect": "Allow",
                    "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                    "Resource": queue_arn
                }),
                source: None,
            }),
            location: None,
        },
    ]
}

/// Five files: a template with three findings (one duplicated), a plan with two, a skipped
/// file, a file with a parse error and a file that could not be read.
pub(crate) fn sample_report() -> Report {
    let broken = Arc::new(SourceFile::new(
        "stacks/broken.yaml",
        BROKEN_YAML.to_string(),
    ));
    let second_fn = BROKEN_YAML.rfind("Fn:").unwrap_or(0);
    Report::new(vec![
        FileReport::error(
            Arc::new(SourceFile::new("stacks/locked.yaml", String::new())),
            None,
            FileError::new("cannot read `stacks/locked.yaml`: permission denied", None),
        ),
        FileReport::audited(yaml_file(), InputFormat::Cloudformation, app_findings()),
        FileReport::error(
            broken,
            Some(InputFormat::Cloudformation),
            FileError::new(
                "duplicate key `Fn`",
                Some(Span::new(second_fn, second_fn + 2)),
            )
            .with_help("the first `Fn` is on line 2; CloudFormation rejects duplicate keys"),
        ),
        FileReport::skipped(
            Arc::new(SourceFile::new("docs/notes.yaml", "- a list\n".to_string())),
            "not a CloudFormation template or Terraform plan",
        ),
        FileReport::audited(
            Arc::new(SourceFile::new(
                "plans/prod.tfplan.json",
                PLAN_JSON.to_string(),
            )),
            InputFormat::TerraformPlan,
            plan_findings(),
        ),
    ])
}
