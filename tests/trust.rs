//! Never silently wrong (issue "unreadable or unexpected data must not
//! change the answer unseen"): each way docket once gave a different answer
//! without a word, reproduced through the command line, and what it says
//! and does now.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

mod common;

use std::path::Path;

use common::export::*;
use serde_json::Value;

const AS_OF: &str = "2025-11-20T12:00";

fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    for entry in std::fs::read_dir(src).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn errors_with(r: &Value, code: &str) -> Vec<Value> {
    r["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == code)
        .cloned()
        .collect()
}

fn warnings_with(r: &Value, code: &str) -> Vec<Value> {
    r["data_warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["code"] == code)
        .cloned()
        .collect()
}

fn docket() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("docket").unwrap()
}

/// Bullet 1: `Genpac tagged` for `Genpac Tagged` is a data error per cell,
/// with a did-you-mean; the cell reads as missing, the findings that rest
/// on it say so, the run fails, and `lint --data` reports it too.
#[test]
fn a_value_outside_a_closed_set_is_a_data_error_with_did_you_mean() {
    let dir = example_copy();
    let (clean, _) = check_json(dir.path(), AS_OF, &[]);
    let path = dir.path().join("case_events.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let n = text.matches("Genpac Tagged").count();
    assert!(n > 10);
    std::fs::write(&path, text.replace("Genpac Tagged", "Genpac tagged")).unwrap();
    let (r, code) = check_json(dir.path(), AS_OF, &[]);
    assert_eq!(code, 1);
    let errors = errors_with(&r, "docket::data::unknown-value");
    assert_eq!(errors.len(), n, "one data error per cell");
    for e in &errors {
        assert_eq!(e["column"], "Event");
        assert_eq!(e["text"], "Genpac tagged");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("did you mean `Genpac Tagged`?"),
            "{e}"
        );
    }
    assert_eq!(r["summary"]["data_errors"], n as u64);
    // Every vendor-tagged finding the clean export did not have rests on a
    // row with a data error, and says which.
    let before = of_rule(&clean, "vendor-tagged");
    let tagged: Vec<&Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "vendor-tagged")
        .filter(|f| !before.iter().any(|(k, _)| f["key"] == k.as_str()))
        .collect();
    assert!(tagged.len() > 5);
    for f in tagged {
        assert!(
            f["data_errors"].as_array().is_some_and(|a| !a.is_empty()),
            "{f}"
        );
    }
    // lint --data sees it in its sample.
    let out = docket()
        .args(["lint", "policies", "--data"])
        .arg(dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("docket::lint::bad-values"), "{err}");
    assert!(err.contains("12 values declared here"), "{err}");
    assert!(err.contains("did you mean `Genpac Tagged`?"), "{err}");
}

/// An open set (`one of […] or others`) reads other values as written and
/// warns once per value about those close to a declared one.
#[test]
fn an_open_set_reads_other_values_and_warns_about_near_misses() {
    let dir = example_copy();
    let pol = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(policies()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let text = std::fs::read_to_string(&p).unwrap();
            let text = text.replace(
                "    \"Contract Sent\"\n  ]",
                "    \"Contract Sent\"\n  ] or others",
            );
            std::fs::write(pol.path().join(p.file_name().unwrap()), text).unwrap();
        }
    }
    let path = dir.path().join("case_events.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let n = text.matches("Genpac Tagged").count();
    let text = text.replace("Genpac Tagged", "Genpac tagged").replacen(
        "Customer Contacted",
        "Called the customer",
        1,
    );
    std::fs::write(&path, text).unwrap();
    let out = docket()
        .args(["check", "--policy"])
        .arg(pol.path())
        .arg("--data")
        .arg(dir.path())
        .args(["--as-of", AS_OF, "--format", "json"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["summary"]["data_errors"], 0, "{r}");
    let near = warnings_with(&r, "docket::data::near-value");
    assert_eq!(near.len(), 1, "once per value: {near:?}");
    let msg = near[0]["message"].as_str().unwrap();
    assert!(msg.contains("did you mean `Genpac Tagged`?"), "{msg}");
    assert!(msg.contains(&format!("{n} cells")), "{msg}");
    assert_eq!(r["summary"]["data_warnings"], 1);
    // No warning for a value close to nothing declared.
    assert!(
        !r["data_warnings"]
            .to_string()
            .contains("Called the customer")
    );
}

/// Bullet 2: a dotless domain is an e-mail address, and a bad item of a
/// list is reported and left out while the others stay readable.
#[test]
fn dotless_domains_are_addresses_and_a_bad_list_item_drops_alone() {
    let mut e = Export::new();
    e.account(
        "A1",
        &[
            ("Authorized Contacts Only", "yes"),
            (
                "Authorized Contacts",
                "admin@intranet; not an address; root@localhost",
            ),
        ],
    );
    for (n, who) in [
        ("C1", "admin@intranet"),
        ("C2", "ROOT@localhost"),
        ("C3", "eve@x.com"),
    ] {
        e.case(n, "A1", "Cancellation", "New", &[("Contact Email", who)]);
    }
    let d = e.dir();
    let (r, _) = check_json(d.path(), AS_OF, &[]);
    let errors = errors_with(&r, "docket::data::type-error");
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["text"], "not an address");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("left out of the list")
    );
    assert_eq!(
        of_rule(&r, "authorized-contact"),
        vec![("C3".to_string(), "violated".to_string())]
    );
}

