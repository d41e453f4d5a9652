//! A small symbolic evaluator of Terraform expressions, for the values a plan leaves unknown.
//!
//! Input: one HCL expression (a policy attribute such as `jsonencode({…})`) and a
//! [`References`] that gives each reference (`aws_sqs_queue.orders.arn`, `var.queue_arn`,
//! `count.index`) the plan's own symbolic value. Output: a model [`Value`] whose strings are
//! [`SymStr`]s, so that a statement naming `aws_sqs_queue.orders.arn` names the same symbol as
//! the mapping of that queue.
//!
//! Invariants: the evaluator never guesses. Literals, object and tuple constructors, quoted and
//! heredoc templates with interpolations, `jsonencode` and the functions listed in [`call`]
//! are evaluated, and so are `for` expressions over known collections, conditionals whose
//! condition is known and operators on known operands ([`super::operators`]); anything else (a
//! `%{}` directive, another function, a `for`
//! over a collection only known after apply) is an unknown value whose reason names it. Nesting is
//! limited to [`MAX_DEPTH`] (hcl-edit's parser already refuses more than 64 levels).

use std::path::Path;

use hcl_edit::expr::{Expression, ForExpr, TraversalOperator};
use hcl_edit::template::{Element, Template};

use crate::model::{MapKey, Part, SymStr, Symbol, Value, ValueKind};

/// Expressions nested deeper than this are unknown.
pub const MAX_DEPTH: usize = 64;

/// The plan's values of the references an expression makes.
pub trait References {
    /// The value of a reference written `text` (`aws_sqs_queue.orders.arn`, `var.name`,
    /// `local.x`, `module.m.output`, `count.index`, `each.value`), unknown with a reason when the
    /// plan does not determine it.
    fn reference(&self, text: &str) -> Value;
}

/// References answered from values resolved beforehand, so that an expression can be
/// evaluated away from the plan (on another thread). A reference that is not among them makes
/// [`Resolved::missed`] true: the evaluation is then not the one the plan would give.
pub struct Resolved<'v> {
    values: &'v [(String, Value)],
    missed: std::cell::Cell<bool>,
}

impl<'v> Resolved<'v> {
    pub fn new(values: &'v [(String, Value)]) -> Resolved<'v> {
        Resolved {
            values,
            missed: std::cell::Cell::new(false),
        }
    }

    /// Whether the evaluation asked for a reference that was not resolved beforehand.
    pub fn missed(&self) -> bool {
        self.missed.get()
    }
}

impl References for Resolved<'_> {
    fn reference(&self, text: &str) -> Value {
        match self.values.iter().find(|(written, _)| written == text) {
            Some((_, value)) => value.clone(),
            None => {
                self.missed.set(true);
                unknown(format!("`{text}` was not resolved beforehand"))
            }
        }
    }
}

fn unknown(reason: impl Into<String>) -> Value {
    Value::new(ValueKind::Unknown(reason.into()), None)
}

fn string(s: SymStr) -> Value {
    Value::str(s, None)
}

/// The policy document a policy attribute's expression gives: `jsonencode(x)` is `x`
/// evaluated; a template or string is parsed as JSON when it is literal; anything else is
/// unknown with the reason.
pub fn policy_document(expr: &Expression, refs: &dyn References) -> Value {
    policy_document_in(expr, refs, None)
}

/// [`policy_document`] of an expression written in the module in `module_dir`, which
/// `path.module` names (for `file` and `templatefile`).
pub fn policy_document_in(
    expr: &Expression,
    refs: &dyn References,
    module_dir: Option<&Path>,
) -> Value {
    let in_module;
    let refs: &dyn References = match module_dir {
        Some(dir) => {
            in_module = InModule { refs, dir };
            &in_module
        }
        None => refs,
    };
    if let Expression::FuncCall(call) = expr {
        if call.name.name.as_str() == "jsonencode" && !call.name.is_namespaced() {
            return match call.args.iter().collect::<Vec<_>>().as_slice() {
                [one] => evaluate(one, refs, 0),
                _ => unknown("`jsonencode` takes one argument"),
            };
        }
    }
    let value = evaluate(expr, refs, 0);
    match &value.kind {
        ValueKind::Str(s) => match s.as_literal() {
            Some(text) => crate::readers::tfplan::parse_policy_text(text)
                .unwrap_or_else(|e| unknown(format!("the policy text is not valid JSON: {e}"))),
            None => symbolic_json(s),
        },
        ValueKind::Unknown(_) => value,
        _ => unknown("the policy is not a string"),
    }
}

