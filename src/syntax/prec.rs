//! Precedence, defined once: how tightly each kind of expression binds,
//! loosest first. The parser has one level per [`Prec`] (each parsing the
//! operators [`Prec::of_binary`] puts there) and the formatter adds
//! parentheses from the same table, so the two cannot drift apart.

use super::ast::{BinOp, ExprKind};

/// How tightly an expression binds, loosest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Prec {
    /// `rows where p`: takes everything to its right.
    Where,
    /// `a or b`
    Or,
    /// `a and b`
    And,
    /// `not a`
    Not,
    /// Comparisons, `in`, `is missing`, `starts with` …: not associative.
    Cmp,
    /// `a + b`, `a - b`
    Add,
    /// `-a`
    Neg,
    /// Field access, calls, literals, names, parentheses.
    Postfix,
}

impl Prec {
    /// The next level, binding more tightly (the right operand of a
    /// left-associative operator lives there).
    pub(crate) fn tighter(self) -> Prec {
        match self {
            Prec::Where => Prec::Or,
            Prec::Or => Prec::And,
            Prec::And => Prec::Not,
            Prec::Not => Prec::Cmp,
            Prec::Cmp => Prec::Add,
            Prec::Add => Prec::Neg,
            Prec::Neg | Prec::Postfix => Prec::Postfix,
        }
    }

    /// The level a binary operator belongs to.
    pub(crate) fn of_binary(op: BinOp) -> Prec {
        match op {
            BinOp::Or => Prec::Or,
            BinOp::And => Prec::And,
            BinOp::Add | BinOp::Sub => Prec::Add,
            BinOp::Eq
            | BinOp::Ne
            | BinOp::Lt
            | BinOp::Le
            | BinOp::Gt
            | BinOp::Ge
            | BinOp::StartsWith
            | BinOp::EndsWith
            | BinOp::Contains => Prec::Cmp,
        }
    }

    /// An expression's level.
    pub(crate) fn of(e: &ExprKind) -> Prec {
        match e {
            ExprKind::Where(..) => Prec::Where,
            ExprKind::Binary(op, ..) => Prec::of_binary(*op),
            ExprKind::Not(_) => Prec::Not,
            ExprKind::In { .. } | ExprKind::Is { .. } => Prec::Cmp,
            ExprKind::Neg(_) => Prec::Neg,
            _ => Prec::Postfix,
        }
    }
}
