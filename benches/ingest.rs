//! Ingest throughput: docket's typed loading of a generated export, against
//! a bare `csv::ByteRecord` read of the same files (the floor).
//!
//! `DOCKET_BENCH_CASES` sets the size (default 100000 cases); exports are
//! generated once into `target/docket-bench/`. Target (issue "Typed CSV
//! ingestion"): ingest at ≥ 50% of the bare read's throughput.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use docket::data::{Sources, load};
use docket::generate::{GenOptions, generate};

const FILES: [&str; 4] = [
    "accounts.csv",
    "opportunities.csv",
    "cases.csv",
    "case_events.csv",
];

fn cases() -> usize {
    std::env::var("DOCKET_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn export(cases: usize) -> PathBuf {
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

fn bytes(dir: &Path) -> u64 {
    FILES
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

fn bare_read(dir: &Path) -> u64 {
    let mut rows = 0;
    let mut rec = csv::ByteRecord::new();
    for f in FILES {
        let Ok(mut r) = csv::ReaderBuilder::new().from_path(dir.join(f)) else {
            continue;
        };
        while r.read_byte_record(&mut rec).unwrap_or(false) {
            rows += 1;
        }
    }
    rows
}

fn policy() -> docket::semantics::Policy {
    docket::semantics::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"))
        .policy
        .expect("bundled policy")
}

fn docket_load(p: &docket::semantics::Policy, dir: &Path) -> usize {
    let d = load(
        p,
        &Sources {
            dir: Some(dir.to_path_buf()),
            tables: Vec::new(),
            keep: None,
        },
    )
    .expect("export loads");
    d.tables.iter().map(|t| t.len).sum()
}

/// Best of `n` runs, in seconds.
fn best(n: usize, mut f: impl FnMut()) -> f64 {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn ingest(c: &mut Criterion) {
    let n = cases();
    let dir = export(n);
    let size = bytes(&dir);
    let p = policy();
    // The ratio, measured directly so every run reports it.
    let floor = best(3, || {
        std::hint::black_box(bare_read(&dir));
    });
    let ours = best(3, || {
        std::hint::black_box(docket_load(&p, &dir));
    });
    let mb = size as f64 / 1e6;
    eprintln!(
        "ingest of {n} cases ({mb:.1} MB): bare read {:.0} MB/s ({floor:.3} s), docket {:.0} MB/s ({ours:.3} s): docket at {:.0}% of the floor",
        mb / floor,
        mb / ours,
        100.0 * floor / ours
    );
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Bytes(size));
    g.sample_size(10);
    g.bench_function("bare ByteRecord read", |b| b.iter(|| bare_read(&dir)));
    g.bench_function("docket load", |b| b.iter(|| docket_load(&p, &dir)));
    g.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
