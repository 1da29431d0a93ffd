//! Output for CI systems: SARIF 2.1.0 (code scanning), JUnit XML (test
//! reports) and GitHub workflow annotations, for `check` (findings located
//! in the data files, rule metadata from the policy) and `lint` (diagnostics
//! located in the policy files).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_sarif::sarif;

use super::markdown::cell;
use super::{Context, DataIssues, JsonDataError, JsonFinding, Summary, data_error_note};
use crate::diagnostic::{Code, Diagnostic, Level};
use crate::semantics::Severity;
use crate::source::{SourceMap, Span};

/// The schema address written into every SARIF log.
pub(crate) const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A path as a SARIF URI reference: `/` separators, reserved characters escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '\\' => out.push('/'),
            '%' | ' ' | '#' | '?' | '[' | ']' | '"' | '<' | '>' | '^' | '`' | '{' | '}' | '|' => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(out, "%{b:02X}");
                }
            }
            c => out.push(c),
        }
    }
    out
}

pub(super) fn location(file: &str, region: sarif::Region, text: Option<String>) -> sarif::Location {
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(sarif::ArtifactLocation::builder().uri(uri(file)).build())
        .region(region)
        .build();
    let mut l = sarif::Location::builder()
        .physical_location(physical)
        .build();
    l.message = text.map(|t| sarif::Message::builder().text(t).build());
    l
}

pub(super) fn line_region(line: u64) -> sarif::Region {
    sarif::Region::builder()
        .start_line(i64::try_from(line.max(1)).unwrap_or(i64::MAX))
        .build()
}

fn text(s: impl Into<String>) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder()
        .text(s.into())
        .build()
}

fn result_level(s: &str) -> sarif::ResultLevel {
    match s {
        "error" => sarif::ResultLevel::Error,
        "warning" => sarif::ResultLevel::Warning,
        _ => sarif::ResultLevel::Note,
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn log(driver: sarif::ToolComponent, results: Vec<sarif::Result>) -> sarif::Sarif {
    log_with(driver, results, None)
}

/// A log of one run; `properties` go in the run's property bag.
pub(super) fn log_with(
    driver: sarif::ToolComponent,
    results: Vec<sarif::Result>,
    properties: Option<sarif::PropertyBag>,
) -> sarif::Sarif {
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .build();
    run.properties = properties;
    sarif::Sarif::builder()
        .schema(SARIF_SCHEMA)
        .version(serde_json::Value::String("2.1.0".to_string()))
        .runs(vec![run])
        .build()
}

pub(super) fn driver(rules: Vec<sarif::ReportingDescriptor>) -> sarif::ToolComponent {
    sarif::ToolComponent::builder()
        .name("docket")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build()
}

/// A data-error (or data-warning) code as a SARIF rule.
pub(super) fn data_rule(code: &str, warning: bool) -> sarif::ReportingDescriptor {
    let (what, help, level) = if warning {
        (
            "data warning",
            "docket read a value of the export only after interpreting it, or the file looks odd; see docs/diagnostics.md",
            "note",
        )
    } else {
        (
            "data error",
            "a row of the export could not be read as the policy declares it; see docs/diagnostics.md",
            "error",
        )
    };
    sarif::ReportingDescriptor::builder()
        .id(code)
        .short_description(text(format!("{what} `{code}`")))
        .help(text(help))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::Value::String(level.to_string()))
                .build(),
        )
        .build()
}

/// A finding's message with its deadline and the rows with data errors
/// its case reads.
pub(crate) fn finding_text(f: &JsonFinding) -> String {
    let mut message = f.message.clone();
    if let Some(d) = &f.deadline {
        let _ = write!(message, " (due by {d})");
    }
    if let Some(note) = data_error_note(&f.data_errors) {
        let _ = write!(message, " ({note})");
    }
    if let Some(w) = f.waiver.as_ref().filter(|w| !w.expired) {
        let _ = write!(message, " (waived: {})", w.words());
    }
    message
}

/// A rule as SARIF describes it: id, title, help with its sources.
pub(super) fn rule_descriptor(r: &crate::semantics::Rule) -> sarif::ReportingDescriptor {
    let sources: Vec<String> = r
        .sources
        .iter()
        .map(|s| match &s.section {
            Some(sec) => format!("{} › {sec}", s.document),
            None => s.document.clone(),
        })
        .collect();
    let help = if sources.is_empty() {
        format!(
            "{}. `docket explain {}` says what it checks.",
            r.title, r.id
        )
    } else {
        format!(
            "{}. Source: {}. `docket explain {}` says what it checks.",
            r.title,
            sources.join("; "),
            r.id
        )
    };
    sarif::ReportingDescriptor::builder()
        .id(r.id.clone())
        .name(r.id.clone())
        .short_description(text(r.title.clone()))
        .full_description(text(help.clone()))
        .help(text(help))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::Value::String(level(r.severity).to_string()))
                .build(),
        )
        .build()
}

