//! The event types of `AWS::Serverless::Function.Events` and the properties each accepts
//! (SAMT `model/eventsources/{pull,push,cloudwatchlogs,scheduler}.py`, `property_types`).
//!
//! Input: one entry of `Events`. Output: its type and `Properties`, checked as SAMT checks them
//! before generating anything: a known `Type`, no property the type does not define, every
//! required property present, every value of the expected type (an intrinsic function passes).

use super::SamError;
use super::tree::{self, Ty};
use crate::readers::syntax::Node;

pub struct Prop {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
}

const fn p(name: &'static str, ty: Ty) -> Prop {
    Prop {
        name,
        ty,
        required: false,
    }
}

const fn req(name: &'static str, ty: Ty) -> Prop {
    Prop {
        name,
        ty,
        required: true,
    }
}

/// `PullEventSource.property_types`, with `StartingPosition` required or not.
macro_rules! pull_props {
    ($starting:expr, $($extra:expr),* $(,)?) => {
        &[
            p("BatchSize", Ty::Int),
            $starting,
            p("StartingPositionTimestamp", Ty::Any),
            p("Enabled", Ty::Bool),
            p("MaximumBatchingWindowInSeconds", Ty::Int),
            p("MaximumRetryAttempts", Ty::Int),
            p("BisectBatchOnFunctionError", Ty::Bool),
            p("MaximumRecordAgeInSeconds", Ty::Int),
            p("DestinationConfig", Ty::Dict),
            p("ParallelizationFactor", Ty::Int),
            p("Topics", Ty::List),
            p("Queues", Ty::List),
            p("SourceAccessConfigurations", Ty::List),
            p("SecretsManagerKmsKeyId", Ty::Str),
            p("TumblingWindowInSeconds", Ty::Int),
            p("FunctionResponseTypes", Ty::List),
            p("KafkaBootstrapServers", Ty::List),
            p("FilterCriteria", Ty::Dict),
            p("KmsKeyArn", Ty::Any),
            p("ConsumerGroupId", Ty::Str),
            p("ScalingConfig", Ty::Dict),
            p("ProvisionedPollerConfig", Ty::Dict),
            p("SchemaRegistryConfig", Ty::Dict),
            p("MetricsConfig", Ty::Dict),
            p("LoggingConfig", Ty::Dict),
            $($extra),*
        ]
    };
}

const STREAM: &[Prop] = pull_props!(req("StartingPosition", Ty::Any), req("Stream", Ty::Any));
const SQS: &[Prop] = pull_props!(p("StartingPosition", Ty::Any), req("Queue", Ty::Any));
const MQ: &[Prop] = pull_props!(
    p("StartingPosition", Ty::Any),
    req("Broker", Ty::Any),
    p("DynamicPolicyName", Ty::Bool)
);
const SELF_MANAGED_KAFKA: &[Prop] = pull_props!(p("StartingPosition", Ty::Any),);
const DOCUMENT_DB: &[Prop] = pull_props!(
    p("StartingPosition", Ty::Any),
    req("Cluster", Ty::Any),
    req("DatabaseName", Ty::Any),
    p("CollectionName", Ty::Any),
    p("FullDocument", Ty::Any)
);

const SCHEDULE: &[Prop] = &[
    req("Schedule", Ty::Str),
    p("RuleName", Ty::Str),
    p("Input", Ty::Str),
    p("Enabled", Ty::Bool),
    p("State", Ty::Str),
    p("Name", Ty::Str),
    p("Description", Ty::Str),
    p("DeadLetterConfig", Ty::Dict),
    p("RetryPolicy", Ty::Dict),
];
const CLOUDWATCH_EVENT: &[Prop] = &[
    p("EventBusName", Ty::Str),
    p("RuleName", Ty::Str),
    p("Pattern", Ty::Dict),
    p("DeadLetterConfig", Ty::Dict),
    p("RetryPolicy", Ty::Dict),
    p("Input", Ty::Str),
    p("InputPath", Ty::Str),
    p("Target", Ty::Dict),
    p("Enabled", Ty::Bool),
    p("State", Ty::Str),
    p("InputTransformer", Ty::Dict),
];
const S3: &[Prop] = &[
    req("Bucket", Ty::Str),
    req("Events", Ty::StrOrList),
    p("Filter", Ty::Dict),
];
const SNS: &[Prop] = &[
    req("Topic", Ty::Str),
    p("Region", Ty::Str),
    p("FilterPolicy", Ty::Any),
    p("FilterPolicyScope", Ty::Any),
    p("SqsSubscription", Ty::BoolOrDict),
    p("RedrivePolicy", Ty::Dict),
];
const API: &[Prop] = &[
    req("Path", Ty::Str),
    req("Method", Ty::Str),
    p("RestApiId", Ty::Str),
    p("Stage", Ty::Str),
    p("Auth", Ty::Dict),
    p("RequestModel", Ty::Dict),
    p("RequestParameters", Ty::List),
    p("TimeoutInMillis", Ty::Int),
    p("ResponseTransferMode", Ty::Str),
];
const HTTP_API: &[Prop] = &[
    p("Path", Ty::Str),
    p("Method", Ty::Str),
    p("ApiId", Ty::Str),
    p("Stage", Ty::Str),
    p("Auth", Ty::Dict),
    p("TimeoutInMillis", Ty::Int),
    p("RouteSettings", Ty::Dict),
    p("PayloadFormatVersion", Ty::Str),
];
const CLOUDWATCH_LOGS: &[Prop] = &[req("LogGroupName", Ty::Str), req("FilterPattern", Ty::Str)];
const IOT_RULE: &[Prop] = &[req("Sql", Ty::Str), p("AwsIotSqlVersion", Ty::Str)];
const ALEXA_SKILL: &[Prop] = &[p("SkillId", Ty::Str)];
const COGNITO: &[Prop] = &[req("UserPool", Ty::Str), req("Trigger", Ty::StrOrList)];
const SCHEDULE_V2: &[Prop] = &[
    p("PermissionsBoundary", Ty::Str),
    req("ScheduleExpression", Ty::Str),
    p("FlexibleTimeWindow", Ty::Dict),
    p("Name", Ty::Str),
    p("State", Ty::Str),
    p("Description", Ty::Str),
    p("StartDate", Ty::Str),
    p("EndDate", Ty::Str),
    p("ScheduleExpressionTimezone", Ty::Str),
    p("GroupName", Ty::Str),
    p("KmsKeyArn", Ty::Str),
    p("Input", Ty::Str),
    p("RoleArn", Ty::Str),
    p("DeadLetterConfig", Ty::Dict),
    p("RetryPolicy", Ty::Dict),
    p("OmitName", Ty::Bool),
];

