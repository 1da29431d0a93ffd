//! Source text to syntax tree, and back.
//!
//! * [`lexer`]: token classes (comments for the formatter, the grammar test).
//! * [`parser`]: nom over located spans; recovers at clause level.
//! * [`ast`]: the tree, with a span on every node.
//! * [`format`]: the canonical layout (`docket fmt`).

pub mod ast;
pub mod format;
pub mod lexer;
pub mod parser;
pub(crate) mod prec;

pub use parser::parse;
