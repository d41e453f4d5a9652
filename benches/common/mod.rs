//! What the benchmarks share: how many runs, the median, where generated inputs live and the
//! scale generator. Each bench uses part of it.

#![allow(dead_code, reason = "each benchmark uses only some of these helpers")]

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Timed runs per input: `PERMGATE_BENCH_RUNS`, else `default`.
pub fn runs(default: usize) -> usize {
    std::env::var("PERMGATE_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

pub fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// The folder generated inputs are cached in: `PERMGATE_BENCH_DIR`, else the temp directory.
pub fn bench_dir() -> PathBuf {
    std::env::var("PERMGATE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join("permgate-bench"))
}

/// `gen_scale.py`: `PERMGATE_GEN_SCALE`, else beside the project in `shared/tools/`.
pub fn generator() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var("PERMGATE_GEN_SCALE").ok().map(PathBuf::from),
        Some(manifest.join("../shared/tools/gen_scale.py")),
        Some(manifest.join("../../shared/tools/gen_scale.py")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}
