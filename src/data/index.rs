//! References between tables and the relations built on them.

use std::cmp::Ordering;
use std::sync::Arc;

use super::cell;
use super::error::{DataError, FileAccount, excerpt};
use super::store::*;
use crate::semantics::{ColumnType, Policy};
use crate::syntax::ast::ScalarType;

/// The key a reference's text is found under, given the key's type: e-mail
/// keys ignore case, integer keys ignore leading zeros and signs. Nothing is
/// interned: a form never interned is no row's key.
pub(super) fn canonical(
    text: Sym,
    key_type: Option<ColumnType>,
    interner: &Interner,
) -> Option<Sym> {
    match key_type {
        Some(ColumnType::Scalar(ScalarType::Email)) => {
            interner.get(&interner.resolve(text).to_lowercase())
        }
        Some(ColumnType::Scalar(ScalarType::Int)) => {
            let n = cell::parse_int(interner.resolve(text).as_bytes())?;
            interner.get(&n.to_string())
        }
        _ => Some(text),
    }
}

/// Resolves every `ref` column to row numbers; a key that does not exist is
/// a data error on the referring row, which stays loaded.
pub(super) fn resolve_refs(
    policy: &Policy,
    tables: &mut [TableData],
    interner: &Interner,
    errors: &mut Vec<DataError>,
    accounts: &mut [FileAccount],
) {
    for (tid, table) in policy.tables.iter().enumerate() {
        for (ci, col) in table.columns.iter().enumerate() {
            let ColumnType::Ref(target) = col.ty else {
                continue;
            };
            let key_type = policy
                .tables
                .get(target)
                .and_then(|t| t.key.and_then(|k| t.columns.get(k)))
                .map(|c| c.ty);
            let target_file: Arc<str> = tables
                .get(target)
                .map_or_else(|| Arc::from(""), |t| t.file.clone());
            let target_header = policy
                .tables
                .get(target)
                .and_then(|t| t.key.and_then(|k| t.columns.get(k)))
                .map_or_else(String::new, |c| c.header.clone());
            let Some(data) = tables.get(tid) else {
                continue;
            };
            let texts: Vec<Option<Sym>> = match data.columns.get(ci) {
                Some(ColumnData::Ref(v)) => v.clone(),
                _ => continue,
            };
            let mut resolved = Vec::with_capacity(texts.len());
            let mut bad_rows = Vec::new();
            for (row, text) in texts.iter().enumerate() {
                let r = match text {
                    None => NO_ROW,
                    Some(t) => match canonical(*t, key_type, interner)
                        .and_then(|k| tables.get(target).and_then(|tt| tt.row_of(k)))
                    {
                        Some(r) => u32::try_from(r).unwrap_or(BROKEN),
                        None => {
                            bad_rows.push((row, *t));
                            BROKEN
                        }
                    },
                };
                resolved.push(r);
            }
            let Some(data) = tables.get_mut(tid) else {
                continue;
            };
            let mut rows_with_errors = std::collections::BTreeSet::new();
            for (row, t) in bad_rows {
                let line = data.line(row);
                let text = excerpt(interner.resolve(t));
                errors.push(DataError {
                    code: "docket::data::foreign-key",
                    file: data.file.clone(),
                    line,
                    column: Some(col.header.clone()),
                    text: Some(text.clone()),
                    message: format!(
                        "`{text}` is not a \"{target_header}\" in {target_file}; rules that need that row are not evaluated for this one"
                    ),
                    other_line: None,
                });
                // Rows with no other error become "loaded with errors".
                if !errors.iter().any(|e| {
                    e.file == data.file && e.line == line && e.code != "docket::data::foreign-key"
                }) {
                    rows_with_errors.insert(line);
                }
            }
            if let Some(a) = accounts.iter_mut().find(|a| a.file == *data.file) {
                a.loaded_with_errors += rows_with_errors.len() as u64;
            }
            if let Some(slot) = data.refs.get_mut(ci) {
                *slot = Some(resolved);
            }
        }
    }
}

