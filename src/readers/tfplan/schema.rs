//! The plan's schema for the fields permgate reads, enforced before anything is lowered.
//!
//! Input: the text of a plan and its parsed [`Document`]. Output: `Ok` or the first violation as
//! a located [`FileError`]. Terraform never writes these shapes; a plan that has them was
//! edited or forged, and reading it leniently would turn what it says into "cannot verify" (or
//! drop it) rather than report it: a duplicate key (which of the two does Terraform mean?), a
//! resource `index` that is neither a non-negative number nor a string, two instances with one
//! address, an `after_unknown` that is not an object, a `references` list that is not a list of
//! strings (TF-JSON, `website/docs/internals/json-format.mdx`, spec §8.1).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::doc::{ConfigModule, Document, ModuleValues};
use super::expr::{Expr, Text};
use crate::diag::FileError;
use crate::source::Span;

/// Any JSON value, refusing an object with a key written twice (serde_json keeps the last).
pub struct UniqueKeys;

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor)
    }
}

struct UniqueKeysVisitor;

impl<'de> Visitor<'de> for UniqueKeysVisitor {
    type Value = UniqueKeys;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_unit<E: de::Error>(self) -> Result<UniqueKeys, E> {
        Ok(UniqueKeys)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueKeys, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueKeys, A::Error> {
        let mut seen: HashSet<Cow<'de, str>> = HashSet::new();
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format!(
                    "the key `{key}` is written twice in one object"
                )));
            }
            map.next_value::<UniqueKeys>()?;
            seen.insert(key);
        }
        Ok(UniqueKeys)
    }
}

/// Checks the fields of `document` (parsed from `body`) that the reader relies on.
pub fn check(document: &Document<'_>, body: &str, offset: usize) -> Result<(), FileError> {
    let at = |text: &str| -> Option<Span> {
        let start = (text.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
        (start + text.len() <= body.len())
            .then(|| Span::new(offset + start, offset + start + text.len()))
    };
    let invalid = |message: String, text: &str| FileError::new(message, at(text));
    let sections = [
        ("planned_values", document.planned_values.as_ref()),
        ("values", document.values.as_ref()),
        (
            "prior_state",
            document
                .prior_state
                .as_ref()
                .and_then(|p| p.values.as_ref()),
        ),
    ];
    for (section, values) in sections {
        // Terraform itself writes a data source twice in the `prior_state` of some plans.
        let unique_addresses = section != "prior_state";
        let mut seen: HashSet<&str> = HashSet::new();
        let mut modules: Vec<&ModuleValues<'_>> = values
            .and_then(|v| v.root_module.as_ref())
            .into_iter()
            .collect();
        while let Some(module) = modules.pop() {
            modules.extend(module.child_modules.iter().flatten());
            for r in module.resources.iter().flatten() {
                if let Some(index) = r.index {
                    check_index(index).map_err(|what| {
                        invalid(
                            format!(
                                "the `index` of `{}` in `{section}` is {what}; Terraform writes a non-negative number (`count`) or a string (`for_each`)",
                                r.address
                            ),
                            index.get(),
                        )
                    })?;
                }
                if unique_addresses && !seen.insert(&r.address) {
                    return Err(invalid(
                        format!(
                            "two resources of `{section}` have the address `{}`",
                            r.address
                        ),
                        &r.address,
                    ));
                }
            }
        }
    }
    let mut changed: HashSet<&str> = HashSet::new();
    for c in document.resource_changes.iter().flatten() {
        if c.deposed.is_none() && !changed.insert(&c.address) {
            return Err(invalid(
                format!(
                    "two entries of `resource_changes` have the address `{}`",
                    c.address
                ),
                &c.address,
            ));
        }
        if let Some(raw) = c.change.after_unknown {
            let text = raw.get().trim_start();
            if !(text.starts_with('{') || text == "true" || text == "false" || text == "null") {
                return Err(invalid(
                    format!(
                        "the `after_unknown` of `{}` is not an object; Terraform writes an object that mirrors `after`",
                        c.address
                    ),
                    raw.get(),
                ));
            }
        }
    }
    let mut modules: Vec<&ConfigModule<'_>> = document
        .configuration
        .as_ref()
        .and_then(|c| c.root_module.as_ref())
        .into_iter()
        .collect();
    while let Some(module) = modules.pop() {
        let mut expressions: Vec<(&str, &RawValue)> = Vec::new();
        for r in module.resources.iter().flatten() {
            expressions.extend(r.expressions.map(|e| (&*r.address, e)));
        }
        for (name, call) in module.module_calls.iter().flatten() {
            expressions.extend(call.expressions.map(|e| (&**name, e)));
            modules.extend(call.module.as_ref());
        }
        for (name, output) in module.outputs.iter().flatten() {
            expressions.extend(output.expression.map(|e| (&**name, e)));
        }
        for (owner, raw) in expressions {
            if let Err(e) = serde_json::from_str::<Expr<'_>>(raw.get()) {
                return Err(invalid(
                    format!(
                        "the configuration expressions of `{owner}` do not have the shape Terraform writes: {}",
                        super::bare_message(&e)
                    ),
                    raw.get(),
                ));
            }
        }
    }
    Ok(())
}

/// `Err(what it is)` unless the index is a non-negative integer or a string.
fn check_index(raw: &RawValue) -> Result<(), &'static str> {
    let text = raw.get().trim();
    if text.starts_with('"') {
        return Ok(());
    }
    if text.parse::<u64>().is_ok() {
        return Ok(());
    }
    Err(match text.chars().next() {
        Some('-') => "a negative number",
        Some('0'..='9') => "not a whole number",
        Some('{') => "an object",
        Some('[') => "a list",
        Some('t' | 'f') => "a boolean",
        _ => "null",
    })
}
