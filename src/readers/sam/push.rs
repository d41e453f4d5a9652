//! Push events and schedules: `S3`, `SNS`, `Api`, `HttpApi`, `Schedule`, `CloudWatchEvent`,
//! `EventBridgeRule`, `CloudWatchLogs`, `IoTRule`, `Cognito`, `AlexaSkill`, `ScheduleV2` (SAMT
//! `model/eventsources/push.py`, `cloudwatchlogs.py`, `scheduler.py`).
//!
//! Input: one checked event of a function. Output: the trigger resource SAMT generates (a rule,
//! a subscription, a subscription filter, a topic rule, a schedule), the
//! `AWS::Lambda::Permission` with exactly SAMT's logical id, `Principal`, `SourceArn` and
//! `SourceAccount`, and the changes SAMT makes to template resources (an S3 bucket's
//! `NotificationConfiguration`, a user pool's `LambdaConfig`). API events get only their
//! permission; the APIs themselves are reduced to the resource their logical id names.

use super::events::{Checked, check_dead_letter_config};
use super::function::{EventCx, FunctionState};
use super::policies::{self, RoleBuilder, named_policy, statement};
use super::tree::{self, MapBuilder, key, string};
use super::{Cx, GeneratedKind, PolicyOrigin, SamError, Sink, resource, sha1};
use crate::readers::syntax::{Key, Node, NodeKind};
use crate::source::Span;

/// Logical ids of the APIs SAMT creates for API events without `RestApiId` / `ApiId`.
pub const IMPLICIT_REST_API: &str = "ServerlessRestApi";
pub const IMPLICIT_HTTP_API: &str = "ServerlessHttpApi";

