//! The data layer's description of what to read, built from a checked
//! policy: its tables, columns (with how to read each) and relations.

use super::ir::*;
use crate::data::{self, DefaultValue, Kind, ValueType};
use crate::syntax::ast::ScalarType;

fn value_type(s: ScalarType) -> ValueType {
    match s {
        ScalarType::Text => ValueType::Text,
        ScalarType::Int => ValueType::Int,
        ScalarType::Bool => ValueType::Bool,
        ScalarType::Date => ValueType::Date,
        ScalarType::DateTime => ValueType::DateTime,
        ScalarType::Email => ValueType::Email,
        ScalarType::Duration => ValueType::Duration,
        ScalarType::Days => ValueType::Days,
    }
}

fn kind(t: ColumnType) -> Kind {
    match t {
        ColumnType::Scalar(s) => Kind::Scalar(value_type(s)),
        ColumnType::List(s) => Kind::List(value_type(s)),
        ColumnType::Ref(t) => Kind::Ref(t),
    }
}

fn default(l: &Lit) -> DefaultValue {
    match l {
        Lit::Text(s) => DefaultValue::Text(s.clone()),
        Lit::Int(n) | Lit::Days(n) | Lit::Duration(n) => DefaultValue::Number(*n),
        Lit::Bool(b) => DefaultValue::Bool(*b),
        Lit::Date(d) => DefaultValue::Date(*d),
        Lit::DateTime(i) => DefaultValue::DateTime(i.0),
    }
}

impl Policy {
    /// What the data layer reads for this policy: every declared table and
    /// column (those no rule reads are checked, not stored).
    pub fn schema(&self) -> data::Schema {
        let used = self.used_columns();
        data::Schema {
            zone: self.timezone,
            tables: self
                .tables
                .iter()
                .zip(used)
                .map(|(t, used)| data::TableSchema {
                    name: t.name.clone(),
                    span: t.span,
                    file: t.file.clone(),
                    file_span: t.file_span,
                    columns: t
                        .columns
                        .iter()
                        .zip(used)
                        .map(|(c, used)| data::ColumnSchema {
                            name: c.name.clone(),
                            header: c.header.clone(),
                            header_span: c.header_span,
                            kind: kind(c.ty),
                            required: c.required,
                            default: c.default.as_ref().map(default),
                            formats: c.formats.clone(),
                            values: c.one_of.clone(),
                            open: c.one_of_open,
                            separator: c.separator.clone(),
                            used,
                        })
                        .collect(),
                    key: t.key,
                    dialect: t.dialect.clone(),
                    relations: t
                        .relations
                        .iter()
                        .map(|r| data::RelationSchema {
                            target: r.target,
                            via: r.via,
                            ordered_by: r.ordered_by,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