/// An export with one billing inquiry whose ladder missed its first mark,
/// and a closed billing inquiry never tagged.
fn billing() -> Export {
    let mut e = Export::new();
    e.account("A1", &[]);
    e.opportunity("O1", "A1", &[]);
    e.case(
        "C1",
        "A1",
        "Billing Inquiry",
        "Working",
        &[("Opened At", "2025-11-01T09:00")],
    );
    e.event("C1", "2025-11-01T09:30", "Acknowledged", "");
    e.event("C1", "2025-11-01T10:00", "Genpac Tagged", "");
    e.case(
        "C2",
        "A1",
        "Billing Inquiry",
        "Closed",
        &[
            ("Opened At", "2025-11-01T09:00"),
            ("Closed At", "2025-11-03T09:00"),
        ],
    );
    e.event("C2", "2025-11-01T09:30", "Acknowledged", "");
    e
}

fn violated(r: &Value, rule: &str, key: &str) -> Vec<Value> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["key"] == key && f["status"] == "violated")
        .cloned()
        .collect()
}

/// Bullet 3: an unreadable event row (a bad timestamp, a short row) no
/// longer silences every event rule of its case; nor does an unreadable
/// Closed At silence a closed case's rules.
#[test]
fn a_data_error_elsewhere_never_hides_a_violation_the_readable_rows_prove() {
    let (clean, _) = check_json(billing().dir().path(), AS_OF, &[]);
    let base = violated(&clean, "vendor-followup", "C1").len();
    assert!(base > 10);
    assert_eq!(violated(&clean, "vendor-tagged", "C2").len(), 1);

    let mut e = billing();
    e.event("C1", "not a time", "Genpac Responded", "");
    e.event("C2", "2025-11-02T09:00", "Customer Contacted", "");
    let d = e.dir();
    // A short row for each case, too.
    let path = d.path().join("case_events.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("C1,2025-11-01T11:00,Genpac Responded\nC2,2025-11-02T10:00\n");
    std::fs::write(&path, text).unwrap();
    let cases = d.path().join("cases.csv");
    let text = std::fs::read_to_string(&cases).unwrap();
    std::fs::write(&cases, text.replace("2025-11-03T09:00", "the 3rd")).unwrap();

    let (r, code) = check_json(d.path(), AS_OF, &[]);
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["data_errors"], 4, "{}", r["data_errors"]);
    let ladder = violated(&r, "vendor-followup", "C1");
    assert_eq!(ladder.len(), base, "every missed mark is still reported");
    let tagged = violated(&r, "vendor-tagged", "C2");
    assert_eq!(tagged.len(), 1, "the closed case's rule still applies");
    // Both name the rows with data errors their case reads.
    let rows = |f: &Value| -> Vec<String> {
        f["data_errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                let file = x["file"].as_str().unwrap();
                let file = Path::new(file).file_name().unwrap().to_string_lossy();
                format!("{file}:{}", x["line"])
            })
            .collect()
    };
    // C1: the event with a bad time (line 5) and its short row (line 7).
    assert_eq!(
        rows(&ladder[0]),
        vec!["case_events.csv:5", "case_events.csv:7"]
    );
    // C2: its own row (unreadable Closed At) and its short event row.
    assert_eq!(rows(&tagged[0]), vec!["cases.csv:3", "case_events.csv:8"]);
    // The events file still accounts for every row.
    let events = r["summary"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == "event")
        .cloned()
        .unwrap();
    assert_eq!(events["read"], 7);
    assert_eq!(events["loaded"], 5);
    assert_eq!(events["loaded_with_errors"], 1);
}