/// Markers around the index of a symbol in JSON text: private-use characters, which no policy
/// holds and JSON strings keep as they are.
const SYMBOL_START: char = '\u{e000}';
const SYMBOL_END: char = '\u{e001}';

/// A JSON policy written as a template (a heredoc with `${aws_sqs_queue.q.arn}` inside): each
/// symbol stands in the text as a marked index while the JSON is parsed, and is put back in the
/// strings it landed in. A symbol outside a JSON string (`"Resource": ${var.arns}`) leaves the
/// text unparsable: unknown.
fn symbolic_json(text: &SymStr) -> Value {
    let mut symbols = Vec::new();
    let mut marked = String::new();
    for part in &text.parts {
        match part {
            Part::Lit(l) if l.contains([SYMBOL_START, SYMBOL_END]) => {
                return unknown("the policy text holds private-use characters");
            }
            Part::Lit(l) => marked.push_str(l),
            Part::Sym(sym) => {
                marked.push(SYMBOL_START);
                marked.push_str(&symbols.len().to_string());
                marked.push(SYMBOL_END);
                symbols.push(sym.clone());
            }
        }
    }
    match crate::readers::tfplan::parse_policy_text(&marked) {
        Ok(mut document) => {
            restore_symbols(&mut document, &symbols);
            document
        }
        Err(_) => unknown(
            "the policy is a template whose interpolations are not inside JSON strings; write it with `jsonencode` to have it verified",
        ),
    }
}

fn restore_symbols(value: &mut Value, symbols: &[Symbol]) {
    match &mut value.kind {
        ValueKind::Str(s) => {
            let Some(text) = s.as_literal().filter(|t| t.contains(SYMBOL_START)) else {
                return;
            };
            let mut out = SymStr::lit("");
            let mut rest = text;
            while let Some(start) = rest.find(SYMBOL_START) {
                out.push_lit(rest.get(..start).unwrap_or(""));
                let after = rest.get(start + SYMBOL_START.len_utf8()..).unwrap_or("");
                let Some(end) = after.find(SYMBOL_END) else {
                    break;
                };
                let index: Option<usize> = after.get(..end).and_then(|i| i.parse().ok());
                match index.and_then(|i| symbols.get(i)) {
                    Some(sym) => out.push_sym(sym.clone()),
                    None => out.push_sym(Symbol::Unknown("a template interpolation".into())),
                }
                rest = after.get(end + SYMBOL_END.len_utf8()..).unwrap_or("");
            }
            out.push_lit(rest);
            *s = out;
        }
        ValueKind::List(items) => items.iter_mut().for_each(|v| restore_symbols(v, symbols)),
        ValueKind::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, v)| restore_symbols(v, symbols)),
        _ => {}
    }
}

/// `path.module` as the module's directory; everything else as `refs` says.
struct InModule<'a> {
    refs: &'a dyn References,
    dir: &'a Path,
}

impl References for InModule<'_> {
    fn reference(&self, text: &str) -> Value {
        match text {
            "path.module" => string(SymStr::lit(self.dir.to_string_lossy())),
            _ => self.refs.reference(text),
        }
    }
}

/// A template file's variables, then the references of the expression that called it (only
/// for `path.module`: Terraform gives a template file nothing else).
struct TemplateVars<'a> {
    refs: &'a dyn References,
    vars: Vec<(MapKey, Value)>,
}

impl References for TemplateVars<'_> {
    fn reference(&self, text: &str) -> Value {
        let (name, rest) = text.split_once('.').unwrap_or((text, ""));
        match self.vars.iter().find(|(k, _)| k.text == name) {
            Some((_, v)) if rest.is_empty() => v.clone(),
            Some(_) => unknown(format!("`{text}` in a template file is not evaluated")),
            None if text == "path.module" => self.refs.reference(text),
            None => unknown(format!(
                "`{name}` is not a variable given to the template file"
            )),
        }
    }
}

