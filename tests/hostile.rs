//! Hostile and broken input through the built binary: no panic, no hang, no blow-up, no
//! injection, never fail open. Each test is one class of input that once got through: the run
//! must end with a located error (exit 2) or the same findings as the well-formed input, and the
//! other files of the run must still be audited.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn permgate(args: &[&str]) -> Output {
    permgate_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn permgate_in(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_permgate"))
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes on threads so that a large output cannot block the child, and give up
    // (killing it) after a minute: a hang is a failure, not a stuck test run.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).unwrap();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        stderr.read_to_end(&mut v).unwrap();
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("permgate {args:?} did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh, empty directory for one test, removed when the test ends.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("permgate-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

/// `check --format json` of `paths`: the exit code and the report.
fn check_json(dir: &Path, paths: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(paths);
    let out = permgate_in(dir, &args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    (code(&out), report)
}

/// The messages of the unreadable files of a JSON report.
fn input_errors(report: &serde_json::Value) -> Vec<String> {
    report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "error")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// A template with one mapping whose role lacks `sqs:DeleteMessage` (one PG101 error), as
/// minified JSON; `pad` is written before it in `Description`.
fn json_template(pad: &str) -> String {
    format!(
        r#"{{"Description":"{pad}","Resources":{{"Queue":{{"Type":"AWS::SQS::Queue"}},"Role":{{"Type":"AWS::IAM::Role","Properties":{{"AssumeRolePolicyDocument":{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"lambda.amazonaws.com"}},"Action":"sts:AssumeRole"}}]}},"ManagedPolicyArns":["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],"Policies":[{{"PolicyName":"poll","PolicyDocument":{{"Statement":[{{"Effect":"Allow","Action":["sqs:ReceiveMessage","sqs:GetQueueAttributes"],"Resource":{{"Fn::GetAtt":["Queue","Arn"]}}}}]}}}}]}}}},"Fn":{{"Type":"AWS::Lambda::Function","Properties":{{"Runtime":"python3.12","Handler":"index.handler","Code":{{"ZipFile":"x"}},"Role":{{"Fn::GetAtt":["Role","Arn"]}}}}}},"Mapping":{{"Type":"AWS::Lambda::EventSourceMapping","Properties":{{"FunctionName":{{"Ref":"Fn"}},"EventSourceArn":{{"Fn::GetAtt":["Queue","Arn"]}}}}}}}}}}"#
    )
}

const SQS_PLAN: &str = "testdata/checks/PG101-esm-sqs-permissions/fail-missing-delete-plan.json";

fn sqs_plan() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SQS_PLAN);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// 1. The text report past miette's column limit.

#[test]
fn a_finding_past_column_65535_is_reported_without_a_snippet() {
    let dir = scratch("wide");
    std::fs::write(dir.join("wide.json"), json_template(&"x".repeat(71_000))).unwrap();
    let out = permgate_in(&dir, &["check", "wide.json"]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 1, "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("error[PG101]"), "{stdout}");
    // The line and column stand in for the snippet.
    assert!(stdout.contains("--> wide.json:1:"), "{stdout}");
    assert!(stdout.contains("1 error, 0 warnings"), "{stdout}");
}

#[test]
fn a_syntax_error_after_a_line_of_tabs_is_reported() {
    let dir = scratch("tabs");
    let tabs = format!("a: 1\n{}b: [\n", "\t".repeat(16_385));
    std::fs::write(dir.join("tabs.yaml"), tabs).unwrap();
    let out = permgate_in(&dir, &["check", "tabs.yaml"]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 2, "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("error[PG001]"), "{stdout}");
    assert!(stdout.contains("1 unreadable"), "{stdout}");
}

// 2. Special files.

#[cfg(unix)]
#[test]
fn a_fifo_named_on_the_command_line_is_refused_without_blocking() {
    let dir = scratch("fifo");
    let made = Command::new("mkfifo").arg(dir.join("pipe.yaml")).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo is not available; skipped");
        return;
    }
    std::fs::write(dir.join("t.json"), json_template("")).unwrap();
    let (code, report) = check_json(&dir, &["pipe.yaml", "t.json"]);
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["files_audited"], 1, "{report}");
    assert!(
        input_errors(&report)
            .iter()
            .any(|m| m.contains("not a regular file")),
        "{report}"
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_is_refused_before_reading() {
    let started = Instant::now();
    let out = permgate(&["check", "/dev/zero"]);
    assert_eq!(code(&out), 2);
    assert!(text(&out.stdout).contains("not a regular file"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

// 3. Amplification.

#[test]
fn a_large_aliased_string_is_a_located_error_and_the_other_files_are_audited() {
    let dir = scratch("alias");
    let mut yaml = format!(
        "AWSTemplateFormatVersion: '2010-09-09'\nBig: &big \"{}\"\nCopies: [",
        "x".repeat(1 << 20)
    );
    for _ in 0..3_000 {
        yaml.push_str("*big, ");
    }
    yaml.push_str("]\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n");
    std::fs::write(dir.join("a-bomb.yaml"), yaml).unwrap();
    std::fs::write(dir.join("b.json"), json_template("")).unwrap();
    let (code, report) = check_json(&dir, &["."]);
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["files_audited"], 1, "{report}");
    assert_eq!(report["summary"]["errors"], 1, "{report}");
    let errors = input_errors(&report);
    assert!(
        errors[0].starts_with("alias expansion exceeds 33554432 bytes"),
        "{errors:?}"
    );
}

#[test]
fn globals_copied_into_many_functions_are_bounded() {
    let dir = scratch("globals");
    let mut yaml = format!(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Environment:\n      Variables:\n        BIG: \"{}\"\nResources:\n",
        "x".repeat(1 << 20)
    );
    for i in 0..40 {
        yaml.push_str(&format!(
            "  F{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      InlineCode: x\n"
        ));
    }
    std::fs::write(dir.join("globals.yaml"), yaml).unwrap();
    let (code, report) = check_json(&dir, &["globals.yaml"]);
    assert_eq!(code, 2, "{report}");
    let errors = input_errors(&report);
    assert!(
        errors[0].contains("merging `Globals` into the resources copies more than"),
        "{errors:?}"
    );
}

// 4. Escaping of every human-readable output.

/// No escape character, bell, or line that a GitHub runner would execute as a command.
fn assert_inert(output: &str) {
    assert!(
        !output.contains(['\u{1b}', '\u{7}', '\u{9b}']),
        "control character in {output:?}"
    );
    for line in output.lines() {
        assert!(
            !line.trim_start().starts_with("::"),
            "workflow command line {line:?} in {output:?}"
        );
    }
}

const HOSTILE_ID: &str = r"Fn\u001b]8;;https://example.com\u0007x\u001b]8;;\u0007\n::error::pwned";

#[test]
fn inventory_text_escapes_ids_and_paths() {
    let dir = scratch("inventory");
    let template = format!(
        r#"{{"Resources":{{"{HOSTILE_ID}":{{"Type":"AWS::Lambda::Function","Properties":{{"Role":"arn:aws:iam::123456789012:role/r\n::add-mask::x"}}}}}}}}"#
    );
    std::fs::write(dir.join("::error::x.json"), &template).unwrap();
    let out = permgate_in(&dir, &["inventory", "--format", "text", "::error::x.json"]);
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 0, "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("function Fn\\u{1b}]8;;"), "{stdout}");
    assert_inert(&stdout);
}

#[test]
fn access_escapes_a_line_break_in_a_sid() {
    let dir = scratch("access");
    let template = r#"{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{
        "AssumeRolePolicyDocument":{"Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},
        "Policies":[{"PolicyName":"p\u001b[2J","PolicyDocument":{"Statement":[
          {"Sid":"x\n::error::pwned","Effect":"Allow","Action":"sqs:ReceiveMessage","Resource":"*"}]}}]}}}}"#;
    std::fs::write(dir.join("t.json"), template).unwrap();
    let out = permgate_in(
        &dir,
        &["access", "R", "--action", "sqs:ReceiveMessage", "t.json"],
    );
    let stdout = text(&out.stdout);
    assert_eq!(code(&out), 0, "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("x\\n::error::pwned"), "{stdout}");
    assert_inert(&stdout);
}

#[test]
fn messages_on_stderr_escape_ids_paths_and_arguments() {
    let dir = scratch("stderr");
    let role = r#"{"Resources":{"R":{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{"Statement":[]}}}}}"#;
    let hostile_name = "a\u{1b}[31m\n::error::x.json";
    std::fs::write(dir.join(hostile_name), role).unwrap();
    std::fs::write(dir.join("b.json"), role).unwrap();
    // The role is in both files: ambiguous, with both paths in the message.
    let out = permgate_in(
        &dir,
        &[
            "access",
            "R",
            "--action",
            "sqs:ReceiveMessage",
            hostile_name,
            "b.json",
        ],
    );
    assert_eq!(code(&out), 2);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("is ambiguous"), "{stderr}");
    assert_inert(&stderr);
    // No such role, and no such check: the argument is echoed escaped.
    let out = permgate_in(
        &dir,
        &[
            "access",
            "\u{1b}]8;;x\u{7}",
            "--action",
            "sqs:ReceiveMessage",
            "b.json",
        ],
    );
    assert_eq!(code(&out), 2);
    assert!(text(&out.stderr).contains("no role `\\u{1b}]8;;x\\u{7}`"));
    assert_inert(&text(&out.stderr));
    let out = permgate(&["explain", "\u{1b}[31mPG\n::error::x"]);
    assert_eq!(code(&out), 2);
    assert_inert(&text(&out.stderr));
    assert!(text(&out.stderr).contains("no check `\\u{1b}[31mPG\\n::error::x`"));
}

// 5. Broken input is never audited as fine.

/// `check --format json` of one file written into a scratch directory.
fn check_one(name: &str, file: &str, content: &str) -> (i32, serde_json::Value) {
    let dir = scratch(name);
    std::fs::write(dir.join(file), content).unwrap();
    check_json(&dir, &[file])
}

fn assert_input_error(name: &str, file: &str, content: &str, expected: &str) {
    let (code, report) = check_one(name, file, content);
    assert_eq!(code, 2, "{report}");
    let errors = input_errors(&report);
    assert!(
        errors.iter().any(|m| m.contains(expected)),
        "expected `{expected}` in {errors:?}"
    );
    // Located: a line and column in the file.
    let located = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["status"] == "error" && f["line"].is_u64());
    let plan = file.ends_with("plan.json");
    assert!(located || plan, "not located: {report}");
}

#[test]
fn a_resource_without_type_in_a_template_without_version_is_an_error() {
    let yaml = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Broken:\n    Properties: {}\n";
    assert_input_error("notype", "t.yaml", yaml, "resource `Broken` has no `Type`");
    // Found by walking too.
    let dir = scratch("notype-walk");
    std::fs::write(dir.join("t.yaml"), yaml).unwrap();
    let (code, report) = check_json(&dir, &["."]);
    assert_eq!(code, 2);
    assert_eq!(report["summary"]["files_error"], 1, "{report}");
}

const FUNCTION_WITH_ROLE: &str = "  R:\n    Type: AWS::IAM::Role\n    Properties:\n      AssumeRolePolicyDocument: {Statement: []}\n";

#[test]
fn circular_references_are_errors() {
    assert_input_error(
        "self-ref",
        "t.yaml",
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Role: !Ref Fn\n",
        "resource `Fn` refers to itself",
    );
    assert_input_error(
        "self-getatt",
        "t.yaml",
        "Resources:\n  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !GetAtt Map.FunctionArn\n",
        "resource `Map` refers to itself",
    );
    assert_input_error(
        "depends-cycle",
        "t.yaml",
        &format!(
            "Resources:\n{FUNCTION_WITH_ROLE}    DependsOn: Q\n  Q:\n    Type: AWS::SQS::Queue\n    DependsOn: [R]\n"
        ),
        "circular dependency between resources: `R` → `Q` → `R`",
    );
    assert_input_error(
        "sub-cycle",
        "t.yaml",
        "Resources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${B.QueueName}-a'\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Sub '${A.QueueName}-b'\n",
        "circular dependency between resources: `A` → `B` → `A`",
    );
    assert_input_error(
        "dangling",
        "t.yaml",
        &format!("Resources:\n{FUNCTION_WITH_ROLE}    DependsOn: [Nope]\n"),
        "`DependsOn` of resource `R` names `Nope`, which is not a resource",
    );
    assert_input_error(
        "default-ref",
        "t.yaml",
        &format!(
            "Parameters:\n  P:\n    Type: String\n    Default: !Ref P\nResources:\n{FUNCTION_WITH_ROLE}"
        ),
        "the `Default` of parameter `P` calls `Ref`",
    );
}

#[test]
fn references_under_a_condition_are_not_a_cycle() {
    // Which branch of `Fn::If` exists depends on the condition: never a confident error.
    let yaml = "Conditions:\n  C: !Equals [a, b]\nResources:\n  A:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !If [C, !GetAtt B.QueueName, a]\n  B:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !GetAtt A.QueueName\n";
    let (code, report) = check_one("if-cycle", "t.yaml", yaml);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["files_audited"], 1);
}

