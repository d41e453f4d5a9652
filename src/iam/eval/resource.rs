//! Resource-based policies: what the policy attached to a key, queue, stream, table, secret or
//! cluster says about a request a role of the same account makes.
//!
//! Input: the stack's [`ResourcePolicy`]s (each linked by the reader to the ARNs it governs)
//! and its keys. Output, per request: whether a statement names the role (a direct grant), or
//! the account (for a key, the delegation that lets IAM policies apply), whether one denies,
//! and why either is unknown. [`PolicySet::evaluate_for`](super::PolicySet::evaluate_for)
//! combines that with the identity side.
//!
//! The rules, from AWS's documentation:
//! * IAM-EVAL (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//!   within one account, a request is allowed when an identity-based policy or a
//!   resource-based policy allows it and no policy denies it; a resource-based policy that
//!   names a role's ARN is still limited by an implicit deny in the role's permissions boundary.
//! * KMS-KEYPOL (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html>):
//!   every key has exactly one key policy, and no principal, not even the account's root user,
//!   can use the key unless the key policy allows it directly or allows the account (the
//!   principal `arn:aws:iam::<account>:root`), which is what makes IAM policies count.
//! * KMS-DEFAULT (<https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html>):
//!   a key created without a key policy gets the default one, which allows `kms:*` to the
//!   account and so delegates to IAM policies.
//! * The resource-policy pages of each service: SQS-POLICY (queue policies), KIN-POLICY
//!   (Kinesis streams and consumers), DDB-POLICY (tables and streams), SM-POLICY (secrets),
//!   MSK-POLICY (cluster policies); see `docs/resource-policies.md`.
//!
//! Principals are matched symbolically, like resources: `!GetAtt Role.Arn` is the role's ARN
//! symbol for symbol, an ARN spelling out the role's name matches when its account and
//! partition do, `"*"` matches everyone (its `Condition` then decides, with
//! `aws:PrincipalArn` and `aws:PrincipalAccount` known), a service principal never matches a
//! role. A principal that cannot be decided leaves the answer unknown, never denied.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::{
    Attachment, Caller, Loaded, PolicyKind, PolicyRef, Probe, StatementRef, existence_guard,
    push_unique, statement_outcome,
};
use crate::iam::condition::arn_segment;
use crate::iam::policy::{self, DocumentKind, Principals};
use crate::iam::wildcard::{Case, Tri, equals};
use crate::model::{Part, ResourcePolicy, ResourcePolicyKind, Stack, SymStr};

/// What a resource policy's document is.
#[derive(Clone, Debug)]
enum Document {
    Known(Loaded),
    /// The input sets a policy whose text is not known (a plan's unknown-after-apply value).
    Unknown(String),
    /// The default key policy of a key the input gives no policy (KMS-DEFAULT).
    DefaultKey,
}

#[derive(Clone, Debug)]
struct Attached {
    kind: ResourcePolicyKind,
    policy: Arc<PolicyRef>,
    document: Document,
    governs: Vec<SymStr>,
}

/// The resource policies of a stack, parsed once, indexed by the ARNs they govern.
#[derive(Clone, Debug, Default)]
pub struct ResourcePolicies {
    attached: Vec<Attached>,
    /// ARN (symbol for symbol) → indices into `attached`.
    by_resource: HashMap<Vec<Part>, Vec<usize>>,
    /// The resources of the input that can carry a resource policy: one without a policy
    /// here has none (or, for a key, the default one).
    in_input: HashSet<Vec<Part>>,
}

/// What the resource side says about one request.
#[derive(Debug)]
pub(super) struct OnResource {
    /// The resource is a key of the input: the key policy must allow.
    pub is_key: bool,
    /// A statement allows the role itself (its ARN, or everyone under conditions that hold).
    pub direct: Tri,
    pub direct_by: Vec<StatementRef>,
    /// A statement allows the account (delegation to IAM policies).
    pub account: Tri,
    pub account_by: Vec<StatementRef>,
    pub certain_deny: Vec<StatementRef>,
    pub maybe_deny: Vec<(StatementRef, String)>,
    /// The key policy, to name when it blocks the request.
    pub key_policy: Option<Arc<PolicyRef>>,
    /// Why `direct` or `account` is unknown.
    pub reasons: Vec<String>,
}

