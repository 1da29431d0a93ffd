//! Small exports in format v1, written row by row, and a runner for the
//! `docket` binary over them.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub use docket::generate::{ACCOUNTS, CASES, EVENTS, OPPORTUNITIES};

/// An export being written: rows as header → value pairs.
#[derive(Default, Clone)]
pub struct Export {
    pub accounts: Vec<Vec<String>>,
    pub opportunities: Vec<Vec<String>>,
    pub cases: Vec<Vec<String>>,
    pub events: Vec<Vec<String>>,
}

fn row(headers: &[&str], values: &[(&str, &str)]) -> Vec<String> {
    for (h, _) in values {
        assert!(headers.contains(h), "no column {h}");
    }
    headers
        .iter()
        .map(|h| {
            values
                .iter()
                .find(|(k, _)| k == h)
                .map_or(String::new(), |(_, v)| (*v).to_string())
        })
        .collect()
}

fn csv_text(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(headers).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

impl Export {
    pub fn new() -> Export {
        Export::default()
    }

    /// An account; unspecified cells are empty.
    pub fn account(&mut self, id: &str, values: &[(&str, &str)]) -> &mut Export {
        let mut v = vec![("Account ID", id)];
        v.extend_from_slice(values);
        self.accounts.push(row(ACCOUNTS, &v));
        self
    }

    pub fn opportunity(&mut self, id: &str, account: &str, values: &[(&str, &str)]) -> &mut Export {
        let mut v = vec![("Opportunity ID", id), ("Account ID", account)];
        v.extend_from_slice(values);
        self.opportunities.push(row(OPPORTUNITIES, &v));
        self
    }

    pub fn case(
        &mut self,
        number: &str,
        account: &str,
        kind: &str,
        status: &str,
        values: &[(&str, &str)],
    ) -> &mut Export {
        let mut v = vec![
            ("Case Number", number),
            ("Account ID", account),
            ("Type", kind),
            ("Status", status),
        ];
        v.extend_from_slice(values);
        self.cases.push(row(CASES, &v));
        self
    }

    pub fn event(&mut self, case: &str, at: &str, name: &str, detail: &str) -> &mut Export {
        self.events.push(row(
            EVENTS,
            &[
                ("Case Number", case),
                ("Timestamp", at),
                ("Event", name),
                ("Actor", "Sam Lee"),
                ("Detail", detail),
            ],
        ));
        self
    }

    /// Writes the four files into `dir`.
    pub fn write(&self, dir: &Path) {
        std::fs::write(dir.join("accounts.csv"), csv_text(ACCOUNTS, &self.accounts)).unwrap();
        std::fs::write(
            dir.join("opportunities.csv"),
            csv_text(OPPORTUNITIES, &self.opportunities),
        )
        .unwrap();
        std::fs::write(dir.join("cases.csv"), csv_text(CASES, &self.cases)).unwrap();
        std::fs::write(dir.join("case_events.csv"), csv_text(EVENTS, &self.events)).unwrap();
    }

    /// Writes the export to a fresh directory.
    pub fn dir(&self) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        self.write(d.path());
        d
    }
}

pub fn policies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")
}

/// `docket` with the bundled policy over `dir`, as of `as_of` (none when empty).
pub fn check_cmd(dir: &Path, as_of: &str, extra: &[&str]) -> Command {
    let mut c = Command::cargo_bin("docket").unwrap();
    c.arg("check")
        .arg("--policy")
        .arg(policies())
        .arg("--data")
        .arg(dir);
    if !as_of.is_empty() {
        c.arg("--as-of").arg(as_of);
    }
    c.args(extra);
    c
}

/// The JSON report and exit code.
pub fn check_json(dir: &Path, as_of: &str, extra: &[&str]) -> (Value, i32) {
    let out = check_cmd(dir, as_of, &[&["--format", "json"], extra].concat())
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (v, code)
}

/// One finding, reduced to what tests assert on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct F {
    pub rule: String,
    pub status: String,
    pub key: String,
    pub message: String,
    pub deadline: Option<String>,
}

pub fn findings(report: &Value) -> Vec<F> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| F {
            rule: f["rule"].as_str().unwrap().to_string(),
            status: f["status"].as_str().unwrap().to_string(),
            key: f["key"].as_str().unwrap().to_string(),
            message: f["message"].as_str().unwrap().to_string(),
            deadline: f
                .get("deadline")
                .and_then(|d| d.as_str())
                .map(str::to_string),
        })
        .collect()
}

/// Findings of one rule, as `(key, status)`.
pub fn of_rule(report: &Value, rule: &str) -> Vec<(String, String)> {
    findings(report)
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| (f.key.to_string(), f.status))
        .collect()
}
