//! PG404: a function's environment-variable key must not be denied to its execution role.

use super::context::Context;
use super::esm;
use super::function::role_named_at;
use super::needs::{self, Subject, Verdict};
use crate::diag::Finding;
use crate::model::{Function, RoleId};

crate::declare_check! {
    /// the execution role explicitly denies `kms:Decrypt` on the function's environment-variable key
    ///
    /// ## What it checks
    /// A function with `KmsKeyArn` (`kms_key_arn` in Terraform) encrypts its environment
    /// variables with that customer managed key. Lambda decrypts them with the execution role
    /// through a KMS grant it creates for the role when the function is deployed, so the role
    /// needs no `kms:Decrypt` statement of its own. A grant cannot
    /// override an explicit `Deny`, though: when the role's policies or its permissions
    /// boundary deny `kms:Decrypt` on the key (a "deny all KMS" guard statement, say), the
    /// function cannot start. permgate reports only that case: a missing `Allow` is
    /// not a mistake here. An AWS managed key (`alias/aws/lambda`) is not checked.
    ///
    /// ## Why it matters
    /// Every invocation fails with `KMSAccessDeniedException`: "Lambda was unable to decrypt
    /// the environment variables because KMS access was denied".
    ///
    /// ## How to fix
    /// Narrow the `Deny` statement so that it does not cover `kms:Decrypt` on this key, for
    /// example with `NotResource` naming the key. The person or pipeline deploying the
    /// function needs `kms:CreateGrant` and `kms:Encrypt` on the key; that is not an
    /// execution-role permission and permgate does not check it.
    ///
    /// ## Example
    /// ```yaml
    /// - Effect: Deny
    ///   Action: kms:*
    ///   NotResource: !GetAtt EnvironmentKey.Arn
    /// ```
    pub static FUNCTION_KMS_KEY = {
        id: "PG404",
        slug: "function-kms-key-denied",
        severity: Error,
        sources: ["L-ENV-KMS", "KMS-GRANTS", "KMS-AUTH"],
    }
}

pub fn check(cx: &Context<'_>, function: &Function, role_id: RoleId, findings: &mut Vec<Finding>) {
    let Some(key) = &function.kms_key_arn else {
        return;
    };
    let (Some(role), Some(set)) = (cx.stack.role(role_id), cx.policies(role_id)) else {
        return;
    };
    let Some(need) = esm::decrypt_need(cx.stack, &FUNCTION_KMS_KEY, key, &function.origin.id)
    else {
        return;
    };
    // Only an explicit deny defeats the grant; an implicit one, or one that depends on a
    // condition, is no finding.
    if !matches!(needs::assess(cx, role, set, &need), Verdict::Denied { explicit, .. } if !explicit.is_empty())
    {
        return;
    }
    let subject = Subject {
        origin: &function.origin,
        noun: "function",
        purpose: "decrypt its environment variables".into(),
        related: vec![role_named_at(function)],
    };
    let before = findings.len();
    needs::report(cx, &subject, role, set, vec![need], findings);
    for finding in findings.iter_mut().skip(before) {
        if let Some(fix) = &mut finding.fix {
            // No `Allow` is needed, since Lambda's grant allows the request: the statement
            // only names the request the `Deny` must leave alone.
            "narrow the `Deny` statement so that it leaves out this action on this key; the grant Lambda creates allows it"
                .clone_into(&mut fix.help);
            if let Some(statement) = fix.statement.as_object_mut() {
                statement.remove("Effect");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::FUNCTION_KMS_KEY);
    }
}
