//! PG112: an SQS queue encrypted with a customer-managed key needs `kms:Decrypt` on it.

use super::esm::{self, Mapping};
use super::needs::Need;
use crate::model::SourceKind;

crate::declare_check! {
    /// the execution role cannot decrypt messages of an SQS queue encrypted with a customer-managed key
    ///
    /// ## What it checks
    /// When a mapping's queue is encrypted with a customer-managed KMS key
    /// (`KmsMasterKeyId` / `kms_master_key_id` other than `alias/aws/sqs`), the execution role
    /// needs `kms:Decrypt` on that key. `AWSLambdaSQSQueueExecutionRole`
    /// does not grant it.
    ///
    /// ## Why it matters
    /// "If you associate an encrypted queue with a Lambda function but Lambda doesn't poll for
    /// messages, add the kms:Decrypt permission to your Lambda execution role" (SQS developer
    /// guide): the mapping exists but messages are never received.
    ///
    /// ## How to fix
    /// Grant `kms:Decrypt` on the key's ARN. For a key in the input, a key policy statement
    /// that names the role grants it too; a key policy that neither names the role nor allows
    /// the account is reported as PG115
    /// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: kms:Decrypt
    ///   Resource: !GetAtt QueueKey.Arn
    /// ```
    pub static ESM_QUEUE_KMS = {
        id: "PG112",
        slug: "esm-queue-kms",
        severity: Error,
        sources: ["SQS-DG", "L-SQS"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    if m.esm.kind != SourceKind::Sqs {
        return;
    }
    let Some(queue) = m
        .esm
        .source_resource
        .as_deref()
        .and_then(|id| m.stack.queues.iter().find(|q| q.origin.id == id))
    else {
        return;
    };
    let Some(key) = &queue.kms_key else {
        return;
    };
    out.extend(
        esm::decrypt_need(m.stack, &ESM_QUEUE_KMS, key, &queue.origin.id)
            .map(|n| n.via(esm::service_endpoint(m.stack, "sqs"))),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_QUEUE_KMS);
    }
}
