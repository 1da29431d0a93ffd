//! Shared by the benchmarks: generated exports, the bare-read floor, timing.
//!
//! `DOCKET_BENCH_CASES` sets the size (default 100000 cases; 1000000 for
//! the full-size figures); exports are generated once, by the
//! project's generator, into `target/docket-bench/`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    dead_code,
    reason = "a test or bench fails loudly by unwrapping"
)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use docket::generate::{GenOptions, generate};

/// The four files of export format v1.
pub const FILES: [&str; 4] = [
    "accounts.csv",
    "opportunities.csv",
    "cases.csv",
    "case_events.csv",
];

/// The as-of the audits run at (inside the generated history).
pub const AS_OF: &str = "2025-11-20T12:00";

/// Cases in the benchmark export.
pub fn cases() -> usize {
    std::env::var("DOCKET_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// The generated export of `cases` cases (seed 1), made on first use.
pub fn export(cases: usize) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/docket-bench/{cases}-seed1"));
    if !dir.join("case_events.csv").exists() {
        let r = generate(
            &dir,
            &GenOptions {
                cases,
                seed: 1,
                ..GenOptions::default()
            },
        );
        assert!(r.is_ok(), "{r:?}");
    }
    dir
}

/// Bytes of the export's files.
pub fn bytes(dir: &Path) -> u64 {
    FILES
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

/// The floor: a bare `csv::ByteRecord` loop counting the rows of `files`.
pub fn bare_read_files(dir: &Path, files: &[&str]) -> u64 {
    let mut rows = 0;
    let mut rec = csv::ByteRecord::new();
    for f in files {
        let Ok(mut r) = csv::ReaderBuilder::new().from_path(dir.join(f)) else {
            continue;
        };
        while r.read_byte_record(&mut rec).unwrap_or(false) {
            rows += 1;
        }
    }
    rows
}

/// The floor over the whole export.
pub fn bare_read(dir: &Path) -> u64 {
    bare_read_files(dir, &FILES)
}

/// The bundled policy, checked.
pub fn policy() -> docket::semantics::Policy {
    docket::semantics::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"))
        .policy
        .expect("bundled policy")
}

/// Best of `n` runs, in seconds.
pub fn best(n: usize, mut f: impl FnMut()) -> f64 {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// `n` timings, in seconds, of each of `a` and `b`, run in turn (a, b, a,
/// b, …) so that each pair meets the same load from the rest of the machine.
pub fn pairs(n: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> Vec<(f64, f64)> {
    (0..n).map(|_| (best(1, &mut a), best(1, &mut b))).collect()
}

/// The best time of each side of `pairs`.
pub fn best_of_pairs(pairs: &[(f64, f64)]) -> (f64, f64) {
    pairs
        .iter()
        .fold((f64::INFINITY, f64::INFINITY), |(x, y), (a, b)| {
            (x.min(*a), y.min(*b))
        })
}

/// The median of `a / b` over `pairs` (steadier than a ratio of bests on
/// a shared machine, where one side needs one quiet core and the other two).
pub fn median_ratio(pairs: &[(f64, f64)]) -> f64 {
    let mut r: Vec<f64> = pairs.iter().map(|(a, b)| a / b).collect();
    r.sort_by(f64::total_cmp);
    r.get(r.len() / 2).copied().unwrap_or(f64::NAN)
}

/// Prints one line comparing `ours` with the floor.
pub fn report(what: &str, cases: usize, mb: f64, floor: f64, ours: f64) {
    eprintln!(
        "{what} of {cases} cases ({mb:.1} MB): bare read {floor:.3} s ({:.0} MB/s), docket {ours:.3} s ({:.0} MB/s): {:.2}x the floor",
        mb / floor,
        mb / ours,
        ours / floor
    );
}
