//! How loaded tables are kept: one typed vector per column.
//!
//! Missing and unreadable cells are sentinel values, so a cell is one
//! machine word and reading one is a load and a compare. Text is
//! dictionary-encoded per column while it repeats (statuses, event names)
//! and kept raw when it does not (keys, e-mail addresses); either way a
//! cell reads as a `&str` borrowed from the dataset. Keys are indexed by a
//! hash table of row numbers that hashes the key text where it lies.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap};

pub(crate) use super::codes::Codes;
use super::error::{DataError, FileAccount};
pub(crate) use super::lines::LineMap;
pub(crate) use super::raw::RawText;
use super::schema::{ColumnRef, TableId};

/// Missing / invalid markers of 64-bit columns.
pub(crate) const MISSING_I64: i64 = i64::MIN;
/// An unreadable 64-bit cell.
pub(crate) const INVALID_I64: i64 = i64::MIN + 1;
/// A missing date.
pub(crate) const MISSING_DATE: i32 = i32::MIN;
/// An unreadable date.
pub(crate) const INVALID_DATE: i32 = i32::MIN + 1;
/// Bool cells: missing.
pub(crate) const BOOL_MISSING: u8 = 0;
/// Bool cells: false.
pub(crate) const BOOL_FALSE: u8 = 1;
/// Bool cells: true.
pub(crate) const BOOL_TRUE: u8 = 2;
/// Bool cells: unreadable.
pub(crate) const BOOL_INVALID: u8 = 3;
/// A reference that is empty.
pub const NO_ROW: u32 = u32::MAX;
/// A reference to a key that does not exist.
pub const BROKEN: u32 = u32::MAX - 1;
/// A reference that could not be read.
pub const BAD_REF: u32 = u32::MAX - 2;

/// Dictionary codes: missing, unreadable; values start at [`FIRST_CODE`].
const CODE_MISSING: u32 = 0;
const CODE_INVALID: u32 = 1;
const FIRST_CODE: u32 = 2;

/// A column of text values.
#[derive(Debug, Clone)]
pub enum TextColumn {
    /// Repeating values: a code per row into `values`.
    Dict {
        /// Per row: [`CODE_MISSING`], [`CODE_INVALID`] or `FIRST_CODE + index`.
        codes: Codes,
        /// Distinct values.
        values: Vec<Box<str>>,
    },
    /// Mostly distinct values, stored one after the other.
    Raw(RawText),
}

/// The text of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextCell<'a> {
    /// Empty.
    Missing,
    /// Unreadable.
    Invalid,
    /// A value.
    Value(&'a str),
}

impl Default for TextColumn {
    fn default() -> Self {
        TextColumn::Dict {
            codes: Codes::default(),
            values: Vec::new(),
        }
    }
}

impl TextColumn {
    /// Number of rows.
    pub(crate) fn len(&self) -> usize {
        match self {
            TextColumn::Dict { codes, .. } => codes.len(),
            TextColumn::Raw(r) => r.len(),
        }
    }

    /// The cell of a row.
    pub(crate) fn get(&self, row: usize) -> TextCell<'_> {
        match self {
            TextColumn::Dict { codes, values } => match codes.get(row).unwrap_or(CODE_MISSING) {
                CODE_MISSING => TextCell::Missing,
                CODE_INVALID => TextCell::Invalid,
                c => values
                    .get((c - FIRST_CODE) as usize)
                    .map_or(TextCell::Missing, |v| TextCell::Value(v)),
            },
            TextColumn::Raw(r) => r.get(row),
        }
    }
}

/// A test of a dictionary-coded text column's rows against a few texts,
/// made once: a row's code against the texts' codes, no text compared.
#[derive(Debug, Clone)]
pub(crate) struct CodeSet<'a> {
    codes: &'a Codes,
    /// The codes of the texts the column holds (a text it never holds has none).
    targets: Vec<u32>,
}

impl CodeSet<'_> {
    /// Whether the row's text is one of the texts; `None` when the cell is
    /// empty or unreadable.
    #[inline]
    pub(crate) fn test(&self, row: usize) -> Option<bool> {
        match self.codes.get(row).unwrap_or(CODE_MISSING) {
            CODE_MISSING | CODE_INVALID => None,
            c => Some(self.targets.contains(&c)),
        }
    }
}

impl TextColumn {
    /// For a dictionary-coded column, the test of its rows against `texts`
    /// (exact text equality, as `=` on text reads it).
    pub(crate) fn code_set(&self, texts: &[&str]) -> Option<CodeSet<'_>> {
        let TextColumn::Dict { codes, values } = self else {
            return None;
        };
        let targets = values
            .iter()
            .enumerate()
            .filter(|(_, v)| texts.contains(&&***v))
            .filter_map(|(i, _)| u32::try_from(i).ok()?.checked_add(FIRST_CODE))
            .collect();
        Some(CodeSet { codes, targets })
    }
}

