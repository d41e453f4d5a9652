//! CloudFormation's deploy order: `DependsOn` and every reference between resources.
//!
//! Input: a [`Template`] (after SAM expansion, so SAM's own `DependsOn` and references are
//! there). Output: the [`DeployOrder`] CloudFormation follows: a resource is created after each
//! resource it names in `DependsOn`, and after each resource a `Ref`, `Fn::GetAtt` or `Fn::Sub`
//! in its `Properties` names (CloudFormation User Guide, "DependsOn attribute": "resources that
//! include a `Ref` or `Fn::GetAtt` … depend on the referenced resource"). A reference inside
//! an `Fn::If` branch counts whatever the condition: an edge too many can only hide a race,
//! never invent one.

use super::template::Template;
use crate::model::{DeployOrder, EdgeKind};
use crate::readers::syntax::{Node, NodeKind};
use crate::source::Span;

/// The order of a template's resources.
pub fn collect(template: &Template<'_>) -> DeployOrder {
    let mut order = DeployOrder {
        known: true,
        ..DeployOrder::default()
    };
    for r in &template.resources {
        if let Some(depends) = r.node.get("DependsOn") {
            let items: Vec<&Node> = match &depends.kind {
                NodeKind::Seq(items) => items.iter().collect(),
                _ => vec![depends],
            };
            for item in items {
                if let Some(to) = item.as_str().filter(|t| template.index.contains_key(t)) {
                    order.add(r.id, to, EdgeKind::DependsOn, Some(item.span));
                }
            }
        }
        if let Some(properties) = r.properties {
            let mut walk = Walk {
                template,
                from: r.id,
                order: &mut order,
            };
            walk.node(properties, &[]);
        }
    }
    order.finish();
    order
}

struct Walk<'t, 'a, 'o> {
    template: &'t Template<'a>,
    from: &'t str,
    order: &'o mut DeployOrder,
}

impl Walk<'_, '_, '_> {
    fn reference(&mut self, name: &str, span: Span) {
        if self.template.index.contains_key(name) {
            self.order
                .add(self.from, name, EdgeKind::Reference, Some(span));
        }
    }

    /// `Resource.Attribute` → `Resource` (logical ids have no dots, attributes may).
    fn get_att_text(&mut self, text: &str, span: Span) {
        let resource = text.split('.').next().unwrap_or(text);
        self.reference(resource, span);
    }

    /// The names `${Name}` and `${Name.Attr}` of an `Fn::Sub` template, less its own variables.
    fn sub_text(&mut self, text: &str, span: Span, variables: &[&str]) {
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let after = rest.get(start + 2..).unwrap_or("");
            let Some(end) = after.find('}') else {
                return;
            };
            let name = after.get(..end).unwrap_or("").trim();
            rest = after.get(end + 1..).unwrap_or("");
            // `${!Literal}` is written as is.
            if name.starts_with('!') || variables.contains(&name) {
                continue;
            }
            self.get_att_text(name, span);
        }
    }

    fn node(&mut self, node: &Node, variables: &[&str]) {
        let call = match (&node.tag, &node.kind) {
            (Some(tag), _) => Some((tag.as_ref(), node)),
            (None, NodeKind::Map(entries)) => match entries.as_slice() {
                [(key, value)] if &*key.text == "Ref" || key.text.starts_with("Fn::") => {
                    Some((key.text.strip_prefix("Fn::").unwrap_or(&key.text), value))
                }
                _ => None,
            },
            _ => None,
        };
        if let Some((name, arg)) = call {
            match (name, &arg.kind) {
                ("Ref", NodeKind::Scalar { raw, .. }) => return self.reference(raw, arg.span),
                ("GetAtt", NodeKind::Scalar { raw, .. }) => {
                    return self.get_att_text(raw, arg.span);
                }
                ("GetAtt", NodeKind::Seq(items)) => {
                    if let Some(resource) = items.first().and_then(|n| scalar(n)) {
                        self.reference(resource, arg.span);
                    }
                    for item in items.iter().skip(1) {
                        self.node(item, variables);
                    }
                    return;
                }
                ("Sub", NodeKind::Scalar { raw, .. }) => {
                    return self.sub_text(raw, arg.span, variables);
                }
                ("Sub", NodeKind::Seq(items)) => {
                    let vars = items.get(1);
                    let mut names: Vec<&str> = variables.to_vec();
                    if let Some(NodeKind::Map(entries)) = vars.map(|v| &v.kind) {
                        names.extend(entries.iter().map(|(k, _)| &*k.text));
                        for (_, value) in entries {
                            self.node(value, variables);
                        }
                    }
                    if let Some((text, span)) = items.first().and_then(|n| match &n.kind {
                        NodeKind::Scalar { raw, .. } => Some((raw, n.span)),
                        _ => None,
                    }) {
                        self.sub_text(text, span, &names);
                    }
                    return;
                }
                _ => {}
            }
        }
        match &node.kind {
            NodeKind::Scalar { .. } => {}
            NodeKind::Seq(items) => {
                for item in items {
                    self.node(item, variables);
                }
            }
            NodeKind::Map(entries) => {
                for (_, value) in entries {
                    self.node(value, variables);
                }
            }
        }
    }
}

fn scalar(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar { raw, .. } => Some(raw),
        _ => None,
    }
}
