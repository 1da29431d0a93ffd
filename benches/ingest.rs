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

/// The export re-saved as `kind` (once, next to it): `report` is a CRM
/// report export on a Western Windows machine (Windows-1252, `;`, every
/// value quoted, CRLF, a footer); `utf16` is Excel's "Unicode text"
/// (UTF-16LE with a byte-order mark).
fn resaved(dir: &Path, kind: &str) -> std::path::PathBuf {
    let to = dir.with_file_name(format!(
        "{}-{kind}",
        dir.file_name().unwrap().to_string_lossy()
    ));
    if to.join("case_events.csv").exists() {
        return to;
    }
    std::fs::create_dir_all(&to).unwrap();
    for f in [
        "accounts.csv",
        "opportunities.csv",
        "cases.csv",
        "case_events.csv",
    ] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        let bytes = if kind == "utf16" {
            [0xFF, 0xFE]
                .into_iter()
                .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
                .collect()
        } else {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut w = csv::WriterBuilder::new()
                .delimiter(b';')
                .quote_style(csv::QuoteStyle::Always)
                .terminator(csv::Terminator::CRLF)
                .flexible(true)
                .from_writer(Vec::new());
            for rec in r.byte_records() {
                w.write_byte_record(&rec.unwrap()).unwrap();
            }
            let mut out = String::from_utf8(w.into_inner().unwrap()).unwrap();
            out.push_str("\r\n\"Report\"\r\n\"Generated By:  Jane Doe  11/20/2025 1:44 PM\"\r\n");
            encoding_rs::WINDOWS_1252.encode(&out).0.into_owned()
        };
        std::fs::write(to.join(f), bytes).unwrap();
    }
    to
}

fn load_with(schema: &Schema, dir: &Path, encoding: &str) -> usize {
    let mut sources = Sources::dir(dir);
    for t in ["account", "opportunity", "case", "event"] {
        let mut o = docket::data::dialect::DialectOverride::default();
        if !encoding.is_empty() {
            o.set("encoding", encoding).unwrap();
        }
        sources = sources.with_dialect(t, o);
    }
    let d = Loader::new(schema)
        .sources(sources)
        .load()
        .expect("export loads");
    d.tables.iter().map(|t| t.len).sum()
}

/// What reading another dialect costs: the same export as a Windows-1252
/// `;` report export (declared encoding; delimiter and footer detected)
/// and as UTF-16 (detected), against the plain UTF-8 load.
fn dialects(c: &mut Criterion) {
    let n = cases();
    let dir = export(n);
    let schema = policy().schema();
    let report_dir = resaved(&dir, "report");
    let utf16_dir = resaved(&dir, "utf16");
    let rows = docket_load(&schema, &dir);
    assert_eq!(load_with(&schema, &report_dir, "windows-1252"), rows);
    assert_eq!(load_with(&schema, &utf16_dir, ""), rows);
    for (name, d, enc) in [
        ("report", &report_dir, "windows-1252"),
        ("utf16", &utf16_dir, ""),
    ] {
        let (plain, other) = best_of_pairs(&pairs(
            5,
            || {
                std::hint::black_box(docket_load(&schema, &dir));
            },
            || {
                std::hint::black_box(load_with(&schema, d, enc));
            },
        ));
        eprintln!(
            "{name}: plain UTF-8 load {:.0} ms, {name} load {:.0} ms ({:.2}x)",
            plain * 1e3,
            other * 1e3,
            other / plain
        );
    }
    let mut g = c.benchmark_group("ingest dialects");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes(&dir)));
    g.bench_function("Windows-1252, ; quoted, footer", |b| {
        b.iter(|| load_with(&schema, &report_dir, "windows-1252"))
    });
    g.bench_function("UTF-16LE with a mark", |b| {
        b.iter(|| load_with(&schema, &utf16_dir, ""))
    });
    g.finish();
}

criterion_group!(benches, ingest, per_table, dialects);
criterion_main!(benches);
