//! Values during evaluation, and three-valued logic.
//!
//! A comparison with a missing value is *unknown*; `and`, `or` and `not`
//! follow Kleene's logic (`false and unknown` is false, `true or unknown`
//! is true). Unknown is [`Value::Missing`] where a condition is expected.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::semantics::TableId;

/// Text borrowed from the policy or the data, or made by a function.
#[derive(Debug, Clone)]
pub(crate) enum Txt<'a> {
    /// Borrowed.
    Borrowed(&'a str),
    /// Computed (`lower(…)`).
    Owned(Rc<str>),
}

impl Txt<'_> {
    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Txt::Borrowed(s) => s,
            Txt::Owned(s) => s,
        }
    }
}

/// A set of rows of one table, in order.
#[derive(Debug, Clone)]
pub(crate) enum RowSet<'a> {
    /// A relation's rows, as stored.
    Slice(&'a [u32]),
    /// Rows picked by a filter.
    Owned(Rc<[u32]>),
}

impl RowSet<'_> {
    /// The row numbers.
    pub(crate) fn rows(&self) -> &[u32] {
        match self {
            RowSet::Slice(s) => s,
            RowSet::Owned(s) => s,
        }
    }
}

/// A value.
#[derive(Debug, Clone)]
pub(crate) enum Value<'a> {
    /// No value; as a condition, unknown.
    Missing,
    /// A condition.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Text, compared exactly.
    Text(Txt<'a>),
    /// An e-mail address, compared ignoring case.
    Email(Txt<'a>),
    /// Days since 0001-01-01.
    Date(i32),
    /// Milliseconds since the epoch.
    DateTime(i64),
    /// Calendar days.
    Days(i64),
    /// Elapsed milliseconds.
    Duration(i64),
    /// Several values.
    List(Rc<[Value<'a>]>),
    /// One row.
    Row(TableId, u32),
    /// Rows of one table.
    Rows(TableId, RowSet<'a>),
}

impl<'a> Value<'a> {
    /// True for [`Value::Missing`].
    pub(crate) fn is_missing(&self) -> bool {
        matches!(self, Value::Missing)
    }

    /// As a condition: `Some(true)`, `Some(false)`, or `None` when unknown.
    pub(crate) fn truth(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The text of a text or e-mail value.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Value::Text(t) | Value::Email(t) => Some(t.as_str()),
            _ => None,
        }
    }
}

/// Kleene's `and`.
pub(crate) fn and(a: Option<bool>, b: Option<bool>) -> Value<'static> {
    match (a, b) {
        (Some(false), _) | (_, Some(false)) => Value::Bool(false),
        (Some(true), Some(true)) => Value::Bool(true),
        _ => Value::Missing,
    }
}

/// Kleene's `or`.
pub(crate) fn or(a: Option<bool>, b: Option<bool>) -> Value<'static> {
    match (a, b) {
        (Some(true), _) | (_, Some(true)) => Value::Bool(true),
        (Some(false), Some(false)) => Value::Bool(false),
        _ => Value::Missing,
    }
}

/// Equality of text ignoring case.
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// Compares two present values of like types (the checker guarantees the
/// types); `None` when they cannot be ordered.
pub(crate) fn order(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y))
        | (DateTime(x), DateTime(y))
        | (Days(x), Days(y))
        | (Duration(x), Duration(y)) => Some(x.cmp(y)),
        (Date(x), Date(y)) => Some(x.cmp(y)),
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Text(x), Text(y)) => Some(x.as_str().cmp(y.as_str())),
        (Email(x), Email(y)) | (Email(x), Text(y)) | (Text(x), Email(y)) => {
            Some(if eq_ignore_case(x.as_str(), y.as_str()) {
                Ordering::Equal
            } else {
                x.as_str().cmp(y.as_str())
            })
        }
        (Row(t, r), Row(u, s)) if t == u => Some(r.cmp(s)),
        _ => None,
    }
}

/// Equality of two present values; e-mail addresses ignore case, and text
/// ignores case when asked.
pub(crate) fn equal(a: &Value, b: &Value, ignore_case: bool) -> bool {
    match (a, b) {
        (Value::Text(x), Value::Text(y)) if ignore_case => eq_ignore_case(x.as_str(), y.as_str()),
        _ => order(a, b) == Some(Ordering::Equal),
    }
}