/// Template and policy files are small; a larger one is not read.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// The text of a file named by `file`/`templatefile`, which must be written under `path.module`
/// (a path relative to Terraform's working directory is not resolved here).
fn read_template_file(path: &Value, refs: &dyn References) -> Result<String, String> {
    let ValueKind::Str(path) = &path.kind else {
        return Err("the path is not a string".into());
    };
    let Some(path) = path.as_literal() else {
        return Err("the path is only known after apply".into());
    };
    let module = match refs.reference("path.module").kind {
        ValueKind::Str(m) => m.as_literal().map(str::to_string),
        _ => None,
    };
    let path = Path::new(path);
    let under_module = module.is_some_and(|m| path.starts_with(&m) || path.is_absolute());
    if !under_module {
        return Err(format!(
            "`{}` is not under `path.module` (a path relative to Terraform's working directory is not resolved)",
            path.display()
        ));
    }
    let too_large = std::fs::metadata(path).is_ok_and(|m| m.len() > MAX_TEMPLATE_BYTES);
    if too_large {
        return Err(format!("`{}` is larger than 1 MiB", path.display()));
    }
    std::fs::read_to_string(path).map_err(|e| format!("`{}` cannot be read: {e}", path.display()))
}

/// The value of an expression.
pub fn evaluate(expr: &Expression, refs: &dyn References, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return unknown("the expression is nested too deeply to evaluate");
    }
    match expr {
        Expression::Null(_) => Value::new(ValueKind::Null, None),
        Expression::Bool(b) => string(SymStr::lit(b.value().to_string())),
        Expression::Number(n) => string(SymStr::lit(n.value().to_string())),
        Expression::String(s) => string(SymStr::lit(s.value().as_str())),
        Expression::Array(items) => Value::new(
            ValueKind::List(items.iter().map(|e| evaluate(e, refs, depth + 1)).collect()),
            None,
        ),
        Expression::Object(object) => {
            let mut entries = Vec::new();
            for (key, value) in object.iter() {
                let text = match key {
                    hcl_edit::expr::ObjectKey::Ident(id) => id.as_str().to_string(),
                    hcl_edit::expr::ObjectKey::Expression(e) => {
                        match evaluate(e, refs, depth + 1).kind {
                            ValueKind::Str(s) => match s.as_literal() {
                                Some(t) => t.to_string(),
                                None => return unknown("an object key is only known after apply"),
                            },
                            _ => return unknown("an object key is not a known string"),
                        }
                    }
                };
                entries.push((
                    MapKey { text, span: None },
                    evaluate(value.expr(), refs, depth + 1),
                ));
            }
            Value::new(ValueKind::Map(entries), None)
        }
        Expression::StringTemplate(t) => template(t, refs, depth),
        Expression::HeredocTemplate(h) => template(&h.template, refs, depth),
        Expression::Parenthesis(p) => evaluate(p.inner(), refs, depth + 1),
        Expression::Variable(v) => refs.reference(v.as_str()),
        Expression::Traversal(t) => match reference_text(t) {
            Some(text) => refs.reference(&text),
            None => match indexed_reference_text(t, refs, depth) {
                Ok(text) => refs.reference(&text),
                Err(why) => unknown(why),
            },
        },
        Expression::FuncCall(c) => call(c, refs, depth),
        Expression::Conditional(c) => match truth(&evaluate(&c.cond_expr, refs, depth + 1)) {
            Ok(true) => evaluate(&c.true_expr, refs, depth + 1),
            Ok(false) => evaluate(&c.false_expr, refs, depth + 1),
            Err(why) => unknown(format!("the condition of `? :` is not known: {why}")),
        },
        Expression::ForExpr(f) => for_expr(f, refs, depth),
        Expression::UnaryOp(op) => {
            super::operators::unary(*op.operator.value(), &evaluate(&op.expr, refs, depth + 1))
        }
        Expression::BinaryOp(op) => {
            use super::operators::{binary, shown};
            // Both operands, as Terraform evaluates them (no short-circuit).
            let lhs = evaluate(&op.lhs_expr, refs, depth + 1);
            let rhs = evaluate(&op.rhs_expr, refs, depth + 1);
            binary(
                *op.operator.value(),
                (&lhs, shown(&op.lhs_expr)),
                (&rhs, shown(&op.rhs_expr)),
            )
        }
    }
}

