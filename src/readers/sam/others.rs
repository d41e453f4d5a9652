//! SAM resources other than functions and connectors, converted as far as an IAM audit needs
//! (SAMT `sam_resources.py`, `model/stepfunctions/generators.py`).
//!
//! Input: one `AWS::Serverless::*` resource. Output: the CloudFormation resource with the same
//! logical id: `StateMachine` → `AWS::StepFunctions::StateMachine` and, without `Role`, its role
//! `<Id>Role` (with `Policies` expanded like a function's); `SimpleTable` →
//! `AWS::DynamoDB::Table` as SAMT builds it; `Api`, `HttpApi`, `LayerVersion`, `Application`,
//! `GraphQLApi` → their main CloudFormation resource with the properties that name things.
//! Types this version does not know are kept as written, with a note.

use super::events::check_dead_letter_config;
use super::policies::{self, RoleBuilder};
use super::push::{IMPLICIT_HTTP_API, IMPLICIT_REST_API};
use super::tree::{self, MapBuilder, key, string};
use super::{Cx, GeneratedKind, SamError, Sink, passthrough_attributes, resource};
use crate::readers::syntax::{Key, Node};

/// SAMT `verify_logical_id.do_not_verify`: a generated resource may reuse the id of a template
/// resource only in these (generated type, original type) pairs.
pub fn may_replace(new_type: &str, old_type: &str) -> bool {
    match new_type {
        "AWS::Lambda::Function" => old_type == "AWS::Serverless::Function",
        "AWS::Lambda::LayerVersion" => old_type == "AWS::Serverless::LayerVersion",
        "AWS::ApiGateway::RestApi" => old_type == "AWS::Serverless::Api",
        "AWS::ApiGatewayV2::Api" => {
            old_type == "AWS::Serverless::HttpApi" || old_type == "AWS::Serverless::WebSocketApi"
        }
        "AWS::S3::Bucket" | "AWS::SNS::Topic" | "AWS::Cognito::UserPool" => old_type == new_type,
        "AWS::DynamoDB::Table" => old_type == "AWS::Serverless::SimpleTable",
        "AWS::CloudFormation::Stack" => old_type == "AWS::Serverless::Application",
        "AWS::StepFunctions::StateMachine" => old_type == "AWS::Serverless::StateMachine",
        "AWS::AppSync::GraphQLApi" => old_type == "AWS::Serverless::GraphQLApi",
        _ => false,
    }
}

/// The resource attributes SAMT keeps on a converted resource.
fn attributes(sam: &Node) -> Vec<(Key, Node)> {
    sam.as_map()
        .unwrap_or_default()
        .iter()
        .filter(|(k, _)| {
            matches!(
                &*k.text,
                "DeletionPolicy"
                    | "UpdatePolicy"
                    | "Condition"
                    | "UpdateReplacePolicy"
                    | "Metadata"
            )
        })
        .cloned()
        .collect()
}

fn properties(cx: &Cx<'_>, id: &str, sam: &Node, type_name: &str) -> Result<Node, SamError> {
    let raw = tree::get(sam, "Properties");
    if let Some(p) = raw {
        if p.as_map().is_none() || tree::is_intrinsic(p) {
            return Err(SamError::resource(
                id,
                p.span,
                "properties of a resource must be an object",
            ));
        }
    }
    // `Globals` apply to these types too; `None` only for a resource without properties.
    let cx_globals = &cx.globals;
    Ok(cx_globals
        .merge(id, type_name, sam, raw)?
        .unwrap_or_else(|| tree::map(Vec::new(), sam.span)))
}

