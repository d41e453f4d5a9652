use std::path::Path;

use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::iam::testing::{sym, value};
use crate::model::{Origin, PolicyDocument, Role, Stack};

/// A role built from a JSON description (the format of `testdata/iam/cases/*.json`):
/// `{"policies": [{"name", "document", "existence"?, "source"?}], "managed_policy_arns"?,
///   "boundary"?: {"arn"} | {"document"}}`. A boundary given as a document is a customer
/// managed policy of the stack named `Boundary`.
fn role_and_stack(spec: &serde_json::Value) -> (Role, Stack) {
    let mut stack = Stack::default();
    let policies = spec["policies"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| Policy {
                    origin: Origin::new(p["name"].as_str().unwrap(), None),
                    existence: match p.get("existence").and_then(|e| e.as_str()) {
                        Some(c) => Existence::IfCondition(c.to_string()),
                        None => Existence::Always,
                    },
                    name: p["name"].as_str().unwrap().to_string(),
                    source: match p.get("source").and_then(|s| s.as_str()) {
                        Some("customer-managed") => PolicySource::CustomerManaged,
                        Some("standalone") => PolicySource::Standalone,
                        _ => PolicySource::Inline,
                    },
                    document: PolicyDocument {
                        value: value(&p["document"]).into(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let managed_policy_arns = spec
        .get("managed_policy_arns")
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .map(|x| Located::new(sym(x.as_str().unwrap()), None))
                .collect()
        })
        .unwrap_or_default();
    let permissions_boundary = spec.get("boundary").map(|b| {
        if let Some(arn) = b.get("arn").and_then(|a| a.as_str()) {
            Located::new(sym(arn), None)
        } else {
            stack.unattached_policies.push(Policy {
                origin: Origin::new("Boundary", None),
                existence: Existence::Always,
                name: "Boundary".to_string(),
                source: PolicySource::CustomerManaged,
                document: PolicyDocument {
                    value: value(&b["document"]).into(),
                },
            });
            Located::new(
                sym("${attr:Boundary.Ref}").with_refers("Boundary", "Ref"),
                None,
            )
        }
    });
    let role = Role {
        origin: Origin::new("Role", None),
        existence: Existence::Always,
        name: SymStr::lit("role"),
        arn: SymStr::lit("arn:aws:iam::123456789012:role/role"),
        path: None,
        trust_policy: None,
        policies,
        managed_policy_arns,
        permissions_boundary,
        sam_generated: false,
    };
    (role, stack)
}

fn evaluate(spec: &serde_json::Value, action: &str, resource: &str) -> Decision {
    let (role, stack) = role_and_stack(spec);
    let set = PolicySet::for_role_in(&role, &stack);
    set.evaluate(&Request {
        action,
        resource: &sym(resource),
    })
}

/// `Policy/Sid` or `Policy/#n` (1-based) of each statement.
fn names(refs: &[StatementRef]) -> Vec<String> {
    refs.iter()
        .map(|r| match &r.sid {
            Some(sid) => format!("{}/{sid}", r.policy.name),
            None => format!("{}/#{}", r.policy.name, r.index + 1),
        })
        .collect()
}

fn allow(action: serde_json::Value, resource: serde_json::Value) -> serde_json::Value {
    json!({"Effect": "Allow", "Action": action, "Resource": resource})
}

fn one_policy(statements: serde_json::Value) -> serde_json::Value {
    json!({"policies": [{"name": "P", "document": {"Version": "2012-10-17", "Statement": statements}}]})
}

const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:orders";

#[test]
fn allow_and_implicit_deny() {
    let spec = one_policy(json!([allow(json!("sqs:ReceiveMessage"), json!(QUEUE))]));
    assert!(matches!(
        evaluate(&spec, "sqs:ReceiveMessage", QUEUE),
        Decision::Allowed { by } if names(&by) == ["P/#1"]
    ));
    assert!(matches!(
        evaluate(&spec, "sqs:DeleteMessage", QUEUE),
        Decision::ImplicitDeny { near_misses, .. } if near_misses.is_empty()
    ));
}

#[test]
fn retaining_leaves_out_the_other_identity_policies_only() {
    let spec = json!({
        "policies": [
            {"name": "Separate", "source": "standalone",
             "document": {"Statement": [allow(json!("sqs:ReceiveMessage"), json!(QUEUE))]}},
            {"name": "Inline",
             "document": {"Statement": [allow(json!("sqs:GetQueueAttributes"), json!(QUEUE))]}}
        ],
        "managed_policy_arns": ["arn:aws:iam::123456789012:policy/elsewhere"]
    });
    let (role, stack) = role_and_stack(&spec);
    let set = PolicySet::for_role_in(&role, &stack);
    let request = |set: &PolicySet, action: &str| {
        set.evaluate(&Request {
            action,
            resource: &sym(QUEUE),
        })
    };
    assert!(request(&set, "sqs:ReceiveMessage").is_allowed());
    let without = set.retaining(|p| p.origin != "Separate");
    assert!(request(&without, "sqs:GetQueueAttributes").is_allowed());
    // The unresolved managed policy may still grant it: unknown, not denied.
    assert!(matches!(
        request(&without, "sqs:ReceiveMessage"),
        Decision::Unknown { .. }
    ));
    let known = PolicySet::for_role_in(
        &Role {
            managed_policy_arns: Vec::new(),
            ..role
        },
        &stack,
    )
    .retaining(|p| p.origin != "Separate");
    assert!(matches!(
        request(&known, "sqs:ReceiveMessage"),
        Decision::ImplicitDeny { .. }
    ));
}

#[test]
fn explicit_deny_wins() {
    let spec = one_policy(json!([
        allow(json!("sqs:*"), json!("*")),
        {"Sid": "NoDelete", "Effect": "Deny", "Action": "sqs:DeleteMessage", "Resource": "*"}
    ]));
    assert!(matches!(
        evaluate(&spec, "sqs:DeleteMessage", QUEUE),
        Decision::ExplicitDeny { by } if names(&by) == ["P/NoDelete"]
    ));
    assert!(evaluate(&spec, "sqs:ReceiveMessage", QUEUE).is_allowed());
}

#[test]
fn near_misses_name_the_other_resource() {
    let spec = one_policy(json!([allow(
        json!("sqs:ReceiveMessage"),
        json!("arn:aws:sqs:us-east-1:123456789012:other")
    )]));
    match evaluate(&spec, "sqs:ReceiveMessage", QUEUE) {
        Decision::ImplicitDeny { near_misses, .. } => {
            assert_eq!(near_misses.len(), 1);
            assert_eq!(near_misses[0].kind, NearMissKind::OtherResource);
            assert_eq!(
                near_misses[0].detail,
                "allows the action on `arn:aws:sqs:us-east-1:123456789012:other`"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn possible_deny_makes_an_allow_unknown() {
    let spec = one_policy(json!([
        allow(json!("sqs:*"), json!("*")),
        {"Effect": "Deny", "Action": "sqs:*", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    ]));
    match evaluate(&spec, "sqs:ReceiveMessage", QUEUE) {
        Decision::Unknown {
            reasons,
            would_allow,
            possibly_denied_by,
        } => {
            assert_eq!(names(&would_allow), ["P/#1"]);
            assert_eq!(names(&possibly_denied_by), ["P/#2"]);
            assert_eq!(
                reasons,
                [
                    "statement #2 of policy `P` may deny it: condition `IpAddress` on `aws:SourceIp` cannot be evaluated before the request is made"
                ]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unresolved_policies_do_not_downgrade_an_allow() {
    let mut spec = one_policy(json!([allow(json!("sqs:ReceiveMessage"), json!("*"))]));
    spec["managed_policy_arns"] = json!(["arn:aws:iam::123456789012:policy/elsewhere"]);
    assert!(evaluate(&spec, "sqs:ReceiveMessage", QUEUE).is_allowed());
    match evaluate(&spec, "sqs:DeleteMessage", QUEUE) {
        Decision::Unknown {
            reasons,
            would_allow,
            ..
        } => {
            assert!(would_allow.is_empty());
            assert_eq!(
                reasons,
                ["managed policy `arn:aws:iam::123456789012:policy/elsewhere` is not in the input"]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn aws_managed_policies_are_evaluated() {
    let spec = json!({"policies": [], "managed_policy_arns": [
        "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"
    ]});
    match evaluate(&spec, "sqs:ReceiveMessage", QUEUE) {
        Decision::Allowed { by } => {
            assert_eq!(by[0].policy.name, "AWSLambdaSQSQueueExecutionRole");
            assert!(matches!(
                &by[0].policy.kind,
                PolicyKind::AwsManaged { version, .. } if version == "v1"
            ));
        }
        other => panic!("{other:?}"),
    }
    // SQS poller policy has no ChangeMessageVisibility (spec §2.3, MAMIP).
    assert!(matches!(
        evaluate(&spec, "sqs:ChangeMessageVisibility", QUEUE),
        Decision::ImplicitDeny { .. }
    ));
}

#[test]
fn problems_are_collected_per_policy() {
    let spec = one_policy(json!([
        allow(json!("sqs:RecieveMessage"), json!("*")),
        {"Effect": "Allow", "Action": "sqs:SendMessage"}
    ]));
    let (role, _) = role_and_stack(&spec);
    let set = PolicySet::for_role(&role);
    let messages: Vec<&str> = set.problems().iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "unknown action `sqs:RecieveMessage` (did you mean `sqs:ReceiveMessage`?)",
            "statement has no `Resource` or `NotResource`"
        ]
    );
    assert!(set.problems().iter().all(|p| p.policy.name == "P"));
}

#[test]
fn wrong_path_of_an_aws_managed_policy_is_a_problem() {
    let spec = json!({"policies": [], "managed_policy_arns": [
        "arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole"
    ]});
    let (role, _) = role_and_stack(&spec);
    let set = PolicySet::for_role(&role);
    assert_eq!(
        set.problems()[0].message,
        "AWS managed policy `arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole` does not exist (did you mean `arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`?)"
    );
    assert_eq!(set.unresolved().len(), 1);
}

#[test]
fn size_limits() {
    let big: Vec<serde_json::Value> = (0..400)
        .map(|i| {
            allow(
                json!(format!("sqs:SendMessage")),
                json!(format!("arn:aws:sqs:us-east-1:123456789012:queue-{i}")),
            )
        })
        .collect();
    let spec = json!({"policies": [
        {"name": "Big", "document": {"Version": "2012-10-17", "Statement": big.clone()}},
        {"name": "Managed", "source": "customer-managed", "document": {"Version": "2012-10-17", "Statement": big}}
    ]});
    let (role, _) = role_and_stack(&spec);
    let set = PolicySet::for_role(&role);
    let messages: Vec<&str> = set
        .problems()
        .iter()
        .filter(|p| p.kind == ProblemKind::SizeLimit)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].starts_with("managed policy `Managed` has at least"));
    assert!(
        messages[0]
            .ends_with("over the IAM limit of 6,144 for a managed policy (whitespace not counted)")
    );
    assert!(messages[1].starts_with("the inline policies of role `Role` have at least"));
    assert!(messages[1].contains("10,240"));
    // A small policy is under both limits.
    let (small, _) = role_and_stack(&one_policy(json!([allow(json!("sqs:*"), json!("*"))])));
    assert!(PolicySet::for_role(&small).problems().is_empty());
}

// ---------------------------------------------------------------------------------------------
// The reference table

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// Source key of the rule the case exercises (spec §0 or docs/data.md).
    source: String,
    role: serde_json::Value,
    request: CaseRequest,
    expect: Expect,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseRequest {
    action: String,
    resource: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    decision: String,
    /// Deciding statements (`Policy/Sid` or `Policy/#n`): `by` of allowed and denied
    /// (explicit), `would_allow` of unknown.
    #[serde(default)]
    by: Vec<String>,
    #[serde(default)]
    possibly_denied_by: Vec<String>,
    /// Substrings that must appear in one of the reasons of an unknown decision.
    #[serde(default)]
    reasons_contain: Vec<String>,
    /// Kinds of the near misses of an implicit deny.
    #[serde(default)]
    near_misses: Vec<NearMissKind>,
}

impl<'de> serde::Deserialize<'de> for NearMissKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match s.as_str() {
            "other-resource" => NearMissKind::OtherResource,
            "condition-not-met" => NearMissKind::ConditionNotMet,
            "not-in-boundary" => NearMissKind::NotInBoundary,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "unknown near miss {other}"
                )));
            }
        })
    }
}

#[test]
fn reference_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/iam/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut count = 0;
    let mut failures = Vec::new();
    for file in files {
        let cases: Vec<Case> = serde_json::from_str(&std::fs::read_to_string(&file).unwrap())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for case in cases {
            count += 1;
            assert!(!case.source.is_empty());
            let decision = evaluate(&case.role, &case.request.action, &case.request.resource);
            let label = format!(
                "{} / {}",
                file.file_name().unwrap().to_string_lossy(),
                case.name
            );
            if let Err(e) = check(&decision, &case.expect) {
                failures.push(format!("{label}: {e}\n  got {decision:#?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(count >= 40, "only {count} cases");
}

fn check(decision: &Decision, expect: &Expect) -> Result<(), String> {
    if decision.label() != expect.decision {
        return Err(format!(
            "expected {}, got {}",
            expect.decision,
            decision.label()
        ));
    }
    match decision {
        Decision::Allowed { by } | Decision::ExplicitDeny { by } => {
            if names(by) != expect.by {
                return Err(format!("by {:?}, expected {:?}", names(by), expect.by));
            }
        }
        Decision::ImplicitDeny { near_misses, .. } => {
            let kinds: Vec<NearMissKind> = near_misses.iter().map(|n| n.kind).collect();
            if kinds != expect.near_misses {
                return Err(format!(
                    "near misses {kinds:?}, expected {:?}",
                    expect.near_misses
                ));
            }
        }
        Decision::Unknown {
            reasons,
            would_allow,
            possibly_denied_by,
        } => {
            if names(would_allow) != expect.by {
                return Err(format!(
                    "would_allow {:?}, expected {:?}",
                    names(would_allow),
                    expect.by
                ));
            }
            if names(possibly_denied_by) != expect.possibly_denied_by {
                return Err(format!(
                    "possibly_denied_by {:?}, expected {:?}",
                    names(possibly_denied_by),
                    expect.possibly_denied_by
                ));
            }
            for needle in &expect.reasons_contain {
                if !reasons.iter().any(|r| r.contains(needle.as_str())) {
                    return Err(format!("no reason contains {needle:?}: {reasons:?}"));
                }
            }
            if reasons.is_empty() {
                return Err("an unknown decision without a reason".into());
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Differential test against a literal transcription of the evaluation order

#[derive(Clone, Debug)]
struct GenStatement {
    deny: bool,
    not_action: bool,
    actions: Vec<String>,
    not_resource: bool,
    resources: Vec<String>,
}

fn gen_statement() -> impl Strategy<Value = GenStatement> {
    let action = prop_oneof![
        Just("s:Get".to_string()),
        Just("s:get*".to_string()),
        Just("S:Put".to_string()),
        Just("s:*".to_string()),
        Just("*".to_string()),
        Just("t:G?t".to_string()),
        Just("t:*".to_string()),
        Just("?:Put".to_string()),
    ];
    let resource = prop_oneof![
        Just("*".to_string()),
        Just("arn:aws:s:r:1:a".to_string()),
        Just("arn:aws:s:r:1:*".to_string()),
        Just("arn:aws:s:r:1:?".to_string()),
        Just("arn:aws:s:*:b".to_string()),
        Just("arn:aws:t:r:1:A".to_string()),
        Just("arn:aws:*:r:1:a/x".to_string()),
    ];
    (
        any::<bool>(),
        prop::bool::weighted(0.2),
        proptest::collection::vec(action, 1..3),
        prop::bool::weighted(0.2),
        proptest::collection::vec(resource, 1..3),
    )
        .prop_map(
            |(deny, not_action, actions, not_resource, resources)| GenStatement {
                deny,
                not_action,
                actions,
                not_resource,
                resources,
            },
        )
}

fn to_json(statements: &[GenStatement]) -> serde_json::Value {
    let list: Vec<serde_json::Value> = statements
        .iter()
        .map(|s| {
            let mut m = serde_json::Map::new();
            m.insert(
                "Effect".into(),
                json!(if s.deny { "Deny" } else { "Allow" }),
            );
            m.insert(
                if s.not_action { "NotAction" } else { "Action" }.into(),
                json!(s.actions),
            );
            m.insert(
                if s.not_resource {
                    "NotResource"
                } else {
                    "Resource"
                }
                .into(),
                json!(s.resources),
            );
            serde_json::Value::Object(m)
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": list})
}

fn glob_regex(pattern: &str, insensitive: bool) -> regex::Regex {
    let mut re = String::from(if insensitive { "(?is)^" } else { "(?s)^" });
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap()
}

/// IAM-EVAL, transcribed: deny anywhere → deny; boundary must allow; identity must allow.
fn reference_decision(
    identity: &[Vec<GenStatement>],
    boundary: Option<&[GenStatement]>,
    action: &str,
    resource: &str,
) -> (&'static str, Vec<String>) {
    let applies = |s: &GenStatement| {
        let a = s
            .actions
            .iter()
            .any(|p| glob_regex(p, true).is_match(action));
        let r = s
            .resources
            .iter()
            .any(|p| glob_regex(p, false).is_match(resource));
        (a != s.not_action) && (r != s.not_resource)
    };
    let mut denies = Vec::new();
    for (p, statements) in identity.iter().enumerate() {
        for (i, s) in statements.iter().enumerate() {
            if s.deny && applies(s) {
                denies.push(format!("P{p}/#{}", i + 1));
            }
        }
    }
    if let Some(b) = boundary {
        for (i, s) in b.iter().enumerate() {
            if s.deny && applies(s) {
                denies.push(format!("Boundary/#{}", i + 1));
            }
        }
    }
    if !denies.is_empty() {
        return ("denied (explicit)", denies);
    }
    if let Some(b) = boundary {
        if !b.iter().any(|s| !s.deny && applies(s)) {
            return ("denied (implicit)", Vec::new());
        }
    }
    let mut allows = Vec::new();
    for (p, statements) in identity.iter().enumerate() {
        for (i, s) in statements.iter().enumerate() {
            if !s.deny && applies(s) {
                allows.push(format!("P{p}/#{}", i + 1));
            }
        }
    }
    if allows.is_empty() {
        ("denied (implicit)", Vec::new())
    } else {
        ("allowed", allows)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn evaluation_agrees_with_the_reference(
        identity in proptest::collection::vec(proptest::collection::vec(gen_statement(), 1..4), 0..3),
        boundary in proptest::option::of(proptest::collection::vec(gen_statement(), 1..3)),
        action in prop_oneof![Just("s:Get"), Just("s:Put"), Just("t:Get"), Just("T:GET"), Just("u:Put")],
        resource in prop_oneof![
            Just("arn:aws:s:r:1:a"), Just("arn:aws:s:r:1:b"), Just("arn:aws:t:r:1:A"),
            Just("arn:aws:t:r:1:a"), Just("arn:aws:s:r:1:a/x"), Just("*")
        ],
    ) {
        let mut spec = json!({"policies": identity.iter().enumerate().map(|(p, s)| {
            json!({"name": format!("P{p}"), "document": to_json(s)})
        }).collect::<Vec<_>>()});
        if let Some(b) = &boundary {
            spec["boundary"] = json!({"document": to_json(b)});
        }
        let decision = evaluate(&spec, action, resource);
        let (expected, by) = reference_decision(&identity, boundary.as_deref(), action, resource);
        prop_assert_eq!(decision.label(), expected);
        match &decision {
            Decision::Allowed { by: got } | Decision::ExplicitDeny { by: got } => {
                prop_assert_eq!(names(got), by);
            }
            _ => {}
        }
    }
}

/// A related location's note names its statement as [`StatementRef::label`] writes it;
/// locating the statement in the Terraform source reads the label back.
#[test]
fn a_statement_label_names_its_statement() {
    assert_eq!(
        labelled_statement("statement `KeepMessages` of policy `p` denies it"),
        Some(StatementKey::Sid("KeepMessages".into()))
    );
    assert_eq!(
        labelled_statement("statement #2 of policy `p` grants `sqs:ReceiveMessage`"),
        Some(StatementKey::Index(1))
    );
    assert_eq!(labelled_statement("statement #0"), None);
    assert_eq!(labelled_statement("function `f`"), None);
}
