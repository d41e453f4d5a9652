//! What `Ref` and each `Fn::GetAtt` attribute return, per resource type.
//!
//! Source: the CloudFormation resource schemas' primary identifiers and attributes (spec §6.1,
//! key CFNLINT), and ARN formats from the Service Authorization Reference (key PS). ARNs are
//! built from the properties that determine them; what the template leaves to CloudFormation
//! (a generated name, a random id) is a symbol of that resource.

use super::resolve::Resolver;
use super::template::ResourceNode;
use crate::model::{Environment, SymStr, Symbol};

/// The resource's name from property `prop`, or its generated physical name.
pub fn name_of(cx: &Resolver<'_, '_>, r: &ResourceNode<'_>, prop: &str) -> SymStr {
    match r.prop(prop).and_then(|n| cx.string(n)) {
        Some(s) if !s.parts.is_empty() => {
            let mut s = s;
            s.refers = None;
            s
        }
        _ => SymStr::sym(Symbol::PhysicalName {
            resource: r.id.to_string(),
        }),
    }
}

fn opaque(r: &ResourceNode<'_>, attr: &str) -> SymStr {
    SymStr::sym(Symbol::Attr {
        resource: r.id.to_string(),
        attr: attr.to_string(),
    })
}

fn lit_prefix(prefix: &str, s: &SymStr) -> SymStr {
    Environment::with_prefix(prefix, s)
}

fn suffix(mut s: SymStr, tail: &str) -> SymStr {
    s.push_lit(tail);
    s
}

/// The value of `attr` (`Ref` for `Ref`) of resource `r`.
pub fn attribute(cx: &Resolver<'_, '_>, r: &ResourceNode<'_>, attr: &str) -> SymStr {
    let env = &cx.env;
    match (r.type_name, attr) {
        // SQS: Ref is the queue URL (CFNLINT primaryIdentifier QueueUrl).
        ("AWS::SQS::Queue", "Ref" | "QueueUrl") => env.queue_url(&name_of(cx, r, "QueueName")),
        ("AWS::SQS::Queue", "Arn") => env.queue_arn(&name_of(cx, r, "QueueName")),
        ("AWS::SQS::Queue", "QueueName") => name_of(cx, r, "QueueName"),

        ("AWS::SNS::Topic", "Ref" | "TopicArn") => env.topic_arn(&name_of(cx, r, "TopicName")),
        ("AWS::SNS::Topic", "TopicName") => name_of(cx, r, "TopicName"),

        ("AWS::Kinesis::Stream", "Ref") => name_of(cx, r, "Name"),
        ("AWS::Kinesis::Stream", "Arn") => env.kinesis_stream_arn(&name_of(cx, r, "Name")),
        ("AWS::Kinesis::StreamConsumer", "Ref" | "ConsumerARN") => consumer_arn(cx, r),
        ("AWS::Kinesis::StreamConsumer", "ConsumerName") => name_of(cx, r, "ConsumerName"),
        ("AWS::Kinesis::StreamConsumer", "StreamARN") => r
            .prop("StreamARN")
            .and_then(|n| cx.string(n))
            .unwrap_or_else(|| opaque(r, "StreamARN")),

        ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", "Ref") => {
            name_of(cx, r, "TableName")
        }
        ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", "Arn") => {
            env.dynamodb_table_arn(&name_of(cx, r, "TableName"))
        }
        ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", "StreamArn") => {
            // arn:…:table/<name>/stream/<label>; the label is a creation timestamp.
            let mut arn = suffix(
                env.dynamodb_table_arn(&name_of(cx, r, "TableName")),
                "/stream/",
            );
            arn.push_sym(Symbol::Attr {
                resource: r.id.to_string(),
                attr: "StreamLabel".into(),
            });
            arn
        }

        ("AWS::Lambda::Function", "Ref") => name_of(cx, r, "FunctionName"),
        ("AWS::Lambda::Function", "Arn") => env.function_arn(&name_of(cx, r, "FunctionName")),
        ("AWS::Lambda::Alias", "Ref" | "AliasArn") => {
            qualified_function_arn(cx, r, &name_of(cx, r, "Name"))
        }
        ("AWS::Lambda::Version", "Ref" | "FunctionArn") => {
            qualified_function_arn(cx, r, &opaque(r, "Version"))
        }

        ("AWS::IAM::Role", "Ref") => name_of(cx, r, "RoleName"),
        ("AWS::IAM::Role", "Arn") => {
            let path = r.prop("Path").and_then(|n| n.as_str());
            env.role_arn(path, &name_of(cx, r, "RoleName"))
        }
        ("AWS::IAM::ManagedPolicy", "Ref" | "PolicyArn") => {
            let path = r.prop("Path").and_then(|n| n.as_str());
            env.policy_arn(path, &name_of(cx, r, "ManagedPolicyName"))
        }

        // Secrets Manager: Ref is the ARN; the ARN ends in `-` and six random characters.
        ("AWS::SecretsManager::Secret", "Ref" | "Id") => {
            let mut name = lit_prefix("secret:", &name_of(cx, r, "Name"));
            name.push_lit("-");
            name.push_sym(Symbol::Attr {
                resource: r.id.to_string(),
                attr: "RandomSuffix".into(),
            });
            env.regional_arn("secretsmanager", &name)
        }

        ("AWS::KMS::Key", "Ref" | "KeyId") => opaque(r, "KeyId"),
        ("AWS::KMS::Key", "Arn") => env.kms_key_arn(&opaque(r, "KeyId")),
        ("AWS::KMS::Alias", "Ref") => r
            .prop("AliasName")
            .and_then(|n| cx.string(n))
            .unwrap_or_else(|| opaque(r, "Ref")),

        ("AWS::S3::Bucket", "Ref") => name_of(cx, r, "BucketName"),
        ("AWS::S3::Bucket", "Arn") => env.bucket_arn(&name_of(cx, r, "BucketName")),

        ("AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster", "Ref" | "Arn") => {
            let mut name = lit_prefix("cluster/", &name_of(cx, r, "ClusterName"));
            name.push_lit("/");
            name.push_sym(Symbol::Attr {
                resource: r.id.to_string(),
                attr: "ClusterUuid".into(),
            });
            env.regional_arn("kafka", &name)
        }

        ("AWS::AmazonMQ::Broker", "Ref" | "Id") => opaque(r, "Id"),
        ("AWS::AmazonMQ::Broker", "Arn") => {
            let mut name = lit_prefix("broker:", &name_of(cx, r, "BrokerName"));
            name.push_lit(":");
            name.push_sym(Symbol::Attr {
                resource: r.id.to_string(),
                attr: "Id".into(),
            });
            env.regional_arn("mq", &name)
        }

        ("AWS::DocDB::DBCluster", "Ref") => name_of(cx, r, "DBClusterIdentifier"),

        ("AWS::Events::Rule", "Ref") => name_of(cx, r, "Name"),
        ("AWS::Events::Rule", "Arn") => {
            let bus = r.prop("EventBusName").and_then(|n| cx.string(n));
            env.event_rule_arn(bus.as_ref(), &name_of(cx, r, "Name"))
        }
        ("AWS::Events::EventBus", "Ref" | "Name") => name_of(cx, r, "Name"),
        ("AWS::Events::EventBus", "Arn") => {
            env.regional_arn("events", &lit_prefix("event-bus/", &name_of(cx, r, "Name")))
        }
        ("AWS::Logs::LogGroup", "Ref") => name_of(cx, r, "LogGroupName"),
        ("AWS::Logs::LogGroup", "Arn") => env.log_group_arn(&name_of(cx, r, "LogGroupName")),
        ("AWS::Glue::Registry", "Ref" | "Arn") => {
            env.regional_arn("glue", &lit_prefix("registry/", &name_of(cx, r, "Name")))
        }
        ("AWS::StepFunctions::StateMachine", "Ref" | "Arn") => env.regional_arn(
            "states",
            &lit_prefix("stateMachine:", &name_of(cx, r, "StateMachineName")),
        ),
        ("AWS::Cognito::UserPool", "Arn") => env.regional_arn(
            "cognito-idp",
            &lit_prefix("userpool/", &opaque(r, "UserPoolId")),
        ),
        ("AWS::Cognito::UserPool", "Ref") => opaque(r, "UserPoolId"),
        ("AWS::IoT::TopicRule", "Ref") => name_of(cx, r, "RuleName"),
        ("AWS::IoT::TopicRule", "Arn") => {
            env.regional_arn("iot", &lit_prefix("rule/", &name_of(cx, r, "RuleName")))
        }

        _ => opaque(r, attr),
    }
}

