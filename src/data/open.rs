//! Finding and opening each table's file, and mapping its header to the
//! declared columns.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cell::trim;
use super::csvread::CsvReader;
use super::dialect::{DialectOverride, TextEncoding};
use super::footer::{FooterSlot, FoundFooter};
use super::schema::{Schema, TableId, TableSchema};
use super::sniff::{CsvPlan, HowRead, sniff};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, did_you_mean, io_reason};

/// Where one table's rows come from.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file.
    File(PathBuf),
    /// Bytes already read (a test's table, standard input), and the name
    /// messages give them.
    Memory {
        /// As messages name it, e.g. `<stdin>`.
        name: String,
        /// The whole file.
        bytes: Arc<[u8]>,
    },
}

impl Input {
    /// Everything `r` holds, read into memory (standard input, a string).
    pub fn read(name: impl Into<String>, mut r: impl Read) -> std::io::Result<Input> {
        let mut bytes = Vec::new();
        r.read_to_end(&mut bytes)?;
        Ok(Input::Memory {
            name: name.into(),
            bytes: bytes.into(),
        })
    }

    /// As messages name it.
    pub(crate) fn display(&self) -> String {
        match self {
            Input::File(p) => p.display().to_string(),
            Input::Memory { name, .. } => name.clone(),
        }
    }

    /// Its bytes from offset `at` on.
    pub(crate) fn open_at(&self, at: u64) -> std::io::Result<Box<dyn Read + Send>> {
        match self {
            Input::File(p) => {
                let mut f = File::open(p)?;
                f.seek(SeekFrom::Start(at))?;
                Ok(Box::new(f))
            }
            Input::Memory { bytes, .. } => {
                let mut c = std::io::Cursor::new(Arc::clone(bytes));
                c.set_position(at);
                Ok(Box::new(c))
            }
        }
    }

    /// Its size in bytes, when known.
    pub(crate) fn size(&self) -> Option<u64> {
        match self {
            Input::File(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Memory { bytes, .. } => Some(bytes.len() as u64),
        }
    }
}

/// Where the exports are.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// A directory holding the files the schema names.
    pub dir: Option<PathBuf>,
    /// Inputs given per table: (table name or file stem, input). A file
    /// given here is the operator's choice, wherever it lies.
    pub tables: Vec<(String, Input)>,
    /// Load only these records (`docket case`); `None` loads everything.
    pub keep: Option<super::select::Filter>,
    /// How files are written, per table (name or file stem), over what the
    /// policy declares.
    pub dialects: Vec<(String, DialectOverride)>,
}

impl Sources {
    /// The files of the export in `dir`.
    pub fn dir(dir: impl Into<PathBuf>) -> Sources {
        Sources {
            dir: Some(dir.into()),
            ..Sources::default()
        }
    }

    /// Reads table `name` from `input` instead.
    pub fn with_table(mut self, name: impl Into<String>, input: Input) -> Sources {
        self.tables.push((name.into(), input));
        self
    }

    /// Reads table `name` with `options` over the policy's.
    pub fn with_dialect(mut self, name: impl Into<String>, options: DialectOverride) -> Sources {
        self.dialects.push((name.into(), options));
        self
    }

    /// Whether `name` (given on the command line) names table `t`.
    fn names(name: &str, t: &TableSchema) -> bool {
        name == t.name
            || name == t.file
            || Path::new(&t.file)
                .file_stem()
                .is_some_and(|s| s.to_string_lossy() == name)
    }

    /// Table `t`'s dialect: the policy's, with what was given over it.
    fn dialect(&self, t: &TableSchema) -> super::dialect::Dialect {
        self.dialects
            .iter()
            .filter(|(n, _)| Sources::names(n, t))
            .fold(t.dialect.clone(), |d, (_, o)| o.apply(&d))
    }
}

