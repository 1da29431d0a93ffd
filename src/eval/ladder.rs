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
use super::value::{Txt, Value};
use super::{Evaluator, Finding, More, RuleResult, Status};
use crate::semantics::{ExprKind, Ladder, Rule, TableId};
use crate::time::Instant;

/// Due marks listed per case (only a `within` longer than the period makes
/// several; how many is bounded by the policy, not by as-of).
const DUE_LIMIT: i64 = 100;

type Row = (TableId, u32);

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

/// The time an expression's row stands for, when it is `row.time`.
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

#[allow(clippy::too_many_arguments)]
pub(super) fn evaluate<'a, F>(
    ev: &Evaluator<'a>,
    ce: &mut CaseEval<'_, 'a>,
    rule: &'a Rule,
    i: usize,
    l: &'a Ladder,
    env: &mut Env<'a, '_>,
    rows: Vec<Row>,
    finding: &F,
) -> RuleResult
where
    F: Fn(Status, String, Option<i64>, Vec<Row>, Option<u64>) -> Finding,
{
    let now = ev.now;
    let t0 = match ce.eval(&l.start, env) {
        Value::DateTime(t) => t,
        _ => {
            return ev.na(i, || {
                format!(
                    "the ladder has not started ({} is missing)",
                    ev.snippet(&l.start)
                )
            });
        }
    };
    if t0 > now {
        return ev.na(i, || {
            format!(
                "the ladder starts at {}, after the as-of time",
                Instant(t0).display_long(ev.tz)
            )
        });
    }
    let set = |env: &mut Env<'a, '_>, name: &str, v: Value<'a>| {
        if let Some(s) = rule.kind_slot(name) {
            env.set(s, v);
        }
    };
    set(env, "start", Value::DateTime(t0));
    let mut rows = ev.rows_involved(rows, env);
    if let Some(r) = row_of(ce, &l.start, env)
        && !rows.contains(&r)
    {
        rows.push(r);
    }
    // The earliest stop; a stop after as-of has not happened yet.
    let mut stop: Option<(i64, Option<Row>)> = None;
    for s in &l.stops {
        if let Value::DateTime(t) = ce.eval(s, env)
            && t <= now
            && stop.is_none_or(|(u, _)| t < u)
        {
            stop = Some((t, row_of(ce, s, env)));
        }
    }
    set(
        env,
        "stop",
        stop.map_or(Value::Missing, |(t, _)| Value::DateTime(t)),
    );
    if let Some((_, Some(r))) = stop
        && !rows.contains(&r)
    {
        rows.push(r);
    }
    let stop = stop.map(|(t, _)| t);
    let horizon = stop.map_or(now, |s| s.min(now));

    let n = l.marks.len();
    let period = l.period.unwrap_or(i64::MAX);
    let cycles_repeat = l.period.is_some();
    let mut places = Vec::with_capacity(n);
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

    // Which missed marks to list: the first ones (and the due items), or,
    // continuing a long ladder, a batch from a later mark.
    let (from, limit, first_call) = match ce.window {
        Some(w) => (w.from.max(1), w.limit, false),
        None => (
            1,
            ev.max_marks.unwrap_or(u64::MAX).min(super::MARK_BATCH),
            true,
        ),
    };
    let n_u = (n as u64).max(1);
    let c_from = i64::try_from((from - 1) / n_u).unwrap_or(i64::MAX);
    let j_from = usize::try_from((from - 1) % n_u).unwrap_or(0);
    let mut violated: Vec<Finding> = Vec::new();
    let mut checked = 0u64;
    let mut truncated: Option<(i64, usize)> = None;
    let k_of = |c: i64, j: usize| {
        (c as u64)
            .saturating_mul(n as u64)
            .saturating_add(j as u64 + 1)
    };
    let report = |ce: &mut CaseEval<'_, 'a>,
                  env: &mut Env<'a, '_>,
                  c: i64,
                  j: usize,
                  m: i64,
                  end: i64,
                  due: bool| {
        let mark = l.marks.get(j)?;
        let k = k_of(c, j);
        set(
            env,
            "mark",
            Value::Int(i64::try_from(k).unwrap_or(i64::MAX)),
        );
        set(env, "offset", Value::Duration(m.saturating_sub(t0)));
        set(
            env,
            "action",
            Value::Text(Txt::Borrowed(mark.label.as_str())),
        );
        set(env, "window_start", Value::DateTime(m));
        set(env, "window_end", Value::DateTime(end));
        set(env, "deadline", Value::DateTime(end));
        set(env, "due", Value::Bool(due));
        let message = ev.message(ce, rule, env);
        let status = if due { Status::Due } else { Status::Violated };
        Some(finding(
            status,
            message,
            due.then_some(end),
            rows.clone(),
            Some(k),
        ))
    };
    'cycles: for c in c_from.. {
        for (j, p) in places.iter().enumerate() {
            if c == c_from && j < j_from {
                continue;
            }
            let Some(m) = p.at(c, period) else {
                break 'cycles;
            };
            if m > now || stop.is_some_and(|s| m >= s) {
                break 'cycles;
            }
            let end = m.saturating_add(p.len);
            if end > horizon {
                continue;
            }
            checked += 1;
            if p.satisfied(m, end) {
                continue;
            }
            if violated.len() as u64 >= limit {
                truncated = Some((c, j));
                break 'cycles;
            }
            if let Some(f) = report(ce, env, c, j, m, end, false) {
                violated.push(f);
            }
        }
        if !cycles_repeat {
            break;
        }
    }
    // The marks not listed are counted per mark of the period, without
    // walking every cycle.
    let more = truncated.map(|(c0, j0)| {
        let mut rest = 0i64;
        for (j, p) in places.iter().enumerate() {
            let lo = if j >= j0 { c0 } else { c0 + 1 };
            let hi = if cycles_repeat {
                horizon
                    .saturating_sub(p.first)
                    .saturating_sub(p.len)
                    .div_euclid(period)
            } else if p.first.saturating_add(p.len) <= horizon {
                0
            } else {
                -1
            };
            rest += p.unsatisfied_between(lo, hi, period);
        }
        More {
            next: k_of(c0, j0),
            count: u64::try_from(rest).unwrap_or(0),
        }
    });
    if !first_call {
        // A later batch of a long ladder: its violations only.
        return RuleResult {
            rule: i,
            status: Status::Violated,
            reason: String::new(),
            findings: violated,
            more,
        };
    }
    let mut due: Vec<Finding> = Vec::new();
    if stop.is_none() {
        for (j, p) in places.iter().enumerate() {
            if now < p.first {
                continue;
            }
            let (lo, hi) = if cycles_repeat {
                let hi = (now - p.first).div_euclid(period);
                let lo = (now.saturating_sub(p.first).saturating_sub(p.len)).div_euclid(period) + 1;
                (lo.max(0).max(hi - DUE_LIMIT + 1), hi)
            } else {
                (0, 0)
            };
            for c in lo..=hi {
                let Some(m) = p.at(c, period) else { continue };
                let end = m.saturating_add(p.len);
                if m <= now && now < end && !p.satisfied(m, end) {
                    checked += 1;
                    if let Some(f) = report(ce, env, c, j, m, end, true) {
                        due.push(f);
                    }
                }
            }
        }
        due.sort_by_key(|f| f.mark);
    }
    if violated.is_empty() && due.is_empty() && more.is_none() {
        return ev.pass(i, || {
            let started = Instant(t0).display_long(ev.tz);
            match (checked, stop) {
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
        });
    }
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
        rule: i,
        status,
        reason,
        findings,
        more,
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
