//! Typed expressions as SQL: scalars, rows (their `_row` number) and row
//! sources (related rows, filtered), with docket's readings of missing
//! values kept.

use std::cell::{Cell, RefCell};

use super::hoist::{Aggregate, Hoisted};
use super::{Engine, Options, Unsupported};
use crate::semantics::{
    ArithOp, CmpOp, ColumnRef, ColumnType, Expr, ExprKind, Func, Lit, Policy, TableId, TextOp, Type,
};
use crate::syntax::ast::{Quantifier, ScalarType};

pub(crate) type R<T> = Result<T, Unsupported>;

/// What compiles expressions for one policy and dialect.
pub(crate) struct Compiler<'p> {
    pub(crate) policy: &'p Policy,
    pub(crate) d: Engine,
    pub(crate) now: i64,
    pub(crate) zone: String,
    next: Cell<u32>,
    /// The current rule's subqueries that read only its subject row
    /// (see [`super::hoist`]).
    pub(super) hoisted: RefCell<Vec<Hoisted>>,
}

/// Where a rule query reads its subject table; [`Compiler::base`] puts
/// the table with the rule's hoisted columns in its place.
pub(crate) const BASE: &str = "/*docket:base*/";

/// A row: its table and its `_row` number; `alias` when it is a row of the
/// query's `FROM` (its columns are read directly).
#[derive(Debug, Clone)]
pub(crate) struct SqlRow {
    pub(crate) id: String,
    pub(crate) alias: Option<String>,
    /// For `first`/`last`: the rows and which end, so a column of the row
    /// is read in the same aggregate that picks it (no lookup by `_row`
    /// nested in a correlated subquery, which engines cannot turn into a
    /// join).
    pub(crate) pick: Option<(RowSource, bool)>,
}

/// What a slot holds while compiling.
#[derive(Debug, Clone)]
pub(crate) enum Bind<'p> {
    /// A row.
    Row(SqlRow),
    /// A value computed by the query (a ladder's `{mark}`, …).
    Sql(String),
    /// A `let`, compiled where it is used.
    Let(&'p Expr),
}

/// The slots of one rule, definition or filter.
#[derive(Debug, Clone, Default)]
pub(crate) struct Slots<'p> {
    slots: Vec<Option<Bind<'p>>>,
}

impl<'p> Slots<'p> {
    pub(crate) fn new(n: usize) -> Slots<'p> {
        Slots {
            slots: vec![None; n.max(1)],
        }
    }

    pub(crate) fn set(&mut self, slot: usize, b: Bind<'p>) {
        if slot >= self.slots.len() {
            self.slots.resize(slot + 1, None);
        }
        if let Some(s) = self.slots.get_mut(slot) {
            *s = Some(b);
        }
    }

    fn get(&self, slot: usize) -> Option<&Bind<'p>> {
        self.slots.get(slot).and_then(Option::as_ref)
    }
}

/// Rows of one table: `FROM from WHERE conds`, in `order`.
#[derive(Debug, Clone)]
pub(crate) struct RowSource {
    pub(crate) table: TableId,
    pub(crate) alias: String,
    pub(crate) conds: Vec<String>,
    pub(crate) order: Vec<String>,
}

impl RowSource {
    fn from(&self, c: &Compiler) -> String {
        format!("{} {}", c.table_view(self.table), self.alias)
    }

    fn filter(&self) -> String {
        if self.conds.is_empty() {
            "TRUE".to_string()
        } else {
            self.conds.join(" AND ")
        }
    }

    fn row(&self) -> SqlRow {
        SqlRow {
            id: format!("{}._row", self.alias),
            alias: Some(self.alias.clone()),
            pick: None,
        }
    }
}

