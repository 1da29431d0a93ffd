//! Reports: findings and data errors as people and tools read them.
//!
//! The shapes here are the command-line contract of `docket check`
//! (`--format json|ndjson|csv|human`); field names do not change.

pub(crate) mod baseline;
pub(crate) mod bounded;
pub(crate) mod case;
pub(crate) mod case_view;
pub(crate) mod check;
pub(crate) mod ci;
pub(crate) mod ci_kept;
pub(crate) mod ci_sarif;
pub(crate) mod diff;
pub(crate) mod due;
pub(crate) mod groups;
pub(crate) mod html;
pub(crate) mod html_charts;
pub(crate) mod human;
pub(crate) mod human_kept;
pub(crate) mod lint;
pub(crate) mod markdown;
pub(crate) mod rules;
pub(crate) mod testrun;

use std::sync::Arc;

use crate::diagnostic::Code;
use serde::Serialize;

use crate::data::{DataError, Dataset, FileAccount};
use crate::eval::Finding;
use crate::eval::audit::{Audit, RuleStats};
use crate::semantics::{Policy, Severity};
use crate::source::SourceMap;
use crate::time::Instant;

/// What every report needs.
pub(crate) struct Context<'a> {
    /// The checked policy.
    pub(crate) policy: &'a Policy,
    /// Its sources.
    pub(crate) sources: &'a SourceMap,
    /// The policy path as given.
    pub(crate) policy_path: &'a str,
    /// The data.
    pub(crate) data: &'a Dataset,
    /// As-of, ms since the epoch.
    pub(crate) now: i64,
    /// An earlier audit to compare findings with (`--baseline`).
    pub(crate) baseline: Option<&'a baseline::Baseline>,
    /// The evaluator of an audit whose findings come without messages: it
    /// writes the message of each finding a report shows.
    pub(crate) messages: Option<&'a (dyn crate::eval::Complete + Sync)>,
    /// The policy's field names per table, sorted: made once, shared by
    /// every finding's [`JsonFields`].
    pub(crate) field_names: std::sync::OnceLock<Vec<FieldNames>>,
}

impl<'a> Context<'a> {
    /// A context for one command's report: no policy path shown, no baseline.
    pub(crate) fn new(
        policy: &'a Policy,
        sources: &'a SourceMap,
        data: &'a Dataset,
        now: i64,
    ) -> Context<'a> {
        Context {
            policy,
            sources,
            policy_path: "",
            data,
            now,
            baseline: None,
            messages: None,
            field_names: std::sync::OnceLock::new(),
        }
    }

    /// As-of in RFC 3339 with the policy zone's offset.
    pub(crate) fn as_of(&self) -> String {
        Instant(self.now).rfc3339(self.policy.timezone)
    }

    /// A rule's severity.
    pub(crate) fn severity(&self, f: &Finding) -> Severity {
        self.policy
            .rules
            .get(f.rule)
            .map_or(Severity::Error, |r| r.severity)
    }

    /// A rule's id.
    pub(crate) fn rule_id(&self, f: &Finding) -> &str {
        self.policy.rules.get(f.rule).map_or("", |r| r.id.as_str())
    }

    /// File and line of a data row.
    pub(crate) fn place(&self, table: usize, row: u32) -> (String, u64) {
        match self.data.table(table) {
            Some(t) => (t.file.to_string(), t.line(row as usize)),
            None => (String::new(), 0),
        }
    }
}

/// `{"file","line","column"}` of a rule in the policy.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct PolicySpan {
    /// Policy file.
    pub(crate) file: String,
    /// 1-based line.
    pub(crate) line: usize,
    /// 1-based column.
    pub(crate) column: usize,
}

/// `{"file","line"}` of a data row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct RowRef {
    /// Data file.
    pub(crate) file: String,
    /// Physical line the record starts on.
    pub(crate) line: u64,
}

