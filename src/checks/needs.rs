//! Permissions a role needs, decided by the IAM engine, and the findings for the ones it lacks.
//!
//! Input: [`Need`]s (an action, or alternatives, on a resource, or alternatives) collected by
//! the checks for one subject (a mapping, a function), and the role's [`PolicySet`]. Output:
//! per check, at most two findings: the needs the role certainly lacks (at the check's
//! severity, with a fix statement), and the needs the input cannot decide (a "cannot verify"
//! at a lower severity, with the reasons). Allowed needs produce nothing here.

use serde_json::Value as Json;

use super::CheckInfo;
use super::context::Context;
use super::render;
use crate::aws::actions;
use crate::diag::{Certainty, Finding, Fix, Missing, Related, RelatedRole, Severity};
use std::sync::Arc;

use crate::iam::eval::{Caller, Decision, NearMiss, PolicyRef, PolicySet, Request, StatementRef};
use crate::model::{Origin, Role, SymStr};
use crate::source::Span;

/// One permission: any of `actions` on any of `resources`.
#[derive(Clone, Debug)]
pub struct Need {
    pub check: &'static CheckInfo,
    /// Alternatives: `kafka:DescribeClusterV2` or `kafka:DescribeCluster`.
    pub actions: Vec<&'static str>,
    /// Alternatives: a grant on any of them is enough (usually one).
    pub resources: Vec<SymStr>,
    /// The resource the permission is about, when it is not the subject's source (a secret,
    /// a key, a destination), for `related`.
    pub about: Option<Related>,
    /// Set when the need itself is uncertain (the input does not say whether the broker is
    /// private): a denial then becomes "cannot verify" with this reason.
    pub only_if: Option<String>,
    /// How the fix writes the resource, when the model value would read worse (`${B.Arn}/*`
    /// rather than the expanded bucket ARN).
    pub fix_resource: Option<Json>,
    /// The service that makes the request for the role (`kms:ViaService`: Secrets Manager
    /// decrypting a secret, SQS a queue's messages), KMS-COND.
    pub via_service: Option<SymStr>,
}

impl Need {
    pub fn new(check: &'static CheckInfo, actions: &[&'static str], resource: SymStr) -> Need {
        Need {
            check,
            actions: actions.to_vec(),
            resources: vec![resource],
            about: None,
            only_if: None,
            fix_resource: None,
            via_service: None,
        }
    }

    /// Marks the request as one `service` makes on the role's behalf (`kms:ViaService`).
    pub fn via(mut self, service: SymStr) -> Need {
        self.via_service = Some(service);
        self
    }

    /// Marks the need as applying only when `reason` holds (`the broker is private`), which
    /// the input does not say; `None` leaves it certain.
    pub fn only_if(mut self, reason: Option<String>) -> Need {
        self.only_if = reason;
        self
    }

    pub fn or_on(mut self, resource: SymStr) -> Need {
        if !self.resources.contains(&resource) {
            self.resources.push(resource);
        }
        self
    }

    pub fn about(mut self, related: Option<Related>) -> Need {
        self.about = related;
        self
    }

    /// The actions as written in `missing`: `a or b`.
    fn action_text(&self) -> String {
        self.actions.join(" or ")
    }
}

/// Marks every need from `start` on as applying only when `reason` holds (see
/// [`Need::only_if`]); `None` leaves them certain.
pub fn only_if_from(needs: &mut [Need], start: usize, reason: Option<&str>) {
    if let (Some(reason), Some(tail)) = (reason, needs.get_mut(start..)) {
        for need in tail {
            need.only_if = Some(reason.to_string());
        }
    }
}

/// What the role's policies say about a need.
#[derive(Clone, Debug)]
pub enum Verdict {
    Granted {
        by: Vec<StatementRef>,
    },
    Denied {
        /// Explicit `Deny` statements, if any decided it.
        explicit: Vec<StatementRef>,
        near_misses: Vec<NearMiss>,
        /// The key policy that neither names the role nor allows the account (KMS-KEYPOL):
        /// no statement of the role can fix it.
        blocked_by: Option<Arc<PolicyRef>>,
    },
    Unknown {
        reasons: Vec<String>,
        /// Only because the need itself is uncertain ([`Need::only_if`]): the role lacks it.
        if_needed: bool,
    },
}

