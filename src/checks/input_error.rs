//! PG001: an input that cannot be read. Produced by the pipeline, not by a check function.

crate::declare_check! {
    /// an input file cannot be read, parsed or resolved
    ///
    /// ## What it checks
    /// Every file permgate audits must be valid UTF-8 and valid JSON or YAML, and a template's
    /// intrinsic functions must resolve: a `Ref` or `Fn::GetAtt` must name a parameter or
    /// resource of the template, `Fn::Sub` variables must exist, resources must not refer to
    /// each other in a cycle, and a Terraform plan must be `terraform show -json` output.
    ///
    /// ## Why it matters
    /// CloudFormation rejects such a template, and permgate cannot audit what it cannot read.
    /// The other inputs are still audited, and the run exits with status 2.
    ///
    /// ## How to fix
    /// Correct the file at the line shown. Input errors cannot be suppressed.
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Fn:
    ///     Type: AWS::Lambda::Function
    ///     Properties:
    ///       Role: !GetAtt [FnRole]   # `Fn::GetAtt` needs a resource and an attribute
    /// ```
    pub static INPUT_ERROR = {
        id: "PG001",
        slug: "input-error",
        severity: Error,
        sources: ["CFNLINT", "TF-JSON"],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::INPUT_ERROR);
    }
}
