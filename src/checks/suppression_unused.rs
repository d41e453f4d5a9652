//! PG005: a suppression that matches no finding.
//!
//! Input: the suppressions of a run (inline `Metadata.permgate.ignore`, `# permgate:ignore`
//! comments in a plan's Terraform source and `[[ignore]]` of the configuration) and which of them took effect, decided by [`crate::suppress`]. Output: one
//! warning per suppression that matched nothing, at the suppression.

use crate::diag::{Certainty, Finding};
use crate::source::Span;

crate::declare_check! {
    /// a suppression matches no finding: the problem was fixed, or the suppression names the wrong thing
    ///
    /// ## What it checks
    /// Every suppression, written in a template (`Metadata: {permgate: {ignore: [...]}}` at the
    /// top level or on a resource), in the Terraform source of a plan (a
    /// `# permgate:ignore CHECK reason` comment on a block) or in `.permgate.toml`
    /// (`[[ignore]]`), must take a finding of the run. One that takes none is reported here, at
    /// the suppression, and so is an inline suppression whose `id` names no check. A `[[ignore]]` entry with a `path` that
    /// matches none of the files of the run is not reported: the run did not look at them.
    /// Inline suppressions live in `Metadata`, which CloudFormation keeps without validating
    /// it, on a resource
    /// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-metadata.html>)
    /// or for the template
    /// (<https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/metadata-section-structure.html>),
    /// and which the SAM transform passes on to the resources it generates.
    ///
    /// ## Why it matters
    /// A suppression outlives the problem it accepted: once the permission is fixed, a stale
    /// suppression would silently hide the same mistake when it comes back. And a suppression
    /// with a typo in its check id or resource hides nothing while its author believes it does.
    ///
    /// ## How to fix
    /// Remove the suppression, or correct its check id, `resource` or `path` so that it names
    /// the finding it is meant to accept. PG005 itself cannot be suppressed; `--ignore PG005`
    /// or `[severity] PG005 = "off"` turns it off.
    ///
    /// ## Example
    /// ```yaml
    /// Queue:
    ///   Type: AWS::SQS::Queue
    ///   Metadata:
    ///     permgate:
    ///       ignore:
    ///         - id: PG101        # a queue is never the resource of a PG101 finding
    ///           reason: the consumer role is managed elsewhere
    /// ```
    pub static SUPPRESSION_UNUSED = {
        id: "PG005",
        slug: "suppression-unused",
        severity: Warning,
        sources: ["SAMT"],
    }
}

/// The finding for a suppression at `span` that matched nothing.
pub fn finding(span: Option<Span>, message: String) -> Finding {
    Finding {
        location: None,
        check: SUPPRESSION_UNUSED.id,
        severity: SUPPRESSION_UNUSED.default_severity,
        certainty: Certainty::Certain,
        message,
        // The finding is about the suppression, not about a resource.
        resource: String::new(),
        span,
        related: Vec::new(),
        missing: Vec::new(),
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::SUPPRESSION_UNUSED);
    }
}
