//! Reading a table from a sheet of a workbook (`.xlsx`, `.xlsm`, `.xlsb`,
//! `.xls`, `.ods`), with `calamine`.
//!
//! A sheet's rows are records like a CSV file's lines, numbered as the
//! workbook numbers them, so a data error names the workbook, the sheet and
//! the cell (`cases.xlsx › Cases!F12`). Excel's typed cells keep their
//! type: a date or date-time cell (a serial number shown as a date) is read
//! as that local date or time in the policy's zone, whatever the column's
//! text formats; a number is read as the text Excel shows for it without
//! its format (`12`, `0.5`), a yes/no cell as `true`/`false`; a cell
//! holding an error value (`#N/A`) is a data error. Text cells go through
//! the usual parsers.

use std::io::{Cursor, Read};
use std::sync::Arc;

use calamine::{Data, Reader};
use chrono::NaiveDateTime;

use super::dialect::{Dialect, Footer};
use super::footer::{FoundFooter, Trailing, footer_of, grand_total};
use super::open::{Input, Opened, map_columns, opened_sheet, unreadable};
use super::schema::{TableId, TableSchema};
use super::sniff::HowRead;
use crate::diagnostic::{Code, Diagnostic, did_you_mean};

/// A footer row holds at most this many characters.
const MAX_FOOTER_CHARS: usize = 300;

/// What a cell of a sheet holds beyond its text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CellKind {
    /// Text, a number or a yes/no value: read through the column's parser.
    Text,
    /// A date or date-time (Excel's serial number, as local time).
    Stamp(NaiveDateTime),
    /// An error value such as `#N/A`.
    Error,
}

/// One cell: its text (a date as ISO 8601) and its kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SheetCell {
    pub(crate) text: String,
    pub(crate) kind: CellKind,
}

/// One row of data: its number in the sheet and its cells, one per field.
#[derive(Debug, Clone)]
pub(crate) struct SheetRow {
    pub(crate) number: u64,
    pub(crate) cells: Vec<SheetCell>,
}

/// A sheet's data rows (after the header, without blank rows and footer).
#[derive(Debug)]
pub(crate) struct Sheet {
    /// The sheet's name.
    pub(crate) name: String,
    /// The column (0-based) of the first field.
    pub(crate) first_column: u32,
    pub(crate) rows: Vec<SheetRow>,
    /// The header row's number and names.
    header: (u64, Vec<String>),
}

impl Sheet {
    /// The cell reference of field `field` on row `row`: `Cases!F12`.
    pub(crate) fn cell_ref(&self, field: usize, row: u64) -> String {
        let col = self.first_column as usize + field;
        format!("{}!{}{row}", quote_sheet(&self.name), column_letters(col))
    }

    /// The reference of row `row`: `Cases!12:12`.
    pub(crate) fn row_ref(&self, row: u64) -> String {
        format!("{}!{row}:{row}", quote_sheet(&self.name))
    }

