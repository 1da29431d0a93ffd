//! Shell integration: completion scripts, man pages and `--version`,
//! generated from the command-line definitions themselves.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use assert_cmd::Command;

fn docket(args: &[&str]) -> (String, i32) {
    let out = Command::cargo_bin("docket")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        out.status.code().unwrap(),
    )
}

#[test]
fn every_version_flag_prints_docket_and_its_version() {
    let want = format!("docket {}\n", env!("CARGO_PKG_VERSION"));
    for cmd in [
        &[][..],
        &["check"],
        &["case"],
        &["diff"],
        &["due"],
        &["lint"],
        &["test"],
        &["fmt"],
        &["rules"],
        &["gen"],
    ] {
        let args: Vec<&str> = cmd.iter().copied().chain(["--version"]).collect();
        assert_eq!(docket(&args), (want.clone(), 0), "{args:?}");
    }
}

#[test]
fn completion_scripts_are_accepted_by_their_shells() {
    let (bash, code) = docket(&["completions", "bash"]);
    assert_eq!(code, 0);
    assert!(bash.contains("docket") && bash.contains("--encoding"));
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("docket.bash");
    std::fs::write(&path, &bash).unwrap();
    let ok = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .status()
        .unwrap();
    assert!(ok.success(), "bash -n rejects the script");
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let (script, code) = docket(&["completions", shell]);
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains("check"), "{shell}");
    }
    let (_, code) = docket(&["completions", "tcsh"]);
    assert_eq!(code, 2);
}

#[test]
fn a_man_page_per_command() {
    let d = tempfile::tempdir().unwrap();
    let (_, code) = docket(&["man", "--out", d.path().to_str().unwrap()]);
    assert_eq!(code, 0);
    for page in [
        "docket.1",
        "docket-check.1",
        "docket-case.1",
        "docket-due.1",
        "docket-test.1",
    ] {
        let text = std::fs::read_to_string(d.path().join(page)).unwrap();
        assert!(text.starts_with(".ie \\n(.g .ds Aq"), "{page}: not roff");
        assert!(text.contains(".SH NAME"), "{page}");
    }
    let check = std::fs::read_to_string(d.path().join("docket-check.1")).unwrap();
    assert!(check.contains("waivers"), "the flags are in the page");
}

/// `cargo install` works from a checkout, with the lockfile's versions
/// (`--locked`), and the package says where it lives and what it is.
#[test]
fn cargo_install_locked_from_the_checkout_gives_a_working_docket() {
    let root = env!("CARGO_MANIFEST_DIR");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let metadata = std::process::Command::new(&cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .unwrap();
    assert!(metadata.status.success(), "{metadata:?}");
    let v: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let package = &v["packages"][0];
    assert!(
        package["repository"]
            .as_str()
            .is_some_and(|r| r.starts_with("https://"))
    );
    assert!(!package["keywords"].as_array().unwrap().is_empty());
    assert!(
        package["categories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "command-line-utilities")
    );
    // A debug build in its own target directory keeps this quick and apart
    // from the build running the tests.
    let into = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(&cargo)
        .args(["install", "--locked", "--offline", "--debug", "--path", "."])
        .arg("--root")
        .arg(into.path().join("root"))
        .arg("--target-dir")
        .arg(std::path::Path::new(root).join("target/install-test"))
        .current_dir(root)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = into.path().join("root/bin/docket");
    let out = std::process::Command::new(installed)
        .arg("--version")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("docket {}\n", env!("CARGO_PKG_VERSION"))
    );
}
