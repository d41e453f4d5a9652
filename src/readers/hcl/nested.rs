//! Nested blocks as Terraform expands them: the `statement` blocks of a block body, written
//! directly or produced by `dynamic "statement"` blocks.
//!
//! Input: a parsed block body, the name of a nested block type, a [`References`] for the
//! block's scope and the iterators of the `dynamic` blocks around the body. Output: the blocks
//! in the order Terraform gives them (the order they are written in, each `dynamic` block
//! expanded in place: a list by index, a map or object in the lexical order of its keys, a set
//! of strings in lexical order), each with the body to read its attributes from, its span and
//! the iterators its `content` sees (`statement.key`, `statement.value`, or the name given by
//! `iterator`).
//!
//! Invariants: a `for_each` that is not known makes the whole expansion unknown, with the
//! reason: which block is which is then not known, so no block is given (never a guess).

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

use super::eval::{self, References, Step, navigate, steps};
use crate::model::{SymStr, Value, ValueKind};
use crate::source::Span;

/// The `key` and `value` a `dynamic` block's iterator names, for one element.
#[derive(Debug, Clone)]
pub struct Iterator {
    /// The name the content uses: the `iterator` argument, else the block's label.
    pub name: String,
    pub key: Value,
    pub value: Value,
}

/// One nested block after expansion.
#[derive(Debug)]
pub struct NestedBlock<'b> {
    /// Where its attributes are: the block itself, or the `content` of its `dynamic` block.
    pub body: &'b Body,
    /// The block as written (for a `dynamic` block's elements, the `dynamic` block), relative to
    /// the text the body was parsed from.
    pub span: Option<Span>,
    /// The iterators in scope inside `body`, outermost first.
    pub iterators: Vec<Iterator>,
    /// Produced by a `dynamic` block.
    pub dynamic: bool,
}

/// The `name` blocks of `body`, expanded; `outer` are the iterators in scope around `body`.
/// An error gives the reason the expansion is not known.
pub fn expand<'b>(
    body: &'b Body,
    name: &str,
    refs: &dyn References,
    outer: &[Iterator],
) -> Result<Vec<NestedBlock<'b>>, String> {
    let mut out = Vec::new();
    for block in body.iter().filter_map(Structure::as_block) {
        let ident = block.ident.as_str();
        if ident == name && block.labels.is_empty() {
            out.push(NestedBlock {
                body: &block.body,
                span: span_of(block),
                iterators: outer.to_vec(),
                dynamic: false,
            });
        } else if ident == "dynamic" && label(block) == Some(name) {
            expand_dynamic(block, name, refs, outer, &mut out)?;
        }
    }
    Ok(out)
}

fn expand_dynamic<'b>(
    block: &'b Block,
    name: &str,
    refs: &dyn References,
    outer: &[Iterator],
    out: &mut Vec<NestedBlock<'b>>,
) -> Result<(), String> {
    let iterator = match block.body.get_attribute("iterator").map(|a| &a.value) {
        Some(Expression::Variable(v)) => v.as_str().to_string(),
        Some(_) => {
            return Err(format!(
                "the `iterator` of `dynamic \"{name}\"` is not a name"
            ));
        }
        None => name.to_string(),
    };
    let Some(for_each) = block.body.get_attribute("for_each") else {
        return Err(format!("`dynamic \"{name}\"` has no `for_each`"));
    };
    let Some(content) = block.body.get_blocks("content").next() else {
        return Err(format!("`dynamic \"{name}\"` has no `content` block"));
    };
    let scoped = WithIterators {
        refs,
        iterators: outer,
    };
    let collection = eval::evaluate(&for_each.value, &scoped, 0);
    let set = matches!(&for_each.value, Expression::FuncCall(c) if c.name.name.as_str() == "toset");
    for (key, value) in elements(collection, set)
        .map_err(|why| format!("the `for_each` of `dynamic \"{name}\"` is not known: {why}"))?
    {
        let mut iterators = outer.to_vec();
        iterators.push(Iterator {
            name: iterator.clone(),
            key,
            value,
        });
        out.push(NestedBlock {
            body: &content.body,
            span: span_of(block),
            iterators,
            dynamic: true,
        });
    }
    Ok(())
}

