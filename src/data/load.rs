//! Reading the declared tables.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono_tz::Tz;

use super::cell::{self, trim};
use super::csvread::{CsvReader, Record};
use super::error::{DataError, FileAccount, Reject, excerpt};
use super::index;
use super::store::*;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::semantics::{Column, ColumnType, Lit, Policy, Table, TableId, io_reason};
use crate::syntax::ast::ScalarType;
use crate::time::LocalTimeError;

/// Where the exports are.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// A directory holding the files the policy names.
    pub dir: Option<PathBuf>,
    /// Files given per table: (table name or file stem, path).
    pub tables: Vec<(String, PathBuf)>,
}

/// A table's file, opened, with its header mapped.
pub struct Opened {
    table: TableId,
    display: Arc<str>,
    reader: CsvReader<File>,
    header_len: usize,
    /// For each declared column, its field index.
    fields: Vec<usize>,
}

fn path_for(policy: &Policy, t: &Table, sources: &Sources) -> Result<PathBuf, Diagnostic> {
    let stem = Path::new(&t.file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string());
    if let Some((_, p)) = sources
        .tables
        .iter()
        .find(|(n, _)| *n == t.name || Some(n) == stem.as_ref() || *n == t.file)
    {
        return Ok(p.clone());
    }
    match &sources.dir {
        Some(d) => Ok(d.join(&t.file)),
        None => Err(Diagnostic::error(
            "docket::data::no-source",
            format!("no file for table `{}`", t.name),
        )
        .with_label(t.span, format!("reads \"{}\"", t.file))
        .with_help(format!(
            "give `--data DIR` (a directory holding {}) or `--table {}=FILE`",
            policy
                .tables
                .iter()
                .map(|t| t.file.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            t.name
        ))),
    }
}

/// Opens every declared table's file and maps its header, reporting every
/// missing file and column at once.
pub fn open_table_files(
    policy: &Policy,
    sources: &Sources,
) -> Result<Vec<Opened>, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    for (name, _) in &sources.tables {
        let known = policy.tables.iter().any(|t| {
            t.name == *name
                || t.file == *name
                || Path::new(&t.file)
                    .file_stem()
                    .is_some_and(|s| s.to_string_lossy() == name.as_str())
        });
        if !known {
            let names = policy.tables.iter().map(|t| t.name.as_str());
            diags.push(
                Diagnostic::error(
                    "docket::data::unknown-table",
                    format!("the policy has no table `{name}`"),
                )
                .with_help_opt(did_you_mean(name, names).or_else(|| {
                    Some(format!(
                        "the tables are {}",
                        policy
                            .tables
                            .iter()
                            .map(|t| format!("`{}`", t.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })),
            );
        }
    }
    let mut opened = Vec::new();
    for (tid, t) in policy.tables.iter().enumerate() {
        let path = match path_for(policy, t, sources) {
            Ok(p) => p,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let display: Arc<str> = Arc::from(path.display().to_string());
        match open_one(tid, t, &path, display) {
            Ok(o) => opened.push(o),
            Err(mut d) => diags.append(&mut d),
        }
    }
    if diags.is_empty() {
        Ok(opened)
    } else {
        Err(diags)
    }
}

fn open_one(
    tid: TableId,
    t: &Table,
    path: &Path,
    display: Arc<str>,
) -> Result<Opened, Vec<Diagnostic>> {
    let file = File::open(path).map_err(|e| {
        vec![
            Diagnostic::error(
                "docket::data::missing-file",
                format!(
                    "cannot read `{display}` for table `{}`: {}",
                    t.name,
                    io_reason(&e)
                ),
            )
            .with_label(t.span, format!("table `{}` reads \"{}\"", t.name, t.file))
            .with_help("check `--data` or give the file with `--table`"),
        ]
    })?;
    let mut reader = CsvReader::new(file);
    let header: Vec<String> = match reader.next_record() {
        Ok(Some(rec)) => rec
            .iter()
            .map(|f| String::from_utf8_lossy(trim(f)).to_string())
            .collect(),
        Ok(None) => {
            return Err(vec![
                Diagnostic::error("docket::data::no-header", format!("`{display}` is empty"))
                    .with_label(t.span, format!("table `{}` reads it", t.name))
                    .with_help("an export starts with a header line naming its columns"),
            ]);
        }
        Err(e) => {
            return Err(vec![Diagnostic::error(
                "docket::data::missing-file",
                format!("cannot read `{display}`: {}", io_reason(&e)),
            )]);
        }
    };
    let mut fields = Vec::new();
    let mut diags = Vec::new();
    for c in &t.columns {
        let found: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| **h == c.header)
            .map(|(i, _)| i)
            .collect();
        match found.as_slice() {
            [i] => fields.push(*i),
            [] => {
                let present = header.iter().map(String::as_str);
                let case = header.iter().find(|h| h.eq_ignore_ascii_case(&c.header));
                let help = case
                    .map(|h| {
                        format!("the file has `{h}`: headers are matched exactly, case included")
                    })
                    .or_else(|| {
                        did_you_mean(&c.header, present)
                            .map(|m| format!("{m} (the closest header in the file)"))
                    })
                    .unwrap_or_else(|| {
                        format!("the file's headers are: {}", list_headers(&header))
                    });
                diags.push(
                    Diagnostic::error(
                        "docket::data::missing-column",
                        format!("`{display}` has no column \"{}\"", c.header),
                    )
                    .with_label(
                        c.header_span,
                        format!("`{}.{}` is read from this column", t.name, c.name),
                    )
                    .with_help(help),
                );
                fields.push(usize::MAX);
            }
            [first, second, ..] => {
                diags.push(
                    Diagnostic::error(
                        "docket::data::ambiguous-column",
                        format!(
                            "`{display}` has two columns named \"{}\" (columns {} and {})",
                            c.header,
                            first + 1,
                            second + 1
                        ),
                    )
                    .with_label(c.header_span, "declared here")
                    .with_help("rename one of them in the export"),
                );
                fields.push(*first);
            }
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Opened {
        table: tid,
        display,
        reader,
        header_len: header.len(),
        fields,
    })
}

fn list_headers(h: &[String]) -> String {
    let shown: Vec<String> = h.iter().take(20).map(|x| format!("\"{x}\"")).collect();
    if h.len() > 20 {
        format!("{}, … ({} in all)", shown.join(", "), h.len())
    } else {
        shown.join(", ")
    }
}

/// Loads every table the policy declares.
pub fn load(policy: &Policy, sources: &Sources) -> Result<Dataset, Vec<Diagnostic>> {
    let opened = open_table_files(policy, sources)?;
    let mut interner = Interner::new();
    let mut tables: Vec<Option<TableData>> = (0..policy.tables.len()).map(|_| None).collect();
    let mut errors = Vec::new();
    let mut accounts = Vec::new();
    for o in opened {
        let tid = o.table;
        let Some(table) = policy.tables.get(tid) else {
            continue;
        };
        let (data, mut errs, account) =
            load_table(table, policy.timezone, o, &mut interner).map_err(|d| vec![d])?;
        if let Some(slot) = tables.get_mut(tid) {
            *slot = Some(data);
        }
        errors.append(&mut errs);
        accounts.push(account);
    }
    let mut tables: Vec<TableData> = tables.into_iter().flatten().collect();
    index::resolve_refs(policy, &mut tables, &interner, &mut errors, &mut accounts);
    index::build_relations(policy, &mut tables, &interner);
    let order: Vec<Arc<str>> = tables.iter().map(|t| t.file.clone()).collect();
    errors.sort_by_key(|e| {
        (
            order
                .iter()
                .position(|f| *f == e.file)
                .unwrap_or(usize::MAX),
            e.line,
        )
    });
    Ok(Dataset {
        interner,
        tables,
        errors,
        accounts,
    })
}

/// A parsed cell before the row is accepted.
#[derive(Debug, Clone, Copy)]
enum Tmp {
    Missing,
    Invalid,
    Sym(Sym),
    Email(Sym, Sym),
    I64(i64),
    Bool(u8),
    Date(i32),
    /// Items `scratch[start..end]` of the row's list scratch.
    List(usize, usize),
}

/// List items parsed for the current row.
#[derive(Default)]
struct Scratch {
    syms: Vec<Sym>,
    folded: Vec<Sym>,
    i64s: Vec<i64>,
    dates: Vec<i32>,
}

struct RowCtx<'a> {
    display: &'a Arc<str>,
    line: u64,
    errors: &'a mut Vec<DataError>,
    errored: bool,
}

impl RowCtx<'_> {
    fn error(
        &mut self,
        code: &'static str,
        column: Option<&str>,
        text: Option<&str>,
        message: String,
    ) {
        self.errored = true;
        self.errors.push(DataError {
            code,
            file: self.display.clone(),
            line: self.line,
            column: column.map(str::to_string),
            text: text.map(excerpt),
            message,
            other_line: None,
        });
    }
}

fn empty_column(c: &Column) -> ColumnData {
    match c.ty {
        ColumnType::Scalar(s) => match s {
            ScalarType::Text => ColumnData::Text(Vec::new()),
            ScalarType::Email => ColumnData::Email(Vec::new(), Vec::new()),
            ScalarType::Int => ColumnData::Int(Vec::new()),
            ScalarType::Bool => ColumnData::Bool(Vec::new()),
            ScalarType::Date => ColumnData::Date(Vec::new()),
            ScalarType::DateTime => ColumnData::DateTime(Vec::new()),
            ScalarType::Days => ColumnData::Days(Vec::new()),
            ScalarType::Duration => ColumnData::Duration(Vec::new()),
        },
        ColumnType::List(s) => ColumnData::List(ListColumn {
            state: Vec::new(),
            offsets: vec![0],
            items: match s {
                ScalarType::Email => ListItems::Email(Vec::new(), Vec::new()),
                ScalarType::Int => ListItems::Int(Vec::new()),
                ScalarType::DateTime => ListItems::DateTime(Vec::new()),
                ScalarType::Days => ListItems::Days(Vec::new()),
                ScalarType::Duration => ListItems::Duration(Vec::new()),
                ScalarType::Date => ListItems::Date(Vec::new()),
                ScalarType::Text | ScalarType::Bool => ListItems::Text(Vec::new()),
            },
        }),
        ColumnType::Ref(_) => ColumnData::Ref(Vec::new()),
    }
}

fn default_tmp(lit: &Lit, interner: &mut Interner) -> Tmp {
    match lit {
        Lit::Text(s) => {
            let raw = interner.intern(s);
            Tmp::Email(raw, interner.intern_folded(s))
        }
        Lit::Int(n) | Lit::Days(n) | Lit::Duration(n) => Tmp::I64(*n),
        Lit::Bool(b) => Tmp::Bool(if *b { BOOL_TRUE } else { BOOL_FALSE }),
        Lit::Date(d) => Tmp::Date(cell::date_to_days(*d)),
        Lit::DateTime(i) => Tmp::I64(i.0),
    }
}

/// Parses one scalar value; `Err` carries what was expected.
fn scalar(
    ty: ScalarType,
    s: &str,
    col: &Column,
    tz: Tz,
    interner: &mut Interner,
) -> Result<Tmp, String> {
    let b = s.as_bytes();
    match ty {
        ScalarType::Text => Ok(Tmp::Sym(interner.intern(s))),
        ScalarType::Email => {
            if cell::is_email(s) {
                Ok(Tmp::Email(interner.intern(s), interner.intern_folded(s)))
            } else {
                Err(format!("`{}` is not an e-mail address", excerpt(s)))
            }
        }
        ScalarType::Int => cell::parse_int(b)
            .map(Tmp::I64)
            .ok_or_else(|| format!("`{}` is not a whole number", excerpt(s))),
        ScalarType::Bool => cell::parse_bool(b)
            .map(|v| Tmp::Bool(if v { BOOL_TRUE } else { BOOL_FALSE }))
            .ok_or_else(|| {
                format!(
                    "`{}` is not a yes/no value: expected {}",
                    excerpt(s),
                    cell::BOOL_EXPECTED
                )
            }),
        ScalarType::Date => cell::parse_date(b, &col.formats)
            .map(|d| Tmp::Date(cell::date_to_days(d)))
            .ok_or_else(|| {
                format!(
                    "`{}` is not a date: expected {}",
                    excerpt(s),
                    cell::date_expected(&col.formats)
                )
            }),
        ScalarType::DateTime => match cell::parse_datetime(b, &col.formats, tz) {
            Some(Ok(i)) => Ok(Tmp::I64(i.0)),
            Some(Err(LocalTimeError::Nonexistent)) => Err(format!(
                "`{s}` does not exist in {} (clocks go forward over it); write it with an offset such as -04:00",
                tz.name()
            )),
            Some(Err(LocalTimeError::Ambiguous)) => Err(format!(
                "`{s}` happens twice in {} (clocks go back); write it with an offset to say which",
                tz.name()
            )),
            None => Err(format!(
                "`{}` is not a date-time: expected {}",
                excerpt(s),
                cell::datetime_expected(&col.formats)
            )),
        },
        ScalarType::Days => cell::parse_days(s)
            .map(Tmp::I64)
            .ok_or_else(|| format!("`{}` is not {}", excerpt(s), cell::DAYS_EXPECTED)),
        ScalarType::Duration => cell::parse_duration(s)
            .map(Tmp::I64)
            .ok_or_else(|| format!("`{}` is not {}", excerpt(s), cell::DURATION_EXPECTED)),
    }
}

/// Parses a list cell into the scratch.
fn list(
    ty: ScalarType,
    s: &str,
    col: &Column,
    tz: Tz,
    interner: &mut Interner,
    scratch: &mut Scratch,
) -> Result<Tmp, String> {
    let (start, len_before) = match ty {
        ScalarType::Date => (scratch.dates.len(), scratch.dates.len()),
        ScalarType::Int | ScalarType::DateTime | ScalarType::Days | ScalarType::Duration => {
            (scratch.i64s.len(), scratch.i64s.len())
        }
        _ => (scratch.syms.len(), scratch.syms.len()),
    };
    let _ = len_before;
    for item in s.split(col.separator.as_str()) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        match scalar(ty, item, col, tz, interner)? {
            Tmp::Sym(x) => scratch.syms.push(x),
            Tmp::Email(r, f) => {
                scratch.syms.push(r);
                scratch.folded.push(f);
            }
            Tmp::I64(v) => scratch.i64s.push(v),
            Tmp::Date(d) => scratch.dates.push(d),
            _ => {}
        }
    }
    let end = match ty {
        ScalarType::Date => scratch.dates.len(),
        ScalarType::Int | ScalarType::DateTime | ScalarType::Days | ScalarType::Duration => {
            scratch.i64s.len()
        }
        _ => scratch.syms.len(),
    };
    Ok(Tmp::List(start, end))
}

fn push(col: &mut ColumnData, v: Tmp, scratch: &Scratch, invalid: Sym) {
    match col {
        ColumnData::Text(x) | ColumnData::Ref(x) => x.push(match v {
            Tmp::Sym(s) | Tmp::Email(s, _) => Some(s),
            Tmp::Invalid => Some(invalid),
            _ => None,
        }),
        ColumnData::Email(r, f) => match v {
            Tmp::Email(a, b) => {
                r.push(Some(a));
                f.push(Some(b));
            }
            Tmp::Invalid => {
                r.push(Some(invalid));
                f.push(Some(invalid));
            }
            _ => {
                r.push(None);
                f.push(None);
            }
        },
        ColumnData::Int(x)
        | ColumnData::DateTime(x)
        | ColumnData::Days(x)
        | ColumnData::Duration(x) => x.push(match v {
            Tmp::I64(n) => n,
            Tmp::Invalid => INVALID_I64,
            _ => MISSING_I64,
        }),
        ColumnData::Bool(x) => x.push(match v {
            Tmp::Bool(b) => b,
            Tmp::Invalid => BOOL_INVALID,
            _ => BOOL_MISSING,
        }),
        ColumnData::Date(x) => x.push(match v {
            Tmp::Date(d) => d,
            Tmp::Invalid => INVALID_DATE,
            _ => MISSING_DATE,
        }),
        ColumnData::List(l) => {
            let (state, range) = match v {
                Tmp::List(a, b) => (0u8, a..b),
                Tmp::Invalid => (2, 0..0),
                _ => (1, 0..0),
            };
            l.state.push(state);
            match &mut l.items {
                ListItems::Text(items) => {
                    items.extend_from_slice(scratch.syms.get(range).unwrap_or(&[]))
                }
                ListItems::Email(items, folded) => {
                    items.extend_from_slice(scratch.syms.get(range.clone()).unwrap_or(&[]));
                    folded.extend_from_slice(scratch.folded.get(range).unwrap_or(&[]));
                }
                ListItems::Int(items)
                | ListItems::DateTime(items)
                | ListItems::Days(items)
                | ListItems::Duration(items) => {
                    items.extend_from_slice(scratch.i64s.get(range).unwrap_or(&[]))
                }
                ListItems::Date(items) => {
                    items.extend_from_slice(scratch.dates.get(range).unwrap_or(&[]))
                }
            }
            let len = match &l.items {
                ListItems::Text(v) => v.len(),
                ListItems::Email(v, _) => v.len(),
                ListItems::Int(v)
                | ListItems::DateTime(v)
                | ListItems::Days(v)
                | ListItems::Duration(v) => v.len(),
                ListItems::Date(v) => v.len(),
            };
            l.offsets.push(u32::try_from(len).unwrap_or(u32::MAX));
        }
    }
}

/// The key a cell is found under: text as is, e-mail folded, numbers canonical.
fn key_of(v: Tmp, interner: &mut Interner) -> Option<Sym> {
    match v {
        Tmp::Sym(s) => Some(s),
        Tmp::Email(_, folded) => Some(folded),
        Tmp::I64(n) => Some(interner.intern(&n.to_string())),
        _ => None,
    }
}

fn load_table(
    table: &Table,
    tz: Tz,
    mut o: Opened,
    interner: &mut Interner,
) -> Result<(TableData, Vec<DataError>, FileAccount), Diagnostic> {
    let mut columns: Vec<ColumnData> = table.columns.iter().map(empty_column).collect();
    let mut keys = table.key.map(|_| KeyIndex::default());
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut orphans = Vec::new();
    let mut account = FileAccount {
        file: o.display.to_string(),
        table: table.name.clone(),
        ..FileAccount::default()
    };
    let ref_columns: Vec<usize> = table
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| matches!(c.ty, ColumnType::Ref(_)))
        .map(|(i, _)| i)
        .collect();
    let mut tmp = vec![Tmp::Missing; table.columns.len()];
    let mut scratch = Scratch::default();
    let defaults: Vec<Option<Tmp>> = table
        .columns
        .iter()
        .map(|c| c.default.as_ref().map(|d| default_tmp(d, interner)))
        .collect();
    loop {
        let rec = match o.reader.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                return Err(Diagnostic::error(
                    "docket::data::missing-file",
                    format!("cannot read `{}`: {}", o.display, io_reason(&e)),
                ));
            }
        };
        account.read += 1;
        let mut ctx = RowCtx {
            display: &o.display,
            line: rec.line,
            errors: &mut errors,
            errored: false,
        };
        if let Some(reason) = shape_problem(&rec, o.header_len, &mut ctx) {
            note_orphans(&rec, &ref_columns, &o.fields, interner, &mut orphans);
            *account.rejected.entry(reason).or_insert(0) += 1;
            continue;
        }
        scratch.syms.clear();
        scratch.folded.clear();
        scratch.i64s.clear();
        scratch.dates.clear();
        let mut reject: Option<Reject> = None;
        for (ci, col) in table.columns.iter().enumerate() {
            let field = o.fields.get(ci).copied().unwrap_or(usize::MAX);
            let raw = trim(rec.get(field).unwrap_or(&[]));
            let value = if raw.is_empty() {
                match defaults.get(ci).copied().flatten() {
                    Some(d) => d,
                    None => {
                        if col.required {
                            let what = if table.key == Some(ci) {
                                "the key"
                            } else {
                                "a required value"
                            };
                            ctx.error(
                                "docket::data::required",
                                Some(&col.header),
                                None,
                                format!("{what} is empty"),
                            );
                            reject.get_or_insert(Reject::MissingRequired);
                        }
                        Tmp::Missing
                    }
                }
            } else {
                match std::str::from_utf8(raw) {
                    Err(_) => {
                        let lossy = String::from_utf8_lossy(raw);
                        ctx.error(
                            "docket::data::encoding-error",
                            Some(&col.header),
                            Some(&lossy),
                            "the cell is not valid UTF-8".to_string(),
                        );
                        if col.required {
                            reject.get_or_insert(Reject::BadRequired);
                        }
                        Tmp::Invalid
                    }
                    Ok(s) => {
                        let parsed = match col.ty {
                            ColumnType::Scalar(t) => scalar(t, s, col, tz, interner),
                            ColumnType::List(t) => list(t, s, col, tz, interner, &mut scratch),
                            ColumnType::Ref(_) => Ok(Tmp::Sym(interner.intern(s))),
                        };
                        match parsed {
                            Ok(v) => v,
                            Err(why) => {
                                ctx.error(
                                    "docket::data::type-error",
                                    Some(&col.header),
                                    Some(s),
                                    why,
                                );
                                if col.required {
                                    reject.get_or_insert(Reject::BadRequired);
                                }
                                Tmp::Invalid
                            }
                        }
                    }
                }
            };
            if let Some(slot) = tmp.get_mut(ci) {
                *slot = value;
            }
        }
        if reject.is_none()
            && let (Some(k), Some(keys)) = (table.key, keys.as_mut())
            && let Some(sym) = tmp.get(k).copied().and_then(|v| key_of(v, interner))
            && let Some(first) = keys.get(&sym)
        {
            let first_line = lines.get(*first as usize).copied().unwrap_or(0);
            let header = table.columns.get(k).map(|c| c.header.clone());
            ctx.errored = true;
            ctx.errors.push(DataError {
                code: "docket::data::primary-key",
                file: o.display.clone(),
                line: rec.line,
                column: header,
                text: Some(excerpt(interner.resolve(sym))),
                message: format!(
                    "duplicate key `{}`: line {first_line} has it too; this row is ignored",
                    excerpt(interner.resolve(sym))
                ),
                other_line: Some(first_line),
            });
            reject = Some(Reject::DuplicateKey);
        }
        if let Some(reason) = reject {
            for &ci in &ref_columns {
                if let Some(sym) = tmp.get(ci).copied().and_then(|v| key_of(v, interner)) {
                    orphans.push(Orphan {
                        column: ci,
                        key: sym,
                        line: rec.line,
                    });
                }
            }
            *account.rejected.entry(reason).or_insert(0) += 1;
            continue;
        }
        let row = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        if let (Some(k), Some(keys)) = (table.key, keys.as_mut())
            && let Some(sym) = tmp.get(k).copied().and_then(|v| key_of(v, interner))
        {
            keys.insert(sym, row);
        }
        for (ci, col) in columns.iter_mut().enumerate() {
            push(
                col,
                tmp.get(ci).copied().unwrap_or(Tmp::Missing),
                &scratch,
                interner.invalid,
            );
        }
        lines.push(rec.line);
        account.loaded += 1;
        if ctx.errored {
            account.loaded_with_errors += 1;
        }
    }
    let len = lines.len();
    Ok((
        TableData {
            name: table.name.clone(),
            file: o.display.clone(),
            len,
            lines,
            columns,
            keys,
            refs: vec![None; table.columns.len()],
            relations: Vec::new(),
            orphans,
        },
        errors,
        account,
    ))
}

