//! Loading every declared table: files cut into blocks, blocks parsed on
//! every core, then joined, references resolved and relations built.

use std::sync::Arc;
use std::time::Duration;

use super::chunks::{Block, Chunker};
use super::error::DataError;
use super::index;
use super::merge::{LoadedTable, merge, size_error};
use super::open::{Opened, Sources, open_table_files};
use super::parse::{BlockParser, ParsedBlock};
use super::schema::{Kind, Schema};
use super::store::*;
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, io_reason};
use crate::time::LocalResolver;

/// Bytes per block: files are cut into blocks parsed in parallel.
pub(super) const BLOCK: usize = 4 << 20;

/// The smallest block a file is cut into (but for its last): small files
/// are cut into a few blocks per worker.
const MIN_BLOCK: usize = 256 * 1024;

/// Blocks per worker a file is cut into at least (down to [`MIN_BLOCK`]).
/// Measured on the 100k-case export: 4 left one worker idle for up to a
/// quarter of a file; 16 loads it 9-11% faster (the median of 13 runs).
const BLOCKS_PER_WORKER: u64 = 16;

/// The fewest rows of a sheet parsed as one block.
const SHEET_ROWS: usize = 4096;

/// Reads the tables of a schema: from the files of an export directory,
/// from files or any reader given per table, all of them or only what one
/// case needs.
///
/// Files are cut into blocks that end on record boundaries; blocks of all
/// tables are parsed in parallel and then joined in order, so the result is
/// the same as reading each file from top to bottom, whatever the block size
/// and the number of threads.
#[derive(Debug, Clone)]
pub struct Loader<'s> {
    schema: &'s Schema,
    sources: Sources,
    block: usize,
    threads: Option<usize>,
    /// Keep each table's key index after the load ([`TableData::row_of`]).
    key_indexes: bool,
}

/// How long a load's stages took (`DOCKET_TIMING` shows them).
#[derive(Debug, Clone, Default)]
pub struct LoadTimings {
    /// Per wave of tables loaded together: their names, parse and merge time.
    pub(crate) waves: Vec<(Vec<String>, Duration, Duration)>,
    /// Resolving references kept as text.
    pub(crate) references: Duration,
    /// Building relations.
    pub(crate) relations: Duration,
}

impl<'s> Loader<'s> {
    /// A loader for `schema`, with nothing to read yet.
    pub fn new(schema: &'s Schema) -> Loader<'s> {
        Loader {
            schema,
            sources: Sources::default(),
            block: BLOCK,
            threads: None,
            key_indexes: true,
        }
    }

    /// Drops each table's key index once references are resolved and the
    /// dropped rows of relations have found their parents, before the
    /// relations' memory is taken: a run that never looks a row up by its
    /// key (an audit, not `docket case`) holds 30 MB less at a million
    /// cases. [`TableData::row_of`] then finds nothing.
    pub fn without_key_indexes(mut self) -> Loader<'s> {
        self.key_indexes = false;
        self
    }