/// SAMT's checks of what an event refers to, done before anything is generated
/// (`resources_to_link`, and the implicit API plugins).
pub fn link(
    cx: &Cx<'_>,
    sink: &mut Sink,
    function: &str,
    event_id: &str,
    event: &Node,
    checked: &Checked<'_>,
) -> Result<(), SamError> {
    let props = checked.props;
    let prop = |name: &str| props.and_then(|p| tree::get(p, name));
    let err = |span, detail: &str| SamError::event(function, event_id, span, detail);
    match checked.kind {
        "Api" => match prop("RestApiId") {
            None => {
                sink.implicit_rest_api
                    .get_or_insert((event.span, function.to_string()));
            }
            Some(api) => {
                let id =
                    tree::ref_target(api).or_else(|| api.as_str().filter(|_| api.tag.is_none()));
                let valid = id.is_some_and(|id| {
                    cx.type_of(id)
                        .is_some_and(|t| t != "AWS::Serverless::HttpApi")
                });
                if !valid {
                    return Err(err(
                        api.span,
                        "`RestApiId` must be a valid reference to an `AWS::Serverless::Api` resource in same template",
                    ));
                }
            }
        },
        "HttpApi" => {
            let (path, method) = (prop("Path"), prop("Method"));
            if path.is_some() != method.is_some() {
                let missing = if path.is_none() { "Path" } else { "Method" };
                return Err(err(
                    event.span,
                    &format!("property `{missing}` is required"),
                ));
            }
            match prop("ApiId") {
                None => {
                    sink.implicit_http_api
                        .get_or_insert((event.span, function.to_string()));
                }
                Some(api) => {
                    let id = tree::ref_target(api)
                        .or_else(|| api.as_str().filter(|_| api.tag.is_none()));
                    let valid =
                        id.is_some_and(|id| cx.type_of(id) == Some("AWS::Serverless::HttpApi"));
                    if !valid {
                        return Err(err(
                            api.span,
                            "`ApiId` must be a valid reference to an `AWS::Serverless::HttpApi` resource in same template",
                        ));
                    }
                }
            }
        }
        "S3" => {
            if let Some(bucket) = prop("Bucket") {
                let target = ref_in_template(cx, bucket);
                if target.is_none() {
                    return Err(err(
                        bucket.span,
                        "`S3` events must reference an S3 bucket in the same template",
                    ));
                }
            }
        }
        "Cognito" => {
            if let Some(pool) = prop("UserPool") {
                if ref_in_template(cx, pool).is_none() {
                    return Err(err(
                        pool.span,
                        "`Cognito` events must reference a Cognito `UserPool` in the same template",
                    ));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// The logical id a `Ref` names when that resource is in the template.
fn ref_in_template<'n>(cx: &Cx<'_>, node: &'n Node) -> Option<&'n str> {
    tree::ref_target(node).filter(|id| cx.resource(id).is_some())
}

pub fn expand(
    cx: &Cx<'_>,
    sink: &mut Sink,
    ev: &EventCx<'_>,
    kind: &str,
    role: &mut RoleBuilder,
    state: &mut FunctionState,
) -> Result<Vec<(Key, Node)>, SamError> {
    match kind {
        "Schedule" | "CloudWatchEvent" | "EventBridgeRule" => rule(sink, ev, kind),
        "S3" => s3(cx, sink, ev),
        "SNS" => sns(cx, sink, ev, role),
        "Api" => api(cx, sink, ev),
        "HttpApi" => http_api(cx, sink, ev, state),
        "CloudWatchLogs" => cloudwatch_logs(sink, ev),
        "IoTRule" => iot_rule(sink, ev),
        "AlexaSkill" => Ok(vec![permission(
            sink,
            ev,
            &Permission {
                principal: "alexa-appkit.amazon.com",
                event_source_token: ev.prop("SkillId").cloned(),
                ..Permission::default()
            },
        )]),
        "Cognito" => cognito(cx, sink, ev),
        "ScheduleV2" => schedule_v2(sink, ev),
        _ => Ok(Vec::new()),
    }
}

#[derive(Default)]
struct Permission<'a> {
    principal: &'a str,
    source_arn: Option<Node>,
    source_account: Option<Node>,
    event_source_token: Option<Node>,
    /// Appended to `Permission` (the API stage); non-alphanumeric suffixes are hashed.
    suffix: &'a str,
    /// Replaces `<Fn><Event>` as the start of the logical id.
    prefix: Option<String>,
}

/// SAMT `PushEventSource._construct_permission`.
fn permission(sink: &mut Sink, ev: &EventCx<'_>, p: &Permission<'_>) -> (Key, Node) {
    let span = ev.span();
    let prefix = p.prefix.clone().unwrap_or_else(|| ev.id.clone());
    let id = if !p.suffix.is_empty() && p.suffix.chars().all(char::is_alphanumeric) {
        format!("{prefix}Permission{}", p.suffix)
    } else if p.suffix.is_empty() {
        format!("{prefix}Permission")
    } else {
        let digest: String = sha1::hex(p.suffix.as_bytes()).chars().take(10).collect();
        format!("{prefix}Permission{digest}")
    };
    let mut m = MapBuilder::new(span);
    m.put("Action", string("lambda:InvokeFunction", span))
        .put("FunctionName", ev.target.name(span))
        .put("Principal", string(p.principal, span))
        .put_opt("SourceAccount", p.source_account.clone())
        .put_opt("SourceArn", p.source_arn.clone())
        .put_opt("EventSourceToken", p.event_source_token.clone());
    sink.note(&id, ev.function, Some(ev.event), GeneratedKind::Permission);
    (
        key(&id, span),
        resource("AWS::Lambda::Permission", span, ev.attrs, None, m.build()),
    )
}

/// SAMT `generate_valid_target_id`: at most 64 characters.
fn target_id(logical_id: &str, suffix: &str) -> String {
    if logical_id.len() + suffix.len() <= 64 {
        return format!("{logical_id}{suffix}");
    }
    let keep = 64usize.saturating_sub(suffix.len());
    let head: String = logical_id.chars().take(keep).collect();
    format!("{head}{suffix}")
}

/// `State` from `State` or `Enabled` (both is an error).
fn rule_state(ev: &EventCx<'_>) -> Result<Option<Node>, SamError> {
    let state = ev.prop("State").filter(|s| tree::truthy(Some(s)));
    let enabled = ev.prop("Enabled");
    if state.is_some() && enabled.is_some() {
        return Err(ev.err(
            ev.span(),
            "`State` and `Enabled` properties cannot both be specified",
        ));
    }
    if let Some(e) = enabled {
        let value = if tree::as_bool(e) == Some(false) {
            "DISABLED"
        } else {
            "ENABLED"
        };
        return Ok(Some(string(value, e.span)));
    }
    Ok(state.cloned())
}

/// `Schedule`, `CloudWatchEvent`, `EventBridgeRule`: an `AWS::Events::Rule` `<Fn><Event>` that
/// targets the function, its dead-letter queue, and the permission for `events.amazonaws.com`.
fn rule(sink: &mut Sink, ev: &EventCx<'_>, kind: &str) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let rule_arn = tree::get_att(&ev.id, "Arn", span);
    let mut out = Vec::new();
    let mut dlq_arn = None;
    if let Some(dlq) = ev.prop("DeadLetterConfig") {
        let (arn, resources) = rule_dead_letter_queue(sink, ev, dlq, rule_arn.clone())?;
        dlq_arn = Some(arn);
        out.extend(resources);
    }
    let state = rule_state(ev)?;
    let mut target = MapBuilder::new(span);
    target.put("Arn", ev.target.arn(span));
    let id_node = if kind == "Schedule" {
        None
    } else {
        ev.prop("Target").and_then(|t| t.get("Id")).cloned()
    };
    target.put(
        "Id",
        id_node.unwrap_or_else(|| string(&target_id(&ev.id, "LambdaTarget"), span)),
    );
    target.put_opt("Input", ev.prop("Input").cloned());
    if kind != "Schedule" {
        target.put_opt("InputPath", ev.prop("InputPath").cloned());
    }
    if let Some(arn) = dlq_arn {
        target.put(
            "DeadLetterConfig",
            MapBuilder::new(span).put("Arn", arn).build(),
        );
    }
    target.put_opt("RetryPolicy", ev.prop("RetryPolicy").cloned());
    if kind != "Schedule" {
        target.put_opt("InputTransformer", ev.prop("InputTransformer").cloned());
    }
    let mut props = MapBuilder::new(span);
    if kind == "Schedule" {
        props
            .put_opt("Description", ev.prop("Description").cloned())
            .put_opt("Name", ev.prop("Name").cloned())
            .put_opt("ScheduleExpression", ev.prop("Schedule").cloned())
            .put_opt("State", state);
    } else {
        props
            .put_opt("EventBusName", ev.prop("EventBusName").cloned())
            .put_opt("EventPattern", ev.prop("Pattern").cloned())
            .put_opt("Name", ev.prop("RuleName").cloned())
            .put_opt("State", state);
    }
    props.put("Targets", tree::seq(vec![target.build()], span));
    let rule_node = resource("AWS::Events::Rule", span, ev.attrs, None, props.build());
    sink.note(&ev.id, ev.function, Some(ev.event), GeneratedKind::Trigger);
    let rule_entry = (key(&ev.id, span), rule_node);
    if kind == "Schedule" {
        out.insert(0, rule_entry);
    } else {
        out.push(rule_entry);
    }
    out.push(permission(
        sink,
        ev,
        &Permission {
            principal: "events.amazonaws.com",
            source_arn: Some(rule_arn),
            ..Permission::default()
        },
    ));
    Ok(out)
}

/// SAMT `EventBridgeRuleUtils.get_dlq_queue_arn_and_resources`: the given `Arn`, or a queue
/// `<rule>Queue` (or `QueueLogicalId`) with a queue policy letting the rule send to it.
fn rule_dead_letter_queue(
    sink: &mut Sink,
    ev: &EventCx<'_>,
    dlq: &Node,
    rule_arn: Node,
) -> Result<(Node, Vec<(Key, Node)>), SamError> {
    check_dead_letter_config(ev.function, ev.event, dlq)?;
    if let Some(arn) = dlq.get("Arn") {
        return Ok((arn.clone(), Vec::new()));
    }
    let queue_id = queue_logical_id(ev, dlq)?.unwrap_or_else(|| format!("{}Queue", ev.id));
    let span = dlq.span;
    let queue_arn = tree::get_att(&queue_id, "Arn", span);
    let policy_id = format!("{}QueuePolicy", ev.id);
    let mut principal = MapBuilder::new(span);
    principal.put("Service", string("events.amazonaws.com", span));
    let statement_node = MapBuilder::new(span)
        .put("Action", string("sqs:SendMessage", span))
        .put("Effect", string("Allow", span))
        .put("Principal", principal.build())
        .put("Resource", queue_arn.clone())
        .put("Condition", source_arn_condition(rule_arn, span))
        .build();
    let policy = MapBuilder::new(span)
        .put(
            "PolicyDocument",
            policy_document(vec![statement_node], span),
        )
        .put(
            "Queues",
            tree::seq(vec![tree::ref_to(&queue_id, span)], span),
        )
        .build();
    sink.note(&queue_id, ev.function, Some(ev.event), GeneratedKind::Queue);
    sink.note(
        &policy_id,
        ev.function,
        Some(ev.event),
        GeneratedKind::ResourcePolicy,
    );
    Ok((
        queue_arn,
        vec![
            (
                key(&queue_id, span),
                resource(
                    "AWS::SQS::Queue",
                    span,
                    ev.attrs,
                    None,
                    tree::map(Vec::new(), span),
                ),
            ),
            (
                key(&policy_id, span),
                resource("AWS::SQS::QueuePolicy", span, ev.attrs, None, policy),
            ),
        ],
    ))
}

fn queue_logical_id(ev: &EventCx<'_>, dlq: &Node) -> Result<Option<String>, SamError> {
    match dlq.get("QueueLogicalId") {
        None => Ok(None),
        Some(q) => match q.as_str() {
            Some(s) => Ok(Some(s.to_string())),
            None => Err(ev.err(q.span, "`QueueLogicalId` must be a string")),
        },
    }
}

fn policy_document(statements: Vec<Node>, span: Span) -> Node {
    MapBuilder::new(span)
        .put("Version", string("2012-10-17", span))
        .put("Statement", tree::seq(statements, span))
        .build()
}

fn source_arn_condition(arn: Node, span: Span) -> Node {
    MapBuilder::new(span)
        .put(
            "ArnEquals",
            MapBuilder::new(span).put("aws:SourceArn", arn).build(),
        )
        .build()
}

/// `S3`: the permission for `s3.amazonaws.com` with `SourceAccount`, and the bucket's
/// `NotificationConfiguration.LambdaConfigurations` extended (SAMT `S3.to_cloudformation`).
fn s3(cx: &Cx<'_>, sink: &mut Sink, ev: &EventCx<'_>) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let Some(bucket_id) = ev.prop("Bucket").and_then(|b| ref_in_template(cx, b)) else {
        return Ok(Vec::new());
    };
    let perm = permission(
        sink,
        ev,
        &Permission {
            principal: "s3.amazonaws.com",
            source_account: Some(tree::ref_to("AWS::AccountId", span)),
            ..Permission::default()
        },
    );
    let perm_id = perm.0.text.to_string();
    let condition = ev.function_condition().cloned();
    let mut mappings = Vec::new();
    let event_types: Vec<&Node> = match ev.prop("Events") {
        Some(e) => match e.as_seq() {
            Some(items) => items.iter().collect(),
            None => vec![e],
        },
        None => Vec::new(),
    };
    for event_type in event_types {
        let mut m = MapBuilder::new(span);
        m.put("Function", ev.target.arn(span));
        m.put_opt("Filter", ev.prop("Filter").cloned());
        m.put("Event", event_type.clone());
        let mapping = match condition.as_ref().and_then(Node::as_str) {
            Some(c) => tree::if_node(c, m.build(), tree::no_value(span), span),
            None => m.build(),
        };
        mappings.push(mapping);
    }
    let had_triggers = cx
        .resource(bucket_id)
        .and_then(|r| r.get("Properties"))
        .and_then(|p| p.get("NotificationConfiguration"))
        .and_then(|n| n.get("LambdaConfigurations"))
        .is_some_and(|c| tree::truthy(Some(c)));
    let Some(bucket) = sink.find_mut(bucket_id) else {
        return Ok(vec![perm]);
    };
    let bucket_type = bucket.get("Type").and_then(Node::as_str).unwrap_or("");
    if bucket_type != "AWS::S3::Bucket" {
        return Err(SamError::resource(
            bucket_id,
            bucket.span,
            format!(
                "resource has incorrect `Type`; expected `AWS::S3::Bucket`, got `{bucket_type}`"
            ),
        ));
    }
    let bucket_span = bucket.span;
    if let Some(c) = condition.as_ref().and_then(Node::as_str) {
        let Some(props) = ensure_map(bucket, "Properties", bucket_span) else {
            return Ok(vec![perm]);
        };
        let tags = props
            .get("Tags")
            .cloned()
            .unwrap_or_else(|| tree::seq(Vec::new(), bucket_span));
        let NodeKind::Seq(mut items) = tags.kind else {
            return Err(SamError::resource(
                bucket_id,
                tags.span,
                "property `Tags` should be a list",
            ));
        };
        items.push(
            MapBuilder::new(span)
                .put(
                    "Key",
                    string(&format!("sam:ConditionalDependsOn:{perm_id}"), span),
                )
                .put(
                    "Value",
                    tree::if_node(
                        c,
                        tree::ref_to(&perm_id, span),
                        string("no dependency", span),
                        span,
                    ),
                )
                .build(),
        );
        tree::set(props, "Tags", tree::seq(items, tags.span));
    } else {
        let depends = match bucket.get("DependsOn") {
            Some(d) => match &d.kind {
                NodeKind::Seq(items) => items.clone(),
                _ => vec![d.clone()],
            },
            None => Vec::new(),
        };
        let mut depends = depends;
        if !depends.iter().any(|d| d.as_str() == Some(&perm_id)) {
            depends.push(string(&perm_id, span));
        }
        set_depends_on(bucket, tree::seq(depends, span));
    }
    let Some(props) = ensure_map(bucket, "Properties", bucket_span) else {
        return Ok(vec![perm]);
    };
    if props.as_map().is_none() {
        return Err(SamError::resource(
            bucket_id,
            props.span,
            "properties should be a map",
        ));
    }
    let Some(config) = ensure_map(props, "NotificationConfiguration", bucket_span) else {
        return Err(SamError::resource(
            bucket_id,
            bucket_span,
            "properties should be a map",
        ));
    };
    if config.as_map().is_none() || tree::is_intrinsic(config) {
        return Err(SamError::resource(
            bucket_id,
            config.span,
            "property `NotificationConfiguration` should be a map",
        ));
    }
    let config_span = config.span;
    if config.get("LambdaConfigurations").is_none() {
        tree::set(
            config,
            "LambdaConfigurations",
            tree::seq(Vec::new(), config_span),
        );
    }
    let Some(list) = tree::get_mut(config, "LambdaConfigurations") else {
        return Ok(vec![perm]);
    };
    let NodeKind::Seq(items) = &mut list.kind else {
        return Err(SamError::resource(
            bucket_id,
            list.span,
            "invalid type for `LambdaConfigurations`; must be a list",
        ));
    };
    for m in mappings {
        if !items.iter().any(|i| tree::same(i, &m)) {
            items.push(m);
        }
    }
    sink.note(
        bucket_id,
        ev.function,
        Some(ev.event),
        modified_kind(had_triggers),
    );
    Ok(vec![perm])
}

fn modified_kind(template_had_triggers: bool) -> GeneratedKind {
    if template_had_triggers {
        GeneratedKind::ExtendedByEvent
    } else {
        GeneratedKind::ModifiedByEvent
    }
}

/// `DependsOn` goes before `Properties`, where SAMT's resource dicts have it.
fn set_depends_on(resource_node: &mut Node, value: Node) {
    if resource_node.get("DependsOn").is_some() {
        tree::set(resource_node, "DependsOn", value);
        return;
    }
    let span = resource_node.span;
    if let NodeKind::Map(entries) = &mut resource_node.kind {
        let at = entries
            .iter()
            .position(|(k, _)| &*k.text == "Properties")
            .unwrap_or(entries.len());
        entries.insert(at, (key("DependsOn", span), value));
    }
}

/// The value at `name` in mapping `node`, an empty map created when absent or null.
fn ensure_map<'n>(node: &'n mut Node, name: &str, span: Span) -> Option<&'n mut Node> {
    if tree::get(node, name).is_none() {
        tree::set(node, name, tree::map(Vec::new(), span));
    }
    tree::get_mut(node, name)
}

/// `SNS`: a subscription of the function (and the permission for `sns.amazonaws.com`), or with
/// `SqsSubscription` a queue subscribed to the topic and mapped to the function.
fn sns(
    cx: &Cx<'_>,
    sink: &mut Sink,
    ev: &EventCx<'_>,
    role: &mut RoleBuilder,
) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let topic = ev
        .prop("Topic")
        .cloned()
        .unwrap_or_else(|| string("", span));
    let subscription = |sink: &mut Sink, protocol: &str, endpoint: Node| {
        let mut m = MapBuilder::new(span);
        m.put("Endpoint", endpoint)
            .put("Protocol", string(protocol, span))
            .put("TopicArn", topic.clone())
            .put_opt("Region", ev.prop("Region").cloned())
            .put_opt("FilterPolicy", ev.prop("FilterPolicy").cloned())
            .put_opt("FilterPolicyScope", ev.prop("FilterPolicyScope").cloned())
            .put_opt("RedrivePolicy", ev.prop("RedrivePolicy").cloned());
        sink.note(&ev.id, ev.function, Some(ev.event), GeneratedKind::Trigger);
        (
            key(&ev.id, span),
            resource("AWS::SNS::Subscription", span, ev.attrs, None, m.build()),
        )
    };
    let sqs = ev.prop("SqsSubscription").filter(|s| tree::truthy(Some(s)));
    let Some(sqs) = sqs else {
        let perm = permission(
            sink,
            ev,
            &Permission {
                principal: "sns.amazonaws.com",
                source_arn: Some(topic.clone()),
                ..Permission::default()
            },
        );
        let sub = subscription(sink, "lambda", ev.target.arn(span));
        return Ok(vec![perm, sub]);
    };
    let queue_policy = |sink: &mut Sink, id: &str, queue_arn: Node, queue_url: Node| {
        let statement_node = MapBuilder::new(span)
            .put("Action", string("sqs:SendMessage", span))
            .put("Effect", string("Allow", span))
            .put("Principal", string("*", span))
            .put("Resource", queue_arn)
            .put("Condition", source_arn_condition(topic.clone(), span))
            .build();
        let props = MapBuilder::new(span)
            .put(
                "PolicyDocument",
                policy_document(vec![statement_node], span),
            )
            .put("Queues", tree::seq(vec![queue_url], span))
            .build();
        sink.note(
            id,
            ev.function,
            Some(ev.event),
            GeneratedKind::ResourcePolicy,
        );
        (
            key(id, span),
            resource("AWS::SQS::QueuePolicy", span, ev.attrs, None, props),
        )
    };
    if tree::is_bool(sqs) {
        let queue_id = format!("{}Queue", ev.id);
        let mut qprops = MapBuilder::new(span);
        if let Some(fifo) = fifo_topic(cx, &topic) {
            qprops.put("FifoQueue", fifo);
        }
        let queue_arn = tree::get_att(&queue_id, "Arn", span);
        let queue_url = tree::ref_to(&queue_id, span);
        let mapping =
            super::pull::sqs_subscription_mapping(sink, ev, queue_arn.clone(), None, role);
        sink.note(&queue_id, ev.function, Some(ev.event), GeneratedKind::Queue);
        let queue = (
            key(&queue_id, span),
            resource("AWS::SQS::Queue", span, ev.attrs, None, qprops.build()),
        );
        let policy = queue_policy(
            sink,
            &format!("{}QueuePolicy", ev.id),
            queue_arn.clone(),
            queue_url,
        );
        let sub = subscription(sink, "sqs", queue_arn);
        return Ok(vec![mapping, queue, policy, sub]);
    }
    let (Some(queue_arn), Some(queue_url)) = (
        tree::get(sqs, "QueueArn").filter(|q| tree::truthy(Some(q))),
        tree::get(sqs, "QueueUrl").filter(|q| tree::truthy(Some(q))),
    ) else {
        return Err(ev.err(sqs.span, "no `QueueArn` or `QueueUrl` provided"));
    };
    let policy_id = sqs
        .get("QueuePolicyLogicalId")
        .and_then(Node::as_str)
        .map_or_else(|| format!("{}QueuePolicy", ev.id), str::to_string);
    let mapping = super::pull::sqs_subscription_mapping(
        sink,
        ev,
        queue_arn.clone(),
        tree::get(sqs, "BatchSize").cloned(),
        role,
    );
    let policy = queue_policy(sink, &policy_id, queue_arn.clone(), queue_url.clone());
    let sub = subscription(sink, "sqs", queue_arn.clone());
    Ok(vec![mapping, policy, sub])
}

