//! Evaluating typed expressions over one case.

use std::cmp::Ordering;

use rustc_hash::FxHashMap;

use super::Evaluator;
use super::value::*;
use crate::data::{Cell, NO_ROW};
use crate::semantics::{ArithOp, CmpOp, ColumnRef, ColumnType, Expr, ExprKind, Func, Lit, TextOp};
use crate::syntax::ast::{Quantifier, ScalarType};

/// A variable slot: not yet computed (a `let`), or its value.
#[derive(Debug, Clone)]
pub(crate) enum Slot<'a> {
    Unset,
    Set(Value<'a>),
}

/// The slots of one evaluation (a rule, a definition, a relation filter).
pub(crate) struct Env<'a, 'p> {
    pub(crate) slots: Vec<Slot<'a>>,
    /// For `let` slots: the expression that computes them.
    pub(crate) lets: &'p [Option<&'a Expr>],
    /// For `let` slots: the plan's compiled expression, when there is one.
    pub(crate) compiled: &'p [Option<super::plan::Node<'a>>],
}

impl<'a> Env<'a, '_> {
    pub(crate) fn set(&mut self, slot: usize, v: Value<'a>) {
        if let Some(s) = self.slots.get_mut(slot) {
            *s = Slot::Set(v);
        }
    }
}

/// What one case's evaluation remembers across rules.
#[derive(Default)]
pub(crate) struct Memo<'a> {
    defines: FxHashMap<(usize, u32), Value<'a>>,
    relations: FxHashMap<(usize, u32, usize), RowSet<'a>>,
}

impl Memo<'_> {
    fn clear(&mut self) {
        self.defines.clear();
        self.relations.clear();
    }
}

/// What one case's evaluation leaves for the next: its memo tables and
/// slot buffers, emptied, their memory kept.
#[derive(Default)]
pub(crate) struct Spare<'a> {
    memo: Memo<'a>,
    slots: Vec<Slot<'a>>,
    define_slots: Vec<Slot<'a>>,
}

impl<'a> Spare<'a> {
    /// Gives a case's evaluation the spare tables and buffers.
    pub(crate) fn lend(&mut self, ce: &mut CaseEval<'_, 'a>) {
        ce.memo = std::mem::take(&mut self.memo);
        ce.spare_slots = std::mem::take(&mut self.slots);
        ce.spare_define_slots = std::mem::take(&mut self.define_slots);
    }

    /// Takes them back from a finished evaluation, emptied.
    pub(crate) fn take_back(&mut self, ce: CaseEval<'_, 'a>) {
        self.memo = ce.memo;
        self.memo.clear();
        self.slots = ce.spare_slots;
        self.slots.clear();
        self.define_slots = ce.spare_define_slots;
        self.define_slots.clear();
    }
}

/// Evaluates expressions for one case.
pub(crate) struct CaseEval<'e, 'a> {
    pub(crate) ev: &'e Evaluator<'a>,
    pub(crate) memo: Memo<'a>,
    /// Nesting of `eval` calls.
    pub(crate) depth: u32,
    /// Rows with data errors the case reads.
    pub(crate) data_errors: Option<std::sync::Arc<[super::Touch]>>,
    /// Ladders: which missed marks to list (`None`: the first ones, and
    /// the due items).
    pub(crate) window: Option<super::Window>,
    /// Whether findings get their messages now.
    pub(crate) messages: bool,
    /// A rule's slots, kept for the next rule of the case.
    pub(crate) spare_slots: Vec<Slot<'a>>,
    /// A definition's slots, kept for the next definition of the case.
    pub(crate) spare_define_slots: Vec<Slot<'a>>,
    /// The case's key, made once for all its findings.
    pub(crate) key: Option<std::sync::Arc<str>>,
}

pub(crate) fn lit<'a>(l: &'a Lit) -> Value<'a> {
    match l {
        Lit::Text(s) => Value::Text(Txt::Borrowed(s)),
        Lit::Int(n) => Value::Int(*n),
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Date(d) => Value::Date(crate::data::date_to_days(*d)),
        Lit::DateTime(i) => Value::DateTime(i.0),
        Lit::Days(n) => Value::Days(*n),
        Lit::Duration(n) => Value::Duration(*n),
    }
}

