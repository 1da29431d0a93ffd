//! Column builders: the cells of one block, column by column, before the
//! blocks of a file are joined.

use super::schema::{ColumnSchema, Kind, ValueType};
use super::store::*;
use super::typing::{Scratch, Tmp};

/// A column being built.
pub(super) enum Builder {
    Text(TextBuilder),
    Email(TextBuilder),
    I64(Vec<i64>, fn(Vec<i64>) -> ColumnData),
    Bool(Vec<u8>),
    Date(Vec<i32>),
    List {
        state: Vec<u8>,
        offsets: Vec<u32>,
        items: Items,
    },
    /// References kept as text, resolved once every table is loaded.
    Ref(TextBuilder),
    /// References resolved while parsing; the text of broken ones by row.
    Rows(Vec<u32>, Vec<(u32, Box<str>)>),
    Unused,
}

pub(super) enum Items {
    Text(TextBuilder),
    I64(Vec<i64>, fn(Vec<i64>) -> ListItems),
    Date(Vec<i32>),
}

impl Items {
    pub(super) fn len(&self) -> usize {
        match self {
            Items::Text(b) => b.len(),
            Items::I64(v, _) => v.len(),
            Items::Date(v) => v.len(),
        }
    }
}

impl Builder {
    /// The items of a list column so far (0 for other columns).
    pub(super) fn items(&self) -> usize {
        match self {
            Builder::List { items, .. } => items.len(),
            _ => 0,
        }
    }
}

/// A column's builder; `direct` resolves references while parsing.
pub(super) fn builder(c: &ColumnSchema, used: bool, direct: bool) -> Builder {
    if !used {
        return Builder::Unused;
    }
    if direct && matches!(c.kind, Kind::Ref(_)) {
        return Builder::Rows(Vec::new(), Vec::new());
    }
    match c.kind {
        Kind::Scalar(s) => match s {
            ValueType::Text => Builder::Text(TextBuilder::default()),
            ValueType::Email => Builder::Email(TextBuilder::default()),
            ValueType::Int => Builder::I64(Vec::new(), ColumnData::Int),
            ValueType::DateTime => Builder::I64(Vec::new(), ColumnData::DateTime),
            ValueType::Days => Builder::I64(Vec::new(), ColumnData::Days),
            ValueType::Duration => Builder::I64(Vec::new(), ColumnData::Duration),
            ValueType::Bool => Builder::Bool(Vec::new()),
            ValueType::Date => Builder::Date(Vec::new()),
        },
        Kind::List(s) => Builder::List {
            state: Vec::new(),
            offsets: vec![0],
            items: match s {
                ValueType::Int => Items::I64(Vec::new(), ListItems::Int),
                ValueType::DateTime => Items::I64(Vec::new(), ListItems::DateTime),
                ValueType::Days => Items::I64(Vec::new(), ListItems::Days),
                ValueType::Duration => Items::I64(Vec::new(), ListItems::Duration),
                ValueType::Date => Items::Date(Vec::new()),
                ValueType::Text | ValueType::Email | ValueType::Bool => {
                    Items::Text(TextBuilder::default())
                }
            },
        },
        Kind::Ref(_) => Builder::Ref(TextBuilder::default()),
    }
}

pub(super) fn text_of(v: Tmp) -> TextCell {
    match v {
        Tmp::Text(s) => TextCell::Value(s),
        Tmp::Invalid => TextCell::Invalid,
        _ => TextCell::Missing,
    }
}

