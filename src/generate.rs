//! A generator of export format v1 (`docket gen`): realistic accounts,
//! opportunities, cases and case histories, deterministic for a seed, for
//! benchmarks, tests and trying docket out.
//!
//! This is a test-data tool for one export format, so it names format v1's
//! headers and event names; the checking engine never does.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenOptions {
    /// Number of cases.
    pub cases: usize,
    /// Random seed: the same seed gives the same files.
    pub seed: u64,
    /// Fraction of dates written US-style (`6/3/2024`, `11/21/2025 1:44 PM`).
    pub us_dates: f64,
    /// Fraction of rows with a deliberate data error.
    pub errors: f64,
    /// Write CRLF line ends.
    pub crlf: bool,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            cases: 1000,
            seed: 1,
            us_dates: 0.1,
            errors: 0.0,
            crlf: false,
        }
    }
}

/// Rows written per file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct GenReport {
    /// accounts.csv rows.
    pub(crate) accounts: usize,
    /// opportunities.csv rows.
    pub(crate) opportunities: usize,
    /// cases.csv rows.
    pub(crate) cases: usize,
    /// case_events.csv rows.
    pub(crate) events: usize,
    /// Bytes written in all.
    pub(crate) bytes: u64,
}

struct Writer {
    out: BufWriter<File>,
    eol: &'static [u8],
    bytes: u64,
    rows: usize,
}

impl Writer {
    fn create(path: &Path, crlf: bool) -> std::io::Result<Writer> {
        Ok(Writer {
            out: BufWriter::with_capacity(1 << 20, File::create(path)?),
            eol: if crlf { b"\r\n" } else { b"\n" },
            bytes: 0,
            rows: 0,
        })
    }

    fn row(&mut self, fields: &[&str]) -> std::io::Result<()> {
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.out.write_all(b",")?;
                self.bytes += 1;
            }
            if f.contains([',', '"', '\n', '\r']) {
                let q = format!("\"{}\"", f.replace('"', "\"\""));
                self.out.write_all(q.as_bytes())?;
                self.bytes += q.len() as u64;
            } else {
                self.out.write_all(f.as_bytes())?;
                self.bytes += f.len() as u64;
            }
        }
        self.out.write_all(self.eol)?;
        self.bytes += self.eol.len() as u64;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<(usize, u64)> {
        self.out.flush()?;
        Ok((self.rows.saturating_sub(1), self.bytes))
    }
}

struct Gen {
    rng: ChaCha8Rng,
    us: f64,
    errors: f64,
}

/// Headers of accounts.csv in export format v1.
pub const ACCOUNTS: &[&str] = &[
    "Account ID",
    "Account Name",
    "Authorized Contacts Only",
    "Authorized Contacts",
    "Sales Contact",
    "Contract Type",
    "Custom Contract Terms",
    "Renewal Date",
];
/// Headers of opportunities.csv in export format v1.
pub const OPPORTUNITIES: &[&str] = &[
    "Opportunity ID",
    "Account ID",
    "Stage",
    "Type",
    "Close Date",
    "Placeholder Request",
    "Quotes Submitted",
    "Segment Leader Approved At",
];
/// Headers of cases.csv in export format v1.
pub const CASES: &[&str] = &[
    "Case Number",
    "Account ID",
    "Type",
    "Status",
    "Contact Email",
    "Opened At",
    "Closed At",
    "Owner",
    "Email Notification",
    "Written Notice Date",
    "Requested Effective Date",
    "Cancellation Reason",
    "Opportunity ID",
];
/// Headers of case_events.csv in export format v1.
pub const EVENTS: &[&str] = &["Case Number", "Timestamp", "Event", "Actor", "Detail"];

const FIRST: &[&str] = &[
    "ann", "bob", "cara", "dev", "eli", "fay", "gus", "hana", "ivo", "jo", "kim", "lee",
];
const REASONS: &[&str] = &[
    "Budget cuts",
    "Switching vendor",
    "Company closing",
    "Too expensive, and slow",
    "Merger",
];
const OWNERS: &[&str] = &[
    "Dana Reyes",
    "Eve Park",
    "Sam Ortiz",
    "Lu Chen",
    "Contract Management",
];