/// Bullet 4: a local time that happens twice is read as its first
/// occurrence with a warning; the case's event rules still apply.
#[test]
fn a_repeated_local_time_is_read_as_its_first_occurrence_with_a_warning() {
    let mut e = Export::new();
    e.account("A1", &[]);
    e.opportunity("O1", "A1", &[]);
    e.case(
        "C1",
        "A1",
        "Billing Inquiry",
        "Working",
        &[("Opened At", "2025-11-01T09:00")],
    );
    e.event("C1", "2025-11-02 01:30", "Acknowledged", "");
    e.event("C1", "2025-11-02T01:45-05:00", "Genpac Tagged", "");
    e.case(
        "C2",
        "A1",
        "Billing Inquiry",
        "Working",
        &[("Opened At", "2025-03-01T09:00")],
    );
    e.event("C2", "2025-03-09 02:30", "Acknowledged", "");
    let d = e.dir();
    let (r, code) = check_json(d.path(), AS_OF, &[]);
    assert_eq!(r["summary"]["data_errors"], 0);
    assert_eq!(code, 1, "the ladder's missed marks fail the run");
    let repeated = warnings_with(&r, "docket::data::repeated-time");
    assert_eq!(repeated.len(), 1);
    assert_eq!(repeated[0]["line"], 2);
    assert!(
        repeated[0]["message"]
            .as_str()
            .unwrap()
            .contains("read as its first occurrence, 2025-11-02T01:30:00-04:00")
    );
    let skipped = warnings_with(&r, "docket::data::skipped-time");
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0]["message"]
            .as_str()
            .unwrap()
            .contains("2025-03-09T03:30:00-04:00")
    );
    // Acknowledged at 01:30 EDT comes before the tag at 01:45 EST: the
    // first rule is met, and the ladder runs from the tag.
    assert!(of_rule(&r, "acknowledge-first").is_empty());
    assert!(!violated(&r, "vendor-followup", "C1").is_empty());
    // Warnings are listed in the human report and do not fail a clean run.
    let out = check_cmd(d.path(), AS_OF, &["--rule", "acknowledge-first"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("data warnings (2):"), "{text}");
    assert!(text.contains("2 data warnings"), "{text}");
}

/// Bullet 6: what was read is said. A header without rows is a warning.
#[test]
fn an_events_file_with_a_header_and_no_rows_is_a_warning() {
    let mut e = billing();
    e.events.clear();
    let d = e.dir();
    let (r, _) = check_json(d.path(), AS_OF, &[]);
    let w = warnings_with(&r, "docket::data::no-rows");
    assert_eq!(w.len(), 1, "{}", r["data_warnings"]);
    assert!(w[0]["file"].as_str().unwrap().ends_with("case_events.csv"));
    assert_eq!(w[0]["line"], 1);
    let out = check_cmd(d.path(), AS_OF, &[]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("the file has a header and no rows"), "{text}");
}

