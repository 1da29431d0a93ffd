//! What commands that run a policy over data share: loading the policy,
//! reading `--as-of`, `--rule`, `--table` and `--threads`, and loading data.

use std::path::{Path, PathBuf};

use super::{Ctx, Failure};
use crate::data::{self, Dataset, Sources};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::semantics::{self, Policy};
use crate::source::SourceMap;

/// The flags of commands that run a policy over an export.
#[derive(Debug, clap::Args)]
pub(crate) struct RunArgs {
    /// A policy file or a directory of `.docket` files.
    #[arg(long, default_value = "policies")]
    pub(crate) policy: PathBuf,
    /// The directory holding the exports the policy's tables name.
    #[arg(long)]
    pub(crate) data: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) read: ReadArgs,
    /// "Now": `2025-11-25` (midnight in the policy's zone), `2025-11-25T13:44`
    /// (local) or with an offset; default: the current time.
    #[arg(long)]
    pub(crate) as_of: Option<String>,
}

/// Where each table's file is and how it is written, per table, over
/// what the policy declares. NAME is the table or its file's stem.
#[derive(Debug, Default, clap::Args)]
pub(crate) struct ReadArgs {
    /// A table's file, overriding --data: `NAME=FILE` (`-`: standard input).
    #[arg(long = "table", value_name = "NAME=FILE")]
    pub(crate) tables: Vec<String>,
    /// A table's text encoding: `NAME=ENCODING` (utf-8, utf-16, utf-16be,
    /// utf-32, windows-1252, iso-8859-1, or any WHATWG label).
    #[arg(long = "encoding", value_name = "NAME=ENCODING")]
    encoding: Vec<String>,
    /// A table's field delimiter: `NAME=CHAR` (`tab` for a tab).
    #[arg(long = "delimiter", value_name = "NAME=CHAR")]
    delimiter: Vec<String>,
    /// A table's quote character: `NAME=CHAR`.
    #[arg(long = "quote", value_name = "NAME=CHAR")]
    quote: Vec<String>,
    /// A table's escape character inside quotes: `NAME=CHAR` (`none`: only doubled quotes).
    #[arg(long = "escape", value_name = "NAME=CHAR")]
    escape: Vec<String>,
    /// Lines (a sheet: rows) before a table's header: `NAME=N`.
    #[arg(long = "skip-lines", value_name = "NAME=N")]
    skip_lines: Vec<String>,
    /// A table's footer rule: `NAME=auto|none|blank-line`.
    #[arg(long = "footer", value_name = "NAME=RULE")]
    footer: Vec<String>,
    /// Trailing lines of a table's file matching this pattern are its
    /// footer: `NAME=REGEX` (repeatable).
    #[arg(long = "footer-matching", value_name = "NAME=REGEX")]
    footer_matching: Vec<String>,
    /// A cell text that means a missing value in a table: `NAME=TEXT`
    /// (repeatable; replaces the policy's `missing` list).
    #[arg(long = "missing", value_name = "NAME=TEXT")]
    missing: Vec<String>,
    /// A workbook's sheet a table is read from: `NAME=SHEET`.
    #[arg(long = "sheet", value_name = "NAME=SHEET")]
    sheet: Vec<String>,
}

impl ReadArgs {
    /// Whether any table option was given.
    pub(crate) fn any(&self) -> bool {
        !self.tables.is_empty() || !self.options().all(|(_, v)| v.is_empty())
    }

    /// Each option's name and values.
    fn options(&self) -> impl Iterator<Item = (&'static str, &Vec<String>)> {
        [
            ("encoding", &self.encoding),
            ("delimiter", &self.delimiter),
            ("quote", &self.quote),
            ("escape", &self.escape),
            ("skip-lines", &self.skip_lines),
            ("footer", &self.footer),
            ("footer-matching", &self.footer_matching),
            ("missing", &self.missing),
            ("sheet", &self.sheet),
        ]
        .into_iter()
    }