impl TextColumn {
    /// Joins columns built separately (blocks of one file), in order.
    pub(crate) fn concat(parts: Vec<TextColumn>) -> TextColumn {
        let all_dict = parts.iter().all(|p| matches!(p, TextColumn::Dict { .. }));
        if all_dict {
            let mut values: Vec<Box<str>> = Vec::new();
            let mut map: FxHashMap<Box<str>, u32> = FxHashMap::default();
            let mut codes = Codes::with_capacity(parts.iter().map(TextColumn::len).sum());
            for p in parts {
                let TextColumn::Dict {
                    codes: pc,
                    values: pv,
                } = p
                else {
                    continue;
                };
                let remap: Vec<u32> = pv
                    .into_iter()
                    .map(|v| match map.get(&v) {
                        Some(c) => *c,
                        None => {
                            let c = FIRST_CODE + super::row::row_id(values.len());
                            values.push(v.clone());
                            map.insert(v, c);
                            c
                        }
                    })
                    .collect();
                let max = remap.iter().copied().max().unwrap_or(CODE_INVALID);
                codes.extend_map(&pc, max.max(CODE_INVALID), |c| match c {
                    CODE_MISSING | CODE_INVALID => c,
                    c => remap
                        .get((c - FIRST_CODE) as usize)
                        .copied()
                        .unwrap_or(CODE_INVALID),
                });
            }
            return TextColumn::Dict { codes, values };
        }
        let total: usize = parts.iter().map(TextColumn::len).sum();
        let mut parts = parts.into_iter();
        // Grow the first raw part in place (a large vector grows by
        // remapping pages, not copying) rather than copying every part.
        let mut raw = match parts.next() {
            Some(TextColumn::Raw(r)) => r,
            Some(first) => {
                let mut r = RawText::with_capacity(total);
                push_dict_as_raw(&mut r, first);
                r
            }
            None => RawText::default(),
        };
        raw.reserve(total.saturating_sub(raw.len()));
        for p in parts {
            match p {
                TextColumn::Raw(r) => raw.append(&r),
                dict => push_dict_as_raw(&mut raw, dict),
            }
        }
        TextColumn::Raw(raw)
    }

    /// The rows for which `keep` is true.
    pub(crate) fn filter(&self, keep: &[bool]) -> TextColumn {
        let mut b = TextBuilder::default();
        for (row, k) in keep.iter().enumerate() {
            if *k {
                b.push(self.get(row));
            }
        }
        b.finish()
    }
}

/// Appends a dictionary column's cells to raw storage.
fn push_dict_as_raw(raw: &mut RawText, col: TextColumn) {
    for row in 0..col.len() {
        raw.push(col.get(row));
    }
}

/// Builds a text column, dictionary first, raw once values stop repeating.
#[derive(Debug, Default)]
pub(crate) struct TextBuilder {
    col: TextColumn,
    map: FxHashMap<Box<str>, u32>,
}

impl TextBuilder {
    /// Values a dictionary may hold before the column turns raw.
    const MAX_DICT: usize = 1 << 12;

    /// Appends a cell.
    pub(crate) fn push(&mut self, cell: TextCell) {
        match &mut self.col {
            TextColumn::Dict { codes, values } => {
                let code = match cell {
                    TextCell::Missing => CODE_MISSING,
                    TextCell::Invalid => CODE_INVALID,
                    TextCell::Value(s) => match self.map.get(s) {
                        Some(c) => *c,
                        None => {
                            let c = FIRST_CODE + super::row::row_id(values.len());
                            values.push(Box::from(s));
                            self.map.insert(Box::from(s), c);
                            c
                        }
                    },
                };
                codes.push(code);
                // Values that do not repeat are cheaper stored as they are.
                let n = values.len();
                if n > Self::MAX_DICT || (n > 256 && n * 2 > codes.len()) {
                    self.make_raw();
                }
            }
            TextColumn::Raw(r) => r.push(cell),
        }
    }

    fn make_raw(&mut self) {
        if !matches!(self.col, TextColumn::Dict { .. }) {
            return;
        }
        let col = std::mem::take(&mut self.col);
        let mut raw = RawText::with_capacity(col.len() * 2);
        push_dict_as_raw(&mut raw, col);
        self.col = TextColumn::Raw(raw);
        self.map = FxHashMap::default();
    }

    /// The finished column.
    pub(crate) fn finish(self) -> TextColumn {
        self.col
    }

    /// Makes room for `n` more rows.
    pub(crate) fn reserve(&mut self, n: usize) {
        match &mut self.col {
            TextColumn::Dict { codes, .. } => codes.reserve(n),
            TextColumn::Raw(r) => r.reserve(n),
        }
    }

    /// Keeps the first `n` rows.
    pub(crate) fn truncate(&mut self, n: usize) {
        match &mut self.col {
            TextColumn::Dict { codes, .. } => codes.truncate(n),
            TextColumn::Raw(r) => r.truncate(n),
        }
    }

    /// Rows so far.
    pub(crate) fn len(&self) -> usize {
        self.col.len()
    }
}

