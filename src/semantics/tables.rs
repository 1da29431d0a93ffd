//! Table declarations: columns, keys, references, relations, formats.

use super::*;
use crate::diagnostic::Code;
use crate::syntax::ast::{ColumnDecl, MemberKind, ModifierKind, ScalarType, TypeExpr};

impl<'a> Checker<'a> {
    /// Registers table names (so references can point forward) and reports duplicates.
    pub(super) fn collect_tables(&mut self) {
        let decls: Vec<&'a ast::TableDecl> = self
            .items()
            .filter_map(|i| match i {
                ast::Item::Table(t) => Some(t),
                _ => None,
            })
            .collect();
        for t in decls {
            if let Some(prev) = self.table_names.iter().position(|n| *n == t.name.name) {
                let first = self
                    .table_decls
                    .get(prev)
                    .map(|d| d.name.span)
                    .unwrap_or(t.name.span);
                self.error(
                    Diagnostic::error(
                        Code::NamesDuplicateTable,
                        format!("table `{}` is declared twice", t.name.name),
                    )
                    .with_label(t.name.span, "declared again here")
                    .with_label(first, "first declared here")
                    .with_help("give each table its own name"),
                );
                continue;
            }
            self.check_file(t);
            let dialect = self.dialect(t);
            self.table_names.push(t.name.name.clone());
            self.table_decls.push(t);
            self.tables.push(Table {
                name: t.name.name.clone(),
                span: t.span,
                file: t.file.value.clone(),
                file_span: t.file.span,
                columns: Vec::new(),
                relations: Vec::new(),
                key: None,
                time: None,
                dialect,
            });
        }
    }

    /// A table's file is a relative path that stays inside the export
    /// directory: a policy (in CI, perhaps a pull request's) reads its
    /// export and nothing else on the machine.
    fn check_file(&mut self, t: &ast::TableDecl) {
        if let Err(why) = crate::source::inside_export(&t.file.value) {
            self.error(
                Diagnostic::error(
                    Code::TableOutsideExport,
                    format!("table `{}` reads \"{}\", which {why}", t.name.name, t.file.value),
                )
                .with_label(t.file.span, "not a file of the export")
                .with_help("name the file relative to the export directory (`--data`), e.g. `\"cases.csv\"`; to read another file, give it on the command line with `--table NAME=FILE`"),
            );
        }
    }

