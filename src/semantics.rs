//! Names, types and tables: syntax tree → compiled [`Policy`].
//!
//! The checker resolves every name (tables, columns, relations, derived
//! fields, rule-local names), types every expression, checks durations,
//! formats and the shape of each kind of rule, and reports every problem it
//! finds with a span and, where a fix is likely, help. It produces a policy
//! only when there are no errors.

mod dialect;
mod expr;
mod fields;
pub(crate) mod ir;
mod needs;
mod order;
mod rules;
mod schema;
mod tables;
pub(crate) mod types;
mod usage;

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use chrono_tz::Tz;

pub(crate) use fields::Field;
pub use ir::*;
pub(crate) use types::Type;

use crate::diagnostic::Code;
use crate::diagnostic::{self, Diagnostic, did_you_mean};
use crate::source::{SourceMap, Span};
use crate::syntax::ast;
use crate::time::{FormatKind, TimeFormat, iso8601};

/// The result of loading a policy from disk.
#[derive(Debug)]
pub struct Loaded {
    /// Every file read.
    pub sources: SourceMap,
    /// The checked policy, when there were no errors.
    pub policy: Option<Policy>,
    /// Errors and warnings, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// True when any diagnostic is an error.
    pub(crate) fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// The policy files under a path: the file itself, or the `*.docket` files
/// of a directory (not recursive), sorted by name.
pub(crate) fn policy_files(path: &Path) -> Result<Vec<std::path::PathBuf>, Diagnostic> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(
            Code::IoRead,
            format!("cannot read policy `{}`: {}", path.display(), io_reason(&e)),
        )
        .with_help("give a `.docket` file or a directory holding them")
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let entries = std::fs::read_dir(path).map_err(|e| {
        Diagnostic::error(
            Code::IoRead,
            format!(
                "cannot list policy directory `{}`: {}",
                path.display(),
                io_reason(&e)
            ),
        )
    })?;
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "docket"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Diagnostic::error(
            Code::IoNoPolicy,
            format!("no `.docket` files in `{}`", path.display()),
        )
        .with_help("policy files end in `.docket`"));
    }
    Ok(files)
}

pub(crate) use crate::diagnostic::io_reason;

/// Reads, parses and checks the policy at `path` (a file or directory).
pub fn load(path: &Path) -> Loaded {
    let mut sources = SourceMap::new();
    let paths = match policy_files(path) {
        Ok(p) => p,
        Err(d) => {
            return Loaded {
                sources,
                policy: None,
                diagnostics: vec![d],
            };
        }
    };
    let mut texts = Vec::new();
    let mut diagnostics = Vec::new();
    for p in &paths {
        match std::fs::read(p) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => texts.push((p.clone(), text)),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let line = e
                        .as_bytes()
                        .get(..at)
                        .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count())
                        + 1;
                    diagnostics.push(
                        Diagnostic::error(
                            Code::IoEncoding,
                            format!(
                                "policy file `{}` is not valid UTF-8 at line {line} (byte offset {at})",
                                p.display()
                            ),
                        )
                        .with_help("save the file as UTF-8"),
                    );
                }
            },
            Err(e) => diagnostics.push(Diagnostic::error(
                Code::IoRead,
                format!(
                    "cannot read policy file `{}`: {}",
                    p.display(),
                    io_reason(&e)
                ),
            )),
        }
    }
    if !diagnostics.is_empty() {
        // Checking the files that did load would report what the others
        // declare as missing.
        return Loaded {
            sources,
            policy: None,
            diagnostics,
        };
    }
    for (p, text) in texts {
        let text = crate::source::without_bom(text);
        sources.add(p.display().to_string(), text);
    }
    let mut loaded = check_sources(sources);
    diagnostics.append(&mut loaded.diagnostics);
    loaded.diagnostics = diagnostics;
    if loaded.has_errors() {
        loaded.policy = None;
    }
    loaded
}

/// Parses and checks every file of a source map.
pub fn check_sources(sources: SourceMap) -> Loaded {
    let mut files = Vec::new();
    let mut diagnostics = Vec::new();
    for (id, f) in sources.iter() {
        let (file, mut d) = crate::syntax::parse(id, &f.text);
        files.push(file);
        diagnostics.append(&mut d);
    }
    let mut policy = None;
    // Syntax errors drop parts of the tree; checking what is left would
    // report names as unknown that are only unparsed.
    if diagnostics.is_empty() {
        let (p, mut d) = check(&files, &sources);
        policy = p;
        diagnostics.append(&mut d);
    }
    diagnostic::sort(&mut diagnostics);
    Loaded {
        sources,
        policy,
        diagnostics,
    }
}