impl Builder {
    pub(super) fn push(&mut self, v: Tmp, scratch: &Scratch) {
        match self {
            Builder::Unused => {}
            Builder::Text(b) | Builder::Email(b) | Builder::Ref(b) => b.push(text_of(v)),
            Builder::Rows(rows, broken) => {
                let r = match v {
                    Tmp::Row(r) => r,
                    Tmp::Text(s) => {
                        broken.push((super::row::row_id(rows.len()), s.into()));
                        BROKEN
                    }
                    Tmp::Invalid => BAD_REF,
                    _ => NO_ROW,
                };
                rows.push(r);
            }
            Builder::I64(x, _) => x.push(match v {
                Tmp::I64(n) => n,
                Tmp::Invalid => INVALID_I64,
                _ => MISSING_I64,
            }),
            Builder::Bool(x) => x.push(match v {
                Tmp::Bool(b) => b,
                Tmp::Invalid => BOOL_INVALID,
                _ => BOOL_MISSING,
            }),
            Builder::Date(x) => x.push(match v {
                Tmp::Date(d) => d,
                Tmp::Invalid => INVALID_DATE,
                _ => MISSING_DATE,
            }),
            Builder::List {
                state,
                offsets,
                items,
            } => {
                let (st, range) = match v {
                    Tmp::List(a, b) => (0u8, a..b),
                    Tmp::Invalid => (2, 0..0),
                    _ => (1, 0..0),
                };
                state.push(st);
                match items {
                    Items::Text(b) => {
                        for s in scratch.texts.get(range).unwrap_or(&[]) {
                            b.push(TextCell::Value(s));
                        }
                    }
                    Items::I64(x, _) => x.extend_from_slice(scratch.i64s.get(range).unwrap_or(&[])),
                    Items::Date(x) => x.extend_from_slice(scratch.dates.get(range).unwrap_or(&[])),
                }
                offsets.push(super::row::item_offset(items.len()));
            }
        }
    }

    pub(super) fn reserve(&mut self, n: usize) {
        match self {
            Builder::I64(v, _) => v.reserve(n),
            Builder::Bool(v) => v.reserve(n),
            Builder::Date(v) => v.reserve(n),
            Builder::Text(b) | Builder::Email(b) | Builder::Ref(b) => b.reserve(n),
            Builder::Rows(v, _) => v.reserve(n),
            Builder::List { .. } | Builder::Unused => {}
        }
    }

    /// Drops rows from `n` on (a row rejected after some cells were added).
    pub(super) fn truncate(&mut self, n: usize) {
        match self {
            Builder::Unused => {}
            Builder::Text(b) | Builder::Email(b) | Builder::Ref(b) => b.truncate(n),
            Builder::Rows(v, broken) => {
                v.truncate(n);
                broken.retain(|(r, _)| (*r as usize) < n);
            }
            Builder::I64(v, _) => v.truncate(n),
            Builder::Bool(v) => v.truncate(n),
            Builder::Date(v) => v.truncate(n),
            Builder::List {
                state,
                offsets,
                items,
            } => {
                state.truncate(n);
                offsets.truncate(n + 1);
                let keep = offsets.last().copied().unwrap_or(0) as usize;
                match items {
                    Items::Text(b) => b.truncate(keep),
                    Items::I64(v, _) => v.truncate(keep),
                    Items::Date(v) => v.truncate(keep),
                }
            }
        }
    }

    /// The finished column, and the text of references (resolved later).
    pub(super) fn finish(self) -> (ColumnData, Option<TextColumn>) {
        match self {
            Builder::Text(b) => (ColumnData::Text(b.finish()), None),
            Builder::Email(b) => (ColumnData::Email(b.finish()), None),
            Builder::I64(v, make) => (make(v), None),
            Builder::Bool(v) => (ColumnData::Bool(v), None),
            Builder::Date(v) => (ColumnData::Date(v), None),
            Builder::List {
                state,
                offsets,
                items,
            } => (
                ColumnData::List(ListColumn {
                    state,
                    offsets,
                    items: match items {
                        Items::Text(b) => ListItems::Text(b.finish()),
                        Items::I64(v, make) => make(v),
                        Items::Date(v) => ListItems::Date(v),
                    },
                }),
                None,
            ),
            Builder::Ref(b) => (
                ColumnData::Ref {
                    rows: Vec::new(),
                    broken: Default::default(),
                },
                Some(b.finish()),
            ),
            Builder::Rows(rows, broken) => (
                ColumnData::Ref {
                    rows,
                    broken: broken.into_iter().collect(),
                },
                None,
            ),
            Builder::Unused => (ColumnData::Unused, None),
        }
    }
}