/// List items of one column, flattened.
#[derive(Debug, Clone)]
pub(crate) enum ListItems {
    /// Text or e-mail items.
    Text(TextColumn),
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
    pub(crate) state: Vec<u8>,
    /// Per row, the start of its items; one extra entry at the end.
    pub(crate) offsets: Vec<u32>,
    /// The items.
    pub(crate) items: ListItems,
}

/// The values of one column.
#[derive(Debug, Clone)]
pub enum ColumnData {
    /// Text.
    Text(TextColumn),
    /// E-mail addresses (compared ignoring case).
    Email(TextColumn),
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
    /// References: the row of the referenced table, or [`NO_ROW`], [`BROKEN`], [`BAD_REF`].
    Ref {
        /// Per row.
        rows: Vec<u32>,
        /// The text of broken references, by row.
        broken: FxHashMap<u32, Box<str>>,
    },
    /// A column the schema declares but never reads: checked while loading, not kept.
    Unused,
}

fn keep_vec<T: Copy>(v: &[T], keep: &[bool]) -> Vec<T> {
    v.iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(x, _)| *x)
        .collect()
}

fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * std::mem::size_of::<T>()
}

impl TextColumn {
    /// Heap bytes held (capacity, not length), for memory reports.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            TextColumn::Dict { codes, values } => {
                codes.heap_bytes()
                    + vec_bytes(values)
                    + values.iter().map(|v| v.len()).sum::<usize>()
            }
            TextColumn::Raw(r) => r.heap_bytes(),
        }
    }
}

impl TextColumn {
    /// Frees spare capacity (a large vector shrinks in place).
    pub(crate) fn shrink_to_fit(&mut self) {
        match self {
            TextColumn::Dict { codes, values } => {
                codes.shrink_to_fit();
                values.shrink_to_fit();
            }
            TextColumn::Raw(r) => r.shrink_to_fit(),
        }
    }
}

impl ColumnData {
    /// Frees spare capacity, once a column is complete.
    pub(crate) fn shrink_to_fit(&mut self) {
        match self {
            ColumnData::Text(t) | ColumnData::Email(t) => t.shrink_to_fit(),
            ColumnData::Int(v)
            | ColumnData::DateTime(v)
            | ColumnData::Days(v)
            | ColumnData::Duration(v) => v.shrink_to_fit(),
            ColumnData::Bool(v) => v.shrink_to_fit(),
            ColumnData::Date(v) => v.shrink_to_fit(),
            ColumnData::List(l) => {
                l.state.shrink_to_fit();
                l.offsets.shrink_to_fit();
                match &mut l.items {
                    ListItems::Text(t) => t.shrink_to_fit(),
                    ListItems::Int(v)
                    | ListItems::DateTime(v)
                    | ListItems::Days(v)
                    | ListItems::Duration(v) => v.shrink_to_fit(),
                    ListItems::Date(v) => v.shrink_to_fit(),
                }
            }
            ColumnData::Ref { rows, .. } => rows.shrink_to_fit(),
            ColumnData::Unused => {}
        }
    }
}

