//! `docket lint --data`: a policy checked against the files it will read.
//!
//! Parsing and type-checking say the policy is consistent with itself; this
//! says it is consistent with a real export: every declared file and column
//! is there (did-you-mean on a near miss), every declared column is read by
//! some rule, and a sample of each file's values reads as the declared
//! types (a date column holding `Q3 2025` is caught before an audit reports
//! every rule that reads it as not applicable).

use crate::data::{self, ColumnSample, FileSample, Sources};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::semantics::{ColumnType, Policy};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::ScalarType;

/// Bytes read from the start of each file for the sample.
pub(crate) const SAMPLE_BYTES: usize = 1 << 20;

fn what(col: &crate::semantics::Column) -> &'static str {
    if col.one_of.is_some() && !col.one_of_open && col.ty == ColumnType::Scalar(ScalarType::Text) {
        return "one of its declared values";
    }
    match col.ty {
        ColumnType::Scalar(s) | ColumnType::List(s) => match s {
            ScalarType::Text => "text",
            ScalarType::Email => "e-mail addresses",
            ScalarType::Int => "whole numbers",
            ScalarType::Bool => "yes/no values",
            ScalarType::Date => "dates",
            ScalarType::DateTime => "date-times",
            ScalarType::Days => "day counts",
            ScalarType::Duration => "durations",
        },
        ColumnType::Ref(_) => "keys",
    }
}

/// The diagnostics of checking `policy` against the export in `sources`
/// (data rows quoted in them are added to `map` as excerpts), and per file
/// how it is read ("cases.csv: CSV, UTF-8, `,` delimited, header on line 1").
pub(crate) fn check_data(
    policy: &Policy,
    map: &mut SourceMap,
    sources: &Sources,
) -> (Vec<Diagnostic>, Vec<String>) {
    let mut files = Vec::new();
    let mut diags = unused_columns(policy);
    let schema = policy.schema();
    match data::Loader::new(&schema)
        .sources(sources.clone())
        .sample(SAMPLE_BYTES)
    {
        Err(mut d) => diags.append(&mut d),
        Ok(samples) => {
            for s in &samples {
                files.push(format!("{}: {}", s.file, s.how));
                for c in &s.columns {
                    diags.extend(absent_column(policy, s, c));
                    if let Some(d) = column_diagnostic(policy, map, s, c) {
                        diags.push(d);
                    }
                }
            }
        }
    }
    (diags, files)
}

/// Declared columns no rule or derived field reads.
fn unused_columns(policy: &Policy) -> Vec<Diagnostic> {
    let used = policy.used_columns();
    let mut out = Vec::new();
    for (t, table) in policy.tables.iter().enumerate() {
        for (ci, c) in table.columns.iter().enumerate() {
            let is_used = used.get(t).and_then(|u| u.get(ci)).copied().unwrap_or(true);
            if let Some(at) = c.unused {
                if is_used {
                    out.push(
                        Diagnostic::warning(
                            Code::LintReadUnusedColumn,
                            format!(
                                "`{}.{}` is declared `unused`, but the policy reads it",
                                table.name, c.name
                            ),
                        )
                        .with_label(at, "declared unused")
                        .with_help("drop `unused`: the column is read (by a rule, a field, a key or a relation)"),
                    );
                }
                continue;
            }
            // A key is read to join rows even when no rule names it.
            if is_used || table.key == Some(ci) {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    Code::LintUnusedColumn,
                    format!(
                        "`{}.{}` (\"{}\") is declared but no rule reads it",
                        table.name, c.name, c.header
                    ),
                )
                .with_label(c.span, "never read")
                .with_help("remove the declaration, use it in a rule, or mark it `unused` if it is declared on purpose (docket skips storing it either way)"),
            );
        }
    }
    out
}

/// A declared column no rule reads that the file lacks: audits go on
/// without it.
fn absent_column(policy: &Policy, s: &FileSample, c: &ColumnSample) -> Option<Diagnostic> {
    let table = policy.tables.get(c.table)?;
    let col = table.columns.get(c.column)?;
    c.absent.then(|| {
        Diagnostic::warning(
            Code::DataAbsentColumn,
            format!(
                "`{}` has no column \"{}\" (`{}.{}`); no rule reads it, so audits go on without it",
                s.file, col.header, table.name, col.name
            ),
        )
        .with_label(col.span, "not in the file")
        .with_help("remove the declaration, or add the column to the export")
    })
}

fn column_diagnostic(
    policy: &Policy,
    map: &mut SourceMap,
    s: &FileSample,
    c: &ColumnSample,
) -> Option<Diagnostic> {
    if c.bad == 0 {
        return None;
    }
    let table = policy.tables.get(c.table)?;
    let col = table.columns.get(c.column)?;
    let first = c.first_bad.as_ref()?;
    let all = c.bad >= c.values;
    let message = if all {
        format!(
            "\"{}\" in `{}` holds no {}: none of the {} values sampled reads as one",
            col.header,
            s.file,
            what(col),
            c.values
        )
    } else {
        format!(
            "{} of {} values of \"{}\" sampled in `{}` are not {}",
            c.bad,
            c.values,
            col.header,
            s.file,
            what(col)
        )
    };
    let mut d = if all {
        Diagnostic::error(Code::LintColumnType, message)
    } else {
        Diagnostic::warning(Code::LintBadValues, message)
    }
    .with_label(
        col.span,
        match &col.one_of {
            Some(v) if what(col) == "one of its declared values" => {
                format!("{} values declared here", v.len())
            }
            _ => format!("declared as {}", what(col)),
        },
    )
    .with_help(if all {
        format!(
            "check that \"{}\" is the right column, or declare its type or formats to match the export ({})",
            col.header, first.message
        )
    } else {
        format!(
            "the rows with them are reported as data errors by `docket check`; first: {}",
            first.message
        )
    });
    // Quote the first bad row from the data file.
    if let Some((_, text)) = s.lines.iter().find(|(l, _)| *l == first.line) {
        let id = map.add_excerpt(s.file.to_string(), text.clone(), first.line as usize);
        let bad = first.text.as_deref().unwrap_or("");
        let (start, end) = match text.find(bad).filter(|_| !bad.is_empty()) {
            Some(i) => (i, i + bad.len()),
            None => (0, text.len()),
        };
        let note = format!("line {} of `{}`", first.line, s.file);
        let note = if all {
            Diagnostic::error(Code::LintColumnType, note)
        } else {
            Diagnostic::warning(Code::LintBadValues, note)
        };
        d = d.with_related(note.with_label(Span::new(id, start, end), "does not read as declared"));
    }
    Some(d)
}
