//! Pull events: `SQS`, `Kinesis`, `DynamoDB`, `MSK`, `SelfManagedKafka`, `MQ`, `DocumentDB`
//! (SAMT `model/eventsources/pull.py`).
//!
//! Input: one checked event of a function. Output: the `AWS::Lambda::EventSourceMapping`
//! `<Fn><Event>` with every property SAMT copies, plus what SAMT adds to the function's role:
//! the event type's managed policy (spec §7.1), the inline policy SAMT writes for MQ,
//! self-managed Kafka, DocumentDB and MSK (schema registry / mTLS only), and the on-failure
//! destination policy (`<Fn><Event>SQSPolicy` / `SNSPolicy` / `S3Policy`).

use super::function::{EventCx, s3_destination_statements};
use super::policies::{RoleBuilder, actions, named_policy, statement};
use super::tree::{self, MapBuilder, key, string};
use super::{GeneratedKind, PolicyOrigin, SamError, Sink, resource};
use crate::readers::syntax::{Key, Node};
use crate::source::Span;

/// Event properties SAMT copies to the mapping unchanged, in SAMT's output order
/// (`LambdaEventSourceMapping.property_types`); the others are computed below.
const COPIED: &[&str] = &[
    "BatchSize",
    "Enabled",
    "MaximumBatchingWindowInSeconds",
    "MaximumRetryAttempts",
    "BisectBatchOnFunctionError",
    "MaximumRecordAgeInSeconds",
    "ParallelizationFactor",
    "StartingPosition",
    "StartingPositionTimestamp",
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "TumblingWindowInSeconds",
    "FunctionResponseTypes",
    "FilterCriteria",
    "KmsKeyArn",
    "ScalingConfig",
    "ProvisionedPollerConfig",
    "MetricsConfig",
    "LoggingConfig",
];

/// Event types whose `FilterCriteria` SAMT accepts (`RESOURCE_TYPES_WITH_EVENT_FILTERING`).
const FILTERING: &[&str] = &[
    "DocumentDB",
    "DynamoDB",
    "Kinesis",
    "MQ",
    "MSK",
    "SelfManagedKafka",
    "SQS",
];

/// The six ENI actions SAM grants for a VPC source (SAMT `get_vpc_permission`).
const VPC_ACTIONS: &[&str] = &[
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:DescribeVpcs",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
];

