//! PG006: a suppression whose `until` day has passed.
//!
//! Input: the suppressions of a run that matched a finding after their `until` day, decided
//! by [`crate::suppress`]. Output: one note per such suppression, at its `until` (inline) or
//! its `[[ignore]]` table; the finding it used to suppress is reported again, unchanged.

use crate::diag::{Certainty, Finding};
use crate::source::Span;

crate::declare_check! {
    /// a suppression has lapsed: the findings it accepted until its `until` day are reported again
    ///
    /// ## What it checks
    /// A suppression can carry `until: YYYY-MM-DD` (inline) or `until = YYYY-MM-DD`
    /// (`[[ignore]]` in `.permgate.toml`): it accepts a finding up to the end of that day, in
    /// UTC. After it, the suppression no longer applies: the finding counts again, in the
    /// report and the exit code, and this note, at the suppression, says why it came back.
    ///
    /// ## Why it matters
    /// A deadline keeps a temporary exception temporary: a permission accepted "until the
    /// migration is done" returns as a finding when the date passes, instead of staying hidden
    /// for good.
    ///
    /// ## How to fix
    /// Fix the finding and remove the suppression, or, if the exception must go on, move
    /// `until` to a later day and say why in `reason`.
    ///
    /// ## Example
    /// ```toml
    /// [[ignore]]
    /// check = "PG205"
    /// resource = "WebhookUrl"
    /// reason = "public until the signed-request check ships"
    /// until = 2025-03-31
    /// ```
    pub static SUPPRESSION_LAPSED = {
        id: "PG006",
        slug: "suppression-lapsed",
        severity: Note,
        sources: ["SAMT"],
    }
}

/// The note for a suppression of `check` at `span` that lapsed after `until`.
pub fn finding(span: Option<Span>, check: &str, until: &str, reason: &str) -> Finding {
    Finding {
        location: None,
        check: SUPPRESSION_LAPSED.id,
        severity: SUPPRESSION_LAPSED.default_severity,
        certainty: Certainty::Certain,
        message: format!(
            "suppression of `{check}` lapsed after `{until}`; its findings are reported again (it said: {reason})"
        ),
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
        crate::checks::testing::check_fixtures(&super::SUPPRESSION_LAPSED);
    }
}
