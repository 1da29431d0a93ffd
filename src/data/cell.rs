//! Parsing one trimmed cell into a typed value, or saying what was expected.

use chrono::NaiveDate;

use crate::time::{HOUR, MINUTE, SECOND, TimeFormat};

/// Trims ASCII whitespace (spaces, tabs, line breaks) from both ends.
pub(crate) fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    b.get(start..end).unwrap_or(&[])
}

/// `true/false`, `yes/no`, `y/n`, `1/0`, in any case.
pub(crate) fn parse_bool(b: &[u8]) -> Option<bool> {
    let mut lower = [0u8; 5];
    if b.len() > lower.len() {
        return None;
    }
    for (d, s) in lower.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    match lower.get(..b.len())? {
        b"true" | b"yes" | b"y" | b"1" => Some(true),
        b"false" | b"no" | b"n" | b"0" => Some(false),
        _ => None,
    }
}

/// What a bool cell may hold.
pub(crate) const BOOL_EXPECTED: &str = "true/false, yes/no, y/n or 1/0";

/// A whole number with an optional sign.
pub(crate) fn parse_int(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, b),
    };
    if digits.is_empty() {
        return None;
    }
    // Negative numbers count down, so the smallest i64 reads too.
    let mut n: i64 = 0;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let d = i64::from(d - b'0');
        n = n.checked_mul(10)?;
        n = if neg {
            n.checked_sub(d)?
        } else {
            n.checked_add(d)?
        };
    }
    Some(n)
}

/// Whether `s` is written as a whole number (a sign, then digits): when it
/// does not read, it is too large for 64 bits.
pub(crate) fn is_integer_text(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// An e-mail address: `local@domain` with both parts non-empty, no
/// whitespace, and exactly one `@` outside double quotes (a quoted local
/// part such as `"a@b"@example.com` may hold more). A dotless domain
/// (`admin@intranet`) is valid, as RFC 5321 allows. Addresses are compared
/// ignoring case.
pub(crate) fn is_email(s: &str) -> bool {
    let mut at = None;
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' if at.is_none() => quoted = !quoted,
            '@' if !quoted => {
                if at.is_some() {
                    return false;
                }
                at = Some(i);
            }
            c if c.is_whitespace() => return false,
            _ => {}
        }
    }
    at.is_some_and(|i| i > 0 && i + 1 < s.len())
}

/// Elapsed time: `48h`, `1h 30m`, `90 minutes`, `2 hours`, `PT48H`.
pub(crate) fn parse_duration(s: &str) -> Option<i64> {
    let lower = s.to_ascii_lowercase();
    let ms = match lower.strip_prefix("pt") {
        Some(iso) => parse_units(iso, true),
        None => parse_units(&lower, false),
    };
    ms.filter(|ms| crate::time::elapsed_in_range(*ms))
}

fn parse_units(s: &str, iso: bool) -> Option<i64> {
    let mut total: i64 = 0;
    let mut rest = s.trim();
    let mut any = false;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: i64 = rest.get(..digits)?.parse().ok()?;
        rest = rest.get(digits..)?.trim_start();
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let unit = rest.get(..unit_len)?;
        let ms = match unit {
            "h" | "hr" | "hrs" | "hour" | "hours" => HOUR,
            "m" | "min" | "mins" | "minute" | "minutes" => MINUTE,
            "s" | "sec" | "secs" | "second" | "seconds" => SECOND,
            _ => return None,
        };
        if iso && unit.len() != 1 {
            return None;
        }
        total = total.checked_add(n.checked_mul(ms)?)?;
        rest = rest.get(unit_len..)?.trim_start();
        any = true;
    }
    any.then_some(total)
}

/// What a duration cell may hold.
pub(crate) const DURATION_EXPECTED: &str = "a duration such as 48h, 1h 30m or 90 minutes";

/// Calendar days: `90`, `90d`, `90 days`.
pub(crate) fn parse_days(s: &str) -> Option<i64> {
    let t = s.trim();
    let num = t
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .trim_end();
    let unit = t.get(num.len()..).unwrap_or("").trim().to_ascii_lowercase();
    if !matches!(unit.as_str(), "" | "d" | "day" | "days") {
        return None;
    }
    parse_int(num.as_bytes()).filter(|d| crate::time::days_in_range(*d))
}

/// What a days cell may hold.
pub(crate) const DAYS_EXPECTED: &str = "a number of days such as 90 or 90 days";

/// A date in the first of `formats` that matches.
pub(crate) fn parse_date(b: &[u8], formats: &[TimeFormat]) -> Option<NaiveDate> {
    formats.iter().find_map(|f| f.match_date(b))
}

/// "a date like 2024-06-03 or 6/3/2024": examples in each accepted format.
pub(crate) fn date_expected(formats: &[TimeFormat]) -> String {
    let examples: Vec<String> = formats.iter().map(|f| example(&f.source)).collect();
    format!("a date like {}", join_or(&examples))
}

/// "a date-time like 2025-11-21T13:44:00-05:00 or 11/21/2025 1:44 PM".
pub(crate) fn datetime_expected(formats: &[TimeFormat]) -> String {
    let examples: Vec<String> = formats.iter().map(|f| example(&f.source)).collect();
    format!("a date-time like {}", join_or(&examples))
}