/// SAMT `_check_fifo_topic`: the topic's `FifoTopic` (parameters resolved) when it is set.
fn fifo_topic(cx: &Cx<'_>, topic: &Node) -> Option<Node> {
    let id = tree::logical_id_of(topic)?;
    let fifo = cx.resource(id)?.get("Properties")?.get("FifoTopic")?;
    let resolved = cx.resolve_params(fifo);
    tree::truthy(Some(&resolved)).then_some(resolved)
}

/// `Api`: the permission for `apigateway.amazonaws.com` on
/// `arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/<METHOD><path>`
/// with stage `*`, named after the API's stage (SAMT `Api._get_permission`).
fn api(cx: &Cx<'_>, sink: &mut Sink, ev: &EventCx<'_>) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let (api_node, suffix) = match ev.prop("RestApiId") {
        None => (tree::ref_to(IMPLICIT_REST_API, span), "Prod".to_string()),
        Some(api) => {
            let id = tree::ref_target(api).or_else(|| api.as_str()).unwrap_or("");
            let stage = cx
                .resource(id)
                .and_then(|r| r.get("Properties"))
                .and_then(|p| tree::get(p, "StageName"));
            let suffix = match stage {
                Some(s) if s.tag.is_none() && tree::scalar_text(s).is_some() => {
                    let text = tree::scalar_text(s).unwrap_or("");
                    if text.is_empty() {
                        return Err(SamError::resource(
                            id,
                            s.span,
                            "`StageName` cannot be empty",
                        ));
                    }
                    text.to_string()
                }
                _ => "Stage".to_string(),
            };
            (api.clone(), suffix)
        }
    };
    let path = ev.prop("Path").and_then(Node::as_str).unwrap_or("");
    let method = ev.prop("Method").and_then(Node::as_str).unwrap_or("");
    let path = swagger_path(strip_trailing_slash(path));
    let method = if method.eq_ignore_ascii_case("any") {
        "*".to_string()
    } else {
        method.to_ascii_uppercase()
    };
    let source_arn = tree::sub_with(
        &format!(
            "arn:aws:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{__ApiId__}}/${{__Stage__}}/{method}{path}"
        ),
        vec![
            (key("__ApiId__", span), api_node),
            (key("__Stage__", span), string("*", span)),
        ],
        span,
    );
    Ok(vec![permission(
        sink,
        ev,
        &Permission {
            principal: "apigateway.amazonaws.com",
            source_arn: Some(source_arn),
            suffix: &suffix,
            ..Permission::default()
        },
    )])
}

