//! `--format human`: each rule's findings, the first one drawn like a
//! compiler error (the rule in the policy, the data rows that break it), the
//! rest one line each; then the per-rule table and the data errors.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::human_kept::{LINES_PER_RULE, LineGroup, RUN_GROUPED, RuleLines};
use super::{Context, Summary};
use crate::diagnostic::{Code, Diagnostic, RenderOptions, printable, render_as};
use crate::eval::{Finding, Status};
use crate::semantics::Severity;
use crate::source::{SourceMap, Span};
use crate::time::Instant;

/// Data rows drawn under the first finding of a rule.
const ROWS_DRAWN: usize = 3;
/// Data errors listed one by one.
const DATA_ERRORS_LISTED: usize = 50;

/// The given physical lines of data files, as the terminal shows them:
/// control characters escaped, long lines cut.
fn read_lines(
    data: &crate::data::Dataset,
    wanted: &BTreeMap<String, BTreeSet<u64>>,
) -> BTreeMap<(String, u64), String> {
    let mut out = data.source_lines(wanted);
    for text in out.values_mut() {
        let shown = crate::diagnostic::printable(text);
        *text = if shown.chars().count() > 400 {
            shown.chars().take(400).chain("…".chars()).collect()
        } else {
            shown.into_owned()
        };
    }
    out
}

fn row_label(ctx: &Context, f: &Finding, table: usize, row: u32, first: bool) -> String {
    let name = ctx
        .policy
        .tables
        .get(table)
        .map_or("row", |t| t.name.as_str());
    if first {
        format!("{name} {}", printable(&f.key))
    } else {
        match ctx.data.table(table).and_then(|t| t.key_of(row as usize)) {
            Some(k) => format!("{name} {}", printable(k)),
            None => format!("{name} row"),
        }
    }
}

/// Renders the report from each rule's listing (see [`super::human_kept`]).
pub(crate) fn render(
    ctx: &Context,
    by_rule: &BTreeMap<usize, RuleLines>,
    summary: &Summary,
    resolved: &[super::baseline::Gone],
    opts: RenderOptions,
) -> String {
    let mut out = head(ctx);
    let excerpts = read_lines(ctx.data, &wanted_lines(ctx, by_rule));
    for (&i, lines) in by_rule {
        let Some(rule) = ctx.policy.rules.get(i) else {
            continue;
        };
        if let Some(first) = lines.groups.first().and_then(|g| g.members.first()) {
            out.push_str(&draw_first(ctx, rule, first, lines, &excerpts, opts));
            if lines.total > 1 {
                list_lines(ctx, lines, &mut out);
            }
        }
        waived_lines(rule, lines, &mut out);
    }
    tables(summary, resolved, &mut out);
    if summary.unlisted > 0 {
        let _ = writeln!(
            out,
            "\n{} missed mark{} counted above but not listed (--max-marks); all of them with --format json, ndjson or csv and no --max-marks",
            summary.unlisted,
            plural(summary.unlisted)
        );
    }
    data_issues(ctx, &mut out);
    files(summary, &mut out);
    let _ = writeln!(out, "\n{}", totals(summary));
    out
}

/// The first line: the policy, where it is, and the as-of.
fn head(ctx: &Context) -> String {
    format!(
        "policy \"{}\"{} · {} · as of {} ({})\n\n",
        ctx.policy.name,
        ctx.policy
            .version
            .as_ref()
            .map_or(String::new(), |v| format!(" {v}")),
        ctx.policy_path,
        Instant(ctx.now).display_long(ctx.policy.timezone),
        ctx.as_of(),
    )
}

/// The data rows drawn under each rule's first finding, by file.
fn wanted_lines(
    ctx: &Context,
    by_rule: &BTreeMap<usize, RuleLines>,
) -> BTreeMap<String, BTreeSet<u64>> {
    let mut wanted: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for lines in by_rule.values() {
        if let Some(f) = lines.groups.first().and_then(|g| g.members.first()) {
            for &(t, r) in f.rows.iter().take(ROWS_DRAWN) {
                let (file, line) = ctx.place(t, r);
                wanted.entry(file).or_default().insert(line);
            }
        }
    }
    wanted
}

