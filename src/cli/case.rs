//! `docket case NUMBER`: one case's checklist for a customer-success manager.
//!
//! Only what the case needs is loaded: a raw scan finds the case, its
//! account, opportunities and events, and the typed load skips the rest.

use std::fmt::Write as _;

use clap::ValueEnum;
use serde::Serialize;

use super::check::Out;
use super::{Ctx, Exit, setup};
use crate::data::select;
use crate::diagnostic::{Diagnostic, suggest};
use crate::eval::{Evaluator, RuleResult, Status};
use crate::semantics::{Policy, Severity, TableId};
use crate::time::Instant;

/// Output formats of `case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A checklist.
    #[default]
    Human,
    /// `{"case", "as_of", "rules": [{"rule", "status", "message",
    /// "deadline"?, "findings": [{"status", "message", "deadline"?,
    /// "mark"?, "data_errors"?}]}], "data_errors", "data_warnings"}`.
    Json,
}

/// Flags of `case`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The case number (the key of the table the rules are about).
    pub number: String,
    /// Policy, data and as-of.
    #[command(flatten)]
    pub run: setup::RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Serialize)]
struct JsonRule {
    rule: String,
    status: &'static str,
    /// Why it passes or does not apply, or its first finding's message.
    message: String,
    /// For a rule that is due: its first due item's deadline (that item's
    /// message is `message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
    /// Every violation and due item, each with its own message and deadline.
    findings: Vec<JsonCaseFinding>,
}

#[derive(Serialize)]
struct JsonCaseFinding {
    status: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    deadline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mark: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data_errors: Vec<crate::report::RowRef>,
}

#[derive(Serialize)]
struct JsonCase {
    case: String,
    as_of: String,
    rules: Vec<JsonRule>,
    data_errors: Vec<crate::report::JsonDataError>,
    data_warnings: Vec<crate::report::JsonDataError>,
}