/// Checks parsed files as one policy.
pub(crate) fn check(files: &[ast::File], sources: &SourceMap) -> (Option<Policy>, Vec<Diagnostic>) {
    let mut c = Checker::new(files, sources);
    let policy = c.run();
    let has_errors = c.diags.iter().any(Diagnostic::is_error);
    let mut diags = c.diags;
    diagnostic::sort(&mut diags);
    (if has_errors { None } else { policy }, diags)
}

/// State shared by the checking passes.
pub(crate) struct Checker<'a> {
    files: &'a [ast::File],
    sources: &'a SourceMap,
    diags: Vec<Diagnostic>,
    /// `waivers "…"` in the header.
    waivers_file: Option<String>,
    tz: Tz,
    date_formats: Vec<TimeFormat>,
    datetime_formats: Vec<TimeFormat>,
    tables: Vec<Table>,
    table_names: Vec<String>,
    table_decls: Vec<&'a ast::TableDecl>,
    /// (table, name) → define index
    define_index: HashMap<(TableId, String), usize>,
    define_decls: Vec<&'a ast::DefineDecl>,
    define_state: Vec<DefineState>,
    defines: Vec<Option<Define>>,
    /// Definitions being checked right now (one inside another's body).
    define_depth: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum DefineState {
    Unchecked,
    Checking,
    Done(Type),
}