/// `re.sub(r"^(.+)/$", r"\1", path)`.
fn strip_trailing_slash(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(p) if !p.is_empty() => p,
        _ => path,
    }
}

/// Path parameters `{id}`, `{id+}`, `{proxy+}` become `*` (SAMT
/// `SwaggerEditor.get_path_without_trailing_slash`); `greedy_any` also for `{name+}`.
fn replace_path_params(path: &str, greedy_any: bool) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let (before, after) = rest.split_at(start);
        out.push_str(before);
        match after.find('}') {
            Some(end) => {
                let inner = after.get(1..end).unwrap_or("");
                let name_ok = |s: &str| {
                    !s.is_empty()
                        && s.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
                };
                let is_param = name_ok(inner)
                    || inner == "proxy+"
                    || (greedy_any && inner.strip_suffix('+').is_some_and(name_ok));
                if is_param {
                    out.push('*');
                } else {
                    out.push_str(after.get(..=end).unwrap_or(""));
                }
                rest = after.get(end + 1..).unwrap_or("");
            }
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn swagger_path(path: &str) -> String {
    replace_path_params(path, true)
}

/// `HttpApi`: the permission for `apigateway.amazonaws.com` on
/// `arn:${AWS::Partition}:execute-api:…:${__ApiId__}/${__Stage__}/<METHOD><path>` (SAMT
/// `HttpApi._get_permission`); none for a route of an API whose `$default` route already
/// invokes the function.
fn http_api(
    cx: &Cx<'_>,
    sink: &mut Sink,
    ev: &EventCx<'_>,
    state: &mut FunctionState,
) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let (api_node, api_id, managed_definition) = match ev.prop("ApiId") {
        None => (
            tree::ref_to(IMPLICIT_HTTP_API, span),
            IMPLICIT_HTTP_API.to_string(),
            true,
        ),
        Some(api) => {
            let id = tree::ref_target(api)
                .or_else(|| api.as_str())
                .unwrap_or("")
                .to_string();
            let has_uri = cx
                .resource(&id)
                .and_then(|r| r.get("Properties"))
                .is_some_and(|p| p.get("DefinitionUri").is_some());
            (api.clone(), id, !has_uri)
        }
    };
    let (path, method) = match (ev.prop("Path"), ev.prop("Method")) {
        (None, None) => ("$default", "x-amazon-apigateway-any-method"),
        (p, m) => (
            p.and_then(Node::as_str).unwrap_or(""),
            m.and_then(Node::as_str).unwrap_or(""),
        ),
    };
    let method_lower = method.to_ascii_lowercase();
    let any = method_lower == "any" || method_lower == "x-amazon-apigateway-any-method";
    let mut path = strip_trailing_slash(path).to_string();
    if path == "$default" {
        path.clear();
        if any && managed_definition {
            state.http_default_routes.push(api_id.clone());
        }
    } else if managed_definition && state.http_default_routes.contains(&api_id) {
        return Ok(Vec::new());
    }
    let path = replace_path_params(&path, false);
    let method = if any {
        "*".to_string()
    } else {
        method.to_ascii_uppercase()
    };
    let mut resource_path = "${__ApiId__}/${__Stage__}".to_string();
    if method_lower == "any" && path == "/$default" {
        resource_path.push_str(&path);
    } else {
        resource_path.push('/');
        resource_path.push_str(&method);
        resource_path.push_str(&path);
    }
    let source_arn = tree::sub_with(
        &format!(
            "arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:{resource_path}"
        ),
        vec![
            (key("__ApiId__", span), api_node),
            (key("__Stage__", span), string("*", span)),
        ],
        span,
    );
    Ok(vec![permission(
        sink,
        ev,
        &Permission {
            principal: "apigateway.amazonaws.com",
            source_arn: Some(source_arn),
            ..Permission::default()
        },
    )])
}

