//! `docket rules` lists a policy's rules; `docket explain ID` shows one.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use serde::Serialize;

use super::{Ctx, Exit, print_out, setup};
use crate::semantics::{Decision, Policy, Rule, RuleBody};
use crate::source::SourceMap;
use crate::syntax::ast::RuleKind;
use crate::time::{display_days, display_elapsed};

/// Output formats of `rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// A table.
    #[default]
    Human,
    /// A JSON array.
    Json,
}

/// Flags of `rules`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A policy file or a directory of `.docket` files.
    #[arg(long, default_value = "policies")]
    pub policy: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Flags of `explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The rule id.
    pub rule: String,
    /// A policy file or a directory of `.docket` files.
    #[arg(long, default_value = "policies")]
    pub policy: PathBuf,
}

#[derive(Serialize)]
struct JsonRule {
    id: String,
    kind: &'static str,
    severity: &'static str,
    applies_to: String,
    title: String,
    sources: Vec<String>,
    file: String,
    line: usize,
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
    r.sources
        .iter()
        .map(|s| match &s.section {
            Some(sec) => format!("{} › {sec}", s.document),
            None => s.document.clone(),
        })
        .collect()
}

/// Runs `rules`.
pub fn run(ctx: &Ctx, a: Args) -> Exit {
    let (p, sources) = match setup::policy(ctx, &a.policy) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let rows: Vec<JsonRule> = p
        .rules
        .iter()
        .map(|r| {
            let (file, line, _) = sources.locate(r.span).unwrap_or(("", 0, 0));
            JsonRule {
                id: r.id.clone(),
                kind: kind(r.kind),
                severity: r.severity.as_str(),
                applies_to: applies_to(&p, &sources, r),
                title: r.title.clone(),
                sources: citations(r),
                file: file.to_string(),
                line,
            }
        })
        .collect();
    let out = match a.format {
        Format::Json => serde_json::to_string_pretty(&rows)
            .map(|s| s + "\n")
            .unwrap_or_default(),
        Format::Human => {
            let w = rows.iter().map(|r| r.id.len()).max().unwrap_or(2);
            let mut s = String::new();
            let _ = writeln!(s, "{:w$}  {:10}  {:8}  title", "id", "kind", "severity");
            for r in &rows {
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
            let _ = writeln!(s, "\n{} rules in policy \"{}\"", rows.len(), p.name);
            s
        }
    };
    match print_out(&out) {
        Ok(()) => Exit::Ok,
        Err(_) => Exit::Failure,
    }
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

/// Runs `explain`.
pub fn explain(ctx: &Ctx, a: ExplainArgs) -> Exit {
    let (p, sources) = match setup::policy(ctx, &a.policy) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let Some(r) = setup::rules(ctx, &p, std::slice::from_ref(&a.rule))
        .ok()
        .and_then(|i| i.first().and_then(|&i| p.rules.get(i)))
    else {
        return Exit::Failure;
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} ({} {}, {}): {}",
        r.id,
        r.severity.as_str(),
        kind(r.kind),
        applies_to(&p, &sources, r),
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
    for l in plain(&p, &sources, r).lines() {
        let _ = writeln!(s, "  {l}");
    }
    match print_out(&s) {
        Ok(()) => Exit::Ok,
        Err(_) => Exit::Failure,
    }
}
