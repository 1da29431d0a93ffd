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

use super::expr::{BASE, Bind, Compiler, R, Slots};
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
    // 1. Cases the ladder applies to and that have started.
    let started = format!("SELECT {s}.*, {start} AS l_t0 FROM {BASE}\n  WHERE {applies}");
    // What reads the start reads its expression, not `l_t0`: a subquery
    // that reads it then reads only the subject row, and is hoisted.
    if let Some(slot) = rule.kind_slot("start") {
        sc.set(slot, Bind::Sql(start.clone()));
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
            "CASE WHEN {now} >= {s}.l_t0 + {first} THEN {} + 1 ELSE 0 END",
            c.d.int_div(&format!("({now} - {s}.l_t0 - {first})"), &p.to_string())
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
    let (with, judged) = judge(c, l, &sc, &placed)?;
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
        "{with}SELECT {index} AS rule_index, {} AS rule, {} AS severity,\n  CASE WHEN {violated} THEN 'violated' ELSE 'due' END AS status,\n  {key} AS key, {s}.l_c * {n} + {s}.l_j + 1 AS mark,\n  CASE WHEN {violated} THEN NULL ELSE {s}.l_end END AS deadline_ms,\n  {message} AS message\nFROM ({judged}) {s}\nWHERE NOT {s}.l_sat\n  AND ({violated} OR ({s}.l_stop IS NULL AND {s}.l_at <= {now} AND {now} < {s}.l_end))",
        c.d.text(&rule.id),
        c.d.text(rule.severity.as_str()),
    ))
}

/// The armed marks of `placed` with `l_end` and whether something
/// satisfied each in its window (`l_sat`), and the common table the query
/// starts with (Spark: see [`judged_by_joins`]).
fn judge<'p>(c: &Compiler<'p>, l: &'p Ladder, sc: &Slots<'p>, placed: &str) -> R<(String, String)> {
    let s = SUBJECT;
    let now = c.now;
    let mut windows = Vec::new();
    for m in &l.marks {
        let src = c.rows(&m.expect, sc)?;
        let time = format!(
            "{}.{}",
            src.alias,
            c.d.ident(&c.column_name(ColumnRef { ..m.time }))
        );
        let mut conds = src.conds.clone();
        conds.push(format!(
            "{time} >= {s}.l_at AND {time} < {s}.l_at + {s}.l_len"
        ));
        windows.push((
            format!("{} {}", c.table_view(src.table), src.alias),
            conds.join(" AND "),
        ));
    }
    let armed = format!("{s}.l_at <= {now} AND ({s}.l_stop IS NULL OR {s}.l_at < {s}.l_stop)");
    if c.d.joins_aggregates() && !windows.iter().any(|(_, w)| w.contains("SELECT")) {
        return Ok(judged_by_joins(placed, &armed, &windows));
    }
    let sat: Vec<String> = windows
        .iter()
        .enumerate()
        .map(|(j, (from, cond))| format!("WHEN {j} THEN {}", c.d.exists(from, cond)))
        .collect();
    Ok((
        String::new(),
        format!(
            "SELECT {s}.*, {s}.l_at + {s}.l_len AS l_end, (CASE {s}.l_j {} END) AS l_sat\n  FROM ({placed}) {s}\n  WHERE {armed}",
            sat.join(" ")
        ),
    ))
}

/// The armed marks with `l_end` and `l_sat` for an engine that plans a
/// correlated `EXISTS` with a range condition as a join of every event
/// with every distinct window (Spark): each mark's window is a left join
/// of the marks with the rows in it, grouped by mark, so the equality on
/// the relation's key drives a hash join. The marks are a common table
/// (`WITH`), returned first.
fn judged_by_joins(placed: &str, armed: &str, windows: &[(String, String)]) -> (String, String) {
    let s = SUBJECT;
    let with = format!(
        "WITH docket_marks AS (SELECT {s}.*, {s}.l_at + {s}.l_len AS l_end FROM ({placed}) {s}\n  WHERE {armed})\n"
    );
    let mut joins = String::new();
    let mut sat = Vec::new();
    for (j, (from, cond)) in windows.iter().enumerate() {
        joins.push_str(&format!(
            "\n  LEFT JOIN (SELECT {s}._row AS w_row, {s}.l_c AS w_c, TRUE AS w_sat FROM docket_marks {s} JOIN {from} ON {s}.l_j = {j} AND {cond} GROUP BY {s}._row, {s}.l_c) w{j} ON w{j}.w_row = {s}._row AND w{j}.w_c = {s}.l_c AND {s}.l_j = {j}"
        ));
        sat.push(format!("w{j}.w_sat"));
    }
    sat.push("FALSE".to_string());
    let judged = format!(
        "SELECT {s}.*, COALESCE({}) AS l_sat FROM docket_marks {s}{joins}",
        sat.join(", ")
    );
    (with, judged)
}