impl Gen {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs.get(self.rng.random_range(0..xs.len()))
            .copied()
            .unwrap_or("")
    }

    fn date(&mut self, d: NaiveDate) -> String {
        if self.chance(self.us) {
            d.format("%-m/%-d/%Y").to_string()
        } else {
            d.format("%Y-%m-%d").to_string()
        }
    }

    fn datetime(&mut self, t: NaiveDateTime) -> String {
        let ny = chrono_tz::America::New_York;
        match ny.from_local_datetime(&t) {
            chrono::LocalResult::Single(_) => {}
            // A local time in a DST gap or overlap is written with its offset,
            // so generated data carries no accidental errors.
            chrono::LocalResult::Ambiguous(z, _) => {
                return z.format("%Y-%m-%dT%H:%M:%S%:z").to_string();
            }
            chrono::LocalResult::None => {
                return match ny.from_local_datetime(&(t + Duration::hours(1))).earliest() {
                    Some(z) => z.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                    None => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                };
            }
        }
        if self.chance(self.us) {
            t.format("%-m/%-d/%Y %-I:%M %p").to_string()
        } else if self.chance(0.2) {
            // With the zone's offset, as some CRMs export.
            match chrono_tz::America::New_York
                .from_local_datetime(&t)
                .single()
            {
                Some(z) => z.format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                None => t.format("%Y-%m-%d %H:%M").to_string(),
            }
        } else if self.chance(0.2) {
            t.format("%Y-%m-%d %H:%M").to_string()
        } else {
            t.format("%Y-%m-%dT%H:%M:%S").to_string()
        }
    }

    /// A local business-hours time (never in a DST gap).
    fn business_time(&mut self, day: NaiveDate) -> NaiveDateTime {
        let h = self.rng.random_range(8..18);
        let m = self.rng.random_range(0..60);
        NaiveDateTime::new(
            day,
            NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN),
        )
    }

    fn day_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(1);
        from + Duration::days(self.rng.random_range(0..span))
    }

    fn email(&mut self, domain: &str) -> String {
        let name = self.pick(FIRST);
        let n: u32 = self.rng.random_range(1..50);
        format!("{name}{n}@{domain}")
    }

    /// Spoils a value now and then, when errors were asked for.
    fn maybe_bad(&mut self, good: String, bad: &str) -> String {
        if self.errors > 0.0 && self.chance(self.errors) {
            bad.to_string()
        } else {
            good
        }
    }
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or(NaiveDate::MIN)
}

#[derive(Clone)]
struct Account {
    id: String,
    contacts: Vec<String>,
    renewal: NaiveDate,
}

/// Writes accounts.csv, opportunities.csv, cases.csv and case_events.csv into `dir`.
pub fn generate(dir: &Path, opts: &GenOptions) -> std::io::Result<GenReport> {
    std::fs::create_dir_all(dir)?;
    let mut g = Gen {
        rng: ChaCha8Rng::seed_from_u64(opts.seed),
        us: opts.us_dates,
        errors: opts.errors,
    };
    let mut acc = Writer::create(&dir.join("accounts.csv"), opts.crlf)?;
    let accounts = write_accounts(&mut g, (opts.cases / 8).max(3), &mut acc)?;
    let (n_acc, b_acc) = acc.finish()?;
    let mut out = Files {
        opp: Writer::create(&dir.join("opportunities.csv"), opts.crlf)?,
        cases: Writer::create(&dir.join("cases.csv"), opts.crlf)?,
        events: Writer::create(&dir.join("case_events.csv"), opts.crlf)?,
        opp_count: 0,
    };
    out.opp.row(OPPORTUNITIES)?;
    for a in &accounts {
        write_opportunities(&mut g, a, &mut out)?;
    }
    out.cases.row(CASES)?;
    out.events.row(EVENTS)?;
    for i in 0..opts.cases {
        write_case(&mut g, i, &accounts, &mut out)?;
    }
    let (n_cases, b_cases) = out.cases.finish()?;
    let (n_events, b_events) = out.events.finish()?;
    let (n_opp, b_opp) = out.opp.finish()?;
    Ok(GenReport {
        accounts: n_acc,
        opportunities: n_opp,
        cases: n_cases,
        events: n_events,
        bytes: b_acc + b_opp + b_cases + b_events,
    })
}

/// The files cases write into, and the opportunities numbered so far.
struct Files {
    opp: Writer,
    cases: Writer,
    events: Writer,
    opp_count: usize,
}

