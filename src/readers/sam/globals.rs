//! The `Globals` section: properties every SAM resource of a type inherits (SAMT
//! `plugins/globals/globals.py`).
//!
//! Input: the `Globals` node. Output: per resource type, the properties to merge into each
//! resource of that type. Merge rules are SAMT's: the resource's scalar wins, mappings merge key
//! by key, lists concatenate (global first), a type mismatch keeps the resource's value, and an
//! intrinsic function counts as a scalar. `Architectures` is replaced, not concatenated.
//! Merged values keep their own spans: a value inherited from `Globals` points there.
//!
//! Limit: every merge copies the section, so a large value in `Globals` times many resources
//! is an amplification like a YAML alias; the text copied in one template is bounded by
//! [`MAX_COPIED_BYTES`], and a template over it is a located error.

use super::tree;
use super::{SamError, Scope};
use crate::readers::syntax::{Key, Node, NodeKind};

/// Properties SAMT accepts in each section of `Globals` (SAMT `Globals.supported_properties`).
const SECTIONS: &[(&str, &[&str])] = &[
    (
        "Function",
        &[
            "Handler",
            "Runtime",
            "CodeUri",
            "DeadLetterQueue",
            "Description",
            "MemorySize",
            "Timeout",
            "VpcConfig",
            "Environment",
            "Tags",
            "PropagateTags",
            "Tracing",
            "KmsKeyArn",
            "AutoPublishAlias",
            "AutoPublishAliasAllProperties",
            "Layers",
            "DeploymentPreference",
            "RolePath",
            "PermissionsBoundary",
            "ReservedConcurrentExecutions",
            "ProvisionedConcurrencyConfig",
            "AssumeRolePolicyDocument",
            "EventInvokeConfig",
            "FileSystemConfigs",
            "CodeSigningConfigArn",
            "Architectures",
            "SnapStart",
            "EphemeralStorage",
            "FunctionUrlConfig",
            "RuntimeManagementConfig",
            "LoggingConfig",
            "RecursiveLoop",
            "SourceKMSKeyArn",
            "TenancyConfig",
            "DurableConfig",
            "CapacityProviderConfig",
            "FunctionScalingConfig",
            "PublishToLatestPublished",
            "VersionDeletionPolicy",
        ],
    ),
    (
        "Api",
        &[
            "Auth",
            "Name",
            "DefinitionUri",
            "CacheClusterEnabled",
            "CacheClusterSize",
            "MergeDefinitions",
            "Variables",
            "EndpointConfiguration",
            "MethodSettings",
            "BinaryMediaTypes",
            "MinimumCompressionSize",
            "Cors",
            "GatewayResponses",
            "AccessLogSetting",
            "CanarySetting",
            "TracingEnabled",
            "OpenApiVersion",
            "Domain",
            "AlwaysDeploy",
            "PropagateTags",
            "SecurityPolicy",
            "EndpointAccessMode",
        ],
    ),
    (
        "HttpApi",
        &[
            "Auth",
            "AccessLogSettings",
            "StageVariables",
            "Tags",
            "CorsConfiguration",
            "DefaultRouteSettings",
            "Domain",
            "RouteSettings",
            "FailOnWarnings",
            "PropagateTags",
        ],
    ),
    ("SimpleTable", &["SSESpecification"]),
    ("StateMachine", &["PropagateTags"]),
    ("LayerVersion", &["PublishLambdaVersion"]),
    (
        "CapacityProvider",
        &[
            "VpcConfig",
            "OperatorRole",
            "Tags",
            "InstanceRequirements",
            "ScalingConfig",
            "KmsKeyArn",
            "PropagateTags",
            "LoggingConfig",
            "ManagedResourceTags",
        ],
    ),
    (
        "MicroVMImage",
        &[
            "BuildRoleArn",
            "BaseImageArn",
            "BaseImageVersion",
            "Logging",
            "EgressNetworkConnectors",
            "CpuConfigurations",
            "Resources",
            "AdditionalOsCapabilities",
            "Hooks",
            "EnvironmentVariables",
            "Tags",
            "PropagateTags",
        ],
    ),
    (
        "NetworkConnector",
        &["OperatorRole", "Tags", "PropagateTags"],
    ),
    (
        "WebSocketApi",
        &[
            "AccessLogSettings",
            "ApiKeySelectionExpression",
            "DefaultRouteSettings",
            "DisableExecuteApiEndpoint",
            "DisableSchemaValidation",
            "Domain",
            "FailOnWarnings",
            "IpAddressType",
            "PropagateTags",
            "RouteSelectionExpression",
            "RouteSettings",
            "StageVariables",
            "Tags",
        ],
    ),
];

