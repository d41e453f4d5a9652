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
    /// execution role needs `kms:Decrypt` on that key. Secrets under
    /// the AWS managed key `aws/secretsmanager` need nothing more. For a key in the input the
    /// key policy decides too: a statement naming the role (or everyone in the account through
    /// Secrets Manager, `kms:ViaService`) grants it without any role statement, and a key
    /// policy that neither names the role nor allows the account is PG115, not this check
    /// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html). Amazon MSK
    /// accepts only SASL/SCRAM secrets under a customer managed key, so a SCRAM secret given as
    /// a parameter or import has one even when the input does not say which: a role without
    /// `kms:Decrypt` gets a note naming that requirement.
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
    scram_secrets_elsewhere(m, out);
}

/// Amazon MSK accepts only SASL/SCRAM secrets encrypted with a customer managed key
/// (https://docs.aws.amazon.com/msk/latest/developerguide/msk-password-limitations.html),
/// so a SCRAM secret defined outside the input (a parameter, an import) has such
/// a key even though the input does not name it. Its key policy, not in the input either,
/// may grant the role `kms:Decrypt` itself: a role without the permission gets a note that
/// names the requirement, never an error.
fn scram_secrets_elsewhere(m: &Mapping<'_>, out: &mut Vec<Need>) {
    if m.esm.kind != crate::model::SourceKind::Msk || m.esm.secrets_kms_key.is_some() {
        return;
    }
    for config in &m.esm.access_configs {
        if !config.kind.starts_with("SASL_SCRAM") || m.secret_of(config).is_some() {
            continue;
        }
        let mut key = SymStr::lit("key/");
        key.push_sym(crate::model::Symbol::Unknown(format!(
            "the customer managed key of secret `{}`",
            config.uri
        )));
        let mut need = Need::new(
            &ESM_SECRET_KMS,
            crate::checks::requirements::KMS_DECRYPT.any_of,
            m.stack.env.regional_arn("kms", &key),
        )
        .via(esm::service_endpoint(m.stack, "secretsmanager"))
        .only_if(Some(format!(
            "the key policy of the customer managed key that encrypts `{}` does not grant it (Amazon MSK requires SASL/SCRAM secrets to use a customer managed key, https://docs.aws.amazon.com/msk/latest/developerguide/msk-password-limitations.html)",
            config.uri
        )));
        need.about = Some(crate::checks::needs::related_at(
            &m.esm.origin.id,
            config.span,
            crate::diag::RelatedRole::Key,
        ));
        out.push(need);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_SECRET_KMS);
    }
}