/// An unclosed quote merges many lines into one record: the error names
/// the line the record starts on and the line it ends on; a record of the
/// right shape over many lines is a warning that names both.
#[test]
fn a_quote_that_runs_over_many_lines_names_where_it_opens_and_closes() {
    let mut e = Export::new();
    e.account("A1", &[]);
    e.case("C1", "A1", "Billing Inquiry", "Working", &[]);
    for n in 0..40 {
        e.event(
            "C1",
            &format!("2025-11-01T{:02}:00", n % 24),
            "Acknowledged",
            "",
        );
    }
    let d = e.dir();
    let path = d.path().join("case_events.csv");
    let mut lines: Vec<String> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    // Line 11 opens a quote that the stray quote on line 26 closes.
    lines[10] = "C1,2025-11-02T10:00,Acknowledged,Sam Lee,\"left open".to_string();
    lines[25] = "C1,oops\",2025-11-02T11:00,Acknowledged,Sam Lee,".to_string();
    // Lines 28-34: a legitimate seven-line detail.
    lines[27] = "C1,2025-11-02T12:00,Acknowledged,Sam Lee,\"one".to_string();
    for l in lines.iter_mut().take(33).skip(28) {
        *l = "more".to_string();
    }
    lines[33] = "end\"".to_string();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let (r, _) = check_json(d.path(), AS_OF, &[]);
    let short = errors_with(&r, "docket::data::extra-cell")
        .into_iter()
        .chain(errors_with(&r, "docket::data::missing-cell"))
        .collect::<Vec<_>>();
    assert_eq!(short.len(), 1, "{}", r["data_errors"]);
    assert_eq!(short[0]["line"], 11);
    let m = short[0]["message"].as_str().unwrap();
    assert!(m.contains("runs from line 11 to line 26"), "{m}");
    let long = warnings_with(&r, "docket::data::long-field");
    assert_eq!(long.len(), 1, "{}", r["data_warnings"]);
    assert_eq!(long[0]["line"], 28);
    let m = long[0]["message"].as_str().unwrap();
    assert!(m.contains("opens on line 28 and closes on line 34"), "{m}");
}

/// A UTF-16 file without a byte-order mark is named as such, once, with
/// the encoding its header reads in; nothing of it reaches the terminal raw.
#[test]
fn a_utf16_file_without_a_mark_is_named_once() {
    let d = billing().dir();
    let path = d.path().join("cases.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut bytes = Vec::new();
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(&path, bytes).unwrap();
    let out = check_cmd(d.path(), AS_OF, &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.matches("docket::data::file-encoding").count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("holds NUL bytes and has no byte-order mark"),
        "{err}"
    );
    assert!(err.contains("--encoding case=utf-16le"), "{err}");
    assert!(!err.contains("has no column"), "{err}");
    assert!(!out.stderr.contains(&0), "no NUL bytes on the terminal");
}

/// Control bytes of the input never reach the terminal: not in messages,
/// not in data errors, not in the rows drawn under a finding.
#[test]
fn control_bytes_of_the_input_are_escaped_in_the_human_report() {
    let mut e = Export::new();
    e.account(
        "A1",
        &[
            ("Account Name", "Evil\u{1b}[2J\u{1b}[31mCorp\u{7}"),
            ("Authorized Contacts Only", "yes"),
            ("Authorized Contacts", "a@x.com"),
            ("Renewal Date", "\u{1b}]0;pwned\u{7}"),
        ],
    );
    e.case(
        "C1",
        "A1",
        "Cancellation",
        "New",
        &[("Contact Email", "eve@x.com")],
    );
    let d = e.dir();
    let out = check_cmd(d.path(), AS_OF, &[]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.stdout.contains(&0x1b), "{text}");
    assert!(!out.stdout.contains(&0x07), "{text}");
    assert!(
        text.contains("Evil\\u{1b}[2J\\u{1b}[31mCorp\\u{7}"),
        "{text}"
    );
    // The data error quotes the bad date escaped too.
    assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");
}

/// Bullet 7: a report never overwrites an input, nor lands inside the
/// export or the policy; `-` is standard output.
#[test]
fn output_that_would_overwrite_an_input_is_refused() {
    let dir = example_copy();
    let pol = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(policies()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, pol.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    let cases = dir.path().join("cases.csv");
    let before = std::fs::read(&cases).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let link = outside.path().join("link.csv");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&cases, &link).unwrap();
    let run = |output: &Path| {
        docket()
            .args(["check", "--policy"])
            .arg(pol.path())
            .arg("--data")
            .arg(dir.path())
            .args(["--as-of", AS_OF, "--format", "csv", "--output"])
            .arg(output)
            .output()
            .unwrap()
    };
    let mut refused = vec![
        cases.clone(),
        dir.path().join("new-report.csv"),
        pol.path().join("report.csv"),
        pol.path().join("requests.docket"),
    ];
    if cfg!(unix) {
        refused.push(link);
    }
    for target in &refused {
        let out = run(target);
        assert_eq!(out.status.code(), Some(2), "{}", target.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("docket::cli::output"), "{err}");
    }
    assert_eq!(
        std::fs::read(&cases).unwrap(),
        before,
        "the input is untouched"
    );
    assert!(!dir.path().join("new-report.csv").exists());
    let fine = outside.path().join("report.csv");
    assert_eq!(run(&fine).status.code(), Some(1));
    assert!(std::fs::read_to_string(&fine).unwrap().starts_with("rule,"));
    let out = run(Path::new("-"));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("rule,"));
    assert!(!Path::new("-").exists());
}