impl<'a> CaseEval<'_, 'a> {
    /// The key of the case's row, shared by its findings.
    pub(crate) fn key(&mut self, table: usize, row: u32) -> std::sync::Arc<str> {
        let ev = self.ev;
        self.key
            .get_or_insert_with(|| ev.key_of(table, row).into())
            .clone()
    }

    /// Evaluates `e`; `Err` when a value it needs could not be read.
    #[inline]
    pub(crate) fn eval(&mut self, e: &'a Expr, env: &mut Env<'a, '_>) -> Value<'a> {
        // Deep expressions may need more stack than the thread has; asking
        // how much is left costs more than most nodes, so only every few levels.
        self.depth = self.depth.wrapping_add(1);
        let v = if self.depth % 8 == 0 {
            stacker::maybe_grow(256 * 1024, 2 * 1024 * 1024, || self.eval_inner(e, env))
        } else {
            self.eval_inner(e, env)
        };
        self.depth = self.depth.wrapping_sub(1);
        v
    }

    // Flat match over every expression kind, one short arm each: kept whole
    // so the evaluator's dispatch reads as the language's definition.
    fn eval_inner(&mut self, e: &'a Expr, env: &mut Env<'a, '_>) -> Value<'a> {
        match &e.kind {
            ExprKind::Lit(l) => lit(l),
            ExprKind::Now => Value::DateTime(self.ev.now),
            ExprKind::Var(slot) => self.var(*slot, env),
            ExprKind::Column { base, column } => {
                // The usual shape, `var.column`: read the row where it is.
                if let ExprKind::Var(slot) = &base.kind
                    && let Some(Slot::Set(Value::Row(_, r))) = env.slots.get(*slot)
                {
                    return self.cell(*column, *r);
                }
                let b = self.eval(base, env);
                match b {
                    Value::Row(_, r) => self.cell(*column, r),
                    _ => Value::Missing,
                }
            }
            ExprKind::Define { base, define } => match self.eval(base, env) {
                Value::Row(_, r) => self.define(*define, r),
                _ => Value::Missing,
            },
            ExprKind::Relation {
                base,
                table,
                relation,
            } => match self.eval(base, env) {
                Value::Row(_, r) => {
                    let target = self
                        .ev
                        .policy
                        .tables
                        .get(*table)
                        .and_then(|t| t.relations.get(*relation))
                        .map_or(*table, |rel| rel.target);
                    Value::Rows(target, self.relation(*table, r, *relation))
                }
                _ => Value::Missing,
            },
            ExprKind::Project { rows, column } => match self.eval(rows, env) {
                Value::Rows(_, set) => {
                    let mut out = Vec::with_capacity(set.rows().len());
                    for &r in set.rows() {
                        let v = self.cell(*column, r);
                        if !v.is_missing() {
                            out.push(v);
                        }
                    }
                    Value::List(out.into())
                }
                _ => Value::Missing,
            },
            ExprKind::Not(x) => match self.eval(x, env).truth() {
                Some(b) => Value::Bool(!b),
                None => Value::Missing,
            },
            ExprKind::Neg(x) => match self.eval(x, env) {
                Value::Int(n) => n.checked_neg().map_or(Value::Missing, Value::Int),
                Value::Days(n) => n.checked_neg().map_or(Value::Missing, Value::Days),
                Value::Duration(n) => n.checked_neg().map_or(Value::Missing, Value::Duration),
                _ => Value::Missing,
            },
            ExprKind::And(a, b) => {
                let x = self.eval(a, env).truth();
                if x == Some(false) {
                    return Value::Bool(false);
                }
                and(x, self.eval(b, env).truth())
            }
            ExprKind::Or(a, b) => {
                let x = self.eval(a, env).truth();
                if x == Some(true) {
                    return Value::Bool(true);
                }
                or(x, self.eval(b, env).truth())
            }
            ExprKind::Compare(op @ (CmpOp::Eq | CmpOp::Ne), a, b)
                if let Some(same) = self.text_is(a, b, env) =>
            {
                Value::Bool(same == (*op == CmpOp::Eq))
            }
            ExprKind::Compare(op, a, b) => {
                let x = self.eval(a, env);
                let y = self.eval(b, env);
                compare(*op, &x, &y)
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.eval(a, env);
                let y = self.eval(b, env);
                arith(*op, &x, &y)
            }
            ExprKind::Text(op, a, b) => {
                let x = self.eval(a, env);
                let y = self.eval(b, env);
                match (&x, &y) {
                    (Value::Text(_) | Value::Email(_), Value::Text(_) | Value::Email(_)) => {
                        let fold = matches!(x, Value::Email(_)) || matches!(y, Value::Email(_));
                        let (h, n) = (x.text().unwrap_or(""), y.text().unwrap_or(""));
                        let (h, n) = if fold {
                            (h.to_lowercase(), n.to_lowercase())
                        } else {
                            (h.to_string(), n.to_string())
                        };
                        Value::Bool(match op {
                            TextOp::StartsWith => h.starts_with(&n),
                            TextOp::EndsWith => h.ends_with(&n),
                            TextOp::Contains => h.contains(&n),
                        })
                    }
                    _ => Value::Missing,
                }
            }
            ExprKind::In {
                value,
                list,
                negated,
                ignore_case,
            } => {
                let v = self.eval(value, env);
                if v.is_missing() {
                    return Value::Missing;
                }
                let found = match &list.kind {
                    // A literal list: no need to build it.
                    ExprKind::List(items) => {
                        let mut found = Some(false);
                        for it in items {
                            let x = self.eval(it, env);
                            if x.is_missing() {
                                found = found.and(None);
                            } else if equal(&v, &x, *ignore_case) {
                                found = Some(true);
                                break;
                            }
                        }
                        found
                    }
                    _ => match self.eval(list, env) {
                        Value::List(items) => {
                            Some(items.iter().any(|x| equal(&v, x, *ignore_case)))
                        }
                        _ => None,
                    },
                };
                match found {
                    Some(f) => Value::Bool(f != *negated),
                    None => Value::Missing,
                }
            }
            ExprKind::IsPresent { value, present } => {
                let is = self.presence(value, env);
                Value::Bool(is == *present)
            }
            ExprKind::If(c, a, b) => match self.eval(c, env).truth() {
                Some(true) => self.eval(a, env),
                Some(false) => self.eval(b, env),
                None => Value::Missing,
            },
            ExprKind::Quant {
                q,
                rows,
                slot,
                filter,
            } => {
                let Value::Rows(t, set) = self.eval(rows, env) else {
                    return no_rows(*q);
                };
                let (slot, filter) = (*slot, filter.as_deref());
                self.quantify(*q, (t, &set), env, &mut |s, r, env| match filter {
                    None => true,
                    Some(f) => {
                        env.set(slot, Value::Row(t, r));
                        s.eval(f, env).truth() == Some(true)
                    }
                })
            }
            ExprKind::Filter { rows, slot, pred } => match self.eval(rows, env) {
                Value::Rows(t, set) => {
                    let mut kept = Vec::new();
                    for &r in set.rows() {
                        env.set(*slot, Value::Row(t, r));
                        if self.eval(pred, env).truth() == Some(true) {
                            kept.push(r);
                        }
                    }
                    Value::Rows(t, RowSet::Owned(kept.into()))
                }
                _ => Value::Missing,
            },
            ExprKind::Call(f, args) => {
                let Some(a) = args.first() else {
                    return Value::Missing;
                };
                let v = self.eval(a, env);
                self.call(*f, v)
            }
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    let v = self.eval(it, env);
                    if !v.is_missing() {
                        out.push(v);
                    }
                }
                Value::List(out.into())
            }
        }
    }

    /// `var.column = "text"` (either way round) where the cell holds text:
    /// whether it is that text, compared where it lies. `None` for any other
    /// shape or cell, which the general comparison then handles.
    fn text_is(&self, a: &'a Expr, b: &'a Expr, env: &Env<'a, '_>) -> Option<bool> {
        let (col, lit) = match (&a.kind, &b.kind) {
            (ExprKind::Column { base, column }, ExprKind::Lit(Lit::Text(t)))
            | (ExprKind::Lit(Lit::Text(t)), ExprKind::Column { base, column }) => {
                ((base, column), t)
            }
            _ => return None,
        };
        let ExprKind::Var(slot) = &col.0.kind else {
            return None;
        };
        let Some(Slot::Set(Value::Row(_, r))) = env.slots.get(*slot) else {
            return None;
        };
        match self.ev.data.cell(*col.1, *r as usize) {
            Cell::Text(s) => Some(s == lit.as_str()),
            _ => None,
        }
    }

    pub(super) fn var(&mut self, slot: usize, env: &mut Env<'a, '_>) -> Value<'a> {
        match env.slots.get(slot) {
            Some(Slot::Set(v)) => v.clone(),
            _ => {
                let compiled = env.compiled;
                let v = match (compiled.get(slot), env.lets.get(slot).copied().flatten()) {
                    (Some(Some(node)), _) => node(self, env),
                    (_, Some(e)) => self.eval(e, env),
                    _ => return Value::Missing,
                };
                env.set(slot, v.clone());
                v
            }
        }
    }

    /// A cell as a value. An unreadable cell (a data error was reported)
    /// reads as a missing one.
    pub(crate) fn cell(&self, c: ColumnRef, row: u32) -> Value<'a> {
        let data = self.ev.data;
        let cell = data.cell(c, row as usize);
        let ty = self.ev.policy.column(c).map(|col| col.ty);
        match cell {
            Cell::Missing | Cell::Invalid => match ty {
                // "Is true" means present and true.
                Some(ColumnType::Scalar(ScalarType::Bool)) => Value::Bool(false),
                _ => Value::Missing,
            },
            Cell::Bool(b) => Value::Bool(b),
            Cell::Int(n) => Value::Int(n),
            Cell::Text(s) => Value::Text(Txt::Borrowed(s)),
            Cell::Email(s) => Value::Email(Txt::Borrowed(s)),
            Cell::Date(d) => Value::Date(d),
            Cell::DateTime(t) => Value::DateTime(t),
            Cell::Days(n) => Value::Days(n),
            Cell::Duration(n) => Value::Duration(n),
            Cell::List => {
                let items: Vec<Value<'a>> = data
                    .list_items(c, row as usize)
                    .into_iter()
                    .filter_map(|x| match x {
                        Cell::Text(s) => Some(match ty {
                            Some(ColumnType::List(ScalarType::Email)) => {
                                Value::Email(Txt::Borrowed(s))
                            }
                            _ => Value::Text(Txt::Borrowed(s)),
                        }),
                        Cell::Int(n) => Some(Value::Int(n)),
                        Cell::Date(d) => Some(Value::Date(d)),
                        Cell::DateTime(t) => Some(Value::DateTime(t)),
                        Cell::Days(n) => Some(Value::Days(n)),
                        Cell::Duration(n) => Some(Value::Duration(n)),
                        _ => None,
                    })
                    .collect();
                Value::List(items.into())
            }
            Cell::Ref(r) => match ty {
                Some(ColumnType::Ref(t)) => Value::Row(t, r),
                _ => Value::Missing,
            },
            Cell::BrokenRef(_) => Value::Missing,
        }
    }

    /// Whether a value is there (an unreadable cell is not).
    pub(crate) fn presence(&mut self, e: &'a Expr, env: &mut Env<'a, '_>) -> bool {
        if let ExprKind::Column { base, column } = &e.kind {
            return match self.eval(base, env) {
                Value::Row(_, r) => !matches!(
                    self.ev.data.cell(*column, r as usize),
                    Cell::Missing | Cell::Invalid
                ),
                _ => false,
            };
        }
        match self.eval(e, env) {
            Value::Missing => false,
            Value::List(l) => !l.is_empty(),
            _ => true,
        }
    }

    pub(super) fn define(&mut self, d: usize, row: u32) -> Value<'a> {
        if let Some(v) = self.memo.defines.get(&(d, row)) {
            return v.clone();
        }
        let Some(def) = self.ev.policy.defines.get(d) else {
            return Value::Missing;
        };
        // A definition's slots, kept for the case's next one (a nested
        // definition finds none and makes its own).
        let mut slots = std::mem::take(&mut self.spare_define_slots);
        slots.clear();
        slots.resize(def.slots.max(1), Slot::Unset);
        let mut env = Env {
            slots,
            lets: &[],
            compiled: &[],
        };
        env.set(0, Value::Row(def.table, row));
        let v = match self.ev.plan.as_ref().and_then(|p| p.defines.get(d)) {
            Some(body) => body(self, &mut env),
            None => self.eval(&def.body, &mut env),
        };
        self.spare_define_slots = env.slots;
        self.memo.defines.insert((d, row), v.clone());
        v
    }

    /// The related rows of a row, after the relation's filter.
    pub(crate) fn relation(&mut self, table: usize, row: u32, rel: usize) -> RowSet<'a> {
        if let Some(s) = self.memo.relations.get(&(table, row, rel)) {
            return s.clone();
        }
        let data = self.ev.data;
        let Some(index) = data.table(table).and_then(|t| t.relations.get(rel)) else {
            return RowSet::Slice(&[]);
        };
        let all: &'a [u32] = index.of(row as usize);
        let Some(decl) = self
            .ev
            .policy
            .tables
            .get(table)
            .and_then(|t| t.relations.get(rel))
        else {
            return RowSet::Slice(all);
        };
        let set = match (
            &decl.filter,
            self.ev
                .cuts
                .get(table)
                .and_then(|c| c.get(rel))
                .copied()
                .flatten(),
        ) {
            (None, _) => RowSet::Slice(all),
            // `where x.at <= now` over rows ordered by `at`: a binary search.
            (Some(_), Some(cut)) => {
                let keys = |r: &u32| match data.cell(cut.column, *r as usize) {
                    Cell::DateTime(t) => Some(t),
                    _ => None,
                };
                let first = all.partition_point(|r| keys(r).is_none());
                let end = all.partition_point(|r| {
                    keys(r).is_none_or(|t| {
                        if cut.inclusive {
                            t <= self.ev.now
                        } else {
                            t < self.ev.now
                        }
                    })
                });
                RowSet::Slice(all.get(first..end.max(first)).unwrap_or(&[]))
            }
            (Some(f), None) => {
                let mut env = Env {
                    slots: vec![Slot::Unset; decl.slots.max(1)],
                    lets: &[],
                    compiled: &[],
                };
                let mut kept = Vec::new();
                for &r in all {
                    env.set(0, Value::Row(decl.target, r));
                    if self.eval(f, &mut env).truth() == Some(true) {
                        kept.push(r);
                    }
                }
                RowSet::Owned(kept.into())
            }
        };
        self.memo.relations.insert((table, row, rel), set.clone());
        set
    }

    /// A quantifier over the rows `set` of table `t`: those `keep` keeps
    /// (it binds the row and tests the filter).
    pub(super) fn quantify<'p>(
        &mut self,
        q: Quantifier,
        (t, set): (usize, &RowSet<'a>),
        env: &mut Env<'a, 'p>,
        keep: &mut dyn FnMut(&mut Self, u32, &mut Env<'a, 'p>) -> bool,
    ) -> Value<'a> {
        let rows = set.rows();
        match q {
            Quantifier::Any | Quantifier::No => {
                let mut found = false;
                for &r in rows {
                    if keep(self, r, env) {
                        found = true;
                        break;
                    }
                }
                Value::Bool(found == (q == Quantifier::Any))
            }
            Quantifier::Count => {
                let mut n = 0i64;
                for &r in rows {
                    if keep(self, r, env) {
                        n += 1;
                    }
                }
                Value::Int(n)
            }
            Quantifier::First => {
                let mut found = Value::Missing;
                for &r in rows {
                    if keep(self, r, env) {
                        found = Value::Row(t, r);
                        break;
                    }
                }
                found
            }
            Quantifier::Last => {
                let mut found = Value::Missing;
                for &r in rows.iter().rev() {
                    if keep(self, r, env) {
                        found = Value::Row(t, r);
                        break;
                    }
                }
                found
            }
        }
    }

    pub(crate) fn call(&self, f: Func, v: Value<'a>) -> Value<'a> {
        match (f, v) {
            (Func::LocalDate, Value::DateTime(t)) => crate::time::Instant(t)
                .local_date(self.ev.tz)
                .map_or(Value::Missing, |d| {
                    Value::Date(crate::data::date_to_days(d))
                }),
            (Func::Lower, Value::Text(t)) => {
                Value::Text(Txt::Owned(t.as_str().to_lowercase().into()))
            }
            (Func::Lower, Value::Email(t)) => {
                Value::Email(Txt::Owned(t.as_str().to_lowercase().into()))
            }
            (Func::Upper, Value::Text(t)) => {
                Value::Text(Txt::Owned(t.as_str().to_uppercase().into()))
            }
            (Func::Upper, Value::Email(t)) => {
                Value::Email(Txt::Owned(t.as_str().to_uppercase().into()))
            }
            (Func::Len, Value::List(l)) => Value::Int(i64::try_from(l.len()).unwrap_or(i64::MAX)),
            (Func::Len, Value::Rows(_, s)) => {
                Value::Int(i64::try_from(s.rows().len()).unwrap_or(i64::MAX))
            }
            (Func::Len, Value::Missing) => Value::Int(0),
            _ => Value::Missing,
        }
    }
}