/// `AWS::Serverless::StateMachine`.
pub fn state_machine(
    cx: &Cx<'_>,
    sink: &mut Sink,
    id: &str,
    sam: &Node,
) -> Result<Vec<(Key, Node)>, SamError> {
    let span = sam.span;
    let props = properties(cx, id, sam, "AWS::Serverless::StateMachine")?;
    let prop = |name: &str| tree::get(&props, name);
    // The event checks SAMT makes that an audit can meet (dead-letter queues of rules).
    for (event_id, event) in prop("Events").and_then(Node::as_map).unwrap_or_default() {
        let kind = event.get("Type").and_then(Node::as_str).unwrap_or("");
        if matches!(
            kind,
            "Schedule" | "ScheduleV2" | "CloudWatchEvent" | "EventBridgeRule"
        ) {
            if let Some(dlq) = event
                .get("Properties")
                .and_then(|p| tree::get(p, "DeadLetterConfig"))
            {
                check_dead_letter_config(id, &event_id.text, dlq)?;
            }
        }
    }
    let role = prop("Role");
    let policies_prop = prop("Policies");
    if role.is_some() && tree::truthy(policies_prop) {
        return Err(SamError::resource(
            id,
            span,
            "specify either `Role` or `Policies` (but not both at the same time) or neither of them",
        ));
    }
    let attrs = attributes(sam);
    let mut out = Vec::new();
    let mut m = MapBuilder::new(span);
    m.put_opt("Definition", prop("Definition").cloned());
    m.put_opt(
        "DefinitionS3Location",
        prop("DefinitionUri").map(|u| s3_location(u, "Bucket", "Key", "Version")),
    );
    m.put_opt(
        "DefinitionSubstitutions",
        prop("DefinitionSubstitutions").cloned(),
    );
    let role_id = format!("{id}Role");
    match role {
        Some(r) => {
            m.put("RoleArn", r.clone());
        }
        None => {
            m.put("RoleArn", tree::get_att(&role_id, "Arn", span));
        }
    }
    m.put_opt("StateMachineName", prop("Name").cloned())
        .put_opt("StateMachineType", prop("Type").cloned())
        .put_opt("LoggingConfiguration", prop("Logging").cloned())
        .put_opt("TracingConfiguration", prop("Tracing").cloned())
        .put("Tags", policies::sam_tags(prop("Tags"), span));
    out.push((
        key(id, span),
        resource(
            "AWS::StepFunctions::StateMachine",
            span,
            &attrs,
            sam.get("DependsOn").cloned(),
            m.build(),
        ),
    ));
    sink.note(id, id, None, GeneratedKind::Converted);
    if role.is_none() {
        let mut builder = RoleBuilder::new(
            role_id.clone(),
            span,
            policies::assume_role_policy("states.amazonaws.com", span),
        );
        builder.attrs = passthrough_attributes(sam);
        policies::check_type(id, policies_prop)?;
        policies::apply(sink, id, &mut builder, policies_prop)?;
        let tracing_on = prop("Tracing")
            .and_then(|t| t.get("Enabled"))
            .and_then(tree::as_bool)
            == Some(true);
        if tracing_on {
            builder.add_aws_managed("AWSXrayWriteOnlyAccess", span);
        }
        builder.path = prop("RolePath").cloned();
        builder.boundary = prop("PermissionsBoundary").cloned();
        builder.tags = Some(policies::sam_tags(prop("Tags"), span));
        sink.note(&role_id, id, None, GeneratedKind::StateMachineRole);
        out.push((key(&role_id, span), builder.build()));
    }
    Ok(out)
}

/// `{Bucket, Key, Version}` or `s3://bucket/key` → the CloudFormation location map.
fn s3_location(uri: &Node, bucket: &str, key_name: &str, version: &str) -> Node {
    let span = uri.span;
    let mut m = MapBuilder::new(span);
    if let Some(s) = uri.as_str().and_then(|s| s.strip_prefix("s3://")) {
        let (location, v) = match s.split_once("?versionId=") {
            Some((l, v)) => (l, Some(v)),
            None => (s, None),
        };
        let (b, k) = location.split_once('/').unwrap_or((location, ""));
        m.put(bucket, string(b, span))
            .put(key_name, string(k, span));
        if let Some(v) = v {
            m.put(version, string(v, span));
        }
        return m.build();
    }
    if uri.as_map().is_some() && !tree::is_intrinsic(uri) {
        m.put_opt(bucket, uri.get("Bucket").cloned())
            .put_opt(key_name, uri.get("Key").cloned())
            .put_opt(version, uri.get("Version").cloned());
        return m.build();
    }
    m.put("LocalPath", uri.clone());
    m.build()
}