/// `CloudWatchLogs`: the permission for `logs.amazonaws.com` on the log group and an
/// `AWS::Logs::SubscriptionFilter` to the function.
fn cloudwatch_logs(sink: &mut Sink, ev: &EventCx<'_>) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let group = ev
        .prop("LogGroupName")
        .cloned()
        .unwrap_or_else(|| string("", span));
    let source_arn = tree::sub_with(
        "arn:aws:logs:${AWS::Region}:${AWS::AccountId}:log-group:${__LogGroupName__}:*",
        vec![(key("__LogGroupName__", span), group.clone())],
        span,
    );
    let perm = permission(
        sink,
        ev,
        &Permission {
            principal: "logs.amazonaws.com",
            source_arn: Some(source_arn),
            ..Permission::default()
        },
    );
    let mut m = MapBuilder::new(span);
    m.put("DestinationArn", ev.target.arn(span))
        .put_opt("FilterPattern", ev.prop("FilterPattern").cloned())
        .put("LogGroupName", group);
    let filter = resource(
        "AWS::Logs::SubscriptionFilter",
        span,
        ev.attrs,
        Some(tree::seq(vec![string(&perm.0.text, span)], span)),
        m.build(),
    );
    sink.note(&ev.id, ev.function, Some(ev.event), GeneratedKind::Trigger);
    Ok(vec![perm, (key(&ev.id, span), filter)])
}

