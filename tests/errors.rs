//! Errors at the right size: one diagnostic for a missing export, a
//! did-you-mean for a misnamed file, a warning (not a failed audit) for an
//! absent column no rule reads, "too large" for a number beyond 64 bits,
//! and the closing line on a terminal when the report goes to a file.
//! And the policy author's papercuts: an unclosed `(` shown at the `(`,
//! units docket does not have, day/month formats that read two ways, line
//! endings in `fmt`, and columns declared `unused`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const AS_OF: &str = "2025-11-20T12:00";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docket() -> Command {
    Command::cargo_bin("docket").unwrap()
}

/// A copy of the example export, changed by `edit`.
fn export(edit: impl Fn(&Path)) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("examples/data")).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, d.path().join(p.file_name().unwrap())).unwrap();
    }
    edit(d.path());
    d
}

/// `check` over `data` (none: no `--data`): exit code, stdout, stderr.
fn check(data: Option<&Path>, extra: &[&str]) -> (i32, String, String) {
    let mut c = docket();
    c.args(["check", "--as-of", AS_OF]).args(extra);
    if let Some(d) = data {
        c.arg("--data").arg(d);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn no_export_at_all_is_one_diagnostic() {
    let (code, _, err) = check(None, &[]);
    assert_eq!(code, 2);
    assert_eq!(err.matches("docket::data::no-source").count(), 1, "{err}");
    assert!(err.contains("no export to read"), "{err}");
    assert!(err.contains("give `--data DIR`"), "{err}");
    // No table block quoted.
    assert!(!err.contains("table account from"), "{err}");
}

#[test]
fn an_export_directory_that_does_not_exist_is_one_diagnostic() {
    let missing = tempfile::tempdir().unwrap().path().join("nowhere");
    let (code, _, err) = check(Some(&missing), &[]);
    assert_eq!(code, 2);
    assert_eq!(err.matches("docket::data::").count(), 1, "{err}");
    assert!(err.contains("does not exist"), "{err}");
    assert!(err.contains("nowhere"), "{err}");
    // `diff` reads it for two policies, and says it once.
    let out = docket()
        .args([
            "diff", "--base", "policies", "--policy", "policies", "--data",
        ])
        .arg(&missing)
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("docket::data::").count(), 1, "{err}");
}

#[test]
fn a_file_named_in_another_case_or_misspelt_gets_a_did_you_mean() {
    let d = export(|d| {
        std::fs::rename(d.join("cases.csv"), d.join("Cases.csv")).unwrap();
        std::fs::rename(d.join("accounts.csv"), d.join("acounts.csv")).unwrap();
    });
    // A file system that ignores case finds `Cases.csv` as `cases.csv`.
    let case_blind = d.path().join("cases.csv").exists();
    let (code, _, err) = check(Some(d.path()), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `acounts.csv`?"), "{err}");
    if !case_blind {
        assert!(err.contains("did you mean `Cases.csv`?"), "{err}");
    }
    // The label points at the file name, not the whole table block.
    assert!(err.contains("table `account` reads this file"), "{err}");
    assert!(!err.contains("opportunities: many opportunity"), "{err}");
}

/// Removes the column `header` from a CSV file.
fn drop_column(file: &Path, header: &str) {
    let mut r = csv::Reader::from_path(file).unwrap();
    let headers = r.headers().unwrap().clone();
    let i = headers.iter().position(|h| h == header).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    let mut w = csv::Writer::from_path(file).unwrap();
    let keep = |rec: &csv::StringRecord| {
        rec.iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, v)| v.to_string())
            .collect::<Vec<_>>()
    };
    w.write_record(keep(&headers)).unwrap();
    for row in &rows {
        w.write_record(keep(row)).unwrap();
    }
    w.flush().unwrap();
}

