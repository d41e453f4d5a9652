//! Resource extraction: each resource type the auditor reads → model items.

use super::Provenance;
use super::attrs::name_of;
use super::link::{FunctionEntry, Linker, QualifierEntry, RoleEntry};
use super::resolve::Resolver;
use super::template::ResourceNode;
use crate::model::*;
use crate::readers::syntax::Node;

/// The ARN of a queue given by its URL (`https://sqs.<region>.amazonaws.com/<account>/<name>`),
/// as a queue policy's `Queues` lists it (SQS-POLICY).
fn queue_url_arn(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://sqs.")?;
    let (host, path) = rest.split_once('/')?;
    let (region, suffix) = host.split_once('.')?;
    let partition = match suffix {
        "amazonaws.com.cn" => "aws-cn",
        _ if region.starts_with("us-gov-") => "aws-us-gov",
        _ => "aws",
    };
    let (account, name) = path.split_once('/')?;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    Some(format!("arn:{partition}:sqs:{region}:{account}:{name}"))
}

/// An undecided `Fn::If` branch: the condition's name and whether it holds there.
type Branch = Option<(String, bool)>;

/// The `Function` of every `LambdaConfigurations` item of an S3 notification, with the
/// `Fn::If` branch it is in when the template does not decide it.
fn lambda_functions(value: &Value, guard: Branch, out: &mut Vec<(Located<SymStr>, Branch)>) {
    match &value.kind {
        ValueKind::List(items) => {
            for item in items {
                lambda_functions(item, guard.clone(), out);
            }
        }
        ValueKind::If {
            condition,
            then,
            otherwise,
        } => {
            // Nested conditions keep the innermost one, which decides this branch.
            lambda_functions(then, Some((condition.clone(), true)), out);
            lambda_functions(otherwise, Some((condition.clone(), false)), out);
        }
        ValueKind::Map(_) => {
            if let Some(Value {
                kind: ValueKind::Str(function),
                span,
            }) = value.get("Function")
            {
                out.push((Located::new(function.clone(), *span), guard));
            }
        }
        _ => {}
    }
}

struct Lowering<'r, 't, 'a> {
    cx: &'r Resolver<'t, 'a>,
    provenance: &'r Provenance,
    linker: Linker,
    stack: Stack,
}

/// The SQS key id that means "the AWS managed key", which needs no grant (SQS-DG).
const AWS_MANAGED_SQS_KEY: &str = "alias/aws/sqs";

pub fn lower(cx: &Resolver<'_, '_>, provenance: &Provenance) -> Stack {
    let mut l = Lowering {
        cx,
        provenance,
        linker: Linker::default(),
        stack: Stack {
            env: cx.env.clone(),
            ..Stack::default()
        },
    };
    l.index();
    l.sources();
    l.resource_policies();
    l.roles();
    l.policies();
    l.functions();
    l.mappings();
    l.permissions();
    l.triggers();
    l.connectors();
    l.stack
}

fn origin(r: &ResourceNode<'_>, provenance: &Provenance) -> Origin {
    Origin {
        id: r.id.to_string(),
        span: Some(r.span),
        generated_from: provenance.generated_from.get(r.id).cloned(),
    }
}

