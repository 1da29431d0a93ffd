//! `grammar/docket.ebnf` stays true to the parser.
//!
//! The grammar is loaded with the `bnf` crate; each terminal becomes one
//! private-use character, and a policy is tokenized by docket's lexer and
//! mapped to those characters, so `bnf`'s Earley parser decides whether the
//! token stream is in the language. Checked:
//! * every policy in the repository that the parser accepts, the grammar accepts;
//! * every generated policy (all shapes the parser produces) is accepted;
//! * broken policies the parser rejects for syntax, the grammar rejects too,
//!   except for the value-level checks the grammar's header lists;
//! * the grammar's keywords are exactly the parser's.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use bnf::{Grammar, Term};
use docket::source::FileId;
use docket::syntax::format::format_file;
use docket::syntax::lexer::{
    CLAUSE_KEYWORDS, HEADER_KEYWORDS, ITEM_KEYWORDS, OTHER_KEYWORDS, RESERVED,
    TABLE_OPTION_KEYWORDS, Tok, tokenize,
};
use proptest::prelude::*;

struct Checker {
    grammar: Grammar,
    terminals: BTreeMap<String, char>,
    keywords: BTreeSet<String>,
}

/// A character no terminal maps to: tokens the grammar does not know.
const UNKNOWN: char = '\u{F8FF}';

fn load() -> Checker {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/docket.ebnf"))
        .unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut grammar = Grammar::from_str(&body)
        .unwrap_or_else(|e| panic!("grammar/docket.ebnf does not load: {e}"));
    let mut terminals = BTreeMap::new();
    for p in grammar.productions_iter() {
        for e in p.rhs_iter() {
            for t in e.terms_iter() {
                if let Term::Terminal(s) = t
                    && !s.is_empty()
                    && !terminals.contains_key(s)
                {
                    let c = char::from_u32(0xE000 + terminals.len() as u32).unwrap();
                    terminals.insert(s.clone(), c);
                }
            }
        }
    }
    for p in grammar.productions_iter_mut() {
        for e in p.rhs_iter_mut() {
            for t in e.terms_iter_mut() {
                if let Term::Terminal(s) = t
                    && let Some(c) = terminals.get(s.as_str())
                {
                    *s = c.to_string();
                }
            }
        }
    }
    let keywords = terminals
        .keys()
        .filter(|t| t.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
        .cloned()
        .collect();
    Checker {
        grammar,
        terminals,
        keywords,
    }
}

impl Checker {
    fn terminal(&self, name: &str) -> char {
        self.terminals.get(name).copied().unwrap_or(UNKNOWN)
    }

    /// The policy as a string of terminal characters.
    fn encode(&self, text: &str) -> String {
        tokenize(FileId(0), text)
            .into_iter()
            .filter_map(|t| {
                Some(match t.tok {
                    Tok::Comment => return None,
                    Tok::Word(w) if self.keywords.contains(&w) => self.terminal(&w),
                    Tok::Word(_) => self.terminal("IDENT"),
                    Tok::RuleId(_) => self.terminal("RULE_ID"),
                    Tok::Int => self.terminal("INT"),
                    Tok::Date => self.terminal("DATE"),
                    Tok::DateTime => self.terminal("DATETIME"),
                    Tok::Unit => self.terminal("UNIT"),
                    Tok::Str => self.terminal("STRING"),
                    Tok::StrHead => self.terminal("STR_HEAD"),
                    Tok::StrMid => self.terminal("STR_MID"),
                    Tok::StrTail => self.terminal("STR_TAIL"),
                    Tok::Punct(p) => self.terminal(p),
                    Tok::Unterminated | Tok::Unknown(_) => UNKNOWN,
                })
            })
            .collect()
    }

    fn accepts(&self, text: &str) -> bool {
        let input = self.encode(text);
        let parser = self.grammar.build_parser().unwrap();
        parser.parse_input(&input).next().is_some()
    }
}

fn parser_accepts(text: &str) -> bool {
    docket::syntax::parse(FileId(0), text).1.is_empty()
}

#[test]
fn the_grammar_uses_exactly_the_parsers_keywords() {
    let c = load();
    let parser: BTreeSet<String> = [
        ITEM_KEYWORDS,
        CLAUSE_KEYWORDS,
        HEADER_KEYWORDS,
        RESERVED,
        OTHER_KEYWORDS,
        TABLE_OPTION_KEYWORDS,
    ]
    .iter()
    .flat_map(|l| l.iter().map(|s| s.to_string()))
    .collect();
    let only_grammar: Vec<_> = c.keywords.difference(&parser).collect();
    let only_parser: Vec<_> = parser.difference(&c.keywords).collect();
    assert!(
        only_grammar.is_empty(),
        "keywords in the grammar the parser does not know: {only_grammar:?}"
    );
    assert!(
        only_parser.is_empty(),
        "keywords of the parser missing from the grammar: {only_parser:?}"
    );
}

#[test]
fn soft_keywords_are_the_keywords_that_can_name_things() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/docket.ebnf"))
        .unwrap();
    let soft = text.split("<soft-keyword> ::=").nth(1).unwrap();
    let soft: BTreeSet<&str> = soft.split('"').skip(1).step_by(2).collect();
    let c = load();
    let expected: BTreeSet<&str> = c
        .keywords
        .iter()
        .map(String::as_str)
        .filter(|k| !RESERVED.contains(k))
        .collect();
    assert_eq!(soft, expected);
}

