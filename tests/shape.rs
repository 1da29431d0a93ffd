//! The shape of the code (issue "clear layers, small parts"): no function
//! in `src/` is longer than 120 lines unless it is a flat match over an
//! enum and says so in a comment just above it; `src/data` does not reach
//! into the policy checker, and `src/report` does not call into the
//! command line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// (file, line, name, length) of every function: from its `fn` line to
/// the closing brace at the same indentation.
fn functions(path: &Path) -> Vec<(usize, String, usize, bool)> {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let indent = &l[..l.len() - t.len()];
        let is_fn = [
            "fn ",
            "pub fn ",
            "pub(crate) fn ",
            "pub(super) fn ",
            "const fn ",
        ]
        .iter()
        .any(|p| t.starts_with(p));
        if !is_fn {
            continue;
        }
        let Some(open) = (i..lines.len()).find(|&j| {
            let s = lines[j].trim_end();
            s.ends_with('{') || s.ends_with(';')
        }) else {
            continue;
        };
        if lines[open].trim_end().ends_with(';') {
            continue;
        }
        let close = format!("{indent}}}");
        let Some(end) = (open + 1..lines.len()).find(|&j| lines[j].trim_end() == close) else {
            continue;
        };
        let name: String = t
            .split("fn ")
            .nth(1)
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let flat = (i.saturating_sub(4)..i).any(|j| lines[j].contains("Flat match"));
        out.push((i + 1, name, end - i + 1, flat));
    }
    out
}

#[test]
fn no_function_is_longer_than_120_lines_unless_it_is_a_flat_match() {
    let mut long = Vec::new();
    for path in sources(&src()) {
        for (line, name, len, flat) in functions(&path) {
            if len > 120 && !flat {
                long.push(format!("{}:{line} {name} ({len} lines)", path.display()));
            }
        }
    }
    assert!(long.is_empty(), "functions over 120 lines: {long:#?}");
}

#[test]
fn layers_do_not_reach_back() {
    for (dir, forbidden) in [
        (
            "data",
            &[
                "crate::semantics",
                "crate::syntax",
                "crate::eval",
                "crate::cli",
                "crate::report",
            ][..],
        ),
        ("report", &["crate::cli"][..]),
        ("eval", &["crate::cli", "crate::report"][..]),
        (
            "semantics",
            &["crate::cli", "crate::report", "crate::eval"][..],
        ),
        (
            "syntax",
            &[
                "crate::cli",
                "crate::report",
                "crate::eval",
                "crate::semantics",
                "crate::data",
            ][..],
        ),
    ] {
        for path in sources(&src().join(dir)) {
            let text = std::fs::read_to_string(&path).unwrap();
            for f in forbidden {
                assert!(!text.contains(f), "{} uses {f}", path.display());
            }
        }
    }
}

/// Names each stage defines for itself on purpose: a command's flags
/// (`check::Args`, `lint::Args`, …, as clap's derive expects) and the
/// expression of the syntax tree versus the typed one of the compiled
/// policy (`ast::Expr`, `semantics::Expr`).
const STAGE_NAMES: [&str; 3] = ["Args", "Expr", "ExprKind"];

#[test]
fn no_type_name_is_defined_twice() {
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for path in sources(&src()) {
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words
                .iter()
                .position(|w| matches!(*w, "struct" | "enum" | "type" | "trait"));
            let Some(at) = at else { continue };
            if !words[..at]
                .iter()
                .all(|w| w.starts_with("pub") || w.starts_with("#"))
                || !line.trim_start().starts_with(words[0])
            {
                continue;
            }
            let Some(name) = words.get(at + 1) else {
                continue;
            };
            let name: String = name
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name.chars().next().is_some_and(char::is_uppercase) {
                seen.entry(name)
                    .or_default()
                    .push(path.strip_prefix(src()).unwrap().display().to_string());
            }
        }
    }
    let twice: Vec<String> = seen
        .into_iter()
        .filter(|(name, files)| files.len() > 1 && !STAGE_NAMES.contains(&name.as_str()))
        .map(|(name, files)| format!("{name}: {}", files.join(", ")))
        .collect();
    assert!(
        twice.is_empty(),
        "type names defined twice:\n{}",
        twice.join("\n")
    );
}
