//! Typed CSV ingestion: every kind of bad data an export can hold, with exact
//! physical lines; accounting adds up; references and relations.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::path::Path;

use docket::data::{Cell, Dataset, Input, Loader, Reject, Sources};
use docket::diagnostic::Diagnostic;
use docket::semantics::Policy;

fn policy() -> Policy {
    let loaded = docket::semantics::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"));
    loaded.policy.expect("bundled policy")
}

/// The policy `tables.docket` holds (table declarations, no rules).
fn policy_of(tables: &str) -> Policy {
    let pol = tempfile::tempdir().unwrap();
    std::fs::write(pol.path().join("tables.docket"), tables).unwrap();
    let loaded = docket::semantics::load(pol.path());
    loaded
        .policy
        .unwrap_or_else(|| panic!("{:?}", loaded.diagnostics))
}

/// Loads the export in `sources` for `p`.
fn load(p: &docket::semantics::Policy, sources: &Sources) -> Result<Dataset, Vec<Diagnostic>> {
    Loader::new(&p.schema()).sources(sources.clone()).load()
}

/// [`load`] in blocks of `block` bytes.
fn load_with(
    p: &docket::semantics::Policy,
    sources: &Sources,
    block: usize,
) -> Result<Dataset, Vec<Diagnostic>> {
    Loader::new(&p.schema())
        .sources(sources.clone())
        .block_size(block)
        .load()
}

/// Writes the files of an export into a fresh directory.
fn export(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

const ACCOUNTS: &[u8] = b"Account ID,Account Name,Authorized Contacts Only,Authorized Contacts,Sales Contact,Contract Type,Custom Contract Terms,Renewal Date\n\
A-1,Acme,Yes,ann@acme.com; Bob@Acme.com ;;,sales@us.com,SPS,no,6/3/2025\n\
A-2,Beta,,,,Standard,,\n";

const OPPS: &[u8] = b"Opportunity ID,Account ID,Stage,Type,Close Date,Placeholder Request,Quotes Submitted,Segment Leader Approved At\n\
O-1,A-1,Closed Won,Renewal,2024-06-03,y,two,\n\
O-2,A-1,Prospecting,Rate Reduction,,,,\n";

/// cases.csv with a BOM, CRLF line ends, columns in another order, an
/// extra column, and one row of every kind of bad data. Physical lines are
/// in the comments.
fn cases() -> Vec<u8> {
    let mut v = b"\xef\xbb\xbf".to_vec();
    let lines: &[&[u8]] = &[
        b"Priority,Case Number,Account ID,Type,Status,Contact Email,Opened At,Closed At,Owner,Email Notification,Written Notice Date,Requested Effective Date,Cancellation Reason,Opportunity ID", // 1
        b"high,C-1,A-1,Cancellation,Working,ann@acme.com,11/21/2025 1:44 PM,,Dana,true,2025-11-01,2026-03-01,,", // 2
        b"low,C-2,A-1,License Reduction,New,ann@acme.com,13/45/2025 1:00 PM,,Dana,no,,,,", // 3: bad date-time
        b"low,C-3,A-2,Cancellation,Working,x@beta.com,2025-11-20 09:00,,Eve,yes,,,\"too expensive,\r\nand slow\",", // 4-5: quoted line break
        b"low,C-4,A-1,Cancellation,New,ann@acme.com,2025-11-20 09:00,,Eve,yes,,,,,EXTRA", // 6: too many fields
        b"low,C-5,A-1,Cancellation,New", // 7: too few fields
        b"low,C-1,A-2,Billing Inquiry,New,ann@acme.com,2025-11-20 09:00,,Eve,yes,,,,", // 8: duplicate key (line 2)
        b"low,C-6,A-1,Billing Inquiry,New,ann@acme.com,2025-11-20 09:00,,Eve,maybe,,,,", // 9: bad bool
        b"", // 10: blank line
        b"low,C-7,A-404,Billing Inquiry,New,ann@acme.com,2025-11-20 09:00,,Eve,no,,,,", // 11: unknown account
        b"low,C-8,A-1,Billing Inquiry,New,ann@acme.com,3/9/2025 2:30 AM,,Eve,no,,,,", // 12: nonexistent local time
        b"low,C-9,A-1,Billing Inquiry,New,ann@acme.com,11/2/2025 1:30 AM,,Eve,no,,,,", // 13: ambiguous local time
        b"low,C-10,A-1,Billing Inquiry,New,ann@acme.com,2025-11-20 09:00,,Ev\xff\xfee,no,,,,", // 14: invalid UTF-8
        b"low,  ,A-1,Billing Inquiry,New,ann@acme.com,2025-11-20 09:00,,Eve,no,,,,", // 15: empty key
        b"low,C-11,A-1,Cancellation,New,not-an-email,2025-11-20 09:00,,Eve,no,Q3 2025,,,O-1", // 16: bad e-mail, bad date
        b"low,C-12,A-1,Rate Reduction,Working,ann@acme.com,2025-11-20T09:00:00-05:00,,Eve,1,6/3/2024,,,O-2", // 17: fine
    ];
    for l in lines {
        v.extend_from_slice(l);
        v.extend_from_slice(b"\r\n");
    }
    v
}

/// Events in no particular order; one with a bad time (rejected, so case
/// C-3's history is incomplete) and one for a case that does not exist.
const EVENTS: &[u8] = b"Case Number,Timestamp,Event,Actor,Detail\n\
C-1,2025-11-22 10:00,Reassigned,Dana,SalesOps\n\
C-1,2025-11-21 13:45,Acknowledged,Dana,\n\
C-1,2025-11-21 13:45,Conversation Documented,Dana,\n\
C-3,yesterday,Acknowledged,Eve,\n\
C-3,2025-11-21 14:00,Acknowledged\n\
C-999,2025-11-21 13:45,Acknowledged,Eve,\n\
C-1,2025-11-21T18:46:00Z,Sales Informed,Dana,\n";

fn messy() -> (tempfile::TempDir, Dataset, Policy) {
    let cases = cases();
    let dir = export(&[
        ("accounts.csv", ACCOUNTS),
        ("opportunities.csv", OPPS),
        ("cases.csv", &cases),
        ("case_events.csv", EVENTS),
    ]);
    let p = policy();
    let d = load(
        &p,
        &Sources {
            dir: Some(dir.path().to_path_buf()),
            tables: Vec::new(),
            keep: None,
            dialects: Vec::new(),
        },
    )
    .unwrap_or_else(|d| panic!("{d:#?}"));
    (dir, d, p)
}

fn errors_of<'a>(d: &'a Dataset, file: &str) -> Vec<(u64, &'a str, Option<&'a str>)> {
    d.errors
        .iter()
        .filter(|e| e.file.ends_with(file))
        .map(|e| {
            (
                e.line,
                e.code.as_str().trim_start_matches("docket::data::"),
                e.column.as_deref(),
            )
        })
        .collect()
}

