//! Dates, instants, durations and the date/time format patterns of the language.
//!
//! * A **date** is a calendar date ([`NaiveDate`]); arithmetic on dates is in
//!   calendar days.
//! * An **instant** is a point in time, milliseconds since the Unix epoch (UTC);
//!   arithmetic on instants is in elapsed time, so a 24-hour step across a DST
//!   change is still 24 real hours.
//! * A value written without an offset is local time in the policy's zone. A
//!   local time that does not exist (clocks go forward) or happens twice
//!   (clocks go back) is rejected with an error that says so: docket never
//!   guesses which instant was meant.
//!
//! Format patterns (`"M/D/YYYY h:mm[:ss] a"`) are compiled once into
//! [`TimeFormat`] and matched without going through chrono's format parser.

use std::fmt;

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
};
use chrono_tz::Tz;

/// Milliseconds in one second, minute, hour and day.
pub(crate) const SECOND: i64 = 1_000;
/// Milliseconds in a minute.
pub(crate) const MINUTE: i64 = 60 * SECOND;
/// Milliseconds in an hour.
pub(crate) const HOUR: i64 = 60 * MINUTE;
/// Milliseconds in a 24-hour day of elapsed time.
pub(crate) const DAY_MS: i64 = 24 * HOUR;

/// The longest span docket's dates allow: from 0001-01-01 to 9999-12-31
/// (four-digit years), in days. A day count or duration beyond it cannot
/// be added to any date docket reads.
pub(crate) const MAX_SPAN_DAYS: i64 = 3_652_058;

/// Whether `days` calendar days fit between two dates docket supports.
pub(crate) fn days_in_range(days: i64) -> bool {
    days.checked_abs().is_some_and(|d| d <= MAX_SPAN_DAYS)
}

/// Whether an elapsed time of `ms` fits between two instants docket supports.
pub(crate) fn elapsed_in_range(ms: i64) -> bool {
    ms.checked_abs()
        .is_some_and(|d| d <= MAX_SPAN_DAYS * DAY_MS)
}