/// A finding as a SARIF result: at the case's row, the other rows and the
/// rule's place in the policy as related locations.
pub(super) fn finding_result(f: &JsonFinding) -> sarif::Result {
    let lvl = if f.status == "due" || f.status == "waived" {
        "note"
    } else {
        f.severity
    };
    let message = format!("{}: {}", f.key, finding_text(f));
    let mut related: Vec<sarif::Location> = f
        .rows
        .iter()
        .skip(1)
        .map(|r| {
            location(
                &r.file,
                line_region(r.line),
                Some("row read by the rule".into()),
            )
        })
        .collect();
    if !f.policy_span.file.is_empty() {
        related.push(location(
            &f.policy_span.file,
            sarif::Region::builder()
                .start_line(f.policy_span.line as i64)
                .start_column(f.policy_span.column as i64)
                .build(),
            Some(format!("rule `{}`", f.rule)),
        ));
    }
    let locations: Vec<sarif::Location> = f
        .rows
        .first()
        .map(|r| location(&r.file, line_region(r.line), None))
        .into_iter()
        .collect();
    let mut prints = BTreeMap::new();
    prints.insert("docketFinding/v1".to_string(), fingerprint(f));
    let mut res = sarif::Result::builder()
        .rule_id(f.rule.clone())
        .level(result_level(lvl))
        .message(sarif::Message::builder().text(message).build())
        .locations(locations)
        .partial_fingerprints(prints)
        .build();
    if !related.is_empty() {
        res.related_locations = Some(related);
    }
    if let Some(fields) = &f.fields {
        let bag = sarif::PropertyBag::builder()
            .additional_properties(BTreeMap::from([(
                "fields".to_string(),
                serde_json::Value::Object(fields.to_map()),
            )]))
            .build();
        res.properties = Some(bag);
    }
    // Against a baseline: new, or unchanged since.
    res.baseline_state = f
        .baseline
        .map(|b| serde_json::json!(if b == "new" { "new" } else { "unchanged" }));
    // A waived finding is a result suppressed outside the code, accepted,
    // with the waiver's reason.
    if let Some(w) = f.waiver.as_ref().filter(|w| !w.expired) {
        let s = sarif::Suppression::builder()
            .kind(serde_json::json!("external"))
            .status(serde_json::json!("accepted"))
            .justification(format!("{} (approved by {})", w.reason, w.approved_by))
            .build();
        res.suppressions = Some(vec![s]);
    }
    res
}

/// One finding, one fingerprint: a ladder's marks differ by their number
/// (findings of other rules keep the form they always had).
fn fingerprint(f: &JsonFinding) -> String {
    // A waived finding keeps the fingerprint of the violation it covers.
    let status = if f.status == "waived" {
        "violated"
    } else {
        f.status
    };
    let mut print = format!(
        "{}:{}:{}:{}",
        f.rule,
        f.key,
        status,
        f.deadline.as_deref().unwrap_or("")
    );
    if let Some(m) = f.mark {
        let _ = write!(print, ":mark={m}");
    }
    print
}

/// A data error's message with its column.
pub(super) fn data_text(e: &JsonDataError) -> String {
    match &e.column {
        Some(c) => format!("column \"{c}\": {}", e.message),
        None => e.message.clone(),
    }
}

fn span_region(sources: &SourceMap, span: Span) -> Option<(String, sarif::Region)> {
    let (file, line, col) = sources.locate(span)?;
    let end = Span::new(span.file, span.end as usize, span.end as usize);
    let (_, end_line, end_col) = sources.locate(end)?;
    let mut r = sarif::Region::builder()
        .start_line(line as i64)
        .start_column(col as i64)
        .build();
    if span.end > span.start {
        r.end_line = Some(end_line as i64);
        r.end_column = Some(end_col as i64);
    }
    Some((file.to_string(), r))
}

fn diag_message(d: &Diagnostic) -> String {
    match &d.help {
        Some(h) => format!("{}\nhelp: {h}", d.message),
        None => d.message.clone(),
    }
}

