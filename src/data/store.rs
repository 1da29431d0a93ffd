//! How loaded tables are kept: one typed vector per column, text interned.
//!
//! Missing and invalid cells are sentinel values, so a cell is one machine
//! word and reading one is a load and a compare. Text is interned once for
//! the whole dataset, so equal text is an equal [`Sym`] across tables (a
//! case's `Account ID` and the account's key compare as integers).

use std::sync::Arc;

use lasso::{Rodeo, Spur};
use rustc_hash::{FxBuildHasher, FxHashMap};

use super::error::{DataError, FileAccount};
use crate::semantics::{ColumnRef, Policy, TableId};

/// An interned string.
pub type Sym = Spur;

/// Missing / invalid markers of 64-bit columns.
pub const MISSING_I64: i64 = i64::MIN;
/// An unreadable 64-bit cell.
pub const INVALID_I64: i64 = i64::MIN + 1;
/// A missing date.
pub const MISSING_DATE: i32 = i32::MIN;
/// An unreadable date.
pub const INVALID_DATE: i32 = i32::MIN + 1;
/// Bool cells: missing.
pub const BOOL_MISSING: u8 = 0;
/// Bool cells: false.
pub const BOOL_FALSE: u8 = 1;
/// Bool cells: true.
pub const BOOL_TRUE: u8 = 2;
/// Bool cells: unreadable.
pub const BOOL_INVALID: u8 = 3;
/// A reference that is empty.
pub const NO_ROW: u32 = u32::MAX;
/// A reference to a key that does not exist.
pub const BROKEN: u32 = u32::MAX - 1;

/// Every string of a dataset, once.
pub struct Interner {
    rodeo: Rodeo<Spur, FxBuildHasher>,
    /// Stands for text that could not be read (invalid UTF-8).
    pub invalid: Sym,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} strings)", self.rodeo.len())
    }
}

impl Default for Interner {
    fn default() -> Self {
        Interner::new()
    }
}

impl Interner {
    /// An interner with the reserved sentinel.
    pub fn new() -> Interner {
        let mut rodeo = Rodeo::with_hasher(FxBuildHasher);
        // Cells are trimmed, so no cell text starts with a space.
        let invalid = rodeo.get_or_intern_static(" (unreadable)");
        Interner { rodeo, invalid }
    }

    /// The symbol of `s`, adding it when new.
    pub fn intern(&mut self, s: &str) -> Sym {
        self.rodeo.get_or_intern(s)
    }

    /// The symbol of `s` if it was ever interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.rodeo.get(s)
    }

    /// The text of a symbol.
    pub fn resolve(&self, s: Sym) -> &str {
        self.rodeo.resolve(&s)
    }

    /// The symbol of `s` in lower case (e-mail comparison).
    pub fn intern_folded(&mut self, s: &str) -> Sym {
        if s.bytes().any(|b| b.is_ascii_uppercase()) || !s.is_ascii() {
            let lower = s.to_lowercase();
            self.rodeo.get_or_intern(&lower)
        } else {
            self.rodeo.get_or_intern(s)
        }
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.rodeo.len()
    }

    /// True when only the sentinel is interned.
    pub fn is_empty(&self) -> bool {
        self.rodeo.len() <= 1
    }
}

/// List items of one column, flattened.
#[derive(Debug, Clone)]
pub enum ListItems {
    /// Text items.
    Text(Vec<Sym>),
    /// E-mail items: as written, and folded to lower case.
    Email(Vec<Sym>, Vec<Sym>),
    /// Integers.
    Int(Vec<i64>),
    /// Instants.
    DateTime(Vec<i64>),
    /// Calendar days.
    Days(Vec<i64>),
    /// Elapsed milliseconds.
    Duration(Vec<i64>),
    /// Dates.
    Date(Vec<i32>),
}

/// A list column: per row a range of `items`.
#[derive(Debug, Clone)]
pub struct ListColumn {
    /// Per row: 0 present, 1 missing (empty cell), 2 unreadable.
    pub state: Vec<u8>,
    /// Per row, the start of its items; one extra entry at the end.
    pub offsets: Vec<u32>,
    /// The items.
    pub items: ListItems,
}

