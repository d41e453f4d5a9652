//! Policy documents → statements.
//!
//! Input: a policy document as the model holds it ([`Value`], spans where the file has lines),
//! and whether it is an identity policy or a trust policy. Output: a [`ParsedPolicy`] — the
//! statements in written order and the [`Problem`]s found (each with the span it is about).
//!
//! Invariants:
//! * every string-or-list element (`Action`, `Resource`, `Principal` entries, condition values)
//!   becomes a list; `AWS::NoValue` items are dropped;
//! * an `Fn::If` whose condition the input does not decide never picks a branch: a statement
//!   inside one gets a presence guard, and a statement with `Fn::If` inside is kept as one
//!   [`Variant`] per combination of its conditions (up to [`MAX_VARIANT_CONDITIONS`]), so that
//!   evaluation can tell "allowed either way" from "depends on the condition";
//! * a statement IAM would reject (no `Effect`, no `Action`, both `Action` and `NotAction`, ...)
//!   is reported and left out; the rest of the policy is still evaluated;
//! * policy variables (`${aws:username}`) in `Resource` and condition values of a
//!   `2012-10-17` policy become unknown symbols; older versions treat them as text (IAM-VAR).

use crate::aws::actions::{self, ActionLookup};
use crate::model::{Part, SymStr, Symbol, Value, ValueKind};
use crate::source::Span;

/// Statements with more distinct `Fn::If` conditions than this are not expanded: they may
/// allow or deny anything.
pub const MAX_VARIANT_CONDITIONS: usize = 6;

/// What a document is for; decides which elements are required or prohibited (IAM-GRAMMAR).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// Identity-based policy or permissions boundary: `Resource` required, no `Principal`.
    Identity,
    /// Role trust policy: `Principal` required, no `Resource`.
    Trust,
    /// A policy attached to a resource (key policy, queue policy, ...): `Principal`
    /// required, `Resource` optional (IAM-GRAMMAR).
    Resource,
}

/// The kind of a problem, for checks that want to filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The document does not follow the policy grammar; IAM rejects it at deploy time.
    Invalid,
    /// An action (or action pattern) that is not in the catalogue.
    UnknownAction,
    /// A `Resource` entry that is not an ARN or `*`.
    InvalidResource,
    /// Over an IAM size quota.
    SizeLimit,
    /// A managed policy or boundary whose document is not in the input.
    Unresolved,
}

/// A problem with a document, located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// One line, lowercase first word, no final period, user values in backticks.
    pub message: String,
    pub span: Option<Span>,
    /// For an unknown action with a likely intended one: the replacement.
    pub correction: Option<Correction>,
}

/// A literal of the document and the value it was most likely meant to be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correction {
    /// As written (`sqs:RecieveMessage`).
    pub written: String,
    /// A known value within a small edit distance (`sqs:ReceiveMessage`).
    pub suggested: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ParsedPolicy {
    /// `Version`, when given as text.
    pub version: Option<String>,
    pub statements: Vec<Statement>,
    pub problems: Vec<Problem>,
}

/// A CloudFormation condition and the value it must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub condition: String,
    pub holds: bool,
}