/// `IoTRule`: the permission for `iot.amazonaws.com` on the rule, and the
/// `AWS::IoT::TopicRule` invoking the function.
fn iot_rule(sink: &mut Sink, ev: &EventCx<'_>) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let source_arn = tree::sub_with(
        "arn:aws:iot:${AWS::Region}:${AWS::AccountId}:rule/${RuleName}",
        vec![(key("RuleName", span), tree::ref_to(&ev.id, span))],
        span,
    );
    let perm = permission(
        sink,
        ev,
        &Permission {
            principal: "iot.amazonaws.com",
            source_arn: Some(source_arn),
            source_account: Some(tree::sub("${AWS::AccountId}", span)),
            ..Permission::default()
        },
    );
    let action = MapBuilder::new(span)
        .put(
            "Lambda",
            MapBuilder::new(span)
                .put("FunctionArn", ev.target.arn(span))
                .build(),
        )
        .build();
    let mut payload = MapBuilder::new(span);
    payload
        .put_opt("Sql", ev.prop("Sql").cloned())
        .put("RuleDisabled", tree::boolean(false, span))
        .put("Actions", tree::seq(vec![action], span))
        .put_opt(
            "AwsIotSqlVersion",
            ev.prop("AwsIotSqlVersion")
                .filter(|v| tree::truthy(Some(v)))
                .cloned(),
        );
    let rule = resource(
        "AWS::IoT::TopicRule",
        span,
        ev.attrs,
        None,
        MapBuilder::new(span)
            .put("TopicRulePayload", payload.build())
            .build(),
    );
    sink.note(&ev.id, ev.function, Some(ev.event), GeneratedKind::Trigger);
    Ok(vec![perm, (key(&ev.id, span), rule)])
}