    /// Where the tables are.
    pub fn sources(mut self, sources: Sources) -> Loader<'s> {
        self.sources = sources;
        self
    }

    /// Blocks of `bytes` (tests use tiny blocks to cross block boundaries
    /// everywhere).
    pub fn block_size(mut self, bytes: usize) -> Loader<'s> {
        self.block = bytes.max(1);
        self
    }

    /// Parses on `n` threads (default: rayon's pool).
    pub(crate) fn threads(mut self, n: usize) -> Loader<'s> {
        self.threads = Some(n.max(1));
        self
    }

    /// Opens every table's file and maps its header, reporting every
    /// missing file and column at once.
    pub(crate) fn open(&self) -> Result<Vec<Opened>, Vec<Diagnostic>> {
        open_table_files(self.schema, &self.sources)
    }

    /// Reads about `bytes` of the start of every file and reads each declared
    /// column as its type (`docket lint --data`). Missing files and columns
    /// are the `Err`, as for [`Loader::load`].
    pub(crate) fn sample(&self, bytes: usize) -> Result<Vec<super::FileSample>, Vec<Diagnostic>> {
        super::sample::sample(self.schema, &self.open()?, bytes)
    }

    /// Loads every table. Only a run that cannot start (a missing file or
    /// column) is an `Err`; bad rows are data errors in the dataset.
    pub fn load(&self) -> Result<Dataset, Vec<Diagnostic>> {
        let opened = self.open()?;
        let mut timings = LoadTimings::default();
        let mut done: Vec<Option<LoadedTable>> = (0..opened.len()).map(|_| None).collect();
        for wave in &load_order(self.schema, &opened) {
            let (names, parse, merge) = self.load_wave(&opened, wave, &mut done)?;
            timings.waves.push((names, parse, merge));
        }
        let mut data = self.assemble(done, timings);
        data.sources = opened;
        Ok(data)
    }

    /// Parses and joins the tables of one wave; references into tables of
    /// earlier waves are resolved while parsing.
    fn load_wave(
        &self,
        opened: &[Opened],
        wave: &[usize],
        done: &mut [Option<LoadedTable>],
    ) -> Result<(Vec<String>, Duration, Duration), Vec<Diagnostic>> {
        let t = std::time::Instant::now();
        let (merged, parse) = {
            let targets: Vec<Vec<Option<&TableData>>> = wave
                .iter()
                .map(|&oi| {
                    ref_targets(self.schema, opened, oi)
                        .into_iter()
                        .map(|ti| ti.and_then(|ti| done.get(ti)?.as_ref()).map(|l| &l.data))
                        .collect()
                })
                .collect();
            let parts = self
                .parse_files(opened, wave, &targets)
                .map_err(|d| vec![d])?;
            let too_large: Vec<Diagnostic> = wave
                .iter()
                .zip(&parts)
                .filter_map(|(&oi, blocks)| size_error(opened.get(oi)?, blocks))
                .collect();
            if !too_large.is_empty() {
                return Err(too_large);
            }
            let parse = t.elapsed();
            use rayon::prelude::*;
            let merged: Vec<LoadedTable> = wave
                .par_iter()
                .zip(parts)
                .zip(&targets)
                .filter_map(|((&oi, blocks), targets)| {
                    let o = opened.get(oi)?;
                    let table = self.schema.tables.get(o.table())?;
                    Some(merge(table, o, blocks, targets))
                })
                .collect();
            (merged, parse)
        };
        let joined = t.elapsed() - parse;
        let names = wave
            .iter()
            .filter_map(|oi| opened.get(*oi))
            .filter_map(|o| self.schema.tables.get(o.table()))
            .map(|t| t.name.clone())
            .collect();
        for (&oi, l) in wave.iter().zip(merged) {
            if let Some(slot) = done.get_mut(oi) {
                *slot = Some(l);
            }
        }
        Ok((names, parse, joined))
    }

    /// The tables as one dataset: references kept as text resolved, broken
    /// ones reported, relations built, data errors in file and line order.
    fn assemble(&self, done: Vec<Option<LoadedTable>>, mut timings: LoadTimings) -> Dataset {
        let mut tables = Vec::new();
        let mut pending = Vec::new();
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut accounts = Vec::new();
        for l in done.into_iter().flatten() {
            tables.push(l.data);
            pending.push(l.refs);
            errors.extend(l.errors);
            warnings.extend(l.warnings);
            accounts.push(l.account);
        }
        let t = std::time::Instant::now();
        index::resolve_refs(self.schema, &mut tables, pending);
        index::report_broken_refs(self.schema, &mut tables, &mut errors, &mut accounts);
        timings.references = t.elapsed();
        let t = std::time::Instant::now();
        index::build_relations(self.schema, &mut tables, self.key_indexes);
        timings.relations = t.elapsed();
        let order: Vec<Arc<str>> = tables.iter().map(|t| t.file.clone()).collect();
        let place = |e: &DataError| {
            let file = order.iter().position(|f| *f == e.file);
            (file.unwrap_or(usize::MAX), e.line)
        };
        errors.sort_by_key(place);
        warnings.sort_by_key(place);
        Dataset {
            tables,
            errors,
            warnings,
            accounts,
            timings,
            sources: Vec::new(),
        }
    }

    /// Reads the files of one wave in blocks on this thread and parses the
    /// blocks on worker threads; the parts of each file come back in order.
    fn parse_files(
        &self,
        opened: &[Opened],
        wave: &[usize],
        targets: &[Vec<Option<&TableData>>],
    ) -> Result<Vec<Vec<ParsedBlock>>, Diagnostic> {
        let (schema, sources, block) = (self.schema, &self.sources, self.block);
        let used = schema.used_columns();
        let parts: std::sync::Mutex<Vec<Vec<Option<ParsedBlock>>>> =
            std::sync::Mutex::new((0..wave.len()).map(|_| Vec::new()).collect());
        let workers = self.threads.unwrap_or_else(rayon::current_num_threads);
        // Blocks waiting to be parsed: the channel's capacity bounds memory.
        let (send, recv) = std::sync::mpsc::sync_channel::<(usize, Block)>(workers + 1);
        // Block buffers go back to the reader once parsed.
        let (give_back, spares) = std::sync::mpsc::channel::<Vec<u8>>();
        let recv = std::sync::Mutex::new(recv);
        let mut io_error: Option<Diagnostic> = None;
        std::thread::scope(|scope| {
            for _ in 0..workers {
                let (recv, parts, used) = (&recv, &parts, &used);
                let give_back = give_back.clone();
                scope.spawn(move || {
                    // One zone for the whole schema: the days it has resolved
                    // serve every column, block and file this worker parses.
                    let mut resolver = LocalResolver::new(schema.zone);
                    loop {
                        let next = match recv.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        let Ok((k, block)) = next else { return };
                        let Some(o) = wave.get(k).and_then(|oi| opened.get(*oi)) else {
                            continue;
                        };
                        let Some(table) = schema.tables.get(o.table()) else {
                            continue;
                        };
                        let used = used.get(o.table()).map_or(&[][..], Vec::as_slice);
                        let index = block.index;
                        let keep = sources
                            .keep
                            .as_ref()
                            .and_then(|k| k.tables.get(o.table()))
                            .and_then(Option::as_ref);
                        let targets = targets.get(k).map_or(&[][..], Vec::as_slice);
                        let parser = BlockParser::new(table, o, used, keep, targets);
                        let (part, bytes) = parser.parse(block, &mut resolver);
                        let _ = give_back.send(bytes);
                        if let Ok(mut all) = parts.lock()
                            && let Some(list) = all.get_mut(k)
                        {
                            if list.len() <= index {
                                list.resize_with(index + 1, || None);
                            }
                            if let Some(slot) = list.get_mut(index) {
                                *slot = Some(part);
                            }
                        }
                    }
                });
            }
            // This thread reads and cuts the files; the workers parse.
            'files: for (k, o) in wave.iter().filter_map(|oi| opened.get(*oi)).enumerate() {
                if let Some(sheet) = o.sheet() {
                    for b in sheet_blocks(sheet.rows.len(), workers) {
                        if send.send((k, b)).is_err() {
                            break 'files;
                        }
                    }
                    continue;
                }
                let file = match o.records() {
                    Ok(f) => f,
                    Err(e) => {
                        io_error = Some(Diagnostic::error(
                            Code::DataMissingFile,
                            format!("cannot read `{}`: {}", o.display(), io_reason(&e)),
                        ));
                        break;
                    }
                };
                // A file smaller than `block` per worker is cut into at least
                // BLOCKS_PER_WORKER blocks each, so the last block parsed, while
                // the other workers have nothing left, is a small part of it.
                let len = o.input().size().unwrap_or(u64::MAX);
                let share = usize::try_from(len / (BLOCKS_PER_WORKER * workers.max(1) as u64))
                    .unwrap_or(usize::MAX);
                let mut chunker = Chunker::new(file, block.min(share.max(MIN_BLOCK)));
                loop {
                    let spare = spares.try_recv().unwrap_or_default();
                    match chunker.next_block_in(spare) {
                        Ok(Some(b)) => {
                            if send.send((k, b)).is_err() {
                                break 'files;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            io_error = Some(Diagnostic::error(
                                Code::DataMissingFile,
                                format!("cannot read `{}`: {}", o.display(), io_reason(&e)),
                            ));
                            break 'files;
                        }
                    }
                }
            }
            drop(send);
            drop(give_back);
        });
        if let Some(d) = io_error {
            return Err(d);
        }
        Ok(parts
            .into_inner()
            .unwrap_or_default()
            .into_iter()
            .map(|blocks| blocks.into_iter().flatten().collect())
            .collect())
    }
}

