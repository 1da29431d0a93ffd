//! Escalation ladders: marks, windows, stops and repetition.
//!
//! For a ladder started at `t0` with marks at offsets `o_0 < … < o_(n-1)`
//! repeated every `P`, mark `k = c·n + j + 1` falls at `m_k = t0 + c·P + o_j`.
//! Its window runs to the next mark (or `within` after it, when given). With
//! `stop` the earliest stop at or before as-of and `h = min(stop, as-of)`:
//! - a mark is *armed* when there is no stop or the stop is later than it;
//! - it is *satisfied* by an action row timed in `[m_k, window end)`;
//! - it is *violated* when unsatisfied and its window ended by `h` (an
//!   ended window implies armed: the stop is later than the mark);
//! - it is *due* when unsatisfied, `m_k ≤ as-of <` window end, and nothing
//!   stopped the ladder by as-of.
//!
//! Every missed mark is a violation of its own. However long a ladder has
//! been left open, one evaluation lists at most a batch of them
//! ([`super::MARK_BATCH`], or `--max-marks`) and counts the rest
//! arithmetically per mark of the period (each action row satisfies a known
//! range of cycles) into [`More`]; the audit then lists the rest a batch at
//! a time ([`super::Evaluator::more_marks`]), so memory stays bounded and
//! the counts stay exact.

use super::expr::{CaseEval, Env};
use super::rule::RuleRun;
use super::value::{Txt, Value};
use super::{Evaluator, Finding, More, Row, RuleResult, Status};
use crate::semantics::{ExprKind, Ladder};
use crate::time::Instant;

/// Due marks listed per case (only a `within` longer than the period makes
/// several; how many is bounded by the policy, not by as-of).
const DUE_LIMIT: i64 = 100;

/// One mark of the ladder's period, placed after the start.
struct Place {
    /// `t0 + o_j`
    first: i64,
    /// Window length.
    len: i64,
    /// Times of the rows that satisfy it, sorted.
    times: Vec<i64>,
}

impl Place {
    fn at(&self, c: i64, period: i64) -> Option<i64> {
        c.checked_mul(period)
            .and_then(|x| x.checked_add(self.first))
    }

    fn satisfied(&self, m: i64, end: i64) -> bool {
        let i = self.times.partition_point(|t| *t < m);
        self.times.get(i).is_some_and(|t| *t < end)
    }

    /// Cycles `c` in `lo..=hi` whose mark is not satisfied.
    fn unsatisfied_between(&self, lo: i64, hi: i64, period: i64) -> i64 {
        if hi < lo {
            return 0;
        }
        let mut covered = 0i64;
        let mut next = lo; // first cycle not yet counted as covered
        for &t in &self.times {
            // c with first + c·P ≤ t < first + c·P + len
            let c_hi = (t - self.first).div_euclid(period);
            let c_lo = (t - self.first - self.len).div_euclid(period) + 1;
            let from = c_lo.max(next);
            let to = c_hi.min(hi);
            if to >= from {
                covered += to - from + 1;
                next = to + 1;
            }
        }
        (hi - lo + 1) - covered
    }
}

/// The row an expression's time stands for, when it is `row.time`.
fn row_of<'a>(
    ce: &mut CaseEval<'_, 'a>,
    e: &'a crate::semantics::Expr,
    env: &mut Env<'a, '_>,
) -> Option<Row> {
    if let ExprKind::Column { base, .. } = &e.kind
        && let Value::Row(t, r) = ce.eval(base, env)
    {
        return Some((t, r));
    }
    None
}

/// A ladder as it stands for one case at as-of: where each mark of the
/// period falls, which rows satisfy it, and when it stopped.
struct Run {
    t0: i64,
    now: i64,
    /// The earliest stop at or before as-of.
    stop: Option<i64>,
    /// `min(stop, as-of)`: windows that ended by then are judged.
    horizon: i64,
    places: Vec<Place>,
    /// The period (`i64::MAX` without `every`).
    period: i64,
    repeats: bool,
}

/// A mark: its cycle, its place in the period, when it falls and when its
/// window ends.
#[derive(Clone, Copy)]
struct MarkAt {
    c: i64,
    j: usize,
    at: i64,
    end: i64,
}

impl Run {
    /// The mark number of cycle `c`, place `j` (1-based).
    fn number(&self, c: i64, j: usize) -> u64 {
        (c as u64)
            .saturating_mul(self.places.len() as u64)
            .saturating_add(j as u64 + 1)
    }