/// Most bytes of scalar and key text that merging `Globals` may copy into the resources of one
/// template (the same budget as YAML alias expansion). Real templates copy a few kilobytes per
/// function.
pub const MAX_COPIED_BYTES: usize = 32 << 20;

/// The parsed `Globals` section.
#[derive(Debug, Default)]
pub struct Globals<'t> {
    /// Section name (`Function`) → its properties.
    sections: Vec<(&'t str, &'t [(Key, Node)])>,
    /// Bytes copied by the merges so far.
    copied: std::cell::Cell<usize>,
}

/// Bytes of scalar and key text in a node (without recursion: a tree can be deep).
fn text_bytes<'n>(nodes: impl IntoIterator<Item = (&'n Key, &'n Node)>) -> usize {
    let mut total = 0usize;
    let mut pending: Vec<&Node> = Vec::new();
    for (key, node) in nodes {
        total = total.saturating_add(key.text.len());
        pending.push(node);
    }
    while let Some(node) = pending.pop() {
        match &node.kind {
            NodeKind::Scalar { raw, .. } => total = total.saturating_add(raw.len()),
            NodeKind::Seq(items) => pending.extend(items),
            NodeKind::Map(entries) => {
                for (k, v) in entries {
                    total = total.saturating_add(k.text.len());
                    pending.push(v);
                }
            }
        }
    }
    total
}