/// A finding as JSON, NDJSON and CSV show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct JsonFinding {
    /// Rule id.
    pub(crate) rule: String,
    /// `error` or `warning`.
    pub(crate) severity: &'static str,
    /// `violated` or `due`.
    pub(crate) status: &'static str,
    /// The case key.
    pub(crate) key: String,
    /// What is wrong, with the values.
    pub(crate) message: String,
    /// For due items: RFC 3339 in the policy's zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deadline: Option<String>,
    /// For ladders: the mark number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mark: Option<u64>,
    /// Where the rule is written.
    pub(crate) policy_span: PolicySpan,
    /// Data rows involved, the case first.
    pub(crate) rows: Vec<RowRef>,
    /// Rows of this case with data errors (unreadable cells read as
    /// missing, dropped rows): absent when the case read cleanly.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) data_errors: Vec<RowRef>,
    /// The waiver that covers it (status `waived`), or that expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) waiver: Option<JsonWaiver>,
    /// With `--baseline`: `new` or `persisting`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) baseline: Option<&'static str>,
    /// With `--baseline`: the as-of of the earliest report it is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) first_seen: Option<String>,
    /// The policy's `fields` for the finding's row (`null`: missing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fields: Option<JsonFields>,
}

/// A finding's fields by name (the policy's `fields` for its table).
pub(crate) fn fields_of(ctx: &Context, f: &Finding) -> Option<JsonFields> {
    let values = f.fields.clone()?;
    let names = ctx
        .field_names
        .get_or_init(|| field_names(ctx.policy))
        .get(f.table)
        .cloned()
        .unwrap_or_else(|| Arc::from([]));
    Some(JsonFields { names, values })
}

/// Field names, sorted, each with its place in the policy's `fields`.
pub(crate) type FieldNames = Arc<[(String, usize)]>;

/// Per table, the names of the policy's fields for it in sorted order, each
/// with its place in the policy's list (a name given twice: the later).
fn field_names(policy: &crate::semantics::Policy) -> Vec<FieldNames> {
    (0..policy.tables.len())
        .map(|t| {
            let by_name: std::collections::BTreeMap<&str, usize> = policy
                .fields
                .iter()
                .enumerate()
                .filter(|(_, d)| d.table == t)
                .map(|(i, d)| (d.name.as_str(), i))
                .collect();
            by_name
                .into_iter()
                .map(|(n, i)| (n.to_string(), i))
                .collect()
        })
        .collect()
}

/// A finding's fields as JSON shows them: an object of the policy's
/// `fields` for its table, names sorted, `null` for a missing value. It
/// shares the names with every finding and the values with its finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonFields {
    names: FieldNames,
    values: Arc<[Option<String>]>,
}

impl JsonFields {
    /// Each field's name and value, names sorted.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.names
            .iter()
            .map(|(n, i)| (n.as_str(), self.values.get(*i).and_then(|v| v.as_deref())))
    }

    /// The value of field `name` (`None`: missing or no such field).
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v)
    }

    /// As a JSON object.
    pub(crate) fn to_map(&self) -> serde_json::Map<String, serde_json::Value> {
        self.iter()
            .map(|(n, v)| {
                let v = v.map_or(serde_json::Value::Null, |v| {
                    serde_json::Value::String(v.to_string())
                });
                (n.to_string(), v)
            })
            .collect()
    }
}

impl Serialize for JsonFields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.names.len()))?;
        for (n, v) in self.iter() {
            m.serialize_entry(n, &v)?;
        }
        m.end()
    }
}

/// A waiver as reports show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub(crate) struct JsonWaiver {
    /// Its rule id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) rule: Option<String>,
    /// Its case (listed waivers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) case: Option<String>,
    /// Its mark (listed waivers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mark: Option<u64>,
    /// Why.
    pub(crate) reason: String,
    /// Who approved it.
    pub(crate) approved_by: String,
    /// Its last day, `YYYY-MM-DD`; absent: no expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expires: Option<String>,
    /// It has expired and covers nothing.
    pub(crate) expired: bool,
    /// The register and line it is written on.
    pub(crate) file: String,
    /// The line.
    pub(crate) line: u64,
}

impl JsonWaiver {
    /// A finding's waiver.
    pub(crate) fn of_note(n: &crate::eval::waive::WaiverNote) -> JsonWaiver {
        JsonWaiver {
            rule: None,
            case: None,
            mark: None,
            reason: n.reason.clone(),
            approved_by: n.approved_by.clone(),
            expires: n.expires.map(|d| d.to_string()),
            expired: n.expired,
            file: n.file.to_string(),
            line: n.line,
        }
    }

