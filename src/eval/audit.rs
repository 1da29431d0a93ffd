//! A whole audit: every subject row against every selected rule, in
//! parallel, with per-rule counts. Output does not depend on the number of
//! threads or on the order of rows in the files: rows are taken in key
//! order, cut into fixed chunks, evaluated and rendered in parallel, and
//! handed on in order.

use std::sync::mpsc::Receiver;

use rayon::prelude::*;

use super::{Evaluator, Finding, MARK_BATCH, More, Status, sort_findings};
use crate::semantics::TableId;

/// Rows per unit of parallel work.
const CHUNK: usize = 256;

/// Per-rule counts over an audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub(crate) struct RuleStats {
    /// Cases the rule applied to (passed, violated or due).
    pub(crate) evaluated: u64,
    /// Cases where it held.
    pub(crate) passed: u64,
    /// Cases with at least one violation.
    pub(crate) violated_cases: u64,
    /// Violation findings (a ladder may have several per case).
    pub(crate) violated: u64,
    /// Due findings.
    pub(crate) due: u64,
    /// Cases it did not apply to or could not be evaluated for.
    pub(crate) not_applicable: u64,
    /// Violations counted above but not listed (`--max-marks`).
    pub(crate) unlisted: u64,
    /// Violations and due items covered by an unexpired waiver (not in
    /// `violated` or `due`).
    pub(crate) waived: u64,
    /// Subject rows `--where` left out (counted on the first rule only).
    #[serde(skip)]
    pub(crate) filtered: u64,
}

impl RuleStats {
    fn add(&mut self, o: &RuleStats) {
        self.evaluated += o.evaluated;
        self.passed += o.passed;
        self.violated_cases += o.violated_cases;
        self.violated += o.violated;
        self.due += o.due;
        self.not_applicable += o.not_applicable;
        self.unlisted += o.unlisted;
        self.waived += o.waived;
        self.filtered += o.filtered;
    }
}

/// What an audit found.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    /// Every finding, in the order handed to the sink (subject table, then row).
    pub findings: Vec<Finding>,
    /// Indexed like `Policy::rules`.
    pub(crate) stats: Vec<RuleStats>,
    /// Subject rows evaluated.
    pub subjects: u64,
}

impl Audit {
    /// Per rule: the cases it applied to, held for, was violated by, and
    /// did not apply to.
    pub fn counts(&self) -> Vec<[u64; 4]> {
        self.stats
            .iter()
            .map(|s| [s.evaluated, s.passed, s.violated_cases, s.not_applicable])
            .collect()
    }
}

