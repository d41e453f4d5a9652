//! What every MSK Connect check shares: a connector's service execution role, whether its trust
//! policy lets MSK Connect assume it, and what an IAM-authenticated cluster asks of it.
//!
//! Input: a [`MskConnector`] of the stack. Output: the role as the checks see it
//! ([`ServiceRole`]), the trust verdict ([`TrustVerdict`]) and the `kafka-cluster` requests the
//! role must allow ([`KafkaRequirement`]). Facts come from the MSK developer guide's page on the
//! service execution role (MSKC, research spec §3) and the ARN formats of the Service
//! Authorization Reference (PS).

use serde_json::{Value as Json, json};

use super::render;
use crate::iam::condition::evaluate_present;
use crate::iam::policy::ConditionEntry;
use crate::iam::trust::{TrustAnswer, trust_allows_with};
use crate::iam::wildcard::Tri;
use crate::model::{
    Environment, InputFormat, MskConnector, Part, Role, RoleId, RoleLink, Stack, SymStr, Symbol,
};

/// The service principal of MSK Connect (MSKC trust policy).
pub const PRINCIPAL: &str = "kafkaconnect.amazonaws.com";
/// The action the trust policy must allow (MSKC).
pub const ASSUME_ROLE: &str = "sts:AssumeRole";
/// The condition keys MSKC's trust policy uses against the confused deputy problem.
pub const DEPUTY_KEYS: [&str; 2] = ["aws:SourceAccount", "aws:SourceArn"];
/// Path of the MSK Connect service-linked role `AWSServiceRoleForKafkaConnect`, which MSKC says
/// cannot be the service execution role.
const SERVICE_LINKED_PATH: &str = "role/aws-service-role/kafkaconnect.amazonaws.com/";

/// A connector's service execution role, as far as the input says.
#[derive(Debug)]
pub enum ServiceRole<'s> {
    /// A role of the stack.
    Local { id: RoleId, role: &'s Role },
    /// The MSK Connect service-linked role (PG303 reports it).
    ServiceLinked,
    /// The role's policies are not in the input; the reason says why.
    Unverifiable { reason: String },
}

/// Whether an ARN names the MSK Connect service-linked role (any partition or account).
pub fn is_service_linked(arn: &SymStr) -> bool {
    arn.parts
        .iter()
        .any(|p| matches!(p, Part::Lit(text) if text.contains(SERVICE_LINKED_PATH)))
}

/// The service execution role of a connector.
pub fn service_role<'s>(stack: &'s Stack, connector: &MskConnector) -> ServiceRole<'s> {
    if is_service_linked(&connector.role_arn.value) {
        return ServiceRole::ServiceLinked;
    }
    match &connector.role {
        RoleLink::Local(id) => match stack.role(*id) {
            Some(role) => ServiceRole::Local { id: *id, role },
            None => ServiceRole::Unverifiable {
                reason: "the service execution role is not in the input".into(),
            },
        },
        RoleLink::External(arn) if is_service_linked(arn) => ServiceRole::ServiceLinked,
        RoleLink::External(arn) => ServiceRole::Unverifiable {
            reason: format!("the service execution role `{arn}` is defined outside this input"),
        },
        RoleLink::OneOf(_) => ServiceRole::Unverifiable {
            reason: "the service execution role depends on a condition".into(),
        },
        RoleLink::Missing(reason) => ServiceRole::Unverifiable {
            reason: format!("the service execution role is not known: {reason}"),
        },
    }
}

/// The ARN MSK Connect gives the connector, `arn:<partition>:kafkaconnect:<region>:<account>:
/// connector/<name>/<uuid>` (MSKC example, PS); the UUID is only known after creation. The
/// partition stays a symbol even where the reader assumes `aws`: a trust condition written for
/// another partition must not read as naming another connector.
pub fn connector_arn(env: &Environment, connector: &MskConnector) -> SymStr {
    let mut resource = SymStr::lit("connector/");
    resource.push(&connector.name);
    resource.push_lit("/");
    resource.push_sym(Symbol::Attr {
        resource: connector.origin.id.clone(),
        attr: "ConnectorUuid".into(),
    });
    let env = Environment {
        partition: None,
        ..env.clone()
    };
    env.regional_arn("kafkaconnect", &resource)
}

