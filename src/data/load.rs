//! Reading the declared tables.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cell::{self, trim};
use super::chunks::{Block, Chunker};
use super::csvread::{CsvReader, Record, SliceReader};
use super::error::{DataError, FileAccount, Reject, excerpt};
use super::index;
use super::store::*;
use super::values::{NearMiss, Outside, ValueSet, near_warnings};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::semantics::{Column, ColumnType, Lit, Policy, Table, TableId, io_reason};
use crate::syntax::ast::ScalarType;
use crate::time::{Instant, Local, LocalResolver, Shift, resolve_offset};

/// Where the exports are.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// A directory holding the files the policy names.
    pub dir: Option<PathBuf>,
    /// Files given per table: (table name or file stem, path).
    pub tables: Vec<(String, PathBuf)>,
    /// Load only these records (`docket case`); `None` loads everything.
    pub keep: Option<super::select::Filter>,
}

/// A table's file, opened, with its header mapped.
pub struct Opened {
    table: TableId,
    display: Arc<str>,
    path: PathBuf,
    /// File offset and line where the records start (after the header).
    start: (u64, u64),
    header_len: usize,
    /// For each declared column, its field index.
    fields: Vec<usize>,
    /// Whether diagnostics may quote the file's content (it lies inside
    /// the export directory).
    quote: bool,
}

impl Opened {
    /// The table.
    pub fn table(&self) -> TableId {
        self.table
    }

