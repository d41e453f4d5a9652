//! Whole-application benchmark: a CDK cloud assembly of 20 stacks × 50 resources, generated
//! here, each stack consuming queues that the previous one exports (so every stack but the
//! first is read again with its imports). Prints the in-process audit time and the whole
//! `permgate check` process time (median); never fails on time. Run with
//! `cargo bench --bench assembly`; `PERMGATE_BENCH_RUNS` sets the number of timed runs.

#![allow(
    clippy::expect_used,
    reason = "benchmark code: a failure to write its inputs ends it"
)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};

const STACKS: usize = 20;
/// Five resources per group: queue, role, policy, function, mapping.
const GROUPS: usize = 10;

mod common;

use common::median;

fn runs() -> usize {
    common::runs(15)
}

fn export_name(stack: usize, group: usize) -> String {
    format!("Stack{stack}:ExportsOutputFnGetAttQueue{group}Arn")
}

/// One stack: its queues exported; its mappings poll the previous stack's queues (the first
/// stack's, its own), with a role policy on the same value.
fn template(stack: usize) -> Value {
    let mut resources = serde_json::Map::new();
    let mut outputs = serde_json::Map::new();
    for g in 0..GROUPS {
        let path =
            |name: &str| json!({ "aws:cdk:path": format!("Stack{stack}/{name}{g}/Resource") });
        resources.insert(
            format!("Queue{g}"),
            json!({ "Type": "AWS::SQS::Queue", "Metadata": path("Queue") }),
        );
        outputs.insert(
            format!("ExportsOutputFnGetAttQueue{g}Arn"),
            json!({
                "Value": { "Fn::GetAtt": [format!("Queue{g}"), "Arn"] },
                "Export": { "Name": export_name(stack, g) }
            }),
        );
        let source = if stack == 0 {
            json!({ "Fn::GetAtt": [format!("Queue{g}"), "Arn"] })
        } else {
            json!({ "Fn::ImportValue": export_name(stack - 1, g) })
        };
        resources.insert(
            format!("Role{g}"),
            json!({
                "Type": "AWS::IAM::Role",
                "Properties": { "AssumeRolePolicyDocument": { "Version": "2012-10-17", "Statement": [
                    { "Effect": "Allow", "Principal": { "Service": "lambda.amazonaws.com" }, "Action": "sts:AssumeRole" }
                ] } },
                "Metadata": path("Role")
            }),
        );
        // Every other group lacks `sqs:DeleteMessage`: the run has findings to report.
        let mut actions = vec!["sqs:ReceiveMessage", "sqs:GetQueueAttributes"];
        if g % 2 == 0 {
            actions.push("sqs:DeleteMessage");
        }
        resources.insert(
            format!("Policy{g}"),
            json!({
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": format!("Policy{g}"),
                    "Roles": [{ "Ref": format!("Role{g}") }],
                    "PolicyDocument": { "Version": "2012-10-17", "Statement": [
                        { "Effect": "Allow", "Action": actions, "Resource": source.clone() }
                    ] }
                },
                "Metadata": path("Policy")
            }),
        );
        resources.insert(
            format!("Function{g}"),
            json!({
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "nodejs22.x", "Handler": "index.handler",
                    "Code": { "ZipFile": "exports.handler = async () => {};" },
                    "Role": { "Fn::GetAtt": [format!("Role{g}"), "Arn"] }
                },
                "DependsOn": [format!("Policy{g}")],
                "Metadata": path("Function")
            }),
        );
        resources.insert(
            format!("Mapping{g}"),
            json!({
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": { "EventSourceArn": source, "FunctionName": { "Ref": format!("Function{g}") } },
                "Metadata": path("Mapping")
            }),
        );
    }
    json!({ "Resources": resources, "Outputs": outputs })
}

fn write_assembly(dir: &Path) {
    std::fs::create_dir_all(dir).expect("create the assembly directory");
    let mut artifacts = serde_json::Map::new();
    for s in 0..STACKS {
        let file = format!("Stack{s}.template.json");
        let text = serde_json::to_string_pretty(&template(s)).expect("serialize");
        std::fs::write(dir.join(&file), text).expect("write a template");
        artifacts.insert(
            format!("Stack{s}"),
            json!({
                "type": "aws:cloudformation:stack",
                "environment": "aws://unknown-account/unknown-region",
                "properties": { "templateFile": file },
                "displayName": format!("Stack{s}")
            }),
        );
    }
    let manifest = json!({ "version": "55.0.0", "artifacts": artifacts });
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&manifest).expect("serialize"),
    )
    .expect("write the manifest");
}

fn main() {
    let dir = std::env::temp_dir().join(format!("permgate-bench-assembly-{}", std::process::id()));
    let out = dir.join("cdk.out");
    write_assembly(&out);
    let paths = [out.clone()];
    let report = permgate::audit(&paths);
    let summary = report.summary();
    let in_process = median(
        (0..runs())
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(permgate::audit(&paths));
                start.elapsed()
            })
            .collect(),
    );
    let binary = env!("CARGO_BIN_EXE_permgate");
    let whole = median(
        (0..runs())
            .map(|_| {
                let start = Instant::now();
                let status = Command::new(binary)
                    .args(["check", "--format", "json"])
                    .arg(&out)
                    .output()
                    .expect("run permgate");
                std::hint::black_box(status);
                start.elapsed()
            })
            .collect(),
    );
    println!(
        "assembly: {STACKS} stacks × {} resources ({} files audited, {} errors): audit {:.1} ms, whole process {:.1} ms (median of {})",
        GROUPS * 5,
        summary.files_audited,
        summary.errors,
        in_process.as_secs_f64() * 1000.0,
        whole.as_secs_f64() * 1000.0,
        runs()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
