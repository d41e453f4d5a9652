//! Policy documents: JSON strings in the plan, and `data.aws_iam_policy_document` read or built.
//!
//! Input: a policy attribute of an instance (`assume_role_policy`, `policy`, `inline_policy[].policy`).
//! Output: a [`Value`]. A known JSON string is parsed. An unknown one is followed through its
//! configuration (spec §8.4 step 5): to a `data.aws_iam_policy_document` whose `json` is known
//! (read at plan time, in `prior_state`) or, when the data source is deferred, to the document
//! built from its `statement` blocks, with each action and resource resolved by the reference
//! walk. A `jsonencode(...)` whose value is unknown stays unknown, with the reason.

use super::index::{InstId, Plan, RVal, Unset};
use super::values::{
    Field, PolicyCondition, PolicyDocumentData, PolicyPrincipals, PolicyStatement, Seg, elements,
    path_text, scalar,
};
use std::sync::Arc;

use crate::model::{MapKey, Part, SymStr, Symbol, Value, ValueKind};

/// Data sources are followed at most this deep (documents merging other documents).
const MAX_DOCUMENT_DEPTH: u8 = 8;

const POLICY_DOCUMENT: &str = "aws_iam_policy_document";

fn key(text: &str) -> MapKey {
    MapKey {
        text: text.to_string(),
        span: None,
    }
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::new(
        ValueKind::Map(entries.into_iter().map(|(k, v)| (key(k), v)).collect()),
        None,
    )
}

fn unknown(reason: String) -> Value {
    Value::new(ValueKind::Unknown(reason), None)
}

/// A string as a value; a string that is only an unknown symbol becomes an unknown value.
pub fn string_value(s: SymStr) -> Value {
    match s.parts.as_slice() {
        [Part::Sym(Symbol::Unknown(reason))] => unknown(reason.clone()),
        _ => Value::str(s, None),
    }
}

fn list(items: Vec<SymStr>) -> Value {
    Value::new(
        ValueKind::List(items.into_iter().map(string_value).collect()),
        None,
    )
}

/// Parses a policy JSON string.
pub fn parse_document(text: &str) -> Result<Value, String> {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|json| Value::from_json(&json))
        .map_err(|e| e.to_string())
}

fn statements(doc: &Value) -> Vec<Value> {
    match doc.get("Statement").map(|s| &s.kind) {
        Some(ValueKind::List(items)) => items.clone(),
        Some(ValueKind::Map(_)) => doc.get("Statement").cloned().into_iter().collect(),
        Some(ValueKind::Unknown(_)) => doc.get("Statement").cloned().into_iter().collect(),
        _ => Vec::new(),
    }
}

fn sid(statement: &Value) -> Option<&str> {
    statement
        .get("Sid")
        .and_then(Value::as_literal)
        .filter(|s| !s.is_empty())
}

/// Adds `incoming` statements: one with the Sid of an existing statement replaces it, the
/// others are appended (the provider's rule for `source_policy_documents` and
/// `override_policy_documents`).
fn merge(into: &mut Vec<Value>, incoming: Vec<Value>) {
    for s in incoming {
        let existing = sid(&s).and_then(|id| into.iter().position(|x| sid(x) == Some(id)));
        match existing {
            Some(i) => {
                if let Some(slot) = into.get_mut(i) {
                    *slot = s;
                }
            }
            None => into.push(s),
        }
    }
}