#[test]
fn every_kind_of_bad_data_is_reported_with_its_physical_line() {
    let (_dir, d, _) = messy();
    assert_eq!(
        errors_of(&d, "cases.csv"),
        vec![
            (3, "type-error", Some("Opened At")),
            (6, "extra-cell", None),
            (7, "missing-cell", None),
            (8, "primary-key", Some("Case Number")),
            (9, "type-error", Some("Email Notification")),
            (11, "foreign-key", Some("Account ID")),
            (14, "encoding-error", Some("Owner")),
            (15, "required", Some("Case Number")),
            (16, "type-error", Some("Contact Email")),
            (16, "type-error", Some("Written Notice Date")),
        ]
    );
    assert_eq!(
        errors_of(&d, "opportunities.csv"),
        vec![(2, "type-error", Some("Quotes Submitted"))]
    );
    assert_eq!(
        errors_of(&d, "case_events.csv"),
        vec![
            (5, "type-error", Some("Timestamp")),
            (6, "missing-cell", None),
            (7, "foreign-key", Some("Case Number"))
        ]
    );
}

#[test]
fn messages_name_the_text_and_what_was_expected() {
    let (_dir, d, _) = messy();
    let msg = |line: u64, col: &str| {
        d.errors
            .iter()
            .find(|e| {
                e.file.ends_with("cases.csv") && e.line == line && e.column.as_deref() == Some(col)
            })
            .map(|e| (e.message.clone(), e.text.clone()))
            .unwrap()
    };
    let (m, t) = msg(3, "Opened At");
    assert_eq!(t.as_deref(), Some("13/45/2025 1:00 PM"));
    assert_eq!(
        m,
        "`13/45/2025 1:00 PM` is not a date-time: expected a date-time like 2025-11-21T13:44:00-05:00 or 11/21/2025 1:44 PM"
    );
    // Local times the clocks skip or repeat are read, with a warning that
    // names the instant chosen (RFC 5545: the offset before the gap; the
    // first occurrence).
    let warning = |line: u64| {
        d.warnings
            .iter()
            .find(|e| e.file.ends_with("cases.csv") && e.line == line)
            .map(|e| (e.code.as_str(), e.message.clone()))
            .unwrap()
    };
    assert_eq!(
        warning(12),
        (
            "docket::data::skipped-time",
            "`3/9/2025 2:30 AM` does not exist in America/New_York (clocks go forward over it); read with the offset in force before the change, 2025-03-09T03:30:00-04:00".to_string()
        )
    );
    assert_eq!(
        warning(13),
        (
            "docket::data::repeated-time",
            "`11/2/2025 1:30 AM` happens twice in America/New_York (clocks go back); read as its first occurrence, 2025-11-02T01:30:00-04:00".to_string()
        )
    );
    assert!(
        msg(9, "Email Notification")
            .0
            .contains("expected true/false, yes/no, y/n or 1/0")
    );
    assert!(
        msg(16, "Written Notice Date")
            .0
            .contains("expected a date like 2025-11-21 or 11/21/2025")
    );
    let dup = d
        .errors
        .iter()
        .find(|e| e.code == "docket::data::primary-key")
        .unwrap();
    assert_eq!(dup.other_line, Some(2));
    assert!(dup.message.contains("line 2 has it too"));
    let fk = d
        .errors
        .iter()
        .find(|e| e.code == "docket::data::foreign-key" && e.file.ends_with("cases.csv"))
        .unwrap();
    assert!(
        fk.message.contains("`A-404` is not a \"Account ID\""),
        "{}",
        fk.message
    );
}

