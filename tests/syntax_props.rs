//! Property tests of the syntax layer.
//!
//! * Any tree the parser can produce, printed by the formatter, parses back
//!   to the same tree (spans and parentheses aside), and formatting is
//!   idempotent.
//! * Parsing and checking never panic, whatever the input: arbitrary text,
//!   and random edits of the bundled policy.
//! * The formatter never refuses a file that parses (`docket::fmt::internal`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use docket::semantics::check_sources;
use docket::source::{FileId, SourceMap, Span};
use docket::syntax::ast::*;
use docket::syntax::format::{erase_file, format_file, format_source};
use docket::syntax::lexer::{
    CLAUSE_KEYWORDS, HEADER_KEYWORDS, ITEM_KEYWORDS, RESERVED, UNIT_WORDS,
};
use proptest::prelude::*;

const S: Span = Span::DUMMY;

fn is_plain_name(s: &str) -> bool {
    !RESERVED.contains(&s)
        && !CLAUSE_KEYWORDS.contains(&s)
        && !ITEM_KEYWORDS.contains(&s)
        && !HEADER_KEYWORDS.contains(&s)
        && !UNIT_WORDS.contains(&s)
        && ![
            "null", "nil", "none", "None", "NULL", "ignoring", "missing", "present",
        ]
        .contains(&s)
}

fn name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}".prop_filter("not a keyword", |s| is_plain_name(s))
}

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,6}"
}

fn ident(s: impl Strategy<Value = String>) -> impl Strategy<Value = Ident> {
    s.prop_map(|name| Ident { name, span: S })
}

fn text() -> impl Strategy<Value = String> {
    "[^\r]{0,10}"
}

fn strlit() -> impl Strategy<Value = StrLit> {
    text().prop_map(|value| StrLit { value, span: S })
}

fn unit() -> impl Strategy<Value = DurationUnit> {
    prop_oneof![
        Just(DurationUnit::Days),
        Just(DurationUnit::Hours),
        Just(DurationUnit::Minutes)
    ]
}

fn duration() -> impl Strategy<Value = DurationLit> {
    (0i64..10_000, unit()).prop_map(|(amount, unit)| DurationLit {
        amount,
        unit,
        span: S,
    })
}

fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: S }
}

fn b(x: Expr) -> Box<Expr> {
    Box::new(x)
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        text().prop_map(|s| e(ExprKind::Str(s))),
        (0i64..100_000).prop_map(|n| e(ExprKind::Int(n))),
        any::<bool>().prop_map(|v| e(ExprKind::Bool(v))),
        (1900i32..2100, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| e(ExprKind::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()))),
        prop_oneof![
            Just("2025-11-21T13:44:00-05:00"),
            Just("2025-11-21T18:44Z"),
            Just("2024-06-03T00:00:00")
        ]
        .prop_map(|s| e(ExprKind::DateTime(s.to_string()))),
        duration().prop_map(|d| e(ExprKind::Duration(d))),
        Just(e(ExprKind::Now)),
        ident(name()).prop_map(|i| e(ExprKind::Name(i))),
    ]
}

fn binop() -> impl Strategy<Value = BinOp> {
    prop_oneof![
        Just(BinOp::Or),
        Just(BinOp::And),
        Just(BinOp::Eq),
        Just(BinOp::Ne),
        Just(BinOp::Lt),
        Just(BinOp::Le),
        Just(BinOp::Gt),
        Just(BinOp::Ge),
        Just(BinOp::StartsWith),
        Just(BinOp::EndsWith),
        Just(BinOp::Contains),
        Just(BinOp::Add),
        Just(BinOp::Sub),
    ]
}

