//! `docket case NUMBER`: one case's checklist for a customer-success manager.
//!
//! Only what the case needs is loaded: a raw scan finds the case, its
//! account, opportunities and events, and the typed load skips the rest.

use clap::ValueEnum;

use super::check::Out;
use super::{Ctx, Exit, Failure, Outcome, setup};
use crate::data::select;
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, suggest};
use crate::eval::{Evaluator, Status};
use crate::report::case_view::{CaseView, ViewStyle};
use crate::semantics::{Policy, Severity, TableId};

/// Output formats of `case`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum CaseFormat {
    /// A checklist.
    #[default]
    Human,
    /// `{"case", "as_of", "rules": [{"rule", "status", "message",
    /// "deadline"?, "findings": [{"status", "message", "deadline"?,
    /// "mark"?, "data_errors"?}]}], "data_errors", "data_warnings"}`.
    Json,
    /// One self-contained HTML page per case.
    Html,
}

/// Flags of `case`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The case numbers (keys of the table the rules are about).
    #[arg(required = true, num_args = 1..)]
    pub(crate) numbers: Vec<String>,
    /// Policy, data and as-of.
    #[command(flatten)]
    pub(crate) run: setup::RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: CaseFormat,
    /// The waivers register: findings it covers are `waived`.
    #[arg(long, value_name = "FILE")]
    pub(crate) waivers: Option<std::path::PathBuf>,
    /// Which cases and rules to show.
    #[command(flatten)]
    pub(crate) view: super::view::ViewArgs,
    /// The order of the rules: the process order the policy declares
    /// (`case`, `rule`), or those with a deadline first, soonest first
    /// (`deadline`).
    #[arg(long, value_enum, default_value_t)]
    pub(crate) sort: super::view::Sort,
    /// Also list the rules that do not apply to the case, each with the
    /// reason (human format).
    #[arg(long)]
    pub(crate) all: bool,
}

/// Runs `case`.
pub(crate) fn run(ctx: &Ctx, a: Args) -> Outcome {
    let (policy, sources) = setup::policy(ctx, &a.run.policy)?;
    let (policy, sources, filter) =
        super::view::with_filter(ctx, policy, sources, a.view.filter.as_deref())?;
    let now = setup::as_of(ctx, a.run.as_of.as_deref(), &policy)?;
    let mut data_sources = setup::sources(a.run.data.clone(), &a.run.read)?;
    let Some(table) = super::view::subject(&policy) else {
        return Err(Failure::from(Diagnostic::error(
            Code::CliUnknownCase,
            "the policy has no rules",
        )));
    };
    let numbers: Vec<String> = a.numbers.iter().map(|n| n.trim().to_string()).collect();
    let keep = select::around(&policy.schema(), &data_sources, table, &numbers)
        .map_err(|d| Failure::new(d, sources.clone()))?;
    data_sources.keep = Some(keep);
    let (data, waivers) = setup::data_and_waivers(
        &policy,
        &sources,
        &data_sources,
        (a.waivers.as_deref(), now),
        true,
    )?;
    let mut rows = Vec::new();
    for number in &numbers {
        match data.table(table).and_then(|t| t.row_of(number)) {
            Some(row) => rows.push((number.as_str(), crate::data::row_id(row))),
            None => return Err(unknown(&policy, &data_sources, table, number)),
        }
    }
    let selected = super::view::selected(&policy, &[], filter)?;
    let ev = Evaluator::new(&policy, &data, now, &selected)
        .with_sources(&sources)
        .with_waivers(waivers.as_ref())
        .with_filter(filter)
        .explaining();
    let rc = crate::report::Context::new(&policy, &sources, &data, now);
    let color = ctx.stdout_color();
    let style = ViewStyle {
        color,
        width: super::stdout_width(),
        all: a.all,
    };
    let mut docs = Vec::new();
    let mut pages = Vec::new();
    let mut violated = false;
    for (number, row) in rows {
        if !ev.passes_filter(table, row) {
            continue;
        }
        let mut results = ev.evaluate_listed(table, row);
        in_process_order(&policy, &mut results);
        violated |= results.iter().any(|r| {
            r.status == Status::Violated
                && policy
                    .rules
                    .get(r.rule)
                    .is_some_and(|x| x.severity == Severity::Error)
        });
        results.retain(|r| a.view.shows_status(r.status));
        if a.sort == super::view::Sort::Deadline {
            // Stable: rules without a deadline keep the policy's order.
            results.sort_by_key(|r| {
                let due = r.findings.iter().filter_map(|f| f.deadline).min();
                (due.is_none(), due)
            });
        }
        let fields = ev.row_fields(table, row);
        let view = CaseView {
            number,
            fields: &fields,
            results: &results,
        };
        docs.push(match a.format {
            CaseFormat::Json => crate::report::case::json(&rc, &view),
            CaseFormat::Human => crate::report::case_view::human(&rc, &view, style),
            CaseFormat::Html => {
                pages.push((number.to_string(), results));
                continue;
            }
        });
    }
    let text = match (a.format, docs.len()) {
        (CaseFormat::Json, 1) => docs.concat(),
        (CaseFormat::Json, _) => format!("[\n{}]\n", docs.join(",\n")),
        (CaseFormat::Human, 0) => "no case matches --where\n".to_string(),
        (CaseFormat::Human, _) => docs.join("\n"),
        (CaseFormat::Html, _) => crate::report::html::case_page(&rc, &pages),
    };
    let mut out = Out::open(None)?;
    out.write(&text);
    out.finish()?;
    Ok(if violated { Exit::Findings } else { Exit::Ok })
}

/// Results in the policy's process order (`order`; default: file order).
fn in_process_order(policy: &Policy, results: &mut [crate::eval::RuleResult]) {
    let mut rank = vec![usize::MAX; policy.rules.len()];
    for (place, &rule) in policy.order.iter().enumerate() {
        if let Some(r) = rank.get_mut(rule) {
            *r = place;
        }
    }
    results.sort_by_key(|r| rank.get(r.rule).copied().unwrap_or(usize::MAX));
}

/// An unknown case number: the closest existing ones.
fn unknown(policy: &Policy, s: &crate::data::Sources, table: TableId, number: &str) -> Failure {
    let keys = select::keys(&policy.schema(), s, table);
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
    Failure::from(
        Diagnostic::error(
            Code::CliUnknownCase,
            format!("no case `{number}` in {file}"),
        )
        .with_help(help),
    )
}
