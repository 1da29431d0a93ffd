//! `check --format sarif`, written as it is serialised: the run's envelope
//! (tool, rules, properties, notes) is built whole, its results one at a
//! time, so the report never holds more than one result's structures.

use std::collections::BTreeMap;

use serde_sarif::sarif;

use super::ci::{data_rule, data_text, driver, finding_result, line_region, location, log_with};
use super::{Context, DataIssues, JsonDataError};
use crate::eval::Finding;

/// One result to write: a finding, or a data error or warning.
enum Entry<'d> {
    Finding(Finding),
    Issue(&'d JsonDataError, bool),
}

/// The SARIF rules: the selected policy rules, then a rule per data-error
/// code, with each id's index.
fn descriptors(
    ctx: &Context,
    selected: &[usize],
    data: &DataIssues,
) -> (Vec<sarif::ReportingDescriptor>, BTreeMap<String, i64>) {
    let mut rules = Vec::new();
    let mut index: BTreeMap<String, i64> = BTreeMap::new();
    for (i, r) in ctx.policy.rules.iter().enumerate() {
        if selected.is_empty() || selected.contains(&i) {
            index.insert(r.id.clone(), rules.len() as i64);
            rules.push(super::ci::rule_descriptor(r));
        }
    }
    for (e, warning) in issues(data) {
        let code = e.code.as_str();
        if !index.contains_key(code) {
            index.insert(code.to_string(), rules.len() as i64);
            rules.push(data_rule(code, warning));
        }
    }
    (rules, index)
}

fn issues(data: &DataIssues) -> impl Iterator<Item = (&JsonDataError, bool)> {
    data.errors
        .iter()
        .map(|e| (e, false))
        .chain(data.warnings.iter().map(|e| (e, true)))
}

/// `check --format sarif`: one result per finding, located at the case's
/// row in its data file, with the rule's place in the policy and the other
/// rows involved as related locations; data errors as results too. The
/// findings come chosen already (the first `max_results` by rank: errors,
/// then warnings, then due items and waived findings; within a rank, rule
/// then case order); data errors rank after errors, data warnings after
/// warnings.
pub(crate) fn write_check_sarif(
    (ctx, selected, data, max_results): (&Context, &[usize], &DataIssues, usize),
    kept: Vec<((u8, usize), Finding)>,
    seen: u64,
    write: &mut dyn FnMut(&str),
) {
    let (rules, index) = descriptors(ctx, selected, data);
    let rank_of = |id: &str| index.get(id).copied().unwrap_or(i64::MAX);
    let mut ranked: Vec<((u8, i64), Entry)> = Vec::with_capacity(kept.len());
    for ((rank, _), f) in kept {
        let at = rank_of(ctx.rule_id(&f));
        ranked.push(((rank, at), Entry::Finding(f)));
    }
    for (e, warning) in issues(data) {
        let rank = if warning { 3 } else { 1 };
        ranked.push(((rank, rank_of(e.code.as_str())), Entry::Issue(e, warning)));
    }
    let total = usize::try_from(seen)
        .unwrap_or(usize::MAX)
        .saturating_add(data.errors.len() + data.warnings.len());
    if total > max_results {
        // Stable: within a rule, the case order stays.
        ranked.sort_by_key(|(rank, _)| *rank);
        ranked.truncate(max_results);
    }
    let log = envelope(ctx, rules, total, ranked.len());
    let text = serde_json::to_string_pretty(&log).unwrap_or_default();
    let results = ranked.into_iter().map(|(_, e)| result(ctx, &index, e));
    splice_results(&text, results, write);
    write("\n");
}

/// A result, written out.
fn result(ctx: &Context, index: &BTreeMap<String, i64>, e: Entry) -> sarif::Result {
    match e {
        Entry::Finding(f) => {
            let f = super::finding(ctx, &f);
            let mut res = finding_result(&f);
            res.rule_index = index.get(&f.rule).copied();
            res
        }
        Entry::Issue(e, warning) => {
            let code = e.code.as_str();
            let mut res = sarif::Result::builder()
                .rule_id(code)
                .level(if warning {
                    sarif::ResultLevel::Note
                } else {
                    sarif::ResultLevel::Error
                })
                .message(sarif::Message::builder().text(data_text(e)).build())
                .locations(vec![location(&e.file, line_region(e.line), None)])
                .build();
            res.rule_index = index.get(code).copied();
            res
        }
    }
}

/// The log without its results: tool and rules, the files read, how many
/// results there are and how many are listed, and a note when some are
/// left out.
fn envelope(
    ctx: &Context,
    rules: Vec<sarif::ReportingDescriptor>,
    total: usize,
    listed: usize,
) -> sarif::Sarif {
    // How each file was read, and its rows: the run's property `files`.
    let files = serde_json::to_value(&ctx.data.accounts).unwrap_or_default();
    let bag = sarif::PropertyBag::builder()
        .additional_properties(BTreeMap::from([
            ("files".to_string(), files),
            ("results_total".to_string(), serde_json::json!(total)),
            ("results_listed".to_string(), serde_json::json!(listed)),
        ]))
        .build();
    let mut log = log_with(driver(rules), Vec::new(), Some(bag));
    if listed < total {
        let note = sarif::Notification::builder()
            .level(serde_json::json!("warning"))
            .message(
                sarif::Message::builder()
                    .text(format!(
                        "{listed} of {total} results are listed (errors first, then warnings, then due items): code scanning accepts at most 25,000 per run; every finding is in `docket check --format json` or `--format csv`, or raise `--max-results`"
                    ))
                    .build(),
            )
            .build();
        let invocation = sarif::Invocation::builder()
            .execution_successful(true)
            .tool_execution_notifications(vec![note])
            .build();
        if let Some(run) = log.runs.first_mut() {
            run.invocations = Some(vec![invocation]);
        }
    }
    log
}

/// The key the empty results array is written under. In JSON text an
/// unescaped quote only delimits a string, so this is the key itself.
const RESULTS: &str = "\"results\": []";

/// Writes the pretty-printed log with `results` in place of its empty
/// results array, each indented as serde_json would indent it there.
fn splice_results(
    text: &str,
    results: impl Iterator<Item = sarif::Result>,
    write: &mut dyn FnMut(&str),
) {
    let Some(at) = text.find(RESULTS) else {
        return write(text);
    };
    let line_start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |n| n + 1);
    let indent = " ".repeat(at - line_start);
    // `head` ends with `"results": [`, `tail` starts at its `]`.
    let (head, tail) = text.split_at(at + RESULTS.len() - 1);
    write(head);
    let mut first = true;
    let mut one = String::new();
    for r in results {
        one.clear();
        one.push_str(if first { "\n" } else { ",\n" });
        first = false;
        let json = serde_json::to_string_pretty(&r).unwrap_or_else(|_| "{}".to_string());
        for (n, line) in json.lines().enumerate() {
            if n > 0 {
                one.push('\n');
            }
            one.push_str(&indent);
            one.push_str("  ");
            one.push_str(line);
        }
        write(&one);
    }
    if !first {
        write("\n");
        write(&indent);
    }
    write(tail);
}