#[test]
fn a_transformed_template_may_depend_on_generated_resources() {
    // SAM generates `FnRole`; `DependsOn` naming it is fine, and not known before the transform.
    let yaml = "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      InlineCode: x\n  Q:\n    Type: AWS::SQS::Queue\n    DependsOn: FnRole\n";
    let (code, report) = check_one("sam-depends", "t.yaml", yaml);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["files_audited"], 1);
}

/// The PG101 plan fixture as text with keys sorted and a `configuration` of over 1 MiB first.
fn sorted_plan_with_large_configuration() -> String {
    let plan = sqs_plan();
    let mut config = plan["configuration"].clone();
    config["root_module"]["variables"] =
        serde_json::json!({ "pad": { "default": "x".repeat(1_200_000) } });
    let mut keys: Vec<&String> = plan.as_object().unwrap().keys().collect();
    keys.sort();
    let mut text = String::from("{");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let value = if *k == "configuration" {
            &config
        } else {
            &plan[k.as_str()]
        };
        text.push_str(&format!("{}:{}", serde_json::to_string(k).unwrap(), value));
    }
    text.push('}');
    assert!(text.find("\"format_version\"").unwrap() > 1 << 20);
    text
}

#[test]
fn a_plan_cannot_hide_behind_a_large_configuration() {
    let (code, report) = check_one(
        "sorted-plan",
        "plan.json",
        &sorted_plan_with_large_configuration(),
    );
    assert_eq!(code, 1, "{report}");
    assert_eq!(report["findings"][0]["check"], "PG101", "{report}");
}