pub fn expand(
    sink: &mut Sink,
    ev: &EventCx<'_>,
    kind: &str,
    role: &mut RoleBuilder,
) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let prop = |name: &str| ev.prop(name);
    let copied = |name: &str| prop(name).cloned();

    check_filter_criteria(ev, kind)?;
    let mut managed_kafka_config: Option<MapBuilder> = None;
    let mut self_managed_kafka_config: Option<MapBuilder> = None;
    if let Some(group) = prop("ConsumerGroupId").filter(|g| tree::truthy(Some(g))) {
        let mut m = MapBuilder::new(group.span);
        m.put("ConsumerGroupId", group.clone());
        match kind {
            "MSK" => managed_kafka_config = Some(m),
            "SelfManagedKafka" => self_managed_kafka_config = Some(m),
            _ => {
                return Err(ev.err_at(
                    "ConsumerGroupId",
                    format!("property `ConsumerGroupId` not defined for resource of type `{kind}`"),
                ));
            }
        }
    }
    if let Some(registry) = prop("SchemaRegistryConfig").filter(|r| tree::truthy(Some(r))) {
        let slot = match kind {
            "MSK" => Some(&mut managed_kafka_config),
            "SelfManagedKafka" => Some(&mut self_managed_kafka_config),
            _ => None,
        };
        if let Some(slot) = slot {
            slot.get_or_insert_with(|| MapBuilder::new(registry.span))
                .put("SchemaRegistryConfig", registry.clone());
        }
    }
    let (destination_config, destination_policy) = destination(ev)?;

    let mut m = MapBuilder::new(span);
    for name in [
        "BatchSize",
        "DocumentDBEventSourceConfig",
        "Enabled",
        "EventSourceArn",
        "FunctionName",
        "MaximumBatchingWindowInSeconds",
        "MaximumRetryAttempts",
        "BisectBatchOnFunctionError",
        "MaximumRecordAgeInSeconds",
        "DestinationConfig",
        "ParallelizationFactor",
        "StartingPosition",
        "StartingPositionTimestamp",
        "Topics",
        "Queues",
        "SourceAccessConfigurations",
        "TumblingWindowInSeconds",
        "FunctionResponseTypes",
        "SelfManagedEventSource",
        "FilterCriteria",
        "KmsKeyArn",
        "AmazonManagedKafkaEventSourceConfig",
        "SelfManagedKafkaEventSourceConfig",
        "ScalingConfig",
        "ProvisionedPollerConfig",
        "MetricsConfig",
        "LoggingConfig",
    ] {
        let value = match name {
            "DocumentDBEventSourceConfig" => (kind == "DocumentDB").then(|| {
                let mut c = MapBuilder::new(span);
                c.put_opt("DatabaseName", copied("DatabaseName"));
                c.put_opt(
                    "CollectionName",
                    prop("CollectionName")
                        .filter(|v| tree::truthy(Some(v)))
                        .cloned(),
                );
                c.put_opt(
                    "FullDocument",
                    prop("FullDocument")
                        .filter(|v| tree::truthy(Some(v)))
                        .cloned(),
                );
                c.build()
            }),
            "EventSourceArn" => match kind {
                "SQS" => copied("Queue"),
                "Kinesis" | "DynamoDB" | "MSK" => copied("Stream"),
                "MQ" => copied("Broker"),
                "DocumentDB" => copied("Cluster"),
                _ => None,
            },
            "FunctionName" => Some(ev.target.name(span)),
            "DestinationConfig" => destination_config.clone(),
            "SelfManagedEventSource" => prop("KafkaBootstrapServers")
                .filter(|s| tree::truthy(Some(s)))
                .map(|servers| {
                    MapBuilder::new(servers.span)
                        .put(
                            "Endpoints",
                            MapBuilder::new(servers.span)
                                .put("KafkaBootstrapServers", servers.clone())
                                .build(),
                        )
                        .build()
                }),
            "AmazonManagedKafkaEventSourceConfig" => {
                managed_kafka_config.as_mut().map(MapBuilder::build)
            }
            "SelfManagedKafkaEventSourceConfig" => {
                self_managed_kafka_config.as_mut().map(MapBuilder::build)
            }
            other if COPIED.contains(&other) => copied(other),
            _ => None,
        };
        m.put_opt(name, value);
    }
    // SAM-only: the key that encrypts the source's secrets (spec §6.2); kept for the lowering.
    m.put_opt("SecretsManagerKmsKeyId", copied("SecretsManagerKmsKeyId"));
    let mapping = resource(
        "AWS::Lambda::EventSourceMapping",
        span,
        ev.attrs,
        None,
        m.build(),
    );

    // What SAMT adds to the role (`_link_policy`).
    if let Some(name) = managed_policy(kind) {
        role.add_aws_managed(name, span);
    }
    for (policy, name) in policy_statements(ev, kind)? {
        if role.link_policy(policy) {
            sink.note_policy(
                &role.id,
                &name,
                PolicyOrigin::EventSource {
                    event: ev.event.to_string(),
                },
            );
        }
    }
    if let Some((policy, name)) = destination_policy {
        if role.link_policy(policy) {
            sink.note_policy(
                &role.id,
                &name,
                PolicyOrigin::OnFailureDestination {
                    event: ev.event.to_string(),
                },
            );
        }
    }
    sink.note(
        &ev.id,
        ev.function,
        Some(ev.event),
        GeneratedKind::EventSourceMapping,
    );
    Ok(vec![(key(&ev.id, span), mapping)])
}

/// The managed policy SAM attaches per event type (spec §7.1, SAMT `get_policy_arn`).
fn managed_policy(kind: &str) -> Option<&'static str> {
    match kind {
        "SQS" => Some("service-role/AWSLambdaSQSQueueExecutionRole"),
        "Kinesis" => Some("service-role/AWSLambdaKinesisExecutionRole"),
        "DynamoDB" => Some("service-role/AWSLambdaDynamoDBExecutionRole"),
        "MSK" => Some("service-role/AWSLambdaMSKExecutionRole"),
        _ => None,
    }
}