    /// A waiver of the register, listed (stale or expiring).
    pub(crate) fn listed(
        policy: &Policy,
        w: &crate::eval::waive::Waiver,
        expired: bool,
    ) -> JsonWaiver {
        JsonWaiver {
            rule: policy.rules.get(w.rule).map(|r| r.id.clone()),
            case: Some(w.key.clone()),
            mark: w.mark,
            reason: w.reason.clone(),
            approved_by: w.approved_by.clone(),
            expires: w.expires.map(|d| d.to_string()),
            expired,
            file: w.file.to_string(),
            line: w.line,
        }
    }

    /// "waived: REASON (approved by X, until D)" for text reports.
    pub(crate) fn words(&self) -> String {
        let until = self
            .expires
            .as_ref()
            .map_or(String::new(), |e| format!(", until {e}"));
        format!("{} (approved by {}{until})", self.reason, self.approved_by)
    }
}

/// The waivers register, as the summary lists it.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct WaiverLists {
    /// Waivers that matched no finding of this run.
    pub(crate) stale: Vec<JsonWaiver>,
    /// Unexpired waivers that expire within 30 days of the as-of date.
    pub(crate) expiring: Vec<JsonWaiver>,
}

/// Days ahead an expiring waiver is listed.
pub(crate) const EXPIRING_DAYS: i64 = 30;

impl WaiverLists {
    /// The lists, once the audit is done (stale is known only then).
    pub(crate) fn of(policy: &Policy, w: &crate::eval::waive::Waivers) -> WaiverLists {
        WaiverLists {
            stale: w
                .stale()
                .map(|x| JsonWaiver::listed(policy, x, w.expired(x)))
                .collect(),
            expiring: w
                .expiring(EXPIRING_DAYS)
                .map(|x| JsonWaiver::listed(policy, x, false))
                .collect(),
        }
    }
}

/// A finding with its message, fields and rows read: as it is, or, from
/// an audit that left them out, completed by its evaluator.
pub(crate) fn completed(ctx: &Context, f: &Finding) -> Finding {
    match ctx.messages {
        Some(ev) if f.message.is_empty() => ev.complete(f),
        _ => f.clone(),
    }
}

/// A finding in its report shape.
pub(crate) fn finding(ctx: &Context, f: &Finding) -> JsonFinding {
    let done;
    let f = match ctx.messages {
        Some(ev) if f.message.is_empty() => {
            done = ev.complete(f);
            &done
        }
        _ => f,
    };
    let rule = ctx.policy.rules.get(f.rule);
    let seen = ctx
        .baseline
        .map(|b| b.seen(ctx.rule_id(f), f, &ctx.as_of()));
    let policy_span = rule.and_then(|r| ctx.sources.locate(r.span)).map_or(
        PolicySpan {
            file: String::new(),
            line: 0,
            column: 0,
        },
        |(file, line, column)| PolicySpan {
            file: file.to_string(),
            line,
            column,
        },
    );
    JsonFinding {
        rule: ctx.rule_id(f).to_string(),
        severity: ctx.severity(f).as_str(),
        status: f.status.as_str(),
        key: f.key.to_string(),
        message: f.message.clone(),
        deadline: f.deadline.map(|d| Instant(d).rfc3339(ctx.policy.timezone)),
        mark: f.mark,
        policy_span,
        rows: f
            .rows
            .iter()
            .map(|&(t, r)| {
                let (file, line) = ctx.place(t, r);
                RowRef { file, line }
            })
            .collect(),
        data_errors: rows_with_errors(ctx, f),
        waiver: f.waiver.as_deref().map(JsonWaiver::of_note),
        baseline: seen.as_ref().map(|s| s.state),
        first_seen: seen.map(|s| s.first_seen),
        fields: fields_of(ctx, f),
    }
}

