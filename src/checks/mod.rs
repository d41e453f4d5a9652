//! Checks: [`Stack`](crate::model::Stack) → [`Finding`](crate::diag::Finding)s.
//!
//! Each check is one file with its documentation, its logic and a test that runs its fixtures
//! in `testdata/checks/<ID>-<slug>/`. The registry is an explicit, sorted list.

use crate::diag::Severity;

/// What a check is, for `permgate checks`, `permgate explain` and SARIF rules.
#[derive(Debug)]
pub struct CheckInfo {
    /// Stable id, `PG` and three digits; never reused.
    pub id: &'static str,
    /// Stable kebab-case name.
    pub slug: &'static str,
    pub default_severity: Severity,
    /// One line (under 100 characters): what the check finds.
    pub summary: &'static str,
    /// Markdown with the sections `What it checks`, `Why it matters`, `How to fix`, `Example`.
    pub docs: &'static str,
    /// Source keys from the research spec's source table (e.g. `L-SQS`).
    pub sources: &'static [&'static str],
}
pub mod requirements;