#[test]
fn every_policy_the_parser_accepts_is_in_the_grammar() {
    let c = load();
    let mut files = common::bundled();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/broken")).unwrap() {
        let p = entry.unwrap().path();
        files.push((
            p.display().to_string(),
            std::fs::read_to_string(&p).unwrap(),
        ));
    }
    let mut checked = 0;
    for (name, text) in &files {
        if parser_accepts(text) {
            assert!(
                c.accepts(text),
                "{name} parses but is not in grammar/docket.ebnf"
            );
            checked += 1;
        }
    }
    assert!(checked >= 5 + 40, "only {checked} files checked");
}

/// Syntax errors the grammar does not describe (value-level checks and the
/// nesting limit; see the grammar's header).
const VALUE_LEVEL: &[&str] = &[
    "parse.too-deep",
    "parse.bad-date",
    "parse.bad-number",
    "parse.bad-escape",
    "parse.no-null",
    "parse.unmatched-brace",
];

#[test]
fn broken_syntax_is_outside_the_grammar() {
    let c = load();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/broken")).unwrap() {
        let p = entry.unwrap().path();
        let stem = p.file_stem().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&p).unwrap();
        if parser_accepts(&text) || VALUE_LEVEL.contains(&stem.as_str()) {
            continue;
        }
        assert!(
            !c.accepts(&text),
            "{stem}: the parser rejects it but the grammar accepts it"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn generated_policies_are_in_the_grammar(ast in common::file()) {
        let c = load();
        let text = format_file(&ast, "");
        prop_assert!(parser_accepts(&text));
        prop_assert!(c.accepts(&text), "not in the grammar:\n{}", text);
    }
}

/// Renders a sentence the grammar generated (terminal names) as policy text.
fn render(terms: &[String]) -> String {
    let mut out = String::new();
    for (i, t) in terms.iter().enumerate() {
        let next = terms.get(i + 1).map(String::as_str);
        let after = terms.get(i + 2).map(String::as_str);
        let item_start = match t.as_str() {
            "rule" | "notice" | "allowlist" | "escalation" => next == Some("RULE_ID"),
            "policy" => next == Some("STRING"),
            "table" => after == Some("from"),
            "define" => after == Some("."),
            _ => false,
        };
        let prev = i
            .checked_sub(1)
            .and_then(|p| terms.get(p))
            .map(String::as_str);
        let glue = t == "UNIT"
            || (t == "("
                && prev.is_some_and(|p| {
                    p == "IDENT"
                        || p.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                }));
        if item_start {
            out.push('\n');
        } else if prev == Some("INT") && t == "days" {
            // `5 days` on one line would be a duration; the grammar meant a name.
            out.push('\n');
        } else if !glue && !out.is_empty() {
            out.push(' ');
        }
        out.push_str(match t.as_str() {
            "IDENT" => "x1",
            "RULE_ID" => "r-1",
            "STRING" => "\"s\"",
            "STR_HEAD" => "\"a {",
            "STR_MID" => "} b {",
            "STR_TAIL" => "} c\"",
            "INT" => "7",
            "UNIT" => "h",
            "DATE" => "2024-06-03",
            "DATETIME" => "2025-11-21T13:44:00Z",
            other => other,
        });
    }
    out.push('\n');
    out
}

