//! The CI integrations end to end, offline, with the built binary: the GitHub Action's scripts
//! (`action/run.sh`, `action/install.sh`) run with the environment a runner gives them, and the
//! pre-commit hook's entry run on the staged files of a temporary git repository.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const FAILING: &str = "testdata/checks/PG101-esm-sqs-permissions/fail-missing-delete.yaml";
const PASSING: &str = "testdata/checks/PG101-esm-sqs-permissions/pass-least-privilege.yaml";

/// A fresh directory under the target directory (no temp-dir crate needed).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("ci-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy(from: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(Path::new(ROOT).join(from), to).unwrap();
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// `key=value` lines of a `$GITHUB_OUTPUT` file.
fn outputs(path: &Path) -> Vec<(String, String)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Runs `action/run.sh` as the Action's run step does: from the workspace, with the runner's
/// variables and the inputs as `INPUT_*`.
fn run_action(workspace: &Path, runner: &Path, inputs: &[(&str, &str)]) -> (Output, PathBuf) {
    let github_output = runner.join("output");
    // The workspace is a checkout: its root is the repository root that annotation paths and
    // fingerprints are relative to.
    std::fs::create_dir_all(workspace.join(".git")).unwrap();
    let mut command = Command::new("bash");
    command
        .arg(Path::new(ROOT).join("action/run.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("PERMGATE", env!("CARGO_BIN_EXE_permgate"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", &github_output)
        .env("GITHUB_STEP_SUMMARY", runner.join("summary.md"))
        .env("RUNNER_TEMP", runner)
        .env("GITHUB_ACTION_PATH", ROOT)
        .current_dir(runner);
    for (k, v) in inputs {
        command.env(format!("INPUT_{k}"), v);
    }
    (command.output().unwrap(), github_output)
}

#[test]
fn action_run_script_fails_on_findings_and_writes_sarif() {
    let dir = scratch("action-run");
    let (workspace, runner) = (dir.join("workspace"), dir.join("runner"));
    std::fs::create_dir_all(&runner).unwrap();
    copy(FAILING, &workspace.join("stacks/orders.yaml"));
    copy(PASSING, &workspace.join("other/fine.yaml"));
    let (out, github_output) = run_action(
        &workspace,
        &runner,
        &[
            ("PATHS", "stacks\nother\n"),
            ("FORMAT", "github"),
            ("FAIL_ON", "error"),
            ("UPLOAD_SARIF", "true"),
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", text(&out.stderr));
    // Annotations name the file relative to the workspace (the repository root).
    assert!(
        stdout.contains("::error file=stacks/orders.yaml,line="),
        "{stdout}"
    );
    assert!(!stdout.contains("other/fine.yaml"), "{stdout}");
    let sarif_path = runner.join("permgate.sarif");
    assert_eq!(
        outputs(&github_output),
        vec![
            ("sarif-file".to_string(), sarif_path.display().to_string()),
            ("exit-code".to_string(), "1".to_string()),
        ]
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "PG101"), "{sarif}");
}

#[test]
fn action_run_script_passes_a_clean_workspace_and_honours_fail_on() {
    let dir = scratch("action-clean");
    let (workspace, runner) = (dir.join("workspace"), dir.join("runner"));
    std::fs::create_dir_all(&runner).unwrap();
    copy(PASSING, &workspace.join("fine.yaml"));
    let (out, github_output) = run_action(&workspace, &runner, &[("FORMAT", "text")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("0 errors"));
    assert_eq!(
        outputs(&github_output),
        vec![("exit-code".to_string(), "0".to_string())]
    );
    assert!(!runner.join("permgate.sarif").exists());

    // A template with warnings only: `fail-on: error` passes it, `warning` fails it.
    copy(
        "testdata/parameters/defaults/template.yaml",
        &workspace.join("defaults.yaml"),
    );
    let (out, _) = run_action(&workspace, &runner, &[("PATHS", "."), ("FAIL_ON", "error")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("::warning file=defaults.yaml"));
    let (out, _) = run_action(
        &workspace,
        &runner,
        &[("PATHS", "."), ("FAIL_ON", "warning")],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
}

#[test]
fn action_run_script_reports_unreadable_inputs_with_exit_code_2() {
    let dir = scratch("action-broken");
    let (workspace, runner) = (dir.join("workspace"), dir.join("runner"));
    std::fs::create_dir_all(&runner).unwrap();
    copy(PASSING, &workspace.join("fine.yaml"));
    let (out, github_output) =
        run_action(&workspace, &runner, &[("PATHS", "fine.yaml missing.yaml")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("missing.yaml"));
    assert_eq!(
        outputs(&github_output),
        vec![("exit-code".to_string(), "2".to_string())]
    );
}

/// A directory with stand-ins for `curl` and `cargo` that record their arguments: `curl`
/// serves `release` (a tarball) when given, else fails as for a missing release asset; `cargo`
/// "installs" the built binary into `--root`.
fn stand_ins(dir: &Path, release: Option<&Path>) -> PathBuf {
    let bin = dir.join("stand-ins");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.join("calls.log");
    let curl = match release {
        Some(tarball) => format!(
            "#!/bin/sh\necho \"curl $*\" >> '{log}'\nwhile [ \"$1\" != --output ]; do shift; done\ncp '{}' \"$2\"\n",
            tarball.display(),
            log = log.display()
        ),
        None => format!(
            "#!/bin/sh\necho \"curl $*\" >> '{}'\nexit 22\n",
            log.display()
        ),
    };
    let cargo = format!(
        "#!/bin/sh\necho \"cargo $*\" >> '{log}'\nwhile [ \"$1\" != --root ]; do shift; done\nmkdir -p \"$2/bin\"\ncp '{exe}' \"$2/bin/permgate\"\n",
        log = log.display(),
        exe = env!("CARGO_BIN_EXE_permgate")
    );
    for (name, body) in [("curl", curl), ("cargo", cargo)] {
        let path = bin.join(name);
        std::fs::write(&path, body).unwrap();
        Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    }
    bin
}

fn install(dir: &Path, stand_ins: &Path, runner_os: &str) -> (Output, String, String) {
    let github_path = dir.join("github_path");
    let path = format!("{}:{}", stand_ins.display(), std::env::var("PATH").unwrap());
    let out = Command::new("bash")
        .arg(Path::new(ROOT).join("action/install.sh"))
        .env_clear()
        .env("PATH", path)
        .env("PERMGATE_INSTALL_DIR", dir.join("tool"))
        .env("PERMGATE_REF", "v9.9.9")
        .env("PERMGATE_REPOSITORY", "example/permgate")
        .env("GITHUB_ACTION_PATH", ROOT)
        .env("GITHUB_PATH", &github_path)
        .env("RUNNER_TEMP", dir)
        .env("RUNNER_OS", runner_os)
        .env("RUNNER_ARCH", "X64")
        .output()
        .unwrap();
    let calls = std::fs::read_to_string(dir.join("calls.log")).unwrap_or_default();
    let added = std::fs::read_to_string(github_path).unwrap_or_default();
    (out, calls, added)
}

#[test]
fn action_install_builds_from_the_action_checkout_without_a_release() {
    let dir = scratch("install-source");
    let bin = stand_ins(&dir, None);
    let (out, calls, added) = install(&dir, &bin, "Linux");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let tool = dir.join("tool");
    assert_eq!(
        calls,
        format!(
            "curl --fail --silent --show-error --location --retry 2 --output {}/permgate-x86_64-unknown-linux-gnu.tar.gz https://github.com/example/permgate/releases/download/v9.9.9/permgate-x86_64-unknown-linux-gnu.tar.gz\n\
             cargo install --locked --path {ROOT} --root {} --bin permgate\n",
            dir.display(),
            tool.display()
        )
    );
    assert_eq!(added, format!("{}/bin\n", tool.display()));
    assert!(text(&out.stdout).contains("permgate 0.1.0"));

    // The second run finds the binary (as restored from the cache) and calls nothing.
    std::fs::remove_file(dir.join("calls.log")).unwrap();
    let (out, calls, _) = install(&dir, &bin, "Linux");
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("using the cached binary"));
    assert_eq!(calls, "");
}

#[test]
fn action_install_prefers_the_release_binary() {
    let dir = scratch("install-release");
    let staged = dir.join("staged");
    std::fs::create_dir_all(&staged).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_permgate"), staged.join("permgate")).unwrap();
    let tarball = dir.join("release.tar.gz");
    let status = Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(&staged)
        .arg("permgate")
        .status()
        .unwrap();
    assert!(status.success());
    let bin = stand_ins(&dir, Some(&tarball));
    let (out, calls, _) = install(&dir, &bin, "Linux");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(calls.starts_with("curl "), "{calls}");
    assert!(!calls.contains("cargo"), "{calls}");
    assert!(text(&out.stdout).contains("installed the release binary"));
    assert!(dir.join("tool/bin/permgate").exists());

    // A runner without a release asset (here an unknown OS) builds from source.
    let dir = scratch("install-other-os");
    let bin = stand_ins(&dir, Some(&tarball));
    let (out, calls, _) = install(&dir, &bin, "Windows");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(calls.starts_with("cargo install --locked"), "{calls}");
}

/// The action's metadata: the inputs users write, and run steps whose scripts exist.
#[test]
fn action_metadata_names_its_inputs_and_scripts() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    let source = permgate::source::SourceFile::new("action.yml", text.clone());
    let root = permgate::readers::yaml::parse_yaml(&source).unwrap();
    let inputs: Vec<&str> = root
        .get("inputs")
        .and_then(|i| i.as_map())
        .unwrap()
        .iter()
        .map(|(k, _)| &*k.text)
        .collect();
    assert_eq!(
        inputs,
        [
            "paths",
            "format",
            "fail-on",
            "baseline",
            "config",
            "upload-sarif"
        ]
    );
    assert_eq!(
        root.get("runs")
            .and_then(|r| r.get("using"))
            .and_then(|u| u.as_str()),
        Some("composite")
    );
    for script in ["action/install.sh", "action/run.sh"] {
        assert!(
            text.contains(&format!("$GITHUB_ACTION_PATH/{script}")),
            "{script}"
        );
        assert!(Path::new(ROOT).join(script).is_file(), "{script}");
    }
    // Every input reaches the run script.
    for input in [
        "PATHS",
        "FORMAT",
        "FAIL_ON",
        "BASELINE",
        "CONFIG",
        "UPLOAD_SARIF",
    ] {
        assert!(text.contains(&format!("INPUT_{input}:")), "{input}");
    }
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

/// The pre-commit hook's `entry` and the file types it selects, from `.pre-commit-hooks.yaml`.
fn hook() -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(Path::new(ROOT).join(".pre-commit-hooks.yaml")).unwrap();
    let source = permgate::source::SourceFile::new(".pre-commit-hooks.yaml", text);
    let root = permgate::readers::yaml::parse_yaml(&source).unwrap();
    let hook = &root.as_seq().unwrap()[0];
    assert_eq!(hook.get("id").and_then(|i| i.as_str()), Some("permgate"));
    assert_eq!(hook.get("language").and_then(|i| i.as_str()), Some("rust"));
    let entry = hook.get("entry").and_then(|e| e.as_str()).unwrap();
    let types = hook
        .get("types_or")
        .and_then(|t| t.as_seq())
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    (entry.split_whitespace().map(String::from).collect(), types)
}

/// Runs the hook as pre-commit does: its entry with the staged files of those types appended.
fn run_hook(repo: &Path) -> Output {
    let (entry, types) = hook();
    let staged = Command::new("git")
        .args(["diff", "--cached", "--name-only", "--diff-filter=ACMR"])
        .current_dir(repo)
        .output()
        .unwrap();
    // pre-commit's `yaml` type is `.yaml`/`.yml`, `json` is `.json`.
    let files: Vec<String> = text(&staged.stdout)
        .lines()
        .filter(|f| {
            let ext = f.rsplit('.').next().unwrap_or("");
            types.iter().any(|t| match t.as_str() {
                "yaml" => ext == "yaml" || ext == "yml",
                "json" => ext == "json",
                _ => false,
            })
        })
        .map(String::from)
        .collect();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_permgate")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap());
    Command::new(&entry[0])
        .args(&entry[1..])
        .args(&files)
        .env("PATH", path)
        .current_dir(repo)
        .output()
        .unwrap()
}

#[test]
fn pre_commit_hook_checks_the_staged_templates_only() {
    let repo = scratch("pre-commit");
    git(&repo, &["init", "-q"]);
    copy(PASSING, &repo.join("infra/fine.yaml"));
    // Staged files that are not templates: a multi-document Kubernetes manifest, a JSON file,
    // and a file that is neither YAML nor JSON.
    std::fs::write(
        repo.join("deploy.yml"),
        "apiVersion: v1\nkind: Namespace\n---\napiVersion: v1\nkind: Namespace\n",
    )
    .unwrap();
    std::fs::write(repo.join("package.json"), "{\"name\": \"app\"}\n").unwrap();
    std::fs::write(repo.join("notes.txt"), "AWS::Lambda::Function\n").unwrap();
    git(&repo, &["add", "."]);
    let out = run_hook(&repo);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("in 1 file"),
        "{}",
        text(&out.stdout)
    );
    git(&repo, &["commit", "-q", "-m", "first"]);

    // A staged template with a missing permission fails the commit, with its location.
    copy(FAILING, &repo.join("infra/orders.yaml"));
    git(&repo, &["add", "infra/orders.yaml"]);
    let out = run_hook(&repo);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("error[PG101]"), "{stdout}");
    assert!(stdout.contains("infra/orders.yaml:"), "{stdout}");
    assert!(!stdout.contains('\u{1b}'), "no colour in a hook's output");
}
