//! Findings that hold only if the template is deployed with its parameters' defaults.
//!
//! Input: the findings of a stack read with the defaults of the parameters no value was given
//! for, and the findings of the same template read with those defaults withheld (the parameters
//! symbolic). Output: the first findings, where each certain finding that the second reading does
//! not confirm as certain becomes "cannot verify" at most at warning, naming the defaults it
//! rests on. A parameter's `Default` is what CloudFormation uses when the deploy gives no
//! value, but templates are often deployed with values (samples ship placeholder defaults such
//! as `RABBITMQ_BROKER_ARN`), so a default is a guess, never a certainty.
//!
//! Comparing two readings rather than tracking each value's origin through every check keeps
//! this general: a check needs no knowledge of where its inputs came from, and a finding is
//! confirmed exactly when it holds whatever the parameters' values are.

use crate::diag::{Certainty, Finding, Missing, Severity};
use crate::model::Stack;
use crate::source::Span;

/// How many parameters a reason names before it says "and N more".
const NAMED: usize = 3;

/// Qualifies `findings` (with defaults) against `confirmed` (defaults withheld).
pub fn qualify(findings: Vec<Finding>, confirmed: &[Finding], stack: &Stack) -> Vec<Finding> {
    let defaults: Vec<(&str, &str, &[Span])> = stack.assumed_defaults().collect();
    if defaults.is_empty() {
        return findings;
    }
    findings
        .into_iter()
        .map(|mut f| {
            if f.certainty != Certainty::Certain || confirmed.iter().any(|c| confirms(c, &f)) {
                return f;
            }
            let spans: Vec<Span> = f
                .span
                .into_iter()
                .chain(f.related.iter().filter_map(|r| r.span))
                .collect();
            f.severity = f.severity.min(Severity::Warning);
            f.certainty = Certainty::CannotVerify {
                reason: rests_on(&defaults, &spans),
            };
            f
        })
        .collect()
}

/// Why something found in `stack` with its parameters' defaults holds only with them, naming
/// the defaults used near `spans` (every default the stack uses when none is near).
pub fn reason(stack: &Stack, spans: &[Span]) -> String {
    let defaults: Vec<(&str, &str, &[Span])> = stack.assumed_defaults().collect();
    rests_on(&defaults, spans)
}

fn rests_on(defaults: &[(&str, &str, &[Span])], spans: &[Span]) -> String {
    let near: Vec<&(&str, &str, &[Span])> = defaults
        .iter()
        .filter(|(_, _, refs)| refs.iter().any(|r| spans.iter().any(|s| overlaps(*r, *s))))
        .collect();
    let named: Vec<&(&str, &str, &[Span])> = if near.is_empty() {
        defaults.iter().collect()
    } else {
        near
    };
    naming(&named)
}

/// A finding of the reading without defaults that shows `f` holds whatever the values are.
fn confirms(c: &Finding, f: &Finding) -> bool {
    c.certainty == Certainty::Certain
        && c.check == f.check
        && c.resource == f.resource
        && c.span == f.span
        && c.severity >= f.severity
        && actions(&c.missing) == actions(&f.missing)
}

fn actions(missing: &[Missing]) -> Vec<&str> {
    let mut a: Vec<&str> = missing.iter().map(|m| m.action.as_str()).collect();
    a.sort_unstable();
    a.dedup();
    a
}

fn overlaps(a: Span, b: Span) -> bool {
    a.start < b.end && b.start < a.end || a == b
}

fn naming(named: &[&(&str, &str, &[Span])]) -> String {
    let mut parts: Vec<String> = named
        .iter()
        .take(NAMED)
        .map(|(name, value, _)| format!("`{name}` = `{value}`"))
        .collect();
    if named.len() > NAMED {
        parts.push(format!("{} more", named.len() - NAMED));
    }
    let example = named.first().map(|(n, _, _)| *n).unwrap_or("Name");
    format!(
        "this holds only if deployed with the default{} {}; give the deploy's values with `--parameter-overrides {example}=…`, `--parameters FILE` or samconfig",
        if named.len() == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ParameterValue, TemplateParameter};

    fn finding(check: &'static str, span: Span, certainty: Certainty) -> Finding {
        Finding {
            location: None,
            check,
            severity: Severity::Error,
            certainty,
            message: "m".into(),
            resource: "R".into(),
            span: Some(span),
            related: Vec::new(),
            missing: Vec::new(),
            fix: None,
        }
    }

    fn stack(params: &[(&str, Vec<Span>)]) -> Stack {
        Stack {
            parameters: params
                .iter()
                .map(|(n, refs)| TemplateParameter {
                    name: n.to_string(),
                    value: ParameterValue::Default {
                        value: format!("{n}_DEFAULT"),
                        span: Span::new(0, 1),
                        references: refs.clone(),
                    },
                })
                .collect(),
            ..Stack::default()
        }
    }

    #[test]
    fn an_unconfirmed_finding_becomes_a_warning_naming_the_default_it_rests_on() {
        let s = stack(&[
            ("Broker", vec![Span::new(10, 20)]),
            ("Other", vec![Span::new(50, 60)]),
        ]);
        let out = qualify(
            vec![finding("PG002", Span::new(12, 18), Certainty::Certain)],
            &[],
            &s,
        );
        let [f] = out.as_slice() else { panic!() };
        assert_eq!(f.severity, Severity::Warning);
        let Certainty::CannotVerify { reason } = &f.certainty else {
            panic!()
        };
        assert!(reason.contains("`Broker` = `Broker_DEFAULT`"), "{reason}");
        assert!(!reason.contains("Other"), "{reason}");
    }

    #[test]
    fn a_finding_confirmed_without_defaults_stays_certain() {
        let s = stack(&[("Broker", vec![Span::new(10, 20)])]);
        let f = finding("PG101", Span::new(12, 18), Certainty::Certain);
        let out = qualify(vec![f.clone()], std::slice::from_ref(&f), &s);
        assert_eq!(out, vec![f.clone()]);
        // Confirmed only as "cannot verify": not confirmed.
        let unsure = finding(
            "PG101",
            Span::new(12, 18),
            Certainty::CannotVerify { reason: "x".into() },
        );
        let out = qualify(vec![f], &[unsure], &s);
        assert_eq!(out.first().map(|f| f.severity), Some(Severity::Warning));
    }

    #[test]
    fn without_a_nearby_reference_every_default_is_named() {
        let s = stack(&[
            ("A", vec![Span::new(100, 110)]),
            ("B", vec![Span::new(200, 210)]),
        ]);
        let out = qualify(
            vec![finding("PG110", Span::new(1, 5), Certainty::Certain)],
            &[],
            &s,
        );
        let Some(Certainty::CannotVerify { reason }) = out.first().map(|f| &f.certainty) else {
            panic!()
        };
        assert!(
            reason.contains("defaults `A` = `A_DEFAULT`, `B` = `B_DEFAULT`"),
            "{reason}"
        );
    }

    #[test]
    fn a_stack_without_used_defaults_is_left_alone() {
        let s = stack(&[("Unused", vec![])]);
        let f = finding("PG101", Span::new(1, 2), Certainty::Certain);
        assert_eq!(qualify(vec![f.clone()], &[], &s), vec![f]);
    }
}
