//! The resource model: one [`Stack`] per input file, whatever its format.
//!
//! Input: nothing (readers build it). Output: plain data that `iam/` and `checks/` read.
//! Invariants: every item carries an [`Origin`] (logical id or Terraform address, and a span
//! in the stack's file when the file has lines); links between items are indices into the
//! stack's vectors, resolved by the reader, or an explicit "external / unresolved" variant
//! with the symbolic value and the reason. Nothing here knows about YAML, JSON or HCL.

pub mod arn;
pub mod order;
pub mod value;

pub use arn::Environment;
pub use order::{DeployOrder, EdgeKind, OrderEdge, PolicyAttachment};
pub use value::{AttrRef, MapKey, Part, Pseudo, SymStr, Symbol, Value, ValueKind};

use std::sync::Arc;

use crate::source::Span;

/// The kind of input a stack came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputFormat {
    Cloudformation,
    Sam,
    TerraformPlan,
    TerraformState,
}

/// Where an item comes from.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Origin {
    /// Logical id (CloudFormation/SAM) or resource address (Terraform). For items SAM generates,
    /// the logical id SAM gives them (`MyFunctionRole`, `MyFunctionMySqsEvent`).
    pub id: String,
    /// The span that best shows the item (the resource, or the property that defines it).
    pub span: Option<Span>,
    /// For SAM-generated items: the logical id of the SAM resource they were expanded from.
    pub generated_from: Option<String>,
}

impl Origin {
    pub fn new(id: impl Into<String>, span: Option<Span>) -> Origin {
        Origin {
            id: id.into(),
            span,
            generated_from: None,
        }
    }
}

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub span: Option<Span>,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Option<Span>) -> Located<T> {
        Located { value, span }
    }
}

/// Index of a [`Function`] in [`Stack::functions`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunctionId(pub usize);
/// Index of a [`Role`] in [`Stack::roles`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleId(pub usize);

/// Whether an item exists, given the template's `Conditions`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Existence {
    #[default]
    Always,
    /// Exists only when the named condition holds, which the input does not decide.
    IfCondition(String),
}

/// One input file's resources.
#[derive(Debug, Default)]
pub struct Stack {
    /// Where the stack is deployed, as far as the input says (partition, region, account).
    pub env: Environment,
    pub functions: Vec<Function>,
    pub event_source_mappings: Vec<EventSourceMapping>,
    pub roles: Vec<Role>,
    /// Policies whose role attachment could not be resolved to a role in this stack
    /// (kept for the inventory and for "policy attached to nothing" notes).
    pub unattached_policies: Vec<Policy>,
    pub permissions: Vec<LambdaPermission>,
    pub push_triggers: Vec<PushTrigger>,
    pub event_invoke_configs: Vec<EventInvokeConfig>,
    pub function_urls: Vec<FunctionUrl>,
    pub connectors: Vec<MskConnector>,
    pub secrets: Vec<Secret>,
    pub kms_keys: Vec<KmsKey>,
    pub queues: Vec<Queue>,
    pub streams: Vec<KinesisStream>,
    pub stream_consumers: Vec<KinesisConsumer>,
    pub tables: Vec<DynamoTable>,
    pub msk_clusters: Vec<MskCluster>,
    pub brokers: Vec<MqBroker>,
    pub docdb_clusters: Vec<DocDbCluster>,
    pub topics: Vec<SnsTopic>,
    pub buckets: Vec<Bucket>,
    /// Policies attached to resources (key policies, queue policies, ...), each linked to the
    /// ARNs of the resources it governs.
    pub resource_policies: Vec<ResourcePolicy>,
    /// Which resource the deploy creates after which (`DependsOn`, references).
    pub order: DeployOrder,
    /// Problems that did not stop the reading (an errored plan, an attribute of an unexpected
    /// type): the stack is usable but may be incomplete.
    pub diagnostics: Vec<crate::diag::FileError>,
    /// Suppressions written in the input itself (`Metadata.permgate.ignore` of a template or
    /// of a resource).
    pub suppressions: Vec<InlineSuppression>,
    /// A template's parameters and where their values come from (empty for plans).
    pub parameters: Vec<TemplateParameter>,
    /// What the template gives the rest of its application and asks of it: outputs, exports,
    /// imports and nested stacks (empty for plans).
    pub links: StackLinks,
    /// Logical id → the CDK construct path of the resource (`Metadata.aws:cdk:path`).
    pub construct_paths: std::collections::BTreeMap<String, String>,
    /// Logical id → the `serverless.yml` function it derives from, for a template compiled by
    /// the Serverless Framework.
    pub serverless_functions: std::collections::BTreeMap<String, String>,
    /// What the other templates of the application hold for the values this one receives
    /// from them (empty when the template is read alone).
    pub application: Application,
}

