//! `AWS::Serverless::Function` (SAMT `SamFunction.to_cloudformation`).
//!
//! Input: one function resource (with `Globals` merged in). Output: the `AWS::Lambda::Function`
//! with the same logical id, the execution role `<Fn>Role` when `Role` is absent (or an
//! `Fn::If` with an `AWS::NoValue` branch), `AutoPublishAlias`'s version and alias, the function
//! URL and its permissions, `EventInvokeConfig`, and what every event generates. Events attach
//! to the alias when there is one, as in SAMT.

use super::events::{self, Checked};
use super::policies::{self, RoleBuilder, named_policy, statement};
use super::tree::{self, MapBuilder, key, string};
use super::{
    Cx, GeneratedKind, PolicyOrigin, SamError, Sink, passthrough_attributes, pull, push, resource,
    sha1,
};
use crate::readers::syntax::{Key, Node};
use crate::source::Span;

/// What events point at: the alias when `AutoPublishAlias` is set, else the function.
pub struct Target {
    pub function: String,
    pub alias: Option<String>,
}

impl Target {
    /// SAMT `get_runtime_attr("name")`, falling back to `"arn"` for an alias.
    pub fn name(&self, span: Span) -> Node {
        match &self.alias {
            Some(a) => tree::ref_to(a, span),
            None => tree::ref_to(&self.function, span),
        }
    }

    pub fn arn(&self, span: Span) -> Node {
        match &self.alias {
            Some(a) => tree::ref_to(a, span),
            None => tree::get_att(&self.function, "Arn", span),
        }
    }

    /// The logical id of what events point at.
    pub fn logical_id(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.function)
    }
}

/// One event of a function being expanded.
pub struct EventCx<'a> {
    pub cx: &'a Cx<'a>,
    pub function: &'a str,
    pub event: &'a str,
    /// `<Fn><Event>`, the logical id of the main generated resource.
    pub id: String,
    /// The entry in `Events` (generated nodes take its span).
    pub node: &'a Node,
    /// `Properties` (an empty map when absent).
    pub props: &'a Node,
    pub target: &'a Target,
    /// Resource attributes passed through from the function.
    pub attrs: &'a [(Key, Node)],
}

impl EventCx<'_> {
    pub fn span(&self) -> Span {
        self.node.span
    }

    pub fn prop(&self, name: &str) -> Option<&Node> {
        tree::get(self.props, name)
    }

    pub fn err(&self, span: Span, detail: impl Into<String>) -> SamError {
        SamError::event(self.function, self.event, span, detail)
    }

    /// An error located at property `name` (or the event).
    pub fn err_at(&self, name: &str, detail: impl Into<String>) -> SamError {
        let span = self.prop(name).map_or(self.span(), |n| n.span);
        self.err(span, detail)
    }

    pub fn function_condition(&self) -> Option<&Node> {
        self.attrs
            .iter()
            .find(|(k, _)| &*k.text == "Condition")
            .map(|(_, v)| v)
    }
}

/// State shared by the events of one function.
#[derive(Default)]
pub struct FunctionState {
    /// HTTP APIs whose `$default` route already invokes this function (SAMT then writes no
    /// further permission for that API).
    pub http_default_routes: Vec<String>,
}

/// Properties of `AWS::Serverless::Function` SAMT passes to `AWS::Lambda::Function` unchanged,
/// in SAMT's order (`LambdaFunction.property_types`); `None` marks where SAMT computes a value.
const LAMBDA_PROPERTIES: &[&str] = &[
    "Code",
    "PackageType",
    "DeadLetterConfig",
    "Description",
    "FunctionName",
    "Handler",
    "MemorySize",
    "Role",
    "Runtime",
    "Timeout",
    "VpcConfig",
    "Environment",
    "Tags",
    "TracingConfig",
    "KmsKeyArn",
    "Layers",
    "ReservedConcurrentExecutions",
    "FileSystemConfigs",
    "CodeSigningConfigArn",
    "ImageConfig",
    "Architectures",
    "SnapStart",
    "EphemeralStorage",
    "RuntimeManagementConfig",
    "LoggingConfig",
    "RecursiveLoop",
    "CapacityProviderConfig",
    "FunctionScalingConfig",
    "PublishToLatestPublished",
    "TenancyConfig",
    "DurableConfig",
];

/// Every property SAMT accepts on `AWS::Serverless::Function` (`SamFunction.property_types`).
const SAM_PROPERTIES: &[&str] = &[
    "FunctionName",
    "Handler",
    "Runtime",
    "CodeUri",
    "ImageUri",
    "PackageType",
    "InlineCode",
    "DeadLetterQueue",
    "Description",
    "MemorySize",
    "Timeout",
    "VpcConfig",
    "Role",
    "AssumeRolePolicyDocument",
    "Policies",
    "RolePath",
    "PermissionsBoundary",
    "Environment",
    "Events",
    "Tags",
    "PropagateTags",
    "Tracing",
    "KmsKeyArn",
    "DeploymentPreference",
    "ReservedConcurrentExecutions",
    "Layers",
    "EventInvokeConfig",
    "EphemeralStorage",
    "AutoPublishAlias",
    "AutoPublishCodeSha256",
    "AutoPublishAliasAllProperties",
    "VersionDescription",
    "ProvisionedConcurrencyConfig",
    "FileSystemConfigs",
    "ImageConfig",
    "CodeSigningConfigArn",
    "Architectures",
    "SnapStart",
    "FunctionUrlConfig",
    "RuntimeManagementConfig",
    "LoggingConfig",
    "RecursiveLoop",
    "SourceKMSKeyArn",
    "CapacityProviderConfig",
    "FunctionScalingConfig",
    "VersionDeletionPolicy",
    "PublishToLatestPublished",
    "TenancyConfig",
    "DurableConfig",
];

