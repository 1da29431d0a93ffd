//! Source files and spans.
//!
//! Every piece of policy text docket reads is registered in a [`SourceMap`] and
//! addressed by a [`FileId`]. A [`Span`] is a byte range inside one file; it is
//! small and `Copy` so every AST node, typed expression and finding can carry one.

/// Identifies one file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// A byte range `[start, end)` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// The file the range belongs to.
    pub(crate) file: FileId,
    /// First byte.
    pub(crate) start: u32,
    /// One past the last byte.
    pub(crate) end: u32,
}

impl Span {
    /// A span that points nowhere in particular (used by generated ASTs).
    pub const DUMMY: Span = Span {
        file: FileId(u32::MAX),
        start: 0,
        end: 0,
    };

    /// Builds a span from byte offsets.
    pub(crate) fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: clamp_u32(start),
            end: clamp_u32(end.max(start)),
        }
    }

    /// The smallest span covering both `self` and `other` (same file assumed).
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range it covers in its file's text.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub(crate) fn len(self) -> usize {
        (self.end - self.start) as usize
    }
}

/// A byte offset as `u32`. Policy texts past 4 GiB (far beyond any real one)
/// keep working: their later offsets stop at the last one, so a diagnostic
/// there points at the end of what can be numbered.
fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One loaded source file.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The name shown in diagnostics (the path as the user gave it).
    pub(crate) name: String,
    /// The full text.
    pub(crate) text: String,
    /// The line number of the text's first line: 1, or more for an excerpt
    /// of a larger file (a data row).
    pub(crate) first_line: usize,
    line_starts: Vec<u32>,
}

impl SourceFile {
    fn new(name: String, text: String) -> SourceFile {
        let mut line_starts = vec![0u32];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(clamp_u32(i + 1));
            }
        }
        SourceFile {
            name,
            text,
            first_line: 1,
            line_starts,
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub(crate) fn line_col(&self, offset: u32) -> (usize, usize) {
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let end = (offset as usize).min(self.text.len());
        let col = self
            .text
            .get(start..end)
            .map(|s| s.chars().count())
            .unwrap_or(end.saturating_sub(start));
        (line + self.first_line, col + 1)
    }

    /// The text of a span, or "" when the span is out of range.
    pub(crate) fn slice(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or("")
    }
}

/// All policy files of one run.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Registers text under a display name.
    pub fn add(&mut self, name: impl Into<String>, text: String) -> FileId {
        let id = FileId(clamp_u32(self.files.len()));
        self.files.push(SourceFile::new(name.into(), text));
        id
    }

    /// Registers an excerpt of a larger file whose first line is `first_line`
    /// (1-based), so positions in it show the file's own line numbers.
    pub(crate) fn add_excerpt(
        &mut self,
        name: impl Into<String>,
        text: String,
        first_line: usize,
    ) -> FileId {
        let id = self.add(name, text);
        if let Some(f) = self.files.last_mut() {
            f.first_line = first_line.max(1);
        }
        id
    }

    /// The file behind an id.
    pub(crate) fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// All files with their ids, in registration order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(clamp_u32(i)), f))
    }

    /// File name, 1-based line and column of a span's start.
    pub(crate) fn locate(&self, span: Span) -> Option<(&str, usize, usize)> {
        let file = self.get(span.file)?;
        let (line, col) = file.line_col(span.start);
        Some((file.name.as_str(), line, col))
    }
}

/// The text of a policy or test file without the byte-order mark some
/// editors put first: every command reads it the same way.
pub(crate) fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// Whether a table's file, as the policy names it, stays inside the export
/// directory: a relative path whose `..` never climbs above it. `Err` says
/// why not. (Symbolic links are checked when the file is opened.)
pub(crate) fn inside_export(file: &str) -> Result<(), &'static str> {
    use std::path::Component;
    if file.trim().is_empty() {
        return Err("is empty");
    }
    let mut depth = 0usize;
    for c in std::path::Path::new(file).components() {
        match c {
            Component::Prefix(_) | Component::RootDir => return Err("is an absolute path"),
            Component::CurDir => {}
            Component::ParentDir => {
                depth = depth.checked_sub(1).ok_or("leaves the export directory")?;
            }
            Component::Normal(_) => depth += 1,
        }
    }
    if depth == 0 {
        return Err("names no file in the export directory");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_and_count_characters() {
        let mut map = SourceMap::new();
        let id = map.add("p.docket", "ab\ncdé f\n".to_string());
        let f = map.get(id).unwrap();
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // "é" is two bytes; the space after it is character 4 of line 2.
        assert_eq!(f.line_col(7), (2, 4));
        assert_eq!(f.line_col(10), (3, 1));
    }
}