/// The resources of other templates of the application that a template's values name (a
/// queue imported by `Fn::ImportValue`, a stream a parent passes), as this template sees
/// them: their ARNs and symbols name the owning stack (`QueueStack/Queue`), and they carry no
/// spans, which point into another file.
#[derive(Debug, Default, Clone)]
pub struct Application {
    /// The resource policies of those templates (queue, stream, key... policies).
    pub resource_policies: Vec<ResourcePolicy>,
    /// The ARNs of those templates' resources that can carry a resource policy: one without a
    /// policy in `resource_policies` has none.
    pub resources: Vec<SymStr>,
    /// The keys of those templates that set no key policy, by name (`KeyStack/Key`) and ARN:
    /// KMS gives each the default key policy, which delegates to the account (KMS-DEFAULT).
    pub default_keys: Vec<(String, SymStr)>,
}

/// A template's ties to the other templates of its application, as the template states them.
#[derive(Debug, Default, Clone)]
pub struct StackLinks {
    /// `Outputs`, in template order: the values a parent stack reads with
    /// `Fn::GetAtt Child.Outputs.Name`.
    pub outputs: Vec<Output>,
    /// Every export name `Fn::ImportValue` asks for, where it is asked.
    pub imports: Vec<Located<String>>,
    /// `AWS::CloudFormation::Stack` and SAM `AWS::Serverless::Application` resources.
    pub nested: Vec<NestedStack>,
}

/// One entry of a template's `Outputs`.
#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub value: SymStr,
    /// `Export.Name`, resolved as far as the template allows.
    pub export: Option<Located<SymStr>>,
    pub span: Option<Span>,
}

/// A stack deployed from inside this one.
#[derive(Debug, Clone)]
pub struct NestedStack {
    /// The logical id of the `AWS::CloudFormation::Stack` (or SAM application).
    pub id: String,
    /// Where the child template is, as the template says it.
    pub template: NestedTemplate,
    /// The parameters passed to the child, resolved in this stack.
    pub parameters: Vec<(String, SymStr)>,
    pub span: Option<Span>,
}

/// Where a nested stack's template is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NestedTemplate {
    /// A path relative to the parent template (CDK asset metadata, `sam build`,
    /// `aws cloudformation package` inputs).
    Local(String),
    /// An `https://` or `s3://` URL: not on disk.
    Remote(String),
    /// The location is not a literal (or is missing), with the reason.
    Unknown(String),
}

/// A suppression written in the input: `Metadata: {permgate: {ignore: [{id, reason}]}}` at the
/// template's top level or on a resource, or a `# permgate:ignore` comment in the Terraform
/// source of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct InlineSuppression {
    /// The check id or slug as written (`PG101`, `esm-sqs-permissions`).
    pub check: Located<String>,
    /// Why the finding is accepted; never empty (the reader refuses a suppression without one).
    pub reason: String,
    /// `YYYY-MM-DD`: after this day the suppression lapses.
    pub until: Option<Located<String>>,
    /// `None` for the whole template; otherwise the resource's logical id followed by the ids
    /// of every resource SAM generates from it (they carry the suppression too). For a
    /// Terraform comment, the configuration address of its block, which covers every instance
    /// planned from it.
    pub resources: Option<Vec<String>>,
    /// The entry in the `ignore` list.
    pub span: Option<Span>,
    /// Where the suppression is written when that is not the input itself (a `.tf` comment
    /// beside a plan); its spans above are then `None`.
    pub location: Option<crate::diag::Location>,
}