pub fn expand(
    cx: &Cx<'_>,
    sink: &mut Sink,
    id: &str,
    resource_node: &Node,
) -> Result<Vec<(Key, Node)>, SamError> {
    let span = resource_node.span;
    let raw_props = tree::get(resource_node, "Properties");
    if let Some(p) = raw_props {
        if p.as_map().is_none() || tree::is_intrinsic(p) {
            return Err(SamError::resource(
                id,
                p.span,
                "properties of a resource must be an object",
            ));
        }
    }
    let merged = cx
        .globals
        .merge(id, "AWS::Serverless::Function", resource_node, raw_props)?;
    let empty = tree::map(Vec::new(), span);
    let props = merged.as_ref().unwrap_or(&empty);
    let prop = |name: &str| tree::get(props, name);

    for (k, _) in props.as_map().unwrap_or_default() {
        if !SAM_PROPERTIES.contains(&&*k.text) {
            sink.diagnostic(
                format!(
                    "property `{}` of `{id}` is not one SAM 1.115 knows; it is ignored",
                    k.text
                ),
                k.span,
            );
        }
    }
    check_types(id, props)?;
    let events = prop("Events");
    if let Some(dlq) = prop("DeadLetterQueue") {
        check_dlq(id, dlq)?;
    }
    check_tenancy(id, props, events)?;
    // Events are checked before anything is generated (SAMT `resources_to_link`).
    let mut checked: Vec<(&str, &Node, Checked<'_>)> = Vec::new();
    for (k, event) in events.and_then(Node::as_map).unwrap_or_default() {
        let c = events::check(id, &k.text, event)?;
        push::link(cx, sink, id, &k.text, event, &c)?;
        checked.push((&k.text, event, c));
    }

    let attrs = passthrough_attributes(resource_node);
    let mut out: Vec<(Key, Node)> = Vec::new();

    // The function.
    let mut function = lambda_function(cx, resource_node, props);
    sink.note(id, id, None, GeneratedKind::Function);

    if prop("ProvisionedConcurrencyConfig").is_some() && prop("AutoPublishAlias").is_none() {
        return Err(SamError::resource(
            id,
            span,
            "to set `ProvisionedConcurrencyConfig` `AutoPublishAlias` must be defined on the function",
        ));
    }
    let mut target = Target {
        function: id.to_string(),
        alias: None,
    };
    let mut alias_name: Option<String> = None;
    let mut version_and_alias: Vec<(Key, Node)> = Vec::new();
    if let Some(alias) = prop("AutoPublishAlias") {
        let name = cx
            .resolve_params(alias)
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| {
                SamError::resource(
                    id,
                    alias.span,
                    "`AutoPublishAlias` must be a string or a Ref to a template parameter",
                )
            })?;
        let [version, alias_node] =
            version_and_alias_of(cx, sink, id, &name, &attrs, props, &function, alias.span)?;
        target.alias = Some(alias_node.0.text.to_string());
        version_and_alias.push(version);
        version_and_alias.push(alias_node);
        alias_name = Some(name);
    }

    let mut url_resources: Vec<(Key, Node)> = Vec::new();
    if let Some(config) = prop("FunctionUrlConfig") {
        url_resources = function_url(sink, id, config, &target, &attrs)?;
    }

    if let Some(dp) = prop("DeploymentPreference").filter(|d| d.as_map().is_some()) {
        let enabled = match tree::get(dp, "Enabled").map(|e| cx.resolve_params(e)) {
            None => true,
            Some(e) => {
                tree::as_bool(&e) != Some(false)
                    && e.as_str() != Some("false")
                    && e.as_str() != Some("False")
            }
        };
        let condition = resource_node
            .get("Condition")
            .and_then(Node::as_str)
            .map(str::to_string);
        sink.deployment_preferences.push((
            enabled,
            tree::get(dp, "Role").is_some(),
            condition,
            dp.span,
            id.to_string(),
        ));
    }

    let mut eic_resources: Vec<(Key, Node)> = Vec::new();
    let mut eic_policies: Vec<(Node, String, String)> = Vec::new();
    if let Some(config) = prop("EventInvokeConfig") {
        (eic_resources, eic_policies) = event_invoke_config(
            cx,
            sink,
            id,
            resource_node,
            config,
            alias_name.as_deref(),
            target.alias.as_deref(),
        )?;
    }

    // The execution role (always built: events add to it even when it is not emitted).
    let role_id = format!("{id}Role");
    let mut role = RoleBuilder::new(
        role_id.clone(),
        span,
        prop("AssumeRolePolicyDocument")
            .cloned()
            .unwrap_or_else(|| policies::assume_role_policy("lambda.amazonaws.com", span)),
    );
    role.attrs = attrs.clone();
    role.add_aws_managed(
        if prop("DurableConfig").is_some() {
            "service-role/AWSLambdaBasicDurableExecutionRolePolicy"
        } else {
            "service-role/AWSLambdaBasicExecutionRole"
        },
        span,
    );
    if let Some(tracing) = prop("Tracing") {
        if cx.resolve_params(tracing).as_str() != Some("Disabled") {
            // SAMT `get_xray_managed_policy_name` for the `aws` partition.
            role.add_aws_managed("AWSXrayWriteOnlyAccess", tracing.span);
        }
    }
    if let Some(vpc) = prop("VpcConfig") {
        role.add_aws_managed("service-role/AWSLambdaVPCAccessExecutionRole", vpc.span);
    }
    if let Some(dlq) = prop("DeadLetterQueue") {
        let action = match dlq.get("Type").and_then(Node::as_str) {
            Some("SNS") => "sns:Publish",
            _ => "sqs:SendMessage",
        };
        let target_arn = dlq
            .get("TargetArn")
            .cloned()
            .unwrap_or_else(|| string("", dlq.span));
        role.policies.push(named_policy(
            "DeadLetterQueuePolicy",
            vec![statement(string(action, dlq.span), target_arn, dlq.span)],
            true,
            dlq.span,
        ));
        sink.note_policy(
            &role_id,
            "DeadLetterQueuePolicy",
            PolicyOrigin::DeadLetterQueue,
        );
    }
    for (policy, name, destination) in eic_policies {
        role.policies.push(policy);
        sink.note_policy(
            &role_id,
            &name,
            PolicyOrigin::EventInvokeConfig { destination },
        );
    }
    policies::check_type(id, prop("Policies"))?;
    policies::apply(sink, id, &mut role, prop("Policies"))?;
    role.path = prop("RolePath").cloned();
    role.boundary = prop("PermissionsBoundary").cloned();
    role.tags = Some(policies::sam_tags(prop("Tags"), span));

    let emit_role = match prop("Role") {
        None => {
            tree::set(&mut function, "Role", tree::get_att(&role_id, "Arn", span));
            true
        }
        Some(r) if tree::if_items(r).is_some() => {
            conditional_role(cx, sink, id, r, &mut function, &mut role)?
        }
        Some(_) => false,
    };

    // Events, in SAMT's order (by `Path`, else by name).
    checked.sort_by(|a, b| order_key(a.0, &a.2).cmp(order_key(b.0, &b.2)));
    let mut state = FunctionState::default();
    let mut event_resources: Vec<(Key, Node)> = Vec::new();
    for (event_id, node, c) in &checked {
        let empty_props = tree::map(Vec::new(), node.span);
        let ev = EventCx {
            cx,
            function: id,
            event: event_id,
            id: format!("{id}{event_id}"),
            node,
            props: c.props.unwrap_or(&empty_props),
            target: &target,
            attrs: &attrs,
        };
        let generated = if events::is_pull(c.kind) {
            pull::expand(sink, &ev, c.kind, &mut role)?
        } else {
            push::expand(cx, sink, &ev, c.kind, &mut role, &mut state)?
        };
        event_resources.extend(generated);
    }

    out.push((key(id, span), function_resource(function, resource_node)));
    out.extend(version_and_alias);
    out.extend(url_resources);
    out.extend(eic_resources);
    if emit_role {
        sink.note(&role_id, id, None, GeneratedKind::ExecutionRole);
        out.push((key(&role_id, span), role.build()));
    }
    out.extend(event_resources);
    Ok(out)
}