#[test]
fn an_absent_column_no_rule_reads_is_a_warning_and_changes_no_answer() {
    let d = export(|d| drop_column(&d.join("opportunities.csv"), "Type"));
    let (code, out, _) = check(Some(d.path()), &["--format", "json"]);
    let (full_code, full, _) = check(Some(&root().join("examples/data")), &["--format", "json"]);
    assert_eq!(code, full_code);
    let json: Value = serde_json::from_str(&out).unwrap();
    let full: Value = serde_json::from_str(&full).unwrap();
    let statuses = |v: &Value| -> Vec<(String, String, String)> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].to_string(),
                    f["key"].to_string(),
                    f["message"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(statuses(&json), statuses(&full));
    let warnings = json["data_warnings"].as_array().unwrap();
    let w = warnings
        .iter()
        .find(|w| w["code"] == "docket::data::absent-column")
        .unwrap_or_else(|| panic!("{warnings:?}"));
    assert_eq!(w["line"], 1);
    assert_eq!(w["column"], "Type");
    assert!(w["file"].as_str().unwrap().ends_with("opportunities.csv"));
    assert!(json["data_errors"].as_array().unwrap().is_empty());
    // lint --data says it too, at the declaration.
    let out = docket()
        .args(["lint", "policies", "--data"])
        .arg(d.path())
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("docket::data::absent-column"), "{err}");
    assert!(err.contains("has no column \"Type\""), "{err}");
    // A column a rule reads is still an error.
    let d = export(|d| drop_column(&d.join("opportunities.csv"), "Stage"));
    let (code, _, err) = check(Some(d.path()), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("docket::data::missing-column"), "{err}");
}

#[test]
fn a_whole_number_beyond_64_bits_is_too_large() {
    let d = export(|d| {
        let p = d.join("opportunities.csv");
        let text = std::fs::read_to_string(&p).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        // Quotes Submitted is the next-to-last column.
        let mut cells: Vec<&str> = lines[1].split(',').collect();
        let n = cells.len();
        cells[n - 2] = "99999999999999999999999";
        lines[1] = cells.join(",");
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    });
    let (_, out, _) = check(Some(d.path()), &["--format", "json"]);
    let json: Value = serde_json::from_str(&out).unwrap();
    let e = &json["data_errors"][0];
    assert_eq!(e["column"], "Quotes Submitted");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with("`99999999999999999999999` is too large"),
        "{message}"
    );
}