/// The rows with data errors a finding's case reads.
pub(crate) fn rows_with_errors(ctx: &Context, f: &Finding) -> Vec<RowRef> {
    f.data_errors
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(|&(t, line)| RowRef {
            file: ctx
                .data
                .table(t)
                .map_or_else(String::new, |d| d.file.to_string()),
            line,
        })
        .collect()
}

/// "this case reads rows with data errors: file:line, …" for text
/// reports, or nothing when there are none.
pub(crate) fn data_error_note(rows: &[RowRef]) -> Option<String> {
    const SHOWN: usize = 5;
    if rows.is_empty() {
        return None;
    }
    let mut shown: Vec<String> = rows
        .iter()
        .take(SHOWN)
        .map(|r| format!("{}:{}", r.file, r.line))
        .collect();
    if rows.len() > SHOWN {
        shown.push(format!("… {} in all", rows.len()));
    }
    Some(format!(
        "this case reads rows with data errors: {}",
        shown.join(", ")
    ))
}

/// The policy that ran.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PolicyInfo {
    /// `policy "…"`
    pub(crate) name: String,
    /// `version "…"`
    pub(crate) version: Option<String>,
    /// IANA zone.
    pub(crate) timezone: String,
    /// Path as given.
    pub(crate) path: String,
    /// Rules checked.
    pub(crate) rules: Vec<String>,
}

/// Per-rule counts.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RuleSummary {
    /// Rule id.
    pub(crate) rule: String,
    /// `error` or `warning`.
    pub(crate) severity: &'static str,
    /// Title.
    pub(crate) title: String,
    /// Counts.
    #[serde(flatten)]
    pub(crate) stats: RuleStats,
    /// With `--baseline`: new, persisting and resolved findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) baseline: Option<baseline::BaselineCounts>,
}

/// The baseline an audit was compared with, and the totals.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BaselineSummary {
    /// The baseline report, as given.
    pub(crate) path: String,
    /// Its as-of.
    pub(crate) as_of: String,
    /// Totals.
    #[serde(flatten)]
    pub(crate) counts: baseline::BaselineCounts,
}

/// Compares the audit with its baseline once it is done: the resolved
/// findings (of the rules checked), and the counts in the summary.
pub(crate) fn compare(
    ctx: &Context,
    b: &baseline::Baseline,
    summary: &mut Summary,
) -> Vec<baseline::Gone> {
    let rules: Vec<String> = summary.rules.iter().map(|r| r.rule.clone()).collect();
    let data = ctx.data;
    let in_export = |key: &str| {
        ctx.policy
            .rules
            .iter()
            .any(|r| data.table(r.subject).and_then(|t| t.row_of(key)).is_some())
    };
    let resolved = b.resolved(&rules, &in_export);
    let counts = b.counts(&resolved);
    let mut total = baseline::BaselineCounts::default();
    for r in &mut summary.rules {
        let c = counts.get(&r.rule).cloned().unwrap_or_default();
        total.new += c.new;
        total.persisting += c.persisting;
        total.resolved += c.resolved;
        r.baseline = Some(c);
    }
    summary.baseline = Some(BaselineSummary {
        path: b.path.clone(),
        as_of: b.as_of.clone(),
        counts: total,
    });
    resolved
}

/// Totals of a run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Summary {
    /// Subject rows (cases) evaluated.
    pub(crate) cases: u64,
    /// Violation findings.
    pub(crate) violated: u64,
    /// Due findings.
    pub(crate) due: u64,
    /// Violations of error rules.
    pub(crate) errors: u64,
    /// Violations of warning rules.
    pub(crate) warnings: u64,
    /// Data errors.
    pub(crate) data_errors: u64,
    /// Data warnings.
    pub(crate) data_warnings: u64,
    /// Violations counted but not listed (`--max-marks`).
    pub(crate) unlisted: u64,
    /// Violations and due items covered by a waiver.
    pub(crate) waived: u64,
    /// With `--baseline`: the earlier audit and the totals of new,
    /// persisting and resolved findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) baseline: Option<BaselineSummary>,
    /// With `--group-by`: the field grouped by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) group_by: Option<String>,
    /// With `--group-by`: per value of the field, its findings and cases.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) groups: Option<Vec<groups::Group>>,
    /// The HTML report: findings per month of the policy's first date
    /// field (its name, and the months in order).
    #[serde(skip)]
    pub(crate) months: Option<(String, Vec<groups::Group>)>,
    /// With `--waivers`: the waivers that matched nothing, and those about
    /// to expire.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) waivers: Option<WaiverLists>,
    /// Per rule, in policy order.
    pub(crate) rules: Vec<RuleSummary>,
    /// Per data file: rows read, loaded and rejected.
    pub(crate) files: Vec<FileAccount>,
}