/// The table most rules are about.
fn subject(policy: &Policy) -> Option<TableId> {
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

/// Every result of the case, a ladder's missed marks all listed.
fn complete(ev: &Evaluator, table: TableId, row: u32) -> Vec<RuleResult> {
    let mut results = ev.evaluate(table, row);
    for r in &mut results {
        while let Some(m) = r.more.take() {
            let next = ev.more_marks(table, row, r.rule, m.next, crate::eval::MARK_BATCH);
            // The further violations go after those listed, before the due items.
            let at = r
                .findings
                .iter()
                .position(|f| f.status != Status::Violated)
                .unwrap_or(r.findings.len());
            r.findings.splice(at..at, next.findings);
            r.more = next.more;
        }
    }
    results
}

/// Runs `case`.
pub fn run(ctx: &Ctx, a: Args) -> Exit {
    match run_inner(ctx, a) {
        Ok(e) | Err(e) => e,
    }
}

fn run_inner(ctx: &Ctx, a: Args) -> Result<Exit, Exit> {
    let (policy, sources) = setup::policy(ctx, &a.run.policy)?;
    let now = setup::as_of(ctx, a.run.as_of.as_deref(), &policy)?;
    let mut data_sources = setup::sources(ctx, a.run.data.clone(), &a.run.tables)?;
    let Some(table) = subject(&policy) else {
        return Err(setup::fail(
            ctx,
            Diagnostic::error("docket::cli::unknown-case", "the policy has no rules"),
        ));
    };
    let filter =
        select::around(&policy.schema(), &data_sources, table, &a.number).map_err(|d| {
            ctx.report(&d, &sources);
            Exit::Failure
        })?;
    data_sources.keep = Some(filter);
    let data = setup::data(ctx, &policy, &sources, &data_sources)?;
    let number = a.number.trim();
    let Some(row) = data.table(table).and_then(|t| t.row_of(number)) else {
        return Err(unknown(ctx, &policy, &data_sources, table, number));
    };
    let row = u32::try_from(row).unwrap_or(u32::MAX);
    let ev = Evaluator::new(&policy, &data, now, &[])
        .with_sources(&sources)
        .explaining();
    let results = complete(&ev, table, row);
    let tz = policy.timezone;
    let mut out = Out::open(ctx, None)?;
    let rc = crate::report::Context {
        policy: &policy,
        sources: &sources,
        policy_path: "",
        data: &data,
        now,
    };
    match a.format {
        Format::Json => {
            let doc = JsonCase {
                case: number.to_string(),
                as_of: Instant(now).rfc3339(tz),
                rules: results
                    .iter()
                    .map(|r| {
                        let due = first_due(r);
                        JsonRule {
                            rule: policy
                                .rules
                                .get(r.rule)
                                .map_or(String::new(), |x| x.id.clone()),
                            status: r.status.as_str(),
                            message: due.map_or_else(|| r.reason.clone(), |f| f.message.clone()),
                            deadline: due.and_then(|f| f.deadline).map(|d| Instant(d).rfc3339(tz)),
                            findings: r
                                .findings
                                .iter()
                                .map(|f| JsonCaseFinding {
                                    status: f.status.as_str(),
                                    message: f.message.clone(),
                                    deadline: f.deadline.map(|d| Instant(d).rfc3339(tz)),
                                    mark: f.mark,
                                    data_errors: crate::report::rows_with_errors(&rc, f),
                                })
                                .collect(),
                        }
                    })
                    .collect(),
                data_errors: crate::report::data_errors(&data.errors),
                data_warnings: crate::report::data_errors(&data.warnings),
            };
            out.write(
                &serde_json::to_string_pretty(&doc)
                    .map(|s| s + "\n")
                    .unwrap_or_default(),
            );
        }
        Format::Human => {
            let mut s = String::new();
            let table_name = policy.tables.get(table).map_or("case", |t| t.name.as_str());
            let _ = writeln!(
                s,
                "{table_name} {number} · policy \"{}\" · as of {}\n",
                policy.name,
                Instant(now).display_long(tz)
            );
            let w = results
                .iter()
                .filter_map(|r| policy.rules.get(r.rule))
                .map(|r| r.id.len())
                .max()
                .unwrap_or(4);
            let color = ctx.stdout_color();
            let paint = |code: &str, text: &str| {
                if color {
                    format!("\x1b[{code}m{text}\x1b[0m")
                } else {
                    text.to_string()
                }
            };
            for r in &results {
                let Some(rule) = policy.rules.get(r.rule) else {
                    continue;
                };
                let (mark, code) = match r.status {
                    Status::Pass => ("✓", "32"),
                    Status::Violated if rule.severity == Severity::Warning => ("!", "33"),
                    Status::Violated => ("✗", "31"),
                    Status::Due => ("…", "36"),
                    Status::NotApplicable => ("-", "2"),
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
                // Each finding with its own deadline (the first is the
                // reason above).
                for (n, f) in r.findings.iter().enumerate() {
                    if n > 0 {
                        let _ =
                            writeln!(s, "    {:w$}  {:14}  {}", "", f.status.as_str(), f.message);
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
            let count = |st: Status| results.iter().filter(|r| r.status == st).count();
            let items = |st: Status| {
                results
                    .iter()
                    .flat_map(|r| &r.findings)
                    .filter(|f| f.status == st)
                    .count()
            };
            let _ = writeln!(
                s,
                "\n{} pass, {} violated ({} violation{}), {} item{} due, {} not applicable",
                count(Status::Pass),
                count(Status::Violated),
                items(Status::Violated),
                if items(Status::Violated) == 1 {
                    ""
                } else {
                    "s"
                },
                items(Status::Due),
                if items(Status::Due) == 1 { "" } else { "s" },
                count(Status::NotApplicable)
            );
            for (what, list) in [
                ("data errors", &data.errors),
                ("data warnings", &data.warnings),
            ] {
                if !list.is_empty() {
                    let _ = writeln!(s, "\n{what} in the rows read for this case:");
                    for e in list.iter() {
                        let _ = writeln!(s, "  {}", e.one_line());
                    }
                }
            }
            out.write(&s);
        }
    }
    out.finish(ctx)?;
    let violated = results.iter().any(|r| {
        r.status == Status::Violated
            && policy
                .rules
                .get(r.rule)
                .is_some_and(|x| x.severity == Severity::Error)
    });
    Ok(if violated { Exit::Findings } else { Exit::Ok })
}

/// An unknown case number: the closest existing ones.
fn unknown(
    ctx: &Ctx,
    policy: &Policy,
    s: &crate::data::Sources,
    table: TableId,
    number: &str,
) -> Exit {
    let mut keys: Vec<String> = Vec::new();
    let mut all = s.clone();
    all.keep = None;
    let schema = policy.schema();
    if let (Ok(opened), Some(key)) = (
        crate::data::Loader::new(&schema).sources(all).open(),
        policy.tables.get(table).and_then(|t| t.key),
    ) && let Some(o) = opened.iter().find(|o| o.table() == table)
        && let Some(field) = o.field(key)
        && let Ok(input) = o.input().open_at(0)
    {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let mut rec = csv::ByteRecord::new();
        while let Ok(true) = rdr.read_byte_record(&mut rec) {
            if let Some(k) = rec.get(field).and_then(|b| std::str::from_utf8(b).ok()) {
                keys.push(k.trim().to_string());
            }
        }
    }
    let close = suggest(number, keys.iter().map(String::as_str));
    let help = if close.is_empty() {
        "check the number against the export".to_string()
    } else {
        format!(
            "the closest case numbers are {}",
            close
                .iter()
                .take(3)
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let file = policy.tables.get(table).map_or("", |t| t.file.as_str());
    setup::fail(
        ctx,
        Diagnostic::error(
            "docket::cli::unknown-case",
            format!("no case `{number}` in {file}"),
        )
        .with_help(help),
    )
}
