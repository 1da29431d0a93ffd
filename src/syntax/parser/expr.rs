//! Expressions, from loosest to tightest:
//!
//! ```text
//! expr     = or [ "where" or ]
//! or       = and { "or" and }
//! and      = not { "and" not }
//! not      = "not" not | cmp
//! cmp      = add [ cmp-op add | ["not"] "in" add ["ignoring" "case"]
//!                | "is" ["not"] ("missing" | "present") ]
//! add      = unary { ("+" | "-") unary }
//! unary    = "-" unary | postfix
//! postfix  = primary { "." word }
//! primary  = literal | name | name "(" args ")" | "(" expr ")" | "[" list "]"
//!          | "if" expr "then" expr "else" expr
//!          | quantifier postfix [ "where" or ]
//! ```
//!
//! A `where` after a quantifier takes everything to its right, like SQL's
//! `WHERE`; parenthesise a quantifier used as the left operand of `and`.

use chrono::NaiveDate;
use nom::Err as NomErr;
use nom::Input as _;

use super::*;
use crate::diagnostic::Code;
use crate::syntax::lexer::{UNIT_WORDS, datetime_tail_len, glued_unit};
use crate::syntax::prec::Prec;

/// Parses a standalone expression (used by tests and tools).
pub fn parse_expr_str(file: FileId, text: &str) -> Result<Expr, Diagnostic> {
    let i = In::new_extra(text, file);
    match expr(i) {
        Ok((rest, e)) => {
            let rest = ws(rest);
            if rest.fragment().is_empty() {
                Ok(e)
            } else {
                Err(to_diagnostic(
                    &PError::expected(off(&rest), Expected::Thing("the end of the expression")),
                    file,
                    text,
                ))
            }
        }
        Err(NomErr::Error(e) | NomErr::Failure(e)) => Err(to_diagnostic(&e, file, text)),
        Err(NomErr::Incomplete(_)) => Err(Diagnostic::error(
            Code::ParseExpected,
            "incomplete expression",
        )),
    }
}

/// How deeply expressions may nest (parentheses, `not`/`-` chains, operands
/// of one `and`/`or`/`+` chain, fields of one path, all counted together).
/// Policies need a handful of levels; the limit keeps every later pass,
/// which walks the tree recursively, far from the end of the stack.
pub const MAX_DEPTH: usize = 100;

thread_local! {
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// One level of nesting, released when dropped.
pub(crate) struct DepthGuard;

impl Drop for DepthGuard {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

/// Enters one level of nesting at `i`, or fails with `docket::parse::too-deep`.
pub(crate) fn enter(i: &In) -> Result<DepthGuard, NomErr<PError>> {
    let depth = DEPTH.with(|d| {
        let n = d.get() + 1;
        d.set(n);
        n
    });
    let level = DepthGuard;
    if depth > MAX_DEPTH {
        let at = ws(*i);
        return Err(NomErr::Failure(PError::custom(Custom {
            code: Code::ParseTooDeep,
            message: format!("this expression nests more than {MAX_DEPTH} levels deep"),
            start: off(&at),
            end: off(&at) + at.fragment().chars().next().map_or(0, char::len_utf8),
            label: "too deep here".to_string(),
            help: Some("split it into `let` names or definitions".to_string()),
        })));
    }
    Ok(level)
}

fn mk(kind: ExprKind, span: Span) -> Expr {
    Expr { kind, span }
}

fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn targeted(i: &In, len: usize, code: Code, message: String, label: &str, help: &str) -> PError {
    PError::custom(Custom {
        code,
        message,
        start: off(i),
        end: off(i) + len,
        label: label.to_string(),
        help: Some(help.to_string()),
    })
}

/// `or [where or]`
pub(crate) fn expr(i: In) -> PResult<Expr> {
    // Nesting is bounded by MAX_DEPTH, but a debug build's frames are big:
    // grow the stack on the heap rather than overflow it.
    stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || expr_inner(i))
}

/// Stack left before growing, and how much to add (see [`expr`]).
pub(crate) const RED_ZONE: usize = 128 * 1024;
/// How much stack to add at a time.
pub(crate) const STACK_GROWTH: usize = 4 * 1024 * 1024;

fn expr_inner(i: In) -> PResult<Expr> {
    let _level = enter(&i)?;
    let (rest, left) = or_expr(i)?;
    match kw("where")(rest) {
        Ok((r, _)) => {
            if !is_path_like(&left) {
                return failure(PError::custom(Custom {
                    code: Code::ParseWhereRows,
                    message: "`where` needs the rows it filters right before it".to_string(),
                    start: left.span.start as usize,
                    end: left.span.end as usize,
                    label: "not a name or a path".to_string(),
                    help: Some(
                        "filter rows such as `case.events where …`; to test rows write `any … where …`; to filter a computed value put it in parentheses"
                            .to_string(),
                    ),
                }));
            }
            let (r, pred) = cut(or_expr(r))?;
            let span = left.span.to(pred.span);
            Ok((r, mk(ExprKind::Where(boxed(left), boxed(pred)), span)))
        }
        Err(_) => Ok((rest, left)),
    }
}

/// True for expressions that can stand before a top-level `where` without
/// parentheses: literals, names, paths, calls, lists and parenthesised ones.
pub fn is_path_like(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Str(_)
            | ExprKind::Int(_)
            | ExprKind::Bool(_)
            | ExprKind::Date(_)
            | ExprKind::DateTime(_)
            | ExprKind::Duration(_)
            | ExprKind::Now
            | ExprKind::List(_)
            | ExprKind::Name(_)
            | ExprKind::Field(..)
            | ExprKind::Call(..)
            | ExprKind::Paren(_)
    )
}

