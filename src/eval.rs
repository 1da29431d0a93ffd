//! Evaluation: each case against the compiled rules.
//!
//! The semantics are those `docs/language.md` states under "Evaluation":
//! a rule's `for … where` and `when` decide whether it applies (false or
//! unknown: not applicable), its body decides pass or violation (unknown:
//! not applicable), and a rule that reads a row it cannot have (an empty or
//! broken reference it navigates) is not applicable to the case, with the
//! reason. An unreadable cell reads as missing and a dropped row is not
//! there: data errors never stop a rule by themselves, and findings of a
//! case that reads rows with data errors name them. Nothing here knows a
//! rule id, a column or an event name.

pub mod audit;
pub(crate) mod expr;
pub(crate) mod format;
mod ladder;
mod plan;
pub mod register;
mod rule;
mod touched;
pub(crate) mod value;
pub mod waive;

pub(crate) use touched::Touch;

use chrono_tz::Tz;

use self::expr::{CaseEval, Env, Memo, Slot};
use self::value::Value;
use crate::data::{BROKEN, Dataset, NO_ROW};
use crate::semantics::{ColumnRef, Expr, ExprKind, Part, Policy, Rule, TableId};
use crate::source::SourceMap;

/// A data row: its table and row number.
pub(crate) type Row = (TableId, u32);

/// A rule's result for one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The rule applied and holds.
    Pass,
    /// Something is owed now, not yet late (escalation ladders).
    Due,
    /// The rule is broken.
    Violated,
    /// The rule does not apply, or could not be evaluated.
    NotApplicable,
    /// Broken or due, and covered by an unexpired waiver.
    Waived,
}

impl Status {
    /// As written in reports.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Due => "due",
            Status::Violated => "violated",
            Status::NotApplicable => "not-applicable",
            Status::Waived => "waived",
        }
    }
}

/// One violation or one item due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Index in [`Policy::rules`].
    pub rule: usize,
    /// [`Status::Violated`] or [`Status::Due`].
    pub status: Status,
    /// The subject's table.
    pub(crate) table: TableId,
    /// The subject's row.
    pub(crate) row: u32,
    /// The subject's key (the case number).
    pub key: std::sync::Arc<str>,
    /// What is wrong, with the values.
    pub message: String,
    /// For due items: when they become late (ms since the epoch).
    pub deadline: Option<i64>,
    /// Data rows involved: the subject first.
    pub(crate) rows: std::sync::Arc<[(TableId, u32)]>,
    /// For ladders: the mark number.
    pub mark: Option<u64>,
    /// Rows with data errors this case reads (its own, its references',
    /// their related rows'), when there are any.
    pub(crate) data_errors: Option<std::sync::Arc<[Touch]>>,
    /// The waiver that covers it ([`Status::Waived`]), or that expired.
    pub waiver: Option<std::sync::Arc<waive::WaiverNote>>,
    /// The policy's `fields`, in order, for its row: `None` for a field of
    /// another table or a missing value.
    pub fields: Option<std::sync::Arc<[Option<String>]>>,
}

/// A rule's result for one case, with its findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleResult {
    /// Index in [`Policy::rules`].
    pub(crate) rule: usize,
    /// Overall status: violated if any finding is, else due if any, else pass or not applicable.
    pub(crate) status: Status,
    /// In plain words: why it passes, why it does not apply, or the first finding's message.
    pub(crate) reason: String,
    /// Violations and due items (for a ladder, its first missed marks: see
    /// [`RuleResult::more`]).
    pub(crate) findings: Vec<Finding>,
    /// A ladder with more missed marks than one result lists: where the
    /// listing goes on, and how many are left.
    pub(crate) more: Option<More>,
    /// A waiver covers every mark, those not listed yet too.
    pub(crate) more_waived: bool,
}

/// The missed marks of a ladder not listed in a [`RuleResult`]: they are
/// violations all the same (counted in every summary) and are listed by
/// [`Evaluator::more_marks`] from `next` on, a batch at a time, so a ladder
/// left open for years streams rather than sitting in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct More {
    /// The first mark not listed.
    pub(crate) next: u64,
    /// Missed marks from `next` on (all of them violations).
    pub(crate) count: u64,
    /// Counted only, never to be listed: an audit that reports counts
    /// (see [`Evaluator::counting_only`]).
    pub(crate) counted: bool,
}

