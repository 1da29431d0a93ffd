//! Parsing one block of one table's file into column builders, with a
//! data error for every cell or row that does not read.

use std::sync::Arc;

use super::builder::{Builder, builder};
use super::cell::trim;
use super::chunks::Block;
use super::csvread::{Record, SliceReader};
use super::error::{DataError, FileAccount, Reject, excerpt};
use super::open::Opened;
use super::refs::{LaterKey, RefCursor};
use super::schema::{ColumnSchema, Kind, TableSchema, ValueType};
use super::sheet::{CellKind, SheetCell};
use super::store::*;
use super::typing::*;
use super::values::{NearMiss, Outside, ValueSet};
use crate::diagnostic::Code;
use crate::time::LocalResolver;

/// One block of one file, parsed; lines are relative to the block's start.
pub(super) struct ParsedBlock {
    /// Line breaks in the block (where the next block's lines start).
    pub(super) newlines: u64,
    pub(super) builders: Vec<Builder>,
    pub(super) lines: LineMap,
    pub(super) errors: Vec<DataError>,
    pub(super) warnings: Vec<DataError>,
    /// Values close to an open set's declared ones.
    pub(super) near: Vec<NearMiss>,
    pub(super) orphans: Vec<Orphan>,
    pub(super) account: FileAccount,
    /// Rows (within the block) that have a data error.
    pub(super) errored: Vec<u32>,
    /// The block's first cell that is not UTF-8 (its line) and the
    /// encoding the block is likely in, for a file of undeclared encoding.
    pub(super) encoding_guess: Option<(u64, &'static str)>,
}

/// How one column of a block is read.
struct Plan<'t> {
    col: &'t ColumnSchema,
    field: usize,
    is_key: bool,
    default: Option<Tmp<'t>>,
    /// For a reference into a table loaded before this one: that table.
    target: Option<&'t TableData>,
    /// The values a text column declares (`one of`).
    values: Option<ValueSet<'t>>,
}

/// Where the data errors and warnings of one record go.
pub(super) struct RowCtx<'a> {
    file: &'a Opened,
    display: &'a Arc<str>,
    line: u64,
    errors: &'a mut Vec<DataError>,
    warnings: &'a mut Vec<DataError>,
    /// Whether the record had a data error.
    errored: bool,
    /// Why the record is rejected, if it is.
    reject: Option<Reject>,
    /// A cell of the record is not UTF-8.
    bad_utf8: bool,
}

impl RowCtx<'_> {
    fn error(&mut self, code: Code, column: Option<&str>, text: Option<&str>, message: String) {
        self.errored = true;
        let e = self.note(code, column, text, message);
        self.errors.push(e);
    }

    /// A value read, but only after interpreting it: said, never an error.
    fn warn(&mut self, code: Code, column: Option<&str>, text: Option<&str>, message: String) {
        let w = self.note(code, column, text, message);
        self.warnings.push(w);
    }

    fn note(
        &self,
        code: Code,
        column: Option<&str>,
        text: Option<&str>,
        message: String,
    ) -> DataError {
        DataError {
            code,
            file: self.display.clone(),
            line: self.line,
            column: column.map(str::to_string),
            text: text.map(excerpt),
            message,
            other_line: None,
            cell: self.cell(column),
        }
    }

    /// A sheet's cell (`Cases!F12`), or its row (`Cases!12:12`).
    #[cold]
    fn cell(&self, column: Option<&str>) -> Option<String> {
        let sheet = self.file.sheet()?;
        let row = self.line + self.file.start_line() - 1;
        match column.and_then(|h| self.file.field_named(h)) {
            Some(f) => Some(sheet.cell_ref(f, row)),
            None => Some(sheet.row_ref(row)),
        }
    }

    /// A key cell that does not read: the row cannot be found or named.
    fn reject_key(&mut self, plan: &Plan, why: Reject) {
        if plan.is_key {
            self.reject.get_or_insert(why);
        }
    }
}

/// What a block's parse builds up: the columns, and the account of its rows.
struct Built {
    builders: Vec<Builder>,
    cursors: Vec<RefCursor>,
    lines: LineMap,
    errors: Vec<DataError>,
    warnings: Vec<DataError>,
    orphans: Vec<Orphan>,
    account: FileAccount,
    errored: Vec<u32>,
    outside: Outside,
    /// The line of the block's first cell that is not UTF-8.
    first_bad_utf8: Option<u64>,
}

