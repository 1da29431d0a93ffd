//! Comparing an audit with an earlier one (`check --baseline FILE`).
//!
//! A finding's identity is its rule, its case and (for a ladder) its mark —
//! never a row number or a message, which change when the export does. A
//! finding of this run whose identity is in the baseline is `persisting`
//! and keeps the date it was first seen (carried from report to report);
//! any other is `new`; a baseline finding no finding of this run matches is
//! `resolved`. Counting happens once per finding, as the audit hands each
//! chunk on, so every format reports the same numbers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Finding, Status};
use crate::semantics::{Policy, Severity};

/// A finding of the baseline report, as much of it as comparing needs.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub(crate) struct Earlier {
    /// Rule id.
    pub(crate) rule: String,
    /// `error` or `warning`.
    #[serde(default)]
    pub(crate) severity: String,
    /// Its status then.
    pub(crate) status: String,
    /// The case key.
    pub(crate) key: String,
    /// Its message then.
    #[serde(default)]
    pub(crate) message: String,
    /// A ladder's mark.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) mark: Option<u64>,
    /// When it was first seen (absent in a report made without a baseline:
    /// that report's `as_of`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) first_seen: Option<String>,
}

#[derive(Deserialize)]
struct EarlierPolicy {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct EarlierReport {
    as_of: String,
    policy: EarlierPolicy,
    findings: Vec<Earlier>,
}

/// Per rule: new and persisting findings, and new violations by severity.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub(crate) struct BaselineCounts {
    /// Findings not in the baseline.
    pub(crate) new: u64,
    /// Findings in the baseline too.
    pub(crate) persisting: u64,
    /// Baseline findings gone.
    pub(crate) resolved: u64,
}

/// An earlier report, ready to compare findings with.
pub(crate) struct Baseline {
    /// Its `as_of`.
    pub(crate) as_of: String,
    /// Where it was read from.
    pub(crate) path: String,
    findings: Vec<Earlier>,
    index: HashMap<(String, String, Option<u64>), usize>,
    seen: Vec<AtomicBool>,
    /// Per rule id.
    counts: Mutex<HashMap<String, BaselineCounts>>,
    /// New violations of error rules, and of warning rules.
    new_violations: Mutex<(u64, u64)>,
}

/// Whether a finding is new or persisting, and since when it is seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    /// `new` or `persisting`.
    pub(crate) state: &'static str,
    /// The as-of of the earliest report it is in.
    pub(crate) first_seen: String,
}

/// A baseline finding that is gone.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Gone {
    #[serde(flatten)]
    pub(crate) finding: Earlier,
    /// Whether its case is still in the export (fixed) or gone from it.
    pub(crate) case_in_export: bool,
}