impl<'d, 'a: 'd> Plan<'d, 'a> {
    /// The document of a policy attribute; `None` when the attribute is absent or empty.
    pub fn policy_document(
        &self,
        id: InstId,
        field: Field<'a>,
        path: &[Seg<'_>],
    ) -> Option<Arc<Value>> {
        self.policy_document_at(id, field, path, 0)
    }

    fn policy_document_at(
        &self,
        id: InstId,
        field: Field<'a>,
        path: &[Seg<'_>],
        depth: u8,
    ) -> Option<Arc<Value>> {
        let what = || format!("`{}` of `{}`", path_text(path), self.address(id));
        if field.0.is_some() || !self.unknown_at(id, path) {
            let text = self.string(id, field, path, "json", Unset::Absent)?;
            let text = text.as_literal()?;
            if text.trim().is_empty() {
                return None;
            }
            return Some(match self.parsed_document(text) {
                Ok(v) => v,
                Err(e) => {
                    self.diagnostic(format!("{} is not valid JSON: {e}", what()));
                    Arc::new(unknown(format!("{} is not valid JSON", what())))
                }
            });
        }
        // The plan does not know the document: its expression in the source may (spec §8.2:
        // the plan keeps only the references of an unknown expression). When the source does
        // not settle it either, the plan's own configuration may (a deferred
        // `data.aws_iam_policy_document` is built from its statement blocks below).
        let from_source = self.source_document(id, path);
        let source_reason = match from_source {
            Some(document) => match &document.kind {
                ValueKind::Unknown(why) => Some(why.clone()),
                _ => return Some(document),
            },
            None => None,
        };
        let unknown = |reason: String| match &source_reason {
            Some(why) => unknown(format!(
                "{reason}; its expression in the source cannot be evaluated: {why}"
            )),
            None => unknown(reason),
        };
        let Some((leaf, [])) = self.expr_at(id, path) else {
            return Some(Arc::new(unknown(format!(
                "{} is only known after apply (the plan does not show its expression)",
                what()
            ))));
        };
        let scope = self.scope(id);
        let document = match self.resolve_leaf(&scope, &leaf, &[], "json", 0) {
            RVal::Str(_, Some(t)) if t.rtype == POLICY_DOCUMENT => match t.inst {
                Some(doc) => self.document_of(doc, depth + 1),
                None => unknown(format!(
                    "{} comes from `{}`, which is not in the plan",
                    what(),
                    t.address
                )),
            },
            RVal::Str(s, target) => match s.as_literal() {
                Some(text) => {
                    return Some(self.parsed_document(text).unwrap_or_else(|_| {
                        Arc::new(unknown(format!("{} is not valid JSON", what())))
                    }));
                }
                None => unknown(match target {
                    Some(t) => format!(
                        "{} is only known after apply (it is computed from `{}.{}`)",
                        what(),
                        t.address,
                        t.attr
                    ),
                    None => format!("{} is only known after apply", what()),
                }),
            },
            RVal::Unknown(why) => unknown(format!("{} is only known after apply ({why})", what())),
            RVal::Null => return None,
            RVal::List(_) | RVal::Map(_) => unknown(format!("{} is not a string", what())),
        };
        Some(Arc::new(document))
    }

    /// The document of a `data.aws_iam_policy_document` instance.
    pub fn document_of(&self, id: InstId, depth: u8) -> Value {
        if depth > MAX_DOCUMENT_DEPTH {
            return unknown(format!(
                "`{}` merges documents too deeply to follow",
                self.address(id)
            ));
        }
        if let Some(json) = self.known_str(id, "json").filter(|j| !j.is_empty()) {
            return parse_document(&json).unwrap_or_else(|_| {
                unknown(format!(
                    "`json` of `{}` is not valid JSON",
                    self.address(id)
                ))
            });
        }
        let Some(v) = self.values::<PolicyDocumentData<'a>>(id) else {
            return unknown(format!("`{}` cannot be read", self.address(id)));
        };
        let mut merged = Vec::new();
        for source in self.strings(
            id,
            v.source_policy_documents,
            &[Seg::Key("source_policy_documents")],
            "json",
        ) {
            merge(&mut merged, self.referenced_statements(&source, depth));
        }
        let own = self.built_statements(id, &v);
        merge(&mut merged, own);
        for over in self.strings(
            id,
            v.override_policy_documents,
            &[Seg::Key("override_policy_documents")],
            "json",
        ) {
            merge(&mut merged, self.referenced_statements(&over, depth));
        }
        let version = self
            .string(id, v.version, &[Seg::Key("version")], "", Unset::Absent)
            .unwrap_or_else(|| SymStr::lit("2012-10-17"));
        let mut entries = vec![("Version", string_value(version))];
        if let Some(pid) = self.string(id, v.policy_id, &[Seg::Key("policy_id")], "", Unset::Absent)
        {
            entries.push(("Id", string_value(pid)));
        }
        entries.push(("Statement", Value::new(ValueKind::List(merged), None)));
        map(entries)
    }

    /// The statements of another document named by a `source_policy_documents` entry.
    fn referenced_statements(&self, doc: &SymStr, depth: u8) -> Vec<Value> {
        if let Some(text) = doc.as_literal() {
            return match parse_document(text) {
                Ok(v) => statements(&v),
                Err(_) => vec![unknown("a merged policy document is not valid JSON".into())],
            };
        }
        let data = doc
            .refers
            .as_ref()
            .and_then(|r| self.by_address(&r.resource))
            .filter(|i| self.rtype(*i) == POLICY_DOCUMENT);
        match data {
            Some(i) => statements(&self.document_of(i, depth + 1)),
            None => vec![unknown(match doc.symbols().next() {
                Some(s) => format!("a merged policy document is unknown: {}", s.reason()),
                None => "a merged policy document is unknown".into(),
            })],
        }
    }

    /// Statements from the `statement` blocks, as the provider writes them.
    fn built_statements(&self, id: InstId, v: &PolicyDocumentData<'a>) -> Vec<Value> {
        let base = [Seg::Key("statement")];
        if self.dynamic_blocks(id, v.statement, &base) {
            let why = self
                .source_expansion_unknown(id, "statement")
                .map(|why| format!(": {why}"))
                .unwrap_or_default();
            return vec![unknown(format!(
                "the statements of `{}` are only known after apply (written with a `dynamic` block{why})",
                self.address(id)
            ))];
        }
        let blocks: Vec<PolicyStatement<'a>> = self.blocks(id, v.statement, &base);
        let mut out = Vec::with_capacity(blocks.len());
        for (i, s) in blocks.iter().enumerate() {
            let at = |k: &'static str| [Seg::Key("statement"), Seg::Idx(i), Seg::Key(k)];
            let mut entries = Vec::new();
            if let Some(sid) = self
                .dynamic_string(id, s.sid, &at("sid"))
                .or_else(|| self.string(id, s.sid, &at("sid"), "", Unset::Absent))
            {
                if sid.as_literal() != Some("") {
                    entries.push(("Sid", string_value(sid)));
                }
            }
            let effect = self
                .dynamic_string(id, s.effect, &at("effect"))
                .or_else(|| self.string(id, s.effect, &at("effect"), "", Unset::Absent))
                .filter(|e| e.as_literal() != Some(""))
                .unwrap_or_else(|| SymStr::lit("Allow"));
            entries.push(("Effect", string_value(effect)));
            for (field, name, key, is_resource) in [
                (s.actions, "actions", "Action", false),
                (s.not_actions, "not_actions", "NotAction", false),
                (s.resources, "resources", "Resource", true),
                (s.not_resources, "not_resources", "NotResource", true),
            ] {
                let items = self
                    .dynamic_strings(id, field, &at(name))
                    .unwrap_or_else(|| {
                        if is_resource {
                            self.policy_resources(id, field, &at(name))
                        } else {
                            self.strings(id, field, &at(name), "arn")
                        }
                    });
                if !items.is_empty() {
                    entries.push((key, list(items)));
                }
            }
            for (field, name, key) in [
                (s.principals, "principals", "Principal"),
                (s.not_principals, "not_principals", "NotPrincipal"),
            ] {
                if let Some(p) = self.principals(id, field, &at(name)) {
                    entries.push((key, p));
                }
            }
            let conditions: Vec<PolicyCondition<'a>> =
                self.blocks(id, s.condition, &at("condition"));
            if !conditions.is_empty() {
                entries.push(("Condition", self.conditions(id, i, &conditions)));
            }
            out.push(map(entries));
        }
        out
    }

    /// A list of strings of a statement that the plan leaves unknown inside blocks written
    /// with `dynamic` (the plan's configuration does not have their expressions), from the
    /// source: the plan's known elements, the source's for the unknown ones. `None` when the
    /// plan knows it all or the source does not settle it.
    fn dynamic_strings(
        &self,
        id: InstId,
        field: Field<'a>,
        path: &[Seg<'_>],
    ) -> Option<Vec<SymStr>> {
        let planned = match field.0 {
            Some(raw) => Some(elements(raw)?),
            None => None,
        };
        let unknown_item = |i: usize| {
            let mut p = path.to_vec();
            p.push(Seg::Idx(i));
            self.unknown_at(id, &p)
        };
        let has_unknown = match &planned {
            Some(items) => items
                .iter()
                .enumerate()
                .any(|(i, item)| item.get() == "null" && unknown_item(i)),
            None => self.unknown_at(id, path),
        };
        if !has_unknown {
            return None;
        }
        let ValueKind::List(written) = self.source_nested_value(id, path)?.kind else {
            return None;
        };
        let written = written.into_iter().map(|item| match item.kind {
            ValueKind::Str(s) => s,
            ValueKind::Unknown(why) => SymStr::sym(Symbol::Unknown(why)),
            _ => SymStr::sym(Symbol::Unknown(format!(
                "an element of `{}` of `{}` is not a string",
                path_text(path),
                self.address(id)
            ))),
        });
        let written: Vec<SymStr> = written.collect();
        // The statement's lists are sets, which the plan orders its own way: the source's list
        // is used when it has the plan's number of elements and every element the plan knows.
        let agrees = planned.is_none_or(|items| {
            items.len() == written.len()
                && items.iter().filter_map(|item| scalar(item)).all(|known| {
                    written
                        .iter()
                        .any(|w| w.as_literal() == Some(known.as_ref()))
                })
        });
        agrees.then_some(written)
    }

    /// A string of a statement that the plan leaves unknown inside a `dynamic` block, from the
    /// source (see [`Self::dynamic_strings`]).
    fn dynamic_string(&self, id: InstId, field: Field<'a>, path: &[Seg<'_>]) -> Option<SymStr> {
        if field.0.is_some() || !self.unknown_at(id, path) {
            return None;
        }
        match self.source_nested_value(id, path)?.kind {
            ValueKind::Str(s) => Some(s),
            ValueKind::Unknown(why) => Some(SymStr::sym(Symbol::Unknown(why))),
            _ => None,
        }
    }

    fn principals(&self, id: InstId, field: Field<'a>, path: &[Seg<'_>]) -> Option<Value> {
        let blocks: Vec<PolicyPrincipals<'a>> = self.blocks(id, field, path);
        if blocks.is_empty() {
            return None;
        }
        let mut by_type: Vec<(String, Vec<SymStr>)> = Vec::new();
        for (j, p) in blocks.iter().enumerate() {
            let mut at = path.to_vec();
            at.push(Seg::Idx(j));
            let mut type_path = at.clone();
            type_path.push(Seg::Key("type"));
            let mut ids_path = at;
            ids_path.push(Seg::Key("identifiers"));
            let kind = self
                .string(id, p.r#type, &type_path, "", Unset::Unknown)
                .map(|t| t.to_string())
                .unwrap_or_default();
            let ids = self
                .dynamic_strings(id, p.identifiers, &ids_path)
                .unwrap_or_else(|| self.strings(id, p.identifiers, &ids_path, "arn"));
            match by_type.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, existing)) => existing.extend(ids),
                None => by_type.push((kind, ids)),
            }
        }
        // `type = "*"` with `identifiers = ["*"]` is written `"Principal": "*"`.
        if let [(kind, ids)] = by_type.as_slice() {
            if kind == "*" && ids.iter().all(|i| i.as_literal() == Some("*")) {
                return Some(Value::str(SymStr::lit("*"), None));
            }
        }
        Some(Value::new(
            ValueKind::Map(
                by_type
                    .into_iter()
                    .map(|(k, ids)| (key(&k), list(ids)))
                    .collect(),
            ),
            None,
        ))
    }

    fn conditions(&self, id: InstId, statement: usize, blocks: &[PolicyCondition<'a>]) -> Value {
        let mut tests: Vec<(String, Vec<(MapKey, Value)>)> = Vec::new();
        for (j, c) in blocks.iter().enumerate() {
            let at = |k: &'static str| {
                [
                    Seg::Key("statement"),
                    Seg::Idx(statement),
                    Seg::Key("condition"),
                    Seg::Idx(j),
                    Seg::Key(k),
                ]
            };
            let test = self
                .string(id, c.test, &at("test"), "", Unset::Unknown)
                .map(|t| t.to_string())
                .unwrap_or_default();
            let variable = self
                .string(id, c.variable, &at("variable"), "", Unset::Unknown)
                .map(|t| t.to_string())
                .unwrap_or_default();
            let values = list(
                self.dynamic_strings(id, c.values, &at("values"))
                    .unwrap_or_else(|| self.strings(id, c.values, &at("values"), "arn")),
            );
            match tests.iter_mut().find(|(t, _)| *t == test) {
                Some((_, vars)) => vars.push((key(&variable), values)),
                None => tests.push((test, vec![(key(&variable), values)])),
            }
        }
        Value::new(
            ValueKind::Map(
                tests
                    .into_iter()
                    .map(|(t, vars)| (key(&t), Value::new(ValueKind::Map(vars), None)))
                    .collect(),
            ),
            None,
        )
    }
}
