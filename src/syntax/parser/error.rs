//! The parser's error type and its conversion to diagnostics.
//!
//! nom combinators merge errors through [`ParseError::or`]; ours keeps the
//! error that got furthest and, at equal offsets, the union of what was
//! expected, which is how "expected `where`, `and` or `)`" comes out.
//! Targeted errors (`==` instead of `=`, an unclosed string) carry their own
//! message, label and help.

use nom::error::{ErrorKind, ParseError};

use super::In;
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{FileId, Span};

/// What the parser was looking for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expected {
    /// A literal token, shown in backticks.
    Token(&'static str),
    /// A kind of thing, shown as is ("an expression").
    Thing(&'static str),
}

/// A targeted error with its own wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Custom {
    /// Stable code.
    pub(crate) code: Code,
    /// The message.
    pub(crate) message: String,
    /// Byte range to underline.
    pub(crate) start: usize,
    /// End of that range.
    pub(crate) end: usize,
    /// The label on it.
    pub(crate) label: String,
    /// How to fix it.
    pub(crate) help: Option<String>,
}

/// A parse error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PError {
    /// Byte offset where parsing failed.
    pub(crate) offset: usize,
    /// What would have been accepted there.
    pub(crate) expected: Vec<Expected>,
    /// A targeted error, which wins over `expected`.
    pub(crate) custom: Option<Box<Custom>>,
    /// Words a misspelling may have meant (for "did you mean").
    pub(crate) suggest: Vec<&'static str>,
    /// A `(` or `[` whose closing token is missing here: its offset and
    /// the closing token.
    pub(crate) unclosed: Option<(usize, &'static str)>,
}

impl PError {
    /// "expected X" at an offset.
    pub(crate) fn expected(offset: usize, what: Expected) -> PError {
        PError {
            offset,
            expected: vec![what],
            custom: None,
            suggest: Vec::new(),
            unclosed: None,
        }
    }

    /// A targeted error.
    pub(crate) fn custom(c: Custom) -> PError {
        PError {
            offset: c.start,
            expected: Vec::new(),
            custom: Some(Box::new(c)),
            suggest: Vec::new(),
            unclosed: None,
        }
    }
}

impl<'a> ParseError<In<'a>> for PError {
    fn from_error_kind(input: In<'a>, _kind: ErrorKind) -> Self {
        PError {
            offset: input.location_offset(),
            expected: Vec::new(),
            custom: None,
            suggest: Vec::new(),
            unclosed: None,
        }
    }

    fn append(_input: In<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        match (self.custom.is_some(), other.custom.is_some()) {
            (true, false) => return self,
            (false, true) => return other,
            _ => {}
        }
        match self.offset.cmp(&other.offset) {
            std::cmp::Ordering::Greater => self,
            std::cmp::Ordering::Less => other,
            std::cmp::Ordering::Equal => {
                let mut merged = self;
                for e in other.expected {
                    if !merged.expected.contains(&e) {
                        merged.expected.push(e);
                    }
                }
                merged.suggest.extend(other.suggest);
                merged.unclosed = merged.unclosed.or(other.unclosed);
                merged
            }
        }
    }
}

/// Describes the token at `offset` ("`foo`", "a string", "end of file") and its length.
pub(crate) fn describe_at(text: &str, offset: usize) -> (String, usize, usize) {
    let mut at = offset.min(text.len());
    // Skip layout so the label lands on the token itself.
    loop {
        let rest = text.get(at..).unwrap_or("");
        let Some(c) = rest.chars().next() else { break };
        if c == '#' {
            at += rest.find('\n').unwrap_or(rest.len());
        } else if c.is_whitespace() {
            at += c.len_utf8();
        } else {
            break;
        }
    }
    let rest = text.get(at..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("end of file".to_string(), at, 0);
    };
    if crate::syntax::lexer::is_word_start(c) {
        let len = rest
            .find(|c: char| !crate::syntax::lexer::is_word_char(c))
            .unwrap_or(rest.len());
        return (format!("`{}`", rest.get(..len).unwrap_or("")), at, len);
    }
    if c == '"' {
        let len = rest.find('\n').unwrap_or(rest.len()).min(40);
        let len = (1..=len)
            .rev()
            .find(|l| rest.is_char_boundary(*l))
            .unwrap_or(1);
        return ("a string".to_string(), at, len);
    }
    if c.is_ascii_digit() {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':'))
            .unwrap_or(rest.len());
        return (format!("`{}`", rest.get(..len).unwrap_or("")), at, len);
    }
    for p in ["!=", "<=", ">=", "==", "&&", "||", "<>"] {
        if rest.starts_with(p) {
            return (format!("`{p}`"), at, 2);
        }
    }
    (format!("`{c}`"), at, c.len_utf8())
}