/// What the trust policy of a service execution role says about MSK Connect.
#[derive(Debug)]
pub enum TrustVerdict {
    /// MSK Connect may assume the role. `answer` names the allowing statement and its
    /// condition keys.
    Trusted { answer: TrustAnswer },
    /// It may not: a `Deny` wins (`answer.statement`), or no statement allows it.
    /// `excluded_by_conditions` is set when a statement would allow it but for its
    /// `aws:SourceAccount` / `aws:SourceArn` conditions, which name another account or connector.
    NotTrusted {
        answer: TrustAnswer,
        excluded_by_conditions: bool,
    },
    /// The input does not decide it.
    Unknown { reason: String },
}

/// Evaluates the role's trust policy for `kafkaconnect.amazonaws.com` `sts:AssumeRole` as MSK
/// Connect makes the request for this connector: `aws:SourceAccount` is the stack's account and
/// `aws:SourceArn` the connector's ARN (MSKC). When the answer depends only on values of those
/// two keys that are not known before deploy (a literal account where the template's account is
/// `${AWS::AccountId}`), the role counts as trusted: the condition is MSKC's recommended form
/// and its values are for the user to know.
pub fn trust(env: &Environment, connector: &MskConnector, role: &Role) -> TrustVerdict {
    let Some(doc) = &role.trust_policy else {
        return TrustVerdict::Unknown {
            reason: format!(
                "the trust policy of role `{}` is not in the input",
                role.origin.id
            ),
        };
    };
    let account = env.account();
    let arn = connector_arn(env, connector);
    let value_of = |entry: &ConditionEntry| -> Option<Tri> {
        if entry.key.eq_ignore_ascii_case("aws:SourceAccount") {
            Some(evaluate_present(entry, &account))
        } else if entry.key.eq_ignore_ascii_case("aws:SourceArn") {
            Some(evaluate_present(entry, &arn))
        } else {
            None
        }
    };
    let answer = trust_allows_with(doc, PRINCIPAL, ASSUME_ROLE, &value_of);
    match answer.allows {
        Tri::Yes => TrustVerdict::Trusted { answer },
        Tri::No => {
            let deputy = |entry: &ConditionEntry| -> Option<Tri> {
                DEPUTY_KEYS
                    .iter()
                    .any(|k| entry.key.eq_ignore_ascii_case(k))
                    .then_some(Tri::Yes)
            };
            let excluded_by_conditions = answer.statement.is_none()
                && !trust_allows_with(doc, PRINCIPAL, ASSUME_ROLE, &deputy)
                    .allows
                    .is_no();
            TrustVerdict::NotTrusted {
                answer,
                excluded_by_conditions,
            }
        }
        Tri::Unknown(reason) => {
            let assumed = |entry: &ConditionEntry| -> Option<Tri> {
                match value_of(entry)? {
                    Tri::Unknown(_) => Some(Tri::Yes),
                    decided => Some(decided),
                }
            };
            let assuming = trust_allows_with(doc, PRINCIPAL, ASSUME_ROLE, &assumed);
            if assuming.allows.is_yes() {
                TrustVerdict::Trusted { answer: assuming }
            } else {
                TrustVerdict::Unknown { reason }
            }
        }
    }
}

/// The trust policy statement MSKC asks for, with the confused-deputy conditions scoped to the
/// connector (`connector/<name>/*`: the UUID is not known before creation, research spec §3.1).
pub fn trust_statement(format: InputFormat, env: &Environment, connector: &MskConnector) -> Json {
    let mut arn = SymStr::lit("connector/");
    arn.push(&connector.name);
    arn.push_lit("/*");
    let arn = env.regional_arn("kafkaconnect", &arn);
    json!({
        "Effect": "Allow",
        "Principal": { "Service": PRINCIPAL },
        "Action": ASSUME_ROLE,
        "Condition": {
            "StringEquals": { "aws:SourceAccount": scalar(format, &env.account()) },
            "ArnLike": { "aws:SourceArn": render::resource(format, &arn) }
        }
    })
}