#[test]
fn gen_refuses_a_directory_that_holds_files_unless_forced() {
    let dir = example_copy();
    let before = std::fs::read(dir.path().join("cases.csv")).unwrap();
    let generate = |force: bool| {
        let mut c = docket();
        c.args(["gen", "--cases", "20", "--out"]).arg(dir.path());
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let out = generate(false);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
    assert_eq!(std::fs::read(dir.path().join("cases.csv")).unwrap(), before);
    assert_eq!(generate(true).status.code(), Some(0));
    assert_ne!(std::fs::read(dir.path().join("cases.csv")).unwrap(), before);
}

/// CSV carries data errors (a `kind` column) and neutralises cells a
/// spreadsheet would run as formulas.
#[test]
fn csv_carries_data_errors_and_defuses_formulas() {
    let mut e = billing();
    e.case(
        "=HYPERLINK(\"http://evil\",\"open\")",
        "A1",
        "Billing Inquiry",
        "Closed",
        &[("Closed At", "2025-11-03T09:00")],
    );
    e.case(
        "C9",
        "A1",
        "Billing Inquiry",
        "New",
        &[("Opened At", "@SUM(1+1)")],
    );
    let d = e.dir();
    let out = check_cmd(d.path(), AS_OF, &["--format", "csv"])
        .output()
        .unwrap();
    let mut rdr = csv::Reader::from_reader(&out.stdout[..]);
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let keys: Vec<&str> = rows.iter().map(|r| &r[col("key")]).collect();
    assert!(
        keys.contains(&"'=HYPERLINK(\"http://evil\",\"open\")"),
        "{keys:?}"
    );
    for r in &rows {
        for cell in r.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{r:?}");
        }
    }
    let errors: Vec<&csv::StringRecord> = rows
        .iter()
        .filter(|r| &r[col("kind")] == "data-error")
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(&errors[0][col("code")], "docket::data::type-error");
    assert_eq!(&errors[0][col("column")], "Opened At");
    assert_eq!(&errors[0][col("text")], "'@SUM(1+1)");
    assert!(errors[0][col("rows")].ends_with("cases.csv:5"));
}

/// Every missed mark has its own SARIF fingerprint.
#[test]
fn sarif_fingerprints_are_unique_per_finding() {
    let d = billing().dir();
    let out = check_cmd(d.path(), AS_OF, &["--format", "sarif"])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = s["runs"][0]["results"].as_array().unwrap();
    let prints: std::collections::BTreeSet<String> = results
        .iter()
        .filter(|r| r["ruleId"] == "vendor-followup")
        .map(|r| r["partialFingerprints"]["docketFinding/v1"].to_string())
        .collect();
    let n = results
        .iter()
        .filter(|r| r["ruleId"] == "vendor-followup")
        .count();
    assert!(n > 10);
    assert_eq!(prints.len(), n);
}

/// `case --format json` lists each finding with its own message and
/// deadline; the human summary counts the items due.
#[test]
fn case_json_lists_each_finding_with_its_own_deadline() {
    // Two due marks at once: a window longer than the period.
    let d = billing().dir();
    let pol = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(policies()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let text = std::fs::read_to_string(&p).unwrap();
            let text = text.replace(
                "event.detail = \"EC Billing & AR Manager\"\n",
                "event.detail = \"EC Billing & AR Manager\" within 72 hours\n",
            );
            std::fs::write(pol.path().join(p.file_name().unwrap()), text).unwrap();
        }
    }
    let run = |format: &str| {
        docket()
            .args(["case", "C1", "--policy"])
            .arg(pol.path())
            .arg("--data")
            .arg(d.path())
            .args(["--as-of", "2025-11-04T11:00", "--format", format])
            .output()
            .unwrap()
    };
    let out = run("json");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ladder = r["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["rule"] == "vendor-followup")
        .cloned()
        .unwrap();
    assert_eq!(ladder["status"], "violated");
    let findings = ladder["findings"].as_array().unwrap();
    let due: Vec<&Value> = findings.iter().filter(|f| f["status"] == "due").collect();
    assert_eq!(due.len(), 2, "{ladder}");
    for f in &due {
        let mark = f["mark"].as_u64().unwrap();
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains(&format!("mark {mark}"))
        );
        assert!(f["deadline"].is_string());
    }
    assert_ne!(due[0]["deadline"], due[1]["deadline"]);
    // A violated rule carries no rule-level deadline to mix up.
    assert!(ladder.get("deadline").is_none());
    let human = String::from_utf8(run("human").stdout).unwrap();
    assert!(human.contains("2 items due"), "{human}");
}

