//! What every event-source-mapping check shares: finding the mapping's function and execution
//! role, and the concrete resources its requirements apply to.

use super::requirements::{self, Requirement, Target};
use crate::model::{
    Environment, EventSourceMapping, Function, Part, RoleId, SourceKind, Stack, SymStr, Symbol,
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
    super::function::linked(stack, &esm.function).ok()
}

/// The execution role a mapping polls with.
pub fn execution_role<'s>(stack: &'s Stack, esm: &EventSourceMapping) -> ExecutionRole<'s> {
    let function = match super::function::linked(stack, &esm.function) {
        Ok(function) => function,
        Err(reason) => {
            return ExecutionRole::Unverifiable {
                reason,
                function: None,
            };
        }
    };
    match super::function::execution_role(function) {
        Ok(id) => ExecutionRole::Local(id),
        Err(reason) => ExecutionRole::Unverifiable {
            reason,
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
        Target::NetworkInterfaces => network_interfaces(env),
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

/// The ARNs of the network interfaces, subnets and security groups Lambda uses for a VPC:
/// resources the input does not name.
///
/// Every EC2 resource ARN ends in `<type>/<id>` (`network-interface/eni-…`, `subnet/subnet-…`,
/// <https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html#amazonec2-resources-for-iam-policies>):
/// both parts are unknown, the `/` between them is not, so that a statement scoped to
/// `arn:aws:ec2:<region>:<account>:*/*` covers them.
pub fn network_interfaces(env: &Environment) -> SymStr {
    let unknown = || {
        Symbol::Unknown("the subnets, security groups and network interfaces Lambda uses".into())
    };
    let mut r = SymStr::lit("");
    r.push_sym(unknown());
    r.push_lit("/");
    r.push_sym(unknown());
    env.regional_arn("ec2", &r)
}

/// One mapping with what its checks read.
pub struct Mapping<'s> {
    pub stack: &'s Stack,
    pub esm: &'s EventSourceMapping,
    pub function: Option<&'s Function>,
    /// How fixes are written.
    pub format: crate::model::InputFormat,
}

impl<'s> Mapping<'s> {
    /// The resource a requirement row applies to.
    pub fn target(&self, target: Target) -> SymStr {
        target_resource(self.stack, &self.stack.env, self.esm, target, self.function)
    }

    /// Needs for a table of requirements (spec §1), for one check.
    pub fn needs_from(
        &self,
        check: &'static crate::checks::CheckInfo,
        rows: &[Requirement],
        out: &mut Vec<crate::checks::needs::Need>,
    ) {
        for row in rows {
            let mut need =
                crate::checks::needs::Need::new(check, row.any_of, self.target(row.target));
            if row.target == Target::SourceOrStar {
                need = need.or_on(SymStr::lit("*"));
            }
            if row.target == Target::NetworkInterfaces {
                // The subnets, security groups and interfaces are not in the input; AWS's own
                // policies grant these on `*` (MAMIP).
                need.fix_resource = Some(serde_json::Value::String("*".into()));
            }
            out.push(need);
        }
    }

    /// The mapping's source as a reader names it: its logical id / address, or its ARN.
    pub fn source_label(&self) -> String {
        match (&self.esm.source_resource, &self.esm.source_arn) {
            (Some(id), _) => format!("`{id}`"),
            (None, Some(arn)) => format!("`{}`", arn.value),
            (None, None) => match self.esm.bootstrap_servers.first() {
                Some(b) => format!("at `{b}`"),
                None => "(unknown)".into(),
            },
        }
    }

    /// What the mapping does with its source, for messages (`poll queue \`Orders\``).
    pub fn purpose(&self) -> String {
        let source = self.source_label();
        match self.esm.kind {
            SourceKind::Sqs => format!("poll queue {source}"),
            SourceKind::KinesisStream => format!("read stream {source}"),
            SourceKind::KinesisConsumer => format!("read through consumer {source}"),
            SourceKind::DynamodbStream => format!("read the table stream {source}"),
            SourceKind::Msk => format!("read from cluster {source}"),
            SourceKind::SelfManagedKafka => format!("read from the Kafka cluster {source}"),
            SourceKind::MqActivemq | SourceKind::MqRabbitmq | SourceKind::Mq => {
                format!("read from broker {source}")
            }
            SourceKind::Documentdb => format!("read the change stream of cluster {source}"),
            SourceKind::Unknown => format!("read from {source}"),
        }
    }

    /// The locations every finding on this mapping points at: the function and the source.
    pub fn related(&self) -> Vec<crate::diag::Related> {
        use crate::diag::{Related, RelatedRole};
        let mut out = Vec::new();
        if let Some(f) = self.function {
            out.push(Related {
                resource: f.origin.id.clone(),
                span: f.role_span.or(f.origin.span),
                role: RelatedRole::Function,
                note: Some("the execution role is named here".into()),
                location: None,
            });
        }
        if let Some(arn) = &self.esm.source_arn {
            out.push(Related {
                resource: self.esm.origin.id.clone(),
                span: arn.span,
                role: RelatedRole::Source,
                note: None,
                location: None,
            });
        }
        out
    }

    /// The secret of the stack an access configuration names, if any.
    pub fn secret_of(
        &self,
        config: &crate::model::AccessConfig,
    ) -> Option<&'s crate::model::Secret> {
        let id = config.secret_resource.as_deref()?;
        self.stack.secrets.iter().find(|s| s.origin.id == id)
    }

    /// Whether an access configuration of this type is present.
    pub fn has_access(&self, kind: &str) -> bool {
        self.esm.access_configs.iter().any(|a| a.kind == kind)
    }
}

