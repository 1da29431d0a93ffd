//! `docket gen`: write a generated export in format v1.

use std::path::PathBuf;

use super::{Ctx, Exit, print_out};
use crate::diagnostic::Diagnostic;
use crate::generate::{GenOptions, generate};
use crate::semantics::io_reason;

/// Flags of `gen`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of cases (accounts, opportunities and events follow from it).
    #[arg(long, default_value_t = 1000)]
    pub cases: usize,
    /// Random seed; the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory to write accounts.csv, opportunities.csv, cases.csv and case_events.csv into.
    #[arg(long)]
    pub out: PathBuf,
    /// Fraction of dates written US-style (6/3/2024).
    #[arg(long, default_value_t = 0.1)]
    pub us_dates: f64,
    /// Fraction of rows with a deliberate data error.
    #[arg(long, default_value_t = 0.0)]
    pub errors: f64,
    /// Write CRLF line ends.
    #[arg(long)]
    pub crlf: bool,
    /// Write into `--out` even when it already holds files (the export's
    /// four files are replaced).
    #[arg(long)]
    pub force: bool,
}

/// Runs `gen`.
pub fn run(ctx: &Ctx, a: Args) -> Exit {
    let holds_files = std::fs::read_dir(&a.out).is_ok_and(|mut d| d.next().is_some());
    if holds_files && !a.force {
        ctx.report(
            &[Diagnostic::error(
                "docket::cli::output",
                format!(
                    "refusing to write the export into `{}`: it is not empty",
                    a.out.display()
                ),
            )
            .with_help("name a new or empty directory, or give `--force` to replace the export's files there")],
            &crate::source::SourceMap::new(),
        );
        return Exit::Failure;
    }
    if a.out.exists() && !a.out.is_dir() {
        ctx.report(
            &[Diagnostic::error(
                "docket::cli::output",
                format!(
                    "refusing to write the export into `{}`: it is a file",
                    a.out.display()
                ),
            )
            .with_help("name a directory")],
            &crate::source::SourceMap::new(),
        );
        return Exit::Failure;
    }
    let opts = GenOptions {
        cases: a.cases,
        seed: a.seed,
        us_dates: a.us_dates,
        errors: a.errors,
        crlf: a.crlf,
    };
    match generate(&a.out, &opts) {
        Ok(r) => {
            let _ = print_out(&format!(
                "wrote {} accounts, {} opportunities, {} cases and {} events ({:.1} MB) to {}\n",
                r.accounts,
                r.opportunities,
                r.cases,
                r.events,
                r.bytes as f64 / 1e6,
                a.out.display()
            ));
            Exit::Ok
        }
        Err(e) => {
            ctx.report(
                &[Diagnostic::error(
                    "docket::io::write",
                    format!(
                        "cannot write the export to `{}`: {}",
                        a.out.display(),
                        io_reason(&e)
                    ),
                )],
                &crate::source::SourceMap::new(),
            );
            Exit::Failure
        }
    }
}
