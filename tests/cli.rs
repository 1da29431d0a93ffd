//! The `docket` binary: exit codes, where output goes, formats, I/O errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn docket() -> Command {
    let mut c = Command::cargo_bin("docket").unwrap();
    c.env("NO_COLOR", "1").env_remove("COLUMNS");
    c
}

fn repo(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
}

fn copy_policies(dir: &Path) {
    for entry in std::fs::read_dir(repo("policies")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "docket") {
            std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
        }
    }
}

#[test]
fn lint_accepts_the_bundled_policy() {
    docket()
        .arg("lint")
        .arg(repo("policies"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("18 rules, 4 tables, 5 files"))
        .stderr("");
}

#[test]
fn lint_reports_every_mistake_with_location_and_exits_2() {
    docket()
        .arg("lint")
        .arg(repo("tests/broken/parse.recovery-three-mistakes.docket"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("docket::parse::wrong-operator"))
        .stderr(predicate::str::contains(
            "parse.recovery-three-mistakes.docket:23:12",
        ))
        .stderr(predicate::str::contains("did you mean `message`?"))
        .stdout(predicate::str::contains("3 errors, 0 warnings"));
}

#[test]
fn lint_short_and_json_formats() {
    docket()
        .args(["lint", "--format", "short"])
        .arg(repo("tests/broken/names.unknown-field.docket"))
        .assert()
        .code(2)
        .stdout(predicate::str::is_match(r"names\.unknown-field\.docket:26:16: error\[docket::names::unknown-field\]: `case` has no field `stauts`\n").unwrap());
    let out = docket()
        .args(["lint", "--format", "json"])
        .arg(repo("tests/broken/names.unknown-field.docket"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "docket::names::unknown-field");
    assert_eq!(d["line"], 26);
    assert_eq!(d["column"], 16);
    assert_eq!(d["help"], "did you mean `status`?");
}

#[test]
fn warnings_pass_unless_denied() {
    let f = repo("tests/broken/rule.no-source.docket");
    docket()
        .arg("lint")
        .arg(&f)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("cites no source"));
    docket()
        .args(["lint", "--deny-warnings"])
        .arg(&f)
        .assert()
        .code(2);
}

#[test]
fn lint_io_errors() {
    let dir = tempfile::tempdir().unwrap();
    docket()
        .arg("lint")
        .arg(dir.path().join("nope"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("docket::io::read"))
        .stderr(predicate::str::contains("no such file or directory"));
    docket()
        .arg("lint")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("docket::io::no-policy"));
    std::fs::write(
        dir.path().join("bad.docket"),
        b"policy \"p\"\n  timezone \"UTC\"\n# \xff\xfe\n",
    )
    .unwrap();
    docket()
        .arg("lint")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("docket::io::encoding"))
        .stderr(predicate::str::contains("not valid UTF-8 at line 3"))
        .stderr(predicate::str::contains("missing-header").not());
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    copy_policies(dir.path());
    let p = dir.path().join("policy.docket");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("\u{feff}{text}")).unwrap();
    docket().arg("lint").arg(dir.path()).assert().code(0);
}

#[test]
fn fmt_check_passes_on_the_bundled_policy() {
    docket()
        .args(["fmt", "--check"])
        .arg(repo("policies"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("5 files already formatted"));
}

#[test]
fn fmt_check_lists_unformatted_files_with_a_diff_and_fmt_fixes_them() {
    let dir = tempfile::tempdir().unwrap();
    copy_policies(dir.path());
    let p = dir.path().join("billing.docket");
    let original = std::fs::read_to_string(&p).unwrap();
    let messy = original.replace("  severity error\n", "     severity    error\n");
    std::fs::write(&p, &messy).unwrap();
    docket()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("billing.docket is not formatted"))
        .stdout(predicate::str::contains("-     severity    error"))
        .stdout(predicate::str::contains("+  severity error"))
        .stdout(predicate::str::contains(
            "1 of 5 files would be reformatted",
        ));
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        messy,
        "--check changes nothing"
    );
    docket()
        .arg("fmt")
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("formatted"));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), original);
    docket()
        .args(["fmt", "--check"])
        .arg(dir.path())
        .assert()
        .code(0);
}

#[test]
fn fmt_refuses_files_that_do_not_parse() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("broken.docket");
    let text = std::fs::read_to_string(repo("tests/broken/parse.wrong-operator.docket")).unwrap();
    std::fs::write(&p, &text).unwrap();
    docket()
        .arg("fmt")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("docket::parse::wrong-operator"));
    assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
}

#[cfg(unix)]
#[test]
fn fmt_reports_files_it_cannot_write() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("a.docket");
    std::fs::write(&p, "policy   \"p\"\n  timezone \"UTC\"\n").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    let probe = std::fs::OpenOptions::new().write(true).open(&p).is_ok();
    let assert = docket().arg("fmt").arg(&p).assert();
    if probe {
        // Running as root: permissions do not stop the write, so the file is formatted.
        assert.code(0);
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "policy \"p\"\n  timezone \"UTC\"\n"
        );
    } else {
        assert
            .code(2)
            .stderr(predicate::str::contains("docket::io::write"));
    }
}

#[test]
fn bad_flags_exit_2_and_help_exits_0() {
    docket()
        .args(["lint", "--format", "yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'yaml'"));
    docket().arg("frobnicate").assert().code(2);
    docket()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("lint"));
    docket().arg("--version").assert().code(0);
}