impl<'r, 't, 'a> Lowering<'r, 't, 'a> {
    fn resources(
        &self,
        type_name: &str,
    ) -> impl Iterator<Item = &'r ResourceNode<'a>> + use<'r, 'a, '_> {
        let type_name = type_name.to_string();
        self.cx
            .template
            .resources
            .iter()
            .filter(move |r| r.type_name == type_name)
    }

    /// `None` when the resource's condition is decided false (it is not created).
    fn existence(&self, r: &ResourceNode<'_>) -> Option<Existence> {
        match r.condition {
            None => Some(Existence::Always),
            Some(c) => match self.cx.condition(c, r.span) {
                Some(true) => Some(Existence::Always),
                Some(false) => None,
                None => Some(Existence::IfCondition(c.to_string())),
            },
        }
    }

    fn exists(&self, r: &ResourceNode<'_>) -> bool {
        self.existence(r).is_some()
    }

    fn string(&self, r: &ResourceNode<'_>, prop: &str) -> Option<Located<SymStr>> {
        let node = r.prop(prop)?;
        let s = self.cx.string(node)?;
        Some(Located::new(s, Some(node.span)))
    }

    fn string_at(&self, node: Option<&Node>) -> Option<Located<SymStr>> {
        let node = node?;
        let s = self.cx.string(node)?;
        Some(Located::new(s, Some(node.span)))
    }

    fn strings(&self, node: Option<&Node>) -> Vec<SymStr> {
        let Some(node) = node else { return Vec::new() };
        match self.cx.value(node).kind {
            ValueKind::List(items) => items.iter().filter_map(Resolver::as_string).collect(),
            ValueKind::Str(s) => vec![s],
            _ => Vec::new(),
        }
    }

    fn bool_at(&self, node: Option<&Node>) -> Option<bool> {
        let s = self.cx.string(node?)?;
        match s.as_literal()?.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    // -----------------------------------------------------------------------------------------

    /// Functions, aliases and roles first, so that everything else can link to them.
    fn index(&mut self) {
        let cx = self.cx;
        for r in self.resources("AWS::Lambda::Function").collect::<Vec<_>>() {
            if !self.exists(r) {
                continue;
            }
            self.linker.functions.push(FunctionEntry {
                id: r.id.to_string(),
                name: cx.attr(r.id, "Ref", r.span),
            });
        }
        for r in self.resources("AWS::IAM::Role").collect::<Vec<_>>() {
            if !self.exists(r) {
                continue;
            }
            let mut name = cx.attr(r.id, "Ref", r.span);
            name.refers = None;
            self.linker.roles.push(RoleEntry {
                id: r.id.to_string(),
                name,
            });
        }
        for type_name in ["AWS::Lambda::Alias", "AWS::Lambda::Version"] {
            for r in self.resources(type_name).collect::<Vec<_>>() {
                if !self.exists(r) {
                    continue;
                }
                let Some(function) = self.string(r, "FunctionName") else {
                    continue;
                };
                let Some(FunctionLink::Local { function, .. }) =
                    self.linker.function(&function.value)
                else {
                    continue;
                };
                let qualifier = if type_name == "AWS::Lambda::Alias" {
                    name_of(cx, r, "Name")
                } else {
                    SymStr::sym(Symbol::Attr {
                        resource: r.id.to_string(),
                        attr: "Version".into(),
                    })
                };
                self.linker.qualifiers.push(QualifierEntry {
                    id: r.id.to_string(),
                    function,
                    qualifier,
                });
            }
        }
    }

    fn sources(&mut self) {
        let cx = self.cx;
        let all: Vec<&ResourceNode<'_>> = cx.template.resources.iter().collect();
        for r in all {
            if !self.exists(r) {
                continue;
            }
            let origin = origin(r, self.provenance);
            match r.type_name {
                "AWS::SQS::Queue" => {
                    let kms_key = self
                        .string(r, "KmsMasterKeyId")
                        .filter(|k| k.value.as_literal() != Some(AWS_MANAGED_SQS_KEY));
                    self.stack.queues.push(Queue {
                        origin,
                        arn: cx.attr(r.id, "Arn", r.span),
                        url: cx.attr(r.id, "Ref", r.span),
                        name: cx.attr(r.id, "QueueName", r.span),
                        kms_key,
                    });
                }
                "AWS::Kinesis::Stream" => {
                    let enc = r.prop("StreamEncryption");
                    let kms = enc
                        .filter(|e| e.get("EncryptionType").and_then(Node::as_str) == Some("KMS"))
                        .and_then(|e| self.string_at(e.get("KeyId")))
                        .filter(|k| k.value.as_literal() != Some("alias/aws/kinesis"));
                    self.stack.streams.push(KinesisStream {
                        origin,
                        arn: cx.attr(r.id, "Arn", r.span),
                        name: cx.attr(r.id, "Ref", r.span),
                        kms_key: kms,
                    });
                }
                "AWS::Kinesis::StreamConsumer" => {
                    let stream_arn = self
                        .string(r, "StreamARN")
                        .map(|s| s.value)
                        .unwrap_or_default();
                    self.stack.stream_consumers.push(KinesisConsumer {
                        origin,
                        arn: cx.attr(r.id, "ConsumerARN", r.span),
                        stream_resource: stream_arn.refers.as_ref().map(|x| x.resource.clone()),
                        stream_arn,
                    });
                }
                "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable" => {
                    let has_stream = r.prop("StreamSpecification").is_some();
                    let table_policy = r
                        .prop("ResourcePolicy")
                        .map(|p| (p, "Arn", ResourcePolicyKind::Table));
                    let stream_policy = r
                        .prop("StreamSpecification")
                        .and_then(|s| s.get("ResourcePolicy"))
                        .map(|p| (p, "StreamArn", ResourcePolicyKind::TableStream));
                    for (holder, attr, kind) in table_policy.into_iter().chain(stream_policy) {
                        if let Some(doc) = holder.get("PolicyDocument") {
                            let governs =
                                Located::new(cx.attr(r.id, attr, r.span), Some(holder.span));
                            self.push_resource_policy(r, kind, vec![governs], doc);
                        }
                    }
                    self.stack.tables.push(DynamoTable {
                        origin,
                        arn: cx.attr(r.id, "Arn", r.span),
                        name: cx.attr(r.id, "Ref", r.span),
                        stream_arn: has_stream.then(|| cx.attr(r.id, "StreamArn", r.span)),
                    });
                }
                "AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster" => {
                    let serverless = r.type_name == "AWS::MSK::ServerlessCluster";
                    let auth = r.prop("ClientAuthentication");
                    let sasl = auth.and_then(|a| a.get("Sasl"));
                    let enabled = |n: Option<&Node>| -> Option<bool> {
                        n.map(|n| self.bool_at(n.get("Enabled")).unwrap_or(true))
                    };
                    let iam_auth = if serverless {
                        Some(true)
                    } else if auth.is_none() {
                        Some(false)
                    } else {
                        enabled(sasl.and_then(|s| s.get("Iam"))).or(Some(false))
                    };
                    self.stack.msk_clusters.push(MskCluster {
                        origin,
                        arn: cx.attr(r.id, "Arn", r.span),
                        name: name_of(cx, r, "ClusterName"),
                        serverless,
                        iam_auth,
                        scram_auth: enabled(sasl.and_then(|s| s.get("Scram"))),
                        tls_auth: auth.and_then(|a| a.get("Tls")).map(|_| true),
                        unauthenticated: enabled(auth.and_then(|a| a.get("Unauthenticated"))),
                    });
                }
                "AWS::AmazonMQ::Broker" => {
                    self.stack.brokers.push(MqBroker {
                        origin,
                        arn: cx.attr(r.id, "Arn", r.span),
                        engine: self
                            .string(r, "EngineType")
                            .and_then(|s| s.value.as_literal().map(str::to_ascii_uppercase)),
                        publicly_accessible: self.bool_at(r.prop("PubliclyAccessible")),
                    });
                }
                "AWS::DocDB::DBCluster" => {
                    let id = cx.attr(r.id, "Ref", r.span);
                    self.stack.docdb_clusters.push(DocDbCluster {
                        origin,
                        arn: cx
                            .env
                            .regional_arn("rds", &Environment::with_prefix("cluster:", &id)),
                    });
                }
                "AWS::SecretsManager::Secret" => {
                    let kms_key = self
                        .string(r, "KmsKeyId")
                        .filter(|k| k.value.as_literal() != Some("alias/aws/secretsmanager"));
                    self.stack.secrets.push(Secret {
                        origin,
                        arn: cx.attr(r.id, "Ref", r.span),
                        kms_key,
                    });
                }
                "AWS::KMS::Key" => {
                    let arn = cx.attr(r.id, "Arn", r.span);
                    let policy = r.prop("KeyPolicy");
                    if let Some(doc) = policy {
                        self.push_resource_policy(
                            r,
                            ResourcePolicyKind::Key,
                            vec![Located::new(arn.clone(), Some(doc.span))],
                            doc,
                        );
                    }
                    self.stack.kms_keys.push(KmsKey {
                        origin,
                        arn,
                        key_id: cx.attr(r.id, "Ref", r.span),
                        aliases: Vec::new(),
                        policy_set: policy.is_some(),
                    });
                }
                "AWS::SNS::Topic" => self.stack.topics.push(SnsTopic {
                    origin,
                    arn: cx.attr(r.id, "Ref", r.span),
                }),
                "AWS::S3::Bucket" => self.stack.buckets.push(Bucket {
                    origin,
                    arn: cx.attr(r.id, "Arn", r.span),
                    name: cx.attr(r.id, "Ref", r.span),
                }),
                _ => {}
            }
        }
        // Aliases of keys declared in the template.
        for r in self.resources("AWS::KMS::Alias").collect::<Vec<_>>() {
            let (Some(alias), Some(target)) =
                (self.string(r, "AliasName"), self.string(r, "TargetKeyId"))
            else {
                continue;
            };
            let Some(alias) = alias.value.as_literal().map(str::to_string) else {
                continue;
            };
            let key_resource = target.value.refers.as_ref().map(|x| x.resource.clone());
            if let Some(key) = self
                .stack
                .kms_keys
                .iter_mut()
                .find(|k| Some(&k.origin.id) == key_resource.as_ref())
            {
                key.aliases.push(alias);
            }
        }
    }

    fn push_resource_policy(
        &mut self,
        r: &ResourceNode<'_>,
        kind: ResourcePolicyKind,
        governs: Vec<Located<SymStr>>,
        document: &Node,
    ) {
        let Some(existence) = self.existence(r) else {
            return;
        };
        let document = self.policy_document(document);
        self.stack.resource_policies.push(ResourcePolicy {
            origin: origin(r, self.provenance),
            existence,
            kind,
            governs,
            document: Some(document),
            unknown_reason: None,
        });
    }

    /// The ARN a resource-policy resource names its resource by: the ARN of the resource of
    /// the template it refers to (a queue policy lists queue URLs, a secret policy may name
    /// the secret by `Ref`), else the value as written.
    fn governed_arn(&self, value: Located<SymStr>) -> Located<SymStr> {
        let linked = value.value.refers.as_ref().and_then(|r| {
            let id = r.resource.as_str();
            let stack = &self.stack;
            stack
                .queues
                .iter()
                .find(|q| q.origin.id == id)
                .map(|q| q.arn.clone())
                .or_else(|| {
                    stack
                        .secrets
                        .iter()
                        .find(|s| s.origin.id == id)
                        .map(|s| s.arn.clone())
                })
                .or_else(|| {
                    stack
                        .streams
                        .iter()
                        .find(|s| s.origin.id == id)
                        .map(|s| s.arn.clone())
                })
                .or_else(|| {
                    stack
                        .stream_consumers
                        .iter()
                        .find(|c| c.origin.id == id)
                        .map(|c| c.arn.clone())
                })
                .or_else(|| {
                    stack
                        .msk_clusters
                        .iter()
                        .find(|c| c.origin.id == id)
                        .map(|c| c.arn.clone())
                })
        });
        match linked {
            Some(arn) => Located::new(arn, value.span),
            None => match value.value.as_literal().and_then(queue_url_arn) {
                Some(arn) => Located::new(SymStr::lit(arn), value.span),
                None => value,
            },
        }
    }

    /// `AWS::SQS::QueuePolicy`, `AWS::Kinesis::ResourcePolicy`,
    /// `AWS::SecretsManager::ResourcePolicy`, `AWS::MSK::ClusterPolicy`: each document linked
    /// to the resources it governs.
    fn resource_policies(&mut self) {
        const TYPES: [(&str, &str, &str, ResourcePolicyKind); 4] = [
            (
                "AWS::SQS::QueuePolicy",
                "Queues",
                "PolicyDocument",
                ResourcePolicyKind::Queue,
            ),
            (
                "AWS::Kinesis::ResourcePolicy",
                "ResourceArn",
                "ResourcePolicy",
                ResourcePolicyKind::Stream,
            ),
            (
                "AWS::SecretsManager::ResourcePolicy",
                "SecretId",
                "ResourcePolicy",
                ResourcePolicyKind::Secret,
            ),
            (
                "AWS::MSK::ClusterPolicy",
                "ClusterArn",
                "Policy",
                ResourcePolicyKind::Cluster,
            ),
        ];
        for (type_name, target, document, kind) in TYPES {
            for r in self.resources(type_name).collect::<Vec<_>>() {
                let Some(doc) = r.prop(document) else {
                    continue;
                };
                let targets: Vec<Located<SymStr>> = match r.prop(target) {
                    Some(node) => match self.cx.value(node).kind {
                        ValueKind::List(items) => items
                            .iter()
                            .filter_map(|item| {
                                Some(Located::new(
                                    Resolver::as_string(item)?,
                                    item.span.or(Some(node.span)),
                                ))
                            })
                            .collect(),
                        _ => self.string_at(Some(node)).into_iter().collect(),
                    },
                    None => Vec::new(),
                };
                let governs = targets.into_iter().map(|t| self.governed_arn(t)).collect();
                self.push_resource_policy(r, kind, governs, doc);
            }
        }
    }

    fn policy_document(&self, node: &Node) -> PolicyDocument {
        let value = self.cx.value(node);
        // CloudFormation also accepts a policy document written as a JSON string.
        if let Some(text) = value.as_literal() {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(text) {
                let mut v = Value::from_json(&json);
                v.span = value.span;
                return PolicyDocument { value: v.into() };
            }
        }
        PolicyDocument {
            value: value.into(),
        }
    }

    fn roles(&mut self) {
        let cx = self.cx;
        for r in self.resources("AWS::IAM::Role").collect::<Vec<_>>() {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let origin = origin(r, self.provenance);
            let mut policies = Vec::new();
            if let Some(list) = r.prop("Policies") {
                for (i, item) in list.as_seq().unwrap_or_default().iter().enumerate() {
                    let value = cx.value(item);
                    for (existence, item_value) in flatten_if(&value, None) {
                        let name = item_value
                            .get("PolicyName")
                            .and_then(Value::as_literal)
                            .map(str::to_string)
                            .unwrap_or_else(|| format!("{}.Policies[{i}]", r.id));
                        let Some(doc_node) = item.get("PolicyDocument") else {
                            continue;
                        };
                        let document = if matches!(value.kind, ValueKind::If { .. }) {
                            PolicyDocument {
                                value: item_value
                                    .get("PolicyDocument")
                                    .cloned()
                                    .unwrap_or(Value::new(ValueKind::Null, Some(item.span)))
                                    .into(),
                            }
                        } else {
                            self.policy_document(doc_node)
                        };
                        let source = self
                            .provenance
                            .policy_sources
                            .get(&(r.id.to_string(), name.clone()))
                            .cloned()
                            .unwrap_or(PolicySource::Inline);
                        policies.push(Policy {
                            origin: Origin {
                                id: r.id.to_string(),
                                span: Some(item.span),
                                generated_from: origin.generated_from.clone(),
                            },
                            existence: existence.unwrap_or_default(),
                            name,
                            source,
                            document,
                        });
                    }
                }
            }
            let mut managed_policy_arns = Vec::new();
            if let Some(list) = r.prop("ManagedPolicyArns") {
                if let ValueKind::List(items) = cx.value(list).kind {
                    for item in items {
                        if let Some(s) = Resolver::as_string(&item) {
                            managed_policy_arns.push(Located::new(s, item.span));
                        }
                    }
                } else {
                    managed_policy_arns.push(Located::new(
                        SymStr::sym(Symbol::Unknown("`ManagedPolicyArns` is not a list".into())),
                        Some(list.span),
                    ));
                }
            }
            let trust_policy = r
                .prop("AssumeRolePolicyDocument")
                .map(|n| self.policy_document(n));
            self.stack.roles.push(Role {
                origin,
                existence,
                name: {
                    let mut n = cx.attr(r.id, "Ref", r.span);
                    n.refers = None;
                    n
                },
                arn: cx.attr(r.id, "Arn", r.span),
                path: r.prop("Path").and_then(Node::as_str).map(str::to_string),
                trust_policy,
                policies,
                managed_policy_arns,
                permissions_boundary: self.string(r, "PermissionsBoundary"),
                sam_generated: self.provenance.sam_roles.iter().any(|x| x == r.id),
            });
        }
    }

    /// Standalone and customer-managed policies, attached to the roles they name.
    fn policies(&mut self) {
        let cx = self.cx;
        // Customer-managed policies referenced from `ManagedPolicyArns` of a role.
        let managed: Vec<&ResourceNode<'_>> = self.resources("AWS::IAM::ManagedPolicy").collect();
        for r in &managed {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let Some(doc) = r.prop("PolicyDocument") else {
                continue;
            };
            let policy = Policy {
                origin: origin(r, self.provenance),
                existence,
                name: r
                    .prop("ManagedPolicyName")
                    .and_then(Node::as_str)
                    .unwrap_or(r.id)
                    .to_string(),
                source: self
                    .provenance
                    .policy_sources
                    .get(&(r.id.to_string(), String::new()))
                    .cloned()
                    .unwrap_or(PolicySource::CustomerManaged),
                document: self.policy_document(doc),
            };
            let mut attached_to = Vec::new();
            // By ARN from a role's `ManagedPolicyArns`.
            for (i, role) in self.stack.roles.iter_mut().enumerate() {
                let before = role.managed_policy_arns.len();
                role.managed_policy_arns.retain(|arn| {
                    arn.value.refers.as_ref().map(|x| x.resource.as_str()) != Some(r.id)
                });
                if role.managed_policy_arns.len() != before {
                    attached_to.push(i);
                }
            }
            // By role name from the policy's `Roles`.
            for role_value in self.strings(r.prop("Roles")) {
                if let Some(RoleId(i)) = self.linker.role(&role_value) {
                    if !attached_to.contains(&i) {
                        attached_to.push(i);
                    }
                }
            }
            self.attach(policy, &attached_to);
        }
        for type_name in ["AWS::IAM::Policy", "AWS::IAM::RolePolicy"] {
            for r in self.resources(type_name).collect::<Vec<_>>() {
                let Some(existence) = self.existence(r) else {
                    continue;
                };
                let Some(doc) = r.prop("PolicyDocument") else {
                    continue;
                };
                let name = r
                    .prop("PolicyName")
                    .and_then(|n| cx.string(n))
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| r.id.to_string());
                let policy = Policy {
                    origin: origin(r, self.provenance),
                    existence,
                    name,
                    source: PolicySource::Standalone,
                    document: self.policy_document(doc),
                };
                let targets = if type_name == "AWS::IAM::Policy" {
                    self.strings(r.prop("Roles"))
                } else {
                    self.string(r, "RoleName")
                        .map(|s| s.value)
                        .into_iter()
                        .collect()
                };
                let attached_to: Vec<usize> = targets
                    .iter()
                    .filter_map(|t| self.linker.role(t).map(|RoleId(i)| i))
                    .collect();
                self.attach(policy, &attached_to);
            }
        }
    }

    fn attach(&mut self, policy: Policy, roles: &[usize]) {
        if roles.is_empty() {
            self.stack.unattached_policies.push(policy);
            return;
        }
        for &i in roles {
            if let Some(role) = self.stack.roles.get_mut(i) {
                role.policies.push(policy.clone());
            }
        }
    }

    fn functions(&mut self) {
        let cx = self.cx;
        for r in self.resources("AWS::Lambda::Function").collect::<Vec<_>>() {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let role_node = r.prop("Role");
            let role = match role_node {
                Some(n) => self.linker.role_from_arn_value(&cx.value(n)),
                None => RoleLink::Missing("the function has no `Role`".into()),
            };
            let vpc = r.prop("VpcConfig").and_then(|v| {
                let subnet_ids = self.strings(v.get("SubnetIds"));
                let security_group_ids = self.strings(v.get("SecurityGroupIds"));
                // An empty VpcConfig detaches the function from any VPC.
                if subnet_ids.is_empty() && security_group_ids.is_empty() {
                    return None;
                }
                Some(Located::new(
                    VpcConfig {
                        subnet_ids,
                        security_group_ids,
                    },
                    Some(v.span),
                ))
            });
            let dlq = r
                .prop("DeadLetterConfig")
                .and_then(|d| self.string_at(d.get("TargetArn")));
            let aliases = self
                .linker
                .qualifiers
                .iter()
                .filter(|q| {
                    self.linker
                        .functions
                        .get(q.function.0)
                        .map(|f| f.id.as_str())
                        == Some(r.id)
                })
                .map(|q| FunctionAlias {
                    origin: Origin::new(q.id.clone(), cx.template.resource(&q.id).map(|x| x.span)),
                    qualifier: q.qualifier.clone(),
                    arn: cx.attr(&q.id, "Ref", r.span),
                })
                .collect();
            let mut name = cx.attr(r.id, "Ref", r.span);
            name.refers = None;
            self.stack.functions.push(Function {
                origin: origin(r, self.provenance),
                existence,
                name,
                arn: cx.attr(r.id, "Arn", r.span),
                role,
                role_span: role_node.map(|n| n.span),
                vpc,
                dead_letter_target: dlq,
                kms_key_arn: self.string(r, "KmsKeyArn"),
                log_group: self.string_at(r.prop("LoggingConfig").and_then(|l| l.get("LogGroup"))),
                aliases,
            });
        }
    }

    fn access_configs(&self, node: Option<&Node>) -> Vec<AccessConfig> {
        let Some(list) = node.and_then(Node::as_seq) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in list {
            let Some(kind) = item.get("Type").and_then(|n| self.cx.string(n)) else {
                continue;
            };
            let uri = item
                .get("URI")
                .and_then(|n| self.cx.string(n))
                .unwrap_or_default();
            let secret_resource = self.secret_of(&uri);
            out.push(AccessConfig {
                kind: kind.to_string(),
                uri,
                span: Some(item.span),
                secret_resource,
            });
        }
        out
    }

    fn secret_of(&self, uri: &SymStr) -> Option<String> {
        if let Some(r) = &uri.refers {
            if self.stack.secret(&r.resource).is_some() {
                return Some(r.resource.clone());
            }
        }
        self.stack
            .secrets
            .iter()
            .find(|s| &s.arn == uri || (uri.is_literal() && s.arn.as_literal() == uri.as_literal()))
            .map(|s| s.origin.id.clone())
    }

    fn mappings(&mut self) {
        let cx = self.cx;
        for r in self
            .resources("AWS::Lambda::EventSourceMapping")
            .collect::<Vec<_>>()
        {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let function_node = r.prop("FunctionName");
            let function = match function_node.and_then(|n| cx.string(n)) {
                Some(f) => self.linker.function_or_external(&f),
                None => FunctionLink::External(SymStr::sym(Symbol::Unknown(
                    "the mapping has no `FunctionName`".into(),
                ))),
            };
            let source_arn = self.string(r, "EventSourceArn");
            let (kind, source_resource) =
                self.source_kind(r, source_arn.as_ref().map(|s| &s.value));
            let kafka_config = r
                .prop("AmazonManagedKafkaEventSourceConfig")
                .or(r.prop("SelfManagedKafkaEventSourceConfig"));
            let schema_registry = kafka_config
                .and_then(|k| k.get("SchemaRegistryConfig"))
                .and_then(|s| {
                    let uri = self.string_at(s.get("SchemaRegistryURI"))?;
                    Some(SchemaRegistry {
                        uri,
                        access_configs: self.access_configs(s.get("AccessConfigs")),
                    })
                });
            let bootstrap_servers = r
                .prop("SelfManagedEventSource")
                .and_then(|s| s.get("Endpoints"))
                .map(|e| self.strings(e.get("KafkaBootstrapServers")))
                .unwrap_or_default();
            self.stack.event_source_mappings.push(EventSourceMapping {
                origin: origin(r, self.provenance),
                existence,
                function,
                function_span: function_node.map(|n| n.span),
                kind,
                source_arn,
                source_resource,
                access_configs: self.access_configs(r.prop("SourceAccessConfigurations")),
                bootstrap_servers,
                topics: self.strings(r.prop("Topics")),
                queues: self.strings(r.prop("Queues")),
                consumer_group_id: kafka_config
                    .and_then(|k| k.get("ConsumerGroupId"))
                    .and_then(|n| cx.string(n)),
                schema_registry,
                on_failure: r
                    .prop("DestinationConfig")
                    .and_then(|d| d.get("OnFailure"))
                    .and_then(|o| self.string_at(o.get("Destination"))),
                filter_kms_key: self.string(r, "KmsKeyArn"),
                enabled: self.bool_at(r.prop("Enabled")),
                secrets_kms_key: self.string(r, "SecretsManagerKmsKeyId").map(|k| {
                    // SAM's SecretsManagerKmsKeyId is a key id, expanded as SAMT does.
                    if k.value.literal_prefix().starts_with("arn:") {
                        k
                    } else {
                        Located::new(cx.env.kms_key_arn(&k.value), k.span)
                    }
                }),
            });
        }
    }

    /// The source kind from the referenced resource, else the ARN's service, else other properties.
    fn source_kind(
        &self,
        r: &ResourceNode<'_>,
        arn: Option<&SymStr>,
    ) -> (SourceKind, Option<String>) {
        if r.prop("SelfManagedEventSource").is_some() {
            return (SourceKind::SelfManagedKafka, None);
        }
        if let Some(target) = arn.and_then(|a| a.refers.as_ref()) {
            if let Some(res) = self.cx.template.resource(&target.resource) {
                let kind = match (res.type_name, target.attr.as_str()) {
                    ("AWS::SQS::Queue", _) => Some(SourceKind::Sqs),
                    ("AWS::Kinesis::Stream", _) => Some(SourceKind::KinesisStream),
                    ("AWS::Kinesis::StreamConsumer", _) => Some(SourceKind::KinesisConsumer),
                    ("AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable", "StreamArn") => {
                        Some(SourceKind::DynamodbStream)
                    }
                    ("AWS::MSK::Cluster" | "AWS::MSK::ServerlessCluster", _) => {
                        Some(SourceKind::Msk)
                    }
                    ("AWS::AmazonMQ::Broker", _) => Some(
                        match self.stack.broker(res.id).and_then(|b| b.engine.as_deref()) {
                            Some("RABBITMQ") => SourceKind::MqRabbitmq,
                            Some("ACTIVEMQ") => SourceKind::MqActivemq,
                            _ => SourceKind::Mq,
                        },
                    ),
                    ("AWS::DocDB::DBCluster", _) => Some(SourceKind::Documentdb),
                    _ => None,
                };
                if let Some(kind) = kind {
                    return (kind, Some(res.id.to_string()));
                }
            }
        }
        if let Some(arn) = arn {
            if let Some(kind) = SourceKind::from_arn(arn) {
                // A literal or `Fn::Sub` ARN may still name a resource of this template.
                let resource = self.source_resource_by_arn(kind, arn);
                return (refine_mq(kind, r), resource);
            }
        }
        let kind = if r.prop("DocumentDBEventSourceConfig").is_some() {
            SourceKind::Documentdb
        } else if r.prop("Queues").is_some() {
            refine_mq(SourceKind::Mq, r)
        } else if r.prop("Topics").is_some()
            || r.prop("AmazonManagedKafkaEventSourceConfig").is_some()
        {
            SourceKind::Msk
        } else {
            SourceKind::Unknown
        };
        (kind, None)
    }

    fn source_resource_by_arn(&self, kind: SourceKind, arn: &SymStr) -> Option<String> {
        let same =
            |x: &SymStr| x == arn || (arn.is_literal() && x.as_literal() == arn.as_literal());
        match kind {
            SourceKind::Sqs => self
                .stack
                .queues
                .iter()
                .find(|q| same(&q.arn))
                .map(|q| q.origin.id.clone()),
            SourceKind::KinesisStream => self
                .stack
                .streams
                .iter()
                .find(|q| same(&q.arn))
                .map(|q| q.origin.id.clone()),
            SourceKind::DynamodbStream => self
                .stack
                .tables
                .iter()
                .find(|t| t.stream_arn.as_ref().is_some_and(same))
                .map(|t| t.origin.id.clone()),
            SourceKind::Msk => self
                .stack
                .msk_clusters
                .iter()
                .find(|c| same(&c.arn))
                .map(|c| c.origin.id.clone()),
            SourceKind::Documentdb => self
                .stack
                .docdb_clusters
                .iter()
                .find(|c| same(&c.arn))
                .map(|c| c.origin.id.clone()),
            _ => None,
        }
    }

    fn permissions(&mut self) {
        for r in self
            .resources("AWS::Lambda::Permission")
            .collect::<Vec<_>>()
        {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let function_name = self
                .string(r, "FunctionName")
                .unwrap_or(Located::new(SymStr::default(), Some(r.span)));
            let function = self.linker.function(&function_name.value);
            let qualifier = match &function {
                Some(FunctionLink::Local { qualifier, .. }) => qualifier.clone(),
                _ => None,
            };
            let missing = || Located::new(SymStr::default(), Some(r.span));
            self.stack.permissions.push(LambdaPermission {
                origin: origin(r, self.provenance),
                existence,
                function,
                function_name,
                qualifier,
                action: self.string(r, "Action").unwrap_or_else(missing),
                principal: self.string(r, "Principal").unwrap_or_else(missing),
                source_arn: self.string(r, "SourceArn"),
                source_account: self.string(r, "SourceAccount"),
                principal_org_id: self.string(r, "PrincipalOrgID"),
                event_source_token: self.string(r, "EventSourceToken"),
                function_url_auth_type: self.string(r, "FunctionUrlAuthType"),
                invoked_via_function_url: self.string(r, "InvokedViaFunctionUrl"),
                sam_generated: self.provenance.sam_permissions.iter().any(|x| x == r.id),
            });
        }
        for r in self
            .resources("AWS::Lambda::ResourcePolicy")
            .collect::<Vec<_>>()
        {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let Some(target) = self.string(r, "ResourceArn") else {
                continue;
            };
            let Some(doc) = r.prop("PolicyDocument") else {
                continue;
            };
            let doc = self.policy_document(doc);
            let function = self.linker.function(&target.value);
            let qualifier = match &function {
                Some(FunctionLink::Local { qualifier, .. }) => qualifier.clone(),
                _ => None,
            };
            for statement in statements(&doc.value) {
                if statement.get("Effect").and_then(Value::as_literal) != Some("Allow") {
                    continue;
                }
                let principal = statement.get("Principal");
                let principal_value = principal
                    .and_then(|p| p.get("Service").or(p.get("AWS")).or(Some(p)))
                    .and_then(first_string);
                let condition = statement.get("Condition");
                let cond = |op: &[&str], key: &str| -> Option<Located<SymStr>> {
                    let c = condition?;
                    op.iter().find_map(|o| {
                        let v = c.get(o)?.get_ignore_case(key)?;
                        first_string(v).map(|s| Located::new(s, v.span))
                    })
                };
                let action = statement
                    .get("Action")
                    .and_then(first_string)
                    .unwrap_or_default();
                self.stack.permissions.push(LambdaPermission {
                    origin: Origin {
                        id: r.id.to_string(),
                        span: statement.span.or(Some(r.span)),
                        generated_from: None,
                    },
                    existence: existence.clone(),
                    function: function.clone(),
                    function_name: target.clone(),
                    qualifier: qualifier.clone(),
                    action: Located::new(action, statement.span),
                    principal: Located::new(
                        principal_value.unwrap_or_default(),
                        principal.and_then(|p| p.span),
                    ),
                    source_arn: cond(
                        &["ArnLike", "ArnEquals", "StringEquals", "StringLike"],
                        "aws:SourceArn",
                    ),
                    source_account: cond(&["StringEquals", "StringLike"], "aws:SourceAccount"),
                    principal_org_id: cond(&["StringEquals", "StringLike"], "aws:PrincipalOrgID"),
                    event_source_token: None,
                    function_url_auth_type: cond(&["StringEquals"], "lambda:FunctionUrlAuthType"),
                    invoked_via_function_url: cond(&["Bool"], "lambda:InvokedViaFunctionUrl"),
                    sam_generated: false,
                });
            }
        }
        for r in self
            .resources("AWS::Lambda::EventInvokeConfig")
            .collect::<Vec<_>>()
        {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let Some(function) = self.string(r, "FunctionName") else {
                continue;
            };
            let dest = r.prop("DestinationConfig");
            self.stack.event_invoke_configs.push(EventInvokeConfig {
                origin: origin(r, self.provenance),
                existence,
                function: self.linker.function_or_external(&function.value),
                on_success: dest
                    .and_then(|d| d.get("OnSuccess"))
                    .and_then(|o| self.string_at(o.get("Destination"))),
                on_failure: dest
                    .and_then(|d| d.get("OnFailure"))
                    .and_then(|o| self.string_at(o.get("Destination"))),
            });
        }
        for r in self.resources("AWS::Lambda::Url").collect::<Vec<_>>() {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let (Some(target), Some(auth)) = (
                self.string(r, "TargetFunctionArn"),
                self.string(r, "AuthType"),
            ) else {
                continue;
            };
            let mut function = self.linker.function_or_external(&target.value);
            if let (FunctionLink::Local { qualifier, .. }, Some(q)) =
                (&mut function, self.string(r, "Qualifier"))
            {
                *qualifier = Some(q.value);
            }
            self.stack.function_urls.push(FunctionUrl {
                origin: origin(r, self.provenance),
                existence,
                function,
                auth_type: auth,
            });
        }
    }

    fn trigger(
        &mut self,
        r: &ResourceNode<'_>,
        existence: &Existence,
        kind: PushKind,
        function: Located<SymStr>,
        source_arn: Option<SymStr>,
        uses_role: bool,
    ) {
        let Some(link) = self.linker.function(&function.value).or_else(|| {
            // Only a value that looks like a function ARN is a function defined elsewhere.
            (function.value.flat_text().contains(":function:")
                || function.value.flat_text().contains(":lambda:path/"))
            .then(|| FunctionLink::External(function.value.clone()))
        }) else {
            return;
        };
        self.stack.push_triggers.push(PushTrigger {
            origin: origin(r, self.provenance),
            existence: existence.clone(),
            kind,
            function: link,
            function_span: function.span,
            source_arn,
            source_account: None,
            uses_role,
            sam_generated: self.provenance.sam_triggers.iter().any(|x| x == r.id),
        });
    }

    fn triggers(&mut self) {
        let cx = self.cx;
        let all: Vec<&ResourceNode<'_>> = cx.template.resources.iter().collect();
        for r in all {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            match r.type_name {
                "AWS::S3::Bucket" => {
                    let Some(configs) = r
                        .prop("NotificationConfiguration")
                        .and_then(|n| n.get("LambdaConfigurations"))
                    else {
                        continue;
                    };
                    // SAM writes the configuration of a conditional function inside `Fn::If`:
                    // each branch is a trigger that exists only under its condition.
                    let mut functions = Vec::new();
                    lambda_functions(&cx.value(configs), None, &mut functions);
                    for (f, guard) in functions {
                        let arn = cx.attr(r.id, "Arn", r.span);
                        let existence = match (&existence, guard) {
                            (Existence::Always, Some((c, true))) => Existence::IfCondition(c),
                            (Existence::Always, Some((c, false))) => {
                                Existence::IfCondition(format!("!{c}"))
                            }
                            (other, _) => other.clone(),
                        };
                        self.trigger(r, &existence, PushKind::S3, f, Some(arn), false);
                    }
                }
                "AWS::SNS::Subscription" => {
                    let protocol = self
                        .string(r, "Protocol")
                        .and_then(|p| p.value.as_literal().map(str::to_ascii_lowercase));
                    if protocol.as_deref() == Some("lambda") {
                        if let Some(f) = self.string(r, "Endpoint") {
                            let topic = self.string(r, "TopicArn").map(|t| t.value);
                            self.trigger(r, &existence, PushKind::Sns, f, topic, false);
                        }
                    }
                }
                "AWS::SNS::Topic" => {
                    for s in r
                        .prop("Subscription")
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                    {
                        let protocol = s.get("Protocol").and_then(|n| cx.string(n));
                        if protocol
                            .as_ref()
                            .and_then(SymStr::as_literal)
                            .map(str::to_ascii_lowercase)
                            .as_deref()
                            == Some("lambda")
                        {
                            if let Some(f) = self.string_at(s.get("Endpoint")) {
                                let topic = cx.attr(r.id, "Ref", r.span);
                                self.trigger(r, &existence, PushKind::Sns, f, Some(topic), false);
                            }
                        }
                    }
                }
                "AWS::Events::Rule" => {
                    for t in r.prop("Targets").and_then(Node::as_seq).unwrap_or_default() {
                        if let Some(f) = self.string_at(t.get("Arn")) {
                            if f.value.flat_text().contains(":lambda:")
                                || self.linker.function(&f.value).is_some()
                            {
                                let rule = cx.attr(r.id, "Arn", r.span);
                                self.trigger(
                                    r,
                                    &existence,
                                    PushKind::EventBridge,
                                    f,
                                    Some(rule),
                                    false,
                                );
                            }
                        }
                    }
                }
                "AWS::Logs::SubscriptionFilter" => {
                    if let Some(f) = self.string(r, "DestinationArn") {
                        if f.value.flat_text().contains(":lambda:")
                            || self.linker.function(&f.value).is_some()
                        {
                            let group = self
                                .string(r, "LogGroupName")
                                .map(|g| cx.env.log_group_arn(&g.value));
                            self.trigger(r, &existence, PushKind::CloudwatchLogs, f, group, false);
                        }
                    }
                }
                "AWS::ApiGateway::Method" => {
                    let Some(integration) = r.prop("Integration") else {
                        continue;
                    };
                    let kind = integration.get("Type").and_then(|n| cx.string(n));
                    if !matches!(
                        kind.as_ref().and_then(SymStr::as_literal),
                        Some("AWS" | "AWS_PROXY")
                    ) {
                        continue;
                    }
                    if let Some(uri) = self.string_at(integration.get("Uri")) {
                        let uses_role = integration.get("Credentials").is_some();
                        let api = r.prop("RestApiId").and_then(|n| cx.string(n));
                        let source = api.map(|api| {
                            let mut s = SymStr::lit("");
                            s.push(&api);
                            s.push_lit("/*");
                            cx.env.regional_arn("execute-api", &s)
                        });
                        self.trigger(r, &existence, PushKind::ApiGateway, uri, source, uses_role);
                    }
                }
                "AWS::ApiGatewayV2::Integration" => {
                    let kind = self.string(r, "IntegrationType");
                    if kind.as_ref().and_then(|k| k.value.as_literal()) != Some("AWS_PROXY") {
                        continue;
                    }
                    if let Some(uri) = self.string(r, "IntegrationUri") {
                        let uses_role = r.prop("CredentialsArn").is_some();
                        let api = self.string(r, "ApiId").map(|a| {
                            let mut s = a.value;
                            s.refers = None;
                            s.push_lit("/*");
                            cx.env.regional_arn("execute-api", &s)
                        });
                        self.trigger(r, &existence, PushKind::ApiGateway, uri, api, uses_role);
                    }
                }
                "AWS::IoT::TopicRule" => {
                    let actions = r
                        .prop("TopicRulePayload")
                        .and_then(|p| p.get("Actions"))
                        .and_then(Node::as_seq)
                        .unwrap_or_default();
                    for a in actions {
                        if let Some(f) = a
                            .get("Lambda")
                            .and_then(|l| self.string_at(l.get("FunctionArn")))
                        {
                            let rule = cx.env.regional_arn(
                                "iot",
                                &Environment::with_prefix("rule/", &name_of(cx, r, "RuleName")),
                            );
                            self.trigger(r, &existence, PushKind::Iot, f, Some(rule), false);
                        }
                    }
                }
                "AWS::Cognito::UserPool" => {
                    let Some(config) = r.prop("LambdaConfig").and_then(Node::as_map) else {
                        continue;
                    };
                    for (key, value) in config {
                        if &*key.text == "KMSKeyID" {
                            continue;
                        }
                        // `CustomSMSSender`, `CustomEmailSender`, `PreTokenGenerationConfig` hold `LambdaArn`.
                        let target = value.get("LambdaArn").unwrap_or(value);
                        if let Some(f) = self.string_at(Some(target)) {
                            let pool = cx.attr(r.id, "Arn", r.span);
                            self.trigger(r, &existence, PushKind::Cognito, f, Some(pool), false);
                        }
                    }
                }
                "AWS::ElasticLoadBalancingV2::TargetGroup" => {
                    let target_type = self.string(r, "TargetType");
                    if target_type.as_ref().and_then(|t| t.value.as_literal()) != Some("lambda") {
                        continue;
                    }
                    for t in r.prop("Targets").and_then(Node::as_seq).unwrap_or_default() {
                        if let Some(f) = self.string_at(t.get("Id")) {
                            let tg = cx.attr(r.id, "Ref", r.span);
                            self.trigger(r, &existence, PushKind::Alb, f, Some(tg), false);
                        }
                    }
                }
                "AWS::SES::ReceiptRule" => {
                    let rule = r.prop("Rule");
                    // SES invokes with the rule's ARN,
                    // `receipt-rule-set/RULE_SET:receipt-rule/RULE` (SES Developer Guide,
                    // "Giving permissions to Amazon SES for email receiving",
                    // <https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html>);
                    // a rule without `Name` gets a generated one.
                    let source = r.prop("RuleSetName").and_then(|n| cx.string(n)).map(|set| {
                        let mut arn = Environment::with_prefix("receipt-rule-set/", &set);
                        arn.push_lit(":receipt-rule/");
                        match rule.and_then(|p| p.get("Name")).and_then(|n| cx.string(n)) {
                            Some(name) => arn.push(&name),
                            None => arn.push_sym(Symbol::PhysicalName {
                                resource: r.id.to_string(),
                            }),
                        }
                        cx.env.regional_arn("ses", &arn)
                    });
                    let actions = rule
                        .and_then(|p| p.get("Actions"))
                        .and_then(Node::as_seq)
                        .unwrap_or_default();
                    for a in actions {
                        if let Some(f) = a
                            .get("LambdaAction")
                            .and_then(|l| self.string_at(l.get("FunctionArn")))
                        {
                            self.trigger(r, &existence, PushKind::Ses, f, source.clone(), false);
                        }
                    }
                }
                "AWS::Config::ConfigRule" => {
                    let source = r.prop("Source");
                    let owner = source
                        .and_then(|s| s.get("Owner"))
                        .and_then(|n| cx.string(n));
                    if owner.as_ref().and_then(SymStr::as_literal) == Some("CUSTOM_LAMBDA") {
                        if let Some(f) =
                            source.and_then(|s| self.string_at(s.get("SourceIdentifier")))
                        {
                            self.trigger(r, &existence, PushKind::Config, f, None, false);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn connectors(&mut self) {
        let cx = self.cx;
        for r in self
            .resources("AWS::KafkaConnect::Connector")
            .collect::<Vec<_>>()
        {
            let Some(existence) = self.existence(r) else {
                continue;
            };
            let Some(role_node) = r.prop("ServiceExecutionRoleArn") else {
                continue;
            };
            let role_value = cx.value(role_node);
            let role = self.linker.role_from_arn_value(&role_value);
            let bootstrap = r
                .prop("KafkaCluster")
                .and_then(|k| k.get("ApacheKafkaCluster"))
                .and_then(|a| a.get("BootstrapServers"))
                .and_then(|n| cx.string(n));
            let cluster_resource = bootstrap
                .as_ref()
                .and_then(|b| b.refers.as_ref())
                .filter(|x| self.stack.msk_cluster(&x.resource).is_some())
                .map(|x| x.resource.clone());
            let cluster_arn = cluster_resource
                .as_ref()
                .and_then(|c| self.stack.msk_cluster(c))
                .map(|c| c.arn.clone());
            let name = self
                .string(r, "ConnectorName")
                .map(|n| n.value)
                .unwrap_or_else(|| {
                    SymStr::sym(Symbol::Unknown(format!(
                        "connector `{}` has no `ConnectorName`",
                        r.id
                    )))
                });
            let configuration = r
                .prop("ConnectorConfiguration")
                .map(|n| cx.value(n))
                .and_then(|v| match v.kind {
                    ValueKind::Map(entries) => Some(entries),
                    _ => None,
                })
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(key, value)| {
                    let span = value.span;
                    Some((key.text, Located::new(value.as_symstr()?.clone(), span)))
                })
                .collect();
            self.stack.connectors.push(MskConnector {
                origin: origin(r, self.provenance),
                existence,
                name,
                role,
                role_arn: Located::new(
                    Resolver::as_string(&role_value).unwrap_or_default(),
                    Some(role_node.span),
                ),
                authentication_type: r
                    .prop("KafkaClusterClientAuthentication")
                    .and_then(|a| self.string_at(a.get("AuthenticationType"))),
                bootstrap_servers: bootstrap,
                cluster_resource,
                cluster_arn,
                configuration,
            });
        }
    }
}

fn refine_mq(kind: SourceKind, r: &ResourceNode<'_>) -> SourceKind {
    if kind != SourceKind::Mq {
        return kind;
    }
    // RabbitMQ mappings name a virtual host; ActiveMQ ones never do (CFNLINT SourceAccessConfiguration).
    let has_vhost = r
        .prop("SourceAccessConfigurations")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .any(|c| c.get("Type").and_then(Node::as_str) == Some("VIRTUAL_HOST"));
    if has_vhost {
        SourceKind::MqRabbitmq
    } else {
        SourceKind::Mq
    }
}

fn first_string(v: &Value) -> Option<SymStr> {
    match &v.kind {
        ValueKind::Str(s) => Some(s.clone()),
        ValueKind::List(items) => items.first().and_then(first_string),
        _ => None,
    }
}

/// The statements of a policy document value.
fn statements(doc: &Value) -> Vec<&Value> {
    match doc.get("Statement").map(|s| &s.kind) {
        Some(ValueKind::List(items)) => items.iter().collect(),
        Some(ValueKind::Map(_)) => doc.get("Statement").into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The alternatives of a value under undecided `Fn::If`s, each with the condition it needs.
fn flatten_if(value: &Value, existence: Option<Existence>) -> Vec<(Option<Existence>, &Value)> {
    match &value.kind {
        ValueKind::If {
            condition,
            then,
            otherwise,
        } => {
            let mut out = flatten_if(then, Some(Existence::IfCondition(condition.clone())));
            out.extend(flatten_if(
                otherwise,
                Some(Existence::IfCondition(format!("!{condition}"))),
            ));
            out
        }
        ValueKind::NoValue | ValueKind::Null => Vec::new(),
        _ => vec![(existence, value)],
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{ResourcePolicyKind, Stack};
    use crate::readers::{self, ReadOutcome};
    use crate::source::SourceFile;

    fn stack(text: &str) -> (Stack, SourceFile) {
        let file = SourceFile::new("template.yaml", text.to_string());
        match readers::read(&file, true) {
            Ok(Some(ReadOutcome::Stack { stack, .. })) => (*stack, file),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn resource_policies_link_to_what_they_govern() {
        let (s, file) = stack(
            r#"
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy: '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}'
  PlainKey:
    Type: AWS::KMS::Key
  Queue:
    Type: AWS::SQS::Queue
  QueuePolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Queue, "https://sqs.eu-west-1.amazonaws.com/123456789012/other"]
      PolicyDocument: { Statement: [] }
  Stream:
    Type: AWS::Kinesis::Stream
  StreamPolicy:
    Type: AWS::Kinesis::ResourcePolicy
    Properties:
      ResourceArn: !GetAtt Stream.Arn
      ResourcePolicy: { Statement: [] }
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      ResourcePolicy: { PolicyDocument: { Statement: [] } }
      StreamSpecification:
        StreamViewType: KEYS_ONLY
        ResourcePolicy: { PolicyDocument: { Statement: [] } }
  Secret:
    Type: AWS::SecretsManager::Secret
  SecretPolicy:
    Type: AWS::SecretsManager::ResourcePolicy
    Properties:
      SecretId: !Ref Secret
      ResourcePolicy: { Statement: [] }
  Cluster:
    Type: AWS::MSK::Cluster
  ClusterPolicy:
    Type: AWS::MSK::ClusterPolicy
    Properties:
      ClusterArn: !Ref Cluster
      Policy: { Statement: [] }
"#,
        );
        let got: Vec<(&str, ResourcePolicyKind, Vec<String>)> = s
            .resource_policies
            .iter()
            .map(|p| {
                (
                    p.origin.id.as_str(),
                    p.kind,
                    p.governs.iter().map(|g| g.value.to_string()).collect(),
                )
            })
            .collect();
        let arn = |service: &str, resource: &str| {
            format!("arn:aws:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")
        };
        assert_eq!(
            got,
            vec![
                (
                    "Key",
                    ResourcePolicyKind::Key,
                    vec![arn("kms", "key/${Key.KeyId}")]
                ),
                (
                    "Table",
                    ResourcePolicyKind::Table,
                    vec![arn("dynamodb", "table/${Table}")]
                ),
                (
                    "Table",
                    ResourcePolicyKind::TableStream,
                    vec![arn(
                        "dynamodb",
                        "table/${Table}/stream/${Table.StreamLabel}"
                    )]
                ),
                (
                    "QueuePolicy",
                    ResourcePolicyKind::Queue,
                    vec![
                        arn("sqs", "${Queue}"),
                        "arn:aws:sqs:eu-west-1:123456789012:other".to_string()
                    ]
                ),
                (
                    "StreamPolicy",
                    ResourcePolicyKind::Stream,
                    vec![arn("kinesis", "stream/${Stream}")]
                ),
                (
                    "SecretPolicy",
                    ResourcePolicyKind::Secret,
                    vec![arn(
                        "secretsmanager",
                        "secret:${Secret}-${Secret.RandomSuffix}"
                    )]
                ),
                (
                    "ClusterPolicy",
                    ResourcePolicyKind::Cluster,
                    vec![arn("kafka", "cluster/${Cluster}/${Cluster.ClusterUuid}")]
                ),
            ]
        );
        // Every policy keeps where it is written.
        for p in &s.resource_policies {
            let span = p.origin.span.unwrap();
            assert!(
                file.text[span.start as usize..].starts_with(&p.origin.id),
                "{}",
                p.origin.id
            );
            assert!(
                p.governs.iter().all(|g| g.span.is_some()),
                "{}",
                p.origin.id
            );
        }
        let key = |id: &str| s.kms_keys.iter().find(|k| k.origin.id == id).unwrap();
        assert!(key("Key").policy_set);
        assert!(!key("PlainKey").policy_set);
    }
}