    /// The header and rows as CSV text, each row on the line of its number
    /// (for showing rows as they are in the workbook).
    pub(crate) fn as_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut line = 1;
        let rows = std::iter::once((self.header.0, self.header.1.clone())).chain(
            self.rows.iter().map(|r| {
                let cells = r.cells.iter().map(|c| c.text.replace(['\n', '\r'], " "));
                (r.number, cells.collect())
            }),
        );
        for (number, cells) in rows {
            while line < number {
                out.push(b'\n');
                line += 1;
            }
            let mut w = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(Vec::new());
            let _ = w.write_record(&cells);
            out.extend(w.into_inner().unwrap_or_default());
            line += 1;
        }
        out
    }
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column.
pub(crate) fn column_letters(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// A sheet name as a cell reference writes it: quoted when it holds
/// anything but letters, digits and `_`.
fn quote_sheet(name: &str) -> String {
    if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// Whether `input` is a workbook: a ZIP archive (`.xlsx`, `.xlsm`,
/// `.xlsb`, `.ods`) or an OLE compound file (`.xls`), from its first bytes.
pub(crate) fn is_workbook(input: &Input) -> std::io::Result<bool> {
    let mut head = [0u8; 8];
    let mut n = 0;
    let mut f = input.open_at(0)?;
    while n < head.len() {
        match f.read(head.get_mut(n..).unwrap_or(&mut [])) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(matches!(
        head,
        [b'P', b'K', 3, 4, ..] | [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    ))
}

/// Opens table `t`'s sheet in the workbook `input` and maps its header.
pub(super) fn open_sheet(
    tid: TableId,
    t: &TableSchema,
    input: Input,
    quote: bool,
    dialect: &Dialect,
) -> Result<Opened, Vec<Diagnostic>> {
    let display: Arc<str> = Arc::from(input.display());
    let mut bytes = Vec::new();
    input
        .open_at(0)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| vec![unreadable(t, &display, &e)])?;
    let bad_workbook = |why: String| {
        vec![
            Diagnostic::error(
                Code::DataWorkbook,
                format!("cannot read the workbook `{display}`: {why}"),
            )
            .with_label(t.span, format!("table `{}` reads it", t.name))
            .with_help("save it again from Excel as .xlsx, or export the sheet as CSV UTF-8"),
        ]
    };
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| bad_workbook(e.to_string()))?;
    let names = book.sheet_names();
    let name = pick_sheet(&names, dialect, t, &display)?;
    let range = book
        .worksheet_range(&name)
        .map_err(|e| bad_workbook(e.to_string()))?;
    let sheet = read_rows(&range, &name, dialect);
    let Some((header_row, header)) = sheet.header_row else {
        return Err(vec![
            Diagnostic::error(
                Code::DataNoHeader,
                format!("sheet `{name}` of `{display}` is empty"),
            )
            .with_label(t.span, format!("table `{}` reads it", t.name))
            .with_help("the sheet's first filled row names the columns"),
        ]);
    };
    let fields = map_columns(t, &header, &format!("{display} › {name}"), quote, None)?;
    let how = HowRead {
        format: "xlsx",
        sheet: Some(name.clone()),
        lines_before_header: dialect.skip_lines,
        header_line: header_row,
        detected: if sheet.footer.is_some() && dialect.footer == Footer::Auto {
            vec!["footer".to_string()]
        } else {
            Vec::new()
        },
        ..HowRead::default()
    };
    let data = Arc::new(Sheet {
        name,
        first_column: sheet.first_column,
        rows: sheet.rows,
        header: (header_row, header.clone()),
    });
    Ok(opened_sheet(
        tid,
        display,
        input,
        header_row + 1,
        header,
        fields,
        quote,
        data,
        how,
        sheet.footer,
    ))
}

/// The sheet the dialect names, or the first.
fn pick_sheet(
    names: &[String],
    dialect: &Dialect,
    t: &TableSchema,
    display: &str,
) -> Result<String, Vec<Diagnostic>> {
    let listed = || {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &dialect.sheet {
        Some(want) => names.iter().find(|n| *n == want).cloned().ok_or_else(|| {
            vec![
                Diagnostic::error(
                    Code::DataNoSheet,
                    format!("the workbook `{display}` has no sheet `{want}`"),
                )
                .with_label(t.span, format!("table `{}` reads it", t.name))
                .with_help(
                    did_you_mean(want, names.iter().map(String::as_str))
                        .unwrap_or_else(|| format!("its sheets are {}", listed())),
                ),
            ]
        }),
        None => names.first().cloned().ok_or_else(|| {
            vec![
                Diagnostic::error(
                    Code::DataNoSheet,
                    format!("the workbook `{display}` has no sheets"),
                )
                .with_label(t.span, format!("table `{}` reads it", t.name)),
            ]
        }),
    }
}

/// A sheet's rows, read.
struct Rows {
    header_row: Option<(u64, Vec<String>)>,
    first_column: u32,
    rows: Vec<SheetRow>,
    footer: Option<FoundFooter>,
}

/// The rows of `range`: the header (the first filled row after the rows to
/// skip), the data rows, and the footer the dialect's rule finds.
fn read_rows(range: &calamine::Range<Data>, _name: &str, dialect: &Dialect) -> Rows {
    let (top, left) = range.start().unwrap_or((0, 0));
    let mut header_row: Option<(u64, Vec<String>)> = None;
    let mut rows = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let number = u64::from(top) + i as u64 + 1;
        if number <= dialect.skip_lines {
            continue;
        }
        let cells: Vec<SheetCell> = row.iter().map(cell).collect();
        if cells.iter().all(|c| c.text.trim().is_empty()) {
            if header_row.is_some() && dialect.footer == Footer::BlankLine {
                // The data ends at the first blank row.
                rows.push(SheetRow {
                    number,
                    cells: Vec::new(),
                });
            }
            continue;
        }
        if header_row.is_none() {
            header_row = Some((
                number,
                cells.iter().map(|c| c.text.trim().to_string()).collect(),
            ));
            continue;
        }
        rows.push(SheetRow { number, cells });
    }
    let footer = split_footer(
        &mut rows,
        dialect,
        header_row.as_ref().map_or(0, |h| h.1.len()),
    );
    rows.retain(|r| !r.cells.is_empty());
    Rows {
        header_row,
        first_column: left,
        rows,
        footer,
    }
}

/// Takes the footer off the end of `rows` (blank rows are empty, and only
/// kept with the rule "the data ends at the first blank row").
fn split_footer(
    rows: &mut Vec<SheetRow>,
    dialect: &Dialect,
    header_len: usize,
) -> Option<FoundFooter> {
    if dialect.footer == Footer::BlankLine {
        let at = rows.iter().position(|r| r.cells.is_empty())?;
        let rest = rows.split_off(at);
        let lines: Vec<String> = rest
            .iter()
            .filter(|r| !r.cells.is_empty())
            .map(row_text)
            .collect();
        let first = rest.iter().find(|r| !r.cells.is_empty())?;
        return Some(FoundFooter {
            end: first.number,
            gap: 0,
            line: Some(first.number),
            count: lines.len() as u64,
            grand_total: lines.iter().find_map(|l| grand_total(l)),
            lines: lines.into_iter().take(super::footer::QUOTED).collect(),
        });
    }
    // Blank rows are not kept: a footer is short rows after a gap in the numbering.
    let tail: Vec<Trailing> = rows
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            let gap = i > 0 && rows.get(i - 1).is_some_and(|p| p.number + 1 < r.number);
            let blank = gap.then(|| Trailing {
                blank: true,
                short: false,
                text: String::new(),
                value: None,
                grand_total: None,
            });
            blank
                .into_iter()
                .chain(std::iter::once(trailing(r, header_len)))
        })
        .collect();
    let (end, found) = footer_of(&tail, &dialect.footer)?;
    let kept = tail.get(..end)?.iter().filter(|l| !l.blank).count();
    let rest = rows.split_off(kept);
    let first = rest.first()?.number;
    Some(FoundFooter {
        end: first,
        gap: 0,
        line: Some(first),
        count: found.len() as u64,
        grand_total: found.iter().find_map(|i| tail.get(*i)?.grand_total),
        lines: found
            .iter()
            .take(super::footer::QUOTED)
            .filter_map(|i| tail.get(*i).map(|l| l.text.clone()))
            .collect(),
    })
}