#[test]
fn a_report_written_to_a_file_still_says_what_it_holds_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("audit.json");
    let command = shlex::try_join([
        env!("CARGO_BIN_EXE_docket"),
        "check",
        "--data",
        root().join("examples/data").to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--format",
        "json",
        "-o",
        report.to_str().unwrap(),
    ])
    .unwrap();
    // `script` runs the command with a terminal as its standard streams.
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(root())
        .output()
        .expect("`script` (util-linux) runs a command on a terminal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("82 cases checked: 86 violations (79 errors, 7 warnings), 1 due, 0 data errors · report written to"),
        "{text}"
    );
    assert!(report.exists());
    // Not on a terminal, nothing: scripts read the file.
    let out = docket()
        .args(["check", "--data"])
        .arg(root().join("examples/data"))
        .args(["--as-of", AS_OF, "--format", "json", "-o"])
        .arg(dir.path().join("again.json"))
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `docket` with `args` in the repository: exit code and stderr.
fn run(args: &[&str]) -> (i32, String, String) {
    let out = docket().args(args).current_dir(root()).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn an_unclosed_parenthesis_is_reported_at_the_parenthesis() {
    let (code, _, err) = run(&["lint", "tests/broken/parse.unclosed.docket"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unclosed `(`: expected `)`, found end of file"),
        "{err}"
    );
    // Line 26, column 11: the first `(` of the `require`.
    assert!(err.contains("parse.unclosed.docket:26:11]"), "{err}");
    assert!(err.contains("this `(` is never closed"), "{err}");
}

#[test]
fn units_docket_does_not_have_get_what_to_write() {
    let (code, _, err) = run(&["lint", "tests/broken/parse.unknown-unit.docket"]);
    assert_eq!(code, 2);
    assert!(err.contains("`weeks` is not a unit of time"), "{err}");
    assert!(err.contains("write `14 days`"), "{err}");
    assert!(err.contains("`hrs` is not a unit of time"), "{err}");
    assert!(err.contains("write `36 hours`"), "{err}");
}

#[test]
fn month_first_and_day_first_formats_together_are_an_error() {
    let (code, _, err) = run(&["lint", "tests/broken/format.ambiguous.docket"]);
    assert_eq!(code, 2);
    assert!(err.contains("docket::format::ambiguous"), "{err}");
    assert!(
        err.contains("`M/D/YYYY` and `D/M/YYYY` read the same text as two different dates"),
        "{err}"
    );
}

#[test]
fn fmt_keeps_crlf_and_says_when_only_line_endings_differ() {
    let d = tempfile::tempdir().unwrap();
    let source = std::fs::read_to_string(root().join("policies/requests.docket")).unwrap();
    let crlf = source.replace('\n', "\r\n");
    let file = d.path().join("requests.docket");
    std::fs::write(&file, &crlf).unwrap();
    let path = file.to_str().unwrap();
    // A formatted CRLF file is formatted.
    let (code, out, _) = run(&["fmt", "--check", path]);
    assert_eq!(code, 0, "{out}");
    // One LF among CRLFs: only the line endings differ, and it says so.
    let mixed = crlf.replacen("\r\n", "\n", 1);
    std::fs::write(&file, &mixed).unwrap();
    let (code, out, _) = run(&["fmt", "--check", path]);
    assert_eq!(code, 1);
    let crlfs = source.matches('\n').count() - 1;
    assert!(
        out.contains(&format!(
            "is not formatted: only its line endings differ ({crlfs} CRLF and 1 LF)"
        )),
        "{out}"
    );
    assert!(!out.contains("@@"), "no diff of invisible changes: {out}");
    // `fmt` makes them all CRLF, and formats a CRLF file as CRLF.
    let messy = mixed.replacen("  severity error\r\n", "  severity    error\r\n", 1);
    std::fs::write(&file, &messy).unwrap();
    let (code, out, _) = run(&["fmt", "--check", path]);
    assert_eq!(code, 1);
    assert!(
        out.contains("-  severity    error\n+  severity error\n"),
        "{out:?}"
    );
    let (code, _, _) = run(&["fmt", path]);
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), crlf);
}

#[test]
fn the_bundled_policy_lints_clean_against_its_export_with_deny_warnings() {
    let (code, out, err) = run(&[
        "lint",
        "policies",
        "--data",
        "examples/data",
        "--deny-warnings",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("(0 errors, 0 warnings)"), "{out}");
}

#[test]
fn a_column_marked_unused_is_quiet_unless_something_reads_it() {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "docket") {
            std::fs::copy(&p, d.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let tables = d.path().join("tables.docket");
    let text = std::fs::read_to_string(&tables).unwrap();
    // `stage` is read by the renewal rules; `actor` is not.
    let text = text
        .replacen(
            "  stage: text from \"Stage\"\n",
            "  stage: text from \"Stage\" unused\n",
            1,
        )
        .replacen(
            "  actor: text from \"Actor\" unused\n",
            "  actor: text from \"Actor\"\n",
            1,
        );
    std::fs::write(&tables, text).unwrap();
    let (code, _, err) = run(&[
        "lint",
        d.path().to_str().unwrap(),
        "--data",
        "examples/data",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("docket::lint::read-unused-column"), "{err}");
    assert!(
        err.contains("`opportunity.stage` is declared `unused`, but the policy reads it"),
        "{err}"
    );
    // Without `unused`, a column no rule reads is a warning.
    assert_eq!(
        err.matches("docket::lint::unused-column").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("`event.actor` (\"Actor\") is declared but no rule reads it"),
        "{err}"
    );
}
