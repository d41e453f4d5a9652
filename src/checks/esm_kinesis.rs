//! PG102: the execution role of a Kinesis mapping must read the stream (and the consumer).

use super::esm::Mapping;
use super::needs::Need;
use super::requirements;
use crate::model::SourceKind;

crate::declare_check! {
    /// the execution role of a Kinesis event source mapping lacks the stream read permissions
    ///
    /// ## What it checks
    /// For every mapping whose source is a Kinesis stream, the execution role must allow
    /// `kinesis:DescribeStream`, `kinesis:DescribeStreamSummary`, `kinesis:GetRecords`,
    /// `kinesis:GetShardIterator` and `kinesis:ListShards` on the stream. When the source is
    /// an enhanced fan-out consumer, those apply to the consumer's stream and
    /// `kinesis:SubscribeToShard` is needed on the consumer ARN.
    /// `kinesis:ListStreams` is no longer required and is not checked.
    ///
    /// ## Why it matters
    /// Lambda refuses to create the mapping ("Cannot access stream … Please ensure the role
    /// can perform the GetRecords, GetShardIterator, DescribeStream, ListShards … Actions").
    ///
    /// ## How to fix
    /// Add the statement under `fix`, or attach
    /// `arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole`.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [kinesis:DescribeStream, kinesis:DescribeStreamSummary, kinesis:GetRecords,
    ///            kinesis:GetShardIterator, kinesis:ListShards]
    ///   Resource: !GetAtt Stream.Arn
    /// ```
    pub static ESM_KINESIS = {
        id: "PG102",
        slug: "esm-kinesis-permissions",
        severity: Error,
        sources: ["L-KIN", "PS", "MAMIP"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    match m.esm.kind {
        SourceKind::KinesisStream => m.needs_from(&ESM_KINESIS, requirements::KINESIS_STREAM, out),
        SourceKind::KinesisConsumer => {
            m.needs_from(&ESM_KINESIS, requirements::KINESIS_CONSUMER, out);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_KINESIS);
    }
}