    /// The options given, per table.
    fn dialects(&self) -> Result<Vec<(String, data::dialect::DialectOverride)>, Failure> {
        let mut out: Vec<(String, data::dialect::DialectOverride)> = Vec::new();
        for (option, values) in self.options() {
            for given in values {
                let bad = |why: String| {
                    Failure::from(
                        Diagnostic::error(
                            Code::CliTableOption,
                            format!("cannot read --{option} `{given}`: {why}"),
                        )
                        .with_help(format!(
                            "write `--{option} NAME=VALUE`, NAME a table (or its file's stem), e.g. `--{option} case={}`",
                            example(option)
                        )),
                    )
                };
                let Some((name, value)) =
                    given.split_once('=').filter(|(n, _)| !n.trim().is_empty())
                else {
                    return Err(bad("it has no `NAME=`".to_string()));
                };
                let name = name.trim().to_string();
                let at = match out.iter().position(|(n, _)| *n == name) {
                    Some(at) => at,
                    None => {
                        out.push((name, data::dialect::DialectOverride::default()));
                        out.len() - 1
                    }
                };
                if let Some((_, o)) = out.get_mut(at) {
                    let option = if option == "missing" { "null" } else { option };
                    o.set(option, value).map_err(bad)?;
                }
            }
        }
        Ok(out)
    }
}

/// An example value of a table option, for help.
fn example(option: &str) -> &'static str {
    match option {
        "encoding" => "windows-1252",
        "delimiter" => ";",
        "quote" => "'",
        "escape" => "\\",
        "skip-lines" => "2",
        "footer" => "blank-line",
        "footer-matching" => "^Copyright",
        "missing" => "NULL",
        _ => "Cases",
    }
}

/// Reads and checks a policy; its warnings are shown, its errors are the
/// failure.
pub(crate) fn policy(ctx: &Ctx, path: &Path) -> Result<(Policy, SourceMap), Failure> {
    let mut loaded = semantics::load(path);
    match loaded.policy {
        Some(p) if !loaded.has_errors() => {
            if !loaded.diagnostics.is_empty() {
                ctx.report(&loaded.diagnostics, &loaded.sources);
            }
            Ok((p, loaded.sources))
        }
        _ => {
            if !loaded.diagnostics.iter().any(Diagnostic::is_error) {
                loaded.diagnostics.push(Diagnostic::error(
                    Code::IoRead,
                    format!("no policy in `{}`", path.display()),
                ));
            }
            Err(Failure::new(loaded.diagnostics, loaded.sources))
        }
    }
}

/// `--waivers FILE`: the waivers register, read like an export as of the
/// run's local date; its data errors, warnings and account join the
/// export's.
/// Without `--waivers`, the register the policy's header names is read
/// from the export directory.
fn waivers(
    policy: &Policy,
    file: Option<&Path>,
    data_dir: Option<&Path>,
    now: i64,
    data: &mut Dataset,
) -> Result<Option<crate::eval::waive::Waivers>, Failure> {
    let declared = policy
        .waivers
        .as_ref()
        .zip(data_dir)
        .map(|(f, d)| d.join(f));
    if let (None, Some(path), Some(dir)) = (file, &declared, data_dir) {
        // A symbolic link in the export must not lead the policy out of it.
        let inside = match (std::fs::canonicalize(path), std::fs::canonicalize(dir)) {
            (Ok(p), Ok(d)) => p.starts_with(d),
            _ => true,
        };
        if !inside {
            return Err(Diagnostic::error(
                Code::DataOutsideExport,
                format!(
                    "the waivers register `{}` leads outside the export directory",
                    path.display()
                ),
            )
            .with_help("replace the link with the file, or give the register with `--waivers FILE`")
            .into());
        }
    }
    let Some(file) = file.map(Path::to_path_buf).or(declared) else {
        return Ok(None);
    };
    let file = file.as_path();
    let today = crate::time::Instant(now)
        .local_date(policy.timezone)
        .unwrap_or_default();
    let input = data::Input::File(file.to_path_buf());
    let (w, register) = crate::eval::register::load_waivers(policy, input, today)
        .map_err(|d| Failure::new(d, SourceMap::new()))?;
    data.absorb(register);
    Ok(Some(w))
}

/// The data, and the waivers register (`--waivers`, or the one the policy
/// names) read into it. `lookups`: rows will be looked up by key (`case`
/// finds its cases, a baseline's resolved findings whether theirs are
/// still in the export).
pub(crate) fn data_and_waivers(
    policy: &Policy,
    sources: &SourceMap,
    s: &Sources,
    (waivers_file, now): (Option<&Path>, i64),
    lookups: bool,
) -> Result<(Dataset, Option<crate::eval::waive::Waivers>), Failure> {
    let mut data = data(policy, sources, s, lookups)?;
    let w = waivers(policy, waivers_file, s.dir.as_deref(), now, &mut data)?;
    Ok((data, w))
}