/// The mapping SAMT creates for an SNS event's SQS subscription (an `SQS` event built in code:
/// `BatchSize` defaults to 10, `Enabled` is always true).
pub fn sqs_subscription_mapping(
    sink: &mut Sink,
    ev: &EventCx<'_>,
    queue_arn: Node,
    batch_size: Option<Node>,
    role: &mut RoleBuilder,
) -> (Key, Node) {
    let span = ev.span();
    let id = format!("{}EventSourceMapping", ev.id);
    let mut m = MapBuilder::new(span);
    m.put(
        "BatchSize",
        batch_size
            .filter(|b| tree::truthy(Some(b)))
            .unwrap_or_else(|| tree::plain("10", span)),
    )
    .put("Enabled", tree::boolean(true, span))
    .put("EventSourceArn", queue_arn)
    .put("FunctionName", ev.target.name(span));
    role.add_aws_managed("service-role/AWSLambdaSQSQueueExecutionRole", span);
    sink.note(
        &id,
        ev.function,
        Some(ev.event),
        GeneratedKind::EventSourceMapping,
    );
    (
        key(&id, span),
        resource(
            "AWS::Lambda::EventSourceMapping",
            span,
            ev.attrs,
            None,
            m.build(),
        ),
    )
}

/// SAMT `_validate_filter_criteria`.
fn check_filter_criteria(ev: &EventCx<'_>, kind: &str) -> Result<(), SamError> {
    let Some(fc) = ev.prop("FilterCriteria") else {
        return Ok(());
    };
    if !tree::truthy(Some(fc)) || tree::is_intrinsic(fc) {
        return Ok(());
    }
    if !FILTERING.contains(&kind) {
        return Err(ev.err(
            fc.span,
            format!(
                "`FilterCriteria` is only available for {} events",
                FILTERING.join(", ")
            ),
        ));
    }
    let keys: Vec<&str> = fc
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(|(k, _)| &*k.text)
        .collect();
    if !(keys.is_empty() || keys == ["Filters"]) {
        return Err(ev.err(fc.span, "`FilterCriteria` field has a wrong format"));
    }
    Ok(())
}

/// SAMT's `DestinationConfig` handling: the mapping's `DestinationConfig` without the SAM-only
/// `OnFailure.Type`, and the role policy that `Type` asks for.
#[expect(clippy::type_complexity, reason = "config and named policy")]
fn destination(ev: &EventCx<'_>) -> Result<(Option<Node>, Option<(Node, String)>), SamError> {
    let Some(dc) = ev
        .prop("DestinationConfig")
        .filter(|d| tree::truthy(Some(d)))
    else {
        return Ok((None, None));
    };
    let on_failure = tree::get(dc, "OnFailure");
    let Some(on_failure) = on_failure.filter(|o| o.as_map().is_some() && !tree::is_intrinsic(o))
    else {
        return Err(ev.err(
            on_failure.map_or(dc.span, |o| o.span),
            "property `DestinationConfig.OnFailure` should be a map",
        ));
    };
    let mut policy = None;
    let ty = tree::get(on_failure, "Type").filter(|t| tree::truthy(Some(t)));
    if let Some(ty_node) = ty {
        let destination = tree::get(on_failure, "Destination")
            .cloned()
            .unwrap_or_else(|| Node::scalar("", crate::readers::ScalarStyle::Null, ty_node.span));
        let span = on_failure.span;
        let ty_text = if ty_node.tag.is_none() {
            tree::scalar_text(ty_node)
        } else {
            None
        };
        policy = match ty_text {
            Some("SQS") => Some((
                named_policy(
                    &format!("{}SQSPolicy", ev.id),
                    vec![statement(
                        string("sqs:SendMessage", span),
                        destination,
                        span,
                    )],
                    false,
                    span,
                ),
                format!("{}SQSPolicy", ev.id),
            )),
            Some("SNS") => Some((
                named_policy(
                    &format!("{}SNSPolicy", ev.id),
                    vec![statement(string("sns:publish", span), destination, span)],
                    false,
                    span,
                ),
                format!("{}SNSPolicy", ev.id),
            )),
            Some("S3") => Some((
                named_policy(
                    &format!("{}S3Policy", ev.id),
                    s3_destination_statements(&destination, span),
                    false,
                    span,
                ),
                format!("{}S3Policy", ev.id),
            )),
            // A Kafka destination needs no role policy from SAM.
            Some("Kafka") => None,
            _ => {
                return Err(ev.err(
                    ty_node.span,
                    "the only valid values for `Type` are `SQS`, `SNS`, `S3`, and `Kafka`",
                ));
            }
        };
    }
    let mut config = dc.clone();
    if ty.is_some() {
        if let Some(of) = tree::get_mut(&mut config, "OnFailure") {
            tree::remove(of, "Type");
        }
    }
    Ok((Some(config), policy))
}

