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
}

impl DataError {
    /// `file:line: column: message`.
    pub fn one_line(&self) -> String {
        match &self.column {
            Some(c) => format!("{}:{}: {c}: {}", self.file, self.line, self.message),
            None => format!("{}:{}: {}", self.file, self.line, self.message),
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
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl FileAccount {
    /// Total rejected rows.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// True when every row read is accounted for.
    pub fn adds_up(&self) -> bool {
        self.read == self.loaded + self.rejected_total()
    }
}