/// `--group-by FIELD`: one of the policy's `fields`.
pub(crate) fn grouping(
    policy: &Policy,
    name: &str,
) -> Result<crate::report::groups::Grouping, Failure> {
    let names: Vec<&str> = policy.fields.iter().map(|f| f.name.as_str()).collect();
    match names.iter().position(|n| *n == name) {
        Some(i) => Ok(crate::report::groups::Grouping::new(name, i)),
        None => {
            let help = did_you_mean(name, names.iter().copied()).unwrap_or_else(|| {
                if names.is_empty() {
                    "the policy declares no fields: add `fields case.owner, …` to its header"
                        .to_string()
                } else {
                    format!("the policy's fields are {}", names.join(", "))
                }
            });
            Err(Diagnostic::error(
                Code::CliGroupBy,
                format!("the policy has no field `{name}` to group by"),
            )
            .with_help(help)
            .into())
        }
    }
}

/// `--as-of`: the given time, or now. A local time the policy's zone
/// repeats or skips is read as RFC 5545 says, with a warning naming the
/// instant chosen.
pub(crate) fn as_of(ctx: &Ctx, given: Option<&str>, policy: &Policy) -> Result<i64, Failure> {
    let Some(s) = given else {
        return Ok(chrono::Utc::now().timestamp_millis());
    };
    let tz = policy.timezone;
    let local = crate::time::parse_as_of(s, tz).map_err(|why| {
        Diagnostic::error(Code::CliAsOf, format!("cannot read --as-of: {why}")).with_help(format!(
            "write a date (`2025-11-25`, midnight in {}) or a date-time (`2025-11-25T13:44`, `2025-11-25T18:44:00Z`)",
            tz.name()
        ))
    })?;
    if let Some(shift) = local.shift {
        ctx.report(
            &[Diagnostic::warning(
                Code::CliAsOfShifted,
                format!(
                    "--as-of `{}` {}, {}",
                    s.trim(),
                    shift.describe(tz),
                    local.instant.rfc3339(tz)
                ),
            )
            .with_help("give --as-of with an offset to say which instant is meant")],
            &SourceMap::new(),
        );
    }
    Ok(local.instant.0)
}

/// `--rule ID…` as rule indices (empty: all).
pub(crate) fn rules(policy: &Policy, ids: &[String]) -> Result<Vec<usize>, Failure> {
    let mut out = Vec::new();
    for id in ids {
        match policy.rules.iter().position(|r| &r.id == id) {
            Some(i) => {
                if !out.contains(&i) {
                    out.push(i);
                }
            }
            None => {
                let help = did_you_mean(id, policy.rules.iter().map(|r| r.id.as_str()))
                    .unwrap_or_else(|| "`docket rules` lists the policy's rules".to_string());
                return Err(Diagnostic::error(
                    Code::CliUnknownRule,
                    format!("the policy has no rule `{id}`"),
                )
                .with_help(help)
                .into());
            }
        }
    }
    Ok(out)
}

/// `--data DIR`, `--table NAME=FILE…` and the table options.
pub(crate) fn sources(dir: Option<PathBuf>, read: &ReadArgs) -> Result<Sources, Failure> {
    let mut s = Sources {
        dir,
        dialects: read.dialects()?,
        ..Sources::default()
    };
    for t in &read.tables {
        match t.split_once('=') {
            // `-`: the table is read from standard input.
            Some((name, "-")) if !name.trim().is_empty() => {
                let input = data::Input::read("<stdin>", std::io::stdin().lock()).map_err(|e| {
                    Failure::from(Diagnostic::error(
                        Code::DataMissingFile,
                        format!(
                            "cannot read standard input: {}",
                            crate::diagnostic::io_reason(&e)
                        ),
                    ))
                })?;
                s.tables.push((name.trim().to_string(), input));
            }
            Some((name, file)) if !name.trim().is_empty() && !file.is_empty() => {
                s.tables.push((
                    name.trim().to_string(),
                    data::Input::File(PathBuf::from(file)),
                ));
            }
            _ => {
                return Err(Diagnostic::error(
                    Code::CliTable,
                    format!("cannot read --table `{t}`"),
                )
                .with_help("write `--table NAME=FILE`, e.g. `--table case=exports/cases.csv`")
                .into());
            }
        }
    }
    Ok(s)
}

