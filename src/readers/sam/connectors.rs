//! `AWS::Serverless::Connector` and the `Connectors` attribute (SAMT `SamConnector`,
//! `model/connector/connector.py`, `model/connector_profiles/profiles.json`).
//!
//! Input: a connector (after every other SAM resource has been expanded: connectors read the
//! generated resources, as in SAMT). Output: what the profile of the (source type,
//! destination type) pair asks for: an `AWS::IAM::ManagedPolicy` `<Connector>Policy` attached
//! to the role of the side that acts, `AWS::Lambda::Permission`s
//! `<Connector><Category>LambdaPermission` for push sources, or a queue / topic policy. With
//! several destinations the ids end in `Destination<index>`.

use serde_json::Value;

use super::tree::{self, MapBuilder, key, string};
use super::{Cx, GeneratedKind, SamError, Sink, data, resource};
use crate::readers::syntax::{Key, Node, NodeKind};
use crate::source::Span;

/// A connector written in a resource's `Connectors` attribute, as the resource SAMT makes of it.
pub struct Embedded {
    /// `<Source><Name>`.
    pub id: String,
    pub source: String,
    pub node: Node,
}

/// SAMT `_get_embedded_connectors`.
pub fn embedded(cx: &Cx<'_>, errors: &mut Vec<SamError>) -> Vec<Embedded> {
    let mut out = Vec::new();
    for (source_key, r) in cx.resources {
        let source = &*source_key.text;
        let Some(connectors) = r.get("Connectors") else {
            continue;
        };
        let Some(entries) = connectors
            .as_map()
            .filter(|_| !tree::is_intrinsic(connectors))
        else {
            errors.push(SamError::resource(
                source,
                connectors.span,
                format!("attribute `{source}.Connectors` should be a map"),
            ));
            continue;
        };
        for (name, dict) in entries {
            let id = format!("{source}{}", name.text);
            match embedded_one(cx, source, &name.text, &id, dict) {
                Ok(node) => out.push(Embedded {
                    id,
                    source: source.to_string(),
                    node,
                }),
                Err(e) => errors.push(e),
            }
        }
    }
    out
}

fn embedded_one(
    cx: &Cx<'_>,
    source: &str,
    name: &str,
    id: &str,
    dict: &Node,
) -> Result<Node, SamError> {
    let span = dict.span;
    let Some(entries) = dict.as_map().filter(|_| !tree::is_intrinsic(dict)) else {
        return Err(SamError::resource(
            id,
            span,
            format!("`{source}.{id}` should be a map"),
        ));
    };
    let props = tree::get(dict, "Properties");
    let Some(props_entries) = props
        .and_then(Node::as_map)
        .filter(|_| props.is_some_and(|p| !tree::is_intrinsic(p)))
    else {
        return Err(SamError::resource(
            source,
            props.map_or(span, |p| p.span),
            format!("attribute `Connectors.{name}.Properties` should be a map"),
        ));
    };
    let mut source_ref = MapBuilder::new(span);
    source_ref.put("Id", string(source, span));
    if let Some(sr) = tree::get(dict.get("Properties").unwrap_or(dict), "SourceReference") {
        let Some(sr_entries) = sr.as_map().filter(|_| !tree::is_intrinsic(sr)) else {
            return Err(SamError::resource(
                source,
                sr.span,
                format!("property `Connectors.{name}.Properties.SourceReference` should be a map"),
            ));
        };
        if sr.get("Id").is_some() {
            return Err(SamError::resource(
                name,
                sr.span,
                "`Id` shouldn't be defined in `SourceReference`",
            ));
        }
        for e in sr_entries {
            source_ref.put_entry(e.clone());
        }
    }
    if cx.resource(id).is_some() {
        return Err(SamError::resource(
            source,
            span,
            format!(
                "transforming resource `{source}` attempts to create a new resource with id `{id}` and type `AWS::Serverless::Connector`; a resource with that id already exists within this template"
            ),
        ));
    }
    let mut new_props: Vec<(Key, Node)> = vec![(key("Source", span), source_ref.build())];
    for (k, v) in props_entries {
        if &*k.text != "SourceReference" && &*k.text != "Source" {
            new_props.push((k.clone(), v.clone()));
        }
    }
    let mut node_entries: Vec<(Key, Node)> = vec![(
        key("Type", span),
        string("AWS::Serverless::Connector", span),
    )];
    for (k, v) in entries {
        if &*k.text == "Properties" {
            node_entries.push((k.clone(), tree::map(new_props.clone(), v.span)));
        } else if &*k.text != "Type" {
            node_entries.push((k.clone(), v.clone()));
        }
    }
    Ok(tree::map(node_entries, span))
}

