//! `docket case` as a customer-success manager reads it: the case's facts,
//! then what needs action, what is due next and what is done, in the order
//! of the process, each rule by its title with its reason in plain words.
//!
//! Colour and symbols only on a terminal; the words (`violated`, `due`,
//! `done`) always, so the text reads the same piped, pasted or printed.

use std::fmt::Write as _;

use super::Context;
use super::due::time_left;
use crate::diagnostic::printable;
use crate::eval::{FieldValue, Finding, RuleResult, Status};
use crate::semantics::{Rule, Severity, Source};
use crate::time::Instant;

/// How the view is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ViewStyle {
    /// Colour and symbols (a terminal).
    pub(crate) color: bool,
    /// The line width text wraps at.
    pub(crate) width: usize,
    /// List the rules that do not apply, with their reasons (`--all`).
    pub(crate) all: bool,
}

/// One case's view.
pub(crate) struct CaseView<'v> {
    /// The case number.
    pub(crate) number: &'v str,
    /// The policy's `fields` of the case.
    pub(crate) fields: &'v [FieldValue],
    /// Every shown rule's result, in process order.
    pub(crate) results: &'v [RuleResult],
}

/// The words, symbol and colour of a status.
struct Look {
    word: &'static str,
    symbol: &'static str,
    color: &'static str,
}

const VIOLATED: Look = Look {
    word: "violated",
    symbol: "✗",
    color: "31",
};
const WARNING: Look = Look {
    word: "violated",
    symbol: "!",
    color: "33",
};
const DUE: Look = Look {
    word: "due",
    symbol: "…",
    color: "36",
};
const DONE: Look = Look {
    word: "done",
    symbol: "✓",
    color: "32",
};
const WAIVED: Look = Look {
    word: "waived",
    symbol: "~",
    color: "35",
};
const NOT_APPLICABLE: Look = Look {
    word: "n/a",
    symbol: "-",
    color: "2",
};

/// The text being written, with the view's style.
struct ViewWriter<'w, 'c> {
    s: String,
    style: ViewStyle,
    /// The column titles and details start at.
    lead: usize,
    ctx: &'w Context<'c>,
}

/// `docket case` for one case, as a checklist in sections.
pub(crate) fn human(ctx: &Context, view: &CaseView, style: ViewStyle) -> String {
    // Where titles and details start: after "  ", the symbol on a terminal, the word.
    let lead = if style.color { 13 } else { 11 };
    let mut w = ViewWriter {
        s: String::new(),
        style,
        lead,
        ctx,
    };
    w.header(view);
    let rules = |pick: fn(&RuleResult) -> bool| view.results.iter().filter(move |r| pick(r));
    let needs: Vec<&RuleResult> = rules(|r| r.status == Status::Violated).collect();
    w.section("Needs action", needs.len());
    for r in &needs {
        w.violated(r);
    }
    let mut due: Vec<(&RuleResult, &Finding)> = view
        .results
        .iter()
        .flat_map(|r| r.findings.iter().map(move |f| (r, f)))
        .filter(|(_, f)| f.status == Status::Due)
        .collect();
    due.sort_by_key(|(_, f)| f.deadline);
    w.section("Due next", due.len());
    for (r, f) in &due {
        w.due(r, f);
    }
    let done: Vec<&RuleResult> =
        rules(|r| matches!(r.status, Status::Pass | Status::Waived)).collect();
    w.section("Done", done.len());
    for r in &done {
        w.done(r);
    }
    w.not_applicable(view.results);
    w.counts(view.results);
    w.data_problems();
    w.s
}