/// `n` accounts: some flagged for authorized contacts only, a quarter SPS.
fn write_accounts(g: &mut Gen, n: usize, acc: &mut Writer) -> std::io::Result<Vec<Account>> {
    acc.row(ACCOUNTS)?;
    let mut accounts = Vec::with_capacity(n);
    for i in 0..n {
        let id = format!("A-{:06}", i + 1);
        let domain = format!("client{}.com", i + 1);
        let contacts: Vec<String> = (0..g.rng.random_range(0..4))
            .map(|_| g.email(&domain))
            .collect();
        let only = g.chance(0.3);
        let sps = g.chance(0.25);
        let custom = g.chance(0.1);
        let renewal = g.day_between(d(2025, 1, 1), d(2026, 12, 31));
        let only_s = if only {
            "Yes"
        } else if g.chance(0.5) {
            "No"
        } else {
            ""
        }
        .to_string();
        let renewal_s = g.date(renewal);
        let sales = g.email("sales.example.com");
        let name = format!("Client {} Inc.", i + 1);
        let joined = contacts.join("; ");
        let custom_s = if custom { "true" } else { "false" }.to_string();
        let custom_s = g.maybe_bad(custom_s, "maybe");
        acc.row(&[
            &id,
            &name,
            &only_s,
            &joined,
            &sales,
            if sps { "SPS" } else { "Standard" },
            &custom_s,
            &renewal_s,
        ])?;
        accounts.push(Account {
            id,
            contacts,
            renewal,
        });
    }
    Ok(accounts)
}

/// An account's opportunities: none to two, some closed won around the
/// current MSA's start.
fn write_opportunities(g: &mut Gen, a: &Account, out: &mut Files) -> std::io::Result<()> {
    for _ in 0..g.rng.random_range(0..3) {
        out.opp_count += 1;
        let id = format!("O-{:06}", out.opp_count);
        let stage = g.pick(&["Closed Won", "Closed Won", "Closed Lost", "Prospecting"]);
        // Around the current MSA's start (2024-06-03), that day included.
        let close = if g.chance(0.05) {
            d(2024, 6, 3)
        } else {
            g.day_between(d(2023, 1, 1), d(2025, 11, 1))
        };
        let close_s = g.date(close);
        let ty = g.pick(&["New Business", "Renewal"]);
        out.opp
            .row(&[&id, &a.id, stage, ty, &close_s, "", "", ""])?;
    }
    Ok(())
}

/// What a case's history made of it.
struct Draft<'s> {
    events: Vec<(NaiveDateTime, &'s str, String, String)>,
    /// The time of the last event so far.
    t: NaiveDateTime,
    closed: Option<NaiveDateTime>,
    notice: Option<NaiveDate>,
    effective: Option<NaiveDate>,
    reason: String,
    email_notification: bool,
    opp_id: String,
}

impl Draft<'_> {
    /// A later time: `lo..hi` minutes after the last.
    fn step(&mut self, g: &mut Gen, lo: i64, hi: i64) -> NaiveDateTime {
        self.t += Duration::minutes(g.rng.random_range(lo..hi));
        self.t
    }
}

/// Case `i`: its row and its history, of one of the four kinds.
fn write_case(g: &mut Gen, i: usize, accounts: &[Account], out: &mut Files) -> std::io::Result<()> {
    let number = format!("C-{:07}", i + 1);
    let ai = g.rng.random_range(0..accounts.len());
    let a = accounts.get(ai).cloned().unwrap_or(Account {
        id: String::new(),
        contacts: Vec::new(),
        renewal: d(2025, 1, 1),
    });
    let kind = match g.rng.random_range(0..100) {
        0..30 => "License Reduction",
        30..55 => "Cancellation",
        55..85 => "Billing Inquiry",
        _ => "Rate Reduction",
    };
    let day = g.day_between(d(2024, 1, 2), d(2025, 11, 15));
    let opened = g.business_time(day);
    let owner = g.pick(OWNERS);
    let contact = match a.contacts.first() {
        Some(c) if g.chance(0.85) => capitalized(c),
        _ => g.email("someone.org"),
    };
    let t = opened + Duration::minutes(g.rng.random_range(5..240));
    let actor = owner.to_string();
    let mut draft = Draft {
        events: Vec::new(),
        t,
        closed: None,
        notice: None,
        effective: None,
        reason: String::new(),
        email_notification: false,
        opp_id: String::new(),
    };
    if g.chance(0.93) {
        draft
            .events
            .push((t, "Acknowledged", actor.clone(), String::new()));
    }
    draft.email_notification = g.chance(0.9);
    match kind {
        "License Reduction" | "Cancellation" => request(g, kind, opened, &actor, &mut draft),
        "Billing Inquiry" => billing(g, &actor, &mut draft),
        _ => rate_reduction(g, &a, opened, &mut draft, out)?,
    }
    write_case_row(
        g,
        &number,
        &a,
        kind,
        opened,
        owner,
        &contact,
        &draft,
        &mut out.cases,
    )?;
    // Histories come out in no particular order.
    let mut events = draft.events;
    let n = events.len();
    for i in (1..n).rev() {
        let j = g.rng.random_range(0..=i);
        events.swap(i, j);
    }
    for (at, name, who, detail) in events {
        let at_s = g.datetime(at);
        let at_s = g.maybe_bad(at_s, "yesterday");
        out.events.row(&[&number, &at_s, name, &who, &detail])?;
    }
    Ok(())
}

