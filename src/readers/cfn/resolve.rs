//! Intrinsic functions and conditions → symbolic [`Value`]s.
//!
//! Input: a [`Template`] and nodes inside it. Output: [`Value`]s in which `Ref`, `Fn::GetAtt`,
//! `Fn::Sub`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::FindInMap`, `Fn::If`, `Fn::ImportValue`
//! ... are resolved as far as the template determines them. Invariants: resolution never loops
//! (cycles between resources are reported), never panics, and records every error with its span;
//! what cannot be known becomes a [`Symbol`] or [`ValueKind::Unknown`] with the reason.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::Deployment;
use super::attrs;
use super::template::Template;
use crate::diag::FileError;
use crate::model::{Environment, MapKey, Pseudo, SymStr, Symbol, Value, ValueKind};
use crate::readers::syntax::{Node, NodeKind, ScalarStyle};
use crate::source::Span;

/// How deep intrinsic functions may nest inside each other before the template is refused.
const MAX_DEPTH: usize = 64;
/// How many `Fn::If` alternatives one string may fan out into before it is given up as unknown.
const MAX_ALTERNATIVES: usize = 16;

pub struct Resolver<'t, 'a> {
    pub template: &'t Template<'a>,
    pub env: Environment,
    /// What the rest of the application fixes: parameters passed by a parent, imported values,
    /// nested stacks' outputs.
    deployment: &'t Deployment,
    /// Every export name `Fn::ImportValue` asks for, where.
    imports: RefCell<Vec<(String, Span)>>,
    errors: RefCell<Vec<FileError>>,
    /// References to resources the template does not define: CloudFormation rejects the
    /// template, but only the value is lost, so the rest is still audited (as PG004).
    dangling: RefCell<Vec<FileError>>,
    conditions: RefCell<HashMap<String, Option<bool>>>,
    conditions_in_progress: RefCell<HashSet<String>>,
    attr_cache: RefCell<HashMap<(String, String), SymStr>>,
    attrs_in_progress: RefCell<Vec<(String, String)>>,
    depth: RefCell<usize>,
}

/// The scalar text of a node, ignoring its tag (for the arguments of short-form intrinsics).
fn scalar_text(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar { raw, style } if *style != ScalarStyle::Null => Some(raw),
        _ => None,
    }
}

fn seq_items(node: &Node) -> Option<&[Node]> {
    match &node.kind {
        NodeKind::Seq(items) => Some(items),
        _ => None,
    }
}

/// The name of an intrinsic function a node calls and its argument node, for both forms.
pub(super) fn intrinsic(node: &Node) -> Option<(&str, IntrinsicArg<'_>)> {
    if let Some(tag) = &node.tag {
        let name = match &**tag {
            "Ref" => "Ref",
            "Condition" => "Condition",
            other => return Some((long_name(other), IntrinsicArg::Untagged(node))),
        };
        return Some((name, IntrinsicArg::Untagged(node)));
    }
    if let NodeKind::Map(entries) = &node.kind {
        if let [(key, value)] = entries.as_slice() {
            if &*key.text == "Ref" || key.text.starts_with("Fn::") {
                return Some((&key.text, IntrinsicArg::Node(value)));
            }
        }
    }
    None
}

fn long_name(tag: &str) -> &'static str {
    match tag {
        "GetAtt" => "Fn::GetAtt",
        "Sub" => "Fn::Sub",
        "Join" => "Fn::Join",
        "If" => "Fn::If",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "FindInMap" => "Fn::FindInMap",
        "ImportValue" => "Fn::ImportValue",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "GetAZs" => "Fn::GetAZs",
        "Equals" => "Fn::Equals",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "Not" => "Fn::Not",
        "Transform" => "Fn::Transform",
        "Length" => "Fn::Length",
        "ToJsonString" => "Fn::ToJsonString",
        _ => "Fn::Unknown",
    }
}

/// The argument of an intrinsic: the tagged node itself (short form, tag to be ignored) or the
/// value of the single key (long form).
#[derive(Clone, Copy)]
pub(super) enum IntrinsicArg<'n> {
    Untagged(&'n Node),
    Node(&'n Node),
}

impl<'n> IntrinsicArg<'n> {
    pub(super) fn node(self) -> &'n Node {
        match self {
            IntrinsicArg::Untagged(n) | IntrinsicArg::Node(n) => n,
        }
    }

    fn text(self) -> Option<&'n str> {
        scalar_text(self.node())
    }

    fn items(self) -> Option<&'n [Node]> {
        seq_items(self.node())
    }
}