/// Loads the data; a missing file or column stops the run; without
/// `lookups`, no key index is kept ([`data::Loader::without_key_indexes`]).
/// `DOCKET_THREADS`
/// sets the parsing threads, and `DOCKET_TIMING` prints how long each stage
/// took and the memory it holds.
pub(crate) fn data(
    policy: &Policy,
    sources: &SourceMap,
    s: &Sources,
    lookups: bool,
) -> Result<Dataset, Failure> {
    let schema = policy.schema();
    let mut loader = data::Loader::new(&schema).sources(s.clone());
    if !lookups {
        loader = loader.without_key_indexes();
    }
    if let Some(n) = std::env::var("DOCKET_THREADS")
        .ok()
        .and_then(|t| t.parse::<usize>().ok())
        .filter(|t| *t > 0)
    {
        loader = loader.threads(n);
    }
    let data = loader
        .load()
        .map_err(|diags| Failure::new(diags, sources.clone()))?;
    release_freed_memory();
    if std::env::var_os("DOCKET_TIMING").is_some() {
        super::timing::print(&schema, &data);
    }
    Ok(data)
}

/// Gives the memory the load freed (its per-block buffers, in every parsing
/// thread's arena) back to the system, so what the evaluation allocates
/// next is not added on top of it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[expect(
    unsafe_code,
    reason = "malloc_trim is a C call; with mallopt in main.rs, docket's only unsafe blocks"
)]
fn release_freed_memory() {
    // SAFETY: `malloc_trim` only returns free pages of the allocator's
    // arenas to the system; no memory in use is touched.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_freed_memory() {}

/// `--threads N`: the size of the pool that parses and evaluates.
pub(crate) fn threads(n: Option<usize>) -> Result<(), Failure> {
    let Some(n) = n else { return Ok(()) };
    if n == 0 {
        return Err(Diagnostic::error(Code::CliThreads, "--threads must be at least 1").into());
    }
    // A second call in one process (tests) keeps the first pool: harmless.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global();
    Ok(())
}

/// Where a report goes: `None` for standard output (no `--output`, or
/// `-`). An `--output` that is one of the run's inputs, or lies inside the
/// export directory or a policy directory, is refused: a report never
/// overwrites what it was made from, and a policy run in CI cannot write
/// into the files it reads.
pub(crate) fn output_target(
    output: Option<&Path>,
    inputs: &[&Path],
) -> Result<Option<PathBuf>, Failure> {
    let Some(out) = output else { return Ok(None) };
    if out == Path::new("-") {
        return Ok(None);
    }
    let resolved = resolve_new(out);
    for input in inputs {
        let Ok(p) = std::fs::canonicalize(input) else {
            continue;
        };
        let clash = if p.is_dir() {
            resolved.starts_with(&p)
        } else {
            resolved == p
        };
        if clash {
            let what = if p.is_dir() {
                format!("inside `{}`, which this run reads", input.display())
            } else {
                format!("`{}`, which this run reads", input.display())
            };
            return Err(Failure::from(
                Diagnostic::error(
                    Code::CliOutput,
                    format!(
                        "refusing to write the report to `{}`: it is {what}",
                        out.display()
                    ),
                )
                .with_help("write it somewhere else, or to standard output with `--output -`"),
            ));
        }
    }
    Ok(Some(out.to_path_buf()))
}

/// A path as it will be once written: symbolic links and `..` resolved as
/// far as the path exists.
fn resolve_new(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match (std::fs::canonicalize(&parent), p.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => p.to_path_buf(),
    }
}

impl RunArgs {
    /// Every file and directory the run reads.
    pub(crate) fn inputs(&self) -> Vec<&Path> {
        let mut out: Vec<&Path> = vec![self.policy.as_path()];
        out.extend(self.data.as_deref());
        out.extend(
            self.read
                .tables
                .iter()
                .filter_map(|t| t.split_once('='))
                .filter(|(_, f)| *f != "-")
                .map(|(_, f)| Path::new(f)),
        );
        out
    }
}
