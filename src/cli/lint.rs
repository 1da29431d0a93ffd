//! `docket lint PATH…`: parse and check policies.

use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;

use super::{Ctx, Exit, count_words, print_out};
use crate::diagnostic::{Diagnostic, Severity};
use crate::report::ci;
use crate::semantics;
use crate::source::SourceMap;

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
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

/// Flags of `lint`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files or directories of `.docket` files (default: `policies`).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Also check the policy against the export in this directory: headers,
    /// unused columns, and a sample of values against the declared types.
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// A table's file for `--data` checks: `NAME=FILE`.
    #[arg(long = "table", value_name = "NAME=FILE")]
    pub tables: Vec<String>,
}

#[derive(Serialize)]
struct JsonDiag {
    code: &'static str,
    severity: Severity,
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

#[derive(Serialize)]
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

/// Runs `lint`.
pub fn run(ctx: &Ctx, args: Args) -> Exit {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.paths
    };
    let mut failed = false;
    let mut json = JsonOut {
        ok: true,
        policies: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut summary = String::new();
    let mut short = String::new();
    let data_sources = if args.data.is_some() || !args.tables.is_empty() {
        match super::setup::sources(ctx, args.data.clone(), &args.tables) {
            Ok(s) => Some(s),
            Err(e) => return e,
        }
    } else {
        None
    };
    let mut ci_runs: Vec<(String, Vec<Diagnostic>, SourceMap)> = Vec::new();
    for path in &paths {
        let mut loaded = semantics::load(path);
        if let (Some(ds), Some(p)) = (&data_sources, &loaded.policy)
            && !loaded.has_errors()
        {
            let mut extra = crate::lint::check_data(p, &mut loaded.sources, ds);
            loaded.diagnostics.append(&mut extra);
        }
        let has_errors = loaded.diagnostics.iter().any(Diagnostic::is_error);
        let bad = has_errors || (args.deny_warnings && !loaded.diagnostics.is_empty());
        failed |= bad;
        match args.format {
            Format::Human => {
                ctx.report(&loaded.diagnostics, &loaded.sources);
                match &loaded.policy {
                    Some(p) if !bad => summary.push_str(&format!(
                        "{}: policy \"{}\" is valid{}: {} rules, {} tables, {} files ({})\n",
                        path.display(),
                        p.name,
                        args.data
                            .as_ref()
                            .map_or(String::new(), |d| format!(" and reads {}", d.display())),
                        p.rules.len(),
                        p.tables.len(),
                        loaded
                            .sources
                            .iter()
                            .filter(|(_, f)| f.first_line == 1)
                            .count(),
                        count_words(&loaded.diagnostics),
                    )),
                    _ => summary.push_str(&format!(
                        "{}: {}\n",
                        path.display(),
                        count_words(&loaded.diagnostics)
                    )),
                }
            }
            Format::Short => {
                for d in &loaded.diagnostics {
                    short.push_str(&crate::diagnostic::one_line(d, &loaded.sources));
                    short.push('\n');
                }
            }
            Format::Json => {
                json.diagnostics.extend(
                    loaded
                        .diagnostics
                        .iter()
                        .map(|d| json_diag(d, &loaded.sources)),
                );
                json.policies.push(JsonPolicy {
                    path: path.display().to_string(),
                    name: loaded.policy.as_ref().map(|p| p.name.clone()),
                    rules: loaded.policy.as_ref().map_or(0, |p| p.rules.len()),
                    tables: loaded.policy.as_ref().map_or(0, |p| p.tables.len()),
                });
            }
            Format::Sarif | Format::Junit | Format::Github => ci_runs.push((
                path.display().to_string(),
                loaded.diagnostics,
                loaded.sources,
            )),
        }
    }
    json.ok = !failed;
    let text = match args.format {
        Format::Human => summary,
        Format::Short => short,
        Format::Json => serde_json::to_string_pretty(&json)
            .map(|s| s + "\n")
            .unwrap_or_default(),
        Format::Sarif => {
            let runs: Vec<(&[Diagnostic], &SourceMap)> =
                ci_runs.iter().map(|(_, d, s)| (d.as_slice(), s)).collect();
            ci::sarif_text(&ci::lint_sarif(&runs))
        }
        Format::Junit => {
            let runs: Vec<(String, &[Diagnostic], &SourceMap)> = ci_runs
                .iter()
                .map(|(p, d, s)| (p.clone(), d.as_slice(), s))
                .collect();
            ci::lint_junit(&runs, args.deny_warnings)
        }
        Format::Github => ci_runs
            .iter()
            .map(|(_, d, s)| ci::lint_github(d, s))
            .collect(),
    };
    if print_out(&text).is_err() {
        return Exit::Failure;
    }
    if failed { Exit::Failure } else { Exit::Ok }
}
