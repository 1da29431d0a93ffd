//! References between tables and the relations built on them.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::error::{DataError, FileAccount, excerpt};
use super::schema::{Kind, Schema};
use super::store::*;
use crate::diagnostic::Code;

/// Rows found for a chunk of references, and the broken ones with their text.
type Resolved = (Vec<u32>, Vec<(u32, Box<str>)>);

/// Resolves the `ref` columns still held as text (references within a
/// cycle of tables, resolved once all are loaded) to row numbers.
pub(super) fn resolve_refs(
    schema: &Schema,
    tables: &mut [TableData],
    pending: Vec<Vec<Option<TextColumn>>>,
) {
    for (tid, cols) in pending.into_iter().enumerate() {
        for (ci, texts) in cols.into_iter().enumerate() {
            let Some(texts) = texts else { continue };
            let Some(Kind::Ref(target)) = schema
                .tables
                .get(tid)
                .and_then(|t| t.columns.get(ci))
                .map(|c| c.kind)
            else {
                continue;
            };
            let Some(target_table) = tables.get(target) else {
                continue;
            };
            // Lookups only read the target's index: do them in parallel chunks.
            let n = texts.len();
            let chunk = (n / (4 * rayon::current_num_threads()).max(1)).max(4096);
            let pieces: Vec<Resolved> = {
                use rayon::prelude::*;
                (0..n.div_ceil(chunk))
                    .into_par_iter()
                    .map(|c| {
                        let mut rows = Vec::with_capacity(chunk);
                        let mut bad = Vec::new();
                        let mut last: Option<(&str, u32)> = None;
                        for row in c * chunk..((c + 1) * chunk).min(n) {
                            rows.push(match texts.get(row) {
                                TextCell::Missing => NO_ROW,
                                TextCell::Invalid => BAD_REF,
                                TextCell::Value(s) => {
                                    // Rows of one parent often come together (a case's events).
                                    let found = match last {
                                        Some((t, r)) if t == s => Some(r),
                                        _ => target_table
                                            .row_of(s)
                                            .map(|r| u32::try_from(r).unwrap_or(BROKEN)),
                                    };
                                    match found {
                                        Some(r) => {
                                            last = Some((s, r));
                                            r
                                        }
                                        None => {
                                            bad.push((super::row::row_id(row), Box::from(s)));
                                            BROKEN
                                        }
                                    }
                                }
                            });
                        }
                        (rows, bad)
                    })
                    .collect()
            };
            let mut rows = Vec::with_capacity(n);
            let mut broken = FxHashMap::default();
            for (r, b) in pieces {
                rows.extend(r);
                broken.extend(b);
            }
            if let Some(slot) = tables.get_mut(tid).and_then(|d| d.columns.get_mut(ci)) {
                *slot = ColumnData::Ref { rows, broken };
            }
        }
    }
}

/// A data error for every broken reference (a key that does not exist);
/// the referring row stays loaded, and counts as loaded with errors.
pub(super) fn report_broken_refs(
    schema: &Schema,
    tables: &mut [TableData],
    errors: &mut Vec<DataError>,
    accounts: &mut [FileAccount],
) {
    let mut marked: Vec<(usize, u32)> = Vec::new();
    for (tid, data) in tables.iter().enumerate() {
        let Some(table) = schema.tables.get(tid) else {
            continue;
        };
        for (ci, col) in table.columns.iter().enumerate() {
            let Kind::Ref(target) = col.kind else {
                continue;
            };
            let Some(ColumnData::Ref { broken, .. }) = data.columns.get(ci) else {
                continue;
            };
            if broken.is_empty() {
                continue;
            }
            let key_header = schema
                .tables
                .get(target)
                .and_then(|t| t.key.and_then(|k| t.columns.get(k)))
                .map_or_else(String::new, |c| c.header.clone());
            let target_file = tables
                .get(target)
                .map_or_else(|| Arc::from(""), |t| t.file.clone());
            let mut rows_with_errors = BTreeSet::new();
            let mut broken_rows: Vec<(&u32, &Box<str>)> = broken.iter().collect();
            broken_rows.sort_by_key(|(r, _)| **r);
            // Lines of this file that already have an error: a set, so a file
            // full of broken references stays linear.
            let errored: rustc_hash::FxHashSet<u64> = errors
                .iter()
                .filter(|e| e.file == data.file)
                .map(|e| e.line)
                .collect();
            for (row, text) in broken_rows {
                marked.push((tid, *row));
                let line = data.line(*row as usize);
                let text = excerpt(text);
                if !errored.contains(&line) {
                    rows_with_errors.insert(line);
                }
                errors.push(DataError {
                    code: Code::DataForeignKey,
                    file: data.file.clone(),
                    line,
                    column: Some(col.header.clone()),
                    text: Some(text.clone()),
                    message: format!(
                        "`{text}` is not a \"{key_header}\" in {target_file}; rules that need that row are not evaluated for this one"
                    ),
                    other_line: None,
                    cell: None,
                });
            }
            if let Some(a) = accounts.iter_mut().find(|a| a.file == *data.file) {
                a.loaded_with_errors += rows_with_errors.len() as u64;
            }
        }
    }
    for (tid, row) in marked {
        if let Some(t) = tables.get_mut(tid) {
            t.errored.insert(row);
        }
    }
}

