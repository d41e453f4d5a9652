//! Values the plan leaves unknown, evaluated from the Terraform source beside it.
//!
//! Input: an instance whose policy attribute is unknown in the plan, and the [`TfSource`] read
//! beside the plan. Output: the document the attribute's expression gives, evaluated by
//! [`crate::readers::hcl::eval`] with every reference resolved by this plan's own reference walk
//! (the same symbolic values the plan's other attributes get, so a statement naming
//! `aws_sqs_queue.orders.arn` names the queue the mapping polls). `None` when the source has no
//! such attribute (the plan-only behaviour then applies).
//!
//! Invariants: only consulted for values the plan does not know: the plan's known values
//! always win over the source.

use std::borrow::Cow;

use super::expr::Leaf;
use super::index::{InstId, Plan, RVal, Scope};
use super::values::Seg;
use crate::model::{MapKey, Value, ValueKind};
use crate::readers::hcl::eval::{self, References};

/// Resolves references in the scope of one instance (its module, its `count.index`/`each`).
struct PlanReferences<'p, 'd, 'a> {
    plan: &'p Plan<'d, 'a>,
    scope: Scope,
    /// How many locals deep the evaluation is.
    depth: std::cell::Cell<usize>,
}

impl References for PlanReferences<'_, '_, '_> {
    fn reference(&self, text: &str) -> Value {
        if let Some(value) = self.local(text) {
            return value;
        }
        let leaf = Leaf {
            constant: None,
            references: vec![Cow::Owned(text.to_string())],
        };
        value(self.plan.resolve_leaf(&self.scope, &leaf, &[], "", 0))
    }
}

/// Locals followed inside one another at most this deep.
const MAX_LOCAL_DEPTH: usize = 32;

impl PlanReferences<'_, '_, '_> {
    /// A `local.name` the source read holds (the plan records no locals), evaluated in the
    /// module of the scope; `None` for any other reference, or a local the source lacks.
    fn local(&self, text: &str) -> Option<Value> {
        let rest = text.strip_prefix("local.")?;
        let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
        let (name, tail) = rest.split_at(name_end);
        let prefix: String = self
            .scope
            .path
            .iter()
            .map(|(module, _)| format!("module.{module}."))
            .collect();
        let expr = self.plan.source.as_ref()?.locals.get(&prefix)?.get(name)?;
        if self.depth.get() >= MAX_LOCAL_DEPTH {
            return Some(Value::new(
                ValueKind::Unknown(format!("`local.{name}` refers to itself")),
                None,
            ));
        }
        if !tail.is_empty() {
            return Some(Value::new(
                ValueKind::Unknown(format!("`{text}` goes into a local value")),
                None,
            ));
        }
        // Locals see neither `count.index` nor `each`.
        let module = PlanReferences {
            plan: self.plan,
            scope: Scope {
                path: self.scope.path.clone(),
                key: super::expr::Key::None,
                repeated: false,
            },
            depth: std::cell::Cell::new(self.depth.get() + 1),
        };
        Some(eval::evaluate(expr, &module, 0))
    }
}

fn value(v: RVal) -> Value {
    match v {
        RVal::Str(s, _) => super::policy::string_value(s),
        RVal::List(items) => Value::new(
            ValueKind::List(items.into_iter().map(value).collect()),
            None,
        ),
        RVal::Map(entries) => Value::new(
            ValueKind::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            MapKey {
                                text: k,
                                span: None,
                            },
                            value(v),
                        )
                    })
                    .collect(),
            ),
            None,
        ),
        RVal::Null => Value::new(ValueKind::Null, None),
        RVal::Unknown(why) => Value::new(ValueKind::Unknown(why), None),
    }
}

/// `a` is `b` or a reference that `b` goes into (`aws_sqs_queue.q` of `aws_sqs_queue.q.arn`).
fn covers(a: &str, b: &str) -> bool {
    b == a
        || b.strip_prefix(a)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// Whether the references written in the source are the ones the plan lists for the same
/// expression: every planned reference is written (or is a shorter form of one written), and
/// every written one is planned, except `path.*`, which Terraform resolves before planning.
fn same_references(planned: &[&str], written: &[String]) -> bool {
    let planned_written = planned.iter().all(|p| written.iter().any(|w| covers(p, w)));
    let written_planned = written
        .iter()
        .filter(|w| !w.starts_with("path."))
        .all(|w| planned.iter().any(|p| covers(p, w)));
    planned_written && written_planned
}

fn listed(references: &[&str]) -> String {
    if references.is_empty() {
        return "nothing".into();
    }
    references
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Plan<'_, '_> {
    /// The document of the top-level policy attribute `attribute` of instance `id`, from its
    /// expression in the source.
    pub fn source_document(&self, id: InstId, attribute: &str) -> Option<Value> {
        let source = self.source.as_ref()?;
        let expr = source.attribute_expression(self.address(id), attribute)?;
        // A source that changed since the plan was made would give a value the plan never
        // had: the references must be the plan's (spec §8.2 lists them for every expression).
        if let Some((leaf, [])) = self.expr_at(id, &[Seg::Key(attribute)]) {
            let planned: Vec<&str> = leaf.references.iter().map(|r| &**r).collect();
            let written = eval::references(&expr);
            if !same_references(&planned, &written) {
                self.diagnostic(format!(
                    "`{attribute}` of `{}` in the Terraform source does not match the plan (the plan references {}, the source {}); the source may have changed since the plan was made, so the plan's value is used",
                    self.address(id),
                    listed(&planned),
                    listed(&written.iter().map(String::as_str).collect::<Vec<_>>()),
                ));
                return None;
            }
        }
        let refs = PlanReferences {
            plan: self,
            scope: self.scope(id),
            depth: std::cell::Cell::new(0),
        };
        let dir = source.block_dir(self.address(id));
        Some(eval::policy_document_in(&expr, &refs, dir.as_deref()))
    }
}