impl Guard {
    /// "condition `C` is true" / "condition `C` is false".
    pub fn describe(&self) -> String {
        format!(
            "condition `{}` is {}",
            self.condition,
            if self.holds { "true" } else { "false" }
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// Position in the written `Statement` list (both branches of an `Fn::If` item share it).
    pub index: usize,
    pub sid: Option<String>,
    pub span: Option<Span>,
    /// The statement exists only when these hold (an `Fn::If` around it). Empty: always.
    pub presence: Vec<Guard>,
    /// One entry per combination of the conditions of `Fn::If`s inside the statement; exactly
    /// one of them applies. A single entry when there is no `Fn::If` inside.
    pub variants: Vec<Variant>,
    /// The conditions that choose between `variants`, in order of appearance.
    pub chosen_by: Vec<String>,
    /// Set when the statement cannot be read at all (an unresolvable value in place of the
    /// statement, too many conditions): it may allow or deny anything.
    pub opaque: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub effect: Effect,
    pub actions: Option<Targets<ActionPattern>>,
    pub resources: Option<Targets<ResourcePattern>>,
    pub principals: Option<Principals>,
    pub conditions: Vec<ConditionEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    /// Not a literal (`!Ref EffectParam`): the statement may allow or deny.
    Unknown(String),
}

/// `Action` / `NotAction`, `Resource` / `NotResource`.
#[derive(Clone, Debug, PartialEq)]
pub struct Targets<T> {
    /// True for the `Not…` form.
    pub negated: bool,
    pub items: Vec<T>,
    /// Where the element's value is written.
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionPattern {
    pub text: SymStr,
    /// The pattern in lowercase, when literal (actions compare case-insensitively).
    pub lower: Option<String>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResourcePattern {
    /// As written, with policy variables as unknown symbols.
    pub text: SymStr,
    pub span: Option<Span>,
}

/// `Principal` / `NotPrincipal`.
#[derive(Clone, Debug, PartialEq)]
pub struct Principals {
    pub negated: bool,
    /// `"Principal": "*"`.
    pub everyone: bool,
    pub entries: Vec<PrincipalEntry>,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PrincipalEntry {
    /// `AWS`, `Service`, `Federated` or `CanonicalUser`.
    pub kind: String,
    pub value: SymStr,
    pub span: Option<Span>,
}

/// One `operator: { key: values }` of a `Condition` block.
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionEntry {
    pub operator: String,
    pub key: String,
    pub values: Vec<SymStr>,
    pub span: Option<Span>,
}

/// The elements a statement may have (IAM-GRAMMAR); names compare without case.
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// The keys of a `Principal` object, as IAM spells them.
const PRINCIPAL_TYPES: &[&str] = &["AWS", "Service", "Federated", "CanonicalUser"];

/// Whether `key` is one of `names`, ignoring ASCII case (without a lowercased copy: this runs
/// for every key of every statement).
fn is_one_of(key: &str, names: &[&str]) -> bool {
    names.iter().any(|n| key.eq_ignore_ascii_case(n))
}

/// `Fn::If` branch choices, by condition name.
type Assignment<'a> = [(&'a str, bool)];

struct Parser {
    kind: DocumentKind,
    variables: bool,
    problems: Vec<Problem>,
}

/// Parses a policy document.
pub fn parse(document: &Value, kind: DocumentKind) -> ParsedPolicy {
    let mut parser = Parser {
        kind,
        variables: false,
        problems: Vec::new(),
    };
    let mut version = None;
    let mut statements = Vec::new();
    match &document.kind {
        ValueKind::Map(entries) => {
            for (key, value) in entries {
                if !is_one_of(&key.text, &["Version", "Statement", "Id"]) {
                    parser.problem(
                        ProblemKind::Invalid,
                        format!("unknown policy element `{}`", key.text),
                        key.span.or(value.span),
                    );
                }
            }
            if let Some(v) = document.get_ignore_case("Version") {
                match v.as_literal() {
                    Some(text @ ("2012-10-17" | "2008-10-17")) => {
                        parser.variables = text == "2012-10-17";
                        version = Some(text.to_string());
                    }
                    Some(other) => {
                        parser.problem(
                            ProblemKind::Invalid,
                            format!("unknown policy `Version` `{other}` (use `2012-10-17`)"),
                            v.span,
                        );
                        version = Some(other.to_string());
                    }
                    None => {}
                }
            }
            match document.get_ignore_case("Statement") {
                Some(list) => parser.statement_list(list, &mut statements, document.span),
                None => parser.problem(
                    ProblemKind::Invalid,
                    "policy has no `Statement`".to_string(),
                    document.span,
                ),
            }
        }
        ValueKind::Unknown(reason) => {
            statements.push(Statement::opaque(
                0,
                document.span,
                reason.clone(),
                Vec::new(),
            ));
        }
        ValueKind::If { .. } => {
            // A whole document under `Fn::If`: each branch's statements carry the guard.
            parser.document_branches(document, &mut statements, &mut Vec::new());
        }
        _ => parser.problem(
            ProblemKind::Invalid,
            "the policy document is not an object".to_string(),
            document.span,
        ),
    }
    ParsedPolicy {
        version,
        statements,
        problems: parser.problems,
    }
}

impl Statement {
    fn opaque(index: usize, span: Option<Span>, reason: String, presence: Vec<Guard>) -> Statement {
        Statement {
            index,
            sid: None,
            span,
            presence,
            variants: Vec::new(),
            chosen_by: Vec::new(),
            opaque: Some(reason),
        }
    }

    /// The template conditions this statement depends on, for messages.
    pub fn depends_on(&self) -> Vec<String> {
        let mut out: Vec<String> = self.presence.iter().map(Guard::describe).collect();
        for c in &self.chosen_by {
            let text = format!("condition `{c}`");
            if !out.iter().any(|o| o.starts_with(&text)) {
                out.push(text);
            }
        }
        out
    }
}

impl Parser {
    fn problem(&mut self, kind: ProblemKind, message: String, span: Option<Span>) {
        self.push_problem(Problem {
            kind,
            message,
            span,
            correction: None,
        });
    }

    fn push_problem(&mut self, p: Problem) {
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }

    fn document_branches(
        &mut self,
        document: &Value,
        out: &mut Vec<Statement>,
        guards: &mut Vec<Guard>,
    ) {
        match &document.kind {
            ValueKind::If {
                condition,
                then,
                otherwise,
            } => {
                for (branch, holds) in [(then, true), (otherwise, false)] {
                    guards.push(Guard {
                        condition: condition.clone(),
                        holds,
                    });
                    self.document_branches(branch, out, guards);
                    guards.pop();
                }
            }
            ValueKind::Map(_) => {
                let parsed = parse(document, self.kind);
                for p in parsed.problems {
                    self.push_problem(p);
                }
                for mut s in parsed.statements {
                    let mut presence = guards.clone();
                    presence.append(&mut s.presence);
                    s.presence = presence;
                    out.push(s);
                }
            }
            _ => {}
        }
    }

    fn statement_list(&mut self, list: &Value, out: &mut Vec<Statement>, doc_span: Option<Span>) {
        let mut items: Vec<(usize, &Value, Vec<Guard>)> = Vec::new();
        match &list.kind {
            ValueKind::List(values) => {
                for (index, item) in values.iter().enumerate() {
                    flatten_if(item, &mut Vec::new(), &mut |v, g| items.push((index, v, g)));
                }
                if values.is_empty() {
                    self.problem(
                        ProblemKind::Invalid,
                        "the `Statement` list is empty".to_string(),
                        list.span.or(doc_span),
                    );
                }
            }
            _ => flatten_if(list, &mut Vec::new(), &mut |v, g| items.push((0, v, g))),
        }
        for (index, value, guards) in items {
            match &value.kind {
                ValueKind::List(inner) => {
                    // `Fn::If` choosing between two lists of statements.
                    for item in inner {
                        flatten_if(item, &mut guards.clone(), &mut |v, g| {
                            if let Some(s) = self.statement(index, v, g) {
                                out.push(s);
                            }
                        });
                    }
                }
                _ => {
                    if let Some(s) = self.statement(index, value, guards) {
                        out.push(s);
                    }
                }
            }
        }
    }

    fn statement(
        &mut self,
        index: usize,
        value: &Value,
        presence: Vec<Guard>,
    ) -> Option<Statement> {
        match &value.kind {
            ValueKind::Map(_) => {}
            ValueKind::Unknown(reason) => {
                return Some(Statement::opaque(
                    index,
                    value.span,
                    reason.clone(),
                    presence,
                ));
            }
            _ => {
                self.problem(
                    ProblemKind::Invalid,
                    "a statement must be an object".to_string(),
                    value.span,
                );
                return None;
            }
        }
        let mut conditions: Vec<&str> = Vec::new();
        collect_conditions(value, &mut conditions);
        if conditions.len() > MAX_VARIANT_CONDITIONS {
            return Some(Statement::opaque(
                index,
                value.span,
                format!(
                    "the statement depends on {} template conditions",
                    conditions.len()
                ),
                presence,
            ));
        }
        let sid = value
            .get_ignore_case("Sid")
            .and_then(Value::as_symstr)
            .map(ToString::to_string);
        let mut variants = Vec::new();
        let count = 1usize << conditions.len();
        for bits in 0..count {
            let assignment: Vec<(&str, bool)> = conditions
                .iter()
                .enumerate()
                .map(|(i, c)| (*c, bits & (1 << i) == 0))
                .collect();
            let guard_text = if conditions.is_empty() {
                String::new()
            } else {
                let parts: Vec<String> = assignment
                    .iter()
                    .map(|(c, holds)| {
                        Guard {
                            condition: (*c).to_string(),
                            holds: *holds,
                        }
                        .describe()
                    })
                    .collect();
                format!(" when {}", parts.join(" and "))
            };
            if let Some(v) = self.variant(value, &assignment, &guard_text) {
                variants.push(v);
            }
        }
        if variants.is_empty() {
            return None;
        }
        Some(Statement {
            index,
            sid,
            span: value.span,
            presence,
            variants,
            chosen_by: conditions.iter().map(|c| (*c).to_string()).collect(),
            opaque: None,
        })
    }

    fn variant(&mut self, value: &Value, asg: &Assignment<'_>, when: &str) -> Option<Variant> {
        let entries = resolve(value, asg)?.as_map()?;
        for (key, v) in entries {
            let known = is_one_of(&key.text, STATEMENT_ELEMENTS);
            if !known {
                self.problem(
                    ProblemKind::Invalid,
                    format!("unknown statement element `{}`", key.text),
                    key.span.or(v.span),
                );
            }
        }
        let get = |name: &str| value_of(value, name, asg);
        // An invalid effect leaves the statement out, after the other elements are checked.
        let effect = match get("Effect") {
            None => {
                self.problem(
                    ProblemKind::Invalid,
                    format!("statement has no `Effect`{when}"),
                    value.span,
                );
                None
            }
            Some(e) => match &e.kind {
                ValueKind::Str(s) => match s.as_literal() {
                    Some("Allow") => Some(Effect::Allow),
                    Some("Deny") => Some(Effect::Deny),
                    Some(other) => {
                        self.problem(
                            ProblemKind::Invalid,
                            format!("`Effect` must be `Allow` or `Deny`, not `{other}`"),
                            e.span,
                        );
                        match other.to_ascii_lowercase().as_str() {
                            "allow" => Some(Effect::Allow),
                            "deny" => Some(Effect::Deny),
                            _ => None,
                        }
                    }
                    None => Some(Effect::Unknown(symbol_reasons(s))),
                },
                ValueKind::Unknown(reason) => Some(Effect::Unknown(reason.clone())),
                _ => {
                    self.problem(
                        ProblemKind::Invalid,
                        "`Effect` must be `Allow` or `Deny`".to_string(),
                        e.span,
                    );
                    None
                }
            },
        };
        let actions = self.targets(value, "Action", "NotAction", asg, when, true, Self::action);
        let resources = self.targets(
            value,
            "Resource",
            "NotResource",
            asg,
            when,
            self.kind == DocumentKind::Identity,
            Self::resource,
        );
        if self.kind == DocumentKind::Trust {
            if let Some(Some(r)) = &resources {
                self.problem(
                    ProblemKind::Invalid,
                    "a trust policy statement cannot have a `Resource`".to_string(),
                    r.span,
                );
            }
        }
        let principals = self.principals(value, asg, when);
        let conditions = match get("Condition") {
            Some(c) => self.conditions(c, asg),
            None => Vec::new(),
        };
        Some(Variant {
            effect: effect?,
            actions: actions?,
            resources: resources?,
            principals: principals?,
            conditions,
        })
    }

    /// Reads `name` / `not_name`. `Ok(None)` when neither is given and that is allowed;
    /// `None` (the outer option) when the statement is invalid.
    #[expect(
        clippy::too_many_arguments,
        reason = "one call per element pair; a struct would only rename the arguments"
    )]
    fn targets<T>(
        &mut self,
        statement: &Value,
        name: &str,
        not_name: &str,
        asg: &Assignment<'_>,
        when: &str,
        required: bool,
        item: fn(&mut Self, &SymStr, Option<Span>) -> Option<T>,
    ) -> Option<Option<Targets<T>>> {
        let plain = value_of(statement, name, asg);
        let negated = value_of(statement, not_name, asg);
        let (value, is_not) = match (plain, negated) {
            (Some(p), Some(n)) => {
                self.problem(
                    ProblemKind::Invalid,
                    format!("statement has both `{name}` and `{not_name}`"),
                    n.span.or(p.span),
                );
                return None;
            }
            (Some(p), None) => (p, false),
            (None, Some(n)) => (n, true),
            (None, None) => {
                if required {
                    self.problem(
                        ProblemKind::Invalid,
                        format!("statement has no `{name}` or `{not_name}`{when}"),
                        statement.span,
                    );
                    return None;
                }
                return Some(None);
            }
        };
        let element = if is_not { not_name } else { name };
        let mut items = Vec::new();
        let mut any = false;
        for_each_item(value, asg, &mut |v| {
            any = true;
            match &v.kind {
                ValueKind::Str(s) => {
                    if let Some(t) = item(self, s, v.span) {
                        items.push(t);
                    }
                }
                ValueKind::Unknown(reason) => {
                    let s = SymStr::sym(Symbol::Unknown(reason.clone()));
                    if let Some(t) = item(self, &s, v.span) {
                        items.push(t);
                    }
                }
                _ => self.problem(
                    ProblemKind::Invalid,
                    format!("`{element}` entries must be strings"),
                    v.span,
                ),
            }
        });
        if !any {
            self.problem(
                ProblemKind::Invalid,
                format!("`{element}` is empty{when}"),
                value.span,
            );
        }
        Some(Some(Targets {
            negated: is_not,
            items,
            span: value.span,
        }))
    }

    fn action(&mut self, s: &SymStr, span: Option<Span>) -> Option<ActionPattern> {
        let lower = s.as_literal().map(str::to_ascii_lowercase);
        if let Some(text) = s.as_literal() {
            match actions::lookup(text) {
                ActionLookup::Known => {}
                ActionLookup::Malformed => self.problem(
                    ProblemKind::Invalid,
                    format!("`{text}` is not an action (expected `service:action`)"),
                    span,
                ),
                ActionLookup::UnknownService { suggestion } => {
                    // A likely prefix is offered with the action name when that action exists.
                    let corrected = suggestion.and_then(|prefix| {
                        let name = text.split_once(':').map_or("", |(_, n)| n);
                        let candidate = format!("{prefix}:{name}");
                        (actions::lookup(&candidate) == ActionLookup::Known).then_some(candidate)
                    });
                    let message = match (&corrected, suggestion) {
                        (Some(c), _) => {
                            format!("unknown service prefix in `{text}` (did you mean `{c}`?)")
                        }
                        (None, Some(sug)) => {
                            format!("unknown service prefix in `{text}` (did you mean `{sug}`?)")
                        }
                        (None, None) => format!("unknown service prefix in `{text}`"),
                    };
                    self.push_problem(Problem {
                        kind: ProblemKind::UnknownAction,
                        message,
                        span,
                        correction: corrected.map(|suggested| Correction {
                            written: text.to_string(),
                            suggested,
                        }),
                    });
                }
                ActionLookup::UnknownAction { suggestion } => {
                    let message = match (&suggestion, text.contains(['*', '?'])) {
                        (Some(sug), _) => {
                            format!("unknown action `{text}` (did you mean `{sug}`?)")
                        }
                        (None, true) => format!("`{text}` matches no action"),
                        (None, false) => format!("unknown action `{text}`"),
                    };
                    self.push_problem(Problem {
                        kind: ProblemKind::UnknownAction,
                        message,
                        span,
                        correction: suggestion.map(|suggested| Correction {
                            written: text.to_string(),
                            suggested,
                        }),
                    });
                }
            }
        }
        Some(ActionPattern {
            text: s.clone(),
            lower,
            span,
        })
    }

    fn resource(&mut self, s: &SymStr, span: Option<Span>) -> Option<ResourcePattern> {
        if self.kind == DocumentKind::Identity && !plausible_arn(s) {
            self.problem(
                ProblemKind::InvalidResource,
                format!("resource `{s}` is not an ARN or `*`"),
                span,
            );
        }
        let text = if self.variables {
            policy_variables(s)
        } else {
            s.clone()
        };
        Some(ResourcePattern { text, span })
    }

    fn principals(
        &mut self,
        statement: &Value,
        asg: &Assignment<'_>,
        when: &str,
    ) -> Option<Option<Principals>> {
        let plain = value_of(statement, "Principal", asg);
        let negated = value_of(statement, "NotPrincipal", asg);
        let (value, is_not) = match (plain, negated) {
            (Some(p), Some(n)) => {
                self.problem(
                    ProblemKind::Invalid,
                    "statement has both `Principal` and `NotPrincipal`".to_string(),
                    n.span.or(p.span),
                );
                return None;
            }
            (Some(p), None) => (p, false),
            (None, Some(n)) => (n, true),
            (None, None) => {
                if self.kind != DocumentKind::Identity {
                    let what = if self.kind == DocumentKind::Trust {
                        "trust policy"
                    } else {
                        "resource policy"
                    };
                    self.problem(
                        ProblemKind::Invalid,
                        format!("{what} statement has no `Principal`{when}"),
                        statement.span,
                    );
                    return None;
                }
                return Some(None);
            }
        };
        if self.kind == DocumentKind::Identity {
            self.problem(
                ProblemKind::Invalid,
                format!(
                    "an identity policy statement cannot have a `{}`",
                    if is_not { "NotPrincipal" } else { "Principal" }
                ),
                value.span,
            );
        }
        let mut principals = Principals {
            negated: is_not,
            everyone: false,
            entries: Vec::new(),
            span: value.span,
        };
        match resolve(value, asg).map(|v| &v.kind) {
            Some(ValueKind::Str(s)) if s.as_literal() == Some("*") => principals.everyone = true,
            Some(ValueKind::Map(entries)) => {
                for (key, v) in entries {
                    let kind = match PRINCIPAL_TYPES
                        .iter()
                        .find(|t| key.text.eq_ignore_ascii_case(t))
                    {
                        Some(t) => *t,
                        None => {
                            self.problem(
                                ProblemKind::Invalid,
                                format!("unknown principal type `{}`", key.text),
                                key.span.or(v.span),
                            );
                            continue;
                        }
                    };
                    for_each_item(v, asg, &mut |item| {
                        let value = match &item.kind {
                            ValueKind::Str(s) => s.clone(),
                            ValueKind::Unknown(reason) => {
                                SymStr::sym(Symbol::Unknown(reason.clone()))
                            }
                            _ => return,
                        };
                        principals.entries.push(PrincipalEntry {
                            kind: kind.to_string(),
                            value,
                            span: item.span,
                        });
                    });
                }
            }
            Some(ValueKind::Unknown(reason)) => principals.entries.push(PrincipalEntry {
                kind: "AWS".to_string(),
                value: SymStr::sym(Symbol::Unknown(reason.clone())),
                span: value.span,
            }),
            _ => self.problem(
                ProblemKind::Invalid,
                "`Principal` must be `*` or an object".to_string(),
                value.span,
            ),
        }
        Some(Some(principals))
    }

    fn conditions(&mut self, block: &Value, asg: &Assignment<'_>) -> Vec<ConditionEntry> {
        let mut out = Vec::new();
        let Some(entries) = resolve(block, asg) else {
            return out;
        };
        let Some(entries) = entries.as_map() else {
            if let ValueKind::Unknown(reason) = &entries.kind {
                out.push(ConditionEntry {
                    operator: "Unknown".to_string(),
                    key: reason.clone(),
                    values: Vec::new(),
                    span: entries.span,
                });
            } else {
                self.problem(
                    ProblemKind::Invalid,
                    "`Condition` must be an object".to_string(),
                    block.span,
                );
            }
            return out;
        };
        for (operator, keys) in entries {
            let Some(keys_map) = resolve(keys, asg).and_then(Value::as_map) else {
                self.problem(
                    ProblemKind::Invalid,
                    format!(
                        "condition operator `{}` must map keys to values",
                        operator.text
                    ),
                    keys.span,
                );
                continue;
            };
            for (key, values) in keys_map {
                let mut list = Vec::new();
                for_each_item(values, asg, &mut |v| match &v.kind {
                    ValueKind::Str(s) => list.push(if self.variables {
                        policy_variables(s)
                    } else {
                        s.clone()
                    }),
                    ValueKind::Unknown(reason) => {
                        list.push(SymStr::sym(Symbol::Unknown(reason.clone())));
                    }
                    _ => {}
                });
                out.push(ConditionEntry {
                    operator: operator.text.clone(),
                    key: key.text.clone(),
                    values: list,
                    span: key.span.or(values.span),
                });
            }
        }
        out
    }
}

/// Calls `f` with every value `item` stands for, each with the guards that select it.
fn flatten_if<'v>(
    item: &'v Value,
    guards: &mut Vec<Guard>,
    f: &mut dyn FnMut(&'v Value, Vec<Guard>),
) {
    match &item.kind {
        ValueKind::If {
            condition,
            then,
            otherwise,
        } => {
            for (branch, holds) in [(then, true), (otherwise, false)] {
                guards.push(Guard {
                    condition: condition.clone(),
                    holds,
                });
                flatten_if(branch, guards, f);
                guards.pop();
            }
        }
        ValueKind::NoValue => {}
        _ => f(item, guards.clone()),
    }
}

/// The distinct conditions of the `Fn::If`s inside a value, in order of appearance.
fn collect_conditions<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match &value.kind {
        ValueKind::If {
            condition,
            then,
            otherwise,
        } => {
            if !out.contains(&condition.as_str()) {
                out.push(condition);
            }
            collect_conditions(then, out);
            collect_conditions(otherwise, out);
        }
        ValueKind::List(items) => items.iter().for_each(|i| collect_conditions(i, out)),
        ValueKind::Map(entries) => entries.iter().for_each(|(_, v)| collect_conditions(v, out)),
        _ => {}
    }
}

