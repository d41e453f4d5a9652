//! PG390: a connector whose service execution role is not in the input.

use super::connector::{self, ServiceRole};
use super::context::Context;
use crate::diag::{Certainty, Finding, Missing, Related, RelatedRole, Severity};
use crate::iam::wildcard::Tri;

crate::declare_check! {
    /// the service execution role of an MSK Connect connector cannot be verified: it is not in the input
    ///
    /// ## What it checks
    /// For every MSK Connect connector, permgate needs the service execution role, its trust
    /// policy and its policies. When the role is defined elsewhere (an ARN literal, a parameter,
    /// an import, a role of another stack or Terraform configuration) or depends on a condition,
    /// this note names what is unknown and lists what the role must allow, so it can be checked
    /// where the role is defined: `sts:AssumeRole` for `kafkaconnect.amazonaws.com` in its trust
    /// policy and, with `AuthenticationType: IAM`, the `kafka-cluster` actions PG304 checks.
    ///
    /// ## Why it matters
    /// A role that MSK Connect cannot assume, or that lacks these actions, makes the connector
    /// fail to create or to start. permgate never guesses: it neither passes nor fails what it
    /// cannot see.
    ///
    /// ## How to fix
    /// Audit the template or plan that defines the role together with this one (pass both
    /// paths), or make sure the role allows what `missing` lists.
    ///
    /// ## Example
    /// ```yaml
    /// Connector:
    ///   Type: AWS::KafkaConnect::Connector
    ///   Properties:
    ///     ServiceExecutionRoleArn: !ImportValue shared-connect-role-arn   # defined by another stack
    /// ```
    pub static CONNECTOR_ROLE_UNVERIFIABLE = {
        id: "PG390",
        slug: "connector-role-unverifiable",
        severity: Note,
        sources: ["MSKC"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for c in &stack.connectors {
        let ServiceRole::Unverifiable { reason } = connector::service_role(stack, c) else {
            continue;
        };
        let mut missing = vec![Missing {
            action: connector::ASSUME_ROLE.to_string(),
            resource: connector::plain(cx.format, &c.role_arn.value),
        }];
        if !matches!(connector::uses_iam_auth(c), Tri::No) {
            let (requirements, _) = connector::kafka_requirements(stack, c);
            for r in &requirements {
                for action in r.actions {
                    missing.push(Missing {
                        action: (*action).to_string(),
                        resource: connector::plain(cx.format, &r.pattern),
                    });
                }
            }
        }
        findings.push(Finding {
            check: CONNECTOR_ROLE_UNVERIFIABLE.id,
            severity: Severity::Note,
            certainty: Certainty::CannotVerify { reason },
            message: format!(
                "cannot verify the service execution role of connector `{}`",
                c.origin.id
            ),
            resource: c.origin.id.clone(),
            span: c.origin.span,
            related: vec![Related {
                resource: c.role_arn.value.to_string(),
                span: c.role_arn.span,
                role: RelatedRole::ServiceExecutionRole,
                note: Some("the role is named here".into()),
                location: None,
            }],
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
        crate::checks::testing::check_fixtures(&super::CONNECTOR_ROLE_UNVERIFIABLE);
    }
}
