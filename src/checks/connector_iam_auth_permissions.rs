//! PG304: a connector on an IAM-authenticated cluster whose role lacks `kafka-cluster` actions.

use serde_json::Value as Json;

use super::connector::{self, KafkaRequirement, ServiceRole};
use super::context::Context;
use super::render;
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use crate::iam::eval::{Decision, Request, StatementRef};
use crate::iam::wildcard::Tri;
use crate::model::{MskConnector, Role};

crate::declare_check! {
    /// a connector's service execution role lacks the `kafka-cluster` actions IAM authentication needs
    ///
    /// ## What it checks
    /// For every MSK Connect connector with `AuthenticationType: IAM`
    /// (`kafka_cluster_client_authentication.authentication_type = "IAM"`) whose service
    /// execution role is in the input, the role's policies (inline, attached, AWS managed,
    /// within its permissions boundary) must allow what the MSK documentation lists for such a
    /// cluster:
    /// - `kafka-cluster:Connect` and `kafka-cluster:DescribeCluster` on the cluster;
    /// - `kafka-cluster:CreateTopic`, `WriteData`, `ReadData` and `DescribeTopic` on MSK
    ///   Connect's internal topics, `topic/<cluster>/<uuid>/__amazon_msk_connect_*`;
    /// - `kafka-cluster:AlterGroup` and `DescribeGroup` on its groups,
    ///   `group/<cluster>/<uuid>/__amazon_msk_connect_*`;
    /// - for a sink (a connector configured with `topics` or `topics.regex` whose
    ///   `connector.class` is not a `…Source…` class): the same group actions on
    ///   `group/<cluster>/<uuid>/connect-*`, and `kafka-cluster:ReadData` and `DescribeTopic`
    ///   on each topic named in `topics`.
    ///
    /// Each request is evaluated with wildcards, `NotAction`/`NotResource`, explicit denies and
    /// the permissions boundary. The topics a source connector writes, and the other AWS
    /// services a plugin calls, depend on the plugin and are not checked. When the input does
    /// not decide a request (the cluster is not in the input, a condition, a managed policy or
    /// boundary that is not in the input, a parameter for the authentication type), the finding
    /// is a "cannot verify" warning that says why (a note when the role certainly lacks them
    /// but the authentication type is a parameter). A role whose policies do not grant an action
    /// at all is an error even when the cluster is not in the input.
    ///
    /// ## Why it matters
    /// MSK Connect authenticates to the cluster with this role. Without these actions the
    /// connector cannot join the cluster, create its offset, config and status topics, or read
    /// the topics it sinks; it fails to start.
    ///
    /// ## How to fix
    /// Add the statements shown under the finding to a policy of the role. They name the
    /// cluster, and `*` where MSK Connect or the cluster assigns the name (the cluster UUID in a
    /// CloudFormation template, the internal topic and group names).
    ///
    /// ## Example
    /// ```yaml
    /// Connector:
    ///   Type: AWS::KafkaConnect::Connector
    ///   Properties:
    ///     KafkaClusterClientAuthentication: { AuthenticationType: IAM }
    ///     ServiceExecutionRoleArn: !GetAtt ConnectRole.Arn   # its policy grants only s3:* actions
    /// ```
    pub static CONNECTOR_IAM_AUTH_PERMISSIONS = {
        id: "PG304",
        slug: "connector-iam-auth-permissions",
        severity: Error,
        sources: ["MSKC", "PS"],
    }
}

/// The answer for one action of one requirement.
struct Outcome<'r> {
    requirement: &'r KafkaRequirement,
    action: &'static str,
    decision: Decision,
}