/// The (key, value) pairs of a `for_each` collection, in Terraform's order.
fn elements(collection: Value, set: bool) -> Result<Vec<(Value, Value)>, String> {
    let text = |s: &str| Value::str(SymStr::lit(s), None);
    match collection.kind {
        ValueKind::List(items) if set => {
            // A set's key is its value; Terraform orders a set of strings lexically.
            let mut literals = items
                .iter()
                .map(|v| v.as_literal().map(str::to_string))
                .collect::<Option<Vec<String>>>()
                .ok_or("the order of a set whose elements are not known strings is not known")?;
            literals.sort();
            literals.dedup();
            Ok(literals.iter().map(|s| (text(s), text(s))).collect())
        }
        ValueKind::List(items) => Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (text(&i.to_string()), v))
            .collect()),
        ValueKind::Map(mut entries) => {
            entries.sort_by(|(a, _), (b, _)| a.text.cmp(&b.text));
            Ok(entries
                .into_iter()
                .map(|(k, v)| (text(&k.text), v))
                .collect())
        }
        ValueKind::Null => Ok(Vec::new()),
        ValueKind::Unknown(why) => Err(why),
        _ => Err("it is not a list, set or map".into()),
    }
}

/// The references of a `content` body: its iterators' `.key` and `.value` (the innermost
/// iterator of a name wins), everything else from `refs`.
pub struct WithIterators<'r> {
    pub refs: &'r dyn References,
    pub iterators: &'r [Iterator],
}

impl References for WithIterators<'_> {
    fn reference(&self, text: &str) -> Value {
        let all = steps(text);
        let name = |i: usize| match all.get(i) {
            Some(Step::Attr(n)) => Some(n.as_str()),
            _ => None,
        };
        let Some(found) = self
            .iterators
            .iter()
            .rev()
            .find(|it| Some(it.name.as_str()) == name(0))
        else {
            return self.refs.reference(text);
        };
        let rest = all.get(2..).unwrap_or_default();
        match name(1) {
            Some("key") => navigate(&found.key, rest, text),
            Some("value") => navigate(&found.value, rest, text),
            _ => Value::new(
                ValueKind::Unknown(format!("`{text}` is not `.key` or `.value` of an iterator")),
                None,
            ),
        }
    }
}

fn label(block: &Block) -> Option<&str> {
    block.labels.first().map(|l| l.as_str())
}

fn span_of(item: &impl hcl_edit::Span) -> Option<Span> {
    item.span().map(|r| Span::new(r.start, r.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// References with no values: every one is unknown.
    struct NoValues;
    impl References for NoValues {
        fn reference(&self, text: &str) -> Value {
            Value::new(ValueKind::Unknown(format!("`{text}` is not known")), None)
        }
    }

    fn body(text: &str) -> Body {
        hcl_edit::parser::parse_body(text).unwrap()
    }

    /// The `sid` of each expanded block, evaluated with its iterators.
    fn sids(text: &str) -> Result<Vec<String>, String> {
        let body = body(text);
        let blocks = expand(&body, "statement", &NoValues, &[])?;
        Ok(blocks
            .iter()
            .map(|b| {
                let scoped = WithIterators {
                    refs: &NoValues,
                    iterators: &b.iterators,
                };
                let sid = &b.body.get_attribute("sid").unwrap().value;
                eval::evaluate(sid, &scoped, 0)
                    .as_literal()
                    .unwrap_or("?")
                    .to_string()
            })
            .collect())
    }

    #[test]
    fn blocks_come_in_written_order_with_dynamic_ones_expanded_in_place() {
        let text = r#"
            statement { sid = "first" }
            dynamic "statement" {
              for_each = { b = 1, a = 2 }
              content { sid = "map-${statement.key}-${statement.value}" }
            }
            dynamic "statement" {
              for_each = ["x", "y"]
              iterator = s
              content { sid = "list-${s.key}-${s.value}" }
            }
            dynamic "statement" {
              for_each = toset(["q", "p", "q"])
              content { sid = "set-${statement.key}" }
            }
            statement { sid = "last" }
            dynamic "principals" {
              for_each = ["ignored"]
              content { sid = "other" }
            }
        "#;
        assert_eq!(
            sids(text).unwrap(),
            [
                "first", "map-a-2", "map-b-1", "list-0-x", "list-1-y", "set-p", "set-q", "last"
            ]
        );
    }

    #[test]
    fn an_unknown_collection_makes_the_expansion_unknown() {
        let text = r#"
            statement { sid = "first" }
            dynamic "statement" {
              for_each = var.grants
              content { sid = statement.key }
            }
        "#;
        let why = sids(text).unwrap_err();
        assert!(
            why.contains("the `for_each` of `dynamic \"statement\"` is not known: `var.grants`"),
            "{why}"
        );
        // A set whose elements are not known strings has no known order.
        let text = r#"
            dynamic "statement" {
              for_each = toset([var.a, "b"])
              content { sid = statement.key }
            }
        "#;
        assert!(sids(text).unwrap_err().contains("order of a set"));
    }

    #[test]
    fn an_iterator_reference_other_than_key_or_value_is_unknown() {
        let text = r#"
            dynamic "statement" {
              for_each = ["a"]
              content { sid = statement.other }
            }
        "#;
        assert_eq!(sids(text).unwrap(), ["?"]);
    }
}