/// SAMT `SamFunction.order_events` (after the implicit HTTP API plugin gave a bare `HttpApi`
/// event the path `$default`).
fn order_key<'a>(event_id: &'a str, c: &Checked<'a>) -> &'a str {
    let path = c.props.and_then(|p| p.get("Path"));
    if c.kind == "HttpApi" && path.is_none() && c.props.and_then(|p| p.get("Method")).is_none() {
        return "$default";
    }
    path.and_then(Node::as_str).unwrap_or(event_id)
}

/// SAMT's `property_types` checks of the function properties that shape what is generated.
fn check_types(id: &str, props: &Node) -> Result<(), SamError> {
    use tree::Ty;
    let checks: &[(&str, Ty)] = &[
        ("DeadLetterQueue", Ty::Dict),
        ("Role", Ty::Str),
        ("AssumeRolePolicyDocument", Ty::Dict),
        ("PermissionsBoundary", Ty::Str),
        ("Events", Ty::Dict),
        ("Tags", Ty::Dict),
        ("EventInvokeConfig", Ty::Dict),
        ("AutoPublishAlias", Ty::Str),
        ("FunctionUrlConfig", Ty::Dict),
        ("DurableConfig", Ty::Dict),
    ];
    for (name, ty) in checks {
        if let Some(v) = tree::get(props, name) {
            let ok = ty.accepts(v)
                && (*name != "Events"
                    || v.as_map().is_some_and(|events| {
                        events
                            .iter()
                            .all(|(_, e)| e.as_map().is_some() && !tree::is_intrinsic(e))
                    }));
            if !ok {
                return Err(SamError::resource(
                    id,
                    v.span,
                    format!("type of property `{name}` is invalid"),
                ));
            }
        }
    }
    Ok(())
}