    /// Walks the judged marks from mark `from` on, in order, giving each
    /// unsatisfied one to `missed` until it says stop (`false`); returns how
    /// many marks were judged and the first one not given, if any.
    fn missed(&self, from: u64, mut missed: impl FnMut(MarkAt) -> bool) -> (u64, Option<MarkAt>) {
        let n = (self.places.len() as u64).max(1);
        let c_from = i64::try_from((from.max(1) - 1) / n).unwrap_or(i64::MAX);
        let j_from = usize::try_from((from.max(1) - 1) % n).unwrap_or(0);
        let mut judged = 0u64;
        for c in c_from.. {
            for (j, p) in self.places.iter().enumerate() {
                if c == c_from && j < j_from {
                    continue;
                }
                let Some(at) = p.at(c, self.period) else {
                    return (judged, None);
                };
                if at > self.now || self.stop.is_some_and(|s| at >= s) {
                    return (judged, None);
                }
                let end = at.saturating_add(p.len);
                if end > self.horizon {
                    continue;
                }
                judged += 1;
                let mark = MarkAt { c, j, at, end };
                if !p.satisfied(at, end) && !missed(mark) {
                    return (judged, Some(mark));
                }
            }
            if !self.repeats {
                break;
            }
        }
        (judged, None)
    }

    /// The missed marks from `from` on, counted per mark of the period
    /// without walking every cycle.
    fn count_from(&self, from: MarkAt) -> u64 {
        let mut rest = 0i64;
        for (j, p) in self.places.iter().enumerate() {
            let lo = if j >= from.j { from.c } else { from.c + 1 };
            let hi = if self.repeats {
                self.horizon
                    .saturating_sub(p.first)
                    .saturating_sub(p.len)
                    .div_euclid(self.period)
            } else if p.first.saturating_add(p.len) <= self.horizon {
                0
            } else {
                -1
            };
            rest += p.unsatisfied_between(lo, hi, self.period);
        }
        u64::try_from(rest).unwrap_or(0)
    }

    /// The marks owed now: unsatisfied, their window open at as-of, and the
    /// ladder not stopped.
    fn due(&self) -> Vec<MarkAt> {
        let mut out = Vec::new();
        if self.stop.is_some() {
            return out;
        }
        let now = self.now;
        for (j, p) in self.places.iter().enumerate() {
            if now < p.first {
                continue;
            }
            let (lo, hi) = if self.repeats {
                let hi = (now - p.first).div_euclid(self.period);
                let lo =
                    (now.saturating_sub(p.first).saturating_sub(p.len)).div_euclid(self.period) + 1;
                (lo.max(0).max(hi - DUE_LIMIT + 1), hi)
            } else {
                (0, 0)
            };
            for c in lo..=hi {
                let Some(at) = p.at(c, self.period) else {
                    continue;
                };
                let end = at.saturating_add(p.len);
                if at <= now && now < end && !p.satisfied(at, end) {
                    out.push(MarkAt { c, j, at, end });
                }
            }
        }
        out.sort_by_key(|m| self.number(m.c, m.j));
        out
    }
}

