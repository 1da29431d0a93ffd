//! `docket compile`: the policy as one SQL script for an engine that holds
//! the data.

use std::path::PathBuf;

use super::check::Out;
use super::{Ctx, Exit, Failure, Outcome, setup};
use crate::diagnostic::{Code, Diagnostic};
use crate::semantics::io_reason;
use crate::sql::{self, Engine};

/// Flags of `compile`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy (a file or a directory of `.docket` files).
    #[arg(long, default_value = "policies")]
    pub(crate) policy: PathBuf,
    /// The SQL dialect.
    #[arg(long, value_enum)]
    pub(crate) dialect: DialectArg,
    /// The as-of time written into the script (default: now).
    #[arg(long)]
    pub(crate) as_of: Option<String>,
    /// Read the export's CSV files from this directory (the script starts
    /// with a typed view per table); without it, the script reads tables
    /// or views named after the policy's tables.
    #[arg(long, value_name = "DIR")]
    pub(crate) data: Option<PathBuf>,
    /// Write the script to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// The dialects `compile` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DialectArg {
    /// DuckDB.
    Duckdb,
    /// Spark SQL (local mode or a cluster).
    Spark,
}

impl DialectArg {
    pub(crate) fn dialect(self) -> Engine {
        match self {
            DialectArg::Duckdb => Engine::DuckDb,
            DialectArg::Spark => Engine::Spark,
        }
    }
}

/// Runs `compile`.
pub(crate) fn run(ctx: &Ctx, a: Args) -> Outcome {
    let mut inputs = vec![a.policy.as_path()];
    if let Some(d) = &a.data {
        inputs.push(d.as_path());
    }
    let output = setup::output_target(a.output.as_deref(), &inputs)?;
    let (policy, sources) = setup::policy(ctx, &a.policy)?;
    let now = setup::as_of(ctx, a.as_of.as_deref(), &policy)?;
    // The engine may run the script from anywhere: the export's absolute path.
    let data = match &a.data {
        Some(d) => Some(
            std::fs::canonicalize(d)
                .map_err(|e| {
                    Failure::from(Diagnostic::error(
                        Code::DataMissingFile,
                        format!(
                            "the export directory `{}` cannot be read: {}",
                            d.display(),
                            io_reason(&e)
                        ),
                    ))
                })?
                .display()
                .to_string(),
        ),
        None => None,
    };
    let opts = sql::Options {
        dialect: a.dialect.dialect(),
        now,
        as_of: crate::time::Instant(now).rfc3339(policy.timezone),
        data: data.as_deref(),
    };
    let script = sql::compile(&policy, &opts).map_err(|d| Failure::new(d, sources))?;
    let mut out = Out::open(output.as_ref())?;
    out.write(&script);
    out.finish()?;
    Ok(Exit::Ok)
}