impl OnResource {
    fn new() -> OnResource {
        OnResource {
            is_key: false,
            direct: Tri::No,
            direct_by: Vec::new(),
            account: Tri::No,
            account_by: Vec::new(),
            certain_deny: Vec::new(),
            maybe_deny: Vec::new(),
            key_policy: None,
            reasons: Vec::new(),
        }
    }
}

/// The services whose resources the readers link a resource policy to.
const SERVICES: &[&str] = &[
    "kms",
    "sqs",
    "kinesis",
    "dynamodb",
    "secretsmanager",
    "kafka",
];

impl ResourcePolicies {
    /// Every resource policy of the stack, and the default key policy of each key without one.
    pub fn for_stack(stack: &Stack) -> ResourcePolicies {
        let mut out = ResourcePolicies::default();
        // The template's own policies, then those of the other templates of the application
        // whose resources its values name (carried by the link stage).
        for p in stack
            .resource_policies
            .iter()
            .chain(&stack.application.resource_policies)
        {
            out.attached.push(attach(p));
        }
        // Each key without a key policy of its own, here or in another template of the
        // application, has the default one.
        let default_keys = stack
            .kms_keys
            .iter()
            .filter(|key| !key.policy_set)
            .map(|key| (&key.origin.id, key.origin.span, &key.arn))
            .chain(
                stack
                    .application
                    .default_keys
                    .iter()
                    .map(|(name, arn)| (name, None, arn)),
            );
        for (name, span, arn) in default_keys {
            out.attached.push(Attached {
                kind: ResourcePolicyKind::Key,
                policy: Arc::new(PolicyRef {
                    name: name.clone(),
                    kind: PolicyKind::Resource {
                        kind: ResourcePolicyKind::Key,
                        default: true,
                    },
                    origin: name.clone(),
                    span,
                    attachment: Attachment::Resource,
                }),
                document: Document::DefaultKey,
                governs: vec![arn.clone()],
            });
        }
        out.in_input
            .extend(stack.kms_keys.iter().map(|key| key.arn.parts.clone()));
        let in_input = stack
            .queues
            .iter()
            .map(|q| &q.arn)
            .chain(stack.streams.iter().map(|s| &s.arn))
            .chain(stack.stream_consumers.iter().map(|c| &c.arn))
            .chain(stack.tables.iter().map(|t| &t.arn))
            .chain(stack.tables.iter().filter_map(|t| t.stream_arn.as_ref()))
            .chain(stack.secrets.iter().map(|s| &s.arn))
            .chain(stack.msk_clusters.iter().map(|c| &c.arn))
            .chain(&stack.application.resources);
        out.in_input.extend(in_input.map(|arn| arn.parts.clone()));
        for (i, a) in out.attached.iter().enumerate() {
            for g in &a.governs {
                let indices = out.by_resource.entry(g.parts.clone()).or_default();
                if indices.last() != Some(&i) {
                    indices.push(i);
                }
            }
        }
        out
    }

    /// True when `resource` is a key, queue, stream, table, secret or cluster that is not in
    /// the input: a policy of its own, which permgate cannot see, could also allow or deny.
    pub fn unseen(&self, resource: &SymStr) -> bool {
        let service = arn_segment(resource, 2);
        let Some(service) = service.as_ref().and_then(SymStr::as_literal) else {
            return false;
        };
        let text = resource.flat_text();
        let supported = match service {
            // MSK-POLICY: cluster policies are attached to clusters, not topics or groups.
            "kafka" => text.contains(":cluster/"),
            // DDB-POLICY: tables and their streams.
            "dynamodb" => text.contains(":table/"),
            "secretsmanager" => text.contains(":secret:"),
            "kms" => text.contains(":key/"),
            _ => SERVICES.contains(&service),
        };
        supported && !self.in_input.contains(&resource.parts)
    }