fn logical_op<'a>(
    i: In<'a>,
    word: &'static str,
    wrong: &'static str,
) -> Result<Option<In<'a>>, NomErr<PError>> {
    let j = ws(i);
    if let Ok((r, _)) = kw(word)(j) {
        return Ok(Some(r));
    }
    if j.fragment().starts_with(wrong) {
        return Err(NomErr::Failure(targeted(
            &j,
            2,
            Code::ParseWrongOperator,
            format!("`{wrong}` is not an operator in docket"),
            &format!("write `{word}`"),
            &format!(
                "logical operators are words: `and`, `or`, `not`; replace `{wrong}` with `{word}`"
            ),
        )));
    }
    Ok(None)
}

/// `and { or and }`
pub(crate) fn or_expr(i: In) -> PResult<Expr> {
    binary_level(i, Prec::Or)
}

/// A left-associative level of the precedence table: operands of the next
/// level, joined by the operators [`Prec::of_binary`] puts at `level`.
fn binary_level(i: In, level: Prec) -> PResult<Expr> {
    let (mut rest, mut left) = level_below(i, level)?;
    let mut levels = Vec::new();
    while let Some((op, r)) = binary_op(rest, level)? {
        levels.push(enter(&r)?);
        let (r, right) = cut(level_below(r, level))?;
        let span = left.span.to(right.span);
        left = mk(ExprKind::Binary(op, boxed(left), boxed(right)), span);
        rest = r;
    }
    Ok((rest, left))
}

/// The operands of `level`: expressions of the next level in the table.
fn level_below(i: In, level: Prec) -> PResult<Expr> {
    match level.tighter() {
        Prec::And => binary_level(i, Prec::And),
        Prec::Not => not_expr(i),
        Prec::Neg => unary(i),
        _ => postfix(i),
    }
}

/// The operator of `level` at the cursor, if any (the only ones the table
/// puts there: `or`, `and`, `+` and `-`).
fn binary_op(i: In, level: Prec) -> Result<Option<(BinOp, In)>, NomErr<PError>> {
    let op = match level {
        Prec::Or => logical_op(i, "or", "||")?.map(|r| (BinOp::Or, r)),
        Prec::And => logical_op(i, "and", "&&")?.map(|r| (BinOp::And, r)),
        Prec::Add => {
            let j = ws(i);
            let sign = j.fragment().chars().next();
            match sign {
                Some('+') => Some((BinOp::Add, j.take_from(1))),
                Some('-') => Some((BinOp::Sub, j.take_from(1))),
                _ => None,
            }
        }
        _ => None,
    };
    Ok(op.filter(|(op, _)| Prec::of_binary(*op) == level))
}

