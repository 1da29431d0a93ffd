//! `docket test [PATH]`: run a policy's tests (`PATH/tests/*.dockettest`).

use std::path::PathBuf;

use super::{Ctx, Exit, Failure, Outcome, print_out, setup};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::policytest;
use crate::report::testrun::{Coverage, TestFileError, TestResult, TestRun};

/// The code of a malformed test file line.
const SYNTAX: Code = Code::TestSyntax;

/// Flags of `test`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The policy (file or directory); its tests are in `tests/` beside it.
    #[arg(default_value = "policies")]
    pub(crate) path: PathBuf,
    /// Fail when some rule is exercised by no test.
    #[arg(long)]
    pub(crate) require_coverage: bool,
    /// Run only the tests whose name contains this text (any case).
    #[arg(long, value_name = "TEXT")]
    pub(crate) filter: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: TestFormat,
    /// Also write each test's tables as an export, into
    /// `DIR/<file>-<line>/` (the CSV files and an `as-of` file), to audit
    /// them with `docket check` or a compiled SQL script.
    #[arg(long, value_name = "DIR")]
    pub(crate) write_exports: Option<PathBuf>,
}

/// Output formats of `test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub(crate) enum TestFormat {
    /// `ok`/`FAILED` per test, totals and coverage.
    #[default]
    Human,
    /// `{"tests": [{"file", "line", "name", "passed", "diff"?}], "passed",
    /// "failed", "broken", "errors"?, "coverage"?: {"rules", "uncovered"}}`.
    Json,
    /// JUnit XML: a test suite per test file, a test case per test.
    Junit,
}

/// Runs `test`.
pub(crate) fn run(ctx: &Ctx, a: Args) -> Outcome {
    let (policy, sources) = setup::policy(ctx, &a.path)?;
    let files = policytest::files(&a.path);
    if files.is_empty() {
        return Err(Failure::from(
            Diagnostic::error(Code::TestNoTests, format!("no `.dockettest` files for `{}`", a.path.display()))
                .with_help("policy tests live in `tests/` next to the policy, e.g. `policies/tests/notice.dockettest`"),
        ));
    }
    let mut run = TestRun::default();
    let mut covered = std::collections::BTreeSet::new();
    let wanted = a.filter.as_deref().map(str::to_lowercase);
    for path in &files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => crate::source::without_bom(t),
            Err(e) => {
                return Err(Failure::from(Diagnostic::error(
                    Code::IoRead,
                    format!(
                        "cannot read `{}`: {}",
                        path.display(),
                        crate::semantics::io_reason(&e)
                    ),
                )));
            }
        };
        let shown = path.display().to_string();
        let file = match policytest::parse(&text) {
            Ok(f) => f,
            Err(errs) => {
                run.broken += 1;
                run.errors.extend(errs.into_iter().map(|e| TestFileError {
                    file: shown.clone(),
                    line: e.line,
                    message: e.message,
                }));
                continue;
            }
        };
        for t in &file.tests {
            if wanted
                .as_ref()
                .is_some_and(|w| !t.name.to_lowercase().contains(w))
            {
                continue;
            }
            if let Some(dir) = &a.write_exports {
                let stem = path
                    .file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().to_string());
                let into = dir.join(format!("{stem}-{}", t.line));
                policytest::write_export(&policy, t, &into).map_err(|e| {
                    Failure::from(Diagnostic::error(
                        Code::IoWrite,
                        format!("cannot write `{}`: {e}", into.display()),
                    ))
                })?;
            }
            let o = policytest::run(&policy, &sources, t);
            covered.extend(o.rules.iter().cloned());
            run.add(TestResult {
                file: shown.clone(),
                line: t.line,
                name: t.name.clone(),
                passed: o.passed(),
                diff: o.diff.iter().map(ToString::to_string).collect(),
            });
        }
    }
    let uncovered: Vec<String> = policy
        .rules
        .iter()
        .map(|r| r.id.clone())
        .filter(|id| !covered.contains(id))
        .collect();
    if wanted.is_none() {
        run.coverage = Some(Coverage {
            rules: policy.rules.len(),
            uncovered: uncovered.clone(),
        });
    }
    let out = match a.format {
        TestFormat::Human => run.human(SYNTAX.as_str()),
        TestFormat::Json => run.json(),
        TestFormat::Junit => run.junit(&a.path.display().to_string()),
    };
    let broken = !run.errors.is_empty();
    let failed = run.failed;
    let uncovered = run
        .coverage
        .as_ref()
        .is_some_and(|c| !c.uncovered.is_empty());
    if print_out(&out).is_err() {
        return Err(Failure::quiet());
    }
    Ok(if broken {
        Exit::Failure
    } else if failed > 0 || (a.require_coverage && uncovered) {
        Exit::Findings
    } else {
        Exit::Ok
    })
}
