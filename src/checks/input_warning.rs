//! PG004: something in an input that was read but left out of the audit.
//!
//! Input: [`Stack::diagnostics`](crate::model::Stack::diagnostics) — what the readers could not
//! use without failing the file (a Terraform plan with `errored: true`, an attribute of an
//! unexpected type, a property or resource type the SAM expansion does not know, an
//! `Fn::ForEach` it does not expand). Output: one warning per diagnostic, at its location when
//! the file has lines (a plan has none: permgate never invents one).

use super::context::Context;
use crate::diag::{Certainty, Finding, Severity};

crate::declare_check! {
    /// part of an input was read but not audited; the results for it may be incomplete
    ///
    /// ## What it checks
    /// permgate reports here what it read but could not use, without failing the file: a
    /// Terraform plan that Terraform marked `errored` (resources may be missing), an attribute
    /// of a type the provider schema does not allow, a property or resource type the SAM
    /// expansion does not know (it is ignored or kept as written), an `Fn::ForEach` of
    /// `AWS::LanguageExtensions` (its resources are not expanded), a `Ref` or `Fn::GetAtt` to
    /// a resource the template does not define (CloudFormation rejects the template; the value
    /// is unknown and the rest of the template is audited). For a plan read with its
    /// Terraform source: a `.tf` file that does not parse, a module whose source is not on
    /// disk (run `terraform init`), a plan resource the source no longer has, or a policy whose
    /// source no longer references what the plan lists: the source changed since the plan was
    /// made, so the findings concerned keep the plan's own location and values.
    ///
    /// ## Why it matters
    /// The other checks see only what was read: a permission problem in the part left out is
    /// not reported. SAM itself may reject a property it does not know.
    ///
    /// ## How to fix
    /// Correct the input (fix the plan's errors and plan again; remove or correct the
    /// property; plan again after changing the Terraform source), or accept that this part is
    /// not audited.
    ///
    /// ## Example
    /// ```yaml
    /// Fn:
    ///   Type: AWS::Serverless::Function
    ///   Properties:
    ///     Handler: app.handler
    ///     Runtime: python3.12
    ///     Polices: AWSLambdaSQSQueueExecutionRole   # `Policies`: ignored as written
    /// ```
    pub static INPUT_WARNING = {
        id: "PG004",
        slug: "input-warning",
        severity: Warning,
        sources: ["SAMT", "TF-JSON"],
    }
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    findings.extend(cx.stack.diagnostics.iter().cloned().map(finding));
}

/// The warning for one diagnostic: of a stack, or of a file read for what it says about the
/// others (a cloud assembly's manifest).
pub fn finding(d: crate::diag::FileError) -> Finding {
    let mut message = d.message;
    if let Some(help) = &d.help {
        message.push_str("; ");
        message.push_str(help.lines().next().unwrap_or_default());
    }
    Finding {
        check: INPUT_WARNING.id,
        severity: Severity::Warning,
        certainty: Certainty::Certain,
        message,
        // A diagnostic is about the file; its message names the resource.
        resource: String::new(),
        span: d.span,
        related: Vec::new(),
        missing: Vec::new(),
        fix: None,
        location: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::report::{self, Format};

    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::INPUT_WARNING);
    }

    fn render(format: Format) -> String {
        let report = crate::audit(&[std::path::PathBuf::from(
            "testdata/checks/PG004-input-warning/fail-errored-plan.json",
        )]);
        let mut out = Vec::new();
        report::write(
            &report,
            format,
            crate::checks::CHECKS,
            report::text::TextOptions::new(false),
            &mut out,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_finding_about_the_whole_file_names_no_resource() {
        let github = render(Format::Github);
        assert!(
            github.contains("title=PG004 (input-warning)::terraform reported errors"),
            "{github}"
        );
        let sarif: serde_json::Value = serde_json::from_str(&render(Format::Sarif)).unwrap();
        let result = &sarif["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "PG004");
        assert!(result["locations"][0].get("logicalLocations").is_none());
        let text = render(Format::Text);
        assert!(
            text.contains("--> testdata/checks/PG004-input-warning/fail-errored-plan.json\n"),
            "{text}"
        );
    }
}
