//! A token-level view of policy text.
//!
//! The parser works directly on characters (nom over located spans); this
//! lexer exists for the tools around it: the formatter takes comments from
//! it, and the grammar test feeds its token classes to the EBNF in
//! `grammar/docket.ebnf`. Both must agree with the parser on what a string,
//! a comment and a word are; the shared helpers below keep them in step.

use crate::source::{FileId, Span};

/// Words that start a top-level item.
pub const ITEM_KEYWORDS: &[&str] = &[
    "policy",
    "table",
    "define",
    "rule",
    "notice",
    "allowlist",
    "escalation",
];

/// Words that start a rule clause.
pub const CLAUSE_KEYWORDS: &[&str] = &[
    "severity", "for", "source", "let", "when", "require", "expect", "from", "to", "arm", "start",
    "stop", "every", "at", "message",
];

/// Words that start a policy-header clause.
pub const HEADER_KEYWORDS: &[&str] = &[
    "version", "timezone", "date", "datetime", "fields", "waivers", "order",
];

/// Words that start a line saying how a table's file is written.
pub const TABLE_OPTION_KEYWORDS: &[&str] = &[
    "encoding",
    "delimiter",
    "quote",
    "escape",
    "skip",
    "footer",
    "missing",
    "sheet",
];

/// Words that cannot name a row, a `let` or a table, because an expression
/// would read them as operators or literals.
pub const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "is", "where", "contains", "starts", "ends", "any", "no", "first",
    "last", "count", "if", "then", "else", "true", "false", "now",
];

/// Every other word the parser treats as a keyword somewhere (types,
/// modifiers, connectives inside clauses). Together with the lists above,
/// this is the keyword set `grammar/docket.ebnf` must use.
pub const OTHER_KEYWORDS: &[&str] = &[
    "lines",
    "line",
    "none",
    "auto",
    "after",
    "blank",
    "matching",
    "formats",
    "iso8601",
    "from",
    "key",
    "required",
    "unused",
    "default",
    "one",
    "of",
    "others",
    "separated",
    "by",
    "list",
    "ref",
    "many",
    "ordered",
    "as",
    "section",
    "error",
    "warning",
    "exempt",
    "within",
    "missing",
    "present",
    "ignoring",
    "case",
    "with",
    "text",
    "int",
    "bool",
    "email",
    "duration",
    "days",
];

/// Long unit words of duration literals (`90 days`).
pub const UNIT_WORDS: &[&str] = &["day", "days", "hour", "hours", "minute", "minutes"];

/// Short units written right after the number (`48h`).
pub(crate) const UNIT_SUFFIXES: &[&str] = &["d", "h", "m", "min"];

/// True for a character that may start a word.
pub(crate) fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

/// True for a character that may continue a word.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// True for a character of a rule id (`rr-single-quote`).
pub(crate) fn is_rule_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// The class of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// A word: keyword or name.
    Word(String),
    /// A rule id after `rule`, `notice`, `allowlist` or `escalation`.
    RuleId(String),
    /// Digits.
    Int,
    /// `YYYY-MM-DD`
    Date,
    /// `YYYY-MM-DDThh:mm…`
    DateTime,
    /// A unit glued to a number: the `h` of `48h`.
    Unit,
    /// A string without holes.
    Str,
    /// A string up to its first hole: `"text {`.
    StrHead,
    /// Between two holes: `} text {`.
    StrMid,
    /// After the last hole: `} text"`.
    StrTail,
    /// A string that is not closed before the end of the line.
    Unterminated,
    /// Punctuation or an operator.
    Punct(&'static str),
    /// A `#` comment.
    Comment,
    /// Anything else.
    Unknown(char),
}

/// A token with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Class.
    pub tok: Tok,
    /// Where.
    pub(crate) span: Span,
}

const PUNCT: &[&str] = &[
    "!=", "<=", ">=", "==", "&&", "||", "<>", "=", "<", ">", "+", "-", "(", ")", "[", "]", ",",
    ".", ":", "!",
];

/// Splits policy text into tokens. Never fails: unknown characters become
/// [`Tok::Unknown`] and an unclosed string [`Tok::Unterminated`].
pub fn tokenize(file: FileId, text: &str) -> Vec<Token> {
    let mut lx = Lexer {
        depth: 0,
        file,
        text,
        pos: 0,
        out: Vec::new(),
        line_start_token: true,
    };
    lx.run(false);
    lx.out
}

/// The comments of a text, in order.
pub(crate) fn comments(file: FileId, text: &str) -> Vec<Token> {
    tokenize(file, text)
        .into_iter()
        .filter(|t| t.tok == Tok::Comment)
        .collect()
}

/// Nesting of `{…}` holes the lexer follows (the parser stops earlier).
const MAX_HOLE_DEPTH: usize = 100;

