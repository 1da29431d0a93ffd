//! A whole audit: every subject row against every selected rule, in
//! parallel, with per-rule counts. Output does not depend on the number of
//! threads: rows are cut into fixed chunks, evaluated in parallel, and
//! handed on in row order.

use rayon::prelude::*;

use super::{Evaluator, Finding, Status};

/// Rows per unit of parallel work.
const CHUNK: usize = 1024;

/// Per-rule counts over an audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleStats {
    /// Cases the rule applied to (passed, violated or due).
    pub evaluated: u64,
    /// Cases where it held.
    pub passed: u64,
    /// Cases with at least one violation.
    pub violated_cases: u64,
    /// Violation findings (a ladder may have several per case).
    pub violated: u64,
    /// Due findings.
    pub due: u64,
    /// Cases it did not apply to or could not be evaluated for.
    pub not_applicable: u64,
}

impl RuleStats {
    fn add(&mut self, o: &RuleStats) {
        self.evaluated += o.evaluated;
        self.passed += o.passed;
        self.violated_cases += o.violated_cases;
        self.violated += o.violated;
        self.due += o.due;
        self.not_applicable += o.not_applicable;
    }
}

/// What an audit found.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    /// Every finding, in the order handed to the sink (subject table, then row).
    pub findings: Vec<Finding>,
    /// Indexed like `Policy::rules`.
    pub stats: Vec<RuleStats>,
    /// Subject rows evaluated.
    pub subjects: u64,
}

/// Evaluates every subject row. `sink` sees each chunk's findings in row
/// order as soon as the chunk is done (streaming output); `progress` gets
/// the number of rows done so far. With `keep`, findings are also collected
/// in the result.
pub fn run(
    ev: &Evaluator<'_>,
    keep: bool,
    sink: &mut dyn FnMut(&[Finding]),
    progress: &dyn Fn(u64),
) -> Audit {
    let mut audit = Audit {
        findings: Vec::new(),
        stats: vec![RuleStats::default(); ev.policy.rules.len()],
        subjects: 0,
    };
    let batch = rayon::current_num_threads().max(1) * 8;
    let subjects: Vec<(usize, usize)> = ev
        .subjects()
        .map(|(t, _)| (t, ev.data.table(t).map_or(0, |d| d.len)))
        .collect();
    for (table, len) in subjects {
        let chunks: Vec<(usize, usize)> = (0..len)
            .step_by(CHUNK)
            .map(|s| (s, (s + CHUNK).min(len)))
            .collect();
        for group in chunks.chunks(batch) {
            let done: Vec<(Vec<Finding>, Vec<RuleStats>)> = group
                .par_iter()
                .map(|&(start, end)| chunk(ev, table, start, end))
                .collect();
            for (findings, stats) in done {
                sink(&findings);
                for (all, s) in audit.stats.iter_mut().zip(&stats) {
                    all.add(s);
                }
                if keep {
                    audit.findings.extend(findings);
                }
            }
            audit.subjects += group.iter().map(|(s, e)| (e - s) as u64).sum::<u64>();
            progress(audit.subjects);
        }
    }
    audit
}

fn chunk(
    ev: &Evaluator<'_>,
    table: usize,
    start: usize,
    end: usize,
) -> (Vec<Finding>, Vec<RuleStats>) {
    let mut findings = Vec::new();
    let mut stats = vec![RuleStats::default(); ev.policy.rules.len()];
    for row in start..end {
        let Ok(row) = u32::try_from(row) else { break };
        for r in ev.evaluate(table, row) {
            if let Some(s) = stats.get_mut(r.rule) {
                match r.status {
                    Status::Pass => {
                        s.evaluated += 1;
                        s.passed += 1;
                    }
                    Status::Violated | Status::Due => {
                        s.evaluated += 1;
                        if r.status == Status::Violated {
                            s.violated_cases += 1;
                        }
                        for f in &r.findings {
                            match f.status {
                                Status::Violated => s.violated += 1,
                                _ => s.due += 1,
                            }
                        }
                    }
                    Status::NotApplicable => s.not_applicable += 1,
                }
            }
            findings.extend(r.findings);
        }
    }
    (findings, stats)
}
