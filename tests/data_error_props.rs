//! Property tests of how data errors change what rules see (issue "never
//! silently wrong", item 3): an unreadable cell reads exactly as a missing
//! one, a row that cannot be split into fields is as if it were not there,
//! and so a data error never removes a violation the readable rows prove —
//! for ladders and quantifiers over events too, with the broken row dropped
//! or with one cell unreadable.
//!
//! Exports come from the project's generator (every rule fires on them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::audit::{Seen, policy};
use docket::data::Sources;
use docket::eval::Status;
use docket::generate::{GenOptions, generate};
use docket::semantics::Policy;
use proptest::prelude::*;

const AS_OF: &str = "2025-11-20T12:00";

/// Every finding of the bundled policy over the export in `dir`, and how
/// many data errors the export has.
fn audit_of(p: &Policy, dir: &Path) -> (BTreeSet<Seen>, usize) {
    common::audit::audit_of(p, Sources::dir(dir), AS_OF)
}

/// The violations: rule, case and mark (a message may change with the
/// rows read, the violation stays).
fn violations(s: &BTreeSet<Seen>) -> BTreeSet<(String, String, Option<u64>)> {
    s.iter()
        .filter(|f| f.2 == Status::Violated)
        .map(|f| (f.0.clone(), f.1.clone(), f.3))
        .collect()
}

fn generated(cases: usize, seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let opts = GenOptions {
        cases,
        seed,
        ..GenOptions::default()
    };
    generate(dir.path(), &opts).unwrap();
    dir
}

/// A copy of `from` whose file `name` has `edit` applied to its records
/// (header first, each a list of raw fields).
fn edited(from: &Path, name: &str, edit: impl FnOnce(&mut Vec<Vec<Vec<u8>>>)) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, to.path().join(p.file_name().unwrap())).unwrap();
    }
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(from.join(name))
        .unwrap();
    let mut rows: Vec<Vec<Vec<u8>>> = r
        .byte_records()
        .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
        .collect();
    edit(&mut rows);
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(to.path().join(name))
        .unwrap();
    for row in rows {
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    to
}

fn column(rows: &[Vec<Vec<u8>>], header: &str) -> usize {
    rows[0].iter().position(|h| h == header.as_bytes()).unwrap()
}

/// A copy of data row `pick` (modulo the rows) named `name`, and where it
/// was taken from.
fn event_like(rows: &[Vec<Vec<u8>>], pick: usize, name: &str) -> (usize, Vec<Vec<u8>>) {
    let r = 1 + pick % (rows.len() - 1);
    let mut row = rows[r].clone();
    row[column(rows, "Event")] = name.as_bytes().to_vec();
    (r, row)
}

/// What a broken cell holds: text no column of that type reads.
fn garbage(header: &str) -> Vec<u8> {
    match header {
        "Timestamp" | "Closed At" | "Opened At" => b"the 3rd, at noon".to_vec(),
        "Event" | "Status" | "Type" => b"Something Else".to_vec(),
        "Email Notification" => b"perhaps".to_vec(),
        "Written Notice Date" | "Requested Effective Date" => b"Q3 2025".to_vec(),
        "Contact Email" => b"not an address".to_vec(),
        // Invalid UTF-8: only this cell is unreadable.
        _ => b"\xff\xfe broken".to_vec(),
    }
}

const EVENT_COLUMNS: &[&str] = &["Timestamp", "Event", "Actor", "Detail"];
const CASE_COLUMNS: &[&str] = &[
    "Status",
    "Type",
    "Contact Email",
    "Closed At",
    "Owner",
    "Email Notification",
    "Written Notice Date",
    "Requested Effective Date",
    "Cancellation Reason",
];
const EVENT_NAMES: &[&str] = &[
    "Acknowledged",
    "Genpac Tagged",
    "Genpac Responded",
    "Escalated",
    "Reassigned",
    "Customer Contacted",
    "Contract Sent",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// An unreadable cell anywhere reads exactly as the same cell left
    /// empty: same findings, one more data error.
    #[test]
    fn an_unreadable_cell_reads_as_a_missing_one(
        seed in 0u64..10_000,
        events in any::<bool>(),
        pick in 0usize..10_000,
        col in 0usize..100,
    ) {
        let p = policy();
        let base = generated(40, seed);
        let (file, columns) = if events {
            ("case_events.csv", EVENT_COLUMNS)
        } else {
            ("cases.csv", CASE_COLUMNS)
        };
        let header = columns[col % columns.len()];
        let set = |value: Vec<u8>| {
            move |rows: &mut Vec<Vec<Vec<u8>>>| {
                let c = column(rows, header);
                let r = 1 + pick % (rows.len() - 1);
                rows[r][c] = value;
            }
        };
        let broken = edited(base.path(), file, set(garbage(header)));
        let blank = edited(base.path(), file, set(Vec::new()));
        let (_, n0) = audit_of(&p, base.path());
        let (b, nb) = audit_of(&p, broken.path());
        let (e, _) = audit_of(&p, blank.path());
        prop_assert_eq!(nb, n0 + 1, "the broken cell is one data error");
        prop_assert_eq!(b, e);
    }

    /// A row that cannot be split into fields is as if it were not there:
    /// a short event row of an escalating billing inquiry (or any case)
    /// removes no finding and adds none.
    #[test]
    fn a_dropped_row_changes_no_finding(
        seed in 0u64..10_000,
        pick in 0usize..10_000,
        name in 0usize..7,
        fields in 1usize..4,
    ) {
        let p = policy();
        let base = generated(40, seed);
        let (before, n0) = audit_of(&p, base.path());
        let short = edited(base.path(), "case_events.csv", |rows| {
            let (r, mut row) = event_like(rows, pick, EVENT_NAMES[name]);
            row.truncate(fields);
            rows.insert(r, row);
        });
        let (after, n1) = audit_of(&p, short.path());
        prop_assert_eq!(n1, n0 + 1);
        prop_assert_eq!(before, after);
    }

    /// An event row added with the cell that makes it count unreadable
    /// (its time, its name, or the detail of an escalation) never removes
    /// a violation the other rows prove: not a ladder's missed mark, not a
    /// quantifier's. (With those readable, the row is a real event, and
    /// may rightly change a finding.)
    #[test]
    fn an_added_row_with_an_unreadable_cell_removes_no_violation(
        seed in 0u64..10_000,
        pick in 0usize..10_000,
        name in 0usize..7,
        broken in 0usize..3,
    ) {
        let p = policy();
        let base = generated(40, seed);
        let (before, _) = audit_of(&p, base.path());
        let added = edited(base.path(), "case_events.csv", |rows| {
            let header = ["Timestamp", "Event", "Detail"][broken];
            let name = if header == "Detail" { "Escalated" } else { EVENT_NAMES[name] };
            let (_, mut row) = event_like(rows, pick, name);
            row[column(rows, header)] = garbage(header);
            rows.push(row);
        });
        let (after, _) = audit_of(&p, added.path());
        let lost: Vec<_> = violations(&before).difference(&violations(&after)).cloned().collect();
        prop_assert!(lost.is_empty(), "violations lost: {:?}", lost);
    }
}
