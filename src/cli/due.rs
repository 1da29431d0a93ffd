//! `docket due`: the worklist of a customer-success manager — every item
//! due across the cases, soonest first, with how long is left.

use clap::ValueEnum;

use super::check::Out;
use super::{Ctx, Exit, Failure, Outcome, setup};
use crate::diagnostic::{Code, Diagnostic};
use crate::eval::{Evaluator, Status, audit};
use crate::report::due::{DueItem, Worklist};

/// Output formats of `due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum DueFormat {
    /// A line per item, soonest first.
    #[default]
    Human,
    /// `{"as_of", "within"?, "items": [{"deadline", "left", "case", "rule",
    /// "title", "message", "mark"?, "fields"?}]}`.
    Json,
}

/// Flags of `due`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy, data and as-of.
    #[command(flatten)]
    pub(crate) run: setup::RunArgs,
    /// Only items due within this time of the as-of: `48h`, `2 hours`, `90 minutes`.
    #[arg(long, value_name = "DURATION")]
    pub(crate) within: Option<String>,
    /// Which cases: an expression about the subject row.
    #[arg(long = "where", value_name = "EXPR")]
    pub(crate) filter: Option<String>,
    /// The waivers register: waived items are not listed.
    #[arg(long, value_name = "FILE")]
    pub(crate) waivers: Option<std::path::PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: DueFormat,
}

/// Runs `due`.
pub(crate) fn run(ctx: &Ctx, a: Args) -> Outcome {
    let within = match &a.within {
        Some(w) => Some(crate::data::parse_duration(w).ok_or_else(|| {
            Failure::from(
                Diagnostic::error(Code::CliWithin, format!("cannot read --within `{w}`"))
                    .with_help("write a duration such as 48h, 2 hours or 90 minutes"),
            )
        })?),
        None => None,
    };
    let (policy, sources) = setup::policy(ctx, &a.run.policy)?;
    let (policy, sources, filter) =
        super::view::with_filter(ctx, policy, sources, a.filter.as_deref())?;
    let now = setup::as_of(ctx, a.run.as_of.as_deref(), &policy)?;
    let selected = super::view::selected(&policy, &[], filter)?;
    let data_sources = setup::sources(a.run.data.clone(), &a.run.read)?;
    let (data, waivers) = setup::data_and_waivers(
        &policy,
        &sources,
        &data_sources,
        (a.waivers.as_deref(), now),
        false,
    )?;
    let ev = Evaluator::new(&policy, &data, now, &selected)
        .with_waivers(waivers.as_ref())
        .with_filter(filter);
    let rc = crate::report::Context::new(&policy, &sources, &data, now);
    // Only the due items are kept, as each chunk of cases is done.
    let pick = |found: &[crate::eval::Finding]| -> Vec<DueItem> {
        found
            .iter()
            .filter(|f| f.status == Status::Due)
            .filter_map(|f| {
                let deadline = f.deadline?;
                within
                    .is_none_or(|w| deadline - now <= w)
                    .then(|| DueItem::of(&rc, f, deadline))
            })
            .collect()
    };
    let mut items: Vec<DueItem> = Vec::new();
    audit::run(
        &ev,
        false,
        &pick,
        &mut |mut chunk| items.append(&mut chunk),
        &|_| {},
    );
    items.sort_by(|x, y| (x.at, &x.case, &x.rule).cmp(&(y.at, &y.case, &y.rule)));
    let list = Worklist::new(&rc, a.within.clone(), items);
    let mut out = Out::open(None)?;
    out.write(&match a.format {
        DueFormat::Human => list.human(&rc),
        DueFormat::Json => list.json(),
    });
    out.finish()?;
    Ok(Exit::Ok)
}
