//! Terraform's deploy order, from a plan: `depends_on` and expression references between
//! resource blocks, across modules, and what the plan leaves in place.
//!
//! Input: the [`Document`] before it is indexed (its `configuration`, `resource_changes`,
//! `prior_state` and `planned_values`). Output: a [`DeployOrder`] between resource blocks
//! (Terraform orders blocks, not instances): a block waits for every block its expressions,
//! `count` / `for_each` and `depends_on` name (Terraform, "The depends_on Meta-Argument" and
//! "Resource Behavior"), following `var.x` to the module call's argument and `module.m.out` to the
//! output's expression (spec §8.4). A block that references a `local` is opaque: the plan does
//! not record local values' expressions, so nothing ordered through it is decided. Expressions
//! inside `dynamic` blocks are not in the plan (spec §8.2): an edge they would add is missed,
//! which can only report a race that a hidden reference prevents; such blocks are rare on the
//! resources this is read for.
//!
//! Existing: an instance whose change is `no-op` or `read`, or an `update` that keeps what its
//! grant is made of (the policy document and the role it applies to), is in place before the
//! deploy starts.

use std::collections::HashMap;

use serde_json::Value as Json;
use serde_json::value::RawValue;

use super::doc::{ConfigModule, Document, ModuleValues};
use crate::model::{DeployOrder, EdgeKind};

/// The attributes that make up the grant of a resource type, compared to tell an update that
/// changes the grant from one that does not.
fn grant_members(rtype: &str) -> &'static [&'static str] {
    match rtype {
        "aws_iam_role_policy" => &["policy", "role"],
        "aws_iam_policy" => &["policy"],
        "aws_iam_role_policy_attachment" => &["policy_arn", "role"],
        "aws_iam_policy_attachment" => &["policy_arn", "roles"],
        "aws_lambda_permission" => &[
            "function_name",
            "qualifier",
            "action",
            "principal",
            "source_arn",
            "source_account",
        ],
        _ => &[],
    }
}

/// The order of a plan (or nothing known, for a state).
pub fn collect(doc: &Document<'_>) -> DeployOrder {
    let mut order = DeployOrder::default();
    let Some(changes) = &doc.resource_changes else {
        return order;
    };
    order.known = true;
    order.by_block = true;
    if let Some(root) = doc
        .configuration
        .as_ref()
        .and_then(|c| c.root_module.as_ref())
    {
        let mut walk = Walk {
            order: &mut order,
            blocks: Vec::new(),
            whole: Vec::new(),
        };
        walk.module(root, "", None);
        // `depends_on = [module.m]` waits for every block of the module, its child modules'
        // included.
        let Walk {
            order,
            blocks,
            whole,
        } = walk;
        for module in whole {
            for block in blocks.iter().filter(|b| b.starts_with(&module)) {
                order.add(&format!("{module}#all"), block, EdgeKind::DependsOn, None);
            }
        }
    }
    let prior = values_by_address(
        doc.prior_state
            .as_ref()
            .and_then(|p| p.values.as_ref())
            .and_then(|v| v.root_module.as_ref()),
    );
    let planned = values_by_address(
        doc.planned_values
            .as_ref()
            .and_then(|v| v.root_module.as_ref()),
    );
    for change in changes.iter().filter(|c| c.deposed.is_none()) {
        let actions = change.change.actions;
        let address = &*change.address;
        let unchanged = if actions.creates() {
            false
        } else if actions.updates() {
            let rtype = resource_type(address);
            grant_members(&rtype).iter().all(|m| {
                let before = member(prior.get(address).copied(), m);
                let after = member(planned.get(address).copied(), m);
                before.is_some() && before == after
            })
        } else {
            !actions.delete_only()
        };
        if unchanged {
            order.existing.insert(address.to_string());
        }
    }
    order.finish();
    order
}

/// The type of a resource instance address (`aws_x` in `module.m.aws_x.y[0]`).
fn resource_type(address: &str) -> String {
    let block = crate::model::order::block_address(address);
    let mut parts: Vec<&str> = block.split('.').collect();
    parts.pop();
    parts.pop().unwrap_or("").to_string()
}

