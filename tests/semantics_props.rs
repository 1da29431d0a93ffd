//! Property tests of the semantics (issue "Robustness"): findings do not
//! depend on row order or on how the policy is laid out in files; escalation
//! ladders only get worse as as-of moves on, and a due item turns into a
//! violation exactly at its deadline; the earliest compliant date a notice
//! finding reports is compliant and the day before is not.
//!
//! Exports come from the project's generator (every rule fires on them), so
//! each case explores a different, realistic export.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

mod common;

use std::path::Path;

use docket::data::{Dataset, Loader, Sources};
use docket::eval::{Evaluator, Status, audit};
use docket::generate::{GenOptions, generate};
use docket::semantics::{Policy, check_sources};
use docket::source::SourceMap;
use proptest::prelude::*;
use rand::SeedableRng;
use rand::seq::SliceRandom;

/// As-of for the audits: inside the generated history.
const AS_OF: &str = "2025-11-20T12:00";

/// A finding without where it is (line numbers change when rows move).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Seen {
    key: String,
    rule: String,
    status: Status,
    mark: Option<u64>,
    deadline: Option<i64>,
    message: String,
}

fn sources_of(dir: &Path) -> Sources {
    Sources {
        dir: Some(dir.to_path_buf()),
        tables: Vec::new(),
        keep: None,
        dialects: Vec::new(),
    }
}

fn policy_of(files: &[(String, String)]) -> Policy {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(name.clone(), text.clone());
    }
    let loaded = check_sources(sources);
    match loaded.policy {
        Some(p) => p,
        None => panic!("policy does not check: {:?}", loaded.diagnostics),
    }
}

fn now_of(p: &Policy, as_of: &str) -> i64 {
    docket::time::parse_as_of(as_of, p.timezone)
        .unwrap()
        .instant
        .0
}

fn audit_at(p: &Policy, data: &Dataset, now: i64) -> Vec<Seen> {
    let ev = Evaluator::new(p, data, now, &[]);
    let a = audit::run(&ev, true, &|_| (), &mut |()| {}, &|_| {});
    a.findings
        .into_iter()
        .map(|f| Seen {
            key: f.key.to_string(),
            rule: p
                .rules
                .get(f.rule)
                .map(|r| r.id.clone())
                .unwrap_or_default(),
            status: f.status,
            mark: f.mark,
            deadline: f.deadline,
            message: f.message,
        })
        .collect()
}

fn export(cases: usize, seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    generate(
        dir.path(),
        &GenOptions {
            cases,
            seed,
            ..GenOptions::default()
        },
    )
    .unwrap();
    dir
}

/// Rewrites every file of `from` into `to` with its records shuffled.
fn shuffled(from: &Path, to: &Path, seed: u64) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    for f in [
        "accounts.csv",
        "opportunities.csv",
        "cases.csv",
        "case_events.csv",
    ] {
        let mut r = csv::Reader::from_path(from.join(f)).unwrap();
        let header = r.byte_headers().unwrap().clone();
        let mut rows: Vec<csv::ByteRecord> = r.byte_records().map(Result::unwrap).collect();
        rows.shuffle(&mut rng);
        let mut w = csv::Writer::from_path(to.join(f)).unwrap();
        w.write_byte_record(&header).unwrap();
        for row in rows {
            w.write_byte_record(&row).unwrap();
        }
        w.flush().unwrap();
    }
}