#[test]
fn every_row_is_accounted_for() {
    let (_dir, d, _) = messy();
    for a in &d.accounts {
        assert!(a.adds_up(), "{a:?}");
    }
    let cases = d.accounts.iter().find(|a| a.table == "case").unwrap();
    assert_eq!(cases.read, 14);
    assert_eq!(cases.loaded, 10);
    assert_eq!(cases.rejected.get(&Reject::ExtraFields), Some(&1));
    assert_eq!(cases.rejected.get(&Reject::MissingFields), Some(&1));
    assert_eq!(cases.rejected.get(&Reject::DuplicateKey), Some(&1));
    assert_eq!(cases.rejected.get(&Reject::MissingRequired), Some(&1));
    // C-2, C-6, C-7, C-10, C-11 are loaded with errors (C-8 and C-9 only
    // have warnings).
    assert_eq!(cases.loaded_with_errors, 5);
    let events = d.accounts.iter().find(|a| a.table == "event").unwrap();
    // An unreadable time in a required column is a data error, but only a
    // row that cannot be split into fields is rejected.
    assert_eq!(
        (events.read, events.loaded, events.rejected_total()),
        (7, 6, 1)
    );
    assert_eq!(events.rejected.get(&Reject::MissingFields), Some(&1));
    assert_eq!(events.loaded_with_errors, 2);
    assert_eq!(d.totals(), (14 + 7 + 2 + 2, 10 + 6 + 2 + 2, 4 + 1));
}

#[test]
fn values_are_typed_and_missing_is_distinct() {
    let (_dir, d, p) = messy();
    let case = p.table_id("case").unwrap();
    let col = |t: usize, name: &str| docket::semantics::ColumnRef {
        table: t,
        column: p.tables[t]
            .columns
            .iter()
            .position(|c| c.name == name)
            .unwrap(),
    };
    let cases = d.table(case).unwrap();
    let c1 = cases.row_of("C-1").unwrap();
    assert_eq!(cases.line(c1), 2, "the first C-1 is kept");
    let c3 = cases.row_of("C-3").unwrap();
    assert_eq!(cases.line(c3), 4);
    // The quoted line break is part of the value.
    assert_eq!(
        d.cell(col(case, "cancellation_reason"), c3),
        Cell::Text("too expensive,\r\nand slow")
    );
    assert_eq!(d.cell(col(case, "closed_at"), c1), Cell::Missing);
    assert_eq!(
        d.cell(col(case, "email_notification"), c1),
        Cell::Bool(true)
    );
    let c2 = cases.row_of("C-2").unwrap();
    assert_eq!(
        d.cell(col(case, "email_notification"), c2),
        Cell::Bool(false)
    );
    // Line 3's Opened At is a data error: the cell reads as invalid.
    assert_eq!(d.cell(col(case, "opened_at"), c2), Cell::Invalid);
    let c11 = cases.row_of("C-11").unwrap();
    assert_eq!(d.cell(col(case, "written_notice_date"), c11), Cell::Invalid);
    assert_eq!(d.cell(col(case, "contact_email"), c11), Cell::Invalid);
    // 2025-11-21 13:45 in New York is 18:45 UTC; the Z time is 18:46 UTC.
    let event = p.table_id("event").unwrap();
    let times: Vec<Cell> = cases.relations[0]
        .of(c1)
        .iter()
        .map(|r| d.cell(col(event, "at"), *r as usize))
        .collect();
    assert_eq!(
        times,
        vec![
            Cell::DateTime(1_763_750_700_000),
            Cell::DateTime(1_763_750_700_000),
            Cell::DateTime(1_763_750_760_000),
            Cell::DateTime(1_763_823_600_000)
        ]
    );
    // Lists: items trimmed, empty ones dropped (e-mails compare ignoring case).
    let account = p.table_id("account").unwrap();
    let a1 = d.table(account).unwrap().row_of("A-1").unwrap();
    let items = d.list_items(col(account, "authorized_contacts"), a1);
    assert_eq!(
        items,
        vec![Cell::Text("ann@acme.com"), Cell::Text("Bob@Acme.com")]
    );
    let a2 = d.table(account).unwrap().row_of("A-2").unwrap();
    assert_eq!(
        d.cell(col(account, "authorized_contacts"), a2),
        Cell::Missing
    );
    // The default stands for an empty Quotes Submitted; an unreadable one is invalid.
    let opp = p.table_id("opportunity").unwrap();
    let o = d.table(opp).unwrap();
    let o2 = o.row_of("O-2").unwrap();
    assert_eq!(d.cell(col(opp, "quotes_submitted"), o2), Cell::Int(0));
    let o1 = o.row_of("O-1").unwrap();
    assert_eq!(d.cell(col(opp, "quotes_submitted"), o1), Cell::Invalid);
}