/// What a `Source` or `Destination` of a connector names (SAMT `ConnectorResourceReference`).
struct Reference {
    logical_id: Option<String>,
    resource_type: String,
    arn: Option<Node>,
    role_name: Option<Node>,
    queue_url: Option<Node>,
    resource_id: Option<Node>,
    name: Option<Node>,
    qualifier: Option<Node>,
}

/// SAM types a connector may name by `Type`, as their CloudFormation type.
fn cfn_type(sam_type: &str) -> &str {
    match sam_type {
        "AWS::Serverless::Function" => "AWS::Lambda::Function",
        "AWS::Serverless::StateMachine" => "AWS::StepFunctions::StateMachine",
        "AWS::Serverless::Api" => "AWS::ApiGateway::RestApi",
        "AWS::Serverless::HttpApi" => "AWS::ApiGatewayV2::Api",
        "AWS::Serverless::SimpleTable" => "AWS::DynamoDB::Table",
        other => other,
    }
}

/// SAMT `get_resource_reference`, against the already expanded resources.
fn reference(sink: &Sink, obj: &Node, connecting: &Node, span: Span) -> Result<Reference, String> {
    let entries = obj.as_map().unwrap_or_default();
    let has_id = obj.get("Id").is_some();
    let has_other = entries
        .iter()
        .any(|(k, _)| &*k.text != "Id" && &*k.text != "Qualifier");
    if has_id == has_other {
        return Err(
            "must provide `Id` (with optional `Qualifier`) or a supported combination of other properties"
                .into(),
        );
    }
    let get = |name: &str| tree::get(obj, name).cloned();
    let Some(id_node) = obj.get("Id") else {
        let Some(t) = obj
            .get("Type")
            .and_then(Node::as_str)
            .filter(|t| !t.is_empty())
        else {
            return Err("`Type` is missing or not a string".into());
        };
        return Ok(Reference {
            logical_id: None,
            resource_type: cfn_type(t).to_string(),
            arn: get("Arn"),
            role_name: get("RoleName"),
            queue_url: get("QueueUrl"),
            resource_id: get("ResourceId"),
            name: get("Name"),
            qualifier: get("Qualifier"),
        });
    };
    let Some(id) = id_node.as_str().filter(|s| !s.is_empty()) else {
        return Err("`Id` is missing or not a string".into());
    };
    let Some(res) = sink.find(id) else {
        return Err(format!("unable to find resource with logical ID `{id}`"));
    };
    let Some(resource_type) = res.get("Type").and_then(Node::as_str) else {
        return Err("`Type` is missing or not a string".into());
    };
    let profiles = data::connector_profiles();
    let cfn_props = profiles
        .get("CfnResourceProperties")
        .and_then(|c| c.get(resource_type));
    let output = |name: &str| -> Option<Node> {
        let v = cfn_props?.get("Outputs")?.get(name)?;
        replace(v, &[("logicalId", Some(&string(id, span)))], span).ok()
    };
    let properties = res.get("Properties");
    let role_name = cfn_props
        .and_then(|c| c.get("Inputs"))
        .and_then(|i| i.get("Role"))
        .and_then(|role_input| match role_input {
            Value::String(prop) => properties.and_then(|p| p.get(prop)),
            Value::Object(f)
                if f.get("Function").and_then(Value::as_str) == Some("GetEventsRuleRole") =>
            {
                events_rule_role(connecting, properties)
            }
            _ => None,
        })
        .and_then(tree::logical_id_of)
        .map(|role| tree::ref_to(role, span));
    Ok(Reference {
        logical_id: Some(id.to_string()),
        resource_type: resource_type.to_string(),
        arn: output("Arn"),
        role_name,
        queue_url: output("Url"),
        resource_id: output("Id"),
        name: output("Name"),
        qualifier: match obj.get("Qualifier") {
            Some(q) => Some(q.clone()),
            None => output("Qualifier"),
        },
    })
}

