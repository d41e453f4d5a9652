//! What an attribute that the plan only knows after apply is, per resource type.
//!
//! Input: an instance and a computed attribute (`arn`, `url`, `stream_arn`, ...) whose value is
//! unknown. Output: the value built from the arguments that determine it, with ARN formats from
//! the Service Authorization Reference (key PS) and attribute names from the AWS provider schema
//! (key TFSCHEMA); what only AWS decides (a cluster UUID, a random suffix, a key id) is a symbol
//! of that instance. When a determining name is itself unknown, the whole attribute is a symbol.

use super::index::{InstId, Plan, RVal};
use super::values::Seg;
use crate::model::{Environment, SymStr, Symbol};

/// `arn:<partition>:apigateway:<region>:lambda:path/2015-03-31/functions/<arn>/invocations`.
pub fn invoke_arn(env: &Environment, function_arn: &SymStr) -> SymStr {
    let mut s = SymStr::lit("arn:");
    s.push(&env.partition());
    s.push_lit(":apigateway:");
    s.push(&env.region());
    s.push_lit(":lambda:path/2015-03-31/functions/");
    s.push(function_arn);
    s.push_lit("/invocations");
    s.refers = None;
    s
}

/// A function ARN from a `function_name` value, which may already be an ARN.
pub fn function_arn_from(env: &Environment, function: &SymStr) -> SymStr {
    let mut f = function.clone();
    let is_arn = function.literal_prefix().starts_with("arn:")
        || function
            .refers
            .as_ref()
            .is_some_and(|r| r.attr == "arn" || r.attr == "qualified_arn");
    f.refers = None;
    if is_arn { f } else { env.function_arn(&f) }
}

fn joined(parts: &[&SymStr]) -> SymStr {
    let mut s = SymStr::default();
    for p in parts {
        s.push(p);
    }
    s.refers = None;
    s
}

