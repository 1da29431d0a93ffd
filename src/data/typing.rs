//! Typing one trimmed cell: a value of its column's type, or why not.
//!
//! The hot path (a cell that reads) builds no message; a cell that does not
//! read carries a small [`Bad`] reason, and [`bad_message`] writes the
//! message, away from the per-cell loop.

use super::cell;
use super::error::excerpt;
use super::schema::{ColumnSchema, DefaultValue, Kind, ValueType};
use super::store::{BOOL_FALSE, BOOL_TRUE, KeyKind};
use crate::diagnostic::Code;
use crate::time::{Instant, Local, LocalResolver, Shift, resolve_offset};

/// A parsed cell before the row is accepted.
#[derive(Debug, Clone, Copy)]
pub(super) enum Tmp<'a> {
    Missing,
    Invalid,
    Text(&'a str),
    I64(i64),
    Bool(u8),
    Date(i32),
    /// Items `start..end` of the row's scratch.
    List(usize, usize),
    /// A reference found in its (already loaded) target table.
    Row(u32),
}

/// List items parsed for the current row.
#[derive(Default)]
pub(super) struct Scratch<'a> {
    pub(super) texts: Vec<&'a str>,
    pub(super) i64s: Vec<i64>,
    pub(super) dates: Vec<i32>,
    /// Items that did not read (left out of the list) or read with a
    /// warning (a shifted local time, kept).
    pub(super) notes: Vec<(Bad, &'a str)>,
}

/// Why a cell did not read as its column's type (the message is written
/// only for a cell that has the problem, away from the hot path).
#[derive(Debug, Clone, Copy)]
pub(super) enum Bad {
    Email,
    Int,
    Bool,
    Date,
    DateTime,
    /// A local time the zone's clocks repeat or skip: read (as the
    /// instant, ms), and said.
    Shifted(Shift, i64),
    Days,
    Duration,
}

/// A parsed cell, or why the text `.1` is not one.
pub(super) type Parsed<'a> = Result<Tmp<'a>, (Bad, &'a str)>;

/// What went wrong with the text `s` of a cell of `col`, and what was expected.
#[cold]
#[inline(never)]
pub(super) fn bad_message(bad: Bad, s: &str, col: &ColumnSchema, zone: chrono_tz::Tz) -> String {
    match bad {
        Bad::Email => format!("`{}` is not an e-mail address", excerpt(s)),
        Bad::Int if cell::is_integer_text(s) => format!(
            "`{}` is too large: whole numbers go from {} to {}",
            excerpt(s),
            i64::MIN,
            i64::MAX
        ),
        Bad::Int => format!("`{}` is not a whole number", excerpt(s)),
        Bad::Bool => format!(
            "`{}` is not a yes/no value: expected {}",
            excerpt(s),
            cell::BOOL_EXPECTED
        ),
        Bad::Date => format!(
            "`{}` is not a date: expected {}",
            excerpt(s),
            cell::date_expected(&col.formats)
        ),
        Bad::DateTime => format!(
            "`{}` is not a date-time: expected {}",
            excerpt(s),
            cell::datetime_expected(&col.formats)
        ),
        Bad::Shifted(shift, instant) => format!(
            "`{}` {}, {}",
            excerpt(s),
            shift.describe(zone),
            Instant(instant).rfc3339(zone)
        ),
        Bad::Days => format!("`{}` is not {}", excerpt(s), cell::DAYS_EXPECTED),
        Bad::Duration => format!("`{}` is not {}", excerpt(s), cell::DURATION_EXPECTED),
    }
}

/// The code of a local time's warning.
pub(super) fn shift_code(shift: Shift) -> Code {
    match shift {
        Shift::Repeated => Code::DataRepeatedTime,
        Shift::Skipped => Code::DataSkippedTime,
    }
}

/// Parses one scalar value.
#[inline]
pub(super) fn scalar<'a>(
    ty: ValueType,
    s: &'a str,
    col: &ColumnSchema,
    resolver: &mut LocalResolver,
) -> Parsed<'a> {
    let b = s.as_bytes();
    let bad = |why: Bad| (why, s);
    match ty {
        ValueType::Text => Ok(Tmp::Text(s)),
        ValueType::Email => {
            if cell::is_email(s) {
                Ok(Tmp::Text(s))
            } else {
                Err(bad(Bad::Email))
            }
        }
        ValueType::Int => cell::parse_int(b)
            .map(Tmp::I64)
            .ok_or_else(|| bad(Bad::Int)),
        ValueType::Bool => cell::parse_bool(b)
            .map(|v| Tmp::Bool(if v { BOOL_TRUE } else { BOOL_FALSE }))
            .ok_or_else(|| bad(Bad::Bool)),
        ValueType::Date => cell::parse_date(b, &col.formats)
            .map(|d| Tmp::Date(cell::date_to_days(d)))
            .ok_or_else(|| bad(Bad::Date)),
        ValueType::DateTime => {
            let parsed = col.formats.iter().find_map(|f| f.match_parts(b)).map(
                |(naive, offset)| match offset {
                    Some(off) => Local {
                        instant: resolve_offset(naive, off),
                        shift: None,
                    },
                    None => resolver.resolve(naive),
                },
            );
            match parsed {
                Some(Local {
                    instant,
                    shift: None,
                }) => Ok(Tmp::I64(instant.0)),
                Some(Local {
                    instant,
                    shift: Some(shift),
                }) => Err(bad(Bad::Shifted(shift, instant.0))),
                None => Err(bad(Bad::DateTime)),
            }
        }
        ValueType::Days => cell::parse_days(s)
            .map(Tmp::I64)
            .ok_or_else(|| bad(Bad::Days)),
        ValueType::Duration => cell::parse_duration(s)
            .map(Tmp::I64)
            .ok_or_else(|| bad(Bad::Duration)),
    }
}