#[test]
fn references_and_relations() {
    let (_dir, d, p) = messy();
    let case = p.table_id("case").unwrap();
    let account_col = p.tables[case]
        .columns
        .iter()
        .position(|c| c.name == "account")
        .unwrap();
    let cases = d.table(case).unwrap();
    let c7 = cases.row_of("C-7").unwrap();
    assert_eq!(cases.target(account_col, c7), docket::data::BROKEN);
    let c1 = cases.row_of("C-1").unwrap();
    assert_ne!(cases.target(account_col, c1), docket::data::BROKEN);
    // C-1's events, by time; the two at 13:45 are ordered by content.
    let event = p.table_id("event").unwrap();
    let name_col = p.tables[event]
        .columns
        .iter()
        .position(|c| c.name == "name")
        .unwrap();
    let events = &cases.relations[0];
    let names: Vec<&str> = events
        .of(c1)
        .iter()
        .map(
            |r| match d.table(event).unwrap().columns[name_col].cell(*r as usize) {
                Cell::Text(s) => s,
                other => panic!("{other:?}"),
            },
        )
        .collect();
    assert_eq!(
        names,
        vec![
            "Acknowledged",
            "Conversation Documented",
            "Sales Informed",
            "Reassigned"
        ]
    );
    // C-3's history lost the row on line 6 (too few fields): its line is
    // kept with the case. The row on line 5, with an unreadable time, stays.
    let c3 = cases.row_of("C-3").unwrap();
    assert_eq!(events.dropped.get(&(c3 as u32)), Some(&vec![6]));
    assert_eq!(events.of(c3).len(), 1);
    assert!(!events.dropped.contains_key(&(c1 as u32)));
}

/// An audit drops the key indexes once references are resolved: the same
/// references, relations and cells, and no lookup by key.
#[test]
fn without_key_indexes_the_data_is_the_same() {
    let p = policy();
    let sources = Sources::dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data"));
    let kept = load(&p, &sources).unwrap();
    let dropped = Loader::new(&p.schema())
        .sources(sources)
        .without_key_indexes()
        .load()
        .unwrap();
    let case = p.table_id("case").unwrap();
    assert!(kept.table(case).unwrap().row_of("C-0000052").is_some());
    assert_eq!(dropped.table(case).unwrap().row_of("C-0000052"), None);
    for (t, table) in p.tables.iter().enumerate() {
        let (a, b) = (kept.table(t).unwrap(), dropped.table(t).unwrap());
        for row in 0..a.len {
            assert_eq!(a.key_of(row), b.key_of(row));
            for c in 0..table.columns.len() {
                assert_eq!(a.columns[c].cell(row), b.columns[c].cell(row));
                assert_eq!(a.target(c, row), b.target(c, row));
            }
        }
        for (ra, rb) in a.relations.iter().zip(&b.relations) {
            for row in 0..a.len {
                assert_eq!(ra.of(row), rb.of(row));
            }
        }
    }
}

