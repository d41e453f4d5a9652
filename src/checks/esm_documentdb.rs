//! PG108: the execution role of a DocumentDB change-stream mapping needs rds and EC2 actions.

use super::esm::Mapping;
use super::needs::Need;
use super::requirements;
use crate::model::SourceKind;

crate::declare_check! {
    /// the execution role of a DocumentDB event source mapping lacks the cluster or VPC permissions
    ///
    /// ## What it checks
    /// For every mapping whose source is an Amazon DocumentDB cluster, the execution role must
    /// allow `rds:DescribeDBClusters` on the cluster, `rds:DescribeDBClusterParameters` on the
    /// cluster parameter groups (`cluster-pg:*`), `rds:DescribeDBSubnetGroups` on the subnet
    /// groups (`subgrp:*`), and the six EC2 network-interface actions.
    /// No AWS managed policy grants these. The credentials secret is checked by PG110.
    ///
    /// ## Why it matters
    /// The mapping cannot read the change stream and stays in a failed state.
    ///
    /// ## How to fix
    /// Add the statements under `fix` to the execution role.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [rds:DescribeDBClusters, rds:DescribeDBClusterParameters, rds:DescribeDBSubnetGroups]
    ///   Resource: "*"
    /// - Effect: Allow
    ///   Action: [ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, ec2:DescribeVpcs,
    ///            ec2:DeleteNetworkInterface, ec2:DescribeSubnets, ec2:DescribeSecurityGroups]
    ///   Resource: "*"
    /// ```
    pub static ESM_DOCUMENTDB = {
        id: "PG108",
        slug: "esm-documentdb-permissions",
        severity: Error,
        sources: ["L-DOCDB", "SAMT", "PS"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    if m.esm.kind == SourceKind::Documentdb {
        m.needs_from(&ESM_DOCUMENTDB, requirements::DOCUMENTDB, out);
        m.needs_from(&ESM_DOCUMENTDB, requirements::VPC_ACCESS, out);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_DOCUMENTDB);
    }
}