impl<'a> Checker<'a> {
    fn new(files: &'a [ast::File], sources: &'a SourceMap) -> Checker<'a> {
        Checker {
            files,
            sources,
            diags: Vec::new(),
            tz: Tz::UTC,
            date_formats: iso8601(FormatKind::Date),
            datetime_formats: iso8601(FormatKind::DateTime),
            tables: Vec::new(),
            table_names: Vec::new(),
            table_decls: Vec::new(),
            define_index: HashMap::new(),
            define_decls: Vec::new(),
            define_state: Vec::new(),
            defines: Vec::new(),
            define_depth: 0,
            waivers_file: None,
        }
    }

    pub(crate) fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// The source text of a span (for default labels).
    pub(crate) fn text_of(&self, span: Span) -> String {
        self.sources
            .get(span.file)
            .map(|f| f.slice(span).to_string())
            .unwrap_or_default()
    }

    fn items(&self) -> impl Iterator<Item = &'a ast::Item> + 'a {
        self.files.iter().flat_map(|f| f.items.iter())
    }

    fn run(&mut self) -> Option<Policy> {
        let header = self.header();
        self.collect_tables();
        self.collect_defines();
        self.check_table_members();
        self.check_relation_filters();
        self.check_defines();
        let rules = self.check_rules();
        let field_decls: Vec<&ast::FieldDecl> = self
            .header_clauses()
            .filter_map(|c| match &c.kind {
                ast::HeaderClauseKind::Fields(list) => Some(list),
                _ => None,
            })
            .flatten()
            .collect();
        let fields = self.check_fields(&field_decls);
        let order_ids: Vec<&ast::Ident> = self
            .header_clauses()
            .filter_map(|c| match &c.kind {
                ast::HeaderClauseKind::Order(ids) => Some(ids),
                _ => None,
            })
            .flatten()
            .collect();
        let order = self.check_order(&order_ids, &rules);
        let (name, version) = header?;
        let defines = std::mem::take(&mut self.defines)
            .into_iter()
            .collect::<Option<Vec<_>>>()?;
        Some(Policy {
            name,
            version,
            timezone: self.tz,
            tables: std::mem::take(&mut self.tables),
            defines,
            rules,
            fields,
            order,
            waivers: self.waivers_file.take(),
        })
    }

    /// The clauses of the first policy header.
    fn header_clauses(&self) -> impl Iterator<Item = &'a ast::HeaderClause> + 'a {
        self.items()
            .filter_map(|i| match i {
                ast::Item::Policy(h) => Some(h),
                _ => None,
            })
            .take(1)
            .flat_map(|h| &h.clauses)
    }

    /// Checks the one policy header; returns name, version and span.
    fn header(&mut self) -> Option<(String, Option<String>)> {
        let headers: Vec<&ast::PolicyHeader> = self
            .items()
            .filter_map(|i| match i {
                ast::Item::Policy(h) => Some(h),
                _ => None,
            })
            .collect();
        let Some(first) = headers.first().copied() else {
            let d = Diagnostic::error(Code::PolicyMissingHeader, "the policy has no `policy` header")
                .with_help(
                    "start one file with a header, e.g.\n  policy \"My policy\"\n    version \"1.0\"\n    timezone \"America/New_York\"",
                );
            self.error(match self.files.first() {
                Some(f) => d.with_label(
                    crate::source::Span::new(f.file, 0, 0),
                    "no header in any policy file",
                ),
                None => d,
            });
            return None;
        };
        for extra in headers.iter().skip(1) {
            self.error(
                Diagnostic::error(
                    Code::PolicyDuplicateHeader,
                    "a policy has exactly one `policy` header",
                )
                .with_label(extra.span, "second header")
                .with_label(first.span, "first header")
                .with_help("keep one header and delete the other"),
            );
        }
        let mut version = None;
        let mut tz_clause = None;
        for clause in &first.clauses {
            match &clause.kind {
                ast::HeaderClauseKind::Version(v) => version = Some(v.value.clone()),
                ast::HeaderClauseKind::Timezone(t) => tz_clause = Some(t),
                ast::HeaderClauseKind::DateFormats(f) => {
                    self.date_formats = self.formats(f, FormatKind::Date);
                }
                ast::HeaderClauseKind::DateTimeFormats(f) => {
                    self.datetime_formats = self.formats(f, FormatKind::DateTime);
                }
                // Checked once the tables are known.
                ast::HeaderClauseKind::Fields(_) | ast::HeaderClauseKind::Order(_) => {}
                ast::HeaderClauseKind::Waivers(w) => {
                    if let Err(why) = crate::source::inside_export(&w.value) {
                        self.error(
                            Diagnostic::error(
                                Code::TableOutsideExport,
                                format!("the waivers register \"{}\" {why}", w.value),
                            )
                            .with_label(w.span, "not a file of the export")
                            .with_help("name a file of the export directory (`--data`), or give the register with `--waivers FILE`"),
                        );
                    }
                    self.waivers_file = Some(w.value.clone());
                }
            }
        }
        match tz_clause {
            Some(t) => match Tz::from_str(&t.value) {
                Ok(tz) => self.tz = tz,
                Err(_) => {
                    let names = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
                    let help = did_you_mean(&t.value, names).unwrap_or_else(|| {
                        "use an IANA zone name such as \"America/New_York\" or \"Europe/London\"".to_string()
                    });
                    self.error(
                        Diagnostic::error(
                            Code::PolicyUnknownTimezone,
                            format!("unknown time zone `{}`", t.value),
                        )
                        .with_label(t.span, "not an IANA time zone")
                        .with_help(help),
                    );
                }
            },
            None => self.error(
                Diagnostic::error(Code::PolicyMissingTimezone, "the policy has no time zone")
                    .with_label(first.name.span, "this policy")
                    .with_help("add `timezone \"America/New_York\"` (local times in the exports are read in it)"),
            ),
        }
        Some((first.name.value.clone(), version))
    }

    /// Compiles format specs, reporting bad patterns and pairs that would
    /// read one text as two dates.
    fn formats(&mut self, specs: &[ast::FormatSpec], kind: FormatKind) -> Vec<TimeFormat> {
        let mut out = Vec::new();
        let mut patterns: Vec<(TimeFormat, Span)> = Vec::new();
        for s in specs {
            match s {
                ast::FormatSpec::Iso8601(_) => out.extend(iso8601(kind)),
                ast::FormatSpec::Pattern(p) => match TimeFormat::compile(&p.value, kind) {
                    Ok(f) => {
                        if let Some((other, at)) =
                            patterns.iter().find(|(o, _)| o.reads_two_ways_with(&f))
                        {
                            self.error(two_ways(&other.source, *at, &p.value, p.span));
                        }
                        patterns.push((f.clone(), p.span));
                        out.push(f);
                    }
                    Err(why) => self.error(
                        Diagnostic::error(
                            Code::FormatInvalid,
                            format!("invalid {} format `{}`", kind_word(kind), p.value),
                        )
                        .with_label(p.span, why)
                        .with_help("patterns use YYYY, M, MM, D, DD, H, HH, h, hh, mm, ss, S, a (AM/PM), Z (offset), T; `[…]` marks an optional part"),
                    ),
                },
            }
        }
        out
    }
}

/// Two formats that read one text as two dates.
fn two_ways(first: &str, first_at: Span, second: &str, second_at: Span) -> Diagnostic {
    Diagnostic::error(
        Code::FormatAmbiguous,
        format!("`{first}` and `{second}` read the same text as two different dates (`3/4/2025`: 4 March or 3 April)"),
    )
    .with_label(first_at, "day and month in one order")
    .with_label(second_at, "in the other order")
    .with_help("keep the one order the export uses (a day above 12 tells which): formats are tried in order, so every date both can read would silently take the first reading")
}

fn kind_word(k: FormatKind) -> &'static str {
    match k {
        FormatKind::Date => "date",
        FormatKind::DateTime => "date-time",
    }
}

#[cfg(test)]
mod tests;
