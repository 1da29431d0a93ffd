//! The policy parser: nom 8 over located spans, with statement-level recovery.
//!
//! Items (`policy`, `table`, `define`, rules) are parsed one at a time. Inside
//! an item, each clause or table member is parsed on its own; when one fails,
//! the error is recorded and parsing resumes at the next line that starts a
//! clause (or the next item), so one run reports every independent mistake.
//! An unindented line that is neither a clause nor an item ends the item and
//! is reported at the top level.

mod error;
mod expr;

use nom::{Err as NomErr, IResult, Input as _};
use nom_locate::LocatedSpan;

pub(crate) use error::{Custom, Expected, PError, to_diagnostic};
pub use expr::{MAX_DEPTH, is_path_like, parse_expr_str};

use self::expr::{expr, or_expr, unary};
use super::ast::*;
use super::lexer::{
    CLAUSE_KEYWORDS, HEADER_KEYWORDS, ITEM_KEYWORDS, RESERVED, TABLE_OPTION_KEYWORDS,
    is_rule_id_char, is_word_char, is_word_start,
};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::source::{FileId, Span};

/// Parser input: text with its offset, line and file.
pub(crate) type In<'a> = LocatedSpan<&'a str, FileId>;
/// Parser result.
pub(crate) type PResult<'a, T> = IResult<In<'a>, T, PError>;

/// Parses one policy file. Always returns a tree (of what could be parsed)
/// and every syntax error found.
pub fn parse(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    let mut errs: Vec<PError> = Vec::new();
    let mut items = Vec::new();
    let mut i = In::new_extra(text, file);
    loop {
        let j = ws(i);
        if j.fragment().is_empty() {
            break;
        }
        if item_start(j) {
            match item(j, &mut errs) {
                Ok((rest, it)) => {
                    items.push(it);
                    i = rest;
                }
                Err(NomErr::Error(e) | NomErr::Failure(e)) => {
                    let from = e.offset;
                    errs.push(e);
                    i = skip_to(j, from, &|k| item_start(k) || unindented_word(k));
                }
                Err(NomErr::Incomplete(_)) => break,
            }
        } else {
            errs.push(
                PError::expected(off(&j), Expected::Thing("an item"))
                    .with_suggestions(ITEM_KEYWORDS),
            );
            i = skip_to(j, off(&j), &|k| item_start(k) || unindented_word(k));
        }
    }
    let diags = errs.iter().map(|e| to_diagnostic(e, file, text)).collect();
    let comments = super::lexer::comments(file, text)
        .into_iter()
        .map(|t| {
            let raw = text
                .get(t.span.start as usize..t.span.end as usize)
                .unwrap_or("#");
            Comment {
                span: t.span,
                text: raw.strip_prefix('#').unwrap_or(raw).trim_end().to_string(),
            }
        })
        .collect();
    (
        File {
            file,
            items,
            comments,
        },
        diags,
    )
}

impl PError {
    /// Words a misspelling here may have meant (not shown as expected).
    fn with_suggestions(mut self, words: &[&'static str]) -> PError {
        self.suggest.extend_from_slice(words);
        self
    }

    /// Adds accepted tokens to the expected set.
    pub(crate) fn or_tokens(mut self, words: &[&'static str]) -> PError {
        self.expected
            .extend(words.iter().map(|w| Expected::Token(w)));
        self
    }
}

// ---------------------------------------------------------------------------
// Low-level helpers

pub(crate) fn off(i: &In) -> usize {
    i.location_offset()
}

pub(crate) fn span_between(a: &In, b: &In) -> Span {
    Span::new(a.extra, off(a), off(b))
}

/// Skips spaces, line breaks and comments.
pub(crate) fn ws(i: In) -> In {
    let s = i.fragment().as_bytes();
    let mut n = 0;
    while let Some(&b) = s.get(n) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => n += 1,
            b'#' => {
                while let Some(&c) = s.get(n) {
                    if c == b'\n' {
                        break;
                    }
                    n += 1;
                }
            }
            _ => break,
        }
    }
    i.take_from(n)
}

/// Skips spaces and tabs only (stays on the line).
pub(crate) fn blanks(i: In) -> In {
    let n = i
        .fragment()
        .bytes()
        .take_while(|b| *b == b' ' || *b == b'\t')
        .count();
    i.take_from(n)
}

pub(crate) fn error<T>(i: &In, what: Expected) -> PResult<'static, T> {
    Err(NomErr::Error(PError::expected(off(i), what)))
}

pub(crate) fn failure<T>(e: PError) -> PResult<'static, T> {
    Err(NomErr::Failure(e))
}

/// Turns a recoverable error into a committed one.
pub(crate) fn cut<T>(r: PResult<T>) -> PResult<T> {
    r.map_err(|e| match e {
        NomErr::Error(e) => NomErr::Failure(e),
        other => other,
    })
}