/// The bytes of the block being parsed: the whole text when it is UTF-8
/// (cells of plain records are then slices of it), and where it lies.
#[derive(Clone, Copy)]
struct Bytes<'b> {
    all: &'b [u8],
    text: Option<&'b str>,
}

impl Bytes<'_> {
    /// Where `s` lies in the block, when it is a slice of it.
    fn offset_of(&self, s: &str) -> Option<(usize, usize)> {
        let start = self.all.as_ptr() as usize;
        let at = (s.as_ptr() as usize).checked_sub(start)?;
        (at + s.len() <= self.all.len()).then_some((at, at + s.len()))
    }
}

/// Parses the blocks of one table's file: each record split into the
/// declared columns, each cell typed, references resolved to rows of tables
/// loaded before, and a data error for whatever does not read.
pub(super) struct BlockParser<'t> {
    table: &'t TableSchema,
    file: &'t Opened,
    plans: Vec<Plan<'t>>,
    /// Used columns (others are checked, not stored).
    used: &'t [bool],
    /// Reference columns, for the parents of rejected rows.
    ref_columns: Vec<usize>,
    /// `docket case`: the records to keep.
    keep: Option<&'t super::select::TableFilter>,
}

impl<'t> BlockParser<'t> {
    /// A parser for `table` read from `file`; `targets` are the tables its
    /// references point into that are loaded already.
    pub(super) fn new(
        table: &'t TableSchema,
        file: &'t Opened,
        used: &'t [bool],
        keep: Option<&'t super::select::TableFilter>,
        targets: &[Option<&'t TableData>],
    ) -> BlockParser<'t> {
        let plans = table
            .columns
            .iter()
            .enumerate()
            .map(|(ci, col)| Plan {
                col,
                field: file.field(ci).unwrap_or(usize::MAX),
                is_key: table.key == Some(ci),
                default: col.default.as_ref().map(default_tmp),
                target: targets.get(ci).copied().flatten(),
                values: ValueSet::of(col),
            })
            .collect();
        let ref_columns = table.ref_columns();
        BlockParser {
            table,
            file,
            plans,
            used,
            ref_columns,
            keep,
        }
    }

    /// Parses one block; its buffer comes back for reuse.
    pub(super) fn parse(
        &self,
        block: Block,
        resolver: &mut LocalResolver,
    ) -> (ParsedBlock, Vec<u8>) {
        if let Some(rows) = block.rows.clone() {
            return (self.parse_rows(rows, resolver), block.bytes);
        }
        if let Some(n) = self.skipped(&block) {
            return (self.only_counted(block.newlines, n), block.bytes);
        }
        let bytes = Bytes {
            all: &block.bytes,
            text: std::str::from_utf8(&block.bytes).ok(),
        };
        let mut built = self.start(block.newlines);
        let mut reader = SliceReader::new(&block.bytes);
        while let Some(rec) = reader.next_record() {
            // The file's line for a line of this block, for messages.
            let at = rec.line + self.file.start_line() - 1 + block.lines_before;
            self.record(&rec, at, bytes, &mut built, resolver);
        }
        drop(reader);
        let part = self.finish(built, bytes, block.newlines);
        (part, block.bytes)
    }

    /// Rows `rows` of the table's sheet.
    fn parse_rows(
        &self,
        rows: std::ops::Range<usize>,
        resolver: &mut LocalResolver,
    ) -> ParsedBlock {
        let Some(sheet) = self.file.sheet() else {
            return self.only_counted(0, 0);
        };
        let mut built = self.start(rows.len() as u64);
        let bytes = Bytes {
            all: &[],
            text: None,
        };
        let (mut out, mut ends) = (Vec::new(), Vec::new());
        let base = self.file.start_line();
        for row in sheet.rows.get(rows).unwrap_or(&[]) {
            out.clear();
            ends.clear();
            for c in &row.cells {
                out.extend_from_slice(c.text.as_bytes());
                ends.push(out.len());
            }
            let rec = Record::of_cells(row.number + 1 - base, &out, &ends, &row.cells);
            self.record(&rec, row.number, bytes, &mut built, resolver);
        }
        self.finish(built, bytes, 0)
    }

