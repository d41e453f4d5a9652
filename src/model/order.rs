//! The deploy order an input declares: which resource is created only after which other.
//!
//! CloudFormation and Terraform create resources in parallel unless a dependency orders them
//! (CloudFormation: `DependsOn` and every `Ref`, `Fn::GetAtt` and `Fn::Sub` to another resource;
//! Terraform: `depends_on` and every expression reference). Readers record those edges here, by
//! logical id or resource address, so that a check can ask whether a resource is created after
//! another one, directly or through others.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::source::Span;

/// Why one resource is created after another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeKind {
    /// `DependsOn` / `depends_on`.
    DependsOn,
    /// A `Ref`, `Fn::GetAtt` or `Fn::Sub` to the resource, or a Terraform expression reference.
    Reference,
}

/// `from` is created after `to` has been created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderEdge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// Where the dependency is written, when the file has lines.
    pub span: Option<Span>,
}

/// A managed policy attached to a role by a resource of its own (Terraform
/// `aws_iam_role_policy_attachment`): the grant is in place only once `by` exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyAttachment {
    pub policy: String,
    pub role: String,
    pub by: String,
}

/// The ordering edges of one stack and what already exists before the deploy.
#[derive(Clone, Debug, Default)]
pub struct DeployOrder {
    /// False when the reader records no order (a Terraform state describes no deploy): nothing
    /// can then be said about races.
    pub known: bool,
    pub edges: Vec<OrderEdge>,
    /// Resources that exist before the deploy and whose grant it leaves as it is (a plan's
    /// `no-op`, or an update that changes nothing the grant is made of): whatever they grant
    /// is in place from the start.
    pub existing: BTreeSet<String>,
    pub attachments: Vec<PolicyAttachment>,
    /// Edges are between Terraform resource blocks (`module.app.aws_x.y`), not instances: an
    /// instance address (`module.app["a"].aws_x.y[0]`) is read without its keys.
    pub by_block: bool,
    /// Nodes whose dependencies the input does not show (a Terraform reference to a `local`,
    /// whose expression a plan does not record): nothing ordered through them can be decided.
    pub opaque: BTreeSet<String>,
}

impl DeployOrder {
    /// Records that `from` waits for `to`; [`DeployOrder::finish`] removes repeats.
    pub fn add(&mut self, from: &str, to: &str, kind: EdgeKind, span: Option<Span>) {
        if from == to {
            return;
        }
        self.edges.push(OrderEdge {
            from: from.to_string(),
            to: to.to_string(),
            kind,
            span,
        });
    }

    /// Sorts the edges and keeps one per pair and kind, located where it is first written.
    pub fn finish(&mut self) {
        self.edges.sort_by(|a, b| {
            (&a.from, &a.to, a.kind)
                .cmp(&(&b.from, &b.to, b.kind))
                .then_with(|| a.span.map(|s| s.start).cmp(&b.span.map(|s| s.start)))
        });
        self.edges
            .dedup_by(|b, a| a.from == b.from && a.to == b.to && a.kind == b.kind);
    }

    /// The node of a resource: itself, or its block when edges are between blocks.
    pub fn node<'a>(&self, id: &'a str) -> std::borrow::Cow<'a, str> {
        if self.by_block {
            std::borrow::Cow::Owned(block_address(id))
        } else {
            std::borrow::Cow::Borrowed(id)
        }
    }

    /// The graph to ask [`OrderGraph::created_after`], built once per stack.
    pub fn graph(&self) -> OrderGraph<'_> {
        let mut next: HashMap<&str, Vec<&str>> = HashMap::new();
        for e in &self.edges {
            next.entry(e.from.as_str()).or_default().push(e.to.as_str());
        }
        OrderGraph { order: self, next }
    }

    /// Every resource `from` is created after (see [`OrderGraph::created_after`]); for one
    /// question, building the graph each time.
    pub fn created_after(&self, from: &str) -> Option<HashSet<String>> {
        self.graph().created_after(from)
    }

    /// Whether a resource is in place before the resource whose [`DeployOrder::created_after`]
    /// is `after`: it exists already, or that resource is ordered after it.
    pub fn in_place_before(&self, resource: &str, after: &HashSet<String>) -> bool {
        self.existing.contains(resource) || after.contains(self.node(resource).as_ref())
    }
}

