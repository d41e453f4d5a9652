//! Evaluation of a role's identity-based policies and permissions boundary for one request.
//!
//! Input: a [`model::Role`](crate::model::Role) (once, into a [`PolicySet`]) and
//! [`Request`]s (the principal is the role; the caller is an AWS service acting with it).
//! Output: a [`Decision`] naming the deciding statements, or why it cannot be decided.
//!
//! The order is the IAM evaluation logic for a principal in its own account (IAM-EVAL):
//! 1. an explicit `Deny` in any identity policy or in the boundary denies;
//! 2. a permissions boundary, when set, must allow the request;
//! 3. some identity policy must allow it; otherwise it is implicitly denied.
//!
//! Undecided parts are never folded into allow or deny:
//! * a statement inside an undecided `Fn::If`, of a policy that exists only under a template
//!   condition, or whose match or `Condition` depends on unknown values gives "may allow"
//!   (an Allow) or "may deny" (a Deny); a "may allow" makes an otherwise denied request
//!   unknown, a "may deny" makes an otherwise allowed request unknown;
//! * a managed policy whose document is not in the input (customer managed elsewhere, an AWS
//!   managed policy that is not embedded, a parameter) can add Allows: it turns an implicit
//!   deny into unknown. It is **assumed not to add a Deny**: an allowed request stays allowed.
//!   Denies in separately managed policies are rare in execution roles, and reporting every
//!   allowed request as unknown would make the answer useless;
//! * a permissions boundary whose document is not in the input makes an allowed request
//!   unknown (it can only restrict), and leaves a denied request denied.
//!
//! With the resource's own policy ([`resource`]), the order is the one IAM-EVAL gives for
//! identity-based with resource-based policies in one account: an explicit `Deny` in any of
//! them denies; otherwise the identity policy **or** a resource-policy statement that names
//! the role allows, and either way the permissions boundary must allow (a resource policy
//! that names the role's ARN, not a session ARN, is limited by an implicit deny in the
//! boundary, IAM-EVAL). A KMS key is the exception (KMS-KEYPOL): the key policy must allow
//! the request itself, by naming the role, or by allowing the account (the `root`
//! principal), which is what lets the identity policy count at all.

use std::sync::Arc;

use super::condition::{self, RequestContext};
use super::managed::{self, ManagedLookup};
use super::policy::{
    self, Correction, DocumentKind, Effect, Guard, ParsedPolicy, ProblemKind, Statement, Targets,
    Variant,
};
use super::wildcard::{Case, Tri, glob_match, matches};
use crate::model::{Existence, Located, Policy, PolicySource, Role, Stack, SymStr};
use crate::source::Span;

/// IAM-QUOTAS: aggregate size of a role's inline policies, whitespace not counted.
pub const ROLE_INLINE_LIMIT: usize = 10_240;
/// IAM-QUOTAS: size of a managed policy, whitespace not counted.
pub const MANAGED_POLICY_LIMIT: usize = 6_144;

/// Where a policy comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyKind {
    /// A document in the input.
    Model(PolicySource),
    /// A policy attached to a resource of the input (`default` for the default key policy a
    /// key without one gets, KMS-DEFAULT).
    Resource {
        kind: crate::model::ResourcePolicyKind,
        default: bool,
    },
    /// An embedded AWS managed policy (MAMIP).
    AwsManaged {
        arn: String,
        version: String,
        date: String,
    },
}

/// How a policy applies to the role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attachment {
    Identity,
    Boundary,
    Resource,
}

/// A policy, as shown in explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRef {
    /// `PolicyName`, the managed policy's name, or the resource id.
    pub name: String,
    pub kind: PolicyKind,
    /// Logical id / address of the resource that holds the document (for an AWS managed
    /// policy: the role that attaches it).
    pub origin: String,
    /// Where the policy is written (for an AWS managed policy: where its ARN is written).
    pub span: Option<Span>,
    pub attachment: Attachment,
}

impl PolicyRef {
    /// `policy \`Name\``, or the description of a resource policy, for reasons.
    pub fn short(&self) -> String {
        match &self.kind {
            PolicyKind::Resource { .. } => self.describe(),
            _ => format!("policy `{}`", self.name),
        }
    }