    /// `docket case`: a block without the values wanted is only counted.
    fn skipped(&self, block: &Block) -> Option<u64> {
        let k = self.keep?;
        if k.may_keep(&block.bytes) {
            return None;
        }
        super::csvread::count_unquoted_records(&block.bytes)
    }

    fn account(&self) -> FileAccount {
        self.file.new_account(&self.table.name)
    }

    fn only_counted(&self, newlines: u64, n: u64) -> ParsedBlock {
        ParsedBlock {
            newlines,
            builders: Vec::new(),
            lines: LineMap::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            near: Vec::new(),
            orphans: Vec::new(),
            account: FileAccount {
                skipped: n,
                ..self.account()
            },
            errored: Vec::new(),
            encoding_guess: None,
        }
    }

    fn start(&self, newlines: u64) -> Built {
        let mut builders: Vec<Builder> = self
            .plans
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let used = self.used.get(i).copied().unwrap_or(true) || p.is_key;
                builder(p.col, used, p.target.is_some())
            })
            .collect();
        // The key column is kept as text (int keys too) so the index can hash it.
        if let Some(b) = self.table.key.and_then(|k| builders.get_mut(k))
            && !matches!(b, Builder::Text(_) | Builder::Email(_))
        {
            *b = Builder::Text(TextBuilder::default());
        }
        // Records end at line breaks, so there are at most one more than those.
        let guess = usize::try_from(newlines).unwrap_or(0).saturating_add(1);
        for b in &mut builders {
            b.reserve(guess);
        }
        Built {
            builders,
            cursors: self.plans.iter().map(|_| RefCursor::default()).collect(),
            lines: LineMap::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            orphans: Vec::new(),
            account: self.account(),
            errored: Vec::new(),
            outside: Outside::default(),
            first_bad_utf8: None,
        }
    }

    /// One record: kept or skipped, its shape checked, each cell read, and
    /// the row committed or rejected.
    fn record(
        &self,
        rec: &Record,
        at: u64,
        bytes: Bytes,
        b: &mut Built,
        resolver: &mut LocalResolver,
    ) {
        if let Some(k) = self.keep
            && !k.keeps(|c| self.trimmed(rec, c))
        {
            b.account.skipped += 1;
            return;
        }
        b.account.read += 1;
        let mut ctx = RowCtx {
            file: self.file,
            display: self.file.display(),
            line: rec.line,
            errors: &mut b.errors,
            warnings: &mut b.warnings,
            errored: false,
            reject: None,
            bad_utf8: false,
        };
        if let Some(reason) = shape_problem(rec, at, self.file.header_len(), &mut ctx) {
            note_orphans(rec, &self.ref_columns, self.file, &mut b.orphans);
            *b.account.rejected.entry(reason).or_insert(0) += 1;
            return;
        }
        let row = b.lines.len();
        // One UTF-8 check for the whole record (or the whole block, for a
        // record read where it lies); cells are then slices of it.
        let whole = match (bytes.text, rec.span) {
            (Some(t), Some((a, z))) => t.get(a..z),
            _ => std::str::from_utf8(rec.bytes()).ok(),
        };
        let mut scratch = Scratch::default();
        for (ci, plan) in self.plans.iter().enumerate() {
            let value = self.cell(
                ci,
                plan,
                rec,
                whole,
                &mut ctx,
                &mut scratch,
                &mut b.outside,
                resolver,
            );
            let value = match (plan.target, value, b.cursors.get_mut(ci)) {
                (Some(t), Tmp::Text(s), Some(cursor)) => {
                    let key = || match bytes.offset_of(s).filter(|_| rec.span.is_some()) {
                        Some((a, z)) => LaterKey::At(a, z),
                        None => LaterKey::Owned(s.into()),
                    };
                    let r = super::row::row_id(row);
                    cursor.resolve(t, s, r, key).map_or(value, Tmp::Row)
                }
                _ => value,
            };
            if !scratch.notes.is_empty() {
                list_notes(plan.col, &mut scratch, &mut ctx, resolver);
            }
            if let Some(builder) = b.builders.get_mut(ci) {
                builder.push(value, &scratch);
            }
        }
        let (errored, reject) = (ctx.errored, ctx.reject);
        if ctx.bad_utf8 && b.first_bad_utf8.is_none() {
            b.first_bad_utf8 = Some(rec.line);
        }
        match reject {
            Some(reason) => self.reject(rec, row, reason, b),
            None => {
                b.lines.push(rec.line);
                b.account.loaded += 1;
                if errored {
                    b.account.loaded_with_errors += 1;
                    b.errored.push(super::row::row_id(row));
                }
            }
        }
    }

    /// A record's cell `c`, trimmed (for `docket case`'s filter).
    fn trimmed(&self, rec: &Record, c: usize) -> Option<String> {
        self.file
            .field(c)
            .and_then(|f| rec.get(f))
            .and_then(|raw| std::str::from_utf8(raw).ok())
            .map(|s| s.trim().to_string())
    }

    /// Takes back a row rejected after some of its cells were added.
    fn reject(&self, rec: &Record, row: usize, reason: Reject, b: &mut Built) {
        for builder in &mut b.builders {
            builder.truncate(row);
        }
        for c in &mut b.cursors {
            c.later.retain(|(r, _)| (*r as usize) < row);
        }
        note_orphans(rec, &self.ref_columns, self.file, &mut b.orphans);
        *b.account.rejected.entry(reason).or_insert(0) += 1;
    }

    /// One cell, typed, with its data error when it does not read.
    #[expect(
        clippy::too_many_arguments,
        reason = "the per-cell hot path: bundling its arguments into a struct per cell measured slower"
    )]
    #[inline]
    fn cell<'r>(
        &self,
        ci: usize,
        plan: &'r Plan,
        rec: &Record<'r>,
        whole: Option<&'r str>,
        ctx: &mut RowCtx,
        scratch: &mut Scratch<'r>,
        outside: &mut Outside,
        resolver: &mut LocalResolver,
    ) -> Tmp<'r> {
        let col = plan.col;
        // A column no rule reads may be absent from the file (said once,
        // as a warning): its cells are missing, not errors.
        if plan.field == usize::MAX {
            return Tmp::Missing;
        }
        if let Some(c) = rec.cells.and_then(|cells| cells.get(plan.field))
            && c.kind != CellKind::Text
            && let Some(v) = sheet_cell(plan, c, ctx, resolver)
        {
            return v;
        }
        let text: Result<&str, &[u8]> = match whole {
            Some(w) => Ok(trim_str(
                rec.range(plan.field)
                    .and_then(|(a, b)| w.get(a..b))
                    .unwrap_or(""),
            )),
            None => {
                let raw = trim(rec.get(plan.field).unwrap_or(&[]));
                std::str::from_utf8(raw).map_err(|_| raw)
            }
        };
        match text {
            Ok("") => plan.default.unwrap_or_else(|| empty(plan, ctx)),
            Err(raw) => {
                let lossy = String::from_utf8_lossy(raw);
                ctx.error(
                    Code::DataEncodingError,
                    Some(&col.header),
                    Some(&lossy),
                    format!("the cell is not valid {}", self.file.encoding()),
                );
                ctx.reject_key(plan, Reject::BadRequired);
                ctx.bad_utf8 = true;
                Tmp::Invalid
            }
            Ok(s) => typed(ci, plan, s, rec.line, ctx, scratch, outside, resolver),
        }
    }

    /// The block's columns and account, references looked up.
    fn finish(&self, mut b: Built, bytes: Bytes, newlines: u64) -> ParsedBlock {
        let encoding_guess = b
            .first_bad_utf8
            .filter(|_| self.file.guess_encoding)
            .map(|line| (line, likely_encoding(bytes.all)));
        let cursors = std::mem::take(&mut b.cursors);
        for ((plan, builder), c) in self.plans.iter().zip(b.builders.iter_mut()).zip(cursors) {
            if let (Some(t), Builder::Rows(rows, broken)) = (plan.target, builder) {
                c.finish(t, bytes.text, bytes.all, rows, broken);
            }
        }
        ParsedBlock {
            newlines,
            builders: b.builders,
            lines: b.lines,
            errors: b.errors,
            warnings: b.warnings,
            near: b.outside.near_misses(),
            orphans: b.orphans,
            account: b.account,
            errored: b.errored,
            encoding_guess,
        }
    }
}

