use super::*;
use crate::source::FileId;

fn fmt(src: &str) -> String {
    format_source(FileId(0), src).unwrap_or_else(|d| panic!("{d:#?}"))
}

#[test]
fn canonical_layout_and_idempotence() {
    let src = "policy   \"P\" version \"1\"   timezone \"UTC\"\nrule  a-b \"T\"  severity error for case where case.x=1 require case.y  !=2\n";
    let once = fmt(src);
    assert_eq!(
        once,
        "policy \"P\"\n  version \"1\"\n  timezone \"UTC\"\n\nrule a-b \"T\"\n  severity error\n  for case where case.x = 1\n  require case.y != 2\n"
    );
    assert_eq!(fmt(&once), once);
}

#[test]
fn comments_are_kept_in_place() {
    let src = "# file header\n\n# about a\nrule a \"T\" # trailing head\n  # before severity\n  severity error # after severity\n  require x\n    # inside\n    and y\n\n# at the end\n";
    let out = fmt(src);
    assert_eq!(
        out,
        "# file header\n\n# about a\nrule a \"T\"  # trailing head\n  # before severity\n  severity error  # after severity\n  # inside\n  require x and y\n\n# at the end\n"
    );
    assert_eq!(fmt(&out), out);
}

#[test]
fn parentheses_that_matter_are_kept_or_added() {
    for src in [
        "rule r \"t\"\n  require (any case.events where event.x) and case.y\n",
        "rule r \"t\"\n  require (first case.events).at < now\n",
        "rule r \"t\"\n  require a and (b or c)\n",
        "rule r \"t\"\n  require a - (b - c) = 1\n",
        "rule r \"t\"\n  require (if a then b else c) and d\n",
        "rule r \"t\"\n  require not (a = b)\n",
    ] {
        let out = fmt(src);
        assert_eq!(fmt(&out), out, "{src}");
    }
}

#[test]
fn long_conditions_break_before_and_or_where() {
    let src = "rule r \"t\"\n  require any case.events where event.name = \"Conversation Documented\" and event.at <= case.handoff_at and event.actor = \"someone with a long name\"\n";
    let out = fmt(src);
    assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
    assert!(out.contains("\n    where "), "{out}");
    assert_eq!(fmt(&out), out);
}

#[test]
fn strings_are_escaped() {
    let out = fmt("rule r \"a \\\"q\\\" {{b}} \\\\ c\"\n  require true\n");
    assert!(
        out.starts_with("rule r \"a \\\"q\\\" {{b}} \\\\ c\""),
        "{out}"
    );
}

#[test]
fn the_bundled_policy_is_formatted() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "docket") {
            let text = std::fs::read_to_string(&path).unwrap();
            let out = fmt(&text);
            if out != text {
                let tmp = std::env::temp_dir().join(path.file_name().unwrap());
                std::fs::write(&tmp, &out).unwrap();
                panic!("{} is not formatted; see {}", path.display(), tmp.display());
            }
        }
    }
}
