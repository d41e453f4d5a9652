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
use crate::model::{MapKey, Value, ValueKind};
use crate::readers::hcl::eval::{self, References};

/// Resolves references in the scope of one instance (its module, its `count.index`/`each`).
struct PlanReferences<'p, 'd, 'a> {
    plan: &'p Plan<'d, 'a>,
    scope: Scope,
}

impl References for PlanReferences<'_, '_, '_> {
    fn reference(&self, text: &str) -> Value {
        let leaf = Leaf {
            constant: None,
            references: vec![Cow::Owned(text.to_string())],
        };
        value(self.plan.resolve_leaf(&self.scope, &leaf, &[], "", 0))
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

impl Plan<'_, '_> {
    /// The document of the top-level policy attribute `attribute` of instance `id`, from its
    /// expression in the source.
    pub fn source_document(&self, id: InstId, attribute: &str) -> Option<Value> {
        let source = self.source.as_ref()?;
        let expr = source.attribute_expression(self.address(id), attribute)?;
        let refs = PlanReferences {
            plan: self,
            scope: self.scope(id),
        };
        let dir = source.block_dir(self.address(id));
        Some(eval::policy_document_in(&expr, &refs, dir.as_deref()))
    }
}
