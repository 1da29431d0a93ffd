//! `check --format html`: one self-contained page a reviewer can open and
//! share — no network, no external file: inline CSS, inline SVG charts and
//! a small inline script for the findings table.
//!
//! The summary (header, per-rule table, charts, groups, baseline, files) is
//! plain HTML and SVG, readable without JavaScript and printable. Findings
//! are embedded as compact JSON rows, streamed as the audit finds them, up
//! to [`MAX_EMBEDDED`]; every count stays exact, and the page says how to
//! list the rest. A Content-Security-Policy forbids every request the page
//! could make.

use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Serialize;

use super::baseline::Gone;
use super::{Context, Summary, finding};
use crate::eval::Finding;

/// Findings embedded in the page at most.
pub(crate) const MAX_EMBEDDED: usize = 50_000;

/// The page's styles (screen and print).
const STYLE: &str = include_str!("html/style.css");

/// The findings table's script.
const SCRIPT: &str = include_str!("html/app.js");

/// One finding as the page embeds it: rule index, status, case, message,
/// deadline, mark, fields (in the policy's order), data rows as
/// `[file index, line]`.
#[derive(Serialize)]
struct PageRow<'a>(
    usize,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<u64>,
    Vec<Option<&'a str>>,
    Vec<(usize, u64)>,
    Option<String>,
);

/// What comes before the embedded findings: the document's head and the
/// opening of the findings' script element.
pub(crate) fn begin(ctx: &Context) -> String {
    let title = format!("docket audit · {} · as of {}", ctx.policy.name, ctx.as_of());
    let head = html! {
        (DOCTYPE)
        html lang="en" {
            (page_head(&title, true))
        }
    };
    // The body is opened by hand: the findings stream into it.
    let mut s = head.into_string();
    s.truncate(s.len() - "</html>".len());
    s.push_str("<body><script type=\"application/json\" id=\"docket-findings\">[\n");
    s
}

/// A page's head: its title, a policy that forbids every request (and
/// every script but the page's own, when it has one), its styles.
fn page_head(title: &str, scripted: bool) -> Markup {
    let csp = if scripted {
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
    } else {
        "default-src 'none'; style-src 'unsafe-inline'"
    };
    html! {
        head {
            meta charset="utf-8";
            meta http-equiv="Content-Security-Policy" content=(csp);
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            style { (PreEscaped(STYLE)) }
        }
    }
}

/// `case --format html`: the cases' checklists as one page (no script).
pub(crate) fn case_page(ctx: &Context, cases: &[(String, Vec<crate::eval::RuleResult>)]) -> String {
    let names: Vec<&str> = cases.iter().map(|(n, _)| n.as_str()).collect();
    let title = format!("docket · case {} · as of {}", names.join(", "), ctx.as_of());
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (page_head(&title, false))
            body {
                @for (number, results) in cases {
                    (case_section(ctx, number, results))
                }
            }
        }
    };
    page.into_string()
}

/// One case's checklist.
fn case_section(ctx: &Context, number: &str, results: &[crate::eval::RuleResult]) -> Markup {
    let tz = ctx.policy.timezone;
    html! {
                header {
                    h1 { "Case " (number) }
                    p.sub { (ctx.policy.name) " · as of " (ctx.as_of()) }
                }
                main {
                    table.case {
                        thead { tr { th scope="col" { "rule" } th scope="col" { "title" } th scope="col" { "status" } th scope="col" { "why" } th scope="col" { "deadline" } } }
                        tbody {
                            @for r in results {
                                @let rule = ctx.policy.rules.get(r.rule);
                                @let deadline = r.findings.iter().filter_map(|f| f.deadline).min();
                                tr data-rule=(rule.map_or("", |x| x.id.as_str())) {
                                    th scope="row" { code { (rule.map_or("", |x| x.id.as_str())) } }
                                    td { (rule.map_or("", |x| x.title.as_str())) }
                                    td.status.(r.status.as_str()) { (r.status.as_str()) }
                                    td {
                                        (r.reason)
                                        @for f in r.findings.iter().skip(1) { br; (f.message) }
                                        @for w in r.findings.iter().filter_map(|f| f.waiver.as_deref()).take(1) {
                                            br; "waiver: " (w.reason) " (approved by " (w.approved_by) ")"
                                        }
                                    }
                                    td { @if let Some(d) = deadline { (crate::time::Instant(d).display_long(tz)) } }
                                }
                            }
                        }
                    }
                }
    }
}

