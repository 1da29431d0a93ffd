//! `docket check` on small exports written for each rule of the bundled
//! policy: findings, statuses, messages, deadlines and exit codes, with the
//! boundaries the process documents set (see `docs/language.md` for how
//! each is evaluated).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by unwrapping"
)]

mod common;

use common::export::*;

const AS_OF: &str = "2025-12-01T12:00";

/// An export with one plain account (Standard contract, no flags).
fn base() -> Export {
    let mut e = Export::new();
    e.account(
        "A1",
        &[
            ("Account Name", "Acme"),
            ("Contract Type", "Standard"),
            ("Sales Contact", "ae@vendor.com"),
        ],
    );
    e
}

fn rule(e: &Export, as_of: &str, id: &str) -> Vec<(String, String)> {
    let d = e.dir();
    let (r, _) = check_json(d.path(), as_of, &["--rule", id]);
    of_rule(&r, id)
}

fn pair(k: &str, s: &str) -> (String, String) {
    (k.to_string(), s.to_string())
}

#[test]
fn notice_period_arms_and_the_89_90_day_boundary() {
    let mut e = base();
    // Current MSA: a Closed Won opportunity closed on 2024-06-03 (inclusive).
    e.account("MSA", &[("Contract Type", "Standard")]);
    e.opportunity(
        "O-MSA",
        "MSA",
        &[("Stage", "Closed Won"), ("Close Date", "2024-06-03")],
    );
    // Earlier MSA: closed the day before.
    e.account("OLD", &[("Contract Type", "Standard")]);
    e.opportunity(
        "O-OLD",
        "OLD",
        &[("Stage", "Closed Won"), ("Close Date", "2024-06-02")],
    );
    e.account("SPS", &[("Contract Type", "SPS")]);
    e.account(
        "CUSTOM",
        &[("Contract Type", "SPS"), ("Custom Contract Terms", "true")],
    );
    let n = |e: &mut Export, num: &str, acct: &str, from: &str, to: &str| {
        e.case(
            num,
            acct,
            "License Reduction",
            "Working",
            &[
                ("Written Notice Date", from),
                ("Requested Effective Date", to),
            ],
        );
    };
    n(&mut e, "C-90", "MSA", "2025-01-01", "2025-04-01"); // exactly 90 days
    n(&mut e, "C-89", "MSA", "2025-01-01", "2025-03-31"); // 89 days
    n(&mut e, "C-OLD", "OLD", "2025-01-01", "2025-01-02"); // earlier MSA: exempt
    n(&mut e, "C-SPS60", "SPS", "2025-01-01", "2025-03-02"); // 60 days
    n(&mut e, "C-SPS59", "SPS", "2025-01-01", "2025-03-01"); // 59 days
    n(&mut e, "C-CUSTOM", "CUSTOM", "2025-01-01", "2025-01-02"); // exempt
    n(&mut e, "C-US", "MSA", "1/1/2025", "3/31/2025"); // US dates: 89 days
    e.case(
        "C-NODATE",
        "MSA",
        "License Reduction",
        "Working",
        &[("Written Notice Date", "2025-01-01")],
    );
    let d = e.dir();
    let (r, code) = check_json(d.path(), AS_OF, &["--rule", "notice-period"]);
    assert_eq!(code, 1);
    let f = findings(&r);
    let keys: Vec<&str> = f.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["C-89", "C-SPS59", "C-US"]);
    let msg = &f[0].message;
    assert!(
        msg.contains("90 days")
            && msg.contains("2025-04-01")
            && msg.contains("current MSA")
            && msg.contains("1 day too early"),
        "{msg}"
    );
    let sps = &f[1].message;
    assert!(
        sps.contains("60 days") && sps.contains("2025-03-02") && sps.contains("SPS"),
        "{sps}"
    );
    let rules = &r["summary"]["rules"][0];
    assert_eq!(rules["rule"], "notice-period");
    // C-NODATE has no effective date: not applicable.
    assert_eq!(rules["not_applicable"], 1);
    assert_eq!(rules["evaluated"], 7);
}