    /// `inline policy \`Name\` of \`Role\``, `AWS managed policy \`Name\` (v3, 2023-01-12)`,
    /// for messages.
    pub fn describe(&self) -> String {
        match &self.kind {
            PolicyKind::Model(source) => {
                let kind = match source {
                    PolicySource::Inline => "inline policy",
                    PolicySource::Standalone => "policy",
                    PolicySource::CustomerManaged => "managed policy",
                    PolicySource::SamGenerated => "SAM-generated policy",
                    PolicySource::SamPolicyTemplate => "SAM policy template",
                };
                if self.name == self.origin {
                    format!("{kind} `{}`", self.name)
                } else {
                    format!("{kind} `{}` of `{}`", self.name, self.origin)
                }
            }
            PolicyKind::AwsManaged { version, date, .. } => {
                let day = date.get(..10).unwrap_or(date);
                format!("AWS managed policy `{}` ({version}, {day})", self.name)
            }
            PolicyKind::Resource { kind, default } => {
                let default = if *default { "default " } else { "" };
                if self.name == self.origin {
                    format!("{default}{} of `{}`", kind.noun(), self.origin)
                } else {
                    format!(
                        "{default}{} `{}` of `{}`",
                        kind.noun(),
                        self.origin,
                        self.name
                    )
                }
            }
        }
    }
}

/// One statement, as shown in explanations.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementRef {
    pub policy: Arc<PolicyRef>,
    pub sid: Option<String>,
    /// Position in the policy's `Statement` list.
    pub index: usize,
    /// Where the statement is written (`None` for embedded policies and plans).
    pub span: Option<Span>,
}

impl StatementRef {
    /// `statement \`Sid\`` or `statement #2` (1-based), for messages.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) => format!("statement `{sid}`"),
            None => format!("statement #{}", self.index + 1),
        }
    }
}

/// The statement a [`StatementRef::label`] at the start of `text` names (`statement \`Sid\``
/// → its Sid, `statement #2` → index 1): how a related location's note names its statement.
pub fn labelled_statement(text: &str) -> Option<StatementKey> {
    let rest = text.strip_prefix("statement ")?;
    if let Some(quoted) = rest.strip_prefix('`') {
        let end = quoted.find('`')?;
        return Some(StatementKey::Sid(quoted.get(..end)?.to_string()));
    }
    let digits = rest.strip_prefix('#')?;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    let n: usize = digits.get(..end)?.parse().ok()?;
    Some(StatementKey::Index(n.checked_sub(1)?))
}

/// A statement of a policy, by its Sid or, without one, its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatementKey {
    Sid(String),
    Index(usize),
}

/// Why a statement that looks related did not allow the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NearMissKind {
    /// The action matches, the resource does not.
    OtherResource,
    /// Action and resource match, the `Condition` does not hold.
    ConditionNotMet,
    /// An identity policy allows it, the permissions boundary does not.
    NotInBoundary,
    /// An identity policy allows it, the key policy does not let identity policies count
    /// (KMS-KEYPOL).
    NotInKeyPolicy,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearMiss {
    pub statement: StatementRef,
    pub kind: NearMissKind,
    /// One line for a hint (`allows it on \`arn:…:other\``).
    pub detail: String,
}

/// The answer for one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Allowed {
        by: Vec<StatementRef>,
    },
    ExplicitDeny {
        by: Vec<StatementRef>,
    },
    ImplicitDeny {
        near_misses: Vec<NearMiss>,
        /// The key policy that neither names the role nor allows the account, so that no
        /// identity statement can allow the request (KMS-KEYPOL).
        blocked_by: Option<Arc<PolicyRef>>,
    },
    Unknown {
        /// Why, in words (deduplicated, in evaluation order).
        reasons: Vec<String>,
        /// Statements that allow or may allow the request.
        would_allow: Vec<StatementRef>,
        /// Statements that may deny it.
        possibly_denied_by: Vec<StatementRef>,
    },
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }

    pub fn is_denied(&self) -> bool {
        matches!(
            self,
            Decision::ExplicitDeny { .. } | Decision::ImplicitDeny { .. }
        )
    }

    /// `allowed`, `denied (explicit)`, `denied (implicit)` or `unknown`.
    pub fn label(&self) -> &'static str {
        match self {
            Decision::Allowed { .. } => "allowed",
            Decision::ExplicitDeny { .. } => "denied (explicit)",
            Decision::ImplicitDeny { .. } => "denied (implicit)",
            Decision::Unknown { .. } => "unknown",
        }
    }
}