impl ViewWriter<'_, '_> {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.style.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    /// `case C-0000052 · as of …`, then the case's fields as a table.
    fn header(&mut self, view: &CaseView) {
        let policy = self.ctx.policy;
        let table = policy
            .rules
            .first()
            .and_then(|r| policy.tables.get(r.subject))
            .map_or("case", |t| t.name.as_str());
        let title = format!("{table} {}", printable(view.number));
        let line = format!(
            "{} · as of {} · policy \"{}\"",
            self.paint("1", &title),
            Instant(self.ctx.now).display_long(policy.timezone),
            policy.name
        );
        self.wrapped(&line, 2);
        let widest = view
            .fields
            .iter()
            .map(|f| label(&f.name).chars().count())
            .max();
        if let Some(lw) = widest {
            self.s.push('\n');
            for f in view.fields {
                let value = f.shown.as_deref().unwrap_or("(none)");
                let name = format!("{:lw$}", label(&f.name));
                let line = format!("  {}  {value}", self.paint("2", &name));
                let hang = lw + 4;
                self.wrapped(&line, hang);
            }
        }
    }

    /// A section's heading: `Needs action (3)`.
    fn section(&mut self, name: &str, n: usize) {
        let head = format!("{name} ({n})");
        let _ = writeln!(self.s, "\n{}", self.paint("1", &head));
        if n == 0 {
            let _ = writeln!(self.s, "  nothing");
        }
    }

    /// An entry's first line: the status, the rule's title, its id dimmed.
    fn entry(&mut self, look: &Look, rule: &Rule, tail: &str) {
        let status = if self.style.color {
            self.paint(look.color, &format!("{} {:8}", look.symbol, look.word))
        } else {
            format!("{:8}", look.word)
        };
        let warning = if rule.severity == Severity::Warning && look.word == "violated" {
            " · warning"
        } else {
            ""
        };
        let id = self.paint("2", &format!("[{}{warning}]", rule.id));
        let line = format!("  {status} {}  {id}{tail}", printable(&rule.title));
        self.wrapped(&line, self.lead);
    }

    /// A detail under an entry, indented past the status column.
    fn detail(&mut self, text: &str) {
        let pad = " ".repeat(self.lead);
        self.wrapped(&format!("{pad}{text}"), self.lead);
    }

    fn violated(&mut self, r: &RuleResult) {
        let Some(rule) = self.ctx.policy.rules.get(r.rule) else {
            return;
        };
        let look = if rule.severity == Severity::Warning {
            &WARNING
        } else {
            &VIOLATED
        };
        self.entry(look, rule, "");
        for f in r.findings.iter().filter(|f| f.status == Status::Violated) {
            self.detail(&printable(&f.message));
            if let Some(w) = f.waiver.as_deref().filter(|w| w.expired) {
                let until = w.expires.map_or(String::new(), |d| format!(" on {d}"));
                self.detail(&printable(&format!("waiver expired{until} ({})", w.reason)));
            }
        }
        if let Some(m) = r.more {
            self.detail(&format!("… and {} more missed marks", m.count));
        }
        if let Some(src) = sources(&rule.sources) {
            let text = self.paint("2", &format!("source: {src}"));
            self.detail(&text);
        }
    }

    fn due(&mut self, r: &RuleResult, f: &Finding) {
        let Some(rule) = self.ctx.policy.rules.get(r.rule) else {
            return;
        };
        let tz = self.ctx.policy.timezone;
        self.entry(&DUE, rule, "");
        if let Some(d) = f.deadline {
            let when = format!(
                "deadline: {} — in {}",
                Instant(d).display_long(tz),
                time_left(self.ctx.now, d)
            );
            let when = self.paint("1", &when);
            self.detail(&when);
        }
        self.detail(&printable(&f.message));
    }

    fn done(&mut self, r: &RuleResult) {
        let Some(rule) = self.ctx.policy.rules.get(r.rule) else {
            return;
        };
        if r.status == Status::Waived {
            self.entry(&WAIVED, rule, "");
            for f in &r.findings {
                if let Some(w) = f.waiver.as_deref() {
                    let until = w.expires.map_or(String::new(), |d| format!(", until {d}"));
                    self.detail(&printable(&format!(
                        "{} (waived: {}, approved by {}{until})",
                        f.message, w.reason, w.approved_by
                    )));
                }
            }
            return;
        }
        self.entry(&DONE, rule, "");
        if r.reason != crate::eval::plain_pass(rule) {
            self.detail(&printable(&r.reason));
        }
    }

