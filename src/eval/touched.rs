//! Which rows with data errors a case reads, so that its findings can say so.
//!
//! An unreadable cell reads as missing and a row that could not be split
//! into fields is dropped; rules then evaluate with the usual missing-value
//! logic, so a data error never silences a rule by itself. A reviewer must
//! still know which findings rest on data that was not all readable: every
//! finding of a case names the rows with data errors the case is made of —
//! its own row, the rows its references lead to, and the related rows of
//! each of those (kept with an unreadable cell, or dropped).

use std::sync::Arc;

use crate::data::{Dataset, RowBits};
use crate::semantics::{ColumnType, Policy, TableId};

/// A row with a data error: its table and physical line.
pub(crate) type Touch = (TableId, u64);

/// Per table, the rows that have a data error themselves or among their
/// related rows; empty when the export read cleanly.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    rows: Vec<RowBits>,
    any: bool,
}

impl Touched {
    /// Marks every row touched by a data error, once per audit.
    pub(crate) fn new(policy: &Policy, data: &Dataset) -> Touched {
        let any = data
            .tables
            .iter()
            .any(|t| !t.errored.is_empty() || t.relations.iter().any(|r| !r.dropped.is_empty()));
        if !any {
            return Touched::default();
        }
        let mut rows: Vec<RowBits> = data.tables.iter().map(|t| t.errored.clone()).collect();
        for (pid, ptable) in policy.tables.iter().enumerate() {
            let Some(pdata) = data.table(pid) else {
                continue;
            };
            for (ri, rel) in ptable.relations.iter().enumerate() {
                let Some(index) = pdata.relations.get(ri) else {
                    continue;
                };
                let mut parents: Vec<u32> = index.dropped.keys().copied().collect();
                if let Some(child) = data.table(rel.target) {
                    for r in child.errored.iter() {
                        let p = child.target(rel.via, r as usize);
                        if p < crate::data::BAD_REF {
                            parents.push(p);
                        }
                    }
                }
                if let Some(bits) = rows.get_mut(pid) {
                    for p in parents {
                        bits.insert(p);
                    }
                }
            }
        }
        Touched { rows, any }
    }

    fn is_touched(&self, table: TableId, row: u32) -> bool {
        self.rows.get(table).is_some_and(|b| b.contains(row))
    }

    /// The rows with data errors the case `(table, row)` reads, in file
    /// and line order; `None` when there are none.
    pub(crate) fn of(
        &self,
        policy: &Policy,
        data: &Dataset,
        table: TableId,
        row: u32,
    ) -> Option<Arc<[Touch]>> {
        if !self.any {
            return None;
        }
        let mut heads = vec![(table, row)];
        if let Some(t) = policy.tables.get(table) {
            for (ci, c) in t.columns.iter().enumerate() {
                if let ColumnType::Ref(target) = c.ty {
                    let r = data
                        .table(table)
                        .map_or(crate::data::NO_ROW, |d| d.target(ci, row as usize));
                    if r < crate::data::BAD_REF && target != table {
                        heads.push((target, r));
                    }
                }
            }
        }
        if !heads.iter().any(|&(t, r)| self.is_touched(t, r)) {
            return None;
        }
        let mut out = Vec::new();
        for (t, r) in heads {
            if self.is_touched(t, r) {
                rows_of(policy, data, t, r, &mut out);
            }
        }
        out.sort_unstable();
        out.dedup();
        Some(out.into())
    }
}

/// A row's own data error and those of its related rows.
fn rows_of(policy: &Policy, data: &Dataset, table: TableId, row: u32, out: &mut Vec<Touch>) {
    let Some(d) = data.table(table) else { return };
    if d.errored.contains(row) {
        out.push((table, d.line(row as usize)));
    }
    let Some(decl) = policy.tables.get(table) else {
        return;
    };
    for (rel, index) in decl.relations.iter().zip(&d.relations) {
        if let Some(child) = data.table(rel.target) {
            for &c in index.of(row as usize) {
                if child.errored.contains(c) {
                    out.push((rel.target, child.line(c as usize)));
                }
            }
        }
        if let Some(lines) = index.dropped.get(&row) {
            out.extend(lines.iter().map(|l| (rel.target, *l)));
        }
    }
}
