//! Data errors and per-file accounting.

use crate::diagnostic::Code;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

/// A problem with one row of an export. Codes follow frictionless-data
/// practice: `extra-cell`, `missing-cell`, `type-error`, `required`,
/// `primary-key`, `foreign-key`, `encoding-error`, `truncated`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataError {
    /// Stable code, e.g. `docket::data::type-error`.
    pub code: Code,
    /// The file, as the user named it.
    pub file: Arc<str>,
    /// Physical line (1-based) the record starts on.
    pub line: u64,
    /// The CSV header of the cell, when the error is about one cell.
    pub column: Option<String>,
    /// The offending text, shortened when long.
    pub text: Option<String>,
    /// What is wrong, in a sentence (lowercase, no final period).
    pub message: String,
    /// Another line involved (the first row with a duplicated key).
    pub other_line: Option<u64>,
    /// In a workbook: the cell (`Cases!F12`) or row (`Cases!12:12`).
    pub cell: Option<String>,
}

impl DataError {
    /// Where it is: `file:line`, or in a workbook `file › Sheet!F12`.
    pub fn place(&self) -> String {
        match &self.cell {
            Some(cell) => format!("{} › {cell}", self.file),
            None => format!("{}:{}", self.file, self.line),
        }
    }

    /// `file:line: column: message`.
    pub fn one_line(&self) -> String {
        match &self.column {
            Some(c) => format!("{}: {c}: {}", self.place(), self.message),
            None => format!("{}: {}", self.place(), self.message),
        }
    }
}

/// Offending text as messages show it: shortened when long, control
/// characters escaped (see [`crate::diagnostic::printable`]).
pub(crate) fn excerpt(s: &str) -> String {
    const MAX: usize = 80;
    let shown = if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}… ({} characters)", s.chars().count())
    };
    crate::diagnostic::printable(&shown).into_owned()
}

/// Why a row was not loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reject {
    /// More fields than the header.
    ExtraFields,
    /// Fewer fields than the header.
    MissingFields,
    /// The key or a `required` column is empty.
    MissingRequired,
    /// The key or a `required` column cannot be read.
    BadRequired,
    /// The key repeats an earlier row's.
    DuplicateKey,
    /// The file ends inside a quoted field.
    Truncated,
}

impl Reject {
    /// As shown in summaries.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Reject::ExtraFields => "too many fields",
            Reject::MissingFields => "too few fields",
            Reject::MissingRequired => "missing required value",
            Reject::BadRequired => "unreadable required value",
            Reject::DuplicateKey => "duplicate key",
            Reject::Truncated => "cut off inside a quoted field",
        }
    }
}

/// What happened to the rows of one file. Always `read = loaded + rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileAccount {
    /// The file, as the user named it.
    pub file: String,
    /// The table it was read into.
    pub table: String,
    /// Records after the header.
    pub read: u64,
    /// Records loaded (some may have invalid cells or broken references).
    pub loaded: u64,
    /// Records not loaded, by reason.
    pub rejected: BTreeMap<Reject, u64>,
    /// LoadedTable records with at least one data error.
    pub loaded_with_errors: u64,
    /// Records passed over unread because a one-case load does not need them.
    #[serde(skip_serializing_if = "is_zero")]
    pub skipped: u64,
    /// How the file was read: `csv`, or `xlsx` for any workbook.
    pub format: String,
    /// A CSV file's text encoding, e.g. `UTF-8`, `UTF-16LE`, `windows-1252`.
    pub encoding: Option<String>,
    /// A CSV file's delimiter (`,`, `;`, `tab`, …).
    pub delimiter: Option<String>,
    /// A workbook's sheet.
    pub sheet: Option<String>,
    /// The line (a sheet: row) the header is on.
    pub header_line: u64,
    /// Lines (rows) skipped before the header, as declared.
    pub lines_before_header: u64,
    /// Lines (rows) after the data left out as a report footer.
    pub footer_lines: u64,
    /// What docket found rather than was told: `encoding`, `delimiter`, `footer`.
    pub detected: Vec<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl FileAccount {
    /// Total rejected rows.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// How the file was read, in words: "CSV, UTF-16LE (detected), `;`
    /// delimited (detected), header on line 1, 5 footer lines skipped".
    pub fn how_read(&self) -> String {
        let found = |what: &str| {
            if self.detected.iter().any(|d| d == what) {
                " (detected)"
            } else {
                ""
            }
        };
        let mut parts = Vec::new();
        match &self.sheet {
            Some(sheet) => parts.push(format!("workbook, sheet `{sheet}`")),
            None => parts.push("CSV".to_string()),
        }
        if let Some(e) = &self.encoding {
            parts.push(format!("{e}{}", found("encoding")));
        }
        if let Some(d) = &self.delimiter {
            parts.push(format!("`{d}` delimited{}", found("delimiter")));
        }
        let line = if self.sheet.is_some() { "row" } else { "line" };
        parts.push(format!("header on {line} {}", self.header_line));
        if self.footer_lines > 0 {
            parts.push(format!(
                "{} footer {line}{} skipped{}",
                self.footer_lines,
                if self.footer_lines == 1 { "" } else { "s" },
                found("footer")
            ));
        }
        parts.join(", ")
    }

    /// Whether the file is a plain UTF-8 CSV file with `,` between fields,
    /// its header on line 1 and no footer (what reports need not repeat).
    pub fn is_plain(&self) -> bool {
        self.sheet.is_none()
            && self.encoding.as_deref() == Some("UTF-8")
            && self.delimiter.as_deref() == Some(",")
            && self.header_line == 1
            && self.footer_lines == 0
    }

    /// True when every row read is accounted for.
    pub fn adds_up(&self) -> bool {
        self.read == self.loaded + self.rejected_total()
    }
}
