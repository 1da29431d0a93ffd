//! One reading of an export for two policies (`docket diff`).
//!
//! Two versions of a policy usually declare the same tables, but a change
//! may read a new column, drop one, or add a relation. The export is read
//! once, under a *union* of both declarations: the second schema's tables,
//! extended with every column, relation and table only the first declares.
//! The second schema's indices are a prefix of the union, so it evaluates
//! the union dataset as it is; [`Projection::apply`] then moves the columns
//! into the first schema's layout (no copy, no second parse).

use std::path::Path;

use super::load::Loader;
use super::schema::{ColumnSchema, Kind, RelationSchema, Schema, TableId, TableSchema};
use super::store::{ColumnData, Dataset, TableData};
use super::{Orphan, Sources};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;

/// Why [`load_shared`] failed.
#[derive(Debug)]
pub enum SharedError {
    /// The policies declare a table in ways one reading cannot serve:
    /// diagnostics located in the first schema's sources, and in the second's.
    Conflict {
        /// In the first (base) schema.
        base: Vec<Diagnostic>,
        /// In the second (changed) schema.
        changed: Vec<Diagnostic>,
    },
    /// Loading failed (a missing file or column); the spans may be in either schema.
    Load(Vec<Diagnostic>),
}

/// Where the first schema's tables, columns and relations are in the union.
#[derive(Debug, Clone)]
pub struct Projection {
    /// Per first-schema table: its union table.
    tables: Vec<TableId>,
    /// Per first-schema table, per column: its union column.
    columns: Vec<Vec<usize>>,
    /// Per first-schema table, per relation: its union relation.
    relations: Vec<Vec<usize>>,
    /// Per first-schema table: its name there.
    names: Vec<String>,
}

/// Whether two column declarations read a file the same way (`ty` with the
/// first schema's reference already mapped into the union).
fn same_reading(a: &ColumnSchema, b: &ColumnSchema, ty: Kind) -> bool {
    a.header == b.header
        && a.kind == ty
        && a.required == b.required
        && a.default == b.default
        && a.formats == b.formats
        && a.separator == b.separator
}

fn same_file(a: &TableSchema, b: &TableSchema) -> bool {
    Path::new(&a.file) == Path::new(&b.file)
}

/// The diagnostics for a table both policies declare but read from
/// another file or with another key, in the base and changed policy.
fn conflict(t: &TableSchema, ut: &TableSchema) -> Option<(Diagnostic, Diagnostic)> {
    let key_header = |x: &TableSchema| {
        x.key
            .and_then(|k| x.columns.get(k))
            .map(|c| c.header.clone())
    };
    if same_file(ut, t) && key_header(ut) == key_header(t) {
        if ut.dialect == t.dialect {
            return None;
        }
        let in_base = Diagnostic::error(
            Code::DiffTablesDiffer,
            format!(
                "the two policies say differently how table `{}`'s file is written (encoding, delimiter, quote, escape, lines before the header, footer, missing-value texts or sheet)",
                t.name
            ),
        )
        .with_label(t.span, "in the base policy")
        .with_help("`docket diff` reads each export once for both policies; change how the file is read on its own");
        let in_changed = Diagnostic::error(
            Code::DiffTablesDiffer,
            format!("table `{}` as the changed policy declares it", ut.name),
        )
        .with_label(ut.span, "in the changed policy");
        return Some((in_base, in_changed));
    }
    let key = |h: Option<String>| h.map_or("no key".to_string(), |h| format!("key \"{h}\""));
    let in_base = Diagnostic::error(
        Code::DiffTablesDiffer,
        format!(
            "the two policies read table `{}` differently: \"{}\" with {} here, \"{}\" with {} in the changed policy",
            t.name,
            t.file,
            key(key_header(t)),
            ut.file,
            key(key_header(ut)),
        ),
    )
    .with_label(t.span, "in the base policy")
    .with_help(
        "`docket diff` reads each export once for both policies; make a change of file or key on its own, or give the table another name",
    );
    let in_changed = Diagnostic::error(
        Code::DiffTablesDiffer,
        format!("table `{}` as the changed policy declares it", ut.name),
    )
    .with_label(ut.span, "in the changed policy");
    Some((in_base, in_changed))
}