/// The policy block.
pub(crate) fn policy_info(ctx: &Context, selected: &[usize]) -> PolicyInfo {
    PolicyInfo {
        name: ctx.policy.name.clone(),
        version: ctx.policy.version.clone(),
        timezone: ctx.policy.timezone.name().to_string(),
        path: ctx.policy_path.to_string(),
        rules: ctx
            .policy
            .rules
            .iter()
            .enumerate()
            .filter(|(i, _)| selected.is_empty() || selected.contains(i))
            .map(|(_, r)| r.id.clone())
            .collect(),
    }
}

/// The summary block.
pub(crate) fn summary(ctx: &Context, audit: &Audit, selected: &[usize]) -> Summary {
    let mut s = Summary {
        cases: audit.subjects,
        violated: 0,
        due: 0,
        errors: 0,
        warnings: 0,
        data_errors: ctx.data.errors.len() as u64,
        data_warnings: ctx.data.warnings.len() as u64,
        unlisted: 0,
        waived: 0,
        baseline: None,
        group_by: None,
        groups: None,
        months: None,
        waivers: None,
        rules: Vec::new(),
        files: ctx.data.accounts.clone(),
    };
    for (i, (rule, stats)) in ctx.policy.rules.iter().zip(&audit.stats).enumerate() {
        if !(selected.is_empty() || selected.contains(&i)) {
            continue;
        }
        s.violated += stats.violated;
        s.due += stats.due;
        s.unlisted += stats.unlisted;
        s.waived += stats.waived;
        match rule.severity {
            Severity::Error => s.errors += stats.violated,
            Severity::Warning => s.warnings += stats.violated,
        }
        s.rules.push(RuleSummary {
            rule: rule.id.clone(),
            severity: rule.severity.as_str(),
            title: rule.title.clone(),
            stats: stats.clone(),
            baseline: None,
        });
    }
    s
}

/// A data error as JSON.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct JsonDataError {
    /// The file.
    pub(crate) file: String,
    /// Physical line.
    pub(crate) line: u64,
    /// The column header, for errors about one cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) column: Option<String>,
    /// What is wrong.
    pub(crate) message: String,
    /// Stable code.
    pub(crate) code: Code,
    /// The offending text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) text: Option<String>,
    /// In a workbook: the cell (`Cases!F12`) or row (`Cases!12:12`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) cell: Option<String>,
}

/// Data errors and data warnings in report shape.
#[derive(Debug, Clone, Default)]
pub(crate) struct DataIssues {
    /// Data errors.
    pub(crate) errors: Vec<JsonDataError>,
    /// Data warnings.
    pub(crate) warnings: Vec<JsonDataError>,
}

impl DataIssues {
    /// Both lists of a dataset.
    pub(crate) fn of(data: &Dataset) -> DataIssues {
        DataIssues {
            errors: data_errors(&data.errors),
            warnings: data_errors(&data.warnings),
        }
    }
}

/// Data errors in report shape.
pub(crate) fn data_errors(errors: &[DataError]) -> Vec<JsonDataError> {
    errors
        .iter()
        .map(|e| JsonDataError {
            file: e.file.to_string(),
            line: e.line,
            column: e.column.clone(),
            message: e.message.clone(),
            code: e.code,
            text: e.text.clone(),
            cell: e.cell.clone(),
        })
        .collect()
}

/// The last line of `--format ndjson`.
#[derive(Serialize)]
pub(crate) struct NdjsonSummary {
    /// As-of.
    pub(crate) as_of: String,
    /// The policy.
    pub(crate) policy: PolicyInfo,
    /// Totals.
    pub(crate) summary: Summary,
    /// With `--baseline`: the baseline's findings that are gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) resolved: Option<Vec<baseline::Gone>>,
    /// Data errors in file order.
    pub(crate) data_errors: Vec<JsonDataError>,
    /// Data warnings in file order.
    pub(crate) data_warnings: Vec<JsonDataError>,
}

