//! The references between a template's resources, found in one walk.
//!
//! Input: the indexed [`Template`]. Output: for each resource, in template order, the resources
//! its `DependsOn` names and the resources a `Ref`, `Fn::GetAtt` or `Fn::Sub` in its `Properties`
//! names (`${Name}` and `${Name.Attribute}`, less the `Fn::Sub`'s own variables and `${!Literal}`).
//! Both CloudFormation's dependency rules ([`super::dependencies`]) and the deploy order
//! ([`super::order`]) are built from this one walk; what sets them apart is explicit in each
//! [`Reference`]:
//! - whether it is inside an `Fn::If` branch (`conditional`): which branch exists depends on a
//!   condition, so such a reference cannot make a certain circular dependency, while for the
//!   deploy order an edge too many can only hide a race, never invent one;
//! - where it is written: the whole intrinsic call (`call`, where a dependency error points) or
//!   the name inside it (`name`, where a deploy-order edge points).
//!
//! References to names that are not resources of the template (parameters, pseudo parameters,
//! a missing resource) are left out: the resolver reports a missing one.

use std::collections::HashSet;

use super::resolve::intrinsic;
use super::template::Template;
use crate::readers::syntax::{Node, NodeKind};
use crate::source::Span;

/// A `Ref`, `Fn::GetAtt` or `Fn::Sub` naming another resource of the template.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The index of the resource named.
    pub to: usize,
    /// The intrinsic call.
    pub call: Span,
    /// The name inside the call (for `Fn::Sub`, its text).
    pub name: Span,
    /// The call is inside a branch of an `Fn::If`.
    pub conditional: bool,
}

/// What one resource refers to.
#[derive(Debug, Default)]
pub struct ResourceReferences<'a> {
    /// `DependsOn` entries naming a resource of the template: its index and the entry's span.
    pub depends_on: Vec<(usize, Span)>,
    /// `DependsOn` entries naming no resource of the template.
    pub dangling_depends_on: Vec<(&'a str, Span)>,
    /// References in `Properties`, in the order written.
    pub properties: Vec<Reference>,
}

/// The references of every resource, indexed like [`Template::resources`].
pub fn collect<'a>(template: &Template<'a>) -> Vec<ResourceReferences<'a>> {
    template
        .resources
        .iter()
        .map(|r| {
            let mut found = ResourceReferences::default();
            if let Some(depends_on) = r.node.get("DependsOn") {
                let names: Vec<&'a Node> = match &depends_on.kind {
                    NodeKind::Seq(items) => items.iter().collect(),
                    _ => vec![depends_on],
                };
                for name in names {
                    let Some(text) = name.as_str() else { continue };
                    match template.index.get(text) {
                        Some(&i) => found.depends_on.push((i, name.span)),
                        None => found.dangling_depends_on.push((text, name.span)),
                    }
                }
            }
            if let Some(properties) = r.properties {
                let mut walk = Walk {
                    template,
                    out: &mut found.properties,
                };
                walk.node(properties, false);
            }
            found
        })
        .collect()
}

struct Walk<'t, 'a, 'o> {
    template: &'t Template<'a>,
    out: &'o mut Vec<Reference>,
}