    /// How many rules do not apply; with `--all`, each and why.
    fn not_applicable(&mut self, results: &[RuleResult]) {
        let na: Vec<&RuleResult> = results
            .iter()
            .filter(|r| r.status == Status::NotApplicable)
            .collect();
        if na.is_empty() {
            return;
        }
        if !self.style.all {
            let n = na.len();
            let rules = if n == 1 { "rule does" } else { "rules do" };
            self.s.push('\n');
            let line =
                format!("{n} {rules} not apply to this case (--all lists them with the reason)");
            self.wrapped(&line, 0);
            return;
        }
        self.section("Does not apply", na.len());
        for r in na {
            if let Some(rule) = self.ctx.policy.rules.get(r.rule) {
                self.entry(&NOT_APPLICABLE, rule, "");
                self.detail(&printable(&r.reason));
            }
        }
    }

    /// "5 pass, 1 violated (2 violations), 1 item due, 10 not applicable".
    fn counts(&mut self, results: &[RuleResult]) {
        let count = |st: Status| results.iter().filter(|r| r.status == st).count();
        let items = |st: Status| {
            results
                .iter()
                .flat_map(|r| &r.findings)
                .filter(|f| f.status == st)
                .count()
        };
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let (violations, due) = (items(Status::Violated), items(Status::Due));
        let mut line = format!(
            "{} pass, {} violated ({violations} violation{}), {due} item{} due",
            count(Status::Pass),
            count(Status::Violated),
            plural(violations),
            plural(due),
        );
        if count(Status::Waived) > 0 {
            let _ = write!(line, ", {} waived", count(Status::Waived));
        }
        let _ = write!(line, ", {} not applicable", count(Status::NotApplicable));
        self.s.push('\n');
        self.wrapped(&line, 0);
    }

    fn data_problems(&mut self) {
        for (what, list) in [
            ("data errors", &self.ctx.data.errors),
            ("data warnings", &self.ctx.data.warnings),
        ] {
            if !list.is_empty() {
                let _ = writeln!(self.s, "\n{what} in the rows read for this case:");
                for e in list.iter() {
                    self.wrapped(&format!("  {}", e.one_line()), 4);
                }
            }
        }
    }

    /// Writes `line`, wrapped at the view's width; continuation lines are
    /// indented by `hang`.
    fn wrapped(&mut self, line: &str, hang: usize) {
        let pad = " ".repeat(hang);
        let options = textwrap::Options::new(self.style.width.max(hang + 20))
            .subsequent_indent(&pad)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(false);
        for l in textwrap::wrap(line, options) {
            let _ = writeln!(self.s, "{}", l.trim_end());
        }
    }
}

/// A field's label: its name in words (`opened_at` → `opened at`).
fn label(name: &str) -> String {
    name.replace(['_', '.'], " ")
}

/// A rule's sources in one line: `CCC Process for CSMs § Cancellations`.
fn sources(list: &[Source]) -> Option<String> {
    let mut docs: Vec<(&str, Vec<&str>)> = Vec::new();
    for s in list {
        let sections = match docs.iter_mut().find(|(d, _)| *d == s.document) {
            Some((_, v)) => v,
            None => {
                docs.push((s.document.as_str(), Vec::new()));
                match docs.last_mut() {
                    Some((_, v)) => v,
                    None => continue,
                }
            }
        };
        sections.extend(s.section.as_deref());
    }
    let parts: Vec<String> = docs
        .into_iter()
        .map(|(d, sections)| {
            if sections.is_empty() {
                format!("\"{d}\"")
            } else {
                format!("\"{d}\" § {}", sections.join(", § "))
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}
