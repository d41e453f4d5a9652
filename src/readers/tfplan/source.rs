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
use std::sync::Arc;

use super::expr::{Expr, Leaf};
use super::index::{InstId, Plan, RVal, Scope};
use super::values::{Seg, elements, path_text, scalar};
use crate::model::{MapKey, SymStr, Symbol, Value, ValueKind};
use crate::readers::hcl::eval::{self, References};
use crate::readers::hcl::nested;

/// Resolves references in the scope of one instance (its module, its `count.index`/`each`).
struct PlanReferences<'p, 'd, 'a> {
    plan: &'p Plan<'d, 'a>,
    scope: Scope,
    id: InstId,
    /// How many locals deep the evaluation is.
    depth: std::cell::Cell<usize>,
}

impl References for PlanReferences<'_, '_, '_> {
    fn reference(&self, text: &str) -> Value {
        if let Some(value) = self.local(text) {
            return value;
        }
        if let Some(rest) = text.strip_prefix("each.value")
            && (rest.is_empty() || rest.starts_with(['.', '[']))
        {
            return self.each_value(rest);
        }
        let leaf = Leaf {
            constant: None,
            references: vec![Cow::Owned(text.to_string())],
        };
        value(self.plan.resolve_leaf(&self.scope, &leaf, &[], "", 0))
    }
}

impl PlanReferences<'_, '_, '_> {
    /// `each.value` (then `rest`: `.actions`, `["a"]`, `[0]`): the element of the block's
    /// `for_each` collection at the instance's key, when the plan knows the collection (a
    /// literal, or a variable's value); unknown with the reason otherwise.
    fn each_value(&self, rest: &str) -> Value {
        let unknown = |why: String| Value::new(ValueKind::Unknown(why), None);
        let Some(raw) = self
            .plan
            .config_resource(self.id)
            .and_then(|c| c.resource.for_each_expression)
        else {
            return unknown("`each.value` is used outside a `for_each` block".into());
        };
        let Ok(Expr::Leaf(leaf)) = serde_json::from_str::<Expr<'_>>(raw.get()) else {
            return unknown("the `for_each` expression is not a value".into());
        };
        let Some(key) = self.scope.key.text() else {
            return unknown("the instance has no `for_each` key".into());
        };
        let element = match self.plan.resolve_leaf(&self.scope, &leaf, &[], "", 0) {
            RVal::Map(entries) => entries.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v),
            // A set of strings: each value is its own key.
            RVal::List(items) => items
                .into_iter()
                .find(|i| matches!(i, RVal::Str(s, _) if s.as_literal() == Some(key.as_str()))),
            RVal::Unknown(why) => {
                return unknown(format!("the `for_each` collection is not known: {why}"));
            }
            _ => None,
        };
        let Some(mut found) = element.map(value) else {
            return unknown(format!("the `for_each` collection has no element `{key}`"));
        };
        let Some(steps) = steps(rest) else {
            return unknown(format!("`each.value{rest}` is not evaluated"));
        };
        for step in steps {
            let next = match (&found.kind, step) {
                (ValueKind::Map(_), Step::Name(name)) => found.get(&name).cloned(),
                (ValueKind::List(items), Step::Index(i)) => items.get(i).cloned(),
                (ValueKind::Unknown(_), _) => return found,
                _ => None,
            };
            match next {
                Some(v) => found = v,
                None => return unknown(format!("`each.value{rest}` is not in the collection")),
            }
        }
        found
    }
}

enum Step {
    Name(String),
    Index(usize),
}

