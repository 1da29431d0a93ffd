//! `docket case`, `docket test`, `docket rules` and `docket explain` on the
//! bundled policy and the example export.

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
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn docket() -> Command {
    let mut c = Command::cargo_bin("docket").unwrap();
    c.current_dir(root());
    c
}

fn case_json(number: &str) -> (Value, i32) {
    let out = docket()
        .args([
            "case",
            number,
            "--policy",
            "policies",
            "--data",
            "examples/data",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (v, out.status.code().unwrap())
}

fn status_of<'a>(v: &'a Value, rule: &str) -> &'a Value {
    v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap()
}

#[test]
fn case_lists_every_rule_with_its_status() {
    // A rate reduction worked without an opportunity: violated.
    let (v, code) = case_json("C-0000081");
    assert_eq!(code, 1);
    assert_eq!(v["case"], "C-0000081");
    assert_eq!(v["rules"].as_array().unwrap().len(), 18);
    let r = status_of(&v, "rr-opportunity-linked");
    assert_eq!(r["status"], "violated");
    assert!(r["message"].as_str().unwrap().contains("no Opportunity ID"));
    // Not a billing inquiry: not applicable, with the reason.
    let r = status_of(&v, "vendor-followup");
    assert_eq!(r["status"], "not-applicable");
    assert!(r["message"].as_str().unwrap().contains("Billing Inquiry"));
    // Enough notice: pass, with the values used.
    let r = status_of(&v, "notice-period");
    assert_eq!(r["status"], "pass");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("earliest compliant date 2026-02-01"),
        "{r}"
    );
}