fn diag_level(d: &Diagnostic) -> &'static str {
    match d.severity {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

/// `lint --format sarif`: one result per diagnostic, located in the policy
/// (or data) file, other labels as related locations.
pub(crate) fn lint_sarif(runs: &[(&[Diagnostic], &SourceMap)]) -> sarif::Sarif {
    let mut rules = Vec::new();
    let mut index: BTreeMap<Code, i64> = BTreeMap::new();
    let mut results = Vec::new();
    for (diags, sources) in runs {
        for d in *diags {
            let rule_index = *index.entry(d.code).or_insert_with(|| {
                rules.push(
                    sarif::ReportingDescriptor::builder()
                        .id(d.code.as_str())
                        .short_description(text(format!("`{}`", d.code)))
                        .help(text(format!("see `{}` in docs/diagnostics.md", d.code)))
                        .build(),
                );
                rules.len() as i64 - 1
            });
            let mut labels = d
                .labels
                .iter()
                .filter_map(|l| span_region(sources, l.span).map(|(f, r)| (f, r, l.text.clone())));
            let locations: Vec<sarif::Location> = labels
                .next()
                .map(|(f, r, t)| location(&f, r, (!t.is_empty()).then_some(t)))
                .into_iter()
                .collect();
            let related: Vec<sarif::Location> = labels
                .map(|(f, r, t)| location(&f, r, (!t.is_empty()).then_some(t)))
                .collect();
            let mut res = sarif::Result::builder()
                .rule_id(d.code.as_str())
                .rule_index(rule_index)
                .level(result_level(diag_level(d)))
                .message(sarif::Message::builder().text(diag_message(d)).build())
                .locations(locations)
                .build();
            if !related.is_empty() {
                res.related_locations = Some(related);
            }
            results.push(res);
        }
    }
    log(driver(rules), results)
}

/// Serialises a SARIF log.
pub(crate) fn sarif_text(s: &sarif::Sarif) -> String {
    serde_json::to_string_pretty(s)
        .map(|t| t + "\n")
        .unwrap_or_default()
}

fn junit_text(report: &Report) -> String {
    report.to_string().unwrap_or_default()
}

/// `check --format junit`: one test case per rule; a rule with violations
/// at or above `fail_on` fails and lists its cases; due items, warnings
/// below `fail_on` and data errors are written out as well.
pub(crate) fn check_junit(
    ctx: &Context,
    listings: &[super::ci_kept::RuleListings],
    summary: &Summary,
    data: &DataIssues,
    fail_on: Severity,
) -> String {
    let mut suite = TestSuite::new(format!("docket check: {}", ctx.policy.name));
    for r in &summary.rules {
        let at = ctx.policy.rules.iter().position(|p| p.id == r.rule);
        let listed = at.and_then(|i| listings.get(i));
        let lines = |status: usize| {
            listed
                .and_then(|l| l.get(status))
                .map(super::ci_kept::Listing::text)
                .unwrap_or_default()
        };
        let severity = if r.severity == "warning" {
            Severity::Warning
        } else {
            Severity::Error
        };
        let fails =
            r.stats.violated > 0 && (severity == Severity::Error || fail_on == Severity::Warning);
        let status = if fails {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!(
                "{} {} in {} {}",
                r.stats.violated,
                if r.stats.violated == 1 {
                    "violation"
                } else {
                    "violations"
                },
                r.stats.violated_cases,
                if r.stats.violated_cases == 1 {
                    "case"
                } else {
                    "cases"
                }
            ))
            .set_type(r.severity)
            .set_description(lines(0));
            s
        } else if r.stats.evaluated == 0 {
            let mut s = TestCaseStatus::skipped();
            s.set_message("the rule applies to no case of this export");
            s
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(r.rule.clone(), status);
        case.set_classname(format!("docket.{}", ctx.policy.name))
            .set_assertions(r.stats.evaluated as usize);
        let mut out = String::new();
        if !fails && r.stats.violated > 0 {
            let _ = writeln!(out, "violations ({}):\n{}", r.severity, lines(0));
        }
        if r.stats.due > 0 {
            let _ = writeln!(out, "due:\n{}", lines(1));
        }
        if r.stats.waived > 0 {
            let _ = writeln!(out, "waived:\n{}", lines(2));
        }
        if !out.is_empty() {
            case.set_system_out(out);
        }
        suite.add_test_case(case);
    }
    let listing = |list: &[JsonDataError]| {
        list.iter()
            .map(|e| format!("{}:{}: {} [{}]", e.file, e.line, data_text(e), e.code))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let status = if data.errors.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!("{} data errors", data.errors.len()))
            .set_type("data")
            .set_description(listing(&data.errors));
        s
    };
    let mut case = TestCase::new("data: every row of the export reads as declared", status);
    case.set_classname(format!("docket.{}", ctx.policy.name));
    let mut out = files_text(&summary.files);
    if !data.warnings.is_empty() {
        out = format!(
            "data warnings ({}):\n{}\n\n{out}",
            data.warnings.len(),
            listing(&data.warnings)
        );
    }
    case.set_system_out(out);
    suite.add_test_case(case);
    let mut report = Report::new("docket");
    report.add_test_suite(suite);
    junit_text(&report)
}

