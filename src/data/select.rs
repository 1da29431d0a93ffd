//! Loading only what one subject row needs (`docket case`): a quick scan of
//! the raw records finds the row, the rows its references name, and the
//! rows related to those, following references until nothing new appears;
//! the typed load then skips every other record without parsing its cells.

use std::collections::{BTreeMap, BTreeSet};

use super::chunks::Chunker;
use super::csvread::SliceReader;
use super::open::{Opened, Sources, open_table_files};
use super::schema::{Kind, Schema, TableId};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;

/// Which records of one table to load: its key in a set, or a reference
/// column in a set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TableFilter {
    /// (declared column, accepted values) pairs; a record matching any is kept.
    pub(crate) any: Vec<(usize, BTreeSet<String>)>,
}

impl TableFilter {
    /// Whether a record with these (trimmed) cells is kept.
    pub(crate) fn keeps(&self, cell: impl Fn(usize) -> Option<String>) -> bool {
        self.any
            .iter()
            .any(|(c, set)| cell(*c).is_some_and(|v| set.contains(&v)))
    }
}

impl TableFilter {
    /// Whether a block of whole records may hold a record this filter keeps:
    /// a kept record's cell holds one of the values, so its bytes do (quoted
    /// or not), unless a value is empty or has a quote in it.
    pub(crate) fn may_keep(&self, block: &[u8]) -> bool {
        self.any.iter().any(|(_, set)| {
            set.iter().any(|v| {
                v.is_empty()
                    || v.contains('"')
                    || memchr::memmem::find(block, v.as_bytes()).is_some()
            })
        })
    }
}

/// Filters per table (`None`: load everything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Indexed by table.
    pub(crate) tables: Vec<Option<TableFilter>>,
}

fn trimmed(raw: &[u8]) -> Option<String> {
    std::str::from_utf8(raw).ok().map(|s| s.trim().to_string())
}

/// Every key of `table`, read as the loader reads the file (its dialect,
/// a sheet), for suggesting a case number; empty when it cannot be read.
pub fn keys(schema: &Schema, sources: &Sources, table: TableId) -> Vec<String> {
    let mut all = sources.clone();
    all.keep = None;
    let Ok(opened) = open_table_files(schema, &all) else {
        return Vec::new();
    };
    let Some(o) = opened.iter().find(|o| o.table() == table) else {
        return Vec::new();
    };
    let Some(k) = schema.tables.get(table).and_then(|t| t.key) else {
        return Vec::new();
    };
    scan(o, None, &[k])
        .map(|found| found.into_iter().map(|(_, v)| v).collect())
        .unwrap_or_default()
}

/// Scans `o`'s records and returns, for those `keep` accepts, the values of
/// each reference column. Blocks that cannot hold a kept record are not
/// parsed at all.
fn scan(
    o: &Opened,
    keep: Option<&TableFilter>,
    refs: &[usize],
) -> Result<Vec<(usize, String)>, std::io::Error> {
    let keeps = |cell: &dyn Fn(usize) -> Option<String>| keep.is_none_or(|k| k.keeps(cell));
    let mut out = Vec::new();
    if let Some(sheet) = o.sheet() {
        for row in &sheet.rows {
            let cell = |c: usize| {
                let f = o.field(c)?;
                Some(row.cells.get(f)?.text.trim().to_string())
            };
            if keeps(&cell) {
                out.extend(
                    refs.iter()
                        .filter_map(|&c| Some((c, cell(c).filter(|v| !v.is_empty())?))),
                );
            }
        }
        return Ok(out);
    }
    let mut chunker = Chunker::new(o.records()?, 4 << 20);
    let mut spare = Vec::new();
    while let Some(block) = chunker.next_block_in(std::mem::take(&mut spare))? {
        if keep.is_none_or(|k| k.may_keep(&block.bytes)) {
            let mut reader = SliceReader::new(&block.bytes);
            while let Some(rec) = reader.next_record() {
                let cell = |c: usize| o.field(c).and_then(|f| rec.get(f)).and_then(trimmed);
                if keeps(&cell) {
                    for &c in refs {
                        if let Some(v) = cell(c).filter(|v| !v.is_empty()) {
                            out.push((c, v));
                        }
                    }
                }
            }
        }
        spare = block.bytes;
    }
    Ok(out)
}

/// The filter that loads the subject row of `table` with key `key` and
/// everything the schema can reach from it.
pub fn around(
    schema: &Schema,
    sources: &Sources,
    table: TableId,
    wanted: &[String],
) -> Result<Filter, Vec<Diagnostic>> {
    let opened = open_table_files(schema, sources)?;
    let n = schema.tables.len();
    // Wanted keys per table, and wanted values of `via` columns.
    let mut keys: Vec<BTreeSet<String>> = vec![BTreeSet::new(); n];
    if let Some(k) = keys.get_mut(table) {
        k.extend(wanted.iter().map(|w| w.trim().to_string()));
    }
    let filter_of = |keys: &[BTreeSet<String>]| -> Filter {
        let mut f = Filter {
            tables: vec![None; n],
        };
        for (t, tdecl) in schema.tables.iter().enumerate() {
            let Some(set) = keys.get(t).filter(|s| !s.is_empty()) else {
                continue;
            };
            if let (Some(k), Some(slot)) = (tdecl.key, f.tables.get_mut(t)) {
                slot.get_or_insert_with(TableFilter::default)
                    .any
                    .push((k, set.clone()));
            }
            for r in &tdecl.relations {
                if let Some(slot) = f.tables.get_mut(r.target) {
                    slot.get_or_insert_with(TableFilter::default)
                        .any
                        .push((r.via, set.clone()));
                }
            }
        }
        // Tables nothing reaches load nothing.
        for slot in &mut f.tables {
            slot.get_or_insert_with(TableFilter::default);
        }
        f
    };
    let mut scanned: BTreeMap<TableId, TableFilter> = BTreeMap::new();
    for _round in 0..8 {
        let f = filter_of(&keys);
        let mut changed = false;
        for o in &opened {
            let t = o.table();
            let Some(Some(tf)) = f.tables.get(t) else {
                continue;
            };
            if tf.any.is_empty() || scanned.get(&t) == Some(tf) {
                continue;
            }
            let Some(decl) = schema.tables.get(t) else {
                continue;
            };
            let refs = decl.ref_columns();
            let found = scan(o, Some(tf), &refs).map_err(|e| {
                vec![Diagnostic::error(
                    Code::DataMissingFile,
                    format!(
                        "cannot read `{}`: {}",
                        o.display(),
                        crate::diagnostic::io_reason(&e)
                    ),
                )]
            })?;
            scanned.insert(t, tf.clone());
            for (c, v) in found {
                if let Some(Kind::Ref(target)) = decl.columns.get(c).map(|c| c.kind)
                    && let Some(set) = keys.get_mut(target)
                    && set.insert(v)
                {
                    changed = true;
                }
            }
        }
        if !changed {
            return Ok(filter_of(&keys));
        }
    }
    Ok(filter_of(&keys))
}