/// Every permission a mapping needs, from each mapping check (spec §1).
pub fn mapping_needs(m: &Mapping<'_>) -> Vec<crate::checks::needs::Need> {
    use crate::checks::{
        esm_documentdb, esm_dynamodb, esm_kafka_vpc, esm_kinesis, esm_mq, esm_msk,
        esm_msk_iam_auth, esm_on_failure, esm_queue_kms, esm_schema_registry, esm_secret_access,
        esm_secret_kms, esm_sqs,
    };
    let mut wanted = Vec::new();
    esm_sqs::needs(m, &mut wanted);
    esm_kinesis::needs(m, &mut wanted);
    esm_dynamodb::needs(m, &mut wanted);
    esm_msk::needs(m, &mut wanted);
    esm_msk_iam_auth::needs(m, &mut wanted);
    esm_kafka_vpc::needs(m, &mut wanted);
    esm_mq::needs(m, &mut wanted);
    esm_documentdb::needs(m, &mut wanted);
    esm_secret_access::needs(m, &mut wanted);
    esm_secret_kms::needs(m, &mut wanted);
    esm_queue_kms::needs(m, &mut wanted);
    esm_on_failure::needs(m, &mut wanted);
    esm_schema_registry::needs(m, &mut wanted);
    wanted
}

/// Every event-source-mapping permission check, mapping by mapping.
pub fn run(cx: &crate::checks::context::Context<'_>, findings: &mut Vec<crate::diag::Finding>) {
    use crate::checks::{esm_broad_grant, needs};
    let stack = cx.stack;
    for esm in &stack.event_source_mappings {
        let ExecutionRole::Local(role_id) = execution_role(stack, esm) else {
            continue;
        };
        let (Some(role), Some(set)) = (stack.role(role_id), cx.policies(role_id)) else {
            continue;
        };
        let m = Mapping {
            stack,
            esm,
            function: function_of(stack, esm),
            format: cx.format,
        };
        let wanted = mapping_needs(&m);
        let subject = needs::Subject {
            origin: &esm.origin,
            noun: "mapping",
            purpose: m.purpose(),
            related: m.related(),
        };
        let assessed = needs::report(cx, &subject, role, set, wanted, findings);
        esm_broad_grant::check(cx, &subject, role, set, &assessed, findings);
    }
}

/// The KMS key ARN that `kms:Decrypt` is authorized against, for a key reference as written
/// (key id, key ARN, alias name or alias ARN), with the key's location when it is in the
/// stack. `None` for an AWS managed key (`alias/aws/…`), which needs no grant in the role.
pub fn key_target(stack: &Stack, key: &SymStr) -> Option<(SymStr, Option<crate::diag::Related>)> {
    use crate::diag::RelatedRole;
    let env = &stack.env;
    let in_stack = |k: &crate::model::KmsKey| {
        Some((
            k.arn.clone(),
            Some(crate::checks::needs::related(
                &k.origin,
                RelatedRole::Key,
                None,
            )),
        ))
    };
    if let Some(r) = &key.refers {
        if let Some(k) = stack.kms_keys.iter().find(|k| k.origin.id == r.resource) {
            return in_stack(k);
        }
    }
    if let Some(k) = stack
        .kms_keys
        .iter()
        .find(|k| &k.arn == key || &k.key_id == key)
    {
        return in_stack(k);
    }
    let text = key.as_literal();
    let alias = text.and_then(|t| match t.find(":alias/") {
        Some(pos) => t.get(pos + 1..),
        None => t.starts_with("alias/").then_some(t),
    });
    if let Some(alias) = alias {
        if alias.starts_with("alias/aws/") {
            return None;
        }
        if let Some(k) = stack
            .kms_keys
            .iter()
            .find(|k| k.aliases.iter().any(|a| a == alias))
        {
            return in_stack(k);
        }
        // IAM authorizes kms:Decrypt against the key ARN, which the alias hides (PS).
        let mut r = SymStr::lit("key/");
        r.push_sym(Symbol::Unknown(format!("the key behind `{alias}`")));
        return Some((env.regional_arn("kms", &r), None));
    }
    let looks_like_arn = matches!(key.parts.first(), Some(Part::Lit(t)) if t.starts_with("arn:"));
    if looks_like_arn || key.refers.is_some() {
        return Some((key.clone(), None));
    }
    Some((env.kms_key_arn(key), None))
}

