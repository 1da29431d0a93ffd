//! `docket rules` lists a policy's rules; `docket explain ID` shows one.

use std::path::PathBuf;

use clap::ValueEnum;

use super::{Ctx, Exit, Failure, Outcome, print_out, setup};
use crate::report::rules;

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum RulesFormat {
    /// A table.
    #[default]
    Human,
    /// A JSON array.
    Json,
}

/// Flags of `rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A policy file or a directory of `.docket` files.
    #[arg(long, default_value = "policies")]
    pub(crate) policy: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: RulesFormat,
}

/// Flags of `explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// The rule id.
    pub(crate) rule: String,
    /// A policy file or a directory of `.docket` files.
    #[arg(long, default_value = "policies")]
    pub(crate) policy: PathBuf,
}

/// Runs `rules`.
pub(crate) fn run(ctx: &Ctx, a: Args) -> Outcome {
    let (p, sources) = setup::policy(ctx, &a.policy)?;
    let rows = rules::list(&p, &sources);
    let out = match a.format {
        RulesFormat::Json => rules::json(&rows),
        RulesFormat::Human => rules::human(&rows, &p.name),
    };
    print_out(&out).map_err(|_| Failure::quiet())?;
    Ok(Exit::Ok)
}

/// Runs `explain`.
pub(crate) fn explain(ctx: &Ctx, a: ExplainArgs) -> Outcome {
    let (p, sources) = setup::policy(ctx, &a.policy)?;
    let selected = setup::rules(&p, std::slice::from_ref(&a.rule))?;
    let Some(r) = selected.first().and_then(|&i| p.rules.get(i)) else {
        return Err(Failure::quiet());
    };
    print_out(&rules::explain(&p, &sources, r)).map_err(|_| Failure::quiet())?;
    Ok(Exit::Ok)
}
