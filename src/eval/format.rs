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
pub fn show(v: &Value, ev: &Evaluator) -> String {
    match v {
        Value::Missing => "(none)".to_string(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Int(n) => n.to_string(),
        Value::Text(t) | Value::Email(t) => t.as_str().to_string(),
        Value::Date(d) => {
            crate::data::days_to_date(*d).map_or_else(|| format!("day {d}"), crate::time::show_date)
        }
        Value::DateTime(t) => Instant(*t).display_long(ev.tz),
        Value::Days(n) => display_days(*n),
        Value::Duration(ms) => display_elapsed(*ms),
        Value::List(items) => {
            if items.is_empty() {
                "(none)".to_string()
            } else {
                items
                    .iter()
                    .map(|x| show(x, ev))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }
        Value::Row(t, r) => row_name(ev, *t, *r),
        Value::Rows(t, set) => {
            if set.rows().is_empty() {
                "(none)".to_string()
            } else {
                set.rows()
                    .iter()
                    .map(|r| row_name(ev, *t, *r))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        }
    }
}

/// A row: its key, or where it is.
fn row_name(ev: &Evaluator, t: usize, r: u32) -> String {
    match ev.data.table(t) {
        Some(table) => match table.key_of(r as usize) {
            Some(k) => k.to_string(),
            None => format!("line {} of {}", table.line(r as usize), table.file),
        },
        None => String::new(),
    }
}