#[test]
fn authorized_contact_compares_ignoring_case_and_missing_values_violate() {
    let mut e = base();
    e.account(
        "F",
        &[
            ("Account Name", "Flagged"),
            ("Authorized Contacts Only", "Yes"),
            ("Authorized Contacts", " Pat@Client.com ; ;kim@client.com"),
        ],
    );
    e.account("E", &[("Authorized Contacts Only", "TRUE")]);
    e.case(
        "C-OK",
        "F",
        "Cancellation",
        "New",
        &[("Contact Email", "pat@client.COM")],
    );
    e.case(
        "C-OTHER",
        "F",
        "Cancellation",
        "New",
        &[("Contact Email", "lee@client.com")],
    );
    e.case("C-NONE", "F", "License Reduction", "New", &[]);
    e.case(
        "C-EMPTY",
        "E",
        "License Reduction",
        "New",
        &[("Contact Email", "pat@client.com")],
    );
    e.case(
        "C-FREE",
        "A1",
        "License Reduction",
        "New",
        &[("Contact Email", "x@y.com")],
    );
    e.case(
        "C-BI",
        "F",
        "Billing Inquiry",
        "New",
        &[("Contact Email", "lee@client.com")],
    );
    let d = e.dir();
    let (r, _) = check_json(d.path(), AS_OF, &["--rule", "authorized-contact"]);
    let f = findings(&r);
    let keys: Vec<&str> = f.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["C-EMPTY", "C-NONE", "C-OTHER"]);
    assert!(
        f[2].message.contains("lee@client.com")
            && f[2].message.contains("Pat@Client.com, kim@client.com"),
        "{}",
        f[2].message
    );
    assert!(
        f[1].message.contains("no Contact Email"),
        "{}",
        f[1].message
    );
}

#[test]
fn acknowledge_first_equal_instants_pass() {
    let mut e = base();
    e.case("C-EQ", "A1", "License Reduction", "Working", &[]);
    e.event("C-EQ", "2025-03-01T10:00", "Acknowledged", "");
    e.event("C-EQ", "2025-03-01T10:00", "Terms Explained", "");
    e.case("C-LATE", "A1", "Cancellation", "Working", &[]);
    e.event("C-LATE", "2025-03-01T10:01", "Acknowledged", "");
    e.event("C-LATE", "2025-03-01T10:00", "Terms Explained", "");
    e.case(
        "C-CLOSED",
        "A1",
        "Billing Inquiry",
        "Closed",
        &[("Closed At", "2025-03-02T10:00")],
    );
    e.case("C-NEW", "A1", "Billing Inquiry", "New", &[]);
    // Rate reductions are not subject to it.
    e.case("C-RR", "A1", "Rate Reduction", "Working", &[]);
    e.event("C-RR", "2025-03-01T10:00", "Contract Sent", "");
    assert_eq!(
        rule(&e, AS_OF, "acknowledge-first"),
        [pair("C-CLOSED", "violated"), pair("C-LATE", "violated")]
    );
}

#[test]
fn written_request_on_or_before_the_local_date_of_the_first_reassignment() {
    let mut e = base();
    let c = |e: &mut Export, num: &str, wnd: &str, at: &str| {
        e.case(
            num,
            "A1",
            "License Reduction",
            "Working",
            &[("Written Notice Date", wnd)],
        );
        e.event(num, at, "Reassigned", "SalesOps");
    };
    c(&mut e, "C-SAME", "2025-03-10", "2025-03-10T23:30");
    c(&mut e, "C-AFTER", "2025-03-11", "2025-03-10T23:30");
    // 02:00 UTC on the 11th is 22:00 on the 10th in New York: local date the 10th.
    c(&mut e, "C-UTC", "2025-03-11", "2025-03-11T02:00:00Z");
    e.case(
        "C-MISSING",
        "A1",
        "Cancellation",
        "Closed",
        &[("Closed At", "2025-03-10T10:00")],
    );
    e.case("C-OPEN", "A1", "Cancellation", "Working", &[]);
    assert_eq!(
        rule(&e, AS_OF, "written-request"),
        [
            pair("C-AFTER", "violated"),
            pair("C-MISSING", "violated"),
            pair("C-UTC", "violated")
        ]
    );
}