fn not_expr(i: In) -> PResult<Expr> {
    let j = ws(i);
    if let Ok((r, sp)) = kw("not")(j) {
        let _level = enter(&j)?;
        let (r, inner) = cut(stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || not_expr(r)))?;
        let span = sp.to(inner.span);
        return Ok((r, mk(ExprKind::Not(boxed(inner)), span)));
    }
    if j.fragment().starts_with('!') && !j.fragment().starts_with("!=") {
        return Err(NomErr::Failure(targeted(
            &j,
            1,
            Code::ParseWrongOperator,
            "`!` is not an operator in docket".to_string(),
            "write `not`",
            "negate a condition with `not`, e.g. `not case.closed`",
        )));
    }
    cmp_expr(j)
}

/// The comparison operator at `j`, if any: (operator, rest).
fn cmp_op(j: In) -> Result<Option<(BinOp, In)>, NomErr<PError>> {
    let f = j.fragment();
    for (text, op) in [
        ("!=", BinOp::Ne),
        ("<=", BinOp::Le),
        (">=", BinOp::Ge),
        ("<", BinOp::Lt),
        (">", BinOp::Gt),
    ] {
        if f.starts_with(text) {
            if text == "<" && f.starts_with("<>") {
                return Err(NomErr::Failure(targeted(
                    &j,
                    2,
                    Code::ParseWrongOperator,
                    "`<>` is not an operator in docket".to_string(),
                    "write `!=`",
                    "write `!=` for \"not equal\"",
                )));
            }
            return Ok(Some((op, j.take_from(text.len()))));
        }
    }
    if f.starts_with("==") {
        return Err(NomErr::Failure(targeted(
            &j,
            2,
            Code::ParseWrongOperator,
            "`==` is not an operator in docket".to_string(),
            "write `=`",
            "docket compares with a single `=`",
        )));
    }
    if f.starts_with('=') && !f.starts_with("=>") {
        return Ok(Some((BinOp::Eq, j.take_from(1))));
    }
    for (words, op) in [
        (&["starts", "with"][..], BinOp::StartsWith),
        (&["ends", "with"][..], BinOp::EndsWith),
        (&["contains"][..], BinOp::Contains),
    ] {
        if let Ok((mut r, _)) = kw(words[0])(j) {
            for w in &words[1..] {
                r = cut(kw(w)(r))?.0;
            }
            return Ok(Some((op, r)));
        }
    }
    Ok(None)
}

fn cmp_expr(i: In) -> PResult<Expr> {
    let (rest, left) = add_expr(i)?;
    let j = ws(rest);
    let (rest, e) = if let Some((op, r)) = cmp_op(j)? {
        let (r, right) = cut(add_expr(r))?;
        let span = left.span.to(right.span);
        (r, mk(ExprKind::Binary(op, boxed(left), boxed(right)), span))
    } else if let Some(r) = in_keyword(j)? {
        let (r, negated) = r;
        let (r, list) = cut(add_expr(r))?;
        let ignoring = if member_start(r) {
            error(&r, Expected::Token("ignoring"))
        } else {
            kw("ignoring")(r)
        };
        let (r, ignore_case) = match ignoring {
            Ok((r2, _)) => (cut(kw("case")(r2))?.0, true),
            Err(_) => (r, false),
        };
        let span = left
            .span
            .to(Span::new(list.span.file, list.span.start as usize, off(&r)));
        (
            r,
            mk(
                ExprKind::In {
                    value: boxed(left),
                    list: boxed(list),
                    negated,
                    ignore_case,
                },
                span,
            ),
        )
    } else if let Ok((r, _)) = kw("is")(j) {
        let (r, negated) = match kw("not")(r) {
            Ok((r2, _)) => (r2, true),
            Err(_) => (r, false),
        };
        let k = ws(r);
        let (r, present) = match word_here(k) {
            Some(("missing", r2)) => (r2, false),
            Some(("present", r2)) => (r2, true),
            _ => {
                let e =
                    PError::expected(off(&k), Expected::Token("missing")).or_tokens(&["present"]);
                return failure(e);
            }
        };
        let span = Span::new(left.span.file, left.span.start as usize, off(&r));
        (
            r,
            mk(
                ExprKind::Is {
                    value: boxed(left),
                    present: present != negated,
                },
                span,
            ),
        )
    } else {
        return Ok((rest, left));
    };
    // `a < b < c` reads well on paper but means nothing here.
    let k = ws(rest);
    if cmp_op(k).ok().flatten().is_some() || kw("is")(k).is_ok() {
        return failure(PError::custom(Custom {
            code: Code::ParseChainedComparison,
            message: "comparisons cannot be chained".to_string(),
            start: e.span.start as usize,
            end: off(&k) + 1,
            label: "a second comparison follows the first".to_string(),
            help: Some("join the comparisons with `and`: `a < b and b < c`".to_string()),
        }));
    }
    Ok((rest, e))
}

