//! Approved exceptions. A waiver names a rule, a case and (for a ladder)
//! a mark, with a reason, an approver and an expiry date; a violation or
//! due item it covers is `waived`: listed with the waiver, counted apart,
//! never failing a run. A waiver past its expiry covers nothing, and the
//! finding it used to cover says so. Which waivers matched nothing is kept,
//! so every run can list the stale ones.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;

use super::{RuleResult, Status};

/// One approved exception (a row of the waivers register).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// The rule (index in the policy's rules).
    pub rule: usize,
    /// The case key.
    pub key: String,
    /// A ladder's mark; `None`: every finding of the rule for the case.
    pub mark: Option<u64>,
    /// Why the exception is accepted.
    pub reason: String,
    /// Who approved it.
    pub approved_by: String,
    /// The last day it applies (in the policy's zone); `None`: no expiry.
    pub expires: Option<NaiveDate>,
    /// The register's file and line, for messages.
    pub file: Arc<str>,
    /// The line.
    pub line: u64,
}

/// A waiver as a finding carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaiverNote {
    /// The waiver's reason.
    pub reason: String,
    /// Its approver.
    pub approved_by: String,
    /// Its expiry.
    pub expires: Option<NaiveDate>,
    /// It has expired: the finding is not waived.
    pub expired: bool,
    /// Where it is written.
    pub file: Arc<str>,
    /// The line.
    pub line: u64,
}

/// The waivers of a run, looked up by rule and case.
#[derive(Debug, Default)]
pub struct Waivers {
    list: Vec<Waiver>,
    /// Waivers by case key (then filtered by rule): looked up with the
    /// key as it is, no string built per rule and case.
    by_case: HashMap<String, Vec<usize>>,
    used: Vec<AtomicBool>,
    /// The as-of date in the policy's zone.
    today: Option<NaiveDate>,
}

impl Waivers {
    /// The waivers `list`, as of the local date `today`.
    pub fn new(list: Vec<Waiver>, today: NaiveDate) -> Waivers {
        let mut by_case: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, w) in list.iter().enumerate() {
            by_case.entry(w.key.clone()).or_default().push(i);
        }
        let used = list.iter().map(|_| AtomicBool::new(false)).collect();
        Waivers {
            list,
            by_case,
            used,
            today: Some(today),
        }
    }

    /// Every waiver, in register order.
    pub fn all(&self) -> &[Waiver] {
        &self.list
    }

    /// Whether waiver `w` has expired as of the run.
    pub fn expired(&self, w: &Waiver) -> bool {
        matches!((w.expires, self.today), (Some(e), Some(t)) if e < t)
    }

    /// Waivers that matched no finding of the run.
    pub fn stale(&self) -> impl Iterator<Item = &Waiver> {
        self.list
            .iter()
            .zip(&self.used)
            .filter(|(_, u)| !u.load(Ordering::Relaxed))
            .map(|(w, _)| w)
    }

    /// Unexpired waivers that expire within `days` days of the as-of date.
    pub fn expiring(&self, days: i64) -> impl Iterator<Item = &Waiver> {
        let today = self.today;
        self.list.iter().filter(move |w| match (w.expires, today) {
            (Some(e), Some(t)) => e >= t && (e - t).num_days() <= days,
            _ => false,
        })
    }

    /// The waiver for a finding of `rule` for `key` at `mark`: an unexpired
    /// one before an expired one, one for the mark before one for every
    /// mark. Every waiver that matches is marked as used.
    fn find(&self, rule: usize, key: &str, mark: Option<u64>) -> Option<&Waiver> {
        let mut best: Option<(bool, bool, usize)> = None;
        for (i, w) in self.of(rule, key) {
            if w.mark.is_some() && w.mark != mark {
                continue;
            }
            if let Some(u) = self.used.get(i) {
                u.store(true, Ordering::Relaxed);
            }
            let rank = (!self.expired(w), w.mark.is_some(), usize::MAX - i);
            if best.is_none_or(|b| rank > b) {
                best = Some(rank);
            }
        }
        best.and_then(|(_, _, i)| self.list.get(usize::MAX - i))
    }

    /// Whether an unexpired waiver covers every finding of `rule` for `key`
    /// (missed marks not listed yet included).
    pub(crate) fn covers_all(&self, rule: usize, key: &str) -> bool {
        self.of(rule, key)
            .any(|(_, w)| w.mark.is_none() && !self.expired(w))
    }

    /// Whether any waiver (expired or not) names `rule` for `key`.
    pub(crate) fn names(&self, rule: usize, key: &str) -> bool {
        self.of(rule, key).next().is_some()
    }

    /// The waivers of `rule` for `key`, with their places in the register.
    fn of<'w>(&'w self, rule: usize, key: &str) -> impl Iterator<Item = (usize, &'w Waiver)> {
        self.by_case
            .get(key)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(|&i| self.list.get(i).map(|w| (i, w)))
            .filter(move |(_, w)| w.rule == rule)
    }

    /// Applies the waivers to one rule's result for the case `key`: each
    /// covered violation or due item becomes `waived`, and one whose
    /// waiver expired says so.
    pub(crate) fn apply(&self, r: &mut RuleResult, key: &str) {
        if !self.names(r.rule, key) {
            return;
        }
        for f in &mut r.findings {
            if !matches!(f.status, Status::Violated | Status::Due) {
                continue;
            }
            let Some(w) = self.find(r.rule, key, f.mark) else {
                continue;
            };
            let expired = self.expired(w);
            if expired {
                // (Without a message yet, the report's own evaluation
                // of the finding says it.)
                if let Some(e) = w.expires
                    && !f.message.is_empty()
                {
                    f.message = format!("{}; waiver expired on {e}", f.message);
                }
            } else {
                f.status = Status::Waived;
            }
            f.waiver = Some(Arc::new(WaiverNote {
                reason: w.reason.clone(),
                approved_by: w.approved_by.clone(),
                expires: w.expires,
                expired,
                file: w.file.clone(),
                line: w.line,
            }));
        }
        r.more_waived = r.more.is_some() && self.covers_all(r.rule, key);
        let has = |s: Status| r.findings.iter().any(|f| f.status == s);
        if matches!(r.status, Status::Violated | Status::Due) {
            r.status = if has(Status::Violated) || (r.more.is_some() && !r.more_waived) {
                Status::Violated
            } else if has(Status::Due) {
                Status::Due
            } else {
                Status::Waived
            };
        }
    }
}
