//! The report of `docket lint`: a summary line per policy (human), a line
//! per diagnostic (short), one JSON object, or SARIF, JUnit and GitHub
//! annotations located in the policy files.

use std::path::Path;

use serde::Serialize;

use super::ci;
use crate::diagnostic::{Code, Diagnostic, Level, count_words};
use crate::semantics::Loaded;
use crate::source::SourceMap;

/// The formats of `docket lint` (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub(crate) enum LintFormat {
    /// Rendered diagnostics on stderr, a summary on stdout.
    #[default]
    Human,
    /// One line per diagnostic on stdout: `file:line:col: severity[code]: message`.
    Short,
    /// One JSON object on stdout.
    Json,
    /// SARIF 2.1.0 on stdout (code scanning): diagnostics in the policy files.
    Sarif,
    /// JUnit XML on stdout: a test case per policy file.
    Junit,
    /// GitHub Actions workflow annotations on stdout.
    Github,
}

#[derive(Serialize)]
struct JsonDiag {
    code: Code,
    severity: Level,
    message: String,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    help: Option<String>,
}

#[derive(Serialize)]
struct JsonPolicy {
    path: String,
    name: Option<String>,
    rules: usize,
    tables: usize,
}

#[derive(Serialize, Default)]
struct JsonOut {
    ok: bool,
    policies: Vec<JsonPolicy>,
    diagnostics: Vec<JsonDiag>,
}

fn json_diag(d: &Diagnostic, sources: &SourceMap) -> JsonDiag {
    let loc = d.primary_span().and_then(|s| sources.locate(s));
    JsonDiag {
        code: d.code,
        severity: d.severity,
        message: d.message.clone(),
        file: loc.map(|l| l.0.to_string()),
        line: loc.map(|l| l.1),
        column: loc.map(|l| l.2),
        help: d.help.clone(),
    }
}

/// A lint report over one or more policies.
pub(crate) struct LintReport {
    format: LintFormat,
    deny_warnings: bool,
    failed: bool,
    text: String,
    json: JsonOut,
    runs: Vec<(String, Vec<Diagnostic>, SourceMap)>,
}

impl LintReport {
    /// An empty report; `deny_warnings` makes warnings fail too.
    pub(crate) fn new(format: LintFormat, deny_warnings: bool) -> LintReport {
        LintReport {
            format,
            deny_warnings,
            failed: false,
            text: String::new(),
            json: JsonOut::default(),
            runs: Vec::new(),
        }
    }

    /// Adds the policy at `path`, checked (against the export in `data`,
    /// when given); whether it fails.
    /// `files`: how each data file is read, shown under the human summary.
    pub(crate) fn add(
        &mut self,
        path: &Path,
        loaded: Loaded,
        data: Option<&Path>,
        files: &[String],
    ) -> bool {
        let has_errors = loaded.diagnostics.iter().any(Diagnostic::is_error);
        let bad = has_errors || (self.deny_warnings && !loaded.diagnostics.is_empty());
        self.failed |= bad;
        match self.format {
            LintFormat::Human => {
                self.text.push_str(&summary_line(path, &loaded, data, bad));
                for f in files {
                    self.text.push_str(&format!("  {f}\n"));
                }
            }
            LintFormat::Short => {
                for d in &loaded.diagnostics {
                    self.text
                        .push_str(&crate::diagnostic::one_line(d, &loaded.sources));
                    self.text.push('\n');
                }
            }
            LintFormat::Json => {
                self.json.diagnostics.extend(
                    loaded
                        .diagnostics
                        .iter()
                        .map(|d| json_diag(d, &loaded.sources)),
                );
                self.json.policies.push(JsonPolicy {
                    path: path.display().to_string(),
                    name: loaded.policy.as_ref().map(|p| p.name.clone()),
                    rules: loaded.policy.as_ref().map_or(0, |p| p.rules.len()),
                    tables: loaded.policy.as_ref().map_or(0, |p| p.tables.len()),
                });
            }
            LintFormat::Sarif | LintFormat::Junit | LintFormat::Github => {
                self.runs.push((
                    path.display().to_string(),
                    loaded.diagnostics,
                    loaded.sources,
                ));
            }
        }
        bad
    }

    /// The report's text, and whether any policy failed.
    pub(crate) fn finish(mut self) -> (String, bool) {
        let text = match self.format {
            LintFormat::Human | LintFormat::Short => self.text,
            LintFormat::Json => {
                self.json.ok = !self.failed;
                serde_json::to_string_pretty(&self.json)
                    .map(|s| s + "\n")
                    .unwrap_or_default()
            }
            LintFormat::Sarif => {
                let runs: Vec<(&[Diagnostic], &SourceMap)> = self
                    .runs
                    .iter()
                    .map(|(_, d, s)| (d.as_slice(), s))
                    .collect();
                ci::sarif_text(&ci::lint_sarif(&runs))
            }
            LintFormat::Junit => {
                let runs: Vec<(String, &[Diagnostic], &SourceMap)> = self
                    .runs
                    .iter()
                    .map(|(p, d, s)| (p.clone(), d.as_slice(), s))
                    .collect();
                ci::lint_junit(&runs, self.deny_warnings)
            }
            LintFormat::Github => self
                .runs
                .iter()
                .map(|(_, d, s)| ci::lint_github(d, s))
                .collect(),
        };
        (text, self.failed)
    }
}

/// "policies: policy "…" is valid: 18 rules, 4 tables, 5 files (0 errors, 0 warnings)".
fn summary_line(path: &Path, loaded: &Loaded, data: Option<&Path>, bad: bool) -> String {
    match &loaded.policy {
        Some(p) if !bad => format!(
            "{}: policy \"{}\" is valid{}: {} rules, {} tables, {} files ({})\n",
            path.display(),
            p.name,
            data.map_or(String::new(), |d| format!(" and reads {}", d.display())),
            p.rules.len(),
            p.tables.len(),
            loaded
                .sources
                .iter()
                .filter(|(_, f)| f.first_line == 1)
                .count(),
            count_words(&loaded.diagnostics),
        ),
        _ => format!("{}: {}\n", path.display(), count_words(&loaded.diagnostics)),
    }
}
