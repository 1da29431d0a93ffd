//! The documentation is tested, so it cannot drift from the code (as jaq's
//! `docs/tests.jq` keeps its manual honest):
//!
//! - every ```` ```docket ```` block in `README.md` and `docs/*.md` parses, is
//!   in the formatter's layout, and checks without errors: a block with a
//!   `policy` header on its own, any other block as part of the bundled
//!   policy (an item the bundled policy also has must be a faithful excerpt
//!   of it and replaces it; a new item is added);
//! - every `$ docket …` example in the README's ```` ```console ```` blocks
//!   prints what the README shows (a line `…` stands for any lines).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use docket::semantics::check_sources;
use docket::source::{FileId, SourceMap};
use docket::syntax::ast;
use docket::syntax::format::format_source;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The README and every page under `docs/`.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    pages.extend(docs);
    pages
}

/// The fenced blocks of `text` whose info string is `lang`, with the line
/// each starts on.
fn blocks(text: &str, lang: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    let mut fence_lang = String::new();
    for (i, line) in text.lines().enumerate() {
        match &mut open {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    fence_lang = info.trim().to_string();
                    open = Some((i + 1, String::new()));
                }
            }
            Some((start, body)) => {
                if line.trim_end() == "```" {
                    if fence_lang == lang {
                        out.push((*start, std::mem::take(body)));
                    }
                    open = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    out
}

/// One top-level item of a policy file: its name (`table case`,
/// `define case.closed`, `rule notice-period`) and its text without
/// comment lines.
struct Item {
    name: String,
    text: String,
}

/// The items of policy text, as the parser finds them.
fn items(text: &str) -> Vec<Item> {
    let (file, _) = docket::syntax::parse(FileId(0), text);
    file.items
        .iter()
        .map(|item| {
            let name = match item {
                ast::Item::Policy(_) => "policy".to_string(),
                ast::Item::Table(t) => format!("table {}", t.name.name),
                ast::Item::Define(d) => format!("define {}.{}", d.table.name, d.name.name),
                ast::Item::Rule(r) => format!("rule {}", r.id.name),
            };
            let source = text.get(item.span().range()).unwrap_or("");
            let lines: Vec<&str> = source
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .map(str::trim_end)
                .collect();
            Item {
                name,
                text: lines.join("\n").trim_end().to_string(),
            }
        })
        .collect()
}

/// The bundled policy's files, as (name, text).
fn bundled() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "docket"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                format!("policies/{}", p.file_name().unwrap().to_string_lossy()),
                text,
            )
        })
        .collect();
    files.sort();
    files
}

/// The diagnostics of checking `files` as one policy, when it has errors.
fn check_errors(files: &[(String, String)]) -> Vec<String> {
    let mut sources = SourceMap::new();
    for (name, text) in files {
        sources.add(name.clone(), text.clone());
    }
    let loaded = check_sources(sources);
    if loaded.policy.is_some() {
        return Vec::new();
    }
    loaded
        .diagnostics
        .iter()
        .map(|d| format!("{}: {}", d.code, d.message))
        .collect()
}

/// The bundled policy with `block`'s items in place of its own.
fn with_block(block: &str) -> Result<Vec<(String, String)>, String> {
    let mine = items(block);
    let mut files = Vec::new();
    for (name, text) in bundled() {
        let theirs = items(&text);
        for t in &theirs {
            if let Some(m) = mine.iter().find(|m| m.name == t.name)
                && m.text != t.text
            {
                return Err(format!(
                    "`{}` is in the bundled policy ({name}) but reads differently:\n--- docs\n{}\n--- {name}\n{}",
                    t.name, m.text, t.text
                ));
            }
        }
        let kept: Vec<&str> = theirs
            .iter()
            .filter(|t| !mine.iter().any(|m| m.name == t.name))
            .map(|t| t.text.as_str())
            .collect();
        files.push((name, kept.join("\n\n") + "\n"));
    }
    files.push(("docs.docket".to_string(), block.to_string()));
    Ok(files)
}