/// Evaluates a ladder rule for one row: the missed marks (a batch of them:
/// see the module doc), the due ones, or a pass.
pub(super) fn evaluate<'a>(
    run: &RuleRun<'_, 'a>,
    ce: &mut CaseEval<'_, 'a>,
    l: &'a Ladder,
    env: &mut Env<'a, '_>,
) -> RuleResult {
    let ev = run.ev;
    let t0 = match start(run, ce, l, env) {
        Ok(t0) => t0,
        Err(r) => return r,
    };
    let mut rows = ev.rows_involved(run.base_rows(), env);
    if let Some(r) = row_of(ce, &l.start, env)
        && !rows.contains(&r)
    {
        rows.push(r);
    }
    let stop = stop(run, ce, l, env, &mut rows);
    // One list for all the ladder's findings.
    let rows: std::sync::Arc<[Row]> = rows.into();
    let ladder = places(ce, l, env, t0, stop, ev.now);
    let counted = ce.window.is_none() && counts_only(run);
    let (from, limit, first_call) = match ce.window {
        Some(w) => (w.from, w.limit, false),
        // Counting only: the first missed mark starts the count.
        None if counted => (1, 0, true),
        None => (
            1,
            ev.max_marks.unwrap_or(u64::MAX).min(super::MARK_BATCH),
            true,
        ),
    };
    let mut violated: Vec<Finding> = Vec::new();
    let (judged, rest) = ladder.missed(from, |m| {
        if violated.len() as u64 >= limit {
            return false;
        }
        violated.extend(report(run, ce, env, l, &ladder, &rows, m, false));
        true
    });
    let more = rest.map(|m| More {
        next: ladder.number(m.c, m.j),
        count: ladder.count_from(m),
        counted,
    });
    if !first_call {
        // A later batch of a long ladder: its violations only.
        return RuleResult {
            rule: run.index,
            status: Status::Violated,
            reason: String::new(),
            findings: violated,
            more,
            more_waived: false,
        };
    }
    let due_marks = ladder.due();
    let judged = judged + due_marks.len() as u64;
    let due: Vec<Finding> = due_marks
        .into_iter()
        .filter_map(|m| report(run, ce, env, l, &ladder, &rows, m, true))
        .collect();
    if violated.is_empty() && due.is_empty() && more.is_none() {
        return run.pass(ce, env, || passed(ev, &ladder, judged));
    }
    result(run, violated, due, more)
}

/// Whether this ladder's missed marks are only counted: the audit reports
/// counts, and no waiver names the rule for this case (one that does may
/// cover single marks, which are then listed to be matched).
fn counts_only(run: &RuleRun) -> bool {
    let ev = run.ev;
    ev.counting
        && !ev
            .waivers
            .is_some_and(|w| w.names(run.index, &ev.sort_key(run.table, run.row)))
}

/// When the ladder started; not applicable when it has not (yet).
fn start<'a>(
    run: &RuleRun<'_, 'a>,
    ce: &mut CaseEval<'_, 'a>,
    l: &'a Ladder,
    env: &mut Env<'a, '_>,
) -> Result<i64, RuleResult> {
    let ev = run.ev;
    let t0 = match ce.eval(&l.start, env) {
        Value::DateTime(t) => t,
        _ => {
            return Err(run.na(|| {
                format!(
                    "the ladder has not started ({} is missing)",
                    ev.snippet(&l.start)
                )
            }));
        }
    };
    if t0 > ev.now {
        return Err(run.na(|| {
            format!(
                "the ladder starts at {}, after the as-of time",
                Instant(t0).display_long(ev.tz)
            )
        }));
    }
    run.set(env, "start", Value::DateTime(t0));
    Ok(t0)
}

/// The earliest stop at or before as-of (a stop after as-of has not
/// happened yet); its row joins the rows involved.
fn stop<'a>(
    run: &RuleRun<'_, 'a>,
    ce: &mut CaseEval<'_, 'a>,
    l: &'a Ladder,
    env: &mut Env<'a, '_>,
    rows: &mut Vec<Row>,
) -> Option<i64> {
    let mut stop: Option<(i64, Option<Row>)> = None;
    for s in &l.stops {
        if let Value::DateTime(t) = ce.eval(s, env)
            && t <= run.ev.now
            && stop.is_none_or(|(u, _)| t < u)
        {
            stop = Some((t, row_of(ce, s, env)));
        }
    }
    run.set(
        env,
        "stop",
        stop.map_or(Value::Missing, |(t, _)| Value::DateTime(t)),
    );
    if let Some((_, Some(r))) = stop
        && !rows.contains(&r)
    {
        rows.push(r);
    }
    stop.map(|(t, _)| t)
}

/// Where each mark of the period falls after `t0`, how long its window is,
/// and the times of the rows that satisfy it.
fn places<'a>(
    ce: &mut CaseEval<'_, 'a>,
    l: &'a Ladder,
    env: &mut Env<'a, '_>,
    t0: i64,
    stop: Option<i64>,
    now: i64,
) -> Run {
    let mut places = Vec::with_capacity(l.marks.len());
    for (j, m) in l.marks.iter().enumerate() {
        let next_gap = match (l.marks.get(j + 1), l.marks.first(), l.period) {
            (Some(next), _, _) => Some(next.offset - m.offset),
            (None, Some(first), Some(p)) => Some(p + first.offset - m.offset),
            _ => None,
        };
        let len = m.within.or(next_gap).unwrap_or(i64::MAX).max(1);
        let mut times = Vec::new();
        if let Value::Rows(_, set) = ce.eval(&m.expect, env) {
            for &r in set.rows() {
                if let Value::DateTime(t) = ce.cell(m.time, r) {
                    times.push(t);
                }
            }
        }
        times.sort_unstable();
        places.push(Place {
            first: t0.saturating_add(m.offset),
            len,
            times,
        });
    }
    Run {
        t0,
        now,
        stop,
        horizon: stop.map_or(now, |s| s.min(now)),
        places,
        period: l.period.unwrap_or(i64::MAX),
        repeats: l.period.is_some(),
    }
}

