//! The tables a script reads: its header (the schema it expects), the
//! views that read and type an export's CSV files (`--data`), and the
//! internal views the rules read (rows numbered in file order, keys
//! unique, references resolved, values as integers).

use super::{Engine, Options, Unsupported};
use crate::semantics::{ColumnType, Lit, Policy, Table};
use crate::syntax::ast::ScalarType;
use crate::time::PatternStyle;

/// The SQL type of a column in the tables the script reads.
fn user_type(d: Engine, ty: ColumnType) -> String {
    let scalar = |s: ScalarType| match s {
        ScalarType::Text | ScalarType::Email => d.string_type(),
        ScalarType::Int | ScalarType::Days | ScalarType::Duration => "BIGINT",
        ScalarType::Bool => "BOOLEAN",
        ScalarType::Date => "DATE",
        ScalarType::DateTime => d.instant_type(),
    };
    match ty {
        ColumnType::Scalar(s) => scalar(s).to_string(),
        ColumnType::List(s) => d.list_type(scalar(s)),
        ColumnType::Ref(_) => d.string_type().to_string(),
    }
}

/// How the engine's parser reads a date pattern.
fn style(d: Engine) -> PatternStyle {
    match d {
        Engine::DuckDb => PatternStyle::Strptime,
        Engine::Spark => PatternStyle::Java,
    }
}

/// The script's opening comment: what it is, and the tables it reads.
pub(crate) fn header(policy: &Policy, opts: &Options) -> String {
    let mut out = format!(
        "-- docket {}: policy \"{}\"{}, compiled for {}, as of {}.\n",
        env!("CARGO_PKG_VERSION"),
        policy.name.replace('\n', " "),
        policy
            .version
            .as_ref()
            .map_or(String::new(), |v| format!(" {v}")),
        opts.dialect.name(),
        opts.as_of
    );
    out.push_str("-- The last statement returns the findings: rule, severity, status (violated\n-- or due), key, mark (ladders), deadline (due items, UTC) and message.\n");
    if opts.data.is_some() {
        out.push_str("-- It reads the export's CSV files through the views below.\n");
    } else {
        out.push_str("-- It reads these tables or views, typed (a missing value is NULL):\n");
        for t in &policy.tables {
            out.push_str(&format!("--   {}(", t.name));
            let cols: Vec<String> = t
                .columns
                .iter()
                .map(|c| format!("{} {}", c.name, user_type(opts.dialect, c.ty)))
                .collect();
            out.push_str(&cols.join(", "));
            out.push_str(")\n");
        }
        out.push_str("-- days are whole days, durations milliseconds, a ref column holds the key\n-- of the row it points to.\n");
    }
    out.push('\n');
    out
}

