//! Diagnostics: what docket says about a policy or a run, and how it is shown.
//!
//! Every stage reports problems as [`Diagnostic`] values: a stable `code`
//! (documented in `docs/diagnostics.md`), a lowercase message, labelled spans
//! and an optional `help` that says how to fix it. Rendering goes through
//! miette so every message looks like rustc's.

use std::fmt;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use crate::source::{SourceMap, Span};

mod code;
pub use code::Code;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Level {
    /// Stops the run (policy) or marks data as rejected.
    Error,
    /// Worth fixing; does not stop the run.
    Warning,
}

/// A span with a short explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Label {
    /// Where.
    pub(crate) span: Span,
    /// What is wrong there; may be empty.
    pub(crate) text: String,
}

/// One problem, with everything needed to show it well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable identifier, e.g. `docket::names::unknown-field`.
    pub code: Code,
    /// Error or warning.
    pub(crate) severity: Level,
    /// Lowercase, no final period, user input in backticks.
    pub message: String,
    /// Labelled spans; the first one is the primary location.
    pub(crate) labels: Vec<Label>,
    /// How to fix it, when a fix is likely.
    pub help: Option<String>,
    /// Further diagnostics shown with this one (e.g. "first defined here").
    pub(crate) related: Vec<Diagnostic>,
}

impl Diagnostic {
    /// A new error.
    pub(crate) fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Level::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// A new warning.
    pub(crate) fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds a labelled span.
    pub(crate) fn with_label(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help text.
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Sets the help text when there is one.
    pub(crate) fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Attaches a related diagnostic.
    pub(crate) fn with_related(mut self, related: Diagnostic) -> Diagnostic {
        self.related.push(related);
        self
    }

    /// The primary span, if any.
    pub(crate) fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    /// True for errors.
    pub(crate) fn is_error(&self) -> bool {
        self.severity == Level::Error
    }
}

/// Sorts diagnostics by file and position, errors first at equal positions,
/// so output is stable whatever order the stages found them in.
pub(crate) fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| {
        let span = d.primary_span().unwrap_or_default();
        (span.file, span.start, d.severity, d.code)
    });
}

/// How to draw diagnostics.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            width: 100,
        }
    }
}

/// Renders diagnostics as miette reports, one after the other.
pub fn render(diags: &[Diagnostic], sources: &SourceMap, opts: RenderOptions) -> String {
    render_coded(diags, None, sources, opts)
}

/// Renders one diagnostic under a code of the caller's (a rule id, for findings).
pub(crate) fn render_as(
    d: &Diagnostic,
    code: &str,
    sources: &SourceMap,
    opts: RenderOptions,
) -> String {
    render_coded(std::slice::from_ref(d), Some(code), sources, opts)
}