/// SAMT `_get_events_rule_role`: the `RoleArn` of the rule's target that is the other side.
fn events_rule_role<'n>(connecting: &Node, properties: Option<&'n Node>) -> Option<&'n Node> {
    let other_id = connecting.get("Id").and_then(Node::as_str);
    let other_arn = connecting.get("Arn");
    for target in properties?.get("Targets")?.as_seq()? {
        let arn = target.get("Arn");
        let matches_id = arn
            .and_then(tree::logical_id_of)
            .is_some_and(|t| Some(t) == other_id);
        let matches_arn = match (other_arn, arn) {
            (Some(a), Some(b)) => tree::same(a, b),
            _ => false,
        };
        if matches_id || matches_arn {
            return target.get("RoleArn");
        }
    }
    None
}

/// SAMT `profile_replace`: `%{Name}` in the profile's strings replaced by the value of `Name`;
/// a string that is exactly the pattern becomes the value, a string containing it an `Fn::Sub`.
fn replace(value: &Value, repl: &[(&str, Option<&Node>)], span: Span) -> Result<Node, String> {
    match value {
        Value::String(s) => replace_str(s, repl, span),
        Value::Array(items) => Ok(tree::seq(
            items
                .iter()
                .map(|v| replace(v, repl, span))
                .collect::<Result<_, _>>()?,
            span,
        )),
        Value::Object(entries) => Ok(tree::map(
            entries
                .iter()
                .map(|(k, v)| Ok((key(k, span), replace(v, repl, span)?)))
                .collect::<Result<_, String>>()?,
            span,
        )),
        other => Ok(tree::from_json(other, span)),
    }
}

fn replace_str(s: &str, repl: &[(&str, Option<&Node>)], span: Span) -> Result<Node, String> {
    let mut text = s.to_string();
    let mut vars: Vec<(Key, Node)> = Vec::new();
    for (name, value) in repl {
        let pattern = format!("%{{{name}}}");
        if !text.contains(&pattern) {
            continue;
        }
        let Some(value) = value else {
            return Err(format!("`{name}` is missing"));
        };
        if text == pattern {
            return Ok((*value).clone());
        }
        let var: String = name.chars().filter(|c| c.is_alphanumeric()).collect();
        text = text.replace(&pattern, &format!("${{{var}}}"));
        vars.push((key(&var, span), (*value).clone()));
    }
    let has_sub = text.find("${").is_some_and(|i| {
        text.get(i + 2..)
            .is_some_and(|rest| rest.find('}').is_some_and(|j| j > 0))
    });
    if has_sub {
        if vars.is_empty() {
            return Ok(tree::sub(&text, span));
        }
        return Ok(tree::sub_with(&text, vars, span));
    }
    Ok(string(&text, span))
}

