//! Reports: findings and data errors as people and tools read them.
//!
//! The shapes here are the command-line contract of `docket check`
//! (`--format json|ndjson|csv|human`); field names do not change.

pub mod ci;
pub mod diff;
pub mod human;

use serde::Serialize;

use crate::data::{DataError, Dataset, FileAccount};
use crate::eval::Finding;
use crate::eval::audit::{Audit, RuleStats};
use crate::semantics::{Policy, Severity};
use crate::source::SourceMap;
use crate::time::Instant;

/// What every report needs.
pub struct Context<'a> {
    /// The checked policy.
    pub policy: &'a Policy,
    /// Its sources.
    pub sources: &'a SourceMap,
    /// The policy path as given.
    pub policy_path: &'a str,
    /// The data.
    pub data: &'a Dataset,
    /// As-of, ms since the epoch.
    pub now: i64,
}

impl Context<'_> {
    /// As-of in RFC 3339 with the policy zone's offset.
    pub fn as_of(&self) -> String {
        Instant(self.now).rfc3339(self.policy.timezone)
    }

    /// A rule's severity.
    pub fn severity(&self, f: &Finding) -> Severity {
        self.policy
            .rules
            .get(f.rule)
            .map_or(Severity::Error, |r| r.severity)
    }

    /// A rule's id.
    pub fn rule_id(&self, f: &Finding) -> &str {
        self.policy.rules.get(f.rule).map_or("", |r| r.id.as_str())
    }

    /// File and line of a data row.
    pub fn place(&self, table: usize, row: u32) -> (String, u64) {
        match self.data.table(table) {
            Some(t) => (t.file.to_string(), t.line(row as usize)),
            None => (String::new(), 0),
        }
    }
}

/// `{"file","line","column"}` of a rule in the policy.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PolicySpan {
    /// Policy file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// `{"file","line"}` of a data row.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RowRef {
    /// Data file.
    pub file: String,
    /// Physical line the record starts on.
    pub line: u64,
}

/// A finding as JSON, NDJSON and CSV show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonFinding {
    /// Rule id.
    pub rule: String,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// `violated` or `due`.
    pub status: &'static str,
    /// The case key.
    pub key: String,
    /// What is wrong, with the values.
    pub message: String,
    /// For due items: RFC 3339 in the policy's zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Where the rule is written.
    pub policy_span: PolicySpan,
    /// Data rows involved, the case first.
    pub rows: Vec<RowRef>,
}

/// A finding in its report shape.
pub fn finding(ctx: &Context, f: &Finding) -> JsonFinding {
    let rule = ctx.policy.rules.get(f.rule);
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
        key: f.key.clone(),
        message: f.message.clone(),
        deadline: f.deadline.map(|d| Instant(d).rfc3339(ctx.policy.timezone)),
        policy_span,
        rows: f
            .rows
            .iter()
            .map(|&(t, r)| {
                let (file, line) = ctx.place(t, r);
                RowRef { file, line }
            })
            .collect(),
    }
}

/// The policy that ran.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyInfo {
    /// `policy "…"`
    pub name: String,
    /// `version "…"`
    pub version: Option<String>,
    /// IANA zone.
    pub timezone: String,
    /// Path as given.
    pub path: String,
    /// Rules checked.
    pub rules: Vec<String>,
}

/// Per-rule counts.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    /// Rule id.
    pub rule: String,
    /// `error` or `warning`.
    pub severity: &'static str,
    /// Title.
    pub title: String,
    /// Counts.
    #[serde(flatten)]
    pub stats: RuleStats,
}

/// Totals of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Subject rows (cases) evaluated.
    pub cases: u64,
    /// Violation findings.
    pub violated: u64,
    /// Due findings.
    pub due: u64,
    /// Violations of error rules.
    pub errors: u64,
    /// Violations of warning rules.
    pub warnings: u64,
    /// Data errors.
    pub data_errors: u64,
    /// Per rule, in policy order.
    pub rules: Vec<RuleSummary>,
    /// Per data file: rows read, loaded and rejected.
    pub files: Vec<FileAccount>,
}

/// The policy block.
pub fn policy_info(ctx: &Context, selected: &[usize]) -> PolicyInfo {
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
pub fn summary(ctx: &Context, audit: &Audit, selected: &[usize]) -> Summary {
    let mut s = Summary {
        cases: audit.subjects,
        violated: 0,
        due: 0,
        errors: 0,
        warnings: 0,
        data_errors: ctx.data.errors.len() as u64,
        rules: Vec::new(),
        files: ctx.data.accounts.clone(),
    };
    for (i, (rule, stats)) in ctx.policy.rules.iter().zip(&audit.stats).enumerate() {
        if !(selected.is_empty() || selected.contains(&i)) {
            continue;
        }
        s.violated += stats.violated;
        s.due += stats.due;
        match rule.severity {
            Severity::Error => s.errors += stats.violated,
            Severity::Warning => s.warnings += stats.violated,
        }
        s.rules.push(RuleSummary {
            rule: rule.id.clone(),
            severity: rule.severity.as_str(),
            title: rule.title.clone(),
            stats: stats.clone(),
        });
    }
    s
}

/// A data error as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDataError {
    /// The file.
    pub file: String,
    /// Physical line.
    pub line: u64,
    /// The column header, for errors about one cell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Stable code.
    pub code: &'static str,
    /// The offending text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Data errors in report shape.
pub fn data_errors(errors: &[DataError]) -> Vec<JsonDataError> {
    errors
        .iter()
        .map(|e| JsonDataError {
            file: e.file.to_string(),
            line: e.line,
            column: e.column.clone(),
            message: e.message.clone(),
            code: e.code,
            text: e.text.clone(),
        })
        .collect()
}

/// The last line of `--format ndjson`.
#[derive(Serialize)]
pub struct NdjsonSummary {
    /// As-of.
    pub as_of: String,
    /// The policy.
    pub policy: PolicyInfo,
    /// Totals.
    pub summary: Summary,
    /// Data errors in file order.
    pub data_errors: Vec<JsonDataError>,
}

/// Header of `--format csv`.
pub const CSV_HEADER: [&str; 10] = [
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
];

/// One `--format csv` record.
pub fn csv_record(f: &JsonFinding) -> [String; 10] {
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
        f.rows
            .iter()
            .map(|r| format!("{}:{}", r.file, r.line))
            .collect::<Vec<_>>()
            .join("; "),
    ]
}
