//! Replays every input kept under `tests/fuzz-regressions/<target>/`
//! through the same harness the fuzz targets run (`fuzz/src/lib.rs`): an
//! input that once crashed docket must never crash it again.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code,
    reason = "a test or bench fails loudly by unwrapping"
)]

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::Path;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.file_name() != ".gitkeep")
                .map(|e| {
                    (
                        e.path().display().to_string(),
                        std::fs::read(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn kept_inputs_never_crash_again() {
    let mut replayed = 0;
    for target in [
        "policy",
        "ingest_accounts",
        "ingest_opportunities",
        "ingest_cases",
        "ingest_events",
        "ingest_dialect",
        "pipeline",
    ] {
        for (name, bytes) in inputs(target) {
            eprintln!("replaying {name}");
            match target {
                "policy" => {
                    if let Ok(text) = std::str::from_utf8(&bytes) {
                        harness::policy_text(text);
                    }
                }
                "ingest_accounts" => harness::ingest("accounts.csv", &bytes),
                "ingest_opportunities" => harness::ingest("opportunities.csv", &bytes),
                "ingest_cases" => harness::ingest("cases.csv", &bytes),
                "ingest_dialect" => harness::ingest_dialect(&bytes),
                "ingest_events" => harness::ingest("case_events.csv", &bytes),
                _ => harness::pipeline(&bytes),
            }
            replayed += 1;
        }
    }
    eprintln!("{replayed} kept inputs replayed");
}

/// The harness itself runs on the project's own seeds (so a broken
/// harness shows up in `cargo test`, not only under the fuzzer).
#[test]
fn the_harness_runs_on_the_seeds() {
    for (_, text) in harness::bundled() {
        harness::policy_text(text);
    }
    for f in [
        "accounts.csv",
        "opportunities.csv",
        "cases.csv",
        "case_events.csv",
    ] {
        harness::ingest(f, &harness::example(f));
        harness::ingest(f, b"");
        harness::ingest(f, b"\xef\xbb\xbfnot,a,header\r\n\"open");
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (head, file) in [
        (&[1u8, 0, 4, 0], "examples/report/cases.csv"),
        (&[0, 0, 0, 0], "examples/workbook/cases.xlsx"),
        (&[3, 3, 1, 4], "examples/data/cases.csv"),
    ] {
        let bytes = std::fs::read(root.join(file)).unwrap();
        harness::ingest_dialect(&[&head[..], &bytes].concat());
        harness::ingest_dialect(&[&head[..], bytes.get(..1000).unwrap()].concat());
    }
    harness::ingest_dialect(b"");
    harness::pipeline(b"rule r \"R\"\n  severity error\n  for case\n  require case.owner is present\n\xffCase Number,Account ID\nC-1,A1\n\xff");
}

/// Where no fuzzer runs, a few hundred mutations of the dialect target's
/// seeds (the report export and the workbook) stand in for one.
mod mutated {
    use super::*;
    use proptest::prelude::*;

    fn seed(which: usize) -> Vec<u8> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (head, file) = match which {
            0 => ([1u8, 0, 4, 0], "examples/report/cases.csv"),
            1 => ([0, 0, 0, 0], "examples/workbook/cases.xlsx"),
            _ => ([2, 1, 1, 5], "examples/report/case_events.csv"),
        };
        let bytes = std::fs::read(root.join(file)).unwrap();
        [&head[..], &bytes[..bytes.len().min(6000)]].concat()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        #[test]
        fn mutated_seeds_never_crash(
            which in 0usize..3,
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..12),
        ) {
            let mut bytes = seed(which);
            for (at, byte, kind) in edits {
                if bytes.is_empty() {
                    break;
                }
                let i = at.index(bytes.len());
                match kind {
                    0 => bytes[i] = byte,
                    1 => bytes.insert(i, byte),
                    _ => {
                        bytes.remove(i);
                    }
                }
            }
            harness::ingest_dialect(&bytes);
        }
    }
}
