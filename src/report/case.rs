//! The report of `docket case`: one case's checklist, as a
//! customer-success manager reads it (human) or a tool does (JSON).

use std::fmt::Write as _;

use serde::Serialize;

use super::{Context, JsonDataError, RowRef, data_errors, rows_with_errors};
use crate::eval::{Finding, RuleResult, Status};
use crate::semantics::{Severity, TableId};
use crate::time::Instant;

/// One rule's result for the case.
#[derive(Serialize)]
pub(crate) struct JsonCaseRule {
    /// Rule id.
    pub(crate) rule: String,
    /// `pass`, `violated`, `due` or `not-applicable`.
    pub(crate) status: &'static str,
    /// Why it passes or does not apply, or its first finding's message.
    pub(crate) message: String,
    /// For a rule that is due: its first due item's deadline (that item's
    /// message is `message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deadline: Option<String>,
    /// Every violation and due item, each with its own message and deadline.
    pub(crate) findings: Vec<JsonCaseFinding>,
}

/// One violation or due item of a rule.
#[derive(Serialize)]
pub(crate) struct JsonCaseFinding {
    /// `violated` or `due`.
    pub(crate) status: &'static str,
    /// What is wrong, with the values.
    pub(crate) message: String,
    /// For due items: RFC 3339 in the policy's zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deadline: Option<String>,
    /// For ladders: the mark number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mark: Option<u64>,
    /// Rows of the case with data errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) data_errors: Vec<RowRef>,
    /// The waiver that covers it (status `waived`), or that expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) waiver: Option<super::JsonWaiver>,
}

/// `case --format json`.
#[derive(Serialize)]
pub(crate) struct JsonCase {
    /// The case number.
    pub(crate) case: String,
    /// As-of, RFC 3339 in the policy's zone.
    pub(crate) as_of: String,
    /// Every selected rule, in policy order.
    pub(crate) rules: Vec<JsonCaseRule>,
    /// Data errors in the rows read for the case.
    pub(crate) data_errors: Vec<JsonDataError>,
    /// Data warnings in the rows read for the case.
    pub(crate) data_warnings: Vec<JsonDataError>,
}

/// A due rule's first due item: its deadline and message go together.
fn first_due(r: &RuleResult) -> Option<&crate::eval::Finding> {
    if r.status != Status::Due {
        return None;
    }
    r.findings
        .iter()
        .filter(|f| f.status == Status::Due && f.deadline.is_some())
        .min_by_key(|f| f.deadline)
}

/// `case --format json` of the case `number` in `table`, from its results.
pub(crate) fn json(ctx: &Context, number: &str, results: &[RuleResult]) -> String {
    let tz = ctx.policy.timezone;
    let finding = |f: &Finding| JsonCaseFinding {
        status: f.status.as_str(),
        message: f.message.clone(),
        deadline: f.deadline.map(|d| Instant(d).rfc3339(tz)),
        mark: f.mark,
        data_errors: rows_with_errors(ctx, f),
        waiver: f.waiver.as_deref().map(super::JsonWaiver::of_note),
    };
    let rule = |r: &RuleResult| {
        let due = first_due(r);
        JsonCaseRule {
            rule: ctx
                .policy
                .rules
                .get(r.rule)
                .map_or(String::new(), |x| x.id.clone()),
            status: r.status.as_str(),
            message: due.map_or_else(|| r.reason.clone(), |f| f.message.clone()),
            deadline: due.and_then(|f| f.deadline).map(|d| Instant(d).rfc3339(tz)),
            findings: r.findings.iter().map(finding).collect(),
        }
    };
    let doc = JsonCase {
        case: number.to_string(),
        as_of: Instant(ctx.now).rfc3339(tz),
        rules: results.iter().map(rule).collect(),
        data_errors: data_errors(&ctx.data.errors),
        data_warnings: data_errors(&ctx.data.warnings),
    };
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// `case` as a checklist: a line per rule with its mark and reason, each
/// finding with its deadline, the counts, the data errors of its rows.
pub(crate) fn human(
    ctx: &Context,
    table: TableId,
    number: &str,
    results: &[RuleResult],
    color: bool,
) -> String {
    let policy = ctx.policy;
    let mut s = String::new();
    let table_name = policy.tables.get(table).map_or("case", |t| t.name.as_str());
    let _ = writeln!(
        s,
        "{table_name} {number} · policy \"{}\" · as of {}\n",
        policy.name,
        Instant(ctx.now).display_long(policy.timezone)
    );
    let w = results
        .iter()
        .filter_map(|r| policy.rules.get(r.rule))
        .map(|r| r.id.len())
        .max()
        .unwrap_or(4);
    for r in results {
        rule_lines(ctx, r, w, color, &mut s);
    }
    counts(results, &mut s);
    for (what, list) in [
        ("data errors", &ctx.data.errors),
        ("data warnings", &ctx.data.warnings),
    ] {
        if !list.is_empty() {
            let _ = writeln!(s, "\n{what} in the rows read for this case:");
            for e in list.iter() {
                let _ = writeln!(s, "  {}", e.one_line());
            }
        }
    }
    s
}

/// One rule's lines: mark, id, status, reason; further findings and each
/// deadline below.
fn rule_lines(ctx: &Context, r: &RuleResult, w: usize, color: bool, s: &mut String) {
    let Some(rule) = ctx.policy.rules.get(r.rule) else {
        return;
    };
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let (mark, code) = match r.status {
        Status::Pass => ("✓", "32"),
        Status::Violated if rule.severity == Severity::Warning => ("!", "33"),
        Status::Violated => ("✗", "31"),
        Status::Due => ("…", "36"),
        Status::NotApplicable => ("-", "2"),
        Status::Waived => ("~", "35"),
    };
    let status = format!("{:14}", r.status.as_str());
    let _ = writeln!(
        s,
        "  {} {:w$}  {}  {}",
        paint(code, mark),
        rule.id,
        paint(code, &status),
        r.reason
    );
    // Each finding with its own deadline (the first is the reason above).
    let tz = ctx.policy.timezone;
    for (n, f) in r.findings.iter().enumerate() {
        if n > 0 {
            let _ = writeln!(s, "    {:w$}  {:14}  {}", "", f.status.as_str(), f.message);
        }
        if let Some(d) = f.deadline {
            let _ = writeln!(
                s,
                "    {:w$}  {:14}  deadline: {}",
                "",
                "",
                Instant(d).display_long(tz)
            );
        }
    }
}

/// "3 pass, 1 violated (3 violations), 1 item due, 14 not applicable".
fn counts(results: &[RuleResult], s: &mut String) {
    let count = |st: Status| results.iter().filter(|r| r.status == st).count();
    let items = |st: Status| {
        results
            .iter()
            .flat_map(|r| &r.findings)
            .filter(|f| f.status == st)
            .count()
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let _ = writeln!(
        s,
        "\n{} pass, {} violated ({} violation{}), {} item{} due, {} not applicable",
        count(Status::Pass),
        count(Status::Violated),
        items(Status::Violated),
        plural(items(Status::Violated)),
        items(Status::Due),
        plural(items(Status::Due)),
        count(Status::NotApplicable)
    );
}