/// A condition value for a fix: `{"Ref": "AWS::AccountId"}` rather than a `Fn::Sub` of it.
fn scalar(format: InputFormat, value: &SymStr) -> Json {
    match (format, value.parts.as_slice()) {
        (InputFormat::Cloudformation | InputFormat::Sam, [Part::Sym(Symbol::Pseudo(p))]) => {
            json!({ "Ref": p.cfn_name() })
        }
        _ => render::resource(format, value),
    }
}

/// Whether the connector authenticates to its cluster with IAM (`AuthenticationType`).
pub fn uses_iam_auth(connector: &MskConnector) -> Tri {
    match &connector.authentication_type {
        None => Tri::No,
        Some(t) => match t.value.as_literal() {
            Some(text) => Tri::from_bool(text == "IAM"),
            None => Tri::Unknown(format!(
                "the authentication type `{}` is not known; these permissions are needed when it is `IAM`",
                t.value
            )),
        },
    }
}

/// A set of `kafka-cluster` actions the role must allow on one resource.
#[derive(Clone, Debug)]
pub struct KafkaRequirement {
    pub actions: &'static [&'static str],
    /// The resource the request names (AWS-assigned parts are symbols).
    pub resource: SymStr,
    /// The resource as a least-privilege statement writes it (AWS-assigned names as `*`).
    pub pattern: SymStr,
}

/// MSKC statement 1: the cluster.
const CLUSTER_ACTIONS: &[&str] = &["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"];
/// MSKC: MSK Connect's internal topics (`__amazon_msk_connect_*`: offsets, configs, status).
const INTERNAL_TOPIC_ACTIONS: &[&str] = &[
    "kafka-cluster:CreateTopic",
    "kafka-cluster:WriteData",
    "kafka-cluster:ReadData",
    "kafka-cluster:DescribeTopic",
];
/// MSKC: the worker group (`__amazon_msk_connect_*`) and a sink's consumer group (`connect-*`).
const GROUP_ACTIONS: &[&str] = &["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"];
/// MSKC: "the topic that you want a sink connector to read from".
const SINK_TOPIC_ACTIONS: &[&str] = &["kafka-cluster:ReadData", "kafka-cluster:DescribeTopic"];

/// Whether the connector is a sink: Kafka Connect sinks name the topics they read in `topics`
/// or `topics.regex`; a class named `…Source…` is a source whatever its settings.
fn is_sink(connector: &MskConnector) -> bool {
    let class_is_source = connector
        .setting("connector.class")
        .and_then(|c| c.value.as_literal())
        .is_some_and(|c| c.contains("Source"));
    !class_is_source
        && (connector.setting("topics").is_some() || connector.setting("topics.regex").is_some())
}

/// The topics a sink reads, from its `topics` list.
fn sink_topics(connector: &MskConnector) -> Vec<SymStr> {
    let Some(topics) = connector.setting("topics") else {
        return Vec::new();
    };
    match topics.value.as_literal() {
        Some(text) => text
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(SymStr::lit)
            .collect(),
        None => vec![topics.value.clone()],
    }
}

/// `cluster_arn` with `:cluster/` turned into `:<kind>/` (topic and group ARNs carry the
/// cluster's name and UUID, PS); `None` when the ARN does not show its resource type.
fn with_resource_type(cluster_arn: &SymStr, kind: &str) -> Option<SymStr> {
    let mut out = SymStr::default();
    let mut found = false;
    for part in &cluster_arn.parts {
        match part {
            Part::Lit(text) if !found && text.contains(":cluster/") => {
                found = true;
                out.push_lit(&text.replacen(":cluster/", &format!(":{kind}/"), 1));
            }
            Part::Lit(text) => out.push_lit(text),
            Part::Sym(sym) => out.push_sym(sym.clone()),
        }
    }
    found.then_some(out)
}

fn with_suffix(base: &SymStr, suffix: &str, tail: Option<Symbol>) -> SymStr {
    let mut s = base.clone();
    s.push_lit(suffix);
    if let Some(sym) = tail {
        s.push_sym(sym);
    }
    s.refers = None;
    s
}

