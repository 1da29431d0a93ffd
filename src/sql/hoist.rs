//! Subqueries that read nothing but a rule's subject row, computed once
//! per row as columns `s.h1, s.h2, …` of the subject table (in layers: a
//! column that reads another comes in a later layer).
//!
//! Hoisting keeps every subquery out of another one's correlation and out
//! of lambdas (Spark takes neither). Where the engine plans a correlated
//! aggregate badly (Spark joins the whole event table with every distinct
//! combination of the subject values a non-equality condition reads), the
//! column is written as the join it means: the subject rows `LEFT JOIN`ed
//! to the related rows on the subquery's condition, grouped by subject
//! row, so the equality on the relation's key drives a hash join.

use super::Engine;
use super::expr::Compiler;

/// Where an aggregate's value goes in the expression of its column.
const HOLE: &str = "/*docket:value*/";

/// `outer` with `value`, aggregated over `FROM from WHERE cond`, in its
/// hole. Every `value` gives its "no rows" answer over one all-`NULL` row
/// too (`count(r._row)`, not `count(*)`), so a left join's padding row
/// reads as no rows.
#[derive(Debug, Clone)]
pub(crate) struct Aggregate {
    pub(crate) value: String,
    pub(crate) from: String,
    pub(crate) cond: String,
    pub(crate) outer: String,
}

impl Aggregate {
    /// `outer` around `value` as is (its hole filled with `value`).
    pub(crate) fn around(value: String, from: String, cond: String, outer: &str) -> Aggregate {
        Aggregate {
            value,
            from,
            cond,
            outer: outer.replace("{}", HOLE),
        }
    }

    /// The correlated subquery form.
    pub(crate) fn subquery(&self) -> String {
        self.outer.replace(
            HOLE,
            &format!(
                "(SELECT {} FROM {} WHERE {})",
                self.value, self.from, self.cond
            ),
        )
    }

    /// Whether the join form can stand for it: no subquery of its own in
    /// what the join reads (engines take none in a join condition).
    fn joinable(&self) -> bool {
        ![&self.value, &self.from, &self.cond]
            .iter()
            .any(|t| t.contains("SELECT"))
    }
}

/// One hoisted column.
#[derive(Debug, Clone)]
pub(crate) struct Hoisted {
    /// Its SQL as a correlated subquery (what deduplicates it).
    text: String,
    /// Its join form, when it is an aggregate that has one.
    agg: Option<Aggregate>,
    /// Its layer (1: reads no hoisted column).
    level: usize,
}

impl Compiler<'_> {
    /// An aggregate over related rows (`text` its subquery form, when the
    /// dialect writes it otherwise), or the column of the subject row it
    /// is hoisted into when it reads nothing but the subject row.
    pub(crate) fn aggregate(&self, a: Aggregate, text: Option<String>) -> String {
        let text = text.unwrap_or_else(|| a.subquery());
        if !reads_only_subject(&text) {
            return text;
        }
        let mut h = self.hoisted.borrow_mut();
        if let Some(i) = h.iter().position(|x| x.text == text) {
            return format!("s.h{}", i + 1);
        }
        let level = 1 + hoisted_refs(&text)
            .iter()
            .filter_map(|i| h.get(i - 1).map(|x| x.level))
            .max()
            .unwrap_or(0);
        let agg = Some(a).filter(|a| self.d.joins_aggregates() && a.joinable());
        h.push(Hoisted { text, agg, level });
        format!("s.h{}", h.len())
    }

    /// The subject table `view` with the hoisted columns of rule `rule`
    /// just compiled (and forgets them): the statements that compute them
    /// first (where the engine needs each layer materialised), and what
    /// the rule's query reads.
    pub(crate) fn base(&self, view: &str, rule: usize) -> (String, String) {
        let h = std::mem::take(&mut *self.hoisted.borrow_mut());
        let top = h.iter().map(|x| x.level).max().unwrap_or(0);
        let mut before = String::new();
        let mut out = format!("{view} s");
        for level in 1..=top {
            let layer = layer(&h, level, &out);
            if self.d.materialises_layers() {
                let name = self.d.ident(&format!("docket_r{rule}_{level}"));
                before.push_str(&self.d.cached_view(&name, &layer));
                out = format!("{name} s");
            } else {
                out = format!("({layer}) s");
            }
        }
        (before, out)
    }
}

/// The query of one layer: the rows of `from` (aliased `s`) with the
/// layer's columns.
fn layer(h: &[Hoisted], level: usize, from: &str) -> String {
    let mut cols = Vec::new();
    let mut joins = String::new();
    for (i, x) in h.iter().enumerate().filter(|(_, x)| x.level == level) {
        let n = i + 1;
        match &x.agg {
            Some(a) => {
                joins.push_str(&format!(
                    "\n  LEFT JOIN (SELECT s._row AS _k, {} AS v FROM {from} LEFT JOIN {} ON {} GROUP BY s._row) j{n} ON j{n}._k = s._row",
                    a.value, a.from, a.cond
                ));
                cols.push(format!(
                    "{} AS h{n}",
                    a.outer.replace(HOLE, &format!("j{n}.v"))
                ));
            }
            None => cols.push(format!("{} AS h{n}", x.text)),
        }
    }
    format!("SELECT s.*, {} FROM {from}{joins}", cols.join(", "))
}

impl Engine {
    /// Whether hoisted aggregates are written as joins (see the module).
    pub(crate) fn joins_aggregates(self) -> bool {
        self == Engine::Spark
    }
}

/// Whether SQL text reads no table alias but the subject's (`s`) and
/// those it declares itself, and no value of a later layer of the rule's
/// query (a ladder's `s.l_…`, a notice's `s.n_…`).
fn reads_only_subject(q: &str) -> bool {
    if q.contains("s.l_") || q.contains("s.n_") {
        return false;
    }
    let b = q.as_bytes();
    let word = |i: usize| i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    let mut used = Vec::new();
    let mut declared = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'r' && !word(i) {
            let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 0 {
                let name = &q[i..i + 1 + digits];
                let after = b.get(i + 1 + digits).copied();
                let before = if i >= 2 { b.get(i - 2).copied() } else { None };
                if after == Some(b'.') {
                    used.push(name);
                } else if b.get(i - 1) == Some(&b' ') && matches!(before, Some(b'"' | b'`')) {
                    declared.push(name);
                }
                i += 1 + digits;
                continue;
            }
        }
        i += 1;
    }
    used.iter().all(|u| declared.contains(u))
}

/// The hoisted columns (`s.hN`) SQL text reads.
fn hoisted_refs(q: &str) -> Vec<usize> {
    q.match_indices("s.h")
        .filter_map(|(i, _)| {
            let rest = &q[i + 3..];
            let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
            n.parse().ok()
        })
        .collect()
}
