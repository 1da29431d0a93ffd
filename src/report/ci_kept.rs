//! What `check --format sarif|junit|github` keeps of the findings as they
//! stream, so the report is written at the end from a bounded amount:
//! SARIF the first `--max-results` results by rank, GitHub the first 50
//! annotations and the cases with the most violations, JUnit the first
//! cases of each rule and status. Every count stays exact (the summary).

use std::sync::Mutex;

use super::Context;
use super::bounded::{CaseTally, Kept};
use super::check::CheckFormat;
use crate::eval::{Finding, Status};
use crate::semantics::Severity;

/// Cases a JUnit report lists per rule and status at most.
pub(crate) const JUNIT_LINES: usize = 1000;

/// Cases the GitHub job summary lists at most.
pub(crate) const STEP_SUMMARY_CASES: usize = 20;

/// The first lines of one rule and status (JUnit), and how many there are.
#[derive(Default)]
pub(crate) struct Listing {
    pub(crate) lines: Vec<String>,
    pub(crate) count: u64,
}

impl Listing {
    /// The lines, one per case, and a last line counting those left out.
    pub(crate) fn text(&self) -> String {
        let mut s = self.lines.join("\n");
        let left = self.count.saturating_sub(self.lines.len() as u64);
        if left > 0 {
            s.push_str(&format!(
                "\n… and {left} more; every one is in `docket check --format json` or `--format csv`"
            ));
        }
        s
    }
}

/// A rule's listings: violated, due, waived.
pub(crate) type RuleListings = [Listing; 3];

struct State {
    kept: Kept,
    junit: Vec<RuleListings>,
    tally: CaseTally,
}

/// The findings a CI format keeps, fed in report order.
pub(crate) struct CiKept {
    format: CheckFormat,
    cap: usize,
    state: Mutex<State>,
}

/// Kept findings with their ranks, and how many were offered.
pub(crate) type KeptFindings = (Vec<((u8, usize), Finding)>, u64);

impl CiKept {
    /// For `format`; `max_results` bounds the SARIF results.
    pub(crate) fn new(ctx: &Context, format: CheckFormat, max_results: usize) -> CiKept {
        let cap = match format {
            CheckFormat::Sarif => max_results,
            CheckFormat::Github => super::ci::GITHUB_ANNOTATIONS,
            _ => 0,
        };
        let junit = if format == CheckFormat::Junit {
            ctx.policy
                .rules
                .iter()
                .map(|_| RuleListings::default())
                .collect()
        } else {
            Vec::new()
        };
        CiKept {
            format,
            cap,
            state: Mutex::new(State {
                kept: Kept::new(cap),
                junit,
                tally: CaseTally::new(STEP_SUMMARY_CASES),
            }),
        }
    }

    /// Whether `format` is one this keeps findings for.
    pub(crate) fn is_for(format: CheckFormat) -> bool {
        matches!(
            format,
            CheckFormat::Sarif | CheckFormat::Junit | CheckFormat::Github
        )
    }

    /// Findings sorted some other way than by case: the cases with the
    /// most violations are counted from them in case order.
    pub(crate) fn observe_sorted(&self, ctx: &Context, found: &[Finding]) {
        self.observe(ctx, found, false);
        if self.format != CheckFormat::Github {
            return;
        }
        let mut keys: Vec<&str> = found
            .iter()
            .filter(|f| f.status == Status::Violated)
            .map(|f| &*f.key)
            .collect();
        keys.sort_unstable();
        if let Ok(mut st) = self.state.lock() {
            for k in keys {
                st.tally.violation(k);
            }
        }
    }

    /// Findings in report order (`by_case`: grouped by case, as the audit
    /// hands them out).
    pub(crate) fn observe(&self, ctx: &Context, found: &[Finding], by_case: bool) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        for f in found {
            match self.format {
                CheckFormat::Junit => listing(ctx, &mut st.junit, f),
                CheckFormat::Github => {
                    st.kept.offer((github_rank(ctx, f), 0), f);
                    if by_case && f.status == Status::Violated {
                        st.tally.violation(&f.key);
                    }
                }
                _ => st.kept.offer((sarif_rank(ctx, f), f.rule), f),
            }
        }
    }

    /// The findings kept for listing (SARIF, GitHub), taken.
    pub(crate) fn take_kept(&self) -> KeptFindings {
        let Ok(mut st) = self.state.lock() else {
            return (Vec::new(), 0);
        };
        let seen = st.kept.seen();
        (st.kept.take(), seen)
    }

    /// The listings per policy rule (JUnit), taken.
    pub(crate) fn take_listings(&self) -> Vec<RuleListings> {
        self.state
            .lock()
            .map(|mut st| std::mem::take(&mut st.junit))
            .unwrap_or_default()
    }

    /// The cases with the most violations, and how many have any
    /// (GitHub's job summary), taken.
    pub(crate) fn take_cases(&self) -> (Vec<(String, u64)>, u64) {
        self.state
            .lock()
            .map(|mut st| std::mem::replace(&mut st.tally, CaseTally::new(0)).finish())
            .unwrap_or_default()
    }

    /// Results listed at most.
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }
}

fn severity(ctx: &Context, f: &Finding) -> Severity {
    ctx.policy
        .rules
        .get(f.rule)
        .map_or(Severity::Error, |r| r.severity)
}

/// SARIF: errors, then (data errors,) warnings, (data warnings,) due
/// items, waived findings.
fn sarif_rank(ctx: &Context, f: &Finding) -> u8 {
    match (f.status, severity(ctx, f)) {
        (Status::Violated, Severity::Error) => 0,
        (Status::Violated, _) => 2,
        (Status::Due, _) => 4,
        _ => 5,
    }
}

/// GitHub: errors, warnings, then notices (due and waived).
fn github_rank(ctx: &Context, f: &Finding) -> u8 {
    match (f.status, severity(ctx, f)) {
        (Status::Due | Status::Waived, _) => 2,
        (_, Severity::Warning) => 1,
        _ => 0,
    }
}

fn listing(ctx: &Context, junit: &mut [RuleListings], f: &Finding) {
    let at = match f.status {
        Status::Violated => 0,
        Status::Due => 1,
        Status::Waived => 2,
        _ => return,
    };
    let Some(l) = junit.get_mut(f.rule).and_then(|r| r.get_mut(at)) else {
        return;
    };
    l.count += 1;
    if l.lines.len() < JUNIT_LINES {
        let j = super::finding(ctx, f);
        l.lines
            .push(format!("{}: {}", j.key, super::ci::finding_text(&j)));
    }
}
