//! Finding and opening each table's file, and mapping its header to the
//! declared columns.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cell::trim;
use super::csvread::CsvReader;
use super::schema::{Schema, TableId, TableSchema};
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
}

/// A table's file, opened, with its header mapped.
pub struct Opened {
    pub(super) table: TableId,
    display: Arc<str>,
    input: Input,
    /// File offset and line where the records start (after the header).
    pub(super) start: (u64, u64),
    header_len: usize,
    /// For each declared column, its field index.
    fields: Vec<usize>,
    /// Whether diagnostics may quote the file's content (it lies inside
    /// the export directory).
    quote: bool,
}

impl Opened {
    /// The table.
    pub(crate) fn table(&self) -> TableId {
        self.table
    }

    /// The file, opened at its first record (after the header).
    pub(crate) fn records(&self) -> std::io::Result<Box<dyn Read + Send>> {
        self.input.open_at(self.start.0)
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
/// be able to print other files of the machine).
fn path_for(
    schema: &Schema,
    t: &TableSchema,
    sources: &Sources,
) -> Result<(Input, bool), Diagnostic> {
    let stem = Path::new(&t.file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string());
    if let Some((_, p)) = sources
        .tables
        .iter()
        .find(|(n, _)| *n == t.name || Some(n) == stem.as_ref() || *n == t.file)
    {
        let inside = match p {
            Input::File(f) => sources.dir.as_deref().is_some_and(|d| within(f, d)),
            // Given by the operator or a test, not found by the policy.
            Input::Memory { .. } => true,
        };
        return Ok((p.clone(), inside));
    }
    match &sources.dir {
        Some(d) => {
            let p = d.join(&t.file);
            // The checker keeps the path relative and inside; a symbolic
            // link may still lead out.
            if p.exists() && !within(&p, d) {
                return Err(Diagnostic::error(
                    Code::DataOutsideExport,
                    format!(
                        "`{}` for table `{}` leads outside the export directory `{}`",
                        p.display(),
                        t.name,
                        d.display()
                    ),
                )
                .with_label(t.span, format!("reads \"{}\"", t.file))
                .with_help("a table reads a file of the export; replace the link with the file, or give it with `--table NAME=FILE`"));
            }
            Ok((Input::File(p), true))
        }
        None => Err(Diagnostic::error(
            Code::DataNoSource,
            format!("no file for table `{}`", t.name),
        )
        .with_label(t.span, format!("reads \"{}\"", t.file))
        .with_help(format!(
            "give `--data DIR` (a directory holding {}) or `--table {}=FILE`",
            schema
                .tables
                .iter()
                .map(|t| t.file.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            t.name
        ))),
    }
}

/// Opens every declared table's file and maps its header, reporting every
/// missing file and column at once.
pub(super) fn open_table_files(
    schema: &Schema,
    sources: &Sources,
) -> Result<Vec<Opened>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for (name, _) in &sources.tables {
        let known = schema.tables.iter().any(|t| {
            t.name == *name
                || t.file == *name
                || Path::new(&t.file)
                    .file_stem()
                    .is_some_and(|s| s.to_string_lossy() == name.as_str())
        });
        if !known {
            let names = schema.tables.iter().map(|t| t.name.as_str());
            diags.push(
                Diagnostic::error(
                    Code::DataUnknownTable,
                    format!("the policy has no table `{name}`"),
                )
                .with_help_opt(did_you_mean(name, names).or_else(|| {
                    Some(format!(
                        "the tables are {}",
                        schema
                            .tables
                            .iter()
                            .map(|t| format!("`{}`", t.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })),
            );
        }
    }
    let mut opened = Vec::new();
    for (tid, t) in schema.tables.iter().enumerate() {
        let (input, quote) = match path_for(schema, t, sources) {
            Ok(p) => p,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        match open_one(tid, t, input, quote) {
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

/// Opens one table's file and maps its header; `quote` allows diagnostics
/// to quote the file's headers.
fn open_one(
    tid: TableId,
    t: &TableSchema,
    input: Input,
    quote: bool,
) -> Result<Opened, Vec<Diagnostic>> {
    let display: Arc<str> = Arc::from(input.display());
    let file = input.open_at(0).map_err(|e| {
        vec![
            Diagnostic::error(
                Code::DataMissingFile,
                format!(
                    "cannot read `{display}` for table `{}`: {}",
                    t.name,
                    io_reason(&e)
                ),
            )
            .with_label(t.span, format!("table `{}` reads \"{}\"", t.name, t.file))
            .with_help("check `--data` or give the file with `--table`"),
        ]
    })?;
    if let Some(what) = wide_encoding(&input) {
        return Err(vec![
            Diagnostic::error(
                Code::DataFileEncoding,
                format!("`{display}` is {what}; docket reads UTF-8"),
            )
            .with_label(t.span, format!("table `{}` reads it", t.name))
            .with_help(
                "save it as UTF-8 (Excel: \"CSV UTF-8 (Comma delimited)\"), or convert it, e.g. `iconv -f UTF-16 -t UTF-8`",
            ),
        ]);
    }
    let mut reader = CsvReader::new(file);
    let header = read_header(&mut reader, t, &display)?;
    let fields = map_columns(t, &header, &display, quote)?;
    Ok(Opened {
        table: tid,
        display,
        input,
        start: reader.position(),
        header_len: header.len(),
        fields,
        quote,
    })
}

/// The header line's names, trimmed.
fn read_header<R: Read>(
    reader: &mut CsvReader<R>,
    t: &TableSchema,
    display: &str,
) -> Result<Vec<String>, Vec<Diagnostic>> {
    match reader.next_record() {
        Ok(Some(rec)) => Ok(rec
            .iter()
            .map(|f| String::from_utf8_lossy(trim(f)).to_string())
            .collect()),
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
/// doubled column at once.
fn map_columns(
    t: &TableSchema,
    header: &[String],
    display: &str,
    quote: bool,
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

/// What a file that is not UTF-8 is, from its first bytes: a UTF-16 or
/// UTF-32 byte-order mark, or NUL bytes (UTF-16 without a mark). `None`
/// for anything else (UTF-8, with or without its mark).
fn wide_encoding(input: &Input) -> Option<&'static str> {
    let mut head = [0u8; 64];
    let mut f = input.open_at(0).ok()?;
    let mut n = 0;
    while n < head.len() {
        match f.read(head.get_mut(n..)?) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    let head = head.get(..n)?;
    Some(match head {
        [0xFF, 0xFE, 0, 0, ..] => "UTF-32 (little-endian, with a byte-order mark)",
        [0, 0, 0xFE, 0xFF, ..] => "UTF-32 (big-endian, with a byte-order mark)",
        [0xFF, 0xFE, ..] => "UTF-16 (little-endian, with a byte-order mark)",
        [0xFE, 0xFF, ..] => "UTF-16 (big-endian, with a byte-order mark)",
        _ if head.contains(&0) => {
            "not UTF-8 text: it holds NUL bytes, as UTF-16 or UTF-32 without a byte-order mark does"
        }
        _ => return None,
    })
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