/// A rule's first finding drawn like a compiler error: the rule in the
/// policy, the data rows that break it, the counts and the source.
fn draw_first(
    ctx: &Context,
    rule: &crate::semantics::Rule,
    first: &Finding,
    lines: &RuleLines,
    excerpts: &BTreeMap<(String, u64), String>,
    opts: RenderOptions,
) -> String {
    let mut sources: SourceMap = ctx.sources.clone();
    let head = format!("{}: {}", printable(&first.key), first.message);
    let mut d = if first.status == Status::Due {
        Diagnostic::warning(
            Code::Finding,
            format!("{}: due: {}", printable(&first.key), first.message),
        )
    } else if rule.severity == Severity::Warning {
        Diagnostic::warning(Code::Finding, head)
    } else {
        Diagnostic::error(Code::Finding, head)
    };
    d = d.with_label(rule.id_span, rule.title.clone());
    for (n, &(t, r)) in first.rows.iter().take(ROWS_DRAWN).enumerate() {
        let (file, line) = ctx.place(t, r);
        if let Some(text) = excerpts.get(&(file.clone(), line)) {
            let len = text.len();
            let id = sources.add_excerpt(file, text.clone(), usize::try_from(line).unwrap_or(1));
            d = d.with_label(Span::new(id, 0, len), row_label(ctx, first, t, r, n == 0));
        }
    }
    let violated = lines.violated;
    let counts = match (violated, lines.total - violated) {
        (v, 0) => format!("{v} violation{}", if v == 1 { "" } else { "s" }),
        (0, d) => format!("{d} due"),
        (v, d) => format!("{v} violation{}, {d} due", if v == 1 { "" } else { "s" }),
    };
    let source = rule
        .sources
        .first()
        .map(|s| match &s.section {
            Some(sec) => format!("; source: {} › {sec}", s.document),
            None => format!("; source: {}", s.document),
        })
        .unwrap_or_default();
    let mut help = format!("{counts} of `{}`{source}", rule.id);
    if let Some(note) = super::data_error_note(&super::rows_with_errors(ctx, first)) {
        help.push('\n');
        help.push_str(&note);
    }
    render_as(&d.with_help(help), &rule.id, &sources, opts)
}

/// Every finding of a rule on a line of its own; a run of a case's missed
/// marks on one. At most [`LINES_PER_RULE`] lines, then how many more.
fn list_lines(ctx: &Context, lines: &RuleLines, out: &mut String) {
    let width = lines
        .groups
        .iter()
        .flat_map(|g| &g.members)
        .map(|f| f.key.chars().count())
        .max()
        .unwrap_or(0);
    let mut written = 0;
    let mut shown: u64 = 0;
    for g in &lines.groups {
        if written == LINES_PER_RULE {
            break;
        }
        if g.count >= RUN_GROUPED {
            if let Some(f) = g.members.first() {
                run_line(ctx, g, f, width, out);
            }
            written += 1;
            shown += g.count as u64;
            continue;
        }
        for f in g.members.iter().take(LINES_PER_RULE - written) {
            let _ = write!(
                out,
                "    {:width$}  {}  {}",
                printable(&f.key),
                status_word(f),
                f.message
            );
            line_notes(ctx, f, out);
            written += 1;
            shown += 1;
        }
    }
    if let Some(more) = lines.total.checked_sub(shown).filter(|n| *n > 0)
        && let Some(f) = lines.groups.first().and_then(|g| g.members.first())
    {
        let _ = writeln!(
            out,
            "    … and {more} more (all of them: --rule {} --format csv or json)",
            ctx.rule_id(f)
        );
    }
    out.push('\n');
}

fn status_word(f: &Finding) -> &'static str {
    match f.status {
        Status::Due => "due     ",
        _ => "violated",
    }
}

/// A run of one case's missed marks on one line.
fn run_line(ctx: &Context, g: &LineGroup, f: &Finding, width: usize, out: &mut String) {
    let _ = write!(
        out,
        "    {:width$}  {}  marks {}–{} missed: {} marks; the first: {}",
        printable(&f.key),
        status_word(f),
        f.mark.unwrap_or(0),
        g.last,
        g.count,
        f.message
    );
    line_notes(ctx, f, out);
}

/// What follows a listed finding: the data errors its case reads, its
/// fields, and against a baseline whether it is new; then the line's end.
fn line_notes(ctx: &Context, f: &Finding, out: &mut String) {
    if let Some(note) = super::data_error_note(&super::rows_with_errors(ctx, f)) {
        let _ = write!(out, " ({note})");
    }
    if let Some(fields) = fields_words(ctx, f) {
        let _ = write!(out, " [{fields}]");
    }
    if let Some(b) = ctx.baseline {
        let seen = b.seen(ctx.rule_id(f), f, &ctx.as_of());
        let _ = match seen.state {
            "new" => write!(out, " [new]"),
            _ => write!(out, " [since {}]", seen.first_seen),
        };
    }
    out.push('\n');
}

