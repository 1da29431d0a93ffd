//! What the CI formats keep of an audit while it streams: the findings
//! they list (a bounded number, chosen in one pass), and the cases with the
//! most violations. Memory does not grow with the number of findings.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::eval::Finding;

/// A finding with its place: a rank the format chooses, then the order it
/// arrived in (the report's order).
struct Ranked {
    rank: (u8, usize),
    seq: u64,
    finding: Finding,
}

impl Ranked {
    fn order(&self) -> ((u8, usize), u64) {
        (self.rank, self.seq)
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.order() == other.order()
    }
}

impl Eq for Ranked {}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.order().cmp(&other.order())
    }
}

/// The first `cap` findings by rank (ties in arrival order), chosen as
/// they stream: a heap of at most `cap` with the worst kept on top.
pub(crate) struct Kept {
    cap: usize,
    heap: BinaryHeap<Ranked>,
    seen: u64,
}

impl Kept {
    /// Keeps at most `cap` findings.
    pub(crate) fn new(cap: usize) -> Kept {
        Kept {
            cap,
            heap: BinaryHeap::new(),
            seen: 0,
        }
    }

    /// Offers a finding, in report order, with its rank.
    pub(crate) fn offer(&mut self, rank: (u8, usize), f: &Finding) {
        let seq = self.seen;
        self.seen += 1;
        if self.heap.len() >= self.cap {
            match self.heap.peek() {
                Some(worst) if (rank, seq) < worst.order() => {
                    self.heap.pop();
                }
                _ => return,
            }
        }
        self.heap.push(Ranked {
            rank,
            seq,
            finding: f.clone(),
        });
    }

    /// Findings offered so far.
    pub(crate) fn seen(&self) -> u64 {
        self.seen
    }

    /// Whether every finding offered is kept.
    pub(crate) fn all_kept(&self) -> bool {
        self.heap.len() as u64 == self.seen
    }

    /// The kept findings with their ranks: by rank when some were left
    /// out, else in the order they came.
    pub(crate) fn take(&mut self) -> Vec<((u8, usize), Finding)> {
        let by_rank = !self.all_kept();
        let mut all: Vec<Ranked> = std::mem::take(&mut self.heap).into_vec();
        if by_rank {
            all.sort();
        } else {
            all.sort_by_key(|r| r.seq);
        }
        all.into_iter().map(|r| (r.rank, r.finding)).collect()
    }
}

/// Cases by their number of violations: the `top` with the most (ties by
/// key), and how many cases have any. Findings must come grouped by case
/// (the audit's order).
pub(crate) struct CaseTally {
    top: usize,
    current: Option<(String, u64)>,
    /// Min-heap on (count, reverse key): the weakest of the top on top.
    best: BinaryHeap<Reverse<(u64, Reverse<String>)>>,
    cases: u64,
}

impl CaseTally {
    /// Keeps the `top` cases with the most violations.
    pub(crate) fn new(top: usize) -> CaseTally {
        CaseTally {
            top,
            current: None,
            best: BinaryHeap::new(),
            cases: 0,
        }
    }

    /// One violation of the case `key`.
    pub(crate) fn violation(&mut self, key: &str) {
        match &mut self.current {
            Some((k, n)) if k == key => *n += 1,
            _ => {
                self.close();
                self.current = Some((key.to_string(), 1));
            }
        }
    }

    fn close(&mut self) {
        let Some((key, n)) = self.current.take() else {
            return;
        };
        self.cases += 1;
        self.best.push(Reverse((n, Reverse(key))));
        if self.best.len() > self.top {
            self.best.pop();
        }
    }

    /// The top cases, most violations first (ties by key), and how many
    /// cases have violations.
    pub(crate) fn finish(mut self) -> (Vec<(String, u64)>, u64) {
        self.close();
        let mut top: Vec<(String, u64)> = self
            .best
            .into_iter()
            .map(|Reverse((n, Reverse(k)))| (k, n))
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        (top, self.cases)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(key: &str) -> Finding {
        Finding {
            rule: 0,
            status: crate::eval::Status::Violated,
            table: 0,
            row: 0,
            key: key.into(),
            message: String::new(),
            deadline: None,
            rows: Vec::new().into(),
            mark: None,
            data_errors: None,
            waiver: None,
            fields: None,
        }
    }

    fn keys(k: &mut Kept) -> Vec<String> {
        k.take()
            .into_iter()
            .map(|(_, f)| f.key.to_string())
            .collect()
    }

    #[test]
    fn keeps_the_best_ranked_and_breaks_ties_by_arrival() {
        let mut k = Kept::new(3);
        for (i, rank) in [2u8, 0, 1, 0, 2, 1].iter().enumerate() {
            k.offer((*rank, 0), &finding(&format!("c{i}")));
        }
        assert_eq!(k.seen(), 6);
        assert!(!k.all_kept());
        assert_eq!(keys(&mut k), ["c1", "c3", "c2"]);
    }

    #[test]
    fn under_the_cap_keeps_the_order_they_came_in() {
        let mut k = Kept::new(10);
        for (i, rank) in [2u8, 0, 1].iter().enumerate() {
            k.offer((*rank, 0), &finding(&format!("c{i}")));
        }
        assert!(k.all_kept());
        assert_eq!(keys(&mut k), ["c0", "c1", "c2"]);
    }

    #[test]
    fn a_cap_of_zero_keeps_nothing_and_counts_everything() {
        let mut k = Kept::new(0);
        k.offer((0, 0), &finding("a"));
        assert_eq!(k.seen(), 1);
        assert!(keys(&mut k).is_empty());
    }

    #[test]
    fn tally_counts_runs_and_keeps_the_top() {
        let mut t = CaseTally::new(2);
        for key in ["a", "b", "b", "c", "c", "d", "d", "d"] {
            t.violation(key);
        }
        let (top, cases) = t.finish();
        assert_eq!(cases, 4);
        assert_eq!(top, [("d".to_string(), 3), ("b".to_string(), 2)]);
    }
}
