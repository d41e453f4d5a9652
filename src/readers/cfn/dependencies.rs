//! CloudFormation's own validity rules for how resources depend on one another.
//!
//! Input: the indexed [`Template`]. Output: located [`FileError`]s for what CloudFormation
//! rejects before creating anything, so that such a template is never audited as if it were
//! fine:
//! - a circular dependency: resource `A` refers to `B` (`Ref`, `Fn::GetAtt`, `Fn::Sub`, or
//!   `DependsOn`) and `B`, directly or through others, to `A`, a resource referring to itself
//!   included ("Circular dependency between resources", AWS CloudFormation User Guide,
//!   <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html>);
//! - a `DependsOn` that names no resource of the template;
//! - a parameter `Default` that calls an intrinsic function (intrinsic functions are allowed
//!   only in resource properties, outputs, metadata attributes and update policy attributes,
//!   <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference.html>).
//!
//! Invariants: only what CloudFormation certainly rejects is an error. Cycles and `DependsOn`
//! are checked only in templates without a transform (see [`Scope`]). References inside
//! `Fn::If` are left out of the graph (which branch exists depends on a condition), and so are
//! references to names that are not resources (parameters, pseudo parameters; a reference to a
//! missing resource is reported by the resolver).

use std::collections::HashSet;

use super::references::ResourceReferences;
use super::resolve::intrinsic;
use super::template::Template;
use crate::diag::FileError;
use crate::readers::syntax::Node;
use crate::source::Span;

/// What the dependency rules apply to. A template that a transform rewrites (SAM, or any
/// macro) may have a `DependsOn` naming a resource the transform generates, and references that
/// the transform moves into new resources (a SAM `Api` event becomes a permission), so there
/// only the rules that hold before any transform are applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Complete,
    Transformed,
}

/// Every violation, in template order, given the template's [`references`](super::references).
pub fn check(
    template: &Template<'_>,
    references: &[ResourceReferences<'_>],
    root: &Node,
    scope: Scope,
) -> Vec<FileError> {
    let mut errors = parameter_defaults(root);
    if scope == Scope::Complete {
        let graph = Graph::new(template, references);
        errors.extend(graph.dangling);
        errors.extend(cycles(template, &graph.edges));
    }
    errors
}

fn parameter_defaults(root: &Node) -> Vec<FileError> {
    let Some(parameters) = root.get("Parameters").and_then(Node::as_map) else {
        return Vec::new();
    };
    parameters
        .iter()
        .filter_map(|(name, p)| {
            let default = p.get("Default")?;
            let (function, _) = intrinsic(default)?;
            Some(
                FileError::new(
                    format!(
                        "the `Default` of parameter `{}` calls `{function}`; CloudFormation rejects intrinsic functions in parameters",
                        name.text
                    ),
                    Some(default.span),
                )
                .with_help("write the default as a literal value"),
            )
        })
        .collect()
}

/// Resource index → the resources it depends on, each with where the dependency is written.
struct Graph {
    edges: Vec<Vec<(usize, Span)>>,
    dangling: Vec<FileError>,
}

impl Graph {
    /// References inside `Fn::If` are left out: which branch exists depends on a condition.
    fn new(template: &Template<'_>, references: &[ResourceReferences<'_>]) -> Graph {
        let mut edges = Vec::with_capacity(template.resources.len());
        let mut dangling = Vec::new();
        for (r, found) in template.resources.iter().zip(references) {
            let mut out: Vec<(usize, Span)> = found
                .properties
                .iter()
                .filter(|reference| !reference.conditional)
                .map(|reference| (reference.to, reference.call))
                .collect();
            out.extend(found.depends_on.iter().copied());
            for &(text, span) in &found.dangling_depends_on {
                dangling.push(
                    FileError::new(
                        format!(
                            "`DependsOn` of resource `{}` names `{text}`, which is not a resource of the template",
                            r.id
                        ),
                        Some(span),
                    )
                    .with_help(
                        "CloudFormation rejects the template (unresolved resource dependencies); name a resource of the `Resources` section or remove the entry",
                    ),
                );
            }
            edges.push(out);
        }
        Graph { edges, dangling }
    }
}

/// One error per circular dependency, found by depth-first search; each cycle is reported once,
/// at the reference that leaves its first resource in template order.
fn cycles(template: &Template<'_>, edges: &[Vec<(usize, Span)>]) -> Vec<FileError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let mut marks = vec![Mark::New; edges.len()];
    let mut seen: HashSet<Vec<usize>> = HashSet::new();
    let mut errors = Vec::new();
    for start in 0..edges.len() {
        if marks.get(start) != Some(&Mark::New) {
            continue;
        }
        // The path: (resource, index of its next edge to follow).
        let mut path: Vec<(usize, usize)> = vec![(start, 0)];
        if let Some(m) = marks.get_mut(start) {
            *m = Mark::OnPath;
        }
        while let Some(&(at, next)) = path.last() {
            let Some(&(to, _)) = edges.get(at).and_then(|e| e.get(next)) else {
                if let Some(m) = marks.get_mut(at) {
                    *m = Mark::Done;
                }
                path.pop();
                continue;
            };
            if let Some(top) = path.last_mut() {
                top.1 += 1;
            }
            match marks.get(to) {
                Some(Mark::New) => {
                    if let Some(m) = marks.get_mut(to) {
                        *m = Mark::OnPath;
                    }
                    path.push((to, 0));
                }
                Some(Mark::OnPath) => {
                    let from = path.iter().position(|&(r, _)| r == to).unwrap_or(0);
                    let members: Vec<usize> = path
                        .get(from..)
                        .unwrap_or(&[])
                        .iter()
                        .map(|&(r, _)| r)
                        .collect();
                    let mut key = members.clone();
                    key.sort_unstable();
                    if seen.insert(key) {
                        errors.push(cycle_error(template, edges, &members));
                    }
                }
                _ => {}
            }
        }
    }
    errors
}

fn cycle_error(
    template: &Template<'_>,
    edges: &[Vec<(usize, Span)>],
    members: &[usize],
) -> FileError {
    // Start the chain at the member written first.
    let first = members
        .iter()
        .enumerate()
        .min_by_key(|&(_, &r)| template.resources.get(r).map(|x| x.span.start))
        .map_or(0, |(i, _)| i);
    let ordered: Vec<usize> = members
        .iter()
        .cycle()
        .skip(first)
        .take(members.len())
        .copied()
        .collect();
    let name = |r: usize| template.resources.get(r).map_or("?", |x| x.id);
    let mut chain: Vec<String> = ordered.iter().map(|&r| format!("`{}`", name(r))).collect();
    if let Some(&head) = ordered.first() {
        chain.push(format!("`{}`", name(head)));
    }
    let head = ordered.first().copied().unwrap_or(0);
    let next = ordered.get(1).copied().unwrap_or(head);
    let span = edges
        .get(head)
        .and_then(|e| e.iter().find(|&&(to, _)| to == next))
        .map(|&(_, span)| span)
        .or_else(|| template.resources.get(head).map(|r| r.span));
    let message = if ordered.len() == 1 {
        format!("resource `{}` refers to itself", name(head))
    } else {
        format!(
            "circular dependency between resources: {}",
            chain.join(" → ")
        )
    };
    FileError::new(message, span).with_help(
        "CloudFormation rejects a template whose resources depend on one another in a circle; remove one of the references (or `DependsOn` entries), or move the value into a separate resource",
    )
}