/// The finding of a missed (or due) mark, its message values set.
#[expect(
    clippy::too_many_arguments,
    reason = "the evaluation state split by lifetime: the run, the case, the environment and the mark being reported"
)]
fn report<'a>(
    run: &RuleRun<'_, 'a>,
    ce: &mut CaseEval<'_, 'a>,
    env: &mut Env<'a, '_>,
    l: &'a Ladder,
    ladder: &Run,
    rows: &std::sync::Arc<[Row]>,
    m: MarkAt,
    due: bool,
) -> Option<Finding> {
    let mark = l.marks.get(m.j)?;
    let k = ladder.number(m.c, m.j);
    run.set(
        env,
        "mark",
        Value::Int(i64::try_from(k).unwrap_or(i64::MAX)),
    );
    run.set(
        env,
        "offset",
        Value::Duration(m.at.saturating_sub(ladder.t0)),
    );
    run.set(
        env,
        "action",
        Value::Text(Txt::Borrowed(mark.label.as_str())),
    );
    run.set(env, "window_start", Value::DateTime(m.at));
    run.set(env, "window_end", Value::DateTime(m.end));
    run.set(env, "deadline", Value::DateTime(m.end));
    run.set(env, "due", Value::Bool(due));
    let message = run.ev.message(ce, run.rule, env);
    let status = if due { Status::Due } else { Status::Violated };
    Some(run.finding(
        ce,
        status,
        message,
        due.then_some(m.end),
        rows.clone(),
        Some(k),
    ))
}

/// Why a ladder with nothing missed or due passes.
fn passed(ev: &Evaluator, ladder: &Run, judged: u64) -> String {
    let started = Instant(ladder.t0).display_long(ev.tz);
    match (judged, ladder.stop) {
        (0, Some(s)) => format!(
            "stopped at {} before any mark came due (started {started})",
            Instant(s).display_long(ev.tz)
        ),
        (0, None) => format!("no mark has come due yet (started {started})"),
        (n, Some(s)) => format!(
            "all {n} marks met before the ladder stopped at {}",
            Instant(s).display_long(ev.tz)
        ),
        (n, None) => format!("all {n} marks so far met (started {started})"),
    }
}

/// A ladder's result: violated when a mark was missed, else due.
fn result(
    run: &RuleRun,
    violated: Vec<Finding>,
    due: Vec<Finding>,
    more: Option<More>,
) -> RuleResult {
    let ev = run.ev;
    let status = if violated.is_empty() && more.is_none() {
        Status::Due
    } else {
        Status::Violated
    };
    let mut findings = violated;
    findings.extend(due);
    let reason = match (findings.first(), more) {
        _ if !ev.explain => String::new(),
        (Some(f), _) => f.message.clone(),
        (None, Some(m)) => format!(
            "{} missed marks from mark {} on (not listed: at most {} per case)",
            m.count,
            m.next,
            ev.max_marks.unwrap_or(0)
        ),
        (None, None) => String::new(),
    };
    RuleResult {
        rule: run.index,
        status,
        reason,
        findings,
        more,
        more_waived: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The arithmetic count of unmet marks equals walking every cycle.
        #[test]
        fn counting_matches_walking(
            first in -50i64..50,
            len in 1i64..40,
            period in 1i64..30,
            mut times in proptest::collection::vec(-100i64..400, 0..12),
            lo in 0i64..10,
            span in 0i64..20,
        ) {
            times.sort_unstable();
            let p = Place { first, len, times };
            let hi = lo + span;
            let walked = (lo..=hi)
                .filter(|&c| {
                    let m = p.at(c, period).unwrap_or(i64::MAX);
                    !p.satisfied(m, m + len)
                })
                .count() as i64;
            prop_assert_eq!(p.unsatisfied_between(lo, hi, period), walked);
        }
    }
}