/// Expands one connector. `embedded_in` is the resource whose `Connectors` attribute held it.
pub fn expand(
    _cx: &Cx<'_>,
    sink: &mut Sink,
    id: &str,
    node: &Node,
    embedded_in: Option<&str>,
) -> Result<Vec<(Key, Node)>, SamError> {
    let span = node.span;
    let err = |span: Span, detail: String| SamError::resource(id, span, detail);
    let props = tree::get(node, "Properties")
        .filter(|p| p.as_map().is_some() && !tree::is_intrinsic(p))
        .ok_or_else(|| err(span, "properties of a resource must be an object".into()))?;
    let source = tree::get(props, "Source")
        .ok_or_else(|| err(props.span, "missing required property `Source`".into()))?;
    let destination = tree::get(props, "Destination")
        .ok_or_else(|| err(props.span, "missing required property `Destination`".into()))?;
    let permissions_node = tree::get(props, "Permissions")
        .ok_or_else(|| err(props.span, "missing required property `Permissions`".into()))?;
    if source.as_map().is_none() {
        return Err(err(
            source.span,
            "type of property `Source` is invalid".into(),
        ));
    }
    let Some(permission_items) = permissions_node.as_seq() else {
        return Err(err(
            permissions_node.span,
            "type of property `Permissions` is invalid".into(),
        ));
    };
    let mut permissions: Vec<&str> = Vec::new();
    for p in permission_items {
        let Some(text) = p.as_str() else {
            return Err(err(
                p.span,
                "type of property `Permissions` is invalid".into(),
            ));
        };
        if !permissions.contains(&text) {
            permissions.push(text);
        }
    }
    let (destinations, multi): (Vec<&Node>, bool) = match destination.as_seq() {
        Some(items) => (items.iter().collect(), true),
        None => (vec![destination], false),
    };
    if destinations.is_empty() {
        return Err(err(
            destination.span,
            "`Destination` is an empty list".into(),
        ));
    }
    let attrs: Vec<(Key, Node)> = node
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
    let depends_on = node.get("DependsOn").cloned();
    // What the user wrote: the connector, or the resource whose `Connectors` held it.
    let from = embedded_in.unwrap_or(id);
    let mut generated: Vec<(Key, Node)> = Vec::new();
    for (index, dest) in destinations.into_iter().enumerate() {
        if dest.as_map().is_none() {
            return Err(err(
                dest.span,
                "type of property `Destination` is invalid".into(),
            ));
        }
        let destination_ref =
            reference(sink, dest, source, dest.span).map_err(|d| err(dest.span, d))?;
        let source_ref =
            reference(sink, source, dest, source.span).map_err(|d| err(source.span, d))?;
        let (src_type, dst_type) = (&source_ref.resource_type, &destination_ref.resource_type);
        let profile = data::connector_profiles()
            .get("Permissions")
            .and_then(|p| p.get(src_type))
            .and_then(|p| p.get(dst_type))
            .ok_or_else(|| {
                err(
                    span,
                    format!(
                        "unable to create connector from `{src_type}` to `{dst_type}`; it's not supported or the template is invalid"
                    ),
                )
            })?;
        let profile_type = profile.get("Type").and_then(Value::as_str).unwrap_or("");
        let profile_props = profile.get("Properties").cloned().unwrap_or(Value::Null);
        let categories: Vec<&String> = profile_props
            .get("AccessCategories")
            .and_then(Value::as_object)
            .map(|c| c.keys().collect())
            .unwrap_or_default();
        let valid = categories
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if permissions.is_empty() {
            return Err(err(
                permissions_node.span,
                format!("`Permissions` cannot be empty; valid values are: {valid}"),
            ));
        }
        for p in &permissions {
            if !categories.iter().any(|c| c.as_str() == *p) {
                return Err(err(
                    permissions_node.span,
                    format!(
                        "unsupported `Permissions` provided for connector from `{src_type}` to `{dst_type}`; valid values are: {valid}"
                    ),
                ));
            }
        }
        if let Some(combos) = profile_props
            .get("ValidAccessCategories")
            .and_then(Value::as_array)
        {
            let mut wanted: Vec<&str> = permissions.clone();
            wanted.sort_unstable();
            let mut sorted_combos: Vec<Vec<&str>> = combos
                .iter()
                .map(|c| {
                    let mut v: Vec<&str> = c
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    v.sort_unstable();
                    v
                })
                .collect();
            if !sorted_combos.contains(&wanted) {
                sorted_combos.sort();
                let combos_text = sorted_combos
                    .iter()
                    .map(|c| c.join(" + "))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(err(
                    permissions_node.span,
                    format!(
                        "unsupported `Permissions` provided for connector from `{src_type}` to `{dst_type}`; valid combinations are: {combos_text}"
                    ),
                ));
            }
        }
        let repl: [(&str, Option<&Node>); 8] = [
            ("Source.Arn", source_ref.arn.as_ref()),
            ("Destination.Arn", destination_ref.arn.as_ref()),
            ("Source.ResourceId", source_ref.resource_id.as_ref()),
            (
                "Destination.ResourceId",
                destination_ref.resource_id.as_ref(),
            ),
            ("Source.Name", source_ref.name.as_ref()),
            ("Destination.Name", destination_ref.name.as_ref()),
            ("Source.Qualifier", source_ref.qualifier.as_ref()),
            ("Destination.Qualifier", destination_ref.qualifier.as_ref()),
        ];
        let source_policy = profile_props
            .get("SourcePolicy")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let acting = if source_policy {
            &source_ref
        } else {
            &destination_ref
        };
        let side = if source_policy {
            "Source"
        } else {
            "Destination"
        };
        let suffix = |base: &str| {
            if multi {
                format!("{id}{base}Destination{index}")
            } else {
                format!("{id}{base}")
            }
        };
        let metadata = connector_metadata(id, &source_ref, &destination_ref, span);
        let statements = |categories_value: &Value| -> Result<Node, SamError> {
            let mut list = Vec::new();
            if let Some(cats) = categories_value.as_object() {
                for (name, cat) in cats {
                    if !permissions.contains(&name.as_str()) {
                        continue;
                    }
                    if let Some(items) = cat.get("Statement").and_then(Value::as_array) {
                        for s in items {
                            list.push(replace(s, &repl, span).map_err(|d| err(span, d))?);
                        }
                    }
                }
            }
            Ok(MapBuilder::new(span)
                .put("Version", string("2012-10-17", span))
                .put("Statement", tree::seq(list, span))
                .build())
        };
        let categories_value = profile_props
            .get("AccessCategories")
            .cloned()
            .unwrap_or(Value::Null);
        let mut res_attrs = attrs.clone();
        res_attrs.retain(|(k, _)| &*k.text != "Metadata");
        res_attrs.push((key("Metadata", span), metadata));
        match profile_type {
            "AWS_IAM_ROLE_MANAGED_POLICY" => {
                let Some(role_name) = &acting.role_name else {
                    return Err(err(
                        span,
                        format!("unable to get IAM role name from `{side}` resource"),
                    ));
                };
                let policy_id = suffix("Policy");
                let props = MapBuilder::new(span)
                    .put("PolicyDocument", statements(&categories_value)?)
                    .put("Roles", tree::seq(vec![role_name.clone()], span))
                    .build();
                sink.note(&policy_id, from, None, GeneratedKind::ConnectorPolicy);
                let depended_by = profile_props.get("DependedBy").and_then(Value::as_str);
                match (
                    depended_by,
                    &source_ref.logical_id,
                    &destination_ref.logical_id,
                ) {
                    (Some("DESTINATION_EVENT_SOURCE_MAPPING"), Some(s), Some(d)) => {
                        let mappings = event_source_mappings(sink, s, d);
                        if let [only] = mappings.as_slice() {
                            add_depends_on(sink, only, &policy_id, span);
                        }
                    }
                    (Some("SOURCE"), Some(s), _) => add_depends_on(sink, s, &policy_id, span),
                    _ => {}
                }
                generated.push((
                    key(&policy_id, span),
                    resource(
                        "AWS::IAM::ManagedPolicy",
                        span,
                        &res_attrs,
                        depends_on.clone(),
                        props,
                    ),
                ));
            }
            "AWS_LAMBDA_PERMISSION" => {
                let Some(function_arn) = &acting.arn else {
                    return Err(err(
                        span,
                        format!("unable to get Lambda function ARN from `{side}` resource"),
                    ));
                };
                if let Some(cats) = categories_value.as_object() {
                    for (name, cat) in cats {
                        if !permissions.contains(&name.as_str()) {
                            continue;
                        }
                        let cat_node = replace(cat, &repl, span).map_err(|d| err(span, d))?;
                        let perm_id = suffix(&format!("{name}LambdaPermission"));
                        let mut m = MapBuilder::new(span);
                        m.put_opt("Action", cat_node.get("Action").cloned())
                            .put("FunctionName", function_arn.clone())
                            .put_opt("Principal", cat_node.get("Principal").cloned())
                            .put_opt("SourceAccount", cat_node.get("SourceAccount").cloned())
                            .put_opt("SourceArn", cat_node.get("SourceArn").cloned());
                        sink.note(&perm_id, from, None, GeneratedKind::Permission);
                        generated.push((
                            key(&perm_id, span),
                            resource(
                                "AWS::Lambda::Permission",
                                span,
                                &res_attrs,
                                depends_on.clone(),
                                m.build(),
                            ),
                        ));
                    }
                }
            }
            "AWS_SQS_QUEUE_POLICY" | "AWS_SNS_TOPIC_POLICY" => {
                let queue = profile_type == "AWS_SQS_QUEUE_POLICY";
                let (target, what) = if queue {
                    (&acting.queue_url, "SQS queue URL")
                } else {
                    (&acting.arn, "SNS topic ARN")
                };
                let Some(target) = target else {
                    return Err(err(
                        span,
                        format!("unable to get {what} from `{side}` resource"),
                    ));
                };
                let (policy_id, cfn, list_key) = if queue {
                    (suffix("QueuePolicy"), "AWS::SQS::QueuePolicy", "Queues")
                } else {
                    (suffix("TopicPolicy"), "AWS::SNS::TopicPolicy", "Topics")
                };
                let mut m = MapBuilder::new(span);
                if queue {
                    m.put("PolicyDocument", statements(&categories_value)?)
                        .put(list_key, tree::seq(vec![target.clone()], span));
                } else {
                    m.put(list_key, tree::seq(vec![target.clone()], span))
                        .put("PolicyDocument", statements(&categories_value)?);
                }
                sink.note(&policy_id, from, None, GeneratedKind::ResourcePolicy);
                generated.push((
                    key(&policy_id, span),
                    resource(cfn, span, &res_attrs, depends_on.clone(), m.build()),
                ));
            }
            other => {
                return Err(err(
                    span,
                    format!("profile type `{other}` is not supported"),
                ));
            }
        }
    }
    // Resources that depended on the connector depend on what it generated.
    let ids: Vec<String> = generated.iter().map(|(k, _)| k.text.to_string()).collect();
    replace_depends_on(sink, id, &ids, span);
    Ok(generated)
}