impl<'t, 'a> Resolver<'t, 'a> {
    pub fn new(template: &'t Template<'a>, deployment: &'t Deployment) -> Self {
        Resolver {
            template,
            // Templates are deployed to the `aws` partition unless told otherwise; assuming it
            // lets `arn:aws:…` literals and `arn:${AWS::Partition}:…` compare equal.
            env: Environment {
                partition: Some("aws".to_string()),
                region: deployment.region.clone(),
                account: deployment.account.clone(),
            },
            deployment,
            imports: RefCell::new(Vec::new()),
            errors: RefCell::new(Vec::new()),
            dangling: RefCell::new(Vec::new()),
            conditions: RefCell::new(HashMap::new()),
            conditions_in_progress: RefCell::new(HashSet::new()),
            attr_cache: RefCell::new(HashMap::new()),
            attrs_in_progress: RefCell::new(Vec::new()),
            depth: RefCell::new(0),
        }
    }

    pub fn error(&self, message: impl Into<String>, span: Span) {
        self.errors
            .borrow_mut()
            .push(FileError::new(message, Some(span)));
    }

    pub fn take_errors(&self) -> Vec<FileError> {
        std::mem::take(&mut *self.errors.borrow_mut())
    }

    /// A reference to a resource the template does not define, located; its value is unknown.
    fn dangling(&self, message: String, span: Span) {
        let mut d = FileError::new(message, Some(span));
        d.help = Some(
            "CloudFormation rejects the template; permgate treats the value as unknown and audits the rest"
                .to_string(),
        );
        self.dangling.borrow_mut().push(d);
    }

    pub fn take_dangling(&self) -> Vec<FileError> {
        std::mem::take(&mut *self.dangling.borrow_mut())
    }

    // -----------------------------------------------------------------------------------------
    // Values

    /// Resolves a node into a value.
    pub fn value(&self, node: &Node) -> Value {
        {
            let mut depth = self.depth.borrow_mut();
            if *depth >= MAX_DEPTH {
                drop(depth);
                self.error(
                    format!("intrinsic functions nest deeper than {MAX_DEPTH} levels"),
                    node.span,
                );
                return Value::new(
                    ValueKind::Unknown("too deeply nested".into()),
                    Some(node.span),
                );
            }
            *depth += 1;
        }
        let value = self.value_inner(node);
        *self.depth.borrow_mut() -= 1;
        value
    }

    fn value_inner(&self, node: &Node) -> Value {
        if let Some((name, arg)) = intrinsic(node) {
            return self.call(name, arg, node);
        }
        self.plain_value(node)
    }

    /// The value of an intrinsic's argument; a short form's argument is the tagged node itself,
    /// read without its tag.
    fn arg_value(&self, arg: IntrinsicArg<'_>) -> Value {
        match arg {
            IntrinsicArg::Node(n) => self.value(n),
            IntrinsicArg::Untagged(n) => self.plain_value(n),
        }
    }

