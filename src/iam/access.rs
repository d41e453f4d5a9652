//! `permgate access`: may this role perform this action on this resource?
//!
//! Input: the stacks read from the inputs, a role (logical id, Terraform address, role name or
//! literal role ARN), an action and a resource ARN (or `*`; `${AWS::Region}`-style pseudo
//! parameters are kept as symbols). Output: an [`AccessAnswer`] that renders as text (first
//! line: the decision) or JSON, with the deciding statements and their locations, and an exit
//! code: 0 allowed, 1 denied, 3 unknown; or an [`AccessError`] (exit code 2) when the role is
//! not found or ambiguous.

use crate::aws::actions::{self, ActionLookup};
use crate::iam::eval::resource::ResourcePolicies;
use crate::iam::eval::{
    Caller, Decision, NearMiss, PolicyKind, PolicyProblem, PolicyRef, PolicySet, Request,
    StatementRef,
};
use crate::model::{Environment, Existence, Part, Pseudo, Role, Stack, SymStr, Symbol};
use crate::source::{SourceFile, Span};

/// Why no answer can be given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessError {
    RoleNotFound {
        role: String,
        /// Roles with a similar id or name (at most five).
        similar: Vec<String>,
    },
    Ambiguous {
        role: String,
        /// `(input index, role id)` of every match.
        matches: Vec<(usize, String)>,
    },
    /// The action does not exist: asking about it is a usage error, not a denial.
    UnknownAction {
        /// Why, naming the action (and the nearest known one).
        reason: String,
    },
}

impl AccessError {
    pub fn exit_code(&self) -> i32 {
        2
    }

    /// One line for the terminal, naming the files of ambiguous matches.
    pub fn message<'a>(&self, file_of: impl Fn(usize) -> Option<&'a SourceFile>) -> String {
        match self {
            AccessError::RoleNotFound { role, similar } => {
                if similar.is_empty() {
                    format!("no role `{role}` in the inputs")
                } else {
                    let list: Vec<String> = similar.iter().map(|s| format!("`{s}`")).collect();
                    format!(
                        "no role `{role}` in the inputs (did you mean {}?)",
                        list.join(", ")
                    )
                }
            }
            AccessError::UnknownAction { reason } => format!("--action: {reason}"),
            AccessError::Ambiguous { role, matches } => {
                let list: Vec<String> = matches
                    .iter()
                    .map(|(i, id)| match file_of(*i) {
                        Some(f) => format!("`{id}` in {}", f.path.display()),
                        None => format!("`{id}`"),
                    })
                    .collect();
                format!(
                    "role `{role}` is ambiguous: {}; name the input file",
                    list.join(", ")
                )
            }
        }
    }
}

impl std::fmt::Display for AccessError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(|_| None))
    }
}

impl std::error::Error for AccessError {}

/// The answer to one access question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessAnswer {
    /// Index into the `stacks` given to [`answer`].
    pub stack: usize,
    /// Logical id / address of the role.
    pub role: String,
    pub role_span: Option<Span>,
    pub action: String,
    /// The resource as evaluated (`*` for actions without resource-level permissions).
    pub resource: SymStr,
    pub decision: Decision,
    /// Things worth knowing next to the decision (unknown action, resource replaced by `*`,
    /// a role that exists only under a condition).
    pub notes: Vec<String>,
    /// Problems in the role's policies.
    pub problems: Vec<PolicyProblem>,
}

