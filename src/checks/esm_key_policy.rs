//! PG115: the key policy of a mapping's key blocks the execution role.

use super::CheckInfo;
use super::context::Context;
use super::needs::{self, Need, Subject, Verdict};
use super::render;
use crate::diag::{Certainty, Finding, Fix, Related, RelatedRole};
use crate::model::Role;

crate::declare_check! {
    /// a key policy neither names the execution role nor lets IAM policies grant the key
    ///
    /// ## What it checks
    /// A mapping whose secret or queue is encrypted with a customer managed KMS key needs
    /// `kms:Decrypt` on that key (PG111, PG112). For a key defined in the input, the key
    /// policy decides first: KMS lets a principal use a key only when the key policy allows it,
    /// either by naming the principal or by allowing the account (the principal
    /// `arn:aws:iam::<account>:root`), which is what makes IAM policies count at all. A key
    /// without a `KeyPolicy` gets the default key policy, which allows the account. permgate reports a key policy that does neither for the request:
    /// no statement of the execution role, however broad, can allow it.
    ///
    /// ## Why it matters
    /// The role's `kms:Decrypt` statement is useless: reading the secret or the queue's
    /// messages fails with an access-denied from KMS, and the mapping never delivers a record.
    ///
    /// ## How to fix
    /// Add a statement to the key policy that allows the execution role (shown in the fix), or
    /// one that allows the account so that the role's own statement applies. The rules, with
    /// examples, are in `docs/resource-policies.md`; AWS's pages:
    /// - key policies: https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
    /// - default key policy: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
    /// - policy evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
    ///
    /// ## Example
    /// ```yaml
    /// KeyPolicy:
    ///   Version: "2012-10-17"
    ///   Statement:
    ///     - Effect: Allow
    ///       Principal: { AWS: !GetAtt ConsumerRole.Arn }
    ///       Action: kms:Decrypt
    ///       Resource: "*"
    /// ```
    pub static ESM_KEY_POLICY = {
        id: "PG115",
        slug: "esm-key-policy-blocks",
        severity: Error,
        sources: ["KMS-KEYPOL", "KMS-DEFAULT", "IAM-EVAL", "L-MSK-PERM", "SQS-DG"],
    }
}

/// The finding for needs whose key policy blocks the role: names the key policy, the
/// identity statements that allow the request in vain, and the key-policy statement to add.
pub fn finding(
    cx: &Context<'_>,
    subject: &Subject<'_>,
    role: &Role,
    group: &[&(Need, Verdict)],
) -> Finding {
    let check: &CheckInfo = &ESM_KEY_POLICY;
    let missing = needs::missing_of(cx, group.iter().map(|(n, _)| n));
    let actions = needs::quoted_actions(group);
    let mut related = needs::base_related(subject, role, group);
    let mut keys: Vec<String> = Vec::new();
    for (_, v) in group {
        let Verdict::Denied {
            blocked_by: Some(key),
            near_misses,
            ..
        } = v
        else {
            continue;
        };
        let label = format!("`{}`", key.origin);
        if !keys.contains(&label) {
            keys.push(label);
        }
        let r = Related {
            location: None,
            resource: key.origin.clone(),
            span: key.span,
            role: RelatedRole::Key,
            note: Some(format!(
                "the {} names neither role `{}` nor the account: add the statement here",
                key.describe(),
                role.origin.id
            )),
        };
        if !related.contains(&r) {
            related.push(r);
        }
        for m in near_misses.iter().take(3) {
            let r = Related {
                location: None,
                resource: m.statement.policy.origin.clone(),
                span: m.statement.span.or(m.statement.policy.span),
                role: RelatedRole::Statement,
                note: Some(format!(
                    "{} of {} {}",
                    m.statement.label(),
                    m.statement.policy.short(),
                    m.detail
                )),
            };
            if !related.contains(&r) {
                related.push(r);
            }
        }
    }
    let mut acts: Vec<&str> = group
        .iter()
        .filter_map(|(n, _)| n.actions.first().copied())
        .collect();
    acts.sort_unstable();
    acts.dedup();
    let mut statement = render::allow_statement(&acts, vec![serde_json::json!("*")]);
    if let Some(map) = statement.as_object_mut() {
        // In a key policy, `Resource: "*"` is the key itself (KMS-KEYPOL).
        let principal = render::resource(cx.format, &role.arn);
        map.insert("Principal".into(), serde_json::json!({ "AWS": principal }));
    }
    Finding {
        location: None,
        check: check.id,
        severity: check.default_severity,
        certainty: Certainty::Certain,
        message: format!(
            "the key policy of {} neither names role `{}` nor allows the account, so no statement of the role can allow {} that {} `{}` needs to {}",
            needs::list(&keys),
            role.origin.id,
            needs::list(&actions),
            subject.noun,
            subject.origin.id,
            subject.purpose
        ),
        resource: subject.origin.id.clone(),
        span: subject.origin.span,
        related,
        missing,
        fix: Some(Fix {
            source: None,
            help: format!(
                "add this statement to the key policy of {}, or a statement that allows the account so that the role's own policy counts",
                needs::list(&keys)
            ),
            statement,
        }),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::ESM_KEY_POLICY);
    }
}