/// A table's file, opened, with its header mapped.
#[derive(Debug, Clone)]
pub struct Opened {
    pub(super) table: TableId,
    display: Arc<str>,
    input: Input,
    /// Offset in the file's canonical text and line where the records
    /// start (after the header).
    pub(super) start: (u64, u64),
    header_len: usize,
    /// The header's names.
    header: Vec<String>,
    /// For each declared column, its field index.
    fields: Vec<usize>,
    /// Whether diagnostics may quote the file's content (it lies inside
    /// the export directory).
    quote: bool,
    /// How a CSV file's bytes become canonical CSV (`None`: a sheet).
    plan: Option<CsvPlan>,
    /// A workbook's sheet, read.
    sheet: Option<Arc<super::sheet::Sheet>>,
    pub(super) how: HowRead,
    /// A footer found at the end of the file.
    pub(super) footer: Option<FoundFooter>,
    /// What the rule "the data ends at the first blank line" dropped.
    pub(super) blank_footer: Option<FooterSlot>,
    /// Bad UTF-8 should name the encoding the file is likely in.
    pub(super) guess_encoding: bool,
}

impl Opened {
    /// The table.
    pub(crate) fn table(&self) -> TableId {
        self.table
    }

    /// The file as canonical CSV (UTF-8, `,`, `"`), from its first record
    /// (after the header) to the end of its data.
    pub(crate) fn records(&self) -> std::io::Result<Box<dyn Read + Send>> {
        match &self.plan {
            Some(plan) => plan.canonical_at(&self.input, self.start.0),
            None => Ok(Box::new(std::io::empty())),
        }
    }

    /// The file's text as UTF-8, every line where it is in the file (a
    /// sheet: its rows as CSV lines, each on its row's number).
    pub(crate) fn text(&self) -> std::io::Result<Box<dyn Read + Send>> {
        match (&self.plan, &self.sheet) {
            (Some(plan), _) => plan.text(&self.input),
            (None, Some(sheet)) => Ok(Box::new(std::io::Cursor::new(sheet.as_text()))),
            (None, None) => Ok(Box::new(std::io::empty())),
        }
    }

    /// The text of lines `wanted` of the file, as it was read (decoded; a
    /// sheet's rows as CSV lines); lines that cannot be read are left out.
    pub(crate) fn lines(&self, wanted: &std::collections::BTreeSet<u64>) -> Vec<(u64, String)> {
        use std::io::BufRead;
        let mut out = Vec::new();
        let (Some(&last), Ok(text)) = (wanted.last(), self.text()) else {
            return out;
        };
        let mut reader = std::io::BufReader::new(text);
        let mut buf = Vec::new();
        for n in 1..=last {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if wanted.contains(&n) {
                let text = String::from_utf8_lossy(&buf);
                let text = text.trim_end_matches(['\n', '\r']);
                out.push((n, text.trim_start_matches('\u{feff}').to_string()));
            }
        }
        out
    }

    /// A workbook's sheet, when the table is read from one.
    pub(crate) fn sheet(&self) -> Option<&Arc<super::sheet::Sheet>> {
        self.sheet.as_ref()
    }

    /// The field a header names.
    pub(crate) fn field_named(&self, header: &str) -> Option<usize> {
        self.header.iter().position(|h| h == header)
    }

    /// The footer left out of the data, once the data is read.
    pub(crate) fn footer_found(&self) -> Option<FoundFooter> {
        let dropped = self
            .blank_footer
            .as_ref()
            .and_then(|s| s.lock().ok()?.clone());
        dropped.or_else(|| self.footer.clone())
    }

    /// A new account of this file's rows for table `table`, saying how
    /// the file is read.
    pub(crate) fn new_account(&self, table: &str) -> super::FileAccount {
        let how = &self.how;
        super::FileAccount {
            file: self.display.to_string(),
            table: table.to_string(),
            format: how.format.to_string(),
            encoding: how.encoding.clone(),
            delimiter: how.delimiter.clone(),
            sheet: how.sheet.clone(),
            header_line: how.header_line,
            lines_before_header: how.lines_before_header,
            detected: how.detected.clone(),
            ..super::FileAccount::default()
        }
    }

    /// The file's encoding (UTF-8 for a sheet).
    pub(crate) fn encoding(&self) -> TextEncoding {
        self.plan
            .as_ref()
            .map_or(TextEncoding::Utf8, |p| p.encoding)
    }

    /// The file, from its start (the header included).
    pub(crate) fn input(&self) -> &Input {
        &self.input
    }

    /// The file as messages name it.
    pub(crate) fn display(&self) -> &Arc<str> {
        &self.display
    }

    /// The line the first record starts on.
    pub(crate) fn start_line(&self) -> u64 {
        self.start.1
    }

    /// Fields in the header.
    pub(crate) fn header_len(&self) -> usize {
        self.header_len
    }

