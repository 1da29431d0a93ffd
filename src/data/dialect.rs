//! How a table's file is written: its encoding, its CSV dialect (delimiter,
//! quote and escape characters), the lines before its header and after its
//! data, the cell texts that mean "missing", and for a workbook its sheet.
//!
//! A policy declares what it knows; the command line overrides any of it
//! per table ([`DialectOverride`]); what neither says is detected when the
//! file is opened, and said (see [`super::FileAccount`]).

use std::fmt;

use encoding_rs::Encoding;

/// A text encoding docket can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 (with or without a byte-order mark).
    Utf8,
    /// ISO-8859-1 exactly: every byte is the code point of the same number
    /// (bytes 0x80–0x9F are control characters, not `€` and curly quotes as
    /// in windows-1252).
    Latin1,
    /// UTF-32, little-endian.
    Utf32Le,
    /// UTF-32, big-endian.
    Utf32Be,
    /// Any other encoding of the WHATWG Encoding Standard (`encoding_rs`):
    /// UTF-16LE/BE, windows-125x, ISO-8859-x, KOI8, Shift_JIS, GBK, Big5, …
    Whatwg(&'static Encoding),
}

impl TextEncoding {
    /// The encoding a label names (`utf-8`, `utf-16`, `windows-1252`,
    /// `cp1252`, `iso-8859-1`, `latin1`, `shift_jis`, …, case ignored).
    pub fn for_label(label: &str) -> Option<TextEncoding> {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "iso-8859-1" | "iso8859-1" | "iso_8859-1" | "latin1" | "latin-1" | "l1" | "cp819"
            | "ibm819" | "iso-ir-100" => return Some(TextEncoding::Latin1),
            "utf-32" | "utf32" | "utf-32le" | "utf32le" => return Some(TextEncoding::Utf32Le),
            "utf-32be" | "utf32be" => return Some(TextEncoding::Utf32Be),
            "utf8" => return Some(TextEncoding::Utf8),
            "utf16" => return Some(TextEncoding::Whatwg(encoding_rs::UTF_16LE)),
            "cp1252" => return Some(TextEncoding::Whatwg(encoding_rs::WINDOWS_1252)),
            _ => {}
        }
        let e = Encoding::for_label(l.as_bytes())?;
        if e == encoding_rs::UTF_8 {
            Some(TextEncoding::Utf8)
        } else if e == encoding_rs::REPLACEMENT {
            None
        } else {
            Some(TextEncoding::Whatwg(e))
        }
    }

    /// Its name, as reports show it (`UTF-8`, `UTF-16LE`, `windows-1252`).
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Latin1 => "ISO-8859-1",
            TextEncoding::Utf32Le => "UTF-32LE",
            TextEncoding::Utf32Be => "UTF-32BE",
            TextEncoding::Whatwg(e) => e.name(),
        }
    }

    /// Bytes per code unit (a line break is one code unit).
    pub(crate) fn unit(self) -> usize {
        match self {
            TextEncoding::Utf32Le | TextEncoding::Utf32Be => 4,
            TextEncoding::Whatwg(e) if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => {
                2
            }
            _ => 1,
        }
    }

    /// A line feed in this encoding.
    pub(crate) fn newline(self) -> &'static [u8] {
        match self {
            TextEncoding::Utf32Le => &[b'\n', 0, 0, 0],
            TextEncoding::Utf32Be => &[0, 0, 0, b'\n'],
            TextEncoding::Whatwg(e) if e == encoding_rs::UTF_16LE => &[b'\n', 0],
            TextEncoding::Whatwg(e) if e == encoding_rs::UTF_16BE => &[0, b'\n'],
            _ => b"\n",
        }
    }

    /// The byte-order mark `bytes` start with, and its encoding.
    pub(crate) fn from_bom(bytes: &[u8]) -> Option<(TextEncoding, usize)> {
        Some(match bytes {
            [0xFF, 0xFE, 0, 0, ..] => (TextEncoding::Utf32Le, 4),
            [0, 0, 0xFE, 0xFF, ..] => (TextEncoding::Utf32Be, 4),
            [0xEF, 0xBB, 0xBF, ..] => (TextEncoding::Utf8, 3),
            [0xFF, 0xFE, ..] => (TextEncoding::Whatwg(encoding_rs::UTF_16LE), 2),
            [0xFE, 0xFF, ..] => (TextEncoding::Whatwg(encoding_rs::UTF_16BE), 2),
            _ => return None,
        })
    }

    /// The label to declare it with.
    pub(crate) fn label(self) -> String {
        self.name().to_ascii_lowercase()
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which trailing lines of a file are a footer, not data.
#[derive(Debug, Clone, Default)]
pub enum Footer {
    /// A report footer is recognised: after a blank line, up to
    /// [`super::footer::MAX_FOOTER_LINES`] short lines to the end of the
    /// file, none of which could be a row (fewer fields than the header).
    #[default]
    Auto,
    /// No footer: every line after the header is data.
    None,
    /// The data ends at the first blank line after the header.
    BlankLine,
    /// Trailing lines that match one of these patterns (and blank lines
    /// among them) are the footer.
    Matching(Vec<regex::Regex>),
}

impl PartialEq for Footer {
    fn eq(&self, other: &Footer) -> bool {
        match (self, other) {
            (Footer::Matching(a), Footer::Matching(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.as_str() == y.as_str())
            }
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

impl Footer {
    /// As the command line and reports write it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Footer::Auto => "auto".to_string(),
            Footer::None => "none".to_string(),
            Footer::BlankLine => "blank-line".to_string(),
            Footer::Matching(p) => format!(
                "matching {}",
                p.iter()
                    .map(|r| format!("/{}/", r.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// How one table's file is written. Every field left at its default is
/// detected or assumed: UTF-8 (or what a byte-order mark says), a `,`
/// delimiter (or the one the header only matches with), `"` quotes doubled
/// inside quoted fields, the header on the first line, a report footer
/// recognised, no null sequences, the first sheet of a workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct Dialect {
    /// The file's encoding; `None`: UTF-8 unless a byte-order mark says otherwise.
    pub encoding: Option<TextEncoding>,
    /// The field delimiter; `None`: detected.
    pub delimiter: Option<u8>,
    /// The quote character.
    pub quote: u8,
    /// The character that escapes a quote inside a quoted field (besides
    /// doubling it).
    pub escape: Option<u8>,
    /// Lines (a workbook: rows) before the header.
    pub skip_lines: u64,
    /// Which trailing lines are a footer.
    pub footer: Footer,
    /// Cell texts that mean "missing" (after trimming), e.g. `NULL`, `-`.
    pub nulls: Vec<String>,
    /// A workbook's sheet; `None`: the first.
    pub sheet: Option<String>,
}

impl Default for Dialect {
    fn default() -> Dialect {
        Dialect {
            encoding: None,
            delimiter: None,
            quote: b'"',
            escape: None,
            skip_lines: 0,
            footer: Footer::Auto,
            nulls: Vec::new(),
            sheet: None,
        }
    }
}

/// Options given on the command line for one table; each replaces the
/// policy's.
#[derive(Debug, Clone, Default)]
pub struct DialectOverride {
    /// `--encoding NAME=ENCODING`
    pub encoding: Option<TextEncoding>,
    /// `--delimiter NAME=CHAR`
    pub delimiter: Option<u8>,
    /// `--quote NAME=CHAR`
    pub quote: Option<u8>,
    /// `--escape NAME=CHAR` (`none` for no escape character)
    pub escape: Option<Option<u8>>,
    /// `--skip-lines NAME=N`
    pub skip_lines: Option<u64>,
    /// `--footer NAME=…` and `--footer-matching NAME=REGEX`
    pub footer: Option<Footer>,
    /// `--null NAME=TEXT` (repeatable; replaces the policy's list)
    pub nulls: Option<Vec<String>>,
    /// `--sheet NAME=SHEET`
    pub sheet: Option<String>,
}

impl DialectOverride {
    /// The options of a table given as plain UTF-8 comma-separated text
    /// (a policy test's tables): the policy's file layout does not apply,
    /// its null sequences do.
    pub fn plain_text() -> DialectOverride {
        DialectOverride {
            encoding: Some(TextEncoding::Utf8),
            delimiter: Some(b','),
            quote: Some(b'"'),
            escape: Some(None),
            skip_lines: Some(0),
            footer: Some(Footer::None),
            nulls: None,
            sheet: None,
        }
    }

    /// `d` with these options over it.
    pub fn apply(&self, d: &Dialect) -> Dialect {
        Dialect {
            encoding: self.encoding.or(d.encoding),
            delimiter: self.delimiter.or(d.delimiter),
            quote: self.quote.unwrap_or(d.quote),
            escape: self.escape.unwrap_or(d.escape),
            skip_lines: self.skip_lines.unwrap_or(d.skip_lines),
            footer: self.footer.clone().unwrap_or_else(|| d.footer.clone()),
            nulls: self.nulls.clone().unwrap_or_else(|| d.nulls.clone()),
            sheet: self.sheet.clone().or_else(|| d.sheet.clone()),
        }
    }

    /// Sets option `option` (as the command line names it, without `--`)
    /// from `value`.
    pub fn set(&mut self, option: &str, value: &str) -> Result<(), String> {
        match option {
            "encoding" => self.encoding = Some(parse_encoding(value)?),
            "delimiter" => self.delimiter = Some(parse_char(value, "a delimiter")?),
            "quote" => self.quote = Some(parse_char(value, "a quote character")?),
            "escape" => {
                self.escape = Some(match value {
                    "none" => None,
                    v => Some(parse_char(v, "an escape character")?),
                })
            }
            "skip-lines" => {
                let n = value.trim().parse::<u64>().map_err(|_| {
                    format!("`{value}` is not a number of lines (a whole number, 0 or more)")
                })?;
                self.skip_lines = Some(n);
            }
            "footer" => {
                self.footer = Some(match value.trim() {
                    "auto" => Footer::Auto,
                    "none" => Footer::None,
                    "blank-line" => Footer::BlankLine,
                    other => {
                        return Err(format!(
                            "`{other}` is not a footer rule: write `auto`, `none` or `blank-line` (or give patterns with --footer-matching)"
                        ));
                    }
                })
            }
            "footer-matching" => {
                let re = parse_pattern(value)?;
                match &mut self.footer {
                    Some(Footer::Matching(list)) => list.push(re),
                    f => *f = Some(Footer::Matching(vec![re])),
                }
            }
            "null" => self
                .nulls
                .get_or_insert_with(Vec::new)
                .push(value.to_string()),
            "sheet" => self.sheet = Some(value.to_string()),
            other => return Err(format!("docket has no table option `{other}`")),
        }
        Ok(())
    }
}

/// An encoding label, or why not.
pub fn parse_encoding(label: &str) -> Result<TextEncoding, String> {
    TextEncoding::for_label(label).ok_or_else(|| {
        format!(
            "docket does not know the encoding `{label}`: write utf-8, utf-16 (utf-16le, utf-16be), utf-32, windows-1252, iso-8859-1, or another WHATWG encoding label (iso-8859-15, windows-1250, koi8-r, shift_jis, gbk, big5, …)"
        )
    })
}

/// One ASCII character (`\t` or `tab` for a tab), not a line break; or why not.
pub fn parse_char(s: &str, what: &str) -> Result<u8, String> {
    let c = match s {
        "\\t" | "tab" => '\t',
        _ => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => return Err(format!("{what} is one character; `{s}` is not")),
            }
        }
    };
    if c == '\n' || c == '\r' {
        return Err(format!("{what} cannot be a line break"));
    }
    u8::try_from(c)
        .ok()
        .filter(u8::is_ascii)
        .ok_or_else(|| format!("{what} is an ASCII character; `{c}` is not"))
}

/// A footer pattern (a regular expression), or why not.
pub fn parse_pattern(s: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(s)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| {
            // The error's own last line says what is wrong, without its drawing.
            let text = e.to_string();
            let why = text
                .lines()
                .rev()
                .find_map(|l| l.strip_prefix("error: "))
                .unwrap_or(&text)
                .to_string();
            format!("`{s}` is not a regular expression: {why}")
        })
}

/// How a delimiter is written in reports: the character, or `tab`.
pub(crate) fn show_delimiter(d: u8) -> String {
    match d {
        b'\t' => "tab".to_string(),
        b' ' => "space".to_string(),
        d => char::from(d).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_encodings_reports_show() {
        let name = |l: &str| TextEncoding::for_label(l).map(TextEncoding::name);
        assert_eq!(name("utf-8"), Some("UTF-8"));
        assert_eq!(name("UTF8"), Some("UTF-8"));
        assert_eq!(name("utf-16"), Some("UTF-16LE"));
        assert_eq!(name("utf-16be"), Some("UTF-16BE"));
        assert_eq!(name("windows-1252"), Some("windows-1252"));
        assert_eq!(name("cp1252"), Some("windows-1252"));
        assert_eq!(name("latin1"), Some("ISO-8859-1"));
        assert_eq!(name("ISO-8859-1"), Some("ISO-8859-1"));
        assert_eq!(name("iso-8859-15"), Some("ISO-8859-15"));
        assert_eq!(name("utf-32"), Some("UTF-32LE"));
        assert_eq!(name("shift_jis"), Some("Shift_JIS"));
        assert_eq!(name("replacement"), None);
        assert_eq!(name("klingon"), None);
    }

    #[test]
    fn characters_are_one_ascii_character() {
        assert_eq!(parse_char(";", "d"), Ok(b';'));
        assert_eq!(parse_char("\t", "d"), Ok(b'\t'));
        assert_eq!(parse_char("tab", "d"), Ok(b'\t'));
        assert_eq!(parse_char("\\t", "d"), Ok(b'\t'));
        assert!(parse_char(";;", "d").is_err());
        assert!(parse_char("", "d").is_err());
        assert!(parse_char("§", "d").is_err());
        assert!(parse_char("\n", "d").is_err());
    }

    #[test]
    fn overrides_replace_what_they_give() {
        let policy = Dialect {
            delimiter: Some(b';'),
            nulls: vec!["NULL".into()],
            ..Dialect::default()
        };
        let mut o = DialectOverride::default();
        assert!(o.set("encoding", "windows-1252").is_ok());
        assert!(o.set("footer-matching", "^Copyright").is_ok());
        assert!(o.set("footer-matching", "^Generated By").is_ok());
        let d = o.apply(&policy);
        assert_eq!(d.delimiter, Some(b';'));
        assert_eq!(d.encoding.map(TextEncoding::name), Some("windows-1252"));
        assert_eq!(d.nulls, vec!["NULL".to_string()]);
        assert!(matches!(&d.footer, Footer::Matching(p) if p.len() == 2));
        assert!(o.set("footer", "sometimes").is_err());
        assert!(o.set("skip-lines", "-1").is_err());
        assert!(o.set("colour", "red").is_err());
    }
}