#[test]
fn conversation_and_sales_informed_at_or_before_the_handoff() {
    let mut e = base();
    e.case("C-AT", "A1", "Cancellation", "Working", &[]);
    e.event("C-AT", "2025-03-10T10:00", "Conversation Documented", "");
    e.event("C-AT", "2025-03-10T10:00", "Sales Informed", "");
    e.event("C-AT", "2025-03-10T10:00", "Reassigned", "SalesOps");
    e.case("C-LATER", "A1", "Cancellation", "Working", &[]);
    e.event("C-LATER", "2025-03-10T10:00", "Reassigned", "SalesOps");
    e.event("C-LATER", "2025-03-10T10:01", "Conversation Documented", "");
    e.event("C-LATER", "2025-03-10T10:01", "Sales Informed", "");
    // Never reassigned: at or before Closed At.
    e.case(
        "C-CLOSED",
        "A1",
        "Cancellation",
        "Closed",
        &[("Closed At", "2025-03-12T09:00")],
    );
    e.event(
        "C-CLOSED",
        "2025-03-12T09:00",
        "Conversation Documented",
        "",
    );
    e.event("C-CLOSED", "2025-03-12T09:00:01", "Sales Informed", "");
    assert_eq!(
        rule(&e, AS_OF, "conversation-documented"),
        [pair("C-LATER", "violated")]
    );
    assert_eq!(
        rule(&e, AS_OF, "sales-informed"),
        [pair("C-CLOSED", "violated"), pair("C-LATER", "violated")]
    );
}

#[test]
fn handoff_salesops_and_cancellation_reason() {
    let mut e = base();
    e.case(
        "C-OFF",
        "A1",
        "License Reduction",
        "Working",
        &[("Email Notification", "false")],
    );
    e.event("C-OFF", "2025-03-10T10:00", "Reassigned", "SalesOps");
    e.case(
        "C-ON",
        "A1",
        "License Reduction",
        "Working",
        &[("Email Notification", "Y")],
    );
    e.event("C-ON", "2025-03-10T10:00", "Reassigned", "SalesOps");
    e.case("C-UNSET", "A1", "License Reduction", "Working", &[]);
    e.event("C-UNSET", "2025-03-10T10:00", "Reassigned", "SalesOps");
    e.case(
        "C-NOSALESOPS",
        "A1",
        "Cancellation",
        "Closed",
        &[
            ("Closed At", "2025-03-12T09:00"),
            ("Cancellation Reason", "Budget"),
        ],
    );
    e.event(
        "C-NOSALESOPS",
        "2025-03-10T10:00",
        "Reassigned",
        "Contract Management",
    );
    e.case(
        "C-NOREASON",
        "A1",
        "Cancellation",
        "Working",
        &[("Email Notification", "1")],
    );
    e.event("C-NOREASON", "2025-03-10T10:00", "Reassigned", "SalesOps");
    assert_eq!(
        rule(&e, AS_OF, "handoff-salesops"),
        [
            pair("C-NOSALESOPS", "violated"),
            pair("C-OFF", "violated"),
            pair("C-UNSET", "violated")
        ]
    );
    assert_eq!(
        rule(&e, AS_OF, "cancellation-reason"),
        [pair("C-NOREASON", "violated")]
    );
}

#[test]
fn docusign_after_the_s_and_r() {
    let mut e = base();
    let closed = [("Closed At", "2025-03-20T10:00")];
    e.case("C-OK", "A1", "Cancellation", "Closed", &closed);
    e.event("C-OK", "2025-03-10T10:00", "S&R Generated", "");
    e.event("C-OK", "2025-03-10T10:00", "DocuSign Sent", "");
    e.case("C-NEVER", "A1", "Cancellation", "Closed", &closed);
    e.event("C-NEVER", "2025-03-10T10:00", "S&R Generated", "");
    e.case("C-BEFORE", "A1", "Cancellation", "Working", &[]);
    e.event("C-BEFORE", "2025-03-10T09:00", "DocuSign Sent", "");
    e.event("C-BEFORE", "2025-03-10T10:00", "S&R Generated", "");
    e.case("C-OPEN", "A1", "Cancellation", "Working", &[]);
    e.event("C-OPEN", "2025-03-10T10:00", "S&R Generated", "");
    assert_eq!(
        rule(&e, AS_OF, "docusign-after-sr"),
        [pair("C-BEFORE", "violated"), pair("C-NEVER", "violated")]
    );
}

