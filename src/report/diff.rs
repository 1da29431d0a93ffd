//! What a policy change does to an export: findings added, removed and
//! changed between a base policy and a changed one (`docket diff`).
//!
//! A finding is identified by its rule id, its case key, its status and,
//! for ladders, its mark: the same identity on both sides with another
//! message, severity or deadline is *changed*; where the rule sits in the
//! policy file does not count, so moving a rule is no change.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::markdown::{self, Budget};
use super::{JsonFinding, PolicyInfo};
use crate::data::FileAccount;
use crate::eval::audit::RuleStats;

/// A finding with its mark (ladders), as the comparison needs it.
pub(crate) type Marked = (Option<u64>, JsonFinding);

/// The same finding before and after.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Changed {
    /// Under the base policy.
    pub(crate) before: JsonFinding,
    /// Under the changed policy.
    pub(crate) after: JsonFinding,
}

/// Counts of one side for one rule.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct Side {
    /// Violation findings.
    pub(crate) violated: u64,
    /// Cases with a violation.
    pub(crate) violated_cases: u64,
    /// Due findings.
    pub(crate) due: u64,
}

impl From<&RuleStats> for Side {
    fn from(s: &RuleStats) -> Side {
        Side {
            violated: s.violated,
            violated_cases: s.violated_cases,
            due: s.due,
        }
    }
}

/// One rule's line of the count table.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct RuleDiff {
    /// Rule id.
    pub(crate) rule: String,
    /// `kept` (in both), `new` (only in the changed policy) or `removed`.
    pub(crate) change: &'static str,
    /// Counts under the base policy (absent for a new rule).
    pub(crate) before: Option<Side>,
    /// Counts under the changed policy (absent for a removed rule).
    pub(crate) after: Option<Side>,
    /// Findings only the changed policy has.
    pub(crate) added: u64,
    /// Findings only the base policy has.
    pub(crate) removed: u64,
    /// Findings on both sides that read differently.
    pub(crate) changed: u64,
}

/// Totals of a diff.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DiffSummary {
    /// As-of (RFC 3339, the changed policy's zone).
    pub(crate) as_of: String,
    /// The base policy.
    pub(crate) base: PolicyInfo,
    /// The changed policy.
    pub(crate) policy: PolicyInfo,
    /// Cases checked.
    pub(crate) cases: u64,
    /// Findings added.
    pub(crate) added: u64,
    /// Of those, violations (what `--fail-on-new` looks at).
    pub(crate) added_violations: u64,
    /// Findings removed.
    pub(crate) removed: u64,
    /// Findings changed.
    pub(crate) changed: u64,
    /// Findings the same on both sides.
    pub(crate) unchanged: u64,
    /// Data errors in the export (the same for both policies).
    pub(crate) data_errors: u64,
    /// Per rule: the changed policy's rules in order, then rules it removed.
    pub(crate) rules: Vec<RuleDiff>,
    /// The files read (once, for both policies).
    pub(crate) files: Vec<FileAccount>,
}

/// The whole diff, in the order `--format json` writes it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Diff {
    /// Findings only the changed policy has.
    pub(crate) added: Vec<JsonFinding>,
    /// Findings only the base policy has.
    pub(crate) removed: Vec<JsonFinding>,
    /// Findings on both sides that read differently.
    pub(crate) changed: Vec<Changed>,
    /// Totals.
    pub(crate) summary: DiffSummary,
}

type Identity = (String, String, &'static str, Option<u64>);

fn identity((mark, f): &Marked) -> Identity {
    (f.rule.clone(), f.key.clone(), f.status, *mark)
}

fn differs(a: &JsonFinding, b: &JsonFinding) -> bool {
    a.message != b.message || a.severity != b.severity || a.deadline != b.deadline
}

/// One side of the comparison.
pub(crate) struct SideInput<'a> {
    /// Its findings, sorted as `check` sorts them.
    pub(crate) findings: Vec<Marked>,
    /// Its rule ids and counts, in policy order.
    pub(crate) rules: Vec<(&'a str, &'a RuleStats)>,
    /// The policy block.
    pub(crate) info: PolicyInfo,
}