/// Which missed marks of a ladder to list: from mark `from`, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) from: u64,
    pub(crate) limit: u64,
}

/// Missed marks listed per batch: a ladder with more lists the rest in
/// further batches ([`Evaluator::more_marks`]).
pub(crate) const MARK_BATCH: u64 = 1000;

/// The relation filter `x.at <= now` (or `<`) over rows ordered by `at`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cut {
    pub(crate) column: ColumnRef,
    pub(crate) inclusive: bool,
}

/// Evaluates rules for cases of a loaded dataset at an as-of time.
pub struct Evaluator<'a> {
    /// The policy.
    pub(crate) policy: &'a Policy,
    /// The data.
    pub(crate) data: &'a Dataset,
    /// As-of, milliseconds since the epoch.
    pub(crate) now: i64,
    /// The policy's zone.
    pub(crate) tz: Tz,
    /// Policy sources, to quote conditions in reasons.
    pub(crate) sources: Option<&'a SourceMap>,
    /// Say why rules pass or do not apply (`case`); audits skip it.
    pub(crate) explain: bool,
    pub(crate) cuts: Vec<Vec<Option<Cut>>>,
    lets: Vec<Vec<Option<&'a Expr>>>,
    /// Selected rules, by subject table.
    by_subject: Vec<Vec<usize>>,
    /// Rows touched by data errors.
    touched: touched::Touched,
    /// `--max-marks`: missed marks listed per case and ladder (the rest are
    /// counted, not listed).
    pub(crate) max_marks: Option<u64>,
    /// Approved exceptions.
    pub(crate) waivers: Option<&'a waive::Waivers>,
    /// `--where`: a rule a subject row must pass to be evaluated.
    filter: Option<usize>,
    /// Whether findings get their messages and the policy's `fields` as
    /// they are found (else [`Evaluator::complete`] gives them both when a
    /// report needs them).
    messages: bool,
    fields: bool,
    /// Ladders count their missed marks without listing them (a report of
    /// counts only); a ladder a waiver names is listed all the same, so
    /// that each mark's waiver moves it as in any other audit.
    pub(crate) counting: bool,
    /// The rules compiled to closures (`None`: the tree walker evaluates
    /// everything, the reference the plan is tested against).
    pub(crate) plan: Option<plan::EvalPlan<'a>>,
}

/// Recognises `where x.col <= now` (or `<`) on a relation ordered by `col`.
fn cut_of(policy: &Policy, table: usize, rel: usize) -> Option<Cut> {
    let r = policy.tables.get(table)?.relations.get(rel)?;
    let ordered = r.ordered_by?;
    let f = r.filter.as_ref()?;
    let ExprKind::Compare(op, a, b) = &f.kind else {
        return None;
    };
    let inclusive = match op {
        crate::semantics::CmpOp::Le => true,
        crate::semantics::CmpOp::Lt => false,
        _ => return None,
    };
    let ExprKind::Column { base, column } = &a.kind else {
        return None;
    };
    if !matches!(base.kind, ExprKind::Var(0))
        || !matches!(b.kind, ExprKind::Now)
        || column.column != ordered
    {
        return None;
    }
    let is_datetime = policy.column(*column).is_some_and(|c| {
        c.ty == crate::semantics::ColumnType::Scalar(crate::syntax::ast::ScalarType::DateTime)
    });
    is_datetime.then_some(Cut {
        column: *column,
        inclusive,
    })
}