/// The per-rule table, then the group, baseline and waiver tables the run
/// asked for.
fn tables(summary: &Summary, resolved: &[super::baseline::Gone], out: &mut String) {
    table(out, summary);
    if let (Some(field), Some(groups)) = (&summary.group_by, &summary.groups) {
        group_table(field, groups, out);
    }
    if let Some(b) = &summary.baseline {
        baseline_lines(b, resolved, out);
    }
    if let Some(w) = &summary.waivers {
        waiver_lists(w, out);
    }
}

/// `--format summary`: the header line, the tables, the data errors and
/// warnings (counted), the files and the totals; no finding.
pub(crate) fn summary_only(
    ctx: &Context,
    summary: &Summary,
    resolved: &[super::baseline::Gone],
) -> String {
    let mut out = head(ctx);
    tables(summary, resolved, &mut out);
    files(summary, &mut out);
    let _ = writeln!(out, "\n{}", totals(summary));
    out
}

/// `--group-by`: a line per value of the field.
fn group_table(field: &str, groups: &[super::groups::Group], out: &mut String) {
    let name = |g: &super::groups::Group| {
        g.value
            .as_deref()
            .map_or_else(|| "(none)".to_string(), |v| printable(v).into_owned())
    };
    let head = format!("by {field}");
    let w = groups
        .iter()
        .map(|g| name(g).chars().count())
        .chain(std::iter::once(head.chars().count()))
        .max()
        .unwrap_or(4);
    let _ = writeln!(
        out,
        "\n{head:w$}  {:>8}  {:>5}  {:>6}  {:>5}",
        "violated", "due", "waived", "cases"
    );
    for g in groups {
        let _ = writeln!(
            out,
            "{:w$}  {:>8}  {:>5}  {:>6}  {:>5}",
            name(g),
            g.violated,
            g.due,
            g.waived,
            g.cases
        );
    }
}

/// A finding's fields as words: "owner: Lu Chen, type: Cancellation".
pub(crate) fn fields_words(ctx: &Context, f: &Finding) -> Option<String> {
    let fields = super::fields_of(ctx, f)?;
    let words: Vec<String> = fields
        .iter()
        .filter_map(|(k, v)| Some(format!("{k}: {}", printable(v?))))
        .collect();
    (!words.is_empty()).then(|| words.join(", "))
}

/// A rule's waived findings, one line each with the waiver.
fn waived_lines(rule: &crate::semantics::Rule, lines: &RuleLines, out: &mut String) {
    if lines.waived.is_empty() {
        return;
    }
    let _ = writeln!(out, "{} waived ({}):", rule.id, lines.waived_total);
    for f in &lines.waived {
        let w = f.waiver.as_deref().map(|n| {
            let until = n.expires.map_or(String::new(), |e| format!(", until {e}"));
            format!("{} (approved by {}{until})", n.reason, n.approved_by)
        });
        let mark = f.mark.map_or(String::new(), |m| format!(" mark {m}"));
        let _ = writeln!(
            out,
            "    {}{mark}  waived  {}: {}",
            printable(&f.key),
            w.unwrap_or_default(),
            f.message
        );
    }
    let more = lines.waived_total - lines.waived.len() as u64;
    if more > 0 {
        let _ = writeln!(
            out,
            "    … and {more} more (all of them: --rule {} --status waived --format csv or json)",
            rule.id
        );
    }
    out.push('\n');
}

/// How the audit compares with its baseline, and the findings resolved
/// since (the first fifty).
fn baseline_lines(
    b: &super::BaselineSummary,
    resolved: &[super::baseline::Gone],
    out: &mut String,
) {
    let c = &b.counts;
    let _ = writeln!(
        out,
        "\ncompared with {} (as of {}): {} new, {} persisting, {} resolved",
        b.path, b.as_of, c.new, c.persisting, c.resolved
    );
    for r in resolved.iter().take(DATA_ERRORS_LISTED) {
        let f = &r.finding;
        let mark = f.mark.map_or(String::new(), |m| format!(" mark {m}"));
        let gone = if r.case_in_export {
            ""
        } else {
            " (the case is no longer in the export)"
        };
        let _ = writeln!(
            out,
            "  resolved  {} {}{mark}: {}{gone}",
            f.rule,
            printable(&f.key),
            f.message
        );
    }
    if resolved.len() > DATA_ERRORS_LISTED {
        let _ = writeln!(
            out,
            "  … and {} more resolved (all of them with --format json)",
            resolved.len() - DATA_ERRORS_LISTED
        );
    }
}

