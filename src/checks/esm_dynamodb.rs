//! PG103: the execution role of a DynamoDB Streams mapping must read the table's stream.

use super::esm::Mapping;
use super::needs::Need;
use super::requirements;
use crate::model::SourceKind;

crate::declare_check! {
    /// the execution role of a DynamoDB Streams event source mapping lacks the stream permissions
    ///
    /// ## What it checks
    /// For every mapping whose source is a DynamoDB stream, the execution role must allow
    /// `dynamodb:DescribeStream`, `dynamodb:GetRecords` and `dynamodb:GetShardIterator` on the
    /// **stream** ARN (`table/<name>/stream/<label>`; a grant on the table ARN alone does not
    /// match it), and `dynamodb:ListStreams`, which has no resource-level permissions (a grant
    /// on `*`, or on the table's streams as SAM's `DynamoDBStreamReadPolicy` writes it, is
    /// accepted).
    ///
    /// ## Why it matters
    /// Lambda refuses to create the mapping: "Cannot access stream … Please ensure the role
    /// can perform the GetRecords, GetShardIterator, DescribeStream, and ListStreams Actions".
    ///
    /// ## How to fix
    /// Grant the actions on `!GetAtt Table.StreamArn` (or `table/<name>/stream/*`), or attach
    /// `arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole`.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [dynamodb:DescribeStream, dynamodb:GetRecords, dynamodb:GetShardIterator]
    ///   Resource: !GetAtt Table.StreamArn     # not !GetAtt Table.Arn
    /// - Effect: Allow
    ///   Action: dynamodb:ListStreams
    ///   Resource: "*"
    /// ```
    pub static ESM_DYNAMODB = {
        id: "PG103",
        slug: "esm-dynamodb-permissions",
        severity: Error,
        sources: ["L-DDB-OLD", "PS", "SAMT", "ISSUE-DDB39", "MAMIP"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    if m.esm.kind == SourceKind::DynamodbStream {
        m.needs_from(&ESM_DYNAMODB, requirements::DYNAMODB_STREAM, out);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_DYNAMODB);
    }
}