/// A row as the footer rules see it: short when one cell is filled.
fn trailing(r: &SheetRow, header_len: usize) -> Trailing {
    let filled: Vec<&SheetCell> = r
        .cells
        .iter()
        .filter(|c| !c.text.trim().is_empty())
        .collect();
    let text = row_text(r);
    let one = match filled.as_slice() {
        [one] => Some(one.text.trim().to_string()),
        _ => None,
    };
    Trailing {
        blank: filled.is_empty(),
        short: one.is_some() && header_len > 1 && text.chars().count() <= MAX_FOOTER_CHARS,
        grand_total: one.as_deref().and_then(grand_total),
        text: one.clone().unwrap_or(text),
        value: one,
    }
}

/// A row's filled cells, as one line.
fn row_text(r: &SheetRow) -> String {
    r.cells
        .iter()
        .map(|c| c.text.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A cell's text and kind.
fn cell(d: &Data) -> SheetCell {
    let text = |s: String| SheetCell {
        text: s,
        kind: CellKind::Text,
    };
    match d {
        Data::Empty => text(String::new()),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => text(s.clone()),
        Data::Int(i) => text(i.to_string()),
        Data::Float(f) => text(number(*f)),
        Data::Bool(b) => text(b.to_string()),
        Data::Error(e) => SheetCell {
            text: e.to_string(),
            kind: CellKind::Error,
        },
        Data::DateTime(dt) if dt.is_duration() => text(duration(dt.as_f64())),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(ndt) => SheetCell {
                text: ndt.format("%Y-%m-%dT%H:%M:%S").to_string(),
                kind: CellKind::Stamp(ndt),
            },
            None => SheetCell {
                text: number(dt.as_f64()),
                kind: CellKind::Error,
            },
        },
    }
}

/// A number as Excel shows it in the General format: whole numbers
/// without a fraction.
fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// An Excel duration (days) as docket writes durations: `1h 30m 5s`.
fn duration(days: f64) -> String {
    let secs = (days * 86_400.0).round() as i64;
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut parts = vec![format!("{h}h")];
    if m != 0 {
        parts.push(format!("{m}m"));
    }
    if s != 0 {
        parts.push(format!("{s}s"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_lettered_like_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(5), "F");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(quote_sheet("Cases"), "Cases");
        assert_eq!(quote_sheet("Case list"), "'Case list'");
    }

    #[test]
    fn typed_cells_keep_their_kind() {
        let err = cell(&Data::Error(calamine::CellErrorType::NA));
        assert_eq!((err.text.as_str(), &err.kind), ("#N/A", &CellKind::Error));
        let b = cell(&Data::Bool(true));
        assert_eq!((b.text.as_str(), &b.kind), ("true", &CellKind::Text));
        let dt = cell(&Data::DateTime(calamine::ExcelDateTime::new(
            45_964.375,
            calamine::ExcelDateTimeType::DateTime,
            false,
        )));
        assert_eq!(dt.text, "2025-11-03T09:00:00");
        assert!(matches!(dt.kind, CellKind::Stamp(_)));
        assert_eq!(cell(&Data::Float(3.0)).text, "3");
    }

    #[test]
    fn numbers_and_durations_read_as_excel_shows_them() {
        assert_eq!(number(12.0), "12");
        assert_eq!(number(0.5), "0.5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(duration(1.5 / 24.0), "1h 30m");
        assert_eq!(duration(2.0), "48h");
    }
}