/// `AWS::Serverless::Api`, `HttpApi`, `SimpleTable`, `LayerVersion`, `Application`,
/// `GraphQLApi`; anything else of the SAM namespace is kept with a note.
pub fn convert(
    cx: &Cx<'_>,
    sink: &mut Sink,
    id: &str,
    sam: &Node,
) -> Result<Vec<(Key, Node)>, SamError> {
    let span = sam.span;
    let type_name = sam.get("Type").and_then(Node::as_str).unwrap_or("");
    let attrs = attributes(sam);
    let depends = sam.get("DependsOn").cloned();
    let props = properties(cx, id, sam, type_name)?;
    let prop = |name: &str| tree::get(&props, name);
    let mut m = MapBuilder::new(span);
    let mut extra = Vec::new();
    let cfn_type = match type_name {
        "AWS::Serverless::Api" => {
            let pass = passthrough_attributes(sam);
            extra = authorizer_permissions(sink, id, prop("Auth"), false, &pass);
            extra.push(api_stage(
                sink,
                id,
                id,
                prop("StageName"),
                false,
                &pass,
                span,
            ));
            m.put_opt("Name", prop("Name").cloned())
                .put_opt("Body", prop("DefinitionBody").cloned());
            if let Some(uri) = prop("DefinitionUri") {
                m.put(
                    "BodyS3Location",
                    s3_location(uri, "Bucket", "Key", "Version"),
                );
            }
            "AWS::ApiGateway::RestApi"
        }
        "AWS::Serverless::HttpApi" => {
            let pass = passthrough_attributes(sam);
            extra = authorizer_permissions(sink, id, prop("Auth"), true, &pass);
            extra.push(api_stage(
                sink,
                id,
                id,
                prop("StageName"),
                true,
                &pass,
                span,
            ));
            m.put_opt("Name", prop("Name").cloned())
                .put_opt("Body", prop("DefinitionBody").cloned());
            if let Some(uri) = prop("DefinitionUri") {
                m.put(
                    "BodyS3Location",
                    s3_location(uri, "Bucket", "Key", "Version"),
                );
            }
            "AWS::ApiGatewayV2::Api"
        }
        "AWS::Serverless::SimpleTable" => {
            simple_table(id, &props, &mut m)?;
            "AWS::DynamoDB::Table"
        }
        "AWS::Serverless::LayerVersion" => {
            if let Some(uri) = prop("ContentUri") {
                m.put(
                    "Content",
                    s3_location(uri, "S3Bucket", "S3Key", "S3ObjectVersion"),
                );
            }
            m.put_opt("Description", prop("Description").cloned())
                .put_opt("LayerName", prop("LayerName").cloned())
                .put_opt(
                    "CompatibleArchitectures",
                    prop("CompatibleArchitectures").cloned(),
                )
                .put_opt("CompatibleRuntimes", prop("CompatibleRuntimes").cloned())
                .put_opt("LicenseInfo", prop("LicenseInfo").cloned());
            "AWS::Lambda::LayerVersion"
        }
        "AWS::Serverless::Application" => {
            let location = prop("Location");
            if let Some(l) = location.filter(|l| tree::is_str(l) || tree::is_intrinsic(l)) {
                m.put("TemplateURL", l.clone());
            }
            m.put_opt("Parameters", prop("Parameters").cloned())
                .put_opt("NotificationARNs", prop("NotificationARNs").cloned())
                .put_opt("TimeoutInMinutes", prop("TimeoutInMinutes").cloned());
            "AWS::CloudFormation::Stack"
        }
        "AWS::Serverless::GraphQLApi" => {
            m.put_opt("Name", prop("Name").cloned());
            if let Some(auth_type) = prop("Auth").and_then(|a| a.get("Type")) {
                m.put("AuthenticationType", auth_type.clone());
            }
            "AWS::AppSync::GraphQLApi"
        }
        other => {
            sink.diagnostic(
                format!("resource `{id}` of type `{other}` is not expanded; it is kept as written"),
                span,
            );
            let mut kept = sam.clone();
            tree::remove(&mut kept, "Connectors");
            tree::remove(&mut kept, "IgnoreGlobals");
            return Ok(vec![(key(id, span), kept)]);
        }
    };
    sink.note(id, id, None, GeneratedKind::Converted);
    let mut out = vec![(
        key(id, span),
        resource(cfn_type, span, &attrs, depends, m.build()),
    )];
    out.extend(extra);
    Ok(out)
}

