//! Markdown for GitHub: text escaped for table cells and code spans, and a
//! size budget so a comment or job summary fits the platform's limit.
//!
//! A policy in a pull request is untrusted, and its messages (and the data
//! they quote) end up in a comment: markup, HTML, mentions (`@team`) and
//! issue references (`#12`) are escaped so they read as text.

/// Text for a markdown table cell, at most `max` characters (then `…`):
/// markdown and HTML punctuation backslash-escaped, line breaks as spaces.
pub(crate) fn cell(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max * 2));
    for (i, c) in s.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '\\' | '|' | '`' | '*' | '_' | '<' | '>' | '[' | ']' | '#' | '@' | '~' | '!' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Text as an inline code span, whatever backticks it holds (the fence is
/// one longer than its longest run of backticks); `|` escaped for tables.
pub(crate) fn code(s: &str) -> String {
    let text: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .replace('|', "\\|");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Room left in a markdown document of bounded size (in bytes, so also in
/// characters).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    left: usize,
}

impl Budget {
    /// `limit` bytes, less what must be kept for the document's end.
    pub(crate) fn new(limit: usize, reserved: usize) -> Budget {
        Budget {
            left: limit.saturating_sub(reserved),
        }
    }

    /// Takes `n` bytes if they are left.
    pub(crate) fn take(&mut self, n: usize) -> bool {
        if n <= self.left {
            self.left -= n;
            true
        } else {
            false
        }
    }

    /// A share of what is left, for one of `parts` parts; what a part does
    /// not use goes back with [`Budget::give`].
    pub(crate) fn share(&mut self, parts: usize) -> Budget {
        let n = self.left / parts.max(1);
        self.left -= n;
        Budget { left: n }
    }

    /// Gives back what a share did not use.
    pub(crate) fn give(&mut self, part: Budget) {
        self.left += part.left;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_markup_mentions_and_html() {
        assert_eq!(
            cell("<img src=x> @org/team #12 | *b*", 100),
            "\\<img src=x\\> \\@org/team \\#12 \\| \\*b\\*"
        );
        assert_eq!(cell("a\nb", 100), "a b");
        assert_eq!(cell("abcdef", 3), "abc…");
    }

    #[test]
    fn code_spans_hold_any_backticks() {
        assert_eq!(code("a-b"), "`a-b`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert_eq!(code("a|b"), "`a\\|b`");
    }

    #[test]
    fn shares_give_back_what_they_do_not_use() {
        let mut b = Budget::new(100, 10);
        let mut s = b.share(3);
        assert!(s.take(20));
        assert!(!s.take(20));
        b.give(s);
        assert!(b.take(70));
        assert!(!b.take(1));
    }
}