/// Decides a need for `role`, all policies considered (its identity policies and boundary, and
/// the resource's own policy when the resource is in the input): granted when some alternative
/// is allowed, denied when every alternative is denied, unknown otherwise.
pub fn assess(cx: &Context<'_>, role: &Role, set: &PolicySet, need: &Need) -> Verdict {
    let mut explicit = Vec::new();
    let mut near_misses: Vec<NearMiss> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    let mut blocked_by = None;
    let account = crate::iam::eval::resource::role_account(&role.arn, &cx.account);
    let caller = Caller {
        arn: &role.arn,
        account: &account,
        via_service: need.via_service.as_ref(),
    };
    let resource_policies = cx.resource_policies();
    for action in &need.actions {
        for resource in &need.resources {
            let request = Request { action, resource };
            match set.evaluate_for(&request, Some(&caller), Some(resource_policies)) {
                Decision::Allowed { by } => return Verdict::Granted { by },
                Decision::ExplicitDeny { by } => explicit.extend(by),
                Decision::ImplicitDeny {
                    near_misses: n,
                    blocked_by: b,
                } => {
                    if b.is_some() {
                        blocked_by = b;
                    }
                    for m in n {
                        if !near_misses.iter().any(|x| x.statement == m.statement) {
                            near_misses.push(m);
                        }
                    }
                }
                Decision::Unknown { reasons: r, .. } => {
                    for reason in r {
                        if !reasons.contains(&reason) {
                            reasons.push(reason);
                        }
                    }
                }
            }
        }
    }
    if let (true, Some(reason)) = (reasons.is_empty(), &need.only_if) {
        return Verdict::Unknown {
            reasons: vec![format!("the role lacks it, which matters only if {reason}")],
            if_needed: true,
        };
    }
    if reasons.is_empty() {
        Verdict::Denied {
            explicit,
            near_misses,
            blocked_by,
        }
    } else {
        Verdict::Unknown {
            reasons,
            if_needed: false,
        }
    }
}

/// The subject of a group of needs: the resource that fails when they are missing.
pub struct Subject<'a> {
    pub origin: &'a Origin,
    /// `mapping`, `function`, `connector`.
    pub noun: &'static str,
    /// What the needs are for, completing "… needs them to …" (`poll queue \`Orders\``).
    pub purpose: String,
    /// Related locations shown with every finding (function, source).
    pub related: Vec<Related>,
}

/// Where to add a statement to a role: the `Policies` of the SAM function that generates it,
/// its first inline policy, else the role itself.
pub fn policy_to_edit(role: &Role) -> Related {
    if let (true, Some(function)) = (role.sam_generated, &role.origin.generated_from) {
        return Related {
            resource: function.clone(),
            span: role.origin.span,
            role: RelatedRole::Function,
            note: Some(format!(
                "add the statement to the `Policies` of function `{function}`"
            )),
            location: None,
        };
    }
    match role
        .policies
        .iter()
        .find(|p| p.source != crate::model::PolicySource::CustomerManaged)
    {
        // The policy's own resource: the role for an inline policy, the policy resource
        // (`AWS::IAM::Policy`, `aws_iam_role_policy`) for a standalone one.
        Some(p) => Related {
            resource: p.origin.id.clone(),
            span: p.document.value.span.or(p.origin.span),
            role: RelatedRole::Policy,
            note: Some(format!("add the statement to policy `{}`", p.name)),
            location: None,
        },
        None => Related {
            resource: role.origin.id.clone(),
            span: role.origin.span,
            role: RelatedRole::ExecutionRole,
            note: Some("add a policy with the statement to this role".into()),
            location: None,
        },
    }
}