/// `Metadata: {aws:sam:connectors: {<id>: {Source: {Type}, Destination: {Type}}}}`.
fn connector_metadata(id: &str, source: &Reference, destination: &Reference, span: Span) -> Node {
    let side = |r: &Reference| {
        MapBuilder::new(span)
            .put("Type", string(&r.resource_type, span))
            .build()
    };
    MapBuilder::new(span)
        .put(
            "aws:sam:connectors",
            MapBuilder::new(span)
                .put(
                    id,
                    MapBuilder::new(span)
                        .put("Source", side(source))
                        .put("Destination", side(destination))
                        .build(),
                )
                .build(),
        )
        .build()
}

/// Logical ids of the mappings from `source` to function `function` (SAMT
/// `get_event_source_mappings`).
fn event_source_mappings(sink: &Sink, source: &str, function: &str) -> Vec<String> {
    sink.all()
        .filter(|(_, r)| {
            r.get("Type").and_then(Node::as_str) == Some("AWS::Lambda::EventSourceMapping")
        })
        .filter(|(_, r)| {
            let p = r.get("Properties");
            let f = p
                .and_then(|p| p.get("FunctionName"))
                .and_then(tree::logical_id_of);
            let s = p
                .and_then(|p| p.get("EventSourceArn"))
                .and_then(tree::logical_id_of);
            f == Some(function) && s == Some(source)
        })
        .map(|(k, _)| k.text.to_string())
        .collect()
}