#[test]
fn case_shows_what_is_due_and_by_when() {
    let (v, code) = case_json("C-0000082");
    assert_eq!(code, 0, "due items do not fail");
    let r = status_of(&v, "vendor-followup");
    assert_eq!(r["status"], "due");
    assert_eq!(r["deadline"], "2025-11-21T10:00:00-05:00");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("by Fri 21 Nov 2025 10:00 EST"),
        "{r}"
    );
    let human = docket()
        .args([
            "case",
            "C-0000082",
            "--data",
            "examples/data",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(
        text.contains("vendor-followup") && text.contains("deadline: Fri 21 Nov 2025 10:00 EST"),
        "{text}"
    );
    assert!(text.contains("1 item due"), "{text}");
}

#[test]
fn case_agrees_with_check() {
    // The one-case load must give the same findings as the whole audit.
    let out = docket()
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
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    for number in [
        "C-0000001",
        "C-0000005",
        "C-0000040",
        "C-0000081",
        "C-0000082",
    ] {
        let (v, _) = case_json(number);
        for r in v["rules"].as_array().unwrap() {
            let in_check = all["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["key"] == number && f["rule"] == r["rule"])
                .map(|f| f["status"].as_str().unwrap())
                .collect::<Vec<_>>();
            let expected = if in_check.contains(&"violated") {
                "violated"
            } else if in_check.contains(&"due") {
                "due"
            } else {
                ""
            };
            let status = r["status"].as_str().unwrap();
            if expected.is_empty() {
                assert!(
                    status == "pass" || status == "not-applicable",
                    "{number} {}: {status}",
                    r["rule"]
                );
            } else {
                assert_eq!(status, expected, "{number} {}", r["rule"]);
            }
        }
    }
}

#[test]
fn unknown_case_names_the_closest() {
    let out = docket()
        .args([
            "case",
            "C-000081",
            "--data",
            "examples/data",
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("docket::cli::unknown-case") && err.contains("C-0000081"),
        "{err}"
    );
}

#[test]
fn bundled_policy_tests_pass_with_full_coverage() {
    let out = docket()
        .args(["test", "policies", "--require-coverage"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains(" passed, 0 failed"), "{text}");
    assert!(text.contains("every rule (18)"), "{text}");
}

/// A copy of the bundled policy with `tests` replaced by one file.
fn policy_with_test(test: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, d.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    std::fs::create_dir(d.path().join("tests")).unwrap();
    std::fs::write(d.path().join("tests/one.dockettest"), test).unwrap();
    d
}

#[test]
fn a_failing_policy_test_shows_the_difference() {
    let d = policy_with_test(
        "table account\n  Account ID\n  A1\ntest \"wrong on purpose\"\nas-of 2025-12-01\ntable case\n  Case Number,Account ID,Type,Status\n  C1,A1,Cancellation,Closed\nexpect C1 cancellation-reason pass\n",
    );
    let out = docket().arg("test").arg(d.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAILED") && text.contains("- expected C1 cancellation-reason pass"),
        "{text}"
    );
    assert!(
        text.contains("+ actual   C1 cancellation-reason violated"),
        "{text}"
    );
    assert!(text.contains("0 passed, 1 failed, 0 broken"), "{text}");
    // Coverage: one rule exercised; --require-coverage fails on the rest.
    assert!(text.contains("1 of 18 rules exercised"), "{text}");
}

#[test]
fn unexpected_findings_and_coverage_fail() {
    let d = policy_with_test(
        "table account\n  Account ID\n  A1\ntest \"misses one\"\nas-of 2025-12-01\ntable case\n  Case Number,Account ID,Type,Status\n  C1,A1,Cancellation,Closed\n  C2,A1,Cancellation,Closed\nexpect C1 cancellation-reason violated\n",
    );
    let out = docket().arg("test").arg(d.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("+ unexpected C2 cancellation-reason violated"),
        "{text}"
    );
    let ok = policy_with_test(
        "table account\n  Account ID\n  A1\ntest \"fine\"\nas-of 2025-12-01\ntable case\n  Case Number,Account ID,Type,Status\n  C1,A1,Cancellation,Closed\nexpect C1 cancellation-reason violated\n",
    );
    let out = docket().arg("test").arg(ok.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = docket()
        .arg("test")
        .arg(ok.path())
        .arg("--require-coverage")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_unknown_rule_or_case_in_an_expect_says_what_was_meant() {
    let d = policy_with_test(
        "table account\n  Account ID\n  A1\ntest \"typos\"\nas-of 2025-12-01\ntable case\n  Case Number,Account ID,Type,Status\n  C-100,A1,Cancellation,Closed\n  C-200,A1,Cancellation,Closed\nexpect C-100 cancelation-reason violated\nexpect C-1000 cancellation-reason violated\nexpect A1 cancellation-reason violated\nexpect C-100 cancellation-reason violated\nexpect C-200 cancellation-reason violated\n",
    );
    let out = docket().arg("test").arg(d.path()).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("! line 10: the policy has no rule `cancelation-reason`; did you mean `cancellation-reason`?"),
        "{text}"
    );
    assert!(
        text.contains("+ actual   no row `C-1000` in table `case` (it has C-100, C-200); did you mean `C-100`?"),
        "{text}"
    );
    assert!(
        text.contains("+ actual   `A1` is a row of table `account`, but `cancellation-reason` is about `case` rows"),
        "{text}"
    );
    // The unknown rule is said once, not as a missing case too.
    assert_eq!(text.matches("cancelation-reason").count(), 1, "{text}");
}

#[test]
fn broken_test_files_and_missing_tests_exit_2() {
    let d = policy_with_test("test \"x\"\nexpect C1 cancellation-reason maybe\nfrobnicate\n");
    let out = docket().arg("test").arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("one.dockettest:2:")
            && text.contains("one.dockettest:3:")
            && text.contains("docket::test::syntax"),
        "{text}"
    );
    // The broken file counts in the closing line, beside a good one.
    std::fs::write(
        d.path().join("tests/two.dockettest"),
        "table account\n  Account ID\n  A1\ntest \"fine\"\nas-of 2025-12-01\ntable case\n  Case Number,Account ID,Type,Status\n  C1,A1,Cancellation,Closed\nexpect C1 cancellation-reason violated\n",
    )
    .unwrap();
    let out = docket().arg("test").arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\n1 passed, 0 failed, 1 broken\n"), "{text}");
    let out = docket()
        .args(["test", "--format", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["passed"].as_u64(), v["broken"].as_u64()),
        (Some(1), Some(1))
    );
    std::fs::remove_file(d.path().join("tests/two.dockettest")).unwrap();
    std::fs::remove_file(d.path().join("tests/one.dockettest")).unwrap();
    let out = docket().arg("test").arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docket::test::no-tests"));
}

#[test]
fn rules_and_explain() {
    let out = docket()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = v.as_array().unwrap();
    assert_eq!(rules.len(), 18);
    let n = rules.iter().find(|r| r["id"] == "notice-period").unwrap();
    assert_eq!(n["kind"], "notice");
    assert_eq!(n["severity"], "error");
    assert!(
        n["sources"][0]
            .as_str()
            .unwrap()
            .contains("CCC Process for CSMs")
    );
    let out = docket()
        .args(["explain", "vendor-followup"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("escalation vendor-followup") && text.contains("repeat every 48 hours"),
        "{text}"
    );
    let out = docket()
        .args(["explain", "vendor-folowup"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("vendor-followup"));
}