/// A chunk of findings as JSON rows, one per line (`<` escaped, so no
/// text can close the script element).
pub(crate) fn rows(ctx: &Context, found: &[Finding], buf: &mut String) {
    for (i, f) in found.iter().enumerate() {
        let f = &super::completed(ctx, f);
        let j = finding(ctx, f);
        let fields: Vec<Option<&str>> = ctx
            .policy
            .fields
            .iter()
            .map(|d| j.fields.as_ref().and_then(|m| m.get(&d.name)))
            .collect();
        let files: Vec<(usize, u64)> = f
            .rows
            .iter()
            .map(|&(t, r)| (t, ctx.data.table(t).map_or(0, |d| d.line(r as usize))))
            .collect();
        let waiver = j.waiver.as_ref().map(|w| w.words());
        let row = PageRow(
            f.rule,
            j.status,
            &j.key,
            &j.message,
            j.deadline.as_deref(),
            j.mark,
            fields,
            files,
            waiver,
        );
        if i > 0 {
            buf.push_str(",\n");
        }
        buf.push_str(
            &serde_json::to_string(&row)
                .unwrap_or_default()
                .replace('<', "\\u003c"),
        );
    }
}

/// Everything after the findings: the summary, the tables, the charts and
/// the script. `embedded` findings were written (the rest only counted).
pub(crate) fn end(
    ctx: &Context,
    summary: &Summary,
    resolved: &[Gone],
    first: &FirstRows,
    embedded: usize,
    command: &str,
) -> String {
    let meta = meta_json(ctx, first, embedded);
    let page = html! {
        script type="application/json" id="docket-meta" { (PreEscaped(meta)) }
        header {
            h1 { "Audit: " (ctx.policy.name) }
            p.sub {
                @if let Some(v) = &ctx.policy.version { "version " (v) " · " }
                "as of " (ctx.as_of()) " · " (summary.cases) " cases checked"
            }
            p.cmd { code { (command) } }
            (totals(summary))
        }
        main {
            (rule_table(ctx, summary))
            (super::html_charts::charts(ctx, summary))
            @if let (Some(field), Some(groups)) = (&summary.group_by, &summary.groups) {
                (group_table(field, groups))
            }
            @if let Some(b) = &summary.baseline {
                section {
                    h2 { "Compared with " (b.path) }
                    p { "as of " (b.as_of) ": " (b.counts.new) " new, " (b.counts.persisting) " persisting, " (b.counts.resolved) " resolved" }
                    @if !resolved.is_empty() {
                        details {
                            summary { (resolved.len()) " resolved findings" }
                            table {
                                thead { tr { th { "rule" } th { "case" } th { "was" } th { "message" } } }
                                tbody {
                                    @for r in resolved.iter().take(MAX_EMBEDDED) {
                                        tr { td { (r.finding.rule) } td { (r.finding.key) } td { (r.finding.status) } td { (r.finding.message) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (findings_section(summary, embedded))
            (files_section(summary))
        }
        script { (PreEscaped(SCRIPT)) }
    };
    format!("\n]</script>{}</body></html>\n", page.into_string())
}

/// The totals line.
fn totals(s: &Summary) -> Markup {
    html! {
        p.totals {
            span.violated { (s.violated) " violations" } " (" (s.errors) " errors, " (s.warnings) " warnings) · "
            span.due { (s.due) " due" } " · "
            span.waived { (s.waived) " waived" } " · "
            (s.data_errors) " data errors · " (s.data_warnings) " data warnings"
        }
    }
}

/// Per rule: severity, title, source, and every count, with the rate of
/// violated cases among those evaluated.
fn rule_table(ctx: &Context, s: &Summary) -> Markup {
    html! {
        section {
            h2 { "Rules" }
            table.rules {
                caption { "Per rule: cases evaluated, passed and violated, findings violated, due and waived" }
                thead {
                    tr {
                        th scope="col" { "rule" } th scope="col" { "severity" } th scope="col" { "title" } th scope="col" { "source" }
                        th scope="col" { "evaluated" } th scope="col" { "passed" } th scope="col" { "violated cases" }
                        th scope="col" { "violations" } th scope="col" { "due" } th scope="col" { "waived" }
                        th scope="col" { "not applicable" } th scope="col" { "rate" }
                        @if s.baseline.is_some() { th scope="col" { "new" } th scope="col" { "persisting" } th scope="col" { "resolved" } }
                    }
                }
                tbody {
                    @for r in &s.rules {
                        @let source = ctx.policy.rule(&r.rule).map(|x| x.source_text()).unwrap_or_default();
                        tr data-rule=(r.rule) {
                            th scope="row" { code { (r.rule) } }
                            td.(r.severity) { (r.severity) }
                            td { (r.title) }
                            td { (source) }
                            td.n { (r.stats.evaluated) }
                            td.n { (r.stats.passed) }
                            td.n.violated-cases { (r.stats.violated_cases) }
                            td.n.violated { (r.stats.violated) }
                            td.n.due { (r.stats.due) }
                            td.n.waived { (r.stats.waived) }
                            td.n { (r.stats.not_applicable) }
                            td.n { (rate(r.stats.violated_cases, r.stats.evaluated)) }
                            @if let Some(b) = &r.baseline { td.n { (b.new) } td.n { (b.persisting) } td.n { (b.resolved) } }
                        }
                    }
                }
            }
        }
    }
}

fn rate(part: u64, all: u64) -> String {
    if all == 0 {
        "—".to_string()
    } else {
        format!("{:.1}%", 100.0 * part as f64 / all as f64)
    }
}

fn group_table(field: &str, groups: &[super::groups::Group]) -> Markup {
    html! {
        section {
            h2 { "By " (field) }
            table.groups {
                thead { tr { th scope="col" { (field) } th scope="col" { "violations" } th scope="col" { "due" } th scope="col" { "waived" } th scope="col" { "cases" } } }
                tbody {
                    @for g in groups {
                        tr {
                            th scope="row" { (g.value.as_deref().unwrap_or("(none)")) }
                            td.n { (g.violated) } td.n { (g.due) } td.n { (g.waived) } td.n { (g.cases) }
                        }
                    }
                }
            }
        }
    }
}

/// The findings table's place (filled by the script), and what it holds.
fn findings_section(s: &Summary, embedded: usize) -> Markup {
    let all = s.violated + s.due + s.waived;
    html! {
        section #findings {
            h2 { "Findings" }
            @if (embedded as u64) < all {
                p.capped role="alert" {
                    "This page holds the first " (embedded) " of " (all) " findings; every count above is exact. "
                    "List them all with " code { "--format csv" } " or " code { "--format json" } "."
                }
            }
            noscript { p { "The findings table needs JavaScript; the summary above does not." } }
            div #controls {}
            div #table {}
            div #detail {}
        }
    }
}

fn files_section(s: &Summary) -> Markup {
    html! {
        section {
            h2 { "Files" }
            table.files {
                thead { tr { th scope="col" { "file" } th scope="col" { "read as" } th scope="col" { "read" } th scope="col" { "loaded" } th scope="col" { "rejected" } } }
                tbody {
                    @for a in &s.files {
                        tr { th scope="row" { code { (a.file) } } td { (a.how_read()) } td.n { (a.read) } td.n { (a.loaded) } td.n { (a.rejected_total()) } }
                    }
                }
            }
        }
    }
}

/// What the script needs besides the rows: rule ids, titles, severities and
/// sources, the policy text of each rule, field names, data files, and the
/// text of the first findings' data rows.
#[derive(Serialize)]
struct Meta {
    rules: Vec<MetaRule>,
    fields: Vec<String>,
    files: Vec<String>,
    /// `"file index:line"` → the row's text.
    lines: std::collections::BTreeMap<String, String>,
    embedded: usize,
}

#[derive(Serialize)]
struct MetaRule {
    id: String,
    title: String,
    severity: &'static str,
    source: String,
    /// `file:line` of the rule in the policy.
    place: String,
    /// The rule's text in the policy.
    text: String,
}

fn meta_json(ctx: &Context, first: &FirstRows, embedded: usize) -> String {
    let rules = ctx
        .policy
        .rules
        .iter()
        .map(|r| {
            let place = ctx
                .sources
                .locate(r.span)
                .map(|(f, l, _)| format!("{f}:{l}"))
                .unwrap_or_default();
            let text = ctx
                .sources
                .get(r.span.file)
                .map(|f| f.slice(r.span).to_string())
                .unwrap_or_default();
            MetaRule {
                id: r.id.clone(),
                title: r.title.clone(),
                severity: r.severity.as_str(),
                source: r.source_text(),
                place,
                text,
            }
        })
        .collect();
    let meta = Meta {
        rules,
        fields: ctx.policy.fields.iter().map(|f| f.name.clone()).collect(),
        files: ctx.data.tables.iter().map(|t| t.file.to_string()).collect(),
        lines: first.texts(ctx),
        embedded,
    };
    serde_json::to_string(&meta)
        .unwrap_or_default()
        .replace('<', "\\u003c")
}

/// The first finding of each rule (by case key), as the human report draws
/// it: its data rows are shown with their text in the detail view.
#[derive(Default)]
pub(crate) struct FirstRows {
    by_rule: std::sync::Mutex<std::collections::BTreeMap<usize, First>>,
}

/// A rule's first finding (its rows are those of the first case).
type First = Finding;

impl FirstRows {
    /// Notes a chunk's findings (each chunk on its own thread).
    pub(crate) fn observe(&self, found: &[Finding]) {
        let Ok(mut all) = self.by_rule.lock() else {
            return;
        };
        for f in found {
            let e = all.entry(f.rule).or_insert_with(|| f.clone());
            if f.key < e.key {
                *e = f.clone();
            }
        }
    }

    /// `"file index:line"` → text, for those rows.
    fn texts(&self, ctx: &Context) -> std::collections::BTreeMap<String, String> {
        let all = self.by_rule.lock().map(|a| a.clone()).unwrap_or_default();
        let mut wanted: std::collections::BTreeMap<String, std::collections::BTreeSet<u64>> =
            std::collections::BTreeMap::new();
        let mut keys = Vec::new();
        for f in all.values() {
            // An audit without messages reads the finding's rows again.
            let rows = super::completed(ctx, f).rows;
            for &(t, r) in rows.iter().take(3) {
                if let Some(d) = ctx.data.table(t) {
                    let line = d.line(r as usize);
                    wanted.entry(d.file.to_string()).or_default().insert(line);
                    keys.push((t, d.file.to_string(), line));
                }
            }
        }
        let texts = ctx.data.source_lines(&wanted);
        keys.into_iter()
            .filter_map(|(t, file, line)| {
                let text = texts.get(&(file, line))?;
                Some((
                    format!("{t}:{line}"),
                    crate::diagnostic::printable(text).into_owned(),
                ))
            })
            .collect()
    }
}