/// Answers whether `role` may perform `action` on `resource`: with the resource's own policy
/// when the resource is in the same input (IAM-EVAL, KMS-KEYPOL), unless
/// `ignore_resource_policies` asks for the identity-only view.
pub fn answer(
    stacks: &[&Stack],
    role: &str,
    action: &str,
    resource: &str,
    ignore_resource_policies: bool,
) -> Result<AccessAnswer, AccessError> {
    // An action that does not exist is refused before anything else: answering "denied" would
    // read as a real denial.
    let unknown = match actions::lookup(action) {
        ActionLookup::Known => None,
        ActionLookup::Malformed => Some(format!(
            "`{action}` is not an action (expected `service:action`)"
        )),
        ActionLookup::UnknownService { suggestion } => Some(match suggestion {
            Some(s) => format!("`{action}` has an unknown service prefix (did you mean `{s}`?)"),
            None => format!("`{action}` has an unknown service prefix"),
        }),
        ActionLookup::UnknownAction { suggestion } => Some(match suggestion {
            Some(s) => format!("`{action}` is not a known action (did you mean `{s}`?)"),
            None => format!("`{action}` is not a known action"),
        }),
    };
    if let Some(reason) = unknown {
        return Err(AccessError::UnknownAction { reason });
    }
    let (stack_index, found) = find_role(stacks, role)?;
    let stack = stacks.get(stack_index).copied();
    let set = match stack {
        Some(s) => PolicySet::for_role_in(found, s),
        None => PolicySet::for_role(found),
    };
    let mut notes = Vec::new();
    let mut requested = match stack {
        Some(s) => in_environment(&parse_resource(resource), &s.env),
        None => parse_resource(resource),
    };
    // PS: actions without resource-level permissions are authorized against `*`.
    if actions::only_star(action) && requested.as_literal() != Some("*") {
        notes.push(format!(
            "`{action}` supports no resource-level permissions: it is evaluated on `*`, not on `{requested}`"
        ));
        requested = SymStr::lit("*");
    }
    if let Existence::IfCondition(c) = &found.existence {
        notes.push(match c.strip_prefix('!') {
            Some(name) => format!(
                "role `{}` exists only when condition `{name}` is false",
                found.origin.id
            ),
            None => format!(
                "role `{}` exists only when condition `{c}` is true",
                found.origin.id
            ),
        });
    }
    let request = Request {
        action,
        resource: &requested,
    };
    let decision = match stack {
        Some(s) if !ignore_resource_policies => {
            let resource_policies = ResourcePolicies::for_stack(s);
            let account = crate::iam::eval::resource::role_account(&found.arn, &s.env.account());
            let caller = Caller {
                arn: &found.arn,
                account: &account,
                via_service: None,
            };
            if resource_policies.unseen(&requested) {
                notes.push(format!(
                    "`{requested}` is not in the input: a policy on the resource itself could also allow or deny it"
                ));
            }
            set.evaluate_for(&request, Some(&caller), Some(&resource_policies))
        }
        _ => {
            if ignore_resource_policies {
                notes.push(
                    "resource policies are left out (`--ignore-resource-policies`): this is the identity-only view"
                        .to_string(),
                );
            }
            set.evaluate(&request)
        }
    };
    Ok(AccessAnswer {
        stack: stack_index,
        role: found.origin.id.clone(),
        role_span: found.origin.span,
        action: action.to_string(),
        resource: requested,
        decision,
        notes,
        problems: set.problems().to_vec(),
    })
}

/// An answer given from a stack read with parameter defaults, against `without_defaults`, the
/// answer to the same question with those defaults withheld (`None` when there is none, e.g.
/// the role's name comes from a default). A default is a guess: unless the answer without it
/// is the same decision, the answer becomes unknown `because` of the defaults, keeping the
/// statements that decided it as those that would allow or deny.
pub fn qualify(
    answer: AccessAnswer,
    without_defaults: Option<&AccessAnswer>,
    because: String,
) -> AccessAnswer {
    let confirmed = without_defaults.is_some_and(|w| w.decision.label() == answer.decision.label());
    if confirmed {
        return answer;
    }
    let (would_allow, possibly_denied_by) = match answer.decision {
        Decision::Allowed { by } => (by, Vec::new()),
        Decision::ExplicitDeny { by } => (Vec::new(), by),
        Decision::ImplicitDeny { .. } => (Vec::new(), Vec::new()),
        // Unknown already: the defaults add nothing certain to take back.
        unknown @ Decision::Unknown { .. } => {
            return AccessAnswer {
                decision: unknown,
                ..answer
            };
        }
    };
    AccessAnswer {
        decision: Decision::Unknown {
            reasons: vec![because],
            would_allow,
            possibly_denied_by,
        },
        ..answer
    }
}