/// The inline policies SAMT writes for the event (`get_policy_statements`), with their names.
fn policy_statements(ev: &EventCx<'_>, kind: &str) -> Result<Vec<(Node, String)>, SamError> {
    let span = ev.span();
    match kind {
        "MSK" => {
            let mut statements = schema_registry_statements(ev)?;
            if let Some(configs) = ev.prop("SourceAccessConfigurations").and_then(Node::as_seq) {
                for conf in configs {
                    if conf.get("Type").and_then(Node::as_str)
                        == Some("CLIENT_CERTIFICATE_TLS_AUTH")
                    {
                        if let Some(uri) = tree::get(conf, "URI").filter(|u| tree::truthy(Some(u)))
                        {
                            statements.push(statement(
                                actions(&["secretsmanager:GetSecretValue"], conf.span),
                                uri.clone(),
                                conf.span,
                            ));
                        }
                    }
                }
            }
            if statements.is_empty() {
                return Ok(Vec::new());
            }
            let name = "MSKExecutionRolePolicy";
            Ok(vec![(
                named_policy(name, statements, false, span),
                name.into(),
            )])
        }
        "MQ" => {
            let uri = basic_auth_uri(ev, &["BASIC_AUTH", "VIRTUAL_HOST"], "Amazon MQ")?;
            let broker = ev
                .prop("Broker")
                .cloned()
                .unwrap_or_else(|| string("", span));
            let mut statements = vec![
                statement(actions(&["secretsmanager:GetSecretValue"], span), uri, span),
                statement(actions(&["mq:DescribeBroker"], span), broker, span),
            ];
            if let Some(key_id) = kms_key_id(ev)? {
                statements.push(statement(
                    string("kms:Decrypt", span),
                    kms_key_arn(&key_id, span),
                    span,
                ));
            }
            let dynamic = ev.prop("DynamicPolicyName").and_then(tree::as_bool) == Some(true);
            let name = if dynamic {
                format!("{}AMQPolicy", ev.id)
            } else {
                "SamAutoGeneratedAMQPolicy".to_string()
            };
            Ok(vec![(named_policy(&name, statements, false, span), name)])
        }
        "SelfManagedKafka" => self_managed_kafka(ev),
        "DocumentDB" => {
            let uri = basic_auth_uri(ev, &["BASIC_AUTH"], "Amazon DocumentDB")?;
            let cluster = ev
                .prop("Cluster")
                .cloned()
                .unwrap_or_else(|| string("", span));
            let mut statements = vec![
                statement(actions(&["secretsmanager:GetSecretValue"], span), uri, span),
                statement(
                    actions(&["rds:DescribeDBClusterParameters"], span),
                    tree::sub(
                        "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:cluster-pg:*",
                        span,
                    ),
                    span,
                ),
                statement(
                    actions(&["rds:DescribeDBSubnetGroups"], span),
                    tree::sub(
                        "arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:subgrp:*",
                        span,
                    ),
                    span,
                ),
                statement(actions(&["rds:DescribeDBClusters"], span), cluster, span),
                statement(actions(VPC_ACTIONS, span), string("*", span), span),
            ];
            if let Some(key_id) = kms_key_id(ev)? {
                statements.push(statement(
                    actions(&["kms:Decrypt"], span),
                    kms_key_arn(&key_id, span),
                    span,
                ));
            }
            let name = "SamAutoGeneratedDocumentDBPolicy";
            Ok(vec![(
                named_policy(name, statements, false, span),
                name.into(),
            )])
        }
        _ => Ok(Vec::new()),
    }
}

/// `SecretsManagerKmsKeyId`, which must be a literal string (SAMT
/// `validate_secrets_manager_kms_key_id`).
fn kms_key_id(ev: &EventCx<'_>) -> Result<Option<String>, SamError> {
    let Some(k) = ev
        .prop("SecretsManagerKmsKeyId")
        .filter(|k| tree::truthy(Some(k)))
    else {
        return Ok(None);
    };
    match k.as_str() {
        Some(s) => Ok(Some(s.to_string())),
        _ => Err(ev.err(
            k.span,
            "property `SecretsManagerKmsKeyId` should be a string",
        )),
    }
}