/// The word at the start of `i` (no layout skipped) and the rest.
pub(crate) fn word_here<'a>(i: In<'a>) -> Option<(&'a str, In<'a>)> {
    let frag: &'a str = i.fragment();
    let first = frag.chars().next()?;
    if !is_word_start(first) {
        return None;
    }
    let len = frag.find(|c: char| !is_word_char(c)).unwrap_or(frag.len());
    let w = frag.get(..len)?;
    Some((w, i.take_from(len)))
}

/// The next word after layout, without consuming anything.
pub(crate) fn peek_word<'a>(i: In<'a>) -> Option<&'a str> {
    word_here(ws(i)).map(|(w, _)| w)
}

/// A keyword: the whole word `word`.
pub(crate) fn kw<'a>(word: &'static str) -> impl Fn(In<'a>) -> PResult<'a, Span> {
    move |i: In<'a>| {
        let i = ws(i);
        match word_here(i) {
            Some((w, rest)) if w == word => Ok((rest, span_between(&i, &rest))),
            _ => error(&i, Expected::Token(word)),
        }
    }
}

/// Punctuation `p` (the caller orders longer operators first).
pub(crate) fn punct<'a>(p: &'static str) -> impl Fn(In<'a>) -> PResult<'a, Span> {
    move |i: In<'a>| {
        let i = ws(i);
        if i.fragment().starts_with(p) {
            let rest = i.take_from(p.len());
            Ok((rest, span_between(&i, &rest)))
        } else {
            error(&i, Expected::Token(p))
        }
    }
}

/// Any word, keywords included (field names after `.`, member names).
pub(crate) fn any_word(i: In) -> PResult<Ident> {
    let i = ws(i);
    match word_here(i) {
        Some((w, rest)) => Ok((
            rest,
            Ident {
                name: w.to_string(),
                span: span_between(&i, &rest),
            },
        )),
        None => error(&i, Expected::Thing("a name")),
    }
}

/// A name that is not a reserved word.
pub(crate) fn name(i: In) -> PResult<Ident> {
    let (rest, id) = any_word(i)?;
    if RESERVED.contains(&id.name.as_str()) {
        return failure(PError::custom(Custom {
            code: Code::ParseReservedWord,
            message: format!(
                "`{}` is a reserved word and cannot be used as a name",
                id.name
            ),
            start: id.span.start as usize,
            end: id.span.end as usize,
            label: "reserved word".to_string(),
            help: Some(
                "choose another name, e.g. with a suffix such as `_at` or `_count`".to_string(),
            ),
        }));
    }
    Ok((rest, id))
}

/// True when the line before `i` holds only blanks (i is the first token on its line).
pub(crate) fn first_on_line(i: &In) -> bool {
    let before = i.get_column().saturating_sub(1);
    i.get_line_beginning()
        .get(..before)
        .is_some_and(|s| s.iter().all(|b| *b == b' ' || *b == b'\t'))
}

/// True when the line at `i` starts with a word that could begin a clause or
/// member the author misspelled (anything but an operator word).
fn plausible_start(i: In) -> bool {
    peek_word(i).is_some_and(|w| !RESERVED.contains(&w))
}

/// True when a word starts the line in the first column.
fn unindented_word(i: In) -> bool {
    word_here(i).is_some()
}

/// True when `i` (after layout) starts a top-level item.
fn item_start(i: In) -> bool {
    let i = ws(i);
    // Items start a line; the lexer relies on it to tell rule ids.
    if !first_on_line(&i) {
        return false;
    }
    match word_here(i) {
        Some((w, rest)) => ITEM_KEYWORDS.contains(&w) && !blanks(rest).fragment().starts_with(':'),
        None => false,
    }
}

/// True when `i` (after layout) starts a table member: `word :`.
pub(crate) fn member_start(i: In) -> bool {
    match word_here(ws(i)) {
        Some((_, rest)) => blanks(rest).fragment().starts_with(':'),
        None => false,
    }
}

fn clause_start(i: In) -> bool {
    peek_word(i).is_some_and(|w| CLAUSE_KEYWORDS.contains(&w)) && !member_start(i)
}

fn header_clause_start(i: In) -> bool {
    peek_word(i).is_some_and(|w| HEADER_KEYWORDS.contains(&w))
}

/// Moves to the first line at or after the error that starts something `ok`
/// accepts. The error's own line counts only when the error sits at its
/// first token and past `from_pos` (so the parser always makes progress).
fn skip_to<'a>(i: In<'a>, err_offset: usize, ok: &dyn Fn(In<'a>) -> bool) -> In<'a> {
    let start = off(&i);
    let frag: &'a str = i.fragment();
    let rel = err_offset.saturating_sub(start).min(frag.len());
    // Candidate line starts: the error's line (conditionally), then each later line.
    let err_line_start = frag
        .get(..rel)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |p| p + 1);
    let mut candidates = Vec::new();
    if rel > 0
        && frag
            .get(err_line_start..rel)
            .is_some_and(|s| s.bytes().all(|b| b == b' ' || b == b'\t'))
    {
        candidates.push(err_line_start);
    }
    let mut pos = rel;
    while let Some(nl) = frag.get(pos..).and_then(|s| s.find('\n')) {
        pos += nl + 1;
        candidates.push(pos);
    }
    for c in candidates {
        let at = i.take_from(c);
        let b = blanks(at);
        if b.fragment().starts_with('#')
            || b.fragment().starts_with('\n')
            || b.fragment().starts_with('\r')
        {
            continue;
        }
        if ok(at) || item_start(at) {
            return at;
        }
    }
    i.take_from(frag.len())
}