impl<'a> Evaluator<'a> {
    /// An evaluator for the rules in `selected` (indices into `policy.rules`; all when empty).
    pub fn new(
        policy: &'a Policy,
        data: &'a Dataset,
        now: i64,
        selected: &[usize],
    ) -> Evaluator<'a> {
        let cuts = policy
            .tables
            .iter()
            .enumerate()
            .map(|(t, table)| {
                (0..table.relations.len())
                    .map(|r| cut_of(policy, t, r))
                    .collect()
            })
            .collect();
        let lets = policy.rules.iter().map(expr::let_slots).collect();
        let mut by_subject = vec![Vec::new(); policy.tables.len()];
        for (i, r) in policy.rules.iter().enumerate() {
            if (selected.is_empty() || selected.contains(&i))
                && let Some(list) = by_subject.get_mut(r.subject)
            {
                list.push(i);
            }
        }
        Evaluator {
            policy,
            data,
            now,
            tz: policy.timezone,
            sources: None,
            explain: false,
            cuts,
            lets,
            by_subject,
            touched: touched::Touched::new(policy, data),
            max_marks: None,
            waivers: None,
            filter: None,
            messages: true,
            fields: true,
            counting: false,
            plan: Some(plan::EvalPlan::new(policy, data)),
        }
    }

    /// Evaluates every expression with the tree walker, not the compiled
    /// plan: the reference the plan's property test compares with.
    pub fn tree_walking(mut self) -> Evaluator<'a> {
        self.plan = None;
        self
    }

    /// Findings come without messages and fields (reports that count, or
    /// list a bounded number and ask [`Evaluator::complete`] for theirs).
    pub(crate) fn without_messages(mut self) -> Evaluator<'a> {
        self.messages = false;
        self
    }

    /// Findings come without the policy's `fields` (see
    /// [`Evaluator::without_messages`]; `--group-by` needs them as found).
    pub(crate) fn without_fields(mut self) -> Evaluator<'a> {
        self.fields = false;
        self
    }

    /// Ladders' missed marks are counted, not listed, and findings are not
    /// kept: for a report of counts only (`--format summary`), whose
    /// counts are the same as any audit's.
    pub fn counting_only(mut self) -> Evaluator<'a> {
        self.counting = true;
        self
    }

    /// A finding made without its message, completed: its rule evaluated
    /// again for its row (for a ladder's missed mark, from that mark on),
    /// which gives the message and the rows it reads.
    pub(crate) fn complete(&self, f: &Finding) -> Finding {
        let window = match (f.mark, f.status) {
            (Some(m), Status::Violated | Status::Waived) if f.deadline.is_none() => {
                Some(Window { from: m, limit: 1 })
            }
            _ => None,
        };
        let mut ce = self.case_eval(f.table, f.row, window);
        ce.messages = true;
        let again = self.rule(&mut ce, f.rule, f.table, f.row);
        let mut done = f.clone();
        if let Some(g) = again
            .findings
            .into_iter()
            .find(|g| g.mark == f.mark && g.deadline == f.deadline)
        {
            done.message = g.message;
            done.rows = g.rows;
        }
        if done.fields.is_none() && !self.policy.fields.is_empty() {
            done.fields = Some(self.fields_of(&mut ce, f.table, f.row));
        }
        done
    }

    /// Evaluates only the subject rows for which rule `filter` passes.
    pub(crate) fn with_filter(mut self, filter: Option<usize>) -> Evaluator<'a> {
        self.filter = filter;
        self
    }

    /// Whether a subject row passes the `--where` rule (always, without one).
    pub(crate) fn passes_filter(&self, table: TableId, row: u32) -> bool {
        let Some(f) = self.filter else { return true };
        if self.policy.rules.get(f).is_none_or(|r| r.subject != table) {
            return true;
        }
        let mut ce = self.case_eval(table, row, None);
        self.rule(&mut ce, f, table, row).status == Status::Pass
    }

    /// Findings these waivers cover are `waived`.
    pub(crate) fn with_waivers(mut self, waivers: Option<&'a waive::Waivers>) -> Evaluator<'a> {
        self.waivers = waivers;
        self
    }

    /// Quotes conditions from `sources` in reasons.
    pub(crate) fn with_sources(mut self, sources: &'a SourceMap) -> Evaluator<'a> {
        self.sources = Some(sources);
        self
    }

    /// Lists at most `n` missed marks per case and ladder; the rest are
    /// counted (in [`RuleResult::more`]) but not listed.
    pub(crate) fn with_max_marks(mut self, n: Option<u64>) -> Evaluator<'a> {
        self.max_marks = n;
        self
    }

    /// Gives every result a reason in plain words, passes and not-applicable too.
    pub(crate) fn explaining(mut self) -> Evaluator<'a> {
        self.explain = true;
        self
    }

    /// Tables that some selected rule is about, with their rules.
    pub(crate) fn subjects(&self) -> impl Iterator<Item = (TableId, &[usize])> {
        self.by_subject
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
            .map(|(t, r)| (t, r.as_slice()))
    }

    /// The key of a row, or `line N` for tables without one.
    pub(crate) fn key_of(&self, table: TableId, row: u32) -> String {
        match self.data.table(table) {
            Some(t) => t
                .key_of(row as usize)
                .map_or_else(|| format!("line {}", t.line(row as usize)), str::to_string),
            None => String::new(),
        }
    }

    /// What findings of a row sort by first: its key, or its line for
    /// tables without one (as [`Evaluator::key_of`] shows it).
    pub(crate) fn sort_key(&self, table: TableId, row: u32) -> std::borrow::Cow<'_, str> {
        match self.data.table(table).and_then(|t| t.key_of(row as usize)) {
            Some(k) => std::borrow::Cow::Borrowed(k),
            None => std::borrow::Cow::Owned(self.key_of(table, row)),
        }
    }

    /// Evaluates every selected rule about `table` for one row.
    pub(crate) fn evaluate(&self, table: TableId, row: u32) -> Vec<RuleResult> {
        self.evaluate_reusing(&mut expr::Spare::default(), table, row)
    }

    /// [`Evaluator::evaluate`], taking the memo tables and slot buffers
    /// from `spare` and leaving them there, emptied, for the next row.
    pub(crate) fn evaluate_reusing(
        &self,
        spare: &mut expr::Spare<'a>,
        table: TableId,
        row: u32,
    ) -> Vec<RuleResult> {
        let mut ce = self.case_eval(table, row, None);
        spare.lend(&mut ce);
        let rules = self.by_subject.get(table).map_or(&[][..], Vec::as_slice);
        let mut results: Vec<RuleResult> = rules
            .iter()
            .map(|&i| self.rule(&mut ce, i, table, row))
            .collect();
        self.with_fields(&mut ce, table, row, &mut results);
        spare.take_back(ce);
        results
    }

    /// Every selected rule for one row, as [`Evaluator::evaluate`], with each
    /// ladder's missed marks all listed (`docket case`: one row, so they
    /// are held).
    pub(crate) fn evaluate_listed(&self, table: TableId, row: u32) -> Vec<RuleResult> {
        let mut results = self.evaluate(table, row);
        for r in &mut results {
            while let Some(m) = r.more.take() {
                let next = self.more_marks(table, row, r.rule, m.next, MARK_BATCH);
                // The further violations go after those listed, before the due items.
                let at = r
                    .findings
                    .iter()
                    .position(|f| f.status != Status::Violated)
                    .unwrap_or(r.findings.len());
                r.findings.splice(at..at, next.findings);
                r.more = next.more;
            }
        }
        results
    }

    fn case_eval<'e>(
        &'e self,
        table: TableId,
        row: u32,
        window: Option<Window>,
    ) -> CaseEval<'e, 'a> {
        CaseEval {
            ev: self,
            memo: Memo::default(),
            spare_slots: Vec::new(),
            depth: 0,
            data_errors: self.touched.of(self.policy, self.data, table, row),
            window,
            messages: self.messages || self.explain,
            spare_define_slots: Vec::new(),
            key: None,
        }
    }

    /// The missed marks of ladder rule `rule` for one row from mark `from`
    /// on, at most `limit` of them (violations only; due items come with
    /// the first result), and whether more follow.
    pub(crate) fn more_marks(
        &self,
        table: TableId,
        row: u32,
        rule: usize,
        from: u64,
        limit: u64,
    ) -> RuleResult {
        let mut ce = self.case_eval(table, row, Some(Window { from, limit }));
        let mut result = [self.rule(&mut ce, rule, table, row)];
        self.with_fields(&mut ce, table, row, &mut result);
        let [result] = result;
        result
    }

    fn snippet(&self, e: &Expr) -> String {
        self.sources
            .and_then(|s| s.get(e.span.file).map(|f| f.slice(e.span).to_string()))
            .filter(|s| !s.is_empty())
            .map_or_else(
                || "its condition".to_string(),
                |s| format!("`{}`", collapse(&s)),
            )
    }

    fn na(&self, i: usize, reason: impl FnOnce() -> String) -> RuleResult {
        RuleResult {
            rule: i,
            status: Status::NotApplicable,
            reason: if self.explain {
                reason()
            } else {
                String::new()
            },
            findings: Vec::new(),
            more: None,
            more_waived: false,
        }
    }

    fn place(&self, table: TableId, row: u32) -> (String, u64) {
        match self.data.table(table) {
            Some(t) => (t.file.to_string(), t.line(row as usize)),
            None => (String::new(), 0),
        }
    }

    /// Whether every reference the rule needs leads to a row (what
    /// [`Evaluator::needs`] checks, without building anything).
    fn needs_met(&self, rule: &Rule, row: u32) -> bool {
        rule.needs.iter().all(|need| {
            let mut cur = row;
            need.path
                .iter()
                .all(|step| match expr::follow(self.data, *step, cur) {
                    Ok(next) => {
                        cur = next;
                        true
                    }
                    Err(_) => false,
                })
        })
    }

    /// Follows the rule's needed references; `Err` says which is missing.
    fn needs(&self, rule: &Rule, table: TableId, row: u32) -> Result<Vec<(TableId, u32)>, String> {
        let mut rows = Vec::new();
        for need in &rule.needs {
            let mut cur = row;
            let mut cur_table = table;
            for step in &need.path {
                let header = self.policy.column(*step).map_or("?", |c| c.header.as_str());
                match expr::follow(self.data, *step, cur) {
                    Ok(next) => {
                        cur = next;
                        cur_table = match self.policy.column(*step).map(|c| c.ty) {
                            Some(crate::semantics::ColumnType::Ref(t)) => t,
                            _ => cur_table,
                        };
                    }
                    Err(NO_ROW) => {
                        return Err(format!("it reads {} and \"{header}\" is empty", need.text));
                    }
                    Err(BROKEN) => {
                        let (file, line) = self.place(step.table, cur);
                        let text = match self.data.cell(*step, cur as usize) {
                            crate::data::Cell::BrokenRef(t) => t.to_string(),
                            _ => String::new(),
                        };
                        let target_file = match self.policy.column(*step).map(|c| c.ty) {
                            Some(crate::semantics::ColumnType::Ref(t)) => self
                                .data
                                .table(t)
                                .map_or(String::new(), |t| t.file.to_string()),
                            _ => String::new(),
                        };
                        return Err(format!(
                            "not evaluated: it reads {}, but \"{header}\" `{text}` on line {line} of {file} is not in {target_file}",
                            need.text
                        ));
                    }
                    Err(_) => {
                        let (file, line) = self.place(step.table, cur);
                        return Err(format!(
                            "not evaluated: \"{header}\" on line {line} of {file} could not be read"
                        ));
                    }
                }
            }
            rows.push((cur_table, cur));
        }
        Ok(rows)
    }

    fn rule(&self, ce: &mut CaseEval<'_, 'a>, i: usize, table: TableId, row: u32) -> RuleResult {
        let Some(rule) = self.policy.rules.get(i) else {
            return self.na(i, String::new);
        };
        let plan = self.plan.as_ref().and_then(|p| p.rules.get(i));
        // Not for this row, seen from its codes: no slots set up.
        if let (Some(test), Some(applies)) =
            (plan.and_then(|p| p.applies_row.as_ref()), &rule.applies)
            && test(row) == Some(false)
        {
            return self.na(i, || rule::not_for(&self.snippet(applies)));
        }
        let lets = self.lets.get(i).map_or(&[][..], Vec::as_slice);
        // The slots of the case's previous rule, emptied: no allocation
        // per rule and row.
        let mut slots = std::mem::take(&mut ce.spare_slots);
        slots.clear();
        slots.resize(rule.slots.max(1), Slot::Unset);
        let compiled = plan.map_or(&[][..], |p| p.lets.as_slice());
        let mut env = Env {
            slots,
            lets,
            compiled,
        };
        env.set(0, Value::Row(table, row));
        let run = rule::RuleRun {
            ev: self,
            rule,
            index: i,
            table,
            row,
        };
        let mut result = run.evaluate(ce, &mut env);
        ce.spare_slots = std::mem::take(&mut env.slots);
        if let Some(w) = self.waivers {
            w.apply(&mut result, &self.sort_key(table, row));
        }
        result
    }

    /// Gives every finding of `results` the row's `fields`, computed once.
    fn with_fields(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        table: TableId,
        row: u32,
        results: &mut [RuleResult],
    ) {
        if !self.fields
            || self.policy.fields.is_empty()
            || results.iter().all(|r| r.findings.is_empty())
        {
            return;
        }
        let values = self.fields_of(ce, table, row);
        for f in results.iter_mut().flat_map(|r| &mut r.findings) {
            f.fields = Some(values.clone());
        }
    }

    /// The policy's `fields` for one row (`None` for another table's field,
    /// or a missing value).
    fn fields_of(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        table: TableId,
        row: u32,
    ) -> std::sync::Arc<[Option<String>]> {
        self.policy
            .fields
            .iter()
            .map(|f| self.iso(&self.field_value(ce, f, table, row)))
            .collect()
    }

    /// A field's value for one row: missing for another table's field.
    fn field_value(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        f: &'a crate::semantics::Field,
        table: TableId,
        row: u32,
    ) -> Value<'a> {
        if f.table != table {
            return Value::Missing;
        }
        let mut env = Env {
            slots: vec![Slot::Unset; f.slots.max(1)],
            lets: &[],
            compiled: &[],
        };
        env.set(0, Value::Row(table, row));
        ce.eval(&f.expr, &mut env)
    }

    /// A value for tools and months: dates and instants as ISO 8601.
    fn iso(&self, v: &Value) -> Option<String> {
        match v {
            _ if v.is_missing() => None,
            Value::Date(d) => crate::data::days_to_date(*d).map(|d| d.to_string()),
            Value::DateTime(ms) => Some(crate::time::Instant(*ms).rfc3339(self.tz)),
            _ => Some(format::show(v, self)),
        }
    }

    /// The policy's `fields` of one row of `table` (the header of
    /// `docket case`): each name with its value as people read it and as
    /// tools do, `None` when missing. Fields of other tables are left out.
    pub(crate) fn row_fields(&self, table: TableId, row: u32) -> Vec<FieldValue> {
        let mut ce = self.case_eval(table, row, None);
        self.policy
            .fields
            .iter()
            .filter(|f| f.table == table)
            .map(|f| {
                let v = self.field_value(&mut ce, f, table, row);
                FieldValue {
                    name: f.name.clone(),
                    shown: (!v.is_missing()).then(|| format::show(&v, self)),
                    iso: self.iso(&v),
                }
            })
            .collect()
    }

    fn pass(&self, i: usize, reason: impl FnOnce() -> String) -> RuleResult {
        RuleResult {
            rule: i,
            status: Status::Pass,
            reason: if self.explain {
                reason()
            } else {
                String::new()
            },
            findings: Vec::new(),
            more: None,
            more_waived: false,
        }
    }

    /// The subject, the rows its needs lead to, and rows bound to `let`s.
    pub(crate) fn rows_involved(
        &self,
        mut rows: Vec<(TableId, u32)>,
        env: &Env<'a, '_>,
    ) -> Vec<(TableId, u32)> {
        for s in &env.slots {
            if let Slot::Set(Value::Row(t, r)) = s
                && !rows.contains(&(*t, *r))
            {
                rows.push((*t, *r));
            }
        }
        rows
    }

    /// The first failure message whose condition holds, filled in; the
    /// rule's title when none does.
    pub(crate) fn message(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        rule: &'a Rule,
        env: &mut Env<'a, '_>,
    ) -> String {
        if !ce.messages {
            return String::new();
        }
        self.first_message(ce, rule, env, false)
            .unwrap_or_else(|| rule.title.clone())
    }

    /// Why the rule holds: its first `if pass` message whose condition
    /// holds, filled in.
    pub(crate) fn pass_message(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        rule: &'a Rule,
        env: &mut Env<'a, '_>,
    ) -> Option<String> {
        self.first_message(ce, rule, env, true)
    }

    fn first_message(
        &self,
        ce: &mut CaseEval<'_, 'a>,
        rule: &'a Rule,
        env: &mut Env<'a, '_>,
        on_pass: bool,
    ) -> Option<String> {
        for m in rule.messages.iter().filter(|m| m.on_pass == on_pass) {
            if let Some(c) = &m.condition
                && ce.eval(c, env).truth() != Some(true)
            {
                continue;
            }
            let mut out = String::new();
            for p in &m.parts {
                match p {
                    Part::Text(t) => out.push_str(t),
                    Part::Value(e) => format::show_into(&ce.eval(e, env), self, &mut out),
                }
            }
            return Some(out);
        }
        None
    }
}