impl Walk<'_, '_, '_> {
    fn resource(&mut self, name: &str, call: Span, at: Span, conditional: bool) {
        if let Some(&to) = self.template.index.get(name) {
            self.out.push(Reference {
                to,
                call,
                name: at,
                conditional,
            });
        }
    }

    fn node(&mut self, node: &Node, conditional: bool) {
        let Some((function, arg)) = intrinsic(node) else {
            return self.children(node, conditional);
        };
        let arg = arg.node();
        match (function, &arg.kind) {
            ("Ref", NodeKind::Scalar { raw, .. }) => {
                self.resource(raw, node.span, arg.span, conditional);
            }
            // A `Ref` names a resource or parameter by a string: nothing else is a reference.
            ("Ref", _) => {}
            // `Resource.Attribute`: logical ids have no dots, attributes may.
            ("Fn::GetAtt", NodeKind::Scalar { raw, .. }) => {
                let resource = raw.split_once('.').map_or(&**raw, |(r, _)| r);
                self.resource(resource, node.span, arg.span, conditional);
            }
            ("Fn::GetAtt", NodeKind::Seq(items)) => {
                if let Some(resource) = items.first().and_then(scalar) {
                    self.resource(resource, node.span, arg.span, conditional);
                }
                // The attribute name may be a `Ref`.
                for item in items.iter().skip(1) {
                    self.node(item, conditional);
                }
            }
            ("Fn::Sub", NodeKind::Scalar { raw, .. }) => {
                self.sub_text(raw, &HashSet::new(), node.span, arg.span, conditional);
            }
            ("Fn::Sub", NodeKind::Seq(items)) => {
                let variables = items.get(1);
                let own: HashSet<&str> = variables
                    .and_then(Node::as_map)
                    .map(|m| m.iter().map(|(k, _)| &*k.text).collect())
                    .unwrap_or_default();
                if let Some(text) = items.first()
                    && let Some(raw) = scalar(text)
                {
                    self.sub_text(raw, &own, node.span, text.span, conditional);
                }
                if let Some(v) = variables {
                    self.children(v, conditional);
                }
            }
            ("Fn::If", _) => self.children(arg, true),
            _ => self.children(arg, conditional),
        }
    }

    fn children(&mut self, node: &Node, conditional: bool) {
        match &node.kind {
            NodeKind::Seq(items) => items.iter().for_each(|n| self.node(n, conditional)),
            NodeKind::Map(entries) => entries.iter().for_each(|(_, n)| self.node(n, conditional)),
            NodeKind::Scalar { .. } => {}
        }
    }

    /// The resources of the `${Name}` and `${Name.Attribute}` variables of an `Fn::Sub` text
    /// that are not its own variables (`${!Literal}` is text).
    fn sub_text(
        &mut self,
        text: &str,
        own: &HashSet<&str>,
        call: Span,
        at: Span,
        conditional: bool,
    ) {
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let after = rest.get(start + 2..).unwrap_or("");
            let Some(end) = after.find('}') else { break };
            let inner = after.get(..end).unwrap_or("");
            rest = after.get(end + 1..).unwrap_or("");
            if inner.starts_with('!') {
                continue;
            }
            let name = inner.split_once('.').map_or(inner, |(r, _)| r).trim();
            if !own.contains(name) {
                self.resource(name, call, at, conditional);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::readers::yaml::parse_yaml;
    use crate::source::SourceFile;

    fn references(yaml: &str) -> (SourceFile, Vec<(String, String, String, bool)>) {
        let file = SourceFile::new("t.yaml", yaml.to_string());
        let root = parse_yaml(&file).unwrap();
        let template = Template::new(&root).unwrap();
        let found = collect(&template);
        let text = |s: Span| {
            file.text
                .get(s.start as usize..s.end as usize)
                .unwrap()
                .to_string()
        };
        let mut out = Vec::new();
        for (r, refs) in template.resources.iter().zip(&found) {
            for reference in &refs.properties {
                let to = template.resources[reference.to].id;
                out.push((
                    format!("{} -> {to}", r.id),
                    text(reference.call),
                    text(reference.name),
                    reference.conditional,
                ));
            }
        }
        (file, out)
    }

    #[test]
    fn ref_getatt_and_sub_are_found_with_the_call_and_the_name() {
        let (_, found) = references(
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      A: !Ref Q\n      B: {\"Fn::GetAtt\": [Q, Arn]}\n      C: !Sub '${Q.Arn}/${AWS::Region}/${!Q}'\n      D: !Sub ['${Q}${X}', {X: !GetAtt Q.Arn, Q: 1}]\n",
        );
        let want = |call: &str, name: &str| {
            (
                "F -> Q".to_string(),
                call.to_string(),
                name.to_string(),
                false,
            )
        };
        assert_eq!(
            found,
            vec![
                want("!Ref Q", "!Ref Q"),
                want("{\"Fn::GetAtt\": [Q, Arn]}", "[Q, Arn]"),
                want(
                    "!Sub '${Q.Arn}/${AWS::Region}/${!Q}'",
                    "!Sub '${Q.Arn}/${AWS::Region}/${!Q}'"
                ),
                // `${Q}` is the `Fn::Sub`'s own variable; `X`'s value refers to `Q`.
                want("!GetAtt Q.Arn", "!GetAtt Q.Arn"),
            ]
        );
    }

    #[test]
    fn references_in_an_if_branch_are_conditional() {
        let (_, found) = references(
            "Conditions:\n  C: !Equals [a, b]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n      A: !If [C, !Ref Q, !Ref AWS::NoValue]\n      B: {Ref: Q}\n",
        );
        let flags: Vec<(&str, bool)> = found
            .iter()
            .map(|(_, call, _, c)| (call.as_str(), *c))
            .collect();
        assert_eq!(flags, vec![("!Ref Q", true), ("{Ref: Q}", false)]);
    }

    #[test]
    fn depends_on_entries_are_split_into_resources_and_dangling_names() {
        let file = SourceFile::new(
            "t.yaml",
            "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  F:\n    Type: AWS::Lambda::Function\n    DependsOn: [Q, Gone]\n".to_string(),
        );
        let root = parse_yaml(&file).unwrap();
        let template = Template::new(&root).unwrap();
        let found = collect(&template);
        let f = &found[1];
        assert_eq!(
            f.depends_on.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
            vec![0]
        );
        assert_eq!(
            f.dangling_depends_on
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>(),
            vec!["Gone"]
        );
    }
}