/// Every `kafka-cluster` request MSK Connect makes with the role on an IAM-authenticated
/// cluster (MSKC), and why the cluster is not known when the input does not link it.
pub fn kafka_requirements(
    stack: &Stack,
    connector: &MskConnector,
) -> (Vec<KafkaRequirement>, Option<String>) {
    let env = &stack.env;
    let unknown_reason = match (&connector.cluster_arn, &connector.bootstrap_servers) {
        (Some(_), _) => None,
        (None, Some(servers)) => Some(format!(
            "the bootstrap servers `{servers}` of connector `{}` name no cluster of the input",
            connector.origin.id
        )),
        (None, None) => Some(format!(
            "connector `{}` names no cluster",
            connector.origin.id
        )),
    };
    let unknown_part = |what: &str| {
        Symbol::Unknown(match &unknown_reason {
            Some(reason) => reason.clone(),
            None => format!(
                "the {what} of the cluster of connector `{}` are not known",
                connector.origin.id
            ),
        })
    };
    let cluster = match &connector.cluster_arn {
        Some(arn) => arn.clone(),
        None => {
            let mut r = SymStr::lit("cluster/");
            r.push_sym(unknown_part("name and UUID"));
            env.regional_arn("kafka", &r)
        }
    };
    let base = |kind: &str| {
        with_resource_type(&cluster, kind).unwrap_or_else(|| {
            let mut r = SymStr::lit(format!("{kind}/"));
            r.push_sym(unknown_part("name and UUID"));
            env.regional_arn("kafka", &r)
        })
    };
    let (topics, groups) = (base("topic"), base("group"));
    let assigned = |what: &str| {
        Some(Symbol::Unknown(format!(
            "MSK Connect chooses the names of its {what} when it runs"
        )))
    };
    let mut out = vec![
        KafkaRequirement {
            actions: CLUSTER_ACTIONS,
            resource: cluster.clone(),
            pattern: cluster.clone(),
        },
        KafkaRequirement {
            actions: INTERNAL_TOPIC_ACTIONS,
            resource: with_suffix(
                &topics,
                "/__amazon_msk_connect_",
                assigned("internal topics"),
            ),
            pattern: with_suffix(&topics, "/__amazon_msk_connect_*", None),
        },
        KafkaRequirement {
            actions: GROUP_ACTIONS,
            resource: with_suffix(&groups, "/__amazon_msk_connect_", assigned("worker groups")),
            pattern: with_suffix(&groups, "/__amazon_msk_connect_*", None),
        },
    ];
    if is_sink(connector) {
        out.push(KafkaRequirement {
            actions: GROUP_ACTIONS,
            resource: with_suffix(&groups, "/connect-", assigned("sink consumer groups")),
            pattern: with_suffix(&groups, "/connect-*", None),
        });
        for topic in sink_topics(connector) {
            let mut resource = with_suffix(&topics, "/", None);
            resource.push(&topic);
            resource.refers = None;
            out.push(KafkaRequirement {
                actions: SINK_TOPIC_ACTIONS,
                pattern: resource.clone(),
                resource,
            });
        }
    }
    (out, unknown_reason)
}

/// A resource as a fix statement writes it. The cluster UUID of a CloudFormation cluster is
/// not an attribute a template can read, so it becomes `*`.
pub fn fix_resource(format: InputFormat, value: &SymStr) -> Json {
    let mut v = value.clone();
    if matches!(format, InputFormat::Cloudformation | InputFormat::Sam) {
        for part in &mut v.parts {
            if let Part::Sym(Symbol::Attr { attr, .. }) = part {
                if attr == "ClusterUuid" {
                    *part = Part::Sym(Symbol::Unknown("the cluster UUID".into()));
                }
            }
        }
    }
    render::resource(format, &v)
}

