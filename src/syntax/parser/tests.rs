use super::*;

fn p(text: &str) -> (File, Vec<Diagnostic>) {
    parse(FileId(0), text)
}

fn ok(text: &str) -> File {
    let (f, d) = p(text);
    assert!(d.is_empty(), "unexpected diagnostics: {d:#?}");
    f
}

fn first_rule(f: &File) -> &RuleDecl {
    f.items
        .iter()
        .find_map(|i| match i {
            Item::Rule(r) => Some(r),
            _ => None,
        })
        .expect("a rule")
}

fn expr_of(src: &str) -> Expr {
    parse_expr_str(FileId(0), src).unwrap_or_else(|d| panic!("{src}: {}", d.message))
}

#[test]
fn parses_a_header_tables_and_a_rule() {
    let f = ok(r#"
# the header
policy "CCC" version "1.0" timezone "America/New_York"
  date formats "YYYY-MM-DD", "M/D/YYYY"
  datetime formats iso8601, "M/D/YYYY h:mm a"

table case from "cases.csv"
  number: text from "Case Number" key
  type: text from "Type" one of ["A", "B"]
  contacts: list of email from "Contacts" separated by ";"
  quotes: int from "Quotes" default 0
  account: ref account from "Account ID"
  events: many event by case ordered by at where event.at <= now

rule r-1 "Title"
  severity warning
  for case where case.type = "A"
  source "Doc" section "Sec"
  let x = first case.events where event.name = "X"
  when x is present
  require x.at <= now
  message "at {x.at}" if x is present
  message "never"
"#);
    assert_eq!(f.items.len(), 3);
    assert_eq!(f.comments.len(), 1);
    let Item::Table(t) = &f.items[1] else {
        panic!()
    };
    assert_eq!(t.members.len(), 6);
    let r = first_rule(&f);
    assert_eq!(r.id.name, "r-1");
    assert_eq!(r.clauses.len(), 8);
}

#[test]
fn precedence_and_quantifiers() {
    let e = expr_of("a or b and not c = d");
    let ExprKind::Binary(BinOp::Or, _, right) = e.kind else {
        panic!("{e:?}")
    };
    assert!(matches!(right.kind, ExprKind::Binary(BinOp::And, _, _)));
    // `where` takes everything to its right.
    let e = expr_of("any case.events where event.name = \"X\" and event.at < now");
    let ExprKind::Quant {
        q: Quantifier::Any,
        filter: Some(f),
        ..
    } = e.kind
    else {
        panic!()
    };
    assert!(matches!(f.kind, ExprKind::Binary(BinOp::And, _, _)));
    let e = expr_of("(first case.events).at");
    assert!(matches!(e.kind, ExprKind::Field(_, _)));
    let e = expr_of("x not in [\"a\", \"b\"] ignoring case");
    assert!(matches!(
        e.kind,
        ExprKind::In {
            negated: true,
            ignore_case: true,
            ..
        }
    ));
    let e = expr_of("x is not missing");
    assert!(matches!(e.kind, ExprKind::Is { present: true, .. }));
    let e = expr_of("if a then 1 else 2");
    assert!(matches!(e.kind, ExprKind::If(..)));
    let e = expr_of("case.stage starts with \"Closed\"");
    assert!(matches!(e.kind, ExprKind::Binary(BinOp::StartsWith, _, _)));
    let e = expr_of("a - 1 + 2");
    let ExprKind::Binary(BinOp::Add, l, _) = e.kind else {
        panic!()
    };
    assert!(matches!(l.kind, ExprKind::Binary(BinOp::Sub, _, _)));
}

#[test]
fn literals() {
    assert!(matches!(expr_of("2024-06-03").kind, ExprKind::Date(_)));
    assert!(matches!(
        expr_of("2024-06-03T10:00:00Z").kind,
        ExprKind::DateTime(_)
    ));
    for (src, amount, unit) in [
        ("90 days", 90, DurationUnit::Days),
        ("90d", 90, DurationUnit::Days),
        ("48h", 48, DurationUnit::Hours),
        ("1 hour", 1, DurationUnit::Hours),
        ("30min", 30, DurationUnit::Minutes),
        ("30 minutes", 30, DurationUnit::Minutes),
    ] {
        let ExprKind::Duration(d) = expr_of(src).kind else {
            panic!("{src}")
        };
        assert_eq!((d.amount, d.unit), (amount, unit), "{src}");
    }
    assert_eq!(expr_of("\"a\\\"b\"").kind, ExprKind::Str("a\"b".into()));
    assert_eq!(
        expr_of("local_date(x)").kind.clone(),
        expr_of("local_date(x)").kind
    );
}

#[test]
fn spans_point_at_the_source() {
    let src = "rule x \"t\"\n  require a = b\n";
    let f = ok(src);
    let r = first_rule(&f);
    let ClauseKind::Require(e) = &r.clauses[0].kind else {
        panic!()
    };
    assert_eq!(&src[e.span.start as usize..e.span.end as usize], "a = b");
    assert_eq!(
        &src[r.span.start as usize..r.span.end as usize],
        "rule x \"t\"\n  require a = b"
    );
}

#[test]
fn three_independent_mistakes_give_three_diagnostics() {
    let (f, d) = p(r#"
rule a "one"
  severity eror
  require x == 1
  messag "m"
rule b "two"
  require y = 1
"#);
    let codes: Vec<_> = d.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        vec![
            "docket::parse::expected",
            "docket::parse::wrong-operator",
            "docket::parse::expected"
        ],
        "{d:#?}"
    );
    assert!(
        d[0].help.as_deref().unwrap_or("").contains("`error`"),
        "{:?}",
        d[0].help
    );
    assert!(
        d[2].help.as_deref().unwrap_or("").contains("`message`"),
        "{:?}",
        d[2].help
    );
    // Both rules survive.
    assert_eq!(f.items.len(), 2);
}

#[test]
fn misspelled_item_keyword_is_reported_at_top_level() {
    let (f, d) =
        p("tabel case from \"c.csv\"\n  x: text from \"X\"\nrule r \"t\"\n  require true\n");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(d[0].message.contains("found `tabel`"), "{}", d[0].message);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `table`?"));
    assert_eq!(f.items.len(), 1);
}

#[test]
fn unterminated_string_is_targeted() {
    let (_, d) = p("rule r \"title\n  require true\n");
    assert_eq!(d[0].code, "docket::parse::unterminated-string");
}

#[test]
fn unfinished_clause_does_not_swallow_the_next() {
    let (f, d) = p("rule r \"t\"\n  require a and\n  message \"m\"\n");
    assert_eq!(d.len(), 1, "{d:#?}");
    assert!(
        d[0].message
            .contains("expected an expression, found `message`"),
        "{}",
        d[0].message
    );
    let r = first_rule(&f);
    assert!(matches!(
        r.clauses.last().map(|c| &c.kind),
        Some(ClauseKind::Message { .. })
    ));
}

#[test]
fn chained_comparisons_and_reserved_names() {
    let (_, d) = p("rule r \"t\"\n  require a < b < c\n");
    assert_eq!(d[0].code, "docket::parse::chained-comparison");
    let (_, d) = p("rule r \"t\"\n  let and = 1\n");
    assert_eq!(d[0].code, "docket::parse::reserved-word");
}

#[test]
fn holes_only_in_messages() {
    let (_, d) = p("rule r \"t {x}\"\n  require true\n");
    assert_eq!(d[0].code, "docket::parse::hole-outside-message");
    let f = ok("rule r \"t {{x}}\"\n  require true\n  message \"a {x.y} b {{c}}\"\n");
    let r = first_rule(&f);
    assert_eq!(r.title.value, "t {x}");
    let ClauseKind::Message { template, .. } = &r.clauses[1].kind else {
        panic!()
    };
    assert_eq!(template.parts.len(), 3);
}

#[test]
fn escalation_and_notice_clauses() {
    let f = ok(r#"
escalation e "t"
  start at first case.events where event.name = "T"
  stop at case.closed_at
  every 48 hours
  at 24h "re-tag" expect case.events where event.name = "T"
  at 48 hours expect case.events where event.name = "E" within 1 day
notice n "t"
  from case.a
  to case.b
  arm "custom" when case.c: exempt
  arm "sps" when case.d = "SPS": 60 days
  arm "else": exempt
"#);
    let Item::Rule(e) = &f.items[0] else { panic!() };
    assert_eq!(e.clauses.len(), 5);
    let ClauseKind::Mark { within, label, .. } = &e.clauses[4].kind else {
        panic!()
    };
    assert!(within.is_some() && label.is_none());
    let Item::Rule(n) = &f.items[1] else { panic!() };
    assert!(matches!(
        n.clauses[3].kind,
        ClauseKind::Arm {
            result: ArmResult::Period(_),
            ..
        }
    ));
}

#[test]
fn garbage_never_panics() {
    for src in [
        "",
        "\"",
        "rule",
        "rule x",
        "rule x \"",
        "{",
        "table t from",
        "policy \"p\" date",
        "#",
        "rule r \"t\"\n  message \"{",
        "rule r \"t\"\n  require (((",
        "1234567890123456789012345",
        "\u{feff}policy",
    ] {
        let _ = p(src);
    }
}