/// Bullet 8: a notice of 2147483000 days is a checker error, not a pass
/// with "earliest compliant date (none)".
#[test]
fn an_out_of_range_period_is_a_checker_error() {
    let pol = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(policies()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let text = std::fs::read_to_string(&p).unwrap();
            let text = text.replace(": 60 days", ": 2147483000 days");
            std::fs::write(pol.path().join(p.file_name().unwrap()), text).unwrap();
        }
    }
    let out = docket().arg("lint").arg(pol.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("docket::types::out-of-range"), "{err}");
    assert!(err.contains("`2147483000 days`"), "{err}");
}

/// Bullet 9: byte-order marks in policy and test files are dropped by
/// every command.
#[test]
fn byte_order_marks_in_policy_and_test_files_are_accepted_everywhere() {
    let pol = tempfile::tempdir().unwrap();
    std::fs::create_dir(pol.path().join("tests")).unwrap();
    for (dir, to) in [
        (policies(), pol.path().to_path_buf()),
        (policies().join("tests"), pol.path().join("tests")),
    ] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_file() {
                let mut bytes = b"\xef\xbb\xbf".to_vec();
                bytes.extend(std::fs::read(&p).unwrap());
                std::fs::write(to.join(p.file_name().unwrap()), bytes).unwrap();
            }
        }
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let bundled = policies();
    let runs: Vec<(Vec<&std::ffi::OsStr>, i32)> = vec![
        (vec!["lint".as_ref(), pol.path().as_os_str()], 0),
        (
            vec!["fmt".as_ref(), "--check".as_ref(), pol.path().as_os_str()],
            0,
        ),
        (vec!["test".as_ref(), pol.path().as_os_str()], 0),
        (
            vec![
                "rules".as_ref(),
                "--policy".as_ref(),
                pol.path().as_os_str(),
            ],
            0,
        ),
        (
            vec![
                "check".as_ref(),
                "--policy".as_ref(),
                pol.path().as_os_str(),
                "--data".as_ref(),
                data.as_os_str(),
                "--as-of".as_ref(),
                AS_OF.as_ref(),
            ],
            1,
        ),
        (
            vec![
                "diff".as_ref(),
                "--base".as_ref(),
                bundled.as_os_str(),
                "--policy".as_ref(),
                pol.path().as_os_str(),
                "--data".as_ref(),
                data.as_os_str(),
                "--as-of".as_ref(),
                AS_OF.as_ref(),
            ],
            0,
        ),
    ];
    for (args, want) in runs {
        let out = docket().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(want),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// A copy of the bundled policy with `edit` applied to each file's text.
fn policy_copy(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let pol = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(policies()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let text = edit(std::fs::read_to_string(&p).unwrap());
            std::fs::write(pol.path().join(p.file_name().unwrap()), text).unwrap();
        }
    }
    pol
}

