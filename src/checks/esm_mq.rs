//! PG107: the execution role of an Amazon MQ mapping must describe the broker and, for a
//! private broker, manage network interfaces.

use super::esm::Mapping;
use super::needs::Need;
use super::requirements;
use crate::model::SourceKind;

crate::declare_check! {
    /// the execution role of an Amazon MQ event source mapping lacks the broker or VPC permissions
    ///
    /// ## What it checks
    /// For every mapping whose source is an Amazon MQ broker (ActiveMQ or RabbitMQ), the
    /// execution role must allow `mq:DescribeBroker` on the broker. When the broker is not
    /// publicly accessible, Lambda reaches it through network interfaces in its VPC and the
    /// role also needs `ec2:CreateNetworkInterface`, `ec2:DeleteNetworkInterface`,
    /// `ec2:DescribeNetworkInterfaces`, `ec2:DescribeSecurityGroups`, `ec2:DescribeSubnets`
    /// and `ec2:DescribeVpcs`. SAM does not add the EC2 actions to the
    /// role it generates. When the broker is not in the input, missing EC2 actions are
    /// reported as "cannot verify". The broker's credentials secret is checked by PG110.
    ///
    /// ## Why it matters
    /// The mapping is created but cannot connect (`EVENT_SOURCE_AUTHZ_ERROR`): no message is
    /// ever delivered to the function.
    ///
    /// ## How to fix
    /// Add the statements under `fix` to the execution role.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: mq:DescribeBroker
    ///   Resource: !GetAtt Broker.Arn
    /// - Effect: Allow
    ///   Action: [ec2:CreateNetworkInterface, ec2:DeleteNetworkInterface,
    ///            ec2:DescribeNetworkInterfaces, ec2:DescribeSecurityGroups,
    ///            ec2:DescribeSubnets, ec2:DescribeVpcs]
    ///   Resource: "*"
    /// ```
    pub static ESM_MQ = {
        id: "PG107",
        slug: "esm-mq-permissions",
        severity: Error,
        sources: ["L-MQ", "SAM-MQ", "SAMT", "PS"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    if !matches!(
        m.esm.kind,
        SourceKind::MqActivemq | SourceKind::MqRabbitmq | SourceKind::Mq
    ) {
        return;
    }
    m.needs_from(&ESM_MQ, requirements::MQ, out);
    let broker = m
        .esm
        .source_resource
        .as_deref()
        .and_then(|id| m.stack.brokers.iter().find(|b| b.origin.id == id));
    let public = broker.and_then(|b| b.publicly_accessible);
    let only_if = match public {
        Some(true) => return,
        Some(false) => None,
        None => Some("the broker is private (its configuration is not in the input)".to_string()),
    };
    let start = out.len();
    m.needs_from(&ESM_MQ, requirements::VPC_ACCESS, out);
    super::needs::only_if_from(out, start, only_if.as_deref());
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_MQ);
    }
}
