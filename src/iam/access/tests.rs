use super::*;
use crate::iam::testing::spanned;
use crate::model::{Located, Origin, Policy, PolicyDocument, PolicySource, Value};

const TEXT: &str = r#"{
  "FnRolePolicy": {
    "Version": "2012-10-17",
    "Statement": [
      {
        "Sid": "Poll",
        "Effect": "Allow",
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        "Resource": "arn:aws:sqs:us-east-1:123456789012:orders"
      },
      {
        "Sid": "NoPurge",
        "Effect": "Deny",
        "Action": "sqs:PurgeQueue",
        "Resource": "*"
      },
      {
        "Effect": "Allow",
        "Action": "sqs:SendMessage",
        "Resource": "${param:DlqArn}"
      }
    ]
  },
  "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole"]
}"#;

fn file() -> SourceFile {
    SourceFile::new("template.json", TEXT.to_string())
}

fn stack() -> Stack {
    let root = spanned(TEXT);
    let get = |k: &str| -> Value { root.get(k).unwrap().clone() };
    let arn = get("ManagedPolicyArns").as_list().unwrap()[0].clone();
    let doc = get("FnRolePolicy");
    let role_span = Some(Span::new(0, 1));
    let mut stack = Stack::default();
    stack.roles.push(Role {
        origin: Origin::new("FnRole", role_span),
        existence: Existence::Always,
        name: SymStr::lit("fn-role"),
        arn: SymStr::lit("arn:aws:iam::123456789012:role/fn-role"),
        path: None,
        trust_policy: None,
        policies: vec![Policy {
            origin: Origin::new("FnRole", doc.span),
            existence: Existence::Always,
            name: "FnRolePolicy".into(),
            source: PolicySource::Inline,
            document: PolicyDocument { value: doc.into() },
        }],
        managed_policy_arns: vec![Located::new(arn.as_symstr().unwrap().clone(), arn.span)],
        permissions_boundary: None,
        sam_generated: false,
    });
    stack
}

fn ask(action: &str, resource: &str) -> (AccessAnswer, String, serde_json::Value) {
    let s = stack();
    let f = file();
    let a = answer(&[&s], "FnRole", action, resource, false).unwrap();
    let mut text = String::new();
    for (i, line) in a.render_lines(|_| Some(&f)).iter().enumerate() {
        text.push_str(if i == 0 { "" } else { "  " });
        text.push_str(line);
        text.push('\n');
    }
    let json = a.to_json(|_| Some(&f));
    (a, text, json)
}

const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:orders";