#[test]
fn missing_columns_stop_the_run_with_did_you_mean() {
    let cases = cases();
    let renamed = String::from_utf8_lossy(&cases)
        .replace("Opened At", "Opened_At")
        .replace("Owner", "owner");
    let dir = export(&[
        ("accounts.csv", ACCOUNTS),
        ("opportunities.csv", OPPS),
        ("cases.csv", renamed.as_bytes()),
        ("case_events.csv", EVENTS),
    ]);
    let err = load(
        &policy(),
        &Sources {
            dir: Some(dir.path().to_path_buf()),
            tables: Vec::new(),
            keep: None,
            dialects: Vec::new(),
        },
    )
    .unwrap_err();
    let msgs: Vec<(String, Option<String>)> = err
        .iter()
        .map(|d| (d.message.clone(), d.help.clone()))
        .collect();
    assert_eq!(msgs.len(), 2, "{msgs:#?}");
    assert!(
        msgs[0]
            .0
            .ends_with("cases.csv` has no column \"Opened At\""),
        "{msgs:?}"
    );
    assert_eq!(
        msgs[0].1.as_deref(),
        Some("did you mean `Opened_At`? (the closest header in the file)")
    );
    assert!(
        msgs[1]
            .1
            .as_deref()
            .unwrap()
            .contains("the file has `owner`"),
        "{msgs:?}"
    );
}

#[test]
fn missing_files_and_per_table_sources() {
    let dir = export(&[("accounts.csv", ACCOUNTS)]);
    let err = load(
        &policy(),
        &Sources {
            dir: Some(dir.path().to_path_buf()),
            tables: Vec::new(),
            keep: None,
            dialects: Vec::new(),
        },
    )
    .unwrap_err();
    assert_eq!(err.len(), 3, "{err:#?}");
    assert!(err.iter().all(|d| d.code == "docket::data::missing-file"));
    let cases = cases();
    let other = export(&[
        ("my cases.csv", &cases),
        ("ev.csv", EVENTS),
        ("opportunities.csv", OPPS),
    ]);
    let sources = Sources {
        dir: Some(dir.path().to_path_buf()),
        tables: vec![
            (
                "cases".to_string(),
                Input::File(other.path().join("my cases.csv")),
            ),
            (
                "event".to_string(),
                Input::File(other.path().join("ev.csv")),
            ),
            (
                "opportunity".to_string(),
                Input::File(other.path().join("opportunities.csv")),
            ),
        ],
        keep: None,
        dialects: Vec::new(),
    };
    let d = load(&policy(), &sources).unwrap();
    assert!(d.accounts.iter().any(|a| a.file.ends_with("my cases.csv")));
    let bad = Sources {
        tables: vec![("casse".to_string(), Input::File(other.path().join("x.csv")))],
        ..sources
    };
    let err = load(&policy(), &bad).unwrap_err();
    assert_eq!(err[0].help.as_deref(), Some("did you mean `case`?"));
}

#[test]
fn a_truncated_file_is_reported_and_counted() {
    let cases = b"Case Number,Account ID,Type,Status,Contact Email,Opened At,Closed At,Owner,Email Notification,Written Notice Date,Requested Effective Date,Cancellation Reason,Opportunity ID\n\
C-1,A-1,Cancellation,New,,,,,,,,,\n\
C-2,A-1,Cancellation,New,,,,,,,,\"cut short\n";
    let dir = export(&[
        ("accounts.csv", ACCOUNTS),
        ("opportunities.csv", OPPS),
        ("cases.csv", cases),
        (
            "case_events.csv",
            b"Case Number,Timestamp,Event,Actor,Detail\n",
        ),
    ]);
    let d = load(
        &policy(),
        &Sources {
            dir: Some(dir.path().to_path_buf()),
            tables: Vec::new(),
            keep: None,
            dialects: Vec::new(),
        },
    )
    .unwrap();
    let c = d.accounts.iter().find(|a| a.table == "case").unwrap();
    assert_eq!((c.read, c.loaded), (2, 1));
    assert_eq!(c.rejected.get(&Reject::Truncated), Some(&1));
    assert_eq!(errors_of(&d, "cases.csv"), vec![(3, "truncated", None)]);
}

mod props {
    use super::*;
    use proptest::prelude::*;

    const HEADER: &[u8] = b"Case Number,Account ID,Type,Status,Contact Email,Opened At,Closed At,Owner,Email Notification,Written Notice Date,Requested Effective Date,Cancellation Reason,Opportunity ID\n";

