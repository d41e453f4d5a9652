//! Suppress: the checks' findings → the findings a run reports.
//!
//! Input: one [`FileReport`] per input with the checks' findings, each audited file's inline
//! suppressions (`Metadata.permgate.ignore` read by the readers, and a plan's `# permgate:ignore`
//! comments from its `.tf` source, reported at the comment) and the [`Rules`] of the
//! command line and configuration. Output: the same reports, where
//! - findings of checks that are not selected, or set `off` in `[severity]`, are dropped;
//! - `[severity]` sets the severity of a check's certain findings, and one step lower of its
//!   "cannot verify" findings (an unknown never becomes a confident error);
//! - a finding a suppression matches moves to [`FileReport::suppressed`] with the reason and
//!   where the suppression is written, out of the text report and the exit code;
//! - a suppression whose `until` day has passed no longer applies: the finding stays and a
//!   PG006 note at the suppression says so;
//! - a suppression that matches nothing is a PG005 warning at the suppression, so stale ones
//!   get cleaned up.
//!
//! Invariants: input errors (PG001) are not findings and are never suppressed; PG005 and PG006
//! are not suppressible (they are about suppressions), but `--ignore` and `[severity]` apply to
//! them. A config suppression with a `path` that matches none of this run's files is not
//! reported as unused: the run did not look at its files.

use crate::checks::suppression_lapsed::SUPPRESSION_LAPSED;
use crate::checks::suppression_unused::SUPPRESSION_UNUSED;
use crate::config::{Rules, SeverityOverride};
use crate::day::Day;
use crate::diag::{Certainty, Finding, Severity};
use crate::model::InlineSuppression;
use crate::report::{FileReport, FileStatus, Suppressed, SuppressionOrigin};
use crate::source::{SourceFile, Span};

/// One audited file's report and the suppressions written in it.
pub struct Audited {
    pub report: FileReport,
    pub inline: Vec<InlineSuppression>,
}

/// Whether a suppression took effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Use {
    Unused,
    /// It matched a finding, but its day has passed.
    Lapsed,
    Used,
}

impl Use {
    fn record(&mut self, lapsed: bool) {
        if !lapsed {
            *self = Use::Used;
        } else if *self == Use::Unused {
            *self = Use::Lapsed;
        }
    }
}

/// The file a finding is in, as suppressions see it.
struct FileContext<'a> {
    source: &'a SourceFile,
    key_path: &'a str,
}

/// Applies `rules` and the inline suppressions; returns the file reports, with one more for the
/// configuration file when a suppression written there is unused or lapsed.
/// `config_key_path` is the configuration file's path relative to the repository root.
pub fn apply(
    files: Vec<Audited>,
    rules: &Rules,
    config_key_path: &str,
    today: Day,
) -> Vec<FileReport> {
    let mut config_used = vec![Use::Unused; rules.suppressions.len()];
    let mut config_in_scope = vec![false; rules.suppressions.len()];
    let mut reports = Vec::with_capacity(files.len() + 1);
    for Audited { mut report, inline } in files {
        for (s, in_scope) in rules.suppressions.iter().zip(&mut config_in_scope) {
            if report.status == FileStatus::Audited
                && s.path
                    .as_ref()
                    .is_none_or(|(_, m)| m.is_match(&report.key_path))
            {
                *in_scope = true;
            }
        }
        let mut inline_used = vec![Use::Unused; inline.len()];
        let source = report.source.clone();
        let key_path = report.key_path.clone();
        let file = FileContext {
            source: &source,
            key_path: &key_path,
        };
        for mut finding in std::mem::take(&mut report.findings) {
            if !rules.reports(finding.check) {
                continue;
            }
            if let Some(level) = rules.severity.get(finding.check) {
                finding.severity = overridden(*level, &finding.certainty, finding.severity);
            }
            if !suppressible(&finding) {
                report.findings.push(finding);
                continue;
            }
            let by_inline = match_inline(&file, &inline, &mut inline_used, &finding, today);
            let suppression = match by_inline {
                Some(s) => Some(s),
                None => match_config(&file, rules, &mut config_used, &finding, today),
            };
            match suppression {
                Some((reason, origin)) => report.suppressed.push(Suppressed {
                    finding,
                    reason,
                    origin,
                }),
                None => report.findings.push(finding),
            }
        }
        for (s, used) in inline.iter().zip(&inline_used) {
            let before = report.findings.len();
            match (used, crate::config::find_check(&s.check.value)) {
                (_, None) => report.findings.push(unused(
                    s.check.span.or(s.span),
                    format!(
                        "suppression names no check `{}`; `permgate checks` lists them",
                        s.check.value
                    ),
                )),
                (_, Some(c)) if c.id == crate::report::INPUT_ERROR_ID => {
                    report.findings.push(unused(
                        s.check.span.or(s.span),
                        "an input error cannot be suppressed; remove this suppression".into(),
                    ));
                }
                (Use::Unused, Some(c)) if rules.reports(c.id) => {
                    let place = match s.resources.as_ref().and_then(|r| r.first()) {
                        Some(id) => format!("of `{id}`"),
                        None => "in this template".to_string(),
                    };
                    report.findings.push(unused(
                        s.span,
                        format!(
                            "suppression of `{}` matches no finding {place}; remove it",
                            s.check.value
                        ),
                    ));
                }
                (Use::Lapsed, Some(c)) => report.findings.push(lapsed(
                    s.until.as_ref().and_then(|u| u.span).or(s.span),
                    c.id,
                    s.until.as_ref().map_or("", |u| u.value.as_str()),
                    &s.reason,
                )),
                _ => {}
            }
            // A suppression in another file (a `.tf` comment) is reported where it is written.
            if let Some(at) = &s.location {
                for f in report.findings.iter_mut().skip(before) {
                    f.location = Some(at.clone());
                }
            }
        }
        report.normalize();
        reports.push(report);
    }
    if let Some(config) = &rules.config {
        let mut findings = Vec::new();
        let states = rules
            .suppressions
            .iter()
            .zip(&config_used)
            .zip(&config_in_scope);
        for ((s, used), in_scope) in states {
            match used {
                Use::Unused if *in_scope && rules.reports(s.check.id) => {
                    let mut message = format!("suppression of `{}` matches no finding", s.check.id);
                    if let Some((glob, _)) = &s.resource {
                        message.push_str(&format!(" of a resource `{glob}`"));
                    }
                    if let Some((glob, _)) = &s.path {
                        message.push_str(&format!(" in `{glob}`"));
                    }
                    message.push_str("; remove it");
                    findings.push(unused(Some(s.span), message));
                }
                Use::Lapsed => findings.push(lapsed(
                    Some(s.span),
                    s.check.id,
                    s.until.as_ref().map_or("", |u| u.0.as_str()),
                    &s.reason,
                )),
                _ => {}
            }
        }
        if !findings.is_empty() {
            let mut report = FileReport::audited_other(config.clone(), findings);
            report.key_path = config_key_path.to_string();
            report.normalize();
            reports.push(report);
        }
    }
    // PG005 and PG006 follow the selection and `[severity]` like every check.
    for report in &mut reports {
        report.findings.retain(|f| rules.reports(f.check));
        for f in &mut report.findings {
            if !suppressible(f)
                && let Some(level) = rules.severity.get(f.check)
            {
                f.severity = overridden(*level, &f.certainty, f.severity);
            }
        }
    }
    reports
}

