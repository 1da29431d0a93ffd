//! `docket diff`: copies of the bundled policy, changed the way a pull
//! request would change them, compared over the example export.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const AS_OF: &str = "2025-11-20T12:00";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> PathBuf {
    root().join("examples/data")
}

/// A copy of the bundled policy's `.docket` files, edited by `edit`.
fn policy_copy(edit: impl Fn(&Path)) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "docket") {
            std::fs::copy(&p, d.path().join(p.file_name().unwrap())).unwrap();
        }
    }
    edit(d.path());
    d
}

/// The bundled policy with the current MSA's notice cut from 90 to 60 days.
fn sixty_days() -> tempfile::TempDir {
    policy_copy(|d| {
        replace(
            d,
            "requests.docket",
            "when current_msa: 90 days",
            "when current_msa: 60 days",
        )
    })
}

fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

/// Removes the block that starts with `start` (up to the next blank line).
fn remove_block(dir: &Path, file: &str, start: &str) {
    let p = dir.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    let a = text.find(start).unwrap_or_else(|| panic!("no `{start}`"));
    let b = text[a..].find("\n\n").map_or(text.len(), |i| a + i + 2);
    std::fs::write(&p, format!("{}{}", &text[..a], &text[b..])).unwrap();
}

fn diff_cmd(base: &Path, policy: &Path, extra: &[&str]) -> Command {
    let mut c = Command::cargo_bin("docket").unwrap();
    c.arg("diff")
        .arg("--base")
        .arg(base)
        .arg("--policy")
        .arg(policy)
        .arg("--data")
        .arg(examples())
        .arg("--as-of")
        .arg(AS_OF)
        .args(extra);
    c
}

fn diff_json(base: &Path, policy: &Path, extra: &[&str]) -> (Value, i32) {
    let out = diff_cmd(base, policy, &[&["--format", "json"], extra].concat())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, out.status.code().unwrap())
}

fn check_findings(policy: &Path) -> Vec<Value> {
    let out = Command::cargo_bin("docket")
        .unwrap()
        .args(["check", "--format", "json", "--as-of", AS_OF, "--policy"])
        .arg(policy)
        .arg("--data")
        .arg(examples())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"].as_array().unwrap().clone()
}

type Id = (String, String, String, usize);

/// Findings by (rule, key, status, n-th of that triple).
fn by_identity(findings: &[Value]) -> BTreeMap<Id, Value> {
    let mut seen: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for f in findings {
        let t = (
            f["rule"].as_str().unwrap().to_string(),
            f["key"].as_str().unwrap().to_string(),
            f["status"].as_str().unwrap().to_string(),
        );
        let n = seen.entry(t.clone()).or_insert(0);
        out.insert((t.0, t.1, t.2, *n), f.clone());
        *n += 1;
    }
    out
}

fn ids(list: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let f = if f.get("after").is_some() {
                &f["after"]
            } else {
                f
            };
            (
                f["rule"].as_str().unwrap().to_string(),
                f["key"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The diff `check` implies: what `docket diff` must report, computed from
/// two `check --format json` runs.
fn expected(base: &Path, policy: &Path) -> (Vec<Id>, Vec<Id>, Vec<Id>) {
    let before = by_identity(&check_findings(base));
    let after = by_identity(&check_findings(policy));
    let added = after
        .keys()
        .filter(|k| !before.contains_key(*k))
        .cloned()
        .collect();
    let removed = before
        .keys()
        .filter(|k| !after.contains_key(*k))
        .cloned()
        .collect();
    let changed = after
        .iter()
        .filter(|(k, f)| {
            before
                .get(*k)
                .is_some_and(|b| b["message"] != f["message"] || b["deadline"] != f["deadline"])
        })
        .map(|(k, _)| k.clone())
        .collect();
    (added, removed, changed)
}

fn strip(ids: Vec<Id>) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = ids.into_iter().map(|(a, b, c, _)| (a, b, c)).collect();
    v.sort();
    v
}

fn assert_matches_check(base: &Path, policy: &Path, d: &Value) {
    let (added, removed, changed) = expected(base, policy);
    assert_eq!(ids(&d["added"]), strip(added), "added");
    assert_eq!(ids(&d["removed"]), strip(removed), "removed");
    assert_eq!(ids(&d["changed"]), strip(changed), "changed");
}

fn rule_row<'a>(d: &'a Value, rule: &str) -> &'a Value {
    d["summary"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == rule)
        .unwrap_or_else(|| panic!("no row for {rule}"))
}

fn keys(list: &Value) -> Vec<String> {
    ids(list).into_iter().map(|(_, k, _)| k).collect()
}

