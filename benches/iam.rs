//! Evaluation speed of the IAM engine: a role with 50 statements (literal and symbolic ARNs,
//! wildcards, `NotAction`, conditions, an AWS managed policy) against 20 requests. Prints the
//! time per evaluation; never fails on time.

use std::hint::black_box;
use std::time::Instant;

use permgate::iam::access::parse_resource;
use permgate::iam::eval::{PolicySet, Request};
use permgate::model::{
    Existence, Located, MapKey, Origin, Policy, PolicyDocument, PolicySource, Role, SymStr, Value,
    ValueKind,
};
use serde_json::json;

/// JSON → model value, with `${AWS::…}` in strings as pseudo-parameter symbols.
fn value(json: &serde_json::Value) -> Value {
    let kind = match json {
        serde_json::Value::String(s) => ValueKind::Str(parse_resource(s)),
        serde_json::Value::Array(items) => ValueKind::List(items.iter().map(value).collect()),
        serde_json::Value::Object(map) => ValueKind::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        MapKey {
                            text: k.clone(),
                            span: None,
                        },
                        value(v),
                    )
                })
                .collect(),
        ),
        other => return Value::from_json(other),
    };
    Value { kind, span: None }
}

fn statements() -> Vec<serde_json::Value> {
    let services = ["sqs", "kinesis", "dynamodb", "kafka", "logs"];
    let mut out = Vec::new();
    for (i, service) in services.iter().cycle().take(50).enumerate() {
        let statement = match i % 5 {
            0 => json!({"Sid": format!("S{i}"), "Effect": "Allow",
                "Action": [format!("{service}:Get*"), format!("{service}:Describe*"), format!("{service}:List*")],
                "Resource": format!("arn:aws:{service}:us-east-1:123456789012:thing-{i}")}),
            1 => json!({"Effect": "Allow", "Action": format!("{service}:*"),
                "Resource": format!("arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:thing-{i}/*")}),
            2 => json!({"Effect": "Deny", "Action": format!("{service}:Delete*"),
                "Resource": format!("arn:aws:{service}:*:*:*protected*{i}*")}),
            3 => json!({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"],
                "Resource": format!("arn:aws:{service}:eu-west-1:123456789012:*"),
                "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}),
            _ => {
                json!({"Effect": "Allow", "Action": [format!("{service}:ReceiveMessage"), format!("{service}:GetRecords")],
                "Resource": [format!("arn:aws:{service}:us-east-1:123456789012:a{i}"), format!("arn:aws:{service}:us-east-1:123456789012:b{i}")]})
            }
        };
        out.push(statement);
    }
    out
}

fn role() -> Role {
    let docs: Vec<Policy> = statements()
        .chunks(10)
        .enumerate()
        .map(|(i, chunk)| Policy {
            origin: Origin::new("Role", None),
            existence: Existence::Always,
            name: format!("Policy{i}"),
            source: PolicySource::Inline,
            document: PolicyDocument {
                value: value(&json!({"Version": "2012-10-17", "Statement": chunk})).into(),
            },
        })
        .collect();
    Role {
        origin: Origin::new("Role", None),
        existence: Existence::Always,
        name: SymStr::lit("role"),
        arn: SymStr::lit("arn:aws:iam::123456789012:role/role"),
        path: None,
        trust_policy: None,
        policies: docs,
        managed_policy_arns: vec![Located::new(
            SymStr::lit("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole"),
            None,
        )],
        permissions_boundary: None,
        sam_generated: false,
    }
}

fn requests() -> Vec<(String, SymStr)> {
    let mut out = Vec::new();
    for i in 0..20 {
        let (action, resource) = match i % 5 {
            0 => (
                "sqs:ReceiveMessage",
                format!("arn:aws:sqs:us-east-1:123456789012:a{}", i * 2),
            ),
            1 => (
                "kinesis:GetRecords",
                format!("arn:aws:kinesis:${{AWS::Region}}:${{AWS::AccountId}}:thing-{i}/x"),
            ),
            2 => (
                "dynamodb:DeleteItem",
                format!("arn:aws:dynamodb:us-east-1:123456789012:protected-{i}"),
            ),
            3 => (
                "kafka:DescribeClusterV2",
                format!("arn:aws:kafka:eu-west-1:123456789012:cluster/c{i}/uuid"),
            ),
            _ => (
                "logs:PutLogEvents",
                format!("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f{i}:*"),
            ),
        };
        out.push((action.to_string(), parse_resource(&resource)));
    }
    out
}

// The same allocator as the binary, so the figures are the ones users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let role = role();
    let start = Instant::now();
    let known = permgate::aws::actions::lookup("sqs:ReceiveMessage");
    let catalogue = start.elapsed();
    black_box(known);
    let start = Instant::now();
    black_box(PolicySet::for_role(&role));
    let first_build = start.elapsed();
    let start = Instant::now();
    let set = PolicySet::for_role(&role);
    let build = start.elapsed();
    println!(
        "iam: action catalogue loaded in {:.2} ms (once per run)",
        catalogue.as_secs_f64() * 1e3
    );
    println!(
        "iam: first policy set built in {:.1} µs (parses the embedded managed policy)",
        first_build.as_secs_f64() * 1e6
    );
    let requests = requests();
    let rounds = 200;
    let start = Instant::now();
    let mut allowed = 0usize;
    for _ in 0..rounds {
        for (action, resource) in &requests {
            let decision = set.evaluate(black_box(&Request { action, resource }));
            allowed += usize::from(decision.is_allowed());
        }
    }
    let elapsed = start.elapsed();
    let evaluations = rounds * requests.len();
    println!(
        "iam: policy set of 50 statements + 1 managed policy built in {:.1} µs",
        build.as_secs_f64() * 1e6
    );
    println!(
        "iam: {evaluations} evaluations in {:.1} ms, {:.2} µs per evaluation ({} allowed per round)",
        elapsed.as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e6 / evaluations as f64,
        allowed / rounds
    );
}