/// The value with `Fn::If`s decided by the assignment; `None` for `AWS::NoValue`.
fn resolve<'v>(mut value: &'v Value, asg: &Assignment<'_>) -> Option<&'v Value> {
    loop {
        match &value.kind {
            ValueKind::If {
                condition,
                then,
                otherwise,
            } => {
                let holds = asg
                    .iter()
                    .find(|(c, _)| *c == condition.as_str())
                    .is_none_or(|(_, h)| *h);
                value = if holds { then } else { otherwise };
            }
            ValueKind::NoValue => return None,
            _ => return Some(value),
        }
    }
}

/// A statement element by case-insensitive name, decided by the assignment.
fn value_of<'v>(statement: &'v Value, name: &str, asg: &Assignment<'_>) -> Option<&'v Value> {
    let v = resolve(statement, asg)?.get_ignore_case(name)?;
    let v = resolve(v, asg)?;
    match v.kind {
        ValueKind::Null => None,
        _ => Some(v),
    }
}

/// Calls `f` on each item of a string-or-list element (lists nested by `Fn::If` flattened).
fn for_each_item<'v>(value: &'v Value, asg: &Assignment<'_>, f: &mut dyn FnMut(&'v Value)) {
    let Some(v) = resolve(value, asg) else {
        return;
    };
    match &v.kind {
        ValueKind::List(items) => {
            for item in items {
                for_each_item(item, asg, f);
            }
        }
        ValueKind::Null => {}
        _ => f(v),
    }
}