/// Assesses `needs` against the role and appends the findings, one or two per check.
pub fn report(
    cx: &Context<'_>,
    subject: &Subject<'_>,
    role: &Role,
    set: &PolicySet,
    needs: Vec<Need>,
    findings: &mut Vec<Finding>,
) -> Vec<(Need, Verdict)> {
    let assessed: Vec<(Need, Verdict)> = needs
        .into_iter()
        .map(|mut n| {
            let v = assess(cx, role, set, &n);
            // A key policy that blocks the request is its own finding: the fix is in the key
            // policy, not in the role.
            if matches!(
                v,
                Verdict::Denied {
                    blocked_by: Some(_),
                    ..
                }
            ) {
                n.check = &super::esm_key_policy::ESM_KEY_POLICY;
            }
            (n, v)
        })
        .collect();
    let mut checks: Vec<&'static CheckInfo> = Vec::new();
    for (n, _) in &assessed {
        if !checks.iter().any(|c| std::ptr::eq(*c, n.check)) {
            checks.push(n.check);
        }
    }
    for check in checks {
        let of_check = || {
            assessed
                .iter()
                .filter(|(n, _)| std::ptr::eq(n.check, check))
        };
        let denied: Vec<&(Need, Verdict)> = of_check()
            .filter(|(_, v)| matches!(v, Verdict::Denied { .. }))
            .collect();
        let unknown: Vec<&(Need, Verdict)> = of_check()
            .filter(|(_, v)| matches!(v, Verdict::Unknown { .. }))
            .collect();
        if !denied.is_empty() {
            let finding = if std::ptr::eq(check, &super::esm_key_policy::ESM_KEY_POLICY) {
                super::esm_key_policy::finding(cx, subject, role, &denied)
            } else {
                denied_finding(cx, check, subject, role, &denied)
            };
            findings.push(finding);
        }
        if !unknown.is_empty() {
            findings.push(unknown_finding(cx, check, subject, role, &unknown));
        }
    }
    assessed
}

pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// The `missing` list of a finding: each need's actions on its first resource, once.
pub fn missing_of<'n>(cx: &Context<'_>, needs: impl IntoIterator<Item = &'n Need>) -> Vec<Missing> {
    let mut out: Vec<Missing> = Vec::new();
    for n in needs {
        let m = Missing {
            action: n.action_text(),
            resource: n
                .resources
                .first()
                .map_or_else(|| "*".into(), |r| render::plain(cx.format, r)),
        };
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// The needs' actions in backticks, once each, in order (`` `a`, `b` ``).
pub fn quoted_actions(group: &[&(Need, Verdict)]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (n, _) in group {
        let a = format!("`{}`", n.action_text());
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// The statements to add: one per distinct resource, with every action needed on it (the
/// first alternative of each need).
pub fn fix_statements(cx: &Context<'_>, needs: &[&Need]) -> Json {
    let mut groups: Vec<(Json, Vec<&str>)> = Vec::new();
    for n in needs {
        let Some(action) = n.actions.first() else {
            continue;
        };
        let resource = if actions::only_star(action) {
            Json::String("*".into())
        } else if let Some(r) = &n.fix_resource {
            r.clone()
        } else {
            n.resources
                .first()
                .map(|r| render::resource(cx.format, r))
                .unwrap_or_else(|| Json::String("*".into()))
        };
        match groups.iter_mut().find(|(r, _)| *r == resource) {
            Some((_, actions)) => actions.push(action),
            None => groups.push((resource, vec![action])),
        }
    }
    let statements: Vec<Json> = groups
        .into_iter()
        .map(|(r, a)| render::allow_statement(&a, vec![r]))
        .collect();
    match <[Json; 1]>::try_from(statements) {
        Ok([one]) => one,
        Err(many) => Json::Array(many),
    }
}

pub fn base_related(
    subject: &Subject<'_>,
    role: &Role,
    group: &[&(Need, Verdict)],
) -> Vec<Related> {
    let mut related = subject.related.clone();
    related.push(Related {
        resource: role.origin.id.clone(),
        span: role.origin.span,
        role: RelatedRole::ExecutionRole,
        note: None,
        location: None,
    });
    for (n, _) in group {
        if let Some(a) = &n.about {
            if !related.contains(a) {
                related.push(a.clone());
            }
        }
    }
    related
}

fn statement_related(s: &StatementRef, note: String) -> Related {
    Related {
        resource: s.policy.origin.clone(),
        span: s.span.or(s.policy.span),
        role: RelatedRole::Statement,
        note: Some(note),
        location: None,
    }
}

fn denied_finding(
    cx: &Context<'_>,
    check: &'static CheckInfo,
    subject: &Subject<'_>,
    role: &Role,
    group: &[&(Need, Verdict)],
) -> Finding {
    let missing = missing_of(cx, group.iter().map(|(n, _)| n));
    let actions = quoted_actions(group);
    let mut related = base_related(subject, role, group);
    let mut explicit_any = false;
    // Resource policies that deny, named in the message: the role is not where the fix is.
    let mut denying_resource_policies: Vec<String> = Vec::new();
    for (_, v) in group {
        if let Verdict::Denied {
            explicit,
            near_misses,
            ..
        } = v
        {
            for s in explicit {
                explicit_any = true;
                if matches!(s.policy.kind, crate::iam::eval::PolicyKind::Resource { .. }) {
                    let d = s.policy.describe();
                    if !denying_resource_policies.contains(&d) {
                        denying_resource_policies.push(d);
                    }
                }
                let r = statement_related(
                    s,
                    format!("{} of {} denies it", s.label(), s.policy.short()),
                );
                if !related.contains(&r) {
                    related.push(r);
                }
            }
            for m in near_misses.iter().take(3) {
                let r = statement_related(
                    &m.statement,
                    format!(
                        "{} of policy `{}` {}",
                        m.statement.label(),
                        m.statement.policy.name,
                        m.detail
                    ),
                );
                if !related.contains(&r) {
                    related.push(r);
                }
            }
        }
    }
    let verb = if explicit_any {
        "denies"
    } else {
        "does not allow"
    };
    let mut message = if denying_resource_policies.is_empty() {
        format!(
            "role `{}` {verb} {} that {} `{}` needs to {}",
            role.origin.id,
            list(&actions),
            subject.noun,
            subject.origin.id,
            subject.purpose
        )
    } else {
        format!(
            "the {} denies role `{}` {} that {} `{}` needs to {}",
            list(&denying_resource_policies),
            role.origin.id,
            list(&actions),
            subject.noun,
            subject.origin.id,
            subject.purpose
        )
    };
    if !explicit_any {
        message.push_str(&scoped_star_grants(group));
        message.push_str(&unseen_policies(cx, group));
    }
    let needs: Vec<&Need> = group.iter().map(|(n, _)| n).collect();
    let fix = if explicit_any {
        Fix {
            help: "remove or narrow the `Deny` statement, then make sure an `Allow` statement grants it"
                .into(),
            statement: fix_statements(cx, &needs),
            source: None,
        }
    } else {
        let target = policy_to_edit(role);
        let statement = fix_statements(cx, &needs);
        // The Serverless Framework writes its shared role from `provider.iam.role.statements`
        // of `serverless.yml`, the file its user edits.
        let serverless = !cx.stack.serverless_functions.is_empty()
            && role.origin.id == crate::readers::serverless::SHARED_ROLE;
        let (help, source) = match (role.sam_generated, &role.origin.generated_from) {
            (true, Some(function)) => (
                format!("add this statement to the `Policies` of function `{function}`"),
                None,
            ),
            _ if serverless => (
                "add this statement to `provider.iam.role.statements` in `serverless.yml`"
                    .to_string(),
                Some(render::yaml_statements(&statement)),
            ),
            _ => (
                format!(
                    "add this statement to the execution role `{}`",
                    role.origin.id
                ),
                None,
            ),
        };
        // One label per location: an entry already there takes the instruction.
        match related.iter_mut().find(|r| {
            r.span == target.span
                && r.resource == target.resource
                && matches!(r.role, RelatedRole::ExecutionRole | RelatedRole::Function)
                && r.role == target.role
        }) {
            Some(existing) => existing.note = target.note,
            None => related.push(target),
        }
        Fix {
            help,
            statement,
            source,
        }
    };
    Finding {
        check: check.id,
        severity: check.default_severity,
        certainty: Certainty::Certain,
        message,
        resource: subject.origin.id.clone(),
        span: subject.origin.span,
        related,
        missing,
        fix: Some(fix),
        location: None,
    }
}

/// The Service Authorization Reference page of a service prefix, where the prefix has one
/// of its own (PS), else the index of every service.
fn authorization_reference(service: &str) -> &'static str {
    match service {
        "kafka" => {
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmanagedstreamingforapachekafka.html"
        }
        "ec2" => {
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html"
        }
        "dynamodb" => {
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html"
        }
        "kinesis" => {
            "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesis.html"
        }
        _ => {
            "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html"
        }
    }
}

/// `; \`kafka:GetBootstrapBrokers\` is granted only on a resource it does not support ...`
/// when an action without resource-level permissions (PS) is allowed, but on a named resource
/// (the way AWS's own MSK samples grant `kafka:GetBootstrapBrokers` on the cluster ARN): the
/// grant exists, IAM authorizes the action against `*`, and the reader should know why the
/// statement they see does not count.
fn scoped_star_grants(group: &[&(Need, Verdict)]) -> String {
    let mut scoped: Vec<&str> = Vec::new();
    for (n, v) in group {
        let Verdict::Denied { near_misses, .. } = v else {
            continue;
        };
        let [action] = n.actions.as_slice() else {
            continue;
        };
        let elsewhere = near_misses
            .iter()
            .any(|m| m.kind == crate::iam::eval::NearMissKind::OtherResource);
        if actions::only_star(action) && elsewhere && !scoped.contains(action) {
            scoped.push(action);
        }
    }
    scoped
        .iter()
        .map(|action| {
            let service = action.split(':').next().unwrap_or_default();
            format!(
                "; `{action}` is granted only on a resource it does not support: the Service Authorization Reference lists no resource type for it, so IAM authorizes it on `*` ({})",
                authorization_reference(service)
            )
        })
        .collect()
}

/// `; a policy on \`X\` itself, which is not in the input, could also allow it` when a
/// needed resource is a key, queue, stream, table, secret or cluster defined elsewhere.
/// The verdict stands (Lambda's documentation asks for these permissions on the execution
/// role), and the reader learns what was not seen.
pub fn unseen_policies(cx: &Context<'_>, group: &[&(Need, Verdict)]) -> String {
    let policies = cx.resource_policies();
    let mut unseen: Vec<String> = Vec::new();
    for (n, _) in group {
        if let Some(r) = n.resources.first() {
            let text = format!("`{}`", render::plain(cx.format, r));
            if policies.unseen(r) && !unseen.contains(&text) {
                unseen.push(text);
            }
        }
    }
    if unseen.is_empty() {
        return String::new();
    }
    format!(
        "; a policy on {} itself, which is not in the input, could also allow it",
        list(&unseen)
    )
}

fn unknown_finding(
    cx: &Context<'_>,
    check: &'static CheckInfo,
    subject: &Subject<'_>,
    role: &Role,
    group: &[&(Need, Verdict)],
) -> Finding {
    let missing = missing_of(cx, group.iter().map(|(n, _)| n));
    let mut reasons: Vec<String> = Vec::new();
    for (_, v) in group {
        if let Verdict::Unknown { reasons: r, .. } = v {
            for reason in r {
                if !reasons.contains(reason) {
                    reasons.push(reason.clone());
                }
            }
        }
    }
    let actions = quoted_actions(group);
    // A permission the role lacks but that may not be needed is a note; one the role may
    // lack is a warning.
    let only_if_needed = group.iter().all(|(_, v)| {
        matches!(
            v,
            Verdict::Unknown {
                if_needed: true,
                ..
            }
        )
    });
    let severity = match check.default_severity {
        Severity::Error if !only_if_needed => Severity::Warning,
        _ => Severity::Note,
    };
    Finding {
        check: check.id,
        severity,
        certainty: Certainty::CannotVerify {
            reason: reasons.join("; "),
        },
        message: format!(
            "cannot verify that role `{}` allows {} that {} `{}` needs to {}",
            role.origin.id,
            list(&actions),
            subject.noun,
            subject.origin.id,
            subject.purpose
        ),
        resource: subject.origin.id.clone(),
        span: subject.origin.span,
        related: base_related(subject, role, group),
        missing,
        fix: None,
        location: None,
    }
}

/// A location for `related`, from a model origin.
pub fn related(origin: &Origin, role: RelatedRole, note: Option<String>) -> Related {
    Related {
        resource: origin.id.clone(),
        span: origin.span,
        role,
        note,
        location: None,
    }
}

/// A location for `related` from a located value (where a property is written).
pub fn related_at(resource: &str, span: Option<Span>, role: RelatedRole) -> Related {
    Related {
        resource: resource.to_string(),
        span,
        role,
        note: None,
        location: None,
    }
}