    /// Looks up a table by name, reporting an unknown one.
    pub(super) fn resolve_table(&mut self, name: &ast::Ident) -> Option<TableId> {
        if let Some(id) = self.table_names.iter().position(|n| *n == name.name) {
            return Some(id);
        }
        let help =
            did_you_mean(&name.name, self.table_names.iter().map(String::as_str)).or_else(|| {
                if self.table_names.is_empty() {
                    Some("declare it with `table name from \"file.csv\"`".to_string())
                } else {
                    Some(format!(
                        "the tables are {}",
                        self.table_names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            });
        self.error(
            Diagnostic::error(
                Code::NamesUnknownTable,
                format!("unknown table `{}`", name.name),
            )
            .with_label(name.span, "no table of this name")
            .with_help_opt(help),
        );
        None
    }

    /// Columns and relation shapes of every table.
    pub(super) fn check_table_members(&mut self) {
        let decls = self.table_decls.clone();
        // Columns first: relations refer to columns of other tables.
        for (tid, decl) in decls.iter().enumerate() {
            let mut seen: HashMap<String, Span> = HashMap::new();
            for m in &decl.members {
                if let Some(first) = seen.get(&m.name.name) {
                    self.error(
                        Diagnostic::error(
                            Code::NamesDuplicateMember,
                            format!("`{}.{}` is declared twice", decl.name.name, m.name.name),
                        )
                        .with_label(m.name.span, "declared again here")
                        .with_label(*first, "first declared here"),
                    );
                    continue;
                }
                seen.insert(m.name.name.clone(), m.name.span);
                if let MemberKind::Column(c) = &m.kind {
                    let col = self.column(tid, &m.name, m.span, c);
                    if let Some(t) = self.tables.get_mut(tid) {
                        t.columns.push(col);
                    }
                }
            }
            self.check_key(tid, decl);
        }
        for (tid, decl) in decls.iter().enumerate() {
            for m in &decl.members {
                if let MemberKind::Relation(r) = &m.kind {
                    if self
                        .tables
                        .get(tid)
                        .is_some_and(|t| t.relations.iter().any(|x| x.name == m.name.name))
                    {
                        continue;
                    }
                    if let Some(rel) = self.relation(tid, &m.name, m.span, r) {
                        if let Some(t) = self.tables.get_mut(tid) {
                            t.relations.push(rel);
                        }
                    }
                }
            }
        }
        self.assign_time_columns();
    }

    fn check_key(&mut self, tid: TableId, decl: &ast::TableDecl) {
        let keys: Vec<(usize, Span)> = decl
            .members
            .iter()
            .filter_map(|m| match &m.kind {
                MemberKind::Column(c) => c
                    .modifiers
                    .iter()
                    .find(|x| x.kind == ModifierKind::Key)
                    .map(|x| (m, x.span)),
                MemberKind::Relation(_) => None,
            })
            .filter_map(|(m, sp)| {
                self.tables
                    .get(tid)
                    .and_then(|t| t.columns.iter().position(|c| c.name == m.name.name))
                    .map(|i| (i, sp))
            })
            .collect();
        if let [(first, _), rest @ ..] = keys.as_slice() {
            for (_, sp) in rest {
                self.error(
                    Diagnostic::error(
                        Code::TableTwoKeys,
                        format!("table `{}` has more than one key", decl.name.name),
                    )
                    .with_label(*sp, "second key")
                    .with_help("a table has one key column; remove `key` from the others"),
                );
            }
            if let Some(t) = self.tables.get_mut(tid) {
                t.key = Some(*first);
            }
        }
    }

    fn column(&mut self, _tid: TableId, name: &ast::Ident, span: Span, c: &ColumnDecl) -> Column {
        let ty = self.column_type(c);
        let scalar = match ty {
            ColumnType::Scalar(s) | ColumnType::List(s) => Some(s),
            ColumnType::Ref(_) => None,
        };
        let mut col = Column {
            name: name.name.clone(),
            span,
            header: c.header.value.clone(),
            header_span: c.header.span,
            ty,
            required: false,
            default: None,
            formats: Vec::new(),
            one_of: None,
            one_of_open: false,
            one_of_span: None,
            separator: ";".to_string(),
            unused: None,
        };
        if c.header.value.trim().is_empty() {
            self.error(
                Diagnostic::error(Code::TableEmptyHeader, "a column needs a CSV header")
                    .with_label(c.header.span, "empty header")
                    .with_help("write the header exactly as it appears in the export's first line"),
            );
        }
        let mut formats_given = false;
        for m in &c.modifiers {
            match &m.kind {
                ModifierKind::Key => self.key_modifier(&mut col, m, c),
                ModifierKind::Required => col.required = true,
                ModifierKind::Default(e) => col.default = self.default_value(e, ty),
                ModifierKind::Formats(f) => {
                    formats_given = true;
                    self.formats_modifier(&mut col, m, c, f, scalar);
                }
                ModifierKind::OneOf(values, open) => {
                    self.one_of_modifier(&mut col, m, c, values, *open, scalar);
                }
                ModifierKind::SeparatedBy(s) => self.separator_modifier(&mut col, m, c, s),
                ModifierKind::Unused => col.unused = Some(m.span),
            }
        }
        if col.required && col.default.is_some() {
            self.error(
                Diagnostic::error(
                    Code::TableBadModifier,
                    "a required column cannot have a default",
                )
                .with_label(span, "required and with a default")
                .with_help(
                    "drop `required` to let empty cells take the default, or drop the default",
                ),
            );
        }
        if !formats_given {
            col.formats = match scalar {
                Some(ScalarType::Date) => self.date_formats.clone(),
                Some(ScalarType::DateTime) => self.datetime_formats.clone(),
                _ => Vec::new(),
            };
        }
        col
    }

    /// A column's declared type (a list of booleans is an error).
    fn column_type(&mut self, c: &ColumnDecl) -> ColumnType {
        match &c.ty {
            TypeExpr::Scalar(s, _) => ColumnType::Scalar(*s),
            TypeExpr::List(s, sp) => {
                if *s == ScalarType::Bool {
                    self.error(
                        Diagnostic::error(Code::TableBadList, "a list cannot hold booleans")
                            .with_label(*sp, "list of bool")
                            .with_help("declare a list of text, int, date, datetime, email, duration or days"),
                    );
                }
                ColumnType::List(*s)
            }
            TypeExpr::Ref(t, _) => match self.resolve_table(t) {
                Some(id) => ColumnType::Ref(id),
                None => ColumnType::Scalar(ScalarType::Text),
            },
        }
    }

    /// `key`: required, and of a type a key can have.
    fn key_modifier(&mut self, col: &mut Column, m: &ast::Modifier, c: &ColumnDecl) {
        let ty = col.ty;
        col.required = true;
        if !matches!(
            ty,
            ColumnType::Scalar(ScalarType::Text | ScalarType::Int | ScalarType::Email)
        ) {
            self.error(
                Diagnostic::error(
                    Code::TableBadKey,
                    "a key must be a text, int or email column",
                )
                .with_label(m.span, "key on this column")
                .with_label(c.ty.span(), "declared type"),
            );
        }
    }

    /// `formats "…"` on a date or date-time column.
    fn formats_modifier(
        &mut self,
        col: &mut Column,
        m: &ast::Modifier,
        c: &ColumnDecl,
        f: &[ast::FormatSpec],
        scalar: Option<ScalarType>,
    ) {
        match scalar {
            Some(ScalarType::Date) => col.formats = self.formats(f, FormatKind::Date),
            Some(ScalarType::DateTime) => col.formats = self.formats(f, FormatKind::DateTime),
            _ => self.error(
                Diagnostic::error(
                    Code::TableBadModifier,
                    "`formats` applies to date and datetime columns",
                )
                .with_label(m.span, "formats on this column")
                .with_label(c.ty.span(), "declared type"),
            ),
        }
    }

    /// `one of […] [or others]` on a text column.
    fn one_of_modifier(
        &mut self,
        col: &mut Column,
        m: &ast::Modifier,
        c: &ColumnDecl,
        values: &[ast::StrLit],
        open: bool,
        scalar: Option<ScalarType>,
    ) {
        let ty = col.ty;
        if scalar != Some(ScalarType::Text) || matches!(ty, ColumnType::List(_)) {
            self.error(
                Diagnostic::error(Code::TableBadModifier, "`one of` applies to text columns")
                    .with_label(m.span, "one of on this column")
                    .with_label(c.ty.span(), "declared type"),
            );
        }
        let mut seen: Vec<&str> = Vec::new();
        for v in values {
            if seen.contains(&v.value.as_str()) {
                self.error(
                    Diagnostic::warning(
                        Code::TableDuplicateValue,
                        format!("`{}` is listed twice", v.value),
                    )
                    .with_label(v.span, "listed again"),
                );
            }
            seen.push(&v.value);
        }
        col.one_of = Some(values.iter().map(|v| v.value.clone()).collect());
        col.one_of_open = open;
        // Point at the words `one of`, not at a list that may span lines.
        col.one_of_span = Some(Span {
            end: m.span.start.saturating_add(6).min(m.span.end),
            ..m.span
        });
    }

    /// `separated by "…"` on a list column.
    fn separator_modifier(
        &mut self,
        col: &mut Column,
        m: &ast::Modifier,
        c: &ColumnDecl,
        s: &ast::StrLit,
    ) {
        let ty = col.ty;
        if !matches!(ty, ColumnType::List(_)) {
            self.error(
                Diagnostic::error(
                    Code::TableBadModifier,
                    "`separated by` applies to list columns",
                )
                .with_label(m.span, "separator on this column")
                .with_label(c.ty.span(), "declared type")
                .with_help("declare the column as `list of <type>`"),
            );
        } else if s.value.is_empty() {
            self.error(
                Diagnostic::error(Code::TableBadModifier, "the list separator cannot be empty")
                    .with_label(s.span, "empty separator"),
            );
        } else {
            col.separator = s.value.clone();
        }
    }

    fn default_value(&mut self, e: &ast::Expr, ty: ColumnType) -> Option<Lit> {
        use ast::ExprKind as K;
        let lit = match (&e.kind, ty) {
            (K::Int(n), ColumnType::Scalar(ScalarType::Int)) => Some(Lit::Int(*n)),
            (K::Neg(inner), ColumnType::Scalar(ScalarType::Int)) => match inner.kind {
                K::Int(n) => Some(Lit::Int(-n)),
                _ => None,
            },
            (K::Bool(b), ColumnType::Scalar(ScalarType::Bool)) => Some(Lit::Bool(*b)),
            (K::Str(s), ColumnType::Scalar(ScalarType::Text | ScalarType::Email)) => {
                Some(Lit::Text(s.clone()))
            }
            (K::Date(d), ColumnType::Scalar(ScalarType::Date)) => Some(Lit::Date(*d)),
            (K::Duration(d), ColumnType::Scalar(ScalarType::Days))
                if d.unit == ast::DurationUnit::Days =>
            {
                self.in_range(d).then_some(Lit::Days(d.amount))
            }
            (K::Duration(d), ColumnType::Scalar(ScalarType::Duration))
                if d.unit != ast::DurationUnit::Days =>
            {
                if !self.in_range(d) {
                    return None;
                }
                expr::duration_ms(d).map(Lit::Duration)
            }
            _ => None,
        };
        if lit.is_none() {
            let want = match ty {
                ColumnType::Scalar(s) => format!("a `{}` literal", s.keyword()),
                ColumnType::List(_) => {
                    "nothing: lists have no default (an empty cell is an empty list)".to_string()
                }
                ColumnType::Ref(_) => "nothing: references have no default".to_string(),
            };
            self.error(
                Diagnostic::error(Code::TypesBadDefault, "the default does not fit the column")
                    .with_label(e.span, format!("expected {want}")),
            );
        }
        lit
    }

    fn relation(
        &mut self,
        tid: TableId,
        name: &ast::Ident,
        span: Span,
        r: &ast::RelationDecl,
    ) -> Option<Relation> {
        let target = self.resolve_table(&r.target)?;
        let this = self.table_names.get(tid).cloned().unwrap_or_default();
        let target_name = self.table_names.get(target).cloned().unwrap_or_default();
        let cols = self
            .tables
            .get(target)
            .map(|t| t.columns.clone())
            .unwrap_or_default();
        let via = match cols.iter().position(|c| c.name == r.by.name) {
            Some(i) => i,
            None => {
                let help = did_you_mean(&r.by.name, cols.iter().map(|c| c.name.as_str()));
                self.error(
                    Diagnostic::error(
                        Code::NamesUnknownField,
                        format!("table `{target_name}` has no column `{}`", r.by.name),
                    )
                    .with_label(r.by.span, "no such column")
                    .with_help_opt(help),
                );
                return None;
            }
        };
        if cols.get(via).map(|c| c.ty) != Some(ColumnType::Ref(tid)) {
            self.error(
                Diagnostic::error(
                    Code::TableBadRelation,
                    format!("`{target_name}.{}` does not refer to `{this}`", r.by.name),
                )
                .with_label(r.by.span, format!("expected a `ref {this}` column"))
                .with_help(format!(
                    "declare it in `{target_name}` as `{}: ref {this} from \"…\"`",
                    r.by.name
                )),
            );
            return None;
        }
        let ordered_by = match &r.ordered_by {
            None => None,
            Some(o) => match cols.iter().position(|c| c.name == o.name) {
                Some(i) => {
                    let ok = matches!(
                        cols.get(i).map(|c| c.ty),
                        Some(ColumnType::Scalar(
                            ScalarType::Date | ScalarType::DateTime | ScalarType::Int
                        ))
                    );
                    if !ok {
                        self.error(
                            Diagnostic::error(
                                Code::TableBadRelation,
                                "rows can be ordered by a date, datetime or int column",
                            )
                            .with_label(o.span, "not orderable"),
                        );
                    }
                    Some(i)
                }
                None => {
                    let help = did_you_mean(&o.name, cols.iter().map(|c| c.name.as_str()));
                    self.error(
                        Diagnostic::error(
                            Code::NamesUnknownField,
                            format!("table `{target_name}` has no column `{}`", o.name),
                        )
                        .with_label(o.span, "no such column")
                        .with_help_opt(help),
                    );
                    None
                }
            },
        };
        Some(Relation {
            name: name.name.clone(),
            span,
            target,
            via,
            ordered_by,
            filter: None,
            slots: 1,
        })
    }

    /// A table's time column is the column relations order it by.
    fn assign_time_columns(&mut self) {
        let mut times: Vec<Option<(usize, Span)>> = vec![None; self.tables.len()];
        let rels: Vec<(TableId, usize, Span)> = self
            .tables
            .iter()
            .flat_map(|t| {
                t.relations
                    .iter()
                    .filter_map(|r| r.ordered_by.map(|o| (r.target, o, r.span)))
            })
            .collect();
        for (target, col, span) in rels {
            let is_datetime = self
                .tables
                .get(target)
                .and_then(|t| t.columns.get(col))
                .is_some_and(|c| c.ty == ColumnType::Scalar(ScalarType::DateTime));
            if !is_datetime {
                continue;
            }
            match times.get(target).copied().flatten() {
                None => {
                    if let Some(slot) = times.get_mut(target) {
                        *slot = Some((col, span));
                    }
                }
                Some((c, first)) if c != col => self.error(
                    Diagnostic::error(
                        Code::TableConflictingOrder,
                        "two relations order the same table by different columns",
                    )
                    .with_label(span, "ordered by one column here")
                    .with_label(first, "and by another here")
                    .with_help("order both relations by the same date-time column"),
                ),
                Some(_) => {}
            }
        }
        for (t, time) in self.tables.iter_mut().zip(times) {
            t.time = time.map(|(c, _)| c);
        }
    }

    /// Relation filters: `where` over the related row.
    pub(super) fn check_relation_filters(&mut self) {
        let decls = self.table_decls.clone();
        for (tid, decl) in decls.iter().enumerate() {
            for m in &decl.members {
                let MemberKind::Relation(r) = &m.kind else {
                    continue;
                };
                let Some(filter) = &r.filter else { continue };
                let Some(ri) = self
                    .tables
                    .get(tid)
                    .and_then(|t| t.relations.iter().position(|x| x.name == m.name.name))
                else {
                    continue;
                };
                let Some(target) = self
                    .tables
                    .get(tid)
                    .and_then(|t| t.relations.get(ri))
                    .map(|r| r.target)
                else {
                    continue;
                };
                let tname = self.table_names.get(target).cloned().unwrap_or_default();
                let mut scope = expr::Scope::new();
                scope.push(&tname, Type::Row(target));
                let e = self.expr(filter, &mut scope);
                self.expect_bool(&e, "a relation's `where`");
                if let Some(rel) = self
                    .tables
                    .get_mut(tid)
                    .and_then(|t| t.relations.get_mut(ri))
                {
                    rel.filter = Some(e);
                    rel.slots = scope.slots();
                }
            }
        }
    }
}
