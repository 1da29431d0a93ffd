//! Deciding how to read a CSV file: its encoding, its delimiter, where its
//! data ends.
//!
//! What the policy or the command line declares is used as declared. What
//! neither says is found from the file and the headers the policy expects,
//! and only when the answer is certain: a byte-order mark names the
//! encoding; a header that matches only when split at `;`, a tab or `|`
//! names the delimiter; a report footer is recognised at the end. Anything
//! else is an error with a suggestion, never a guess, and every decision is
//! said in the file's account.

use std::io::Read;

use super::decode::{Decode, decode_lossy};
use super::dialect::{Dialect, Footer, TextEncoding, show_delimiter};
use super::footer::{FooterSlot, FoundFooter, LineShape, find_footer};
use super::open::Input;
use super::rewrite::{Rewrite, RewriteSpec};
use super::schema::TableSchema;
use crate::diagnostic::{Code, Diagnostic};

/// Bytes of the start of a file read to decide how to read it.
const HEAD: usize = 64 * 1024;

/// Delimiters tried when the header does not match with `,`.
const OTHER_DELIMITERS: [u8; 3] = [b';', b'\t', b'|'];

/// How a CSV file's bytes become the CSV the loader reads.
#[derive(Debug, Clone)]
pub(crate) struct CsvPlan {
    pub(crate) encoding: TextEncoding,
    /// Where the text starts (after a byte-order mark docket skips itself).
    pub(crate) text_start: u64,
    /// The rewrite into canonical CSV, when the dialect needs one.
    pub(crate) rewrite: Option<RewriteSpec>,
    /// Where the data ends (a footer starts), as a file offset.
    pub(crate) end: Option<u64>,
}

impl CsvPlan {
    /// Whether the file is read as it lies (UTF-8, `,`, `"`).
    fn plain(&self) -> bool {
        self.rewrite.is_none() && self.encoding == TextEncoding::Utf8 && self.text_start == 0
    }

    /// The file's bytes from its text's start, up to the data's end.
    fn raw(&self, input: &Input) -> std::io::Result<Box<dyn Read + Send>> {
        let raw = input.open_at(self.text_start)?;
        Ok(match self.end {
            Some(end) => Box::new(raw.take(end.saturating_sub(self.text_start))),
            None => raw,
        })
    }

    /// The file's text as UTF-8, every line where it is (for showing rows).
    pub(crate) fn text(&self, input: &Input) -> std::io::Result<Box<dyn Read + Send>> {
        let raw = input.open_at(self.text_start)?;
        Ok(decoded(raw, self.encoding))
    }

    /// The file as canonical CSV, from its start.
    pub(crate) fn canonical(&self, input: &Input) -> std::io::Result<Box<dyn Read + Send>> {
        let text = decoded(self.raw(input)?, self.encoding);
        Ok(match &self.rewrite {
            Some(spec) => Box::new(Rewrite::new(text, spec.clone())),
            None => text,
        })
    }

    /// The file as canonical CSV from offset `at` of that text on.
    pub(crate) fn canonical_at(
        &self,
        input: &Input,
        at: u64,
    ) -> std::io::Result<Box<dyn Read + Send>> {
        if self.plain() {
            let raw = input.open_at(at)?;
            return Ok(match self.end {
                Some(end) => Box::new(raw.take(end.saturating_sub(at))),
                None => raw,
            });
        }
        let mut text = self.canonical(input)?;
        std::io::copy(&mut (&mut text).take(at), &mut std::io::sink())?;
        Ok(text)
    }
}

fn decoded(raw: Box<dyn Read + Send>, encoding: TextEncoding) -> Box<dyn Read + Send> {
    if encoding == TextEncoding::Utf8 {
        return raw;
    }
    match Decode::new(raw, encoding) {
        Some(d) => Box::new(d),
        None => Box::new(std::io::empty()),
    }
}

/// How a file was read, as its account reports it.
#[derive(Debug, Clone, Default)]
pub(crate) struct HowRead {
    pub(crate) format: &'static str,
    pub(crate) encoding: Option<String>,
    pub(crate) delimiter: Option<String>,
    pub(crate) sheet: Option<String>,
    pub(crate) lines_before_header: u64,
    /// The line (a sheet: row) the header is on.
    pub(crate) header_line: u64,
    /// What was found rather than declared: `encoding`, `delimiter`, `footer`.
    pub(crate) detected: Vec<String>,
}

