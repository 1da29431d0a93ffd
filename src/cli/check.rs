//! `docket check`: audit whole exports against a policy.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{Ctx, Exit, Failure, Outcome, setup};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, RenderOptions};
use crate::eval::{Evaluator, audit};
use crate::report::check::{CheckFormat, CheckReport};
use crate::report::{self, Context};
use crate::semantics::{Severity, io_reason};

/// The lowest severity that makes `check` fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum FailOn {
    /// Violations of error rules.
    #[default]
    Error,
    /// Violations of error and warning rules.
    Warning,
}

/// Flags of `check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Policy, data and as-of.
    #[command(flatten)]
    pub(crate) run: setup::RunArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: CheckFormat,
    /// Check only this rule (repeatable).
    #[arg(long = "rule", value_name = "ID")]
    pub(crate) rules: Vec<String>,
    /// Exit 1 on violations of rules at or above this severity.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) fail_on: FailOn,
    /// No progress bar.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Threads for parsing and evaluation (default: all cores).
    #[arg(long)]
    pub(crate) threads: Option<usize>,
    /// Write the report to this file instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// List at most N missed marks per case and escalation ladder; the rest
    /// are counted in the summary but not listed.
    #[arg(long, value_name = "N")]
    pub(crate) max_marks: Option<u64>,
    /// The waivers register (CSV: Rule,Case,Mark,Reason,Approved By,Expires):
    /// findings it covers are `waived`.
    #[arg(long, value_name = "FILE")]
    pub(crate) waivers: Option<PathBuf>,
    /// An earlier `check --format json` report: each finding is `new` or
    /// `persisting`, and the report lists what was `resolved`.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// With `--baseline`: only new violations make the run fail.
    #[arg(long, requires = "baseline")]
    pub(crate) fail_on_new: bool,
    /// Count the findings per value of one of the policy's `fields`
    /// (e.g. `owner`), in the human and JSON summaries.
    #[arg(long, value_name = "FIELD")]
    pub(crate) group_by: Option<String>,
    /// Which cases and findings to show.
    #[command(flatten)]
    pub(crate) view: super::view::ViewArgs,
    /// SARIF: list at most N results (default 25,000, what GitHub code
    /// scanning accepts per run); errors first, the rest counted in a note.
    #[arg(long, value_name = "N")]
    pub(crate) max_results: Option<usize>,
    /// The order of the findings: by case (then rule), by rule (then
    /// case), or by deadline (due items soonest first, then the rest).
    #[arg(long, value_enum, default_value_t)]
    pub(crate) sort: super::view::Sort,
}

/// Where the report goes.
pub(crate) struct Out {
    w: Box<dyn Write>,
    /// Stdout was closed early (`| head`): stop writing quietly.
    closed: bool,
    failed: Option<std::io::Error>,
}

impl Out {
    /// Opens standard output, or a file [`setup::output_target`] allowed.
    pub(crate) fn open(path: Option<&PathBuf>) -> Result<Out, Failure> {
        let w: Box<dyn Write> = match path {
            None => Box::new(std::io::BufWriter::with_capacity(
                1 << 16,
                std::io::stdout(),
            )),
            Some(p) => match std::fs::File::create(p) {
                Ok(f) => Box::new(std::io::BufWriter::with_capacity(1 << 16, f)),
                Err(e) => {
                    return Err(Failure::from(Diagnostic::error(
                        Code::IoWrite,
                        format!("cannot write `{}`: {}", p.display(), io_reason(&e)),
                    )));
                }
            },
        };
        Ok(Out {
            w,
            closed: false,
            failed: None,
        })
    }

    pub(crate) fn write(&mut self, s: &str) {
        if self.closed || self.failed.is_some() {
            return;
        }
        if let Err(e) = self.w.write_all(s.as_bytes()) {
            self.note(e);
        }
    }

    fn note(&mut self, e: std::io::Error) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            self.closed = true;
        } else {
            self.failed = Some(e);
        }
    }

    /// Flushes; `Err` when the report could not be written.
    pub(crate) fn finish(mut self) -> Result<(), Failure> {
        if !self.closed
            && self.failed.is_none()
            && let Err(e) = self.w.flush()
        {
            self.note(e);
        }
        match self.failed {
            Some(e) => Err(Failure::from(Diagnostic::error(
                Code::IoWrite,
                format!("cannot write the report: {}", io_reason(&e)),
            ))),
            None => Ok(()),
        }
    }
}