/// The encoding `bytes` (not UTF-8) are likely in, as `chardetng` (the
/// detector of Firefox) guesses it.
#[cold]
fn likely_encoding(bytes: &[u8]) -> &'static str {
    use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, Utf8Detection::Deny).name()
}

/// A typed cell of a sheet read as its type: an error value is a data
/// error; a date or date-time cell fills a date or date-time column as it
/// is (a date column takes only a midnight). `None`: read the cell's text.
#[cold]
fn sheet_cell<'r>(
    plan: &Plan,
    c: &SheetCell,
    ctx: &mut RowCtx,
    resolver: &mut LocalResolver,
) -> Option<Tmp<'r>> {
    let col = plan.col;
    let stamp = match (&c.kind, col.kind) {
        (CellKind::Error, _) => {
            ctx.error(
                Code::DataCellError,
                Some(&col.header),
                Some(&c.text),
                format!("the cell holds the spreadsheet error value {}", c.text),
            );
            ctx.reject_key(plan, Reject::BadRequired);
            return Some(Tmp::Invalid);
        }
        (CellKind::Stamp(stamp), Kind::Scalar(ValueType::Date | ValueType::DateTime)) => *stamp,
        _ => return None,
    };
    if col.kind == Kind::Scalar(ValueType::Date) {
        if stamp.time() == chrono::NaiveTime::MIN {
            return Some(Tmp::Date(super::cell::date_to_days(stamp.date())));
        }
        ctx.error(
            Code::DataTypeError,
            Some(&col.header),
            Some(&c.text),
            format!(
                "the cell holds a date and time ({}), not a date",
                stamp.format("%Y-%m-%d %H:%M")
            ),
        );
        ctx.reject_key(plan, Reject::BadRequired);
        return Some(Tmp::Invalid);
    }
    let local = resolver.resolve(stamp);
    if let Some(shift) = local.shift {
        let message = bad_message(
            Bad::Shifted(shift, local.instant.0),
            &c.text,
            col,
            resolver.zone(),
        );
        ctx.warn(shift_code(shift), Some(&col.header), Some(&c.text), message);
    }
    Some(Tmp::I64(local.instant.0))
}