/// Who makes a request: the role, its account, and the service that calls on its behalf.
#[derive(Clone, Copy, Debug)]
pub struct Caller<'a> {
    /// The role's ARN (`aws:PrincipalArn` is the role's, not the session's, IAM-GCK).
    pub arn: &'a SymStr,
    pub account: &'a SymStr,
    /// The service principal that calls KMS for the role (`kms:ViaService`), when the
    /// request is one a service makes on the role's behalf (KMS-COND).
    pub via_service: Option<&'a SymStr>,
}

/// A request the role makes.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// `service:Action`.
    pub action: &'a str,
    /// The resource ARN, or `*` for actions without resource-level permissions.
    pub resource: &'a SymStr,
}

/// A problem with one of the role's policies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyProblem {
    pub policy: Arc<PolicyRef>,
    pub kind: ProblemKind,
    pub message: String,
    pub span: Option<Span>,
    /// The likely intended value, for an unknown action.
    pub correction: Option<Correction>,
}

/// A managed policy or boundary whose document is not in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unresolved {
    pub arn: SymStr,
    /// One line (`managed policy \`arn:…\` is not in the input`).
    pub reason: String,
    pub span: Option<Span>,
}

#[derive(Clone, Debug)]
struct Loaded {
    policy: Arc<PolicyRef>,
    parsed: Arc<ParsedPolicy>,
    /// The policy exists only when this holds.
    guard: Option<Guard>,
}

#[derive(Clone, Debug)]
enum Boundary {
    Known(Loaded),
    Unknown(Unresolved),
}

/// Every policy that applies to one role, parsed once.
#[derive(Clone, Debug)]
pub struct PolicySet {
    role: String,
    identity: Vec<Loaded>,
    boundary: Option<Boundary>,
    unresolved: Vec<Unresolved>,
    problems: Vec<PolicyProblem>,
}

impl PolicySet {
    /// The role's policies: its documents in the input, the AWS managed policies it attaches
    /// (resolved from the embedded copies) and its permissions boundary when that is an AWS
    /// managed policy. Other managed ARNs are kept as unresolved.
    pub fn for_role(role: &Role) -> PolicySet {
        Self::build(role, None)
    }

    /// Like [`PolicySet::for_role`], and also resolves a permissions boundary that names a
    /// managed policy of the same stack.
    pub fn for_role_in(role: &Role, stack: &Stack) -> PolicySet {
        Self::build(role, Some(stack))
    }

    fn build(role: &Role, stack: Option<&Stack>) -> PolicySet {
        let mut set = PolicySet {
            role: role.origin.id.clone(),
            identity: Vec::new(),
            boundary: None,
            unresolved: Vec::new(),
            problems: Vec::new(),
        };
        for policy in &role.policies {
            let loaded = set.load_model_policy(policy, Attachment::Identity);
            set.identity.push(loaded);
        }
        set.check_sizes(role);
        for arn in &role.managed_policy_arns {
            match set.load_managed(arn, Attachment::Identity, &role.origin.id) {
                Ok(loaded) => set.identity.push(loaded),
                Err(unresolved) => set.unresolved.push(unresolved),
            }
        }
        if let Some(arn) = &role.permissions_boundary {
            let in_stack = stack.and_then(|s| stack_policy(s, &arn.value));
            let boundary = match in_stack {
                Some(policy) => {
                    Boundary::Known(set.load_model_policy(policy, Attachment::Boundary))
                }
                None => match set.load_managed(arn, Attachment::Boundary, &role.origin.id) {
                    Ok(loaded) => Boundary::Known(loaded),
                    Err(unresolved) => Boundary::Unknown(unresolved),
                },
            };
            set.boundary = Some(boundary);
        }
        set
    }