fn find_role<'s>(stacks: &[&'s Stack], role: &str) -> Result<(usize, &'s Role), AccessError> {
    let mut found: Vec<(usize, &Role)> = Vec::new();
    for (i, stack) in stacks.iter().enumerate() {
        for r in &stack.roles {
            let matches = r.origin.id == role
                || r.name.as_literal() == Some(role)
                || r.arn.as_literal() == Some(role);
            if matches {
                found.push((i, r));
            }
        }
    }
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let lower = role.to_ascii_lowercase();
            let mut similar: Vec<String> = stacks
                .iter()
                .flat_map(|s| s.roles.iter())
                .map(|r| r.origin.id.clone())
                .filter(|id| {
                    let id_lower = id.to_ascii_lowercase();
                    id_lower.contains(&lower) || lower.contains(&id_lower)
                })
                .collect();
            similar.dedup();
            similar.truncate(5);
            Err(AccessError::RoleNotFound {
                role: role.to_string(),
                similar,
            })
        }
        many => Err(AccessError::Ambiguous {
            role: role.to_string(),
            matches: many
                .iter()
                .map(|(i, r)| (*i, r.origin.id.clone()))
                .collect(),
        }),
    }
}

/// A resource argument: literal text, with `${AWS::…}` pseudo parameters and `${Resource.Attr}`
/// attributes as symbols so that it can be compared with policies written with them.
pub fn parse_resource(text: &str) -> SymStr {
    let mut out = SymStr::default();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let (before, after) = rest.split_at(start);
        let Some(end) = after.find('}') else {
            break;
        };
        let inner = after.get(2..end).unwrap_or("");
        out.push_lit(before);
        match (Pseudo::from_cfn(inner), inner.split_once('.')) {
            (Some(p), _) => out.push_sym(Symbol::Pseudo(p)),
            // `${Key.KeyId}`: an attribute of a resource of the input that the input does not
            // spell out, written the way permgate prints it.
            (None, Some((resource, attr)))
                if !resource.is_empty() && !attr.is_empty() && !inner.contains(':') =>
            {
                out.push_sym(Symbol::Attr {
                    resource: resource.to_string(),
                    attr: attr.to_string(),
                });
            }
            _ => out.push_lit(after.get(..=end).unwrap_or("")),
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_lit(rest);
    out
}

/// The resource with the pseudo parameters the stack's environment knows replaced by their
/// values, the way the readers wrote the stack's own ARNs (`${AWS::Partition}` is `aws` in a
/// template): the request then compares with the policies like-for-like.
fn in_environment(resource: &SymStr, env: &Environment) -> SymStr {
    let mut out = SymStr::default();
    for part in &resource.parts {
        let known = match part {
            Part::Sym(Symbol::Pseudo(Pseudo::Partition)) => env.partition.as_deref(),
            Part::Sym(Symbol::Pseudo(Pseudo::Region)) => env.region.as_deref(),
            Part::Sym(Symbol::Pseudo(Pseudo::AccountId)) => env.account.as_deref(),
            _ => None,
        };
        match (known, part) {
            (Some(text), _) => out.push_lit(text),
            (None, Part::Lit(text)) => out.push_lit(text),
            (None, Part::Sym(sym)) => out.push_sym(sym.clone()),
        }
    }
    out
}

impl AccessAnswer {
    /// 0 allowed, 1 denied, 3 unknown.
    pub fn exit_code(&self) -> i32 {
        match self.decision {
            Decision::Allowed { .. } => 0,
            Decision::ExplicitDeny { .. } | Decision::ImplicitDeny { .. } => 1,
            Decision::Unknown { .. } => 3,
        }
    }

    /// The text report as lines, unescaped (the caller escapes each line for where it writes
    /// it: a `Sid` may hold a line break). The first line is the decision; then the deciding
    /// statements with their locations, or the reasons.
    pub fn render_lines<'a>(
        &self,
        file_of: impl Fn(usize) -> Option<&'a SourceFile>,
    ) -> Vec<String> {
        let file = file_of(self.stack);
        let mut out = vec![self.decision.label().to_string()];
        let line = |out: &mut Vec<String>, text: String| out.push(text);
        let request = format!("`{}` on `{}`", self.action, self.resource);
        match &self.decision {
            Decision::Allowed { by } => {
                line(
                    &mut out,
                    format!("role `{}` may perform {request}", self.role),
                );
                for s in by {
                    line(&mut out, format!("allowed by {}", describe(s, file)));
                }
            }
            Decision::ExplicitDeny { by } => {
                line(
                    &mut out,
                    format!("role `{}` may not perform {request}", self.role),
                );
                for s in by {
                    line(&mut out, format!("denied by {}", describe(s, file)));
                }
            }
            Decision::ImplicitDeny {
                near_misses,
                blocked_by,
            } => {
                match blocked_by {
                    Some(key) => line(
                        &mut out,
                        format!(
                            "{} neither names role `{}` nor allows its account: no identity statement can allow {request}",
                            key_location(key, file),
                            self.role
                        ),
                    ),
                    None => line(
                        &mut out,
                        format!("no statement of role `{}` allows {request}", self.role),
                    ),
                }
                for NearMiss {
                    statement, detail, ..
                } in near_misses
                {
                    line(
                        &mut out,
                        format!("hint: {} {detail}", describe(statement, file)),
                    );
                }
            }
            Decision::Unknown {
                reasons,
                would_allow,
                possibly_denied_by,
            } => {
                line(
                    &mut out,
                    format!(
                        "cannot tell whether role `{}` may perform {request}",
                        self.role
                    ),
                );
                for r in reasons {
                    line(&mut out, format!("because {r}"));
                }
                for s in would_allow {
                    line(&mut out, format!("may be allowed by {}", describe(s, file)));
                }
                for s in possibly_denied_by {
                    line(&mut out, format!("may be denied by {}", describe(s, file)));
                }
            }
        }
        for n in &self.notes {
            line(&mut out, format!("note: {n}"));
        }
        for p in &self.problems {
            let at = location(p.span.or(p.policy.span), file)
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            line(
                &mut out,
                format!("problem in policy `{}`{at}: {}", p.policy.name, p.message),
            );
        }
        out
    }

    /// The JSON report.
    pub fn to_json<'a>(
        &self,
        file_of: impl Fn(usize) -> Option<&'a SourceFile>,
    ) -> serde_json::Value {
        let file = file_of(self.stack);
        let statements = |refs: &[StatementRef]| -> Vec<serde_json::Value> {
            refs.iter().map(|s| statement_json(s, file)).collect()
        };
        let mut out = serde_json::json!({
            "decision": self.decision.label(),
            "role": self.role,
            "file": file.map(|f| f.path.display().to_string()),
            "action": self.action,
            "resource": self.resource.to_string(),
            "notes": self.notes,
            "problems": self.problems.iter().map(|p| {
                let lc = p.span.or(p.policy.span).and_then(|s| file.map(|f| f.line_col(s.start)));
                serde_json::json!({
                    "policy": p.policy.name,
                    "kind": p.kind,
                    "message": p.message,
                    "line": lc.map(|l| l.line),
                    "column": lc.map(|l| l.column),
                })
            }).collect::<Vec<_>>(),
        });
        let extra = match &self.decision {
            Decision::Allowed { by } | Decision::ExplicitDeny { by } => {
                serde_json::json!({ "statements": statements(by) })
            }
            Decision::ImplicitDeny {
                near_misses,
                blocked_by,
            } => serde_json::json!({
                "blocked_by": blocked_by.as_ref().map(|k| {
                    let lc = k.span.and_then(|sp| file.map(|f| f.line_col(sp.start)));
                    serde_json::json!({
                        "policy": k.name,
                        "origin": k.origin,
                        "line": lc.map(|l| l.line),
                        "column": lc.map(|l| l.column),
                    })
                }),
                "near_misses": near_misses.iter().map(|n| serde_json::json!({
                    "kind": n.kind,
                    "detail": n.detail,
                    "statement": statement_json(&n.statement, file),
                })).collect::<Vec<_>>(),
            }),
            Decision::Unknown {
                reasons,
                would_allow,
                possibly_denied_by,
            } => serde_json::json!({
                "reasons": reasons,
                "would_allow": statements(would_allow),
                "possibly_denied_by": statements(possibly_denied_by),
            }),
        };
        if let (Some(map), serde_json::Value::Object(extra)) = (out.as_object_mut(), extra) {
            map.extend(extra);
        }
        out
    }
}