/// A license reduction or cancellation: notice, terms, documentation, the
/// hand-off to SalesOps, the S&R and DocuSign.
fn request(g: &mut Gen, kind: &str, opened: NaiveDateTime, actor: &str, c: &mut Draft) {
    if g.chance(0.85) {
        let n = opened.date() + Duration::days(g.rng.random_range(0..10));
        c.notice = Some(n);
        // 89 vs 90 days: both sides of the boundary occur.
        let days = *[45i64, 59, 60, 61, 89, 90, 91, 120]
            .get(g.rng.random_range(0..8))
            .unwrap_or(&90);
        c.effective = Some(n + Duration::days(days));
    }
    let tt = c.step(g, 30, 3000);
    c.events
        .push((tt, "Terms Explained", actor.to_string(), String::new()));
    if g.chance(0.9) {
        let tt = c.step(g, 10, 600);
        c.events.push((
            tt,
            "Conversation Documented",
            actor.to_string(),
            String::new(),
        ));
    }
    if kind == "Cancellation" {
        if g.chance(0.85) {
            c.reason = g.pick(REASONS).to_string();
        }
        if g.chance(0.85) {
            let tt = c.step(g, 10, 600);
            c.events
                .push((tt, "Sales Informed", actor.to_string(), String::new()));
        }
    }
    if g.chance(0.8) {
        let tt = c.step(g, 60, 5000);
        let detail = if g.chance(0.9) {
            "SalesOps"
        } else {
            "Contract Management"
        };
        c.events
            .push((tt, "Reassigned", actor.to_string(), detail.to_string()));
        c.email_notification = g.chance(0.9);
        if kind == "Cancellation" && g.chance(0.7) {
            let tt = c.step(g, 600, 8000);
            c.events
                .push((tt, "S&R Generated", "SalesOps".to_string(), String::new()));
            if g.chance(0.85) {
                let tt = c.step(g, 60, 4000);
                c.events
                    .push((tt, "DocuSign Sent", "SalesOps".to_string(), String::new()));
            }
        }
        if g.chance(0.7) {
            c.closed = Some(c.step(g, 600, 20000));
        }
    }
}

/// A billing inquiry: Genpac tagged, re-tagged and escalated every 24
/// hours until it answers (or never), then the customer contacted.
fn billing(g: &mut Gen, actor: &str, c: &mut Draft) {
    let tag = c.step(g, 10, 300);
    if !g.chance(0.95) {
        if g.chance(0.5) {
            c.closed = Some(c.step(g, 60, 3000));
        }
        return;
    }
    c.events.push((
        tag,
        "Genpac Tagged",
        actor.to_string(),
        "Genpac AR".to_string(),
    ));
    // Genpac answers after some hours, or never.
    let answer_h: Option<i64> = if g.chance(0.7) {
        Some(g.rng.random_range(1..150))
    } else {
        None
    };
    let horizon_h = answer_h.unwrap_or(g.rng.random_range(10..200));
    let mut k = 1i64;
    while 24 * k < horizon_h {
        if g.chance(0.8) {
            let at =
                tag + Duration::hours(24 * k) + Duration::minutes(g.rng.random_range(0..(23 * 60)));
            if k % 2 == 1 {
                c.events.push((
                    at,
                    "Genpac Tagged",
                    actor.to_string(),
                    "Genpac AR".to_string(),
                ));
            } else {
                let detail = if g.chance(0.9) {
                    "EC Billing & AR Manager"
                } else {
                    "Billing Team"
                };
                c.events
                    .push((at, "Escalated", actor.to_string(), detail.to_string()));
            }
        }
        k += 1;
    }
    if let Some(h) = answer_h {
        let at = tag + Duration::hours(h);
        c.events
            .push((at, "Genpac Responded", "Genpac".to_string(), String::new()));
        c.t = at;
        if g.chance(0.85) {
            let tt = c.step(g, 10, 600);
            c.events
                .push((tt, "Customer Contacted", actor.to_string(), String::new()));
        }
        if g.chance(0.8) {
            c.closed = Some(c.step(g, 10, 900));
        }
    } else if g.chance(0.85) {
        // No answer: most such cases are still closed after a while.
        let at = tag + Duration::hours(horizon_h + g.rng.random_range(1..48));
        c.closed = Some(at);
    }
}