/// Parses a block of clauses or members until the next item. Returns the
/// position to continue from and the end of the last thing parsed.
fn block<'a, T>(
    mut i: In<'a>,
    errs: &mut Vec<PError>,
    starts: &dyn Fn(In<'a>) -> bool,
    what: &'static str,
    keywords: &[&'static str],
    one: &dyn Fn(In<'a>) -> PResult<'a, T>,
    out: &mut Vec<T>,
) -> (In<'a>, In<'a>) {
    let mut end = i;
    loop {
        let j = ws(i);
        if j.fragment().is_empty() {
            return (j, end);
        }
        if starts(j) {
            match one(j) {
                Ok((rest, t)) => {
                    out.push(t);
                    i = rest;
                    end = rest;
                }
                Err(NomErr::Error(e) | NomErr::Failure(e)) => {
                    let from = e.offset;
                    errs.push(e);
                    i = skip_to(j, from, &|k| starts(k) || plausible_start(k));
                }
                Err(NomErr::Incomplete(_)) => return (j, end),
            }
            continue;
        }
        if item_start(j) || (first_on_line(&j) && j.get_column() == 1) {
            return (j, end);
        }
        errs.push(PError::expected(off(&j), Expected::Thing(what)).with_suggestions(keywords));
        i = skip_to(j, off(&j), &|k| starts(k) || plausible_start(k));
    }
}

// ---------------------------------------------------------------------------
// Literals shared by items and expressions

/// A string literal without holes.
pub(crate) fn str_lit(i: In) -> PResult<StrLit> {
    let (rest, (parts, span)) = expr::string_parts(i)?;
    let mut value = String::new();
    for p in parts {
        match p {
            TemplatePart::Text(t) => value.push_str(&t),
            TemplatePart::Hole(e) => {
                return failure(PError::custom(Custom {
                    code: Code::ParseHoleOutsideMessage,
                    message: "`{…}` can only be used in a `message`".to_string(),
                    start: e.span.start as usize,
                    end: e.span.end as usize,
                    label: "a value hole outside a message".to_string(),
                    help: Some("write `{{` and `}}` for literal braces".to_string()),
                }));
            }
        }
    }
    Ok((rest, StrLit { value, span }))
}

/// A string literal where it is required: commits on failure.
fn str_required<'a>(i: In<'a>, what: &'static str) -> PResult<'a, StrLit> {
    let j = ws(i);
    if j.fragment().starts_with('"') {
        cut(str_lit(j))
    } else {
        failure(PError::expected(off(&j), Expected::Thing(what)))
    }
}

/// A duration literal where it is required.
pub(crate) fn duration_required(i: In) -> PResult<DurationLit> {
    let j = ws(i);
    match expr::number_literal(j) {
        Ok((
            rest,
            Expr {
                kind: ExprKind::Duration(d),
                ..
            },
        )) => Ok((rest, d)),
        Ok(_) | Err(NomErr::Error(_)) => {
            failure(PError::expected(off(&j), Expected::Thing("a duration")))
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// Items

fn item<'a>(i: In<'a>, errs: &mut Vec<PError>) -> PResult<'a, Item> {
    match peek_word(i) {
        Some("policy") => policy_header(i, errs).map(|(r, h)| (r, Item::Policy(h))),
        Some("table") => table(i, errs).map(|(r, t)| (r, Item::Table(t))),
        Some("define") => define(i).map(|(r, d)| (r, Item::Define(d))),
        Some("rule") => rule(i, errs, RuleKind::Require),
        Some("notice") => rule(i, errs, RuleKind::Notice),
        Some("allowlist") => rule(i, errs, RuleKind::Allowlist),
        Some("escalation") => rule(i, errs, RuleKind::Escalation),
        _ => error(&ws(i), Expected::Thing("an item")),
    }
}

fn policy_header<'a>(i: In<'a>, errs: &mut Vec<PError>) -> PResult<'a, PolicyHeader> {
    let i = ws(i);
    let (rest, _) = kw("policy")(i)?;
    let (rest, name) = str_required(rest, "the policy's name, a string")?;
    let mut clauses = Vec::new();
    let (cont, end) = block(
        rest,
        errs,
        &|j| header_clause_start(j),
        "a policy clause",
        HEADER_KEYWORDS,
        &header_clause,
        &mut clauses,
    );
    let end = if clauses.is_empty() { rest } else { end };
    Ok((
        cont,
        PolicyHeader {
            span: span_between(&i, &end),
            name,
            clauses,
        },
    ))
}

fn header_clause(i: In) -> PResult<HeaderClause> {
    let i = ws(i);
    let (rest, word) = any_word(i)?;
    let (rest, kind) = match word.name.as_str() {
        "version" => {
            let (r, s) = str_required(rest, "a version string")?;
            (r, HeaderClauseKind::Version(s))
        }
        "timezone" => {
            let (r, s) = str_required(rest, "a time zone name such as \"America/New_York\"")?;
            (r, HeaderClauseKind::Timezone(s))
        }
        "date" => {
            let (r, _) = cut(kw("formats")(rest))?;
            let (r, f) = format_list(r)?;
            (r, HeaderClauseKind::DateFormats(f))
        }
        "datetime" => {
            let (r, _) = cut(kw("formats")(rest))?;
            let (r, f) = format_list(r)?;
            (r, HeaderClauseKind::DateTimeFormats(f))
        }
        "waivers" => {
            let (r, s) = str_required(rest, "the waivers register's file name, a string")?;
            (r, HeaderClauseKind::Waivers(s))
        }
        "fields" => {
            let (r, list) = comma_list(rest, field_decl)?;
            (r, HeaderClauseKind::Fields(list))
        }
        "order" => {
            let (r, list) = comma_list(rest, rule_id)?;
            (r, HeaderClauseKind::Order(list))
        }
        _ => return error(&i, Expected::Thing("a policy clause")),
    };
    Ok((
        rest,
        HeaderClause {
            span: span_between(&i, &rest),
            kind,
        },
    ))
}

/// `a, b, c`: one or more items, each cut (an item must follow a comma).
fn comma_list<'a, T>(i: In<'a>, item: fn(In<'a>) -> PResult<'a, T>) -> PResult<'a, Vec<T>> {
    let (mut rest, first) = cut(item(i))?;
    let mut list = vec![first];
    while let Ok((r, _)) = punct(",")(rest) {
        let (r, x) = cut(item(r))?;
        list.push(x);
        rest = r;
    }
    Ok((rest, list))
}

