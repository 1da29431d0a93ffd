//! The report of `docket check`, in every format: how it starts, how each
//! chunk of findings is written as it arrives (JSON, NDJSON and CSV
//! stream), and how it ends (the summary, data errors and warnings; the
//! formats that need every finding at once are written there).

use serde::Serialize;

use super::baseline::Gone;

use super::ci_kept::CiKept;
use super::{
    Context, DataIssues, JsonFields, Summary, ci, csv_data_record, csv_record, data_errors, human,
};
use crate::diagnostic::RenderOptions;
use crate::eval::Finding;
use crate::semantics::Severity;

/// The formats of `docket check` (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub(crate) enum CheckFormat {
    /// Findings drawn with the policy line and the data rows, then a per-rule table.
    #[default]
    Human,
    /// One JSON object.
    Json,
    /// One finding per line as found, then a summary line.
    Ndjson,
    /// One row per finding, for spreadsheets.
    Csv,
    /// SARIF 2.1.0 (code scanning): findings at their data rows, rules with help.
    Sarif,
    /// JUnit XML: one test case per rule, failures listing the cases.
    Junit,
    /// GitHub Actions workflow annotations, one per finding.
    Github,
    /// Only the per-rule table (and the `--group-by`, baseline and waiver
    /// tables), the file accounting and the totals.
    Summary,
    /// One self-contained HTML page: summary, charts, and a findings table
    /// with filters and a detail view (the first 50,000 findings).
    Html,
}

impl CheckFormat {
    /// Whether the format shows every finding's message (else it counts
    /// them, or lists a bounded number: their messages are written when
    /// the report needs them, see [`Context::messages`]).
    pub(crate) fn writes_every_message(self) -> bool {
        !matches!(
            self,
            CheckFormat::Summary
                | CheckFormat::Sarif
                | CheckFormat::Junit
                | CheckFormat::Github
                | CheckFormat::Human
                | CheckFormat::Html
        )
    }
}

/// A check report being written.
pub(crate) struct CheckReport<'c, 'a> {
    ctx: &'c Context<'a>,
    format: CheckFormat,
    selected: &'c [usize],
    /// HTML: the first finding of each rule, to show its rows' text.
    first: super::html::FirstRows,
    /// HTML: findings written into the page.
    embedded: std::sync::atomic::AtomicUsize,
    /// SARIF, JUnit, GitHub: what they keep of the findings as they stream.
    ci: Option<super::ci_kept::CiKept>,
    /// The human report: the lines it shows of each rule.
    human: Option<super::human_kept::HumanKept>,
}

/// Results per SARIF run GitHub code scanning accepts.
pub(crate) const SARIF_MAX_RESULTS: usize = 25_000;

fn to_json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

/// Serialises `v` at the end of `out`, or writes `instead` if it cannot
/// be (then `false`).
fn write_json<T: Serialize>(out: &mut Vec<u8>, v: &T, instead: &[u8]) -> bool {
    let at = out.len();
    let ok = serde_json::to_writer(&mut *out, v).is_ok();
    if !ok {
        out.truncate(at);
        out.extend_from_slice(instead);
    }
    ok
}

