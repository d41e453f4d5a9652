//! Symbolic values: what a property is after intrinsic functions and Terraform references are
//! resolved as far as the input allows.
//!
//! A string is a sequence of literal text and [`Symbol`]s (`arn:` `${AWS::Partition}` `:sqs:` ...).
//! A symbol stands for a value the input does not determine (a pseudo parameter, a generated
//! physical name, an imported value, an unknown-after-apply attribute). Two occurrences of the
//! same symbol always stand for the same text, which is what lets the IAM engine say that
//! `!GetAtt Queue.Arn` in a policy and in a mapping name the same queue.

use std::fmt;

use crate::source::Span;

/// A pseudo parameter of CloudFormation, or the provider-level equivalent of Terraform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum Pseudo {
    Partition,
    Region,
    AccountId,
    StackName,
    StackId,
    UrlSuffix,
    NotificationArns,
}

impl Pseudo {
    pub fn from_cfn(name: &str) -> Option<Pseudo> {
        Some(match name {
            "AWS::Partition" => Pseudo::Partition,
            "AWS::Region" => Pseudo::Region,
            "AWS::AccountId" => Pseudo::AccountId,
            "AWS::StackName" => Pseudo::StackName,
            "AWS::StackId" => Pseudo::StackId,
            "AWS::URLSuffix" => Pseudo::UrlSuffix,
            "AWS::NotificationARNs" => Pseudo::NotificationArns,
            _ => return None,
        })
    }

    pub fn cfn_name(self) -> &'static str {
        match self {
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
        }
    }
}

/// A value the input does not determine. Equal symbols stand for equal text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Symbol {
    /// `AWS::Region`, `AWS::AccountId`, ... (or the Terraform provider's region/account).
    Pseudo(Pseudo),
    /// A template parameter without a `Default` (or a Terraform variable without a value).
    Param(String),
    /// The name CloudFormation (or Terraform, for `name_prefix`) generates for a resource that
    /// does not set one. Distinct resources have distinct generated names.
    PhysicalName { resource: String },
    /// An attribute of a resource in the input that the model cannot spell out
    /// (a random id, a timestamp label, an unknown-after-apply ARN). Attributes of distinct
    /// resources are distinct values.
    Attr { resource: String, attr: String },
    /// `Fn::ImportValue` of an export from another stack.
    Import(String),
    /// Anything else that cannot be resolved, with the reason.
    Unknown(String),
}

impl Symbol {
    /// The resource whose identity this symbol carries, when two symbols of different
    /// resources can never be equal.
    pub fn distinct_resource(&self) -> Option<&str> {
        match self {
            Symbol::PhysicalName { resource } | Symbol::Attr { resource, .. } => Some(resource),
            _ => None,
        }
    }

    /// True when the symbol's value can never contain `:` (so it fills one ARN segment).
    pub fn is_single_segment(&self) -> bool {
        matches!(
            self,
            Symbol::Pseudo(Pseudo::Partition | Pseudo::Region | Pseudo::AccountId)
        )
    }

    /// The number of characters of the value when it is fixed: the six random characters
    /// Secrets Manager appends to a secret's name (`secret:name-AbCdEf`), which a policy
    /// matches with `-??????` (L-MSK-PERM, research spec §1.9.1).
    pub fn fixed_len(&self) -> Option<usize> {
        match self {
            // `RandomSuffix` in templates, `random_suffix` in plans.
            Symbol::Attr { attr, .. } if attr == "RandomSuffix" || attr == "random_suffix" => {
                Some(6)
            }
            _ => None,
        }
    }

