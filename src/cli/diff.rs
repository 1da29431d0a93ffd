//! `docket diff`: what a policy change does to an export.

use std::path::PathBuf;

use clap::ValueEnum;

use super::check::Out;
use super::{Ctx, Exit, Failure, Outcome, setup};
use crate::data::{self, Dataset, SharedError};
use crate::eval::{Evaluator, audit, sort_findings};
use crate::report::diff::{self, Marked, SideInput};
use crate::report::{self, Context};
use crate::semantics::Policy;
use crate::source::SourceMap;

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum DiffFormat {
    /// Findings added (+), removed (-) and changed (~), then a per-rule table.
    #[default]
    Human,
    /// `{"added", "removed", "changed", "summary"}`.
    Json,
    /// A pull-request comment.
    Markdown,
}

/// Flags of `diff`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy before the change (a file or a directory of `.docket` files).
    #[arg(long, value_name = "OLD_POLICY")]
    pub(crate) base: PathBuf,
    /// The changed policy, data and as-of.
    #[command(flatten)]
    pub(crate) run: setup::RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: DiffFormat,
    /// Exit 1 when the change adds violations.
    #[arg(long)]
    pub(crate) fail_on_new: bool,
    /// Threads for parsing and evaluation (default: all cores).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// One policy's findings and counts over the shared dataset.
struct Evaluated {
    findings: Vec<Marked>,
    stats: Vec<audit::RuleStats>,
    cases: u64,
}

fn evaluate(
    policy: &Policy,
    sources: &SourceMap,
    path: &str,
    data: &Dataset,
    now: i64,
) -> Evaluated {
    let ev = Evaluator::new(policy, data, now, &[]).with_sources(sources);
    let mut audit = audit::run(&ev, true, &|_| (), &mut |()| {}, &|_| {});
    sort_findings(policy, &mut audit.findings);
    let rc = Context {
        policy,
        sources,
        policy_path: path,
        data,
        now,
        baseline: None,
        messages: None,
        field_names: std::sync::OnceLock::new(),
    };
    Evaluated {
        findings: audit
            .findings
            .iter()
            .map(|f| (f.mark, report::finding(&rc, f)))
            .collect(),
        stats: audit.stats,
        cases: audit.subjects,
    }
}

/// One side of the comparison: its findings, its rules with their counts.
fn side<'a>(policy: &'a Policy, ev: &'a mut Evaluated, path: &str) -> SideInput<'a> {
    SideInput {
        findings: std::mem::take(&mut ev.findings),
        rules: policy
            .rules
            .iter()
            .map(|r| r.id.as_str())
            .zip(ev.stats.iter())
            .collect(),
        info: info(policy, path),
    }
}

fn info(policy: &Policy, path: &str) -> report::PolicyInfo {
    report::PolicyInfo {
        name: policy.name.clone(),
        version: policy.version.clone(),
        timezone: policy.timezone.name().to_string(),
        path: path.to_string(),
        rules: policy.rules.iter().map(|r| r.id.clone()).collect(),
    }
}

/// This very command with `--format json` and without `--output` or
/// `--fail-on-new`: what a trimmed markdown comment names for the full list.
fn json_command() -> String {
    let mut words = vec!["docket".to_string()];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--format" | "--output" | "-o" => {
                args.next();
            }
            "--fail-on-new" => {}
            a if a.starts_with("--format=") || a.starts_with("--output=") => {}
            a if a.starts_with("-o") && a.len() > 2 => {}
            _ => words.push(arg),
        }
    }
    words.extend(["--format".into(), "json".into()]);
    shlex::try_join(words.iter().map(String::as_str)).unwrap_or_else(|_| words.join(" "))
}

/// Runs `diff`.
pub(crate) fn run(ctx: &Ctx, a: Args) -> Outcome {
    setup::threads(a.threads)?;
    let mut inputs = a.run.inputs();
    inputs.push(&a.base);
    let output = setup::output_target(a.output.as_deref(), &inputs)?;
    // Both policies are checked, and every problem in either reported,
    // before any data is read.
    let base = setup::policy(ctx, &a.base);
    let changed = setup::policy(ctx, &a.run.policy);
    let ((base, base_sources), (policy, sources)) = match (base, changed) {
        (Ok(b), Ok(c)) => (b, c),
        (Err(b), Err(c)) => return Err(b.join(c)),
        (Err(f), _) | (_, Err(f)) => return Err(f),
    };
    let now = setup::as_of(ctx, a.run.as_of.as_deref(), &policy)?;
    let base_now = setup::as_of(ctx, a.run.as_of.as_deref(), &base)?;
    let data_sources = setup::sources(a.run.data.clone(), &a.run.read)?;
    let (data, projection) =
        match data::load_shared(&base.schema(), &policy.schema(), &data_sources) {
            Ok(x) => x,
            Err(SharedError::Conflict {
                base: in_base,
                changed: in_changed,
            }) => {
                return Err(Failure::new(in_base, base_sources).and(in_changed, sources));
            }
            Err(SharedError::Load(diags)) => {
                // Say each policy's missing files and columns against its own text.
                // What is about the export itself (no policy text in it) is
                // said once.
                let mut told = Failure::quiet();
                let mut said: Vec<crate::diagnostic::Diagnostic> = Vec::new();
                let mut any = false;
                for (p, s) in [(&base, &base_sources), (&policy, &sources)] {
                    let schema = p.schema();
                    if let Err(d) = data::Loader::new(&schema)
                        .sources(data_sources.clone())
                        .open()
                    {
                        let new: Vec<_> = d.into_iter().filter(|x| !said.contains(x)).collect();
                        said.extend(new.iter().cloned());
                        told = told.and(new, s.clone());
                        any = true;
                    }
                }
                return Err(if any {
                    told
                } else {
                    Failure::new(diags, SourceMap::new())
                });
            }
        };
    let path = a.run.policy.display().to_string();
    let base_path = a.base.display().to_string();
    let mut after = evaluate(&policy, &sources, &path, &data, now);
    let files = data.accounts.clone();
    let data_errors = data.errors.len() as u64;
    let base_data = projection.apply(data);
    let mut before = evaluate(&base, &base_sources, &base_path, &base_data, base_now);
    let as_of = crate::time::Instant(now).rfc3339(policy.timezone);
    let cases = after.cases.max(before.cases);
    let d = diff::compare(
        side(&base, &mut before, &base_path),
        side(&policy, &mut after, &path),
        as_of,
        cases,
        data_errors,
        files,
    );
    let text = match a.format {
        DiffFormat::Human => diff::human(&d),
        DiffFormat::Markdown => diff::markdown(&d, &json_command()),
        DiffFormat::Json => serde_json::to_string_pretty(&d)
            .map(|s| s + "\n")
            .unwrap_or_default(),
    };
    let mut out = Out::open(output.as_ref())?;
    out.write(&text);
    out.finish()?;
    Ok(if a.fail_on_new && d.summary.added_violations > 0 {
        Exit::Findings
    } else {
        Exit::Ok
    })
}