    /// Whether diagnostics may quote the file's content.
    pub(crate) fn quotable(&self) -> bool {
        self.quote
    }

    /// The field index of a declared column.
    pub(crate) fn field(&self, column: usize) -> Option<usize> {
        self.fields
            .get(column)
            .copied()
            .filter(|f| *f != usize::MAX)
    }
}

/// Where a table's file is, and whether docket may quote its content in
/// diagnostics (only a file inside the export directory: a schema must not
/// be able to print other files of the machine). `None` when the file is
/// in the export directory, which [`export_problem`] found missing.
fn path_for(t: &TableSchema, sources: &Sources) -> Result<Option<(Input, bool)>, Diagnostic> {
    if let Some((_, p)) = sources.tables.iter().find(|(n, _)| Sources::names(n, t)) {
        let inside = match p {
            Input::File(f) => sources.dir.as_deref().is_some_and(|d| within(f, d)),
            // Given by the operator or a test, not found by the policy.
            Input::Memory { .. } => true,
        };
        return Ok(Some((p.clone(), inside)));
    }
    let Some(d) = sources.dir.as_deref().filter(|d| d.is_dir()) else {
        return Ok(None);
    };
    let p = d.join(&t.file);
    if !p.exists() {
        return Err(not_in_export(t, d, &p));
    }
    // The checker keeps the path relative and inside; a symbolic link may
    // still lead out.
    if !within(&p, d) {
        return Err(Diagnostic::error(
            Code::DataOutsideExport,
            format!(
                "`{}` for table `{}` leads outside the export directory `{}`",
                p.display(),
                t.name,
                d.display()
            ),
        )
        .with_label(t.file_span, format!("table `{}` reads this file", t.name))
        .with_help("a table reads a file of the export; replace the link with the file, or give it with `--table NAME=FILE`"));
    }
    Ok(Some((Input::File(p), true)))
}

/// A table's file that the export directory lacks: what is there with a
/// name differing only in case or by a small edit is suggested.
fn not_in_export(t: &TableSchema, dir: &Path, path: &Path) -> Diagnostic {
    let names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    let same_but_case = names
        .iter()
        .find(|n| n.eq_ignore_ascii_case(&t.file))
        .map(|n| format!("did you mean `{n}`?"));
    let help = same_but_case
        .or_else(|| did_you_mean(&t.file, names.iter().map(String::as_str)))
        .map_or_else(
            || {
                format!(
                    "put `{}` in `{}`, or give the file with `--table {}=FILE`",
                    t.file,
                    dir.display(),
                    t.name
                )
            },
            |d| {
                format!(
                    "{d} (rename the file, or give it with `--table {}=FILE`)",
                    t.name
                )
            },
        );
    Diagnostic::error(
        Code::DataMissingFile,
        format!(
            "the export has no `{}` for table `{}`: `{}` does not exist",
            t.file,
            t.name,
            path.display()
        ),
    )
    .with_label(t.file_span, format!("table `{}` reads this file", t.name))
    .with_help(help)
}

