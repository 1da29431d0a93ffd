//! `docket lint PATH…`: parse and check policies.

use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;

use super::{Ctx, Exit, count_words, print_out};
use crate::diagnostic::{Diagnostic, Severity};
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
    for path in &paths {
        let loaded = semantics::load(path);
        let bad = loaded.has_errors() || (args.deny_warnings && !loaded.diagnostics.is_empty());
        failed |= bad;
        match args.format {
            Format::Human => {
                ctx.report(&loaded.diagnostics, &loaded.sources);
                match &loaded.policy {
                    Some(p) if !bad => summary.push_str(&format!(
                        "{}: policy \"{}\" is valid: {} rules, {} tables, {} files ({})\n",
                        path.display(),
                        p.name,
                        p.rules.len(),
                        p.tables.len(),
                        loaded.sources.iter().count(),
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
        }
    }
    json.ok = !failed;
    let text = match args.format {
        Format::Human => summary,
        Format::Short => short,
        Format::Json => serde_json::to_string_pretty(&json)
            .map(|s| s + "\n")
            .unwrap_or_default(),
    };
    if print_out(&text).is_err() {
        return Exit::Failure;
    }
    if failed { Exit::Failure } else { Exit::Ok }
}