    /// The resource side of one request, or `None` when no policy of the input governs the
    /// resource.
    pub(super) fn collect(
        &self,
        resource: &SymStr,
        caller: &Caller<'_>,
        probe: &Probe<'_>,
    ) -> Option<OnResource> {
        let governing: Vec<&Attached> = self
            .by_resource
            .get(&resource.parts)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.attached.get(i))
            .collect();
        if governing.is_empty() {
            return None;
        }
        let mut out = OnResource::new();
        for a in governing {
            if a.kind == ResourcePolicyKind::Key {
                out.is_key = true;
                out.key_policy = Some(a.policy.clone());
            }
            match &a.document {
                Document::Unknown(reason) => {
                    let why = format!("the {} is not known: {reason}", a.policy.describe());
                    out.direct = out.direct.clone().or(Tri::Unknown(why.clone()));
                    out.account = out.account.clone().or(Tri::Unknown(why.clone()));
                    push_unique(&mut out.reasons, why);
                }
                Document::DefaultKey => {
                    // KMS-DEFAULT: `"Principal": {"AWS": "arn:<partition>:iam::<account>:root"}`,
                    // `"Action": "kms:*"`, `"Resource": "*"`.
                    if probe.action.starts_with("kms:") {
                        out.account = Tri::Yes;
                        out.account_by.push(StatementRef {
                            policy: a.policy.clone(),
                            sid: Some("Enable IAM User Permissions".to_string()),
                            index: 0,
                            span: None,
                        });
                    }
                }
                Document::Known(loaded) => collect_known(loaded, caller, probe, &mut out),
            }
        }
        Some(out)
    }
}

fn attach(p: &ResourcePolicy) -> Attached {
    let name = p
        .governs
        .first()
        .and_then(|g| g.value.refers.as_ref())
        .map(|r| r.resource.clone())
        .unwrap_or_else(|| p.origin.id.clone());
    let policy = Arc::new(PolicyRef {
        name,
        kind: PolicyKind::Resource {
            kind: p.kind,
            default: false,
        },
        origin: p.origin.id.clone(),
        span: p.origin.span,
        attachment: Attachment::Resource,
    });
    let document = match (&p.document, &p.unknown_reason) {
        (Some(d), _) => Document::Known(Loaded {
            policy: policy.clone(),
            parsed: Arc::new(policy::parse(&d.value, DocumentKind::Resource)),
            guard: existence_guard(&p.existence),
        }),
        (None, Some(reason)) => Document::Unknown(reason.clone()),
        (None, None) => Document::Unknown("its document is not in the input".to_string()),
    };
    Attached {
        kind: p.kind,
        policy,
        document,
        governs: p.governs.iter().map(|g| g.value.clone()).collect(),
    }
}

fn collect_known(loaded: &Loaded, caller: &Caller<'_>, probe: &Probe<'_>, out: &mut OnResource) {
    for statement in &loaded.parsed.statements {
        let outcome = statement_outcome(statement, loaded.guard.as_ref(), probe);
        if outcome.allow.is_no() && outcome.deny.is_no() {
            continue;
        }
        let principal = statement_principal(statement, caller);
        let make_ref = || StatementRef {
            policy: loaded.policy.clone(),
            sid: statement.sid.clone(),
            index: statement.index,
            span: statement.span,
        };
        let direct = outcome.allow.clone().and(principal.direct.clone());
        let account = outcome.allow.clone().and(principal.account.clone());
        for (tri, by, total) in [
            (direct, &mut out.direct_by, &mut out.direct),
            (account, &mut out.account_by, &mut out.account),
        ] {
            match &tri {
                Tri::Yes => by.push(make_ref()),
                Tri::Unknown(reason) => {
                    by.push(make_ref());
                    push_unique(
                        &mut out.reasons,
                        format!(
                            "{} of {} may allow it: {reason}",
                            make_ref().label(),
                            loaded.policy.describe()
                        ),
                    );
                }
                Tri::No => {}
            }
            *total = total.clone().or(tri);
        }
        // A `Deny` naming the account covers every principal of it.
        let deny = outcome.deny.and(principal.direct.or(principal.account));
        match deny {
            Tri::Yes => out.certain_deny.push(make_ref()),
            Tri::Unknown(reason) => out.maybe_deny.push((make_ref(), reason)),
            Tri::No => {}
        }
    }
}

/// Whether a statement's principal is the role itself, or its account.
struct PrincipalMatch {
    direct: Tri,
    account: Tri,
}