/// The export as a whole, when it cannot give the tables not given with
/// `--table`: no `--data` at all, or a directory that does not exist. One
/// diagnostic, not one per table.
fn export_problem(schema: &Schema, sources: &Sources) -> Option<Diagnostic> {
    let wanted: Vec<&TableSchema> = schema
        .tables
        .iter()
        .filter(|t| !sources.tables.iter().any(|(n, _)| Sources::names(n, t)))
        .collect();
    if wanted.is_empty() {
        return None;
    }
    let files = wanted
        .iter()
        .map(|t| t.file.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let tables = wanted
        .iter()
        .map(|t| format!("`{}`", t.name))
        .collect::<Vec<_>>()
        .join(", ");
    match sources.dir.as_deref() {
        None => Some(
            Diagnostic::error(
                Code::DataNoSource,
                format!("no export to read: the policy reads {files}"),
            )
            .with_help(format!(
                "give `--data DIR`, the directory holding them (or each table {tables} with `--table NAME=FILE`)"
            )),
        ),
        Some(d) if !d.is_dir() => {
            let what = if d.exists() {
                "is not a directory"
            } else {
                "does not exist"
            };
            Some(
                Diagnostic::error(
                    Code::DataMissingFile,
                    format!("the export directory `{}` {what}", d.display()),
                )
                .with_help(format!(
                    "`--data` names the directory holding {files}"
                )),
            )
        }
        Some(_) => None,
    }
}

/// Opens every declared table's file and maps its header, reporting every
/// missing file and column at once.
pub(super) fn open_table_files(
    schema: &Schema,
    sources: &Sources,
) -> Result<Vec<Opened>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    let given = sources.tables.iter().map(|(n, _)| n);
    for name in given.chain(sources.dialects.iter().map(|(n, _)| n)) {
        if schema.tables.iter().any(|t| Sources::names(name, t)) {
            continue;
        }
        let names = schema.tables.iter().map(|t| t.name.as_str());
        let listed = schema
            .tables
            .iter()
            .map(|t| format!("`{}`", t.name))
            .collect::<Vec<_>>()
            .join(", ");
        let d = Diagnostic::error(
            Code::DataUnknownTable,
            format!("the policy has no table `{name}`"),
        )
        .with_help_opt(
            did_you_mean(name, names).or_else(|| Some(format!("the tables are {listed}"))),
        );
        if !diags.contains(&d) {
            diags.push(d);
        }
    }
    diags.extend(export_problem(schema, sources));
    let mut opened = Vec::new();
    for (tid, t) in schema.tables.iter().enumerate() {
        let (input, quote) = match path_for(t, sources) {
            Ok(Some(p)) => p,
            Ok(None) => continue,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        match open_one(tid, t, input, quote, &sources.dialect(t)) {
            Ok(o) => opened.push(o),
            Err(mut d) => diags.append(&mut d),
        }
    }
    if diags.is_empty() {
        Ok(opened)
    } else {
        Err(diags)
    }
}

/// Whether `path`, symbolic links resolved, lies inside `dir`.
fn within(path: &Path, dir: &Path) -> bool {
    match (std::fs::canonicalize(path), std::fs::canonicalize(dir)) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    }
}

/// The error for a file that cannot be read.
pub(crate) fn unreadable(t: &TableSchema, display: &str, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::DataMissingFile,
        format!(
            "cannot read `{display}` for table `{}`: {}",
            t.name,
            io_reason(e)
        ),
    )
    .with_label(
        t.file_span,
        format!("table `{}` reads \"{}\"", t.name, t.file),
    )
    .with_help("check `--data` or give the file with `--table`")
}

/// Opens one table's file and maps its header; `quote` allows diagnostics
/// to quote the file's headers.
fn open_one(
    tid: TableId,
    t: &TableSchema,
    input: Input,
    quote: bool,
    dialect: &super::dialect::Dialect,
) -> Result<Opened, Vec<Diagnostic>> {
    let display: Arc<str> = Arc::from(input.display());
    if super::sheet::is_workbook(&input).map_err(|e| vec![unreadable(t, &display, &e)])? {
        return super::sheet::open_sheet(tid, t, input, quote, dialect);
    }
    let found = sniff(&input, t, dialect, &display)?;
    let text = found
        .plan
        .canonical(&input)
        .map_err(|e| vec![unreadable(t, &display, &e)])?;
    let mut reader = CsvReader::new(text);
    reader
        .skip_lines(dialect.skip_lines)
        .map_err(|e| vec![unreadable(t, &display, &e)])?;
    let (header, header_line) = read_header(&mut reader, t, &display)?;
    let fields = map_columns(t, &header, &display, quote, found.better)?;
    let mut how = found.how;
    how.header_line = header_line;
    Ok(Opened {
        table: tid,
        display,
        input,
        start: reader.position(),
        header_len: header.len(),
        header,
        fields,
        quote,
        plan: Some(found.plan),
        sheet: None,
        how,
        footer: found.footer,
        blank_footer: found.blank_footer,
        guess_encoding: found.guess_encoding,
    })
}

/// A sheet of a workbook, opened (see [`super::sheet`]).
#[expect(clippy::too_many_arguments, reason = "every part of an opened file")]
pub(super) fn opened_sheet(
    tid: TableId,
    display: Arc<str>,
    input: Input,
    start_line: u64,
    header: Vec<String>,
    fields: Vec<usize>,
    quote: bool,
    sheet: Arc<super::sheet::Sheet>,
    how: HowRead,
    footer: Option<FoundFooter>,
) -> Opened {
    Opened {
        table: tid,
        display,
        input,
        start: (0, start_line),
        header_len: header.len(),
        header,
        fields,
        quote,
        plan: None,
        sheet: Some(sheet),
        how,
        footer,
        blank_footer: None,
        guess_encoding: false,
    }
}

