//! PG105: an MSK mapping that authenticates with IAM needs the `kafka-cluster:*` data-plane
//! actions on the cluster, its topics and its consumer group.

use super::esm::{self, Mapping};
use super::needs::Need;
use crate::model::{InputFormat, SourceKind, SymStr, Symbol};

crate::declare_check! {
    /// the execution role lacks the kafka-cluster permissions of an MSK mapping using IAM access control
    ///
    /// ## What it checks
    /// An MSK mapping without a SASL/SCRAM or mTLS secret uses IAM access control when the
    /// cluster has it enabled (always for MSK Serverless). The execution role then needs
    /// `kafka-cluster:Connect` and `kafka-cluster:DescribeClusterDynamicConfiguration` on the
    /// cluster, `kafka-cluster:DescribeTopic` and `kafka-cluster:ReadData` on each topic
    /// (`topic/<cluster>/<uuid>/<topic>`), and `kafka-cluster:DescribeGroup` and
    /// `kafka-cluster:AlterGroup` on the consumer group (`group/<cluster>/<uuid>/<group>`; the
    /// group is the mapping's `ConsumerGroupId`, or its UUID).
    /// `AWSLambdaMSKExecutionRole` grants none of these. When the cluster is not in the input,
    /// whether IAM access control is used is unknown and a missing grant is a note.
    ///
    /// ## Why it matters
    /// The mapping is created but its last processing result is "SASL authentication failed"
    /// or "Cluster failed to authorize Lambda": no record is read.
    ///
    /// ## How to fix
    /// Add the statements under `fix`, scoped to the cluster, topic and group.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: [kafka-cluster:Connect, kafka-cluster:DescribeClusterDynamicConfiguration]
    ///   Resource: !Ref MskCluster
    /// - Effect: Allow
    ///   Action: [kafka-cluster:DescribeTopic, kafka-cluster:ReadData]
    ///   Resource: !Sub arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:topic/orders-cluster/*/orders
    /// - Effect: Allow
    ///   Action: [kafka-cluster:DescribeGroup, kafka-cluster:AlterGroup]
    ///   Resource: !Sub arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:group/orders-cluster/*/*
    /// ```
    pub static ESM_MSK_IAM_AUTH = {
        id: "PG105",
        slug: "esm-msk-iam-auth",
        severity: Error,
        sources: ["L-MSK-AUTH", "L-MSK-OLD", "L-MSK-PERM", "PS", "MAMIP"],
    }
}

/// Access configuration types that make Lambda authenticate with a secret instead of IAM.
const SECRET_AUTH: &[&str] = &[
    "SASL_SCRAM_512_AUTH",
    "SASL_SCRAM_256_AUTH",
    "CLIENT_CERTIFICATE_TLS_AUTH",
];

/// Whether an MSK mapping authenticates with IAM: `None` when it does not, `Some(None)` when
/// it does, `Some(Some(reason))` when the input does not decide it.
pub fn uses_iam_auth(m: &Mapping<'_>) -> Option<Option<String>> {
    if m.esm.kind != SourceKind::Msk || SECRET_AUTH.iter().any(|k| m.has_access(k)) {
        return None;
    }
    let cluster = m
        .esm
        .source_resource
        .as_deref()
        .and_then(|r| m.stack.msk_cluster(r));
    match cluster {
        Some(c) if c.serverless || c.iam_auth == Some(true) => Some(None),
        Some(c) if c.iam_auth == Some(false) => None,
        Some(c) => Some(Some(format!(
            "cluster `{}` uses IAM access control, which its configuration does not decide",
            c.origin.id
        ))),
        None => Some(Some(
            "the cluster uses IAM access control (it is not in the input)".to_string(),
        )),
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    let Some(only_if) = uses_iam_auth(m) else {
        return;
    };
    let Some(cluster_arn) = m.esm.source_arn.as_ref().map(|a| a.value.clone()) else {
        return;
    };
    let start = out.len();
    out.push(Need::new(
        &ESM_MSK_IAM_AUTH,
        &["kafka-cluster:Connect"],
        cluster_arn.clone(),
    ));
    out.push(Need::new(
        &ESM_MSK_IAM_AUTH,
        &["kafka-cluster:DescribeClusterDynamicConfiguration"],
        cluster_arn,
    ));
    for topic in &m.esm.topics {
        let arn = esm::kafka_child_arn(m.stack, m.esm, "topic", topic);
        out.push(Need::new(
            &ESM_MSK_IAM_AUTH,
            &["kafka-cluster:DescribeTopic"],
            arn.clone(),
        ));
        out.push(Need::new(
            &ESM_MSK_IAM_AUTH,
            &["kafka-cluster:ReadData"],
            arn,
        ));
    }
    // Without a consumer group id, the group is named after the mapping's UUID: `Id` of the
    // template resource, `uuid` of the Terraform one (TFSCHEMA).
    let group = m.esm.consumer_group_id.clone().unwrap_or_else(|| {
        let attr = match m.format {
            InputFormat::TerraformPlan | InputFormat::TerraformState => "uuid",
            InputFormat::Cloudformation | InputFormat::Sam => "Id",
        };
        SymStr::sym(Symbol::Attr {
            resource: m.esm.origin.id.clone(),
            attr: attr.into(),
        })
    });
    let group_arn = esm::kafka_child_arn(m.stack, m.esm, "group", &group);
    out.push(Need::new(
        &ESM_MSK_IAM_AUTH,
        &["kafka-cluster:DescribeGroup"],
        group_arn.clone(),
    ));
    out.push(Need::new(
        &ESM_MSK_IAM_AUTH,
        &["kafka-cluster:AlterGroup"],
        group_arn,
    ));
    super::needs::only_if_from(out, start, only_if.as_deref());
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_MSK_IAM_AUTH);
    }
}