fn quantifier() -> impl Strategy<Value = Quantifier> {
    prop_oneof![
        Just(Quantifier::Any),
        Just(Quantifier::No),
        Just(Quantifier::First),
        Just(Quantifier::Last),
        Just(Quantifier::Count),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 48, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(|v| e(ExprKind::List(v))),
            (inner.clone(), ident(word())).prop_map(|(x, f)| e(ExprKind::Field(b(x), f))),
            (ident(name()), prop::collection::vec(inner.clone(), 0..3))
                .prop_map(|(f, a)| e(ExprKind::Call(f, a))),
            inner.clone().prop_map(|x| e(ExprKind::Not(b(x)))),
            inner.clone().prop_map(|x| e(ExprKind::Neg(b(x)))),
            (binop(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| e(ExprKind::Binary(
                op,
                b(l),
                b(r)
            ))),
            (inner.clone(), inner.clone(), any::<bool>(), any::<bool>()).prop_map(
                |(v, l, negated, ignore_case)| e(ExprKind::In {
                    value: b(v),
                    list: b(l),
                    negated,
                    ignore_case
                })
            ),
            (inner.clone(), any::<bool>()).prop_map(|(v, present)| e(ExprKind::Is {
                value: b(v),
                present
            })),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, x, y)| e(ExprKind::If(
                b(c),
                b(x),
                b(y)
            ))),
            (quantifier(), inner.clone(), prop::option::of(inner.clone())).prop_map(
                |(q, rows, filter)| e(ExprKind::Quant {
                    q,
                    rows: b(rows),
                    filter: filter.map(b)
                })
            ),
            (inner.clone(), inner).prop_map(|(r, p)| e(ExprKind::Where(b(r), b(p)))),
        ]
    })
}

fn template() -> impl Strategy<Value = Template> {
    prop::collection::vec(
        prop_oneof![
            "[^\r]{1,8}".prop_map(TemplatePart::Text),
            expr().prop_map(TemplatePart::Hole)
        ],
        0..4,
    )
    .prop_map(|parts| Template { span: S, parts })
}

fn clause() -> impl Strategy<Value = Clause> {
    let kind = prop_oneof![
        prop_oneof![Just(SeverityLit::Error), Just(SeverityLit::Warning)]
            .prop_map(ClauseKind::Severity),
        (ident(name()), prop::option::of(expr()))
            .prop_map(|(table, filter)| ClauseKind::For { table, filter }),
        (strlit(), prop::option::of(strlit()))
            .prop_map(|(document, section)| ClauseKind::Source { document, section }),
        (ident(name()), expr()).prop_map(|(name, value)| ClauseKind::Let { name, value }),
        expr().prop_map(ClauseKind::When),
        expr().prop_map(ClauseKind::Require),
        expr().prop_map(ClauseKind::Expect),
        expr().prop_map(ClauseKind::From),
        expr().prop_map(ClauseKind::To),
        (
            strlit(),
            prop::option::of(expr()),
            prop_oneof![
                Just(ArmResult::Exempt(S)),
                duration().prop_map(ArmResult::Period)
            ]
        )
            .prop_map(|(label, condition, result)| ClauseKind::Arm {
                label,
                condition,
                result
            }),
        expr().prop_map(ClauseKind::Start),
        expr().prop_map(ClauseKind::Stop),
        duration().prop_map(ClauseKind::Every),
        (
            duration(),
            prop::option::of(strlit()),
            expr(),
            prop::option::of(duration())
        )
            .prop_map(|(offset, label, expect, within)| ClauseKind::Mark {
                offset,
                label,
                expect,
                within
            }),
        (template(), prop::option::of(expr())).prop_map(|(template, condition)| {
            ClauseKind::Message {
                template,
                condition,
            }
        }),
    ];
    kind.prop_map(|kind| Clause { span: S, kind })
}

fn scalar() -> impl Strategy<Value = ScalarType> {
    prop::sample::select(ScalarType::ALL.to_vec())
}

fn format_spec() -> impl Strategy<Value = FormatSpec> {
    prop_oneof![
        strlit().prop_map(FormatSpec::Pattern),
        Just(FormatSpec::Iso8601(S))
    ]
}