fn join_expected(items: &[Expected]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in items {
        let s = match e {
            Expected::Token(t) => format!("`{t}`"),
            Expected::Thing(t) => (*t).to_string(),
        };
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    match parts.len() {
        0 => "something else".to_string(),
        1 => parts.swap_remove(0),
        n => {
            let last = parts.pop().unwrap_or_default();
            let _ = n;
            format!("{} or {}", parts.join(", "), last)
        }
    }
}

/// Turns a parse error into a diagnostic.
pub(crate) fn to_diagnostic(e: &PError, file: FileId, text: &str) -> Diagnostic {
    if let Some(c) = &e.custom {
        return Diagnostic::error(c.code, c.message.clone())
            .with_label(Span::new(file, c.start, c.end), c.label.clone())
            .with_help_opt(c.help.clone());
    }
    let (found, at, len) = describe_at(text, e.offset);
    let expected = join_expected(&e.expected);
    if let Some((open, close)) = e.unclosed {
        return unclosed(file, open, close, (&found, at, len));
    }
    let mut d = Diagnostic::error(
        Code::ParseExpected,
        format!("expected {expected}, found {found}"),
    )
    .with_label(
        Span::new(file, at, at + len),
        format!("expected {expected}"),
    );
    // A misspelled keyword: suggest the closest one that was expected here.
    let word = found.trim_matches('`');
    let keywords: Vec<&str> = e
        .expected
        .iter()
        .filter_map(|x| match x {
            Expected::Token(t) => Some(*t),
            Expected::Thing(_) => None,
        })
        .chain(e.suggest.iter().copied())
        .collect();
    let mut help = did_you_mean(word, keywords.iter().copied());
    if help.is_none() {
        help = hint_for(&e.expected);
    }
    d = d.with_help_opt(help);
    d
}

/// A `(` or `[` never closed: reported at the opening token, with where
/// the closing one was expected.
fn unclosed(
    file: FileId,
    open: usize,
    close: &'static str,
    (found, at, len): (&str, usize, usize),
) -> Diagnostic {
    let opener = if close == "]" { "[" } else { "(" };
    let what = if close == "]" { "list" } else { "parenthesis" };
    Diagnostic::error(
        Code::ParseUnclosed,
        format!("unclosed `{opener}`: expected `{close}`, found {found}"),
    )
    .with_label(
        Span::new(file, open, open + 1),
        format!("this `{opener}` is never closed"),
    )
    .with_label(Span::new(file, at, at + len), format!("expected `{close}`"))
    .with_help(format!(
        "close the {what} with `{close}` where it ends, or remove the `{opener}`"
    ))
}

fn hint_for(expected: &[Expected]) -> Option<String> {
    for e in expected {
        match e {
            Expected::Thing("a rule clause") => {
                return Some(format!(
                    "a rule continues with clauses: {}",
                    crate::syntax::lexer::CLAUSE_KEYWORDS
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Expected::Thing("an item") => {
                return Some(
                    "a policy file holds `policy`, `table`, `define`, `rule`, `notice`, `allowlist` and `escalation` items, each starting a line"
                        .to_string(),
                );
            }
            Expected::Thing("a column or relation") => {
                return Some(
                    "a table member reads `name: type from \"Header\"` or `name: many table by field`"
                        .to_string(),
                );
            }
            Expected::Thing("a duration") => {
                return Some(
                    "write a duration as a number and a unit: `90 days`, `48 hours`, `30 minutes`"
                        .to_string(),
                );
            }
            _ => {}
        }
    }
    None
}