/// Every event type SAMT knows, with its properties.
pub fn properties_of(kind: &str) -> Option<(&'static str, &'static [Prop])> {
    Some(match kind {
        "Kinesis" => ("Kinesis", STREAM),
        "DynamoDB" => ("DynamoDB", STREAM),
        "MSK" => ("MSK", STREAM),
        "SQS" => ("SQS", SQS),
        "MQ" => ("MQ", MQ),
        "SelfManagedKafka" => ("SelfManagedKafka", SELF_MANAGED_KAFKA),
        "DocumentDB" => ("DocumentDB", DOCUMENT_DB),
        "Schedule" => ("Schedule", SCHEDULE),
        "CloudWatchEvent" => ("CloudWatchEvent", CLOUDWATCH_EVENT),
        "EventBridgeRule" => ("EventBridgeRule", CLOUDWATCH_EVENT),
        "S3" => ("S3", S3),
        "SNS" => ("SNS", SNS),
        "Api" => ("Api", API),
        "HttpApi" => ("HttpApi", HTTP_API),
        "CloudWatchLogs" => ("CloudWatchLogs", CLOUDWATCH_LOGS),
        "IoTRule" => ("IoTRule", IOT_RULE),
        "AlexaSkill" => ("AlexaSkill", ALEXA_SKILL),
        "Cognito" => ("Cognito", COGNITO),
        "ScheduleV2" => ("ScheduleV2", SCHEDULE_V2),
        _ => return None,
    })
}

pub fn is_pull(kind: &str) -> bool {
    matches!(
        kind,
        "Kinesis" | "DynamoDB" | "MSK" | "SQS" | "MQ" | "SelfManagedKafka" | "DocumentDB"
    )
}

/// A checked event: its type and `Properties` (`None` when the entry has none).
pub struct Checked<'n> {
    pub kind: &'static str,
    pub props: Option<&'n Node>,
}

/// SAMT `resolve_resource_type(..).from_dict(..)` of one event: type, property names, required
/// properties and value types.
pub fn check<'n>(function: &str, event_id: &str, event: &'n Node) -> Result<Checked<'n>, SamError> {
    let err = |span, detail: String| SamError::event(function, event_id, span, detail);
    let type_node = event.get("Type");
    let type_name = type_node.and_then(Node::as_str);
    let Some((kind, props_def)) = type_name.and_then(properties_of) else {
        return Err(err(
            type_node.map_or(event.span, |t| t.span),
            format!(
                "resource dict has missing or invalid value for key `Type`; event type is: `{}`",
                type_name.unwrap_or("None")
            ),
        ));
    };
    let props = tree::get(event, "Properties");
    if let Some(p) = props {
        if p.as_map().is_none() || tree::is_intrinsic(p) {
            return Err(err(
                p.span,
                "properties of a resource must be an object".to_string(),
            ));
        }
    }
    let entries = props.and_then(Node::as_map).unwrap_or_default();
    for (k, _) in entries {
        if !props_def.iter().any(|d| d.name == &*k.text) {
            return Err(err(
                k.span,
                format!(
                    "property `{}` not defined for resource of type `{kind}`",
                    k.text
                ),
            ));
        }
    }
    for d in props_def {
        match props.and_then(|p| tree::get(p, d.name)) {
            None if d.required => {
                return Err(err(
                    props.map_or(event.span, |p| p.span),
                    format!("missing required property `{}`", d.name),
                ));
            }
            None => {}
            Some(v) if !d.ty.accepts(v) => {
                return Err(err(
                    v.span,
                    format!("type of property `{}` is invalid", d.name),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(Checked { kind, props })
}

/// SAMT `EventBridgeRuleUtils.validate_dlq_config` of a rule's or schedule's
/// `DeadLetterConfig`.
pub fn check_dead_letter_config(owner: &str, event_id: &str, dlq: &Node) -> Result<(), SamError> {
    let err = |detail: &str| SamError::event(owner, event_id, dlq.span, detail);
    let (arn, ty) = (dlq.get("Arn"), dlq.get("Type"));
    match (arn, ty) {
        (Some(_), Some(_)) => Err(err(
            "you can either define `Arn` or `Type` property of `DeadLetterConfig`",
        )),
        (None, Some(t)) if t.as_str() != Some("SQS") => Err(err(
            "the only valid value for `Type` property of `DeadLetterConfig` is `SQS`",
        )),
        (None, None) => Err(err(
            "no `Arn` or `Type` property provided for `DeadLetterConfig`",
        )),
        _ => {
            if let (None, Some(q)) = (arn, dlq.get("QueueLogicalId")) {
                if q.as_str().is_none() {
                    return Err(SamError::event(
                        owner,
                        event_id,
                        q.span,
                        "`QueueLogicalId` must be a string",
                    ));
                }
            }
            Ok(())
        }
    }
}
