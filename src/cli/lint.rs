//! `docket lint PATH…`: parse and check policies.

use std::path::PathBuf;

use clap::ValueEnum;

use super::{Ctx, Exit, Failure, Outcome, print_out};
use crate::report::lint::{self, LintReport};
use crate::semantics;

/// Output formats of `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum Format {
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
pub(crate) struct Args {
    /// Policy files or directories of `.docket` files (default: `policies`).
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
    /// Treat warnings as errors.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// Also check the policy against the export in this directory: headers,
    /// unused columns, and a sample of values against the declared types.
    #[arg(long, value_name = "DIR")]
    pub(crate) data: Option<PathBuf>,
    /// A table's file for `--data` checks: `NAME=FILE`.
    #[arg(long = "table", value_name = "NAME=FILE")]
    pub(crate) tables: Vec<String>,
}

impl From<Format> for lint::Format {
    fn from(f: Format) -> lint::Format {
        match f {
            Format::Human => lint::Format::Human,
            Format::Short => lint::Format::Short,
            Format::Json => lint::Format::Json,
            Format::Sarif => lint::Format::Sarif,
            Format::Junit => lint::Format::Junit,
            Format::Github => lint::Format::Github,
        }
    }
}

/// Runs `lint`.
pub(crate) fn run(ctx: &Ctx, args: Args) -> Outcome {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.paths
    };
    let data_sources = if args.data.is_some() || !args.tables.is_empty() {
        Some(super::setup::sources(args.data.clone(), &args.tables)?)
    } else {
        None
    };
    let mut report = LintReport::new(args.format.into(), args.deny_warnings);
    for path in &paths {
        let mut loaded = semantics::load(path);
        if let (Some(ds), Some(p)) = (&data_sources, &loaded.policy)
            && !loaded.has_errors()
        {
            let mut extra = crate::lint::check_data(p, &mut loaded.sources, ds);
            loaded.diagnostics.append(&mut extra);
        }
        if args.format == Format::Human {
            ctx.report(&loaded.diagnostics, &loaded.sources);
        }
        report.add(path, loaded, args.data.as_deref());
    }
    let (text, failed) = report.finish();
    print_out(&text).map_err(|_| Failure::quiet())?;
    Ok(if failed { Exit::Failure } else { Exit::Ok })
}
