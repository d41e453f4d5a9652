//! Parameter values end to end: the built binary on `testdata/parameters/`, one test per source
//! (defaults only, samconfig in TOML and YAML, `--parameters` in both shapes,
//! `--parameter-overrides`), their precedence, and the bad inputs that must stop the gate
//! (exit 2) rather than fall back to a default.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::process::Command;

const DIR: &str = "testdata/parameters";

struct Run {
    code: i32,
    report: serde_json::Value,
}

fn check(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_permgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap(),
        report: serde_json::from_slice(&out.stdout).unwrap(),
    }
}

/// The PG002 findings as `(line, severity, certainty, quoted resource value)`.
fn pg002(run: &Run) -> Vec<(u64, String, String, String)> {
    run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "PG002")
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            let value = message
                .split("resource `")
                .nth(1)
                .unwrap()
                .split('`')
                .next()
                .unwrap();
            (
                f["line"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
                f["certainty"].as_str().unwrap().to_string(),
                value.to_string(),
            )
        })
        .collect()
}

fn row(line: u64, severity: &str, certainty: &str, value: &str) -> (u64, String, String, String) {
    (line, severity.into(), certainty.into(), value.into())
}

/// The files in error as `(file name, message, line)`.
fn errors(run: &Run) -> Vec<(String, String, Option<u64>)> {
    run.report["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "error")
        .map(|f| {
            let path = f["path"].as_str().unwrap();
            (
                path.rsplit('/').next().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
                f["line"].as_u64(),
            )
        })
        .collect()
}

fn path(rel: &str) -> String {
    format!("{DIR}/{rel}")
}

#[test]
fn a_default_is_an_assumption_at_most_a_warning_naming_the_parameter() {
    let run = check(&[&path("defaults")]);
    assert_eq!(run.code, 0);
    assert_eq!(
        pg002(&run),
        vec![
            row(23, "warning", "cannot-verify", "RABBITMQ_BROKER_ARN"),
            row(27, "warning", "cannot-verify", "RABBITMQ_SECRET_ARN"),
        ]
    );
    let reason = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "PG002")
        .unwrap()["reason"]
        .as_str()
        .unwrap();
    assert!(
        reason.contains("deployed with the default `BrokerArn` = `RABBITMQ_BROKER_ARN`"),
        "{reason}"
    );
    assert!(!reason.contains("SecretArn"), "{reason}");
}