fn values_by_address<'a>(root: Option<&ModuleValues<'a>>) -> HashMap<String, &'a RawValue> {
    let mut out = HashMap::new();
    let mut todo: Vec<&ModuleValues<'a>> = root.into_iter().collect();
    while let Some(module) = todo.pop() {
        for r in module.resources.iter().flatten() {
            if grant_members(&resource_type(&r.address)).is_empty() {
                continue;
            }
            if let Some(v) = r.values {
                out.insert(r.address.to_string(), v);
            }
        }
        todo.extend(module.child_modules.iter().flatten());
    }
    out
}

fn member(values: Option<&RawValue>, name: &str) -> Option<Json> {
    let parsed: Json = serde_json::from_str(values?.get()).ok()?;
    parsed.get(name).cloned()
}

/// Every reference an expression (or block of expressions) records, as written.
fn references(raw: Option<&RawValue>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(raw) = raw {
        let mut de = serde_json::Deserializer::from_str(raw.get());
        // A value that does not read has no references to give; the reader reports the file.
        let _ = serde::de::DeserializeSeed::deserialize(Refs(&mut out), &mut de);
    }
    out
}

/// Collects the strings of every `references` member of a JSON value without building it.
struct Refs<'o>(&'o mut Vec<String>);

impl<'de> serde::de::DeserializeSeed<'de> for Refs<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Refs<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an expression")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if key == "references" {
                let refs: Vec<std::borrow::Cow<'de, str>> = map.next_value()?;
                self.0.extend(refs.into_iter().map(|r| r.into_owned()));
            } else {
                map.next_value_seed(Refs(self.0))?;
            }
        }
        Ok(())
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Refs(self.0))?.is_some() {}
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// A name segment without its key: `fn[0]` → `fn`.
fn bare(segment: &str) -> &str {
    segment.split('[').next().unwrap_or(segment)
}

/// What a reference names, in the module whose block addresses start with `prefix`.
enum Target {
    Node(String),
    /// `local.x`: not in the plan.
    Opaque,
    /// `module.m`: every block of the module.
    Module(String),
    /// `each`, `count`, `path`, `terraform`, `self`: nothing to wait for.
    Nothing,
}

fn target(prefix: &str, reference: &str) -> Target {
    let parts: Vec<&str> = reference.split('.').collect();
    match parts.as_slice() {
        ["local", ..] => Target::Opaque,
        ["var", name, ..] => Target::Node(format!("{prefix}var.{}", bare(name))),
        ["module", name, output, ..] => Target::Node(format!(
            "{prefix}module.{}.output.{}",
            bare(name),
            bare(output)
        )),
        ["module", name] => Target::Module(format!("{prefix}module.{}.", bare(name))),
        ["data", rtype, name, ..] => Target::Node(format!("{prefix}data.{rtype}.{}", bare(name))),
        ["each" | "count" | "path" | "terraform" | "self", ..] => Target::Nothing,
        [rtype, name, ..] => Target::Node(format!("{prefix}{rtype}.{}", bare(name))),
        _ => Target::Nothing,
    }
}

struct Walk<'o> {
    order: &'o mut DeployOrder,
    /// Every resource block, by address.
    blocks: Vec<String>,
    /// Module prefixes named whole (`module.m.`), whose `#all` node waits for all their blocks.
    whole: Vec<String>,
}

