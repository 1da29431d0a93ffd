//! Joining a table's parsed blocks, in order: lines shifted, columns
//! concatenated, keys indexed, rows with a repeated key rejected.

use super::builder::{Builder, builder};
use super::error::{DataError, FileAccount, Reject, excerpt};
use super::footer::FoundFooter;
use super::open::Opened;
use super::parse::ParsedBlock;
use super::schema::TableSchema;
use super::store::*;
use super::typing::key_kind;
use super::values::near_warnings;
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;

/// One table as loaded, before references kept as text are resolved.
pub(super) struct LoadedTable {
    pub(super) data: TableData,
    /// Per column: the text of references, resolved afterwards.
    pub(super) refs: Vec<Option<TextColumn>>,
    pub(super) errors: Vec<DataError>,
    pub(super) warnings: Vec<DataError>,
    pub(super) account: FileAccount,
}

/// A table's blocks joined: lines, columns and the account of every row.
struct Joined {
    lines: LineMap,
    errors: Vec<DataError>,
    warnings: Vec<DataError>,
    near: Vec<super::values::NearMiss>,
    orphans: Vec<Orphan>,
    /// Rows with a data error, sorted.
    errored: Vec<u32>,
    account: FileAccount,
    /// The line after the last block's.
    end_line: u64,
    /// The file's first cell that is not UTF-8 and the encoding it is likely in.
    encoding_guess: Option<(u64, &'static str)>,
    /// Per column: the finished column and, for references resolved later,
    /// their text.
    columns: Vec<(ColumnData, Option<TextColumn>)>,
}

/// The error for a table too large to number its rows or list items in 32
/// bits, found from its blocks before they are joined.
pub(super) fn size_error(o: &Opened, parts: &[ParsedBlock]) -> Option<Diagnostic> {
    let rows = parts.iter().map(|p| p.lines.len()).sum();
    let columns = parts.first().map_or(0, |p| p.builders.len());
    let items = (0..columns)
        .map(|ci| {
            let items = parts.iter().filter_map(|p| p.builders.get(ci));
            items.map(Builder::items).sum::<usize>()
        })
        .max()
        .unwrap_or(0);
    let why = super::row::too_large(rows, items)?;
    Some(Diagnostic::error(
        Code::DataTooLarge,
        format!("cannot load `{}`: {why}", o.display()),
    ))
}

/// Joins a table's blocks, in order: shifts lines, concatenates columns,
/// indexes keys and rejects rows whose key repeats an earlier row's.
pub(super) fn merge(
    table: &TableSchema,
    o: &Opened,
    parts: Vec<ParsedBlock>,
    targets: &[Option<&TableData>],
) -> LoadedTable {
    let mut j = join(table, o, parts, targets);
    let keys = j.index_keys(table, o, targets);
    j.warnings.extend(near_warnings(
        std::mem::take(&mut j.near),
        &table.columns,
        o.display(),
    ));
    if j.account.read == 0 && j.account.skipped == 0 {
        j.warnings.push(no_rows(table, o));
    }
    j.warnings.extend(absent_columns(table, o));
    if let Some(f) = o.footer_found() {
        j.account.footer_lines = f.count;
        let w = footer_warning(table, o, &f, j.end_line);
        // A report's own count of its rows, checked against the rows read.
        if let Some(n) = f
            .grand_total
            .filter(|n| *n != j.account.read + j.account.skipped)
        {
            j.warnings.push(DataError {
                message: format!(
                    "the report's footer says {n} records, but {} rows were read: rows may be missing from the export, or the footer belongs to another report",
                    j.account.read + j.account.skipped
                ),
                ..w.clone()
            });
        }
        j.warnings.push(w);
    }
    if let Some((line, guess)) = j.encoding_guess {
        name_likely_encoding(&mut j.errors, table, line, guess);
    }
    let mut errored = RowBits::default();
    for &r in &j.errored {
        errored.insert(r);
    }
    let len = j.lines.len();
    j.lines.shrink_to_fit();
    let (mut columns, refs): (Vec<ColumnData>, Vec<Option<TextColumn>>) =
        j.columns.into_iter().unzip();
    for c in &mut columns {
        c.shrink_to_fit();
    }
    LoadedTable {
        data: TableData {
            name: table.name.clone(),
            file: o.display().clone(),
            len,
            lines: j.lines,
            columns,
            key_column: table.key,
            keys,
            relations: Vec::new(),
            orphans: j.orphans,
            errored,
        },
        refs,
        errors: j.errors,
        warnings: j.warnings,
        account: j.account,
    }
}

/// The blocks in file order, their lines shifted to the file's and their
/// columns concatenated (each column on its own thread).
fn join(
    table: &TableSchema,
    o: &Opened,
    parts: Vec<ParsedBlock>,
    targets: &[Option<&TableData>],
) -> Joined {
    let mut j = Joined {
        lines: LineMap::new(),
        errors: Vec::new(),
        warnings: Vec::new(),
        near: Vec::new(),
        orphans: Vec::new(),
        errored: Vec::new(),
        account: o.new_account(&table.name),
        end_line: o.start.1,
        encoding_guess: None,
        columns: Vec::new(),
    };
    let mut columns: Vec<Vec<Builder>> = table.columns.iter().map(|_| Vec::new()).collect();
    let mut base = o.start.1;
    for p in parts {
        let newlines = p.newlines;
        for (ci, b) in j.add(p, base).into_iter().enumerate() {
            if let Some(c) = columns.get_mut(ci) {
                c.push(b);
            }
        }
        base += newlines;
    }
    j.end_line = base;
    use rayon::prelude::*;
    j.columns = columns
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
    j
}

impl Joined {
    /// Takes in one block whose first line is the file's line `base`; its
    /// column builders come back to be joined.
    fn add(&mut self, p: ParsedBlock, base: u64) -> Vec<Builder> {
        let shift = |line: u64| line + base - 1;
        let row0 = super::row::row_id(self.lines.len());
        self.lines.extend_shifted(&p.lines, base as i64 - 1);
        for (into, from) in [
            (&mut self.errors, p.errors),
            (&mut self.warnings, p.warnings),
        ] {
            into.extend(from.into_iter().map(|mut e| {
                e.line = shift(e.line);
                e
            }));
        }
        self.near.extend(p.near.into_iter().map(|mut m| {
            m.first = shift(m.first);
            m
        }));
        self.orphans.extend(p.orphans.into_iter().map(|mut x| {
            x.line = shift(x.line);
            x
        }));
        self.errored.extend(p.errored.iter().map(|r| r + row0));
        if self.encoding_guess.is_none() {
            self.encoding_guess = p.encoding_guess.map(|(l, g)| (shift(l), g));
        }
        let a = &mut self.account;
        a.read += p.account.read;
        a.loaded += p.account.loaded;
        a.loaded_with_errors += p.account.loaded_with_errors;
        a.skipped += p.account.skipped;
        for (k, v) in p.account.rejected {
            *a.rejected.entry(k).or_insert(0) += v;
        }
        p.builders
    }

