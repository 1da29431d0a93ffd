//! Joining a table's parsed blocks, in order: lines shifted, columns
//! concatenated, keys indexed, rows with a repeated key rejected.

use super::builder::{Builder, builder};
use super::error::{DataError, FileAccount, Reject, excerpt};
use super::open::Opened;
use super::parse::Part;
use super::schema::TableSchema;
use super::store::*;
use super::typing::key_kind;
use super::values::near_warnings;

/// One table as loaded, before references kept as text are resolved.
pub(super) struct Loaded {
    pub(super) data: TableData,
    /// Per column: the text of references, resolved afterwards.
    pub(super) refs: Vec<Option<TextColumn>>,
    pub(super) errors: Vec<DataError>,
    pub(super) warnings: Vec<DataError>,
    pub(super) account: FileAccount,
}

/// Joins a table's blocks, in order: shifts lines, concatenates columns,
/// indexes keys and rejects rows whose key repeats an earlier row's.
pub(super) fn merge(
    table: &TableSchema,
    o: &Opened,
    parts: Vec<Part>,
    targets: &[Option<&TableData>],
) -> Loaded {
    let mut account = FileAccount {
        file: o.display().to_string(),
        table: table.name.clone(),
        ..FileAccount::default()
    };
    let mut lines = LineMap::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut near = Vec::new();
    let mut orphans = Vec::new();
    let mut errored = Vec::new();
    let ncols = table.columns.len();
    let mut columns: Vec<Vec<Builder>> = (0..ncols).map(|_| Vec::new()).collect();
    let mut base = o.start.1;
    for p in parts {
        let shift = |line: u64| line + base - 1;
        let row0 = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        lines.extend_shifted(&p.lines, base as i64 - 1);
        errors.extend(p.errors.into_iter().map(|mut e| {
            e.line = shift(e.line);
            e
        }));
        warnings.extend(p.warnings.into_iter().map(|mut e| {
            e.line = shift(e.line);
            e
        }));
        near.extend(p.near.into_iter().map(|mut m| {
            m.first = shift(m.first);
            m
        }));
        orphans.extend(p.orphans.into_iter().map(|mut x| {
            x.line = shift(x.line);
            x
        }));
        errored.extend(p.errored.iter().map(|r| r + row0));
        account.read += p.account.read;
        account.loaded += p.account.loaded;
        account.loaded_with_errors += p.account.loaded_with_errors;
        account.skipped += p.account.skipped;
        for (k, v) in p.account.rejected {
            *account.rejected.entry(k).or_insert(0) += v;
        }
        for (ci, b) in p.builders.into_iter().enumerate() {
            if let Some(c) = columns.get_mut(ci) {
                c.push(b);
            }
        }
        base += p.newlines;
    }
    // Columns join independently: in parallel.
    use rayon::prelude::*;
    let mut finished: Vec<(ColumnData, Option<TextColumn>)> = columns
        .into_par_iter()
        .enumerate()
        .map(|(ci, parts)| {
            let empty = table
                .columns
                .get(ci)
                .map(|c| builder(c, true, targets.get(ci).is_some_and(Option::is_some)))
                .unwrap_or(Builder::Unused);
            ColumnData::concat(
                empty.finish(),
                parts.into_iter().map(Builder::finish).collect(),
            )
        })
        .collect();
    // Keys: the first row with a key keeps it; later ones are rejected.
    let mut keys = None;
    let mut keep: Option<Vec<bool>> = None;
    if let Some(k) = table.key {
        let kind = table.columns.get(k).map_or(KeyKind::Text, key_kind);
        let header = table.columns.get(k).map(|c| c.header.clone());
        if let Some((col, _)) = finished.get(k)
            && let ColumnData::Text(kc) | ColumnData::Email(kc) = col
        {
            let (index, dups) = KeyIndex::build(kind, kc);
            for (row, first) in dups {
                let key = match kc.get(row as usize) {
                    TextCell::Value(key) => key,
                    _ => "",
                };
                let first_line = lines.get(first as usize).unwrap_or(0);
                let line = lines.get(row as usize).unwrap_or(0);
                errors.push(DataError {
                    code: "docket::data::primary-key",
                    file: o.display().clone(),
                    line,
                    column: header.clone(),
                    text: Some(excerpt(key)),
                    message: format!(
                        "duplicate key `{}`: line {first_line} has it too; this row is ignored",
                        excerpt(key)
                    ),
                    other_line: Some(first_line),
                });
                if let Some(k) = keep
                    .get_or_insert_with(|| vec![true; kc.len()])
                    .get_mut(row as usize)
                {
                    *k = false;
                }
            }
            keys = Some(index);
        } else {
            keys = Some(KeyIndex::new(kind));
        }
    }
    if let Some(keep) = &keep {
        // Rows of duplicate keys: out of the table, into the rejected count.
        let dropped: Vec<u32> = keep
            .iter()
            .enumerate()
            .filter(|(_, k)| !**k)
            .map(|(r, _)| r as u32)
            .collect();
        for &r in &dropped {
            for (ci, (col, refs)) in finished.iter().enumerate() {
                let text = match (refs, col, targets.get(ci).copied().flatten()) {
                    (Some(t), _, _) => match t.get(r as usize) {
                        TextCell::Value(s) => Some(s),
                        _ => None,
                    },
                    // Resolved while parsing: the key of the row it found, or its broken text.
                    (None, ColumnData::Ref { rows, broken }, Some(target)) => {
                        match rows.get(r as usize).copied() {
                            Some(BROKEN) => broken.get(&r).map(|b| &**b),
                            Some(row) => target.key_of(row as usize),
                            None => None,
                        }
                    }
                    _ => None,
                };
                if let Some(s) = text {
                    orphans.push(Orphan {
                        column: ci,
                        key: Box::from(s),
                        line: lines.get(r as usize).unwrap_or(0),
                    });
                }
            }
        }
        let had_errors = dropped
            .iter()
            .filter(|r| errored.binary_search(r).is_ok())
            .count() as u64;
        account.loaded -= dropped.len() as u64;
        account.loaded_with_errors -= had_errors;
        *account.rejected.entry(Reject::DuplicateKey).or_insert(0) += dropped.len() as u64;
        finished = finished
            .into_iter()
            .map(|(c, r)| (c.filter(keep), r.map(|t| t.filter(keep))))
            .collect();
        lines = lines.filter(keep);
        errored = renumber(&errored, keep);
        // Rebuild the index over the remaining rows.
        if let (Some(k), Some(index)) = (table.key, keys.as_mut())
            && let Some((col, _)) = finished.get(k)
            && let ColumnData::Text(kc) | ColumnData::Email(kc) = col
        {
            *index = KeyIndex::build(index.kind, kc).0;
        }
    }
    let len = lines.len();
    lines.shrink_to_fit();
    warnings.extend(near_warnings(near, &table.columns, o.display()));
    if account.read == 0 && account.skipped == 0 {
        warnings.push(DataError {
            code: "docket::data::no-rows",
            file: o.display().clone(),
            line: o.start.1.saturating_sub(1).max(1),
            column: None,
            text: None,
            message: format!(
                "the file has a header and no rows: rules see no {} at all",
                table.name
            ),
            other_line: None,
        });
    }
    let mut errored_rows = RowBits::default();
    for r in errored {
        errored_rows.insert(r);
    }
    let (mut columns, refs): (Vec<ColumnData>, Vec<Option<TextColumn>>) =
        finished.into_iter().unzip();
    for c in &mut columns {
        c.shrink_to_fit();
    }
    Loaded {
        data: TableData {
            name: table.name.clone(),
            file: o.display().clone(),
            len,
            lines,
            columns,
            key_column: table.key,
            keys,
            relations: Vec::new(),
            orphans,
            errored: errored_rows,
        },
        refs,
        errors,
        warnings,
        account,
    }
}

/// Sorted row numbers of rows kept by `keep`, renumbered as the kept rows are.
pub(super) fn renumber(rows: &[u32], keep: &[bool]) -> Vec<u32> {
    let mut out = Vec::with_capacity(rows.len());
    let mut kept_before = 0u32;
    let mut next = rows.iter().peekable();
    for (r, k) in keep.iter().enumerate() {
        if next.peek().is_some_and(|x| **x as usize == r) {
            next.next();
            if *k {
                out.push(kept_before);
            }
        }
        if *k {
            kept_before += 1;
        }
    }
    out
}