/// One parameter of a CloudFormation or SAM template and the provenance of its value.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateParameter {
    pub name: String,
    pub value: ParameterValue,
}

/// Where the value a template is audited with comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum ParameterValue {
    /// Given for the deploy (command line, parameters file, samconfig): certain.
    Given { value: String, origin: String },
    /// Only the parameter's `Default`: the value if deployed with the default, an assumption.
    /// `references` are the spans of the `Ref`s and `${…}` that use it.
    Default {
        value: String,
        span: Span,
        references: Vec<Span>,
    },
    /// Neither given nor defaulted: symbolic.
    Unset,
}

impl Stack {
    /// The parameters whose value is only their default and that the template uses.
    pub fn assumed_defaults(&self) -> impl Iterator<Item = (&str, &str, &[Span])> {
        self.parameters.iter().filter_map(|p| match &p.value {
            ParameterValue::Default {
                value, references, ..
            } if !references.is_empty() => {
                Some((p.name.as_str(), value.as_str(), references.as_slice()))
            }
            _ => None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Lambda

#[derive(Clone, Debug, PartialEq)]
pub struct Function {
    pub origin: Origin,
    pub existence: Existence,
    /// The function name (`FunctionName`, or the generated name).
    pub name: SymStr,
    pub arn: SymStr,
    pub role: RoleLink,
    /// Where `Role` is written.
    pub role_span: Option<Span>,
    pub vpc: Option<Located<VpcConfig>>,
    pub dead_letter_target: Option<Located<SymStr>>,
    pub kms_key_arn: Option<Located<SymStr>>,
    /// `LoggingConfig.LogGroup`: a log group other than `/aws/lambda/<name>`.
    pub log_group: Option<Located<SymStr>>,
    /// Aliases and published versions declared for this function, by logical id / address,
    /// with their ARN (used to match qualified targets and permissions).
    pub aliases: Vec<FunctionAlias>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FunctionAlias {
    pub origin: Origin,
    /// Alias name or version number.
    pub qualifier: SymStr,
    pub arn: SymStr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VpcConfig {
    pub subnet_ids: Vec<SymStr>,
    pub security_group_ids: Vec<SymStr>,
}

/// What a function's (or connector's) role reference resolves to.
#[derive(Clone, Debug, PartialEq)]
pub enum RoleLink {
    /// A role in this stack.
    Local(RoleId),
    /// A role defined elsewhere (an ARN literal, a parameter, an import): its policies are unknown.
    External(SymStr),
    /// `Fn::If` between two roles, or anything else with more than one candidate.
    OneOf(Vec<RoleLink>),
    /// No role given or the value could not be read, with the reason.
    Missing(String),
}

/// What a reference to a function resolves to.
#[derive(Clone, Debug, PartialEq)]
pub enum FunctionLink {
    Local {
        function: FunctionId,
        /// Alias name or version when the reference is qualified.
        qualifier: Option<SymStr>,
    },
    /// A function defined elsewhere.
    External(SymStr),
}

// ---------------------------------------------------------------------------------------------
// Event source mappings

/// The kind of source a mapping polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Sqs,
    KinesisStream,
    KinesisConsumer,
    DynamodbStream,
    Msk,
    SelfManagedKafka,
    MqActivemq,
    MqRabbitmq,
    /// Amazon MQ whose engine the input does not say.
    Mq,
    Documentdb,
    /// A source whose kind the input does not determine.
    Unknown,
}

impl SourceKind {
    /// The source kind from an ARN's service segment (`arn:<partition>:<service>:…`, research
    /// spec §1).
    pub fn from_arn(arn: &SymStr) -> Option<SourceKind> {
        let text = arn.flat_text();
        let mut segments = text.split(':');
        if segments.next()? != "arn" {
            return None;
        }
        let _partition = segments.next()?;
        let service = segments.next()?;
        let resource = segments.skip(2).collect::<Vec<_>>().join(":");
        Some(match service {
            "sqs" => SourceKind::Sqs,
            "kinesis" if resource.contains("/consumer/") => SourceKind::KinesisConsumer,
            "kinesis" => SourceKind::KinesisStream,
            "dynamodb" => SourceKind::DynamodbStream,
            "kafka" => SourceKind::Msk,
            "mq" => SourceKind::Mq,
            "rds" => SourceKind::Documentdb,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventSourceMapping {
    pub origin: Origin,
    pub existence: Existence,
    pub function: FunctionLink,
    pub function_span: Option<Span>,
    pub kind: SourceKind,
    /// `EventSourceArn`; `None` for self-managed Kafka.
    pub source_arn: Option<Located<SymStr>>,
    /// Logical id / address of the source resource when it is in this stack
    /// (queue, stream, consumer, table, cluster, broker).
    pub source_resource: Option<String>,
    pub access_configs: Vec<AccessConfig>,
    /// Kafka bootstrap servers (self-managed Kafka).
    pub bootstrap_servers: Vec<SymStr>,
    pub topics: Vec<SymStr>,
    pub queues: Vec<SymStr>,
    pub consumer_group_id: Option<SymStr>,
    pub schema_registry: Option<SchemaRegistry>,
    pub on_failure: Option<Located<SymStr>>,
    /// `KmsKeyArn`: the key that encrypts the filter criteria.
    pub filter_kms_key: Option<Located<SymStr>>,
    pub enabled: Option<bool>,
    /// SAM `SecretsManagerKmsKeyId`, expanded to a key ARN.
    pub secrets_kms_key: Option<Located<SymStr>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AccessConfig {
    /// `BASIC_AUTH`, `SASL_SCRAM_512_AUTH`, `VPC_SUBNET`, ...
    pub kind: String,
    pub uri: SymStr,
    pub span: Option<Span>,
    /// Logical id / address of the secret when the URI names a secret in this stack.
    pub secret_resource: Option<String>,
}

impl AccessConfig {
    /// Access configuration types whose URI is a Secrets Manager secret (spec §1.9.1, CFNLINT, SAMT).
    pub const SECRET_TYPES: &'static [&'static str] = &[
        "BASIC_AUTH",
        "SASL_SCRAM_256_AUTH",
        "SASL_SCRAM_512_AUTH",
        "CLIENT_CERTIFICATE_TLS_AUTH",
        "SERVER_ROOT_CA_CERTIFICATE",
        "OAUTHBEARER_AUTH",
    ];

    pub fn is_secret(&self) -> bool {
        Self::SECRET_TYPES.contains(&self.kind.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SchemaRegistry {
    pub uri: Located<SymStr>,
    pub access_configs: Vec<AccessConfig>,
}

// ---------------------------------------------------------------------------------------------
// IAM

#[derive(Clone, Debug, PartialEq)]
pub struct Role {
    pub origin: Origin,
    pub existence: Existence,
    /// `RoleName`, or the generated name.
    pub name: SymStr,
    pub arn: SymStr,
    pub path: Option<String>,
    pub trust_policy: Option<PolicyDocument>,
    /// Every identity policy that applies to the role and whose document is in the input:
    /// inline policies, standalone policies attached to it, customer-managed policies in the
    /// stack, SAM-generated and SAM policy-template statements.
    pub policies: Vec<Policy>,
    /// Managed policy ARNs whose document is not in the stack (AWS managed ones are resolved
    /// by `iam::managed`; anything else is unknown).
    pub managed_policy_arns: Vec<Located<SymStr>>,
    pub permissions_boundary: Option<Located<SymStr>>,
    /// Set when SAM created this role for a function.
    pub sam_generated: bool,
}

/// Where a policy document comes from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicySource {
    /// `AWS::IAM::Role.Policies[]` / `aws_iam_role.inline_policy`.
    Inline,
    /// `AWS::IAM::Policy`, `AWS::IAM::RolePolicy`, `aws_iam_role_policy`.
    Standalone,
    /// `AWS::IAM::ManagedPolicy` / `aws_iam_policy` in the input.
    CustomerManaged,
    /// Written by the SAM transform (event-source statements, `Policies` entries).
    SamGenerated,
    /// A SAM policy template (`SQSPollerPolicy`, ...), expanded.
    SamPolicyTemplate,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub origin: Origin,
    pub existence: Existence,
    /// `PolicyName`, SAM's generated name, or the template name.
    pub name: String,
    pub source: PolicySource,
    pub document: PolicyDocument,
}

/// A policy document as written (statements are parsed by `iam::policy`).
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDocument {
    /// Shared, so that equal documents are one tree: a plan can give ten thousand roles the
    /// same trust policy, or attach one managed policy to all of them.
    pub value: Arc<Value>,
}

/// `AWS::Lambda::Permission` / `aws_lambda_permission`, or one statement of a resource policy.
#[derive(Clone, Debug, PartialEq)]
pub struct LambdaPermission {
    pub origin: Origin,
    pub existence: Existence,
    pub function: Option<FunctionLink>,
    pub function_name: Located<SymStr>,
    /// Terraform `qualifier`, or the qualifier parsed from a qualified `FunctionName`.
    pub qualifier: Option<SymStr>,
    pub action: Located<SymStr>,
    pub principal: Located<SymStr>,
    pub source_arn: Option<Located<SymStr>>,
    pub source_account: Option<Located<SymStr>>,
    pub principal_org_id: Option<Located<SymStr>>,
    pub event_source_token: Option<Located<SymStr>>,
    pub function_url_auth_type: Option<Located<SymStr>>,
    /// `InvokedViaFunctionUrl` / `invoked_via_function_url` / the `lambda:InvokedViaFunctionUrl`
    /// condition: when true, the statement applies only to invocations through a function URL
    /// (CFNLINT `AWS::Lambda::Permission`).
    pub invoked_via_function_url: Option<Located<SymStr>>,
    /// True when SAM generated this permission for a push event.
    pub sam_generated: bool,
}

// ---------------------------------------------------------------------------------------------
// Push triggers, async configuration, URLs

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PushKind {
    S3,
    Sns,
    EventBridge,
    CloudwatchLogs,
    ApiGateway,
    Iot,
    Cognito,
    Alb,
    Ses,
    Alexa,
    Config,
}

impl PushKind {
    /// The service principal that invokes the function (spec §4.1, CFNLINT W3664).
    pub fn principal(self) -> &'static str {
        match self {
            PushKind::S3 => "s3.amazonaws.com",
            PushKind::Sns => "sns.amazonaws.com",
            PushKind::EventBridge => "events.amazonaws.com",
            PushKind::CloudwatchLogs => "logs.amazonaws.com",
            PushKind::ApiGateway => "apigateway.amazonaws.com",
            PushKind::Iot => "iot.amazonaws.com",
            PushKind::Cognito => "cognito-idp.amazonaws.com",
            PushKind::Alb => "elasticloadbalancing.amazonaws.com",
            PushKind::Ses => "ses.amazonaws.com",
            PushKind::Alexa => "alexa-appkit.amazon.com",
            PushKind::Config => "config.amazonaws.com",
        }
    }
}

/// A resource that makes a service invoke a function.
#[derive(Clone, Debug, PartialEq)]
pub struct PushTrigger {
    pub origin: Origin,
    pub existence: Existence,
    pub kind: PushKind,
    pub function: FunctionLink,
    /// Where the function is named in the trigger.
    pub function_span: Option<Span>,
    /// ARN of the resource that invokes (bucket, topic, rule, log group, API, ...), when known.
    pub source_arn: Option<SymStr>,
    /// Account of the source, when the input shows it.
    pub source_account: Option<SymStr>,
    /// API Gateway integrations with `Credentials`: the gateway uses that role, not the
    /// function policy.
    pub uses_role: bool,
    /// Set for SAM push events: SAM writes the permission itself.
    pub sam_generated: bool,
}

/// `AWS::Lambda::EventInvokeConfig` / SAM `EventInvokeConfig` / `aws_lambda_function_event_invoke_config`.
#[derive(Clone, Debug, PartialEq)]
pub struct EventInvokeConfig {
    pub origin: Origin,
    pub existence: Existence,
    pub function: FunctionLink,
    pub on_success: Option<Located<SymStr>>,
    pub on_failure: Option<Located<SymStr>>,
}

/// `AWS::Lambda::Url` / SAM `FunctionUrlConfig` / `aws_lambda_function_url`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionUrl {
    pub origin: Origin,
    pub existence: Existence,
    pub function: FunctionLink,
    pub auth_type: Located<SymStr>,
}

// ---------------------------------------------------------------------------------------------
// MSK Connect

#[derive(Clone, Debug, PartialEq)]
pub struct MskConnector {
    pub origin: Origin,
    pub existence: Existence,
    /// `ConnectorName` / `name` (an unknown symbol when the input does not give it).
    pub name: SymStr,
    pub role: RoleLink,
    pub role_arn: Located<SymStr>,
    /// `NONE` or `IAM`.
    pub authentication_type: Option<Located<SymStr>>,
    pub bootstrap_servers: Option<SymStr>,
    /// The MSK cluster the connector talks to, when the input links it.
    pub cluster_resource: Option<String>,
    pub cluster_arn: Option<SymStr>,
    /// `ConnectorConfiguration` / `connector_configuration`: the Kafka Connect settings
    /// (`connector.class`, `topics`, ...) in written order; values that are not strings are
    /// left out.
    pub configuration: Vec<(String, Located<SymStr>)>,
}

impl MskConnector {
    /// The value of a Kafka Connect setting (`topics`, `connector.class`).
    pub fn setting(&self, key: &str) -> Option<&Located<SymStr>> {
        self.configuration
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}

// ---------------------------------------------------------------------------------------------
// Sources and their keys

#[derive(Clone, Debug, PartialEq)]
pub struct Secret {
    pub origin: Origin,
    pub arn: SymStr,
    /// `KmsKeyId`; `None` means the AWS managed key `aws/secretsmanager`.
    pub kms_key: Option<Located<SymStr>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KmsKey {
    pub origin: Origin,
    pub arn: SymStr,
    pub key_id: SymStr,
    /// Aliases declared for the key in the input (`alias/name`).
    pub aliases: Vec<String>,
    /// False when the input sets no key policy: KMS then gives the key its default key policy,
    /// which delegates to the account (KMS-DEFAULT). The policy itself, when set, is one of
    /// [`Stack::resource_policies`].
    pub policy_set: bool,
}

/// The kind of a resource-based policy, by the resource it is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourcePolicyKind {
    /// `AWS::KMS::Key.KeyPolicy`, `aws_kms_key.policy`, `aws_kms_key_policy`.
    Key,
    /// `AWS::SQS::QueuePolicy`, `aws_sqs_queue_policy`, `aws_sqs_queue.policy`.
    Queue,
    /// `AWS::Kinesis::ResourcePolicy`, `aws_kinesis_resource_policy` (a stream or a consumer).
    Stream,
    /// `AWS::DynamoDB::Table.ResourcePolicy`, `aws_dynamodb_resource_policy` on a table ARN.
    Table,
    /// `StreamSpecification.ResourcePolicy`, `aws_dynamodb_resource_policy` on a stream ARN.
    TableStream,
    /// `AWS::SecretsManager::ResourcePolicy`, `aws_secretsmanager_secret_policy`.
    Secret,
    /// `AWS::MSK::ClusterPolicy`, `aws_msk_cluster_policy`.
    Cluster,
}

impl ResourcePolicyKind {
    /// `key policy`, `queue policy`, ... for messages.
    pub fn noun(self) -> &'static str {
        match self {
            ResourcePolicyKind::Key => "key policy",
            ResourcePolicyKind::Queue => "queue policy",
            ResourcePolicyKind::Stream => "stream resource policy",
            ResourcePolicyKind::Table => "table resource policy",
            ResourcePolicyKind::TableStream => "stream resource policy",
            ResourcePolicyKind::Secret => "secret resource policy",
            ResourcePolicyKind::Cluster => "cluster policy",
        }
    }
}

/// A policy attached to a resource rather than to a principal.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourcePolicy {
    /// The resource that holds the document (the key itself, or an `AWS::SQS::QueuePolicy`).
    pub origin: Origin,
    pub existence: Existence,
    pub kind: ResourcePolicyKind,
    /// The ARNs of the resources the policy governs (a queue policy can list several queues),
    /// as the readers link them, each with where it is written.
    pub governs: Vec<Located<SymStr>>,
    /// `None` when the document cannot be read (an unknown-after-apply policy): the policy
    /// exists, and what it says is not known.
    pub document: Option<PolicyDocument>,
    /// Why the document is not known, when it is not.
    pub unknown_reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    pub origin: Origin,
    pub arn: SymStr,
    pub url: SymStr,
    pub name: SymStr,
    /// `KmsMasterKeyId` when it is a customer-managed key (`alias/aws/sqs` is left out).
    pub kms_key: Option<Located<SymStr>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KinesisStream {
    pub origin: Origin,
    pub arn: SymStr,
    pub name: SymStr,
    pub kms_key: Option<Located<SymStr>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct KinesisConsumer {
    pub origin: Origin,
    pub arn: SymStr,
    pub stream_arn: SymStr,
    pub stream_resource: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DynamoTable {
    pub origin: Origin,
    pub arn: SymStr,
    pub name: SymStr,
    /// `None` when the table has no stream.
    pub stream_arn: Option<SymStr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MskCluster {
    pub origin: Origin,
    pub arn: SymStr,
    pub name: SymStr,
    pub serverless: bool,
    /// Whether IAM client authentication is on; `None` when the input does not say.
    pub iam_auth: Option<bool>,
    pub scram_auth: Option<bool>,
    pub tls_auth: Option<bool>,
    pub unauthenticated: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MqBroker {
    pub origin: Origin,
    pub arn: SymStr,
    /// `ACTIVEMQ` or `RABBITMQ`.
    pub engine: Option<String>,
    pub publicly_accessible: Option<bool>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DocDbCluster {
    pub origin: Origin,
    pub arn: SymStr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SnsTopic {
    pub origin: Origin,
    pub arn: SymStr,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bucket {
    pub origin: Origin,
    pub arn: SymStr,
    pub name: SymStr,
}

impl Stack {
    pub fn function(&self, id: FunctionId) -> Option<&Function> {
        self.functions.get(id.0)
    }

    pub fn role(&self, id: RoleId) -> Option<&Role> {
        self.roles.get(id.0)
    }

    pub fn queue(&self, resource: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.origin.id == resource)
    }

    pub fn secret(&self, resource: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.origin.id == resource)
    }

    pub fn msk_cluster(&self, resource: &str) -> Option<&MskCluster> {
        self.msk_clusters.iter().find(|c| c.origin.id == resource)
    }

    pub fn broker(&self, resource: &str) -> Option<&MqBroker> {
        self.brokers.iter().find(|b| b.origin.id == resource)
    }

    pub fn stream(&self, resource: &str) -> Option<&KinesisStream> {
        self.streams.iter().find(|s| s.origin.id == resource)
    }

    pub fn table(&self, resource: &str) -> Option<&DynamoTable> {
        self.tables.iter().find(|t| t.origin.id == resource)
    }

    /// The resource policies that govern a resource ARN (compared symbol for symbol).
    pub fn policies_governing<'s>(
        &'s self,
        arn: &'s SymStr,
    ) -> impl Iterator<Item = &'s ResourcePolicy> + 's {
        self.resource_policies
            .iter()
            .filter(move |p| p.governs.iter().any(|g| g.value.parts == arn.parts))
    }

    /// The key in this stack that a key id, key ARN or alias names, if any.
    pub fn kms_key_for(&self, reference: &SymStr) -> Option<&KmsKey> {
        if let Some(r) = &reference.refers {
            if let Some(k) = self.kms_keys.iter().find(|k| k.origin.id == r.resource) {
                return Some(k);
            }
        }
        let lit = reference.as_literal()?;
        self.kms_keys.iter().find(|k| {
            k.arn.as_literal() == Some(lit)
                || k.key_id.as_literal() == Some(lit)
                || k.aliases
                    .iter()
                    .any(|a| a == lit || lit.ends_with(&format!(":{a}")))
        })
    }
}
