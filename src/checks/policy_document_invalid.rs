//! PG002: a policy document (or managed policy attachment) that IAM refuses. Found by
//! [`super::policy_problems`].

crate::declare_check! {
    /// a policy document that IAM refuses: the deploy fails
    ///
    /// ## What it checks
    /// Every policy document of the input — inline policies, `AWS::IAM::Policy`,
    /// `AWS::IAM::ManagedPolicy`, Terraform `aws_iam_*` policies, the policies SAM writes from
    /// `Policies`, and role trust policies — must follow the IAM policy grammar: `Effect` is
    /// `Allow` or `Deny` (case-sensitive), `Action` entries are strings of the form
    /// `service:action`, every statement has an `Action` (or `NotAction`) and, in an identity
    /// policy, a `Resource` (or `NotResource`) whose entries are ARNs or `*`, the `Statement`
    /// list is not empty, `Version` is `2012-10-17` or `2008-10-17`, there are no unknown
    /// elements. A managed policy may have at most 6,144 characters and the inline policies of
    /// a role together at most 10,240 (whitespace not counted). An AWS managed policy ARN must
    /// name a policy that exists. Each problem is reported once, at the place it is written,
    /// even when the policy is attached to several roles.
    ///
    /// ## Why it matters
    /// IAM answers `MalformedPolicyDocument` or `LimitExceeded`: CloudFormation rolls the stack
    /// back and Terraform stops at apply, after the resources before it were created. The
    /// statement is also left out of permgate's own evaluation, so other checks may report
    /// the permissions it meant to grant as missing.
    ///
    /// ## How to fix
    /// Correct the element at the location shown. For a size limit, merge statements that
    /// share resources, use wildcards for families of actions, or split the permissions into
    /// several managed policies.
    ///
    /// ## Example
    /// ```yaml
    /// PolicyDocument:
    ///   Version: "2012-10-17"
    ///   Statement:
    ///     - Effect: allow                  # must be `Allow`
    ///       Action: sqs:ReceiveMessage
    ///       Resource: orders-queue         # must be an ARN: !GetAtt OrdersQueue.Arn
    /// ```
    pub static POLICY_DOCUMENT_INVALID = {
        id: "PG002",
        slug: "policy-document-invalid",
        severity: Error,
        sources: ["IAM-GRAMMAR", "IAM-ELEM", "IAM-QUOTAS", "MAMIP"],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::POLICY_DOCUMENT_INVALID);
    }
}