fn statement_principal(statement: &policy::Statement, caller: &Caller<'_>) -> PrincipalMatch {
    let mut variants = statement.variants.iter().map(|v| v.principals.as_ref());
    let Some(first) = variants.next() else {
        return PrincipalMatch {
            direct: Tri::No,
            account: Tri::No,
        };
    };
    if variants.any(|other| other != first) {
        let reason = "its `Principal` depends on a template condition".to_string();
        return PrincipalMatch {
            direct: Tri::Unknown(reason.clone()),
            account: Tri::Unknown(reason),
        };
    }
    match first {
        Some(p) => principal_match(p, caller),
        None => PrincipalMatch {
            direct: Tri::No,
            account: Tri::No,
        },
    }
}

/// Matches `Principal` / `NotPrincipal` against the role.
fn principal_match(principals: &Principals, caller: &Caller<'_>) -> PrincipalMatch {
    let mut direct = Tri::from_bool(principals.everyone);
    let mut account = Tri::No;
    for entry in &principals.entries {
        if entry.kind != "AWS" {
            // A service, federated or canonical-user principal is never the role.
            continue;
        }
        if entry.value.as_literal() == Some("*") {
            // `{"AWS": "*"}` is everyone, like `"*"` (IAM-ELEM).
            direct = Tri::Yes;
            continue;
        }
        let text = entry.value.flat_text();
        if !text.starts_with("arn:") && principal_account(&entry.value).is_none()
            || text.contains(":assumed-role/")
        {
            // A unique id (`AROA…`) or a role session: which role or session it is, the
            // input does not say.
            direct = direct.or(Tri::Unknown(format!(
                "principal `{}` is not a role ARN or an account",
                entry.value
            )));
            continue;
        }
        match principal_account(&entry.value) {
            Some(acct) => account = account.or(same(&acct, caller.account, "account")),
            None => direct = direct.or(same(&entry.value, caller.arn, "role")),
        }
    }
    if principals.negated {
        // `NotPrincipal`: everyone except the listed principals (a role is excluded when its
        // ARN or its account is listed).
        return PrincipalMatch {
            direct: direct.or(account).negate(),
            account: Tri::No,
        };
    }
    PrincipalMatch { direct, account }
}

/// The account an `AWS` principal names when it is an account (`123456789012`,
/// `arn:aws:iam::123456789012:root`, `${AWS::AccountId}`), not a role or user.
fn principal_account(value: &SymStr) -> Option<SymStr> {
    if let Some(text) = value.as_literal() {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            return Some(value.clone());
        }
    }
    if value.parts.len() == 1 && value.as_literal().is_none() {
        let only = value.symbols().next()?;
        if matches!(
            only,
            crate::model::Symbol::Pseudo(crate::model::Pseudo::AccountId)
        ) {
            return Some(value.clone());
        }
        return None;
    }
    let root = matches!(value.parts.last(), Some(Part::Lit(t)) if t.ends_with(":root"));
    if root && arn_segment(value, 2)?.as_literal() == Some("iam") {
        return arn_segment(value, 4).or_else(|| root_account(value));
    }
    None
}

/// The account of `arn:<partition>:iam::<account>:root` when `<account>` is a value that may
/// hold a `:` as far as the model knows (another resource's attribute, such as the
/// `account_id` of a data source): an account id holds none, so the text between `iam::` and
/// `:root` is the account, and the principal is that account's root, not a role.
fn root_account(value: &SymStr) -> Option<SymStr> {
    let last = value.parts.len().checked_sub(1)?;
    let mut out = SymStr::default();
    let mut colons = 0usize;
    for (i, part) in value.parts.iter().enumerate() {
        match part {
            Part::Lit(text) => {
                let text = if i == last {
                    text.strip_suffix(":root")?
                } else {
                    text.as_str()
                };
                for (j, piece) in text.split(':').enumerate() {
                    if j > 0 {
                        colons += 1;
                    }
                    if colons == 4 && !piece.is_empty() {
                        out.push_lit(piece);
                    }
                }
            }
            Part::Sym(sym) if colons == 4 => out.push_sym(sym.clone()),
            Part::Sym(sym) if !sym.is_single_segment() => return None,
            Part::Sym(_) => {}
        }
    }
    (colons == 4 && !out.parts.is_empty()).then_some(out)
}

/// The account of a role: the account segment of its ARN, else the stack's account.
pub fn role_account(role_arn: &SymStr, stack_account: &SymStr) -> SymStr {
    arn_segment(role_arn, 4)
        .filter(|a| !a.parts.is_empty())
        .unwrap_or_else(|| stack_account.clone())
}

