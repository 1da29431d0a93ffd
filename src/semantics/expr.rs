//! Expressions: name resolution and typing.
//!
//! Rules the checker enforces, so the evaluator never meets them:
//! dates and date-times are different types (`local_date(…)` converts);
//! days go with dates and hours with date-times; only like types compare;
//! text compared with a column declared `one of […]` must be one of those
//! values.

use super::*;
use crate::diagnostic::Code;
use crate::syntax::ast::{BinOp, DurationLit, DurationUnit, ExprKind as A, Quantifier};
use crate::time::{HOUR, MINUTE};

/// Names visible to an expression, innermost last.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    vars: Vec<(String, Type, usize)>,
    next: usize,
}

impl Scope {
    /// An empty scope; the first pushed name gets slot 0.
    pub(crate) fn new() -> Scope {
        Scope::default()
    }

    /// Binds a name in a new slot; returns the slot.
    pub(crate) fn push(&mut self, name: &str, ty: Type) -> usize {
        let slot = self.next;
        self.next += 1;
        self.vars.push((name.to_string(), ty, slot));
        slot
    }

    /// Binds a name to a slot reserved earlier.
    pub(crate) fn bind(&mut self, name: &str, ty: Type, slot: usize) {
        self.vars.push((name.to_string(), ty, slot));
    }

    /// Reserves a slot without a name.
    pub(crate) fn reserve(&mut self) -> usize {
        let slot = self.next;
        self.next += 1;
        slot
    }

    /// Forgets the innermost name (its slot is not reused).
    pub(crate) fn pop(&mut self) {
        self.vars.pop();
    }

    fn lookup(&self, name: &str) -> Option<(Type, usize)> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, t, s)| (t.clone(), *s))
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.iter().map(|(n, _, _)| n.as_str())
    }

    /// Number of slots used so far.
    pub(crate) fn slots(&self) -> usize {
        self.next
    }
}

/// A duration literal in milliseconds (hours and minutes only).
pub(crate) fn duration_ms(d: &DurationLit) -> Option<i64> {
    let unit = match d.unit {
        DurationUnit::Hours => HOUR,
        DurationUnit::Minutes => MINUTE,
        DurationUnit::Days => return None,
    };
    d.amount.checked_mul(unit)
}

fn mk(kind: ExprKind, ty: Type, span: Span) -> Expr {
    Expr { kind, ty, span }
}

fn bx(e: Expr) -> Box<Expr> {
    Box::new(e)
}

impl<'a> Checker<'a> {
    fn names_of(&self) -> Vec<String> {
        self.table_names.clone()
    }

    pub(super) fn describe(&self, t: &Type) -> String {
        t.describe(&self.names_of())
    }

    /// Reports a type mismatch unless either side is already an error.
    pub(super) fn mismatch(&mut self, e: &Expr, expected: &str, help: Option<String>) {
        if e.ty.is_error() {
            return;
        }
        let found = self.describe(&e.ty);
        self.error(
            Diagnostic::error(
                Code::TypesMismatch,
                format!("expected {expected}, found {found}"),
            )
            .with_label(e.span, format!("this is {found}"))
            .with_help_opt(help),
        );
    }

    /// Requires a boolean.
    pub(super) fn expect_bool(&mut self, e: &Expr, what: &str) {
        if e.ty != Type::Bool && !e.ty.is_error() {
            let help = match &e.ty {
                Type::Row(_)
                | Type::Text
                | Type::Email
                | Type::Date
                | Type::DateTime
                | Type::Int => Some("test whether a value is there with `is present`".to_string()),
                Type::Rows(_) => Some("test for rows with `any …` or `no …`".to_string()),
                _ => None,
            };
            self.mismatch(e, &format!("a condition for {what}"), help);
        }
    }

    /// Types an expression.
    pub(crate) fn expr(&mut self, e: &ast::Expr, sc: &mut Scope) -> Expr {
        stacker::maybe_grow(128 * 1024, 4 * 1024 * 1024, || self.expr_inner(e, sc))
    }

