//! Rules compiled to an evaluation plan: each condition a tree of closures
//! made once per run, with what the tree-walking evaluator looks up at every
//! node resolved ahead — which node kind it is, which slot a row is in, and
//! for `=`/`!=`/`in` between a dictionary-coded text column and text
//! literals, the literals' codes in that column, so a case's rows are tested
//! by code, with no text compared.
//!
//! The tree walker ([`CaseEval::eval`]) stays the reference: a node the plan
//! does not specialise calls it, and the property test `tests/plan_props.rs`
//! requires identical findings from both on generated policies and exports.

use super::expr::{CaseEval, Env, Slot, arith, compare, lit};
use super::value::Value;
use super::value::{and, or};
use crate::data::{CodeSet, Dataset};
use crate::semantics::{CmpOp, ColumnRef, Expr, ExprKind, Lit, Policy, RuleBody};

/// A compiled expression: evaluates to what the tree walker gives.
pub(crate) type Node<'a> = Box<
    dyn for<'e, 'p> Fn(&mut CaseEval<'e, 'a>, &mut Env<'a, 'p>) -> Value<'a> + Send + Sync + 'a,
>;

/// A condition on the subject row alone, tested by code without setting up
/// the rule's slots: `Some(false)` lets an audit skip a rule that is not
/// for the row at the cost of a code lookup.
pub(crate) type RowTest<'a> = Box<dyn Fn(u32) -> Option<bool> + Send + Sync + 'a>;

/// Nesting compiled into closures; deeper parts are left to the tree
/// walker, which grows its stack as it needs.
const MAX_DEPTH: u32 = 48;

/// A rule's compiled conditions.
#[derive(Default)]
pub(crate) struct RulePlan<'a> {
    /// `for … where …`
    pub(crate) applies: Option<Node<'a>>,
    /// `for … where …` when it reads only the subject row's coded columns.
    pub(crate) applies_row: Option<RowTest<'a>>,
    /// `when …`
    pub(crate) guard: Option<Node<'a>>,
    /// `require …`
    pub(crate) require: Option<Node<'a>>,
    /// Each `let`, at its slot.
    pub(crate) lets: Vec<Option<Node<'a>>>,
}

/// The plan of a run: every rule's conditions and every definition's body.
pub(crate) struct EvalPlan<'a> {
    pub(crate) rules: Vec<RulePlan<'a>>,
    pub(crate) defines: Vec<Node<'a>>,
}

impl<'a> EvalPlan<'a> {
    /// Compiles the policy's rules and definitions for `data`.
    pub(crate) fn new(policy: &'a Policy, data: &'a Dataset) -> EvalPlan<'a> {
        let cx = PlanCompiler { data };
        let node = |e: &'a Expr| cx.node(e, 0);
        let rules = policy
            .rules
            .iter()
            .map(|r| RulePlan {
                applies: r.applies.as_ref().map(node),
                applies_row: r.applies.as_ref().and_then(|e| cx.row_test(e, 0)),
                guard: r.guard.as_ref().map(node),
                require: match &r.body {
                    RuleBody::Require(e) => Some(node(e)),
                    _ => None,
                },
                lets: {
                    let mut lets: Vec<Option<Node<'a>>> = Vec::new();
                    lets.resize_with(r.slots.max(1), || None);
                    for l in &r.lets {
                        if let Some(s) = lets.get_mut(l.slot) {
                            *s = Some(node(&l.value));
                        }
                    }
                    lets
                },
            })
            .collect();
        let defines = policy.defines.iter().map(|d| node(&d.body)).collect();
        EvalPlan { rules, defines }
    }
}

struct PlanCompiler<'a> {
    data: &'a Dataset,
}