/// One of `fields`: a path, optionally `as NAME`.
fn field_decl(i: In) -> PResult<FieldDecl> {
    let (rest, path) = expr::postfix(i)?;
    match kw("as")(rest) {
        Ok((r, as_span)) => {
            // The name is on the line of `as`: left out, `as` would take
            // the next line's first word.
            let gap = r.fragment();
            let gap = gap.get(..gap.len() - gap.trim_start().len()).unwrap_or("");
            if gap.contains('\n') || gap.len() == r.fragment().len() {
                return failure(PError::custom(Custom {
                    code: Code::ParseExpected,
                    message: "`as` needs the name reports give the field".to_string(),
                    start: as_span.start as usize,
                    end: as_span.end as usize,
                    label: "no name after `as`".to_string(),
                    help: Some("write e.g. `case.contact_email as requester`".to_string()),
                }));
            }
            let (r, alias) = cut(name(r))?;
            Ok((
                r,
                FieldDecl {
                    path,
                    alias: Some(alias),
                },
            ))
        }
        Err(_) => Ok((rest, FieldDecl { path, alias: None })),
    }
}

fn format_spec(i: In) -> PResult<FormatSpec> {
    let j = ws(i);
    if j.fragment().starts_with('"') {
        let (r, s) = cut(str_lit(j))?;
        return Ok((r, FormatSpec::Pattern(s)));
    }
    match kw("iso8601")(j) {
        Ok((r, sp)) => Ok((r, FormatSpec::Iso8601(sp))),
        Err(_) => failure(PError::expected(
            off(&j),
            Expected::Thing("a format pattern string or `iso8601`"),
        )),
    }
}

fn format_list(i: In) -> PResult<Vec<FormatSpec>> {
    let (mut rest, first) = format_spec(i)?;
    let mut out = vec![first];
    while let Ok((r, _)) = punct(",")(rest) {
        let (r, f) = format_spec(r)?;
        out.push(f);
        rest = r;
    }
    Ok((rest, out))
}

/// A line of a table block: how the file is written, or a member.
enum TablePart {
    Option(TableOption),
    Member(Member),
}

/// True when `i` (after layout) starts a line saying how a table's file is written.
fn option_start(i: In) -> bool {
    peek_word(i).is_some_and(|w| TABLE_OPTION_KEYWORDS.contains(&w)) && !member_start(i)
}