/// SAMT `_validate_dlq`.
fn check_dlq(id: &str, dlq: &Node) -> Result<(), SamError> {
    let ty = tree::get(dlq, "Type");
    if !tree::truthy(ty) || !tree::truthy(tree::get(dlq, "TargetArn")) {
        return Err(SamError::resource(
            id,
            dlq.span,
            "`DeadLetterQueue` requires `Type` and `TargetArn` properties to be specified",
        ));
    }
    match ty.and_then(|t| {
        if t.tag.is_none() {
            tree::scalar_text(t)
        } else {
            None
        }
    }) {
        Some("SQS" | "SNS") => Ok(()),
        Some(_) => Err(SamError::resource(
            id,
            dlq.span,
            "`DeadLetterQueue` requires `Type` of [SQS, SNS]",
        )),
        None => Err(SamError::resource(
            id,
            dlq.span,
            "property `DeadLetterQueue.Type` should be a string",
        )),
    }
}

/// SAMT `_validate_tenancy_config_compatibility`.
fn check_tenancy(id: &str, props: &Node, events: Option<&Node>) -> Result<(), SamError> {
    let Some(tenancy) = tree::get(props, "TenancyConfig") else {
        return Ok(());
    };
    for (name, what) in [
        ("ProvisionedConcurrencyConfig", "provisioned concurrency"),
        ("FunctionUrlConfig", "function URL"),
        ("SnapStart", "SnapStart"),
    ] {
        if tree::truthy(tree::get(props, name)) {
            return Err(SamError::resource(
                id,
                tenancy.span,
                format!("{what} is not supported for functions enabled with tenancy configuration"),
            ));
        }
    }
    for (_, event) in events.and_then(Node::as_map).unwrap_or_default() {
        let ty = event.get("Type").and_then(Node::as_str).unwrap_or("None");
        if ty != "Api" && ty != "HttpApi" {
            return Err(SamError::resource(
                id,
                event.span,
                format!(
                    "event source `{ty}` is not supported for functions enabled with tenancy configuration; only Api and HttpApi event sources are supported"
                ),
            ));
        }
    }
    Ok(())
}

/// The `AWS::Lambda::Function`'s properties (its `Role` is set by the caller).
fn lambda_function(cx: &Cx<'_>, resource_node: &Node, props: &Node) -> Node {
    let span = resource_node.span;
    let prop = |name: &str| tree::get(props, name);
    let mut m = MapBuilder::new(span);
    for &name in LAMBDA_PROPERTIES {
        let value = match name {
            "Code" => code(props, span),
            "DeadLetterConfig" => prop("DeadLetterQueue").map(|dlq| {
                MapBuilder::new(dlq.span)
                    .put(
                        "TargetArn",
                        dlq.get("TargetArn")
                            .cloned()
                            .unwrap_or_else(|| string("", dlq.span)),
                    )
                    .build()
            }),
            "FunctionName" => prop("FunctionName")
                .filter(|f| tree::truthy(Some(f)))
                .cloned(),
            "Role" => prop("Role").cloned(),
            "Tags" => Some(policies::sam_tags(prop("Tags"), span)),
            "TracingConfig" => prop("Tracing")
                .filter(|t| cx.resolve_params(t).as_str() != Some("Disabled"))
                .map(|t| MapBuilder::new(t.span).put("Mode", t.clone()).build()),
            "CapacityProviderConfig" => prop("CapacityProviderConfig").map(|c| {
                let mut inner = MapBuilder::new(c.span);
                inner.put_opt("CapacityProviderArn", c.get("Arn").cloned());
                inner.put_opt(
                    "PerExecutionEnvironmentMaxConcurrency",
                    c.get("PerExecutionEnvironmentMaxConcurrency").cloned(),
                );
                inner.put_opt(
                    "ExecutionEnvironmentMemoryGiBPerVCpu",
                    c.get("ExecutionEnvironmentMemoryGiBPerVCpu").cloned(),
                );
                MapBuilder::new(c.span)
                    .put(
                        "LambdaManagedInstancesCapacityProviderConfig",
                        inner.build(),
                    )
                    .build()
            }),
            other => prop(other).cloned(),
        };
        m.put_opt(name, value);
    }
    m.build()
}

/// The function resource around its properties: `DependsOn` and every resource attribute of
/// the SAM function (SAMT `LambdaFunction(depends_on, attributes=resource_attributes)`).
fn function_resource(properties: Node, sam: &Node) -> Node {
    let span = sam.span;
    let attrs: Vec<(Key, Node)> = sam
        .as_map()
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
        .collect();
    resource(
        "AWS::Lambda::Function",
        span,
        &attrs,
        sam.get("DependsOn").cloned(),
        properties,
    )
}