#[test]
fn billing_vendor_tagged_and_customer_contacted_warning() {
    let mut e = base();
    e.case(
        "C-UNTAGGED",
        "A1",
        "Billing Inquiry",
        "Closed",
        &[("Closed At", "2025-03-20T10:00")],
    );
    e.event("C-UNTAGGED", "2025-03-20T09:00", "Customer Contacted", "");
    e.case(
        "C-SILENT",
        "A1",
        "Billing Inquiry",
        "Closed",
        &[("Closed At", "2025-03-20T10:00")],
    );
    e.event("C-SILENT", "2025-03-10T10:00", "Acknowledged", "");
    e.event("C-SILENT", "2025-03-10T11:00", "Genpac Tagged", "");
    e.event("C-SILENT", "2025-03-10T12:00", "Genpac Responded", "");
    e.event("C-SILENT", "2025-03-20T10:01", "Customer Contacted", "");
    assert_eq!(
        rule(&e, AS_OF, "vendor-tagged"),
        [pair("C-UNTAGGED", "violated")]
    );
    let d = e.dir();
    let (r, code) = check_json(d.path(), AS_OF, &["--rule", "customer-contacted"]);
    assert_eq!(
        of_rule(&r, "customer-contacted"),
        [pair("C-SILENT", "violated")]
    );
    assert_eq!(r["findings"][0]["severity"], "warning");
    // Warnings never fail the run by default...
    assert_eq!(code, 0);
    // ...but do with --fail-on warning.
    let (_, code) = check_json(
        d.path(),
        AS_OF,
        &["--rule", "customer-contacted", "--fail-on", "warning"],
    );
    assert_eq!(code, 1);
}

/// A billing inquiry tagged at `t0` with more events.
fn ladder(t0: &str, more: &[(&str, &str, &str)], closed: Option<&str>) -> Export {
    let mut e = base();
    match closed {
        Some(c) => e.case("B1", "A1", "Billing Inquiry", "Closed", &[("Closed At", c)]),
        None => e.case("B1", "A1", "Billing Inquiry", "Working", &[]),
    };
    e.event("B1", t0, "Genpac Tagged", "");
    for (at, name, detail) in more {
        e.event("B1", at, name, detail);
    }
    e
}

fn ladder_findings(e: &Export, as_of: &str) -> Vec<F> {
    let d = e.dir();
    let (r, _) = check_json(d.path(), as_of, &["--rule", "vendor-followup"]);
    findings(&r)
}

#[test]
fn vendor_followup_due_then_violated_at_the_mark() {
    let e = ladder("2025-11-20T10:00", &[], None);
    // Before the first mark: nothing.
    assert!(ladder_findings(&e, "2025-11-21T09:59").is_empty());
    // At exactly +24 h the re-tag is due, until +48 h.
    let f = ladder_findings(&e, "2025-11-21T10:00");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, "due");
    assert_eq!(f[0].deadline.as_deref(), Some("2025-11-22T10:00:00-05:00"));
    // At +48 h mark 1 is missed and the escalation is due.
    let f = ladder_findings(&e, "2025-11-22T10:00");
    let s: Vec<(&str, Option<&str>)> = f
        .iter()
        .map(|f| (f.status.as_str(), f.deadline.as_deref()))
        .collect();
    assert_eq!(
        s,
        [
            ("violated", None),
            ("due", Some("2025-11-23T10:00:00-05:00"))
        ]
    );
    assert!(f[0].message.contains("mark 1"), "{}", f[0].message);
    assert!(
        f[1].message.contains("EC Billing & AR Manager"),
        "{}",
        f[1].message
    );
}

#[test]
fn vendor_followup_action_exactly_at_the_mark_satisfies_it() {
    let e = ladder(
        "2025-11-20T10:00",
        &[
            ("2025-11-21T10:00", "Genpac Tagged", ""),
            ("2025-11-22T10:00", "Escalated", "EC Billing & AR Manager"),
        ],
        None,
    );
    // Marks 1 and 2 met; mark 3 (re-tag at +72 h) due.
    let f = ladder_findings(&e, "2025-11-23T10:00");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].status, "due");
    // An escalation to someone else does not count.
    let e = ladder(
        "2025-11-20T10:00",
        &[
            ("2025-11-21T10:00", "Genpac Tagged", ""),
            ("2025-11-22T11:00", "Escalated", "Someone Else"),
        ],
        None,
    );
    // As of +72 h: mark 2 missed, mark 3 (re-tag) due.
    let f = ladder_findings(&e, "2025-11-23T10:00");
    assert_eq!(f.iter().filter(|f| f.status == "violated").count(), 1);
    assert!(f[0].message.contains("mark 2"), "{}", f[0].message);
}

