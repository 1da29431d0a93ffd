//! Policy tests: small example rows next to a policy, with the result each
//! rule must give for each case. `docket test` runs them.
//!
//! A test file (`policies/tests/*.dockettest`) holds tables shared by its
//! tests, then tests:
//!
//! ```text
//! # Tables are CSV, indented; columns the policy declares but a block
//! # leaves out are written empty.
//! table account
//!   Account ID,Contract Type
//!   A1,Standard
//!
//! test "90 days of notice is enough"
//! as-of 2025-12-01T12:00
//! table case
//!   Case Number,Account ID,Type,Status,Written Notice Date,Requested Effective Date
//!   C-90,A1,License Reduction,Working,2025-01-01,2025-04-01
//! expect C-90 notice-period pass
//! expect C-89 notice-period violated "1 day too early"
//! ```
//!
//! `expect KEY RULE STATUS ["text"]`: STATUS is `pass`, `violated`, `due`
//! or `not-applicable` (as `docket case` reports it); the optional text must
//! appear in the rule's message. Every violation or due item of a rule a
//! test names must be expected: an unexpected one fails the test.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::data::{self, Input, Sources};
use crate::eval::{Evaluator, Status};
use crate::semantics::Policy;

/// One expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expect {
    /// Case key.
    pub(crate) key: String,
    /// Rule id.
    pub(crate) rule: String,
    /// Expected status.
    pub(crate) status: String,
    /// Text the message must contain.
    pub(crate) contains: Option<String>,
    /// Line in the test file.
    pub(crate) line: usize,
}

/// Rows given for one table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TableBlock {
    /// The header line's fields.
    pub(crate) header: Vec<String>,
    /// Rows.
    pub(crate) rows: Vec<Vec<String>>,
}

/// One test.
#[derive(Debug, Clone, Default)]
pub(crate) struct Test {
    /// Its name.
    pub(crate) name: String,
    /// Line of `test`.
    pub(crate) line: usize,
    /// As-of.
    pub(crate) as_of: Option<String>,
    /// Tables (by table or file name).
    pub(crate) tables: Vec<(String, TableBlock)>,
    /// Expectations.
    pub(crate) expects: Vec<Expect>,
}

/// A parsed test file.
#[derive(Debug, Clone, Default)]
pub(crate) struct TestFile {
    /// Tests.
    pub(crate) tests: Vec<Test>,
}

/// A problem in a test file: `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Line.
    pub(crate) line: usize,
    /// What is wrong.
    pub(crate) message: String,
}

