//! One query per rule: the subject rows the rule applies to (`for … where`,
//! the rows it reads through references, `when`), then its body as the
//! condition that makes a finding, with the message built in SQL.

use super::expr::{BASE, Bind, Compiler, R, Slots, SqlRow};
use super::{Engine, Unsupported, ladder};
use crate::semantics::{ColumnRef, ColumnType, Decision, Notice, Rule, RuleBody};

/// The subject alias of every rule query.
pub(crate) const SUBJECT: &str = "s";

/// The columns every rule query returns, in order.
pub(crate) const COLUMNS: &str =
    "rule_index, rule, severity, status, key, mark, deadline_ms, message";

/// A rule's scope: its row in slot 0, its `let`s.
pub(crate) fn scope<'p>(c: &Compiler<'p>, rule: &'p Rule) -> Slots<'p> {
    let mut sc = Slots::new(rule.slots);
    sc.set(0, Bind::Row(subject()));
    for l in &rule.lets {
        sc.set(l.slot, Bind::Let(&l.value));
    }
    let _ = c;
    sc
}

fn subject() -> SqlRow {
    SqlRow {
        id: format!("{SUBJECT}._row"),
        alias: Some(SUBJECT.to_string()),
        pick: None,
    }
}

/// Whether the rule applies to the subject row: `for … where`, every row
/// it reads through references there, and `when`.
pub(crate) fn applies<'p>(c: &Compiler<'p>, rule: &'p Rule, sc: &Slots<'p>) -> R<String> {
    let mut conds = Vec::new();
    if let Some(a) = &rule.applies {
        conds.push(format!("({}) IS TRUE", c.expr(a, sc)?));
    }
    for need in &rule.needs {
        let mut row = subject();
        for step in &need.path {
            let id = c.read(*step, &row, false);
            conds.push(format!("{id} IS NOT NULL"));
            if !matches!(
                c.policy.column(*step).map(|col| col.ty),
                Some(ColumnType::Ref(_))
            ) {
                return Err(Unsupported::new(
                    "a path through a non-reference",
                    rule.span,
                ));
            }
            row = SqlRow {
                id,
                alias: None,
                pick: None,
            };
        }
    }
    if let Some(g) = &rule.guard {
        conds.push(format!("({}) IS TRUE", c.expr(g, sc)?));
    }
    Ok(if conds.is_empty() {
        "TRUE".to_string()
    } else {
        conds.join("\n    AND ")
    })
}

/// The subject row's key, as text.
pub(crate) fn key<'p>(c: &Compiler<'p>, rule: &'p Rule) -> R<String> {
    let k = c
        .policy
        .tables
        .get(rule.subject)
        .and_then(|t| t.key)
        .ok_or_else(|| Unsupported::new("a rule about rows without a key", rule.span))?;
    Ok(c.read(
        ColumnRef {
            table: rule.subject,
            column: k,
        },
        &subject(),
        false,
    ))
}

/// The message of a finding: the first template whose condition holds,
/// else the rule's title.
pub(crate) fn message<'p>(c: &Compiler<'p>, rule: &'p Rule, sc: &Slots<'p>) -> R<String> {
    let mut arms = Vec::new();
    // Pass messages say why a rule holds; SQL returns findings only.
    for m in rule.messages.iter().filter(|m| !m.on_pass) {
        let mut parts = Vec::new();
        for p in &m.parts {
            parts.push(match p {
                crate::semantics::Part::Text(t) => c.d.text(t),
                crate::semantics::Part::Value(e) => c.show(e, sc)?,
            });
        }
        let text = if parts.is_empty() {
            "''".to_string()
        } else {
            parts.join(" || ")
        };
        match &m.condition {
            Some(cond) => arms.push(format!("WHEN ({}) IS TRUE THEN {text}", c.expr(cond, sc)?)),
            None => {
                arms.push(format!("ELSE {text}"));
                break;
            }
        }
    }
    if !arms.iter().any(|a| a.starts_with("ELSE")) {
        arms.push(format!("ELSE {}", c.d.text(&rule.title)));
    }
    match arms.first().and_then(|a| a.strip_prefix("ELSE ")) {
        Some(only) => Ok(only.to_string()),
        None => Ok(format!("(CASE {} END)", arms.join(" "))),
    }
}

/// The query of one rule's findings.
/// The statements a rule's query needs first, and the query.
pub(crate) fn rule_query<'p>(
    c: &Compiler<'p>,
    index: usize,
    rule: &'p Rule,
) -> Result<(String, String), Unsupported> {
    c.base("", index);
    let q = rule_body_query(c, index, rule)?;
    let (before, base) = c.base(&c.table_view(rule.subject), index);
    Ok((before, q.replacen(BASE, &base, 1)))
}

/// The query of one rule's findings, reading its subject table at [`BASE`].
fn rule_body_query<'p>(
    c: &Compiler<'p>,
    index: usize,
    rule: &'p Rule,
) -> Result<String, Unsupported> {
    match &rule.body {
        RuleBody::Require(e) => {
            let sc = scope(c, rule);
            let broken = format!("({}) IS FALSE", c.expr(e, &sc)?);
            simple(c, index, rule, &sc, &broken)
        }
        RuleBody::Allowlist {
            value,
            list,
            ignore_case,
        } => {
            let sc = scope(c, rule);
            // `expect v in l`: a miss when either is missing.
            let member = c.member(value, list, *ignore_case, &sc)?;
            simple(
                c,
                index,
                rule,
                &sc,
                &format!("NOT COALESCE({member}, FALSE)"),
            )
        }
        RuleBody::Notice(n) => notice(c, index, rule, n),
        RuleBody::Escalation(l) => ladder::query(c, index, rule, l),
    }
}