#[test]
fn vendor_followup_stops_at_the_response_and_at_closing() {
    // A response exactly at the first mark: no mark is armed.
    let e = ladder(
        "2025-11-20T10:00",
        &[("2025-11-21T10:00", "Genpac Responded", "")],
        None,
    );
    assert!(ladder_findings(&e, "2025-11-30T10:00").is_empty());
    // A response after mark 2's window: mark 1 missed, mark 2 missed, then stop.
    let e = ladder(
        "2025-11-20T10:00",
        &[("2025-11-23T12:00", "Genpac Responded", "")],
        None,
    );
    let f = ladder_findings(&e, "2025-11-30T10:00");
    let marks: Vec<bool> = f.iter().map(|f| f.status == "violated").collect();
    assert_eq!(marks, [true, true], "{f:?}");
    // Closed at +30 h: mark 1's window had not ended; nothing is due after closing.
    let e = ladder("2025-11-20T10:00", &[], Some("2025-11-21T16:00"));
    assert!(ladder_findings(&e, "2025-11-30T10:00").is_empty());
    // Closed At after as-of is ignored: the case counts as open.
    let e = ladder("2025-11-20T10:00", &[], Some("2025-12-30T16:00"));
    let f = ladder_findings(&e, "2025-11-21T11:00");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, "due");
    // A response before the first tag does not stop the ladder.
    let e = ladder(
        "2025-11-20T10:00",
        &[("2025-11-19T10:00", "Genpac Responded", "")],
        None,
    );
    assert_eq!(ladder_findings(&e, "2025-11-21T11:00").len(), 1);
}

#[test]
fn vendor_followup_marks_are_elapsed_hours_across_dst() {
    // 2025-11-01 12:00 EDT; clocks go back on 2025-11-02. +24 h is 11:00 EST.
    let e = ladder("2025-11-01T12:00", &[], None);
    assert!(ladder_findings(&e, "2025-11-02T10:59").is_empty());
    let f = ladder_findings(&e, "2025-11-02T11:00");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].deadline.as_deref(), Some("2025-11-03T11:00:00-05:00"));
    // A re-tag at 11:30 EST (23 h 30 m by the wall clock, 24 h 30 m elapsed) meets mark 1.
    let e = ladder(
        "2025-11-01T12:00",
        &[("2025-11-02T11:30", "Genpac Tagged", "")],
        None,
    );
    let f = ladder_findings(&e, "2025-11-03T11:00");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].status, "due");
    assert!(f[0].message.contains("mark 2"), "{}", f[0].message);
}

#[test]
fn vendor_followup_years_later_lists_every_missed_mark() {
    let e = ladder("2020-01-01T10:00", &[], None);
    let f = ladder_findings(&e, "2030-01-01T10:00");
    // 2020-01-01 10:00 + 24 h·k up to 2030-01-01 10:00: 3653 marks, the
    // last of them due; 3652 missed, each a finding, in mark order.
    assert_eq!(f.len(), 3653, "{:?}", f.last());
    assert!(f[..3652].iter().all(|x| x.status == "violated"));
    assert!(
        f[3651].message.starts_with("mark 3652 missed"),
        "{}",
        f[3651].message
    );
    assert_eq!(f[3652].status, "due");
}