/// A rate reduction: an opportunity with quotes and approval, the contract
/// sent on (or near) the renewal date.
fn rate_reduction(
    g: &mut Gen,
    a: &Account,
    opened: NaiveDateTime,
    c: &mut Draft,
    out: &mut Files,
) -> std::io::Result<()> {
    c.notice = Some(opened.date());
    c.effective = Some(a.renewal);
    if !g.chance(0.9) {
        return Ok(());
    }
    out.opp_count += 1;
    c.opp_id = format!("O-{:06}", out.opp_count);
    let quotes = *[0usize, 1, 1, 1, 2]
        .get(g.rng.random_range(0..5))
        .unwrap_or(&1);
    let placeholder = if g.chance(0.85) { "yes" } else { "no" };
    let approved = c.step(g, 600, 20000);
    let approved_s = if g.chance(0.85) {
        g.datetime(approved)
    } else {
        String::new()
    };
    let done = g.chance(0.6);
    let stage = if done { "Closed Won" } else { "Prospecting" };
    if done {
        let day = if g.chance(0.8) {
            a.renewal
        } else {
            a.renewal + Duration::days(3)
        };
        let sent = g.business_time(day);
        c.events.push((
            sent,
            "Contract Sent",
            "Contract Management".to_string(),
            String::new(),
        ));
        if g.chance(0.9) {
            c.closed = Some(sent + Duration::hours(2));
        }
    }
    let close_s = g.date(a.renewal);
    let q = g.maybe_bad(quotes.to_string(), "two");
    out.opp.row(&[
        &c.opp_id,
        &a.id,
        stage,
        "Rate Reduction",
        &close_s,
        placeholder,
        &q,
        &approved_s,
    ])
}

/// The case's row in cases.csv.
#[expect(
    clippy::too_many_arguments,
    reason = "one argument per cases.csv column group; a struct would only rename them"
)]
fn write_case_row(
    g: &mut Gen,
    number: &str,
    a: &Account,
    kind: &str,
    opened: NaiveDateTime,
    owner: &str,
    contact: &str,
    c: &Draft,
    cases: &mut Writer,
) -> std::io::Result<()> {
    let status = match c.closed {
        Some(_) => "Closed",
        None if c.events.len() <= 1 => "New",
        None if kind == "Billing Inquiry" && c.events.iter().any(|e| e.1 == "Escalated") => {
            "Escalated"
        }
        None => "Working",
    };
    let opened_s = g.datetime(opened);
    let opened_s = g.maybe_bad(opened_s, "13/45/2025 1:00 PM");
    let closed_s = match c.closed {
        Some(t) => g.datetime(t),
        None => String::new(),
    };
    let notice_s = match c.notice {
        Some(n) => g.date(n),
        None => String::new(),
    };
    let effective_s = match c.effective {
        Some(e) => g.date(e),
        None => String::new(),
    };
    let notify = if c.email_notification {
        "true"
    } else {
        "false"
    };
    let account_id = g.maybe_bad(a.id.clone(), "A-999999");
    cases.row(&[
        number,
        &account_id,
        kind,
        status,
        contact,
        &opened_s,
        &closed_s,
        owner,
        notify,
        &notice_s,
        &effective_s,
        &c.reason,
        &c.opp_id,
    ])
}

/// E-mails as people type them: `Ann1@client1.com` (compared ignoring case).
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
