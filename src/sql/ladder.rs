//! Escalation ladders as SQL: one row per mark that has fallen by the
//! as-of (cycles generated from the start, never per hour), each window
//! tested with one `EXISTS` over the rows that satisfy it.
//!
//! With `t0` the start, `P` the period and `o_j` the offsets, mark
//! `k = c·n + j + 1` falls at `t0 + c·P + o_j` and its window runs `len_j`
//! (to the next mark, or `within`). With the earliest stop at or before
//! the as-of: a mark after the stop is not armed; an armed mark whose
//! window ended by `min(stop, as-of)` and that nothing satisfied is
//! violated; one whose window is open at the as-of, on a ladder nothing
//! stopped, is due.

use super::expr::{Bind, Compiler, R};
use super::rules::{self, SUBJECT};
use crate::semantics::{ColumnRef, Ladder, Rule};

/// A window with no end (no next mark, no `within`): far beyond any
/// instant, and far from overflowing.
const ENDLESS: i64 = 1 << 60;

/// The query of a ladder's findings.
pub(crate) fn query<'p>(
    c: &Compiler<'p>,
    index: usize,
    rule: &'p Rule,
    l: &'p Ladder,
) -> R<String> {
    let now = c.now;
    let mut sc = rules::scope(c, rule);
    let s = SUBJECT;
    let start = c.expr(&l.start, &sc)?;
    let applies = rules::applies(c, rule, &sc)?;
    let view = c.table_view(rule.subject);
    // 1. Cases the ladder applies to and that have started.
    let started = format!("SELECT {s}.*, {start} AS l_t0 FROM {view} {s}\n  WHERE {applies}");
    if let Some(slot) = rule.kind_slot("start") {
        sc.set(slot, Bind::Sql(format!("{s}.l_t0")));
    }
    // 2. The earliest stop at or before the as-of.
    let mut stops = Vec::new();
    for e in &l.stops {
        let x = c.expr(e, &sc)?;
        stops.push(format!("CASE WHEN {x} <= {now} THEN {x} END"));
    }
    let stop = match stops.len() {
        0 => "CAST(NULL AS BIGINT)".to_string(),
        1 => stops.remove(0),
        _ => format!("least({})", stops.join(", ")),
    };
    let stopped = format!(
        "SELECT {s}.*, {stop} AS l_stop FROM ({started}) {s}\n  WHERE {s}.l_t0 IS NOT NULL AND {s}.l_t0 <= {now}"
    );
    if let Some(slot) = rule.kind_slot("stop") {
        sc.set(slot, Bind::Sql(format!("{s}.l_stop")));
    }
    // 3. Its cycles up to the as-of, and the marks of each.
    let first = l.marks.first().map_or(0, |m| m.offset);
    let cycles = match l.period {
        Some(p) => format!(
            "CASE WHEN {now} >= {s}.l_t0 + {first} THEN ({now} - {s}.l_t0 - {first}) // {p} + 1 ELSE 0 END"
        ),
        None => "1".to_string(),
    };
    let period = l.period.unwrap_or(0);
    let mut marks = Vec::new();
    for (j, m) in l.marks.iter().enumerate() {
        let next_gap = match (l.marks.get(j + 1), l.period) {
            (Some(next), _) => Some(next.offset - m.offset),
            (None, Some(p)) => Some(p + first - m.offset),
            _ => None,
        };
        let len = m.within.or(next_gap).unwrap_or(ENDLESS).max(1);
        marks.push(format!("({j}, {}, {len})", m.offset));
    }
    let cycled = format!(
        "SELECT {s}.*, {} AS l_c FROM ({stopped}) {s}",
        c.d.cycles(&cycles)
    );
    let placed = format!(
        "SELECT {s}.*, lm.l_j, {s}.l_t0 + {s}.l_c * {period} + lm.l_off AS l_at, lm.l_len\n  FROM ({cycled}) {s} CROSS JOIN (VALUES {}) AS lm(l_j, l_off, l_len)",
        marks.join(", ")
    );
    // 4. Whether something satisfied each mark in its window.
    let mut sat = Vec::new();
    for (j, m) in l.marks.iter().enumerate() {
        let src = c.rows(&m.expect, &sc)?;
        let time = format!(
            "{}.{}",
            src.alias,
            c.d.ident(&c.column_name(ColumnRef { ..m.time }))
        );
        sat.push(format!(
            "WHEN {j} THEN EXISTS (SELECT 1 FROM {} {} WHERE {} AND {time} >= {s}.l_at AND {time} < {s}.l_at + {s}.l_len)",
            c.table_view(src.table),
            src.alias,
            if src.conds.is_empty() { "TRUE".to_string() } else { src.conds.join(" AND ") }
        ));
    }
    let judged = format!(
        "SELECT {s}.*, {s}.l_at + {s}.l_len AS l_end, (CASE {s}.l_j {} END) AS l_sat\n  FROM ({placed}) {s}\n  WHERE {s}.l_at <= {now} AND ({s}.l_stop IS NULL OR {s}.l_at < {s}.l_stop)",
        sat.join(" ")
    );
    // 5. Missed and due marks, with their message values.
    let n = l.marks.len();
    let horizon = format!("COALESCE({s}.l_stop, {now})");
    let violated = format!("{s}.l_end <= {horizon}");
    let labels: Vec<String> = l
        .marks
        .iter()
        .enumerate()
        .map(|(j, m)| format!("WHEN {j} THEN {}", c.d.text(&m.label)))
        .collect();
    for (name, v) in [
        ("mark", format!("({s}.l_c * {n} + {s}.l_j + 1)")),
        ("offset", format!("({s}.l_at - {s}.l_t0)")),
        ("action", format!("(CASE {s}.l_j {} END)", labels.join(" "))),
        ("window_start", format!("{s}.l_at")),
        ("window_end", format!("{s}.l_end")),
        ("deadline", format!("{s}.l_end")),
        ("due", format!("(NOT ({violated}))")),
    ] {
        if let Some(slot) = rule.kind_slot(name) {
            sc.set(slot, Bind::Sql(v));
        }
    }
    let key = rules::key(c, rule)?;
    let message = rules::message(c, rule, &sc)?;
    Ok(format!(
        "SELECT {index} AS rule_index, {} AS rule, {} AS severity,\n  CASE WHEN {violated} THEN 'violated' ELSE 'due' END AS status,\n  {key} AS key, {s}.l_c * {n} + {s}.l_j + 1 AS mark,\n  CASE WHEN {violated} THEN NULL ELSE {s}.l_end END AS deadline_ms,\n  {message} AS message\nFROM ({judged}) {s}\nWHERE NOT {s}.l_sat\n  AND ({violated} OR ({s}.l_stop IS NULL AND {s}.l_at <= {now} AND {now} < {s}.l_end))",
        c.d.text(&rule.id),
        c.d.text(rule.severity.as_str()),
    ))
}
