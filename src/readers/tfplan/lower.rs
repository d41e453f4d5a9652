//! Lowering: the indexed plan → [`Stack`].
//!
//! Input: a [`Plan`]. Output: the stack's functions, mappings, roles and policies, permissions,
//! triggers, connectors and sources, one per resource instance, with `Origin.id` = the instance
//! address and no span (plans have no lines). Links (mapping → function → role, policy → role,
//! trigger → function, connector → cluster) are resolved by identity first (the `refers` of a
//! value linked through the configuration), then by literal name or ARN. Passes run in
//! dependency order: sources, roles and policies; functions; aliases; everything that links.

use std::collections::HashMap;
use std::sync::Arc;

use super::doc::Mode;
use super::index::{InstId, Plan, RVal, Unset};
use super::values::{self as v, Field, Seg, members};
use crate::model::*;

/// `alias/aws/sqs`: the AWS managed key, which needs no grant (spec §1.1).
const AWS_MANAGED_SQS_KEY: &str = "alias/aws/sqs";

/// A customer-managed policy (`aws_iam_policy`) of the plan.
struct ManagedDocument {
    name: String,
    document: Arc<Value>,
}

/// Per role, the names (inline and standalone) and ARNs (customer managed) of its policies, in
/// the order of `Role.policies`, for the `_exclusive` resources.
#[derive(Default)]
struct RolePolicyKeys {
    names: Vec<Option<SymStr>>,
    arns: Vec<Option<SymStr>>,
}

impl RolePolicyKeys {
    /// Records the keys of the policy just added to the role, when the plan has `_exclusive`
    /// resources to read them (`record`); otherwise they would only take room.
    fn push(&mut self, record: bool, name: Option<SymStr>, arn: Option<SymStr>) {
        if record {
            push_small(&mut self.names, name);
            push_small(&mut self.arns, arn);
        }
    }
}

/// Appends to a list that is usually short, one place at a time up to four: tens of thousands
/// of roles with a policy or two would otherwise each hold room for four until the lists are
/// trimmed, and lowering is where a plan's memory peaks.
fn push_small<T>(list: &mut Vec<T>, item: T) {
    if list.len() == list.capacity() {
        list.reserve_exact(if list.len() < 4 { 1 } else { list.len() });
    }
    list.push(item);
}

struct Lower<'p, 'd, 'a> {
    plan: &'p Plan<'d, 'a>,
    stack: Stack,
    functions: HashMap<&'p str, FunctionId>,
    function_names: HashMap<String, FunctionId>,
    aliases: HashMap<&'p str, (FunctionId, SymStr)>,
    roles: HashMap<&'p str, RoleId>,
    role_names: HashMap<String, RoleId>,
    role_arns: HashMap<String, RoleId>,
    role_keys: Vec<RolePolicyKeys>,
    /// Whether the plan has `_exclusive` resources, which read `role_keys`.
    record_keys: bool,
    documents: HashMap<&'p str, ManagedDocument>,
    document_arns: HashMap<String, &'p str>,
    secrets: HashMap<String, String>,
    source_arns: HashMap<String, String>,
    bootstrap: HashMap<String, String>,
    keys: HashMap<String, String>,
    key_index: HashMap<String, usize>,
}

fn origin(plan: &Plan<'_, '_>, id: InstId) -> Origin {
    Origin::new(plan.address(id), None)
}

/// The document of a policy resource without one.
fn no_policy(plan: &Plan<'_, '_>, id: InstId) -> Arc<Value> {
    Arc::new(Value::new(
        ValueKind::Unknown(format!("`{}` has no policy", plan.address(id))),
        None,
    ))
}

fn loc(s: SymStr) -> Located<SymStr> {
    Located::new(s, None)
}

fn text(s: &SymStr) -> String {
    s.as_literal()
        .map(str::to_string)
        .unwrap_or_else(|| s.to_string())
}

/// A value whose `refers` is dropped (a name that is part of another value).
fn plain(mut s: SymStr) -> SymStr {
    s.refers = None;
    s
}

fn str_of(v: RVal) -> SymStr {
    match v {
        RVal::Str(s, _) => s,
        RVal::Unknown(why) => SymStr::sym(Symbol::Unknown(why)),
        RVal::Null | RVal::List(_) | RVal::Map(_) => SymStr::default(),
    }
}

/// The source kind of a resource type a mapping can poll.
fn kind_of_type(rtype: &str) -> Option<SourceKind> {
    Some(match rtype {
        "aws_sqs_queue" => SourceKind::Sqs,
        "aws_kinesis_stream" => SourceKind::KinesisStream,
        "aws_kinesis_stream_consumer" => SourceKind::KinesisConsumer,
        "aws_dynamodb_table" => SourceKind::DynamodbStream,
        "aws_msk_cluster" | "aws_msk_serverless_cluster" => SourceKind::Msk,
        "aws_mq_broker" => SourceKind::Mq,
        "aws_docdb_cluster" => SourceKind::Documentdb,
        _ => return None,
    })
}

/// `p[0].k`: a path into a block.
fn at<'p>(base: &[Seg<'p>], idx: usize, key: &'p str) -> Vec<Seg<'p>> {
    let mut p = base.to_vec();
    p.push(Seg::Idx(idx));
    p.push(Seg::Key(key));
    p
}

pub fn lower(plan: &Plan<'_, '_>) -> Stack {
    let mut l = Lower {
        plan,
        stack: Stack {
            env: plan.default_env(),
            ..Stack::default()
        },
        functions: HashMap::new(),
        function_names: HashMap::new(),
        aliases: HashMap::new(),
        roles: HashMap::new(),
        role_names: HashMap::new(),
        role_arns: HashMap::new(),
        role_keys: Vec::new(),
        record_keys: false,
        documents: HashMap::new(),
        document_arns: HashMap::new(),
        secrets: HashMap::new(),
        source_arns: HashMap::new(),
        bootstrap: HashMap::new(),
        keys: HashMap::new(),
        key_index: HashMap::new(),
    };
    let managed: Vec<InstId> = (0..plan.instances.len())
        .filter(|i| plan.instance(*i).is_some_and(|x| x.mode == Mode::Managed))
        .collect();
    l.reserve(&managed);
    let mut pending_arns = Vec::new();
    for &id in &managed {
        match plan.rtype(id) {
            "aws_iam_role" => pending_arns.extend(l.role(id)),
            "aws_iam_policy" => l.customer_policy(id),
            _ => l.source(id),
        }
    }
    for &id in &managed {
        match plan.rtype(id) {
            "aws_kms_alias" => l.kms_alias(id),
            "aws_kms_key_policy"
            | "aws_sqs_queue_policy"
            | "aws_kinesis_resource_policy"
            | "aws_dynamodb_resource_policy"
            | "aws_secretsmanager_secret_policy"
            | "aws_msk_cluster_policy" => l.resource_policy(id),
            _ => {}
        }
    }
    for (role, arn) in pending_arns {
        l.attach_arn(role, arn);
    }
    for &id in &managed {
        if plan.rtype(id) == "aws_lambda_function" {
            l.function(id);
        }
    }
    for &id in &managed {
        if plan.rtype(id) == "aws_lambda_alias" {
            l.alias(id);
        }
    }
    for &id in &managed {
        match plan.rtype(id) {
            "aws_iam_role_policy" => l.role_policy(id),
            "aws_iam_role_policy_attachment" => l.role_policy_attachment(id),
            "aws_iam_policy_attachment" => l.policy_attachment(id),
            _ => {}
        }
    }
    for (role, keys) in l.stack.roles.iter_mut().zip(&mut l.role_keys) {
        role.policies.shrink_to_fit();
        role.managed_policy_arns.shrink_to_fit();
        keys.names.shrink_to_fit();
        keys.arns.shrink_to_fit();
    }
    for f in &mut l.stack.functions {
        f.aliases.shrink_to_fit();
    }
    for &id in &managed {
        match plan.rtype(id) {
            "aws_iam_role_policies_exclusive" => l.policies_exclusive(id),
            "aws_iam_role_policy_attachments_exclusive" => l.attachments_exclusive(id),
            "aws_lambda_event_source_mapping" => l.mapping(id),
            "aws_lambda_permission" => l.permission(id),
            "aws_lambda_function_event_invoke_config" => l.invoke_config(id),
            "aws_lambda_function_url" => l.function_url(id),
            "aws_mskconnect_connector" => l.connector(id),
            _ => l.trigger(id),
        }
    }
    l.stack.diagnostics = plan.diagnostics.take();
    l.stack
}