    /// The file, opened at its first record (after the header).
    pub fn records(&self) -> std::io::Result<File> {
        use std::io::Seek;
        let mut f = File::open(&self.path)?;
        f.seek(std::io::SeekFrom::Start(self.start.0))?;
        Ok(f)
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The field index of a declared column.
    pub fn field(&self, column: usize) -> Option<usize> {
        self.fields
            .get(column)
            .copied()
            .filter(|f| *f != usize::MAX)
    }
}

/// Where a table's file is, and whether docket may quote its content in
/// diagnostics (only a file inside the export directory: a policy must not
/// be able to print other files of the machine).
fn path_for(policy: &Policy, t: &Table, sources: &Sources) -> Result<(PathBuf, bool), Diagnostic> {
    let stem = Path::new(&t.file)
        .file_stem()
        .map(|s| s.to_string_lossy().to_string());
    if let Some((_, p)) = sources
        .tables
        .iter()
        .find(|(n, _)| *n == t.name || Some(n) == stem.as_ref() || *n == t.file)
    {
        let inside = sources.dir.as_deref().is_some_and(|d| within(p, d));
        return Ok((p.clone(), inside));
    }
    match &sources.dir {
        Some(d) => {
            let p = d.join(&t.file);
            // The checker keeps the path relative and inside; a symbolic
            // link may still lead out.
            if p.exists() && !within(&p, d) {
                return Err(Diagnostic::error(
                    "docket::data::outside-export",
                    format!(
                        "`{}` for table `{}` leads outside the export directory `{}`",
                        p.display(),
                        t.name,
                        d.display()
                    ),
                )
                .with_label(t.span, format!("reads \"{}\"", t.file))
                .with_help("a table reads a file of the export; replace the link with the file, or give it with `--table NAME=FILE`"));
            }
            Ok((p, true))
        }
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
        let (path, quote) = match path_for(policy, t, sources) {
            Ok(p) => p,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let display: Arc<str> = Arc::from(path.display().to_string());
        match open_one(tid, t, &path, display, quote) {
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

/// Whether `path`, symbolic links resolved, lies inside `dir`.
fn within(path: &Path, dir: &Path) -> bool {
    match (std::fs::canonicalize(path), std::fs::canonicalize(dir)) {
        (Ok(p), Ok(d)) => p.starts_with(d),
        _ => false,
    }
}

/// Opens one table's file and maps its header; `quote` allows diagnostics
/// to quote the file's headers.
fn open_one(
    tid: TableId,
    t: &Table,
    path: &Path,
    display: Arc<str>,
    quote: bool,
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
    if let Some(what) = wide_encoding(path) {
        return Err(vec![
            Diagnostic::error(
                "docket::data::file-encoding",
                format!("`{display}` is {what}; docket reads UTF-8"),
            )
            .with_label(t.span, format!("table `{}` reads it", t.name))
            .with_help(
                "save it as UTF-8 (Excel: \"CSV UTF-8 (Comma delimited)\"), or convert it, e.g. `iconv -f UTF-16 -t UTF-8`",
            ),
        ]);
    }
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
                let present = header.iter().map(String::as_str).filter(|_| quote);
                let case = header
                    .iter()
                    .filter(|_| quote)
                    .find(|h| h.eq_ignore_ascii_case(&c.header));
                let help = case
                    .map(|h| {
                        format!(
                            "the file has `{}`: headers are matched exactly, case included",
                            crate::diagnostic::printable(h)
                        )
                    })
                    .or_else(|| {
                        did_you_mean(&c.header, present)
                            .map(|m| format!("{m} (the closest header in the file)"))
                    })
                    .unwrap_or_else(|| {
                        if quote {
                            format!("the file's headers are: {}", list_headers(&header))
                        } else {
                            "the file lies outside the export directory, so its headers are not shown".to_string()
                        }
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
        path: path.to_path_buf(),
        start: reader.position(),
        header_len: header.len(),
        fields,
        quote,
    })
}

/// What a file that is not UTF-8 is, from its first bytes: a UTF-16 or
/// UTF-32 byte-order mark, or NUL bytes (UTF-16 without a mark). `None`
/// for anything else (UTF-8, with or without its mark).
fn wide_encoding(path: &Path) -> Option<&'static str> {
    use std::io::Read;
    let mut head = [0u8; 64];
    let mut f = File::open(path).ok()?;
    let mut n = 0;
    while n < head.len() {
        match f.read(head.get_mut(n..)?) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    let head = head.get(..n)?;
    Some(match head {
        [0xFF, 0xFE, 0, 0, ..] => "UTF-32 (little-endian, with a byte-order mark)",
        [0, 0, 0xFE, 0xFF, ..] => "UTF-32 (big-endian, with a byte-order mark)",
        [0xFF, 0xFE, ..] => "UTF-16 (little-endian, with a byte-order mark)",
        [0xFE, 0xFF, ..] => "UTF-16 (big-endian, with a byte-order mark)",
        _ if head.contains(&0) => {
            "not UTF-8 text: it holds NUL bytes, as UTF-16 or UTF-32 without a byte-order mark does"
        }
        _ => return None,
    })
}

fn list_headers(h: &[String]) -> String {
    let shown: Vec<String> = h
        .iter()
        .take(20)
        .map(|x| format!("\"{}\"", crate::diagnostic::printable(x)))
        .collect();
    if h.len() > 20 {
        format!("{}, … ({} in all)", shown.join(", "), h.len())
    } else {
        shown.join(", ")
    }
}

/// Bytes per block: files are cut into blocks parsed in parallel.
pub(super) const BLOCK: usize = 4 << 20;

/// The smallest block a file is cut into (but for its last): small files
/// are cut into a few blocks per worker.
const MIN_BLOCK: usize = 256 * 1024;

/// Blocks per worker a file is cut into at least (down to [`MIN_BLOCK`]).
/// Measured on the 100k-case export: 4 left one worker idle for up to a
/// quarter of a file; 16 loads it 9-11% faster (the median of 13 runs).
const BLOCKS_PER_WORKER: u64 = 16;

/// Loads every table the policy declares. Files are cut into blocks that
/// end on record boundaries; blocks of all tables are parsed in parallel
/// and then joined in order, so the result is the same as reading each file
/// from top to bottom.
pub fn load(policy: &Policy, sources: &Sources) -> Result<Dataset, Vec<Diagnostic>> {
    load_with(policy, sources, BLOCK)
}

/// [`load`] with a block size of `block` bytes (tests use tiny blocks to
/// cross block boundaries everywhere).
pub fn load_with(
    policy: &Policy,
    sources: &Sources,
    block: usize,
) -> Result<Dataset, Vec<Diagnostic>> {
    load_columns(policy, sources, block, policy.used_columns())
}

/// [`load_with`], keeping the columns marked in `used` (per table, per
/// column) rather than those the policy's own rules read.
pub fn load_columns(
    policy: &Policy,
    sources: &Sources,
    block: usize,
    used: Vec<Vec<bool>>,
) -> Result<Dataset, Vec<Diagnostic>> {
    let opened = open_table_files(policy, sources)?;
    let timing = std::env::var_os("DOCKET_TIMING").is_some();
    let tp = std::time::Instant::now();
    let mut parse_time = std::time::Duration::ZERO;
    let waves = load_order(policy, &opened);
    let mut done: Vec<Option<Loaded>> = (0..opened.len()).map(|_| None).collect();
    for wave in &waves {
        let merged: Vec<Loaded> = {
            // References into tables of earlier waves are resolved while parsing.
            let targets: Vec<Vec<Option<&TableData>>> = wave
                .iter()
                .map(|&oi| {
                    ref_targets(policy, &opened, oi)
                        .into_iter()
                        .map(|ti| ti.and_then(|ti| done.get(ti)?.as_ref()).map(|l| &l.data))
                        .collect()
                })
                .collect();
            let t = std::time::Instant::now();
            let parts = parse_files(policy, sources, block, &used, &opened, wave, &targets)
                .map_err(|d| vec![d])?;
            parse_time += t.elapsed();
            let tparse = t.elapsed();
            use rayon::prelude::*;
            let r = wave
                .par_iter()
                .zip(parts)
                .zip(&targets)
                .filter_map(|((&oi, blocks), targets)| {
                    let o = opened.get(oi)?;
                    let table = policy.tables.get(o.table)?;
                    Some(merge(table, o, blocks, targets))
                })
                .collect();
            if timing {
                let names: Vec<&str> = wave
                    .iter()
                    .filter_map(|oi| opened.get(*oi))
                    .filter_map(|o| policy.tables.get(o.table))
                    .map(|t| t.name.as_str())
                    .collect();
                eprintln!(
                    "load: {}: parse {tparse:?}, merge {:?}",
                    names.join(", "),
                    t.elapsed() - tparse
                );
            }
            r
        };
        for (&oi, l) in wave.iter().zip(merged) {
            if let Some(slot) = done.get_mut(oi) {
                *slot = Some(l);
            }
        }
    }
    let merge_time = tp.elapsed().saturating_sub(parse_time);
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
    let t1 = std::time::Instant::now();
    index::resolve_refs(policy, &mut tables, pending);
    index::report_broken_refs(policy, &mut tables, &mut errors, &mut accounts);
    let t2 = std::time::Instant::now();
    index::build_relations(policy, &mut tables);
    if timing {
        eprintln!(
            "load: parse {parse_time:?}, merge {merge_time:?}, references {:?}, relations {:?}; memory {}",
            t2 - t1,
            t2.elapsed(),
            memory_status()
        );
        print_heap(policy, &tables);
    }
    let order: Vec<Arc<str>> = tables.iter().map(|t| t.file.clone()).collect();
    let place = |e: &DataError| {
        (
            order
                .iter()
                .position(|f| *f == e.file)
                .unwrap_or(usize::MAX),
            e.line,
        )
    };
    errors.sort_by_key(place);
    warnings.sort_by_key(place);
    Ok(Dataset {
        tables,
        errors,
        warnings,
        accounts,
    })
}

/// The order tables load in: a table comes after the tables it refers to,
/// so its references resolve while it is parsed. Tables of one wave load
/// together; tables in a cycle of references load in one last wave, their
/// references among themselves kept as text and resolved afterwards.
fn load_order(policy: &Policy, opened: &[Opened]) -> Vec<Vec<usize>> {
    let deps: Vec<Vec<usize>> = (0..opened.len())
        .map(|oi| {
            ref_targets(policy, opened, oi)
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
fn ref_targets(policy: &Policy, opened: &[Opened], oi: usize) -> Vec<Option<usize>> {
    let table = opened.get(oi).and_then(|o| policy.tables.get(o.table));
    table.map_or_else(Vec::new, |t| {
        t.columns
            .iter()
            .map(|c| match c.ty {
                ColumnType::Ref(target) => opened
                    .iter()
                    .position(|o| o.table == target)
                    .filter(|ti| *ti != oi),
                _ => None,
            })
            .collect()
    })
}

/// Reads the files of one wave in blocks on this thread and parses the
/// blocks on worker threads; the parts of each file come back in order.
fn parse_files(
    policy: &Policy,
    sources: &Sources,
    block: usize,
    used: &[Vec<bool>],
    opened: &[Opened],
    wave: &[usize],
    targets: &[Vec<Option<&TableData>>],
) -> Result<Vec<Vec<Part>>, Diagnostic> {
    let parts: std::sync::Mutex<Vec<Vec<Option<Part>>>> =
        std::sync::Mutex::new((0..wave.len()).map(|_| Vec::new()).collect());
    let workers = threads();
    // Blocks waiting to be parsed: the channel's capacity bounds memory.
    let (send, recv) = std::sync::mpsc::sync_channel::<(usize, Block)>(workers + 1);
    // Block buffers go back to the reader once parsed.
    let (give_back, spares) = std::sync::mpsc::channel::<Vec<u8>>();
    let recv = std::sync::Mutex::new(recv);
    let mut io_error: Option<Diagnostic> = None;
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let (recv, parts) = (&recv, &parts);
            let give_back = give_back.clone();
            scope.spawn(move || {
                // One zone for the whole policy: the days it has resolved
                // serve every column, block and file this worker parses.
                let mut resolver = LocalResolver::new(policy.timezone);
                loop {
                    let next = match recv.lock() {
                        Ok(r) => r.recv(),
                        Err(_) => return,
                    };
                    let Ok((k, block)) = next else { return };
                    let Some(o) = wave.get(k).and_then(|oi| opened.get(*oi)) else {
                        continue;
                    };
                    let Some(table) = policy.tables.get(o.table) else {
                        continue;
                    };
                    let used = used.get(o.table).map_or(&[][..], Vec::as_slice);
                    let index = block.index;
                    let keep = sources
                        .keep
                        .as_ref()
                        .and_then(|k| k.tables.get(o.table))
                        .and_then(Option::as_ref);
                    let targets = targets.get(k).map_or(&[][..], Vec::as_slice);
                    let (part, bytes) =
                        parse_block(table, used, &mut resolver, o, block, keep, targets);
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
            let file = match o.records() {
                Ok(f) => f,
                Err(e) => {
                    io_error = Some(Diagnostic::error(
                        "docket::data::missing-file",
                        format!("cannot read `{}`: {}", o.display, io_reason(&e)),
                    ));
                    break;
                }
            };
            // A file smaller than `block` per worker is cut into at least
            // BLOCKS_PER_WORKER blocks each, so the last block parsed, while
            // the other workers have nothing left, is a small part of it.
            let len = file.metadata().map_or(u64::MAX, |m| m.len());
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
                            "docket::data::missing-file",
                            format!("cannot read `{}`: {}", o.display, io_reason(&e)),
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

/// Heap bytes per table and column (for `DOCKET_TIMING`).
fn print_heap(policy: &Policy, tables: &[TableData]) {
    for t in tables {
        let (lines, cols, index) = t.heap_bytes();
        let mb = |b: usize| b as f64 / 1e6;
        let listed: Vec<String> = policy
            .tables
            .iter()
            .find(|d| d.name == t.name)
            .map(|d| {
                d.columns
                    .iter()
                    .zip(&cols)
                    .filter(|(_, b)| **b > 0)
                    .map(|(c, b)| format!("{} {:.1}", c.name, mb(*b)))
                    .collect()
            })
            .unwrap_or_default();
        eprintln!(
            "  {}: {} rows, lines {:.1} MB, index {:.1} MB, columns {:.1} MB ({})",
            t.name,
            t.len,
            mb(lines),
            mb(index),
            mb(cols.iter().sum()),
            listed.join(", ")
        );
    }
}

/// Peak and current resident memory, from `/proc/self/status` (Linux; for
/// `DOCKET_TIMING`).
pub fn memory_status() -> String {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// Threads to parse with: `DOCKET_THREADS`, else rayon's pool size (which
/// `--threads` sets), else the machine's.
pub fn threads() -> usize {
    std::env::var("DOCKET_THREADS")
        .ok()
        .and_then(|t| t.parse::<usize>().ok())
        .filter(|t| *t > 0)
        .unwrap_or_else(rayon::current_num_threads)
}

/// One block of one file, parsed; lines are relative to the block's start.
struct Part {
    /// Line breaks in the block (where the next block's lines start).
    newlines: u64,
    builders: Vec<Builder>,
    lines: LineMap,
    errors: Vec<DataError>,
    warnings: Vec<DataError>,
    /// Values close to an open set's declared ones.
    near: Vec<NearMiss>,
    orphans: Vec<Orphan>,
    account: FileAccount,
    /// Rows (within the block) that have a data error.
    errored: Vec<u32>,
}

/// One table as loaded, before references are resolved.
struct Loaded {
    data: TableData,
    /// Per column: the text of references, resolved afterwards.
    refs: Vec<Option<TextColumn>>,
    errors: Vec<DataError>,
    warnings: Vec<DataError>,
    account: FileAccount,
}

/// How one column of a block is read.
struct Plan<'t> {
    col: &'t Column,
    field: usize,
    is_key: bool,
    default: Option<Tmp<'t>>,
    /// For a reference into a table loaded before this one: that table.
    target: Option<&'t TableData>,
    /// The values a text column declares (`one of`).
    values: Option<ValueSet<'t>>,
}

/// A parsed cell before the row is accepted.
#[derive(Debug, Clone, Copy)]
enum Tmp<'a> {
    Missing,
    Invalid,
    Text(&'a str),
    I64(i64),
    Bool(u8),
    Date(i32),
    /// Items `start..end` of the row's scratch.
    List(usize, usize),
    /// A reference found in its (already loaded) target table.
    Row(u32),
}

/// How one reference column of a block finds the rows it names.
#[derive(Default)]
struct RefCursor {
    /// The last reference's text and the row it found (`None`: not found,
    /// or not looked up yet).
    text: String,
    row: Option<u32>,
    /// References found by the next-row check, and those it missed.
    hits: u32,
    misses: u32,
    /// References looked up once the block is read: the row they are on
    /// and their key.
    later: Vec<(u32, LaterKey)>,
}

/// The key of a reference looked up later.
enum LaterKey {
    /// Where it lies in the block.
    At(usize, usize),
    /// Its text, for a record the CSV state machine read into a buffer.
    Owned(Box<str>),
}

impl LaterKey {
    /// The key's text (`block` is the block's bytes, `text` the same when
    /// they are all UTF-8).
    fn text<'a>(&'a self, text: Option<&'a str>, block: &'a [u8]) -> &'a str {
        match self {
            LaterKey::At(a, z) => match text {
                Some(t) => t.get(*a..*z),
                None => block.get(*a..*z).and_then(|k| std::str::from_utf8(k).ok()),
            }
            .unwrap_or(""),
            LaterKey::Owned(k) => k,
        }
    }
}

impl RefCursor {
    /// The row of `t` that the reference `s` (on row `row` of the block)
    /// names: found now, by the next-row check or a lookup, or left for
    /// [`RefCursor::finish`] with `key` (`BROKEN` until then). `None`: no
    /// such row.
    fn resolve(
        &mut self,
        t: &TableData,
        s: &str,
        row: u32,
        key: impl FnOnce() -> LaterKey,
    ) -> Option<u32> {
        if self.text.as_str() == s && self.row.is_some() {
            return self.row;
        }
        // Children sorted like their parents (events by case) name the
        // parent row after the last one: no lookup.
        let next = self
            .row
            .and_then(|r| r.checked_add(1))
            .filter(|r| t.key_of(*r as usize) == Some(s));
        match (next, self.row) {
            (Some(_), _) => self.hits += 1,
            (None, Some(_)) => self.misses += 1,
            (None, None) => {}
        }
        self.text.clear();
        self.text.push_str(s);
        self.row = match next {
            Some(r) => Some(r),
            // In their parents' order: find it now, so the next one can be
            // checked against the next row.
            None if self.hits >= self.misses => t.row_of(s).and_then(|r| u32::try_from(r).ok()),
            // In another order: looked up with the block's other such
            // references, once it is read.
            None => {
                self.row = None;
                self.later.push((row, key()));
                return Some(BROKEN);
            }
        };
        self.row
    }

    /// Looks up the references left for later, one after another (with
    /// nothing else between them, the memory each waits on is fetched
    /// together), and writes their rows; the text of those not found goes
    /// to `broken`.
    fn finish(
        self,
        t: &TableData,
        text: Option<&str>,
        block: &[u8],
        rows: &mut [u32],
        broken: &mut Vec<(u32, Box<str>)>,
    ) {
        for (r, key) in self.later {
            let key = key.text(text, block);
            let found = t.row_of(key).and_then(|x| u32::try_from(x).ok());
            if let Some(slot) = rows.get_mut(r as usize) {
                *slot = found.unwrap_or(BROKEN);
            }
            if found.is_none() {
                broken.push((r, key.into()));
            }
        }
    }
}

/// List items parsed for the current row.
#[derive(Default)]
struct Scratch<'a> {
    texts: Vec<&'a str>,
    i64s: Vec<i64>,
    dates: Vec<i32>,
    /// Items that did not read (left out of the list) or read with a
    /// warning (a shifted local time, kept).
    notes: Vec<(Bad, &'a str)>,
}

struct RowCtx<'a> {
    display: &'a Arc<str>,
    line: u64,
    errors: &'a mut Vec<DataError>,
    warnings: &'a mut Vec<DataError>,
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
        let e = self.note(code, column, text, message);
        self.errors.push(e);
    }

    /// A value read, but only after interpreting it: said, never an error.
    fn warn(
        &mut self,
        code: &'static str,
        column: Option<&str>,
        text: Option<&str>,
        message: String,
    ) {
        let w = self.note(code, column, text, message);
        self.warnings.push(w);
    }

    fn note(
        &self,
        code: &'static str,
        column: Option<&str>,
        text: Option<&str>,
        message: String,
    ) -> DataError {
        DataError {
            code,
            file: self.display.clone(),
            line: self.line,
            column: column.map(str::to_string),
            text: text.map(excerpt),
            message,
            other_line: None,
        }
    }
}

/// A column being built.
enum Builder {
    Text(TextBuilder),
    Email(TextBuilder),
    I64(Vec<i64>, fn(Vec<i64>) -> ColumnData),
    Bool(Vec<u8>),
    Date(Vec<i32>),
    List {
        state: Vec<u8>,
        offsets: Vec<u32>,
        items: Items,
    },
    /// References kept as text, resolved once every table is loaded.
    Ref(TextBuilder),
    /// References resolved while parsing; the text of broken ones by row.
    Rows(Vec<u32>, Vec<(u32, Box<str>)>),
    Unused,
}

enum Items {
    Text(TextBuilder),
    I64(Vec<i64>, fn(Vec<i64>) -> ListItems),
    Date(Vec<i32>),
}

impl Items {
    fn len(&self) -> usize {
        match self {
            Items::Text(b) => b.len(),
            Items::I64(v, _) => v.len(),
            Items::Date(v) => v.len(),
        }
    }
}

/// A column's builder; `direct` resolves references while parsing.
fn builder(c: &Column, used: bool, direct: bool) -> Builder {
    if !used {
        return Builder::Unused;
    }
    if direct && matches!(c.ty, ColumnType::Ref(_)) {
        return Builder::Rows(Vec::new(), Vec::new());
    }
    match c.ty {
        ColumnType::Scalar(s) => match s {
            ScalarType::Text => Builder::Text(TextBuilder::default()),
            ScalarType::Email => Builder::Email(TextBuilder::default()),
            ScalarType::Int => Builder::I64(Vec::new(), ColumnData::Int),
            ScalarType::DateTime => Builder::I64(Vec::new(), ColumnData::DateTime),
            ScalarType::Days => Builder::I64(Vec::new(), ColumnData::Days),
            ScalarType::Duration => Builder::I64(Vec::new(), ColumnData::Duration),
            ScalarType::Bool => Builder::Bool(Vec::new()),
            ScalarType::Date => Builder::Date(Vec::new()),
        },
        ColumnType::List(s) => Builder::List {
            state: Vec::new(),
            offsets: vec![0],
            items: match s {
                ScalarType::Int => Items::I64(Vec::new(), ListItems::Int),
                ScalarType::DateTime => Items::I64(Vec::new(), ListItems::DateTime),
                ScalarType::Days => Items::I64(Vec::new(), ListItems::Days),
                ScalarType::Duration => Items::I64(Vec::new(), ListItems::Duration),
                ScalarType::Date => Items::Date(Vec::new()),
                ScalarType::Text | ScalarType::Email | ScalarType::Bool => {
                    Items::Text(TextBuilder::default())
                }
            },
        },
        ColumnType::Ref(_) => Builder::Ref(TextBuilder::default()),
    }
}

fn text_of(v: Tmp) -> TextCell {
    match v {
        Tmp::Text(s) => TextCell::Value(s),
        Tmp::Invalid => TextCell::Invalid,
        _ => TextCell::Missing,
    }
}

impl Builder {
    fn push(&mut self, v: Tmp, scratch: &Scratch) {
        match self {
            Builder::Unused => {}
            Builder::Text(b) | Builder::Email(b) | Builder::Ref(b) => b.push(text_of(v)),
            Builder::Rows(rows, broken) => {
                let r = match v {
                    Tmp::Row(r) => r,
                    Tmp::Text(s) => {
                        broken.push((u32::try_from(rows.len()).unwrap_or(u32::MAX), s.into()));
                        BROKEN
                    }
                    Tmp::Invalid => BAD_REF,
                    _ => NO_ROW,
                };
                rows.push(r);
            }
            Builder::I64(x, _) => x.push(match v {
                Tmp::I64(n) => n,
                Tmp::Invalid => INVALID_I64,
                _ => MISSING_I64,
            }),
            Builder::Bool(x) => x.push(match v {
                Tmp::Bool(b) => b,
                Tmp::Invalid => BOOL_INVALID,
                _ => BOOL_MISSING,
            }),
            Builder::Date(x) => x.push(match v {
                Tmp::Date(d) => d,
                Tmp::Invalid => INVALID_DATE,
                _ => MISSING_DATE,
            }),
            Builder::List {
                state,
                offsets,
                items,
            } => {
                let (st, range) = match v {
                    Tmp::List(a, b) => (0u8, a..b),
                    Tmp::Invalid => (2, 0..0),
                    _ => (1, 0..0),
                };
                state.push(st);
                match items {
                    Items::Text(b) => {
                        for s in scratch.texts.get(range).unwrap_or(&[]) {
                            b.push(TextCell::Value(s));
                        }
                    }
                    Items::I64(x, _) => x.extend_from_slice(scratch.i64s.get(range).unwrap_or(&[])),
                    Items::Date(x) => x.extend_from_slice(scratch.dates.get(range).unwrap_or(&[])),
                }
                offsets.push(u32::try_from(items.len()).unwrap_or(u32::MAX));
            }
        }
    }

    fn reserve(&mut self, n: usize) {
        match self {
            Builder::I64(v, _) => v.reserve(n),
            Builder::Bool(v) => v.reserve(n),
            Builder::Date(v) => v.reserve(n),
            Builder::Text(b) | Builder::Email(b) | Builder::Ref(b) => b.reserve(n),
            Builder::Rows(v, _) => v.reserve(n),
            Builder::List { .. } | Builder::Unused => {}
        }
    }

    /// Drops rows from `n` on (a row rejected after some cells were added).
    fn truncate(&mut self, n: usize) {
        match self {
            Builder::Unused => {}
            Builder::Text(b) | Builder::Email(b) | Builder::Ref(b) => b.truncate(n),
            Builder::Rows(v, broken) => {
                v.truncate(n);
                broken.retain(|(r, _)| (*r as usize) < n);
            }
            Builder::I64(v, _) => v.truncate(n),
            Builder::Bool(v) => v.truncate(n),
            Builder::Date(v) => v.truncate(n),
            Builder::List {
                state,
                offsets,
                items,
            } => {
                state.truncate(n);
                offsets.truncate(n + 1);
                let keep = offsets.last().copied().unwrap_or(0) as usize;
                match items {
                    Items::Text(b) => b.truncate(keep),
                    Items::I64(v, _) => v.truncate(keep),
                    Items::Date(v) => v.truncate(keep),
                }
            }
        }
    }

    /// The finished column, and the text of references (resolved later).
    fn finish(self) -> (ColumnData, Option<TextColumn>) {
        match self {
            Builder::Text(b) => (ColumnData::Text(b.finish()), None),
            Builder::Email(b) => (ColumnData::Email(b.finish()), None),
            Builder::I64(v, make) => (make(v), None),
            Builder::Bool(v) => (ColumnData::Bool(v), None),
            Builder::Date(v) => (ColumnData::Date(v), None),
            Builder::List {
                state,
                offsets,
                items,
            } => (
                ColumnData::List(ListColumn {
                    state,
                    offsets,
                    items: match items {
                        Items::Text(b) => ListItems::Text(b.finish()),
                        Items::I64(v, make) => make(v),
                        Items::Date(v) => ListItems::Date(v),
                    },
                }),
                None,
            ),
            Builder::Ref(b) => (
                ColumnData::Ref {
                    rows: Vec::new(),
                    broken: Default::default(),
                },
                Some(b.finish()),
            ),
            Builder::Rows(rows, broken) => (
                ColumnData::Ref {
                    rows,
                    broken: broken.into_iter().collect(),
                },
                None,
            ),
            Builder::Unused => (ColumnData::Unused, None),
        }
    }
}

fn default_tmp(lit: &Lit) -> Tmp<'_> {
    match lit {
        Lit::Text(s) => Tmp::Text(s),
        Lit::Int(n) | Lit::Days(n) | Lit::Duration(n) => Tmp::I64(*n),
        Lit::Bool(b) => Tmp::Bool(if *b { BOOL_TRUE } else { BOOL_FALSE }),
        Lit::Date(d) => Tmp::Date(cell::date_to_days(*d)),
        Lit::DateTime(i) => Tmp::I64(i.0),
    }
}

/// Why a cell did not read as its column's type (the message is written
/// only for a cell that has the problem, away from the hot path).
#[derive(Debug, Clone, Copy)]
enum Bad {
    Email,
    Int,
    Bool,
    Date,
    DateTime,
    /// A local time the zone's clocks repeat or skip: read (as the
    /// instant, ms), and said.
    Shifted(Shift, i64),
    Days,
    Duration,
}

/// A parsed cell, or why the text `.1` is not one.
type Parsed<'a> = Result<Tmp<'a>, (Bad, &'a str)>;

/// What went wrong with the text `s` of a cell of `col`, and what was expected.
#[cold]
#[inline(never)]
fn bad_message(bad: Bad, s: &str, col: &Column, zone: chrono_tz::Tz) -> String {
    match bad {
        Bad::Email => format!("`{}` is not an e-mail address", excerpt(s)),
        Bad::Int => format!("`{}` is not a whole number", excerpt(s)),
        Bad::Bool => format!(
            "`{}` is not a yes/no value: expected {}",
            excerpt(s),
            cell::BOOL_EXPECTED
        ),
        Bad::Date => format!(
            "`{}` is not a date: expected {}",
            excerpt(s),
            cell::date_expected(&col.formats)
        ),
        Bad::DateTime => format!(
            "`{}` is not a date-time: expected {}",
            excerpt(s),
            cell::datetime_expected(&col.formats)
        ),
        Bad::Shifted(shift, instant) => format!(
            "`{}` {}, {}",
            excerpt(s),
            shift.describe(zone),
            Instant(instant).rfc3339(zone)
        ),
        Bad::Days => format!("`{}` is not {}", excerpt(s), cell::DAYS_EXPECTED),
        Bad::Duration => format!("`{}` is not {}", excerpt(s), cell::DURATION_EXPECTED),
    }
}

/// The code of a local time's warning.
fn shift_code(shift: Shift) -> &'static str {
    match shift {
        Shift::Repeated => "docket::data::repeated-time",
        Shift::Skipped => "docket::data::skipped-time",
    }
}

/// Parses one scalar value.
#[inline]
fn scalar<'a>(
    ty: ScalarType,
    s: &'a str,
    col: &Column,
    resolver: &mut LocalResolver,
) -> Parsed<'a> {
    let b = s.as_bytes();
    let bad = |why: Bad| (why, s);
    match ty {
        ScalarType::Text => Ok(Tmp::Text(s)),
        ScalarType::Email => {
            if cell::is_email(s) {
                Ok(Tmp::Text(s))
            } else {
                Err(bad(Bad::Email))
            }
        }
        ScalarType::Int => cell::parse_int(b)
            .map(Tmp::I64)
            .ok_or_else(|| bad(Bad::Int)),
        ScalarType::Bool => cell::parse_bool(b)
            .map(|v| Tmp::Bool(if v { BOOL_TRUE } else { BOOL_FALSE }))
            .ok_or_else(|| bad(Bad::Bool)),
        ScalarType::Date => cell::parse_date(b, &col.formats)
            .map(|d| Tmp::Date(cell::date_to_days(d)))
            .ok_or_else(|| bad(Bad::Date)),
        ScalarType::DateTime => {
            let parsed = col.formats.iter().find_map(|f| f.match_parts(b)).map(
                |(naive, offset)| match offset {
                    Some(off) => Local {
                        instant: resolve_offset(naive, off),
                        shift: None,
                    },
                    None => resolver.resolve(naive),
                },
            );
            match parsed {
                Some(Local {
                    instant,
                    shift: None,
                }) => Ok(Tmp::I64(instant.0)),
                Some(Local {
                    instant,
                    shift: Some(shift),
                }) => Err(bad(Bad::Shifted(shift, instant.0))),
                None => Err(bad(Bad::DateTime)),
            }
        }
        ScalarType::Days => cell::parse_days(s)
            .map(Tmp::I64)
            .ok_or_else(|| bad(Bad::Days)),
        ScalarType::Duration => cell::parse_duration(s)
            .map(Tmp::I64)
            .ok_or_else(|| bad(Bad::Duration)),
    }
}

/// Parses a list cell into the scratch. An item that does not read is
/// left out (and noted for its data error); the others stay.
fn list<'a>(
    ty: ScalarType,
    s: &'a str,
    col: &Column,
    resolver: &mut LocalResolver,
    scratch: &mut Scratch<'a>,
) -> Tmp<'a> {
    let len = |scratch: &Scratch| match ty {
        ScalarType::Date => scratch.dates.len(),
        ScalarType::Int | ScalarType::DateTime | ScalarType::Days | ScalarType::Duration => {
            scratch.i64s.len()
        }
        _ => scratch.texts.len(),
    };
    let start = len(scratch);
    for item in s.split(col.separator.as_str()) {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let value = match scalar(ty, item, col, resolver) {
            Ok(v) => v,
            Err((bad @ Bad::Shifted(_, instant), text)) => {
                scratch.notes.push((bad, text));
                Tmp::I64(instant)
            }
            Err(note) => {
                scratch.notes.push(note);
                continue;
            }
        };
        match value {
            Tmp::Text(x) => scratch.texts.push(x),
            Tmp::I64(v) => scratch.i64s.push(v),
            Tmp::Date(d) => scratch.dates.push(d),
            _ => {}
        }
    }
    Tmp::List(start, len(scratch))
}

/// Trims ASCII whitespace; most cells have none, so check the ends first.
fn trim_str(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if !f.is_ascii_whitespace() && !l.is_ascii_whitespace() => s,
        _ => s.trim_matches(|c: char| c.is_ascii_whitespace()),
    }
}

/// How a table's keys compare.
fn key_kind(c: &Column) -> KeyKind {
    match c.ty {
        ColumnType::Scalar(ScalarType::Email) => KeyKind::Email,
        ColumnType::Scalar(ScalarType::Int) => KeyKind::Int,
        _ => KeyKind::Text,
    }
}

fn parse_block(
    table: &Table,
    used: &[bool],
    resolver: &mut LocalResolver,
    o: &Opened,
    block: Block,
    keep: Option<&super::select::TableFilter>,
    targets: &[Option<&TableData>],
) -> (Part, Vec<u8>) {
    let newlines = block.newlines;
    // `docket case`: a block without the values wanted is only counted.
    if let Some(k) = keep
        && !k.may_keep(&block.bytes)
        && let Some(n) = super::csvread::count_unquoted_records(&block.bytes)
    {
        let part = Part {
            newlines,
            builders: Vec::new(),
            lines: LineMap::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
            near: Vec::new(),
            orphans: Vec::new(),
            account: FileAccount {
                file: o.display.to_string(),
                table: table.name.clone(),
                skipped: n,
                ..FileAccount::default()
            },
            errored: Vec::new(),
        };
        return (part, block.bytes);
    }
    let mut reader = SliceReader::new(&block.bytes);
    let block_text = std::str::from_utf8(&block.bytes).ok();
    let mut errored: Vec<u32> = Vec::new();
    let mut builders: Vec<Builder> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            builder(
                c,
                used.get(i).copied().unwrap_or(true) || table.key == Some(i),
                targets.get(i).is_some_and(Option::is_some),
            )
        })
        .collect();
    // The key column is kept as text (int keys too) so the index can hash it.
    if let Some(k) = table.key
        && let Some(b) = builders.get_mut(k)
        && !matches!(b, Builder::Text(_) | Builder::Email(_))
    {
        *b = Builder::Text(TextBuilder::default());
    }
    let mut lines = LineMap::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
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
    let plans: Vec<Plan> = table
        .columns
        .iter()
        .enumerate()
        .map(|(ci, col)| Plan {
            col,
            field: o.fields.get(ci).copied().unwrap_or(usize::MAX),
            is_key: table.key == Some(ci),
            default: col.default.as_ref().map(default_tmp),
            target: targets.get(ci).copied().flatten(),
            values: ValueSet::of(col),
        })
        .collect();
    let mut outside = Outside::default();
    // Per column: how its references find their rows.
    let mut cursors: Vec<RefCursor> = plans.iter().map(|_| RefCursor::default()).collect();
    let block_start = block.bytes.as_ptr() as usize;
    let block_end = block_start + block.bytes.len();
    // Records end at line breaks, so there are at most one more than those.
    let guess = usize::try_from(newlines).unwrap_or(0).saturating_add(1);
    for b in &mut builders {
        b.reserve(guess);
    }
    while let Some(rec) = reader.next_record() {
        if let Some(k) = keep {
            let cell = |c: usize| {
                o.field(c)
                    .and_then(|f| rec.get(f))
                    .and_then(|raw| std::str::from_utf8(raw).ok())
                    .map(|s| s.trim().to_string())
            };
            if !k.keeps(cell) {
                account.skipped += 1;
                continue;
            }
        }
        account.read += 1;
        let mut ctx = RowCtx {
            display: &o.display,
            line: rec.line,
            errors: &mut errors,
            warnings: &mut warnings,
            errored: false,
        };
        // The file's line for a line of this block, for messages.
        let at = rec.line + o.start.1 - 1 + block.lines_before;
        if let Some(reason) = shape_problem(&rec, at, o.header_len, &mut ctx) {
            note_orphans(&rec, &ref_columns, &o.fields, &mut orphans);
            *account.rejected.entry(reason).or_insert(0) += 1;
            continue;
        }
        let committed = lines.len();
        let mut scratch = Scratch::default();
        let mut reject: Option<Reject> = None;
        // One UTF-8 check for the whole record (or the whole block, for a
        // record read where it lies); cells are then slices of it.
        let whole = match (block_text, rec.span) {
            (Some(t), Some((a, b))) => t.get(a..b),
            _ => std::str::from_utf8(rec.bytes()).ok(),
        };
        for (ci, ((plan, b), cursor)) in plans
            .iter()
            .zip(builders.iter_mut())
            .zip(cursors.iter_mut())
            .enumerate()
        {
            let col = plan.col;
            let text: Result<&str, &[u8]> = match whole {
                Some(w) => Ok(trim_str(
                    rec.range(plan.field)
                        .and_then(|(a, b)| w.get(a..b))
                        .unwrap_or(""),
                )),
                None => {
                    let raw = trim(rec.get(plan.field).unwrap_or(&[]));
                    std::str::from_utf8(raw).map_err(|_| raw)
                }
            };
            let value = match text {
                Ok("") => match plan.default {
                    Some(d) => d,
                    None => {
                        if col.required {
                            let what = if plan.is_key {
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
                            // A row without its key cannot be found or
                            // named; any other cell reads as missing.
                            if plan.is_key {
                                reject.get_or_insert(Reject::MissingRequired);
                            }
                        }
                        Tmp::Missing
                    }
                },
                Err(raw) => {
                    let lossy = String::from_utf8_lossy(raw);
                    ctx.error(
                        "docket::data::encoding-error",
                        Some(&col.header),
                        Some(&lossy),
                        "the cell is not valid UTF-8".to_string(),
                    );
                    if plan.is_key {
                        reject.get_or_insert(Reject::BadRequired);
                    }
                    Tmp::Invalid
                }
                Ok(s) => {
                    let parsed = match col.ty {
                        ColumnType::Scalar(t) => scalar(t, s, col, resolver),
                        ColumnType::List(t) => Ok(list(t, s, col, resolver, &mut scratch)),
                        ColumnType::Ref(_) => Ok(Tmp::Text(s)),
                    };
                    match parsed {
                        // An int key is kept as its text, for the index.
                        Ok(Tmp::I64(_)) if plan.is_key => Tmp::Text(s),
                        Ok(Tmp::Text(s)) if plan.values.as_ref().is_some_and(|v| !v.holds(s)) => {
                            let set = plan.values.as_ref();
                            match set.and_then(|v| outside.note(ci, v, s, rec.line)) {
                                Some(why) => {
                                    ctx.error(
                                        "docket::data::unknown-value",
                                        Some(&col.header),
                                        Some(s),
                                        why,
                                    );
                                    if plan.is_key {
                                        reject.get_or_insert(Reject::BadRequired);
                                    }
                                    Tmp::Invalid
                                }
                                None => Tmp::Text(s),
                            }
                        }
                        Ok(v) => v,
                        // Read, but only by choosing an instant: said, not an error.
                        Err((why @ Bad::Shifted(shift, instant), text)) => {
                            let message = bad_message(why, text, col, resolver.zone());
                            ctx.warn(shift_code(shift), Some(&col.header), Some(s), message);
                            Tmp::I64(instant)
                        }
                        Err((why, text)) => {
                            let why = bad_message(why, text, col, resolver.zone());
                            ctx.error("docket::data::type-error", Some(&col.header), Some(s), why);
                            if plan.is_key {
                                reject.get_or_insert(Reject::BadRequired);
                            }
                            Tmp::Invalid
                        }
                    }
                }
            };
            let value = match (plan.target, value) {
                (Some(t), Tmp::Text(s)) => {
                    let row = u32::try_from(committed).unwrap_or(u32::MAX);
                    let key = || {
                        let at = s.as_ptr() as usize;
                        if rec.span.is_some() && at >= block_start && at + s.len() <= block_end {
                            LaterKey::At(at - block_start, at - block_start + s.len())
                        } else {
                            LaterKey::Owned(s.into())
                        }
                    };
                    cursor.resolve(t, s, row, key).map_or(value, Tmp::Row)
                }
                _ => value,
            };
            let notes = std::mem::take(&mut scratch.notes);
            for (why, text) in notes {
                let message = bad_message(why, text, col, resolver.zone());
                match why {
                    Bad::Shifted(shift, _) => {
                        ctx.warn(shift_code(shift), Some(&col.header), Some(text), message);
                    }
                    _ => ctx.error(
                        "docket::data::type-error",
                        Some(&col.header),
                        Some(text),
                        format!("{message}; the item is left out of the list"),
                    ),
                }
            }
            b.push(value, &scratch);
        }
        if let Some(reason) = reject {
            for b in &mut builders {
                b.truncate(committed);
            }
            for c in &mut cursors {
                c.later.retain(|(r, _)| (*r as usize) < committed);
            }
            note_orphans(&rec, &ref_columns, &o.fields, &mut orphans);
            *account.rejected.entry(reason).or_insert(0) += 1;
            continue;
        }
        let row = u32::try_from(committed).unwrap_or(u32::MAX);
        lines.push(rec.line);
        account.loaded += 1;
        if ctx.errored {
            account.loaded_with_errors += 1;
            errored.push(row);
        }
    }
    drop(reader);
    for ((plan, b), c) in plans.iter().zip(builders.iter_mut()).zip(cursors) {
        if let (Some(t), Builder::Rows(rows, broken)) = (plan.target, b) {
            c.finish(t, block_text, &block.bytes, rows, broken);
        }
    }
    (
        Part {
            newlines,
            builders,
            lines,
            errors,
            warnings,
            near: outside.near_misses(),
            orphans,
            account,
            errored,
        },
        block.bytes,
    )
}

/// Joins a table's blocks, in order: shifts lines, concatenates columns,
/// indexes keys and rejects rows whose key repeats an earlier row's.
fn merge(table: &Table, o: &Opened, parts: Vec<Part>, targets: &[Option<&TableData>]) -> Loaded {
    let mut account = FileAccount {
        file: o.display.to_string(),
        table: table.name.clone(),
        ..FileAccount::default()
    };
    let mut lines = LineMap::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut near = Vec::new();
    let mut orphans = Vec::new();
    let mut errored = Vec::new();
    let ncols = table.columns.len();
    let mut columns: Vec<Vec<Builder>> = (0..ncols).map(|_| Vec::new()).collect();
    let mut base = o.start.1;
    for p in parts {
        let shift = |line: u64| line + base - 1;
        let row0 = u32::try_from(lines.len()).unwrap_or(u32::MAX);
        lines.extend_shifted(&p.lines, base as i64 - 1);
        errors.extend(p.errors.into_iter().map(|mut e| {
            e.line = shift(e.line);
            e
        }));
        warnings.extend(p.warnings.into_iter().map(|mut e| {
            e.line = shift(e.line);
            e
        }));
        near.extend(p.near.into_iter().map(|mut m| {
            m.first = shift(m.first);
            m
        }));
        orphans.extend(p.orphans.into_iter().map(|mut x| {
            x.line = shift(x.line);
            x
        }));
        errored.extend(p.errored.iter().map(|r| r + row0));
        account.read += p.account.read;
        account.loaded += p.account.loaded;
        account.loaded_with_errors += p.account.loaded_with_errors;
        account.skipped += p.account.skipped;
        for (k, v) in p.account.rejected {
            *account.rejected.entry(k).or_insert(0) += v;
        }
        for (ci, b) in p.builders.into_iter().enumerate() {
            if let Some(c) = columns.get_mut(ci) {
                c.push(b);
            }
        }
        base += p.newlines;
    }
    // Columns join independently: in parallel.
    use rayon::prelude::*;
    let mut finished: Vec<(ColumnData, Option<TextColumn>)> = columns
        .into_par_iter()
        .enumerate()
        .map(|(ci, parts)| {
            let empty = table
                .columns
                .get(ci)
                .map(|c| builder(c, true, targets.get(ci).is_some_and(Option::is_some)))
                .unwrap_or(Builder::Unused);
            ColumnData::concat(
                empty.finish(),
                parts.into_iter().map(Builder::finish).collect(),
            )
        })
        .collect();
    // Keys: the first row with a key keeps it; later ones are rejected.
    let mut keys = None;
    let mut keep: Option<Vec<bool>> = None;
    if let Some(k) = table.key {
        let kind = table.columns.get(k).map_or(KeyKind::Text, key_kind);
        let header = table.columns.get(k).map(|c| c.header.clone());
        if let Some((col, _)) = finished.get(k)
            && let ColumnData::Text(kc) | ColumnData::Email(kc) = col
        {
            let (index, dups) = KeyIndex::build(kind, kc);
            for (row, first) in dups {
                let key = match kc.get(row as usize) {
                    TextCell::Value(key) => key,
                    _ => "",
                };
                let first_line = lines.get(first as usize).unwrap_or(0);
                let line = lines.get(row as usize).unwrap_or(0);
                errors.push(DataError {
                    code: "docket::data::primary-key",
                    file: o.display.clone(),
                    line,
                    column: header.clone(),
                    text: Some(excerpt(key)),
                    message: format!(
                        "duplicate key `{}`: line {first_line} has it too; this row is ignored",
                        excerpt(key)
                    ),
                    other_line: Some(first_line),
                });
                if let Some(k) = keep
                    .get_or_insert_with(|| vec![true; kc.len()])
                    .get_mut(row as usize)
                {
                    *k = false;
                }
            }
            keys = Some(index);
        } else {
            keys = Some(KeyIndex::new(kind));
        }
    }
    if let Some(keep) = &keep {
        // Rows of duplicate keys: out of the table, into the rejected count.
        let dropped: Vec<u32> = keep
            .iter()
            .enumerate()
            .filter(|(_, k)| !**k)
            .map(|(r, _)| r as u32)
            .collect();
        for &r in &dropped {
            for (ci, (col, refs)) in finished.iter().enumerate() {
                let text = match (refs, col, targets.get(ci).copied().flatten()) {
                    (Some(t), _, _) => match t.get(r as usize) {
                        TextCell::Value(s) => Some(s),
                        _ => None,
                    },
                    // Resolved while parsing: the key of the row it found, or its broken text.
                    (None, ColumnData::Ref { rows, broken }, Some(target)) => {
                        match rows.get(r as usize).copied() {
                            Some(BROKEN) => broken.get(&r).map(|b| &**b),
                            Some(row) => target.key_of(row as usize),
                            None => None,
                        }
                    }
                    _ => None,
                };
                if let Some(s) = text {
                    orphans.push(Orphan {
                        column: ci,
                        key: Box::from(s),
                        line: lines.get(r as usize).unwrap_or(0),
                    });
                }
            }
        }
        let had_errors = dropped
            .iter()
            .filter(|r| errored.binary_search(r).is_ok())
            .count() as u64;
        account.loaded -= dropped.len() as u64;
        account.loaded_with_errors -= had_errors;
        *account.rejected.entry(Reject::DuplicateKey).or_insert(0) += dropped.len() as u64;
        finished = finished
            .into_iter()
            .map(|(c, r)| (c.filter(keep), r.map(|t| t.filter(keep))))
            .collect();
        lines = lines.filter(keep);
        errored = renumber(&errored, keep);
        // Rebuild the index over the remaining rows.
        if let (Some(k), Some(index)) = (table.key, keys.as_mut())
            && let Some((col, _)) = finished.get(k)
            && let ColumnData::Text(kc) | ColumnData::Email(kc) = col
        {
            *index = KeyIndex::build(index.kind, kc).0;
        }
    }
    let len = lines.len();
    lines.shrink_to_fit();
    warnings.extend(near_warnings(near, &table.columns, &o.display));
    if account.read == 0 && account.skipped == 0 {
        warnings.push(DataError {
            code: "docket::data::no-rows",
            file: o.display.clone(),
            line: o.start.1.saturating_sub(1).max(1),
            column: None,
            text: None,
            message: format!(
                "the file has a header and no rows: rules see no {} at all",
                table.name
            ),
            other_line: None,
        });
    }
    let mut errored_rows = RowBits::default();
    for r in errored {
        errored_rows.insert(r);
    }
    let (mut columns, refs): (Vec<ColumnData>, Vec<Option<TextColumn>>) =
        finished.into_iter().unzip();
    for c in &mut columns {
        c.shrink_to_fit();
    }
    Loaded {
        data: TableData {
            name: table.name.clone(),
            file: o.display.clone(),
            len,
            lines,
            columns,
            key_column: table.key,
            keys,
            relations: Vec::new(),
            orphans,
            errored: errored_rows,
        },
        refs,
        errors,
        warnings,
        account,
    }
}

/// Sorted row numbers of rows kept by `keep`, renumbered as the kept rows are.
fn renumber(rows: &[u32], keep: &[bool]) -> Vec<u32> {
    let mut out = Vec::with_capacity(rows.len());
    let mut kept_before = 0u32;
    let mut next = rows.iter().peekable();
    for (r, k) in keep.iter().enumerate() {
        if next.peek().is_some_and(|x| **x as usize == r) {
            next.next();
            if *k {
                out.push(kept_before);
            }
        }
        if *k {
            kept_before += 1;
        }
    }
    out
}

/// Lines a record may span before its shape is worth a warning.
const LONG_RECORD_LINES: u64 = 5;

/// A record that cannot be read column by column: cut off, or with the wrong number of fields.
///
/// `at` is the file's line the record starts on; a record over several
/// lines names the line it ends on, since a quote that never closed makes
/// one record of many lines. A record of the right shape over more than
/// [`LONG_RECORD_LINES`] lines is a warning, for the same reason.
fn shape_problem(rec: &Record, at: u64, header_len: usize, ctx: &mut RowCtx) -> Option<Reject> {
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
    let last = at + rec.lines.saturating_sub(1);
    if rec.len() == header_len {
        if rec.lines > LONG_RECORD_LINES {
            ctx.warn(
                "docket::data::long-field",
                None,
                None,
                format!(
                    "a quoted field opens on line {at} and closes on line {last} ({} lines): check that its quotes pair up",
                    rec.lines
                ),
            );
        }
        return None;
    }
    let (code, reason) = if rec.len() > header_len {
        ("docket::data::extra-cell", Reject::ExtraFields)
    } else {
        ("docket::data::missing-cell", Reject::MissingFields)
    };
    let spread = if rec.lines > 1 {
        format!(
            "; the record runs from line {at} to line {last}: a quoted field may be missing its closing quote"
        )
    } else {
        String::new()
    };
    ctx.error(
        code,
        None,
        None,
        format!(
            "expected {header_len} fields like the header, found {}; the row is ignored{spread}",
            rec.len()
        ),
    );
    Some(reason)
}

/// A rejected row whose reference columns can still be read.
fn note_orphans(rec: &Record, ref_columns: &[usize], fields: &[usize], orphans: &mut Vec<Orphan>) {
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
                key: Box::from(s),
                line: rec.line,
            });
        }
    }
}

