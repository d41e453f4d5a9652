//! Terraform plan throughput and peak memory: the reader, and the whole pipeline of
//! `permgate check`, next to `serde_json::Value` on the same bytes.
//!
//! Input: plans written by `gen_scale.py tf N` (sizes from `PERMGATE_BENCH_TF_SIZES`, default
//! `1000,10000` groups of five resources; the generator from `PERMGATE_GEN_SCALE` or the shared
//! tools folder; files cached in `PERMGATE_BENCH_DIR` or the temp directory). Output: one line per
//! size and mode with seconds, MB/s (10^6 B/s) and peak RSS (`VmHWM`), each the median of three
//! runs in a fresh child process, so that one mode's peak does not hide another's:
//! - `check` — what `permgate check plan.json` does: read the plan, run every check, write the
//!   text report (to a sink);
//! - `check + .tf source` — the same plan with its Terraform source beside it
//!   (`tools/gen-tf-source.py`: the five blocks of every group, each policy a `jsonencode` the
//!   plan leaves unknown): the blocks are located and every policy is evaluated from the source,
//!   so the checks decide what the plan alone leaves to "cannot verify". The source is read and
//!   its policies parsed on a second thread while the plan streams, so this is wall time, not
//!   CPU time. The line before its row gives what the source adds to `check`: the median
//!   of the ratios of 11 pairs of runs, each pair one run of either made one after the other,
//!   which a shared machine's slower moments affect alike (the goal: at most 20 %);
//! - `reader` — the plan read into a stack the way the command line reads it (a large plan
//!   streams from disk);
//! - `reader, whole text` — the file read into memory and parsed whole (the way for plans under
//!   1 MiB, and for any plan the streaming read leaves to it);
//! - `serde_json::Value` — a generic tree of the whole file, for comparison.
//!
//! Then how time and memory grow per group from the smallest to the largest size. Prints figures;
//! never fails on time. Skips with a notice when python3 or the generator is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const CHILD: &str = "PERMGATE_BENCH_CHILD";
const RUNS: usize = 3;

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// One measurement in this process: prints `seconds peak_kb items`.
fn child(mode: &str, path: &Path) -> Result<(), String> {
    let start = Instant::now();
    let items = match mode {
        "check" => {
            let report = permgate::audit(&[path.to_path_buf()]);
            let checks = permgate::checks::CHECKS;
            let text = permgate::report::Format::Text;
            permgate::report::write(
                &report,
                text,
                checks,
                permgate::report::text::TextOptions::new(false),
                &mut std::io::sink(),
            )
            .map_err(|e| e.to_string())?;
            let summary = report.summary();
            if summary.files_audited != 1 {
                return Err(format!("{} was not audited", path.display()));
            }
            summary.errors + summary.warnings + summary.notes
        }
        "reader" => {
            let files = permgate::load_inputs(&[path.to_path_buf()]);
            match files.first().map(|f| &f.outcome) {
                Some(permgate::FileOutcome::Stack { stack, .. }) => stack_items(stack),
                _ => return Err(format!("{} was not read as a plan", path.display())),
            }
        }
        "whole" => {
            let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
            let file = permgate::source::SourceFile::new(path, text);
            let (_, stack) = permgate::readers::tfplan::read_plan(&file).map_err(|e| e.message)?;
            stack_items(&stack)
        }
        _ => {
            let text = std::fs::read(path).map_err(|e| e.to_string())?;
            let value: serde_json::Value =
                serde_json::from_slice(&text).map_err(|e| e.to_string())?;
            value.as_object().map(|o| o.len()).unwrap_or(0)
        }
    };
    let secs = start.elapsed().as_secs_f64();
    println!("{secs} {} {items}", peak_rss_kb());
    Ok(())
}

/// One measurement: groups, seconds, peak bytes.
type Point = (usize, f64, f64);

fn stack_items(stack: &permgate::model::Stack) -> usize {
    stack.functions.len() + stack.event_source_mappings.len() + stack.roles.len()
}

mod common;

use common::generator;

fn input(groups: usize) -> Option<PathBuf> {
    let dir = common::bench_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("tf-{groups}.json"));
    if path.is_file() {
        return Some(path);
    }
    let Some(gen_scale) = generator() else {
        println!("skipping: gen_scale.py not found (set PERMGATE_GEN_SCALE)");
        return None;
    };
    let status = Command::new("python3")
        .arg(&gen_scale)
        .arg("tf")
        .arg(groups.to_string())
        .arg("-o")
        .arg(&path)
        .status();
    match status {
        Ok(s) if s.success() => Some(path),
        _ => {
            println!("skipping: python3 {} failed", gen_scale.display());
            None
        }
    }
}

/// The same plan in a folder of its own with its `.tf` source, written by
/// `tools/gen-tf-source.py`.
fn input_with_source(groups: usize, plan: &Path) -> Option<PathBuf> {
    let dir = plan.parent()?.join(format!("tf-{groups}-src"));
    let with_source = dir.join("plan.json");
    if with_source.is_file() && dir.join("main.tf").is_file() {
        return Some(with_source);
    }
    std::fs::create_dir_all(&dir).ok()?;
    std::fs::copy(plan, &with_source).ok()?;
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/gen-tf-source.py");
    let status = Command::new("python3")
        .arg(tool)
        .arg(groups.to_string())
        .arg(&dir)
        .arg("--gen-scale")
        .arg(generator()?)
        .status();
    match status {
        Ok(s) if s.success() => Some(with_source),
        _ => {
            println!("skipping the .tf source: tools/gen-tf-source.py failed");
            None
        }
    }
}

