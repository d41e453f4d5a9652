//! The one generic tree: what a CloudFormation or SAM template looks like before it means anything.
//!
//! Both the YAML and the JSON reader produce a [`Node`]. Scalars keep their raw text and style
//! (CloudFormation decides types per property; `012345678901` must stay a string). Tags keep the
//! CloudFormation short form without the `!` (`Ref`, `GetAtt`, `Sub`, ...). Every node and every
//! key carries a byte [`Span`] in its file.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    /// A CloudFormation short-form tag without the `!`, e.g. `GetAtt`. YAML core tags are
    /// resolved by the reader and never appear here.
    pub tag: Option<Box<str>>,
    pub kind: NodeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A scalar with its text as written (quotes removed, escapes resolved).
    Scalar {
        raw: Box<str>,
        style: ScalarStyle,
    },
    Seq(Vec<Node>),
    /// A mapping in source order. Keys are unique (readers reject duplicates).
    Map(Vec<(Key, Node)>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    pub text: Box<str>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    /// A plain YAML scalar or a JSON number / `true` / `false`.
    Plain,
    /// A quoted YAML scalar or a JSON string.
    Quoted,
    /// A YAML literal (`|`) or folded (`>`) block.
    Block,
    /// YAML `null`, `~`, an empty value, or JSON `null`.
    Null,
}

impl Node {
    pub fn scalar(raw: impl Into<Box<str>>, style: ScalarStyle, span: Span) -> Node {
        Node {
            span,
            tag: None,
            kind: NodeKind::Scalar {
                raw: raw.into(),
                style,
            },
        }
    }

    /// The scalar text, when this is an untagged, non-null scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { raw, style }
                if self.tag.is_none() && *style != ScalarStyle::Null =>
            {
                Some(raw)
            }
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(
            self.kind,
            NodeKind::Scalar {
                style: ScalarStyle::Null,
                ..
            }
        ) && self.tag.is_none()
    }

    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.kind {
            NodeKind::Map(entries) if self.tag.is_none() => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) if self.tag.is_none() => Some(items),
            _ => None,
        }
    }

    /// The value of `key` in an untagged mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| &*k.text == key)
            .map(|(_, v)| v)
    }

    /// The key and value of `key` in an untagged mapping.
    pub fn get_entry(&self, key: &str) -> Option<(&Key, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| &*k.text == key)
            .map(|(k, v)| (k, v))
    }
}