/// Each file: its rows, and how it was read.
fn files_text(files: &[crate::data::FileAccount]) -> String {
    let mut out = String::from("files:\n");
    for a in files {
        let _ = writeln!(
            out,
            "  {}: {} rows read, {} loaded, {} rejected; {}",
            a.file,
            a.read,
            a.loaded,
            a.rejected_total(),
            a.how_read()
        );
    }
    out
}

/// `lint --format junit`: a test suite per policy, a test case per policy
/// file, failing with the file's errors (and warnings with `deny_warnings`).
pub(crate) fn lint_junit(
    runs: &[(String, &[Diagnostic], &SourceMap)],
    deny_warnings: bool,
) -> String {
    let mut report = Report::new("docket lint");
    for (path, diags, sources) in runs {
        let mut suite = TestSuite::new(format!("docket lint {path}"));
        let mut by_file: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
        for (_, f) in sources.iter() {
            if f.first_line == 1 {
                by_file.entry(f.name.clone()).or_default();
            }
        }
        let mut unplaced = Vec::new();
        for d in *diags {
            match d.primary_span().and_then(|s| sources.locate(s)) {
                Some((file, _, _)) => by_file.entry(file.to_string()).or_default().push(d),
                None => unplaced.push(d),
            }
        }
        if !unplaced.is_empty() || by_file.is_empty() {
            by_file.entry(path.clone()).or_default().extend(unplaced);
        }
        for (file, list) in by_file {
            let failing: Vec<&&Diagnostic> = list
                .iter()
                .filter(|d| d.is_error() || deny_warnings)
                .collect();
            let lines = |ds: &[&&Diagnostic]| {
                ds.iter()
                    .map(|d| crate::diagnostic::one_line(d, sources))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            let status = if failing.is_empty() {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(crate::diagnostic::count_words(
                    &failing.iter().map(|d| (**d).clone()).collect::<Vec<_>>(),
                ))
                .set_description(lines(&failing));
                s
            };
            let mut case = TestCase::new(file, status);
            case.set_classname("docket.lint");
            let rest: Vec<&&Diagnostic> = list
                .iter()
                .filter(|d| !(d.is_error() || deny_warnings))
                .collect();
            if !rest.is_empty() {
                case.set_system_out(lines(&rest));
            }
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    junit_text(&report)
}

/// Escapes a workflow command's message.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `check --format github`: a workflow annotation per finding and data
/// error, at the data row, then the totals as a plain line.
pub(crate) fn check_github(
    kept: &[((u8, usize), JsonFinding)],
    seen: u64,
    data: &DataIssues,
    summary: &super::Summary,
    summary_line: &str,
) -> String {
    let files = &summary.files;
    let mut out = String::new();
    // GitHub shows a few annotations per step: the first errors, then
    // warnings, then notices (chosen as the findings streamed); the rest
    // are counted, and in the job summary.
    let left = seen.saturating_sub(kept.len() as u64);
    let mut order: Vec<&((u8, usize), JsonFinding)> = kept.iter().collect();
    order.sort_by_key(|(rank, _)| *rank);
    for ((rank, _), f) in order {
        let kind = match rank {
            0 => "error",
            1 => "warning",
            _ => "notice",
        };
        let (file, line) = f
            .rows
            .first()
            .map_or((String::new(), 0), |r| (r.file.clone(), r.line));
        let _ = writeln!(
            out,
            "::{kind} file={},line={line},title={}::{}",
            gh_prop(&file),
            gh_prop(&format!("{} {}", f.rule, f.key)),
            gh_data(&finding_text(f))
        );
    }
    let issues = data
        .errors
        .iter()
        .map(|e| (e, "error"))
        .chain(data.warnings.iter().map(|e| (e, "warning")));
    for (e, kind) in issues {
        let _ = writeln!(
            out,
            "::{kind} file={},line={},title={}::{}",
            gh_prop(&e.file),
            e.line,
            gh_prop(e.code.as_str()),
            gh_data(&data_text(e))
        );
    }
    if left > 0 {
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            gh_prop("more findings"),
            gh_data(&format!(
                "{left} more findings are not annotated (GitHub shows a few per step); the job summary counts them per rule, and `docket check --format json` or `--format csv` lists them all"
            ))
        );
    }
    // Waivers that matched nothing, at their line of the register.
    for w in summary.waivers.iter().flat_map(|w| &w.stale) {
        let _ = writeln!(
            out,
            "::warning file={},line={},title={}::{}",
            gh_prop(&w.file),
            w.line,
            gh_prop("stale waiver"),
            gh_data(&format!(
                "{} {} matched no finding: {}",
                w.rule.as_deref().unwrap_or(""),
                w.case.as_deref().unwrap_or(""),
                w.words()
            ))
        );
    }
    // A file that is not plain UTF-8 CSV: how it was read.
    for a in files.iter().filter(|a| !a.is_plain()) {
        let _ = writeln!(
            out,
            "::notice file={},title={}::{}",
            gh_prop(&a.file),
            gh_prop(&format!("{} read as", a.table)),
            gh_data(&a.how_read())
        );
    }
    out.push_str(summary_line);
    out.push('\n');
    out
}

/// Findings annotated at most by `--format github`.
pub(crate) const GITHUB_ANNOTATIONS: usize = 50;

/// A job summary's size at most (GitHub takes up to 1 MiB per step).
const STEP_SUMMARY_BYTES: usize = 1 << 20;

/// The job summary (`$GITHUB_STEP_SUMMARY`): the totals, the per-rule table
/// and the cases with the most violations, in markdown under 1 MiB.
pub(crate) fn step_summary(
    ctx: &Context,
    cases: &(Vec<(String, u64)>, u64),
    summary: &super::Summary,
    totals: &str,
) -> String {
    let mut out = format!(
        "## docket: {}\n\nas of {} · {}\n\n| rule | severity | violations | due | waived | cases evaluated |\n|---|---|---:|---:|---:|---:|\n",
        cell(&ctx.policy.name, 200),
        ctx.as_of(),
        cell(totals, 1000)
    );
    for r in &summary.rules {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            super::markdown::code(&r.rule),
            r.severity,
            r.stats.violated,
            r.stats.due,
            r.stats.waived,
            r.stats.evaluated
        );
    }
    let (top, with_violations) = cases;
    if !top.is_empty() {
        out.push_str("\n### Cases with the most violations\n\n| case | violations |\n|---|---:|\n");
        for (key, n) in top {
            let _ = writeln!(out, "| {} | {n} |", cell(key, 200));
        }
        let more = with_violations.saturating_sub(top.len() as u64);
        if more > 0 {
            let _ = writeln!(out, "\n… and {more} more cases with violations.");
        }
    }
    if out.len() > STEP_SUMMARY_BYTES {
        let mut cut = STEP_SUMMARY_BYTES - 100;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("\n\n… (cut at GitHub's 1 MiB limit)\n");
    }
    out
}

/// `lint --format github`: a workflow annotation per diagnostic.
pub(crate) fn lint_github(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let kind = if d.is_error() { "error" } else { "warning" };
        let place = d
            .primary_span()
            .and_then(|s| span_region(sources, s))
            .map(|(file, r)| {
                let mut p = format!(
                    "file={},line={},col={}",
                    gh_prop(&file),
                    r.start_line.unwrap_or(1),
                    r.start_column.unwrap_or(1)
                );
                if let (Some(l), Some(c)) = (r.end_line, r.end_column) {
                    let _ = write!(p, ",endLine={l},endColumn={c}");
                }
                p + ","
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "::{kind} {place}title={}::{}",
            gh_prop(d.code.as_str()),
            gh_data(&diag_message(d))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_a_uri_cannot_hold() {
        assert_eq!(uri("examples/data/cases.csv"), "examples/data/cases.csv");
        assert_eq!(uri("my exports/100%.csv"), "my%20exports/100%25.csv");
        assert_eq!(uri("a\\b#c"), "a/b%23c");
    }

    #[test]
    fn workflow_commands_escape_their_parts() {
        assert_eq!(gh_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(gh_prop("a:b,c"), "a%3Ab%2Cc");
    }
}
