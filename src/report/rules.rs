//! The rules of a policy as `docket rules` lists them (a table or JSON)
//! and as `docket explain` shows one (its text, sources and what it checks
//! in plain words).

use std::fmt::Write as _;

use serde::Serialize;

use crate::semantics::{Decision, Policy, Rule, RuleBody};
use crate::source::SourceMap;
use crate::syntax::ast::RuleKind;
use crate::time::{display_days, display_elapsed};

/// One rule as `docket rules --format json` lists it.
#[derive(Serialize)]
pub(crate) struct JsonRule {
    /// Rule id.
    pub(crate) id: String,
    /// `rule`, `allowlist`, `notice` or `escalation`.
    pub(crate) kind: &'static str,
    /// `error` or `warning`.
    pub(crate) severity: &'static str,
    /// The rows it is about: `case where …`.
    pub(crate) applies_to: String,
    /// Its title.
    pub(crate) title: String,
    /// Documents and sections it comes from.
    pub(crate) sources: Vec<String>,
    /// Where it is written.
    pub(crate) file: String,
    /// Its line there.
    pub(crate) line: usize,
}

fn kind(k: RuleKind) -> &'static str {
    match k {
        RuleKind::Require => "rule",
        RuleKind::Allowlist => "allowlist",
        RuleKind::Notice => "notice",
        RuleKind::Escalation => "escalation",
    }
}

fn text(sources: &SourceMap, e: &crate::semantics::Expr) -> String {
    sources
        .get(e.span.file)
        .map(|f| {
            f.slice(e.span)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_default()
}

fn applies_to(p: &Policy, sources: &SourceMap, r: &Rule) -> String {
    let table = p.tables.get(r.subject).map_or("?", |t| t.name.as_str());
    match &r.applies {
        Some(a) => format!("{table} where {}", text(sources, a)),
        None => format!("every {table}"),
    }
}

fn citations(r: &Rule) -> Vec<String> {
    r.source_text()
        .split("; ")
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every rule of `p`, in policy order.
pub(crate) fn list(p: &Policy, sources: &SourceMap) -> Vec<JsonRule> {
    p.rules
        .iter()
        .map(|r| {
            let (file, line, _) = sources.locate(r.span).unwrap_or(("", 0, 0));
            JsonRule {
                id: r.id.clone(),
                kind: kind(r.kind),
                severity: r.severity.as_str(),
                applies_to: applies_to(p, sources, r),
                title: r.title.clone(),
                sources: citations(r),
                file: file.to_string(),
                line,
            }
        })
        .collect()
}

/// `docket rules --format json`.
pub(crate) fn json(rows: &[JsonRule]) -> String {
    serde_json::to_string_pretty(rows)
        .map(|s| s + "\n")
        .unwrap_or_default()
}

/// `docket rules`: a table of the rules of the policy named `name`.
pub(crate) fn human(rows: &[JsonRule], name: &str) -> String {
    let w = rows.iter().map(|r| r.id.len()).max().unwrap_or(2);
    let mut s = String::new();
    let _ = writeln!(s, "{:w$}  {:10}  {:8}  title", "id", "kind", "severity");
    for r in rows {
        let _ = writeln!(
            s,
            "{:w$}  {:10}  {:8}  {}",
            r.id, r.kind, r.severity, r.title
        );
        let _ = writeln!(s, "{:w$}  applies to {}", "", r.applies_to);
        for c in &r.sources {
            let _ = writeln!(s, "{:w$}  source: {c}", "");
        }
    }
    let _ = writeln!(s, "\n{} rules in policy \"{}\"", rows.len(), name);
    s
}

/// `docket explain`: one rule's text, sources and what it checks.
pub(crate) fn explain(p: &Policy, sources: &SourceMap, r: &Rule) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({} {}, {}): {}",
        r.id,
        r.severity.as_str(),
        kind(r.kind),
        applies_to(p, sources, r),
        r.title
    );
    for c in citations(r) {
        let _ = writeln!(s, "source: {c}");
    }
    if let Some((file, line, _)) = sources.locate(r.span) {
        let _ = writeln!(s, "\n{file}:{line}:");
    }
    if let Some(f) = sources.get(r.span.file) {
        for l in f.slice(r.span).lines() {
            let _ = writeln!(s, "    {l}");
        }
    }
    let _ = writeln!(s, "\nIn plain words:");
    for l in plain(p, sources, r).lines() {
        let _ = writeln!(s, "  {l}");
    }
    s
}

/// What a rule checks, in words.
fn plain(p: &Policy, sources: &SourceMap, r: &Rule) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "It applies to each {}.", applies_to(p, sources, r));
    for l in &r.lets {
        let _ = writeln!(s, "Let {} be {}.", l.name, text(sources, &l.value));
    }
    if let Some(g) = &r.guard {
        let _ = writeln!(
            s,
            "It is checked only when {}; otherwise it does not apply.",
            text(sources, g)
        );
    }
    match &r.body {
        RuleBody::Require(e) => {
            let _ = writeln!(
                s,
                "It requires {}; if that is false the case violates it.",
                text(sources, e)
            );
        }
        RuleBody::Allowlist {
            value,
            list,
            ignore_case,
        } => {
            let _ = writeln!(
                s,
                "It requires {} to be one of {}{}; a missing value or an empty list violates it.",
                text(sources, value),
                text(sources, list),
                if *ignore_case { " (ignoring case)" } else { "" }
            );
        }
        RuleBody::Notice(n) => {
            let _ = writeln!(
                s,
                "It measures the notice from {} to {} (both needed); the first matching arm decides the notice required:",
                text(sources, &n.from),
                text(sources, &n.to)
            );
            for (k, arm) in n.arms.iter().enumerate() {
                let when = arm.condition.as_ref().map_or("otherwise".to_string(), |c| {
                    format!("when {}", text(sources, c))
                });
                let what = match arm.decision {
                    Decision::Exempt => "exempt".to_string(),
                    Decision::Days(d) => display_days(d),
                    Decision::Elapsed(ms) => display_elapsed(ms),
                };
                let _ = writeln!(s, "  {}. {} ({when}): {what}", k + 1, arm.label);
            }
            let _ = writeln!(
                s,
                "It is violated when the change takes effect earlier than notice + the period required."
            );
        }
        RuleBody::Escalation(l) => {
            let _ = writeln!(
                s,
                "The ladder starts at {} (no start: it does not apply).",
                text(sources, &l.start)
            );
            for st in &l.stops {
                let _ = writeln!(s, "It stops at {}.", text(sources, st));
            }
            for m in &l.marks {
                let _ = writeln!(
                    s,
                    "At {} after the start: {} (satisfied by {}{}).",
                    display_elapsed(m.offset),
                    m.label,
                    text(sources, &m.expect),
                    m.within.map_or(String::new(), |w| format!(
                        ", within {}",
                        display_elapsed(w)
                    ))
                );
            }
            if let Some(per) = l.period {
                let _ = writeln!(s, "The marks repeat every {}.", display_elapsed(per));
            }
            let _ = writeln!(
                s,
                "Each mark's action is owed from the mark until the next one: due while that window is open, violated once it has closed without the action (one finding per missed mark)."
            );
        }
    }
    s
}