/// `.a["b"][0]` as steps; `None` for anything else (an index that is not a literal name or
/// number).
fn steps(mut rest: &str) -> Option<Vec<Step>> {
    let mut out = Vec::new();
    loop {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            out.push(Step::Name(after.get(..end).unwrap_or_default().to_string()));
            rest = after.get(end..).unwrap_or_default();
        } else if let Some(after) = rest.strip_prefix('[') {
            let end = after.find(']')?;
            let inner = after.get(..end).unwrap_or_default();
            match (
                inner.parse::<usize>(),
                serde_json::from_str::<String>(inner),
            ) {
                (Ok(i), _) => out.push(Step::Index(i)),
                (_, Ok(name)) => out.push(Step::Name(name)),
                _ => return None,
            }
            rest = after.get(end + 1..).unwrap_or_default();
        } else if rest.is_empty() {
            return Some(out);
        } else {
            return None;
        }
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
            id: self.id,
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
    /// The document of the policy attribute at `path` of instance `id` (a top-level `policy`,
    /// or `inline_policy[i].policy` of a role), from its expression in the source.
    pub fn source_document(&self, id: InstId, path: &[Seg<'_>]) -> Option<Arc<Value>> {
        let source = self.source.as_ref()?;
        let address = self.address(id);
        let (expr, what) = match path {
            [Seg::Key(attribute)] => (
                source.attribute_expression(address, attribute)?,
                format!("`{attribute}`"),
            ),
            // A role's inline policies are a set in the plan: the block is the one the source
            // writes with the same name.
            [
                Seg::Key(nested @ "inline_policy"),
                Seg::Idx(i),
                Seg::Key(attribute),
            ] => {
                let name_path = [Seg::Key(nested), Seg::Idx(*i), Seg::Key("name")];
                let name = self.value_at(id, &name_path).and_then(scalar)?;
                let expr = source.nested_attribute_expression(
                    address,
                    nested,
                    Some(("name", &name)),
                    attribute,
                )?;
                let expr = Cow::Owned(expr);
                (
                    expr,
                    format!("`{attribute}` of the `{nested}` named `{name}`"),
                )
            }
            _ => return None,
        };
        if !self.source_matches_plan(id, path, &expr, &what) {
            return None;
        }
        if let [Seg::Key("policy")] = path
            && let Some(document) = self.policies_ahead.document(id)
        {
            return Some(document);
        }
        let refs = self.references_of(id);
        let dir = source.block_dir(address);
        Some(Arc::new(eval::policy_document_in(
            &expr,
            &refs,
            dir.as_deref(),
        )))
    }

    /// The `policy` attributes of the source that the plan leaves unknown, each with the values
    /// of the references it writes, resolved now, so that they can be evaluated on another
    /// thread ([`PoliciesAhead::evaluate_from_the_end`]) while this one lowers the plan; none
    /// when there are fewer than `at_least`, which the lowering evaluates where it meets them. A
    /// policy whose references make the plan say something (a diagnostic) is left out: it is
    /// evaluated the usual way, where the diagnostic is said once, in its place.
    pub fn policies_to_evaluate(&self, at_least: usize) -> PoliciesAhead {
        let Some(source) = &self.source else {
            return PoliciesAhead::default();
        };
        let unknown: Vec<(InstId, &[String])> = (0..self.instances.len())
            .filter_map(|id| {
                let references = source.policy_references(self.address(id))?;
                self.unknown_at(id, &[Seg::Key("policy")])
                    .then_some((id, references))
            })
            .collect();
        if unknown.len() < at_least {
            return PoliciesAhead::default();
        }
        let mut policies = Vec::new();
        for (id, references) in unknown {
            let said = self.diagnostics.borrow().len();
            let refs = self.references_of(id);
            let values = references
                .iter()
                .map(|text| (text.clone(), refs.reference(text)))
                .collect();
            if self.diagnostics.borrow().len() != said {
                self.diagnostics.borrow_mut().truncate(said);
                continue;
            }
            let address = self.address(id);
            policies.push(PolicyAhead {
                id,
                address: address.to_string(),
                values,
                dir: source.block_dir(address),
                document: std::sync::OnceLock::new(),
            });
        }
        PoliciesAhead {
            source: Some(Arc::clone(source)),
            policies,
        }
    }
}

/// The policies of [`Plan::policies_to_evaluate`]. Each is evaluated once, by whichever thread
/// asks first: the lowering, when it meets the policy, or the thread that evaluates them from
/// the last; the other waits for it. The document is the one the plan's own references would
/// give, since they are the values it is evaluated with; `None` when the evaluation asked for
/// another reference, and the lowering then evaluates it with the plan.
#[derive(Default)]
pub struct PoliciesAhead {
    source: Option<Arc<crate::readers::hcl::TfSource>>,
    policies: Vec<PolicyAhead>,
}

struct PolicyAhead {
    id: InstId,
    address: String,
    values: Vec<(String, Value)>,
    dir: Option<std::path::PathBuf>,
    document: std::sync::OnceLock<Option<Arc<Value>>>,
}

impl PoliciesAhead {
    pub(super) fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Evaluates every policy not yet evaluated, from the last.
    pub fn evaluate_from_the_end(&self) {
        for policy in self.policies.iter().rev() {
            policy.document.get_or_init(|| self.evaluate(policy));
        }
    }

    /// The document of instance `id`'s `policy`, when it is one of these and its evaluation
    /// needed no other reference.
    fn document(&self, id: InstId) -> Option<Arc<Value>> {
        let i = self
            .policies
            .binary_search_by_key(&id, |policy| policy.id)
            .ok()?;
        let policy = self.policies.get(i)?;
        policy
            .document
            .get_or_init(|| self.evaluate(policy))
            .clone()
    }

    fn evaluate(&self, policy: &PolicyAhead) -> Option<Arc<Value>> {
        let expr = self
            .source
            .as_ref()?
            .attribute_expression(&policy.address, "policy")?;
        let refs = eval::Resolved::new(&policy.values);
        let document = eval::policy_document_in(&expr, &refs, policy.dir.as_deref());
        (!refs.missed()).then(|| Arc::new(document))
    }
}

impl Plan<'_, '_> {
    /// The strings of the list attribute `attribute` (`managed_policy_arns`) of instance `id`
    /// when the plan leaves the whole list unknown, from its expression in the source; an
    /// element the source does not determine either is an unknown symbol with the reason.
    /// `None` when the plan knows the list or the source does not give one.
    pub fn source_strings(&self, id: InstId, attribute: &str) -> Option<Vec<SymStr>> {
        let path = [Seg::Key(attribute)];
        if self.member(id, attribute).is_some() || !self.unknown_at(id, &path) {
            return None;
        }
        let source = self.source.as_ref()?;
        let expr = source.attribute_expression(self.address(id), attribute)?;
        if !self.source_matches_plan(id, &path, &expr, &format!("`{attribute}`")) {
            return None;
        }
        let refs = self.references_of(id);
        let ValueKind::List(items) = eval::evaluate(&expr, &refs, 0).kind else {
            return None;
        };
        Some(
            items
                .into_iter()
                .map(|item| match item.kind {
                    ValueKind::Str(s) => s,
                    ValueKind::Unknown(why) => SymStr::sym(Symbol::Unknown(why)),
                    _ => SymStr::sym(Symbol::Unknown(format!(
                        "an element of `{attribute}` is not a string"
                    ))),
                })
                .collect(),
        )
    }

    /// Whether the references written in the source expression are the ones the plan lists
    /// for the same expression; when not, a diagnostic says that the plan's value is used.
    fn source_matches_plan(
        &self,
        id: InstId,
        path: &[Seg<'_>],
        expr: &hcl_edit::expr::Expression,
        what: &str,
    ) -> bool {
        if let Some(changed) = self.literal_disagreement(id) {
            self.diagnostic(format!(
                "{what} of `{}` is not read from the Terraform source: {changed}; the source may have changed since the plan was made, so the plan's value is used",
                self.address(id),
            ));
            return false;
        }
        // A source that changed since the plan was made would give a value the plan never
        // had: the references must be the plan's (spec §8.2 lists them for every expression).
        let Some((leaf, [])) = self.expr_at(id, path) else {
            return true;
        };
        let planned: Vec<&str> = leaf.references.iter().map(|r| &**r).collect();
        let written = match self.source.as_ref() {
            Some(source) => source.references_in(self.address(id), expr),
            None => std::borrow::Cow::Owned(eval::references(expr)),
        };
        if same_references(&planned, &written) {
            return true;
        }
        self.diagnostic(format!(
            "{what} of `{}` in the Terraform source does not match the plan (the plan references {}, the source {}); the source may have changed since the plan was made, so the plan's value is used",
            self.address(id),
            listed(&planned),
            listed(&written.iter().map(String::as_str).collect::<Vec<_>>()),
        ));
        false
    }
}

impl<'d, 'a> Plan<'d, 'a> {
    /// What a source expression of instance `id` refers to, resolved in its scope.
    fn references_of(&self, id: InstId) -> PlanReferences<'_, 'd, 'a> {
        PlanReferences {
            plan: self,
            scope: self.scope(id),
            id,
            depth: std::cell::Cell::new(0),
        }
    }
}

impl Plan<'_, '_> {
    /// The first literal attribute of the instance's block whose value in the source is not
    /// the plan's known value, said in words: a block that disagrees with the plan is not the
    /// one the plan was made from, so none of its expressions is used.
    fn literal_disagreement(&self, id: InstId) -> Option<String> {
        let source = self.source.as_ref()?;
        source
            .literal_attributes(self.address(id))
            .into_iter()
            .find_map(|(name, written)| {
                let planned = self.member(id, name).and_then(scalar)?;
                let same = planned == written
                    || matches!(
                        (planned.parse::<f64>(), written.parse::<f64>()),
                        (Ok(a), Ok(b)) if a == b
                    );
                (!same).then(|| {
                    format!("its `{name}` is `{written}` there and `{planned}` in the plan")
                })
            })
    }
}

impl Plan<'_, '_> {
    /// The value of an attribute of a nested block (`statement[1].resources`) that the plan
    /// leaves unknown inside blocks written with `dynamic`, whose expressions the plan's
    /// configuration leaves out (spec §8.2): the `content` attribute, evaluated with the
    /// iterator's key and value for that block. `None` when no `dynamic` block produces the
    /// blocks along the path (the plan's configuration has their expressions), when the
    /// expansion is not known, or when the source does not agree with the plan (another number
    /// of blocks, a known value written otherwise): a diagnostic then says that the plan's
    /// value is used.
    pub fn source_nested_value(&self, id: InstId, path: &[Seg<'_>]) -> Option<Value> {
        let source = self.source.as_ref()?;
        let address = self.address(id);
        let (body, _, _) = source.block_body(address, "dynamic")?;
        let refs = self.references_of(id);
        let mut current = &body;
        let mut iterators = Vec::new();
        let mut dynamic = false;
        let mut rest = path;
        let mut walked = 0;
        let stale = |why: String| {
            self.diagnostic(format!(
                "`{}` of `{address}` is not read from the Terraform source: {why}; the source may have changed since the plan was made, so the plan's value is used",
                path_text(path)
            ));
        };
        loop {
            match rest {
                [Seg::Key(attribute)] => {
                    if !dynamic {
                        return None;
                    }
                    if let Some(why) =
                        self.disagreement(id, path.get(..walked)?, current, &refs, &iterators)
                    {
                        stale(why);
                        return None;
                    }
                    let expr = &current.get_attribute(attribute)?.value;
                    let scoped = nested::WithIterators {
                        refs: &refs,
                        iterators: &iterators,
                    };
                    return Some(eval::evaluate(expr, &scoped, 0));
                }
                [Seg::Key(name), Seg::Idx(i), tail @ ..] => {
                    let blocks = nested::expand(current, name, &refs, &iterators).ok()?;
                    let planned = path
                        .get(..walked + 1)
                        .and_then(|p| self.value_at(id, p))
                        .and_then(elements)
                        .map_or(0, |e| e.len());
                    if blocks.len() != planned {
                        stale(format!(
                            "the source writes {} `{name}` blocks there and the plan has {planned}",
                            blocks.len()
                        ));
                        return None;
                    }
                    let block = blocks.into_iter().nth(*i)?;
                    dynamic |= block.dynamic;
                    current = block.body;
                    iterators = block.iterators;
                    rest = tail;
                    walked += 2;
                }
                _ => return None,
            }
        }
    }

    /// Why the source cannot expand the `name` blocks of instance `id` (the `for_each` of a
    /// `dynamic` block is not known), for the reason of the unknown blocks.
    pub fn source_expansion_unknown(&self, id: InstId, name: &str) -> Option<String> {
        let source = self.source.as_ref()?;
        let (body, _, _) = source.block_body(self.address(id), "dynamic")?;
        nested::expand(&body, name, &self.references_of(id), &[]).err()
    }

    /// The first attribute of a nested block whose known value in the plan (at `at`) is not
    /// what the source's expression gives, said in words.
    fn disagreement(
        &self,
        id: InstId,
        at: &[Seg<'_>],
        body: &hcl_edit::structure::Body,
        refs: &PlanReferences<'_, '_, '_>,
        iterators: &[nested::Iterator],
    ) -> Option<String> {
        let scoped = nested::WithIterators { refs, iterators };
        body.attributes().find_map(|attribute| {
            let name = attribute.key.as_str();
            let mut p = at.to_vec();
            p.push(Seg::Key(name));
            let planned = self.value_at(id, &p)?;
            let written = eval::evaluate(&attribute.value, &scoped, 0);
            let same = match (scalar(planned), &written.kind) {
                (Some(planned), ValueKind::Str(_)) => {
                    written.as_literal().is_none_or(|w| w == planned)
                }
                // Lists of strings in these blocks are often sets, which the plan orders its
                // own way: every element the plan knows must be written.
                (None, ValueKind::List(items)) => {
                    let planned = elements(planned)?;
                    planned.len() == items.len()
                        && planned.iter().filter_map(|p| scalar(p)).all(|known| {
                            items
                                .iter()
                                .any(|w| w.as_literal().is_none_or(|w| w == known))
                        })
                }
                _ => true,
            };
            (!same).then(|| format!("its `{name}` there is not the plan's"))
        })
    }
}