fn table<'a>(i: In<'a>, errs: &mut Vec<PError>) -> PResult<'a, TableDecl> {
    let i = ws(i);
    let (rest, _) = kw("table")(i)?;
    let (rest, tname) = cut(name(rest))?;
    let (rest, _) = cut(kw("from")(rest))?;
    let (rest, file) = str_required(rest, "the file name, a string")?;
    let mut parts = Vec::new();
    let (cont, end) = block(
        rest,
        errs,
        &|j| member_start(j) || option_start(j),
        "a column, relation or file option",
        TABLE_OPTION_KEYWORDS,
        &|j| {
            if member_start(j) {
                member(j).map(|(r, m)| (r, TablePart::Member(m)))
            } else {
                table_option(j).map(|(r, o)| (r, TablePart::Option(o)))
            }
        },
        &mut parts,
    );
    let end = if parts.is_empty() { rest } else { end };
    let (mut options, mut members) = (Vec::new(), Vec::new());
    for p in parts {
        match p {
            TablePart::Member(m) => members.push(m),
            TablePart::Option(o) if !members.is_empty() => {
                errs.push(PError::custom(Custom {
                    code: Code::ParseExpected,
                    message: format!(
                        "`{}` says how the table's file is written: it comes before the columns",
                        o.kind.keyword()
                    ),
                    start: o.span.start as usize,
                    end: o.span.end as usize,
                    label: "after a column".to_string(),
                    help: Some("move the line up, right under `table … from \"…\"`".to_string()),
                }));
                options.push(o);
            }
            TablePart::Option(o) => options.push(o),
        }
    }
    Ok((
        cont,
        TableDecl {
            span: span_between(&i, &end),
            name: tname,
            file,
            options,
            members,
        },
    ))
}

/// `encoding "…"`, `delimiter "…"`, `skip 2 lines`, `footer …`, `missing "…", …`, ….
fn table_option(i: In) -> PResult<TableOption> {
    let i = ws(i);
    let (rest, word) = any_word(i)?;
    let (rest, kind) = match word.name.as_str() {
        "encoding" => {
            let (r, s) = str_required(rest, "an encoding name such as \"windows-1252\"")?;
            (r, TableOptionKind::Encoding(s))
        }
        "delimiter" => {
            let (r, s) = str_required(rest, "the delimiter, a one-character string such as \";\"")?;
            (r, TableOptionKind::Delimiter(s))
        }
        "quote" => {
            let (r, s) = str_required(rest, "the quote character, a string such as \"'\"")?;
            (r, TableOptionKind::Quote(s))
        }
        "escape" => {
            let (r, s) = str_required(rest, "the escape character, a string such as \"\\\\\"")?;
            (r, TableOptionKind::Escape(s))
        }
        "skip" => {
            let j = ws(rest);
            let digits = j.fragment().bytes().take_while(u8::is_ascii_digit).count();
            let n = j
                .fragment()
                .get(..digits)
                .and_then(|d| d.parse::<u64>().ok());
            let Some(n) = n else {
                return failure(PError::expected(
                    off(&j),
                    Expected::Thing("a number of lines"),
                ));
            };
            let r = j.take_from(digits);
            let (r, _) = match kw("lines")(r) {
                Ok(x) => x,
                Err(_) => cut(kw("line")(r))?,
            };
            (r, TableOptionKind::Skip(n, span_between(&j, &r)))
        }
        "footer" => {
            let (r, rule) = footer_rule(rest)?;
            (r, TableOptionKind::Footer(rule))
        }
        "missing" => {
            let (mut r, first) =
                str_required(rest, "a cell text that means missing, such as \"NULL\"")?;
            let mut list = vec![first];
            while let Ok((r2, _)) = punct(",")(r) {
                let (r2, s) = str_required(r2, "a cell text that means missing")?;
                list.push(s);
                r = r2;
            }
            (r, TableOptionKind::Missing(list))
        }
        "sheet" => {
            let (r, s) = str_required(rest, "the sheet's name, a string")?;
            (r, TableOptionKind::Sheet(s))
        }
        _ => return error(&i, Expected::Thing("a file option")),
    };
    Ok((
        rest,
        TableOption {
            span: span_between(&i, &rest),
            kind,
        },
    ))
}

/// After `footer`: `none`, `auto`, `after blank line`, `matching "…", …`.
fn footer_rule(i: In) -> PResult<FooterRule> {
    let j = ws(i);
    match peek_word(j) {
        Some("none") => kw("none")(j).map(|(r, _)| (r, FooterRule::None)),
        Some("auto") => kw("auto")(j).map(|(r, _)| (r, FooterRule::Auto)),
        Some("after") => {
            let (r, _) = kw("after")(j)?;
            let (r, _) = cut(kw("blank")(r))?;
            let (r, _) = cut(kw("line")(r))?;
            Ok((r, FooterRule::AfterBlankLine))
        }
        Some("matching") => {
            let (r, _) = kw("matching")(j)?;
            let (mut r, first) = str_required(r, "a pattern, a string")?;
            let mut list = vec![first];
            while let Ok((r2, _)) = punct(",")(r) {
                let (r2, s) = str_required(r2, "a pattern, a string")?;
                list.push(s);
                r = r2;
            }
            Ok((r, FooterRule::Matching(list)))
        }
        _ => failure(
            PError::expected(off(&j), Expected::Thing("a footer rule")).or_tokens(&[
                "none",
                "auto",
                "after blank line",
                "matching",
            ]),
        ),
    }
}

