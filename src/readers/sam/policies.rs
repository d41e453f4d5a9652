//! Execution roles SAM generates and the `Policies` property (SAMT
//! `model/role_utils/role_constructor.py`, `model/resource_policies.py`,
//! `plugins/policies/policy_templates_plugin.py`, `policy_template_processor/template.py`).
//!
//! Input: a SAM resource's `Policies` and role properties. Output: an `AWS::IAM::Role` node
//! whose `ManagedPolicyArns` and `Policies` are what SAMT writes, and the origin of each
//! inline policy. `Policies` items are, as in SAMT: a managed policy name or ARN (names resolved
//! through SAMT's bundled `aws` map), any other intrinsic (a managed policy ARN), a policy
//! document (a map with `Statement`) → `<Role>Policy<index>`, a policy template
//! (`{TemplateName: {Param: value}}`) → expanded and named the same way, or an `Fn::If` of
//! these. `index` counts every item, managed policies included.

use super::tree::{self, MapBuilder, key, string};
use super::{PolicyOrigin, SamError, Scope, Sink, data};
use crate::readers::syntax::{Key, Node, NodeKind};
use crate::source::Span;

/// The trust policy SAM gives a function's role (SAMT `IAMRolePolicies.lambda_assume_role_policy`).
pub fn assume_role_policy(service: &str, span: Span) -> Node {
    let mut statement = MapBuilder::new(span);
    statement
        .put(
            "Action",
            tree::seq(vec![string("sts:AssumeRole", span)], span),
        )
        .put("Effect", string("Allow", span))
        .put(
            "Principal",
            MapBuilder::new(span)
                .put("Service", tree::seq(vec![string(service, span)], span))
                .build(),
        );
    MapBuilder::new(span)
        .put("Version", string("2012-10-17", span))
        .put("Statement", tree::seq(vec![statement.build()], span))
        .build()
}

/// `arn:aws:iam::aws:policy/<name>` (SAMT `ArnGenerator.generate_aws_managed_policy_arn`; the
/// partition is `aws`, as for region `us-east-1`).
pub fn aws_managed_policy_arn(name: &str) -> String {
    format!("arn:aws:iam::aws:policy/{name}")
}

/// `{PolicyName, PolicyDocument: {Statement: [..]}}` with one statement.
pub fn named_policy(name: &str, statements: Vec<Node>, version: bool, span: Span) -> Node {
    let mut doc = MapBuilder::new(span);
    if version {
        doc.put("Version", string("2012-10-17", span));
    }
    doc.put("Statement", tree::seq(statements, span));
    MapBuilder::new(span)
        .put("PolicyName", string(name, span))
        .put("PolicyDocument", doc.build())
        .build()
}

/// `{Action, Effect: Allow, Resource}` in SAMT's key order.
pub fn statement(action: Node, resource: Node, span: Span) -> Node {
    MapBuilder::new(span)
        .put("Action", action)
        .put("Effect", string("Allow", span))
        .put("Resource", resource)
        .build()
}

pub fn actions(names: &[&str], span: Span) -> Node {
    tree::seq(names.iter().map(|a| string(a, span)).collect(), span)
}

/// An execution role under construction.
pub struct RoleBuilder {
    pub id: String,
    pub span: Span,
    /// Resource attributes (`Condition`, `DeletionPolicy`, `UpdateReplacePolicy`).
    pub attrs: Vec<(Key, Node)>,
    pub assume: Node,
    pub managed: Vec<Node>,
    /// `Policies` items: `{PolicyName, PolicyDocument}` or an `Fn::If` of them.
    pub policies: Vec<Node>,
    pub path: Option<Node>,
    pub boundary: Option<Node>,
    pub tags: Option<Node>,
}

impl RoleBuilder {
    pub fn new(id: String, span: Span, assume: Node) -> RoleBuilder {
        RoleBuilder {
            id,
            span,
            attrs: Vec::new(),
            assume,
            managed: Vec::new(),
            policies: Vec::new(),
            path: None,
            boundary: None,
            tags: None,
        }
    }

    /// Appends a managed policy ARN unless it is there already (SAMT de-duplicates).
    pub fn add_managed(&mut self, arn: Node) {
        if !self.managed.iter().any(|m| tree::same(m, &arn)) {
            self.managed.push(arn);
        }
    }

    pub fn add_aws_managed(&mut self, name: &str, span: Span) {
        self.add_managed(string(&aws_managed_policy_arn(name), span));
    }

    fn documents(&self) -> impl Iterator<Item = &Node> {
        self.policies.iter().filter_map(|p| p.get("PolicyDocument"))
    }

    /// SAMT `_link_policy`: adds a pull event's policy unless the same policy, or a policy
    /// with the same document, is there already.
    pub fn link_policy(&mut self, policy: Node) -> bool {
        let doc = policy.get("PolicyDocument");
        let present = self.policies.iter().any(|p| tree::same(p, &policy))
            || doc.is_some_and(|d| self.documents().any(|e| tree::same(e, d)));
        if !present {
            self.policies.push(policy);
        }
        !present
    }