/// Compares the findings of the base policy with the changed policy's.
pub(crate) fn compare(
    before: SideInput,
    after: SideInput,
    as_of: String,
    cases: u64,
    data_errors: u64,
    files: Vec<FileAccount>,
) -> Diff {
    let mut base: HashMap<Identity, (usize, JsonFinding)> = HashMap::new();
    for (i, m) in before.findings.into_iter().enumerate() {
        base.insert(identity(&m), (i, m.1));
    }
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged = 0u64;
    for m in after.findings {
        match base.remove(&identity(&m)) {
            Some((_, old)) => {
                if differs(&old, &m.1) {
                    changed.push(Changed {
                        before: old,
                        after: m.1,
                    });
                } else {
                    unchanged += 1;
                }
            }
            None => added.push(m.1),
        }
    }
    let mut removed: Vec<(usize, JsonFinding)> = base.into_values().collect();
    removed.sort_by_key(|(i, _)| *i);
    let removed: Vec<JsonFinding> = removed.into_iter().map(|(_, f)| f).collect();
    let count =
        |list: &[JsonFinding], id: &str| list.iter().filter(|f| f.rule == id).count() as u64;
    let changed_of = |id: &str| changed.iter().filter(|c| c.after.rule == id).count() as u64;
    let mut rules: Vec<RuleDiff> = after
        .rules
        .iter()
        .map(|(id, stats)| {
            let old = before.rules.iter().find(|(b, _)| b == id);
            RuleDiff {
                rule: id.to_string(),
                change: if old.is_some() { "kept" } else { "new" },
                before: old.map(|(_, s)| Side::from(*s)),
                after: Some(Side::from(*stats)),
                added: count(&added, id),
                removed: count(&removed, id),
                changed: changed_of(id),
            }
        })
        .collect();
    for (id, stats) in &before.rules {
        if !after.rules.iter().any(|(a, _)| a == id) {
            rules.push(RuleDiff {
                rule: id.to_string(),
                change: "removed",
                before: Some(Side::from(*stats)),
                after: None,
                added: 0,
                removed: count(&removed, id),
                changed: 0,
            });
        }
    }
    let summary = DiffSummary {
        as_of,
        base: before.info,
        policy: after.info,
        cases,
        added: added.len() as u64,
        added_violations: added.iter().filter(|f| f.status == "violated").count() as u64,
        removed: removed.len() as u64,
        changed: changed.len() as u64,
        unchanged,
        data_errors,
        rules,
        files,
    };
    Diff {
        added,
        removed,
        changed,
        summary,
    }
}

fn side_cell(s: &Option<Side>) -> String {
    s.as_ref()
        .map_or("—".to_string(), |s| s.violated.to_string())
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line verdict.
pub(crate) fn headline(d: &Diff) -> String {
    let s = &d.summary;
    format!(
        "{} checked: {} added ({} {}), {} removed, {} changed",
        plural(s.cases, "case", "cases"),
        plural(s.added, "finding", "findings"),
        s.added_violations,
        if s.added_violations == 1 {
            "violation"
        } else {
            "violations"
        },
        s.removed,
        s.changed
    )
}

/// `--format human`.
pub(crate) fn human(d: &Diff) -> String {
    let s = &d.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "diff · base {} (policy \"{}\"{}) → {} (policy \"{}\"{}) · as of {}\n",
        s.base.path,
        s.base.name,
        s.base
            .version
            .as_ref()
            .map_or(String::new(), |v| format!(" {v}")),
        s.policy.path,
        s.policy.name,
        s.policy
            .version
            .as_ref()
            .map_or(String::new(), |v| format!(" {v}")),
        s.as_of
    );
    for f in &d.added {
        let _ = writeln!(out, "+ {} {} [{}]: {}", f.rule, f.key, f.status, f.message);
    }
    for f in &d.removed {
        let _ = writeln!(out, "- {} {} [{}]: {}", f.rule, f.key, f.status, f.message);
    }
    for c in &d.changed {
        let _ = writeln!(
            out,
            "~ {} {} [{}]: {}\n    was: {}",
            c.after.rule, c.after.key, c.after.status, c.after.message, c.before.message
        );
    }
    if !(d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty()) {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{:<28} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "rule", "before", "after", "added", "removed", "changed"
    );
    for r in &s.rules {
        let name = match r.change {
            "new" => format!("{} (new)", r.rule),
            "removed" => format!("{} (removed)", r.rule),
            _ => r.rule.clone(),
        };
        let _ = writeln!(
            out,
            "{:<28} {:>8} {:>8} {:>8} {:>8} {:>8}",
            name,
            side_cell(&r.before),
            side_cell(&r.after),
            r.added,
            r.removed,
            r.changed
        );
    }
    let _ = writeln!(out, "\n{}", headline(d));
    out
}

/// A pull-request comment's size at most (GitHub takes 65,536 characters;
/// counted here in bytes, so never more characters).
pub(crate) const COMMENT_LIMIT: usize = 65_536;

/// Findings listed per section of the Markdown report at most; the rest
/// are counted.
const MD_LISTED: usize = 100;

/// Characters of a message cell at most.
const MD_CELL: usize = 300;

