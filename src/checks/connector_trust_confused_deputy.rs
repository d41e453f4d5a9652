//! PG302: a service execution role that any MSK Connect connector could assume.

use super::connector::{self, ServiceRole, TrustVerdict};
use super::connector_role_trust::trust_fix;
use super::context::Context;
use crate::diag::{Certainty, Finding, Missing, Related, RelatedRole, Severity};

crate::declare_check! {
    /// a connector's role trusts MSK Connect without an `aws:SourceAccount` or `aws:SourceArn` condition
    ///
    /// ## What it checks
    /// For every MSK Connect connector whose service execution role is in the input and trusts
    /// `kafkaconnect.amazonaws.com`, the statement that lets MSK Connect assume the role should
    /// carry an `aws:SourceAccount` or an `aws:SourceArn` condition, as the trust policy in the
    /// MSK documentation does. Either key is enough: the connector's ARN holds its account.
    ///
    /// ## Why it matters
    /// Without them, MSK Connect would assume the role for any connector that names it, in any
    /// account: the cross-service confused deputy problem. The MSK documentation recommends
    /// `aws:SourceArn` with the connector's ARN (or a wildcard where its UUID goes), or
    /// `aws:SourceAccount` to allow every connector of the account.
    ///
    /// ## How to fix
    /// Replace the statement with the one shown under the finding. The connector's UUID is only
    /// known after creation, so the ARN ends in `/*`.
    ///
    /// ## Example
    /// ```yaml
    /// ConnectRole:
    ///   Type: AWS::IAM::Role
    ///   Properties:
    ///     AssumeRolePolicyDocument:
    ///       Statement:
    ///         - Effect: Allow
    ///           Principal: { Service: kafkaconnect.amazonaws.com }
    ///           Action: sts:AssumeRole
    ///           # add: Condition: { StringEquals: { aws:SourceAccount: !Ref AWS::AccountId } }
    /// ```
    pub static CONNECTOR_TRUST_CONFUSED_DEPUTY = {
        id: "PG302",
        slug: "connector-trust-confused-deputy",
        severity: Warning,
        sources: ["MSKC"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for c in &stack.connectors {
        let ServiceRole::Local { role, .. } = connector::service_role(stack, c) else {
            continue;
        };
        let TrustVerdict::Trusted { answer } = connector::trust(&stack.env, c, role) else {
            continue;
        };
        if connector::DEPUTY_KEYS
            .iter()
            .any(|key| answer.has_condition(key))
        {
            continue;
        }
        let statement = answer.statement.as_ref();
        let label = match statement {
            Some(s) => match &s.sid {
                Some(sid) => format!("statement `{sid}`"),
                None => format!("statement #{}", s.index + 1),
            },
            None => "the trust policy".to_string(),
        };
        findings.push(Finding {
            check: CONNECTOR_TRUST_CONFUSED_DEPUTY.id,
            severity: Severity::Warning,
            certainty: Certainty::Certain,
            message: format!(
                "service execution role `{}` of connector `{}` trusts `{}` without `aws:SourceAccount` or `aws:SourceArn`",
                role.origin.id,
                c.origin.id,
                connector::PRINCIPAL
            ),
            resource: c.origin.id.clone(),
            span: c.origin.span,
            related: vec![Related {
                resource: role.origin.id.clone(),
                span: statement
                    .and_then(|s| s.span)
                    .or(role.trust_policy.as_ref().and_then(|d| d.value.span))
                    .or(role.origin.span),
                role: RelatedRole::ServiceExecutionRole,
                note: Some(format!(
                    "{label} lets any connector that names the role assume it"
                )),
                location: None,
            }],
            missing: vec![Missing {
                action: connector::ASSUME_ROLE.to_string(),
                resource: connector::plain(cx.format, &role.arn),
            }],
            fix: Some(trust_fix(
                cx,
                c,
                format!(
                    "replace {label} of the trust policy of role `{}` with this statement",
                    role.origin.id
                ),
            )),
            location: None,
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::CONNECTOR_TRUST_CONFUSED_DEPUTY);
    }
}