struct Lexer<'a> {
    depth: usize,
    file: FileId,
    text: &'a str,
    pos: usize,
    out: Vec<Token>,
    line_start_token: bool,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.text.get(self.pos..).and_then(|s| s.chars().nth(n))
    }

    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn push(&mut self, tok: Tok, start: usize) {
        self.out.push(Token {
            tok,
            span: Span::new(self.file, start, self.pos),
        });
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) {
        while let Some(c) = self.peek() {
            if !f(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
    }

    /// Lexes until the end, or (inside a hole) until the closing `}`.
    fn run(&mut self, in_hole: bool) {
        while let Some(c) = self.peek() {
            if c == '\n' {
                self.pos += 1;
                self.line_start_token = true;
                continue;
            }
            if c.is_whitespace() {
                self.pos += c.len_utf8();
                continue;
            }
            if in_hole && c == '}' {
                return;
            }
            let at_line_start = std::mem::replace(&mut self.line_start_token, false);
            let start = self.pos;
            if c == '#' {
                self.take_while(|c| c != '\n');
                self.push(Tok::Comment, start);
                self.line_start_token = at_line_start;
            } else if c == '"' {
                self.string();
            } else if c.is_ascii_digit() {
                self.number();
            } else if is_word_start(c) {
                self.take_while(is_word_char);
                let w = self.text.get(start..self.pos).unwrap_or("").to_string();
                let starts_rule = at_line_start
                    && matches!(w.as_str(), "rule" | "notice" | "allowlist" | "escalation");
                let starts_order = at_line_start && w == "order";
                self.push(Tok::Word(w), start);
                if starts_rule {
                    self.take_while(|c| c == ' ' || c == '\t');
                    self.rule_id();
                } else if starts_order {
                    self.rule_ids();
                }
            } else if let Some(p) = PUNCT.iter().find(|p| self.rest().starts_with(**p)) {
                self.pos += p.len();
                self.push(Tok::Punct(p), start);
            } else {
                self.pos += c.len_utf8();
                self.push(Tok::Unknown(c), start);
            }
        }
    }

    /// A rule id here, if one starts here.
    fn rule_id(&mut self) -> bool {
        let id_start = self.pos;
        if !self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            return false;
        }
        self.take_while(is_rule_id_char);
        let id = self.text.get(id_start..self.pos).unwrap_or("").to_string();
        self.push(Tok::RuleId(id), id_start);
        true
    }

    /// `order`'s list: rule ids and commas; after a comma the list goes on
    /// across lines and comments.
    fn rule_ids(&mut self) {
        loop {
            self.blank_and_comments();
            if !self.rule_id() {
                return;
            }
            // A comma ends the line the id is on (as `docket fmt` writes it).
            self.take_while(|c| c == ' ' || c == '\t');
            if self.peek() != Some(',') {
                return;
            }
            let start = self.pos;
            self.pos += 1;
            self.push(Tok::Punct(","), start);
        }
    }

    /// Skips white space and line breaks; lexes the comments among them.
    fn blank_and_comments(&mut self) {
        while let Some(c) = self.peek() {
            if c == '#' {
                let start = self.pos;
                self.take_while(|c| c != '\n');
                self.push(Tok::Comment, start);
            } else if c.is_whitespace() {
                self.pos += c.len_utf8();
            } else {
                return;
            }
        }
    }

    fn number(&mut self) {
        let start = self.pos;
        let rest = self.rest().as_bytes();
        let is_date = rest.len() >= 10
            && rest.iter().take(4).all(u8::is_ascii_digit)
            && rest.get(4) == Some(&b'-')
            && rest
                .get(5..7)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && rest.get(7) == Some(&b'-')
            && rest
                .get(8..10)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        if is_date {
            self.pos += 10;
            if let Some(len) = datetime_tail_len(self.rest()) {
                self.pos += len;
                self.push(Tok::DateTime, start);
            } else {
                self.push(Tok::Date, start);
            }
            return;
        }
        self.take_while(|c| c.is_ascii_digit());
        self.push(Tok::Int, start);
        let unit_start = self.pos;
        if let Some(u) = glued_unit(self.rest()) {
            self.pos += u.len();
            self.push(Tok::Unit, unit_start);
            return;
        }
        // A unit word on the same line: `90 days`.
        let blank = self
            .rest()
            .bytes()
            .take_while(|b| *b == b' ' || *b == b'\t')
            .count();
        let after = self.rest().get(blank..).unwrap_or("");
        let len = after
            .find(|c: char| !is_word_char(c))
            .unwrap_or(after.len());
        if UNIT_WORDS.contains(&after.get(..len).unwrap_or("")) {
            self.pos += blank;
            let start = self.pos;
            self.pos += len;
            self.push(Tok::Unit, start);
        }
    }

    fn string(&mut self) {
        let start = self.pos;
        if self.depth >= MAX_HOLE_DEPTH {
            // Too deep to follow: the rest of the line is one bad token.
            self.take_while(|c| c != '\n');
            self.push(Tok::Unterminated, start);
            return;
        }
        self.depth += 1;
        self.string_inner(start);
        self.depth -= 1;
    }

    fn string_inner(&mut self, start: usize) {
        self.pos += 1;
        let mut piece = start;
        let mut first = true;
        loop {
            match self.peek() {
                None | Some('\n') => {
                    self.push(Tok::Unterminated, piece);
                    return;
                }
                Some('\\') => {
                    self.pos += 1;
                    if let Some(c) = self.peek().filter(|c| *c != '\n') {
                        self.pos += c.len_utf8();
                    }
                }
                Some('"') => {
                    self.pos += 1;
                    self.push(if first { Tok::Str } else { Tok::StrTail }, piece);
                    return;
                }
                Some('{') if self.peek_at(1) == Some('{') => self.pos += 2,
                Some('}') if self.peek_at(1) == Some('}') => self.pos += 2,
                Some('{') => {
                    self.pos += 1;
                    self.push(if first { Tok::StrHead } else { Tok::StrMid }, piece);
                    first = false;
                    self.run(true);
                    if self.peek() != Some('}') {
                        return;
                    }
                    // The `}` starts the next piece of the string.
                    piece = self.pos;
                    self.pos += 1;
                }
                Some(c) => self.pos += c.len_utf8(),
            }
        }
    }
}