/// The header line's names, trimmed, and the line it is on.
fn read_header<R: Read>(
    reader: &mut CsvReader<R>,
    t: &TableSchema,
    display: &str,
) -> Result<(Vec<String>, u64), Vec<Diagnostic>> {
    match reader.next_record() {
        Ok(Some(rec)) => Ok((
            rec.iter()
                .map(|f| String::from_utf8_lossy(trim(f)).to_string())
                .collect(),
            rec.line,
        )),
        Ok(None) => Err(vec![
            Diagnostic::error(Code::DataNoHeader, format!("`{display}` is empty"))
                .with_label(t.span, format!("table `{}` reads it", t.name))
                .with_help("an export starts with a header line naming its columns"),
        ]),
        Err(e) => Err(vec![Diagnostic::error(
            Code::DataMissingFile,
            format!("cannot read `{display}`: {}", io_reason(&e)),
        )]),
    }
}

/// For each declared column, its field in the header; every missing or
/// doubled column at once. `better` is a delimiter the header would match
/// more columns with, and how many.
pub(super) fn map_columns(
    t: &TableSchema,
    header: &[String],
    display: &str,
    quote: bool,
    better: Option<(u8, usize)>,
) -> Result<Vec<usize>, Vec<Diagnostic>> {
    let mut fields = Vec::new();
    let mut diags = Vec::new();
    for c in &t.columns {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == c.header)
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => fields.push(*i),
            // A column no rule reads may be absent: the audit goes on, and
            // the merge says so as a warning.
            [] if !c.used => fields.push(usize::MAX),
            [] => {
                diags.push(missing_column(t, c, header, display, quote));
                fields.push(usize::MAX);
            }
            [first, second, ..] => {
                diags.push(
                    Diagnostic::error(
                        Code::DataAmbiguousColumn,
                        format!(
                            "`{display}` has two columns named \"{}\" (columns {} and {})",
                            c.header,
                            first + 1,
                            second + 1
                        ),
                    )
                    .with_label(c.header_span, "declared here")
                    .with_help("rename one of them in the export"),
                );
                fields.push(*first);
            }
        }
    }
    if let (Some((d, n)), Some(first)) = (better, diags.first_mut()) {
        let d = super::dialect::show_delimiter(d);
        first.help = Some(format!(
            "split at `{d}`, the header has {n} of the {} declared columns: declare `delimiter \"{d}\"` in table `{}`, or give `--delimiter {}={d}`",
            t.columns.len(),
            t.name,
            t.name
        ));
    }
    if diags.is_empty() {
        Ok(fields)
    } else {
        Err(diags)
    }
}

/// A declared column the header lacks: the closest header (or the same in
/// other letter case), or the headers, when the file may be quoted.
fn missing_column(
    t: &TableSchema,
    c: &super::schema::ColumnSchema,
    header: &[String],
    display: &str,
    quote: bool,
) -> Diagnostic {
    let present = header.iter().map(String::as_str).filter(|_| quote);
    let case = header
        .iter()
        .filter(|_| quote)
        .find(|h| h.eq_ignore_ascii_case(&c.header));
    let help = case
        .map(|h| {
            format!(
                "the file has `{}`: headers are matched exactly, case included",
                crate::diagnostic::printable(h)
            )
        })
        .or_else(|| {
            did_you_mean(&c.header, present)
                .map(|m| format!("{m} (the closest header in the file)"))
        })
        .unwrap_or_else(|| {
            if quote {
                format!("the file's headers are: {}", list_headers(header))
            } else {
                "the file lies outside the export directory, so its headers are not shown"
                    .to_string()
            }
        });
    Diagnostic::error(
        Code::DataMissingColumn,
        format!("`{display}` has no column \"{}\"", c.header),
    )
    .with_label(
        c.header_span,
        format!("`{}.{}` is read from this column", t.name, c.name),
    )
    .with_help(help)
}

fn list_headers(h: &[String]) -> String {
    let shown: Vec<String> = h
        .iter()
        .take(20)
        .map(|x| format!("\"{}\"", crate::diagnostic::printable(x)))
        .collect();
    if h.len() > 20 {
        format!("{}, … ({} in all)", shown.join(", "), h.len())
    } else {
        shown.join(", ")
    }
}