/// Evaluates every subject row, in key order. Each chunk of rows is
/// evaluated, its findings sorted and handed to `render` on a worker
/// thread; `sink` then sees the rendered chunks in order, as soon as they
/// are done (streaming output). A ladder with more missed marks than one
/// evaluation lists is continued in its place, a batch at a time, on this
/// thread. Findings come out sorted as [`sort_findings`] sorts them.
/// `progress` gets the number of rows done so far. With `keep`, findings
/// are also collected in the result.
pub fn run<R: Send>(
    ev: &Evaluator<'_>,
    keep: bool,
    render: &(dyn Fn(&[Finding]) -> R + Sync),
    sink: &mut dyn FnMut(R),
    progress: &dyn Fn(u64),
) -> Audit {
    let mut audit = Audit {
        findings: Vec::new(),
        stats: vec![RuleStats::default(); ev.policy.rules.len()],
        subjects: 0,
    };
    // Chunks per group: one per thread. With one group being handed on
    // while the next is evaluated, enough to keep every thread busy, few
    // enough that rendered output waiting for its turn stays small.
    let batch = rayon::current_num_threads().max(1);
    let order = key_order(ev);
    let chunks = cut(ev, &order);
    let evaluate = |group: &[(usize, usize)]| -> Done<R> {
        group
            .par_iter()
            .map(|&(start, end)| {
                let (mut findings, stats, tails) =
                    chunk(ev, (start..end).filter_map(|i| order.get(i)));
                sort_findings(ev.policy, &mut findings);
                (pieces(ev, findings, tails, keep, render), stats)
            })
            .collect()
    };
    if rayon::current_thread_index().is_some() {
        // Called from a worker of the pool, which must not wait on its
        // own pool: one group at a time.
        for group in chunks.chunks(batch) {
            let done = evaluate(group);
            hand_on(ev, group, done, (keep, render), sink, &mut audit, progress);
        }
        return audit;
    }
    // While this thread hands one group's output on (writing it, and
    // listing long ladders), the pool evaluates the next.
    rayon::in_place_scope(|scope| {
        let mut ahead: Option<Ahead<R>> = None;
        for group in chunks.chunks(batch) {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let evaluate = &evaluate;
            scope.spawn(move |_| {
                // The receiver waits for it (it is gone only if this
                // thread stopped early, and then nothing needs it).
                let _ = tx.send(evaluate(group));
            });
            if let Some((g, rx)) = ahead.replace((group, rx)) {
                // No result: the group's task panicked, and the scope
                // raises its panic when this thread leaves it.
                let Ok(done) = rx.recv() else { break };
                hand_on(ev, g, done, (keep, render), sink, &mut audit, progress);
            }
        }
        if let Some((g, rx)) = ahead
            && let Ok(done) = rx.recv()
        {
            hand_on(ev, g, done, (keep, render), sink, &mut audit, progress);
        }
    });
    audit
}

/// One group of chunks, evaluated and rendered: per chunk, its pieces and
/// per-rule counts.
type Done<R> = Vec<(Vec<Piece<R>>, Vec<RuleStats>)>;

/// A group of chunks (start and end in key order) being evaluated, and
/// where its result comes.
type Ahead<'g, R> = (&'g [(usize, usize)], Receiver<Done<R>>);

/// Renders a run of findings.
type Render<'r, R> = &'r (dyn Fn(&[Finding]) -> R + Sync);

/// Hands a group's rendered chunks to `sink` in order, continuing long
/// ladders in their places, and adds up its counts.
fn hand_on<R>(
    ev: &Evaluator<'_>,
    group: &[(usize, usize)],
    done: Done<R>,
    (keep, render): (bool, Render<R>),
    sink: &mut dyn FnMut(R),
    audit: &mut Audit,
    progress: &dyn Fn(u64),
) {
    for (pieces, stats) in done {
        for piece in pieces {
            match piece {
                Piece::Rendered(r, findings) => {
                    sink(r);
                    audit.findings.extend(findings);
                }
                Piece::Tail(t) => continue_ladder(ev, &t, keep, render, sink, audit),
            }
        }
        for (all, s) in audit.stats.iter_mut().zip(&stats) {
            all.add(s);
        }
    }
    audit.subjects += group.iter().map(|(s, e)| (e - s) as u64).sum::<u64>();
    audit.subjects -= audit
        .stats
        .first_mut()
        .map_or(0, |s| std::mem::take(&mut s.filtered));
    progress(audit.subjects);
}

/// The missed marks of a ladder still to list after its first result.
#[derive(Debug, Clone)]
struct Tail {
    table: TableId,
    row: u32,
    rule: usize,
    key: String,
    more: More,
    /// Marks listed so far.
    listed: u64,
}

/// A chunk's output, in order: rendered findings (kept too, with `keep`),
/// and ladders to continue between them.
enum Piece<R> {
    Rendered(R, Vec<Finding>),
    Tail(Tail),
}

