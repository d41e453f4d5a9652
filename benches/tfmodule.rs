//! A Terraform module audited without a plan: `permgate check DIR` on the `.tf` source of
//! `gen_scale.py tf N`'s plans, as a whole process.
//!
//! Input: the module `tools/gen-tf-source.py N DIR` writes (N groups of five blocks: role,
//! inline `jsonencode` policy, queue or stream, function, mapping; sizes from
//! `PERMGATE_BENCH_TF_SIZES`, default `1000`), with a `terraform.tfvars` giving its five
//! variables. Output: one line per size with the median wall time of three runs of the built
//! `permgate` binary (start-up, reading, the plan built from the source, every check, the JSON
//! report), and the findings it gave. The goal for 1,000 groups: at most 0.5 s. Prints
//! figures; never fails on time. Skips with a notice when python3 or the generator is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const RUNS: usize = 3;

mod common;

use common::generator;

/// The module of `groups` groups, written once into the bench folder.
fn module(groups: usize) -> Option<PathBuf> {
    let base = common::bench_dir();
    let dir = base.join(format!("tf-{groups}-module"));
    if dir.join("main.tf").is_file() && dir.join("terraform.tfvars").is_file() {
        return Some(dir);
    }
    std::fs::create_dir_all(&dir).ok()?;
    let Some(gen_scale) = generator() else {
        println!("skipping: gen_scale.py not found (set PERMGATE_GEN_SCALE)");
        return None;
    };
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/gen-tf-source.py");
    let status = Command::new("python3")
        .arg(tool)
        .arg(groups.to_string())
        .arg(&dir)
        .arg("--gen-scale")
        .arg(gen_scale)
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        println!("skipping: tools/gen-tf-source.py failed");
        return None;
    }
    let tfvars = "stage = \"prod\"\nruntime = \"python3.12\"\nartifact_bucket = \"svc-artifacts\"\nartifact_version = \"1.0.0\"\nregion = \"us-east-1\"\n";
    std::fs::write(dir.join("terraform.tfvars"), tfvars).ok()?;
    Some(dir)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("PERMGATE_BENCH_TF_SIZES")
        .unwrap_or_else(|_| "1000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let exe = env!("CARGO_BIN_EXE_permgate");
    println!(
        "{:>7} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "groups", "tf KB", "seconds", "errors", "warnings", "notes"
    );
    for groups in sizes {
        let Some(dir) = module(groups) else { return };
        let bytes = std::fs::metadata(dir.join("main.tf")).map_or(0, |m| m.len());
        let mut samples = Vec::new();
        let mut counts = (0, 0, 0);
        for _ in 0..RUNS {
            let start = Instant::now();
            let out = Command::new(exe)
                .args(["check", "--format", "json"])
                .arg(&dir)
                .output();
            let secs = start.elapsed().as_secs_f64();
            let Ok(out) = out else {
                println!("permgate did not run");
                return;
            };
            let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            let n = |k: &str| {
                report
                    .get("summary")
                    .and_then(|s| s.get(k))
                    .and_then(serde_json::Value::as_u64)
                    .unwrap_or(0)
            };
            if n("terraform_from_source") != 1 {
                println!("{} was not audited from its source", dir.display());
                return;
            }
            counts = (n("errors"), n("warnings"), n("notes"));
            samples.push(secs);
        }
        samples.sort_by(f64::total_cmp);
        let median = samples.get(RUNS / 2).copied().unwrap_or(0.0);
        println!(
            "{:>7} {:>9.0} {:>8.3} {:>8} {:>8} {:>8}",
            groups,
            bytes as f64 / 1e3,
            median,
            counts.0,
            counts.1,
            counts.2
        );
    }
}