    /// Why this value is not known, in words for a "cannot verify" message.
    pub fn reason(&self) -> String {
        match self {
            Symbol::Pseudo(p) => format!("`{}` is only known at deploy time", p.cfn_name()),
            Symbol::Param(p) => format!("parameter `{p}` has no default"),
            Symbol::PhysicalName { resource } => {
                format!("the name of `{resource}` is generated at deploy time")
            }
            Symbol::Attr { resource, attr } => {
                format!("`{resource}.{attr}` is only known after deploy")
            }
            Symbol::Import(name) => format!("`{name}` is imported from another stack"),
            Symbol::Unknown(reason) => reason.clone(),
        }
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Symbol::Pseudo(p) => write!(f, "${{{}}}", p.cfn_name()),
            Symbol::Param(p) => write!(f, "${{{p}}}"),
            Symbol::PhysicalName { resource } => write!(f, "${{{resource}}}"),
            Symbol::Attr { resource, attr } => write!(f, "${{{resource}.{attr}}}"),
            Symbol::Import(name) => write!(f, "${{ImportValue {name}}}"),
            Symbol::Unknown(_) => write!(f, "${{unknown}}"),
        }
    }
}

/// One piece of a [`SymStr`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    Lit(String),
    Sym(Symbol),
}

impl AttrRef {
    /// The `attr` of a value that `Fn::ImportValue` brings from another template.
    pub const IMPORT: &'static str = "Fn::ImportValue";
}

/// Which resource attribute a whole value is, when it is exactly one `Ref` / `GetAtt` /
/// Terraform reference. Used to link a mapping to its queue, a function to its role, ...
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttrRef {
    /// Logical id (CloudFormation) or configuration address (Terraform) of the resource.
    pub resource: String,
    /// `Ref` for CloudFormation `Ref`, otherwise the attribute name (`Arn`, `StreamArn`, `arn`);
    /// [`AttrRef::IMPORT`] for a value imported from another template of the application (then
    /// `resource` is the export name).
    pub attr: String,
}

/// A string with symbolic parts. Adjacent literals are always merged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SymStr {
    pub parts: Vec<Part>,
    /// Set when the whole string is one resource attribute.
    pub refers: Option<AttrRef>,
}

impl SymStr {
    /// The literal text with each symbol replaced by `\u{1}`, a character that appears in no
    /// name or ARN: for finding literal markers (`:function:`) around symbols. Two different
    /// symbols give the same text, so equal texts do not make equal values.
    pub fn flat_text(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(t) => out.push_str(t),
                Part::Sym(_) => out.push('\u{1}'),
            }
        }
        out
    }

    pub fn lit(s: impl Into<String>) -> SymStr {
        let s = s.into();
        SymStr {
            parts: if s.is_empty() {
                Vec::new()
            } else {
                vec![Part::Lit(s)]
            },
            refers: None,
        }
    }

    pub fn sym(sym: Symbol) -> SymStr {
        SymStr {
            parts: vec![Part::Sym(sym)],
            refers: None,
        }
    }

    pub fn with_refers(mut self, resource: impl Into<String>, attr: impl Into<String>) -> SymStr {
        self.refers = Some(AttrRef {
            resource: resource.into(),
            attr: attr.into(),
        });
        self
    }

    /// Appends a literal, merging with a trailing literal.
    pub fn push_lit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        self.refers = None;
        if let Some(Part::Lit(last)) = self.parts.last_mut() {
            last.push_str(s);
        } else {
            self.parts.push(Part::Lit(s.to_string()));
        }
    }

    pub fn push_sym(&mut self, sym: Symbol) {
        self.refers = None;
        self.parts.push(Part::Sym(sym));
    }

    /// Appends another symbolic string.
    pub fn push(&mut self, other: &SymStr) {
        let was_empty = self.parts.is_empty();
        for part in &other.parts {
            match part {
                Part::Lit(s) => self.push_lit(s),
                Part::Sym(sym) => self.push_sym(sym.clone()),
            }
        }
        if was_empty {
            self.refers.clone_from(&other.refers);
        }
    }

    /// The text when there is no symbolic part.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Lit(s)] => Some(s),
            _ => None,
        }
    }

    pub fn is_literal(&self) -> bool {
        self.as_literal().is_some()
    }

    pub fn symbols(&self) -> impl Iterator<Item = &Symbol> {
        self.parts.iter().filter_map(|p| match p {
            Part::Sym(s) => Some(s),
            Part::Lit(_) => None,
        })
    }

    /// The literal text before the first symbol (e.g. `arn:` for `arn:${AWS::Partition}:...`).
    pub fn literal_prefix(&self) -> &str {
        match self.parts.first() {
            Some(Part::Lit(s)) => s,
            _ => "",
        }
    }
}