/// The leading columns of a finding row.
pub(crate) fn head(c: &Compiler, index: usize, rule: &Rule, status: &str) -> String {
    format!(
        "{index} AS rule_index, {} AS rule, {} AS severity, {} AS status",
        c.d.text(&rule.id),
        c.d.text(rule.severity.as_str()),
        c.d.text(status)
    )
}

/// A rule with one finding per broken subject row.
fn simple<'p>(
    c: &Compiler<'p>,
    index: usize,
    rule: &'p Rule,
    sc: &Slots<'p>,
    broken: &str,
) -> R<String> {
    Ok(format!(
        "SELECT {}, {} AS key, CAST(NULL AS BIGINT) AS mark, CAST(NULL AS BIGINT) AS deadline_ms,\n  {} AS message\nFROM {BASE}\nWHERE {}\n  AND {broken}",
        head(c, index, rule, "violated"),
        key(c, rule)?,
        message(c, rule, sc)?,
        applies(c, rule, sc)?
    ))
}

/// A notice period: the first arm whose condition holds decides; an arm
/// that needs a missing value, or none matching, makes the rule not apply.
fn notice<'p>(c: &Compiler<'p>, index: usize, rule: &'p Rule, n: &'p Notice) -> R<String> {
    let mut sc = scope(c, rule);
    let mut pick = Vec::new();
    for (k, arm) in n.arms.iter().enumerate() {
        match &arm.condition {
            Some(cond) => {
                let x = c.expr(cond, &sc)?;
                pick.push(format!("WHEN ({x}) IS NULL THEN NULL WHEN {x} THEN {k}"));
            }
            None => {
                pick.push(format!("WHEN TRUE THEN {k}"));
                break;
            }
        }
    }
    let case = |f: &dyn Fn(usize, Decision) -> Option<String>| -> String {
        let arms: Vec<String> = n
            .arms
            .iter()
            .enumerate()
            .filter_map(|(k, a)| f(k, a.decision).map(|v| format!("WHEN {k} THEN {v}")))
            .collect();
        if arms.is_empty() {
            "NULL".to_string()
        } else {
            format!("(CASE s.n_arm {} END)", arms.join(" "))
        }
    };
    let amount = |d: Decision| match d {
        Decision::Days(x) | Decision::Elapsed(x) => Some(x.to_string()),
        Decision::Exempt => None,
    };
    let required = case(&|_, d| amount(d));
    let earliest = case(&|_, d| amount(d).map(|a| format!("s.n_from + {a}")));
    let labels = case(&|k, _| n.arms.get(k).map(|a| c.d.text(&a.label)));
    for (name, v) in [
        ("arm", labels),
        ("required", required),
        ("earliest", earliest.clone()),
        ("shortfall", format!("({earliest} - s.n_to)")),
    ] {
        if let Some(slot) = rule.kind_slot(name) {
            sc.set(slot, Bind::Sql(v));
        }
    }
    let inner = format!(
        "SELECT {SUBJECT}.*, {} AS n_from, {} AS n_to, (CASE {} END) AS n_arm\n  FROM {BASE}\n  WHERE {}",
        c.expr(&n.from, &sc)?,
        c.expr(&n.to, &sc)?,
        pick.join(" "),
        applies(c, rule, &sc)?
    );
    Ok(format!(
        "SELECT {}, {} AS key, CAST(NULL AS BIGINT) AS mark, CAST(NULL AS BIGINT) AS deadline_ms,\n  {} AS message\nFROM ({inner}) {SUBJECT}\nWHERE s.n_from IS NOT NULL AND s.n_to IS NOT NULL AND s.n_to < {earliest}",
        head(c, index, rule, "violated"),
        key(c, rule)?,
        message(c, rule, &sc)?,
    ))
}

/// The last statement: every rule's findings, as `docket check` orders
/// them (by case, then rule, then mark).
pub(crate) fn findings(queries: &[String], d: Engine) -> String {
    let mut before = String::new();
    let all = if queries.is_empty() {
        format!(
            "SELECT {COLUMNS} FROM (SELECT 0 AS rule_index, '' AS rule, '' AS severity, '' AS status, '' AS key, CAST(NULL AS BIGINT) AS mark, CAST(NULL AS BIGINT) AS deadline_ms, '' AS message) q WHERE FALSE"
        )
    } else {
        queries
            .iter()
            .enumerate()
            .map(|(i, q)| {
                if d.materialises_layers() {
                    // Each rule's findings computed on their own: one plan
                    // of every rule is more than Spark's driver can hold.
                    let name = d.ident(&format!("docket_f{i}"));
                    before.push_str(&d.cached_view(&name, &format!("\n{q}")));
                    format!("SELECT {COLUMNS} FROM {name}")
                } else {
                    format!("SELECT {COLUMNS} FROM (\n{q}\n) q{i}")
                }
            })
            .collect::<Vec<_>>()
            .join("\nUNION ALL\n")
    };
    format!(
        "{before}\n-- The findings: one row per violation or due item.\nSELECT rule, severity, status, key, mark, {} AS deadline, message\nFROM (\n{all}\n) findings\nORDER BY key, rule_index, mark, deadline_ms;\n",
        d.ms_to_timestamp("deadline_ms")
    )
}