/// `<function ARN>:<qualifier>` for an alias or version of the function named by `FunctionName`.
fn qualified_function_arn(
    cx: &Resolver<'_, '_>,
    r: &ResourceNode<'_>,
    qualifier: &SymStr,
) -> SymStr {
    let function = r
        .prop("FunctionName")
        .and_then(|n| cx.string(n))
        .map(|f| function_arn_from(&cx.env, &f))
        .unwrap_or_else(|| opaque(r, "FunctionArn"));
    let mut arn = suffix(function, ":");
    arn.push(qualifier);
    arn
}

/// `arn:…:stream/<name>/consumer/<consumer>:<creation timestamp>`.
fn consumer_arn(cx: &Resolver<'_, '_>, r: &ResourceNode<'_>) -> SymStr {
    let stream = r
        .prop("StreamARN")
        .and_then(|n| cx.string(n))
        .unwrap_or_else(|| opaque(r, "StreamARN"));
    let mut arn = suffix(stream, "/consumer/");
    arn.push(&name_of(cx, r, "ConsumerName"));
    arn.push_lit(":");
    arn.push_sym(Symbol::Attr {
        resource: r.id.to_string(),
        attr: "ConsumerCreationTimestamp".into(),
    });
    arn.refers = None;
    arn
}

/// A function ARN from a `FunctionName` value (a name, or already an ARN).
pub fn function_arn_from(env: &Environment, function: &SymStr) -> SymStr {
    if function.literal_prefix().starts_with("arn:") {
        let mut f = function.clone();
        f.refers = None;
        return f;
    }
    if let Some(r) = &function.refers {
        if r.attr == "Arn" {
            let mut f = function.clone();
            f.refers = None;
            return f;
        }
    }
    env.function_arn(function)
}
