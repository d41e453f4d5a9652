//! Typed attribute values of the resource types permgate audits, and the `after_unknown` mask.
//!
//! Input: the `values` object of one resource instance (a [`RawValue`] borrowed from the plan).
//! Output: a per-type struct whose fields are [`Field`]s: the raw JSON of each attribute, decoded
//! on use, so that one attribute of an unexpected type (a string where a block list is expected)
//! costs a diagnostic for that attribute and not the whole resource. Attribute names follow the
//! AWS provider 6.25 schema (spec §6.3, key TFSCHEMA; `evidence/tf-aws-6.25-schema.md`).
//! Nested blocks appear as arrays of objects (spec §8.2).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::expr::Text;

/// One attribute as written: absent or `null` (`None`), else its raw JSON.
#[derive(Clone, Copy, Debug, Default)]
pub struct Field<'a>(pub Option<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<&'a RawValue>::deserialize(d).map(Field)
    }
}

/// The JSON type of a raw value, for messages.
pub fn json_kind(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'[') => "a list",
        Some(b'{') => "an object",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// A string, number or boolean as text (Terraform writes numbers and booleans unquoted).
pub fn scalar(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<Text<'_>>(text).ok().map(|t| t.0),
        Some(b'[' | b'{' | b'n') | None => None,
        Some(_) => Some(Cow::Borrowed(text)),
    }
}

/// The elements of a JSON array.
pub fn elements(raw: &RawValue) -> Option<Vec<&RawValue>> {
    serde_json::from_str::<Vec<&RawValue>>(raw.get()).ok()
}

/// The members of a JSON object, in order.
pub fn members(raw: &RawValue) -> Option<Vec<(Cow<'_, str>, &RawValue)>> {
    struct MembersVisitor;
    impl<'de> Visitor<'de> for MembersVisitor {
        type Value = Vec<(Cow<'de, str>, &'de RawValue)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(Text(k)) = map.next_key::<Text<'de>>()? {
                out.push((k, map.next_value::<&'de RawValue>()?));
            }
            Ok(out)
        }
    }
    struct Members<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);
    impl<'de> Deserialize<'de> for Members<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(MembersVisitor).map(Members)
        }
    }
    serde_json::from_str::<Members<'_>>(raw.get())
        .ok()
        .map(|m| m.0)
}

/// Which parts of a resource's values are only known after apply (`after_unknown`).
#[derive(Debug, Default, PartialEq)]
pub enum Mask {
    #[default]
    Known,
    Unknown,
    Map(Vec<(String, Mask)>),
    List(Vec<Mask>),
}