impl ColumnData {
    /// Heap bytes held (capacity, not length), for memory reports.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            ColumnData::Text(t) | ColumnData::Email(t) => t.heap_bytes(),
            ColumnData::Int(v)
            | ColumnData::DateTime(v)
            | ColumnData::Days(v)
            | ColumnData::Duration(v) => vec_bytes(v),
            ColumnData::Bool(v) => vec_bytes(v),
            ColumnData::Date(v) => vec_bytes(v),
            ColumnData::List(l) => {
                vec_bytes(&l.state)
                    + vec_bytes(&l.offsets)
                    + match &l.items {
                        ListItems::Text(t) => t.heap_bytes(),
                        ListItems::Int(v)
                        | ListItems::DateTime(v)
                        | ListItems::Days(v)
                        | ListItems::Duration(v) => vec_bytes(v),
                        ListItems::Date(v) => vec_bytes(v),
                    }
            }
            ColumnData::Ref { rows, broken } => {
                vec_bytes(rows)
                    + broken.capacity() * (4 + 16)
                    + broken.values().map(|b| b.len()).sum::<usize>()
            }
            ColumnData::Unused => 0,
        }
    }
    /// Joins columns built separately (blocks of one file), in order;
    /// `empty` is the column's empty form, used when there are no parts.
    pub(crate) fn concat(
        empty: (ColumnData, Option<TextColumn>),
        parts: Vec<(ColumnData, Option<TextColumn>)>,
    ) -> (ColumnData, Option<TextColumn>) {
        let (parts, refs): (Vec<ColumnData>, Vec<Option<TextColumn>>) = parts.into_iter().unzip();
        let refs: Option<TextColumn> = if refs.iter().any(Option::is_some) {
            Some(TextColumn::concat(refs.into_iter().flatten().collect()))
        } else {
            empty.1
        };
        let mut cols = parts.into_iter();
        let Some(first) = cols.next() else {
            return (empty.0, refs);
        };
        let joined = match first {
            ColumnData::Text(t) => ColumnData::Text(TextColumn::concat(
                std::iter::once(t)
                    .chain(cols.filter_map(|c| {
                        if let ColumnData::Text(t) = c {
                            Some(t)
                        } else {
                            None
                        }
                    }))
                    .collect(),
            )),
            ColumnData::Email(t) => ColumnData::Email(TextColumn::concat(
                std::iter::once(t)
                    .chain(cols.filter_map(|c| {
                        if let ColumnData::Email(t) = c {
                            Some(t)
                        } else {
                            None
                        }
                    }))
                    .collect(),
            )),
            ColumnData::Int(mut v)
            | ColumnData::DateTime(mut v)
            | ColumnData::Days(mut v)
            | ColumnData::Duration(mut v) => {
                let make: fn(Vec<i64>) -> ColumnData = match &empty.0 {
                    ColumnData::DateTime(_) => ColumnData::DateTime,
                    ColumnData::Days(_) => ColumnData::Days,
                    ColumnData::Duration(_) => ColumnData::Duration,
                    _ => ColumnData::Int,
                };
                for c in cols {
                    if let ColumnData::Int(x)
                    | ColumnData::DateTime(x)
                    | ColumnData::Days(x)
                    | ColumnData::Duration(x) = c
                    {
                        v.extend(x);
                    }
                }
                make(v)
            }
            ColumnData::Bool(mut v) => {
                for c in cols {
                    if let ColumnData::Bool(x) = c {
                        v.extend(x);
                    }
                }
                ColumnData::Bool(v)
            }
            ColumnData::Date(mut v) => {
                for c in cols {
                    if let ColumnData::Date(x) = c {
                        v.extend(x);
                    }
                }
                ColumnData::Date(v)
            }
            ColumnData::List(first) => {
                let mut all = vec![first];
                all.extend(cols.filter_map(|c| {
                    if let ColumnData::List(l) = c {
                        Some(l)
                    } else {
                        None
                    }
                }));
                ColumnData::List(ListColumn::concat(all))
            }
            ColumnData::Ref {
                mut rows,
                mut broken,
            } => {
                for c in cols {
                    if let ColumnData::Ref { rows: r, broken: b } = c {
                        let base = super::row::row_id(rows.len());
                        broken.extend(b.into_iter().map(|(k, v)| (k.saturating_add(base), v)));
                        rows.extend(r);
                    }
                }
                ColumnData::Ref { rows, broken }
            }
            ColumnData::Unused => ColumnData::Unused,
        };
        (joined, refs)
    }

    /// The rows for which `keep` is true.
    pub(crate) fn filter(&self, keep: &[bool]) -> ColumnData {
        match self {
            ColumnData::Text(t) => ColumnData::Text(t.filter(keep)),
            ColumnData::Email(t) => ColumnData::Email(t.filter(keep)),
            ColumnData::Int(v) => ColumnData::Int(keep_vec(v, keep)),
            ColumnData::DateTime(v) => ColumnData::DateTime(keep_vec(v, keep)),
            ColumnData::Days(v) => ColumnData::Days(keep_vec(v, keep)),
            ColumnData::Duration(v) => ColumnData::Duration(keep_vec(v, keep)),
            ColumnData::Bool(v) => ColumnData::Bool(keep_vec(v, keep)),
            ColumnData::Date(v) => ColumnData::Date(keep_vec(v, keep)),
            ColumnData::List(l) => ColumnData::List(l.filter(keep)),
            ColumnData::Ref { rows, broken } => {
                // Broken references move with their rows.
                let mut kept = 0u32;
                let mut moved = FxHashMap::default();
                for (row, k) in keep.iter().enumerate() {
                    if *k {
                        if let Some(b) = u32::try_from(row).ok().and_then(|r| broken.get(&r)) {
                            moved.insert(kept, b.clone());
                        }
                        kept += 1;
                    }
                }
                ColumnData::Ref {
                    rows: keep_vec(rows, keep),
                    broken: moved,
                }
            }
            ColumnData::Unused => ColumnData::Unused,
        }
    }
}