/// The references an expression makes, written as the plan writes them
/// (`aws_sqs_queue.orders.arn`, `var.name`): for comparing the source with the plan.
pub fn references(expr: &Expression) -> Vec<String> {
    struct Collect(Vec<String>);
    impl hcl_edit::visit::Visit for Collect {
        fn visit_traversal(&mut self, node: &hcl_edit::expr::Traversal) {
            match reference_text(node) {
                Some(text) => self.0.push(text),
                None => {
                    self.push_prefix(node);
                    hcl_edit::visit::visit_traversal(self, node);
                }
            }
        }
    }
    impl Collect {
        /// `aws_sqs_queue.q` of `aws_sqs_queue.q[each.key].arn`: the part before the first
        /// computed index, which is what the plan lists for it.
        fn push_prefix(&mut self, node: &hcl_edit::expr::Traversal) {
            let Expression::Variable(root) = &node.expr else {
                return;
            };
            let literal: Vec<&TraversalOperator> = node
                .operators
                .iter()
                .map(|op| op.value())
                .take_while(|op| literal_step(op).is_some())
                .collect();
            let mut text = root.as_str().to_string();
            for op in literal {
                text.push_str(&literal_step(op).unwrap_or_default());
            }
            if text.contains('.') {
                self.0.push(text);
            }
        }
    }
    let mut found = Collect(Vec::new());
    hcl_edit::visit::Visit::visit_expr(&mut found, expr);
    found.0
}

/// `a.b[0].c` as the plan writes references; `None` for splats and computed indexes.
fn reference_text(t: &hcl_edit::expr::Traversal) -> Option<String> {
    let Expression::Variable(root) = &t.expr else {
        return None;
    };
    let mut text = root.as_str().to_string();
    for op in &t.operators {
        text.push_str(&literal_step(op.value())?);
    }
    Some(text)
}

/// One step of a reference as the plan writes it (`.arn`, `[0]`, `["a"]`); `None` for a splat
/// or a computed index.
fn literal_step(op: &TraversalOperator) -> Option<String> {
    Some(match op {
        TraversalOperator::GetAttr(name) => format!(".{}", name.as_str()),
        TraversalOperator::LegacyIndex(i) => format!("[{}]", i.value()),
        TraversalOperator::Index(Expression::Number(n)) => format!("[{}]", n.value()),
        TraversalOperator::Index(Expression::String(s)) => format!("[{:?}]", s.value().as_str()),
        _ => return None,
    })
}

/// A reference with computed indexes (`aws_sqs_queue.q[each.key].arn`) written with the
/// index values (`aws_sqs_queue.q["orders"].arn`), when each index evaluates to a literal
/// string or number; otherwise why not.
fn indexed_reference_text(
    t: &hcl_edit::expr::Traversal,
    refs: &dyn References,
    depth: usize,
) -> Result<String, String> {
    const NOT_EVALUATED: &str = "a splat or computed index is not evaluated";
    let Expression::Variable(root) = &t.expr else {
        return Err(NOT_EVALUATED.into());
    };
    let mut text = root.as_str().to_string();
    for op in &t.operators {
        let op = op.value();
        if let Some(step) = literal_step(op) {
            text.push_str(&step);
            continue;
        }
        let TraversalOperator::Index(index) = op else {
            return Err(NOT_EVALUATED.into());
        };
        let key = match evaluate(index, refs, depth + 1).kind {
            ValueKind::Str(s) => s.as_literal().map(str::to_string),
            ValueKind::Unknown(why) => return Err(why),
            _ => None,
        };
        let Some(key) = key else {
            return Err("an index is only known after apply".into());
        };
        // Terraform writes a number index bare and a string index quoted.
        if key.parse::<u64>().is_ok() {
            text.push_str(&format!("[{key}]"));
        } else {
            text.push_str(&format!("[{key:?}]"));
        }
    }
    Ok(text)
}

/// A bool as the evaluator holds it (the text `true` or `false`), or why it is not one.
fn truth(value: &Value) -> Result<bool, String> {
    match &value.kind {
        ValueKind::Str(s) => match s.as_literal() {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(format!("`{other}` is not a bool")),
            None => Err("it is only known after apply".into()),
        },
        ValueKind::Unknown(why) => Err(why.clone()),
        _ => Err("it is not a bool".into()),
    }
}