/// `in` or `not in`: returns (rest, negated).
fn in_keyword(j: In) -> Result<Option<(In, bool)>, NomErr<PError>> {
    if let Ok((r, _)) = kw("in")(j) {
        return Ok(Some((r, false)));
    }
    if let Ok((r, _)) = kw("not")(j) {
        let (r, _) = cut(kw("in")(r))?;
        return Ok(Some((r, true)));
    }
    Ok(None)
}

fn add_expr(i: In) -> PResult<Expr> {
    binary_level(i, Prec::Add)
}

/// `- unary | postfix`
pub(crate) fn unary(i: In) -> PResult<Expr> {
    let j = ws(i);
    if j.fragment().starts_with('-') {
        let _level = enter(&j)?;
        let (r, inner) = cut(stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
            unary(j.take_from(1))
        }))?;
        let span = Span::new(j.extra, off(&j), inner.span.end as usize);
        return Ok((r, mk(ExprKind::Neg(boxed(inner)), span)));
    }
    postfix(j)
}

pub(crate) fn postfix(i: In) -> PResult<Expr> {
    let (mut rest, mut e) = primary(i)?;
    let mut levels = Vec::new();
    loop {
        let j = ws(rest);
        if !j.fragment().starts_with('.') {
            break;
        }
        levels.push(enter(&j)?);
        let (r, field) = cut(any_word(j.take_from(1)))?;
        let span = e.span.to(field.span);
        e = mk(ExprKind::Field(boxed(e), field), span);
        rest = r;
    }
    Ok((rest, e))
}

/// The closing `p` of the `(` or `[` at `open`; without it, an error that
/// points at `open` as well.
fn closing<'a>(r: In<'a>, open: &In, p: &'static str) -> PResult<'a, Span> {
    let at = off(open);
    cut(punct(p)(r)).map_err(|e| {
        e.map(|mut pe| {
            pe.unclosed = Some((at, p));
            pe
        })
    })
}

/// Items up to `close`, after the opening token at `open`.
fn comma_list<'a>(open: &In, mut r: In<'a>, close: &'static str) -> PResult<'a, Vec<Expr>> {
    let mut out = Vec::new();
    if let Ok((r2, _)) = punct(close)(r) {
        return Ok((r2, out));
    }
    loop {
        let (r2, e) = cut(expr(r))?;
        out.push(e);
        if let Ok((r3, _)) = punct(",")(r2) {
            if let Ok((r4, _)) = punct(close)(r3) {
                return Ok((r4, out));
            }
            r = r3;
            continue;
        }
        let (r3, _) = closing(r2, open, close)?;
        return Ok((r3, out));
    }
}