/// Parses a list cell into the scratch. An item that does not read is
/// left out (and noted for its data error); the others stay.
pub(super) fn list<'a>(
    ty: ValueType,
    s: &'a str,
    col: &ColumnSchema,
    resolver: &mut LocalResolver,
    scratch: &mut Scratch<'a>,
) -> Tmp<'a> {
    let len = |scratch: &Scratch| match ty {
        ValueType::Date => scratch.dates.len(),
        ValueType::Int | ValueType::DateTime | ValueType::Days | ValueType::Duration => {
            scratch.i64s.len()
        }
        _ => scratch.texts.len(),
    };
    let start = len(scratch);
    for item in s.split(col.separator.as_str()) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let value = match scalar(ty, item, col, resolver) {
            Ok(v) => v,
            Err((bad @ Bad::Shifted(_, instant), text)) => {
                scratch.notes.push((bad, text));
                Tmp::I64(instant)
            }
            Err(note) => {
                scratch.notes.push(note);
                continue;
            }
        };
        match value {
            Tmp::Text(x) => scratch.texts.push(x),
            Tmp::I64(v) => scratch.i64s.push(v),
            Tmp::Date(d) => scratch.dates.push(d),
            _ => {}
        }
    }
    Tmp::List(start, len(scratch))
}

/// Trims ASCII whitespace; most cells have none, so check the ends first.
pub(super) fn trim_str(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if !f.is_ascii_whitespace() && !l.is_ascii_whitespace() => s,
        _ => s.trim_matches(|c: char| c.is_ascii_whitespace()),
    }
}

/// How a table's keys compare.
pub(super) fn key_kind(c: &ColumnSchema) -> KeyKind {
    match c.kind {
        Kind::Scalar(ValueType::Email) => KeyKind::Email,
        Kind::Scalar(ValueType::Int) => KeyKind::Int,
        _ => KeyKind::Text,
    }
}

pub(super) fn default_tmp(d: &DefaultValue) -> Tmp<'_> {
    match d {
        DefaultValue::Text(s) => Tmp::Text(s),
        DefaultValue::Number(n) | DefaultValue::DateTime(n) => Tmp::I64(*n),
        DefaultValue::Bool(b) => Tmp::Bool(if *b { BOOL_TRUE } else { BOOL_FALSE }),
        DefaultValue::Date(d) => Tmp::Date(cell::date_to_days(*d)),
    }
}