    fn expr_inner(&mut self, e: &ast::Expr, sc: &mut Scope) -> Expr {
        let span = e.span;
        match &e.kind {
            A::Str(s) => mk(ExprKind::Lit(Lit::Text(s.clone())), Type::Text, span),
            A::Int(n) => mk(ExprKind::Lit(Lit::Int(*n)), Type::Int, span),
            A::Bool(b) => mk(ExprKind::Lit(Lit::Bool(*b)), Type::Bool, span),
            A::Date(d) => mk(ExprKind::Lit(Lit::Date(*d)), Type::Date, span),
            A::DateTime(text) => self.datetime_literal(text, span),
            A::Duration(d) => self.duration_literal(d),
            A::Now => mk(ExprKind::Now, Type::DateTime, span),
            A::List(items) => self.list(items, span, sc),
            A::Name(id) => self.name(id, sc),
            A::Field(base, field) => {
                let b = self.expr(base, sc);
                self.field(b, field, span)
            }
            A::Call(f, args) => self.call(f, args, span, sc),
            A::Paren(inner) => {
                let mut x = self.expr(inner, sc);
                x.span = span;
                x
            }
            A::Not(x) => {
                let x = self.expr(x, sc);
                self.expect_bool(&x, "`not`");
                mk(ExprKind::Not(bx(x)), Type::Bool, span)
            }
            A::Neg(x) => {
                let x = self.expr(x, sc);
                let ty = x.ty.clone();
                if !matches!(ty, Type::Int | Type::Days | Type::Duration | Type::Error) {
                    self.mismatch(&x, "a number or a duration", None);
                }
                mk(ExprKind::Neg(bx(x)), ty, span)
            }
            A::Binary(op, l, r) => {
                let l = self.expr(l, sc);
                let r = self.expr(r, sc);
                self.binary(*op, l, r, span)
            }
            A::In {
                value,
                list,
                negated,
                ignore_case,
            } => {
                let v = self.expr(value, sc);
                let l = self.expr(list, sc);
                self.membership(v, l, *negated, *ignore_case, span)
            }
            A::Is { value, present } => {
                let v = self.expr(value, sc);
                if let Type::Rows(_) = v.ty {
                    self.mismatch(
                        &v,
                        "a single value",
                        Some("test for rows with `any …` or `no …`".to_string()),
                    );
                }
                mk(
                    ExprKind::IsPresent {
                        value: bx(v),
                        present: *present,
                    },
                    Type::Bool,
                    span,
                )
            }
            A::If(c, a, b) => {
                let c = self.expr(c, sc);
                self.expect_bool(&c, "`if`");
                let a = self.expr(a, sc);
                let b = self.expr(b, sc);
                let ty = match self.unify(&a.ty, &b.ty) {
                    Some(t) => t,
                    None => {
                        let want = self.describe(&a.ty);
                        self.mismatch(&b, &format!("{want} (like the `then` branch)"), None);
                        Type::Error
                    }
                };
                mk(ExprKind::If(bx(c), bx(a), bx(b)), ty, span)
            }
            A::Quant { q, rows, filter } => self.quantifier(*q, rows, filter.as_deref(), span, sc),
            A::Where(rows, pred) => {
                let rows = self.expr(rows, sc);
                let Type::Rows(t) = rows.ty else {
                    self.mismatch(
                        &rows,
                        "rows to filter",
                        Some(
                            "`where` filters rows, e.g. `case.events where event.name = \"X\"`"
                                .to_string(),
                        ),
                    );
                    return mk(ExprKind::Lit(Lit::Bool(false)), Type::Error, span);
                };
                let name = self.table_names.get(t).cloned().unwrap_or_default();
                let slot = sc.push(&name, Type::Row(t));
                let p = self.expr(pred, sc);
                sc.pop();
                self.expect_bool(&p, "`where`");
                mk(
                    ExprKind::Filter {
                        rows: bx(rows),
                        slot,
                        pred: bx(p),
                    },
                    Type::Rows(t),
                    span,
                )
            }
        }
    }

