//! Building and reading syntax trees for the SAM expansion.
//!
//! Input: [`Node`]s of the SAM template. Output: new [`Node`]s for generated resources, every
//! one carrying the span it derives from. Intrinsic functions are recognised in both forms (a
//! short-form tag such as `!Ref`, kept in [`Node::tag`], and a one-key map such as
//! `{"Fn::GetAtt": [..]}`); the nodes this module builds use the long form, as SAMT emits it.

use crate::readers::syntax::{Key, Node, NodeKind, ScalarStyle};
use crate::source::Span;

pub fn key(text: &str, span: Span) -> Key {
    Key {
        text: text.into(),
        span,
    }
}

/// A string scalar (quoted, so that CloudFormation reads it as a string).
pub fn string(text: &str, span: Span) -> Node {
    Node::scalar(text, ScalarStyle::Quoted, span)
}

/// A plain scalar: a number or a boolean.
pub fn plain(text: &str, span: Span) -> Node {
    Node::scalar(text, ScalarStyle::Plain, span)
}

pub fn boolean(value: bool, span: Span) -> Node {
    plain(if value { "true" } else { "false" }, span)
}

pub fn seq(items: Vec<Node>, span: Span) -> Node {
    Node {
        span,
        tag: None,
        kind: NodeKind::Seq(items),
    }
}

pub fn map(entries: Vec<(Key, Node)>, span: Span) -> Node {
    Node {
        span,
        tag: None,
        kind: NodeKind::Map(entries),
    }
}

/// A mapping under construction; every key gets the builder's span.
pub struct MapBuilder {
    span: Span,
    entries: Vec<(Key, Node)>,
}

impl MapBuilder {
    pub fn new(span: Span) -> MapBuilder {
        MapBuilder {
            span,
            entries: Vec::new(),
        }
    }

    pub fn put(&mut self, name: &str, value: Node) -> &mut MapBuilder {
        self.entries.push((key(name, self.span), value));
        self
    }

    pub fn put_opt(&mut self, name: &str, value: Option<Node>) -> &mut MapBuilder {
        if let Some(v) = value {
            self.put(name, v);
        }
        self
    }

    pub fn put_entry(&mut self, entry: (Key, Node)) -> &mut MapBuilder {
        self.entries.push(entry);
        self
    }

    pub fn build(&mut self) -> Node {
        map(std::mem::take(&mut self.entries), self.span)
    }
}

/// `{name: arg}`, an intrinsic function in long form.
pub fn intrinsic_node(name: &str, arg: Node, span: Span) -> Node {
    map(vec![(key(name, span), arg)], span)
}

pub fn ref_to(id: &str, span: Span) -> Node {
    intrinsic_node("Ref", string(id, span), span)
}

pub fn get_att(id: &str, attr: &str, span: Span) -> Node {
    intrinsic_node(
        "Fn::GetAtt",
        seq(vec![string(id, span), string(attr, span)], span),
        span,
    )
}

pub fn sub(template: &str, span: Span) -> Node {
    intrinsic_node("Fn::Sub", string(template, span), span)
}

pub fn sub_with(template: &str, vars: Vec<(Key, Node)>, span: Span) -> Node {
    intrinsic_node(
        "Fn::Sub",
        seq(vec![string(template, span), map(vars, span)], span),
        span,
    )
}

/// `{"Fn::If": [condition, then, else]}`.
pub fn if_node(condition: &str, then: Node, otherwise: Node, span: Span) -> Node {
    intrinsic_node(
        "Fn::If",
        seq(vec![string(condition, span), then, otherwise], span),
        span,
    )
}

pub fn no_value(span: Span) -> Node {
    ref_to("AWS::NoValue", span)
}

/// The long name of a short-form tag (`GetAtt` → `Fn::GetAtt`).
fn long_name(tag: &str) -> &str {
    match tag {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "GetAtt" => "Fn::GetAtt",
        "Sub" => "Fn::Sub",
        "If" => "Fn::If",
        "Join" => "Fn::Join",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "FindInMap" => "Fn::FindInMap",
        "ImportValue" => "Fn::ImportValue",
        "GetAZs" => "Fn::GetAZs",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "Equals" => "Fn::Equals",
        "And" => "Fn::And",
        "Or" => "Fn::Or",
        "Not" => "Fn::Not",
        "Length" => "Fn::Length",
        "ToJsonString" => "Fn::ToJsonString",
        "Transform" => "Fn::Transform",
        other => other,
    }
}