const TYPE_ALIASES: &[(&str, &str)] = &[
    ("string", "text"),
    ("str", "text"),
    ("integer", "int"),
    ("number", "int"),
    ("boolean", "bool"),
    ("timestamp", "datetime"),
    ("date_time", "datetime"),
    ("time", "datetime"),
    ("mail", "email"),
];

fn scalar_type(i: In) -> PResult<(ScalarType, Span)> {
    let j = ws(i);
    let Some((w, rest)) = word_here(j) else {
        return error(&j, Expected::Thing("a type"));
    };
    match ScalarType::ALL.iter().find(|t| t.keyword() == w) {
        Some(t) => Ok((rest, (*t, span_between(&j, &rest)))),
        None => {
            let help = TYPE_ALIASES
                .iter()
                .find(|(a, _)| *a == w)
                .map(|(_, t)| format!("the type is called `{t}`"))
                .or_else(|| did_you_mean(w, ScalarType::ALL.iter().map(|t| t.keyword()).chain(["list", "ref"])))
                .or_else(|| Some("types: text, int, bool, date, datetime, email, duration, days, `list of <type>`, `ref <table>`".to_string()));
            failure(PError::custom(Custom {
                code: Code::ParseUnknownType,
                message: format!("unknown type `{w}`"),
                start: off(&j),
                end: off(&rest),
                label: "not a type".to_string(),
                help,
            }))
        }
    }
}

fn type_expr(i: In) -> PResult<TypeExpr> {
    let j = ws(i);
    match peek_word(j) {
        Some("list") => {
            let (r, _) = kw("list")(j)?;
            let (r, _) = cut(kw("of")(r))?;
            let (r, (t, _)) = cut(scalar_type(r))?;
            Ok((r, TypeExpr::List(t, span_between(&j, &r))))
        }
        Some("ref") => {
            let (r, _) = kw("ref")(j)?;
            let (r, target) = cut(name(r))?;
            Ok((r, TypeExpr::Ref(target, span_between(&j, &r))))
        }
        _ => {
            let (r, (t, sp)) = cut(scalar_type(j))?;
            Ok((r, TypeExpr::Scalar(t, sp)))
        }
    }
}

fn member(i: In) -> PResult<Member> {
    let i = ws(i);
    let (rest, mname) = name(i)?;
    let (rest, _) = cut(punct(":")(rest))?;
    if peek_word(rest) == Some("many") {
        let (r, _) = kw("many")(rest)?;
        let (r, target) = cut(name(r))?;
        let (r, _) = cut(kw("by")(r))?;
        let (r, by) = cut(name(r))?;
        let ordered = if member_start(r) {
            Err(())
        } else {
            kw("ordered")(r).map_err(|_| ())
        };
        let (r, ordered_by) = match ordered {
            Ok((r2, _)) => {
                let (r2, _) = cut(kw("by")(r2))?;
                let (r2, f) = cut(name(r2))?;
                (r2, Some(f))
            }
            Err(_) => (r, None),
        };
        let (r, filter) = match kw("where")(r) {
            Ok((r2, _)) => {
                let (r2, e) = cut(or_expr(r2))?;
                (r2, Some(e))
            }
            Err(_) => (r, None),
        };
        return Ok((
            r,
            Member {
                span: span_between(&i, &r),
                name: mname,
                kind: MemberKind::Relation(RelationDecl {
                    target,
                    by,
                    ordered_by,
                    filter,
                }),
            },
        ));
    }
    let (r, ty) = type_expr(rest)?;
    let (r, _) = cut(kw("from")(r))?;
    let (mut r, header) = str_required(r, "the CSV header, a string")?;
    let mut modifiers = Vec::new();
    loop {
        if member_start(r) {
            break;
        }
        let j = ws(r);
        let Some(w) = peek_word(j) else { break };
        let (r2, kind) = match w {
            "key" => kw("key")(j).map(|(r2, _)| (r2, ModifierKind::Key))?,
            "required" => kw("required")(j).map(|(r2, _)| (r2, ModifierKind::Required))?,
            "unused" => kw("unused")(j).map(|(r2, _)| (r2, ModifierKind::Unused))?,
            "default" => {
                let (r2, _) = kw("default")(j)?;
                let (r2, e) = cut(unary(r2))?;
                (r2, ModifierKind::Default(e))
            }
            "formats" => {
                let (r2, _) = kw("formats")(j)?;
                let (r2, f) = format_list(r2)?;
                (r2, ModifierKind::Formats(f))
            }
            "one" => {
                let (r2, _) = kw("one")(j)?;
                let (r2, _) = cut(kw("of")(r2))?;
                let (r2, values) = string_list(r2)?;
                // `or others`: an open set.
                match kw("or")(r2) {
                    Ok((r3, _)) => {
                        let (r3, _) = cut(kw("others")(r3))?;
                        (r3, ModifierKind::OneOf(values, true))
                    }
                    Err(_) => (r2, ModifierKind::OneOf(values, false)),
                }
            }
            "separated" => {
                let (r2, _) = kw("separated")(j)?;
                let (r2, _) = cut(kw("by")(r2))?;
                let (r2, s) = str_required(r2, "the list separator, a string such as \";\"")?;
                (r2, ModifierKind::SeparatedBy(s))
            }
            _ => break,
        };
        modifiers.push(Modifier {
            span: span_between(&j, &r2),
            kind,
        });
        r = r2;
    }
    Ok((
        r,
        Member {
            span: span_between(&i, &r),
            name: mname,
            kind: MemberKind::Column(ColumnDecl {
                ty,
                header,
                modifiers,
            }),
        },
    ))
}

