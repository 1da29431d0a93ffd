//! `fields case.owner, case.account.name, …` in the policy header: values
//! that travel with every finding about a row of that table (whose case it
//! is, what kind, for which account), in every report and for `--group-by`,
//! and head `docket case`'s view of one case.

use super::expr::Scope;
use super::*;
use crate::diagnostic::Code;

/// A value that travels with findings.
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name in reports: `as NAME`, or the path after the row (`owner`,
    /// `account.name`).
    pub(crate) name: String,
    /// The table whose findings carry it.
    pub(crate) table: TableId,
    /// The value, about a row of `table` (slot 0).
    pub(crate) expr: Expr,
    /// Slots its evaluation needs.
    pub(crate) slots: usize,
}

impl Field {
    /// Whether its values are dates or instants (findings per month).
    pub(crate) fn is_date(&self) -> bool {
        matches!(self.expr.ty, Type::Date | Type::DateTime)
    }
}

/// `row.a.b` as (`row`, [`a`, `b`]).
fn path(e: &ast::Expr) -> Option<(&ast::Ident, Vec<&str>)> {
    match &e.kind {
        ast::ExprKind::Name(n) => Some((n, Vec::new())),
        ast::ExprKind::Field(inner, f) => {
            let (root, mut rest) = path(inner)?;
            rest.push(f.name.as_str());
            Some((root, rest))
        }
        _ => None,
    }
}

impl Checker<'_> {
    /// The header's `fields`, checked: each a path from a table's row.
    pub(super) fn check_fields(&mut self, list: &[&ast::FieldDecl]) -> Vec<Field> {
        let mut out: Vec<Field> = Vec::new();
        for decl in list {
            let e = &decl.path;
            let Some((root, rest)) = path(e).filter(|(_, r)| !r.is_empty()) else {
                self.error(
                    Diagnostic::error(
                        Code::PolicyBadField,
                        "a field is a path from a table's row, such as `case.owner`",
                    )
                    .with_label(e.span, "not a path")
                    .with_help("write `fields case.owner, case.account.name`"),
                );
                continue;
            };
            let Some(table) = self.resolve_table(root) else {
                continue;
            };
            let name = decl
                .alias
                .as_ref()
                .map_or_else(|| rest.join("."), |a| a.name.clone());
            if out.iter().any(|f| f.name == name) {
                self.error(
                    Diagnostic::error(
                        Code::PolicyBadField,
                        format!("two fields are named `{name}`"),
                    )
                    .with_label(e.span, "again")
                    .with_help(
                        "a field is named after its path or its `as NAME`; keep one or rename it",
                    ),
                );
                continue;
            }
            let mut scope = Scope::new();
            scope.push(&root.name, Type::Row(table));
            let expr = self.expr(e, &mut scope);
            if expr.ty == Type::Error {
                continue;
            }
            out.push(Field {
                name,
                table,
                expr,
                slots: scope.slots(),
            });
        }
        out
    }
}