/// SAMT `_construct_code_dict`: `InlineCode` → `ZipFile`, an S3 URI or `{Bucket, Key,
/// Version}` → `S3Bucket`/`S3Key`/`S3ObjectVersion`, `ImageUri` → `ImageUri`. A local path
/// (a template before `sam package`) is kept as `LocalPath`, which SAMT would reject.
fn code(props: &Node, span: Span) -> Option<Node> {
    let prop = |name: &str| tree::get(props, name);
    let image = prop("PackageType").and_then(Node::as_str) == Some("Image");
    let mut m = MapBuilder::new(span);
    if image {
        m.put("ImageUri", prop("ImageUri")?.clone());
        return Some(m.build());
    }
    if let Some(inline) = prop("InlineCode") {
        m.put("ZipFile", inline.clone());
    } else if let Some(uri) = prop("CodeUri") {
        if uri.as_map().is_some() && !tree::is_intrinsic(uri) {
            m.put_opt("S3Bucket", uri.get("Bucket").cloned());
            m.put_opt("S3Key", uri.get("Key").cloned());
            m.put_opt("S3ObjectVersion", uri.get("Version").cloned());
        } else if let Some(s) = uri.as_str().and_then(|s| s.strip_prefix("s3://")) {
            let (location, version) = match s.split_once("?versionId=") {
                Some((l, v)) => (l, Some(v)),
                None => (s, None),
            };
            let (bucket, key_path) = location.split_once('/').unwrap_or((location, ""));
            m.put("S3Bucket", string(bucket, uri.span));
            m.put("S3Key", string(key_path, uri.span));
            if let Some(v) = version {
                m.put("S3ObjectVersion", string(v, uri.span));
            }
        } else {
            m.put("LocalPath", uri.clone());
        }
    } else {
        return None;
    }
    if let Some(k) = prop("SourceKMSKeyArn") {
        m.put("SourceKMSKeyArn", k.clone());
    }
    Some(m.build())
}

/// SAMT `_construct_version` and `_construct_alias`.
#[expect(clippy::too_many_arguments, reason = "mirrors SAMT's inputs")]
fn version_and_alias_of(
    cx: &Cx<'_>,
    sink: &mut Sink,
    id: &str,
    name: &str,
    attrs: &[(Key, Node)],
    props: &Node,
    function: &Node,
    span: Span,
) -> Result<[(Key, Node); 2], SamError> {
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !name.bytes().all(|b| b.is_ascii_digit());
    if name.is_empty() {
        return Err(SamError::resource(
            id,
            span,
            "alias name is required to create an alias",
        ));
    }
    if !valid {
        return Err(SamError::resource(
            id,
            span,
            format!(
                "`AutoPublishAlias` name (`{name}`) must contain only alphanumeric characters, hyphens, or underscores matching (?!^[0-9]+$)([a-zA-Z0-9-_]+) pattern"
            ),
        ));
    }
    let version_id = format!("{id}Version{}", version_hash(cx, props, function));
    let mut version_attrs: Vec<(Key, Node)> = attrs.to_vec();
    if !version_attrs
        .iter()
        .any(|(k, _)| &*k.text == "DeletionPolicy")
    {
        let policy = tree::get(props, "VersionDeletionPolicy")
            .cloned()
            .unwrap_or_else(|| {
                string(
                    if tree::get(props, "CapacityProviderConfig").is_some() {
                        "Delete"
                    } else {
                        "Retain"
                    },
                    span,
                )
            });
        version_attrs.push((key("DeletionPolicy", span), policy));
    }
    let mut vprops = MapBuilder::new(span);
    vprops.put("FunctionName", tree::ref_to(id, span));
    vprops.put_opt(
        "Description",
        tree::get(props, "VersionDescription").cloned(),
    );
    let version = resource(
        "AWS::Lambda::Version",
        span,
        &version_attrs,
        None,
        vprops.build(),
    );
    let alias_id = format!("{id}Alias{}", name.replace('-', "D").replace('_', "U"));
    let mut aprops = MapBuilder::new(span);
    aprops
        .put("Name", string(name, span))
        .put("FunctionName", tree::ref_to(id, span))
        .put(
            "FunctionVersion",
            tree::get_att(&version_id, "Version", span),
        );
    aprops.put_opt(
        "ProvisionedConcurrencyConfig",
        tree::get(props, "ProvisionedConcurrencyConfig").cloned(),
    );
    let alias = resource("AWS::Lambda::Alias", span, attrs, None, aprops.build());
    sink.note(&version_id, id, None, GeneratedKind::Version);
    sink.note(&alias_id, id, None, GeneratedKind::Alias);
    sink.sam_refs
        .insert(format!("{id}.Alias"), alias_id.clone());
    sink.sam_refs
        .insert(format!("{id}.Version"), version_id.clone());
    Ok([
        (key(&version_id, span), version),
        (key(&alias_id, span), alias),
    ])
}

/// SAMT's version logical id suffix: the SHA-1 of the code location (template parameters
/// resolved), `Environment` and `MemorySize` as Python's JSON, or `AutoPublishCodeSha256`.
fn version_hash(cx: &Cx<'_>, props: &Node, function: &Node) -> String {
    if let Some(sha) = tree::get(props, "AutoPublishCodeSha256")
        .map(|s| cx.resolve_params(s))
        .and_then(|s| s.as_str().map(str::to_string))
    {
        return sha.chars().take(10).collect();
    }
    let mut data = match function.get("Code") {
        Some(code) => tree::to_json(&cx.resolve_params(code)),
        None => serde_json::Value::Object(serde_json::Map::new()),
    };
    if let serde_json::Value::Object(m) = &mut data {
        if let Some(serde_json::Value::Object(env)) = function.get("Environment").map(tree::to_json)
        {
            m.extend(env);
        }
        if let Some(mem) = function.get("MemorySize") {
            m.insert("MemorySize".into(), tree::to_json(mem));
        }
        if let Some(snap) = function.get("SnapStart") {
            let apply = snap.get("ApplyOn").and_then(Node::as_str).unwrap_or("None");
            if apply != "None" {
                m.insert("SnapStart".into(), tree::to_json(snap));
            }
        }
    }
    let mut text = String::new();
    tree::python_json(&data, &mut text);
    sha1::hex(text.as_bytes()).chars().take(10).collect()
}

