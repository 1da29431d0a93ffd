//! `docket test [PATH]`: run a policy's tests (`PATH/tests/*.dockettest`).

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{Ctx, Exit, Failure, Outcome, print_out, setup};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::policytest;

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
    let mut out = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut covered = std::collections::BTreeSet::new();
    let mut broken = false;
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
        let file = match policytest::parse(&text) {
            Ok(f) => f,
            Err(errs) => {
                for e in errs {
                    let _ = writeln!(
                        out,
                        "{}:{}: error[{SYNTAX}]: {}",
                        path.display(),
                        e.line,
                        e.message
                    );
                }
                broken = true;
                continue;
            }
        };
        for t in &file.tests {
            let o = policytest::run(&policy, &sources, t);
            covered.extend(o.rules.iter().cloned());
            if o.passed() {
                passed += 1;
                let _ = writeln!(out, "ok      {}:{} {}", path.display(), t.line, t.name);
            } else {
                failed += 1;
                let _ = writeln!(out, "FAILED  {}:{} {}", path.display(), t.line, t.name);
                for d in &o.diff {
                    let _ = writeln!(out, "          {d}");
                }
            }
        }
    }
    let uncovered: Vec<&str> = policy
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !covered.contains(*id))
        .collect();
    let _ = writeln!(out, "\n{passed} passed, {failed} failed");
    if uncovered.is_empty() {
        let _ = writeln!(
            out,
            "coverage: every rule ({}) is exercised by a test",
            policy.rules.len()
        );
    } else {
        let _ = writeln!(
            out,
            "coverage: {} of {} rules exercised; no test exercises: {}",
            policy.rules.len() - uncovered.len(),
            policy.rules.len(),
            uncovered.join(", ")
        );
    }
    if print_out(&out).is_err() {
        return Err(Failure::quiet());
    }
    Ok(if broken {
        Exit::Failure
    } else if failed > 0 || (a.require_coverage && !uncovered.is_empty()) {
        Exit::Findings
    } else {
        Exit::Ok
    })
}
