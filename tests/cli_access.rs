//! `permgate access` end to end: the built binary on the templates of `testdata/access/`,
//! asserting exit codes, the first line (the decision) and the deciding statements.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::process::{Command, Output};

/// `arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders`: the queue of the
/// fixture as its `!GetAtt Queue.Arn` names it.
const ORDERS: &str = "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:orders";
const TEMPLATE: &str = "testdata/access/orders.yaml";

fn permgate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_permgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn access(args: &[&str]) -> Run {
    let mut all = vec!["access"];
    all.extend_from_slice(args);
    let out = permgate(&all);
    Run {
        code: out.status.code().unwrap(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

#[test]
fn allowed() {
    let r = access(&[
        "FnRole",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        ORDERS,
        TEMPLATE,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(first_line(&r.stdout), "allowed");
    assert!(
        r.stdout.contains(
            "allowed by statement `Poll` of inline policy `Poll` of `FnRole` at testdata/access/orders.yaml:23:17"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn the_resource_defaults_to_star() {
    let r = access(&["FnRole", "--action", "xray:PutTraceSegments", TEMPLATE]);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(first_line(&r.stdout), "allowed");
    assert!(
        r.stdout
            .contains("may perform `xray:PutTraceSegments` on `*`")
    );
}

#[test]
fn explicit_deny() {
    let r = access(&[
        "FnRole",
        "--action",
        "sqs:PurgeQueue",
        "--resource",
        ORDERS,
        TEMPLATE,
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(first_line(&r.stdout), "denied (explicit)");
    assert!(r.stdout.contains(
        "denied by statement `NoPurge` of inline policy `Poll` of `FnRole` at testdata/access/orders.yaml:27:17"
    ));
}

#[test]
fn implicit_deny_with_a_near_miss() {
    let r = access(&[
        "FnRole",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:other",
        TEMPLATE,
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(first_line(&r.stdout), "denied (implicit)");
    assert_eq!(
        r.stdout.lines().nth(2).unwrap(),
        "  hint: statement `Poll` of inline policy `Poll` of `FnRole` at testdata/access/orders.yaml:23:17 allows the action on `arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:orders`"
    );
}

#[test]
fn unknown_when_a_managed_policy_is_elsewhere() {
    // By role name: `TeamRole` is `team-role`.
    let r = access(&[
        "team-role",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        ORDERS,
        TEMPLATE,
    ]);
    assert_eq!(r.code, 3);
    assert_eq!(first_line(&r.stdout), "unknown");
    assert!(r.stdout.contains(
        "because managed policy `arn:aws:iam::123456789012:policy/team-permissions` is not in the input"
    ));
}

#[test]
fn role_not_found_suggests_similar_roles() {
    let r = access(&["FnRol", "--action", "sqs:ReceiveMessage", TEMPLATE]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "permgate: no role `FnRol` in the inputs (did you mean `FnRole`?)\n"
    );
}

#[test]
fn an_action_that_does_not_exist_is_a_usage_error() {
    let r = access(&["FnRole", "--action", "sqs:RecieveMessage", TEMPLATE]);
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "permgate: --action: `sqs:RecieveMessage` is not a known action (did you mean `sqs:ReceiveMessage`?)\n"
    );
}

#[test]
fn unreadable_inputs_are_reported_and_the_others_answer() {
    let r = access(&[
        "FnRole",
        "--action",
        "sqs:PurgeQueue",
        "--resource",
        ORDERS,
        "testdata/access",
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(first_line(&r.stdout), "denied (explicit)");
    assert_eq!(
        r.stderr,
        "permgate: testdata/access/broken.yaml:7:13: `Fn::GetAtt` needs `Resource.Attribute` or `[Resource, Attribute]`\n"
    );
    // The role may be in the file that cannot be read: say so.
    let r = access(&["Missing", "--action", "sqs:PurgeQueue", "testdata/access"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .ends_with("permgate: no role `Missing` in the inputs; 1 input could not be read\n"),
        "{}",
        r.stderr
    );
}

#[test]
fn json_output() {
    let r = access(&[
        "FnRole",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:other",
        "--format",
        "json",
        TEMPLATE,
    ]);
    assert_eq!(r.code, 1);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["decision"], "denied (implicit)");
    assert_eq!(json["near_misses"][0]["kind"], "other-resource");
    assert_eq!(json["near_misses"][0]["statement"]["line"], 23);
    insta::assert_json_snapshot!(json);
}

#[test]
fn usage_errors_exit_with_2() {
    let out = permgate(&["access", "FnRole", TEMPLATE]);
    assert_eq!(out.status.code(), Some(2), "`--action` is required");
}

const KEY_POLICY: &str = "testdata/access/key-policy.yaml";
const KEY: &str = "arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/${Key.KeyId}";
const JOBS: &str = "arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:jobs";

#[test]
fn a_key_policy_that_names_neither_the_role_nor_the_account_blocks_it() {
    let r = access(&[
        "ConsumerRole",
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
        KEY_POLICY,
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(first_line(&r.stdout), "denied (implicit)");
    assert!(
        r.stdout.contains(
            "the key policy of `Key` at testdata/access/key-policy.yaml:11:3 neither names role `ConsumerRole` nor allows its account"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("hint: statement `Decrypt` of inline policy `decrypt` of `ConsumerRole` at testdata/access/key-policy.yaml:43:17 allows it, but the key policy does not let identity policies count"),
        "{}",
        r.stdout
    );
    // The identity-only view: the role's own statement allows it.
    let r = access(&[
        "ConsumerRole",
        "--action",
        "kms:Decrypt",
        "--resource",
        KEY,
        "--ignore-resource-policies",
        KEY_POLICY,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(first_line(&r.stdout), "allowed");
    assert!(
        r.stdout.contains("--ignore-resource-policies"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_queue_policy_naming_the_role_allows_it() {
    let r = access(&[
        "ConsumerRole",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        JOBS,
        KEY_POLICY,
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "allowed by statement `Consumer` of queue policy `QueuePolicy` of `Queue` at testdata/access/key-policy.yaml:28:13"
        ),
        "{}",
        r.stdout
    );
    let r = access(&[
        "ConsumerRole",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        JOBS,
        "--ignore-resource-policies",
        KEY_POLICY,
    ]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(first_line(&r.stdout), "denied (implicit)");
}

const DEFAULTS: &str = "testdata/access/defaults.yaml";

#[test]
fn an_answer_that_rests_on_a_parameter_default_says_so() {
    let r = access(&[
        "PollerRole",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        ORDERS,
        DEFAULTS,
    ]);
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    assert_eq!(first_line(&r.stdout), "unknown");
    assert!(
        r.stdout.contains(
            "because this holds only if deployed with the default `QueueName` = `orders`"
        ),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "may be allowed by statement `Poll` of inline policy `Poll` of `PollerRole` at testdata/access/defaults.yaml:24:17"
        ),
        "{}",
        r.stdout
    );
    // Given the deploy's value, the answer is certain.
    let r = access(&[
        "PollerRole",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        ORDERS,
        DEFAULTS,
        "--parameter-overrides",
        "QueueName=orders",
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(first_line(&r.stdout), "allowed");
    // An answer that holds whatever the value is stays certain.
    let r = access(&["PollerRole", "--action", "xray:PutTraceSegments", DEFAULTS]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(first_line(&r.stdout), "allowed");
}

#[test]
fn region_and_account_fix_the_pseudo_parameters() {
    // A literal ARN against `!GetAtt Queue.Arn`: unknown while the region and account are
    // symbolic, decided when `--region` and `--account` fix them.
    let literal = "arn:aws:sqs:eu-west-1:111122223333:orders";
    let base = [
        "FnRole",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        literal,
    ];
    let run = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        args.push(TEMPLATE);
        access(&args)
    };
    let r = run(&[]);
    assert_eq!(
        (r.code, first_line(&r.stdout)),
        (3, "unknown"),
        "{}",
        r.stdout
    );
    let r = run(&["--region", "eu-west-1", "--account", "111122223333"]);
    assert_eq!(
        (r.code, first_line(&r.stdout)),
        (0, "allowed"),
        "{}",
        r.stdout
    );
    let r = run(&["--region", "us-east-1", "--account", "111122223333"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    // `inventory` reads the inputs the same way.
    let out = permgate(&[
        "inventory",
        "--region",
        "eu-west-1",
        "--account",
        "111122223333",
        TEMPLATE,
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(literal), "{text}");
    let out = permgate(&["inventory", TEMPLATE]);
    assert!(!String::from_utf8(out.stdout).unwrap().contains(literal));
}

#[test]
fn a_terraform_module_without_a_plan_is_read_from_its_source() {
    // As `check` reads it: the variable's value is the last auto tfvars file's (`orders`).
    let run = access(&[
        "aws_iam_role.consumer",
        "--action",
        "sqs:ReceiveMessage",
        "--resource",
        "arn:aws:sqs:us-east-1:111122223333:orders",
        "testdata/tfmodule/variables",
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(first_line(&run.stdout), "allowed");
    assert!(
        run.stdout.contains(
            "allowed by statement #1 of policy `read-orders` of `aws_iam_role_policy.consumer`"
        ),
        "{}",
        run.stdout
    );
    let out = permgate(&[
        "inventory",
        "--format",
        "text",
        "testdata/tfmodule/variables",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("role aws_iam_role.consumer (1 policies, 0 managed)"),
        "{text}"
    );
}
