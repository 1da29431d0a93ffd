//! `DOCKET_TIMING`: how long each stage of a load took, the memory the
//! process holds, and the heap each table and column takes.

use crate::data::{Dataset, Schema, TableData};

/// Prints a load's timings and memory to standard error.
pub(super) fn print(schema: &Schema, data: &Dataset) {
    let t = &data.timings;
    let mut parse = std::time::Duration::ZERO;
    let mut merge = std::time::Duration::ZERO;
    for (names, p, m) in &t.waves {
        eprintln!("load: {}: parse {p:?}, merge {m:?}", names.join(", "));
        parse += *p;
        merge += *m;
    }
    eprintln!(
        "load: parse {parse:?}, merge {merge:?}, references {:?}, relations {:?}; memory {}",
        t.references,
        t.relations,
        memory_status()
    );
    print_heap(schema, &data.tables);
}

/// Heap bytes per table and column (for `DOCKET_TIMING`).
fn print_heap(schema: &Schema, tables: &[TableData]) {
    for t in tables {
        let (lines, cols, index) = t.heap_bytes();
        let mb = |b: usize| b as f64 / 1e6;
        let listed: Vec<String> = schema
            .tables
            .iter()
            .find(|d| d.name == t.name)
            .map(|d| {
                d.columns
                    .iter()
                    .zip(&cols)
                    .filter(|(_, b)| **b > 0)
                    .map(|(c, b)| format!("{} {:.1}", c.name, mb(*b)))
                    .collect()
            })
            .unwrap_or_default();
        eprintln!(
            "  {}: {} rows, lines {:.1} MB, index {:.1} MB, columns {:.1} MB ({})",
            t.name,
            t.len,
            mb(lines),
            mb(index),
            mb(cols.iter().sum()),
            listed.join(", ")
        );
    }
}

/// Peak and current resident memory, from `/proc/self/status` (Linux; for
/// `DOCKET_TIMING`).
pub(super) fn memory_status() -> String {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}