/// An empty cell without a default: missing, and a data error when the
/// column is `required` (a row without its key is rejected).
fn empty<'r>(plan: &Plan, ctx: &mut RowCtx) -> Tmp<'r> {
    if plan.col.required {
        let what = if plan.is_key {
            "the key"
        } else {
            "a required value"
        };
        ctx.error(
            Code::DataRequired,
            Some(&plan.col.header),
            None,
            format!("{what} is empty"),
        );
        ctx.reject_key(plan, Reject::MissingRequired);
    }
    Tmp::Missing
}

/// The non-empty text `s` of a cell as its column's type.
#[expect(
    clippy::too_many_arguments,
    reason = "the per-cell hot path: bundling its arguments into a struct per cell measured slower"
)]
#[inline]
fn typed<'r>(
    ci: usize,
    plan: &Plan,
    s: &'r str,
    line: u64,
    ctx: &mut RowCtx,
    scratch: &mut Scratch<'r>,
    outside: &mut Outside,
    resolver: &mut LocalResolver,
) -> Tmp<'r> {
    let col = plan.col;
    let parsed = match col.kind {
        Kind::Scalar(t) => scalar(t, s, col, resolver),
        Kind::List(t) => Ok(list(t, s, col, resolver, scratch)),
        Kind::Ref(_) => Ok(Tmp::Text(s)),
    };
    match parsed {
        // An int key is kept as its text, for the index.
        Ok(Tmp::I64(_)) if plan.is_key => Tmp::Text(s),
        Ok(Tmp::Text(s)) => match &plan.values {
            Some(set) if !set.holds(s) => outside_set(ci, plan, set, s, line, ctx, outside),
            _ => Tmp::Text(s),
        },
        Ok(v) => v,
        // Read, but only by choosing an instant: said, not an error.
        Err((why @ Bad::Shifted(shift, instant), text)) => {
            let message = bad_message(why, text, col, resolver.zone());
            ctx.warn(shift_code(shift), Some(&col.header), Some(s), message);
            Tmp::I64(instant)
        }
        Err((why, text)) => {
            let why = bad_message(why, text, col, resolver.zone());
            ctx.error(Code::DataTypeError, Some(&col.header), Some(s), why);
            ctx.reject_key(plan, Reject::BadRequired);
            Tmp::Invalid
        }
    }
}

