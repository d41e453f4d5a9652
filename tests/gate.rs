//! The adoption path end to end, through the built binary: the configuration file, suppressions
//! (config, inline at resource and template level, on a SAM-generated resource, in the `.tf`
//! source of a plan), unused and lapsed suppressions, the baseline, fingerprints across path
//! spellings, `--select` / `--ignore`, severity overrides, JUnit, the GitHub job summary and
//! standard input.
//!
//! Each test lays out a small repository in a temporary directory (a `.git` folder marks its
//! root) from the fixtures of `testdata/checks/` and `testdata/tfsource/`, and runs
//! `permgate check` in it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test code"
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// A failing SQS mapping (PG101, error, resource `Mapping`).
const SQS: &str = "testdata/checks/PG101-esm-sqs-permissions/fail-missing-delete.yaml";
/// A public function URL (PG205, warning, resource `HandlerUrl`).
const URL: &str = "testdata/checks/PG205-function-url-public/fail-cfn.yaml";
/// A plan with a failing SQS mapping (PG101, error).
const SQS_PLAN: &str = "testdata/checks/PG101-esm-sqs-permissions/fail-missing-delete-plan.json";

struct Repo {
    root: PathBuf,
}

impl Repo {
    fn new(name: &str) -> Repo {
        let root =
            std::env::temp_dir().join(format!("permgate-gate-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join(".git")).unwrap();
        Repo {
            root: root.canonicalize().unwrap(),
        }
    }

    fn fixture(&self, fixture: &str, to: &str) -> &Repo {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(fixture)).unwrap();
        self.write(to, &text)
    }

    fn write(&self, to: &str, text: &str) -> &Repo {
        let path = self.root.join(to);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.root.join(path)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_in("", args, None, &[])
    }

    fn run_in(&self, dir: &str, args: &[&str], stdin: Option<&str>, env: &[(&str, &Path)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_permgate"));
        command
            .current_dir(self.root.join(dir))
            .arg("check")
            .args(args)
            .env_remove("GITHUB_STEP_SUMMARY")
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let out = child.wait_with_output().unwrap();
        Run {
            code: out.status.code().unwrap(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}{}", self.stdout, self.stderr))
    }

    fn checks(&self) -> Vec<String> {
        self.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["check"].as_str().unwrap().to_string())
            .collect()
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n{}\n{}", self.code, self.stdout, self.stderr)
    }
}

const URL_SUPPRESSION: &str = r#"
[[ignore]]
check = "function-url-public"
resource = "Handler*"
path = "stacks/*.yaml"
reason = "a public webhook; the handler checks the request signature"
"#;

#[test]
fn a_config_suppression_takes_the_finding_out_of_the_report_and_exit_code() {
    let repo = Repo::new("config-suppression");
    repo.fixture(URL, "stacks/url.yaml")
        .write(".permgate.toml", URL_SUPPRESSION);
    let before = repo.run(&["--no-config", "--fail-on", "warning", "--format", "json"]);
    assert_eq!(before.code, 1, "{before:?}");
    assert_eq!(before.checks(), ["PG205"]);

    let text = repo.run(&["--fail-on", "warning", "--color", "never"]);
    assert_eq!(text.code, 0, "{text:?}");
    assert!(!text.stdout.contains("PG205"), "{text:?}");
    assert!(
        text.stdout.ends_with(
            "0 errors, 0 warnings, 0 notes in 1 file (0 skipped, 0 unreadable); 1 suppressed\n"
        ),
        "{text:?}"
    );

    let json = repo.run(&["--format", "json"]).json();
    assert_eq!(json["findings"], Value::Array(vec![]));
    let suppressed = &json["suppressed"][0];
    assert_eq!(suppressed["check"], "PG205");
    assert_eq!(suppressed["resource"], "HandlerUrl");
    assert_eq!(suppressed["suppression"]["kind"], "config");
    assert_eq!(suppressed["suppression"]["line"], 2);
    assert_eq!(
        suppressed["suppression"]["reason"],
        "a public webhook; the handler checks the request signature"
    );

    let sarif: Value = serde_json::from_str(&repo.run(&["--format", "sarif"]).stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "PG205");
    assert_eq!(result["suppressions"][0]["kind"], "external");

    // From a subdirectory, the configuration of the repository root applies.
    repo.write("stacks/deep/.keep", "");
    let from_sub = repo.run_in(
        "stacks/deep",
        &["--fail-on", "warning", "--format", "json", ".."],
        None,
        &[],
    );
    assert_eq!(from_sub.code, 0, "{from_sub:?}");
    assert_eq!(from_sub.json()["summary"]["suppressed"], 1);
}

#[test]
fn the_config_is_found_up_to_the_repository_root_or_named() {
    let repo = Repo::new("config-discovery");
    repo.fixture(URL, "stacks/url.yaml")
        .write("conf/strict.toml", "[severity]\nPG205 = \"error\"\n");
    let named = repo.run(&["--config", "conf/strict.toml", "--format", "json"]);
    assert_eq!(named.code, 1, "{named:?}");
    assert_eq!(named.json()["findings"][0]["severity"], "error");
    // A file above the repository root is not this repository's: a repository nested in
    // this one, with its own `.git`, does not read the outer `.permgate.toml`.
    repo.write(".permgate.toml", "bad = 1\n")
        .write("inner/.git/HEAD", "")
        .fixture(URL, "inner/url.yaml");
    let inner = repo.run_in("inner", &["--format", "json"], None, &[]);
    assert_eq!(inner.code, 0, "{inner:?}");
    assert_eq!(repo.run(&[]).code, 2, "the outer repository reads it");
    std::fs::remove_dir_all(repo.root.join("inner")).unwrap();
    // The command line wins over the file.
    repo.write(
        ".permgate.toml",
        "format = \"json\"\nfail-on = \"warning\"\n",
    );
    assert_eq!(repo.run(&[]).code, 1);
    assert!(repo.run(&[]).stdout.starts_with('{'));
    let cli = repo.run(&["--fail-on", "never", "--format", "github"]);
    assert_eq!(cli.code, 0, "{cli:?}");
    assert!(cli.stdout.starts_with("::warning"), "{cli:?}");
}

#[test]
fn every_config_mistake_is_a_located_error_with_exit_code_2() {
    let repo = Repo::new("config-errors");
    repo.fixture(URL, "stacks/url.yaml");
    for (text, expected) in [
        (
            "[[ignore]]\ncheck = \"PG205\"\n",
            ".permgate.toml:1:1: the suppression of `PG205` has no reason",
        ),
        (
            "fail-on = \"warning\"\nfial-on = \"error\"\n",
            ".permgate.toml:2:1: unknown field `fial-on`",
        ),
        (
            "format = \"xml\"\n",
            ".permgate.toml:1:10: `format` must be one of `text`, `json`, `sarif`, `github`, `junit`, not `xml`",
        ),
        (
            "[checks]\nignore = [\"PG2O5\"]\n",
            ".permgate.toml:2:11: `PG2O5` names no check",
        ),
        ("[severity\n", ".permgate.toml:1:"),
    ] {
        repo.write(".permgate.toml", text);
        let run = repo.run(&[]);
        assert_eq!(run.code, 2, "{text}: {run:?}");
        let expected_line = format!("permgate: {}", Path::new(".permgate.toml").display());
        assert!(
            run.stderr
                .starts_with(&expected_line.replace(".permgate.toml", "")),
            "{run:?}"
        );
        assert!(
            run.stderr.contains(expected),
            "{text}: expected {expected}, got {run:?}"
        );
        assert!(
            run.stdout.is_empty(),
            "nothing is reported with a bad configuration: {run:?}"
        );
    }
}

#[test]
fn inline_suppressions_at_resource_and_template_level_and_on_sam_resources() {
    let run = Command::new(env!("CARGO_BIN_EXE_permgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--format",
            "json",
            "testdata/checks/PG005-suppression-unused/pass-sam-function.yaml",
        ])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(json["findings"], Value::Array(vec![]));
    let taken: Vec<(String, String, Value)> = json["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["check"].as_str().unwrap().to_string(),
                s["resource"].as_str().unwrap().to_string(),
                s["suppression"]["line"].clone(),
            )
        })
        .collect();
    // PG120 by the template-level entry (line 8); PG205 on the URL SAM generates from
    // `Handler`, by the entry on `Handler` (line 25).
    assert_eq!(
        taken,
        [
            ("PG120".to_string(), "Handler".to_string(), Value::from(8)),
            (
                "PG205".to_string(),
                "HandlerUrl".to_string(),
                Value::from(25)
            ),
        ]
    );
    let sarif = Command::new(env!("CARGO_BIN_EXE_permgate"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "check",
            "--format",
            "sarif",
            "testdata/checks/PG005-suppression-unused/pass-sam-function.yaml",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        assert_eq!(result["suppressions"][0]["kind"], "inSource");
    }
}

#[test]
fn a_suppression_without_a_reason_in_a_template_is_refused() {
    let repo = Repo::new("inline-no-reason");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(URL)).unwrap();
    let text = text.replace(
        "  HandlerUrl:\n    Type: AWS::Lambda::Url\n",
        "  HandlerUrl:\n    Type: AWS::Lambda::Url\n    Metadata:\n      permgate:\n        ignore:\n          - id: PG205\n",
    );
    repo.write("url.yaml", &text).fixture(SQS, "sqs.yaml");
    let run = repo.run(&["--format", "json"]);
    assert_eq!(run.code, 2, "{run:?}");
    let json = run.json();
    let file = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "./url.yaml")
        .unwrap();
    assert_eq!(file["status"], "error");
    assert_eq!(file["message"], "the suppression of `PG205` has no reason");
    assert_eq!(
        (file["line"].as_u64(), file["column"].as_u64()),
        (Some(26), Some(13))
    );
    // The other file is still audited.
    assert_eq!(run.checks(), ["PG101"]);
}