/// The stage SAMT creates for an API: `<Api><StageName>Stage` (a stage name that is not
/// alphanumeric is hashed), `<Api>ApiGatewayDefaultStage` for an HTTP API's `$default`.
fn api_stage(
    sink: &mut Sink,
    api_id: &str,
    from: &str,
    stage_name: Option<&Node>,
    http: bool,
    attrs: &[(Key, Node)],
    span: crate::source::Span,
) -> (Key, Node) {
    let default = string(if http { "$default" } else { "" }, span);
    let name_node = stage_name.cloned().unwrap_or(default);
    let name = if name_node.tag.is_none() {
        tree::scalar_text(&name_node).unwrap_or("")
    } else {
        ""
    };
    let stage_id = if !name.is_empty() && name.chars().all(char::is_alphanumeric) {
        format!("{api_id}{name}Stage")
    } else if http && name == "$default" {
        format!("{api_id}ApiGatewayDefaultStage")
    } else if name.is_empty() {
        format!("{api_id}Stage")
    } else {
        let digest: String = super::sha1::hex(name.as_bytes()).chars().take(10).collect();
        format!("{api_id}Stage{digest}")
    };
    let mut props = MapBuilder::new(span);
    if http {
        props
            .put("ApiId", tree::ref_to(api_id, span))
            .put("StageName", name_node)
            .put("AutoDeploy", tree::boolean(true, span));
    } else {
        props
            .put("RestApiId", tree::ref_to(api_id, span))
            .put("StageName", name_node);
    }
    let cfn = if http {
        "AWS::ApiGatewayV2::Stage"
    } else {
        "AWS::ApiGateway::Stage"
    };
    sink.note(&stage_id, from, None, GeneratedKind::Converted);
    sink.sam_refs
        .insert(format!("{api_id}.Stage"), stage_id.clone());
    (
        key(&stage_id, span),
        resource(cfn, span, attrs, None, props.build()),
    )
}

/// The permissions SAMT gives API Gateway to invoke Lambda authorizers
/// `<Api><Name>AuthorizerPermission` (SAMT `ApiGenerator._construct_authorizer_lambda_permission`;
/// for an HTTP API only with `EnableFunctionDefaultPermissions`).
fn authorizer_permissions(
    sink: &mut Sink,
    api_id: &str,
    auth: Option<&Node>,
    http: bool,
    attrs: &[(Key, Node)],
) -> Vec<(Key, Node)> {
    let mut out = Vec::new();
    let Some(authorizers) = auth
        .and_then(|a| tree::get(a, "Authorizers"))
        .and_then(Node::as_map)
    else {
        return out;
    };
    for (name, authorizer) in authorizers {
        let Some(function_arn) =
            tree::get(authorizer, "FunctionArn").filter(|f| tree::truthy(Some(f)))
        else {
            continue;
        };
        let wanted = if http {
            tree::truthy(tree::get(authorizer, "EnableFunctionDefaultPermissions"))
                && tree::get(authorizer, "EnableFunctionDefaultPermissions").and_then(tree::as_bool)
                    != Some(false)
        } else {
            !tree::truthy(tree::get(authorizer, "DisableFunctionDefaultPermissions"))
                || tree::get(authorizer, "DisableFunctionDefaultPermissions")
                    .and_then(tree::as_bool)
                    == Some(false)
        };
        if !wanted {
            continue;
        }
        let span = authorizer.span;
        let partition = if http { "${AWS::Partition}" } else { "aws" };
        let source_arn = tree::sub_with(
            &format!(
                "arn:{partition}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{__ApiId__}}/authorizers/*"
            ),
            vec![(key("__ApiId__", span), tree::ref_to(api_id, span))],
            span,
        );
        let id = format!("{api_id}{}AuthorizerPermission", name.text);
        let props = MapBuilder::new(span)
            .put("Action", string("lambda:InvokeFunction", span))
            .put("FunctionName", function_arn.clone())
            .put("Principal", string("apigateway.amazonaws.com", span))
            .put("SourceArn", source_arn)
            .build();
        sink.note(&id, api_id, None, GeneratedKind::Permission);
        out.push((
            key(&id, span),
            resource("AWS::Lambda::Permission", span, attrs, None, props),
        ));
    }
    out
}

