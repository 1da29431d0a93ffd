//! What the data layer is asked to read: tables, their files, columns,
//! keys and relations, with each column's type and how to read it.
//!
//! The data layer owns this description; the schema checker builds one from
//! a checked schema (`Schema::schema`), and tests or other front ends may
//! build one by hand. Nothing here knows the schema language: a relation is
//! only which rows of a table belong to which row of another, and a column
//! only how its cells are read.

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::source::Span;
use crate::time::TimeFormat;

/// Index of a table in [`Schema::tables`] (and in the dataset loaded from it).
pub type TableId = usize;

/// A column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColumnRef {
    /// The table.
    pub table: TableId,
    /// Index in [`TableSchema::columns`].
    pub column: usize,
}

/// Every table to read.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The zone local date-times are read in.
    pub(crate) zone: Tz,
    /// The tables, by [`TableId`].
    pub tables: Vec<TableSchema>,
}

/// A table read from one CSV file.
#[derive(Debug, Clone)]
pub struct TableSchema {
    /// Its name (to match `--table NAME=FILE`, and in messages).
    pub(crate) name: String,
    /// Where it is declared, for diagnostics.
    pub(crate) span: Span,
    /// The file, relative to the export directory.
    pub(crate) file: String,
    /// Where the policy names the file, for diagnostics.
    pub(crate) file_span: Span,
    /// Columns read from the file.
    pub columns: Vec<ColumnSchema>,
    /// The key column, if rows have one.
    pub(crate) key: Option<usize>,
    /// Which rows of other tables belong to each row of this one.
    pub(crate) relations: Vec<RelationSchema>,
    /// How its file is written.
    pub(crate) dialect: super::dialect::Dialect,
}

impl TableSchema {
    /// The indices of its reference columns.
    pub(crate) fn ref_columns(&self) -> Vec<usize> {
        let refs = self.columns.iter().enumerate();
        refs.filter(|(_, c)| matches!(c.kind, Kind::Ref(_)))
            .map(|(i, _)| i)
            .collect()
    }
}

/// The type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// Text, compared exactly.
    Text,
    /// A whole number.
    Int,
    /// Yes or no.
    Bool,
    /// A calendar date.
    Date,
    /// An instant.
    DateTime,
    /// An e-mail address, compared ignoring case.
    Email,
    /// Elapsed time.
    Duration,
    /// Calendar days.
    Days,
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One value.
    Scalar(ValueType),
    /// Several values in one cell.
    List(ValueType),
    /// The key of a row of another table.
    Ref(TableId),
}

/// The value an empty cell stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultValue {
    /// Text.
    Text(String),
    /// A whole number, a day count or a duration (ms), as the column's type says.
    Number(i64),
    /// Yes or no.
    Bool(bool),
    /// A date.
    Date(NaiveDate),
    /// An instant (ms since the epoch).
    DateTime(i64),
}

/// A column: which header it is read from, and how.
#[derive(Debug, Clone)]
pub struct ColumnSchema {
    /// Its name (in messages).
    pub(crate) name: String,
    /// The CSV header.
    pub(crate) header: String,
    /// Where the header is written, for "no such column".
    pub(crate) header_span: Span,
    /// What it holds.
    pub(crate) kind: Kind,
    /// An empty cell is a data error.
    pub(crate) required: bool,
    /// What an empty cell stands for.
    pub(crate) default: Option<DefaultValue>,
    /// Accepted patterns (date and date-time columns).
    pub(crate) formats: Vec<TimeFormat>,
    /// The values a text column holds (`one of`); unless `open`, a cell
    /// holding another is a data error.
    pub(crate) values: Option<Vec<String>>,
    /// Other values than `values` are read as written.
    pub(crate) open: bool,
    /// List separator.
    pub(crate) separator: String,
    /// Whether anything reads the column: unread columns are checked but
    /// not stored.
    pub used: bool,
}

/// The rows of `target` whose column `via` refers to a row of this table,
/// sorted by `ordered_by`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationSchema {
    /// The related table.
    pub(crate) target: TableId,
    /// The reference column of `target` pointing back.
    pub(crate) via: usize,
    /// The column of `target` the rows are sorted by.
    pub(crate) ordered_by: Option<usize>,
}

impl Schema {
    /// Per table, per column: whether it is read (see [`ColumnSchema::used`]).
    pub(crate) fn used_columns(&self) -> Vec<Vec<bool>> {
        self.tables
            .iter()
            .map(|t| t.columns.iter().map(|c| c.used).collect())
            .collect()
    }
}