    pub fn build(self) -> Node {
        let span = self.span;
        let mut props = MapBuilder::new(span);
        props
            .put("AssumeRolePolicyDocument", self.assume)
            .put("ManagedPolicyArns", tree::seq(self.managed, span));
        if !self.policies.is_empty() {
            props.put("Policies", tree::seq(self.policies, span));
        }
        props
            .put_opt("Path", self.path)
            .put_opt("PermissionsBoundary", self.boundary)
            .put_opt("Tags", self.tags);
        let mut r = MapBuilder::new(span);
        r.put("Type", string("AWS::IAM::Role", span));
        for a in self.attrs {
            r.put_entry(a);
        }
        r.put("Properties", props.build());
        r.build()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Managed,
    Statement,
    Template,
    Unknown,
}

fn kind_of(node: &Node) -> Result<Kind, String> {
    if tree::scalar_text(node).is_some() && node.tag.is_none() {
        return Ok(Kind::Managed);
    }
    if let Some(items) = tree::if_items(node) {
        let Ok([_, then, otherwise]) = items else {
            return Err("Fn::If requires 3 arguments".into());
        };
        let (a, b) = (kind_of(then)?, kind_of(otherwise)?);
        if a == b {
            return Ok(a);
        }
        if tree::is_no_value(then) {
            return Ok(b);
        }
        if tree::is_no_value(otherwise) {
            return Ok(a);
        }
        return Err("different policy types within the same `Fn::If` statement is unsupported; separate different policy types into different `Fn::If` statements".into());
    }
    if tree::is_intrinsic(node) {
        return Ok(Kind::Managed);
    }
    let Some(entries) = node.as_map() else {
        return Ok(Kind::Unknown);
    };
    if node.get("Statement").is_some() {
        return Ok(Kind::Statement);
    }
    match entries {
        [(k, _)] if data::policy_templates().contains_key(&*k.text) => Ok(Kind::Template),
        _ => Ok(Kind::Unknown),
    }
}

/// The items of `Policies` (a single item is a list of one).
pub fn items(policies: Option<&Node>) -> Vec<&Node> {
    let Some(p) = policies.filter(|p| tree::truthy(Some(p))) else {
        return Vec::new();
    };
    match p.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![p],
    }
}

/// SAMT's type check of `Policies`: a string, a map, or a list of those.
pub fn check_type(owner: &str, policies: Option<&Node>) -> Result<(), SamError> {
    let Some(p) = policies.filter(|p| !p.is_null()) else {
        return Ok(());
    };
    let ok_item = |n: &Node| tree::is_str(n) || n.as_map().is_some() || tree::is_intrinsic(n);
    let ok = ok_item(p) || p.as_seq().is_some_and(|items| items.iter().all(ok_item));
    if ok {
        Ok(())
    } else {
        Err(SamError::resource(
            owner,
            p.span,
            "type of property `Policies` is invalid",
        ))
    }
}

/// Adds the `Policies` items of SAM resource `owner` to `role` (SAMT
/// `construct_role_for_resource` after the policy-template plugin).
pub fn apply(
    sink: &mut Sink,
    owner: &str,
    role: &mut RoleBuilder,
    policies: Option<&Node>,
) -> Result<(), SamError> {
    for (index, item) in items(policies).into_iter().enumerate() {
        let kind = kind_of(item).map_err(|detail| SamError {
            span: item.span,
            scope: Scope::Resource(owner.to_string()),
            detail,
        })?;
        let name = format!("{}Policy{index}", role.id);
        match kind {
            Kind::Managed => {
                let arn = if let Some(items) = tree::if_items(item) {
                    let Ok([c, then, otherwise]) = items else {
                        continue;
                    };
                    let convert = |n: &Node| {
                        if tree::is_no_value(n) || n.tag.is_some() {
                            n.clone()
                        } else {
                            managed_arn_node(n)
                        }
                    };
                    tree::intrinsic_node(
                        "Fn::If",
                        tree::seq(
                            vec![c.clone(), convert(then), convert(otherwise)],
                            item.span,
                        ),
                        item.span,
                    )
                } else {
                    managed_arn_node(item)
                };
                role.add_managed(arn);
            }
            Kind::Statement | Kind::Template => {
                let template_name = if kind == Kind::Template {
                    template_name_of(item)
                } else {
                    None
                };
                let named = |doc: Node, span: Span| {
                    let mut m = MapBuilder::new(span);
                    m.put("PolicyName", string(&name, span))
                        .put("PolicyDocument", doc);
                    m.build()
                };
                let policy = if let Some(items) = tree::if_items(item) {
                    let Ok([c, then, otherwise]) = items else {
                        continue;
                    };
                    let convert = |n: &Node| -> Result<Node, SamError> {
                        if tree::is_no_value(n) {
                            return Ok(n.clone());
                        }
                        let doc = if kind == Kind::Template {
                            expand_template(owner, n)?
                        } else {
                            n.clone()
                        };
                        Ok(named(doc, n.span))
                    };
                    tree::intrinsic_node(
                        "Fn::If",
                        tree::seq(
                            vec![c.clone(), convert(then)?, convert(otherwise)?],
                            item.span,
                        ),
                        item.span,
                    )
                } else if kind == Kind::Template {
                    named(expand_template(owner, item)?, item.span)
                } else {
                    named(item.clone(), item.span)
                };
                role.policies.push(policy);
                let origin = match template_name {
                    Some(t) => PolicyOrigin::Template { name: t, index },
                    None => PolicyOrigin::Statement { index },
                };
                sink.note_policy(&role.id, &name, origin);
            }
            Kind::Unknown => {
                return Err(SamError::resource(
                    owner,
                    item.span,
                    format!("policy at index {index} in the `Policies` property is not valid"),
                ));
            }
        }
    }
    Ok(())
}