impl<'t> Globals<'t> {
    pub fn parse(node: Option<&'t Node>) -> Result<Globals<'t>, SamError> {
        let Some(node) = node else {
            return Ok(Globals::default());
        };
        let invalid = |detail: String, span| SamError {
            span,
            scope: Scope::Globals,
            detail,
        };
        let Some(sections) = node.as_map().filter(|_| !tree::is_intrinsic(node)) else {
            return Err(invalid(
                "it must be a non-empty dictionary".into(),
                node.span,
            ));
        };
        let mut out = Vec::new();
        for (name, props) in sections {
            let Some((_, supported)) = SECTIONS.iter().find(|(s, _)| *s == &*name.text) else {
                let names: Vec<&str> = {
                    let mut v: Vec<&str> = SECTIONS.iter().map(|(s, _)| *s).collect();
                    v.sort_unstable();
                    v
                };
                return Err(invalid(
                    format!(
                        "`{}` is not supported; must be one of the following values - [{}]",
                        name.text,
                        names.join(", ")
                    ),
                    name.span,
                ));
            };
            let Some(entries) = props.as_map() else {
                return Err(invalid(
                    format!("value of `{}` must be a dictionary", name.text),
                    props.span,
                ));
            };
            for (k, _) in entries {
                if !supported.contains(&&*k.text) {
                    return Err(invalid(
                        format!(
                            "`{}` is not a supported property of `{}`; must be one of the following values - [{}]",
                            k.text,
                            name.text,
                            supported.join(", ")
                        ),
                        k.span,
                    ));
                }
            }
            out.push((&*name.text, entries));
        }
        Ok(Globals {
            sections: out,
            copied: std::cell::Cell::new(0),
        })
    }

    /// The properties of resource `id` of SAM type `type_name` with the globals merged in,
    /// honouring the resource's `IgnoreGlobals` attribute.
    pub fn merge(
        &self,
        id: &str,
        type_name: &str,
        resource: &'t Node,
        properties: Option<&Node>,
    ) -> Result<Option<Node>, SamError> {
        let Some(section) = type_name.strip_prefix("AWS::Serverless::") else {
            return Ok(properties.cloned());
        };
        let Some((_, globals)) = self.sections.iter().find(|(s, _)| *s == section) else {
            return Ok(properties.cloned());
        };
        let mut globals: Vec<(Key, Node)> = globals.to_vec();
        if let Some(ignore) = resource.get("IgnoreGlobals") {
            let invalid = |detail: String| SamError {
                span: ignore.span,
                scope: Scope::Resource(id.to_string()),
                detail,
            };
            if ignore.as_str() == Some("*") {
                globals.clear();
            } else if let Some(items) = ignore.as_seq() {
                for item in items {
                    let name = item.as_str().unwrap_or("");
                    let Some(i) = globals.iter().position(|(k, _)| &*k.text == name) else {
                        return Err(invalid(format!(
                            "resource `{id}` has invalid resource attribute `IgnoreGlobals` on item `{name}`"
                        )));
                    };
                    globals.remove(i);
                }
            } else {
                return Err(invalid(format!(
                    "resource `{id}` has invalid resource attribute `IgnoreGlobals`"
                )));
            }
        }
        if globals.is_empty() {
            return Ok(properties.cloned());
        }
        let copied = self
            .copied
            .get()
            .saturating_add(text_bytes(globals.iter().map(|(k, v)| (k, v))));
        if copied > MAX_COPIED_BYTES {
            return Err(SamError::resource(
                id,
                resource.span,
                format!(
                    "merging `Globals` into the resources copies more than {MAX_COPIED_BYTES} bytes of text"
                ),
            ));
        }
        self.copied.set(copied);
        let span = properties.map_or(resource.span, |p| p.span);
        let global_node = tree::map(globals, span);
        let local = match properties {
            Some(p) => p.clone(),
            None => tree::map(Vec::new(), resource.span),
        };
        Ok(Some(merge_values(&global_node, local, "")))
    }
}

#[derive(PartialEq)]
enum Token {
    Primitive,
    Dict,
    List,
}

fn token(node: &Node) -> Token {
    if tree::is_intrinsic(node) {
        return Token::Primitive;
    }
    match &node.kind {
        NodeKind::Map(_) if node.tag.is_none() => Token::Dict,
        NodeKind::Seq(_) if node.tag.is_none() => Token::List,
        _ => Token::Primitive,
    }
}

/// SAMT `GlobalProperties._do_merge`; `path` is the dotted property path (for `Architectures`).
fn merge_values(global: &Node, local: Node, path: &str) -> Node {
    let (tg, tl) = (token(global), token(&local));
    if tg != tl || tg == Token::Primitive {
        return local;
    }
    if path == "Architectures" {
        return local;
    }
    match (&global.kind, local.kind) {
        (NodeKind::Map(g), NodeKind::Map(l)) => {
            let mut merged: Vec<(Key, Node)> = g.clone();
            for (k, v) in l {
                let child = if path.is_empty() {
                    k.text.to_string()
                } else {
                    format!("{path}.{}", k.text)
                };
                if let Some((_, existing)) = merged.iter_mut().find(|(mk, _)| mk.text == k.text) {
                    let g_value = std::mem::replace(existing, tree::plain("", k.span));
                    *existing = merge_values(&g_value, v, &child);
                } else {
                    merged.push((k, v));
                }
            }
            Node {
                span: local.span,
                tag: None,
                kind: NodeKind::Map(merged),
            }
        }
        (NodeKind::Seq(g), NodeKind::Seq(l)) => {
            let mut items = g.clone();
            items.extend(l);
            Node {
                span: local.span,
                tag: None,
                kind: NodeKind::Seq(items),
            }
        }
        (_, kind) => Node {
            span: local.span,
            tag: local.tag,
            kind,
        },
    }
}
