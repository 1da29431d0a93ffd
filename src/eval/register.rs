//! The waivers register: a CSV file (or a sheet) a reviewer keeps, with the
//! headers `Rule,Case,Mark,Reason,Approved By,Expires`. It is read by the
//! data layer like any export (encodings, delimiters, footers and
//! workbooks too), so a bad row is a data error with its file and line.

use std::sync::Arc;

use chrono::NaiveDate;

use super::waive::{Waiver, Waivers};
use crate::data::{
    self, Cell, ColumnRef, ColumnSchema, DataError, Dataset, Input, Kind, Schema, Sources,
    TableSchema, ValueType,
};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::semantics::Policy;
use crate::source::Span;
use crate::time::{FormatKind, TimeFormat, iso8601};

/// The register's columns: header, type, required.
const COLUMNS: [(&str, ValueType, bool); 6] = [
    ("Rule", ValueType::Text, true),
    ("Case", ValueType::Text, true),
    ("Mark", ValueType::Int, false),
    ("Reason", ValueType::Text, true),
    ("Approved By", ValueType::Text, true),
    ("Expires", ValueType::Date, false),
];

/// The register's schema: one table, read in the policy's zone; dates as
/// ISO 8601 or as Excel writes them in the US (`M/D/YYYY`).
fn schema(policy: &Policy, file: &str) -> Schema {
    let mut formats = iso8601(FormatKind::Date);
    formats.extend(TimeFormat::compile("M/D/YYYY", FormatKind::Date).ok());
    let columns = COLUMNS
        .iter()
        .map(|(header, ty, required)| ColumnSchema {
            name: header.to_ascii_lowercase().replace(' ', "_"),
            header: header.to_string(),
            header_span: Span::DUMMY,
            kind: Kind::Scalar(*ty),
            required: *required,
            default: None,
            formats: formats.clone(),
            values: None,
            open: false,
            separator: ";".to_string(),
            used: true,
        })
        .collect();
    Schema {
        zone: policy.timezone,
        tables: vec![TableSchema {
            name: "waivers".to_string(),
            span: Span::DUMMY,
            file: file.to_string(),
            file_span: Span::DUMMY,
            columns,
            key: None,
            relations: Vec::new(),
            dialect: data::dialect::Dialect::default(),
        }],
    }
}

/// The waivers of the register `input`, as of the local date `today`, and
/// the register read as a dataset (its data errors, warnings and account,
/// to report with the export's). A register that cannot be read at all (a
/// missing file or column) is the `Err`.
pub fn load_waivers(
    policy: &Policy,
    input: Input,
    today: NaiveDate,
) -> Result<(Waivers, Dataset), Vec<Diagnostic>> {
    let schema = schema(policy, &input_name(&input));
    let sources = Sources::default().with_table("waivers", input);
    let mut data = data::Loader::new(&schema)
        .sources(sources)
        .load()
        .map_err(|mut diags| {
            for d in &mut diags {
                if d.code == Code::DataMissingColumn {
                    d.help = Some("a waivers register has the columns Rule, Case, Mark, Reason, Approved By and Expires (cells of Mark and Expires may be empty)".to_string());
                }
            }
            diags
        })?;
    let mut list = Vec::new();
    let mut errors = Vec::new();
    if let Some(t) = data.table(0) {
        for row in 0..t.len {
            if let Some(w) = waiver(policy, &data, row, &mut errors) {
                list.push(w);
            }
        }
    }
    data.errors.extend(errors);
    data.errors.sort_by_key(|e| e.line);
    Ok((Waivers::new(list, today), data))
}

fn input_name(input: &Input) -> String {
    match input {
        Input::File(p) => p.display().to_string(),
        Input::Memory { name, .. } => name.clone(),
    }
}

/// Row `row` of the register as a waiver; `None` (with a data error when
/// the loader did not already report one) when it cannot be one.
fn waiver(
    policy: &Policy,
    data: &Dataset,
    row: usize,
    errors: &mut Vec<DataError>,
) -> Option<Waiver> {
    let t = data.table(0)?;
    let cell = |column: usize| data.cell(ColumnRef { table: 0, column }, row);
    let text = |column: usize| match cell(column) {
        Cell::Text(s) => Some(s.to_string()),
        _ => None,
    };
    let (file, line) = (t.file.clone(), t.line(row));
    let id = text(0)?;
    let Some(rule) = policy.rules.iter().position(|r| r.id == id) else {
        let help = did_you_mean(&id, policy.rules.iter().map(|r| r.id.as_str()))
            .unwrap_or_else(|| "`docket rules` lists the policy's rules".to_string());
        errors.push(error(
            &file,
            line,
            "Rule",
            &id,
            format!("the policy has no rule `{id}`: {help}"),
        ));
        return None;
    };
    let mark = match cell(2) {
        Cell::Int(m) if m >= 1 => Some(m as u64),
        Cell::Int(m) => {
            errors.push(error(
                &file,
                line,
                "Mark",
                &m.to_string(),
                "a mark is numbered from 1".to_string(),
            ));
            return None;
        }
        Cell::Missing => None,
        _ => return None,
    };
    let expires = match cell(5) {
        Cell::Date(d) => Some(data::days_to_date(d)?),
        Cell::Missing => None,
        _ => return None,
    };
    Some(Waiver {
        rule,
        key: text(1)?,
        mark,
        reason: text(3)?,
        approved_by: text(4)?,
        expires,
        file,
        line,
    })
}

fn error(file: &Arc<str>, line: u64, column: &str, text: &str, message: String) -> DataError {
    DataError {
        code: Code::DataUnknownValue,
        file: file.clone(),
        line,
        column: Some(column.to_string()),
        text: Some(text.to_string()),
        message,
        other_line: None,
        cell: None,
    }
}