impl ListColumn {
    fn concat(parts: Vec<ListColumn>) -> ListColumn {
        let mut state = Vec::new();
        let mut offsets = vec![0u32];
        let mut texts = Vec::new();
        let mut i64s: Vec<i64> = Vec::new();
        let mut dates: Vec<i32> = Vec::new();
        let mut kind: Option<fn(Vec<i64>) -> ListItems> = None;
        let mut is_text = false;
        let mut is_date = false;
        for p in parts {
            let base = offsets.last().copied().unwrap_or(0);
            state.extend(p.state);
            offsets.extend(p.offsets.into_iter().skip(1).map(|o| o + base));
            match p.items {
                ListItems::Text(t) => {
                    is_text = true;
                    texts.push(t);
                }
                ListItems::Int(v) => {
                    kind = Some(ListItems::Int);
                    i64s.extend(v);
                }
                ListItems::DateTime(v) => {
                    kind = Some(ListItems::DateTime);
                    i64s.extend(v);
                }
                ListItems::Days(v) => {
                    kind = Some(ListItems::Days);
                    i64s.extend(v);
                }
                ListItems::Duration(v) => {
                    kind = Some(ListItems::Duration);
                    i64s.extend(v);
                }
                ListItems::Date(v) => {
                    is_date = true;
                    dates.extend(v);
                }
            }
        }
        let items = if is_text {
            ListItems::Text(TextColumn::concat(texts))
        } else if is_date {
            ListItems::Date(dates)
        } else {
            kind.map_or(ListItems::Int(Vec::new()), |k| k(i64s))
        };
        ListColumn {
            state,
            offsets,
            items,
        }
    }

    fn filter(&self, keep: &[bool]) -> ListColumn {
        let mut state = Vec::new();
        let mut offsets = vec![0u32];
        let mut picks: Vec<usize> = Vec::new();
        for (row, k) in keep.iter().enumerate() {
            if !*k {
                continue;
            }
            state.push(self.state.get(row).copied().unwrap_or(1));
            let start = self.offsets.get(row).copied().unwrap_or(0) as usize;
            let end = self.offsets.get(row + 1).copied().unwrap_or(0) as usize;
            picks.extend(start..end);
            offsets.push(super::row::item_offset(picks.len()));
        }
        let pick = |n: usize| {
            let mut m = vec![false; n];
            for &i in &picks {
                if let Some(x) = m.get_mut(i) {
                    *x = true;
                }
            }
            m
        };
        let items = match &self.items {
            ListItems::Text(t) => ListItems::Text(t.filter(&pick(t.len()))),
            ListItems::Int(v) => ListItems::Int(keep_vec(v, &pick(v.len()))),
            ListItems::DateTime(v) => ListItems::DateTime(keep_vec(v, &pick(v.len()))),
            ListItems::Days(v) => ListItems::Days(keep_vec(v, &pick(v.len()))),
            ListItems::Duration(v) => ListItems::Duration(keep_vec(v, &pick(v.len()))),
            ListItems::Date(v) => ListItems::Date(keep_vec(v, &pick(v.len()))),
        };
        ListColumn {
            state,
            offsets,
            items,
        }
    }
}

/// One cell, as the evaluator sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Empty.
    Missing,
    /// Present but unreadable (a data error was reported).
    Invalid,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Text.
    Text(&'a str),
    /// An e-mail address (compare ignoring case).
    Email(&'a str),
    /// Days since 0001-01-01.
    Date(i32),
    /// Milliseconds since the epoch.
    DateTime(i64),
    /// Calendar days.
    Days(i64),
    /// Elapsed milliseconds.
    Duration(i64),
    /// A list: read its items with [`Dataset::list_items`].
    List,
    /// A reference to a row of the referenced table.
    Ref(u32),
    /// A reference to a key that does not exist.
    BrokenRef(&'a str),
}

fn i64_cell<'a>(v: i64, make: fn(i64) -> Cell<'a>) -> Cell<'a> {
    match v {
        MISSING_I64 => Cell::Missing,
        INVALID_I64 => Cell::Invalid,
        v => make(v),
    }
}

fn text_cell<'a>(t: TextCell<'a>, make: fn(&'a str) -> Cell<'a>) -> Cell<'a> {
    match t {
        TextCell::Missing => Cell::Missing,
        TextCell::Invalid => Cell::Invalid,
        TextCell::Value(s) => make(s),
    }
}

impl ColumnData {
    /// The cell of a row.
    pub fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            ColumnData::Text(t) => text_cell(t.get(row), Cell::Text),
            ColumnData::Email(t) => text_cell(t.get(row), Cell::Email),
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
            ColumnData::Ref { rows, broken } => match rows.get(row).copied().unwrap_or(NO_ROW) {
                NO_ROW => Cell::Missing,
                BAD_REF => Cell::Invalid,
                BROKEN => broken
                    .get(&(row as u32))
                    .map_or(Cell::Invalid, |t| Cell::BrokenRef(t)),
                r => Cell::Ref(r),
            },
            ColumnData::Unused => Cell::Missing,
        }
    }
}

/// The text a key is looked up by: e-mail keys ignore case, integer keys
/// are compared as numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// Exact text.
    Text,
    /// Text ignoring ASCII case.
    Email,
    /// An integer.
    Int,
}

/// Hashes a key in its canonical form.
pub(crate) fn key_hash(kind: KeyKind, s: &str) -> u64 {
    let mut h = FxBuildHasher.build_hasher();
    match kind {
        KeyKind::Text => s.hash(&mut h),
        KeyKind::Email => {
            for b in s.bytes() {
                h.write_u8(b.to_ascii_lowercase());
            }
            h.write_u8(0xff);
        }
        KeyKind::Int => super::cell::parse_int(s.as_bytes()).hash(&mut h),
    }
    h.finish()
}

