//! One rule evaluated for one row: whether it applies (`for … where`, the
//! rows it needs, `when`), then its kind's body — a requirement, a list
//! membership, a notice period or an escalation ladder.

use super::expr::{self, CaseEval, Env};
use super::plan::Node;
use super::value::{self, Txt, Value};
use super::{Evaluator, Finding, Row, RuleResult, Status, format, ladder};
use crate::semantics::{ArithOp, Arm, CmpOp, Decision, Expr, Notice, Rule, RuleBody, TableId};

/// A rule being evaluated for one row: what its results and findings share.
pub(super) struct RuleRun<'r, 'a> {
    pub(super) ev: &'r Evaluator<'a>,
    pub(super) rule: &'a Rule,
    /// Index in `Policy::rules`.
    pub(super) index: usize,
    pub(super) table: TableId,
    pub(super) row: u32,
}

/// Why a rule does not apply to a row its `for … where` condition (quoted:
/// `applies`) is false for.
pub(super) fn not_for(applies: &str) -> String {
    format!("the rule is for rows where {applies}")
}

/// `e` evaluated by its compiled node when the plan has one, else by the
/// tree walker.
fn run<'a>(
    ce: &mut CaseEval<'_, 'a>,
    env: &mut Env<'a, '_>,
    e: &'a Expr,
    node: Option<&Node<'a>>,
) -> Value<'a> {
    match node {
        Some(n) => n(ce, env),
        None => ce.eval(e, env),
    }
}

