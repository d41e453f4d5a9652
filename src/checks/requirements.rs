//! What each event source kind needs of the execution role (research spec §1).
//!
//! Each row names the action, the resource it must be allowed on, and the source keys of the
//! spec's source table that say so. Alternatives (`kafka:DescribeClusterV2` or
//! `kafka:DescribeCluster`) are rows whose `any_of` lists every action that satisfies it.

/// The resource a requirement applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The mapping's source (queue, stream, consumer, stream of a table, cluster, broker).
    Source,
    /// The stream of a Kinesis enhanced fan-out consumer.
    ConsumerStream,
    /// `*`: the action does not support resource-level permissions (PS).
    Star,
    /// `dynamodb:ListStreams`: `*` per the Service Authorization Reference, but SAM's own
    /// `DynamoDBStreamReadPolicy` scopes it to `table/<t>/stream/*` (SAMT), which works. A grant
    /// on the stream ARN or on `*` is accepted.
    SourceOrStar,
    /// The network interfaces, subnets and security groups Lambda creates ENIs in: resources
    /// the template does not name (`ec2:CreateNetworkInterface` and `DeleteNetworkInterface`
    /// support resource-level permissions on them; a grant on `*` always covers them).
    NetworkInterfaces,
    /// DocumentDB cluster parameter groups (`arn:…:rds:…:cluster-pg:*`).
    ClusterParameterGroups,
    /// DocumentDB subnet groups (`arn:…:rds:…:subgrp:*`).
    SubnetGroups,
    /// The function's log streams (`arn:…:logs:…:log-group:/aws/lambda/<function>:log-stream:…`).
    FunctionLogs,
}

#[derive(Clone, Copy, Debug)]
pub struct Requirement {
    /// Every action that satisfies the row (usually one).
    pub any_of: &'static [&'static str],
    pub target: Target,
    pub sources: &'static [&'static str],
}

const fn req(
    action: &'static [&'static str],
    target: Target,
    sources: &'static [&'static str],
) -> Requirement {
    Requirement {
        any_of: action,
        target,
        sources,
    }
}

/// §1.1 SQS.
pub const SQS: &[Requirement] = &[
    req(
        &["sqs:ReceiveMessage"],
        Target::Source,
        &["L-SQS", "SQS-DG"],
    ),
    req(&["sqs:DeleteMessage"], Target::Source, &["L-SQS", "SQS-DG"]),
    req(
        &["sqs:GetQueueAttributes"],
        Target::Source,
        &["L-SQS", "SQS-DG"],
    ),
];

/// §1.2 Kinesis, stream as the source.
pub const KINESIS_STREAM: &[Requirement] = &[
    req(&["kinesis:DescribeStream"], Target::Source, &["L-KIN"]),
    req(
        &["kinesis:DescribeStreamSummary"],
        Target::Source,
        &["L-KIN"],
    ),
    req(&["kinesis:GetRecords"], Target::Source, &["L-KIN"]),
    req(&["kinesis:GetShardIterator"], Target::Source, &["L-KIN"]),
    req(&["kinesis:ListShards"], Target::Source, &["L-KIN"]),
];

/// §1.2 Kinesis, enhanced fan-out consumer as the source.
pub const KINESIS_CONSUMER: &[Requirement] = &[
    req(
        &["kinesis:DescribeStream"],
        Target::ConsumerStream,
        &["L-KIN"],
    ),
    req(
        &["kinesis:DescribeStreamSummary"],
        Target::ConsumerStream,
        &["L-KIN"],
    ),
    req(&["kinesis:GetRecords"], Target::ConsumerStream, &["L-KIN"]),
    req(
        &["kinesis:GetShardIterator"],
        Target::ConsumerStream,
        &["L-KIN"],
    ),
    req(&["kinesis:ListShards"], Target::ConsumerStream, &["L-KIN"]),
    req(
        &["kinesis:SubscribeToShard"],
        Target::Source,
        &["L-KIN", "PS"],
    ),
];

/// §1.3 DynamoDB Streams.
pub const DYNAMODB_STREAM: &[Requirement] = &[
    req(
        &["dynamodb:DescribeStream"],
        Target::Source,
        &["L-DDB-OLD", "PS"],
    ),
    req(&["dynamodb:GetRecords"], Target::Source, &["L-DDB-OLD"]),
    req(
        &["dynamodb:GetShardIterator"],
        Target::Source,
        &["L-DDB-OLD"],
    ),
    req(
        &["dynamodb:ListStreams"],
        Target::SourceOrStar,
        &["L-DDB-OLD", "PS", "SAMT"],
    ),
];

