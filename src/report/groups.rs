//! `--group-by FIELD`: the findings counted per value of one of the
//! policy's `fields` (per owner, per account, per type), counted once per
//! finding as the audit hands each chunk on.

use std::collections::BTreeMap;
use std::sync::Mutex;

use rustc_hash::FxHashSet;

use serde::Serialize;

use crate::eval::{Finding, Status};

/// Counts for one value of the field.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub(crate) struct Group {
    /// The value (`null`: findings whose row has none).
    pub(crate) value: Option<String>,
    /// Violations.
    pub(crate) violated: u64,
    /// Due items.
    pub(crate) due: u64,
    /// Waived findings.
    pub(crate) waived: u64,
    /// Cases with at least one finding.
    pub(crate) cases: u64,
}

/// One group's counts and the cases seen in it (by table and row: eight
/// bytes a case, not its key's text; a million cases fit in about 10 MB).
type Tally = (Group, FxHashSet<u64>);

/// The counts being gathered.
pub(crate) struct Grouping {
    /// The field's name.
    pub(crate) field: String,
    /// Its index in the policy's fields.
    index: usize,
    counts: Mutex<BTreeMap<Option<String>, Tally>>,
    /// Group by the value's month (`YYYY-MM`), a date field's.
    month: bool,
}

impl Grouping {
    /// Groups by the field at `index` of the policy's fields, named `field`.
    pub(crate) fn new(field: &str, index: usize) -> Grouping {
        Grouping {
            field: field.to_string(),
            index,
            counts: Mutex::new(BTreeMap::new()),
            month: false,
        }
    }

    /// Groups by the month (`YYYY-MM`) of the date field at `index`.
    pub(crate) fn by_month(field: &str, index: usize) -> Grouping {
        Grouping {
            field: field.to_string(),
            index,
            counts: Mutex::new(BTreeMap::new()),
            month: true,
        }
    }

    /// Counts a chunk of findings.
    pub(crate) fn observe(&self, found: &[Finding]) {
        let Ok(mut all) = self.counts.lock() else {
            return;
        };
        for f in found {
            let value = f
                .fields
                .as_deref()
                .and_then(|v| v.get(self.index).cloned().flatten())
                .map(|v| {
                    if self.month {
                        v.chars().take(7).collect()
                    } else {
                        v
                    }
                });
            let (g, cases) = all.entry(value.clone()).or_insert_with(|| {
                (
                    Group {
                        value,
                        ..Group::default()
                    },
                    FxHashSet::default(),
                )
            });
            match f.status {
                Status::Violated => g.violated += 1,
                Status::Due => g.due += 1,
                Status::Waived => g.waived += 1,
                _ => {}
            }
            cases.insert(((f.table as u64) << 32) | u64::from(f.row));
        }
    }

    /// The groups in the order of their values (months: by date).
    pub(crate) fn in_order(&self) -> Vec<Group> {
        let mut g = self.groups();
        g.sort_by(|a, b| a.value.cmp(&b.value));
        g
    }

    /// The groups, most violations first.
    pub(crate) fn groups(&self) -> Vec<Group> {
        let Ok(all) = self.counts.lock() else {
            return Vec::new();
        };
        let mut out: Vec<Group> = all
            .values()
            .map(|(g, cases)| Group {
                cases: cases.len() as u64,
                ..g.clone()
            })
            .collect();
        out.sort_by(|a, b| b.violated.cmp(&a.violated).then(a.value.cmp(&b.value)));
        out
    }
}
