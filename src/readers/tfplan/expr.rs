//! Configuration expressions, reference strings and instance keys of `terraform show -json`.
//!
//! Input: the `expressions` objects of the `configuration` section and the strings in their
//! `references` arrays. Output: an [`Expr`] tree per resource block and parsed [`Reference`]s.
//! The expression format is TF-JSON's "block expressions representation" (spec §8.2): an
//! attribute is `{"constant_value": …}`, `{"references": […]}`, or `{}` (a function call or other
//! expression without either); a nested block is an object (`single`/`group` nesting) or an array
//! of objects (`list`/`set` nesting).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A string that borrows from the input when it has no escapes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl<'de> Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

/// One attribute's expression: `constant_value` and/or `references`, both absent for `{}`.
#[derive(Clone, Debug, Default)]
pub struct Leaf<'a> {
    pub constant: Option<&'a RawValue>,
    pub references: Vec<Cow<'a, str>>,
}

/// Whether a `constant_value` holds a string with a `${` or `%{` template sequence, anywhere
/// in it.
fn unevaluated_template(raw: &str) -> bool {
    raw.contains("${") || raw.contains("%{")
}

/// The expressions of a resource block or of one nested block, in source order.
#[derive(Debug, Default)]
pub struct Block<'a> {
    pub entries: Vec<(Cow<'a, str>, Expr<'a>)>,
}

impl<'a> Block<'a> {
    pub fn get(&self, key: &str) -> Option<&Expr<'a>> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

#[derive(Debug)]
pub enum Expr<'a> {
    Leaf(Leaf<'a>),
    /// A nested block written once, or a map of blocks by label.
    Block(Block<'a>),
    /// Nested blocks with list or set nesting: one entry per block in the source.
    Blocks(Vec<Block<'a>>),
}

impl<'de> Deserialize<'de> for Expr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ExprVisitor;
        impl<'de> Visitor<'de> for ExprVisitor {
            type Value = Expr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an expression object or a list of block expressions")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Expr<'de>, A::Error> {
                let mut leaf = Leaf::default();
                let mut entries = Vec::new();
                while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
                    match &*key {
                        "constant_value" => leaf.constant = Some(map.next_value()?),
                        "references" => {
                            let refs: Vec<Text<'de>> = map.next_value()?;
                            leaf.references = refs.into_iter().map(|t| t.0).collect();
                        }
                        _ => entries.push((key, map.next_value::<Expr<'de>>()?)),
                    }
                }
                // An attribute of a `.tf.json` file is written with its template text as
                // `constant_value` (`"${aws_sqs_queue.q.arn}"`, what the JSON string reads as
                // without evaluation) beside its `references`: that text is not the value. A
                // native-syntax constant has no references and no unescaped `${`, so a template
                // seen here is never taken for a value (at worst a `$${` text is unknown).
                if leaf
                    .constant
                    .is_some_and(|c| !leaf.references.is_empty() || unevaluated_template(c.get()))
                {
                    leaf.constant = None;
                }
                if entries.is_empty() {
                    Ok(Expr::Leaf(leaf))
                } else {
                    Ok(Expr::Block(Block { entries }))
                }
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Expr<'de>, A::Error> {
                let mut blocks = Vec::new();
                while let Some(e) = seq.next_element::<Expr<'de>>()? {
                    blocks.push(match e {
                        Expr::Block(b) => b,
                        // An empty block (`vpc_config {}`) is written `{}`.
                        Expr::Leaf(_) | Expr::Blocks(_) => Block::default(),
                    });
                }
                Ok(Expr::Blocks(blocks))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Expr<'de>, E> {
                Ok(Expr::Leaf(Leaf::default()))
            }
        }
        d.deserialize_any(ExprVisitor)
    }
}

/// Decodes a block's expressions; malformed ones are treated as absent.
pub fn parse_block(raw: Option<&RawValue>) -> Block<'_> {
    let Some(raw) = raw else {
        return Block::default();
    };
    match serde_json::from_str::<Expr<'_>>(raw.get()) {
        Ok(Expr::Block(b)) => b,
        _ => Block::default(),
    }
}

/// An instance key: none, a count index, or a for_each key.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Key {
    #[default]
    None,
    Int(i64),
    Str(String),
}

