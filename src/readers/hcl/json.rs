//! `.tf.json` files: Terraform's JSON syntax, read with permgate's spanned JSON reader.
//!
//! `{"resource": {"aws_iam_role": {"fn": {…}}}, "data": {…}, "module": {"app": {"source": …}}}`;
//! Terraform also accepts an array of such objects at each level, read the same way.
//!
//! Two readings: [`blocks`] finds where each block is (for locations, beside a plan), and
//! [`module_blocks`] turns each top-level block into the hcl-edit tree a `.tf` file would give,
//! so that one evaluator serves both syntaxes. The mapping is Terraform's
//! (<https://developer.hashicorp.com/terraform/language/syntax/json>): a JSON string is a string
//! template (`"${var.name}"` alone is the value of `var.name`, not its text), except where
//! Terraform reads a literal (a variable's `default`, a module's `source`, a provider's `alias`)
//! or a reference (`provider`, `depends_on`); a property named `"//"` of a block body is a
//! comment; an object or array of objects is a nested block only where the provider's schema
//! has a block of that name ([`super::block_types`]), else an attribute holding an object.

use hcl_edit::expr::{Array, Expression, Object, ObjectKey, ObjectValue};
use hcl_edit::structure::{Attribute, Block, BlockLabel, Body};
use hcl_edit::template::{Element, StringTemplate};
use hcl_edit::{Decorated, Ident};

use super::FoundBlock;
use super::block_types::BLOCK_TYPES;
use crate::readers::syntax::{NodeKind, ScalarStyle};
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

/// One top-level block of a `.tf.json` file as a `.tf` file would hold it, with the span of
/// its JSON body (where its findings point).
pub(super) struct JsonBlock {
    pub block: Block,
    pub span: Span,
}

/// A string that is not a valid template: its span and why.
type TemplateError = (Option<Span>, String);