/// A total order on cells, text compared by content (not by interning order).
fn cell_cmp(a: Cell, b: Cell, interner: &Interner) -> Ordering {
    use Cell::*;
    fn rank(c: &Cell) -> u8 {
        match c {
            Missing => 0,
            Invalid => 1,
            _ => 2,
        }
    }
    match (a, b) {
        (Text(x) | Ref(x) | Email(x, _), Text(y) | Ref(y) | Email(y, _)) => {
            interner.resolve(x).cmp(interner.resolve(y))
        }
        (Bool(x), Bool(y)) => x.cmp(&y),
        (
            Int(x) | DateTime(x) | Days(x) | Duration(x),
            Int(y) | DateTime(y) | Days(y) | Duration(y),
        ) => x.cmp(&y),
        (Date(x), Date(y)) => x.cmp(&y),
        _ => rank(&a).cmp(&rank(&b)),
    }
}

/// Builds every relation: each parent's related rows, sorted by the order
/// column, ties broken by the rows' content so the order never depends on
/// the order of rows in the file.
pub(super) fn build_relations(policy: &Policy, tables: &mut [TableData], interner: &Interner) {
    for (pid, ptable) in policy.tables.iter().enumerate() {
        let mut built = Vec::new();
        for rel in &ptable.relations {
            let parents = tables.get(pid).map_or(0, |t| t.len);
            let Some(child) = tables.get(rel.target) else {
                built.push(RelationIndex::default());
                continue;
            };
            let targets: &[u32] = child
                .refs
                .get(rel.via)
                .and_then(|r| r.as_deref())
                .unwrap_or(&[]);
            let mut counts = vec![0u32; parents + 1];
            for &p in targets {
                if let Some(c) = counts.get_mut(p as usize) {
                    *c += 1;
                }
            }
            let mut offsets = Vec::with_capacity(parents + 1);
            let mut acc = 0u32;
            offsets.push(0);
            for c in counts.iter().take(parents) {
                acc += c;
                offsets.push(acc);
            }
            let mut fill = offsets.clone();
            let mut rows = vec![0u32; acc as usize];
            for (row, &p) in targets.iter().enumerate() {
                if let Some(slot) = fill.get_mut(p as usize)
                    && let Some(cell) = rows.get_mut(*slot as usize)
                {
                    *cell = u32::try_from(row).unwrap_or(u32::MAX);
                    *slot += 1;
                }
            }
            let order = rel.ordered_by;
            let ncols = child.columns.len();
            for p in 0..parents {
                let start = offsets.get(p).copied().unwrap_or(0) as usize;
                let end = offsets.get(p + 1).copied().unwrap_or(0) as usize;
                let Some(slice) = rows.get_mut(start..end) else {
                    continue;
                };
                slice.sort_by(|&a, &b| {
                    let (a, b) = (a as usize, b as usize);
                    let by_order = order.map_or(Ordering::Equal, |o| {
                        let col = child.columns.get(o);
                        let ca = col.map_or(Cell::Missing, |c| c.cell(a, interner.invalid));
                        let cb = col.map_or(Cell::Missing, |c| c.cell(b, interner.invalid));
                        cell_cmp(ca, cb, interner)
                    });
                    by_order
                        .then_with(|| {
                            (0..ncols)
                                .map(|ci| {
                                    let col = child.columns.get(ci);
                                    let ca =
                                        col.map_or(Cell::Missing, |c| c.cell(a, interner.invalid));
                                    let cb =
                                        col.map_or(Cell::Missing, |c| c.cell(b, interner.invalid));
                                    cell_cmp(ca, cb, interner)
                                })
                                .find(|o| *o != Ordering::Equal)
                                .unwrap_or(Ordering::Equal)
                        })
                        .then_with(|| child.line(a).cmp(&child.line(b)))
                });
            }
            let mut incomplete: rustc_hash::FxHashMap<u32, Vec<u64>> = Default::default();
            if let Some(parent) = tables.get(pid) {
                let key_type = policy
                    .tables
                    .get(pid)
                    .and_then(|t| t.key.and_then(|k| t.columns.get(k)))
                    .map(|c| c.ty);
                for o in child.orphans.iter().filter(|o| o.column == rel.via) {
                    if let Some(p) =
                        canonical(o.key, key_type, interner).and_then(|k| parent.row_of(k))
                    {
                        incomplete
                            .entry(u32::try_from(p).unwrap_or(u32::MAX))
                            .or_default()
                            .push(o.line);
                    }
                }
            }
            built.push(RelationIndex {
                offsets,
                rows,
                incomplete,
            });
        }
        if let Some(t) = tables.get_mut(pid) {
            t.relations = built;
        }
    }
}
