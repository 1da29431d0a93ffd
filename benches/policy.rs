//! Policy benchmarks: parsing, checking and formatting the bundled policy.
//!
//! Target (issue "Performance"): parse + check of the bundled policy under 5 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use docket::semantics::check_sources;
use docket::source::{FileId, SourceMap};
use std::hint::black_box;

fn bundled() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == "docket"));
    files.sort();
    files
        .into_iter()
        .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
        .collect()
}

fn policy(c: &mut Criterion) {
    let files = bundled();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut g = c.benchmark_group("policy");
    g.throughput(criterion::Throughput::Bytes(bytes as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for (i, (_, text)) in files.iter().enumerate() {
                black_box(docket::syntax::parse(FileId(i as u32), text));
            }
        })
    });
    g.bench_function("parse+check", |b| {
        b.iter(|| {
            let mut sources = SourceMap::new();
            for (name, text) in &files {
                sources.add(name.clone(), text.clone());
            }
            let loaded = check_sources(sources);
            assert!(loaded.policy.is_some());
            black_box(loaded)
        })
    });
    g.bench_function("format", |b| {
        b.iter(|| {
            for (i, (_, text)) in files.iter().enumerate() {
                black_box(docket::syntax::format::format_source(FileId(i as u32), text).ok());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, policy);
criterion_main!(benches);
