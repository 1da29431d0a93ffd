//! `docket test` reports: the human listing, JSON for tools and JUnit XML
//! for CI, from one record of the run.

use std::fmt::Write as _;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde::Serialize;

/// One test's result.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TestResult {
    /// The test file.
    pub(crate) file: String,
    /// The line its `test` starts on.
    pub(crate) line: usize,
    /// Its name.
    pub(crate) name: String,
    /// Whether every expectation held.
    pub(crate) passed: bool,
    /// What differed, one line each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) diff: Vec<String>,
}

/// A malformed line of a test file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TestFileError {
    /// The test file.
    pub(crate) file: String,
    /// The line.
    pub(crate) line: usize,
    /// What is wrong.
    pub(crate) message: String,
}

/// A run of a policy's tests.
#[derive(Debug, Clone, Serialize, Default)]
pub(crate) struct TestRun {
    /// Every test run, in file order.
    pub(crate) tests: Vec<TestResult>,
    /// Tests that passed.
    pub(crate) passed: usize,
    /// Tests that failed.
    pub(crate) failed: usize,
    /// Test files that could not be read or parsed (none of their tests
    /// ran).
    pub(crate) broken: usize,
    /// Malformed test file lines (the files are not run).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) errors: Vec<TestFileError>,
    /// Rules of the policy, and those no test exercised (absent with
    /// `--filter`: only some tests ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) coverage: Option<Coverage>,
}

/// Which rules the tests exercise.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Coverage {
    /// Rules in the policy.
    pub(crate) rules: usize,
    /// Rules no test exercises.
    pub(crate) uncovered: Vec<String>,
}

impl TestRun {
    /// Adds a test's result.
    pub(crate) fn add(&mut self, t: TestResult) {
        if t.passed {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        self.tests.push(t);
    }

    /// `ok`/`FAILED` per test, the totals and the coverage.
    pub(crate) fn human(&self, syntax: &str) -> String {
        let mut out = String::new();
        for e in &self.errors {
            let _ = writeln!(out, "{}:{}: error[{syntax}]: {}", e.file, e.line, e.message);
        }
        for t in &self.tests {
            let mark = if t.passed { "ok     " } else { "FAILED " };
            let _ = writeln!(out, "{mark} {}:{} {}", t.file, t.line, t.name);
            for d in &t.diff {
                let _ = writeln!(out, "          {d}");
            }
        }
        let _ = writeln!(
            out,
            "\n{} passed, {} failed, {} broken",
            self.passed, self.failed, self.broken
        );
        match &self.coverage {
            Some(c) if c.uncovered.is_empty() => {
                let _ = writeln!(
                    out,
                    "coverage: every rule ({}) is exercised by a test",
                    c.rules
                );
            }
            Some(c) => {
                let _ = writeln!(
                    out,
                    "coverage: {} of {} rules exercised; no test exercises: {}",
                    c.rules - c.uncovered.len(),
                    c.rules,
                    c.uncovered.join(", ")
                );
            }
            None => {}
        }
        out
    }

    /// The run as one JSON object.
    pub(crate) fn json(&self) -> String {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .unwrap_or_default()
    }

    /// JUnit XML: a test suite per test file, a test case per test
    /// (failures with what differed), a failing case per malformed line.
    pub(crate) fn junit(&self, policy: &str) -> String {
        let mut report = Report::new(format!("docket test: {policy}"));
        let mut files: Vec<&str> = self.tests.iter().map(|t| t.file.as_str()).collect();
        files.extend(self.errors.iter().map(|e| e.file.as_str()));
        files.dedup();
        let mut seen = Vec::new();
        for file in files {
            if seen.contains(&file) {
                continue;
            }
            seen.push(file);
            let mut suite = TestSuite::new(file.to_string());
            for t in self.tests.iter().filter(|t| t.file == file) {
                let status = if t.passed {
                    TestCaseStatus::success()
                } else {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(format!("{} expectation(s) not met", t.diff.len()))
                        .set_description(t.diff.join("\n"));
                    s
                };
                let mut case = TestCase::new(t.name.clone(), status);
                case.set_classname(format!("{}:{}", t.file, t.line));
                suite.add_test_case(case);
            }
            for e in self.errors.iter().filter(|e| e.file == file) {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                s.set_message(e.message.clone());
                let mut case = TestCase::new(format!("line {}", e.line), s);
                case.set_classname(e.file.clone());
                suite.add_test_case(case);
            }
            report.add_test_suite(suite);
        }
        report.to_string().unwrap_or_default()
    }
}
