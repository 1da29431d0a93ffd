//! Fault tests (issue "Robustness"): unreadable and truncated files, huge
//! cells and rows, a reader that stops early, an unwritable report, and
//! ladders whose marks run into the millions. docket must never panic,
//! never hang, and never drop a row without saying so.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::export::*;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_docket")
}

/// A small export with one open billing inquiry tagged long ago, so the
/// vendor ladder has marks to report.
fn small() -> Export {
    let mut e = Export::new();
    e.account("A1", &[("Account Name", "Acme")]);
    e.case(
        "C-1",
        "A1",
        "Billing Inquiry",
        "Working",
        &[("Opened At", "2025-01-02T09:00")],
    );
    e.event("C-1", "2025-01-02T09:30", "Acknowledged", "");
    e.event("C-1", "2025-01-02T10:00", "Genpac Tagged", "");
    for i in 2..40 {
        e.case(
            &format!("C-{i}"),
            "A1",
            "Cancellation",
            "Closed",
            &[("Closed At", "2025-03-01T10:00")],
        );
    }
    e
}

fn assert_no_panic(stderr: &[u8]) {
    let s = String::from_utf8_lossy(stderr);
    assert!(!s.contains("panicked"), "{s}");
    assert!(!s.contains("RUST_BACKTRACE"), "{s}");
}

