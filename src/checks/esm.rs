//! What every event-source-mapping check shares: finding the mapping's function and execution
//! role, and the concrete resources its requirements apply to.

use super::requirements::{self, Requirement, Target};
use crate::model::{
    Environment, EventSourceMapping, Function, FunctionLink, Part, RoleId, RoleLink, SourceKind,
    Stack, SymStr, Symbol,
};

/// The role a mapping polls with, as far as the input says.
#[derive(Debug)]
pub enum ExecutionRole<'s> {
    /// One role of the stack.
    Local(RoleId),
    /// The role's policies are not in the input; the reason says why.
    Unverifiable {
        reason: String,
        function: Option<&'s Function>,
    },
}

/// The mapping's function, when it is in the stack.
pub fn function_of<'s>(stack: &'s Stack, esm: &EventSourceMapping) -> Option<&'s Function> {
    match &esm.function {
        FunctionLink::Local { function, .. } => stack.function(*function),
        FunctionLink::External(_) => None,
    }
}

/// The execution role a mapping polls with.
pub fn execution_role<'s>(stack: &'s Stack, esm: &EventSourceMapping) -> ExecutionRole<'s> {
    let function = match &esm.function {
        FunctionLink::Local { function, .. } => stack.function(*function),
        FunctionLink::External(name) => {
            return ExecutionRole::Unverifiable {
                reason: format!("function `{name}` is not defined in this input"),
                function: None,
            };
        }
    };
    let Some(function) = function else {
        return ExecutionRole::Unverifiable {
            reason: "the mapping's function is not in the input".into(),
            function: None,
        };
    };
    match &function.role {
        RoleLink::Local(id) => ExecutionRole::Local(*id),
        RoleLink::External(arn) => ExecutionRole::Unverifiable {
            reason: format!(
                "the execution role of `{}` is defined outside this input (`{arn}`)",
                function.origin.id
            ),
            function: Some(function),
        },
        RoleLink::OneOf(_) => ExecutionRole::Unverifiable {
            reason: format!(
                "the execution role of `{}` depends on a condition",
                function.origin.id
            ),
            function: Some(function),
        },
        RoleLink::Missing(reason) => ExecutionRole::Unverifiable {
            reason: format!("`{}`: {reason}", function.origin.id),
            function: Some(function),
        },
    }
}

/// The requirements of a mapping's source kind (spec §1), before conditional ones.
pub fn base_requirements(stack: &Stack, esm: &EventSourceMapping) -> &'static [Requirement] {
    match esm.kind {
        SourceKind::Sqs => requirements::SQS,
        SourceKind::KinesisStream => requirements::KINESIS_STREAM,
        SourceKind::KinesisConsumer => requirements::KINESIS_CONSUMER,
        SourceKind::DynamodbStream => requirements::DYNAMODB_STREAM,
        SourceKind::Msk => {
            let serverless = esm
                .source_resource
                .as_deref()
                .and_then(|r| stack.msk_cluster(r))
                .is_some_and(|c| c.serverless);
            if serverless {
                requirements::MSK_SERVERLESS
            } else {
                requirements::MSK
            }
        }
        SourceKind::MqActivemq | SourceKind::MqRabbitmq | SourceKind::Mq => requirements::MQ,
        SourceKind::Documentdb => requirements::DOCUMENTDB,
        SourceKind::SelfManagedKafka | SourceKind::Unknown => &[],
    }
}

fn unknown(reason: &str) -> SymStr {
    SymStr::sym(Symbol::Unknown(reason.to_string()))
}

/// The stream ARN of a Kinesis consumer: from the consumer resource, or by cutting
/// `/consumer/<name>:<timestamp>` off a literal consumer ARN.
fn consumer_stream(stack: &Stack, esm: &EventSourceMapping) -> SymStr {
    if let Some(c) = esm
        .source_resource
        .as_deref()
        .and_then(|r| stack.stream_consumers.iter().find(|c| c.origin.id == r))
    {
        return c.stream_arn.clone();
    }
    let Some(arn) = &esm.source_arn else {
        return unknown("the consumer's stream is not known");
    };
    let mut out = SymStr::default();
    for part in &arn.value.parts {
        match part {
            Part::Lit(text) => {
                if let Some(pos) = text.find("/consumer/") {
                    out.push_lit(text.get(..pos).unwrap_or(""));
                    return out;
                }
                out.push_lit(text);
            }
            Part::Sym(s) => out.push_sym(s.clone()),
        }
    }
    unknown("the consumer's stream is not known")
}

/// The resource a requirement applies to, for this mapping.
pub fn target_resource(
    stack: &Stack,
    env: &Environment,
    esm: &EventSourceMapping,
    target: Target,
    function: Option<&Function>,
) -> SymStr {
    let source = || {
        esm.source_arn
            .as_ref()
            .map(|a| a.value.clone())
            .unwrap_or_else(|| unknown("the mapping has no `EventSourceArn`"))
    };
    match target {
        Target::Source | Target::SourceOrStar => source(),
        Target::ConsumerStream => consumer_stream(stack, esm),
        Target::Star => SymStr::lit("*"),
        Target::NetworkInterfaces => {
            let mut r = SymStr::lit("");
            r.push_sym(Symbol::Unknown(
                "the subnets, security groups and network interfaces Lambda uses".into(),
            ));
            env.regional_arn("ec2", &r)
        }
        Target::ClusterParameterGroups => {
            let mut r = SymStr::lit("cluster-pg:");
            r.push_sym(Symbol::Unknown("the cluster's parameter group".into()));
            env.regional_arn("rds", &r)
        }
        Target::SubnetGroups => {
            let mut r = SymStr::lit("subgrp:");
            r.push_sym(Symbol::Unknown("the cluster's subnet group".into()));
            env.regional_arn("rds", &r)
        }
        Target::FunctionLogs => {
            let mut r = SymStr::lit("log-group:/aws/lambda/");
            match function {
                Some(f) => r.push(&f.name),
                None => r.push_sym(Symbol::Unknown("the function's name".into())),
            }
            r.push_lit(":log-stream:");
            r.push_sym(Symbol::Unknown("the log stream".into()));
            env.regional_arn("logs", &r)
        }
    }
}
