//! PG106: a self-managed Kafka mapping inside a VPC needs the EC2 network-interface actions.

use super::esm::Mapping;
use super::needs::Need;
use super::requirements;
use crate::model::SourceKind;

crate::declare_check! {
    /// the execution role of a self-managed Kafka mapping in a VPC lacks the EC2 network permissions
    ///
    /// ## What it checks
    /// A self-managed Kafka mapping whose `SourceAccessConfigurations` list `VPC_SUBNET` and
    /// `VPC_SECURITY_GROUP` reaches the brokers through network interfaces in that VPC: the
    /// execution role must allow `ec2:CreateNetworkInterface`,
    /// `ec2:DescribeNetworkInterfaces`, `ec2:DescribeVpcs`, `ec2:DeleteNetworkInterface`,
    /// `ec2:DescribeSubnets` and `ec2:DescribeSecurityGroups`. A cluster
    /// reached over the internet (no `VPC_*` entries) needs none of them.
    ///
    /// ## Why it matters
    /// Without them the mapping cannot connect and reports a configuration error instead of
    /// processing records.
    ///
    /// ## How to fix
    /// Add the statement under `fix` (the Describe actions accept only `Resource: "*"`).
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DescribeVpcs,
    ///            ec2:DeleteNetworkInterface, ec2:DescribeSubnets, ec2:DescribeSecurityGroups]
    ///   Resource: "*"
    /// ```
    pub static ESM_KAFKA_VPC = {
        id: "PG106",
        slug: "esm-kafka-vpc-permissions",
        severity: Error,
        sources: ["L-KAFKA-OLD", "SAMT", "PS"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    let in_vpc = m.has_access("VPC_SUBNET") && m.has_access("VPC_SECURITY_GROUP");
    if m.esm.kind == SourceKind::SelfManagedKafka && in_vpc {
        m.needs_from(&ESM_KAFKA_VPC, requirements::VPC_ACCESS, out);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_KAFKA_VPC);
    }
}
