//! What GitHub accepts, on a generated 100,000-case export: a SARIF run of
//! at most 25,000 results that gzips under 10 MB (code scanning's limits),
//! and a markdown diff that fits a pull-request comment (65,536
//! characters).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn docket() -> Command {
    Command::cargo_bin("docket").unwrap()
}

/// One generated 100k export for every test of this file.
fn export() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let out = docket()
            .args(["gen", "--cases", "100000", "--seed", "11", "--out"])
            .arg(d.path())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        d
    })
    .path()
}

#[test]
fn sarif_of_a_100k_audit_is_what_code_scanning_accepts() {
    let out = docket()
        .args(["check", "--data"])
        .arg(export())
        .args(["--as-of", "2025-12-01", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 25_000);
    let total = run["properties"]["results_total"].as_u64().unwrap();
    assert!(total > 100_000, "a 100k audit has more findings: {total}");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&out.stdout).unwrap();
    let zipped = gz.finish().unwrap().len();
    assert!(zipped < 10_000_000, "{zipped} bytes gzipped");
}

/// The bundled policy with the current MSA's notice cut from 90 to 60 days.
fn sixty_days() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("policies")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "docket") {
            let text = std::fs::read_to_string(&p).unwrap();
            let text = text.replacen("when current_msa: 90 days", "when current_msa: 60 days", 1);
            std::fs::write(d.path().join(p.file_name().unwrap()), text).unwrap();
        }
    }
    d
}

#[test]
fn the_markdown_diff_of_a_100k_export_fits_a_pull_request_comment() {
    let base = sixty_days();
    let diff = |format: &str| {
        docket()
            .args(["diff", "--base"])
            .arg(base.path())
            .arg("--policy")
            .arg(root().join("policies"))
            .arg("--data")
            .arg(export())
            .args(["--as-of", "2025-12-01", "--format", format])
            .output()
            .unwrap()
    };
    let out = diff("markdown");
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.chars().count() <= 65_536,
        "{} characters",
        md.chars().count()
    );
    let json: Value = serde_json::from_slice(&diff("json").stdout).unwrap();
    let added = json["added"].as_array().unwrap().len();
    let changed = json["changed"].as_array().unwrap().len();
    assert!(
        added > 1000 && changed > 1000,
        "{added} added, {changed} changed"
    );
    // Counts are exact, listings trimmed with how many more and the command.
    assert!(
        md.contains(&format!("<summary>Added ({added})</summary>")),
        "{md}"
    );
    assert!(
        md.contains(&format!("<summary>Changed ({changed})</summary>")),
        "{md}"
    );
    let listed = md
        .lines()
        .filter(|l| l.starts_with("| `notice-period` | C-"))
        .count();
    let more: usize = md
        .lines()
        .filter_map(|l| l.strip_prefix("… and "))
        .map(|l| l.split(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(listed + more, added + changed);
    assert!(md.contains("--format json`"), "{md}");
    assert!(!md.contains("--format markdown"), "{md}");
}