/// `a` and `b` as the same principal (no wildcards in principals but `*` alone), with a
/// reason that says which part is unknown.
fn same(written: &SymStr, actual: &SymStr, what: &str) -> Tri {
    match equals(written, actual, Case::Sensitive) {
        Tri::Unknown(reason) => Tri::Unknown(format!(
            "whether principal `{written}` is the {what} `{actual}` is not known: {reason}"
        )),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Caller, Decision, PolicySet, Request};
    use super::ResourcePolicies;
    use crate::iam::testing::{sym, value};
    use crate::model::{
        Existence, KmsKey, Located, Origin, Policy, PolicyDocument, PolicySource, ResourcePolicy,
        ResourcePolicyKind, Role, Stack, SymStr,
    };

    const ROLE_ARN: &str = "arn:aws:iam::${AWS::AccountId}:role/${name:Role}";
    const QUEUE: &str = "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${name:Queue}";
    const KEY: &str = "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${attr:Key.KeyId}";

    fn policy(name: &str, statements: &[serde_json::Value], source: PolicySource) -> Policy {
        Policy {
            origin: Origin::new(name, None),
            existence: Existence::Always,
            name: name.to_string(),
            source,
            document: PolicyDocument {
                value: value(&json!({ "Version": "2012-10-17", "Statement": statements })).into(),
            },
        }
    }

    /// The role `Role` with one inline policy of `statements`, and the stack it is in, which
    /// holds its permissions boundary (a customer managed policy) when there is one.
    fn role(
        statements: &[serde_json::Value],
        boundary: Option<&[serde_json::Value]>,
    ) -> (Role, Stack) {
        let mut stack = Stack::default();
        let permissions_boundary = boundary.map(|b| {
            stack
                .unattached_policies
                .push(policy("Boundary", b, PolicySource::CustomerManaged));
            Located::new(SymStr::default().with_refers("Boundary", "Ref"), None)
        });
        let role = Role {
            origin: Origin::new("Role", None),
            existence: Existence::Always,
            name: sym("${name:Role}"),
            arn: sym(ROLE_ARN),
            path: None,
            trust_policy: None,
            policies: vec![policy("Own", statements, PolicySource::Inline)],
            managed_policy_arns: Vec::new(),
            permissions_boundary,
            sam_generated: false,
        };
        (role, stack)
    }

    fn resource_policy(
        kind: ResourcePolicyKind,
        governs: &str,
        statements: serde_json::Value,
    ) -> ResourcePolicy {
        ResourcePolicy {
            origin: Origin::new("ResourcePolicy", None),
            existence: Existence::Always,
            kind,
            governs: vec![Located::new(sym(governs), None)],
            document: Some(PolicyDocument {
                value: value(&json!({ "Version": "2012-10-17", "Statement": statements })).into(),
            }),
            unknown_reason: None,
        }
    }

    fn key(policy_set: bool) -> KmsKey {
        KmsKey {
            origin: Origin::new("Key", None),
            arn: sym(KEY),
            key_id: sym("${attr:Key.KeyId}"),
            aliases: Vec::new(),
            policy_set,
        }
    }

    /// Evaluates `action` on `resource` for `role` with the stack's resource policies.
    fn decide(
        role: &Role,
        stack: &Stack,
        action: &str,
        resource: &str,
        via: Option<&str>,
    ) -> Decision {
        let set = PolicySet::for_role_in(role, stack);
        let policies = ResourcePolicies::for_stack(stack);
        let account = sym("${AWS::AccountId}");
        let via = via.map(sym);
        let caller = Caller {
            arn: &role.arn,
            account: &account,
            via_service: via.as_ref(),
        };
        let resource = sym(resource);
        set.evaluate_for(
            &Request {
                action,
                resource: &resource,
            },
            Some(&caller),
            Some(&policies),
        )
    }

    fn allow(action: &str, resource: &str) -> serde_json::Value {
        json!({"Effect": "Allow", "Action": action, "Resource": resource})
    }

    #[test]
    fn a_queue_policy_naming_the_role_is_enough() {
        let (r, mut stack) = role(&[], None);
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Queue,
            QUEUE,
            json!([{"Sid": "Consumer", "Effect": "Allow", "Principal": {"AWS": ROLE_ARN},
                    "Action": "sqs:ReceiveMessage", "Resource": QUEUE}]),
        ));
        match decide(&r, &stack, "sqs:ReceiveMessage", QUEUE, None) {
            Decision::Allowed { by } => {
                assert_eq!(by.len(), 1);
                assert_eq!(by[0].sid.as_deref(), Some("Consumer"));
            }
            other => panic!("{other:?}"),
        }
        // Another queue: the policy does not govern it.
        let other = "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${name:Other}";
        assert!(matches!(
            decide(&r, &stack, "sqs:ReceiveMessage", other, None),
            Decision::ImplicitDeny {
                blocked_by: None,
                ..
            }
        ));
    }

    #[test]
    fn an_account_principal_in_a_queue_policy_is_not_a_grant_to_the_role() {
        let (r, mut stack) = role(&[], None);
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Queue,
            QUEUE,
            json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
                    "Action": "sqs:*", "Resource": "*"}]),
        ));
        assert!(decide(&r, &stack, "sqs:ReceiveMessage", QUEUE, None).is_denied());
    }

    #[test]
    fn a_deny_in_a_secret_policy_wins() {
        let secret = "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:creds-${attr:Creds.RandomSuffix}";
        let (r, mut stack) = role(&[allow("secretsmanager:GetSecretValue", "*")], None);
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Secret,
            secret,
            json!([{"Sid": "NotTheConsumer", "Effect": "Deny", "Principal": {"AWS": ROLE_ARN},
                    "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]),
        ));
        match decide(&r, &stack, "secretsmanager:GetSecretValue", secret, None) {
            Decision::ExplicitDeny { by } => {
                assert_eq!(by[0].sid.as_deref(), Some("NotTheConsumer"))
            }
            other => panic!("{other:?}"),
        }
        // A `Deny` for everyone but a role whose name is not known: whether it covers this
        // role (whose name is generated) is not known either.
        let mut unless = Stack::default();
        unless.resource_policies.push(resource_policy(
            ResourcePolicyKind::Secret,
            secret,
            json!([{"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue",
                    "Resource": "*", "Condition": {"StringNotEquals": {
                        "aws:PrincipalArn": "arn:aws:iam::${AWS::AccountId}:role/operators"}}}]),
        ));
        assert!(matches!(
            decide(&r, &unless, "secretsmanager:GetSecretValue", secret, None),
            Decision::Unknown { .. }
        ));
    }

    #[test]
    fn a_key_policy_without_the_role_or_the_account_blocks_the_identity_grant() {
        let (r, mut stack) = role(&[allow("kms:Decrypt", KEY)], None);
        stack.kms_keys.push(key(true));
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Key,
            KEY,
            json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:role/${name:Admin}"},
                    "Action": "kms:*", "Resource": "*"}]),
        ));
        match decide(&r, &stack, "kms:Decrypt", KEY, None) {
            Decision::ImplicitDeny {
                blocked_by: Some(k),
                ..
            } => {
                assert_eq!(k.describe(), "key policy of `ResourcePolicy`");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn root_delegation_lets_the_identity_policy_decide() {
        let mut stack = Stack::default();
        stack.kms_keys.push(key(true));
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Key,
            KEY,
            json!([{"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${AWS::AccountId}:root"},
                    "Action": "kms:*", "Resource": "*"}]),
        ));
        let (granted, _) = role(&[allow("kms:Decrypt", KEY)], None);
        match decide(&granted, &stack, "kms:Decrypt", KEY, None) {
            Decision::Allowed { by } => {
                assert_eq!(
                    by.len(),
                    2,
                    "the delegation and the identity statement: {by:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let (bare, _) = role(&[], None);
        assert!(matches!(
            decide(&bare, &stack, "kms:Decrypt", KEY, None),
            Decision::ImplicitDeny {
                blocked_by: None,
                ..
            }
        ));
    }

    /// A root principal whose account is another resource's value (a data source of another
    /// provider configuration, an account created elsewhere) may be the role's account: the
    /// key policy may delegate, so the answer is unknown, never a block.
    #[test]
    fn a_root_principal_of_an_opaque_account_is_unknown() {
        let mut stack = Stack::default();
        stack.kms_keys.push(key(true));
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Key,
            KEY,
            json!([{"Sid": "Root", "Effect": "Allow",
                    "Principal": {"AWS": "arn:aws:iam::${attr:data.aws_caller_identity.other.account_id}:root"},
                    "Action": "kms:*", "Resource": "*"}]),
        ));
        // A role whose name is known, so that the principal is certainly not the role itself.
        let (mut granted, _) = role(&[allow("kms:Decrypt", KEY)], None);
        granted.arn = sym("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/orders-consumer");
        match decide(&granted, &stack, "kms:Decrypt", KEY, None) {
            Decision::Unknown { reasons, .. } => {
                assert!(reasons.iter().any(|r| r.contains("account")), "{reasons:?}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_key_without_a_policy_has_the_default_one() {
        let mut stack = Stack::default();
        stack.kms_keys.push(key(false));
        let (granted, _) = role(&[allow("kms:Decrypt", KEY)], None);
        assert!(decide(&granted, &stack, "kms:Decrypt", KEY, None).is_allowed());
        let (bare, _) = role(&[], None);
        assert!(matches!(
            decide(&bare, &stack, "kms:Decrypt", KEY, None),
            Decision::ImplicitDeny {
                blocked_by: None,
                ..
            }
        ));
    }

    #[test]
    fn via_service_and_caller_account_decide_the_key_statement() {
        let mut stack = Stack::default();
        stack.kms_keys.push(key(true));
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Key,
            KEY,
            json!([{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
                    "Condition": {"StringEquals": {
                        "kms:CallerAccount": "${AWS::AccountId}",
                        "kms:ViaService": "secretsmanager.${AWS::Region}.amazonaws.com"}}}]),
        ));
        let (r, _) = role(&[], None);
        let through_secrets = "secretsmanager.${AWS::Region}.amazonaws.com";
        assert!(decide(&r, &stack, "kms:Decrypt", KEY, Some(through_secrets)).is_allowed());
        let through_sqs = "sqs.${AWS::Region}.amazonaws.com";
        assert!(matches!(
            decide(&r, &stack, "kms:Decrypt", KEY, Some(through_sqs)),
            Decision::ImplicitDeny {
                blocked_by: Some(_),
                ..
            }
        ));
        // Without knowing who calls KMS, the statement may or may not apply.
        assert!(matches!(
            decide(&r, &stack, "kms:Decrypt", KEY, None),
            Decision::Unknown { .. }
        ));
    }

    #[test]
    fn an_undecidable_principal_is_unknown_never_denied() {
        let (r, mut stack) = role(&[], None);
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Queue,
            QUEUE,
            json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/consumer"},
                    "Action": "sqs:ReceiveMessage", "Resource": QUEUE}]),
        ));
        match decide(&r, &stack, "sqs:ReceiveMessage", QUEUE, None) {
            Decision::Unknown { reasons, .. } => {
                assert!(
                    reasons
                        .iter()
                        .any(|r| r.contains("arn:aws:iam::123456789012:role/consumer")),
                    "{reasons:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let mut org = Stack::default();
        org.resource_policies.push(resource_policy(
            ResourcePolicyKind::Queue,
            QUEUE,
            json!([{"Effect": "Allow", "Principal": "*", "Action": "sqs:ReceiveMessage", "Resource": QUEUE,
                    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-example"}}}]),
        ));
        assert!(matches!(
            decide(&r, &org, "sqs:ReceiveMessage", QUEUE, None),
            Decision::Unknown { .. }
        ));
    }

    #[test]
    fn a_unique_id_or_a_session_is_unknown() {
        for principal in [
            "AROAEXAMPLEUNIQUEID",
            "arn:aws:sts::${AWS::AccountId}:assumed-role/consumer/fn",
        ] {
            let (r, mut stack) = role(&[], None);
            stack.kms_keys.push(key(true));
            stack.resource_policies.push(resource_policy(
                ResourcePolicyKind::Key,
                KEY,
                json!([{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:Decrypt", "Resource": "*"}]),
            ));
            assert!(
                matches!(
                    decide(&r, &stack, "kms:Decrypt", KEY, None),
                    Decision::Unknown { .. }
                ),
                "{principal}"
            );
        }
    }

    #[test]
    fn a_service_principal_is_never_the_role() {
        let (r, mut stack) = role(&[], None);
        stack.resource_policies.push(resource_policy(
            ResourcePolicyKind::Queue,
            QUEUE,
            json!([{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:*", "Resource": QUEUE}]),
        ));
        assert!(decide(&r, &stack, "sqs:ReceiveMessage", QUEUE, None).is_denied());
    }

    /// The IAM-EVAL and KMS-KEYPOL order, transcribed as plainly as possible, against the
    /// engine, for every combination of identity, boundary and resource-policy statements.
    #[test]
    fn the_engine_follows_the_documented_order() {
        #[derive(Clone, Copy, Debug)]
        enum Side {
            Nothing,
            Allow,
            Deny,
        }
        #[derive(Clone, Copy, Debug)]
        enum OnResource {
            Nothing,
            AllowRole,
            AllowAccount,
            Deny,
        }
        let sides = [Side::Nothing, Side::Allow, Side::Deny];
        let on_resource = [
            OnResource::Nothing,
            OnResource::AllowRole,
            OnResource::AllowAccount,
            OnResource::Deny,
        ];
        let boundaries = [None, Some(Side::Allow), Some(Side::Nothing)];
        for is_key in [false, true] {
            let (resource, action, kind) = if is_key {
                (KEY, "kms:Decrypt", ResourcePolicyKind::Key)
            } else {
                (QUEUE, "sqs:ReceiveMessage", ResourcePolicyKind::Queue)
            };
            for identity in sides {
                for res in on_resource {
                    for boundary in boundaries {
                        let statement = |side: Side| -> Vec<serde_json::Value> {
                            match side {
                                Side::Nothing => vec![],
                                Side::Allow => vec![allow(action, "*")],
                                Side::Deny => vec![
                                    json!({"Effect": "Deny", "Action": action, "Resource": "*"}),
                                ],
                            }
                        };
                        let boundary_statements = boundary.map(statement);
                        let (r, mut stack) =
                            role(&statement(identity), boundary_statements.as_deref());
                        if is_key {
                            stack.kms_keys.push(key(true));
                        }
                        let principal = match res {
                            OnResource::AllowAccount => {
                                json!({"AWS": "arn:aws:iam::${AWS::AccountId}:root"})
                            }
                            _ => json!({"AWS": ROLE_ARN}),
                        };
                        let effect = if matches!(res, OnResource::Deny) {
                            "Deny"
                        } else {
                            "Allow"
                        };
                        let mut resource_statements = vec![];
                        if !matches!(res, OnResource::Nothing) {
                            resource_statements.push(json!({"Effect": effect, "Principal": principal, "Action": action, "Resource": "*"}));
                        }
                        if is_key || !resource_statements.is_empty() {
                            stack.resource_policies.push(resource_policy(
                                kind,
                                resource,
                                json!(resource_statements),
                            ));
                        }
                        let decision = decide(&r, &stack, action, resource, None);

                        // The documented order.
                        let any_deny =
                            matches!(identity, Side::Deny) || matches!(res, OnResource::Deny);
                        let boundary_allows = boundary.is_none_or(|b| matches!(b, Side::Allow));
                        let identity_allows = matches!(identity, Side::Allow);
                        let names_role = matches!(res, OnResource::AllowRole);
                        let names_account = matches!(res, OnResource::AllowAccount);
                        let expected_allowed = !any_deny
                            && boundary_allows
                            && if is_key {
                                names_role || (names_account && identity_allows)
                            } else {
                                names_role || identity_allows
                            };
                        let case = format!(
                            "key {is_key}, identity {identity:?}, resource {res:?}, boundary {boundary:?}: {decision:?}"
                        );
                        assert_eq!(decision.is_allowed(), expected_allowed, "{case}");
                        assert_eq!(
                            matches!(decision, Decision::ExplicitDeny { .. }),
                            any_deny,
                            "{case}"
                        );
                        let blocked = matches!(
                            decision,
                            Decision::ImplicitDeny {
                                blocked_by: Some(_),
                                ..
                            }
                        );
                        assert_eq!(
                            blocked,
                            is_key && !any_deny && !names_role && !names_account,
                            "{case}"
                        );
                    }
                }
            }
        }
    }
}