#[test]
fn every_docket_block_parses_is_formatted_and_checks() {
    let mut failures = Vec::new();
    let mut seen = 0;
    for page in pages() {
        let text = std::fs::read_to_string(&page).unwrap();
        let shown = page.strip_prefix(root()).unwrap().display().to_string();
        for (line, block) in blocks(&text, "docket") {
            seen += 1;
            let at = format!("{shown}:{line}");
            match format_source(FileId(0), &block) {
                Err(d) => failures.push(format!("{at}: does not parse: {:?}", d[0].message)),
                Ok(f) if f != block => failures.push(format!(
                    "{at}: not in the formatter's layout; `docket fmt` writes:\n{f}"
                )),
                Ok(_) => {}
            }
            let standalone = items(&block).iter().any(|i| i.name == "policy");
            let files = if standalone {
                Ok(vec![("docs.docket".to_string(), block.clone())])
            } else {
                with_block(&block)
            };
            match files {
                Err(e) => failures.push(format!("{at}: {e}")),
                Ok(files) => {
                    let errors = check_errors(&files);
                    if !errors.is_empty() {
                        failures.push(format!("{at}: does not check: {errors:#?}"));
                    }
                }
            }
        }
    }
    assert!(seen >= 10, "only {seen} docket blocks found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `$ docket …` examples of a console block: (arguments, the lines shown).
fn examples(block: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let mut out: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for line in block.lines() {
        if let Some(cmd) = line.strip_prefix("$ docket ") {
            out.push((
                cmd.split_whitespace().map(str::to_string).collect(),
                Vec::new(),
            ));
        } else if let Some((_, shown)) = out.last_mut() {
            shown.push(line.trim_end().to_string());
        }
    }
    out
}

/// Whether `actual` is what `shown` shows: line for line, a `…` line
/// standing for any number of lines.
fn shows(shown: &[String], actual: &[&str]) -> bool {
    match shown.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "…" => {
            (0..=actual.len()).any(|skip| shows(rest, actual.get(skip..).unwrap_or(&[])))
        }
        Some((first, rest)) => match actual.split_first() {
            Some((a, more)) => a.trim_end() == first && shows(rest, more),
            None => false,
        },
    }
}

#[test]
fn readme_and_guide_examples_print_what_they_show() {
    let mut ran = 0;
    for doc in ["README.md", "docs/guide.md"] {
        let text = std::fs::read_to_string(root().join(doc)).unwrap();
        for (line, block) in blocks(&text, "console") {
            for (args, shown) in examples(&block) {
                ran += 1;
                let out = Command::new(env!("CARGO_BIN_EXE_docket"))
                    .args(&args)
                    .current_dir(root())
                    .env("NO_COLOR", "1")
                    .env_remove("DOCKET_TIMING")
                    .env_remove("COLUMNS")
                    .output()
                    .unwrap();
                let printed = String::from_utf8_lossy(&out.stderr).into_owned()
                    + &String::from_utf8_lossy(&out.stdout);
                let actual: Vec<&str> = printed.lines().collect();
                assert!(
                    shows(&shown, &actual),
                    "{doc}:{line}: `docket {}` printed\n{printed}\nbut it shows\n{}",
                    args.join(" "),
                    shown.join("\n")
                );
            }
        }
    }
    assert!(ran >= 4, "only {ran} examples found");
}

#[test]
fn the_matcher_skips_only_where_told() {
    let shown = |s: &[&str]| s.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    assert!(shows(&shown(&["a", "…", "d"]), &["a", "b", "c", "d"]));
    assert!(!shows(&shown(&["a", "d"]), &["a", "b", "c", "d"]));
    assert!(!shows(&shown(&["a", "…", "e"]), &["a", "b", "c", "d"]));
    assert!(shows(&shown(&["a", "…"]), &["a", "b"]));
}