    fn piece() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            Just(b",".to_vec()),
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"\"".to_vec()),
            Just(b"\"\"".to_vec()),
            Just(b"C-1".to_vec()),
            Just(b"A-1".to_vec()),
            Just(b"Cancellation".to_vec()),
            Just(b"2025-11-21 13:44".to_vec()),
            Just(b"3/9/2025 2:30 AM".to_vec()),
            Just(b"yes".to_vec()),
            Just(b"\xff".to_vec()),
            Just(b"\xef\xbb\xbf".to_vec()),
            Just(b" ".to_vec()),
            prop::collection::vec(any::<u8>(), 0..6),
        ]
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(piece(), 0..200).prop_map(|v| v.concat())
    }

    fn check(cases: &[u8], events: &[u8]) -> Result<(), TestCaseError> {
        let dir = export(&[
            ("accounts.csv", ACCOUNTS),
            ("opportunities.csv", OPPS),
            ("cases.csv", cases),
            ("case_events.csv", events),
        ]);
        let total_lines = |b: &[u8]| b.iter().filter(|c| **c == b'\n').count() as u64 + 1;
        match load(
            &policy(),
            &Sources {
                dir: Some(dir.path().to_path_buf()),
                tables: Vec::new(),
                keep: None,
                dialects: Vec::new(),
            },
        ) {
            Err(diags) => prop_assert!(!diags.is_empty()),
            Ok(d) => {
                for a in &d.accounts {
                    prop_assert!(a.adds_up(), "{:?}", a);
                }
                for e in &d.errors {
                    let bytes = if e.file.ends_with("cases.csv") {
                        cases
                    } else {
                        events
                    };
                    prop_assert!(e.line >= 2 && e.line <= total_lines(bytes), "{:?}", e);
                }
                let c = d.accounts.iter().find(|a| a.table == "case").unwrap();
                prop_assert_eq!(c.loaded as usize, d.table(2).unwrap().len);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_rows_never_panic_and_always_add_up(b in body(), e in body()) {
            let mut cases = HEADER.to_vec();
            cases.extend(b);
            let mut events = b"Case Number,Timestamp,Event,Actor,Detail\n".to_vec();
            events.extend(e);
            check(&cases, &events)?;
        }

        #[test]
        fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..400)) {
            check(&b, &b)?;
        }
    }
}

#[test]
fn empty_files_ambiguous_headers_and_no_source() {
    let cases = cases();
    let dup = String::from_utf8_lossy(&cases).replacen("Priority", "Status", 1);
    let dir = export(&[
        ("accounts.csv", b""),
        ("opportunities.csv", OPPS),
        ("cases.csv", dup.as_bytes()),
        ("case_events.csv", EVENTS),
    ]);
    let err = load(
        &policy(),
        &Sources {
            dir: Some(dir.path().to_path_buf()),
            tables: Vec::new(),
            keep: None,
            dialects: Vec::new(),
        },
    )
    .unwrap_err();
    let codes: Vec<&str> = err.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["docket::data::no-header", "docket::data::ambiguous-column"]
    );
    assert!(
        err[1]
            .message
            .contains("two columns named \"Status\" (columns 1 and 5)"),
        "{}",
        err[1].message
    );
    // No export at all: one diagnostic, not one per table.
    let err = load(&policy(), &Sources::default()).unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!(err[0].code, "docket::data::no-source");
    assert!(err[0].help.as_deref().unwrap().contains("--data DIR"));
}

/// Everything a dataset says, as text, to compare two loads.
fn fingerprint(d: &Dataset, p: &Policy) -> String {
    let mut out = String::new();
    for (tid, t) in d.tables.iter().enumerate() {
        out.push_str(&format!("table {} rows {}\n", t.name, t.len));
        for row in 0..t.len {
            let cells: Vec<String> = (0..p.tables[tid].columns.len())
                .map(|c| {
                    format!(
                        "{:?}",
                        d.cell(
                            docket::semantics::ColumnRef {
                                table: tid,
                                column: c
                            },
                            row
                        )
                    )
                })
                .collect();
            out.push_str(&format!("{} {}\n", t.line(row), cells.join("|")));
        }
        for (ri, r) in t.relations.iter().enumerate() {
            for parent in 0..t.len {
                out.push_str(&format!("rel {ri} {parent} {:?}\n", r.of(parent)));
            }
            let mut inc: Vec<_> = r.dropped.iter().collect();
            inc.sort();
            out.push_str(&format!("incomplete {inc:?}\n"));
        }
    }
    for e in &d.errors {
        out.push_str(&format!("{:?}\n", e));
    }
    for a in &d.accounts {
        out.push_str(&format!("{:?}\n", a));
    }
    out
}

#[test]
fn tiny_blocks_give_the_same_dataset() {
    let (dir, whole, p) = messy();
    let sources = Sources {
        dir: Some(dir.path().to_path_buf()),
        tables: Vec::new(),
        keep: None,
        dialects: Vec::new(),
    };
    let want = fingerprint(&whole, &p);
    for block in [1, 7, 40, 113, 500] {
        let d = load_with(&p, &sources, block).unwrap();
        assert_eq!(fingerprint(&d, &p), want, "block size {block}");
    }
}