impl fmt::Display for SymStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Lit(s) => f.write_str(s)?,
                Part::Sym(sym) => write!(f, "{sym}")?,
            }
        }
        Ok(())
    }
}

/// A structured value after resolution, as used for policy documents and other nested
/// properties. Spans point into the stack's file; `None` for inputs without lines (plans).
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    Null,
    /// Strings, numbers and booleans, as text (CloudFormation types them per property).
    Str(SymStr),
    List(Vec<Value>),
    Map(Vec<(MapKey, Value)>),
    /// `Fn::If` whose condition cannot be decided: both branches are kept.
    /// A branch that is `AWS::NoValue` is `Null` with `no_value` set by the reader.
    If {
        condition: String,
        then: Box<Value>,
        otherwise: Box<Value>,
    },
    /// `AWS::NoValue`: the property or list item is absent.
    NoValue,
    /// A value that cannot be resolved at all (e.g. `Fn::GetAZs`), with the reason.
    Unknown(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapKey {
    pub text: String,
    pub span: Option<Span>,
}

impl Value {
    pub fn new(kind: ValueKind, span: Option<Span>) -> Value {
        Value { kind, span }
    }

    pub fn str(s: SymStr, span: Option<Span>) -> Value {
        Value {
            kind: ValueKind::Str(s),
            span,
        }
    }

    pub fn as_symstr(&self) -> Option<&SymStr> {
        match &self.kind {
            ValueKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The literal text of a string value without symbolic parts.
    pub fn as_literal(&self) -> Option<&str> {
        self.as_symstr()?.as_literal()
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            ValueKind::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(MapKey, Value)]> {
        match &self.kind {
            ValueKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value of `key` in a map.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| v)
    }

    /// Case-insensitive key lookup, for documents whose keys AWS reads case-insensitively.
    pub fn get_ignore_case(&self, key: &str) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.text.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// Converts a parsed JSON value (a Terraform policy string, an embedded managed policy)
    /// into a [`Value`] without spans.
    pub fn from_json(json: &serde_json::Value) -> Value {
        let kind = match json {
            serde_json::Value::Null => ValueKind::Null,
            serde_json::Value::Bool(b) => ValueKind::Str(SymStr::lit(b.to_string())),
            serde_json::Value::Number(n) => ValueKind::Str(SymStr::lit(n.to_string())),
            serde_json::Value::String(s) => ValueKind::Str(SymStr::lit(s.clone())),
            serde_json::Value::Array(items) => {
                ValueKind::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => ValueKind::Map(
                map.iter()
                    .map(|(k, v)| {
                        (
                            MapKey {
                                text: k.clone(),
                                span: None,
                            },
                            Value::from_json(v),
                        )
                    })
                    .collect(),
            ),
        };
        Value { kind, span: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_merges_literals_and_keeps_symbols() {
        let mut s = SymStr::lit("arn:");
        s.push_sym(Symbol::Pseudo(Pseudo::Partition));
        s.push_lit(":sqs:");
        s.push_lit("x");
        assert_eq!(s.parts.len(), 3);
        assert_eq!(s.to_string(), "arn:${AWS::Partition}:sqs:x");
        assert!(!s.is_literal());
    }

    #[test]
    fn push_of_a_single_reference_keeps_its_identity() {
        let queue = SymStr::sym(Symbol::Attr {
            resource: "Q".into(),
            attr: "Arn".into(),
        })
        .with_refers("Q", "Arn");
        let mut s = SymStr::default();
        s.push(&queue);
        assert_eq!(s.refers, queue.refers);
        s.push_lit("/*");
        assert_eq!(s.refers, None);
    }
}