/// A total order on cells, text compared by content.
fn cell_cmp(a: Cell, b: Cell) -> Ordering {
    use Cell::*;
    fn rank(c: &Cell) -> u8 {
        match c {
            Missing => 0,
            Invalid => 1,
            _ => 2,
        }
    }
    match (a, b) {
        (Text(x) | Email(x) | BrokenRef(x), Text(y) | Email(y) | BrokenRef(y)) => x.cmp(y),
        (Bool(x), Bool(y)) => x.cmp(&y),
        (
            Int(x) | DateTime(x) | Days(x) | Duration(x),
            Int(y) | DateTime(y) | Days(y) | Duration(y),
        ) => x.cmp(&y),
        (Date(x), Date(y)) => x.cmp(&y),
        (Ref(x), Ref(y)) => x.cmp(&y),
        _ => rank(&a).cmp(&rank(&b)),
    }
}

/// Builds every relation: each parent's related rows, sorted by the order
/// column, ties broken by the rows' content so the order never depends on
/// the order of rows in the file. Dropped child rows find their parent by
/// key first; then, unless `keep_keys`, the key indexes are let go before
/// the relations' own memory is taken.
pub(super) fn build_relations(schema: &Schema, tables: &mut [TableData], keep_keys: bool) {
    let mut dropped: Vec<Vec<Dropped>> = schema
        .tables
        .iter()
        .enumerate()
        .map(|(pid, ptable)| {
            ptable
                .relations
                .iter()
                .map(|rel| dropped_rows(rel, tables.get(rel.target), tables.get(pid)))
                .collect()
        })
        .collect();
    if !keep_keys {
        for t in tables.iter_mut() {
            t.keys = None;
        }
    }
    for (pid, ptable) in schema.tables.iter().enumerate() {
        let parents = tables.get(pid).map_or(0, |t| t.len);
        let mut lost = dropped
            .get_mut(pid)
            .map(std::mem::take)
            .unwrap_or_default()
            .into_iter();
        let built: Vec<RelationIndex> = ptable
            .relations
            .iter()
            .map(|rel| {
                let dropped = lost.next().unwrap_or_default();
                match tables.get(rel.target) {
                    Some(child) => relation(rel, parents, child, dropped),
                    None => RelationIndex::default(),
                }
            })
            .collect();
        if let Some(t) = tables.get_mut(pid) {
            t.relations = built;
        }
    }
}

/// Per parent row, the lines of its child rows that were dropped.
type Dropped = FxHashMap<u32, Vec<u64>>;

/// The lines of the dropped child rows of each parent (found by key).
fn dropped_rows(
    rel: &super::schema::RelationSchema,
    child: Option<&TableData>,
    parent: Option<&TableData>,
) -> Dropped {
    let mut dropped = Dropped::default();
    if let (Some(child), Some(parent)) = (child, parent) {
        for o in child.orphans.iter().filter(|o| o.column == rel.via) {
            if let Some(p) = parent.row_of(&o.key) {
                dropped
                    .entry(super::row::row_id(p))
                    .or_default()
                    .push(o.line);
            }
        }
    }
    dropped
}

/// One relation: the child rows of each of `parents` parents, in order, and
/// the lines of dropped child rows each parent had.
fn relation(
    rel: &super::schema::RelationSchema,
    parents: usize,
    child: &TableData,
    dropped: Dropped,
) -> RelationIndex {
    let targets: &[u32] = match child.columns.get(rel.via) {
        Some(ColumnData::Ref { rows, .. }) => rows,
        _ => &[],
    };
    let (offsets, mut rows) = by_parent(targets, parents);
    sort_runs(
        &offsets,
        &mut rows,
        parents,
        &child_order(child, rel.ordered_by),
    );
    RelationIndex {
        offsets,
        rows,
        dropped,
    }
}

