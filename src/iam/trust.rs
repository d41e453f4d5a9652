//! Role trust policies: may a service principal assume the role?
//!
//! Input: a trust policy document ([`PolicyDocument`]), a service principal
//! (`lambda.amazonaws.com`) and an action (`sts:AssumeRole`). Output: a [`TrustAnswer`] — yes,
//! no or unknown, the deciding statement, and the condition keys on the statement that allows
//! (MSK Connect's confused-deputy advice asks for `aws:SourceAccount` / `aws:SourceArn`, MSKC).
//!
//! Rules (IAM-PRINCIPAL, IAM-EVAL; spec §5): `Principal` is `"*"`, or an object whose
//! `Service` (string or list) names the principal, or whose `AWS` is `"*"` (equivalent to
//! `"*"`); service principals compare exactly (they are case-sensitive). `Action` matches like
//! in identity policies (`sts:AssumeRole`, `sts:*`, `*`). An explicit `Deny` wins. A statement
//! with a `Condition` is not decided (the keys a service sends when it assumes a role are not
//! in the input) unless the caller decides its entries ([`trust_allows_with`]), nor is one
//! that exists only under a template condition.
//! `${AWS::URLSuffix}` in a service principal is `amazonaws.com`, the value in the `aws`
//! partition the readers assume.

use super::policy::{
    self, ConditionEntry, DocumentKind, Effect, Principals, Problem, Statement, Variant,
};
use super::wildcard::{Case, Tri, equals, glob_match, matches};
use crate::model::{Part, PolicyDocument, Pseudo, SymStr, Symbol};
use crate::source::Span;

/// A statement of a trust policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustStatement {
    pub index: usize,
    pub sid: Option<String>,
    pub span: Option<Span>,
}

/// One condition key on the allowing statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustCondition {
    pub operator: String,
    pub key: String,
    pub span: Option<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnswer {
    pub allows: Tri,
    /// The statement that decides: the Deny for a no, the Allow for a yes or an unknown.
    pub statement: Option<TrustStatement>,
    /// Condition keys of the allowing statement (empty when it has none).
    pub conditions: Vec<TrustCondition>,
    /// Problems with the document.
    pub problems: Vec<Problem>,
}

impl TrustAnswer {
    /// Whether the allowing statement has a condition on `key` (case-insensitive).
    pub fn has_condition(&self, key: &str) -> bool {
        self.conditions
            .iter()
            .any(|c| c.key.eq_ignore_ascii_case(key))
    }
}

/// Whether the trust policy lets `service_principal` perform `action` (`sts:AssumeRole`).
pub fn trust_allows(doc: &PolicyDocument, service_principal: &str, action: &str) -> TrustAnswer {
    trust_allows_with(doc, service_principal, action, &|_| None)
}