#[test]
fn a_given_value_is_certain() {
    let run = check(&[
        &path("defaults"),
        "--parameter-overrides",
        "BrokerArn=orders",
        "SecretArn='my secret'",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        pg002(&run),
        vec![
            row(23, "error", "certain", "orders"),
            row(27, "error", "certain", "my secret")
        ]
    );
}

#[test]
fn samconfig_toml_deploy_table_wins_over_global() {
    let run = check(&[&path("samconfig-toml")]);
    assert_eq!((run.code, pg002(&run)), (0, vec![]));
}

#[test]
fn samconfig_yaml_is_read_the_same_way() {
    let run = check(&[&path("samconfig-yaml")]);
    assert_eq!((run.code, pg002(&run)), (0, vec![]));
}

#[test]
fn config_env_selects_the_samconfig_environment() {
    let run = check(&[&path("samconfig-toml"), "--config-env", "staging"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        pg002(&run),
        vec![row(23, "error", "certain", "orders-broker")]
    );
}

#[test]
fn command_line_overrides_replace_samconfig_values_as_a_whole() {
    // As `sam deploy --parameter-overrides`: `SecretArn` from samconfig no longer applies.
    let run = check(&[
        &path("samconfig-toml"),
        "--parameter-overrides",
        "BrokerArn=x",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        pg002(&run),
        vec![
            row(23, "error", "certain", "x"),
            row(27, "warning", "cannot-verify", "RABBITMQ_SECRET_ARN"),
        ]
    );
}

#[test]
fn samconfig_applies_to_its_template_file_only() {
    let run = check(&[&path("named-template")]);
    assert_eq!(run.code, 0);
    let files: Vec<&str> = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "PG002")
        .map(|f| f["file"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(files, ["template.yaml", "template.yaml"]);
}

#[test]
fn parameters_files_in_both_shapes() {
    for file in ["parameters-cli.json", "parameters-codepipeline.json"] {
        let run = check(&[&path("defaults"), "--parameters", &path(file)]);
        assert_eq!((run.code, pg002(&run)), (0, vec![]), "{file}");
    }
}

#[test]
fn overrides_win_over_the_parameters_file_key_by_key() {
    let run = check(&[
        &path("defaults"),
        "--parameters",
        &path("parameters-cli.json"),
        "--parameter-overrides",
        "SecretArn=s",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(pg002(&run), vec![row(27, "error", "certain", "s")]);
}

#[test]
fn a_value_for_a_parameter_the_template_lacks_is_an_input_error() {
    let run = check(&[&path("samconfig-typo")]);
    assert_eq!(run.code, 2);
    assert_eq!(
        errors(&run),
        vec![(
            "samconfig.toml".into(),
            "`SecretArm` is not a parameter of `testdata/parameters/samconfig-typo/template.yaml`"
                .into(),
            Some(4)
        )]
    );

    let run = check(&[
        &path("defaults"),
        "--parameters",
        &path("parameters-typo.json"),
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        errors(&run),
        vec![(
            "parameters-typo.json".into(),
            "`SecretARN` is not a parameter of any template audited".into(),
            Some(3)
        )]
    );

    let run = check(&[&path("defaults"), "--parameter-overrides", "Brokr=x"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        errors(&run),
        vec![(
            "--parameter-overrides".into(),
            "`Brokr` is not a parameter of any template audited".into(),
            None
        )]
    );
}

#[test]
fn an_unknown_samconfig_environment_is_an_input_error() {
    let run = check(&[&path("samconfig-toml"), "--config-env", "prod"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        errors(&run),
        vec![(
            "samconfig.toml".into(),
            "`samconfig.toml` has no environment `prod` (`--config-env`)".into(),
            Some(1)
        )]
    );
}

#[test]
fn a_malformed_override_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_permgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            &path("defaults"),
            "--parameter-overrides",
            "A=\"open",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("--parameter-overrides: unterminated"),
        "{stderr}"
    );
}

#[test]
fn access_and_inventory_read_the_same_values_and_fail_on_a_bad_source() {
    let broker =
        "arn:aws:mq:us-east-1:123456789012:broker:orders:b-1234a5b6-78cd-901e-2fgh-3i45j6k178l9";
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_permgate"))
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let template = path("samconfig-toml/template.yaml");
    let (code, stdout, _) = run(&[
        "access",
        "ConsumerRole",
        "--action",
        "mq:DescribeBroker",
        "--resource",
        broker,
        &template,
    ]);
    assert_eq!((code, stdout.lines().next()), (0, Some("allowed")));
    let (code, stdout, _) = run(&[
        "access",
        "ConsumerRole",
        "--action",
        "mq:DescribeBroker",
        "--resource",
        broker,
        &template,
        "--config-env",
        "staging",
    ]);
    assert_eq!(
        (code, stdout.lines().next()),
        (1, Some("denied (implicit)"))
    );

    let typo = path("samconfig-typo/template.yaml");
    let expected = "permgate: testdata/parameters/samconfig-typo/samconfig.toml:4:23: `SecretArm` is not a parameter of `testdata/parameters/samconfig-typo/template.yaml`\n";
    let (code, _, stderr) = run(&[
        "access",
        "ConsumerRole",
        "--action",
        "mq:DescribeBroker",
        &typo,
    ]);
    assert_eq!((code, stderr.as_str()), (2, expected));
    let (code, _, stderr) = run(&["inventory", &typo]);
    assert_eq!((code, stderr.as_str()), (2, expected));
}

#[test]
fn the_configuration_file_gives_values_and_the_command_line_wins() {
    let dir = std::env::temp_dir().join(format!("permgate-params-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("permgate.toml");
    std::fs::write(
        &config,
        "parameter-overrides = [\"BrokerArn=orders\", \"SecretArn='my secret'\"]\n",
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let run = check(&[&path("defaults"), "--config", config]);
    assert_eq!(run.code, 1);
    assert_eq!(
        pg002(&run),
        vec![
            row(23, "error", "certain", "orders"),
            row(27, "error", "certain", "my secret")
        ]
    );
    let run = check(&[
        &path("defaults"),
        "--config",
        config,
        "--parameter-overrides",
        "BrokerArn=cli",
        "SecretArn=cli-secret",
    ]);
    assert_eq!(
        pg002(&run),
        vec![
            row(23, "error", "certain", "cli"),
            row(27, "error", "certain", "cli-secret")
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