/// The top-level blocks of one `.tf.json` file as hcl-edit blocks: `variable`, `locals`,
/// `resource`, `data`, `output`, `module` and `provider` (what the module reader evaluates).
pub(super) fn module_blocks(file: &SourceFile) -> Result<Vec<JsonBlock>, TemplateError> {
    let root = parse_json(file).map_err(|e| {
        (
            e.span,
            format!(
                "the Terraform JSON file does not parse: {}; its resources are not audited",
                e.message
            ),
        )
    })?;
    let mut out = Vec::new();
    for (key, value) in entries(&root) {
        match key {
            "resource" | "data" => {
                let data = key == "data";
                for (kind, by_name) in entries(value) {
                    for (name, body) in entries(by_name) {
                        let converted = block_body(body, &Schema::of(data, kind), "", true)?;
                        out.push(labeled(key, &[kind, name], converted, body.span));
                    }
                }
            }
            "variable" => {
                for (name, body) in entries(value) {
                    let mut converted = Body::new();
                    if let Some(default) = body.get("default") {
                        converted.push(Attribute::new(ident("default"), literal(default)));
                    }
                    out.push(labeled(key, &[name], converted, body.span));
                }
            }
            "locals" => {
                let mut converted = Body::new();
                for (name, expr) in entries(value).filter(|(k, _)| *k != "//") {
                    converted.push(Attribute::new(ident(name), expression(expr)?));
                }
                out.push(labeled(key, &[], converted, value.span));
            }
            "output" => {
                for (name, body) in entries(value) {
                    let mut converted = Body::new();
                    if let Some(v) = body.get("value") {
                        converted.push(Attribute::new(ident("value"), expression(v)?));
                    }
                    out.push(labeled(key, &[name], converted, body.span));
                }
            }
            "module" => {
                for (name, body) in entries(value) {
                    let mut converted = Body::new();
                    for (argument, v) in entries(body) {
                        let expr = match argument {
                            "//" | "providers" | "depends_on" => continue,
                            "source" | "version" => literal(v),
                            _ => expression(v)?,
                        };
                        converted.push(Attribute::new(ident(argument), expr));
                    }
                    out.push(labeled(key, &[name], converted, body.span));
                }
            }
            "provider" => {
                for (name, configs) in entries(value) {
                    // `"aws": [{…}, {"alias": "east", …}]`: one block per object.
                    let configs: Vec<&Node> = match configs.as_seq() {
                        Some(items) => items.iter().collect(),
                        None => vec![configs],
                    };
                    for body in configs {
                        let mut converted = Body::new();
                        for (argument, v) in entries(body) {
                            let expr = match (argument, &v.kind) {
                                ("//", _) | (_, NodeKind::Map(_) | NodeKind::Seq(_)) => continue,
                                ("alias", _) => literal(v),
                                _ => expression(v)?,
                            };
                            converted.push(Attribute::new(ident(argument), expr));
                        }
                        out.push(labeled(key, &[name], converted, body.span));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

fn labeled(ident_text: &str, labels: &[&str], body: Body, span: Span) -> JsonBlock {
    let mut block = Block::new(ident(ident_text));
    block.labels = labels
        .iter()
        .map(|l| BlockLabel::String(Decorated::new((*l).to_string())))
        .collect();
    block.body = body;
    JsonBlock { block, span }
}

/// An identifier as written: a JSON key may hold any text, and hcl-edit only stores it.
fn ident(text: &str) -> Decorated<Ident> {
    Decorated::new(Ident::new_unchecked(text))
}

/// The nested block types of one resource or data source type.
struct Schema {
    paths: &'static [&'static str],
}

impl Schema {
    fn of(data: bool, kind: &str) -> Schema {
        let paths = BLOCK_TYPES
            .iter()
            .find(|(d, k, _)| *d == data && *k == kind)
            .map_or(&[][..], |(_, _, p)| *p);
        Schema { paths }
    }

    fn is_block(&self, path: &str) -> bool {
        self.paths.contains(&path)
    }
}

/// The body of a resource, data source or nested block at `path` (`""`, `statement.`).
fn block_body(node: &Node, schema: &Schema, path: &str, top: bool) -> Result<Body, TemplateError> {
    let mut body = Body::new();
    for (key, value) in entries(node) {
        let nested = format!("{path}{key}");
        match key {
            "//" => {}
            "provider" if top => {
                if let Some(reference) = value
                    .as_str()
                    .and_then(|s| hcl_edit::parser::parse_expr(s).ok())
                {
                    body.push(Attribute::new(ident(key), reference));
                }
            }
            "depends_on" if top => {
                let references: Array = value
                    .as_seq()
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|r| hcl_edit::parser::parse_expr(r.as_str()?).ok())
                    .collect();
                body.push(Attribute::new(ident(key), Expression::Array(references)));
            }
            "lifecycle" | "provisioner" | "connection" if top => {}
            "dynamic" => {
                for (name, spec) in entries(value) {
                    for spec in objects(spec) {
                        body.push(dynamic_block(name, spec, schema, &format!("{path}{name}"))?);
                    }
                }
            }
            _ if schema.is_block(&nested) => {
                for item in objects(value) {
                    let mut block = Block::new(ident(key));
                    block.body = block_body(item, schema, &format!("{nested}."), false)?;
                    body.push(block);
                }
            }
            _ => body.push(Attribute::new(ident(key), expression(value)?)),
        }
    }
    Ok(body)
}

/// `"dynamic": {"statement": {"for_each": …, "iterator": "s", "content": {…}}}`.
fn dynamic_block(
    name: &str,
    spec: &Node,
    schema: &Schema,
    path: &str,
) -> Result<Block, TemplateError> {
    let mut body = Body::new();
    if let Some(for_each) = spec.get("for_each") {
        body.push(Attribute::new(ident("for_each"), expression(for_each)?));
    }
    if let Some(iterator) = spec.get("iterator").and_then(Node::as_str) {
        let variable = Expression::Variable(Decorated::new(Ident::new_unchecked(iterator)));
        body.push(Attribute::new(ident("iterator"), variable));
    }
    if let Some(content) = spec.get("content") {
        let mut block = Block::new(ident("content"));
        block.body = block_body(content, schema, &format!("{path}."), false)?;
        body.push(block);
    }
    let mut block = Block::new(ident("dynamic"));
    block.labels = vec![BlockLabel::String(Decorated::new(name.to_string()))];
    block.body = body;
    Ok(block)
}

/// One object, or each object of an array: the blocks a nested block property holds.
fn objects(node: &Node) -> Vec<&Node> {
    match node.as_seq() {
        Some(items) => items.iter().filter(|i| i.as_map().is_some()).collect(),
        None if node.as_map().is_some() => vec![node],
        None => Vec::new(),
    }
}

/// A JSON value read as an expression: strings are templates.
fn expression(node: &Node) -> Result<Expression, TemplateError> {
    Ok(match &node.kind {
        NodeKind::Scalar {
            style: ScalarStyle::Quoted,
            raw,
        } => template(raw).map_err(|why| {
            (
                Some(node.span),
                format!(
                    "the Terraform JSON file has a string that is not a valid template ({why}); its resources are not audited"
                ),
            )
        })?,
        NodeKind::Scalar { .. } => literal(node),
        NodeKind::Seq(items) => Expression::Array(
            items
                .iter()
                .map(expression)
                .collect::<Result<Array, _>>()?,
        ),
        NodeKind::Map(entries) => {
            let mut object = Object::new();
            for (key, value) in entries {
                let key = match template(&key.text) {
                    Ok(Expression::String(s)) => ObjectKey::Expression(Expression::String(s)),
                    Ok(other) => ObjectKey::Expression(other),
                    Err(why) => {
                        return Err((
                            Some(key.span),
                            format!(
                                "the Terraform JSON file has a key that is not a valid template ({why}); its resources are not audited"
                            ),
                        ));
                    }
                };
                object.insert(key, ObjectValue::new(expression(value)?));
            }
            Expression::Object(object)
        }
    })
}

/// A JSON value read as a literal (no template): a variable's `default`, a module's `source`.
fn literal(node: &Node) -> Expression {
    match &node.kind {
        NodeKind::Scalar {
            style: ScalarStyle::Null,
            ..
        } => Expression::Null(Decorated::new(hcl_edit::expr::Null)),
        NodeKind::Scalar {
            style: ScalarStyle::Quoted,
            raw,
        } => Expression::String(Decorated::new(raw.to_string())),
        // A JSON number, `true` or `false` is also an HCL literal.
        NodeKind::Scalar { raw, .. } => hcl_edit::parser::parse_expr(raw)
            .unwrap_or_else(|_| Expression::String(Decorated::new(raw.to_string()))),
        NodeKind::Seq(items) => Expression::Array(items.iter().map(literal).collect()),
        NodeKind::Map(entries) => {
            let mut object = Object::new();
            for (key, value) in entries {
                object.insert(
                    ObjectKey::Expression(Expression::String(Decorated::new(key.text.to_string()))),
                    ObjectValue::new(literal(value)),
                );
            }
            Expression::Object(object)
        }
    }
}

/// A JSON string read as a template: literal text, `"${expr}"` alone (the value of `expr`,
/// whatever its type, as Terraform reads it), or a template of text and interpolations.
fn template(text: &str) -> Result<Expression, String> {
    if !text.contains("${") && !text.contains("%{") {
        return Ok(Expression::String(Decorated::new(text.to_string())));
    }
    let parsed = hcl_edit::parser::parse_template(text).map_err(|e| e.message().to_string())?;
    let elements: Vec<&Element> = parsed.iter().collect();
    if let [Element::Interpolation(only)] = elements.as_slice() {
        return Ok(only.expr.clone());
    }
    Ok(Expression::StringTemplate(StringTemplate::from(parsed)))
}

/// The body of the block a `.tf.json` block object spans (`{…}` of `aws_iam_role.fn`), as
/// [`module_blocks`] reads it: for the attributes the plan reader evaluates from the source.
pub(super) fn block_at(file: &SourceFile, span: Span, data: bool, kind: &str) -> Option<Body> {
    let text = file.text.get(span.start as usize..span.end as usize)?;
    let node = parse_json(&SourceFile::new(file.path.clone(), text.to_string())).ok()?;
    block_body(&node, &Schema::of(data, kind), "", true).ok()
}