fn string_list(i: In) -> PResult<Vec<StrLit>> {
    let (mut r, _) = cut(punct("[")(i))?;
    let mut out = Vec::new();
    if let Ok((r2, _)) = punct("]")(r) {
        return Ok((r2, out));
    }
    loop {
        let (r2, s) = str_required(r, "a string")?;
        out.push(s);
        if let Ok((r3, _)) = punct(",")(r2) {
            // A trailing comma before `]` is fine.
            if let Ok((r4, _)) = punct("]")(r3) {
                return Ok((r4, out));
            }
            r = r3;
            continue;
        }
        let (r3, _) = cut(punct("]")(r2))?;
        return Ok((r3, out));
    }
}

fn define(i: In) -> PResult<DefineDecl> {
    let i = ws(i);
    let (rest, _) = kw("define")(i)?;
    let (rest, table) = cut(name(rest))?;
    let (rest, _) = cut(punct(".")(rest))?;
    let (rest, dname) = cut(name(rest))?;
    let (rest, _) = cut(kw("as")(rest))?;
    let (rest, body) = cut(expr(rest))?;
    Ok((
        rest,
        DefineDecl {
            span: span_between(&i, &rest),
            table,
            name: dname,
            body,
        },
    ))
}

fn rule_id(i: In) -> PResult<Ident> {
    let j = blanks(ws(i));
    let frag = j.fragment();
    let ok_start = frag
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if !ok_start {
        return failure(PError::expected(
            off(&j),
            Expected::Thing("a rule id such as `notice-period`"),
        ));
    }
    let len = frag
        .find(|c: char| !is_rule_id_char(c))
        .unwrap_or(frag.len());
    let rest = j.take_from(len);
    Ok((
        rest,
        Ident {
            name: frag.get(..len).unwrap_or("").to_string(),
            span: span_between(&j, &rest),
        },
    ))
}

fn rule<'a>(i: In<'a>, errs: &mut Vec<PError>, kind: RuleKind) -> PResult<'a, Item> {
    let i = ws(i);
    let (rest, kind_span) = kw(kind.keyword())(i)?;
    let (rest, id) = rule_id(rest)?;
    let (rest, title) = str_required(rest, "the rule's title, a string")?;
    let mut clauses = Vec::new();
    let (cont, end) = block(
        rest,
        errs,
        &|j| clause_start(j),
        "a rule clause",
        CLAUSE_KEYWORDS,
        &clause,
        &mut clauses,
    );
    let end = if clauses.is_empty() { rest } else { end };
    Ok((
        cont,
        Item::Rule(RuleDecl {
            span: span_between(&i, &end),
            kind,
            kind_span,
            id,
            title,
            clauses,
        }),
    ))
}

/// One clause of a rule: its keyword decides how the rest reads.
fn clause(i: In) -> PResult<Clause> {
    let i = ws(i);
    let (rest, word) = any_word(i)?;
    let (rest, kind) = match word.name.as_str() {
        "severity" => severity_clause(rest)?,
        "for" => for_clause(rest)?,
        "source" => source_clause(rest)?,
        "let" => {
            let (r, n) = cut(name(rest))?;
            let (r, _) = cut(punct("=")(r))?;
            let (r, value) = cut(expr(r))?;
            (r, ClauseKind::Let { name: n, value })
        }
        "when" => cut(expr(rest)).map(|(r, e)| (r, ClauseKind::When(e)))?,
        "require" => cut(expr(rest)).map(|(r, e)| (r, ClauseKind::Require(e)))?,
        "expect" => cut(expr(rest)).map(|(r, e)| (r, ClauseKind::Expect(e)))?,
        "from" => cut(expr(rest)).map(|(r, e)| (r, ClauseKind::From(e)))?,
        "to" => cut(expr(rest)).map(|(r, e)| (r, ClauseKind::To(e)))?,
        "start" => {
            let (r, _) = cut(kw("at")(rest))?;
            cut(expr(r)).map(|(r, e)| (r, ClauseKind::Start(e)))?
        }
        "stop" => {
            let (r, _) = cut(kw("at")(rest))?;
            cut(expr(r)).map(|(r, e)| (r, ClauseKind::Stop(e)))?
        }
        "every" => duration_required(rest).map(|(r, d)| (r, ClauseKind::Every(d)))?,
        "arm" => arm_clause(rest)?,
        "at" => mark_clause(rest)?,
        "message" => message_clause(rest)?,
        _ => return error(&i, Expected::Thing("a rule clause")),
    };
    Ok((
        rest,
        Clause {
            span: span_between(&i, &rest),
            kind,
        },
    ))
}