fn overridden(level: SeverityOverride, certainty: &Certainty, current: Severity) -> Severity {
    let SeverityOverride::To(to) = level else {
        return current;
    };
    match certainty {
        Certainty::Certain => to,
        Certainty::CannotVerify { .. } => match to {
            Severity::Error => Severity::Warning,
            Severity::Warning | Severity::Note => Severity::Note,
        },
    }
}

/// Whether a suppression can apply to `finding` at all (PG005/PG006 are about suppressions).
fn suppressible(finding: &Finding) -> bool {
    finding.check != SUPPRESSION_UNUSED.id && finding.check != SUPPRESSION_LAPSED.id
}

/// The reason and origin of the inline suppression that takes `finding`, if one does.
fn match_inline(
    file: &FileContext<'_>,
    inline: &[InlineSuppression],
    used: &mut [Use],
    finding: &Finding,
    today: Day,
) -> Option<(String, SuppressionOrigin)> {
    let (s, state) = inline.iter().zip(used.iter_mut()).find(|(s, _)| {
        crate::config::find_check(&s.check.value).is_some_and(|c| c.id == finding.check)
            && s.resources.as_ref().is_none_or(|ids| {
                ids.contains(&finding.resource)
                    || (s.location.is_some()
                        && ids.contains(&crate::readers::hcl::config_address(&finding.resource)))
            })
    })?;
    let lapsed = s
        .until
        .as_ref()
        .and_then(|u| Day::parse(&u.value))
        .is_some_and(|day| day < today);
    state.record(lapsed);
    if lapsed {
        return None;
    }
    let origin = match &s.location {
        Some(at) => SuppressionOrigin::Inline {
            file: at.key_path.clone(),
            line: Some(at.file.line_col(at.span.start).line),
        },
        None => SuppressionOrigin::Inline {
            file: file.key_path.to_string(),
            line: s.span.map(|span| file.source.line_col(span.start).line),
        },
    };
    Some((s.reason.clone(), origin))
}

/// The reason and origin of the `[[ignore]]` entry that takes `finding`, if one does.
fn match_config(
    file: &FileContext<'_>,
    rules: &Rules,
    used: &mut [Use],
    finding: &Finding,
    today: Day,
) -> Option<(String, SuppressionOrigin)> {
    let (s, state) = rules
        .suppressions
        .iter()
        .zip(used.iter_mut())
        .find(|(s, _)| {
            s.check.id == finding.check
                && s.resource
                    .as_ref()
                    .is_none_or(|(_, m)| m.is_match(&finding.resource))
                && s.path
                    .as_ref()
                    .is_none_or(|(_, m)| m.is_match(file.key_path))
        })?;
    let lapsed = s.until.as_ref().is_some_and(|(_, day)| *day < today);
    state.record(lapsed);
    if lapsed {
        return None;
    }
    let config = rules.config.as_ref();
    let origin = SuppressionOrigin::Config {
        file: config.map_or_else(String::new, |c| c.path.display().to_string()),
        line: config.map(|c| c.line_col(s.span.start).line),
    };
    Some((s.reason.clone(), origin))
}

