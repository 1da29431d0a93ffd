//! Which rows a rule reads through references.
//!
//! A rule that reads a related row (the account, the opportunity) is not
//! applicable to a case whose reference is empty or points nowhere.
//! A rule *reads* a row when it takes a field or relation of it; testing the
//! reference itself (`case.opportunity is present`) does not read the row.

use std::collections::{BTreeSet, HashMap};

use super::ir::*;
use super::types::Type;

/// Paths from the row (slot 0) a derived field's body navigates.
pub(super) fn define_needs(body: &Expr) -> Vec<Vec<ColumnRef>> {
    let mut w = Walker {
        paths: HashMap::from([(0usize, Vec::new())]),
        needs: BTreeSet::new(),
        defines: &[],
    };
    w.walk(body);
    w.needs.into_iter().collect()
}

/// The needs of a rule, computed over everything but its messages.
pub(super) fn rule_needs(rule: &Rule, tables: &[Table], defines: &[Option<Define>]) -> Vec<Need> {
    let mut w = Walker {
        paths: HashMap::from([(0usize, Vec::new())]),
        needs: BTreeSet::new(),
        defines,
    };
    if let Some(a) = &rule.applies {
        w.walk(a);
    }
    for l in &rule.lets {
        w.walk(&l.value);
        if let Some(p) = w.row_path(&l.value) {
            w.paths.insert(l.slot, p);
        }
    }
    if let Some(g) = &rule.guard {
        w.walk(g);
    }
    match &rule.body {
        RuleBody::Require(e) => w.walk(e),
        RuleBody::Allowlist { value, list, .. } => {
            w.walk(value);
            w.walk(list);
        }
        RuleBody::Notice(n) => {
            w.walk(&n.from);
            w.walk(&n.to);
            for a in &n.arms {
                if let Some(c) = &a.condition {
                    w.walk(c);
                }
            }
        }
        RuleBody::Escalation(l) => {
            w.walk(&l.start);
            for s in &l.stops {
                w.walk(s);
            }
            for m in &l.marks {
                w.walk(&m.expect);
            }
        }
    }
    let subject = tables
        .get(rule.subject)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    w.needs
        .into_iter()
        .map(|path| {
            let mut text = subject.clone();
            for c in &path {
                let name = tables
                    .get(c.table)
                    .and_then(|t| t.columns.get(c.column))
                    .map(|c| c.name.as_str())
                    .unwrap_or("?");
                text.push('.');
                text.push_str(name);
            }
            Need { path, text }
        })
        .collect()
}

struct Walker<'d> {
    paths: HashMap<usize, Vec<ColumnRef>>,
    needs: BTreeSet<Vec<ColumnRef>>,
    defines: &'d [Option<Define>],
}

impl Walker<'_> {
    /// The reference path from the subject to the row `e` denotes, if any.
    fn row_path(&self, e: &Expr) -> Option<Vec<ColumnRef>> {
        match &e.kind {
            ExprKind::Var(s) => self.paths.get(s).cloned(),
            ExprKind::Column { base, column } if matches!(e.ty, Type::Row(_)) => {
                let mut p = self.row_path(base)?;
                p.push(*column);
                Some(p)
            }
            _ => None,
        }
    }

    fn need(&mut self, path: Vec<ColumnRef>) {
        for n in 1..=path.len() {
            if let Some(prefix) = path.get(..n) {
                self.needs.insert(prefix.to_vec());
            }
        }
    }

    fn walk(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Column { base, .. } | ExprKind::Relation { base, .. } => {
                if let Some(p) = self.row_path(base) {
                    self.need(p);
                }
                self.walk(base);
            }
            ExprKind::Define { base, define } => {
                if let Some(p) = self.row_path(base) {
                    self.need(p.clone());
                    let inner: Vec<Vec<ColumnRef>> = self
                        .defines
                        .get(*define)
                        .and_then(|d| d.as_ref())
                        .map(|d| d.needs.clone())
                        .unwrap_or_default();
                    for rel in inner {
                        let mut full = p.clone();
                        full.extend(rel);
                        self.need(full);
                    }
                }
                self.walk(base);
            }
            ExprKind::Project { rows, .. } => self.walk(rows),
            ExprKind::Lit(_) | ExprKind::Now | ExprKind::Var(_) => {}
            ExprKind::Not(x) | ExprKind::Neg(x) => self.walk(x),
            ExprKind::IsPresent { value, .. } => self.walk(value),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Arith(_, a, b)
            | ExprKind::Text(_, a, b) => {
                self.walk(a);
                self.walk(b);
            }
            ExprKind::In { value, list, .. } => {
                self.walk(value);
                self.walk(list);
            }
            ExprKind::If(c, a, b) => {
                self.walk(c);
                self.walk(a);
                self.walk(b);
            }
            ExprKind::Quant { rows, filter, .. } => {
                self.walk(rows);
                if let Some(f) = filter {
                    self.walk(f);
                }
            }
            ExprKind::Filter { rows, pred, .. } => {
                self.walk(rows);
                self.walk(pred);
            }
            ExprKind::Call(_, args) | ExprKind::List(args) => {
                for a in args {
                    self.walk(a);
                }
            }
        }
    }
}