/// Views over the export's CSV files, one per table, typed as docket
/// types cells (an unreadable cell is `NULL`).
pub(crate) fn data_views(
    policy: &Policy,
    d: Engine,
    dir: &str,
) -> Result<String, Vec<Unsupported>> {
    let mut out = String::new();
    let mut problems = Vec::new();
    for t in &policy.tables {
        match data_view(policy, d, dir, t) {
            Ok(v) => out.push_str(&v),
            Err(mut e) => problems.append(&mut e),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

fn data_view(policy: &Policy, d: Engine, dir: &str, t: &Table) -> Result<String, Vec<Unsupported>> {
    let mut problems = Vec::new();
    let dia = &t.dialect;
    if dia.encoding.is_some() || dia.sheet.is_some() {
        problems.push(Unsupported::new(
            format!(
                "reading `{}` in another encoding than UTF-8, or from a workbook,",
                t.file
            ),
            t.file_span,
        ));
    }
    if d == Engine::Spark && dia.skip_lines > 0 {
        // Spark's CSV reader has no option to skip lines before the header.
        problems.push(Unsupported::new(
            format!("skipping lines before the header of `{}`", t.file),
            t.file_span,
        ));
    }
    let path = format!("{}/{}", dir.trim_end_matches('/'), t.file);
    let mut cols = Vec::new();
    for c in &t.columns {
        let raw = format!("raw.{}", d.ident(&c.header));
        let mut text = format!("NULLIF({}, '')", d.trim(&raw));
        if !dia.nulls.is_empty() {
            let nulls: Vec<String> = dia.nulls.iter().map(|n| d.text(n)).collect();
            text = format!(
                "(CASE WHEN {text} IN ({}) THEN NULL ELSE {text} END)",
                nulls.join(", ")
            );
        }
        match typed(policy, d, c, &text) {
            Ok(v) => cols.push(format!("  {v} AS {}", d.ident(&c.name))),
            Err(u) => problems.push(u),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let (before, from) = d.read_csv(&format!("docket_raw_{}", t.name), &path, dia);
    Ok(format!(
        "{before}CREATE OR REPLACE TEMPORARY VIEW {} AS\nSELECT\n{}\nFROM {from} raw;\n\n",
        d.ident(&t.name),
        cols.join(",\n"),
    ))
}

/// A cell's text (trimmed, `NULL` when empty) as the column's type.
fn typed(
    policy: &Policy,
    d: Engine,
    c: &crate::semantics::Column,
    text: &str,
) -> Result<String, Unsupported> {
    let zone = policy.timezone.name();
    let value = match c.ty {
        ColumnType::Ref(_) => text.to_string(),
        ColumnType::Scalar(s) => scalar(d, c, s, text, zone)?,
        ColumnType::List(s) => {
            let items = d.list_filter(
                &d.list_map(&d.split(text, &c.separator), &d.trim("x")),
                "x <> ''",
            );
            match s {
                ScalarType::Text => items,
                ScalarType::Email => d.list_filter(&items, &email_test(d, "x")),
                _ => {
                    return Err(Unsupported::new(
                        format!("reading a list of {s:?} values from CSV").to_lowercase(),
                        c.span,
                    ));
                }
            }
        }
    };
    Ok(match &c.default {
        Some(l) => format!(
            "(CASE WHEN {text} IS NULL THEN {} ELSE {value} END)",
            default(d, l)
        ),
        None => value,
    })
}

fn email_test(d: Engine, x: &str) -> String {
    d.full_match(x, r#"[^@\s"]+@[^@\s]+"#)
}

fn scalar(
    d: Engine,
    c: &crate::semantics::Column,
    s: ScalarType,
    t: &str,
    zone: &str,
) -> Result<String, Unsupported> {
    Ok(match s {
        ScalarType::Text => match (&c.one_of, c.one_of_open) {
            (Some(values), false) => {
                let vs: Vec<String> = values.iter().map(|v| d.text(v)).collect();
                format!("(CASE WHEN {t} IN ({}) THEN {t} END)", vs.join(", "))
            }
            _ => t.to_string(),
        },
        ScalarType::Email => format!("(CASE WHEN {} THEN {t} END)", email_test(d, t)),
        ScalarType::Int => format!(
            "(CASE WHEN {} THEN {} END)",
            d.full_match(t, "[+-]?[0-9]+"),
            d.to_int(t)
        ),
        ScalarType::Bool => format!(
            "(CASE lower({t}) WHEN 'true' THEN TRUE WHEN 'yes' THEN TRUE WHEN 'y' THEN TRUE WHEN '1' THEN TRUE WHEN 'false' THEN FALSE WHEN 'no' THEN FALSE WHEN 'n' THEN FALSE WHEN '0' THEN FALSE END)"
        ),
        ScalarType::Date => {
            let mut tries = Vec::new();
            for f in &c.formats {
                let Some(variants) = f.parser_formats(style(d)) else {
                    return Err(Unsupported::new(
                        format!("the date format `{}`", f.source),
                        c.span,
                    ));
                };
                for (v, _) in variants {
                    tries.push(format!("CAST({} AS DATE)", d.parse_time(t, &v)));
                }
            }
            coalesce(tries)
        }
        ScalarType::DateTime => {
            let mut tries = Vec::new();
            for f in &c.formats {
                if f.is_iso_datetime() {
                    let iso =
                        r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?";
                    tries.push(format!(
                        "(CASE WHEN {} THEN {} WHEN {} THEN {} END)",
                        d.full_match(t, &format!("{iso}([Zz]|[+-][0-9]{{2}}(:?[0-9]{{2}})?)")),
                        d.iso_instant(t),
                        d.full_match(t, iso),
                        instant(d, &d.local_ms(&d.iso_local(t), zone))
                    ));
                    continue;
                }
                let Some(variants) = f.parser_formats(style(d)) else {
                    return Err(Unsupported::new(
                        format!("the date-time format `{}`", f.source),
                        c.span,
                    ));
                };
                for (v, offset) in variants {
                    let parsed = d.parse_time(t, &v);
                    tries.push(if offset {
                        format!("CAST({parsed} AS {})", d.instant_type())
                    } else {
                        instant(d, &d.local_ms(&parsed, zone))
                    });
                }
            }
            coalesce(tries)
        }
        ScalarType::Days | ScalarType::Duration => {
            return Err(Unsupported::new(
                "reading day counts or durations from CSV",
                c.span,
            ));
        }
    })
}

/// Epoch milliseconds as a timestamp with a zone.
fn instant(d: Engine, ms: &str) -> String {
    d.ms_to_timestamp(ms)
}

fn coalesce(tries: Vec<String>) -> String {
    match tries.len() {
        0 => "NULL".to_string(),
        1 => tries.into_iter().next().unwrap_or_default(),
        _ => format!("COALESCE({})", tries.join(", ")),
    }
}

/// A column's default, in the column's SQL type.
fn default(d: Engine, l: &Lit) -> String {
    match l {
        Lit::Text(s) => d.text(s),
        Lit::Int(n) | Lit::Days(n) | Lit::Duration(n) => n.to_string(),
        Lit::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Lit::Date(x) => format!("DATE '{x}'"),
        Lit::DateTime(i) => d.ms_to_timestamp(&i.0.to_string()),
    }
}

/// The views the rules read: `docket_u_T` numbers the rows of each table
/// in order, `docket_k_T` maps each key to its first row (rows without a
/// key, or repeating one, are left out, as docket leaves them out), and
/// `docket_t_T` holds the values as the rules compare them.
pub(crate) fn internal_views(policy: &Policy, d: Engine) -> String {
    let mut out = String::new();
    for t in &policy.tables {
        out.push_str(&d.numbered(&d.ident(&format!("docket_u_{}", t.name)), &d.ident(&t.name)));
    }
    for t in &policy.tables {
        if let Some(k) = t.key.and_then(|k| t.columns.get(k)) {
            out.push_str(&format!(
                "CREATE OR REPLACE TEMPORARY VIEW {} AS SELECT min(_row) AS _row, {key} AS key FROM {} WHERE {key} IS NOT NULL GROUP BY {key};\n",
                d.ident(&format!("docket_k_{}", t.name)),
                d.ident(&format!("docket_u_{}", t.name)),
                key = d.ident(&k.name)
            ));
        }
    }
    out.push('\n');
    for t in &policy.tables {
        out.push_str(&internal_view(policy, d, t));
    }
    out
}

fn internal_view(policy: &Policy, d: Engine, t: &Table) -> String {
    let mut cols = vec!["u._row".to_string()];
    for c in &t.columns {
        let v = format!("u.{}", d.ident(&c.name));
        let name = d.ident(&c.name);
        match c.ty {
            ColumnType::Scalar(ScalarType::Date) => {
                cols.push(format!("{} AS {name}", d.date_days(&v)));
            }
            ColumnType::Scalar(ScalarType::DateTime) => {
                cols.push(format!("{} AS {name}", d.ts_ms(&v)));
            }
            ColumnType::Ref(target) => {
                let target = policy.tables.get(target).map_or("?", |x| x.name.as_str());
                cols.push(format!(
                    "(SELECT min(k._row) FROM {} k WHERE k.key = {v}) AS {name}",
                    d.ident(&format!("docket_k_{target}"))
                ));
                cols.push(format!("{v} AS {}", d.ident(&format!("{}__key", c.name))));
            }
            _ => cols.push(format!("{v} AS {name}")),
        }
    }
    let keep = match t.key {
        Some(_) => format!(
            "\nWHERE u._row IN (SELECT _row FROM {})",
            d.ident(&format!("docket_k_{}", t.name))
        ),
        None => String::new(),
    };
    let query = format!(
        "\nSELECT {}\nFROM {} u{keep}",
        cols.join(",\n  "),
        d.ident(&format!("docket_u_{}", t.name))
    );
    d.cached_view(&d.ident(&format!("docket_t_{}", t.name)), &query) + "\n"
}