/// English month abbreviations, as `%b` writes them.
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2024-06-03`, written without chrono's format parser.
pub(crate) fn show_date(d: NaiveDate) -> String {
    if (0..=9999).contains(&d.year()) {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

/// A point in time: milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(pub i64);

impl Instant {
    /// The instant as a chrono UTC date-time, when representable.
    pub(crate) fn to_utc(self) -> Option<DateTime<chrono::Utc>> {
        DateTime::from_timestamp_millis(self.0)
    }

    /// The calendar date of this instant in `tz`.
    pub(crate) fn local_date(self, tz: Tz) -> Option<NaiveDate> {
        self.to_utc().map(|d| d.with_timezone(&tz).date_naive())
    }

    /// `Tue 25 Nov 2025 13:44 EST`: for deadlines people read.
    ///
    /// Written field by field (messages show many of these; chrono's
    /// format strings are parsed again on every call).
    pub(crate) fn display_long(self, tz: Tz) -> String {
        let mut s = String::with_capacity(32);
        self.push_long(tz, &mut s);
        s
    }

    /// Appends [`Instant::display_long`]'s text to `out`.
    pub(crate) fn push_long(self, tz: Tz, out: &mut String) {
        use chrono_tz::OffsetName;
        use fmt::Write;
        let Some(d) = self.to_utc() else {
            let _ = write!(out, "@{}ms", self.0);
            return;
        };
        let l = d.with_timezone(&tz);
        let year = l.year();
        if !(0..=9999).contains(&year) {
            let _ = write!(out, "{}", l.format("%a %-d %b %Y %H:%M:%S %Z"));
            return;
        }
        let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
        let two = |out: &mut String, n: u32| {
            out.push(digit(n / 10));
            out.push(digit(n));
        };
        out.push_str(
            WEEKDAYS
                .get(l.weekday().num_days_from_monday() as usize)
                .copied()
                .unwrap_or("?"),
        );
        out.push(' ');
        let day = l.day();
        if day >= 10 {
            out.push(digit(day / 10));
        }
        out.push(digit(day));
        out.push(' ');
        out.push_str(MONTHS.get(l.month0() as usize).copied().unwrap_or("?"));
        out.push(' ');
        let y = year.unsigned_abs();
        two(out, y / 100);
        two(out, y % 100);
        out.push(' ');
        two(out, l.hour());
        out.push(':');
        two(out, l.minute());
        if l.second() != 0 || l.nanosecond() != 0 {
            out.push(':');
            two(out, l.second());
        }
        out.push(' ');
        match l.offset().abbreviation() {
            Some(name) => out.push_str(name),
            None => {
                let _ = write!(out, "{}", l.offset());
            }
        }
    }

    /// RFC 3339 with the zone's offset, e.g. `2025-11-25T13:44:00-05:00`.
    pub(crate) fn rfc3339(self, tz: Tz) -> String {
        match self.to_utc() {
            Some(d) => d
                .with_timezone(&tz)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false),
            None => format!("@{}ms", self.0),
        }
    }
}

/// How a local date-time was read on a day its zone's clocks change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shift {
    /// It happens twice (clocks go back): its first occurrence is meant.
    Repeated,
    /// Clocks skip over it (they go forward): it is read with the UTC
    /// offset in force before the gap, so it lands just after the gap.
    Skipped,
}

impl Shift {
    /// What happened, for a warning: "happens twice in America/New_York …".
    pub(crate) fn describe(self, tz: Tz) -> String {
        match self {
            Shift::Repeated => format!(
                "happens twice in {} (clocks go back); read as its first occurrence",
                tz.name()
            ),
            Shift::Skipped => format!(
                "does not exist in {} (clocks go forward over it); read with the offset in force before the change",
                tz.name()
            ),
        }
    }
}

/// A local date-time read as an instant, and whether the zone's clocks
/// changed around it. Such times are resolved as RFC 5545 §3.3.5 says: a
/// repeated time is its first occurrence, a skipped time is read with the
/// offset in force before the gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// The instant.
    pub instant: Instant,
    /// Set when the time was repeated or skipped.
    pub(crate) shift: Option<Shift>,
}

/// Interprets a local date-time in `tz` (see [`Local`]).
pub(crate) fn resolve_local(naive: NaiveDateTime, tz: Tz) -> Local {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(d) => Local {
            instant: Instant(d.timestamp_millis()),
            shift: None,
        },
        LocalResult::Ambiguous(first, _) => Local {
            instant: Instant(first.timestamp_millis()),
            shift: Some(Shift::Repeated),
        },
        LocalResult::None => Local {
            instant: resolve_offset(naive, offset_before_gap(naive, tz)),
            shift: Some(Shift::Skipped),
        },
    }
}

/// The UTC offset (seconds) in force just before the gap `naive` falls in:
/// that of the last local time before it that exists.
fn offset_before_gap(naive: NaiveDateTime, tz: Tz) -> i32 {
    use chrono::Offset;
    let step = chrono::Duration::minutes(15);
    let mut t = naive;
    // Gaps are an hour or less in practice; a whole skipped day is 96 steps.
    for _ in 0..200 {
        let Some(earlier) = t.checked_sub_signed(step) else {
            break;
        };
        t = earlier;
        match tz.from_local_datetime(&t) {
            LocalResult::Single(d) => return d.offset().fix().local_minus_utc(),
            LocalResult::Ambiguous(_, later) => return later.offset().fix().local_minus_utc(),
            LocalResult::None => {}
        }
    }
    tz.offset_from_utc_datetime(&naive).fix().local_minus_utc()
}

/// Interprets a date-time with an explicit UTC offset (in seconds).
pub(crate) fn resolve_offset(naive: NaiveDateTime, offset_secs: i32) -> Instant {
    let ms = naive.and_utc().timestamp_millis();
    // INVARIANT: chrono's dates span about ±262,000 years, a few 10^18 ms
    // less than i64 holds, so subtracting a day's offset cannot overflow.
    Instant(ms.saturating_sub(i64::from(offset_secs) * SECOND))
}

/// Formats an elapsed duration in words: `48 hours`, `1 hour 30 minutes`.
pub(crate) fn display_elapsed(ms: i64) -> String {
    if ms == 0 {
        return "0 hours".to_string();
    }
    let sign = if ms < 0 { "-" } else { "" };
    let mut rest = ms.unsigned_abs();
    let mut parts = Vec::new();
    for (unit, one, many) in [
        (HOUR as u64, "hour", "hours"),
        (MINUTE as u64, "minute", "minutes"),
        (SECOND as u64, "second", "seconds"),
        (1, "millisecond", "milliseconds"),
    ] {
        let n = rest / unit;
        rest %= unit;
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    }
    format!("{sign}{}", parts.join(" "))
}

/// Formats calendar days: `1 day`, `90 days`.
pub(crate) fn display_days(n: i64) -> String {
    if n.abs() == 1 {
        format!("{n} day")
    } else {
        format!("{n} days")
    }
}

/// What a format pattern describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FormatKind {
    /// A calendar date.
    Date,
    /// A date with a time of day.
    DateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternPart {
    Year,
    Month {
        two: bool,
    },
    Day {
        two: bool,
    },
    Hour24 {
        two: bool,
    },
    Hour12 {
        two: bool,
    },
    Minute,
    Second,
    Fraction,
    AmPm,
    Offset,
    Lit(u8),
    /// `T` in a pattern also accepts a space, as ISO 8601 exports often use one.
    DateTimeSep,
    Optional(Vec<PatternPart>),
}

/// A compiled date or date-time pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TimeFormat {
    /// The pattern as written.
    pub(crate) source: String,
    items: Vec<PatternPart>,
    shape: Shape,
}

/// Patterns common enough to get a hand-written matcher; the generic one
/// handles the rest. A test checks both agree on the common shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Generic,
    /// `YYYY-MM-DD`
    IsoDate,
    /// `YYYY-MM-DDTHH:mm[:ss[.S]][Z]` (what `iso8601` stands for)
    IsoDateTime,
    /// `M/D/YYYY`
    UsDate,
    /// `M/D/YYYY h:mm[:ss] a`
    UsDateTime,
}

fn shape_of(pattern: &str) -> Shape {
    match pattern {
        "YYYY-MM-DD" => Shape::IsoDate,
        "YYYY-MM-DDTHH:mm[:ss[.S]][Z]" => Shape::IsoDateTime,
        "M/D/YYYY" => Shape::UsDate,
        "M/D/YYYY h:mm[:ss] a" => Shape::UsDateTime,
        _ => Shape::Generic,
    }
}

/// A local date-time and, when written, its UTC offset in seconds.
pub(crate) type DateTimeParts = (NaiveDateTime, Option<i32>);

/// Reads `n` ASCII digits at `at`.
fn fixed(s: &[u8], at: usize, n: usize) -> Option<u32> {
    let d = s.get(at..at + n)?;
    let mut v = 0u32;
    for c in d {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Reads 1 or 2 digits at `at` (greedy); returns the value and the end.
fn one_or_two(s: &[u8], at: usize) -> Option<(u32, usize)> {
    digits(s, at, 1, 2)
}

/// `Z`, `+HH`, `+HHMM`, `+HH:MM` at `at`, which must end the text.
fn offset_at(s: &[u8], at: usize) -> Option<Option<i32>> {
    let Some(&c) = s.get(at) else {
        return Some(None);
    };
    let (secs, end) = match c {
        b'Z' | b'z' => (0, at + 1),
        b'+' | b'-' => {
            let h = fixed(s, at + 1, 2)?;
            let (m, end) = match s.get(at + 3) {
                Some(b':') => (fixed(s, at + 4, 2)?, at + 6),
                Some(_) => (fixed(s, at + 3, 2)?, at + 5),
                None => (0, at + 3),
            };
            if h > 23 || m > 59 {
                return None;
            }
            let secs = i32::try_from(h * 3600 + m * 60).ok()?;
            (if c == b'-' { -secs } else { secs }, end)
        }
        _ => return None,
    };
    (end == s.len()).then_some(Some(secs))
}

/// The value of an ASCII digit.
fn digit(b: u8) -> Option<u32> {
    let v = b.wrapping_sub(b'0');
    (v < 10).then_some(u32::from(v))
}

/// Two ASCII digits as a number.
fn two(a: u8, b: u8) -> Option<u32> {
    Some(digit(a)? * 10 + digit(b)?)
}

/// `YYYY-MM-DD` at the start of `s`: year, month, day (not yet checked as a date).
fn iso_ymd(s: &[u8]) -> Option<(i32, u32, u32)> {
    let h: [u8; 10] = s.get(..10)?.try_into().ok()?;
    if h[4] != b'-' || h[7] != b'-' {
        return None;
    }
    let year = two(h[0], h[1])? * 100 + two(h[2], h[3])?;
    Some((
        i32::try_from(year).ok()?,
        two(h[5], h[6])?,
        two(h[8], h[9])?,
    ))
}

fn iso_date(s: &[u8]) -> Option<NaiveDate> {
    let (y, m, d) = iso_ymd(s)?;
    NaiveDate::from_ymd_opt(y, m, d)
}

fn iso_datetime(s: &[u8]) -> Option<DateTimeParts> {
    let (year, month, day) = iso_ymd(s)?;
    let h: [u8; 6] = s.get(10..16)?.try_into().ok()?;
    if !matches!(h[0], b'T' | b't' | b' ') || h[3] != b':' {
        return None;
    }
    let (hour, minute) = (two(h[1], h[2])?, two(h[4], h[5])?);
    let mut at = 16;
    let (mut second, mut nanos) = (0, 0);
    if s.get(at) == Some(&b':')
        && let Some(v) = fixed(s, at + 1, 2)
    {
        second = v;
        at += 3;
        if s.get(at) == Some(&b'.') && s.get(at + 1).is_some_and(u8::is_ascii_digit) {
            at += 1;
            let mut scale = 100_000_000u64;
            let mut n = 0u64;
            while let Some(d) = s.get(at).filter(|d| d.is_ascii_digit()) {
                n += u64::from(d - b'0') * scale;
                scale /= 10;
                at += 1;
            }
            nanos = u32::try_from(n).ok()?;
        }
    }
    let offset = offset_at(s, at)?;
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    Some((NaiveDateTime::new(date, time), offset))
}

/// `M/D/YYYY` at the start of `s`: year, month, day (not yet checked) and the end.
fn us_ymd_at(s: &[u8]) -> Option<(i32, u32, u32, usize)> {
    let (m, at) = one_or_two(s, 0)?;
    if s.get(at) != Some(&b'/') {
        return None;
    }
    let (d, at) = one_or_two(s, at + 1)?;
    if s.get(at) != Some(&b'/') {
        return None;
    }
    let y = fixed(s, at + 1, 4)?;
    Some((i32::try_from(y).ok()?, m, d, at + 5))
}

fn us_date(s: &[u8]) -> Option<NaiveDate> {
    let (y, m, d, end) = us_ymd_at(s)?;
    if end != s.len() {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m, d)
}

fn us_datetime(s: &[u8]) -> Option<DateTimeParts> {
    let (year, month, day, at) = us_ymd_at(s)?;
    if s.get(at) != Some(&b' ') {
        return None;
    }
    let (h, at) = one_or_two(s, at + 1)?;
    if s.get(at) != Some(&b':') {
        return None;
    }
    let minute = fixed(s, at + 1, 2)?;
    let mut at = at + 3;
    let mut second = 0;
    if s.get(at) == Some(&b':') {
        second = fixed(s, at + 1, 2)?;
        at += 3;
    }
    if s.get(at) != Some(&b' ') || s.len() != at + 3 {
        return None;
    }
    let pm = match (
        s.get(at + 1)?.to_ascii_lowercase(),
        s.get(at + 2)?.to_ascii_lowercase(),
    ) {
        (b'a', b'm') => false,
        (b'p', b'm') => true,
        _ => return None,
    };
    if !(1..=12).contains(&h) {
        return None;
    }
    let hour = match (h, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, true) => h + 12,
        (h, false) => h,
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = NaiveTime::from_hms_opt(hour, minute, second)?;
    Some((NaiveDateTime::new(date, time), None))
}

/// Turns local date-times into instants in one zone, remembering the UTC
/// offset of each day seen unless clocks change on that day.
#[derive(Debug, Clone)]
pub(crate) struct LocalResolver {
    tz: Tz,
    /// Direct-mapped by day (chrono's `num_days_from_ce`): the day, and its
    /// offset (local minus UTC, milliseconds) when the same all day, or
    /// `None` on a day clocks change. A slot another day has taken is
    /// worked out again.
    days: Vec<(i32, Option<i64>)>,
}

/// Days a resolver remembers at once (a power of two: about three years).
const RESOLVER_DAYS: usize = 1024;

impl LocalResolver {
    /// A resolver for `tz`.
    pub(crate) fn new(tz: Tz) -> LocalResolver {
        LocalResolver {
            tz,
            days: Vec::new(),
        }
    }

    /// The zone.
    pub(crate) fn zone(&self) -> Tz {
        self.tz
    }

    /// The instant of a local date-time (as [`resolve_local`]).
    pub(crate) fn resolve(&mut self, naive: NaiveDateTime) -> Local {
        if self.days.is_empty() {
            self.days = vec![(i32::MIN, None); RESOLVER_DAYS];
        }
        let date = naive.date();
        let day = date.num_days_from_ce();
        let slot = (day as usize) & (RESOLVER_DAYS - 1);
        let offset = match self.days.get(slot) {
            Some(&(d, o)) if d == day => o,
            _ => {
                let o = self.stable_offset(date);
                if let Some(s) = self.days.get_mut(slot) {
                    *s = (day, o);
                }
                o
            }
        };
        match offset {
            Some(off) => Local {
                instant: Instant(naive.and_utc().timestamp_millis() - off),
                shift: None,
            },
            None => resolve_local(naive, self.tz),
        }
    }

    /// The day's offset when it is the same from its first to its last minute.
    fn stable_offset(&self, date: NaiveDate) -> Option<i64> {
        let at = |h, m| {
            let t = NaiveDateTime::new(date, NaiveTime::from_hms_opt(h, m, 0)?);
            let l = resolve_local(t, self.tz);
            l.shift.is_none().then_some(())?;
            Some(t.and_utc().timestamp_millis() - l.instant.0)
        };
        let (first, last) = (at(0, 0)?, at(23, 59)?);
        (first == last).then_some(first)
    }
}

/// The patterns `iso8601` stands for, for dates and for date-times.
pub(crate) fn iso8601(kind: FormatKind) -> Vec<TimeFormat> {
    let pats: &[&str] = match kind {
        FormatKind::Date => &["YYYY-MM-DD"],
        FormatKind::DateTime => &["YYYY-MM-DDTHH:mm[:ss[.S]][Z]"],
    };
    pats.iter()
        .filter_map(|p| TimeFormat::compile(p, kind).ok())
        .collect()
}

/// A pattern's parts with month and day widths ignored, month and day
/// swapped when `swap`.
fn day_month_shape(items: &[PatternPart], swap: bool) -> Vec<PatternPart> {
    items
        .iter()
        .map(|p| match p {
            PatternPart::Month { .. } if swap => PatternPart::Day { two: false },
            PatternPart::Day { .. } if swap => PatternPart::Month { two: false },
            PatternPart::Month { .. } => PatternPart::Month { two: false },
            PatternPart::Day { .. } => PatternPart::Day { two: false },
            PatternPart::Optional(inner) => PatternPart::Optional(day_month_shape(inner, swap)),
            other => other.clone(),
        })
        .collect()
}

/// How a pattern is written for an SQL engine's parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatternStyle {
    /// C's strptime (`%Y-%m-%d`), as DuckDB reads it.
    Strptime,
    /// Java's DateTimeFormatter (`yyyy-MM-dd`), as Spark reads it.
    Java,
}

/// A pattern as parser formats, one per way its optional parts and its `T`
/// can be written, each with whether it reads an offset; `None` when a part
/// has no equivalent (a fraction of a second).
fn formats_of(items: &[PatternPart], style: PatternStyle) -> Option<Vec<(String, bool)>> {
    let java = style == PatternStyle::Java;
    let pick = |c: &str, j: &str| if java { j.to_string() } else { c.to_string() };
    let mut out: Vec<(String, bool)> = vec![(String::new(), false)];
    for p in items {
        let alternatives: Vec<(String, bool)> = match p {
            PatternPart::Year => vec![(pick("%Y", "yyyy"), false)],
            PatternPart::Month { two } => {
                vec![(
                    if *two {
                        pick("%m", "MM")
                    } else {
                        pick("%-m", "M")
                    },
                    false,
                )]
            }
            PatternPart::Day { two } => {
                vec![(
                    if *two {
                        pick("%d", "dd")
                    } else {
                        pick("%-d", "d")
                    },
                    false,
                )]
            }
            PatternPart::Hour24 { two } => {
                vec![(
                    if *two {
                        pick("%H", "HH")
                    } else {
                        pick("%-H", "H")
                    },
                    false,
                )]
            }
            PatternPart::Hour12 { two } => {
                vec![(
                    if *two {
                        pick("%I", "hh")
                    } else {
                        pick("%-I", "h")
                    },
                    false,
                )]
            }
            PatternPart::Minute => vec![(pick("%M", "mm"), false)],
            PatternPart::Second => vec![(pick("%S", "ss"), false)],
            PatternPart::AmPm => vec![(pick("%p", "a"), false)],
            PatternPart::Offset => vec![(pick("%z", "XXX"), true)],
            PatternPart::Fraction => return None,
            PatternPart::Lit(b'%') if !java => vec![("%%".into(), false)],
            PatternPart::Lit(b'\'') if java => vec![("''".into(), false)],
            PatternPart::Lit(c) if java && c.is_ascii_alphabetic() => {
                vec![(format!("'{}'", *c as char), false)]
            }
            PatternPart::Lit(c) => vec![((*c as char).to_string(), false)],
            PatternPart::DateTimeSep => {
                vec![(pick("T", "'T'"), false), (" ".into(), false)]
            }
            PatternPart::Optional(inner) => {
                let mut v = formats_of(inner, style)?;
                v.push((String::new(), false));
                v
            }
        };
        out = out
            .iter()
            .flat_map(|(a, oa)| {
                alternatives
                    .iter()
                    .map(move |(b, ob)| (format!("{a}{b}"), *oa || *ob))
            })
            .collect();
    }
    Some(out)
}

impl TimeFormat {
    /// The pattern as parser formats of `style` (see [`formats_of`]),
    /// longest first; `None` when it cannot be written as one.
    pub(crate) fn parser_formats(&self, style: PatternStyle) -> Option<Vec<(String, bool)>> {
        let mut v = formats_of(&self.items, style)?;
        v.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
        Some(v)
    }

    /// Whether this is the ISO 8601 date-time pattern (`iso8601`).
    pub(crate) fn is_iso_datetime(&self) -> bool {
        self.shape == Shape::IsoDateTime
    }

    /// Whether a text can match both `self` and `other` with day and month
    /// read the other way round (`M/D/YYYY` and `D/M/YYYY`: `3/4/2025`).
    pub(crate) fn reads_two_ways_with(&self, other: &TimeFormat) -> bool {
        let a = day_month_shape(&self.items, false);
        let b = day_month_shape(&other.items, false);
        a != b && day_month_shape(&self.items, true) == b
    }

    /// Compiles a pattern, checking it fits `kind`.
    ///
    /// Tokens: `YYYY` year, `M`/`MM` month, `D`/`DD` day, `H`/`HH` hour 0–23,
    /// `h`/`hh` hour 1–12 (with `a`), `mm` minutes, `ss` seconds, `S`
    /// fraction of a second, `a` AM/PM in any case, `Z` offset (`Z`, `+05:00`,
    /// `+0500`, `+05`), `T` the ISO separator (a space also matches), `[…]`
    /// optional part. Any other character stands for itself.
    pub(crate) fn compile(pattern: &str, kind: FormatKind) -> Result<TimeFormat, String> {
        let bytes = pattern.as_bytes();
        let mut pos = 0;
        let items = compile_seq(bytes, &mut pos, 0)?;
        if pos < bytes.len() {
            return Err("`]` without a matching `[`".to_string());
        }
        let mut seen = Found::default();
        seen.scan(&items);
        if !(seen.year && seen.month && seen.day) {
            return Err(
                "a pattern needs a year (`YYYY`), a month (`M` or `MM`) and a day (`D` or `DD`)"
                    .to_string(),
            );
        }
        match kind {
            FormatKind::Date => {
                if seen.any_time() {
                    return Err("a date pattern cannot hold a time of day; declare the column as `datetime`".to_string());
                }
            }
            FormatKind::DateTime => {
                if !(seen.hour24 || seen.hour12) || !seen.minute {
                    return Err("a date-time pattern needs an hour (`H`, `HH`, `h` or `hh`) and minutes (`mm`)".to_string());
                }
                if seen.hour12 != seen.ampm {
                    return Err(if seen.hour12 {
                        "a 12-hour hour (`h`) needs an AM/PM marker (`a`)".to_string()
                    } else {
                        "an AM/PM marker (`a`) needs a 12-hour hour (`h` or `hh`), not `H`"
                            .to_string()
                    });
                }
                if seen.hour12 && seen.hour24 {
                    return Err("use either `h` (12-hour) or `H` (24-hour), not both".to_string());
                }
            }
        }
        Ok(TimeFormat {
            source: pattern.to_string(),
            items,
            shape: shape_of(pattern),
        })
    }

    /// Matches a whole trimmed cell as a local date-time with its offset, if written.
    pub(crate) fn match_parts(&self, s: &[u8]) -> Option<DateTimeParts> {
        match self.shape {
            Shape::IsoDateTime => iso_datetime(s),
            Shape::UsDateTime => us_datetime(s),
            _ => self.match_parts_generic(s),
        }
    }

    fn match_parts_generic(&self, s: &[u8]) -> Option<DateTimeParts> {
        let mut f = Fields::default();
        if match_items(&self.items, s, 0, &mut f)? != s.len() {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(f.year?, f.month?, f.day?)?;
        let mut hour = f.hour?;
        if let Some(pm) = f.pm {
            if !(1..=12).contains(&hour) {
                return None;
            }
            hour = match (hour, pm) {
                (12, false) => 0,
                (12, true) => 12,
                (h, true) => h + 12,
                (h, false) => h,
            };
        }
        let time = NaiveTime::from_hms_nano_opt(hour, f.minute?, f.second.unwrap_or(0), f.nanos)?;
        Some((NaiveDateTime::new(date, time), f.offset))
    }

    /// Matches a whole trimmed cell as a date.
    pub(crate) fn match_date(&self, s: &[u8]) -> Option<NaiveDate> {
        match self.shape {
            Shape::IsoDate => return iso_date(s).filter(|_| s.len() == 10),
            Shape::UsDate => return us_date(s),
            _ => {}
        }
        let mut f = Fields::default();
        if match_items(&self.items, s, 0, &mut f)? != s.len() {
            return None;
        }
        NaiveDate::from_ymd_opt(f.year?, f.month?, f.day?)
    }

    /// Matches a whole trimmed cell as a date-time; no-offset values are local
    /// time in `tz`.
    pub(crate) fn match_datetime(&self, s: &[u8], tz: Tz) -> Option<Local> {
        let (naive, offset) = self.match_parts(s)?;
        Some(match offset {
            Some(off) => Local {
                instant: resolve_offset(naive, off),
                shift: None,
            },
            None => resolve_local(naive, tz),
        })
    }
}

#[derive(Default)]
struct Found {
    year: bool,
    month: bool,
    day: bool,
    hour24: bool,
    hour12: bool,
    minute: bool,
    second: bool,
    ampm: bool,
    offset: bool,
    fraction: bool,
}

impl Found {
    fn scan(&mut self, items: &[PatternPart]) {
        for it in items {
            match it {
                PatternPart::Year => self.year = true,
                PatternPart::Month { .. } => self.month = true,
                PatternPart::Day { .. } => self.day = true,
                PatternPart::Hour24 { .. } => self.hour24 = true,
                PatternPart::Hour12 { .. } => self.hour12 = true,
                PatternPart::Minute => self.minute = true,
                PatternPart::Second => self.second = true,
                PatternPart::Fraction => self.fraction = true,
                PatternPart::AmPm => self.ampm = true,
                PatternPart::Offset => self.offset = true,
                PatternPart::Lit(_) | PatternPart::DateTimeSep => {}
                PatternPart::Optional(inner) => self.scan(inner),
            }
        }
    }

    fn any_time(&self) -> bool {
        self.hour24
            || self.hour12
            || self.minute
            || self.second
            || self.ampm
            || self.offset
            || self.fraction
    }
}

fn compile_seq(p: &[u8], pos: &mut usize, depth: usize) -> Result<Vec<PatternPart>, String> {
    let mut items = Vec::new();
    while let Some(&c) = p.get(*pos) {
        let run = p[*pos..].iter().take_while(|&&b| b == c).count();
        let item = match c {
            b'[' => {
                *pos += 1;
                let inner = compile_seq(p, pos, depth + 1)?;
                if p.get(*pos) != Some(&b']') {
                    return Err("`[` without a matching `]`".to_string());
                }
                *pos += 1;
                if inner.is_empty() {
                    return Err("`[]` holds nothing".to_string());
                }
                items.push(PatternPart::Optional(inner));
                continue;
            }
            b']' => {
                if depth == 0 {
                    return Err("`]` without a matching `[`".to_string());
                }
                return Ok(items);
            }
            b'Y' if run == 4 => PatternPart::Year,
            b'Y' => return Err(format!("`{}`: the year is written `YYYY`", "Y".repeat(run))),
            b'M' if run <= 2 => PatternPart::Month { two: run == 2 },
            b'D' if run <= 2 => PatternPart::Day { two: run == 2 },
            b'H' if run <= 2 => PatternPart::Hour24 { two: run == 2 },
            b'h' if run <= 2 => PatternPart::Hour12 { two: run == 2 },
            b'm' if run == 2 => PatternPart::Minute,
            b'm' => return Err("minutes are written `mm`".to_string()),
            b's' if run == 2 => PatternPart::Second,
            b's' => return Err("seconds are written `ss`".to_string()),
            b'S' if run == 1 => PatternPart::Fraction,
            b'a' if run == 1 => PatternPart::AmPm,
            b'Z' if run == 1 => PatternPart::Offset,
            b'T' if run == 1 => PatternPart::DateTimeSep,
            b'M' | b'D' | b'H' | b'h' | b'S' | b'a' | b'Z' | b'T' => {
                return Err(format!(
                    "`{}` is not a pattern token",
                    (c as char).to_string().repeat(run)
                ));
            }
            _ if c.is_ascii_alphabetic() => {
                return Err(format!(
                    "`{}` is not a pattern token (tokens: YYYY M MM D DD H HH h hh mm ss S a Z T)",
                    c as char
                ));
            }
            _ => {
                *pos += 1;
                items.push(PatternPart::Lit(c));
                continue;
            }
        };
        *pos += run;
        items.push(item);
    }
    if depth > 0 {
        return Err("`[` without a matching `]`".to_string());
    }
    Ok(items)
}

#[derive(Default, Clone)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    hour: Option<u32>,
    minute: Option<u32>,
    second: Option<u32>,
    nanos: u32,
    pm: Option<bool>,
    offset: Option<i32>,
}

fn digits(s: &[u8], at: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut len = 0;
    while len < max {
        match s.get(at + len) {
            Some(b) if b.is_ascii_digit() => {
                n = n * 10 + u32::from(b - b'0');
                len += 1;
            }
            _ => break,
        }
    }
    (len >= min).then_some((n, at + len))
}

/// Matches `items` at `at`; returns the end position.
fn match_items(items: &[PatternPart], s: &[u8], at: usize, f: &mut Fields) -> Option<usize> {
    let Some((first, rest)) = items.split_first() else {
        return Some(at);
    };
    if let PatternPart::Optional(inner) = first {
        let saved = f.clone();
        if let Some(mid) = match_items(inner, s, at, f)
            && let Some(end) = match_items(rest, s, mid, f)
        {
            return Some(end);
        }
        *f = saved;
        return match_items(rest, s, at, f);
    }
    let next = match first {
        PatternPart::Year => {
            let (n, e) = digits(s, at, 4, 4)?;
            f.year = Some(i32::try_from(n).ok()?);
            e
        }
        PatternPart::Month { two } => {
            let (n, e) = digits(s, at, if *two { 2 } else { 1 }, 2)?;
            f.month = Some(n);
            e
        }
        PatternPart::Day { two } => {
            let (n, e) = digits(s, at, if *two { 2 } else { 1 }, 2)?;
            f.day = Some(n);
            e
        }
        PatternPart::Hour24 { two } | PatternPart::Hour12 { two } => {
            let (n, e) = digits(s, at, if *two { 2 } else { 1 }, 2)?;
            f.hour = Some(n);
            e
        }
        PatternPart::Minute => {
            let (n, e) = digits(s, at, 2, 2)?;
            f.minute = Some(n);
            e
        }
        PatternPart::Second => {
            let (n, e) = digits(s, at, 2, 2)?;
            f.second = Some(n);
            e
        }
        PatternPart::Fraction => {
            let mut e = at;
            let mut nanos: u64 = 0;
            let mut scale: u64 = 100_000_000;
            while let Some(b) = s.get(e).filter(|b| b.is_ascii_digit()) {
                nanos += u64::from(b - b'0') * scale;
                scale /= 10;
                e += 1;
            }
            if e == at {
                return None;
            }
            f.nanos = u32::try_from(nanos).ok()?;
            e
        }
        PatternPart::AmPm => {
            let a = s.get(at)?.to_ascii_lowercase();
            let m = s.get(at + 1)?.to_ascii_lowercase();
            if m != b'm' {
                return None;
            }
            f.pm = Some(match a {
                b'a' => false,
                b'p' => true,
                _ => return None,
            });
            at + 2
        }
        PatternPart::Offset => {
            let c = *s.get(at)?;
            if c == b'Z' || c == b'z' {
                f.offset = Some(0);
                at + 1
            } else if c == b'+' || c == b'-' {
                let (h, mut e) = digits(s, at + 1, 2, 2)?;
                let mut m = 0;
                if s.get(e) == Some(&b':') {
                    let (mm, e2) = digits(s, e + 1, 2, 2)?;
                    m = mm;
                    e = e2;
                } else if let Some((mm, e2)) = digits(s, e, 2, 2) {
                    m = mm;
                    e = e2;
                }
                if h > 23 || m > 59 {
                    return None;
                }
                let secs = i32::try_from(h * 3600 + m * 60).ok()?;
                f.offset = Some(if c == b'-' { -secs } else { secs });
                e
            } else {
                return None;
            }
        }
        PatternPart::Lit(c) => {
            if s.get(at)? != c {
                return None;
            }
            at + 1
        }
        PatternPart::DateTimeSep => {
            let c = *s.get(at)?;
            if c != b'T' && c != b't' && c != b' ' {
                return None;
            }
            at + 1
        }
        PatternPart::Optional(_) => return None,
    };
    match_items(rest, s, next, f)
}

#[cfg(test)]
mod tests {

    #[test]
    fn day_first_and_month_first_read_two_ways() {
        let f = |p: &str| TimeFormat::compile(p, FormatKind::Date).unwrap();
        let g = |p: &str| TimeFormat::compile(p, FormatKind::DateTime).unwrap();
        assert!(f("M/D/YYYY").reads_two_ways_with(&f("D/M/YYYY")));
        assert!(f("MM/DD/YYYY").reads_two_ways_with(&f("D/M/YYYY")));
        assert!(g("M/D/YYYY h:mm a").reads_two_ways_with(&g("D/M/YYYY h:mm a")));
        assert!(!f("M/D/YYYY").reads_two_ways_with(&f("M/D/YYYY")));
        assert!(!f("M/D/YYYY").reads_two_ways_with(&f("YYYY-MM-DD")));
        assert!(!f("M/D/YYYY").reads_two_ways_with(&f("D.M.YYYY")));
    }
    use super::*;
    use chrono_tz::America::New_York;

    /// The instant of `s`, or how it was shifted.
    fn dt(pat: &str, s: &str) -> Option<Result<Instant, Shift>> {
        let l = TimeFormat::compile(pat, FormatKind::DateTime)
            .unwrap()
            .match_datetime(s.as_bytes(), New_York)?;
        Some(match l.shift {
            None => Ok(l.instant),
            Some(shift) => Err(shift),
        })
    }

    proptest::proptest! {
        /// The hand-written message formats agree with chrono's `%` formats.
        #[test]
        fn long_display_matches_chrono(ms in -62_000_000_000_000i64..253_000_000_000_000) {
            let zones = [New_York, chrono_tz::Europe::Berlin, chrono_tz::Asia::Kolkata, chrono_tz::UTC];
            let chrono_long = |ms: i64, tz: Tz| {
                let l = Instant(ms).to_utc().unwrap().with_timezone(&tz);
                if l.second() == 0 && l.nanosecond() == 0 {
                    l.format("%a %-d %b %Y %H:%M %Z").to_string()
                } else {
                    l.format("%a %-d %b %Y %H:%M:%S %Z").to_string()
                }
            };
            // Whole minutes as well as any millisecond.
            for ms in [ms, ms - ms.rem_euclid(MINUTE)] {
                for tz in zones {
                    proptest::prop_assert_eq!(Instant(ms).display_long(tz), chrono_long(ms, tz));
                    let d = Instant(ms).local_date(tz).unwrap();
                    proptest::prop_assert_eq!(show_date(d), d.format("%Y-%m-%d").to_string());
                }
            }
        }
    }

    #[test]
    fn date_patterns_match_iso_and_us_styles() {
        let iso = TimeFormat::compile("YYYY-MM-DD", FormatKind::Date).unwrap();
        let us = TimeFormat::compile("M/D/YYYY", FormatKind::Date).unwrap();
        let d = NaiveDate::from_ymd_opt(2024, 6, 3).unwrap();
        assert_eq!(iso.match_date(b"2024-06-03"), Some(d));
        assert_eq!(us.match_date(b"6/3/2024"), Some(d));
        assert_eq!(us.match_date(b"06/03/2024"), Some(d));
        assert_eq!(iso.match_date(b"2024-6-3"), None);
        assert_eq!(iso.match_date(b"2024-02-30"), None);
        assert_eq!(us.match_date(b"6/3/2024 "), None);
    }

    #[test]
    fn iso_datetimes_with_and_without_offsets() {
        let iso = &iso8601(FormatKind::DateTime)[0];
        let want = Instant(1_763_750_640_000); // 2025-11-21T18:44:00Z
        for s in [
            "2025-11-21T13:44:00-05:00",
            "2025-11-21T18:44:00Z",
            "2025-11-21 13:44",
            "2025-11-21 13:44:00",
            "2025-11-21T13:44:00.000-0500",
        ] {
            assert_eq!(
                iso.match_datetime(s.as_bytes(), New_York)
                    .map(|l| (l.instant, l.shift)),
                Some((want, None)),
                "{s}"
            );
        }
    }

    #[test]
    fn us_crm_datetimes_in_any_case() {
        let want = Instant(1_763_750_640_000);
        for s in [
            "11/21/2025 1:44 PM",
            "11/21/2025 1:44 pm",
            "11/21/2025 01:44 Pm",
        ] {
            assert_eq!(dt("M/D/YYYY h:mm[:ss] a", s), Some(Ok(want)), "{s}");
        }
        assert_eq!(dt("M/D/YYYY h:mm a", "11/21/2025 13:44 PM"), None);
        // 12 AM is midnight, 12 PM is noon.
        let midnight = dt("M/D/YYYY h:mm a", "11/21/2025 12:00 AM")
            .unwrap()
            .unwrap();
        let noon = dt("M/D/YYYY h:mm a", "11/21/2025 12:00 PM")
            .unwrap()
            .unwrap();
        assert_eq!(noon.0 - midnight.0, 12 * HOUR);
    }

    #[test]
    fn dst_gaps_and_overlaps_resolve_as_rfc_5545_says_and_say_so() {
        // 2025-03-09 02:30 does not exist in New York; 2025-11-02 01:30 happens twice.
        assert_eq!(
            dt("YYYY-MM-DD HH:mm", "2025-03-09 02:30"),
            Some(Err(Shift::Skipped))
        );
        assert_eq!(
            dt("YYYY-MM-DD HH:mm", "2025-11-02 01:30"),
            Some(Err(Shift::Repeated))
        );
        let at = |s: &str| {
            TimeFormat::compile("YYYY-MM-DD HH:mm", FormatKind::DateTime)
                .unwrap()
                .match_datetime(s.as_bytes(), New_York)
                .unwrap()
                .instant
        };
        // Skipped: read with the offset before the gap (EST, -05:00), so
        // 02:30 is 07:30 UTC, which New York calls 03:30 EDT.
        assert_eq!(
            at("2025-03-09 02:30").rfc3339(New_York),
            "2025-03-09T03:30:00-04:00"
        );
        assert_eq!(at("2025-03-09 02:30").0 - at("2025-03-09 01:30").0, HOUR);
        // Repeated: the first occurrence, in daylight time (-04:00).
        assert_eq!(
            at("2025-11-02 01:30").rfc3339(New_York),
            "2025-11-02T01:30:00-04:00"
        );
        assert_eq!(at("2025-11-02 01:30").0 - at("2025-11-02 00:30").0, HOUR);
        // The last minute before each change and the first after it are plain.
        for s in [
            "2025-03-09 01:59",
            "2025-03-09 03:00",
            "2025-11-02 00:59",
            "2025-11-02 02:00",
        ] {
            assert!(matches!(dt("YYYY-MM-DD HH:mm", s), Some(Ok(_))), "{s}");
        }
        // With an offset both are fine.
        assert!(matches!(
            dt("YYYY-MM-DD HH:mmZ", "2025-11-02 01:30-04:00"),
            Some(Ok(_))
        ));
        // Just outside the change, local times resolve.
        let before = dt("YYYY-MM-DD HH:mm", "2025-03-09 01:59").unwrap().unwrap();
        let after = dt("YYYY-MM-DD HH:mm", "2025-03-09 03:00").unwrap().unwrap();
        assert_eq!(after.0 - before.0, MINUTE);
    }

    #[test]
    fn bad_patterns_are_explained() {
        assert!(TimeFormat::compile("YY-MM-DD", FormatKind::Date).is_err());
        assert!(TimeFormat::compile("YYYY-MM-DD HH:mm", FormatKind::Date).is_err());
        assert!(TimeFormat::compile("YYYY-MM-DD h:mm", FormatKind::DateTime).is_err());
        assert!(TimeFormat::compile("YYYY-MM-DD [HH:mm", FormatKind::DateTime).is_err());
        assert!(TimeFormat::compile("YYYY-MM-DD HH:mm]", FormatKind::DateTime).is_err());
        assert!(TimeFormat::compile("YYYY-MM-DD HH:mm q", FormatKind::DateTime).is_err());
        assert!(TimeFormat::compile("M/D/YYYY", FormatKind::Date).is_ok());
    }

    #[test]
    fn durations_display_in_words() {
        assert_eq!(display_elapsed(48 * HOUR), "48 hours");
        assert_eq!(display_elapsed(HOUR + 30 * MINUTE), "1 hour 30 minutes");
        assert_eq!(display_days(1), "1 day");
        assert_eq!(display_days(90), "90 days");
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use chrono_tz::America::New_York;
    use proptest::prelude::*;

    fn generic(f: &TimeFormat) -> TimeFormat {
        TimeFormat {
            shape: Shape::Generic,
            ..f.clone()
        }
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u32..3000).prop_map(|n| n.to_string()),
            (0u32..100).prop_map(|n| format!("{n:02}")),
            Just("2025".to_string()),
            Just("-".to_string()),
            Just("/".to_string()),
            Just(":".to_string()),
            Just(" ".to_string()),
            Just("T".to_string()),
            Just("Z".to_string()),
            Just("+".to_string()),
            Just(".".to_string()),
            Just("AM".to_string()),
            Just("pm".to_string()),
            Just("x".to_string()),
        ]
    }

    fn near_valid() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(piece(), 1..12).prop_map(|v| v.concat()),
            (
                2000i32..2030,
                1u32..13,
                1u32..29,
                0u32..24,
                0u32..60,
                0u32..60,
                prop::option::of(-12i32..13)
            )
                .prop_map(|(y, mo, d, h, mi, s, off)| {
                    let o = off.map_or(String::new(), |o| {
                        format!("{}{:02}:00", if o < 0 { '-' } else { '+' }, o.abs())
                    });
                    format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{o}")
                }),
            (
                1u32..13,
                1u32..29,
                2000i32..2030,
                1u32..13,
                0u32..60,
                any::<bool>()
            )
                .prop_map(|(mo, d, y, h, mi, pm)| format!(
                    "{mo}/{d}/{y} {h}:{mi:02} {}",
                    if pm { "PM" } else { "am" }
                )),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

        #[test]
        fn fast_matchers_agree_with_the_generic_one(s in near_valid()) {
            for (p, kind) in [
                ("YYYY-MM-DD", FormatKind::Date),
                ("M/D/YYYY", FormatKind::Date),
                ("YYYY-MM-DDTHH:mm[:ss[.S]][Z]", FormatKind::DateTime),
                ("M/D/YYYY h:mm[:ss] a", FormatKind::DateTime),
            ] {
                let fast = TimeFormat::compile(p, kind).unwrap();
                prop_assert_ne!(fast.shape, Shape::Generic);
                let slow = generic(&fast);
                match kind {
                    FormatKind::Date => prop_assert_eq!(fast.match_date(s.as_bytes()), slow.match_date(s.as_bytes()), "{} on {:?}", p, s),
                    FormatKind::DateTime => prop_assert_eq!(fast.match_parts(s.as_bytes()), slow.match_parts(s.as_bytes()), "{} on {:?}", p, s),
                }
            }
        }

        #[test]
        fn the_cached_resolver_agrees_with_the_exact_one(days in prop::collection::vec((-3000i64..3000, 0u32..24, 0u32..60), 1..50)) {
            let mut r = LocalResolver::new(New_York);
            let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
            for (d, h, m) in days {
                let t = NaiveDateTime::new(base + chrono::Duration::days(d), NaiveTime::from_hms_opt(h, m, 0).unwrap());
                prop_assert_eq!(r.resolve(t), resolve_local(t, New_York), "{}", t);
            }
        }
    }

    #[test]
    fn the_resolver_is_exact_on_dst_days() {
        let mut r = LocalResolver::new(New_York);
        for (s, want) in [
            ("2025-03-09T01:59", None),
            ("2025-03-09T02:30", Some(Shift::Skipped)),
            ("2025-03-09T03:00", None),
            ("2025-11-02T01:30", Some(Shift::Repeated)),
            ("2025-11-02T00:59", None),
            ("2025-11-02T02:00", None),
        ] {
            let (naive, _) = iso_datetime(s.as_bytes()).unwrap();
            assert_eq!(r.resolve(naive).shift, want, "{s}");
            assert_eq!(r.resolve(naive), resolve_local(naive, New_York), "{s}");
        }
    }
}

/// Reads an as-of time: an ISO date (midnight in `tz`), an ISO date-time
/// with an offset or `Z`, or one without (local time in `tz`).
/// A local time that the zone's clocks repeat or skip is resolved as
/// [`Local`] says, and the shift returned so the caller can say so.
pub fn parse_as_of(s: &str, tz: Tz) -> Result<Local, String> {
    let t = s.trim();
    for f in iso8601(FormatKind::DateTime) {
        if let Some(r) = f.match_datetime(t.as_bytes(), tz) {
            return Ok(r);
        }
    }
    for f in iso8601(FormatKind::Date) {
        if let Some(d) = f.match_date(t.as_bytes()) {
            let midnight = NaiveDateTime::new(d, NaiveTime::MIN);
            return Ok(resolve_local(midnight, tz));
        }
    }
    Err(format!("`{t}` is not a date or date-time"))
}