impl<'de> Deserialize<'de> for Mask {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MaskVisitor;
        impl<'de> Visitor<'de> for MaskVisitor {
            type Value = Mask;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an after_unknown value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Mask, E> {
                Ok(if v { Mask::Unknown } else { Mask::Known })
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Mask, E> {
                Ok(Mask::Known)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Mask, E> {
                Ok(Mask::Known)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Mask, E> {
                Ok(Mask::Known)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Mask, E> {
                Ok(Mask::Known)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Mask, E> {
                Ok(Mask::Known)
            }
            fn visit_none<E: de::Error>(self) -> Result<Mask, E> {
                Ok(Mask::Known)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Mask, A::Error> {
                let mut out = Vec::new();
                while let Some(m) = seq.next_element::<Mask>()? {
                    out.push(m);
                }
                Ok(if out.iter().all(|m| *m == Mask::Known) {
                    Mask::Known
                } else {
                    Mask::List(out)
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Mask, A::Error> {
                let mut out = Vec::new();
                while let Some(Text(k)) = map.next_key::<Text<'de>>()? {
                    let m = map.next_value::<Mask>()?;
                    if m != Mask::Known {
                        out.push((k.into_owned(), m));
                    }
                }
                Ok(if out.is_empty() {
                    Mask::Known
                } else {
                    Mask::Map(out)
                })
            }
        }
        d.deserialize_any(MaskVisitor)
    }
}

/// One step into a resource's values: an attribute or a block index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg<'p> {
    Key(&'p str),
    Idx(usize),
}

impl fmt::Display for Seg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Key(k) => f.write_str(k),
            Seg::Idx(i) => write!(f, "[{i}]"),
        }
    }
}

/// `destination_config[0].on_failure[0].destination_arn`.
pub fn path_text(path: &[Seg<'_>]) -> String {
    let mut s = String::new();
    for seg in path {
        if matches!(seg, Seg::Key(_)) && !s.is_empty() {
            s.push('.');
        }
        s.push_str(&seg.to_string());
    }
    s
}

impl Mask {
    /// True when the value at `path` (or a value containing it) is unknown.
    pub fn unknown_at(&self, path: &[Seg<'_>]) -> bool {
        let mut m = self;
        for seg in path {
            m = match (m, seg) {
                (Mask::Unknown, _) => return true,
                (Mask::Map(entries), Seg::Key(k)) => {
                    match entries.iter().find(|(name, _)| name == k) {
                        Some((_, inner)) => inner,
                        None => return false,
                    }
                }
                (Mask::List(items), Seg::Idx(i)) => match items.get(*i) {
                    Some(inner) => inner,
                    None => return false,
                },
                _ => return false,
            };
        }
        *m == Mask::Unknown
    }
}

// ---------------------------------------------------------------------------------------------
// Per-type values. Every struct lists only the attributes permgate reads.

macro_rules! values {
    ($( $(#[$doc:meta])* $name:ident { $($field:ident),* $(,)? } )*) => {
        $(
            $(#[$doc])*
            #[derive(Deserialize, Default, Clone, Copy)]
            #[serde(default)]
            pub struct $name<'a> {
                $( #[serde(borrow)] pub $field: Field<'a>, )*
            }
        )*
    };
}

values! {
    /// `aws_lambda_function`.
    LambdaFunction {
        function_name, arn, role, vpc_config, dead_letter_config, kms_key_arn, logging_config,
    }
    LoggingConfig { log_group }
    VpcConfig { subnet_ids, security_group_ids }
    DeadLetterConfig { target_arn }
    /// `aws_lambda_alias`.
    LambdaAlias { function_name, name, arn }
    /// `aws_lambda_event_source_mapping`.
    EventSourceMapping {
        function_name, event_source_arn, self_managed_event_source, source_access_configuration,
        amazon_managed_kafka_event_source_config, self_managed_kafka_event_source_config,
        destination_config, document_db_event_source_config, kms_key_arn, topics, queues, enabled,
    }
    SelfManagedEventSource { endpoints }
    AccessConfiguration { r#type, uri }
    KafkaSourceConfig { consumer_group_id, schema_registry_config }
    SchemaRegistryConfig { schema_registry_uri, access_config }
    MappingDestinationConfig { on_failure }
    MappingOnFailure { destination_arn }
    /// `aws_lambda_permission` (`invoked_via_function_url` is newer than provider 6.25: read
    /// when present).
    LambdaPermission {
        action, function_name, principal, qualifier, source_arn, source_account, principal_org_id,
        event_source_token, function_url_auth_type, invoked_via_function_url,
    }
    /// `aws_lambda_function_event_invoke_config`.
    EventInvokeConfig { function_name, qualifier, destination_config }
    InvokeDestinationConfig { on_success, on_failure }
    InvokeDestination { destination }
    /// `aws_lambda_function_url`.
    FunctionUrl { function_name, qualifier, authorization_type }
    /// `aws_iam_role`.
    IamRole {
        name, name_prefix, path, assume_role_policy, inline_policy, managed_policy_arns,
        permissions_boundary,
    }
    InlinePolicy { name, policy }
    /// `aws_iam_role_policy`.
    IamRolePolicy { name, role, policy }
    /// `aws_iam_policy`.
    IamPolicy { name, policy }
    /// `aws_iam_role_policy_attachment`.
    IamRolePolicyAttachment { role, policy_arn }
    /// `aws_iam_policy_attachment`.
    IamPolicyAttachment { roles, policy_arn }
    /// `aws_iam_role_policies_exclusive`.
    IamRolePoliciesExclusive { role_name, policy_names }
    /// `aws_iam_role_policy_attachments_exclusive`.
    IamRolePolicyAttachmentsExclusive { role_name, policy_arns }
    /// `data.aws_iam_policy_document`.
    PolicyDocumentData {
        json, statement, source_policy_documents, override_policy_documents, version, policy_id,
    }
    PolicyStatement {
        sid, effect, actions, not_actions, resources, not_resources, principals, not_principals,
        condition,
    }
    PolicyPrincipals { r#type, identifiers }
    PolicyCondition { test, variable, values }
    /// `aws_sqs_queue`.
    SqsQueue { kms_master_key_id, policy }
    /// `aws_kms_key`.
    KmsKey { policy }
    /// `aws_kms_key_policy`.
    KmsKeyPolicy { key_id, policy }
    /// `aws_sqs_queue_policy`.
    SqsQueuePolicy { queue_url, policy }
    /// `aws_kinesis_resource_policy`, `aws_dynamodb_resource_policy`.
    ArnResourcePolicy { resource_arn, policy }
    /// `aws_secretsmanager_secret_policy`.
    SecretPolicy { secret_arn, policy }
    /// `aws_msk_cluster_policy`.
    MskClusterPolicy { cluster_arn, policy }
    /// `aws_kinesis_stream`.
    KinesisStream { encryption_type, kms_key_id }
    /// `aws_kinesis_stream_consumer`.
    KinesisConsumer { stream_arn }
    /// `aws_dynamodb_table`.
    DynamoTable { stream_enabled }
    /// `aws_msk_cluster`.
    MskCluster {
        cluster_name, client_authentication, bootstrap_brokers, bootstrap_brokers_tls,
        bootstrap_brokers_sasl_iam, bootstrap_brokers_sasl_scram, bootstrap_brokers_public_tls,
        bootstrap_brokers_public_sasl_iam, bootstrap_brokers_public_sasl_scram,
        bootstrap_brokers_vpc_connectivity_sasl_iam, bootstrap_brokers_vpc_connectivity_sasl_scram,
        bootstrap_brokers_vpc_connectivity_tls,
    }
    MskClientAuthentication { sasl, tls, unauthenticated }
    MskSasl { iam, scram }
    /// `aws_mq_broker`.
    MqBroker { engine_type, publicly_accessible }
    /// `aws_secretsmanager_secret`.
    Secret { kms_key_id }
    /// `aws_kms_alias`.
    KmsAlias { name, target_key_id }
    /// `aws_mskconnect_connector`.
    MskConnector {
        name, service_execution_role_arn, kafka_cluster, kafka_cluster_client_authentication,
        connector_configuration,
    }
    ConnectorKafkaCluster { apache_kafka_cluster }
    ApacheKafkaCluster { bootstrap_servers }
    ConnectorClientAuthentication { authentication_type }
    /// `aws_s3_bucket_notification`.
    S3BucketNotification { bucket, lambda_function }
    S3LambdaNotification { lambda_function_arn }
    /// `aws_sns_topic_subscription`.
    SnsTopicSubscription { protocol, endpoint, topic_arn }
    /// `aws_cloudwatch_event_target`.
    EventTarget { rule, arn, event_bus_name }
    /// `aws_cloudwatch_log_subscription_filter`.
    LogSubscriptionFilter { destination_arn, log_group_name }
    /// `aws_api_gateway_integration`.
    ApiGatewayIntegration { r#type, uri, credentials, rest_api_id }
    /// `aws_apigatewayv2_integration`.
    ApiGatewayV2Integration { integration_type, integration_uri, credentials_arn, api_id }
    /// `aws_iot_topic_rule`.
    IotTopicRule { lambda }
    IotLambdaAction { function_arn }
    /// `aws_cognito_user_pool`.
    CognitoUserPool { lambda_config }
    CognitoLambdaConfig {
        create_auth_challenge, custom_message, define_auth_challenge, post_authentication,
        post_confirmation, pre_authentication, pre_sign_up, pre_token_generation, user_migration,
        verify_auth_challenge_response, custom_email_sender, custom_sms_sender,
        pre_token_generation_config,
    }
    CognitoLambdaArn { lambda_arn }
    /// `aws_lb_target_group_attachment`.
    LbTargetGroupAttachment { target_group_arn, target_id }
    /// `aws_ses_receipt_rule`.
    SesReceiptRule { name, rule_set_name, lambda_action }
    SesLambdaAction { function_arn }
    /// `aws_config_config_rule`.
    ConfigRule { source }
    ConfigRuleSource { owner, source_identifier }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_marks_nested_unknowns() {
        let m: Mask = serde_json::from_str(
            r#"{"arn":true,"tags":{},"vpc_config":[{"subnet_ids":true}],"list":[false,true]}"#,
        )
        .unwrap();
        assert!(m.unknown_at(&[Seg::Key("arn")]));
        assert!(m.unknown_at(&[Seg::Key("vpc_config"), Seg::Idx(0), Seg::Key("subnet_ids")]));
        assert!(!m.unknown_at(&[Seg::Key("vpc_config")]));
        assert!(!m.unknown_at(&[Seg::Key("tags")]));
        assert!(m.unknown_at(&[Seg::Key("list"), Seg::Idx(1)]));
        assert!(!m.unknown_at(&[Seg::Key("list"), Seg::Idx(0)]));
    }

    #[test]
    fn fields_keep_raw_json_and_null_is_absent() {
        let v: LambdaFunction =
            serde_json::from_str(r#"{"role":"arn:r","kms_key_arn":null,"vpc_config":"oops"}"#)
                .unwrap();
        assert_eq!(v.role.0.map(RawValue::get), Some("\"arn:r\""));
        assert!(v.kms_key_arn.0.is_none());
        assert_eq!(v.vpc_config.0.map(json_kind), Some("a string"));
        let raw: Box<RawValue> = serde_json::from_str("12").unwrap();
        assert_eq!(scalar(&raw).as_deref(), Some("12"));
    }

    #[test]
    fn paths_render_like_terraform() {
        let p = [
            Seg::Key("destination_config"),
            Seg::Idx(0),
            Seg::Key("on_failure"),
            Seg::Idx(0),
            Seg::Key("destination_arn"),
        ];
        assert_eq!(
            path_text(&p),
            "destination_config[0].on_failure[0].destination_arn"
        );
    }
}