impl Key {
    /// The key from a resource's `index` value.
    pub fn from_index(raw: Option<&RawValue>) -> Key {
        let Some(raw) = raw else {
            return Key::None;
        };
        let text = raw.get();
        if text.starts_with('"') {
            serde_json::from_str::<String>(text)
                .map(Key::Str)
                .unwrap_or(Key::None)
        } else {
            text.parse::<i64>().map(Key::Int).unwrap_or(Key::None)
        }
    }

    /// The key as a value (`count.index`, `each.key`).
    pub fn text(&self) -> Option<String> {
        match self {
            Key::None => None,
            Key::Int(i) => Some(i.to_string()),
            Key::Str(s) => Some(s.clone()),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::None => Ok(()),
            Key::Int(i) => write!(f, "[{i}]"),
            Key::Str(s) => {
                let quoted = serde_json::to_string(s).map_err(|_| fmt::Error)?;
                write!(f, "[{quoted}]")
            }
        }
    }
}

/// One step after a reference's subject: `.attr`, `[0]` or `["key"]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step<'s> {
    Attr(Cow<'s, str>),
    Index(Key),
}

impl fmt::Display for Step<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Attr(a) => write!(f, ".{a}"),
            Step::Index(k) => write!(f, "{k}"),
        }
    }
}

/// What a reference names (TF-JSON `references` entries, spec §8.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject<'s> {
    Resource {
        data: bool,
        rtype: &'s str,
        name: &'s str,
        key: Option<Key>,
    },
    Var(&'s str),
    Local(&'s str),
    Module {
        name: &'s str,
        key: Option<Key>,
        output: Option<&'s str>,
    },
    CountIndex,
    EachKey,
    EachValue,
    /// `path.*`, `terraform.*`, `self`, or anything not understood.
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference<'s> {
    pub subject: Subject<'s>,
    pub steps: Vec<Step<'s>>,
}

impl Reference<'_> {
    /// True when `self` is `other` or a shorter form of it (`aws_x.y` of `aws_x.y[0].arn`).
    /// Terraform lists every shorter form after the full reference (spec §8.2).
    pub fn is_prefix_of(&self, other: &Reference<'_>) -> bool {
        let key_covers = |a: &Option<Key>, b: &Option<Key>| a.is_none() || a == b;
        let subject = match (&self.subject, &other.subject) {
            (
                Subject::Resource {
                    data,
                    rtype,
                    name,
                    key,
                },
                Subject::Resource {
                    data: d2,
                    rtype: t2,
                    name: n2,
                    key: k2,
                },
            ) => data == d2 && rtype == t2 && name == n2 && key_covers(key, k2),
            (
                Subject::Module { name, key, output },
                Subject::Module {
                    name: n2,
                    key: k2,
                    output: o2,
                },
            ) => name == n2 && key_covers(key, k2) && (output.is_none() || output == o2),
            (a, b) => a == b,
        };
        subject
            && self.steps.len() <= other.steps.len()
            && self.steps.iter().zip(&other.steps).all(|(a, b)| a == b)
    }
}

/// Splits a reference string into identifiers and index keys.
fn tokens(s: &str) -> Option<Vec<Step<'_>>> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut expect_ident = true;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'.') if !expect_ident => {
                i += 1;
                expect_ident = true;
            }
            Some(b'[') => {
                let close = index_end(s, i)?;
                let inner = s.get(i + 1..close)?;
                let key = if inner.starts_with('"') {
                    Key::Str(serde_json::from_str::<String>(inner).ok()?)
                } else {
                    Key::Int(inner.parse().ok()?)
                };
                out.push(Step::Index(key));
                i = close + 1;
                expect_ident = false;
            }
            Some(_) if expect_ident => {
                let end = s
                    .get(i..)?
                    .find(['.', '['])
                    .map(|e| e + i)
                    .unwrap_or(s.len());
                let ident = s.get(i..end)?;
                if ident.is_empty() {
                    return None;
                }
                out.push(Step::Attr(Cow::Borrowed(ident)));
                i = end;
                expect_ident = false;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The position of the `]` closing the index that opens at `open`.
fn index_end(s: &str, open: usize) -> Option<usize> {
    let rest = s.get(open + 1..)?;
    if rest.starts_with('"') {
        let mut escaped = false;
        for (i, c) in rest.char_indices().skip(1) {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    let after = open + 1 + i + 1;
                    return (s.as_bytes().get(after) == Some(&b']')).then_some(after);
                }
                _ => {}
            }
        }
        None
    } else {
        rest.find(']').map(|e| open + 1 + e)
    }
}

