//! A streaming CSV reader that knows where every record starts.
//!
//! Built on `csv_core` (the engine of the `csv` crate) because data errors
//! must name the physical line a record starts on, and `csv`'s
//! `Position::line` drifts after blank lines and CRLF line ends. This reader
//! counts line breaks itself in the bytes it feeds the parser: blank lines,
//! CRLF, LF, and line breaks inside quoted fields all keep the count exact.
//! It reads in fixed blocks, so memory does not grow with the file; only a
//! single huge record grows the field buffer.

use std::io::Read;

use csv_core::{ReadRecordResult, ReaderBuilder};

use super::buffer::Buffered;

/// Bytes read from the source at a time.
const BLOCK: usize = 256 * 1024;

/// One record: its fields as bytes (quotes removed, not trimmed).
#[derive(Debug)]
pub(crate) struct Record<'a> {
    /// The physical line (1-based) the record starts on.
    pub(crate) line: u64,
    /// Lines the record spans (more than one when a quoted field holds line breaks).
    pub(crate) lines: u64,
    /// The file ended inside a quoted field: the record is cut short.
    pub(crate) unterminated: bool,
    /// For a record read as it lies (one line, no quotes): its bytes'
    /// range in the data the reader was given; [`Record::bytes`] is then
    /// that line and fields are ranges of it.
    pub(crate) span: Option<(usize, usize)>,
    out: &'a [u8],
    ends: &'a [usize],
    /// Fields are the text between commas of `out` (a record read where it
    /// lies): each starts one byte after the previous one ends.
    plain: bool,
    /// A sheet's row: its cells, for what they hold beyond their text.
    pub(crate) cells: Option<&'a [super::sheet::SheetCell]>,
}

impl<'a> Record<'a> {
    /// A sheet's row on `line`: `out` holds its cells' texts one after
    /// another, ending at `ends`.
    pub(crate) fn of_cells(
        line: u64,
        out: &'a [u8],
        ends: &'a [usize],
        cells: &'a [super::sheet::SheetCell],
    ) -> Record<'a> {
        Record {
            line,
            lines: 1,
            unterminated: false,
            span: None,
            out,
            ends,
            plain: false,
            cells: Some(cells),
        }
    }

    /// Number of fields.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Field `i`.
    pub(crate) fn get(&self, i: usize) -> Option<&'a [u8]> {
        let (start, end) = self.range(i)?;
        self.out.get(start..end)
    }

    /// The byte range of field `i` within [`Record::bytes`].
    #[inline]
    pub(crate) fn range(&self, i: usize) -> Option<(usize, usize)> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            None => 0,
            Some(p) => *self.ends.get(p)? + usize::from(self.plain),
        };
        Some((start, end))
    }

    /// All fields.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The bytes every field is a range of (for one UTF-8 check of the whole record).
    pub(crate) fn bytes(&self) -> &'a [u8] {
        if self.plain {
            return self.out;
        }
        self.out
            .get(..self.ends.last().copied().unwrap_or(0))
            .unwrap_or(&[])
    }
}

/// Reads records from a byte source.
pub(crate) struct CsvReader<R> {
    input: Buffered<R>,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Physical line at `buf[pos]`.
    line: u64,
    /// File offset of `buf[pos]`.
    byte: u64,
}