/// A text value not among its column's declared ones: a data error (closed
/// set) or read as written (open set; near misses noted).
#[cold]
fn outside_set<'r>(
    ci: usize,
    plan: &Plan,
    set: &ValueSet,
    s: &'r str,
    line: u64,
    ctx: &mut RowCtx,
    outside: &mut Outside,
) -> Tmp<'r> {
    match outside.note(ci, set, s, line) {
        Some(why) => {
            ctx.error(Code::DataUnknownValue, Some(&plan.col.header), Some(s), why);
            ctx.reject_key(plan, Reject::BadRequired);
            Tmp::Invalid
        }
        None => Tmp::Text(s),
    }
}

/// The items of a list cell that did not read (left out) or were read with
/// a warning.
#[cold]
fn list_notes(
    col: &ColumnSchema,
    scratch: &mut Scratch,
    ctx: &mut RowCtx,
    resolver: &LocalResolver,
) {
    for (why, text) in std::mem::take(&mut scratch.notes) {
        let message = bad_message(why, text, col, resolver.zone());
        match why {
            Bad::Shifted(shift, _) => {
                ctx.warn(shift_code(shift), Some(&col.header), Some(text), message);
            }
            _ => ctx.error(
                Code::DataTypeError,
                Some(&col.header),
                Some(text),
                format!("{message}; the item is left out of the list"),
            ),
        }
    }
}

/// Lines a record may span before its shape is worth a warning.
const LONG_RECORD_LINES: u64 = 5;

/// A record that cannot be read column by column: cut off, or with the wrong number of fields.
///
/// `at` is the file's line the record starts on; a record over several
/// lines names the line it ends on, since a quote that never closed makes
/// one record of many lines. A record of the right shape over more than
/// [`LONG_RECORD_LINES`] lines is a warning, for the same reason.
fn shape_problem(rec: &Record, at: u64, header_len: usize, ctx: &mut RowCtx) -> Option<Reject> {
    if rec.unterminated {
        ctx.error(
            Code::DataTruncated,
            None,
            None,
            format!(
                "the file ends inside a quoted field that starts on this line ({} lines to the end)",
                rec.lines
            ),
        );
        return Some(Reject::Truncated);
    }
    let last = at + rec.lines.saturating_sub(1);
    if rec.len() == header_len {
        if rec.lines > LONG_RECORD_LINES {
            ctx.warn(
                Code::DataLongField,
                None,
                None,
                format!(
                    "a quoted field opens on line {at} and closes on line {last} ({} lines): check that its quotes pair up",
                    rec.lines
                ),
            );
        }
        return None;
    }
    let (code, reason) = if rec.len() > header_len {
        (Code::DataExtraCell, Reject::ExtraFields)
    } else {
        (Code::DataMissingCell, Reject::MissingFields)
    };
    let spread = if rec.lines > 1 {
        format!(
            "; the record runs from line {at} to line {last}: a quoted field may be missing its closing quote"
        )
    } else {
        String::new()
    };
    ctx.error(
        code,
        None,
        None,
        format!(
            "expected {header_len} fields like the header, found {}; the row is ignored{spread}",
            rec.len()
        ),
    );
    Some(reason)
}

/// A rejected row whose reference columns can still be read.
fn note_orphans(rec: &Record, ref_columns: &[usize], file: &Opened, orphans: &mut Vec<Orphan>) {
    for &ci in ref_columns {
        let Some(raw) = file.field(ci).and_then(|f| rec.get(f)) else {
            continue;
        };
        let raw = trim(raw);
        if raw.is_empty() {
            continue;
        }
        if let Ok(s) = std::str::from_utf8(raw) {
            orphans.push(Orphan {
                column: ci,
                key: Box::from(s),
                line: rec.line,
            });
        }
    }
}