/// Runs `check`.
pub(crate) fn run(ctx: &Ctx, a: Args) -> Outcome {
    setup::threads(a.threads)?;
    let mut inputs = a.run.inputs();
    inputs.extend(a.waivers.as_deref());
    inputs.extend(a.baseline.as_deref());
    let output = setup::output_target(a.output.as_deref(), &inputs)?;
    let (policy, sources) = setup::policy(ctx, &a.run.policy)?;
    let (policy, sources, filter) =
        super::view::with_filter(ctx, policy, sources, a.view.filter.as_deref())?;
    let now = setup::as_of(ctx, a.run.as_of.as_deref(), &policy)?;
    let selected = super::view::selected(&policy, &a.rules, filter)?;
    let grouping = match &a.group_by {
        Some(name) => Some(setup::grouping(&policy, name)?),
        None => None,
    };
    let months = months(&policy, a.format);
    let baseline = match &a.baseline {
        Some(path) => Some(read_baseline(ctx, path, &policy)?),
        None => None,
    };
    let data_sources = setup::sources(a.run.data.clone(), &a.run.read)?;
    let bar = progress_bar(!a.quiet && std::io::stderr().is_terminal());
    bar.set_message("reading exports");
    let (data, waivers) = setup::data_and_waivers(
        &policy,
        &sources,
        &data_sources,
        (a.waivers.as_deref(), now),
        a.baseline.is_some(),
    )?;
    let mut out = Out::open(output.as_ref())?;
    let ev = Evaluator::new(&policy, &data, now, &selected)
        .with_sources(&sources)
        .with_max_marks(a.max_marks)
        .with_waivers(waivers.as_ref())
        .with_filter(filter);
    let per_finding = grouping.is_some() || months.is_some();
    let ev = tuned(ev, a.format, per_finding, baseline.is_some());
    let lazy = !a.format.writes_every_message();
    let total: u64 = ev
        .subjects()
        .map(|(t, _)| data.table(t).map_or(0, |d| d.len as u64))
        .sum();
    start_checking(&bar, total);
    let policy_path = a.run.policy.display().to_string();
    let rc = Context {
        policy: &policy,
        sources: &sources,
        policy_path: &policy_path,
        data: &data,
        now,
        baseline: baseline.as_ref(),
        messages: lazy.then_some(&ev),
        field_names: std::sync::OnceLock::new(),
    };
    let report = CheckReport::new(&rc, a.format, &selected).with_max_results(a.max_results);
    out.write(&report.begin());
    let watch = |found: &[crate::eval::Finding]| {
        if let Some(b) = &baseline {
            b.observe(&policy, found);
        }
        if let Some(g) = &grouping {
            g.observe(found);
        }
        if let Some(m) = &months {
            m.observe(found);
        }
    };
    let mut audit = if a.sort == super::view::Sort::Case {
        stream(&ev, &report, &watch, &|f| a.view.shows(f), &mut out, &bar)
    } else {
        sorted(&ev, &report, &watch, &a, &mut out, &bar)
    };
    audit.findings.retain(|f| a.view.shows(f));
    bar.finish_and_clear();
    let fail_on = match a.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    let mut summary = report::summary(&rc, &audit, &selected);
    summary.waivers = waivers
        .as_ref()
        .map(|w| report::WaiverLists::of(&policy, w));
    if let Some(g) = &grouping {
        summary.group_by = Some(g.field.clone());
        summary.groups = Some(g.groups());
    }
    summary.months = months.as_ref().map(|m| (m.field.clone(), m.in_order()));
    let resolved = baseline
        .as_ref()
        .map(|b| report::compare(&rc, b, &mut summary))
        .unwrap_or_default();
    let opts = RenderOptions {
        color: output.is_none() && a.format == CheckFormat::Human && ctx.stdout_color(),
        width: super::terminal_width(),
    };
    report.end(&summary, &resolved, fail_on, opts, &mut |s| out.write(s));
    out.finish()?;
    after_report(&a, output.as_deref(), &report, &summary)?;
    let (errors, warnings) = match (&baseline, a.fail_on_new) {
        (Some(b), true) => b.new_violations(),
        _ => (summary.errors, summary.warnings),
    };
    let failing = match fail_on {
        Severity::Error => errors,
        Severity::Warning => errors + warnings,
    };
    Ok(if failing > 0 || !data.errors.is_empty() {
        Exit::Findings
    } else {
        Exit::Ok
    })
}

/// What the report needs of the evaluation: messages as found (else
/// later, for the few findings a report lists), the policy's fields
/// (`per_finding`: grouping or months read them), and listed ladder marks
/// (a report of counts only needs their number; a baseline compares
/// findings).
fn tuned<'a>(
    ev: Evaluator<'a>,
    format: CheckFormat,
    per_finding: bool,
    baseline: bool,
) -> Evaluator<'a> {
    let mut ev = ev;
    if !format.writes_every_message() {
        ev = ev.without_messages();
        if !per_finding {
            ev = ev.without_fields();
        }
    }
    if format == CheckFormat::Summary && !per_finding && !baseline {
        ev = ev.counting_only();
    }
    ev
}

/// `--baseline FILE`: the earlier report, its warning (another policy
/// version) said on stderr.
fn read_baseline(
    ctx: &Ctx,
    path: &std::path::Path,
    policy: &crate::semantics::Policy,
) -> Result<report::baseline::Baseline, Failure> {
    let (b, warning) = report::baseline::Baseline::read(path, policy)?;
    if let Some(w) = warning {
        ctx.report(&[w], &crate::source::SourceMap::new());
    }
    Ok(b)
}