/// The names a `for` expression binds for one element, then the references around it.
struct ForScope<'a> {
    refs: &'a dyn References,
    key_var: Option<&'a str>,
    value_var: &'a str,
    key: &'a Value,
    value: &'a Value,
}

impl References for ForScope<'_> {
    fn reference(&self, text: &str) -> Value {
        let root_end = text.find(['.', '[']).unwrap_or(text.len());
        let root = text.get(..root_end).unwrap_or(text);
        let bound = if root == self.value_var {
            self.value
        } else if Some(root) == self.key_var {
            self.key
        } else {
            return self.refs.reference(text);
        };
        navigate(bound, &steps(text.get(root_end..).unwrap_or("")), text)
    }
}

/// `[for k, v in coll : expr if cond]` and `{for k, v in coll : key => value...}`, as
/// Terraform evaluates them: a list is walked by index, a map by its keys in lexical order.
/// A collection, a filter or a key that is not known makes the whole result unknown (which
/// elements it holds is then not known).
fn for_expr(f: &ForExpr, refs: &dyn References, depth: usize) -> Value {
    let collection = evaluate(&f.intro.collection_expr, refs, depth + 1);
    let elements: Vec<(Value, Value)> = match collection.kind {
        ValueKind::List(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (string(SymStr::lit(i.to_string())), v))
            .collect(),
        ValueKind::Map(mut entries) => {
            entries.sort_by(|a, b| a.0.text.cmp(&b.0.text));
            entries
                .into_iter()
                .map(|(k, v)| (string(SymStr::lit(k.text)), v))
                .collect()
        }
        ValueKind::Unknown(why) => {
            return unknown(format!(
                "the collection of a `for` expression is not known: {why}"
            ));
        }
        _ => return unknown("the collection of a `for` expression is not a list or a map"),
    };
    let mut list = Vec::new();
    let mut object: Vec<(MapKey, Value)> = Vec::new();
    for (key, value) in &elements {
        let scope = ForScope {
            refs,
            key_var: f.intro.key_var.as_ref().map(|k| k.as_str()),
            value_var: f.intro.value_var.as_str(),
            key,
            value,
        };
        if let Some(cond) = &f.cond {
            match truth(&evaluate(&cond.expr, &scope, depth + 1)) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(why) => {
                    return unknown(format!(
                        "the `if` of a `for` expression is not known: {why}"
                    ));
                }
            }
        }
        let item = evaluate(&f.value_expr, &scope, depth + 1);
        let Some(key_expr) = &f.key_expr else {
            list.push(item);
            continue;
        };
        let key = match evaluate(key_expr, &scope, depth + 1).kind {
            ValueKind::Str(s) => match s.as_literal() {
                Some(text) => text.to_string(),
                None => return unknown("a key of a `for` expression is only known after apply"),
            },
            ValueKind::Unknown(why) => {
                return unknown(format!("a key of a `for` expression is not known: {why}"));
            }
            _ => return unknown("a key of a `for` expression is not a string"),
        };
        match object.iter_mut().find(|(k, _)| k.text == key) {
            Some((_, group)) if f.grouping => {
                if let ValueKind::List(items) = &mut group.kind {
                    items.push(item);
                }
            }
            Some(_) => {
                return unknown(format!(
                    "the `for` expression gives the key `{key}` twice, which Terraform refuses without `...`"
                ));
            }
            None if f.grouping => object.push((
                MapKey {
                    text: key,
                    span: None,
                },
                Value::new(ValueKind::List(vec![item]), None),
            )),
            None => object.push((
                MapKey {
                    text: key,
                    span: None,
                },
                item,
            )),
        }
    }
    match f.key_expr {
        Some(_) => Value::new(ValueKind::Map(object), None),
        None => Value::new(ValueKind::List(list), None),
    }
}

fn template(t: &Template, refs: &dyn References, depth: usize) -> Value {
    let mut out = SymStr::lit("");
    for element in t.iter() {
        match element {
            Element::Literal(l) => out.push_lit(l.value()),
            Element::Interpolation(i) => match evaluate(&i.expr, refs, depth + 1).kind {
                ValueKind::Str(s) => out.push(&s),
                ValueKind::Unknown(reason) => return unknown(reason),
                _ => return unknown("an interpolation is not a string"),
            },
            Element::Directive(_) => {
                return unknown(
                    "a template with `%{ if }` or `%{ for }` directives is not evaluated",
                );
            }
        }
    }
    string(out)
}

