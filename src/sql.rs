//! A policy as one SQL script, for an engine that holds the data (`docket
//! compile`).
//!
//! The script keeps docket's meaning exactly, or the compiler refuses the
//! construct with a diagnostic naming it and the dialect. How:
//!
//! - every value is a number or text the engines agree on: instants are
//!   epoch milliseconds, dates epoch days, durations milliseconds, so
//!   elapsed time is arithmetic on integers (no interval that steps 23
//!   hours across a change of clocks) and only reading local times and
//!   `local_date` touch the time zone;
//! - a missing value is `NULL`, and docket's three-valued logic is SQL's
//!   (Kleene's); where docket reads a missing value otherwise (a missing
//!   boolean cell is false, a missing list has no items, `any` over no
//!   rows is false) the script says so explicitly;
//! - a row is its `_row` number in its table (file order), related rows
//!   a subquery over the related table, quantifiers `EXISTS`, `count`,
//!   and ordered `LIMIT 1` subqueries;
//! - ladders generate their marks up to the as-of (one row per mark and
//!   case, never per hour) and test each window with one `EXISTS`.
//!
//! The script reads one view or table per policy table, named after it,
//! with one column per declared column, named after it and typed (the
//! script's header lists them); with `--data` it first defines those views
//! over the export's CSV files, typing cells as docket does.

mod dialect;
mod expr;
mod hoist;
mod ladder;
mod rules;
mod tables;

pub use dialect::Engine;

use crate::diagnostic::{Code, Diagnostic};
use crate::semantics::Policy;
use crate::source::Span;

/// What `docket compile` is asked for.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The SQL dialect.
    pub dialect: Engine,
    /// The as-of instant, epoch milliseconds.
    pub now: i64,
    /// The as-of as written in the script's header (RFC 3339).
    pub as_of: String,
    /// With `--data`: the export directory the script reads (as written
    /// into the script).
    pub data: Option<&'a str>,
}

/// A construct the dialect cannot express with docket's meaning.
#[derive(Debug, Clone)]
pub(crate) struct Unsupported {
    /// The construct, in words.
    pub(crate) what: String,
    /// Where the policy writes it.
    pub(crate) span: Span,
}

impl Unsupported {
    pub(crate) fn new(what: impl Into<String>, span: Span) -> Unsupported {
        Unsupported {
            what: what.into(),
            span,
        }
    }

    fn diagnostic(&self, d: Engine) -> Diagnostic {
        Diagnostic::error(
            Code::SqlUnsupported,
            format!("{} cannot be compiled to {}", self.what, d.name()),
        )
        .with_label(self.span, "not compiled")
        .with_help(
            "docket compiles a construct only where the SQL means exactly what docket does; run this policy with `docket check`",
        )
    }
}

/// The policy as one SQL script whose last statement returns the findings
/// (`rule`, `severity`, `status`, `key`, `mark`, `deadline`, `message`);
/// every construct the dialect cannot express is a diagnostic.
pub fn compile(policy: &Policy, opts: &Options) -> Result<String, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let c = expr::Compiler::new(policy, opts);
    let mut out = tables::header(policy, opts);
    out.push_str(opts.dialect.preamble());
    if let Some(dir) = opts.data {
        match tables::data_views(policy, opts.dialect, dir) {
            Ok(views) => out.push_str(&views),
            Err(mut e) => problems.append(&mut e),
        }
    }
    out.push_str(&tables::internal_views(policy, opts.dialect));
    let mut queries = Vec::new();
    for (i, rule) in policy.rules.iter().enumerate() {
        match rules::rule_query(&c, i, rule) {
            Ok((before, q)) => {
                out.push_str(&before);
                queries.push(q);
            }
            Err(u) => problems.push(u),
        }
    }
    if !problems.is_empty() {
        return Err(problems
            .iter()
            .map(|u| u.diagnostic(opts.dialect))
            .collect());
    }
    out.push_str(&rules::findings(&queries, opts.dialect));
    Ok(out)
}

/// Every construct of `policy` the dialect cannot compile, as warnings
/// (`docket lint --dialect`).
pub fn lint(policy: &Policy, dialect: Engine) -> Vec<Diagnostic> {
    let opts = Options {
        dialect,
        now: 0,
        as_of: String::new(),
        data: Some("."),
    };
    match compile(policy, &opts) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .into_iter()
            .map(|mut d| {
                d.severity = crate::diagnostic::Level::Warning;
                d
            })
            .collect(),
    }
}