/// A sheet of `n` rows in blocks: runs of rows (the rows are in memory).
fn sheet_blocks(n: usize, workers: usize) -> impl Iterator<Item = Block> {
    let step = (n / (BLOCKS_PER_WORKER as usize * workers.max(1))).max(SHEET_ROWS);
    (0..n)
        .step_by(step)
        .enumerate()
        .map(move |(index, from)| Block::of_rows(index, from..(from + step).min(n)))
}

/// The order tables load in: a table comes after the tables it refers to,
/// so its references resolve while it is parsed. Tables of one wave load
/// together; tables in a cycle of references load in one last wave, their
/// references among themselves kept as text and resolved afterwards.
fn load_order(schema: &Schema, opened: &[Opened]) -> Vec<Vec<usize>> {
    let deps: Vec<Vec<usize>> = (0..opened.len())
        .map(|oi| {
            ref_targets(schema, opened, oi)
                .into_iter()
                .flatten()
                .collect()
        })
        .collect();
    let mut placed = vec![false; opened.len()];
    let mut waves = Vec::new();
    while placed.iter().any(|p| !*p) {
        let mut ready: Vec<usize> = (0..opened.len())
            .filter(|&i| {
                !placed.get(i).copied().unwrap_or(true)
                    && deps
                        .get(i)
                        .is_some_and(|d| d.iter().all(|x| placed.get(*x).copied().unwrap_or(true)))
            })
            .collect();
        if ready.is_empty() {
            ready = (0..opened.len())
                .filter(|&i| !placed.get(i).copied().unwrap_or(true))
                .collect();
        }
        for &i in &ready {
            if let Some(p) = placed.get_mut(i) {
                *p = true;
            }
        }
        waves.push(ready);
    }
    waves
}

/// Per column of `opened[oi]`'s table: the file (index in `opened`) of the
/// table it refers to, other than its own.
fn ref_targets(schema: &Schema, opened: &[Opened], oi: usize) -> Vec<Option<usize>> {
    let table = opened.get(oi).and_then(|o| schema.tables.get(o.table));
    table.map_or_else(Vec::new, |t| {
        t.columns
            .iter()
            .map(|c| match c.kind {
                Kind::Ref(target) => opened
                    .iter()
                    .position(|o| o.table == target)
                    .filter(|ti| *ti != oi),
                _ => None,
            })
            .collect()
    })
}