/// The length of a date-time literal's time part at the start of `rest`:
/// `THH:mm[:ss[.fff]][Z|±HH[:MM]]`, or `None` when there is none.
pub(crate) fn datetime_tail_len(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    let digits = |at: usize, n: usize| {
        b.get(at..at + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if b.first() != Some(&b'T') || !digits(1, 2) || b.get(3) != Some(&b':') || !digits(4, 2) {
        return None;
    }
    let mut end = 6;
    if b.get(end) == Some(&b':') && digits(end + 1, 2) {
        end += 3;
        if b.get(end) == Some(&b'.') && digits(end + 1, 1) {
            end += 1;
            while b.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        }
    }
    match b.get(end) {
        Some(b'Z') => end += 1,
        Some(b'+' | b'-') if digits(end + 1, 2) => {
            end += 3;
            if b.get(end) == Some(&b':') && digits(end + 1, 2) {
                end += 3;
            } else if digits(end, 2) {
                end += 2;
            }
        }
        _ => {}
    }
    Some(end)
}

/// The unit glued to a number at the start of `rest`, if any (`h` in `48h`).
pub(crate) fn glued_unit(rest: &str) -> Option<&'static str> {
    let word_len = rest.chars().take_while(|c| is_word_char(*c)).count();
    let word = rest.get(..word_len)?;
    UNIT_SUFFIXES
        .iter()
        .chain(UNIT_WORDS.iter())
        .find(|u| **u == word)
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        tokenize(FileId(0), s).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn comments_inside_strings_are_text() {
        let toks = kinds("message \"a # b\" # real\n");
        assert_eq!(
            toks,
            vec![Tok::Word("message".into()), Tok::Str, Tok::Comment]
        );
    }

    #[test]
    fn templates_are_split_at_holes() {
        let toks = kinds("\"x {a.b} y {if c then \"}\" else d} z\"");
        assert_eq!(toks.first(), Some(&Tok::StrHead));
        assert!(toks.contains(&Tok::StrMid));
        assert_eq!(toks.last(), Some(&Tok::StrTail));
        assert!(
            toks.contains(&Tok::Str),
            "the nested string is a token: {toks:?}"
        );
    }

    #[test]
    fn numbers_dates_and_units() {
        assert_eq!(kinds("48h"), vec![Tok::Int, Tok::Unit]);
        assert_eq!(kinds("90 days"), vec![Tok::Int, Tok::Unit]);
        assert_eq!(kinds("90\ndays"), vec![Tok::Int, Tok::Word("days".into())]);
        assert_eq!(kinds("2024-06-03"), vec![Tok::Date]);
        assert_eq!(kinds("2024-06-03T10:00Z"), vec![Tok::DateTime]);
    }

    #[test]
    fn rule_ids_follow_a_kind_keyword_at_line_start() {
        let toks = kinds("rule rr-single-quote \"t\"\n  for case");
        assert_eq!(toks.get(1), Some(&Tok::RuleId("rr-single-quote".into())));
    }

    #[test]
    fn unterminated_strings_stop_at_the_line_end() {
        assert_eq!(
            kinds("\"abc\nx"),
            vec![Tok::Unterminated, Tok::Word("x".into())]
        );
    }
}
