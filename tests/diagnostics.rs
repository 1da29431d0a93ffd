//! Every broken policy in `tests/broken/` produces exactly the diagnostics its
//! first line announces (`# expect: code…`), rendered as pinned by a snapshot.
//! Every diagnostic code docket can emit (`docket::diagnostic::Code::ALL`)
//! is documented in
//! `docs/diagnostics.md`, and every documented code has a broken policy here
//! or is named there as covered by another test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::collections::BTreeSet;
use std::path::Path;

use docket::diagnostic::{Code, RenderOptions, render};
use docket::semantics::check_sources;
use docket::source::SourceMap;

fn expected_codes(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or("");
    let list = first
        .strip_prefix("# expect:")
        .unwrap_or_else(|| panic!("fixture must start with `# expect: <codes>`, found {first:?}"));
    list.split_whitespace().map(str::to_string).collect()
}

#[test]
fn broken_policies() {
    insta::glob!("broken/*.docket", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let name = format!(
            "tests/broken/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let mut sources = SourceMap::new();
        sources.add(name.clone(), text.clone());
        let loaded = check_sources(sources);
        let codes: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.code.to_string())
            .collect();
        assert_eq!(codes, expected_codes(&text), "{name}");
        let rendered = render(
            &loaded.diagnostics,
            &loaded.sources,
            RenderOptions {
                color: false,
                width: 100,
            },
        );
        insta::assert_snapshot!(rendered);
    });
}

fn documented_codes() -> (BTreeSet<String>, BTreeSet<String>) {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/diagnostics.md"))
        .unwrap();
    let mut all = BTreeSet::new();
    let mut elsewhere = BTreeSet::new();
    for line in doc.lines() {
        let Some(rest) = line.strip_prefix("### `") else {
            continue;
        };
        let code = rest.split('`').next().unwrap().to_string();
        if line.contains("(tested in") {
            elsewhere.insert(code.clone());
        }
        all.insert(code);
    }
    (all, elsewhere)
}

/// Every code docket can emit: the `Code` enum is the one list.
fn codes_in_source() -> BTreeSet<String> {
    Code::ALL.iter().map(|c| c.as_str().to_string()).collect()
}

/// A code written as a string in the sources (outside tests) would bypass
/// the enum; there is none.
#[test]
fn codes_are_written_as_the_enum() {
    let mut stack = vec![Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs")
                || path.ends_with("diagnostic/code.rs")
                || path.to_string_lossy().contains("tests")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let text = text.split("#[cfg(test)]").next().unwrap_or("");
            assert!(
                !text.contains("\"docket::"),
                "{}: write a diagnostic code as `Code::…`, not a string",
                path.display()
            );
        }
    }
}

#[test]
fn every_code_is_documented_and_every_documented_code_is_tested() {
    let (documented, elsewhere) = documented_codes();
    let in_source = codes_in_source();
    let undocumented: Vec<_> = in_source.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "codes emitted but not in docs/diagnostics.md: {undocumented:?}"
    );
    let stale: Vec<_> = documented.difference(&in_source).collect();
    assert!(
        stale.is_empty(),
        "codes documented but never emitted: {stale:?}"
    );
    let mut fixtures = BTreeSet::new();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/broken")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        fixtures.extend(expected_codes(&text));
    }
    let untested: Vec<_> = documented
        .iter()
        .filter(|c| !fixtures.contains(*c) && !elsewhere.contains(*c))
        .collect();
    assert!(
        untested.is_empty(),
        "documented codes without a broken policy in tests/broken: {untested:?}"
    );
}