/// `arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/<id>` as SAMT writes it.
fn kms_key_arn(key_id: &str, span: Span) -> Node {
    tree::sub(
        &format!("arn:${{AWS::Partition}}:kms:${{AWS::Region}}:${{AWS::AccountId}}:key/{key_id}"),
        span,
    )
}

/// SAMT `_validate_source_access_configurations`: the URI of the one `BASIC_AUTH` entry.
fn basic_auth_uri(ev: &EventCx<'_>, supported: &[&str], service: &str) -> Result<Node, SamError> {
    let sac = ev.prop("SourceAccessConfigurations");
    if !tree::truthy(sac) {
        return Err(ev.err(
            ev.span(),
            format!("no `SourceAccessConfigurations` for {service} event provided"),
        ));
    }
    let Some(items) = sac.and_then(Node::as_seq) else {
        return Err(ev.err_at(
            "SourceAccessConfigurations",
            "provided `SourceAccessConfigurations` cannot be parsed into a list",
        ));
    };
    let mut found: Option<Node> = None;
    for (i, conf) in items.iter().enumerate() {
        if conf.as_map().is_none() || tree::is_intrinsic(conf) {
            return Err(ev.err(
                conf.span,
                format!("property `SourceAccessConfigurations[{i}]` should be a map"),
            ));
        }
        let ty = tree::get(conf, "Type");
        let Some(ty_text) = ty.filter(|t| tree::is_str(t)).and_then(Node::as_str) else {
            return Err(ev.err(
                ty.map_or(conf.span, |t| t.span),
                format!("property `SourceAccessConfigurations[{i}].Type` should be a string"),
            ));
        };
        if !supported.contains(&ty_text) {
            return Err(ev.err(
                conf.span,
                format!(
                    "invalid property `Type` specified in `SourceAccessConfigurations`; the supported values are: [{}]",
                    supported.join(", ")
                ),
            ));
        }
        if ty_text == "BASIC_AUTH" {
            if found.is_some() {
                return Err(ev.err(
                    conf.span,
                    "multiple `BASIC_AUTH` properties specified in `SourceAccessConfigurations`",
                ));
            }
            let Some(uri) = tree::get(conf, "URI").filter(|u| tree::truthy(Some(u))) else {
                return Err(ev.err(
                    conf.span,
                    "no `BASIC_AUTH` `URI` property specified in `SourceAccessConfigurations`",
                ));
            };
            found = Some(uri.clone());
        }
    }
    found.ok_or_else(|| {
        ev.err_at(
            "SourceAccessConfigurations",
            "no `BASIC_AUTH` property specified in `SourceAccessConfigurations`",
        )
    })
}

/// Authentication types of self-managed Kafka (SAMT `SelfManagedKafka.AUTH_MECHANISM`).
const KAFKA_AUTH: &[&str] = &[
    "SASL_SCRAM_256_AUTH",
    "SASL_SCRAM_512_AUTH",
    "BASIC_AUTH",
    "CLIENT_CERTIFICATE_TLS_AUTH",
    "OAUTHBEARER_AUTH",
    "IAM_AUTH",
    "IAM_OAUTHBEARER_AUTH",
];
const KAFKA_NON_URI: &[&str] = &["IAM_AUTH", "IAM_OAUTHBEARER_AUTH"];
const KAFKA_OAUTH_METADATA: &[&str] = &[
    "OAUTHBEARER_SCOPE",
    "OAUTHBEARER_AUDIENCE",
    "OAUTHBEARER_LOGICAL_CLUSTER",
    "OAUTHBEARER_IDENTITY_POOL",
];