    fn load_model_policy(&mut self, policy: &Policy, attachment: Attachment) -> Loaded {
        let policy_ref = Arc::new(PolicyRef {
            name: policy.name.clone(),
            kind: PolicyKind::Model(policy.source.clone()),
            origin: policy.origin.id.clone(),
            span: policy.origin.span,
            attachment,
        });
        let parsed = Arc::new(policy::parse(
            &policy.document.value,
            DocumentKind::Identity,
        ));
        for p in &parsed.problems {
            self.problems.push(PolicyProblem {
                policy: policy_ref.clone(),
                kind: p.kind,
                message: p.message.clone(),
                span: p.span,
                correction: p.correction.clone(),
            });
        }
        Loaded {
            policy: policy_ref,
            parsed,
            guard: existence_guard(&policy.existence),
        }
    }

    fn load_managed(
        &mut self,
        arn: &Located<SymStr>,
        attachment: Attachment,
        role: &str,
    ) -> Result<Loaded, Unresolved> {
        let what = match attachment {
            Attachment::Identity | Attachment::Resource => "managed policy",
            Attachment::Boundary => "permissions boundary",
        };
        match managed::lookup(&arn.value) {
            ManagedLookup::Found(m) => Ok(Loaded {
                policy: Arc::new(PolicyRef {
                    name: m.name.to_string(),
                    kind: PolicyKind::AwsManaged {
                        arn: m.arn.clone(),
                        version: m.version.clone(),
                        date: m.date.clone(),
                    },
                    origin: role.to_string(),
                    span: arn.span,
                    attachment,
                }),
                // The embedded documents are AWS's own: their problems are not the user's.
                parsed: m.parsed(),
                guard: None,
            }),
            ManagedLookup::UnknownAwsManaged { suggestion } => {
                if let Some(s) = suggestion {
                    self.problems.push(PolicyProblem {
                        policy: Arc::new(PolicyRef {
                            name: arn.value.to_string(),
                            kind: PolicyKind::Model(PolicySource::CustomerManaged),
                            origin: role.to_string(),
                            span: arn.span,
                            attachment,
                        }),
                        kind: ProblemKind::Unresolved,
                        message: format!(
                            "AWS managed policy `{}` does not exist (did you mean `{}`?)",
                            arn.value, s.arn
                        ),
                        span: arn.span,
                        correction: None,
                    });
                }
                Err(Unresolved {
                    arn: arn.value.clone(),
                    reason: format!("{what} `{}` is not in the input", arn.value),
                    span: arn.span,
                })
            }
            ManagedLookup::NotAwsManaged => Err(Unresolved {
                arn: arn.value.clone(),
                reason: format!("{what} `{}` is not in the input", arn.value),
                span: arn.span,
            }),
            ManagedLookup::Undetermined(reason) => Err(Unresolved {
                arn: arn.value.clone(),
                reason: format!("{what} `{}` is not known: {reason}", arn.value),
                span: arn.span,
            }),
        }
    }

    fn check_sizes(&mut self, role: &Role) {
        let mut inline_total = 0usize;
        let mut largest: Option<(usize, usize)> = None;
        for (i, policy) in role.policies.iter().enumerate() {
            let size = policy::min_size(&policy.document.value);
            let Some(loaded) = self.identity.get(i) else {
                continue;
            };
            match policy.source {
                PolicySource::CustomerManaged if size > MANAGED_POLICY_LIMIT => {
                    self.problems.push(PolicyProblem {
                        policy: loaded.policy.clone(),
                        kind: ProblemKind::SizeLimit,
                        message: format!(
                            "managed policy `{}` has at least {size} characters, over the IAM limit of 6,144 for a managed policy (whitespace not counted)",
                            policy.name
                        ),
                        span: policy.document.value.span.or(policy.origin.span),
                        correction: None,
                    });
                }
                PolicySource::CustomerManaged => {}
                _ if policy.existence == Existence::Always => {
                    inline_total += size;
                    if largest.is_none_or(|(_, s)| size > s) {
                        largest = Some((i, size));
                    }
                }
                _ => {}
            }
        }
        if inline_total > ROLE_INLINE_LIMIT {
            if let Some(loaded) = largest.and_then(|(i, _)| self.identity.get(i)) {
                self.problems.push(PolicyProblem {
                    policy: loaded.policy.clone(),
                    kind: ProblemKind::SizeLimit,
                    message: format!(
                        "the inline policies of role `{}` have at least {inline_total} characters, over the IAM limit of 10,240 for a role (whitespace not counted)",
                        role.origin.id
                    ),
                    span: role.origin.span,
                    correction: None,
                });
            }
        }
    }