impl<'a> RuleRun<'_, 'a> {
    /// Evaluates the rule; `env` has the row in slot 0.
    pub(super) fn evaluate(&self, ce: &mut CaseEval<'_, 'a>, env: &mut Env<'a, '_>) -> RuleResult {
        let plan = self.ev.plan.as_ref().and_then(|p| p.rules.get(self.index));
        if let Some(a) = &self.rule.applies
            && let Err(r) = self.holds(ce, env, (a, plan.and_then(|p| p.applies.as_ref())), |s| {
                not_for(&s)
            })
        {
            return r;
        }
        // Checked without building the rows: they are needed by findings only.
        if !self.ev.needs_met(self.rule, self.row) {
            return self.na(|| {
                self.ev
                    .needs(self.rule, self.table, self.row)
                    .err()
                    .unwrap_or_default()
            });
        }
        if let Some(g) = &self.rule.guard
            && let Err(r) = self.holds(ce, env, (g, plan.and_then(|p| p.guard.as_ref())), |s| {
                format!("{s} is false")
            })
        {
            return r;
        }
        match &self.rule.body {
            RuleBody::Require(e) => {
                self.require(ce, env, (e, plan.and_then(|p| p.require.as_ref())))
            }
            RuleBody::Allowlist {
                value,
                list,
                ignore_case,
            } => self.allowlist(ce, env, (value, list, *ignore_case)),
            RuleBody::Notice(n) => self.notice(ce, env, n),
            RuleBody::Escalation(l) => ladder::evaluate(self, ce, l, env),
        }
    }

    /// `Ok` when the condition `e` holds; else the not-applicable result,
    /// saying why (`when_false` quotes the condition).
    fn holds(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        env: &mut Env<'a, '_>,
        (e, node): (&'a Expr, Option<&Node<'a>>),
        when_false: impl FnOnce(String) -> String,
    ) -> Result<(), RuleResult> {
        match run(ce, env, e, node).truth() {
            Some(true) => Ok(()),
            Some(false) => Err(self.na(|| when_false(self.ev.snippet(e)))),
            None => Err(self.unknown(e)),
        }
    }

    /// Not applicable: condition `e` is unknown (it needs a missing value).
    fn unknown(&self, e: &'a Expr) -> RuleResult {
        self.na(|| format!("{} needs a value that is missing", self.ev.snippet(e)))
    }

    fn require(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        env: &mut Env<'a, '_>,
        (e, node): (&'a Expr, Option<&Node<'a>>),
    ) -> RuleResult {
        match run(ce, env, e, node).truth() {
            Some(true) => self.pass(ce, env, || super::plain_pass(self.rule)),
            Some(false) => self.violated(ce, env),
            None => self.unknown(e),
        }
    }

    /// `expect value in list [ignoring case]`: a missing value or list violates it.
    fn allowlist(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        env: &mut Env<'a, '_>,
        (value, list, ignore_case): (&'a Expr, &'a Expr, bool),
    ) -> RuleResult {
        let v = ce.eval(value, env);
        let l = ce.eval(list, env);
        let member = match (&v, &l) {
            (Value::Missing, _) => false,
            (_, Value::List(items)) => items.iter().any(|x| value::equal(&v, x, ignore_case)),
            _ => false,
        };
        if member {
            self.pass(ce, env, || {
                format!("{} is on the list", format::show(&v, self.ev))
            })
        } else {
            self.violated(ce, env)
        }
    }

    /// A notice period: the first matching arm decides what is required.
    fn notice(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        env: &mut Env<'a, '_>,
        n: &'a Notice,
    ) -> RuleResult {
        let from = ce.eval(&n.from, env);
        let to = ce.eval(&n.to, env);
        if from.is_missing() || to.is_missing() {
            return self.na(|| {
                let (f, t) = (self.ev.snippet(&n.from), self.ev.snippet(&n.to));
                format!("it needs both {f} and {t}")
            });
        }
        let arm = match self.arm(ce, env, n) {
            Ok(arm) => arm,
            Err(r) => return r,
        };
        let earliest = match (arm.decision, &from) {
            (Decision::Exempt, _) => {
                self.set(env, "arm", Value::Text(Txt::Borrowed(arm.label.as_str())));
                return self.pass(ce, env, || format!("exempt: {}", arm.label));
            }
            (Decision::Days(d), Value::Date(f)) => {
                expr::arith(ArithOp::Add, &Value::Date(*f), &Value::Days(d))
            }
            (Decision::Elapsed(ms), Value::DateTime(f)) => {
                expr::arith(ArithOp::Add, &Value::DateTime(*f), &Value::Duration(ms))
            }
            _ => Value::Missing,
        };
        let required = match arm.decision {
            Decision::Days(d) => Value::Days(d),
            Decision::Elapsed(ms) => Value::Duration(ms),
            Decision::Exempt => Value::Missing,
        };
        let short = expr::compare(CmpOp::Lt, &to, &earliest);
        for (name, v) in [
            ("arm", Value::Text(Txt::Borrowed(arm.label.as_str()))),
            ("required", required.clone()),
            ("earliest", earliest.clone()),
            ("shortfall", expr::arith(ArithOp::Sub, &earliest, &to)),
        ] {
            self.set(env, name, v);
        }
        if short.truth() == Some(true) {
            return self.violated(ce, env);
        }
        self.pass(ce, env, || {
            let given = format::show(&expr::arith(ArithOp::Sub, &to, &from), self.ev);
            format!(
                "{given} of notice given; the {} requires {} (earliest compliant date {})",
                arm.label,
                format::show(&required, self.ev),
                format::show(&earliest, self.ev)
            )
        })
    }

    /// The first arm whose condition holds; an arm that needs a missing
    /// value, or no arm at all, makes the rule not apply.
    fn arm(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        env: &mut Env<'a, '_>,
        n: &'a Notice,
    ) -> Result<&'a Arm, RuleResult> {
        for arm in &n.arms {
            let matches = match &arm.condition {
                None => Some(true),
                Some(c) => ce.eval(c, env).truth(),
            };
            match matches {
                Some(true) => return Ok(arm),
                Some(false) => {}
                None => {
                    let what = arm
                        .condition
                        .as_ref()
                        .map_or_else(String::new, |c| self.ev.snippet(c));
                    return Err(self.na(|| {
                        format!(
                            "arm \"{}\" ({what}) needs a value that is missing",
                            arm.label
                        )
                    }));
                }
            }
        }
        Err(self.na(|| "no arm matches".to_string()))
    }

    /// Sets one of the rule kind's message values (`{arm}`, `{mark}`, …).
    pub(super) fn set(&self, env: &mut Env<'a, '_>, name: &str, v: Value<'a>) {
        if let Some(s) = self.rule.kind_slot(name) {
            env.set(s, v);
        }
    }

    /// A finding of this rule for this row.
    pub(super) fn finding(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        status: Status,
        message: String,
        deadline: Option<i64>,
        rows: std::sync::Arc<[Row]>,
        mark: Option<u64>,
    ) -> Finding {
        Finding {
            rule: self.index,
            status,
            table: self.table,
            row: self.row,
            key: ce.key(self.table, self.row),
            message,
            deadline,
            rows,
            mark,
            data_errors: ce.data_errors.clone(),
            waiver: None,
            fields: None,
        }
    }

    /// The row and the rows its needs lead to: where a finding points.
    pub(super) fn base_rows(&self) -> Vec<Row> {
        let mut rows = vec![(self.table, self.row)];
        if let Ok(r) = self.ev.needs(self.rule, self.table, self.row) {
            rows.extend(r);
        }
        rows
    }

    /// The rule is broken: one finding, with its message and rows.
    fn violated(&self, ce: &mut CaseEval<'_, 'a>, env: &mut Env<'a, '_>) -> RuleResult {
        let message = self.ev.message(ce, self.rule, env);
        let rows = self.ev.rows_involved(self.base_rows(), env);
        let f = self.finding(ce, Status::Violated, message, None, rows.into(), None);
        RuleResult {
            rule: self.index,
            status: f.status,
            reason: if self.ev.explain {
                f.message.clone()
            } else {
                String::new()
            },
            findings: vec![f],
            more: None,
            more_waived: false,
        }
    }

    /// The rule does not apply, and (when explaining) why.
    pub(super) fn na(&self, reason: impl FnOnce() -> String) -> RuleResult {
        self.ev.na(self.index, reason)
    }

    /// The rule holds, and (when explaining) why: its pass message, or
    /// `default`.
    pub(super) fn pass(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        env: &mut Env<'a, '_>,
        default: impl FnOnce() -> String,
    ) -> RuleResult {
        if !self.ev.explain {
            return self.ev.pass(self.index, String::new);
        }
        let text = self
            .ev
            .pass_message(ce, self.rule, env)
            .unwrap_or_else(default);
        self.ev.pass(self.index, || text)
    }
}