fn primary(i: In) -> PResult<Expr> {
    let j = ws(i);
    let f = j.fragment();
    let Some(c) = f.chars().next() else {
        return error(&j, Expected::Thing("an expression"));
    };
    if c == '(' {
        let (r, inner) = cut(expr(j.take_from(1)))?;
        let (r, _) = closing(r, &j, ")")?;
        return Ok((r, mk(ExprKind::Paren(boxed(inner)), span_between(&j, &r))));
    }
    if c == '[' {
        let (r, items) = comma_list(&j, j.take_from(1), "]")?;
        return Ok((r, mk(ExprKind::List(items), span_between(&j, &r))));
    }
    if c == '"' {
        let (r, s) = str_lit(j)?;
        return Ok((r, mk(ExprKind::Str(s.value), s.span)));
    }
    if c.is_ascii_digit() {
        return number_literal(j);
    }
    let Some((w, r)) = word_here(j) else {
        return error(&j, Expected::Thing("an expression"));
    };
    let sp = span_between(&j, &r);
    let q = match w {
        "true" => return Ok((r, mk(ExprKind::Bool(true), sp))),
        "false" => return Ok((r, mk(ExprKind::Bool(false), sp))),
        "now" => return Ok((r, mk(ExprKind::Now, sp))),
        "if" => {
            let (r, c) = cut(expr(r))?;
            let (r, _) = cut(kw("then")(r))?;
            let (r, a) = cut(expr(r))?;
            let (r, _) = cut(kw("else")(r))?;
            let (r, b) = cut(expr(r))?;
            let span = sp.to(b.span);
            return Ok((r, mk(ExprKind::If(boxed(c), boxed(a), boxed(b)), span)));
        }
        "any" => Quantifier::Any,
        "no" => Quantifier::No,
        "first" => Quantifier::First,
        "last" => Quantifier::Last,
        "count" => Quantifier::Count,
        "null" | "nil" | "none" | "None" | "NULL" => {
            return failure(PError::custom(Custom {
                code: Code::ParseNoNull,
                message: format!("docket has no `{w}` value"),
                start: off(&j),
                end: off(&r),
                label: "not a value".to_string(),
                help: Some("test for an empty cell with `is missing` or `is present`".to_string()),
            }));
        }
        _ if RESERVED.contains(&w) => return error(&j, Expected::Thing("an expression")),
        // A clause keyword opening a line ends the expression before it: the
        // author most likely left the previous clause unfinished.
        _ if first_on_line(&j) && (CLAUSE_KEYWORDS.contains(&w) || ITEM_KEYWORDS.contains(&w)) => {
            return error(&j, Expected::Thing("an expression"));
        }
        _ => {
            let id = Ident {
                name: w.to_string(),
                span: sp,
            };
            if r.fragment().starts_with('(') {
                let (r2, args) = comma_list(&r, r.take_from(1), ")")?;
                let span = span_between(&j, &r2);
                return Ok((r2, mk(ExprKind::Call(id, args), span)));
            }
            return Ok((r, mk(ExprKind::Name(id), sp)));
        }
    };
    if let Some(w) = peek_word(r)
        && matches!(w, "any" | "no" | "first" | "last" | "count" | "if")
    {
        let at = ws(r);
        return failure(PError::custom(Custom {
            code: Code::ParseNestedQuantifier,
            message: format!("`{}` cannot be followed directly by `{w}`", q.keyword()),
            start: off(&at),
            end: off(&at) + w.len(),
            label: "put this in parentheses".to_string(),
            help: Some(format!(
                "write `{} (…)` so it is clear what is quantified",
                q.keyword()
            )),
        }));
    }
    let (r, rows) = cut(postfix(r))?;
    let (r, filter) = match kw("where")(r) {
        Ok((r2, _)) => {
            let (r2, e) = cut(or_expr(r2))?;
            (r2, Some(boxed(e)))
        }
        Err(_) => (r, None),
    };
    let end = filter.as_ref().map_or(rows.span, |f| f.span);
    Ok((
        r,
        mk(
            ExprKind::Quant {
                q,
                rows: boxed(rows),
                filter,
            },
            sp.to(end),
        ),
    ))
}