impl<'a> PlanCompiler<'a> {
    fn node(&self, e: &'a Expr, depth: u32) -> Node<'a> {
        if depth >= MAX_DEPTH {
            return walk(e);
        }
        let d = depth + 1;
        match &e.kind {
            ExprKind::Var(slot) => {
                let slot = *slot;
                Box::new(move |ce, env| ce.var(slot, env))
            }
            ExprKind::Column { base, column } => self.column(base, *column, d),
            ExprKind::Not(x) => {
                let x = self.node(x, d);
                Box::new(move |ce, env| match x(ce, env).truth() {
                    Some(b) => Value::Bool(!b),
                    None => Value::Missing,
                })
            }
            ExprKind::And(a, b) => {
                let (a, b) = (self.node(a, d), self.node(b, d));
                Box::new(move |ce, env| {
                    let x = a(ce, env).truth();
                    if x == Some(false) {
                        return Value::Bool(false);
                    }
                    and(x, b(ce, env).truth())
                })
            }
            ExprKind::Or(a, b) => {
                let (a, b) = (self.node(a, d), self.node(b, d));
                Box::new(move |ce, env| {
                    let x = a(ce, env).truth();
                    if x == Some(true) {
                        return Value::Bool(true);
                    }
                    or(x, b(ce, env).truth())
                })
            }
            ExprKind::If(c, a, b) => {
                let (c, a, b) = (self.node(c, d), self.node(a, d), self.node(b, d));
                Box::new(move |ce, env| match c(ce, env).truth() {
                    Some(true) => a(ce, env),
                    Some(false) => b(ce, env),
                    None => Value::Missing,
                })
            }
            ExprKind::Compare(..) | ExprKind::In { .. }
                if let Some((slot, test)) = self.code_test(e) =>
            {
                Box::new(
                    move |ce, env| match slot_row(ce, env, slot).and_then(|r| test.of(r)) {
                        Some(b) => Value::Bool(b),
                        None => Value::Missing,
                    },
                )
            }
            ExprKind::Compare(op, a, b) => self.compare(*op, a, b, d),
            ExprKind::Define { base, define } => {
                let (base, define) = (self.node(base, d), *define);
                Box::new(move |ce, env| match base(ce, env) {
                    Value::Row(_, r) => ce.define(define, r),
                    _ => Value::Missing,
                })
            }
            ExprKind::Quant {
                q,
                rows,
                slot,
                filter: Some(filter),
            } => {
                let (q, slot) = (*q, *slot);
                let rows = self.node(rows, d);
                let filter = self.node(filter, d);
                Box::new(move |ce, env| {
                    let Value::Rows(t, set) = rows(ce, env) else {
                        return super::expr::no_rows(q);
                    };
                    ce.quantify(q, (t, &set), env, &mut |ce, r, env| {
                        env.set(slot, Value::Row(t, r));
                        filter(ce, env).truth() == Some(true)
                    })
                })
            }
            ExprKind::Quant {
                q,
                rows,
                filter: None,
                ..
            } => {
                let (q, rows) = (*q, self.node(rows, d));
                Box::new(move |ce, env| {
                    let Value::Rows(t, set) = rows(ce, env) else {
                        return super::expr::no_rows(q);
                    };
                    ce.quantify(q, (t, &set), env, &mut |_, _, _| true)
                })
            }
            _ => self.leaf(e, d),
        }
    }

    /// Literals, `now`, relations, arithmetic, calls and presence tests.
    fn leaf(&self, e: &'a Expr, d: u32) -> Node<'a> {
        match &e.kind {
            ExprKind::Lit(l) => Box::new(move |_, _| lit(l)),
            ExprKind::Now => Box::new(move |ce, _| Value::DateTime(ce.ev.now)),
            ExprKind::Relation {
                base,
                table,
                relation,
            } => {
                let (table, relation) = (*table, *relation);
                let base = self.node(base, d);
                Box::new(move |ce, env| match base(ce, env) {
                    Value::Row(_, r) => {
                        let target = ce
                            .ev
                            .policy
                            .tables
                            .get(table)
                            .and_then(|t| t.relations.get(relation))
                            .map_or(table, |rel| rel.target);
                        Value::Rows(target, ce.relation(table, r, relation))
                    }
                    _ => Value::Missing,
                })
            }
            ExprKind::Arith(op, a, b) => {
                let (op, a, b) = (*op, self.node(a, d), self.node(b, d));
                Box::new(move |ce, env| {
                    let x = a(ce, env);
                    let y = b(ce, env);
                    arith(op, &x, &y)
                })
            }
            ExprKind::Call(f, args) if args.len() == 1 => {
                let f = *f;
                let a = args.first().map(|a| self.node(a, d));
                Box::new(move |ce, env| match &a {
                    Some(a) => {
                        let v = a(ce, env);
                        ce.call(f, v)
                    }
                    None => Value::Missing,
                })
            }
            ExprKind::IsPresent { value, present } => {
                let present = *present;
                Box::new(move |ce, env| Value::Bool(ce.presence(value, env) == present))
            }
            _ => walk(e),
        }
    }

    /// `var.column`: the row read from its slot, the cell from the column.
    fn column(&self, base: &'a Expr, column: ColumnRef, d: u32) -> Node<'a> {
        if let ExprKind::Var(slot) = base.kind {
            return Box::new(move |ce, env| match slot_row(ce, env, slot) {
                Some(r) => ce.cell(column, r),
                None => Value::Missing,
            });
        }
        let base = self.node(base, d);
        Box::new(move |ce, env| match base(ce, env) {
            Value::Row(_, r) => ce.cell(column, r),
            _ => Value::Missing,
        })
    }

    fn compare(&self, op: CmpOp, a: &'a Expr, b: &'a Expr, d: u32) -> Node<'a> {
        let (a, b) = (self.node(a, d), self.node(b, d));
        Box::new(move |ce, env| {
            let x = a(ce, env);
            let y = b(ce, env);
            compare(op, &x, &y)
        })
    }

    /// `var.column = "text"` (either way round), `!=`, or `var.column
    /// [not] in ["a", "b"]`, on a dictionary-coded text column: the slot of
    /// the row and the test of its code.
    fn code_test(&self, e: &'a Expr) -> Option<(usize, CodeTest<'a>)> {
        let (col, texts, want) = match &e.kind {
            ExprKind::Compare(op @ (CmpOp::Eq | CmpOp::Ne), a, b) => {
                let (col, text) = match (&a.kind, &b.kind) {
                    (ExprKind::Column { .. }, ExprKind::Lit(Lit::Text(t))) => (a, t),
                    (ExprKind::Lit(Lit::Text(t)), ExprKind::Column { .. }) => (b, t),
                    _ => return None,
                };
                (&**col, vec![text.as_str()], *op == CmpOp::Eq)
            }
            ExprKind::In {
                value,
                list,
                negated,
                ignore_case: false,
            } => (&**value, literal_texts(list)?, !*negated),
            _ => return None,
        };
        let ExprKind::Column { base, column } = &col.kind else {
            return None;
        };
        let ExprKind::Var(slot) = base.kind else {
            return None;
        };
        let set = self.data.code_set(*column, &texts)?;
        Some((slot, CodeTest { set, want }))
    }

    /// `e` as a test of the subject row (slot 0) alone: `and`, `or`, `not`
    /// of `=`, `!=` and `in [...]` between its coded columns and text
    /// literals, with the tree walker's three-valued logic.
    fn row_test(&self, e: &'a Expr, depth: u32) -> Option<RowTest<'a>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        match &e.kind {
            ExprKind::And(a, b) => {
                let (a, b) = (self.row_test(a, d)?, self.row_test(b, d)?);
                Some(Box::new(move |r| match a(r) {
                    Some(false) => Some(false),
                    x => and(x, b(r)).truth(),
                }))
            }
            ExprKind::Or(a, b) => {
                let (a, b) = (self.row_test(a, d)?, self.row_test(b, d)?);
                Some(Box::new(move |r| match a(r) {
                    Some(true) => Some(true),
                    x => or(x, b(r)).truth(),
                }))
            }
            ExprKind::Not(x) => {
                let x = self.row_test(x, d)?;
                Some(Box::new(move |r| x(r).map(|b| !b)))
            }
            ExprKind::Compare(..) | ExprKind::In { .. } => match self.code_test(e)? {
                (0, test) => Some(Box::new(move |r| test.of(r))),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A row's code against the codes of some texts: `Some(want)` when it is
/// one of them, `None` when the cell holds no readable text.
struct CodeTest<'a> {
    set: CodeSet<'a>,
    want: bool,
}

impl CodeTest<'_> {
    fn of(&self, row: u32) -> Option<bool> {
        self.set.test(row as usize).map(|hit| hit == self.want)
    }
}

/// The texts of a list of text literals.
fn literal_texts(list: &Expr) -> Option<Vec<&str>> {
    let ExprKind::List(items) = &list.kind else {
        return None;
    };
    items
        .iter()
        .map(|it| match &it.kind {
            ExprKind::Lit(Lit::Text(t)) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// The row a slot holds; a `let` not computed yet is computed first, as
/// the tree walker does.
#[inline]
fn slot_row<'a>(ce: &mut CaseEval<'_, 'a>, env: &mut Env<'a, '_>, slot: usize) -> Option<u32> {
    if let Some(Slot::Set(Value::Row(_, r))) = env.slots.get(slot) {
        return Some(*r);
    }
    match ce.var(slot, env) {
        Value::Row(_, r) => Some(r),
        _ => None,
    }
}

/// A node the plan leaves to the tree walker.
fn walk<'a>(e: &'a Expr) -> Node<'a> {
    Box::new(move |ce, env| ce.eval(e, env))
}