fn add_depends_on(sink: &mut Sink, id: &str, depends: &str, span: Span) {
    let Some(r) = sink.find_mut(id) else {
        return;
    };
    let mut list = match r.get("DependsOn") {
        Some(d) => match &d.kind {
            NodeKind::Seq(items) => items.clone(),
            _ => vec![d.clone()],
        },
        None => Vec::new(),
    };
    if !list.iter().any(|d| d.as_str() == Some(depends)) {
        list.push(string(depends, span));
    }
    tree::set(r, "DependsOn", tree::seq(list, span));
}

/// SAMT `replace_depends_on_logical_id`.
fn replace_depends_on(sink: &mut Sink, old: &str, new: &[String], span: Span) {
    for (_, r) in sink.out.iter_mut().flatten().chain(sink.extra.iter_mut()) {
        let Some(d) = r.get("DependsOn") else {
            continue;
        };
        let mut list: Vec<Node> = match &d.kind {
            NodeKind::Seq(items) => items.clone(),
            _ => vec![d.clone()],
        };
        let Some(pos) = list.iter().position(|n| n.as_str() == Some(old)) else {
            continue;
        };
        list.remove(pos);
        for n in new {
            if !list.iter().any(|x| x.as_str() == Some(n.as_str())) {
                list.push(string(n, span));
            }
        }
        tree::set(r, "DependsOn", tree::seq(list, span));
    }
}
