//! `docket case --format json`: one case's checklist as a tool reads it
//! (the human view is in `case_view`).

use serde::Serialize;

use super::case_view::CaseView;
use super::due::time_left;
use super::{Context, JsonDataError, RowRef, data_errors, rows_with_errors};
use crate::eval::{Finding, RuleResult, Status};
use crate::time::Instant;

/// One rule's result for the case.
#[derive(Serialize)]
pub(crate) struct JsonCaseRule {
    /// Rule id.
    pub(crate) rule: String,
    /// The rule's title.
    pub(crate) title: String,
    /// `error` or `warning`.
    pub(crate) severity: &'static str,
    /// `pass`, `violated`, `due`, `waived` or `not-applicable`.
    pub(crate) status: &'static str,
    /// Why it passes (its pass message, in plain words) or does not apply,
    /// or its first finding's message.
    pub(crate) message: String,
    /// For a rule that is due: its first due item's deadline (that item's
    /// message is `message`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deadline: Option<String>,
    /// With `deadline`: how long is left from the as-of ("22 hours 11 minutes").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) time_left: Option<String>,
    /// The process documents and sections the rule comes from.
    pub(crate) sources: Vec<JsonSource>,
    /// Every violation and due item, each with its own message and deadline.
    pub(crate) findings: Vec<JsonCaseFinding>,
}

/// One violation or due item of a rule.
#[derive(Serialize)]
pub(crate) struct JsonCaseFinding {
    /// `violated` or `due`.
    pub(crate) status: &'static str,
    /// What is wrong, with the values.
    pub(crate) message: String,
    /// For due items: RFC 3339 in the policy's zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) deadline: Option<String>,
    /// With `deadline`: how long is left from the as-of ("22 hours 11 minutes").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) time_left: Option<String>,
    /// For ladders: the mark number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mark: Option<u64>,
    /// Rows of the case with data errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) data_errors: Vec<RowRef>,
    /// The waiver that covers it (status `waived`), or that expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) waiver: Option<super::JsonWaiver>,
}

/// `case --format json`.
#[derive(Serialize)]
pub(crate) struct JsonCase {
    /// The case number.
    pub(crate) case: String,
    /// As-of, RFC 3339 in the policy's zone.
    pub(crate) as_of: String,
    /// The policy's `fields` of the case (dates and instants in ISO 8601,
    /// `null` when missing).
    pub(crate) fields: serde_json::Map<String, serde_json::Value>,
    /// Every selected rule, in the policy's process order.
    pub(crate) rules: Vec<JsonCaseRule>,
    /// Data errors in the rows read for the case.
    pub(crate) data_errors: Vec<JsonDataError>,
    /// Data warnings in the rows read for the case.
    pub(crate) data_warnings: Vec<JsonDataError>,
}

/// A document (and section) a rule comes from.
#[derive(Serialize)]
pub(crate) struct JsonSource {
    /// The document's name.
    pub(crate) document: String,
    /// Its section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) section: Option<String>,
}

/// A due rule's first due item: its deadline and message go together.
fn first_due(r: &RuleResult) -> Option<&crate::eval::Finding> {
    if r.status != Status::Due {
        return None;
    }
    r.findings
        .iter()
        .filter(|f| f.status == Status::Due && f.deadline.is_some())
        .min_by_key(|f| f.deadline)
}

/// `case --format json` of one case, from its results.
pub(crate) fn json(ctx: &Context, view: &CaseView) -> String {
    let tz = ctx.policy.timezone;
    let left = |d: Option<i64>| d.map(|d| time_left(ctx.now, d));
    let finding = |f: &Finding| JsonCaseFinding {
        status: f.status.as_str(),
        message: f.message.clone(),
        deadline: f.deadline.map(|d| Instant(d).rfc3339(tz)),
        time_left: left(f.deadline.filter(|_| f.status == Status::Due)),
        mark: f.mark,
        data_errors: rows_with_errors(ctx, f),
        waiver: f.waiver.as_deref().map(super::JsonWaiver::of_note),
    };
    let rule = |r: &RuleResult| {
        let due = first_due(r);
        let policy_rule = ctx.policy.rules.get(r.rule);
        JsonCaseRule {
            rule: policy_rule.map_or(String::new(), |x| x.id.clone()),
            title: policy_rule.map_or(String::new(), |x| x.title.clone()),
            severity: policy_rule.map_or("error", |x| x.severity.as_str()),
            status: r.status.as_str(),
            message: due.map_or_else(|| r.reason.clone(), |f| f.message.clone()),
            deadline: due.and_then(|f| f.deadline).map(|d| Instant(d).rfc3339(tz)),
            time_left: left(due.and_then(|f| f.deadline)),
            sources: policy_rule.map_or_else(Vec::new, |x| {
                x.sources
                    .iter()
                    .map(|s| JsonSource {
                        document: s.document.clone(),
                        section: s.section.clone(),
                    })
                    .collect()
            }),
            findings: r.findings.iter().map(finding).collect(),
        }
    };
    let doc = JsonCase {
        case: view.number.to_string(),
        as_of: Instant(ctx.now).rfc3339(tz),
        fields: view
            .fields
            .iter()
            .map(|f| {
                let v = f
                    .iso
                    .clone()
                    .map_or(serde_json::Value::Null, serde_json::Value::String);
                (f.name.clone(), v)
            })
            .collect(),
        rules: view.results.iter().map(rule).collect(),
        data_errors: data_errors(&ctx.data.errors),
        data_warnings: data_errors(&ctx.data.warnings),
    };
    serde_json::to_string_pretty(&doc)
        .map(|s| s + "\n")
        .unwrap_or_default()
}