/// The edges of a [`DeployOrder`] indexed by the resource that waits.
pub struct OrderGraph<'a> {
    order: &'a DeployOrder,
    next: HashMap<&'a str, Vec<&'a str>>,
}

impl OrderGraph<'_> {
    /// Every resource `from` is created after, directly or through others; `None` when the
    /// way passes through a node whose dependencies are not known.
    pub fn created_after(&self, from: &str) -> Option<HashSet<String>> {
        let start = self.order.node(from);
        if self.order.opaque.contains(start.as_ref()) {
            return None;
        }
        let mut seen: HashSet<String> = HashSet::new();
        let mut todo: Vec<&str> = self
            .next
            .get(start.as_ref())
            .map(|v| v.to_vec())
            .unwrap_or_default();
        for to in &todo {
            seen.insert((*to).to_string());
        }
        while let Some(at) = todo.pop() {
            if self.order.opaque.contains(at) {
                return None;
            }
            for to in self.next.get(at).into_iter().flatten() {
                if seen.insert((*to).to_string()) {
                    todo.push(to);
                }
            }
        }
        Some(seen)
    }
}

/// A Terraform address without its instance keys: `module.a["k"].aws_x.y[0]` →
/// `module.a.aws_x.y`. Keys are skipped whole, quoted ones included.
pub fn block_address(address: &str) -> String {
    let mut out = String::with_capacity(address.len());
    let mut depth = 0u32;
    let mut quoted = false;
    let mut escaped = false;
    for c in address.chars() {
        if depth > 0 {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                '[' if !quoted => depth += 1,
                ']' if !quoted => depth -= 1,
                _ => {}
            }
            continue;
        }
        if c == '[' {
            depth = 1;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_after_follows_chains_and_survives_cycles() {
        let mut order = DeployOrder::default();
        order.add("Mapping", "Function", EdgeKind::Reference, None);
        order.add("Function", "Role", EdgeKind::Reference, None);
        order.add("Policy", "Role", EdgeKind::Reference, None);
        order.add("A", "B", EdgeKind::DependsOn, None);
        order.add("B", "A", EdgeKind::DependsOn, None);
        let after = order.created_after("Mapping").unwrap();
        assert!(after.contains("Function") && after.contains("Role"));
        assert!(!after.contains("Policy"));
        assert!(!after.contains("Mapping"));
        let cycle = order.created_after("A").unwrap();
        assert!(cycle.contains("B") && cycle.contains("A"));
    }

    #[test]
    fn a_resource_is_not_ordered_after_itself_and_edges_are_kept_once() {
        let mut order = DeployOrder::default();
        order.add("X", "X", EdgeKind::Reference, None);
        order.add("X", "Y", EdgeKind::Reference, None);
        order.add("X", "Y", EdgeKind::Reference, None);
        order.finish();
        assert_eq!(order.edges.len(), 1);
        let after = order.created_after("X").unwrap();
        assert!(order.in_place_before("Y", &after));
        order.existing.insert("Z".into());
        assert!(order.in_place_before("Z", &after));
    }

    #[test]
    fn blocks_and_opaque_nodes() {
        assert_eq!(
            block_address(r#"module.a["k.]"].aws_x.y[0]"#),
            "module.a.aws_x.y"
        );
        assert_eq!(block_address("aws_x.y"), "aws_x.y");
        let mut order = DeployOrder {
            by_block: true,
            ..DeployOrder::default()
        };
        order.add("aws_m.m", "aws_f.f", EdgeKind::Reference, None);
        order.add("aws_f.f", "aws_p.p", EdgeKind::Reference, None);
        let after = order.created_after("aws_m.m[3]").unwrap();
        assert!(order.in_place_before(r#"aws_p.p["x"]"#, &after));
        order.opaque.insert("aws_f.f".into());
        assert!(order.created_after("aws_m.m[3]").is_none());
    }
}