/// `severity error|warning`, after `severity`.
fn severity_clause(rest: In) -> PResult<ClauseKind> {
    let j = ws(rest);
    match word_here(j) {
        Some(("error", r)) => Ok((r, ClauseKind::Severity(SeverityLit::Error))),
        Some(("warning", r)) => Ok((r, ClauseKind::Severity(SeverityLit::Warning))),
        _ => {
            let e = PError::expected(off(&j), Expected::Token("error")).or_tokens(&["warning"]);
            failure(e)
        }
    }
}

/// `for table [where …]`, after `for`.
fn for_clause(rest: In) -> PResult<ClauseKind> {
    let (r, table) = cut(name(rest))?;
    let (r, filter) = match kw("where")(r) {
        Ok((r2, _)) => {
            let (r2, e) = cut(or_expr(r2))?;
            (r2, Some(e))
        }
        Err(_) => (r, None),
    };
    Ok((r, ClauseKind::For { table, filter }))
}

/// `source "document" [section "section"]`, after `source`.
fn source_clause(rest: In) -> PResult<ClauseKind> {
    let (r, document) = str_required(rest, "the source document's name, a string")?;
    let (r, section) = match kw("section")(r) {
        Ok((r2, _)) => {
            let (r2, s) = str_required(r2, "the section's name, a string")?;
            (r2, Some(s))
        }
        Err(_) => (r, None),
    };
    Ok((r, ClauseKind::Source { document, section }))
}

/// `arm "label" [when …]: exempt|<period>`, after `arm`.
fn arm_clause(rest: In) -> PResult<ClauseKind> {
    let (r, label) = str_required(rest, "the arm's label, a string")?;
    let (r, condition) = match kw("when")(r) {
        Ok((r2, _)) => {
            let (r2, e) = cut(or_expr(r2))?;
            (r2, Some(e))
        }
        Err(_) => (r, None),
    };
    let (r, _) = match punct(":")(r) {
        Ok(x) => x,
        Err(NomErr::Error(mut e)) => {
            if condition.is_none() {
                e = e.or_tokens(&["when"]);
            }
            return failure(e);
        }
        Err(e) => return Err(e),
    };
    let j = ws(r);
    let (r, result) = match kw("exempt")(j) {
        Ok((r2, sp)) => (r2, ArmResult::Exempt(sp)),
        Err(_) => match duration_required(j) {
            Ok((r2, d)) => (r2, ArmResult::Period(d)),
            Err(_) => {
                let mut e = PError::expected(off(&j), Expected::Token("exempt"));
                e.expected
                    .push(Expected::Thing("a notice period such as `90 days`"));
                return failure(e);
            }
        },
    };
    Ok((
        r,
        ClauseKind::Arm {
            label,
            condition,
            result,
        },
    ))
}

/// `at <offset> ["label"] expect … [within <duration>]`, after `at`.
fn mark_clause(rest: In) -> PResult<ClauseKind> {
    let (r, offset) = duration_required(rest)?;
    let j = ws(r);
    let (r, label) = if j.fragment().starts_with('"') {
        let (r2, s) = cut(str_lit(j))?;
        (r2, Some(s))
    } else {
        (r, None)
    };
    let (r, _) = match kw("expect")(r) {
        Ok(x) => x,
        Err(NomErr::Error(mut e)) => {
            if label.is_none() {
                e.expected
                    .push(Expected::Thing("the mark's label, a string"));
            }
            return failure(e);
        }
        Err(e) => return Err(e),
    };
    let (r, expect) = cut(expr(r))?;
    let (r, within) = match kw("within")(r) {
        Ok((r2, _)) => {
            let (r2, d) = duration_required(r2)?;
            (r2, Some(d))
        }
        Err(_) => (r, None),
    };
    Ok((
        r,
        ClauseKind::Mark {
            offset,
            label,
            expect,
            within,
        },
    ))
}

/// `message "template" [if …]`, after `message`.
fn message_clause(rest: In) -> PResult<ClauseKind> {
    let j = ws(rest);
    if !j.fragment().starts_with('"') {
        return failure(PError::expected(
            off(&j),
            Expected::Thing("the message template, a string"),
        ));
    }
    let (r, (parts, span)) = cut(expr::string_parts(j))?;
    let (r, condition) = match kw("if")(r) {
        Ok((r2, _)) => {
            let (r2, e) = cut(expr(r2))?;
            (r2, Some(e))
        }
        Err(_) => (r, None),
    };
    Ok((
        r,
        ClauseKind::Message {
            template: Template { span, parts },
            condition,
        },
    ))
}

#[cfg(test)]
mod tests;
