//! `docket gen`: write a generated export in format v1.

use std::path::PathBuf;

use super::{Exit, Outcome, print_out};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::generate::{GenOptions, generate};
use crate::semantics::io_reason;

/// Flags of `gen`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Number of cases (accounts, opportunities and events follow from it).
    #[arg(long, default_value_t = 1000)]
    pub(crate) cases: usize,
    /// Random seed; the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Directory to write accounts.csv, opportunities.csv, cases.csv and case_events.csv into.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Fraction of dates written US-style (6/3/2024).
    #[arg(long, default_value_t = 0.1)]
    pub(crate) us_dates: f64,
    /// Fraction of rows with a deliberate data error.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) errors: f64,
    /// Write CRLF line ends.
    #[arg(long)]
    pub(crate) crlf: bool,
    /// Write into `--out` even when it already holds files (the export's
    /// four files are replaced).
    #[arg(long)]
    pub(crate) force: bool,
}

/// Runs `gen`.
pub(crate) fn run(a: Args) -> Outcome {
    let holds_files = std::fs::read_dir(&a.out).is_ok_and(|mut d| d.next().is_some());
    if holds_files && !a.force {
        return Err(Diagnostic::error(
            Code::CliOutput,
            format!(
                "refusing to write the export into `{}`: it is not empty",
                a.out.display()
            ),
        )
        .with_help(
            "name a new or empty directory, or give `--force` to replace the export's files there",
        )
        .into());
    }
    if a.out.exists() && !a.out.is_dir() {
        return Err(Diagnostic::error(
            Code::CliOutput,
            format!(
                "refusing to write the export into `{}`: it is a file",
                a.out.display()
            ),
        )
        .with_help("name a directory")
        .into());
    }
    let opts = GenOptions {
        cases: a.cases,
        seed: a.seed,
        us_dates: a.us_dates,
        errors: a.errors,
        crlf: a.crlf,
    };
    let r = generate(&a.out, &opts).map_err(|e| {
        Diagnostic::error(
            Code::IoWrite,
            format!(
                "cannot write the export to `{}`: {}",
                a.out.display(),
                io_reason(&e)
            ),
        )
    })?;
    let _ = print_out(&format!(
        "wrote {} accounts, {} opportunities, {} cases and {} events ({:.1} MB) to {}\n",
        r.accounts,
        r.opportunities,
        r.cases,
        r.events,
        r.bytes as f64 / 1e6,
        a.out.display()
    ));
    Ok(Exit::Ok)
}