/// Completes findings an audit left without their message, fields and rows
/// (an evaluator does, by evaluating the finding's rule again).
pub(crate) trait Complete {
    /// The finding with its message, fields and rows.
    fn complete(&self, f: &Finding) -> Finding;
}

impl Complete for Evaluator<'_> {
    fn complete(&self, f: &Finding) -> Finding {
        Evaluator::complete(self, f)
    }
}

/// One of the policy's `fields` for one row.
pub(crate) struct FieldValue {
    /// Its name (`owner`, `requester`).
    pub(crate) name: String,
    /// As people read it (dates and instants long), `None` when missing.
    pub(crate) shown: Option<String>,
    /// As tools read it (ISO 8601 dates and instants), `None` when missing.
    pub(crate) iso: Option<String>,
}

/// Why a rule without a pass message holds, in words: from its title, never
/// its expression.
pub(crate) fn plain_pass(rule: &Rule) -> String {
    format!("this case follows the rule \"{}\"", rule.title)
}

/// Collapses whitespace (multi-line conditions quoted on one line).
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The key of each finding's rule, for sorting: key, rule id, deadline, mark.
pub(crate) fn sort_findings(policy: &Policy, findings: &mut [Finding]) {
    // Each rule's place in id order, compared instead of the ids.
    let mut by_id: Vec<usize> = (0..policy.rules.len()).collect();
    by_id.sort_by(|a, b| {
        let id = |i: &usize| policy.rules.get(*i).map(|r| r.id.as_str());
        id(a).cmp(&id(b))
    });
    // Ranks from 1: an unknown rule sorts first, as an empty id would;
    // equal ids (never in a checked policy) share a rank.
    let mut rank = vec![0usize; policy.rules.len()];
    let mut last: Option<(&str, usize)> = None;
    for (place, &i) in by_id.iter().enumerate() {
        let id = policy.rules.get(i).map_or("", |r| r.id.as_str());
        let r = match last {
            Some((prev, r)) if prev == id => r,
            _ => place + 1,
        };
        last = Some((id, r));
        if let Some(x) = rank.get_mut(i) {
            *x = r;
        }
    }
    let rank_of = |i: usize| rank.get(i).copied().unwrap_or(0);
    findings.sort_by(|a, b| {
        // One case's findings share its key.
        let key = if std::sync::Arc::ptr_eq(&a.key, &b.key) {
            std::cmp::Ordering::Equal
        } else {
            a.key.cmp(&b.key)
        };
        key.then_with(|| rank_of(a.rule).cmp(&rank_of(b.rule)))
            .then_with(|| a.deadline.cmp(&b.deadline))
            .then_with(|| a.mark.cmp(&b.mark))
            .then_with(|| a.message.cmp(&b.message))
    });
}