/// True when two keys are the same in their canonical form.
pub(crate) fn key_eq(kind: KeyKind, a: &str, b: &str) -> bool {
    match kind {
        KeyKind::Text => a == b,
        KeyKind::Email => a.eq_ignore_ascii_case(b),
        KeyKind::Int => {
            super::cell::parse_int(a.as_bytes()) == super::cell::parse_int(b.as_bytes())
        }
    }
}

/// Keys of a table: hash tables of row numbers, hashed by their key text.
///
/// Large tables split their keys into shards by a few bits of the hash, so
/// the shards are built in parallel; a lookup goes to the one shard its
/// hash names.
#[derive(Debug, Clone)]
pub(crate) struct KeyIndex {
    /// How keys compare.
    pub(crate) kind: KeyKind,
    /// A power of two of them.
    shards: Vec<HashTable<u32>>,
}

/// One shard of an index as built, and the repeats it turned away.
type Shard = (HashTable<u32>, Vec<(u32, u32)>);

/// Keys below which one shard is built (on one thread).
const SHARDED_FROM: usize = 1 << 16;
/// Shards of a large index (fewer than `u8::MAX`).
const SHARDS: usize = 64;
/// Where the shard bits sit in the hash: above those hashbrown takes for
/// the bucket (low bits) and below the tag (top seven bits).
const SHARD_SHIFT: u32 = 40;

impl KeyIndex {
    /// An empty index.
    pub(crate) fn new(kind: KeyKind) -> KeyIndex {
        KeyIndex {
            kind,
            shards: vec![HashTable::new()],
        }
    }

    /// The index of every key in `keys`. The first row with a key keeps
    /// it; later rows with the same key are returned as `(row, first row)`,
    /// in row order, and are not in the index.
    pub(crate) fn build(kind: KeyKind, keys: &TextColumn) -> (KeyIndex, Vec<(u32, u32)>) {
        use rayon::prelude::*;
        let n = keys.len();
        let nshards = if n < SHARDED_FROM { 1 } else { SHARDS };
        let shard_of = |h: u64| ((h >> SHARD_SHIFT) as usize) & (nshards - 1);
        let row_u32 = super::row::row_id;
        // Each row's hash, found in parallel (`NONE` for a row without a key).
        const NONE: u64 = u64::MAX;
        let hashes: Vec<u64> = (0..n)
            .into_par_iter()
            .with_min_len(SHARDED_FROM / 4)
            .map(|r| match keys.get(r) {
                TextCell::Value(k) => key_hash(kind, k),
                _ => NONE,
            })
            .collect();
        let has_key = |r: usize, h: u64| h != NONE || matches!(keys.get(r), TextCell::Value(_));
        // Rows with their hashes, grouped by shard and in row order within
        // each (a counting sort), so the first row of a key keeps it and a
        // shard fills without reading the keys again.
        let mut starts = vec![0usize; nshards + 1];
        for (r, &h) in hashes.iter().enumerate() {
            if has_key(r, h)
                && let Some(c) = starts.get_mut(shard_of(h) + 1)
            {
                *c += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut grouped = vec![(0u64, 0u32); starts.last().copied().unwrap_or(0)];
        for (r, &h) in hashes.iter().enumerate() {
            if has_key(r, h)
                && let Some(at) = fill.get_mut(shard_of(h))
                && let Some(slot) = grouped.get_mut(*at)
            {
                *slot = (h, row_u32(r));
                *at += 1;
            }
        }
        drop(hashes);
        let same = |a: u32, b: u32| {
            matches!((keys.get(a as usize), keys.get(b as usize)),
                (TextCell::Value(x), TextCell::Value(y)) if key_eq(kind, x, y))
        };
        let built: Vec<Shard> = (0..nshards)
            .into_par_iter()
            .map(|si| {
                let rows = grouped.get(starts[si]..starts[si + 1]).unwrap_or(&[]);
                let mut table = HashTable::with_capacity(rows.len());
                let mut dups = Vec::new();
                for &(h, row) in rows {
                    match table.entry(
                        h,
                        |&r| same(r, row),
                        |&r| match keys.get(r as usize) {
                            TextCell::Value(k) => key_hash(kind, k),
                            _ => 0,
                        },
                    ) {
                        hashbrown::hash_table::Entry::Occupied(e) => dups.push((row, *e.get())),
                        hashbrown::hash_table::Entry::Vacant(v) => {
                            v.insert(row);
                        }
                    }
                }
                (table, dups)
            })
            .collect();
        let mut dups = Vec::new();
        let mut shards = Vec::with_capacity(nshards);
        for (t, d) in built {
            shards.push(t);
            dups.extend(d);
        }
        dups.sort_unstable();
        (KeyIndex { kind, shards }, dups)
    }

    /// The row with key `s`, looking keys up in `keys`.
    pub(crate) fn find(&self, s: &str, keys: &TextColumn) -> Option<u32> {
        let h = key_hash(self.kind, s);
        let shard = ((h >> SHARD_SHIFT) as usize) & (self.shards.len().max(1) - 1);
        self.shards
            .get(shard)?
            .find(h, |&row| matches!(keys.get(row as usize), TextCell::Value(k) if key_eq(self.kind, k, s)))
            .copied()
    }

    /// Heap bytes (a row number and a control byte per slot).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.shards.iter().map(|t| t.capacity() * 5).sum()
    }
}

/// The rows of a related table that belong to each row of this one, in
/// order: `rows[offsets[p]..offsets[p + 1]]` are row `p`'s.
#[derive(Debug, Clone, Default)]
pub struct RelationIndex {
    /// Start of each parent's rows; one extra entry at the end.
    pub(crate) offsets: Vec<u32>,
    /// Related row numbers.
    pub(crate) rows: Vec<u32>,
    /// Parents some of whose related rows were rejected: the lines of those rows.
    pub dropped: FxHashMap<u32, Vec<u64>>,
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
/// related rows are dropped.
#[derive(Debug, Clone)]
pub(crate) struct Orphan {
    /// The reference column.
    pub(crate) column: usize,
    /// The parent key it named.
    pub(crate) key: Box<str>,
    /// Its line.
    pub(crate) line: u64,
}

/// One loaded table.
#[derive(Debug, Clone)]
pub struct TableData {
    /// The table's name in the schema.
    pub name: String,
    /// The file, as the user named it.
    pub(crate) file: Arc<str>,
    /// LoadedTable rows.
    pub len: usize,
    /// The physical line of each row.
    pub(crate) lines: LineMap,
    /// One entry per declared column, in declaration order.
    pub columns: Vec<ColumnData>,
    /// The key column (its text), for tables with a key.
    pub(crate) key_column: Option<usize>,
    /// Key → row, for tables with a key.
    pub(crate) keys: Option<KeyIndex>,
    /// One index per relation declared on this table.
    pub relations: Vec<RelationIndex>,
    /// Rejected rows that referred to a parent.
    pub(crate) orphans: Vec<Orphan>,
    /// LoadedTable rows with a data error (an unreadable cell, a broken reference).
    pub(crate) errored: RowBits,
}

/// A set of row numbers, a bit each.
#[derive(Debug, Clone, Default)]
pub(crate) struct RowBits {
    words: Vec<u64>,
    count: usize,
}

impl RowBits {
    /// Adds a row.
    pub(crate) fn insert(&mut self, row: u32) {
        let (w, b) = (row as usize / 64, row % 64);
        if self.words.len() <= w {
            self.words.resize(w + 1, 0);
        }
        if let Some(word) = self.words.get_mut(w)
            && *word & (1 << b) == 0
        {
            *word |= 1 << b;
            self.count += 1;
        }
    }