#[test]
fn rate_reduction_rules() {
    let mut e = base();
    e.account("R", &[("Renewal Date", "2025-06-01")]);
    e.opportunity(
        "O-OK",
        "R",
        &[
            ("Stage", "Closed Won"),
            ("Placeholder Request", "true"),
            ("Quotes Submitted", "1"),
            ("Segment Leader Approved At", "2025-05-30T09:00"),
        ],
    );
    e.case(
        "RR-OK",
        "R",
        "Rate Reduction",
        "Closed",
        &[
            ("Closed At", "2025-06-02T10:00"),
            ("Opportunity ID", "O-OK"),
        ],
    );
    e.event("RR-OK", "2025-06-01T09:00", "Contract Sent", "");
    // No opportunity: linked fails when not New; other rr rules do not apply.
    e.case("RR-NOOPP", "R", "Rate Reduction", "Working", &[]);
    e.case("RR-NEW", "R", "Rate Reduction", "New", &[]);
    // Two quotes, no placeholder, approval after the contract, contract on a
    // day that is the 31st in New York, closed case with an open opportunity.
    e.opportunity(
        "O-BAD",
        "R",
        &[
            ("Stage", "Negotiation"),
            ("Quotes Submitted", "2"),
            ("Segment Leader Approved At", "2025-06-01T02:00:00Z"),
        ],
    );
    e.case(
        "RR-BAD",
        "R",
        "Rate Reduction",
        "Closed",
        &[
            ("Closed At", "2025-06-02T10:00"),
            ("Opportunity ID", "O-BAD"),
        ],
    );
    e.event("RR-BAD", "2025-06-01T01:00:00Z", "Contract Sent", "");
    // Opportunity closed, case still open; approval exactly at the contract.
    e.opportunity(
        "O-OPEN",
        "R",
        &[
            ("Stage", "Closed Lost"),
            ("Segment Leader Approved At", "2025-06-01T09:00"),
        ],
    );
    e.case(
        "RR-OPEN",
        "R",
        "Rate Reduction",
        "Working",
        &[("Opportunity ID", "O-OPEN")],
    );
    e.event("RR-OPEN", "2025-06-01T09:00", "Contract Sent", "");
    // Missing Quotes Submitted counts as 0; missing approval violates.
    e.opportunity("O-NOAPP", "R", &[("Stage", "Prospecting")]);
    e.case(
        "RR-NOAPP",
        "R",
        "Rate Reduction",
        "Working",
        &[("Opportunity ID", "O-NOAPP")],
    );
    e.event("RR-NOAPP", "2025-06-01T09:00", "Contract Sent", "");
    let d = e.dir();
    let (r, _) = check_json(d.path(), AS_OF, &[]);
    let v = |id| of_rule(&r, id);
    assert_eq!(v("rr-opportunity-linked"), [pair("RR-NOOPP", "violated")]);
    assert_eq!(
        v("rr-placeholder-before-quote"),
        [pair("RR-BAD", "violated")]
    );
    assert_eq!(v("rr-single-quote"), [pair("RR-BAD", "violated")]);
    assert_eq!(
        v("rr-approval-before-contract"),
        [pair("RR-BAD", "violated"), pair("RR-NOAPP", "violated")]
    );
    assert_eq!(v("rr-contract-on-renewal"), [pair("RR-BAD", "violated")]);
    assert_eq!(
        v("rr-closed-together"),
        [pair("RR-BAD", "violated"), pair("RR-OPEN", "violated")]
    );
    let f = findings(&r);
    let renewal = f
        .iter()
        .find(|f| f.rule == "rr-contract-on-renewal")
        .unwrap();
    assert!(
        renewal.message.contains("2025-06-01") && renewal.message.contains("31 May 2025"),
        "{}",
        renewal.message
    );
}

#[test]
fn as_of_hides_later_events_and_closing() {
    let mut e = base();
    e.case(
        "C1",
        "A1",
        "Cancellation",
        "Closed",
        &[
            ("Closed At", "2025-03-12T09:00"),
            ("Cancellation Reason", "Budget"),
        ],
    );
    e.event("C1", "2025-03-10T10:00", "Acknowledged", "");
    // As of the 11th the case is open and not handed on: nothing to report.
    let d = e.dir();
    let (r, code) = check_json(d.path(), "2025-03-11", &[]);
    assert_eq!(findings(&r), []);
    assert_eq!(code, 0);
    assert_eq!(r["as_of"], "2025-03-11T00:00:00-04:00");
    let (r, _) = check_json(d.path(), "2025-03-13", &[]);
    let rules: Vec<String> = findings(&r).into_iter().map(|f| f.rule).collect();
    assert_eq!(
        rules,
        [
            "conversation-documented",
            "handoff-salesops",
            "sales-informed",
            "written-request"
        ]
    );
}

#[test]
fn json_report_shape() {
    let mut e = base();
    e.case(
        "C1",
        "A1",
        "Cancellation",
        "Closed",
        &[("Closed At", "2025-03-12T09:00")],
    );
    let d = e.dir();
    let (r, code) = check_json(d.path(), AS_OF, &["--rule", "cancellation-reason"]);
    assert_eq!(code, 1);
    let f = &r["findings"][0];
    assert_eq!(f["rule"], "cancellation-reason");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["status"], "violated");
    assert_eq!(f["key"], "C1");
    assert!(f.get("deadline").is_none());
    assert!(
        f["policy_span"]["file"]
            .as_str()
            .unwrap()
            .ends_with("requests.docket")
    );
    assert!(f["policy_span"]["line"].as_u64().unwrap() > 1);
    assert_eq!(f["policy_span"]["column"], 1);
    assert!(
        f["rows"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("cases.csv")
    );
    assert_eq!(f["rows"][0]["line"], 2);
    assert_eq!(r["policy"]["name"], "CCC customer requests");
    assert_eq!(r["summary"]["cases"], 1);
    assert_eq!(r["summary"]["violated"], 1);
    assert_eq!(r["data_errors"].as_array().unwrap().len(), 0);
    assert_eq!(r["as_of"], "2025-12-01T12:00:00-05:00");
}

