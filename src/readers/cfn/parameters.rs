//! Parameter values → the template the deploy would see.
//!
//! Input: a template's root [`Node`] and the values given for the deploy. Output: the root with
//! each given value written as its parameter's `Default` (so that the SAM expansion and the
//! lowering, which read defaults, use it), and the [`TemplateParameter`]s saying where every
//! value comes from. With [`Defaults::Withhold`] the defaults of parameters without a given value
//! are removed, so that they stay symbolic: the audit compares the two readings to tell which
//! findings hold only with the defaults.

use crate::model::{ParameterValue, TemplateParameter};
use crate::parameters::GivenValues;
use crate::readers::syntax::{Key, Node, NodeKind, ScalarStyle};
use crate::source::Span;

/// What to do with a parameter's `Default` when no value is given for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defaults {
    /// Use it (what CloudFormation does when deploying without a value).
    Use,
    /// Leave the parameter without a value (symbolic).
    Withhold,
}

/// Applies the given values to the template, in place. The root is unchanged when the template
/// has no `Parameters` mapping.
pub fn apply(
    root: Node,
    given: &GivenValues,
    defaults: Defaults,
) -> (Node, Vec<TemplateParameter>) {
    let mut out = root;
    let mut params = Vec::new();
    let NodeKind::Map(sections) = &mut out.kind else {
        return (out, params);
    };
    let Some((_, section)) = sections.iter_mut().find(|(k, _)| &*k.text == "Parameters") else {
        return (out, params);
    };
    let NodeKind::Map(entries) = &mut section.kind else {
        return (out, params);
    };
    for (key, decl) in entries.iter_mut() {
        let name = key.text.to_string();
        let NodeKind::Map(fields) = &mut decl.kind else {
            continue;
        };
        let default_at = fields.iter().position(|(k, _)| &*k.text == "Default");
        let value = if let Some(g) = given.get(&name) {
            // The declaration's name is where a given value is shown: it has no line of its own.
            let node = Node::scalar(g.value.as_str(), ScalarStyle::Quoted, key.span);
            match default_at.and_then(|i| fields.get_mut(i)) {
                Some((_, d)) => *d = node,
                None => fields.push((
                    Key {
                        text: "Default".into(),
                        span: key.span,
                    },
                    node,
                )),
            }
            ParameterValue::Given {
                value: g.value.clone(),
                origin: g.origin.clone(),
            }
        } else if let Some(i) = default_at {
            let Some((_, d)) = fields.get(i) else {
                continue;
            };
            let value = default_text(d);
            let span = d.span;
            if defaults == Defaults::Withhold {
                fields.remove(i);
            }
            match value {
                Some(value) => ParameterValue::Default {
                    value,
                    span,
                    references: Vec::new(),
                },
                None => ParameterValue::Unset,
            }
        } else {
            ParameterValue::Unset
        };
        params.push(TemplateParameter { name, value });
    }
    let defaulted_names: Vec<String> = params
        .iter()
        .filter(|p| matches!(p.value, ParameterValue::Default { .. }))
        .map(|p| p.name.clone())
        .collect();
    let defaulted: Vec<&str> = defaulted_names.iter().map(String::as_str).collect();
    let mut found: Vec<(usize, Span)> = Vec::new();
    if !defaulted.is_empty() {
        collect_references(&out, &defaulted, &mut found, 0);
    }
    for (i, span) in found {
        let name = defaulted.get(i).copied().unwrap_or_default().to_string();
        if let Some(ParameterValue::Default { references, .. }) = params
            .iter_mut()
            .find(|p| p.name == name)
            .map(|p| &mut p.value)
        {
            references.push(span);
        }
    }
    (out, params)
}

/// A default as the text CloudFormation passes (a list's items joined with commas).
fn default_text(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar { raw, .. } => Some(raw.to_string()),
        NodeKind::Seq(items) => Some(
            items
                .iter()
                .filter_map(|i| i.as_str())
                .collect::<Vec<_>>()
                .join(","),
        ),
        NodeKind::Map(_) => None,
    }
}

/// The spans of every `Ref` to one of `names` and every `Fn::Sub` that mentions `${name}`,
/// with the index of the name, in one walk of the tree.
fn collect_references(node: &Node, names: &[&str], out: &mut Vec<(usize, Span)>, depth: usize) {
    if depth > 128 {
        return;
    }
    let found_before = out.len();
    match node.tag.as_deref() {
        Some("Ref") => {
            let target = match &node.kind {
                NodeKind::Scalar { raw, .. } => Some(&**raw),
                _ => None,
            };
            if let Some(i) = target.and_then(|t| names.iter().position(|n| *n == t)) {
                out.push((i, node.span));
            }
        }
        Some("Sub") => sub_mentions(node, names, node.span, out),
        _ => {}
    }
    if out.len() > found_before {
        return;
    }
    match &node.kind {
        NodeKind::Scalar { .. } => {}
        NodeKind::Seq(items) => {
            for item in items {
                collect_references(item, names, out, depth + 1);
            }
        }
        NodeKind::Map(entries) => {
            if let [(key, value)] = entries.as_slice() {
                match &*key.text {
                    "Ref" => {
                        if let Some(i) = value
                            .as_str()
                            .and_then(|t| names.iter().position(|n| *n == t))
                        {
                            out.push((i, node.span));
                        }
                        return;
                    }
                    "Fn::Sub" => sub_mentions(value, names, node.span, out),
                    _ => {}
                }
            }
            for (_, value) in entries {
                collect_references(value, names, out, depth + 1);
            }
        }
    }
}

/// Records which of `names` an `Fn::Sub` argument (a string, or `[string, variables]`)
/// mentions as `${name}`.
fn sub_mentions(arg: &Node, names: &[&str], span: Span, out: &mut Vec<(usize, Span)>) {
    let text = match &arg.kind {
        NodeKind::Scalar { raw, .. } => Some(&**raw),
        NodeKind::Seq(items) => items.first().and_then(Node::as_str),
        NodeKind::Map(_) => None,
    };
    let Some(text) = text else {
        return;
    };
    for (i, name) in names.iter().enumerate() {
        if text.contains(&format!("${{{name}}}")) {
            out.push((i, span));
        }
    }
}