/// `CodeDeployServiceRole`, the role SAMT creates for CodeDeploy when a function has an
/// enabled `DeploymentPreference` without `Role` (SAMT `DeploymentPreferenceCollection`).
pub fn code_deploy_role(cx: &Cx<'_>, sink: &mut Sink) -> Result<(), SamError> {
    let enabled: Vec<&(bool, bool, Option<String>, crate::source::Span, String)> =
        sink.deployment_preferences.iter().filter(|p| p.0).collect();
    let Some(first) = enabled.first() else {
        return Ok(());
    };
    if enabled.iter().all(|p| p.1) {
        return Ok(());
    }
    let (span, from) = (first.3, first.4.clone());
    let mut conditions: Vec<String> = Vec::new();
    let all_conditional = enabled.iter().all(|p| p.2.is_some());
    for p in &enabled {
        if let Some(c) = &p.2 {
            if !conditions.contains(c) {
                conditions.push(c.clone());
            }
        }
    }
    let mut attrs = Vec::new();
    if all_conditional && !conditions.is_empty() {
        let name = if let [only] = conditions.as_slice() {
            only.clone()
        } else {
            let name = "ServerlessCodeDeployCondition".to_string();
            let or = tree::intrinsic_node(
                "Fn::Or",
                tree::seq(
                    conditions
                        .iter()
                        .map(|c| tree::intrinsic_node("Condition", string(c, span), span))
                        .collect(),
                    span,
                ),
                span,
            );
            sink.conditions.push((key(&name, span), or));
            name
        };
        attrs.push((key("Condition", span), string(&name, span)));
    }
    let mut role = RoleBuilder::new(
        "CodeDeployServiceRole".to_string(),
        span,
        policies::assume_role_policy("codedeploy.amazonaws.com", span),
    );
    role.attrs = attrs;
    role.add_aws_managed("service-role/AWSCodeDeployRoleForLambda", span);
    sink.note(
        "CodeDeployServiceRole",
        &from,
        None,
        GeneratedKind::Converted,
    );
    let node = role.build();
    sink.add_extra(cx, &from, vec![(key("CodeDeployServiceRole", span), node)])
}