fn ident<'s>(step: Option<&Step<'s>>) -> Option<&'s str> {
    match step {
        Some(Step::Attr(Cow::Borrowed(a))) => Some(a),
        _ => None,
    }
}

fn key_of(step: Option<&Step<'_>>) -> Option<Key> {
    match step {
        Some(Step::Index(k)) => Some(k.clone()),
        _ => None,
    }
}

impl<'s> Reference<'s> {
    /// Parses one entry of a `references` array.
    pub fn parse(s: &'s str) -> Reference<'s> {
        let other = Reference {
            subject: Subject::Other,
            steps: Vec::new(),
        };
        let Some(toks) = tokens(s) else {
            return other;
        };
        let first = ident(toks.first());
        let rest = |n: usize| toks.get(n..).map(<[Step<'s>]>::to_vec).unwrap_or_default();
        match first {
            Some("var") => match ident(toks.get(1)) {
                Some(name) => Reference {
                    subject: Subject::Var(name),
                    steps: rest(2),
                },
                None => other,
            },
            Some("local") => match ident(toks.get(1)) {
                Some(name) => Reference {
                    subject: Subject::Local(name),
                    steps: rest(2),
                },
                None => other,
            },
            Some("count") => match ident(toks.get(1)) {
                Some("index") => Reference {
                    subject: Subject::CountIndex,
                    steps: Vec::new(),
                },
                _ => other,
            },
            Some("each") => match ident(toks.get(1)) {
                Some("key") => Reference {
                    subject: Subject::EachKey,
                    steps: Vec::new(),
                },
                Some("value") => Reference {
                    subject: Subject::EachValue,
                    steps: rest(2),
                },
                _ => other,
            },
            Some("path" | "terraform" | "self") => other,
            Some("module") => {
                let Some(name) = ident(toks.get(1)) else {
                    return other;
                };
                let key = key_of(toks.get(2));
                let at = if key.is_some() { 3 } else { 2 };
                let output = ident(toks.get(at));
                Reference {
                    subject: Subject::Module { name, key, output },
                    steps: rest(if output.is_some() { at + 1 } else { at }),
                }
            }
            Some("data") => match (ident(toks.get(1)), ident(toks.get(2))) {
                (Some(rtype), Some(name)) => {
                    let key = key_of(toks.get(3));
                    let at = if key.is_some() { 4 } else { 3 };
                    Reference {
                        subject: Subject::Resource {
                            data: true,
                            rtype,
                            name,
                            key,
                        },
                        steps: rest(at),
                    }
                }
                _ => other,
            },
            Some(rtype) => match ident(toks.get(1)) {
                Some(name) => {
                    let key = key_of(toks.get(2));
                    let at = if key.is_some() { 3 } else { 2 };
                    Reference {
                        subject: Subject::Resource {
                            data: false,
                            rtype,
                            name,
                            key,
                        },
                        steps: rest(at),
                    }
                }
                None => other,
            },
            None => other,
        }
    }
}

impl fmt::Display for Reference<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = |k: &Option<Key>| k.as_ref().map(Key::to_string).unwrap_or_default();
        match &self.subject {
            Subject::Resource {
                data,
                rtype,
                name,
                key: k,
            } => write!(
                f,
                "{}{rtype}.{name}{}",
                if *data { "data." } else { "" },
                key(k)
            )?,
            Subject::Var(n) => write!(f, "var.{n}")?,
            Subject::Local(n) => write!(f, "local.{n}")?,
            Subject::Module {
                name,
                key: k,
                output,
            } => {
                write!(f, "module.{name}{}", key(k))?;
                if let Some(o) = output {
                    write!(f, ".{o}")?;
                }
            }
            Subject::CountIndex => f.write_str("count.index")?,
            Subject::EachKey => f.write_str("each.key")?,
            Subject::EachValue => f.write_str("each.value")?,
            Subject::Other => f.write_str("an expression")?,
        }
        for s in &self.steps {
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

/// A module instance path (`module.a[0].module.b`) parsed into names and keys.
pub fn parse_module_address(address: &str) -> Option<Vec<(String, Key)>> {
    let toks = tokens(address)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if ident(toks.get(i)) != Some("module") {
            return None;
        }
        let name = ident(toks.get(i + 1))?;
        let key = key_of(toks.get(i + 2));
        i += if key.is_some() { 3 } else { 2 };
        out.push((name.to_string(), key.unwrap_or_default()));
    }
    Some(out)
}

/// The address of a module instance path; empty for the root module.
pub fn module_address(path: &[(String, Key)]) -> String {
    let mut s = String::new();
    for (name, key) in path {
        if !s.is_empty() {
            s.push('.');
        }
        s.push_str("module.");
        s.push_str(name);
        s.push_str(&key.to_string());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_references() {
        let r = Reference::parse("module.app[\"a.b\"].queue_arn");
        assert_eq!(
            r.subject,
            Subject::Module {
                name: "app",
                key: Some(Key::Str("a.b".into())),
                output: Some("queue_arn"),
            }
        );
        let r = Reference::parse("data.aws_iam_policy_document.d[0].json");
        assert_eq!(
            r.subject,
            Subject::Resource {
                data: true,
                rtype: "aws_iam_policy_document",
                name: "d",
                key: Some(Key::Int(0)),
            }
        );
        assert_eq!(r.steps, vec![Step::Attr("json".into())]);
        assert_eq!(r.to_string(), "data.aws_iam_policy_document.d[0].json");
        assert_eq!(Reference::parse("each.key").subject, Subject::EachKey);
        assert_eq!(Reference::parse("path.module").subject, Subject::Other);
        assert_eq!(Reference::parse("a..b").subject, Subject::Other);
        assert_eq!(
            Reference::parse("aws_x.y[\"unterminated").subject,
            Subject::Other
        );
    }

    #[test]
    fn shorter_forms_are_prefixes() {
        let full = Reference::parse("aws_sqs_queue.q[0].arn");
        for short in ["aws_sqs_queue.q[0]", "aws_sqs_queue.q"] {
            assert!(Reference::parse(short).is_prefix_of(&full), "{short}");
        }
        assert!(!Reference::parse("aws_sqs_queue.q[1]").is_prefix_of(&full));
        assert!(!Reference::parse("aws_sqs_queue.r").is_prefix_of(&full));
        let out = Reference::parse("module.m[0].out");
        assert!(Reference::parse("module.m").is_prefix_of(&out));
    }

    #[test]
    fn module_addresses_round_trip() {
        let path = parse_module_address("module.a[0].module.b[\"k\"]").unwrap();
        assert_eq!(
            path,
            vec![
                ("a".to_string(), Key::Int(0)),
                ("b".to_string(), Key::Str("k".into()))
            ]
        );
        assert_eq!(module_address(&path), "module.a[0].module.b[\"k\"]");
        assert_eq!(parse_module_address(""), Some(Vec::new()));
    }

    #[test]
    fn expressions_distinguish_leaves_and_blocks() {
        let json = r#"{"role":{"references":["aws_iam_role.r.arn","aws_iam_role.r"]},
            "vpc_config":[{"subnet_ids":{"constant_value":["s-1"]}}],
            "input":{}}"#;
        let raw = serde_json::from_str::<Box<RawValue>>(json).unwrap();
        let b = parse_block(Some(&raw));
        match b.get("role") {
            Some(Expr::Leaf(l)) => assert_eq!(l.references.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(b.get("vpc_config"), Some(Expr::Blocks(v)) if v.len() == 1));
        assert!(matches!(b.get("input"), Some(Expr::Leaf(l)) if l.constant.is_none()));
    }

    #[test]
    fn the_template_text_of_a_tf_json_attribute_is_not_a_constant() {
        // What `terraform show -json` writes for `"role": "${aws_iam_role.r.arn}"` and
        // `"policy": "${jsonencode({…})}"` of a `.tf.json` file: the JSON string, unevaluated.
        let json = r#"{"role":{"constant_value":"${aws_iam_role.r.arn}",
                "references":["aws_iam_role.r.arn","aws_iam_role.r"]},
            "policy":{"constant_value":"${jsonencode({a = 1})}"},
            "name":{"constant_value":"orders"}}"#;
        let raw = serde_json::from_str::<Box<RawValue>>(json).unwrap();
        let b = parse_block(Some(&raw));
        assert!(
            matches!(b.get("role"), Some(Expr::Leaf(l)) if l.constant.is_none() && l.references.len() == 2)
        );
        assert!(matches!(b.get("policy"), Some(Expr::Leaf(l)) if l.constant.is_none()));
        assert!(
            matches!(b.get("name"), Some(Expr::Leaf(l)) if l.constant.map(RawValue::get) == Some("\"orders\""))
        );
    }
}
