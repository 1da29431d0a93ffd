//! The types of expressions.

use std::fmt;

use crate::syntax::ast::ScalarType;

use super::ir::TableId;

/// The type of an expression. Any value may be missing; [`Type::Error`]
/// marks an expression that already has a diagnostic, so one mistake is
/// reported once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Type {
    /// true / false (missing booleans read as false).
    Bool,
    /// Integer.
    Int,
    /// Text, compared exactly.
    Text,
    /// E-mail address, compared ignoring case.
    Email,
    /// Calendar date.
    Date,
    /// Instant.
    DateTime,
    /// A number of calendar days.
    Days,
    /// Elapsed time.
    Duration,
    /// Several values.
    List(Box<Type>),
    /// One row of a table.
    Row(TableId),
    /// Rows of a table, in order.
    Rows(TableId),
    /// Already reported.
    Error,
}

impl Type {
    /// The type of a scalar column.
    pub(crate) fn scalar(s: ScalarType) -> Type {
        match s {
            ScalarType::Text => Type::Text,
            ScalarType::Int => Type::Int,
            ScalarType::Bool => Type::Bool,
            ScalarType::Date => Type::Date,
            ScalarType::DateTime => Type::DateTime,
            ScalarType::Email => Type::Email,
            ScalarType::Duration => Type::Duration,
            ScalarType::Days => Type::Days,
        }
    }

    /// True for [`Type::Error`].
    pub(crate) fn is_error(&self) -> bool {
        matches!(self, Type::Error)
    }

    /// True for types that `<` and friends accept.
    pub(crate) fn is_ordered(&self) -> bool {
        matches!(
            self,
            Type::Int | Type::Date | Type::DateTime | Type::Days | Type::Duration
        )
    }

    /// True for text-like types.
    pub(crate) fn is_textual(&self) -> bool {
        matches!(self, Type::Text | Type::Email)
    }

    /// Describes the type with an article, for messages ("a date").
    pub(crate) fn describe(&self, tables: &[String]) -> String {
        let name = |t: &TableId| tables.get(*t).cloned().unwrap_or_else(|| "?".into());
        match self {
            Type::Bool => "a condition (bool)".into(),
            Type::Int => "a number (int)".into(),
            Type::Text => "text".into(),
            Type::Email => "an e-mail address".into(),
            Type::Date => "a date".into(),
            Type::DateTime => "a date-time".into(),
            Type::Days => "a number of days".into(),
            Type::Duration => "a duration".into(),
            Type::List(e) => format!("a list of {}", e.plural(tables)),
            Type::Row(t) => format!("a `{}` row", name(t)),
            Type::Rows(t) => format!("`{}` rows", name(t)),
            Type::Error => "an invalid value".into(),
        }
    }

    fn plural(&self, tables: &[String]) -> String {
        match self {
            Type::Text => "text values".into(),
            Type::Email => "e-mail addresses".into(),
            Type::Date => "dates".into(),
            Type::DateTime => "date-times".into(),
            Type::Int => "numbers".into(),
            Type::Bool => "booleans".into(),
            Type::Days => "day counts".into(),
            Type::Duration => "durations".into(),
            other => other.describe(tables),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Int => f.write_str("int"),
            Type::Text => f.write_str("text"),
            Type::Email => f.write_str("email"),
            Type::Date => f.write_str("date"),
            Type::DateTime => f.write_str("datetime"),
            Type::Days => f.write_str("days"),
            Type::Duration => f.write_str("duration"),
            Type::List(e) => write!(f, "list of {e}"),
            Type::Row(t) => write!(f, "row #{t}"),
            Type::Rows(t) => write!(f, "rows #{t}"),
            Type::Error => f.write_str("error"),
        }
    }
}