/// `Cognito`: the permission `<FnOrAlias>CognitoPermission` for `cognito-idp.amazonaws.com`
/// on the user pool, and the pool's `LambdaConfig` triggers set to the function.
fn cognito(cx: &Cx<'_>, sink: &mut Sink, ev: &EventCx<'_>) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let Some(pool_id) = ev
        .prop("UserPool")
        .and_then(tree::ref_target)
        .map(str::to_string)
    else {
        return Ok(Vec::new());
    };
    let perm = permission(
        sink,
        ev,
        &Permission {
            principal: "cognito-idp.amazonaws.com",
            source_arn: Some(tree::get_att(&pool_id, "Arn", span)),
            prefix: Some(format!("{}Cognito", ev.target.logical_id())),
            ..Permission::default()
        },
    );
    let triggers: Vec<&Node> = match ev.prop("Trigger") {
        Some(t) => match t.as_seq() {
            Some(items) => items.iter().collect(),
            None => vec![t],
        },
        None => Vec::new(),
    };
    let Some(pool) = sink.find_mut(&pool_id) else {
        return Ok(vec![perm]);
    };
    let pool_type = pool.get("Type").and_then(Node::as_str).unwrap_or("");
    if pool_type != "AWS::Cognito::UserPool" {
        return Err(SamError::resource(
            &pool_id,
            pool.span,
            format!(
                "resource has incorrect `Type`; expected `AWS::Cognito::UserPool`, got `{pool_type}`"
            ),
        ));
    }
    let pool_span = pool.span;
    let Some(props) = ensure_map(pool, "Properties", pool_span) else {
        return Ok(vec![perm]);
    };
    let Some(config) = ensure_map(props, "LambdaConfig", pool_span) else {
        return Ok(vec![perm]);
    };
    if config.as_map().is_none() || tree::is_intrinsic(config) {
        return Err(SamError::resource(
            &pool_id,
            config.span,
            "property `LambdaConfig` should be a map",
        ));
    }
    for t in triggers {
        let name = tree::scalar_text(t).unwrap_or("");
        if config.get(name).is_some() {
            return Err(ev.err(
                t.span,
                format!("Cognito trigger `{name}` defined multiple times"),
            ));
        }
        tree::set(config, name, ev.target.arn(span));
    }
    let had_triggers = cx
        .resource(&pool_id)
        .and_then(|r| r.get("Properties"))
        .and_then(|p| p.get("LambdaConfig"))
        .is_some_and(|c| tree::truthy(Some(c)));
    sink.note(
        &pool_id,
        ev.function,
        Some(ev.event),
        modified_kind(had_triggers),
    );
    Ok(vec![perm])
}