/// Cuts a chunk's sorted findings where a ladder's listing goes on (after
/// its last listed violation), and renders each run.
fn pieces<R>(
    ev: &Evaluator<'_>,
    findings: Vec<Finding>,
    mut tails: Vec<Tail>,
    keep: bool,
    render: &(dyn Fn(&[Finding]) -> R + Sync),
) -> Vec<Piece<R>> {
    let rule_id = |r: usize| ev.policy.rules.get(r).map_or("", |x| x.id.as_str());
    tails.sort_by(|a, b| a.key.cmp(&b.key).then(rule_id(a.rule).cmp(rule_id(b.rule))));
    let mut out = Vec::with_capacity(1 + 2 * tails.len());
    let mut rest = findings;
    for t in tails {
        // The first finding after the ladder's violations.
        let at = rest.partition_point(|f| {
            (&*f.key, rule_id(f.rule), f.status != Status::Violated)
                <= (t.key.as_str(), rule_id(t.rule), false)
        });
        let tail = rest.split_off(at);
        let done = std::mem::replace(&mut rest, tail);
        out.push(Piece::Rendered(
            render(&done),
            if keep { done } else { Vec::new() },
        ));
        out.push(Piece::Tail(t));
    }
    let r = render(&rest);
    out.push(Piece::Rendered(r, if keep { rest } else { Vec::new() }));
    out
}

/// Lists a ladder's remaining missed marks a batch at a time, up to
/// `--max-marks` in all; what is left unlisted is counted.
fn continue_ladder<R>(
    ev: &Evaluator<'_>,
    t: &Tail,
    keep: bool,
    render: &(dyn Fn(&[Finding]) -> R + Sync),
    sink: &mut dyn FnMut(R),
    audit: &mut Audit,
) {
    let cap = ev.max_marks.unwrap_or(u64::MAX);
    let all_waived = ev.waivers.is_some_and(|w| w.covers_all(t.rule, &t.key));
    let mut more = Some(t.more);
    let mut listed = t.listed;
    while let Some(m) = more {
        let limit = cap.saturating_sub(listed).min(MARK_BATCH);
        if limit == 0 {
            if let Some(s) = audit.stats.get_mut(t.rule) {
                s.unlisted += m.count;
            }
            return;
        }
        let r = ev.more_marks(t.table, t.row, t.rule, m.next, limit);
        listed += r.findings.len() as u64;
        // Counted as violations up front; a waiver for one mark moves it.
        let waived = r
            .findings
            .iter()
            .filter(|f| f.status == Status::Waived)
            .count() as u64;
        if let Some(s) = audit.stats.get_mut(t.rule)
            && !all_waived
        {
            s.violated -= waived.min(s.violated);
            s.waived += waived;
        }
        sink(render(&r.findings));
        if keep {
            audit.findings.extend(r.findings);
        }
        more = r.more;
    }
}

/// A subject row: its table (as a small number) and row.
type Subject = (u32, u32);

fn key<'e>(ev: &'e Evaluator<'_>, s: Subject) -> std::borrow::Cow<'e, str> {
    ev.sort_key(s.0 as TableId, s.1)
}

/// Subject rows in key order.
enum Order {
    /// One table whose rows are already in key order (the usual export).
    Table(u32, usize),
    /// Anything else, sorted.
    Sorted(Vec<Subject>),
}

impl Order {
    fn len(&self) -> usize {
        match self {
            Order::Table(_, n) => *n,
            Order::Sorted(v) => v.len(),
        }
    }

    fn get(&self, i: usize) -> Option<Subject> {
        match self {
            Order::Table(t, n) => (i < *n).then(|| (*t, crate::data::row_id(i))),
            Order::Sorted(v) => v.get(i).copied(),
        }
    }
}