#[test]
fn a_numeric_format_version_is_an_error() {
    let mut plan = sqs_plan();
    plan["format_version"] = serde_json::json!(1.2);
    assert_input_error(
        "numeric-version",
        "plan.json",
        &plan.to_string(),
        "invalid type: floating point `1.2`, expected a string",
    );
}

/// The address of the mapping in the PG101 plan.
const ESM: &str = "aws_lambda_event_source_mapping.orders";

fn planned_resource(plan: &mut serde_json::Value, address: &str) -> usize {
    plan["planned_values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .position(|r| r["address"] == address)
        .unwrap()
}

#[test]
fn plans_that_break_the_schema_are_errors() {
    let mut plan = sqs_plan();
    let i = planned_resource(&mut plan, ESM);
    plan["planned_values"]["root_module"]["resources"][i]["index"] = serde_json::json!(-1);
    assert_input_error(
        "index",
        "plan.json",
        &plan.to_string(),
        "the `index` of `aws_lambda_event_source_mapping.orders` in `planned_values` is a negative number",
    );

    let mut plan = sqs_plan();
    let i = planned_resource(&mut plan, ESM);
    let copy = plan["planned_values"]["root_module"]["resources"][i].clone();
    plan["planned_values"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(copy);
    assert_input_error(
        "duplicate-address",
        "plan.json",
        &plan.to_string(),
        "two resources of `planned_values` have the address `aws_lambda_event_source_mapping.orders`",
    );

    let mut plan = sqs_plan();
    for c in plan["resource_changes"].as_array_mut().unwrap() {
        if c["address"] == ESM {
            c["change"]["after_unknown"] = serde_json::json!([]);
        }
    }
    assert_input_error(
        "after-unknown",
        "plan.json",
        &plan.to_string(),
        "the `after_unknown` of `aws_lambda_event_source_mapping.orders` is not an object",
    );

    let mut plan = sqs_plan();
    for r in plan["configuration"]["root_module"]["resources"]
        .as_array_mut()
        .unwrap()
    {
        if r["address"] == ESM {
            r["expressions"]["function_name"] = serde_json::json!({ "references": 7 });
        }
    }
    assert_input_error(
        "references",
        "plan.json",
        &plan.to_string(),
        "the configuration expressions of `aws_lambda_event_source_mapping.orders` do not have the shape",
    );

    let text = sqs_plan().to_string();
    let at = text.find(&format!("\"address\":\"{ESM}\"")).unwrap();
    let values = at + text[at..].find("\"values\":{").unwrap() + "\"values\":{".len();
    let duplicated = format!(
        "{}\"batch_size\":1,\"batch_size\":2,{}",
        &text[..values],
        &text[values..]
    );
    assert_input_error(
        "duplicate-key",
        "plan.json",
        &duplicated,
        "the key `batch_size` is written twice in one object",
    );
}

// 6. A closed pipe does not change the exit code.

#[test]
fn a_closed_pipe_keeps_the_exit_code() {
    let dir = scratch("pipe");
    // Enough findings that the output outgrows any pipe buffer, and one unreadable file.
    for i in 0..300 {
        std::fs::write(dir.join(format!("t{i:03}.json")), json_template("")).unwrap();
    }
    std::fs::write(
        dir.join("zz-broken.json"),
        r#"{"Resources":{"Q":{"Type":"AWS::SQS::Queue""#,
    )
    .unwrap();
    let full = permgate_in(&dir, &["check", "."]);
    assert_eq!(code(&full), 2);
    assert!(full.stdout.len() > 1 << 18, "{}", full.stdout.len());
    let mut child = Command::new(env!("CARGO_BIN_EXE_permgate"))
        .current_dir(&*dir)
        .args(["check", "."])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // `| head -c 100`: read a little, then close the pipe.
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(2));
}

// 7. Each file once.

#[cfg(unix)]
#[test]
fn overlapping_paths_and_links_audit_each_file_once() {
    let dir = scratch("overlap");
    std::fs::create_dir_all(dir.join("d/sub")).unwrap();
    std::fs::create_dir_all(dir.join("other")).unwrap();
    std::fs::write(dir.join("d/sub/t.json"), json_template("")).unwrap();
    std::os::unix::fs::symlink("../d/sub", dir.join("other/link")).unwrap();
    let (code, report) = check_json(
        &dir,
        &["d", "d/sub", "d/sub/t.json", "other", "./d/sub/t.json"],
    );
    assert_eq!(code, 1);
    assert_eq!(report["summary"]["files_audited"], 1, "{report}");
    assert_eq!(report["summary"]["errors"], 1, "{report}");
    assert_eq!(report["files"][0]["path"], "d/sub/t.json", "{report}");
}