    /// The same set with only the identity policies `keep` accepts (the boundary and the
    /// unresolved managed policies stay): what the role allows while the others do not exist
    /// yet.
    pub fn retaining(&self, keep: impl Fn(&PolicyRef) -> bool) -> PolicySet {
        PolicySet {
            role: self.role.clone(),
            identity: self
                .identity
                .iter()
                .filter(|l| keep(&l.policy))
                .cloned()
                .collect(),
            boundary: self.boundary.clone(),
            unresolved: self.unresolved.clone(),
            problems: Vec::new(),
        }
    }

    /// Problems found in the role's policies (each located).
    pub fn problems(&self) -> &[PolicyProblem] {
        &self.problems
    }

    /// Managed policies whose documents are not in the input.
    pub fn unresolved(&self) -> &[Unresolved] {
        &self.unresolved
    }

    /// The policies that apply (identity ones first, then the boundary).
    pub fn policies(&self) -> impl Iterator<Item = &Arc<PolicyRef>> {
        let boundary = match &self.boundary {
            Some(Boundary::Known(l)) => Some(&l.policy),
            _ => None,
        };
        self.identity.iter().map(|l| &l.policy).chain(boundary)
    }

    /// The parsed statement a [`StatementRef`] of this set names.
    pub fn statement(&self, at: &StatementRef) -> Option<&Statement> {
        let boundary = match &self.boundary {
            Some(Boundary::Known(l)) => Some(l),
            _ => None,
        };
        self.identity
            .iter()
            .chain(boundary)
            .find(|l| Arc::ptr_eq(&l.policy, &at.policy))?
            .parsed
            .statements
            .iter()
            .find(|s| s.index == at.index)
    }

    /// The logical id / address of the role.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// Evaluates one request on the role's identity policies and boundary alone.
    pub fn evaluate(&self, request: &Request<'_>) -> Decision {
        self.evaluate_for(request, None, None)
    }

