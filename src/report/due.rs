//! `docket due`: the due items across cases, soonest first.

use std::fmt::Write as _;

use serde::Serialize;

use super::Context;
use crate::diagnostic::printable;
use crate::eval::Finding;
use crate::time::{Instant, display_elapsed};

/// One item of the worklist.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DueItem {
    /// When it becomes late, RFC 3339 in the policy's zone.
    pub(crate) deadline: String,
    /// How long is left, in words ("22 hours 11 minutes").
    pub(crate) left: String,
    /// The case.
    pub(crate) case: String,
    /// The rule id.
    pub(crate) rule: String,
    /// The rule's title.
    pub(crate) title: String,
    /// What is owed.
    pub(crate) message: String,
    /// A ladder's mark.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mark: Option<u64>,
    /// The policy's fields for the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fields: Option<super::JsonFields>,
    /// The deadline (ms), for sorting.
    #[serde(skip)]
    pub(crate) at: i64,
}

impl DueItem {
    /// A due finding with its deadline.
    pub(crate) fn of(ctx: &Context, f: &Finding, deadline: i64) -> DueItem {
        let rule = ctx.policy.rules.get(f.rule);
        DueItem {
            deadline: Instant(deadline).rfc3339(ctx.policy.timezone),
            left: time_left(ctx.now, deadline),
            case: f.key.to_string(),
            rule: rule.map_or_else(String::new, |r| r.id.clone()),
            title: rule.map_or_else(String::new, |r| r.title.clone()),
            message: f.message.clone(),
            mark: f.mark,
            fields: super::fields_of(ctx, f),
            at: deadline,
        }
    }
}

/// How long is left from `now` until `deadline` (ms), to the minute, in
/// words: "22 hours 11 minutes".
pub(crate) fn time_left(now: i64, deadline: i64) -> String {
    let ms = deadline.saturating_sub(now);
    display_elapsed(ms / crate::time::MINUTE * crate::time::MINUTE)
}

/// The worklist.
#[derive(Debug, Serialize)]
pub(crate) struct Worklist {
    /// As-of, RFC 3339 in the policy's zone.
    as_of: String,
    /// `--within`, as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    within: Option<String>,
    /// Soonest first.
    items: Vec<DueItem>,
}

impl Worklist {
    /// The items, sorted.
    pub(crate) fn new(ctx: &Context, within: Option<String>, items: Vec<DueItem>) -> Worklist {
        Worklist {
            as_of: ctx.as_of(),
            within,
            items,
        }
    }

    /// As JSON.
    pub(crate) fn json(&self) -> String {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .unwrap_or_default()
    }

    /// A line per item: deadline, time left, case, rule, what is owed.
    pub(crate) fn human(&self, ctx: &Context) -> String {
        let tz = ctx.policy.timezone;
        let mut out = format!(
            "due as of {}{}: {} item{}\n\n",
            Instant(ctx.now).display_long(tz),
            self.within
                .as_ref()
                .map_or(String::new(), |w| format!(" (within {w})")),
            self.items.len(),
            if self.items.len() == 1 { "" } else { "s" }
        );
        for i in &self.items {
            let fields = i.fields.as_ref().map_or(String::new(), |m| {
                let words: Vec<String> = m
                    .iter()
                    .filter_map(|(k, v)| Some(format!("{k}: {}", v?)))
                    .collect();
                format!(" [{}]", printable(&words.join(", ")))
            });
            let _ = writeln!(
                out,
                "  {}  in {}  {}  {}: {}{fields}",
                Instant(i.at).display_long(tz),
                i.left,
                printable(&i.case),
                i.rule,
                printable(&i.message)
            );
        }
        out
    }
}
