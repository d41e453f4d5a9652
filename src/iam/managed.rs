//! AWS managed policies, embedded (spec key MAMIP: the default version of each policy in
//! github.com/zoph-io/MAMIP at the commit named in `_index.json`).
//!
//! Input: a managed policy ARN as written (`arn:aws:iam::aws:policy/service-role/…`, the
//! `aws-cn` and `aws-us-gov` partitions, or `arn:${AWS::Partition}:iam::aws:policy/…`).
//! Output: the policy with its name, version and date, and its parsed document (parsed once,
//! on first use).
//!
//! Assumption: the documents of the `aws-cn` and `aws-us-gov` partitions equal those of the
//! `aws` partition (MAMIP archives the `aws` partition only; spec §10.6 treats the partition
//! variants as the same policies).

use std::sync::{Arc, LazyLock, OnceLock};

use super::policy::{self, DocumentKind, ParsedPolicy};
use crate::model::{Part, Pseudo, SymStr, Symbol, Value};

#[rustfmt::skip]
#[path = "managed_data.rs"]
mod data;

/// One embedded AWS managed policy.
#[derive(Debug)]
pub struct ManagedPolicy {
    pub name: &'static str,
    /// ARN in the `aws` partition.
    pub arn: String,
    /// Default version id (`v3`).
    pub version: String,
    /// Creation date of that version (ISO 8601).
    pub date: String,
    document: &'static str,
    parsed: OnceLock<Arc<ParsedPolicy>>,
}

impl ManagedPolicy {
    /// The document as a model value (no spans).
    pub fn document(&self) -> Value {
        match serde_json::from_str::<serde_json::Value>(self.document) {
            Ok(json) => Value::from_json(&json),
            Err(e) => Value::new(
                crate::model::ValueKind::Unknown(format!(
                    "the embedded document of `{}` cannot be read: {e}",
                    self.name
                )),
                None,
            ),
        }
    }

    /// The parsed document, shared by every role that attaches the policy.
    pub fn parsed(&self) -> Arc<ParsedPolicy> {
        self.parsed
            .get_or_init(|| Arc::new(policy::parse(&self.document(), DocumentKind::Identity)))
            .clone()
    }

    /// The document text as embedded.
    pub fn text(&self) -> &'static str {
        self.document
    }

    /// The part of the ARN after `policy/` (`service-role/AWSLambdaBasicExecutionRole`).
    pub fn path_and_name(&self) -> &str {
        self.arn.split_once(":policy/").map_or("", |(_, rest)| rest)
    }
}

#[derive(serde::Deserialize)]
struct Index {
    source_commit: String,
    source_commit_date: String,
    policies: std::collections::BTreeMap<String, IndexEntry>,
}

#[derive(serde::Deserialize)]
struct IndexEntry {
    arn: String,
    default_version: String,
    version_create_date: String,
}

struct Embedded {
    policies: Vec<ManagedPolicy>,
    commit: String,
    commit_date: String,
}

static EMBEDDED: LazyLock<Embedded> = LazyLock::new(|| {
    let index: Option<Index> = serde_json::from_str(data::INDEX).ok();
    let (commit, commit_date, entries) = match index {
        Some(i) => (i.source_commit, i.source_commit_date, i.policies),
        None => (String::new(), String::new(), Default::default()),
    };
    let policies = data::DOCUMENTS
        .iter()
        .filter_map(|(name, document)| {
            let entry = entries.get(*name)?;
            Some(ManagedPolicy {
                name,
                arn: entry.arn.clone(),
                version: entry.default_version.clone(),
                date: entry.version_create_date.clone(),
                document,
                parsed: OnceLock::new(),
            })
        })
        .collect();
    Embedded {
        policies,
        commit,
        commit_date,
    }
});

/// Every embedded policy, sorted by name.
pub fn all() -> &'static [ManagedPolicy] {
    &EMBEDDED.policies
}

/// The MAMIP commit and its date the documents come from.
pub fn source() -> (&'static str, &'static str) {
    (&EMBEDDED.commit, &EMBEDDED.commit_date)
}

/// What a managed policy ARN names.
#[derive(Debug)]
pub enum ManagedLookup {
    Found(&'static ManagedPolicy),
    /// Not an AWS managed policy (a customer managed policy defined elsewhere).
    NotAwsManaged,
    /// An AWS managed policy that is not embedded; `suggestion` when an embedded policy has
    /// the same name under another path (a likely mistake: AWS managed policy names are unique).
    UnknownAwsManaged {
        suggestion: Option<&'static ManagedPolicy>,
    },
    /// The ARN depends on a value the input does not give, with the reason.
    Undetermined(String),
}

/// Resolves a managed policy ARN.
pub fn lookup(arn: &SymStr) -> ManagedLookup {
    // Spell the ARN out with the partition symbol as a placeholder; any other symbol leaves it
    // undetermined unless the literal text already shows it is not an AWS managed policy.
    let mut text = String::new();
    let mut other_symbols: Vec<&Symbol> = Vec::new();
    for part in &arn.parts {
        match part {
            Part::Lit(t) => text.push_str(t),
            Part::Sym(Symbol::Pseudo(Pseudo::Partition)) if other_symbols.is_empty() => {
                text.push_str("aws");
            }
            // An account id is twelve digits, never `aws`.
            Part::Sym(Symbol::Pseudo(Pseudo::AccountId)) => text.push_str("000000000000"),
            Part::Sym(s) => {
                other_symbols.push(s);
                text.push('\u{0}');
            }
        }
    }
    let Some(rest) = text.strip_prefix("arn:") else {
        return if other_symbols.is_empty() {
            ManagedLookup::NotAwsManaged
        } else {
            undetermined(&other_symbols)
        };
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return undetermined_or_not(&other_symbols);
    };
    let Some(path) = rest.strip_prefix("iam::aws:policy/") else {
        if rest.starts_with("iam::") && !rest.starts_with("iam::\u{0}") {
            return ManagedLookup::NotAwsManaged;
        }
        return undetermined_or_not(&other_symbols);
    };
    if !other_symbols.is_empty() || partition.contains('\u{0}') {
        return undetermined(&other_symbols);
    }
    if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
        return ManagedLookup::UnknownAwsManaged { suggestion: None };
    }
    if let Some(found) = all().iter().find(|p| p.path_and_name() == path) {
        return ManagedLookup::Found(found);
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let suggestion = all().iter().find(|p| {
        p.name.eq_ignore_ascii_case(name) || p.path_and_name().eq_ignore_ascii_case(path)
    });
    ManagedLookup::UnknownAwsManaged { suggestion }
}

fn undetermined(symbols: &[&Symbol]) -> ManagedLookup {
    let reasons: Vec<String> = symbols.iter().map(|s| s.reason()).collect();
    ManagedLookup::Undetermined(reasons.join("; "))
}

fn undetermined_or_not(symbols: &[&Symbol]) -> ManagedLookup {
    if symbols.is_empty() {
        ManagedLookup::NotAwsManaged
    } else {
        undetermined(symbols)
    }
}

#[cfg(test)]
mod tests;