/// A number, date, date-time or duration literal at `j` (no layout skipped).
pub(crate) fn number_literal(j: In) -> PResult<Expr> {
    let f = j.fragment();
    let b = f.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return error(&j, Expected::Thing("a number"));
    }
    let is_date = b.len() >= 10
        && b.iter().take(4).all(u8::is_ascii_digit)
        && b.get(4) == Some(&b'-')
        && b.get(5..7)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        && b.get(7) == Some(&b'-')
        && b.get(8..10)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if is_date {
        let text = f.get(..10).unwrap_or("");
        let mut r = j.take_from(10);
        let rf = r.fragment();
        if let Some(len) = datetime_tail_len(rf) {
            r = r.take_from(len);
            let sp = span_between(&j, &r);
            return Ok((
                r,
                mk(
                    ExprKind::DateTime(f.get(..10 + len).unwrap_or("").to_string()),
                    sp,
                ),
            ));
        }
        let sp = span_between(&j, &r);
        let parsed = text
            .get(0..4)
            .and_then(|y| y.parse::<i32>().ok())
            .zip(text.get(5..7).and_then(|m| m.parse::<u32>().ok()))
            .zip(text.get(8..10).and_then(|d| d.parse::<u32>().ok()))
            .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y, m, d));
        return match parsed {
            Some(d) => Ok((r, mk(ExprKind::Date(d), sp))),
            None => failure(PError::custom(Custom {
                code: Code::ParseBadDate,
                message: format!("`{text}` is not a calendar date"),
                start: off(&j),
                end: off(&r),
                label: "no such date".to_string(),
                help: Some("dates are written YYYY-MM-DD, e.g. `2024-06-03`".to_string()),
            })),
        };
    }
    let len = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
    let digits = f.get(..len).unwrap_or("");
    let r = j.take_from(len);
    let Ok(n) = digits.parse::<i64>() else {
        return failure(PError::custom(Custom {
            code: Code::ParseBadNumber,
            message: format!("`{digits}` is too large"),
            start: off(&j),
            end: off(&r),
            label: "too large".to_string(),
            help: Some(format!("numbers go up to {}", i64::MAX)),
        }));
    };
    // A unit glued to the number (`48h`) or a unit word on the same line (`48 hours`).
    let (unit_text, after) = match glued_unit(r.fragment()) {
        Some(u) => (Some(u), r.take_from(u.len())),
        None => {
            let b2 = blanks(r);
            match word_here(b2) {
                Some((w, r2)) if UNIT_WORDS.contains(&w) => (Some(w), r2),
                _ => (None, r),
            }
        }
    };
    let Some(u) = unit_text else {
        if let Some(e) = unknown_unit(n, r) {
            return failure(e);
        }
        return Ok((r, mk(ExprKind::Int(n), span_between(&j, &r))));
    };
    let unit = match u {
        "d" | "day" | "days" => DurationUnit::Days,
        "h" | "hour" | "hours" => DurationUnit::Hours,
        _ => DurationUnit::Minutes,
    };
    let sp = span_between(&j, &after);
    Ok((
        after,
        mk(
            ExprKind::Duration(DurationLit {
                amount: n,
                unit,
                span: sp,
            }),
            sp,
        ),
    ))
}

/// A word after the number `n` (glued, or on the same line) that reads as a
/// unit docket does not have (`3 hrs`, `2 weeks`, `1 month`): an error
/// saying what to write instead.
fn unknown_unit(n: i64, r: In) -> Option<PError> {
    let glued = r.fragment().starts_with(|c: char| c.is_ascii_alphabetic());
    let at = if glued { r } else { blanks(r) };
    let (w, end) = word_here(at)?;
    let lower = w.to_ascii_lowercase();
    let help = match lower.as_str() {
        "hr" | "hrs" | "hour" | "hours" | "hs" => format!("write `{n} hours`"),
        "mins" | "mn" | "mns" | "minute" | "minutes" => format!("write `{n} minutes`"),
        "dy" | "dys" | "day" | "days" | "ds" => format!("write `{n} days`"),
        "w" | "wk" | "wks" | "week" | "weeks" => format!(
            "docket counts days, hours and minutes: write `{} days`",
            n.saturating_mul(7)
        ),
        "s" | "sec" | "secs" | "second" | "seconds" => {
            "docket counts time in whole minutes: write minutes, hours or days".to_string()
        }
        "mo" | "mon" | "mos" | "month" | "months" | "y" | "yr" | "yrs" | "year" | "years" => {
            "months and years differ in length: write the days the policy means, e.g. `90 days`"
                .to_string()
        }
        _ if glued || is_keyword(w) => return None,
        _ => {
            let close = crate::diagnostic::did_you_mean(w, UNIT_WORDS.iter().copied())?;
            format!("{close} (units: days, hours, minutes)")
        }
    };
    Some(PError::custom(Custom {
        code: Code::ParseUnknownUnit,
        message: format!("`{w}` is not a unit of time"),
        start: off(&at),
        end: off(&end),
        label: "unknown unit".to_string(),
        help: Some(help),
    }))
}

