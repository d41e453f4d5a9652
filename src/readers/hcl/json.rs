//! `.tf.json` files: Terraform's JSON syntax, read with permgate's spanned JSON reader.
//!
//! `{"resource": {"aws_iam_role": {"fn": {…}}}, "data": {…}, "module": {"app": {"source": …}}}`;
//! Terraform also accepts an array of such objects at each level, read the same way.

use super::FoundBlock;
use crate::readers::{Node, json::parse_json};
use crate::source::{SourceFile, Span};

/// The blocks of one `.tf.json` file, or the parse error's span and message.
pub(super) fn blocks(file: &SourceFile) -> Result<Vec<FoundBlock>, (Option<Span>, String)> {
    let root = parse_json(file).map_err(|e| {
        (
            e.span,
            format!(
                "the Terraform JSON file does not parse: {}; its blocks are not located",
                e.message
            ),
        )
    })?;
    let mut found = Vec::new();
    for (key, value) in entries(&root) {
        match key {
            "resource" | "data" => {
                for (kind, by_name) in entries(value) {
                    for (name, body) in entries(by_name) {
                        let address = if key == "data" {
                            format!("data.{kind}.{name}")
                        } else {
                            format!("{kind}.{name}")
                        };
                        found.push(block(address, body, None));
                    }
                }
            }
            "module" => {
                for (name, body) in entries(value) {
                    let source = body
                        .get("source")
                        .and_then(Node::as_str)
                        .map(str::to_string);
                    found.push(block(format!("module.{name}"), body, source));
                }
            }
            _ => {}
        }
    }
    Ok(found)
}

fn block(address: String, body: &Node, module_source: Option<String>) -> FoundBlock {
    FoundBlock {
        address,
        span: body.span,
        module_source,
        // `.tf.json` has no comments.
        comments: Vec::new(),
    }
}

/// The entries of an object, or of every object in an array of objects.
fn entries(node: &Node) -> Box<dyn Iterator<Item = (&str, &Node)> + '_> {
    if let Some(map) = node.as_map() {
        return Box::new(map.iter().map(|(k, v)| (&*k.text, v)));
    }
    if let Some(items) = node.as_seq() {
        return Box::new(items.iter().flat_map(entries));
    }
    Box::new(std::iter::empty())
}