fn member() -> impl Strategy<Value = Member> {
    let modifier = prop_oneof![
        Just(ModifierKind::Key),
        Just(ModifierKind::Required),
        expr().prop_map(ModifierKind::Default),
        prop::collection::vec(format_spec(), 1..3).prop_map(ModifierKind::Formats),
        prop::collection::vec(strlit(), 0..3).prop_map(ModifierKind::OneOf),
        strlit().prop_map(ModifierKind::SeparatedBy),
    ]
    .prop_map(|kind| Modifier { span: S, kind });
    let ty = prop_oneof![
        scalar().prop_map(|s| TypeExpr::Scalar(s, S)),
        scalar().prop_map(|s| TypeExpr::List(s, S)),
        ident(name()).prop_map(|t| TypeExpr::Ref(t, S)),
    ];
    let column = (ty, strlit(), prop::collection::vec(modifier, 0..3)).prop_map(
        |(ty, header, modifiers)| {
            MemberKind::Column(ColumnDecl {
                ty,
                header,
                modifiers,
            })
        },
    );
    let relation = (
        ident(name()),
        ident(word()),
        prop::option::of(ident(word())),
        prop::option::of(expr()),
    )
        .prop_map(|(target, by, ordered_by, filter)| {
            MemberKind::Relation(RelationDecl {
                target,
                by,
                ordered_by,
                filter,
            })
        });
    (ident(word()), prop_oneof![column, relation]).prop_map(|(name, kind)| Member {
        span: S,
        name,
        kind,
    })
}

fn item() -> impl Strategy<Value = Item> {
    let header_clause = prop_oneof![
        strlit().prop_map(HeaderClauseKind::Version),
        strlit().prop_map(HeaderClauseKind::Timezone),
        prop::collection::vec(format_spec(), 1..3).prop_map(HeaderClauseKind::DateFormats),
        prop::collection::vec(format_spec(), 1..3).prop_map(HeaderClauseKind::DateTimeFormats),
    ]
    .prop_map(|kind| HeaderClause { span: S, kind });
    let header =
        (strlit(), prop::collection::vec(header_clause, 0..4)).prop_map(|(name, clauses)| {
            Item::Policy(PolicyHeader {
                span: S,
                name,
                clauses,
            })
        });
    let table = (
        ident(name()),
        strlit(),
        prop::collection::vec(member(), 0..4),
    )
        .prop_map(|(name, file, members)| {
            Item::Table(TableDecl {
                span: S,
                name,
                file,
                members,
            })
        });
    let define = (ident(name()), ident(word()), expr()).prop_map(|(table, name, body)| {
        Item::Define(DefineDecl {
            span: S,
            table,
            name,
            body,
        })
    });
    let kind = prop::sample::select(RuleKind::ALL.to_vec());
    let rule = (
        kind,
        "[a-z0-9][a-z0-9-]{0,10}",
        strlit(),
        prop::collection::vec(clause(), 0..6),
    )
        .prop_map(|(kind, id, title, clauses)| {
            Item::Rule(RuleDecl {
                span: S,
                kind,
                kind_span: S,
                id: Ident { name: id, span: S },
                title,
                clauses,
            })
        });
    prop_oneof![header, table, define, rule]
}

fn file() -> impl Strategy<Value = File> {
    prop::collection::vec(item(), 0..4).prop_map(|items| File {
        file: FileId(0),
        items,
        comments: Vec::new(),
    })
}

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
        sources.add("fuzz.docket", None, text);
        let _ = check_sources(sources);
    }

    #[test]
    fn policy_like_text_never_panics(text in "(policy|table|rule|notice|escalation|allowlist|define|[a-z]{1,4}|\"[^\"\n]{0,4}\"|[0-9]{1,4}[dhm]?|[-=<>!(){}\\[\\],.:#\n ]|where|and|or|not|in|is|any|first|count|at|expect|every|arm|when|let|from|to|message|severity|for|source|start|stop|case|now|missing|present){0,60}") {
        let mut sources = SourceMap::new();
        sources.add("fuzz.docket", None, text.clone());
        let loaded = check_sources(sources);
        if loaded.diagnostics.iter().all(|d| !d.code.starts_with("docket::parse")) {
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
            sources.add(n.clone(), None, if n == name { text.clone() } else { t.clone() });
        }
        let loaded = check_sources(sources);
        if loaded.diagnostics.iter().all(|d| !d.code.starts_with("docket::parse")) {
            prop_assert!(format_source(FileId(0), &text).is_ok(), "formatter refused parsed text:\n{}", text);
        }
    }
}

fn bundled() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "docket"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
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
