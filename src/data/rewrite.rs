//! Rewriting a CSV file of another dialect as the CSV the loader reads
//! fastest: `,` between fields, `"` quotes doubled inside quoted fields,
//! null sequences as empty cells.
//!
//! The rewrite keeps every record on the line it starts on in the file
//! (blank lines stand for the lines it drops), the number of fields of
//! every record, and a quote left open at the end of the file, so data
//! errors name the file's own lines and the same problems. The lines before
//! the header are passed on untouched; with the footer rule "the data ends
//! at the first blank line", what follows that line is counted, not passed.

use std::io::Read;

use super::buffer::{Buffered, copy_out};
use super::footer::{FooterSlot, FoundFooter, QUOTED, grand_total};

use csv_core::{ReadRecordResult, ReaderBuilder};

/// Bytes read from the source at a time.
const CHUNK: usize = 64 * 1024;

/// How the source is written, and what to do on the way.
#[derive(Debug, Clone)]
pub(crate) struct RewriteSpec {
    pub(crate) delimiter: u8,
    pub(crate) quote: u8,
    pub(crate) escape: Option<u8>,
    /// Lines before the header, passed on as they are.
    pub(crate) skip_lines: u64,
    /// Cell texts (trimmed) written as empty cells.
    pub(crate) nulls: Vec<String>,
    /// The data ends at the first blank line after the header; the lines
    /// after it are counted into `footer`.
    pub(crate) stop_at_blank: bool,
    /// The lines dropped as a footer (with `stop_at_blank`).
    pub(crate) footer: FooterSlot,
}

/// A reader of canonical CSV over UTF-8 text in another dialect.
pub(crate) struct Rewrite<R> {
    input: Buffered<R>,
    spec: RewriteSpec,
    core: csv_core::Reader,
    out: Vec<u8>,
    at: usize,
    /// Line of the next unread input byte, and of the next output byte.
    in_line: u64,
    out_line: u64,
    /// The input line the last record's content ended on.
    last_content: u64,
    records: u64,
    fields: Vec<u8>,
    ends: Vec<usize>,
    done: bool,
}

impl<R: Read> Rewrite<R> {
    pub(crate) fn new(src: R, spec: RewriteSpec) -> Rewrite<R> {
        let core = ReaderBuilder::new()
            .delimiter(spec.delimiter)
            .quote(spec.quote)
            .escape(spec.escape)
            .build();
        Rewrite {
            input: Buffered::new(src, CHUNK),
            spec,
            core,
            out: Vec::with_capacity(CHUNK * 2),
            at: 0,
            in_line: 1,
            out_line: 1,
            last_content: 0,
            records: 0,
            fields: vec![0; 4096],
            ends: vec![0; 64],
            done: false,
        }
    }

    fn pending(&self) -> &[u8] {
        self.input.pending()
    }

    /// Passes one line before the header on; false when more input is needed.
    fn pass_line(&mut self) -> bool {
        let p = self.pending();
        let line = match memchr::memchr(b'\n', p) {
            Some(i) => i + 1,
            None if self.input.at_eof() => p.len(),
            None => return false,
        };
        let taken = p.get(..line).unwrap_or(&[]).to_vec();
        self.out.extend_from_slice(&taken);
        self.input.consume(line);
        self.in_line += 1;
        self.out_line += 1;
        self.spec.skip_lines -= 1;
        true
    }

    /// Skips line breaks before a record; false when more input is needed.
    fn skip_breaks(&mut self) -> bool {
        let p = self.pending();
        let n = p
            .iter()
            .take_while(|b| **b == b'\n' || **b == b'\r')
            .count();
        let lines = memchr::memchr_iter(b'\n', p.get(..n).unwrap_or(&[])).count() as u64;
        self.input.consume(n);
        self.in_line += lines;
        !self.pending().is_empty() || self.input.at_eof()
    }

