//! `docket compile`: the scripts DuckDB and Spark run return exactly the
//! findings `docket check` gives, as multisets of (rule, key, status, mark,
//! deadline), on the example export, generated exports (20k cases, and one
//! with data errors and CRLF line ends) and the tables of every policy
//! test.
//!
//! The engines run through their Python packages (`scripts/run_sql.py`;
//! Spark in local mode on loopback); `.ci/run` installs them and sets
//! `DOCKET_REQUIRE_SQL=1`, so there these tests cannot be skipped.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docket() -> Command {
    Command::cargo_bin("docket").unwrap()
}

/// Whether an engine's Python package is there (required when
/// `DOCKET_REQUIRE_SQL` is set).
fn engine(package: &str) -> bool {
    let found = Process::new("python3")
        .args(["-c", &format!("import {package}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found && std::env::var_os("DOCKET_REQUIRE_SQL").is_some() {
        panic!("the {package} Python package is required (DOCKET_REQUIRE_SQL is set) but missing");
    }
    if !found {
        eprintln!("skipped: no {package} Python package (pip install {package})");
    }
    found
}

fn duckdb() -> bool {
    engine("duckdb")
}

fn spark() -> bool {
    engine("pyspark")
}

/// A finding as both sides give it.
type Finding = (String, String, String, Option<u64>, Option<i64>);

fn count(items: impl Iterator<Item = Finding>) -> BTreeMap<Finding, usize> {
    let mut m = BTreeMap::new();
    for f in items {
        *m.entry(f).or_insert(0) += 1;
    }
    m
}

/// `docket check`'s violations and due items over `data` as of `as_of`.
fn native(data: &Path, as_of: &str) -> BTreeMap<Finding, usize> {
    let out = docket()
        .args(["check", "--format", "json", "--as-of", as_of, "--data"])
        .arg(data)
        .current_dir(root())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    count(v["findings"].as_array().unwrap().iter().map(|f| {
        let deadline = f["deadline"].as_str().map(|d| {
            chrono::DateTime::parse_from_rfc3339(d)
                .unwrap()
                .timestamp_millis()
        });
        (
            f["rule"].as_str().unwrap().to_string(),
            f["key"].as_str().unwrap().to_string(),
            f["status"].as_str().unwrap().to_string(),
            f["mark"].as_u64(),
            deadline,
        )
    }))
}

/// The compiled script for `data` as of `as_of`, written into `dir`.
fn script(dialect: &str, data: &Path, as_of: &str, dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(format!("{name}.sql"));
    let out = docket()
        .args(["compile", "--dialect", dialect, "--as-of", as_of, "--data"])
        .arg(data)
        .arg("--output")
        .arg(&path)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// What the engine's runs of `scripts` return, per script.
fn engine_findings(
    dialect: &str,
    scripts: &[PathBuf],
) -> BTreeMap<String, BTreeMap<Finding, usize>> {
    let out = Process::new("python3")
        .arg(root().join("scripts/run_sql.py"))
        .arg(dialect)
        .args(scripts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut per: BTreeMap<String, Vec<Finding>> = BTreeMap::new();
    for s in scripts {
        per.entry(s.display().to_string()).or_default();
    }
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        per.entry(v["script"].as_str().unwrap().to_string())
            .or_default()
            .push((
                v["rule"].as_str().unwrap().to_string(),
                v["key"].as_str().unwrap().to_string(),
                v["status"].as_str().unwrap().to_string(),
                v["mark"].as_u64(),
                v["deadline"].as_i64(),
            ));
    }
    per.into_iter()
        .map(|(k, v)| (k, count(v.into_iter())))
        .collect()
}

/// The engine and `docket check` agree on every export, each as of its
/// own time.
fn agree(dialect: &str, exports: &[(PathBuf, String)]) {
    let dir = tempfile::tempdir().unwrap();
    let scripts: Vec<PathBuf> = exports
        .iter()
        .enumerate()
        .map(|(i, (data, as_of))| script(dialect, data, as_of, dir.path(), &format!("s{i}")))
        .collect();
    let sql = engine_findings(dialect, &scripts);
    for ((data, as_of), s) in exports.iter().zip(&scripts) {
        let want = native(data, as_of);
        let got = sql
            .get(&s.display().to_string())
            .cloned()
            .unwrap_or_default();
        let only_sql: Vec<_> = got
            .iter()
            .filter(|(k, n)| want.get(*k) != Some(n))
            .take(5)
            .collect();
        let only_native: Vec<_> = want
            .iter()
            .filter(|(k, n)| got.get(*k) != Some(n))
            .take(5)
            .collect();
        assert!(
            only_sql.is_empty() && only_native.is_empty(),
            "{} as of {as_of}: {} findings from {dialect}, {} from docket check\nonly {dialect}: {only_sql:?}\nonly docket: {only_native:?}",
            data.display(),
            got.values().sum::<usize>(),
            want.values().sum::<usize>()
        );
    }
}

fn generated(cases: &str, seed: &str, extra: &[&str]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let out = docket()
        .args(["gen", "--cases", cases, "--seed", seed])
        .args(extra)
        .arg("--out")
        .arg(d.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    d
}

#[test]
fn duckdb_agrees_with_check_on_the_example_and_generated_exports() {
    if !duckdb() {
        return;
    }
    let big = generated("20000", "5", &[]);
    let dirty = generated("3000", "9", &["--errors", "0.05", "--crlf"]);
    agree(
        "duckdb",
        &[
            (root().join("examples/data"), "2025-11-20T12:00".to_string()),
            (big.path().to_path_buf(), "2025-12-01".to_string()),
            (dirty.path().to_path_buf(), "2025-12-01".to_string()),
            // Early enough that many ladders are open: due items and deadlines.
            (big.path().to_path_buf(), "2024-03-10T02:30".to_string()),
        ],
    );
}

/// Every policy test's tables, written as exports, with their as-of.
fn policy_test_exports(d: &Path) -> Vec<(PathBuf, String)> {
    let out = docket()
        .args(["test", "policies", "--write-exports"])
        .arg(d)
        .current_dir(root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let mut exports = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        let as_of = std::fs::read_to_string(p.join("as-of")).unwrap();
        exports.push((p, as_of.trim().to_string()));
    }
    exports.sort();
    assert!(exports.len() >= 20, "{} tests", exports.len());
    exports
}

#[test]
fn duckdb_agrees_with_check_on_every_policy_tests_tables() {
    if !duckdb() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    agree("duckdb", &policy_test_exports(d.path()));
}

/// Spark in local mode: one application for every export (its JVM warms
/// up once), so the example, 20k, dirty and policy-test exports share one
/// test.
#[test]
fn spark_agrees_with_check_on_the_example_generated_and_policy_test_exports() {
    if !spark() {
        return;
    }
    let big = generated("20000", "5", &[]);
    let dirty = generated("3000", "9", &["--errors", "0.05", "--crlf"]);
    let tests = tempfile::tempdir().unwrap();
    let mut exports = vec![
        (root().join("examples/data"), "2025-11-20T12:00".to_string()),
        (big.path().to_path_buf(), "2024-03-10T02:30".to_string()),
        (dirty.path().to_path_buf(), "2025-12-01".to_string()),
    ];
    exports.extend(policy_test_exports(tests.path()));
    agree("spark", &exports);
}

/// `docket compile --dialect DIALECT --data DIR --policy DIR/p.docket`.
fn compile(d: &Path, dialect: &str) -> std::process::Output {
    docket()
        .args(["compile", "--dialect", dialect, "--data"])
        .arg(d)
        .arg("--policy")
        .arg(d.join("p.docket"))
        .output()
        .unwrap()
}

/// What the dialect cannot express is refused, naming the construct and
/// the dialect, at its place in the policy; `lint --dialect` warns.
#[test]
fn constructs_without_an_exact_sql_meaning_are_refused() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("p.docket"),
        r#"policy "P"
  timezone "UTC"

table case from "cases.csv"
  number: text from "Case Number" key
  grace: days from "Grace"
  events: many event by case ordered by at

table event from "events.csv"
  case: ref case from "Case Number"
  at: datetime from "At" formats "YYYY-MM-DD HH:mm:ss.S"

rule listed "Events are listed"
  severity error
  for case
  source "P" section "S"
  require count case.events > 0
  message "no events"
"#,
    )
    .unwrap();
    let out = compile(d.path(), "duckdb");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("docket::sql::unsupported").count(), 2, "{err}");
    assert!(
        err.contains("reading day counts or durations from CSV cannot be compiled to DuckDB"),
        "{err}"
    );
    assert!(
        err.contains("the date-time format `YYYY-MM-DD HH:mm:ss.S` cannot be compiled to DuckDB"),
        "{err}"
    );
    assert!(err.contains("p.docket:6:3]"), "{err}");
    // lint says so as warnings.
    let out = docket()
        .args(["lint", "--dialect", "duckdb"])
        .arg(d.path().join("p.docket"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("docket::sql::unsupported"), "{err}");
}

/// Spark's CSV reader cannot skip lines before the header: refused for
/// Spark, compiled for DuckDB.
#[test]
fn skipping_lines_is_refused_for_spark_only() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("p.docket"),
        r#"policy "P"
  timezone "UTC"

table case from "cases.csv"
  skip 2 lines
  number: text from "Case Number" key

rule numbered "Cases are numbered"
  severity error
  for case
  source "P" section "S"
  require case.number != ""
  message "no number"
"#,
    )
    .unwrap();
    std::fs::write(d.path().join("cases.csv"), "Report\n\nCase Number\nC-1\n").unwrap();
    let out = compile(d.path(), "spark");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(
            "skipping lines before the header of `cases.csv` cannot be compiled to Spark SQL"
        ),
        "{err}"
    );
    let out = compile(d.path(), "duckdb");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