/// A quantifier's value over no rows at all (the rows are missing).
pub(crate) fn no_rows<'a>(q: Quantifier) -> Value<'a> {
    match q {
        Quantifier::Any => Value::Bool(false),
        Quantifier::No => Value::Bool(true),
        Quantifier::Count => Value::Int(0),
        Quantifier::First | Quantifier::Last => Value::Missing,
    }
}

/// A comparison; unknown when either side is missing.
pub(crate) fn compare<'a>(op: CmpOp, x: &Value<'a>, y: &Value<'a>) -> Value<'a> {
    if x.is_missing() || y.is_missing() {
        return Value::Missing;
    }
    match op {
        CmpOp::Eq => Value::Bool(equal(x, y, false)),
        CmpOp::Ne => Value::Bool(!equal(x, y, false)),
        _ => match order(x, y) {
            Some(o) => Value::Bool(match op {
                CmpOp::Lt => o == Ordering::Less,
                CmpOp::Le => o != Ordering::Greater,
                CmpOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }),
            None => Value::Missing,
        },
    }
}

/// `+` and `-` on dates, instants and durations (overflow is unknown).
pub(crate) fn arith<'a>(op: ArithOp, x: &Value<'a>, y: &Value<'a>) -> Value<'a> {
    use Value::*;
    let add = op == ArithOp::Add;
    let days = |d: i32, n: i64| {
        let n = i32::try_from(n).ok()?;
        if add {
            d.checked_add(n)
        } else {
            d.checked_sub(n)
        }
    };
    let i = |a: i64, b: i64| {
        if add {
            a.checked_add(b)
        } else {
            a.checked_sub(b)
        }
    };
    let r = match (x, y) {
        (Date(d), Days(n)) => days(*d, *n).map(Date),
        (Days(n), Date(d)) if add => days(*d, *n).map(Date),
        (Date(a), Date(b)) if !add => Some(Days(i64::from(*a) - i64::from(*b))),
        (DateTime(t), Duration(n)) => i(*t, *n).map(DateTime),
        (Duration(n), DateTime(t)) if add => i(*t, *n).map(DateTime),
        (DateTime(a), DateTime(b)) if !add => a.checked_sub(*b).map(Duration),
        (Int(a), Int(b)) => i(*a, *b).map(Int),
        (Days(a), Days(b)) => i(*a, *b).map(Days),
        (Duration(a), Duration(b)) => i(*a, *b).map(Duration),
        _ => None,
    };
    r.unwrap_or(Missing)
}

/// The row a reference column of `row` points to, or `None` (empty or broken).
pub(crate) fn follow(data: &crate::data::Dataset, c: ColumnRef, row: u32) -> Result<u32, u32> {
    match data
        .table(c.table)
        .map_or(NO_ROW, |t| t.target(c.column, row as usize))
    {
        r if r >= crate::data::BAD_REF => Err(r),
        r => Ok(r),
    }
}

/// Values of lets keyed by slot, for one rule.
pub(crate) fn let_slots(rule: &crate::semantics::Rule) -> Vec<Option<&Expr>> {
    let mut out: Vec<Option<&Expr>> = vec![None; rule.slots.max(1)];
    for l in &rule.lets {
        if let Some(s) = out.get_mut(l.slot) {
            *s = Some(&l.value);
        }
    }
    out
}
