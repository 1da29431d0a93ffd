//! `check --format html`: one self-contained page whose counts are the
//! JSON report's, opened in headless Chromium to check the findings table,
//! its filters and the detail view from the DOM the scripts built.
//!
//! The browser tests need Debian's `chromium`; `.ci/run` installs it and
//! sets `DOCKET_REQUIRE_BROWSER=1`, so there they cannot be skipped.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

const AS_OF: &str = "2025-11-20T12:00";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The example audit as an HTML page in `dir`, and as JSON.
fn reports(dir: &Path) -> (PathBuf, Value) {
    let page = dir.join("audit.html");
    let out = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args([
            "check",
            "--data",
            "examples/data",
            "--as-of",
            AS_OF,
            "--format",
            "html",
            "--group-by",
            "owner",
            "--output",
        ])
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args([
            "check",
            "--data",
            "examples/data",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    (page, serde_json::from_slice(&out.stdout).unwrap())
}

fn between<'a>(text: &'a str, from: &str, to: &str) -> &'a str {
    let a = text.find(from).unwrap_or_else(|| panic!("no {from}")) + from.len();
    let b = text[a..].find(to).unwrap() + a;
    &text[a..b]
}

#[test]
fn the_page_is_self_contained_and_counts_like_json() {
    let d = tempfile::tempdir().unwrap();
    let (page, json) = reports(d.path());
    let html = std::fs::read_to_string(&page).unwrap();
    // Nothing to fetch: no external reference, and a policy that forbids any.
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    for attr in ["src=\"", "href=\"", "url("] {
        assert!(!html.contains(attr), "{attr} in the page");
    }
    // Every finding is embedded, as the JSON report lists them.
    let rows: Value =
        serde_json::from_str(between(&html, "id=\"docket-findings\">", "</script>")).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(rows.as_array().unwrap().len(), findings.len());
    assert_eq!(rows[0][2], findings[0]["key"]);
    // The rule table's counts are the summary's.
    for r in json["summary"]["rules"].as_array().unwrap() {
        let id = r["rule"].as_str().unwrap();
        let row = between(&html, &format!("<tr data-rule=\"{id}\">"), "</tr>");
        for (class, key) in [
            ("violated-cases", "violated_cases"),
            ("violated", "violated"),
            ("due", "due"),
            ("waived", "waived"),
        ] {
            let cell = between(row, &format!("class=\"n {class}\">"), "<");
            assert_eq!(cell, r[key].to_string(), "{id} {key}");
        }
    }
    // The summary reads without scripts: totals, groups, files, charts.
    assert!(html.contains("86 violations"));
    assert!(html.contains("<h2>By owner</h2>"));
    assert!(html.contains("<h2>Findings per month of opened_at</h2>"));
    assert!(html.contains("<svg class=\"chart\" role=\"img\""));
    assert!(html.contains("examples/data/cases.csv"));
}

/// Chromium, if the machine has it (required where `.ci/run` installed it).
fn chromium() -> Option<&'static str> {
    let found = Process::new("chromium")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("DOCKET_REQUIRE_BROWSER").is_some() {
        panic!("chromium is required (DOCKET_REQUIRE_BROWSER is set) but not found");
    }
    found.then_some("chromium")
}

/// The DOM of `page#hash` after its scripts ran.
fn dom(browser: &str, page: &Path, hash: &str) -> String {
    let out = Process::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("file://{}{hash}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn in_a_browser_the_table_filters_and_drills_down() {
    let Some(browser) = chromium() else {
        eprintln!("chromium not found: the browser test is skipped");
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let (page, json) = reports(d.path());
    let findings = json["findings"].as_array().unwrap();
    // Every finding is in the table (one page of 100).
    let all = dom(browser, &page, "");
    assert!(
        all.contains(&format!(
            "{} of {} findings",
            findings.len(),
            findings.len()
        )),
        "{all}"
    );
    assert_eq!(all.matches("data-finding=").count(), findings.len());
    // Filtered by a rule: only that rule's findings.
    let rule = "notice-period";
    let want = findings.iter().filter(|f| f["rule"] == rule).count();
    let filtered = dom(browser, &page, &format!("#rule={rule}"));
    assert_eq!(filtered.matches("data-finding=").count(), want);
    assert_eq!(
        filtered
            .matches(&format!("data-rule=\"{rule}\" data-status="))
            .count(),
        want
    );
    // By status.
    let due = dom(browser, &page, "#status=due");
    assert_eq!(
        due.matches("data-status=\"due\"").count(),
        json["summary"]["due"].as_u64().unwrap() as usize
    );
    // A detail view: the message, the rule's text in the policy, the data rows.
    let first = &findings[0];
    let detail = dom(browser, &page, "#finding=0");
    let detail = between(&detail, "<div id=\"detail\"", "</div>");
    assert!(
        detail.contains(first["message"].as_str().unwrap()),
        "{detail}"
    );
    assert!(
        detail.contains(&format!("rule {}", first["rule"].as_str().unwrap()))
            || detail.contains(first["rule"].as_str().unwrap())
    );
    assert!(detail.contains("class=\"policy\""), "{detail}");
    let row = &first["rows"][0];
    assert!(
        detail.contains(&format!(
            "{}:{}",
            row["file"].as_str().unwrap(),
            row["line"]
        )),
        "{detail}"
    );
    // A search narrows the table.
    let key = first["key"].as_str().unwrap();
    let searched = dom(browser, &page, &format!("#q={key}"));
    let want = findings.iter().filter(|f| f["key"] == key).count();
    assert!(searched.matches("data-finding=").count() >= want);
}

/// `case --format html`: the checklists of the cases as one page.
#[test]
fn a_case_as_a_page() {
    let out = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args([
            "case",
            "C-0000082",
            "C-0000073",
            "--data",
            "examples/data",
            "--as-of",
            AS_OF,
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    assert!(!page.contains("<script"));
    assert_eq!(page.matches("<h1>Case ").count(), 2);
    assert_eq!(page.matches("<tr data-rule=").count(), 36);
    assert!(page.contains("<td class=\"status due\">due</td>"), "{page}");
    assert!(page.contains("<td class=\"status violated\">violated</td>"));
}