impl<'p, 'd, 'a: 'd> Lower<'p, 'd, 'a> {
    /// Sizes the stack's lists to the instances that fill them: plans can hold tens of
    /// thousands of items, and doubling growth would leave up to half of each list unused.
    fn reserve(&mut self, managed: &[InstId]) {
        let count = |types: &[&str]| {
            managed
                .iter()
                .filter(|i| types.contains(&self.plan.rtype(**i)))
                .count()
        };
        let s = &mut self.stack;
        s.functions.reserve_exact(count(&["aws_lambda_function"]));
        s.event_source_mappings
            .reserve_exact(count(&["aws_lambda_event_source_mapping"]));
        s.roles.reserve_exact(count(&["aws_iam_role"]));
        s.permissions
            .reserve_exact(count(&["aws_lambda_permission"]));
        s.queues.reserve_exact(count(&["aws_sqs_queue"]));
        s.streams.reserve_exact(count(&["aws_kinesis_stream"]));
        s.tables.reserve_exact(count(&["aws_dynamodb_table"]));
        s.secrets
            .reserve_exact(count(&["aws_secretsmanager_secret"]));
        s.kms_keys.reserve_exact(count(&["aws_kms_key"]));
        s.topics.reserve_exact(count(&["aws_sns_topic"]));
        s.buckets.reserve_exact(count(&["aws_s3_bucket"]));
        self.role_keys.reserve_exact(count(&["aws_iam_role"]));
        self.record_keys = count(&[
            "aws_iam_role_policies_exclusive",
            "aws_iam_role_policy_attachments_exclusive",
        ]) > 0;
    }

    fn attr(&self, id: InstId, attr: &str) -> SymStr {
        str_of(self.plan.attr_value(id, attr, &[], 0))
    }

    fn string(&self, id: InstId, field: Field<'a>, path: &[Seg<'_>], hint: &str) -> Option<SymStr> {
        self.plan
            .string(id, field, path, hint, Unset::Absent)
            .filter(|s| !s.parts.is_empty())
    }

    fn required(
        &self,
        id: InstId,
        field: Field<'a>,
        path: &[Seg<'_>],
        hint: &str,
    ) -> Option<SymStr> {
        self.plan.string(id, field, path, hint, Unset::Unknown)
    }

    // -----------------------------------------------------------------------------------------
    // Links

    fn function_link(&self, value: &SymStr) -> Option<FunctionLink> {
        if let Some(r) = &value.refers {
            if let Some(&function) = self.functions.get(r.resource.as_str()) {
                let qualifier = matches!(r.attr.as_str(), "qualified_arn" | "qualified_invoke_arn")
                    .then(|| match value.as_literal() {
                        Some(t) => qualifier_in(t).map(SymStr::lit),
                        None => Some(SymStr::sym(Symbol::Attr {
                            resource: r.resource.clone(),
                            attr: "version".into(),
                        })),
                    })
                    .flatten();
                return Some(FunctionLink::Local {
                    function,
                    qualifier,
                });
            }
            if let Some((function, q)) = self.aliases.get(r.resource.as_str()) {
                return Some(FunctionLink::Local {
                    function: *function,
                    qualifier: Some(q.clone()),
                });
            }
        }
        for sym in value.symbols() {
            if let Some(resource) = sym.distinct_resource() {
                if let Some(&function) = self.functions.get(resource) {
                    return Some(FunctionLink::Local {
                        function,
                        qualifier: None,
                    });
                }
            }
        }
        let text = value.flat_text();
        let (name, qualifier) = match text.find(":function:") {
            Some(pos) => {
                let rest = text.get(pos + ":function:".len()..).unwrap_or("");
                let end = rest.find(['/', ':']).unwrap_or(rest.len());
                let name = rest.get(..end).unwrap_or("");
                let qualifier = rest
                    .get(end..)
                    .and_then(|r| r.strip_prefix(':'))
                    .map(|q| q.split('/').next().unwrap_or(""));
                (name, qualifier)
            }
            None if text.starts_with("arn:") => return None,
            None => match text.split_once(':') {
                Some((n, q)) => (n, Some(q)),
                None => (text.as_str(), None),
            },
        };
        if name.is_empty() || name.contains('\u{1}') {
            return None;
        }
        let function = *self.function_names.get(name)?;
        let qualifier = qualifier
            .filter(|q| !q.is_empty() && !q.contains(['\u{1}', ':']))
            .map(SymStr::lit);
        Some(FunctionLink::Local {
            function,
            qualifier,
        })
    }

    fn function_or_external(&self, value: &SymStr) -> FunctionLink {
        self.function_link(value)
            .unwrap_or_else(|| FunctionLink::External(value.clone()))
    }

    fn role_of(&self, value: &SymStr) -> Option<RoleId> {
        if let Some(r) = &value.refers {
            if let Some(id) = self.roles.get(r.resource.as_str()) {
                return Some(*id);
            }
        }
        for sym in value.symbols() {
            if let Some(id) = sym.distinct_resource().and_then(|r| self.roles.get(r)) {
                return Some(*id);
            }
        }
        let text = value.as_literal()?;
        if let Some(id) = self
            .role_names
            .get(text)
            .or_else(|| self.role_arns.get(text))
        {
            return Some(*id);
        }
        if text.contains(":role/") {
            return text
                .rsplit('/')
                .next()
                .and_then(|n| self.role_names.get(n))
                .copied();
        }
        None
    }

    fn role_link(&self, value: Option<SymStr>, what: &str) -> RoleLink {
        match value {
            Some(v) => match self.role_of(&v) {
                Some(id) => RoleLink::Local(id),
                None => RoleLink::External(v),
            },
            None => RoleLink::Missing(format!("no `{what}` is given")),
        }
    }

    /// The address of the instance a value is an attribute of, when it has one of `types`.
    fn referenced(&self, value: &SymStr, types: &[&str]) -> Option<(InstId, String)> {
        let r = value.refers.as_ref()?;
        let id = self.plan.by_address(&r.resource)?;
        let managed = self
            .plan
            .instance(id)
            .is_some_and(|i| i.mode == Mode::Managed);
        (managed && types.contains(&self.plan.rtype(id))).then(|| (id, r.resource.clone()))
    }

    fn secret_of(&self, uri: &SymStr) -> Option<String> {
        if let Some((_, address)) = self.referenced(uri, &["aws_secretsmanager_secret"]) {
            return Some(address);
        }
        self.secrets.get(uri.as_literal()?).cloned()
    }

    // -----------------------------------------------------------------------------------------
    // Sources and keys

    fn source(&mut self, id: InstId) {
        let plan = self.plan;
        let origin = origin(plan, id);
        let address = plan.address(id).to_string();
        match plan.rtype(id) {
            "aws_sqs_queue" => {
                let Some(v) = plan.values::<v::SqsQueue<'a>>(id) else {
                    return;
                };
                let kms_key = self
                    .string(
                        id,
                        v.kms_master_key_id,
                        &[Seg::Key("kms_master_key_id")],
                        "arn",
                    )
                    .filter(|k| k.as_literal() != Some(AWS_MANAGED_SQS_KEY))
                    .map(loc);
                let queue = Queue {
                    origin,
                    arn: self.attr(id, "arn"),
                    url: self.attr(id, "url"),
                    name: self.attr(id, "name"),
                    kms_key,
                };
                if let Some(document) = self.set_policy(id, v.policy) {
                    self.push_resource_policy(
                        id,
                        ResourcePolicyKind::Queue,
                        vec![queue.arn.clone()],
                        document,
                    );
                }
                self.register_source(&queue.arn, address);
                self.stack.queues.push(queue);
            }
            "aws_kinesis_stream" => {
                let Some(v) = plan.values::<v::KinesisStream<'a>>(id) else {
                    return;
                };
                let kms = self
                    .string(id, v.encryption_type, &[Seg::Key("encryption_type")], "")
                    .filter(|e| e.as_literal() == Some("KMS"))
                    .and_then(|_| self.string(id, v.kms_key_id, &[Seg::Key("kms_key_id")], "arn"))
                    // The AWS managed key needs no grant, as for SQS (spec §1.1) [derived].
                    .filter(|k| k.as_literal() != Some("alias/aws/kinesis"))
                    .map(loc);
                let stream = KinesisStream {
                    origin,
                    arn: self.attr(id, "arn"),
                    name: self.attr(id, "name"),
                    kms_key: kms,
                };
                self.register_source(&stream.arn, address);
                self.stack.streams.push(stream);
            }
            "aws_kinesis_stream_consumer" => {
                let Some(v) = plan.values::<v::KinesisConsumer<'a>>(id) else {
                    return;
                };
                let stream_arn = self
                    .required(id, v.stream_arn, &[Seg::Key("stream_arn")], "arn")
                    .unwrap_or_default();
                let consumer = KinesisConsumer {
                    origin,
                    arn: self.attr(id, "arn"),
                    stream_resource: stream_arn
                        .refers
                        .as_ref()
                        .filter(|r| {
                            plan.by_address(&r.resource)
                                .is_some_and(|i| plan.rtype(i) == "aws_kinesis_stream")
                        })
                        .map(|r| r.resource.clone()),
                    stream_arn,
                };
                self.register_source(&consumer.arn, address);
                self.stack.stream_consumers.push(consumer);
            }
            "aws_dynamodb_table" => {
                let Some(v) = plan.values::<v::DynamoTable<'a>>(id) else {
                    return;
                };
                let enabled = plan.boolean(id, v.stream_enabled, &[Seg::Key("stream_enabled")]);
                let table = DynamoTable {
                    origin,
                    arn: self.attr(id, "arn"),
                    name: self.attr(id, "name"),
                    stream_arn: (enabled != Some(false)
                        && (enabled == Some(true)
                            || plan.member(id, "stream_arn").is_some()
                            || plan.unknown_at(id, &[Seg::Key("stream_enabled")])))
                    .then(|| self.attr(id, "stream_arn")),
                };
                if let Some(s) = &table.stream_arn {
                    self.register_source(s, address);
                }
                self.stack.tables.push(table);
            }
            "aws_msk_cluster" => self.msk_cluster(id),
            "aws_msk_serverless_cluster" => {
                let cluster = MskCluster {
                    origin,
                    arn: self.attr(id, "arn"),
                    name: plain(self.attr(id, "cluster_name")),
                    serverless: true,
                    // Serverless clusters only take IAM clients (spec §6.3, TFSCHEMA).
                    iam_auth: Some(true),
                    scram_auth: Some(false),
                    tls_auth: Some(false),
                    unauthenticated: Some(false),
                };
                self.register_source(&cluster.arn, address.clone());
                for attr in ["bootstrap_brokers_sasl_iam", "bootstrap_brokers"] {
                    if let Some(b) = plan.known_str(id, attr) {
                        self.bootstrap.insert(b, address.clone());
                    }
                }
                self.stack.msk_clusters.push(cluster);
            }
            "aws_mq_broker" => {
                let Some(v) = plan.values::<v::MqBroker<'a>>(id) else {
                    return;
                };
                let broker = MqBroker {
                    origin,
                    arn: self.attr(id, "arn"),
                    engine: self
                        .string(id, v.engine_type, &[Seg::Key("engine_type")], "")
                        .and_then(|e| e.as_literal().map(str::to_ascii_uppercase)),
                    publicly_accessible: plan.boolean(
                        id,
                        v.publicly_accessible,
                        &[Seg::Key("publicly_accessible")],
                    ),
                };
                self.register_source(&broker.arn, address);
                self.stack.brokers.push(broker);
            }
            "aws_docdb_cluster" => {
                let cluster = DocDbCluster {
                    origin,
                    arn: self.attr(id, "arn"),
                };
                self.register_source(&cluster.arn, address);
                self.stack.docdb_clusters.push(cluster);
            }
            "aws_secretsmanager_secret" => {
                let Some(v) = plan.values::<v::Secret<'a>>(id) else {
                    return;
                };
                // No key means the AWS managed key `aws/secretsmanager` (spec §6.1).
                let kms_key = self
                    .string(id, v.kms_key_id, &[Seg::Key("kms_key_id")], "arn")
                    .filter(|k| k.as_literal() != Some("alias/aws/secretsmanager"))
                    .map(loc);
                let secret = Secret {
                    origin,
                    arn: self.attr(id, "arn"),
                    kms_key,
                };
                if let Some(arn) = secret.arn.as_literal() {
                    self.secrets.insert(arn.to_string(), address);
                }
                self.stack.secrets.push(secret);
            }
            "aws_kms_key" => {
                let policy = plan
                    .values::<v::KmsKey<'a>>(id)
                    .and_then(|v| self.set_policy(id, v.policy));
                let key = KmsKey {
                    origin,
                    arn: self.attr(id, "arn"),
                    key_id: self.attr(id, "key_id"),
                    aliases: Vec::new(),
                    policy_set: policy.is_some(),
                };
                if let Some(document) = policy {
                    self.push_resource_policy(
                        id,
                        ResourcePolicyKind::Key,
                        vec![key.arn.clone()],
                        document,
                    );
                }
                for k in [&key.arn, &key.key_id] {
                    if let Some(t) = k.as_literal() {
                        self.keys.insert(t.to_string(), address.clone());
                    }
                }
                self.key_index.insert(address, self.stack.kms_keys.len());
                self.stack.kms_keys.push(key);
            }
            "aws_sns_topic" => {
                let arn = self.attr(id, "arn");
                self.stack.topics.push(SnsTopic { origin, arn });
            }
            "aws_s3_bucket" => {
                let bucket = Bucket {
                    origin,
                    arn: self.attr(id, "arn"),
                    name: plain(self.attr(id, "bucket")),
                };
                self.stack.buckets.push(bucket);
            }
            _ => {}
        }
    }

    /// The policy an instance sets in its own `policy` attribute; `None` when the
    /// configuration does not set one (an unknown value without an expression in a plan
    /// that shows the configuration is the provider's default, not a policy of the input).
    fn set_policy(&self, id: InstId, field: Field<'a>) -> Option<Arc<Value>> {
        let path = [Seg::Key("policy")];
        if field.0.is_none()
            && self.plan.unknown_at(id, &path)
            && self.plan.expressions(id).is_some()
            && self.plan.expr_at(id, &path).is_none()
        {
            return None;
        }
        self.plan.policy_document(id, field, &path)
    }

    fn push_resource_policy(
        &mut self,
        id: InstId,
        kind: ResourcePolicyKind,
        governs: Vec<SymStr>,
        document: Arc<Value>,
    ) {
        let unknown_reason = match &document.kind {
            ValueKind::Unknown(reason) => Some(reason.clone()),
            _ => None,
        };
        self.stack.resource_policies.push(ResourcePolicy {
            origin: origin(self.plan, id),
            existence: Existence::Always,
            kind,
            governs: governs.into_iter().map(loc).collect(),
            document: unknown_reason
                .is_none()
                .then_some(PolicyDocument { value: document }),
            unknown_reason,
        });
    }

    /// The ARN of the resource of the plan a policy resource names (by ARN, id or URL), else
    /// the value as written.
    fn governed_arn(&self, value: SymStr) -> SymStr {
        let by_address = |address: &str| -> Option<SymStr> {
            let s = &self.stack;
            s.queues
                .iter()
                .find(|q| q.origin.id == address)
                .map(|q| q.arn.clone())
                .or_else(|| {
                    s.kms_keys
                        .iter()
                        .find(|k| k.origin.id == address)
                        .map(|k| k.arn.clone())
                })
                .or_else(|| {
                    s.secrets
                        .iter()
                        .find(|x| x.origin.id == address)
                        .map(|x| x.arn.clone())
                })
                .or_else(|| {
                    s.streams
                        .iter()
                        .find(|x| x.origin.id == address)
                        .map(|x| x.arn.clone())
                })
                .or_else(|| {
                    s.stream_consumers
                        .iter()
                        .find(|x| x.origin.id == address)
                        .map(|x| x.arn.clone())
                })
                .or_else(|| {
                    s.msk_clusters
                        .iter()
                        .find(|x| x.origin.id == address)
                        .map(|x| x.arn.clone())
                })
                .or_else(|| {
                    let table = s.tables.iter().find(|x| x.origin.id == address)?;
                    match value.refers.as_ref().map(|r| r.attr.as_str()) {
                        Some("stream_arn") => table.stream_arn.clone(),
                        _ => Some(table.arn.clone()),
                    }
                })
        };
        if let Some(arn) = value.refers.as_ref().and_then(|r| by_address(&r.resource)) {
            return arn;
        }
        if let Some(text) = value.as_literal() {
            let s = &self.stack;
            let found = s
                .queues
                .iter()
                .find(|q| q.url.as_literal() == Some(text) || q.arn.as_literal() == Some(text))
                .map(|q| q.arn.clone())
                .or_else(|| self.keys.get(text).and_then(|a| by_address(a)))
                .or_else(|| self.secrets.get(text).and_then(|a| by_address(a)))
                .or_else(|| self.source_arns.get(text).and_then(|a| by_address(a)));
            if let Some(arn) = found {
                return arn;
            }
        }
        value
    }

    /// `aws_kms_key_policy`, `aws_sqs_queue_policy`, `aws_kinesis_resource_policy`,
    /// `aws_dynamodb_resource_policy`, `aws_secretsmanager_secret_policy`,
    /// `aws_msk_cluster_policy`.
    fn resource_policy(&mut self, id: InstId) {
        let plan = self.plan;
        let rtype = plan.rtype(id);
        let (target, attr, field, kind) = match rtype {
            "aws_kms_key_policy" => {
                let Some(v) = plan.values::<v::KmsKeyPolicy<'a>>(id) else {
                    return;
                };
                (v.key_id, "key_id", v.policy, ResourcePolicyKind::Key)
            }
            "aws_sqs_queue_policy" => {
                let Some(v) = plan.values::<v::SqsQueuePolicy<'a>>(id) else {
                    return;
                };
                (
                    v.queue_url,
                    "queue_url",
                    v.policy,
                    ResourcePolicyKind::Queue,
                )
            }
            "aws_kinesis_resource_policy" | "aws_dynamodb_resource_policy" => {
                let Some(v) = plan.values::<v::ArnResourcePolicy<'a>>(id) else {
                    return;
                };
                (
                    v.resource_arn,
                    "resource_arn",
                    v.policy,
                    ResourcePolicyKind::Stream,
                )
            }
            "aws_secretsmanager_secret_policy" => {
                let Some(v) = plan.values::<v::SecretPolicy<'a>>(id) else {
                    return;
                };
                (
                    v.secret_arn,
                    "secret_arn",
                    v.policy,
                    ResourcePolicyKind::Secret,
                )
            }
            "aws_msk_cluster_policy" => {
                let Some(v) = plan.values::<v::MskClusterPolicy<'a>>(id) else {
                    return;
                };
                (
                    v.cluster_arn,
                    "cluster_arn",
                    v.policy,
                    ResourcePolicyKind::Cluster,
                )
            }
            _ => return,
        };
        let Some(written) = self.string(id, target, &[Seg::Key(attr)], "arn") else {
            return;
        };
        let governs = self.governed_arn(written);
        let kind = match kind {
            ResourcePolicyKind::Stream if rtype == "aws_dynamodb_resource_policy" => {
                if governs.flat_text().contains("/stream/")
                    || governs
                        .refers
                        .as_ref()
                        .is_some_and(|r| r.attr == "stream_arn")
                    || self
                        .stack
                        .tables
                        .iter()
                        .any(|t| t.stream_arn.as_ref() == Some(&governs))
                {
                    ResourcePolicyKind::TableStream
                } else {
                    ResourcePolicyKind::Table
                }
            }
            other => other,
        };
        let document = plan
            .policy_document(id, field, &[Seg::Key("policy")])
            .unwrap_or_else(|| no_policy(plan, id));
        if kind == ResourcePolicyKind::Key {
            if let Some(key) = self.stack.kms_keys.iter_mut().find(|k| k.arn == governs) {
                key.policy_set = true;
            }
        }
        self.push_resource_policy(id, kind, vec![governs], document);
    }

    fn register_source(&mut self, arn: &SymStr, address: String) {
        if let Some(a) = arn.as_literal() {
            self.source_arns.insert(a.to_string(), address);
        }
    }

    fn msk_cluster(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::MskCluster<'a>>(id) else {
            return;
        };
        let base = [Seg::Key("client_authentication")];
        let auth: Vec<v::MskClientAuthentication<'a>> =
            plan.blocks(id, v.client_authentication, &base);
        let auth_unknown = plan.unknown_at(id, &base) && auth.is_empty();
        let (mut iam, mut scram, mut tls, mut unauthenticated) = (None, None, None, None);
        if !auth_unknown {
            iam = Some(false);
        }
        if let Some(a) = auth.first() {
            let sasl_path = at(&base, 0, "sasl");
            let sasl: Vec<v::MskSasl<'a>> = plan.blocks(id, a.sasl, &sasl_path);
            if let Some(s) = sasl.first() {
                iam = plan
                    .boolean(id, s.iam, &at(&sasl_path, 0, "iam"))
                    .or(Some(false));
                scram = plan.boolean(id, s.scram, &at(&sasl_path, 0, "scram"));
            }
            let tls_path = at(&base, 0, "tls");
            let tls_blocks: Vec<v::MskClientAuthentication<'a>> = plan.blocks(id, a.tls, &tls_path);
            tls = (!tls_blocks.is_empty()).then_some(true);
            unauthenticated = plan.boolean(id, a.unauthenticated, &at(&base, 0, "unauthenticated"));
        }
        let address = plan.address(id).to_string();
        for field in [
            v.bootstrap_brokers,
            v.bootstrap_brokers_tls,
            v.bootstrap_brokers_sasl_iam,
            v.bootstrap_brokers_sasl_scram,
            v.bootstrap_brokers_public_tls,
            v.bootstrap_brokers_public_sasl_iam,
            v.bootstrap_brokers_public_sasl_scram,
            v.bootstrap_brokers_vpc_connectivity_sasl_iam,
            v.bootstrap_brokers_vpc_connectivity_sasl_scram,
            v.bootstrap_brokers_vpc_connectivity_tls,
        ] {
            if let Some(b) = field.0.and_then(v::scalar).filter(|b| !b.is_empty()) {
                self.bootstrap.insert(b.into_owned(), address.clone());
            }
        }
        let cluster = MskCluster {
            origin: origin(plan, id),
            arn: self.attr(id, "arn"),
            name: plain(self.attr(id, "cluster_name")),
            serverless: false,
            iam_auth: iam,
            scram_auth: scram,
            tls_auth: tls,
            unauthenticated,
        };
        self.register_source(&cluster.arn, address);
        self.stack.msk_clusters.push(cluster);
    }

    fn kms_alias(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::KmsAlias<'a>>(id) else {
            return;
        };
        let (Some(name), Some(target)) = (
            self.string(id, v.name, &[Seg::Key("name")], ""),
            self.string(id, v.target_key_id, &[Seg::Key("target_key_id")], "key_id"),
        ) else {
            return;
        };
        let Some(name) = name.as_literal() else {
            return;
        };
        let key = target
            .refers
            .as_ref()
            .map(|r| r.resource.clone())
            .or_else(|| target.as_literal().and_then(|t| self.keys.get(t).cloned()));
        if let Some(k) = key
            .and_then(|k| self.key_index.get(&k).copied())
            .and_then(|i| self.stack.kms_keys.get_mut(i))
        {
            k.aliases.push(name.to_string());
        }
    }

    // -----------------------------------------------------------------------------------------
    // IAM

    /// Reads a role; returns its managed policy ARNs, attached once every policy is known.
    fn role(&mut self, id: InstId) -> Vec<(RoleId, SymStr)> {
        let plan = self.plan;
        let Some(v) = plan.values::<v::IamRole<'a>>(id) else {
            return Vec::new();
        };
        let origin = origin(plan, id);
        let name = plain(self.attr(id, "name"));
        let arn = self.attr(id, "arn");
        let trust_policy = plan
            .policy_document(id, v.assume_role_policy, &[Seg::Key("assume_role_policy")])
            .map(|value| PolicyDocument { value });
        let mut keys = RolePolicyKeys::default();
        let mut policies = Vec::new();
        let base = [Seg::Key("inline_policy")];
        let inline: Vec<v::InlinePolicy<'a>> = plan.blocks(id, v.inline_policy, &base);
        for (i, p) in inline.iter().enumerate() {
            let Some(document) = plan.policy_document(id, p.policy, &at(&base, i, "policy")) else {
                continue;
            };
            let policy_name = self.string(id, p.name, &at(&base, i, "name"), "name");
            push_small(
                &mut policies,
                Policy {
                    origin: origin.clone(),
                    existence: Existence::Always,
                    name: policy_name.as_ref().map(text).unwrap_or_default(),
                    source: PolicySource::Inline,
                    document: PolicyDocument { value: document },
                },
            );
            keys.push(self.record_keys, policy_name, None);
        }
        let managed = plan
            .source_strings(id, "managed_policy_arns")
            .unwrap_or_else(|| {
                plan.strings(
                    id,
                    v.managed_policy_arns,
                    &[Seg::Key("managed_policy_arns")],
                    "arn",
                )
            });
        let role_id = RoleId(self.stack.roles.len());
        if let Some(n) = name.as_literal().filter(|n| !n.is_empty()) {
            self.role_names.insert(n.to_string(), role_id);
        }
        if let Some(a) = arn.as_literal() {
            self.role_arns.insert(a.to_string(), role_id);
        }
        self.roles.insert(plan.address(id), role_id);
        self.stack.roles.push(Role {
            origin,
            existence: Existence::Always,
            name,
            arn,
            path: plan.known_str(id, "path"),
            trust_policy,
            policies,
            managed_policy_arns: Vec::new(),
            permissions_boundary: self
                .string(
                    id,
                    v.permissions_boundary,
                    &[Seg::Key("permissions_boundary")],
                    "arn",
                )
                .map(loc),
            sam_generated: false,
        });
        self.role_keys.push(keys);
        managed.into_iter().map(|a| (role_id, a)).collect()
    }

    fn customer_policy(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::IamPolicy<'a>>(id) else {
            return;
        };
        let document = plan
            .policy_document(id, v.policy, &[Seg::Key("policy")])
            .unwrap_or_else(|| no_policy(plan, id));
        let arn = self.attr(id, "arn");
        if let Some(a) = arn.as_literal() {
            self.document_arns.insert(a.to_string(), plan.address(id));
        }
        self.documents.insert(
            plan.address(id),
            ManagedDocument {
                name: text(&plain(self.attr(id, "name"))),
                document,
            },
        );
    }

    /// The customer-managed policy of the plan that an ARN value names.
    fn document_for(&self, arn: &SymStr) -> Option<&'p str> {
        if let Some(r) = &arn.refers {
            if let Some((k, _)) = self.documents.get_key_value(r.resource.as_str()) {
                return Some(k);
            }
        }
        arn.as_literal()
            .and_then(|a| self.document_arns.get(a))
            .copied()
    }

    /// Attaches a policy ARN to a role: the document when the plan has it, else the ARN.
    fn attach_arn(&mut self, role: RoleId, arn: SymStr) {
        if arn.parts.is_empty() {
            return;
        }
        let document = self.document_for(&arn).and_then(|address| {
            self.documents.get(address).map(|d| Policy {
                origin: Origin::new(address, None),
                existence: Existence::Always,
                name: d.name.clone(),
                source: PolicySource::CustomerManaged,
                document: PolicyDocument {
                    value: d.document.clone(),
                },
            })
        });
        let (Some(r), Some(keys)) = (
            self.stack.roles.get_mut(role.0),
            self.role_keys.get_mut(role.0),
        ) else {
            return;
        };
        match document {
            Some(p) => {
                push_small(&mut r.policies, p);
                keys.push(self.record_keys, None, Some(arn));
            }
            None => push_small(&mut r.managed_policy_arns, loc(arn)),
        }
    }

    fn role_policy(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::IamRolePolicy<'a>>(id) else {
            return;
        };
        let document = plan
            .policy_document(id, v.policy, &[Seg::Key("policy")])
            .unwrap_or_else(|| no_policy(plan, id));
        let name = self.string(id, v.name, &[Seg::Key("name")], "name");
        let policy = Policy {
            origin: origin(plan, id),
            existence: Existence::Always,
            name: name
                .as_ref()
                .map(text)
                .unwrap_or_else(|| plan.address(id).to_string()),
            source: PolicySource::Standalone,
            document: PolicyDocument { value: document },
        };
        // `role` is the role's name (or id, which is its name) (spec §6.3).
        let role = self
            .required(id, v.role, &[Seg::Key("role")], "name")
            .and_then(|r| self.role_of(&r));
        match role
            .and_then(|r| Some((self.stack.roles.get_mut(r.0)?, self.role_keys.get_mut(r.0)?)))
        {
            Some((r, keys)) => {
                push_small(&mut r.policies, policy);
                keys.push(self.record_keys, name, None);
            }
            None => self.stack.unattached_policies.push(policy),
        }
    }

    fn role_policy_attachment(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::IamRolePolicyAttachment<'a>>(id) else {
            return;
        };
        let Some(arn) = self.required(id, v.policy_arn, &[Seg::Key("policy_arn")], "arn") else {
            return;
        };
        let role = self
            .required(id, v.role, &[Seg::Key("role")], "name")
            .and_then(|r| self.role_of(&r));
        match role {
            Some(r) => {
                self.record_attachment(r, &arn, id);
                self.attach_arn(r, arn);
            }
            None => self.unattached_document(&arn),
        }
    }

    /// Records that the attachment `by` puts the policy on the role, for the deploy order: the
    /// grant is in place only once the attachment exists.
    fn record_attachment(&mut self, role: RoleId, arn: &SymStr, by: InstId) {
        let policy = self.document_for(arn).map(str::to_string).or_else(|| {
            arn.as_literal()
                .filter(|a| !a.is_empty())
                .map(str::to_string)
        });
        let (Some(policy), Some(role)) = (policy, self.stack.roles.get(role.0)) else {
            return;
        };
        let attachment = crate::model::PolicyAttachment {
            policy,
            role: role.origin.id.clone(),
            by: self.plan.address(by).to_string(),
        };
        self.stack.order.attachments.push(attachment);
    }

    fn policy_attachment(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::IamPolicyAttachment<'a>>(id) else {
            return;
        };
        let Some(arn) = self.required(id, v.policy_arn, &[Seg::Key("policy_arn")], "arn") else {
            return;
        };
        let roles = plan.strings(id, v.roles, &[Seg::Key("roles")], "name");
        let mut attached = false;
        for role in roles {
            if let Some(r) = self.role_of(&role) {
                self.record_attachment(r, &arn, id);
                self.attach_arn(r, arn.clone());
                attached = true;
            }
        }
        if !attached {
            self.unattached_document(&arn);
        }
    }

    /// A customer-managed policy attached to no role of this plan.
    fn unattached_document(&mut self, arn: &SymStr) {
        let Some(address) = self.document_for(arn) else {
            return;
        };
        if self
            .stack
            .unattached_policies
            .iter()
            .any(|p| p.origin.id == address)
        {
            return;
        }
        if let Some(d) = self.documents.get(address) {
            self.stack.unattached_policies.push(Policy {
                origin: Origin::new(address, None),
                existence: Existence::Always,
                name: d.name.clone(),
                source: PolicySource::CustomerManaged,
                document: PolicyDocument {
                    value: d.document.clone(),
                },
            });
        }
    }

    /// `aws_iam_role_policies_exclusive`: at apply, the role keeps only the inline policies
    /// listed (provider semantics, spec §6.3).
    fn policies_exclusive(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::IamRolePoliciesExclusive<'a>>(id) else {
            return;
        };
        let Some(role) = self
            .required(id, v.role_name, &[Seg::Key("role_name")], "name")
            .and_then(|r| self.role_of(&r))
        else {
            return;
        };
        let listed = plan.strings(id, v.policy_names, &[Seg::Key("policy_names")], "name");
        if listed.iter().any(|n| !n.is_literal()) {
            // A name only known after apply: which policies remain cannot be told.
            return;
        }
        let (Some(r), Some(keys)) = (
            self.stack.roles.get_mut(role.0),
            self.role_keys.get_mut(role.0),
        ) else {
            return;
        };
        retain(r, keys, |p, name, _| {
            if !matches!(p.source, PolicySource::Inline | PolicySource::Standalone) {
                return true;
            }
            let Some(name) = name.and_then(SymStr::as_literal) else {
                return true;
            };
            listed.iter().any(|l| l.as_literal() == Some(name))
        });
    }

    /// `aws_iam_role_policy_attachments_exclusive`: the role keeps only the managed policies
    /// listed (provider semantics, spec §6.3).
    fn attachments_exclusive(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::IamRolePolicyAttachmentsExclusive<'a>>(id) else {
            return;
        };
        let Some(role) = self
            .required(id, v.role_name, &[Seg::Key("role_name")], "name")
            .and_then(|r| self.role_of(&r))
        else {
            return;
        };
        let listed = plan.strings(id, v.policy_arns, &[Seg::Key("policy_arns")], "arn");
        let same = |a: &SymStr, b: &SymStr| {
            (a.is_literal() && a.as_literal() == b.as_literal())
                || (a.refers.is_some() && a.refers == b.refers)
                || (!a.is_literal() && a.parts == b.parts)
        };
        if listed
            .iter()
            .any(|l| l.symbols().any(|s| matches!(s, Symbol::Unknown(_))))
        {
            return;
        }
        let (Some(r), Some(keys)) = (
            self.stack.roles.get_mut(role.0),
            self.role_keys.get_mut(role.0),
        ) else {
            return;
        };
        retain(r, keys, |p, _, arn| {
            if p.source != PolicySource::CustomerManaged {
                return true;
            }
            arn.is_none_or(|arn| listed.iter().any(|l| same(l, arn)))
        });
        r.managed_policy_arns
            .retain(|m| listed.iter().any(|l| same(l, &m.value)));
    }

    // -----------------------------------------------------------------------------------------
    // Lambda

    fn function(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::LambdaFunction<'a>>(id) else {
            return;
        };
        let name = plain(self.attr(id, "function_name"));
        let role = self.required(id, v.role, &[Seg::Key("role")], "arn");
        let base = [Seg::Key("vpc_config")];
        let vpc = plan
            .blocks::<v::VpcConfig<'a>>(id, v.vpc_config, &base)
            .first()
            .map(|c| VpcConfig {
                subnet_ids: plan.strings(id, c.subnet_ids, &at(&base, 0, "subnet_ids"), "id"),
                security_group_ids: plan.strings(
                    id,
                    c.security_group_ids,
                    &at(&base, 0, "security_group_ids"),
                    "id",
                ),
            })
            .filter(|c| !c.subnet_ids.is_empty() || !c.security_group_ids.is_empty())
            .map(|c| Located::new(c, None));
        let base = [Seg::Key("dead_letter_config")];
        let dead_letter_target = plan
            .blocks::<v::DeadLetterConfig<'a>>(id, v.dead_letter_config, &base)
            .first()
            .and_then(|d| self.string(id, d.target_arn, &at(&base, 0, "target_arn"), "arn"))
            .map(loc);
        let base = [Seg::Key("logging_config")];
        let log_group = plan
            .blocks::<v::LoggingConfig<'a>>(id, v.logging_config, &base)
            .first()
            .and_then(|l| self.string(id, l.log_group, &at(&base, 0, "log_group"), "log_group"))
            .map(loc);
        let function = Function {
            origin: origin(plan, id),
            existence: Existence::Always,
            arn: self.attr(id, "arn"),
            role: self.role_link(role, "role"),
            role_span: None,
            vpc,
            dead_letter_target,
            kms_key_arn: self
                .string(id, v.kms_key_arn, &[Seg::Key("kms_key_arn")], "arn")
                .map(loc),
            log_group,
            aliases: Vec::new(),
            name,
        };
        let fid = FunctionId(self.stack.functions.len());
        if let Some(n) = function.name.as_literal() {
            self.function_names.insert(n.to_string(), fid);
        }
        self.functions.insert(plan.address(id), fid);
        self.stack.functions.push(function);
    }

    fn alias(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::LambdaAlias<'a>>(id) else {
            return;
        };
        let Some(function) = self
            .required(id, v.function_name, &[Seg::Key("function_name")], "arn")
            .and_then(|f| self.function_link(&f))
        else {
            return;
        };
        let FunctionLink::Local { function, .. } = function else {
            return;
        };
        let qualifier = plain(self.attr(id, "name"));
        let alias = FunctionAlias {
            origin: origin(plan, id),
            qualifier: qualifier.clone(),
            arn: self.attr(id, "arn"),
        };
        self.aliases.insert(plan.address(id), (function, qualifier));
        if let Some(f) = self.stack.functions.get_mut(function.0) {
            f.aliases.push(alias);
        }
    }

    fn access_configs(&self, id: InstId, field: Field<'a>, base: &[Seg<'_>]) -> Vec<AccessConfig> {
        let plan = self.plan;
        let blocks: Vec<v::AccessConfiguration<'a>> = plan.blocks(id, field, base);
        blocks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let kind = self
                    .required(id, c.r#type, &at(base, i, "type"), "")
                    .map(|k| text(&k))
                    .unwrap_or_default();
                let uri = self
                    .required(id, c.uri, &at(base, i, "uri"), "arn")
                    .unwrap_or_default();
                AccessConfig {
                    secret_resource: self.secret_of(&uri),
                    kind,
                    uri,
                    span: None,
                }
            })
            .collect()
    }

    fn mapping(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::EventSourceMapping<'a>>(id) else {
            return;
        };
        let function_name = self
            .required(id, v.function_name, &[Seg::Key("function_name")], "arn")
            .unwrap_or_default();
        let source_arn = self.string(
            id,
            v.event_source_arn,
            &[Seg::Key("event_source_arn")],
            "arn",
        );
        let target = source_arn
            .as_ref()
            .and_then(|s| s.refers.as_ref())
            .and_then(|r| Some((r.resource.clone(), plan.by_address(&r.resource)?)));

        let base = [Seg::Key("self_managed_event_source")];
        let self_managed: Vec<v::SelfManagedEventSource<'a>> =
            plan.blocks(id, v.self_managed_event_source, &base);
        let bootstrap_servers = self_managed
            .first()
            .map(|s| {
                let endpoints = s.endpoints.0.and_then(members).and_then(|m| {
                    m.into_iter()
                        .find(|(k, _)| k == "KAFKA_BOOTSTRAP_SERVERS")
                        .map(|(_, v)| v)
                });
                let mut path = at(&base, 0, "endpoints");
                path.push(Seg::Key("KAFKA_BOOTSTRAP_SERVERS"));
                self.string(id, Field(endpoints), &path, "bootstrap_brokers")
            })
            .into_iter()
            .flatten()
            .flat_map(|servers| match servers.as_literal() {
                Some(t) => t
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(SymStr::lit)
                    .collect(),
                None => vec![servers],
            })
            .collect::<Vec<_>>();

        let mut consumer_group_id = None;
        let mut schema_registry = None;
        for (field, name) in [
            (
                v.amazon_managed_kafka_event_source_config,
                "amazon_managed_kafka_event_source_config",
            ),
            (
                v.self_managed_kafka_event_source_config,
                "self_managed_kafka_event_source_config",
            ),
        ] {
            let base = [Seg::Key(name)];
            let configs: Vec<v::KafkaSourceConfig<'a>> = plan.blocks(id, field, &base);
            let Some(c) = configs.first() else {
                continue;
            };
            consumer_group_id = self.string(
                id,
                c.consumer_group_id,
                &at(&base, 0, "consumer_group_id"),
                "",
            );
            let reg_base = at(&base, 0, "schema_registry_config");
            let registries: Vec<v::SchemaRegistryConfig<'a>> =
                plan.blocks(id, c.schema_registry_config, &reg_base);
            if let Some(r) = registries.first() {
                let uri = self
                    .required(
                        id,
                        r.schema_registry_uri,
                        &at(&reg_base, 0, "schema_registry_uri"),
                        "arn",
                    )
                    .unwrap_or_default();
                schema_registry = Some(SchemaRegistry {
                    uri: loc(uri),
                    access_configs: self.access_configs(
                        id,
                        r.access_config,
                        &at(&reg_base, 0, "access_config"),
                    ),
                });
            }
        }

        let base = [Seg::Key("destination_config")];
        let on_failure = plan
            .blocks::<v::MappingDestinationConfig<'a>>(id, v.destination_config, &base)
            .first()
            .and_then(|d| {
                let of_base = at(&base, 0, "on_failure");
                plan.blocks::<v::MappingOnFailure<'a>>(id, d.on_failure, &of_base)
                    .first()
                    .and_then(|o| {
                        self.string(
                            id,
                            o.destination_arn,
                            &at(&of_base, 0, "destination_arn"),
                            "arn",
                        )
                    })
            })
            .map(loc);
        let has_docdb = !plan
            .blocks::<v::MappingOnFailure<'a>>(
                id,
                v.document_db_event_source_config,
                &[Seg::Key("document_db_event_source_config")],
            )
            .is_empty();
        let access_configs = self.access_configs(
            id,
            v.source_access_configuration,
            &[Seg::Key("source_access_configuration")],
        );
        for (field, name) in [
            (v.source_access_configuration, "source_access_configuration"),
            (v.self_managed_event_source, "self_managed_event_source"),
        ] {
            if plan.dynamic_blocks(id, field, &[Seg::Key(name)]) {
                plan.diagnostic(format!(
                    "`{name}` of `{}` is only known after apply (written with a `dynamic` block); it is not audited",
                    plan.address(id)
                ));
            }
        }

        let target_kind = target
            .as_ref()
            .and_then(|(_, i)| kind_of_type(plan.rtype(*i)).map(|k| (k, *i)));
        let mut kind = match (&target_kind, &source_arn) {
            (Some((k, _)), _) => *k,
            (None, Some(arn)) => SourceKind::from_arn(arn).unwrap_or(SourceKind::Unknown),
            (None, None) if !self_managed.is_empty() => SourceKind::SelfManagedKafka,
            (None, None) => SourceKind::Unknown,
        };
        if kind == SourceKind::Unknown && has_docdb {
            kind = SourceKind::Documentdb;
        }
        if kind == SourceKind::Mq {
            // The broker's engine when the plan has it; RabbitMQ mappings name a virtual host,
            // ActiveMQ ones never do (CFNLINT SourceAccessConfiguration).
            let engine = target_kind.and_then(|(_, i)| plan.known_str(i, "engine_type"));
            kind = match engine.as_deref().map(str::to_ascii_uppercase).as_deref() {
                Some("ACTIVEMQ") => SourceKind::MqActivemq,
                Some("RABBITMQ") => SourceKind::MqRabbitmq,
                _ if access_configs.iter().any(|c| c.kind == "VIRTUAL_HOST") => {
                    SourceKind::MqRabbitmq
                }
                _ => SourceKind::Mq,
            };
        }
        let source_resource = match (&target, &target_kind) {
            (Some((address, _)), Some(_)) => Some(address.clone()),
            _ => source_arn
                .as_ref()
                .and_then(SymStr::as_literal)
                .and_then(|a| self.source_arns.get(a).cloned()),
        };
        let mapping = EventSourceMapping {
            origin: origin(plan, id),
            existence: Existence::Always,
            function: self.function_or_external(&function_name),
            function_span: None,
            kind,
            source_arn: source_arn.map(loc),
            source_resource,
            access_configs,
            bootstrap_servers,
            topics: plan.strings(id, v.topics, &[Seg::Key("topics")], ""),
            queues: plan.strings(id, v.queues, &[Seg::Key("queues")], ""),
            consumer_group_id,
            schema_registry,
            on_failure,
            filter_kms_key: self
                .string(id, v.kms_key_arn, &[Seg::Key("kms_key_arn")], "arn")
                .map(loc),
            enabled: plan.boolean(id, v.enabled, &[Seg::Key("enabled")]),
            secrets_kms_key: None,
        };
        self.stack.event_source_mappings.push(mapping);
    }

    fn permission(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::LambdaPermission<'a>>(id) else {
            return;
        };
        let opt = |field: Field<'a>, name: &'static str| {
            self.string(id, field, &[Seg::Key(name)], "arn").map(loc)
        };
        let function_name = self
            .required(
                id,
                v.function_name,
                &[Seg::Key("function_name")],
                "function_name",
            )
            .unwrap_or_default();
        let qualifier = self.string(id, v.qualifier, &[Seg::Key("qualifier")], "name");
        let function = self
            .function_link(&function_name)
            .map(|link| match (link, &qualifier) {
                (FunctionLink::Local { function, .. }, Some(q)) => FunctionLink::Local {
                    function,
                    qualifier: Some(q.clone()),
                },
                (link, _) => link,
            });
        let permission = LambdaPermission {
            origin: origin(plan, id),
            existence: Existence::Always,
            function: Some(
                function.unwrap_or_else(|| FunctionLink::External(function_name.clone())),
            ),
            function_name: loc(function_name),
            qualifier,
            action: loc(self
                .required(id, v.action, &[Seg::Key("action")], "")
                .unwrap_or_default()),
            principal: loc(self
                .required(id, v.principal, &[Seg::Key("principal")], "")
                .unwrap_or_default()),
            source_arn: opt(v.source_arn, "source_arn"),
            source_account: opt(v.source_account, "source_account"),
            principal_org_id: opt(v.principal_org_id, "principal_org_id"),
            event_source_token: opt(v.event_source_token, "event_source_token"),
            function_url_auth_type: opt(v.function_url_auth_type, "function_url_auth_type"),
            invoked_via_function_url: plan
                .boolean(
                    id,
                    v.invoked_via_function_url,
                    &[Seg::Key("invoked_via_function_url")],
                )
                .map(|b| loc(SymStr::lit(b.to_string()))),
            sam_generated: false,
        };
        self.stack.permissions.push(permission);
    }

    /// The function a `function_name` + `qualifier` pair names.
    fn qualified_function(
        &self,
        id: InstId,
        function: Field<'a>,
        qualifier: Field<'a>,
    ) -> Option<FunctionLink> {
        let name = self.required(id, function, &[Seg::Key("function_name")], "function_name")?;
        let qualifier = self.string(id, qualifier, &[Seg::Key("qualifier")], "name");
        Some(match (self.function_or_external(&name), qualifier) {
            (FunctionLink::Local { function, .. }, Some(q)) => FunctionLink::Local {
                function,
                qualifier: Some(q),
            },
            (link, _) => link,
        })
    }

    fn invoke_config(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::EventInvokeConfig<'a>>(id) else {
            return;
        };
        let Some(function) = self.qualified_function(id, v.function_name, v.qualifier) else {
            return;
        };
        let base = [Seg::Key("destination_config")];
        let configs: Vec<v::InvokeDestinationConfig<'a>> =
            plan.blocks(id, v.destination_config, &base);
        let destination = |field: Field<'a>, name: &'static str| {
            let dbase = at(&base, 0, name);
            plan.blocks::<v::InvokeDestination<'a>>(id, field, &dbase)
                .first()
                .and_then(|d| self.string(id, d.destination, &at(&dbase, 0, "destination"), "arn"))
                .map(loc)
        };
        let (on_success, on_failure) = match configs.first() {
            Some(c) => (
                destination(c.on_success, "on_success"),
                destination(c.on_failure, "on_failure"),
            ),
            None => (None, None),
        };
        self.stack.event_invoke_configs.push(EventInvokeConfig {
            origin: origin(plan, id),
            existence: Existence::Always,
            function,
            on_success,
            on_failure,
        });
    }

    fn function_url(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::FunctionUrl<'a>>(id) else {
            return;
        };
        let Some(function) = self.qualified_function(id, v.function_name, v.qualifier) else {
            return;
        };
        let auth_type = self
            .required(
                id,
                v.authorization_type,
                &[Seg::Key("authorization_type")],
                "",
            )
            .unwrap_or_default();
        self.stack.function_urls.push(FunctionUrl {
            origin: origin(plan, id),
            existence: Existence::Always,
            function,
            auth_type: loc(auth_type),
        });
    }

    // -----------------------------------------------------------------------------------------
    // MSK Connect

    fn connector(&mut self, id: InstId) {
        let plan = self.plan;
        let Some(v) = plan.values::<v::MskConnector<'a>>(id) else {
            return;
        };
        let role_arn = self.required(
            id,
            v.service_execution_role_arn,
            &[Seg::Key("service_execution_role_arn")],
            "arn",
        );
        let base = [Seg::Key("kafka_cluster_client_authentication")];
        let authentication_type = plan
            .blocks::<v::ConnectorClientAuthentication<'a>>(
                id,
                v.kafka_cluster_client_authentication,
                &base,
            )
            .first()
            .and_then(|a| {
                self.string(
                    id,
                    a.authentication_type,
                    &at(&base, 0, "authentication_type"),
                    "",
                )
            })
            .map(loc);
        let base = [Seg::Key("kafka_cluster")];
        let bootstrap_servers = plan
            .blocks::<v::ConnectorKafkaCluster<'a>>(id, v.kafka_cluster, &base)
            .first()
            .and_then(|k| {
                let akc = at(&base, 0, "apache_kafka_cluster");
                plan.blocks::<v::ApacheKafkaCluster<'a>>(id, k.apache_kafka_cluster, &akc)
                    .first()
                    .and_then(|a| {
                        self.string(
                            id,
                            a.bootstrap_servers,
                            &at(&akc, 0, "bootstrap_servers"),
                            "bootstrap_brokers",
                        )
                    })
            });
        const CLUSTERS: &[&str] = &["aws_msk_cluster", "aws_msk_serverless_cluster"];
        let cluster = bootstrap_servers.as_ref().and_then(|b| {
            self.referenced(b, CLUSTERS).or_else(|| {
                let address = self.bootstrap.get(b.as_literal()?)?;
                Some((plan.by_address(address)?, address.clone()))
            })
        });
        let cluster_arn = cluster.as_ref().map(|(i, _)| self.attr(*i, "arn"));
        let cluster_resource = cluster.map(|(_, address)| address);
        let name = self
            .required(id, v.name, &[Seg::Key("name")], "")
            .unwrap_or_else(|| {
                SymStr::sym(Symbol::Unknown(format!(
                    "the name of `{}` is not known",
                    plan.address(id)
                )))
            });
        let configuration = v
            .connector_configuration
            .0
            .and_then(members)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(key, raw)| {
                let path = [Seg::Key("connector_configuration"), Seg::Key(&key)];
                let value = self.string(id, Field(Some(raw)), &path, "")?;
                Some((key.into_owned(), loc(value)))
            })
            .collect();
        let connector = MskConnector {
            origin: origin(plan, id),
            existence: Existence::Always,
            name,
            role: self.role_link(role_arn.clone(), "service_execution_role_arn"),
            role_arn: loc(role_arn.unwrap_or_default()),
            authentication_type,
            bootstrap_servers,
            cluster_resource,
            cluster_arn,
            configuration,
        };
        self.stack.connectors.push(connector);
    }

    // -----------------------------------------------------------------------------------------
    // Push triggers (spec §4.2)

    fn push(
        &mut self,
        id: InstId,
        kind: PushKind,
        function: SymStr,
        source_arn: Option<SymStr>,
        uses_role: bool,
    ) {
        let looks_like_function = {
            let t = function.flat_text();
            t.contains(":function:") || t.contains(":lambda:path/")
        };
        let Some(link) = self
            .function_link(&function)
            .or_else(|| looks_like_function.then(|| FunctionLink::External(function.clone())))
        else {
            return;
        };
        self.stack.push_triggers.push(PushTrigger {
            origin: origin(self.plan, id),
            existence: Existence::Always,
            kind,
            function: link,
            function_span: None,
            source_arn,
            source_account: None,
            uses_role,
            sam_generated: false,
        });
    }

    /// The ARN of the resource a value names (its `refers`), or one built from the value.
    fn arn_of(&self, value: &SymStr, build: impl Fn(&SymStr) -> SymStr) -> SymStr {
        if let Some(r) = &value.refers {
            if let Some(i) = self.plan.by_address(&r.resource) {
                return self.attr(i, "arn");
            }
        }
        build(&plain(value.clone()))
    }

    fn trigger(&mut self, id: InstId) {
        let plan = self.plan;
        let env = || plan.env(id);
        match plan.rtype(id) {
            "aws_s3_bucket_notification" => {
                let Some(v) = plan.values::<v::S3BucketNotification<'a>>(id) else {
                    return;
                };
                let bucket = self
                    .required(id, v.bucket, &[Seg::Key("bucket")], "id")
                    .map(|b| self.arn_of(&b, |n| env().bucket_arn(n)));
                let base = [Seg::Key("lambda_function")];
                let targets: Vec<v::S3LambdaNotification<'a>> =
                    plan.blocks(id, v.lambda_function, &base);
                for (i, t) in targets.iter().enumerate() {
                    if let Some(f) = self.required(
                        id,
                        t.lambda_function_arn,
                        &at(&base, i, "lambda_function_arn"),
                        "arn",
                    ) {
                        self.push(id, PushKind::S3, f, bucket.clone(), false);
                    }
                }
            }
            "aws_sns_topic_subscription" => {
                let Some(v) = plan.values::<v::SnsTopicSubscription<'a>>(id) else {
                    return;
                };
                let protocol = self.string(id, v.protocol, &[Seg::Key("protocol")], "");
                if protocol.as_ref().and_then(SymStr::as_literal) != Some("lambda") {
                    return;
                }
                if let Some(f) = self.required(id, v.endpoint, &[Seg::Key("endpoint")], "arn") {
                    let topic = self.required(id, v.topic_arn, &[Seg::Key("topic_arn")], "arn");
                    self.push(id, PushKind::Sns, f, topic, false);
                }
            }
            "aws_cloudwatch_event_target" => {
                let Some(v) = plan.values::<v::EventTarget<'a>>(id) else {
                    return;
                };
                let Some(f) = self.required(id, v.arn, &[Seg::Key("arn")], "arn") else {
                    return;
                };
                if !f.flat_text().contains(":lambda:") && self.function_link(&f).is_none() {
                    return;
                }
                let bus = self.string(id, v.event_bus_name, &[Seg::Key("event_bus_name")], "name");
                let rule = self
                    .required(id, v.rule, &[Seg::Key("rule")], "name")
                    .map(|r| self.arn_of(&r, |n| env().event_rule_arn(bus.as_ref(), n)));
                self.push(id, PushKind::EventBridge, f, rule, false);
            }
            "aws_cloudwatch_log_subscription_filter" => {
                let Some(v) = plan.values::<v::LogSubscriptionFilter<'a>>(id) else {
                    return;
                };
                let Some(f) =
                    self.required(id, v.destination_arn, &[Seg::Key("destination_arn")], "arn")
                else {
                    return;
                };
                if !f.flat_text().contains(":lambda:") && self.function_link(&f).is_none() {
                    return;
                }
                // The recommended SourceArn of a log group (spec §4.1).
                let group = self
                    .required(id, v.log_group_name, &[Seg::Key("log_group_name")], "name")
                    .map(|g| env().log_group_arn(&plain(g)));
                self.push(id, PushKind::CloudwatchLogs, f, group, false);
            }
            "aws_api_gateway_integration" => {
                let Some(v) = plan.values::<v::ApiGatewayIntegration<'a>>(id) else {
                    return;
                };
                let kind = self.string(id, v.r#type, &[Seg::Key("type")], "");
                if !matches!(
                    kind.as_ref().and_then(SymStr::as_literal),
                    Some("AWS" | "AWS_PROXY")
                ) {
                    return;
                }
                let Some(uri) = self.required(id, v.uri, &[Seg::Key("uri")], "invoke_arn") else {
                    return;
                };
                let uses_role = self
                    .string(id, v.credentials, &[Seg::Key("credentials")], "arn")
                    .is_some();
                let api = self
                    .required(id, v.rest_api_id, &[Seg::Key("rest_api_id")], "id")
                    .map(|a| execute_api_arn(&env(), a));
                self.push(id, PushKind::ApiGateway, uri, api, uses_role);
            }
            "aws_apigatewayv2_integration" => {
                let Some(v) = plan.values::<v::ApiGatewayV2Integration<'a>>(id) else {
                    return;
                };
                let kind = self.string(id, v.integration_type, &[Seg::Key("integration_type")], "");
                if kind.as_ref().and_then(SymStr::as_literal) != Some("AWS_PROXY") {
                    return;
                }
                let Some(uri) = self.required(
                    id,
                    v.integration_uri,
                    &[Seg::Key("integration_uri")],
                    "invoke_arn",
                ) else {
                    return;
                };
                let uses_role = self
                    .string(id, v.credentials_arn, &[Seg::Key("credentials_arn")], "arn")
                    .is_some();
                let api = self
                    .required(id, v.api_id, &[Seg::Key("api_id")], "id")
                    .map(|a| execute_api_arn(&env(), a));
                self.push(id, PushKind::ApiGateway, uri, api, uses_role);
            }
            "aws_iot_topic_rule" => {
                let Some(v) = plan.values::<v::IotTopicRule<'a>>(id) else {
                    return;
                };
                let base = [Seg::Key("lambda")];
                let actions: Vec<v::IotLambdaAction<'a>> = plan.blocks(id, v.lambda, &base);
                let rule = self.attr(id, "arn");
                for (i, a) in actions.iter().enumerate() {
                    if let Some(f) =
                        self.required(id, a.function_arn, &at(&base, i, "function_arn"), "arn")
                    {
                        self.push(id, PushKind::Iot, f, Some(rule.clone()), false);
                    }
                }
            }
            "aws_cognito_user_pool" => {
                let Some(v) = plan.values::<v::CognitoUserPool<'a>>(id) else {
                    return;
                };
                let base = [Seg::Key("lambda_config")];
                let configs: Vec<v::CognitoLambdaConfig<'a>> =
                    plan.blocks(id, v.lambda_config, &base);
                let Some(c) = configs.first() else {
                    return;
                };
                let pool = self.attr(id, "arn");
                for (field, name) in [
                    (c.create_auth_challenge, "create_auth_challenge"),
                    (c.custom_message, "custom_message"),
                    (c.define_auth_challenge, "define_auth_challenge"),
                    (c.post_authentication, "post_authentication"),
                    (c.post_confirmation, "post_confirmation"),
                    (c.pre_authentication, "pre_authentication"),
                    (c.pre_sign_up, "pre_sign_up"),
                    (c.pre_token_generation, "pre_token_generation"),
                    (c.user_migration, "user_migration"),
                    (
                        c.verify_auth_challenge_response,
                        "verify_auth_challenge_response",
                    ),
                ] {
                    if let Some(f) = self.string(id, field, &at(&base, 0, name), "arn") {
                        self.push(id, PushKind::Cognito, f, Some(pool.clone()), false);
                    }
                }
                for (field, name) in [
                    (c.custom_email_sender, "custom_email_sender"),
                    (c.custom_sms_sender, "custom_sms_sender"),
                    (c.pre_token_generation_config, "pre_token_generation_config"),
                ] {
                    let inner = at(&base, 0, name);
                    let blocks: Vec<v::CognitoLambdaArn<'a>> = plan.blocks(id, field, &inner);
                    if let Some(f) = blocks.first().and_then(|b| {
                        self.string(id, b.lambda_arn, &at(&inner, 0, "lambda_arn"), "arn")
                    }) {
                        self.push(id, PushKind::Cognito, f, Some(pool.clone()), false);
                    }
                }
            }
            "aws_lb_target_group_attachment" => {
                let Some(v) = plan.values::<v::LbTargetGroupAttachment<'a>>(id) else {
                    return;
                };
                let Some(f) = self.required(id, v.target_id, &[Seg::Key("target_id")], "arn")
                else {
                    return;
                };
                let group = self.required(
                    id,
                    v.target_group_arn,
                    &[Seg::Key("target_group_arn")],
                    "arn",
                );
                let lambda_group = group
                    .as_ref()
                    .and_then(|g| g.refers.as_ref())
                    .and_then(|r| plan.by_address(&r.resource))
                    .and_then(|g| plan.known_str(g, "target_type"));
                match lambda_group.as_deref() {
                    Some("lambda") => {}
                    Some(_) => return,
                    None if f.flat_text().contains(":lambda:")
                        || self.function_link(&f).is_some() => {}
                    None => return,
                }
                self.push(id, PushKind::Alb, f, group, false);
            }
            "aws_ses_receipt_rule" => {
                let Some(v) = plan.values::<v::SesReceiptRule<'a>>(id) else {
                    return;
                };
                let rule = match (
                    self.string(
                        id,
                        v.rule_set_name,
                        &[Seg::Key("rule_set_name")],
                        "rule_set_name",
                    ),
                    self.string(id, v.name, &[Seg::Key("name")], "name"),
                ) {
                    (Some(set), Some(name)) => {
                        let mut r = SymStr::lit("receipt-rule-set/");
                        r.push(&plain(set));
                        r.push_lit(":receipt-rule/");
                        r.push(&plain(name));
                        Some(env().regional_arn("ses", &r))
                    }
                    _ => None,
                };
                let base = [Seg::Key("lambda_action")];
                let actions: Vec<v::SesLambdaAction<'a>> = plan.blocks(id, v.lambda_action, &base);
                for (i, a) in actions.iter().enumerate() {
                    if let Some(f) =
                        self.required(id, a.function_arn, &at(&base, i, "function_arn"), "arn")
                    {
                        self.push(id, PushKind::Ses, f, rule.clone(), false);
                    }
                }
            }
            "aws_config_config_rule" => {
                let Some(v) = plan.values::<v::ConfigRule<'a>>(id) else {
                    return;
                };
                let base = [Seg::Key("source")];
                let sources: Vec<v::ConfigRuleSource<'a>> = plan.blocks(id, v.source, &base);
                let Some(s) = sources.first() else {
                    return;
                };
                let owner = self.string(id, s.owner, &at(&base, 0, "owner"), "");
                if owner.as_ref().and_then(SymStr::as_literal) != Some("CUSTOM_LAMBDA") {
                    return;
                }
                if let Some(f) = self.string(
                    id,
                    s.source_identifier,
                    &at(&base, 0, "source_identifier"),
                    "arn",
                ) {
                    let rule = self.attr(id, "arn");
                    self.push(id, PushKind::Config, f, Some(rule), false);
                }
            }
            _ => {}
        }
    }
}

