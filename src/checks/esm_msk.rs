//! PG104: the execution role of an Amazon MSK mapping must describe the cluster, get its
//! brokers and manage network interfaces.

use super::esm::Mapping;
use super::needs::Need;
use super::requirements;
use crate::model::SourceKind;

crate::declare_check! {
    /// the execution role of an Amazon MSK event source mapping lacks the cluster or VPC permissions
    ///
    /// ## What it checks
    /// For every mapping whose source is an MSK cluster, the execution role must allow
    /// `kafka:DescribeClusterV2` or `kafka:DescribeCluster` on the cluster (only `V2` for
    /// MSK Serverless), `kafka:GetBootstrapBrokers` on `*`, and the six EC2 actions Lambda
    /// uses to reach the cluster's VPC: `ec2:CreateNetworkInterface`,
    /// `ec2:DescribeNetworkInterfaces`, `ec2:DescribeVpcs`, `ec2:DeleteNetworkInterface`,
    /// `ec2:DescribeSubnets`, `ec2:DescribeSecurityGroups`.
    /// `AWSLambdaVPCAccessExecutionRole` is not enough: it lacks `DescribeVpcs` and
    /// `DescribeSecurityGroups`.
    ///
    /// ## Why it matters
    /// The mapping is created but never reaches the cluster; its state reason says Lambda
    /// lacks permissions, and no records are processed.
    ///
    /// ## How to fix
    /// Attach `arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole`, or add the
    /// statements under `fix`.
    ///
    /// ## Example
    /// ```yaml
    /// ManagedPolicyArns:
    ///   - arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole
    /// ```
    pub static ESM_MSK = {
        id: "PG104",
        slug: "esm-msk-permissions",
        severity: Error,
        sources: ["L-MSK-PERM", "PS", "MAMIP"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    if m.esm.kind != SourceKind::Msk {
        return;
    }
    let serverless = m
        .esm
        .source_resource
        .as_deref()
        .and_then(|r| m.stack.msk_cluster(r))
        .is_some_and(|c| c.serverless);
    let rows = if serverless {
        requirements::MSK_SERVERLESS
    } else {
        requirements::MSK
    };
    m.needs_from(&ESM_MSK, rows, out);
    m.needs_from(&ESM_MSK, requirements::VPC_ACCESS, out);
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_MSK);
    }
}
