//! Property tests of the syntax layer.
//!
//! * Any tree the parser can produce, printed by the formatter, parses back
//!   to the same tree (spans and parentheses aside), and formatting is
//!   idempotent.
//! * Parsing and checking never panic, whatever the input: arbitrary text,
//!   and random edits of the bundled policy.
//! * The formatter never refuses a file that parses (`docket::fmt::internal`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

mod common;

use common::{bundled, file};
use docket::semantics::check_sources;
use docket::source::{FileId, SourceMap};
use docket::syntax::format::{erase_file, format_file, format_source};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn format_then_parse_gives_the_same_tree(ast in file()) {
        let text = format_file(&ast, "");
        let (parsed, diags) = docket::syntax::parse(FileId(0), &text);
        prop_assert!(diags.is_empty(), "formatted text does not parse:\n{text}\n{:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>());
        let mut want = ast.clone();
        let mut got = parsed;
        erase_file(&mut want);
        erase_file(&mut got);
        prop_assert_eq!(&got.items, &want.items, "text:\n{}", text);
        // Idempotence, through the checked entry point.
        let again = format_source(FileId(0), &text);
        prop_assert_eq!(again.as_deref().ok(), Some(text.as_str()));
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let mut sources = SourceMap::new();
        sources.add("fuzz.docket", text);
        let _ = check_sources(sources);
    }

    #[test]
    fn policy_like_text_never_panics(text in "(policy|table|rule|notice|escalation|allowlist|define|[a-z]{1,4}|\"[^\"\n]{0,4}\"|[0-9]{1,4}[dhm]?|[-=<>!(){}\\[\\],.:#\n ]|where|and|or|not|in|is|any|first|count|at|expect|every|arm|when|let|from|to|message|severity|for|source|start|stop|case|now|missing|present){0,60}") {
        let mut sources = SourceMap::new();
        sources.add("fuzz.docket", text.clone());
        let loaded = check_sources(sources);
        if loaded.diagnostics.iter().all(|d| !d.code.as_str().starts_with("docket::parse")) {
            prop_assert!(format_source(FileId(0), &text).is_ok(), "formatter refused parsed text:\n{}", text);
        }
    }

    #[test]
    fn edits_of_the_bundled_policy_never_panic(
        file_index in 0usize..5,
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, "[a-z\"#{}()\\[\\]:=.\n -]{0,3}"), 1..4),
    ) {
        let files = bundled();
        let (name, original) = &files[file_index % files.len()];
        let mut text = original.clone();
        for (at, delete, insert) in edits {
            let mut pos = at.index(text.len() + 1);
            while !text.is_char_boundary(pos) { pos -= 1; }
            let mut end = (pos + delete).min(text.len());
            while !text.is_char_boundary(end) { end += 1; }
            text.replace_range(pos..end, &insert);
        }
        let mut sources = SourceMap::new();
        for (n, t) in &files {
            sources.add(n.clone(), if n == name { text.clone() } else { t.clone() });
        }
        let loaded = check_sources(sources);
        if loaded.diagnostics.iter().all(|d| !d.code.as_str().starts_with("docket::parse")) {
            prop_assert!(format_source(FileId(0), &text).is_ok(), "formatter refused parsed text:\n{}", text);
        }
    }
}

#[test]
fn every_policy_in_the_repo_formats_idempotently() {
    let mut paths: Vec<std::path::PathBuf> = bundled().into_iter().map(|(n, _)| n.into()).collect();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/broken")).unwrap() {
        paths.push(entry.unwrap().path());
    }
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        if let Ok(once) = format_source(FileId(0), &text) {
            assert_eq!(
                format_source(FileId(0), &once).unwrap(),
                once,
                "{}",
                p.display()
            );
        } else {
            let (_, d) = docket::syntax::parse(FileId(0), &text);
            assert!(!d.is_empty(), "{} parses but does not format", p.display());
        }
    }
}

/// Deep nesting is an error with a diagnostic, never a stack overflow; the
/// deepest nesting accepted parses, checks and formats on a 2 MB stack
/// (a test thread's) in a debug build.
#[test]
fn deep_nesting_is_bounded() {
    deep_nesting();
}

fn deep_nesting() {
    use docket::syntax::parser::MAX_DEPTH;
    type Shape = Box<dyn Fn(usize) -> String>;
    let shapes: Vec<(&str, Shape)> = vec![
        (
            "parentheses",
            Box::new(|n| format!("{}true{}", "(".repeat(n), ")".repeat(n))),
        ),
        ("not", Box::new(|n| format!("{}true", "not ".repeat(n)))),
        ("minus", Box::new(|n| format!("{}1 = 1", "-".repeat(n)))),
        ("and", Box::new(|n| vec!["true"; n + 1].join(" and "))),
        ("or", Box::new(|n| vec!["true"; n + 1].join(" or "))),
        (
            "plus",
            Box::new(|n| format!("{} = 1", vec!["1"; n + 1].join(" + "))),
        ),
        (
            "fields",
            Box::new(|n| format!("case{} is present", ".a".repeat(n))),
        ),
        (
            "if",
            Box::new(|n| format!("{}true", "if true then true else ".repeat(n))),
        ),
    ];
    for (name, shape) in shapes {
        for (depth, ok) in [(MAX_DEPTH - 2, true), (MAX_DEPTH * 50, false)] {
            let text = format!(
                "rule r \"t\"\n  severity error\n  for case\n  require {}\n",
                shape(depth)
            );
            let mut sources = SourceMap::new();
            sources.add("deep.docket", text.clone());
            let loaded = check_sources(sources);
            let too_deep = loaded
                .diagnostics
                .iter()
                .any(|d| d.code == "docket::parse::too-deep");
            assert_eq!(
                too_deep,
                !ok,
                "{name} at depth {depth}: {:?}",
                loaded.diagnostics.first().map(|d| &d.message)
            );
            if ok {
                let once = format_source(FileId(0), &text)
                    .unwrap_or_else(|d| panic!("{name}: {:?}", d[0].message));
                assert_eq!(format_source(FileId(0), &once).unwrap(), once, "{name}");
            }
        }
    }
}
