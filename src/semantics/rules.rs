//! Derived fields and rules.

use super::expr::Scope;
use super::*;
use crate::diagnostic::Code;
use crate::syntax::ast::{ArmResult, ClauseKind, DurationUnit, RuleKind, TemplatePart};

/// The variables each rule kind gives its messages (and, for `start`, its stops).
fn kind_vars(kind: RuleKind, dates: bool) -> Vec<(&'static str, Type)> {
    match kind {
        RuleKind::Notice => {
            let (span, point) = if dates {
                (Type::Days, Type::Date)
            } else {
                (Type::Duration, Type::DateTime)
            };
            vec![
                ("arm", Type::Text),
                ("required", span.clone()),
                ("earliest", point),
                ("shortfall", span),
            ]
        }
        RuleKind::Escalation => vec![
            ("start", Type::DateTime),
            ("stop", Type::DateTime),
            ("mark", Type::Int),
            ("offset", Type::Duration),
            ("action", Type::Text),
            ("window_start", Type::DateTime),
            ("window_end", Type::DateTime),
            ("deadline", Type::DateTime),
            ("due", Type::Bool),
        ],
        RuleKind::Require | RuleKind::Allowlist => Vec::new(),
    }
}

fn allowed(kind: RuleKind, clause: &ClauseKind) -> bool {
    match clause {
        ClauseKind::Severity(_)
        | ClauseKind::For { .. }
        | ClauseKind::Source { .. }
        | ClauseKind::Let { .. }
        | ClauseKind::When(_)
        | ClauseKind::Message { .. } => true,
        ClauseKind::Require(_) => kind == RuleKind::Require,
        ClauseKind::Expect(_) => kind == RuleKind::Allowlist,
        ClauseKind::From(_) | ClauseKind::To(_) | ClauseKind::Arm { .. } => {
            kind == RuleKind::Notice
        }
        ClauseKind::Start(_)
        | ClauseKind::Stop(_)
        | ClauseKind::Every(_)
        | ClauseKind::Mark { .. } => kind == RuleKind::Escalation,
    }
}

fn kind_phrase(kind: RuleKind) -> &'static str {
    match kind {
        RuleKind::Require => "a `rule`",
        RuleKind::Notice => "a `notice`",
        RuleKind::Allowlist => "an `allowlist`",
        RuleKind::Escalation => "an `escalation`",
    }
}

fn owner_of(clause: &ClauseKind) -> &'static str {
    match clause {
        ClauseKind::Require(_) => "`rule`",
        ClauseKind::Expect(_) => "`allowlist`",
        ClauseKind::From(_) | ClauseKind::To(_) | ClauseKind::Arm { .. } => "`notice`",
        _ => "`escalation`",
    }
}