    /// A node's value as data, without looking at its tag.
    fn plain_value(&self, node: &Node) -> Value {
        let span = Some(node.span);
        match &node.kind {
            NodeKind::Scalar { raw, style } => {
                if *style == ScalarStyle::Null {
                    Value::new(ValueKind::Null, span)
                } else {
                    Value::str(SymStr::lit(&**raw), span)
                }
            }
            NodeKind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let v = self.value(item);
                    if !matches!(v.kind, ValueKind::NoValue) {
                        out.push(v);
                    }
                }
                Value::new(ValueKind::List(out), span)
            }
            NodeKind::Map(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                for (key, item) in entries {
                    let v = self.value(item);
                    if !matches!(v.kind, ValueKind::NoValue) {
                        out.push((
                            MapKey {
                                text: key.text.to_string(),
                                span: Some(key.span),
                            },
                            v,
                        ));
                    }
                }
                Value::new(ValueKind::Map(out), span)
            }
        }
    }

    /// Resolves a node that must be a string; `None` when it is not one (a list, a map, null).
    pub fn string(&self, node: &Node) -> Option<SymStr> {
        Self::as_string(&self.value(node))
    }

    /// The string of a value; an undecided `Fn::If` becomes an unknown symbol naming the condition.
    pub fn as_string(value: &Value) -> Option<SymStr> {
        match &value.kind {
            ValueKind::Str(s) => Some(s.clone()),
            ValueKind::If {
                condition,
                then,
                otherwise,
            } => {
                let (a, b) = (Self::as_string(then), Self::as_string(otherwise));
                match (a, b) {
                    (Some(a), Some(b)) if a == b => Some(a),
                    _ => Some(SymStr::sym(Symbol::Unknown(format!(
                        "the value depends on condition `{condition}`"
                    )))),
                }
            }
            ValueKind::Unknown(reason) => Some(SymStr::sym(Symbol::Unknown(reason.clone()))),
            _ => None,
        }
    }

    fn unknown(reason: impl Into<String>, span: Span) -> Value {
        Value::new(ValueKind::Unknown(reason.into()), Some(span))
    }

    fn call(&self, name: &str, arg: IntrinsicArg<'_>, node: &Node) -> Value {
        let span = node.span;
        match name {
            "Ref" => self.ref_value(arg, span),
            "Fn::GetAtt" => self.get_att(arg, span),
            "Fn::Sub" => self.sub(arg, span),
            "Fn::Join" => self.join(arg, span),
            "Fn::Select" => self.select(arg, span),
            "Fn::Split" => self.split(arg, span),
            "Fn::FindInMap" => self.find_in_map(arg, span),
            "Fn::If" => self.if_value(arg, span),
            "Fn::ImportValue" => {
                let inner = self.arg_value(arg);
                let name = Self::as_string(&inner)
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "an export".to_string());
                self.imports.borrow_mut().push((name.clone(), span));
                match self.deployment.imports.get(&name) {
                    // Written back in a fix as the import it is.
                    Some(value) => Value::str(
                        value
                            .clone()
                            .with_refers(&name, crate::model::AttrRef::IMPORT),
                        Some(span),
                    ),
                    None => Value::str(SymStr::sym(Symbol::Import(name)), Some(span)),
                }
            }
            "Fn::Base64" => self.arg_value(arg),
            "Fn::GetAZs" => Self::unknown("`Fn::GetAZs` is only known at deploy time", span),
            "Fn::Cidr" => Self::unknown("`Fn::Cidr` is computed at deploy time", span),
            "Fn::Transform" => {
                Self::unknown("the value comes from a macro (`Fn::Transform`)", span)
            }
            "Fn::Length" | "Fn::ToJsonString" => {
                Self::unknown(format!("`{name}` is not evaluated"), span)
            }
            "Fn::Equals" | "Fn::And" | "Fn::Or" | "Fn::Not" | "Condition" => {
                match self.condition_node(node) {
                    Some(b) => Value::str(SymStr::lit(b.to_string()), Some(span)),
                    None => Self::unknown("the condition cannot be decided", span),
                }
            }
            other => {
                self.error(format!("unknown intrinsic function `{other}`"), span);
                Self::unknown(format!("unknown intrinsic function `{other}`"), span)
            }
        }
    }

    fn ref_value(&self, arg: IntrinsicArg<'_>, span: Span) -> Value {
        let Some(target) = arg.text() else {
            self.error("`Ref` needs the name of a parameter or resource", span);
            return Self::unknown("invalid `Ref`", span);
        };
        self.ref_name(target, span)
    }

    fn ref_name(&self, target: &str, span: Span) -> Value {
        if target == "AWS::NoValue" {
            return Value::new(ValueKind::NoValue, Some(span));
        }
        if let Some(p) = Pseudo::from_cfn(target) {
            return Value::str(self.pseudo(p), Some(span));
        }
        if let Some(param) = self.template.parameters.get(target) {
            // A value the parent stack passes is a fact, whatever the default says.
            if let Some(passed) = self.deployment.parameters.get(target) {
                return Value::str(passed.clone().with_refers(target, "Ref"), Some(span));
            }
            return self.parameter(target, param.type_name, param.default, span);
        }
        if self.template.resource(target).is_some() {
            return Value::str(self.attr(target, "Ref", span), Some(span));
        }
        self.dangling(
            format!("`Ref` to `{target}`, which is not a parameter or resource of the template"),
            span,
        );
        Self::unknown(format!("`{target}` is not defined"), span)
    }

    fn pseudo(&self, p: Pseudo) -> SymStr {
        match p {
            Pseudo::Partition => self.env.partition(),
            Pseudo::Region => self.env.region(),
            Pseudo::AccountId => self.env.account(),
            Pseudo::StackName => match &self.deployment.stack_name {
                Some(name) => SymStr::lit(name),
                None => SymStr::sym(Symbol::Pseudo(Pseudo::StackName)),
            },
            other => SymStr::sym(Symbol::Pseudo(other)),
        }
    }

    fn parameter(&self, name: &str, type_name: &str, default: Option<&Node>, span: Span) -> Value {
        let is_list = type_name.starts_with("List<") || type_name == "CommaDelimitedList";
        let Some(default) = default else {
            let sym = SymStr::sym(Symbol::Param(name.to_string()));
            return if is_list {
                Self::unknown(format!("parameter `{name}` has no default"), span)
            } else {
                Value::str(sym, Some(span))
            };
        };
        // Defaults are literals (CloudFormation allows no intrinsics there).
        let text = match &default.kind {
            NodeKind::Scalar { raw, .. } => raw.to_string(),
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(scalar_text)
                .collect::<Vec<_>>()
                .join(","),
            NodeKind::Map(_) => {
                return Self::unknown(format!("the default of `{name}` is not a string"), span);
            }
        };
        if is_list {
            let items = text
                .split(',')
                .map(|s| Value::str(SymStr::lit(s.trim()), Some(span)))
                .collect();
            Value::new(ValueKind::List(items), Some(span))
        } else {
            Value::str(SymStr::lit(text), Some(span))
        }
    }

    fn get_att(&self, arg: IntrinsicArg<'_>, span: Span) -> Value {
        let (resource, attr): (String, String) = if let Some(text) = arg.text() {
            match text.split_once('.') {
                Some((r, a)) => (r.to_string(), a.to_string()),
                None => {
                    self.error(
                        format!("`Fn::GetAtt` needs `Resource.Attribute`, found `{text}`"),
                        span,
                    );
                    return Self::unknown("invalid `Fn::GetAtt`", span);
                }
            }
        } else if let Some([r, a]) = arg.items() {
            let Some(r) = scalar_text(r) else {
                self.error("`Fn::GetAtt` needs a resource name", span);
                return Self::unknown("invalid `Fn::GetAtt`", span);
            };
            let a = match scalar_text(a) {
                Some(a) => a.to_string(),
                None => match Self::as_string(&self.value(a))
                    .and_then(|s| s.as_literal().map(str::to_string))
                {
                    Some(a) => a,
                    None => {
                        return Self::unknown(
                            "the attribute name of `Fn::GetAtt` is not a literal",
                            span,
                        );
                    }
                },
            };
            (r.to_string(), a)
        } else {
            self.error(
                "`Fn::GetAtt` needs `Resource.Attribute` or `[Resource, Attribute]`",
                span,
            );
            return Self::unknown("invalid `Fn::GetAtt`", span);
        };
        if self.template.resource(&resource).is_none() {
            self.dangling(
                format!("`Fn::GetAtt` of `{resource}`, which is not a resource of the template"),
                span,
            );
            return Self::unknown(format!("`{resource}` is not defined"), span);
        }
        if let Some(output) = self
            .deployment
            .nested_outputs
            .get(&(resource.clone(), attr.clone()))
        {
            return Value::str(output.clone(), Some(span));
        }
        Value::str(self.attr(&resource, &attr, span), Some(span))
    }

    /// Every export name `Fn::ImportValue` asked for so far, where.
    pub fn take_imports(&self) -> Vec<(String, Span)> {
        std::mem::take(&mut self.imports.borrow_mut())
    }

    /// The value of `Ref` (attr `Ref`) or an attribute of a resource, memoized, with cycle
    /// detection.
    pub fn attr(&self, resource: &str, attr: &str, span: Span) -> SymStr {
        let key = (resource.to_string(), attr.to_string());
        if let Some(v) = self.attr_cache.borrow().get(&key) {
            return v.clone();
        }
        if let Some(start) = self
            .attrs_in_progress
            .borrow()
            .iter()
            .position(|k| k == &key)
        {
            // Show the cycle itself: from the first visit of this attribute back to it.
            let chain = self
                .attrs_in_progress
                .borrow()
                .iter()
                .skip(start)
                .chain(std::iter::once(&key))
                .map(|(r, a)| {
                    if a == "Ref" {
                        r.clone()
                    } else {
                        format!("{r}.{a}")
                    }
                })
                .collect::<Vec<_>>()
                .join(" → ");
            self.error(
                format!("circular reference between resources: {chain}"),
                span,
            );
            return SymStr::sym(Symbol::Unknown(format!(
                "circular reference through `{resource}`"
            )));
        }
        self.attrs_in_progress.borrow_mut().push(key.clone());
        let value = match self.template.resource(resource) {
            Some(r) => attrs::attribute(self, r, attr),
            None => SymStr::sym(Symbol::Unknown(format!("`{resource}` is not defined"))),
        };
        self.attrs_in_progress.borrow_mut().pop();
        let value = value.with_refers(resource, attr);
        self.attr_cache.borrow_mut().insert(key, value.clone());
        value
    }

    fn sub(&self, arg: IntrinsicArg<'_>, span: Span) -> Value {
        let (template_node, vars): (&Node, Option<&[(crate::readers::Key, Node)]>) =
            if let Some(items) = arg.items() {
                match items {
                    [t] => (t, None),
                    [t, v] => match &v.kind {
                        NodeKind::Map(entries) => (t, Some(entries.as_slice())),
                        _ => {
                            self.error(
                                "the second argument of `Fn::Sub` must be a mapping",
                                v.span,
                            );
                            return Self::unknown("invalid `Fn::Sub`", span);
                        }
                    },
                    _ => {
                        self.error("`Fn::Sub` takes a string or `[string, variables]`", span);
                        return Self::unknown("invalid `Fn::Sub`", span);
                    }
                }
            } else {
                (arg.node(), None)
            };
        let Some(text) = scalar_text(template_node) else {
            self.error(
                "the template of `Fn::Sub` must be a string",
                template_node.span,
            );
            return Self::unknown("invalid `Fn::Sub`", span);
        };
        let mut parts: Vec<Value> = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let (before, after) = rest.split_at(start);
            parts.push(Value::str(SymStr::lit(before), Some(span)));
            let after = after.get(2..).unwrap_or("");
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Literal}` writes `${Literal}` verbatim.
                parts.push(Value::str(SymStr::lit("${"), Some(span)));
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                self.error("unterminated `${` in `Fn::Sub`", template_node.span);
                return Self::unknown("invalid `Fn::Sub`", span);
            };
            let name = after.get(..end).unwrap_or("").trim();
            rest = after.get(end + 1..).unwrap_or("");
            parts.push(self.sub_variable(name, vars, template_node.span));
        }
        parts.push(Value::str(SymStr::lit(rest), Some(span)));
        concat(&parts, Some(span))
    }

    fn sub_variable(
        &self,
        name: &str,
        vars: Option<&[(crate::readers::Key, Node)]>,
        span: Span,
    ) -> Value {
        if let Some(vars) = vars {
            if let Some((_, node)) = vars.iter().find(|(k, _)| &*k.text == name) {
                return self.value(node);
            }
        }
        if Pseudo::from_cfn(name).is_some()
            || name == "AWS::NoValue"
            || self.template.parameters.contains_key(name)
            || self.template.resource(name).is_some()
        {
            return self.ref_name(name, span);
        }
        if let Some((resource, attr)) = name.split_once('.') {
            if self.template.resource(resource).is_some() {
                return Value::str(self.attr(resource, attr, span), Some(span));
            }
        }
        self.error(
            format!("`${{{name}}}` in `Fn::Sub` names no parameter, resource or variable"),
            span,
        );
        Self::unknown(format!("`{name}` is not defined"), span)
    }

    fn join(&self, arg: IntrinsicArg<'_>, span: Span) -> Value {
        let Some([delimiter, list]) = arg.items() else {
            self.error("`Fn::Join` takes `[delimiter, [values]]`", span);
            return Self::unknown("invalid `Fn::Join`", span);
        };
        let Some(delimiter) =
            scalar_text(delimiter).or(if delimiter.is_null() { Some("") } else { None })
        else {
            self.error(
                "the delimiter of `Fn::Join` must be a string",
                delimiter.span,
            );
            return Self::unknown("invalid `Fn::Join`", span);
        };
        let list = self.value(list);
        match &list.kind {
            ValueKind::List(items) => {
                let mut parts = Vec::with_capacity(items.len() * 2);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        parts.push(Value::str(SymStr::lit(delimiter), Some(span)));
                    }
                    parts.push(item.clone());
                }
                concat(&parts, Some(span))
            }
            ValueKind::Unknown(reason) => {
                Value::str(SymStr::sym(Symbol::Unknown(reason.clone())), Some(span))
            }
            ValueKind::If { .. } => map_if(&list, &|branch| match &branch.kind {
                ValueKind::List(items) => {
                    let mut parts = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            parts.push(Value::str(SymStr::lit(delimiter), Some(span)));
                        }
                        parts.push(item.clone());
                    }
                    concat(&parts, Some(span))
                }
                _ => Self::unknown("`Fn::Join` of a value that is not a list", span),
            }),
            _ => {
                self.error("the second argument of `Fn::Join` must be a list", span);
                Self::unknown("invalid `Fn::Join`", span)
            }
        }
    }

    fn select(&self, arg: IntrinsicArg<'_>, span: Span) -> Value {
        let Some([index, list]) = arg.items() else {
            self.error("`Fn::Select` takes `[index, [values]]`", span);
            return Self::unknown("invalid `Fn::Select`", span);
        };
        let index_value = self.value(index);
        let Some(index) = index_value
            .as_literal()
            .and_then(|s| s.trim().parse::<usize>().ok())
        else {
            return Self::unknown("the index of `Fn::Select` is not a literal number", span);
        };
        let list = self.value(list);
        match &list.kind {
            ValueKind::List(items) => match items.get(index) {
                Some(v) => v.clone(),
                // A list from splitting a partly unknown string ends in an unknown item.
                None if matches!(items.last().map(|v| &v.kind), Some(ValueKind::Unknown(_))) => {
                    items.last().cloned().unwrap_or(Self::unknown("", span))
                }
                None => {
                    self.error(
                        format!(
                            "`Fn::Select` index {index} is out of range for a list of {}",
                            items.len()
                        ),
                        span,
                    );
                    Self::unknown("index out of range", span)
                }
            },
            ValueKind::Unknown(reason) => Self::unknown(reason.clone(), span),
            _ => Self::unknown("`Fn::Select` of a value that is not a list", span),
        }
    }

    fn split(&self, arg: IntrinsicArg<'_>, span: Span) -> Value {
        let Some([delimiter, source]) = arg.items() else {
            self.error("`Fn::Split` takes `[delimiter, string]`", span);
            return Self::unknown("invalid `Fn::Split`", span);
        };
        let Some(delimiter) = scalar_text(delimiter).filter(|d| !d.is_empty()) else {
            self.error(
                "the delimiter of `Fn::Split` must be a non-empty string",
                span,
            );
            return Self::unknown("invalid `Fn::Split`", span);
        };
        let source = self.value(source);
        let Some(s) = Self::as_string(&source) else {
            return Self::unknown("`Fn::Split` of a value that is not a string", span);
        };
        Value::new(
            ValueKind::List(split_symstr(&s, delimiter, span)),
            Some(span),
        )
    }

    fn find_in_map(&self, arg: IntrinsicArg<'_>, span: Span) -> Value {
        let Some(items) = arg.items() else {
            self.error(
                "`Fn::FindInMap` takes `[map, top-level key, second-level key]`",
                span,
            );
            return Self::unknown("invalid `Fn::FindInMap`", span);
        };
        let (Some(map_name), Some(top), Some(second)) = (items.first(), items.get(1), items.get(2))
        else {
            self.error(
                "`Fn::FindInMap` takes `[map, top-level key, second-level key]`",
                span,
            );
            return Self::unknown("invalid `Fn::FindInMap`", span);
        };
        let default = items
            .get(3)
            .and_then(|d| d.get("DefaultValue"))
            .map(|d| self.value(d));
        let map_name = Self::as_string(&self.value(map_name));
        let Some(map_name) = map_name.as_ref().and_then(SymStr::as_literal) else {
            return Self::unknown("the map name of `Fn::FindInMap` is not a literal", span);
        };
        let Some(map) = self.template.mappings.and_then(|m| m.get(map_name)) else {
            if let Some(d) = default {
                return d;
            }
            self.error(
                format!("`Fn::FindInMap` names no mapping `{map_name}`"),
                span,
            );
            return Self::unknown(format!("mapping `{map_name}` is not defined"), span);
        };
        let top = Self::as_string(&self.value(top));
        let second = Self::as_string(&self.value(second));
        let mut candidates: Vec<&Node> = Vec::new();
        let tops: Vec<&Node> = match top.as_ref().and_then(SymStr::as_literal) {
            Some(t) => map.get(t).into_iter().collect(),
            None => map
                .as_map()
                .map(|e| e.iter().map(|(_, v)| v).collect())
                .unwrap_or_default(),
        };
        for t in tops {
            match second.as_ref().and_then(SymStr::as_literal) {
                Some(s) => candidates.extend(t.get(s)),
                None => candidates.extend(t.as_map().into_iter().flatten().map(|(_, v)| v)),
            }
        }
        let literal_keys = top.as_ref().is_some_and(SymStr::is_literal)
            && second.as_ref().is_some_and(SymStr::is_literal);
        match candidates.as_slice() {
            [] if literal_keys => {
                if let Some(d) = default {
                    return d;
                }
                self.error(
                    format!(
                        "`Fn::FindInMap` finds no `{}`/`{}` in mapping `{map_name}`",
                        top.map(|t| t.to_string()).unwrap_or_default(),
                        second.map(|t| t.to_string()).unwrap_or_default()
                    ),
                    span,
                );
                Self::unknown("no such mapping entry", span)
            }
            [] => Self::unknown("the mapping keys are only known at deploy time", span),
            [only] if literal_keys => self.value(only),
            many => {
                // With symbolic keys, the result is known only if every candidate agrees.
                let values: Vec<Value> = many.iter().map(|n| self.value(n)).collect();
                let first = values.first().map(|v| v.kind.clone());
                if values.iter().all(|v| Some(&v.kind) == first.as_ref()) {
                    values.into_iter().next().unwrap_or(Self::unknown("", span))
                } else {
                    Self::unknown(
                        "the value comes from a mapping whose key is only known at deploy time",
                        span,
                    )
                }
            }
        }
    }

    fn if_value(&self, arg: IntrinsicArg<'_>, span: Span) -> Value {
        let Some([condition, then, otherwise]) = arg.items() else {
            self.error(
                "`Fn::If` takes `[condition, value if true, value if false]`",
                span,
            );
            return Self::unknown("invalid `Fn::If`", span);
        };
        let Some(name) = scalar_text(condition) else {
            self.error(
                "the first argument of `Fn::If` must be a condition name",
                condition.span,
            );
            return Self::unknown("invalid `Fn::If`", span);
        };
        match self.condition(name, condition.span) {
            Some(true) => self.value(then),
            Some(false) => self.value(otherwise),
            None => Value::new(
                ValueKind::If {
                    condition: name.to_string(),
                    then: Box::new(self.value(then)),
                    otherwise: Box::new(self.value(otherwise)),
                },
                Some(span),
            ),
        }
    }

    // -----------------------------------------------------------------------------------------
    // Conditions

    /// Whether a named condition holds; `None` when the template does not decide it.
    pub fn condition(&self, name: &str, span: Span) -> Option<bool> {
        if let Some(v) = self.conditions.borrow().get(name) {
            return *v;
        }
        let Some(node) = self.template.conditions.get(name).copied() else {
            self.error(format!("condition `{name}` is not defined"), span);
            return None;
        };
        if !self
            .conditions_in_progress
            .borrow_mut()
            .insert(name.to_string())
        {
            self.error(format!("condition `{name}` refers to itself"), span);
            return None;
        }
        let v = self.condition_node(node);
        self.conditions_in_progress.borrow_mut().remove(name);
        self.conditions.borrow_mut().insert(name.to_string(), v);
        v
    }

    fn condition_node(&self, node: &Node) -> Option<bool> {
        let (name, arg) = match intrinsic(node) {
            Some(x) => x,
            None => {
                if let Some(NodeKind::Map(entries)) = Some(&node.kind) {
                    if let [(key, value)] = entries.as_slice() {
                        if &*key.text == "Condition" {
                            return scalar_text(value).and_then(|n| self.condition(n, value.span));
                        }
                    }
                }
                return match scalar_text(node) {
                    Some("true") => Some(true),
                    Some("false") => Some(false),
                    _ => {
                        self.error("a condition must be `Fn::Equals`, `Fn::And`, `Fn::Or`, `Fn::Not` or `Condition`", node.span);
                        None
                    }
                };
            }
        };
        let items = arg.items();
        match name {
            "Condition" => arg.text().and_then(|n| self.condition(n, node.span)),
            "Fn::Equals" => {
                let Some([a, b]) = items else {
                    self.error("`Fn::Equals` takes two values", node.span);
                    return None;
                };
                equals(&self.value(a), &self.value(b))
            }
            "Fn::Not" => {
                let Some([inner]) = items else {
                    self.error("`Fn::Not` takes a list of one condition", node.span);
                    return None;
                };
                self.condition_node(inner).map(|b| !b)
            }
            "Fn::And" | "Fn::Or" => {
                let Some(items) = items else {
                    self.error(format!("`{name}` takes a list of conditions"), node.span);
                    return None;
                };
                let is_and = name == "Fn::And";
                let mut unknown = false;
                for item in items {
                    match self.condition_node(item) {
                        Some(b) if b != is_and => return Some(b),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                if unknown { None } else { Some(is_and) }
            }
            _ => {
                self.error(format!("`{name}` cannot be used as a condition"), node.span);
                None
            }
        }
    }
}

/// Whether two resolved values are equal: decided for literals and identical symbolic strings.
fn equals(a: &Value, b: &Value) -> Option<bool> {
    let (Some(a), Some(b)) = (Resolver::as_string(a), Resolver::as_string(b)) else {
        return None;
    };
    if a.parts == b.parts {
        return Some(true);
    }
    match (a.as_literal(), b.as_literal()) {
        (Some(x), Some(y)) => Some(x == y),
        _ => None,
    }
}

/// Concatenates values into one string value; undecided `Fn::If` parts fan out into an `If`.
fn concat(parts: &[Value], span: Option<Span>) -> Value {
    if let Some(pos) = parts
        .iter()
        .position(|p| matches!(p.kind, ValueKind::If { .. }))
    {
        if let Some(Value {
            kind:
                ValueKind::If {
                    condition,
                    then,
                    otherwise,
                },
            ..
        }) = parts.get(pos)
        {
            if count_alternatives(parts) > MAX_ALTERNATIVES {
                return Value::new(
                    ValueKind::Str(SymStr::sym(Symbol::Unknown(
                        "the value depends on too many conditions".into(),
                    ))),
                    span,
                );
            }
            let with = |branch: &Value| {
                let mut v = parts.to_vec();
                if let Some(slot) = v.get_mut(pos) {
                    *slot = branch.clone();
                }
                concat(&v, span)
            };
            return Value::new(
                ValueKind::If {
                    condition: condition.clone(),
                    then: Box::new(with(then)),
                    otherwise: Box::new(with(otherwise)),
                },
                span,
            );
        }
    }
    let mut out = SymStr::default();
    let mut first = true;
    for part in parts {
        match &part.kind {
            ValueKind::Str(s) => {
                if first {
                    out = s.clone();
                } else {
                    out.push(s);
                }
            }
            ValueKind::NoValue | ValueKind::Null => {}
            ValueKind::Unknown(reason) => out.push_sym(Symbol::Unknown(reason.clone())),
            ValueKind::List(_) | ValueKind::Map(_) => {
                out.push_sym(Symbol::Unknown("a list or mapping inside a string".into()))
            }
            ValueKind::If { .. } => {}
        }
        if !matches!(&part.kind, ValueKind::Str(s) if s.parts.is_empty()) {
            first = false;
        }
    }
    Value::new(ValueKind::Str(out), span)
}

fn count_alternatives(parts: &[Value]) -> usize {
    parts
        .iter()
        .filter(|p| matches!(p.kind, ValueKind::If { .. }))
        .count()
        .saturating_mul(2)
}

fn map_if(value: &Value, f: &dyn Fn(&Value) -> Value) -> Value {
    match &value.kind {
        ValueKind::If {
            condition,
            then,
            otherwise,
        } => Value::new(
            ValueKind::If {
                condition: condition.clone(),
                then: Box::new(map_if(then, f)),
                otherwise: Box::new(map_if(otherwise, f)),
            },
            value.span,
        ),
        _ => f(value),
    }
}

/// Splits a symbolic string on a literal delimiter. Symbols that cannot contain the delimiter
/// (partition, region, account for `:` and `/`) stay inside their item; after a symbol that
/// might contain it, item positions are unknown.
fn split_symstr(s: &SymStr, delimiter: &str, span: Span) -> Vec<Value> {
    use crate::model::Part;
    let mut items: Vec<Value> = Vec::new();
    let mut current = SymStr::default();
    for part in &s.parts {
        match part {
            Part::Lit(text) => {
                let mut pieces = text.split(delimiter);
                if let Some(first) = pieces.next() {
                    current.push_lit(first);
                }
                for piece in pieces {
                    items.push(Value::str(std::mem::take(&mut current), Some(span)));
                    current.push_lit(piece);
                }
            }
            Part::Sym(sym) => {
                let safe =
                    sym.is_single_segment() && (delimiter.contains(':') || delimiter.contains('/'));
                if safe {
                    current.push_sym(sym.clone());
                } else {
                    // The item holding this symbol, and every later position, is unknown.
                    items.push(Value::new(
                        ValueKind::Unknown(format!(
                            "splitting a value that contains {sym} is only known at deploy time"
                        )),
                        Some(span),
                    ));
                    return items;
                }
            }
        }
    }
    items.push(Value::str(current, Some(span)));
    items
}