/// Lets `write` append JSON to `buf` as bytes, with no string made per
/// value: the text is checked once, at the end.
fn json_into(buf: &mut String, write: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::mem::take(buf).into_bytes();
    write(&mut bytes);
    *buf = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

fn json_line<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// CSV records; with none, the header row (written first, so the data
/// errors and warnings after the findings share it).
/// After the fixed columns, one per field of the policy (`fields …`),
/// named after it; a data error's are empty.
fn csv_text(
    ctx: &Context,
    records: impl Iterator<Item = ([String; super::CSV_COLUMNS], Option<JsonFields>)>,
    header: bool,
) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let names: Vec<&str> = ctx.policy.fields.iter().map(|f| f.name.as_str()).collect();
    if header {
        let _ = w.write_record(
            super::CSV_HEADER
                .iter()
                .copied()
                .chain(names.iter().copied()),
        );
    }
    for (r, fields) in records {
        let values = names.iter().map(|n| {
            let v = fields.as_ref().and_then(|m| m.get(n));
            super::spreadsheet_safe(v.unwrap_or_default().to_string())
        });
        let _ = w.write_record(r.into_iter().chain(values));
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

impl<'c, 'a> CheckReport<'c, 'a> {
    /// A report of the rules in `selected` (all when empty).
    pub(crate) fn new(ctx: &'c Context<'a>, format: CheckFormat, selected: &'c [usize]) -> Self {
        CheckReport {
            ctx,
            format,
            selected,
            first: super::html::FirstRows::default(),
            embedded: std::sync::atomic::AtomicUsize::new(0),
            ci: CiKept::is_for(format).then(|| CiKept::new(ctx, format, SARIF_MAX_RESULTS)),
            human: (format == CheckFormat::Human).then(super::human_kept::HumanKept::default),
        }
    }

    /// SARIF lists at most `n` results (the rest counted in a note).
    pub(crate) fn with_max_results(mut self, n: Option<usize>) -> Self {
        if CiKept::is_for(self.format) {
            let cap = n.unwrap_or(SARIF_MAX_RESULTS);
            self.ci = Some(CiKept::new(self.ctx, self.format, cap));
        }
        self
    }

    /// Whether [`CheckReport::observe`] wants the findings (in report order).
    pub(crate) fn observes(&self) -> bool {
        self.ci.is_some() || self.human.is_some()
    }

    /// Findings in report order, grouped by case (`by_case`) or sorted
    /// some other way: what the CI formats keep of them.
    pub(crate) fn observe(&self, found: &[Finding], by_case: bool) {
        if let Some(h) = &self.human {
            h.observe(self.ctx, found);
        }
        match &self.ci {
            Some(ci) if by_case => ci.observe(self.ctx, found, true),
            Some(ci) => ci.observe_sorted(self.ctx, found),
            None => {}
        }
    }

    /// Whether findings are written as they come (else they are collected
    /// and written by [`CheckReport::end`]).
    pub(crate) fn streams(&self) -> bool {
        matches!(
            self.format,
            CheckFormat::Json
                | CheckFormat::Ndjson
                | CheckFormat::Csv
                | CheckFormat::Summary
                | CheckFormat::Html
                | CheckFormat::Sarif
                | CheckFormat::Junit
                | CheckFormat::Github
                | CheckFormat::Human
        )
    }

    /// The findings a chunk written now may hold at most (HTML embeds a
    /// bounded number); `None`: every one. The caller says how many it wrote.
    pub(crate) fn room(&self) -> Option<usize> {
        (self.format == CheckFormat::Html).then(|| {
            super::html::MAX_EMBEDDED
                .saturating_sub(self.embedded.load(std::sync::atomic::Ordering::Relaxed))
        })
    }

    /// Notes that `n` findings were written (see [`CheckReport::room`]).
    pub(crate) fn wrote(&self, n: usize) {
        self.embedded
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// What comes before the findings.
    pub(crate) fn begin(&self) -> String {
        match self.format {
            CheckFormat::Json => {
                let head = |k: &str, v: String| format!("\"{k}\":{v},\n");
                let mut s = String::from("{");
                s.push_str(&head("as_of", to_json(&self.ctx.as_of())));
                s.push_str(&head(
                    "policy",
                    to_json(&super::policy_info(self.ctx, self.selected)),
                ));
                s.push_str("\"findings\":[");
                s
            }
            CheckFormat::Csv => csv_text(self.ctx, std::iter::empty(), true),
            CheckFormat::Html => super::html::begin(self.ctx),
            _ => String::new(),
        }
    }

    /// A chunk of findings, written into `buf` (on a worker thread).
    pub(crate) fn chunk(&self, found: &[Finding], buf: &mut String) {
        match self.format {
            CheckFormat::Html => {
                self.first.observe(found);
                // Past the page's cap, findings are only counted.
                if self.room() != Some(0) {
                    super::html::rows(self.ctx, found, buf);
                }
            }
            CheckFormat::Json => json_into(buf, |out| {
                for (i, f) in found.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(b",\n");
                    }
                    write_json(out, &super::finding(self.ctx, f), b"null");
                }
            }),
            CheckFormat::Ndjson => json_into(buf, |out| {
                for f in found {
                    if write_json(out, &super::finding(self.ctx, f), b"") {
                        out.push(b'\n');
                    }
                }
            }),
            CheckFormat::Csv => {
                let records = found
                    .iter()
                    .map(|f| super::finding(self.ctx, f))
                    .map(|f| (csv_record(&f), f.fields));
                buf.push_str(&csv_text(self.ctx, records, false));
            }
            _ => {}
        }
    }

    /// What goes before a rendered chunk (`first`: no chunk was written yet).
    pub(crate) fn separator(&self, first: bool) -> &'static str {
        match (self.format, first) {
            (CheckFormat::Json, true) => "\n",
            (CheckFormat::Json | CheckFormat::Html, false) => ",\n",
            _ => "",
        }
    }

    /// What comes after the findings: the summary, data errors and
    /// warnings, or the whole report for the formats that do not stream.
    /// Written through `write` (SARIF a result at a time).
    pub(crate) fn end(
        &self,
        summary: &Summary,
        resolved: &[Gone],
        fail_on: Severity,
        opts: RenderOptions,
        write: &mut dyn FnMut(&str),
    ) {
        if self.format == CheckFormat::Sarif {
            return self.sarif(write);
        }
        write(&self.end_text(summary, resolved, fail_on, opts));
    }

    fn end_text(
        &self,
        summary: &Summary,
        resolved: &[Gone],
        fail_on: Severity,
        opts: RenderOptions,
    ) -> String {
        let data = self.ctx.data;
        match self.format {
            CheckFormat::Json => {
                let mut s = String::new();
                if self.ctx.baseline.is_some() {
                    s.push_str("\n],\n\"resolved\":[");
                    for (n, r) in resolved.iter().enumerate() {
                        s.push_str(if n == 0 { "\n" } else { ",\n" });
                        s.push_str(&to_json(r));
                    }
                }
                for (name, list) in [
                    ("data_errors", &data.errors),
                    ("data_warnings", &data.warnings),
                ] {
                    s.push_str(&format!("\n],\n\"{name}\":["));
                    for (n, e) in data_errors(list).iter().enumerate() {
                        s.push_str(if n == 0 { "\n" } else { ",\n" });
                        s.push_str(&to_json(e));
                    }
                }
                s.push_str("\n],\n");
                s.push_str(&format!("\"summary\":{}\n}}\n", to_json(summary)));
                s
            }
            CheckFormat::Ndjson => json_line(&super::NdjsonSummary {
                as_of: self.ctx.as_of(),
                policy: super::policy_info(self.ctx, self.selected),
                summary: summary.clone(),
                resolved: self.ctx.baseline.map(|_| resolved.to_vec()),
                data_errors: data_errors(&data.errors),
                data_warnings: data_errors(&data.warnings),
            }),
            CheckFormat::Csv => {
                let gone = resolved
                    .iter()
                    .map(|r| (super::csv_resolved_record(r), None));
                let errors = data_errors(&data.errors)
                    .into_iter()
                    .map(|e| (csv_data_record(&e, false), None));
                let warnings = data_errors(&data.warnings)
                    .into_iter()
                    .map(|e| (csv_data_record(&e, true), None));
                csv_text(self.ctx, gone.chain(errors).chain(warnings), false)
            }
            CheckFormat::Sarif | CheckFormat::Junit | CheckFormat::Github => {
                self.ci(summary, fail_on)
            }
            CheckFormat::Human => {
                let lines = self.human.as_ref().map(|h| h.take()).unwrap_or_default();
                human::render(self.ctx, &lines, summary, resolved, opts)
            }
            CheckFormat::Summary => human::summary_only(self.ctx, summary, resolved),
            CheckFormat::Html => super::html::end(
                self.ctx,
                summary,
                resolved,
                &self.first,
                self.embedded.load(std::sync::atomic::Ordering::Relaxed),
                &std::iter::once("docket".to_string())
                    .chain(std::env::args().skip(1))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }

    /// GitHub's job summary in markdown: totals, the per-rule table and the
    /// cases with the most violations (under 1 MiB).
    pub(crate) fn step_summary(&self, summary: &Summary) -> String {
        let cases = self.ci.as_ref().map(CiKept::take_cases).unwrap_or_default();
        ci::step_summary(self.ctx, &cases, summary, &human::totals(summary))
    }

    /// The SARIF log of the findings kept, written a result at a time.
    fn sarif(&self, write: &mut dyn FnMut(&str)) {
        let Some(kept) = &self.ci else {
            return;
        };
        let issues = DataIssues::of(self.ctx.data);
        let (found, seen) = kept.take_kept();
        let cap = kept.cap();
        let run = (self.ctx, self.selected, &issues, cap);
        super::ci_sarif::write_check_sarif(run, found, seen, write);
    }

    /// JUnit or GitHub annotations, from the findings kept.
    fn ci(&self, summary: &Summary, fail_on: Severity) -> String {
        let Some(kept) = &self.ci else {
            return String::new();
        };
        let issues = DataIssues::of(self.ctx.data);
        match self.format {
            CheckFormat::Junit => {
                ci::check_junit(self.ctx, &kept.take_listings(), summary, &issues, fail_on)
            }
            _ => {
                let (found, seen) = kept.take_kept();
                let found: Vec<_> = found
                    .into_iter()
                    .map(|(rank, f)| (rank, super::finding(self.ctx, &f)))
                    .collect();
                ci::check_github(&found, seen, &issues, summary, &human::totals(summary))
            }
        }
    }
}