/// Like [`trust_allows`], for a caller that knows what some condition entries evaluate to
/// (MSK Connect sends the connector's account and ARN as `aws:SourceAccount` and
/// `aws:SourceArn`): `decide` returns the answer for an entry, or `None` to leave it undecided.
pub fn trust_allows_with(
    doc: &PolicyDocument,
    service_principal: &str,
    action: &str,
    decide: &dyn Fn(&ConditionEntry) -> Option<Tri>,
) -> TrustAnswer {
    let parsed = policy::parse(&doc.value, DocumentKind::Trust);
    let action = action.to_ascii_lowercase();
    let mut allow: Option<(Tri, &Statement, &Variant)> = None;
    let mut maybe_deny: Option<(String, &Statement)> = None;
    for statement in &parsed.statements {
        if let Some(reason) = &statement.opaque {
            maybe_deny.get_or_insert((reason.clone(), statement));
            continue;
        }
        let guarded: Vec<String> = statement
            .presence
            .iter()
            .map(|g| format!("the statement applies only when {}", g.describe()))
            .collect();
        for variant in &statement.variants {
            let principal = principal_match(variant.principals.as_ref(), service_principal);
            let acts = action_match(variant, &action);
            let mut m = principal.and(acts);
            if m.is_no() {
                continue;
            }
            if !variant.conditions.is_empty() {
                let mut undecided: Vec<String> = Vec::new();
                for c in &variant.conditions {
                    match decide(c) {
                        Some(Tri::Unknown(reason)) => m = m.and(Tri::Unknown(reason)),
                        Some(t) => m = m.and(t),
                        None => undecided.push(format!("`{}`", c.key)),
                    }
                }
                if !undecided.is_empty() {
                    m = m.and(Tri::Unknown(format!(
                        "the statement has a condition on {}",
                        undecided.join(", ")
                    )));
                }
                if m.is_no() {
                    continue;
                }
            }
            if statement.variants.len() > 1 {
                m = m.and(Tri::Unknown(format!(
                    "the statement depends on condition {}",
                    statement
                        .chosen_by
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            if let Some(g) = guarded.first() {
                m = m.and(Tri::Unknown(g.clone()));
            }
            match (&variant.effect, m) {
                (Effect::Deny, Tri::Yes) => {
                    return TrustAnswer {
                        allows: Tri::No,
                        statement: Some(statement_ref(statement)),
                        conditions: Vec::new(),
                        problems: parsed.problems.clone(),
                    };
                }
                (Effect::Deny, Tri::Unknown(r)) | (Effect::Unknown(_), Tri::Unknown(r)) => {
                    maybe_deny.get_or_insert((format!("it may be denied: {r}"), statement));
                }
                (Effect::Unknown(r), Tri::Yes) => {
                    maybe_deny.get_or_insert((r.clone(), statement));
                }
                (Effect::Allow, m) => {
                    let better = match &allow {
                        None => true,
                        Some((current, _, _)) => !current.is_yes() && m.is_yes(),
                    };
                    if better {
                        allow = Some((m, statement, variant));
                    }
                }
                (_, Tri::No) => {}
            }
        }
    }
    let Some((result, statement, variant)) = allow else {
        return TrustAnswer {
            allows: match maybe_deny {
                Some(_) => Tri::Unknown(format!(
                    "no statement allows `{service_principal}` to `{action}` for certain"
                )),
                None => Tri::No,
            },
            statement: None,
            conditions: Vec::new(),
            problems: parsed.problems,
        };
    };
    let allows = match (result, maybe_deny) {
        (r, None) => r,
        (Tri::Yes, Some((reason, _))) => Tri::Unknown(reason),
        (r, Some(_)) => r,
    };
    TrustAnswer {
        allows,
        statement: Some(statement_ref(statement)),
        conditions: variant
            .conditions
            .iter()
            .map(|c| TrustCondition {
                operator: c.operator.clone(),
                key: c.key.clone(),
                span: c.span,
            })
            .collect(),
        problems: parsed.problems,
    }
}

fn statement_ref(s: &Statement) -> TrustStatement {
    TrustStatement {
        index: s.index,
        sid: s.sid.clone(),
        span: s.span,
    }
}

fn action_match(variant: &Variant, action_lower: &str) -> Tri {
    let Some(targets) = &variant.actions else {
        return Tri::No;
    };
    let mut any = Tri::No;
    for p in &targets.items {
        any = any.or(match &p.lower {
            Some(lower) => Tri::from_bool(glob_match(lower, action_lower, Case::Sensitive)),
            None => matches(&p.text, &SymStr::lit(action_lower), Case::Insensitive),
        });
    }
    if targets.negated { any.negate() } else { any }
}

fn principal_match(principals: Option<&Principals>, service: &str) -> Tri {
    let Some(p) = principals else {
        return Tri::No;
    };
    let mut any = Tri::from_bool(p.everyone);
    for entry in &p.entries {
        let m = match entry.kind.as_str() {
            "Service" => equals(
                &with_url_suffix(&entry.value),
                &SymStr::lit(service),
                Case::Sensitive,
            ),
            "AWS" => {
                if entry.value.as_literal() == Some("*") {
                    Tri::Yes
                } else if entry
                    .value
                    .parts
                    .iter()
                    .all(|part| matches!(part, Part::Sym(_)))
                {
                    Tri::Unknown(
                        entry
                            .value
                            .symbols()
                            .map(Symbol::reason)
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                } else {
                    Tri::No
                }
            }
            _ => Tri::No,
        };
        any = any.or(m);
    }
    if p.negated { any.negate() } else { any }
}

/// `${AWS::URLSuffix}` → `amazonaws.com` (its value in the `aws` partition).
fn with_url_suffix(value: &SymStr) -> SymStr {
    let mut out = SymStr::default();
    for part in &value.parts {
        match part {
            Part::Sym(Symbol::Pseudo(Pseudo::UrlSuffix)) => out.push_lit("amazonaws.com"),
            Part::Sym(s) => out.push_sym(s.clone()),
            Part::Lit(t) => out.push_lit(t),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::iam::testing::value;

    fn answer(doc: serde_json::Value, principal: &str) -> TrustAnswer {
        trust_allows(
            &PolicyDocument {
                value: value(&doc).into(),
            },
            principal,
            "sts:AssumeRole",
        )
    }

    fn lambda_trust(principal: serde_json::Value, action: serde_json::Value) -> serde_json::Value {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": action}
        ]})
    }

    #[test]
    fn sam_generated_trust_policy() {
        // SAMT `lambda_assume_role_policy` (spec §5).
        let doc = lambda_trust(
            json!({"Service": ["lambda.amazonaws.com"]}),
            json!(["sts:AssumeRole"]),
        );
        let a = answer(doc.clone(), "lambda.amazonaws.com");
        assert_eq!(a.allows, Tri::Yes);
        assert_eq!(a.statement.as_ref().map(|s| s.index), Some(0));
        assert!(a.conditions.is_empty());
        assert_eq!(answer(doc, "kafkaconnect.amazonaws.com").allows, Tri::No);
    }

    #[test]
    fn principal_and_action_forms() {
        for (principal, action) in [
            (
                json!({"Service": "lambda.amazonaws.com"}),
                json!("sts:AssumeRole"),
            ),
            (
                json!({"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]}),
                json!("sts:*"),
            ),
            (json!("*"), json!("*")),
            (json!({"AWS": "*"}), json!("STS:assumerole")),
            (
                json!({"Service": "lambda.${AWS::URLSuffix}"}),
                json!("sts:AssumeRole"),
            ),
        ] {
            let doc = lambda_trust(principal.clone(), action.clone());
            assert_eq!(
                answer(doc, "lambda.amazonaws.com").allows,
                Tri::Yes,
                "{principal} {action}"
            );
        }
        for (principal, action) in [
            (
                json!({"Service": "Lambda.amazonaws.com"}),
                json!("sts:AssumeRole"),
            ),
            (
                json!({"AWS": "arn:aws:iam::123456789012:root"}),
                json!("sts:AssumeRole"),
            ),
            (
                json!({"Service": "lambda.amazonaws.com"}),
                json!("sts:TagSession"),
            ),
            (
                json!({"Federated": "cognito-identity.amazonaws.com"}),
                json!("sts:AssumeRole"),
            ),
        ] {
            let doc = lambda_trust(principal.clone(), action.clone());
            assert_eq!(
                answer(doc, "lambda.amazonaws.com").allows,
                Tri::No,
                "{principal} {action}"
            );
        }
        let doc = lambda_trust(
            json!({"Service": "${param:Principal}"}),
            json!("sts:AssumeRole"),
        );
        assert!(matches!(
            answer(doc, "lambda.amazonaws.com").allows,
            Tri::Unknown(_)
        ));
    }

    #[test]
    fn conditions_are_reported_and_undecided() {
        // MSKC example trust policy (spec §3.1).
        let doc = json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "kafkaconnect.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": "123456789012"},
                "ArnLike": {"aws:SourceArn": "arn:aws:kafkaconnect:us-east-1:123456789012:connector/myConnector/*"}
            }
        }]});
        let a = answer(doc, "kafkaconnect.amazonaws.com");
        match &a.allows {
            // (The test helper orders object keys alphabetically.)
            Tri::Unknown(reason) => assert_eq!(
                reason,
                "the statement has a condition on `aws:SourceArn`, `aws:SourceAccount`"
            ),
            other => panic!("{other:?}"),
        }
        assert!(a.has_condition("aws:SourceAccount"));
        assert!(a.has_condition("AWS:SourceArn"));
        assert_eq!(a.statement.as_ref().map(|s| s.index), Some(0));
    }

    #[test]
    fn conditions_the_caller_decides() {
        let doc = PolicyDocument {
            value: value(&json!({"Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": "kafkaconnect.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": "123456789012"},
                    "ArnLike": {"aws:SourceArn": "arn:aws:kafkaconnect:*:123456789012:connector/sink/*"}
                }
            }]}))
            .into(),
        };
        let principal = "kafkaconnect.amazonaws.com";
        let ask = |account: &str, arn: Option<&str>| {
            let (account, arn) = (SymStr::lit(account), arn.map(SymStr::lit));
            trust_allows_with(
                &doc,
                principal,
                "sts:AssumeRole",
                &|c| match c.key.as_str() {
                    "aws:SourceAccount" => {
                        Some(crate::iam::condition::evaluate_present(c, &account))
                    }
                    "aws:SourceArn" => arn
                        .as_ref()
                        .map(|a| crate::iam::condition::evaluate_present(c, a)),
                    _ => None,
                },
            )
        };
        let sink = "arn:aws:kafkaconnect:eu-west-1:123456789012:connector/sink/u-1";
        let other = "arn:aws:kafkaconnect:eu-west-1:123456789012:connector/other/u-1";
        assert_eq!(ask("123456789012", Some(sink)).allows, Tri::Yes);
        let excluded = ask("123456789012", Some(other));
        assert_eq!(excluded.allows, Tri::No);
        assert_eq!(
            excluded.statement, None,
            "no statement decides a condition that fails"
        );
        assert_eq!(ask("210987654321", Some(sink)).allows, Tri::No);
        // An entry left undecided keeps the answer open and is named in the reason.
        match ask("123456789012", None).allows {
            Tri::Unknown(r) => assert_eq!(r, "the statement has a condition on `aws:SourceArn`"),
            other => panic!("{other:?}"),
        }
        let a = ask("123456789012", Some(sink));
        assert!(a.has_condition("aws:SourceAccount") && a.has_condition("aws:SourceArn"));
    }

    #[test]
    fn an_unconditional_allow_is_preferred() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole",
             "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}},
            {"Sid": "Plain", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ]});
        let a = answer(doc, "lambda.amazonaws.com");
        assert_eq!(a.allows, Tri::Yes);
        assert_eq!(a.statement.unwrap().sid.as_deref(), Some("Plain"));
        assert!(a.conditions.is_empty());
    }

    #[test]
    fn deny_and_not_principal() {
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Sid": "NoLambda", "Effect": "Deny", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:*"}
        ]});
        let a = answer(doc, "lambda.amazonaws.com");
        assert_eq!(a.allows, Tri::No);
        assert_eq!(a.statement.unwrap().sid.as_deref(), Some("NoLambda"));
        let doc = json!({"Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
            {"Effect": "Deny", "NotPrincipal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:*"}
        ]});
        assert_eq!(answer(doc.clone(), "lambda.amazonaws.com").allows, Tri::Yes);
        assert_eq!(answer(doc, "ec2.amazonaws.com").allows, Tri::No);
    }

    #[test]
    fn template_conditions_leave_it_unknown() {
        let doc = json!({"Statement": [{"Fn::If": ["UseLambda",
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"},
            {"Ref": "AWS::NoValue"}]}]});
        match answer(doc, "lambda.amazonaws.com").allows {
            Tri::Unknown(r) => assert_eq!(
                r,
                "the statement applies only when condition `UseLambda` is true"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn problems_are_returned() {
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]});
        let a = answer(doc, "lambda.amazonaws.com");
        assert_eq!(a.allows, Tri::No);
        assert_eq!(
            a.problems[0].message,
            "trust policy statement has no `Principal`"
        );
    }
}
