//! PG003: an action that does not exist. Found by [`super::policy_problems`].

crate::declare_check! {
    /// a policy names an action that does not exist, so it grants or denies nothing
    ///
    /// ## What it checks
    /// Every entry of `Action` and `NotAction` in the policy documents of the input is looked
    /// up in the IAM action catalogue (the Service Authorization Reference): an unknown
    /// service prefix, an action the service does not have, or a wildcard that matches no
    /// action is reported. When a known action is within a few typing mistakes, the message
    /// names it, `missing` lists what an `Allow` statement therefore fails to grant (unless
    /// the role is allowed it by another statement), and the fix is the corrected statement.
    /// The statements of SAM policy templates are SAM's own and not checked
    /// (`SQSPollerPolicy` lists `sqs:DeleteMessageBatch` and `sqs:ChangeMessageVisibilityBatch`,
    /// which IAM does not know: the batch calls are authorized by `sqs:DeleteMessage` and
    /// `sqs:ChangeMessageVisibility`).
    ///
    /// ## Why it matters
    /// IAM accepts a policy with an action that does not exist and matches it against
    /// nothing: `sqs:RecieveMessage` grants no `sqs:ReceiveMessage`, and the mapping fails
    /// with a permissions error at deploy or never polls. In a `Deny`, the typo leaves the
    /// action undenied. The catalogue is a snapshot: an action AWS added after it is reported
    /// too, which is why this is a warning.
    ///
    /// ## How to fix
    /// Replace the action with the one suggested, or with the exact name from the Service
    /// Authorization Reference.
    ///
    /// ## Example
    /// ```yaml
    /// Statement:
    ///   - Effect: Allow
    ///     Action:
    ///       - sqs:RecieveMessage           # did you mean `sqs:ReceiveMessage`?
    ///       - sqs:DeleteMessage
    ///     Resource: !GetAtt OrdersQueue.Arn
    /// ```
    pub static POLICY_ACTION_UNKNOWN = {
        id: "PG003",
        slug: "policy-action-unknown",
        severity: Warning,
        sources: ["PS", "IAM-ELEM"],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::POLICY_ACTION_UNKNOWN);
    }
}