/// Whether `w` means something to the parser somewhere.
fn is_keyword(w: &str) -> bool {
    use crate::syntax::lexer::*;
    [
        RESERVED,
        CLAUSE_KEYWORDS,
        ITEM_KEYWORDS,
        HEADER_KEYWORDS,
        TABLE_OPTION_KEYWORDS,
        OTHER_KEYWORDS,
    ]
    .iter()
    .any(|list| list.contains(&w))
}

fn unterminated(open: &In, end: usize) -> PError {
    PError::custom(Custom {
        code: Code::ParseUnterminatedString,
        message: "unterminated string".to_string(),
        start: off(open),
        end,
        label: "this string is not closed".to_string(),
        help: Some("close it with `\"` before the end of the line".to_string()),
    })
}

/// A string literal with `{expr}` holes, starting at `"`.
pub(crate) fn string_parts(i: In) -> PResult<(Vec<TemplatePart>, Span)> {
    let open = ws(i);
    if !open.fragment().starts_with('"') {
        return error(&open, Expected::Thing("a string"));
    }
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut cur = open.take_from(1);
    loop {
        let f: &str = cur.fragment();
        let Some(c) = f.chars().next() else {
            return failure(unterminated(&open, off(&cur)));
        };
        match c {
            '"' => {
                cur = cur.take_from(1);
                break;
            }
            '\n' | '\r' => return failure(unterminated(&open, off(&cur))),
            '\\' => {
                let esc = f.chars().nth(1);
                let v = match esc {
                    Some('"') => '"',
                    Some('\\') => '\\',
                    Some('n') => '\n',
                    Some('t') => '\t',
                    Some(other) if other != '\n' => {
                        return failure(PError::custom(Custom {
                            code: Code::ParseBadEscape,
                            message: format!("unknown escape `\\{other}`"),
                            start: off(&cur),
                            end: off(&cur) + 1 + other.len_utf8(),
                            label: "not an escape".to_string(),
                            help: Some("strings know `\\\"`, `\\\\`, `\\n` and `\\t`; write `{{` and `}}` for braces".to_string()),
                        }));
                    }
                    _ => return failure(unterminated(&open, off(&cur))),
                };
                text.push(v);
                cur = cur.take_from(1 + esc.map_or(0, char::len_utf8));
            }
            '{' if f.starts_with("{{") => {
                text.push('{');
                cur = cur.take_from(2);
            }
            '}' if f.starts_with("}}") => {
                text.push('}');
                cur = cur.take_from(2);
            }
            '}' => {
                return failure(PError::custom(Custom {
                    code: Code::ParseUnmatchedBrace,
                    message: "`}` without a matching `{`".to_string(),
                    start: off(&cur),
                    end: off(&cur) + 1,
                    label: "unmatched".to_string(),
                    help: Some("write `}}` for a literal brace".to_string()),
                }));
            }
            '{' => {
                if !text.is_empty() {
                    parts.push(TemplatePart::Text(std::mem::take(&mut text)));
                }
                let (r, e) = cut(expr(cur.take_from(1)))?;
                let r = ws(r);
                if !r.fragment().starts_with('}') {
                    return failure(PError::expected(off(&r), Expected::Token("}")));
                }
                parts.push(TemplatePart::Hole(e));
                cur = r.take_from(1);
            }
            _ => {
                text.push(c);
                cur = cur.take_from(c.len_utf8());
            }
        }
    }
    if !text.is_empty() {
        parts.push(TemplatePart::Text(text));
    }
    let span = span_between(&open, &cur);
    Ok((cur, (parts, span)))
}
