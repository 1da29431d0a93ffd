//! What a command shows of an audit: `--where EXPR` (which cases),
//! `--status` (which findings), `--sort` (in which order).
//!
//! `--where` is an expression in the policy language about the rules'
//! subject row. It is checked as the condition of one more rule, in a
//! source of its own named `--where`, so a mistake gets the same
//! diagnostics as in a policy file; a case is shown when that rule passes.

use clap::ValueEnum;

use super::{Failure, setup};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Finding, Status};
use crate::semantics::{self, Policy, TableId};
use crate::source::SourceMap;

/// The flags of a view.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct ViewArgs {
    /// Show only the cases for which this expression about the subject row
    /// holds, e.g. `--where 'case.owner = "Sam Ortiz" and case.status != "Closed"'`.
    #[arg(long = "where", value_name = "EXPR")]
    pub(crate) filter: Option<String>,
    /// Show only findings with this status: violated, due, waived (repeatable).
    #[arg(long = "status", value_enum, value_name = "STATUS")]
    pub(crate) statuses: Vec<ShownStatus>,
}

/// The order findings are listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum Sort {
    /// By case key, then rule (the order findings are found in).
    #[default]
    Case,
    /// By rule (policy order), then case.
    Rule,
    /// Due items by deadline, soonest first; then the rest by case.
    Deadline,
}

impl Sort {
    /// Sorts `findings` (found in case order) this way.
    pub(crate) fn apply(self, findings: &mut [Finding]) {
        match self {
            Sort::Case => {}
            // Stable: within a rule, the case order stays.
            Sort::Rule => findings.sort_by_key(|f| f.rule),
            Sort::Deadline => findings.sort_by_key(|f| (f.deadline.is_none(), f.deadline)),
        }
    }
}

/// A status a finding can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ShownStatus {
    /// Broken.
    Violated,
    /// Owed, not yet late.
    Due,
    /// Covered by a waiver.
    Waived,
}

impl ShownStatus {
    fn status(self) -> Status {
        match self {
            ShownStatus::Violated => Status::Violated,
            ShownStatus::Due => Status::Due,
            ShownStatus::Waived => Status::Waived,
        }
    }
}

impl ViewArgs {
    /// Whether a finding is shown.
    pub(crate) fn shows(&self, f: &Finding) -> bool {
        self.shows_status(f.status)
    }

    /// Whether findings (or `case`'s rules) with this status are shown.
    pub(crate) fn shows_status(&self, status: Status) -> bool {
        self.statuses.is_empty() || self.statuses.iter().any(|s| s.status() == status)
    }
}

/// The table most rules are about (the cases).
pub(crate) fn subject(policy: &Policy) -> Option<TableId> {
    let mut counts = vec![0usize; policy.tables.len()];
    for r in &policy.rules {
        if let Some(c) = counts.get_mut(r.subject) {
            *c += 1;
        }
    }
    counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .max_by_key(|(_, c)| **c)
        .map(|(t, _)| t)
}

/// The policy with the `--where` condition as one more rule (its last);
/// the rule's index. The condition is checked like a policy's: its errors
/// are the failure.
pub(crate) fn with_filter(
    ctx: &super::Ctx,
    policy: Policy,
    sources: SourceMap,
    filter: Option<&str>,
) -> Result<(Policy, SourceMap, Option<usize>), Failure> {
    let Some(expr) = filter else {
        return Ok((policy, sources, None));
    };
    let Some(table) = subject(&policy).and_then(|t| policy.tables.get(t)) else {
        return Err(Diagnostic::error(Code::CliWhere, "the policy has no rules to filter").into());
    };
    let text = format!(
        "rule docket-where \"the --where condition\"\n  severity warning\n  for {}\n  source \"the command line\"\n  require {}\n",
        table.name,
        expr.replace(['\n', '\r'], " ")
    );
    let mut with = sources.clone();
    with.add("--where", text);
    let loaded = semantics::check_sources(with);
    match loaded.policy {
        Some(p) if !loaded.has_errors() => {
            let index = p.rules.len().checked_sub(1);
            Ok((p, loaded.sources, index))
        }
        _ => {
            let mut diags: Vec<Diagnostic> = loaded
                .diagnostics
                .into_iter()
                .filter(Diagnostic::is_error)
                .collect();
            if diags.is_empty() {
                diags.push(Diagnostic::error(Code::CliWhere, "cannot read --where"));
            }
            let _ = ctx;
            Err(Failure::new(diags, loaded.sources))
        }
    }
}

/// `--rule ID…` as rule indices, never the `--where` rule: all the
/// policy's rules when none is named.
pub(crate) fn selected(
    policy: &Policy,
    ids: &[String],
    filter: Option<usize>,
) -> Result<Vec<usize>, Failure> {
    let chosen = setup::rules(policy, ids)?;
    Ok(match (filter, chosen.is_empty()) {
        (Some(f), true) => (0..policy.rules.len()).filter(|i| *i != f).collect(),
        _ => chosen,
    })
}
