//! A table's file options (`encoding`, `delimiter`, `quote`, `escape`,
//! `skip`, `footer`, `missing`, `sheet`) checked into the data layer's
//! [`Dialect`].

use super::*;
use crate::data::dialect::{Dialect, Footer, parse_char, parse_encoding, parse_pattern};
use crate::diagnostic::Code;
use crate::syntax::ast::{FooterRule, StrLit, TableOptionKind};

/// Options that only mean something for a CSV file.
const CSV_ONLY: &[&str] = &["encoding", "delimiter", "quote", "escape"];

/// File names read as workbooks.
const WORKBOOK_EXTENSIONS: &[&str] = &[".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"];

impl Checker<'_> {
    /// The dialect table `t`'s options declare; every bad or repeated option reported.
    pub(super) fn dialect(&mut self, t: &ast::TableDecl) -> Dialect {
        let mut d = Dialect::default();
        let mut seen: Vec<(&'static str, Span)> = Vec::new();
        for o in &t.options {
            let word = o.kind.keyword();
            if let Some((_, first)) = seen.iter().find(|(w, _)| *w == word) {
                self.error(
                    Diagnostic::error(
                        Code::TableDuplicateOption,
                        format!("table `{}` says `{word}` twice", t.name.name),
                    )
                    .with_label(o.span, "again here")
                    .with_label(*first, "first here")
                    .with_help("keep one of them"),
                );
                continue;
            }
            seen.push((word, o.span));
            self.option(&mut d, &o.kind);
            let workbook = WORKBOOK_EXTENSIONS
                .iter()
                .any(|e| t.file.value.to_ascii_lowercase().ends_with(e));
            if workbook && CSV_ONLY.contains(&word) {
                self.error(
                    Diagnostic::warning(
                        Code::TableBadOption,
                        format!(
                            "table `{}` reads a workbook: `{word}` applies only to CSV files",
                            t.name.name
                        ),
                    )
                    .with_label(o.span, "not used for a workbook")
                    .with_help("remove the line, or read a CSV export of the sheet"),
                );
            }
        }
        if let Some(esc) = d.escape.filter(|e| *e == d.quote) {
            self.clash(
                t,
                "escape",
                esc,
                "the quote character",
                "same as the quote",
                "a doubled quote is always read as a quote; leave `escape` out",
            );
        }
        if let Some(delim) = d
            .delimiter
            .filter(|x| *x == d.quote || Some(*x) == d.escape)
        {
            self.clash(
                t,
                "delimiter",
                delim,
                "also the quote or escape character",
                "cannot tell fields apart",
                "give the file's real delimiter",
            );
        }
        d
    }

    /// Option `word` of table `t` has the character `c` another option has.
    fn clash(
        &mut self,
        t: &ast::TableDecl,
        word: &str,
        c: u8,
        what: &str,
        label: &str,
        help: &str,
    ) {
        let span = t
            .options
            .iter()
            .find(|o| o.kind.keyword() == word)
            .map_or(t.span, |o| o.span);
        self.error(
            Diagnostic::error(
                Code::TableBadOption,
                format!("the {word} character `{}` is {what}", char::from(c)),
            )
            .with_label(span, label.to_string())
            .with_help(help.to_string()),
        );
    }

    /// Sets one option, or reports why its value is not one.
    fn option(&mut self, d: &mut Dialect, o: &TableOptionKind) {
        let bad = |s: &StrLit, why: String| {
            Diagnostic::error(Code::TableBadOption, why).with_label(s.span, "here")
        };
        match o {
            TableOptionKind::Encoding(s) => match parse_encoding(&s.value) {
                Ok(e) => d.encoding = Some(e),
                Err(why) => self.error(
                    bad(
                        s,
                        format!("docket does not know the encoding \"{}\"", s.value),
                    )
                    .with_help(why),
                ),
            },
            TableOptionKind::Delimiter(s)
            | TableOptionKind::Quote(s)
            | TableOptionKind::Escape(s) => {
                let what = match o {
                    TableOptionKind::Delimiter(_) => "the delimiter",
                    TableOptionKind::Quote(_) => "the quote character",
                    _ => "the escape character",
                };
                match parse_char(&s.value, what) {
                    Ok(c) => match o {
                        TableOptionKind::Delimiter(_) => d.delimiter = Some(c),
                        TableOptionKind::Quote(_) => d.quote = c,
                        _ => d.escape = Some(c),
                    },
                    Err(why) => self.error(bad(s, why).with_help(
                        "write one ASCII character, e.g. \";\", \"|\" or \"\\t\" (a tab)",
                    )),
                }
            }
            TableOptionKind::Skip(n, _) => d.skip_lines = *n,
            TableOptionKind::Footer(rule) => d.footer = self.footer(rule),
            TableOptionKind::Missing(list) => {
                d.nulls = list.iter().map(|s| s.value.trim().to_string()).collect();
            }
            TableOptionKind::Sheet(s) => d.sheet = Some(s.value.clone()),
        }
    }

    fn footer(&mut self, rule: &FooterRule) -> Footer {
        match rule {
            FooterRule::Auto => Footer::Auto,
            FooterRule::None => Footer::None,
            FooterRule::AfterBlankLine => Footer::BlankLine,
            FooterRule::Matching(patterns) => {
                let mut out = Vec::new();
                for p in patterns {
                    match parse_pattern(&p.value) {
                        Ok(re) => out.push(re),
                        Err(why) => self.error(
                            Diagnostic::error(Code::TableBadOption, why)
                                .with_label(p.span, "not a pattern")
                                .with_help("write a regular expression, e.g. \"^Copyright\" or \"^\\\"?Generated By\""),
                        ),
                    }
                }
                Footer::Matching(out)
            }
        }
    }
}
