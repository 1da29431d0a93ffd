//! The reviewer's recurring audit (issue "waivers, baselines, owners,
//! views"): a month-over-month walk-through through the command line —
//! audit, waive, change the export, audit again against the first report —
//! and the contracts of `--waivers` and `--baseline` one by one.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `docket check --format json` over `data` as of `as_of` with `extra`:
/// the report, the exit code and stderr.
fn audit(data: &Path, as_of: &str, extra: &[&str]) -> (Value, i32, String) {
    let out = Command::cargo_bin("docket")
        .unwrap()
        .arg("check")
        .arg("--policy")
        .arg(root().join("policies"))
        .arg("--data")
        .arg(data)
        .args(["--as-of", as_of, "--format", "json"])
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        v,
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn finding<'a>(v: &'a Value, rule: &str, key: &str) -> &'a Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == rule && f["key"] == key)
        .unwrap_or_else(|| panic!("no {rule} finding for {key}"))
}

fn copy_example(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(root().join("examples/data")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

const NOV: &str = "2025-11-20T12:00";
const DEC: &str = "2025-12-20T12:00";

const WAIVERS: &str = "Rule,Case,Mark,Reason,Approved By,Expires
authorized-contact,C-0000004,,Contact added to the account page after the request,Dana Reviewer,
authorized-contact,C-0000014,,Temporary exception while the account page is fixed,Dana Reviewer,2025-11-30
notice-period,C-0000006,,Customer agreed to shorter notice in writing,Dana Reviewer,2026-01-05
sales-informed,C-9999999,,Case closed before the rule existed,Dana Reviewer,
";

/// The walk-through: November's audit; two waivers (one expiring before
/// December); December's export fixes one case and breaks another; the
/// December audit against November's report.
#[test]
fn month_over_month() {
    let d = tempfile::tempdir().unwrap();
    let (nov_data, dec_data) = (d.path().join("nov"), d.path().join("dec"));
    copy_example(&nov_data);
    copy_example(&dec_data);
    let nov_report = d.path().join("nov.json");
    let (nov, code, err) = audit(&nov_data, NOV, &["--output", nov_report.to_str().unwrap()]);
    assert_eq!((code, nov), (1, Value::Null), "{err}");
    // December: C-0000073's vendor is tagged after all (fixed); C-0000010
    // loses its acknowledgement (broken).
    let events = std::fs::read_to_string(nov_data.join("case_events.csv")).unwrap();
    let events: String = events
        .lines()
        .filter(|l| !l.starts_with("C-0000010,2024-10-23T15:53:00,Acknowledged"))
        .map(|l| format!("{l}\n"))
        .collect::<String>()
        + "C-0000073,2025-09-30T13:00:00,Genpac Tagged,Contract Management,\n";
    std::fs::write(dec_data.join("case_events.csv"), events).unwrap();
    let waivers = d.path().join("waivers.csv");
    std::fs::write(&waivers, WAIVERS).unwrap();
    let (dec, code, err) = audit(
        &dec_data,
        DEC,
        &[
            "--baseline",
            nov_report.to_str().unwrap(),
            "--waivers",
            waivers.to_str().unwrap(),
            "--group-by",
            "owner",
        ],
    );
    assert_eq!(code, 1, "{err}");
    // Per-owner counts add up to the totals.
    let groups = dec["summary"]["groups"].as_array().unwrap();
    assert!(groups.len() > 1);
    let per = |k: &str| groups.iter().map(|g| g[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(
        per("violated"),
        dec["summary"]["violated"].as_u64().unwrap()
    );
    assert_eq!(per("waived"), dec["summary"]["waived"].as_u64().unwrap());
    let nov_as_of = "2025-11-20T12:00:00-05:00";
    // Fixed: resolved, its case still in the export.
    let resolved = dec["resolved"].as_array().unwrap();
    let fixed = resolved
        .iter()
        .find(|r| r["rule"] == "vendor-tagged" && r["key"] == "C-0000073")
        .unwrap();
    assert_eq!(fixed["case_in_export"], true);
    assert_eq!(fixed["status"], "violated");
    // Broken: new, first seen now.
    let broken = finding(&dec, "acknowledge-first", "C-0000010");
    assert_eq!(
        (broken["baseline"].as_str(), broken["first_seen"].as_str()),
        (Some("new"), Some("2025-12-20T12:00:00-05:00"))
    );
    // The rest persist, seen first in November.
    let kept = finding(&dec, "written-request", "C-0000010");
    assert_eq!(
        (kept["baseline"].as_str(), kept["first_seen"].as_str()),
        (Some("persisting"), Some(nov_as_of))
    );
    // The unexpired waiver waives; the expired one does not, and says so.
    let waived = finding(&dec, "authorized-contact", "C-0000004");
    assert_eq!(waived["status"], "waived");
    assert_eq!(waived["waiver"]["approved_by"], "Dana Reviewer");
    assert_eq!(waived["waiver"]["line"], 2);
    let expired = finding(&dec, "authorized-contact", "C-0000014");
    assert_eq!(expired["status"], "violated");
    assert!(
        expired["message"]
            .as_str()
            .unwrap()
            .ends_with("waiver expired on 2025-11-30")
    );
    assert_eq!(expired["waiver"]["expired"], true);
    // Stale and expiring waivers are listed.
    let lists = &dec["summary"]["waivers"];
    assert_eq!(lists["stale"][0]["case"], "C-9999999");
    assert!(
        lists["expiring"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["case"] == "C-0000006" && w["expires"] == "2026-01-05")
    );
    // Counts: waived apart from violated, per rule and in all; new,
    // persisting and resolved per rule and in all.
    let s = &dec["summary"];
    assert_eq!(s["waived"], 2, "C-0000004 and C-0000006");
    let rule = |id: &str| {
        s["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(rule("authorized-contact")["waived"], 1);
    assert_eq!(rule("vendor-tagged")["baseline"]["resolved"], 1);
    assert_eq!(rule("acknowledge-first")["baseline"]["new"], 1);
    let b = &s["baseline"];
    let listed = dec["findings"].as_array().unwrap().len() as u64;
    assert_eq!(
        b["new"].as_u64().unwrap() + b["persisting"].as_u64().unwrap(),
        listed
    );
    assert_eq!(b["resolved"].as_u64().unwrap(), resolved.len() as u64);
    let sum = |field: &str| -> u64 {
        let rules = s["rules"].as_array().unwrap();
        rules.iter().map(|r| r[field].as_u64().unwrap()).sum()
    };
    assert_eq!(s["violated"].as_u64().unwrap(), sum("violated"));
    assert_eq!(s["waived"].as_u64().unwrap(), sum("waived"));
}

/// A report of the run is a baseline for the next: first-seen dates carry
/// forward, and with `--fail-on-new` only new violations fail.
#[test]
fn first_seen_carries_forward_and_only_new_violations_fail() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    copy_example(&data);
    let first = d.path().join("first.json");
    let second = d.path().join("second.json");
    audit(&data, NOV, &["--output", first.to_str().unwrap()]);
    audit(
        &data,
        DEC,
        &[
            "--baseline",
            first.to_str().unwrap(),
            "--output",
            second.to_str().unwrap(),
        ],
    );
    let (third, code, err) = audit(
        &data,
        "2026-01-20T12:00",
        &["--baseline", second.to_str().unwrap(), "--fail-on-new"],
    );
    let kept = finding(&third, "written-request", "C-0000010");
    assert_eq!(kept["first_seen"], "2025-11-20T12:00:00-05:00");
    // Ladders left open gain marks month by month: those are new.
    let new = third["summary"]["baseline"]["new"].as_u64().unwrap();
    assert_eq!(code, if new > 0 { 1 } else { 0 }, "{err}");
    let (_, code, err) = audit(
        &data,
        NOV,
        &["--baseline", first.to_str().unwrap(), "--fail-on-new"],
    );
    assert_eq!(code, 0, "nothing new against itself: {err}");
    let (_, code, _) = audit(&data, NOV, &["--baseline", first.to_str().unwrap()]);
    assert_eq!(code, 1, "without --fail-on-new every violation fails");
}

/// What a baseline must be: a JSON report of this policy.
#[test]
fn a_baseline_of_another_policy_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    copy_example(&data);
    let first = d.path().join("first.json");
    audit(&data, NOV, &["--output", first.to_str().unwrap()]);
    let text = std::fs::read_to_string(&first).unwrap();
    let other = d.path().join("other.json");
    std::fs::write(
        &other,
        text.replacen("\"CCC customer requests\"", "\"Another policy\"", 1),
    )
    .unwrap();
    let (_, code, err) = audit(&data, NOV, &["--baseline", other.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("docket::cli::baseline") && err.contains("\"Another policy\""),
        "{err}"
    );
    let older = d.path().join("older.json");
    std::fs::write(
        &older,
        text.replacen("\"version\":\"1.0.0\"", "\"version\":\"0.9.0\"", 1),
    )
    .unwrap();
    let (v, code, err) = audit(&data, NOV, &["--baseline", older.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(
        err.contains("docket::cli::baseline-version") && err.contains("version 0.9.0"),
        "{err}"
    );
    assert_eq!(v["summary"]["baseline"]["new"], 0);
    let garbage = d.path().join("garbage.json");
    std::fs::write(&garbage, "not json").unwrap();
    let (_, code, err) = audit(&data, NOV, &["--baseline", garbage.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("is not a report of `docket check --format json`"),
        "{err}"
    );
}

/// Bad rows of the register are data errors with file and line; the good
/// rows still waive.
#[test]
fn a_bad_register_row_is_a_data_error() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("waivers.csv");
    std::fs::write(
        &w,
        "Rule,Case,Mark,Reason,Approved By,Expires\nauthorized-contact,C-0000004,,ok,Dana,\nauthorised-contact,C-0000014,,typo,Dana,\nauthorized-contact,C-0000014,,,Dana,\nnotice-period,C-0000016,,x,Dana,someday\n",
    )
    .unwrap();
    let (v, code, err) = audit(
        &root().join("examples/data"),
        NOV,
        &["--waivers", w.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{err}");
    let errors: Vec<(u64, String)> = v["data_errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["file"].as_str().unwrap().ends_with("waivers.csv"))
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (3, "docket::data::unknown-value".to_string()),
            (4, "docket::data::required".to_string()),
            (5, "docket::data::type-error".to_string()),
        ]
    );
    assert!(
        v["data_errors"]
            .to_string()
            .contains("did you mean `authorized-contact`")
    );
    assert_eq!(
        finding(&v, "authorized-contact", "C-0000004")["status"],
        "waived"
    );
    // A register without its columns stops the run.
    std::fs::write(&w, "Rule,Case\nx,y\n").unwrap();
    let (_, code, err) = audit(
        &root().join("examples/data"),
        NOV,
        &["--waivers", w.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(err.contains("has no column \"Reason\""), "{err}");
}

/// Waived findings in the other formats: CSV columns, SARIF suppressions,
/// the human report and `docket case`.
#[test]
fn waived_findings_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("waivers.csv");
    std::fs::write(&w, WAIVERS).unwrap();
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("docket")
            .unwrap()
            .current_dir(root())
            .args(args)
            .args([
                "--data",
                "examples/data",
                "--as-of",
                NOV,
                "--waivers",
                w.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let csv = run(&["check", "--format", "csv"]);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let header = r.headers().unwrap().clone();
    assert_eq!(
        header.iter().skip(16).collect::<Vec<_>>(),
        vec![
            "waiver_reason",
            "waiver_approved_by",
            "waiver_expires",
            "baseline",
            "first_seen",
            "owner",
            "type",
            "status",
            "account.name",
            "requester",
            "opened_at",
            "closed_at"
        ]
    );
    let row = r
        .records()
        .map(Result::unwrap)
        .find(|x| x.get(2) == Some("waived"))
        .unwrap();
    assert_eq!(
        (row.get(0), row.get(3), row.get(17)),
        (
            Some("authorized-contact"),
            Some("C-0000004"),
            Some("Dana Reviewer")
        )
    );
    let sarif: Value = serde_json::from_str(&run(&["check", "--format", "sarif"])).unwrap();
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(
        suppressed.len(),
        3,
        "C-0000004, C-0000006 and C-0000014 (not expired in November)"
    );
    assert_eq!(suppressed[0]["suppressions"][0]["status"], "accepted");
    // Annotations are capped, errors first: the waived ones, on their own.
    let github = run(&["check", "--format", "github", "--status", "waived"]);
    assert!(
        github.contains(
            "::notice file=examples/data/cases.csv,line=5,title=authorized-contact C-0000004::"
        ),
        "{github}"
    );
    assert!(
        github.contains("title=stale waiver::sales-informed C-9999999 matched no finding"),
        "{github}"
    );
    let junit = run(&["check", "--format", "junit"]);
    assert!(junit.contains("waived:"), "{junit}");
    let human = run(&["check"]);
    assert!(human.contains("authorized-contact waived (2):"), "{human}");
    assert!(
        human.contains("stale waivers (they matched no finding):"),
        "{human}"
    );
    assert!(human.contains(", 3 waived, "), "{human}");
    let case: Value =
        serde_json::from_str(&run(&["case", "C-0000004", "--format", "json"])).unwrap();
    let rule = case["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "authorized-contact")
        .unwrap();
    assert_eq!(rule["status"], "waived");
    assert_eq!(
        rule["findings"][0]["waiver"]["reason"],
        "Contact added to the account page after the request"
    );
}

/// The policy's `fields` travel with every finding; `--group-by` counts
/// the findings per value of one.
#[test]
fn fields_travel_with_findings_and_group_by_counts_them() {
    let data = root().join("examples/data");
    let (v, code, err) = audit(&data, NOV, &["--group-by", "owner"]);
    assert_eq!(code, 1, "{err}");
    let f = finding(&v, "vendor-tagged", "C-0000073");
    assert_eq!(f["fields"]["owner"], "Contract Management");
    assert_eq!(f["fields"]["type"], "Billing Inquiry");
    assert_eq!(f["fields"]["status"], "Closed");
    assert!(f["fields"]["account.name"].is_string());
    let s = &v["summary"];
    assert_eq!(s["group_by"], "owner");
    let groups = s["groups"].as_array().unwrap();
    let total = |k: &str| groups.iter().map(|g| g[k].as_u64().unwrap()).sum::<u64>();
    assert_eq!(total("violated"), s["violated"].as_u64().unwrap());
    assert_eq!(total("due"), s["due"].as_u64().unwrap());
    // Each owner's count is the number of its findings.
    for g in groups {
        let owner = g["value"].as_str().unwrap();
        let mine = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["fields"]["owner"] == owner && f["status"] == "violated")
            .count() as u64;
        assert_eq!(g["violated"].as_u64().unwrap(), mine, "{owner}");
    }
    let human = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args([
            "check",
            "--data",
            "examples/data",
            "--as-of",
            NOV,
            "--group-by",
            "owner",
        ])
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout).to_string();
    assert!(human.contains("by owner"), "{human}");
    assert!(human.contains("[account.name: "), "{human}");
    let (_, code, err) = audit(&data, NOV, &["--group-by", "ownr"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("docket::cli::group-by") && err.contains("did you mean `owner`"),
        "{err}"
    );
    let sarif = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args([
            "check",
            "--data",
            "examples/data",
            "--as-of",
            NOV,
            "--format",
            "sarif",
        ])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let tagged = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "vendor-tagged")
        .unwrap();
    assert_eq!(
        tagged["properties"]["fields"]["owner"],
        "Contract Management"
    );
}

/// A big audit stays readable: the human report lists twenty lines per
/// rule and says how to get the rest; `--format summary` prints only the
/// tables, the files and the totals.
#[test]
fn big_audits_stay_readable() {
    let d = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("docket")
        .unwrap()
        .args(["gen", "--cases", "1500", "--seed", "3", "--out"])
        .arg(d.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let run = |format: &str| {
        let out = Command::cargo_bin("docket")
            .unwrap()
            .current_dir(root())
            .args([
                "check",
                "--as-of",
                NOV,
                "--format",
                format,
                "--group-by",
                "owner",
                "--data",
            ])
            .arg(d.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let human = run("human");
    let (v, _, _) = audit(d.path(), NOV, &[]);
    let total = v["findings"].as_array().unwrap().len();
    let capped: Vec<&str> = human
        .lines()
        .filter(|l| l.contains(" more (all of them: --rule "))
        .collect();
    assert!(!capped.is_empty(), "{human}");
    assert!(
        human.lines().count() < total,
        "{} lines for {total} findings",
        human.lines().count()
    );
    let summary = run("summary");
    assert!(summary.contains("by owner"), "{summary}");
    assert!(summary.contains("files:"), "{summary}");
    assert!(
        !summary.contains("violated  mark"),
        "no finding in the summary: {summary}"
    );
    let last = summary.lines().last().unwrap();
    assert!(last.contains("cases checked"), "{last}");
}

/// `--where`, `--status` and `--sort` choose what `check` shows; `case`
/// takes several numbers.
#[test]
fn views_choose_cases_findings_and_order() {
    let data = root().join("examples/data");
    let sam = "case.owner = \"Sam Ortiz\" and case.status != \"Closed\"";
    let (v, _, err) = audit(&data, NOV, &["--where", sam]);
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty(), "{err}");
    assert!(
        findings
            .iter()
            .all(|f| f["fields"]["owner"] == "Sam Ortiz" && f["fields"]["status"] != "Closed")
    );
    let (all, _, _) = audit(&data, NOV, &[]);
    assert!(v["summary"]["cases"].as_u64().unwrap() < all["summary"]["cases"].as_u64().unwrap());
    // The rules of the policy, not the filter, are in the report.
    assert!(
        v["summary"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["rule"] != "docket-where")
    );
    assert_eq!(v["policy"]["rules"].as_array().unwrap().len(), 18);
    // A mistake in --where is a diagnostic like a policy's.
    let (_, code, err) = audit(&data, NOV, &["--where", "case.ownr = \"Sam\""]);
    assert_eq!(code, 2);
    assert!(
        err.contains("docket::names::unknown-field")
            && err.contains("--where")
            && err.contains("did you mean `owner`"),
        "{err}"
    );
    let (_, code, err) = audit(&data, NOV, &["--where", "case.owner"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("docket::types::"),
        "a text is not a condition: {err}"
    );
    // --status: only those findings are listed; the summary still counts all.
    let (due, _, _) = audit(&data, NOV, &["--status", "due"]);
    let list = due["findings"].as_array().unwrap();
    assert!(!list.is_empty() && list.iter().all(|f| f["status"] == "due"));
    assert_eq!(due["summary"]["violated"], all["summary"]["violated"]);
    // --sort rule: grouped by rule in policy order.
    let (by_rule, _, _) = audit(&data, NOV, &["--sort", "rule"]);
    let order: Vec<String> = by_rule["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    let ids: Vec<String> = all["policy"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    let pos: Vec<usize> = order
        .iter()
        .map(|r| ids.iter().position(|i| i == r).unwrap())
        .collect();
    assert!(pos.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    assert_eq!(order.len(), all["findings"].as_array().unwrap().len());
    // --sort deadline: due items first.
    let (by_deadline, _, _) = audit(&data, NOV, &["--sort", "deadline"]);
    assert_eq!(by_deadline["findings"][0]["status"], "due");
    // case: several numbers, as an array in JSON.
    let out = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args([
            "case",
            "C-0000052",
            "C-0000073",
            "--data",
            "examples/data",
            "--as-of",
            NOV,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let cases: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(cases.as_array().unwrap().len(), 2);
    assert_eq!(cases[1]["case"], "C-0000073");
}

/// The worklist: the due items of one owner's open cases, soonest first,
/// with the time left.
#[test]
fn the_worklist_lists_one_owners_due_items_by_deadline() {
    let d = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("docket")
        .unwrap()
        .args(["gen", "--cases", "1500", "--seed", "3", "--out"])
        .arg(d.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let due = |extra: &[&str]| -> Value {
        let out = Command::cargo_bin("docket")
            .unwrap()
            .current_dir(root())
            .args(["due", "--as-of", NOV, "--format", "json", "--data"])
            .arg(d.path())
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let mine = due(&[
        "--where",
        "case.owner = \"Lu Chen\" and case.status != \"Closed\"",
    ]);
    let items = mine["items"].as_array().unwrap();
    assert!(items.len() > 1, "{mine}");
    assert!(items.iter().all(|i| i["fields"]["owner"] == "Lu Chen"));
    let deadlines: Vec<&str> = items
        .iter()
        .map(|i| i["deadline"].as_str().unwrap())
        .collect();
    let mut sorted = deadlines.clone();
    sorted.sort();
    assert_eq!(deadlines, sorted);
    // Every due item of the audit for those cases is there.
    let (v, _, _) = audit(
        d.path(),
        NOV,
        &[
            "--where",
            "case.owner = \"Lu Chen\" and case.status != \"Closed\"",
            "--status",
            "due",
        ],
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), items.len());
    // --within: only the next 48 hours.
    let soon = due(&["--within", "48h"]);
    let soon = soon["items"].as_array().unwrap();
    assert!(
        soon.iter()
            .all(|i| !i["left"].as_str().unwrap().starts_with('-'))
    );
    assert!(
        soon.iter()
            .all(|i| i["deadline"].as_str().unwrap() <= "2025-11-22T12:00:00-05:00")
    );
    let human = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args(["due", "--as-of", NOV, "--within", "48h", "--data"])
        .arg(d.path())
        .output()
        .unwrap();
    let human = String::from_utf8_lossy(&human.stdout).to_string();
    assert!(
        human.starts_with("due as of Thu 20 Nov 2025 12:00 EST (within 48h): "),
        "{human}"
    );
    assert!(human.contains(" in "), "{human}");
    let out = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args([
            "due",
            "--as-of",
            NOV,
            "--within",
            "soon",
            "--data",
            "examples/data",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docket::cli::within"));
}

/// `--where` needs rules to know what a case is.
#[test]
fn where_without_rules_is_refused() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("p.docket"),
        "policy \"No rules\"\n  timezone \"America/New_York\"\n\ntable case from \"cases.csv\"\n  number: text from \"Case Number\" key\n",
    )
    .unwrap();
    let out = Command::cargo_bin("docket")
        .unwrap()
        .arg("check")
        .arg("--policy")
        .arg(d.path())
        .args(["--data", "examples/data", "--where", "case.number = \"x\""])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docket::cli::where"));
}

/// `docket test` for CI: JSON and JUnit reports, and `--filter`.
#[test]
fn policy_tests_report_for_ci() {
    let run = |args: &[&str]| {
        let out = Command::cargo_bin("docket")
            .unwrap()
            .current_dir(root())
            .arg("test")
            .args(args)
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&out.stdout).to_string(),
            out.status.code().unwrap(),
        )
    };
    let (json, code) = run(&["policies", "--format", "json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["failed"], 0);
    assert_eq!(
        v["passed"].as_u64().unwrap(),
        v["tests"].as_array().unwrap().len() as u64
    );
    assert_eq!(v["coverage"]["rules"], 18);
    assert_eq!(v["coverage"]["uncovered"], serde_json::json!([]));
    let (json, _) = run(&["policies", "--format", "json", "--filter", "90 DAYS"]);
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["tests"].as_array().unwrap().len(), 1);
    assert!(
        v["tests"][0]["name"]
            .as_str()
            .unwrap()
            .starts_with("90 days")
    );
    assert!(
        v.get("coverage").is_none(),
        "coverage only when every test runs"
    );
    let (xml, _) = run(&["policies", "--format", "junit"]);
    assert!(xml.starts_with("<?xml"));
    assert_eq!(xml.matches("<testcase ").count(), 20, "{xml}");
    // A failing test: its differences in both formats, exit 1.
    let d = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, d.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::create_dir(d.path().join("tests")).unwrap();
    let notice = std::fs::read_to_string(root().join("policies/tests/notice.dockettest")).unwrap();
    std::fs::write(
        d.path().join("tests/notice.dockettest"),
        notice.replacen(
            "expect C-90 notice-period pass",
            "expect C-90 notice-period violated",
            1,
        ),
    )
    .unwrap();
    let path = d.path().to_str().unwrap();
    let (json, code) = run(&[path, "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&json).unwrap();
    let failed: Vec<&Value> = v["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["passed"] == false)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(!failed[0]["diff"].as_array().unwrap().is_empty());
    let (xml, _) = run(&[path, "--format", "junit"]);
    assert!(xml.contains("<failure"), "{xml}");
}

/// The policy may name its waivers register, a file of the export;
/// `--waivers` replaces it.
#[test]
fn the_policy_may_name_its_waivers_register() {
    let d = tempfile::tempdir().unwrap();
    let (policy, data) = (d.path().join("policy"), d.path().join("data"));
    std::fs::create_dir(&policy).unwrap();
    copy_example(&data);
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            let text = std::fs::read_to_string(&p).unwrap().replacen(
                "  timezone \"America/New_York\"\n",
                "  timezone \"America/New_York\"\n  waivers \"waivers.csv\"\n",
                1,
            );
            std::fs::write(policy.join(p.file_name().unwrap()), text).unwrap();
        }
    }
    std::fs::write(data.join("waivers.csv"), WAIVERS).unwrap();
    let check = |extra: &[&str]| {
        let out = Command::cargo_bin("docket")
            .unwrap()
            .arg("check")
            .arg("--policy")
            .arg(&policy)
            .arg("--data")
            .arg(&data)
            .args(["--as-of", NOV, "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        (v, String::from_utf8_lossy(&out.stderr).to_string())
    };
    let (v, err) = check(&[]);
    assert_eq!(v["summary"]["waived"], 3, "{err}");
    let other = d.path().join("none.csv");
    std::fs::write(&other, "Rule,Case,Mark,Reason,Approved By,Expires\n").unwrap();
    let (v, err) = check(&["--waivers", other.to_str().unwrap()]);
    assert_eq!(v["summary"]["waived"], 0, "{err}");
    std::fs::remove_file(data.join("waivers.csv")).unwrap();
    let (_, err) = check(&[]);
    assert!(
        err.contains("docket::data::missing-file") && err.contains("waivers.csv"),
        "{err}"
    );
}

/// Reports that count findings or list a bounded number of them (SARIF,
/// JUnit, GitHub, summary) evaluate messages only for the findings they
/// show; those messages, and the rows they read, are the JSON report's,
/// waivers (an expired one says so) and ladder marks included.
#[test]
fn lazily_written_messages_equal_the_json_reports() {
    let d = tempfile::tempdir().unwrap();
    let w = d.path().join("waivers.csv");
    std::fs::write(&w, WAIVERS).unwrap();
    let waivers = ["--waivers", w.to_str().unwrap()];
    let (json, _, _) = audit(&root().join("examples/data"), DEC, &waivers);
    let out = Command::cargo_bin("docket")
        .unwrap()
        .args(["check", "--policy"])
        .arg(root().join("policies"))
        .arg("--data")
        .arg(root().join("examples/data"))
        .args(["--as-of", DEC, "--format", "sarif"])
        .args(waivers)
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert!(findings.iter().any(|f| f["mark"].is_u64()), "ladder marks");
    assert!(
        findings.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .ends_with("waiver expired on 2025-11-30")),
        "an expired waiver"
    );
    assert!(results.len() >= findings.len());
    for (f, r) in findings.iter().zip(results) {
        let text = r["message"]["text"].as_str().unwrap();
        let want = format!(
            "{}: {}",
            f["key"].as_str().unwrap(),
            f["message"].as_str().unwrap()
        );
        assert!(text.starts_with(&want), "{text}\nwanted {want}");
        // The rule's line in the policy, then the other rows read.
        let related = r["relatedLocations"].as_array().map_or(0, Vec::len);
        assert_eq!(related, f["rows"].as_array().unwrap().len(), "{text}");
    }
}

/// `--format summary` builds no message and no field for its findings,
/// except the field `--group-by` counts: its table is the JSON report's.
#[test]
fn summary_group_by_counts_what_the_json_report_counts() {
    let data = root().join("examples/data");
    let (v, _, _) = audit(&data, NOV, &["--group-by", "owner"]);
    let out = Command::cargo_bin("docket")
        .unwrap()
        .args(["check", "--policy"])
        .arg(root().join("policies"))
        .arg("--data")
        .arg(&data)
        .args(["--as-of", NOV, "--format", "summary", "--group-by", "owner"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for g in v["summary"]["groups"].as_array().unwrap() {
        let owner = g["value"].as_str().unwrap();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(owner))
            .unwrap_or_else(|| panic!("no line for {owner}: {text}"));
        let violated = g["violated"].as_u64().unwrap().to_string();
        assert!(
            line.split_whitespace().any(|w| w == violated),
            "{line} (wanted {violated})"
        );
    }
}