    /// Whether a row is in the set.
    #[inline]
    pub(crate) fn contains(&self, row: u32) -> bool {
        self.words
            .get(row as usize / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }

    /// True without rows.
    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The rows, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words.iter().enumerate().flat_map(|(w, &word)| {
            (0..64u32)
                .filter(move |b| word & (1 << b) != 0)
                .map(move |b| (w as u32) * 64 + b)
        })
    }
}

impl TableData {
    /// Heap bytes held by the table's columns, line numbers and indexes.
    pub(crate) fn heap_bytes(&self) -> (usize, Vec<usize>, usize) {
        let cols: Vec<usize> = self.columns.iter().map(ColumnData::heap_bytes).collect();
        let index = self.keys.as_ref().map_or(0, KeyIndex::heap_bytes)
            + self
                .relations
                .iter()
                .map(|r| vec_bytes(&r.offsets) + vec_bytes(&r.rows))
                .sum::<usize>();
        (self.lines.heap_bytes(), cols, index)
    }

    /// The physical line of a row.
    pub fn line(&self, row: usize) -> u64 {
        self.lines.get(row).unwrap_or(0)
    }

    /// The referenced row through `ref` column `col`: a row, [`NO_ROW`], [`BROKEN`] or [`BAD_REF`].
    pub fn target(&self, col: usize, row: usize) -> u32 {
        match self.columns.get(col) {
            Some(ColumnData::Ref { rows, .. }) => rows.get(row).copied().unwrap_or(NO_ROW),
            _ => NO_ROW,
        }
    }

    fn key_text(&self) -> Option<&TextColumn> {
        match self.columns.get(self.key_column?)? {
            ColumnData::Text(t) | ColumnData::Email(t) => Some(t),
            _ => None,
        }
    }

    /// The row with a key, if any.
    pub fn row_of(&self, key: &str) -> Option<usize> {
        let keys = self.key_text()?;
        self.keys.as_ref()?.find(key, keys).map(|r| r as usize)
    }