fn location(span: Option<Span>, file: Option<&SourceFile>) -> Option<String> {
    let (span, file) = (span?, file?);
    let lc = file.line_col(span.start);
    Some(format!("{}:{}:{}", file.path.display(), lc.line, lc.column))
}

/// `the key policy of \`Key\` at file:line:col`.
fn key_location(key: &PolicyRef, file: Option<&SourceFile>) -> String {
    let at = location(key.span, file)
        .map(|l| format!(" at {l}"))
        .unwrap_or_default();
    format!("the {}{at}", key.describe())
}

fn describe(s: &StatementRef, file: Option<&SourceFile>) -> String {
    let boundary = match s.policy.attachment {
        crate::iam::eval::Attachment::Boundary => " (permissions boundary)",
        crate::iam::eval::Attachment::Identity | crate::iam::eval::Attachment::Resource => "",
    };
    let at = match (&s.policy.kind, location(s.span, file)) {
        (_, Some(l)) => format!(" at {l}"),
        (PolicyKind::AwsManaged { .. }, None) => location(s.policy.span, file)
            .map(|l| format!(" attached at {l}"))
            .unwrap_or_default(),
        (_, None) => location(s.policy.span, file)
            .map(|l| format!(" at {l}"))
            .unwrap_or_default(),
    };
    format!("{} of {}{boundary}{at}", s.label(), s.policy.describe())
}