/// Random choices up to a depth, then always the alternative that reaches
/// terminals soonest, so generation ends (bnf's `DepthBounded` falls back
/// to any alternative and can recurse without bound).
struct Bounded {
    rng: bnf::rand::rngs::StdRng,
    max_depth: usize,
    height: BTreeMap<String, usize>,
}

fn expr_height(e: &bnf::Expression, height: &BTreeMap<String, usize>) -> usize {
    e.terms_iter()
        .map(|t| match t {
            Term::Terminal(_) => 0,
            Term::Nonterminal(n) => height
                .get(n)
                .copied()
                .unwrap_or(usize::MAX / 2)
                .saturating_add(1),
        })
        .max()
        .unwrap_or(0)
}

impl Bounded {
    fn new(grammar: &Grammar, seed: u32, max_depth: usize) -> Bounded {
        use bnf::rand::SeedableRng;
        let mut height: BTreeMap<String, usize> = BTreeMap::new();
        loop {
            let mut changed = false;
            for p in grammar.productions_iter() {
                let Term::Nonterminal(name) = &p.lhs else {
                    continue;
                };
                let h = p
                    .rhs_iter()
                    .map(|e| expr_height(e, &height))
                    .min()
                    .unwrap_or(usize::MAX / 2);
                if height.get(name).is_none_or(|old| h < *old) {
                    height.insert(name.clone(), h);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        let mut bytes = [7u8; 32];
        bytes[..4].copy_from_slice(&seed.to_le_bytes());
        Bounded {
            rng: bnf::rand::rngs::StdRng::from_seed(bytes),
            max_depth,
            height,
        }
    }
}

impl bnf::GenerationStrategy for Bounded {
    fn choose<'p>(
        &mut self,
        production: &'p bnf::Production,
        depth: usize,
    ) -> Option<&'p bnf::Expression> {
        use bnf::rand::Rng;
        let alternatives: Vec<&bnf::Expression> = production.rhs_iter().collect();
        if depth < self.max_depth {
            let i = self.rng.random_range(0..alternatives.len().max(1));
            return alternatives.get(i).copied();
        }
        alternatives
            .into_iter()
            .min_by_key(|e| expr_height(e, &self.height))
    }
}

#[test]
fn sentences_of_the_grammar_parse() {
    let c = load();
    let back: BTreeMap<char, String> = c.terminals.iter().map(|(k, v)| (*v, k.clone())).collect();
    let mut parsed = 0;
    let samples: u32 = std::env::var("GRAMMAR_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    for seed in 0..samples {
        let mut strategy = Bounded::new(&c.grammar, seed, 12);
        let Ok(sentence) = c.grammar.generate_seeded_with_strategy(&mut strategy) else {
            continue;
        };
        let terms: Vec<String> = sentence
            .chars()
            .filter_map(|ch| back.get(&ch).cloned())
            .collect();
        let text = render(&terms);
        let (_, diags) = docket::syntax::parse(FileId(0), &text);
        assert!(
            diags.is_empty(),
            "the grammar generates a policy the parser rejects:\n{text}\n{:#?}",
            diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        );
        parsed += 1;
    }
    assert!(parsed * 2 > samples, "only {parsed} sentences generated");
}