/// The HTML report charts the findings per month of the first date field.
fn months(
    policy: &crate::semantics::Policy,
    format: CheckFormat,
) -> Option<report::groups::Grouping> {
    if format != CheckFormat::Html {
        return None;
    }
    let i = policy.fields.iter().position(|f| f.is_date())?;
    Some(report::groups::Grouping::by_month(
        &policy.fields.get(i)?.name,
        i,
    ))
}

/// What follows a written report: on a terminal, the closing line when
/// the report went to a file; in GitHub Actions, the job summary.
fn after_report(
    a: &Args,
    output: Option<&Path>,
    report: &CheckReport,
    summary: &report::Summary,
) -> Result<(), Failure> {
    if let Some(path) = output.filter(|_| !a.quiet && std::io::stderr().is_terminal()) {
        eprintln!(
            "{} · report written to {}",
            report::human::totals(summary),
            path.display()
        );
    }
    if a.format == CheckFormat::Github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY")
    {
        append(Path::new(&path), &report.step_summary(summary))?;
    }
    Ok(())
}

/// Appends to GitHub's job summary file.
fn append(path: &std::path::Path, text: &str) -> Result<(), Failure> {
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?;
        f.write_all(text.as_bytes())
    };
    write().map_err(|e| {
        Failure::from(Diagnostic::error(
            Code::IoWrite,
            format!(
                "cannot write the job summary `{}`: {}",
                path.display(),
                io_reason(&e)
            ),
        ))
    })
}

/// Runs the audit keeping every finding, then sorts them as `--sort`
/// says and writes them (the formats that stream) in one piece.
fn sorted(
    ev: &Evaluator,
    report: &CheckReport,
    watch: &(dyn Fn(&[crate::eval::Finding]) + Sync),
    a: &Args,
    out: &mut Out,
    bar: &indicatif::ProgressBar,
) -> audit::Audit {
    let mut audit = audit::run(ev, true, watch, &mut |()| {}, &|n| bar.set_position(n));
    audit.findings.retain(|f| a.view.shows(f));
    a.sort.apply(&mut audit.findings);
    report.observe(&audit.findings, a.sort == super::view::Sort::Case);
    if report.streams() {
        let mut buf = String::new();
        let room = report
            .room()
            .unwrap_or(usize::MAX)
            .min(audit.findings.len());
        report.chunk(audit.findings.get(..room).unwrap_or(&[]), &mut buf);
        if report.room().is_some() {
            report.wrote(room);
        }
        if !buf.is_empty() {
            out.write(report.separator(true));
            out.write(&buf);
        }
    }
    audit
}

/// Runs the audit, writing each chunk of findings as soon as the chunks
/// before it are written (the formats that stream), or collecting them.
fn stream(
    ev: &Evaluator,
    report: &CheckReport,
    watch: &(dyn Fn(&[crate::eval::Finding]) + Sync),
    shows: &(dyn Fn(&crate::eval::Finding) -> bool + Sync),
    out: &mut Out,
    bar: &indicatif::ProgressBar,
) -> audit::Audit {
    // Rendered chunks are large; their buffers go round (back from the
    // writer to the renderers) instead of being mapped fresh each time.
    let buffers: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let render = |found: &[crate::eval::Finding]| -> (String, Vec<crate::eval::Finding>) {
        watch(found);
        let mut buf = buffers
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .unwrap_or_default();
        buf.clear();
        let shown: std::borrow::Cow<[crate::eval::Finding]> = if found.iter().all(shows) {
            std::borrow::Cow::Borrowed(found)
        } else {
            std::borrow::Cow::Owned(found.iter().filter(|f| shows(f)).cloned().collect())
        };
        report.chunk(&shown, &mut buf);
        // The CI formats choose what to list in report order, on the
        // writing thread.
        let observed = if report.observes() {
            shown.into_owned()
        } else {
            Vec::new()
        };
        (buf, observed)
    };
    let mut first = true;
    let mut sink = |(chunk, observed): (String, Vec<crate::eval::Finding>)| {
        report.observe(&observed, true);
        if chunk.is_empty() {
            return;
        }
        // A page holds a bounded number of findings, one per line.
        let chunk = match report.room() {
            Some(0) => return,
            Some(room) => {
                let lines: Vec<&str> = chunk.lines().take(room).collect();
                report.wrote(lines.len());
                let mut kept = lines.join("\n");
                if kept.ends_with(',') {
                    kept.pop();
                }
                kept
            }
            None => chunk,
        };
        out.write(report.separator(first));
        first = false;
        out.write(&chunk);
        if let Ok(mut b) = buffers.lock() {
            b.push(chunk);
        }
    };
    audit::run(ev, !report.streams(), &render, &mut sink, &|n| {
        bar.set_position(n);
    })
}

fn start_checking(bar: &indicatif::ProgressBar, total: u64) {
    bar.set_length(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("checking cases");
}

fn progress_bar(show: bool) -> indicatif::ProgressBar {
    if show {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}