/// SAMT `SelfManagedKafka.get_policy_statements` / `generate_policy_document`.
fn self_managed_kafka(ev: &EventCx<'_>) -> Result<Vec<(Node, String)>, SamError> {
    let span = ev.span();
    if !tree::truthy(ev.prop("KafkaBootstrapServers")) {
        return Err(ev.err(
            span,
            "no `KafkaBootstrapServers` provided for self managed kafka as an event source",
        ));
    }
    let topics = ev.prop("Topics");
    if !tree::truthy(topics) {
        return Err(ev.err(
            span,
            "no `Topics` provided for self managed kafka as an event source",
        ));
    }
    if topics.and_then(Node::as_seq).is_some_and(|t| t.len() != 1) {
        return Err(ev.err_at(
            "Topics",
            "`Topics` for self managed kafka only supports single configuration entry",
        ));
    }
    let sac = ev.prop("SourceAccessConfigurations");
    if !tree::truthy(sac) {
        return Err(ev.err(
            span,
            "no `SourceAccessConfigurations` for self managed kafka event provided",
        ));
    }
    let Some(configs) = sac.and_then(Node::as_seq) else {
        return Err(ev.err_at(
            "SourceAccessConfigurations",
            "`SourceAccessConfigurations` for self managed kafka event should be a list",
        ));
    };
    let mut auth_uri: Option<&Node> = None;
    let mut root_ca_uri: Option<&Node> = None;
    let (mut subnet, mut security_group, mut has_auth) = (false, false, false);
    let check_uri = |conf: &Node, what: &str| -> Result<(), SamError> {
        let uri = tree::get(conf, "URI");
        if !tree::truthy(uri) {
            return Err(ev.err(
                conf.span,
                format!("no {what} `URI` property specified in `SourceAccessConfigurations` for self managed kafka event"),
            ));
        }
        if let Some(u) = uri {
            if !tree::is_str(u) && !tree::is_intrinsic(u) {
                return Err(ev.err(
                    u.span,
                    format!("wrong type for {what} `URI` property specified in `SourceAccessConfigurations` for self managed kafka event"),
                ));
            }
        }
        Ok(())
    };
    for conf in configs {
        if conf.as_map().is_none() || tree::is_intrinsic(conf) {
            return Err(ev.err(
                conf.span,
                "property `SourceAccessConfigurations` should be a map",
            ));
        }
        let ty = conf.get("Type").and_then(Node::as_str).unwrap_or("");
        match ty {
            "VPC_SUBNET" => {
                check_uri(conf, "VPC_SUBNET")?;
                subnet = true;
            }
            "VPC_SECURITY_GROUP" => {
                check_uri(conf, "VPC_SECURITY_GROUP")?;
                security_group = true;
            }
            t if KAFKA_AUTH.contains(&t) => {
                if has_auth {
                    return Err(ev.err(
                        conf.span,
                        "multiple auth mechanism properties specified in `SourceAccessConfigurations` for self managed kafka event",
                    ));
                }
                has_auth = true;
                if !KAFKA_NON_URI.contains(&t) {
                    check_uri(conf, "auth mechanism")?;
                    auth_uri = tree::get(conf, "URI");
                }
            }
            "SERVER_ROOT_CA_CERTIFICATE" => {
                check_uri(conf, "SERVER_ROOT_CA_CERTIFICATE")?;
                root_ca_uri = tree::get(conf, "URI");
            }
            t if KAFKA_OAUTH_METADATA.contains(&t) => check_uri(conf, t)?,
            _ => {
                return Err(ev.err(
                    conf.span,
                    "invalid `SourceAccessConfigurations` `Type` provided for self managed kafka event",
                ));
            }
        }
    }
    if subnet != security_group {
        return Err(ev.err_at(
            "SourceAccessConfigurations",
            "`VPC_SUBNET` and `VPC_SECURITY_GROUP` in `SourceAccessConfigurations` for SelfManagedKafka must be both provided",
        ));
    }
    let secret = |uri: &Node| {
        statement(
            actions(&["secretsmanager:GetSecretValue"], uri.span),
            uri.clone(),
            uri.span,
        )
    };
    let mut statements = Vec::new();
    if let Some(u) = auth_uri {
        statements.push(secret(u));
    }
    if let Some(u) = root_ca_uri {
        statements.push(secret(u));
    }
    if subnet && security_group {
        statements.push(statement(
            actions(VPC_ACTIONS, span),
            string("*", span),
            span,
        ));
    }
    if let Some(key_id) = kms_key_id(ev)? {
        statements.push(statement(
            actions(&["kms:Decrypt"], span),
            kms_key_arn(&key_id, span),
            span,
        ));
    }
    statements.extend(schema_registry_statements(ev)?);
    if statements.is_empty() {
        return Ok(Vec::new());
    }
    let name = "SelfManagedKafkaExecutionRolePolicy";
    Ok(vec![(
        named_policy(name, statements, true, span),
        name.into(),
    )])
}

