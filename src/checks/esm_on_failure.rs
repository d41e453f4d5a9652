//! PG113: the execution role must be able to send failed batches to the on-failure destination.

use super::esm::{self, Mapping};
use super::needs::{self, Need};
use crate::diag::RelatedRole;
use crate::model::{InputFormat, SymStr, Symbol};

crate::declare_check! {
    /// the execution role cannot send failed records to a mapping's on-failure destination
    ///
    /// ## What it checks
    /// A Kinesis, DynamoDB, MSK or self-managed Kafka mapping with
    /// `DestinationConfig.OnFailure.Destination` sends records it gave up on to that
    /// destination, with the execution role: an SQS queue needs `sqs:SendMessage`, an SNS topic
    /// `sns:Publish`, an S3 bucket `s3:PutObject` on its objects and `s3:ListBucket` on the
    /// bucket, an MSK topic (`kafka://<topic>`) `kafka-cluster:WriteData` on the topic when the
    /// mapping uses IAM access control (see PG105; with a secret, the cluster ACLs decide). The kind comes from the destination's ARN or the resource it refers to.
    ///
    /// ## Why it matters
    /// Failed batches are silently lost instead of landing in the destination you configured to
    /// inspect them.
    ///
    /// ## How to fix
    /// Add the statement under `fix` to the execution role.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: sqs:SendMessage
    ///   Resource: !GetAtt FailedRecordsQueue.Arn
    /// ```
    pub static ESM_ON_FAILURE = {
        id: "PG113",
        slug: "esm-on-failure-destination",
        severity: Error,
        sources: ["L-STREAM-DEST", "L-KAFKA-DEST", "L-MSK-PERM", "CFNLINT"],
    }
}

/// What a destination ARN names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DestinationKind {
    Queue,
    Topic,
    Bucket,
    Function,
    EventBus,
}

/// The kind of a destination: from the stack resource it refers to, or its ARN's service.
pub fn destination_kind(stack: &crate::model::Stack, arn: &SymStr) -> Option<DestinationKind> {
    let id = arn
        .refers
        .as_ref()
        .map(|r| r.resource.as_str())
        .or_else(|| match arn.parts.as_slice() {
            [crate::model::Part::Sym(s)] => s.distinct_resource(),
            _ => None,
        });
    if let Some(id) = id {
        if stack.queues.iter().any(|q| q.origin.id == id) {
            return Some(DestinationKind::Queue);
        }
        if stack.topics.iter().any(|t| t.origin.id == id) {
            return Some(DestinationKind::Topic);
        }
        if stack.buckets.iter().any(|b| b.origin.id == id) {
            return Some(DestinationKind::Bucket);
        }
        if stack.functions.iter().any(|f| f.origin.id == id) {
            return Some(DestinationKind::Function);
        }
    }
    match esm::arn_service(arn)?.as_str() {
        "sqs" => Some(DestinationKind::Queue),
        "sns" => Some(DestinationKind::Topic),
        "s3" => Some(DestinationKind::Bucket),
        "lambda" => Some(DestinationKind::Function),
        "events" => Some(DestinationKind::EventBus),
        _ => None,
    }
}

/// The object ARNs of a bucket (`arn:…:s3:::bucket/<key>`), for `s3:PutObject`.
pub fn objects_of(bucket: &SymStr) -> SymStr {
    let mut objects = bucket.clone();
    objects.refers = None;
    objects.push_lit("/");
    objects.push_sym(Symbol::Unknown("the object key".into()));
    objects
}

/// `${Bucket.Arn}/*` in the input's language, when the bucket ARN is a reference.
pub fn objects_fix(format: InputFormat, bucket: &SymStr) -> Option<serde_json::Value> {
    let r = bucket.refers.as_ref()?;
    let text = format!("${{{}.{}}}/*", r.resource, r.attr);
    Some(match format {
        InputFormat::Cloudformation | InputFormat::Sam => serde_json::json!({ "Fn::Sub": text }),
        InputFormat::TerraformPlan | InputFormat::TerraformState => serde_json::Value::String(text),
    })
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    let Some(dest) = &m.esm.on_failure else {
        return;
    };
    let about = Some(needs::related_at(
        &m.esm.origin.id,
        dest.span,
        RelatedRole::Destination,
    ));
    let push = |out: &mut Vec<Need>, action: &'static str, resource: SymStr| {
        out.push(Need::new(&ESM_ON_FAILURE, &[action], resource).about(about.clone()));
    };
    if let Some(topic) = dest
        .value
        .as_literal()
        .and_then(|t| t.strip_prefix("kafka://"))
    {
        // A Kafka topic of the same cluster: WriteData with IAM access control (L-KAFKA-DEST).
        // With a SASL/SCRAM or mTLS secret, the cluster's own ACLs decide instead.
        if let Some(only_if) = super::esm_msk_iam_auth::uses_iam_auth(m) {
            let arn = esm::kafka_child_arn(m.stack, m.esm, "topic", &SymStr::lit(topic));
            out.push(
                Need::new(&ESM_ON_FAILURE, &["kafka-cluster:WriteData"], arn)
                    .about(about.clone())
                    .only_if(only_if),
            );
        }
        return;
    }
    match destination_kind(m.stack, &dest.value) {
        Some(DestinationKind::Queue) => push(out, "sqs:SendMessage", dest.value.clone()),
        Some(DestinationKind::Topic) => push(out, "sns:Publish", dest.value.clone()),
        Some(DestinationKind::Bucket) => {
            let mut put = Need::new(&ESM_ON_FAILURE, &["s3:PutObject"], objects_of(&dest.value))
                .about(about.clone());
            put.fix_resource = objects_fix(m.format, &dest.value);
            out.push(put);
            push(out, "s3:ListBucket", dest.value.clone());
        }
        // Not valid on-failure destinations for mappings; the deploy rejects them.
        Some(DestinationKind::Function | DestinationKind::EventBus) | None => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_ON_FAILURE);
    }
}