/// What opening a CSV file decided.
pub(crate) struct Sniffed {
    pub(crate) plan: CsvPlan,
    pub(crate) how: HowRead,
    pub(crate) footer: Option<FoundFooter>,
    /// What the rule "the data ends at the first blank line" dropped.
    pub(crate) blank_footer: Option<FooterSlot>,
    /// A delimiter the header matches more declared columns with, when
    /// none matches them all (for the missing-column help).
    pub(crate) better: Option<Better>,
    /// Bytes that are not UTF-8 should say which encoding the file is
    /// likely in (the encoding was not declared).
    pub(crate) guess_encoding: bool,
}

/// Decides how to read table `t`'s CSV file `input` under dialect `d`.
pub(crate) fn sniff(
    input: &Input,
    t: &TableSchema,
    d: &Dialect,
    display: &str,
) -> Result<Sniffed, Vec<Diagnostic>> {
    let head = read_head(input).map_err(|e| vec![super::open::unreadable(t, display, &e)])?;
    let mut how = HowRead {
        format: "csv",
        lines_before_header: d.skip_lines,
        ..HowRead::default()
    };
    let (encoding, text_start) = encoding_of(&head, t, d, display, &mut how)?;
    let text = decode_lossy(head.get(text_start as usize..).unwrap_or(&[]), encoding);
    let (delimiter, better) = delimiter_of(&text, t, d, display, &mut how)?;
    let header_len = header_fields(&text, d, delimiter).len();
    let blank_footer = (d.footer == Footer::BlankLine).then(FooterSlot::default);
    let canonical = delimiter == b','
        && d.quote == b'"'
        && d.escape.is_none()
        && d.nulls.is_empty()
        && blank_footer.is_none();
    let rewrite = (!canonical).then(|| RewriteSpec {
        delimiter,
        quote: d.quote,
        escape: d.escape,
        skip_lines: d.skip_lines,
        nulls: d.nulls.clone(),
        stop_at_blank: blank_footer.is_some(),
        footer: blank_footer.clone().unwrap_or_default(),
    });
    let shape = LineShape {
        delimiter,
        quote: d.quote,
        escape: d.escape,
        header_len,
    };
    let footer = find_footer(input, encoding, text_start, &d.footer, shape);
    if footer.is_some() && d.footer == Footer::Auto {
        how.detected.push("footer".to_string());
    }
    how.encoding = Some(encoding.name().to_string());
    how.delimiter = Some(show_delimiter(delimiter));
    Ok(Sniffed {
        plan: CsvPlan {
            encoding,
            text_start,
            rewrite,
            end: footer.as_ref().map(|f| f.end),
        },
        how,
        footer,
        blank_footer,
        better,
        guess_encoding: d.encoding.is_none() && encoding == TextEncoding::Utf8,
    })
}

