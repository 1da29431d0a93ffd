//! The compiled evaluation plan against the tree-walking evaluator (issue
//! "Performance II"): on generated policies (random conditions over the
//! bundled tables, with `let`s, definitions, quantifiers, `in` lists and
//! three-valued logic) and generated exports (clean and with broken cells),
//! both give the same findings, and each rule applies, holds and is violated
//! for the same cases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

mod common;

use docket::data::{Dataset, Loader, Sources};
use docket::eval::{Evaluator, Status, audit};
use docket::generate::{GenOptions, generate};
use docket::semantics::{Policy, check_sources};
use docket::source::SourceMap;
use proptest::prelude::*;

const AS_OF: &str = "2025-11-20T12:00";

const EVENTS: &[&str] = &[
    "Acknowledged",
    "Conversation Documented",
    "Reassigned",
    "Genpac Tagged",
    "Genpac Responded",
    "Escalated",
    "Customer Contacted",
    "Contract Sent",
];
const TYPES: &[&str] = &[
    "License Reduction",
    "Cancellation",
    "Billing Inquiry",
    "Rate Reduction",
];
const STATUSES: &[&str] = &["New", "Working", "Escalated", "Closed"];

/// A boolean condition about `case` (and the rule's `let x`, the first
/// event of some name).
fn atom(with_let: bool) -> impl Strategy<Value = String> {
    let pick = |list: &'static [&'static str]| prop::sample::select(list.to_vec());
    prop_oneof![
        (pick(STATUSES), any::<bool>()).prop_map(|(s, eq)| {
            format!("case.status {} \"{s}\"", if eq { "=" } else { "!=" })
        }),
        pick(TYPES).prop_map(|t| format!("\"{t}\" = case.type")),
        (prop::sample::subsequence(TYPES.to_vec(), 0..3), any::<bool>()).prop_map(|(ts, not)| {
            let list: Vec<String> = ts.iter().map(|t| format!("\"{t}\"")).collect();
            let list = if list.is_empty() {
                "\"Cancellation\"".to_string()
            } else {
                list.join(", ")
            };
            format!("case.type {}in [{list}]", if not { "not " } else { "" })
        }),
        Just("case.closed".to_string()),
        Just("case.handed_on".to_string()),
        Just("case.email_notification".to_string()),
        Just("case.account.authorized_contacts_only".to_string()),
        Just("case.closed_at is missing".to_string()),
        Just("case.written_notice_date is present".to_string()),
        Just("case.closed_at > case.opened_at".to_string()),
        Just("case.opened_at <= now".to_string()),
        Just(if with_let { "x is present" } else { "case.owner is present" }.to_string()),
        Just(if with_let { "x.at <= case.closed_at" } else { "case.closed" }.to_string()),
        Just(if with_let { "x.detail = \"SalesOps\"" } else { "case.owner = \"Lu Chen\"" }.to_string()),
        Just("case.contact_email in case.account.authorized_contacts ignoring case".to_string()),
        Just("(any case.account.opportunities where opportunity.stage = \"Closed Won\")".to_string()),
        pick(EVENTS).prop_map(|e| format!("(any case.events where event.name = \"{e}\")")),
        pick(EVENTS).prop_map(|e| format!("(no case.events where event.name != \"{e}\")")),
        (pick(EVENTS), 0i64..3)
            .prop_map(|(e, n)| format!("(count case.events where event.name = \"{e}\") >= {n}")),
        (pick(EVENTS), pick(EVENTS)).prop_map(|(a, b)| format!(
            "(any case.events where event.name in [\"{a}\", \"{b}\"] and event.at >= case.opened_at)"
        )),
        pick(EVENTS).prop_map(|e| format!("(last case.events where event.name = \"{e}\") is missing")),
    ]
}

/// Atoms under `not`, `and`, `or` and `if … then … else`.
fn condition(with_let: bool) -> impl Strategy<Value = String> {
    atom(with_let).prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| format!("not ({a})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            (inner.clone(), inner.clone(), inner)
                .prop_map(|(c, a, b)| format!("if {c} then {a} else {b}")),
        ]
    })
}