/// A record that cannot be read column by column: cut off, or with the wrong number of fields.
fn shape_problem(rec: &Record, header_len: usize, ctx: &mut RowCtx) -> Option<Reject> {
    if rec.unterminated {
        ctx.error(
            "docket::data::truncated",
            None,
            None,
            format!(
                "the file ends inside a quoted field that starts on this line ({} lines to the end)",
                rec.lines
            ),
        );
        return Some(Reject::Truncated);
    }
    if rec.len() == header_len {
        return None;
    }
    let (code, reason) = if rec.len() > header_len {
        ("docket::data::extra-cell", Reject::ExtraFields)
    } else {
        ("docket::data::missing-cell", Reject::MissingFields)
    };
    ctx.error(
        code,
        None,
        None,
        format!(
            "expected {header_len} fields like the header, found {}; the row is ignored",
            rec.len()
        ),
    );
    Some(reason)
}

/// A rejected row whose reference columns can still be read.
fn note_orphans(
    rec: &Record,
    ref_columns: &[usize],
    fields: &[usize],
    interner: &mut Interner,
    orphans: &mut Vec<Orphan>,
) {
    for &ci in ref_columns {
        let Some(raw) = fields.get(ci).and_then(|f| rec.get(*f)) else {
            continue;
        };
        let raw = trim(raw);
        if raw.is_empty() {
            continue;
        }
        if let Ok(s) = std::str::from_utf8(raw) {
            orphans.push(Orphan {
                column: ci,
                key: interner.intern(s),
                line: rec.line,
            });
        }
    }
}
