//! PG190: a mapping whose execution role is not in the input.

use super::context::Context;
use super::esm::{self, ExecutionRole};
use super::render;
use crate::diag::{Certainty, Finding, Missing, Related, RelatedRole, Severity};

crate::declare_check! {
    /// the permissions of an event source mapping cannot be verified: its role is not in the input
    ///
    /// ## What it checks
    /// For every event source mapping, permgate needs the function's execution role and its
    /// policies. When the function or its role is defined elsewhere (an imported ARN, a
    /// parameter, a role created by another stack) or depends on a condition, this note names
    /// what is unknown and lists the permissions the mapping's source type needs, so they can
    /// be checked where the role is defined.
    ///
    /// ## Why it matters
    /// A role that lacks these permissions makes the mapping fail to create or never poll.
    /// permgate never guesses: it neither passes nor fails what it cannot see.
    ///
    /// ## How to fix
    /// Audit the template or plan that defines the role together with this one (pass both
    /// paths), or make sure the role grants the permissions listed under `missing`.
    ///
    /// ## Example
    /// ```yaml
    /// Fn:
    ///   Type: AWS::Lambda::Function
    ///   Properties:
    ///     Role: !ImportValue shared-execution-role-arn   # defined by another stack
    /// ```
    pub static ESM_ROLE_UNVERIFIABLE = {
        id: "PG190",
        slug: "esm-role-unverifiable",
        severity: Note,
        sources: ["L-SQS", "L-KIN", "L-DDB-OLD", "L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let (stack, format) = (cx.stack, cx.format);
    for m in &stack.event_source_mappings {
        let ExecutionRole::Unverifiable { reason, function } = esm::execution_role(stack, m) else {
            continue;
        };
        let missing: Vec<Missing> = esm::base_requirements(stack, m)
            .iter()
            .map(|req| {
                let resource = esm::target_resource(stack, &stack.env, m, req.target, function);
                Missing {
                    action: req.any_of.join(" or "),
                    resource: render::plain(format, &resource),
                }
            })
            .collect();
        let mut related = Vec::new();
        if let Some(f) = function {
            related.push(Related {
                resource: f.origin.id.clone(),
                span: f.role_span.or(f.origin.span),
                role: RelatedRole::Function,
                note: Some("the role is named here".into()),
                location: None,
            });
        }
        findings.push(Finding {
            check: ESM_ROLE_UNVERIFIABLE.id,
            severity: Severity::Note,
            certainty: Certainty::CannotVerify {
                reason: reason.clone(),
            },
            message: format!("cannot verify the permissions of mapping `{}`", m.origin.id),
            resource: m.origin.id.clone(),
            span: m.origin.span,
            related,
            missing,
            fix: None,
            location: None,
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_ROLE_UNVERIFIABLE);
    }
}
