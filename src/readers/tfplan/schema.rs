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

use serde_json::value::RawValue;

use super::doc::{ConfigModule, Document, ModuleValues};
use super::expr::Expr;
use crate::diag::FileError;
use crate::source::Span;

/// The first key written twice in one object of `json` (already known to be valid JSON): its
/// byte range and its text. serde_json keeps the last of two equal keys, so which one Terraform
/// meant is unknown. A scan of the bytes, so that numbers are not parsed (Terraform numbers have
/// arbitrary precision) and nothing is built but the keys of the open objects.
pub fn duplicate_key(json: &str) -> Option<(std::ops::Range<usize>, String)> {
    /// The keys of one open object: a list while it is short (most objects of a plan have a
    /// handful of keys), a set beyond.
    #[derive(Default)]
    struct Object<'a> {
        list: Vec<Cow<'a, str>>,
        set: HashSet<Cow<'a, str>>,
        expecting_key: bool,
    }
    impl<'a> Object<'a> {
        /// Adds a key; false when it was there already.
        fn insert(&mut self, key: Cow<'a, str>) -> bool {
            const SHORT: usize = 16;
            if self.set.is_empty() {
                if self.list.contains(&key) {
                    return false;
                }
                if self.list.len() < SHORT {
                    self.list.push(key);
                    return true;
                }
                self.set.extend(self.list.drain(..));
            }
            self.set.insert(key)
        }
    }
    // `None` for an open array.
    let mut open: Vec<Option<Object<'_>>> = Vec::new();
    let bytes = json.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                let start = i;
                let mut end = i + 1;
                let mut escaped = false;
                // To the closing quote, skipping escaped characters.
                while let Some(at) = bytes
                    .get(end..)
                    .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                {
                    end += at;
                    if bytes.get(end) == Some(&b'"') {
                        break;
                    }
                    escaped = true;
                    end += 2;
                }
                if let Some(Some(object)) = open.last_mut() {
                    if object.expecting_key {
                        object.expecting_key = false;
                        let raw = json.get(start + 1..end).unwrap_or("");
                        let key: Cow<'_, str> = if escaped {
                            serde_json::from_str::<String>(json.get(start..=end).unwrap_or("\"\""))
                                .map_or(Cow::Borrowed(raw), Cow::Owned)
                        } else {
                            Cow::Borrowed(raw)
                        };
                        if !object.insert(key.clone()) {
                            return Some((start..end + 1, key.into_owned()));
                        }
                    }
                }
                i = end + 1;
                continue;
            }
            b'{' => open.push(Some(Object {
                expecting_key: true,
                ..Object::default()
            })),
            b'[' => open.push(None),
            b'}' | b']' => {
                open.pop();
            }
            b',' => {
                if let Some(Some(object)) = open.last_mut() {
                    object.expecting_key = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicate(text: &str) -> Option<(usize, String)> {
        duplicate_key(text).map(|(at, key)| (at.start, key))
    }

    #[test]
    fn a_key_written_twice_in_any_object_is_found() {
        assert_eq!(
            duplicate(r#"{"a":{"b":1,"c":[{"d":1,"e":2}]},"f":null}"#),
            None
        );
        // Equal keys in different objects, and values equal to keys, are fine.
        assert_eq!(duplicate(r#"{"a":{"a":"a"},"b":[{"a":1},{"a":2}]}"#), None);
        assert_eq!(
            duplicate(r#"{"a":[{"d":1,"d":2}]}"#),
            Some((13, "d".to_string()))
        );
        // Escapes are decoded before comparing; quotes inside strings are not structure.
        assert_eq!(
            duplicate(r#"{"x":"{\"d\":1,\"d\":2}","d":1,"\u0064":2}"#),
            Some((31, "d".to_string()))
        );
        // Objects with many keys too.
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        assert_eq!(duplicate(&format!("{{{}}}", many.join(","))), None);
        let text = format!("{{{},\"k3\":0}}", many.join(","));
        assert_eq!(duplicate(&text), Some((text.len() - 7, "k3".to_string())));
        // Numbers are not parsed (Terraform numbers have arbitrary precision).
        assert_eq!(
            duplicate(r#"{"n":1e999,"m":-1e999,"i":123456789012345678901234567890}"#),
            None
        );
    }
}