/// `<service>.<region>.amazonaws.com`: the `kms:ViaService` value of a request a service makes
/// to KMS for the role (KMS-COND).
pub fn service_endpoint(stack: &Stack, service: &str) -> SymStr {
    let mut s = SymStr::lit(format!("{service}."));
    s.push(&stack.env.region());
    s.push_lit(".amazonaws.com");
    s.refers = None;
    s
}

/// `kms:Decrypt` on a key as written on `holder` (the queue or mapping), pointing at the key
/// resource when it is in the stack, else at where the key is written. `None` for an AWS
/// managed key.
pub fn decrypt_need(
    stack: &Stack,
    check: &'static crate::checks::CheckInfo,
    key: &crate::model::Located<SymStr>,
    holder: &str,
) -> Option<crate::checks::needs::Need> {
    let (arn, about) = key_target(stack, &key.value)?;
    let about = about.unwrap_or_else(|| {
        crate::checks::needs::related_at(holder, key.span, crate::diag::RelatedRole::Key)
    });
    Some(
        crate::checks::needs::Need::new(check, requirements::KMS_DECRYPT.any_of, arn)
            .about(Some(about)),
    )
}

/// The service segment of an ARN (`sqs` in `arn:aws:sqs:…`), when it is literal.
pub fn arn_service(arn: &SymStr) -> Option<String> {
    let mut text = String::new();
    for part in &arn.parts {
        match part {
            Part::Lit(t) => text.push_str(t),
            Part::Sym(s) if s.is_single_segment() => text.push('\u{0}'),
            Part::Sym(_) => {
                text.push('\u{1}');
                break;
            }
        }
    }
    let mut segments = text.split(':');
    if segments.next() != Some("arn") {
        return None;
    }
    let _partition = segments.next()?;
    let service = segments.next()?;
    // The segment must be complete (followed by `:`) and literal.
    let complete = text.len() > "arn:".len() && segments.next().is_some();
    (complete && !service.contains(['\u{0}', '\u{1}'])).then(|| service.to_string())
}

/// The ARN with the first literal `from` (a resource-type prefix such as `:cluster/`) replaced
/// by `to`, symbols kept; `None` when no literal part contains `from`.
pub fn replace_resource_type(arn: &SymStr, from: &str, to: &str) -> Option<SymStr> {
    let mut out = SymStr::default();
    let mut replaced = false;
    for part in &arn.parts {
        match part {
            Part::Lit(t) if !replaced && t.contains(from) => {
                out.push_lit(&t.replacen(from, to, 1));
                replaced = true;
            }
            Part::Lit(t) => out.push_lit(t),
            Part::Sym(s) => out.push_sym(s.clone()),
        }
    }
    replaced.then_some(out)
}

/// An MSK cluster's child resource ARN: `cluster/<name>/<uuid>` → `<kind>/<name>/<uuid>/<child>`
/// (topics and consumer groups, PS, L-MSK-OLD).
pub fn kafka_child_arn(
    stack: &Stack,
    esm: &EventSourceMapping,
    kind: &str,
    child: &SymStr,
) -> SymStr {
    let from_source = esm
        .source_arn
        .as_ref()
        .and_then(|arn| replace_resource_type(&arn.value, ":cluster/", &format!(":{kind}/")));
    let mut arn = match from_source {
        Some(a) => a,
        None => {
            let cluster = esm
                .source_resource
                .as_deref()
                .and_then(|r| stack.msk_cluster(r));
            let mut r = SymStr::lit(format!("{kind}/"));
            match cluster {
                Some(c) => {
                    r.push(&c.name);
                    r.push_lit("/");
                    r.push_sym(Symbol::Attr {
                        resource: c.origin.id.clone(),
                        attr: "ClusterUuid".into(),
                    });
                }
                None => r.push_sym(Symbol::Unknown("the cluster's name and id".into())),
            }
            stack.env.regional_arn("kafka", &r)
        }
    };
    arn.push_lit("/");
    arn.push(child);
    arn
}