/// Bullet 10: a policy reads only its export. `../` out of it and absolute
/// paths are checker errors; a symbolic link out of it is refused when the
/// file is opened; nothing of the outside file is quoted. A file the
/// operator names with `--table` is allowed, without quoting its content.
#[test]
fn a_policy_reads_only_its_export() {
    let secret_dir = tempfile::tempdir().unwrap();
    let secret = secret_dir.path().join("secret.csv");
    std::fs::write(&secret, "TOKEN=hunter2,PASSWORD=swordfish\nx,y\n").unwrap();
    let data = example_copy();
    for target in [
        "../../../../etc/passwd".to_string(),
        secret.display().to_string(),
    ] {
        let pol = policy_copy(|t| {
            t.replace(
                "table account from \"accounts.csv\"",
                &format!("table account from \"{target}\""),
            )
        });
        for args in [
            vec!["lint".to_string(), pol.path().display().to_string()],
            vec![
                "check".to_string(),
                "--policy".to_string(),
                pol.path().display().to_string(),
                "--data".to_string(),
                data.path().display().to_string(),
                "--as-of".to_string(),
                AS_OF.to_string(),
            ],
        ] {
            let out = docket().args(&args).output().unwrap();
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("docket::table::outside-export"), "{err}");
            let text = format!("{err}{}", String::from_utf8_lossy(&out.stdout));
            assert!(
                !text.contains("root:x:0:0") && !text.contains("hunter2"),
                "{text}"
            );
        }
    }
    // A symbolic link in the export that leads out of it.
    #[cfg(unix)]
    {
        let linked = example_copy();
        std::fs::remove_file(linked.path().join("accounts.csv")).unwrap();
        std::os::unix::fs::symlink(&secret, linked.path().join("accounts.csv")).unwrap();
        let out = check_cmd(linked.path(), AS_OF, &[]).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("docket::data::outside-export"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
    }
    // The operator may name any file; its headers are not quoted.
    let out = check_cmd(
        data.path(),
        AS_OF,
        &["--table", &format!("account={}", secret.display())],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("docket::data::missing-column"), "{err}");
    assert!(err.contains("headers are not shown"), "{err}");
    assert!(
        !err.contains("hunter2") && !err.contains("PASSWORD"),
        "{err}"
    );
    let ok = data.path().join("accounts.csv");
    let moved = secret_dir.path().join("accounts.csv");
    std::fs::copy(&ok, &moved).unwrap();
    let (r, code) = check_json(
        data.path(),
        AS_OF,
        &["--table", &format!("account={}", moved.display())],
    );
    assert_eq!(code, 1);
    assert_eq!(r["summary"]["cases"], 82);
}

/// Bullet 5: a ladder past 100 missed marks lists every one, and the
/// summary counts every one (it once listed 100 and counted 105 of 703).
#[test]
fn a_ladder_past_a_hundred_marks_is_listed_and_counted_in_full() {
    let mut e = Export::new();
    e.account("A1", &[]);
    e.opportunity("O1", "A1", &[]);
    e.case(
        "C1",
        "A1",
        "Billing Inquiry",
        "Working",
        &[("Opened At", "2023-12-01T09:00")],
    );
    e.event("C1", "2023-12-01T09:30", "Acknowledged", "");
    e.event("C1", "2023-12-01T10:00", "Genpac Tagged", "");
    let d = e.dir();
    // 703 marks by as-of: 702 missed, the last one due.
    let (r, _) = check_json(d.path(), "2025-11-03T10:00", &["--rule", "vendor-followup"]);
    let f = findings(&r);
    let violated: Vec<&F> = f.iter().filter(|x| x.status == "violated").collect();
    assert_eq!(violated.len(), 702);
    assert_eq!(f.iter().filter(|x| x.status == "due").count(), 1);
    assert_eq!(r["summary"]["violated"], 702);
    assert_eq!(r["summary"]["rules"][0]["violated"], 702);
    assert_eq!(r["summary"]["rules"][0]["violated_cases"], 1);
    // NDJSON and CSV list them all too.
    let nd = check_cmd(
        d.path(),
        "2025-11-03T10:00",
        &["--rule", "vendor-followup", "--format", "ndjson"],
    )
    .output()
    .unwrap();
    assert_eq!(String::from_utf8_lossy(&nd.stdout).lines().count(), 703 + 1);
    let csv = check_cmd(
        d.path(),
        "2025-11-03T10:00",
        &["--rule", "vendor-followup", "--format", "csv"],
    )
    .output()
    .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout).lines().count(),
        1 + 703
    );
    // The human report groups the run and keeps the counts.
    let human = check_cmd(d.path(), "2025-11-03T10:00", &["--rule", "vendor-followup"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("marks 1–702 missed: 702 marks"), "{text}");
    assert!(
        text.contains("702 violations, 1 due of `vendor-followup`"),
        "{text}"
    );
}