pub fn run(cx: &Context<'_>, findings: &mut Vec<Finding>) {
    let stack = cx.stack;
    for c in &stack.connectors {
        let applies = connector::uses_iam_auth(c);
        if applies.is_no() {
            continue;
        }
        let ServiceRole::Local { id, role } = connector::service_role(stack, c) else {
            continue;
        };
        let Some(policies) = cx.policies(id) else {
            continue;
        };
        let (requirements, cluster_unknown) = connector::kafka_requirements(stack, c);
        let mut denied: Vec<Outcome<'_>> = Vec::new();
        let mut undecided: Vec<Outcome<'_>> = Vec::new();
        for requirement in &requirements {
            for &action in requirement.actions {
                let decision = policies.evaluate(&Request {
                    action,
                    resource: &requirement.resource,
                });
                let outcome = Outcome {
                    requirement,
                    action,
                    decision,
                };
                match outcome.decision {
                    Decision::Allowed { .. } => {}
                    Decision::ExplicitDeny { .. } | Decision::ImplicitDeny { .. } => {
                        denied.push(outcome);
                    }
                    Decision::Unknown { .. } => undecided.push(outcome),
                }
            }
        }
        match applies {
            Tri::Yes => {
                if !denied.is_empty() {
                    findings.push(denied_finding(cx, c, role, &denied));
                }
                if !undecided.is_empty() {
                    let reasons = reasons(cluster_unknown.as_deref(), None, &undecided);
                    findings.push(undecided_finding(cx, c, role, &undecided, reasons));
                }
            }
            Tri::Unknown(auth_reason) => {
                // The role lacks them for certain but may not need them: a note; it may lack
                // them: a warning (as for event source mappings whose need is uncertain).
                let severity = if undecided.is_empty() {
                    Severity::Note
                } else {
                    Severity::Warning
                };
                denied.extend(undecided);
                if !denied.is_empty() {
                    let reasons = reasons(cluster_unknown.as_deref(), Some(auth_reason), &denied);
                    let mut finding = undecided_finding(cx, c, role, &denied, reasons);
                    if severity == Severity::Note {
                        finding.message = format!(
                            "service execution role `{}` of connector `{}` does not allow {}, which IAM authentication to the cluster needs",
                            role.origin.id,
                            c.origin.id,
                            summary(&denied)
                        );
                    }
                    finding.severity = severity;
                    findings.push(finding);
                }
            }
            Tri::No => {}
        }
    }
}

/// `` `kafka-cluster:Connect` `` or `` `kafka-cluster:Connect` and 5 more permissions ``.
fn summary(outcomes: &[Outcome<'_>]) -> String {
    let first = outcomes.first().map(|o| o.action).unwrap_or_default();
    match outcomes.len() {
        0 | 1 => format!("`{first}`"),
        2 => format!("`{first}` and 1 more permission"),
        n => format!("`{first}` and {} more permissions", n - 1),
    }
}

fn missing(cx: &Context<'_>, outcomes: &[Outcome<'_>]) -> Vec<Missing> {
    outcomes
        .iter()
        .map(|o| Missing {
            action: o.action.to_string(),
            resource: connector::plain(cx.format, &o.requirement.pattern),
        })
        .collect()
}

fn role_related(role: &Role, note: &str) -> Related {
    Related {
        resource: role.origin.id.clone(),
        span: role.origin.span,
        role: RelatedRole::ServiceExecutionRole,
        note: Some(note.to_string()),
        location: None,
    }
}

/// A statement of one of the role's policies, shown as ``policy `<resource>`: <note>``.
fn statement_related(s: &StatementRef, what: &str) -> Related {
    Related {
        resource: s.policy.origin.clone(),
        span: s.span.or(s.policy.span),
        role: RelatedRole::Policy,
        note: Some(format!("{} of `{}` {what}", s.label(), s.policy.name)),
        location: None,
    }
}

/// At most this many statements are shown next to a finding.
const MAX_STATEMENTS: usize = 3;

