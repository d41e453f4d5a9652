//! Terraform plan reader throughput and peak memory, next to `serde_json::Value` on the same bytes.
//!
//! Input: plans written by `gen_scale.py tf N` (sizes from `PERMGATE_BENCH_TF_SIZES`, default
//! `1000,10000` groups of five resources; the generator from `PERMGATE_GEN_SCALE` or the shared
//! tools folder; files cached in `PERMGATE_BENCH_DIR` or the temp directory). Output: one line per
//! size and parser with MB/s (10^6 B/s, end to end: read the file, parse, build the stack, drop)
//! and peak RSS (`VmHWM`), each measured in a fresh child process so that one parser's peak does
//! not hide another's. Prints figures; never fails on time. Skips with a notice when python3 or
//! the generator is missing.

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
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let items = match mode {
        "reader" => {
            let file = permgate::source::SourceFile::new(path, text);
            let (_, stack) = permgate::readers::tfplan::read_plan(&file).map_err(|e| e.message)?;
            stack.functions.len() + stack.event_source_mappings.len() + stack.roles.len()
        }
        _ => {
            let value: serde_json::Value =
                serde_json::from_slice(text.as_bytes()).map_err(|e| e.to_string())?;
            value.as_object().map(|o| o.len()).unwrap_or(0)
        }
    };
    let secs = start.elapsed().as_secs_f64();
    println!("{secs} {} {items}", peak_rss_kb());
    Ok(())
}

fn generator() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var("PERMGATE_GEN_SCALE").ok().map(PathBuf::from),
        Some(manifest.join("../shared/tools/gen_scale.py")),
        Some(manifest.join("../../shared/tools/gen_scale.py")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

fn input(groups: usize) -> Option<PathBuf> {
    let dir = std::env::var("PERMGATE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("permgate-bench"));
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

/// Median seconds and peak RSS (kB) of `RUNS` child runs.
fn measure(mode: &str, path: &Path) -> Option<(f64, u64)> {
    let exe = std::env::current_exe().ok()?;
    let mut samples = Vec::new();
    for _ in 0..RUNS {
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
        samples.push((secs, kb));
    }
    samples.sort_by(|a, b| a.0.total_cmp(&b.0));
    samples.get(RUNS / 2).copied()
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
        "{:>7} {:>9} {:<18} {:>8} {:>9} {:>10} {:>8}",
        "groups", "MB", "parser", "seconds", "MB/s", "peak MB", "× file"
    );
    let mut reader_times = Vec::new();
    for groups in sizes {
        let Some(path) = input(groups) else {
            return;
        };
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0) as f64;
        for (mode, label) in [
            ("reader", "permgate tfplan"),
            ("value", "serde_json::Value"),
        ] {
            let Some((secs, kb)) = measure(mode, &path) else {
                continue;
            };
            let peak = kb as f64 * 1024.0;
            println!(
                "{:>7} {:>9.1} {:<18} {:>8.3} {:>9.0} {:>10.1} {:>8.2}",
                groups,
                bytes / 1e6,
                label,
                secs,
                bytes / 1e6 / secs,
                peak / 1e6,
                peak / bytes
            );
            if mode == "reader" {
                reader_times.push((groups, secs));
            }
        }
    }
    if let (Some(first), Some(last)) = (reader_times.first(), reader_times.last()) {
        if last.0 > first.0 {
            println!(
                "reader growth: {}× the groups took {:.1}× the time",
                last.0 / first.0.max(1),
                last.1 / first.1
            );
        }
    }
}