/// Tables that refer to each other (and to themselves) resolve their
/// references after loading; a table that only refers to loaded tables
/// resolves them while parsing. Both give the same kind of answer.
#[test]
fn references_in_a_cycle_and_after_it() {
    let p = policy_of(
        "policy \"Teams\"\n  version \"1\"\n  timezone \"UTC\"\n\n\
         table person from \"people.csv\"\n  id: text from \"ID\" key\n  manager: ref person from \"Manager\"\n  team: ref team from \"Team\"\n  badges: many badge by person\n\n\
         table team from \"teams.csv\"\n  id: text from \"ID\" key\n  lead: ref person from \"Lead\"\n\n\
         table badge from \"badges.csv\"\n  id: text from \"Badge\" key\n  person: ref person from \"Person\"\n",
    );
    let dir = export(&[
        (
            "people.csv",
            b"ID,Manager,Team\nP-1,,T-1\nP-2,P-1,T-9\nP-3,P-7,T-1\n",
        ),
        ("teams.csv", b"ID,Lead\nT-1,P-2\nT-2,P-8\n"),
        (
            "badges.csv",
            b"Badge,Person\nB-1,P-1\nB-2,P-9\nB-1,P-3\nB-3,P-3\n",
        ),
    ]);
    let sources = Sources {
        dir: Some(dir.path().to_path_buf()),
        tables: Vec::new(),
        keep: None,
        dialects: Vec::new(),
    };
    let d = load(&p, &sources).unwrap_or_else(|d| panic!("{d:#?}"));
    let fk: Vec<(String, u64, Option<String>)> = d
        .errors
        .iter()
        .map(|e| {
            (
                e.file.rsplit('/').next().unwrap_or("").to_string(),
                e.line,
                e.text.clone(),
            )
        })
        .collect();
    assert_eq!(
        fk,
        vec![
            ("people.csv".to_string(), 3, Some("T-9".to_string())),
            ("people.csv".to_string(), 4, Some("P-7".to_string())),
            ("teams.csv".to_string(), 3, Some("P-8".to_string())),
            ("badges.csv".to_string(), 3, Some("P-9".to_string())),
            ("badges.csv".to_string(), 4, Some("B-1".to_string())),
        ],
        "{:#?}",
        d.errors
    );
    let person = p.table_id("person").unwrap();
    let team = p.table_id("team").unwrap();
    let badge = p.table_id("badge").unwrap();
    let people = d.table(person).unwrap();
    let (p1, p2, p3) = (
        people.row_of("P-1").unwrap() as u32,
        people.row_of("P-2").unwrap() as u32,
        people.row_of("P-3").unwrap() as u32,
    );
    assert_eq!(people.target(1, p2 as usize), p1);
    assert_eq!(people.target(1, p1 as usize), docket::data::NO_ROW);
    assert_eq!(people.target(1, p3 as usize), docket::data::BROKEN);
    let teams = d.table(team).unwrap();
    assert_eq!(teams.target(1, teams.row_of("T-1").unwrap()), p2);
    assert_eq!(
        people.target(2, p1 as usize),
        teams.row_of("T-1").unwrap() as u32
    );
    let badges = d.table(badge).unwrap();
    assert_eq!(badges.len, 3);
    assert_eq!(badges.target(1, badges.row_of("B-3").unwrap()), p3);
    assert_eq!(
        badges.target(1, badges.row_of("B-2").unwrap()),
        docket::data::BROKEN
    );
    // The second B-1 (line 4) is rejected as a duplicate: P-3's badges are
    // incomplete, P-1's are not.
    let rel = &people.relations[0];
    assert_eq!(rel.dropped.get(&p3), Some(&vec![4]));
    assert!(!rel.dropped.contains_key(&p1));
    let accounted: u64 = d.accounts.iter().map(|a| a.loaded_with_errors).sum();
    assert_eq!(accounted, 4, "{:#?}", d.accounts);
    // The same with blocks of any size.
    let want = fingerprint(&d, &p);
    for block in [1, 9, 30] {
        let again = load_with(&p, &sources, block).unwrap();
        assert_eq!(fingerprint(&again, &p), want, "block size {block}");
    }
}