fn render_coded(
    diags: &[Diagnostic],
    code: Option<&str>,
    sources: &SourceMap,
    opts: RenderOptions,
) -> String {
    let theme = if opts.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        // Dates like 2025-10-31 must not break at their hyphens.
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
        .with_break_words(false);
    let mut out = String::new();
    for d in diags {
        let mut view = View::new(d, sources);
        if let Some(c) = code {
            view.code = Some(c.to_string());
        }
        if handler.render_report(&mut out, &view).is_err() {
            // Rendering into a String cannot fail short of a formatter bug;
            // fall back to the plain message rather than lose the diagnostic.
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
        out.push('\n');
    }
    out
}

/// Renders one diagnostic as a plain one-line summary: `file:line:col: severity[code]: message`.
pub(crate) fn one_line(d: &Diagnostic, sources: &SourceMap) -> String {
    let sev = match d.severity {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    match d.primary_span().and_then(|s| sources.locate(s)) {
        Some((file, line, col)) => format!("{file}:{line}:{col}: {sev}[{}]: {}", d.code, d.message),
        None => format!("{sev}[{}]: {}", d.code, d.message),
    }
}

/// A diagnostic prepared for miette: its labels are those in the primary
/// label's file; labels in other files become related notes.
struct View {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Src>,
    labels: Vec<LabeledSpan>,
    related: Vec<View>,
}

impl View {
    fn new(d: &Diagnostic, sources: &SourceMap) -> View {
        let file = d.primary_span().map(|s| s.file);
        let source = file.and_then(|f| sources.get(f)).map(|f| Src {
            name: f.name.clone(),
            text: f.text.clone(),
            first_line: f.first_line,
        });
        let mut labels = Vec::new();
        let mut related = Vec::new();
        for (i, label) in d.labels.iter().enumerate() {
            if Some(label.span.file) == file && source.is_some() {
                let text = (!label.text.is_empty()).then(|| label.text.clone());
                let span = SourceSpan::new((label.span.start as usize).into(), label.span.len());
                labels.push(if i == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                });
            } else if sources.get(label.span.file).is_some() {
                let note = Diagnostic {
                    code: d.code,
                    severity: d.severity,
                    message: if label.text.is_empty() {
                        "see here".to_string()
                    } else {
                        label.text.clone()
                    },
                    labels: vec![label.clone()],
                    help: None,
                    related: Vec::new(),
                };
                let mut view = View::new(&note, sources);
                view.code = None;
                view.severity = miette::Severity::Advice;
                related.push(view);
            }
        }
        related.extend(d.related.iter().map(|r| View::new(r, sources)));
        View {
            message: d.message.clone(),
            code: Some(d.code.to_string()),
            severity: match d.severity {
                Level::Error => miette::Severity::Error,
                Level::Warning => miette::Severity::Warning,
            },
            help: d.help.clone(),
            source,
            labels,
            related,
        }
    }
}

/// A source file for miette, numbering lines from `first_line` (excerpts of
/// data files keep the file's own line numbers).
struct Src {
    name: String,
    text: String,
    first_line: usize,
}

impl SourceCode for Src {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.as_str().read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line.saturating_sub(1),
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for View {}

impl miette::Diagnostic for View {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c.as_str()) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// Up to `limit` names from `candidates` closest to `name` (Jaro-Winkler, then
/// Levenshtein), best first; used for "did you mean" help.
pub(crate) fn suggest<'a, I>(name: &str, candidates: I) -> Vec<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = name.to_lowercase();
    let mut scored: Vec<(f64, usize, &str)> = candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let cl = c.to_lowercase();
            let jw = strsim::jaro_winkler(&lower, &cl);
            let lev = strsim::levenshtein(&lower, &cl);
            (jw, lev, c)
        })
        .filter(|(jw, lev, c)| {
            *jw >= 0.85 || *lev <= (name.chars().count().max(c.chars().count()) / 3).max(1)
        })
        .collect();
    scored.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(b.2))
    });
    scored.dedup_by(|a, b| a.2 == b.2);
    // Only alternatives nearly as close as the best one are worth showing.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .filter(|s| s.0 >= best - 0.04)
        .take(3)
        .map(|(_, _, c)| c)
        .collect()
}

/// "did you mean `x`?" help text, if anything is close enough.
pub(crate) fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let s = suggest(name, candidates);
    match s.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean `{one}`?")),
        [first, rest @ ..] => Some(format!(
            "did you mean `{first}`? (or {})",
            rest.iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Counts of errors and warnings, in words: "2 errors, 1 warning".
pub(crate) fn count_words(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}",
        plural(errors, "error"),
        plural(warnings, "warning")
    )
}

/// A short reason for an I/O error.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Text read from an input file as it may be shown on a terminal or in a
/// report: control characters (escape sequences, NUL, bell, line breaks)
/// are written as `\u{1b}`-style escapes, so no export can move the
/// cursor, recolour the screen or hide text from a reviewer.
pub(crate) fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_for_display() {
        assert_eq!(printable("plain café"), "plain café");
        assert_eq!(printable("\u{1b}[31mred\u{7}"), "\\u{1b}[31mred\\u{7}");
        assert_eq!(printable("a\nb\u{0}"), "a\\u{a}b\\u{0}");
        assert_eq!(printable("\u{9b}2J"), "\\u{9b}2J");
    }

    #[test]
    fn suggestions_prefer_close_names() {
        let names = ["Acknowledged", "Reassigned", "Escalated"];
        assert_eq!(suggest("Acknowleged", names), vec!["Acknowledged"]);
        assert_eq!(suggest("zzz", names), Vec::<&str>::new());
        assert_eq!(
            did_you_mean("Reasigned", names).as_deref(),
            Some("did you mean `Reassigned`?")
        );
    }
}