/// The values of one column.
#[derive(Debug, Clone)]
pub enum ColumnData {
    /// Text: `None` missing, [`Interner::invalid`] unreadable.
    Text(Vec<Option<Sym>>),
    /// E-mail: as written, and folded.
    Email(Vec<Option<Sym>>, Vec<Option<Sym>>),
    /// Integers; [`MISSING_I64`] / [`INVALID_I64`].
    Int(Vec<i64>),
    /// [`BOOL_MISSING`], [`BOOL_FALSE`], [`BOOL_TRUE`], [`BOOL_INVALID`].
    Bool(Vec<u8>),
    /// Days since 0001-01-01; [`MISSING_DATE`] / [`INVALID_DATE`].
    Date(Vec<i32>),
    /// Milliseconds since the epoch; [`MISSING_I64`] / [`INVALID_I64`].
    DateTime(Vec<i64>),
    /// Calendar days.
    Days(Vec<i64>),
    /// Elapsed milliseconds.
    Duration(Vec<i64>),
    /// Several values per cell.
    List(ListColumn),
    /// The key text of a referenced row (resolved in [`TableData::refs`]).
    Ref(Vec<Option<Sym>>),
}

/// One cell, as the evaluator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// Empty.
    Missing,
    /// Present but unreadable (a data error was reported).
    Invalid,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Text.
    Text(Sym),
    /// An e-mail address: as written, folded.
    Email(Sym, Sym),
    /// Days since 0001-01-01.
    Date(i32),
    /// Milliseconds since the epoch.
    DateTime(i64),
    /// Calendar days.
    Days(i64),
    /// Elapsed milliseconds.
    Duration(i64),
    /// A list: read its items with [`TableData::list_items`].
    List,
    /// A reference: the key text (the row is in [`TableData::refs`]).
    Ref(Sym),
}

fn i64_cell(v: i64, make: fn(i64) -> Cell) -> Cell {
    match v {
        MISSING_I64 => Cell::Missing,
        INVALID_I64 => Cell::Invalid,
        v => make(v),
    }
}

impl ColumnData {
    /// The cell of a row.
    pub fn cell(&self, row: usize, invalid: Sym) -> Cell {
        match self {
            ColumnData::Text(v) | ColumnData::Ref(v) => match v.get(row).copied().flatten() {
                None => Cell::Missing,
                Some(s) if s == invalid => Cell::Invalid,
                Some(s) if matches!(self, ColumnData::Ref(_)) => Cell::Ref(s),
                Some(s) => Cell::Text(s),
            },
            ColumnData::Email(raw, folded) => match (
                raw.get(row).copied().flatten(),
                folded.get(row).copied().flatten(),
            ) {
                (Some(s), _) if s == invalid => Cell::Invalid,
                (Some(r), Some(f)) => Cell::Email(r, f),
                _ => Cell::Missing,
            },
            ColumnData::Int(v) => i64_cell(v.get(row).copied().unwrap_or(MISSING_I64), Cell::Int),
            ColumnData::DateTime(v) => {
                i64_cell(v.get(row).copied().unwrap_or(MISSING_I64), Cell::DateTime)
            }
            ColumnData::Days(v) => i64_cell(v.get(row).copied().unwrap_or(MISSING_I64), Cell::Days),
            ColumnData::Duration(v) => {
                i64_cell(v.get(row).copied().unwrap_or(MISSING_I64), Cell::Duration)
            }
            ColumnData::Bool(v) => match v.get(row).copied().unwrap_or(BOOL_MISSING) {
                BOOL_TRUE => Cell::Bool(true),
                BOOL_FALSE => Cell::Bool(false),
                BOOL_INVALID => Cell::Invalid,
                _ => Cell::Missing,
            },
            ColumnData::Date(v) => match v.get(row).copied().unwrap_or(MISSING_DATE) {
                MISSING_DATE => Cell::Missing,
                INVALID_DATE => Cell::Invalid,
                d => Cell::Date(d),
            },
            ColumnData::List(l) => match l.state.get(row).copied().unwrap_or(1) {
                0 => Cell::List,
                2 => Cell::Invalid,
                _ => Cell::Missing,
            },
        }
    }
}

/// Keys of a table: key text → row.
pub type KeyIndex = FxHashMap<Sym, u32>;

/// The rows of a related table that belong to each row of this one, in
/// order: `rows[offsets[p]..offsets[p + 1]]` are row `p`'s.
#[derive(Debug, Clone, Default)]
pub struct RelationIndex {
    /// Start of each parent's rows; one extra entry at the end.
    pub offsets: Vec<u32>,
    /// Related row numbers.
    pub rows: Vec<u32>,
    /// Parents some of whose related rows were rejected: the lines of those rows.
    pub incomplete: FxHashMap<u32, Vec<u64>>,
}

impl RelationIndex {
    /// The related rows of parent `p`.
    pub fn of(&self, p: usize) -> &[u32] {
        let start = self.offsets.get(p).copied().unwrap_or(0) as usize;
        let end = self.offsets.get(p + 1).copied().unwrap_or(0) as usize;
        self.rows.get(start..end).unwrap_or(&[])
    }
}