#[test]
fn ninety_days_to_sixty_clears_short_notices_and_shrinks_the_rest() {
    let base = root().join("policies");
    let p = sixty_days();
    let (d, code) = diff_json(&base, p.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(d["added"], Value::Array(vec![]));
    // Notices 1 to 30 days short of 90 are enough for 60 days.
    assert_eq!(
        keys(&d["removed"]),
        [
            "C-0000001",
            "C-0000011",
            "C-0000049",
            "C-0000059",
            "C-0000063",
            "C-0000065",
            "C-0000066"
        ]
    );
    // The others are 30 days less short, and say so.
    assert_eq!(
        keys(&d["changed"]),
        [
            "C-0000007",
            "C-0000026",
            "C-0000030",
            "C-0000050",
            "C-0000056",
            "C-0000080"
        ]
    );
    let c = d["changed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["after"]["key"] == "C-0000007")
        .unwrap();
    assert!(
        c["before"]["message"]
            .as_str()
            .unwrap()
            .contains("45 days too early"),
        "{c}"
    );
    assert!(
        c["after"]["message"]
            .as_str()
            .unwrap()
            .contains("15 days too early: the current MSA requires 60 days"),
        "{c}"
    );
    // Findings keep the shape of `check --format json`.
    let f = &d["removed"][0];
    for field in [
        "rule",
        "severity",
        "status",
        "key",
        "message",
        "policy_span",
        "rows",
    ] {
        assert!(f.get(field).is_some(), "{field} missing in {f}");
    }
    let s = &d["summary"];
    assert_eq!(
        (
            s["added"].as_u64(),
            s["removed"].as_u64(),
            s["changed"].as_u64(),
            s["added_violations"].as_u64()
        ),
        (Some(0), Some(7), Some(6), Some(0))
    );
    let np = rule_row(&d, "notice-period");
    assert_eq!(np["change"], "kept");
    assert_eq!(np["before"]["violated"], 16);
    assert_eq!(np["after"]["violated"], 9);
    assert_eq!(
        (
            np["added"].as_u64(),
            np["removed"].as_u64(),
            np["changed"].as_u64()
        ),
        (Some(0), Some(7), Some(6))
    );
    for r in s["rules"].as_array().unwrap() {
        if r["rule"] != "notice-period" {
            assert_eq!(r["before"], r["after"], "{r}");
            assert_eq!(
                r["added"].as_u64().unwrap()
                    + r["removed"].as_u64().unwrap()
                    + r["changed"].as_u64().unwrap(),
                0,
                "{r}"
            );
        }
    }
    assert_matches_check(&base, p.path(), &d);
    // `--fail-on-new`: nothing new, so 0.
    assert_eq!(diff_json(&base, p.path(), &["--fail-on-new"]).1, 0);
}

#[test]
fn a_new_arm_adds_violations_and_fails_with_fail_on_new() {
    let base = root().join("policies");
    let p = policy_copy(|d| {
        replace(
            d,
            "requests.docket",
            "  arm \"current MSA\" when current_msa: 90 days",
            "  arm \"cancellation\" when case.type = \"Cancellation\": 120 days\n  arm \"current MSA\" when current_msa: 90 days",
        )
    });
    let (d, code) = diff_json(&base, p.path(), &[]);
    assert_eq!(code, 0, "without --fail-on-new a diff is not a failure");
    assert_matches_check(&base, p.path(), &d);
    let added = d["added"].as_array().unwrap();
    assert!(!added.is_empty());
    for f in added {
        assert_eq!(f["rule"], "notice-period");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("the cancellation requires 120 days"),
            "{f}"
        );
    }
    assert_eq!(
        d["summary"]["added_violations"].as_u64(),
        Some(added.len() as u64)
    );
    assert_eq!(diff_json(&base, p.path(), &["--fail-on-new"]).1, 1);
    // Reversed, the same change clears those cases: nothing new.
    let (back, code) = diff_json(p.path(), &base, &["--fail-on-new"]);
    assert_eq!(code, 0);
    assert_eq!(ids(&back["removed"]), ids(&d["added"]));
}

#[test]
fn a_removed_rule_removes_its_findings_and_says_so() {
    let base = root().join("policies");
    let p = policy_copy(|d| remove_block(d, "requests.docket", "rule docusign-after-sr"));
    let (d, code) = diff_json(&base, p.path(), &[]);
    assert_eq!(code, 0);
    assert_matches_check(&base, p.path(), &d);
    let removed = d["removed"].as_array().unwrap();
    assert!(!removed.is_empty());
    assert!(removed.iter().all(|f| f["rule"] == "docusign-after-sr"));
    let row = rule_row(&d, "docusign-after-sr");
    assert_eq!(row["change"], "removed");
    assert_eq!(row["after"], Value::Null);
    assert_eq!(row["removed"].as_u64(), Some(removed.len() as u64));
    let base_policy: Vec<String> = d["summary"]["base"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    assert!(base_policy.contains(&"docusign-after-sr".to_string()));
}

#[test]
fn a_column_only_one_side_reads_is_read_once_for_both() {
    // The changed policy drops the Cancellation Reason column and the rule
    // that reads it: the base still needs the column from the same reading.
    let base = root().join("policies");
    let p = policy_copy(|d| {
        remove_block(d, "requests.docket", "rule cancellation-reason");
        replace(
            d,
            "tables.docket",
            "  cancellation_reason: text from \"Cancellation Reason\"\n",
            "",
        );
    });
    let (d, code) = diff_json(&base, p.path(), &[]);
    assert_eq!(code, 0, "{d}");
    assert_matches_check(&base, p.path(), &d);
    assert!(
        d["removed"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["rule"] == "cancellation-reason")
    );
    assert_eq!(
        d["summary"]["removed"],
        rule_row(&d, "cancellation-reason")["before"]["violated"]
    );
    // And the other way round: the change adds the column and the rule.
    let (d, code) = diff_json(p.path(), &base, &["--fail-on-new"]);
    assert_eq!(code, 1);
    assert_matches_check(p.path(), &base, &d);
    assert_eq!(rule_row(&d, "cancellation-reason")["change"], "new");
}

#[test]
fn the_same_policy_changes_nothing() {
    let base = root().join("policies");
    let (d, code) = diff_json(&base, &base, &["--fail-on-new"]);
    assert_eq!(code, 0);
    assert_eq!(d["summary"]["added"], 0);
    assert_eq!(d["summary"]["removed"], 0);
    assert_eq!(d["summary"]["changed"], 0);
    assert!(d["summary"]["unchanged"].as_u64().unwrap() > 0);
    let files = d["summary"]["files"].as_array().unwrap();
    assert_eq!(
        files.len(),
        4,
        "each file read and accounted once: {files:?}"
    );
}

#[test]
fn a_broken_policy_stops_before_any_data_is_read() {
    let p = policy_copy(|d| replace(d, "billing.docket", "\"Genpac Tagged\"", "\"Genpac Taged\""));
    let out = Command::cargo_bin("docket")
        .unwrap()
        .arg("diff")
        .arg("--base")
        .arg(root().join("policies"))
        .arg("--policy")
        .arg(p.path())
        .args(["--data", "/nonexistent/exports"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("docket::names::unknown-value"), "{err}");
    assert!(!err.contains("missing-file"), "data was read: {err}");
}

/// The stderr of a diff against the bundled policy changed by replacing
/// `from` with `to` in its tables, which must fail with tables-differ.
fn tables_differ(from: &str, to: &str) -> String {
    let p = policy_copy(|d| replace(d, "tables.docket", from, to));
    let out = diff_cmd(&root().join("policies"), p.path(), &[])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("docket::diff::tables-differ"), "{err}");
    err
}

#[test]
fn tables_the_policies_read_differently_are_an_error_in_both() {
    let err = tables_differ("from \"cases.csv\"", "from \"tickets.csv\"");
    assert!(err.contains("tickets.csv"), "{err}");
}

#[test]
fn markdown_and_human_reports() {
    let base = root().join("policies");
    let p = sixty_days();
    let out = diff_cmd(&base, p.path(), &["--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("### docket diff: no new violations"), "{md}");
    assert!(
        md.contains("| `notice-period` | 16 | 9 | 0 | 7 | 6 |"),
        "{md}"
    );
    assert!(
        md.contains("<details><summary>Removed (7)</summary>"),
        "{md}"
    );
    assert!(
        md.contains("<details><summary>Changed (6)</summary>"),
        "{md}"
    );
    let out = diff_cmd(&base, p.path(), &[]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("- notice-period C-0000063 [violated]"),
        "{text}"
    );
    assert!(
        text.contains("~ notice-period C-0000007 [violated]"),
        "{text}"
    );
    assert!(
        text.contains("82 cases checked: 0 findings added (0 violations), 7 removed, 6 changed"),
        "{text}"
    );
}

#[test]
fn a_file_read_another_way_by_the_changed_policy_is_an_error_in_both() {
    let err = tables_differ(
        "from \"cases.csv\"\n",
        "from \"cases.csv\"\n  missing \"-\"\n",
    );
    assert!(err.contains("say differently how table `case`"), "{err}");
}

/// A pull request's policy writes the messages a comment shows: markup,
/// HTML, mentions and issue references in them read as text.
#[test]
fn markdown_escapes_what_a_policy_message_could_do_in_a_comment() {
    let base = root().join("policies");
    let p = policy_copy(|d| {
        let file = d.join("requests.docket");
        let text = std::fs::read_to_string(&file).unwrap().replace(
            "message \"the request was",
            "message \"@org/admins <img src=x onerror=alert(1)> see #1 | **now**: the request was",
        );
        std::fs::write(file, text).unwrap();
    });
    let out = diff_cmd(&base, p.path(), &["--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains(
            "\\@org/admins \\<img src=x onerror=alert(1)\\> see \\#1 \\| \\*\\*now\\*\\*: the request was"
        ),
        "{md}"
    );
    assert!(!md.replace("\\<", "").contains("<img"), "{md}");
}
