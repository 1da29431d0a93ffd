//! Shared by the fuzz targets: the bundled policy, the example export, and
//! one function per stage that must never panic, whatever the input.
//! `tests/fuzz_regressions.rs` includes this file to replay kept inputs.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use docket::data::{Input, Sources};
use docket::eval::{Evaluator, audit};
use docket::semantics::{Policy, check_sources};
use docket::source::{FileId, SourceMap};

/// The project root: this file is built both in `fuzz/` (by cargo-fuzz)
/// and in the main crate's tests (which replay kept crashes).
fn root() -> &'static Path {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    if here.join("policies").is_dir() {
        here
    } else {
        here.parent().unwrap_or(here)
    }
}

/// The bundled policy's files, as (name, text).
pub fn bundled() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join("policies"))
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        paths.retain(|p| p.extension().is_some_and(|e| e == "docket"));
        paths.sort();
        paths
            .into_iter()
            .filter_map(|p| Some((p.display().to_string(), std::fs::read_to_string(&p).ok()?)))
            .collect()
    })
}

/// The bundled policy, checked once.
pub fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| policy_with(bundled()).expect("the bundled policy checks"))
}

fn policy_with(files: &[(String, String)]) -> Option<Policy> {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(name.clone(), text.clone());
    }
    check_sources(sources).policy
}

/// Parses, checks and formats arbitrary policy text.
pub fn policy_text(text: &str) {
    let _ = docket::syntax::parse(FileId(0), text);
    let _ = docket::syntax::format::format_source(FileId(0), text);
    let mut files = vec![("fuzz.docket".to_string(), text.to_string())];
    let _ = policy_with(&files);
    // Also as one more file of the bundled policy (its tables in scope).
    files.extend(bundled().iter().cloned());
    let _ = policy_with(&files);
}

/// The example export's file for `file`.
pub fn example(file: &str) -> Vec<u8> {
    std::fs::read(root().join("examples/data").join(file)).unwrap_or_default()
}

/// Loads the example export with `file` replaced by `bytes`, checks the
/// accounting, and evaluates every case.
pub fn ingest(file: &str, bytes: &[u8]) {
    run(policy(), export_with(file, bytes));
}

/// The example export in memory, with `file` replaced by `bytes`.
fn export_with(file: &str, bytes: &[u8]) -> Sources {
    let files = [
        "accounts.csv",
        "opportunities.csv",
        "cases.csv",
        "case_events.csv",
    ];
    in_memory(files.map(|f| {
        let data = if f == file {
            bytes.to_vec()
        } else {
            example(f)
        };
        (f, data)
    }))
}

/// Loads the example export with `cases.csv` replaced by the input after
/// its first four bytes, read in the dialect those bytes choose (delimiter,
/// quote, escape, encoding, lines before the header, footer rule, a
/// missing-value text and a footer pattern): the decoding, rewriting and
/// footer readers, and a workbook when the bytes are one.
pub fn ingest_dialect(input: &[u8]) {
    let (head, bytes) = input.split_at(input.len().min(4));
    let pick = |i: usize| usize::from(head.get(i).copied().unwrap_or(0));
    let encodings = [
        "utf-8",
        "utf-16le",
        "utf-16be",
        "utf-32le",
        "windows-1252",
        "iso-8859-1",
        "shift_jis",
    ];
    let mut o = docket::data::dialect::DialectOverride::default();
    let choices = [
        ("delimiter", [",", ";", "\t", "|"][pick(0) % 4]),
        ("quote", ["\"", "'"][pick(1) % 2]),
        ("encoding", encodings[pick(2) % encodings.len()]),
        ("skip-lines", ["0", "1", "2"][pick(3) % 3]),
        ("footer", ["auto", "none", "blank-line"][pick(3) / 3 % 3]),
    ];
    for (option, value) in choices {
        let _ = o.set(option, value);
    }
    if pick(1) & 2 != 0 {
        let _ = o.set("escape", "\\");
    }
    if pick(0) & 4 != 0 {
        let _ = o.set("null", "-");
        let _ = o.set("footer-matching", "^Total");
    }
    run(
        policy(),
        export_with("cases.csv", bytes).with_dialect("case", o),
    );
}

/// An export held in memory: each file given as its table's input.
fn in_memory(files: [(&str, Vec<u8>); 4]) -> Sources {
    let mut sources = Sources::default();
    for (name, bytes) in files {
        let stem = name.trim_end_matches(".csv");
        sources = sources.with_table(
            stem,
            Input::Memory {
                name: name.to_string(),
                bytes: bytes.into(),
            },
        );
    }
    sources
}

/// Loads `sources` under `p` and audits them; accounting must add up.
pub fn run(p: &Policy, sources: Sources) {
    let Ok(data) = docket::data::Loader::new(&p.schema())
        .sources(sources)
        .load()
    else {
        return;
    };
    for a in &data.accounts {
        let rejected: u64 = a.rejected.values().sum();
        // Lost rows are a bug as real as a panic.
        assert_eq!(a.read, a.loaded + rejected + a.skipped, "{a:?}");
    }
    // Fixed as-of: 2025-11-20T12:00Z.
    let ev = Evaluator::new(p, &data, 1_763_640_000_000, &[]);
    let _ = audit::run(&ev, false, &|f| f.len(), &mut |_| {}, &|_| {});
}

/// Extra policy text (added to the bundled tables and header), a cases
/// file and an events file, separated by 0xFF bytes (never in UTF-8 text).
pub fn pipeline(input: &[u8]) {
    let mut parts = input.split(|b| *b == 0xFF);
    let rules = parts.next().unwrap_or_default();
    let cases = parts.next().unwrap_or_default();
    let events = parts.next().unwrap_or_default();
    let Ok(rules) = std::str::from_utf8(rules) else {
        return;
    };
    let mut files: Vec<(String, String)> = bundled()
        .iter()
        .filter(|(n, _)| n.ends_with("tables.docket") || n.ends_with("policy.docket"))
        .cloned()
        .collect();
    files.push(("fuzz.docket".to_string(), rules.to_string()));
    let Some(p) = policy_with(&files) else { return };
    let export = [
        ("accounts.csv", example("accounts.csv")),
        ("opportunities.csv", example("opportunities.csv")),
        ("cases.csv", cases.to_vec()),
        ("case_events.csv", events.to_vec()),
    ];
    run(&p, in_memory(export));
}