/// `docket case` loads one case and what it reaches; blocks without the
/// wanted keys are skipped unparsed, yet every record is still counted.
#[test]
fn loading_one_case_counts_every_record() {
    let (dir, whole, p) = messy();
    let mut sources = Sources {
        dir: Some(dir.path().to_path_buf()),
        tables: Vec::new(),
        keep: None,
        dialects: Vec::new(),
    };
    let case = p.table_id("case").unwrap();
    sources.keep = Some(
        docket::data::select::around(&p.schema(), &sources, case, &["C-12".to_string()]).unwrap(),
    );
    let mut seen = None;
    for block in [1, 7, 40, 113, 4 << 20] {
        let d = load_with(&p, &sources, block).unwrap();
        let cases = d.table(case).unwrap();
        assert_eq!(cases.len, 1, "block {block}");
        assert!(cases.row_of("C-12").is_some());
        for (a, all) in d.accounts.iter().zip(&whole.accounts) {
            let rejected: u64 = a.rejected.values().sum();
            let all_rejected: u64 = all.rejected.values().sum();
            assert_eq!(
                a.read + a.skipped,
                all.read,
                "block {block}: {a:?} vs {all:?}"
            );
            assert!(rejected <= all_rejected);
        }
        let accounts = format!("{:?}", d.accounts);
        if let Some(prev) = &seen {
            assert_eq!(prev, &accounts, "block {block}");
        }
        seen = Some(accounts);
    }
}

/// References in no particular order (cases to accounts, say) are looked
/// up together once a block is read; references in their parents' order
/// (events by case) are checked against the next row. Either way every
/// row finds its parent, a missing key is a broken reference on its own
/// line, a quoted key is read like any other, and a rejected row between
/// them leaves nothing behind. Same answer at every block size.
#[test]
fn references_in_any_order_find_their_rows() {
    let p = policy_of(
        "policy \"Orders\"\n  version \"1\"\n  timezone \"UTC\"\n\n\
         table parent from \"parents.csv\"\n  id: text from \"ID\" key\n\n\
         table child from \"children.csv\"\n  id: text from \"ID\" key\n  parent: ref parent from \"Parent\"\n",
    );
    let mut parents = String::from("ID\n");
    for i in 0..40 {
        parents.push_str(&format!("P-{i}\n"));
    }
    // Shuffled parents, then a sorted run; line 2 is the first child.
    let mut children = String::from("ID,Parent\n");
    let mut want: Vec<(String, Option<String>)> = Vec::new();
    let mut line = 1;
    let mut broken_lines = Vec::new();
    for i in 0..60u32 {
        line += 1;
        let (id, parent) = match i {
            // A key with no parent row.
            13 | 41 => (format!("K-{i}"), format!("P-{}", 100 + i)),
            // A rejected row: no key.
            20 => (String::new(), "P-3".to_string()),
            // A quoted parent key (read by the CSV state machine).
            27 => (format!("K-{i}"), "\"P-5\"".to_string()),
            _ if i < 45 => (format!("K-{i}"), format!("P-{}", (i * 17 + 5) % 40)),
            _ => (format!("K-{i}"), format!("P-{}", i - 45)),
        };
        children.push_str(&format!("{id},{parent}\n"));
        if id.is_empty() {
            continue;
        }
        let parent = parent.trim_matches('"').to_string();
        let exists = parent[2..].parse::<u32>().is_ok_and(|n| n < 40);
        if !exists {
            broken_lines.push(line);
        }
        want.push((id, exists.then_some(parent)));
    }
    let dir = export(&[
        ("parents.csv", parents.as_bytes()),
        ("children.csv", children.as_bytes()),
    ]);
    let sources = Sources {
        dir: Some(dir.path().to_path_buf()),
        tables: Vec::new(),
        keep: None,
        dialects: Vec::new(),
    };
    let parent_t = p.table_id("parent").unwrap();
    let child_t = p.table_id("child").unwrap();
    for block in [1, 9, 64, 300, 1 << 20] {
        let d = load_with(&p, &sources, block).unwrap();
        let parents = d.table(parent_t).unwrap();
        let children = d.table(child_t).unwrap();
        assert_eq!(children.len, want.len(), "block size {block}");
        for (row, (id, parent)) in want.iter().enumerate() {
            assert_eq!(
                children.key_of(row),
                Some(id.as_str()),
                "block size {block}"
            );
            let got = children.target(1, row);
            match parent {
                Some(k) => assert_eq!(
                    got as usize,
                    parents.row_of(k).unwrap(),
                    "block size {block}: {id} -> {k}"
                ),
                None => assert_eq!(got, docket::data::BROKEN, "block size {block}: {id}"),
            }
        }
        let broken: Vec<u64> = d
            .errors
            .iter()
            .filter(|e| e.code == "docket::data::foreign-key")
            .map(|e| e.line)
            .collect();
        assert_eq!(broken, broken_lines, "block size {block}: {:#?}", d.errors);
    }
}