    fn datetime_literal(&mut self, text: &str, span: Span) -> Expr {
        let parsed = iso8601(FormatKind::DateTime)
            .iter()
            .find_map(|f| f.match_datetime(text.as_bytes(), self.tz));
        match parsed {
            Some(local) => {
                if let Some(shift) = local.shift {
                    self.error(
                        Diagnostic::warning(
                            Code::TypesShiftedDatetime,
                            format!(
                                "`{text}` {}, {}",
                                shift.describe(self.tz),
                                local.instant.rfc3339(self.tz)
                            ),
                        )
                        .with_label(span, "this local time")
                        .with_help(
                            "write the date-time with an offset to say which instant is meant, e.g. `2025-11-02T01:30:00-05:00`",
                        ),
                    );
                }
                mk(
                    ExprKind::Lit(Lit::DateTime(local.instant)),
                    Type::DateTime,
                    span,
                )
            }
            None => {
                self.error(
                    Diagnostic::error(
                        Code::TypesBadDatetime,
                        format!("`{text}` is not a date-time"),
                    )
                    .with_label(span, "not ISO 8601")
                    .with_help("write date-times as `YYYY-MM-DDTHH:mm[:ss][Z|±HH:MM]`"),
                );
                mk(ExprKind::Now, Type::Error, span)
            }
        }
    }

    /// Whether a day count or duration fits the dates docket supports
    /// (years 1 to 9999); a checker error when it does not.
    pub(super) fn in_range(&mut self, d: &DurationLit) -> bool {
        let days = match d.unit {
            DurationUnit::Days => d.amount,
            DurationUnit::Hours => d.amount / 24,
            DurationUnit::Minutes => d.amount / (24 * 60),
        };
        if crate::time::days_in_range(days) {
            return true;
        }
        self.error(
            Diagnostic::error(
                Code::TypesOutOfRange,
                format!(
                    "`{} {}` is longer than any span of the dates docket supports",
                    d.amount,
                    d.unit.word(d.amount)
                ),
            )
            .with_label(d.span, "out of range")
            .with_help(format!(
                "dates run from 0001-01-01 to 9999-12-31: at most {} days, {} hours",
                crate::time::MAX_SPAN_DAYS,
                crate::time::MAX_SPAN_DAYS * 24
            )),
        );
        false
    }

    pub(super) fn duration_literal(&mut self, d: &DurationLit) -> Expr {
        if !self.in_range(d) {
            return mk(ExprKind::Lit(Lit::Days(0)), Type::Error, d.span);
        }
        if d.unit == DurationUnit::Days {
            return mk(ExprKind::Lit(Lit::Days(d.amount)), Type::Days, d.span);
        }
        match duration_ms(d) {
            Some(ms) => mk(ExprKind::Lit(Lit::Duration(ms)), Type::Duration, d.span),
            None => {
                self.error(
                    Diagnostic::error(Code::DurationInvalid, "this duration is too long")
                        .with_label(d.span, "too long to represent"),
                );
                mk(ExprKind::Lit(Lit::Duration(0)), Type::Error, d.span)
            }
        }
    }

    fn list(&mut self, items: &[ast::Expr], span: Span, sc: &mut Scope) -> Expr {
        let mut out = Vec::new();
        let mut elem = Type::Error;
        for it in items {
            let x = self.expr(it, sc);
            if matches!(x.ty, Type::List(_) | Type::Row(_) | Type::Rows(_)) {
                self.mismatch(&x, "a single value in a list", None);
            } else if elem.is_error() {
                elem = x.ty.clone();
            } else if let Some(t) = self.unify(&elem, &x.ty) {
                elem = t;
            } else {
                let want = self.describe(&elem);
                self.mismatch(&x, &format!("{want} like the other items"), None);
            }
            out.push(x);
        }
        mk(ExprKind::List(out), Type::List(Box::new(elem)), span)
    }

    /// The common type of two branches or list items.
    fn unify(&self, a: &Type, b: &Type) -> Option<Type> {
        match (a, b) {
            (Type::Error, t) | (t, Type::Error) => Some(t.clone()),
            (Type::Email, Type::Text) | (Type::Text, Type::Email) => Some(Type::Email),
            (x, y) if x == y => Some(x.clone()),
            (Type::List(x), Type::List(y)) => self.unify(x, y).map(|t| Type::List(Box::new(t))),
            _ => None,
        }
    }