    /// Evaluates one request made by `caller`, with the policies of the resource itself when
    /// the resource is in the input (`resource`), as IAM-EVAL and KMS-KEYPOL order them.
    pub fn evaluate_for(
        &self,
        request: &Request<'_>,
        caller: Option<&Caller<'_>>,
        resource: Option<&resource::ResourcePolicies>,
    ) -> Decision {
        let action = request.action.to_ascii_lowercase();
        let ctx = RequestContext {
            resource: request.resource,
            principal: caller.map(|c| (c.arn, c.account)),
            via_service: caller.and_then(|c| c.via_service),
        };
        let probe = Probe {
            action: &action,
            request,
            ctx: &ctx,
        };
        let identity = collect(&self.identity, &probe);
        let boundary = match &self.boundary {
            None => None,
            Some(Boundary::Known(loaded)) => {
                Some(Ok(collect(std::slice::from_ref(loaded), &probe)))
            }
            Some(Boundary::Unknown(u)) => Some(Err(u)),
        };
        let on_resource = match (resource, caller) {
            (Some(r), Some(c)) => r.collect(request.resource, c, &probe),
            _ => None,
        };

        // 1. Explicit deny anywhere.
        let mut denied_by = identity.certain_deny.clone();
        if let Some(Ok(b)) = &boundary {
            denied_by.extend(b.certain_deny.iter().cloned());
        }
        if let Some(r) = &on_resource {
            denied_by.extend(r.certain_deny.iter().cloned());
        }
        if !denied_by.is_empty() {
            return Decision::ExplicitDeny { by: denied_by };
        }

        let mut reasons: Vec<String> = Vec::new();
        let mut possibly_denied_by: Vec<StatementRef> = Vec::new();
        for (s, reason) in identity
            .maybe_deny
            .iter()
            .chain(
                boundary
                    .iter()
                    .filter_map(|b| b.as_ref().ok())
                    .flat_map(|b| b.maybe_deny.iter()),
            )
            .chain(on_resource.iter().flat_map(|r| r.maybe_deny.iter()))
        {
            push_unique(
                &mut reasons,
                format!(
                    "{} of {} may deny it: {reason}",
                    s.label(),
                    s.policy.short()
                ),
            );
            possibly_denied_by.push(s.clone());
        }

        // 2. The boundary must allow.
        let boundary_allows = match &boundary {
            None => Tri::Yes,
            Some(Err(u)) => Tri::Unknown(u.reason.clone()),
            Some(Ok(b)) => {
                if !b.certain_allow.is_empty() {
                    Tri::Yes
                } else if let Some((_, reason)) = b.maybe_allow.first() {
                    Tri::Unknown(format!(
                        "the permissions boundary may not allow it: {reason}"
                    ))
                } else {
                    Tri::No
                }
            }
        };

        // 3. An identity policy must allow, or a resource policy that names the role; for a
        //    key, the key policy must allow the role or the account.
        let identity_allows = if !identity.certain_allow.is_empty() {
            Tri::Yes
        } else if identity.maybe_allow.is_empty() && self.unresolved.is_empty() {
            Tri::No
        } else {
            Tri::Unknown(String::new())
        };
        let granted = match &on_resource {
            None => identity_allows.clone(),
            Some(r) if r.is_key => r
                .direct
                .clone()
                .or(r.account.clone().and(identity_allows.clone())),
            Some(r) => identity_allows.clone().or(r.direct.clone()),
        };
        let allowed = granted.clone().and(boundary_allows.clone());

        if allowed.is_no() {
            let mut near_misses: Vec<NearMiss> = Vec::new();
            if granted.is_yes() || !identity_allows.is_no() && boundary_allows.is_no() {
                near_misses.extend(
                    identity
                        .certain_allow
                        .iter()
                        .chain(identity.maybe_allow.iter().map(|(s, _)| s))
                        .chain(on_resource.iter().flat_map(|r| r.direct_by.iter()))
                        .map(|s| NearMiss {
                            statement: s.clone(),
                            kind: NearMissKind::NotInBoundary,
                            detail: "allows it, but the permissions boundary does not".to_string(),
                        }),
                );
            }
            let blocked_by = on_resource
                .as_ref()
                .filter(|r| r.is_key && r.direct.is_no() && r.account.is_no())
                .and_then(|r| r.key_policy.clone());
            if blocked_by.is_some() {
                near_misses.extend(identity.certain_allow.iter().map(|s| {
                    NearMiss {
                        statement: s.clone(),
                        kind: NearMissKind::NotInKeyPolicy,
                        detail:
                            "allows it, but the key policy does not let identity policies count"
                                .to_string(),
                    }
                }));
            }
            near_misses.extend(identity.near_misses);
            return Decision::ImplicitDeny {
                near_misses,
                blocked_by,
            };
        }
        if allowed.is_yes() && possibly_denied_by.is_empty() {
            let mut by = Vec::new();
            match &on_resource {
                Some(r) if r.is_key => {
                    if r.direct.is_yes() {
                        by.extend(r.direct_by.iter().cloned());
                    } else {
                        by.extend(r.account_by.iter().cloned());
                        by.extend(identity.certain_allow.iter().cloned());
                    }
                }
                Some(r) => {
                    by.extend(identity.certain_allow.iter().cloned());
                    if r.direct.is_yes() {
                        by.extend(r.direct_by.iter().cloned());
                    }
                }
                None => by.extend(identity.certain_allow.iter().cloned()),
            }
            return Decision::Allowed { by };
        }
        if !granted.is_yes() {
            if !identity_allows.is_yes() {
                for (s, reason) in &identity.maybe_allow {
                    push_unique(
                        &mut reasons,
                        format!(
                            "{} of policy `{}` may allow it: {reason}",
                            s.label(),
                            s.policy.name
                        ),
                    );
                }
                for u in &self.unresolved {
                    push_unique(&mut reasons, u.reason.clone());
                }
            }
            if let Some(r) = &on_resource {
                for reason in &r.reasons {
                    push_unique(&mut reasons, reason.clone());
                }
            }
        }
        if let Tri::Unknown(reason) = boundary_allows {
            push_unique(&mut reasons, reason);
        }
        let mut would_allow = identity.certain_allow;
        would_allow.extend(identity.maybe_allow.into_iter().map(|(s, _)| s));
        if let Some(r) = on_resource {
            would_allow.extend(r.direct_by);
            would_allow.extend(r.account_by);
        }
        Decision::Unknown {
            reasons,
            would_allow,
            possibly_denied_by,
        }
    }
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !item.is_empty() && !list.contains(&item) {
        list.push(item);
    }
}