impl<'p> Compiler<'p> {
    pub(crate) fn new(policy: &'p Policy, opts: &Options) -> Compiler<'p> {
        Compiler {
            policy,
            d: opts.dialect,
            now: opts.now,
            zone: policy.timezone.name().to_string(),
            next: Cell::new(0),
            hoisted: RefCell::new(Vec::new()),
        }
    }

    /// A fresh table alias.
    pub(crate) fn alias(&self) -> String {
        let n = self.next.get() + 1;
        self.next.set(n);
        format!("r{n}")
    }

    /// The internal view of a table (typed as the script computes).
    pub(crate) fn table_view(&self, t: TableId) -> String {
        let name = self.policy.tables.get(t).map_or("?", |t| t.name.as_str());
        self.d.ident(&format!("docket_t_{name}"))
    }

    /// A column's name in the internal view (`__key` for the key text a
    /// reference holds).
    pub(crate) fn column_name(&self, c: ColumnRef) -> String {
        self.policy
            .column(c)
            .map_or_else(|| "?".to_string(), |col| col.name.clone())
    }

    fn column_type(&self, c: ColumnRef) -> Option<ColumnType> {
        self.policy.column(c).map(|col| col.ty)
    }

    /// A column of a row, as docket reads a cell: a missing boolean is
    /// false (when the row is there).
    pub(crate) fn read(&self, c: ColumnRef, row: &SqlRow, raw: bool) -> String {
        let name = self.column_name(c);
        let col = if raw && matches!(self.column_type(c), Some(ColumnType::Ref(_))) {
            format!("{name}__key")
        } else {
            name
        };
        let cell = match (&row.alias, &row.pick) {
            (Some(a), _) => format!("{a}.{}", self.d.ident(&col)),
            (None, Some((src, first))) => self.pick(
                src,
                *first,
                &format!("{}.{}", src.alias, self.d.ident(&col)),
            ),
            (None, None) => {
                let x = self.alias();
                self.aggregate(
                    Aggregate::around(
                        format!("any_value({x}.{})", self.d.ident(&col)),
                        format!("{} {x}", self.table_view(c.table)),
                        format!("{x}._row = {}", row.id),
                        "{}",
                    ),
                    None,
                )
            }
        };
        let is_bool = matches!(
            self.column_type(c),
            Some(ColumnType::Scalar(ScalarType::Bool))
        );
        match (raw, is_bool, &row.alias) {
            (false, true, Some(_)) => format!("COALESCE({cell}, FALSE)"),
            (false, true, None) => {
                format!(
                    "(CASE WHEN {} IS NULL THEN NULL ELSE COALESCE({cell}, FALSE) END)",
                    row.id
                )
            }
            _ => cell,
        }
    }

    /// A scalar expression.
    pub(crate) fn expr(&self, e: &'p Expr, sc: &Slots<'p>) -> R<String> {
        let d = self.d;
        Ok(match &e.kind {
            ExprKind::Lit(l) => self.lit(l),
            ExprKind::Now => self.now.to_string(),
            ExprKind::Var(slot) => match sc.get(*slot) {
                Some(Bind::Row(r)) => r.id.clone(),
                Some(Bind::Sql(s)) => s.clone(),
                Some(Bind::Let(x)) => self.expr(x, sc)?,
                None => "NULL".to_string(),
            },
            ExprKind::Column { base, column } => {
                let row = self.row(base, sc)?;
                self.read(*column, &row, false)
            }
            ExprKind::Define { base, define } => {
                let row = self.row(base, sc)?;
                let (body, inner) = self.define_scope(*define, row, e)?;
                self.expr(body, &inner)?
            }
            ExprKind::Project { rows, column } => {
                let src = self.rows(rows, sc)?;
                let col = format!("{}.{}", src.alias, d.ident(&self.column_name(*column)));
                let elem = match &e.ty {
                    Type::List(t) => sql_type(d, t),
                    t => sql_type(d, t),
                };
                // `elem` is the items' type: the empty list is a list of it.
                self.aggregate(
                    Aggregate::around(
                        d.list_agg(&col, &src.order),
                        src.from(self),
                        format!("{} AND {col} IS NOT NULL", src.filter()),
                        &format!("COALESCE({{}}, {})", d.empty_list(&elem)),
                    ),
                    None,
                )
            }
            ExprKind::Not(x) => format!("(NOT {})", self.expr(x, sc)?),
            ExprKind::Neg(x) => format!("(- {})", self.expr(x, sc)?),
            ExprKind::And(a, b) => format!("({} AND {})", self.expr(a, sc)?, self.expr(b, sc)?),
            ExprKind::Or(a, b) => format!("({} OR {})", self.expr(a, sc)?, self.expr(b, sc)?),
            ExprKind::Compare(op, a, b) => self.compare(*op, a, b, sc)?,
            ExprKind::Arith(op, a, b) => {
                let o = if *op == ArithOp::Add { "+" } else { "-" };
                format!("({} {o} {})", self.expr(a, sc)?, self.expr(b, sc)?)
            }
            ExprKind::Text(op, h, n) => {
                let fold = h.ty == Type::Email || n.ty == Type::Email;
                let (h, n) = (self.folded(h, sc, fold)?, self.folded(n, sc, fold)?);
                let op = match op {
                    TextOp::StartsWith => "starts",
                    TextOp::EndsWith => "ends",
                    TextOp::Contains => "contains",
                };
                d.text_test(op, &h, &n)
            }
            ExprKind::In {
                value,
                list,
                negated,
                ignore_case,
            } => {
                let inside = self.member(value, list, *ignore_case, sc)?;
                if *negated {
                    format!("(NOT {inside})")
                } else {
                    inside
                }
            }
            ExprKind::IsPresent { value, present } => {
                let p = self.presence(value, sc)?;
                if *present { p } else { format!("(NOT {p})") }
            }
            ExprKind::If(c, a, b) => {
                let c = self.expr(c, sc)?;
                format!(
                    "(CASE WHEN {c} THEN {} WHEN NOT {c} THEN {} END)",
                    self.expr(a, sc)?,
                    self.expr(b, sc)?
                )
            }
            ExprKind::Quant {
                q,
                rows,
                slot,
                filter,
            } => self.quantify(*q, rows, *slot, filter.as_deref(), sc)?,
            ExprKind::Call(f, args) => self.call(*f, args, sc, e)?,
            ExprKind::List(items) => {
                let xs = items
                    .iter()
                    .map(|i| self.expr(i, sc))
                    .collect::<R<Vec<_>>>()?;
                d.list_filter(&d.list(&xs), "x IS NOT NULL")
            }
            ExprKind::Relation { .. } | ExprKind::Filter { .. } => {
                return Err(Unsupported::new("a set of rows used as a value", e.span));
            }
        })
    }

    fn lit(&self, l: &Lit) -> String {
        match l {
            Lit::Text(s) => self.d.text(s),
            Lit::Int(n) | Lit::Days(n) | Lit::Duration(n) => n.to_string(),
            Lit::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Lit::Date(d) => epoch_days(*d).to_string(),
            Lit::DateTime(i) => i.0.to_string(),
        }
    }

    /// A definition's body and the scope its row is bound in.
    fn define_scope(&self, define: usize, row: SqlRow, at: &Expr) -> R<(&'p Expr, Slots<'p>)> {
        let def = self
            .policy
            .defines
            .get(define)
            .ok_or_else(|| Unsupported::new("an unknown definition", at.span))?;
        let mut inner = Slots::new(def.slots);
        inner.set(0, Bind::Row(row));
        Ok((&def.body, inner))
    }

    /// Text, lowercased when compared ignoring case.
    fn folded(&self, e: &'p Expr, sc: &Slots<'p>, fold: bool) -> R<String> {
        let s = self.expr(e, sc)?;
        Ok(if fold { format!("lower({s})") } else { s })
    }

    fn compare(&self, op: CmpOp, a: &'p Expr, b: &'p Expr, sc: &Slots<'p>) -> R<String> {
        let fold = a.ty == Type::Email || b.ty == Type::Email;
        let (x, y) = if matches!(a.ty, Type::Row(_)) {
            (self.row(a, sc)?.id, self.row(b, sc)?.id)
        } else {
            (self.folded(a, sc, fold)?, self.folded(b, sc, fold)?)
        };
        let o = match op {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        };
        Ok(format!("({x} {o} {y})"))
    }

    /// `value in list`: unknown when the value (or, for a list value, the
    /// list) is missing; a missing item of a written list makes a miss
    /// unknown, as SQL's `IN` does.
    pub(crate) fn member(
        &self,
        value: &'p Expr,
        list: &'p Expr,
        ignore_case: bool,
        sc: &Slots<'p>,
    ) -> R<String> {
        let elem_email = matches!(&list.ty, Type::List(t) if **t == Type::Email);
        let fold = ignore_case || value.ty == Type::Email || elem_email;
        let v = self.folded(value, sc, fold)?;
        if let ExprKind::List(items) = &list.kind {
            if items.is_empty() {
                return Ok(format!("(CASE WHEN {v} IS NULL THEN NULL ELSE FALSE END)"));
            }
            let xs = items
                .iter()
                .map(|i| self.folded(i, sc, fold))
                .collect::<R<Vec<_>>>()?;
            return Ok(format!("({v} IN ({}))", xs.join(", ")));
        }
        let l = self.expr(list, sc)?;
        let l2 = if fold {
            self.d.list_map(&l, "lower(x)")
        } else {
            l.clone()
        };
        Ok(format!(
            "(CASE WHEN {v} IS NULL OR {l} IS NULL THEN NULL ELSE {} END)",
            self.d.list_contains(&l2, &v)
        ))
    }

    /// Whether a value is there: a cell that is not empty (or unreadable),
    /// a list with items, a row.
    fn presence(&self, e: &'p Expr, sc: &Slots<'p>) -> R<String> {
        if let ExprKind::Column { base, column } = &e.kind {
            let row = self.row(base, sc)?;
            let cell = self.read(*column, &row, true);
            return Ok(format!("COALESCE({cell} IS NOT NULL, FALSE)"));
        }
        Ok(match &e.ty {
            Type::List(_) => {
                let l = self.expr(e, sc)?;
                format!("COALESCE({} > 0, FALSE)", self.d.list_len(&l))
            }
            Type::Rows(_) => {
                let src = self.rows(e, sc)?;
                self.exists(&src)
            }
            Type::Row(_) => format!("({} IS NOT NULL)", self.row(e, sc)?.id),
            _ => format!("({} IS NOT NULL)", self.expr(e, sc)?),
        })
    }

    /// The rows a quantifier ranges over, its filter applied.
    fn quant_src(
        &self,
        rows: &'p Expr,
        slot: usize,
        filter: Option<&'p Expr>,
        sc: &Slots<'p>,
    ) -> R<RowSource> {
        let mut src = self.rows(rows, sc)?;
        if let Some(f) = filter {
            let mut inner = sc.clone();
            inner.set(slot, Bind::Row(src.row()));
            src.conds.push(self.expr(f, &inner)?);
        }
        Ok(src)
    }

    fn quantify(
        &self,
        q: Quantifier,
        rows: &'p Expr,
        slot: usize,
        filter: Option<&'p Expr>,
        sc: &Slots<'p>,
    ) -> R<String> {
        let src = self.quant_src(rows, slot, filter, sc)?;
        Ok(match q {
            Quantifier::Any => self.exists(&src),
            Quantifier::No => format!("(NOT {})", self.exists(&src)),
            Quantifier::Count => self.count(&src),
            Quantifier::First | Quantifier::Last => {
                self.pick(&src, q == Quantifier::First, &format!("{}._row", src.alias))
            }
        })
    }

    /// Whether `src` has a row (never `NULL`).
    fn exists(&self, src: &RowSource) -> String {
        let (from, cond) = (src.from(self), src.filter());
        let text = self.d.exists(&from, &cond);
        let value = format!("count({}._row)", src.alias);
        self.aggregate(Aggregate::around(value, from, cond, "({} > 0)"), Some(text))
    }

    /// How many rows `src` has.
    fn count(&self, src: &RowSource) -> String {
        let value = format!("count({}._row)", src.alias);
        self.aggregate(
            Aggregate::around(value, src.from(self), src.filter(), "{}"),
            None,
        )
    }

    /// `value` read in the first (or last) row of `src`.
    fn pick(&self, src: &RowSource, first: bool, value: &str) -> String {
        let value = self.d.pick(first, value, &self.d.order_key(&src.order));
        self.aggregate(
            Aggregate::around(value, src.from(self), src.filter(), "{}"),
            None,
        )
    }

    fn call(&self, f: Func, args: &'p [Expr], sc: &Slots<'p>, at: &Expr) -> R<String> {
        let Some(a) = args.first() else {
            return Err(Unsupported::new("a call without an argument", at.span));
        };
        Ok(match f {
            Func::LocalDate => self.d.local_date(&self.expr(a, sc)?, &self.zone),
            Func::Lower => format!("lower({})", self.expr(a, sc)?),
            Func::Upper => format!("upper({})", self.expr(a, sc)?),
            Func::Len => match &a.ty {
                Type::Rows(_) => {
                    let src = self.rows(a, sc)?;
                    self.count(&src)
                }
                _ => format!("COALESCE({}, 0)", self.d.list_len(&self.expr(a, sc)?)),
            },
        })
    }

    /// A row-valued expression.
    pub(crate) fn row(&self, e: &'p Expr, sc: &Slots<'p>) -> R<SqlRow> {
        if !matches!(e.ty, Type::Row(_)) {
            return Err(Unsupported::new("a value used as a row", e.span));
        }
        match &e.kind {
            ExprKind::Var(slot) => match sc.get(*slot) {
                Some(Bind::Row(r)) => Ok(r.clone()),
                Some(Bind::Let(x)) => self.row(x, sc),
                _ => Ok(SqlRow {
                    id: "NULL".into(),
                    alias: None,
                    pick: None,
                }),
            },
            ExprKind::Define { base, define } => {
                let row = self.row(base, sc)?;
                let (body, inner) = self.define_scope(*define, row, e)?;
                self.row(body, &inner)
            }
            ExprKind::Quant {
                q: q @ (Quantifier::First | Quantifier::Last),
                rows,
                slot,
                filter,
            } => {
                let src = self.quant_src(rows, *slot, filter.as_deref(), sc)?;
                let first = *q == Quantifier::First;
                Ok(SqlRow {
                    id: self.pick(&src, first, &format!("{}._row", src.alias)),
                    alias: None,
                    pick: Some((src, first)),
                })
            }
            _ => Ok(SqlRow {
                id: self.row_id(e, sc)?,
                alias: None,
                pick: None,
            }),
        }
    }

    /// The `_row` of a row-valued expression that is not a variable.
    fn row_id(&self, e: &'p Expr, sc: &Slots<'p>) -> R<String> {
        match &e.kind {
            ExprKind::Column { base, column } => {
                let row = self.row(base, sc)?;
                Ok(self.read(*column, &row, false))
            }
            ExprKind::Quant {
                q,
                rows,
                slot,
                filter,
            } => self.quantify(*q, rows, *slot, filter.as_deref(), sc),
            ExprKind::If(c, a, b) => {
                let c = self.expr(c, sc)?;
                Ok(format!(
                    "(CASE WHEN {c} THEN {} WHEN NOT {c} THEN {} END)",
                    self.row(a, sc)?.id,
                    self.row(b, sc)?.id
                ))
            }
            _ => Err(Unsupported::new("this kind of row expression", e.span)),
        }
    }

    /// A rows-valued expression as a source.
    pub(crate) fn rows(&self, e: &'p Expr, sc: &Slots<'p>) -> R<RowSource> {
        match &e.kind {
            ExprKind::Relation {
                base,
                table,
                relation,
            } => {
                let owner = self.row(base, sc)?;
                let decl = self
                    .policy
                    .tables
                    .get(*table)
                    .and_then(|t| t.relations.get(*relation))
                    .ok_or_else(|| Unsupported::new("an unknown relation", e.span))?;
                let alias = self.alias();
                let via = ColumnRef {
                    table: decl.target,
                    column: decl.via,
                };
                let mut src = RowSource {
                    table: decl.target,
                    alias: alias.clone(),
                    conds: vec![format!(
                        "{alias}.{} = {}",
                        self.d.ident(&self.column_name(via)),
                        owner.id
                    )],
                    order: Vec::new(),
                };
                if let Some(o) = decl.ordered_by {
                    let col = self.column_name(ColumnRef {
                        table: decl.target,
                        column: o,
                    });
                    src.order.push(format!("{alias}.{}", self.d.ident(&col)));
                }
                src.order.push(format!("{alias}._row"));
                if let Some(f) = &decl.filter {
                    let mut inner = Slots::new(decl.slots);
                    inner.set(0, Bind::Row(src.row()));
                    src.conds.push(self.expr(f, &inner)?);
                }
                Ok(src)
            }
            ExprKind::Filter { rows, slot, pred } => {
                let mut src = self.rows(rows, sc)?;
                let mut inner = sc.clone();
                inner.set(*slot, Bind::Row(src.row()));
                src.conds.push(self.expr(pred, &inner)?);
                Ok(src)
            }
            ExprKind::Var(slot) => match sc.get(*slot) {
                Some(Bind::Let(x)) => self.rows(x, sc),
                _ => Err(Unsupported::new("rows bound this way", e.span)),
            },
            ExprKind::Define { base, define } => {
                let row = self.row(base, sc)?;
                let (body, inner) = self.define_scope(*define, row, e)?;
                self.rows(body, &inner)
            }
            _ => Err(Unsupported::new("this kind of row set", e.span)),
        }
    }

    /// A value in words, as a message shows it (`(none)` when missing).
    pub(crate) fn show(&self, e: &'p Expr, sc: &Slots<'p>) -> R<String> {
        let shown = match &e.ty {
            Type::Row(t) => {
                let row = self.row(e, sc)?;
                self.key_text(*t, &row)
            }
            Type::Rows(_) => return Err(Unsupported::new("a set of rows in a message", e.span)),
            ty => {
                let v = self.expr(e, sc)?;
                self.show_value(&v, ty)
            }
        };
        Ok(format!("COALESCE({shown}, '(none)')"))
    }

    /// A present value of type `ty` in words (`NULL` stays `NULL`).
    fn show_value(&self, v: &str, ty: &Type) -> String {
        let d = self.d;
        match ty {
            Type::Bool => format!("(CASE WHEN {v} THEN 'yes' WHEN NOT {v} THEN 'no' END)"),
            Type::Int => format!("CAST({v} AS {})", d.string_type()),
            Type::Date => d.show_date(v),
            Type::DateTime => d.show_instant(v, &self.zone),
            Type::Days => format!(
                "(CAST({v} AS {}) || CASE WHEN abs({v}) = 1 THEN ' day' ELSE ' days' END)",
                d.string_type()
            ),
            Type::Duration => elapsed(d, v),
            Type::List(t) => {
                let items = d.list_map(v, &self.show_value("x", t));
                format!(
                    "(CASE WHEN {} = 0 THEN '(none)' ELSE {} END)",
                    d.list_len(v),
                    d.list_join(&items, ", ")
                )
            }
            _ => v.to_string(),
        }
    }

    /// A row's key (or its `_row` when its table has none).
    fn key_text(&self, t: TableId, row: &SqlRow) -> String {
        let Some(k) = self.policy.tables.get(t).and_then(|tb| tb.key) else {
            return format!("CAST({} AS {})", row.id, self.d.string_type());
        };
        self.read(
            ColumnRef {
                table: t,
                column: k,
            },
            row,
            false,
        )
    }
}

/// Milliseconds in words, as docket writes elapsed time (`48 hours`,
/// `1 hour 30 minutes`).
fn elapsed(d: Engine, v: &str) -> String {
    let part = |unit: i64, next: Option<i64>, one: &str, many: &str| {
        let n = match next {
            Some(m) => d.int_div(&format!("(abs({v}) % {m})"), &unit.to_string()),
            None => d.int_div(&format!("abs({v})"), &unit.to_string()),
        };
        format!(
            "CASE WHEN {n} > 0 THEN CAST({n} AS {}) || CASE WHEN {n} = 1 THEN ' {one}' ELSE ' {many}' END END",
            d.string_type()
        )
    };
    let parts = [
        part(3_600_000, None, "hour", "hours"),
        part(60_000, Some(3_600_000), "minute", "minutes"),
        part(1_000, Some(60_000), "second", "seconds"),
        part(1, Some(1_000), "millisecond", "milliseconds"),
    ];
    format!(
        "(CASE WHEN {v} = 0 THEN '0 hours' ELSE (CASE WHEN {v} < 0 THEN '-' ELSE '' END) || concat_ws(' ', {}) END)",
        parts.join(", ")
    )
}

/// A date as days since 1970-01-01.
pub(crate) fn epoch_days(d: chrono::NaiveDate) -> i64 {
    (d - chrono::NaiveDate::default()).num_days()
}

/// The SQL type of a docket type's values in the script.
pub(crate) fn sql_type(d: Engine, t: &Type) -> String {
    match t {
        Type::Bool => "BOOLEAN".into(),
        Type::Text | Type::Email => d.string_type().into(),
        Type::List(e) => d.list_type(&sql_type(d, e)),
        _ => "BIGINT".into(),
    }
}
