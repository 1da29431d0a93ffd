//! A sample of each file (`docket lint --data`): each declared column read
//! as its type over the first part of the file.

use std::sync::Arc;

use super::chunks::{Block, Chunker};
use super::error::DataError;
use super::open::Opened;
use super::parse::BlockParser;
use super::schema::{Schema, TableId};
use super::store::*;
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, io_reason};
use crate::time::LocalResolver;

/// What a sample of one file showed about one declared column.
#[derive(Debug, Clone)]
pub(crate) struct ColumnSample {
    /// The table.
    pub(crate) table: TableId,
    /// The column's index in the table.
    pub(crate) column: usize,
    /// Non-empty cells sampled.
    pub(crate) values: u64,
    /// Of those, cells that did not read as the declared type.
    pub(crate) bad: u64,
    /// The first bad cell: its error.
    pub(crate) first_bad: Option<DataError>,
    /// The file lacks the column (allowed only for a column no rule reads).
    pub(crate) absent: bool,
}

/// A sample of one file.
#[derive(Debug, Clone)]
pub(crate) struct FileSample {
    /// The file as named.
    pub(crate) file: Arc<str>,
    /// The text of the lines holding each column's first bad cell, by physical line.
    pub(crate) lines: Vec<(u64, String)>,
    /// Per declared column.
    pub(crate) columns: Vec<ColumnSample>,
    /// How the file is read, in words (see [`super::FileAccount::how_read`]).
    pub(crate) how: String,
}

/// Reads about `bytes` of the start of every opened file and reads each
/// declared column as its type (`docket lint --data`): how many values read
/// and which did not.
pub(super) fn sample(
    schema: &Schema,
    opened: &[Opened],
    bytes: usize,
) -> Result<Vec<FileSample>, Vec<Diagnostic>> {
    let mut out = Vec::new();
    for o in opened {
        let Some(table) = schema.tables.get(o.table) else {
            continue;
        };
        let file = o.records();
        let block = match file.map(|f| Chunker::new(f, bytes).next_block_in(Vec::new())) {
            // A sheet's rows are in memory: about as many as `bytes` of CSV.
            _ if o.sheet().is_some() => {
                let rows = o.sheet().map_or(0, |s| s.rows.len()).min(bytes / 64 + 1);
                Block::of_rows(0, 0..rows)
            }
            Ok(Ok(Some(b))) => b,
            Ok(Ok(None)) => Block::of_rows(0, 0..0),
            Ok(Err(e)) | Err(e) => {
                return Err(vec![Diagnostic::error(
                    Code::DataMissingFile,
                    format!("cannot read `{}`: {}", o.display(), io_reason(&e)),
                )]);
            }
        };
        let base = o.start.1;
        let used = vec![true; table.columns.len()];
        let mut resolver = LocalResolver::new(schema.zone);
        let (part, _) = BlockParser::new(table, o, &used, None, &[]).parse(block, &mut resolver);
        let mut columns: Vec<ColumnSample> = (0..table.columns.len())
            .map(|column| ColumnSample {
                table: o.table,
                column,
                values: 0,
                bad: 0,
                first_bad: None,
                absent: o.field(column).is_none(),
            })
            .collect();
        for (ci, b) in part.builders.into_iter().enumerate() {
            let (data, refs) = b.finish();
            let n = part.lines.len();
            let present = match &refs {
                Some(t) => (0..n)
                    .filter(|r| !matches!(t.get(*r), TextCell::Missing))
                    .count(),
                None => (0..n)
                    .filter(|r| !matches!(data.cell(*r), Cell::Missing))
                    .count(),
            };
            if let Some(c) = columns.get_mut(ci) {
                c.values = present as u64;
            }
        }
        for mut e in part.errors {
            e.line = e.line + base - 1;
            let Some(header) = e.column.as_deref() else {
                continue;
            };
            if !matches!(
                e.code,
                Code::DataTypeError | Code::DataEncodingError | Code::DataUnknownValue
            ) {
                continue;
            }
            let Some(ci) = table.columns.iter().position(|c| c.header == header) else {
                continue;
            };
            if let Some(c) = columns.get_mut(ci) {
                c.bad += 1;
                // A key that does not read rejects the row, so it was not
                // counted among the values.
                if table.key == Some(ci) {
                    c.values += 1;
                }
                if c.first_bad.is_none() {
                    c.first_bad = Some(e);
                }
            }
        }
        // Only the lines a report will quote are kept, and only from files
        // of the export.
        let wanted: Vec<u64> = columns
            .iter()
            .filter(|_| o.quotable())
            .filter_map(|c| c.first_bad.as_ref().map(|e| e.line))
            .collect();
        let lines = o
            .lines(&wanted.into_iter().collect())
            .into_iter()
            .map(|(n, text)| (n, crate::diagnostic::printable(&text).into_owned()))
            .collect();
        let mut account = o.new_account(&table.name);
        account.footer_lines = o.footer_found().map_or(0, |f| f.count);
        out.push(FileSample {
            file: o.display().clone(),
            lines,
            columns,
            how: account.how_read(),
        });
    }
    Ok(out)
}
