//! Which columns a policy reads.
//!
//! The data layer stores only these (it still checks every declared column,
//! so a bad value anywhere is still a data error).

use super::ir::*;

impl Policy {
    /// Per table, per column: does any rule, definition, relation or message
    /// read it (keys, references and order columns included)?
    pub(crate) fn used_columns(&self) -> Vec<Vec<bool>> {
        let mut used: Vec<Vec<bool>> = self
            .tables
            .iter()
            .map(|t| vec![false; t.columns.len()])
            .collect();
        let mut mark = |c: ColumnRef| {
            if let Some(slot) = used.get_mut(c.table).and_then(|t| t.get_mut(c.column)) {
                *slot = true;
            }
        };
        for (tid, t) in self.tables.iter().enumerate() {
            if let Some(k) = t.key {
                mark(ColumnRef {
                    table: tid,
                    column: k,
                });
            }
            for (ci, c) in t.columns.iter().enumerate() {
                if matches!(c.ty, ColumnType::Ref(_)) {
                    mark(ColumnRef {
                        table: tid,
                        column: ci,
                    });
                }
            }
            for r in &t.relations {
                mark(ColumnRef {
                    table: r.target,
                    column: r.via,
                });
                if let Some(o) = r.ordered_by {
                    mark(ColumnRef {
                        table: r.target,
                        column: o,
                    });
                }
                if let Some(f) = &r.filter {
                    walk(f, &mut mark);
                }
            }
            if let Some(time) = t.time {
                mark(ColumnRef {
                    table: tid,
                    column: time,
                });
            }
        }
        for d in &self.defines {
            walk(&d.body, &mut mark);
        }
        for f in &self.fields {
            walk(&f.expr, &mut mark);
        }
        for r in &self.rules {
            let mut all: Vec<&Expr> = Vec::new();
            all.extend(&r.applies);
            all.extend(r.lets.iter().map(|l| &l.value));
            all.extend(&r.guard);
            for m in &r.messages {
                all.extend(&m.condition);
                all.extend(m.parts.iter().filter_map(|p| match p {
                    Part::Value(e) => Some(e),
                    Part::Text(_) => None,
                }));
            }
            match &r.body {
                RuleBody::Require(e) => all.push(e),
                RuleBody::Allowlist { value, list, .. } => {
                    all.push(value);
                    all.push(list);
                }
                RuleBody::Notice(n) => {
                    all.push(&n.from);
                    all.push(&n.to);
                    all.extend(n.arms.iter().filter_map(|a| a.condition.as_ref()));
                }
                RuleBody::Escalation(l) => {
                    all.push(&l.start);
                    all.extend(&l.stops);
                    for m in &l.marks {
                        all.push(&m.expect);
                        mark(m.time);
                    }
                }
            }
            for e in all {
                walk(e, &mut mark);
            }
        }
        used
    }
}

fn walk(e: &Expr, mark: &mut impl FnMut(ColumnRef)) {
    match &e.kind {
        ExprKind::Column { base, column } => {
            mark(*column);
            walk(base, mark);
        }
        ExprKind::Project { rows, column } => {
            mark(*column);
            walk(rows, mark);
        }
        ExprKind::Define { base, .. } | ExprKind::Relation { base, .. } => walk(base, mark),
        ExprKind::Lit(_) | ExprKind::Now | ExprKind::Var(_) => {}
        ExprKind::Not(x) | ExprKind::Neg(x) => walk(x, mark),
        ExprKind::IsPresent { value, .. } => walk(value, mark),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Compare(_, a, b)
        | ExprKind::Arith(_, a, b)
        | ExprKind::Text(_, a, b) => {
            walk(a, mark);
            walk(b, mark);
        }
        ExprKind::In { value, list, .. } => {
            walk(value, mark);
            walk(list, mark);
        }
        ExprKind::If(c, a, b) => {
            walk(c, mark);
            walk(a, mark);
            walk(b, mark);
        }
        ExprKind::Quant { rows, filter, .. } => {
            walk(rows, mark);
            if let Some(f) = filter {
                walk(f, mark);
            }
        }
        ExprKind::Filter { rows, pred, .. } => {
            walk(rows, mark);
            walk(pred, mark);
        }
        ExprKind::Call(_, args) | ExprKind::List(args) => {
            for a in args {
                walk(a, mark);
            }
        }
    }
}