/// Counting sort of child rows by parent: `offsets[p]..offsets[p + 1]`
/// are parent `p`'s rows (in file order) in `rows`.
fn by_parent(targets: &[u32], parents: usize) -> (Vec<u32>, Vec<u32>) {
    let mut offsets = vec![0u32; parents + 1];
    for &p in targets {
        if let Some(c) = offsets.get_mut(p as usize + 1) {
            *c += 1;
        }
    }
    let mut acc = 0u32;
    for o in offsets.iter_mut() {
        acc += *o;
        *o = acc;
    }
    let mut fill: Vec<u32> = offsets.get(..parents).unwrap_or(&[]).to_vec();
    let mut rows = vec![0u32; acc as usize];
    for (row, &p) in targets.iter().enumerate() {
        if let Some(slot) = fill.get_mut(p as usize)
            && let Some(cell) = rows.get_mut(*slot as usize)
        {
            *cell = super::row::row_id(row);
            *slot += 1;
        }
    }
    (offsets, rows)
}

/// How one parent's child rows are sorted: by the order column, ties
/// broken by every cell, then by line.
fn child_order(child: &TableData, ordered_by: Option<usize>) -> impl Fn(&mut [u32]) + Sync + '_ {
    let order = ordered_by.and_then(|o| child.columns.get(o));
    let ncols = child.columns.len();
    // The order column's numbers, read where they lie (the common case).
    // Missing and unreadable are the smallest values, as in `cell_cmp`.
    let (wide, narrow): (Option<&[i64]>, Option<&[i32]>) = match order {
        Some(
            ColumnData::DateTime(v)
            | ColumnData::Int(v)
            | ColumnData::Days(v)
            | ColumnData::Duration(v),
        ) => (Some(v), None),
        Some(ColumnData::Date(v)) => (None, Some(v)),
        _ => (None, None),
    };
    let number = move |r: usize| -> Option<i64> {
        match (wide, narrow) {
            (Some(v), _) => v.get(r).copied(),
            (_, Some(v)) => v.get(r).map(|d| i64::from(*d)),
            _ => None,
        }
    };
    let numeric = wide.is_some() || narrow.is_some();
    move |slice: &mut [u32]| {
        slice.sort_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            let by_order = if numeric {
                number(a).cmp(&number(b))
            } else {
                order.map_or(Ordering::Equal, |c| cell_cmp(c.cell(a), c.cell(b)))
            };
            by_order
                .then_with(|| {
                    (0..ncols)
                        .filter_map(|ci| child.columns.get(ci))
                        .map(|c| cell_cmp(c.cell(a), c.cell(b)))
                        .find(|o| *o != Ordering::Equal)
                        .unwrap_or(Ordering::Equal)
                })
                .then_with(|| child.line(a).cmp(&child.line(b)))
        });
    }
}

/// Sorts each parent's rows on their own: the parents cut into a few dozen
/// runs, the runs sorted in parallel.
fn sort_runs(
    offsets: &[u32],
    rows: &mut [u32],
    parents: usize,
    sort: &(dyn Fn(&mut [u32]) + Sync),
) {
    let pieces = 64 * rayon::current_num_threads();
    let per = parents.div_ceil(pieces.max(1)).max(1);
    let mut runs: Vec<(usize, &mut [u32])> = Vec::with_capacity(pieces);
    let mut rest: &mut [u32] = rows;
    let mut first = 0;
    while first < parents {
        let last = (first + per).min(parents);
        let at = |p: usize| offsets.get(p).copied().unwrap_or(0) as usize;
        let n = (at(last) - at(first)).min(rest.len());
        let (head, tail) = std::mem::take(&mut rest).split_at_mut(n);
        rest = tail;
        runs.push((first, head));
        first = last;
    }
    use rayon::prelude::*;
    runs.par_iter_mut().for_each(|(first, run)| {
        let base = offsets.get(*first).copied().unwrap_or(0) as usize;
        let mut p = *first;
        let mut done = 0;
        while done < run.len() {
            let end = (offsets.get(p + 1).copied().unwrap_or(0) as usize)
                .saturating_sub(base)
                .min(run.len());
            if let Some(one) = run.get_mut(done..end)
                && one.len() > 1
            {
                sort(one);
            }
            done = end.max(done);
            p += 1;
            if p > parents {
                break;
            }
        }
    });
}