/// What a sample of one file showed about one declared column.
#[derive(Debug, Clone)]
pub struct ColumnSample {
    /// The table.
    pub table: TableId,
    /// The column's index in the table.
    pub column: usize,
    /// Non-empty cells sampled.
    pub values: u64,
    /// Of those, cells that did not read as the declared type.
    pub bad: u64,
    /// The first bad cell: its error.
    pub first_bad: Option<DataError>,
}

/// A sample of one file.
#[derive(Debug, Clone)]
pub struct FileSample {
    /// The table.
    pub table: TableId,
    /// The file as named.
    pub file: Arc<str>,
    /// Records sampled.
    pub rows: u64,
    /// The text of the lines holding each column's first bad cell, by physical line.
    pub lines: Vec<(u64, String)>,
    /// Per declared column.
    pub columns: Vec<ColumnSample>,
}

/// Reads about `bytes` of the start of every declared file and reads each
/// declared column as its type (`docket lint --data`): how many values read
/// and which did not. Missing files and columns are the `Err`, as for [`load`].
pub fn sample(
    policy: &Policy,
    sources: &Sources,
    bytes: usize,
) -> Result<Vec<FileSample>, Vec<Diagnostic>> {
    let opened = open_table_files(policy, sources)?;
    let mut out = Vec::new();
    for o in &opened {
        let Some(table) = policy.tables.get(o.table) else {
            continue;
        };
        let file = File::open(&o.path).and_then(|mut f| {
            use std::io::Seek;
            f.seek(std::io::SeekFrom::Start(o.start.0)).map(|_| f)
        });
        let block = match file.map(|f| Chunker::new(f, bytes).next_block_in(Vec::new())) {
            Ok(Ok(Some(b))) => b,
            Ok(Ok(None)) => Block {
                index: 0,
                bytes: Vec::new(),
                newlines: 0,
                lines_before: 0,
            },
            Ok(Err(e)) | Err(e) => {
                return Err(vec![Diagnostic::error(
                    "docket::data::missing-file",
                    format!("cannot read `{}`: {}", o.display, io_reason(&e)),
                )]);
            }
        };
        let base = o.start.1;
        let used = vec![true; table.columns.len()];
        let mut resolver = LocalResolver::new(policy.timezone);
        let (part, bytes) = parse_block(table, &used, &mut resolver, o, block, None, &[]);
        let mut columns: Vec<ColumnSample> = (0..table.columns.len())
            .map(|column| ColumnSample {
                table: o.table,
                column,
                values: 0,
                bad: 0,
                first_bad: None,
            })
            .collect();
        for (ci, b) in part.builders.into_iter().enumerate() {
            let (data, refs) = b.finish();
            let n = part.lines.len();
            let present = match &refs {
                Some(t) => (0..n)
                    .filter(|r| !matches!(t.get(*r), TextCell::Missing))
                    .count(),
                None => (0..n)
                    .filter(|r| !matches!(data.cell(*r), Cell::Missing))
                    .count(),
            };
            if let Some(c) = columns.get_mut(ci) {
                c.values = present as u64;
            }
        }
        for mut e in part.errors {
            e.line = e.line + base - 1;
            let Some(header) = e.column.as_deref() else {
                continue;
            };
            if !matches!(
                e.code,
                "docket::data::type-error"
                    | "docket::data::encoding-error"
                    | "docket::data::unknown-value"
            ) {
                continue;
            }
            let Some(ci) = table.columns.iter().position(|c| c.header == header) else {
                continue;
            };
            if let Some(c) = columns.get_mut(ci) {
                c.bad += 1;
                // A key that does not read rejects the row, so it was not
                // counted among the values.
                if table.key == Some(ci) {
                    c.values += 1;
                }
                if c.first_bad.is_none() {
                    c.first_bad = Some(e);
                }
            }
        }
        // Only the lines a report will quote are kept, and only from files
        // of the export.
        let wanted: Vec<u64> = columns
            .iter()
            .filter(|_| o.quote)
            .filter_map(|c| c.first_bad.as_ref().map(|e| e.line))
            .collect();
        let lines = bytes
            .split(|b| *b == b'\n')
            .enumerate()
            .map(|(i, l)| (base + i as u64, l))
            .filter(|(n, _)| wanted.contains(n))
            .map(|(n, l)| {
                let text = String::from_utf8_lossy(l);
                let text = crate::diagnostic::printable(text.trim_end_matches('\r'));
                (n, text.into_owned())
            })
            .collect();
        out.push(FileSample {
            table: o.table,
            file: o.display.clone(),
            rows: part.account.read,
            lines,
            columns,
        });
    }
    Ok(out)
}