impl<R: Read> CsvReader<R> {
    /// A reader with RFC 4180 quoting and any of LF, CRLF or CR line ends.
    pub(crate) fn new(src: R) -> CsvReader<R> {
        CsvReader {
            input: Buffered::new(src, BLOCK),
            core: ReaderBuilder::new().build(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            line: 1,
            byte: 0,
        }
    }

    /// Reads more input after the unread bytes; false at the end of the source.
    fn fill(&mut self) -> std::io::Result<bool> {
        self.input.fill()
    }

    fn available(&self) -> &[u8] {
        self.input.pending()
    }

    /// Consumes `n` available bytes, counting line breaks; returns the quotes among them.
    fn consume(&mut self, n: usize) -> u64 {
        let taken = self.input.pending().get(..n).unwrap_or(&[]);
        let mut quotes = 0;
        for i in memchr::memchr2_iter(b'\n', b'"', taken) {
            if taken.get(i) == Some(&b'\n') {
                self.line += 1;
            } else {
                quotes += 1;
            }
        }
        self.input.consume(n);
        self.byte += n as u64;
        quotes
    }

    /// Passes over `n` lines as they are (lines before a header, which
    /// need not be CSV).
    pub(crate) fn skip_lines(&mut self, mut n: u64) -> std::io::Result<()> {
        while n > 0 {
            match memchr::memchr(b'\n', self.available()) {
                Some(i) => {
                    self.consume(i + 1);
                    n -= 1;
                }
                None => {
                    let all = self.available().len();
                    self.consume(all);
                    if !self.fill()? {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }

    /// The file offset and physical line of the next unread byte.
    pub(crate) fn position(&self) -> (u64, u64) {
        (self.byte, self.line)
    }

    /// The next record, or `None` at the end.
    pub(crate) fn next_record(&mut self) -> std::io::Result<Option<Record<'_>>> {
        // Blank lines between records are skipped (and counted).
        loop {
            let skip = self
                .available()
                .iter()
                .take_while(|b| **b == b'\n' || **b == b'\r')
                .count();
            self.consume(skip);
            if !self.available().is_empty() {
                break;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
        let line = self.line;
        let mut nout = 0usize;
        let mut nend = 0usize;
        let mut quotes = 0u64;
        loop {
            let input_len = self.available().len();
            let (res, nin, o, e) = {
                let input = self.input.pending();
                let out = self.out.get_mut(nout..).unwrap_or(&mut []);
                let ends = self.ends.get_mut(nend..).unwrap_or(&mut []);
                self.core.read_record(input, out, ends)
            };
            quotes += self.consume(nin);
            // `csv_core` reports field ends relative to the record (it keeps
            // the record's output position itself); `o` counts bytes written
            // into the slice we passed.
            nout += o;
            nend += e;
            match res {
                ReadRecordResult::Record => break,
                ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                ReadRecordResult::InputEmpty => {
                    if !self.fill()? && input_len == nin {
                        // Flush the record that ends at the end of the file.
                        let out = self.out.get_mut(nout..).unwrap_or(&mut []);
                        let ends = self.ends.get_mut(nend..).unwrap_or(&mut []);
                        let (res, _, o, e) = self.core.read_record(&[], out, ends);
                        nout += o;
                        nend += e;
                        if matches!(res, ReadRecordResult::End) && nend == 0 {
                            return Ok(None);
                        }
                        let lines = self.line - line + 1;
                        return Ok(Some(Record {
                            line,
                            lines,
                            unterminated: quotes % 2 == 1,
                            out: self.out.get(..nout).unwrap_or(&[]),
                            ends: self.ends.get(..nend).unwrap_or(&[]),
                            span: None,
                            plain: false,
                            cells: None,
                        }));
                    }
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
        // The line count now includes the terminator's line break.
        let lines = (self.line - line).max(1);
        Ok(Some(Record {
            line,
            lines,
            unterminated: false,
            out: self.out.get(..nout).unwrap_or(&[]),
            ends: self.ends.get(..nend).unwrap_or(&[]),
            span: None,
            plain: false,
            cells: None,
        }))
    }
}

/// Occurrences of `byte` in a record (short: a plain loop beats setting up a search).
fn count(byte: u8, s: &[u8]) -> u64 {
    s.iter().filter(|b| **b == byte).count() as u64
}

/// Scans the line `rest` starts with, calling `each` at every comma, in
/// order. Returns the line's length without its line end (`\n`, `\r\n`,
/// a `\r` ending the data, or the end of the data) and the bytes up to the
/// next line; or `None`, part way, at a quote or at a carriage return
/// inside the line (a record that needs the CSV state machine).
///
/// Fields are short (a comma every ten bytes or so), so rather than start
/// a search per field, or a search for the line's end before the fields,
/// this reads sixteen bytes at a time and finds the four bytes that matter
/// in each with vector compares (`wide`: SSE2 on x86-64, NEON on ARM, plain
/// code elsewhere), one pass for the line end and the commas together.
fn scan_line(rest: &[u8], mut each: impl FnMut(usize)) -> Option<(usize, usize)> {
    use wide::u8x16;
    const W: usize = 16;
    let (comma, quote, cr, lf) = (
        u8x16::splat(b','),
        u8x16::splat(b'"'),
        u8x16::splat(b'\r'),
        u8x16::splat(b'\n'),
    );
    let mut base = 0usize;
    // The last chunk ended in a carriage return: fine only right before the line end.
    let mut cr_last = false;
    loop {
        let (bytes, avail) = match rest.get(base..base + W) {
            Some(s) => (<[u8; W]>::try_from(s).unwrap_or([0; W]), W),
            None => {
                // The last few bytes, padded with zeros (not a byte that matters).
                let tail = rest.get(base..).unwrap_or(&[]);
                let mut a = [0u8; W];
                if let Some(d) = a.get_mut(..tail.len()) {
                    d.copy_from_slice(tail);
                }
                (a, tail.len())
            }
        };
        let v = u8x16::new(bytes);
        let valid = if avail == W {
            u32::MAX
        } else {
            (1u32 << avail) - 1
        };
        let lfs = v.simd_eq(lf).to_bitmask() & valid;
        // Where the line ends in this chunk (or `W`: it goes on), and whether it does.
        let end = if lfs != 0 {
            lfs.trailing_zeros() as usize
        } else {
            avail
        };
        let last = lfs != 0 || avail < W;
        let below = (1u32 << end) - 1;
        let crs = v.simd_eq(cr).to_bitmask() & below;
        let bad = (v.simd_eq(quote).to_bitmask() & below) | crs;
        let mut trim = usize::from(cr_last);
        if cr_last && !(last && end == 0) {
            return None;
        }
        cr_last = false;
        if bad != 0 {
            let at_end = end > 0 && bad == 1 << (end - 1) && crs == bad;
            if at_end && last {
                trim = 1;
            } else if at_end {
                cr_last = true;
            } else {
                return None;
            }
        }
        let mut m = v.simd_eq(comma).to_bitmask() & below;
        while m != 0 {
            each(base + m.trailing_zeros() as usize);
            m &= m - 1;
        }
        if last {
            let next = base + end + usize::from(lfs != 0);
            return Some((base + end - trim, next));
        }
        base += W;
    }
}

/// The records [`SliceReader`] finds in `data`, counted without parsing
/// them, when `data` holds no quote: the non-empty runs between line ends
/// (`\n` or `\r`). `None` when there is a quote.
pub(crate) fn count_unquoted_records(data: &[u8]) -> Option<u64> {
    if memchr::memchr(b'"', data).is_some() {
        return None;
    }
    let mut n = 0u64;
    let mut start = 0usize;
    for i in memchr::memchr2_iter(b'\r', b'\n', data) {
        if i > start {
            n += 1;
        }
        start = i + 1;
    }
    if data.len() > start {
        n += 1;
    }
    Some(n)
}

/// Reads records from bytes already in memory (a block of a file), without
/// copying them; the counterpart of [`CsvReader`] for parallel parsing.
pub(crate) struct SliceReader<'a> {
    data: &'a [u8],
    pos: usize,
    /// The CSV state machine, built when a record first needs it (most
    /// blocks hold only plain lines).
    core: Option<Box<csv_core::Reader>>,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// Physical line at `pos`.
    line: u64,
}

impl<'a> SliceReader<'a> {
    /// A reader over `data`, which starts at a record boundary on line 1.
    pub(crate) fn new(data: &'a [u8]) -> SliceReader<'a> {
        SliceReader {
            data,
            pos: 0,
            core: None,
            out: vec![0; 4096],
            ends: vec![0; 64],
            line: 1,
        }
    }

    /// Reads the record at `pos` without the CSV state machine when it is
    /// one line with no quote and no carriage return but the one ending it:
    /// its fields are then exactly the text between commas, found where they
    /// lie, in the same pass that finds the line's end. Returns the line's
    /// length (without its line end) and the number of fields, or `None`
    /// (nothing consumed) for any other record.
    fn plain_line(&mut self) -> Option<(usize, usize)> {
        let rest = self.data.get(self.pos..)?;
        let ends = &mut self.ends;
        let mut n = 0usize;
        let mut push = |cut: usize| {
            if ends.len() <= n {
                let want = (n + 1).max(ends.len() * 2);
                ends.resize(want, 0);
            }
            if let Some(e) = ends.get_mut(n) {
                *e = cut;
            }
            n += 1;
        };
        let (len, next) = scan_line(rest, &mut push)?;
        if len == 0 {
            return None;
        }
        push(len);
        self.pos += next;
        // A line ended by a line break moves the count on.
        self.line += u64::from(rest.get(next.saturating_sub(1)) == Some(&b'\n'));
        Some((len, n))
    }

    /// The next record, or `None` at the end.
    pub(crate) fn next_record(&mut self) -> Option<Record<'_>> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let mut skip = 0usize;
        for b in rest {
            match b {
                b'\n' => self.line += 1,
                b'\r' => {}
                _ => break,
            }
            skip += 1;
        }
        self.pos += skip;
        if self.pos >= self.data.len() {
            return None;
        }
        let start = self.pos;
        let line = self.line;
        if let Some((body, n)) = self.plain_line() {
            let data: &'a [u8] = self.data;
            return Some(Record {
                line,
                lines: 1,
                unterminated: false,
                span: Some((start, start + body)),
                out: data.get(start..start + body).unwrap_or(&[]),
                ends: self.ends.get(..n).unwrap_or(&[]),
                plain: true,
                cells: None,
            });
        }
        let (mut nout, mut nend) = (0usize, 0usize);
        let mut at_eof = false;
        let core = self
            .core
            .get_or_insert_with(|| Box::new(ReaderBuilder::new().build()));
        loop {
            let input = self.data.get(self.pos..).unwrap_or(&[]);
            let out = self.out.get_mut(nout..).unwrap_or(&mut []);
            let ends = self.ends.get_mut(nend..).unwrap_or(&mut []);
            let (res, nin, o, e) = core.read_record(input, out, ends);
            self.pos += nin;
            nout += o;
            nend += e;
            match res {
                ReadRecordResult::Record => break,
                ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    self.out.resize(n, 0);
                }
                ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                ReadRecordResult::InputEmpty => {
                    // The data ends inside this record: flush it.
                    at_eof = true;
                    let out = self.out.get_mut(nout..).unwrap_or(&mut []);
                    let ends = self.ends.get_mut(nend..).unwrap_or(&mut []);
                    let (res, _, o, e) = core.read_record(&[], out, ends);
                    nout += o;
                    nend += e;
                    if matches!(res, ReadRecordResult::End) && nend == 0 {
                        return None;
                    }
                    break;
                }
                ReadRecordResult::End => return None,
            }
        }
        let raw = self.data.get(start..self.pos).unwrap_or(&[]);
        self.line += count(b'\n', raw);
        // Quotes come in pairs; an odd count in a record the data ends in
        // means a quoted field was cut off.
        let unterminated = at_eof && count(b'"', raw) % 2 == 1;
        Some(Record {
            line,
            lines: (self.line - line).max(1),
            unterminated,
            out: self.out.get(..nout).unwrap_or(&[]),
            ends: self.ends.get(..nend).unwrap_or(&[]),
            span: None,
            plain: false,
            cells: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(data: &[u8]) -> Vec<(u64, Vec<String>, bool)> {
        let mut r = CsvReader::new(data);
        let mut out = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            out.push((
                rec.line,
                rec.iter()
                    .map(|f| String::from_utf8_lossy(f).to_string())
                    .collect(),
                rec.unterminated,
            ));
        }
        out
    }

    fn lines(data: &[u8]) -> Vec<u64> {
        records(data).into_iter().map(|r| r.0).collect()
    }

    #[test]
    fn physical_lines_with_lf_crlf_blank_lines_and_quoted_breaks() {
        let lf = b"A,B\n1,2\n3,4\n\n5,\"x\ny\"\n6,7\n";
        assert_eq!(lines(lf), vec![1, 2, 3, 5, 7]);
        let crlf = b"A,B\r\n1,2\r\n3,4\r\n\r\n5,\"x\r\ny\"\r\n6,7\r\n";
        assert_eq!(lines(crlf), vec![1, 2, 3, 5, 7]);
        assert_eq!(records(crlf)[3].1, vec!["5", "x\r\ny"]);
    }

    /// The scan reads sixteen bytes at a time: a line end, a CRLF, a lone
    /// CR, a quote or a comma on either side of a chunk's edge, or at the
    /// end of the data, reads as it would anywhere else.
    #[test]
    fn line_ends_on_either_side_of_a_chunk_edge() {
        for at in 0..40 {
            let body = "x".repeat(at);
            for (line, want) in [
                (format!("{body}\n,"), Some((at, at + 1, vec![]))),
                (format!("{body}\r\n,"), Some((at, at + 2, vec![]))),
                (format!("{body}\r"), Some((at, at + 1, vec![]))),
                (format!("{body},\r\n"), Some((at + 1, at + 3, vec![at]))),
                (format!("{body}\r,\n"), None),
                (format!("{body}\"\n"), None),
                (format!("{body},"), Some((at + 1, at + 1, vec![at]))),
            ] {
                let mut commas = Vec::new();
                let got = scan_line(line.as_bytes(), |i| commas.push(i))
                    .map(|(len, next)| (len, next, commas));
                assert_eq!(got, want, "{line:?}");
            }
        }
    }

    #[test]
    fn bom_is_stripped_and_last_line_needs_no_break() {
        let r = records(b"\xef\xbb\xbfA,B\n1,2");
        assert_eq!(r[0].1, vec!["A", "B"]);
        assert_eq!(r[1], (2, vec!["1".to_string(), "2".to_string()], false));
    }

    #[test]
    fn quotes_commas_and_doubled_quotes() {
        let r = records(b"A\n\"a, \"\"b\"\"\",c\n");
        assert_eq!(r[1].1, vec!["a, \"b\"", "c"]);
    }

    #[test]
    fn a_file_cut_inside_a_quoted_field_is_flagged() {
        let r = records(b"A,B\n1,\"open\nstill open\n");
        assert_eq!(r.len(), 2);
        assert!(r[1].2, "{r:?}");
        assert_eq!(r[1].0, 2);
    }

    #[test]
    fn small_blocks_and_huge_fields() {
        // Feed one byte at a time: state must carry across reads.
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                match (self.0.split_first(), buf.first_mut()) {
                    (Some((b, rest)), Some(slot)) => {
                        *slot = *b;
                        self.0 = rest;
                        Ok(1)
                    }
                    _ => Ok(0),
                }
            }
        }
        let big = "x".repeat(100_000);
        let data = format!("A,B\r\n\"{big}\",2\r\n\r\n3,4\r\n");
        let mut r = CsvReader::new(OneByte(data.as_bytes()));
        let mut got = Vec::new();
        while let Some(rec) = r.next_record().unwrap() {
            got.push((rec.line, rec.get(0).map(<[u8]>::len)));
        }
        assert_eq!(got, vec![(1, Some(1)), (2, Some(100_000)), (4, Some(1))]);
        let wide: String = (0..10_000)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(records(wide.as_bytes())[0].1.len(), 10_000);
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// Hands out the input in chunks of the given sizes (cycling).
    struct Chunked<'a> {
        data: &'a [u8],
        sizes: Vec<usize>,
        i: usize,
    }

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let want = self
                .sizes
                .get(self.i % self.sizes.len().max(1))
                .copied()
                .unwrap_or(1)
                .max(1);
            self.i += 1;
            let n = want.min(buf.len()).min(self.data.len());
            let (head, tail) = self.data.split_at(n);
            buf.get_mut(..n).unwrap_or(&mut []).copy_from_slice(head);
            self.data = tail;
            Ok(n)
        }
    }

    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a",
            "bb",
            "ccc",
            ",",
            "\n",
            "\r\n",
            "\"",
            "\"\"",
            "x,y",
            " ",
            "\"q,\nr\"",
            "\r",
            "\n\r",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// The word-at-a-time line scan agrees with a byte-by-byte one on
        /// lines of every length, every line end and bytes of every value.
        #[test]
        fn line_scan_matches_a_plain_scan(rest in prop::collection::vec(
            prop_oneof![Just(b','), Just(b'"'), Just(b'\r'), Just(b'\n'), any::<u8>(), Just(b'a')], 0..70)) {
            let (body, next) = match rest.iter().position(|b| *b == b'\n') {
                Some(i) => (&rest[..i], i + 1),
                None => (&rest[..], rest.len()),
            };
            let body = body.strip_suffix(b"\r").unwrap_or(body);
            let want = (!body.iter().any(|b| *b == b'"' || *b == b'\r')).then(|| {
                let commas: Vec<usize> = (0..body.len()).filter(|i| body[*i] == b',').collect();
                (body.len(), next, commas)
            });
            let mut commas = Vec::new();
            let got = scan_line(&rest, |i| commas.push(i)).map(|(len, next)| (len, next, commas));
            prop_assert_eq!(got, want);
        }

        #[test]
        fn fields_match_the_csv_crate(pieces in prop::collection::vec(piece(), 0..80), sizes in prop::collection::vec(1usize..40, 1..5)) {
            let text = pieces.concat();
            let mut ours = Vec::new();
            let mut r = CsvReader::new(Chunked { data: text.as_bytes(), sizes, i: 0 });
            while let Some(rec) = r.next_record().unwrap() {
                ours.push(rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
            }
            let mut sliced = Vec::new();
            let mut sr = SliceReader::new(text.as_bytes());
            while let Some(rec) = sr.next_record() {
                sliced.push(rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
            }
            prop_assert_eq!(&sliced, &ours);
            let mut theirs = Vec::new();
            let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
            let mut rec = csv::ByteRecord::new();
            while rdr.read_byte_record(&mut rec).unwrap() {
                theirs.push(rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
            }
            prop_assert_eq!(ours, theirs, "{:?}", text);
        }

        #[test]
        fn unquoted_records_are_counted_as_read(pieces in prop::collection::vec(
            prop::sample::select(vec!["a", "b c", ",", "\n", "\r", "\r\n", " ", "\n\n", "\"x\""]), 0..60)) {
            let text = pieces.concat();
            let mut sr = SliceReader::new(text.as_bytes());
            let mut n = 0u64;
            while sr.next_record().is_some() {
                n += 1;
            }
            match count_unquoted_records(text.as_bytes()) {
                Some(c) => prop_assert_eq!(c, n, "{:?}", text),
                None => prop_assert!(text.contains('"')),
            }
        }
    }
}
