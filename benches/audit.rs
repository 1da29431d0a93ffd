//! Audit benchmarks (issue "Performance"): evaluation alone on loaded
//! tables, the whole `check --format json` pipeline (the release binary,
//! report written to a file), and `case` for one case — each against the
//! bare `csv::ByteRecord` read of the same files, so every run reports
//! the ratio docket / floor. Targets: check ≤ 2x the floor, `case` ≤ the
//! floor, two threads ≥ 1.6x faster than one.
//!
//! `DOCKET_BENCH_CASES=1000000 cargo bench --bench audit` for the
//! full-size figures.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test or bench fails loudly by unwrapping"
)]

use std::path::Path;
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use docket::data::{Loader, Sources};
use docket::eval::{Evaluator, audit};

mod common;
use common::*;

fn as_of_ms(p: &docket::semantics::Policy) -> i64 {
    docket::time::parse_as_of(AS_OF, p.timezone)
        .expect("as-of")
        .instant
        .0
}

/// The release binary with `args` on the bench export; stdout discarded.
fn docket(args: &[&str], dir: &Path) {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let status = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .arg("--policy")
        .arg(&policies)
        .arg("--data")
        .arg(dir)
        .args(["--as-of", AS_OF])
        .stdout(std::process::Stdio::null())
        .status()
        .expect("docket runs");
    // 0 or 1 (findings); 2 would mean the run could not start.
    assert!(matches!(status.code(), Some(0 | 1)), "{args:?}: {status}");
}

/// `check --format json`, the report written to a file.
fn check(dir: &Path, threads: usize) {
    let out = std::env::temp_dir().join("docket-bench-report.json");
    let out = out.to_string_lossy();
    let threads = threads.to_string();
    docket(
        &[
            "check",
            "--format",
            "json",
            "--quiet",
            "--threads",
            &threads,
            "--output",
            &out,
        ],
        dir,
    );
}

/// A case in the middle of the export.
fn middle_case(dir: &Path, n: usize) -> String {
    let mut r = csv::Reader::from_path(dir.join("cases.csv")).expect("cases.csv");
    let col = r
        .headers()
        .expect("header")
        .iter()
        .position(|h| h == "Case Number")
        .expect("Case Number column");
    r.records()
        .nth(n / 2)
        .and_then(|rec| rec.ok())
        .and_then(|rec| rec.get(col).map(str::to_string))
        .expect("a case")
}

fn audits(c: &mut Criterion) {
    let n = cases();
    let dir = export(n);
    let size = bytes(&dir);
    let mb = size as f64 / 1e6;
    let p = policy();
    let now = as_of_ms(&p);
    let data = Loader::new(&p.schema())
        .sources(Sources::dir(&dir))
        .load()
        .expect("export loads");
    let eval = || {
        let ev = Evaluator::new(&p, &data, now, &[]);
        let a = audit::run(&ev, false, &|_| (), &mut |()| {}, &|_| {});
        a.subjects
    };
    let number = middle_case(&dir, n);

    let floor = best(3, || {
        std::hint::black_box(bare_read(&dir));
    });
    let eval_s = best(3, || {
        std::hint::black_box(eval());
    });
    let one = best(2, || check(&dir, 1));
    let two = best(2, || check(&dir, 2));
    let case_s = best(3, || docket(&["case", &number], &dir));
    report("evaluation alone (loaded tables)", n, mb, floor, eval_s);
    report("check --format json, 2 threads", n, mb, floor, two);
    report("check --format json, 1 thread", n, mb, floor, one);
    eprintln!("  two threads {:.2}x faster than one", one / two);
    report(&format!("case {number}"), n, mb, floor, case_s);

    let mut g = c.benchmark_group("audit");
    g.throughput(Throughput::Bytes(size));
    g.sample_size(10);
    g.bench_function("bare ByteRecord read", |b| b.iter(|| bare_read(&dir)));
    g.bench_function("evaluation alone", |b| b.iter(eval));
    g.bench_function("check --format json", |b| b.iter(|| check(&dir, 2)));
    g.bench_function("case", |b| b.iter(|| docket(&["case", &number], &dir)));
    g.finish();
}

criterion_group!(benches, audits);
criterion_main!(benches);
