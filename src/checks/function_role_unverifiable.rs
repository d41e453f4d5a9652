//! PG490: a function-level setting whose permissions cannot be verified, because the function
//! or its role is not in the input.

use super::context::Context;
use super::function::Group;
use super::needs;
use crate::diag::{Certainty, Finding, Related, Severity};
use crate::model::Origin;

crate::declare_check! {
    /// the permissions of a function's VPC, dead-letter queue or destinations cannot be verified
    ///
    /// ## What it checks
    /// The checks PG401–PG403 need the function's execution role and its policies. When the
    /// function or its role is defined elsewhere (an imported ARN, a parameter, a role created
    /// by another stack) or depends on a condition, this note names what is unknown and lists
    /// the permissions the function's settings need, so they can be checked where the role is
    /// defined.
    ///
    /// ## Why it matters
    /// A role without them makes the deploy fail (VPC, dead-letter queue) or loses the records
    /// of asynchronous invocations (destinations). permgate never guesses: it neither passes
    /// nor fails what it cannot see.
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
    ///     VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}
    /// ```
    pub static FUNCTION_ROLE_UNVERIFIABLE = {
        id: "PG490",
        slug: "function-role-unverifiable",
        severity: Note,
        sources: ["MAMIP", "SAMT", "L-ASYNC"],
    }
}

/// One note for all the settings of `origin` (a function or an invoke config).
pub fn report(
    cx: &Context<'_>,
    origin: &Origin,
    noun: &'static str,
    reason: &str,
    related: Vec<Related>,
    groups: &[Group],
    findings: &mut Vec<Finding>,
) {
    let purposes: Vec<&str> = groups.iter().map(|g| g.purpose.as_str()).collect();
    findings.push(Finding {
        check: FUNCTION_ROLE_UNVERIFIABLE.id,
        severity: Severity::Note,
        certainty: Certainty::CannotVerify {
            reason: reason.to_string(),
        },
        message: format!(
            "cannot verify the permissions {noun} `{}` needs to {}",
            origin.id,
            purposes.join(" and to ")
        ),
        resource: origin.id.clone(),
        span: origin.span,
        related,
        missing: needs::missing_of(cx, groups.iter().flat_map(|g| &g.needs)),
        fix: None,
        location: None,
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_ROLE_UNVERIFIABLE);
    }
}