/// SAMT `_construct_function_url`, `_construct_url_permission`, `_construct_invoke_permission`.
fn function_url(
    sink: &mut Sink,
    id: &str,
    config: &Node,
    target: &Target,
    attrs: &[(Key, Node)],
) -> Result<Vec<(Key, Node)>, SamError> {
    let span = config.span;
    let config_is_intrinsic = tree::is_intrinsic(config);
    let auth = tree::get(config, "AuthType");
    if !config_is_intrinsic && !auth.is_some_and(tree::is_intrinsic) {
        let ok = matches!(auth.and_then(Node::as_str), Some("AWS_IAM" | "NONE"));
        if !ok {
            return Err(SamError::resource(
                id,
                auth.map_or(span, |a| a.span),
                "`AuthType` is required to configure function property `FunctionUrlConfig`; please provide either `AWS_IAM` or `NONE`",
            ));
        }
    }
    let mut out = Vec::new();
    let url_id = format!("{id}Url");
    let mut props = MapBuilder::new(span);
    props.put_opt("TargetFunctionArn", Some(target_for_url(target, span)));
    props.put_opt("AuthType", auth.cloned());
    props.put_opt(
        "Cors",
        tree::get(config, "Cors")
            .filter(|c| tree::truthy(Some(c)))
            .cloned(),
    );
    props.put_opt("InvokeMode", tree::get(config, "InvokeMode").cloned());
    out.push((
        key(&url_id, span),
        resource("AWS::Lambda::Url", span, attrs, None, props.build()),
    ));
    sink.note(&url_id, id, None, GeneratedKind::FunctionUrl);
    if !config_is_intrinsic && auth.and_then(Node::as_str) == Some("NONE") {
        let public = format!("{id}UrlPublicPermissions");
        let mut p = MapBuilder::new(span);
        p.put("Action", string("lambda:InvokeFunctionUrl", span))
            .put("FunctionName", target_for_url(target, span))
            .put("Principal", string("*", span))
            .put("FunctionUrlAuthType", string("NONE", span));
        out.push((
            key(&public, span),
            resource("AWS::Lambda::Permission", span, attrs, None, p.build()),
        ));
        sink.note(&public, id, None, GeneratedKind::Permission);
        let invoke = format!("{id}URLInvokeAllowPublicAccess");
        let mut p = MapBuilder::new(span);
        p.put("Action", string("lambda:InvokeFunction", span))
            .put("FunctionName", target_for_url(target, span))
            .put("Principal", string("*", span))
            .put("InvokedViaFunctionUrl", tree::boolean(true, span));
        out.push((
            key(&invoke, span),
            resource("AWS::Lambda::Permission", span, attrs, None, p.build()),
        ));
        sink.note(&invoke, id, None, GeneratedKind::Permission);
    }
    Ok(out)
}

/// The URL and its permissions name the alias by ARN, the function by name.
fn target_for_url(target: &Target, span: Span) -> Node {
    target.name(span)
}

/// SAMT `_make_lambda_role`: `Role: !If [C, ..]` with an `AWS::NoValue` branch makes the
/// generated role conditional. Returns whether the role is emitted.
fn conditional_role(
    cx: &Cx<'_>,
    sink: &mut Sink,
    id: &str,
    role_node: &Node,
    function: &mut Node,
    role: &mut RoleBuilder,
) -> Result<bool, SamError> {
    let resolved = cx.resolve_params(role_node);
    let Some(Ok([condition, then, otherwise])) = tree::if_items(&resolved) else {
        return Err(SamError::resource(
            id,
            role_node.span,
            "malformed `Role` property: Fn::If requires 3 arguments",
        ));
    };
    let span = role_node.span;
    let arn = tree::get_att(&role.id, "Arn", span);
    let condition_name = tree::scalar_text(condition).unwrap_or("").to_string();
    let set_condition = |role: &mut RoleBuilder, name: &str| {
        role.attrs.retain(|(k, _)| &*k.text != "Condition");
        role.attrs
            .push((key("Condition", span), string(name, span)));
    };
    if tree::is_no_value(then) && tree::is_no_value(otherwise) {
        tree::set(function, "Role", arn);
        Ok(true)
    } else if tree::is_no_value(then) {
        tree::set(
            function,
            "Role",
            tree::if_node(&condition_name, arn, otherwise.clone(), span),
        );
        set_condition(role, &condition_name);
        Ok(true)
    } else if tree::is_no_value(otherwise) {
        tree::set(
            function,
            "Role",
            tree::if_node(&condition_name, then.clone(), arn, span),
        );
        let not = format!("NOT{condition_name}");
        set_condition(role, &not);
        if !sink.conditions.iter().any(|(k, _)| *k.text == *not) {
            let not_node = tree::intrinsic_node(
                "Fn::Not",
                tree::seq(
                    vec![tree::intrinsic_node(
                        "Condition",
                        string(&condition_name, span),
                        span,
                    )],
                    span,
                ),
                span,
            );
            sink.conditions.push((key(&not, span), not_node));
        }
        Ok(true)
    } else {
        Ok(false)
    }
}