/// SAMT `SamSimpleTable._construct_dynamodb_table`.
fn simple_table(id: &str, props: &Node, m: &mut MapBuilder) -> Result<(), SamError> {
    let span = props.span;
    let prop = |name: &str| tree::get(props, name);
    let (name, ty) = match prop("PrimaryKey").filter(|p| tree::truthy(Some(p))) {
        Some(pk) => {
            let name = tree::get(pk, "Name").cloned().ok_or_else(|| {
                SamError::resource(id, pk.span, "property `PrimaryKey.Name` is required")
            })?;
            let ty = tree::get(pk, "Type").ok_or_else(|| {
                SamError::resource(id, pk.span, "property `PrimaryKey.Type` is required")
            })?;
            let converted = match ty.as_str() {
                Some("String") => "S",
                Some("Number") => "N",
                Some("Binary") => "B",
                _ => {
                    return Err(SamError::resource(
                        id,
                        ty.span,
                        format!("invalid `Type` `{}`", tree::scalar_text(ty).unwrap_or("")),
                    ));
                }
            };
            (name, string(converted, ty.span))
        }
        None => (string("id", span), string("S", span)),
    };
    m.put(
        "AttributeDefinitions",
        tree::seq(
            vec![
                MapBuilder::new(span)
                    .put("AttributeName", name.clone())
                    .put("AttributeType", ty)
                    .build(),
            ],
            span,
        ),
    );
    m.put(
        "KeySchema",
        tree::seq(
            vec![
                MapBuilder::new(span)
                    .put("AttributeName", name)
                    .put("KeyType", string("HASH", span))
                    .build(),
            ],
            span,
        ),
    );
    m.put_opt(
        "PointInTimeRecoverySpecification",
        prop("PointInTimeRecoverySpecification")
            .filter(|p| tree::truthy(Some(p)))
            .cloned(),
    );
    match prop("ProvisionedThroughput").filter(|p| tree::truthy(Some(p))) {
        Some(p) => {
            m.put("ProvisionedThroughput", p.clone());
        }
        None => {
            m.put("BillingMode", string("PAY_PER_REQUEST", span));
        }
    }
    m.put_opt(
        "SSESpecification",
        prop("SSESpecification")
            .filter(|p| tree::truthy(Some(p)))
            .cloned(),
    );
    m.put_opt(
        "TableName",
        prop("TableName").filter(|p| tree::truthy(Some(p))).cloned(),
    );
    if let Some(tags) = prop("Tags").filter(|t| tree::truthy(Some(t))) {
        let list: Vec<Node> = tags
            .as_map()
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| {
                MapBuilder::new(k.span)
                    .put("Key", string(&k.text, k.span))
                    .put("Value", v.clone())
                    .build()
            })
            .collect();
        m.put("Tags", tree::seq(list, tags.span));
    }
    Ok(())
}

/// The APIs SAMT creates for API events without an API id (`ServerlessRestApi`,
/// `ServerlessHttpApi`), reduced to the resource their logical id names so that the
/// permissions' references resolve.
pub fn implicit_apis(cx: &Cx<'_>, sink: &mut Sink) -> Result<(), SamError> {
    for (id, cfn_type, wanted) in [
        (
            IMPLICIT_REST_API,
            "AWS::ApiGateway::RestApi",
            sink.implicit_rest_api.clone(),
        ),
        (
            IMPLICIT_HTTP_API,
            "AWS::ApiGatewayV2::Api",
            sink.implicit_http_api.clone(),
        ),
    ] {
        let Some((span, from)) = wanted else {
            continue;
        };
        if cx.resource(id).is_some() {
            continue;
        }
        let mut props = MapBuilder::new(span);
        if cfn_type == "AWS::ApiGatewayV2::Api" {
            props.put("ProtocolType", string("HTTP", span));
        }
        let node = resource(cfn_type, span, &[], None, props.build());
        sink.note(id, &from, None, GeneratedKind::Converted);
        let mut generated = vec![(key(id, span), node)];
        let stage = if id == IMPLICIT_REST_API {
            Some(string("Prod", span))
        } else {
            None
        };
        generated.push(api_stage(
            sink,
            id,
            &from,
            stage.as_ref(),
            id == IMPLICIT_HTTP_API,
            &[],
            span,
        ));
        // The implicit API inherits `Globals` (its `Auth` included).
        let section = if id == IMPLICIT_REST_API {
            "AWS::Serverless::Api"
        } else {
            "AWS::Serverless::HttpApi"
        };
        let empty = tree::map(Vec::new(), span);
        let merged = cx.globals.merge(id, section, &empty, None)?;
        let auth = merged.as_ref().and_then(|m| tree::get(m, "Auth"));
        generated.extend(authorizer_permissions(
            sink,
            id,
            auth,
            id == IMPLICIT_HTTP_API,
            &[],
        ));
        sink.add_extra(cx, &from, generated)?;
    }
    Ok(())
}