fn parse_csv_line(s: &str) -> Vec<String> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(s.as_bytes());
    rdr.records()
        .next()
        .and_then(Result::ok)
        .map(|r| r.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Parses a test file's text.
pub fn parse(text: &str) -> Result<TestFile, Vec<SyntaxError>> {
    let mut file = TestFile { tests: Vec::new() };
    let mut shared: Vec<(String, TableBlock)> = Vec::new();
    let mut errors = Vec::new();
    // The table block being filled: (in test?, index).
    let mut open: Option<(bool, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if raw.starts_with(' ') || raw.starts_with('\t') {
            let fields = parse_csv_line(line.trim_start());
            let block = match open {
                Some((false, k)) => shared.get_mut(k).map(|b| &mut b.1),
                Some((true, k)) => file
                    .tests
                    .last_mut()
                    .and_then(|t| t.tables.get_mut(k))
                    .map(|b| &mut b.1),
                None => None,
            };
            match block {
                Some(b) if b.header.is_empty() => b.header = fields,
                Some(b) => b.rows.push(fields),
                None => errors.push(SyntaxError {
                    line: n,
                    message: "an indented row outside a `table` block".to_string(),
                }),
            }
            continue;
        }
        open = None;
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match word {
            "test" => file.tests.push(Test {
                name: rest.trim_matches('"').to_string(),
                line: n,
                ..Test::default()
            }),
            "as-of" => match file.tests.last_mut() {
                Some(t) => t.as_of = Some(rest.to_string()),
                None => errors.push(SyntaxError {
                    line: n,
                    message: "`as-of` before any `test`".to_string(),
                }),
            },
            "table" if !rest.is_empty() => match file.tests.last_mut() {
                Some(t) => {
                    t.tables.push((rest.to_string(), TableBlock::default()));
                    open = Some((true, t.tables.len() - 1));
                }
                None => {
                    shared.push((rest.to_string(), TableBlock::default()));
                    open = Some((false, shared.len() - 1));
                }
            },
            "expect" => {
                let (head, contains) = match rest.split_once('"') {
                    Some((h, c)) => (h, Some(c.trim_end_matches('"').to_string())),
                    None => (rest, None),
                };
                let parts: Vec<&str> = head.split_whitespace().collect();
                let ok_status =
                    |s: &str| ["pass", "violated", "due", "not-applicable"].contains(&s);
                match (parts.as_slice(), file.tests.last_mut()) {
                    ([key, rule, status], Some(t)) if ok_status(status) => t.expects.push(Expect {
                        key: (*key).to_string(),
                        rule: (*rule).to_string(),
                        status: (*status).to_string(),
                        contains,
                        line: n,
                    }),
                    (_, None) => errors.push(SyntaxError {
                        line: n,
                        message: "`expect` before any `test`".to_string(),
                    }),
                    _ => errors.push(SyntaxError {
                        line: n,
                        message: "write `expect KEY RULE STATUS [\"text\"]` with STATUS pass, violated, due or not-applicable"
                            .to_string(),
                    }),
                }
            }
            _ => errors.push(SyntaxError {
                line: n,
                message: format!(
                    "unknown line `{}`: expected `test`, `as-of`, `table` or `expect`",
                    line.trim()
                ),
            }),
        }
    }
    for t in &mut file.tests {
        let mut all = shared.clone();
        all.append(&mut t.tables);
        t.tables = all;
        if t.expects.is_empty() {
            errors.push(SyntaxError {
                line: t.line,
                message: format!("test \"{}\" expects nothing", t.name),
            });
        }
    }
    if errors.is_empty() {
        Ok(file)
    } else {
        Err(errors)
    }
}

/// The test files of a policy: `tests/*.dockettest` next to it.
pub(crate) fn files(policy_path: &Path) -> Vec<PathBuf> {
    let dir = if policy_path.is_dir() {
        policy_path.join("tests")
    } else {
        policy_path.parent().unwrap_or(Path::new(".")).join("tests")
    };
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "dockettest"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// What one test found.
#[derive(Debug, Clone, Default)]
pub(crate) struct TestOutcome {
    /// Lines saying what differs: `- expected …` / `+ actual …`.
    pub(crate) diff: Vec<String>,
    /// Rule ids it exercised.
    pub(crate) rules: BTreeSet<String>,
}

impl TestOutcome {
    /// True when everything matched.
    pub(crate) fn passed(&self) -> bool {
        self.diff.is_empty()
    }
}

/// The test's tables as CSV in memory, one input per table of the policy
/// (a table the test does not give is a header and no rows).
fn tables(policy: &Policy, t: &Test) -> Result<Sources, String> {
    let mut sources = Sources::default();
    for table in &policy.tables {
        let blocks: Vec<&TableBlock> = t
            .tables
            .iter()
            .filter(|(name, _)| {
                *name == table.name
                    || *name == table.file
                    || Path::new(&table.file)
                        .file_stem()
                        .is_some_and(|s| s == name.as_str())
            })
            .map(|(_, b)| b)
            .collect();
        let mut header: Vec<String> = Vec::new();
        for b in &blocks {
            for h in &b.header {
                if !header.contains(h) {
                    header.push(h.clone());
                }
            }
        }
        for c in &table.columns {
            if !header.contains(&c.header) {
                header.push(c.header.clone());
            }
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&header).map_err(|e| e.to_string())?;
        for b in blocks {
            for r in &b.rows {
                let rec: Vec<&str> = header
                    .iter()
                    .map(|h| {
                        b.header
                            .iter()
                            .position(|x| x == h)
                            .and_then(|i| r.get(i))
                            .map_or("", String::as_str)
                    })
                    .collect();
                w.write_record(&rec).map_err(|e| e.to_string())?;
            }
        }
        let bytes = w.into_inner().map_err(|e| e.to_string())?;
        sources.tables.push((
            table.name.clone(),
            Input::read(table.file.clone(), &bytes[..]).map_err(|e| e.to_string())?,
        ));
        // The test's rows are plain CSV whatever the policy says of its files.
        sources.dialects.push((
            table.name.clone(),
            data::dialect::DialectOverride::plain_text(),
        ));
    }
    for (name, _) in &t.tables {
        let known = policy.tables.iter().any(|tb| {
            tb.name == *name
                || tb.file == *name
                || Path::new(&tb.file)
                    .file_stem()
                    .is_some_and(|s| s == name.as_str())
        });
        if !known {
            return Err(format!("the policy has no table `{name}`"));
        }
    }
    Ok(sources)
}

/// Writes a test's tables into `dir` as an export (one CSV file per table
/// of the policy, named as the policy names it, with every declared
/// header) and its as-of into `dir/as-of`: what `docket check` (or a
/// compiled SQL script) reads to give the same answer elsewhere.
pub(crate) fn write_export(policy: &Policy, t: &Test, dir: &Path) -> Result<(), String> {
    let sources = tables(policy, t)?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    for (name, input) in &sources.tables {
        let file = policy
            .tables
            .iter()
            .find(|tb| &tb.name == name)
            .map_or(name.as_str(), |tb| tb.file.as_str());
        let mut bytes = Vec::new();
        input
            .open_at(0)
            .and_then(|mut r| std::io::Read::read_to_end(&mut r, &mut bytes))
            .map_err(|e| e.to_string())?;
        std::fs::write(dir.join(file), bytes).map_err(|e| e.to_string())?;
    }
    let as_of = t.as_of.clone().unwrap_or_default();
    std::fs::write(dir.join("as-of"), format!("{as_of}\n")).map_err(|e| e.to_string())
}

/// Runs one test against a checked policy.
pub(crate) fn run(policy: &Policy, sources: &crate::source::SourceMap, t: &Test) -> TestOutcome {
    let mut out = TestOutcome {
        rules: t.expects.iter().map(|e| e.rule.clone()).collect(),
        ..TestOutcome::default()
    };
    for e in &t.expects {
        if policy.rule(&e.rule).is_none() {
            let ids = policy.rules.iter().map(|r| r.id.as_str());
            let hint = crate::diagnostic::did_you_mean(&e.rule, ids)
                .map_or(String::new(), |h| format!("; {h}"));
            out.diff.push(format!(
                "! line {}: the policy has no rule `{}`{hint}",
                e.line, e.rule
            ));
        }
    }
    let (data, now) = match load(policy, t) {
        Ok(x) => x,
        Err(lines) => {
            out.diff.extend(lines);
            return out;
        }
    };
    for e in &data.errors {
        out.diff.push(format!("! data error: {}", e.one_line()));
    }
    let ev = Evaluator::new(policy, &data, now, &[])
        .with_sources(sources)
        .explaining();
    let actual = results(policy, &ev);
    let keys = keys(policy, &ev);
    compare(policy, t, (&actual, &keys), &mut out);
    out
}

/// Each table's row keys, in the test's order.
fn keys(policy: &Policy, ev: &Evaluator) -> Vec<Vec<String>> {
    (0..policy.tables.len())
        .map(|table| {
            let len = ev.data.table(table).map_or(0, |d| d.len);
            (0..len)
                .filter_map(|row| u32::try_from(row).ok())
                .map(|row| ev.key_of(table, row))
                .collect()
        })
        .collect()
}

/// Why an expectation of `rule` (a rule of the policy) on `key` has no
/// result: the key is in no row of the table the rule is about (with the
/// keys there are, and the closest), or in a row of another table.
fn no_result(policy: &Policy, keys: &[Vec<String>], key: &str, rule: &str) -> String {
    let Some(r) = policy.rule(rule) else {
        return format!("no result for `{key}`");
    };
    let table = policy
        .tables
        .get(r.subject)
        .map_or("?", |t| t.name.as_str());
    if let Some(other) = keys
        .iter()
        .position(|k| k.iter().any(|x| x == key))
        .and_then(|t| policy.tables.get(t))
    {
        return format!(
            "`{key}` is a row of table `{}`, but `{rule}` is about `{table}` rows",
            other.name
        );
    }
    let here = keys.get(r.subject).map_or(&[][..], Vec::as_slice);
    let hint = crate::diagnostic::did_you_mean(key, here.iter().map(String::as_str))
        .map_or(String::new(), |h| format!("; {h}"));
    let listed = if here.is_empty() {
        "the test gives it no rows".to_string()
    } else if here.len() <= 10 {
        format!("it has {}", here.join(", "))
    } else {
        format!("it has {} rows", here.len())
    };
    format!("no row `{key}` in table `{table}` ({listed}){hint}")
}

/// The test's tables loaded from memory, and its as-of; `Err` says why not.
fn load(policy: &Policy, t: &Test) -> Result<(data::Dataset, i64), Vec<String>> {
    let inputs = tables(policy, t).map_err(|e| vec![format!("! {e}")])?;
    let now = match t
        .as_of
        .as_deref()
        .map(|s| crate::time::parse_as_of(s, policy.timezone))
    {
        Some(Ok(i)) => i.instant.0,
        Some(Err(e)) => return Err(vec![format!("! as-of: {e}")]),
        None => return Err(vec!["! the test has no `as-of`".to_string()]),
    };
    let schema = policy.schema();
    let data = data::Loader::new(&schema)
        .sources(inputs)
        .load()
        .map_err(|diags| {
            diags
                .into_iter()
                .map(|d| format!("! {}", d.message))
                .collect::<Vec<_>>()
        })?;
    Ok((data, now))
}

/// (key, rule) → (status, message) for every row and rule.
type Results = BTreeMap<(String, String), (Status, String)>;

fn results(policy: &Policy, ev: &Evaluator) -> Results {
    let mut actual = Results::new();
    for (table, _) in ev.subjects() {
        let len = ev.data.table(table).map_or(0, |d| d.len);
        for row in 0..len {
            let Ok(row) = u32::try_from(row) else { break };
            let key = ev.key_of(table, row);
            for r in ev.evaluate(table, row) {
                let id = policy
                    .rules
                    .get(r.rule)
                    .map_or(String::new(), |x| x.id.clone());
                let message = if r.findings.is_empty() {
                    r.reason.clone()
                } else {
                    r.findings
                        .iter()
                        .map(|f| f.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" | ")
                };
                actual.insert((key.clone(), id), (r.status, message));
            }
        }
    }
    actual
}

/// The differences between what the test expects and what happened: an
/// expectation not met, or a violation or due item of a rule under test
/// that no expectation names.
fn compare(
    policy: &Policy,
    t: &Test,
    (actual, keys): (&Results, &[Vec<String>]),
    out: &mut TestOutcome,
) {
    let mut expected_keys: BTreeSet<(String, String)> = BTreeSet::new();
    for e in &t.expects {
        expected_keys.insert((e.key.clone(), e.rule.clone()));
        match actual.get(&(e.key.clone(), e.rule.clone())) {
            // An unknown rule is said once, above.
            None if policy.rule(&e.rule).is_none() => {}
            None => {
                out.diff
                    .push(format!("- expected {} {} {}", e.key, e.rule, e.status));
                out.diff.push(format!(
                    "+ actual   {}",
                    no_result(policy, keys, &e.key, &e.rule)
                ));
            }
            Some((status, message)) => {
                let status_ok = status.as_str() == e.status;
                let text_ok = e
                    .contains
                    .as_ref()
                    .is_none_or(|c| message.contains(c.as_str()));
                if !(status_ok && text_ok) {
                    let want = match &e.contains {
                        Some(c) => format!("{} \"{c}\"", e.status),
                        None => e.status.clone(),
                    };
                    out.diff
                        .push(format!("- expected {} {} {want}", e.key, e.rule));
                    out.diff.push(format!(
                        "+ actual   {} {} {}: {message}",
                        e.key,
                        e.rule,
                        status.as_str()
                    ));
                }
            }
        }
    }
    for ((key, rule), (status, message)) in actual {
        if out.rules.contains(rule)
            && matches!(status, Status::Violated | Status::Due)
            && !expected_keys.contains(&(key.clone(), rule.clone()))
        {
            out.diff.push(format!(
                "+ unexpected {key} {rule} {}: {message}",
                status.as_str()
            ));
        }
    }
}