/// A rejected row that named a parent row through a reference: the parent's
/// related rows are incomplete.
#[derive(Debug, Clone)]
pub struct Orphan {
    /// The reference column.
    pub column: usize,
    /// The parent key it named.
    pub key: Sym,
    /// Its line.
    pub line: u64,
}

/// One loaded table.
#[derive(Debug, Clone)]
pub struct TableData {
    /// The table's name in the policy.
    pub name: String,
    /// The file, as the user named it.
    pub file: Arc<str>,
    /// Loaded rows.
    pub len: usize,
    /// The physical line of each row.
    pub lines: Vec<u64>,
    /// One entry per declared column, in declaration order.
    pub columns: Vec<ColumnData>,
    /// Key text → row, for tables with a key.
    pub keys: Option<KeyIndex>,
    /// For `ref` columns: the referenced row of each row, or [`NO_ROW`] / [`BROKEN`].
    pub refs: Vec<Option<Vec<u32>>>,
    /// One index per relation declared on this table.
    pub relations: Vec<RelationIndex>,
    /// Rejected rows that referred to a parent.
    pub orphans: Vec<Orphan>,
}

impl TableData {
    /// The physical line of a row.
    pub fn line(&self, row: usize) -> u64 {
        self.lines.get(row).copied().unwrap_or(0)
    }

    /// The referenced row through `ref` column `col`.
    pub fn target(&self, col: usize, row: usize) -> u32 {
        self.refs
            .get(col)
            .and_then(|r| r.as_ref())
            .and_then(|r| r.get(row).copied())
            .unwrap_or(NO_ROW)
    }

    /// The row with a key, if any.
    pub fn row_of(&self, key: Sym) -> Option<usize> {
        self.keys.as_ref()?.get(&key).map(|r| *r as usize)
    }
}

/// Every table of a policy, loaded, with what went wrong.
#[derive(Debug)]
pub struct Dataset {
    /// All text.
    pub interner: Interner,
    /// Tables by [`TableId`].
    pub tables: Vec<TableData>,
    /// Data errors, sorted by file order then line.
    pub errors: Vec<DataError>,
    /// Per file.
    pub accounts: Vec<FileAccount>,
}

impl Dataset {
    /// A table.
    pub fn table(&self, t: TableId) -> Option<&TableData> {
        self.tables.get(t)
    }

    /// A cell.
    pub fn cell(&self, c: ColumnRef, row: usize) -> Cell {
        self.tables
            .get(c.table)
            .and_then(|t| t.columns.get(c.column))
            .map_or(Cell::Missing, |col| col.cell(row, self.interner.invalid))
    }

    /// The items of a list cell as cells.
    pub fn list_items(&self, c: ColumnRef, row: usize) -> Vec<Cell> {
        let Some(ColumnData::List(l)) = self
            .tables
            .get(c.table)
            .and_then(|t| t.columns.get(c.column))
        else {
            return Vec::new();
        };
        let start = l.offsets.get(row).copied().unwrap_or(0) as usize;
        let end = l.offsets.get(row + 1).copied().unwrap_or(0) as usize;
        match &l.items {
            ListItems::Text(v) => v
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .map(|s| Cell::Text(*s))
                .collect(),
            ListItems::Email(r, f) => r
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .zip(f.get(start..end).unwrap_or(&[]))
                .map(|(r, f)| Cell::Email(*r, *f))
                .collect(),
            ListItems::Int(v) => v
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .map(|x| Cell::Int(*x))
                .collect(),
            ListItems::DateTime(v) => v
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .map(|x| Cell::DateTime(*x))
                .collect(),
            ListItems::Days(v) => v
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .map(|x| Cell::Days(*x))
                .collect(),
            ListItems::Duration(v) => v
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .map(|x| Cell::Duration(*x))
                .collect(),
            ListItems::Date(v) => v
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .map(|d| Cell::Date(*d))
                .collect(),
        }
    }

    /// Text of a symbol.
    pub fn text(&self, s: Sym) -> &str {
        self.interner.resolve(s)
    }

    /// Totals over all files.
    pub fn totals(&self) -> (u64, u64, u64) {
        self.accounts.iter().fold((0, 0, 0), |(r, l, j), a| {
            (r + a.read, l + a.loaded, j + a.rejected_total())
        })
    }

    /// The keys of a table, for "did you mean" on an unknown key.
    pub fn keys_of(&self, t: TableId) -> Vec<&str> {
        let Some(table) = self.tables.get(t) else {
            return Vec::new();
        };
        table.keys.as_ref().map_or_else(Vec::new, |k| {
            k.keys().map(|s| self.interner.resolve(*s)).collect()
        })
    }

    /// Checks that every table of `policy` is here (for tests).
    pub fn matches(&self, policy: &Policy) -> bool {
        self.tables.len() == policy.tables.len()
    }
}