/// The functions that appear in policies; any other is unknown with its name.
fn call(c: &hcl_edit::expr::FuncCall, refs: &dyn References, depth: usize) -> Value {
    let name = c.name.name.as_str();
    if c.name.is_namespaced() {
        return unknown(format!("the function `{name}` is not evaluated"));
    }
    let args: Vec<Value> = c
        .args
        .iter()
        .map(|a| evaluate(a, refs, depth + 1))
        .collect();
    if let Some(reason) = args.iter().find_map(|a| match &a.kind {
        ValueKind::Unknown(r) => Some(r.clone()),
        _ => None,
    }) {
        return unknown(reason);
    }
    let list = |v: &Value| match &v.kind {
        ValueKind::List(items) => Some(items.clone()),
        _ => None,
    };
    let text = |v: &Value| match &v.kind {
        ValueKind::Str(s) => Some(s.clone()),
        _ => None,
    };
    let result = match (name, args.as_slice()) {
        ("jsonencode", [_]) => {
            return unknown("a `jsonencode` nested in a policy is not evaluated");
        }
        ("file", [path]) => {
            return match read_template_file(path, refs) {
                Ok(text) => string(SymStr::lit(text)),
                Err(why) => unknown(format!("`file`: {why}")),
            };
        }
        ("templatefile", [path, vars]) => {
            let ValueKind::Map(vars) = &vars.kind else {
                return unknown("`templatefile`: its variables are not an object");
            };
            let text = match read_template_file(path, refs) {
                Ok(text) => text,
                Err(why) => return unknown(format!("`templatefile`: {why}")),
            };
            let Ok(parsed) = hcl_edit::parser::parse_template(&text) else {
                return unknown("`templatefile`: the file is not a valid template");
            };
            let scope = TemplateVars {
                refs,
                vars: vars.clone(),
            };
            return template(&parsed, &scope, depth + 1);
        }
        ("tolist" | "toset", [one]) => {
            list(one).map(|items| Value::new(ValueKind::List(items), None))
        }
        ("concat", lists) => lists
            .iter()
            .map(list)
            .collect::<Option<Vec<_>>>()
            .map(|ls| Value::new(ValueKind::List(ls.into_iter().flatten().collect()), None)),
        ("flatten", [one]) => list(one).map(|items| {
            let mut flat = Vec::new();
            flatten_into(items, &mut flat);
            Value::new(ValueKind::List(flat), None)
        }),
        ("distinct", [one]) => list(one).map(|items| {
            let mut kept: Vec<Value> = Vec::new();
            for item in items {
                if !kept.contains(&item) {
                    kept.push(item);
                }
            }
            Value::new(ValueKind::List(kept), None)
        }),
        ("join", [separator, lists @ ..]) => {
            let separator = text(separator).and_then(|s| s.as_literal().map(str::to_string));
            let items: Option<Vec<SymStr>> = lists
                .iter()
                .map(list)
                .collect::<Option<Vec<_>>>()
                .and_then(|ls| ls.into_iter().flatten().map(|v| text(&v)).collect());
            separator.zip(items).map(|(sep, items)| {
                let mut out = SymStr::lit("");
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_lit(&sep);
                    }
                    out.push(item);
                }
                string(out)
            })
        }
        ("format", [spec, rest @ ..]) => text(spec)
            .and_then(|s| s.as_literal().map(str::to_string))
            .and_then(|spec| format_s(&spec, rest, &text))
            .map(string),
        ("element", [items, index]) => list(items).and_then(|items| {
            let i: usize = text(index)?.as_literal()?.parse().ok()?;
            let len = items.len();
            (len > 0).then(|| items.get(i % len).cloned()).flatten()
        }),
        ("coalesce", values) => values
            .iter()
            .find(|v| match &v.kind {
                ValueKind::Null => false,
                ValueKind::Str(s) => s.as_literal() != Some(""),
                _ => true,
            })
            .cloned(),
        ("merge", maps) => {
            let mut merged: Vec<(MapKey, Value)> = Vec::new();
            let mut all = true;
            for m in maps {
                match &m.kind {
                    ValueKind::Map(entries) => {
                        for (k, v) in entries {
                            merged.retain(|(mk, _)| mk.text != k.text);
                            merged.push((k.clone(), v.clone()));
                        }
                    }
                    _ => all = false,
                }
            }
            all.then(|| Value::new(ValueKind::Map(merged), None))
        }
        ("lookup", [map, key, default @ ..]) => {
            let key = text(key).and_then(|k| k.as_literal().map(str::to_string));
            match (&map.kind, key) {
                (ValueKind::Map(entries), Some(key)) => entries
                    .iter()
                    .find(|(k, _)| k.text == key)
                    .map(|(_, v)| v.clone())
                    .or_else(|| default.first().cloned()),
                _ => None,
            }
        }
        ("range", bounds) => range(bounds, &text),
        // Terraform gives a map's keys, and its values, in the lexical order of the keys.
        ("keys" | "values", [map]) => match &map.kind {
            ValueKind::Map(entries) => {
                let mut sorted: Vec<&(MapKey, Value)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.text.cmp(&b.0.text));
                let items = sorted
                    .into_iter()
                    .map(|(k, v)| match name {
                        "keys" => string(SymStr::lit(k.text.as_str())),
                        _ => v.clone(),
                    })
                    .collect();
                Some(Value::new(ValueKind::List(items), None))
            }
            _ => None,
        },
        ("trimsuffix" | "replace" | "split", _) => {
            // Only on literal text: a symbol may hold the suffix or separator.
            literal_string_function(name, &args)
        }
        _ => return unknown(format!("the function `{name}` is not evaluated")),
    };
    result.unwrap_or_else(|| unknown(format!("the arguments of `{name}` are not known values")))
}