fn existence_guard(existence: &Existence) -> Option<Guard> {
    match existence {
        Existence::Always => None,
        Existence::IfCondition(c) => Some(match c.strip_prefix('!') {
            Some(name) => Guard {
                condition: name.to_string(),
                holds: false,
            },
            None => Guard {
                condition: c.clone(),
                holds: true,
            },
        }),
    }
}

/// A policy of the stack that a boundary ARN refers to (`!Ref ManagedPolicy`).
fn stack_policy<'s>(stack: &'s Stack, arn: &SymStr) -> Option<&'s Policy> {
    let target = arn.refers.as_ref()?;
    stack
        .unattached_policies
        .iter()
        .chain(stack.roles.iter().flat_map(|r| r.policies.iter()))
        .find(|p| p.origin.id == target.resource && p.source == PolicySource::CustomerManaged)
}

struct Probe<'a> {
    /// The action in lowercase.
    action: &'a str,
    request: &'a Request<'a>,
    ctx: &'a RequestContext<'a>,
}

#[derive(Default)]
struct Collected {
    certain_allow: Vec<StatementRef>,
    maybe_allow: Vec<(StatementRef, String)>,
    certain_deny: Vec<StatementRef>,
    maybe_deny: Vec<(StatementRef, String)>,
    near_misses: Vec<NearMiss>,
}

fn collect(policies: &[Loaded], probe: &Probe<'_>) -> Collected {
    let mut out = Collected::default();
    for loaded in policies {
        for statement in &loaded.parsed.statements {
            let outcome = statement_outcome(statement, loaded.guard.as_ref(), probe);
            let make_ref = || StatementRef {
                policy: loaded.policy.clone(),
                sid: statement.sid.clone(),
                index: statement.index,
                span: statement.span,
            };
            match outcome.allow {
                Tri::Yes => out.certain_allow.push(make_ref()),
                Tri::Unknown(reason) => out.maybe_allow.push((make_ref(), reason)),
                Tri::No => {}
            }
            match outcome.deny {
                Tri::Yes => out.certain_deny.push(make_ref()),
                Tri::Unknown(reason) => out.maybe_deny.push((make_ref(), reason)),
                Tri::No => {}
            }
            if let Some((kind, detail)) = outcome.near_miss {
                out.near_misses.push(NearMiss {
                    statement: make_ref(),
                    kind,
                    detail,
                });
            }
        }
    }
    out
}

struct Outcome {
    allow: Tri,
    deny: Tri,
    near_miss: Option<(NearMissKind, String)>,
}

/// What one statement says about the request, per effect.
fn statement_outcome(statement: &Statement, guard: Option<&Guard>, probe: &Probe<'_>) -> Outcome {
    if let Some(reason) = &statement.opaque {
        return Outcome {
            allow: Tri::Unknown(reason.clone()),
            deny: Tri::Unknown(reason.clone()),
            near_miss: None,
        };
    }
    // Most statements a request meets are for other actions: answered without the lists below.
    let action_differs = |v: &Variant| action_match(v, probe).is_no();
    if !statement.variants.is_empty() && statement.variants.iter().all(action_differs) {
        return Outcome {
            allow: Tri::No,
            deny: Tri::No,
            near_miss: None,
        };
    }
    let mut conditional: Vec<String> = guard
        .into_iter()
        .chain(statement.presence.iter())
        .map(|g| format!("applies only when {}", g.describe()))
        .collect();
    let matched: Vec<(&Variant, Match)> = statement
        .variants
        .iter()
        .map(|v| (v, variant_match(v, probe)))
        .collect();
    let varies = matched.len() > 1;
    if varies {
        let names: Vec<String> = statement
            .chosen_by
            .iter()
            .map(|c| format!("`{c}`"))
            .collect();
        conditional.push(format!("depends on condition {}", names.join(", ")));
    }
    let always_present = guard.is_none() && statement.presence.is_empty();
    let per_effect = |effect: &Effect| -> Tri {
        let all_certain = always_present
            && matched
                .iter()
                .all(|(v, m)| &v.effect == effect && m.all.is_yes());
        if all_certain {
            return Tri::Yes;
        }
        let mut reasons: Vec<String> = Vec::new();
        let mut possible = false;
        for (v, m) in &matched {
            let relevant = &v.effect == effect || matches!(v.effect, Effect::Unknown(_));
            if !relevant || m.all.is_no() {
                continue;
            }
            possible = true;
            if let Effect::Unknown(r) = &v.effect {
                push_unique(&mut reasons, format!("its `Effect` is not known: {r}"));
            }
            if let Tri::Unknown(r) = &m.all {
                push_unique(&mut reasons, r.clone());
            }
        }
        if !possible {
            return Tri::No;
        }
        for c in &conditional {
            push_unique(&mut reasons, c.clone());
        }
        Tri::Unknown(reasons.join("; "))
    };
    let allow = per_effect(&Effect::Allow);
    let deny = per_effect(&Effect::Deny);
    let near_miss = if allow.is_no() {
        matched
            .iter()
            .filter(|(v, _)| v.effect == Effect::Allow)
            .find_map(|(v, m)| near_miss(v, m))
    } else {
        None
    };
    Outcome {
        allow,
        deny,
        near_miss,
    }
}

