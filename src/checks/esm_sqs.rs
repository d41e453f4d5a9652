//! PG101: the execution role of an SQS mapping must receive, delete and read attributes.

use super::esm::Mapping;
use super::needs::Need;
use super::requirements;
use crate::model::SourceKind;

crate::declare_check! {
    /// the execution role of an SQS event source mapping lacks the queue permissions Lambda polls with
    ///
    /// ## What it checks
    /// For every mapping whose source is an SQS queue, the function's execution role must allow
    /// `sqs:ReceiveMessage`, `sqs:DeleteMessage` and `sqs:GetQueueAttributes` on the queue. The policies are evaluated as IAM does: explicit denies,
    /// permissions boundaries, wildcards and the AWS managed policies the role attaches
    /// (`AWSLambdaSQSQueueExecutionRole` covers all three). Within one account a queue policy
    /// (`AWS::SQS::QueuePolicy`, `aws_sqs_queue_policy`) that names the role grants them too,
    /// and a `Deny` in it wins (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html,
    /// `docs/resource-policies.md`).
    ///
    /// ## Why it matters
    /// `CreateEventSourceMapping` fails with "The provided execution role does not have
    /// permissions to call ReceiveMessage on SQS" and the stack rolls back; a role changed
    /// later leaves a mapping that stops polling.
    ///
    /// ## How to fix
    /// Add the statement under `fix` to the execution role, scoped to the queue, or attach
    /// `arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole`.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
    ///   Resource: !GetAtt OrdersQueue.Arn
    /// ```
    pub static ESM_SQS = {
        id: "PG101",
        slug: "esm-sqs-permissions",
        severity: Error,
        sources: ["L-SQS", "SQS-DG", "MAMIP"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    if m.esm.kind == SourceKind::Sqs {
        m.needs_from(&ESM_SQS, requirements::SQS, out);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_SQS);
    }
}
