//! `docket case` as a customer-success manager reads it: the case's facts,
//! the sections in process order, titles with plain reasons, deadlines with
//! the time left; pass messages and the process `order` in the language.

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

/// `docket case ARGS… --data examples/data --as-of AS_OF`, not on a
/// terminal, with no `COLUMNS`: stdout, stderr and the exit code.
fn case(args: &[&str]) -> (String, String, i32) {
    case_at(args, AS_OF)
}

fn case_at(args: &[&str], as_of: &str) -> (String, String, i32) {
    let out = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR")
        .arg("case")
        .args(args)
        .args(["--data", "examples/data", "--as-of", as_of])
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap(),
    )
}

/// `docket case NUMBER --format json` on the example export.
fn case_json(number: &str) -> Value {
    let (out, err, _) = case(&[number, "--format", "json"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"))
}

/// The bundled policy's process order, from its header.
fn bundled_order() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("policies/policy.docket")).unwrap();
    let start = text.find("  order ").unwrap() + "  order ".len();
    let end = text[start..].find("\n\n").map_or(text.len(), |e| start + e);
    text[start..end]
        .split(',')
        .map(|s| s.trim().to_string())
        .collect()
}

#[test]
fn a_case_of_each_request_type_reads_top_to_bottom() {
    // A cancellation, a license reduction, a billing inquiry with an item
    // due, a rate reduction.
    for number in ["C-0000052", "C-0000014", "C-0000082", "C-0000028"] {
        let (out, err, _) = case(&[number]);
        assert!(err.is_empty(), "{err}");
        insta::assert_snapshot!(format!("case_view_{number}"), out);
    }
}

#[test]
fn the_header_shows_the_case_facts_the_policy_names() {
    let (out, _, _) = case(&["C-0000052"]);
    let head: Vec<&str> = out.lines().take(10).collect();
    assert!(head[0].starts_with("case C-0000052 · as of Thu 20 Nov 2025 12:00 EST"));
    for (label, value) in [
        ("owner", "Dana Reyes"),
        ("type", "Cancellation"),
        ("status", "Closed"),
        ("account name", "Client 7 Inc."),
        ("requester", "Jo9@client7.com"),
        ("opened at", "Mon 27 Jan 2025 12:42 EST"),
        ("closed at", "Thu 6 Feb 2025 10:30 EST"),
    ] {
        assert!(
            head.iter()
                .any(|l| l.trim_start().starts_with(label) && l.trim_end().ends_with(value)),
            "{label}: {value} not in\n{out}"
        );
    }
}

#[test]
fn sections_come_in_the_order_a_csm_works_and_rules_in_process_order() {
    let order = bundled_order();
    assert_eq!(order.len(), 18, "{order:?}");
    for number in [
        "C-0000052",
        "C-0000014",
        "C-0000082",
        "C-0000028",
        "C-0000073",
    ] {
        let (out, _, _) = case(&[number]);
        let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} in\n{out}"));
        assert!(at("\nNeeds action (") < at("\nDue next ("));
        assert!(at("\nDue next (") < at("\nDone ("));
        // Within each section, the rules keep the process order.
        for section in out.split("\n\n") {
            let ids: Vec<usize> = section
                .lines()
                .filter_map(|l| {
                    let id = l.rsplit_once('[')?.1.split([']', ' ']).next()?;
                    order.iter().position(|o| o == id)
                })
                .collect();
            if !section.starts_with("Due next") {
                assert!(ids.windows(2).all(|w| w[0] < w[1]), "{section}");
            }
        }
    }
    // JSON lists every rule in the same order.
    let v = case_json("C-0000052");
    let ids: Vec<&str> = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(ids, order);
}

#[test]
fn no_policy_syntax_unless_all_asks_for_it() {
    let numbers: Vec<String> = (1..=82).map(|n| format!("C-{n:07}")).collect();
    let mut args: Vec<&str> = numbers.iter().map(String::as_str).collect();
    let (out, err, _) = case(&args);
    assert!(err.is_empty(), "{err}");
    assert_eq!(out.matches("\ncase C-").count() + 1, 82);
    for bad in ["`", "holds:", " is false", "the rule is for rows where"] {
        assert!(!out.contains(bad), "{bad:?} in the case view:\n{out}");
    }
    // Every pass of the bundled policy has its plain reason.
    assert!(!out.contains("this case follows the rule"), "{out}");
    args.push("--all");
    let (all, _, _) = case(&args);
    assert!(all.contains("Does not apply ("));
    assert!(
        all.contains("the rule is for rows where `case.type"),
        "{all}"
    );
}

#[test]
fn due_items_say_their_deadline_and_the_time_left() {
    let (out, _, code) = case(&["C-0000082"]);
    assert_eq!(code, 0, "a due item does not fail");
    let due = out.split("\nDue next (1)\n").nth(1).unwrap();
    let lines: Vec<&str> = due.lines().take(3).collect();
    assert!(lines[0].contains("Chase Genpac for an answer, then escalate"));
    assert!(lines[0].trim_end().ends_with("[vendor-followup]"));
    assert_eq!(
        lines[1].trim(),
        "deadline: Fri 21 Nov 2025 10:00 EST — in 22 hours"
    );
    // An as-of later in the day: less time left.
    let (later, _, _) = case_at(&["C-0000082"], "2025-11-21T07:30");
    assert!(
        later.contains("deadline: Fri 21 Nov 2025 10:00 EST — in 2 hours 30 minutes"),
        "{later}"
    );
}