/// Terraform refuses a `range` of more than this many numbers.
const MAX_RANGE: i64 = 1024;

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)` over whole numbers.
fn range(bounds: &[Value], text: &dyn Fn(&Value) -> Option<SymStr>) -> Option<Value> {
    let numbers: Vec<i64> = bounds
        .iter()
        .map(|b| text(b)?.as_literal()?.parse().ok())
        .collect::<Option<_>>()?;
    let (start, limit, step) = match numbers.as_slice() {
        [limit] => (0, *limit, 1),
        [start, limit] => (*start, *limit, if start <= limit { 1 } else { -1 }),
        [start, limit, step] => (*start, *limit, *step),
        _ => return None,
    };
    let forward = step > 0 && start <= limit;
    let backward = step < 0 && start >= limit;
    if !(forward || backward || start == limit) {
        return None;
    }
    let count = limit.abs_diff(start).div_ceil(step.unsigned_abs().max(1));
    if count > MAX_RANGE.unsigned_abs() {
        return None;
    }
    let items = (0..i64::try_from(count).ok()?)
        .map(|i| {
            let n = i.checked_mul(step).and_then(|d| start.checked_add(d))?;
            Some(string(SymStr::lit(n.to_string())))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Value::new(ValueKind::List(items), None))
}

fn flatten_into(items: Vec<Value>, out: &mut Vec<Value>) {
    for item in items {
        match item.kind {
            ValueKind::List(inner) => flatten_into(inner, out),
            _ => out.push(item),
        }
    }
}

/// `format` with `%s`, `%d` (with a width, zero-padded or not) and `%%` only; other verbs
/// leave the call unknown.
fn format_s(spec: &str, args: &[Value], text: &dyn Fn(&Value) -> Option<SymStr>) -> Option<SymStr> {
    let mut out = SymStr::lit("");
    let mut args = args.iter();
    let mut rest = spec;
    while let Some(at) = rest.find('%') {
        out.push_lit(rest.get(..at)?);
        let after = rest.get(at + 1..)?;
        if let Some(tail) = after.strip_prefix('%') {
            out.push_lit("%");
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('s') {
            out.push(&text(args.next()?)?);
            rest = tail;
        } else {
            // `%d`, `%5d`, `%05d`: an integer, padded as Go's `fmt` pads it.
            let zero = after.starts_with('0');
            let digits = after
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(after.len());
            let tail = after.get(digits..)?.strip_prefix('d')?;
            let width: usize = match after.get(..digits)? {
                "" => 0,
                w => w.parse().ok()?,
            };
            let arg = text(args.next()?)?;
            let n: i64 = arg.as_literal()?.parse().ok()?;
            out.push_lit(&if zero {
                format!("{n:0width$}")
            } else {
                format!("{n:width$}")
            });
            rest = tail;
        }
    }
    out.push_lit(rest);
    args.next().is_none().then_some(out)
}

fn literal_string_function(name: &str, args: &[Value]) -> Option<Value> {
    let texts: Vec<String> = args
        .iter()
        .map(|a| match &a.kind {
            ValueKind::Str(s) => s.as_literal().map(str::to_string),
            _ => None,
        })
        .collect::<Option<_>>()?;
    match (name, texts.as_slice()) {
        ("trimsuffix", [s, suffix]) => Some(string(SymStr::lit(
            s.strip_suffix(suffix.as_str()).unwrap_or(s),
        ))),
        // A pattern in slashes is a regular expression: not evaluated.
        ("replace", [s, from, to]) if !(from.starts_with('/') && from.ends_with('/')) => {
            Some(string(SymStr::lit(s.replace(from.as_str(), to))))
        }
        ("split", [separator, s]) if !separator.is_empty() => Some(Value::new(
            ValueKind::List(
                s.split(separator.as_str())
                    .map(|p| string(SymStr::lit(p)))
                    .collect(),
            ),
            None,
        )),
        _ => None,
    }
}

/// One step of a reference after its root (`.name`, `[0]`, `["k"]`).
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// `.name`
    Attr(String),
    /// `[0]`, `["k"]`
    Index(String),
}

/// A reference as the evaluator writes it (`var.x.y`, `module.m[0].out`, `each.value["k"]`):
/// its dotted names and bracketed keys, in order.
pub fn steps(text: &str) -> Vec<Step> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let (key, tail) = if let Some(quoted) = after.strip_prefix('"') {
                // A quoted key, as `{:?}` writes it.
                let mut end = None;
                let mut escaped = false;
                for (i, c) in quoted.char_indices() {
                    match (escaped, c) {
                        (true, _) => escaped = false,
                        (false, '\\') => escaped = true,
                        (false, '"') => {
                            end = Some(i);
                            break;
                        }
                        _ => {}
                    }
                }
                let Some(end) = end else { break };
                let raw = quoted.get(..end).unwrap_or("");
                let key = serde_json::from_str::<String>(&format!("\"{raw}\""))
                    .unwrap_or_else(|_| raw.to_string());
                (
                    key,
                    quoted.get(end + 1..).unwrap_or("").trim_start_matches(']'),
                )
            } else {
                let end = after.find(']').unwrap_or(after.len());
                (
                    after.get(..end).unwrap_or("").to_string(),
                    after.get(end + 1..).unwrap_or(""),
                )
            };
            out.push(Step::Index(key));
            rest = tail;
        } else {
            let rest_body = rest.strip_prefix('.').unwrap_or(rest);
            let end = rest_body.find(['.', '[']).unwrap_or(rest_body.len());
            out.push(Step::Attr(rest_body.get(..end).unwrap_or("").to_string()));
            rest = rest_body.get(end..).unwrap_or("");
        }
    }
    out
}

/// `value` followed along `steps`: only the value reached is copied.
pub fn navigate(value: &Value, steps: &[Step], text: &str) -> Value {
    let mut at = value;
    for step in steps {
        let key = match step {
            Step::Attr(k) | Step::Index(k) => k,
        };
        at = match &at.kind {
            ValueKind::Map(entries) => match entries.iter().find(|(k, _)| &k.text == key) {
                Some((_, v)) => v,
                None => return unknown(format!("`{text}` names a key the value does not have")),
            },
            ValueKind::List(items) => match key.parse::<usize>().ok() {
                Some(i) => match items.get(i) {
                    Some(v) => v,
                    None => return unknown(format!("`{text}` is past the end of the list")),
                },
                None => return unknown(format!("`{text}` indexes a list by name")),
            },
            ValueKind::Unknown(why) => return unknown(why.clone()),
            _ => {
                return unknown(format!(
                    "`{text}` goes into a value that is not a collection"
                ));
            }
        };
    }
    at.clone()
}