fn unused(span: Option<Span>, message: String) -> Finding {
    crate::checks::suppression_unused::finding(span, message)
}

fn lapsed(span: Option<Span>, check: &str, until: &str, reason: &str) -> Finding {
    crate::checks::suppression_lapsed::finding(span, check, until, reason)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{InputFormat, Located};
    use crate::report::fixtures::finding;

    fn file(findings: Vec<Finding>) -> FileReport {
        let text = "x".repeat(200);
        FileReport::audited(
            Arc::new(SourceFile::new("t.yaml", text)),
            InputFormat::Sam,
            findings,
        )
    }

    fn inline(check: &str, resources: Option<&[&str]>, until: Option<&str>) -> InlineSuppression {
        InlineSuppression {
            check: Located::new(check.to_string(), Some(Span::new(10, 15))),
            reason: "accepted".into(),
            until: until.map(|u| Located::new(u.to_string(), Some(Span::new(20, 30)))),
            resources: resources.map(|r| r.iter().map(|s| s.to_string()).collect()),
            span: Some(Span::new(5, 40)),
            location: None,
        }
    }

    fn today() -> Day {
        Day::parse("2026-06-01").unwrap()
    }

    fn run(
        findings: Vec<Finding>,
        suppressions: Vec<InlineSuppression>,
        rules: &Rules,
    ) -> FileReport {
        let mut out = apply(
            vec![Audited {
                report: file(findings),
                inline: suppressions,
            }],
            rules,
            "",
            today(),
        );
        assert_eq!(out.len(), 1);
        out.remove(0)
    }

    fn checks(report: &FileReport) -> Vec<(&str, &str, Severity)> {
        report
            .findings
            .iter()
            .map(|f| (f.check, f.resource.as_str(), f.severity))
            .collect()
    }

    #[test]
    fn a_resource_suppression_covers_the_resources_generated_from_it_only() {
        let report = run(
            vec![
                finding("PG101", "FnRole", None),
                finding("PG101", "Other", None),
            ],
            vec![inline("esm-sqs-permissions", Some(&["Fn", "FnRole"]), None)],
            &Rules::default(),
        );
        assert_eq!(checks(&report), [("PG101", "Other", Severity::Error)]);
        assert_eq!(report.suppressed.len(), 1);
        assert_eq!(report.suppressed[0].finding.resource, "FnRole");
        assert_eq!(
            report.suppressed[0].origin,
            SuppressionOrigin::Inline {
                file: "t.yaml".into(),
                line: Some(1)
            }
        );
    }

    #[test]
    fn until_is_the_last_day_the_suppression_applies() {
        let on_the_day = run(
            vec![finding("PG101", "Fn", None)],
            vec![inline("PG101", None, Some("2026-06-01"))],
            &Rules::default(),
        );
        assert!(on_the_day.findings.is_empty());
        let after = run(
            vec![finding("PG101", "Fn", None)],
            vec![inline("PG101", None, Some("2026-05-31"))],
            &Rules::default(),
        );
        assert_eq!(
            checks(&after),
            [
                ("PG006", "", Severity::Note),
                ("PG101", "Fn", Severity::Error)
            ]
        );
        assert!(after.suppressed.is_empty());
    }

    #[test]
    fn unused_unknown_and_input_error_suppressions_are_warned() {
        let report = run(
            vec![],
            vec![
                inline("PG101", None, None),
                inline("PG1O1", None, None),
                inline("PG001", None, None),
            ],
            &Rules::default(),
        );
        let messages: Vec<&str> = report.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                // At the entry (offset 5), then at the `id`s (offset 10).
                "suppression of `PG101` matches no finding in this template; remove it",
                "an input error cannot be suppressed; remove this suppression",
                "suppression names no check `PG1O1`; `permgate checks` lists them",
            ]
        );
        // Not when the check is not reported in this run.
        let rules = Rules {
            active: Some(vec!["PG005", "PG205"]),
            ..Rules::default()
        };
        assert!(
            run(vec![], vec![inline("PG101", None, None)], &rules)
                .findings
                .is_empty()
        );
    }

    #[test]
    fn severity_overrides_keep_unknowns_below_certain_findings() {
        let mut unknown = finding("PG205", "Url", None);
        unknown.certainty = Certainty::CannotVerify {
            reason: "a parameter".into(),
        };
        let mut rules = Rules::default();
        rules
            .severity
            .insert("PG205", SeverityOverride::To(Severity::Error));
        rules.severity.insert("PG101", SeverityOverride::Off);
        let report = run(
            vec![
                finding("PG205", "Url2", None),
                unknown,
                finding("PG101", "Fn", None),
            ],
            vec![],
            &rules,
        );
        assert_eq!(
            checks(&report),
            [
                ("PG205", "Url", Severity::Warning),
                ("PG205", "Url2", Severity::Error)
            ]
        );
    }
}