fn statement_json(s: &StatementRef, file: Option<&SourceFile>) -> serde_json::Value {
    let span = s.span.or(s.policy.span);
    let lc = span.and_then(|sp| file.map(|f| f.line_col(sp.start)));
    let (kind, arn, version, date) = match &s.policy.kind {
        PolicyKind::Model(source) => (
            serde_json::to_value(source).unwrap_or(serde_json::Value::Null),
            None,
            None,
            None,
        ),
        PolicyKind::AwsManaged { arn, version, date } => (
            serde_json::Value::String("aws-managed".into()),
            Some(arn.clone()),
            Some(version.clone()),
            Some(date.clone()),
        ),
        PolicyKind::Resource { kind, default } => (
            serde_json::Value::String(format!(
                "{}{}",
                if *default { "default-" } else { "" },
                kind.noun().replace(' ', "-")
            )),
            None,
            None,
            None,
        ),
    };
    serde_json::json!({
        "policy": s.policy.name,
        "policy_kind": kind,
        "policy_arn": arn,
        "policy_version": version,
        "policy_date": date,
        "attachment": s.policy.attachment,
        "origin": s.policy.origin,
        "sid": s.sid,
        "index": s.index,
        "line": lc.map(|l| l.line),
        "column": lc.map(|l| l.column),
    })
}

#[cfg(test)]
mod tests;