#[test]
fn unused_suppressions_are_warned_and_lapsed_ones_return_the_finding() {
    let repo = Repo::new("unused-lapsed");
    repo.fixture(URL, "stacks/url.yaml").write(
        ".permgate.toml",
        r#"
[[ignore]]
check = "PG101"
resource = "Mapping"
reason = "the mapping's role is granted by the platform team"

[[ignore]]
check = "PG205"
reason = "public until the signed-request check ships"
until = 2021-03-31

[[ignore]]
check = "PG101"
path = "other/*.yaml"
reason = "not part of this run: not reported as unused"
"#,
    );
    let run = repo.run(&["--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let json = run.json();
    let findings: Vec<(String, String, Value)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_string(),
                f["file"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                f["line"].clone(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            (
                "PG205".to_string(),
                "stacks/url.yaml".to_string(),
                Value::from(25)
            ),
            (
                "PG005".to_string(),
                ".permgate.toml".to_string(),
                Value::from(2)
            ),
            (
                "PG006".to_string(),
                ".permgate.toml".to_string(),
                Value::from(7)
            ),
        ]
    );
    assert_eq!(json["findings"][1]["severity"], "warning");
    assert!(
        json["findings"][2]["message"]
            .as_str()
            .unwrap()
            .contains("lapsed after `2021-03-31`")
    );
    assert_eq!(repo.run(&["--fail-on", "warning"]).code, 1);
    // `--ignore PG005` turns the warning off, like any check.
    let quiet = repo.run(&["--format", "json", "--ignore", "PG005"]);
    assert_eq!(quiet.checks(), ["PG205", "PG006"]);
}

fn fingerprints(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn fingerprints_do_not_depend_on_the_path_spelling_or_the_line() {
    let repo = Repo::new("fingerprints");
    repo.fixture(SQS, "stacks/sqs.yaml");
    let absolute = repo.root.join("stacks/sqs.yaml");
    let spellings = [
        repo.run_in("", &["--format", "json", "stacks/sqs.yaml"], None, &[]),
        repo.run_in("", &["--format", "json", "./stacks/sqs.yaml"], None, &[]),
        repo.run_in(
            "",
            &["--format", "json", absolute.to_str().unwrap()],
            None,
            &[],
        ),
        repo.run_in("stacks", &["--format", "json", "sqs.yaml"], None, &[]),
        repo.run_in(
            "stacks",
            &["--format", "json", "../stacks/./sqs.yaml"],
            None,
            &[],
        ),
    ];
    let first = fingerprints(&spellings[0]);
    assert_eq!(first.len(), 1);
    for run in &spellings {
        assert_eq!(fingerprints(run), first, "{run:?}");
    }
    // Lines added above the finding move it, not its fingerprint.
    let moved = format!("# a comment\n# another\n{}", repo.read("stacks/sqs.yaml"));
    repo.write("stacks/sqs.yaml", &moved);
    let after = repo.run(&["--format", "json"]);
    assert_eq!(fingerprints(&after), first);
    assert_eq!(after.json()["findings"][0]["line"], 29);
    // SARIF carries the same key.
    let sarif: Value = serde_json::from_str(&repo.run(&["--format", "sarif"]).stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["results"][0]["partialFingerprints"]["permgate/v1"],
        first[0].as_str()
    );
}

#[test]
fn a_baseline_lets_only_new_findings_fail_and_counts_the_fixed_ones() {
    let repo = Repo::new("baseline");
    repo.fixture(SQS, "stacks/sqs.yaml")
        .fixture(URL, "stacks/url.yaml");
    let written = repo.run(&[
        "--write-baseline",
        "permgate-baseline.json",
        "--color",
        "never",
    ]);
    assert_eq!(written.code, 0, "{written:?}");
    assert!(
        written.stdout.ends_with("; 2 baselined, 0 fixed\n"),
        "{written:?}"
    );
    let baseline: Value = serde_json::from_str(&repo.read("permgate-baseline.json")).unwrap();
    assert_eq!(baseline["version"], 1);
    assert_eq!(baseline["findings"].as_array().unwrap().len(), 2);
    assert_eq!(baseline["findings"][0]["file"], "stacks/sqs.yaml");

    let same = repo.run(&[
        "--baseline",
        "permgate-baseline.json",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(same.code, 0, "{same:?}");

    // A new failing file: only its finding counts.
    repo.fixture(SQS, "stacks/new.yaml");
    let new = repo.run(&["--baseline", "permgate-baseline.json", "--format", "json"]);
    assert_eq!(new.code, 1, "{new:?}");
    let json = new.json();
    assert_eq!(json["findings"].as_array().unwrap().len(), 1);
    assert_eq!(json["findings"][0]["file"], "./stacks/new.yaml");
    assert_eq!(json["summary"]["baselined"], 2);
    assert_eq!(json["suppressed"][0]["suppression"]["kind"], "baseline");

    // Fixed: the URL is gone; the baseline says so.
    std::fs::remove_file(repo.root.join("stacks/url.yaml")).unwrap();
    std::fs::remove_file(repo.root.join("stacks/new.yaml")).unwrap();
    let fixed = repo.run(&["--baseline", "permgate-baseline.json", "--color", "never"]);
    assert_eq!(fixed.code, 0, "{fixed:?}");
    assert!(
        fixed.stdout.ends_with("; 1 baselined, 1 fixed\n"),
        "{fixed:?}"
    );

    // The baseline can be named in the configuration.
    repo.write(".permgate.toml", "baseline = \"permgate-baseline.json\"\n");
    assert!(
        repo.run(&["--color", "never"])
            .stdout
            .ends_with("; 1 baselined, 1 fixed\n")
    );

    // A baseline named in the configuration but not written yet can be written.
    repo.write(".permgate.toml", "baseline = \"first-baseline.json\"\n");
    assert_eq!(repo.run(&[]).code, 2);
    let first = repo.run(&["--write-baseline", "first-baseline.json"]);
    assert_eq!(first.code, 0, "{first:?}");
    assert_eq!(repo.run(&[]).code, 0);
    repo.write(".permgate.toml", "baseline = \"permgate-baseline.json\"\n");

    // A baseline of another version or shape is an error naming the file.
    repo.write(
        "permgate-baseline.json",
        "{\"version\": 7, \"tool\": \"permgate\", \"findings\": []}",
    );
    let newer = repo.run(&[]);
    assert_eq!(newer.code, 2, "{newer:?}");
    assert!(
        newer
            .stderr
            .contains("permgate-baseline.json: baseline version `7`"),
        "{newer:?}"
    );
    repo.write(
        "permgate-baseline.json",
        "{\"version\": 1,\n\"findings\": 3}",
    );
    let broken = repo.run(&[]);
    assert_eq!(broken.code, 2, "{broken:?}");
    assert!(
        broken.stderr.contains("permgate-baseline.json:2:"),
        "{broken:?}"
    );
}

#[test]
fn select_and_ignore_by_id_prefix_and_name() {
    let repo = Repo::new("select");
    repo.fixture(SQS, "sqs.yaml").fixture(URL, "url.yaml");
    let all = repo.run(&["--format", "json"]).checks();
    assert_eq!(all, ["PG101", "PG205"]);
    assert_eq!(
        repo.run(&["--format", "json", "--select", "PG1"]).checks(),
        ["PG101"]
    );
    assert_eq!(
        repo.run(&["--format", "json", "--select", "function-url-public"])
            .checks(),
        ["PG205"]
    );
    assert_eq!(
        repo.run(&["--format", "json", "--ignore", "pg101"])
            .checks(),
        ["PG205"]
    );
    assert_eq!(
        repo.run(&[
            "--format", "json", "--select", "PG1,PG2", "--ignore", "PG205"
        ])
        .checks(),
        ["PG101"]
    );
    let none = repo.run(&["--ignore", "PG1", "--ignore", "PG2"]);
    assert_eq!(none.code, 0, "{none:?}");
    let typo = repo.run(&["--select", "PG11O"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("--select: `PG11O` names no check"),
        "{typo:?}"
    );
    // The configuration's selection, and the command line over it.
    repo.write(".permgate.toml", "[checks]\nselect = [\"PG2\"]\n");
    assert_eq!(repo.run(&["--format", "json"]).checks(), ["PG205"]);
    assert_eq!(
        repo.run(&["--format", "json", "--select", "PG1"]).checks(),
        ["PG101"]
    );
}

#[test]
fn severity_overrides() {
    let repo = Repo::new("severity");
    repo.fixture(SQS, "sqs.yaml").fixture(URL, "url.yaml");
    repo.write(
        ".permgate.toml",
        "[severity]\nfunction-url-public = \"error\"\nPG101 = \"note\"\n",
    );
    let run = repo.run(&["--format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let severities: Vec<(String, String)> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().into(),
                f["severity"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        severities,
        [
            ("PG101".to_string(), "note".to_string()),
            ("PG205".to_string(), "error".to_string())
        ]
    );
    repo.write(".permgate.toml", "[severity]\nPG101 = \"off\"\n");
    let off = repo.run(&["--format", "json"]);
    assert_eq!(off.code, 0, "{off:?}");
    assert_eq!(off.checks(), ["PG205"]);
}

#[test]
fn standard_input_with_a_file_name() {
    let repo = Repo::new("stdin");
    repo.fixture(SQS, "stacks/sqs.yaml");
    let template = repo.read("stacks/sqs.yaml");
    let from_file = repo.run(&["--format", "json", "stacks/sqs.yaml"]);
    let from_stdin = repo.run_in(
        "",
        &[
            "--format",
            "json",
            "--stdin-filename",
            "stacks/sqs.yaml",
            "-",
        ],
        Some(&template),
        &[],
    );
    assert_eq!(from_stdin.code, 1, "{from_stdin:?}");
    let json = from_stdin.json();
    assert_eq!(json["files"][0]["path"], "stacks/sqs.yaml");
    assert_eq!(json["findings"][0]["line"], 27);
    assert_eq!(fingerprints(&from_stdin), fingerprints(&from_file));

    // A plan piped from `terraform show -json`, without a name.
    let plan =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(SQS_PLAN)).unwrap();
    let piped = repo.run_in("", &["--format", "json", "-"], Some(&plan), &[]);
    assert_eq!(piped.code, 1, "{piped:?}");
    assert_eq!(piped.json()["files"][0]["path"], "<stdin>");
    assert_eq!(piped.json()["files"][0]["format"], "terraform-plan");

    // Bad input on standard input is a located error like any file's.
    let bad = repo.run_in(
        "",
        &["--color", "never", "-"],
        Some("Resources:\n  A: [\n"),
        &[],
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stdout.contains("<stdin>"), "{bad:?}");
    let misuse = repo.run(&["--stdin-filename", "x.yaml", "stacks"]);
    assert_eq!(misuse.code, 2, "{misuse:?}");
}

#[test]
fn junit_output_through_the_binary() {
    let repo = Repo::new("junit");
    repo.fixture(SQS, "sqs.yaml").fixture(URL, "url.yaml");
    let run = repo.run(&["--format", "junit"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.starts_with("<?xml"), "{run:?}");
    assert!(
        run.stdout.contains(
            "<testcase name=\"PG101 (esm-sqs-permissions): Mapping\" classname=\"sqs.yaml\">"
        ),
        "{run:?}"
    );
    assert!(run.stdout.contains("<failure message="), "{run:?}");
    assert!(
        run.stdout.contains(
            "<testcase name=\"PG205 (function-url-public): HandlerUrl\" classname=\"url.yaml\">"
        ),
        "{run:?}"
    );
    // Valid against the Jenkins JUnit schema (xmllint is installed by `.ci/run`).
    repo.write("report.xml", &run.stdout);
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/vendor/junit-10.xsd");
    let lint = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(repo.root.join("report.xml"))
        .output();
    match lint {
        Ok(out) => assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: xmllint is not installed ({e})");
        }
        Err(e) => panic!("xmllint is needed in CI: {e}"),
    }
}

#[test]
fn github_format_puts_errors_first_and_writes_the_job_summary() {
    let repo = Repo::new("github");
    repo.fixture(URL, "a-url.yaml");
    for i in 0..12 {
        repo.fixture(SQS, &format!("sqs-{i:02}.yaml"));
    }
    let summary = repo.root.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let run = repo.run_in(
        "",
        &["--format", "github"],
        None,
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines[..12].iter().all(|l| l.starts_with("::error ")),
        "{run:?}"
    );
    assert!(
        lines[12].starts_with("::warning file=a-url.yaml"),
        "{run:?}"
    );
    assert_eq!(
        lines[13],
        "GitHub shows 10 annotations of each kind per step: 2 more errors are not shown as annotations; the job summary lists every finding"
    );
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(
        markdown.starts_with("earlier step\n## permgate\n"),
        "{markdown}"
    );
    assert_eq!(
        markdown
            .matches("| error | PG101 (esm-sqs-permissions) |")
            .count(),
        12,
        "{markdown}"
    );
    assert!(
        markdown
            .contains("| warning | PG205 (function-url-public) | `a-url.yaml:25` | `HandlerUrl` |"),
        "{markdown}"
    );
    // Without a job summary, the note points at the log.
    let plain = repo.run(&["--format", "github"]);
    assert!(
        plain.stdout.contains("every finding is in the log above"),
        "{plain:?}"
    );
}

/// A plan (real, from `terraform show -json`) with its `.tf` source: the mapping
/// `aws_lambda_event_source_mapping.orders` lacks `sqs:DeleteMessage` (PG101, error).
const TF_PLAN: &str = "testdata/tfsource/jsonencode-missing-action/plan.json";
const TF_SOURCE: &str = "testdata/tfsource/jsonencode-missing-action/main.tf";
const TF_MAPPING: &str = "resource \"aws_lambda_event_source_mapping\" \"orders\" {\n";

/// The repository `infra/plan.json` beside `infra/main.tf`, whose text `edit` changes.
fn terraform_repo(name: &str, edit: impl Fn(&str) -> String) -> Repo {
    let repo = Repo::new(name);
    let source =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(TF_SOURCE)).unwrap();
    assert!(source.contains(TF_MAPPING));
    repo.fixture(TF_PLAN, "infra/plan.json")
        .write("infra/main.tf", &edit(&source));
    repo
}

#[test]
fn a_terraform_comment_above_or_inside_the_block_suppresses_its_findings() {
    for (name, comment) in [
        (
            "above",
            format!("# permgate:ignore PG101 an operator job deletes the messages\n{TF_MAPPING}"),
        ),
        (
            "inside",
            format!(
                "{TF_MAPPING}  // permgate:ignore esm-sqs-permissions an operator job deletes the messages\n"
            ),
        ),
    ] {
        let repo = terraform_repo(&format!("tf-ignore-{name}"), |s| {
            s.replace(TF_MAPPING, &comment)
        });
        let text = repo.run(&["infra/plan.json"]);
        assert_eq!(text.code, 0, "{name}: {text:?}");
        assert!(!text.stdout.contains("error[PG101]"), "{name}: {text:?}");
        assert!(text.stdout.contains("1 suppressed"), "{name}: {text:?}");
        let run = repo.run(&["infra/plan.json", "--format", "json"]);
        assert_eq!(run.checks(), ["PG501"], "{name}");
        let json = run.json();
        let suppressed = &json["suppressed"][0];
        assert_eq!(suppressed["check"], "PG101");
        assert_eq!(
            suppressed["resource"],
            "aws_lambda_event_source_mapping.orders"
        );
        let origin = &suppressed["suppression"];
        assert_eq!(origin["kind"], "inline");
        assert_eq!(origin["reason"], "an operator job deletes the messages");
        assert_eq!(origin["file"], "infra/main.tf");
        let line = if name == "above" { 43 } else { 44 };
        assert_eq!(origin["line"], line, "{name}");
        let sarif = repo.run(&["infra/plan.json", "--format", "sarif"]).json();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let pg101 = results.iter().find(|r| r["ruleId"] == "PG101").unwrap();
        assert_eq!(pg101["suppressions"][0]["kind"], "inSource");
        assert_eq!(
            pg101["suppressions"][0]["justification"],
            "an operator job deletes the messages"
        );
    }
}

#[test]
fn an_unused_terraform_comment_is_warned_at_its_line() {
    let repo = terraform_repo("tf-ignore-unused", |s| {
        s.replace(
            "resource \"aws_sqs_queue\" \"orders\" {\n",
            "resource \"aws_sqs_queue\" \"orders\" {\n  # permgate:ignore PG101 the queue is drained elsewhere\n",
        )
    });
    let run = repo.run(&["infra/plan.json", "--format", "json"]);
    // The PG101 finding is on the mapping, not on the queue: it stays.
    assert_eq!(run.code, 1, "{run:?}");
    let json = run.json();
    let findings = json["findings"].as_array().unwrap();
    let unused = findings.iter().find(|f| f["check"] == "PG005").unwrap();
    assert_eq!(unused["severity"], "warning");
    assert_eq!(
        unused["message"],
        "suppression of `PG101` matches no finding of `aws_sqs_queue.orders`; remove it"
    );
    assert_eq!(unused["file"], "infra/main.tf");
    assert_eq!(
        (unused["line"].as_u64(), unused["column"].as_u64()),
        (Some(2), Some(3))
    );
    assert!(findings.iter().any(|f| f["check"] == "PG101"));
    assert!(json["suppressed"].as_array().unwrap().is_empty());
}

#[test]
fn a_terraform_comment_without_a_reason_is_refused() {
    let repo = terraform_repo("tf-ignore-no-reason", |s| {
        s.replace(
            TF_MAPPING,
            &format!("# permgate:ignore PG101\n{TF_MAPPING}"),
        )
    });
    let run = repo.run(&["infra/plan.json", "--format", "json"]);
    assert_eq!(run.code, 2, "{run:?}");
    let json = run.json();
    let file = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["status"] == "error")
        .unwrap();
    assert_eq!(file["path"], "infra/main.tf");
    assert_eq!(file["message"], "the suppression of `PG101` has no reason");
    assert_eq!(
        (file["line"].as_u64(), file["column"].as_u64()),
        (Some(43), Some(1))
    );
    // The plan is still audited, and the finding is not suppressed.
    assert!(run.checks().contains(&"PG101".to_string()));
}

#[test]
fn a_terraform_comment_in_a_module_covers_its_resources_once_for_every_call() {
    let dir = "testdata/tfsource/sqs-missing-action";
    let module = "modules/consumer/main.tf";
    let repo = Repo::new("tf-ignore-module");
    repo.fixture(&format!("{dir}/plan.json"), "plan.json")
        .fixture(&format!("{dir}/main.tf"), "main.tf");
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("{dir}/{module}")),
    )
    .unwrap();
    assert!(source.contains(TF_MAPPING));
    repo.write(
        module,
        &source.replace(
            TF_MAPPING,
            &format!("# permgate:ignore PG101 an operator job deletes the messages\n{TF_MAPPING}"),
        ),
    );
    // A second call of the same module, which this plan does not hold: the comment is read
    // for both calls but is one suppression, used by the first.
    let main = repo.read("main.tf");
    repo.write(
        "main.tf",
        &format!("{main}\nmodule \"consumer_copy\" {{\n  source    = \"./modules/consumer\"\n  queue_arn = \"x\"\n}}\n"),
    );
    let run = repo.run(&["plan.json", "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.checks().contains(&"PG005".to_string()), "{run:?}");
    let json = run.json();
    let suppressed = json["suppressed"].as_array().unwrap();
    assert_eq!(suppressed.len(), 1, "{run:?}");
    assert_eq!(
        suppressed[0]["resource"],
        "module.consumer.aws_lambda_event_source_mapping.orders"
    );
    assert_eq!(suppressed[0]["suppression"]["file"], module);
}