#[test]
fn broken_references_are_data_errors_and_only_rules_reading_them_are_skipped() {
    let mut e = base();
    e.case(
        "C1",
        "NOPE",
        "Cancellation",
        "Closed",
        &[
            ("Closed At", "2025-03-12T09:00"),
            ("Written Notice Date", "2025-01-01"),
            ("Requested Effective Date", "2025-01-02"),
        ],
    );
    let d = e.dir();
    let (r, code) = check_json(d.path(), AS_OF, &[]);
    assert_eq!(code, 1);
    let errs = r["data_errors"].as_array().unwrap();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0]["line"], 2);
    assert_eq!(errs[0]["column"], "Account ID");
    let rules: Vec<String> = findings(&r).into_iter().map(|f| f.rule).collect();
    // Reading the account: notice-period is not evaluated; the rest are.
    assert!(!rules.contains(&"notice-period".to_string()), "{rules:?}");
    assert!(
        rules.contains(&"cancellation-reason".to_string()),
        "{rules:?}"
    );
    assert!(rules.contains(&"sales-informed".to_string()), "{rules:?}");
}

#[test]
fn shuffled_rows_and_thread_counts_give_the_same_findings() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    assert_cmd::Command::cargo_bin("docket")
        .unwrap()
        .args(["gen", "--cases", "400", "--seed", "7", "--out"])
        .arg(&data)
        .assert()
        .success();
    // Reverse the data rows of every file (keeping the header first).
    let shuffled = dir.path().join("shuffled");
    std::fs::create_dir(&shuffled).unwrap();
    for name in [
        "accounts.csv",
        "opportunities.csv",
        "cases.csv",
        "case_events.csv",
    ] {
        let text = std::fs::read_to_string(data.join(name)).unwrap();
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut recs: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
        let header = recs.remove(0);
        // A fixed interleaving: odd rows reversed, then even rows.
        let (odd, even): (Vec<_>, Vec<_>) =
            recs.into_iter().enumerate().partition(|(i, _)| i % 2 == 1);
        let mut w = csv::Writer::from_path(shuffled.join(name)).unwrap();
        w.write_record(&header).unwrap();
        for (_, r) in odd.into_iter().rev().chain(even) {
            w.write_record(&r).unwrap();
        }
        w.flush().unwrap();
    }
    let strip = |mut v: serde_json::Value| {
        for f in v["findings"].as_array_mut().unwrap() {
            f.as_object_mut().unwrap().remove("rows");
        }
        v["summary"]["files"] = serde_json::Value::Null;
        v["policy"]["path"] = serde_json::Value::Null;
        v
    };
    let (a, _) = check_json(&data, AS_OF, &["--threads", "1"]);
    let (b, _) = check_json(&data, AS_OF, &["--threads", "2"]);
    assert_eq!(a, b);
    let (c, _) = check_json(&shuffled, AS_OF, &[]);
    assert!(!a["findings"].as_array().unwrap().is_empty());
    assert_eq!(strip(a), strip(c));
}