impl<'d, 'a: 'd> Plan<'d, 'a> {
    /// A string attribute of an instance: known, or resolved through its configuration.
    pub fn attr_str(&self, id: InstId, attr: &str, depth: u8) -> Option<SymStr> {
        if let Some(text) = self.known_str(id, attr) {
            return Some(SymStr::lit(text));
        }
        let path = [Seg::Key(attr)];
        let (leaf, []) = self.expr_at(id, &path)? else {
            return None;
        };
        match self.resolve_leaf(&self.scope(id), &leaf, &[], attr, depth + 1) {
            RVal::Str(s, _) => Some(s),
            _ => None,
        }
    }

    /// The value of a computed attribute that the plan does not know.
    pub fn derived(&self, id: InstId, attr: &str, depth: u8) -> SymStr {
        let env = self.env(id);
        let address = self.address(id);
        let opaque = |a: &str| {
            SymStr::sym(Symbol::Attr {
                resource: address.to_string(),
                attr: a.to_string(),
            })
        };
        let name = |prop: &str| self.name_of(id, prop, depth);
        let from_name = |prop: &str, build: &dyn Fn(&SymStr) -> SymStr| match name(prop) {
            Some(n) => build(&n),
            None => opaque(attr),
        };
        let lit = SymStr::lit;
        match (self.rtype(id), attr) {
            ("aws_sqs_queue", "arn") => from_name("name", &|n| env.queue_arn(n)),
            ("aws_sqs_queue", "url" | "id") => from_name("name", &|n| env.queue_url(n)),
            ("aws_kinesis_stream", "arn" | "id") => {
                from_name("name", &|n| env.kinesis_stream_arn(n))
            }
            ("aws_kinesis_stream_consumer", "arn" | "id") => {
                match (self.attr_str(id, "stream_arn", depth), name("name")) {
                    (Some(stream), Some(n)) => joined(&[
                        &stream,
                        &lit("/consumer/"),
                        &n,
                        &lit(":"),
                        &opaque("creation_timestamp"),
                    ]),
                    _ => opaque(attr),
                }
            }
            ("aws_dynamodb_table", "arn") => from_name("name", &|n| env.dynamodb_table_arn(n)),
            ("aws_dynamodb_table", "stream_arn") => from_name("name", &|n| {
                joined(&[
                    &env.dynamodb_table_arn(n),
                    &lit("/stream/"),
                    &opaque("stream_label"),
                ])
            }),
            ("aws_lambda_function", "arn") => from_name("function_name", &|n| env.function_arn(n)),
            ("aws_lambda_function", "invoke_arn") => {
                from_name("function_name", &|n| invoke_arn(&env, &env.function_arn(n)))
            }
            ("aws_lambda_function", "qualified_arn") => from_name("function_name", &|n| {
                joined(&[&env.function_arn(n), &lit(":"), &opaque("version")])
            }),
            ("aws_lambda_alias", "arn" | "invoke_arn") => {
                match (self.attr_str(id, "function_name", depth), name("name")) {
                    (Some(f), Some(n)) => {
                        let arn = joined(&[&function_arn_from(&env, &f), &lit(":"), &n]);
                        if attr == "arn" {
                            arn
                        } else {
                            invoke_arn(&env, &arn)
                        }
                    }
                    _ => opaque(attr),
                }
            }
            ("aws_iam_role", "arn") => {
                let path = self.known_str(id, "path");
                from_name("name", &|n| env.role_arn(path.as_deref(), n))
            }
            ("aws_iam_policy", "arn" | "id") => {
                let path = self.known_str(id, "path");
                from_name("name", &|n| env.policy_arn(path.as_deref(), n))
            }
            ("aws_sns_topic", "arn" | "id") => from_name("name", &|n| env.topic_arn(n)),
            ("aws_s3_bucket", "arn") => from_name("bucket", &|n| env.bucket_arn(n)),
            // The provider removes the `:*` the API adds to log group ARNs (provider docs of
            // `aws_cloudwatch_log_group.arn`; not in spec §6.3).
            ("aws_cloudwatch_log_group", "arn") => from_name("name", &|n| {
                env.regional_arn("logs", &Environment::with_prefix("log-group:", n))
            }),
            ("aws_cloudwatch_event_rule", "arn") => {
                let bus = self.attr_str(id, "event_bus_name", depth);
                from_name("name", &|n| env.event_rule_arn(bus.as_ref(), n))
            }
            // Secret ARNs end in `-` and six random characters (PS).
            ("aws_secretsmanager_secret", "arn" | "id") => from_name("name", &|n| {
                let resource = joined(&[&lit("secret:"), n, &lit("-"), &opaque("random_suffix")]);
                env.regional_arn("secretsmanager", &resource)
            }),
            ("aws_kms_key", "arn") => env.kms_key_arn(&opaque("key_id")),
            ("aws_kms_key", "key_id" | "id") => opaque("key_id"),
            ("aws_kms_alias", "arn") => from_name("name", &|n| env.regional_arn("kms", n)),
            ("aws_msk_cluster" | "aws_msk_serverless_cluster", "arn" | "id") => {
                from_name("cluster_name", &|n| {
                    let resource =
                        joined(&[&lit("cluster/"), n, &lit("/"), &opaque("cluster_uuid")]);
                    env.regional_arn("kafka", &resource)
                })
            }
            ("aws_mq_broker", "arn") => from_name("broker_name", &|n| {
                let resource = joined(&[&lit("broker:"), n, &lit(":"), &opaque("id")]);
                env.regional_arn("mq", &resource)
            }),
            ("aws_docdb_cluster", "arn") => from_name("cluster_identifier", &|n| {
                env.regional_arn("rds", &Environment::with_prefix("cluster:", n))
            }),
            ("aws_api_gateway_rest_api" | "aws_apigatewayv2_api", "execution_arn") => {
                env.regional_arn("execute-api", &opaque("id"))
            }
            ("aws_cognito_user_pool", "arn") => env.regional_arn(
                "cognito-idp",
                &Environment::with_prefix("userpool/", &opaque("id")),
            ),
            ("aws_iot_topic_rule", "arn") => from_name("name", &|n| {
                env.regional_arn("iot", &Environment::with_prefix("rule/", n))
            }),
            ("aws_glue_registry", "arn" | "id") => from_name("registry_name", &|n| {
                env.regional_arn("glue", &Environment::with_prefix("registry/", n))
            }),
            ("aws_sfn_state_machine", "arn" | "id") => from_name("name", &|n| {
                env.regional_arn("states", &Environment::with_prefix("stateMachine:", n))
            }),
            // Arguments that name the resource.
            (
                "aws_sqs_queue"
                | "aws_kinesis_stream"
                | "aws_kinesis_stream_consumer"
                | "aws_dynamodb_table"
                | "aws_iam_role"
                | "aws_iam_policy"
                | "aws_sns_topic"
                | "aws_cloudwatch_log_group"
                | "aws_cloudwatch_event_rule"
                | "aws_secretsmanager_secret"
                | "aws_iot_topic_rule",
                "name",
            ) => name("name").unwrap_or_else(|| opaque(attr)),
            ("aws_dynamodb_table" | "aws_iam_role", "id") => {
                name("name").unwrap_or_else(|| opaque(attr))
            }
            ("aws_lambda_function", "function_name" | "id") => {
                name("function_name").unwrap_or_else(|| opaque(attr))
            }
            ("aws_s3_bucket", "bucket" | "id") => name("bucket").unwrap_or_else(|| opaque(attr)),
            ("aws_msk_cluster" | "aws_msk_serverless_cluster", "cluster_name") => {
                name("cluster_name").unwrap_or_else(|| opaque(attr))
            }
            ("aws_docdb_cluster", "cluster_identifier" | "id") => {
                name("cluster_identifier").unwrap_or_else(|| opaque(attr))
            }
            // Data sources read at apply (spec §8.2): the account of the provider configuration
            // the data source uses is the account the ARNs built here carry (TFSCHEMA:
            // `aws_caller_identity` takes no argument but its provider). Only for the default
            // configuration: another one may assume a role in another account.
            ("aws_caller_identity", "account_id" | "id") if self.default_provider(id) => {
                env.account()
            }
            ("aws_partition", "partition") if self.default_provider(id) => env.partition(),
            _ => opaque(attr),
        }
    }
}