/// Clauses of one rule, sorted by kind.
#[derive(Default)]
struct Parts<'r> {
    severity: Option<(&'r ast::SeverityLit, Span)>,
    subject: Option<(&'r ast::Ident, Option<&'r ast::Expr>)>,
    sources: Vec<Source>,
    lets: Vec<(&'r ast::Ident, &'r ast::Expr)>,
    when: Option<&'r ast::Expr>,
    require: Option<&'r ast::Expr>,
    expect: Option<(&'r ast::Expr, Span)>,
    from: Option<&'r ast::Expr>,
    to: Option<&'r ast::Expr>,
    arms: Vec<(
        &'r ast::Clause,
        &'r ast::StrLit,
        Option<&'r ast::Expr>,
        &'r ArmResult,
    )>,
    start: Option<&'r ast::Expr>,
    stops: Vec<&'r ast::Expr>,
    every: Option<&'r ast::DurationLit>,
    marks: Vec<&'r ast::Clause>,
    messages: Vec<(&'r ast::Template, Option<&'r ast::Expr>)>,
}

impl<'a> Checker<'a> {
    pub(super) fn collect_defines(&mut self) {
        let decls: Vec<&'a ast::DefineDecl> = self
            .items()
            .filter_map(|i| match i {
                ast::Item::Define(d) => Some(d),
                _ => None,
            })
            .collect();
        for d in decls {
            let Some(t) = self.resolve_table(&d.table) else {
                continue;
            };
            let clash = self
                .table_decls
                .get(t)
                .and_then(|td| td.members.iter().find(|m| m.name.name == d.name.name))
                .map(|m| m.name.span);
            if let Some(first) = clash {
                self.error(
                    Diagnostic::error(
                        Code::NamesDuplicateMember,
                        format!(
                            "`{}.{}` is already a column or relation",
                            d.table.name, d.name.name
                        ),
                    )
                    .with_label(d.name.span, "defined again here")
                    .with_label(first, "declared here"),
                );
                continue;
            }
            let key = (t, d.name.name.clone());
            if let Some(&prev) = self.define_index.get(&key) {
                let first = self
                    .define_decls
                    .get(prev)
                    .map_or(d.name.span, |p| p.name.span);
                self.error(
                    Diagnostic::error(
                        Code::NamesDuplicateDefine,
                        format!("`{}.{}` is defined twice", d.table.name, d.name.name),
                    )
                    .with_label(d.name.span, "defined again here")
                    .with_label(first, "first defined here"),
                );
                continue;
            }
            self.define_index.insert(key, self.define_decls.len());
            self.define_decls.push(d);
            self.define_state.push(DefineState::Unchecked);
            self.defines.push(None);
        }
    }

    pub(super) fn check_defines(&mut self) {
        for i in 0..self.define_decls.len() {
            self.define_type(i);
        }
    }

    /// The type of a derived field, checking its body on first use.
    pub(super) fn define_type(&mut self, i: usize) -> Type {
        match self.define_state.get(i) {
            Some(DefineState::Done(t)) => return t.clone(),
            Some(DefineState::Checking) => {
                if let Some(d) = self.define_decls.get(i) {
                    self.error(
                        Diagnostic::error(
                            Code::NamesCyclicDefine,
                            format!(
                                "`{}.{}` is defined in terms of itself",
                                d.table.name, d.name.name
                            ),
                        )
                        .with_label(d.name.span, "this definition")
                        .with_help(
                            "a definition cannot use itself, directly or through other definitions",
                        ),
                    );
                }
                if let Some(s) = self.define_state.get_mut(i) {
                    *s = DefineState::Done(Type::Error);
                }
                return Type::Error;
            }
            Some(DefineState::Unchecked) => {}
            None => return Type::Error,
        }
        let Some(d) = self.define_decls.get(i).copied() else {
            return Type::Error;
        };
        if self.define_depth >= crate::syntax::parser::MAX_DEPTH {
            self.error(
                Diagnostic::error(
                    Code::NamesDeepDefine,
                    format!(
                        "`{}.{}` is defined through more than {} other definitions",
                        d.table.name,
                        d.name.name,
                        crate::syntax::parser::MAX_DEPTH
                    ),
                )
                .with_label(d.name.span, "too deep")
                .with_help("define it directly in terms of columns, or shorten the chain"),
            );
            if let Some(s) = self.define_state.get_mut(i) {
                *s = DefineState::Done(Type::Error);
            }
            return Type::Error;
        }
        let Some(t) = self.table_names.iter().position(|n| *n == d.table.name) else {
            return Type::Error;
        };
        if let Some(s) = self.define_state.get_mut(i) {
            *s = DefineState::Checking;
        }
        let mut scope = Scope::new();
        scope.push(&d.table.name, Type::Row(t));
        self.define_depth += 1;
        let body = self.expr(&d.body, &mut scope);
        self.define_depth -= 1;
        let ty = match self.define_state.get(i) {
            Some(DefineState::Done(Type::Error)) => Type::Error,
            _ => body.ty.clone(),
        };
        let needs = needs::define_needs(&body);
        if let Some(s) = self.define_state.get_mut(i) {
            *s = DefineState::Done(ty.clone());
        }
        if let Some(slot) = self.defines.get_mut(i) {
            *slot = Some(Define {
                table: t,
                body,
                slots: scope.slots(),
                needs,
            });
        }
        ty
    }

    pub(super) fn check_rules(&mut self) -> Vec<Rule> {
        let decls: Vec<&'a ast::RuleDecl> = self
            .items()
            .filter_map(|i| match i {
                ast::Item::Rule(r) => Some(r),
                _ => None,
            })
            .collect();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut out = Vec::new();
        for r in decls {
            if let Some(first) = seen.get(r.id.name.as_str()) {
                self.error(
                    Diagnostic::error(Code::NamesDuplicateRule, format!("rule id `{}` is used twice", r.id.name))
                        .with_label(r.id.span, "used again here")
                        .with_label(*first, "first used here")
                        .with_help("rule ids are how findings, tests and users refer to a rule; give each rule its own"),
                );
                continue;
            }
            seen.insert(&r.id.name, r.id.span);
            if let Some(rule) = self.rule(r) {
                out.push(rule);
            }
        }
        out
    }

    fn duplicate_clause(&mut self, c: &ast::Clause, first: Span) {
        self.error(
            Diagnostic::error(
                Code::RuleDuplicateClause,
                format!("a rule has one `{}` clause", c.kind.keyword()),
            )
            .with_label(c.span, "second clause")
            .with_label(first, "first clause")
            .with_help("keep one and delete the other"),
        );
    }

    fn sort_clauses<'r>(&mut self, r: &'r ast::RuleDecl) -> Parts<'r> {
        let mut p = Parts::default();
        let mut firsts: HashMap<&'static str, Span> = HashMap::new();
        for c in &r.clauses {
            if !allowed(r.kind, &c.kind) {
                self.error(
                    Diagnostic::error(
                        Code::RuleMisplacedClause,
                        format!(
                            "`{}` does not belong in {}",
                            c.kind.keyword(),
                            kind_phrase(r.kind)
                        ),
                    )
                    .with_label(c.span, "not allowed here")
                    .with_label(
                        r.kind_span,
                        format!("this is a `{}` rule", r.kind.keyword()),
                    )
                    .with_help(format!(
                        "`{}` clauses belong to {} rules",
                        c.kind.keyword(),
                        owner_of(&c.kind)
                    )),
                );
                continue;
            }
            let single = !matches!(
                c.kind,
                ClauseKind::Source { .. }
                    | ClauseKind::Let { .. }
                    | ClauseKind::Arm { .. }
                    | ClauseKind::Stop(_)
                    | ClauseKind::Mark { .. }
                    | ClauseKind::Message { .. }
            );
            if single {
                if let Some(first) = firsts.get(c.kind.keyword()) {
                    self.duplicate_clause(c, *first);
                    continue;
                }
                firsts.insert(c.kind.keyword(), c.span);
            }
            match &c.kind {
                ClauseKind::Severity(s) => p.severity = Some((s, c.span)),
                ClauseKind::For { table, filter } => p.subject = Some((table, filter.as_ref())),
                ClauseKind::Source { document, section } => p.sources.push(Source {
                    document: document.value.clone(),
                    section: section.as_ref().map(|s| s.value.clone()),
                }),
                ClauseKind::Let { name, value } => p.lets.push((name, value)),
                ClauseKind::When(e) => p.when = Some(e),
                ClauseKind::Require(e) => p.require = Some(e),
                ClauseKind::Expect(e) => p.expect = Some((e, c.span)),
                ClauseKind::From(e) => p.from = Some(e),
                ClauseKind::To(e) => p.to = Some(e),
                ClauseKind::Arm {
                    label,
                    condition,
                    result,
                } => p.arms.push((c, label, condition.as_ref(), result)),
                ClauseKind::Start(e) => p.start = Some(e),
                ClauseKind::Stop(e) => p.stops.push(e),
                ClauseKind::Every(d) => p.every = Some(d),
                ClauseKind::Mark { .. } => p.marks.push(c),
                ClauseKind::Message {
                    template,
                    condition,
                } => p.messages.push((template, condition.as_ref())),
            }
        }
        p
    }

    fn missing(&mut self, r: &ast::RuleDecl, what: &str, help: String) {
        self.error(
            Diagnostic::error(
                Code::RuleMissingClause,
                format!("rule `{}` has no `{what}` clause", r.id.name),
            )
            .with_label(
                r.id.span,
                format!("this {} needs `{what}`", r.kind.keyword()),
            )
            .with_help(help),
        );
    }

    fn rule(&mut self, r: &ast::RuleDecl) -> Option<Rule> {
        let p = self.sort_clauses(r);
        let severity = self.header_checks(r, &p);
        self.check_body_present(r, &p);
        let Some((table, applies)) = p.subject else {
            let example = self
                .table_names
                .first()
                .cloned()
                .unwrap_or_else(|| "case".to_string());
            self.missing(
                r,
                "for",
                format!("say which rows the rule is about, e.g. `for {example}`"),
            );
            return None;
        };
        let subject = self.resolve_table(table)?;
        let mut sc = Scope::new();
        sc.push(&table.name, Type::Row(subject));
        // Kind variables get their slots first; they are bound by name only in messages.
        let notice_dates = p.from.is_none_or(|f| self.peek_is_date(f, subject));
        let kvars: Vec<KindVar> = kind_vars(r.kind, notice_dates)
            .into_iter()
            .map(|(name, ty)| KindVar {
                name,
                slot: sc.reserve(),
                ty,
            })
            .collect();
        let applies = applies.map(|e| {
            let x = self.expr(e, &mut sc);
            self.expect_bool(&x, "`for … where`");
            x
        });
        let lets = self.lets(r, &p, &table.name, &kvars, &mut sc);
        let guard = p.when.map(|e| {
            let x = self.expr(e, &mut sc);
            self.expect_bool(&x, "`when`");
            x
        });
        let body = self.body(r, &p, subject, &mut sc, &kvars)?;
        // Messages see the kind variables.
        let depth = kvars.len();
        for k in &kvars {
            sc.bind(k.name, k.ty.clone(), k.slot);
        }
        let messages = self.messages(&p, &mut sc);
        for _ in 0..depth {
            sc.pop();
        }
        let slots = sc.slots();
        let mut rule = Rule {
            id: r.id.name.clone(),
            id_span: r.id.span,
            span: r.span,
            kind: r.kind,
            severity,
            title: r.title.value.clone(),
            subject,
            applies,
            sources: p.sources,
            lets,
            guard,
            body,
            messages,
            slots,
            kind_vars: kvars,
            needs: Vec::new(),
        };
        rule.needs = needs::rule_needs(&rule, &self.tables, &self.defines);
        Some(rule)
    }

    /// The title, severity and sources: warnings for an empty title or no
    /// source, an error for no severity.
    fn header_checks(&mut self, r: &ast::RuleDecl, p: &Parts) -> Severity {
        if r.title.value.trim().is_empty() {
            self.error(
                Diagnostic::warning(
                    Code::RuleEmptyTitle,
                    format!("rule `{}` has an empty title", r.id.name),
                )
                .with_label(r.title.span, "empty title")
                .with_help("say in a few words what the rule asks for; reports show it"),
            );
        }
        let severity = match p.severity {
            Some((ast::SeverityLit::Error, _)) => Severity::Error,
            Some((ast::SeverityLit::Warning, _)) => Severity::Warning,
            None => {
                self.missing(
                    r,
                    "severity",
                    "add `severity error` or `severity warning`".to_string(),
                );
                Severity::Error
            }
        };
        if p.sources.is_empty() {
            self.error(
                Diagnostic::warning(Code::RuleNoSource, format!("rule `{}` cites no source", r.id.name))
                    .with_label(r.id.span, "no `source` clause")
                    .with_help("cite the process document the rule comes from: `source \"Document\" section \"Section\"`"),
            );
        }
        severity
    }

    /// The rule's `let`s, each in scope for those after it; a name used
    /// twice is an error.
    fn lets(
        &mut self,
        r: &ast::RuleDecl,
        p: &Parts,
        subject: &str,
        kvars: &[KindVar],
        sc: &mut Scope,
    ) -> Vec<Let> {
        let mut lets = Vec::new();
        for (name, value) in &p.lets {
            let clash = name.name == subject
                || name.name == "pass"
                || lets.iter().any(|l: &Let| l.name == name.name)
                || kvars.iter().any(|k| k.name == name.name);
            if clash {
                let why = if name.name == "pass" {
                    "`pass` is the rule holding, in a message's `if pass`".to_string()
                } else if kvars.iter().any(|k| k.name == name.name) {
                    format!(
                        "`{}` is provided to the messages of `{}` rules",
                        name.name,
                        r.kind.keyword()
                    )
                } else {
                    format!("`{}` is already a name in this rule", name.name)
                };
                self.error(
                    Diagnostic::error(
                        Code::NamesDuplicateLet,
                        format!("`{}` is defined twice in rule `{}`", name.name, r.id.name),
                    )
                    .with_label(name.span, why)
                    .with_help("choose another name"),
                );
                continue;
            }
            let v = self.expr(value, sc);
            let slot = sc.push(&name.name, v.ty.clone());
            lets.push(Let {
                name: name.name.clone(),
                slot,
                value: v,
            });
        }
        lets
    }

    /// Whether a notice's `from` is a date (vs a date-time), by a quick look.
    fn peek_is_date(&mut self, e: &ast::Expr, subject: TableId) -> bool {
        let mut sc = Scope::new();
        let name = self.table_names.get(subject).cloned().unwrap_or_default();
        sc.push(&name, Type::Row(subject));
        let before = self.diags.len();
        let x = self.expr(e, &mut sc);
        self.diags.truncate(before);
        x.ty != Type::DateTime
    }

    fn check_body_present(&mut self, r: &ast::RuleDecl, p: &Parts) {
        match r.kind {
            RuleKind::Require if p.require.is_none() => {
                self.missing(
                    r,
                    "require",
                    "say what must hold: `require <condition>`".to_string(),
                );
            }
            RuleKind::Allowlist if p.expect.is_none() => {
                self.missing(
                    r,
                    "expect",
                    "say which value must be in which list: `expect x in y`".to_string(),
                );
            }
            RuleKind::Notice => {
                if p.from.is_none() {
                    self.missing(
                        r,
                        "from",
                        "give the date notice was given: `from case.written_notice_date`"
                            .to_string(),
                    );
                }
                if p.to.is_none() {
                    self.missing(
                        r,
                        "to",
                        "give the date the change takes effect: `to case.requested_effective_date`"
                            .to_string(),
                    );
                }
                if p.arms.is_empty() {
                    self.missing(
                        r,
                        "arm",
                        "give at least one arm: `arm \"label\" when <condition>: 90 days`"
                            .to_string(),
                    );
                }
            }
            RuleKind::Escalation => {
                if p.start.is_none() {
                    self.error(
                        Diagnostic::error(Code::EscalationNoStart, format!("escalation `{}` has no start", r.id.name))
                            .with_label(r.id.span, "a ladder needs `start at …`")
                            .with_help("say when the ladder starts, e.g. `start at first case.events where event.name = \"Tagged\"`"),
                    );
                }
                if p.marks.is_empty() {
                    self.missing(
                        r,
                        "at",
                        "give at least one mark: `at 24 hours expect …`".to_string(),
                    );
                }
            }
            _ => {}
        }
    }

    fn body(
        &mut self,
        r: &ast::RuleDecl,
        p: &Parts,
        subject: TableId,
        sc: &mut Scope,
        kvars: &[KindVar],
    ) -> Option<RuleBody> {
        match r.kind {
            RuleKind::Require => {
                let e = self.expr(p.require?, sc);
                self.expect_bool(&e, "`require`");
                Some(RuleBody::Require(e))
            }
            RuleKind::Allowlist => {
                let (e, span) = p.expect?;
                let ast::ExprKind::In {
                    value,
                    list,
                    negated,
                    ignore_case,
                } = &e.kind
                else {
                    self.error(
                        Diagnostic::error(Code::AllowlistNotMembership, "an allowlist expects a value in a list")
                            .with_label(span, "expected `<value> in <list>`")
                            .with_help("write e.g. `expect case.contact_email in case.account.authorized_contacts ignoring case`"),
                    );
                    return None;
                };
                if *negated {
                    self.error(
                        Diagnostic::error(
                            Code::AllowlistNotMembership,
                            "an allowlist expects the value to be in the list",
                        )
                        .with_label(e.span, "`not in`")
                        .with_help(
                            "write a plain `rule` with `require x not in y` for a blocklist",
                        ),
                    );
                }
                let v = self.expr(value, sc);
                let l = self.expr(list, sc);
                let ExprKind::In {
                    value: v, list: l, ..
                } = self.membership_checked(v, l, *ignore_case)
                else {
                    return None;
                };
                Some(RuleBody::Allowlist {
                    value: *v,
                    list: *l,
                    ignore_case: *ignore_case,
                })
            }
            RuleKind::Notice => self.notice(p, sc),
            RuleKind::Escalation => self.ladder(p, subject, sc, kvars),
        }
    }

    fn notice(&mut self, p: &Parts, sc: &mut Scope) -> Option<RuleBody> {
        let from = self.expr(p.from?, sc);
        let to = self.expr(p.to?, sc);
        let dates = match (&from.ty, &to.ty) {
            (Type::Date, Type::Date) | (Type::Error, Type::Date) | (Type::Date, Type::Error) => {
                true
            }
            (Type::DateTime, Type::DateTime)
            | (Type::Error, Type::DateTime)
            | (Type::DateTime, Type::Error) => false,
            (Type::Error, Type::Error) => true,
            (Type::Date | Type::DateTime, _) => {
                let want = self.describe(&from.ty);
                self.mismatch(
                    &to,
                    &format!("{want} (like `from`)"),
                    Some("`from` and `to` are both dates or both date-times".to_string()),
                );
                from.ty == Type::Date
            }
            _ => {
                self.mismatch(&from, "a date or a date-time for `from`", None);
                true
            }
        };
        let mut arms = Vec::new();
        let mut catch_all: Option<Span> = None;
        let mut seen_conditions: Vec<(&ast::Expr, Span)> = Vec::new();
        for (clause, label, cond, result) in &p.arms {
            if let Some(all) = catch_all {
                self.error(
                    Diagnostic::error(Code::NoticeUnreachableArm, format!("arm \"{}\" can never be chosen", label.value))
                        .with_label(clause.span, "unreachable arm")
                        .with_label(all, "this earlier arm always matches")
                        .with_help("arms are tried in order; move this arm above the one that always matches, or remove it"),
                );
            } else if let Some(c) = cond {
                if let Some((_, first)) = seen_conditions.iter().find(|(e, _)| same_expr(e, c)) {
                    self.error(
                        Diagnostic::error(
                            Code::NoticeUnreachableArm,
                            format!("arm \"{}\" can never be chosen", label.value),
                        )
                        .with_label(clause.span, "unreachable arm")
                        .with_label(*first, "an earlier arm has the same condition")
                        .with_help(
                            "arms are tried in order; the first with this condition always wins",
                        ),
                    );
                }
                seen_conditions.push((c, clause.span));
            }
            let condition = cond.map(|c| {
                let x = self.expr(c, sc);
                self.expect_bool(&x, "an arm");
                x
            });
            let always = match &condition {
                None => true,
                Some(x) => matches!(x.kind, ExprKind::Lit(Lit::Bool(true))),
            };
            if always && catch_all.is_none() {
                catch_all = Some(clause.span);
            }
            let decision = match result {
                ArmResult::Exempt(_) => Decision::Exempt,
                ArmResult::Period(d) => self.notice_period(d, dates),
            };
            arms.push(Arm {
                label: label.value.clone(),
                condition,
                decision,
            });
        }
        if catch_all.is_none() {
            if let Some((last, _, _, _)) = p.arms.last() {
                self.error(
                    Diagnostic::warning(Code::NoticeNoFallback, "no arm matches every case")
                        .with_label(last.span, "the last arm has a condition")
                        .with_help("cases no arm matches are reported as not applicable; end with an arm without `when`, e.g. `arm \"otherwise\": exempt`"),
                );
            }
        }
        Some(RuleBody::Notice(Notice { from, to, arms }))
    }

    fn notice_period(&mut self, d: &ast::DurationLit, dates: bool) -> Decision {
        if !self.in_range(d) {
            return Decision::Exempt;
        }
        if d.amount < 0 {
            self.error(
                Diagnostic::error(Code::DurationInvalid, "a notice period cannot be negative")
                    .with_label(d.span, "negative"),
            );
        }
        match (dates, d.unit) {
            (true, DurationUnit::Days) => Decision::Days(d.amount),
            (false, DurationUnit::Days) => {
                self.error(
                    Diagnostic::error(Code::DurationInvalid, "days cannot measure notice between date-times")
                        .with_label(d.span, "calendar days")
                        .with_help("`from` and `to` are date-times: give the period in hours, or use `local_date(…)` for both to count days"),
                );
                Decision::Exempt
            }
            (true, _) => {
                self.error(
                    Diagnostic::error(
                        Code::DurationInvalid,
                        "hours cannot measure notice between dates",
                    )
                    .with_label(d.span, "elapsed time")
                    .with_help(
                        "`from` and `to` are dates: give the period in days, e.g. `90 days`",
                    ),
                );
                Decision::Exempt
            }
            (false, _) => Decision::Elapsed(expr::duration_ms(d).unwrap_or(0)),
        }
    }

    /// A ladder time: a date-time, or a row whose table has a time column.
    fn ladder_time(&mut self, e: Expr, what: &str) -> Expr {
        match e.ty.clone() {
            Type::DateTime | Type::Error => e,
            Type::Row(t) => match self.tables.get(t).and_then(|tb| tb.time) {
                Some(col) => {
                    let span = e.span;
                    Expr {
                        kind: ExprKind::Column {
                            base: Box::new(e),
                            column: ColumnRef {
                                table: t,
                                column: col,
                            },
                        },
                        ty: Type::DateTime,
                        span,
                    }
                }
                None => {
                    let name = self.table_names.get(t).cloned().unwrap_or_default();
                    self.error(
                        Diagnostic::error(Code::EscalationNoTime, format!("`{name}` rows have no time"))
                            .with_label(e.span, format!("a `{name}` row"))
                            .with_help(format!("order a relation to `{name}` by a datetime column (`ordered by …`), or give a date-time")),
                    );
                    Expr {
                        ty: Type::Error,
                        ..e
                    }
                }
            },
            _ => {
                self.mismatch(&e, &format!("a date-time or an event row for {what}"), None);
                Expr {
                    ty: Type::Error,
                    ..e
                }
            }
        }
    }

    fn elapsed(&mut self, d: &ast::DurationLit, what: &str) -> Option<i64> {
        if !self.in_range(d) {
            return None;
        }
        if d.unit == DurationUnit::Days {
            self.error(
                Diagnostic::error(
                    Code::DurationInvalid,
                    format!("{what} is elapsed time, not calendar days"),
                )
                .with_label(d.span, "days")
                .with_help(format!(
                    "write it in hours, e.g. `{} hours`",
                    d.amount.saturating_mul(24)
                )),
            );
            return None;
        }
        match expr::duration_ms(d) {
            Some(ms) if ms > 0 => Some(ms),
            Some(_) => {
                self.error(
                    Diagnostic::error(
                        Code::DurationInvalid,
                        format!("{what} must be longer than zero"),
                    )
                    .with_label(d.span, "zero"),
                );
                None
            }
            None => {
                self.error(
                    Diagnostic::error(Code::DurationInvalid, "this duration is too long")
                        .with_label(d.span, "too long to represent"),
                );
                None
            }
        }
    }

    /// The time column of a mark's action rows (`expect` must be rows of a
    /// table some relation orders by a date-time).
    fn action_time(&mut self, x: &Expr) -> Option<ColumnRef> {
        match x.ty {
            Type::Rows(t) => match self.tables.get(t).and_then(|tb| tb.time) {
                Some(col) => Some(ColumnRef {
                    table: t,
                    column: col,
                }),
                None => {
                    let name = self.table_names.get(t).cloned().unwrap_or_default();
                    self.error(
                        Diagnostic::error(
                            Code::EscalationNoTime,
                            format!("`{name}` rows have no time"),
                        )
                        .with_label(x.span, "these rows")
                        .with_help(format!(
                            "order a relation to `{name}` by a datetime column (`ordered by …`)"
                        )),
                    );
                    None
                }
            },
            Type::Error => None,
            _ => {
                self.mismatch(
                    x,
                    "rows (the actions that satisfy the mark)",
                    Some("e.g. `expect case.events where event.name = \"Escalated\"`".to_string()),
                );
                None
            }
        }
    }

    /// A mark's offset: within the period, not repeating another mark's.
    fn mark_offset(
        &mut self,
        offset: &ast::DurationLit,
        period: Option<i64>,
        offsets: &mut Vec<(i64, Span)>,
    ) -> Option<i64> {
        let off = self.elapsed(offset, "a mark's offset");
        if let (Some(o), Some(per)) = (off, period)
            && o > per
        {
            self.error(
                Diagnostic::error(Code::DurationInvalid, "a mark falls after the end of its period")
                    .with_label(offset.span, "later than the period")
                    .with_help("marks are offsets within one period of `every`; make the period longer or the offset shorter"),
            );
        }
        if let Some(o) = off {
            if let Some((_, first)) = offsets.iter().find(|(x, _)| *x == o) {
                self.error(
                    Diagnostic::error(
                        Code::EscalationDuplicateMark,
                        "two marks at the same offset",
                    )
                    .with_label(offset.span, "same offset")
                    .with_label(*first, "as this mark"),
                );
            }
            offsets.push((o, offset.span));
        }
        off
    }

    fn ladder(
        &mut self,
        p: &Parts,
        _subject: TableId,
        sc: &mut Scope,
        kvars: &[KindVar],
    ) -> Option<RuleBody> {
        let start_ast = p.start?;
        let start = self.expr(start_ast, sc);
        let start = self.ladder_time(start, "`start at`");
        // Stops may refer to the start time.
        let start_var = kvars.iter().find(|k| k.name == "start");
        let mut stops = Vec::new();
        for s in &p.stops {
            if let Some(k) = start_var {
                sc.bind(k.name, k.ty.clone(), k.slot);
            }
            let x = self.expr(s, sc);
            if start_var.is_some() {
                sc.pop();
            }
            stops.push(self.ladder_time(x, "`stop at`"));
        }
        let period = p.every.and_then(|d| self.elapsed(d, "the repeat period"));
        let mut marks = Vec::new();
        let mut offsets: Vec<(i64, Span)> = Vec::new();
        for c in &p.marks {
            let ClauseKind::Mark {
                offset,
                label,
                expect,
                within,
            } = &c.kind
            else {
                continue;
            };
            let off = self.mark_offset(offset, period, &mut offsets);
            let w = within
                .as_ref()
                .and_then(|d| self.elapsed(d, "a mark's window"));
            let x = self.expr(expect, sc);
            let time = self.action_time(&x);
            let label = label
                .as_ref()
                .map(|l| l.value.clone())
                .unwrap_or_else(|| self.text_of(expect.span));
            if let (Some(offset), Some(time)) = (off, time) {
                marks.push(Mark {
                    offset,
                    label,
                    expect: x,
                    time,
                    within: w,
                    span: c.span,
                });
            }
        }
        marks.sort_by_key(|m| m.offset);
        if period.is_none() && p.every.is_none() {
            if let Some(last) = marks.last() {
                if last.within.is_none() {
                    let span = last.span;
                    self.error(
                        Diagnostic::error(Code::EscalationOpenWindow, "the last mark has no end to its window")
                            .with_label(span, "window never closes")
                            .with_help("without `every`, no mark follows the last one: add `within <duration>` to it, or repeat the ladder with `every`"),
                    );
                }
            }
        }
        Some(RuleBody::Escalation(Ladder {
            start,
            stops,
            period,
            marks,
        }))
    }

    fn messages(&mut self, p: &Parts, sc: &mut Scope) -> Vec<Message> {
        let mut out = Vec::new();
        // The first message without `if` of failures and of passes.
        let mut unconditional: [Option<Span>; 2] = [None, None];
        for (template, cond) in &p.messages {
            let (on_pass, cond) = match cond.map(pass_form) {
                Some(Some(rest)) => (true, rest),
                _ => (false, cond.cloned()),
            };
            if let Some(first) = unconditional[usize::from(on_pass)] {
                self.error(
                    Diagnostic::warning(Code::RuleUnreachableMessage, "this message is never used")
                        .with_label(template.span, "never used")
                        .with_label(
                            first,
                            if on_pass {
                                "this earlier message has nothing after `if pass` and is always used"
                            } else {
                                "this earlier message has no `if` and is always used"
                            },
                        )
                        .with_help("messages are tried in order: put the ones with `if` first"),
                );
            }
            let condition = cond.map(|c| {
                let x = self.expr(&c, sc);
                self.expect_bool(&x, "a message's `if`");
                x
            });
            if condition.is_none() {
                unconditional[usize::from(on_pass)].get_or_insert(template.span);
            }
            let mut parts = Vec::new();
            for part in &template.parts {
                match part {
                    TemplatePart::Text(t) => parts.push(Part::Text(t.clone())),
                    TemplatePart::Hole(h) => {
                        let x = self.expr(h, sc);
                        match &x.ty {
                            Type::Rows(_) => self.mismatch(&x, "a value to show", Some("show a field of the rows, e.g. `{rows.at}`, or their number with `{count rows}`".to_string())),
                            Type::Row(t) if self.tables.get(*t).is_some_and(|tb| tb.key.is_none()) => {
                                self.mismatch(&x, "a value to show", Some("this row has no key to show; show one of its fields, e.g. `{x.at}`".to_string()))
                            }
                            _ => {}
                        }
                        parts.push(Part::Value(x));
                    }
                }
            }
            out.push(Message {
                parts,
                condition,
                on_pass,
            });
        }
        out
    }
}

/// `pass` or `pass and …` (a pass message's condition): `Some` with what
/// follows `pass and`, if anything; `None` for any other condition.
fn pass_form(e: &ast::Expr) -> Option<Option<ast::Expr>> {
    match &e.kind {
        ast::ExprKind::Name(n) if n.name == "pass" => Some(None),
        ast::ExprKind::Paren(inner) if matches!(&inner.kind, ast::ExprKind::Name(n) if n.name == "pass") => {
            Some(None)
        }
        ast::ExprKind::Binary(ast::BinOp::And, l, r) => Some(match pass_form(l)? {
            None => Some((**r).clone()),
            Some(rest) => Some(ast::Expr {
                kind: ast::ExprKind::Binary(ast::BinOp::And, Box::new(rest), r.clone()),
                span: e.span,
            }),
        }),
        _ => None,
    }
}

/// Structural equality of expressions, ignoring spans and parentheses.
fn same_expr(a: &ast::Expr, b: &ast::Expr) -> bool {
    let mut a = a.clone();
    let mut b = b.clone();
    crate::syntax::format::erase_expr(&mut a);
    crate::syntax::format::erase_expr(&mut b);
    a == b
}