    /// Reads and writes one record; false when more input is needed.
    fn record(&mut self) -> bool {
        let line = self.in_line;
        if self.spec.stop_at_blank && self.records > 0 && line > self.last_content + 1 {
            self.drop_footer(line);
            return true;
        }
        let (mut nout, mut nend, mut consumed) = (0usize, 0usize, 0usize);
        let cut_short;
        self.core.reset();
        loop {
            let input = self.input.pending().get(consumed..).unwrap_or(&[]);
            let out = self.fields.get_mut(nout..).unwrap_or(&mut []);
            let ends = self.ends.get_mut(nend..).unwrap_or(&mut []);
            let (res, nin, o, e) = self.core.read_record(input, out, ends);
            consumed += nin;
            nout += o;
            nend += e;
            match res {
                ReadRecordResult::Record => {
                    cut_short = false;
                    break;
                }
                ReadRecordResult::OutputFull => {
                    let n = self.fields.len() * 2;
                    self.fields.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                // Read the record again once more input is in.
                ReadRecordResult::InputEmpty if !self.input.at_eof() => return false,
                ReadRecordResult::InputEmpty | ReadRecordResult::End => {
                    let out = self.fields.get_mut(nout..).unwrap_or(&mut []);
                    let ends = self.ends.get_mut(nend..).unwrap_or(&mut []);
                    let (_, _, o, e) = self.core.read_record(&[], out, ends);
                    nout += o;
                    nend += e;
                    cut_short = true;
                    break;
                }
            }
        }
        let raw = self.input.pending().get(..consumed).unwrap_or(&[]);
        let breaks = memchr::memchr_iter(b'\n', raw).count() as u64;
        let ended_by_lf = raw.last() == Some(&b'\n');
        let open_quote = cut_short && self.quote_left_open(raw);
        self.input.consume(consumed);
        self.in_line += breaks;
        self.last_content = self.in_line - u64::from(ended_by_lf);
        if nend > 0 || open_quote {
            self.write_record(line, nout, nend, open_quote);
            self.records += 1;
        }
        true
    }

    /// Whether a record the file ends in has a quoted field left open.
    fn quote_left_open(&self, raw: &[u8]) -> bool {
        let quotes = raw.iter().filter(|b| **b == self.spec.quote).count();
        let escaped = match self.spec.escape {
            Some(e) => raw
                .windows(2)
                .filter(|w| w == &[e, self.spec.quote])
                .count(),
            None => 0,
        };
        (quotes - escaped) % 2 == 1
    }

    /// Writes a record in canonical CSV on line `line`.
    fn write_record(&mut self, line: u64, nout: usize, nend: usize, open_quote: bool) {
        while self.out_line < line {
            self.out.push(b'\n');
            self.out_line += 1;
        }
        let text = self.fields.get(..nout).unwrap_or(&[]);
        let ends = self.ends.get(..nend).unwrap_or(&[]);
        let mut from = 0;
        for (i, &to) in ends.iter().enumerate() {
            let field = text.get(from..to).unwrap_or(&[]);
            from = to;
            if i > 0 {
                self.out.push(b',');
            }
            let last = i + 1 == ends.len();
            let is_null = self
                .spec
                .nulls
                .iter()
                .any(|n| std::str::from_utf8(field).is_ok_and(|s| s.trim() == n.as_str()));
            if is_null {
                continue;
            }
            if last && open_quote {
                self.out.push(b'"');
                push_doubled(&mut self.out, field);
            } else if field
                .iter()
                .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
            {
                self.out.push(b'"');
                push_doubled(&mut self.out, field);
                self.out.push(b'"');
            } else {
                self.out.extend_from_slice(field);
            }
        }
        self.out.push(b'\n');
        self.out_line += 1 + memchr::memchr_iter(b'\n', text).count() as u64;
    }

    /// The data ended at a blank line before `line`: the rest is a footer.
    fn drop_footer(&mut self, line: u64) {
        let rest = self.input.rest().unwrap_or_default();
        let text = String::from_utf8_lossy(&rest);
        let lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.trim_end_matches('\r'))
            .filter(|l| !l.trim().is_empty())
            .collect();
        if let Ok(mut slot) = self.spec.footer.lock() {
            *slot = Some(FoundFooter {
                line: Some(line),
                count: lines.len() as u64,
                grand_total: lines.iter().find_map(|l| grand_total(l.trim_matches('"'))),
                lines: lines.iter().take(QUOTED).map(|l| l.to_string()).collect(),
                ..FoundFooter::default()
            });
        }
        self.done = true;
    }