/// Every subject row, ordered by key (then table), so that findings sorted
/// per chunk are sorted overall.
fn key_order(ev: &Evaluator<'_>) -> Order {
    let tables: Vec<(u32, usize)> = ev
        .subjects()
        .filter_map(|(t, _)| {
            let len = ev.data.table(t).map_or(0, |d| d.len);
            u32::try_from(t).ok().map(|t| (t, len))
        })
        .collect();
    if let [(t, len)] = tables[..] {
        let in_order = (1..len).all(|r| {
            let (a, b) = (u32::try_from(r - 1), u32::try_from(r));
            matches!((a, b), (Ok(a), Ok(b)) if key(ev, (t, a)) <= key(ev, (t, b)))
        });
        if in_order && u32::try_from(len).is_ok() {
            return Order::Table(t, len);
        }
    }
    let mut order: Vec<Subject> = Vec::new();
    for (t, len) in tables {
        order.extend((0..len).map_while(|r| u32::try_from(r).ok().map(|r| (t, r))));
    }
    order.sort_by(|a, b| key(ev, *a).cmp(&key(ev, *b)).then(a.cmp(b)));
    Order::Sorted(order)
}

/// Cuts `order` into chunks of about [`CHUNK`] rows; rows with equal keys
/// (of different tables) stay in one chunk, so its sort orders them.
fn cut(ev: &Evaluator<'_>, order: &Order) -> Vec<(usize, usize)> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = (start + CHUNK).min(order.len());
        while let (Some(a), Some(b)) = (order.get(end - 1), order.get(end)) {
            if key(ev, a) != key(ev, b) {
                break;
            }
            end += 1;
        }
        chunks.push((start, end));
        start = end;
    }
    chunks
}

fn chunk(
    ev: &Evaluator<'_>,
    rows: impl Iterator<Item = Subject>,
) -> (Vec<Finding>, Vec<RuleStats>, Vec<Tail>) {
    let mut findings = Vec::new();
    let mut stats = vec![RuleStats::default(); ev.policy.rules.len()];
    let mut tails = Vec::new();
    let mut spare = super::expr::Spare::default();
    for (table, row) in rows {
        if !ev.passes_filter(table as TableId, row) {
            if let Some(s) = stats.first_mut() {
                s.filtered += 1;
            }
            continue;
        }
        for r in ev.evaluate_reusing(&mut spare, table as TableId, row) {
            if let Some(s) = stats.get_mut(r.rule) {
                match r.status {
                    Status::Pass => {
                        s.evaluated += 1;
                        s.passed += 1;
                    }
                    Status::Violated | Status::Due | Status::Waived => {
                        s.evaluated += 1;
                        if r.status == Status::Violated {
                            s.violated_cases += 1;
                        }
                        for f in &r.findings {
                            match f.status {
                                Status::Violated => s.violated += 1,
                                Status::Waived => s.waived += 1,
                                _ => s.due += 1,
                            }
                        }
                        // Missed marks still to list count now.
                        let more = r.more.map_or(0, |m| m.count);
                        if r.more_waived {
                            s.waived += more;
                        } else {
                            s.violated += more;
                        }
                    }
                    Status::NotApplicable => s.not_applicable += 1,
                }
            }
            if ev.counting {
                // Counts only: nothing listed, nothing kept.
                if let (Some(more), Some(s)) = (r.more.filter(|m| m.counted), stats.get_mut(r.rule))
                {
                    s.unlisted += more.count.saturating_sub(ev.max_marks.unwrap_or(u64::MAX));
                }
                if r.more.is_none_or(|m| m.counted) {
                    continue;
                }
            }
            if let Some(more) = r.more {
                let listed = r
                    .findings
                    .iter()
                    .filter(|f| f.status == Status::Violated)
                    .count() as u64;
                // Capped by --max-marks: the rest is counted, not listed.
                if listed >= ev.max_marks.unwrap_or(u64::MAX) {
                    if let Some(s) = stats.get_mut(r.rule) {
                        s.unlisted += more.count;
                    }
                    findings.extend(r.findings);
                    continue;
                }
                tails.push(Tail {
                    table: table as TableId,
                    row,
                    rule: r.rule,
                    key: ev.key_of(table as TableId, row),
                    more,
                    listed,
                });
            }
            findings.extend(r.findings);
        }
    }
    (findings, stats, tails)
}