/// One collapsible section (added, removed, changed) of the comment: as
/// many rows as its share of the budget holds, then how many more and the
/// command that lists them all.
fn md_section(
    out: &mut String,
    budget: &mut Budget,
    parts: usize,
    (title, total): (&str, usize),
    rows: impl Iterator<Item = String>,
    full: &str,
) {
    if total == 0 {
        return;
    }
    let open = format!(
        "\n<details><summary>{title} ({total})</summary>\n\n| rule | case | status | message |\n|---|---|---|---|\n"
    );
    let close = "\n</details>\n";
    let more = |n: usize| format!("\n… and {n} more; all of them: {}\n", markdown::code(full));
    // The opening, the closing and the "more" line are reserved up front.
    let mut share = budget.share(parts);
    if !share.take(open.len() + close.len() + more(total).len()) {
        budget.give(share);
        return;
    }
    out.push_str(&open);
    let mut listed = 0;
    for row in rows.take(MD_LISTED) {
        if !share.take(row.len()) {
            break;
        }
        out.push_str(&row);
        listed += 1;
    }
    if listed < total {
        out.push_str(&more(total - listed));
    } else {
        share.give(Budget::new(more(total).len(), 0));
    }
    out.push_str(close);
    budget.give(share);
}

/// A table row of the comment.
fn md_row(rule: &str, key: &str, status: &str, message: &str) -> String {
    format!(
        "| {} | {} | {} | {} |\n",
        markdown::code(rule),
        markdown::cell(key, MD_CELL),
        status,
        markdown::cell(message, MD_CELL)
    )
}

/// `--format markdown`: a pull-request comment, always within GitHub's
/// 65,536 characters; counts are exact, listings trimmed with how many
/// more and `full`, the command that lists them all.
pub(crate) fn markdown(d: &Diff, full: &str) -> String {
    let s = &d.summary;
    let mut out = String::new();
    let verdict = if s.added_violations > 0 {
        format!(
            "{} new",
            plural(s.added_violations, "violation", "violations")
        )
    } else if s.added + s.removed + s.changed == 0 {
        "no change in findings".to_string()
    } else {
        "no new violations".to_string()
    };
    let _ = writeln!(out, "### docket diff: {verdict}\n");
    let _ = writeln!(
        out,
        "{} against base {}, as of {}: {}.\n",
        markdown::code(&s.policy.path),
        markdown::code(&s.base.path),
        s.as_of,
        headline(d)
    );
    let mut budget = Budget::new(COMMENT_LIMIT, out.len());
    md_rules(&mut out, &mut budget, d, full);
    // Each section gets an equal share of what the ones before left.
    let counts = [d.added.len(), d.removed.len(), d.changed.len()];
    let parts = |i: usize| counts[i..].iter().filter(|n| **n > 0).count();
    let row = |f: &JsonFinding| md_row(&f.rule, &f.key, f.status, &f.message);
    md_section(
        &mut out,
        &mut budget,
        parts(0),
        ("Added", d.added.len()),
        d.added.iter().map(row),
        full,
    );
    md_section(
        &mut out,
        &mut budget,
        parts(1),
        ("Removed", d.removed.len()),
        d.removed.iter().map(row),
        full,
    );
    md_section(
        &mut out,
        &mut budget,
        parts(2),
        ("Changed", d.changed.len()),
        d.changed.iter().map(|c| {
            md_row(
                &c.after.rule,
                &c.after.key,
                c.after.status,
                &format!("{} (was: {})", c.after.message, c.before.message),
            )
        }),
        full,
    );
    out
}

/// The per-rule count table, in at most half the comment (a policy of
/// thousands of rules lists the first and counts the rest).
fn md_rules(out: &mut String, budget: &mut Budget, d: &Diff, full: &str) {
    let header =
        "| rule | before | after | added | removed | changed |\n|---|---:|---:|---:|---:|---:|\n";
    let rules = &d.summary.rules;
    let more = |n: usize| {
        format!(
            "\n… and {n} more rules; all of them: {}\n",
            markdown::code(full)
        )
    };
    let mut half = budget.share(2);
    if !half.take(header.len() + more(rules.len()).len()) {
        budget.give(half);
        return;
    }
    out.push_str(header);
    let mut listed = 0;
    for r in rules {
        let name = match r.change {
            "new" => format!("{} (new)", markdown::code(&r.rule)),
            "removed" => format!("{} (removed)", markdown::code(&r.rule)),
            _ => markdown::code(&r.rule),
        };
        let line = format!(
            "| {name} | {} | {} | {} | {} | {} |\n",
            side_cell(&r.before),
            side_cell(&r.after),
            r.added,
            r.removed,
            r.changed
        );
        if !half.take(line.len()) {
            break;
        }
        out.push_str(&line);
        listed += 1;
    }
    if listed < rules.len() {
        out.push_str(&more(rules.len() - listed));
    }
    budget.give(half);
}