    /// One step: a line before the header passed on, a record rewritten,
    /// the footer dropped; false when more input is needed first.
    fn advance(&mut self) -> bool {
        if self.spec.skip_lines > 0 {
            if self.input.at_eof() && self.pending().is_empty() {
                self.spec.skip_lines = 0;
                return true;
            }
            return self.pass_line();
        }
        self.skip_breaks();
        if self.pending().is_empty() {
            self.done = self.input.at_eof();
            return self.done;
        }
        self.record()
    }

    /// Produces more output.
    fn produce(&mut self) -> std::io::Result<()> {
        self.out.clear();
        self.at = 0;
        while self.out.len() < CHUNK && !self.done {
            if !self.advance() {
                self.input.fill()?;
            }
        }
        Ok(())
    }
}

fn push_doubled(out: &mut Vec<u8>, field: &[u8]) {
    for &b in field {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
}

impl<R: Read> Read for Rewrite<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.at < self.out.len() {
                return Ok(copy_out(&self.out, &mut self.at, buf));
            }
            if self.done {
                return Ok(0);
            }
            self.produce()?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(delimiter: u8) -> RewriteSpec {
        RewriteSpec {
            delimiter,
            quote: b'"',
            escape: None,
            skip_lines: 0,
            nulls: Vec::new(),
            stop_at_blank: false,
            footer: FooterSlot::default(),
        }
    }

    fn rewrite(input: &str, spec: RewriteSpec) -> String {
        let mut out = Vec::new();
        let _ = Rewrite::new(input.as_bytes(), spec).read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn semicolons_become_commas_and_records_keep_their_lines() {
        let s = "a;b\r\n\r\n1,5;\"x;y\"\r\n\"two\nlines\";3\r\n4;5";
        assert_eq!(
            rewrite(s, spec(b';')),
            "a,b\n\n\"1,5\",x;y\n\"two\nlines\",3\n4,5\n"
        );
    }

    #[test]
    fn lines_before_the_header_pass_on_and_nulls_become_empty() {
        let mut sp = spec(b'\t');
        sp.skip_lines = 2;
        sp.nulls = vec!["NULL".into(), "-".into()];
        let s = "Report \"Cases\n2025\na\tb\tc\nNULL\t - \tx\n";
        assert_eq!(rewrite(s, sp), "Report \"Cases\n2025\na,b,c\n,,x\n");
    }

    #[test]
    fn escapes_and_an_open_quote_at_the_end() {
        let mut sp = spec(b',');
        sp.escape = Some(b'\\');
        assert_eq!(
            rewrite("a,b\n\"x\\\"y\",2\n", sp.clone()),
            "a,b\n\"x\"\"y\",2\n"
        );
        assert_eq!(
            rewrite("a,b\n1,\"open\nto the end", sp),
            "a,b\n1,\"open\nto the end\n"
        );
    }

    #[test]
    fn the_data_may_end_at_the_first_blank_line() {
        let mut sp = spec(b',');
        sp.stop_at_blank = true;
        let footer = sp.footer.clone();
        let s = "a,b\r\n1,2\r\n3,4\r\n\r\n\"Total\"\r\n\"Copyright, Inc.\"\r\n";
        assert_eq!(rewrite(s, sp), "a,b\n1,2\n3,4\n");
        let found = footer
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .unwrap_or_default();
        assert_eq!((found.line, found.count), (Some(5), 2));
        assert_eq!(found.lines, vec!["\"Total\"", "\"Copyright, Inc.\""]);
    }

    #[test]
    fn tiny_reads_give_the_same_text() {
        struct Drip<'a>(&'a [u8]);
        impl Read for Drip<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(buf.len()).min(3);
                let (a, b) = self.0.split_at(n);
                buf.get_mut(..n).unwrap_or(&mut []).copy_from_slice(a);
                self.0 = b;
                Ok(n)
            }
        }
        let s: String = (0..3000).map(|i| format!("{i};\"q;{i}\"\r\n")).collect();
        let mut out = Vec::new();
        let _ = Rewrite::new(Drip(s.as_bytes()), spec(b';')).read_to_end(&mut out);
        let want: String = (0..3000).map(|i| format!("{i},q;{i}\n")).collect();
        assert_eq!(String::from_utf8_lossy(&out), want);
    }
}