/// SAMT `_construct_event_invoke_config` and `_validate_and_inject_resource`: the
/// `AWS::Lambda::EventInvokeConfig`, the queue or topic SAM creates for a destination without
/// an ARN, and the role policies for each destination (policy, name, `OnSuccess`/`OnFailure`).
#[expect(clippy::type_complexity, reason = "resources and named policies")]
fn event_invoke_config(
    cx: &Cx<'_>,
    sink: &mut Sink,
    id: &str,
    sam: &Node,
    config: &Node,
    alias_name: Option<&str>,
    alias_id: Option<&str>,
) -> Result<(Vec<(Key, Node)>, Vec<(Node, String, String)>), SamError> {
    let span = config.span;
    let logical_id = format!("{id}EventInvokeConfig");
    let resolved = cx.resolve_params(config);
    let mut resources = Vec::new();
    let mut policies_out = Vec::new();
    let mut dest_config = MapBuilder::new(span);
    let function_condition = sam.get("Condition").and_then(Node::as_str);
    let attrs = passthrough_attributes(sam);
    if let Some(dc) = tree::get(&resolved, "DestinationConfig") {
        if dc.as_map().is_none() || tree::is_intrinsic(dc) {
            return Err(SamError::resource(
                id,
                dc.span,
                "property `EventInvokeConfig.DestinationConfig` should be a map",
            ));
        }
        let original_dc = config.get("DestinationConfig");
        for which in ["OnSuccess", "OnFailure"] {
            let Some(value) = tree::get(dc, which) else {
                continue;
            };
            if value.as_map().is_none() || tree::is_intrinsic(value) {
                return Err(SamError::resource(
                    id,
                    value.span,
                    format!(
                        "property `EventInvokeConfig.DestinationConfig.{which}` should be a map"
                    ),
                ));
            }
            // The destination as written (template parameters unresolved) goes into policies.
            let written = original_dc
                .and_then(|d| d.get(which))
                .and_then(|v| tree::get(v, "Destination"));
            let ty = tree::get(value, "Type")
                .and_then(Node::as_str)
                .unwrap_or("");
            const TYPES: &[&str] = &["SQS", "SNS", "EventBridge", "Lambda", "S3Bucket"];
            if !TYPES.contains(&ty) {
                return Err(SamError::resource(
                    id,
                    value.span,
                    format!(
                        "`Type: {}` must be one of [SQS, SNS, EventBridge, Lambda, S3Bucket]",
                        tree::get(value, "Type")
                            .and_then(tree::scalar_text)
                            .unwrap_or("None")
                    ),
                ));
            }
            let resource_id = format!("{logical_id}{which}");
            let shared_key = (value.span.start, value.span.end);
            let shared = sink.shared_destinations.get(&shared_key).cloned();
            let destination = tree::get(value, "Destination").or(shared.as_ref());
            let (property_condition, if_arn) =
                destination_condition(sink, &logical_id, destination)?;
            let mut final_destination = written.or(destination).cloned();
            let from_globals = cx
                .root
                .get("Globals")
                .is_some_and(|g| g.span.start <= value.span.start && value.span.end <= g.span.end);
            if destination.is_none() || property_condition.is_some() {
                let combined = and_conditions(
                    sink,
                    id,
                    function_condition,
                    property_condition.as_deref(),
                    span,
                );
                let (res_id, res_type, arn) = match ty {
                    "SQS" => {
                        let rid = format!("{resource_id}Queue");
                        let arn = tree::get_att(&rid, "Arn", span);
                        (rid, "AWS::SQS::Queue", arn)
                    }
                    "SNS" => {
                        let rid = format!("{resource_id}Topic");
                        let arn = tree::ref_to(&rid, span);
                        (rid, "AWS::SNS::Topic", arn)
                    }
                    _ => {
                        return Err(SamError::resource(
                            id,
                            value.span,
                            "`Destination` is required if `Type` is not [SQS, SNS]",
                        ));
                    }
                };
                let mut res_attrs = attrs.clone();
                if let Some(c) = &combined {
                    res_attrs.retain(|(k, _)| &*k.text != "Condition");
                    res_attrs.push((key("Condition", span), string(c, span)));
                }
                let node = resource(
                    res_type,
                    span,
                    &res_attrs,
                    None,
                    tree::map(Vec::new(), span),
                );
                resources.push((key(&res_id, span), node));
                sink.note(&res_id, id, None, GeneratedKind::DestinationResource);
                final_destination = Some(match &property_condition {
                    Some(c) => {
                        tree::if_node(c, arn, if_arn.unwrap_or_else(|| tree::no_value(span)), span)
                    }
                    None => arn,
                });
                if from_globals {
                    if let Some(d) = &final_destination {
                        sink.shared_destinations.insert(shared_key, d.clone());
                    }
                }
            }
            let dest = final_destination.unwrap_or_else(|| tree::no_value(span));
            if let Some((policy, name)) = destination_policy(ty, &resource_id, &dest, span) {
                policies_out.push((policy, name, which.to_string()));
            }
            dest_config.put(
                which,
                MapBuilder::new(span).put("Destination", dest).build(),
            );
        }
    }
    let mut props = MapBuilder::new(span);
    props
        .put("FunctionName", tree::ref_to(id, span))
        .put("Qualifier", string(alias_name.unwrap_or("$LATEST"), span))
        .put("DestinationConfig", dest_config.build());
    props.put_opt(
        "MaximumEventAgeInSeconds",
        tree::get(config, "MaximumEventAgeInSeconds").cloned(),
    );
    props.put_opt(
        "MaximumRetryAttempts",
        tree::get(config, "MaximumRetryAttempts").cloned(),
    );
    let all_attrs: Vec<(Key, Node)> = sam
        .as_map()
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
        .collect();
    let node = resource(
        "AWS::Lambda::EventInvokeConfig",
        span,
        &all_attrs,
        alias_id.map(|a| tree::seq(vec![string(a, span)], span)),
        props.build(),
    );
    resources.insert(0, (key(&logical_id, span), node));
    sink.note(&logical_id, id, None, GeneratedKind::EventInvokeConfig);
    Ok((resources, policies_out))
}