/// One child run of `mode` on `path`: seconds and peak RSS (kB); `None`, said, when it fails.
fn run_child(mode: &str, path: &Path) -> Option<(f64, u64)> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new(&exe)
        .env(CHILD, mode)
        .arg(path)
        .output()
        .ok()?;
    if !out.status.success() {
        println!(
            "{mode} failed on {}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    let line = String::from_utf8_lossy(&out.stdout);
    let mut fields = line.split_whitespace();
    let secs: f64 = fields.next()?.parse().ok()?;
    let kb: u64 = fields.next()?.parse().ok()?;
    Some((secs, kb))
}

/// Median seconds and peak RSS (kB) of `RUNS` child runs.
fn measure(mode: &str, path: &Path) -> Option<(f64, u64)> {
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        samples.push(run_child(mode, path)?);
    }
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    samples.get(RUNS / 2).copied()
}

/// Pairs of runs for what the source adds to `check`.
const PAIRS: usize = 11;

/// What the source beside `with_source` adds to `check` of `plain`: the median seconds of each
/// and the median of the pairs' ratios less one. The two runs of a pair are made one after
/// the other, so that a slower minute of a shared machine slows both.
fn paired(plain: &Path, with_source: &Path) -> Option<(f64, f64, f64)> {
    let run = |path: &Path| run_child("check", path).map(|(secs, _)| secs);
    let mut pairs = Vec::new();
    for _ in 0..PAIRS {
        pairs.push((run(plain)?, run(with_source)?));
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied()
    };
    Some((
        median(pairs.iter().map(|p| p.0).collect())?,
        median(pairs.iter().map(|p| p.1).collect())?,
        median(pairs.iter().map(|p| p.1 / p.0 - 1.0).collect())?,
    ))
}

// The same allocator as the binary, so the figures are the ones users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    if let Ok(mode) = std::env::var(CHILD) {
        let path = std::env::args().nth(1).unwrap_or_default();
        if let Err(e) = child(&mode, Path::new(&path)) {
            eprintln!("{e}");
            std::process::exit(1);
        }
        return;
    }
    let sizes: Vec<usize> = std::env::var("PERMGATE_BENCH_TF_SIZES")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "{:>7} {:>9} {:<22} {:>8} {:>7} {:>9} {:>7}",
        "groups", "MB", "mode", "seconds", "MB/s", "peak MB", "× file"
    );
    let mut growth: Vec<(&str, Vec<Point>)> = Vec::new();
    for groups in sizes {
        let Some(path) = input(groups) else {
            return;
        };
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64;
        let with_source = input_with_source(groups, &path);
        let mut check_secs = None;
        for (mode, label) in [
            ("check", "permgate check"),
            ("check", "check + .tf source"),
            ("reader", "reader"),
            ("whole", "reader, whole text"),
            ("value", "serde_json::Value"),
        ] {
            let input = match (label, &with_source) {
                ("check + .tf source", Some(p)) => p.clone(),
                ("check + .tf source", None) => continue,
                _ => path.clone(),
            };
            let Some((secs, kb)) = measure(mode, &input) else {
                continue;
            };
            match (label, check_secs) {
                ("permgate check", _) => check_secs = Some(secs),
                ("check + .tf source", Some(_)) => {
                    if let Some((plain, sourced, added)) = paired(&path, &input) {
                        println!(
                            "{:>7} the .tf source adds {:.0} % to permgate check ({plain:.3} s → {sourced:.3} s; the median of {PAIRS} pairs of runs, one after the other)",
                            groups,
                            added * 100.0
                        );
                    }
                }
                _ => {}
            }
            let peak = kb as f64 * 1024.0;
            println!(
                "{:>7} {:>9.1} {:<22} {:>8.3} {:>7.0} {:>9.1} {:>7.2}",
                groups,
                bytes / 1e6,
                label,
                secs,
                bytes / 1e6 / secs,
                peak / 1e6,
                peak / bytes
            );
            match growth.iter_mut().find(|(l, _)| *l == label) {
                Some((_, points)) => points.push((groups, secs, peak)),
                None => growth.push((label, vec![(groups, secs, peak)])),
            }
        }
    }
    for (label, points) in &growth {
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            continue;
        };
        if last.0 <= first.0 {
            continue;
        }
        let per_group = |p: &Point| (p.1 / p.0 as f64 * 1e6, p.2 / p.0 as f64 / 1e3);
        let ((t0, m0), (t1, m1)) = (per_group(first), per_group(last));
        // The growth between the sizes, without the fixed cost (start-up, allocator, tables).
        let marginal = (last.2 - first.2) / (last.0 - first.0) as f64 / 1e3;
        println!(
            "{label}: {}× the groups took {:.1}× the time and {:.1}× the memory; \
             per group {t0:.0} → {t1:.0} µs, {m0:.1} → {m1:.1} kB (added per group: {marginal:.1} kB)",
            last.0 / first.0.max(1),
            last.1 / first.1,
            last.2 / first.2,
        );
    }
}