/// The top-level items of a policy file: each starts on an unindented line
/// that is not a comment; comments just above an item go with it.
fn items(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending = String::new();
    let mut current = String::new();
    for line in text.lines() {
        let starts = !line.is_empty() && !line.starts_with([' ', '#']);
        if starts {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current = std::mem::take(&mut pending);
            current.push_str(line);
            current.push('\n');
        } else if line.starts_with('#') || line.trim().is_empty() {
            if current.is_empty() || line.starts_with('#') {
                pending.push_str(line);
                pending.push('\n');
            } else {
                current.push('\n');
            }
        } else {
            current.push_str(&pending);
            pending.clear();
            current.push_str(line);
            current.push('\n');
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Shuffling the rows of every file changes no finding.
    #[test]
    fn row_order_never_changes_findings(seed in 0u64..10_000, order in 0u64..10_000) {
        let p = policy_of(&common::bundled());
        let now = now_of(&p, AS_OF);
        let a = export(60, seed);
        let b = tempfile::tempdir().unwrap();
        shuffled(a.path(), b.path(), order);
        let first = audit_at(&p, &Loader::new(&p.schema()).sources(sources_of(a.path())).load().unwrap(), now);
        let second = audit_at(&p, &Loader::new(&p.schema()).sources(sources_of(b.path())).load().unwrap(), now);
        prop_assert!(!first.is_empty());
        prop_assert_eq!(first, second);
    }

    /// Splitting the policy across files in any way, and putting its rules,
    /// tables and definitions in any order, changes no finding.
    #[test]
    fn policy_layout_never_changes_findings(
        seed in 0u64..10_000,
        layout in 0u64..10_000,
        nfiles in 1usize..6,
    ) {
        let original = common::bundled();
        let p = policy_of(&original);
        let mut all: Vec<String> = original.iter().flat_map(|(_, t)| items(t)).collect();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(layout);
        all.shuffle(&mut rng);
        let mut files: Vec<(String, String)> =
            (0..nfiles).map(|i| (format!("part{i}.docket"), String::new())).collect();
        for (n, item) in all.into_iter().enumerate() {
            let f = &mut files[n % nfiles].1;
            f.push_str(&item);
            f.push('\n');
        }
        let q = policy_of(&files);
        prop_assert_eq!(p.rules.len(), q.rules.len());
        let dir = export(60, seed);
        let now = now_of(&p, AS_OF);
        let mut first = audit_at(&p, &Loader::new(&p.schema()).sources(sources_of(dir.path())).load().unwrap(), now);
        let mut second = audit_at(&q, &Loader::new(&q.schema()).sources(sources_of(dir.path())).load().unwrap(), now);
        first.sort();
        second.sort();
        prop_assert!(!first.is_empty());
        prop_assert_eq!(first, second);
    }

    /// For cases with no events after `t1`, moving as-of from `t1` to a
    /// later `t2` keeps every ladder violation (same case, same mark), and
    /// each item due at `t1` is still due just before its deadline and
    /// violated at it.
    #[test]
    fn ladders_only_get_worse_and_due_turns_violated_at_the_deadline(
        seed in 0u64..10_000,
        later_hours in 1i64..2000,
    ) {
        let p = policy_of(&common::bundled());
        let dir = export(300, seed);
        let data = Loader::new(&p.schema()).sources(sources_of(dir.path())).load().unwrap();
        let t1 = now_of(&p, AS_OF);
        let t2 = t1 + later_hours * 3_600_000;
        let quiet = cases_quiet_after(&data, &p, t1);
        let ladder = |f: &Seen| f.rule == "vendor-followup" && quiet.contains(&f.key);
        let before: Vec<Seen> = audit_at(&p, &data, t1).into_iter().filter(ladder).collect();
        let after: Vec<Seen> = audit_at(&p, &data, t2).into_iter().filter(ladder).collect();
        prop_assert!(!before.is_empty(), "no ladder findings to follow");
        // A missed mark is listed, or (past the first 100 of a case) counted
        // in the case's summary finding, which carries the first mark it counts.
        let missed = |found: &[Seen], key: &str, mark: Option<u64>| {
            found.iter().any(|w| {
                w.key == key
                    && w.status == Status::Violated
                    && (w.mark == mark
                        || (w.message.contains("more missed marks") && w.mark <= mark))
            })
        };
        for v in before.iter().filter(|f| f.status == Status::Violated) {
            prop_assert!(missed(&after, &v.key, v.mark), "violation {:?} at t1 is gone at t2", v);
        }
        for d in before.iter().filter(|f| f.status == Status::Due) {
            let deadline = d.deadline.unwrap();
            let at = |now: i64| -> Vec<Seen> {
                audit_at(&p, &data, now)
                    .into_iter()
                    .filter(|f| f.rule == d.rule && f.key == d.key)
                    .collect()
            };
            let just_before = at(deadline - 1);
            prop_assert!(
                just_before.iter().any(|f| f.status == Status::Due && f.mark == d.mark),
                "{:?} is not due just before its deadline: {:?}", d, just_before
            );
            prop_assert!(
                !just_before.iter().any(|f| f.status == Status::Violated && f.mark == d.mark),
                "{:?}", d
            );
            let at_deadline = at(deadline);
            prop_assert!(missed(&at_deadline, &d.key, d.mark), "{:?} not violated at its deadline: {:?}", d, at_deadline);
            prop_assert!(
                !at_deadline.iter().any(|f| f.status == Status::Due && f.mark == d.mark),
                "{:?}", d
            );
        }
    }

    /// A notice-period violation's earliest compliant date is compliant,
    /// and the day before it is not.
    #[test]
    fn earliest_compliant_date_is_the_boundary(
        notice_day in 0i64..400,
        short_by in 1i64..60,
        arm in 0usize..2,
    ) {
        use common::export::*;
        let base = chrono::NaiveDate::from_ymd_opt(2024, 7, 1).unwrap();
        let notice = base + chrono::Days::new(notice_day as u64);
        let required: u64 = if arm == 0 { 60 } else { 90 };
        let effective = notice + chrono::Days::new(required - short_by as u64);
        let run = |effective: chrono::NaiveDate| -> Vec<F> {
            let mut e = Export::new();
            let contract = if arm == 0 { "SPS" } else { "Standard" };
            e.account("A1", &[("Contract Type", contract), ("Custom Contract Terms", "false")]);
            e.opportunity("O1", "A1", &[("Stage", "Closed Won"), ("Close Date", "2024-06-03")]);
            e.case(
                "C-N",
                "A1",
                "Cancellation",
                "New",
                &[
                    ("Written Notice Date", &notice.to_string()),
                    ("Requested Effective Date", &effective.to_string()),
                ],
            );
            let dir = e.dir();
            let (report, _) = check_json(dir.path(), "2025-11-20T12:00", &["--rule", "notice-period"]);
            findings(&report)
        };
        let first = run(effective);
        prop_assert_eq!(first.len(), 1, "{:?}", first);
        let message = &first[0].message;
        let earliest = message
            .rsplit("earliest compliant date is ")
            .next()
            .and_then(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .unwrap();
        prop_assert_eq!(earliest, notice + chrono::Days::new(required));
        prop_assert!(run(earliest).is_empty(), "the earliest compliant date passes");
        prop_assert_eq!(run(earliest - chrono::Days::new(1)).len(), 1, "the day before fails");
    }
}

/// Keys of cases with no event and no closing after `t` (so a later as-of
/// adds nothing that could meet or stop a ladder).
fn cases_quiet_after(data: &Dataset, p: &Policy, t: i64) -> std::collections::HashSet<String> {
    let case = data.tables.iter().position(|x| x.name == "case").unwrap();
    let event = data.tables.iter().position(|x| x.name == "event").unwrap();
    let ev_table = &data.tables[event];
    let tcol = p.tables[event]
        .columns
        .iter()
        .position(|c| c.name == "at")
        .unwrap();
    let ccol = p.tables[event]
        .columns
        .iter()
        .position(|c| c.name == "case")
        .unwrap();
    let mut noisy = std::collections::HashSet::new();
    for r in 0..ev_table.len {
        let at = ev_table.columns[tcol].cell(r);
        if let docket::data::Cell::DateTime(at) = at
            && at > t
        {
            noisy.insert(ev_table.target(ccol, r));
        }
    }
    let cases = &data.tables[case];
    let closed = p.tables[case]
        .columns
        .iter()
        .position(|c| c.name == "closed_at")
        .unwrap();
    for r in 0..cases.len {
        if let docket::data::Cell::DateTime(at) = cases.columns[closed].cell(r)
            && at > t
        {
            noisy.insert(r as u32);
        }
    }
    (0..cases.len)
        .filter(|r| !noisy.contains(&(*r as u32)))
        .filter_map(|r| cases.key_of(r).map(str::to_string))
        .collect()
}
