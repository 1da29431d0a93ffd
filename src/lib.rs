//! docket: a rules-as-code policy checker for CRM exports.
//!
//! A policy is text in the docket language; an export is a set of CSV
//! files. The library runs them through one stage per module, each with
//! its own types:
//!
//! | stage | module | in → out |
//! |---|---|---|
//! | syntax | [`syntax`] | policy text → AST ([`syntax::ast`]); the formatter |
//! | semantics | [`semantics`] | AST → a checked, compiled [`semantics::Policy`] and its [`data::Schema`] |
//! | data | [`data`] | files or any `io::Read` → typed columns, keys, relations, data errors ([`data::Dataset`]) |
//! | eval | [`eval`] | the cases of a dataset against the compiled rules, in parallel ([`eval::audit`]) |
//!
//! Every stage reports problems as [`diagnostic::Diagnostic`] values that
//! point into the policy through [`source::Span`]s; [`time`] holds the
//! calendar arithmetic the language's dates, zones and durations follow.
//! The command-line program is [`run`]; its reports are not part of the
//! library.
//!
//! # The pipeline
//!
//! ```
//! use docket::data::{Input, Loader, Sources};
//! use docket::eval::{Evaluator, audit};
//! use docket::source::SourceMap;
//!
//! const POLICY: &str = r#"
//! policy "Example"
//!   version "1"
//!   timezone "UTC"
//!
//! table case from "cases.csv"
//!   number: text from "Case Number" key
//!   status: text from "Status" one of ["Open", "Closed"]
//!   owner: text from "Owner"
//!
//! rule owned "Every open case has an owner"
//!   severity error
//!   for case
//!   when case.status = "Open"
//!   require case.owner is present
//!   message "open case {case.number} has no owner"
//! "#;
//!
//! // Policy text → a checked policy (or diagnostics).
//! let mut sources = SourceMap::new();
//! sources.add("example.docket", POLICY.to_string());
//! let checked = docket::semantics::check_sources(sources);
//! let policy = checked.policy.expect("the example policy checks");
//!
//! // The export, here from memory: any `io::Read` will do.
//! let csv = "Case Number,Status,Owner\nC-1,Open,ana\nC-2,Open,\nC-3,Closed,\n";
//! let cases = Input::read("cases.csv", csv.as_bytes())?;
//! let data = Loader::new(&policy.schema())
//!     .sources(Sources::default().with_table("case", cases))
//!     .load()
//!     .expect("the export loads");
//! assert!(data.errors.is_empty());
//!
//! // Every case, evaluated as of a fixed instant.
//! let as_of = docket::time::parse_as_of("2025-11-20T12:00:00Z", policy.timezone)
//!     .expect("an ISO 8601 time");
//! // The as-of instant, in milliseconds since the epoch.
//! let ev = Evaluator::new(&policy, &data, as_of.instant.0, &[]);
//! let result = audit::run(&ev, true, &|chunk| chunk.len(), &mut |_| {}, &|_| {});
//! let flagged: Vec<&str> = result.findings.iter().map(|f| &*f.key).collect();
//! assert_eq!(flagged, ["C-2"]);
//! assert_eq!(result.findings[0].message, "open case C-2 has no owner");
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod data;
pub mod diagnostic;
pub mod eval;
pub mod generate;
pub mod semantics;
pub mod source;
pub mod sql;
pub mod syntax;
pub mod time;

mod cli;
mod lint;
mod policytest;
mod report;

pub use cli::{Exit, run};
