//! PG111: a secret encrypted with a customer-managed key needs `kms:Decrypt` on that key.

use super::esm::{self, Mapping};
use super::esm_secret_access::secret_configs;
use super::needs::Need;
use crate::model::SymStr;

crate::declare_check! {
    /// the execution role cannot decrypt a mapping's secret encrypted with a customer-managed KMS key
    ///
    /// ## What it checks
    /// When a secret an event source mapping authenticates with is encrypted with a
    /// customer-managed KMS key (`AWS::SecretsManager::Secret.KmsKeyId`,
    /// `aws_secretsmanager_secret.kms_key_id`, or SAM's `SecretsManagerKmsKeyId`), the
    /// execution role needs `kms:Decrypt` on that key (research spec §1.9.1). Secrets under
    /// the AWS managed key `aws/secretsmanager` need nothing more. For a key in the input the
    /// key policy decides too: a statement naming the role (or everyone in the account through
    /// Secrets Manager, `kms:ViaService`) grants it without any role statement, and a key
    /// policy that neither names the role nor allows the account is PG115, not this check
    /// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html).
    ///
    /// ## Why it matters
    /// Reading the secret fails with an access-denied from KMS, and the mapping cannot
    /// authenticate to the broker or cluster.
    ///
    /// ## How to fix
    /// Grant `kms:Decrypt` on the key's ARN (not its alias: IAM authorizes against the key).
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Allow
    ///   Action: kms:Decrypt
    ///   Resource: !GetAtt SecretKey.Arn
    /// ```
    pub static ESM_SECRET_KMS = {
        id: "PG111",
        slug: "esm-secret-kms",
        severity: Error,
        sources: ["L-MSK-PERM", "L-KAFKA-OLD", "L-MQ", "L-DOCDB", "SAMT"],
    }
}

pub fn needs(m: &Mapping<'_>, out: &mut Vec<Need>) {
    let secret_keys = secret_configs(m).filter_map(|c| m.secret_of(c)?.kms_key.as_ref());
    let mut seen: Vec<SymStr> = Vec::new();
    for key in secret_keys.chain(m.esm.secrets_kms_key.as_ref()) {
        let Some(need) = esm::decrypt_need(m.stack, &ESM_SECRET_KMS, key, &m.esm.origin.id) else {
            continue;
        };
        // Secrets Manager decrypts the secret for the role (KMS-COND `kms:ViaService`).
        let need = need.via(esm::service_endpoint(m.stack, "secretsmanager"));
        // Two secrets under one key need one grant.
        let Some(arn) = need.resources.first() else {
            continue;
        };
        if !seen.contains(arn) {
            seen.push(arn.clone());
            out.push(need);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_SECRET_KMS);
    }
}
