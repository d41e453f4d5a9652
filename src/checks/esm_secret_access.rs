//! PG110: every secret a mapping authenticates with must be readable by the execution role.

use super::esm::Mapping;
use super::needs::{self, Need};
use super::requirements;
use crate::diag::RelatedRole;
use crate::model::AccessConfig;

crate::declare_check! {
    /// the execution role cannot read a secret that an event source mapping authenticates with
    ///
    /// ## What it checks
    /// Every `SourceAccessConfigurations` entry whose type carries a Secrets Manager secret
    /// (`BASIC_AUTH`, `SASL_SCRAM_256_AUTH`, `SASL_SCRAM_512_AUTH`,
    /// `CLIENT_CERTIFICATE_TLS_AUTH`, `SERVER_ROOT_CA_CERTIFICATE`, `OAUTHBEARER_AUTH`) and
    /// every schema-registry `AccessConfigs` entry needs `secretsmanager:GetSecretValue` on that
    /// secret. Secret ARNs end in `-` and six random characters: a
    /// policy that names the secret without `-??????` or `*` matches nothing, and permgate
    /// reports it.
    ///
    /// ## Why it matters
    /// Lambda refuses the mapping or cannot authenticate: "Cannot access secret manager value
    /// arn:aws:secretsmanager:… Please ensure the role can perform the
    /// 'secretsmanager:GetSecretValue' action".
    ///
    /// ## How to fix
    /// Grant `secretsmanager:GetSecretValue` on the secret (`!Ref Secret` is its full ARN), or
    /// on its name followed by `-??????`.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: secretsmanager:GetSecretValue
    ///   Resource: !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:kafka/creds-??????
    /// ```
    pub static ESM_SECRET_ACCESS = {
        id: "PG110",
        slug: "esm-secret-access",
        severity: Error,
        sources: ["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB", "CFNLINT", "SAMT", "ISSUE-CDK18571"],
    }
}

/// The secret-bearing access configurations of a mapping, its own and its schema registry's.
pub fn secret_configs<'a>(m: &'a Mapping<'_>) -> impl Iterator<Item = &'a AccessConfig> {
    let registry = m
        .esm
        .schema_registry
        .iter()
        .flat_map(|r| r.access_configs.iter());
    m.esm
        .access_configs
        .iter()
        .chain(registry)
        .filter(|a| a.is_secret())
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    for config in secret_configs(m) {
        let about = match m.secret_of(config) {
            Some(secret) => needs::related(
                &secret.origin,
                RelatedRole::Secret,
                Some(format!("`{}` secret", config.kind)),
            ),
            None => needs::related_at(&m.esm.origin.id, config.span, RelatedRole::Secret),
        };
        out.push(
            Need::new(
                &ESM_SECRET_ACCESS,
                requirements::SECRET_READ.any_of,
                config.uri.clone(),
            )
            .about(Some(about)),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_SECRET_ACCESS);
    }
}
