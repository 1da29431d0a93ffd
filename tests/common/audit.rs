//! The bundled policy's audit of an export, reduced to what property tests
//! compare: each finding without where it is.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "a test fails loudly by unwrapping"
)]

use std::collections::BTreeSet;

use docket::data::{Loader, Sources};
use docket::eval::{Evaluator, Status, audit};
use docket::semantics::{Policy, check_sources};
use docket::source::SourceMap;

/// A finding without where it is, nor which rows with data errors it reads:
/// case, rule, status, mark, deadline, message.
pub type Seen = (String, String, Status, Option<u64>, Option<i64>, String);

/// The bundled policy.
pub fn policy() -> Policy {
    let mut sources = SourceMap::new();
    for (name, text) in super::bundled() {
        sources.add(name, text);
    }
    check_sources(sources).policy.unwrap()
}

/// Every finding of `p` over `sources` as of `as_of`, and how many data
/// errors the export has.
pub fn audit_of(p: &Policy, sources: Sources, as_of: &str) -> (BTreeSet<Seen>, usize) {
    let data = Loader::new(&p.schema()).sources(sources).load().unwrap();
    let now = docket::time::parse_as_of(as_of, p.timezone)
        .unwrap()
        .instant
        .0;
    let ev = Evaluator::new(p, &data, now, &[]);
    let a = audit::run(&ev, true, &|_| (), &mut |()| {}, &|_| {});
    let seen = a
        .findings
        .into_iter()
        .map(|f| {
            let rule = p.rules[f.rule].id.clone();
            (
                f.key.to_string(),
                rule,
                f.status,
                f.mark,
                f.deadline,
                f.message,
            )
        })
        .collect();
    (seen, data.errors.len())
}