    /// The key index: the first row with a key keeps it; later ones are
    /// data errors and leave the table.
    fn index_keys(
        &mut self,
        table: &TableSchema,
        o: &Opened,
        targets: &[Option<&TableData>],
    ) -> Option<KeyIndex> {
        let k = table.key?;
        let kind = table.columns.get(k).map_or(KeyKind::Text, key_kind);
        let header = table.columns.get(k).map(|c| c.header.clone());
        let Some((ColumnData::Text(kc) | ColumnData::Email(kc), _)) = self.columns.get(k) else {
            return Some(KeyIndex::new(kind));
        };
        let (index, dups) = KeyIndex::build(kind, kc);
        if dups.is_empty() {
            return Some(index);
        }
        let mut keep = vec![true; kc.len()];
        for (row, first) in dups {
            let key = match kc.get(row as usize) {
                TextCell::Value(key) => key,
                _ => "",
            };
            let first_line = self.lines.get(first as usize).unwrap_or(0);
            self.errors.push(DataError {
                code: Code::DataPrimaryKey,
                file: o.display().clone(),
                line: self.lines.get(row as usize).unwrap_or(0),
                column: header.clone(),
                text: Some(excerpt(key)),
                message: format!(
                    "duplicate key `{}`: line {first_line} has it too; this row is ignored",
                    excerpt(key)
                ),
                other_line: Some(first_line),
                cell: None,
            });
            if let Some(k) = keep.get_mut(row as usize) {
                *k = false;
            }
        }
        self.drop_rows(&keep, targets);
        // The index over the remaining rows.
        match self.columns.get(k) {
            Some((ColumnData::Text(kc) | ColumnData::Email(kc), _)) => {
                Some(KeyIndex::build(kind, kc).0)
            }
            _ => Some(index),
        }
    }