/// The argument of an intrinsic function. For a short-form tag it is the tagged node itself,
/// read as if it had no tag.
#[derive(Clone, Copy)]
pub struct Arg<'n> {
    pub node: &'n Node,
}

impl<'n> Arg<'n> {
    pub fn as_str(self) -> Option<&'n str> {
        scalar_text(self.node)
    }

    pub fn as_seq(self) -> Option<&'n [Node]> {
        match &self.node.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }
}

/// The text of a scalar, ignoring its tag; `None` for null and non-scalars.
pub fn scalar_text(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar { raw, style } if *style != ScalarStyle::Null => Some(raw),
        _ => None,
    }
}

/// The intrinsic function `node` is, in either form: its long name and argument.
pub fn intrinsic(node: &Node) -> Option<(&str, Arg<'_>)> {
    if let Some(tag) = node.tag.as_deref() {
        return Some((long_name(tag), Arg { node }));
    }
    match &node.kind {
        NodeKind::Map(entries) => match entries.as_slice() {
            [(k, v)] if is_intrinsic_name(&k.text) => Some((&k.text, Arg { node: v })),
            _ => None,
        },
        _ => None,
    }
}

fn is_intrinsic_name(name: &str) -> bool {
    name == "Ref" || name == "Condition" || name.starts_with("Fn::")
}

/// SAMT's `is_intrinsic`: a one-key map naming an intrinsic function, or a tagged node.
pub fn is_intrinsic(node: &Node) -> bool {
    intrinsic(node).is_some()
}

/// `Ref: AWS::NoValue`.
pub fn is_no_value(node: &Node) -> bool {
    matches!(intrinsic(node), Some(("Ref", arg)) if arg.as_str() == Some("AWS::NoValue"))
}

/// The three items of an `Fn::If`, or `None` when `node` is not an `Fn::If`.
/// `Some(Err(()))` when it is an `Fn::If` without exactly three items.
pub fn if_items(node: &Node) -> Option<Result<&[Node], ()>> {
    let (name, arg) = intrinsic(node)?;
    if name != "Fn::If" {
        return None;
    }
    Some(match arg.as_seq() {
        Some(items) if items.len() == 3 => Ok(items),
        _ => Err(()),
    })
}

/// The logical id a `Ref` or `Fn::GetAtt` names (SAMT `get_logical_id_from_intrinsic`).
pub fn logical_id_of(node: &Node) -> Option<&str> {
    let (name, arg) = intrinsic(node)?;
    match name {
        "Ref" => arg.as_str(),
        "Fn::GetAtt" => {
            if let Some(items) = arg.as_seq() {
                match items {
                    [id, _] => scalar_text(id),
                    _ => None,
                }
            } else {
                arg.as_str().and_then(|s| s.split('.').next())
            }
        }
        _ => None,
    }
}

/// The id of a `Ref` only.
pub fn ref_target(node: &Node) -> Option<&str> {
    match intrinsic(node)? {
        ("Ref", arg) => arg.as_str(),
        _ => None,
    }
}

/// A value of a mapping, treating an explicit null as absent (as SAMT's `dict.get` + `None` does).
pub fn get<'n>(node: &'n Node, name: &str) -> Option<&'n Node> {
    node.get(name).filter(|v| !v.is_null())
}