    fn name(&mut self, id: &ast::Ident, sc: &mut Scope) -> Expr {
        if let Some((ty, slot)) = sc.lookup(&id.name) {
            return mk(ExprKind::Var(slot), ty, id.span);
        }
        let help = if let Some(t) = self.table_names.iter().position(|n| *n == id.name) {
            let subject = sc
                .vars
                .first()
                .map(|(n, _, _)| n.clone())
                .unwrap_or_default();
            let via = sc
                .vars
                .first()
                .and_then(|(_, ty, _)| match ty {
                    Type::Row(s) => self.tables.get(*s),
                    _ => None,
                })
                .and_then(|st| {
                    st.columns
                        .iter()
                        .find(|c| c.ty == ColumnType::Ref(t))
                        .map(|c| format!("`{subject}.{}`", c.name))
                        .or_else(|| {
                            st.relations
                                .iter()
                                .find(|r| r.target == t)
                                .map(|r| format!("`{subject}.{}`", r.name))
                        })
                });
            Some(match via {
                Some(path) => format!(
                    "`{}` is a table; reach its rows from the rule's row, e.g. {path}",
                    id.name
                ),
                None => format!(
                    "`{}` is a table; reach its rows through a `ref` column or a relation",
                    id.name
                ),
            })
        } else if id.name == "pass" {
            Some("`pass` only leads a message's condition: `message \"…\" if pass` (or `if pass and …`) says why a rule holds".to_string())
        } else {
            let mut candidates: Vec<String> = sc.names().map(str::to_string).collect();
            candidates.push("now".to_string());
            did_you_mean(&id.name, candidates.iter().map(String::as_str))
        };
        self.error(
            Diagnostic::error(
                Code::NamesUnknownName,
                format!("unknown name `{}`", id.name),
            )
            .with_label(id.span, "not defined here")
            .with_help_opt(help.or_else(|| {
                let names: Vec<String> = sc.names().map(|n| format!("`{n}`")).collect();
                (!names.is_empty()).then(|| format!("names in scope: {}", names.join(", ")))
            })),
        );
        mk(ExprKind::Now, Type::Error, id.span)
    }

    fn field(&mut self, base: Expr, field: &ast::Ident, span: Span) -> Expr {
        match base.ty.clone() {
            Type::Error => mk(ExprKind::Now, Type::Error, span),
            Type::Row(t) => {
                let Some(table) = self.tables.get(t) else {
                    return mk(ExprKind::Now, Type::Error, span);
                };
                if let Some(ci) = table.columns.iter().position(|c| c.name == field.name) {
                    let ty = column_type(table.columns.get(ci).map(|c| c.ty));
                    return mk(
                        ExprKind::Column {
                            base: bx(base),
                            column: ColumnRef {
                                table: t,
                                column: ci,
                            },
                        },
                        ty,
                        span,
                    );
                }
                if let Some(ri) = table.relations.iter().position(|r| r.name == field.name) {
                    let target = table.relations.get(ri).map_or(t, |r| r.target);
                    return mk(
                        ExprKind::Relation {
                            base: bx(base),
                            table: t,
                            relation: ri,
                        },
                        Type::Rows(target),
                        span,
                    );
                }
                if let Some(&di) = self.define_index.get(&(t, field.name.clone())) {
                    let ty = self.define_type(di);
                    return mk(
                        ExprKind::Define {
                            base: bx(base),
                            define: di,
                        },
                        ty,
                        span,
                    );
                }
                self.unknown_field(t, field);
                mk(ExprKind::Now, Type::Error, span)
            }
            Type::Rows(t) => {
                let Some(table) = self.tables.get(t) else {
                    return mk(ExprKind::Now, Type::Error, span);
                };
                match table.columns.iter().position(|c| c.name == field.name) {
                    Some(ci) => match table.columns.get(ci).map(|c| c.ty) {
                        Some(ColumnType::Scalar(s)) => mk(
                            ExprKind::Project {
                                rows: bx(base),
                                column: ColumnRef {
                                    table: t,
                                    column: ci,
                                },
                            },
                            Type::List(Box::new(Type::scalar(s))),
                            span,
                        ),
                        _ => {
                            self.error(
                                Diagnostic::error(
                                    Code::TypesMismatch,
                                    format!("cannot list `{}` of several rows", field.name),
                                )
                                .with_label(field.span, "a list or reference column")
                                .with_help("pick one row first, e.g. with `first …`"),
                            );
                            mk(ExprKind::Now, Type::Error, span)
                        }
                    },
                    None => {
                        let single = table.relations.iter().any(|r| r.name == field.name)
                            || self.define_index.contains_key(&(t, field.name.clone()));
                        if single {
                            self.error(
                                Diagnostic::error(
                                    Code::TypesMismatch,
                                    format!("`{}` belongs to one row, and these are several rows", field.name),
                                )
                                .with_label(base.span, "several rows")
                                .with_help("pick one row first, e.g. with `first …`, or test them with `any … where …`"),
                            );
                        } else {
                            self.unknown_field(t, field);
                        }
                        mk(ExprKind::Now, Type::Error, span)
                    }
                }
            }
            other => {
                let what = self.describe(&other);
                self.error(
                    Diagnostic::error(Code::TypesNoFields, format!("{what} has no fields"))
                        .with_label(base.span, format!("this is {what}"))
                        .with_label(field.span, "so it has no field here"),
                );
                mk(ExprKind::Now, Type::Error, span)
            }
        }
    }

