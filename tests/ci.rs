//! CI-native output of `check` and `lint` (SARIF, JUnit, GitHub
//! annotations) and `lint --data`; SARIF is validated against the SARIF
//! 2.1.0 schema (vendored in tests/schemas/, the OASIS schema as shipped by
//! the serde-sarif crate).

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

fn check(format: &str, data: &Path) -> (String, i32) {
    let out = docket()
        .args(["check", "--policy"])
        .arg(root().join("policies"))
        .arg("--data")
        .arg(data)
        .args(["--as-of", AS_OF, "--format", format])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn lint(args: &[&str]) -> (String, String, i32) {
    let out = docket().arg("lint").args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.code().unwrap(),
    )
}

fn schema_errors(log: &Value) -> Vec<String> {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    v.iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).unwrap();
    let errors = schema_errors(&log);
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    log
}

fn examples() -> PathBuf {
    root().join("examples/data")
}

#[test]
fn the_schema_check_rejects_what_is_not_sarif() {
    // The validation is real: a log without a version, or with a result
    // whose level is not a SARIF level, fails it.
    let (text, _) = check("sarif", &examples());
    let mut log: Value = serde_json::from_str(&text).unwrap();
    log.as_object_mut().unwrap().remove("version");
    assert!(!schema_errors(&log).is_empty());
    let mut log: Value = serde_json::from_str(&text).unwrap();
    log["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    assert!(!schema_errors(&log).is_empty());
}

#[test]
fn check_sarif_locates_findings_in_data_files_with_rule_metadata() {
    let (text, code) = check("sarif", &examples());
    assert_eq!(
        code, 1,
        "the example breaks rules: exit 1 as with every format"
    );
    let log = assert_valid_sarif(&text);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "docket");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 18);
    let tagged = rules.iter().find(|r| r["id"] == "vendor-tagged").unwrap();
    assert_eq!(
        tagged["shortDescription"]["text"],
        "Tag the billing vendor (Genpac) on every billing inquiry"
    );
    assert!(
        tagged["help"]["text"]
            .as_str()
            .unwrap()
            .contains("CCC Process for CSMs › Billing Inquiries"),
        "{tagged}"
    );
    assert_eq!(tagged["defaultConfiguration"]["level"], "error");
    // As many results as `check --format json` has findings.
    let (json, _) = check("json", &examples());
    let report: Value = serde_json::from_str(&json).unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), report["findings"].as_array().unwrap().len());
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "vendor-tagged")
        .unwrap();
    assert_eq!(r["level"], "error");
    assert_eq!(
        r["message"]["text"],
        "C-0000073: the billing inquiry was closed without ever tagging Genpac"
    );
    let loc = &r["locations"][0]["physicalLocation"];
    assert!(
        loc["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("examples/data/cases.csv")
    );
    assert_eq!(loc["region"]["startLine"], 74);
    let related = r["relatedLocations"].as_array().unwrap();
    let policy = related
        .iter()
        .find(|l| {
            l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .ends_with("billing.docket")
        })
        .unwrap();
    assert_eq!(policy["physicalLocation"]["region"]["startLine"], 4);
    // Due items are notes.
    let due = results
        .iter()
        .find(|r| r["level"] == "note")
        .expect("the example has a due item");
    assert!(
        due["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("C-0000082")
    );
}

#[test]
fn check_sarif_reports_data_errors_at_their_lines() {
    let d = export_with("case_events.csv", |t| {
        format!("{t}C-0000001,not a time,Acknowledged,Someone,\n")
    });
    let line = std::fs::read_to_string(d.path().join("case_events.csv"))
        .unwrap()
        .lines()
        .count();
    let (out, code) = check("sarif", d.path());
    assert_eq!(code, 1);
    let log = assert_valid_sarif(&out);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let e = results
        .iter()
        .find(|r| r["ruleId"] == "docket::data::type-error")
        .expect("the data error is a result");
    assert_eq!(
        e["locations"][0]["physicalLocation"]["region"]["startLine"],
        line as u64
    );
    assert!(
        e["message"]["text"].as_str().unwrap().contains("Timestamp"),
        "{e}"
    );
    let (gh, _) = check("github", d.path());
    assert!(
        gh.lines().any(|l| l.starts_with("::error file=")
            && l.contains(&format!(
                "line={line},title=docket%3A%3Adata%3A%3Atype-error::"
            ))),
        "{gh}"
    );
}

#[test]
fn check_junit_has_a_test_case_per_rule() {
    let (xml, code) = check("junit", &examples());
    assert_eq!(code, 1);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert_eq!(
        xml.matches("<testcase ").count(),
        19,
        "18 rules and the data: {xml}"
    );
    assert!(xml.contains(r#"<testcase name="vendor-tagged""#));
    assert!(
        xml.contains(r#"<failure message="1 violation in 1 case" type="error">C-0000073: the billing inquiry was closed without ever tagging Genpac</failure>"#),
        "{xml}"
    );
    // A warning rule does not fail by default; its violations are listed.
    let cc = xml
        .split(r#"<testcase name="customer-contacted""#)
        .nth(1)
        .unwrap();
    let cc = cc.split("</testcase>").next().unwrap();
    assert!(!cc.contains("<failure"), "{cc}");
    assert!(cc.contains("violations (warning):"), "{cc}");
    // Escaped as XML.
    assert!(xml.contains("EC Billing &amp; AR Manager"));
    let suite = xml.lines().find(|l| l.contains("<testsuite ")).unwrap();
    assert!(suite.contains(r#"tests="19""#), "{suite}");
}

#[test]
fn check_github_annotates_the_first_findings_errors_first_and_writes_a_job_summary() {
    let d = tempfile::tempdir().unwrap();
    let summary = d.path().join("step.md");
    let out = docket()
        .args(["check", "--data"])
        .arg(examples())
        .args(["--as-of", "2025-11-20T12:00", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (json, _) = check("json", &examples());
    let report: Value = serde_json::from_str(&json).unwrap();
    let n = report["findings"].as_array().unwrap().len();
    let annotations: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    // Fifty findings, errors first, and one notice counting the rest.
    assert_eq!(annotations.len(), 51);
    assert!(
        annotations[..50]
            .iter()
            .all(|l| l.starts_with("::error file=")),
        "{text}"
    );
    assert!(annotations[0].ends_with("title=notice-period C-0000001::the requested effective date 2024-04-20 is 30 days too early: the current MSA requires 90 days of written notice after 2024-02-20, so the earliest compliant date is 2024-05-20"), "{}", annotations[0]);
    assert!(
        annotations[50].starts_with(&format!(
            "::notice title=more findings::{} more findings are not annotated",
            n - 50
        )),
        "{text}"
    );
    assert!(text.trim_end().ends_with(
        "82 cases checked: 86 violations (79 errors, 7 warnings), 1 due, 0 data errors"
    ));
    // The job summary: totals, a line per rule, the cases with the most violations.
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.starts_with("## docket: CCC customer requests"), "{md}");
    assert!(
        md.contains("| `vendor-tagged` | error | 1 | 0 | 0 | 14 |"),
        "{md}"
    );
    assert!(md.contains("### Cases with the most violations"), "{md}");
    assert!(md.len() < 1 << 20);
}

#[test]
fn lint_sarif_locates_diagnostics_in_policy_files() {
    let broken = root().join("tests/broken/names.unknown-field.docket");
    let (text, _, code) = lint(&["--format", "sarif", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    let log = assert_valid_sarif(&text);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let (json, _, _) = lint(&["--format", "json", broken.to_str().unwrap()]);
    let j: Value = serde_json::from_str(&json).unwrap();
    let first = &j["diagnostics"][0];
    let r = &results[0];
    assert_eq!(r["ruleId"], first["code"]);
    let region = &r["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], first["line"]);
    assert_eq!(region["startColumn"], first["column"]);
    assert!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("names.unknown-field.docket")
    );
    // The bundled policy: valid, no results, exit 0.
    let (text, _, code) = lint(&[
        "--format",
        "sarif",
        root().join("policies").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    let log = assert_valid_sarif(&text);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn lint_junit_and_github() {
    let broken = root().join("tests/broken/names.unknown-field.docket");
    let (xml, _, code) = lint(&["--format", "junit", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(xml.contains("<failure"), "{xml}");
    assert!(xml.contains("docket::names::unknown-field"), "{xml}");
    let (gh, _, code) = lint(&["--format", "github", broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    let first = gh.lines().next().unwrap();
    assert!(first.starts_with("::error file="), "{gh}");
    assert!(first.contains(",line=") && first.contains(",col="), "{gh}");
    assert!(
        first.contains("title=docket%3A%3Anames%3A%3Aunknown-field::"),
        "{gh}"
    );
    let (xml, _, code) = lint(&[
        "--format",
        "junit",
        root().join("policies").to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(!xml.contains("<failure"), "{xml}");
    assert_eq!(
        xml.matches("<testcase ").count(),
        5,
        "one per policy file: {xml}"
    );
}

/// `docket lint policies --data DIR` with more flags.
fn lint_data(dir: &Path, extra: &[&str]) -> (String, String, i32) {
    let dir = dir.to_str().unwrap();
    lint(&[&["policies", "--data", dir], extra].concat())
}

/// A copy of the example export with `edit` applied to one file's text.
fn export_with(file: &str, edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in [
        "accounts.csv",
        "opportunities.csv",
        "cases.csv",
        "case_events.csv",
    ] {
        let text = std::fs::read_to_string(examples().join(f)).unwrap();
        let text = if f == file { edit(&text) } else { text };
        std::fs::write(d.path().join(f), text).unwrap();
    }
    d
}

fn replace_last_field(text: &str, rows: &[usize], with: &str) -> String {
    text.lines()
        .enumerate()
        .map(|(i, l)| {
            if rows.contains(&i) {
                let (head, _) = l.rsplit_once(',').unwrap();
                format!("{head},{with}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn lint_data_finds_missing_columns_with_a_suggestion() {
    let d = export_with("cases.csv", |t| t.replacen("Closed At", "Closed Date", 1));
    let (_, err, code) = lint_data(d.path(), &["--color", "never"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("docket::data::missing-column"), "{err}");
    assert!(err.contains("has no column \"Closed At\""), "{err}");
    assert!(err.contains("Closed Date"), "did-you-mean: {err}");
}

#[test]
fn lint_data_samples_values_against_declared_types() {
    // Two renewal dates written as quarters: a warning naming the line.
    let d = export_with("accounts.csv", |t| {
        replace_last_field(t, &[3, 6], "Q3 2025")
    });
    let (out, err, code) = lint_data(d.path(), &["--format", "short"]);
    assert_eq!(code, 0, "warnings only: {out}{err}");
    let line = out
        .lines()
        .find(|l| l.contains("docket::lint::bad-values"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.contains("2 of 10 values of \"Renewal Date\""),
        "{line}"
    );
    // The bundled policy marks the columns it declares on purpose `unused`.
    assert!(!out.contains("docket::lint::unused-column"), "{out}");
    let (_, _, code) = lint_data(d.path(), &["--deny-warnings"]);
    assert_eq!(code, 2);
    // The first bad cell is quoted from the data file at its line.
    let (_, err, _) = lint_data(d.path(), &["--color", "never"]);
    assert!(err.contains("accounts.csv:4:"), "{err}");
    assert!(err.contains("Q3 2025"), "{err}");
    // SARIF carries the data-file location too.
    let (sarif, _, _) = lint_data(d.path(), &["--format", "sarif"]);
    let log = assert_valid_sarif(&sarif);
    let r = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "docket::lint::bad-values")
        .unwrap()
        .clone();
    assert!(
        r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("Renewal Date")
    );
    // Every renewal date unreadable: the column is plainly the wrong one.
    let rows: Vec<usize> = (1..=10).collect();
    let d = export_with("accounts.csv", |t| replace_last_field(t, &rows, "Q3 2025"));
    let (out, _, code) = lint_data(d.path(), &["--format", "short"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("error[docket::lint::column-type]: \"Renewal Date\" in"),
        "{out}"
    );
}

/// A SARIF run lists at most `--max-results` (default 25,000, what code
/// scanning accepts) results, errors first, and says how many it left out.
#[test]
fn sarif_lists_at_most_max_results_errors_first_and_says_so() {
    let sarif = |extra: &[&str]| -> Value {
        let out = docket()
            .args(["check", "--data"])
            .arg(examples())
            .args(["--as-of", "2025-11-20T12:00", "--format", "sarif"])
            .args(extra)
            .output()
            .unwrap();
        assert_valid_sarif(&String::from_utf8(out.stdout).unwrap())
    };
    let all = sarif(&[]);
    let run = &all["runs"][0];
    let total = run["results"].as_array().unwrap().len();
    assert_eq!(run["properties"]["results_total"], total);
    assert!(
        run.get("invocations").is_none(),
        "nothing left out, nothing said"
    );
    let capped = sarif(&["--max-results", "20"]);
    let run = &capped["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 20);
    assert_eq!(run["properties"]["results_total"], total);
    assert_eq!(run["properties"]["results_listed"], 20);
    assert!(
        results.iter().all(|r| r["level"] == "error"),
        "errors come first"
    );
    let note = &run["invocations"][0]["toolExecutionNotifications"][0];
    let text = note["message"]["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!("20 of {total} results are listed")),
        "{text}"
    );
    assert!(text.contains("--format json"), "{text}");
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

/// The results a capped SARIF run lists are the first of the whole run
/// once ranked (errors, warnings, notes; rule, then case order), though
/// they are chosen as the findings stream, never all held at once.
#[test]
fn sarif_chooses_while_streaming_what_a_sort_of_every_result_would() {
    let sarif = |extra: &[&str]| -> Vec<Value> {
        let out = docket()
            .args(["check", "--data"])
            .arg(examples())
            .args(["--as-of", AS_OF, "--format", "sarif"])
            .args(extra)
            .output()
            .unwrap();
        let log = assert_valid_sarif(&String::from_utf8(out.stdout).unwrap());
        log["runs"][0]["results"].as_array().unwrap().clone()
    };
    let mut all = sarif(&[]);
    let rank = |r: &Value| match r["level"].as_str() {
        Some("error") => 0,
        Some("warning") => 1,
        _ => 2,
    };
    all.sort_by_key(|r| (rank(r), r["ruleIndex"].as_i64()));
    let errors = all.iter().filter(|r| rank(r) == 0).count();
    for cap in [1, errors - 1, errors + 3, all.len() - 1] {
        let capped = sarif(&["--max-results", &cap.to_string()]);
        assert_eq!(capped.len(), cap);
        assert_eq!(capped[..], all[..cap], "--max-results {cap}");
    }
}

fn generated(cases: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    docket()
        .args(["gen", "--cases", cases, "--seed", "5", "--out"])
        .arg(d.path())
        .assert()
        .success();
    d
}

/// JUnit lists at most 1,000 cases per rule and status, counts the rest,
/// and says where every one is; the counts in the failure stay exact.
#[test]
fn junit_lists_the_first_cases_of_each_rule_and_counts_the_rest() {
    let d = generated("12000");
    let (json, _) = check("json", d.path());
    let report: Value = serde_json::from_str(&json).unwrap();
    let (xml, code) = check("junit", d.path());
    assert_eq!(code, 1);
    let rules = report["summary"]["rules"].as_array().unwrap();
    let big = rules
        .iter()
        .find(|r| r["severity"] == "error" && r["violated"].as_u64().unwrap() > 1000)
        .expect("a rule with more than 1,000 violations");
    let id = big["rule"].as_str().unwrap();
    let violated = big["violated"].as_u64().unwrap();
    let case = xml
        .split(&format!(r#"<testcase name="{id}""#))
        .nth(1)
        .unwrap();
    let failure = case.split("</failure>").next().unwrap();
    let failure = failure.split("<failure ").nth(1).unwrap();
    assert!(
        failure.contains(&format!("message=\"{violated} violations in ")),
        "{}",
        &failure[..200]
    );
    let lines: Vec<&str> = failure.lines().collect();
    assert_eq!(lines.len(), 1001, "1,000 cases and the count of the rest");
    assert_eq!(
        lines[1000],
        format!(
            "… and {} more; every one is in `docket check --format json` or `--format csv`",
            violated - 1000
        )
    );
    // The first listed are the first in case order.
    let first = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == id && f["status"] == "violated")
        .unwrap();
    let key = first["key"].as_str().unwrap();
    assert!(
        lines[0].ends_with(&format!(
            ">{key}: {}",
            xml_escape(first["message"].as_str().unwrap())
        )),
        "{}",
        lines[0]
    );
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The job summary's cases with the most violations are the same whether
/// findings stream in case order or are sorted first (`--sort rule`).
#[test]
fn github_job_summary_counts_cases_the_same_in_any_order() {
    let d = generated("3000");
    let summary = |sort: &str| -> (String, String) {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join("step.md");
        let out = docket()
            .args(["check", "--data"])
            .arg(d.path())
            .args(["--as-of", AS_OF, "--format", "github", "--sort", sort])
            .env("GITHUB_STEP_SUMMARY", &file)
            .output()
            .unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            std::fs::read_to_string(&file).unwrap(),
        )
    };
    let (_, by_case) = summary("case");
    let (_, by_rule) = summary("rule");
    assert_eq!(by_case, by_rule);
    let table = by_case
        .split("### Cases with the most violations")
        .nth(1)
        .unwrap();
    assert_eq!(table.lines().filter(|l| l.starts_with("| C-")).count(), 20);
    assert!(table.contains("more cases with violations."), "{table}");
    // Counted from the JSON report: the first case has the most.
    let (json, _) = check("json", d.path());
    let report: Value = serde_json::from_str(&json).unwrap();
    let mut per_case = std::collections::BTreeMap::<&str, u64>::new();
    for f in report["findings"].as_array().unwrap() {
        if f["status"] == "violated" {
            *per_case.entry(f["key"].as_str().unwrap()).or_default() += 1;
        }
    }
    let most = per_case.values().max().unwrap();
    let first = per_case.iter().find(|(_, n)| *n == most).unwrap();
    assert!(
        table.contains(&format!("| {} | {most} |", first.0)),
        "{table}"
    );
    assert!(table.contains(&format!(
        "… and {} more cases with violations.",
        per_case.len() - 20
    )));
}

/// The human report lists each rule's first findings (20 lines), a run
/// of four or more of one case's missed marks on one line and a shorter
/// run mark by mark, then counts the rest: built as the findings stream,
/// it shows what the JSON report's findings say in the same order.
#[test]
fn human_listing_is_the_json_reports_first_findings() {
    let d = generated("3000");
    let (json, _) = check("json", d.path());
    let report: Value = serde_json::from_str(&json).unwrap();
    let (human, _) = check("human", d.path());
    let rule = "vendor-followup";
    let listed: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule && f["status"] != "waived")
        .collect();
    let msg = |f: &Value| f["message"].as_str().unwrap().to_string();
    let key = |f: &Value| f["key"].as_str().unwrap().to_string();
    let mut want: Vec<String> = Vec::new();
    let mut i = 0;
    let mut short_runs = 0;
    while i < listed.len() && want.len() < 20 {
        let f = listed[i];
        let run = listed[i..]
            .iter()
            .enumerate()
            .take_while(|(n, g)| {
                f["status"] == "violated"
                    && g["status"] == "violated"
                    && key(g) == key(f)
                    && g["mark"].as_u64() == f["mark"].as_u64().map(|m| m + *n as u64)
            })
            .count()
            .max(1);
        if run >= 4 {
            let last = listed[i + run - 1]["mark"].as_u64().unwrap();
            want.push(format!(
                "{}  violated  marks {}–{last} missed: {run} marks; the first: {}",
                key(f),
                f["mark"].as_u64().unwrap(),
                msg(f)
            ));
            i += run;
        } else {
            short_runs += usize::from(run > 1);
            want.push(format!(
                "{}  {:<8}  {}",
                key(f),
                f["status"].as_str().unwrap(),
                msg(f)
            ));
            i += 1;
        }
    }
    assert!(short_runs > 0, "the export has a short run of marks");
    let got: Vec<String> = human
        .lines()
        .filter(|l| l.starts_with("    C-") && l.contains("hours after Genpac"))
        .map(|l| l.trim_start().split(" [").next().unwrap().to_string())
        .collect();
    assert_eq!(got.get(..want.len()).unwrap(), &want[..]);
    let more = human
        .lines()
        .find(|l| l.contains(&format!("--rule {rule} --format csv")))
        .unwrap();
    let shown: usize = i;
    assert!(
        more.contains(&format!("… and {} more", listed.len() - shown)),
        "{more}"
    );
}