struct Match {
    action: Tri,
    resource: Tri,
    condition: Tri,
    all: Tri,
}

/// Whether the variant's `Action` / `NotAction` covers the request's action.
fn action_match(v: &Variant, probe: &Probe<'_>) -> Tri {
    match &v.actions {
        Some(t) => targets_match(t, |p| match &p.lower {
            Some(lower) => Tri::from_bool(glob_match(lower, probe.action, Case::Sensitive)),
            None => matches(
                &p.text,
                &SymStr::lit(probe.request.action),
                Case::Insensitive,
            ),
        }),
        None => Tri::No,
    }
}

fn variant_match(v: &Variant, probe: &Probe<'_>) -> Match {
    let action = action_match(v, probe);
    if action.is_no() {
        return Match {
            action,
            resource: Tri::No,
            condition: Tri::No,
            all: Tri::No,
        };
    }
    let resource = match &v.resources {
        Some(t) => targets_match(t, |p| {
            matches(&p.text, probe.request.resource, Case::Sensitive)
        }),
        None => Tri::Yes,
    };
    let condition = if resource.is_no() {
        Tri::No
    } else {
        condition::evaluate_all(&v.conditions, probe.ctx)
    };
    let all = action.clone().and(resource.clone()).and(condition.clone());
    Match {
        action,
        resource,
        condition,
        all,
    }
}

/// Any item matches (`Action`, `Resource`); negated for `NotAction`, `NotResource`.
fn targets_match<T>(targets: &Targets<T>, f: impl Fn(&T) -> Tri) -> Tri {
    let mut any = Tri::No;
    for item in &targets.items {
        any = any.or(f(item));
        if any.is_yes() {
            break;
        }
    }
    if targets.negated { any.negate() } else { any }
}

fn near_miss(v: &Variant, m: &Match) -> Option<(NearMissKind, String)> {
    if m.action.is_no() {
        return None;
    }
    if m.resource.is_no() {
        let resources = v.resources.as_ref()?;
        let list: Vec<String> = resources
            .items
            .iter()
            .take(3)
            .map(|r| format!("`{}`", r.text))
            .collect();
        let more = if resources.items.len() > 3 {
            ", …"
        } else {
            ""
        };
        let detail = if resources.negated {
            format!(
                "allows the action on every resource except {}{more}",
                list.join(", ")
            )
        } else {
            format!("allows the action on {}{more}", list.join(", "))
        };
        return Some((NearMissKind::OtherResource, detail));
    }
    if m.condition.is_no() {
        let keys: Vec<String> = v
            .conditions
            .iter()
            .map(|c| format!("`{} {}`", c.operator, c.key))
            .collect();
        return Some((
            NearMissKind::ConditionNotMet,
            format!("allows it only under {}", keys.join(", ")),
        ));
    }
    None
}

pub mod resource;
#[cfg(test)]
mod tests;