#[test]
fn words_always_symbols_and_colour_only_on_a_terminal() {
    let (plain, _, _) = case(&["C-0000052"]);
    assert!(!plain.contains('\x1b') && !plain.contains('✓') && !plain.contains('✗'));
    assert!(plain.contains("\n  violated Find out why the customer cancels"));
    assert!(plain.contains("\n  done     Acknowledge the request"));
    let (color, _, _) = case(&["C-0000052", "--color", "always"]);
    assert!(color.contains("\x1b[31m✗ violated"), "{color}");
    assert!(color.contains("\x1b[32m✓ done"), "{color}");
    // Ids are dimmed.
    assert!(
        color.contains("\x1b[2m[acknowledge-first]\x1b[0m"),
        "{color}"
    );
}

#[test]
fn text_wraps_at_the_width() {
    let run = |columns: &str| {
        let out = Command::cargo_bin("docket")
            .unwrap()
            .current_dir(root())
            .env("COLUMNS", columns)
            .args([
                "case",
                "C-0000052",
                "--data",
                "examples/data",
                "--as-of",
                AS_OF,
            ])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    for width in [60, 100] {
        let out = run(&width.to_string());
        for line in out.lines() {
            // A single word longer than the rest of the line may overflow it.
            let words_fit = line.split(' ').all(|w| w.chars().count() < width / 2);
            assert!(
                line.chars().count() <= width || !words_fit,
                "wider than {width}: {line:?}"
            );
        }
    }
    // Continuation lines keep the detail's indent.
    let narrow = run("60");
    assert!(narrow.contains("\n           the written request is dated 2025-02-03, after\n           the case was reassigned on 2025-02-01\n"), "{narrow}");
}

#[test]
fn json_keeps_its_contract_and_adds_the_view() {
    let v = case_json("C-0000082");
    assert_eq!(v["case"], "C-0000082");
    assert_eq!(v["fields"]["owner"], "Lu Chen");
    assert_eq!(v["fields"]["requester"], "kim@client4.com");
    assert_eq!(v["fields"]["opened_at"], "2025-11-18T09:02:00-05:00");
    assert_eq!(v["fields"]["closed_at"], Value::Null);
    let rules = v["rules"].as_array().unwrap();
    let followup = rules
        .iter()
        .find(|r| r["rule"] == "vendor-followup")
        .unwrap();
    assert_eq!(followup["status"], "due");
    assert_eq!(
        followup["title"],
        "Chase Genpac for an answer, then escalate"
    );
    assert_eq!(followup["severity"], "error");
    assert_eq!(followup["time_left"], "22 hours");
    assert_eq!(followup["findings"][0]["time_left"], "22 hours");
    assert_eq!(
        followup["sources"][0],
        serde_json::json!({"document": "CCC Process for CSMs", "section": "Billing Inquiries"})
    );
    let ack = rules
        .iter()
        .find(|r| r["rule"] == "acknowledge-first")
        .unwrap();
    assert_eq!(ack["status"], "pass");
    assert_eq!(
        ack["message"],
        "the request was acknowledged at Tue 18 Nov 2025 09:40 EST, before Genpac Tagged at Wed 19 Nov 2025 10:00 EST"
    );
}

/// A policy directory with the bundled tables and one more file.
fn policy_with(name: &str, text: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for f in ["policy.docket", "tables.docket"] {
        std::fs::copy(root().join("policies").join(f), d.path().join(f)).unwrap();
    }
    let header = std::fs::read_to_string(d.path().join("policy.docket")).unwrap();
    // The bundled `order` names rules this policy does not have.
    let start = header.find("  order ").unwrap();
    let end = start + header[start..].find("\n\n").unwrap() + 1;
    let header = format!("{}{}", &header[..start], &header[end..]);
    std::fs::write(d.path().join("policy.docket"), header).unwrap();
    std::fs::write(d.path().join(name), text).unwrap();
    d
}

fn case_with(policy: &Path, number: &str) -> Value {
    let out = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args(["case", number, "--data", "examples/data", "--as-of", AS_OF])
        .args(["--format", "json", "--policy", policy.to_str().unwrap()])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

const PASSES: &str = r#"
rule owner-set "Give the case an owner"
  severity error
  for case
  source "CCC Process for CSMs"
  require case.owner is present
  message "the case has no owner"
  message "{case.owner} owns the closed case" if pass and case.status = "Closed"
  message "{case.owner} owns the case" if pass

rule plain "Keep the type known"
  severity error
  for case
  source "CCC Process for CSMs"
  require case.type is present
  message "the case has no type"
"#;

#[test]
fn pass_messages_say_why_a_rule_holds_and_never_describe_a_finding() {
    let d = policy_with("rules.docket", PASSES);
    // Closed: the first pass message whose condition holds.
    let v = case_with(d.path(), "C-0000052");
    let owner = &v["rules"][0];
    assert_eq!(owner["status"], "pass");
    assert_eq!(owner["message"], "Dana Reyes owns the closed case");
    // Open: the next one.
    let v = case_with(d.path(), "C-0000082");
    assert_eq!(v["rules"][0]["message"], "Lu Chen owns the case");
    // Without a pass message: a plain sentence from the title.
    assert_eq!(
        v["rules"][1]["message"],
        "this case follows the rule \"Keep the type known\""
    );
    // Without `order`, the checklist is in file order.
    assert_eq!(v["rules"][0]["rule"], "owner-set");
    assert_eq!(v["rules"][1]["rule"], "plain");
    // `check` never uses a pass message for a finding.
    let broken = PASSES.replace("case.owner is present", "case.owner is missing");
    let d = policy_with("rules.docket", &broken);
    let out = Command::cargo_bin("docket")
        .unwrap()
        .current_dir(root())
        .args(["check", "--data", "examples/data", "--as-of", AS_OF])
        .args(["--format", "json", "--rule", "owner-set"])
        .args(["--policy", d.path().to_str().unwrap()])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 82);
    assert!(
        findings
            .iter()
            .all(|f| f["message"] == "the case has no owner"),
        "{findings:?}"
    );
}

#[test]
fn the_policy_declares_the_process_order() {
    let d = policy_with("rules.docket", PASSES);
    let header = std::fs::read_to_string(d.path().join("policy.docket")).unwrap();
    let header = header.replace(
        "  timezone \"America/New_York\"\n",
        "  timezone \"America/New_York\"\n  order plain\n",
    );
    std::fs::write(d.path().join("policy.docket"), header).unwrap();
    // Listed first, then the others in file order.
    let v = case_with(d.path(), "C-0000082");
    assert_eq!(v["rules"][0]["rule"], "plain");
    assert_eq!(v["rules"][1]["rule"], "owner-set");
}

/// `docket lint` of a policy directory: its exit code and stderr.
fn lint(dir: &Path) -> (Option<i32>, String) {
    let out = Command::cargo_bin("docket")
        .unwrap()
        .args(["lint", dir.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn pass_is_only_the_lead_of_a_message_condition() {
    let misuse = PASSES.replace(
        "\"{case.owner} owns the case\" if pass",
        "\"{case.owner} owns the case\" if not pass",
    );
    let (code, err) = lint(policy_with("rules.docket", &misuse).path());
    assert_eq!(code, Some(2));
    assert!(err.contains("unknown name `pass`"), "{err}");
    assert!(
        err.contains("`pass` only leads a message's condition"),
        "{err}"
    );
    let let_pass = PASSES.replace(
        "  require case.owner is present\n",
        "  let pass = case.owner is present\n  require pass\n",
    );
    let (code, err) = lint(policy_with("rules.docket", &let_pass).path());
    assert_eq!(code, Some(2));
    assert!(err.contains("`pass` is the rule holding"), "{err}");
}

#[test]
fn every_bundled_rule_has_a_pass_message() {
    let mut rules = 0;
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "docket") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let starts = ["rule ", "notice ", "allowlist ", "escalation "];
        let blocks: Vec<&str> = text
            .split("\n\n")
            .filter(|b| {
                b.lines()
                    .find(|l| !l.starts_with('#'))
                    .is_some_and(|l| starts.iter().any(|s| l.starts_with(s)))
            })
            .collect();
        for b in blocks {
            rules += 1;
            assert!(
                b.contains(" if pass"),
                "no pass message in {}:\n{b}",
                path.display()
            );
        }
    }
    assert_eq!(rules, 18);
}

#[test]
fn pass_in_parentheses_and_with_two_conditions() {
    let text = PASSES.replace(
        "  message \"{case.owner} owns the closed case\" if pass and case.status = \"Closed\"\n",
        "  message \"{case.owner} owns the closed case\" if pass and case.status = \"Closed\" and case.closed_at is present\n  message \"{case.owner} owns it\" if (pass)\n",
    );
    let d = policy_with("rules.docket", &text);
    let v = case_with(d.path(), "C-0000052");
    assert_eq!(v["rules"][0]["message"], "Dana Reyes owns the closed case");
    let v = case_with(d.path(), "C-0000082");
    assert_eq!(v["rules"][0]["message"], "Lu Chen owns it");
}

#[test]
fn a_field_with_as_and_no_name_says_so_where_it_is() {
    let d = policy_with("rules.docket", PASSES);
    let header = std::fs::read_to_string(d.path().join("policy.docket")).unwrap();
    let header = header.replace("case.closed_at\n", "case.closed_at as\n");
    std::fs::write(d.path().join("policy.docket"), header).unwrap();
    let (code, err) = lint(d.path());
    assert_eq!(code, Some(2));
    assert!(
        err.contains("`as` needs the name reports give the field"),
        "{err}"
    );
    assert!(err.contains("policy.docket:20:"), "{err}");
    assert!(!err.contains("expected a policy clause"), "{err}");
}