/// `ScheduleV2`: an `AWS::Scheduler::Schedule` whose target is the function, and the role
/// `<Fn><Event>Role` it assumes (SAMT `SchedulerEventSource`); no function permission.
fn schedule_v2(sink: &mut Sink, ev: &EventCx<'_>) -> Result<Vec<(Key, Node)>, SamError> {
    let span = ev.span();
    let omit = ev.prop("OmitName").and_then(tree::as_bool) == Some(true);
    if omit && ev.prop("Name").is_some() {
        return Err(ev.err_at("Name", "`Name` cannot be set when `OmitName` is true"));
    }
    let mut out = Vec::new();
    let mut dlq_arn = None;
    if let Some(dlq) = ev.prop("DeadLetterConfig") {
        check_dead_letter_config(ev.function, ev.event, dlq)?;
        if let Some(arn) = dlq.get("Arn") {
            dlq_arn = Some(arn.clone());
        } else {
            let queue_id = queue_logical_id(ev, dlq)?.unwrap_or_else(|| format!("{}Queue", ev.id));
            dlq_arn = Some(tree::get_att(&queue_id, "Arn", dlq.span));
            sink.note(&queue_id, ev.function, Some(ev.event), GeneratedKind::Queue);
            out.push((
                key(&queue_id, dlq.span),
                resource(
                    "AWS::SQS::Queue",
                    dlq.span,
                    ev.attrs,
                    None,
                    tree::map(Vec::new(), dlq.span),
                ),
            ));
        }
    }
    let role_arn = match ev.prop("RoleArn").filter(|r| tree::truthy(Some(r))) {
        Some(r) => r.clone(),
        None => {
            let role_id = format!("{}Role", ev.id);
            let invoke_name = format!("{}LambdaPolicy", ev.id);
            let mut policies_list = vec![named_policy(
                &invoke_name,
                vec![statement(
                    string("lambda:InvokeFunction", span),
                    ev.target.arn(span),
                    span,
                )],
                false,
                span,
            )];
            sink.note_policy(
                &role_id,
                &invoke_name,
                PolicyOrigin::Scheduler {
                    event: ev.event.to_string(),
                },
            );
            if let Some(arn) = &dlq_arn {
                let name = format!("{}SQSPolicy", ev.id);
                policies_list.push(named_policy(
                    &name,
                    vec![statement(
                        string("sqs:SendMessage", span),
                        arn.clone(),
                        span,
                    )],
                    false,
                    span,
                ));
                sink.note_policy(
                    &role_id,
                    &name,
                    PolicyOrigin::Scheduler {
                        event: ev.event.to_string(),
                    },
                );
            }
            let mut props = MapBuilder::new(span);
            props
                .put(
                    "AssumeRolePolicyDocument",
                    policies::assume_role_policy("scheduler.amazonaws.com", span),
                )
                .put("Policies", tree::seq(policies_list, span))
                .put_opt(
                    "PermissionsBoundary",
                    ev.prop("PermissionsBoundary")
                        .filter(|b| tree::truthy(Some(b)))
                        .cloned(),
                );
            sink.note(
                &role_id,
                ev.function,
                Some(ev.event),
                GeneratedKind::SchedulerRole,
            );
            out.push((
                key(&role_id, span),
                resource("AWS::IAM::Role", span, ev.attrs, None, props.build()),
            ));
            tree::get_att(&role_id, "Arn", span)
        }
    };
    let mut target = MapBuilder::new(span);
    target
        .put("Arn", ev.target.arn(span))
        .put("RoleArn", role_arn)
        .put_opt("Input", ev.prop("Input").cloned());
    if let Some(arn) = dlq_arn {
        target.put(
            "DeadLetterConfig",
            MapBuilder::new(span).put("Arn", arn).build(),
        );
    }
    target.put_opt("RetryPolicy", ev.prop("RetryPolicy").cloned());
    let mut props = MapBuilder::new(span);
    props
        .put_opt("ScheduleExpression", ev.prop("ScheduleExpression").cloned())
        .put_opt(
            "State",
            ev.prop("State").filter(|s| tree::truthy(Some(s))).cloned(),
        );
    if !omit {
        props.put(
            "Name",
            ev.prop("Name")
                .filter(|n| tree::truthy(Some(n)))
                .cloned()
                .unwrap_or_else(|| string(&ev.id, span)),
        );
    }
    props
        .put_opt("Description", ev.prop("Description").cloned())
        .put(
            "FlexibleTimeWindow",
            ev.prop("FlexibleTimeWindow")
                .filter(|f| tree::truthy(Some(f)))
                .cloned()
                .unwrap_or_else(|| {
                    MapBuilder::new(span)
                        .put("Mode", string("OFF", span))
                        .build()
                }),
        )
        .put_opt("StartDate", ev.prop("StartDate").cloned())
        .put_opt("EndDate", ev.prop("EndDate").cloned())
        .put_opt(
            "ScheduleExpressionTimezone",
            ev.prop("ScheduleExpressionTimezone").cloned(),
        )
        .put_opt("GroupName", ev.prop("GroupName").cloned())
        .put_opt("KmsKeyArn", ev.prop("KmsKeyArn").cloned())
        .put("Target", target.build());
    sink.note(&ev.id, ev.function, Some(ev.event), GeneratedKind::Trigger);
    out.insert(
        0,
        (
            key(&ev.id, span),
            resource(
                "AWS::Scheduler::Schedule",
                span,
                ev.attrs,
                None,
                props.build(),
            ),
        ),
    );
    Ok(out)
}
