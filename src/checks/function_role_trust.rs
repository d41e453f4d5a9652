//! PG100: a function's execution role must be assumable by Lambda.

use super::context::Context;
use super::needs;
use crate::diag::{Certainty, Finding, Fix, Missing, RelatedRole, Severity};
use crate::iam::trust;
use crate::iam::wildcard::Tri;
use crate::model::RoleLink;

crate::declare_check! {
    /// a function's execution role does not trust lambda.amazonaws.com to assume it
    ///
    /// ## What it checks
    /// The trust policy (`AssumeRolePolicyDocument`, `assume_role_policy`) of every function's
    /// execution role must allow the service principal `lambda.amazonaws.com` to call
    /// `sts:AssumeRole`. An explicit `Deny` wins; a statement with a
    /// `Condition` cannot be decided from the input and is reported as "cannot verify".
    ///
    /// ## Why it matters
    /// Lambda refuses the function: "The role defined for the function cannot be assumed by
    /// Lambda", and no event source mapping of the function can be created.
    ///
    /// ## How to fix
    /// Add the statement under `fix` to the role's trust policy.
    ///
    /// ## Example
    /// ```yaml
    /// AssumeRolePolicyDocument:
    ///   Version: "2012-10-17"
    ///   Statement:
    ///     - Effect: Allow
    ///       Principal: { Service: lambda.amazonaws.com }
    ///       Action: sts:AssumeRole
    /// ```
    pub static FUNCTION_ROLE_TRUST = {
        id: "PG100",
        slug: "function-role-trust",
        severity: Error,
        sources: ["SAMT", "TFP-ESM", "IAM-EVAL"],
    }
}

pub const LAMBDA: &str = "lambda.amazonaws.com";

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for function in &stack.functions {
        let RoleLink::Local(id) = function.role else {
            continue;
        };
        let Some(role) = stack.role(id) else {
            continue;
        };
        let (allows, statement_span) = match &role.trust_policy {
            None => (
                Tri::Unknown(format!(
                    "the trust policy of role `{}` is not in the input",
                    role.origin.id
                )),
                None,
            ),
            Some(doc) => {
                let answer = trust::trust_allows(doc, LAMBDA, "sts:AssumeRole");
                let span = answer
                    .statement
                    .as_ref()
                    .and_then(|s| s.span)
                    .or(doc.value.span);
                (answer.allows, span)
            }
        };
        let mut related = vec![
            needs::related(
                &function.origin,
                RelatedRole::Function,
                Some("the execution role is named here".into()),
            ),
            crate::diag::Related {
                resource: role.origin.id.clone(),
                span: statement_span.or(role.origin.span),
                role: RelatedRole::ExecutionRole,
                note: Some("trust policy".into()),
                location: None,
            },
        ];
        related.dedup();
        let missing = vec![Missing {
            action: "sts:AssumeRole".into(),
            resource: role.origin.id.clone(),
        }];
        let (severity, certainty, message, fix) = match allows {
            Tri::Yes => continue,
            Tri::No => (
                Severity::Error,
                Certainty::Certain,
                format!(
                    "the trust policy of role `{}` does not let `{LAMBDA}` assume it, so function `{}` cannot run with it",
                    role.origin.id, function.origin.id
                ),
                Some(Fix {
                    help: format!(
                        "add this statement to the trust policy of role `{}`",
                        role.origin.id
                    ),
                    statement: serde_json::json!({
                        "Effect": "Allow",
                        "Principal": { "Service": LAMBDA },
                        "Action": "sts:AssumeRole",
                    }),
                    source: None,
                }),
            ),
            Tri::Unknown(reason) => (
                Severity::Warning,
                Certainty::CannotVerify { reason },
                format!(
                    "cannot verify that role `{}` lets `{LAMBDA}` assume it for function `{}`",
                    role.origin.id, function.origin.id
                ),
                None,
            ),
        };
        findings.push(Finding {
            check: FUNCTION_ROLE_TRUST.id,
            severity,
            certainty,
            message,
            resource: function.origin.id.clone(),
            span: function.role_span.or(function.origin.span),
            related,
            missing,
            fix,
            location: None,
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_ROLE_TRUST);
    }
}
