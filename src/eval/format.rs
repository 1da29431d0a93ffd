//! Values as messages show them, in the policy's conventions.
//!
//! Dates are ISO (`2024-06-03`); instants are shown in the policy's zone with
//! the weekday and the zone's abbreviation (`Tue 25 Nov 2025 13:44 EST`), so
//! a deadline reads the same on every reviewer's machine; calendar days and
//! elapsed time in words (`90 days`, `48 hours`); a row by its key.

use super::Evaluator;
use super::value::Value;
use crate::time::{Instant, display_days, display_elapsed};

/// A value in words.
pub(crate) fn show(v: &Value, ev: &Evaluator) -> String {
    let mut out = String::new();
    show_into(v, ev, &mut out);
    out
}

/// Appends a value in words to `out` (messages are built this way, with
/// no string per part).
pub(crate) fn show_into(v: &Value, ev: &Evaluator, out: &mut String) {
    use std::fmt::Write;
    match v {
        Value::Missing => out.push_str("(none)"),
        Value::Bool(true) => out.push_str("yes"),
        Value::Bool(false) => out.push_str("no"),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        // Cell text, shown without the control characters it may hold.
        Value::Text(t) | Value::Email(t) => out.push_str(&crate::diagnostic::printable(t.as_str())),
        Value::Date(d) => match crate::data::days_to_date(*d) {
            Some(date) => out.push_str(&crate::time::show_date(date)),
            None => {
                let _ = write!(out, "day {d}");
            }
        },
        Value::DateTime(t) => Instant(*t).push_long(ev.tz, out),
        Value::Days(n) => out.push_str(&display_days(*n)),
        Value::Duration(ms) => out.push_str(&display_elapsed(*ms)),
        Value::List(items) => {
            if items.is_empty() {
                out.push_str("(none)");
            }
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                show_into(x, ev, out);
            }
        }
        Value::Row(t, r) => push_row_name(ev, *t, *r, out),
        Value::Rows(t, set) => {
            if set.rows().is_empty() {
                out.push_str("(none)");
            }
            for (i, r) in set.rows().iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_row_name(ev, *t, *r, out);
            }
        }
    }
}

/// A row: its key, or where it is.
fn push_row_name(ev: &Evaluator, t: usize, r: u32, out: &mut String) {
    use std::fmt::Write;
    if let Some(table) = ev.data.table(t) {
        match table.key_of(r as usize) {
            Some(k) => out.push_str(k),
            None => {
                let _ = write!(out, "line {} of {}", table.line(r as usize), table.file);
            }
        }
    }
}
