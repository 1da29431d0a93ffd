//! docket: a rules-as-code policy checker for CRM exports.
//!
//! The pipeline, one module per stage:
//! [`syntax`] (text → AST, formatter) → [`semantics`] (names, types → a
//! compiled [`semantics::Policy`]). Diagnostics from every stage are
//! [`diagnostic::Diagnostic`] values rendered with miette.

mod cli;
pub mod data;
pub mod diagnostic;
pub mod eval;
pub mod generate;
mod lint;
mod policytest;
mod report;
pub mod semantics;
pub mod source;
pub mod syntax;
pub mod time;

pub use cli::{Exit, run};