    /// Takes the rows `keep` says not to keep out of the table, into the
    /// rejected count; rows they belonged to remember their lines.
    fn drop_rows(&mut self, keep: &[bool], targets: &[Option<&TableData>]) {
        let dropped: Vec<u32> = keep
            .iter()
            .enumerate()
            .filter(|(_, k)| !**k)
            .map(|(r, _)| r as u32)
            .collect();
        for &r in &dropped {
            self.note_parents(r, targets);
        }
        let had_errors = dropped
            .iter()
            .filter(|r| self.errored.binary_search(r).is_ok())
            .count() as u64;
        self.account.loaded -= dropped.len() as u64;
        self.account.loaded_with_errors -= had_errors;
        *self
            .account
            .rejected
            .entry(Reject::DuplicateKey)
            .or_insert(0) += dropped.len() as u64;
        self.columns = std::mem::take(&mut self.columns)
            .into_iter()
            .map(|(c, r)| (c.filter(keep), r.map(|t| t.filter(keep))))
            .collect();
        self.lines = self.lines.filter(keep);
        self.errored = renumber(&self.errored, keep);
    }

    /// A dropped row's references, so its parents know it is gone.
    fn note_parents(&mut self, r: u32, targets: &[Option<&TableData>]) {
        for (ci, (col, refs)) in self.columns.iter().enumerate() {
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
                self.orphans.push(Orphan {
                    column: ci,
                    key: Box::from(s),
                    line: self.lines.get(r as usize).unwrap_or(0),
                });
            }
        }
    }
}

/// Warnings for the declared columns no rule reads that the file lacks.
fn absent_columns<'a>(
    table: &'a TableSchema,
    o: &'a Opened,
) -> impl Iterator<Item = DataError> + 'a {
    let header_line = o.start.1.saturating_sub(1).max(1);
    table
        .columns
        .iter()
        .enumerate()
        .filter(move |(ci, c)| !c.used && o.field(*ci).is_none())
        .map(move |(_, c)| DataError {
            code: Code::DataAbsentColumn,
            file: o.display().clone(),
            line: header_line,
            column: Some(c.header.clone()),
            text: None,
            message: format!(
                "the file has no column \"{}\" (`{}.{}`); no rule reads it, so the audit goes on without it",
                c.header, table.name, c.name
            ),
            other_line: None,
            cell: None,
        })
}

/// The warning for a file with a header and no rows.
fn no_rows(table: &TableSchema, o: &Opened) -> DataError {
    DataError {
        code: Code::DataNoRows,
        file: o.display().clone(),
        line: o.start.1.saturating_sub(1).max(1),
        column: None,
        text: None,
        message: format!(
            "the file has a header and no rows: rules see no {} at all",
            table.name
        ),
        other_line: None,
        cell: None,
    }
}

/// The warning for the lines left out as a footer; `end_line` is the line
/// after the data.
fn footer_warning(table: &TableSchema, o: &Opened, f: &FoundFooter, end_line: u64) -> DataError {
    let what = if o.sheet().is_some() { "row" } else { "line" };
    let s = if f.count == 1 { "" } else { "s" };
    let quoted = f
        .lines
        .iter()
        .map(|l| format!("\"{}\"", super::error::excerpt(l)))
        .collect::<Vec<_>>()
        .join(", ");
    let more = if f.count as usize > f.lines.len() {
        ", …"
    } else {
        ""
    };
    let rule = match &table.dialect.footer {
        super::dialect::Footer::Auto => {
            "they follow a blank line and none could be a row".to_string()
        }
        rule => format!("footer rule `{}`", rule.describe()),
    };
    DataError {
        code: Code::DataFooter,
        file: o.display().clone(),
        line: f.line.unwrap_or(end_line + f.gap),
        column: None,
        text: f.lines.first().map(|l| super::error::excerpt(l)),
        message: format!(
            "{} {what}{s} after the data are read as a report footer and left out ({rule}): {quoted}{more}",
            f.count
        ),
        other_line: None,
        cell: o.sheet().map(|sh| sh.row_ref(f.line.unwrap_or(end_line))),
    }
}

/// Says, in the file's first error about bytes that are not UTF-8, which
/// encoding the file is likely in and how to declare it.
fn name_likely_encoding(errors: &mut [DataError], table: &TableSchema, line: u64, guess: &str) {
    let first = errors
        .iter_mut()
        .find(|e| e.code == Code::DataEncodingError && e.line == line);
    if let Some(e) = first {
        let label = guess.to_ascii_lowercase();
        e.message = format!(
            "{}; the file is likely {guess}: declare `encoding \"{label}\"` in table `{}`, or give `--encoding {}={label}`",
            e.message, table.name, table.name
        );
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