pub fn get_mut<'n>(node: &'n mut Node, name: &str) -> Option<&'n mut Node> {
    if node.tag.is_some() {
        return None;
    }
    match &mut node.kind {
        NodeKind::Map(entries) => entries
            .iter_mut()
            .find(|(k, _)| &*k.text == name)
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Sets `name` in an untagged mapping, replacing an existing value in place.
pub fn set(node: &mut Node, name: &str, value: Node) {
    if node.tag.is_some() {
        return;
    }
    let span = node.span;
    if let NodeKind::Map(entries) = &mut node.kind {
        if let Some((_, v)) = entries.iter_mut().find(|(k, _)| &*k.text == name) {
            *v = value;
        } else {
            entries.push((key(name, span), value));
        }
    }
}

pub fn remove(node: &mut Node, name: &str) -> Option<Node> {
    if node.tag.is_some() {
        return None;
    }
    if let NodeKind::Map(entries) = &mut node.kind {
        let i = entries.iter().position(|(k, _)| &*k.text == name)?;
        return Some(entries.remove(i).1);
    }
    None
}

/// Whether two trees are the same value, ignoring spans and the intrinsic form
/// (`!Ref X` equals `{"Ref": "X"}`); SAMT compares plain dicts the same way.
pub fn same(a: &Node, b: &Node) -> bool {
    match (intrinsic(a), intrinsic(b)) {
        (Some((na, aa)), Some((nb, ab))) => {
            if na != nb {
                return false;
            }
            // `!GetAtt A.b` and `[A, b]` are the same.
            if na == "Fn::GetAtt" {
                return get_att_parts(aa) == get_att_parts(ab);
            }
            same_untagged(aa.node, ab.node)
        }
        (None, None) => same_untagged(a, b),
        _ => false,
    }
}

fn get_att_parts(arg: Arg<'_>) -> Option<(String, String)> {
    if let Some(items) = arg.as_seq() {
        match items {
            [a, b] => Some((scalar_text(a)?.to_string(), scalar_text(b)?.to_string())),
            _ => None,
        }
    } else {
        let s = arg.as_str()?;
        let (a, b) = s.split_once('.')?;
        Some((a.to_string(), b.to_string()))
    }
}

fn same_untagged(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Scalar { raw: ra, style: sa }, NodeKind::Scalar { raw: rb, style: sb }) => {
            ra == rb && is_string_style(*sa) == is_string_style(*sb)
        }
        (NodeKind::Seq(xa), NodeKind::Seq(xb)) => {
            xa.len() == xb.len() && xa.iter().zip(xb).all(|(x, y)| same(x, y))
        }
        (NodeKind::Map(ea), NodeKind::Map(eb)) => {
            ea.len() == eb.len()
                && ea.iter().all(|(k, v)| {
                    eb.iter()
                        .find(|(k2, _)| k2.text == k.text)
                        .is_some_and(|(_, v2)| same(v, v2))
                })
        }
        _ => false,
    }
}

fn is_string_style(style: ScalarStyle) -> bool {
    matches!(style, ScalarStyle::Quoted | ScalarStyle::Block)
}

/// A JSON value from the embedded SAMT data as a tree whose every node has `span`.
pub fn from_json(value: &serde_json::Value, span: Span) -> Node {
    match value {
        serde_json::Value::Null => Node::scalar("", ScalarStyle::Null, span),
        serde_json::Value::Bool(b) => boolean(*b, span),
        serde_json::Value::Number(n) => plain(&n.to_string(), span),
        serde_json::Value::String(s) => string(s, span),
        serde_json::Value::Array(items) => {
            seq(items.iter().map(|v| from_json(v, span)).collect(), span)
        }
        serde_json::Value::Object(entries) => map(
            entries
                .iter()
                .map(|(k, v)| (key(k, span), from_json(v, span)))
                .collect(),
            span,
        ),
    }
}

/// SAMT's type checks on property values (`IS_STR`, `IS_INT`, ...), as YAML 1.1 / JSON would
/// type a scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Any,
    Str,
    Int,
    Bool,
    List,
    Dict,
    StrOrList,
    BoolOrDict,
}

impl Ty {
    pub fn accepts(self, node: &Node) -> bool {
        if is_intrinsic(node) {
            return true;
        }
        match self {
            Ty::Any => true,
            Ty::Str => is_str(node),
            Ty::Int => is_int(node),
            Ty::Bool => is_bool(node),
            Ty::List => node.as_seq().is_some(),
            Ty::Dict => node.as_map().is_some(),
            Ty::StrOrList => is_str(node) || node.as_seq().is_some(),
            Ty::BoolOrDict => is_bool(node) || node.as_map().is_some(),
        }
    }
}

pub fn is_str(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar { style, .. } => match style {
            ScalarStyle::Quoted | ScalarStyle::Block => true,
            ScalarStyle::Null => false,
            ScalarStyle::Plain => !is_int(node) && !is_bool(node) && !is_float(node),
        },
        _ => false,
    }
}

