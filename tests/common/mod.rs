//! Shared test helpers: generators of policy syntax trees (every tree the
//! parser can produce) and the bundled policy's files.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

use chrono::NaiveDate;
use docket::source::{FileId, Span};
use docket::syntax::ast::*;
use docket::syntax::lexer::{
    CLAUSE_KEYWORDS, HEADER_KEYWORDS, ITEM_KEYWORDS, RESERVED, UNIT_WORDS,
};
use proptest::prelude::*;

pub mod audit;
pub mod export;

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

pub fn expr() -> impl Strategy<Value = Expr> {
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
        Just(ModifierKind::Unused),
        expr().prop_map(ModifierKind::Default),
        prop::collection::vec(format_spec(), 1..3).prop_map(ModifierKind::Formats),
        (prop::collection::vec(strlit(), 0..3), any::<bool>())
            .prop_map(|(v, open)| ModifierKind::OneOf(v, open)),
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
        ident(name()),
        prop::option::of(ident(name())),
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
    (ident(name()), prop_oneof![column, relation]).prop_map(|(name, kind)| Member {
        span: S,
        name,
        kind,
    })
}

/// One of `fields`: `row.a.b`, maybe `as name`.
fn field_decl() -> impl Strategy<Value = FieldDecl> {
    (
        ident(name()),
        prop::collection::vec(ident(word()), 1..3),
        prop::option::of(ident(name())),
    )
        .prop_map(|(root, rest, alias)| {
            let mut path = Expr {
                kind: ExprKind::Name(root),
                span: S,
            };
            for f in rest {
                path = Expr {
                    kind: ExprKind::Field(Box::new(path), f),
                    span: S,
                };
            }
            FieldDecl { path, alias }
        })
}

fn item() -> impl Strategy<Value = Item> {
    let header_clause = prop_oneof![
        strlit().prop_map(HeaderClauseKind::Version),
        strlit().prop_map(HeaderClauseKind::Timezone),
        prop::collection::vec(format_spec(), 1..3).prop_map(HeaderClauseKind::DateFormats),
        prop::collection::vec(format_spec(), 1..3).prop_map(HeaderClauseKind::DateTimeFormats),
        prop::collection::vec(field_decl(), 1..4).prop_map(HeaderClauseKind::Fields),
        prop::collection::vec(ident("[a-z0-9][a-z0-9-]{0,10}"), 1..6)
            .prop_map(HeaderClauseKind::Order),
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
        prop::collection::vec(table_option(), 0..3),
        prop::collection::vec(member(), 0..4),
    )
        .prop_map(|(name, file, options, members)| {
            Item::Table(TableDecl {
                span: S,
                name,
                file,
                options,
                members,
            })
        });
    let define = (ident(name()), ident(name()), expr()).prop_map(|(table, name, body)| {
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

/// A line saying how a table's file is written.
fn table_option() -> impl Strategy<Value = TableOption> {
    let strings = || prop::collection::vec(strlit(), 1..3);
    prop_oneof![
        strlit().prop_map(TableOptionKind::Encoding),
        strlit().prop_map(TableOptionKind::Delimiter),
        strlit().prop_map(TableOptionKind::Quote),
        strlit().prop_map(TableOptionKind::Escape),
        strlit().prop_map(TableOptionKind::Sheet),
        (0u64..1000).prop_map(|n| TableOptionKind::Skip(n, S)),
        Just(TableOptionKind::Footer(FooterRule::Auto)),
        Just(TableOptionKind::Footer(FooterRule::None)),
        Just(TableOptionKind::Footer(FooterRule::AfterBlankLine)),
        strings().prop_map(|p| TableOptionKind::Footer(FooterRule::Matching(p))),
        strings().prop_map(TableOptionKind::Missing),
    ]
    .prop_map(|kind| TableOption { span: S, kind })
}

pub fn file() -> impl Strategy<Value = File> {
    prop::collection::vec(item(), 0..4).prop_map(|items| File {
        file: FileId(0),
        items,
        comments: Vec::new(),
    })
}

/// The bundled policy's files: (path, text), sorted by name.
pub fn bundled() -> Vec<(String, String)> {
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