    /// The key of a row, for display.
    pub fn key_of(&self, row: usize) -> Option<&str> {
        match self.key_text()?.get(row) {
            TextCell::Value(s) => Some(s),
            _ => None,
        }
    }
}

/// Every table of a schema, loaded, with what went wrong.
#[derive(Debug)]
pub struct Dataset {
    /// Tables by [`TableId`].
    pub tables: Vec<TableData>,
    /// Data errors, sorted by file order then line.
    pub errors: Vec<DataError>,
    /// Data warnings (values docket read but had to interpret, files that
    /// look odd), sorted like the errors. They never change a finding
    /// unseen and never fail a run.
    pub warnings: Vec<DataError>,
    /// Per file.
    pub accounts: Vec<FileAccount>,
    /// How long the load's stages took.
    pub(crate) timings: super::load::LoadTimings,
    /// The files, as opened (to show their lines).
    pub(crate) sources: Vec<super::open::Opened>,
}

impl Dataset {
    /// For a dictionary-coded text column (not e-mail: that compares
    /// ignoring case), the test of its rows against `texts` by code.
    pub(crate) fn code_set(&self, c: ColumnRef, texts: &[&str]) -> Option<CodeSet<'_>> {
        match self.tables.get(c.table)?.columns.get(c.column)? {
            ColumnData::Text(t) => t.code_set(texts),
            _ => None,
        }
    }

    /// Takes in the data errors, warnings, accounts and files of another
    /// reading (a waivers register), so they are reported with these.
    pub fn absorb(&mut self, other: Dataset) {
        self.errors.extend(other.errors);
        self.warnings.extend(other.warnings);
        self.accounts.extend(other.accounts);
        self.sources.extend(other.sources);
    }

    /// The text of the given lines of each file (by the name reports give
    /// it), decoded as the file was read; a workbook's rows as CSV lines.
    /// Lines that cannot be read are left out.
    pub(crate) fn source_lines(
        &self,
        wanted: &std::collections::BTreeMap<String, std::collections::BTreeSet<u64>>,
    ) -> std::collections::BTreeMap<(String, u64), String> {
        let mut out = std::collections::BTreeMap::new();
        for (file, lines) in wanted {
            let Some(o) = self.sources.iter().find(|o| &**o.display() == file) else {
                continue;
            };
            for (n, text) in o.lines(lines) {
                out.insert((file.clone(), n), text);
            }
        }
        out
    }

    /// A table.
    pub fn table(&self, t: TableId) -> Option<&TableData> {
        self.tables.get(t)
    }

    /// A cell.
    pub fn cell(&self, c: ColumnRef, row: usize) -> Cell<'_> {
        self.tables
            .get(c.table)
            .and_then(|t| t.columns.get(c.column))
            .map_or(Cell::Missing, |col| col.cell(row))
    }

    /// The items of a list cell as cells.
    pub fn list_items(&self, c: ColumnRef, row: usize) -> Vec<Cell<'_>> {
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
            ListItems::Text(t) => (start..end)
                .map(|i| text_cell(t.get(i), Cell::Text))
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

    /// Totals over all files: (read, loaded, rejected).
    pub fn totals(&self) -> (u64, u64, u64) {
        self.accounts.iter().fold((0, 0, 0), |(r, l, j), a| {
            (r + a.read, l + a.loaded, j + a.rejected_total())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(cells: &[Option<String>]) -> TextColumn {
        let mut b = TextBuilder::default();
        for c in cells {
            b.push(match c {
                Some(s) => TextCell::Value(s),
                None => TextCell::Missing,
            });
        }
        b.finish()
    }

    /// Sharded (large) and single-shard (small) indexes agree with a plain
    /// first-row-wins map: every key found at its first row, every later
    /// repeat reported in row order, missing cells skipped.
    #[test]
    fn build_keeps_the_first_row_of_each_key_and_lists_repeats_in_order() {
        for n in [10usize, 1000, SHARDED_FROM + 5000] {
            let cells: Vec<Option<String>> = (0..n)
                .map(|i| match i % 97 {
                    0 => None,
                    // Every 13th row repeats a key from earlier, in other case.
                    _ if i % 13 == 5 => Some(format!("Key-{}@X.COM", i / 3)),
                    _ => Some(format!("key-{i}@x.com")),
                })
                .collect();
            let keys = column(&cells);
            let (index, dups) = KeyIndex::build(KeyKind::Email, &keys);
            let mut first: FxHashMap<String, u32> = FxHashMap::default();
            let mut want = Vec::new();
            for (row, c) in cells.iter().enumerate() {
                let Some(c) = c else { continue };
                let row = row as u32;
                match first.get(&c.to_ascii_lowercase()) {
                    Some(&f) => want.push((row, f)),
                    None => {
                        first.insert(c.to_ascii_lowercase(), row);
                    }
                }
            }
            assert_eq!(dups, want, "{n} keys");
            for (k, row) in &first {
                assert_eq!(index.find(&k.to_uppercase(), &keys), Some(*row), "{k}");
            }
            assert_eq!(index.find("nobody@x.com", &keys), None);
        }
    }
}