/// SAMT `_get_or_make_condition`: for `Destination: !If [C, !Ref AWS::NoValue, arn]` the
/// condition under which SAM creates the destination, and the other branch.
fn destination_condition(
    sink: &mut Sink,
    logical_id: &str,
    destination: Option<&Node>,
) -> Result<(Option<String>, Option<Node>), SamError> {
    let Some(d) = destination else {
        return Ok((None, None));
    };
    let Some(items) = tree::if_items(d) else {
        return Ok((None, None));
    };
    let Ok([c, then, otherwise]) = items else {
        return Err(SamError::resource(
            logical_id,
            d.span,
            "malformed `Destination` property: Fn::If requires 3 arguments",
        ));
    };
    let condition = tree::scalar_text(c).unwrap_or("").to_string();
    if tree::is_no_value(then) && tree::is_no_value(otherwise) {
        return Ok((None, None));
    }
    if tree::is_no_value(then) {
        return Ok((Some(condition), Some(otherwise.clone())));
    }
    if tree::is_no_value(otherwise) {
        let name = generated_condition_name(&format!("NOT{condition}"), logical_id);
        if !sink.conditions.iter().any(|(k, _)| *k.text == *name) {
            let not_node = tree::intrinsic_node(
                "Fn::Not",
                tree::seq(
                    vec![tree::intrinsic_node(
                        "Condition",
                        string(&condition, d.span),
                        d.span,
                    )],
                    d.span,
                ),
                d.span,
            );
            sink.conditions.push((key(&name, d.span), not_node));
        }
        return Ok((Some(name), Some(then.clone())));
    }
    Ok((None, None))
}

/// SAMT `_make_and_conditions`.
fn and_conditions(
    sink: &mut Sink,
    id: &str,
    resource_condition: Option<&str>,
    property_condition: Option<&str>,
    span: Span,
) -> Option<String> {
    match (resource_condition, property_condition) {
        (None, p) => p.map(str::to_string),
        (Some(r), None) => Some(r.to_string()),
        (Some(r), Some(p)) => {
            let name = generated_condition_name(&format!("{r}AND{p}"), id);
            let cond = |c: &str| tree::intrinsic_node("Condition", string(c, span), span);
            let and =
                tree::intrinsic_node("Fn::And", tree::seq(vec![cond(r), cond(p)], span), span);
            if !sink.conditions.iter().any(|(k, _)| *k.text == *name) {
                sink.conditions.push((key(&name, span), and));
            }
            Some(name)
        }
    }
}

/// SAMT `_make_gen_condition_name`: the name followed by the SHA-1 prefix of `hash_input`.
fn generated_condition_name(name: &str, hash_input: &str) -> String {
    let digest: String = sha1::hex(hash_input.as_bytes()).chars().take(10).collect();
    let full = format!("{name}{digest}");
    full.chars().take(255).collect()
}

/// SAMT `_add_event_invoke_managed_policy`.
fn destination_policy(
    ty: &str,
    resource_id: &str,
    dest: &Node,
    span: Span,
) -> Option<(Node, String)> {
    let (suffix, statements) = match ty {
        "SQS" => (
            "SQSPolicy",
            vec![statement(
                string("sqs:SendMessage", span),
                dest.clone(),
                span,
            )],
        ),
        "SNS" => (
            "SNSPolicy",
            vec![statement(string("sns:publish", span), dest.clone(), span)],
        ),
        "EventBridge" => (
            "EventBridgePolicy",
            vec![statement(
                string("events:PutEvents", span),
                dest.clone(),
                span,
            )],
        ),
        "Lambda" => (
            "LambdaPolicy",
            vec![statement(
                string("lambda:InvokeFunction", span),
                dest.clone(),
                span,
            )],
        ),
        "S3Bucket" => ("S3Policy", s3_destination_statements(dest, span)),
        _ => return None,
    };
    let name = format!("{resource_id}{suffix}");
    Some((named_policy(&name, statements, false, span), name))
}

/// SAMT `s3_send_event_payload_role_policy`: `s3:PutObject` on `<bucket>/*`, `s3:ListBucket` on
/// the bucket.
pub fn s3_destination_statements(bucket_arn: &Node, span: Span) -> Vec<Node> {
    let objects = tree::intrinsic_node(
        "Fn::Join",
        tree::seq(
            vec![
                string("/", span),
                tree::seq(vec![bucket_arn.clone(), string("*", span)], span),
            ],
            span,
        ),
        span,
    );
    vec![
        statement(string("s3:PutObject", span), objects, span),
        statement(string("s3:ListBucket", span), bucket_arn.clone(), span),
    ]
}