/// Waivers that matched nothing, and those about to expire.
fn waiver_lists(w: &super::WaiverLists, out: &mut String) {
    for (what, list) in [
        ("stale waivers (they matched no finding)", &w.stale),
        ("waivers expiring within 30 days", &w.expiring),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{what}:");
        for x in list {
            let mark = x.mark.map_or(String::new(), |m| format!(" mark {m}"));
            let expired = if x.expired { ", expired" } else { "" };
            let _ = writeln!(
                out,
                "  {}:{}: {} {}{mark}: {}{expired}",
                x.file,
                x.line,
                x.rule.as_deref().unwrap_or(""),
                x.case.as_deref().unwrap_or(""),
                x.words()
            );
        }
    }
}

/// The data errors and warnings, the first fifty of each.
fn data_issues(ctx: &Context, out: &mut String) {
    for (what, list) in [
        ("data errors", &ctx.data.errors),
        ("data warnings", &ctx.data.warnings),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{what} ({}):", list.len());
        for e in list.iter().take(DATA_ERRORS_LISTED) {
            let _ = writeln!(out, "  {}", e.one_line());
        }
        if list.len() > DATA_ERRORS_LISTED {
            let _ = writeln!(
                out,
                "  … and {} more (all of them with --format json or ndjson)",
                list.len() - DATA_ERRORS_LISTED
            );
        }
    }
}

/// Per file: rows read, loaded (with data errors) and rejected (why).
fn files(summary: &Summary, out: &mut String) {
    let _ = writeln!(out, "\nfiles:");
    for a in &summary.files {
        let rejected: Vec<String> = a
            .rejected
            .iter()
            .map(|(r, n)| format!("{n} {}", r.as_str()))
            .collect();
        let _ = writeln!(
            out,
            "  {}: {} rows read, {} loaded{}{}",
            a.file,
            a.read,
            a.loaded,
            if a.loaded_with_errors > 0 {
                format!(" ({} with data errors)", a.loaded_with_errors)
            } else {
                String::new()
            },
            if rejected.is_empty() {
                String::new()
            } else {
                format!(", rejected: {}", rejected.join(", "))
            }
        );
        if !a.is_plain() {
            let _ = writeln!(out, "    {}", a.how_read());
        }
    }
}

/// The closing line: "82 cases checked: 86 violations (79 errors, 7
/// warnings), 1 due, 0 data errors", and the data warnings when there are any.
pub(crate) fn totals(summary: &Summary) -> String {
    let warnings = match summary.data_warnings {
        0 => String::new(),
        n => format!(", {n} data warning{}", plural(n)),
    };
    let waived = match &summary.waivers {
        Some(_) => format!(", {} waived", summary.waived),
        None => String::new(),
    };
    format!(
        "{} case{} checked: {} violation{} ({} error{}, {} warning{}), {} due{waived}, {} data error{}{warnings}",
        summary.cases,
        plural(summary.cases),
        summary.violated,
        plural(summary.violated),
        summary.errors,
        plural(summary.errors),
        summary.warnings,
        plural(summary.warnings),
        summary.due,
        summary.data_errors,
        plural(summary.data_errors),
    )
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn table(out: &mut String, s: &Summary) {
    let w = s
        .rules
        .iter()
        .map(|r| r.rule.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut head = format!(
        "{:w$}  {:8}  {:>8}  {:>5}",
        "rule", "severity", "violated", "due"
    );
    if s.waivers.is_some() {
        head.push_str(&format!("  {:>6}", "waived"));
    }
    head.push_str(&format!(
        "  {:>6}  {:>6}  {:>9}",
        "passed", "n/a", "evaluated"
    ));
    if s.baseline.is_some() {
        head.push_str(&format!(
            "  {:>5}  {:>10}  {:>8}",
            "new", "persisting", "resolved"
        ));
    }
    let _ = writeln!(out, "{head}");
    for r in &s.rules {
        let mut line = format!(
            "{:w$}  {:8}  {:>8}  {:>5}",
            r.rule, r.severity, r.stats.violated, r.stats.due
        );
        if s.waivers.is_some() {
            line.push_str(&format!("  {:>6}", r.stats.waived));
        }
        line.push_str(&format!(
            "  {:>6}  {:>6}  {:>9}",
            r.stats.passed, r.stats.not_applicable, r.stats.evaluated
        ));
        if let Some(b) = &r.baseline {
            line.push_str(&format!(
                "  {:>5}  {:>10}  {:>8}",
                b.new, b.persisting, b.resolved
            ));
        }
        let _ = writeln!(out, "{line}");
    }
}
