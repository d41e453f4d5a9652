//! PG303: a connector whose service execution role is MSK Connect's service-linked role.

use super::connector::{self, ServiceRole};
use super::connector_role_trust::trust_fix;
use super::context::Context;
use crate::diag::{Certainty, Finding, Missing, Related, RelatedRole, Severity};
use crate::model::InputFormat;

crate::declare_check! {
    /// an MSK Connect connector names the service-linked role as its service execution role
    ///
    /// ## What it checks
    /// The service execution role of every MSK Connect connector must not be
    /// `AWSServiceRoleForKafkaConnect`, the service-linked role of MSK Connect
    /// (`arn:…:iam::<account>:role/aws-service-role/kafkaconnect.amazonaws.com/…`).
    ///
    /// ## Why it matters
    /// The MSK documentation says that MSK Connect does not support the service-linked role as
    /// the service execution role. MSK Connect uses the service-linked role itself, to manage
    /// the connector's network interfaces; the connector needs a separate role of its own.
    ///
    /// ## How to fix
    /// Create a role whose trust policy has the statement shown under the finding, give it the
    /// permissions the connector needs (for an IAM-authenticated cluster, the `kafka-cluster`
    /// actions PG304 lists), and name it in `ServiceExecutionRoleArn`
    /// (`service_execution_role_arn`).
    ///
    /// ## Example
    /// ```yaml
    /// Connector:
    ///   Type: AWS::KafkaConnect::Connector
    ///   Properties:
    ///     ServiceExecutionRoleArn: !Sub arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/kafkaconnect.amazonaws.com/AWSServiceRoleForKafkaConnect
    /// ```
    pub static CONNECTOR_SERVICE_LINKED_ROLE = {
        id: "PG303",
        slug: "connector-service-linked-role",
        severity: Error,
        sources: ["MSKC"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for c in &stack.connectors {
        if !matches!(
            connector::service_role(stack, c),
            ServiceRole::ServiceLinked
        ) {
            continue;
        }
        let property = match cx.format {
            InputFormat::TerraformPlan | InputFormat::TerraformState => {
                "service_execution_role_arn"
            }
            InputFormat::Cloudformation | InputFormat::Sam => "ServiceExecutionRoleArn",
        };
        findings.push(Finding {
            check: CONNECTOR_SERVICE_LINKED_ROLE.id,
            severity: Severity::Error,
            certainty: Certainty::Certain,
            message: format!(
                "connector `{}` names the service-linked role of MSK Connect as its service execution role",
                c.origin.id
            ),
            resource: c.origin.id.clone(),
            span: c.origin.span,
            related: vec![Related {
                resource: c.role_arn.value.to_string(),
                span: c.role_arn.span,
                role: RelatedRole::ServiceExecutionRole,
                note: Some("MSK Connect does not accept this role here".into()),
                location: None,
            }],
            missing: vec![Missing {
                action: connector::ASSUME_ROLE.to_string(),
                resource: connector::plain(cx.format, &c.role_arn.value),
            }],
            fix: Some(trust_fix(
                cx,
                c,
                format!(
                    "create a service execution role whose trust policy has this statement and name it in `{property}`"
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
        crate::checks::testing::check_fixtures(&super::CONNECTOR_SERVICE_LINKED_ROLE);
    }
}