fn symbol_reasons(s: &SymStr) -> String {
    let reasons: Vec<String> = s.symbols().map(Symbol::reason).collect();
    reasons.join("; ")
}

/// True unless the value certainly is not `*` or an ARN (IAM-ELEM: `Resource` entries are
/// ARNs, optionally with wildcards, or `*`). Values that start with a symbol could be either.
fn plausible_arn(s: &SymStr) -> bool {
    let prefix = s.literal_prefix();
    if prefix.starts_with('*') || prefix.starts_with('?') {
        return true;
    }
    if let Some(text) = s.as_literal() {
        if text.starts_with("arn:") {
            // `arn:partition:service:region:account:resource`; a wildcard may stand for the rest.
            return text.matches(':').count() >= 5 || text.contains('*');
        }
        return false;
    }
    if prefix.is_empty() {
        return true;
    }
    prefix.starts_with("arn:") || "arn:".starts_with(prefix)
}

/// Replaces IAM policy variables in literal text by unknown symbols (IAM-VAR): their value
/// depends on the request. `${*}`, `${?}` and `${$}` stand for the characters themselves; a
/// literal `*` cannot be told from a wildcard in a pattern, so those are unknown as well,
/// except `$`.
fn policy_variables(s: &SymStr) -> SymStr {
    if !s
        .parts
        .iter()
        .any(|p| matches!(p, Part::Lit(t) if t.contains("${")))
    {
        return s.clone();
    }
    let mut out = SymStr::default();
    for part in &s.parts {
        match part {
            Part::Sym(sym) => out.push_sym(sym.clone()),
            Part::Lit(text) => {
                let mut rest = text.as_str();
                while let Some(start) = rest.find("${") {
                    let (before, after) = rest.split_at(start);
                    out.push_lit(before);
                    let body = after.get(2..).unwrap_or("");
                    match body.find('}') {
                        Some(end) => {
                            let name = body.get(..end).unwrap_or("");
                            if name == "$" {
                                out.push_lit("$");
                            } else {
                                out.push_sym(Symbol::Unknown(format!(
                                    "policy variable `${{{name}}}` is resolved for each request"
                                )));
                            }
                            rest = body.get(end + 1..).unwrap_or("");
                        }
                        None => {
                            out.push_lit(after);
                            rest = "";
                        }
                    }
                }
                out.push_lit(rest);
            }
        }
    }
    out
}