#[test]
fn other_formats() {
    let mut e = base();
    e.case(
        "C1",
        "A1",
        "Cancellation",
        "Closed",
        &[("Closed At", "2025-03-12T09:00")],
    );
    e.case(
        "C2",
        "A1",
        "Cancellation",
        "Closed",
        &[
            ("Closed At", "2025-03-12T09:00"),
            ("Cancellation Reason", "Budget, \"mostly\""),
        ],
    );
    let d = e.dir();
    let out = check_cmd(d.path(), AS_OF, &["--format", "ndjson"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (last, finds) = lines.split_last().unwrap();
    assert!(
        finds
            .iter()
            .all(|f| f["rule"].is_string() && f["key"].is_string())
    );
    assert_eq!(
        last["summary"]["violated"].as_u64().unwrap() as usize,
        finds.len()
    );
    let out = check_cmd(d.path(), AS_OF, &["--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut rdr = csv::Reader::from_reader(&out.stdout[..]);
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[0], "rule");
    let kind = headers.iter().position(|h| h == "kind").unwrap();
    let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let of_kind = |k: &str| records.iter().filter(|r| &r[kind] == k).count();
    assert_eq!(of_kind("finding"), finds.len());
    // The export has no events and no opportunities: each file is a data
    // warning, after the findings.
    assert_eq!(of_kind("data-warning"), 2);
    assert_eq!(records.len(), finds.len() + 2);
    let out = check_cmd(d.path(), AS_OF, &[]).output().unwrap();
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(
        human.contains("cancellation-reason") && human.contains("C1"),
        "{human}"
    );
    assert!(human.contains("cases.csv:2"), "{human}");
    assert!(human.contains("as of Mon 1 Dec 2025 12:00 EST"), "{human}");
    assert!(!human.contains('\u{1b}'), "no colour off a terminal");
}

#[test]
fn run_errors_exit_2() {
    let e = base();
    let d = e.dir();
    let bad = |extra: &[&str], needle: &str| {
        let as_of = if extra.contains(&"--as-of") {
            ""
        } else {
            AS_OF
        };
        let out = check_cmd(d.path(), as_of, extra).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{extra:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{extra:?}: {err}");
    };
    bad(&["--rule", "notice-periods"], "notice-period");
    bad(&["--as-of", "yesterday"], "docket::cli::as-of");
    bad(&["--table", "cases"], "docket::cli::table");
    bad(&["--threads", "0"], "docket::cli::threads");
    let out = assert_cmd::Command::cargo_bin("docket")
        .unwrap()
        .args(["check", "--policy", "no/such/policy", "--data"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A missing column: named, with the closest header.
    let text = std::fs::read_to_string(d.path().join("cases.csv")).unwrap();
    std::fs::write(
        d.path().join("cases.csv"),
        text.replacen("Closed At", "Closed Att", 1),
    )
    .unwrap();
    bad(&[], "Closed Att");
}

#[test]
fn data_errors_fail_the_run_but_the_audit_goes_on() {
    let mut e = base();
    e.case(
        "C1",
        "A1",
        "Cancellation",
        "Closed",
        &[
            ("Closed At", "2025-03-12T09:00"),
            ("Written Notice Date", "Q3 2025"),
        ],
    );
    e.case("C2", "A1", "Cancellation", "Working", &[]);
    let d = e.dir();
    let (r, code) = check_json(d.path(), AS_OF, &[]);
    assert_eq!(code, 1);
    assert_eq!(r["data_errors"][0]["line"], 2);
    assert_eq!(r["data_errors"][0]["column"], "Written Notice Date");
    assert_eq!(r["summary"]["cases"], 2);
    // The unreadable date reads as missing: written-request, which needs a
    // written notice date, is violated, and says the case reads a row with
    // a data error; the other rules run as usual.
    let written: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "written-request")
        .collect();
    assert_eq!(written.len(), 1, "{r}");
    assert_eq!(written[0]["key"], "C1");
    assert_eq!(written[0]["data_errors"][0]["line"], 2);
    let rules: Vec<String> = findings(&r).into_iter().map(|f| f.rule).collect();
    assert!(
        rules.contains(&"cancellation-reason".to_string()),
        "{rules:?}"
    );
    // C2 read cleanly: its findings carry no data errors.
    for f in r["findings"].as_array().unwrap() {
        if f["key"] == "C2" {
            assert!(f.get("data_errors").is_none(), "{f}");
        }
    }
}

#[test]
fn an_as_of_the_clocks_skip_or_repeat_is_read_as_rfc_5545_says_with_a_warning() {
    let d = base().dir();
    for (as_of, shown) in [
        ("2025-03-09T02:30", "2025-03-09T03:30:00-04:00"),
        ("2025-11-02T01:30", "2025-11-02T01:30:00-04:00"),
    ] {
        let out = check_cmd(d.path(), as_of, &["--format", "json"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{as_of}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("docket::cli::as-of-shifted"), "{err}");
        assert!(err.contains(shown), "{err}");
        let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(r["as_of"], shown);
    }
}

#[test]
fn output_file_and_quiet() {
    let mut e = base();
    e.case(
        "C1",
        "A1",
        "Cancellation",
        "Closed",
        &[("Closed At", "2025-03-12T09:00")],
    );
    let d = e.dir();
    let reports = tempfile::tempdir().unwrap();
    let out_file = reports.path().join("report.json");
    let out = check_cmd(
        d.path(),
        AS_OF,
        &[
            "--format",
            "json",
            "--quiet",
            "--output",
            out_file.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(v["summary"]["cases"], 1);
    let out = check_cmd(d.path(), AS_OF, &["--output", "/no/such/dir/report.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("docket::io::write"));
}

#[test]
fn csv_has_one_header_when_a_chunk_of_cases_has_no_finding() {
    let d = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("docket")
        .unwrap()
        .args(["gen", "--cases", "3000", "--seed", "3", "--out"])
        .arg(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Few cases break rr-single-quote: most chunks of 256 cases have none.
    let out = check_cmd(
        d.path(),
        AS_OF,
        &["--format", "csv", "--rule", "rr-single-quote"],
    )
    .output()
    .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("rule,severity,status").count(), 1, "{text}");
    assert!(text.lines().count() > 1);
}