fn join_or(items: &[String]) -> String {
    let mut items: Vec<&String> = items.iter().collect();
    items.dedup();
    match items.as_slice() {
        [] => "nothing (no formats declared)".to_string(),
        [one] => (*one).clone(),
        [init @ .., last] => format!(
            "{} or {last}",
            init.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Renders a pattern with a sample date (2025-11-21 13:44, offset -05:00).
fn example(pattern: &str) -> String {
    if pattern == "YYYY-MM-DDTHH:mm[:ss[.S]][Z]" {
        // What `iso8601` stands for: show the full form.
        return "2025-11-21T13:44:00-05:00".to_string();
    }
    let mut out = String::new();
    let mut optional_depth = 0usize;
    let b = pattern.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let run = b
            .get(i..)
            .map_or(1, |r| r.iter().take_while(|x| **x == c).count());
        let text = match (c, run) {
            (b'[', _) => {
                optional_depth += 1;
                i += 1;
                continue;
            }
            (b']', _) => {
                optional_depth = optional_depth.saturating_sub(1);
                i += 1;
                continue;
            }
            _ if optional_depth > 0 && !matches!(c, b'Z') => {
                // Optional parts are left out of examples, except an offset.
                i += run;
                continue;
            }
            (b'Y', 4) => "2025".to_string(),
            (b'M', 1) => "11".to_string(),
            (b'M', 2) => "11".to_string(),
            (b'D', 1) => "21".to_string(),
            (b'D', 2) => "21".to_string(),
            (b'H', _) => "13".to_string(),
            (b'h', _) => "1".to_string(),
            (b'm', 2) => "44".to_string(),
            (b's', 2) => "00".to_string(),
            (b'S', _) => "000".to_string(),
            (b'a', _) => "PM".to_string(),
            (b'Z', _) => "-05:00".to_string(),
            (b'T', _) => "T".to_string(),
            _ => (c as char).to_string().repeat(run),
        };
        out.push_str(&text);
        i += run;
    }
    out
}

/// Days between 0001-01-01 and a date, the compact form dates are stored in.
pub(crate) fn date_to_days(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.num_days_from_ce()
}

/// The date back from its stored form.
pub(crate) fn days_to_date(n: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{FormatKind, iso8601};

    #[test]
    fn booleans_in_every_spelling() {
        for t in ["true", "TRUE", "Yes", "y", "Y", "1"] {
            assert_eq!(parse_bool(t.as_bytes()), Some(true), "{t}");
        }
        for f in ["false", "False", "NO", "n", "0"] {
            assert_eq!(parse_bool(f.as_bytes()), Some(false), "{f}");
        }
        for bad in ["", "t", "ja", "2", "truee", "yes!"] {
            assert_eq!(parse_bool(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn integers_and_trimming() {
        assert_eq!(trim(b"  12 \t"), b"12");
        assert_eq!(trim(b"   "), b"");
        assert_eq!(parse_int(b"-7"), Some(-7));
        assert_eq!(parse_int(b"+7"), Some(7));
        assert_eq!(parse_int(b"1.0"), None);
        assert_eq!(parse_int(b"99999999999999999999"), None);
        assert_eq!(parse_int(b"-"), None);
        assert_eq!(parse_int(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int(b"9223372036854775808"), None);
        assert!(is_integer_text("-123") && is_integer_text("99999999999999999999"));
        assert!(!is_integer_text("12a") && !is_integer_text("-") && !is_integer_text("1.5"));
    }

    #[test]
    fn emails() {
        for ok in [
            "Jane.Doe@Example.com",
            "admin@intranet",
            "root@localhost",
            "x@y",
            "\"a@b\"@example.com",
            "o'brien+tag@example.co.uk",
            "josé@exämple.com",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "jane",
            "@example.com",
            "jane@",
            "a@b@c.com",
            "a@b.com; c@d.com",
            "Jane <jane@x.com>",
            "jane @x.com",
            "jane@x.com\u{a0}",
            "",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn durations_and_days() {
        assert_eq!(parse_duration("48h"), Some(48 * HOUR));
        assert_eq!(parse_duration("1h 30m"), Some(HOUR + 30 * MINUTE));
        assert_eq!(parse_duration("90 minutes"), Some(90 * MINUTE));
        assert_eq!(parse_duration("PT48H"), Some(48 * HOUR));
        assert_eq!(parse_duration("2 days"), None);
        assert_eq!(parse_days("90"), Some(90));
        // No more than the span of the dates docket supports.
        assert_eq!(parse_days("3652058"), Some(3_652_058));
        assert_eq!(parse_days("3652059"), None);
        assert_eq!(parse_duration("87649392h"), Some(87_649_392 * HOUR));
        assert_eq!(parse_duration("87649416h"), None);
        assert_eq!(parse_days("90 days"), Some(90));
        assert_eq!(parse_days("90d"), Some(90));
        assert_eq!(parse_days("90h"), None);
    }

    #[test]
    fn expected_text_shows_examples() {
        let us = TimeFormat::compile("M/D/YYYY", FormatKind::Date).unwrap();
        let mut f = iso8601(FormatKind::Date);
        f.push(us);
        assert_eq!(date_expected(&f), "a date like 2025-11-21 or 11/21/2025");
        let mut f = iso8601(FormatKind::DateTime);
        f.push(TimeFormat::compile("M/D/YYYY h:mm[:ss] a", FormatKind::DateTime).unwrap());
        assert_eq!(
            datetime_expected(&f),
            "a date-time like 2025-11-21T13:44:00-05:00 or 11/21/2025 1:44 PM"
        );
    }
}