/// `arn:…:execute-api:<region>:<account>:<api id>/*` (spec §4.1).
fn execute_api_arn(env: &Environment, api: SymStr) -> SymStr {
    let mut s = plain(api);
    s.push_lit("/*");
    env.regional_arn("execute-api", &s)
}

/// The qualifier at the end of a qualified function ARN (`…:function:name:qualifier`).
fn qualifier_in(arn: &str) -> Option<&str> {
    let rest = arn.split(":function:").nth(1)?;
    rest.split_once(':').map(|(_, q)| q)
}

/// Keeps the policies of a role (and their keys) for which `keep` holds.
fn retain(
    role: &mut Role,
    keys: &mut RolePolicyKeys,
    keep: impl Fn(&Policy, Option<&SymStr>, Option<&SymStr>) -> bool,
) {
    let mut i = 0;
    while i < role.policies.len() {
        let (Some(p), name, arn) = (
            role.policies.get(i),
            keys.names.get(i).and_then(Option::as_ref),
            keys.arns.get(i).and_then(Option::as_ref),
        ) else {
            break;
        };
        if keep(p, name, arn) {
            i += 1;
        } else {
            role.policies.remove(i);
            if i < keys.names.len() {
                keys.names.remove(i);
            }
            if i < keys.arns.len() {
                keys.arns.remove(i);
            }
        }
    }
}