pub fn is_int(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar {
            raw,
            style: ScalarStyle::Plain,
        } => {
            let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

fn is_float(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Scalar {
            raw,
            style: ScalarStyle::Plain,
        } => raw.contains(['.', 'e', 'E']) && raw.parse::<f64>().is_ok(),
        _ => false,
    }
}

/// A boolean as YAML 1.1 (which SAMT's loader follows) spells it.
pub fn as_bool(node: &Node) -> Option<bool> {
    match &node.kind {
        NodeKind::Scalar {
            raw,
            style: ScalarStyle::Plain,
        } if node.tag.is_none() => match &**raw {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub fn is_bool(node: &Node) -> bool {
    as_bool(node).is_some()
}

/// Python truthiness of a property value: absent, null, `false`, `0`, `""`, `[]` and `{}` are
/// false.
pub fn truthy(node: Option<&Node>) -> bool {
    let Some(node) = node else {
        return false;
    };
    if node.tag.is_some() {
        return true;
    }
    match &node.kind {
        NodeKind::Scalar { raw, style } => match style {
            ScalarStyle::Null => false,
            ScalarStyle::Quoted | ScalarStyle::Block => !raw.is_empty(),
            ScalarStyle::Plain => {
                as_bool(node) != Some(false)
                    && !(is_int(node)
                        && raw
                            .trim_start_matches(['-', '+'])
                            .bytes()
                            .all(|b| b == b'0'))
                    && !raw.is_empty()
            }
        },
        NodeKind::Seq(items) => !items.is_empty(),
        NodeKind::Map(entries) => !entries.is_empty(),
    }
}

/// The value as SAMT's YAML loader builds it (`yaml_helper.py`): short-form tags become
/// long-form maps (`!GetAtt A.b` → `{"Fn::GetAtt": ["A", "b"]}`), plain scalars become numbers,
/// booleans or null as YAML 1.1 reads them, everything else a string.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    if let Some(tag) = node.tag.as_deref() {
        let name = long_name(tag);
        let arg = match (&node.kind, name) {
            (NodeKind::Scalar { raw, .. }, "Fn::GetAtt") => match raw.split_once('.') {
                Some((a, b)) => Value::Array(vec![Value::from(a), Value::from(b)]),
                None => Value::from(&**raw),
            },
            (NodeKind::Scalar { raw, .. }, _) => Value::from(&**raw),
            _ => untagged_json(node),
        };
        let mut m = serde_json::Map::new();
        m.insert(name.to_string(), arg);
        return Value::Object(m);
    }
    untagged_json(node)
}

fn untagged_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        NodeKind::Scalar { raw, style } => match style {
            ScalarStyle::Null => Value::Null,
            ScalarStyle::Quoted | ScalarStyle::Block => Value::from(&**raw),
            ScalarStyle::Plain => {
                if let Some(b) = as_bool(node) {
                    Value::Bool(b)
                } else if is_int(node) {
                    raw.parse::<i64>()
                        .map(Value::from)
                        .unwrap_or_else(|_| Value::from(&**raw))
                } else if is_float(node) {
                    raw.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map_or_else(|| Value::from(&**raw), Value::Number)
                } else if matches!(&**raw, "null" | "Null" | "NULL" | "~" | "") {
                    Value::Null
                } else {
                    Value::from(&**raw)
                }
            }
        },
        NodeKind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeKind::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.text.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

/// Python's `json.dumps(value, separators=(",", ":"), sort_keys=True)` (ASCII-only output), as
/// SAMT's logical id generator writes data before hashing it.
pub fn python_json(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => python_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                python_json(v, out);
            }
            out.push(']');
        }
        Value::Object(entries) => {
            let mut keys: Vec<&String> = entries.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                python_string(k, out);
                out.push(':');
                if let Some(v) = entries.get(k) {
                    python_json(v, out);
                }
            }
            out.push('}');
        }
    }
}

fn python_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Span {
        Span::new(0, 0)
    }

    #[test]
    fn intrinsic_forms_are_recognised_alike() {
        let short = Node {
            span: sp(),
            tag: Some("GetAtt".into()),
            kind: NodeKind::Scalar {
                raw: "Queue.Arn".into(),
                style: ScalarStyle::Plain,
            },
        };
        let long = get_att("Queue", "Arn", sp());
        assert_eq!(logical_id_of(&short), Some("Queue"));
        assert_eq!(logical_id_of(&long), Some("Queue"));
        assert!(same(&short, &long));
        assert!(!same(&short, &get_att("Queue", "QueueName", sp())));
        let r = ref_to("AWS::NoValue", sp());
        assert!(is_no_value(&r));
        assert!(!is_no_value(&long));
    }

    #[test]
    fn scalar_types_follow_yaml() {
        assert!(is_int(&plain("10", sp())));
        assert!(!is_int(&string("10", sp())));
        assert!(is_str(&string("10", sp())));
        assert!(!is_str(&plain("10", sp())));
        assert!(is_str(&plain("abc", sp())));
        assert_eq!(as_bool(&plain("yes", sp())), Some(true));
        assert!(!truthy(Some(&plain("false", sp()))));
        assert!(!truthy(Some(&plain("0", sp()))));
        assert!(truthy(Some(&string("x", sp()))));
        assert!(!truthy(Some(&seq(vec![], sp()))));
    }
}