impl Baseline {
    /// Reads a `check --format json` report; a report of another policy is
    /// an error, of another version of it a warning (returned).
    pub(crate) fn read(
        path: &std::path::Path,
        policy: &Policy,
    ) -> Result<(Baseline, Option<Diagnostic>), Diagnostic> {
        let shown = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|e| {
            Diagnostic::error(
                Code::CliBaseline,
                format!(
                    "cannot read the baseline `{shown}`: {}",
                    crate::diagnostic::io_reason(&e)
                ),
            )
        })?;
        let earlier: EarlierReport = serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|e| {
                Diagnostic::error(
                    Code::CliBaseline,
                    format!("`{shown}` is not a report of `docket check --format json`: {e}"),
                )
                .with_help("give the JSON report of an earlier audit: `docket check … --format json --output audit.json`")
            })?;
        if earlier.policy.name != policy.name {
            return Err(Diagnostic::error(
                Code::CliBaseline,
                format!(
                    "the baseline `{shown}` is an audit with policy \"{}\", not \"{}\"",
                    earlier.policy.name, policy.name
                ),
            )
            .with_help("compare audits of one policy: give a report this policy made"));
        }
        let warning = (earlier.policy.version != policy.version).then(|| {
            Diagnostic::warning(
                Code::CliBaselineVersion,
                format!(
                    "the baseline `{shown}` was made with version {} of the policy, this is version {}: findings of changed rules may show as new or resolved",
                    earlier.policy.version.as_deref().unwrap_or("(none)"),
                    policy.version.as_deref().unwrap_or("(none)")
                ),
            )
        });
        let mut index = HashMap::new();
        for (i, f) in earlier.findings.iter().enumerate() {
            index
                .entry((f.rule.clone(), f.key.clone(), f.mark))
                .or_insert(i);
        }
        let seen = earlier
            .findings
            .iter()
            .map(|_| AtomicBool::new(false))
            .collect();
        Ok((
            Baseline {
                as_of: earlier.as_of,
                path: shown,
                findings: earlier.findings,
                index,
                seen,
                counts: Mutex::new(HashMap::new()),
                new_violations: Mutex::new((0, 0)),
            },
            warning,
        ))
    }

    fn lookup(&self, rule: &str, f: &Finding) -> Option<&Earlier> {
        let i = *self
            .index
            .get(&(rule.to_string(), f.key.to_string(), f.mark))?;
        self.findings.get(i)
    }

    /// Whether a finding of rule `rule` is new or persisting (no side effect).
    pub(crate) fn seen(&self, rule: &str, f: &Finding, now: &str) -> Seen {
        match self.lookup(rule, f) {
            Some(e) => Seen {
                state: "persisting",
                first_seen: e.first_seen.clone().unwrap_or_else(|| self.as_of.clone()),
            },
            None => Seen {
                state: "new",
                first_seen: now.to_string(),
            },
        }
    }

    /// Counts a chunk of this run's findings (each exactly once) and marks
    /// the baseline findings they match.
    pub(crate) fn observe(&self, policy: &Policy, found: &[Finding]) {
        let mut local: HashMap<String, BaselineCounts> = HashMap::new();
        let mut new_violations = (0, 0);
        for f in found {
            let Some(rule) = policy.rules.get(f.rule) else {
                continue;
            };
            let c = local.entry(rule.id.clone()).or_default();
            match self
                .index
                .get(&(rule.id.clone(), f.key.to_string(), f.mark))
            {
                Some(&i) => {
                    c.persisting += 1;
                    if let Some(s) = self.seen.get(i) {
                        s.store(true, Ordering::Relaxed);
                    }
                }
                None => {
                    c.new += 1;
                    if f.status == Status::Violated {
                        match rule.severity {
                            Severity::Error => new_violations.0 += 1,
                            Severity::Warning => new_violations.1 += 1,
                        }
                    }
                }
            }
        }
        if let Ok(mut all) = self.counts.lock() {
            for (rule, c) in local {
                let e = all.entry(rule).or_default();
                e.new += c.new;
                e.persisting += c.persisting;
            }
        }
        if let Ok(mut n) = self.new_violations.lock() {
            n.0 += new_violations.0;
            n.1 += new_violations.1;
        }
    }

    /// New violations of error rules and of warning rules.
    pub(crate) fn new_violations(&self) -> (u64, u64) {
        self.new_violations.lock().map(|n| *n).unwrap_or_default()
    }

    /// The baseline findings of `rules` no finding of this run matched;
    /// `in_export` says whether a case is still in the export.
    pub(crate) fn resolved(&self, rules: &[String], in_export: &dyn Fn(&str) -> bool) -> Vec<Gone> {
        self.findings
            .iter()
            .zip(&self.seen)
            .filter(|(f, s)| !s.load(Ordering::Relaxed) && rules.contains(&f.rule))
            .map(|(f, _)| Gone {
                finding: f.clone(),
                case_in_export: in_export(&f.key),
            })
            .collect()
    }

    /// Per rule: new, persisting and resolved, with `resolved` counted in.
    pub(crate) fn counts(&self, resolved: &[Gone]) -> HashMap<String, BaselineCounts> {
        let mut all = self.counts.lock().map(|c| c.clone()).unwrap_or_default();
        for r in resolved {
            all.entry(r.finding.rule.clone()).or_default().resolved += 1;
        }
        all
    }
}
