//! Declared value sets (`one of […]`): which cells a column may hold.
//!
//! A *closed* set (`one of ["New", "Closed"]`) is a constraint on the data:
//! a cell holding any other value is a data error (`unknown-value`) naming
//! the closest declared value, and the cell reads as missing. An *open* set
//! (`one of […] or others`) only lists the values rules may compare with:
//! other values are read as written, and those close to a declared value
//! (`Closed won` beside `Closed Won`) are reported once per column and value
//! as a warning (`near-value`), with how many cells hold them.

use rustc_hash::{FxHashMap, FxHashSet};

use super::error::{DataError, excerpt};
use super::schema::{ColumnSchema, Kind, ValueType};
use crate::diagnostic::Code;
use crate::diagnostic::suggest;

/// A text column's declared values.
pub(super) struct ValueSet<'t> {
    values: &'t [String],
    set: FxHashSet<&'t str>,
    open: bool,
}

impl<'t> ValueSet<'t> {
    /// The declared values of a text column, if it has any.
    pub(super) fn of(col: &'t ColumnSchema) -> Option<ValueSet<'t>> {
        let values = col.values.as_deref()?;
        if col.kind != Kind::Scalar(ValueType::Text) {
            return None;
        }
        Some(ValueSet {
            values,
            set: values.iter().map(String::as_str).collect(),
            open: col.open,
        })
    }

    /// Whether `s` is one of the declared values.
    #[inline]
    pub(super) fn holds(&self, s: &str) -> bool {
        self.set.contains(s)
    }

    /// Whether other values are read as written.
    pub(super) fn is_open(&self) -> bool {
        self.open
    }

    /// The declared values closest to `s`.
    fn closest(&self, s: &str) -> Vec<&'t str> {
        suggest(s, self.values.iter().map(String::as_str))
    }
}

/// Values outside a column's set met in one block, with what was decided
/// about each (worked out once per distinct value).
#[derive(Default)]
pub(super) struct Outside {
    /// Per column: each value met.
    seen: FxHashMap<usize, FxHashMap<Box<str>, Verdict>>,
}

struct Verdict {
    /// "did you mean …" for the message, when some declared value is close.
    hint: Option<String>,
    /// Block-relative line of the first cell, and how many cells.
    first: u64,
    cells: u64,
}

fn hint(closest: &[&str]) -> Option<String> {
    match closest {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        [one, rest @ ..] => Some(format!(
            "did you mean `{one}`? (or {})",
            rest.iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

impl Outside {
    /// Notes the value `s` of column `ci`, not in `set`, on block line `line`;
    /// for a closed set, the message of its data error.
    #[cold]
    pub(super) fn note(&mut self, ci: usize, set: &ValueSet, s: &str, line: u64) -> Option<String> {
        let values = self.seen.entry(ci).or_default();
        if !values.contains_key(s) {
            let seen = Verdict {
                hint: hint(&set.closest(s)),
                first: line,
                cells: 0,
            };
            values.insert(s.into(), seen);
        }
        let seen = values.get_mut(s)?;
        seen.cells += 1;
        (!set.is_open()).then(|| {
            let declared = set.values.len();
            match &seen.hint {
                Some(h) => format!(
                    "`{}` is not one of the {declared} values declared for this column; {h}",
                    excerpt(s)
                ),
                None => format!(
                    "`{}` is not one of the {declared} values declared for this column ({})",
                    excerpt(s),
                    listed(set.values)
                ),
            }
        })
    }

    /// The near misses of open sets, for the block's part.
    pub(super) fn near_misses(self) -> Vec<NearMiss> {
        let mut out: Vec<NearMiss> = self
            .seen
            .into_iter()
            .flat_map(|(column, values)| {
                values.into_iter().filter_map(move |(text, s)| {
                    s.hint.map(|hint| NearMiss {
                        column,
                        text,
                        hint,
                        first: s.first,
                        cells: s.cells,
                    })
                })
            })
            .collect();
        out.sort_by(|a, b| a.first.cmp(&b.first).then(a.column.cmp(&b.column)));
        out
    }
}

/// The declared values, for a message (the first few).
fn listed(values: &[String]) -> String {
    let shown: Vec<String> = values.iter().take(6).map(|v| format!("`{v}`")).collect();
    if values.len() > 6 {
        format!("{}, …", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A value close to, but not among, an open set's declared values.
#[derive(Debug, Clone)]
pub(super) struct NearMiss {
    column: usize,
    text: Box<str>,
    hint: String,
    /// Line of the first cell (block-relative until joined).
    pub(super) first: u64,
    cells: u64,
}

/// Joins the near misses of a file's blocks (in order; lines already
/// shifted) into one warning per column and value.
pub(super) fn near_warnings(
    misses: Vec<NearMiss>,
    columns: &[ColumnSchema],
    file: &std::sync::Arc<str>,
) -> Vec<DataError> {
    let mut joined: Vec<NearMiss> = Vec::new();
    let mut at: FxHashMap<(usize, Box<str>), usize> = FxHashMap::default();
    for m in misses {
        match at.get(&(m.column, m.text.clone())) {
            Some(&i) => {
                if let Some(j) = joined.get_mut(i) {
                    j.cells += m.cells;
                }
            }
            None => {
                at.insert((m.column, m.text.clone()), joined.len());
                joined.push(m);
            }
        }
    }
    joined
        .into_iter()
        .filter_map(|m| {
            let col = columns.get(m.column)?;
            if !col.open {
                return None;
            }
            let cells = if m.cells == 1 {
                "1 cell".to_string()
            } else {
                format!("{} cells, the first on this line", m.cells)
            };
            Some(DataError {
                code: Code::DataNearValue,
                file: file.clone(),
                line: m.first,
                column: Some(col.header.clone()),
                text: Some(excerpt(&m.text)),
                message: format!(
                    "`{}` is not one of the values declared for this column ({}); read as written, since the set is open: {cells}",
                    excerpt(&m.text),
                    m.hint
                ),
                other_line: None,
                cell: None,
            })
        })
        .collect()
}
