//! `docket lint PATH…`: parse and check policies.

use std::path::PathBuf;

use super::{Ctx, Exit, Failure, Outcome, print_out};
use crate::report::lint::{LintFormat, LintReport};
use crate::semantics;

/// Flags of `lint`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy files or directories of `.docket` files (default: `policies`).
    pub(crate) paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: LintFormat,
    /// Treat warnings as errors.
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// Also check the policy against the export in this directory: headers,
    /// unused columns, and a sample of values against the declared types.
    #[arg(long, value_name = "DIR")]
    pub(crate) data: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) read: super::setup::ReadArgs,
    /// Also warn about every construct `docket compile` cannot compile to
    /// this SQL dialect.
    #[arg(long, value_enum)]
    pub(crate) dialect: Option<super::compile::DialectArg>,
}

/// Runs `lint`.
pub(crate) fn run(ctx: &Ctx, args: Args) -> Outcome {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        args.paths
    };
    let data_sources = if args.data.is_some() || args.read.any() {
        Some(super::setup::sources(args.data.clone(), &args.read)?)
    } else {
        None
    };
    let mut report = LintReport::new(args.format, args.deny_warnings);
    for path in &paths {
        let mut loaded = semantics::load(path);
        let mut files = Vec::new();
        if let (Some(ds), Some(p)) = (&data_sources, &loaded.policy)
            && !loaded.has_errors()
        {
            let (mut extra, read) = crate::lint::check_data(p, &mut loaded.sources, ds);
            loaded.diagnostics.append(&mut extra);
            files = read;
        }
        if let (Some(d), Some(p)) = (args.dialect, &loaded.policy)
            && !loaded.has_errors()
        {
            loaded
                .diagnostics
                .append(&mut crate::sql::lint(p, d.dialect()));
        }
        if args.format == LintFormat::Human {
            ctx.report(&loaded.diagnostics, &loaded.sources);
        }
        report.add(path, loaded, args.data.as_deref(), &files);
    }
    let (text, failed) = report.finish();
    print_out(&text).map_err(|_| Failure::quiet())?;
    Ok(if failed { Exit::Failure } else { Exit::Ok })
}
