//! What the human report keeps of the findings as they stream: per rule,
//! the lines it shows (at most [`LINES_PER_RULE`], a run of one case's
//! missed marks on one line) and the counts of the rest, so its memory
//! does not grow with the audit.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::Context;
use crate::eval::{Finding, Status};

/// Lines listed per rule; the rest are counted, with how to list them.
pub(crate) const LINES_PER_RULE: usize = 20;

/// Missed marks of one case in a row that are listed as one line.
pub(crate) const RUN_GROUPED: usize = 4;

/// One finding, or a run of one case's missed marks with consecutive
/// numbers (its first members kept, the rest counted).
pub(crate) struct LineGroup {
    /// The first members (at most [`RUN_GROUPED`]).
    pub(crate) members: Vec<Finding>,
    /// Findings in the run.
    pub(crate) count: usize,
    /// The last mark of the run.
    pub(crate) last: u64,
}

impl LineGroup {
    /// Lines it takes: one for a long run, one per finding otherwise.
    pub(crate) fn lines(&self) -> usize {
        if self.count >= RUN_GROUPED {
            1
        } else {
            self.count
        }
    }

    /// Whether `f` is the run's next missed mark.
    fn continued_by(&self, f: &Finding) -> bool {
        let Some(first) = self.members.first() else {
            return false;
        };
        first.status == Status::Violated
            && first.mark.is_some()
            && f.status == Status::Violated
            && f.key == first.key
            && f.mark == self.last.checked_add(1)
    }
}

/// A rule's listing.
#[derive(Default)]
pub(crate) struct RuleLines {
    /// The groups shown, in report order.
    pub(crate) groups: Vec<LineGroup>,
    /// Violations and due items (not waived).
    pub(crate) total: u64,
    pub(crate) violated: u64,
    /// The first waived findings, and how many there are.
    pub(crate) waived: Vec<Finding>,
    pub(crate) waived_total: u64,
    /// No further group is shown.
    closed: bool,
}

impl RuleLines {
    fn lines(&self) -> usize {
        self.groups.iter().map(LineGroup::lines).sum()
    }

    fn push(&mut self, ctx: &Context, f: &Finding) {
        if f.status == Status::Waived {
            self.waived_total += 1;
            if self.waived.len() < LINES_PER_RULE {
                self.waived.push(super::completed(ctx, f));
            }
            return;
        }
        self.total += 1;
        if f.status == Status::Violated {
            self.violated += 1;
        }
        if !self.closed
            && let Some(g) = self.groups.last_mut()
            && g.continued_by(f)
        {
            g.count += 1;
            g.last = f.mark.unwrap_or(g.last);
            if g.members.len() < RUN_GROUPED {
                g.members.push(super::completed(ctx, f));
            }
            return;
        }
        if self.closed || self.lines() >= LINES_PER_RULE {
            self.closed = true;
            return;
        }
        self.groups.push(LineGroup {
            members: vec![super::completed(ctx, f)],
            count: 1,
            last: f.mark.unwrap_or(0),
        });
    }
}

/// Every rule's listing, fed in report order.
#[derive(Default)]
pub(crate) struct HumanKept {
    by_rule: Mutex<BTreeMap<usize, RuleLines>>,
}

impl HumanKept {
    /// Findings in report order.
    pub(crate) fn observe(&self, ctx: &Context, found: &[Finding]) {
        let Ok(mut all) = self.by_rule.lock() else {
            return;
        };
        for f in found {
            all.entry(f.rule).or_default().push(ctx, f);
        }
    }

    /// The listings, by rule index.
    pub(crate) fn take(&self) -> BTreeMap<usize, RuleLines> {
        self.by_rule
            .lock()
            .map(|mut a| std::mem::take(&mut *a))
            .unwrap_or_default()
    }
}