fn read_head(input: &Input) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD);
    input.open_at(0)?.take(HEAD as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// The file's encoding and where its text starts: as declared (a
/// byte-order mark must agree), as a byte-order mark says, or UTF-8. A
/// file with NUL bytes and no mark is an error with a suggestion.
fn encoding_of(
    head: &[u8],
    t: &TableSchema,
    d: &Dialect,
    display: &str,
    how: &mut HowRead,
) -> Result<(TextEncoding, u64), Vec<Diagnostic>> {
    let bom = TextEncoding::from_bom(head);
    let skip = |e: TextEncoding, len: usize| {
        // UTF-8's mark is left to the CSV reader, which drops it.
        if e == TextEncoding::Utf8 {
            0
        } else {
            len as u64
        }
    };
    match (d.encoding, bom) {
        (Some(declared), Some((marked, len))) => {
            let utf16 = |e: TextEncoding| e.unit() == 2;
            if declared == marked {
                Ok((declared, skip(declared, len)))
            } else if utf16(declared) && utf16(marked) {
                how.detected.push("encoding".to_string());
                Ok((marked, skip(marked, len)))
            } else {
                Err(vec![
                    Diagnostic::error(
                        Code::DataFileEncoding,
                        format!(
                            "`{display}` starts with a {marked} byte-order mark, but table `{}` is read as {declared}",
                            t.name
                        ),
                    )
                    .with_label(t.span, format!("table `{}` reads it", t.name))
                    .with_help(format!(
                        "the mark says the file is {marked}: declare `encoding \"{}\"`, or leave the encoding out and docket reads what the mark says",
                        marked.label()
                    )),
                ])
            }
        }
        (Some(declared), None) => Ok((declared, 0)),
        (None, Some((marked, len))) => {
            if marked != TextEncoding::Utf8 {
                how.detected.push("encoding".to_string());
            }
            Ok((marked, skip(marked, len)))
        }
        (None, None) if head.contains(&0) => Err(vec![unmarked_wide(head, t, display)]),
        (None, None) => Ok((TextEncoding::Utf8, 0)),
    }
}

/// A file with NUL bytes and no byte-order mark: UTF-16 or UTF-32 without
/// a mark, which docket does not guess; the help names the encoding the
/// header reads in, when one does.
fn unmarked_wide(head: &[u8], t: &TableSchema, display: &str) -> Diagnostic {
    let wanted: Vec<&str> = t.columns.iter().map(|c| c.header.as_str()).collect();
    let reads = ["utf-16le", "utf-16be", "utf-32le", "utf-32be"]
        .into_iter()
        .filter_map(|l| Some((l, TextEncoding::for_label(l)?)))
        .find(|(_, e)| {
            let text = decode_lossy(head, *e);
            !wanted.is_empty() && wanted.iter().all(|w| text.contains(w))
        });
    let help = match reads {
        Some((label, _)) => format!(
            "its header reads as {label}: declare `encoding \"{label}\"` in table `{}`, or give `--encoding {}={label}`",
            t.name, t.name
        ),
        None => "declare the file's encoding (`encoding \"utf-16le\"` in the table), or save it as UTF-8 (Excel: \"CSV UTF-8 (Comma delimited)\")".to_string(),
    };
    Diagnostic::error(
        Code::DataFileEncoding,
        format!(
            "`{display}` holds NUL bytes and has no byte-order mark: it is not UTF-8, and docket does not guess between UTF-16 and UTF-32"
        ),
    )
    .with_label(t.span, format!("table `{}` reads it", t.name))
    .with_help(help)
}

/// The header's fields when split at `delimiter` (after the lines to skip).
fn header_fields(text: &str, d: &Dialect, delimiter: u8) -> Vec<String> {
    let mut rest = text;
    for _ in 0..d.skip_lines {
        rest = rest.split_once('\n').map_or("", |(_, r)| r);
    }
    let rest = rest.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .quote(d.quote)
        .escape(d.escape)
        .from_reader(rest.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(|f| f.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// A delimiter the header matches more declared columns with, and how many.
pub(crate) type Better = (u8, usize);

/// The delimiter: as declared, `,` when the header matches with it, or
/// the one other delimiter it matches with. Two others matching is an
/// error; none matching reads with `,` (the missing columns are then
/// reported) and returns the delimiter that matches the most, if better.
fn delimiter_of(
    text: &str,
    t: &TableSchema,
    d: &Dialect,
    display: &str,
    how: &mut HowRead,
) -> Result<(u8, Option<Better>), Vec<Diagnostic>> {
    if let Some(declared) = d.delimiter {
        return Ok((declared, None));
    }
    let matched = |delimiter: u8| {
        let fields = header_fields(text, d, delimiter);
        t.columns
            .iter()
            .filter(|c| fields.contains(&c.header))
            .count()
    };
    let all = t.columns.len();
    let comma = matched(b',');
    if comma == all {
        return Ok((b',', None));
    }
    let counts: Vec<(u8, usize)> = OTHER_DELIMITERS.iter().map(|&c| (c, matched(c))).collect();
    let full: Vec<u8> = counts
        .iter()
        .filter(|(_, n)| *n == all)
        .map(|(c, _)| *c)
        .collect();
    match full.as_slice() {
        [one] => {
            how.detected.push("delimiter".to_string());
            Ok((*one, None))
        }
        [] => {
            let best = counts.into_iter().max_by_key(|(_, n)| *n);
            Ok((b',', best.filter(|(_, n)| *n > comma)))
        }
        many => Err(vec![
            Diagnostic::error(
                Code::DataAmbiguousDelimiter,
                format!(
                    "the header of `{display}` matches table `{}` when split at {}: docket does not guess which",
                    t.name,
                    many.iter()
                        .map(|c| format!("`{}`", show_delimiter(*c)))
                        .collect::<Vec<_>>()
                        .join(" and ")
                ),
            )
            .with_label(t.span, format!("table `{}` reads it", t.name))
            .with_help(format!(
                "declare the delimiter, e.g. `delimiter \"{}\"` in the table, or give `--delimiter {}=CHAR`",
                many.first().map_or(";".to_string(), |c| show_delimiter(*c)),
                t.name
            )),
        ]),
    }
}