/// The template name of a template item (or of the first template branch of an `Fn::If`).
fn template_name_of(item: &Node) -> Option<String> {
    if let Some(Ok([_, then, otherwise])) = tree::if_items(item) {
        return template_name_of(then).or_else(|| template_name_of(otherwise));
    }
    match item.as_map()? {
        [(k, _)] if data::policy_templates().contains_key(&*k.text) => Some(k.text.to_string()),
        _ => None,
    }
}

/// A managed policy name → its ARN through SAMT's bundled map; ARNs and unknown names stay.
fn managed_arn_node(node: &Node) -> Node {
    match node.as_str() {
        Some(name) => match data::managed_policy_arn(name) {
            Some(arn) => string(arn, node.span),
            None => node.clone(),
        },
        None => node.clone(),
    }
}

/// Expands policy template item `{Name: {Param: value}}` into its policy document, each
/// `Ref` to a template parameter replaced by the value given (SAMT `Template.to_statement`).
pub fn expand_template(owner: &str, item: &Node) -> Result<Node, SamError> {
    let Some([(name, values)]) = item.as_map() else {
        return Err(SamError::resource(
            owner,
            item.span,
            "a policy template must be a map with one key",
        ));
    };
    let Some(template) = data::policy_templates().get(&*name.text) else {
        return Err(SamError::resource(
            owner,
            name.span,
            format!("policy template `{}` does not exist", name.text),
        ));
    };
    let empty = serde_json::Map::new();
    let params = template
        .get("Parameters")
        .and_then(|p| p.as_object())
        .unwrap_or(&empty);
    let given: &[(Key, Node)] = match &values.kind {
        NodeKind::Map(entries) if values.tag.is_none() => entries,
        _ => {
            return Err(SamError::resource(
                owner,
                values.span,
                format!(
                    "must specify valid parameter values for policy template `{}`",
                    name.text
                ),
            ));
        }
    };
    let mut missing: Vec<&str> = params
        .keys()
        .filter(|p| !given.iter().any(|(k, _)| &*k.text == p.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        return Err(SamError::resource(
            owner,
            values.span,
            format!(
                "following required parameters of template `{}` don't have values: [{}]",
                name.text,
                missing.join(", ")
            ),
        ));
    }
    let definition = template
        .get("Definition")
        .cloned()
        .unwrap_or(serde_json::Value::Null);
    let values: Vec<(&str, &Node)> = given
        .iter()
        .filter(|(k, _)| params.contains_key(&*k.text))
        .map(|(k, v)| (&*k.text, v))
        .collect();
    Ok(substitute(&definition, &values, item.span))
}

/// The template definition as a tree, `{"Ref": P}` replaced by the value of parameter `P`.
fn substitute(value: &serde_json::Value, params: &[(&str, &Node)], span: Span) -> Node {
    match value {
        serde_json::Value::Object(entries) => {
            if let (1, Some(serde_json::Value::String(target))) =
                (entries.len(), entries.get("Ref"))
            {
                if let Some((_, v)) = params.iter().find(|(p, _)| *p == target) {
                    return (*v).clone();
                }
            }
            tree::map(
                entries
                    .iter()
                    .map(|(k, v)| (key(k, span), substitute(v, params, span)))
                    .collect(),
                span,
            )
        }
        serde_json::Value::Array(items) => tree::seq(
            items.iter().map(|v| substitute(v, params, span)).collect(),
            span,
        ),
        other => tree::from_json(other, span),
    }
}

/// `[{Key: lambda:createdBy, Value: SAM}, <Tags as a list>]` (SAMT `_construct_tag_list`).
pub fn sam_tags(tags: Option<&Node>, span: Span) -> Node {
    let tag = |k: Node, v: Node| MapBuilder::new(span).put("Key", k).put("Value", v).build();
    let mut list = vec![tag(string("lambda:createdBy", span), string("SAM", span))];
    if let Some(entries) = tags.and_then(Node::as_map) {
        for (k, v) in entries {
            let value = if v.is_null() {
                string("", v.span)
            } else {
                v.clone()
            };
            list.push(tag(string(&k.text, k.span), value));
        }
    }
    tree::seq(list, span)
}