#[test]
fn a_file_that_cannot_be_read_stops_the_run_with_a_diagnostic() {
    let dir = small().dir();
    // A directory where the events file should be: opening works on some
    // systems, reading never does.
    std::fs::remove_file(dir.path().join("case_events.csv")).unwrap();
    std::fs::create_dir(dir.path().join("case_events.csv")).unwrap();
    let out = check_cmd(dir.path(), "2025-06-01T12:00", &["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_no_panic(&out.stderr);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("case_events.csv"), "{err}");
    assert!(
        out.stdout.is_empty(),
        "no report from a run that could not start"
    );
}

#[test]
fn a_file_cut_inside_a_quoted_field_is_reported_and_counted() {
    let dir = small().dir();
    let path = dir.path().join("case_events.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("C-1,2025-01-03T10:00,Genpac Tagged,Agent,\"a quote that never");
    std::fs::write(&path, text).unwrap();
    let (report, code) = check_json(dir.path(), "2025-06-01T12:00", &[]);
    assert_eq!(code, 1);
    let errors = report["data_errors"].as_array().unwrap();
    let cut: Vec<_> = errors
        .iter()
        .filter(|e| e["file"].as_str().unwrap().ends_with("case_events.csv"))
        .collect();
    assert_eq!(cut.len(), 1, "{errors:?}");
    assert_eq!(cut[0]["line"], 4);
    let files = report["summary"]["files"].as_array().unwrap();
    let events = files.iter().find(|f| f["table"] == "event").unwrap();
    assert_eq!(events["read"], 3);
    assert_eq!(events["loaded"], 2);
    assert_eq!(events["rejected"].as_object().map(|r| r.len()), Some(1));
}

#[test]
fn a_ten_megabyte_cell_is_loaded_and_checked() {
    let mut e = small();
    let big = "x".repeat(10 << 20);
    e.event("C-1", "2025-01-02T11:00", "Customer Contacted", &big);
    let dir = e.dir();
    let (report, code) = check_json(dir.path(), "2025-06-01T12:00", &[]);
    assert_eq!(code, 1);
    assert_eq!(report["data_errors"].as_array().map(Vec::len), Some(0));
    let files = report["summary"]["files"].as_array().unwrap();
    let events = files.iter().find(|f| f["table"] == "event").unwrap();
    assert_eq!(
        (events["read"].as_u64(), events["loaded"].as_u64()),
        (Some(3), Some(3))
    );
}

#[test]
fn a_row_with_ten_thousand_fields_is_a_data_error_and_the_audit_goes_on() {
    let dir = small().dir();
    let path = dir.path().join("cases.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(&format!(
        "C-WIDE,A1,Cancellation,New{}\n",
        ",x".repeat(10_000)
    ));
    text.push_str("C-AFTER,A1,Cancellation,Closed,,,2025-03-01T10:00,,,,,,\n");
    std::fs::write(&path, text).unwrap();
    let (report, code) = check_json(dir.path(), "2025-06-01T12:00", &[]);
    assert_eq!(code, 1);
    let errors = report["data_errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0]["file"].as_str().unwrap().ends_with("cases.csv"));
    assert_eq!(errors[0]["line"], 41);
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("found 10004"), "{message}");
    // The wide row is rejected, the row after it is checked.
    let files = report["summary"]["files"].as_array().unwrap();
    let cases = files.iter().find(|f| f["table"] == "case").unwrap();
    assert_eq!(
        (cases["read"].as_u64(), cases["loaded"].as_u64()),
        (Some(41), Some(40))
    );
    assert!(findings(&report).iter().any(|f| f.key == "C-AFTER"));
    // The quoted text of the broken row is bounded, not 20 KB.
    let text = errors[0]["text"].as_str().unwrap_or("");
    assert!(text.len() < 1000, "{}", text.len());
}

#[test]
fn stdout_closed_early_exits_quietly() {
    // Enough cases that the report is far longer than one line.
    let mut e = small();
    for i in 0..3000 {
        e.case(&format!("Z-{i:05}"), "A1", "Cancellation", "Closed", &[]);
    }
    let dir = e.dir();
    for format in ["ndjson", "json", "csv", "human"] {
        let mut child = Command::new(bin())
            .args(["check", "--policy"])
            .arg(policies())
            .arg("--data")
            .arg(dir.path())
            .args(["--as-of", "2025-06-01T12:00", "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut first = String::new();
        BufReader::new(stdout).read_line(&mut first).unwrap();
        assert!(!first.is_empty(), "{format}");
        // The reader goes away, like `| head -1`.
        let out = child.wait_with_output().unwrap();
        assert_no_panic(&out.stderr);
        assert!(
            out.stderr.is_empty(),
            "{format}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Findings were found before the pipe closed: exit 1, not a crash.
        assert_eq!(out.status.code(), Some(1), "{format}");
    }
}

#[test]
fn an_unwritable_report_is_a_clear_error() {
    let dir = small().dir();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("no-such-dir").join("report.json");
    for output in [target.as_path(), elsewhere.path()] {
        let out = check_cmd(
            dir.path(),
            "2025-06-01T12:00",
            &["--format", "json", "--output", output.to_str().unwrap()],
        )
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", output.display());
        assert_no_panic(&out.stderr);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("docket::io::write"), "{err}");
        assert!(err.contains("cannot write"), "{err}");
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_full_disk_is_reported_not_ignored() {
    // /dev/full accepts the open and fails every write with ENOSPC.
    if !Path::new("/dev/full").exists() {
        return;
    }
    let dir = small().dir();
    let out = check_cmd(
        dir.path(),
        "2025-06-01T12:00",
        &["--format", "json", "--output", "/dev/full"],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_no_panic(&out.stderr);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot write the report"), "{err}");
}

/// The bundled policy's tables and header, plus `rules`, in a fresh directory.
fn policy_with(rules: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in ["policy.docket", "tables.docket"] {
        std::fs::copy(policies().join(f), d.path().join(f)).unwrap();
    }
    std::fs::write(d.path().join("rules.docket"), rules).unwrap();
    d
}

const EVERY_MINUTE: &str = "escalation every-minute \"Answer every minute\"\n  severity error\n  for case\n  start at case.opened_at\n  stop at case.closed_at\n  every 1 minute\n  at 1 minute \"answer\" expect case.events\n    where event.name = \"Customer Contacted\"\n  message \"mark {mark} missed between {window_start} and {window_end}\" if not due\n  message \"{action} by {deadline}\"\n";

fn every_minute(as_of: &str, extra: &[&str]) -> (serde_json::Value, std::process::Output) {
    let policy = policy_with(EVERY_MINUTE);
    let dir = small().dir();
    let out = Command::new(bin())
        .args(["check", "--policy"])
        .arg(policy.path())
        .arg("--data")
        .arg(dir.path())
        .args(["--as-of", as_of, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert_no_panic(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (report, out)
}

/// Every missed mark is a finding of its own, across the batches a long
/// ladder is listed in, and the counts include every one.
#[test]
fn every_missed_mark_of_a_long_ladder_is_listed_and_counted() {
    // 2025-01-02 09:00 + 1 minute·k up to 2025-01-12 09:00: 14,400 marks,
    // the last of them due.
    let (report, _) = every_minute("2025-01-12T09:00", &[]);
    let c1: Vec<&serde_json::Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["key"] == "C-1")
        .collect();
    assert_eq!(c1.len(), 14_400);
    for (n, f) in c1.iter().take(14_399).enumerate() {
        assert_eq!(f["status"], "violated");
        assert_eq!(f["mark"], n as u64 + 1, "in mark order");
    }
    assert_eq!(c1[14_399]["status"], "due");
    let rule = &report["summary"]["rules"][0];
    assert_eq!(rule["violated"], 14_399);
    assert_eq!(rule["due"], 1);
    assert_eq!(report["summary"]["violated"], 14_399);
    assert_eq!(report["summary"]["unlisted"], 0);
}

/// Ten years of one-minute marks: with `--max-marks` the listing is
/// capped per case, the counts stay exact and the report says how many
/// were left out.
#[test]
fn max_marks_caps_the_listing_and_keeps_the_counts() {
    let (report, out) = every_minute("2035-01-02T09:00", &["--max-marks", "100"]);
    let c1: Vec<F> = findings(&report)
        .into_iter()
        .filter(|f| f.key == "C-1")
        .collect();
    assert_eq!(c1.len(), 101, "100 listed, one due");
    assert_eq!(c1[100].status, "due");
    // 2025-01-02 09:00 to 2035-01-02 09:00 is 3652 days of 1440 minutes;
    // the last mark is due.
    let missed = 3652 * 1440 - 1;
    assert_eq!(report["summary"]["violated"], missed);
    assert_eq!(report["summary"]["unlisted"], missed - 100);
    assert_eq!(report["summary"]["rules"][0]["unlisted"], missed - 100);
    assert!(out.stdout.len() < 200_000, "{} bytes", out.stdout.len());
}

/// `--format summary` counts a ladder's missed marks without listing
/// them; its counts are every other format's, with `--max-marks`, and
/// with waivers for one mark, for every mark, expired, or matching nothing.
#[test]
fn the_summary_counts_what_the_listing_finds() {
    let policy = policy_with(EVERY_MINUTE);
    let mut export = small();
    // A second open case, wholly waived, and a third with an expired waiver.
    for key in ["C-100", "C-101"] {
        export.case(
            key,
            "A1",
            "Billing Inquiry",
            "Working",
            &[("Opened At", "2025-01-05T09:00")],
        );
    }
    let dir = export.dir();
    let waivers = dir.path().join("waivers.csv");
    std::fs::write(
        &waivers,
        "Rule,Case,Mark,Reason,Approved By,Expires\n\
         every-minute,C-1,7,Phone outage,Dana Reviewer,\n\
         every-minute,C-1,99999999,Never missed,Dana Reviewer,\n\
         every-minute,C-100,,Customer on holiday,Dana Reviewer,\n\
         every-minute,C-101,3,Old exception,Dana Reviewer,2025-01-01\n",
    )
    .unwrap();
    let w = waivers.to_str().unwrap();
    let run = |format: &str, extra: &[&str]| {
        let out = Command::new(bin())
            .args(["check", "--policy"])
            .arg(policy.path())
            .arg("--data")
            .arg(dir.path())
            .args(["--as-of", "2025-01-12T09:00", "--format", format])
            .args(extra)
            .output()
            .unwrap();
        assert_no_panic(&out.stderr);
        String::from_utf8(out.stdout).unwrap()
    };
    for extra in [
        &[][..],
        &["--max-marks", "100"],
        &["--waivers", w],
        &["--waivers", w, "--max-marks", "5"],
    ] {
        let summary = run("summary", extra);
        let json: serde_json::Value = serde_json::from_str(&run("json", extra)).unwrap();
        let s = &json["summary"];
        let r = &s["rules"][0];
        let row = summary
            .lines()
            .find(|l| l.starts_with("every-minute"))
            .unwrap_or_else(|| panic!("{summary}"));
        let head = summary.lines().find(|l| l.starts_with("rule ")).unwrap();
        for (name, cell) in head.split_whitespace().zip(row.split_whitespace()).skip(2) {
            let key = if name == "n/a" {
                "not_applicable"
            } else {
                name
            };
            assert_eq!(cell, r[key].to_string(), "{extra:?}: {name}: {summary}");
        }
        let totals = summary.lines().last().unwrap();
        for (k, word) in [
            ("violated", " violations"),
            ("due", " due"),
            ("waived", " waived"),
        ] {
            let n = s[k].as_u64().unwrap();
            if n > 0 || k == "violated" {
                assert!(
                    totals.contains(&format!("{n}{word}")),
                    "{extra:?}: {k} {n}: {totals}"
                );
            }
        }
    }
    // The waivers took effect: every mark of C-100 (a week of minutes, the
    // last one due) and mark 7 of C-1.
    let json: serde_json::Value = serde_json::from_str(&run("json", &["--waivers", w])).unwrap();
    assert_eq!(
        json["summary"]["waived"],
        7 * 1440 + 1,
        "{}",
        json["summary"]
    );
}

#[test]
fn deeply_nested_policies_get_a_diagnostic_not_a_stack_overflow() {
    for (name, body) in [
        (
            "parens",
            format!(
                "{}case.owner is present{}",
                "(".repeat(50_000),
                ")".repeat(50_000)
            ),
        ),
        (
            "nots",
            format!("{}case.owner is present", "not ".repeat(50_000)),
        ),
        ("ands", vec!["case.owner is present"; 20_000].join(" and ")),
    ] {
        let policy = policy_with(&format!(
            "rule deep \"Deep\"\n  severity error\n  for case\n  require {body}\n"
        ));
        let out = Command::new(bin())
            .arg("lint")
            .arg(policy.path())
            .output()
            .unwrap();
        assert_no_panic(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("docket::parse::too-deep"), "{name}: {err}");
    }
}