/// A rule of generated conditions; `applies`, `when` and the `let` optional.
fn rule() -> impl Strategy<Value = String> {
    (
        prop::option::of(condition(false)),
        prop::option::of(condition(true)),
        condition(true),
        prop::sample::select(EVENTS.to_vec()),
    )
        .prop_map(|(applies, when, require, event)| {
            let mut s = String::from("rule generated \"A generated rule\"\n  severity error\n");
            match applies {
                Some(a) => s.push_str(&format!("  for case where {a}\n")),
                None => s.push_str("  for case\n"),
            }
            s.push_str("  source \"Generated\"\n");
            s.push_str(&format!(
                "  let x = first case.events where event.name = \"{event}\"\n"
            ));
            if let Some(w) = when {
                s.push_str(&format!("  when {w}\n"));
            }
            s.push_str(&format!("  require {require}\n"));
            s
        })
}

fn policy_with(rules: &[String]) -> Policy {
    let mut sources = SourceMap::new();
    for (name, text) in common::bundled() {
        sources.add(name, text);
    }
    for (i, r) in rules.iter().enumerate() {
        let text = r.replacen("rule generated", &format!("rule generated-{i}"), 1);
        sources.add(format!("generated-{i}.docket"), text);
    }
    let loaded = check_sources(sources);
    match loaded.policy {
        Some(p) => p,
        None => panic!("{rules:?} does not check: {:?}", loaded.diagnostics),
    }
}

fn export(cases: usize, seed: u64, errors: f64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    generate(
        dir.path(),
        &GenOptions {
            cases,
            seed,
            errors,
            ..GenOptions::default()
        },
    )
    .unwrap();
    dir
}

fn load(p: &Policy, dir: &std::path::Path) -> Dataset {
    let sources = Sources {
        dir: Some(dir.to_path_buf()),
        tables: Vec::new(),
        keep: None,
        dialects: Vec::new(),
    };
    Loader::new(&p.schema()).sources(sources).load().unwrap()
}

type Seen = (String, usize, Status, Option<u64>, Option<i64>, String);

/// Every finding, and per rule the cases it applied to, held for, was
/// violated by and did not apply to.
fn audit_by(ev: &Evaluator) -> (Vec<Seen>, Vec<[u64; 4]>) {
    let a = audit::run(ev, true, &|_| (), &mut |()| {}, &|_| {});
    let counts = a.counts();
    let seen = a
        .findings
        .into_iter()
        .map(|f| {
            (
                f.key.to_string(),
                f.rule,
                f.status,
                f.mark,
                f.deadline,
                f.message,
            )
        })
        .collect();
    (seen, counts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_plan_finds_what_the_tree_walker_finds(
        rules in prop::collection::vec(rule(), 1..4),
        seed in 0u64..10_000,
        dirty in any::<bool>(),
    ) {
        let p = policy_with(&rules);
        let dir = export(80, seed, if dirty { 0.05 } else { 0.0 });
        let data = load(&p, dir.path());
        let now = docket::time::parse_as_of(AS_OF, p.timezone).unwrap().instant.0;
        let planned = audit_by(&Evaluator::new(&p, &data, now, &[]));
        let walked = audit_by(&Evaluator::new(&p, &data, now, &[]).tree_walking());
        prop_assert_eq!(planned.1, walked.1);
        prop_assert_eq!(planned.0, walked.0);
    }
}

/// An audit run from a worker of a one-thread pool (a library user's own
/// rayon job) does not wait on its own pool, and finds what any audit does.
#[test]
fn an_audit_from_inside_a_one_thread_pool_finishes_alike() {
    let p = policy_with(&[]);
    let dir = export(300, 7, 0.02);
    let data = load(&p, dir.path());
    let now = docket::time::parse_as_of(AS_OF, p.timezone)
        .unwrap()
        .instant
        .0;
    let ev = Evaluator::new(&p, &data, now, &[]);
    let outside = audit_by(&ev);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let inside = pool.install(|| audit_by(&ev));
    assert!(!outside.0.is_empty());
    assert_eq!(inside, outside);
}