impl Walk<'_> {
    /// Edges from `from` to what `refs` name in the module `prefix`. A reference to a whole
    /// module that also comes with one of its outputs is read as the output (Terraform lists
    /// `module.m` beside `module.m.out`).
    fn edges(&mut self, from: &str, prefix: &str, refs: &[String], kind: EdgeKind) {
        for r in refs {
            match target(prefix, r) {
                // A root module's variables are inputs of the run: nothing to wait for.
                Target::Node(to) if prefix.is_empty() && to.starts_with("var.") => {}
                Target::Node(to) => self.order.add(from, &to, kind, None),
                Target::Opaque => {
                    self.order.opaque.insert(from.to_string());
                }
                Target::Module(module) => {
                    let with_output = refs
                        .iter()
                        .any(|o| o.starts_with(&format!("{r}.")) && o.len() > r.len() + 1);
                    if !with_output || kind == EdgeKind::DependsOn {
                        self.order.add(from, &format!("{module}#all"), kind, None);
                        if !self.whole.contains(&module) {
                            self.whole.push(module);
                        }
                    }
                }
                Target::Nothing => {}
            }
        }
    }

    /// The blocks of one module, `prefix` its address with the trailing dot; `call` the node
    /// every block of the module waits for (the call's `count`, `for_each`, `depends_on`).
    fn module(&mut self, module: &ConfigModule<'_>, prefix: &str, call: Option<&str>) {
        for r in module.resources.iter().flatten() {
            let node = format!("{prefix}{}", r.address);
            let mut refs = references(r.expressions);
            refs.extend(references(r.count_expression));
            refs.extend(references(r.for_each_expression));
            self.edges(&node, prefix, &refs, EdgeKind::Reference);
            let depends: Vec<String> = r
                .depends_on
                .iter()
                .flatten()
                .map(|d| d.to_string())
                .collect();
            self.edges(&node, prefix, &depends, EdgeKind::DependsOn);
            if let Some(call) = call {
                self.order.add(&node, call, EdgeKind::DependsOn, None);
            }
            self.blocks.push(node);
        }
        // Maps in the document: sorted, so that the edges come in one order whatever the hash.
        let mut outputs: Vec<_> = module.outputs.iter().flatten().collect();
        outputs.sort_by(|a, b| a.0.cmp(b.0));
        for (name, output) in outputs {
            let node = format!("{prefix}output.{name}");
            let refs = references(output.expression);
            self.edges(&node, prefix, &refs, EdgeKind::Reference);
        }
        let mut calls: Vec<_> = module.module_calls.iter().flatten().collect();
        calls.sort_by(|a, b| a.0.cmp(b.0));
        for (name, c) in calls {
            let child = format!("{prefix}module.{name}.");
            let call_node = format!("{child}#call");
            let mut refs = references(c.count_expression);
            refs.extend(references(c.for_each_expression));
            self.edges(&call_node, prefix, &refs, EdgeKind::Reference);
            let depends: Vec<String> = c
                .depends_on
                .iter()
                .flatten()
                .map(|d| d.to_string())
                .collect();
            self.edges(&call_node, prefix, &depends, EdgeKind::DependsOn);
            if let Some(call) = call {
                self.order.add(&call_node, call, EdgeKind::DependsOn, None);
            }
            // Each argument: `var.x` inside the module is the expression in the call.
            let args: Option<std::collections::BTreeMap<String, &RawValue>> = c
                .expressions
                .and_then(|r| serde_json::from_str(r.get()).ok());
            for (arg, expression) in args.iter().flatten() {
                let refs = references(Some(expression));
                self.edges(
                    &format!("{child}var.{arg}"),
                    prefix,
                    &refs,
                    EdgeKind::Reference,
                );
            }
            // `module.m.out` outside names the output node inside: the same address.
            if let Some(m) = &c.module {
                self.module(m, &child, Some(&call_node));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_blocks_in_their_module() {
        let n = |p: &str, r: &str| match target(p, r) {
            Target::Node(n) => n,
            Target::Module(m) => format!("module {m}"),
            Target::Opaque => "opaque".into(),
            Target::Nothing => "nothing".into(),
        };
        assert_eq!(
            n("", "aws_iam_role_policy.orders.id"),
            "aws_iam_role_policy.orders"
        );
        assert_eq!(n("module.a.", "aws_x.y[0]"), "module.a.aws_x.y");
        assert_eq!(
            n("", "data.aws_iam_policy_document.p.json"),
            "data.aws_iam_policy_document.p"
        );
        assert_eq!(n("module.a.", "var.role"), "module.a.var.role");
        assert_eq!(
            n("", "module.iam.policy_arn"),
            "module.iam.output.policy_arn"
        );
        assert_eq!(n("", "module.iam"), "module module.iam.");
        assert_eq!(n("", "local.name"), "opaque");
        assert_eq!(n("", "each.value"), "nothing");
        assert_eq!(
            resource_type("module.m[\"k\"].aws_iam_role_policy.p[0]"),
            "aws_iam_role_policy"
        );
    }
}
