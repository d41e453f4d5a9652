//! End-to-end audit benchmark: prints figures, never fails on time.
//!
//! Inputs come from `../shared/tools/gen_scale.py` (CloudFormation and SAM templates of growing
//! size, including the largest deployable one: 124 groups, 497 resources, ~426 kB) and, when
//! present, the shared corpus. Run with `cargo bench --bench audit`. Set `PERMGATE_BENCH_RUNS`
//! to change the number of timed runs (the median is printed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::median;

fn runs() -> usize {
    common::runs(15)
}

fn generate(kind: &str, n: usize, json: bool, dir: &Path) -> Option<PathBuf> {
    let generator = Path::new("../shared/tools/gen_scale.py");
    if !generator.exists() {
        return None;
    }
    let ext = if json { "json" } else { "yaml" };
    let out = dir.join(format!("{kind}-{n}.{ext}"));
    if !out.exists() {
        let mut cmd = Command::new("python3");
        cmd.arg(generator)
            .arg(kind)
            .arg(n.to_string())
            .arg("-o")
            .arg(&out);
        if json {
            cmd.arg("--json");
        }
        let ok = cmd.output().map(|o| o.status.success()).unwrap_or(false);
        if !ok {
            return None;
        }
    }
    Some(out)
}

fn bench(label: &str, paths: &[PathBuf]) {
    let bytes: u64 = paths.iter().map(|p| walk_size(p)).sum();
    // One warm-up run, also used to count what was found.
    let report = permgate::audit(paths);
    let summary = report.summary();
    let times: Vec<Duration> = (0..runs())
        .map(|_| {
            let start = Instant::now();
            let r = permgate::audit(paths);
            let elapsed = start.elapsed();
            std::hint::black_box(r);
            elapsed
        })
        .collect();
    let t = median(times);
    let mb = bytes as f64 / 1_000_000.0;
    println!(
        "{label:<34} {:>9.1} kB {:>9.2} ms {:>8.1} MB/s   files {:>3}  findings {}e/{}w/{}n",
        bytes as f64 / 1000.0,
        t.as_secs_f64() * 1000.0,
        mb / t.as_secs_f64().max(1e-9),
        summary.files(),
        summary.errors,
        summary.warnings,
        summary.notes,
    );
}

fn walk_size(p: &Path) -> u64 {
    if p.is_dir() {
        std::fs::read_dir(p)
            .map(|rd| rd.flatten().map(|e| walk_size(&e.path())).sum())
            .unwrap_or(0)
    } else {
        std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
    }
}

// The same allocator as the binary, so the figures are the ones users see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let dir = Path::new("target/bench-inputs");
    if std::fs::create_dir_all(dir).is_err() {
        eprintln!("cannot create {}", dir.display());
        return;
    }
    println!(
        "permgate audit, median of {} runs (release build recommended)",
        runs()
    );
    let mut any = false;
    for (kind, n, json) in [
        ("cfn", 10, false),
        ("cfn", 124, false),
        ("cfn", 124, true),
        ("cfn", 450, false),
        ("sam", 10, false),
        ("sam", 124, false),
        ("sam", 450, false),
    ] {
        if let Some(p) = generate(kind, n, json, dir) {
            any = true;
            let label = format!("{kind} {n} groups{}", if json { " (json)" } else { "" });
            bench(&label, &[p]);
        }
    }
    if !any {
        println!("(python3 or ../shared/tools/gen_scale.py not found: no generated inputs)");
    }
    let corpus = PathBuf::from("../shared/corpus");
    if corpus.is_dir() {
        bench("shared corpus (all files)", &[corpus]);
    }
}