/// A lower bound of the size IAM counts for a document: characters of its JSON text without
/// whitespace (IAM-QUOTAS: "IAM doesn't count white space"). Symbols count as empty, an
/// undecided `Fn::If` as its smaller branch, so a result over a quota is over it for certain.
pub fn min_size(value: &Value) -> usize {
    fn text_len(s: &str) -> usize {
        if s.is_ascii() {
            // `char::is_whitespace` on ASCII: the vertical tab too, unlike `u8::is_ascii_whitespace`.
            return s
                .bytes()
                .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
                .count();
        }
        s.chars().filter(|c| !c.is_whitespace()).count()
    }
    /// Whether JSON writes the text without quotes: a boolean or a number (as `f64` reads one,
    /// which starts with a digit, a sign, a point or the `inf`/`nan` spellings).
    fn bare(t: &str) -> bool {
        let number_start = |b: u8| b.is_ascii_digit() || b"+-.iInN".contains(&b);
        t == "true"
            || t == "false"
            || t.bytes().next().is_some_and(number_start) && t.parse::<f64>().is_ok()
    }
    /// Brackets, the items' sizes and the commas between them.
    fn enclosed(sizes: impl Iterator<Item = usize>) -> usize {
        let (sum, count) = sizes.fold((0usize, 0usize), |(sum, count), size| {
            (sum + size, count + 1)
        });
        2 + sum + count.saturating_sub(1)
    }
    match &value.kind {
        ValueKind::Null | ValueKind::NoValue | ValueKind::Unknown(_) => 0,
        ValueKind::Str(s) => {
            let body: usize = s
                .parts
                .iter()
                .map(|p| match p {
                    Part::Lit(t) => text_len(t),
                    Part::Sym(_) => 0,
                })
                .sum();
            // Numbers and booleans are written without quotes.
            body + if s.as_literal().is_some_and(bare) {
                0
            } else {
                2
            }
        }
        ValueKind::List(items) => enclosed(
            items
                .iter()
                .filter(|i| !matches!(i.kind, ValueKind::NoValue))
                .map(min_size),
        ),
        ValueKind::Map(entries) => enclosed(
            entries
                .iter()
                .filter(|(_, v)| !matches!(v.kind, ValueKind::NoValue))
                .map(|(k, v)| text_len(&k.text) + 3 + min_size(v)),
        ),
        ValueKind::If {
            then, otherwise, ..
        } => min_size(then).min(min_size(otherwise)),
    }
}

#[cfg(test)]
mod tests;