/// The union of `first`'s and `second`'s tables, as a schema to load with,
/// and where `first`'s declarations ended up.
fn union(first: &Schema, second: &Schema) -> Result<(Schema, Projection), SharedError> {
    let mut tables: Vec<TableSchema> = second.tables.clone();
    let mut diags = Vec::new();
    let mut changed = Vec::new();
    // Tables first, so references can be mapped.
    let mut table_map = Vec::with_capacity(first.tables.len());
    for t in &first.tables {
        match tables.iter().position(|u| u.name == t.name) {
            Some(u) => {
                if let Some(ut) = tables.get(u)
                    && let Some((in_base, in_changed)) = conflict(t, ut)
                {
                    diags.push(in_base);
                    changed.push(in_changed);
                }
                table_map.push(u);
            }
            None => {
                table_map.push(tables.len());
                let mut added = t.clone();
                added.columns.clear();
                added.relations.clear();
                added.key = None;
                tables.push(added);
            }
        }
    }
    if !diags.is_empty() {
        return Err(SharedError::Conflict {
            base: diags,
            changed,
        });
    }
    let map_ty = |ty: Kind| match ty {
        Kind::Ref(target) => Kind::Ref(table_map.get(target).copied().unwrap_or(target)),
        other => other,
    };
    let mut columns = Vec::with_capacity(first.tables.len());
    for (ti, t) in first.tables.iter().enumerate() {
        let u = table_map.get(ti).copied().unwrap_or(usize::MAX);
        let mut cols = Vec::with_capacity(t.columns.len());
        if let Some(ut) = tables.get_mut(u) {
            for c in &t.columns {
                let ty = map_ty(c.kind);
                match ut.columns.iter().position(|x| same_reading(x, c, ty)) {
                    Some(i) => {
                        // Stored when either policy reads it.
                        if let Some(x) = ut.columns.get_mut(i) {
                            x.used |= c.used;
                        }
                        cols.push(i);
                    }
                    None => {
                        cols.push(ut.columns.len());
                        ut.columns.push(ColumnSchema {
                            kind: ty,
                            ..c.clone()
                        });
                    }
                }
            }
            if ut.key.is_none() {
                ut.key = t.key.and_then(|k| cols.get(k).copied());
            }
        }
        columns.push(cols);
    }
    // Relations, once every table's columns are known.
    let mut relations = Vec::with_capacity(first.tables.len());
    for (ti, t) in first.tables.iter().enumerate() {
        let u = table_map.get(ti).copied().unwrap_or(usize::MAX);
        let mut rels = Vec::with_capacity(t.relations.len());
        for r in &t.relations {
            let target = table_map.get(r.target).copied().unwrap_or(usize::MAX);
            let col = |c: usize| columns.get(r.target).and_then(|m| m.get(c)).copied();
            let mapped = RelationSchema {
                target,
                via: col(r.via).unwrap_or(usize::MAX),
                ordered_by: r.ordered_by.and_then(col),
            };
            let Some(ut) = tables.get_mut(u) else {
                rels.push(usize::MAX);
                continue;
            };
            match ut.relations.iter().position(|x| {
                x.target == mapped.target
                    && x.via == mapped.via
                    && x.ordered_by == mapped.ordered_by
            }) {
                Some(i) => rels.push(i),
                None => {
                    rels.push(ut.relations.len());
                    ut.relations.push(mapped);
                }
            }
        }
        relations.push(rels);
    }
    let schema = Schema {
        tables,
        ..second.clone()
    };
    Ok((
        schema,
        Projection {
            tables: table_map,
            columns,
            relations,
            names: first.tables.iter().map(|t| t.name.clone()).collect(),
        },
    ))
}

/// Reads the export once for `first` and `second`: the dataset `second`
/// evaluates as it is, and how to turn it into `first`'s.
pub fn load_shared(
    first: &Schema,
    second: &Schema,
    sources: &Sources,
) -> Result<(Dataset, Projection), SharedError> {
    let (schema, projection) = union(first, second)?;
    let data = Loader::new(&schema)
        .sources(sources.clone())
        .load()
        .map_err(SharedError::Load)?;
    Ok((data, projection))
}

/// Item `i` of `items`: moved out (leaving `empty()`) the first time
/// `seen` marks it, cloned after that.
fn move_once<T: Clone>(
    items: &mut [T],
    seen: Option<&mut Vec<bool>>,
    i: usize,
    empty: impl Fn() -> T,
) -> T {
    let first = seen
        .and_then(|s| s.get_mut(i))
        .map(|s| !std::mem::replace(s, true));
    match (first, items.get_mut(i)) {
        (Some(true), Some(x)) => std::mem::replace(x, empty()),
        (_, Some(x)) => x.clone(),
        (_, None) => empty(),
    }
}

impl Projection {
    /// The first schema's dataset, made from the union's by moving columns
    /// and indexes into its layout.
    pub(crate) fn apply(&self, mut data: Dataset) -> Dataset {
        // A union column two declarations of the first schema share is
        // cloned for the second; every other one is moved.
        let mut tables = Vec::with_capacity(self.tables.len());
        let mut taken: Vec<Vec<bool>> = data
            .tables
            .iter()
            .map(|t| vec![false; t.columns.len()])
            .collect();
        let mut relations_taken: Vec<Vec<bool>> = data
            .tables
            .iter()
            .map(|t| vec![false; t.relations.len()])
            .collect();
        for (bt, &ut) in self.tables.iter().enumerate() {
            let Some(src) = data.tables.get_mut(ut) else {
                continue;
            };
            let cols = self.columns.get(bt).map_or(&[][..], Vec::as_slice);
            let columns: Vec<ColumnData> = cols
                .iter()
                .map(|&uc| {
                    move_once(&mut src.columns, taken.get_mut(ut), uc, || {
                        ColumnData::Unused
                    })
                })
                .collect();
            let rels = self.relations.get(bt).map_or(&[][..], Vec::as_slice);
            let relations = rels
                .iter()
                .map(|&ur| {
                    move_once(
                        &mut src.relations,
                        relations_taken.get_mut(ut),
                        ur,
                        Default::default,
                    )
                })
                .collect();
            let back = |uc: usize| cols.iter().position(|c| *c == uc);
            let orphans: Vec<Orphan> = src
                .orphans
                .iter()
                .filter_map(|o| {
                    back(o.column).map(|column| Orphan {
                        column,
                        key: o.key.clone(),
                        line: o.line,
                    })
                })
                .collect();
            tables.push(TableData {
                name: self.names.get(bt).cloned().unwrap_or_default(),
                file: src.file.clone(),
                len: src.len,
                lines: src.lines.clone(),
                columns,
                key_column: src.key_column.and_then(back),
                keys: src.keys.clone(),
                relations,
                orphans,
                errored: src.errored.clone(),
            });
        }
        let files: Vec<String> = tables.iter().map(|t| t.file.to_string()).collect();
        Dataset {
            tables,
            errors: data.errors,
            warnings: data.warnings,
            timings: data.timings,
            sources: data.sources,
            accounts: data
                .accounts
                .into_iter()
                .filter(|a| files.contains(&a.file))
                .collect(),
        }
    }
}
