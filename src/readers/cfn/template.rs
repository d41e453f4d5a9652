//! The sections of a CloudFormation template, indexed for lookup.

use std::collections::HashMap;

use crate::diag::FileError;
use crate::readers::syntax::{Node, NodeKind};
use crate::source::Span;

/// One entry of `Resources`.
#[derive(Debug)]
pub struct ResourceNode<'a> {
    pub id: &'a str,
    pub type_name: &'a str,
    pub node: &'a Node,
    /// `Properties`, when present.
    pub properties: Option<&'a Node>,
    /// `Condition`, when present.
    pub condition: Option<&'a str>,
    pub span: Span,
}

impl<'a> ResourceNode<'a> {
    pub fn prop(&self, name: &str) -> Option<&'a Node> {
        self.properties?.get(name)
    }
}

#[derive(Debug)]
pub struct Parameter<'a> {
    pub type_name: &'a str,
    pub default: Option<&'a Node>,
}

/// The parts of a template the lowering reads.
#[derive(Debug)]
pub struct Template<'a> {
    pub parameters: HashMap<&'a str, Parameter<'a>>,
    pub mappings: Option<&'a Node>,
    pub conditions: HashMap<&'a str, &'a Node>,
    pub resources: Vec<ResourceNode<'a>>,
    pub index: HashMap<&'a str, usize>,
}

impl<'a> Template<'a> {
    pub fn new(root: &'a Node) -> Result<Template<'a>, FileError> {
        if root.as_map().is_none() {
            return Err(FileError::new(
                "a template must be a mapping at the top level",
                Some(root.span),
            ));
        }
        let mut parameters = HashMap::new();
        if let Some(section) = root.get("Parameters") {
            let entries = section.as_map().ok_or_else(|| {
                FileError::new("`Parameters` must be a mapping", Some(section.span))
            })?;
            for (key, value) in entries {
                let type_name = value.get("Type").and_then(Node::as_str).unwrap_or("String");
                parameters.insert(
                    &*key.text,
                    Parameter {
                        type_name,
                        default: value.get("Default"),
                    },
                );
            }
        }
        let mut conditions = HashMap::new();
        if let Some(section) = root.get("Conditions") {
            let entries = section.as_map().ok_or_else(|| {
                FileError::new("`Conditions` must be a mapping", Some(section.span))
            })?;
            for (key, value) in entries {
                conditions.insert(&*key.text, value);
            }
        }
        let section = root.get("Resources").ok_or_else(|| {
            FileError::new("the template has no `Resources` section", Some(root.span))
        })?;
        let entries = section
            .as_map()
            .ok_or_else(|| FileError::new("`Resources` must be a mapping", Some(section.span)))?;
        let mut resources = Vec::with_capacity(entries.len());
        let mut index = HashMap::with_capacity(entries.len());
        for (key, node) in entries {
            let Some(type_node) = node.get("Type") else {
                return Err(FileError::new(
                    format!("resource `{}` has no `Type`", key.text),
                    Some(key.span),
                ));
            };
            let Some(type_name) = type_node.as_str() else {
                return Err(FileError::new(
                    format!("the `Type` of resource `{}` must be a string", key.text),
                    Some(type_node.span),
                ));
            };
            let properties = node.get("Properties").filter(|p| !p.is_null());
            if let Some(p) = properties {
                if !matches!(p.kind, NodeKind::Map(_)) || p.tag.is_some() {
                    return Err(FileError::new(
                        format!(
                            "the `Properties` of resource `{}` must be a mapping",
                            key.text
                        ),
                        Some(p.span),
                    ));
                }
            }
            index.insert(&*key.text, resources.len());
            resources.push(ResourceNode {
                id: &key.text,
                type_name,
                node,
                properties,
                condition: node.get("Condition").and_then(Node::as_str),
                span: key.span,
            });
        }
        Ok(Template {
            parameters,
            mappings: root.get("Mappings"),
            conditions,
            resources,
            index,
        })
    }

    pub fn resource(&self, id: &str) -> Option<&ResourceNode<'a>> {
        self.resources.get(*self.index.get(id)?)
    }
}