/// The six EC2 actions Lambda needs to reach a source inside a VPC (§1.4, §1.5, §1.6, §1.7).
pub const VPC_ACCESS: &[Requirement] = &[
    req(
        &["ec2:CreateNetworkInterface"],
        Target::NetworkInterfaces,
        &["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB"],
    ),
    req(
        &["ec2:DescribeNetworkInterfaces"],
        Target::Star,
        &["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB", "PS"],
    ),
    req(
        &["ec2:DescribeVpcs"],
        Target::Star,
        &["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB", "PS"],
    ),
    req(
        &["ec2:DeleteNetworkInterface"],
        Target::NetworkInterfaces,
        &["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB"],
    ),
    req(
        &["ec2:DescribeSubnets"],
        Target::Star,
        &["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB", "PS"],
    ),
    req(
        &["ec2:DescribeSecurityGroups"],
        Target::Star,
        &["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB", "PS"],
    ),
];

/// §1.4 Amazon MSK, provisioned cluster (either describe action works).
pub const MSK: &[Requirement] = &[
    req(
        &["kafka:DescribeClusterV2", "kafka:DescribeCluster"],
        Target::Source,
        &["L-MSK-PERM"],
    ),
    req(
        &["kafka:GetBootstrapBrokers"],
        Target::Star,
        &["L-MSK-PERM", "PS"],
    ),
];

/// §1.4 Amazon MSK Serverless: only `DescribeClusterV2` works.
pub const MSK_SERVERLESS: &[Requirement] = &[
    req(
        &["kafka:DescribeClusterV2"],
        Target::Source,
        &["L-MSK-PERM"],
    ),
    req(
        &["kafka:GetBootstrapBrokers"],
        Target::Star,
        &["L-MSK-PERM", "PS"],
    ),
];

/// §1.6 Amazon MQ.
pub const MQ: &[Requirement] = &[req(
    &["mq:DescribeBroker"],
    Target::Source,
    &["L-MQ", "SAMT"],
)];

/// §1.7 DocumentDB.
pub const DOCUMENTDB: &[Requirement] = &[
    req(
        &["rds:DescribeDBClusters"],
        Target::Source,
        &["L-DOCDB", "SAMT"],
    ),
    req(
        &["rds:DescribeDBClusterParameters"],
        Target::ClusterParameterGroups,
        &["L-DOCDB", "SAMT"],
    ),
    req(
        &["rds:DescribeDBSubnetGroups"],
        Target::SubnetGroups,
        &["L-DOCDB", "SAMT"],
    ),
];

/// §1.9.1: reading a secret named by a source access configuration.
pub const SECRET_READ: Requirement = req(
    &["secretsmanager:GetSecretValue"],
    Target::Source,
    &["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB", "CFNLINT"],
);

/// §1.9.1 / §1.1: decrypting with a customer-managed key.
pub const KMS_DECRYPT: Requirement = req(
    &["kms:Decrypt"],
    Target::Source,
    &["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB", "SQS-DG"],
);

/// §1.0: function logging (a warning: the mapping works, the function cannot log).
pub const LOGS: &[Requirement] = &[
    req(
        &["logs:CreateLogGroup"],
        Target::FunctionLogs,
        &["L-KAFKA-OLD", "L-MSK-PERM", "MAMIP"],
    ),
    req(
        &["logs:CreateLogStream"],
        Target::FunctionLogs,
        &["L-KAFKA-OLD", "L-MSK-PERM", "MAMIP"],
    ),
    req(
        &["logs:PutLogEvents"],
        Target::FunctionLogs,
        &["L-KAFKA-OLD", "L-MSK-PERM", "MAMIP"],
    ),
];

/// §1.8: a function attached to a VPC (`VpcConfig`).
pub const FUNCTION_VPC: &[Requirement] = &[
    req(
        &["ec2:CreateNetworkInterface"],
        Target::NetworkInterfaces,
        &["MAMIP", "SAMT"],
    ),
    req(
        &["ec2:DescribeNetworkInterfaces"],
        Target::Star,
        &["MAMIP", "SAMT"],
    ),
    req(
        &["ec2:DeleteNetworkInterface"],
        Target::NetworkInterfaces,
        &["MAMIP", "SAMT"],
    ),
];