/// A resource as one line of text for `missing`: the text a fix writes, in `Fn::Sub` syntax
/// for a template (`${Cluster}`, `${Role.Arn}`, `arn:${AWS::Partition}:…`).
pub fn plain(format: InputFormat, value: &SymStr) -> String {
    match fix_resource(format, value) {
        Json::String(s) => s,
        Json::Object(map) => match map.iter().next() {
            Some((key, Json::String(s))) if key == "Fn::Sub" => s.clone(),
            Some((key, Json::String(r))) if key == "Ref" => format!("${{{r}}}"),
            Some((key, Json::Array(a))) if key == "Fn::GetAtt" => {
                let parts: Vec<&str> = a.iter().filter_map(Json::as_str).collect();
                format!("${{{}}}", parts.join("."))
            }
            _ => Json::Object(map).to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::testing::sym;
    use crate::model::{Existence, Located, Origin};
    use serde_json::json;

    fn connector(name: &str, settings: &[(&str, &str)]) -> MskConnector {
        MskConnector {
            origin: Origin::new("Sink", None),
            existence: Existence::Always,
            name: SymStr::lit(name),
            role: RoleLink::Missing(String::new()),
            role_arn: Located::new(SymStr::default(), None),
            authentication_type: Some(Located::new(SymStr::lit("IAM"), None)),
            bootstrap_servers: None,
            cluster_resource: Some("Cluster".into()),
            cluster_arn: Some(sym(
                "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:cluster/events/${attr:Cluster.ClusterUuid}",
            )),
            configuration: settings
                .iter()
                .map(|(k, v)| (k.to_string(), Located::new(SymStr::lit(*v), None)))
                .collect(),
        }
    }

    fn role_trusting(statement: serde_json::Value) -> Role {
        Role {
            origin: Origin::new("ConnectRole", None),
            existence: Existence::Always,
            name: SymStr::lit("connect"),
            arn: sym("arn:aws:iam::${AWS::AccountId}:role/connect"),
            path: None,
            trust_policy: Some(crate::model::PolicyDocument {
                value: crate::iam::testing::value(&json!({
                    "Version": "2012-10-17",
                    "Statement": [statement]
                }))
                .into(),
            }),
            policies: Vec::new(),
            managed_policy_arns: Vec::new(),
            permissions_boundary: None,
            sam_generated: false,
        }
    }

    fn verdict(condition: serde_json::Value) -> TrustVerdict {
        let env = Environment {
            partition: Some("aws".into()),
            ..Environment::default()
        };
        let role = role_trusting(json!({
            "Effect": "Allow",
            "Principal": {"Service": PRINCIPAL},
            "Action": "sts:AssumeRole",
            "Condition": condition
        }));
        trust(&env, &connector("events-sink", &[]), &role)
    }

    #[test]
    fn trust_conditions_against_the_connector() {
        // MSKC's example, with a literal account: only decidable at deploy time, taken to hold.
        assert!(matches!(
            verdict(json!({
                "StringEquals": {"aws:SourceAccount": "123456789012"},
                "ArnLike": {"aws:SourceArn": "arn:aws:kafkaconnect:us-east-1:123456789012:connector/events-sink/*"}
            })),
            TrustVerdict::Trusted { .. }
        ));
        // Another connector's name: certainly excluded.
        match verdict(json!({
            "ArnLike": {"aws:SourceArn": "arn:aws:kafkaconnect:*:*:connector/orders-sink/*"}
        })) {
            TrustVerdict::NotTrusted {
                excluded_by_conditions,
                ..
            } => assert!(excluded_by_conditions),
            other => panic!("{other:?}"),
        }
        // Not a connector ARN at all (MSKC: the value must be an MSK connector).
        assert!(matches!(
            verdict(json!({
                "ArnLike": {"aws:SourceArn": "arn:aws:kafka:*:*:cluster/events/*"}
            })),
            TrustVerdict::NotTrusted { .. }
        ));
        // Another partition is not read as another connector: the partition is not known.
        assert!(matches!(
            verdict(json!({
                "ArnLike": {"aws:SourceArn": "arn:aws-cn:kafkaconnect:*:*:connector/events-sink/*"}
            })),
            TrustVerdict::Trusted { .. }
        ));
        // A key MSK Connect's request is not known to carry.
        match verdict(json!({"StringEquals": {"sts:ExternalId": "x"}})) {
            TrustVerdict::Unknown { reason } => {
                assert_eq!(reason, "the statement has a condition on `sts:ExternalId`")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_wrong_principal_is_not_a_condition_problem() {
        let role = role_trusting(json!({
            "Effect": "Allow",
            "Principal": {"Service": "kafka.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": "${AWS::AccountId}"}}
        }));
        match trust(
            &Environment::default(),
            &connector("events-sink", &[]),
            &role,
        ) {
            TrustVerdict::NotTrusted {
                answer,
                excluded_by_conditions,
            } => {
                assert!(!excluded_by_conditions);
                assert_eq!(answer.statement, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn service_linked_role_arns() {
        assert!(is_service_linked(&sym(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/kafkaconnect.amazonaws.com/AWSServiceRoleForKafkaConnect"
        )));
        assert!(!is_service_linked(&sym(
            "arn:aws:iam::123456789012:role/service-role/kafkaconnect-role"
        )));
    }

    #[test]
    fn requirements_of_a_source_and_a_sink() {
        let stack = Stack::default();
        let source = connector(
            "cdc",
            &[(
                "connector.class",
                "io.debezium.connector.mysql.MySqlConnector",
            )],
        );
        let (reqs, unknown) = kafka_requirements(&stack, &source);
        assert_eq!(unknown, None);
        let patterns: Vec<String> = reqs
            .iter()
            .map(|r| plain(InputFormat::Cloudformation, &r.pattern))
            .collect();
        assert_eq!(
            patterns,
            [
                "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:cluster/events/*",
                "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:topic/events/*/__amazon_msk_connect_*",
                "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:group/events/*/__amazon_msk_connect_*",
            ]
        );
        let sink = connector(
            "s3",
            &[
                ("connector.class", "io.confluent.connect.s3.S3SinkConnector"),
                ("topics", "orders, refunds"),
            ],
        );
        let (reqs, _) = kafka_requirements(&stack, &sink);
        assert_eq!(reqs.len(), 6);
        assert_eq!(
            reqs[5].resource.to_string(),
            "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:topic/events/${Cluster.ClusterUuid}/refunds"
        );
        // MirrorMaker's source connector also has `topics`: it is still a source.
        let mirror = connector(
            "mm2",
            &[
                (
                    "connector.class",
                    "org.apache.kafka.connect.mirror.MirrorSourceConnector",
                ),
                ("topics", "a"),
            ],
        );
        assert_eq!(kafka_requirements(&stack, &mirror).0.len(), 3);
    }

    #[test]
    fn an_unlinked_cluster_is_unknown_with_the_reason() {
        let mut c = connector("s3", &[]);
        c.cluster_arn = None;
        c.bootstrap_servers = Some(sym("${param:Brokers}"));
        let (reqs, unknown) = kafka_requirements(&Stack::default(), &c);
        assert_eq!(
            unknown.as_deref(),
            Some(
                "the bootstrap servers `${Brokers}` of connector `Sink` name no cluster of the input"
            )
        );
        assert_eq!(
            reqs[1].pattern.to_string(),
            "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:topic/${unknown}/__amazon_msk_connect_*"
        );
    }

    #[test]
    fn missing_resources_read_like_sub() {
        let role = SymStr::sym(Symbol::Attr {
            resource: "Role".into(),
            attr: "Arn".into(),
        })
        .with_refers("Role", "Arn");
        assert_eq!(plain(InputFormat::Cloudformation, &role), "${Role.Arn}");
        assert_eq!(
            plain(
                InputFormat::Cloudformation,
                &role.clone().with_refers("Cluster", "Ref")
            ),
            "${Cluster}"
        );
        assert_eq!(
            plain(
                InputFormat::TerraformPlan,
                &role.with_refers("aws_iam_role.r", "arn")
            ),
            "${aws_iam_role.r.arn}"
        );
    }

    #[test]
    fn auth_type() {
        let mut c = connector("s3", &[]);
        assert_eq!(uses_iam_auth(&c), Tri::Yes);
        c.authentication_type = Some(Located::new(SymStr::lit("NONE"), None));
        assert_eq!(uses_iam_auth(&c), Tri::No);
        c.authentication_type = Some(Located::new(sym("${param:Auth}"), None));
        assert!(matches!(uses_iam_auth(&c), Tri::Unknown(_)));
        c.authentication_type = None;
        assert_eq!(uses_iam_auth(&c), Tri::No);
    }
}