#[test]
fn allowed() {
    let (a, text, json) = ask("sqs:ReceiveMessage", QUEUE);
    assert_eq!(a.exit_code(), 0);
    assert!(text.starts_with("allowed\n"));
    assert!(text.contains(
        "statement `Poll` of inline policy `FnRolePolicy` of `FnRole` at template.json:5:7"
    ));
    assert_eq!(json["decision"], "allowed");
    assert_eq!(json["statements"][0]["sid"], "Poll");
    assert_eq!(json["statements"][0]["line"], 5);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn allowed_by_an_aws_managed_policy() {
    let (a, text, json) = ask(
        "kafka:DescribeClusterV2",
        "arn:aws:kafka:us-east-1:123456789012:cluster/c/1",
    );
    assert_eq!(a.exit_code(), 0);
    assert!(text.contains(
        "statement #1 of AWS managed policy `AWSLambdaMSKExecutionRole` (v2, 2022-08-02) attached at template.json:24:25"
    ), "{text}");
    assert_eq!(json["statements"][0]["policy_kind"], "aws-managed");
    assert_eq!(json["statements"][0]["policy_version"], "v2");
}

#[test]
fn explicit_deny() {
    let (a, text, _) = ask("sqs:PurgeQueue", QUEUE);
    assert_eq!(a.exit_code(), 1);
    assert!(text.starts_with("denied (explicit)\n"));
    assert!(text.contains("denied by statement `NoPurge` of inline policy `FnRolePolicy` of `FnRole` at template.json:11:7"), "{text}");
}

#[test]
fn implicit_deny_with_a_hint() {
    let (a, text, json) = ask(
        "sqs:ReceiveMessage",
        "arn:aws:sqs:us-east-1:123456789012:other",
    );
    assert_eq!(a.exit_code(), 1);
    assert!(text.starts_with("denied (implicit)\n"));
    assert_eq!(json["near_misses"][0]["kind"], "other-resource");
    insta::assert_snapshot!(text);
}

#[test]
fn unknown() {
    let (a, text, json) = ask("sqs:SendMessage", QUEUE);
    assert_eq!(a.exit_code(), 3);
    assert!(text.starts_with("unknown\n"));
    assert!(text.contains("parameter `DlqArn` has no default"));
    assert_eq!(json["would_allow"][0]["index"], 2);
    insta::assert_snapshot!(text);
    insta::assert_json_snapshot!(json);
}

#[test]
fn notes_for_odd_requests() {
    let (a, text, _) = ask(
        "kafka:GetBootstrapBrokers",
        "arn:aws:kafka:us-east-1:123456789012:cluster/c/1",
    );
    assert_eq!(a.resource.as_literal(), Some("*"));
    assert_eq!(a.exit_code(), 0);
    assert!(text.contains("note: `kafka:GetBootstrapBrokers` supports no resource-level permissions: it is evaluated on `*`"));
}

#[test]
fn an_action_that_does_not_exist_is_a_usage_error_not_a_denial() {
    let stack = stack();
    for (action, reason) in [
        (
            "sqs:RecieveMessage",
            "--action: `sqs:RecieveMessage` is not a known action (did you mean `sqs:ReceiveMessage`?)",
        ),
        (
            "sqs",
            "--action: `sqs` is not an action (expected `service:action`)",
        ),
    ] {
        let e = answer(&[&stack], "FnRole", action, QUEUE, false).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert_eq!(e.to_string(), reason);
    }
    // A pattern that matches actions is a question about those actions.
    assert!(answer(&[&stack], "FnRole", "sqs:Receive*", QUEUE, false).is_ok());
}

#[test]
fn pseudo_parameters_in_the_resource() {
    let r = parse_resource("arn:${AWS::Partition}:sqs:${AWS::Region}:${Other}:q");
    assert_eq!(r.symbols().count(), 2);
    assert!(r.to_string().contains("${Other}"));
    let (a, _, _) = ask(
        "sqs:ReceiveMessage",
        "arn:aws:sqs:${AWS::Region}:123456789012:orders",
    );
    assert!(matches!(a.decision, Decision::Unknown { .. }));
}

#[test]
fn role_lookup() {
    let s = stack();
    let other = stack();
    assert!(answer(&[&s], "fn-role", "sqs:ReceiveMessage", QUEUE, false).is_ok());
    assert!(
        answer(
            &[&s],
            "arn:aws:iam::123456789012:role/fn-role",
            "sqs:ReceiveMessage",
            QUEUE,
            false
        )
        .is_ok()
    );
    let missing = answer(&[&s], "Fn", "sqs:ReceiveMessage", QUEUE, false).unwrap_err();
    assert_eq!(missing.exit_code(), 2);
    assert_eq!(
        missing.to_string(),
        "no role `Fn` in the inputs (did you mean `FnRole`?)"
    );
    let ambiguous =
        answer(&[&s, &other], "FnRole", "sqs:ReceiveMessage", QUEUE, false).unwrap_err();
    let f = file();
    assert_eq!(
        ambiguous.message(|_| Some(&f)),
        "role `FnRole` is ambiguous: `FnRole` in template.json, `FnRole` in template.json; name the input file"
    );
}

#[test]
fn pseudo_parameters_take_the_values_the_stack_knows() {
    let mut s = stack();
    s.env.partition = Some("aws".into());
    s.env.account = Some("123456789012".into());
    let a = answer(
        &[&s],
        "FnRole",
        "sqs:ReceiveMessage",
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders",
        false,
    )
    .unwrap();
    // The region stays a symbol: the stack does not know it.
    assert_eq!(
        a.resource.to_string(),
        "arn:aws:sqs:${AWS::Region}:123456789012:orders"
    );
    assert!(matches!(a.decision, Decision::Unknown { .. }));
    s.env.region = Some("us-east-1".into());
    let a = answer(
        &[&s],
        "FnRole",
        "sqs:ReceiveMessage",
        "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders",
        false,
    )
    .unwrap();
    assert_eq!(a.resource.as_literal(), Some(QUEUE));
    assert_eq!(a.exit_code(), 0);
}
