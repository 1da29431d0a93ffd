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
/// Returns its peak resident memory in MB (docket prints it at exit when
/// `DOCKET_TIMING` is set).
fn docket(args: &[&str], dir: &Path) -> f64 {
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(args)
        .arg("--policy")
        .arg(&policies)
        .arg("--data")
        .arg(dir)
        .args(["--as-of", AS_OF])
        .env("DOCKET_TIMING", "1")
        .stdout(std::process::Stdio::null())
        .output()
        .expect("docket runs");
    // 0 or 1 (findings); 2 would mean the run could not start.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        out.status
    );
    let err = String::from_utf8_lossy(&out.stderr);
    err.lines()
        .filter_map(|l| l.strip_prefix("docket: at exit: VmHWM: "))
        .filter_map(|l| l.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .next_back()
        .unwrap_or(f64::NAN)
}

/// `check --format FORMAT`, the report written to a file; its peak in MB.
fn check_as(dir: &Path, threads: usize, format: &str) -> f64 {
    let out = std::env::temp_dir().join("docket-bench-report.out");
    let out = out.to_string_lossy();
    let threads = threads.to_string();
    docket(
        &[
            "check",
            "--format",
            format,
            "--quiet",
            "--threads",
            &threads,
            "--output",
            &out,
        ],
        dir,
    )
}

/// `check --format json`, the report written to a file.
fn check(dir: &Path, threads: usize) {
    check_as(dir, threads, "json");
}

/// Every format of `check`: time against the floor, peak memory against
/// the export's size (target: at most half of it).
fn formats(dir: &Path, mb: f64, floor: f64) {
    for format in [
        "summary", "json", "ndjson", "csv", "html", "sarif", "junit", "github", "human",
    ] {
        let mut peak = f64::NAN;
        let t = best(2, || peak = check_as(dir, 2, format));
        eprintln!(
            "  check --format {format:<8} {t:6.3} s  {:5.2}x the floor  peak {peak:6.0} MB  {:4.2}x the input",
            t / floor,
            peak / mb
        );
    }
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
    let eval_as = |walk: bool, counts: bool| {
        let ev = Evaluator::new(&p, &data, now, &[]);
        let ev = if walk { ev.tree_walking() } else { ev };
        let ev = if counts { ev.counting_only() } else { ev };
        let a = audit::run(&ev, false, &|_| (), &mut |()| {}, &|_| {});
        a.subjects
    };
    let eval_by = |walk: bool| eval_as(walk, false);
    let eval = || eval_by(false);
    let number = middle_case(&dir, n);

    let floor = best(3, || {
        std::hint::black_box(bare_read(&dir));
    });
    let eval_s = best(3, || {
        std::hint::black_box(eval());
    });
    let walk_s = best(3, || {
        std::hint::black_box(eval_by(true));
    });
    let counts_s = best(3, || {
        std::hint::black_box(eval_as(false, true));
    });
    let one = best(2, || check(&dir, 1));
    let two = best(2, || check(&dir, 2));
    let mut case_peak = f64::NAN;
    let case_s = best(3, || case_peak = docket(&["case", &number], &dir));
    report("evaluation alone (loaded tables)", n, mb, floor, eval_s);
    report(
        "evaluation alone, tree walker (no plan)",
        n,
        mb,
        floor,
        walk_s,
    );
    report(
        "evaluation alone, counts only (as --format summary)",
        n,
        mb,
        floor,
        counts_s,
    );
    report("check --format json, 2 threads", n, mb, floor, two);
    report("check --format json, 1 thread", n, mb, floor, one);
    eprintln!("  two threads {:.2}x faster than one", one / two);
    report(&format!("case {number}"), n, mb, floor, case_s);
    eprintln!("  case peak {case_peak:.0} MB");
    eprintln!("every format (2 threads, best of 2):");
    formats(&dir, mb, floor);

    let mut g = c.benchmark_group("audit");
    g.throughput(Throughput::Bytes(size));
    g.sample_size(10);
    g.bench_function("bare ByteRecord read", |b| b.iter(|| bare_read(&dir)));
    g.bench_function("evaluation alone", |b| b.iter(eval));
    g.bench_function("check --format json", |b| b.iter(|| check(&dir, 2)));
    g.bench_function("case", |b| {
        b.iter(|| docket(&["case", &number], &dir));
    });
    g.finish();
}

criterion_group!(benches, audits);
criterion_main!(benches);
