//! PG301: a connector's service execution role that MSK Connect cannot assume.

use super::connector::{self, ServiceRole, TrustVerdict};
use super::context::Context;
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::model::MskConnector;

crate::declare_check! {
    /// an MSK Connect connector's service execution role does not trust `kafkaconnect.amazonaws.com`
    ///
    /// ## What it checks
    /// For every MSK Connect connector (`AWS::KafkaConnect::Connector`,
    /// `aws_mskconnect_connector`) whose service execution role is in the input, the role's
    /// trust policy must let the service principal `kafkaconnect.amazonaws.com` perform
    /// `sts:AssumeRole`. permgate evaluates the trust policy as MSK Connect makes the request:
    /// `Principal` and `Action` wildcards count, an explicit `Deny` wins, and the
    /// `aws:SourceAccount` / `aws:SourceArn` conditions are compared with the connector's account
    /// and ARN (`arn:…:kafkaconnect:<region>:<account>:connector/<name>/<uuid>`), so a condition
    /// naming another connector fails too. A condition that can only be decided at deploy time
    /// (a literal account where the template's account is `${AWS::AccountId}`) is taken to hold.
    /// Other conditions, or a trust policy that is not in the input, give a "cannot verify"
    /// warning.
    ///
    /// ## Why it matters
    /// MSK Connect runs the connector with this role. A role it cannot assume makes the
    /// connector fail to create.
    ///
    /// ## How to fix
    /// Add the statement shown under the finding to the role's trust policy
    /// (`AssumeRolePolicyDocument`, `assume_role_policy`). Its conditions are the ones the MSK
    /// documentation recommends against the confused deputy problem; the connector's UUID is
    /// only known after creation, so the ARN ends in `/*`. The person deploying the connector
    /// also needs `iam:PassRole` on the role, which a template cannot show.
    ///
    /// ## Example
    /// ```yaml
    /// ConnectRole:
    ///   Type: AWS::IAM::Role
    ///   Properties:
    ///     AssumeRolePolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: { Service: kafka.amazonaws.com }   # should be kafkaconnect.amazonaws.com
    ///           Action: sts:AssumeRole
    /// ```
    pub static CONNECTOR_ROLE_TRUST = {
        id: "PG301",
        slug: "connector-role-trust",
        severity: Error,
        sources: ["MSKC", "PS"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for c in &stack.connectors {
        let ServiceRole::Local { role, .. } = connector::service_role(stack, c) else {
            continue;
        };
        let trust_span = role
            .trust_policy
            .as_ref()
            .and_then(|d| d.value.span)
            .or(role.origin.span);
        let related = vec![Related {
            resource: role.origin.id.clone(),
            span: trust_span,
            role: RelatedRole::ServiceExecutionRole,
            note: Some(format!(
                "its trust policy must allow `{}` to `{}`",
                connector::PRINCIPAL,
                connector::ASSUME_ROLE
            )),
            location: None,
        }];
        let (severity, certainty, message) = match connector::trust(&stack.env, c, role) {
            TrustVerdict::Trusted { .. } => continue,
            TrustVerdict::NotTrusted {
                answer,
                excluded_by_conditions,
            } => {
                let message = match &answer.statement {
                    Some(s) => format!(
                        "{} of the trust policy of role `{}` denies `{}` to `{}`, so connector `{}` cannot use it",
                        match &s.sid {
                            Some(sid) => format!("statement `{sid}`"),
                            None => format!("statement #{}", s.index + 1),
                        },
                        role.origin.id,
                        connector::PRINCIPAL,
                        connector::ASSUME_ROLE,
                        c.origin.id
                    ),
                    None if excluded_by_conditions => format!(
                        "the `aws:SourceAccount` / `aws:SourceArn` conditions in the trust policy of role `{}` do not match connector `{}`",
                        role.origin.id, c.origin.id
                    ),
                    None => format!(
                        "service execution role `{}` of connector `{}` does not let `{}` assume it",
                        role.origin.id,
                        c.origin.id,
                        connector::PRINCIPAL
                    ),
                };
                (Severity::Error, Certainty::Certain, message)
            }
            TrustVerdict::Unknown { reason } => (
                Severity::Warning,
                Certainty::CannotVerify { reason },
                format!(
                    "cannot verify that `{}` may assume service execution role `{}` of connector `{}`",
                    connector::PRINCIPAL,
                    role.origin.id,
                    c.origin.id
                ),
            ),
        };
        let certain = certainty == Certainty::Certain;
        findings.push(Finding {
            check: CONNECTOR_ROLE_TRUST.id,
            severity,
            certainty,
            message,
            resource: c.origin.id.clone(),
            span: c.origin.span,
            related,
            missing: vec![Missing {
                action: connector::ASSUME_ROLE.to_string(),
                resource: connector::plain(cx.format, &role.arn),
            }],
            fix: certain.then(|| {
                trust_fix(
                    cx,
                    c,
                    format!(
                        "add this statement to the trust policy of role `{}`",
                        role.origin.id
                    ),
                )
            }),
            location: None,
        });
    }
}

/// The trust statement MSKC asks for, for PG301, PG302 and PG303.
pub fn trust_fix(cx: &Context<'_>, c: &MskConnector, help: String) -> Fix {
    Fix {
        help,
        statement: connector::trust_statement(cx.format, &cx.stack.env, c),
        source: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::CONNECTOR_ROLE_TRUST);
    }
}
