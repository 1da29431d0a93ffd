//! Ingest throughput: docket's typed loading of a generated export, against
//! a bare `csv::ByteRecord` read of the same files (the floor).
//!
//! `DOCKET_BENCH_CASES` sets the size (default 100000 cases); exports are
//! generated once into `target/docket-bench/`. Target (issue "Typed CSV
//! ingestion"): ingest at ≥ 50% of the bare read's throughput.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a test or bench fails loudly by unwrapping"
)]

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use docket::data::{Loader, Schema, Sources};

mod common;
use common::*;

fn docket_load(schema: &Schema, dir: &Path) -> usize {
    let d = Loader::new(schema)
        .sources(Sources::dir(dir))
        .load()
        .expect("export loads");
    d.tables.iter().map(|t| t.len).sum()
}

/// A policy that declares only `table` (references read as text, no
/// relations), to time one file's typed load on its own. All its columns
/// are kept.
fn single_table(table: &str) -> docket::semantics::Policy {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let header: String = std::fs::read_to_string(root.join("policy.docket"))
        .expect("policy.docket")
        .lines()
        .take_while(|l| !l.starts_with("define") && !l.starts_with("rule"))
        .map(|l| format!("{l}\n"))
        .collect();
    let tables = std::fs::read_to_string(root.join("tables.docket")).expect("tables.docket");
    let start = tables
        .find(&format!("table {table} from"))
        .expect("declared table");
    let rest = &tables[start..];
    let end = rest[1..].find("\ntable ").map_or(rest.len(), |e| e + 1);
    let decl: String = rest[..end]
        .lines()
        .filter(|l| !l.contains(" many "))
        .map(|l| {
            let l = match l.find(": ref ") {
                Some(i) => {
                    let after = &l[i + 6..];
                    let from = after.find(" from").unwrap_or(0);
                    format!("{}: text{}", &l[..i], &after[from..])
                }
                None => l.to_string(),
            };
            l.replace(" required", "") + "\n"
        })
        .collect();
    let mut sources = docket::source::SourceMap::new();
    sources.add("policy.docket".to_string(), header);
    sources.add(format!("{table}.docket"), decl);
    let loaded = docket::semantics::check_sources(sources);
    loaded.policy.expect("single-table policy")
}

/// `p`'s schema with every declared column stored.
fn all_columns(p: &docket::semantics::Policy) -> Schema {
    let mut schema = p.schema();
    for t in &mut schema.tables {
        for c in &mut t.columns {
            c.used = true;
        }
    }
    schema
}

/// Each file on its own: typed load of every declared column against the
/// bare read of that file.
fn per_table(c: &mut Criterion) {
    let n = cases();
    let dir = export(n);
    let mut g = c.benchmark_group("ingest per table");
    g.sample_size(10);
    for (table, file) in [
        ("account", "accounts.csv"),
        ("opportunity", "opportunities.csv"),
        ("case", "cases.csv"),
        ("event", "case_events.csv"),
    ] {
        let schema = all_columns(&single_table(table));
        let size = std::fs::metadata(dir.join(file)).map_or(0, |m| m.len());
        let (floor, ours) = best_of_pairs(&pairs(
            3,
            || {
                std::hint::black_box(bare_read_files(&dir, &[file]));
            },
            || {
                std::hint::black_box(docket_load(&schema, &dir));
            },
        ));
        report(&format!("ingest {file}"), n, size as f64 / 1e6, floor, ours);
        g.throughput(Throughput::Bytes(size));
        g.bench_function(format!("{table}: docket load, all columns"), |b| {
            b.iter(|| docket_load(&schema, &dir))
        });
    }
    g.finish();
}

fn ingest(c: &mut Criterion) {
    let n = cases();
    let dir = export(n);
    let size = bytes(&dir);
    let schema = policy().schema();
    // The ratio, measured directly so every run reports it: the two in
    // turn, seven times.
    let runs = pairs(
        7,
        || {
            std::hint::black_box(bare_read(&dir));
        },
        || {
            std::hint::black_box(docket_load(&schema, &dir));
        },
    );
    let (floor, ours) = best_of_pairs(&runs);
    let mb = size as f64 / 1e6;
    report("ingest (bundled policy's columns)", n, mb, floor, ours);
    eprintln!(
        "  docket ingest at {:.0}% of the floor's throughput (best against best; {:.0}% over the median pair)",
        100.0 * floor / ours,
        100.0 * median_ratio(&runs)
    );
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Bytes(size));
    g.sample_size(10);
    g.bench_function("bare ByteRecord read", |b| b.iter(|| bare_read(&dir)));
    g.bench_function("docket load", |b| b.iter(|| docket_load(&schema, &dir)));
    g.finish();
}

criterion_group!(benches, ingest, per_table);
criterion_main!(benches);
