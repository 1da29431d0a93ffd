//! The `docket` command line. Each command lives in its own module and is
//! thin: it parses flags, calls the library, prints, and returns an [`Exit`].

mod case;
mod check;
mod compile;
mod diff;
mod due;
mod fmt;
mod generate;
mod lint;
mod rules;
mod setup;
mod shell;
mod test;
mod timing;
mod view;

use std::io::{IsTerminal, Write};
use std::process::{ExitCode, Termination};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::{self, Diagnostic, RenderOptions};
use crate::source::SourceMap;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything passed.
    Ok,
    /// The run worked and found something: violations, failed tests, files to reformat.
    Findings,
    /// The run could not start or finish: bad policy, missing file, bad flags.
    Failure,
}

impl Exit {
    /// The process exit code: 0, 1 or 2.
    pub(crate) fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Findings => 1,
            Exit::Failure => 2,
        }
    }
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self.code())
    }
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set.
    #[default]
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// docket: check CRM exports against a policy written as rules.
#[derive(Debug, Parser)]
#[command(name = "docket", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// When to colour output.
    #[arg(long, value_enum, default_value_t, global = true)]
    pub(crate) color: ColorChoice,
    /// The command.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Audit exports against a policy: every violation, and what is due.
    Check(check::Args),
    /// Compare two versions of a policy over one export: findings added, removed, changed.
    Diff(diff::Args),
    /// One case's checklist: every rule, its status, and what is due by when.
    Case(case::Args),
    /// The worklist: every item due across the cases, soonest first.
    Due(due::Args),
    /// Parse and type-check policy files; report every problem.
    Lint(lint::Args),
    /// Run the policy's tests (`tests/*.dockettest` next to it) and report rule coverage.
    Test(test::Args),
    /// List the policy's rules: id, kind, severity, what they apply to, title, source.
    Rules(rules::Args),
    /// Show one rule: its text, its source, and what it checks in plain words.
    Explain(rules::ExplainArgs),
    /// Format policy files in the canonical layout.
    Fmt(fmt::Args),
    /// Compile the policy to one SQL script (DuckDB) that returns the findings.
    Compile(compile::Args),
    /// Write a generated export in format v1 (for trying docket and benchmarks).
    #[command(name = "gen")]
    Generate(generate::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(shell::CompletionArgs),
    /// Write the man pages (`docket.1` and one per command) into a directory.
    Man(shell::ManArgs),
}

/// Runs the command line and returns how it ended.
pub fn run() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        // Every command's --version prints what `docket --version` does.
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayVersion => {
            let _ = print_out(&format!("docket {}\n", env!("CARGO_PKG_VERSION")));
            return Exit::Ok;
        }
        Err(e) => {
            let is_usage_error = e.use_stderr();
            let _ = e.print();
            return if is_usage_error {
                Exit::Failure
            } else {
                Exit::Ok
            };
        }
    };
    let ctx = Ctx { color: cli.color };
    let outcome = match cli.command {
        Command::Check(a) => check::run(&ctx, a),
        Command::Diff(a) => diff::run(&ctx, a),
        Command::Case(a) => case::run(&ctx, a),
        Command::Due(a) => due::run(&ctx, a),
        Command::Lint(a) => lint::run(&ctx, a),
        Command::Test(a) => test::run(&ctx, a),
        Command::Rules(a) => rules::run(&ctx, a),
        Command::Explain(a) => rules::explain(&ctx, a),
        Command::Fmt(a) => fmt::run(&ctx, a),
        Command::Compile(a) => compile::run(&ctx, a),
        Command::Generate(a) => generate::run(a),
        Command::Completions(a) => shell::completions(a),
        Command::Man(a) => shell::man(a),
    };
    if std::env::var_os("DOCKET_TIMING").is_some() {
        eprintln!("docket: at exit: {}", timing::memory_status());
    }
    match outcome {
        Ok(exit) => exit,
        Err(failure) => {
            for (diagnostics, sources) in &failure.parts {
                ctx.report(diagnostics, sources);
            }
            Exit::Failure
        }
    }
}

/// Why a command could not run (exit 2): the diagnostics to show, each
/// group with the sources it points into. Commands return it as a value;
/// [`run`] renders it, once.
#[derive(Debug, Default)]
pub(crate) struct Failure {
    parts: Vec<(Vec<Diagnostic>, SourceMap)>,
}

impl Failure {
    /// Diagnostics located in `sources`.
    pub(crate) fn new(diagnostics: Vec<Diagnostic>, sources: SourceMap) -> Failure {
        Failure {
            parts: vec![(diagnostics, sources)],
        }
    }

    /// A failure already said (or with nothing to say).
    pub(crate) fn quiet() -> Failure {
        Failure::default()
    }

    /// Adds diagnostics located in other sources.
    pub(crate) fn and(mut self, diagnostics: Vec<Diagnostic>, sources: SourceMap) -> Failure {
        self.parts.push((diagnostics, sources));
        self
    }

    /// This failure, then `other`'s.
    pub(crate) fn join(mut self, other: Failure) -> Failure {
        self.parts.extend(other.parts);
        self
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Failure {
        Failure::new(vec![d], SourceMap::new())
    }
}

/// How a command ended, or why it could not run.
pub(crate) type Outcome = Result<Exit, Failure>;

/// Settings shared by commands.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx {
    /// Colour choice.
    pub(crate) color: ColorChoice,
}

impl Ctx {
    /// Whether to colour what goes to stderr.
    pub(crate) fn stderr_color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
            }
        }
    }

    /// Whether to colour what goes to stdout.
    pub(crate) fn stdout_color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
            }
        }
    }

    /// Renders diagnostics to stderr.
    pub(crate) fn report(&self, diags: &[Diagnostic], sources: &SourceMap) {
        let text = diagnostic::render(
            diags,
            sources,
            RenderOptions {
                color: self.stderr_color(),
                width: terminal_width(),
            },
        );
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
    }
}

/// The width text wraps at: `COLUMNS` (at least 40), else 100.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|w| *w >= 40)
        .unwrap_or(100)
}

/// The width stdout's text wraps at: `COLUMNS` (at least 40), else the
/// terminal's width, else 100.
pub(crate) fn stdout_width() -> usize {
    let set = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok());
    let terminal =
        || terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0));
    set.or_else(terminal).map_or(100, |w| w.max(40))
}

/// Writes to stdout; a closed pipe (`docket … | head`) ends the output quietly.
pub(crate) fn print_out(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