fn denied_finding(
    cx: &Context<'_>,
    c: &MskConnector,
    role: &Role,
    denied: &[Outcome<'_>],
) -> Finding {
    let mut related = vec![role_related(
        role,
        "its policies do not allow what `missing` lists",
    )];
    for o in denied {
        let statements: Vec<Related> = match &o.decision {
            Decision::ExplicitDeny { by } => by
                .iter()
                .map(|s| statement_related(s, &format!("denies `{}`", o.action)))
                .collect(),
            Decision::ImplicitDeny { near_misses, .. } => near_misses
                .iter()
                .map(|m| statement_related(&m.statement, &m.detail))
                .collect(),
            Decision::Allowed { .. } | Decision::Unknown { .. } => Vec::new(),
        };
        for s in statements {
            if related.len() > MAX_STATEMENTS {
                break;
            }
            if !related
                .iter()
                .any(|r| r.span == s.span && r.resource == s.resource)
            {
                related.push(s);
            }
        }
    }
    // An `Allow` cannot lift an explicit deny: those statements are shown, not worked around.
    let implicit: Vec<&Outcome<'_>> = denied
        .iter()
        .filter(|o| matches!(o.decision, Decision::ImplicitDeny { .. }))
        .collect();
    let explicit = implicit.len() < denied.len();
    let statements = fix_statements(cx, &implicit);
    let fix = (!statements.is_empty()).then(|| {
        let mut help = match statements.len() {
            1 => format!(
                "add this statement to a policy of role `{}`",
                role.origin.id
            ),
            _ => format!(
                "add these statements to a policy of role `{}`",
                role.origin.id
            ),
        };
        if explicit {
            help.push_str(", and narrow the `Deny` statements shown");
        }
        let statement = match <[Json; 1]>::try_from(statements) {
            Ok([one]) => one,
            Err(many) => Json::Array(many),
        };
        Fix {
            help,
            statement,
            source: None,
        }
    });
    Finding {
        check: CONNECTOR_IAM_AUTH_PERMISSIONS.id,
        severity: Severity::Error,
        certainty: Certainty::Certain,
        message: format!(
            "service execution role `{}` of connector `{}` does not allow {} for IAM authentication to the cluster",
            role.origin.id,
            c.origin.id,
            summary(denied)
        ),
        resource: c.origin.id.clone(),
        span: c.origin.span,
        related,
        missing: missing(cx, denied),
        fix,
        location: None,
    }
}

/// One least-privilege statement per resource, merged when the actions are the same.
fn fix_statements(cx: &Context<'_>, denied: &[&Outcome<'_>]) -> Vec<Json> {
    let mut groups: Vec<(Vec<&'static str>, Vec<Json>)> = Vec::new();
    let mut per_requirement: Vec<(&KafkaRequirement, Vec<&'static str>)> = Vec::new();
    for o in denied {
        match per_requirement
            .iter_mut()
            .find(|(r, _)| std::ptr::eq(*r, o.requirement))
        {
            Some((_, actions)) => actions.push(o.action),
            None => per_requirement.push((o.requirement, vec![o.action])),
        }
    }
    for (requirement, mut actions) in per_requirement {
        actions.sort_unstable();
        let resource = connector::fix_resource(cx.format, &requirement.pattern);
        match groups.iter_mut().find(|(a, _)| *a == actions) {
            Some((_, resources)) => resources.push(resource),
            None => groups.push((actions, vec![resource])),
        }
    }
    groups
        .into_iter()
        .map(|(actions, resources)| render::allow_statement(&actions, resources))
        .collect()
}

/// The reasons a decision is open: what makes the question open first, then the evaluator's
/// reasons, deduplicated.
fn reasons(cluster: Option<&str>, auth: Option<String>, outcomes: &[Outcome<'_>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |r: String| {
        if !r.is_empty() && !out.contains(&r) {
            out.push(r);
        }
    };
    if let Some(a) = auth {
        push(a);
    }
    if let Some(c) = cluster {
        push(c.to_string());
    }
    for o in outcomes {
        if let Decision::Unknown { reasons, .. } = &o.decision {
            // The evaluator repeats an unknown cluster for every statement it may match.
            for r in reasons
                .iter()
                .filter(|r| cluster.is_none_or(|c| !r.contains(c)))
            {
                push(r.clone());
            }
        }
    }
    out
}

/// At most this many reasons are spelled out in a "cannot verify" finding.
const MAX_REASONS: usize = 3;

fn undecided_finding(
    cx: &Context<'_>,
    c: &MskConnector,
    role: &Role,
    outcomes: &[Outcome<'_>],
    reasons: Vec<String>,
) -> Finding {
    let mut reason = reasons
        .iter()
        .take(MAX_REASONS)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if reasons.len() > MAX_REASONS {
        reason.push_str("; …");
    }
    Finding {
        check: CONNECTOR_IAM_AUTH_PERMISSIONS.id,
        severity: Severity::Warning,
        certainty: Certainty::CannotVerify { reason },
        message: format!(
            "cannot verify that service execution role `{}` of connector `{}` allows {} for IAM authentication to the cluster",
            role.origin.id,
            c.origin.id,
            summary(outcomes)
        ),
        resource: c.origin.id.clone(),
        span: c.origin.span,
        related: vec![role_related(
            role,
            "its policies may not allow what `missing` lists",
        )],
        missing: missing(cx, outcomes),
        fix: None,
        location: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixtures() {
        crate::checks::testing::check_fixtures(&super::CONNECTOR_IAM_AUTH_PERMISSIONS);
    }
}
