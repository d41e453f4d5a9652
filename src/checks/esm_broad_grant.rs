//! PG901: a statement that grants a mapping's permissions far more broadly than it needs.

use super::context::Context;
use super::needs::{self, Need, Subject, Verdict};
use crate::aws::actions;
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::iam::eval::{PolicyKind, PolicySet, StatementRef};
use crate::model::Role;

crate::declare_check! {
    /// a statement grants an event source mapping's permissions with a service or resource wildcard
    ///
    /// ## What it checks
    /// For each permission a mapping needs and its execution role grants, the statement that
    /// grants it is inspected: an `Action` of `*` or `service:*`, or a `Resource` of `*` for an
    /// action that supports resource-level permissions, grants much more than the mapping
    /// needs. AWS managed policies are not reported (they are AWS's own documents). The fix is
    /// the least-privilege statement for what the mapping actually uses.
    ///
    /// ## Why it matters
    /// `sqs:*` on `*` lets a compromised function read, purge and delete every queue of the
    /// account; three actions on one queue would do.
    ///
    /// ## How to fix
    /// Replace the broad statement with the one under `fix` (keep other grants the function
    /// needs for its own code).
    ///
    /// ## Example
    /// ```yaml
    /// # instead of: { Effect: Allow, Action: "sqs:*", Resource: "*" }
    /// - Effect: Allow
    ///   Action: [sqs:ReceiveMessage, sqs:DeleteMessage, sqs:GetQueueAttributes]
    ///   Resource: !GetAtt Queue.Arn
    /// ```
    pub static ESM_BROAD_GRANT = {
        id: "PG901",
        slug: "esm-broad-grant",
        severity: Note,
        sources: ["PS", "IAM-EVAL"],
    }
}

/// What is broad about a statement, for the message (`\`sqs:*\` on \`*\``).
fn breadth(set: &PolicySet, at: &StatementRef, need: &Need) -> Option<String> {
    let statement = set.statement(at)?;
    let mut broad_actions: Vec<String> = Vec::new();
    let mut star_resource = false;
    for v in &statement.variants {
        if let Some(a) = &v.actions {
            if a.negated {
                broad_actions.push("`NotAction`".into());
            }
            for p in &a.items {
                if let Some(text) = p.text.as_literal() {
                    if text == "*" || text.ends_with(":*") {
                        let t = format!("`{text}`");
                        if !broad_actions.contains(&t) {
                            broad_actions.push(t);
                        }
                    }
                }
            }
        }
        if let Some(r) = &v.resources {
            star_resource |= r.negated || r.items.iter().any(|p| p.text.as_literal() == Some("*"));
        }
    }
    let resource_level = need.actions.iter().any(|a| !actions::only_star(a))
        && need.resources.iter().all(|r| r.as_literal() != Some("*"));
    let star_matters = star_resource && resource_level;
    match (broad_actions.is_empty(), star_matters) {
        (true, false) => None,
        (false, false) => Some(broad_actions.join(", ")),
        (true, true) => Some("every resource (`*`)".into()),
        (false, true) => Some(format!(
            "{} on every resource (`*`)",
            broad_actions.join(", ")
        )),
    }
}

pub fn check(
    cx: &Context<'_>,
    subject: &Subject<'_>,
    role: &Role,
    set: &PolicySet,
    assessed: &[(Need, Verdict)],
    findings: &mut Vec<Finding>,
) {
    // Statement → (what is broad, the needs it grants).
    let mut broad: Vec<(&StatementRef, String, Vec<&Need>)> = Vec::new();
    for (need, verdict) in assessed {
        let Verdict::Granted { by } = verdict else {
            continue;
        };
        for at in by {
            if matches!(at.policy.kind, PolicyKind::AwsManaged { .. }) {
                continue;
            }
            let Some(what) = breadth(set, at, need) else {
                continue;
            };
            match broad.iter_mut().find(|(s, _, _)| *s == at) {
                Some((_, _, list)) => list.push(need),
                None => broad.push((at, what, vec![need])),
            }
        }
    }
    for (at, what, granted) in broad {
        let fix = needs::fix_statements(cx, &granted);
        let mut missing: Vec<Missing> = Vec::new();
        for n in &granted {
            let m = Missing {
                action: n.actions.join(" or "),
                resource: match n
                    .resources
                    .first()
                    .map(|r| super::render::resource(cx.format, r))
                {
                    Some(serde_json::Value::String(s)) => s,
                    Some(other) => other.to_string(),
                    None => "*".into(),
                },
            };
            if !missing.contains(&m) {
                missing.push(m);
            }
        }
        let mut related: Vec<Related> = subject.related.clone();
        related.push(Related {
            resource: at.policy.origin.clone(),
            span: at.span.or(at.policy.span),
            role: RelatedRole::Statement,
            note: Some(format!("{} of policy `{}`", at.label(), at.policy.name)),
        });
        findings.push(Finding {
            check: ESM_BROAD_GRANT.id,
            severity: Severity::Note,
            certainty: Certainty::Certain,
            message: format!(
                "{} of policy `{}` on role `{}` grants {what} where {} `{}` needs only the statement below",
                at.label(),
                at.policy.name,
                role.origin.id,
                subject.noun,
                subject.origin.id
            ),
            resource: subject.origin.id.clone(),
            span: at.span.or(subject.origin.span),
            related,
            missing,
            fix: Some(Fix {
                help: "grant only what the mapping uses".into(),
                statement: fix,
            }),
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_BROAD_GRANT);
    }
}
