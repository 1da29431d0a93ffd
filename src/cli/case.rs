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
}

/// Flags of `case`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The case number (the key of the table the rules are about).
    pub(crate) number: String,
    /// Policy, data and as-of.
    #[command(flatten)]
    pub(crate) run: setup::RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: CaseFormat,
    /// The waivers register: findings it covers are `waived`.
    #[arg(long, value_name = "FILE")]
    pub(crate) waivers: Option<std::path::PathBuf>,
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

/// Runs `case`.
pub(crate) fn run(ctx: &Ctx, a: Args) -> Outcome {
    let (policy, sources) = setup::policy(ctx, &a.run.policy)?;
    let now = setup::as_of(ctx, a.run.as_of.as_deref(), &policy)?;
    let mut data_sources = setup::sources(a.run.data.clone(), &a.run.read)?;
    let Some(table) = subject(&policy) else {
        return Err(Failure::from(Diagnostic::error(
            Code::CliUnknownCase,
            "the policy has no rules",
        )));
    };
    let filter = select::around(&policy.schema(), &data_sources, table, &a.number)
        .map_err(|d| Failure::new(d, sources.clone()))?;
    data_sources.keep = Some(filter);
    let mut data = setup::data(&policy, &sources, &data_sources)?;
    let waivers = setup::waivers(&policy, a.waivers.as_deref(), now, &mut data)?;
    let number = a.number.trim();
    let Some(row) = data.table(table).and_then(|t| t.row_of(number)) else {
        return Err(unknown(&policy, &data_sources, table, number));
    };
    let row = crate::data::row_id(row);
    let ev = Evaluator::new(&policy, &data, now, &[])
        .with_sources(&sources)
        .with_waivers(waivers.as_ref())
        .explaining();
    let results = ev.evaluate_listed(table, row);
    let mut out = Out::open(None)?;
    let rc = crate::report::Context {
        policy: &policy,
        sources: &sources,
        policy_path: "",
        data: &data,
        now,
        baseline: None,
    };
    let out_text = match a.format {
        CaseFormat::Json => crate::report::case::json(&rc, number, &results),
        CaseFormat::Human => {
            crate::report::case::human(&rc, table, number, &results, ctx.stdout_color())
        }
    };
    out.write(&out_text);
    out.finish()?;
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
fn unknown(policy: &Policy, s: &crate::data::Sources, table: TableId, number: &str) -> Failure {
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
    Failure::from(
        Diagnostic::error(
            Code::CliUnknownCase,
            format!("no case `{number}` in {file}"),
        )
        .with_help(help),
    )
}