/// SAMT `validate_schema_registry_config` and `get_schema_registry_permissions`: secrets of
/// the registry's `AccessConfigs`, and for a Glue registry ARN `glue:GetRegistry` on it and
/// `glue:GetSchemaVersion` on its schemas.
fn schema_registry_statements(ev: &EventCx<'_>) -> Result<Vec<Node>, SamError> {
    let Some(config) = ev
        .prop("SchemaRegistryConfig")
        .filter(|c| tree::truthy(Some(c)))
    else {
        return Ok(Vec::new());
    };
    let span = config.span;
    if config.as_map().is_none() || tree::is_intrinsic(config) {
        return Err(ev.err(span, "property `SchemaRegistryConfig` should be a map"));
    }
    for field in [
        "SchemaRegistryURI",
        "EventRecordFormat",
        "SchemaValidationConfigs",
    ] {
        if config.get(field).is_none() {
            return Err(ev.err(
                span,
                format!("missing required field `{field}` in `SchemaRegistryConfig`"),
            ));
        }
    }
    let format = config.get("EventRecordFormat");
    if !matches!(format.and_then(Node::as_str), Some("JSON" | "SOURCE")) {
        return Err(ev.err(
            format.map_or(span, |f| f.span),
            "`EventRecordFormat` in `SchemaRegistryConfig` must be either `JSON` or `SOURCE`",
        ));
    }
    if config
        .get("SchemaValidationConfigs")
        .and_then(Node::as_seq)
        .is_none()
    {
        return Err(ev.err(span, "`SchemaValidationConfigs` must be a list"));
    }
    let access = tree::get(config, "AccessConfigs").filter(|a| tree::truthy(Some(a)));
    if let Some(a) = access {
        let Some(items) = a.as_seq() else {
            return Err(ev.err(
                a.span,
                "`AccessConfigs` in `SchemaRegistryConfig` must be a list",
            ));
        };
        for item in items {
            if item.as_map().is_none() || item.get("Type").is_none() || item.get("URI").is_none() {
                return Err(ev.err(
                    item.span,
                    "each `AccessConfig` must be a dict with `Type` and `URI` fields",
                ));
            }
        }
    }
    let mut statements = Vec::new();
    for item in access.and_then(Node::as_seq).unwrap_or_default() {
        if let Some(uri) = item.get("URI") {
            statements.push(statement(
                actions(&["secretsmanager:GetSecretValue"], item.span),
                uri.clone(),
                item.span,
            ));
        }
    }
    let Some(uri) = config.get("SchemaRegistryURI") else {
        return Ok(statements);
    };
    let arn_text: Option<String> = if tree::is_intrinsic(uri) {
        let resolved = ev.cx.resolve_params(uri);
        match tree::intrinsic(&resolved) {
            Some(("Fn::Sub", arg)) => arg.as_str().map(registry_sub_text),
            _ => None,
        }
    } else {
        uri.as_str().map(str::to_string)
    };
    if let Some(name) = arn_text.as_deref().and_then(registry_name) {
        let uspan = uri.span;
        statements.push(statement(
            actions(&["glue:GetRegistry"], uspan),
            uri.clone(),
            uspan,
        ));
        statements.push(statement(
            actions(&["glue:GetSchemaVersion"], uspan),
            tree::seq(
                vec![tree::sub(
                    &format!(
                        "arn:${{AWS::Partition}}:glue:${{AWS::Region}}:${{AWS::AccountId}}:schema/{name}/*"
                    ),
                    uspan,
                )],
                uspan,
            ),
            uspan,
        ));
    }
    Ok(statements)
}

/// The registry ARN text of an `Fn::Sub`, with the pseudo parameters SAMT resolves at
/// transform time (`AWS::Partition`, `AWS::Region`) filled in for region `us-east-1`, so that
/// the registry name is found where SAMT finds it.
fn registry_sub_text(text: &str) -> String {
    text.replace("${AWS::Partition}", "aws")
        .replace("${AWS::Region}", "us-east-1")
}

/// SAMT `get_registry_name`: the name in `arn:…:registry/<name>`.
fn registry_name(arn: &str) -> Option<String> {
    if !arn.starts_with("arn") {
        return None;
    }
    let parts: Vec<&str> = arn.split(':').collect();
    let segment = parts.get(5)?;
    segment.strip_prefix("registry/").map(str::to_string)
}