/// Header of `--format csv`. A row is a finding (`kind` `finding`), a
/// data error (`data-error`) or a data warning (`data-warning`); the
/// columns after `rows` were added in that order, so readers of the first
/// ten keep working.
pub(crate) const CSV_HEADER: [&str; CSV_COLUMNS] = [
    "rule",
    "severity",
    "status",
    "key",
    "message",
    "deadline",
    "policy_file",
    "policy_line",
    "policy_column",
    "rows",
    "kind",
    "mark",
    "data_errors",
    "code",
    "column",
    "text",
    "waiver_reason",
    "waiver_approved_by",
    "waiver_expires",
    "baseline",
    "first_seen",
];

/// Columns of `--format csv`.
pub(crate) const CSV_COLUMNS: usize = 21;

/// A cell as a spreadsheet may safely open it: text that a spreadsheet
/// would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, as OWASP recommends against CSV
/// injection.
pub(crate) fn spreadsheet_safe(s: String) -> String {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}"),
        _ => s,
    }
}

fn rows_cell(rows: &[RowRef]) -> String {
    rows.iter()
        .map(|r| format!("{}:{}", r.file, r.line))
        .collect::<Vec<_>>()
        .join("; ")
}

/// One `--format csv` record of a finding.
pub(crate) fn csv_record(f: &JsonFinding) -> [String; CSV_COLUMNS] {
    let w = f.waiver.as_ref();
    [
        f.rule.clone(),
        f.severity.to_string(),
        f.status.to_string(),
        f.key.clone(),
        f.message.clone(),
        f.deadline.clone().unwrap_or_default(),
        f.policy_span.file.clone(),
        f.policy_span.line.to_string(),
        f.policy_span.column.to_string(),
        rows_cell(&f.rows),
        "finding".to_string(),
        f.mark.map(|m| m.to_string()).unwrap_or_default(),
        rows_cell(&f.data_errors),
        String::new(),
        String::new(),
        String::new(),
        w.map(|w| w.reason.clone()).unwrap_or_default(),
        w.map(|w| w.approved_by.clone()).unwrap_or_default(),
        w.and_then(|w| w.expires.clone()).unwrap_or_default(),
        f.baseline.unwrap_or_default().to_string(),
        f.first_seen.clone().unwrap_or_default(),
    ]
    .map(spreadsheet_safe)
}

/// One `--format csv` record of a baseline finding that is gone (`kind`
/// `resolved`; its status is the one it had).
pub(crate) fn csv_resolved_record(r: &baseline::Gone) -> [String; CSV_COLUMNS] {
    let f = &r.finding;
    let mut rec: [String; CSV_COLUMNS] = Default::default();
    let cells = [
        (0, f.rule.clone()),
        (1, f.severity.clone()),
        (2, f.status.clone()),
        (3, f.key.clone()),
        (4, f.message.clone()),
        (10, "resolved".to_string()),
        (11, f.mark.map(|m| m.to_string()).unwrap_or_default()),
        (19, "resolved".to_string()),
        (20, f.first_seen.clone().unwrap_or_default()),
    ];
    for (i, v) in cells {
        if let Some(c) = rec.get_mut(i) {
            *c = v;
        }
    }
    rec.map(spreadsheet_safe)
}

/// One `--format csv` record of a data error (`warning`: a data warning).
pub(crate) fn csv_data_record(e: &JsonDataError, warning: bool) -> [String; CSV_COLUMNS] {
    let (severity, kind) = if warning {
        ("warning", "data-warning")
    } else {
        ("error", "data-error")
    };
    [
        String::new(),
        severity.to_string(),
        String::new(),
        String::new(),
        e.message.clone(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("{}:{}", e.file, e.line),
        kind.to_string(),
        String::new(),
        String::new(),
        e.code.to_string(),
        e.column.clone().unwrap_or_default(),
        e.text.clone().unwrap_or_default(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ]
    .map(spreadsheet_safe)
}