    fn unknown_field(&mut self, t: TableId, field: &ast::Ident) {
        let Some(table) = self.tables.get(t) else {
            return;
        };
        let mut names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        names.extend(table.relations.iter().map(|r| r.name.clone()));
        names.extend(
            self.define_index
                .keys()
                .filter(|(tt, _)| *tt == t)
                .map(|(_, n)| n.clone()),
        );
        // A CSV header written where a column name belongs.
        let by_header = table
            .columns
            .iter()
            .find(|c| {
                c.header.eq_ignore_ascii_case(&field.name)
                    || c.header.replace(' ', "_").eq_ignore_ascii_case(&field.name)
            })
            .map(|c| {
                format!(
                    "the column read from \"{}\" is called `{}`",
                    c.header, c.name
                )
            });
        let help =
            by_header.or_else(|| did_you_mean(&field.name, names.iter().map(String::as_str)));
        let tname = table.name.clone();
        self.error(
            Diagnostic::error(
                Code::NamesUnknownField,
                format!("`{tname}` has no field `{}`", field.name),
            )
            .with_label(
                field.span,
                format!("not a column, relation or definition of `{tname}`"),
            )
            .with_help_opt(help),
        );
    }

    fn call(&mut self, f: &ast::Ident, args: &[ast::Expr], span: Span, sc: &mut Scope) -> Expr {
        let args: Vec<Expr> = args.iter().map(|a| self.expr(a, sc)).collect();
        let Some(func) = Func::ALL
            .iter()
            .find(|(n, _)| *n == f.name)
            .map(|(_, f)| *f)
        else {
            let help = did_you_mean(&f.name, Func::ALL.iter().map(|(n, _)| *n)).or_else(|| {
                Some(format!(
                    "the functions are {}",
                    Func::ALL
                        .iter()
                        .map(|(n, _)| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
            self.error(
                Diagnostic::error(
                    Code::NamesUnknownFunction,
                    format!("unknown function `{}`", f.name),
                )
                .with_label(f.span, "no such function")
                .with_help_opt(help),
            );
            return mk(ExprKind::Now, Type::Error, span);
        };
        if args.len() != 1 {
            self.error(
                Diagnostic::error(
                    Code::TypesArity,
                    format!("`{}` takes one argument, not {}", f.name, args.len()),
                )
                .with_label(span, "wrong number of arguments"),
            );
            return mk(ExprKind::Now, Type::Error, span);
        }
        let arg_ty = args.first().map(|a| a.ty.clone()).unwrap_or(Type::Error);
        let ty = match (func, &arg_ty) {
            (_, Type::Error) => Type::Error,
            (Func::LocalDate, Type::DateTime) => Type::Date,
            (Func::Lower | Func::Upper, Type::Text) => Type::Text,
            (Func::Lower | Func::Upper, Type::Email) => Type::Email,
            (Func::Len, Type::List(_) | Type::Rows(_)) => Type::Int,
            _ => {
                let want = match func {
                    Func::LocalDate => "a date-time",
                    Func::Lower | Func::Upper => "text",
                    Func::Len => "a list or rows",
                };
                if let Some(a) = args.first() {
                    let help = (func == Func::LocalDate && a.ty == Type::Date)
                        .then(|| "this is already a date".to_string());
                    self.mismatch(a, &format!("{want} for `{}`", f.name), help);
                }
                Type::Error
            }
        };
        mk(ExprKind::Call(func, args), ty, span)
    }

    fn binary(&mut self, op: BinOp, l: Expr, r: Expr, span: Span) -> Expr {
        if l.ty.is_error() || r.ty.is_error() {
            let ty = match op {
                BinOp::Add | BinOp::Sub => Type::Error,
                _ => Type::Bool,
            };
            return mk(ExprKind::Lit(Lit::Bool(false)), ty, span);
        }
        match op {
            BinOp::And | BinOp::Or => {
                self.expect_bool(&l, &format!("`{}`", op.symbol()));
                self.expect_bool(&r, &format!("`{}`", op.symbol()));
                let kind = if op == BinOp::And {
                    ExprKind::And(bx(l), bx(r))
                } else {
                    ExprKind::Or(bx(l), bx(r))
                };
                mk(kind, Type::Bool, span)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.compare(op, l, r, span)
            }
            BinOp::StartsWith | BinOp::EndsWith | BinOp::Contains => {
                for side in [&l, &r] {
                    if !side.ty.is_textual() {
                        let help = matches!(side.ty, Type::List(_))
                            .then(|| "test list membership with `in`".to_string());
                        self.mismatch(side, &format!("text for `{}`", op.symbol()), help);
                    }
                }
                let top = match op {
                    BinOp::StartsWith => TextOp::StartsWith,
                    BinOp::EndsWith => TextOp::EndsWith,
                    _ => TextOp::Contains,
                };
                mk(ExprKind::Text(top, bx(l), bx(r)), Type::Bool, span)
            }
            BinOp::Add | BinOp::Sub => self.arith(op, l, r, span),
        }
    }

    fn compare(&mut self, op: BinOp, l: Expr, r: Expr, span: Span) -> Expr {
        let cop = match op {
            BinOp::Eq => CmpOp::Eq,
            BinOp::Ne => CmpOp::Ne,
            BinOp::Lt => CmpOp::Lt,
            BinOp::Le => CmpOp::Le,
            BinOp::Gt => CmpOp::Gt,
            _ => CmpOp::Ge,
        };
        let ordering = !matches!(cop, CmpOp::Eq | CmpOp::Ne);
        let same = self.unify(&l.ty, &r.ty).is_some();
        let ok = same
            && match &l.ty {
                Type::List(_) | Type::Rows(_) | Type::Row(_) => false,
                t if ordering => t.is_ordered(),
                _ => true,
            };
        if !ok {
            let (lt, rt) = (self.describe(&l.ty), self.describe(&r.ty));
            let help = match (&l.ty, &r.ty) {
                (Type::Date, Type::DateTime) | (Type::DateTime, Type::Date) => {
                    Some("a date and a date-time are different things; compare `local_date(…)` of the date-time with the date".to_string())
                }
                (Type::Days, Type::Int) | (Type::Int, Type::Days) | (Type::Duration, Type::Int) | (Type::Int, Type::Duration) => {
                    Some("give the number a unit, e.g. `90 days` or `24 hours`".to_string())
                }
                (Type::Row(_), _) | (_, Type::Row(_)) => Some("compare a field of the row, e.g. `x.at`, or test `x is present`".to_string()),
                (Type::List(_), _) | (_, Type::List(_)) => Some("test membership with `in`".to_string()),
                (Type::Rows(_), _) | (_, Type::Rows(_)) => Some("count rows with `count …`, or test them with `any …`".to_string()),
                (Type::Text, Type::Text) if ordering => Some("text can be compared with `=` and `!=` only".to_string()),
                (Type::Bool, Type::Bool) if ordering => Some("conditions can be compared with `=` and `!=` only".to_string()),
                _ => None,
            };
            self.error(
                Diagnostic::error(
                    Code::TypesMismatch,
                    format!("cannot compare {lt} with {rt} using `{}`", op.symbol()),
                )
                .with_label(l.span, lt)
                .with_label(r.span, rt)
                .with_help_opt(help),
            );
            return mk(ExprKind::Lit(Lit::Bool(false)), Type::Bool, span);
        }
        self.check_known_values(&l, &r);
        self.check_known_values(&r, &l);
        mk(ExprKind::Compare(cop, bx(l), bx(r)), Type::Bool, span)
    }

    /// Text literals compared with a `one of` column must be among its values.
    fn check_known_values(&mut self, column_side: &Expr, literal_side: &Expr) {
        let col = match &column_side.kind {
            ExprKind::Column { column, .. } | ExprKind::Project { column, .. } => *column,
            _ => return,
        };
        let Some(values) = self
            .tables
            .get(col.table)
            .and_then(|t| t.columns.get(col.column))
            .and_then(|c| c.one_of.clone())
        else {
            return;
        };
        let mut literals: Vec<(&str, Span)> = Vec::new();
        match &literal_side.kind {
            ExprKind::Lit(Lit::Text(s)) => literals.push((s, literal_side.span)),
            ExprKind::List(items) => {
                for it in items {
                    if let ExprKind::Lit(Lit::Text(s)) = &it.kind {
                        literals.push((s, it.span));
                    }
                }
            }
            _ => return,
        }
        let path = {
            let t = self.tables.get(col.table);
            format!(
                "{}.{}",
                t.map(|t| t.name.as_str()).unwrap_or("?"),
                t.and_then(|t| t.columns.get(col.column))
                    .map(|c| c.name.as_str())
                    .unwrap_or("?")
            )
        };
        let decl = self
            .tables
            .get(col.table)
            .and_then(|t| t.columns.get(col.column))
            .and_then(|c| c.one_of_span.or(Some(c.span)));
        for (s, sp) in literals {
            if values.iter().any(|v| v == s) {
                continue;
            }
            let close = crate::diagnostic::suggest(s, values.iter().map(String::as_str));
            let help = close
                .first()
                .map(|c| format!("did you mean \"{c}\"?"))
                .unwrap_or_else(|| {
                    format!(
                        "the values of `{path}` are {}",
                        values
                            .iter()
                            .map(|v| format!("\"{v}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            let mut d = Diagnostic::error(
                Code::NamesUnknownValue,
                format!("\"{s}\" is not one of the values declared for `{path}`"),
            )
            .with_label(sp, "unknown value")
            .with_help(help);
            if let Some(decl) = decl {
                d = d.with_label(decl, "values declared here");
            }
            self.error(d);
        }
    }

    /// Checks `value in list` for an allowlist and returns the checked form.
    pub(super) fn membership_checked(&mut self, v: Expr, l: Expr, ignore_case: bool) -> ExprKind {
        let span = v.span.to(l.span);
        self.membership(v, l, false, ignore_case, span).kind
    }

    fn membership(
        &mut self,
        v: Expr,
        l: Expr,
        negated: bool,
        ignore_case: bool,
        span: Span,
    ) -> Expr {
        if !v.ty.is_error() && !l.ty.is_error() {
            match &l.ty {
                Type::List(elem)
                    if self.unify(elem, &v.ty).is_some()
                        && !matches!(v.ty, Type::Row(_) | Type::Rows(_) | Type::List(_)) =>
                {
                    if ignore_case && !v.ty.is_textual() {
                        self.mismatch(&v, "text for `ignoring case`", None);
                    }
                    self.check_known_values(&v, &l);
                }
                Type::List(elem) => {
                    let want = self.describe(elem);
                    self.mismatch(&v, &format!("{want} (like the list's items)"), None);
                }
                _ => {
                    let help = matches!(l.ty, Type::Rows(_))
                        .then(|| "test rows with `any … where …`".to_string())
                        .or_else(|| {
                            l.ty.is_textual()
                                .then(|| "test text with `contains`".to_string())
                        });
                    self.mismatch(&l, "a list after `in`", help);
                }
            }
        }
        mk(
            ExprKind::In {
                value: bx(v),
                list: bx(l),
                negated,
                ignore_case,
            },
            Type::Bool,
            span,
        )
    }

    fn arith(&mut self, op: BinOp, l: Expr, r: Expr, span: Span) -> Expr {
        use Type as T;
        let add = op == BinOp::Add;
        let ty = match (&l.ty, &r.ty) {
            (T::Date, T::Days) => Some(T::Date),
            (T::Days, T::Date) if add => Some(T::Date),
            (T::Date, T::Date) if !add => Some(T::Days),
            (T::DateTime, T::Duration) => Some(T::DateTime),
            (T::Duration, T::DateTime) if add => Some(T::DateTime),
            (T::DateTime, T::DateTime) if !add => Some(T::Duration),
            (T::Int, T::Int) => Some(T::Int),
            (T::Days, T::Days) => Some(T::Days),
            (T::Duration, T::Duration) => Some(T::Duration),
            _ => None,
        };
        let Some(ty) = ty else {
            let help = match (&l.ty, &r.ty) {
                (T::Date, T::Duration) | (T::Duration, T::Date) => {
                    Some("hours and minutes cannot be added to a date: use days (`2 days`), or work with date-times".to_string())
                }
                (T::DateTime, T::Days) | (T::Days, T::DateTime) => Some(
                    "days cannot be added to a date-time: use hours (`48 hours`), or take `local_date(…)` first".to_string(),
                ),
                (T::Date | T::Days | T::DateTime | T::Duration, T::Int) | (T::Int, T::Date | T::Days | T::DateTime | T::Duration) => {
                    Some("give the number a unit, e.g. `90 days` or `24 hours`".to_string())
                }
                (T::Date, T::DateTime) | (T::DateTime, T::Date) => {
                    Some("a date and a date-time are different things; use `local_date(…)` on the date-time".to_string())
                }
                _ => None,
            };
            let (lt, rt) = (self.describe(&l.ty), self.describe(&r.ty));
            self.error(
                Diagnostic::error(
                    Code::TypesMismatch,
                    format!(
                        "cannot {} {rt} {} {lt}",
                        if add { "add" } else { "subtract" },
                        if add { "to" } else { "from" }
                    ),
                )
                .with_label(l.span, lt)
                .with_label(r.span, rt)
                .with_help_opt(help),
            );
            return mk(ExprKind::Lit(Lit::Bool(false)), T::Error, span);
        };
        let aop = if add { ArithOp::Add } else { ArithOp::Sub };
        mk(ExprKind::Arith(aop, bx(l), bx(r)), ty, span)
    }

    fn quantifier(
        &mut self,
        q: Quantifier,
        rows: &ast::Expr,
        filter: Option<&ast::Expr>,
        span: Span,
        sc: &mut Scope,
    ) -> Expr {
        let rows = self.expr(rows, sc);
        let t = match rows.ty {
            Type::Rows(t) => Some(t),
            Type::Error => None,
            _ => {
                let help = match rows.ty {
                    Type::List(_) => {
                        Some("use `len(…)` for the number of items in a list".to_string())
                    }
                    Type::Row(_) => Some("this is one row; test it with `is present`".to_string()),
                    _ => None,
                };
                self.mismatch(&rows, &format!("rows after `{}`", q.keyword()), help);
                None
            }
        };
        let ty = match (q, t) {
            (_, None) => Type::Error,
            (Quantifier::Any | Quantifier::No, _) => Type::Bool,
            (Quantifier::Count, _) => Type::Int,
            (Quantifier::First | Quantifier::Last, Some(t)) => Type::Row(t),
        };
        let elem_name = t
            .and_then(|t| self.table_names.get(t).cloned())
            .unwrap_or_default();
        let slot = sc.push(&elem_name, t.map_or(Type::Error, Type::Row));
        let f = filter.map(|f| self.expr(f, sc));
        sc.pop();
        if let Some(f) = &f {
            self.expect_bool(f, "`where`");
        }
        mk(
            ExprKind::Quant {
                q,
                rows: bx(rows),
                slot,
                filter: f.map(bx),
            },
            ty,
            span,
        )
    }
}

/// The expression type of a column.
pub(crate) fn column_type(ty: Option<ColumnType>) -> Type {
    match ty {
        Some(ColumnType::Scalar(s)) => Type::scalar(s),
        Some(ColumnType::List(s)) => Type::List(Box::new(Type::scalar(s))),
        Some(ColumnType::Ref(t)) => Type::Row(t),
        None => Type::Error,
    }
}
